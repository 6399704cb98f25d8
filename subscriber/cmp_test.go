package subscriber

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"log/slog"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"rekey/cmp"
	"rekey/pki"
)

// testAuthority is a CA policy behind a real cmp.Server: it issues with
// the current subject, at once or after approval, or refuses.
type testAuthority struct {
	mu      sync.Mutex
	ca      *pki.Certificate
	caKey   crypto.Signer
	now     func() time.Time
	auto    bool
	refusal *cmp.Refusal
	fail    error // an internal error of the authority
	waiting map[string]*cmp.KeyUpdateRequest
	issued  map[string][]byte
	kurs    int
	confirm int
}

func (a *testAuthority) issue(req *cmp.KeyUpdateRequest) (*cmp.Decision, error) {
	now := a.now().Truncate(time.Second)
	der, err := pki.CreateCertificate(&pki.Template{SerialNumber: big.NewInt(int64(5000 + a.kurs)),
		RawSubject: req.Current.RawSubject, NotBefore: now, NotAfter: now.AddDate(1, 0, 0),
		Extensions: pki.Extensions{KeyUsage: x509.KeyUsageDigitalSignature}},
		a.ca, req.PublicKey, a.caKey)
	if err != nil {
		return nil, err
	}
	a.issued[string(req.TransactionID)] = der
	return cmp.IssuedDecision(der), nil
}

func (a *testAuthority) UpdateKey(ctx context.Context, req *cmp.KeyUpdateRequest) (*cmp.Decision, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.kurs++
	if a.fail != nil {
		return nil, a.fail
	}
	if a.refusal != nil {
		return cmp.RefusedDecision(a.refusal), nil
	}
	if a.auto {
		return a.issue(req)
	}
	a.waiting[string(req.TransactionID)] = req
	return cmp.WaitingDecision(time.Hour, "ждите одобрения", "waiting for approval"), nil
}

func (a *testAuthority) Poll(ctx context.Context, req *cmp.PollRequest) (*cmp.Decision, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if der, ok := a.issued[string(req.TransactionID)]; ok {
		return cmp.IssuedDecision(der), nil
	}
	kur, ok := a.waiting[string(req.TransactionID)]
	if !ok {
		return nil, errors.New("unknown transaction")
	}
	if !a.auto {
		return cmp.WaitingDecision(time.Hour, "ждите одобрения", "waiting for approval"), nil
	}
	return a.issue(kur)
}

func (a *testAuthority) Confirm(ctx context.Context, c *cmp.Confirmation) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c.Accepted {
		a.confirm++
	}
	return nil
}

func (a *testAuthority) Enroll(ctx context.Context, req *cmp.EnrollRequest) (*cmp.Decision, error) {
	return cmp.RefusedDecision(cmp.Refuse(cmp.FailNotAuthorized, "", "")), nil
}

func (a *testAuthority) Revoke(ctx context.Context, req *cmp.RevokeRequest) error {
	return cmp.Refuse(cmp.FailNotAuthorized, "", "")
}

func (a *testAuthority) GeneralInfo(ctx context.Context, req *cmp.InfoRequest) ([]cmp.InfoTypeAndValue, error) {
	return nil, nil
}

func (a *testAuthority) Revoked(ctx context.Context, cert *pki.Certificate) (bool, error) {
	return false, nil
}

// serverTransport hands requests to the Server in process.
type serverTransport struct {
	srv  *cmp.Server
	down *bool
}

func (t serverTransport) Exchange(ctx context.Context, der []byte) ([]byte, error) {
	if *t.down {
		return nil, &cmp.UnavailableError{URL: testURL, Err: errors.New("connection refused")}
	}
	return t.srv.Handle(ctx, der).Response, nil
}

