package gost28147

import (
	"encoding/asn1"
	"math/bits"
)

// SBox is a GOST 28147-89 parameter set: the eight substitutions K_1..K_8
// of the round function (RFC 5830 §5.1), the OID that names them and whether
// the parameter set asks for CryptoPro key meshing (RFC 4357 §2.3). The
// values are fixed at package initialisation and never change, so an *SBox
// is safe for concurrent use. Only the exported variables are valid; the
// zero value is not.
type SBox struct {
	name string
	oid  asn1.ObjectIdentifier
	mesh bool
	k    [8][16]byte // k[i] is K_{i+1}, applied to bits 4i..4i+3 of the word

	// p[i] is K_{i+1} as sixteen nibbles, K_{i+1}(v) at bits 4v..4v+3:
	// a substitution shifts a register by the secret nibble instead of
	// reading memory at a secret address, so the round function takes the
	// same time and touches the same memory whatever the key and data.
	p [8]uint64
}

// Name returns the parameter set's ASN.1 name, such as
// "id-Gost28147-89-CryptoPro-A-ParamSet".
func (s *SBox) Name() string { return s.name }

// String returns Name.
func (s *SBox) String() string { return s.name }

// OID returns a copy of the parameter set's object identifier.
func (s *SBox) OID() asn1.ObjectIdentifier {
	return append(asn1.ObjectIdentifier(nil), s.oid...)
}

// KeyMeshing reports whether the parameter set names
// id-Gost28147-89-CryptoPro-KeyMeshing (RFC 4357 §2.3.2) rather than
// id-Gost28147-89-None-KeyMeshing. Callers pass it as the mesh argument of
// the CFB, CNT and MAC constructors when a protocol follows the parameter
// set; OpenSSL's GOST engine meshes under every parameter set.
func (s *SBox) KeyMeshing() bool { return s.mesh }

// f is the round function of RFC 5830 §5.1 after the key addition: the
// substitution of the eight nibbles of x and the rotation left by 11, in
// constant time (see SBox.p).
func (s *SBox) f(x uint32) uint32 {
	p := &s.p
	t := uint32(p[0]>>(x<<2&0x3c))&0xf |
		uint32(p[1]>>(x>>2&0x3c))&0xf<<4 |
		uint32(p[2]>>(x>>6&0x3c))&0xf<<8 |
		uint32(p[3]>>(x>>10&0x3c))&0xf<<12 |
		uint32(p[4]>>(x>>14&0x3c))&0xf<<16 |
		uint32(p[5]>>(x>>18&0x3c))&0xf<<20 |
		uint32(p[6]>>(x>>22&0x3c))&0xf<<24 |
		uint32(p[7]>>(x>>26&0x3c))&0xf<<28
	return bits.RotateLeft32(t, 11)
}

func newSBox(name, oid string, mesh bool, k [8][16]byte) *SBox {
	s := &SBox{name: name, oid: parseOID(oid), mesh: mesh, k: k}
	for i := range s.p {
		for v := range 16 {
			s.p[i] |= uint64(k[i][v]) << (4 * v)
		}
	}
	return s
}

func parseOID(s string) asn1.ObjectIdentifier {
	var oid asn1.ObjectIdentifier
	n := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			oid = append(oid, n)
			n = 0
			continue
		}
		n = 10*n + int(s[i]-'0')
	}
	return oid
}

