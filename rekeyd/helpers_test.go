package rekeyd

import (
	"context"
	"crypto"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"rekey/cmp"
	"rekey/internal/pgtest"
	"rekey/operator"
	"rekey/pki"
	"rekey/store"
)

// t0 is the tests' start time: a Wednesday noon in Moscow.
var t0 = time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)

// testOffice is the office contact the refusals must name.
var testOffice = operator.OfficeContact{
	RU: "Москва, ул. Тестовая, 1, тел. +7 495 000-00-00",
	EN: "Moscow, 1 Testovaya St., phone +7 495 000-00-00",
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// env is an operator in a temporary directory served on 127.0.0.1.
type env struct {
	t      testing.TB
	dir    string
	op     *Operator
	clock  *clock
	srv    *httptest.Server
	client *cmp.Client
	prof   *pki.Profile
}

// testPolicy is the defaults with the test office, changed by edit.
func testPolicy(profile, approval string, edit func(*operator.Config)) *operator.Config {
	c := operator.Config{Profile: profile, Approval: approval, CAName: "Тестовый УЦ",
		Office: testOffice, CheckAfter: operator.Duration(time.Second)}
	if edit != nil {
		edit(&c)
	}
	return &c
}

// newEnv makes and serves an operator with policy.
func newEnv(t testing.TB, policy *operator.Config) *env {
	t.Helper()
	return newEnvDB(t, policy, "")
}

// newEnvDB makes and serves an operator with policy on the database dsn
// (SQLite in the directory when empty).
func newEnvDB(t testing.TB, policy *operator.Config, dsn string) *env {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: t0}
	dir := t.TempDir()
	pw := func() ([]byte, error) { return []byte("ca password"), nil }
	_, err := Init(ctx, dir, &InitOptions{Operator: policy, Password: pw, Now: clk.Now, Database: dsn,
		KeyEncryption: &pki.KeyEncryptionOptions{Iterations: 1000}})
	if err != nil {
		t.Fatalf("Init: %v", err)
	}
	prof, _ := pki.ProfileByName(policy.Profile)
	e := &env{t: t, dir: dir, clock: clk, prof: prof}
	e.open()
	t.Cleanup(func() {
		e.srv.Close()
		e.op.Close()
	})
	return e
}

// open opens the operator of e.dir and serves it; the client is new.
func (e *env) open() {
	e.t.Helper()
	pw := func() ([]byte, error) { return []byte("ca password"), nil }
	op, err := Open(context.Background(), e.dir, &OpenOptions{Password: pw, Now: e.clock.Now,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		e.t.Fatalf("Open: %v", err)
	}
	h, err := op.Handler()
	if err != nil {
		op.Close()
		e.t.Fatalf("Handler: %v", err)
	}
	e.op, e.srv = op, httptest.NewServer(h)
	e.client = e.newClient()
}

// restart stops serving, closes the operator and opens it again, as a
// restarted rekeyd serve.
func (e *env) restart() {
	e.t.Helper()
	e.srv.Close()
	if err := e.op.Close(); err != nil {
		e.t.Fatalf("closing the operator: %v", err)
	}
	e.open()
}

func (e *env) newClient() *cmp.Client {
	return &cmp.Client{Transport: &cmp.HTTPTransport{URL: e.srv.URL + "/.well-known/cmp"},
		Roots: []*pki.Certificate{e.op.CACert}, Recipient: e.op.CACert.RawSubject,
		Clock: e.clock.Now}
}

// subscriber is an enrolled subscriber: its current certificate and key.
type subscriber struct {
	cert *pki.Certificate
	key  crypto.Signer
}

// testSubject returns a valid subject named cn.
func testSubject(cn string) *pki.Subject {
	return &pki.Subject{Country: "RU", Locality: "Москва", Organization: cn, CommonName: cn,
		Surname: "Иванов", GivenName: "Иван Иванович", INNLE: "7707083893",
		OGRN: "1027700132195", SNILS: "11223344595"}
}

// newKey makes a key of the env's profile.
func (e *env) newKey() crypto.Signer {
	e.t.Helper()
	k, err := e.prof.GenerateKey(rand.Reader)
	if err != nil {
		e.t.Fatal(err)
	}
	return k
}

// enroll enrolls a subscriber named cn in the office through a CSR, with
// a certificate ending at notAfter (the lifetime when zero).
func (e *env) enroll(cn string, notAfter time.Time) *subscriber {
	e.t.Helper()
	key := e.newKey()
	csr, err := pki.CreateCertificateRequest(&pki.RequestTemplate{
		Subject: &pki.Subject{CommonName: "ignored"}}, key)
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.op.EnrollCSR(context.Background(), csr,
		&Enrollment{Subject: testSubject(cn), NotAfter: notAfter})
	if err != nil {
		e.t.Fatalf("EnrollCSR: %v", err)
	}
	return &subscriber{cert: res.Certificate, key: key}
}

// kur sends a key update of s for newKey.
func (e *env) kur(s *subscriber, newKey crypto.Signer) (*cmp.Result, error) {
	return e.client.UpdateKey(context.Background(), &cmp.KeyUpdateOptions{Current: s.cert,
		CurrentKey: s.key, NewKey: newKey})
}

// renew runs a kur that must be issued at once, confirms it and returns
// the subscriber with the new certificate.
func (e *env) renew(s *subscriber) *subscriber {
	e.t.Helper()
	k := e.newKey()
	res, err := e.kur(s, k)
	if err != nil {
		e.t.Fatalf("kur: %v", err)
	}
	if res.Certificate == nil {
		e.t.Fatalf("kur: state %s, want a certificate", res.State.State)
	}
	cred := cmp.SignatureCredentials(s.cert, s.key)
	if err := e.client.Confirm(context.Background(), res.State, cred, true); err != nil {
		e.t.Fatalf("certConf: %v", err)
	}
	return &subscriber{cert: res.Certificate, key: k}
}

// wantRefusal checks that err is the CA's refusal with failure bit f and
// texts in both languages that contain ru and en.
func wantRefusal(t *testing.T, err error, f cmp.FailureInfo, ru, en string) {
	t.Helper()
	var se *cmp.ServerError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want a refusal with %s", err, f)
	}
	if se.Failure()&f == 0 {
		t.Errorf("failure %s, want %s", se.Failure(), f)
	}
	gotRU, gotEN := se.Text(cmp.LangRU), se.Text(cmp.LangEN)
	if !strings.ContainsFunc(gotRU, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) {
		t.Errorf("Russian text %q is not Russian", gotRU)
	}
	if gotEN == "" || gotEN == gotRU {
		t.Errorf("English text %q", gotEN)
	}
	if !strings.Contains(gotRU, ru) {
		t.Errorf("Russian text %q does not say %q", gotRU, ru)
	}
	if !strings.Contains(gotEN, en) {
		t.Errorf("English text %q does not say %q", gotEN, en)
	}
}

