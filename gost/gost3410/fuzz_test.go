package gost3410

import (
	"bytes"
	"testing"
)

// fuzzCurve picks a curve from the first input byte.
func fuzzCurve(sel byte) *Curve {
	cs := Curves()
	return cs[int(sel)%len(cs)]
}

func seedPoints(f *testing.F) {
	n := 0
	for i, c := range Curves() {
		p := c.Params()
		good := rawPoint(p.X, p.Y, c.Size())
		f.Add(byte(i), good)
		f.Add(byte(i), make([]byte, 2*c.Size()))
		f.Add(byte(i), good[:len(good)-1])
		n += 3
	}
	if n == 0 {
		f.Fatal("empty seed corpus")
	}
}

// FuzzNewPublicKey: the decoder never panics, and an accepted key encodes
// back to exactly its input (no malleable encodings).
func FuzzNewPublicKey(f *testing.F) {
	seedPoints(f)
	f.Fuzz(func(t *testing.T, sel byte, raw []byte) {
		c := fuzzCurve(sel)
		pub, err := NewPublicKey(c, raw)
		if err != nil {
			return
		}
		if !bytes.Equal(pub.Raw(), raw) {
			t.Fatalf("Raw() = %x, input %x", pub.Raw(), raw)
		}
	})
}

// FuzzNewPrivateKey: the decoder never panics, an accepted key round-trips,
// and its public key decodes.
func FuzzNewPrivateKey(f *testing.F) {
	for i, c := range Curves() {
		n := c.Size()
		one := make([]byte, n)
		one[0] = 1
		f.Add(byte(i), one)
		f.Add(byte(i), make([]byte, n))
		f.Add(byte(i), le(c.Params().Q, n))
		f.Add(byte(i), bytes.Repeat([]byte{0xff}, n))
	}
	f.Fuzz(func(t *testing.T, sel byte, raw []byte) {
		c := fuzzCurve(sel)
		k, err := NewPrivateKey(c, raw)
		if err != nil {
			return
		}
		if !bytes.Equal(k.Raw(), raw) {
			t.Fatalf("Raw() = %x, input %x", k.Raw(), raw)
		}
		if _, err := NewPublicKey(c, k.PublicKey().Raw()); err != nil {
			t.Fatalf("public key of an accepted private key: %v", err)
		}
	})
}

// FuzzVerify: Verify never panics on arbitrary signatures and digests, and
// never accepts a signature made for another digest.
func FuzzVerify(f *testing.F) {
	for i, c := range Curves() {
		n := c.Size()
		f.Add(byte(i), make([]byte, n), make([]byte, 2*n))
		f.Add(byte(i), bytes.Repeat([]byte{1}, n), bytes.Repeat([]byte{0xff}, 2*n))
		f.Add(byte(i), []byte{1}, []byte{2})
	}
	keys := map[*Curve]*PrivateKey{}
	for _, c := range Curves() {
		d := make([]byte, c.Size())
		d[0] = 0x2a
		keys[c], _ = NewPrivateKey(c, d)
	}
	f.Fuzz(func(t *testing.T, sel byte, digest, sig []byte) {
		c := fuzzCurve(sel)
		k := keys[c]
		if Verify(k.PublicKey(), digest, sig) {
			t.Fatalf("forged signature accepted: digest %x sig %x", digest, sig)
		}
	})
}
