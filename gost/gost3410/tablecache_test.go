package gost3410

import (
	"bytes"
	"crypto/rand"
	"math/big"
	"sync"
	"testing"
)

// swapKeyTables makes tc the cache Verify uses and returns a function that
// restores the previous one.
func swapKeyTables(tc *tableCache) func() {
	old := keyTables
	keyTables = tc
	return func() { keyTables = old }
}

// TestVerifyWithTable checks that verification through a key's table agrees
// with the plain path on valid signatures and on invalid ones (a bit
// flipped in r, s or the digest, another key, r and s at the edges of
// [1, q-1]) on every curve, and that Verify gives the same answers once the
// key has its table.
func TestVerifyWithTable(t *testing.T) {
	defer swapKeyTables(newTableCache(hotThreshold, maxKeyTables, maxCountedKeys))()
	for _, c := range Curves() {
		n := c.Size()
		q := c.Params().Q
		edges := []*big.Int{big.NewInt(0), big.NewInt(1), new(big.Int).Sub(q, big.NewInt(1)), q,
			new(big.Int).Add(q, big.NewInt(1)), new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(8*n)), big.NewInt(1))}
		rounds := 4
		if testing.Short() {
			rounds = 2
		}
		for range rounds {
			k, _ := GenerateKey(c, rand.Reader)
			other, _ := GenerateKey(c, rand.Reader)
			pub := k.PublicKey()
			table, err := c.impl.NewKeyTable(pub.be)
			if err != nil {
				t.Fatalf("%s: NewKeyTable: %v", c, err)
			}
			otherTable, _ := c.impl.NewKeyTable(other.PublicKey().be)
			digest := make([]byte, n)
			rand.Read(digest)
			sig, _ := k.Sign(rand.Reader, digest, nil)
			type input struct {
				name           string
				digest, sig    []byte
				wrongKey, want bool
			}
			inputs := []input{{name: "valid", digest: digest, sig: sig, want: true},
				{name: "other key", digest: digest, sig: sig, wrongKey: true}}
			for i := 0; i < 2*n; i += 5 { // the first and last bytes of s and r among them
				bad := bytes.Clone(sig)
				bad[i] ^= 1 << (i % 8)
				bad[2*n-1-i] ^= 0x80 >> (i % 8)
				inputs = append(inputs, input{name: "flipped signature bits", digest: digest, sig: bad})
			}
			for i := 0; i < n; i += 7 {
				bad := bytes.Clone(digest)
				bad[i] ^= 0x80 >> (i % 8)
				inputs = append(inputs, input{name: "flipped digest bit", digest: bad, sig: sig})
			}
			for _, v := range edges {
				e := v.FillBytes(make([]byte, n))
				inputs = append(inputs,
					input{name: "edge r", digest: digest, sig: append(bytes.Clone(sig[:n]), e...)},
					input{name: "edge s", digest: digest, sig: append(bytes.Clone(e), sig[n:]...)})
			}
			for _, in := range inputs {
				key, tab := pub, table
				if in.wrongKey {
					key, tab = other.PublicKey(), otherTable
				}
				e, r, s := reverse(in.digest), in.sig[n:], in.sig[:n]
				plain := c.impl.Verify(key.be, e, r, s)
				fast := c.impl.VerifyWithTable(tab, e, r, s)
				if plain != in.want || fast != plain {
					t.Errorf("%s: %s: plain path %v, table path %v, want %v", c, in.name, plain, fast, in.want)
				}
			}
			// Through Verify: the first uses go without the table, the later
			// ones with it.
			for i := range hotThreshold + 2 {
				for _, in := range inputs[:4] {
					key := pub
					if in.wrongKey {
						key = other.PublicKey()
					}
					if got := Verify(key, in.digest, in.sig); got != in.want {
						t.Errorf("%s: Verify use %d: %s: got %v, want %v", c, i+1, in.name, got, in.want)
					}
				}
			}
			if keyTables.lookup(c, pub.be) == nil {
				t.Errorf("%s: no table after %d verifications", c, hotThreshold+2)
			}
		}
	}
}

// TestVerifyWithTableOtherCurve: a table is tied to its curve.
func TestVerifyWithTableOtherCurve(t *testing.T) {
	k, _ := GenerateKey(CryptoProA, rand.Reader)
	table, err := CryptoProA.impl.NewKeyTable(k.PublicKey().be)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("a table of CryptoPro-A was accepted on CryptoPro-B")
		}
	}()
	z := make([]byte, 32)
	CryptoProB.impl.VerifyWithTable(table, z, z, z)
}

// TestTableCacheBounds: the cache holds at most its number of tables and
// of counters, the least recently used table makes room, and a table is
// found only under its own curve and exact encoding.
func TestTableCacheBounds(t *testing.T) {
	c := TC26256A
	var keys [][]byte
	for range 8 {
		k, _ := GenerateKey(c, rand.Reader)
		keys = append(keys, k.PublicKey().be)
	}
	tc := newTableCache(2, 3, 4)
	if tc.lookup(c, keys[0]) != nil {
		t.Fatal("a table after the first use")
	}
	if tc.lookup(c, keys[0]) == nil {
		t.Fatal("no table at the threshold")
	}
	for _, k := range keys[1:] {
		tc.lookup(c, k)
		tc.lookup(c, k)
		tc.lookup(c, keys[0]) // keeps keys[0] the most recently used
		if n, _ := tc.len(); n > 3 {
			t.Fatalf("cache of 3 tables holds %d", n)
		}
	}
	if tc.lookup(c, keys[0]) == nil {
		t.Error("the most used key lost its table")
	}
	if tc.lookup(c, keys[len(keys)-1]) == nil {
		t.Error("the last key made hot has no table")
	}
	if n, _ := tc.len(); n != 3 {
		t.Errorf("cache holds %d tables, want 3", n)
	}
	if got := tc.builds.Load(); got != int64(len(keys)) {
		t.Errorf("%d tables built, want %d", got, len(keys))
	}
	// keys[1] was evicted: it starts counting again.
	if tc.lookup(c, keys[1]) != nil {
		t.Error("an evicted key still has its table")
	}
	if tc.lookup(TC26512C, keys[0]) != nil || tc.lookup(c, keys[0][1:]) != nil {
		t.Error("a table found under another curve or encoding")
	}
	for i := range 100 {
		tc.lookup(c, []byte{byte(i)})
		if _, n := tc.len(); n > 4 {
			t.Fatalf("cache of 4 counters holds %d", n)
		}
	}
}

// TestTableCacheConcurrent: goroutines verifying the same key at once build
// its table once and all get the same one (run with -race).
func TestTableCacheConcurrent(t *testing.T) {
	k, _ := GenerateKey(CryptoProA, rand.Reader)
	digest := make([]byte, 32)
	sig, _ := k.Sign(rand.Reader, digest, nil)
	defer swapKeyTables(newTableCache(hotThreshold, maxKeyTables, maxCountedKeys))()
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 * hotThreshold {
				if !Verify(k.PublicKey(), digest, sig) {
					errs <- "a valid signature failed"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got := keyTables.builds.Load(); got != 1 {
		t.Errorf("%d tables built for one key, want 1", got)
	}
}
