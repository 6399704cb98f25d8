package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"rekey/cmp"
	"rekey/internal/pgtest"
	"rekey/pki"
)

// binary is the rekeyd built once for the package's tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rekeyd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "rekeyd")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building rekeyd: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := func() int {
		defer pgtest.Stop()
		return m.Run()
	}()
	os.RemoveAll(dir)
	os.Exit(code)
}

// caPassword is the CA key password of the tests, passed through
// REKEYD_CA_PASSWORD.
const caPassword = "пароль УЦ"

// result is one finished run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

// runRekeyd runs the binary with args and the extra environment variables.
func runRekeyd(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(append(os.Environ(), "LANG=C", "REKEYD_CA_PASSWORD="+caPassword), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running rekeyd: %v", err)
	}
	return r
}

// must runs the binary and fails t unless it exits 0.
func must(t *testing.T, env []string, args ...string) result {
	t.Helper()
	r := runRekeyd(t, env, args...)
	if r.code != 0 {
		t.Fatalf("rekeyd %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// server is a running `rekeyd serve`.
type server struct {
	cmd  *exec.Cmd
	url  string // http://127.0.0.1:PORT
	done chan error
	mu   sync.Mutex
	log  bytes.Buffer
}

// serve starts `rekeyd serve` on a free port of 127.0.0.1 and waits until
// it listens; the test's cleanup stops it with SIGTERM.
func serve(t *testing.T, dir string, env ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--dir", dir, "--listen", "127.0.0.1:0")
	cmd.Env = append(append(os.Environ(), "REKEYD_CA_PASSWORD="+caPassword), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			s.mu.Lock()
			s.log.Write(append(sc.Bytes(), '\n'))
			s.mu.Unlock()
			var ev struct{ Msg, Addr string }
			if !sent && json.Unmarshal(sc.Bytes(), &ev) == nil && ev.Msg == "serving" {
				addr <- ev.Addr
				sent = true
			}
		}
		s.done <- cmd.Wait()
	}()
	select {
	case a := <-addr:
		s.url = "http://" + a
	case err := <-s.done:
		t.Fatalf("rekeyd serve ended: %v\n%s", err, s.logText())
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("rekeyd serve did not start\n%s", s.logText())
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

func (s *server) logText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop(t *testing.T) {
	if s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("rekeyd serve after SIGTERM: %v\n%s", err, s.logText())
		}
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		t.Errorf("rekeyd serve did not stop on SIGTERM")
	}
}

// client returns a CMP client of the server that trusts the CA of dir.
func (s *server) client(t *testing.T, dir string) *cmp.Client {
	ca := readCert(t, filepath.Join(dir, "ca.pem"))
	return &cmp.Client{Transport: &cmp.HTTPTransport{URL: s.url + "/.well-known/cmp"},
		Roots: []*pki.Certificate{ca}, Recipient: ca.RawSubject}
}

// get fetches path from the server.
func (s *server) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(s.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.Bytes()
}

func readCert(t *testing.T, path string) *pki.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := pem.Decode(data); b != nil {
		data = b.Bytes
	}
	c, err := pki.ParseCertificate(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c
}

// subjectFile writes a valid enroll subject file named cn.
func subjectFile(t *testing.T, dir, cn string) string {
	t.Helper()
	s := map[string]string{"CN": cn, "O": cn, "C": "RU", "L": "Москва",
		"INNLE": "7707083893", "OGRN": "1027700132195", "SNILS": "112-233-445 95",
		"surname": "Иванов", "givenName": "Иван Иванович"}
	data, _ := json.Marshal(s)
	p := filepath.Join(dir, strings.ReplaceAll(cn, " ", "_")+".json")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// enrolled is a subscriber enrolled through `rekeyd enroll --csr`.
type enrolled struct {
	cert *pki.Certificate
	key  crypto.Signer
}

// enrollKey enrolls a new key of profile for subscriber cn.
func enrollKey(t *testing.T, dir string, profile *pki.Profile, cn string) *enrolled {
	t.Helper()
	key, err := profile.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := pki.CreateCertificateRequest(&pki.RequestTemplate{
		Subject: &pki.Subject{CommonName: cn}}, key)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	csrPath := filepath.Join(work, "req.csr")
	os.WriteFile(csrPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST",
		Bytes: csr}), 0o600)
	out := filepath.Join(work, "cert.pem")
	must(t, nil, "enroll", "--dir", dir, "--subject", subjectFile(t, work, cn),
		"--csr", csrPath, "--out", out)
	return &enrolled{cert: readCert(t, out), key: key}
}

// renew runs kur → certificate → certConf with c and returns the new
// subscriber; when approve is set the request waits and approve decides.
func renew(t *testing.T, c *cmp.Client, s *enrolled, profile *pki.Profile,
	approve func()) *enrolled {
	t.Helper()
	ctx := context.Background()
	key, err := profile.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.UpdateKey(ctx, &cmp.KeyUpdateOptions{Current: s.cert, CurrentKey: s.key,
		NewKey: key})
	if err != nil {
		t.Fatalf("kur: %v", err)
	}
	cred := cmp.SignatureCredentials(s.cert, s.key)
	if approve != nil {
		if res.Certificate != nil {
			t.Fatal("manual approval issued at once")
		}
		approve()
		// Honour checkAfter without sleeping: the client's clock runs ahead.
		c.Clock = func() time.Time { return time.Now().Add(10 * time.Second) }
		defer func() { c.Clock = nil }()
		if res, err = c.Poll(ctx, res.State, cred); err != nil {
			t.Fatalf("poll: %v", err)
		}
	}
	if res.Certificate == nil {
		t.Fatalf("no certificate: state %s", res.State.State)
	}
	if err := c.Confirm(ctx, res.State, cred, true); err != nil {
		t.Fatalf("certConf: %v", err)
	}
	return &enrolled{cert: res.Certificate, key: key}
}
