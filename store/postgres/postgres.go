// Package postgres is the PostgreSQL engine of rekey/store, for several
// rekeyd replicas behind a load balancer, on a github.com/jackc/pgx/v5
// pool. Importing it registers the engine for DSNs "postgres://…" and
// "postgresql://…" (pgx's connection string, pool_max_conns and the other
// pgxpool options included).
//
// Transactions run at READ COMMITTED. What must be single across replicas
// is enforced by unique constraints (serials, keys, one certificate per
// request), compare-and-set updates (request states, transaction
// versions) and a row lock on the audit chain's head. A transaction that
// PostgreSQL aborts for a deadlock or a serialisation failure is run again
// from the start, up to five times. Migrations run under an advisory lock,
// so replicas starting together migrate once.
//
// A transaction is pipelined: BEGIN travels with its first statement, and
// the writes whose only result is an error (see "Pipelining" in package
// store) wait for the next statement or the COMMIT and go in the same
// round trip. A compare-and-set write held back so is wrapped to fail in
// the server when it changes no row (rekey_expect_one, migration 0003),
// since nothing could stop a COMMIT sent after it otherwise. A renewal
// takes about half the round trips it took with one statement a trip.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"rekey/store"
	"rekey/store/internal/sqlcore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the numbered migrations of the PostgreSQL schema.
func Migrations() ([]sqlcore.Migration, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	return sqlcore.LoadMigrations(sub)
}

func init() { store.Register("postgres", Open) }

