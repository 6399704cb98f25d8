package pki

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/gost/gost3410"
)

// GOST private keys in PKCS#8
//
// The PrivateKeyInfo of a GOST R 34.10-2012 key is written as OpenSSL's
// gost-engine writes it:
//
//	SEQUENCE {
//	  INTEGER 0
//	  SEQUENCE { id-tc26-gost3410-12-256 or -512,
//	             SEQUENCE { curve OID [, digest OID] } }
//	  OCTET STRING { d, little-endian, 32 or 64 bytes }
//	}
//
// The digest OID (Streebog-256 or -512) is present except for the
// TC26-256-A and TC26-512-C curves, again as gost-engine does; the curve OID
// is the curve's own (gost3410.Curve.OID), so a key generated on an alias
// such as TC26-256-B is written with the CryptoPro OID it stands for.
//
// Reading accepts the privateKey forms gost-engine accepts:
//
//   - the raw little-endian scalar (the form above);
//   - the raw scalar followed by k masks of the same size, the "masked"
//     form of CryptoPro exports: d = d0·m1·…·mk mod q;
//   - an OCTET STRING wrapping the little-endian scalar;
//   - an INTEGER holding the scalar (big-endian, as DER integers are).
//
// The two forms are told apart as gost-engine does: a content whose length
// is a multiple of the key size is raw or masked. The legacy GOST R
// 34.10-2001 algorithm OID (1.2.643.2.2.19) is read as a 256-bit key.
// Version 1 (RFC 5958 OneAsymmetricKey) with a public key is accepted, and
// the public key must match.
//
// Known issue: unmasking a masked key (k ≥ 1) multiplies with math/big,
// which is not constant-time; it happens once, when such a key is imported.

var oidDigestGOST94CryptoPro = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 30, 1}

// MarshalPKCS8PrivateKey returns the unencrypted PKCS#8 PrivateKeyInfo of
// key: a *gost3410.PrivateKey in the form above, any other key as
// crypto/x509.MarshalPKCS8PrivateKey writes it (ECDSA P-256 for the
// ecdsa-p256 profile).
func MarshalPKCS8PrivateKey(key crypto.PrivateKey) ([]byte, error) {
	k, ok := key.(*gost3410.PrivateKey)
	if !ok {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, fmt.Errorf("pki: marshaling the private key: %v", err)
		}
		return der, nil
	}
	c := k.Curve()
	alg, digest := OIDPublicKeyGOST256, OIDDigestStreebog256
	if c.Size() == 64 {
		alg, digest = OIDPublicKeyGOST512, OIDDigestStreebog512
	}
	raw := k.Raw()
	defer clear(raw)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(alg)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(c.OID())
				if c != gost3410.TC26256A && c != gost3410.TC26512C {
					b.AddASN1ObjectIdentifier(digest)
				}
			})
		})
		b.AddASN1OctetString(raw)
	})
	return b.Bytes()
}

// ParsePKCS8PrivateKey parses an unencrypted PKCS#8 PrivateKeyInfo. GOST
// keys are read as described above and returned as *gost3410.PrivateKey;
// other keys are parsed by crypto/x509.ParsePKCS8PrivateKey and must be
// signing keys (*ecdsa.PrivateKey, *rsa.PrivateKey, ed25519.PrivateKey).
func ParsePKCS8PrivateKey(der []byte) (crypto.Signer, error) {
	in := cryptobyte.String(der)
	var info, alg cryptobyte.String
	var version int64
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&info, cbasn1.SEQUENCE) || !in.Empty() ||
		!info.ReadASN1Integer(&version) || !info.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&oid) {
		return nil, errors.New("pki: malformed PKCS#8 private key")
	}
	if oid.Equal(OIDPublicKeyGOST256) || oid.Equal(OIDPublicKeyGOST512) ||
		oid.Equal(OIDPublicKeyGOST2001) {
		k, err := parseGOSTPrivateKeyInfo(oid, version, alg, info)
		if err != nil {
			return nil, err
		}
		return k, nil
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("pki: parsing the PKCS#8 private key: %v", err)
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: private key of type %T cannot sign",
			ErrUnsupportedAlgorithm, key)
	}
	return s, nil
}

