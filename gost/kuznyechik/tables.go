package kuznyechik

import "encoding/binary"

// pi is the substitution π of GOST R 34.12-2015 §4.1.1 (RFC 7801 §2.2).
var pi = [256]byte{
	252, 238, 221, 17, 207, 110, 49, 22, 251, 196, 250, 218, 35, 197, 4, 77,
	233, 119, 240, 219, 147, 46, 153, 186, 23, 54, 241, 187, 20, 205, 95, 193,
	249, 24, 101, 90, 226, 92, 239, 33, 129, 28, 60, 66, 139, 1, 142, 79,
	5, 132, 2, 174, 227, 106, 143, 160, 6, 11, 237, 152, 127, 212, 211, 31,
	235, 52, 44, 81, 234, 200, 72, 171, 242, 42, 104, 162, 253, 58, 206, 204,
	181, 112, 14, 86, 8, 12, 118, 18, 191, 114, 19, 71, 156, 183, 93, 135,
	21, 161, 150, 41, 16, 123, 154, 199, 243, 145, 120, 111, 157, 158, 178, 177,
	50, 117, 25, 61, 255, 53, 138, 126, 109, 84, 198, 128, 195, 189, 13, 87,
	223, 245, 36, 169, 62, 168, 67, 201, 215, 121, 214, 246, 124, 34, 185, 3,
	224, 15, 236, 222, 122, 148, 176, 188, 220, 232, 40, 80, 78, 51, 10, 74,
	167, 151, 96, 115, 30, 0, 98, 68, 26, 184, 56, 130, 100, 159, 38, 65,
	173, 69, 70, 146, 39, 94, 85, 47, 140, 163, 165, 125, 105, 213, 149, 59,
	7, 88, 179, 64, 134, 172, 29, 247, 48, 55, 107, 228, 136, 217, 231, 137,
	225, 27, 131, 73, 76, 63, 248, 254, 141, 83, 170, 144, 202, 216, 133, 97,
	32, 113, 103, 164, 45, 43, 9, 91, 203, 155, 37, 208, 190, 229, 108, 82,
	89, 166, 116, 210, 230, 244, 180, 192, 209, 102, 175, 194, 57, 75, 99, 182,
}

// lCoeff are the coefficients of the linear function ℓ (RFC 7801 §2.2),
// applied to the bytes a_15..a_0 of a block, that is to b[0]..b[15].
var lCoeff = [BlockSize]byte{
	148, 32, 133, 16, 194, 192, 1, 251, 1, 192, 194, 16, 133, 32, 148, 1,
}

var (
	piInv [256]byte
	// encTable[j][v] is L applied to the block with byte j set to π(v) and
	// all others zero; decTable[j][v] is L^-1 of the block with byte j set
	// to π^-1(v). Since L is linear, LS(x) is the xor of the 16 entries.
	encTable, decTable [BlockSize][256]u128
	// constants are the key schedule constants C_1..C_32 (RFC 7801 §4.3).
	constants [32]u128
)

func init() {
	for i, v := range pi {
		piInv[v] = byte(i)
	}
	for j := 0; j < BlockSize; j++ {
		var col, colInv [BlockSize]byte
		col[j], colInv[j] = 1, 1
		lTransform(&col)
		lInverse(&colInv)
		for v := 0; v < 256; v++ {
			encTable[j][v] = scale(&col, pi[v])
			decTable[j][v] = scale(&colInv, piInv[v])
		}
	}
	for i := range constants {
		var c [BlockSize]byte
		c[BlockSize-1] = byte(i + 1)
		lTransform(&c)
		constants[i] = load(c[:])
	}
}

// scale returns the block col with each byte multiplied by s in GF(2^8).
func scale(col *[BlockSize]byte, s byte) u128 {
	var b [BlockSize]byte
	for k := range b {
		b[k] = gfMul(col[k], s)
	}
	return load(b[:])
}

// gfMul multiplies in GF(2)[x]/p(x), p(x) = x^8 + x^7 + x^6 + x + 1
// (RFC 7801 §2). It runs only on public table indexes at init.
func gfMul(a, b byte) byte {
	var p byte
	for b != 0 {
		if b&1 != 0 {
			p ^= a
		}
		carry := a & 0x80
		a <<= 1
		if carry != 0 {
			a ^= 0xc3
		}
		b >>= 1
	}
	return p
}

// ell is ℓ(a_15, ..., a_0) of RFC 7801 §2.2 on v[0] = a_15, ..., v[15] = a_0.
func ell(v *[BlockSize]byte) byte {
	var x byte
	for i, c := range lCoeff {
		x ^= gfMul(c, v[i])
	}
	return x
}

