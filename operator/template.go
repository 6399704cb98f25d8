package operator

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"rekey/gost/gost3410"
	"rekey/pki"
)

// Key usages of subscriber certificates. GOST keys sign and, through VKO
// and KExp15 in CMS, encrypt (key transport and key agreement); ECDSA keys
// sign and agree keys (ECDH), RFC 5480 §3.
const (
	keyUsageGOST = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment |
		x509.KeyUsageKeyEncipherment | x509.KeyUsageDataEncipherment | x509.KeyUsageKeyAgreement
	keyUsageECDSA = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment |
		x509.KeyUsageKeyAgreement
)

// maxSerialBits keeps a serial positive within 20 octets (RFC 5280
// §4.1.2.2).
const maxSerialBits = 159

// newSerial returns a random positive serial of exactly 20 octets: 158
// random bits under a fixed leading 01.
func (ca *CA) newSerial() (*big.Int, error) {
	b := make([]byte, 20)
	if _, err := ca.rand.Read(b); err != nil {
		return nil, fmt.Errorf("operator: reading random serial: %w", err)
	}
	b[0] = b[0]&0x3f | 0x40
	return new(big.Int).SetBytes(b), nil
}

// SerialBytes returns the content octets of serial's DER INTEGER, the form
// the store keys certificates and reservations by.
func SerialBytes(serial *big.Int) []byte {
	b := serial.Bytes()
	if len(b) == 0 || b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return b
}

// buildTemplate fills the template of req's certificate under serial at
// now. Times are whole seconds, as the certificate will carry them.
func (ca *CA) buildTemplate(req *IssueRequest, serial *big.Int, now time.Time) (
	*pki.Template, error) {
	spki, err := CanonicalSPKI(req.PublicKey)
	if err != nil {
		return nil, err
	}
	now = now.UTC().Truncate(time.Second)
	notBefore := laterOf(now.Add(-ca.cfg.Backdate.D()), ca.cert.NotBefore)
	notAfter := now.Add(ca.cfg.Lifetime.D())
	if !req.NotAfter.IsZero() && req.NotAfter.Before(notAfter) {
		notAfter = req.NotAfter.UTC().Truncate(time.Second)
	}
	notAfter = earlierOf(notAfter, ca.cert.NotAfter)

	t := &pki.Template{
		SerialNumber:            serial,
		RawSubject:              req.RawSubject,
		NotBefore:               notBefore,
		NotAfter:                notAfter,
		RawSubjectPublicKeyInfo: spki,
	}
	if t.RawSubject == nil {
		t.Subject = req.Subject
	}
	ext := &t.Extensions
	ext.KeyUsage = keyUsageFor(req.PublicKey)
	ext.ExtKeyUsage = []asn1.ObjectIdentifier{
		pki.OIDExtKeyUsageClientAuth, pki.OIDExtKeyUsageEmailProtection,
	}
	if p := ca.cfg.KeyUsagePeriod.D(); p > 0 {
		ext.PrivateKeyUsagePeriod = &pki.KeyUsagePeriod{
			NotBefore: notBefore, NotAfter: earlierOf(notBefore.Add(p), notAfter),
		}
	}
	if ca.cfg.CRLURL != "" {
		ext.CRLDistributionPoints = []string{ca.cfg.CRLURL}
	}
	if ext.Policies, err = ca.cfg.policyOIDs(); err != nil {
		return nil, err
	}
	ext.SubjectSignTool = ca.cfg.SubjectSignTool
	if ist := ca.cfg.IssuerSignTool; ist != nil {
		ext.IssuerSignTool = &pki.IssuerSignTool{SignTool: ist.SignTool, CATool: ist.CATool,
			SignToolCert: ist.SignToolCert, CAToolCert: ist.CAToolCert}
	}
	return t, nil
}

func keyUsageFor(pub crypto.PublicKey) x509.KeyUsage {
	switch pub.(type) {
	case *gost3410.PublicKey:
		return keyUsageGOST
	case *ecdsa.PublicKey:
		return keyUsageECDSA
	}
	return 0
}

func laterOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return b.UTC()
	}
	return a
}

func earlierOf(a, b time.Time) time.Time {
	if b.Before(a) {
		return b.UTC()
	}
	return a
}

// validateTemplate is the gate in front of the signature: every field of a
// template the CA is about to sign must be within its policy.
func (ca *CA) validateTemplate(t *pki.Template) error {
	if err := ca.validateNames(t); err != nil {
		return fmt.Errorf("operator: template: %w", err)
	}
	if err := ca.validateValidity(t); err != nil {
		return fmt.Errorf("operator: template: %w", err)
	}
	if err := ca.validateKey(t); err != nil {
		return fmt.Errorf("operator: template: %w", err)
	}
	if err := ca.validateExtensions(t); err != nil {
		return fmt.Errorf("operator: template: %w", err)
	}
	return nil
}

func (ca *CA) validateNames(t *pki.Template) error {
	s := t.SerialNumber
	if s == nil || s.Sign() <= 0 || s.BitLen() > maxSerialBits {
		return errors.New("serial number is not positive within 20 octets")
	}
	if t.RawSubject != nil {
		subj, err := pki.ParseSubject(t.RawSubject)
		if err != nil {
			return fmt.Errorf("subject: %v", err)
		}
		if subj.Equal(&pki.Subject{}) {
			return errors.New("subject is empty")
		}
		return nil
	}
	if t.Subject == nil {
		return errors.New("no subject")
	}
	return t.Subject.Validate()
}

