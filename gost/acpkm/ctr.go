// Package acpkm implements the key-meshing modes of R 1323565.1.017-2018
// (RFC 8645) over Kuznyechik or Magma: CTR-ACPKM encryption (RFC 8645
// §6.2.2), the ACPKM-Master key derivation (§6.3.1) and OMAC-ACPKM
// (OMAC-ACPKM-Master, §6.3.6).
//
// Every function takes the block cipher as a constructor, such as
// kuznyechik.NewCipher or magma.NewCipher, because the modes change the key
// every section. Keys are 32 bytes (k = 256). The block size n must be 8 or
// 16 bytes; sizes are given in bytes and must be positive multiples of n.
//
// When the cipher.Block returned by the constructor has a method
// Rekey(key []byte) error (the gost/kuznyechik and gost/magma ciphers have
// it), section keys are changed in place, and encryption and MAC computation
// do not allocate. With other blocks each section key allocates a new block.
//
// # Compatibility with OpenSSL
//
// OpenSSL's gost-engine (kuznyechik-ctr-acpkm, magma-ctr-acpkm) takes the
// n/2-byte IV as -iv and uses sections of SectionSizeKuznyechik and
// SectionSizeMagma bytes. Its kuznyechik-ctr-acpkm-omac MAC uses N = 4096 and
// ACPKM-Master with T* = 4096 bytes, and returns the full 16-byte block.
//
// Known issue: the section keys are derived by the block cipher, so the
// modes inherit its timing behaviour: gost/magma is constant-time, the
// table implementation of gost/kuznyechik is not constant-time with respect
// to the CPU cache.
package acpkm

import (
	"crypto/cipher"
	"crypto/subtle"
	"errors"
	"strconv"
)

// Section sizes in bytes used by OpenSSL's gost-engine for CTR-ACPKM.
const (
	SectionSizeKuznyechik = 4096
	SectionSizeMagma      = 1024
)

// KeySize is the key size of the modes in bytes (k = 256 bits).
const KeySize = 32

const (
	maxBlock = 16
	bufSize  = 512 // keystream generated at a time, a multiple of any n
)

// NewCipherFunc makes a block cipher from a 32-byte key.
type NewCipherFunc func(key []byte) (cipher.Block, error)

type rekeyer interface {
	Rekey(key []byte) error
}

// NewCTR returns a CTR-ACPKM stream (RFC 8645 §6.2.2) with key and the IV of
// n/2 bytes. The first counter block is IV||0^(n/2), the counter is
// incremented modulo 2^n after every block and runs on across sections (an
// increment of the low n/2 bits would differ only after 2^(n/2) blocks), and
// every sectionSize bytes the key is replaced by ACPKM of itself. Decryption
// is the same operation. The stream does not allocate when the block cipher
// can be rekeyed in place (see the package documentation).
func NewCTR(newCipher NewCipherFunc, key, iv []byte, sectionSize int) (cipher.Stream, error) {
	s, err := newStream(newCipher, key, sectionSize, "section")
	if err != nil {
		return nil, err
	}
	if len(iv) != s.n/2 {
		return nil, errors.New("acpkm: invalid IV size " + strconv.Itoa(len(iv)) +
			", want " + strconv.Itoa(s.n/2))
	}
	copy(s.ctr[:], iv)
	return s, nil
}

// stream is CTR-ACPKM. Its keystream is generated bufSize bytes at a time.
type stream struct {
	newCipher NewCipherFunc
	b         cipher.Block
	n         int
	section   int // N in bytes
	used      int // keystream bytes made under the current section key
	ctr       [maxBlock]byte
	key       [KeySize]byte // current section key
	buf       [bufSize]byte
	pos, end  int // unused keystream is buf[pos:end]
}

// newStream checks the key and the section size (named what in errors) and
// returns a stream with a zero counter.
func newStream(newCipher NewCipherFunc, key []byte, sectionSize int, what string) (*stream, error) {
	if len(key) != KeySize {
		return nil, errors.New("acpkm: invalid key size " + strconv.Itoa(len(key)) + ", want 32")
	}
	b, err := newCipher(key)
	if err != nil {
		return nil, err
	}
	n := b.BlockSize()
	if n != 8 && n != 16 {
		return nil, errors.New("acpkm: unsupported block size " + strconv.Itoa(n))
	}
	if err := checkSize(what, sectionSize, n); err != nil {
		return nil, err
	}
	s := &stream{newCipher: newCipher, b: b, n: n, section: sectionSize}
	copy(s.key[:], key)
	return s, nil
}

func checkSize(what string, size, n int) error {
	if size <= 0 || size%n != 0 {
		return errors.New("acpkm: invalid " + what + " size " + strconv.Itoa(size) +
			", want a positive multiple of " + strconv.Itoa(n))
	}
	return nil
}

// XORKeyStream xors src with the keystream into dst. Dst and src must
// overlap entirely or not at all.
func (s *stream) XORKeyStream(dst, src []byte) {
	if len(dst) < len(src) {
		panic("acpkm: output smaller than input")
	}
	for len(src) > 0 {
		if s.pos == s.end {
			s.refill()
		}
		k := subtle.XORBytes(dst, src, s.buf[s.pos:s.end])
		s.pos += k
		dst, src = dst[k:], src[k:]
	}
}

// keyStream writes the next len(dst) keystream bytes to dst.
func (s *stream) keyStream(dst []byte) {
	clear(dst)
	s.XORKeyStream(dst, dst)
}

// refill generates a buffer of keystream, meshing the key at each section
// boundary before the first block of the new section.
func (s *stream) refill() {
	n := s.n
	for i := 0; i < bufSize; i += n {
		if s.used == s.section {
			s.mesh()
		}
		s.b.Encrypt(s.buf[i:i+n], s.ctr[:n])
		increment(s.ctr[:n])
		s.used += n
	}
	s.pos, s.end = 0, bufSize
}

// mesh replaces the section key K by ACPKM(K) = MSB_k(E_K(D_1)||...||E_K(D_J))
// with D_1||...||D_J = 0x80||0x81||...||0x9f (RFC 8645 §6.2.1).
func (s *stream) mesh() {
	for i := range s.key {
		s.key[i] = 0x80 + byte(i)
	}
	for i := 0; i < KeySize; i += s.n {
		s.b.Encrypt(s.key[i:i+s.n], s.key[i:i+s.n])
	}
	s.b = setKey(s.b, s.newCipher, s.key[:])
	s.used = 0
}

// setKey rekeys b in place when it can, and makes a new block otherwise.
func setKey(b cipher.Block, newCipher NewCipherFunc, key []byte) cipher.Block {
	var err error
	if r, ok := b.(rekeyer); ok {
		err = r.Rekey(key)
	} else {
		b, err = newCipher(key)
	}
	if err != nil {
		// The constructor accepted a key of this size before.
		panic("acpkm: internal error: section key rejected: " + err.Error())
	}
	return b
}

// increment adds 1 modulo 2^n to the big-endian counter block.
func increment(ctr []byte) {
	for i := len(ctr) - 1; i >= 0; i-- {
		ctr[i]++
		if ctr[i] != 0 {
			return
		}
	}
}
