// Package kdf implements the keyed functions built on GOST R 34.11-2012
// (Streebog): HMAC, the pseudorandom functions and key derivation
// functions of RFC 7836, and PBKDF2 with HMAC-Streebog-512 (RFC 9337,
// R 50.1.111-2016).
//
// HMAC_GOSTR3411_2012_256 and HMAC_GOSTR3411_2012_512 (RFC 7836 §4.1) are
// plain HMAC (RFC 2104) over Streebog: [crypto/hmac] with
// [streebog.New256] or [streebog.New512]. [NewHMAC256] and [NewHMAC512]
// spell that out; the other functions here are built on them.
//
// Byte strings are in wire order, as the RFCs' examples and OpenSSL's
// gost-engine print them. Besides the RFC vectors, the tests compare HMAC,
// PBKDF2, PRF_TLS and KDF_TREE with OpenSSL (openssl mac, and openssl kdf
// PBKDF2, TLS1-PRF and KBKDF).
//
// Timing depends on the lengths of the inputs, which are public in the
// protocols these functions serve, and is not constant-time in the data:
// see the Known issue of package streebog.
package kdf

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"

	"rekey/gost/streebog"
)

// NewHMAC256 returns HMAC_GOSTR3411_2012_256 keyed with key (RFC 7836
// §4.1): HMAC with the 256-bit Streebog.
func NewHMAC256(key []byte) hash.Hash { return hmac.New(streebog.New256, key) }

// NewHMAC512 returns HMAC_GOSTR3411_2012_512 keyed with key (RFC 7836
// §4.1): HMAC with the 512-bit Streebog.
func NewHMAC512(key []byte) hash.Hash { return hmac.New(streebog.New512, key) }

// HMAC256 returns HMAC_GOSTR3411_2012_256(key, data), 32 bytes.
func HMAC256(key, data []byte) []byte { return appendMAC(nil, NewHMAC256(key), data) }

// HMAC512 returns HMAC_GOSTR3411_2012_512(key, data), 64 bytes.
func HMAC512(key, data []byte) []byte { return appendMAC(nil, NewHMAC512(key), data) }

// appendMAC writes parts to h and appends the result to out.
func appendMAC(out []byte, h hash.Hash, parts ...[]byte) []byte {
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(out)
}

// KDF256 returns KDF_GOSTR3411_2012_256(key, label, seed) of RFC 7836
// §4.5, a 32-byte key:
//
//	HMAC_GOSTR3411_2012_256(key, 0x01 | label | 0x00 | seed | 0x01 | 0x00)
//
// It equals KDFTree256(key, label, seed, 1, 32).
func KDF256(key, label, seed []byte) []byte {
	h := NewHMAC256(key)
	return appendMAC(nil, h, []byte{0x01}, label, []byte{0x00}, seed, []byte{0x01, 0x00})
}

// KDFTree256 returns length bytes of KDF_TREE_GOSTR3411_2012_256(key,
// label, seed, r) of RFC 7836 §4.4: the first L = 8·length bits of
// K(1) | K(2) | …, where
//
//	K(i) = HMAC_GOSTR3411_2012_256(key, [i]_b | label | 0x00 | seed | [L]_b)
//
// [i]_b is i in r big-endian bytes (r = 1…4) and [L]_b is L big-endian
// without leading zero bytes, as gost-engine writes it (L = 512 is
// 0x02 0x00). The number of blocks ⌈length/32⌉ must fit in r bytes.
// gost-engine accepts only multiples of 32 bytes; any positive length is
// accepted here. L is part of every block's input, so an output is not a
// prefix of a longer one.
func KDFTree256(key, label, seed []byte, r int, length int) ([]byte, error) {
	if r < 1 || r > 4 {
		return nil, fmt.Errorf("kdf: KDF_TREE counter size %d bytes, want 1 to 4", r)
	}
	if length <= 0 {
		return nil, errors.New("kdf: KDF_TREE output length must be positive")
	}
	n := (uint64(length) + streebog.Size256 - 1) / streebog.Size256
	if n >= 1<<(8*r) {
		return nil, fmt.Errorf("kdf: KDF_TREE output of %d bytes needs more than %d-byte counters",
			length, r)
	}
	var l [8]byte
	binary.BigEndian.PutUint64(l[:], uint64(length)*8)
	lb := trimZeros(l[:])

	out := make([]byte, 0, n*streebog.Size256)
	h := NewHMAC256(key)
	var ctr [4]byte
	for i := uint64(1); i <= n; i++ {
		h.Reset()
		binary.BigEndian.PutUint32(ctr[:], uint32(i))
		h.Write(ctr[4-r:])
		h.Write(label)
		h.Write([]byte{0x00})
		h.Write(seed)
		h.Write(lb)
		out = h.Sum(out)
	}
	return out[:length], nil
}

