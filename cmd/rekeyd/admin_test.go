package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"rekey/cmp"
	"rekey/internal/ossltest"
	"rekey/media"
	"rekey/pki"
)

// TestEnrollMedia: enroll --media makes a container that package media
// reads: the key opens with the password and is the certificate's, the CA
// certificate and the operator URL are there.
func TestEnrollMedia(t *testing.T) {
	work := t.TempDir()
	dir, root := filepath.Join(work, "op"), filepath.Join(work, "usb")
	os.Mkdir(root, 0o700)
	must(t, nil, "init", "--dir", dir, "--url", "http://ca.example:8080/.well-known/cmp")
	pw := filepath.Join(work, "pw")
	os.WriteFile(pw, []byte("пароль ключа\n"), 0o600)
	r := must(t, nil, "enroll", "--dir", dir, "--subject", subjectFile(t, work, "ИП Петров"),
		"--media", root, "--password-file", pw, "--days", "90")
	cs, errs := media.NewFinder("", root).Find()
	if len(errs) != 0 || len(cs) != 1 {
		t.Fatalf("containers: %d, errors %v\n%s", len(cs), errs, r.stdout)
	}
	c := cs[0]
	if c.State() != media.StateActive || c.Certificate == nil {
		t.Fatalf("container state %s", c.State())
	}
	if c.OperatorURL != "http://ca.example:8080/.well-known/cmp" {
		t.Errorf("operator URL %q", c.OperatorURL)
	}
	if err := c.Certificate.CheckSignatureFrom(c.CA); err != nil {
		t.Errorf("certificate: %v", err)
	}
	if c.Certificate.Subject.CommonName != "ИП Петров" || c.Manifest.Profile != "gost2012-256" {
		t.Errorf("subject %s, profile %s", c.Certificate.Subject, c.Manifest.Profile)
	}
	if _, err := c.Unlock([]byte("пароль ключа")); err != nil {
		t.Errorf("unlock: %v", err)
	}
	if _, err := c.Unlock([]byte("wrong")); err == nil {
		t.Error("the key opened with a wrong password")
	}
}

// TestEnrollSecretIR: enroll --secret-out issues a one-time secret; an ir
// with it against rekeyd serve gets the registered subject.
func TestEnrollSecretIR(t *testing.T) {
	work := t.TempDir()
	dir := filepath.Join(work, "op")
	must(t, nil, "init", "--dir", dir, "--approval", "manual")
	out := filepath.Join(work, "secret.json")
	r := must(t, nil, "enroll", "--dir", dir, "--subject", subjectFile(t, work, "ООО Лютик"),
		"--secret-out", out)
	var sec struct{ Reference, Secret string }
	data, _ := os.ReadFile(out)
	if err := json.Unmarshal(data, &sec); err != nil || !strings.Contains(r.stdout, sec.Reference) {
		t.Fatalf("secret file: %v\n%s\n%s", err, data, r.stdout)
	}
	srv := serve(t, dir)
	c := srv.client(t, dir)
	key, _ := pki.ProfileGOST256.GenerateKey(rand.Reader)
	ctx := context.Background()
	res, err := c.Enroll(ctx, &cmp.EnrollOptions{Reference: []byte(sec.Reference),
		Secret: []byte(sec.Secret), NewKey: key})
	if err != nil || res.Certificate == nil {
		t.Fatalf("ir: %v", err)
	}
	if res.Certificate.Subject.CommonName != "ООО Лютик" {
		t.Errorf("subject %s", res.Certificate.Subject)
	}
	cred := cmp.MACCredentials([]byte(sec.Reference), []byte(sec.Secret))
	if err := c.Confirm(ctx, res.State, cred, true); err != nil {
		t.Fatalf("certConf: %v", err)
	}
	// The new certificate renews; manual approval queues it.
	s := &enrolled{cert: res.Certificate, key: key}
	renew(t, c, s, pki.ProfileGOST256, func() { approveWaiting(t, dir) })
}

