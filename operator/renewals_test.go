package operator

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"rekey/cmp"
	"rekey/pki"
	"rekey/store"
	"rekey/store/sqlite"
)

// sqlEnv is an operator on a real SQLite store.
type sqlEnv struct {
	t       *testing.T
	profile *pki.Profile
	st      store.Store
	ca      *CA
	ren     *Renewals
	clock   *clock
}

func newSQLEnv(t *testing.T, cfg Config) *sqlEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "rekey.db")+
		"?synchronous=normal")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	profile, _ := pki.ProfileByName(cfg.Profile)
	key, _ := profile.GenerateKey(nil)
	e := &sqlEnv{t: t, profile: profile, st: st, clock: &clock{t: t0}}
	e.ca, err = NewCA(newCACert(t, key, cfg.CAName), key, st,
		Options{Config: cfg, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.ren = NewRenewals(e.ca, st)
	return e
}

func (e *sqlEnv) newKey() crypto.Signer {
	k, err := e.profile.GenerateKey(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return k
}

// enroll registers a subscriber and issues its first certificate in the
// office.
func (e *sqlEnv) enroll() *pki.Certificate {
	e.t.Helper()
	ctx := context.Background()
	subj := testSubject()
	dn, _ := subj.MarshalDN()
	sub := &store.Subscriber{SubjectDER: dn, SubjectJSON: []byte("{}"), CreatedAt: t0}
	if err := e.st.CreateSubscriber(ctx, sub); err != nil {
		e.t.Fatal(err)
	}
	iss, err := e.ca.Issue(ctx, &IssueRequest{SubscriberID: sub.ID, Subject: subj,
		PublicKey: e.newKey().Public(), Actor: "office"})
	if err != nil {
		e.t.Fatal(err)
	}
	return iss.Certificate
}

// kur returns a key update of current for newKey as a CMP message would
// carry it, with a transaction ID of its own.
func (e *sqlEnv) kur(current *pki.Certificate, newKey crypto.Signer, tx string) *KeyUpdate {
	e.t.Helper()
	crm := cmp.CertReqMsg{CertReq: cmp.CertRequest{
		Template: cmp.CertTemplate{Subject: current.RawSubject}}}
	if err := crm.SignPOP(newKey, rand.Reader); err != nil {
		e.t.Fatal(err)
	}
	msg := &cmp.Message{
		Header: cmp.Header{PVNO: cmp.PVNO2000, Sender: cmp.DirectoryName(current.RawSubject),
			Recipient: cmp.DirectoryName(e.ca.cert.RawSubject), TransactionID: []byte(tx),
			SenderNonce: bytes.Repeat([]byte{1}, 16)},
		Body: cmp.Body{Type: cmp.TypeKUR, CertReq: []cmp.CertReqMsg{crm}},
	}
	der, err := msg.Marshal()
	if err != nil {
		e.t.Fatal(err)
	}
	return &KeyUpdate{Current: current, Msg: &crm, TransactionID: []byte(tx), MessageDER: der}
}

func (e *sqlEnv) wantIssued(o *Outcome, current *pki.Certificate, newKey crypto.Signer) {
	e.t.Helper()
	if o.Issued == nil {
		e.t.Fatalf("outcome %+v, want a certificate", o)
	}
	c := o.Issued.Certificate
	spki, _ := pki.MarshalPKIXPublicKey(newKey.Public())
	if !bytes.Equal(c.RawSubject, current.RawSubject) ||
		!bytes.Equal(c.RawSubjectPublicKeyInfo, spki) {
		e.t.Error("the certificate is not the current subject's for the new key")
	}
	if _, err := pki.Verify(c, pki.VerifyOptions{Roots: []*pki.Certificate{e.ca.cert},
		At: e.clock.Now()}); err != nil {
		e.t.Errorf("Verify: %v", err)
	}
}

func (e *sqlEnv) verifyChain() {
	e.t.Helper()
	if _, err := e.st.VerifyChain(context.Background()); err != nil {
		e.t.Errorf("audit chain: %v", err)
	}
}

func TestRenewalsAutomatic(t *testing.T) {
	for _, name := range []string{"gost2012-256", "ecdsa-p256"} {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(name)
			cfg.Approval = ApprovalAuto
			e := newSQLEnv(t, cfg)
			ctx := context.Background()
			current := e.enroll()
			e.clock.Set(t0.AddDate(0, 9, 0))
			newKey := e.newKey()
			ku := e.kur(current, newKey, "tx-auto")
			o, err := e.ren.Submit(ctx, ku)
			if err != nil {
				t.Fatal(err)
			}
			e.wantIssued(o, current, newKey)
			if o.State != store.StateIssued || o.Issued.Again {
				t.Errorf("state %s, again %v", o.State, o.Issued.Again)
			}
			// The client retries: the same certificate, nothing signed.
			again, err := e.ren.Submit(ctx, ku)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if !again.Issued.Again || !bytes.Equal(again.Issued.DER, o.Issued.DER) {
				t.Error("a retry did not get the same certificate")
			}
			e.verifyChain()
		})
	}
}

