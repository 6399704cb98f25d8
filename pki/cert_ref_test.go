package pki

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// The functions below are ParseCertificate and the parts of it that were
// rewritten for speed, as they were before: the reference that
// FuzzParseCertificateDifferential holds the new code to. They must not
// change.

func refParseCertificate(der []byte) (*Certificate, error) {
	c := &Certificate{Raw: der}
	input := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !input.ReadASN1(&cert, cbasn1.SEQUENCE) || !input.Empty() {
		return nil, errors.New("pki: malformed certificate")
	}
	if !cert.ReadASN1Element(&tbs, cbasn1.SEQUENCE) {
		return nil, errors.New("pki: malformed tbsCertificate")
	}
	c.RawTBSCertificate = tbs
	var outerOID asn1.ObjectIdentifier
	var outerParams []byte
	if !readAlgorithmIdentifier(&cert, &outerOID, &outerParams) {
		return nil, errors.New("pki: malformed certificate signature algorithm")
	}
	sig, ok := readSignatureValue(&cert)
	if !ok || !cert.Empty() {
		return nil, errors.New("pki: malformed certificate signature")
	}
	c.Signature = sig
	if err := refParseTBS(c, tbs, outerOID, outerParams); err != nil {
		return nil, err
	}
	return c, nil
}

func refParseTBS(c *Certificate, tbs cryptobyte.String, outerOID asn1.ObjectIdentifier,
	outerParams []byte) error {
	var body cryptobyte.String
	if !tbs.ReadASN1(&body, cbasn1.SEQUENCE) {
		return errors.New("pki: malformed tbsCertificate")
	}
	var version int64
	versionTag := cbasn1.Tag(0).ContextSpecific().Constructed()
	if !body.ReadOptionalASN1Integer(&version, versionTag, int64(0)) || version < 0 || version > 2 {
		return errors.New("pki: malformed certificate version")
	}
	c.Version = int(version) + 1
	c.SerialNumber = new(big.Int)
	if !body.ReadASN1Integer(c.SerialNumber) {
		return errors.New("pki: malformed certificate serial number")
	}
	var innerOID asn1.ObjectIdentifier
	var innerParams []byte
	if !readAlgorithmIdentifier(&body, &innerOID, &innerParams) {
		return errors.New("pki: malformed tbsCertificate signature algorithm")
	}
	// RFC 5280 §4.1.1.2: the two identifiers must be the same.
	if !innerOID.Equal(outerOID) || string(innerParams) != string(outerParams) {
		return errors.New(
			"pki: certificate signature algorithm differs from the one in tbsCertificate")
	}
	c.SignatureAlgorithmOID = outerOID
	alg, err := parseSignatureAlgorithm(outerOID, outerParams)
	if err != nil {
		return err
	}
	c.SignatureAlgorithm = alg
	if err := refParseNamesAndValidity(c, &body); err != nil {
		return err
	}
	var spki cryptobyte.String
	if !body.ReadASN1Element(&spki, cbasn1.SEQUENCE) {
		return errors.New("pki: malformed subject public key info")
	}
	c.RawSubjectPublicKeyInfo = spki
	c.PublicKey, c.PublicKeyAlgorithm, err = refParseSPKI(spki)
	if err != nil && !errors.Is(err, ErrUnsupportedAlgorithm) {
		return err
	}
	return refParseUniqueIDsAndExtensions(c, &body)
}

func refParseNamesAndValidity(c *Certificate, body *cryptobyte.String) error {
	var issuer, validity, subject cryptobyte.String
	if !body.ReadASN1Element(&issuer, cbasn1.SEQUENCE) {
		return errors.New("pki: malformed issuer name")
	}
	if !body.ReadASN1(&validity, cbasn1.SEQUENCE) ||
		!readTime(&validity, &c.NotBefore) || !readTime(&validity, &c.NotAfter) ||
		!validity.Empty() {
		return errors.New("pki: malformed validity")
	}
	if !body.ReadASN1Element(&subject, cbasn1.SEQUENCE) {
		return errors.New("pki: malformed subject name")
	}
	c.RawIssuer, c.RawSubject = issuer, subject
	var err error
	if c.Issuer, err = refParseSubject(issuer); err != nil {
		return fmt.Errorf("pki: issuer: %w", err)
	}
	if c.Subject, err = refParseSubject(subject); err != nil {
		return fmt.Errorf("pki: subject: %w", err)
	}
	return nil
}

