package main

import (
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"rekey/cmp"
	"rekey/internal/ossltest"
	"rekey/media"
	"rekey/pki"
	"rekey/subscriber"
)

var cmdProfiles = []*pki.Profile{pki.ProfileGOST256, pki.ProfileECDSA}

// TestRenewFlow runs the manual through the commands against a CMP
// operator on 127.0.0.1: a key with 20 days left, the reminder, keys,
// renew, a sync that waits for approval, the approval, a sync that
// installs the certificate and archives the old key.
func TestRenewFlow(t *testing.T) {
	for _, prof := range cmdProfiles {
		t.Run(prof.Name, func(t *testing.T) {
			clock := &tclock{t: testNow}
			op := newOperator(t, prof, clock)
			h := newHome(t, clock)
			old := op.enroll(t, h.drive, testNow.AddDate(0, 0, 20)).ID()

			// S4 and rekey keys: expiring, the reminder names the command.
			out, stderr := h.must("keys")
			if !strings.Contains(stderr, "rekey renew "+old) || !strings.Contains(stderr, "20 days") {
				t.Errorf("no reminder on stderr:\n%s", stderr)
			}
			for _, want := range []string{old, "expiring", "ООО Тест", "Тестовый Тест Тестович",
				"009901888821", h.drive} {
				if !strings.Contains(out, want) {
					t.Errorf("keys: no %q in\n%s", want, out)
				}
			}
			k := h.keys()[old]
			if k.State != subscriber.StateExpiring || *k.DaysLeft != 20 || k.Subject.INN != "009901888821" ||
				k.Media != h.drive || k.Certificate != filepath.Join(h.drive, old+".rekey", "cert.pem") ||
				!k.KeyExpires.Equal(testNow.AddDate(0, 0, 20)) {
				t.Errorf("keys --json: %+v", k)
			}

			// S6–S15.
			out, _ = h.must("renew", old[:8], "--yes", "--password-file", h.curPW,
				"--new-password-file", h.newPW)
			for _, want := range []string{"New key and certificate request", "009901888821",
				"within a day", "Back up", "rekey sync", "Keys queued: 1 of 1"} {
				if !strings.Contains(out, want) {
					t.Errorf("renew: no %q in\n%s", want, out)
				}
			}
			if kurs, _, _ := op.auth.counts(); kurs != 0 {
				t.Fatalf("renew sent %d requests", kurs)
			}
			if st := h.keys()[old].State; st != subscriber.StateRequested {
				t.Errorf("after renew: %s", st)
			}

			// S16: sent, waiting for the operator.
			code, _, stderr := h.rekey("sync")
			if code != 1 || !strings.Contains(stderr, "hint: answer it with a flag: --password-file") {
				t.Errorf("sync without a password and a terminal: exit %d\n%s", code, stderr)
			}
			out, _ = h.must("sync", "--password-file", h.curPW)
			if !strings.Contains(out, "is sent") || !strings.Contains(out, "not issued yet") {
				t.Errorf("first sync:\n%s", out)
			}
			if st := h.keys()[old].State; st != subscriber.StateWaiting {
				t.Errorf("after sync: %s", st)
			}

			// S17: approved; the next sync installs and archives.
			op.auth.approveAll()
			clock.Set(testNow.Add(2 * time.Hour))
			out, _ = h.must("sync", "--json", "--password-file", h.curPW)
			var sr subscriber.SyncResult
			if err := json.Unmarshal([]byte(out), &sr); err != nil || len(sr.Renewed) != 1 {
				t.Fatalf("sync --json: %v\n%s", err, out)
			}
			r := sr.Renewed[0]
			ks := h.keys()
			if ks[old].State != subscriber.StateArchived || ks[r.NewKey].State != subscriber.StateValid ||
				*ks[r.NewKey].DaysLeft < 360 || ks[r.NewKey].Certificate == "" {
				t.Errorf("after install: old %+v, new %+v", ks[old], ks[r.NewKey])
			}
			out, _ = h.must("keys")
			if !strings.Contains(out, r.KeyExpires.In(subscriber.Moscow()).Format("2006-01-02")) {
				t.Errorf("keys does not show the new last day:\n%s", out)
			}
			if _, _, conf := op.auth.counts(); conf != 1 {
				t.Errorf("%d confirmations", conf)
			}
			if out, _ := h.must("sync", "--password-file", h.curPW); !strings.Contains(out, "nothing to send") {
				t.Errorf("a further sync:\n%s", out)
			}
			verifyWithOpenSSL(t, op, ks[r.NewKey].Certificate)
		})
	}
}

