package operator

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"sync"
	"testing"
	"time"

	"rekey/cmp"
	"rekey/pki"
	"rekey/store"
)

// t0 is the pinned time of the tests: the subscribers' certificates are
// issued then.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// clock is the injected clock.
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

// memStore is an in-memory Ledger and PolicyStore that logs every call.
type memStore struct {
	mu       sync.Mutex
	calls    []string
	resv     map[string]*store.Reservation
	resvReq  map[int64]string
	certs    map[string]*store.Certificate
	certSPKI map[string]string
	certReq  map[int64]string
	audit    []store.AuditEntry
	hits     map[string]int64

	failAudit  string // an audit action whose append fails
	failRecord error  // RecordCertificate fails with it
	// raceReserve, when set, is run by ReserveSerial first: another
	// attempt at the same request getting there first.
	raceReserve func()
}

func newMemStore() *memStore {
	return &memStore{
		resv: map[string]*store.Reservation{}, resvReq: map[int64]string{},
		certs: map[string]*store.Certificate{}, certSPKI: map[string]string{},
		certReq: map[int64]string{}, hits: map[string]int64{},
	}
}

func (m *memStore) log(s string) {
	m.calls = append(m.calls, s)
}

func opErr(op string, err error) error {
	return &store.OpError{Op: op, Table: "mem", Err: err}
}

func conflict(key string) error { return &store.ConflictError{Key: key} }

func (m *memStore) ReserveSerial(_ context.Context, r *store.Reservation) error {
	if f := m.raceReserve; f != nil {
		m.raceReserve = nil
		f()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.log("reserve")
	k := hex.EncodeToString(r.Serial)
	if _, ok := m.resv[k]; ok {
		return opErr("ReserveSerial", conflict(store.KeySerial))
	}
	if _, ok := m.resvReq[r.RequestID]; ok && r.RequestID != 0 {
		return opErr("ReserveSerial", conflict(store.KeySerialRequest))
	}
	c := *r
	m.resv[k] = &c
	if r.RequestID != 0 {
		m.resvReq[r.RequestID] = k
	}
	return nil
}

func (m *memStore) ReservationByRequest(_ context.Context, id int64) (*store.Reservation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.resvReq[id]
	if !ok {
		return nil, opErr("ReservationByRequest", store.ErrNotFound)
	}
	c := *m.resv[k]
	return &c, nil
}

func (m *memStore) RecordCertificate(_ context.Context, c *store.Certificate) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.log("record")
	if m.failRecord != nil {
		return m.failRecord
	}
	k := hex.EncodeToString(c.Serial)
	if _, ok := m.resv[k]; !ok {
		return opErr("RecordCertificate", store.ErrInvalid)
	}
	spki := hex.EncodeToString(c.SPKISHA256)
	switch _, dupReq := m.certReq[c.RequestID]; {
	case m.certs[k] != nil:
		return opErr("RecordCertificate", conflict(store.KeyCertificateSerial))
	case m.certSPKI[spki] != "":
		return opErr("RecordCertificate", conflict(store.KeyCertificateSPKI))
	case dupReq && c.RequestID != 0:
		return opErr("RecordCertificate", conflict(store.KeyCertificateRequest))
	}
	cc := *c
	cc.Status = store.StatusValid
	m.certs[k] = &cc
	m.certSPKI[spki] = k
	if c.RequestID != 0 {
		m.certReq[c.RequestID] = k
	}
	return nil
}

func (m *memStore) lookup(op, k string, ok bool) (*store.Certificate, error) {
	if !ok || m.certs[k] == nil {
		return nil, opErr(op, store.ErrNotFound)
	}
	c := *m.certs[k]
	return &c, nil
}

func (m *memStore) CertificateByRequest(_ context.Context, id int64) (*store.Certificate, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.certReq[id]
	return m.lookup("CertificateByRequest", k, ok)
}

func (m *memStore) Certificate(_ context.Context, serial []byte) (*store.Certificate, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := hex.EncodeToString(serial)
	return m.lookup("Certificate", k, true)
}

func (m *memStore) CertificateBySPKI(_ context.Context, h []byte) (*store.Certificate, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.certSPKI[hex.EncodeToString(h)]
	return m.lookup("CertificateBySPKI", k, ok)
}

func (m *memStore) HitRate(_ context.Context, id int64, bucket string, w time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := fmt.Sprintf("%d/%s/%d", id, bucket, w.Unix())
	m.hits[k]++
	return m.hits[k], nil
}

func (m *memStore) AppendAudit(_ context.Context, e store.AuditEntry) (*store.AuditRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.log("audit:" + e.Action)
	if e.Action == m.failAudit {
		return nil, opErr("AppendAudit", fmt.Errorf("disk full"))
	}
	m.audit = append(m.audit, e)
	return &store.AuditRecord{Seq: int64(len(m.audit)), AuditEntry: e}, nil
}

func (m *memStore) revoke(serial *big.Int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.certs[hex.EncodeToString(SerialBytes(serial))]
	c.Status, c.RevokedAt = store.StatusRevoked, t0
}

func (m *memStore) actions() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var a []string
	for _, e := range m.audit {
		a = append(a, e.Action)
	}
	return a
}

