package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"rekey/cmp"
	"rekey/internal/cli"
	"rekey/media"
	"rekey/pki"
	"rekey/subscriber"
)

// testEncryption keeps PBKDF2 cheap for the keys the tests enroll.
var testEncryption = &pki.KeyEncryptionOptions{Iterations: 16}

const (
	curPassword = "current key password"
	newPassword = "new key password"
)

// tclock is the clock shared by the operator and the command line.
type tclock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *tclock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *tclock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// authority is an operator's policy behind a real cmp.Server on
// 127.0.0.1: it issues with the current subject after approve (or at
// once when auto), or refuses.
type authority struct {
	mu      sync.Mutex
	ca      *pki.Certificate
	caKey   crypto.Signer
	now     func() time.Time
	auto    bool
	refusal *cmp.Refusal
	waiting map[string]*cmp.KeyUpdateRequest
	ok      map[string]bool
	issued  map[string][]byte
	kurs    int
	serial  int64
	confirm int
}

func (a *authority) issue(tx string) (*cmp.Decision, error) {
	if der, ok := a.issued[tx]; ok {
		return cmp.IssuedDecision(der), nil
	}
	req := a.waiting[tx]
	now := a.now().Truncate(time.Second)
	a.serial++
	der, err := pki.CreateCertificate(&pki.Template{SerialNumber: big.NewInt(9000 + a.serial),
		RawSubject: req.Current.RawSubject, NotBefore: now, NotAfter: now.AddDate(1, 0, 0),
		Extensions: pki.Extensions{KeyUsage: x509.KeyUsageDigitalSignature}},
		a.ca, req.PublicKey, a.caKey)
	if err != nil {
		return nil, err
	}
	a.issued[tx] = der
	return cmp.IssuedDecision(der), nil
}

func (a *authority) UpdateKey(ctx context.Context, req *cmp.KeyUpdateRequest) (*cmp.Decision, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.kurs++
	if a.refusal != nil {
		return cmp.RefusedDecision(a.refusal), nil
	}
	tx := string(req.TransactionID)
	a.waiting[tx] = req
	if a.auto {
		return a.issue(tx)
	}
	return cmp.WaitingDecision(time.Hour, "ждите одобрения оператора", "waiting for approval"), nil
}

func (a *authority) Poll(ctx context.Context, req *cmp.PollRequest) (*cmp.Decision, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	tx := string(req.TransactionID)
	if _, ok := a.waiting[tx]; !ok {
		return nil, errors.New("unknown transaction")
	}
	if !a.auto && !a.ok[tx] {
		return cmp.WaitingDecision(time.Hour, "ждите одобрения оператора", "waiting for approval"), nil
	}
	return a.issue(tx)
}

// approveAll approves every waiting request, as `rekeyd approve` does.
func (a *authority) approveAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for tx := range a.waiting {
		a.ok[tx] = true
	}
}

func (a *authority) counts() (kurs, issued, confirms int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.kurs, len(a.issued), a.confirm
}

func (a *authority) Confirm(ctx context.Context, c *cmp.Confirmation) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c.Accepted {
		a.confirm++
	}
	return nil
}

func (a *authority) Enroll(ctx context.Context, req *cmp.EnrollRequest) (*cmp.Decision, error) {
	return cmp.RefusedDecision(cmp.Refuse(cmp.FailNotAuthorized, "", "")), nil
}

func (a *authority) Revoke(ctx context.Context, req *cmp.RevokeRequest) error {
	return cmp.Refuse(cmp.FailNotAuthorized, "", "")
}

func (a *authority) GeneralInfo(ctx context.Context, req *cmp.InfoRequest) ([]cmp.InfoTypeAndValue, error) {
	return nil, nil
}

func (a *authority) Revoked(ctx context.Context, cert *pki.Certificate) (bool, error) {
	return false, nil
}

// operatorPeer is a CA serving CMP over HTTP on 127.0.0.1.
type operatorPeer struct {
	prof  *pki.Profile
	clock *tclock
	ca    *pki.Certificate
	caKey crypto.Signer
	auth  *authority
	srv   *httptest.Server
	url   string
	mu    sync.Mutex
	down  bool // drop every connection: the operator cannot be reached
}

