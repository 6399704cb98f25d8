package cmp

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"rekey/internal/ossltest"
	"rekey/pki"
)

// TestOpenSSLRequests has OpenSSL 3's "openssl cmp" client write its
// requests (-reqout) without a server: -rspin names a file that does not
// exist, so the client stops after writing the request. Each request must
// decode, re-encode byte for byte and verify (protection and POP).
func TestOpenSSLRequests(t *testing.T) {
	o := ossltest.Require(t)
	profiles := []struct {
		name    string
		genpkey []string
		digest  string
		mac     string
	}{
		{"ecdsa", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"},
			"sha256", ""},
		// openssl cmp takes GOST digests by their long names only.
		{"gost2012-256", []string{"-algorithm", "gost2012_256", "-pkeyopt", "paramset:A"},
			"GOST R 34.11-2012 with 256 bit hash", "HMAC GOST 34.11-2012 512 bit"},
	}
	const secret = "one-time 4787"
	for _, p := range profiles {
		t.Run(p.name, func(t *testing.T) {
			dir := t.TempDir()
			path := func(name string) string { return filepath.Join(dir, name) }
			for _, k := range []string{"old.key", "new.key"} {
				o.Run(t, nil, append(append([]string{"genpkey"}, p.genpkey...), "-out", path(k))...)
			}
			o.Run(t, nil, "req", "-x509", "-new", "-key", path("old.key"), "-subj",
				"/CN=rekey subscriber/O=Test", "-days", "30", "-out", path("old.pem"))
			old := loadCert(t, path("old.pem"))
			common := []string{"-recipient", "/CN=rekey CA", "-rspin", path("no-response"),
				"-digest", p.digest}
			signed := []string{"-cert", path("old.pem"), "-key", path("old.key")}
			requests := []struct {
				cmd  string
				args []string
				want BodyType
				mac  bool
			}{
				{"ir", []string{"-secret", "pass:" + secret, "-ref", "4787", "-subject", "/CN=new",
					"-newkey", path("new.key"), "-certout", path("out.pem")}, TypeIR, true},
				{"kur", append([]string{"-newkey", path("new.key"), "-certout", path("out.pem")},
					signed...), TypeKUR, false},
				{"rr", append([]string{"-oldcert", path("old.pem"), "-revreason", "1"}, signed...),
					TypeRR, false},
				{"genm", signed, TypeGenM, false},
				{"p10cr", append([]string{"-csr", "testdata/openssl-cmp/pkcs10.der",
					"-certout", path("out.pem")}, signed...), TypeP10CR, false},
			}
			for _, r := range requests {
				t.Run(r.cmd, func(t *testing.T) {
					out := path(r.cmd + ".der")
					args := append([]string{"cmp", "-cmd", r.cmd, "-reqout", out}, common...)
					if r.mac && p.mac != "" {
						args = append(args, "-mac", p.mac)
					}
					o.Exec(nil, append(args, r.args...)...) // fails: no response
					der, err := os.ReadFile(out)
					if err != nil {
						t.Fatalf("openssl wrote no request: %v", err)
					}
					checkOpenSSLRequest(t, der, r.want, r.mac, []byte(secret), old)
				})
			}
		})
	}
}

func checkOpenSSLRequest(t *testing.T, der []byte, want BodyType, mac bool, secret []byte,
	old *pki.Certificate) {
	t.Helper()
	m, err := ParseMessage(der)
	if err != nil {
		t.Fatalf("ParseMessage: %v", err)
	}
	if out, err := m.Marshal(); err != nil || !bytes.Equal(out, der) {
		t.Fatalf("re-encoding differs (%v)", err)
	}
	if m.Body.Type != want {
		t.Fatalf("got body %s, want %s", m.Body.Type, want)
	}
	if mac {
		if err := m.VerifyMAC(secret); err != nil {
			t.Errorf("VerifyMAC: %v", err)
		}
	} else {
		// OpenSSL 3.0 leaves a self-signed protection certificate out of
		// extraCerts: the verifier must know it (by senderKID or sender).
		var candidates []*pki.Certificate
		if len(m.ExtraCerts) == 0 {
			candidates = append(candidates, old)
		}
		got, err := m.VerifySignature(candidates...)
		if err != nil {
			t.Fatalf("VerifySignature: %v", err)
		} else if !bytes.Equal(got.Raw, old.Raw) {
			t.Errorf("verified with another certificate than the old one")
		}
	}
	for i := range m.Body.CertReq {
		r := &m.Body.CertReq[i]
		if err := r.VerifyPOP(); err != nil {
			t.Errorf("VerifyPOP: %v", err)
		}
		if want != TypeKUR {
			continue
		}
		id, ok, err := r.CertReq.OldCertID()
		if !ok || err != nil {
			t.Fatalf("kur without oldCertID: %v", err)
		}
		issuer, _ := id.Issuer.Directory()
		if id.SerialNumber.Cmp(old.SerialNumber) != 0 || !bytes.Equal(issuer, old.RawIssuer) {
			t.Errorf("oldCertID names another certificate")
		}
		if !bytes.Equal(r.CertReq.Template.Subject, old.RawSubject) {
			t.Errorf("kur template subject differs from the old certificate")
		}
	}
	if want == TypeRR {
		rd := m.Body.RevReq[0]
		if reason, ok, err := rd.Reason(); !ok || err != nil || reason != 1 {
			t.Errorf("rr reason %d %v %v", reason, ok, err)
		}
		if rd.CertDetails.SerialNumber.Cmp(old.SerialNumber) != 0 {
			t.Errorf("rr names another serial number")
		}
	}
	if want == TypeP10CR {
		if _, err := pki.ParseCertificateRequest(m.Body.P10CR); err != nil {
			t.Errorf("p10cr request: %v", err)
		}
	}
}
