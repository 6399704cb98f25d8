package streebog

import (
	"encoding/binary"
	"math/bits"
)

// The compression function g_N of RFC 6986 §7, on 512-bit vectors held as
// eight little-endian 64-bit words: word 0 holds bytes 0..7 of the wire
// (memory) order, which are the least significant bits in the RFC's vector
// notation.

// lpsTable combines the three basic transformations of RFC 6986 §6 into
// table lookups. lpsTable[j][x] is l applied to the word that has π'(x) in
// byte j and zeros elsewhere. Because P sends byte k of input word j to
// byte j of output word k, and l is linear,
//
//	LPS(a)[k] = ⊕_j lpsTable[j][byte k of a[j]].
var lpsTable [8][256]uint64

// roundC is iterationC in the state's word order (least significant first).
var roundC [12][8]uint64

func init() {
	for j := range 8 {
		for x := range 256 {
			lpsTable[j][x] = linear(uint64(pi[x]) << (8 * j))
		}
	}
	for i := range iterationC {
		for k := range 8 {
			roundC[i][k] = iterationC[i][7-k]
		}
	}
}

// linear is the transformation l of RFC 6986 §6: the product of the bit
// vector w (most significant bit first) with the matrix A.
func linear(w uint64) uint64 {
	var r uint64
	for i := range 64 {
		if w&(1<<(63-i)) != 0 {
			r ^= matrixA[i]
		}
	}
	return r
}

// lpsx sets dst to LPS(a ⊕ b), that is LPSX[a](b) in RFC 6986 terms. dst
// may alias a or b. t is always &lpsTable: as a parameter it stays in a
// register, where a global would cost an address computation per lookup.
func lpsx(t *[8][256]uint64, dst, a, b *[8]uint64) {
	x0, x1, x2, x3 := a[0]^b[0], a[1]^b[1], a[2]^b[2], a[3]^b[3]
	x4, x5, x6, x7 := a[4]^b[4], a[5]^b[5], a[6]^b[6], a[7]^b[7]
	for k := range 8 {
		dst[k] = t[0][uint8(x0)] ^ t[1][uint8(x1)] ^ t[2][uint8(x2)] ^
			t[3][uint8(x3)] ^ t[4][uint8(x4)] ^ t[5][uint8(x5)] ^
			t[6][uint8(x6)] ^ t[7][uint8(x7)]
		x0, x1, x2, x3 = x0>>8, x1>>8, x2>>8, x3>>8
		x4, x5, x6, x7 = x4>>8, x5>>8, x6>>8, x7>>8
	}
}

// round is one step of E (RFC 6986 §7) fused with the next step of its key
// schedule: it sets s = LPS(s ⊕ k) and k = LPS(k ⊕ c), both from the old
// k. The two are independent, and computing them side by side lets the
// CPU overlap their lookups. The state bytes come from registers, the key
// bytes from memory, so that both fit without spilling. s and k must not
// alias.
func round(t *[8][256]uint64, s, k, c *[8]uint64) {
	x0, x1, x2, x3 := s[0]^k[0], s[1]^k[1], s[2]^k[2], s[3]^k[3]
	x4, x5, x6, x7 := s[4]^k[4], s[5]^k[5], s[6]^k[6], s[7]^k[7]
	var y [64]byte
	for i := range 8 {
		binary.LittleEndian.PutUint64(y[8*i:], k[i]^c[i])
	}
	for j := range 8 {
		s[j] = t[0][uint8(x0)] ^ t[1][uint8(x1)] ^ t[2][uint8(x2)] ^
			t[3][uint8(x3)] ^ t[4][uint8(x4)] ^ t[5][uint8(x5)] ^
			t[6][uint8(x6)] ^ t[7][uint8(x7)]
		k[j] = t[0][y[j]] ^ t[1][y[8+j]] ^ t[2][y[16+j]] ^ t[3][y[24+j]] ^
			t[4][y[32+j]] ^ t[5][y[40+j]] ^ t[6][y[48+j]] ^ t[7][y[56+j]]
		x0, x1, x2, x3 = x0>>8, x1>>8, x2>>8, x3>>8
		x4, x5, x6, x7 = x4>>8, x5>>8, x6>>8, x7>>8
	}
}

// compress sets h to g_N(h, m) = E(LPS(h ⊕ N), m) ⊕ h ⊕ m (RFC 6986 §7),
// where E(K, m) = X[K_13]LPSX[K_12]…LPSX[K_1](m) with the round keys
// K_1 = K and K_{i+1} = LPS(K_i ⊕ C_i).
func compress(h, n, m *[8]uint64) {
	t := &lpsTable
	var k [8]uint64
	lpsx(t, &k, h, n)
	s := *m
	for i := range roundC {
		round(t, &s, &k, &roundC[i])
	}
	for i := range 8 {
		h[i] ^= s[i] ^ k[i] ^ m[i]
	}
}

// add512 sets a to a + b mod 2^512 (the ring sum ⊞ of RFC 6986 §4.2).
func add512(a, b *[8]uint64) {
	var c uint64
	for i := range 8 {
		a[i], c = bits.Add64(a[i], b[i], c)
	}
}

// addBits adds v to the 512-bit counter n.
func addBits(n *[8]uint64, v uint64) {
	var c uint64
	n[0], c = bits.Add64(n[0], v, 0)
	for i := 1; i < 8 && c != 0; i++ {
		n[i], c = bits.Add64(n[i], 0, c)
	}
}
