package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"rekey/store"
)

// testAuditAtCommit: the appends held for the commit come after every
// other record of the transaction, chained and stored; an invalid entry
// is refused at the call, a rolled-back transaction appends nothing, and
// outside a transaction the append is immediate.
func testAuditAtCommit(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := fresh(t, b)
	late := auditEntries(3, "at commit")
	err := s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.AppendAuditsAtCommit(ctx, late[:2]); err != nil {
			return err
		}
		newSubscriber(t, tx)
		if _, err := tx.AppendAudit(ctx, auditEntries(1, "now")[0]); err != nil {
			return err
		}
		return tx.AppendAuditsAtCommit(ctx, late[2:])
	})
	must(t, err)
	recs, err := s.AuditRecords(ctx, 0, 10)
	must(t, err)
	var objects []string
	for _, r := range recs {
		objects = append(objects, r.Object)
	}
	want := []string{"now 0", "at commit 0", "at commit 1", "at commit 2"}
	if sprint(objects) != sprint(want) {
		t.Errorf("records in the order %q, want %q", objects, want)
	}
	if n, err := s.VerifyChain(ctx); err != nil || n != 4 {
		t.Errorf("VerifyChain: %d, %v; want 4 records", n, err)
	}

	bad := auditEntries(2, "bad")
	bad[1].Action = ""
	err = s.InTx(ctx, func(tx store.Tx) error {
		err := tx.AppendAuditsAtCommit(ctx, bad)
		wantErr(t, err, store.ErrInvalid, "AppendAuditsAtCommit")
		return err
	})
	wantErr(t, err, store.ErrInvalid, "AppendAuditsAtCommit")
	errUndo := errors.New("undo")
	err = s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.AppendAuditsAtCommit(ctx, auditEntries(2, "undone")); err != nil {
			return err
		}
		return errUndo
	})
	if !errors.Is(err, errUndo) {
		t.Fatalf("InTx: %v, want the function's error", err)
	}
	if seq, _, err := s.AuditHead(ctx); err != nil || seq != 4 {
		t.Errorf("AuditHead after refused and undone appends: %d, %v; want 4", seq, err)
	}

	must(t, s.AppendAuditsAtCommit(ctx, auditEntries(2, "alone")))
	if seq, _, err := s.AuditHead(ctx); err != nil || seq != 6 {
		t.Errorf("AuditHead after an append outside a transaction: %d, %v; want 6", seq, err)
	}
	if n, err := s.VerifyChain(ctx); err != nil || n != 6 {
		t.Errorf("VerifyChain: %d, %v; want 6 records", n, err)
	}
}