// Open connects to the PostgreSQL database named by dsn and migrates it.
func Open(ctx context.Context, dsn string) (store.Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the DSN with its password: leave it out.
		return nil, errors.New("store: malformed postgres DSN")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connecting to postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connecting to postgres: %w", err)
	}
	db := sqlcore.New(&driver{pool: pool}, sqlcore.Dialect{
		Name:                    "postgres",
		ForUpdate:               " FOR UPDATE",
		AppendAudit:             appendAudit,
		AppendAudits:            appendAudits,
		RecordCertificate:       recordCertificate,
		RecordCertificateOrFail: recordCertificateOrFail,
		ExpectOne:               expectOne,
		CountRateAtMost:         countRateAtMost,
		RequestIDs:              "SELECT nextval(pg_get_serial_sequence('requests', 'id'))",
		RequestIDBlock:          requestIDBlock,
		KeyUncertified:          keyUncertified,
		MigrationLock:           "SELECT pg_advisory_xact_lock(491327808889)", // "rekey" in ASCII
	})
	ms, err := Migrations()
	if err == nil {
		_, err = db.Migrate(ctx, ms)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// appendAudit appends an audit record in one round trip: the UPDATE locks
// the head row until commit (so appends from every replica queue there),
// and SHA-256 over the same encoding as store.AuditRecord.ComputeHash
// chains the record to the previous hash, which the head row keeps.
const appendAudit = `WITH h AS (
	UPDATE audit_head SET seq = seq + 1, prev_hash = hash,
		hash = sha256($1::bytea || int8send(seq + 1) || int8send($2::bigint) ||
			int4send(length(hash)) || hash || $3::bytea)
	WHERE id = 1
	RETURNING seq, prev_hash, hash)
INSERT INTO audit_log (seq, at, actor, action, object, details, prev_hash, hash)
SELECT seq, $4::timestamptz, $5::text, $6::text, $7::text, $8::bytea, prev_hash, hash FROM h
RETURNING seq, prev_hash, hash`

// appendAudits appends audit records in one round trip. h locks the
// chain's head until commit, so that appends from every replica queue
// there; at READ COMMITTED a locking read that waited gets the head as the
// transaction before it left it. c chains the records from that head with
// SHA-256 over the encoding of store.AuditRecord.ComputeHash, one
// recursion step a record, and the statement moves the head to the last
// and inserts them all.
const appendAudits = `WITH RECURSIVE
h AS (SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE),
e AS (SELECT * FROM unnest($2::bigint[], $3::bytea[], $4::timestamptz[], $5::text[],
	$6::text[], $7::text[], $8::bytea[]) WITH ORDINALITY
	AS e (micros, tail, at, actor, action, object, details, i)),
c AS (
	SELECT e.i, h.seq + 1 AS seq, h.hash AS prev_hash,
		sha256($1::bytea || int8send(h.seq + 1) || int8send(e.micros) ||
			int4send(length(h.hash)) || h.hash || e.tail) AS hash
	FROM h, e WHERE e.i = 1
	UNION ALL
	SELECT e.i, c.seq + 1, c.hash,
		sha256($1::bytea || int8send(c.seq + 1) || int8send(e.micros) ||
			int4send(length(c.hash)) || c.hash || e.tail)
	FROM c JOIN e ON e.i = c.i + 1),
head AS (UPDATE audit_head SET seq = c.seq, prev_hash = c.prev_hash, hash = c.hash
	FROM c WHERE audit_head.id = 1 AND c.i = cardinality($2::bigint[]))
INSERT INTO audit_log (seq, at, actor, action, object, details, prev_hash, hash)
SELECT c.seq, e.at, e.actor, e.action, e.object, e.details, c.prev_hash, c.hash
FROM c JOIN e USING (i)
RETURNING seq, prev_hash, hash`

// recordCertificate records a certificate that answers a request in one
// round trip: r moves the request under the serial reserved for it by the
// issuer, and the certificate is inserted only when r did. A unique key
// taken fails the whole statement, so nothing moves.
const recordCertificate = `WITH r AS (
	UPDATE requests SET state = $1, updated_at = $2
	WHERE id = $3 AND state = $4 AND EXISTS (SELECT 1 FROM serials
		WHERE serial = $5 AND issuer = $6 AND request_id = $3)
	RETURNING id)
INSERT INTO certificates (serial, issuer, subscriber_id, request_id, der, spki_sha256,
	not_before, not_after, key_expires, issued_at, status)
SELECT $5, $6, $7, r.id, $8, $9, $10, $11, $12, $2, $13 FROM r`

// recordCertificateOrFail is recordCertificate failing, by
// rekey_expect_one, when it records nothing; the request's state tells
// why, read as expectOne reads it.
var recordCertificateOrFail = `WITH r AS (
	UPDATE requests SET state = $1, updated_at = $2
	WHERE id = $3 AND state = $4 AND EXISTS (SELECT 1 FROM serials
		WHERE serial = $5 AND issuer = $6 AND request_id = $3)
	RETURNING id),
i AS (INSERT INTO certificates (serial, issuer, subscriber_id, request_id, der, spki_sha256,
	not_before, not_after, key_expires, issued_at, status)
	SELECT $5, $6, $7, r.id, $8, $9, $10, $11, $12, $2, $13 FROM r
	RETURNING 1),
` + expectTail("i", "SELECT state FROM requests WHERE id = $3")

// expectOne wraps a compare-and-set write so that it fails when it
// changed no row (sqlcore.Dialect.ExpectOne). The row's state is read
// only then, and with a lock: at READ COMMITTED a write that waited for
// another transaction's change re-checks the row's newest version, but a
// plain subquery of the same statement reads the snapshot taken before
// the wait, which would report the state the other transaction changed
// (a lost race taken for another failure); a locking read returns the
// newest committed version. (The CASE leaves the subquery, an initplan,
// unevaluated when the write succeeded.)
var expectOne = `WITH w AS (%s
	RETURNING 1),
` + expectTail("w", "%s")

// expectTail ends a statement whose CTE rows returns a row for each row
// its write changed: it fails by rekey_expect_one unless there is one,
// with the state that current (a SELECT) reads, as expectOne says.
func expectTail(rows, current string) string {
	return `n AS (SELECT count(*) AS n FROM ` + rows + `)
SELECT rekey_expect_one(n, CASE WHEN n = 1 THEN NULL ELSE (` + current + ` FOR SHARE) END) FROM n`
}

// requestIDBlock is how many request IDs a process takes at once; the
// sequence advances by as many (migration 0006).
const requestIDBlock = 64

// countRateAtMost makes the count fail, by rekey_expect_at_most
// (migration 0005), past the limit $4 (sqlcore.Dialect.CountRateAtMost).
const countRateAtMost = `WITH c AS (%s)
SELECT rekey_expect_at_most(count, $4) FROM c`

// keyUncertified fails, by rekey_expect_none (migration 0005), when a
// certificate of the key exists.
const keyUncertified = `SELECT rekey_expect_none(count(*)) FROM certificates
	WHERE spki_sha256 = $1`

// constraintKeys maps the schema's constraint names to the store's keys.
var constraintKeys = map[string]string{
	"subscribers_subject_key":  store.KeySubscriberSubject,
	"serials_pkey":             store.KeySerial,
	"serials_request_key":      store.KeySerialRequest,
	"certificates_pkey":        store.KeyCertificateSerial,
	"certificates_spki_key":    store.KeyCertificateSPKI,
	"certificates_request_key": store.KeyCertificateRequest,
	"requests_transaction_key": store.KeyRequestTransaction,
	"transactions_pkey":        store.KeyTransaction,
	"nonces_pkey":              store.KeyNonce,
	"claims_pkey":              store.KeyClaim,
}

// SQLSTATE codes the driver acts on.
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	// Raised by rekey_expect_one (migration 0003).
	codeExpectMissing = "RKN01"
	codeExpectChanged = "RKS01"
	// Raised by rekey_expect_at_most and rekey_expect_none (0005).
	codeRateExceeded = "RKR01"
	codeKeyCertified = "RKU01"
)

