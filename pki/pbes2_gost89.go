package pki

import (
	"crypto/cipher"
	"encoding/asn1"
	"fmt"

	"rekey/gost/magma"
)

// GOST 28147-89 in CFB mode, the cipher of the PBES2 bags in the example
// of R 50.1.112-2016 (the transport key container of RFC 9548) and of
// CryptoPro's PKCS#12 exports. It is read, never written.
//
// Only the S-box of id-tc26-gost-28147-param-Z is supported: GOST R
// 34.12-2015 fixed it as the S-box of Magma, so that GOST 28147-89 with
// param-Z is Magma with a different byte order (RFC 8891 §1). GOST 28147-89
// reads the key as eight little-endian 32-bit words and a block as two
// little-endian halves, the first half entering the first round; Magma
// reads the key big-endian and a block as one big-endian 64-bit number
// whose low half enters the first round. So GOST 28147-89 with key K on
// block B is Magma with each 4-byte word of K reversed, on B reversed,
// giving the output reversed.
//
// CFB (GOST 28147-89 §4) runs with the CryptoPro key meshing of RFC 4357
// §2.3.2, which param-Z prescribes (RFC 7836 Appendix B): after every 1024
// bytes the key becomes the ECB decryption of the constant C under the
// current key, and the feedback register is encrypted once under the new
// key.

var (
	oidGOST89          = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 21}
	oidGOST89ParamSetZ = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 5, 1, 1}
)

const (
	gost89KeySize     = 32
	gost89BlockSize   = 8
	gost89MeshSection = 1024
)

// gost89MeshingC is the constant C of RFC 4357 §2.3.2.
var gost89MeshingC = [gost89KeySize]byte{
	0x69, 0x00, 0x72, 0x22, 0x64, 0xc9, 0x04, 0x23,
	0x8d, 0x3a, 0xdb, 0x96, 0x46, 0xe9, 0x2a, 0xc4,
	0x18, 0xfe, 0xac, 0x94, 0x00, 0xed, 0x07, 0x12,
	0xc0, 0x86, 0xdc, 0xc2, 0xef, 0x4c, 0xa9, 0x2b,
}

// gost89Z is GOST 28147-89 with param-Z as a cipher.Block in the byte
// order of GOST 28147-89 (and OpenSSL's gost89).
type gost89Z struct{ m cipher.Block }

func newGOST89Z(key []byte) (*gost89Z, error) {
	var mk [gost89KeySize]byte
	for i := 0; i < gost89KeySize; i += 4 {
		mk[i], mk[i+1], mk[i+2], mk[i+3] = key[i+3], key[i+2], key[i+1], key[i]
	}
	m, err := magma.NewCipher(mk[:])
	clear(mk[:])
	if err != nil {
		return nil, err
	}
	return &gost89Z{m}, nil
}

func (g *gost89Z) BlockSize() int { return gost89BlockSize }

func (g *gost89Z) Encrypt(dst, src []byte) {
	var t [gost89BlockSize]byte
	reverse8(&t, src)
	g.m.Encrypt(t[:], t[:])
	reverse8((*[gost89BlockSize]byte)(dst), t[:])
}

func (g *gost89Z) Decrypt(dst, src []byte) {
	var t [gost89BlockSize]byte
	reverse8(&t, src)
	g.m.Decrypt(t[:], t[:])
	reverse8((*[gost89BlockSize]byte)(dst), t[:])
}

func reverse8(dst *[gost89BlockSize]byte, src []byte) {
	s := [gost89BlockSize]byte(src[:gost89BlockSize])
	for i := range gost89BlockSize {
		dst[i] = s[gost89BlockSize-1-i]
	}
}

// gost89CFBDecrypt decrypts src into dst with GOST 28147-89 param-Z in CFB
// mode from the 8-byte iv, with CryptoPro key meshing.
func gost89CFBDecrypt(key, iv, dst, src []byte) error {
	if len(key) != gost89KeySize || len(iv) != gost89BlockSize {
		return fmt.Errorf("pki: internal error: GOST 28147-89 key %d or IV %d bytes",
			len(key), len(iv))
	}
	b, err := newGOST89Z(key)
	if err != nil {
		return fmt.Errorf("pki: internal error: %v", err)
	}
	var reg, gamma [gost89BlockSize]byte
	copy(reg[:], iv)
	for done := 0; done < len(src); done += gost89BlockSize {
		if done > 0 && done%gost89MeshSection == 0 {
			if b, err = gost89Mesh(b, &reg); err != nil {
				return err
			}
		}
		b.Encrypt(gamma[:], reg[:])
		n := min(gost89BlockSize, len(src)-done)
		// The next register is this ciphertext block; copy it before dst,
		// which may alias src, is written.
		copy(reg[:], src[done:done+n])
		for i := range n {
			dst[done+i] = src[done+i] ^ gamma[i]
		}
	}
	return nil
}

// gost89Mesh is the CryptoPro key meshing step of RFC 4357 §2.3.2.
func gost89Mesh(b *gost89Z, reg *[gost89BlockSize]byte) (*gost89Z, error) {
	var k [gost89KeySize]byte
	for i := 0; i < gost89KeySize; i += gost89BlockSize {
		b.Decrypt(k[i:], gost89MeshingC[i:])
	}
	nb, err := newGOST89Z(k[:])
	clear(k[:])
	if err != nil {
		return nil, fmt.Errorf("pki: internal error: %v", err)
	}
	nb.Encrypt(reg[:], reg[:])
	return nb, nil
}
