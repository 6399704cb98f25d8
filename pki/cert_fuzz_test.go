package pki

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// seedFiles returns the DER of every PEM file in testdata/vectors and
// testdata/chain whose name contains one of kinds. It fails f when there
// are none: an empty seed corpus would fuzz nothing while looking green.
func seedFiles(f *testing.F, kinds ...string) [][]byte {
	f.Helper()
	var out [][]byte
	for _, dir := range []string{"vectors", "chain"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.pem"))
		for _, name := range files {
			for _, k := range kinds {
				if strings.Contains(filepath.Base(name), k) {
					out = append(out, readPEM(f, name))
					break
				}
			}
		}
	}
	if len(out) == 0 {
		f.Fatalf("no seed files for %v", kinds)
	}
	return out
}

// checkExtensionsRoundTrip re-encodes decoded extensions and decodes them
// again; the decoded form must not change.
func checkExtensionsRoundTrip(t *testing.T, e Extensions) {
	t.Helper()
	raw, err := e.marshal()
	if err != nil {
		t.Fatalf("re-encoding parsed extensions: %v", err)
	}
	again, err := parseExtensions(raw)
	if err != nil {
		t.Fatalf("parsing re-encoded extensions: %v", err)
	}
	if !reflect.DeepEqual(again, e) {
		t.Fatalf("extensions round trip\n got %+v\nwant %+v", again, e)
	}
}

// checkKeyRoundTrip re-encodes a parsed key and parses it again.
func checkKeyRoundTrip(t *testing.T, pub any) {
	t.Helper()
	if pub == nil {
		return
	}
	der, err := MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatalf("re-encoding parsed key: %v", err)
	}
	again, err := ParsePKIXPublicKey(der)
	if err != nil || !publicKeysEqual(again, pub) {
		t.Fatalf("key round trip: %v", err)
	}
}

func FuzzParseCertificate(f *testing.F) {
	for _, der := range seedFiles(f, "cert", "root", "leaf", "intermediate", "issuer", "ca-") {
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := ParseCertificate(der)
		if err != nil {
			return
		}
		if !bytes.Equal(c.Raw, der) || !bytes.Contains(der, c.RawTBSCertificate) {
			t.Fatal("raw fields are not the input")
		}
		checkExtensionsRoundTrip(t, c.Extensions)
		checkKeyRoundTrip(t, c.PublicKey)
		_ = c.CheckSignatureFrom(c) // must not panic
		_ = c.KeyExpires()
		_, _ = Verify(c, VerifyOptions{Roots: []*Certificate{c}, At: c.NotBefore})
	})
}

func FuzzParseCertificateRequest(f *testing.F) {
	for _, der := range seedFiles(f, "req") {
		f.Add(der)
	}
	key, err := ProfileGOST256.GenerateKey(nil)
	if err != nil {
		f.Fatal(err)
	}
	der, err := CreateCertificateRequest(&RequestTemplate{
		Subject: &Subject{CommonName: "Fuzz"}, Extensions: fullExtensions()}, key)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(der)
	f.Fuzz(func(t *testing.T, der []byte) {
		r, err := ParseCertificateRequest(der)
		if err != nil {
			return
		}
		checkExtensionsRoundTrip(t, r.Extensions)
		checkKeyRoundTrip(t, r.PublicKey)
		_ = r.CheckSignature()
	})
}

func FuzzParseCRL(f *testing.F) {
	for _, der := range seedFiles(f, "crl") {
		f.Add(der)
	}
	ca := issue(f, ProfileECDSA, certSpec{cn: "Fuzz CA", ca: true, pathLen: -1}, nil)
	der, err := CreateCRL(testCRLTemplate(), ca.cert, ca.key)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(der)
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := ParseCRL(der)
		if err != nil {
			return
		}
		if !bytes.Equal(c.Raw, der) {
			t.Fatal("Raw is not the input")
		}
		for _, r := range c.Revoked {
			if c.IsRevoked(r.SerialNumber) == nil {
				t.Fatalf("entry %v is not found", r.SerialNumber)
			}
		}
		_ = c.CheckSignatureFrom(ca.cert)
	})
}

func FuzzParsePKIXPublicKey(f *testing.F) {
	for _, der := range seedFiles(f, "cert", "root", "leaf") {
		c, err := ParseCertificate(der)
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(c.RawSubjectPublicKeyInfo))
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		pub, err := ParsePKIXPublicKey(der)
		if err != nil {
			return
		}
		checkKeyRoundTrip(t, pub)
	})
}
