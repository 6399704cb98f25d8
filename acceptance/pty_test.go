package acceptance

// A pseudo-terminal, for the questions rekey asks only on a terminal.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY opens a pseudo-terminal pair (Linux /dev/ptmx).
func openPTY() (master, slave *os.File, err error) {
	fd, err := syscall.Open("/dev/ptmx", syscall.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.TIOCGPTN,
		uintptr(unsafe.Pointer(&n))); e != 0 {
		syscall.Close(fd)
		return nil, nil, fmt.Errorf("TIOCGPTN: %v", e)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.TIOCSPTLCK,
		uintptr(unsafe.Pointer(&unlock))); e != 0 {
		syscall.Close(fd)
		return nil, nil, fmt.Errorf("TIOCSPTLCK: %v", e)
	}
	master = os.NewFile(uintptr(fd), "/dev/ptmx")
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	return master, slave, nil
}

// session is a command running on a pseudo-terminal: standard input,
// output and error are the terminal, as for a person at the keyboard.
type session struct {
	t      *testing.T
	cmd    *exec.Cmd
	master *os.File
	mu     sync.Mutex
	out    bytes.Buffer
	seen   int // the part of out already matched by expect
	done   chan struct{}
	res    result
}

// startSession starts cmd on a new pseudo-terminal.
func startSession(t *testing.T, cmd *exec.Cmd) *session {
	t.Helper()
	master, slave, err := openPTY()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	s := &session{t: t, cmd: cmd, master: master, done: make(chan struct{})}
	read := make(chan struct{})
	go func() {
		defer close(read)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			s.mu.Lock()
			s.out.Write(bytes.ReplaceAll(buf[:n], []byte("\r"), nil))
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		<-read
		s.res.code = 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			s.res.code = ee.ExitCode()
		}
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			cmd.Process.Kill()
			<-s.done
		}
		master.Close()
	})
	return s
}

// expect waits until the output after the last match holds want.
func (s *session) expect(want string) {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		s.mu.Lock()
		rest := s.out.String()[s.seen:]
		if i := strings.Index(rest, want); i >= 0 {
			s.seen += i + len(want)
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		select {
		case <-s.done:
			s.mu.Lock()
			rest = s.out.String()[s.seen:]
			s.mu.Unlock()
			if strings.Contains(rest, want) {
				continue
			}
			s.t.Fatalf("rekey ended (exit %d) without printing %q; after the last answer:\n%s",
				s.res.code, want, rest)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no %q within a minute; output:\n%s", want, s.output())
		}
	}
}

// send types a line.
func (s *session) send(line string) {
	s.t.Helper()
	if _, err := s.master.Write([]byte(line + "\n")); err != nil {
		s.t.Fatalf("typing %q: %v", line, err)
	}
}

// wait waits for the command's end and returns its exit status and the
// whole output.
func (s *session) wait() (int, string) {
	s.t.Helper()
	select {
	case <-s.done:
	case <-time.After(2 * time.Minute):
		s.t.Fatalf("rekey does not end; output:\n%s", s.output())
	}
	return s.res.code, s.output()
}

func (s *session) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// interactive starts rekey with args on a terminal of the machine.
func (m *machine) interactive(args ...string) *session {
	m.t.Helper()
	return startSession(m.t, m.command(args...))
}
