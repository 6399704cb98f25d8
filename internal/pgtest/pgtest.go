// Package pgtest runs a real PostgreSQL 15 for tests: one server per test
// binary, in a temporary directory, listening on 127.0.0.1 on a free port,
// and a fresh database per test.
//
// The server comes from Debian's postgresql package (binaries in
// /usr/lib/postgresql/15/bin), which the README's test command installs.
// When it is absent the tests skip, unless the environment variable
// REKEY_REQUIRE_POSTGRES is set (the test command sets it): then they fail.
// PostgreSQL refuses to run as root, so as root the binaries run as the
// postgres user (runuser) in a directory that user owns.
//
// A package whose tests use pgtest stops the server through [Main]:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// The server runs with fsync off: it is for tests, not for data.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// BinDir is where Debian installs the PostgreSQL 15 server binaries.
const BinDir = "/usr/lib/postgresql/15/bin"

// Superuser is the role initdb creates; it authenticates by trust on
// 127.0.0.1 only.
const Superuser = "rekey"

// Server is a running PostgreSQL.
type Server struct {
	Dir  string // the temporary directory: data, socket, log
	Port int

	runAs string // the user the binaries run as; "" for the current one
}

var (
	mu      sync.Mutex
	started *Server
	failed  error
	dbSeq   atomic.Int64
)

// Start returns the test binary's server, starting it on first use. It
// skips t when PostgreSQL is not installed, unless REKEY_REQUIRE_POSTGRES
// is set, and fails t when the server does not start.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := os.Stat(filepath.Join(BinDir, "pg_ctl")); err != nil {
		if os.Getenv("REKEY_REQUIRE_POSTGRES") != "" {
			t.Fatalf("PostgreSQL 15 is required: %v", err)
		}
		t.Skipf("PostgreSQL 15 is not installed (%v); "+
			"run the README's test command to install it", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if started == nil && failed == nil {
		started, failed = start()
	}
	if failed != nil {
		t.Fatalf("pgtest: %v", failed)
	}
	return started
}

// DSN starts the server when needed, creates a new empty database and
// returns its connection string.
func DSN(t testing.TB) string {
	t.Helper()
	return Start(t).NewDatabase(t)
}

// NewDatabase creates an empty database and returns its connection string.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), dbSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		t.Fatalf("pgtest: connecting: %v", err)
	}
	defer conn.Close(ctx)
	// An identifier cannot be a placeholder; name is ours, not input.
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("pgtest: creating database: %v", err)
	}
	return s.URL(name)
}

// URL is the connection string of database name.
func (s *Server) URL(name string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", Superuser, s.Port, name)
}

// Main runs the tests and then stops the server if one was started.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop stops the server immediately and removes its directory.
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	if started == nil {
		return
	}
	s := started
	started = nil
	s.pgctl("-m", "immediate", "stop")
	os.RemoveAll(s.Dir)
}

func start() (*Server, error) {
	s := &Server{}
	if os.Geteuid() == 0 {
		s.runAs = "postgres"
	}
	s.reapOrphans()
	dir, err := s.makeDir()
	if err != nil {
		return nil, err
	}
	s.Dir = dir
	data := filepath.Join(dir, "data")
	if out, err := s.run("initdb", "-D", data, "-A", "trust", "-U", Superuser,
		"-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.Port = port
	// synchronous_commit stays on, as in production: with fsync off a
	// commit writes its WAL without waiting for the disk, and costs less
	// CPU than off, where every commit signals the WAL writer (about
	// 0.07 ms of the backends' 1.2 ms per renewal in cmd/rekeyload, five
	// alternating pairs, 2026-12-04).
	conf := fmt.Sprintf("\nlisten_addresses = '127.0.0.1'\nport = %d\n"+
		"unix_socket_directories = '%s'\nfsync = off\n"+
		"full_page_writes = off\nmax_connections = 200\nshared_buffers = 64MB\n",
		port, dir)
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(conf)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("configuring: %w", err)
	}
	if out, err := s.pgctl("-w", "-t", "60", "-l", filepath.Join(dir, "log"), "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	return s, nil
}

// ownerFile holds the PID of the test binary that started the server.
const ownerFile = "owner.pid"

// base is the directory the servers' directories go in: the system's
// temporary directory when the server's user can reach it.
func (s *Server) base() string {
	base := os.TempDir()
	if s.runAs != "" && !traversable(base) {
		base = "/tmp"
	}
	return base
}

// reapOrphans stops the servers of test binaries that died without
// stopping theirs (killed by a timeout, say) and removes their directories.
func (s *Server) reapOrphans() {
	dirs, _ := filepath.Glob(filepath.Join(s.base(), "rekey-pgtest-*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue // being set up, or not ours
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue // its owner is alive
		}
		orphan := &Server{Dir: dir, runAs: s.runAs}
		orphan.pgctl("-m", "immediate", "stop")
		os.RemoveAll(dir)
	}
}

// makeDir creates the server's directory, owned by the user the server
// runs as, under a parent every user can traverse.
func (s *Server) makeDir() (string, error) {
	dir, err := os.MkdirTemp(s.base(), "rekey-pgtest-")
	if err != nil {
		return "", err
	}
	err = os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644)
	if err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	if s.runAs == "" {
		return dir, nil
	}
	u, err := user.Lookup(s.runAs)
	if err == nil {
		var uid, gid int
		uid, err = strconv.Atoi(u.Uid)
		if err == nil {
			gid, err = strconv.Atoi(u.Gid)
		}
		if err == nil {
			err = os.Chown(dir, uid, gid)
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("giving %s to user %s: %w", dir, s.runAs, err)
	}
	return dir, nil
}

// traversable reports whether others may enter dir and all its parents.
func traversable(dir string) bool {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) pgctl(args ...string) ([]byte, error) {
	return s.run("pg_ctl", append([]string{"-D", filepath.Join(s.Dir, "data")}, args...)...)
}

// run runs a PostgreSQL binary, as s.runAs when set.
func (s *Server) run(name string, args ...string) ([]byte, error) {
	bin := filepath.Join(BinDir, name)
	var cmd *exec.Cmd
	if s.runAs != "" {
		cmd = exec.Command("runuser", append([]string{"-u", s.runAs, "--", bin}, args...)...)
	} else {
		cmd = exec.Command(bin, args...)
	}
	cmd.Dir = s.Dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return []byte(strings.TrimSpace(out.String())), err
}
