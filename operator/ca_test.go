package operator

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rekey/pki"
)

func fixedNow() time.Time { return t0 }

func TestLoadCAFiles(t *testing.T) {
	for _, name := range []string{"gost2012-256", "ecdsa-p256"} {
		t.Run(name, func(t *testing.T) {
			profile, _ := pki.ProfileByName(name)
			key, _ := profile.GenerateKey(nil)
			dir := t.TempDir()
			certFile, keyFile := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "ca.key")
			certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE",
				Bytes: newCACert(t, key, "Test CA")})
			password := []byte("correct horse")
			keyPEM, _, err := pki.MarshalPrivateKeyPEM(key, password,
				&pki.KeyEncryptionOptions{Iterations: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
				t.Fatal(err)
			}
			opts := Options{Config: testConfig(name), Now: fixedNow}
			ca, err := LoadCAFiles(certFile, keyFile, password, newMemStore(), opts)
			if err != nil {
				t.Fatalf("LoadCAFiles: %v", err)
			}
			if ca.Profile().Name != name || ca.Certificate().Subject.CommonName != "Test CA" {
				t.Errorf("profile %s, CA %s", ca.Profile(), ca.Certificate().Subject)
			}
			if _, err := LoadCAFiles(certFile, keyFile, []byte("wrong"), newMemStore(),
				opts); err == nil {
				t.Error("a wrong password loaded the key")
			}
		})
	}
}

// signerWithAnotherKey claims the CA's public key but signs with another.
type signerWithAnotherKey struct {
	crypto.Signer
	pub crypto.PublicKey
}

func (s signerWithAnotherKey) Public() crypto.PublicKey { return s.pub }

// signerThatFails cannot sign at all, like a token that was pulled out.
type signerThatFails struct{ crypto.Signer }

func (signerThatFails) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, io.ErrUnexpectedEOF
}

func TestNewCARefuses(t *testing.T) {
	key, _ := pki.ProfileGOST256.GenerateKey(nil)
	other, _ := pki.ProfileGOST256.GenerateKey(nil)
	caCert := newCACert(t, key, "Test CA")
	cfg := testConfig("gost2012-256")
	notCA := func() []byte {
		der, err := pki.CreateCertificate(&pki.Template{SerialNumber: big.NewInt(2),
			Subject:   &pki.Subject{CommonName: "leaf"},
			NotBefore: t0, NotAfter: t0.AddDate(1, 0, 0),
			Extensions: pki.Extensions{KeyUsage: x509.KeyUsageDigitalSignature}},
			nil, key.Public(), key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}()
	ecdsaCfg := testConfig("ecdsa-p256")
	tests := []struct {
		name   string
		cert   []byte
		signer crypto.Signer
		cfg    Config
		now    func() time.Time
		want   string
	}{
		{"key of another certificate", caCert, other, cfg, fixedNow, "not the certificate's key"},
		{"signer lying about its key", caCert, signerWithAnotherKey{other, key.Public()}, cfg,
			fixedNow, "self-test"},
		{"signer that fails", caCert, signerThatFails{key}, cfg, fixedNow, "self-test"},
		{"certificate not a CA", notCA, key, cfg, fixedNow, "not a CA"},
		{"profile differs from config", caCert, key, ecdsaCfg, fixedNow, "config says"},
		{"no clock", caCert, key, cfg, nil, "no clock"},
		{"invalid config", caCert, key, Config{}, fixedNow, "config"},
	}
	for _, tt := range tests {
		_, err := NewCA(tt.cert, tt.signer, newMemStore(), Options{Config: tt.cfg, Now: tt.now})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}
