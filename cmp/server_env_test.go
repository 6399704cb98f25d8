package cmp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"log/slog"
	"math/big"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"rekey/gost/gost3410"
	"rekey/pki"
)

// testClock is the injected clock of a test: server and client share it.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Now().UTC().Truncate(time.Second)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testAuthority is an in-memory CA with a policy small enough for tests:
// it issues what it is asked (keeping the subject on kur), optionally
// after a number of polls, and refuses when told to.
type testAuthority struct {
	ca    *party
	clock *testClock

	mu           sync.Mutex
	secrets      map[string][]byte // reference (hex) → one-time secret
	serial       int64
	delay        int           // polls answered waiting before issuing
	pollAfter    time.Duration // the checkAfter of those answers (default 30 s)
	pending      map[string]*pendingIssue
	revoked      map[string]bool // serial (hex) → revoked
	confirmed    []Confirmation
	failConfirm  []byte // the transactionID whose Confirm fails
	refuseUpdate *Refusal
	failUpdate   error
	updated      map[string][]byte // transactionID (hex) → the kur's certificate
	calls        []string
	label        string // PathLabel of the last genm
}

type pendingIssue struct {
	spki, subject []byte
	polls         int
}

func newTestAuthority(ca *party, clock *testClock) *testAuthority {
	return &testAuthority{ca: ca, clock: clock, serial: 100,
		secrets: map[string][]byte{}, pending: map[string]*pendingIssue{},
		revoked: map[string]bool{}, updated: map[string][]byte{}}
}

func (a *testAuthority) call(name string) {
	a.mu.Lock()
	a.calls = append(a.calls, name)
	a.mu.Unlock()
}

func (a *testAuthority) Secret(_ context.Context, ref []byte) ([]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if s, ok := a.secrets[hex.EncodeToString(ref)]; ok {
		return s, nil
	}
	return nil, Refuse(FailNotAuthorized|FailBadMessageCheck, "", "")
}

func (a *testAuthority) certify(spki, subject []byte) ([]byte, error) {
	a.mu.Lock()
	a.serial++
	serial := a.serial
	a.mu.Unlock()
	now := a.clock.Now()
	return pki.CreateCertificate(&pki.Template{
		SerialNumber:            big.NewInt(serial),
		RawSubject:              subject,
		RawSubjectPublicKeyInfo: spki,
		NotBefore:               now.Add(-time.Minute),
		NotAfter:                now.AddDate(1, 0, 0),
		Extensions:              pki.Extensions{KeyUsage: x509.KeyUsageDigitalSignature},
	}, a.ca.cert, nil, a.ca.key)
}

func (a *testAuthority) decide(info *CertRequestInfo, subject []byte) (*Decision, error) {
	a.mu.Lock()
	delay := a.delay
	if delay > 0 {
		a.pending[hex.EncodeToString(info.TransactionID)] = &pendingIssue{
			spki: info.Template.PublicKey, subject: subject, polls: delay}
	}
	a.mu.Unlock()
	if delay > 0 {
		return WaitingDecision(0, "запрос на рассмотрении", "the request is being reviewed"), nil
	}
	cert, err := a.certify(info.Template.PublicKey, subject)
	if err != nil {
		return nil, err
	}
	return IssuedDecision(cert, a.ca.cert.Raw), nil
}

func (a *testAuthority) Enroll(_ context.Context, r *EnrollRequest) (*Decision, error) {
	a.call("enroll")
	return a.decide(&r.CertRequestInfo, r.Template.Subject)
}

func (a *testAuthority) UpdateKey(_ context.Context, r *KeyUpdateRequest) (*Decision, error) {
	a.call("update")
	a.mu.Lock()
	refuse, fail := a.refuseUpdate, a.failUpdate
	a.mu.Unlock()
	if refuse != nil {
		return RefusedDecision(refuse), nil
	}
	if fail != nil {
		return nil, fail
	}
	if r.Subject == nil || !r.Subject.Equal(r.Current.Subject) {
		return RefusedDecision(Refuse(FailBadCertTemplate, "имя владельца изменилось",
			"the subject changed")), nil
	}
	// A transaction asked before gets its answer again (Authority.UpdateKey).
	id := hex.EncodeToString(r.TransactionID)
	a.mu.Lock()
	cert, issued := a.updated[id]
	p, pending := a.pending[id]
	a.mu.Unlock()
	switch {
	case issued:
		return IssuedDecision(cert, a.ca.cert.Raw), nil
	case pending && p.polls > 0:
		return WaitingDecision(0, "запрос на рассмотрении",
			"the request is being reviewed"), nil
	}
	dec, err := a.decide(&r.CertRequestInfo, r.Current.RawSubject)
	if err == nil && dec.Kind == Issued {
		a.mu.Lock()
		a.updated[id] = dec.Certificate
		a.mu.Unlock()
	}
	return dec, err
}

func (a *testAuthority) Poll(_ context.Context, r *PollRequest) (*Decision, error) {
	a.call("poll")
	a.mu.Lock()
	p, ok := a.pending[hex.EncodeToString(r.TransactionID)]
	if ok {
		p.polls--
	}
	a.mu.Unlock()
	if !ok {
		return nil, Refuse(FailBadRequest, "", "")
	}
	if p.polls > 0 {
		after := a.pollAfter
		if after == 0 {
			after = 30 * time.Second
		}
		return WaitingDecision(after, "ждите", "please wait"), nil
	}
	cert, err := a.certify(p.spki, p.subject)
	if err != nil {
		return nil, err
	}
	return IssuedDecision(cert), nil
}

