package rekeyd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"rekey/cmp"
	"rekey/store"
)

// A unit is the writes of one CMP message that may wait for the next
// commit: the transaction bookkeeping (the sender nonce, the
// transaction's row) and the confirmation of a certificate, or its
// rejection with the revocation that follows. They are
// committed with the first transaction the Authority opens for the same
// message (before anything is signed, so a failure there stops the
// message), or at the latest when the Server commits the unit before it
// answers. The certificate of a request created by the message, with its
// "sign.after", waits there too (operator.LaterRunner). So a kur is two
// commits (its checks and request up to "sign.before"; the certificate,
// "sign.after" and the transaction's new state) and a certConf one, where
// each write was a commit of its own. Every write is durable before the
// answer that depends on it is sent; when the certificate's record finds
// its request issued by another replica, the message is handled again
// (cmp.ErrHandleAgain) and answers with that certificate.
//
// A unit also remembers the certificate records the message read: the
// CMP layer's revocation check, the policy's check of the current
// certificate inside the first transaction and its look for a resent
// request read the same record, a moment apart, and only the first goes
// to the store. A second read inside the transaction would promise no
// more (PostgreSQL reads committed rows, not locked ones); a revocation
// that commits while the kur is in flight is ordered after the kur, as it
// could be on either engine before.
//
// It also carries the renewal request the message's transaction belongs
// to, once known (from the Authority's answer to a kur or pollReq, or
// from the transaction's row), so that the transaction's row records it
// and a certConf finds its request without reading the certificate.
type unit struct {
	mu        sync.Mutex
	ops       []unitOp
	certs     map[string]store.Certificate // by serial
	requestID int64
	// txID is the message's transactionID (cmp.TransactionPrefetcher),
	// read along with the message's first certificate read; tx is that
	// row, nil when there is none, once read (txRead), for the message's
	// first look at its transaction.
	txID   []byte
	txRead bool
	tx     *store.Transaction
}