// sTransform is S (RFC 7801 §2.2): π on every byte.
func sTransform(b *[BlockSize]byte) {
	for i := range b {
		b[i] = pi[b[i]]
	}
}

// sInverse is S^-1.
func sInverse(b *[BlockSize]byte) {
	for i := range b {
		b[i] = piInv[b[i]]
	}
}

// rTransform is R(a_15||...||a_0) = ℓ(a_15, ..., a_0)||a_15||...||a_1.
func rTransform(b *[BlockSize]byte) {
	x := ell(b)
	copy(b[1:], b[:BlockSize-1])
	b[0] = x
}

// rInverse is R^-1(a_15||...||a_0) = a_14||...||a_0||ℓ(a_14, ..., a_0, a_15).
func rInverse(b *[BlockSize]byte) {
	a15 := b[0]
	copy(b[:BlockSize-1], b[1:])
	b[BlockSize-1] = a15
	b[BlockSize-1] = ell(b)
}

// lTransform is L = R^16 (RFC 7801 §2.2).
func lTransform(b *[BlockSize]byte) {
	for range BlockSize {
		rTransform(b)
	}
}

// lInverse is L^-1 = (R^-1)^16.
func lInverse(b *[BlockSize]byte) {
	for range BlockSize {
		rInverse(b)
	}
}

// lsTable returns LS(x) (or L^-1 S^-1(x) with decTable) of x = hi||lo by
// the xor of one table entry a byte. The indexes are secret: this is the
// cache-timing known issue of the package documentation.
func lsTable(t *[BlockSize][256]u128, hi, lo uint64) u128 {
	e0, e1 := &t[0][byte(hi>>56)], &t[1][byte(hi>>48)]
	e2, e3 := &t[2][byte(hi>>40)], &t[3][byte(hi>>32)]
	e4, e5 := &t[4][byte(hi>>24)], &t[5][byte(hi>>16)]
	e6, e7 := &t[6][byte(hi>>8)], &t[7][byte(hi)]
	e8, e9 := &t[8][byte(lo>>56)], &t[9][byte(lo>>48)]
	e10, e11 := &t[10][byte(lo>>40)], &t[11][byte(lo>>32)]
	e12, e13 := &t[12][byte(lo>>24)], &t[13][byte(lo>>16)]
	e14, e15 := &t[14][byte(lo>>8)], &t[15][byte(lo)]
	return u128{
		e0.hi ^ e1.hi ^ e2.hi ^ e3.hi ^ e4.hi ^ e5.hi ^ e6.hi ^ e7.hi ^
			e8.hi ^ e9.hi ^ e10.hi ^ e11.hi ^ e12.hi ^ e13.hi ^ e14.hi ^ e15.hi,
		e0.lo ^ e1.lo ^ e2.lo ^ e3.lo ^ e4.lo ^ e5.lo ^ e6.lo ^ e7.lo ^
			e8.lo ^ e9.lo ^ e10.lo ^ e11.lo ^ e12.lo ^ e13.lo ^ e14.lo ^ e15.lo,
	}
}

// expand computes the round keys (RFC 7801 §4.3): K_1||K_2 is the key and
// (K_(2i+1), K_(2i+2)) = F[C_(8i)]...F[C_(8i-7)](K_(2i-1), K_(2i)) with
// F[k](a_1, a_0) = (LSX[k](a_1) xor a_0, a_1).
func (c *Cipher) expand(key []byte) {
	a1, a0 := load(key[:16]), load(key[16:32])
	c.enc[0], c.enc[1] = a1, a0
	for i := 1; i < rounds/2; i++ {
		for j := 0; j < 8; j++ {
			k := constants[8*(i-1)+j]
			t := lsTable(&encTable, a1.hi^k.hi, a1.lo^k.lo)
			a1, a0 = u128{t.hi ^ a0.hi, t.lo ^ a0.lo}, a1
		}
		c.enc[2*i], c.enc[2*i+1] = a1, a0
	}
	// L^-1(K) = (L^-1 S^-1)(S(K)): one pass of the decryption tables.
	for i := 1; i < rounds-1; i++ {
		var b [BlockSize]byte
		store(b[:], c.enc[i])
		sTransform(&b)
		c.dec[i] = lsTable(&decTable, binary.BigEndian.Uint64(b[:8]),
			binary.BigEndian.Uint64(b[8:]))
	}
}
