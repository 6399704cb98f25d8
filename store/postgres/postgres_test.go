package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"rekey/internal/pgtest"
	"rekey/store"
	"rekey/store/postgres"
	"rekey/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func backend(t testing.TB) storetest.Backend {
	ms, err := postgres.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	return storetest.Backend{
		NewDSN: pgtest.DSN,
		Exec: func(t testing.TB, dsn, query string, args ...any) {
			t.Helper()
			conn := raw(t, dsn)
			defer conn.Close(context.Background())
			if _, err := conn.Exec(context.Background(), query, args...); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		},
		QueryInt: func(t testing.TB, dsn, query string, args ...any) int64 {
			t.Helper()
			conn := raw(t, dsn)
			defer conn.Close(context.Background())
			var n int64
			if err := conn.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return n
		},
		Migrations: len(ms),
		LockWaiters: `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`,
	}
}

func raw(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

func TestConformance(t *testing.T) { storetest.Run(t, backend(t)) }

// TestCrash kills a writing process and checks what survives.
func TestCrash(t *testing.T) { storetest.RunCrash(t, backend(t)) }

// TestCrashChild is the process TestCrash kills.
func TestCrashChild(t *testing.T) { storetest.CrashChild(t) }

func BenchmarkRenewal(b *testing.B) { storetest.Bench(b, backend(b)) }

// BenchmarkAudit compares single audit appends with AppendAudits.
func BenchmarkAudit(b *testing.B) { storetest.BenchAudit(b, backend(b)) }

func TestOpenErrorsHidePassword(t *testing.T) {
	for _, dsn := range []string{
		"postgres://rekey:s3cr3t@127.0.0.1:1/db?connect_timeout=1",
		"postgres://rekey:s3cr3t@127.0.0.1:1/db?pool_max_conns=many",
	} {
		s, err := store.Open(context.Background(), dsn)
		if err == nil {
			s.Close()
			t.Fatalf("Open(%q) succeeded", dsn)
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("error quotes the password: %v", err)
		}
	}
}

func TestEngine(t *testing.T) {
	s, err := store.Open(context.Background(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Engine() != "postgres" {
		t.Errorf("Engine() = %q", s.Engine())
	}
}

// TestRowsInline: a request of a few kilobytes is stored as it is, inline
// and uncompressed (migration 0004), where PostgreSQL's default would
// compress it on the way in and decompress it on every read.
func TestRowsInline(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	sub := &store.Subscriber{SubjectDER: []byte{0x30, 0}, SubjectJSON: []byte("{}"), CreatedAt: now}
	if err := s.CreateSubscriber(ctx, sub); err != nil {
		t.Fatal(err)
	}
	// 4 kB of one pattern, which pglz would compress.
	msg := []byte(strings.Repeat("kur request ", 350))
	if err := s.CreateRequest(ctx, &store.Request{SubscriberID: sub.ID,
		TransactionID: []byte{1}, Message: msg, State: store.StateReceived,
		ReceivedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	conn := raw(t, dsn)
	defer conn.Close(ctx)
	var compression *string
	if err := conn.QueryRow(ctx, `SELECT pg_column_compression(message) FROM requests`).
		Scan(&compression); err != nil {
		t.Fatal(err)
	}
	if compression != nil {
		t.Errorf("the request's message is stored compressed (%s)", *compression)
	}
}
