package pki

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rekey/gost/gost3410"
)

// readPEM returns the DER of the first PEM block of a test file.
func readPEM(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	return block.Bytes
}

func vector(name string) string { return filepath.Join("testdata", "vectors", name) }

var rfc9215Sets = []string{"D1_test256", "D2_tc26_256A", "D3_test512"}

// TestRFC9215Vectors parses every certificate, request and CRL of RFC 9215
// Appendix D and verifies its signature with the certificate's key.
func TestRFC9215Vectors(t *testing.T) {
	for _, set := range rfc9215Sets {
		t.Run(set, func(t *testing.T) {
			cert, err := ParseCertificate(readPEM(t, vector("rfc9215-"+set+"-cert.pem")))
			if err != nil {
				t.Fatalf("ParseCertificate: %v", err)
			}
			if err := cert.CheckSignatureFrom(cert); err != nil {
				t.Errorf("certificate signature: %v", err)
			}
			req, err := ParseCertificateRequest(readPEM(t, vector("rfc9215-"+set+"-req.pem")))
			if err != nil {
				t.Fatalf("ParseCertificateRequest: %v", err)
			}
			if err := req.CheckSignature(); err != nil {
				t.Errorf("request signature: %v", err)
			}
			crl, err := ParseCRL(readPEM(t, vector("rfc9215-"+set+"-crl.pem")))
			if err != nil {
				t.Fatalf("ParseCRL: %v", err)
			}
			if err := crl.CheckSignatureFrom(cert); err != nil {
				t.Errorf("CRL signature: %v", err)
			}
			if !publicKeysEqual(req.PublicKey, cert.PublicKey) {
				t.Errorf("request and certificate keys differ")
			}
			checkRFC9215Key(t, set, cert)
			// RFC 9215 §4.2: re-encoding the key gives the same SPKI.
			spki, err := MarshalPKIXPublicKey(cert.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(spki, cert.RawSubjectPublicKeyInfo) {
				t.Errorf("SPKI re-encoded\n got %x\nwant %x", spki, cert.RawSubjectPublicKeyInfo)
			}
		})
	}
}

// checkRFC9215Key derives the public key from the appendix's private key
// and compares it with the certificate's.
func checkRFC9215Key(t *testing.T, set string, cert *Certificate) {
	t.Helper()
	f, err := os.Open(vector("rfc9215-" + set + "-private-key.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var d []byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "d: "); ok {
			if d, err = hex.DecodeString(v); err != nil {
				t.Fatal(err)
			}
		}
	}
	pub := cert.PublicKey.(*gost3410.PublicKey)
	for i, j := 0, len(d)-1; i < j; i, j = i+1, j-1 {
		d[i], d[j] = d[j], d[i] // the RFC prints d big-endian; Raw is little-endian
	}
	priv, err := gost3410.NewPrivateKey(pub.Curve(), d)
	if err != nil {
		t.Fatal(err)
	}
	if !priv.PublicKey().Equal(pub) {
		t.Errorf("the appendix's private key does not give the certificate's public key")
	}
}

func TestTK26Certificates(t *testing.T) {
	for _, name := range []string{"tk26-iok-cert-256.pem", "tk26-iok-cert-512.pem"} {
		t.Run(name, func(t *testing.T) {
			cert, err := ParseCertificate(readPEM(t, vector(name)))
			if err != nil {
				t.Fatalf("ParseCertificate: %v", err)
			}
			if err := cert.CheckSignatureFrom(cert); err != nil {
				t.Errorf("signature: %v", err)
			}
			if cert.Extensions.SubjectKeyID == nil || cert.Extensions.BasicConstraints == nil {
				t.Errorf("extensions not decoded: %+v", cert.Extensions)
			}
			// The old authorityKeyIdentifier 2.5.29.1 is kept as an unknown one.
			extra := cert.Extensions.Extra
			if len(extra) != 1 || extra[0].Id.String() != "2.5.29.1" {
				t.Errorf("Extra = %v, want the 2.5.29.1 extension", cert.Extensions.Extra)
			}
		})
	}
}

// TestRFC4491Legacy parses the GOST R 34.10-94 and -2001 certificates of
// RFC 4491; verifying them reports the unsupported algorithm.
func TestRFC4491Legacy(t *testing.T) {
	tests := []struct {
		name   string
		keyAlg PublicKeyAlgorithm
		sigAlg SignatureAlgorithm
	}{
		{"rfc4491-s4.1-gostr3410-94-cert.pem", GOST94, GOST94WithGOST94},
		{"rfc4491-s4.2-gostr3410-2001-cert.pem", GOST2001, GOST2001WithGOST94},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert, err := ParseCertificate(readPEM(t, vector(tt.name)))
			if err != nil {
				t.Fatalf("ParseCertificate: %v", err)
			}
			if cert.PublicKeyAlgorithm != tt.keyAlg || cert.SignatureAlgorithm != tt.sigAlg {
				t.Errorf("algorithms = %v, %v; want %v, %v",
					cert.PublicKeyAlgorithm, cert.SignatureAlgorithm, tt.keyAlg, tt.sigAlg)
			}
			err = cert.CheckSignatureFrom(cert)
			if !errors.Is(err, ErrUnsupportedAlgorithm) {
				t.Fatalf("CheckSignatureFrom = %v, want ErrUnsupportedAlgorithm", err)
			}
			if !strings.HasPrefix(err.Error(), "pki: unsupported algorithm") {
				t.Errorf("message %q does not name the unsupported algorithm", err)
			}
			_, err = Verify(cert, VerifyOptions{Roots: []*Certificate{cert}, At: cert.NotBefore})
			if err != nil {
				t.Errorf("a trusted root is accepted as given, got %v", err)
			}
		})
	}
}

// TestUnsupportedCurveParses reads a well-formed certificate whose ECDSA key
// is on P-192: it parses with no usable key, and using the key as an issuer
// reports the unsupported algorithm rather than a malformed certificate.
func TestUnsupportedCurveParses(t *testing.T) {
	cert, err := ParseCertificate(readPEM(t, vector("openssl-cmp-intermediate-ca-p192.crt")))
	if err != nil {
		t.Fatalf("ParseCertificate: %v", err)
	}
	if cert.PublicKey != nil {
		t.Errorf("PublicKey = %T, want nil for a P-192 key", cert.PublicKey)
	}
	if cert.Subject.CommonName != "ZwischenCA" {
		t.Errorf("subject CN = %q, want ZwischenCA", cert.Subject.CommonName)
	}
	leaf := &Certificate{}
	*leaf = *cert
	if err := leaf.CheckSignatureFrom(cert); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("CheckSignatureFrom a P-192 issuer = %v, want ErrUnsupportedAlgorithm", err)
	}
}
