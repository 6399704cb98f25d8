// Package cli is the command-line foundation that rekey and rekeyd share:
// the error and hint lines, the exit codes, the --lang and --json flags,
// the language taken from the locale, JSON output, password files and the
// outside world a command sees (streams, environment, clock) as one
// injectable Env.
//
// The conventions, for every command of both programs:
//
//   - Exit status 0 on success, 1 on a failure (including a verification
//     that fails), 2 on a usage error (unknown flag, wrong arguments, bad
//     --lang value).
//   - Errors go to standard error as "rekey: error: <message>", the message
//     lowercase and without a final period, followed by zero or more
//     "hint: <what to do>" lines. The words "error:" and "hint:" stay in
//     English so that scripts and support can grep for them; the message
//     and the hints are in the chosen language.
//   - Output for people goes to standard output in the chosen language;
//     with --json, standard output is one JSON document and nothing else.
//   - Commands never call time.Now or os.Getenv themselves: they use
//     Env.Now and Env.Getenv, which tests replace.
//
// A command is a cobra.Command whose RunE is wrapped by Action; Run
// executes the tree and turns whatever comes back into the exit status.
package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"rekey/internal/i18n"
)

// The exit statuses.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// Error is an error meant for a person: a message, hints on what to do, and
// the exit status. Messages and hints are already in the run's language.
type Error struct {
	Code  int      // ExitFailure or ExitUsage
	Msg   string   // lowercase, no final period
	More  []string // further error lines, printed after Msg
	Hints []string
	Err   error // the cause, for errors.Is and As; never printed
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Failure returns an error with exit status 1.
func Failure(msg string, hints ...string) *Error {
	return &Error{Code: ExitFailure, Msg: msg, Hints: hints}
}

// Usage returns an error with exit status 2.
func Usage(msg string, hints ...string) *Error {
	return &Error{Code: ExitUsage, Msg: msg, Hints: hints}
}

// WithCause records err as the cause and returns e.
func (e *Error) WithCause(err error) *Error {
	e.Err = err
	return e
}

// PrintError writes err in the error/hint form for prog and returns the
// exit status for it. A nil err prints nothing and gives ExitOK.
func PrintError(w io.Writer, prog string, err error) int {
	if err == nil {
		return ExitOK
	}
	var ce *Error
	if !errors.As(err, &ce) {
		ce = Failure(err.Error())
	}
	for _, m := range append([]string{ce.Msg}, ce.More...) {
		fmt.Fprintf(w, "%s: error: %s\n", prog, lowerFirst(m))
	}
	for _, h := range ce.Hints {
		fmt.Fprintf(w, "hint: %s\n", h)
	}
	if ce.Code == ExitOK {
		return ExitFailure
	}
	return ce.Code
}

// lowerFirst lowercases the first letter of a message that starts with a
// capital followed by a lowercase letter (a sentence, not an acronym such
// as "PEM" or "CMS").
func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) >= 2 && strings.ToUpper(string(r[0])) == string(r[0]) &&
		strings.ToLower(string(r[1])) == string(r[1]) {
		r[0] = []rune(strings.ToLower(string(r[0])))[0]
	}
	return string(r)
}

// Env is the outside world of a command.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Now is the clock. Commands read it once per run and pass the time
	// down; library code never calls time.Now.
	Now func() time.Time
}

// OSEnv returns the process's streams, environment and clock.
func OSEnv() *Env {
	return &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Now: time.Now}
}

// Globals are the flags of every command of both programs.
type Globals struct {
	Lang i18n.Lang // resolved before any RunE
	JSON bool

	langFlag string
	getenv   func(string) string
}

// Register adds --lang and --json to root as persistent flags, described in
// lang (see LangFromArgs), and a PersistentPreRunE that resolves the
// language of the run (the flag, else the locale). Subcommands that need
// their own PersistentPreRunE must call root's.
func (g *Globals) Register(root *cobra.Command, env *Env, lang i18n.Lang) {
	g.getenv = env.Getenv
	g.Lang = i18n.FromEnv(env.Getenv)
	root.PersistentFlags().StringVar(&g.langFlag, "lang", "", i18n.T(lang, i18n.FlagLang))
	root.PersistentFlags().BoolVar(&g.JSON, "json", false, i18n.T(lang, i18n.FlagJSON))
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		return g.resolve()
	}
}

