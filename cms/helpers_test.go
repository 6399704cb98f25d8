package cms

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"rekey/pki"
)

// testNow is the pinned "now" of the tests: the certificates below are
// valid from 2026-01-01 to 2036-01-01.
var testNow = time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)

// party is a certificate with its private key.
type party struct {
	cert *pki.Certificate
	key  crypto.Signer
}

func (p *party) certPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.cert.Raw})
}

func (p *party) keyPEM(t testing.TB) []byte {
	t.Helper()
	der, err := pki.MarshalPKCS8PrivateKey(p.key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pki.PEMTypePrivateKey, Bytes: der})
}

// fixtures caches the test PKI per profile: key generation dominates the
// test time otherwise.
var fixtures struct {
	sync.Mutex
	m map[string]*party
}

// testParty returns a certificate of profile p named name: "ca" is a
// self-signed CA, anything else an end entity issued by that CA with the
// usages of a subscriber (signing, key encipherment, key agreement) and
// emailProtection, so that `openssl cms` accepts it for S/MIME.
func testParty(t testing.TB, p *pki.Profile, name string) *party {
	t.Helper()
	fixtures.Lock()
	defer fixtures.Unlock()
	if fixtures.m == nil {
		fixtures.m = map[string]*party{}
	}
	return lockedParty(t, p, name)
}

func lockedParty(t testing.TB, p *pki.Profile, name string) *party {
	t.Helper()
	k := p.Name + "/" + name
	if got := fixtures.m[k]; got != nil {
		return got
	}
	var parent *party
	if name != "ca" {
		parent = lockedParty(t, p, "ca")
	}
	key, err := p.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &pki.Template{
		SerialNumber: big.NewInt(int64(len(fixtures.m) + 2)),
		Subject: &pki.Subject{
			Country: "RU", Organization: "ООО «Ромашка»", CommonName: p.Name + " " + name,
		},
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:  time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	var issuer *pki.Certificate
	signer := key
	if parent == nil {
		tmpl.Extensions = pki.Extensions{
			BasicConstraints: &pki.BasicConstraints{IsCA: true, MaxPathLen: -1},
			KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign |
				x509.KeyUsageDigitalSignature,
		}
	} else {
		issuer, signer = parent.cert, parent.key
		tmpl.Extensions = pki.Extensions{
			BasicConstraints: &pki.BasicConstraints{MaxPathLen: -1},
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment |
				x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement,
			ExtKeyUsage: []asn1.ObjectIdentifier{pki.OIDExtKeyUsageEmailProtection},
		}
	}
	der, err := pki.CreateCertificate(tmpl, issuer, key.Public(), signer)
	if err != nil {
		t.Fatalf("%s: %v", k, err)
	}
	cert, err := pki.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	fixtures.m[k] = &party{cert, key}
	return fixtures.m[k]
}

var profiles = []*pki.Profile{pki.ProfileGOST256, pki.ProfileGOST512, pki.ProfileECDSA}

// ciphersFor lists the content ciphers to test for a profile.
func ciphersFor(p *pki.Profile) []ContentCipher {
	if p == pki.ProfileECDSA {
		return []ContentCipher{AES256GCM, AES256CBC, Kuznyechik}
	}
	return []ContentCipher{Kuznyechik, Magma, GOST28147, AES256GCM}
}

func name(p *pki.Profile, c ContentCipher, agree bool) string {
	form := "ktri"
	if agree || p == pki.ProfileECDSA {
		form = "kari"
	}
	return fmt.Sprintf("%s/%s/%s", p.Name, c, form)
}