func TestRenewalsManualApproval(t *testing.T) {
	for _, name := range []string{"gost2012-256", "ecdsa-p256"} {
		t.Run(name, func(t *testing.T) {
			e := newSQLEnv(t, testConfig(name))
			ctx := context.Background()
			current := e.enroll()
			e.clock.Set(t0.AddDate(0, 9, 0))
			newKey := e.newKey()
			o, err := e.ren.Submit(ctx, e.kur(current, newKey, "tx-manual"))
			if err != nil {
				t.Fatal(err)
			}
			if !o.Waiting() || o.State != store.StateWaiting || o.CheckAfter != DefaultCheckAfter {
				t.Fatalf("outcome %+v, want waiting", o)
			}
			if o2, err := e.ren.Status(ctx, o.RequestID); err != nil || !o2.Waiting() {
				t.Fatalf("poll before approval: %+v, %v", o2, err)
			}
			e.clock.Set(e.clock.Now().Add(2 * time.Hour))
			if err := Approve(ctx, e.st, o.RequestID, "operator", e.clock.Now()); err != nil {
				t.Fatal(err)
			}
			o3, err := e.ren.Status(ctx, o.RequestID)
			if err != nil {
				t.Fatal(err)
			}
			e.wantIssued(o3, current, newKey)
			e.verifyChain()
		})
	}
}

// TestRenewalsRetryAfterRateLimit: a retried kur that the policy would
// refuse now (the day's limit is reached) gets its request's state, and
// neither its count nor a refusal stays behind.
func TestRenewalsRetryAfterRateLimit(t *testing.T) {
	cfg := testConfig("ecdsa-p256")
	cfg.RateLimitPerDay = 1
	e := newSQLEnv(t, cfg)
	ctx := context.Background()
	current := e.enroll()
	e.clock.Set(t0.AddDate(0, 9, 0))
	first := e.kur(current, e.newKey(), "tx-first")
	o, err := e.ren.Submit(ctx, first)
	if err != nil || !o.Waiting() {
		t.Fatalf("first kur: %+v, %v; want waiting", o, err)
	}
	for range 3 {
		again, err := e.ren.Submit(ctx, first)
		if err != nil || !again.Waiting() || again.RequestID != o.RequestID {
			t.Fatalf("retry over the limit: %+v, %v; want request %d waiting", again, err,
				o.RequestID)
		}
	}
	// The day's count is still 1: the next hit makes it 2.
	sub, err := e.st.SubscriberBySubject(ctx, current.RawSubject)
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.st.HitRate(ctx, sub.ID, rateBucket, startOfDay(e.clock.Now(), e.ca.loc))
	if err != nil || n != 2 {
		t.Errorf("the day's count after the retries and one more hit: %d, %v; want 2", n, err)
	}
	recs, err := e.st.AuditRecords(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Action == AuditRenewalRefused {
			t.Errorf("a retry was audited as refused: %+v", r)
		}
	}
	e.verifyChain()
}

