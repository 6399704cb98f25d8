// Package sqlcore is the engine-independent half of the store: every query
// of rekey/store, written once in the SQL both SQLite and PostgreSQL accept
// ($1-style placeholders, ON CONFLICT, RETURNING), over a small driver
// interface that the engine packages implement.
package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"rekey/store"
)

// Conn runs statements: a pool outside transactions, or a transaction.
type Conn interface {
	// Exec runs a statement and returns the number of rows it changed.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
}

// Rows is an open result set.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is a single-row result; Scan reports no row as the driver's no-rows
// error, which [Driver.Classify] maps to store.ErrNotFound.
type Row interface {
	Scan(dest ...any) error
}

// A Deferrer is a transaction that can hold a write back and send it
// with its next statement or its commit, in one round trip (PostgreSQL's
// pipeline). A write held back must report every failure as an error of
// the database (a constraint, or one it raises; see Dialect.ExpectOne),
// never by the rows it changed: sent with COMMIT, nothing after it could
// stop the transaction. fail turns the database's error into the store's;
// the call that sends the write returns that error, and so does every
// call after it and the commit.
type Deferrer interface {
	Defer(query string, args []any, fail func(error) error)
}

// RowChanged is what [Driver.Classify] returns for the error raised by a
// statement of Dialect.ExpectOne that found its row in another state.
type RowChanged struct {
	// Current is the row's state then.
	Current string
}

func (e *RowChanged) Error() string {
	return fmt.Sprintf("the row changed meanwhile (now %q)", e.Current)
}

// A Query is one read of a ReadBatch: Scan gets its row (a Row whose Scan
// returns the driver's no-rows error when there is none).
type Query struct {
	SQL  string
	Args []any
	Scan func(Row) error
}

// A BatchReader is a Driver that sends several reads outside transactions
// in one round trip; it returns the first error of a Scan.
type BatchReader interface {
	ReadBatch(ctx context.Context, qs []Query) error
}

// Driver is what an engine provides.
type Driver interface {
	// Read returns the connections for reads outside transactions.
	Read() Conn
	// Write returns the connections for single-statement writes.
	Write() Conn
	// Tx runs fn in a write transaction, commits when it returns nil and
	// rolls back otherwise.
	Tx(ctx context.Context, fn func(Conn) error) error
	// Classify maps a driver error to the store's vocabulary: no rows to
	// store.ErrNotFound, a unique violation to *store.ConflictError, a
	// foreign key violation to store.ErrNotFound; others unchanged.
	Classify(err error) error
	Close() error
}

// Dialect holds what differs in the SQL of an engine.
type Dialect struct {
	Name string
	// ForUpdate is appended to a SELECT to lock the rows it reads until
	// the transaction ends ("" where the engine has a single writer).
	ForUpdate string
	// ProbeConflicts says a unique violation does not name its key and the
	// transaction survives it, so the key is found by querying.
	ProbeConflicts bool
	// AppendAudit, when set, appends one audit record in one statement
	// that locks the head, computes the hash with the database's SHA-256
	// and inserts the record. Its arguments: the hash prefix (the domain
	// string), the time in microseconds, the length-prefixed fields after
	// the previous hash, then the time, actor, action, object and details
	// to store; it returns seq, prev_hash and hash.
	AppendAudit string
	// AppendAudits, when set, appends audit records in one statement that
	// locks the chain's head, computes the hashes with the database's
	// SHA-256 and inserts the records. Its arguments are arrays with an
	// element a record: the hash prefix (the domain string, not an array),
	// the times in microseconds, the length-prefixed fields after the
	// previous hash, then the times, actors, actions, objects and details
	// to store; it returns a row of seq, prev_hash and hash a record.
	AppendAudits string
	// RecordCertificate, when set, records a certificate that answers a
	// request in one statement: the request moves from approved to issued
	// when the serial is reserved for it by the issuer, and the
	// certificate is inserted only then. Its arguments: the states issued
	// and approved around the time and the request ($1–$4), then the
	// serial, issuer, subscriber, DER, SPKI hash, not before, not after,
	// key expiry and status; it reports one row changed when recorded.
	RecordCertificate string
	// RecordCertificateOrFail, when set, is RecordCertificate made to fail
	// in the database when it records nothing, as ExpectOne does, so that
	// it can be held back in a pipeline; same arguments.
	RecordCertificateOrFail string
	// CountRateAtMost, when set, makes the count of Tx.CountRate fail in
	// the database when it passes the limit, so that it can be held back
	// in a pipeline: a format whose %s is the counting statement (which
	// returns count), with the limit as argument $4; Classify maps its
	// failure to store.ErrRateExceeded.
	CountRateAtMost string
	// KeyUncertified, when set, is the statement of
	// Tx.RequireKeyUncertified that fails in the database when a
	// certificate of the key exists: argument the SPKI hash; Classify maps
	// its failure to a conflict on store.KeyCertificateSPKI.
	KeyUncertified string
	// ExpectOne, when set, makes a compare-and-set write fail in the
	// database when it changes no row, so that it can be held back in a
	// pipeline (Deferrer). It is a format with two %s: the data-modifying
	// statement, to which it adds RETURNING, and a SELECT of the row's
	// state (no row when the row is missing), which it runs only when the
	// write changed nothing, reading the row as committed after any wait
	// the write made (not as the statement's snapshot saw it: a row that
	// another replica changed meanwhile tells its new state). The
	// statement then fails with an error that Classify maps to
	// store.ErrNotFound or a *RowChanged.
	ExpectOne string
	// RequestIDs, when set, returns the first of RequestIDBlock request IDs
	// that no one else will use (the sequence behind requests.id advances
	// by RequestIDBlock), so that CreateRequest can choose the ID and be
	// held back in a pipeline instead of waiting for RETURNING id.
	RequestIDs     string
	RequestIDBlock int64
	// MigrationLock is run first in the migration transaction to keep two
	// processes from migrating at once ("" when the transaction suffices).
	MigrationLock string
}

