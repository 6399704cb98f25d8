// Command rekeyload is the load generator of rekeyd (issue 5, "Speed"): it
// prepares an operator with N enrolled subscribers, starts `rekeyd serve`
// (or targets one already running), drives concurrent renewals — kur,
// kup, certConf, pkiConf — with the CMP client of package cmp, and prints
// renewals per second and latency percentiles.
//
//	go run ./cmd/rekeyload --subscribers 2000 --concurrency 32
//	go run ./cmd/rekeyload --profile ecdsa-p256 --db postgres --json
//
// The subscribers are enrolled in-process through package rekeyd (as
// `rekeyd enroll --csr` does, several at a time), and every key, old and
// new, is generated before the clock starts: the figures are the
// operator's renewals plus the client's own signing and verifying, both
// on this machine.
//
// By default the real `rekeyd serve` is built (go build rekey/cmd/rekeyd,
// so run from the module) and started on a free port of 127.0.0.1, with
// its JSON log read and discarded. --in-process serves the operator in
// this process instead (rekeyd.Operator.Serve), for --cpuprofile: the
// client's goroutines carry the pprof label side=client, so
//
//	go tool pprof -tagignore side=client cpu.out
//
// shows the server alone. --url targets a `rekeyd serve` already running;
// --dir must then name its operator directory (subscribers are enrolled
// there, in-process, with the CA password from REKEYD_CA_PASSWORD), and
// the operator should run with approval auto and a rate limit above
// --rounds.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"rekey/rekeyd"
)

// clientGCPercent is the garbage collector's target of the load
// generator unless GOGC is set: its clients share the machine with the
// server they measure, so they should spend as little CPU as they can on
// collecting (rekeyd serve makes the same choice for itself).
const clientGCPercent = 400

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(clientGCPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	cmd := newCommand(os.Stdout, os.Stderr)
	err := cmd.ExecuteContext(ctx)
	stop()
	stopPostgres()
	if err != nil {
		fmt.Fprintf(os.Stderr, "rekeyload: error: %v\n", err)
		os.Exit(1)
	}
}

// config are the flags of a run.
type config struct {
	subscribers int
	concurrency int
	rounds      int
	duration    time.Duration
	profile     string
	db          string
	url         string
	dir         string
	rekeyd      string
	inProcess   bool
	cpuProfile  string
	blockProf   string
	retryFor    time.Duration
	asJSON      bool
	keep        bool
	pgPool      int
	pgSocket    bool
	compare     int
}

func newCommand(stdout, stderr io.Writer) *cobra.Command {
	var c config
	cmd := &cobra.Command{
		Use:   "rekeyload [flags]",
		Short: "Measure rekeyd's renewals per second and their latency",
		Long: "rekeyload enrolls --subscribers subscribers in a fresh operator, starts\n" +
			"`rekeyd serve` on 127.0.0.1 (or targets --url), renews every subscriber\n" +
			"--rounds times with --concurrency clients at once (kur, kup, certConf,\n" +
			"pkiConf) and prints renewals/s and latency percentiles.",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if c.compare > 0 {
				cmp, err := compare(cmd.Context(), &c, c.compare, stderr)
				if len(cmp.Runs) > 0 {
					if werr := cmp.write(stdout, c.asJSON); err == nil {
						err = werr
					}
				}
				return err
			}
			rep, err := run(cmd.Context(), &c, stderr)
			if err != nil {
				return err
			}
			if err := rep.write(stdout, c.asJSON); err != nil {
				return err
			}
			if rep.Failed > 0 {
				return fmt.Errorf("%d of %d renewals failed", rep.Failed, rep.Renewals)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&c.subscribers, "subscribers", 1000, "subscribers to enroll and renew")
	f.IntVar(&c.concurrency, "concurrency", 64, "renewals in flight at once")
	f.IntVar(&c.rounds, "rounds", 1, "renewals per subscriber (the fixed count is "+
		"subscribers × rounds)")
	f.DurationVar(&c.duration, "duration", 0, "stop starting renewals after this time "+
		"(0: run the fixed count)")
	f.StringVar(&c.profile, "profile", "gost2012-256", "gost2012-256 or ecdsa-p256")
	f.StringVar(&c.db, "db", "sqlite", "sqlite, postgres (a throwaway PostgreSQL 15 "+
		"started here), or a postgres://… DSN")
	f.StringVar(&c.url, "url", "", "target a running rekeyd serve (http://HOST:PORT); "+
		"needs --dir")
	f.StringVar(&c.dir, "dir", "", "the operator directory (default: a temporary one, "+
		"removed afterwards)")
	f.StringVar(&c.rekeyd, "rekeyd", "", "the rekeyd binary to start (default: go build "+
		"rekey/cmd/rekeyd)")
	f.BoolVar(&c.inProcess, "in-process", false, "serve the operator in this process "+
		"instead of starting rekeyd serve")
	f.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of this process to "+
		"FILE (with --in-process it holds the server)")
	f.StringVar(&c.blockProf, "blockprofile", "", "write a profile of where goroutines "+
		"waited (blocking and mutex contention) to FILE")
	f.DurationVar(&c.retryFor, "retry-for", 0, "repeat an exchange this long while the "+
		"operator is unreachable")
	f.BoolVar(&c.pgSocket, "pg-socket", false, "with --db postgres: connect through the "+
		"server's Unix socket instead of TCP on 127.0.0.1 (a database on the operator's host)")
	f.IntVar(&c.pgPool, "pg-pool", 0, "with --db postgres: the operator's connection pool "+
		"size (pool_max_conns; 0: the store's default)")
	f.IntVar(&c.compare, "compare", 0, "run N pairs, SQLite then a throwaway PostgreSQL, "+
		"with the other flags alike, and print both engines' figures and the ratio")
	f.BoolVar(&c.asJSON, "json", false, "print the report as JSON")
	f.BoolVar(&c.keep, "keep", false, "keep the temporary operator directory")
	return cmd
}

