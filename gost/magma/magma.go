// Package magma implements the 64-bit block cipher "Magma" of GOST R
// 34.12-2015 (RFC 8891) as a crypto/cipher.Block.
//
// Keys and blocks are byte strings in the order the standard prints them:
// the first 4 bytes of a key are the round key K_1 read big-endian, and a
// block a_1||a_0 holds a_1 in its first 4 bytes, big-endian. This is the
// order of OpenSSL's gost-engine magma-* ciphers. It is not the byte order of
// the legacy GOST 28147-89 implementations (RFC 5830), which read key words
// and block halves little-endian; Magma uses the S-boxes of
// id-tc26-gost-28147-param-Z fixed by GOST R 34.12-2015 §5.1.1.
//
// GOST R 34.13-2015 CTR (§5.2) is cipher.NewCTR with the initial counter
// IV||0^32, where the IV is 4 bytes (OpenSSL's -iv for magma-ctr). The
// standard library increments the counter as a 64-bit big-endian integer;
// this differs from an increment of the low 32 bits only after 2^32 blocks
// (32 GiB) under one IV. ECB is Encrypt on each block. CBC, OFB and CFB with
// a register of m = n bits (and s = n) are cipher.NewCBCEncrypter,
// cipher.NewOFB and cipher.NewCFBEncrypter with an 8-byte IV; with m = z·n
// they are z such chains interleaved block by block, chain j starting from
// the j-th IV block.
//
// Encrypt and Decrypt run in constant time: the S-boxes are registers
// shifted by the secret nibbles, not tables indexed by them.
package magma

import (
	"crypto/cipher"
	"encoding/binary"
	"strconv"
)

const (
	// BlockSize is the Magma block size in bytes (n = 64 bits).
	BlockSize = 8
	// KeySize is the Magma key size in bytes (k = 256 bits).
	KeySize = 32
)

// Cipher is an expanded Magma key. It is safe for concurrent use by Encrypt
// and Decrypt; Rekey must not run concurrently with them.
type Cipher struct {
	k [8]uint32 // K_1..K_8; the 32 round keys repeat them (RFC 8891 §4.3)
}

// KeySizeError reports a key of the wrong length.
type KeySizeError int

func (k KeySizeError) Error() string {
	return "magma: invalid key size " + strconv.Itoa(int(k)) + ", want 32"
}

// NewCipher returns a Magma block cipher with the 32-byte key.
// The returned cipher.Block is a *Cipher.
func NewCipher(key []byte) (cipher.Block, error) {
	c := new(Cipher)
	if err := c.Rekey(key); err != nil {
		return nil, err
	}
	return c, nil
}

// Rekey replaces the key of c by key, in place and without allocating; the
// ACPKM modes use it to change section keys. On error c is unchanged.
func (c *Cipher) Rekey(key []byte) error {
	if len(key) != KeySize {
		return KeySizeError(len(key))
	}
	for i := range c.k {
		c.k[i] = binary.BigEndian.Uint32(key[4*i:])
	}
	return nil
}

// BlockSize returns the block size, 8 bytes.
func (c *Cipher) BlockSize() int { return BlockSize }

// Encrypt encrypts the first block of src into dst (RFC 8891 §5.1):
// E = G*[K_32] G[K_31] ... G[K_1], with round keys K_1..K_8 three times and
// then K_8..K_1. Dst and src may overlap entirely.
func (c *Cipher) Encrypt(dst, src []byte) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("magma: input not full block")
	}
	a1, a0 := binary.BigEndian.Uint32(src), binary.BigEndian.Uint32(src[4:])
	k := &c.k
	for r := 0; r < 3; r++ {
		a1 ^= g(a0 + k[0])
		a0 ^= g(a1 + k[1])
		a1 ^= g(a0 + k[2])
		a0 ^= g(a1 + k[3])
		a1 ^= g(a0 + k[4])
		a0 ^= g(a1 + k[5])
		a1 ^= g(a0 + k[6])
		a0 ^= g(a1 + k[7])
	}
	a1 ^= g(a0 + k[7])
	a0 ^= g(a1 + k[6])
	a1 ^= g(a0 + k[5])
	a0 ^= g(a1 + k[4])
	a1 ^= g(a0 + k[3])
	a0 ^= g(a1 + k[2])
	a1 ^= g(a0 + k[1])
	a0 ^= g(a1 + k[0])
	// The rounds above swap halves implicitly; after an even number of
	// rounds the last, G*, leaves (a_1, a_0) unswapped, so write a0 first.
	binary.BigEndian.PutUint32(dst, a0)
	binary.BigEndian.PutUint32(dst[4:], a1)
}

// Decrypt decrypts the first block of src into dst (RFC 8891 §5.2):
// D = G*[K_1] G[K_2] ... G[K_32]. Dst and src may overlap entirely.
func (c *Cipher) Decrypt(dst, src []byte) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("magma: input not full block")
	}
	a1, a0 := binary.BigEndian.Uint32(src), binary.BigEndian.Uint32(src[4:])
	k := &c.k
	a1 ^= g(a0 + k[0])
	a0 ^= g(a1 + k[1])
	a1 ^= g(a0 + k[2])
	a0 ^= g(a1 + k[3])
	a1 ^= g(a0 + k[4])
	a0 ^= g(a1 + k[5])
	a1 ^= g(a0 + k[6])
	a0 ^= g(a1 + k[7])
	for r := 0; r < 3; r++ {
		a1 ^= g(a0 + k[7])
		a0 ^= g(a1 + k[6])
		a1 ^= g(a0 + k[5])
		a0 ^= g(a1 + k[4])
		a1 ^= g(a0 + k[3])
		a0 ^= g(a1 + k[2])
		a1 ^= g(a0 + k[1])
		a0 ^= g(a1 + k[0])
	}
	binary.BigEndian.PutUint32(dst, a0)
	binary.BigEndian.PutUint32(dst[4:], a1)
}