// requests returns the store's requests in state s.
func (e *env) requests(s store.State) []RequestInfo {
	e.t.Helper()
	list, err := e.op.Requests(context.Background(), RequestFilter{States: []store.State{s}})
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

// verifyAudit checks the audit chain and that it holds action.
func (e *env) verifyAudit(actions ...string) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.op.VerifyAudit(ctx); err != nil {
		e.t.Fatalf("audit chain: %v", err)
	}
	recs, err := e.op.Store.AuditRecords(ctx, 0, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		seen[r.Action] = true
	}
	for _, a := range actions {
		if !seen[a] {
			e.t.Errorf("the audit trail has no %q record", a)
		}
	}
}

// send signs body with s's key as a request of a new transaction, posts
// it and returns the parsed response, for requests the client would not
// build.
func (e *env) send(s *subscriber, body cmp.Body) *cmp.Message {
	e.t.Helper()
	id, nonce := make([]byte, 16), make([]byte, 16)
	rand.Read(id)
	rand.Read(nonce)
	m := &cmp.Message{Body: body, Header: cmp.Header{
		PVNO: cmp.PVNO2000, Sender: cmp.DirectoryName(s.cert.RawSubject),
		Recipient:   cmp.DirectoryName(e.op.CACert.RawSubject),
		MessageTime: e.clock.Now().UTC().Truncate(time.Second), TransactionID: id,
		SenderNonce: nonce, SenderKID: s.cert.Extensions.SubjectKeyID,
	}}
	m.ExtraCerts = [][]byte{s.cert.Raw}
	if err := m.Sign(s.key, rand.Reader); err != nil {
		e.t.Fatal(err)
	}
	der, err := m.Marshal()
	if err != nil {
		e.t.Fatal(err)
	}
	t := &cmp.HTTPTransport{URL: e.srv.URL + "/.well-known/cmp"}
	respDER, err := t.Exchange(context.Background(), der)
	if err != nil {
		e.t.Fatalf("exchange: %v", err)
	}
	resp, err := cmp.ParseMessage(respDER)
	if err != nil {
		e.t.Fatalf("response: %v", err)
	}
	return resp
}

// wantErrorBody checks that resp is an error message like wantRefusal's.
func wantErrorBody(t *testing.T, resp *cmp.Message, f cmp.FailureInfo, ru, en string) {
	t.Helper()
	if resp.Body.Type != cmp.TypeError {
		t.Fatalf("response %s, want an error", resp.Body.Type)
	}
	wantRefusal(t, &cmp.ServerError{Body: cmp.TypeError, Status: resp.Body.Error.StatusInfo},
		f, ru, en)
}

// onEngines runs test on SQLite and on PostgreSQL (dsn "" is SQLite).
func onEngines(t *testing.T, test func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { test(t, "") })
	t.Run("postgres", func(t *testing.T) { test(t, pgtest.DSN(t)) })
}

// wantAuditCount checks that the audit trail has n records of action.
func (e *env) wantAuditCount(action string, n int) {
	e.t.Helper()
	recs, err := e.op.Store.AuditRecords(context.Background(), 0, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	got := 0
	for _, r := range recs {
		if r.Action == action {
			got++
		}
	}
	if got != n {
		e.t.Errorf("%d %q audit records, want %d", got, action, n)
	}
}
