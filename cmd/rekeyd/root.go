package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"rekey/internal/cli"
	"rekey/internal/i18n"
	"rekey/pki"
	"rekey/rekeyd"
)

// Environment variables of rekeyd.
const (
	envDir        = "REKEYD_DIR"
	envCAPassword = "REKEYD_CA_PASSWORD"
	// envNow starts the clock at an RFC 3339 time: for tests only.
	envNow = "REKEYD_NOW"
)

// app is what every command shares: the globals, the environment and the
// common flags.
type app struct {
	g            *cli.Globals
	env          *cli.Env
	dir          string
	passwordFile string
}

// newRoot builds the command tree with its help texts in lang.
func newRoot(lang i18n.Lang, env *cli.Env) *cobra.Command {
	a := &app{g: &cli.Globals{}, env: env}
	root := &cobra.Command{
		Use:   "rekeyd",
		Short: i18n.T(lang, i18n.DCmdRootShort),
		Long:  i18n.T(lang, i18n.DCmdRootLong),
	}
	a.g.Register(root, env, lang)
	root.PersistentFlags().StringVar(&a.dir, "dir", "", i18n.T(lang, i18n.DFlagDir))
	root.PersistentFlags().StringVar(&a.passwordFile, "ca-password-file", "",
		i18n.T(lang, i18n.DFlagCAPasswordFile))
	root.AddCommand(a.initCmd(lang), a.serveCmd(lang), a.enrollCmd(lang),
		a.requestsCmd(lang), a.approveCmd(lang), a.rejectCmd(lang), a.revokeCmd(lang),
		a.crlCmd(lang), a.subscribersCmd(lang), a.auditCmd(lang))
	cli.Localize(root, lang)
	return root
}

// lang is the language of this run's messages.
func (a *app) lang() i18n.Lang { return a.g.Lang }

// directory returns --dir, else REKEYD_DIR.
func (a *app) directory() (string, error) {
	if a.dir != "" {
		return a.dir, nil
	}
	if d := a.env.Getenv(envDir); d != "" {
		return d, nil
	}
	return "", cli.Usage(i18n.T(a.lang(), i18n.DErrNoDir), i18n.T(a.lang(), i18n.DHintDir))
}

// clock is the wall clock, or for tests one that starts at REKEYD_NOW.
func (a *app) clock() (func() time.Time, error) {
	now := a.env.Now
	if now == nil {
		now = time.Now
	}
	s := a.env.Getenv(envNow)
	if s == "" {
		return now, nil
	}
	start, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, cli.Usage(i18n.T(a.lang(), i18n.DErrBadNow, s))
	}
	offset := start.Sub(now())
	return func() time.Time { return now().Add(offset) }, nil
}

// password returns the CA key's password (or the HSM's PIN): from
// --ca-password-file, else REKEYD_CA_PASSWORD, else a terminal prompt.
func (a *app) password(confirm bool) func() ([]byte, error) {
	return func() ([]byte, error) {
		if a.passwordFile != "" {
			return cli.ReadPasswordFile(a.lang(), a.passwordFile)
		}
		if p := a.env.Getenv(envCAPassword); p != "" {
			return []byte(p), nil
		}
		f, ok := a.env.Stdin.(*os.File)
		if !ok || !term.IsTerminal(int(f.Fd())) {
			return nil, cli.Failure(i18n.T(a.lang(), i18n.DErrNoPassword),
				i18n.T(a.lang(), i18n.DHintPassword))
		}
		p, err := prompt(a.env.Stderr, f, i18n.T(a.lang(), i18n.DPromptPassword))
		if err != nil || !confirm {
			return p, err
		}
		again, err := prompt(a.env.Stderr, f, i18n.T(a.lang(), i18n.DPromptPasswordAgain))
		if err != nil {
			return nil, err
		}
		if string(again) != string(p) {
			return nil, cli.Failure(i18n.T(a.lang(), i18n.DErrPasswordMismatch))
		}
		return p, nil
	}
}

func prompt(w io.Writer, f *os.File, text string) ([]byte, error) {
	fmt.Fprint(w, text)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(w)
	if err != nil {
		return nil, fmt.Errorf("reading the password: %w", err)
	}
	return b, nil
}

// open opens the operator directory; withCA loads the CA key too.
func (a *app) open(ctx context.Context, withCA bool) (*rekeyd.Operator, error) {
	dir, err := a.directory()
	if err != nil {
		return nil, err
	}
	now, err := a.clock()
	if err != nil {
		return nil, err
	}
	op, err := rekeyd.Open(ctx, dir, &rekeyd.OpenOptions{Password: a.password(false),
		NoCA: !withCA, Now: now, Logger: a.logger()})
	if err != nil {
		return nil, a.openError(dir, err)
	}
	return op, nil
}

// openError explains a failure to open the directory.
func (a *app) openError(dir string, err error) error {
	var ce *cli.Error
	if errors.As(err, &ce) {
		return err
	}
	l := a.lang()
	switch {
	case errors.Is(err, rekeyd.ErrNotInitialized):
		return cli.Failure(i18n.T(l, i18n.DErrNotInitialized, dir),
			i18n.T(l, i18n.DHintInit, dir)).WithCause(err)
	case errors.Is(err, pki.ErrWrongPassword) || errors.Is(err, rekeyd.ErrWrongPIN):
		return cli.Failure(i18n.T(l, i18n.DErrCAKey, trim(err)),
			i18n.T(l, i18n.DHintPassword)).WithCause(err)
	}
	return cli.Failure(i18n.T(l, i18n.DErrOpen, dir, trim(err))).WithCause(err)
}

// logger writes JSON log events to standard error.
func (a *app) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(a.env.Stderr, &slog.HandlerOptions{}))
}

// trim drops the package prefixes of an error for the person.
func trim(err error) string {
	s := err.Error()
	for _, p := range []string{"rekeyd: ", "operator: ", "store: ", "pki: ", "media: "} {
		s = strings.ReplaceAll(s, p, "")
	}
	return s
}
