package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"rekey/store"
)

// auditEntries returns n entries that differ in every field, some of them
// empty, tagged with tag in Object.
func auditEntries(n int, tag string) []store.AuditEntry {
	es := make([]store.AuditEntry, n)
	for i := range es {
		e := store.AuditEntry{
			At:     at(time.Duration(i) * time.Millisecond),
			Actor:  []string{"policy", "", "оператор Иванов", "cmp"}[i%4],
			Action: []string{"request.received", "approve", "sign.before", "sign.after"}[i%4],
			Object: fmt.Sprintf("%s %d", tag, i),
		}
		if i%3 != 1 {
			e.Details = fmt.Appendf(nil, `{"serial":"%02x"}`, i)
		}
		es[i] = e
	}
	return es
}

// checkChained checks that recs follow each other and carry their hashes.
func checkChained(t testing.TB, recs []*store.AuditRecord) {
	t.Helper()
	for i, r := range recs {
		if i > 0 && (r.Seq != recs[i-1].Seq+1 || !reflect.DeepEqual(r.PrevHash, recs[i-1].Hash)) {
			t.Errorf("record %d does not follow record %d", r.Seq, recs[i-1].Seq)
		}
		if !reflect.DeepEqual(r.Hash, r.ComputeHash()) {
			t.Errorf("record %d: hash %x, ComputeHash %x", r.Seq, r.Hash, r.ComputeHash())
		}
	}
}

// checkStored checks that the records from seq recs[0].Seq on are recs.
func checkStored(t testing.TB, s store.Store, recs []*store.AuditRecord) {
	t.Helper()
	got, err := s.AuditRecords(context.Background(), recs[0].Seq-1, len(recs)+1)
	must(t, err)
	if len(got) != len(recs) {
		t.Fatalf("AuditRecords: %d records from %d, want %d", len(got), recs[0].Seq, len(recs))
	}
	for i, r := range recs {
		if !reflect.DeepEqual(&got[i], r) {
			t.Errorf("stored record %d:\n got %+v\nwant %+v", r.Seq, got[i], *r)
		}
	}
}

// testAuditBatch: batches, single appends between them, give the chain
// that single appends of the same entries give.
func testAuditBatch(t *testing.T, b Backend) {
	ctx := context.Background()
	es := auditEntries(12, "request")
	ref, _ := fresh(t, b)
	var want []*store.AuditRecord
	for _, e := range es {
		r, err := ref.AppendAudit(ctx, e)
		must(t, err)
		want = append(want, r)
	}

	s, dsn := fresh(t, b)
	var got []*store.AuditRecord
	rest := es
	for _, n := range []int{3, -1, 1, 0, 4, -1, 2} { // -1: AppendAudit
		if n < 0 {
			r, err := s.AppendAudit(ctx, rest[0])
			must(t, err)
			got, rest = append(got, r), rest[1:]
			continue
		}
		recs, err := s.AppendAudits(ctx, rest[:n])
		must(t, err)
		if len(recs) != n {
			t.Fatalf("AppendAudits of %d entries returned %d records", n, len(recs))
		}
		got, rest = append(got, recs...), rest[n:]
	}
	if len(rest) != 0 {
		t.Fatalf("internal error: %d entries left", len(rest))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("record %d:\n got %+v\nwant %+v (appended one by one)", i+1, *got[i], *want[i])
		}
	}
	checkChained(t, got)
	checkStored(t, s, got)

	// An empty batch writes nothing.
	for _, empty := range [][]store.AuditEntry{nil, {}} {
		recs, err := s.AppendAudits(ctx, empty)
		if err != nil || recs != nil {
			t.Errorf("AppendAudits(%v) = %v, %v; want nil, nil", empty, recs, err)
		}
	}
	if n := b.QueryInt(t, dsn, `SELECT seq FROM audit_head`); n != 12 {
		t.Errorf("head at %d after empty batches, want 12", n)
	}

	// More records than one INSERT of SQLite takes.
	big, err := s.AppendAudits(ctx, auditEntries(250, "big"))
	must(t, err)
	if len(big) != 250 || big[0].Seq != 13 || !reflect.DeepEqual(big[0].PrevHash, got[11].Hash) {
		t.Fatalf("AppendAudits of 250: %d records from %d", len(big), big[0].Seq)
	}
	checkChained(t, big)
	checkStored(t, s, big)
	if n, err := s.VerifyChain(ctx); err != nil || n != 262 {
		t.Errorf("VerifyChain = %d, %v; want 262, nil", n, err)
	}
}

