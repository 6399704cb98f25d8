package acceptance

// The harness: the binaries, an operator (rekeyd init + serve) and a
// subscriber's machine (media, spool, home) whose rekey searches only the
// media the test names (REKEY_MOUNTS=none).

import (
	"bytes"
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

	"rekey/internal/softhsmtest"
	"rekey/media"
	"rekey/pki"
	"rekey/subscriber"
)

var rekeyBin, rekeydBin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "rekey-acceptance-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	for _, name := range []string{"rekey", "rekeyd"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name), "./cmd/"+name)
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go build ./cmd/%s: %v\n%s", name, err, out)
			return 1
		}
	}
	rekeyBin, rekeydBin = filepath.Join(dir, "rekey"), filepath.Join(dir, "rekeyd")
	return m.Run()
}

// rekeyCommand is the command of rekey with args. REKEY_MOUNTS=none keeps
// it off this machine's drives: it searches only the media the test
// names (REKEY_MEDIA, --media), not /media, /run/media or /mnt.
func rekeyCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(rekeyBin, args...)
	cmd.Env = append(os.Environ(), media.EnvMounts+"=none")
	return cmd
}

// result is a finished run of a binary.
type result struct {
	code           int
	stdout, stderr string
	killed         bool // ended by SIGKILL
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

func runCmd(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.killed = ws.Signal() == syscall.SIGKILL
			r.code = -1
		}
	default:
		t.Fatalf("running %s: %v", cmd.Path, err)
	}
	return r
}

// Subject details of the enrolled subscribers: the manual's form (with
// an OGRN and a SNILS whose check digits are right), one per organization.
func subjectJSON(org string) string {
	s := map[string]string{"C": "RU", "ST": "78 г. Санкт-Петербург", "L": "Санкт-Петербург",
		"street": "Ленинский пр. 168", "O": org, "OU": "Администрация", "title": "Директор",
		"CN": org, "surname": "Тестовый", "givenName": "Тест Тестович",
		"emailAddress": "test@test.ru", "INN": "009901888821", "OGRN": "1027700132195",
		"SNILS": "112-233-445 95"}
	b, _ := json.Marshal(s)
	return string(b)
}

// The operator's office contact, as the manual's form names it.
const (
	officeRU = "ООО «АРГОС», отдел по работе с клиентами, тел. 8 (812) 610-56-10"
	officeEN = "ARGOS LLC, client service, phone +7 812 610-56-10"
)

// operator is a rekeyd directory and its server.
type operator struct {
	t       *testing.T
	dir     string
	capw    string
	listen  string
	url     string
	profile string
	serve   *exec.Cmd
	done    chan struct{}
	mu      sync.Mutex
	log     bytes.Buffer
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

// newOperator runs rekeyd init (profile, approval) and sets the office
// contact and a check_after of one second in rekeyd.json. It does not
// start the server: start does.
func newOperator(t *testing.T, profile, approval string) *operator {
	t.Helper()
	work := t.TempDir()
	o := &operator{t: t, dir: filepath.Join(work, "operator"),
		capw: filepath.Join(work, "ca-password"), listen: freePort(t), profile: profile}
	o.url = "http://" + o.listen + "/.well-known/cmp"
	writeFile(t, o.capw, "пароль ключа УЦ\n")
	o.must("init", "--profile", profile, "--approval", approval, "--ca-name", "Тестовый УЦ",
		"--url", o.url, "--listen", o.listen)
	cfgPath := filepath.Join(o.dir, "rekeyd.json")
	var cfg map[string]any
	if err := json.Unmarshal(readFile(t, cfgPath), &cfg); err != nil {
		t.Fatal(err)
	}
	op := cfg["operator"].(map[string]any)
	op["check_after"] = "1s"
	op["office"] = map[string]any{"ru": officeRU, "en": officeEN}
	b, _ := json.MarshalIndent(cfg, "", "  ")
	writeFile(t, cfgPath, string(b))
	t.Cleanup(o.stop)
	return o
}

// run runs a rekeyd command on the operator's directory.
func (o *operator) run(args ...string) result {
	o.t.Helper()
	return o.runEnv(nil, args...)
}

func (o *operator) runEnv(env []string, args ...string) result {
	o.t.Helper()
	cmd := exec.Command(rekeydBin, append(args, "--dir", o.dir, "--ca-password-file", o.capw)...)
	cmd.Env = append(append(os.Environ(), "LANG=en_US.UTF-8", "LC_ALL=", "LC_MESSAGES="), env...)
	return runCmd(o.t, cmd)
}

func (o *operator) must(args ...string) string {
	o.t.Helper()
	r := o.run(args...)
	if r.code != 0 {
		o.t.Fatalf("rekeyd %s: %s", strings.Join(args, " "), r)
	}
	return r.stdout
}

// start starts rekeyd serve with the extra environment and waits until
// /healthz answers.
func (o *operator) start(env ...string) {
	o.t.Helper()
	o.mu.Lock()
	o.log.Reset()
	o.mu.Unlock()
	cmd := exec.Command(rekeydBin, "serve", "--dir", o.dir, "--ca-password-file", o.capw,
		"--listen", o.listen)
	cmd.Env = append(append(os.Environ(), "LANG=en_US.UTF-8"), env...)
	w := &lockedWriter{mu: &o.mu, b: &o.log}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		o.t.Fatal(err)
	}
	o.serve, o.done = cmd, make(chan struct{})
	go func(done chan struct{}) { cmd.Wait(); close(done) }(o.done)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + o.listen + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-o.done:
			o.t.Fatalf("rekeyd serve ended:\n%s", o.logText())
		case <-time.After(50 * time.Millisecond):
		}
	}
	o.stop()
	o.t.Fatalf("rekeyd serve does not answer:\n%s", o.logText())
}

