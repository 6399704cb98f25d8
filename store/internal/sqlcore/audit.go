package sqlcore

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"rekey/store"
)

func (o ops) AppendAudit(ctx context.Context, e store.AuditEntry) (*store.AuditRecord, error) {
	recs, err := o.appendAudits(ctx, "AppendAudit", []store.AuditEntry{e})
	if err != nil {
		return nil, err
	}
	return recs[0], nil
}

func (o ops) AppendAudits(
	ctx context.Context,
	entries []store.AuditEntry,
) ([]*store.AuditRecord, error) {
	return o.appendAudits(ctx, "AppendAudits", entries)
}

func (o ops) AppendAuditsAtCommit(ctx context.Context, entries []store.AuditEntry) error {
	const op = "AppendAuditsAtCommit"
	if o.late == nil {
		_, err := o.appendAudits(ctx, op, entries)
		return err
	}
	if _, err := auditRecordsOf(op, entries); err != nil {
		return err
	}
	*o.late = append(*o.late, entries...)
	return nil
}

// appendLate appends the entries held for the commit (AppendAuditsAtCommit)
// as the transaction's last write: on an engine that pipelines, held back
// to travel with the COMMIT.
func (o ops) appendLate(ctx context.Context) error {
	const op, table = "AppendAuditsAtCommit", "audit_log"
	entries := *o.late
	*o.late = nil
	if len(entries) == 0 {
		return nil
	}
	d := o.deferrer()
	if d == nil || o.db.dialect.AppendAudit == "" || o.db.dialect.AppendAudits == "" {
		_, err := o.appendAudits(ctx, op, entries)
		return err
	}
	recs, err := auditRecordsOf(op, entries)
	if err != nil {
		return err
	}
	// The records the database computed are not read back, so they are
	// not checked against ComputeHash here as appendInDB checks them;
	// the storage suite's VerifyChain after such appends does that.
	fail := func(err error) error { return o.fail(op, table, err) }
	if len(recs) == 1 {
		d.Defer(o.db.dialect.AppendAudit, oneInDBArgs(recs[0]), fail)
	} else {
		d.Defer(o.db.dialect.AppendAudits, inDBArgs(recs), fail)
	}
	return nil
}

// auditRecordsOf checks entries and returns their records, without
// sequence numbers or hashes yet; an entry without a time or an action is
// an ErrInvalid of op.
func auditRecordsOf(op string, entries []store.AuditEntry) ([]*store.AuditRecord, error) {
	const table = "audit_log"
	recs := make([]*store.AuditRecord, len(entries))
	for i, e := range entries {
		if e.At.IsZero() || e.Action == "" {
			if len(entries) == 1 {
				return nil, invalid(op, table, "time and action are required")
			}
			return nil, invalid(op, table, "entry %d of %d: time and action are required",
				i+1, len(entries))
		}
		rec := &store.AuditRecord{AuditEntry: e}
		rec.At = norm(e.At)
		recs[i] = rec
	}
	return recs, nil
}

// appendAudits checks every entry, then appends them all: in one
// statement where the dialect computes the hashes, else in three.
func (o ops) appendAudits(
	ctx context.Context,
	op string,
	entries []store.AuditEntry,
) ([]*store.AuditRecord, error) {
	const table = "audit_log"
	if len(entries) == 0 {
		return nil, nil
	}
	recs, err := auditRecordsOf(op, entries)
	if err != nil {
		return nil, err
	}
	switch d := o.db.dialect; {
	case len(recs) == 1 && d.AppendAudit != "":
		err = o.appendOneInDB(ctx, d.AppendAudit, recs[0])
	case d.AppendAudits != "":
		err = o.appendInDB(ctx, d.AppendAudits, recs)
	default:
		err = o.atomic(ctx, func(o ops) error { return o.appendInGo(ctx, op, recs) })
	}
	if err != nil {
		return nil, o.fail(op, table, err)
	}
	return recs, nil
}

// appendOneInDB appends rec with the dialect's single-record statement,
// which hashes in the database, and checks the hash against ComputeHash.
func (o ops) appendOneInDB(ctx context.Context, q string, rec *store.AuditRecord) error {
	err := o.w().QueryRow(ctx, q, oneInDBArgs(rec)...).Scan(&rec.Seq, &rec.PrevHash, &rec.Hash)
	if err != nil {
		return err
	}
	if !bytes.Equal(rec.Hash, rec.ComputeHash()) {
		// Only a change of the encoding on one side gets here; the
		// caller's transaction must not commit this record.
		return errors.New("internal error: the database computed another audit hash")
	}
	return nil
}