func trimZeros(b []byte) []byte {
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

// PRFTLS256 returns length bytes of PRF_TLS_GOSTR3411_2012_256(secret,
// label, seed) of RFC 7836 §4.2.1: the TLS 1.2 P_hash (RFC 5246 §5) with
// HMAC_GOSTR3411_2012_256 over label | seed. A negative length counts as
// zero.
func PRFTLS256(secret, label, seed []byte, length int) []byte {
	return pHash(NewHMAC256, secret, label, seed, length)
}

// PRFTLS512 returns length bytes of PRF_TLS_GOSTR3411_2012_512(secret,
// label, seed) of RFC 7836 §4.2.1: P_hash with HMAC_GOSTR3411_2012_512.
// A negative length counts as zero.
func PRFTLS512(secret, label, seed []byte, length int) []byte {
	return pHash(NewHMAC512, secret, label, seed, length)
}

// pHash is P_hash(secret, label | seed) of RFC 5246 §5:
// A(0) = label | seed, A(i) = HMAC(secret, A(i-1)), and the output is
// HMAC(secret, A(1) | label | seed) | HMAC(secret, A(2) | label | seed) | ….
func pHash(newMAC func([]byte) hash.Hash, secret, label, seed []byte, length int) []byte {
	length = max(length, 0)
	h := newMAC(secret)
	a := appendMAC(nil, h, label, seed)
	out := make([]byte, 0, length+h.Size())
	for len(out) < length {
		h.Reset()
		out = appendMAC(out, h, a, label, seed)
		h.Reset()
		a = appendMAC(a[:0], h, a)
	}
	return out[:length]
}

// PRFPlus256 returns length bytes of prf+(key, s) (RFC 7296 §2.13) with
// prf = HMAC_GOSTR3411_2012_256, the PRF_IPSEC_PRFPLUS_GOSTR3411_2012_256
// of RFC 7836 §4.2.2:
//
//	T1 = HMAC(key, s | 0x01), Ti = HMAC(key, T(i-1) | s | i).
//
// The one-byte counter limits the output to 255 blocks.
func PRFPlus256(key, s []byte, length int) ([]byte, error) {
	return prfPlus(NewHMAC256, key, s, length)
}

// PRFPlus512 is PRFPlus256 with HMAC_GOSTR3411_2012_512
// (PRF_IPSEC_PRFPLUS_GOSTR3411_2012_512, RFC 7836 §4.2.2).
func PRFPlus512(key, s []byte, length int) ([]byte, error) {
	return prfPlus(NewHMAC512, key, s, length)
}

func prfPlus(newMAC func([]byte) hash.Hash, key, s []byte, length int) ([]byte, error) {
	if length < 0 {
		return nil, errors.New("kdf: prf+ output length must not be negative")
	}
	h := newMAC(key)
	if limit := 255 * h.Size(); length > limit {
		return nil, fmt.Errorf("kdf: prf+ output of %d bytes, want at most %d", length, limit)
	}
	out := make([]byte, 0, length+h.Size())
	var t []byte
	for i := 1; len(out) < length; i++ {
		h.Reset()
		next := appendMAC(out, h, t, s, []byte{byte(i)})
		t = next[len(out):]
		out = next
	}
	return out[:length], nil
}

// PBKDF2Streebog512 derives keyLen bytes from password and salt with
// PBKDF2 (RFC 8018 §5.2) and the PRF HMAC_GOSTR3411_2012_512, as RFC 9337
// and R 50.1.111-2016 specify, using the standard library's
// [crypto/pbkdf2]. iter and keyLen must be positive.
func PBKDF2Streebog512(password, salt []byte, iter, keyLen int) ([]byte, error) {
	if iter < 1 {
		return nil, fmt.Errorf("kdf: PBKDF2 iteration count %d, want at least 1", iter)
	}
	if keyLen < 1 {
		return nil, fmt.Errorf("kdf: PBKDF2 key length %d, want at least 1", keyLen)
	}
	dk, err := pbkdf2.Key(streebog.New512, string(password), salt, iter, keyLen)
	if err != nil {
		return nil, fmt.Errorf("kdf: PBKDF2: %w", err)
	}
	return dk, nil
}