// testHeldWrites: a write that fails inside a transaction fails InTx
// with the store's error for that write, named after it, whether the
// engine reports it at the call or (held back in a pipeline) at a later
// statement or the commit; and nothing the transaction wrote stays.
func testHeldWrites(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := fresh(t, b)
	sender, nonce := []byte("cmp"), random(16)
	must(t, s.RememberNonce(ctx, sender, nonce, at(time.Hour)))
	tr := &store.Transaction{Sender: sender, TransactionID: random(16), Expect: "certConf",
		CreatedAt: t0, ExpiresAt: at(time.Hour)}
	must(t, s.CreateTransaction(ctx, tr))
	var sub *store.Subscriber
	var waiting, approved *store.Request
	must(t, s.InTx(ctx, func(tx store.Tx) error {
		sub = newSubscriber(t, tx)
		waiting, approved = newRequest(t, tx, sub.ID), newRequest(t, tx, sub.ID)
		if err := tx.Transition(ctx, approved.ID, store.StateReceived, store.StateApproved,
			store.Decision{At: t0, By: "test"}); err != nil {
			return err
		}
		return tx.Transition(ctx, waiting.ID, store.StateReceived, store.StateWaiting,
			store.Decision{At: t0})
	}))

	tests := []struct {
		name   string
		write  func(tx store.Tx) error
		target error
		op     string
	}{
		{"a nonce seen before", func(tx store.Tx) error {
			return tx.RememberNonce(ctx, sender, nonce, at(time.Hour))
		}, store.ErrConflict, "RememberNonce"},
		{"a transaction in use", func(tx store.Tx) error {
			again := *tr
			return tx.CreateTransaction(ctx, &again)
		}, store.ErrConflict, "CreateTransaction"},
		{"a transaction changed meanwhile", func(tx store.Tx) error {
			old := *tr
			old.Version, old.UpdatedAt = 7, at(time.Minute)
			return tx.UpdateTransaction(ctx, &old)
		}, store.ErrStateChanged, "UpdateTransaction"},
		{"a transaction that is not there", func(tx store.Tx) error {
			gone := *tr
			gone.TransactionID, gone.UpdatedAt = random(16), at(time.Minute)
			return tx.UpdateTransaction(ctx, &gone)
		}, store.ErrNotFound, "UpdateTransaction"},
		{"a request in another state", func(tx store.Tx) error {
			return tx.Transition(ctx, waiting.ID, store.StateApproved, store.StateIssued,
				store.Decision{At: at(time.Minute)})
		}, store.ErrStateChanged, "Transition"},
		{"a serial for a request not approved", func(tx store.Tx) error {
			return tx.ReserveSerial(ctx, &store.Reservation{Serial: newSerial(), Issuer: issuer,
				RequestID: waiting.ID, ReservedAt: t0})
		}, store.ErrStateChanged, "ReserveSerial"},
		{"a certificate without its serial", func(tx store.Tx) error {
			return tx.RecordCertificate(ctx, newCertificate(sub.ID, approved.ID, newSerial()))
		}, store.ErrNotFound, "RecordCertificate"},
	}
	// Each write fails the transaction whether a statement follows it or
	// the commit does (on PostgreSQL the whole transaction is then one
	// batch without BEGIN and COMMIT, an implicit transaction).
	for _, tc := range tests {
		for _, readAfter := range []bool{true, false} {
			name := tc.name
			if !readAfter {
				name += ", nothing after"
			}
			t.Run(name, func(t *testing.T) {
				before := random(16)
				var atCall, later error
				err := s.InTx(ctx, func(tx store.Tx) error {
					if err := tx.RememberNonce(ctx, sender, before, at(time.Hour)); err != nil {
						return err
					}
					if atCall = tc.write(tx); atCall != nil || !readAfter {
						return atCall
					}
					_, later = tx.Subscriber(ctx, sub.ID)
					return later
				})
				target := tc.target
				if tc.op == "RecordCertificate" && errors.Is(err, store.ErrInvalid) {
					// Without its serial, a certificate is refused as not found
					// or (the engine cannot tell which) as not reserved for it.
					target = store.ErrInvalid
				}
				if atCall == nil && later != nil && !errors.Is(later, target) {
					t.Errorf("the call after the write: %v, want the write's error", later)
				}
				wantErr(t, err, target, tc.op)
				// The nonce remembered before the write was undone with it.
				must(t, s.RememberNonce(ctx, sender, before, at(time.Hour)))
			})
		}
	}
	got, err := s.Request(ctx, waiting.ID)
	must(t, err)
	if got.State != store.StateWaiting {
		t.Errorf("request after the failed writes: %s, want waiting", got.State)
	}
	var se *store.StateError
	err = s.InTx(ctx, func(tx store.Tx) error {
		return tx.Transition(ctx, waiting.ID, store.StateApproved, store.StateIssued,
			store.Decision{At: at(time.Minute)})
	})
	if !errors.As(err, &se) || se.ID != waiting.ID || se.Want != store.StateApproved ||
		se.Got != store.StateWaiting {
		t.Errorf("Transition from the wrong state: %v, want a StateError naming waiting", err)
	}
}

// testSwallowedError: when fn goes on after a statement failed and
// returns nil, InTx either commits what succeeded (an engine whose
// transaction survives a failed statement) or returns an error and
// commits nothing; it never returns nil having lost a write.
func testSwallowedError(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := fresh(t, b)
	var taken *store.Subscriber
	must(t, s.InTx(ctx, func(tx store.Tx) error {
		taken = newSubscriber(t, tx)
		return nil
	}))
	nonce := random(16)
	err := s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.RememberNonce(ctx, []byte("cmp"), nonce, at(time.Hour)); err != nil {
			return err
		}
		again := *taken
		if err := tx.CreateSubscriber(ctx, &again); !errors.Is(err, store.ErrConflict) {
			t.Errorf("CreateSubscriber of a subject taken: %v, want a conflict", err)
		}
		return nil // as if the conflict were handled
	})
	stored := s.RememberNonce(ctx, []byte("cmp"), nonce, at(time.Hour))
	switch {
	case err == nil && !errors.Is(stored, store.ErrConflict):
		t.Errorf("InTx returned nil, but the nonce it remembered is not there (%v)", stored)
	case err != nil && stored != nil:
		t.Errorf("InTx failed (%v), but the nonce it remembered stayed (%v)", err, stored)
	}
}

