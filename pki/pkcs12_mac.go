package pki

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/gost/streebog"
)

// The integrity MAC of PKCS#12 (RFC 7292 §4, MacData).
//
// For SHA-1 and SHA-2 the MAC is HMAC keyed by the KDF of RFC 7292
// Appendix B.2 with ID 3 over the password as a BMPString with its two
// zero bytes. For Streebog the key is the last 32 bytes of
// PBKDF2-HMAC-Streebog(password, salt, iterations, 96), with the password
// as given (UTF-8), as R 50.1.112-2016 and RFC 9548 specify and OpenSSL
// does for GOST digests; the MAC is HMAC with the same Streebog.

var (
	oidP12DigestSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidP12DigestSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidP12DigestSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidP12DigestSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
)

// pkcs12MACAlg is a digest usable in MacData.
type pkcs12MACAlg struct {
	oid     asn1.ObjectIdentifier
	newHash func() hash.Hash
	gost    bool // key from PBKDF2 per RFC 9548, not from RFC 7292 B.2
}

var pkcs12MACAlgs = []pkcs12MACAlg{
	{oidP12DigestSHA1, sha1.New, false},
	{oidP12DigestSHA256, sha256.New, false},
	{oidP12DigestSHA384, sha512.New384, false},
	{oidP12DigestSHA512, sha512.New, false},
	{OIDDigestStreebog256, streebog.New256, true},
	{OIDDigestStreebog512, streebog.New512, true},
}

func pkcs12MACAlgByOID(oid asn1.ObjectIdentifier) *pkcs12MACAlg {
	for i := range pkcs12MACAlgs {
		if pkcs12MACAlgs[i].oid.Equal(oid) {
			return &pkcs12MACAlgs[i]
		}
	}
	return nil
}

// pkcs12MACData is a decoded MacData.
type pkcs12MACData struct {
	alg  *pkcs12MACAlg
	mac  []byte
	salt []byte
	iter int
}

// compute returns the MAC of content (the DER AuthenticatedSafe) under
// password.
func (m *pkcs12MACData) compute(password, content []byte) ([]byte, error) {
	var key []byte
	if m.alg.gost {
		dk, err := pbkdf2.Key(m.alg.newHash, string(password), m.salt, m.iter, 96)
		if err != nil {
			return nil, fmt.Errorf("pki: deriving the MAC key: %w", err)
		}
		key = append([]byte(nil), dk[64:]...)
		clear(dk)
	} else {
		bmp := bmpPassword(password)
		defer clear(bmp)
		key = pkcs12KDF(m.alg.newHash, 3, bmp, m.salt, m.iter, m.alg.newHash().Size())
	}
	defer clear(key)
	h := hmac.New(m.alg.newHash, key)
	h.Write(content)
	return h.Sum(nil), nil
}

// verify checks the MAC in constant time; a mismatch is ErrWrongPassword.
func (m *pkcs12MACData) verify(password, content []byte) error {
	got, err := m.compute(password, content)
	if err != nil {
		return err
	}
	if !hmac.Equal(got, m.mac) {
		return ErrWrongPassword
	}
	return nil
}

func (m *pkcs12MACData) add(b *cryptobyte.Builder) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(m.alg.oid)
				b.AddASN1NULL()
			})
			b.AddASN1OctetString(m.mac)
		})
		b.AddASN1OctetString(m.salt)
		b.AddASN1Int64(int64(m.iter))
	})
}

// parsePKCS12MACData decodes MacData; iterations DEFAULT 1.
func parsePKCS12MACData(s cryptobyte.String) (*pkcs12MACData, error) {
	var digestInfo, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	m := &pkcs12MACData{iter: 1}
	if !s.ReadASN1(&digestInfo, cbasn1.SEQUENCE) ||
		!digestInfo.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!digestInfo.ReadASN1Bytes(&m.mac, cbasn1.OCTET_STRING) || !digestInfo.Empty() ||
		!alg.ReadASN1ObjectIdentifier(&oid) || !pbes2ParamsAbsentOrNULL(alg) ||
		!s.ReadASN1Bytes(&m.salt, cbasn1.OCTET_STRING) {
		return nil, errors.New("pki: malformed PKCS#12 MAC data")
	}
	if !s.Empty() {
		var iter int64
		if !s.ReadASN1Integer(&iter) || !s.Empty() {
			return nil, errors.New("pki: malformed PKCS#12 MAC data")
		}
		if iter < 1 || iter > int64(maxIterations) {
			return nil, fmt.Errorf("pki: PKCS#12 MAC iteration count %d out of range 1…%d",
				iter, maxIterations)
		}
		m.iter = int(iter)
	}
	if m.alg = pkcs12MACAlgByOID(oid); m.alg == nil {
		return nil, fmt.Errorf("%w: PKCS#12 MAC digest %v", ErrUnsupportedAlgorithm, oid)
	}
	return m, nil
}

// bmpPassword encodes a password for the RFC 7292 KDF: UTF-16 big-endian
// with two trailing zero bytes (Appendix B.1). A password that is not
// valid UTF-8 is taken byte by byte, as OpenSSL does.
func bmpPassword(password []byte) []byte {
	var units []uint16
	if utf8.Valid(password) {
		units = utf16.Encode([]rune(string(password)))
	} else {
		units = make([]uint16, len(password))
		for i, c := range password {
			units[i] = uint16(c)
		}
	}
	out := make([]byte, 0, 2*len(units)+2)
	for _, u := range units {
		out = append(out, byte(u>>8), byte(u))
	}
	clear(units)
	return append(out, 0, 0)
}

// pkcs12KDF is the key derivation of RFC 7292 Appendix B.2 with diversifier
// id, returning size bytes.
func pkcs12KDF(newHash func() hash.Hash, id byte, password, salt []byte, iter, size int) []byte {
	h := newHash()
	u, v := h.Size(), h.BlockSize()
	fill := func(src []byte) []byte {
		if len(src) == 0 {
			return nil
		}
		out := make([]byte, v*((len(src)+v-1)/v))
		for i := range out {
			out[i] = src[i%len(src)]
		}
		return out
	}
	D := make([]byte, v)
	for i := range D {
		D[i] = id
	}
	I := append(fill(salt), fill(password)...)
	defer clear(I)
	out := make([]byte, 0, size+u)
	for len(out) < size {
		h.Reset()
		h.Write(D)
		h.Write(I)
		A := h.Sum(nil)
		for r := 1; r < iter; r++ {
			h.Reset()
			h.Write(A)
			A = h.Sum(A[:0])
		}
		out = append(out, A...)
		if len(out) >= size {
			break
		}
		// I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I.
		B := fill(A)[:v]
		for j := 0; j < len(I); j += v {
			carry := 1
			for k := v - 1; k >= 0; k-- {
				sum := int(I[j+k]) + int(B[k]) + carry
				I[j+k], carry = byte(sum), sum>>8
			}
		}
	}
	return out[:size]
}