// withCMP replaces the fixture's fake operator with the real CMP client
// and server.
func withCMP(t *testing.T, f *fixture) (*testAuthority, *bool) {
	a := &testAuthority{ca: f.caCert, caKey: f.caKey, now: f.clock.Now,
		waiting: map[string]*cmp.KeyUpdateRequest{}, issued: map[string][]byte{}}
	srv, err := cmp.NewServer(cmp.ServerConfig{CACert: f.caCert, Signer: f.caKey, Authority: a,
		Clock: f.clock.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	down := new(bool)
	f.client.opts.Exchanger = &CMP{Clock: f.clock.Now,
		Transport: func(string) cmp.Transport { return serverTransport{srv, down} }}
	return a, down
}

// TestCMPFlow runs the renewal through package cmp's client and server.
func TestCMPFlow(t *testing.T) {
	for _, prof := range testProfiles {
		t.Run(prof.Name, func(t *testing.T) {
			f := newFixture(t, prof, time.Time{})
			a, down := withCMP(t, f)
			f.renew()
			if a.kurs != 0 {
				t.Fatal("renew sent the request")
			}
			*down = true
			if _, err := f.client.Sync(context.Background()); !errors.Is(err, ErrUnreachable) {
				t.Fatalf("sync while down: %v", err)
			}
			*down = false
			if sr := f.sync(); len(sr.Pending) != 1 || sr.Pending[0].Status != StatusSent {
				t.Fatalf("first sync: %+v", sr)
			}
			a.mu.Lock()
			a.auto = true
			a.mu.Unlock()
			f.clock.Add(2 * time.Hour)
			sr := f.sync()
			if len(sr.Renewed) != 1 || a.kurs != 1 || a.confirm != 1 {
				t.Fatalf("second sync: %+v; kurs %d, confirms %d", sr, a.kurs, a.confirm)
			}
			ks := f.keys()
			if ks[f.current.ID()].State != StateArchived || ks[sr.Renewed[0].NewKey].State != StateValid {
				t.Errorf("states %s, %s", ks[f.current.ID()].State, ks[sr.Renewed[0].NewKey].State)
			}
			f.checkSigns(sr.Renewed[0].NewKey, newPassword)
		})
	}
}

// TestCMPRefusal: the operator's refusal (a changed subject) arrives with
// its texts in both languages.
func TestCMPRefusal(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	a, _ := withCMP(t, f)
	a.refusal = cmp.Refuse(cmp.FailBadCertTemplate,
		"данные владельца изменились: замена только в офисе",
		"the subject has changed: replacement in the office only")
	f.renew()
	_, err := f.client.Sync(context.Background())
	var re *RefusedError
	if !errors.As(err, &re) || !strings.Contains(re.RU, "только в офисе") ||
		!strings.Contains(re.EN, "office only") || re.Failure == "" {
		t.Fatalf("Sync: %v", err)
	}
	if it := f.outbox()[0]; it.Status != StatusRefused || it.Refusal.RU != re.RU {
		t.Errorf("item %+v", it)
	}
}

// lossyTransport hands the request to the Server and loses the answer
// while lose is set, as a connection that breaks on the way back.
type lossyTransport struct {
	serverTransport
	lose *bool
}

func (t lossyTransport) Exchange(ctx context.Context, der []byte) ([]byte, error) {
	resp, err := t.serverTransport.Exchange(ctx, der)
	if err == nil && *t.lose {
		return nil, errors.New("read tcp 127.0.0.1:1: connection reset by peer")
	}
	return resp, err
}

// TestCMPLostAnswer: the operator got the kur but its answer was lost;
// the next sync sends it again in the same transaction, so the operator
// sees one request, and the renewal completes once approved — with
// manual approval (waiting) and with automatic approval (issued).
func TestCMPLostAnswer(t *testing.T) {
	for _, auto := range []bool{false, true} {
		t.Run(map[bool]string{false: "manual", true: "auto"}[auto], func(t *testing.T) {
			f, a, lose := lossyFixture(t)
			a.auto = auto
			f.renew()
			*lose = true
			if _, err := f.client.Sync(context.Background()); !errors.Is(err, ErrUnreachable) {
				t.Fatalf("sync with the answer lost: %v", err)
			}
			*lose = false
			sr := f.sync()
			if !auto {
				if len(sr.Pending) != 1 || sr.Pending[0].Status != StatusSent {
					t.Fatalf("sync after the loss: %+v", sr)
				}
				a.mu.Lock()
				a.auto = true
				a.mu.Unlock()
				f.clock.Add(2 * time.Hour)
				sr = f.sync()
			}
			if len(sr.Renewed) != 1 {
				t.Fatalf("not renewed: %+v", sr)
			}
			a.mu.Lock()
			defer a.mu.Unlock()
			if a.kurs != 1 || len(a.issued) != 1 || a.confirm != 1 {
				t.Errorf("the operator saw %d requests, issued %d, confirmed %d", a.kurs,
					len(a.issued), a.confirm)
			}
		})
	}
}

// TestCMPPassingRefusal: an internal error of the operator (systemFailure)
// leaves the request queued, with the attempt counted and the operator's
// text kept, and the next sync completes the renewal in the same
// transaction. transactionIdInUse for a kur sent again after a lost
// answer (its first copy may still be processed there) leaves it queued
// too, but only once: refused so again, or at the first kur, the
// request is refused for good.
func TestCMPPassingRefusal(t *testing.T) {
	for _, tc := range []struct {
		name       string
		lostBefore bool // the first exchange's answer is lost
	}{
		{"systemFailure", false},
		{"systemFailure after a lost answer", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, a, lose := lossyFixture(t)
			f.renew()
			a.mu.Lock()
			a.fail = errors.New("the database is down")
			a.mu.Unlock()
			attempts := 0
			if tc.lostBefore {
				// The operator failed and its answer was lost too.
				*lose = true
				if _, err := f.client.Sync(context.Background()); !errors.Is(err, ErrUnreachable) {
					t.Fatalf("sync with the answer lost: %v", err)
				}
				*lose = false
				attempts++
			}
			_, err := f.client.Sync(context.Background())
			attempts++
			var ue *UnreachableError
			if !errors.As(err, &ue) || ue.Answered == nil ||
				!strings.Contains(ue.Answered.Failure, "systemFailure") || ue.Answered.RU == "" {
				t.Fatalf("Sync: %v; want the request kept queued with the operator's answer", err)
			}
			it := f.outbox()[0]
			if it.Status != StatusQueued || it.Attempts != attempts || it.Passing == nil ||
				!strings.Contains(it.LastError, "systemFailure") {
				t.Fatalf("item after the passing refusal: status %s, %d attempts, %q",
					it.Status, it.Attempts, it.LastError)
			}
			a.mu.Lock()
			a.fail, a.auto = nil, true
			a.mu.Unlock()
			if sr := f.sync(); len(sr.Renewed) != 1 {
				t.Fatalf("not renewed on the next sync: %+v", sr)
			}
			a.mu.Lock()
			if len(a.issued) != 1 || a.confirm != 1 {
				t.Errorf("the operator issued %d, confirmed %d; want one each", len(a.issued),
					a.confirm)
			}
			a.mu.Unlock()
			if it := f.outbox(); len(it) != 0 && it[0].Passing != nil {
				t.Errorf("the passing refusal kept after the renewal: %+v", it[0])
			}
		})
	}

	t.Run("transactionIdInUse", func(t *testing.T) {
		for _, lostBefore := range []bool{false, true} {
			f, a, lose := lossyFixture(t)
			a.refusal = cmp.Refuse(cmp.FailTransactionIDInUse, "занято", "in use")
			f.renew()
			if lostBefore {
				*lose = true
				if _, err := f.client.Sync(context.Background()); !errors.Is(err, ErrUnreachable) {
					t.Fatalf("sync with the answer lost: %v", err)
				}
				*lose = false
				_, err := f.client.Sync(context.Background())
				var ue *UnreachableError
				if !errors.As(err, &ue) || ue.Answered == nil {
					t.Fatalf("resent kur refused as in use: %v; want it kept queued", err)
				}
			}
			_, err := f.client.Sync(context.Background())
			var re *RefusedError
			if it := f.outbox()[0]; !errors.As(err, &re) || it.Status != StatusRefused {
				t.Fatalf("lost answer %v: Sync: %v, item %s; want refused for good",
					lostBefore, err, it.Status)
			}
		}
	})
}

// lossyFixture is a fixture whose CMP transport loses the operator's
// answers while *lose is set.
func lossyFixture(t *testing.T) (*fixture, *testAuthority, *bool) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	a, down := withCMP(t, f)
	srv := f.client.opts.Exchanger.(*CMP).Transport("").(serverTransport).srv
	lose := new(bool)
	f.client.opts.Exchanger = &CMP{Clock: f.clock.Now, Transport: func(string) cmp.Transport {
		return lossyTransport{serverTransport{srv, down}, lose}
	}}
	return f, a, lose
}