// stop ends rekeyd serve with SIGTERM (SIGKILL after 10 s).
func (o *operator) stop() {
	if o.serve == nil {
		return
	}
	o.serve.Process.Signal(syscall.SIGTERM)
	select {
	case <-o.done:
	case <-time.After(10 * time.Second):
		o.serve.Process.Kill()
		<-o.done
	}
	o.serve = nil
}

// kill ends rekeyd serve with SIGKILL, as a power cut would.
func (o *operator) kill() {
	o.t.Helper()
	if o.serve == nil {
		o.t.Fatal("rekeyd serve is not running")
	}
	o.serve.Process.Signal(syscall.SIGKILL)
	<-o.done
	o.serve = nil
}

func (o *operator) logText() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.log.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// enrolled is what rekeyd enroll reported.
type enrolled struct {
	subscriber string // the subscriber's id
	serial     string // the certificate's serial, hex
}

var enrollRE = regexp.MustCompile(`Subscriber (\d+): certificate ([0-9a-f]+) issued`)

// enroll is the office's first enrollment onto a drive: a key container
// for org whose certificate ends in days, protected by passwordFile.
func (o *operator) enroll(org, drive, passwordFile string, days int) enrolled {
	o.t.Helper()
	subj := filepath.Join(o.t.TempDir(), "subject.json")
	writeFile(o.t, subj, subjectJSON(org))
	out := o.must("enroll", "--subject", subj, "--days", strconv.Itoa(days), "--media", drive,
		"--password-file", passwordFile)
	m := enrollRE.FindStringSubmatch(out)
	if m == nil {
		o.t.Fatalf("rekeyd enroll said:\n%s", out)
	}
	return enrolled{subscriber: m[1], serial: m[2]}
}

// request is an entry of rekeyd requests --json.
type request struct {
	ID            int64  `json:"id"`
	State         string `json:"state"`
	SubscriberID  int64  `json:"subscriber_id"`
	Subscriber    string `json:"subscriber"`
	TransactionID string `json:"transaction_id"`
}

func (o *operator) requests(args ...string) []request {
	o.t.Helper()
	out := o.must(append([]string{"requests", "--json"}, args...)...)
	var rs []request
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		o.t.Fatalf("rekeyd requests --json: %v\n%s", err, out)
	}
	return rs
}

// approveAll approves every waiting request and returns how many.
func (o *operator) approveAll() int {
	o.t.Helper()
	n := 0
	for _, r := range o.requests("--state", "waiting") {
		o.must("approve", strconv.FormatInt(r.ID, 10))
		n++
	}
	return n
}

func (o *operator) caCert() *pki.Certificate {
	o.t.Helper()
	return readCert(o.t, filepath.Join(o.dir, "ca.pem"))
}

// Passwords of the subscriber's keys.
const (
	curPassword = "текущий пароль"
	newPassword = "новый пароль"
)

// machine is a subscriber's computer: drives, a spool, a home directory,
// password files.
type machine struct {
	t      *testing.T
	dir    string
	drives []string
	spool  string
	curPW  string
	newPW  string
	now    string   // REKEY_TEST_NOW
	env    []string // more environment
	extra  []string // more flags of every command
}

// newMachine makes a machine with the named drives (directories).
func newMachine(t *testing.T, drives ...string) *machine {
	t.Helper()
	dir := t.TempDir()
	m := &machine{t: t, dir: dir, spool: filepath.Join(dir, "state", "rekey", "spool"),
		curPW: filepath.Join(dir, "cur.txt"), newPW: filepath.Join(dir, "new.txt")}
	if len(drives) == 0 {
		drives = []string{"FLASH"}
	}
	for _, d := range drives {
		p := filepath.Join(dir, d)
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		m.drives = append(m.drives, p)
	}
	writeFile(t, m.curPW, curPassword+"\n")
	writeFile(t, m.newPW, newPassword+"\n")
	return m
}

// drive is the first drive.
func (m *machine) drive() string { return m.drives[0] }

func (m *machine) environ() []string {
	env := []string{"LANG=en_US.UTF-8", "LC_ALL=", "LC_MESSAGES=", "HOME=" + m.dir,
		"XDG_STATE_HOME=" + filepath.Join(m.dir, "state"), "REKEY_SPOOL=" + m.spool,
		"REKEY_MEDIA=" + strings.Join(m.drives, ":"), "REKEY_TEST_NOW=" + m.now,
		"REKEY_TEST_CRASH_AT="}
	return append(env, m.env...)
}

