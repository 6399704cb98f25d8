package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/gost/gost3410"
)

// StreebogSignerOpts are the crypto.SignerOpts that pki passes to a GOST
// signer. HashFunc is 0 because crypto.Hash has no Streebog values; Size
// says which Streebog made the digest (32 or 64 bytes), for signers such as
// PKCS#11 tokens that need to know.
type StreebogSignerOpts struct {
	Size int
}

// HashFunc returns 0: the digest is a Streebog hash, which crypto.Hash
// cannot name.
func (StreebogSignerOpts) HashFunc() crypto.Hash { return 0 }

func gostCurve(k *gost3410.PublicKey) *gost3410.Curve { return k.Curve() }

func gostKeyAlgorithm(k *gost3410.PublicKey) PublicKeyAlgorithm {
	if k.Curve().Size() == 64 {
		return GOST512
	}
	return GOST256
}

// gostDigestParamPresent reports whether the digestParamSet of a 256-bit
// key's parameters is written. RFC 9215 §4.2 keeps it (Streebog-256) for
// the parameter sets inherited from GOST R 34.10-2001 (the CryptoPro and
// test sets under 1.2.643.2.2.35 and .36) and omits it for the TC26 sets;
// this is also what OpenSSL's GOST engine writes for the 256-bit sets.
func gostDigestParamPresent(curveOID asn1.ObjectIdentifier) bool {
	cryptoPro := asn1.ObjectIdentifier{1, 2, 643, 2, 2}
	return len(curveOID) == 7 && curveOID[:5].Equal(cryptoPro) &&
		(curveOID[5] == 35 || curveOID[5] == 36)
}

// MarshalPKIXPublicKey encodes a public key as a DER SubjectPublicKeyInfo.
// GOST keys (*gost3410.PublicKey) follow RFC 9215 §4: the algorithm
// id-tc26-gost3410-12-256 or -512 with parameters SEQUENCE { curve OID,
// Streebog-256 OID only for the CryptoPro curves } and the key as an OCTET
// STRING of LE(X)||LE(Y) inside the BIT STRING. Other keys go through
// crypto/x509 (ECDSA as id-ecPublicKey with a named curve, RFC 5480).
func MarshalPKIXPublicKey(pub crypto.PublicKey) ([]byte, error) {
	k, ok := pub.(*gost3410.PublicKey)
	if !ok {
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnsupportedAlgorithm, err)
		}
		return der, nil
	}
	c := k.Curve()
	algOID, digestOID := OIDPublicKeyGOST256, OIDDigestStreebog256
	if c.Size() == 64 {
		algOID, digestOID = OIDPublicKeyGOST512, OIDDigestStreebog512
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(algOID)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(c.OID())
				if gostDigestParamPresent(c.OID()) {
					b.AddASN1ObjectIdentifier(digestOID)
				}
			})
		})
		b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
			b.AddUint8(0)
			b.AddASN1OctetString(k.Raw())
		})
	})
	return b.Bytes()
}

// ParsePKIXPublicKey decodes a DER SubjectPublicKeyInfo. A GOST R
// 34.10-2012 key gives a *gost3410.PublicKey (validated: on the curve and in
// the subgroup); ECDSA, RSA and Ed25519 keys give the crypto/ecdsa,
// crypto/rsa and crypto/ed25519 types. A legacy GOST R 34.10-94 or -2001
// key, or an unknown algorithm, gives an error wrapping
// ErrUnsupportedAlgorithm.
func ParsePKIXPublicKey(der []byte) (crypto.PublicKey, error) {
	pub, _, err := parseSPKI(der)
	return pub, err
}