const maxAttempts = 5

type driver struct{ pool *pgxpool.Pool }

func (d *driver) Read() sqlcore.Conn { return conn{d.pool} }

// ReadBatch implements sqlcore.BatchReader.
func (d *driver) ReadBatch(ctx context.Context, qs []sqlcore.Query) error {
	var b pgx.Batch
	for _, q := range qs {
		b.Queue(q.SQL, q.Args...).QueryRow(func(r pgx.Row) error { return q.Scan(r) })
	}
	return d.pool.SendBatch(ctx, &b).Close()
}
func (d *driver) Write() sqlcore.Conn { return conn{d.pool} }

func (d *driver) Tx(ctx context.Context, fn func(sqlcore.Conn) error) error {
	for attempt := 1; ; attempt++ {
		err := d.tx(ctx, fn)
		var pe *pgconn.PgError
		if attempt < maxAttempts && errors.As(err, &pe) &&
			(pe.Code == codeSerializationFailure || pe.Code == codeDeadlockDetected) {
			continue
		}
		return err
	}
}

// tx runs fn once in a transaction (see pipeTx) and commits when fn
// returns nil. A write held back that failed is the error, whatever fn
// made of it.
func (d *driver) tx(ctx context.Context, fn func(sqlcore.Conn) error) error {
	t := &pipeTx{pool: d.pool}
	defer t.end(ctx)
	err := fn(t)
	if t.err != nil {
		return t.err
	}
	if err != nil {
		return err
	}
	return t.commit(ctx)
}

// pipeTx is a transaction that reaches the server in as few round trips
// as it can. BEGIN goes with its first statement; the writes held back
// (sqlcore.Deferrer) go with the next statement, or with the COMMIT; each
// round trip is one pgx batch, whose statements the server runs in order
// and stops at the first error. A transaction that sends nothing never
// reaches the server.
type pipeTx struct {
	pool  *pgxpool.Pool
	conn  *pgxpool.Conn // acquired by the first round trip
	begun bool          // BEGIN has been sent
	held  []heldWrite
	br    pgx.BatchResults // the last batch, until its statement's result is read
	// err is the failure of a write held back: the transaction is over,
	// and every later call returns it.
	err error
}

// heldWrite is a write held back until the next round trip.
type heldWrite struct {
	query string
	args  []any
	fail  func(error) error
}

var _ sqlcore.Deferrer = (*pipeTx)(nil)

// Defer implements sqlcore.Deferrer.
func (t *pipeTx) Defer(query string, args []any, fail func(error) error) {
	t.held = append(t.held, heldWrite{query, args, fail})
}

// direct reports whether a statement can go on its own, without a batch:
// the transaction has begun and nothing is held back. (A statement
// without arguments then goes by the simple protocol, which a migration
// of several statements needs.)
func (t *pipeTx) direct() bool { return t.begun && len(t.held) == 0 && t.br == nil }

// send sends BEGIN if not yet sent, the writes held back and then query,
// in one batch, and reads the results before query's: t.br is left at
// query's result.
func (t *pipeTx) send(ctx context.Context, query string, args []any) error {
	if t.err != nil {
		return t.err
	}
	if err := t.settle(); err != nil {
		return err
	}
	if t.conn == nil {
		c, err := t.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		t.conn = c
	}
	var b pgx.Batch
	begin := !t.begun
	if begin {
		b.Queue("BEGIN")
		t.begun = true
	}
	held := t.held
	t.held = nil
	for _, w := range held {
		b.Queue(w.query, w.args...)
	}
	b.Queue(query, args...)
	br := t.conn.SendBatch(ctx, &b)
	if begin {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return err
		}
	}
	for _, w := range held {
		if _, err := br.Exec(); err != nil {
			br.Close()
			t.err = w.fail(err)
			return t.err
		}
	}
	t.br = br
	return nil
}

// settle reads what is left of the last batch, so the connection is free
// for the next statement.
func (t *pipeTx) settle() error { return t.settleWith(nil) }

// settleWith is settle reporting err, when set, before the batch's own.
func (t *pipeTx) settleWith(err error) error {
	if t.br == nil {
		return err
	}
	cerr := t.br.Close()
	t.br = nil
	if err != nil {
		return err
	}
	return cerr
}

