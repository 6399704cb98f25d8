package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"rekey/internal/i18n"
)

func TestPrintError(t *testing.T) {
	cause := errors.New("cause")
	tests := []struct {
		name string
		err  error
		code int
		out  string
	}{
		{"nil", nil, ExitOK, ""},
		{"failure", Failure("the signature is not valid", "give --issuer"), ExitFailure,
			"rekey: error: the signature is not valid\nhint: give --issuer\n"},
		{"usage", Usage("unknown flag: --x", "see rekey --help"), ExitUsage,
			"rekey: error: unknown flag: --x\nhint: see rekey --help\n"},
		{"more lines", &Error{Code: ExitFailure, Msg: "one", More: []string{"two"}}, ExitFailure,
			"rekey: error: one\nrekey: error: two\n"},
		{"plain error", errors.New("disk full"), ExitFailure, "rekey: error: disk full\n"},
		{"sentence lowercased", Failure("The key expired"), ExitFailure, "rekey: error: the key expired\n"},
		{"acronym kept", Failure("PEM block is damaged"), ExitFailure, "rekey: error: PEM block is damaged\n"},
		{"russian lowercased", Failure("Подпись неверна"), ExitFailure, "rekey: error: подпись неверна\n"},
		{"zero code is a failure", &Error{Msg: "x"}, ExitFailure, "rekey: error: x\n"},
		{"wrapped", errors.Join(Failure("inner", "h").WithCause(cause)), ExitFailure,
			"rekey: error: inner\nhint: h\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if code := PrintError(&buf, "rekey", tt.err); code != tt.code {
				t.Errorf("code %d, want %d", code, tt.code)
			}
			if buf.String() != tt.out {
				t.Errorf("output %q, want %q", buf.String(), tt.out)
			}
		})
	}
	if e := Failure("x").WithCause(cause); !errors.Is(e, cause) {
		t.Error("WithCause does not unwrap")
	}
}