// parseGOSTPrivateKeyInfo reads the rest of a GOST PrivateKeyInfo: the
// algorithm parameters in params and, in rest, the privateKey OCTET STRING
// with the optional attributes and public key of RFC 5958.
func parseGOSTPrivateKeyInfo(
	alg asn1.ObjectIdentifier,
	version int64,
	params, rest cryptobyte.String,
) (*gost3410.PrivateKey, error) {
	if version != 0 && version != 1 {
		return nil, fmt.Errorf("pki: unsupported PKCS#8 version %d", version)
	}
	c, err := parseGOSTKeyParams(alg, params)
	if err != nil {
		return nil, err
	}
	var priv cryptobyte.String
	if !rest.ReadASN1(&priv, cbasn1.OCTET_STRING) ||
		!rest.SkipOptionalASN1(cbasn1.Tag(0).ContextSpecific().Constructed()) {
		return nil, errors.New("pki: malformed GOST PKCS#8 private key")
	}
	var pub cryptobyte.String
	var hasPub bool
	if !rest.ReadOptionalASN1(&pub, &hasPub, cbasn1.Tag(1).ContextSpecific()) || !rest.Empty() ||
		(hasPub && version != 1) {
		return nil, errors.New("pki: malformed GOST PKCS#8 private key")
	}
	raw, err := gostScalar(c, priv)
	if err != nil {
		return nil, err
	}
	defer clear(raw)
	k, err := gost3410.NewPrivateKey(c, raw)
	if err != nil {
		return nil, errors.New("pki: GOST private key is out of range")
	}
	if hasPub {
		if err := checkGOSTPublicKey(k, pub); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// parseGOSTKeyParams reads GostR3410-2012-PublicKeyParameters (RFC 9215
// §4.1; RFC 4491 §2.3.1 for 2001 keys): the curve OID, an optional digest
// OID that must fit the key size, and an optional encryption parameter
// set, which is ignored.
func parseGOSTKeyParams(
	alg asn1.ObjectIdentifier,
	params cryptobyte.String,
) (*gost3410.Curve, error) {
	var seq cryptobyte.String
	var curveOID asn1.ObjectIdentifier
	if !params.ReadASN1(&seq, cbasn1.SEQUENCE) || !params.Empty() ||
		!seq.ReadASN1ObjectIdentifier(&curveOID) {
		return nil, errors.New("pki: malformed GOST private key parameters")
	}
	c := gost3410.CurveByOID(curveOID)
	if c == nil {
		return nil, fmt.Errorf("%w: GOST curve %v", ErrUnsupportedAlgorithm, curveOID)
	}
	size, wantDigest := 32, OIDDigestStreebog256
	switch {
	case alg.Equal(OIDPublicKeyGOST512):
		size, wantDigest = 64, OIDDigestStreebog512
	case alg.Equal(OIDPublicKeyGOST2001):
		wantDigest = oidDigestGOST94CryptoPro
	}
	if c.Size() != size {
		return nil, fmt.Errorf("pki: GOST curve %v does not fit key algorithm %v", curveOID, alg)
	}
	for !seq.Empty() {
		var o asn1.ObjectIdentifier
		if !seq.ReadASN1ObjectIdentifier(&o) {
			return nil, errors.New("pki: malformed GOST private key parameters")
		}
		// The first optional OID is the digest; a later one is the 2001
		// encryptionParamSet.
		if o.Equal(OIDDigestStreebog256) || o.Equal(OIDDigestStreebog512) ||
			o.Equal(oidDigestGOST94CryptoPro) {
			if !o.Equal(wantDigest) {
				return nil, fmt.Errorf("pki: digest %v does not fit key algorithm %v", o, alg)
			}
		}
	}
	return c, nil
}

// gostScalar returns d little-endian in c.Size() bytes from the content of
// the privateKey OCTET STRING, in any of the forms listed above.
func gostScalar(c *gost3410.Curve, content []byte) ([]byte, error) {
	n := c.Size()
	switch {
	case len(content) > 0 && len(content)%n == 0:
		if len(content) == n {
			return append([]byte(nil), content...), nil
		}
		return unmaskGOSTScalar(c, content), nil
	case len(content) > 0 && content[0] == byte(cbasn1.OCTET_STRING):
		s := cryptobyte.String(content)
		var le []byte
		if !s.ReadASN1Bytes(&le, cbasn1.OCTET_STRING) || !s.Empty() || len(le) == 0 ||
			len(le) > n {
			return nil, errors.New("pki: malformed GOST private key")
		}
		out := make([]byte, n)
		copy(out, le)
		return out, nil
	case len(content) > 0 && content[0] == byte(cbasn1.INTEGER):
		s := cryptobyte.String(content)
		d := new(big.Int)
		if !s.ReadASN1Integer(d) || !s.Empty() || d.Sign() <= 0 || d.BitLen() > 8*n {
			return nil, errors.New("pki: malformed GOST private key")
		}
		out := d.FillBytes(make([]byte, n))
		d.SetInt64(0)
		reverseKeyBytes(out)
		return out, nil
	}
	return nil, errors.New("pki: malformed GOST private key")
}

// unmaskGOSTScalar multiplies the masked scalar by its masks modulo q.
// Variable-time (math/big); see the Known issue above.
func unmaskGOSTScalar(c *gost3410.Curve, content []byte) []byte {
	n, q := c.Size(), c.Params().Q
	le := func(b []byte) *big.Int {
		be := append([]byte(nil), b...)
		reverseKeyBytes(be)
		defer clear(be)
		return new(big.Int).SetBytes(be)
	}
	d := le(content[:n])
	for off := n; off < len(content); off += n {
		m := le(content[off : off+n])
		d.Mul(d, m).Mod(d, q)
		m.SetInt64(0)
	}
	out := d.FillBytes(make([]byte, n))
	d.SetInt64(0)
	reverseKeyBytes(out)
	return out
}

// checkGOSTPublicKey compares k's public key with the [1] publicKey BIT
// STRING content of a OneAsymmetricKey: the DER OCTET STRING of LE(X)||LE(Y)
// as in a SubjectPublicKeyInfo (RFC 9215 §4.3), or the bare point.
func checkGOSTPublicKey(k *gost3410.PrivateKey, bits cryptobyte.String) error {
	if len(bits) < 1 || bits[0] != 0 {
		return errors.New("pki: malformed GOST PKCS#8 public key")
	}
	point := bits[1:]
	var inner []byte
	if s := point; s.ReadASN1Bytes(&inner, cbasn1.OCTET_STRING) && s.Empty() {
		point = inner
	}
	if string(point) != string(k.PublicKey().Raw()) {
		return errors.New("pki: the public key in the PKCS#8 file does not match the private key")
	}
	return nil
}

func reverseKeyBytes(b []byte) {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}

// MarshalEncryptedPKCS8PrivateKey returns key as a PKCS#8
// EncryptedPrivateKeyInfo under password with PBES2 (RFC 8018 §6.2). By
// default GOST keys get PBKDF2 with HMAC-Streebog-512 and
// Kuznyechik-CTR-ACPKM (RFC 9337) and other keys PBKDF2 with HMAC-SHA-256
// and AES-256-CBC; opts may choose otherwise and may be nil. The salt is 16
// random bytes.
//
// An empty password yields the unencrypted PrivateKeyInfo and
// WarningUnencrypted, which the caller must show to the person.
//
// Known issue: the GOST scheme is the one OpenSSL's gost-engine reads,
// CTR-ACPKM without the OMAC of RFC 9337's -omac variant (which gost-engine
// 3.0 cannot read back). Like any unauthenticated CTR encryption it lets
// someone who can modify the file flip chosen bits of the key unnoticed, so
// a loaded key must be checked against its certificate before use, and the
// file must be kept where others cannot write to it.
func MarshalEncryptedPKCS8PrivateKey(
	key crypto.PrivateKey,
	password []byte,
	opts *KeyEncryptionOptions,
) ([]byte, Warning, error) {
	plain, err := MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, "", err
	}
	if len(password) == 0 {
		return plain, WarningUnencrypted, nil
	}
	defer clear(plain)
	_, gost := key.(*gost3410.PrivateKey)
	der, err := encryptPrivateKeyInfo(plain, password, gost, opts)
	if err != nil {
		return nil, "", err
	}
	return der, "", nil
}

// encryptPrivateKeyInfo wraps the DER PrivateKeyInfo plain in an
// EncryptedPrivateKeyInfo.
func encryptPrivateKeyInfo(
	plain, password []byte,
	gost bool,
	opts *KeyEncryptionOptions,
) ([]byte, error) {
	p, err := newPBES2ParamsFor(gost, opts)
	if err != nil {
		return nil, err
	}
	ct, err := p.encrypt(password, plain)
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		p.addAlgorithm(b)
		b.AddASN1OctetString(ct)
	})
	return b.Bytes()
}

