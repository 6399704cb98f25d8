package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"rekey/rekeyd"
)

// buildRekeyd builds command rekeyd into dir with the go command and
// returns the binary's path.
func buildRekeyd(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "rekeyd")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "rekey/cmd/rekeyd")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building rekeyd (go build rekey/cmd/rekeyd, run from the "+
			"module's directory, or give --rekeyd PATH): %v\n%s", err, out)
	}
	return bin, nil
}

// startTimeout bounds the start of `rekeyd serve` (opening the database,
// migrations, loading the CA key).
const startTimeout = 60 * time.Second

// process is a running `rekeyd serve`.
type process struct {
	cmd  *exec.Cmd
	url  string // http://127.0.0.1:PORT
	addr string
	done chan struct{}
	err  error // of Wait, once done is closed

	mu     sync.Mutex
	lines  int      // log lines read
	tail   []string // the last log lines, for error reports
	errors []string // log events of level ERROR (at most maxKept)
}

const maxKept = 200

// startServe runs `bin serve --dir dir --listen listen` and waits until it
// logs that it serves. listen "" means a free port of 127.0.0.1.
func startServe(bin, dir, password, listen string) (*process, error) {
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	cmd := exec.Command(bin, "serve", "--dir", dir, "--listen", listen)
	cmd.Env = append(os.Environ(), caPasswordEnv+"="+password, "LANG=C")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s serve: %w", bin, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go p.read(stderr, addr)
	select {
	case a := <-addr:
		p.addr, p.url = a, "http://"+a
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("rekeyd serve ended before serving (%v):\n%s", p.err, p.logTail())
	case <-time.After(startTimeout):
		cmd.Process.Kill()
		<-p.done
		return nil, fmt.Errorf("rekeyd serve did not start within %s:\n%s", startTimeout,
			p.logTail())
	}
}

// read consumes the JSON log of the process: it sends the address of the
// "serving" event to addr and keeps the errors and the last lines.
func (p *process) read(r io.Reader, addr chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	sent := false
	for sc.Scan() {
		line := sc.Text()
		if !sent {
			var ev struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &ev) == nil && ev.Msg == "serving" {
				addr <- ev.Addr
				sent = true
			}
		}
		// Decoding every request's line would cost the clients a share
		// of the CPU they measure with; slog's JSON handler writes the
		// level as this exact field.
		isError := strings.Contains(line, `"level":"ERROR"`)
		p.mu.Lock()
		p.lines++
		if len(p.tail) == maxKept {
			copy(p.tail, p.tail[1:])
			p.tail = p.tail[:maxKept-1]
		}
		p.tail = append(p.tail, line)
		if isError && len(p.errors) < maxKept {
			p.errors = append(p.errors, line)
		}
		p.mu.Unlock()
	}
	io.Copy(io.Discard, r)
	p.err = p.cmd.Wait()
	close(p.done)
}

func (p *process) logTail() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.tail, "\n")
}

// errorEvents returns the log events of level ERROR seen so far.
func (p *process) errorEvents() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errors...)
}

// stop ends the process with SIGTERM (a graceful shutdown) and reports
// how it exited.
func (p *process) stop() error {
	select {
	case <-p.done:
		return p.exitError()
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.exitError()
	case <-time.After(rekeyd.ShutdownTimeout + 10*time.Second):
		p.kill()
		return errors.New("rekeyd serve did not stop on SIGTERM; killed it")
	}
}

// kill ends the process with SIGKILL and waits for it.
func (p *process) kill() {
	p.cmd.Process.Kill()
	<-p.done
}

func (p *process) exitError() error {
	if p.err != nil {
		return fmt.Errorf("rekeyd serve: %v\n%s", p.err, p.logTail())
	}
	return nil
}

// inProcess is the operator served by this process (--in-process), for
// profiling: rekeyd.Operator.Serve, as `rekeyd serve` runs it. The
// client's goroutines carry the pprof label side=client, so that
// `go tool pprof -tagignore side=client` shows the server alone.
type inProcess struct {
	url    string
	cancel context.CancelFunc
	done   chan error
	close  func() error
}

// serveInProcess opens the fleet's operator and serves it on a free port
// of 127.0.0.1.
func serveInProcess(ctx context.Context, f *fleet) (*inProcess, error) {
	op, err := f.openOperator(ctx)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		op.Close()
		return nil, fmt.Errorf("listening on 127.0.0.1: %w", err)
	}
	sctx, cancel := context.WithCancel(ctx)
	s := &inProcess{url: "http://" + ln.Addr().String(), cancel: cancel,
		done: make(chan error, 1), close: op.Close}
	go func() { s.done <- op.Serve(sctx, ln) }()
	return s, nil
}

// stop shuts the in-process server down and closes its operator.
func (s *inProcess) stop() error {
	s.cancel()
	return errors.Join(<-s.done, s.close())
}