// takeTransaction returns the transaction row of id read along with the
// message's certificate, once: ok is false when it was not read.
func (u *unit) takeTransaction(id []byte) (row *store.Transaction, ok bool) {
	if u == nil {
		return nil, false
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.txRead || !bytes.Equal(u.txID, id) {
		return nil, false
	}
	row, u.tx, u.txRead, u.txID = u.tx, nil, false, nil
	return row, true
}

// A unitOp is a queued write. alone says it is one statement of the store
// that appends no audit record, so that when it is the only write left it
// commits as a statement of its own: on PostgreSQL one round trip instead
// of two (BEGIN with the statement, then COMMIT); the kur's last write,
// its transaction's new state, is one.
type unitOp struct {
	run   func(context.Context, store.Tx) error
	alone bool
	// after, when set, runs once the write has committed.
	after func()
	// failed, when set, runs when the unit's last commit (commitUnit)
	// fails with the write in it; true asks for the message to be
	// handled again (cmp.ErrHandleAgain).
	failed func(context.Context, error) bool
}

type unitKey struct{}

// withUnit returns ctx carrying a new unit.
func withUnit(ctx context.Context) (context.Context, *unit) {
	u := &unit{}
	return context.WithValue(ctx, unitKey{}, u), u
}

// unitOf returns the unit of ctx, or nil.
func unitOf(ctx context.Context) *unit {
	u, _ := ctx.Value(unitKey{}).(*unit)
	return u
}

// requestOfUnit returns the renewal request of the message of ctx, 0 when
// unknown.
func requestOfUnit(ctx context.Context) int64 {
	u := unitOf(ctx)
	if u == nil {
		return 0
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.requestID
}

// setRequestOfUnit records id (when not 0) as the renewal request of the
// message of ctx.
func setRequestOfUnit(ctx context.Context, id int64) {
	if u := unitOf(ctx); u != nil && id != 0 {
		u.mu.Lock()
		u.requestID = id
		u.mu.Unlock()
	}
}

// queue queues op for the unit's next commit.
func (u *unit) queue(op unitOp) {
	u.mu.Lock()
	u.ops = append(u.ops, op)
	u.mu.Unlock()
}

// addAlone queues op, a single statement without audit (see unitOp).
func (u *unit) addAlone(op func(context.Context, store.Tx) error) {
	u.queue(unitOp{run: op, alone: true})
}

// take removes and returns the queued writes.
func (u *unit) take() []unitOp {
	u.mu.Lock()
	defer u.mu.Unlock()
	ops := u.ops
	u.ops = nil
	return ops
}

// restore puts back writes whose transaction rolled back, before any
// queued since.
func (u *unit) restore(ops []unitOp) {
	u.mu.Lock()
	u.ops = append(ops, u.ops...)
	u.mu.Unlock()
}

// unitStore is the operator's store as package operator sees it: InTx
// runs the queued writes of the context's unit first, in the same
// transaction.
type unitStore struct {
	store.Store
}

func (s unitStore) InTx(ctx context.Context, fn func(store.Tx) error) error {
	return inUnitTx(ctx, s.Store, fn)
}

// Later implements operator.LaterRunner: fn is queued for the unit's next
// commit, failed runs if the unit's last commit fails with it.
func (s unitStore) Later(ctx context.Context, fn func(store.Tx) error,
	failed func(context.Context, error) bool) bool {
	u := unitOf(ctx)
	if u == nil {
		return false
	}
	u.queue(unitOp{run: func(_ context.Context, tx store.Tx) error { return fn(tx) },
		failed: failed})
	return true
}

// Certificate reads the record of serial once per message (see unit).
func (s unitStore) Certificate(ctx context.Context, serial []byte) (*store.Certificate, error) {
	return certificateOnce(ctx, s.Store, serial)
}

// certificateReader is a store or a transaction, as certificateOnce reads.
type certificateReader interface {
	Certificate(ctx context.Context, serial []byte) (*store.Certificate, error)
}

// certificateOnce returns the record of serial from the unit of ctx when
// the message read it before, else from st, remembering it in the unit.
func certificateOnce(ctx context.Context, st certificateReader, serial []byte) (
	*store.Certificate, error) {
	u := unitOf(ctx)
	if u == nil {
		return st.Certificate(ctx, serial)
	}
	u.mu.Lock()
	c, ok := u.certs[string(serial)]
	u.mu.Unlock()
	if ok {
		return &c, nil
	}
	u.mu.Lock()
	txID := u.txID
	u.mu.Unlock()
	var rec *store.Certificate
	var err error
	if s, ok := st.(store.Store); ok && txID != nil {
		// The message's transaction with it, in one round trip.
		var row *store.Transaction
		rec, row, err = s.CertificateAndTransaction(ctx, serial, txSender, txID)
		if err == nil {
			u.mu.Lock()
			if bytes.Equal(u.txID, txID) {
				u.tx, u.txRead = row, true
			}
			u.mu.Unlock()
			if rec == nil {
				return nil, &store.OpError{Op: "Certificate", Table: "certificates",
					Err: store.ErrNotFound}
			}
		}
	} else {
		rec, err = st.Certificate(ctx, serial)
	}
	if err != nil {
		return nil, err
	}
	u.mu.Lock()
	if u.certs == nil {
		u.certs = make(map[string]store.Certificate, 2)
	}
	u.certs[string(serial)] = *rec
	u.mu.Unlock()
	return rec, nil
}

// inUnitTx runs fn in one transaction of st after the writes queued in
// the unit of ctx, if any; they stay queued when it rolls back.
func inUnitTx(ctx context.Context, st store.Store, fn func(store.Tx) error) error {
	u := unitOf(ctx)
	var ops []unitOp
	if u != nil {
		ops = u.take()
	}
	if fn == nil && len(ops) == 1 && ops[0].alone {
		err := ops[0].run(ctx, st)
		if err != nil {
			u.restore(ops)
			return unitError(err)
		}
		committed(ops)
		return nil
	}
	err := st.InTx(ctx, func(tx store.Tx) error {
		lt := &lateAudit{Tx: tx}
		for _, op := range ops {
			if err := op.run(ctx, lt); err != nil {
				return err
			}
		}
		if fn != nil {
			if err := fn(lt); err != nil {
				return err
			}
		}
		return lt.flush(ctx)
	})
	if err != nil && u != nil {
		u.restore(ops)
	}
	if err == nil {
		committed(ops)
	}
	return unitError(err)
}

// unitError is the error of a unit's commit. A queued write that lost a
// race (on PostgreSQL its error may come back from any later statement
// of the transaction, or from the commit) becomes the refusal the Server
// would have given the message: a sender nonce seen before is
// badSenderNonce, a transaction created or changed meanwhile by another
// message transactionIdInUse.
func unitError(err error) error {
	var (
		refusal *cmp.Refusal
		ce      *store.ConflictError
		oe      *store.OpError
	)
	switch {
	case err == nil || errors.As(err, &refusal):
		return err
	case errors.As(err, &ce) && ce.Key == store.KeyNonce:
		return fmt.Errorf("rekeyd: sender nonce: %w: %w",
			cmp.Refuse(cmp.FailBadSenderNonce, "", ""), err)
	case errors.As(err, &ce) && ce.Key == store.KeyTransaction,
		errors.As(err, &oe) && oe.Op == "UpdateTransaction" &&
			errors.Is(err, store.ErrStateChanged):
		return fmt.Errorf("rekeyd: storing transaction: %w: %w",
			cmp.Refuse(cmp.FailTransactionIDInUse, "", ""), err)
	}
	return err
}

// committed runs the after functions of ops, which have committed.
func committed(ops []unitOp) {
	for _, op := range ops {
		if op.after != nil {
			op.after()
		}
	}
}

// lateAudit is a transaction whose audit records are appended when it is
// about to commit, in the order given: on PostgreSQL the chain's head is
// locked from the first append to the commit, so the appends come last
// (as package store advises) and other transactions wait the least. The
// records still commit or roll back with the writes they describe. The
// *store.AuditRecord returned by AppendAudit has no sequence number or
// hash yet; the operator uses neither.
type lateAudit struct {
	store.Tx
	entries []store.AuditEntry
}

func (t *lateAudit) AppendAudit(_ context.Context, e store.AuditEntry) (
	*store.AuditRecord, error) {
	t.entries = append(t.entries, e)
	return &store.AuditRecord{AuditEntry: e}, nil
}

// Certificate reads the record of serial once per message (see unit).
func (t *lateAudit) Certificate(ctx context.Context, serial []byte) (*store.Certificate, error) {
	return certificateOnce(ctx, t.Tx, serial)
}

// AppendAudits holds entries back as AppendAudit does.
func (t *lateAudit) AppendAudits(_ context.Context, entries []store.AuditEntry) (
	[]*store.AuditRecord, error) {
	out := make([]*store.AuditRecord, len(entries))
	for i, e := range entries {
		t.entries = append(t.entries, e)
		out[i] = &store.AuditRecord{AuditEntry: e}
	}
	return out, nil
}

// flush appends the audit records held back at the transaction's
// commit, in one batch: on PostgreSQL in the round trip of the COMMIT,
// on SQLite in two or three statements, however many records.
func (t *lateAudit) flush(ctx context.Context) error {
	if len(t.entries) == 0 {
		return nil
	}
	if err := t.Tx.AppendAuditsAtCommit(ctx, t.entries); err != nil {
		return err
	}
	t.entries = nil
	return nil
}

// commitUnit commits the writes still queued in the unit of ctx.
func commitUnit(ctx context.Context, st store.Store) error {
	u := unitOf(ctx)
	if u == nil {
		return nil
	}
	u.mu.Lock()
	empty := len(u.ops) == 0
	u.mu.Unlock()
	if empty {
		return nil
	}
	err := inUnitTx(ctx, st, nil)
	if err != nil {
		// The writes are back in the unit, which ends here.
		again := false
		for _, op := range u.take() {
			if op.failed != nil && op.failed(ctx, err) {
				again = true
			}
		}
		if again {
			return fmt.Errorf("%w: %w", cmp.ErrHandleAgain, err)
		}
	}
	return err
}

// later runs fn in a transaction of the unit of ctx, at its next commit,
// or now in a transaction of its own when ctx has no unit; either way its
// audit records are appended at the end of that transaction (lateAudit).
func later(ctx context.Context, st store.Store, fn func(context.Context, store.Tx) error) error {
	return laterThen(ctx, st, fn, nil)
}

// laterThen is later, with after (when set) run once fn's writes have
// committed.
func laterThen(ctx context.Context, st store.Store, fn func(context.Context, store.Tx) error,
	after func()) error {
	if u := unitOf(ctx); u != nil {
		u.queue(unitOp{run: fn, after: after})
		return nil
	}
	err := inUnitTx(ctx, st, func(tx store.Tx) error { return fn(ctx, tx) })
	if err == nil && after != nil {
		after()
	}
	return err
}