// check reports the first inconsistent flag.
func (c *config) check() error {
	switch {
	case c.subscribers < 1:
		return errors.New("--subscribers must be at least 1")
	case c.concurrency < 1:
		return errors.New("--concurrency must be at least 1")
	case c.rounds < 1:
		return errors.New("--rounds must be at least 1")
	case c.profile != "gost2012-256" && c.profile != "ecdsa-p256":
		return fmt.Errorf("--profile %q: use gost2012-256 or ecdsa-p256", c.profile)
	case c.url != "" && c.dir == "":
		return errors.New("--url needs --dir, the directory of the operator it serves")
	case c.pgPool < 0 || c.pgPool > 0 && c.db != "postgres":
		return errors.New("--pg-pool is for --db postgres (put pool_max_conns in a DSN)")
	case c.pgSocket && c.db != "postgres":
		return errors.New("--pg-socket is for --db postgres (put host=/socket/dir in a DSN)")
	case c.compare < 0:
		return errors.New("--compare must be a number of pairs")
	case c.compare > 0 && (c.db != "sqlite" || c.url != "" || c.dir != "" || c.pgSocket ||
		c.pgPool != 0 || c.cpuProfile != "" || c.blockProf != ""):
		return errors.New("--compare runs both engines on fresh operators: it excludes --db, " +
			"--url, --dir, --pg-socket, --pg-pool and the profiles")
	case c.url != "" && c.inProcess:
		return errors.New("--url and --in-process exclude each other")
	case c.db != "sqlite" && c.db != "postgres" && !strings.HasPrefix(c.db, "postgres://") &&
		!strings.HasPrefix(c.db, "postgresql://"):
		return fmt.Errorf("--db %q: use sqlite, postgres or a postgres:// DSN", c.db)
	}
	return nil
}

// run prepares the operator, serves it, measures and returns the report.
func run(ctx context.Context, c *config, log io.Writer) (*report, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	rep := &report{Profile: c.profile, Database: c.db, Subscribers: c.subscribers,
		Concurrency: c.concurrency}
	if strings.HasPrefix(c.db, "postgres") && c.db != "postgres" {
		rep.Database = "postgres (given DSN)"
	}
	f, cleanup, err := prepare(ctx, c, log)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	rep.EnrollSeconds = f.enrolled.Seconds()

	url, stopServer, serverPID, err := serveFor(ctx, c, f, log)
	if err != nil {
		return nil, err
	}
	rep.Server = url
	d := newDriver(url, f.caCert, c.concurrency)
	d.retryFor = c.retryFor
	stopProfile, err := startProfile(c.cpuProfile, c.blockProf)
	if err != nil {
		return nil, errors.Join(err, stopServer())
	}
	fmt.Fprintf(log, "rekeyload: renewing: %d subscribers × %d rounds, concurrency %d\n",
		len(f.subs), c.rounds, c.concurrency)
	before := readCPU(serverPID)
	res := runLoad(ctx, f.fleet, d, &loadOptions{concurrency: c.concurrency,
		rounds: c.rounds, duration: c.duration})
	used := readCPU(serverPID).since(before)
	stopProfile()
	summarize(rep, res)
	used.report(rep, c.inProcess)
	if err := stopServer(); err != nil {
		return rep, err
	}
	return rep, nil
}

// prepared is a fleet with how long its enrollment took.
type prepared struct {
	*fleet
	enrolled time.Duration
}

