package gost3410

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"errors"
	"math/big"
	"strings"
	"testing"

	"rekey/gost/gost3410/internal/bigref"
)

// le returns x as n little-endian bytes.
func le(x *big.Int, n int) []byte { return reverse(x.FillBytes(make([]byte, n))) }

func rawPoint(x, y *big.Int, n int) []byte { return append(le(x, n), le(y, n)...) }

// TestNewPublicKeyRejects covers every rejection of the public key decoder.
func TestNewPublicKeyRejects(t *testing.T) {
	for _, c := range Curves() {
		p := c.Params()
		n := c.Size()
		good := rawPoint(p.X, p.Y, n)
		cases := map[string][]byte{
			"empty":          nil,
			"short":          good[:2*n-1],
			"long":           append(bytes.Clone(good), 0),
			"half":           good[:n],
			"all zero":       make([]byte, 2*n), // what infinity would encode to
			"off curve":      rawPoint(p.X, new(big.Int).Add(p.Y, big.NewInt(1)), n),
			"x = p":          rawPoint(p.P, p.Y, n),
			"y = p":          rawPoint(p.X, p.P, n),
			"all ones":       bytes.Repeat([]byte{0xff}, 2*n),
			"y = p + y (nc)": nil,
		}
		// A non-canonical encoding of the base point, where p + y still fits.
		if yy := new(big.Int).Add(p.Y, p.P); yy.BitLen() <= 8*n {
			cases["y = p + y (nc)"] = rawPoint(p.X, yy, n)
		} else {
			delete(cases, "y = p + y (nc)")
		}
		if xx := new(big.Int).Add(p.X, p.P); xx.BitLen() <= 8*n {
			cases["x = p + x (nc)"] = rawPoint(xx, p.Y, n)
		}
		for name, raw := range cases {
			if _, err := NewPublicKey(c, raw); err == nil {
				t.Errorf("%s: %s accepted", c, name)
			} else if !strings.HasPrefix(err.Error(), "gost3410: ") {
				t.Errorf("%s: %s: error %q lacks the prefix", c, name, err)
			}
		}
		pub, err := NewPublicKey(c, good)
		if err != nil || !bytes.Equal(pub.Raw(), good) {
			t.Errorf("%s: base point rejected: %v", c, err)
		}
	}
	if _, err := NewPublicKey(nil, nil); err == nil {
		t.Errorf("nil curve accepted")
	}
}

// TestSubgroupCheck decodes random curve points on the cofactor-4 curves:
// exactly those of order q pass.
func TestSubgroupCheck(t *testing.T) {
	for _, c := range []*Curve{TC26256A, TC26512C} {
		p := c.Params()
		ref := &bigref.Curve{P: p.P, A: p.A, B: p.B}
		n := c.Size()
		var in, out int
		for in < 2 || out < 2 {
			x, _ := rand.Int(rand.Reader, p.P)
			rhs := new(big.Int).Mul(x, x)
			rhs.Add(rhs, p.A).Mul(rhs, x).Add(rhs, p.B).Mod(rhs, p.P)
			y := new(big.Int).ModSqrt(rhs, p.P)
			if y == nil {
				continue
			}
			pt := bigref.Point{X: x, Y: y}
			inGroup := ref.Mul(p.Q, pt).Inf
			_, err := NewPublicKey(c, rawPoint(x, y, n))
			if inGroup != (err == nil) {
				t.Errorf("%s: point in subgroup=%v, decode error %v", c, inGroup, err)
			}
			if inGroup {
				in++
			} else {
				out++
			}
		}
	}
}

// TestNewPrivateKey checks the scalar range: 0, q, q+1 and 2^bits-1 are
// rejected; 1 and q-1 are accepted with the right public keys.
func TestNewPrivateKey(t *testing.T) {
	for _, c := range Curves() {
		p := c.Params()
		n := c.Size()
		ref := &bigref.Curve{P: p.P, A: p.A, B: p.B}
		g := bigref.Point{X: p.X, Y: p.Y}
		top := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(8*n)), big.NewInt(1))
		for _, bad := range []*big.Int{big.NewInt(0), p.Q, new(big.Int).Add(p.Q, big.NewInt(1)), top} {
			if _, err := NewPrivateKey(c, le(bad, n)); err == nil {
				t.Errorf("%s: scalar %x accepted", c, bad)
			}
		}
		for _, d := range []*big.Int{big.NewInt(1), big.NewInt(2), new(big.Int).Sub(p.Q, big.NewInt(1))} {
			k, err := NewPrivateKey(c, le(d, n))
			if err != nil {
				t.Fatalf("%s: scalar %x rejected: %v", c, d, err)
			}
			w := ref.Mul(d, g)
			if got := k.PublicKey().Raw(); !bytes.Equal(got, rawPoint(w.X, w.Y, n)) {
				t.Errorf("%s: public key of %x wrong", c, d)
			}
			if !bytes.Equal(k.Raw(), le(d, n)) {
				t.Errorf("%s: Raw does not round-trip", c)
			}
		}
		for _, l := range []int{0, n - 1, n + 1} {
			if _, err := NewPrivateKey(c, make([]byte, l)); err == nil {
				t.Errorf("%s: length %d accepted", c, l)
			}
		}
	}
}

