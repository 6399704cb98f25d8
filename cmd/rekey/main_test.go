package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"rekey/internal/cli"
)

// testNow is the clock of every test here, the testscript runs included.
var testNow = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	// The tests' keys live in their temporary directories only: the
	// machine's mounted drives are neither read nor written.
	mountPatterns = []string{} // search no real mount point
	testscript.Main(m, map[string]func(){
		"rekey": func() {
			env := cli.OSEnv()
			env.Now = func() time.Time { return testNow }
			os.Exit(run(os.Args[1:], env))
		},
	})
}

func TestScripts(t *testing.T) {
	vectors, _ := filepath.Abs("../../inspect/testdata")
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			e.Setenv("VECTORS", filepath.Join(vectors, "vectors"))
			e.Setenv("KEYS", filepath.Join(vectors, "keys"))
			e.Setenv("LANG", "C.UTF-8")
			return nil
		},
	})
}

// rekey runs the command line in-process with the pinned clock.
func rekey(locale string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	env := &cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string {
			if k == "LANG" {
				return locale
			}
			return ""
		},
		Now: func() time.Time { return testNow }}
	code = run(args, env)
	return code, out.String(), errOut.String()
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.bin")
	os.WriteFile(garbage, []byte("not a certificate\n"), 0o600)
	wrongPass := filepath.Join(dir, "wrong.txt")
	os.WriteFile(wrongPass, []byte("wrong\n"), 0o600)
	v := "../../inspect/testdata/vectors/"
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"gost certificate", []string{"inspect", v + "rfc9215/D2_tc26_256A/cert.pem"}, 0, ""},
		{"crl with issuer", []string{"inspect", "--issuer", v + "rfc9215/D3_test512/cert.pem",
			v + "rfc9215/D3_test512/crl.pem"}, 0, ""},
		{"crl with wrong issuer key", []string{"inspect", "--issuer", v + "rfc9215/D1_test256/cert.pem",
			v + "rfc9215/D3_test512/crl.pem"}, 1, "rekey: error: "},
		{"legacy", []string{"inspect", v + "rfc4491/s4.1_gostr3410-94_cert.pem"}, 1, "legacy"},
		{"missing file", []string{"inspect", filepath.Join(dir, "nope.pem")}, 1, "hint: check the file's path"},
		{"directory", []string{"inspect", dir}, 1, "it is a directory"},
		{"unknown format", []string{"inspect", garbage}, 1, "unknown format\nhint: "},
		{"issuer not a certificate", []string{"inspect", "--issuer", garbage,
			v + "rfc9215/D1_test256/cert.pem"}, 1, "holds no issuer certificate"},
		{"wrong password", []string{"inspect", "--password-file", wrongPass,
			"../../inspect/testdata/keys/r50.1.112-2016-example.pfx"}, 1, "wrong password"},
		{"missing password file", []string{"inspect", "--password-file", filepath.Join(dir, "nope"),
			v + "rfc9215/D1_test256/cert.pem"}, 1, "password file"},
		{"no file", []string{"inspect"}, 2, "hint: see rekey inspect --help"},
		{"two files", []string{"inspect", "a", "b"}, 2, "rekey: error: "},
		{"unknown flag", []string{"inspect", "--frobnicate", "a"}, 2, "unknown flag"},
		{"bad lang", []string{"inspect", "--lang", "fr", v + "rfc9215/D1_test256/cert.pem"}, 2, "unknown language"},
		{"unknown command", []string{"inspekt"}, 2, "unknown command"},
		{"help", []string{"inspect", "--help"}, 0, ""},
		{"no command", []string{}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := rekey("", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) || tt.stderr == "" && stderr != "" {
				t.Errorf("stderr %q, want %q", stderr, tt.stderr)
			}
		})
	}
}

// exitOne are the vectors for which rekey inspect exits 1; see
// inspect.vectorOutcomes for why. The two P-192 certificates exit 1 while
// pki cannot read them and may exit 0 once it can.
var exitOne = map[string]bool{
	"rfc4491/s4.1_gostr3410-94_cert.pem":                        true,
	"rfc4491/s4.2_gostr3410-2001_cert.pem":                      true,
	"openssl-cmp/65-test_cmp_client_data/server.crt":            true,
	"openssl-cmp/65-test_cmp_msg_data/server.crt":               true,
	"openssl-cmp/65-test_cmp_msg_data/pkcs10.der":               true,
	"openssl-cmp/65-test_cmp_protect_data/Root_CA.crt":          true,
	"openssl-cmp/65-test_cmp_protect_data/server.crt":           true,
	"openssl-cmp/65-test_cmp_vfy_data/Root_CA.crt":              true,
	"openssl-cmp/65-test_cmp_vfy_data/client.crt":               true,
	"openssl-cmp/65-test_cmp_vfy_data/insta_ca.cert.pem":        true,
	"openssl-cmp/65-test_cmp_vfy_data/server.crt":               true,
	"openssl-cmp/80-test_cmp_http_data/Mock/signer_issuing.crt": true,
	"openssl-cmp/81-test_cmp_cli_data/Insta/root.crt":           true,
	"openssl-cmp/65-test_cmp_protect_data/Intermediate_CA.crt":  true,
	"openssl-cmp/65-test_cmp_vfy_data/Intermediate_CA.crt":      true,
}

var pkiGaps = map[string]bool{
	"openssl-cmp/65-test_cmp_protect_data/Intermediate_CA.crt": true,
	"openssl-cmp/65-test_cmp_vfy_data/Intermediate_CA.crt":     true,
}

// TestEveryVector runs rekey inspect on every vector, in both languages
// and as JSON: exit 0, or 1 with an error line and no output lost.
func TestEveryVector(t *testing.T) {
	root := "../../inspect/testdata/vectors"
	n := 0
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "MANIFEST.tsv" {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		n++
		for _, args := range [][]string{{"--lang", "ru"}, {"--lang", "en"}, {"--json"}} {
			code, stdout, stderr := rekey("", append(append([]string{"inspect"}, args...), path)...)
			want := 0
			if exitOne[rel] {
				want = 1
			}
			if code != want && !(pkiGaps[rel] && code == 0) {
				t.Errorf("%s %v: exit %d, want %d; stderr %s", rel, args, code, want, stderr)
			}
			if (code == 1) != strings.HasPrefix(stderr, "rekey: error: ") {
				t.Errorf("%s %v: exit %d with stderr %q", rel, args, code, stderr)
			}
			if stdout == "" {
				t.Errorf("%s %v: no output", rel, args)
			}
		}
		return nil
	})
	if n < 80 {
		t.Fatalf("only %d vectors found", n)
	}
}
