package pki

import (
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Certificate is a parsed X.509 v1–v3 certificate (RFC 5280 §4.1). The raw
// fields are slices of Raw, kept so that signatures, names and keys can be
// compared and copied byte for byte.
type Certificate struct {
	Raw                     []byte // the whole certificate, DER
	RawTBSCertificate       []byte // the signed part
	RawIssuer               []byte // DER Name
	RawSubject              []byte // DER Name
	RawSubjectPublicKeyInfo []byte

	Version      int // 1, 2 or 3
	SerialNumber *big.Int
	Issuer       *Subject
	Subject      *Subject
	NotBefore    time.Time
	NotAfter     time.Time

	// PublicKey is a *gost3410.PublicKey, *ecdsa.PublicKey,
	// *rsa.PublicKey or ed25519.PublicKey; nil when PublicKeyAlgorithm is
	// not supported (a legacy GOST R 34.10-94 key, say).
	PublicKey          crypto.PublicKey
	PublicKeyAlgorithm PublicKeyAlgorithm

	SignatureAlgorithm SignatureAlgorithm
	// SignatureAlgorithmOID is the signature algorithm as written, also
	// when it is unknown.
	SignatureAlgorithmOID asn1.ObjectIdentifier
	Signature             []byte

	// Extensions are the decoded extensions; RawExtensions all of them as
	// they appear.
	Extensions    Extensions
	RawExtensions []pkix.Extension
}

// KeyExpires returns the last moment the certificate's private key may
// sign: the notAfter of privateKeyUsagePeriod when the certificate has one
// (or the certificate's NotAfter, if that comes first), and the
// certificate's NotAfter otherwise. Russian CAs give keys a shorter usage
// period than their certificates; this is the date to show and check.
func (c *Certificate) KeyExpires() time.Time {
	if p := c.Extensions.PrivateKeyUsagePeriod; p != nil && !p.NotAfter.IsZero() &&
		p.NotAfter.Before(c.NotAfter) {
		return p.NotAfter
	}
	return c.NotAfter
}

// DaysLeft counts the calendar days in loc from the day of now to the day
// of expires (a KeyExpires): 0 when expires falls today (the key's last
// day), negative once it is past. The operator and the subscriber's client
// both count a key's days with it, so they agree.
func DaysLeft(expires, now time.Time, loc *time.Location) int {
	day := func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return int(day(expires).Sub(day(now)).Hours() / 24)
}

// IsSelfSigned reports whether the certificate's issuer and subject names
// are the same bytes. It does not check the signature.
func (c *Certificate) IsSelfSigned() bool {
	return string(c.RawIssuer) == string(c.RawSubject)
}

// CheckSignatureFrom verifies that parent's key signed c. It checks the
// signature only; Verify checks names, validity and constraints.
func (c *Certificate) CheckSignatureFrom(parent *Certificate) error {
	if parent.PublicKey == nil {
		return fmt.Errorf("%w: issuer key %s", ErrUnsupportedAlgorithm, parent.PublicKeyAlgorithm)
	}
	return CheckSignature(c.SignatureAlgorithm, parent.PublicKey, c.RawTBSCertificate, c.Signature)
}

// ParseCertificate parses one DER certificate. It accepts every signature
// and key algorithm (an unknown or legacy one leaves PublicKey nil and
// SignatureAlgorithm unknown), so that any certificate can be shown;
// verifying such a certificate fails with ErrUnsupportedAlgorithm.
func ParseCertificate(der []byte) (*Certificate, error) {
	p := new(parsedCertificate)
	c := &p.cert
	c.Raw = der
	input := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !input.ReadASN1(&cert, cbasn1.SEQUENCE) || !input.Empty() {
		return nil, errors.New("pki: malformed certificate")
	}
	if !cert.ReadASN1Element(&tbs, cbasn1.SEQUENCE) {
		return nil, errors.New("pki: malformed tbsCertificate")
	}
	c.RawTBSCertificate = tbs
	outer := signatureAlgorithm{raw: cert}
	if !readAlgorithmIdentifier(&cert, &outer.oid, &outer.params) {
		return nil, errors.New("pki: malformed certificate signature algorithm")
	}
	outer.raw = outer.raw[:len(outer.raw)-len(cert)]
	sig, ok := readSignatureValue(&cert)
	if !ok || !cert.Empty() {
		return nil, errors.New("pki: malformed certificate signature")
	}
	c.Signature = sig
	if err := p.parseTBS(tbs, &outer); err != nil {
		return nil, err
	}
	return c, nil
}

// parsedCertificate is a Certificate with the values its pointers refer
// to, allocated at once (so a Subject kept alone keeps the rest, a few
// hundred bytes, too).
type parsedCertificate struct {
	cert            Certificate
	serial          big.Int
	issuer, subject Subject
}

// signatureAlgorithm is the outer AlgorithmIdentifier of a certificate:
// its DER, OID and parameters.
type signatureAlgorithm struct {
	raw    []byte
	oid    asn1.ObjectIdentifier
	params []byte
}

// readSignatureValue reads a BIT STRING of whole bytes.
func readSignatureValue(s *cryptobyte.String) ([]byte, bool) {
	var bits asn1.BitString
	if !s.ReadASN1BitString(&bits) || bits.BitLength%8 != 0 {
		return nil, false
	}
	return bits.Bytes, true
}

func (p *parsedCertificate) parseTBS(tbs cryptobyte.String, outer *signatureAlgorithm) error {
	c := &p.cert
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
	c.SerialNumber = &p.serial
	if !body.ReadASN1Integer(c.SerialNumber) {
		return errors.New("pki: malformed certificate serial number")
	}
	if err := checkInnerAlgorithm(&body, outer); err != nil {
		return err
	}
	c.SignatureAlgorithmOID = outer.oid
	alg, err := parseSignatureAlgorithm(outer.oid, outer.params)
	if err != nil {
		return err
	}
	c.SignatureAlgorithm = alg
	if err := p.parseNamesAndValidity(&body); err != nil {
		return err
	}
	var spki cryptobyte.String
	if !body.ReadASN1Element(&spki, cbasn1.SEQUENCE) {
		return errors.New("pki: malformed subject public key info")
	}
	c.RawSubjectPublicKeyInfo = spki
	c.PublicKey, c.PublicKeyAlgorithm, err = parseSPKI(spki)
	if err != nil && !errors.Is(err, ErrUnsupportedAlgorithm) {
		return err
	}
	return c.parseUniqueIDsAndExtensions(&body)
}

// checkInnerAlgorithm reads the signature AlgorithmIdentifier of the
// tbsCertificate, which must be the same as the outer one (RFC 5280
// §4.1.1.2). The same DER is the same OID and parameters, which need not
// be decoded again.
func checkInnerAlgorithm(body *cryptobyte.String, outer *signatureAlgorithm) error {
	rest := *body
	var raw cryptobyte.String
	if rest.ReadASN1Element(&raw, cbasn1.SEQUENCE) && string(raw) == string(outer.raw) {
		*body = rest
		return nil
	}
	var innerOID asn1.ObjectIdentifier
	var innerParams []byte
	if !readAlgorithmIdentifier(body, &innerOID, &innerParams) {
		return errors.New("pki: malformed tbsCertificate signature algorithm")
	}
	if !innerOID.Equal(outer.oid) || string(innerParams) != string(outer.params) {
		return errors.New(
			"pki: certificate signature algorithm differs from the one in tbsCertificate")
	}
	return nil
}

// parseNamesAndValidity reads issuer, validity and subject. The two names'
// strings share one copy of the bytes from issuer to subject.
func (p *parsedCertificate) parseNamesAndValidity(body *cryptobyte.String) error {
	c := &p.cert
	start := *body
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
	names := nameParser{der: start[:len(start)-len(*body)]}
	if err := names.parse(issuer, &p.issuer); err != nil {
		return fmt.Errorf("pki: issuer: %w", err)
	}
	if err := names.parse(subject, &p.subject); err != nil {
		return fmt.Errorf("pki: subject: %w", err)
	}
	c.Issuer, c.Subject = &p.issuer, &p.subject
	return nil
}

func (c *Certificate) parseUniqueIDsAndExtensions(body *cryptobyte.String) error {
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
		exts, ok := readExtensions(&extWrap)
		if !ok || !extWrap.Empty() {
			return errors.New("pki: malformed extensions")
		}
		c.RawExtensions = exts
		var err error
		if c.Extensions, err = parseExtensions(exts); err != nil {
			return err
		}
	}
	if !body.Empty() {
		return errors.New("pki: trailing data in tbsCertificate")
	}
	return nil
}

// readTime reads a UTCTime or GeneralizedTime (RFC 5280 §4.1.2.5).
func readTime(s *cryptobyte.String, t *time.Time) bool {
	switch {
	case s.PeekASN1Tag(cbasn1.UTCTime):
		return s.ReadASN1UTCTime(t)
	case s.PeekASN1Tag(cbasn1.GeneralizedTime):
		return s.ReadASN1GeneralizedTime(t)
	}
	return false
}

// addTime writes t as UTCTime up to 2049 and as GeneralizedTime from 2050
// (RFC 5280 §4.1.2.5), in UTC with whole seconds.
func addTime(b *cryptobyte.Builder, t time.Time) {
	t = t.UTC().Truncate(time.Second)
	if t.Year() >= 1950 && t.Year() < 2050 {
		b.AddASN1UTCTime(t)
	} else {
		b.AddASN1GeneralizedTime(t)
	}
}
