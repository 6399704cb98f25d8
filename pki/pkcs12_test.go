package pki

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

// keyFixtureCert returns the DER of a PEM certificate under testdata/keys.
func keyFixtureCert(t testing.TB, name string) []byte {
	t.Helper()
	block, _ := pem.Decode(readKeyFixture(t, name))
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("%s: no certificate", name)
	}
	return block.Bytes
}

type pkcs12Case struct {
	name  string
	key   string // plain PEM key
	certs []string
}

var pkcs12Cases = []pkcs12Case{
	{"gost256", "gost256-cpa-plain.pem", []string{"gost256-cpa-cert.pem", "ecdsa-p256-cert.pem"}},
	{"gost512-no-certs", "gost512-c-plain.pem", nil},
	{"ecdsa-p256", "ecdsa-p256-plain.pem", []string{"ecdsa-p256-cert.pem", "gost256-cpa-cert.pem"}},
}

func TestPKCS12RoundTrip(t *testing.T) {
	for _, tc := range pkcs12Cases {
		t.Run(tc.name, func(t *testing.T) {
			key, err := ParsePrivateKeyPEM(readKeyFixture(t, tc.key), nil)
			if err != nil {
				t.Fatal(err)
			}
			var certs [][]byte
			for _, c := range tc.certs {
				certs = append(certs, keyFixtureCert(t, c))
			}
			opts := &PKCS12Options{KeyEncryptionOptions: *fastKeyOpts(PBES2Default),
				FriendlyName: "ключ"}
			pfx, err := MarshalPKCS12(key, certs, []byte("пароль"), opts)
			if err != nil {
				t.Fatal(err)
			}
			_, mac, err := parsePFX(pfx)
			if err != nil {
				t.Fatal(err)
			}
			wantMAC := oidP12DigestSHA256
			if strings.HasPrefix(tc.name, "gost") {
				wantMAC = OIDDigestStreebog512
			}
			if !mac.alg.oid.Equal(wantMAC) || len(mac.salt) != 16 || mac.iter != 16 {
				t.Errorf("MAC %v, %d-byte salt, %d iterations; want %v, 16, 16",
					mac.alg.oid, len(mac.salt), mac.iter, wantMAC)
			}
			got, gotCerts, err := ParsePKCS12(pfx, []byte("пароль"))
			if err != nil {
				t.Fatal(err)
			}
			if !samePrivKey(got, key) {
				t.Error("parsed key differs")
			}
			if len(gotCerts) != len(certs) {
				t.Fatalf("got %d certificates, want %d", len(gotCerts), len(certs))
			}
			for i := range certs {
				if !bytes.Equal(gotCerts[i], certs[i]) {
					t.Errorf("certificate %d differs", i)
				}
			}
			if _, _, err := ParsePKCS12(pfx, []byte("парол")); !errors.Is(err, ErrWrongPassword) {
				t.Errorf("wrong password: got %v, want ErrWrongPassword", err)
			}
			for _, off := range []int{len(pfx) / 2, len(pfx) - 200} {
				bad := bytes.Clone(pfx)
				bad[off] ^= 0x80
				if _, _, err := ParsePKCS12(bad, []byte("пароль")); err == nil {
					t.Errorf("flipping byte %d went unnoticed", off)
				}
			}
		})
	}
}

func TestPKCS12EmptyPassword(t *testing.T) {
	key, err := ParsePrivateKeyPEM(readKeyFixture(t, "ecdsa-p256-plain.pem"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := MarshalPKCS12(key, nil, nil, nil); err == nil {
		t.Error("MarshalPKCS12 accepted an empty password")
	}
}

// TestPKCS12OpenSSLFixtures parses what openssl pkcs12 -export wrote.
func TestPKCS12OpenSSLFixtures(t *testing.T) {
	for _, tc := range []struct{ pfx, key, cert string }{
		{"gost256-cpa-openssl.p12", "gost256-cpa-plain.pem", "gost256-cpa-cert.pem"},
		{"ecdsa-p256-openssl.p12", "ecdsa-p256-plain.pem", "ecdsa-p256-cert.pem"},
	} {
		want, err := ParsePrivateKeyPEM(readKeyFixture(t, tc.key), nil)
		if err != nil {
			t.Fatal(err)
		}
		key, certs, err := ParsePKCS12(readKeyFixture(t, tc.pfx), keyFixturePassword)
		if err != nil {
			t.Fatalf("%s: %v", tc.pfx, err)
		}
		if !samePrivKey(key, want) {
			t.Errorf("%s: key differs from %s", tc.pfx, tc.key)
		}
		if len(certs) != 1 || !bytes.Equal(certs[0], keyFixtureCert(t, tc.cert)) {
			t.Errorf("%s: got %d certificates, want %s", tc.pfx, len(certs), tc.cert)
		}
		if _, _, err := ParsePKCS12(readKeyFixture(t, tc.pfx), []byte("x")); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("%s: wrong password: got %v", tc.pfx, err)
		}
	}
	// GOST 28147-89 bags whose certificate SafeContents (1967 bytes) go
	// through the key meshing; the leaf is in the file twice.
	key, certs, err := ParsePKCS12(readKeyFixture(t, "gost256-cpa-openssl-gost89.p12"), keyFixturePassword)
	if err != nil {
		t.Fatalf("gost89: %v", err)
	}
	want, _ := ParsePrivateKeyPEM(readKeyFixture(t, "gost256-cpa-plain.pem"), nil)
	if !samePrivKey(key, want) || len(certs) != 4 ||
		!bytes.Equal(certs[3], keyFixtureCert(t, "r50.1.112-2016-example-cert.pem")) {
		t.Errorf("gost89: got a different key or %d certificates", len(certs))
	}
	_, _, err = ParsePKCS12(readKeyFixture(t, "ecdsa-p256-openssl-3des-unsupported.p12"), keyFixturePassword)
	if !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("legacy 3DES PBE: got %v, want ErrUnsupportedAlgorithm", err)
	}
}

