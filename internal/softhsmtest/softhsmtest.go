// Package softhsmtest makes SoftHSM2 tokens for the PKCS#11 tests.
//
// SoftHSM2 (Debian package softhsm2) is the software token the tests use
// in place of a Rutoken. It keeps its tokens in the directory its
// configuration file names, and reads that file's path from the
// environment variable SOFTHSM2_CONF when the module is initialized. This
// package writes a configuration pointing at a temporary directory, sets
// SOFTHSM2_CONF for the whole test process (once, before any test loads
// the module) and initializes tokens there with softhsm2-util.
//
// When the environment variable REKEY_REQUIRE_SOFTHSM is set (the README's
// test command sets it), a missing SoftHSM2 fails the test; otherwise the
// test is skipped, so that a plain `go test ./...` still runs everything
// else.
package softhsmtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Module is the path of Debian's SoftHSM2 PKCS#11 module.
const Module = "/usr/lib/softhsm/libsofthsm2.so"

// Token is an initialized SoftHSM2 token.
type Token struct {
	Module string // the PKCS#11 module to load
	Label  string
	Slot   uint // the slot SoftHSM2 gave the token
	PIN    string
	SOPIN  string
}

var (
	once    sync.Once
	confDir string
	initErr error
	mu      sync.Mutex
	count   int
)

// Require initializes a new token with a fresh label, skipping or failing t
// when SoftHSM2 is absent. The token directory outlives the test (the
// module may keep it open); the next test process removes it.
func Require(t testing.TB) *Token {
	t.Helper()
	tok, err := New("")
	if err != nil {
		if os.Getenv("REKEY_REQUIRE_SOFTHSM") != "" {
			t.Fatalf("SoftHSM2 is required: %v", err)
		}
		t.Skipf("SoftHSM2 is not available (%v); run the README's test command to install it", err)
	}
	return tok
}

// New initializes a token labelled label (a fresh label when empty) in the
// process's token directory, with the PINs 12345678 (user, the manual's
// default) and 87654321 (SO).
func New(label string) (*Token, error) {
	once.Do(setup)
	if initErr != nil {
		return nil, initErr
	}
	mu.Lock()
	count++
	if label == "" {
		label = fmt.Sprintf("rekey-test-%d", count)
	}
	mu.Unlock()
	tok := &Token{Module: Module, Label: label, PIN: "12345678", SOPIN: "87654321"}
	out, err := run("softhsm2-util", "--init-token", "--free", "--label", label,
		"--pin", tok.PIN, "--so-pin", tok.SOPIN)
	if err != nil {
		return nil, err
	}
	m := slotRE.FindSubmatch(out)
	if m == nil {
		return nil, fmt.Errorf("softhsm2-util did not say which slot it used: %s", out)
	}
	slot, err := strconv.ParseUint(string(m[1]), 10, 64)
	if err != nil {
		return nil, err
	}
	tok.Slot = uint(slot)
	return tok, nil
}

var slotRE = regexp.MustCompile(`reassigned to slot (\d+)`)

// setup checks for SoftHSM2 and points SOFTHSM2_CONF at a new temporary
// token directory.
func setup() {
	if _, err := os.Stat(Module); err != nil {
		initErr = fmt.Errorf("module %s not found (Debian package softhsm2)", Module)
		return
	}
	if _, err := exec.LookPath("softhsm2-util"); err != nil {
		initErr = fmt.Errorf("softhsm2-util not found (Debian package softhsm2)")
		return
	}
	removeStale()
	dir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", prefix, os.Getpid()))
	if err != nil {
		initErr = err
		return
	}
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		initErr = err
		return
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	text := "directories.tokendir = " + tokens + "\n" +
		"objectstore.backend = file\n" +
		"log.level = ERROR\n" +
		"slots.removable = false\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		initErr = err
		return
	}
	confDir = dir
	initErr = os.Setenv("SOFTHSM2_CONF", conf)
}

const prefix = "rekey-softhsmtest-"

// removeStale removes the token directories of test processes that have
// ended (a directory is named after its process id).
func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"*"))
	for _, d := range dirs {
		rest := strings.TrimPrefix(filepath.Base(d), prefix)
		pid, err := strconv.Atoi(strings.SplitN(rest, "-", 2)[0])
		if err != nil || pid == os.Getpid() {
			continue
		}
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			os.RemoveAll(d)
		}
	}
}

// Dir returns the directory holding the configuration and the tokens,
// "" before the first token is made.
func Dir() string { return confDir }

func run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		// The command line holds PINs: name the tool only.
		return nil, fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	return append(stdout.Bytes(), stderr.Bytes()...), nil
}
