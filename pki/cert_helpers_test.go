package pki

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"
)

// testNow is the pinned "now" of the tests that check validity.
var testNow = time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)

// issued is a certificate with its key, for building test chains.
type issued struct {
	cert *Certificate
	key  crypto.Signer
}

// certSpec describes a test certificate; zero fields get defaults.
type certSpec struct {
	cn                  string
	serial              int64
	ca                  bool
	pathLen             int // used when ca; -1 for none
	notBefore, notAfter time.Time
	keyUsage            x509.KeyUsage // default: CA or signer usages
	ext                 *Extensions   // replaces the defaults entirely
}

func (s certSpec) template(t testing.TB) *Template {
	t.Helper()
	nb, na := s.notBefore, s.notAfter
	if nb.IsZero() {
		nb = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if na.IsZero() {
		na = time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	serial := s.serial
	if serial == 0 {
		serial = 1
	}
	tmpl := &Template{
		SerialNumber: big.NewInt(serial),
		Subject:      &Subject{Country: "RU", Organization: "ООО «Ромашка»", CommonName: s.cn},
		NotBefore:    nb,
		NotAfter:     na,
	}
	switch {
	case s.ext != nil:
		tmpl.Extensions = *s.ext
	case s.ca:
		ku := s.keyUsage
		if ku == 0 {
			ku = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
		}
		tmpl.Extensions = Extensions{
			BasicConstraints: &BasicConstraints{IsCA: true, MaxPathLen: s.pathLen},
			KeyUsage:         ku,
		}
	default:
		ku := s.keyUsage
		if ku == 0 {
			ku = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment |
				x509.KeyUsageKeyEncipherment
		}
		tmpl.Extensions = Extensions{
			BasicConstraints: &BasicConstraints{MaxPathLen: -1},
			KeyUsage:         ku,
			ExtKeyUsage:      []asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth, OIDExtKeyUsageEmailProtection},
		}
	}
	return tmpl
}

// issue makes a key of profile p and a certificate for it signed by
// parent, or self-signed when parent is nil.
func issue(t testing.TB, p *Profile, spec certSpec, parent *issued) *issued {
	t.Helper()
	key, err := p.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return issueFor(t, key, spec, parent)
}

func issueFor(t testing.TB, key crypto.Signer, spec certSpec, parent *issued) *issued {
	t.Helper()
	var issuerCert *Certificate
	signer := key
	if parent != nil {
		issuerCert, signer = parent.cert, parent.key
	}
	der, err := CreateCertificate(spec.template(t), issuerCert, key.Public(), signer)
	if err != nil {
		t.Fatalf("CreateCertificate(%s): %v", spec.cn, err)
	}
	cert, err := ParseCertificate(der)
	if err != nil {
		t.Fatalf("ParseCertificate(%s): %v", spec.cn, err)
	}
	return &issued{cert, key}
}

func mustParseCert(t testing.TB, der []byte) *Certificate {
	t.Helper()
	c, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
