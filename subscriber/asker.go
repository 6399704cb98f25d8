package subscriber

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"rekey/internal/i18n"
	"rekey/media"
	"rekey/pki"
)

// Asker asks the person what the flow needs to know and shows what it
// has to say. The command line implements it on a terminal or from flags
// and files (Script), the local web UI with its windows. Every question
// can be answered by a script: none needs a terminal.
//
// Passwords and PINs are returned in a new slice, which the flow clears
// after use.
//
// A method returning an error stops the flow (a closed terminal, a
// cancelled context); the error is returned as it is. Answering "no"
// is not an error: the flow returns ErrCancelled.
type Asker interface {
	// ConfirmUnfinished (S3) shows the exchanges that are not finished
	// and asks whether to go on with the renewal anyway. Asked only when
	// there are some.
	ConfirmUnfinished(ctx context.Context, items []Unfinished) (bool, error)

	// ConfirmForm (S7) shows the request form, filled from the current
	// certificate and read-only, with how to change details in the
	// office, and asks whether to generate the new key ("Generate").
	ConfirmForm(ctx context.Context, form *Form) (bool, error)

	// ChooseMedia (S8) asks where the new key goes. choices is never
	// empty; the first is the recommended one (the current key's media
	// when present).
	ChooseMedia(ctx context.Context, key string, choices []MediaChoice) (MediaChoice, error)

	// NewPassword (S10) asks the password of the new container. The
	// implementation asks it twice and compares (a terminal, a web form)
	// or reads it once from a file; the flow does not ask again. An empty
	// answer means no password: the flow then warns and asks
	// ConfirmEmptyPassword.
	NewPassword(ctx context.Context, p Prompt) ([]byte, error)

	// ConfirmEmptyPassword (S10) warns that the new key would be stored
	// unencrypted and asks for an explicit yes.
	ConfirmEmptyPassword(ctx context.Context, p Prompt) (bool, error)

	// Password (S12) asks the password of an existing container: the
	// current key's, to sign; or, when sync completes an interrupted
	// renewal, the new key's (p.Purpose says which). p.Attempt counts from
	// 1; after a wrong one p.LastError says so.
	Password(ctx context.Context, p Prompt) ([]byte, error)

	// PIN (S11, S12) asks the user PIN of a token, to log in before the
	// token generates or signs. p.Retries is what the token says of the
	// tries left.
	PIN(ctx context.Context, p Prompt) ([]byte, error)

	// Progress (S14) says which key of several is being renewed.
	Progress(ctx context.Context, p Progress)

	// Notice shows a message: a warning, the certificate coming within a
	// day (S13), the closing advice (S15), a new validity (S17).
	Notice(ctx context.Context, n Notice)
}

// Unfinished is an exchange that has not finished: an outbox item not yet
// done, or something received that was not processed.
type Unfinished struct {
	ID      string    // the spool item's id
	Box     string    // "outbox" or "inbox"
	Kind    string    // e.g. "key-update", "submission", "certificate", "cms"
	Key     string    // the key it concerns
	Status  string    // the outbox status, or "unprocessed"
	Created time.Time // when it was queued or received
}

// Form is the request form of S7: the current certificate's subject,
// which the new certificate will have unchanged.
type Form struct {
	Key        string       // the key being renewed
	Subject    *pki.Subject // the current certificate's subject
	Fields     []pki.Field  // the subject in display order, labelled in Lang
	KeyExpires time.Time    // the current key's last moment to sign
	Profile    string       // the new key's profile
	Office     string       // how to change details in the office (Lang)
	Lang       i18n.Lang    // the language of Fields and Office
	Media      media.Kind   // the current key's media kind
	Current    *media.Key   // the current key
}

// MediaChoice is a place a new key can go (S8).
type MediaChoice struct {
	Kind media.Kind
	// Root is the media root directory for KindFile.
	Root string
	// Module and Token name a PKCS#11 token for KindToken.
	Module, Token string
	// Current: the current key is on this media. Recommended: the flow
	// recommends it (the current key's media, S8).
	Current, Recommended bool
}

// String names the choice for a person and for scripts: the root
// directory, or "token:LABEL".
func (c MediaChoice) String() string {
	if c.Kind == media.KindToken {
		return "token:" + c.Token
	}
	return c.Root
}

// Purpose says why a password or PIN is asked.
type Purpose string

// The purposes of a Prompt.
const (
	PurposeNewKey       Purpose = "new-key"       // S10, S11: protect (or reach) the new key
	PurposeSignRequest  Purpose = "sign-request"  // S12: sign the renewal request
	PurposeSignExchange Purpose = "sign-exchange" // S16: sign a poll or confirmation
	PurposeNewKeyProof  Purpose = "new-key-proof" // sync: the new key proves itself
	PurposeArchive      Purpose = "archive"       // a token key is archived after login
	PurposeBackup       Purpose = "backup"        // S18: verify the copy
)

// Prompt describes a password or PIN question.
type Prompt struct {
	Key     string // the key id
	Subject string // the key's holder, for a person to recognise
	Media   string // the media root or token label
	Purpose Purpose
	Attempt int           // 1 for the first question
	Retries media.Retries // tokens: the tries left
	// LastError is why the previous answer was not accepted (wrong
	// password), nil on the first attempt.
	LastError error
}

