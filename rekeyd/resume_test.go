package rekeyd

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"rekey/cmp"
	"rekey/operator"
	"rekey/store"
)

// dyingStore is a store whose process dies after a number of commits:
// from then on every transaction and audit append fails, and nothing
// more is written, as when rekeyd serve is killed. left is the number of
// commits still allowed; negative means no limit.
type dyingStore struct {
	store.Store
	left atomic.Int64
}

var errDied = errors.New("the process died")

// dieAfter lets n more commits through, then none.
func (s *dyingStore) dieAfter(n int64) { s.left.Store(n) }

func (s *dyingStore) InTx(ctx context.Context, fn func(store.Tx) error) error {
	if s.left.Load() == 0 {
		return errDied
	}
	err := s.Store.InTx(ctx, fn)
	if err == nil && s.left.Load() > 0 {
		s.left.Add(-1)
	}
	return err
}

func (s *dyingStore) AppendAudit(ctx context.Context, e store.AuditEntry) (*store.AuditRecord,
	error) {
	if s.left.Load() == 0 {
		return nil, errDied
	}
	return s.Store.AppendAudit(ctx, e)
}

func (s *dyingStore) AppendAudits(ctx context.Context, es []store.AuditEntry) (
	[]*store.AuditRecord, error) {
	if s.left.Load() == 0 {
		return nil, errDied
	}
	return s.Store.AppendAudits(ctx, es)
}

func (s *dyingStore) AppendAuditsAtCommit(ctx context.Context, es []store.AuditEntry) error {
	if s.left.Load() == 0 {
		return errDied
	}
	return s.Store.AppendAuditsAtCommit(ctx, es)
}

// commit counts one write made outside a transaction, a commit of its
// own, and reports whether the process is still alive to make it.
func (s *dyingStore) commit() error {
	if s.left.Load() == 0 {
		return errDied
	}
	if s.left.Load() > 0 {
		s.left.Add(-1)
	}
	return nil
}

// The transaction's writes are committed alone when nothing else waits
// (rekeyd's unit): each is a commit.

func (s *dyingStore) CreateTransaction(ctx context.Context, t *store.Transaction) error {
	if err := s.commit(); err != nil {
		return err
	}
	return s.Store.CreateTransaction(ctx, t)
}

func (s *dyingStore) UpdateTransaction(ctx context.Context, t *store.Transaction) error {
	if err := s.commit(); err != nil {
		return err
	}
	return s.Store.UpdateTransaction(ctx, t)
}

func (s *dyingStore) RememberNonce(ctx context.Context, sender, nonce []byte,
	until time.Time) error {
	if err := s.commit(); err != nil {
		return err
	}
	return s.Store.RememberNonce(ctx, sender, nonce, until)
}

// newDyingEnv is newEnvDB on a dyingStore, alive until dieAfter.
func newDyingEnv(t *testing.T, policy *operator.Config, dsn string) (*env, *dyingStore) {
	var ds *dyingStore
	wrapStore = func(st store.Store) store.Store {
		ds = &dyingStore{Store: st}
		ds.left.Store(-1)
		return ds
	}
	defer func() { wrapStore = nil }()
	return newEnvDB(t, policy, dsn), ds
}

// crashedRenewal is a kur whose server died after commits commits of it,
// and the operator restarted on the same directory.
type crashedRenewal struct {
	e    *env
	s    *subscriber
	opts *cmp.KeyUpdateOptions
	// first is the kur as first sent, for a replay.
	first []byte
	req   *store.Request
}

// crashRenewal renews a subscriber with a kur during which the server
// dies after the given number of its commits (1: the request, approval
// and reserved serial, and then the commit of the certificate, signed,
// with the transaction's answer fails), then restarts the operator. The kur got no certificate; its request is left in the
// store as the crash left it.
func crashRenewal(t *testing.T, commits int64) *crashedRenewal {
	return crashRenewalDB(t, commits, "")
}

// crashRenewalDB is crashRenewal on the database of dsn ("" for SQLite).
func crashRenewalDB(t *testing.T, commits int64, dsn string) *crashedRenewal {
	e, ds := newDyingEnv(t, testPolicy("gost2012-256", operator.ApprovalAuto, nil), dsn)
	s := e.enroll("ООО Ромашка", time.Time{})
	txID := make([]byte, 16)
	rand.Read(txID)
	opts := &cmp.KeyUpdateOptions{Current: s.cert, CurrentKey: s.key, NewKey: e.newKey(),
		TransactionID: txID}
	rec := &recordingTransport{Transport: e.client.Transport}
	c := e.newClient()
	c.Transport = rec
	ds.dieAfter(commits)
	if res, err := c.UpdateKey(context.Background(), opts); err == nil {
		t.Fatalf("the kur was answered (%s) by a server that died", res.State.State)
	}
	e.restart()
	req, err := e.op.Store.RequestByTransaction(context.Background(), e.subscriberID(s), txID)
	if err != nil {
		t.Fatalf("the request of the crashed kur: %v", err)
	}
	return &crashedRenewal{e: e, s: s, opts: opts, first: rec.first, req: req}
}