// parseSPKI is ParsePKIXPublicKey that also names the key's algorithm,
// which is known even when the key itself cannot be used.
func parseSPKI(der []byte) (crypto.PublicKey, PublicKeyAlgorithm, error) {
	input := cryptobyte.String(der)
	var spki, bits cryptobyte.String
	var oid asn1.ObjectIdentifier
	var params []byte
	if !input.ReadASN1(&spki, cbasn1.SEQUENCE) || !input.Empty() ||
		!readAlgorithmIdentifier(&spki, &oid, &params) {
		return nil, UnknownPublicKeyAlgorithm, errors.New("pki: malformed subject public key info")
	}
	if !spki.ReadASN1(&bits, cbasn1.BIT_STRING) || !spki.Empty() {
		return nil, UnknownPublicKeyAlgorithm, errors.New("pki: malformed subject public key")
	}
	switch {
	case oid.Equal(OIDPublicKeyGOST256), oid.Equal(OIDPublicKeyGOST512):
		alg := GOST256
		if oid.Equal(OIDPublicKeyGOST512) {
			alg = GOST512
		}
		pub, err := parseGOSTPublicKey(alg, params, bits)
		if err != nil {
			return nil, alg, err // not a typed nil in the interface
		}
		return pub, alg, nil
	case oid.Equal(OIDPublicKeyGOST2001):
		return nil, GOST2001,
			fmt.Errorf("%w: GOST R 34.10-2001 public key", ErrUnsupportedAlgorithm)
	case oid.Equal(OIDPublicKeyGOST94):
		return nil, GOST94,
			fmt.Errorf("%w: GOST R 34.10-94 public key", ErrUnsupportedAlgorithm)
	case oid.Equal(OIDPublicKeyECDSA):
		curve, err := namedCurve(params)
		if err != nil {
			return nil, UnknownPublicKeyAlgorithm, err
		}
		pub, err := parseECDSAPublicKey(curve, bits)
		if err != nil {
			return nil, UnknownPublicKeyAlgorithm, fmt.Errorf("pki: malformed public key: %v", err)
		}
		return pub, ECDSA, nil
	case oid.Equal(oidPublicKeyRSA), oid.Equal(oidPublicKeyEd25519):
		pub, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			return nil, UnknownPublicKeyAlgorithm, fmt.Errorf("pki: malformed public key: %v", err)
		}
		return pub, publicKeyAlgorithmOf(pub), nil
	}
	return nil, UnknownPublicKeyAlgorithm,
		fmt.Errorf("%w: public key algorithm %s", ErrUnsupportedAlgorithm, oid)
}

// parseGOSTPublicKey decodes the parameters and key of RFC 9215 §4. It
// accepts the digest parameter present or absent (OpenSSL writes it for
// the 512-bit sets A and B, RFC 9215 omits it), but when present it must
// name the Streebog of the key's size.
func parseGOSTPublicKey(alg PublicKeyAlgorithm, params []byte, bits cryptobyte.String) (
	*gost3410.PublicKey, error) {
	p := cryptobyte.String(params)
	var seq cryptobyte.String
	var curveOID, digestOID asn1.ObjectIdentifier
	if !p.ReadASN1(&seq, cbasn1.SEQUENCE) || !p.Empty() ||
		!seq.ReadASN1ObjectIdentifier(&curveOID) {
		return nil, errors.New("pki: malformed GOST public key parameters")
	}
	if !seq.Empty() && (!seq.ReadASN1ObjectIdentifier(&digestOID) || !seq.Empty()) {
		return nil, errors.New("pki: malformed GOST public key parameters")
	}
	size, wantDigest := 32, OIDDigestStreebog256
	if alg == GOST512 {
		size, wantDigest = 64, OIDDigestStreebog512
	}
	if digestOID != nil && !digestOID.Equal(wantDigest) {
		return nil, fmt.Errorf("%w: GOST public key with digest parameter %s",
			ErrUnsupportedAlgorithm, digestOID)
	}
	c := gost3410.CurveByOID(curveOID)
	if c == nil {
		return nil, fmt.Errorf("%w: GOST curve %s", ErrUnsupportedAlgorithm, curveOID)
	}
	if c.Size() != size {
		return nil, fmt.Errorf("pki: GOST curve %s does not match the %s algorithm", c.Name(), alg)
	}
	var unused uint8
	var raw []byte
	if !bits.ReadUint8(&unused) || unused != 0 ||
		!bits.ReadASN1Bytes(&raw, cbasn1.OCTET_STRING) || !bits.Empty() {
		return nil, errors.New("pki: malformed GOST public key")
	}
	k, err := gost3410.NewPublicKey(c, raw)
	if err != nil {
		return nil, fmt.Errorf("pki: invalid GOST public key: %v", err)
	}
	return k, nil
}

