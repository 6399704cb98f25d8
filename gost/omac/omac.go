// Package omac implements the message authentication code of GOST R
// 34.13-2015 §5.6 ("MAC", known as OMAC; it is CMAC/OMAC1 of NIST SP 800-38B)
// as a hash.Hash over any 64-bit or 128-bit cipher.Block, such as Kuznyechik
// or Magma.
//
// The MAC is the first s bytes of the last CBC-MAC block, MSB_s of the
// standard; New takes s as size. OpenSSL's gost-engine names these MACs
// kuznyechik-mac and magma-mac (full block by default).
//
// The package adds no secret-dependent branches or indexes of its own.
//
// Known issue: its timing is that of the block cipher it is given: gost/magma
// is constant-time, the table implementation of gost/kuznyechik is not
// constant-time with respect to the CPU cache.
package omac

import (
	"crypto/cipher"
	"crypto/subtle"
	"errors"
	"hash"
	"strconv"
)

const maxBlock = 16

// New returns an OMAC hash.Hash over b whose Sum appends the first size bytes
// of the MAC, 1 <= size <= b.BlockSize(). The block size must be 8 or 16
// bytes. New encrypts one block to derive the subkeys K_1 and K_2.
func New(b cipher.Block, size int) (hash.Hash, error) {
	n := b.BlockSize()
	if n != 8 && n != 16 {
		return nil, errors.New("omac: unsupported block size " + strconv.Itoa(n))
	}
	if size < 1 || size > n {
		return nil, errors.New("omac: invalid MAC size " + strconv.Itoa(size) +
			" for a " + strconv.Itoa(n) + "-byte block")
	}
	m := &mac{b: b, n: n, size: size}
	// R = E_K(0^n); K_1 = R << 1 (xor B_n), K_2 = K_1 << 1 (xor B_n)
	// (GOST R 34.13-2015 §5.6).
	var r [maxBlock]byte
	b.Encrypt(r[:n], r[:n])
	Double(m.k1[:n], r[:n])
	Double(m.k2[:n], m.k1[:n])
	return m, nil
}

// Double sets dst to src << 1 in GF(2^n), the subkey step of GOST R
// 34.13-2015 §5.6: a left shift by one bit, xored with B_64 = 0^59||11011
// or B_128 = 0^120||10000111 when the bit shifted out is 1. Len(src) must be
// 8 or 16 and dst must be as long; they may be the same slice. It runs in
// constant time.
func Double(dst, src []byte) {
	n := len(src)
	msb := src[0] >> 7
	for i := 0; i < n-1; i++ {
		dst[i] = src[i]<<1 | src[i+1]>>7
	}
	poly := byte(0x87)
	if n == 8 {
		poly = 0x1b
	}
	dst[n-1] = src[n-1]<<1 ^ byte(subtle.ConstantTimeSelect(int(msb), int(poly), 0))
}

type mac struct {
	b       cipher.Block
	n, size int
	k1, k2  [maxBlock]byte
	c       [maxBlock]byte // CBC chaining value C_i
	buf     [maxBlock]byte // the last block, kept until more data arrives
	nbuf    int
	// tmp is Sum's scratch block; a local array would escape to the heap
	// through the cipher.Block interface.
	tmp [maxBlock]byte
}

func (m *mac) Size() int      { return m.size }
func (m *mac) BlockSize() int { return m.n }

func (m *mac) Reset() {
	clear(m.c[:])
	clear(m.buf[:])
	m.nbuf = 0
}

// Write adds p to the message. It never returns an error.
func (m *mac) Write(p []byte) (int, error) {
	total := len(p)
	n := m.n
	for len(p) > 0 {
		if m.nbuf == n {
			m.process(m.buf[:n])
			m.nbuf = 0
		}
		// Whole blocks that are not the last go straight from p.
		for m.nbuf == 0 && len(p) > n {
			m.process(p[:n])
			p = p[n:]
		}
		k := copy(m.buf[m.nbuf:n], p)
		m.nbuf += k
		p = p[k:]
	}
	return total, nil
}

// process is one CBC-MAC step C_i = E_K(P_i xor C_(i-1)).
func (m *mac) process(block []byte) {
	subtle.XORBytes(m.c[:m.n], m.c[:m.n], block)
	m.b.Encrypt(m.c[:m.n], m.c[:m.n])
}

// Sum appends MSB_s(E_K(P* xor C xor K)) to in, where the last block P* is
// taken as is with K = K_1 when it is complete, and padded with 1||0...0
// with K = K_2 otherwise (including the empty message). The state is
// unchanged.
func (m *mac) Sum(in []byte) []byte {
	n := m.n
	last := &m.tmp
	clear(last[:])
	copy(last[:], m.buf[:m.nbuf])
	k := &m.k1
	if m.nbuf < n {
		last[m.nbuf] = 0x80
		k = &m.k2
	}
	subtle.XORBytes(last[:n], last[:n], k[:n])
	subtle.XORBytes(last[:n], last[:n], m.c[:n])
	m.b.Encrypt(last[:n], last[:n])
	return append(in, last[:m.size]...)
}