// prepare creates the operator directory and enrolls the subscribers, or
// with --url enrolls them into the running operator's directory.
func prepare(ctx context.Context, c *config, log io.Writer) (*prepared, func(), error) {
	cleanup := func() {}
	dir := c.dir
	if dir == "" {
		d, err := tempDir()
		if err != nil {
			return nil, nil, err
		}
		dir = d
		if !c.keep {
			cleanup = func() { os.RemoveAll(filepath.Dir(d)) }
		} else {
			fmt.Fprintf(log, "rekeyload: the operator directory is %s\n", dir)
		}
	}
	start := time.Now()
	fo := &fleetOptions{dir: dir, profile: c.profile, subscribers: c.subscribers,
		renewals: c.rounds, workers: defaultWorkers()}
	var f *fleet
	var err error
	if c.url != "" {
		f, err = existingFleet(ctx, fo)
	} else {
		if c.db == "postgres" {
			fmt.Fprintln(log, "rekeyload: starting PostgreSQL 15 (fsync off)")
			if fo.database, err = startPostgres(c.pgSocket); err != nil {
				cleanup()
				return nil, nil, err
			}
			if c.pgPool > 0 {
				fo.database += fmt.Sprintf("&pool_max_conns=%d", c.pgPool)
			}
		} else if c.db != "sqlite" {
			fo.database = c.db
		}
		fmt.Fprintf(log, "rekeyload: enrolling %d subscribers (%s)\n", c.subscribers, c.profile)
		f, err = newFleet(ctx, fo)
	}
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return &prepared{fleet: f, enrolled: time.Since(start)}, cleanup, nil
}

// existingFleet enrolls subscribers into the operator directory of a
// running rekeyd serve, whose CA password is in REKEYD_CA_PASSWORD.
func existingFleet(ctx context.Context, o *fleetOptions) (*fleet, error) {
	pw := os.Getenv(caPasswordEnv)
	if pw == "" {
		return nil, errors.New("--url: set REKEYD_CA_PASSWORD to the CA key's password of " +
			"the operator in --dir")
	}
	cfg, err := rekeyd.LoadConfig(o.dir)
	if err != nil {
		return nil, err
	}
	if cfg.Operator.Profile != o.profile {
		return nil, fmt.Errorf("the operator in %s has profile %s: give --profile %s",
			o.dir, cfg.Operator.Profile, cfg.Operator.Profile)
	}
	f := &fleet{dir: o.dir, password: pw}
	if err := f.enroll(ctx, o); err != nil {
		return nil, err
	}
	return f, nil
}

// serveFor starts the server the config asks for and returns its base URL
// and how to stop it.
//
// The process ID is that of the server started, 0 when it runs elsewhere
// or in this process.
func serveFor(ctx context.Context, c *config, f *prepared, log io.Writer) (
	string, func() error, int, error) {
	switch {
	case c.url != "":
		return strings.TrimSuffix(c.url, "/"), func() error { return nil }, 0, nil
	case c.inProcess:
		s, err := serveInProcess(ctx, f.fleet)
		if err != nil {
			return "", nil, 0, err
		}
		return s.url, s.stop, 0, nil
	}
	bin := c.rekeyd
	if bin == "" {
		fmt.Fprintln(log, "rekeyload: building rekeyd")
		tmp, err := os.MkdirTemp("", "rekeyload-bin-")
		if err != nil {
			return "", nil, 0, err
		}
		if bin, err = buildRekeyd(ctx, tmp); err != nil {
			os.RemoveAll(tmp)
			return "", nil, 0, err
		}
		defer func() {
			// The binary is not needed once started.
			os.RemoveAll(tmp)
		}()
	}
	p, err := startServe(bin, f.dir, f.password, "")
	if err != nil {
		return "", nil, 0, err
	}
	stop := func() error {
		err := p.stop()
		if ev := p.errorEvents(); len(ev) > 0 {
			fmt.Fprintf(log, "rekeyload: rekeyd serve logged errors:\n%s\n",
				strings.Join(ev, "\n"))
		}
		return err
	}
	return p.url, stop, p.cmd.Process.Pid, nil
}

// startProfile starts a CPU profile to cpuPath and a blocking profile to
// blockPath, when set; the returned function stops them and writes.
func startProfile(cpuPath, blockPath string) (func(), error) {
	stopBlock := func() {}
	if blockPath != "" {
		runtime.SetBlockProfileRate(int(10 * time.Microsecond))
		stopBlock = func() {
			runtime.SetBlockProfileRate(0)
			if err := writeProfile("block", blockPath); err != nil {
				fmt.Fprintf(os.Stderr, "rekeyload: --blockprofile: %v\n", err)
			}
		}
	}
	if cpuPath == "" {
		return stopBlock, nil
	}
	out, err := os.Create(cpuPath)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		out.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		out.Close()
		stopBlock()
	}, nil
}

func writeProfile(name, path string) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	return errors.Join(pprof.Lookup(name).WriteTo(out, 0), out.Close())
}
