package magma

import "math/bits"

// pi holds the substitutions π'_0..π'_7 of GOST R 34.12-2015 §5.1.1
// (RFC 8891 §4.1); π'_i acts on the nibble a_i, a_0 being the least
// significant.
var pi = [8][16]byte{
	{12, 4, 6, 2, 10, 5, 11, 9, 14, 8, 13, 7, 0, 3, 15, 1},
	{6, 8, 2, 3, 9, 10, 5, 12, 1, 14, 4, 7, 11, 13, 0, 15},
	{11, 3, 5, 8, 2, 15, 10, 13, 14, 1, 7, 4, 12, 9, 6, 0},
	{12, 8, 2, 1, 13, 4, 15, 6, 7, 0, 10, 5, 3, 14, 9, 11},
	{7, 15, 5, 10, 8, 1, 6, 13, 0, 9, 3, 14, 11, 4, 2, 12},
	{5, 13, 15, 6, 9, 2, 12, 10, 11, 7, 8, 1, 4, 3, 14, 0},
	{8, 14, 2, 5, 6, 9, 1, 12, 15, 4, 11, 0, 13, 10, 3, 7},
	{1, 7, 14, 13, 0, 5, 8, 3, 4, 15, 10, 6, 9, 12, 11, 2},
}

// sbox[j][b] is t applied to the byte b at bits 8j..8j+7 (nibbles a_2j and
// a_2j+1) and rotated left by 11, so that g(x) is the xor of four lookups.
var sbox [4][256]uint32

func init() {
	for j := range sbox {
		for b := 0; b < 256; b++ {
			lo, hi := pi[2*j][b&0xf], pi[2*j+1][b>>4]
			s := uint32(hi)<<4 | uint32(lo)
			sbox[j][b] = bits.RotateLeft32(s<<(8*j), 11)
		}
	}
}

// tTransform is the substitution t of RFC 8891 §4.2: π'_7(a_7)||...||π'_0(a_0).
func tTransform(a uint32) uint32 {
	var r uint32
	for i := 0; i < 8; i++ {
		r |= uint32(pi[i][a>>(4*i)&0xf]) << (4 * i)
	}
	return r
}

// g returns t(x) <<< 11, where x = a ⊞ k is already added: g[k](a) of
// RFC 8891 §4.2 is g(a + k). The byte indexes are secret: this is the
// cache-timing known issue of the package documentation.
func g(x uint32) uint32 {
	return sbox[0][byte(x)] ^ sbox[1][byte(x>>8)] ^ sbox[2][byte(x>>16)] ^ sbox[3][x>>24]
}
