package main

import (
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"testing"

	"rekey/internal/pgtest"
)

// pgStarter lets the load generator use package pgtest, written for
// tests, to start a throwaway PostgreSQL 15: pgtest reports through a
// testing.TB, of which it calls only Helper, Fatalf and Skipf. The
// embedded interface is nil; a pgtest that called another method would
// need a method here too.
type pgStarter struct {
	testing.TB
	failure string
}

func (t *pgStarter) Helper() {}

// Fatalf records the failure and ends the goroutine, as testing does.
func (t *pgStarter) Fatalf(format string, args ...any) {
	t.failure = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// Skipf is pgtest's way of saying PostgreSQL is not installed.
func (t *pgStarter) Skipf(format string, args ...any) { t.Fatalf(format, args...) }

// startPostgres starts a PostgreSQL 15 on 127.0.0.1 (Debian's postgresql
// package, run as the postgres user when root; fsync off, so the figures
// are those of a database that does not wait for the disk) and returns
// the DSN of a new database in it, over TCP on 127.0.0.1 or, with socket,
// through the server's Unix socket. stopPostgres stops it.
func startPostgres(socket bool) (string, error) {
	t := &pgStarter{}
	var dsn string
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv := pgtest.Start(t)
		dsn = srv.NewDatabase(t)
		if socket {
			dsn = socketDSN(dsn, srv)
		}
	}()
	<-done
	if t.failure != "" {
		return "", errors.New("starting PostgreSQL: " + t.failure +
			"\nhint: install Debian's postgresql (15), or give --db postgres://USER@HOST/DB")
	}
	return dsn, nil
}

// stopPostgres stops the PostgreSQL that startPostgres started, if any.
func stopPostgres() { pgtest.Stop() }

// socketDSN is tcpDSN, a database of srv, reached through srv's Unix
// socket (pgtest puts it in the server's directory).
func socketDSN(tcpDSN string, srv *pgtest.Server) string {
	u, err := url.Parse(tcpDSN)
	if err != nil {
		return tcpDSN
	}
	q := url.Values{}
	q.Set("host", srv.Dir)
	q.Set("port", strconv.Itoa(srv.Port))
	q.Set("sslmode", "disable")
	return (&url.URL{Scheme: u.Scheme, User: u.User, Path: u.Path, RawQuery: q.Encode()}).String()
}