// oneInDBArgs are the arguments of Dialect.AppendAudit for rec.
func oneInDBArgs(rec *store.AuditRecord) []any {
	return []any{[]byte(store.AuditDomain), rec.At.UnixMicro(), auditTail(rec), rec.At,
		rec.Actor, rec.Action, rec.Object, nonNil(rec.Details)}
}

// appendInDB appends recs with the dialect's statement, which hashes in
// the database, and checks what comes back against ComputeHash.
func (o ops) appendInDB(ctx context.Context, q string, recs []*store.AuditRecord) error {
	rows, err := o.w().Query(ctx, q, inDBArgs(recs)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	type link struct {
		seq        int64
		prev, hash []byte
	}
	var got []link
	for rows.Next() {
		var l link
		if err := rows.Scan(&l.seq, &l.prev, &l.hash); err != nil {
			return err
		}
		got = append(got, l)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	slices.SortFunc(got, func(a, b link) int { return cmp.Compare(a.seq, b.seq) })
	if len(got) != len(recs) {
		return fmt.Errorf("internal error: %d audit records appended, want %d", len(got), len(recs))
	}
	for i, r := range recs {
		r.Seq, r.PrevHash, r.Hash = got[i].seq, got[i].prev, got[i].hash
		linked := i == 0 || r.Seq == recs[i-1].Seq+1 && bytes.Equal(r.PrevHash, recs[i-1].Hash)
		if !linked || !bytes.Equal(r.Hash, r.ComputeHash()) {
			// Only a change of the encoding on one side gets here; the
			// caller's transaction must not commit these records.
			return errors.New("internal error: the database computed another audit chain")
		}
	}
	return nil
}

// inDBArgs are the arguments of Dialect.AppendAudits for recs.
func inDBArgs(recs []*store.AuditRecord) []any {
	micros := make([]int64, len(recs))
	tails := make([][]byte, len(recs))
	ats := make([]time.Time, len(recs))
	actors := make([]string, len(recs))
	actions := make([]string, len(recs))
	objects := make([]string, len(recs))
	details := make([][]byte, len(recs))
	for i, r := range recs {
		micros[i], tails[i], ats[i] = r.At.UnixMicro(), auditTail(r), r.At
		actors[i], actions[i], objects[i], details[i] = r.Actor, r.Action, r.Object, nonNil(r.Details)
	}
	return []any{[]byte(store.AuditDomain), micros, tails, ats, actors, actions, objects,
		details}
}

// appendInGo appends recs in the transaction o, hashing in Go. The head
// it chains from is the one o.db last left, when moving the head from
// that one to the last record still finds it there; else it is read.
// Either statement is the lock that keeps the chain linear (a row lock
// held to commit on PostgreSQL, the single writer on SQLite). The records
// go in as few statements as the engine's parameter limit allows.
func (o ops) appendInGo(ctx context.Context, op string, recs []*store.AuditRecord) error {
	moved := false
	if h := o.db.head.Load(); h != nil {
		chain(recs, h.seq, h.hash)
		last := recs[len(recs)-1]
		n, err := o.tx.Exec(ctx, `UPDATE audit_head SET seq = $1, hash = $2
			WHERE id = 1 AND seq = $3 AND hash = $4`, last.Seq, last.Hash, h.seq, h.hash)
		if err != nil {
			return o.fail(op, "audit_head", err)
		}
		moved = n == 1
	}
	if !moved {
		// Another process appended since, or the transaction that moved
		// the head to the cached one was rolled back.
		var seq int64
		var prev []byte
		if err := o.tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`+
			o.db.dialect.ForUpdate).Scan(&seq, &prev); err != nil {
			return o.fail(op, "audit_head", err)
		}
		chain(recs, seq, prev)
	}
	for chunk := range slices.Chunk(recs, auditInsertRows) {
		args := make([]any, 0, len(chunk)*auditInsertCols)
		for _, r := range chunk {
			args = append(args, r.Seq, ts(r.At), r.Actor, r.Action, r.Object, nonNil(r.Details),
				r.PrevHash, r.Hash)
		}
		if _, err := o.tx.Exec(ctx, auditInsert(len(chunk)), args...); err != nil {
			return err
		}
	}
	last := recs[len(recs)-1]
	if !moved {
		_, err := o.tx.Exec(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`,
			last.Seq, last.Hash)
		if err != nil {
			return o.fail(op, "audit_head", err)
		}
	}
	// Only a hint: o's transaction may yet be rolled back, which the
	// next append's UPDATE notices.
	o.db.head.Store(&auditHead{seq: last.Seq, hash: bytes.Clone(last.Hash)})
	return nil
}

// auditHead is the audit chain's head as an append left it.
type auditHead struct {
	seq  int64
	hash []byte
}

// chain sets the sequence numbers and hashes of recs, linked from the
// head (seq, hash).
func chain(recs []*store.AuditRecord, seq int64, hash []byte) {
	for i, r := range recs {
		r.Seq, r.PrevHash = seq+int64(i)+1, bytes.Clone(hash)
		r.Hash = r.ComputeHash()
		hash = r.Hash
	}
}

// An INSERT of audit records binds auditInsertCols parameters a row and
// takes at most auditInsertRows rows: 800 parameters, below SQLite's
// oldest limit of 999. Every row count is a statement of its own that
// the engine prepares and keeps, so the limit also bounds those.
const (
	auditInsertCols = 8
	auditInsertRows = 100
)

// auditInsert returns the INSERT of n audit records.
func auditInsert(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO audit_log (` + auditCols + `) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range auditInsertCols {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", i*auditInsertCols+j+1)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// nonNil is details as stored: NOT NULL, and read back as nil when empty.
func nonNil(details []byte) []byte {
	if details == nil {
		return []byte{}
	}
	return details
}

const auditCols = `seq, at, actor, action, object, details, prev_hash, hash`

func (o ops) auditRecords(
	ctx context.Context,
	after, upto int64,
	each func(*store.AuditRecord) error,
) error {
	rows, err := o.r().Query(ctx, `SELECT `+auditCols+` FROM audit_log
		WHERE seq > $1 AND seq <= $2 ORDER BY seq`, after, upto)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r store.AuditRecord
		if err := rows.Scan(&r.Seq, tm{&r.At}, &r.Actor, &r.Action, &r.Object, &r.Details,
			&r.PrevHash, &r.Hash); err != nil {
			return err
		}
		if len(r.Details) == 0 {
			r.Details = nil
		}
		if err := each(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (o ops) AuditRecords(ctx context.Context, after int64, n int) ([]store.AuditRecord, error) {
	var out []store.AuditRecord
	upto := after + limit(n)
	if upto < after {
		upto = limit(0)
	}
	err := o.auditRecords(ctx, after, upto, func(r *store.AuditRecord) error {
		out = append(out, *r)
		return nil
	})
	return out, o.fail("AuditRecords", "audit_log", err)
}

// AuditHead implements store.Store.
func (db *DB) AuditHead(ctx context.Context) (int64, []byte, error) {
	var seq int64
	var hash []byte
	err := db.drv.Read().QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(
		&seq, &hash)
	if err != nil {
		return 0, nil, db.fail("AuditHead", "audit_head", err)
	}
	return seq, hash, nil
}

// VerifyChain implements store.Store. It reads the head first and checks
// the records up to it, so appends running meanwhile do not disturb it.
func (db *DB) VerifyChain(ctx context.Context) (int64, error) {
	headSeq, headHash, err := db.AuditHead(ctx)
	if err != nil {
		return 0, err
	}
	var v store.ChainVerifier
	err = db.auditRecords(ctx, 0, headSeq, v.Next)
	if err != nil {
		if _, ok := err.(*store.ChainError); ok {
			return 0, err
		}
		return 0, db.fail("VerifyChain", "audit_log", err)
	}
	return v.End(headSeq, headHash)
}

// auditTail is the part of an audit record's hashed encoding after the
// previous hash, as store.AuditRecord.ComputeHash lays it out.
func auditTail(r *store.AuditRecord) []byte {
	var b []byte
	for _, f := range [][]byte{[]byte(r.Actor), []byte(r.Action), []byte(r.Object), r.Details} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	return b
}