func refParseUniqueIDsAndExtensions(c *Certificate, body *cryptobyte.String) error {
	// issuerUniqueID [1] and subjectUniqueID [2] (RFC 5280 §4.1.2.8) are
	// skipped: RFC 5280 CAs do not write them.
	if !body.SkipOptionalASN1(cbasn1.Tag(1).ContextSpecific()) ||
		!body.SkipOptionalASN1(cbasn1.Tag(2).ContextSpecific()) {
		return errors.New("pki: malformed unique identifier")
	}
	var extWrap cryptobyte.String
	var present bool
	if !body.ReadOptionalASN1(&extWrap, &present, cbasn1.Tag(3).ContextSpecific().Constructed()) {
		return errors.New("pki: malformed extensions")
	}
	if present {
		if c.Version != 3 {
			return errors.New("pki: extensions in a certificate that is not version 3")
		}
		exts, ok := refReadExtensions(&extWrap)
		if !ok || !extWrap.Empty() {
			return errors.New("pki: malformed extensions")
		}
		c.RawExtensions = exts
		var err error
		if c.Extensions, err = refParseExtensions(exts); err != nil {
			return err
		}
	}
	if !body.Empty() {
		return errors.New("pki: trailing data in tbsCertificate")
	}
	return nil
}

func refParseSPKI(der []byte) (crypto.PublicKey, PublicKeyAlgorithm, error) {
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
	case oid.Equal(OIDPublicKeyECDSA), oid.Equal(oidPublicKeyRSA), oid.Equal(oidPublicKeyEd25519):
		if oid.Equal(OIDPublicKeyECDSA) {
			if err := refCheckNamedCurve(params); err != nil {
				return nil, UnknownPublicKeyAlgorithm, err
			}
		}
		pub, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			return nil, UnknownPublicKeyAlgorithm, fmt.Errorf("pki: malformed public key: %v", err)
		}
		return pub, publicKeyAlgorithmOf(pub), nil
	}
	return nil, UnknownPublicKeyAlgorithm,
		fmt.Errorf("%w: public key algorithm %s", ErrUnsupportedAlgorithm, oid)
}

func refCheckNamedCurve(params []byte) error {
	var curve asn1.ObjectIdentifier
	rest, err := asn1.Unmarshal(params, &curve)
	if err != nil || len(rest) != 0 {
		return fmt.Errorf("%w: ECDSA key with explicit or unknown curve parameters",
			ErrUnsupportedAlgorithm)
	}
	for _, c := range supportedNamedCurves {
		if c.Equal(curve) {
			return nil
		}
	}
	return fmt.Errorf("%w: ECDSA key on curve %s", ErrUnsupportedAlgorithm, curve)
}

func refParseExtensions(exts []pkix.Extension) (Extensions, error) {
	var e Extensions
	seen := make(map[string]bool)
	for _, x := range exts {
		key := x.Id.String()
		if seen[key] {
			return e, fmt.Errorf("pki: extension %s appears twice", key)
		}
		seen[key] = true
		known := false
		for _, p := range extParsers {
			if !p.oid.Equal(x.Id) {
				continue
			}
			known = true
			if !p.parse(&e, cryptobyte.String(x.Value)) {
				return e, fmt.Errorf("pki: malformed %s extension", p.name)
			}
		}
		if !known {
			e.Extra = append(e.Extra, x)
		}
	}
	return e, nil
}

func refReadExtensions(s *cryptobyte.String) ([]pkix.Extension, bool) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, false
	}
	var out []pkix.Extension
	for !seq.Empty() {
		var ext cryptobyte.String
		var x pkix.Extension
		if !seq.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&x.Id) ||
			!readOptionalBoolean(&ext, &x.Critical) ||
			!ext.ReadASN1Bytes(&x.Value, cbasn1.OCTET_STRING) || !ext.Empty() {
			return nil, false
		}
		out = append(out, x)
	}
	return out, true
}