func (ca *CA) validateValidity(t *pki.Template) error {
	switch {
	case t.NotBefore.IsZero() || !t.NotBefore.Before(t.NotAfter):
		return errors.New("validity is empty or inverted")
	case t.NotBefore.Before(ca.cert.NotBefore) || t.NotAfter.After(ca.cert.NotAfter):
		return errors.New("validity is outside the CA certificate's")
	case t.NotAfter.Sub(t.NotBefore) > ca.cfg.Lifetime.D()+ca.cfg.Backdate.D():
		return errors.New("validity is longer than the configured lifetime")
	}
	if p := t.Extensions.PrivateKeyUsagePeriod; p != nil {
		if p.NotBefore.Before(t.NotBefore) || p.NotAfter.After(t.NotAfter) ||
			!p.NotBefore.Before(p.NotAfter) {
			return errors.New("privateKeyUsagePeriod is not within the validity")
		}
	}
	return nil
}

func (ca *CA) validateKey(t *pki.Template) error {
	pub, err := pki.ParsePKIXPublicKey(t.RawSubjectPublicKeyInfo)
	if err != nil {
		return fmt.Errorf("public key: %w", err)
	}
	if !keyAllowed(ca.keys, pub) {
		return errors.New("the key's type or parameters are not allowed")
	}
	canonical, err := CanonicalSPKI(pub)
	if err != nil || !bytes.Equal(canonical, t.RawSubjectPublicKeyInfo) {
		return errors.New("public key is not in its canonical encoding")
	}
	if caKey, err := CanonicalSPKI(ca.cert.PublicKey); err != nil || bytes.Equal(caKey, canonical) {
		return errors.New("public key is the CA's own")
	}
	return nil
}

func (ca *CA) validateExtensions(t *pki.Template) error {
	e := &t.Extensions
	switch {
	case e.BasicConstraints != nil && e.BasicConstraints.IsCA:
		return errors.New("a subscriber certificate must not be a CA")
	case e.KeyUsage == 0:
		return errors.New("no key usage")
	case e.KeyUsage&(x509.KeyUsageCertSign|x509.KeyUsageCRLSign) != 0:
		return errors.New("key usage allows signing certificates or CRLs")
	case len(e.Extra) != 0:
		return errors.New("unknown extensions")
	}
	return nil
}

// checkIssued is the check after the signature: the certificate parses
// and its TBS says exactly what the validated template said. Its
// signature is not checked again here: pki.CreateCertificate, the only
// way the token signs, returns nothing whose signature does not verify
// with the issuer certificate's key, ca.cert's
// (TestIssueWrongSignatureYieldsNothing), and a second verification of
// the same bytes with the same key would cost every issuance one more.
func (ca *CA) checkIssued(t *pki.Template, der []byte) (*pki.Certificate, error) {
	c, err := pki.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("operator: the new certificate does not parse: %w", err)
	}
	if field := tbsMismatch(ca, t, c); field != "" {
		return nil, fmt.Errorf("operator: the new certificate's %s differs from its template",
			field)
	}
	return c, nil
}

// tbsMismatch names the first field of c that is not what t asked for, or
// returns "".
func tbsMismatch(ca *CA, t *pki.Template, c *pki.Certificate) string {
	subject := t.RawSubject
	if subject == nil {
		subject, _ = t.Subject.MarshalDN()
	}
	e, got := &t.Extensions, &c.Extensions
	checks := []struct {
		field string
		ok    bool
	}{
		{"version", c.Version == 3},
		{"serial number", c.SerialNumber.Cmp(t.SerialNumber) == 0},
		{"signature algorithm", c.SignatureAlgorithm == ca.profile.SignatureAlgorithm},
		{"issuer", bytes.Equal(c.RawIssuer, ca.cert.RawSubject)},
		{"subject", bytes.Equal(c.RawSubject, subject)},
		{"notBefore", c.NotBefore.Equal(t.NotBefore)},
		{"notAfter", c.NotAfter.Equal(t.NotAfter)},
		{"public key", bytes.Equal(c.RawSubjectPublicKeyInfo, t.RawSubjectPublicKeyInfo)},
		{"basic constraints", got.BasicConstraints == nil || !got.BasicConstraints.IsCA},
		{"key usage", got.KeyUsage == e.KeyUsage},
		{"extended key usage", slices.EqualFunc(got.ExtKeyUsage, e.ExtKeyUsage, oidEqual)},
		{"policies", slices.EqualFunc(got.Policies, e.Policies, oidEqual)},
		{"CRL distribution points",
			slices.Equal(got.CRLDistributionPoints, e.CRLDistributionPoints)},
		{"privateKeyUsagePeriod", periodEqual(got.PrivateKeyUsagePeriod, e.PrivateKeyUsagePeriod)},
		{"subjectSignTool", got.SubjectSignTool == e.SubjectSignTool},
		{"issuerSignTool", signToolEqual(got.IssuerSignTool, e.IssuerSignTool)},
		{"authority key identifier",
			bytes.Equal(got.AuthorityKeyID, ca.cert.Extensions.SubjectKeyID)},
		{"subject key identifier", len(got.SubjectKeyID) != 0},
		{"extensions", len(got.Extra) == 0},
	}
	for _, ch := range checks {
		if !ch.ok {
			return ch.field
		}
	}
	return ""
}

func oidEqual(a, b asn1.ObjectIdentifier) bool { return a.Equal(b) }

func periodEqual(a, b *pki.KeyUsagePeriod) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.NotBefore.Equal(b.NotBefore) && a.NotAfter.Equal(b.NotAfter)
}

func signToolEqual(a, b *pki.IssuerSignTool) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
