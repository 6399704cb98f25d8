package cms

import (
	"bytes"
	"crypto"
	"os"
	"path/filepath"
	"testing"

	"rekey/pki"
)

// opensslFixture loads a certificate and key of testdata/openssl.
func opensslFixture(t testing.TB, name string) (*pki.Certificate, crypto.Signer) {
	t.Helper()
	cert, err := pki.ParseCertificate(readPEM(t, filepath.Join("openssl", name+".pem")))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "openssl", name+".key"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := pki.ParsePrivateKeyPEM(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestOpenSSLFixtures reads the messages OpenSSL wrote in testdata/openssl
// (see SOURCES.md) without running OpenSSL: every cipher decrypts, every
// signature verifies, also in the BER of `openssl cms -stream`.
func TestOpenSSLFixtures(t *testing.T) {
	content := readTestdata(t, "openssl/content.txt")
	for _, key := range []string{"gost256-cpa", "gost512-a", "ecdsa-p256"} {
		cert, priv := opensslFixture(t, key)
		files, err := filepath.Glob(filepath.Join("testdata", "openssl", "env-"+key+"-*.der"))
		streamed, _ := filepath.Glob(filepath.Join("testdata", "openssl", "stream-env-"+key+".ber"))
		files = append(files, streamed...)
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no enveloped fixtures", key)
		}
		for _, f := range files {
			der, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decrypt(der, cert, priv)
			if err != nil || !bytes.Equal(got, content) {
				t.Errorf("%s: Decrypt: %v", filepath.Base(f), err)
			}
		}
		kinds := []string{"signed-" + key + ".der", "detached-" + key + ".der"}
		if key == "gost256-cpa" {
			kinds = append(kinds, "stream-signed-"+key+".ber")
		}
		for _, kind := range kinds {
			sd, err := ParseSignedData(readTestdata(t, "openssl/"+kind))
			if err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
			opts := &VerifyOptions{Content: content, Roots: []*pki.Certificate{cert}, At: testNow}
			_, err = sd.Verify(opts)
			if err != nil {
				t.Errorf("%s: Verify: %v", kind, err)
			}
		}
	}
}
