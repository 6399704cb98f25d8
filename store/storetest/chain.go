package storetest

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"rekey/store"
)

func appendN(t testing.TB, tx store.Tx, n int) []*store.AuditRecord {
	t.Helper()
	var out []*store.AuditRecord
	for i := range n {
		rec, err := tx.AppendAudit(context.Background(), store.AuditEntry{
			At: at(time.Duration(i) * time.Second), Actor: "policy", Action: "sign.before",
			Object: "request " + string(rune('A'+i%26)), Details: []byte(`{"serial":"01"}`),
		})
		if err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
		out = append(out, rec)
	}
	return out
}

func testAudit(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := fresh(t, b)
	n, err := s.VerifyChain(ctx)
	if err != nil || n != 0 {
		t.Fatalf("VerifyChain of an empty trail = %d, %v", n, err)
	}
	if seq, hash, err := s.AuditHead(ctx); err != nil || seq != 0 ||
		!reflect.DeepEqual(hash, store.GenesisHash) {
		t.Errorf("AuditHead of an empty trail = %d, %x, %v", seq, hash, err)
	}
	recs := appendN(t, s, 5)
	if seq, hash, err := s.AuditHead(ctx); err != nil || seq != 5 ||
		!reflect.DeepEqual(hash, recs[4].Hash) {
		t.Errorf("AuditHead = %d, %x, %v; want 5, %x", seq, hash, err, recs[4].Hash)
	}
	for i, r := range recs {
		if r.Seq != int64(i+1) {
			t.Errorf("record %d has Seq %d", i, r.Seq)
		}
		prev := store.GenesisHash
		if i > 0 {
			prev = recs[i-1].Hash
		}
		if !reflect.DeepEqual(r.PrevHash, prev) || !reflect.DeepEqual(r.Hash, r.ComputeHash()) {
			t.Errorf("record %d is not chained: %+v", r.Seq, r)
		}
	}
	// A record without details keeps an empty, not missing, field.
	bare, err := s.AppendAudit(ctx, store.AuditEntry{At: at(time.Hour), Action: "approve"})
	must(t, err)
	_, err = s.AppendAudit(ctx, store.AuditEntry{At: t0})
	wantErr(t, err, store.ErrInvalid, "AppendAudit")

	got, err := s.AuditRecords(ctx, 0, 0)
	must(t, err)
	if len(got) != 6 {
		t.Fatalf("AuditRecords: %d records, want 6", len(got))
	}
	for i, r := range append(recs, bare) {
		if !reflect.DeepEqual(&got[i], r) {
			t.Errorf("AuditRecords[%d]:\n got %+v\nwant %+v", i, got[i], *r)
		}
	}
	page, err := s.AuditRecords(ctx, 2, 2)
	must(t, err)
	if len(page) != 2 || page[0].Seq != 3 || page[1].Seq != 4 {
		t.Errorf("AuditRecords(2, 2): %v", sprint(page))
	}
	n, err = s.VerifyChain(ctx)
	if err != nil || n != 6 {
		t.Errorf("VerifyChain = %d, %v; want 6, nil", n, err)
	}
}

