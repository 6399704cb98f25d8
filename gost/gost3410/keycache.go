package gost3410

import "sync"

// checkedKeys remembers public keys that passed CheckPoint on curves with
// a cofactor (TC26-256-A, TC26-512-C), whose check includes a subgroup
// test — a full variable-time scalar multiplication by q, as costly as
// half a signature verification. A CA parses the same few keys many times
// per request (the subscriber's certificate in the protection, its chain,
// the transaction; the new key in the template, the proof of possession
// and the issued certificate), so a small cache removes most of them.
//
// Only keys that passed are stored, keyed by curve and exact encoding, so
// a hit gives the same answer as the check. Public keys are public: the
// cache needs no constant-time care. It is bounded: when full, an
// arbitrary entry makes room, so a stream of new keys costs what it cost
// without the cache.
var checkedKeys = keyCache{max: 4096}

type keyCache struct {
	mu   sync.Mutex
	max  int
	keys map[keyCacheEntry]struct{}
}

type keyCacheEntry struct {
	curve *Curve
	be    string // X||Y big-endian
}

// has reports whether be on c passed CheckPoint before.
func (k *keyCache) has(c *Curve, be []byte) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.keys[keyCacheEntry{c, string(be)}]
	return ok
}

// add records that be on c passed CheckPoint.
func (k *keyCache) add(c *Curve, be []byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil {
		k.keys = make(map[keyCacheEntry]struct{}, k.max)
	}
	if len(k.keys) >= k.max {
		for e := range k.keys {
			delete(k.keys, e)
			break
		}
	}
	k.keys[keyCacheEntry{c, string(be)}] = struct{}{}
}