// subscriberID returns the subscriber of s's certificate.
func (e *env) subscriberID(s *subscriber) int64 {
	e.t.Helper()
	rec, err := e.op.Store.Certificate(context.Background(),
		operator.SerialBytes(s.cert.SerialNumber))
	if err != nil {
		e.t.Fatal(err)
	}
	return rec.SubscriberID
}

// resend sends the kur again under its transactionID (with a fresh
// nonce), as the subscriber's client does when it got no answer, and
// confirms the certificate it gets.
func (c *crashedRenewal) resend(t *testing.T) *cmp.Result {
	t.Helper()
	ctx := context.Background()
	res, err := c.e.client.UpdateKey(ctx, c.opts)
	if err != nil {
		t.Fatalf("the kur resent after the restart: %v", err)
	}
	if res.Certificate == nil {
		t.Fatalf("the kur resent after the restart: state %s, want the certificate",
			res.State.State)
	}
	if err := c.e.client.Confirm(ctx, res.State, cmp.SignatureCredentials(c.s.cert, c.s.key),
		true); err != nil {
		t.Fatalf("certConf: %v", err)
	}
	return res
}

// replayFirst sends the first kur again byte for byte: a replay.
func (c *crashedRenewal) replayFirst(t *testing.T) {
	t.Helper()
	respDER, err := c.e.client.Transport.Exchange(context.Background(), c.first)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := cmp.ParseMessage(respDER)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Body.Type != cmp.TypeError ||
		resp.Body.Error.StatusInfo.FailInfo&cmp.FailBadSenderNonce == 0 {
		t.Fatalf("the replayed kur was answered %s, want an error with badSenderNonce",
			resp.Body.Type)
	}
}

