package main

import (
	"errors"
	"os"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"rekey/internal/cli"
	"rekey/internal/i18n"
	"rekey/media"
	"rekey/subscriber"
)

// Environment variables of rekey besides REKEY_MEDIA (media.EnvMedia).
const (
	envSpool  = "REKEY_SPOOL"  // the outbox and inbox directory
	envPKCS11 = "REKEY_PKCS11" // PKCS#11 modules, colon-separated
)

// mediaFlags are the global flags that say where keys are and where the
// outbox lives.
type mediaFlags struct {
	media  []string
	pkcs11 []string
	spool  string
}

func (m *mediaFlags) register(root *cobra.Command, lang i18n.Lang) {
	pf := root.PersistentFlags()
	pf.StringArrayVar(&m.media, "media", nil, i18n.T(lang, i18n.FlagMedia))
	pf.StringArrayVar(&m.pkcs11, "pkcs11", nil, i18n.T(lang, i18n.FlagPKCS11))
	pf.StringVar(&m.spool, "spool", "", i18n.T(lang, i18n.FlagSpool))
}

// modules returns the PKCS#11 modules: --pkcs11, then REKEY_PKCS11.
func (m *mediaFlags) modules(env *cli.Env) []string {
	mods := append([]string(nil), m.pkcs11...)
	for _, p := range strings.Split(env.Getenv(envPKCS11), ":") {
		if p != "" {
			mods = append(mods, p)
		}
	}
	return mods
}

// spoolDir returns the outbox and inbox directory: --spool, REKEY_SPOOL,
// else the user's state directory.
func (m *mediaFlags) spoolDir(lang i18n.Lang, env *cli.Env) (string, error) {
	if m.spool != "" {
		return m.spool, nil
	}
	if d := env.Getenv(envSpool); d != "" {
		return d, nil
	}
	d, err := subscriber.DefaultSpoolDir(env.Getenv)
	if err != nil {
		return "", cli.Failure(i18n.T(lang, i18n.ErrSpoolDir, trimSub(err)),
			i18n.T(lang, i18n.HintSpoolDir)).WithCause(err)
	}
	return d, nil
}

// flow holds what a command of the renewal flow needs.
type flow struct {
	g     *cli.Globals
	env   *cli.Env
	mf    *mediaFlags
	asker subscriber.Asker
	// writes: the command changes the spool (renew, sync), which is then
	// created when missing; keys and backup only read it.
	writes bool
}

// client builds the subscriber library's client for the command.
func (r *flow) client() (*subscriber.Client, error) {
	lang := r.g.Lang
	cfg, err := loadConfig(lang, r.env.Getenv)
	if err != nil {
		return nil, err
	}
	finder := r.finder()
	finder.Dirs = append(finder.Dirs, cfg.Media...)
	opts := subscriber.Options{
		Finder:    finder,
		Exchanger: &subscriber.CMP{Clock: r.env.Now},
		Asker:     r.asker,
		Now:       r.env.Now,
		Lang:      lang,
		StepHook:  crashHook(),
	}
	if mods := append(r.mf.modules(r.env), cfg.PKCS11...); len(mods) > 0 {
		opts.Tokens = subscriber.PKCS11(mods...)
	}
	dir, err := r.mf.spoolDir(lang, r.env)
	if err != nil && r.writes {
		return nil, err
	}
	if err == nil {
		if _, serr := os.Stat(dir); r.writes || serr == nil {
			sp, err := subscriber.OpenSpool(dir)
			if err != nil {
				return nil, cli.Failure(i18n.T(lang, i18n.ErrSpoolDir, trimSub(err)),
					i18n.T(lang, i18n.HintSpoolDir)).WithCause(err)
			}
			opts.Spool = sp
		}
	}
	return subscriber.New(opts)
}

// mountPatterns, when not nil, replaces the mount points searched for
// drives; the tests set it so they search only their own directories.
var mountPatterns []string

// finder finds the containers on the mounted drives (REKEY_MOUNTS, else
// the usual mount points), in REKEY_MEDIA and in --media.
func (r *flow) finder() *media.Finder {
	f := media.NewFinder(r.env.Getenv(media.EnvMedia), r.mf.media...)
	f.Patterns = media.Mounts(r.env.Getenv(media.EnvMounts))
	if mountPatterns != nil {
		f.Patterns = mountPatterns
	}
	return f
}

// crashHook returns the step hook of REKEY_TEST_CRASH_AT (see main.go),
// nil when it is not set.
func crashHook() func(string) {
	at := testCrashAt
	if at == "" {
		return nil
	}
	return func(step string) {
		if step == at {
			// SIGKILL: nothing is flushed, closed or cleaned up, as in a
			// power cut at this point.
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
	}
}

func trimSub(err error) string {
	s := err.Error()
	for _, p := range []string{"subscriber: ", "media: "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}

// errorsAs is errors.As for a target type, for brevity in the mappings.
func errorsAs[T error](err error) (T, bool) {
	var t T
	ok := errors.As(err, &t)
	return t, ok
}
