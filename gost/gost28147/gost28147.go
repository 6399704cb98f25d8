// Package gost28147 implements the legacy block cipher GOST 28147-89 (RFC
// 5830) with its CryptoPro companions of RFC 4357: the parameter sets
// (S-boxes), CFB and CNT (counter) encryption with optional CryptoPro key
// meshing, the MAC ("imitovstavka", IMIT) and the GOST 28147-89 and CryptoPro
// key wraps. CMS EnvelopedData with GOST 28147-89 content encryption (RFC
// 4490, TC26's CMS examples, `openssl cms -encrypt -gost89`) is built on it.
//
// Byte order. A 256-bit key is eight 32-bit words K_1..K_8, each read
// little-endian; a 64-bit block is N1||N2, each half little-endian, and the
// output block is written in the same order. This is the order of RFC 4357,
// of OpenSSL's GOST engine (gost89) and of CryptoPro CSP. It is not the
// order of GOST R 34.12-2015 "Magma" (package rekey/gost/magma), which prints
// words big-endian. With the S-box TC26Z the two ciphers are the same
// permutation under a change of byte order: for a key k, let k' be k with
// the bytes of each 4-byte word reversed, and let rev(b) reverse the 8 bytes
// of a block; then Magma_k(b) = rev(E_k'(rev(b))).
//
// Modes. ECB is Encrypt and Decrypt on each block of the cipher.Block that
// NewCipher returns. NewCFBEncrypter and NewCFBDecrypter implement CFB with
// a 64-bit register (RFC 5830 §7), NewCNT the counter mode of RFC 5830 §6
// and NewMAC the MAC of RFC 5830 §8. Each takes mesh: when true, CryptoPro
// key meshing (RFC 4357 §2.3.2) replaces the key and, for CFB and CNT, the
// register after every 1024 bytes processed. Streams accept any length and
// may be called repeatedly; a partial block continues in the next call.
//
// OpenSSL compatibility (GOST engine 3.0): `enc -gost89` is CFB with key
// meshing and, unless CRYPT_PARAMS names another parameter set, the S-box
// TC26Z; `-gost89-cnt` is CNT with CryptoProA and meshing; `-gost89-cnt-12`
// is CNT with TC26Z and meshing; `dgst -mac gost-mac` is the MAC with
// CryptoProA and meshing, `gost-mac-12` the same with TC26Z; both give 4
// bytes unless `-sigopt size:N` (1..8) asks otherwise. The engine meshes under
// every parameter set, even TestParamSet, whose RFC 4357 definition has no
// meshing.
//
// Encryption, the modes, the MAC and the key wraps run in constant time: the
// substitutions are registers shifted by the secret nibbles, not tables
// indexed by them, and the MAC comparison in key unwrap is constant-time.
package gost28147

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"strconv"
)

const (
	// BlockSize is the GOST 28147-89 block size in bytes (64 bits).
	BlockSize = 8
	// KeySize is the GOST 28147-89 key size in bytes (256 bits).
	KeySize = 32
)

// KeySizeError reports a key of the wrong length.
type KeySizeError int

func (k KeySizeError) Error() string {
	return "gost28147: invalid key size " + strconv.Itoa(int(k)) + ", want 32"
}

var errNilSBox = errors.New("gost28147: nil S-box")

// Cipher is an expanded GOST 28147-89 key with its parameter set. It is
// safe for concurrent use by Encrypt and Decrypt. The zero value is invalid.
type Cipher struct {
	k [8]uint32 // K_1..K_8 (RFC 5830 §5.1)
	s *SBox
}

// NewCipher returns the GOST 28147-89 block cipher with the 32-byte key and
// the parameter set sbox. The returned cipher.Block is a *Cipher.
func NewCipher(key []byte, sbox *SBox) (cipher.Block, error) {
	c, err := newCipher(key, sbox)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func newCipher(key []byte, sbox *SBox) (*Cipher, error) {
	if sbox == nil {
		return nil, errNilSBox
	}
	if len(key) != KeySize {
		return nil, KeySizeError(len(key))
	}
	c := &Cipher{s: sbox}
	c.setKey(key)
	return c, nil
}

// setKey loads the 32-byte key; the caller has checked its length.
func (c *Cipher) setKey(key []byte) {
	for i := range c.k {
		c.k[i] = binary.LittleEndian.Uint32(key[4*i:])
	}
}

// BlockSize returns the block size, 8 bytes.
func (c *Cipher) BlockSize() int { return BlockSize }

// Encrypt encrypts the first block of src into dst (RFC 5830 §5.1): 32
// rounds with the key words K_1..K_8 three times and then K_8..K_1. Dst and
// src may overlap entirely.
func (c *Cipher) Encrypt(dst, src []byte) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("gost28147: input not full block")
	}
	n1, n2 := load(src)
	n1, n2 = c.forward(n1, n2)
	n1, n2 = c.forward(n1, n2)
	n1, n2 = c.forward(n1, n2)
	n1, n2 = c.backward(n1, n2)
	store(dst, n2, n1)
}

