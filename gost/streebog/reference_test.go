package streebog

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// refLPS is LPS(a) written out from the definitions of RFC 6986 §6 on a
// byte vector in memory order (byte 0 least significant): S applies π' to
// each byte, P moves byte i to τ(i) with τ(8i+j) = 8j+i, and L applies l
// to each 64-bit little-endian word.
func refLPS(a [64]byte) [64]byte {
	var p [64]byte
	for i := range 64 {
		p[8*(i%8)+i/8] = pi[a[i]]
	}
	var out [64]byte
	for w := range 8 {
		binary.LittleEndian.PutUint64(out[8*w:], linear(binary.LittleEndian.Uint64(p[8*w:])))
	}
	return out
}

func toWords(b [64]byte) (w [8]uint64) {
	for i := range w {
		w[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return w
}

// TestLPSTables checks the combined tables and both table-driven forms
// (lpsx and the fused round) against refLPS.
func TestLPSTables(t *testing.T) {
	r := rand.NewChaCha8([32]byte{9})
	for range 200 {
		var a, b [64]byte
		r.Read(a[:])
		r.Read(b[:])
		var x [64]byte
		for i := range x {
			x[i] = a[i] ^ b[i]
		}
		want := toWords(refLPS(x))
		wa, wb := toWords(a), toWords(b)
		var got [8]uint64
		lpsx(&lpsTable, &got, &wa, &wb)
		if got != want {
			t.Fatalf("lpsx: got %x, want %x", got, want)
		}

		// round(s, k, c): s = LPS(s ⊕ k), k = LPS(k ⊕ c).
		s, k, c := wa, wb, toWords(x)
		wantK := toWords(refLPS(func() (y [64]byte) {
			for i := range y {
				y[i] = b[i] ^ x[i]
			}
			return y
		}()))
		round(&lpsTable, &s, &k, &c)
		if s != want || k != wantK {
			t.Fatalf("round: got s %x k %x, want %x %x", s, k, want, wantK)
		}
	}
}

// TestLinear checks l on the unit vectors: the bit of weight 2^(63-i)
// selects row i of A (RFC 6986 §5.4).
func TestLinear(t *testing.T) {
	for i := range 64 {
		if got := linear(1 << (63 - i)); got != matrixA[i] {
			t.Errorf("l(2^%d): got %#x, want A[%d] = %#x", 63-i, got, i, matrixA[i])
		}
	}
}
