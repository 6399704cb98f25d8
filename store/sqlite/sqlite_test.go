package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rekey/store"
	"rekey/store/sqlite"
	"rekey/store/storetest"
)

func backend(t testing.TB) storetest.Backend {
	ms, err := sqlite.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	return storetest.Backend{
		NewDSN: func(t testing.TB) string {
			return "sqlite:" + filepath.Join(t.TempDir(), "rekey.db")
		},
		Exec: func(t testing.TB, dsn, query string, args ...any) {
			t.Helper()
			db := raw(t, dsn)
			defer db.Close()
			if _, err := db.Exec(query, args...); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		},
		QueryInt: func(t testing.TB, dsn, query string, args ...any) int64 {
			t.Helper()
			db := raw(t, dsn)
			defer db.Close()
			var n int64
			if err := db.QueryRow(query, args...).Scan(&n); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return n
		},
		Migrations: len(ms),
	}
}

func raw(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", strings.TrimPrefix(dsn, "sqlite:")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestConformance(t *testing.T) { storetest.Run(t, backend(t)) }

// TestCrash kills a writing process and checks what survives.
func TestCrash(t *testing.T) { storetest.RunCrash(t, backend(t)) }

// TestCrashChild is the process TestCrash kills.
func TestCrashChild(t *testing.T) { storetest.CrashChild(t) }

func BenchmarkRenewal(b *testing.B) { storetest.Bench(b, backend(b)) }

// BenchmarkAudit compares single audit appends with AppendAudits.
func BenchmarkAudit(b *testing.B) { storetest.BenchAudit(b, backend(b)) }

// BenchmarkAuditNormalSync is BenchmarkAudit without an fsync a commit,
// so that the statements' own cost shows.
func BenchmarkAuditNormalSync(b *testing.B) {
	be := backend(b)
	newDSN := be.NewDSN
	be.NewDSN = func(t testing.TB) string { return newDSN(t) + "?synchronous=normal" }
	storetest.BenchAudit(b, be)
}

// BenchmarkRenewalNormalSync is BenchmarkRenewal with synchronous=normal:
// durable through a process crash, not through a power loss.
func BenchmarkRenewalNormalSync(b *testing.B) {
	be := backend(b)
	newDSN := be.NewDSN
	be.NewDSN = func(t testing.TB) string { return newDSN(t) + "?synchronous=normal" }
	storetest.Bench(b, be)
}

func TestFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rekey.db")
	s, err := store.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("database file mode %v, want 0600", m)
	}
	if s.Engine() != "sqlite" {
		t.Errorf("Engine() = %q", s.Engine())
	}
}

func TestDSN(t *testing.T) {
	dir := t.TempDir()
	for _, dsn := range []string{
		"sqlite:" + filepath.Join(dir, "a.db"),
		filepath.Join(dir, "b.db"),
		"sqlite:" + filepath.Join(dir, "c.db") + "?synchronous=normal",
	} {
		s, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Errorf("Open(%q): %v", dsn, err)
			continue
		}
		s.Close()
	}
	for _, dsn := range []string{
		"sqlite:",
		"sqlite::memory:",
		"sqlite:" + filepath.Join(dir, "d.db") + "?synchronous=off",
		"sqlite:" + filepath.Join(dir, "e.db") + "?cache=shared",
	} {
		if s, err := store.Open(context.Background(), dsn); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
}
