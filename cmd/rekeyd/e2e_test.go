package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"rekey/internal/ossltest"
	"rekey/internal/pgtest"
	"rekey/internal/softhsmtest"
	"rekey/pki"
)

// TestEnrollOpenSSLRequest: init → enroll --csr with an OpenSSL-made
// request → the certificate verifies with openssl verify.
func TestEnrollOpenSSLRequest(t *testing.T) {
	o := ossltest.Require(t)
	for _, p := range []struct {
		profile string
		newkey  []string
	}{
		{"gost2012-256", []string{"-newkey", "gost2012_256", "-pkeyopt", "paramset:A"}},
		{"ecdsa-p256", []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"}},
	} {
		t.Run(p.profile, func(t *testing.T) {
			work := t.TempDir()
			dir := filepath.Join(work, "op")
			must(t, nil, "init", "--dir", dir, "--profile", p.profile, "--ca-name", "Тест УЦ")
			csr, key := filepath.Join(work, "req.csr"), filepath.Join(work, "key.pem")
			o.Run(t, nil, append(append([]string{"req", "-new"}, p.newkey...), "-nodes",
				"-keyout", key, "-subj", "/CN=openssl", "-out", csr)...)
			cert := filepath.Join(work, "cert.pem")
			end := time.Now().AddDate(0, 0, 100).Format("2006-01-02")
			r := must(t, nil, "enroll", "--dir", dir, "--subject",
				subjectFile(t, work, "ООО Ромашка"), "--not-after", end, "--csr", csr, "--out", cert)
			if !strings.Contains(r.stdout, cert) {
				t.Errorf("enroll said %q", r.stdout)
			}
			o.Run(t, nil, "verify", "-CAfile", filepath.Join(dir, "ca.pem"), cert)
			c := readCert(t, cert)
			if got := c.NotAfter.In(moscow(t)).Format("2006-01-02"); got != end {
				t.Errorf("notAfter %s, want the end of %s in Moscow", c.NotAfter, end)
			}
			if c.Subject.CommonName != "ООО Ромашка" || c.Subject.SNILS != "11223344595" {
				t.Errorf("subject %s: not the subject file's", c.Subject)
			}
			// The same key again is refused.
			r = runRekeyd(t, nil, "enroll", "--dir", dir, "--subject",
				subjectFile(t, work, "ООО Ромашка"), "--csr", csr, "--out", cert+"2")
			if r.code != 1 || !strings.Contains(r.stderr, "certified before") {
				t.Errorf("enrolling a key again: exit %d\n%s", r.code, r.stderr)
			}
		})
	}
}

// TestServeKUR: kur by our CMP client against rekeyd serve, with
// automatic and with manual approval (requests --json, approve, poll),
// then the admin commands and the HTTP endpoints.
func TestServeKUR(t *testing.T) {
	for _, approval := range []string{"auto", "manual"} {
		t.Run(approval, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "op")
			must(t, nil, "init", "--dir", dir, "--approval", approval)
			s := enrollKey(t, dir, pki.ProfileGOST256, "ООО Ромашка")
			srv := serve(t, dir)
			c := srv.client(t, dir)
			var approve func()
			if approval == "manual" {
				approve = func() { approveWaiting(t, dir) }
			}
			next := renew(t, c, s, pki.ProfileGOST256, approve)
			if next.cert.Subject.CommonName != "ООО Ромашка" {
				t.Errorf("renewed subject %s", next.cert.Subject)
			}
			renew(t, c, next, pki.ProfileGOST256, approve)

			var confirmed []map[string]any
			r := must(t, nil, "requests", "--dir", dir, "--state", "confirmed", "--json")
			if err := json.Unmarshal([]byte(r.stdout), &confirmed); err != nil ||
				len(confirmed) != 2 {
				t.Fatalf("requests --json: %v\n%s", err, r.stdout)
			}
			for _, k := range []string{"id", "state", "subscriber", "received_at"} {
				if _, ok := confirmed[0][k]; !ok {
					t.Errorf("requests --json lacks %q: %v", k, confirmed[0])
				}
			}
			checkEndpoints(t, srv, dir)
			must(t, nil, "audit", "verify", "--dir", dir)
		})
	}
}