// verifyWithOpenSSL checks a certificate against the operator's CA with
// openssl verify (with the GOST engine).
func verifyWithOpenSSL(t *testing.T, op *operatorPeer, certPath string) {
	t.Helper()
	o := ossltest.Require(t)
	dir := t.TempDir()
	caPath := filepath.Join(dir, "ca.pem")
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: op.ca.Raw})
	if err := os.WriteFile(caPath, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	at := strconv.FormatInt(op.clock.Now().Add(time.Hour).Unix(), 10)
	out, err := o.Exec(nil, "verify", "-attime", at, "-CAfile", caPath, certPath)
	if err != nil {
		t.Fatalf("openssl verify: %v\n%s", err, out)
	}
}

// TestRenewRefusals: the last day and an expired key are refused with the
// office text; a wrong current password leaves nothing behind.
func TestRenewRefusals(t *testing.T) {
	clock := &tclock{t: testNow}
	op := newOperator(t, pki.ProfileECDSA, clock)
	h := newHome(t, clock)
	keyExpires := testNow.AddDate(0, 0, 20)
	old := op.enroll(t, h.drive, keyExpires).ID()
	args := []string{"renew", old, "--yes", "--password-file", h.curPW, "--new-password-file", h.newPW}

	wrong := filepath.Join(h.dir, "wrong.txt")
	os.WriteFile(wrong, []byte("not the password\n"), 0o600)
	code, _, stderr := h.rekey("renew", old, "--yes", "--password-file", wrong,
		"--new-password-file", h.newPW)
	if code != 1 || !strings.Contains(stderr, "rekey: error: key "+old+": wrong password") ||
		!strings.Contains(stderr, "hint: ") {
		t.Errorf("wrong password: exit %d\n%s", code, stderr)
	}
	if n := len(h.keys()); n != 1 {
		t.Errorf("a wrong password left %d keys", n)
	}

	// The last day, in Moscow: the key expires at 15:00 MSK on its day.
	clock.Set(keyExpires.Add(-time.Hour))
	code, out, stderr := h.rekey(args...)
	if code != 1 || !strings.Contains(stderr, "today is its last day") ||
		!strings.Contains(stderr, "hint: replace the key in the operator's office") ||
		!strings.Contains(out+stderr, "Today is the last day of key") {
		t.Errorf("last day: exit %d\n%s\n%s", code, out, stderr)
	}
	clock.Set(keyExpires.Add(24 * time.Hour))
	code, _, stderr = h.rekey(append(args, "--lang", "ru")...)
	if code != 1 || !strings.Contains(stderr, "срок действия истёк") ||
		!strings.Contains(stderr, "офисе") {
		t.Errorf("expired: exit %d\n%s", code, stderr)
	}
	if kurs, _, _ := op.auth.counts(); kurs != 0 || len(h.keys()) != 1 {
		t.Errorf("refusals sent %d requests", kurs)
	}
}

// TestNoTerminal: a question no flag answers fails, naming the flag.
func TestNoTerminal(t *testing.T) {
	clock := &tclock{t: testNow}
	op := newOperator(t, pki.ProfileECDSA, clock)
	h := newHome(t, clock)
	old := op.enroll(t, h.drive, testNow.AddDate(0, 0, 20)).ID()
	tests := []struct {
		args []string
		flag string
	}{
		{[]string{"renew", old}, "--yes"},
		{[]string{"renew", old, "--yes"}, "--new-password-file"},
		{[]string{"renew", old, "--yes", "--new-password-file", h.newPW}, "--password-file"},
	}
	for _, tt := range tests {
		code, _, stderr := h.rekey(tt.args...)
		if code != 1 || !strings.Contains(stderr, "there is no terminal") ||
			!strings.Contains(stderr, "hint: answer it with a flag: "+tt.flag) {
			t.Errorf("%v: exit %d\n%s", tt.args, code, stderr)
		}
	}
	if code, _, stderr := h.rekey("renew"); code != 2 || !strings.Contains(stderr, "--all-expiring") {
		t.Errorf("renew without keys: exit %d\n%s", code, stderr)
	}
	if len(h.keys()) != 1 {
		t.Error("a refused renewal left a key")
	}
}