// publicKeysEqual reports whether two parsed public keys are the same key.
func publicKeysEqual(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	switch a.(type) {
	case *gost3410.PublicKey, *ecdsa.PublicKey, *rsa.PublicKey, ed25519.PublicKey:
		e, ok := a.(equaler)
		return ok && e.Equal(b)
	}
	return false
}

// Named curves crypto/x509 can parse (RFC 5480 §2.1.1.1), and their
// DER, which is unique to each.
var (
	supportedNamedCurves = []asn1.ObjectIdentifier{
		{1, 3, 132, 0, 33},          // secp224r1
		{1, 2, 840, 10045, 3, 1, 7}, // prime256v1 (P-256)
		{1, 3, 132, 0, 34},          // secp384r1
		{1, 3, 132, 0, 35},          // secp521r1
	}
	supportedNamedCurvesDER = func() [][]byte {
		out := make([][]byte, len(supportedNamedCurves))
		for i, oid := range supportedNamedCurves {
			var b cryptobyte.Builder
			b.AddASN1ObjectIdentifier(oid)
			out[i] = b.BytesOrPanic()
		}
		return out
	}()
	supportedCurves = []func() elliptic.Curve{
		elliptic.P224, elliptic.P256, elliptic.P384, elliptic.P521}
)

// namedCurve returns the curve that ECDSA key parameters name. It reports
// a curve other than those above (P-192, Brainpool, explicit parameters…)
// as unsupported rather than malformed: such certificates are well-formed,
// we just cannot use the key.
func namedCurve(params []byte) (elliptic.Curve, error) {
	for i, der := range supportedNamedCurvesDER {
		if string(params) == string(der) {
			return supportedCurves[i](), nil
		}
	}
	var curve asn1.ObjectIdentifier
	p := cryptobyte.String(params)
	if !p.ReadASN1ObjectIdentifier(&curve) || !p.Empty() {
		return nil, fmt.Errorf("%w: ECDSA key with explicit or unknown curve parameters",
			ErrUnsupportedAlgorithm)
	}
	return nil, fmt.Errorf("%w: ECDSA key on curve %s", ErrUnsupportedAlgorithm, curve)
}

// parseECDSAPublicKey decodes the subjectPublicKey BIT STRING of an ECDSA
// key on curve as crypto/x509 does, with its errors, but without its
// encoding/asn1 pass over the SubjectPublicKeyInfo that parseSPKI has
// already read: the padding bits are checked as X.690 §11.2 asks and the
// point is decoded uncompressed (SEC 1 §2.3.4).
func parseECDSAPublicKey(curve elliptic.Curve, bits []byte) (*ecdsa.PublicKey, error) {
	if len(bits) == 0 {
		return nil, asn1.SyntaxError{Msg: "zero length BIT STRING"}
	}
	pad := bits[0]
	if pad > 7 || len(bits) == 1 && pad > 0 || bits[len(bits)-1]&(1<<pad-1) != 0 {
		return nil, asn1.SyntaxError{Msg: "invalid padding bits in BIT STRING"}
	}
	b := asn1.BitString{Bytes: bits[1:], BitLength: (len(bits)-1)*8 - int(pad)}
	return ecdsa.ParseUncompressedPublicKey(curve, b.RightAlign())
}
