package rekeyd

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rekey/cmp"
	"rekey/internal/pgtest"
	"rekey/operator"
	"rekey/store"
)

// TestCommitsPerRenewal: a kur is two commits (its checks, request,
// approval, reserved serial and "sign.before"; the certificate,
// "sign.after" and the transaction's new state) and its certConf one.
func TestCommitsPerRenewal(t *testing.T) {
	commits := countCommits(t)
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	commits.Store(0)
	e.renew(s)
	if got, want := commits.Load(), int64(3); got != want {
		t.Errorf("%d commits per renewal, want %d", got, want)
	}
}

// TestConcurrentRenewals renews many subscribers at once, so that the
// SQLite writer groups their transactions into shared commits and the
// PostgreSQL transactions queue on the audit chain's head, and checks what
// must hold after: every request confirmed with exactly one certificate
// under a serial reserved before it was signed, a "sign.before" and a
// "sign.after" for each in that order, and the audit chain intact.
func TestConcurrentRenewals(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dsn := ""
			if engine == "postgres" {
				dsn = pgtest.DSN(t)
			}
			e := newEnvDB(t, testPolicy("ecdsa-p256", operator.ApprovalAuto,
				func(c *operator.Config) { c.RateLimitPerDay = 100 }), dsn)
			const subscribers, rounds = 8, 3
			subs := make([]*subscriber, subscribers)
			for i := range subs {
				subs[i] = e.enroll(fmt.Sprintf("ООО Ромашка %d", i), time.Time{})
			}
			var wg sync.WaitGroup
			for _, s := range subs {
				wg.Go(func() {
					c := e.newClient()
					for range rounds {
						var err error
						if s, err = e.renewOnce(context.Background(), c, s); err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			checkIssuance(t, e, subscribers*rounds)
		})
	}
}

// checkIssuance checks the store after n renewals (see
// TestConcurrentRenewals).
func checkIssuance(t *testing.T, e *env, n int) {
	t.Helper()
	ctx := context.Background()
	st := e.op.Store
	if _, err := e.op.VerifyAudit(ctx); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	reqs, err := st.ListRequests(ctx, store.RequestQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != n {
		t.Errorf("%d requests, want %d", len(reqs), n)
	}
	seq := map[string]map[string]int64{} // object → action → seq
	recs, err := st.AuditRecords(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if seq[r.Object] == nil {
			seq[r.Object] = map[string]int64{}
		}
		if _, dup := seq[r.Object][r.Action]; dup && r.Action != AuditCMPRefused {
			t.Errorf("%s audited twice for %s", r.Action, r.Object)
		}
		seq[r.Object][r.Action] = r.Seq
	}
	for _, r := range reqs {
		if r.State != store.StateConfirmed {
			t.Errorf("request %d is %s, want confirmed", r.ID, r.State)
		}
		c, err := st.CertificateByRequest(ctx, r.ID)
		if err != nil {
			t.Errorf("request %d: %v", r.ID, err)
			continue
		}
		if _, err := st.Reservation(ctx, c.Serial); err != nil {
			t.Errorf("request %d: serial not reserved: %v", r.ID, err)
		}
		a := seq[fmt.Sprintf("serial:%x", c.Serial)]
		before, okB := a[operator.AuditSignBefore]
		after, okA := a[operator.AuditSignAfter]
		if !okB || !okA || before >= after {
			t.Errorf("request %d: sign.before at %d, sign.after at %d", r.ID, before, after)
		}
	}
}

// TestReplayedKur: the same kur message sent again after it was answered
// is refused as a replay (its nonce fails the first commit of the second
// message; on PostgreSQL, a write held back whose error the commit
// returns), and the request keeps its one certificate.
func TestReplayedKur(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dsn := ""
			if engine == "postgres" {
				dsn = pgtest.DSN(t)
			}
			testReplayedKur(t, newEnvDB(t, testPolicy("gost2012-256", operator.ApprovalAuto,
				nil), dsn))
		})
	}
}