// TestSignVerify signs random digests on every curve and checks that the
// signature verifies and that changes to it, the digest or the key break it.
func TestSignVerify(t *testing.T) {
	for _, c := range Curves() {
		n := c.Size()
		k, err := GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		other, _ := GenerateKey(c, rand.Reader)
		var signer crypto.Signer = k
		if !signer.Public().(*PublicKey).Equal(k.PublicKey()) || !k.Equal(k) || k.Equal(other) {
			t.Errorf("%s: Equal or Public wrong", c)
		}
		for range 4 {
			digest := make([]byte, n)
			rand.Read(digest)
			sig, err := signer.Sign(rand.Reader, digest, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(sig) != c.SignatureSize() || !Verify(k.PublicKey(), digest, sig) {
				t.Fatalf("%s: signature does not verify", c)
			}
			if Verify(other.PublicKey(), digest, sig) {
				t.Errorf("%s: signature verifies under another key", c)
			}
			for _, i := range []int{0, n - 1, n, 2*n - 1} {
				bad := bytes.Clone(sig)
				bad[i] ^= 0x80
				if Verify(k.PublicKey(), digest, bad) {
					t.Errorf("%s: modified signature byte %d verifies", c, i)
				}
			}
			digest[0] ^= 1
			if Verify(k.PublicKey(), digest, sig) {
				t.Errorf("%s: signature verifies for another digest", c)
			}
		}
		zero := make([]byte, 2*n)
		if Verify(k.PublicKey(), make([]byte, n), zero) || Verify(k.PublicKey(), make([]byte, n), zero[:n]) {
			t.Errorf("%s: zero or short signature verifies", c)
		}
		if _, err := k.Sign(rand.Reader, make([]byte, n+1), nil); err == nil {
			t.Errorf("%s: wrong digest length accepted", c)
		}
		// e ≡ 0 mod q is signed as e = 1 (GOST R 34.10-2012 §6.1 step 2).
		q := c.Params().Q
		if q.BitLen() <= 8*n {
			dq := le(q, n)
			one := le(big.NewInt(1), n)
			sig, _ := k.Sign(rand.Reader, dq, nil)
			if !Verify(k.PublicKey(), dq, sig) || !Verify(k.PublicKey(), one, sig) {
				t.Errorf("%s: e = q not treated as e = 1", c)
			}
		}
	}
}

// TestNonceHedged checks that two signatures of one digest differ, and
// that the nonce does not repeat when the random source does.
func TestNonceHedged(t *testing.T) {
	k, _ := GenerateKey(TC26256A, rand.Reader)
	k2, _ := GenerateKey(TC26256A, rand.Reader)
	digest := make([]byte, 32)
	zeros := bytes.NewReader(make([]byte, 1024))
	s1, _ := k.Sign(zeros, digest, nil)
	zeros = bytes.NewReader(make([]byte, 1024))
	s2, _ := k2.Sign(zeros, digest, nil)
	if bytes.Equal(s1[32:], s2[32:]) {
		t.Errorf("two keys with the same random bytes produced the same r")
	}
	a, _ := k.Sign(rand.Reader, digest, nil)
	b, _ := k.Sign(rand.Reader, digest, nil)
	if bytes.Equal(a, b) {
		t.Errorf("signatures are deterministic")
	}
}

func TestCurveByOID(t *testing.T) {
	for oid, want := range map[string]*Curve{
		"1.2.643.7.1.2.1.1.1": TC26256A, "1.2.643.2.2.35.1": CryptoProA,
		"1.2.643.2.2.36.0": CryptoProA, "1.2.643.7.1.2.1.1.2": CryptoProA,
		"1.2.643.2.2.35.2": CryptoProB, "1.2.643.7.1.2.1.1.3": CryptoProB,
		"1.2.643.2.2.35.3": CryptoProC, "1.2.643.2.2.36.1": CryptoProC,
		"1.2.643.7.1.2.1.1.4": CryptoProC, "1.2.643.7.1.2.1.2.1": TC26512A,
		"1.2.643.7.1.2.1.2.2": TC26512B, "1.2.643.7.1.2.1.2.3": TC26512C,
		"1.2.643.2.2.35.0": Test256, "1.2.643.7.1.2.1.2.0": Test512,
		"1.2.643.7.1.2.1.2.4": nil, "1.2.840.10045.3.1.7": nil,
	} {
		if got := CurveByOID(parseOID(oid)); got != want {
			t.Errorf("CurveByOID(%s) = %v, want %v", oid, got, want)
		}
	}
}

// TestConcurrentUse signs and verifies from several goroutines at once, so
// that the race detector sees the lazily built tables.
func TestConcurrentUse(t *testing.T) {
	done := make(chan error)
	for _, c := range []*Curve{Test256, Test512} {
		for range 4 {
			go func() {
				k, err := GenerateKey(c, rand.Reader)
				if err == nil {
					digest := make([]byte, c.Size())
					var sig []byte
					if sig, err = k.Sign(rand.Reader, digest, nil); err == nil && !Verify(k.PublicKey(), digest, sig) {
						err = errors.New("signature does not verify")
					}
				}
				done <- err
			}()
		}
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestAllocations bounds the heap allocations of verification and signing.
func TestAllocations(t *testing.T) {
	k, _ := GenerateKey(TC26256A, rand.Reader)
	digest := make([]byte, 32)
	sig, _ := k.Sign(rand.Reader, digest, nil)
	defer swapKeyTables(newTableCache(^uint32(0), maxKeyTables, maxCountedKeys))()
	if n := testing.AllocsPerRun(20, func() { Verify(k.PublicKey(), digest, sig) }); n > 2 {
		t.Errorf("Verify allocates %v times, want at most 2", n)
	}
	keyTables = newTableCache(hotThreshold, maxKeyTables, maxCountedKeys)
	for range hotThreshold {
		Verify(k.PublicKey(), digest, sig)
	}
	if n := testing.AllocsPerRun(20, func() { Verify(k.PublicKey(), digest, sig) }); n > 2 {
		t.Errorf("Verify with the key's table allocates %v times, want at most 2", n)
	}
	if n := testing.AllocsPerRun(20, func() { k.Sign(rand.Reader, digest, nil) }); n > 8 {
		t.Errorf("Sign allocates %v times, want at most 8", n)
	}
}

// TestNewPublicKeyCache: the public key of a key generated here, and a
// key that passed the subgroup check, are accepted again (from the
// cache), a point outside the subgroup is refused every
// time (it is never cached), and the cache stays within its bound.
func TestNewPublicKeyCache(t *testing.T) {
	c := TC26256A
	k, err := GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	raw := k.PublicKey().Raw()
	if !checkedKeys.has(c, swapHalves(raw)) {
		t.Error("a generated key's public key is not known as checked")
	}
	for range 2 {
		pub, err := NewPublicKey(c, raw)
		if err != nil || !pub.Equal(k.PublicKey()) {
			t.Fatalf("NewPublicKey of a valid key: %v", err)
		}
	}
	if !checkedKeys.has(c, swapHalves(raw)) {
		t.Error("a valid key was not cached")
	}
	p := c.Params()
	ref := &bigref.Curve{P: p.P, A: p.A, B: p.B}
	for {
		x, _ := rand.Int(rand.Reader, p.P)
		rhs := new(big.Int).Mul(x, x)
		rhs.Add(rhs, p.A).Mul(rhs, x).Add(rhs, p.B).Mod(rhs, p.P)
		y := new(big.Int).ModSqrt(rhs, p.P)
		if y == nil || ref.Mul(p.Q, bigref.Point{X: x, Y: y}).Inf {
			continue
		}
		outside := rawPoint(x, y, c.Size())
		for i := range 2 {
			if _, err := NewPublicKey(c, outside); err == nil {
				t.Fatalf("attempt %d: a point outside the subgroup was accepted", i+1)
			}
		}
		break
	}

	small := &keyCache{max: 3}
	for i := range 10 {
		small.add(c, []byte{byte(i)})
		if len(small.keys) > 3 {
			t.Fatalf("cache of bound 3 holds %d keys", len(small.keys))
		}
	}
	if !small.has(c, []byte{9}) {
		t.Error("the last key added is not in the cache")
	}
	if small.has(TC26512C, []byte{9}) {
		t.Error("a key is found under another curve")
	}
}
