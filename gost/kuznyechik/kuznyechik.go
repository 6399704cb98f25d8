// Package kuznyechik implements the 128-bit block cipher "Kuznyechik" of
// GOST R 34.12-2015 (RFC 7801) as a crypto/cipher.Block.
//
// Keys and blocks are byte strings in the order the standard prints them: the
// first byte of a block is its most significant byte a_15, and the first 16
// bytes of a key are K_1. This is also the order of OpenSSL's gost-engine.
//
// The block cipher is used through the standard library's modes. GOST R
// 34.13-2015 CTR (§5.2) is cipher.NewCTR with the initial counter IV||0^64,
// where the IV is 8 bytes (OpenSSL's -iv for kuznyechik-ctr). The standard
// library increments the counter as a 128-bit big-endian integer; this
// differs from an increment of the low 64 bits only after 2^64 blocks under
// one IV. ECB is Encrypt on each block. CBC, OFB and CFB with a register of
// m = n bits (and s = n) are cipher.NewCBCEncrypter, cipher.NewOFB and
// cipher.NewCFBEncrypter with a 16-byte IV; with m = z·n they are z such
// chains interleaved block by block, chain j starting from the j-th IV block.
//
// Known issue: the implementation uses the customary precomputed tables
// (the S and L transforms merged into 16 tables of 256 128-bit entries, one
// pair for encryption and one for decryption). The tables are indexed by bytes
// that depend on the key and the data, so Encrypt and Decrypt are not
// constant-time with respect to the CPU cache: an attacker who shares the
// cache and can time many operations may learn key bits.
package kuznyechik

import (
	"crypto/cipher"
	"encoding/binary"
	"strconv"
)

const (
	// BlockSize is the Kuznyechik block size in bytes (n = 128 bits).
	BlockSize = 16
	// KeySize is the Kuznyechik key size in bytes (k = 256 bits).
	KeySize = 32
)

// rounds is the number of round keys K_1..K_10 (RFC 7801 §4.3).
const rounds = 10

// u128 is a 128-bit value as two big-endian words: hi holds bytes 0..7 of
// the block as printed, lo bytes 8..15.
type u128 struct{ hi, lo uint64 }

// Cipher is an expanded Kuznyechik key. It is safe for concurrent use by
// Encrypt and Decrypt; Rekey must not run concurrently with them.
type Cipher struct {
	enc [rounds]u128 // K_1..K_10
	dec [rounds]u128 // dec[i] = L^-1(K_(i+1)) for i = 1..8; 0 and 9 unused
}

// KeySizeError reports a key of the wrong length.
type KeySizeError int

func (k KeySizeError) Error() string {
	return "kuznyechik: invalid key size " + strconv.Itoa(int(k)) + ", want 32"
}

// NewCipher returns a Kuznyechik block cipher with the 32-byte key.
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
	c.expand(key)
	return nil
}

// BlockSize returns the block size, 16 bytes.
func (c *Cipher) BlockSize() int { return BlockSize }

// Encrypt encrypts the first block of src into dst (RFC 7801 §4.4):
// E = X[K_10] LSX[K_9] ... LSX[K_1]. Dst and src may overlap entirely.
// It is not constant-time; see the package documentation.
func (c *Cipher) Encrypt(dst, src []byte) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("kuznyechik: input not full block")
	}
	x := load(src)
	for i := 0; i < rounds-1; i++ {
		x = lsTable(&encTable, x.hi^c.enc[i].hi, x.lo^c.enc[i].lo)
	}
	x.hi ^= c.enc[rounds-1].hi
	x.lo ^= c.enc[rounds-1].lo
	store(dst, x)
}

// Decrypt decrypts the first block of src into dst (RFC 7801 §4.5):
// D = X[K_1] S^-1 L^-1 X[K_2] ... S^-1 L^-1 X[K_10]. It runs on
// y_i = L^-1(x_i), the state before each S^-1 layer, so that a round is one
// pass of the L^-1 S^-1 tables:
//
//	y_10 = L^-1 S^-1 (S(c xor K_10))
//	y_i  = L^-1 S^-1 (y_(i+1)) xor L^-1(K_i)   for i = 9..2
//	p    = S^-1(y_2) xor K_1
//
// Dst and src may overlap entirely. It is not constant-time; see the package
// documentation.
func (c *Cipher) Decrypt(dst, src []byte) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("kuznyechik: input not full block")
	}
	var b [BlockSize]byte
	x := load(src)
	store(b[:], u128{x.hi ^ c.enc[rounds-1].hi, x.lo ^ c.enc[rounds-1].lo})
	for i := range b {
		b[i] = pi[b[i]]
	}
	y := lsTable(&decTable, binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:]))
	for i := rounds - 2; i >= 1; i-- {
		y = lsTable(&decTable, y.hi, y.lo)
		y.hi ^= c.dec[i].hi
		y.lo ^= c.dec[i].lo
	}
	store(b[:], y)
	for i := range b {
		b[i] = piInv[b[i]]
	}
	x = load(b[:])
	store(dst, u128{x.hi ^ c.enc[0].hi, x.lo ^ c.enc[0].lo})
}

func load(b []byte) u128 {
	return u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:16])}
}

func store(b []byte, x u128) {
	binary.BigEndian.PutUint64(b[:8], x.hi)
	binary.BigEndian.PutUint64(b[8:16], x.lo)
}
