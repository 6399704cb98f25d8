package pki

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// seedCertificates returns the certificates of testdata and those of the
// shared vectors (any file, PEM or DER, that the reference parses).
func seedCertificates(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, root := range []string{"testdata", sharedVectors} {
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return nil
			}
			for _, der := range derBlobs(data) {
				if _, err := refParseCertificate(der); err == nil {
					out = append(out, der)
				}
			}
			return nil
		})
		if len(out) == 0 {
			tb.Fatal("no certificates in testdata: the seed corpus would be empty")
		}
	}
	return out
}

// checkCertificateSameAsReference parses der with ParseCertificate and with
// the reference and fails t unless both give the same Certificate or the
// same error; a malformed name need only be reported as one.
func checkCertificateSameAsReference(t *testing.T, der []byte) {
	t.Helper()
	got, err := ParseCertificate(der)
	want, wantErr := refParseCertificate(der)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("ParseCertificate(%x): got error %v, reference %v", der, err, wantErr)
	case err != nil:
		if !sameParseError(err, wantErr) {
			t.Fatalf("ParseCertificate(%x): got error %q, reference %q", der, err, wantErr)
		}
	case !reflect.DeepEqual(got, want):
		t.Fatalf("ParseCertificate(%x):\n got %#v\nwant %#v", der, got, want)
	}
}

// sameParseError reports whether err and the reference's want are the same
// error: the same text, or both a malformed name structure in the same
// place (whose detail came from encoding/asn1 before).
func sameParseError(err, want error) bool {
	if err.Error() == want.Error() {
		return true
	}
	const marker = "pki: malformed name: "
	i, j := strings.Index(err.Error(), marker), strings.Index(want.Error(), marker)
	return i >= 0 && i == j && err.Error()[:i] == want.Error()[:j] &&
		!strings.HasSuffix(err.Error(), " trailing bytes") &&
		!strings.HasSuffix(want.Error(), " trailing bytes")
}

// TestParseCertificateSameAsReference runs the differential check on the
// seeds and on truncations and one-byte changes of the part of each
// testdata certificate before its key.
func TestParseCertificateSameAsReference(t *testing.T) {
	seeds := seedCertificates(t)
	for _, der := range seeds {
		checkCertificateSameAsReference(t, der)
	}
	if testing.Short() {
		return
	}
	for _, der := range seeds {
		c, err := ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		head := len(der) - len(c.RawTBSCertificate) + strings.Index(string(c.RawTBSCertificate),
			string(c.RawSubjectPublicKeyInfo))
		mutated := make([]byte, len(der))
		for i := 0; i < head; i++ {
			checkCertificateSameAsReference(t, der[:i])
			for _, b := range []byte{0x00, 0x80, 0xff, der[i] ^ 0x20, der[i] + 1} {
				copy(mutated, der)
				mutated[i] = b
				checkCertificateSameAsReference(t, mutated)
			}
		}
	}
}

func FuzzParseCertificateDifferential(f *testing.F) {
	for _, der := range seedCertificates(f) {
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		checkCertificateSameAsReference(t, der)
	})
}

// TestNamedCurveSameAsReference compares namedCurve with the
// encoding/asn1 reference on curve parameters met in the field and broken.
func TestNamedCurveSameAsReference(t *testing.T) {
	params := [][]byte{nil, {0x05, 0x00}, {0x06, 0x00}, {0x06, 0x01, 0x80},
		{0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x00},                   // trailing byte
		{0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07}, // brainpoolP256r1
		{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x01},       // P-192
		{0x30, 0x03, 0x02, 0x01, 0x01}}                                     // explicit parameters
	params = append(params, supportedNamedCurvesDER...)
	for _, p := range params {
		_, err := namedCurve(p)
		want := refCheckNamedCurve(p)
		if (err == nil) != (want == nil) || err != nil && err.Error() != want.Error() {
			t.Errorf("namedCurve(%x): got %v, reference %v", p, err, want)
		}
	}
}

// checkSPKISameAsReference compares parseSPKI with the reference, which
// handed ECDSA keys to crypto/x509: same key, algorithm and error text.
func checkSPKISameAsReference(t *testing.T, der []byte) {
	t.Helper()
	pub, alg, err := parseSPKI(der)
	wantPub, wantAlg, wantErr := refParseSPKI(der)
	if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("parseSPKI(%x): got error %v, reference %v", der, err, wantErr)
	}
	if alg != wantAlg || !reflect.DeepEqual(pub, wantPub) {
		t.Fatalf("parseSPKI(%x): got %v %#v, reference %v %#v", der, alg, pub, wantAlg, wantPub)
	}
}

// seedSPKIs returns the public keys of the seed certificates.
func seedSPKIs(tb testing.TB) [][]byte {
	var out [][]byte
	for _, der := range seedCertificates(tb) {
		c, err := refParseCertificate(der)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, c.RawSubjectPublicKeyInfo)
	}
	return out
}

// TestParseSPKISameAsReference checks every truncation and many one-byte
// changes of the ECDSA keys, and the keys of the other algorithms as they
// are.
func TestParseSPKISameAsReference(t *testing.T) {
	for _, der := range seedSPKIs(t) {
		checkSPKISameAsReference(t, der)
		if testing.Short() || !bytes.Contains(der, supportedNamedCurvesDER[1]) {
			continue
		}
		mutated := make([]byte, len(der))
		for i := range der {
			checkSPKISameAsReference(t, der[:i])
			for _, b := range []byte{0x00, 0x01, 0x07, 0x08, 0x80, 0xff, der[i] ^ 0x01} {
				copy(mutated, der)
				mutated[i] = b
				checkSPKISameAsReference(t, mutated)
			}
		}
	}
}

func FuzzParseSPKIDifferential(f *testing.F) {
	for _, der := range seedSPKIs(f) {
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		checkSPKISameAsReference(t, der)
	})
}