func testReplayedKur(t *testing.T, e *env) {
	s := e.enroll("ООО Ромашка", time.Time{})
	rec := &recordingTransport{Transport: e.client.Transport}
	c := e.newClient()
	c.Transport = rec
	if _, err := c.UpdateKey(context.Background(), &cmp.KeyUpdateOptions{Current: s.cert,
		CurrentKey: s.key, NewKey: e.newKey()}); err != nil {
		t.Fatal(err)
	}
	respDER, err := e.client.Transport.Exchange(context.Background(), rec.first)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := cmp.ParseMessage(respDER)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Body.Type != cmp.TypeError ||
		resp.Body.Error.StatusInfo.FailInfo&cmp.FailBadSenderNonce == 0 {
		t.Fatalf("replay answered %s, want an error with badSenderNonce", resp.Body.Type)
	}
	certs, err := e.op.Store.ListCertificates(context.Background(), store.CertificateQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 2 { // the enrollment's and the renewal's
		t.Errorf("%d certificates, want 2", len(certs))
	}
}

// recordingTransport keeps the first request it carries.
type recordingTransport struct {
	cmp.Transport
	mu    sync.Mutex
	first []byte
}

func (r *recordingTransport) Exchange(ctx context.Context, der []byte) ([]byte, error) {
	r.mu.Lock()
	if r.first == nil {
		r.first = der
	}
	r.mu.Unlock()
	return r.Transport.Exchange(ctx, der)
}

// TestCertificateReadsPerRenewal pins the certificate lookups a renewal
// makes: the kur's revocation check, the policy's check of the current
// certificate inside the first transaction and its look for a resent
// request share one read (unit.certs); the certConf finds its request
// through its transaction's row, without reading the new certificate.
// Without either it is 3.
func TestCertificateReadsPerRenewal(t *testing.T) {
	reads, txReads := new(atomic.Int64), new(atomic.Int64)
	wrapStore = func(st store.Store) store.Store {
		return &certReadCounter{Store: st, n: reads, tx: txReads}
	}
	t.Cleanup(func() { wrapStore = nil })
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	reads.Store(0)
	txReads.Store(0)
	e.renew(s)
	if got, want := reads.Load(), int64(1); got != want {
		t.Errorf("%d certificate reads per renewal, want %d", got, want)
	}
	// The kur's transaction comes with its certificate (Prefetch); the
	// certConf reads its own.
	if got, want := txReads.Load(), int64(1); got != want {
		t.Errorf("%d transaction reads of their own per renewal, want %d", got, want)
	}
}

// certReadCounter counts Certificate calls, in transactions and outside,
// with CertificateAndTransaction's, and Transaction calls in tx.
type certReadCounter struct {
	store.Store
	n, tx *atomic.Int64
}

func (s *certReadCounter) Certificate(ctx context.Context, serial []byte) (
	*store.Certificate, error) {
	s.n.Add(1)
	return s.Store.Certificate(ctx, serial)
}

func (s *certReadCounter) CertificateAndTransaction(ctx context.Context, serial, sender,
	id []byte) (*store.Certificate, *store.Transaction, error) {
	s.n.Add(1)
	return s.Store.CertificateAndTransaction(ctx, serial, sender, id)
}

func (s *certReadCounter) Transaction(ctx context.Context, sender, id []byte) (
	*store.Transaction, error) {
	s.tx.Add(1)
	return s.Store.Transaction(ctx, sender, id)
}

func (s *certReadCounter) InTx(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		return fn(&txCertReadCounter{Tx: tx, n: s.n})
	})
}

type txCertReadCounter struct {
	store.Tx
	n *atomic.Int64
}

func (t *txCertReadCounter) Certificate(ctx context.Context, serial []byte) (
	*store.Certificate, error) {
	t.n.Add(1)
	return t.Tx.Certificate(ctx, serial)
}

// TestFreshRequestSkipsEarlierAttempts checks that a kur under automatic
// approval, whose request is created in the transaction that reserves its
// serial, does not look for a serial or a certificate of an earlier
// attempt at that request: there cannot be one.
func TestFreshRequestSkipsEarlierAttempts(t *testing.T) {
	looks := new(atomic.Int64)
	wrapStore = func(st store.Store) store.Store { return &earlierAttemptCounter{Store: st, n: looks} }
	t.Cleanup(func() { wrapStore = nil })
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	looks.Store(0)
	e.renew(s)
	if got := looks.Load(); got != 0 {
		t.Errorf("a fresh request looked %d times for an earlier attempt", got)
	}
}

// earlierAttemptCounter counts, in its transactions, the lookups of a
// request's reserved serial and certificate.
type earlierAttemptCounter struct {
	store.Store
	n *atomic.Int64
}

func (s *earlierAttemptCounter) InTx(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		return fn(&earlierAttemptTx{Tx: tx, n: s.n})
	})
}

type earlierAttemptTx struct {
	store.Tx
	n *atomic.Int64
}

func (t *earlierAttemptTx) ReservationByRequest(ctx context.Context, id int64) (
	*store.Reservation, error) {
	t.n.Add(1)
	return t.Tx.ReservationByRequest(ctx, id)
}

func (t *earlierAttemptTx) CertificateByRequest(ctx context.Context, id int64) (
	*store.Certificate, error) {
	t.n.Add(1)
	return t.Tx.CertificateByRequest(ctx, id)
}

