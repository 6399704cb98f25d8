package subscriber

import (
	"context"
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"rekey/internal/i18n"
	"rekey/media"
	"rekey/pki"
)

// Options configure a Client. Spool is required by Renew and Sync (Keys
// and Reminders read no outbox without one); Exchanger and Asker are
// required by the flows that talk to the operator or to the person.
type Options struct {
	// Finder finds the file containers; nil means media.NewFinder("").
	Finder *media.Finder
	// Tokens lists and opens PKCS#11 tokens (PKCS11 adapts package
	// media/token); nil means no tokens.
	Tokens TokenSource
	// Spool is the outbox and inbox.
	Spool *Spool
	// Exchanger talks CMP with the operator.
	Exchanger Exchanger
	// Asker asks the person (or a script).
	Asker Asker
	// Now is the clock; nil means time.Now. Tests pin it.
	Now func() time.Time
	// Location is the subscriber's time zone, in which a key's last day
	// and its days left are counted; nil means Europe/Moscow.
	Location *time.Location
	// Lang is the language of the form's labels and of the office text.
	Lang i18n.Lang
	// Office, when set, says whom to contact to change details or replace
	// a key in the office (S5, S7), in Lang, for every key. Empty means
	// each key's own contact, which the operator's office put on its media
	// (media.Key.Office), or a generic text for a key without one.
	Office string
	// Encryption tunes the new keys' encryption at rest (tests lower the
	// PBKDF2 iterations); nil means the profile's defaults.
	Encryption *pki.KeyEncryptionOptions
	// Attempts is how many times a password or PIN is asked before the
	// flow gives up; 0 means 3.
	Attempts int
	// Logger receives a record of every step and every failure; nil
	// discards them.
	Logger *slog.Logger
	// Jitter returns a random duration in [0, max), added to the
	// operator's checkAfter so that many clients do not poll at the same
	// second; nil means crypto/rand.
	Jitter func(max time.Duration) time.Duration
	// StepHook, when set, is called with the name of each step of Renew
	// and Sync once the step is recorded ("renew:created", "sync:sent", …;
	// see the package documentation). It is for crash tests only: the
	// command line's REKEY_TEST_CRASH_AT kills the process from here.
	StepHook func(step string)
}

// Client runs the subscriber's flows: Keys and Reminders, Renew, Sync and
// Backup. Renew and Sync take the spool's lock, so a second one running
// meanwhile is refused; listing keys and reminders may run from several
// goroutines at once (a local UI answering requests).
type Client struct {
	opts Options
	loc  *time.Location
	log  *slog.Logger
	// offices are the office contacts of the keys last listed, by key id.
	mu      sync.Mutex
	offices map[string]*media.Office
}