// Progress is the position in a run over several keys (S14).
type Progress struct {
	Index, Total int // 1-based
	Key          string
	Subject      string
}

// Level is a notice's weight.
type Level string

// The levels of a Notice.
const (
	Info    Level = "info"
	Warning Level = "warning"
	Done    Level = "done"
)

// Notice is a message for the person. Text renders it; Step names the
// manual's requirement it comes from ("S13"), empty for others.
type Notice struct {
	Step  string
	Level Level
	Key   string // the key concerned, "" for none
	Msg   i18n.Key
	Args  []any
}

// Text renders the notice in lang.
func (n Notice) Text(lang i18n.Lang) string { return i18n.T(lang, n.Msg, n.Args...) }

// Script answers every question from fixed values: the flags and files of
// a script (--yes, --to-media, --new-password-file, --password-file) and
// the tests. Its zero value answers no to every yes/no question and has
// no passwords. Script is safe for use by one flow at a time.
type Script struct {
	// Yes answers yes to S3 (unfinished exchanges) and S7 (the form).
	Yes bool
	// Media picks the media by its String (a root directory or
	// "token:LABEL"); empty takes the recommended one.
	Media string
	// NewKeyPassword is the new container's password; AllowEmptyPassword
	// confirms an empty one.
	NewKeyPassword     []byte
	AllowEmptyPassword bool
	// Passwords by key id (or a prefix of at least four digits), and
	// AnyPassword for any other key.
	Passwords   map[string][]byte
	AnyPassword []byte
	// PINs by token label, and AnyPIN for any other token.
	PINs   map[string][]byte
	AnyPIN []byte
	// Answer, when set, answers Password and PIN instead (tests: a wrong
	// password, then the right one).
	Answer func(p Prompt) ([]byte, error)
	// Notify, when set, receives every notice and progress line as text.
	Notify func(level Level, text string)
	Lang   i18n.Lang

	mu      sync.Mutex
	notices []Notice
	prompts []Prompt
}

var _ Asker = (*Script)(nil)

// Notices returns the notices shown so far.
func (s *Script) Notices() []Notice {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Notice(nil), s.notices...)
}

// Prompts returns the password and PIN questions asked so far.
func (s *Script) Prompts() []Prompt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Prompt(nil), s.prompts...)
}

func (s *Script) ConfirmUnfinished(ctx context.Context, items []Unfinished) (bool, error) {
	return s.Yes, nil
}

func (s *Script) ConfirmForm(ctx context.Context, form *Form) (bool, error) {
	return s.Yes, nil
}

func (s *Script) ChooseMedia(ctx context.Context, key string, choices []MediaChoice) (MediaChoice, error) {
	if s.Media == "" {
		return choices[0], nil
	}
	var names []string
	for _, c := range choices {
		if c.String() == s.Media || c.Kind == media.KindFile && sameDir(c.Root, s.Media) {
			return c, nil
		}
		names = append(names, c.String())
	}
	return MediaChoice{}, fmt.Errorf("%w: media %s is not present (present: %s)",
		ErrNoAnswer, s.Media, strings.Join(names, ", "))
}

func (s *Script) NewPassword(ctx context.Context, p Prompt) ([]byte, error) {
	s.record(p)
	return bytes.Clone(s.NewKeyPassword), nil
}

func (s *Script) ConfirmEmptyPassword(ctx context.Context, p Prompt) (bool, error) {
	return s.AllowEmptyPassword, nil
}

func (s *Script) Password(ctx context.Context, p Prompt) ([]byte, error) {
	s.record(p)
	if s.Answer != nil {
		b, err := s.Answer(p)
		return bytes.Clone(b), err
	}
	if p.Attempt > 1 {
		// The same answer again would fail again.
		return nil, ErrWrongPassword
	}
	for id, pw := range s.Passwords {
		if len(id) >= 4 && strings.HasPrefix(p.Key, id) {
			return bytes.Clone(pw), nil
		}
	}
	if s.AnyPassword == nil {
		return nil, fmt.Errorf("%w: the password of key %s", ErrNoAnswer, p.Key)
	}
	return bytes.Clone(s.AnyPassword), nil
}

func (s *Script) PIN(ctx context.Context, p Prompt) ([]byte, error) {
	s.record(p)
	if s.Answer != nil {
		b, err := s.Answer(p)
		return bytes.Clone(b), err
	}
	if p.Attempt > 1 {
		return nil, ErrWrongPassword
	}
	if pin, ok := s.PINs[p.Media]; ok {
		return bytes.Clone(pin), nil
	}
	if s.AnyPIN == nil {
		return nil, fmt.Errorf("%w: the PIN of token %s", ErrNoAnswer, p.Media)
	}
	return bytes.Clone(s.AnyPIN), nil
}

func (s *Script) Progress(ctx context.Context, p Progress) {
	if s.Notify != nil {
		s.Notify(Info, i18n.T(s.Lang, i18n.SubProgress, p.Index, p.Total, p.Key, p.Subject))
	}
}

func (s *Script) Notice(ctx context.Context, n Notice) {
	s.mu.Lock()
	s.notices = append(s.notices, n)
	s.mu.Unlock()
	if s.Notify != nil {
		s.Notify(n.Level, n.Text(s.Lang))
	}
}

func (s *Script) record(p Prompt) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prompts = append(s.prompts, p)
}
