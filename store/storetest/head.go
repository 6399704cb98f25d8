package storetest

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"rekey/store"
)

// errUndo fails a transaction on purpose.
var errUndo = errors.New("undo")

// entry is a distinct audit entry of appender who.
func entry(who string, n int) store.AuditEntry {
	return store.AuditEntry{At: at(time.Duration(n) * time.Second), Actor: who,
		Action: "sign.after", Object: "request " + strconv.Itoa(n)}
}

// appendOne appends e through tx and returns its record.
func appendOne(t *testing.T, tx store.Tx, e store.AuditEntry) *store.AuditRecord {
	t.Helper()
	rec, err := tx.AppendAudit(context.Background(), e)
	must(t, err)
	return rec
}

// wantNext checks that rec follows prev in the chain.
func wantNext(t *testing.T, what string, prev, rec *store.AuditRecord) {
	t.Helper()
	if rec.Seq != prev.Seq+1 || string(rec.PrevHash) != string(prev.Hash) {
		t.Errorf("%s: record %d with previous hash %x, want %d after %x", what, rec.Seq,
			rec.PrevHash, prev.Seq+1, prev.Hash)
	}
}

// testAuditHeadMoved: a store that knows where its last append left the
// chain finds it moved by another store on the database (another process)
// and by its own rolled-back transactions, also when the head has gone
// back to the same sequence number with another hash.
func testAuditHeadMoved(t *testing.T, b Backend) {
	ctx := context.Background()
	rs, _ := replicas(t, b)
	appendOne(t, rs[0], entry("a", 1))
	o := appendOne(t, rs[1], entry("b", 2))
	wantNext(t, "after another replica's append", o, appendOne(t, rs[0], entry("a", 3)))

	// Rolled back, with the next record's seq taken by another replica
	// in between.
	head := appendOne(t, rs[0], entry("a", 4))
	err := rs[0].InTx(ctx, func(tx store.Tx) error {
		appendOne(t, tx, entry("a", 5))
		return errUndo
	})
	if !errors.Is(err, errUndo) {
		t.Fatalf("InTx = %v, want %v", err, errUndo)
	}
	wantNext(t, "after a rolled-back append", head, appendOne(t, rs[0], entry("a", 6)))
	err = rs[0].InTx(ctx, func(tx store.Tx) error {
		appendOne(t, tx, entry("a", 7))
		return errUndo
	})
	if !errors.Is(err, errUndo) {
		t.Fatalf("InTx = %v, want %v", err, errUndo)
	}
	o = appendOne(t, rs[1], entry("b", 8))
	wantNext(t, "after a rolled-back append and another replica's",
		o, appendOne(t, rs[0], entry("a", 9)))

	// Several records at once, from a head that moved.
	o = appendOne(t, rs[1], entry("b", 10))
	recs, err := rs[0].AppendAudits(ctx, []store.AuditEntry{entry("a", 11), entry("a", 12)})
	must(t, err)
	wantNext(t, "a batch after another replica's append", o, recs[0])
	checkChained(t, recs)
	for i, s := range rs {
		if n, err := s.VerifyChain(ctx); err != nil || n != 10 {
			t.Errorf("replica %d: VerifyChain = %d, %v; want 10, nil", i, n, err)
		}
	}
}

// testConcurrentAuditUndone: appends in transactions on two replicas at
// once, every third of which is rolled back after appending (on SQLite
// they share commits, and a failed member is rolled back to its
// savepoint). The chain holds exactly the others' records, linked.
func testConcurrentAuditUndone(t *testing.T, b Backend) {
	ctx := context.Background()
	rs, _ := replicas(t, b)
	const each = 10
	var mu sync.Mutex
	kept := 0
	var unexpected sync.Map
	race(rs, func(i int, s store.Store) {
		for j := range each {
			undo := (i+j)%3 == 0
			err := s.InTx(ctx, func(tx store.Tx) error {
				if _, err := tx.AppendAudit(ctx, entry(string(rune('a'+i)), j)); err != nil {
					return err
				}
				if undo {
					return errUndo
				}
				return nil
			})
			switch {
			case undo && errors.Is(err, errUndo):
			case !undo && err == nil:
				mu.Lock()
				kept++
				mu.Unlock()
			default:
				unexpected.Store(i, err)
				return
			}
		}
	})
	unexpected.Range(func(k, v any) bool {
		t.Errorf("appender %v: %v", k, v)
		return true
	})
	for i, s := range rs {
		if n, err := s.VerifyChain(ctx); err != nil || n != int64(kept) {
			t.Errorf("replica %d: VerifyChain = %d, %v; want %d, nil", i, n, err, kept)
		}
	}
	recs, err := rs[0].AuditRecords(ctx, 0, 0)
	must(t, err)
	for i, r := range recs {
		if r.Seq != int64(i+1) {
			t.Fatalf("record %d has Seq %d", i+1, r.Seq)
		}
	}
}
