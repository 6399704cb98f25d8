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

// packed[i] holds π'_i as sixteen nibbles, π'_i(v) at bits 4v..4v+3, so
// that a substitution is a shift of a register by the secret nibble rather
// than a memory read at a secret address: on the CPUs Go targets a shift
// by a register takes the same time whatever the count, and nothing here
// touches memory at an address that depends on the key or the data.
var packed [8]uint64

func init() {
	for i := range packed {
		for v := range 16 {
			packed[i] |= uint64(pi[i][v]) << (4 * v)
		}
	}
}

// g returns t(x) <<< 11, where x = a ⊞ k is already added: g[k](a) of
// RFC 8891 §4.2 is g(a + k). It runs in constant time (see packed).
func g(x uint32) uint32 {
	t := uint32(packed[0]>>(x<<2&0x3c))&0xf |
		uint32(packed[1]>>(x>>2&0x3c))&0xf<<4 |
		uint32(packed[2]>>(x>>6&0x3c))&0xf<<8 |
		uint32(packed[3]>>(x>>10&0x3c))&0xf<<12 |
		uint32(packed[4]>>(x>>14&0x3c))&0xf<<16 |
		uint32(packed[5]>>(x>>18&0x3c))&0xf<<20 |
		uint32(packed[6]>>(x>>22&0x3c))&0xf<<24 |
		uint32(packed[7]>>(x>>26&0x3c))&0xf<<28
	return bits.RotateLeft32(t, 11)
}