// The parameter sets. Each table row is K_1..K_8 in turn (K_1 acts on the
// least significant nibble), the entries being K_i(0)..K_i(15). The values
// are those of RFC 4357 §11.1 (Gost28147-89-ParamSetParameters), of RFC
// 7836 and GOST R 34.12-2015 §5.1.1 for param-Z, and of RFC 4357 §11.2 and
// RFC 5831 for the two GOST R 34.11-94 S-boxes. The tests check every
// cipher parameter set against OpenSSL's GOST engine.
var (
	// TestParamSet is id-Gost28147-89-TestParamSet (1.2.643.2.2.31.0),
	// without key meshing. It is for tests only.
	TestParamSet = newSBox("id-Gost28147-89-TestParamSet", "1.2.643.2.2.31.0", false,
		[8][16]byte{
			{4, 2, 15, 5, 9, 1, 0, 8, 14, 3, 11, 12, 13, 7, 10, 6},
			{12, 9, 15, 14, 8, 1, 3, 10, 2, 7, 4, 13, 6, 0, 11, 5},
			{13, 8, 14, 12, 7, 3, 9, 10, 1, 5, 2, 4, 6, 15, 0, 11},
			{14, 9, 11, 2, 5, 15, 7, 1, 0, 13, 12, 6, 10, 4, 3, 8},
			{3, 14, 5, 9, 6, 8, 0, 13, 10, 11, 7, 12, 2, 1, 15, 4},
			{8, 15, 6, 11, 1, 9, 12, 5, 13, 3, 7, 10, 0, 14, 2, 4},
			{9, 11, 12, 0, 3, 6, 7, 5, 4, 8, 14, 15, 1, 10, 2, 13},
			{12, 6, 5, 2, 11, 0, 9, 13, 3, 14, 7, 10, 15, 4, 1, 8},
		})

	// CryptoProA is id-Gost28147-89-CryptoPro-A-ParamSet
	// (1.2.643.2.2.31.1), with key meshing.
	CryptoProA = newSBox("id-Gost28147-89-CryptoPro-A-ParamSet", "1.2.643.2.2.31.1", true,
		[8][16]byte{
			{9, 6, 3, 2, 8, 11, 1, 7, 10, 4, 14, 15, 12, 0, 13, 5},
			{3, 7, 14, 9, 8, 10, 15, 0, 5, 2, 6, 12, 11, 4, 13, 1},
			{14, 4, 6, 2, 11, 3, 13, 8, 12, 15, 5, 10, 0, 7, 1, 9},
			{14, 7, 10, 12, 13, 1, 3, 9, 0, 2, 11, 4, 15, 8, 5, 6},
			{11, 5, 1, 9, 8, 13, 15, 0, 14, 4, 2, 3, 12, 7, 10, 6},
			{3, 10, 13, 12, 1, 2, 0, 11, 7, 5, 9, 4, 8, 15, 14, 6},
			{1, 13, 2, 9, 7, 10, 6, 0, 8, 12, 4, 5, 15, 3, 11, 14},
			{11, 10, 15, 5, 0, 12, 14, 8, 6, 2, 3, 9, 1, 7, 13, 4},
		})

	// CryptoProB is id-Gost28147-89-CryptoPro-B-ParamSet
	// (1.2.643.2.2.31.2), with key meshing.
	CryptoProB = newSBox("id-Gost28147-89-CryptoPro-B-ParamSet", "1.2.643.2.2.31.2", true,
		[8][16]byte{
			{8, 4, 11, 1, 3, 5, 0, 9, 2, 14, 10, 12, 13, 6, 7, 15},
			{0, 1, 2, 10, 4, 13, 5, 12, 9, 7, 3, 15, 11, 8, 6, 14},
			{14, 12, 0, 10, 9, 2, 13, 11, 7, 5, 8, 15, 3, 6, 1, 4},
			{7, 5, 0, 13, 11, 6, 1, 2, 3, 10, 12, 15, 4, 14, 9, 8},
			{2, 7, 12, 15, 9, 5, 10, 11, 1, 4, 0, 13, 6, 8, 14, 3},
			{8, 3, 2, 6, 4, 13, 14, 11, 12, 1, 7, 15, 10, 0, 9, 5},
			{5, 2, 10, 11, 9, 1, 12, 3, 7, 4, 13, 0, 6, 15, 8, 14},
			{0, 4, 11, 14, 8, 3, 7, 1, 10, 2, 9, 6, 15, 13, 5, 12},
		})

	// CryptoProC is id-Gost28147-89-CryptoPro-C-ParamSet
	// (1.2.643.2.2.31.3), with key meshing.
	CryptoProC = newSBox("id-Gost28147-89-CryptoPro-C-ParamSet", "1.2.643.2.2.31.3", true,
		[8][16]byte{
			{1, 11, 12, 2, 9, 13, 0, 15, 4, 5, 8, 14, 10, 7, 6, 3},
			{0, 1, 7, 13, 11, 4, 5, 2, 8, 14, 15, 12, 9, 10, 6, 3},
			{8, 2, 5, 0, 4, 9, 15, 10, 3, 7, 12, 13, 6, 14, 1, 11},
			{3, 6, 0, 1, 5, 13, 10, 8, 11, 2, 9, 7, 14, 15, 12, 4},
			{8, 13, 11, 0, 4, 5, 1, 2, 9, 3, 12, 14, 6, 15, 10, 7},
			{12, 9, 11, 1, 8, 14, 2, 4, 7, 3, 6, 5, 10, 0, 15, 13},
			{10, 9, 6, 8, 13, 14, 2, 0, 15, 3, 5, 11, 4, 1, 12, 7},
			{7, 4, 0, 5, 10, 2, 15, 14, 12, 6, 1, 11, 13, 9, 3, 8},
		})

	// CryptoProD is id-Gost28147-89-CryptoPro-D-ParamSet
	// (1.2.643.2.2.31.4), with key meshing.
	CryptoProD = newSBox("id-Gost28147-89-CryptoPro-D-ParamSet", "1.2.643.2.2.31.4", true,
		[8][16]byte{
			{15, 12, 2, 10, 6, 4, 5, 0, 7, 9, 14, 13, 1, 11, 8, 3},
			{11, 6, 3, 4, 12, 15, 14, 2, 7, 13, 8, 0, 5, 10, 9, 1},
			{1, 12, 11, 0, 15, 14, 6, 5, 10, 13, 4, 8, 9, 3, 7, 2},
			{1, 5, 14, 12, 10, 7, 0, 13, 6, 2, 11, 4, 9, 3, 15, 8},
			{0, 12, 8, 9, 13, 2, 10, 11, 7, 3, 6, 5, 4, 14, 15, 1},
			{8, 0, 15, 3, 2, 5, 14, 11, 1, 10, 4, 7, 12, 9, 13, 6},
			{3, 0, 6, 15, 1, 14, 9, 2, 13, 8, 12, 4, 11, 10, 5, 7},
			{1, 10, 6, 8, 15, 11, 0, 4, 12, 3, 5, 9, 7, 13, 2, 14},
		})

	// TC26Z is id-tc26-gost-28147-param-Z (1.2.643.7.1.2.5.1.1), with key
	// meshing: the substitutions π'_0..π'_7 of GOST R 34.12-2015 (Magma).
	TC26Z = newSBox("id-tc26-gost-28147-param-Z", "1.2.643.7.1.2.5.1.1", true,
		[8][16]byte{
			{12, 4, 6, 2, 10, 5, 11, 9, 14, 8, 13, 7, 0, 3, 15, 1},
			{6, 8, 2, 3, 9, 10, 5, 12, 1, 14, 4, 7, 11, 13, 0, 15},
			{11, 3, 5, 8, 2, 15, 10, 13, 14, 1, 7, 4, 12, 9, 6, 0},
			{12, 8, 2, 1, 13, 4, 15, 6, 7, 0, 10, 5, 3, 14, 9, 11},
			{7, 15, 5, 10, 8, 1, 6, 13, 0, 9, 3, 14, 11, 4, 2, 12},
			{5, 13, 15, 6, 9, 2, 12, 10, 11, 7, 8, 1, 4, 3, 14, 0},
			{8, 14, 2, 5, 6, 9, 1, 12, 15, 4, 11, 0, 13, 10, 3, 7},
			{1, 7, 14, 13, 0, 5, 8, 3, 4, 15, 10, 6, 9, 12, 11, 2},
		})

	// GostR3411TestParamSet is the S-box of id-GostR3411-94-TestParamSet
	// (1.2.643.2.2.30.0), the one of the GOST R 34.11-94 examples (RFC 5831
	// §7.3). It is a digest parameter set, so SBoxByOID does not return it.
	GostR3411TestParamSet = newSBox("id-GostR3411-94-TestParamSet", "1.2.643.2.2.30.0", false,
		[8][16]byte{
			{4, 10, 9, 2, 13, 8, 0, 14, 6, 11, 1, 12, 7, 15, 5, 3},
			{14, 11, 4, 12, 6, 13, 15, 10, 2, 3, 8, 1, 0, 7, 5, 9},
			{5, 8, 1, 13, 10, 3, 4, 2, 14, 15, 12, 7, 6, 0, 9, 11},
			{7, 13, 10, 1, 0, 8, 9, 15, 14, 4, 6, 12, 11, 2, 5, 3},
			{6, 12, 7, 1, 5, 15, 13, 8, 4, 10, 9, 14, 0, 3, 11, 2},
			{4, 11, 10, 0, 7, 2, 1, 13, 3, 6, 8, 5, 9, 12, 15, 14},
			{13, 11, 4, 1, 3, 15, 5, 9, 0, 10, 14, 7, 6, 8, 2, 12},
			{1, 15, 13, 0, 5, 7, 10, 4, 9, 2, 3, 14, 6, 11, 8, 12},
		})

	// GostR3411CryptoProParamSet is the S-box of
	// id-GostR3411-94-CryptoProParamSet (1.2.643.2.2.30.1). It is a digest
	// parameter set, so SBoxByOID does not return it.
	GostR3411CryptoProParamSet = newSBox("id-GostR3411-94-CryptoProParamSet",
		"1.2.643.2.2.30.1", false,
		[8][16]byte{
			{10, 4, 5, 6, 8, 1, 3, 7, 13, 12, 14, 0, 9, 2, 11, 15},
			{5, 15, 4, 0, 2, 13, 11, 9, 1, 7, 6, 3, 12, 14, 10, 8},
			{7, 15, 12, 14, 9, 4, 1, 0, 3, 11, 5, 2, 6, 10, 8, 13},
			{4, 10, 7, 12, 0, 15, 2, 8, 14, 1, 6, 5, 13, 11, 9, 3},
			{7, 6, 4, 11, 9, 12, 2, 10, 1, 8, 0, 14, 15, 13, 3, 5},
			{7, 6, 2, 4, 13, 9, 15, 0, 10, 1, 5, 11, 8, 14, 12, 3},
			{13, 14, 4, 1, 7, 0, 5, 10, 3, 12, 8, 15, 6, 2, 9, 11},
			{1, 3, 10, 9, 5, 11, 4, 15, 8, 6, 7, 14, 13, 0, 2, 12},
		})
)

// cipherSBoxes are the encryption parameter sets SBoxByOID knows.
var cipherSBoxes = []*SBox{TestParamSet, CryptoProA, CryptoProB, CryptoProC, CryptoProD, TC26Z}

// SBoxByOID returns the encryption parameter set named by oid (the
// encryptionParamSet of Gost28147-89-Parameters, RFC 4357 §10.2 and RFC
// 4490 §5.1) and reports whether it is known. It knows TestParamSet,
// CryptoProA..CryptoProD and TC26Z.
func SBoxByOID(oid asn1.ObjectIdentifier) (*SBox, bool) {
	for _, s := range cipherSBoxes {
		if s.oid.Equal(oid) {
			return s, true
		}
	}
	return nil, false
}
