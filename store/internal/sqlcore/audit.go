package sqlcore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"

	"rekey/store"
)

func (o ops) AppendAudit(ctx context.Context, e store.AuditEntry) (*store.AuditRecord, error) {
	const op, table = "AppendAudit", "audit_log"
	if e.At.IsZero() || e.Action == "" {
		return nil, invalid(op, table, "time and action are required")
	}
	rec := &store.AuditRecord{AuditEntry: e}
	rec.At = norm(e.At)
	details := e.Details
	if details == nil {
		details = []byte{} // NOT NULL; read back as nil
	}
	if q := o.db.dialect.AppendAudit; q != "" {
		err := o.w().QueryRow(ctx, q, []byte(store.AuditDomain), rec.At.UnixMicro(),
			auditTail(rec), ts(rec.At), rec.Actor, rec.Action, rec.Object, details).Scan(
			&rec.Seq, &rec.PrevHash, &rec.Hash)
		if err != nil {
			return nil, o.fail(op, table, err)
		}
		if !bytes.Equal(rec.Hash, rec.ComputeHash()) {
			// Only a change of the encoding on one side gets here; the
			// caller's transaction must not commit this record.
			return nil, &store.OpError{Op: op, Table: table,
				Err: errors.New("internal error: the database computed another audit hash")}
		}
		return rec, nil
	}
	err := o.atomic(ctx, func(o ops) error {
		// The head row is the lock that keeps the chain linear: on
		// PostgreSQL a row lock held to commit, on SQLite the single writer.
		var seq int64
		if err := o.tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`+
			o.db.dialect.ForUpdate).Scan(&seq, &rec.PrevHash); err != nil {
			return o.fail(op, "audit_head", err)
		}
		rec.Seq = seq + 1
		rec.Hash = rec.ComputeHash()
		if _, err := o.tx.Exec(ctx, `INSERT INTO audit_log (seq, at, actor, action, object,
			details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			rec.Seq, ts(rec.At), rec.Actor, rec.Action, rec.Object, details, rec.PrevHash,
			rec.Hash); err != nil {
			return err
		}
		_, err := o.tx.Exec(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`,
			rec.Seq, rec.Hash)
		return o.fail(op, "audit_head", err)
	})
	if err != nil {
		return nil, o.fail(op, table, err)
	}
	return rec, nil
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

// VerifyChain implements store.Store. It reads the head first and checks
// the records up to it, so appends running meanwhile do not disturb it.
func (db *DB) VerifyChain(ctx context.Context) (int64, error) {
	var headSeq int64
	var headHash []byte
	if err := db.drv.Read().QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(
		&headSeq, &headHash); err != nil {
		return 0, db.fail("VerifyChain", "audit_head", err)
	}
	var v store.ChainVerifier
	err := db.auditRecords(ctx, 0, headSeq, v.Next)
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
