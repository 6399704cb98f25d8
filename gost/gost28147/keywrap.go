package gost28147

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"strconv"
)

const (
	// UKMSize is the size of the user keying material of the key wraps.
	UKMSize = 8
	// WrappedKeySize is the size of a wrapped key UKM||CEK_ENC||CEK_MAC.
	WrappedKeySize = UKMSize + KeySize + MACSize
)

// ErrUnwrap is returned by Unwrap and UnwrapCryptoPro, possibly wrapped,
// when the input is not a wrapped key of the right size or its MAC does not
// match, that is, when the key encryption key or the input is wrong.
var ErrUnwrap = errors.New("gost28147: key unwrap failed")

// Wrap wraps the 32-byte content encryption key cek under the 32-byte key
// encryption key kek with the GOST 28147-89 key wrap (RFC 4357 §6.1) and the
// 8-byte ukm, which should be random: CEK_MAC is the 4-byte MAC of cek with
// the initial state ukm under kek, CEK_ENC is cek encrypted under kek in ECB
// mode, and the result is UKM||CEK_ENC||CEK_MAC (44 bytes). This is the key
// wrap id-Gost28147-89-None-KeyWrap.
func Wrap(kek, ukm, cek []byte, sbox *SBox) ([]byte, error) {
	return wrap(kek, ukm, cek, sbox)
}

// Unwrap undoes Wrap (RFC 4357 §6.2): it decrypts CEK_ENC under kek and
// checks CEK_MAC in constant time. It returns ErrUnwrap when wrapped is not
// 44 bytes or the MAC does not match.
func Unwrap(kek, wrapped []byte, sbox *SBox) ([]byte, error) {
	return unwrap(kek, wrapped, sbox)
}

// WrapCryptoPro wraps cek with the CryptoPro key wrap (RFC 4357 §6.3,
// id-Gost28147-89-CryptoPro-KeyWrap): Wrap under the key encryption key
// diversified with ukm (DiversifyCryptoPro). The result is
// UKM||CEK_ENC||CEK_MAC (44 bytes).
func WrapCryptoPro(kek, ukm, cek []byte, sbox *SBox) ([]byte, error) {
	if len(ukm) != UKMSize {
		return nil, errUKMSize(len(ukm))
	}
	k, err := DiversifyCryptoPro(kek, ukm, sbox)
	if err != nil {
		return nil, err
	}
	defer clear(k)
	return wrap(k, ukm, cek, sbox)
}

// UnwrapCryptoPro undoes WrapCryptoPro (RFC 4357 §6.4), taking the UKM from
// the first 8 bytes of wrapped. It returns ErrUnwrap when wrapped is not 44
// bytes or the MAC does not match. The MAC comparison is constant-time.
func UnwrapCryptoPro(kek, wrapped []byte, sbox *SBox) ([]byte, error) {
	if len(wrapped) != WrappedKeySize {
		return nil, errWrappedSize(len(wrapped))
	}
	k, err := DiversifyCryptoPro(kek, wrapped[:UKMSize], sbox)
	if err != nil {
		return nil, err
	}
	defer clear(k)
	return unwrap(k, wrapped, sbox)
}

// DiversifyCryptoPro returns KEK(UKM), the CryptoPro KEK diversification of
// the 32-byte kek with the 8-byte ukm (RFC 4357 §6.5): eight steps, step i
// splitting the key words K_1..K_8 by the bits of ukm[i] into the sums S1
// (bit set) and S2 (bit clear) modulo 2^32 and encrypting the key with
// itself in CFB mode, without meshing, under the IV S1||S2 (little-endian).
// The bit selection is constant-time.
func DiversifyCryptoPro(kek, ukm []byte, sbox *SBox) ([]byte, error) {
	if len(ukm) != UKMSize {
		return nil, errUKMSize(len(ukm))
	}
	c, err := newCipher(kek, sbox)
	if err != nil {
		return nil, err
	}
	k := append(make([]byte, 0, KeySize), kek...)
	for _, u := range ukm {
		var iv [BlockSize]byte
		var s1, s2 uint32
		for j, w := range c.k {
			mask := -(uint32(u>>j) & 1)
			s1 += w & mask
			s2 += w &^ mask
		}
		store(iv[:], s1, s2)
		x := &cfb{stream: stream{c: *c, used: BlockSize}, reg: iv}
		x.XORKeyStream(k, k)
		c.setKey(k)
	}
	return k, nil
}

func wrap(kek, ukm, cek []byte, sbox *SBox) ([]byte, error) {
	if len(ukm) != UKMSize {
		return nil, errUKMSize(len(ukm))
	}
	if len(cek) != KeySize {
		return nil, errors.New("gost28147: key to wrap must be 32 bytes")
	}
	c, err := newCipher(kek, sbox)
	if err != nil {
		return nil, err
	}
	out := make([]byte, WrappedKeySize)
	copy(out, ukm)
	for i := 0; i < KeySize; i += BlockSize {
		c.Encrypt(out[UKMSize+i:], cek[i:])
	}
	copy(out[UKMSize+KeySize:], keyMAC(c, ukm, cek))
	return out, nil
}

func unwrap(kek, wrapped []byte, sbox *SBox) ([]byte, error) {
	if len(wrapped) != WrappedKeySize {
		return nil, errWrappedSize(len(wrapped))
	}
	c, err := newCipher(kek, sbox)
	if err != nil {
		return nil, err
	}
	ukm, enc := wrapped[:UKMSize], wrapped[UKMSize:UKMSize+KeySize]
	cek := make([]byte, KeySize)
	for i := 0; i < KeySize; i += BlockSize {
		c.Decrypt(cek[i:], enc[i:])
	}
	if subtle.ConstantTimeCompare(keyMAC(c, ukm, cek), wrapped[UKMSize+KeySize:]) != 1 {
		clear(cek)
		return nil, ErrUnwrap
	}
	return cek, nil
}

// keyMAC is gost28147IMIT(UKM, KEK, CEK) of RFC 4357 §6.1: the 4-byte MAC
// of the 32-byte key with the initial state ukm, without meshing.
func keyMAC(c *Cipher, ukm, cek []byte) []byte {
	m := &mac{c: *c, size: MACSize}
	copy(m.state[:], ukm)
	var b [BlockSize]byte
	for i := 0; i < KeySize; i += BlockSize {
		copy(b[:], cek[i:i+BlockSize])
		m.block(&b)
	}
	clear(b[:])
	return m.state[:MACSize]
}

func errUKMSize(n int) error {
	return errors.New("gost28147: UKM is " + strconv.Itoa(n) + " bytes, want 8")
}

func errWrappedSize(n int) error {
	return fmt.Errorf("%w: wrapped key is %d bytes, want 44", ErrUnwrap, n)
}
