// Package kexp15 implements the key export and import algorithms KExp15 and
// KImp15 of R 1323565.1.017-2018 §5 (RFC 9189 §8.2.1) for Kuznyechik and
// Magma.
//
// KExp15 wraps a key K under two keys, K_Exp_MAC and K_Exp_ENC, with an IV of
// n/2 bytes (4 for Magma, 8 for Kuznyechik):
//
//	KExp15(K) = CTR(K_Exp_ENC, IV, K || OMAC(K_Exp_MAC, IV || K))
//
// where CTR is GOST R 34.13-2015 CTR with the first counter IV||0^(n/2) and
// OMAC is the full n-byte MAC of GOST R 34.13-2015 §5.6. The wrapped key is
// len(K)+n bytes. Import compares the MAC in constant time and returns no key
// material when it fails. OpenSSL's gost-engine has the same algorithm as
// the ciphers kuznyechik-kexp15 and magma-kexp15 (for CMS; `openssl enc`
// cannot run them).
//
// Known issue: with Kuznyechik, the block cipher behind it is a table
// implementation that is not constant-time with respect to the CPU cache
// (see gost/kuznyechik); with Magma it is constant-time.
package kexp15

import (
	"crypto/cipher"
	"crypto/subtle"
	"errors"
	"hash"
	"strconv"

	"rekey/gost/omac"
)

// NewCipherFunc makes a block cipher from a key, such as
// kuznyechik.NewCipher or magma.NewCipher.
type NewCipherFunc func(key []byte) (cipher.Block, error)

// ErrInvalid is returned by Import when the MAC of the wrapped key does not
// verify: the wrapped key, the keys or the IV are wrong.
var ErrInvalid = errors.New("kexp15: wrapped key does not verify")

// Export returns KExp15(key) under macKey and encKey with the n/2-byte iv.
// The key to export may have any non-zero length (32 bytes for the GOST
// ciphers' keys).
func Export(newCipher NewCipherFunc, key, macKey, encKey, iv []byte) ([]byte, error) {
	if len(key) == 0 {
		return nil, errors.New("kexp15: empty key to export")
	}
	mac, ctr, err := setup(newCipher, macKey, encKey, iv)
	if err != nil {
		return nil, err
	}
	n := mac.BlockSize()
	out := make([]byte, len(key), len(key)+n)
	copy(out, key)
	mac.Write(iv)
	mac.Write(key)
	out = mac.Sum(out)
	ctr.XORKeyStream(out, out)
	return out, nil
}

// Import returns the key wrapped by Export under the same macKey, encKey and
// iv. It returns ErrInvalid, and no key, when the MAC does not verify; it
// reports a wrapped key no longer than one block as malformed. The MAC is
// compared in constant time.
func Import(newCipher NewCipherFunc, wrapped, macKey, encKey, iv []byte) ([]byte, error) {
	mac, ctr, err := setup(newCipher, macKey, encKey, iv)
	if err != nil {
		return nil, err
	}
	n := mac.BlockSize()
	if len(wrapped) <= n {
		return nil, errors.New("kexp15: wrapped key of " + strconv.Itoa(len(wrapped)) +
			" bytes is too short, want more than " + strconv.Itoa(n))
	}
	plain := make([]byte, len(wrapped))
	ctr.XORKeyStream(plain, wrapped)
	key, tag := plain[:len(plain)-n], plain[len(plain)-n:]
	mac.Write(iv)
	mac.Write(key)
	var sum [16]byte
	if subtle.ConstantTimeCompare(mac.Sum(sum[:0]), tag) != 1 {
		clear(plain)
		return nil, ErrInvalid
	}
	clear(tag)
	return key[:len(key):len(key)], nil
}

// setup makes the full-block OMAC under macKey and the CTR stream under
// encKey with the counter iv||0^(n/2).
func setup(newCipher NewCipherFunc, macKey, encKey, iv []byte) (hash.Hash, cipher.Stream, error) {
	mb, err := newCipher(macKey)
	if err != nil {
		return nil, nil, err
	}
	eb, err := newCipher(encKey)
	if err != nil {
		return nil, nil, err
	}
	n := eb.BlockSize()
	if mb.BlockSize() != n {
		return nil, nil, errors.New("kexp15: the cipher's block size depends on the key")
	}
	if len(iv) != n/2 {
		return nil, nil, errors.New("kexp15: invalid IV size " + strconv.Itoa(len(iv)) +
			", want " + strconv.Itoa(n/2))
	}
	h, err := omac.New(mb, n)
	if err != nil {
		return nil, nil, err
	}
	counter := make([]byte, n)
	copy(counter, iv)
	return h, cipher.NewCTR(eb, counter), nil
}