// TestAdminCommands: reject, revoke, crl and subscribers.
func TestAdminCommands(t *testing.T) {
	o := requireOpenSSLOptional(t)
	work := t.TempDir()
	dir := filepath.Join(work, "op")
	must(t, nil, "init", "--dir", dir, "--approval", "manual", "--profile", "ecdsa-p256")
	s := enrollKey(t, dir, pki.ProfileECDSA, "ООО Ромашка")
	srv := serve(t, dir)
	c := srv.client(t, dir)
	key, _ := pki.ProfileECDSA.GenerateKey(rand.Reader)
	res, err := c.UpdateKey(context.Background(), &cmp.KeyUpdateOptions{Current: s.cert,
		CurrentKey: s.key, NewKey: key})
	if err != nil || res.Certificate != nil {
		t.Fatalf("kur: %v", err)
	}
	r := must(t, nil, "requests", "--dir", dir)
	if !strings.Contains(r.stdout, "waiting") || !strings.Contains(r.stdout, "ООО Ромашка") {
		t.Errorf("requests:\n%s", r.stdout)
	}
	if r := runRekeyd(t, nil, "reject", "--dir", dir, "1"); r.code != 2 {
		t.Errorf("reject without a reason: exit %d", r.code)
	}
	must(t, nil, "reject", "--dir", dir, "1", "--reason", "нет доверенности")
	if r := runRekeyd(t, nil, "approve", "--dir", dir, "1"); r.code != 1 ||
		!strings.Contains(r.stderr, "no longer awaits") {
		t.Errorf("approving a rejected request: exit %d\n%s", r.code, r.stderr)
	}
	c.Clock = func() time.Time { return time.Now().Add(10 * time.Second) }
	_, err = c.Poll(context.Background(), res.State, cmp.SignatureCredentials(s.cert, s.key))
	var se *cmp.ServerError
	if !errors.As(err, &se) || !strings.Contains(se.Text(cmp.LangRU), "нет доверенности") {
		t.Errorf("poll after rejection: %v", err)
	}

	serial := fmt.Sprintf("%x", s.cert.SerialNumber)
	if r := runRekeyd(t, nil, "revoke", "--dir", dir, serial, "--reason", "lostIt"); r.code != 2 {
		t.Errorf("unknown reason: exit %d", r.code)
	}
	must(t, nil, "revoke", "--dir", dir, serial, "--reason", "keyCompromise")
	crlPath := filepath.Join(work, "ca.crl")
	must(t, nil, "crl", "--dir", dir, "--out", crlPath)
	der, _ := os.ReadFile(crlPath)
	crl, err := pki.ParseCRL(der)
	if err != nil {
		t.Fatal(err)
	}
	if e := crl.IsRevoked(s.cert.SerialNumber); e == nil || e.Reason != pki.CRLReason(1) {
		t.Errorf("the CRL does not list %s as keyCompromise", serial)
	}
	if o != nil {
		o.Run(t, nil, "crl", "-inform", "DER", "-in", crlPath, "-noout",
			"-CAfile", filepath.Join(dir, "ca.pem"))
	}

	enrollKey(t, dir, pki.ProfileECDSA, "ООО Лютик")
	r = must(t, nil, "subscribers", "--dir", dir, "--json", "--expiring-within", "400d")
	var subs []struct {
		Name, Status string
		DaysLeft     int `json:"days_left"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &subs); err != nil || len(subs) != 1 ||
		subs[0].Name != "ООО Лютик" || subs[0].DaysLeft < 360 {
		t.Fatalf("subscribers: %v\n%s", err, r.stdout)
	}
	r = must(t, nil, "subscribers", "--dir", dir, "--json", "--expiring-within", "30d")
	if strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("expiring within 30d:\n%s", r.stdout)
	}
	r = must(t, nil, "subscribers", "--dir", dir)
	if !strings.Contains(r.stdout, "ООО Лютик") || !strings.Contains(r.stdout, "revoked") {
		t.Errorf("subscribers:\n%s", r.stdout)
	}
	must(t, nil, "audit", "verify", "--dir", dir)
}

// TestAuditVerifyDetectsTampering: a changed audit record makes audit
// verify fail and name the record.
func TestAuditVerifyDetectsTampering(t *testing.T) {
	work := t.TempDir()
	dir := filepath.Join(work, "op")
	must(t, nil, "init", "--dir", dir)
	enrollKey(t, dir, pki.ProfileGOST256, "ООО Ромашка")
	r := must(t, nil, "audit", "verify", "--dir", dir)
	if !strings.Contains(r.stdout, "intact") {
		t.Errorf("audit verify: %s", r.stdout)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "rekeyd.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit_log SET actor = 'someone else' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	r = runRekeyd(t, nil, "audit", "verify", "--dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "rekeyd: error: the audit trail is broken") ||
		!strings.Contains(r.stderr, "record 2") || !strings.Contains(r.stderr, "hint:") {
		t.Errorf("tampered audit: exit %d\n%s", r.code, r.stderr)
	}
}

// TestErrorsAndHints: errors are "rekeyd: error:" lines with hints, in
// English and Russian, with the exit codes of package cli.
func TestErrorsAndHints(t *testing.T) {
	work := t.TempDir()
	dir := filepath.Join(work, "op")
	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no dir", []string{"requests"}, 2, []string{"rekeyd: error: no operator directory",
			"hint: give --dir DIR"}},
		{"not initialized", []string{"requests", "--dir", work}, 1,
			[]string{"is not an operator directory", "hint: create it with rekeyd init"}},
		{"russian", []string{"--lang", "ru", "requests", "--dir", work}, 1,
			[]string{"rekeyd: error: " + work + " — не каталог оператора", "hint: создайте его"}},
		{"bad state", []string{"requests", "--dir", work, "--state", "lost"}, 2,
			[]string{`unknown state "lost"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runRekeyd(t, nil, c.args...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d\n%s", r.code, c.code, r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
		})
	}
	must(t, nil, "init", "--dir", dir)
	if r := runRekeyd(t, nil, "init", "--dir", dir); r.code != 1 ||
		!strings.Contains(r.stderr, "already holds an operator") {
		t.Errorf("init twice: exit %d\n%s", r.code, r.stderr)
	}
	if r := runRekeyd(t, []string{"REKEYD_CA_PASSWORD=wrong"}, "crl", "--dir", dir, "--out",
		filepath.Join(work, "x.crl")); r.code != 1 || !strings.Contains(r.stderr, "cannot open the CA key") {
		t.Errorf("wrong CA password: exit %d\n%s", r.code, r.stderr)
	}

	// The subject file: unknown keys and bad check digits name the field.
	for _, s := range []struct{ json, want string }{
		{`{"CN":"x","INN":"7707083893","nickname":"y"}`, `"nickname"`},
		{`{"CN":"x","SNILS":"11223344596"}`, "SNILS"},
		{`{"CN":"x","OGRN":"1027700132196"}`, "OGRN"},
	} {
		p := filepath.Join(work, "subject.json")
		os.WriteFile(p, []byte(s.json), 0o600)
		r := runRekeyd(t, nil, "enroll", "--dir", dir, "--subject", p, "--secret-out",
			filepath.Join(work, "s.json"))
		if r.code != 1 || !strings.Contains(r.stderr, s.want) ||
			!strings.Contains(r.stderr, "hint:") {
			t.Errorf("subject %s: exit %d\n%s", s.json, r.code, r.stderr)
		}
	}
}