// commit sends the writes held back with COMMIT.
func (t *pipeTx) commit(ctx context.Context) error {
	if !t.begun && len(t.held) == 0 {
		return nil // no statement, nothing to commit
	}
	if !t.begun {
		return t.commitHeld(ctx)
	}
	if err := t.send(ctx, "COMMIT", nil); err != nil {
		return err
	}
	tag, err := t.br.Exec()
	if err == nil && tag.String() == "ROLLBACK" {
		// The server answers COMMIT so in a transaction a statement of
		// which failed (and whose error fn did not return).
		err = errors.New("store: the transaction was rolled back: one of its statements failed")
	}
	return t.settleWith(err)
}

// commitHeld commits a transaction all of whose statements were held
// back: they go as one batch without BEGIN and COMMIT, which the server
// runs as one implicit transaction (the batch ends in a single Sync),
// committed after the last statement or rolled back at the first error.
// Two statements fewer for the server to run.
func (t *pipeTx) commitHeld(ctx context.Context) error {
	c, err := t.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	t.conn = c
	var b pgx.Batch
	for _, w := range t.held {
		b.Queue(w.query, w.args...)
	}
	held := t.held
	t.held = nil
	br := t.conn.SendBatch(ctx, &b)
	for _, w := range held {
		if _, err := br.Exec(); err != nil {
			br.Close()
			t.err = w.fail(err)
			return t.err
		}
	}
	return br.Close()
}

// end rolls back what commit did not end (also when fn panicked) and
// returns the connection.
func (t *pipeTx) end(ctx context.Context) {
	if t.conn == nil {
		return
	}
	t.settle()
	if t.conn.Conn().PgConn().TxStatus() != 'I' {
		t.conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
	}
	t.conn.Release()
}

func (t *pipeTx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	if t.err == nil && t.direct() {
		tag, err := t.conn.Exec(ctx, query, args...)
		return tag.RowsAffected(), err
	}
	if err := t.send(ctx, query, args); err != nil {
		return 0, err
	}
	tag, err := t.br.Exec()
	return tag.RowsAffected(), t.settleWith(err)
}

func (t *pipeTx) Query(ctx context.Context, query string, args ...any) (sqlcore.Rows, error) {
	if t.err == nil && t.direct() {
		return t.conn.Query(ctx, query, args...)
	}
	if err := t.send(ctx, query, args); err != nil {
		return nil, err
	}
	rows, err := t.br.Query()
	if err != nil {
		return nil, t.settleWith(err)
	}
	return batchRows{rows, t}, nil
}

func (t *pipeTx) QueryRow(ctx context.Context, query string, args ...any) sqlcore.Row {
	if t.err == nil && t.direct() {
		return t.conn.QueryRow(ctx, query, args...)
	}
	if err := t.send(ctx, query, args); err != nil {
		return errRow{err}
	}
	return batchRow{t}
}

// batchRows are the rows of a statement sent in a batch; closing them
// reads the rest of the batch.
type batchRows struct {
	pgx.Rows
	t *pipeTx
}

func (r batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	r.Rows.Close()
	return r.t.settle()
}

func (r batchRows) Close() {
	r.Rows.Close()
	r.t.settle()
}

// batchRow is the row of a statement sent in a batch.
type batchRow struct{ t *pipeTx }

func (r batchRow) Scan(dest ...any) error {
	if r.t.br == nil {
		return errors.New("store: internal error: a row scanned twice")
	}
	return r.t.settleWith(r.t.br.QueryRow().Scan(dest...))
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (d *driver) Classify(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case codeUniqueViolation:
			return &store.ConflictError{Key: constraintKeys[pe.ConstraintName], Cause: err}
		case codeForeignKeyViolation:
			return fmt.Errorf("%w (a referenced row is missing): %w", store.ErrNotFound, err)
		case codeExpectMissing:
			return fmt.Errorf("%w: %w", store.ErrNotFound, err)
		case codeExpectChanged:
			return &sqlcore.RowChanged{Current: pe.Detail}
		case codeRateExceeded:
			return fmt.Errorf("%w: %s", store.ErrRateExceeded, pe.Message)
		case codeKeyCertified:
			return &store.ConflictError{Key: store.KeyCertificateSPKI, Cause: err}
		}
	}
	return err
}

func (d *driver) Close() error {
	d.pool.Close()
	return nil
}

// querier is what *pgxpool.Pool and pgx.Tx share.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

type conn struct{ q querier }

func (c conn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := c.q.Exec(ctx, query, args...)
	return tag.RowsAffected(), err
}

func (c conn) Query(ctx context.Context, query string, args ...any) (sqlcore.Rows, error) {
	return c.q.Query(ctx, query, args...)
}

func (c conn) QueryRow(ctx context.Context, query string, args ...any) sqlcore.Row {
	return c.q.QueryRow(ctx, query, args...)
}