func (g *Globals) resolve() error {
	if g.langFlag == "" {
		g.Lang = i18n.FromEnv(g.getenv)
		return nil
	}
	l, ok := i18n.Parse(g.langFlag)
	if !ok {
		lang := i18n.FromEnv(g.getenv)
		return Usage(i18n.T(lang, i18n.ErrBadLang, g.langFlag))
	}
	g.Lang = l
	return nil
}

// LangFromArgs finds the language of a run before cobra parses the flags,
// so that help and usage texts can be built in it: the last valid
// "--lang X" or "--lang=X" in args, else the locale.
func LangFromArgs(args []string, getenv func(string) string) i18n.Lang {
	lang := i18n.FromEnv(getenv)
	for i, a := range args {
		if a == "--" {
			break
		}
		v, ok := strings.CutPrefix(a, "--lang=")
		if !ok && a == "--lang" && i+1 < len(args) {
			v, ok = args[i+1], true
		}
		if l, valid := i18n.Parse(v); ok && valid {
			lang = l
		}
	}
	return lang
}

// Action wraps a command's work as a cobra RunE: an error that is not an
// *Error becomes a Failure with its text, so that only the errors cobra
// itself makes (flags, arguments) reach Run unwrapped.
func Action(
	run func(cmd *cobra.Command, args []string) error,
) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		err := run(cmd, args)
		var ce *Error
		if err != nil && !errors.As(err, &ce) {
			return Failure(err.Error()).WithCause(err)
		}
		return err
	}
}

// ExactArgs is cobra.ExactArgs with the error in lang and a hint to the
// command's help.
func ExactArgs(lang i18n.Lang, n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == n {
			return nil
		}
		return Usage(i18n.T(lang, i18n.ErrArgs, cmd.CommandPath(), n, len(args)),
			i18n.T(lang, i18n.HintHelp, cmd.CommandPath()))
	}
}

// Run executes root with args and returns the exit status. Errors are
// printed to env.Stderr in the error/hint form; cobra's own errors
// (unknown flags and commands, wrong argument counts) are usage errors with
// a hint to the command's help.
func Run(root *cobra.Command, args []string, env *Env, lang i18n.Lang) int {
	root.SetArgs(args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SilenceErrors, root.SilenceUsage = true, true
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return Usage(err.Error(), i18n.T(lang, i18n.HintHelp, cmd.CommandPath()))
	})
	cmd, err := root.ExecuteC()
	var ce *Error
	if err != nil && !errors.As(err, &ce) {
		path := root.Name()
		if cmd != nil {
			path = cmd.CommandPath()
		}
		err = Usage(err.Error(), i18n.T(lang, i18n.HintHelp, path))
	}
	return PrintError(env.Stderr, root.Name(), err)
}

// WriteJSON writes v as indented JSON followed by a newline, without HTML
// escaping (so "<" stays "<" in subjects and messages).
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// ReadPasswordFile reads a password from the first line of a file; the line
// ending is not part of it. An empty password is an error: commands that
// accept an empty password say so themselves. The password never appears
// in an error.
func ReadPasswordFile(lang i18n.Lang, path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Failure(i18n.T(lang, i18n.ErrReadPassword, path, reason(lang, err)),
			i18n.T(lang, i18n.HintPasswordFile)).WithCause(err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return nil, Failure(i18n.T(lang, i18n.ErrEmptyPassword, path),
			i18n.T(lang, i18n.HintPasswordFile))
	}
	return []byte(line), nil
}

// ReadFile reads a file a command was given, with an error for a person.
func ReadFile(lang i18n.Lang, path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Failure(i18n.T(lang, i18n.ErrReadFile, path, reason(lang, err)),
			i18n.T(lang, i18n.HintCheckPath)).WithCause(err)
	}
	return data, nil
}

// reason is the short cause of a file error, in lang for the usual ones.
func reason(lang i18n.Lang, err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return i18n.T(lang, i18n.ReasonNotExist)
	case errors.Is(err, os.ErrPermission):
		return i18n.T(lang, i18n.ReasonPermission)
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		if pe.Err.Error() == "is a directory" {
			return i18n.T(lang, i18n.ReasonIsDir)
		}
		return pe.Err.Error()
	}
	return err.Error()
}