// New returns a Client for opts.
func New(opts Options) (*Client, error) {
	if opts.Finder == nil {
		opts.Finder = media.NewFinder("")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Attempts <= 0 {
		opts.Attempts = 3
	}
	if opts.Lang == "" {
		opts.Lang = i18n.EN
	}
	if opts.Jitter == nil {
		opts.Jitter = randomJitter
	}
	c := &Client{opts: opts, loc: opts.Location, log: opts.Logger}
	if c.loc == nil {
		c.loc = Moscow()
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// Moscow returns the Europe/Moscow zone, or a fixed UTC+3 when the
// system has no zone database (Moscow keeps UTC+3 all year since 2014).
func Moscow() *time.Location {
	if loc, err := time.LoadLocation("Europe/Moscow"); err == nil {
		return loc
	}
	return time.FixedZone("MSK", 3*60*60)
}

func randomJitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	n, err := rand.Int(rand.Reader, big.NewInt(int64(max)))
	if err != nil {
		return 0
	}
	return time.Duration(n.Int64())
}

func (c *Client) now() time.Time { return c.opts.Now() }

// fmtTime writes a moment in the subscriber's zone, the same way in both
// languages.
func (c *Client) fmtTime(t time.Time) string {
	return t.In(c.loc).Format("2006-01-02 15:04 MST")
}

// office says whom to contact in the office about key id, in lang:
// Options.Office, else the contact on the key's media, else a generic
// text.
func (c *Client) office(id string, lang i18n.Lang) string {
	if c.opts.Office != "" {
		return c.opts.Office
	}
	c.mu.Lock()
	o := c.offices[id]
	c.mu.Unlock()
	if o != nil {
		return o.Text(string(lang))
	}
	return i18n.T(lang, i18n.SubOfficeDefault)
}

// keyError is a *KeyError about key id, with whom to contact about it.
func (c *Client) keyError(id string, err error) *KeyError {
	return &KeyError{Key: id, Err: err, Office: c.office(id, c.opts.Lang)}
}

func (c *Client) notice(ctx context.Context, step string, level Level, key string,
	msg i18n.Key, args ...any) {
	if c.opts.Asker != nil {
		c.opts.Asker.Notice(ctx, Notice{Step: step, Level: level, Key: key, Msg: msg, Args: args})
	}
}

// crashHook is nil outside tests: they make a step fail as a crash would,
// with nothing cleaned up.
var crashHook func(step string) error

// The crash points of Renew and Sync; see the package documentation.
const (
	stepDrafted  = "renew:drafted"  // the draft is in the outbox; no key yet
	stepCreated  = "renew:created"  // the new key is written, pending
	stepNamed    = "renew:named"    // the draft names the new key
	stepQueued   = "renew:queued"   // the signed request is queued
	stepSent     = "sync:sent"      // sent; the answer (waiting) is stored
	stepReceived = "sync:received"  // the certificate is in the inbox
	stepConfirm  = "sync:confirmed" // certConf accepted and recorded
	stepInstall  = "sync:installed" // the certificate is installed
	stepArchived = "sync:archived"  // the old key is archived
)

// step marks the end of a recorded step: the Options.StepHook, then the
// tests' crashHook.
func (c *Client) step(name string) error {
	if c.opts.StepHook != nil {
		c.opts.StepHook(name)
	}
	if crashHook == nil {
		return nil
	}
	if err := crashHook(name); err != nil {
		return fmt.Errorf("subscriber: %s: %w", name, err)
	}
	return nil
}

// entry is one key found on some media, with what is needed to use it.
type entry struct {
	key       media.Key
	container *media.Container // a file key
	module    string           // a token key: the module, Key.Media the label
}

func (e *entry) subject() string {
	if e.key.Certificate != nil && e.key.Certificate.Subject != nil {
		s := e.key.Certificate.Subject
		if s.CommonName != "" {
			return s.CommonName
		}
		return s.Organization
	}
	return ""
}

// inventory lists every key on the file media and the tokens present.
func (c *Client) inventory() ([]*entry, []error) {
	cs, errs := c.opts.Finder.Find()
	var es []*entry
	for _, ct := range cs {
		es = append(es, &entry{key: ct.Key(), container: ct})
	}
	if c.opts.Tokens != nil {
		keys, terrs := c.opts.Tokens.Keys()
		errs = append(errs, terrs...)
		for _, k := range keys {
			es = append(es, &entry{key: k, module: moduleOf(k.Location)})
		}
	}
	c.mu.Lock()
	if c.offices == nil {
		c.offices = map[string]*media.Office{}
	}
	for _, e := range es {
		if e.key.Office != nil {
			c.offices[e.key.ID] = e.key.Office
		}
	}
	c.mu.Unlock()
	return es, errs
}

// moduleOf returns the module of a token key's Location ("MODULE slot N").
func moduleOf(location string) string {
	if i := strings.LastIndex(location, " slot "); i >= 0 {
		return location[:i]
	}
	return location
}

// find returns the entries of key id, active first.
func find(es []*entry, id string) []*entry {
	var out, rest []*entry
	for _, e := range es {
		switch {
		case e.key.ID != id:
		case e.key.State == media.StateActive:
			out = append(out, e)
		default:
			rest = append(rest, e)
		}
	}
	return append(out, rest...)
}

// findOn returns the entry of key id on media m ("" for any).
func findOn(es []*entry, id, m string) *entry {
	for _, e := range find(es, id) {
		if m == "" || mediaName(e) == m {
			return e
		}
	}
	return nil
}

// mediaName names an entry's media as MediaChoice.String does.
func mediaName(e *entry) string {
	if e.key.Kind == media.KindToken {
		return "token:" + e.key.Media
	}
	return filepath.Clean(e.key.Media)
}

func sameDir(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// mediaPresent reports whether the media named m (a root or
// "token:LABEL") is there now.
func (c *Client) mediaPresent(m string) bool {
	if label, ok := strings.CutPrefix(m, "token:"); ok {
		if c.opts.Tokens == nil {
			return false
		}
		infos, err := c.opts.Tokens.Tokens()
		if err != nil {
			return false
		}
		for _, i := range infos {
			if i.Label == label {
				return true
			}
		}
		return false
	}
	fi, err := os.Stat(m)
	return err == nil && fi.IsDir()
}

// session holds what one flow unlocked: signers by key id and logged-in
// tokens, so that each password or PIN is asked once per run.
type session struct {
	c       *Client
	signers map[string]crypto.Signer
	tokens  map[string]Token
}

func (c *Client) newSession() *session {
	return &session{c: c, signers: map[string]crypto.Signer{}, tokens: map[string]Token{}}
}

func (s *session) close() {
	for _, t := range s.tokens {
		t.Close()
	}
}

// signer returns the signer of an entry's key, asking its password or
// PIN (purpose) when it is not unlocked yet.
func (s *session) signer(ctx context.Context, e *entry, purpose Purpose) (crypto.Signer, error) {
	if sg, ok := s.signers[e.key.ID]; ok {
		return sg, nil
	}
	var sg crypto.Signer
	var err error
	if e.key.Kind == media.KindToken {
		var t Token
		if t, err = s.token(ctx, e.module, e.key.Media, e.key.ID, purpose); err == nil {
			sg, err = t.Signer(e.key.ID)
		}
	} else {
		sg, err = s.unlockFile(ctx, e, purpose)
	}
	if err != nil {
		return nil, err
	}
	s.signers[e.key.ID] = sg
	return sg, nil
}

func (s *session) unlockFile(ctx context.Context, e *entry, purpose Purpose) (crypto.Signer, error) {
	ct := e.container
	if _, err := os.Stat(ct.Dir); err != nil {
		return nil, &MediaMissingError{Key: e.key.ID, Media: e.key.Media}
	}
	if !ct.Encrypted {
		uk, err := ct.Unlock(nil)
		if err != nil {
			return nil, err
		}
		return uk.Signer()
	}
	var last error
	for attempt := 1; attempt <= s.c.opts.Attempts; attempt++ {
		pw, err := s.c.opts.Asker.Password(ctx, Prompt{Key: e.key.ID, Subject: e.subject(),
			Media: e.key.Media, Purpose: purpose, Attempt: attempt, LastError: last})
		if err != nil {
			return nil, err
		}
		uk, err := ct.Unlock(pw)
		clear(pw)
		switch {
		case errors.Is(err, media.ErrWrongPassword):
			last = err
			s.c.log.Warn("wrong password", "key", e.key.ID, "attempt", attempt)
			continue
		case err != nil:
			return nil, err
		}
		return uk.Signer()
	}
	return nil, fmt.Errorf("%w for key %s (%d attempts)", ErrWrongPassword, e.key.ID,
		s.c.opts.Attempts)
}

// token opens the token label of module and logs in, asking the PIN.
func (s *session) token(ctx context.Context, module, label, key string,
	purpose Purpose) (Token, error) {
	if t, ok := s.tokens[label]; ok {
		return t, nil
	}
	if s.c.opts.Tokens == nil {
		return nil, &MediaMissingError{Key: key, Media: "token:" + label}
	}
	t, err := s.c.opts.Tokens.Open(module, label)
	if errors.Is(err, media.ErrMediaMissing) {
		return nil, &MediaMissingError{Key: key, Media: "token:" + label}
	}
	if err != nil {
		return nil, err
	}
	var last error
	for attempt := 1; attempt <= s.c.opts.Attempts; attempt++ {
		retries, _ := t.PINStatus()
		pin, err := s.c.opts.Asker.PIN(ctx, Prompt{Key: key, Media: label, Purpose: purpose,
			Attempt: attempt, Retries: retries, LastError: last})
		if err != nil {
			t.Close()
			return nil, err
		}
		err = t.Login(string(pin))
		clear(pin)
		if errors.Is(err, media.ErrWrongPIN) {
			last = err
			s.c.log.Warn("wrong PIN", "token", label, "attempt", attempt)
			continue
		}
		if err != nil {
			t.Close()
			return nil, err
		}
		s.tokens[label] = t
		return t, nil
	}
	t.Close()
	return nil, fmt.Errorf("%w: %w", ErrWrongPassword, last)
}

// lazySigner is the current key as a crypto.Signer that asks for the
// password or PIN only when it first signs.
type lazySigner struct {
	ctx     context.Context
	s       *session
	e       *entry
	purpose Purpose
	err     error // why the key could not sign
}

func (l *lazySigner) Public() crypto.PublicKey {
	if l.e.key.Certificate != nil {
		return l.e.key.Certificate.PublicKey
	}
	return nil
}

func (l *lazySigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	sg, err := l.s.signer(l.ctx, l.e, l.purpose)
	if err != nil {
		l.err = err
		return nil, err
	}
	return sg.Sign(r, digest, opts)
}

// failed returns the error that kept the key from signing (no password,
// a wrong one, the media gone): not the operator's fault, so the exchange
// is not counted as an attempt to reach it.
func (l *lazySigner) failed() error { return l.err }