// r50Password is the password of the R 50.1.112-2016 example.
var r50Password = []byte("Пароль для PFX")

// TestPKCS12R50MAC checks the GOST MAC key derivation against the example
// of R 50.1.112-2016 (the transport key container, RFC 9548).
func TestPKCS12R50MAC(t *testing.T) {
	authSafe, mac, err := parsePFX(readKeyFixture(t, "r50.1.112-2016-example.pfx"))
	if err != nil {
		t.Fatal(err)
	}
	if !mac.alg.oid.Equal(OIDDigestStreebog512) || mac.iter != 2000 || len(mac.salt) != 32 {
		t.Fatalf("MAC: got %v, %d iterations, %d-byte salt", mac.alg.oid, mac.iter, len(mac.salt))
	}
	if err := mac.verify(r50Password, authSafe); err != nil {
		t.Fatalf("MAC does not verify: %v", err)
	}
	if err := mac.verify([]byte("Пароль для pfx"), authSafe); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: got %v", err)
	}
}

// TestPKCS12R50 reads the whole R 50.1.112-2016 example: GOST 28147-89
// bags and a masked private key, compared with what OpenSSL makes of it.
func TestPKCS12R50(t *testing.T) {
	key, certs, err := ParsePKCS12(readKeyFixture(t, "r50.1.112-2016-example.pfx"), r50Password)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParsePrivateKeyPEM(readKeyFixture(t, "r50.1.112-2016-example-key.pem"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !samePrivKey(key, want) {
		t.Error("key differs from OpenSSL's")
	}
	if len(certs) != 1 || !bytes.Equal(certs[0], keyFixtureCert(t, "r50.1.112-2016-example-cert.pem")) {
		t.Errorf("got %d certificates, want OpenSSL's one", len(certs))
	}
}

// TestPKCS12KDF checks the RFC 7292 Appendix B.2 KDF against the SHA-1
// MAC of an OpenSSL file and a SHA-256 known answer of our own.
func TestPKCS12KDF(t *testing.T) {
	// OpenSSL wrote this file with -macalg sha1: the MAC verifies only if
	// the KDF and the BMPString password are right.
	authSafe, mac, err := parsePFX(readKeyFixture(t, "ecdsa-p256-openssl-3des-unsupported.p12"))
	if err != nil {
		t.Fatal(err)
	}
	if !mac.alg.oid.Equal(oidP12DigestSHA1) {
		t.Fatalf("MAC digest %v, want SHA-1", mac.alg.oid)
	}
	if err := mac.verify(keyFixturePassword, authSafe); err != nil {
		t.Fatalf("SHA-1 MAC: %v", err)
	}
	authSafe, mac, err = parsePFX(readKeyFixture(t, "ecdsa-p256-openssl.p12"))
	if err != nil {
		t.Fatal(err)
	}
	if !mac.alg.oid.Equal(oidP12DigestSHA256) {
		t.Fatalf("MAC digest %v, want SHA-256", mac.alg.oid)
	}
	if err := mac.verify(keyFixturePassword, authSafe); err != nil {
		t.Fatalf("SHA-256 MAC: %v", err)
	}
	// Multi-block output and a password longer than one block.
	long := bytes.Repeat([]byte("x"), 70)
	k1 := pkcs12KDF(sha1.New, 1, bmpPassword(long), []byte("salt"), 3, 45)
	k2 := pkcs12KDF(sha256.New, 1, bmpPassword(long), []byte("salt"), 3, 45)
	if len(k1) != 45 || len(k2) != 45 || bytes.Equal(k1, k2) {
		t.Errorf("KDF lengths %d, %d", len(k1), len(k2))
	}
	if got := hex.EncodeToString(bmpPassword([]byte("aЖ"))); got != "00610416"+"0000" {
		t.Errorf("bmpPassword: got %s", got)
	}
}
