package pki

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "write the chain fixtures in testdata/chain again")

// chainFixtures makes the certificates of testdata/chain, each named after
// what it is or after its defect. Validity is 2026–2036 unless the defect
// is about time; the tests check at testNow (2027-06-01).
func chainFixtures(t *testing.T) map[string][]byte {
	out := make(map[string][]byte)
	put := func(name string, c *issued) *issued { out[name] = c.cert.Raw; return c }
	ca := func(cn string, serial int64) certSpec {
		return certSpec{cn: cn, serial: serial, ca: true, pathLen: -1}
	}
	leaf := func(cn string, serial int64) certSpec { return certSpec{cn: cn, serial: serial} }

	// The good chains.
	g512 := put("gost512-root", issue(t, ProfileGOST512, ca("GOST 512 Root", 1), nil))
	put("gost256-leaf", issue(t, ProfileGOST256, leaf("GOST 256 Leaf", 2), g512))
	ec := put("ecdsa-root", issue(t, ProfileECDSA, ca("ECDSA Root", 1), nil))
	put("gost256-leaf-under-ecdsa", issue(t, ProfileGOST256, leaf("GOST Leaf under ECDSA", 2), ec))
	put("ecdsa-leaf-under-gost512", issue(t, ProfileECDSA, leaf("ECDSA Leaf under GOST", 3), g512))
	mid := put("gost512-intermediate-under-ecdsa",
		issue(t, ProfileGOST512, ca("GOST 512 Intermediate", 3), ec))
	put("gost256-leaf-under-intermediate", issue(t, ProfileGOST256, leaf("GOST Leaf 2", 4), mid))

	// One defect each.
	expired := leaf("Expired Leaf", 10)
	expired.notBefore = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	expired.notAfter = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	put("gost256-leaf-expired", issue(t, ProfileGOST256, expired, g512))

	future := leaf("Future Leaf", 11)
	future.notBefore = time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
	put("gost256-leaf-not-yet-valid", issue(t, ProfileGOST256, future, g512))

	bad := issue(t, ProfileGOST256, leaf("Bad Signature Leaf", 12), g512)
	tampered := bytes.Clone(bad.cert.Raw)
	tampered[len(tampered)-1] ^= 0x80
	out["gost256-leaf-bad-signature"] = tampered

	other := issue(t, ProfileGOST512, ca("Other GOST Root", 1), nil)
	put("gost256-leaf-wrong-issuer", issue(t, ProfileGOST256, leaf("Leaf of Another CA", 13), other))

	notCA := issue(t, ProfileGOST256, leaf("Not a CA", 14), g512)
	out["gost256-issuer-not-ca"] = notCA.cert.Raw
	notCALeaf := issue(t, ProfileGOST256, leaf("Leaf of a non-CA", 15), nil)
	out["gost256-leaf-under-not-ca"] = resign(t, notCALeaf, notCA)

	noSign := ca("CA without keyCertSign", 16)
	noSign.ext = &Extensions{BasicConstraints: &BasicConstraints{IsCA: true, MaxPathLen: -1},
		KeyUsage: 1 << 6} // cRLSign only
	// Issued by hand: CreateCertificate itself refuses such an issuer.
	noSignCA := put("gost512-ca-without-keycertsign", issue(t, ProfileGOST512, noSign, g512))
	noSignLeaf := issue(t, ProfileGOST256, leaf("Leaf of a CA without keyCertSign", 17), nil)
	out["gost256-leaf-under-ca-without-keycertsign"] = resign(t, noSignLeaf, noSignCA)

	pl0 := ca("Root with pathLen 0", 1)
	pl0.pathLen = 0
	root0 := put("gost512-root-pathlen-0", issue(t, ProfileGOST512, pl0, nil))
	mid0 := put("gost512-intermediate-under-pathlen-0",
		issue(t, ProfileGOST512, ca("Intermediate below pathLen 0", 18), root0))
	put("gost256-leaf-path-too-long", issue(t, ProfileGOST256, leaf("Leaf too deep", 19), mid0))

	oldMid := ca("Expired Intermediate", 20)
	oldMid.notBefore = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	oldMid.notAfter = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	expMid := put("gost512-intermediate-expired", issue(t, ProfileGOST512, oldMid, g512))
	// The leaf outlives its issuer; issued while the issuer was valid.
	put("gost256-leaf-under-expired-intermediate",
		issue(t, ProfileGOST256, leaf("Leaf of an expired CA", 21), expMid))

	crit := leaf("Leaf with an unknown critical extension", 22)
	crit.ext = &Extensions{Extra: []pkix.Extension{
		{Id: asn1.ObjectIdentifier{1, 2, 3, 4, 5}, Critical: true, Value: []byte{5, 0}}}}
	put("gost256-leaf-unknown-critical-extension", issue(t, ProfileGOST256, crit, g512))
	return out
}