// DB implements store.Store over a Driver.
type DB struct {
	ops
	drv     Driver
	dialect Dialect
	// head is the audit chain's head after this process's last append
	// in Go, a hint that saves reading it (nil: unknown).
	head atomic.Pointer[auditHead]
	// ids is the block of request IDs this process holds (RequestIDs).
	ids struct {
		sync.Mutex
		next, end int64
	}
}

// requestID returns a request ID of this process's block, fetching a new
// block through c when it is used up.
func (db *DB) requestID(ctx context.Context, c Conn) (int64, error) {
	db.ids.Lock()
	defer db.ids.Unlock()
	if db.ids.next == db.ids.end {
		var first int64
		if err := c.QueryRow(ctx, db.dialect.RequestIDs).Scan(&first); err != nil {
			return 0, err
		}
		db.ids.next, db.ids.end = first, first+db.dialect.RequestIDBlock
	}
	id := db.ids.next
	db.ids.next++
	return id, nil
}

var _ store.Store = (*DB)(nil)

// New returns the store for an opened driver. Call Migrate before use.
func New(drv Driver, d Dialect) *DB {
	db := &DB{drv: drv, dialect: d}
	db.ops = ops{db: db}
	return db
}

// Engine implements store.Store.
func (db *DB) Engine() string { return db.dialect.Name }

// Close implements store.Store.
func (db *DB) Close() error { return db.drv.Close() }

// InTx implements store.Store.
func (db *DB) InTx(ctx context.Context, fn func(store.Tx) error) error {
	return db.drv.Tx(ctx, func(c Conn) error {
		o := ops{db: db, tx: c, late: new([]store.AuditEntry)}
		if err := fn(o); err != nil {
			return err
		}
		return o.appendLate(ctx)
	})
}

// ops carries the store's methods; tx is nil outside a transaction.
type ops struct {
	db *DB
	tx Conn
	// late holds the audit entries to append at commit (InTx only).
	late *[]store.AuditEntry
}

// deferrer returns the transaction's Deferrer: nil outside a
// transaction, on an engine without one, or without Dialect.ExpectOne.
func (o ops) deferrer() Deferrer {
	if o.tx == nil || o.db.dialect.ExpectOne == "" {
		return nil
	}
	d, _ := o.tx.(Deferrer)
	return d
}

// later holds the write query back in the transaction's pipeline when
// it has one (see Deferrer), with fail to map its error, and reports
// whether it did; query must fail in the database on every failure.
func (o ops) later(query string, args []any, fail func(error) error) bool {
	d := o.deferrer()
	if d == nil {
		return false
	}
	d.Defer(query, args, fail)
	return true
}