// Decrypt decrypts the first block of src into dst (RFC 5830 §5.2): K_1..K_8
// once and then K_8..K_1 three times. Dst and src may overlap entirely.
func (c *Cipher) Decrypt(dst, src []byte) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("gost28147: input not full block")
	}
	n1, n2 := load(src)
	n1, n2 = c.forward(n1, n2)
	n1, n2 = c.backward(n1, n2)
	n1, n2 = c.backward(n1, n2)
	n1, n2 = c.backward(n1, n2)
	store(dst, n2, n1)
}

// mac16 applies the 16 rounds of the MAC step (RFC 5830 §8) to the state
// block in place: K_1..K_8 twice and no final exchange of the halves.
func (c *Cipher) mac16(b *[BlockSize]byte) {
	n1, n2 := load(b[:])
	n1, n2 = c.forward(n1, n2)
	n1, n2 = c.forward(n1, n2)
	store(b[:], n1, n2)
}

// forward applies eight rounds with K_1..K_8. The halves are not exchanged
// after a round; the rounds alternate which half they change instead.
func (c *Cipher) forward(n1, n2 uint32) (uint32, uint32) {
	s, k := c.s, &c.k
	n2 ^= s.f(n1 + k[0])
	n1 ^= s.f(n2 + k[1])
	n2 ^= s.f(n1 + k[2])
	n1 ^= s.f(n2 + k[3])
	n2 ^= s.f(n1 + k[4])
	n1 ^= s.f(n2 + k[5])
	n2 ^= s.f(n1 + k[6])
	n1 ^= s.f(n2 + k[7])
	return n1, n2
}

// backward applies eight rounds with K_8..K_1.
func (c *Cipher) backward(n1, n2 uint32) (uint32, uint32) {
	s, k := c.s, &c.k
	n2 ^= s.f(n1 + k[7])
	n1 ^= s.f(n2 + k[6])
	n2 ^= s.f(n1 + k[5])
	n1 ^= s.f(n2 + k[4])
	n2 ^= s.f(n1 + k[3])
	n1 ^= s.f(n2 + k[2])
	n2 ^= s.f(n1 + k[1])
	n1 ^= s.f(n2 + k[0])
	return n1, n2
}

func load(b []byte) (n1, n2 uint32) {
	return binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:])
}

func store(b []byte, lo, hi uint32) {
	binary.LittleEndian.PutUint32(b, lo)
	binary.LittleEndian.PutUint32(b[4:], hi)
}

// meshLimit is the number of bytes processed under one key before
// CryptoPro key meshing changes it (RFC 4357 §2.3.2).
const meshLimit = 1024

// meshKey is the constant C of CryptoPro key meshing (RFC 4357 §2.3.2).
var meshKey = [KeySize]byte{
	0x69, 0x00, 0x72, 0x22, 0x64, 0xc9, 0x04, 0x23,
	0x8d, 0x3a, 0xdb, 0x96, 0x46, 0xe9, 0x2a, 0xc4,
	0x18, 0xfe, 0xac, 0x94, 0x00, 0xed, 0x07, 0x12,
	0xc0, 0x86, 0xdc, 0xc2, 0xef, 0x4c, 0xa9, 0x2b,
}

// mesh performs CryptoPro key meshing (RFC 4357 §2.3.2) in place: the new
// key is C decrypted in ECB mode under the current key, and, when reg is not
// nil, the register is encrypted under the new key. The MAC meshes the key
// only.
func (c *Cipher) mesh(reg *[BlockSize]byte) {
	var k [KeySize]byte
	for i := 0; i < KeySize; i += BlockSize {
		c.Decrypt(k[i:], meshKey[i:])
	}
	c.setKey(k[:])
	clear(k[:])
	if reg != nil {
		c.Encrypt(reg[:], reg[:])
	}
}
