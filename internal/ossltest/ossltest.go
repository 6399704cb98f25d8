// Package ossltest runs OpenSSL 3 with the GOST engine as a peer in tests.
//
// The interop tests of rekey check what we make with OpenSSL and what OpenSSL
// makes with our code. They need the openssl binary and the Debian package
// libengine-gost-openssl, which the README's test command installs. When the
// environment variable REKEY_REQUIRE_OPENSSL is set (the test command sets it),
// a missing peer fails the test; otherwise the test is skipped, so that a plain
// `go test ./...` on a developer's machine still runs everything else.
package ossltest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// OpenSSL is a located openssl binary with a configuration that loads the
// GOST engine with default_algorithms = ALL.
type OpenSSL struct {
	Bin  string // path of the openssl binary
	Conf string // path of the generated openssl.cnf
}

var (
	once    sync.Once
	shared  *OpenSSL
	initErr error
)

// Require returns the OpenSSL peer, skipping or failing t when it is absent.
func Require(t testing.TB) *OpenSSL {
	t.Helper()
	if _, err := Locate(); err != nil {
		if os.Getenv("REKEY_REQUIRE_OPENSSL") != "" {
			t.Fatalf("OpenSSL with the GOST engine is required: %v", err)
		}
		t.Skipf("OpenSSL with the GOST engine is not available (%v); "+
			"run the README's test command to install it", err)
	}
	return shared
}

// Locate finds openssl and the GOST engine once per process and writes a
// configuration for them into a temporary directory.
func Locate() (*OpenSSL, error) {
	once.Do(func() { shared, initErr = locate() })
	return shared, initErr
}

func locate() (*OpenSSL, error) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		return nil, fmt.Errorf("openssl binary not found: %w", err)
	}
	out, err := exec.Command(bin, "version", "-e", "-m").Output()
	if err != nil {
		return nil, fmt.Errorf("openssl version: %w", err)
	}
	engines := quoted(out, "ENGINESDIR")
	modules := quoted(out, "MODULESDIR")
	engine := filepath.Join(engines, "gost.so")
	if _, err := os.Stat(engine); err != nil {
		return nil, fmt.Errorf("GOST engine not found at %s (Debian package libengine-gost-openssl)", engine)
	}
	dir, err := os.MkdirTemp("", "rekey-ossltest-")
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "openssl.cnf")
	text := strings.NewReplacer("@ENGINE@", engine, "@MODULES@", modules).Replace(confTemplate)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		return nil, err
	}
	o := &OpenSSL{Bin: bin, Conf: conf}
	// A digest only the engine provides proves that the engine loads.
	if _, err := o.Exec([]byte("abc"), "dgst", "-md_gost12_256"); err != nil {
		return nil, fmt.Errorf("GOST engine does not load: %w", err)
	}
	return o, nil
}

// confTemplate loads the GOST engine for every algorithm it has. The
// provider section is there for commands (such as openssl cmp) that fetch
// algorithms through providers; it activates gostprov beside the default.
const confTemplate = `openssl_conf = openssl_def
[openssl_def]
engines = engine_section
providers = provider_section
[engine_section]
gost = gost_section
[gost_section]
engine_id = gost
dynamic_path = @ENGINE@
default_algorithms = ALL
[provider_section]
default = default_section
gostprov = gostprov_section
[default_section]
activate = 1
[gostprov_section]
module = @MODULES@/gostprov.so
activate = 1
`

var dirRE = regexp.MustCompile(`(?m)^([A-Z]+DIR): "([^"]*)"`)

func quoted(out []byte, key string) string {
	for _, m := range dirRE.FindAllSubmatch(out, -1) {
		if string(m[1]) == key {
			return string(m[2])
		}
	}
	return ""
}

// Exec runs openssl with args and stdin and returns its standard output.
// The error includes standard error when the command fails.
func (o *OpenSSL) Exec(stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.Command(o.Bin, args...)
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+o.Conf)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("openssl %s: %v: %s",
			strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// Run is Exec that fails t on error.
func (o *OpenSSL) Run(t testing.TB, stdin []byte, args ...string) []byte {
	t.Helper()
	out, err := o.Exec(stdin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// WriteFile writes data to name inside dir (usually t.TempDir()) and
// returns the full path.
func WriteFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