func (m *memStore) resetCalls() {
	m.mu.Lock()
	m.calls = nil
	m.mu.Unlock()
}

// loggingSigner records its signatures in the store's call log, so the
// order of reservation, audit and signature can be checked.
type loggingSigner struct {
	crypto.Signer
	m *memStore
}

func (s *loggingSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	s.m.mu.Lock()
	s.m.log("sign")
	s.m.mu.Unlock()
	return s.Signer.Sign(r, d, o)
}

// signerCorruptsAfterSelfTest signs correctly once (the self-test at
// load), then returns signatures with a flipped bit.
type signerCorruptsAfterSelfTest struct {
	crypto.Signer
	n int
}

func (s *signerCorruptsAfterSelfTest) Sign(
	r io.Reader,
	d []byte,
	o crypto.SignerOpts,
) ([]byte, error) {
	sig, err := s.Signer.Sign(r, d, o)
	if s.n++; s.n > 1 && err == nil {
		sig[len(sig)/2] ^= 0x01
	}
	return sig, err
}

// env is one operator under test: a CA with its store and clock.
type env struct {
	t       *testing.T
	profile *pki.Profile
	key     crypto.Signer
	ca      *CA
	store   *memStore
	clock   *clock
	policy  *Policy
	nextID  int64
}

// testConfig is the defaults with the office named and the profile set.
func testConfig(profile string) Config {
	c := Config{Profile: profile, CAName: "Test CA",
		Office: OfficeContact{RU: "Москва, ул. Тестовая, 1, тел. +7 495 000-00-00",
			EN: "Moscow, 1 Testovaya St., phone +7 495 000-00-00"}}
	c.ApplyDefaults()
	return c
}

// newCACert makes a self-signed CA certificate for key, valid ten years
// around t0.
func newCACert(t *testing.T, key crypto.Signer, cn string) []byte {
	t.Helper()
	tmpl := &pki.Template{
		SerialNumber: big.NewInt(1),
		Subject:      &pki.Subject{CommonName: cn, Organization: "ООО Тест", Country: "RU"},
		NotBefore:    t0.AddDate(-5, 0, 0), NotAfter: t0.AddDate(5, 0, 0),
		Extensions: pki.Extensions{
			BasicConstraints: &pki.BasicConstraints{IsCA: true, MaxPathLen: -1},
			KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign |
				x509.KeyUsageDigitalSignature,
		},
	}
	der, err := pki.CreateCertificate(tmpl, nil, key.Public(), key)
	if err != nil {
		t.Fatalf("CA certificate: %v", err)
	}
	return der
}

func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	profile, err := pki.ProfileByName(cfg.Profile)
	if err != nil {
		t.Fatal(err)
	}
	key, err := profile.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, profile: profile, key: key, store: newMemStore(), clock: &clock{t: t0}}
	e.ca, err = NewCA(newCACert(t, key, cfg.CAName), &loggingSigner{key, e.store}, e.store,
		Options{Config: cfg, Now: e.clock.Now})
	if err != nil {
		t.Fatalf("NewCA: %v", err)
	}
	e.policy = NewPolicy(e.ca, e.store)
	e.store.resetCalls()
	return e
}

// testSubject is a valid subscriber subject.
func testSubject() *pki.Subject {
	return &pki.Subject{
		Country: "RU", Province: "77 г. Москва", Locality: "Москва",
		Street: "ул. Тестовая, д. 1", Organization: "ООО \"Ромашка\"",
		Title: "Генеральный директор", CommonName: "ООО \"Ромашка\"",
		Surname: "Иванов", GivenName: "Иван Иванович", Email: "ivanov@example.ru",
		INNLE: "7707083893", OGRN: "1027700132195", SNILS: "11223344595",
	}
}

// newKey makes a subscriber key of the env's profile.
func (e *env) newKey() crypto.Signer {
	e.t.Helper()
	k, err := e.profile.GenerateKey(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return k
}

// enroll issues a subscriber certificate in the office at the clock's time,
// ending at notAfter when it is not zero.
func (e *env) enroll(key crypto.Signer, notAfter time.Time) *pki.Certificate {
	e.t.Helper()
	e.nextID++
	iss, err := e.ca.Issue(context.Background(), &IssueRequest{
		SubscriberID: e.nextID, Subject: testSubject(), PublicKey: key.Public(),
		NotAfter: notAfter, Actor: "office",
	})
	if err != nil {
		e.t.Fatalf("enroll: %v", err)
	}
	return iss.Certificate
}

// kur builds a key update of current for newKey with a signed POP and the
// current subject in the template.
func (e *env) kur(current *pki.Certificate, newKey crypto.Signer) *KeyUpdate {
	e.t.Helper()
	msg := &cmp.CertReqMsg{CertReq: cmp.CertRequest{CertReqID: 0,
		Template: cmp.CertTemplate{Subject: current.RawSubject}}}
	if err := msg.SignPOP(newKey, rand.Reader); err != nil {
		e.t.Fatalf("SignPOP: %v", err)
	}
	return &KeyUpdate{Current: current, Msg: msg, TransactionID: []byte("tx-1"),
		MessageDER: []byte("the kur message")}
}