// testAuditBatchInTx: batches in a transaction commit with it or leave
// no trace, the chain's head included.
func testAuditBatchInTx(t *testing.T, b Backend) {
	ctx := context.Background()
	s, dsn := fresh(t, b)
	sub := newSubscriber(t, s)
	var got []*store.AuditRecord
	err := s.InTx(ctx, func(tx store.Tx) error {
		got = nil
		newRequest(t, tx, sub.ID)
		es := auditEntries(6, "committed")
		for _, part := range [][]store.AuditEntry{es[:3], es[3:4], es[4:]} {
			recs, err := tx.AppendAudits(ctx, part)
			if err != nil {
				return err
			}
			got = append(got, recs...)
		}
		return nil
	})
	must(t, err)
	if len(got) != 6 || got[0].Seq != 1 {
		t.Fatalf("committed batches: %v", sprint(got))
	}
	checkChained(t, got)
	checkStored(t, s, got)

	boom := errors.New("boom")
	err = s.InTx(ctx, func(tx store.Tx) error {
		newRequest(t, tx, sub.ID)
		if _, err := tx.AppendAudits(ctx, auditEntries(4, "lost")); err != nil {
			return err
		}
		appendN(t, tx, 1)
		if _, err := tx.AppendAudits(ctx, auditEntries(2, "lost too")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want the function's error", err)
	}
	for q, want := range map[string]int64{
		`SELECT count(*) FROM audit_log`: 6,
		`SELECT seq FROM audit_head`:     6,
		`SELECT count(*) FROM requests`:  1,
	} {
		if n := b.QueryInt(t, dsn, q); n != want {
			t.Errorf("after rollback: %s = %d, want %d", q, n, want)
		}
	}

	// The chain continues from the committed head.
	next, err := s.AppendAudits(ctx, auditEntries(2, "next"))
	must(t, err)
	checkChained(t, append(got, next...))
	if n, err := s.VerifyChain(ctx); err != nil || n != 8 {
		t.Errorf("VerifyChain = %d, %v; want 8, nil", n, err)
	}
}

// testAuditBatchInvalid: an invalid entry anywhere in a batch is refused
// before anything of the batch is written.
func testAuditBatchInvalid(t *testing.T, b Backend) {
	ctx := context.Background()
	s, dsn := fresh(t, b)
	first, err := s.AppendAudits(ctx, auditEntries(2, "first"))
	must(t, err)
	for name, bad := range map[string]store.AuditEntry{
		"no time":   {Actor: "policy", Action: "approve"},
		"no action": {At: t0, Actor: "policy"},
	} {
		for _, pos := range []int{0, 2, 4} {
			es := auditEntries(5, "bad")
			es[pos] = bad
			recs, err := s.AppendAudits(ctx, es)
			wantErr(t, err, store.ErrInvalid, "AppendAudits")
			if recs != nil {
				t.Errorf("%s at %d: records %v returned with the error", name, pos, sprint(recs))
			}
		}
	}
	if n := b.QueryInt(t, dsn, `SELECT count(*) FROM audit_log`); n != 2 {
		t.Errorf("%d records after refused batches, want 2", n)
	}

	// In a transaction: a refused batch sends nothing, so the work before
	// and after it commits, and it leaves no record.
	es := auditEntries(3, "bad in tx")
	es[1].Action = ""
	var after []*store.AuditRecord
	err = s.InTx(ctx, func(tx store.Tx) error {
		before, err := tx.AppendAudits(ctx, auditEntries(2, "before"))
		if err != nil {
			return err
		}
		_, err = tx.AppendAudits(ctx, es)
		wantErr(t, err, store.ErrInvalid, "AppendAudits")
		recs, err := tx.AppendAudits(ctx, auditEntries(1, "after"))
		after = append(before, recs...)
		return err
	})
	must(t, err)
	checkChained(t, append(first, after...))
	if n, err := s.VerifyChain(ctx); err != nil || n != 5 {
		t.Errorf("VerifyChain = %d, %v; want 5, nil", n, err)
	}
}

// testConcurrentAuditBatches: batches and single appends from many
// goroutines on two replicas, some in transactions with other writes,
// form one linear chain in which each batch is contiguous.
func testConcurrentAuditBatches(t *testing.T, b Backend) {
	ctx := context.Background()
	rs, _ := replicas(t, b)
	sub := newSubscriber(t, rs[0])
	const each = 6
	var mu sync.Mutex
	sizes := map[string]int{} // batch tag → records
	var unexpected sync.Map
	race(rs, func(i int, s store.Store) {
		for j := range each {
			tag := fmt.Sprintf("racer %d batch %d", i, j)
			es := auditEntries(1+(i+j)%4, tag)
			var recs []*store.AuditRecord
			var err error
			switch j % 3 {
			case 0:
				recs, err = s.AppendAudits(ctx, es)
			case 1:
				err = s.InTx(ctx, func(tx store.Tx) error {
					if _, err := tx.HitRate(ctx, sub.ID, "racer", t0); err != nil {
						return err
					}
					recs, err = tx.AppendAudits(ctx, es)
					return err
				})
			default:
				// Single appends, which other batches may come between.
				tag = ""
				for _, e := range es {
					var r *store.AuditRecord
					if r, err = s.AppendAudit(ctx, e); err != nil {
						break
					}
					recs = append(recs, r)
				}
			}
			if err != nil {
				unexpected.Store(i, err)
				return
			}
			for k, r := range recs {
				if k > 0 && tag != "" && r.Seq != recs[k-1].Seq+1 {
					unexpected.Store(i, fmt.Errorf("%s: record %d follows %d", tag, r.Seq,
						recs[k-1].Seq))
				}
			}
			mu.Lock()
			sizes[tag] += len(es)
			mu.Unlock()
		}
	})
	unexpected.Range(func(k, v any) bool {
		t.Errorf("appender %v: %v", k, v)
		return true
	})
	total := 0
	for _, n := range sizes {
		total += n
	}
	for i, s := range rs {
		n, err := s.VerifyChain(ctx)
		if err != nil || n != int64(total) {
			t.Errorf("replica %d: VerifyChain = %d, %v; want %d, nil", i, n, err, total)
		}
	}

	// Each batch's records are stored together, in order.
	recs, err := rs[1].AuditRecords(ctx, 0, 0)
	must(t, err)
	first := map[string]int64{}
	seen := map[string]int{}
	for _, r := range recs {
		sp := strings.LastIndexByte(r.Object, ' ')
		k, err := strconv.Atoi(r.Object[sp+1:])
		if sp < 0 || err != nil {
			t.Fatalf("record %d: object %q", r.Seq, r.Object)
		}
		tag := r.Object[:sp]
		if _, ok := sizes[tag]; !ok {
			continue // a single append
		}
		if k == 0 {
			first[tag] = r.Seq
		}
		if r.Seq != first[tag]+int64(k) {
			t.Errorf("record %d (%q) is not where its batch began plus %d", r.Seq, r.Object, k)
		}
		seen[tag]++
	}
	for tag, n := range sizes {
		if tag != "" && seen[tag] != n {
			t.Errorf("%s: %d records stored, want %d", tag, seen[tag], n)
		}
	}
}
