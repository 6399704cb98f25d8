package cmp

import (
	"bytes"
	"encoding/hex"
	"encoding/pem"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rekey/internal/ossltest"
)

// TestOpenSSLClientAgainstServer runs OpenSSL 3's "openssl cmp" client
// against a Server of this package (with the test Authority) on
// 127.0.0.1, in the ECDSA and the GOST profile: ir with a one-time secret,
// certConf, kur with the old certificate and key, certConf, genm, rr, and
// a kur delivered later (waiting, pollReq, pollRep, pollReq, kup), and a
// kur with the revoked certificate, which must be refused.
//
// What OpenSSL 3.0 itself cannot do, and how the server copes: it knows
// no PBMAC1, so a MAC-protected request is answered with PasswordBasedMac
// of the request's family; it takes a GOST digest only by its long name
// ("-digest"); its genm without -infotype asks for nothing, answered with
// an empty genp; it cannot ask for our renewal window, id-it-caCerts or
// id-it-crls (3.0 has no names for them), so those are covered by our
// own client only.
func TestOpenSSLClientAgainstServer(t *testing.T) {
	o := ossltest.Require(t)
	profiles := []struct {
		name, party string
		genpkey     []string
		digest, mac string
	}{
		{"ecdsa", "ecdsa", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"},
			"sha256", "hmac-sha1"},
		{"gost2012-256", "gost256", []string{"-algorithm", "gost2012_256", "-pkeyopt",
			"paramset:A"}, "GOST R 34.11-2012 with 256 bit hash", "HMAC GOST 34.11-2012 512 bit"},
	}
	for _, p := range profiles {
		t.Run(p.name, func(t *testing.T) {
			e := newTestEnv(t, p.party, nil)
			e.auth.secrets[hex.EncodeToString([]byte("4787"))] = []byte("s3cret")
			dir := t.TempDir()
			path := func(name string) string { return filepath.Join(dir, name) }
			caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.ca.cert.Raw})
			ossltest.WriteFile(t, dir, "ca.pem", caPEM)
			for _, k := range []string{"first.key", "second.key", "third.key", "fourth.key"} {
				o.Run(t, nil, append(append([]string{"genpkey"}, p.genpkey...), "-out", path(k))...)
			}
			common := []string{"-server", strings.TrimPrefix(e.http.URL, "http://"),
				"-path", strings.TrimPrefix(WellKnownPath, "/"),
				"-recipient", "/CN=" + e.ca.cert.Subject.CommonName, "-digest", p.digest,
				"-srvcert", path("ca.pem"), "-msg_timeout", "20", "-total_timeout", "30"}
			run := func(what string, args ...string) {
				t.Helper()
				if out, err := o.Exec(nil, append(append([]string{"cmp"}, args...),
					common...)...); err != nil {
					t.Fatalf("%s: %v\n%s", what, err, out)
				}
			}
			run("ir", "-cmd", "ir", "-secret", "pass:s3cret", "-ref", "4787", "-mac", p.mac,
				"-subject", "/CN=first/O=Test", "-newkey", path("first.key"),
				"-certout", path("first.pem"))
			first := loadCert(t, path("first.pem"))
			run("kur", "-cmd", "kur", "-cert", path("first.pem"), "-key", path("first.key"),
				"-newkey", path("second.key"), "-certout", path("second.pem"))
			second := loadCert(t, path("second.pem"))
			if !bytes.Equal(first.RawSubject, second.RawSubject) {
				t.Errorf("kur changed the subject")
			}
			// Delayed delivery: waiting, pollReq, pollRep (1 s), pollReq, kup.
			e.auth.mu.Lock()
			e.auth.delay, e.auth.pollAfter = 2, time.Second
			e.auth.mu.Unlock()
			run("kur (delayed)", "-cmd", "kur", "-cert", path("second.pem"), "-key",
				path("second.key"), "-newkey", path("fourth.key"), "-certout", path("fourth.pem"))
			e.auth.mu.Lock()
			e.auth.delay = 0
			e.auth.mu.Unlock()
			if fourth := loadCert(t, path("fourth.pem")); !bytes.Equal(fourth.RawSubject,
				first.RawSubject) {
				t.Errorf("delayed kur changed the subject")
			}
			run("genm", "-cmd", "genm", "-cert", path("second.pem"), "-key", path("second.key"))
			run("rr", "-cmd", "rr", "-oldcert", path("first.pem"), "-revreason", "1",
				"-cert", path("first.pem"), "-key", path("first.key"))
			// The revoked certificate can no longer update its key.
			out, err := o.Exec(nil, append([]string{"cmp", "-cmd", "kur", "-cert",
				path("first.pem"), "-key", path("first.key"), "-newkey", path("third.key"),
				"-certout", path("third.pem")}, common...)...)
			if err == nil {
				t.Fatalf("kur with a revoked certificate succeeded:\n%s", out)
			}
			if !strings.Contains(err.Error()+string(out), "certRevoked") {
				t.Errorf("kur with a revoked certificate: %v\n%s\n%s", err, out, e.logs)
			}
			e.auth.mu.Lock()
			defer e.auth.mu.Unlock()
			if got := strings.Join(e.auth.calls, " "); got !=
				"enroll confirm update confirm update poll poll confirm genm revoke" {
				t.Errorf("Authority calls %q", got)
			}
		})
	}
}