func newOperator(t *testing.T, prof *pki.Profile, clock *tclock) *operatorPeer {
	t.Helper()
	key, err := prof.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	now := clock.Now()
	der, err := pki.CreateCertificate(&pki.Template{
		SerialNumber: big.NewInt(1),
		Subject: &pki.Subject{Country: "RU", Organization: "ООО Оператор ЭДО",
			CommonName: "Тестовый УЦ " + prof.Name},
		NotBefore: now.AddDate(-2, 0, 0),
		NotAfter:  now.AddDate(5, 0, 0),
		Extensions: pki.Extensions{
			BasicConstraints: &pki.BasicConstraints{IsCA: true, MaxPathLen: -1},
			KeyUsage:         x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		},
	}, nil, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := pki.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	o := &operatorPeer{prof: prof, clock: clock, ca: ca, caKey: key}
	o.auth = &authority{ca: ca, caKey: key, now: clock.Now,
		waiting: map[string]*cmp.KeyUpdateRequest{}, ok: map[string]bool{},
		issued: map[string][]byte{}}
	srv, err := cmp.NewServer(cmp.ServerConfig{CACert: ca, Signer: key, Authority: o.auth,
		Clock: clock.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		down := o.down
		o.mu.Unlock()
		if down {
			// As a dead link: the connection closes without an answer.
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(o.srv.Close)
	o.url = o.srv.URL + "/.well-known/cmp"
	return o
}

func (o *operatorPeer) setDown(down bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.down = down
}

// testSubject is the manual's form (figure 4).
func testSubject() *pki.Subject {
	return &pki.Subject{Country: "RU", Province: "78 г. Санкт-Петербург",
		Locality: "Санкт-Петербург", Street: "Ленинский пр. 168", Organization: "ООО Тест",
		OrganizationalUnit: "Администрация", Title: "Директор", CommonName: "ООО Тест",
		Surname: "Тестовый", GivenName: "Тест Тестович", Email: "test@test.ru",
		INN: "009901888821"}
}

// enroll makes a current key on root: a container whose certificate's
// key usage period ends at keyExpires, what `rekeyd enroll` does.
func (o *operatorPeer) enroll(t *testing.T, root string, keyExpires time.Time) *media.Container {
	t.Helper()
	ct, key, _, err := media.Create(root, &media.CreateOptions{Profile: o.prof,
		Password: []byte(curPassword), CA: o.ca.Raw, OperatorURL: o.url,
		Encryption: testEncryption, Now: o.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	notBefore := keyExpires.AddDate(-1, 0, 0)
	der, err := pki.CreateCertificate(&pki.Template{
		SerialNumber: big.NewInt(time.Now().UnixNano() & 0xffffffff),
		Subject:      testSubject(),
		NotBefore:    notBefore,
		NotAfter:     keyExpires.AddDate(0, 3, 0),
		Extensions: pki.Extensions{
			KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyAgreement,
			PrivateKeyUsagePeriod: &pki.KeyUsagePeriod{NotBefore: notBefore, NotAfter: keyExpires},
		},
	}, o.ca, key.Public(), o.caKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := ct.InstallCertificate(der); err != nil {
		t.Fatal(err)
	}
	return ct
}

// subscriberHome is a subscriber's machine: drives, a spool, password
// files, the clock.
type subscriberHome struct {
	t      *testing.T
	clock  *tclock
	dir    string
	drive  string
	other  string
	spool  string
	curPW  string // --password-file
	newPW  string // --new-password-file
	extra  []string
	stdin  string
	locale string
}

func newHome(t *testing.T, clock *tclock) *subscriberHome {
	t.Helper()
	dir := t.TempDir()
	h := &subscriberHome{t: t, clock: clock, dir: dir,
		drive: filepath.Join(dir, "media", "FLASH"), other: filepath.Join(dir, "media", "SPARE"),
		spool: filepath.Join(dir, "spool"), curPW: filepath.Join(dir, "cur.txt"),
		newPW: filepath.Join(dir, "new.txt"), locale: "en_US.UTF-8"}
	for _, d := range []string{h.drive, h.other} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(h.curPW, []byte(curPassword+"\n"), 0o600)
	os.WriteFile(h.newPW, []byte(newPassword+"\n"), 0o600)
	return h
}

// rekey runs the command line in process against the home's media and
// spool, on its clock.
func (h *subscriberHome) rekey(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	vars := map[string]string{"LANG": h.locale, "HOME": h.dir, "REKEY_SPOOL": h.spool,
		"REKEY_MEDIA": h.drive + ":" + h.other}
	env := &cli.Env{Stdin: strings.NewReader(h.stdin), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string { return vars[k] }, Now: h.clock.Now}
	code = run(append(args, h.extra...), env)
	return code, out.String(), errOut.String()
}

// must runs rekey and fails the test unless it exits 0.
func (h *subscriberHome) must(args ...string) (stdout, stderr string) {
	h.t.Helper()
	code, stdout, stderr := h.rekey(args...)
	if code != 0 {
		h.t.Fatalf("rekey %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code,
			stdout, stderr)
	}
	return stdout, stderr
}

// keys returns `rekey keys --json` by id; a key on several media gets the
// active entry.
func (h *subscriberHome) keys() map[string]subscriber.KeyJSON {
	h.t.Helper()
	out, _ := h.must("keys", "--json")
	var list []subscriber.KeyJSON
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		h.t.Fatalf("keys --json: %v\n%s", err, out)
	}
	m := map[string]subscriber.KeyJSON{}
	for _, k := range list {
		if _, seen := m[k.ID]; !seen || k.State != subscriber.StateArchived {
			m[k.ID] = k
		}
	}
	return m
}