func TestRenewalsRejected(t *testing.T) {
	e := newSQLEnv(t, testConfig("gost2012-256"))
	ctx := context.Background()
	current := e.enroll()
	o, err := e.ren.Submit(ctx, e.kur(current, e.newKey(), "tx-reject"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Reject(ctx, e.st, o.RequestID, "operator", "паспорт не предъявлен",
		e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	o2, err := e.ren.Status(ctx, o.RequestID)
	if err != nil {
		t.Fatal(err)
	}
	if o2.Refusal == nil || o2.Refusal.Reason != ReasonRejected ||
		!bytes.Contains([]byte(o2.Refusal.RU), []byte("паспорт не предъявлен")) {
		t.Errorf("outcome %+v", o2)
	}
	if err := Approve(ctx, e.st, o.RequestID, "operator", e.clock.Now()); !errors.Is(err,
		store.ErrStateChanged) {
		t.Errorf("approving a rejected request: %v", err)
	}
}

func TestRenewalsTransactionReusedForAnotherKey(t *testing.T) {
	e := newSQLEnv(t, testConfig("ecdsa-p256"))
	ctx := context.Background()
	current := e.enroll()
	if _, err := e.ren.Submit(ctx, e.kur(current, e.newKey(), "tx-1")); err != nil {
		t.Fatal(err)
	}
	_, err := e.ren.Submit(ctx, e.kur(current, e.newKey(), "tx-1"))
	if r := IsRefusal(err); r == nil || r.Failure != cmp.FailTransactionIDInUse {
		t.Errorf("err = %v, want transactionIdInUse", err)
	}
}

// Two requests offer one new key; both wait, both are approved. The
// first polled gets the certificate, the other is rejected: a key is
// certified once (O3).
func TestRenewalsOneKeyTwoRequests(t *testing.T) {
	e := newSQLEnv(t, testConfig("gost2012-256"))
	ctx := context.Background()
	current := e.enroll()
	newKey := e.newKey()
	a, err := e.ren.Submit(ctx, e.kur(current, newKey, "tx-a"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.ren.Submit(ctx, e.kur(current, newKey, "tx-b"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{a.RequestID, b.RequestID} {
		if err := Approve(ctx, e.st, id, "operator", e.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	oa, err := e.ren.Status(ctx, a.RequestID)
	if err != nil {
		t.Fatal(err)
	}
	e.wantIssued(oa, current, newKey)
	_, err = e.ren.Status(ctx, b.RequestID)
	if r := IsRefusal(err); r == nil || r.Reason != ReasonKeyReused {
		t.Fatalf("second request: %v", err)
	}
	if req, _ := e.st.Request(ctx, b.RequestID); req.State != store.StateRejected {
		t.Errorf("second request is %s, want rejected", req.State)
	}
}

// Polls of one approved request arrive at once (two replicas, a client
// that retries): one certificate is issued, and every poll that gets one
// gets that one (O8).
func TestRenewalsConcurrentPollsIssueOnce(t *testing.T) {
	e := newSQLEnv(t, testConfig("ecdsa-p256"))
	ctx := context.Background()
	current := e.enroll()
	o, err := e.ren.Submit(ctx, e.kur(current, e.newKey(), "tx-c"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Approve(ctx, e.st, o.RequestID, "operator", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]*Outcome, 8)
	errs := make([]error, len(results))
	for i := range results {
		wg.Go(func() { results[i], errs[i] = e.ren.Status(ctx, o.RequestID) })
	}
	wg.Wait()
	var der []byte
	for i, r := range results {
		if errs[i] != nil {
			t.Fatalf("poll %d: %v", i, errs[i])
		}
		if r.Issued == nil {
			continue // told to wait: another poll was issuing
		}
		if der != nil && !bytes.Equal(der, r.Issued.DER) {
			t.Fatal("two different certificates for one request")
		}
		der = r.Issued.DER
	}
	certs, err := e.st.ListCertificates(ctx, store.CertificateQuery{SubscriberID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 2 { // the enrolled one and the renewal
		t.Errorf("%d certificates stored, want 2", len(certs))
	}
	e.verifyChain()
}

// A request accepted under automatic approval but left behind by a crash
// (stored, not yet approved) is finished by the next poll.
func TestRenewalsFinishAfterCrash(t *testing.T) {
	cfg := testConfig("gost2012-256")
	cfg.Approval = ApprovalAuto
	e := newSQLEnv(t, cfg)
	ctx := context.Background()
	current := e.enroll()
	newKey := e.newKey()
	ku := e.kur(current, newKey, "tx-crash")
	a, err := e.ren.policy.Check(ctx, ku)
	if err != nil {
		t.Fatal(err)
	}
	req := &store.Request{SubscriberID: a.SubscriberID, TransactionID: ku.TransactionID,
		Message: ku.MessageDER, SignerSerial: a.Current.Serial, SPKISHA256: a.SPKISHA256,
		State: store.StateReceived, ReceivedAt: t0}
	if err := e.st.CreateRequest(ctx, req); err != nil {
		t.Fatal(err)
	}
	o, err := e.ren.Status(ctx, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.wantIssued(o, current, newKey)
}