// TestSyncRefusals: the media missing during sync, the operator
// unreachable and the operator's refusal (a changed subject) each give a
// clear message; the next sync succeeds when the cause is gone.
func TestSyncRefusals(t *testing.T) {
	clock := &tclock{t: testNow}
	op := newOperator(t, pki.ProfileGOST256, clock)
	op.auth.auto = true
	h := newHome(t, clock)
	old := op.enroll(t, h.drive, testNow.AddDate(0, 0, 20)).ID()
	h.must("renew", old, "--yes", "--password-file", h.curPW, "--new-password-file", h.newPW)

	away := h.drive + ".away"
	os.Rename(h.drive, away)
	code, _, stderr := h.rekey("sync", "--password-file", h.curPW)
	if code != 1 || !strings.Contains(stderr, "is not present") ||
		!strings.Contains(stderr, "hint: insert the media") {
		t.Errorf("media missing: exit %d\n%s", code, stderr)
	}
	os.Rename(away, h.drive)

	op.setDown(true)
	for i := 1; i <= 2; i++ {
		code, _, stderr = h.rekey("sync", "--password-file", h.curPW)
		if code != 1 || !strings.Contains(stderr, "cannot be reached (attempt ") ||
			!strings.Contains(stderr, "hint: the request stays queued") {
			t.Errorf("unreachable %d: exit %d\n%s", i, code, stderr)
		}
	}
	if kurs, _, _ := op.auth.counts(); kurs != 0 {
		t.Fatalf("%d requests reached the operator", kurs)
	}
	op.setDown(false)
	out, _ := h.must("sync", "--password-file", h.curPW)
	if !strings.Contains(out, "is renewed") {
		t.Errorf("sync after the operator is back:\n%s", out)
	}
	if ks := h.keys(); ks[old].State != subscriber.StateArchived {
		t.Errorf("old key %s", ks[old].State)
	}
}

// TestSubjectChanged: the operator refuses because the details changed;
// the office text reaches the subscriber in his language.
func TestSubjectChanged(t *testing.T) {
	clock := &tclock{t: testNow}
	op := newOperator(t, pki.ProfileECDSA, clock)
	op.auth.refusal = cmp.Refuse(cmp.FailBadCertTemplate,
		"реквизиты владельца изменились: замена ключа только в офисе, тел. 610-5-610",
		"the holder's details have changed: replace the key in the office, tel. 610-5-610")
	h := newHome(t, clock)
	old := op.enroll(t, h.drive, testNow.AddDate(0, 0, 20)).ID()
	h.must("renew", old, "--yes", "--password-file", h.curPW, "--new-password-file", h.newPW)
	code, _, stderr := h.rekey("sync", "--lang", "ru", "--password-file", h.curPW)
	if code != 1 || !strings.Contains(stderr, "оператор отклонил замену") ||
		!strings.Contains(stderr, "только в офисе, тел. 610-5-610") {
		t.Errorf("refused: exit %d\n%s", code, stderr)
	}
	if ks := h.keys(); ks[old].State != subscriber.StateExpiring {
		t.Errorf("the old key after a refusal: %s", ks[old].State)
	}
}

// TestBackup copies a container and verifies the copy.
func TestBackup(t *testing.T) {
	clock := &tclock{t: testNow}
	op := newOperator(t, pki.ProfileECDSA, clock)
	h := newHome(t, clock)
	old := op.enroll(t, h.drive, testNow.AddDate(0, 0, 200)).ID()
	to := filepath.Join(h.dir, "backup")
	os.Mkdir(to, 0o700)
	out, _ := h.must("backup", old[:6], "--to", to, "--password-file", h.curPW, "--json")
	var res subscriber.BackupResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Key != old {
		t.Fatalf("backup --json: %v\n%s", err, out)
	}
	ct, err := media.Load(res.To)
	if err != nil || ct.ID() != old {
		t.Fatalf("the copy: %v", err)
	}
	if code, _, stderr := h.rekey("backup", old, "--password-file", h.curPW); code != 2 ||
		!strings.Contains(stderr, "to") {
		t.Errorf("backup without --to: exit %d\n%s", code, stderr)
	}
}