func testAuditTamper(t *testing.T, b Backend) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, dsn string, recs []*store.AuditRecord)
		want   int64 // the record the error must name
	}{
		{"changed content", func(t *testing.T, dsn string, _ []*store.AuditRecord) {
			b.Exec(t, dsn, `UPDATE audit_log SET actor = $1 WHERE seq = $2`, "mallory", 5)
		}, 5},
		{"changed details", func(t *testing.T, dsn string, _ []*store.AuditRecord) {
			b.Exec(t, dsn, `UPDATE audit_log SET details = $1 WHERE seq = $2`,
				[]byte(`{"serial":"02"}`), 2)
		}, 2},
		{"deleted record", func(t *testing.T, dsn string, _ []*store.AuditRecord) {
			b.Exec(t, dsn, `DELETE FROM audit_log WHERE seq = $1`, 4)
		}, 4},
		{"deleted first record", func(t *testing.T, dsn string, _ []*store.AuditRecord) {
			b.Exec(t, dsn, `DELETE FROM audit_log WHERE seq = $1`, 1)
		}, 1},
		{"truncated tail", func(t *testing.T, dsn string, _ []*store.AuditRecord) {
			b.Exec(t, dsn, `DELETE FROM audit_log WHERE seq > $1`, 8)
		}, 10},
		{"rehashed record", func(t *testing.T, dsn string, recs []*store.AuditRecord) {
			// The attacker recomputes the changed record's hash; the next
			// record's link still points at the original.
			r := *recs[6]
			r.Action = "approve"
			b.Exec(t, dsn, `UPDATE audit_log SET action = $1, hash = $2 WHERE seq = $3`,
				r.Action, r.ComputeHash(), r.Seq)
		}, 8},
		{"swapped records", func(t *testing.T, dsn string, _ []*store.AuditRecord) {
			b.Exec(t, dsn, `UPDATE audit_log SET seq = $1 WHERE seq = $2`, 100, 3)
			b.Exec(t, dsn, `UPDATE audit_log SET seq = $1 WHERE seq = $2`, 3, 4)
			b.Exec(t, dsn, `UPDATE audit_log SET seq = $1 WHERE seq = $2`, 4, 100)
		}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s, dsn := fresh(t, b)
			recs := appendN(t, s, 10)
			if _, err := s.VerifyChain(ctx); err != nil {
				t.Fatalf("VerifyChain before tampering: %v", err)
			}
			tc.tamper(t, dsn, recs)
			_, err := s.VerifyChain(ctx)
			var ce *store.ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("VerifyChain after tampering: %v, want a *store.ChainError", err)
			}
			if ce.Seq != tc.want {
				t.Errorf("VerifyChain names record %d (%v), want %d", ce.Seq, err, tc.want)
			}
		})
	}
}

