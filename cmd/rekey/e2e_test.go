package main

// End-to-end tests of issue 6: the rekey and rekeyd binaries, built once
// per test process, run as subprocesses; rekeyd serves CMP on 127.0.0.1.

import (
	"bytes"
	"crypto"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"rekey/internal/ossltest"
	"rekey/internal/softhsmtest"
	"rekey/media"
	"rekey/media/token"
	"rekey/pki"
	"rekey/subscriber"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

const binPrefix = "rekey-e2e-bin-"

// binaries builds rekey and rekeyd once per test process, into a
// directory named after the process; those of processes that have ended
// are removed first.
func binaries(t *testing.T) (rekeyBin, rekeydBin string) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end tests build and run the binaries; not with -short")
	}
	buildOnce.Do(func() {
		old, _ := filepath.Glob(filepath.Join(os.TempDir(), binPrefix+"*"))
		for _, d := range old {
			rest := strings.TrimPrefix(filepath.Base(d), binPrefix)
			pid, err := strconv.Atoi(strings.SplitN(rest, "-", 2)[0])
			if err == nil && pid != os.Getpid() && syscall.Kill(pid, 0) == syscall.ESRCH {
				os.RemoveAll(d)
			}
		}
		binDir, buildErr = os.MkdirTemp("", fmt.Sprintf("%s%d-", binPrefix, os.Getpid()))
		if buildErr != nil {
			return
		}
		for _, name := range []string{"rekey", "rekeyd"} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, name), "./cmd/"+name)
			cmd.Dir = "../.."
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build ./cmd/%s: %v\n%s", name, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "rekey"), filepath.Join(binDir, "rekeyd")
}

// e2eSubject is the holder's details file of rekeyd enroll.
const e2eSubject = `{"C":"RU","ST":"78 г. Санкт-Петербург","L":"Санкт-Петербург",` +
	`"street":"Ленинский пр. 168","O":"ООО Тест","OU":"Администрация","title":"Директор",` +
	`"CN":"ООО Тест","surname":"Тестовый","givenName":"Тест Тестович",` +
	`"emailAddress":"test@test.ru","INN":"009901888821"}`