// newPBES2ParamsFor resolves opts for a GOST or other key and draws the
// salt and IV.
func newPBES2ParamsFor(gost bool, opts *KeyEncryptionOptions) (*pbes2Params, error) {
	s, err := opts.scheme(gost)
	if err != nil {
		return nil, err
	}
	iter, err := opts.iterations(s)
	if err != nil {
		return nil, err
	}
	return newPBES2Params(s, iter, opts.rand())
}

// ParseEncryptedPKCS8PrivateKey decrypts a PKCS#8 EncryptedPrivateKeyInfo
// with password and parses the key as ParsePKCS8PrivateKey does. It reads
// PBES2 with PBKDF2 (PRFs HMAC with SHA-1, SHA-256, SHA-384, SHA-512,
// Streebog-256, Streebog-512) and AES-CBC, Kuznyechik-CTR-ACPKM,
// Magma-CTR-ACPKM or GOST 28147-89 CFB with param-Z. A wrong password or a
// corrupted ciphertext gives ErrWrongPassword; the CTR-ACPKM-OMAC schemes
// and other algorithms give ErrUnsupportedAlgorithm.
func ParseEncryptedPKCS8PrivateKey(der, password []byte) (crypto.Signer, error) {
	plain, err := decryptPrivateKeyInfo(der, password)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	return parseDecryptedPKCS8(plain)
}