// testHeldChecks: CountRate and RequireKeyUncertified fail their
// transaction when the count passes the limit or the key is certified,
// whether the failure comes at the call (SQLite) or later, from a
// statement after it or the commit (PostgreSQL's pipeline); what failed
// is rolled back, and what passed commits.
func testHeldChecks(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := fresh(t, b)
	sub := newSubscriber(t, s)
	count := func(max int64) error {
		return s.InTx(ctx, func(tx store.Tx) error {
			if err := tx.CountRate(ctx, sub.ID, "kur", t0, max); err != nil {
				return err
			}
			// A statement after it: a failure held back surfaces here
			// or at the commit.
			_, err := tx.Subscriber(ctx, sub.ID)
			return err
		})
	}
	must(t, count(2))
	must(t, count(2))
	wantErr(t, count(2), store.ErrRateExceeded, "CountRate")
	if n, err := s.HitRate(ctx, sub.ID, "kur", t0); err != nil || n != 3 {
		t.Errorf("after a refused count, HitRate = %d, %v; want 3 (the refused one undone)", n, err)
	}
	must(t, count(4))
	err := s.InTx(ctx, func(tx store.Tx) error {
		return tx.CountRate(ctx, sub.ID, "", t0, 1)
	})
	wantErr(t, err, store.ErrInvalid, "CountRate")

	req := approved(t, s, sub.ID)
	cert := issue(t, s, sub.ID, req.ID)
	check := func(spki []byte) error {
		return s.InTx(ctx, func(tx store.Tx) error {
			if err := tx.RequireKeyUncertified(ctx, spki); err != nil {
				return err
			}
			return tx.RememberNonce(ctx, []byte("held-checks"), random(16), at(time.Hour))
		})
	}
	wantConflict(t, check(cert.SPKISHA256), store.KeyCertificateSPKI, "RequireKeyUncertified")
	must(t, check(random(32)))
	if n, err := s.ExpireTransactions(ctx, at(2*time.Hour)); err != nil || n != 1 {
		t.Errorf("nonces left by the checks: %d, %v; want the one that committed", n, err)
	}
	wantConflict(t, s.RequireKeyUncertified(ctx, cert.SPKISHA256), store.KeyCertificateSPKI,
		"RequireKeyUncertified")
	must(t, s.RequireKeyUncertified(ctx, random(32)))
}

// testRequestIDsInTx: requests created in transactions by two stores on
// one database (two replicas) get distinct IDs that find them, and a
// transactionID used before fails the transaction, at the call or at the
// commit, as a conflict on its key.
func testRequestIDsInTx(t *testing.T, b Backend) {
	ctx := context.Background()
	s, dsn := fresh(t, b)
	other := open(t, dsn)
	sub := newSubscriber(t, s)
	seen := map[int64]bool{}
	for i := range 10 {
		st := []store.Store{s, other}[i%2]
		r := &store.Request{SubscriberID: sub.ID, TransactionID: random(16),
			Message: []byte{0x30, byte(i)}, ReceivedAt: at(time.Duration(i) * time.Second)}
		must(t, st.InTx(ctx, func(tx store.Tx) error { return tx.CreateRequest(ctx, r) }))
		if seen[r.ID] {
			t.Fatalf("request ID %d given twice", r.ID)
		}
		seen[r.ID] = true
		got, err := s.Request(ctx, r.ID)
		must(t, err)
		if got.Message[1] != byte(i) {
			t.Errorf("request %d holds another request's message", r.ID)
		}
	}
	dup := newRequest(t, s, sub.ID)
	err := s.InTx(ctx, func(tx store.Tx) error {
		r := &store.Request{SubscriberID: sub.ID, TransactionID: dup.TransactionID,
			Message: []byte{0x30, 0}, ReceivedAt: t0}
		if err := tx.CreateRequest(ctx, r); err != nil {
			return err
		}
		_, err := tx.Subscriber(ctx, sub.ID)
		return err
	})
	wantConflict(t, err, store.KeyRequestTransaction, "CreateRequest")
}

// testCertificateAndTransaction: the two reads together, each nil when
// missing, outside a transaction and inside one.
func testCertificateAndTransaction(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := fresh(t, b)
	sub := newSubscriber(t, s)
	cert := issue(t, s, sub.ID, approved(t, s, sub.ID).ID)
	tr := &store.Transaction{Sender: []byte("cmp"), TransactionID: random(16), Expect: "open",
		CreatedAt: t0, ExpiresAt: at(time.Hour), State: []byte{1}}
	must(t, s.CreateTransaction(ctx, tr))
	read := func(tx store.Tx, serial, id []byte) (*store.Certificate, *store.Transaction) {
		t.Helper()
		c, got, err := tx.CertificateAndTransaction(ctx, serial, []byte("cmp"), id)
		must(t, err)
		return c, got
	}
	for _, in := range []bool{false, true} {
		var tx store.Tx = s
		check := func(tx store.Tx) error {
			c, got := read(tx, cert.Serial, tr.TransactionID)
			if c == nil || !bytes.Equal(c.DER, cert.DER) || got == nil || got.Version != 1 ||
				!bytes.Equal(got.State, tr.State) {
				t.Errorf("in a transaction %v: both read: %+v, %+v", in, c, got)
			}
			if c, got := read(tx, newSerial(), tr.TransactionID); c != nil || got == nil {
				t.Errorf("in a transaction %v: unknown serial: %v, %v", in, c, got)
			}
			if c, got := read(tx, cert.Serial, random(16)); c == nil || got != nil {
				t.Errorf("in a transaction %v: unknown transaction: %v, %v", in, c, got)
			}
			return nil
		}
		if in {
			must(t, s.InTx(ctx, check))
		} else {
			must(t, check(tx))
		}
	}
}
