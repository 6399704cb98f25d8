package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"rekey/internal/cli"
	"rekey/subscriber"
)

// demoClaims are the requirements rekey demo says it shows; each must
// appear in its output, in both languages and both profiles.
var demoClaims = []string{"S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10", "S12",
	"S13", "S15", "S16", "S17", "S18", "O1", "O2", "O3", "O4", "O6", "O7"}

// TestDemo runs the rekey binary's demo in both profiles and both
// languages from the source directory, with an empty PATH (no OpenSSL, no
// go, nothing else to run) and no OpenSSL configuration, then runs the
// commands it prints to explore what it left and checks what they show.
func TestDemo(t *testing.T) {
	rekeyBin, rekeydBin := binaries(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, profile := range []string{"gost2012-256", "ecdsa-p256"} {
		for _, lang := range []string{"ru", "en"} {
			t.Run(profile+"/"+lang, func(t *testing.T) {
				t.Parallel()
				tmp := t.TempDir()
				emptyPath := filepath.Join(tmp, "bin")
				os.Mkdir(emptyPath, 0o700)
				env := []string{"PATH=" + emptyPath, "HOME=" + tmp, "TMPDIR=" + tmp, "LANG=C.UTF-8"}
				dir := filepath.Join(tmp, "demo")
				out := runDemoBin(t, root, env, rekeyBin, "demo", "--profile", profile,
					"--lang", lang, "--dir", dir)
				for _, id := range demoClaims {
					if !regexp.MustCompile(`(^|[^0-9A-Za-z])` + id + `([^0-9]|$)`).MatchString(out) {
						t.Errorf("the demo does not show %s", id)
					}
				}
				if !strings.Contains(out, "("+root+")") {
					t.Errorf("the demo does not name the source directory %s", root)
				}
				cmds := exploreCommands(t, out)
				bins := map[string]string{"rekey": rekeyBin, "rekeyd": rekeydBin}
				var keysArgs, queueArgs []string
				for _, c := range cmds {
					runDemoBin(t, root, env, bins[c[0]], c[1:]...)
					switch {
					case c[0] == "rekey" && c[1] == "keys" &&
						slices.Contains(c, filepath.Join(dir, "FLASH-1")):
						keysArgs = c[1:]
					case c[0] == "rekeyd" && c[1] == "requests":
						queueArgs = c[1:]
					}
				}
				if keysArgs == nil || queueArgs == nil {
					t.Fatalf("no rekey keys of the drive or no rekeyd requests among %q", cmds)
				}
				oldKey, newKey := checkDemoKeys(t, profile,
					runDemoBin(t, root, env, rekeyBin, append(keysArgs, "--json")...))
				for _, id := range []string{oldKey, newKey} {
					if !strings.Contains(out, id) {
						t.Errorf("the demo's output does not name key %s", id)
					}
				}
				checkDemoQueue(t, runDemoBin(t, root, env, rekeydBin,
					append(queueArgs, "--json")...))
			})
		}
	}
}

// runDemoBin runs a binary in dir with exactly env, requires exit 0 and
// nothing on standard error, and returns standard output.
func runDemoBin(t *testing.T, dir string, env []string, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir, cmd.Env = dir, env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil || errOut.Len() > 0 {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", filepath.Base(bin),
			strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

// exploreCommands returns the go run commands the demo prints at its end,
// each as the program's name and its arguments.
func exploreCommands(t *testing.T, out string) [][]string {
	t.Helper()
	var cmds [][]string
	re := regexp.MustCompile(`(?m)^  go run \./cmd/(rekeyd?) (.*)$`)
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		args, err := shellSplit(m[2])
		if err != nil {
			t.Fatalf("%q: %v", m[0], err)
		}
		cmds = append(cmds, append([]string{m[1]}, args...))
	}
	if len(cmds) < 5 {
		t.Fatalf("the demo prints %d commands to explore:\n%s", len(cmds), out)
	}
	return cmds
}

// shellSplit splits a command line as a POSIX shell does for words that
// are plain, single-quoted or backslash-escaped (what shellQuote writes).
func shellSplit(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord, quoted, escaped := false, false, false
	for _, r := range s {
		switch {
		case escaped:
			w.WriteRune(r)
			escaped = false
		case !quoted && r == '\\':
			escaped, inWord = true, true
		case quoted && r == '\'':
			quoted = false
		case quoted:
			w.WriteRune(r)
		case r == '\'':
			quoted, inWord = true, true
		case r == ' ':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case strings.ContainsRune("\"$`;&|<>*?", r):
			return nil, errors.New("unexpected shell character " + string(r))
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if quoted || escaped {
		return nil, errors.New("unterminated quote or escape")
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// checkDemoKeys checks rekey keys --json of the demo's drive: the renewed
// key archived with its successor valid, of the profile, and the other
// organization's key valid. It returns the old and the new key's ids.
func checkDemoKeys(t *testing.T, profile, out string) (oldKey, newKey string) {
	t.Helper()
	var keys []subscriber.KeyJSON
	if err := json.Unmarshal([]byte(out), &keys); err != nil {
		t.Fatalf("rekey keys --json: %v\n%s", err, out)
	}
	byID := map[string]subscriber.KeyJSON{}
	for _, k := range keys {
		byID[k.ID] = k
		if k.Profile != profile {
			t.Errorf("key %s has profile %s, want %s", k.ID, k.Profile, profile)
		}
	}
	var valid int
	for _, k := range keys {
		switch k.State {
		case subscriber.StateArchived:
			oldKey, newKey = k.ID, k.Successor
		case subscriber.StateValid:
			valid++
		}
	}
	nk, ok := byID[newKey]
	if len(keys) != 3 || valid != 2 || oldKey == "" || !ok || nk.State != subscriber.StateValid ||
		nk.Replaces != oldKey || nk.DaysLeft == nil || *nk.DaysLeft < 364 {
		t.Fatalf("after the demo the drive holds:\n%s", out)
	}
	return oldKey, newKey
}

// checkDemoQueue checks rekeyd requests --json: one request, confirmed.
func checkDemoQueue(t *testing.T, out string) {
	t.Helper()
	var reqs []struct {
		ID        int64  `json:"id"`
		State     string `json:"state"`
		DecidedBy string `json:"decided_by"`
	}
	if err := json.Unmarshal([]byte(out), &reqs); err != nil {
		t.Fatalf("rekeyd requests --json: %v\n%s", err, out)
	}
	if len(reqs) != 1 || reqs[0].State != "confirmed" || reqs[0].DecidedBy != demoActor {
		t.Fatalf("the operator's queue after the demo:\n%s", out)
	}
}

// personTerminal answers the demo's questions as a person would: yes,
// Enter for the recommended media, the password the demo says it made
// when it says one, else the new key's password.
type personTerminal struct {
	out     *bytes.Buffer
	seen    int // the output read so far
	newPW   string
	lines   int
	secrets int
}

var hintRE = regexp.MustCompile(`\(the demo made key [0-9a-f]+'s password: ([a-z0-9]+)\)`)

func (p *personTerminal) Line(prompt string) (string, error) {
	p.lines++
	if strings.Contains(prompt, "[y/N]") {
		return "y", nil
	}
	return "", nil
}

func (p *personTerminal) Secret(prompt string) ([]byte, error) {
	p.secrets++
	since := p.out.String()[p.seen:]
	p.seen = p.out.Len()
	if m := hintRE.FindAllStringSubmatch(since, -1); m != nil {
		return []byte(m[len(m)-1][1]), nil
	}
	return []byte(p.newPW), nil
}

// TestDemoInteractive runs the demo in-process with --interactive, a
// person at the terminal answering from what the demo tells them.
func TestDemoInteractive(t *testing.T) {
	var out, errOut bytes.Buffer
	person := &personTerminal{out: &out, newPW: "my new password"}
	saved := newTerminal
	newTerminal = func(*cli.Env) terminal { return person }
	defer func() { newTerminal = saved }()
	env := &cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
		Getenv: func(string) string { return "" }, Now: time.Now}
	code := run([]string{"demo", "--interactive", "--lang", "en", "--dir",
		filepath.Join(t.TempDir(), "demo")}, env)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	// Asked: the form, the media; the new password twice, the current
	// one to sign the request and each exchange, the new one for the
	// backup.
	if person.lines != 2 || person.secrets != 6 {
		t.Errorf("the person answered %d lines and %d secrets, want 2 and 6\n%s", person.lines,
			person.secrets, out.String())
	}
	if strings.Contains(out.String(), "****") || strings.Contains(out.String(), person.newPW) {
		t.Errorf("the interactive demo shows a scripted answer or the person's password:\n%s",
			out.String())
	}
}

// TestDemoRefuses: the demo's own errors, before it starts anything.
func TestDemoRefuses(t *testing.T) {
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "x"), nil, 0o600)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"interactive without a terminal", []string{"demo", "--interactive"}, 1,
			"hint: run it without --interactive"},
		{"unknown profile", []string{"demo", "--profile", "rsa"}, 2, `unknown profile "rsa"`},
		{"directory not empty", []string{"demo", "--dir", full}, 1, "hint: name a new or empty"},
		{"arguments", []string{"demo", "now"}, 2, "rekey demo"},
	}
	for _, tt := range tests {
		code, stdout, stderr := rekey("en_US.UTF-8", tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) || stdout != "" {
			t.Errorf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", tt.name, code, tt.code,
				stdout, stderr)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for _, s := range []string{"/tmp/a b", "it's", "/plain/path", "", "ключ"} {
		got, err := shellSplit(shellQuote(s))
		if err != nil || len(got) != 1 || got[0] != s {
			t.Errorf("shellSplit(shellQuote(%q)) = %q, %v", s, got, err)
		}
	}
}