// parseDecryptedPKCS8 parses a PrivateKeyInfo that came out of a
// decryption: a failure means a wrong password unless the structure named
// an algorithm we do not support.
func parseDecryptedPKCS8(plain []byte) (crypto.Signer, error) {
	k, err := ParsePKCS8PrivateKey(plain)
	if err != nil {
		if errors.Is(err, ErrUnsupportedAlgorithm) {
			return nil, err
		}
		return nil, ErrWrongPassword
	}
	return k, nil
}

// decryptPrivateKeyInfo returns the plaintext of an EncryptedPrivateKeyInfo.
func decryptPrivateKeyInfo(der, password []byte) ([]byte, error) {
	in := cryptobyte.String(der)
	var epki, alg cryptobyte.String
	var ct []byte
	if !in.ReadASN1(&epki, cbasn1.SEQUENCE) || !in.Empty() ||
		!epki.ReadASN1(&alg, cbasn1.SEQUENCE) || !epki.ReadASN1Bytes(&ct, cbasn1.OCTET_STRING) ||
		!epki.Empty() {
		return nil, errors.New("pki: malformed PKCS#8 encrypted private key")
	}
	p, err := parsePBES2Algorithm(alg)
	if err != nil {
		return nil, err
	}
	return p.decrypt(password, ct)
}
