package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"rekey/store"
	"rekey/store/internal/sqlcore"
)

// maxGroup bounds how many transactions share one commit.
const maxGroup = 32

// driver is the sqlcore.Driver of SQLite: a reader pool, and a writer
// that commits in groups.
//
// Writes run one at a time under mu. A write transaction that finds
// others waiting for mu does not commit: it leaves the SQLite transaction
// open for them and waits until the last of the group commits, so that
// one commit (one fsync) serves up to maxGroup callers; each caller still
// returns only after its writes are durable. A member that fails is rolled
// back to its savepoint and does not disturb the others. Alone, a
// transaction commits at once. Single statements outside transactions
// are transactions of one statement.
type driver struct {
	w, r *stmts

	mu      sync.Mutex   // held while a write runs
	waiting atomic.Int32 // goroutines waiting for mu
	group   *group       // the open transaction, under mu
}

// group is a SQLite transaction shared by several callers.
type group struct {
	tx      *sql.Tx
	members int   // callers whose writes it holds
	broken  error // set when a member could not be undone
	done    chan struct{}
	err     error // of the commit, once done is closed
}

func (d *driver) Read() sqlcore.Conn  { return conn{s: d.r} }
func (d *driver) Write() sqlcore.Conn { return writer{d} }

func (d *driver) Tx(ctx context.Context, fn func(sqlcore.Conn) error) error {
	// Waiting for mu is not cancellable: whoever holds it counts on the
	// waiters to commit the group.
	d.waiting.Add(1)
	d.mu.Lock()
	d.waiting.Add(-1)

	g, first := d.group, d.group == nil
	if first {
		// The group outlives the caller's context: other callers' work
		// joins it.
		tx, err := d.w.db.BeginTx(context.Background(), nil)
		if err != nil {
			d.mu.Unlock()
			return err
		}
		g = &group{tx: tx, done: make(chan struct{})}
		d.group = g
	}
	err := d.run(ctx, g, first, fn)
	if err == nil {
		g.members++
	}
	if first && err != nil {
		g.tx.Rollback() // no one else's work is in it
		d.group = nil
		close(g.done)
		d.mu.Unlock()
		return err
	}
	if d.waiting.Load() == 0 || g.members >= maxGroup {
		d.commit(g)
	}
	d.mu.Unlock()
	if err != nil {
		return err
	}
	<-g.done
	return g.err
}

// run runs fn in the group: directly for its first member, else inside a
// savepoint so that its failure undoes its writes only.
func (d *driver) run(ctx context.Context, g *group, first bool, fn func(sqlcore.Conn) error) error {
	c := conn{s: d.w, tx: g.tx}
	if first {
		return fn(c)
	}
	bg := context.Background()
	if _, err := g.tx.ExecContext(bg, "SAVEPOINT member"); err != nil {
		g.broken = err
		return err
	}
	if err := fn(c); err != nil {
		_, rerr := g.tx.ExecContext(bg, "ROLLBACK TO member")
		if rerr == nil {
			_, rerr = g.tx.ExecContext(bg, "RELEASE member")
		}
		if rerr != nil {
			g.broken = rerr
		}
		return err
	}
	if _, err := g.tx.ExecContext(bg, "RELEASE member"); err != nil {
		g.broken = err
		return err
	}
	return nil
}

// commit ends the group; mu is held.
func (d *driver) commit(g *group) {
	d.group = nil
	switch {
	case g.broken != nil:
		g.tx.Rollback()
		g.err = fmt.Errorf("transaction group rolled back: %w", g.broken)
	case g.members == 0:
		g.tx.Rollback()
	default:
		g.err = g.tx.Commit()
	}
	close(g.done)
}

func (d *driver) Classify(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &store.ConflictError{Cause: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w (a referenced row is missing): %w", store.ErrNotFound, err)
		}
	}
	return err
}

func (d *driver) Close() error {
	return errors.Join(d.r.db.Close(), d.w.db.Close())
}

// writer runs each statement as a transaction of its own.
type writer struct{ d *driver }

func (w writer) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := w.d.Tx(ctx, func(c sqlcore.Conn) error {
		var err error
		n, err = c.Exec(ctx, query, args...)
		return err
	})
	return n, err
}

func (w writer) Query(context.Context, string, ...any) (sqlcore.Rows, error) {
	return nil, errors.New("store: internal error: a multi-row write outside a transaction")
}

// QueryRow runs when the row is scanned: an INSERT … RETURNING commits
// after its row has been read.
func (w writer) QueryRow(ctx context.Context, query string, args ...any) sqlcore.Row {
	return writeRow{w.d, ctx, query, args}
}

type writeRow struct {
	d     *driver
	ctx   context.Context
	query string
	args  []any
}

func (r writeRow) Scan(dest ...any) error {
	return r.d.Tx(r.ctx, func(c sqlcore.Conn) error {
		return c.QueryRow(r.ctx, r.query, r.args...).Scan(dest...)
	})
}

// stmts keeps the prepared statements of a pool: the store's queries are
// a fixed set, and preparing is a quarter of the cost of a statement.
type stmts struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func newStmts(db *sql.DB) *stmts { return &stmts{db: db, m: map[string]*sql.Stmt{}} }

func (s *stmts) get(ctx context.Context, query string) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.m[query]; ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.m[query] = st
	return st, nil
}

// conn runs statements on the reader pool, or in tx when it is set.
// Statements without arguments (migrations, several statements in one
// string) are not prepared.
type conn struct {
	s  *stmts
	tx *sql.Tx
}

// stmt returns the prepared statement for query, for c.tx when set. In a
// transaction that has just created a table, the statement cannot be
// prepared outside it yet: then stmt returns nil and the caller runs the
// query unprepared.
func (c conn) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	st, err := c.s.get(ctx, query)
	if c.tx == nil {
		return st, err
	}
	if err != nil {
		return nil, nil
	}
	return c.tx.StmtContext(ctx, st), nil
}

// uncancellable returns ctx without its cancellation, or its error when it
// has ended. A statement of the store is short, and a cancellable context
// costs every statement a goroutine of database/sql and one of the
// SQLite driver watching it, and a progress callback inside SQLite: a
// third of the cost of a point query. A request whose client has gone
// starts no new statement; the statement under way finishes, which in a
// group commit is also what the other members need.
func uncancellable(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

func (c conn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	ctx, err := uncancellable(ctx)
	if err != nil {
		return 0, err
	}
	var res sql.Result
	var st *sql.Stmt
	switch {
	case len(args) == 0 && c.tx != nil:
		res, err = c.tx.ExecContext(ctx, query)
	case len(args) == 0:
		res, err = c.s.db.ExecContext(ctx, query)
	default:
		st, err = c.stmt(ctx, query)
		switch {
		case err != nil:
		case st == nil:
			res, err = c.tx.ExecContext(ctx, query, args...)
		default:
			res, err = st.ExecContext(ctx, args...)
		}
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (c conn) Query(ctx context.Context, query string, args ...any) (sqlcore.Rows, error) {
	ctx, err := uncancellable(ctx)
	if err != nil {
		return nil, err
	}
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	var rows *sql.Rows
	if st == nil {
		rows, err = c.tx.QueryContext(ctx, query, args...)
	} else {
		rows, err = st.QueryContext(ctx, args...)
	}
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (c conn) QueryRow(ctx context.Context, query string, args ...any) sqlcore.Row {
	ctx, err := uncancellable(ctx)
	if err != nil {
		return errRow{err}
	}
	st, err := c.stmt(ctx, query)
	switch {
	case err != nil:
		return errRow{err}
	case st == nil:
		return c.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }
