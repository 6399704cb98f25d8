package gost3410

import (
	"hash/maphash"
	"sync"
	"sync/atomic"

	"rekey/gost/gost3410/internal/ec"
)

// keyTables keeps precomputed tables (ec.KeyTable) for the public keys that
// are verified most often. A CA checks its own signature in every chain
// and every protection it made, so one key is verified thousands of times
// a second; with its table, verification adds precomputed points only and
// doubles nothing, about 3 times faster (TC26-256-A: 17 µs instead of
// 53 µs, TC26-512-C: 84 µs instead of 268 µs; BenchmarkVerifyHotKey).
//
// Every verification counts one use of its key, valid signature or not;
// the use that reaches hotThreshold builds the key's table, and later uses
// take it. A build costs about as much as 4–5 plain verifications (0.25 ms
// on TC26-256-A, 1.25 ms on TC26-512-C; BenchmarkKeyTable) and is repaid
// by the next 5–7 verifications. hotThreshold = 8 sits above the 4–5 at
// which a build would be worth it for a key never seen again, so that a
// key verified exactly 8 times costs at most about 1.5 times what it cost
// without the cache, while a subscriber's keys, verified one to four times
// per renewal (protection, proof of possession, confirmation), build no
// table in an ordinary renewal. A CA's own key reaches it within its first
// few requests. A peer sending bad signatures can make at most one build
// per 8 verifications it asks for, which is less work than those.
//
// Keys are public: nothing here needs constant-time care. Entries are
// found by a keyed hash (hash/maphash, random seed) of the exact encoding,
// with the curve; a table is used only when its stored encoding equals the
// key's, so a collision costs at most a miscount, never a wrong answer.
//
// The cache is bounded: at most maxKeyTables tables, the least recently
// used one making room (a table holds 53 KB on a 256-bit Weierstrass
// curve, 80 KB on TC26-256-A, 211 KB on the 512-bit Weierstrass curves and
// 316 KB on TC26-512-C, so at most about 10 MB), and at most
// maxCountedKeys counters, an arbitrary one making room. A stream of keys
// each verified once costs a hash, two map lookups and a map insertion
// (about 0.2 µs, no allocation) per verification on top of the plain verification.
var keyTables = newTableCache(hotThreshold, maxKeyTables, maxCountedKeys)

const (
	hotThreshold   = 8
	maxKeyTables   = 32
	maxCountedKeys = 1024
)

type tableCache struct {
	seed      maphash.Seed
	threshold uint32
	maxTables int
	maxCounts int
	builds    atomic.Int64 // tables built, for tests

	mu     sync.Mutex
	clock  uint64 // ticks at every table hit, for the LRU choice
	counts map[tableKey]uint32
	tables map[tableKey]*tableEntry
}

type tableKey struct {
	curve *Curve
	hash  uint64 // maphash of X||Y big-endian
}

type tableEntry struct {
	be      string                      // X||Y big-endian, compared on every hit
	table   atomic.Pointer[ec.KeyTable] // nil until built
	lastUse uint64                      // clock of the last hit, under mu
}

func newTableCache(threshold uint32, maxTables, maxCounts int) *tableCache {
	return &tableCache{
		seed:      maphash.MakeSeed(),
		threshold: threshold,
		maxTables: maxTables,
		maxCounts: maxCounts,
		counts:    make(map[tableKey]uint32),
		tables:    make(map[tableKey]*tableEntry),
	}
}

// lookup counts one verification with the public key be (X||Y big-endian,
// checked) on c and returns the key's table, or nil when it has none yet.
// The call that brings the count to the threshold builds the table, without
// holding the lock; callers meanwhile get nil and verify without it, so no
// goroutine waits and no table is built twice. Variable-time.
func (tc *tableCache) lookup(c *Curve, be []byte) *ec.KeyTable {
	k := tableKey{c, maphash.Bytes(tc.seed, be)}
	tc.mu.Lock()
	if e, ok := tc.tables[k]; ok {
		if e.be != string(be) { // a hash collision: no table for this key
			tc.mu.Unlock()
			return nil
		}
		tc.clock++
		e.lastUse = tc.clock
		tc.mu.Unlock()
		return e.table.Load()
	}
	n := tc.counts[k] + 1
	if n < tc.threshold {
		if n == 1 && len(tc.counts) >= tc.maxCounts {
			for old := range tc.counts {
				delete(tc.counts, old)
				break
			}
		}
		tc.counts[k] = n
		tc.mu.Unlock()
		return nil
	}
	delete(tc.counts, k)
	e := &tableEntry{be: string(be)}
	tc.insertLocked(k, e)
	tc.mu.Unlock()
	return tc.build(c, k, e)
}

// insertLocked adds e under k, evicting the least recently used table when
// the cache is full. tc.mu must be held.
func (tc *tableCache) insertLocked(k tableKey, e *tableEntry) {
	if len(tc.tables) >= tc.maxTables {
		var oldest tableKey
		oldestUse := ^uint64(0)
		for ok, oe := range tc.tables {
			if oe.lastUse < oldestUse {
				oldest, oldestUse = ok, oe.lastUse
			}
		}
		delete(tc.tables, oldest)
	}
	tc.clock++
	e.lastUse = tc.clock
	tc.tables[k] = e
}

// build makes the table of e and publishes it. A key that passed
// NewPublicKey always has one; should building fail all the same, the
// entry is dropped, and the key is verified without a table.
func (tc *tableCache) build(c *Curve, k tableKey, e *tableEntry) *ec.KeyTable {
	t, err := c.impl.NewKeyTable([]byte(e.be))
	if err != nil {
		tc.mu.Lock()
		if tc.tables[k] == e {
			delete(tc.tables, k)
		}
		tc.mu.Unlock()
		return nil
	}
	tc.builds.Add(1)
	e.table.Store(t)
	return t
}

// len returns the number of tables and of counters held.
func (tc *tableCache) len() (tables, counts int) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return len(tc.tables), len(tc.counts)
}