func testInTx(t *testing.T, b Backend) {
	ctx := context.Background()
	s, dsn := fresh(t, b)
	sub := newSubscriber(t, s)

	// Committed together.
	var r *store.Request
	err := s.InTx(ctx, func(tx store.Tx) error {
		r = newRequest(t, tx, sub.ID)
		_, err := tx.AppendAudit(ctx, store.AuditEntry{At: t0, Action: "request.received"})
		if err != nil {
			return err
		}
		// Reads inside see the transaction's own writes.
		got, err := tx.Request(ctx, r.ID)
		if err != nil || got.ID != r.ID {
			t.Errorf("Request inside InTx: %v, %v", got, err)
		}
		return tx.PutMessage(ctx, &store.Message{SubscriberID: sub.ID, Kind: "cmp-response",
			Body: []byte{1}, CreatedAt: t0})
	})
	must(t, err)
	if _, err := s.Request(ctx, r.ID); err != nil {
		t.Errorf("request after commit: %v", err)
	}

	// Rolled back together, the audit chain included.
	boom := errors.New("boom")
	var lost *store.Request
	err = s.InTx(ctx, func(tx store.Tx) error {
		lost = newRequest(t, tx, sub.ID)
		appendN(t, tx, 3)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want the function's error", err)
	}
	_, err = s.RequestByTransaction(ctx, sub.ID, lost.TransactionID)
	wantErr(t, err, store.ErrNotFound, "RequestByTransaction")
	if n := b.QueryInt(t, dsn, `SELECT count(*) FROM audit_log`); n != 1 {
		t.Errorf("audit records after rollback: %d, want 1", n)
	}

	// A method's failure inside aborts the whole transaction.
	err = s.InTx(ctx, func(tx store.Tx) error {
		newRequest(t, tx, sub.ID)
		dup := &store.Request{SubscriberID: sub.ID, TransactionID: r.TransactionID,
			Message: []byte{1}, ReceivedAt: t0}
		return tx.CreateRequest(ctx, dup)
	})
	wantConflict(t, err, store.KeyRequestTransaction, "CreateRequest")
	if n := b.QueryInt(t, dsn, `SELECT count(*) FROM requests`); n != 1 {
		t.Errorf("requests after a failed transaction: %d, want 1", n)
	}
	// The chain continues from the committed head.
	appendN(t, s, 2)
	if n, err := s.VerifyChain(ctx); err != nil || n != 3 {
		t.Errorf("VerifyChain = %d, %v; want 3, nil", n, err)
	}
}

func testDurability(t *testing.T, b Backend) {
	ctx := context.Background()
	dsn := b.NewDSN(t)
	s, err := store.Open(ctx, dsn)
	must(t, err)
	sub := newSubscriber(t, s)
	r := approved(t, s, sub.ID)
	c := issue(t, s, sub.ID, r.ID)
	m := &store.Message{SubscriberID: sub.ID, TransactionID: r.TransactionID, Kind: "cmp-response",
		Body: c.DER, CreatedAt: at(time.Hour)}
	must(t, s.PutMessage(ctx, m))
	appendN(t, s, 3)
	n1, err := s.NextCRLNumber(ctx, issuer)
	must(t, err)
	must(t, s.Close())

	for round := range 2 {
		s := open(t, dsn)
		got, err := s.Request(ctx, r.ID)
		must(t, err)
		if got.State != store.StateIssued || !reflect.DeepEqual(got.Message, r.Message) {
			t.Errorf("round %d: request %+v", round, got)
		}
		gc, err := s.CertificateByRequest(ctx, r.ID)
		must(t, err)
		if !reflect.DeepEqual(gc, c) {
			t.Errorf("round %d: certificate\n got %+v\nwant %+v", round, gc, c)
		}
		msgs, err := s.Messages(ctx, sub.ID, r.TransactionID)
		must(t, err)
		if len(msgs) != 1 || !reflect.DeepEqual(msgs[0], *m) {
			t.Errorf("round %d: mailbox %v", round, sprint(msgs))
		}
		if n, err := s.VerifyChain(ctx); err != nil || n != int64(3+round) {
			t.Errorf("round %d: VerifyChain = %d, %v", round, n, err)
		}
		n, err := s.NextCRLNumber(ctx, issuer)
		must(t, err)
		if n != n1+int64(round)+1 {
			t.Errorf("round %d: CRL number %d after %d", round, n, n1)
		}
		appendN(t, s, 1)
		must(t, s.Close())
	}
}

func testMigrations(t *testing.T, b Backend) {
	ctx := context.Background()
	dsn := b.NewDSN(t)
	// Two replicas starting at once migrate once.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	stores := make([]store.Store, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = store.Open(ctx, dsn)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: Open: %v", i, err)
		}
		stores[i].Close()
	}
	check := func(when string) {
		t.Helper()
		want := int64(b.Migrations)
		if n := b.QueryInt(t, dsn, `SELECT count(*) FROM schema_migrations`); n != want {
			t.Errorf("%s: %d migrations recorded, want %d", when, n, want)
		}
		if n := b.QueryInt(t, dsn, `SELECT max(version) FROM schema_migrations`); n != want {
			t.Errorf("%s: schema version %d, want %d", when, n, want)
		}
		if n := b.QueryInt(t, dsn, `SELECT count(*) FROM audit_head`); n != 1 {
			t.Errorf("%s: %d audit heads", when, n)
		}
	}
	check("after concurrent open")
	s := open(t, dsn)
	must(t, s.Close())
	check("after reopening")

	// A database newer than the program is refused.
	b.Exec(t, dsn, `INSERT INTO schema_migrations (version, name, applied_at)
		VALUES ($1, $2, $3)`, b.Migrations+1, "9999_future.sql", "2030-01-01T00:00:00Z")
	if s, err := store.Open(ctx, dsn); err == nil {
		s.Close()
		t.Errorf("Open of a newer schema succeeded")
	}
}