// resign signs child's TBS again as if by issuer, bypassing
// CreateCertificate's checks of the issuer (to make defective fixtures).
func resign(t *testing.T, child, issuer *issued) []byte {
	t.Helper()
	spec := certSpec{cn: child.cert.Subject.CommonName, serial: child.cert.SerialNumber.Int64()}
	tmpl := spec.template(t)
	saved := issuer.cert.Extensions
	issuer.cert.Extensions.KeyUsage = 0
	issuer.cert.Extensions.BasicConstraints = &BasicConstraints{IsCA: true, MaxPathLen: -1}
	defer func() { issuer.cert.Extensions = saved }()
	der, err := CreateCertificate(tmpl, issuer.cert, child.key.Public(), issuer.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func chainDir() string { return filepath.Join("testdata", "chain") }

// TestChainFixtures writes testdata/chain with -update; otherwise it checks
// that every fixture is there and parses.
func TestChainFixtures(t *testing.T) {
	if *update {
		fx := chainFixtures(t)
		if err := os.MkdirAll(chainDir(), 0o755); err != nil {
			t.Fatal(err)
		}
		names := make([]string, 0, len(fx))
		for name, der := range fx {
			names = append(names, name)
			data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
			path := filepath.Join(chainDir(), name+".pem")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		sort.Strings(names)
		t.Logf("wrote %s", strings.Join(names, ", "))
	}
	files, _ := filepath.Glob(filepath.Join(chainDir(), "*.pem"))
	if len(files) == 0 {
		t.Fatal("no fixtures in testdata/chain; run with -update")
	}
	for _, f := range files {
		if _, err := ParseCertificate(readPEM(t, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func chainCert(t *testing.T, name string) *Certificate {
	t.Helper()
	return mustParseCert(t, readPEM(t, filepath.Join(chainDir(), name+".pem")))
}

func chainCerts(t *testing.T, names ...string) []*Certificate {
	var out []*Certificate
	for _, n := range names {
		out = append(out, chainCert(t, n))
	}
	return out
}

func TestVerifyGoodChains(t *testing.T) {
	tests := []struct {
		name          string
		leaf          string
		intermediates []string
		roots         []string
		wantLen       int
	}{
		{"GOST 256 leaf under GOST 512 root", "gost256-leaf", nil, []string{"gost512-root"}, 2},
		{"GOST leaf under ECDSA root", "gost256-leaf-under-ecdsa", nil, []string{"ecdsa-root"}, 2},
		{"ECDSA leaf under GOST root", "ecdsa-leaf-under-gost512", nil, []string{"gost512-root"}, 2},
		{"ECDSA root, GOST intermediate, GOST leaf", "gost256-leaf-under-intermediate",
			[]string{"gost512-root", "gost512-intermediate-under-ecdsa"},
			[]string{"gost512-root", "ecdsa-root"}, 3},
		{"root as leaf", "gost512-root", nil, []string{"gost512-root"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, err := Verify(chainCert(t, tt.leaf), VerifyOptions{
				Roots:         chainCerts(t, tt.roots...),
				Intermediates: chainCerts(t, tt.intermediates...),
				At:            testNow,
			})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if len(path) != tt.wantLen {
				t.Errorf("path of %d certificates, want %d", len(path), tt.wantLen)
			}
		})
	}
}

func TestVerifyDefects(t *testing.T) {
	tests := []struct {
		leaf          string
		intermediates []string
		at            time.Time
		want          Reason
		wantMsg       string
		wantCN        string // the certificate the error names, when it matters
	}{
		{"gost256-leaf-expired", nil, testNow, Expired, "pki: certificate has expired", ""},
		{"gost256-leaf-not-yet-valid", nil, testNow, NotYetValid, "pki: certificate is not yet valid", ""},
		{"gost256-leaf", nil, time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC), Expired,
			"pki: certificate has expired", ""},
		{"gost256-leaf-bad-signature", nil, testNow, BadSignature,
			"pki: certificate signature does not verify", ""},
		{"gost256-leaf-wrong-issuer", nil, testNow, UnknownIssuer,
			"pki: certificate is signed by an unknown issuer", ""},
		{"gost256-leaf-under-not-ca", []string{"gost256-issuer-not-ca"}, testNow, NotCA,
			"pki: issuer certificate is not a CA", ""},
		{"gost256-leaf-under-ca-without-keycertsign", []string{"gost512-ca-without-keycertsign"},
			testNow, NoCertSignUsage, "pki: issuer key usage does not allow signing certificates", ""},
		{"gost256-leaf-path-too-long", []string{"gost512-intermediate-under-pathlen-0"}, testNow,
			PathTooLong, "pki: certificate path exceeds the issuer's path length constraint", ""},
		{"gost256-leaf-under-expired-intermediate", []string{"gost512-intermediate-expired"},
			testNow, Expired, "pki: certificate has expired", "Expired Intermediate"},
		{"gost256-leaf-unknown-critical-extension", nil, testNow, UnhandledCriticalExtension,
			"pki: certificate has an unhandled critical extension", ""},
	}
	roots := chainCerts(t, "gost512-root", "ecdsa-root", "gost512-root-pathlen-0")
	for _, tt := range tests {
		t.Run(tt.leaf+"/"+tt.want.String(), func(t *testing.T) {
			_, err := Verify(chainCert(t, tt.leaf), VerifyOptions{
				Roots: roots, Intermediates: chainCerts(t, tt.intermediates...), At: tt.at})
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a *VerifyError", err)
			}
			if ve.Reason != tt.want || !strings.HasPrefix(err.Error(), tt.wantMsg) {
				t.Errorf("got %v (reason %d), want reason %v %q",
					err, ve.Reason, tt.want, tt.wantMsg)
			}
			if tt.wantCN != "" && ve.Cert.Subject.CommonName != tt.wantCN {
				t.Errorf("error is about %q, want %q", ve.Cert.Subject.CommonName, tt.wantCN)
			}
		})
	}
	// Every reason has its own message.
	msgs := make(map[string]Reason)
	for r := Expired; r <= UnhandledCriticalExtension; r++ {
		if prev, ok := msgs[r.String()]; ok {
			t.Errorf("reasons %d and %d share the message %q", prev, r, r.String())
		}
		msgs[r.String()] = r
	}
}

func TestVerifyUnsupportedAlgorithm(t *testing.T) {
	// The GOST R 34.10-2001 certificate of RFC 4491 as a root, and itself
	// as the leaf's issuer: its key cannot verify anything.
	legacy := mustParseCert(t, readPEM(t, vector("rfc4491-s4.2-gostr3410-2001-cert.pem")))
	legacyCA := *legacy
	legacyCA.Raw = append([]byte{}, legacy.Raw...)
	legacyCA.Raw[len(legacyCA.Raw)-1] ^= 1 // another certificate with the same name
	legacyCA.Extensions.BasicConstraints = &BasicConstraints{IsCA: true, MaxPathLen: -1}
	leaf := &Certificate{Raw: []byte{1}, RawIssuer: legacy.RawSubject,
		NotBefore: legacy.NotBefore, NotAfter: legacy.NotAfter,
		SignatureAlgorithm: GOST2001WithGOST94}
	_, err := Verify(leaf, VerifyOptions{Roots: []*Certificate{&legacyCA}, At: legacy.NotBefore})
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.Reason != UnsupportedAlgorithm ||
		!errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("got %v, want UnsupportedAlgorithm", err)
	}
}

func TestVerifyNeedsTime(t *testing.T) {
	if _, err := Verify(chainCert(t, "gost256-leaf"), VerifyOptions{}); err == nil {
		t.Errorf("Verify without a time succeeded")
	}
}