// command is the rekey command with args on this machine.
func (m *machine) command(args ...string) *exec.Cmd {
	cmd := rekeyCommand(append(args, m.extra...)...)
	cmd.Env = append(cmd.Env, m.environ()...)
	return cmd
}

func (m *machine) rekey(args ...string) result {
	m.t.Helper()
	return runCmd(m.t, m.command(args...))
}

func (m *machine) must(args ...string) result {
	m.t.Helper()
	r := m.rekey(args...)
	if r.code != 0 {
		m.t.Fatalf("rekey %s: %s", strings.Join(args, " "), r)
	}
	return r
}

func (m *machine) keys() []subscriber.KeyJSON {
	m.t.Helper()
	out := m.must("keys", "--json").stdout
	var ks []subscriber.KeyJSON
	if err := json.Unmarshal([]byte(out), &ks); err != nil {
		m.t.Fatalf("rekey keys --json: %v\n%s", err, out)
	}
	return ks
}

func (m *machine) keyMap() map[string]subscriber.KeyJSON {
	m.t.Helper()
	ks := map[string]subscriber.KeyJSON{}
	for _, k := range m.keys() {
		ks[k.ID] = k
	}
	return ks
}

// only returns the one key of an organization.
func (m *machine) key(org string) subscriber.KeyJSON {
	m.t.Helper()
	var found []subscriber.KeyJSON
	for _, k := range m.keys() {
		if k.Subject != nil && k.Subject.Organization == org &&
			k.State != subscriber.StateArchived {
			found = append(found, k)
		}
	}
	if len(found) != 1 {
		m.t.Fatalf("%d current keys of %s, want 1: %+v", len(found), org, found)
	}
	return found[0]
}

// renew renews key with the password files and --yes.
func (m *machine) renew(keys ...string) result {
	m.t.Helper()
	return m.must(append(append([]string{"renew"}, keys...), "--yes", "--password-file",
		m.curPW, "--new-password-file", m.newPW)...)
}

// sync runs rekey sync --json and decodes its result.
func (m *machine) sync() (subscriber.SyncResult, result) {
	m.t.Helper()
	r := m.must("sync", "--json", "--password-file", m.curPW, "--new-password-file", m.newPW)
	var sr subscriber.SyncResult
	if err := json.Unmarshal([]byte(r.stdout), &sr); err != nil {
		m.t.Fatalf("rekey sync --json: %v\n%s", err, r.stdout)
	}
	return sr, r
}

// syncUntilRenewed runs rekey sync until n renewals are reported, waiting
// for the operator's check_after between runs.
func (m *machine) syncUntilRenewed(n int) []subscriber.Renewal {
	m.t.Helper()
	var all []subscriber.Renewal
	for i := 0; i < 15; i++ {
		sr, _ := m.sync()
		all = append(all, sr.Renewed...)
		if len(all) >= n {
			return all
		}
		wait := 300 * time.Millisecond
		for _, p := range sr.Pending {
			if d := time.Until(p.NextAttempt) + 50*time.Millisecond; d > wait {
				wait = d
			}
		}
		if wait > 20*time.Second {
			m.t.Fatalf("the operator asks to wait %s", wait)
		}
		time.Sleep(wait)
	}
	m.t.Fatalf("%d of %d keys renewed after 15 syncs", len(all), n)
	return nil
}

// renewFully renews key through the operator: renew, sync, approval when
// manual, syncs until the certificate is installed.
func (m *machine) renewFully(o *operator, key string) subscriber.Renewal {
	m.t.Helper()
	m.renew(key)
	if sr, _ := m.sync(); len(sr.Renewed) == 1 { // automatic approval
		return sr.Renewed[0]
	}
	o.approveAll()
	return m.syncUntilRenewed(1)[0]
}

// container loads the container of key id on the machine's drives.
func (m *machine) container(id string) *media.Container {
	m.t.Helper()
	for _, d := range m.drives {
		if c, err := media.Load(filepath.Join(d, id+media.ContainerSuffix)); err == nil {
			return c
		}
	}
	m.t.Fatalf("no container %s on %v", id, m.drives)
	return nil
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readCert reads a PEM or DER certificate.
func readCert(t *testing.T, path string) *pki.Certificate {
	t.Helper()
	data := readFile(t, path)
	if b, _ := pem.Decode(data); b != nil {
		data = b.Bytes
	}
	c, err := pki.ParseCertificate(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c
}

// requireSoftHSM returns a new SoftHSM2 token (see softhsmtest.Require);
// the child processes find it through SOFTHSM2_CONF, set in this
// process's environment.
func requireSoftHSM(t *testing.T) *softhsmtest.Token {
	t.Helper()
	return softhsmtest.Require(t)
}

// contains fails t unless s holds every want.
func contains(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

// lacks fails t when s holds any of bad.
func lacks(t *testing.T, what, s string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(s, b) {
			t.Errorf("%s holds %q:\n%s", what, b, s)
		}
	}
}