// approveWaiting approves the one waiting request with rekeyd approve.
func approveWaiting(t *testing.T, dir string) {
	t.Helper()
	var list []struct {
		ID    int64  `json:"id"`
		State string `json:"state"`
	}
	r := must(t, nil, "requests", "--dir", dir, "--state", "waiting", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != 1 {
		t.Fatalf("waiting requests: %v\n%s", err, r.stdout)
	}
	must(t, nil, "approve", "--dir", dir, strconv.FormatInt(list[0].ID, 10))
}

// checkEndpoints fetches the CA certificate, the CRL, the metrics and the
// health check.
func checkEndpoints(t *testing.T, srv *server, dir string) {
	t.Helper()
	code, body := srv.get(t, "/ca.pem")
	want, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if code != 200 || string(body) != string(want) {
		t.Errorf("GET /ca.pem: %d", code)
	}
	code, body = srv.get(t, "/crl")
	if code != 200 {
		t.Fatalf("GET /crl: %d", code)
	}
	crl, err := pki.ParseCRL(body)
	if err != nil {
		t.Fatalf("GET /crl: %v", err)
	}
	if err := crl.CheckSignatureFrom(readCert(t, filepath.Join(dir, "ca.pem"))); err != nil {
		t.Errorf("CRL signature: %v", err)
	}
	code, body = srv.get(t, "/metrics")
	for _, m := range []string{`rekeyd_cmp_requests_total{body="kur"`,
		"rekeyd_certificates_issued_total 2", "rekeyd_requests_waiting 0",
		"rekeyd_requests_oldest_waiting_age_seconds", "rekeyd_requests_overdue 0",
		"rekeyd_cmp_request_duration_seconds_bucket"} {
		if !strings.Contains(string(body), m) {
			t.Errorf("GET /metrics (%d) lacks %s", code, m)
		}
	}
	if code, body = srv.get(t, "/healthz"); code != 200 {
		t.Errorf("GET /healthz: %d %s", code, body)
	}
}

// TestOpenSSLCmpKUR: openssl cmp -cmd kur (ECDSA) against rekeyd serve.
func TestOpenSSLCmpKUR(t *testing.T) {
	o := ossltest.Require(t)
	work := t.TempDir()
	dir := filepath.Join(work, "op")
	must(t, nil, "init", "--dir", dir, "--profile", "ecdsa-p256", "--approval", "auto")
	path := func(n string) string { return filepath.Join(work, n) }
	for _, k := range []string{"k1.pem", "k2.pem"} {
		o.Run(t, nil, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
			"-out", path(k))
	}
	o.Run(t, nil, "req", "-new", "-key", path("k1.pem"), "-subj", "/CN=x", "-out", path("r.csr"))
	must(t, nil, "enroll", "--dir", dir, "--subject", subjectFile(t, work, "ООО Ромашка"),
		"--csr", path("r.csr"), "--out", path("c1.pem"))
	srv := serve(t, dir)
	o.Run(t, nil, "cmp", "-cmd", "kur", "-server", strings.TrimPrefix(srv.url, "http://"),
		"-path", ".well-known/cmp", "-srvcert", filepath.Join(dir, "ca.pem"),
		"-cert", path("c1.pem"), "-key", path("k1.pem"), "-newkey", path("k2.pem"),
		"-certout", path("c2.pem"), "-msg_timeout", "20", "-total_timeout", "30")
	o.Run(t, nil, "verify", "-CAfile", filepath.Join(dir, "ca.pem"), path("c2.pem"))
	c1, c2 := readCert(t, path("c1.pem")), readCert(t, path("c2.pem"))
	if string(c1.RawSubject) != string(c2.RawSubject) {
		t.Errorf("subject changed: %s → %s", c1.Subject, c2.Subject)
	}
	r := must(t, nil, "requests", "--dir", dir, "--state", "confirmed", "--json")
	if !strings.Contains(r.stdout, `"state": "confirmed"`) {
		t.Errorf("openssl's certConf did not confirm:\n%s", r.stdout)
	}
}

// TestSoftHSMCAKey: the CA key generated in SoftHSM2 through PKCS#11:
// init, enroll, serve, kur.
func TestSoftHSMCAKey(t *testing.T) {
	tok := softhsmtest.Require(t)
	dir := filepath.Join(t.TempDir(), "op")
	uri := "pkcs11:token=" + tok.Label + ";object=rekeyd-ca?module-path=" + tok.Module
	pin := "REKEYD_CA_PASSWORD=" + tok.PIN
	r := runRekeyd(t, []string{pin}, "init", "--dir", dir, "--profile", "ecdsa-p256",
		"--approval", "auto", "--ca-key", uri)
	if r.code != 0 {
		t.Fatalf("init with the HSM: %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "ca-key.pem")); !os.IsNotExist(err) {
		t.Errorf("a CA key file exists beside the HSM key: %v", err)
	}
	// A wrong PIN is refused with a hint.
	r = runRekeyd(t, []string{"REKEYD_CA_PASSWORD=00000000"}, "crl", "--dir", dir, "--out",
		filepath.Join(dir, "x.crl"))
	if r.code != 1 || !strings.Contains(r.stderr, "hint:") {
		t.Errorf("wrong PIN: exit %d\n%s", r.code, r.stderr)
	}
	// enroll signs with the HSM key too.
	key := enrollWithPIN(t, dir, pin)
	srv := serve(t, dir, pin)
	renew(t, srv.client(t, dir), key, pki.ProfileECDSA, nil)
	must(t, nil, "audit", "verify", "--dir", dir)
}

// enrollWithPIN enrolls an ECDSA key with the HSM's PIN in the environment.
func enrollWithPIN(t *testing.T, dir, pin string) *enrolled {
	t.Helper()
	key, err := pki.ProfileECDSA.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pki.CreateCertificateRequest(&pki.RequestTemplate{
		Subject: &pki.Subject{CommonName: "x"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	csrPath, out := filepath.Join(work, "r.csr"), filepath.Join(work, "c.pem")
	os.WriteFile(csrPath, csr, 0o600)
	r := runRekeyd(t, []string{pin}, "enroll", "--dir", dir, "--subject",
		subjectFile(t, work, "ООО Ромашка"), "--csr", csrPath, "--out", out)
	if r.code != 0 {
		t.Fatalf("enroll: %d\n%s", r.code, r.stderr)
	}
	return &enrolled{cert: readCert(t, out), key: key}
}

// TestPostgres: init --db postgres://… and a kur against it.
func TestPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	dir := filepath.Join(t.TempDir(), "op")
	must(t, nil, "init", "--dir", dir, "--db", dsn, "--approval", "manual")
	if _, err := os.Stat(filepath.Join(dir, "rekeyd.db")); !os.IsNotExist(err) {
		t.Errorf("a SQLite file exists with PostgreSQL: %v", err)
	}
	s := enrollKey(t, dir, pki.ProfileGOST256, "ООО Ромашка")
	srv := serve(t, dir)
	renew(t, srv.client(t, dir), s, pki.ProfileGOST256, func() { approveWaiting(t, dir) })
	must(t, nil, "audit", "verify", "--dir", dir)
	r := must(t, nil, "subscribers", "--dir", dir, "--json")
	var subs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &subs); err != nil || len(subs) != 1 {
		t.Errorf("subscribers --json: %v\n%s", err, r.stdout)
	}
}

func moscow(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