// TestConfirmWithoutRequestInRow confirms a kur whose transaction row
// does not name its request (rows written before they did): the
// certificate's record names it.
func TestConfirmWithoutRequestInRow(t *testing.T) {
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	res, err := e.kur(s, e.newKey())
	if err != nil || res.Certificate == nil {
		t.Fatalf("kur: %v", err)
	}
	ctx := context.Background()
	row, err := e.op.Store.Transaction(ctx, txSender, res.State.TransactionID)
	if err != nil {
		t.Fatal(err)
	}
	if row.RequestID == 0 {
		t.Fatal("the kur's transaction row names no request")
	}
	row.RequestID = 0
	if err := e.op.Store.UpdateTransaction(ctx, row); err != nil {
		t.Fatal(err)
	}
	if err := e.client.Confirm(ctx, res.State, cmp.SignatureCredentials(s.cert, s.key),
		true); err != nil {
		t.Fatalf("certConf: %v", err)
	}
	if got := e.requests(store.StateConfirmed); len(got) != 1 {
		t.Errorf("confirmed requests: %+v", got)
	}
}

// TestLateRecordFails: the certificate of a kur is recorded with the
// transaction's answer, in the message's last commit. When that record
// fails (here: the new key certified meanwhile for another request, as a
// replica could), the answer is an error and no certificate leaves; the
// signature is audited "sign.discarded", the request is rejected, and the
// kur resent gets a refusal, not a certificate.
func TestLateRecordFails(t *testing.T) {
	fail := new(atomic.Bool)
	wrapStore = func(st store.Store) store.Store {
		return &recordFailer{Store: st, fail: fail, err: &store.ConflictError{
			Key: store.KeyCertificateSPKI}}
	}
	t.Cleanup(func() { wrapStore = nil })
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	ctx := context.Background()
	txID := make([]byte, 16)
	rand.Read(txID)
	opts := &cmp.KeyUpdateOptions{Current: s.cert, CurrentKey: s.key, NewKey: e.newKey(),
		TransactionID: txID}
	fail.Store(true)
	if res, err := e.client.UpdateKey(ctx, opts); err == nil {
		t.Fatalf("the kur whose certificate failed to record was answered %s", res.State.State)
	}
	fail.Store(false)
	req, err := e.op.Store.RequestByTransaction(ctx, e.subscriberID(s), txID)
	if err != nil || req.State != store.StateRejected {
		t.Fatalf("the request: %+v, %v; want rejected", req, err)
	}
	if _, err := e.op.Store.CertificateByRequest(ctx, req.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the request's certificate: %v; want none", err)
	}
	if res, err := e.client.UpdateKey(ctx, opts); err == nil {
		t.Errorf("the kur resent got %s, want a refusal", res.State.State)
	}
	e.verifyAudit(operator.AuditSignBefore, operator.AuditSignDiscarded)
}

// TestLateRecordLosesRace: when the certificate recorded with the answer
// finds the request taken by another attempt (the same kur sent to a
// second replica at once), the message is handled again, and its second
// pass answers with the request's one certificate. (Here the race is
// feigned and nothing was recorded, so the second pass signs again under
// the reserved serial, as after a crash; TestTwoReplicasOnePostgres in
// cmd/rekeyload meets the real race.)
func TestLateRecordLosesRace(t *testing.T) {
	fail := new(atomic.Bool)
	wrapStore = func(st store.Store) store.Store {
		return &recordFailer{Store: st, fail: fail, once: true, err: &store.OpError{
			Op: "RecordCertificate", Table: "requests", Err: store.ErrStateChanged}}
	}
	t.Cleanup(func() { wrapStore = nil })
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	ctx := context.Background()
	fail.Store(true)
	res, err := e.kur(s, e.newKey())
	if err != nil || res.Certificate == nil {
		t.Fatalf("kur: %v; want the certificate from the second pass", err)
	}
	if fail.Load() {
		t.Fatal("the record never failed")
	}
	if err := e.client.Confirm(ctx, res.State, cmp.SignatureCredentials(s.cert, s.key),
		true); err != nil {
		t.Fatalf("certConf: %v", err)
	}
	certs, err := e.op.Store.ListCertificates(ctx, store.CertificateQuery{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range certs {
		if c.RequestID != 0 {
			n++
			if !bytes.Equal(c.DER, res.Certificate.Raw) {
				t.Error("the recorded certificate is not the one the client got")
			}
		}
	}
	if n != 1 {
		t.Errorf("%d certificates recorded for renewals, want 1", n)
	}
	e.verifyAudit(operator.AuditSignDiscarded, operator.AuditSignAfter)
}

// recordFailer fails RecordCertificate in transactions with err while fail
// is set (once: only the first time), as a key or a request taken by
// another replica a moment before would.
type recordFailer struct {
	store.Store
	fail *atomic.Bool
	once bool
	err  error
}

func (s *recordFailer) InTx(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.InTx(ctx, func(tx store.Tx) error {
		return fn(&txRecordFailer{Tx: tx, s: s})
	})
}

type txRecordFailer struct {
	store.Tx
	s *recordFailer
}

func (t *txRecordFailer) RecordCertificate(ctx context.Context, c *store.Certificate) error {
	if t.s.once && t.s.fail.CompareAndSwap(true, false) || !t.s.once && t.s.fail.Load() {
		return t.s.err
	}
	return t.Tx.RecordCertificate(ctx, c)
}