func (a *testAuthority) Confirm(_ context.Context, c *Confirmation) error {
	a.call("confirm")
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.failConfirm != nil && bytes.Equal(a.failConfirm, c.TransactionID) {
		return errors.New("test authority: confirm fails")
	}
	a.confirmed = append(a.confirmed, *c)
	return nil
}

func (a *testAuthority) Revoke(_ context.Context, r *RevokeRequest) error {
	a.call("revoke")
	a.mu.Lock()
	defer a.mu.Unlock()
	a.revoked[r.Serial.Text(16)] = true
	return nil
}

func (a *testAuthority) Revoked(_ context.Context, c *pki.Certificate) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.revoked[c.SerialNumber.Text(16)], nil
}

func (a *testAuthority) GeneralInfo(ctx context.Context, r *InfoRequest) ([]InfoTypeAndValue,
	error) {
	a.call("genm")
	a.mu.Lock()
	a.label = PathLabel(ctx)
	a.mu.Unlock()
	var out []InfoTypeAndValue
	for _, itv := range r.Types {
		switch {
		case itv.Type.Equal(OIDCACerts):
			out = append(out, CACertsInfo([][]byte{a.ca.cert.Raw}))
		case itv.Type.Equal(OIDCRLs):
			now := a.clock.Now()
			crl, err := pki.CreateCRL(&pki.CRLTemplate{Number: big.NewInt(1), ThisUpdate: now,
				NextUpdate: now.Add(24 * time.Hour)}, a.ca.cert, a.ca.key)
			if err != nil {
				return nil, err
			}
			out = append(out, CRLsInfo([][]byte{crl}))
		case itv.Type.Equal(OIDRenewalWindow):
			id, err := itv.RenewalWindowCertID()
			if err != nil {
				return nil, Refuse(FailBadDataFormat, "", "")
			}
			w, err := RenewalWindowInfo(&RenewalWindow{Cert: *id,
				NotBefore: r.Signer.NotAfter.AddDate(0, 0, -30).UTC().Truncate(time.Second),
				NotAfter:  r.Signer.NotAfter.AddDate(0, 0, -7).UTC().Truncate(time.Second),
				Text:      FreeText("обновите ключ заранее", "renew the key in advance")})
			if err != nil {
				return nil, err
			}
			out = append(out, w)
		}
	}
	return out, nil
}

// testEnv is a Server on 127.0.0.1 with its Authority and a Client.
type testEnv struct {
	profile string
	ca      *party
	auth    *testAuthority
	clock   *testClock
	srv     *Server
	http    *httptest.Server
	client  *Client
	logs    *bytes.Buffer
}

// caParty returns the CA of a profile: "gost256" or "ecdsa".
func newTestEnv(t testing.TB, profile string, mod func(*ServerConfig)) *testEnv {
	t.Helper()
	ca := testParties(t)[profile]
	clock := newTestClock()
	auth := newTestAuthority(ca, clock)
	logs := &bytes.Buffer{}
	cfg := ServerConfig{
		CACert: ca.cert, Signer: ca.key, Authority: auth, Secrets: auth,
		Clock: clock.Now, MACIterations: 1000,
		Logger: slog.New(slog.NewJSONHandler(&lockedWriter{w: logs}, nil)),
	}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	mac := &MACOptions{Algorithm: PBMAC1WithSHA256, Iterations: 1000}
	if profile != "ecdsa" {
		mac.Algorithm = PBMAC1WithStreebog512
	}
	client := &Client{
		Transport: &HTTPTransport{URL: hs.URL + WellKnownPath},
		Roots:     []*pki.Certificate{ca.cert}, Recipient: ca.cert.RawSubject,
		Clock: clock.Now, MAC: mac,
	}
	return &testEnv{profile: profile, ca: ca, auth: auth, clock: clock, srv: srv, http: hs,
		client: client, logs: logs}
}

// newClient returns a fresh Client like e.client: a restarted process.
func (e *testEnv) newClient() *Client {
	c := *e.client
	return &c
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// newKey returns a fresh subscriber key of the profile.
func newKey(t testing.TB, profile string) crypto.Signer {
	t.Helper()
	var key crypto.Signer
	var err error
	if profile == "ecdsa" {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		key, err = gost3410.GenerateKey(gost3410.TC26256A, rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// enroll runs ir and certConf for a new subscriber and returns its
// credentials.
func (e *testEnv) enroll(t testing.TB, cn string) *Credentials {
	t.Helper()
	ref, secret := []byte("ref-"+cn), []byte("secret of "+cn)
	e.auth.mu.Lock()
	e.auth.secrets[hex.EncodeToString(ref)] = secret
	e.auth.mu.Unlock()
	subject, err := (&pki.Subject{CommonName: cn, Organization: "ООО Ромашка"}).MarshalDN()
	if err != nil {
		t.Fatal(err)
	}
	key := newKey(t, e.profile)
	ctx := context.Background()
	res, err := e.client.Enroll(ctx, &EnrollOptions{Reference: ref, Secret: secret,
		NewKey: key, Subject: subject})
	if err != nil {
		t.Fatalf("Enroll: %v", err)
	}
	if res.Certificate == nil || res.State.State != ClientIssued {
		t.Fatalf("Enroll: state %s, certificate %v", res.State.State, res.Certificate != nil)
	}
	if err := e.client.Confirm(ctx, res.State, MACCredentials(ref, secret), true); err != nil {
		t.Fatalf("Confirm ir: %v", err)
	}
	return SignatureCredentials(res.Certificate, key)
}
