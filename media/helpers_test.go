package media

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"rekey/pki"
)

// testEnc keeps PBKDF2 cheap in tests.
var testEnc = &pki.KeyEncryptionOptions{Iterations: 16}

const testURL = "https://cmp.operator.test/.well-known/cmp"

var testPassword = []byte("correct horse battery staple")

var profiles = []*pki.Profile{pki.ProfileGOST256, pki.ProfileGOST512, pki.ProfileECDSA}

// ca is a test CA: its certificate and key.
type testCA struct {
	cert *pki.Certificate
	key  crypto.Signer
}

var serial int64 = 100

func newCA(t testing.TB, prof *pki.Profile, name string) *testCA {
	t.Helper()
	key, err := prof.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	serial++
	tmpl := &pki.Template{
		SerialNumber: big.NewInt(serial),
		Subject:      &pki.Subject{Country: "RU", Organization: "Оператор ЭДО", CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(5, 0, 0),
		Extensions: pki.Extensions{
			BasicConstraints: &pki.BasicConstraints{IsCA: true, MaxPathLen: -1},
			KeyUsage:         x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		},
	}
	der, err := pki.CreateCertificate(tmpl, nil, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert, key}
}

// issue certifies pub for a year, the key for keyDays days.
func (c *testCA) issue(t testing.TB, pub crypto.PublicKey, keyDays int) []byte {
	t.Helper()
	serial++
	now := time.Now().Truncate(time.Second)
	tmpl := &pki.Template{
		SerialNumber: big.NewInt(serial),
		Subject: &pki.Subject{Country: "RU", Organization: "ООО Тест",
			CommonName: "ООО Тест", INN: "009901888821"},
		NotBefore: now.Add(-time.Hour),
		NotAfter:  now.AddDate(1, 0, 0),
		Extensions: pki.Extensions{
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyAgreement,
			PrivateKeyUsagePeriod: &pki.KeyUsagePeriod{
				NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(0, 0, keyDays)},
		},
	}
	der, err := pki.CreateCertificate(tmpl, c.cert, pub, c.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func createOpts(prof *pki.Profile, ca *testCA) *CreateOptions {
	return &CreateOptions{
		Profile:     prof,
		Password:    testPassword,
		CA:          ca.cert.Raw,
		OperatorURL: testURL,
		Encryption:  testEnc,
	}
}

// enrolled makes an active container on root, as the office's first
// enrollment would.
func enrolled(t testing.TB, root string, prof *pki.Profile, ca *testCA) *Container {
	t.Helper()
	c, key, _, err := Create(root, createOpts(prof, ca))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.InstallCertificate(ca.issue(t, key.Public(), 300)); err != nil {
		t.Fatal(err)
	}
	return c
}

// mustSign checks that the container's key unlocks and signs.
func mustSign(t testing.TB, c *Container) {
	t.Helper()
	u, err := c.Unlock(testPassword)
	if err != nil {
		t.Fatalf("unlocking %s: %v", c.ID(), err)
	}
	s, err := u.Signer()
	if err != nil {
		t.Fatalf("signer of %s: %v", c.ID(), err)
	}
	if err := testSign(s); err != nil {
		t.Fatalf("signing with %s: %v", c.ID(), err)
	}
}

func find(t testing.TB, roots ...string) []*Container {
	t.Helper()
	cs, errs := (&Finder{Dirs: roots}).Find()
	for _, err := range errs {
		t.Errorf("Find: %v", err)
	}
	return cs
}

func byID(cs []*Container, id string) *Container {
	for _, c := range cs {
		if c.ID() == id {
			return c
		}
	}
	return nil
}

func writePEM(t testing.TB, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func containerDir(root, id string) string { return filepath.Join(root, id+ContainerSuffix) }