func TestLangFromArgs(t *testing.T) {
	ru := func(string) string { return "ru_RU.UTF-8" }
	none := func(string) string { return "" }
	tests := []struct {
		args   []string
		getenv func(string) string
		want   i18n.Lang
	}{
		{nil, none, i18n.EN},
		{nil, ru, i18n.RU},
		{[]string{"inspect", "--lang", "ru", "f"}, none, i18n.RU},
		{[]string{"--lang=en", "inspect"}, ru, i18n.EN},
		{[]string{"--lang=xx", "inspect"}, ru, i18n.RU},
		{[]string{"--", "--lang=en"}, ru, i18n.RU},
		{[]string{"--lang"}, ru, i18n.RU},
	}
	for _, tt := range tests {
		if got := LangFromArgs(tt.args, tt.getenv); got != tt.want {
			t.Errorf("LangFromArgs(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestReadPasswordFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		path string
		want string
		err  bool
	}{
		{write("lf", "secret\n"), "secret", false},
		{write("crlf", "secret\r\n"), "secret", false},
		{write("bare", "пароль"), "пароль", false},
		{write("two-lines", "first\nsecond\n"), "first", false},
		{write("spaces", " s p \n"), " s p ", false},
		{write("empty", ""), "", true},
		{write("newline", "\n"), "", true},
		{filepath.Join(dir, "missing"), "", true},
	}
	for _, tt := range tests {
		got, err := ReadPasswordFile(i18n.EN, tt.path)
		if string(got) != tt.want || (err != nil) != tt.err {
			t.Errorf("%s: %q, %v; want %q, error %v", filepath.Base(tt.path), got, err, tt.want, tt.err)
		}
		if err != nil && strings.Contains(err.Error(), "s p") {
			t.Errorf("the password shows in the error %q", err)
		}
	}
	_, err := ReadPasswordFile(i18n.RU, filepath.Join(dir, "missing"))
	if err == nil || !strings.Contains(err.Error(), "файл не найден") {
		t.Errorf("Russian error %v", err)
	}
}

// testTree is a small program with the conventions: one command that
// succeeds, fails or returns a plain error.
func testTree(lang i18n.Lang, env *Env, g *Globals, seen *i18n.Lang) *cobra.Command {
	root := &cobra.Command{Use: "prog", Short: "a test program"}
	g.Register(root, env, lang)
	root.AddCommand(&cobra.Command{
		Use:  "do WHAT",
		Args: cobra.ExactArgs(1),
		RunE: Action(func(cmd *cobra.Command, args []string) error {
			*seen = g.Lang
			switch args[0] {
			case "fail":
				return Failure("it failed", "try again")
			case "plain":
				return errors.New("plain error")
			case "json":
				return WriteJSON(env.Stdout, map[string]any{"a": "<b>", "now": env.Now()})
			}
			return nil
		}),
	})
	Localize(root, lang)
	return root
}

func TestRun(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		args     []string
		locale   string
		code     int
		stdout   string
		stderr   string
		wantLang i18n.Lang
	}{
		{"ok", []string{"do", "x"}, "", ExitOK, "", "", i18n.EN},
		{"failure", []string{"do", "fail"}, "", ExitFailure, "", "prog: error: it failed\nhint: try again\n", i18n.EN},
		{"plain error is a failure", []string{"do", "plain"}, "", ExitFailure, "", "prog: error: plain error\n", i18n.EN},
		{"unknown flag", []string{"do", "--nope", "x"}, "", ExitUsage, "",
			"prog: error: unknown flag: --nope\nhint: see prog do --help\n", ""},
		{"missing argument", []string{"do"}, "", ExitUsage, "", "hint: see prog do --help", ""},
		{"unknown command", []string{"nope"}, "", ExitUsage, "", "prog: error: unknown command", ""},
		{"bad lang", []string{"do", "x", "--lang", "de"}, "", ExitUsage, "",
			"prog: error: unknown language \"de\": use ru or en\n", ""},
		{"lang flag", []string{"do", "x", "--lang", "ru"}, "", ExitOK, "", "", i18n.RU},
		{"lang from locale", []string{"do", "x"}, "ru_RU.UTF-8", ExitOK, "", "", i18n.RU},
		{"flag beats locale", []string{"--lang=en", "do", "x"}, "ru_RU.UTF-8", ExitOK, "", "", i18n.EN},
		{"russian usage error", []string{"do", "x", "--lang", "xx"}, "ru_RU.UTF-8", ExitUsage, "",
			"prog: error: неизвестный язык \"xx\": допустимы ru и en\n", ""},
		{"help", []string{"do", "--help"}, "", ExitOK, "Usage:\n  prog do WHAT [flags]", "", ""},
		{"russian help", []string{"--help"}, "ru_RU.UTF-8", ExitOK, "Использование:", "", ""},
		{"json", []string{"do", "json"}, "", ExitOK,
			"{\n  \"a\": \"<b>\",\n  \"now\": \"2026-12-03T12:00:00Z\"\n}\n", "", i18n.EN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
				Getenv: func(k string) string {
					if k == "LANG" {
						return tt.locale
					}
					return ""
				},
				Now: func() time.Time { return now }}
			lang := LangFromArgs(tt.args, env.Getenv)
			var seen i18n.Lang
			code := Run(testTree(lang, env, &Globals{}, &seen), tt.args, env, lang)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.stdout) || tt.stdout == "" && stdout.Len() > 0 &&
				!strings.Contains(strings.Join(tt.args, " "), "help") {
				t.Errorf("stdout %q, want %q", stdout.String(), tt.stdout)
			}
			if !strings.Contains(stderr.String(), tt.stderr) || tt.stderr == "" && stderr.Len() > 0 {
				t.Errorf("stderr %q, want %q", stderr.String(), tt.stderr)
			}
			if tt.wantLang != "" && seen != tt.wantLang {
				t.Errorf("language %q, want %q", seen, tt.wantLang)
			}
		})
	}
}