// requireOpenSSLOptional returns OpenSSL for an extra check: required when
// REKEY_REQUIRE_OPENSSL is set, else nil when it is missing.
func requireOpenSSLOptional(t *testing.T) *ossltest.OpenSSL {
	if os.Getenv("REKEY_REQUIRE_OPENSSL") != "" {
		return ossltest.Require(t)
	}
	o, err := ossltest.Locate()
	if err != nil {
		return nil
	}
	return o
}

// TestCommandsWithoutCAKey: the commands that sign nothing run without
// the CA key's password; those that sign say how to give it.
func TestCommandsWithoutCAKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "op")
	must(t, nil, "init", "--dir", dir)
	noPassword := []string{"REKEYD_CA_PASSWORD="}
	for _, args := range [][]string{
		{"requests", "--dir", dir, "--json"},
		{"subscribers", "--dir", dir},
		{"audit", "verify", "--dir", dir},
	} {
		if r := runRekeyd(t, noPassword, args...); r.code != 0 {
			t.Errorf("%v without the CA password: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	r := runRekeyd(t, noPassword, "approve", "--dir", dir, "7")
	if r.code != 1 || !strings.Contains(r.stderr, "there is no request 7") {
		t.Errorf("approve without the CA password: exit %d\n%s", r.code, r.stderr)
	}
	r = runRekeyd(t, noPassword, "crl", "--dir", dir, "--out", filepath.Join(dir, "x.crl"))
	if r.code != 1 || !strings.Contains(r.stderr, "hint: give --ca-password-file FILE") {
		t.Errorf("crl without the CA password: exit %d\n%s", r.code, r.stderr)
	}
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte(caPassword+"\n"), 0o600)
	must(t, noPassword, "crl", "--dir", dir, "--out", filepath.Join(dir, "x.crl"),
		"--ca-password-file", pw)
}