// oneCertificate checks that the request ended confirmed with exactly
// one certificate, and returns it.
func (c *crashedRenewal) oneCertificate(t *testing.T) *store.Certificate {
	t.Helper()
	ctx := context.Background()
	st := c.e.op.Store
	req, err := st.Request(ctx, c.req.ID)
	if err != nil {
		t.Fatal(err)
	}
	if req.State != store.StateConfirmed {
		t.Errorf("request %d is %s, want confirmed", req.ID, req.State)
	}
	certs, err := st.ListCertificates(ctx, store.CertificateQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var mine []store.Certificate
	for _, cert := range certs {
		if cert.RequestID == req.ID {
			mine = append(mine, cert)
		}
	}
	if len(mine) != 1 {
		t.Fatalf("request %d has %d certificates, want 1", req.ID, len(mine))
	}
	if _, err := c.e.op.VerifyAudit(ctx); err != nil {
		t.Errorf("audit chain: %v", err)
	}
	return &mine[0]
}

// reserved returns the serial reserved for the request.
func (c *crashedRenewal) reserved(t *testing.T) []byte {
	t.Helper()
	r, err := c.e.op.Store.ReservationByRequest(context.Background(), c.req.ID)
	if err != nil {
		t.Fatalf("the serial of request %d: %v", c.req.ID, err)
	}
	return r.Serial
}

// TestResentAfterCrash: the server dies after the kur's first commit
// (request approved, serial reserved); the certificate it signed is lost
// with the answer, which commit together. After
// the restart the first message replayed is refused and signs nothing;
// the kur resent under its transactionID gets a certificate under the
// serial reserved before the crash, and the request ends with that one.
func TestResentAfterCrash(t *testing.T) {
	onEngines(t, func(t *testing.T, dsn string) { testResentAfterCrash(t, dsn) })
}

func testResentAfterCrash(t *testing.T, dsn string) {
	c := crashRenewalDB(t, 1, dsn)
	if c.req.State != store.StateApproved {
		t.Fatalf("after the crash the request is %s, want approved", c.req.State)
	}
	serial := c.reserved(t)
	c.replayFirst(t)
	if _, err := c.e.op.Store.CertificateByRequest(context.Background(),
		c.req.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after the replay, the request's certificate: %v; want none", err)
	}
	res := c.resend(t)
	got := c.oneCertificate(t)
	if !bytes.Equal(got.Serial, serial) {
		t.Errorf("issued under serial %x, want %x, reserved before the crash", got.Serial, serial)
	}
	if !bytes.Equal(got.DER, res.Certificate.Raw) {
		t.Error("the client received another certificate than the one recorded")
	}
}

// TestResumeIssuanceAtStart: a request left approved with a reserved
// serial is issued by ResumeIssuance (Serve runs it at start-up) under
// that serial; the kur resent afterwards gets that certificate, and a
// second ResumeIssuance issues nothing.
func TestResumeIssuanceAtStart(t *testing.T) {
	c := crashRenewal(t, 1)
	serial := c.reserved(t)
	ctx := context.Background()
	n, err := c.e.op.ResumeIssuance(ctx)
	if err != nil || n != 1 {
		t.Fatalf("ResumeIssuance: %d issued, %v; want 1", n, err)
	}
	cert, err := c.e.op.Store.CertificateByRequest(ctx, c.req.ID)
	if err != nil {
		t.Fatalf("the resumed request's certificate: %v", err)
	}
	if !bytes.Equal(cert.Serial, serial) {
		t.Errorf("issued under serial %x, want %x, reserved before the crash", cert.Serial,
			serial)
	}
	if n, err := c.e.op.ResumeIssuance(ctx); err != nil || n != 0 {
		t.Errorf("ResumeIssuance again: %d issued, %v; want 0", n, err)
	}
	res := c.resend(t)
	if got := c.oneCertificate(t); !bytes.Equal(got.DER, cert.DER) ||
		!bytes.Equal(res.Certificate.Raw, cert.DER) {
		t.Error("the resent kur got another certificate than the one issued at start-up")
	}
}

// TestUndeliveredCertificateRevoked: a certificate recorded for a kur
// whose answer never left (here: issued by ResumeIssuance after a crash)
// waits a transaction's lifetime for the kur to be resent; then CloseExpired
// revokes it and rejects the request, whether the transaction is still
// stored or was expired meanwhile, and a kur resent later is refused.
func TestUndeliveredCertificateRevoked(t *testing.T) {
	for _, gone := range []bool{false, true} {
		name := "transaction open"
		if gone {
			name = "transaction expired"
		}
		t.Run(name, func(t *testing.T) {
			c := crashRenewal(t, 1)
			ctx := context.Background()
			if n, err := c.e.op.ResumeIssuance(ctx); err != nil || n != 1 {
				t.Fatalf("ResumeIssuance: %d issued, %v; want 1", n, err)
			}
			cert, err := c.e.op.Store.CertificateByRequest(ctx, c.req.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range []time.Duration{0, cmp.DefaultConfirmWait + time.Minute,
				undeliveredAfter - time.Hour} {
				c.e.clock.Set(t0.Add(d))
				if n, err := c.e.op.CloseExpired(ctx); err != nil || n != 0 {
					t.Fatalf("CloseExpired after %s: %d, %v; want none yet", d, n, err)
				}
			}
			c.e.clock.Set(t0.Add(undeliveredAfter + time.Hour))
			if gone {
				if n, err := c.e.op.Store.ExpireTransactions(ctx, c.e.clock.Now()); err != nil ||
					n == 0 {
					t.Fatalf("ExpireTransactions: %d, %v", n, err)
				}
			}
			if n, err := c.e.op.CloseExpired(ctx); err != nil || n != 1 {
				t.Fatalf("CloseExpired after a week: %d, %v; want 1", n, err)
			}
			rec, err := c.e.op.Store.Certificate(ctx, cert.Serial)
			if err != nil || rec.Status != store.StatusRevoked {
				t.Errorf("the undelivered certificate: %+v, %v; want it revoked", rec, err)
			}
			req, err := c.e.op.Store.Request(ctx, c.req.ID)
			if err != nil || req.State != store.StateRejected {
				t.Errorf("its request: %+v, %v; want rejected", req, err)
			}
			if n, err := c.e.op.CloseExpired(ctx); err != nil || n != 0 {
				t.Errorf("CloseExpired again: %d, %v", n, err)
			}
			if res, err := c.e.client.UpdateKey(ctx, c.opts); err == nil {
				t.Errorf("the kur resent after the revocation got %s", res.State.State)
			}
			if _, err := c.e.op.VerifyAudit(ctx); err != nil {
				t.Errorf("audit chain: %v", err)
			}
		})
	}
}