// laterOne is later for a compare-and-set write dml that changes one
// row: held back, it is made to fail in the database when it changes none
// (Dialect.ExpectOne); current is a SELECT of the row's state.
func (o ops) laterOne(dml, current string, args []any, fail func(error) error) bool {
	d := o.deferrer()
	if d == nil {
		return false
	}
	d.Defer(fmt.Sprintf(o.db.dialect.ExpectOne, dml, current), args, fail)
	return true
}

func (o ops) r() Conn {
	if o.tx != nil {
		return o.tx
	}
	return o.db.drv.Read()
}

func (o ops) w() Conn {
	if o.tx != nil {
		return o.tx
	}
	return o.db.drv.Write()
}

// atomic runs fn in the caller's transaction, or in a new one.
func (o ops) atomic(ctx context.Context, fn func(ops) error) error {
	if o.tx != nil {
		return fn(o)
	}
	return o.db.drv.Tx(ctx, func(c Conn) error {
		o := ops{db: o.db, tx: c, late: new([]store.AuditEntry)}
		if err := fn(o); err != nil {
			return err
		}
		return o.appendLate(ctx)
	})
}

// fail wraps err as the failure of op on table; nil stays nil and an
// *OpError from a nested call passes through.
func (o ops) fail(op, table string, err error) error {
	if err == nil {
		return nil
	}
	var oe *store.OpError
	if errors.As(err, &oe) {
		return err
	}
	var ce *store.ConflictError
	if !errors.As(err, &ce) {
		err = o.db.drv.Classify(err)
	}
	return &store.OpError{Op: op, Table: table, Err: err}
}

// invalid is a refused argument.
func invalid(op, table, format string, args ...any) error {
	return &store.OpError{Op: op, Table: table,
		Err: fmt.Errorf("%w: "+format, append([]any{store.ErrInvalid}, args...)...)}
}

// probe is a query that returns a row when key is the one taken.
type probe struct {
	key   string
	query string
	args  []any
}

// conflict names the key of a unique violation when the engine did not.
func (o ops) conflict(ctx context.Context, err error, probes ...probe) error {
	var ce *store.ConflictError
	if !errors.As(o.db.drv.Classify(err), &ce) || ce.Key != "" || !o.db.dialect.ProbeConflicts {
		return err
	}
	for _, p := range probes {
		var one int
		if o.w().QueryRow(ctx, p.query, p.args...).Scan(&one) == nil {
			return &store.ConflictError{Key: p.key, Cause: err}
		}
	}
	return err
}

// ts is a time argument: NULL for the zero time, else UTC microseconds.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Truncate(time.Microsecond)
}

// norm is t as the store gives it back.
func norm(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// tm scans a time stored as microseconds (SQLite) or a timestamp
// (PostgreSQL); NULL is the zero time.
type tm struct{ t *time.Time }

func (d tm) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*d.t = time.Time{}
	case int64:
		*d.t = time.UnixMicro(x).UTC()
	case time.Time:
		*d.t = x.UTC()
	default:
		return fmt.Errorf("sqlcore: cannot scan %T as a time", v)
	}
	return nil
}

// id scans a nullable ID; NULL is 0.
type id struct{ v *int64 }

func (d id) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*d.v = 0
	case int64:
		*d.v = x
	case int32:
		*d.v = int64(x)
	default:
		return fmt.Errorf("sqlcore: cannot scan %T as an ID", v)
	}
	return nil
}

// nid is an ID argument, NULL for 0.
func nid(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// nb is a byte string argument, NULL when empty.
func nb(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// limit is a LIMIT argument; 0 or less means none.
func limit(n int) int64 {
	if n <= 0 {
		return math.MaxInt64
	}
	return int64(n)
}

// where builds a WHERE clause from fixed fragments with numbered
// placeholders; values travel only as arguments.
type where struct {
	conds []string
	args  []any
}

// add appends a condition whose only verb, %d, becomes the next
// placeholder number.
func (w *where) add(cond string, arg any) {
	w.args = append(w.args, arg)
	w.conds = append(w.conds, fmt.Sprintf(cond, len(w.args)))
}

// next reserves the next placeholder for arg and returns its text.
func (w *where) next(arg any) string {
	w.args = append(w.args, arg)
	return fmt.Sprintf("$%d", len(w.args))
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	s := " WHERE " + w.conds[0]
	for _, c := range w.conds[1:] {
		s += " AND " + c
	}
	return s
}
