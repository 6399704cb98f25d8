// Package sqlite is the SQLite engine of rekey/store, the embedded default,
// on modernc.org/sqlite (pure Go, no cgo). Importing it registers the
// engine for DSNs "sqlite:PATH" and bare paths.
//
// The database is one file in WAL mode with synchronous=FULL and foreign
// keys on: a write whose method returned survives a crash of the process
// and of the machine. Reads use a pool of read-only connections and see
// every committed write.
//
// Writes run one at a time in the process, in BEGIN IMMEDIATE
// transactions. Transactions that arrive while one runs join it and share
// its commit (group commit): each caller's work is still all-or-nothing
// (a failing one is rolled back to its savepoint) and each caller returns
// only once the commit is durable, but one fsync serves many callers.
// A second process on the same file is correct (busy_timeout) but waits
// for the first; several replicas need PostgreSQL.
//
// DSN options after a question mark: synchronous=normal trades the last
// transactions before a power loss (never a process crash) for speed.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"rekey/store"
	"rekey/store/internal/sqlcore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the numbered migrations of the SQLite schema.
func Migrations() ([]sqlcore.Migration, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	return sqlcore.LoadMigrations(sub)
}

func init() { store.Register("sqlite", Open) }

// busyTimeoutMS is how long a connection waits for another process's lock.
const busyTimeoutMS = 10000

// Open opens (creating when missing) the SQLite database named by dsn,
// "sqlite:PATH[?synchronous=normal]" or a bare path, and migrates it.
func Open(ctx context.Context, dsn string) (store.Store, error) {
	path, sync, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	// The file holds subscribers' data: readable by the operator only.
	// SQLite gives its -wal and -shm files the same permissions.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	f.Close()
	common := url.Values{}
	common.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	common.Add("_pragma", "foreign_keys(1)")
	common.Add("_time_integer_format", "unix_micro")

	wq := cloneValues(common)
	wq.Add("_pragma", "journal_mode(WAL)")
	wq.Add("_pragma", "synchronous("+sync+")")
	// The savepoints of a group commit keep statement journals; in
	// memory they cost no file writes. Durability is the WAL's alone.
	wq.Add("_pragma", "temp_store(2)")
	// A checkpoint copies every page the WAL holds into the database
	// file; the pages a renewal touches most (the audit head, the last
	// leaves of the append-only tables and their indexes) are the same
	// from one commit to the next, so checkpointing every 8000 pages
	// (a WAL of up to ~32 MB) instead of SQLite's 1000 copies each of them
	// an eighth as often: 4–13 % more renewals/s in cmd/rekeyload.
	wq.Add("_pragma", "wal_autocheckpoint(8000)")
	wq.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite", path+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	// Two connections: one holds the group transaction, the other
	// prepares statements meanwhile.
	w.SetMaxOpenConns(2)
	w.SetMaxIdleConns(2)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := retryBusy(ctx, func() error { return w.PingContext(ctx) }); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}

	rq := cloneValues(common)
	rq.Add("_pragma", "query_only(1)")
	r, err := sql.Open("sqlite", path+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)

	drv := &driver{w: newStmts(w), r: newStmts(r)}
	db := sqlcore.New(drv, sqlcore.Dialect{Name: "sqlite", ProbeConflicts: true})
	ms, err := Migrations()
	if err == nil {
		err = retryBusy(ctx, func() error { _, err := db.Migrate(ctx, ms); return err })
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// retryBusy runs fn again while it fails with SQLITE_BUSY, for up to the
// busy timeout. Two processes opening a new file at once can get it
// without the busy handler being called: switching the file to WAL and a
// migration's first write each upgrade a read lock, and SQLite answers a
// possible deadlock at once instead of waiting.
func retryBusy(ctx context.Context, fn func() error) error {
	deadline := time.Now().Add(busyTimeoutMS * time.Millisecond)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := fn()
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY ||
			time.Now().Add(wait).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
	}
}

func parseDSN(dsn string) (path, sync string, err error) {
	path = strings.TrimPrefix(dsn, "sqlite:")
	sync = "FULL"
	if i := strings.IndexByte(path, '?'); i >= 0 {
		q, err := url.ParseQuery(path[i+1:])
		if err != nil {
			return "", "", fmt.Errorf("store: sqlite DSN %q: %w", dsn, err)
		}
		path = path[:i]
		for k, v := range q {
			switch {
			case k == "synchronous" && len(v) == 1 &&
				(strings.EqualFold(v[0], "full") || strings.EqualFold(v[0], "normal")):
				sync = strings.ToUpper(v[0])
			default:
				return "", "", fmt.Errorf("store: sqlite DSN %q: unknown option %q", dsn, k)
			}
		}
	}
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return "", "", fmt.Errorf("store: sqlite DSN %q: want sqlite:PATH of a file", dsn)
	}
	return path, sync, nil
}

func cloneValues(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}
