package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"rekey/internal/cli"
)

// terminal is the person at the keyboard: a line read with echo, a
// password or PIN read without. Prompts go to the terminal's output, never
// to standard output, so that --json output stays one document.
type terminal interface {
	// Line shows prompt and reads one line, without its line ending.
	Line(prompt string) (string, error)
	// Secret shows prompt and reads one line without echoing it.
	Secret(prompt string) ([]byte, error)
}

// newTerminal returns the terminal of env, or nil when standard input is
// not one (a script, cron, a pipe): every question then needs its flag.
// Tests replace it.
var newTerminal = func(env *cli.Env) terminal {
	f, ok := env.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &tty{in: f, r: bufio.NewReader(f), out: env.Stderr}
}

// tty reads answers from standard input when it is a terminal.
type tty struct {
	in  *os.File
	r   *bufio.Reader
	out io.Writer
}

func (t *tty) Line(prompt string) (string, error) {
	fmt.Fprint(t.out, prompt)
	line, err := t.r.ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", fmt.Errorf("reading the answer: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (t *tty) Secret(prompt string) ([]byte, error) {
	fmt.Fprint(t.out, prompt)
	b, err := term.ReadPassword(int(t.in.Fd()))
	fmt.Fprintln(t.out)
	if err != nil {
		return nil, fmt.Errorf("reading the password: %w", err)
	}
	return b, nil
}