// rekeydPeer is a rekeyd operator directory and its server process.
type rekeydPeer struct {
	t       *testing.T
	bin     string
	dir     string
	capw    string
	listen  string
	url     string
	profile string
	serve   *exec.Cmd
	log     *bytes.Buffer
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// newRekeyd runs rekeyd init and starts rekeyd serve.
func newRekeyd(t *testing.T, profile, approval string) *rekeydPeer {
	t.Helper()
	_, bin := binaries(t)
	dir := t.TempDir()
	p := &rekeydPeer{t: t, bin: bin, dir: filepath.Join(dir, "operator"),
		capw: filepath.Join(dir, "ca-password"), listen: freePort(t), profile: profile}
	p.url = "http://" + p.listen + "/.well-known/cmp"
	os.WriteFile(p.capw, []byte("ca key password\n"), 0o600)
	p.run("init", "--profile", profile, "--approval", approval, "--ca-name", "Тестовый УЦ",
		"--url", p.url, "--listen", p.listen)
	p.start()
	t.Cleanup(p.stop)
	return p
}

// run runs a rekeyd command that must succeed and returns its output.
func (p *rekeydPeer) run(args ...string) string {
	p.t.Helper()
	args = append(args, "--dir", p.dir, "--ca-password-file", p.capw)
	cmd := exec.Command(p.bin, args...)
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		p.t.Fatalf("rekeyd %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// start starts rekeyd serve and waits until it answers.
func (p *rekeydPeer) start() {
	p.t.Helper()
	p.log = &bytes.Buffer{}
	p.serve = exec.Command(p.bin, "serve", "--dir", p.dir, "--ca-password-file", p.capw,
		"--listen", p.listen)
	p.serve.Stdout, p.serve.Stderr = p.log, p.log
	if err := p.serve.Start(); err != nil {
		p.t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		resp, err := http.Get("http://" + p.listen + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.stop()
	p.t.Fatalf("rekeyd serve does not answer:\n%s", p.log)
}

// stop ends rekeyd serve (SIGTERM, then SIGKILL after 5 s).
func (p *rekeydPeer) stop() {
	if p.serve == nil || p.serve.Process == nil {
		return
	}
	p.serve.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { p.serve.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		p.serve.Process.Kill()
		<-done
	}
	p.serve = nil
}

// enroll registers a subscriber with a key container on mediaDir whose
// certificate ends in days, and returns the subscriber's id.
func (p *rekeydPeer) enroll(mediaDir, passwordFile string, days int) string {
	p.t.Helper()
	subj := filepath.Join(p.t.TempDir(), "subject.json")
	os.WriteFile(subj, []byte(e2eSubject), 0o600)
	out := p.run("enroll", "--subject", subj, "--days", strconv.Itoa(days), "--media", mediaDir,
		"--password-file", passwordFile)
	m := regexp.MustCompile(`Subscriber (\d+)`).FindStringSubmatch(out)
	if m == nil {
		p.t.Fatalf("rekeyd enroll said:\n%s", out)
	}
	return m[1]
}

// request is an entry of rekeyd requests --json.
type request struct {
	ID           int64  `json:"id"`
	State        string `json:"state"`
	SubscriberID int64  `json:"subscriber_id"`
}

func (p *rekeydPeer) requests() []request {
	p.t.Helper()
	out := p.run("requests", "--json")
	var rs []request
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		p.t.Fatalf("rekeyd requests --json: %v\n%s", err, out)
	}
	return rs
}

// approveAll approves every waiting request.
func (p *rekeydPeer) approveAll() int {
	p.t.Helper()
	n := 0
	for _, r := range p.requests() {
		if r.State == "waiting" {
			p.run("approve", strconv.FormatInt(r.ID, 10))
			n++
		}
	}
	return n
}

// e2eHome is a subscriber's machine: a drive, a spool, password files.
type e2eHome struct {
	t      *testing.T
	bin    string
	dir    string
	drive  string
	spool  string
	curPW  string
	newPW  string
	extra  []string // flags of every command
	env    []string // more environment
	crash  string   // REKEY_TEST_CRASH_AT
	testAt string   // REKEY_TEST_NOW
}

func newE2EHome(t *testing.T) *e2eHome {
	t.Helper()
	bin, _ := binaries(t)
	dir := t.TempDir()
	h := &e2eHome{t: t, bin: bin, dir: dir, drive: filepath.Join(dir, "FLASH"),
		spool: filepath.Join(dir, "spool"), curPW: filepath.Join(dir, "cur.txt"),
		newPW: filepath.Join(dir, "new.txt")}
	os.MkdirAll(h.drive, 0o700)
	os.WriteFile(h.curPW, []byte(curPassword+"\n"), 0o600)
	os.WriteFile(h.newPW, []byte(newPassword+"\n"), 0o600)
	return h
}

// rekey runs the rekey binary; killed reports a SIGKILL.
func (h *e2eHome) rekey(args ...string) (code int, stdout, stderr string, killed bool) {
	cmd := exec.Command(h.bin, append(args, h.extra...)...)
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8", "LC_ALL=", "LC_MESSAGES=",
		"HOME="+h.dir, "REKEY_SPOOL="+h.spool, "REKEY_MEDIA="+h.drive,
		"REKEY_TEST_CRASH_AT="+h.crash, "REKEY_TEST_NOW="+h.testAt)
	cmd.Env = append(cmd.Env, h.env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() &&
			ws.Signal() == syscall.SIGKILL {
			killed = true
		}
	default:
		h.t.Fatalf("running rekey: %v", err)
	}
	return code, out.String(), errOut.String(), killed
}

func (h *e2eHome) must(args ...string) (stdout, stderr string) {
	h.t.Helper()
	code, stdout, stderr, _ := h.rekey(args...)
	if code != 0 {
		h.t.Fatalf("rekey %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code,
			stdout, stderr)
	}
	return stdout, stderr
}

func (h *e2eHome) keys() []subscriber.KeyJSON {
	h.t.Helper()
	out, _ := h.must("keys", "--json")
	var ks []subscriber.KeyJSON
	if err := json.Unmarshal([]byte(out), &ks); err != nil {
		h.t.Fatalf("keys --json: %v\n%s", err, out)
	}
	return ks
}

// only returns the single key of the home, failing otherwise.
func (h *e2eHome) only() subscriber.KeyJSON {
	h.t.Helper()
	ks := h.keys()
	if len(ks) != 1 {
		h.t.Fatalf("%d keys, want 1: %+v", len(ks), ks)
	}
	return ks[0]
}

// syncUntilRenewed runs rekey sync until a renewal is reported, waiting
// for the operator's checkAfter between runs.
func (h *e2eHome) syncUntilRenewed(args ...string) subscriber.SyncResult {
	h.t.Helper()
	for i := 0; i < 10; i++ {
		out, _ := h.must(append([]string{"sync", "--json"}, args...)...)
		var sr subscriber.SyncResult
		if err := json.Unmarshal([]byte(out), &sr); err != nil {
			h.t.Fatalf("sync --json: %v\n%s", err, out)
		}
		if len(sr.Renewed) > 0 {
			return sr
		}
		wait := time.Second
		if len(sr.Pending) == 1 && !sr.Pending[0].NextAttempt.IsZero() {
			wait = max(time.Until(sr.Pending[0].NextAttempt)+100*time.Millisecond, 0)
		}
		if wait > 20*time.Second {
			h.t.Fatalf("the operator asks to wait %s", wait)
		}
		time.Sleep(wait)
	}
	h.t.Fatal("not renewed after 10 syncs")
	return subscriber.SyncResult{}
}

// TestE2ERenewal is the manual end to end against rekeyd, with file
// containers in both profiles: 20 days left → keys shows expiring and the
// reminder → renew → manual approval → sync → the new certificate
// installed and verified by openssl, the old key archived.
func TestE2ERenewal(t *testing.T) {
	for _, prof := range []string{"gost2012-256", "ecdsa-p256"} {
		t.Run(prof, func(t *testing.T) {
			op := newRekeyd(t, prof, "manual")
			h := newE2EHome(t)
			op.enroll(h.drive, h.curPW, 20)
			old := h.only()
			if old.State != subscriber.StateExpiring || *old.DaysLeft != 20 ||
				old.Subject.INN != "009901888821" || old.Certificate == "" {
				t.Fatalf("the enrolled key: %+v", old)
			}
			out, stderr := h.must("keys")
			if !strings.Contains(out, "expiring") ||
				!strings.Contains(stderr, "Replace it now: rekey renew "+old.ID) {
				t.Errorf("keys:\n%s\nstderr:\n%s", out, stderr)
			}

			out, _ = h.must("renew", old.ID, "--yes", "--password-file", h.curPW,
				"--new-password-file", h.newPW)
			if !strings.Contains(out, "within a day") || !strings.Contains(out, "Keys queued: 1 of 1") {
				t.Errorf("renew:\n%s", out)
			}
			out, _ = h.must("sync", "--password-file", h.curPW)
			if !strings.Contains(out, "is sent") {
				t.Errorf("first sync:\n%s", out)
			}
			if n := op.approveAll(); n != 1 {
				t.Fatalf("%d requests approved", n)
			}
			sr := h.syncUntilRenewed("--password-file", h.curPW)
			r := sr.Renewed[0]

			ks := map[string]subscriber.KeyJSON{}
			for _, k := range h.keys() {
				ks[k.ID] = k
			}
			if ks[old.ID].State != subscriber.StateArchived || ks[r.NewKey].State != subscriber.StateValid ||
				ks[r.NewKey].Replaces != old.ID || *ks[r.NewKey].DaysLeft < 364 {
				t.Errorf("after sync: old %+v, new %+v", ks[old.ID], ks[r.NewKey])
			}
			out, _ = h.must("keys")
			if !strings.Contains(out, r.KeyExpires.In(subscriber.Moscow()).Format("2006-01-02")) {
				t.Errorf("keys does not show the new last day:\n%s", out)
			}
			checkKeySigns(t, filepath.Join(h.drive, r.NewKey+".rekey"), newPassword)
			o := ossltest.Require(t)
			if out, err := o.Exec(nil, "verify", "-CAfile", filepath.Join(op.dir, "ca.pem"),
				ks[r.NewKey].Certificate); err != nil {
				t.Errorf("openssl verify: %v\n%s", err, out)
			}
		})
	}
}

// checkKeySigns opens a container with password and signs with its key.
func checkKeySigns(t *testing.T, dir, password string) {
	t.Helper()
	ct, err := media.Load(dir)
	if err != nil {
		t.Fatalf("loading %s: %v", dir, err)
	}
	uk, err := ct.Unlock([]byte(password))
	if err != nil {
		t.Fatalf("unlocking %s: %v", dir, err)
	}
	sg, err := uk.Signer()
	if err != nil {
		t.Fatalf("key %s does not sign: %v", ct.ID(), err)
	}
	signs(t, sg)
}

// signs signs a message with sg as its profile does and checks it.
func signs(t *testing.T, sg crypto.Signer) {
	t.Helper()
	prof, err := pki.ProfileOf(sg.Public())
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("a report to the tax office")
	hash := prof.NewHash()
	hash.Write(msg)
	var opts crypto.SignerOpts = crypto.SHA256
	if prof.Curve != nil {
		opts = pki.StreebogSignerOpts{Size: hash.Size()}
	}
	sig, err := sg.Sign(nil, hash.Sum(nil), opts)
	if err != nil {
		t.Fatalf("signing: %v", err)
	}
	if err := pki.CheckSignature(prof.SignatureAlgorithm, sg.Public(), msg, sig); err != nil {
		t.Fatalf("the signature does not verify: %v", err)
	}
}

// TestE2EToken renews a key on a SoftHSM2 token (ECDSA) against rekeyd:
// the key pair generated on the token, enrolled through a PKCS#10
// request, renewed on the token, the certificate stored there.
func TestE2EToken(t *testing.T) {
	tok := softhsmtest.Require(t)
	op := newRekeyd(t, "ecdsa-p256", "manual")
	h := newE2EHome(t)
	h.extra = []string{"--pkcs11", tok.Module}
	h.env = []string{"SOFTHSM2_CONF=" + os.Getenv("SOFTHSM2_CONF")}
	pin := filepath.Join(h.dir, "pin.txt")
	os.WriteFile(pin, []byte(tok.PIN+"\n"), 0o600)
	wrongPIN := filepath.Join(h.dir, "wrong-pin.txt")
	os.WriteFile(wrongPIN, []byte("11111111\n"), 0o600)
	oldID := enrollOnToken(t, op, tok)

	out, stderr := h.must("keys")
	if !strings.Contains(out, "token:"+tok.Label) || !strings.Contains(stderr, "rekey renew "+oldID) {
		t.Fatalf("keys:\n%s\n%s", out, stderr)
	}
	code, _, stderr, _ := h.rekey("renew", oldID, "--yes", "--password-file", wrongPIN)
	if code != 1 || !strings.Contains(stderr, "wrong password or PIN") {
		t.Errorf("wrong PIN: exit %d\n%s", code, stderr)
	}
	h.must("renew", oldID, "--yes", "--password-file", pin)
	h.must("sync", "--password-file", pin)
	op.approveAll()
	sr := h.syncUntilRenewed("--password-file", pin)
	ks := map[string]subscriber.KeyJSON{}
	for _, k := range h.keys() {
		ks[k.ID] = k
	}
	nw := ks[sr.Renewed[0].NewKey]
	if ks[oldID].State != subscriber.StateArchived || nw.State != subscriber.StateValid ||
		nw.Kind != media.KindToken || nw.Media != tok.Label {
		t.Errorf("after sync: old %+v, new %+v", ks[oldID], nw)
	}
	code, out, stderr, _ = h.rekey("backup", nw.ID, "--to", t.TempDir(), "--password-file", pin)
	if code != 1 || !strings.Contains(out+stderr, "non-extractable") {
		t.Errorf("backup of a token key: exit %d\n%s%s", code, out, stderr)
	}
}

// enrollOnToken generates a key pair on the token, has rekeyd certify it
// from a PKCS#10 request (20 days) and stores the certificate on the
// token, as an office enrollment onto a Rutoken does.
func enrollOnToken(t *testing.T, op *rekeydPeer, tok *softhsmtest.Token) string {
	t.Helper()
	caPEM, err := os.ReadFile(filepath.Join(op.dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(caPEM)
	tk, err := token.Open(tok.Module, tok.Label)
	if err != nil {
		t.Fatal(err)
	}
	defer tk.Close()
	if err := tk.Login(tok.PIN); err != nil {
		t.Fatal(err)
	}
	k, sg, err := tk.Generate(&token.GenerateOptions{Profile: pki.ProfileECDSA, CA: block.Bytes,
		OperatorURL: op.url})
	if err != nil {
		t.Fatal(err)
	}
	subj, err := pki.ParseSubjectJSON([]byte(e2eSubject))
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pki.CreateCertificateRequest(&pki.RequestTemplate{Subject: subj}, sg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	csrPath, certPath, subjPath := filepath.Join(dir, "req.der"), filepath.Join(dir, "cert.pem"),
		filepath.Join(dir, "subject.json")
	os.WriteFile(csrPath, csr, 0o600)
	os.WriteFile(subjPath, []byte(e2eSubject), 0o600)
	op.run("enroll", "--subject", subjPath, "--days", "20", "--csr", csrPath, "--out", certPath)
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		t.Fatal(err)
	}
	cb, _ := pem.Decode(certPEM)
	if cb == nil {
		t.Fatalf("rekeyd enroll --out wrote no PEM certificate")
	}
	if err := tk.InstallCertificate(k.ID, cb.Bytes); err != nil {
		t.Fatal(err)
	}
	return k.ID
}

// TestE2ERefusals: the last day and an expired key (the client's clock
// moved with REKEY_TEST_NOW), a wrong current password, the operator's
// rejection with its reason, the media missing during sync and the
// operator unreachable, each with a clear message; the next sync succeeds
// once the cause is gone.
func TestE2ERefusals(t *testing.T) {
	op := newRekeyd(t, "ecdsa-p256", "manual")
	h := newE2EHome(t)
	op.enroll(h.drive, h.curPW, 20)
	k := h.only()
	renew := []string{"renew", k.ID, "--yes", "--password-file", h.curPW,
		"--new-password-file", h.newPW}

	h.testAt = k.KeyExpires.Add(-time.Minute).Format(time.RFC3339)
	code, _, stderr, _ := h.rekey(renew...)
	if code != 1 || !strings.Contains(stderr, "today is its last day") ||
		!strings.Contains(stderr, "hint: replace the key in the operator's office") {
		t.Errorf("last day: exit %d\n%s", code, stderr)
	}
	h.testAt = k.KeyExpires.Add(25 * time.Hour).Format(time.RFC3339)
	code, _, stderr, _ = h.rekey(append(renew, "--lang", "ru")...)
	if code != 1 || !strings.Contains(stderr, "срок действия истёк") {
		t.Errorf("expired: exit %d\n%s", code, stderr)
	}
	h.testAt = ""
	wrong := filepath.Join(h.dir, "wrong.txt")
	os.WriteFile(wrong, []byte("not it\n"), 0o600)
	code, _, stderr, _ = h.rekey("renew", k.ID, "--yes", "--password-file", wrong,
		"--new-password-file", h.newPW)
	if code != 1 || !strings.Contains(stderr, "wrong password") {
		t.Errorf("wrong password: exit %d\n%s", code, stderr)
	}
	if n := len(h.keys()); n != 1 || len(op.requests()) != 0 {
		t.Fatalf("the refusals left %d keys", n)
	}

	// The media missing during sync.
	h.must(renew...)
	away := h.drive + ".away"
	os.Rename(h.drive, away)
	code, _, stderr, _ = h.rekey("sync", "--password-file", h.curPW)
	if code != 1 || !strings.Contains(stderr, "is not present") {
		t.Errorf("media missing: exit %d\n%s", code, stderr)
	}
	os.Rename(away, h.drive)

	// The operator unreachable; the next sync sends.
	op.stop()
	code, _, stderr, _ = h.rekey("sync", "--password-file", h.curPW)
	if code != 1 || !strings.Contains(stderr, "cannot be reached") ||
		!strings.Contains(stderr, "hint: the request stays queued") {
		t.Errorf("unreachable: exit %d\n%s", code, stderr)
	}
	op.start()
	out, _ := h.must("sync", "--password-file", h.curPW)
	if !strings.Contains(out, "is sent") || len(op.requests()) != 1 {
		t.Errorf("sync after the operator is back:\n%s", out)
	}

	// The operator rejects the request (the holder's details changed):
	// the reason reaches the subscriber.
	rs := op.requests()
	op.run("reject", strconv.FormatInt(rs[0].ID, 10), "--reason",
		"реквизиты изменились: замена ключа в офисе")
	var stderrAll string
	for i := 0; i < 10; i++ {
		code, _, stderr, _ = h.rekey("sync", "--password-file", h.curPW)
		stderrAll += stderr
		if code != 0 {
			break
		}
		time.Sleep(time.Second)
	}
	if code != 1 || !strings.Contains(stderrAll, "refused the renewal") {
		t.Errorf("rejected: exit %d\n%s", code, stderrAll)
	}
}

// TestE2ECrash kills rekey with SIGKILL at each step of renew and sync:
// the old key still signs, and the next syncs complete the renewal with
// one request and one certificate.
func TestE2ECrash(t *testing.T) {
	op := newRekeyd(t, "ecdsa-p256", "auto")
	steps := []string{"renew:drafted", "renew:created", "renew:named", "renew:queued",
		"sync:sent", "sync:received", "sync:confirmed", "sync:installed", "sync:archived"}
	for _, step := range steps {
		t.Run(strings.ReplaceAll(step, ":", "-"), func(t *testing.T) {
			h := newE2EHome(t)
			op.enroll(h.drive, h.curPW, 20)
			old := h.only()
			before := len(op.requests())
			passwords := []string{"--password-file", h.curPW, "--new-password-file", h.newPW}

			h.crash = step
			code, out, stderr, killed := h.rekey(append([]string{"renew", old.ID, "--yes"},
				passwords...)...)
			if !killed && code == 0 {
				code, out, stderr, killed = h.rekey(append([]string{"sync"}, passwords...)...)
			}
			if !killed {
				t.Fatalf("not killed at %s: exit %d\n%s\n%s", step, code, out, stderr)
			}
			h.crash = ""

			// Some key signs: the old one until the new one is active.
			oldDir := filepath.Join(h.drive, old.ID+".rekey")
			if ct, err := media.Load(oldDir); err == nil && ct.State() == media.StateActive {
				checkKeySigns(t, oldDir, curPassword)
			} else {
				for _, k := range h.keys() {
					if k.Replaces == old.ID {
						checkKeySigns(t, filepath.Join(h.drive, k.ID+".rekey"), newPassword)
					}
				}
			}

			// The next syncs finish; a crash before the new key was
			// written leaves nothing to finish, and renew runs again.
			if step == "renew:drafted" {
				h.must("sync")
				h.must(append([]string{"renew", old.ID, "--yes"}, passwords...)...)
			}
			h.syncUntilRenewed(passwords...)
			ks := h.keys()
			active := 0
			for _, k := range ks {
				switch {
				case k.ID == old.ID && k.State != subscriber.StateArchived:
					t.Errorf("the old key is %s", k.State)
				case k.ID != old.ID && k.State == subscriber.StateValid:
					active++
				}
			}
			if active != 1 || len(ks) != 2 {
				t.Errorf("keys after recovery: %+v", ks)
			}
			if n := len(op.requests()) - before; n != 1 {
				t.Errorf("the operator got %d requests for the renewal", n)
			}
			checkNothingLeft(t, h, passwords)
		})
	}

	// With manual approval the answer to the request is "waiting": killed
	// after recording it, the next syncs poll the same request.
	t.Run("sync-sent-waiting", func(t *testing.T) {
		op := newRekeyd(t, "ecdsa-p256", "manual")
		h := newE2EHome(t)
		op.enroll(h.drive, h.curPW, 20)
		old := h.only()
		passwords := []string{"--password-file", h.curPW, "--new-password-file", h.newPW}
		h.must(append([]string{"renew", old.ID, "--yes"}, passwords...)...)
		h.crash = "sync:sent"
		if _, _, _, killed := h.rekey(append([]string{"sync"}, passwords...)...); !killed {
			t.Fatal("not killed after sending")
		}
		h.crash = ""
		checkKeySigns(t, filepath.Join(h.drive, old.ID+".rekey"), curPassword)
		if n := op.approveAll(); n != 1 {
			t.Fatalf("%d requests waiting", n)
		}
		h.syncUntilRenewed(passwords...)
		if n := len(op.requests()); n != 1 {
			t.Errorf("the operator has %d requests", n)
		}
		checkNothingLeft(t, h, passwords)
	})
}

// checkNothingLeft runs one more sync, which finds nothing to do.
func checkNothingLeft(t *testing.T, h *e2eHome, passwords []string) {
	t.Helper()
	if out, _ := h.must(append([]string{"sync"}, passwords...)...); !strings.Contains(out,
		"nothing to send") {
		t.Errorf("a further sync:\n%s", out)
	}
}
