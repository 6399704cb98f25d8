package subscriber

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"rekey/media"
)

// Errors the command line branches on with errors.Is. Each names what to
// do; none carries a password or a PIN.
var (
	// ErrLastDay: the key's last day has come; remote renewal is impossible
	// (S5) and the key is replaced in the operator's office.
	ErrLastDay = errors.New("subscriber: today is the key's last day: " +
		"it can only be replaced in the operator's office")
	// ErrExpired: the key may no longer sign; it is replaced in the office.
	ErrExpired = errors.New("subscriber: the key has expired: " +
		"it can only be replaced in the operator's office")
	// ErrMediaMissing: the media holding a key is not present. Errors that
	// wrap it are *MediaMissingError, naming the media.
	ErrMediaMissing = errors.New("subscriber: the key's media is not present")
	// ErrWrongPassword: the password (or PIN) was wrong on every attempt.
	ErrWrongPassword = errors.New("subscriber: wrong password")
	// ErrUnreachable: the operator could not be reached; what waits stays
	// queued and goes on the next sync.
	ErrUnreachable = errors.New("subscriber: the operator cannot be reached")
	// ErrRefused: the operator refused a request; errors wrapping it are
	// *RefusedError with the operator's text.
	ErrRefused = errors.New("subscriber: the operator refused the request")
	// ErrCancelled: the person answered no.
	ErrCancelled = errors.New("subscriber: cancelled")
	// ErrRenewalPending: the key already has a renewal in progress; sync
	// finishes it.
	ErrRenewalPending = errors.New("subscriber: the key's renewal is already in progress; run sync")
	// ErrNotRenewable: the key is not an active key with a certificate
	// (pending or archived).
	ErrNotRenewable = errors.New("subscriber: only an active key with a certificate can be renewed")
	// ErrNoAnswer: a scripted Asker has no answer for a question.
	ErrNoAnswer = errors.New("subscriber: no answer given for a question")
)

// MediaMissingError names the media a step needs that is not present.
type MediaMissingError struct {
	Key   string // the key id
	Media string // the media root or token label
}

func (e *MediaMissingError) Error() string {
	return fmt.Sprintf("subscriber: the media of key %s is not present: insert %s and try again",
		e.Key, e.Media)
}

// Is makes the error match both ErrMediaMissing and media.ErrMediaMissing.
func (e *MediaMissingError) Is(target error) bool {
	return target == ErrMediaMissing || target == media.ErrMediaMissing
}

// RefusedError is a refusal by the operator, with its failure category and
// its texts in Russian and English, to be shown as they are.
type RefusedError struct {
	Key     string `json:"key"`     // the key whose request was refused
	Failure string `json:"failure"` // the PKIFailureInfo names, e.g. "badCertTemplate"
	RU      string `json:"ru"`
	EN      string `json:"en"`
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("subscriber: the operator refused the renewal of key %s (%s): %s",
		e.Key, e.Failure, e.EN)
}

// Text returns the operator's text in lang ("ru" or "en"), falling back
// to the other language.
func (e *RefusedError) Text(lang string) string { return textIn(lang, e.RU, e.EN) }

// textIn returns the operator's text in lang ("ru" or "en"), the other
// when that one is empty.
func textIn(lang, ru, en string) string {
	if lang == "ru" && ru != "" || en == "" {
		return ru
	}
	return en
}

func (e *RefusedError) Unwrap() error { return ErrRefused }

// BadTime reports whether the operator refused the message's time
// (PKIFailureInfo badTime): the computer's date, time or time zone is
// wrong. The key itself is fine and need not be replaced in the office.
func (e *RefusedError) BadTime() bool {
	return slices.Contains(strings.Split(e.Failure, ","), "badTime")
}

// UnreachableError is a failed exchange with the operator: the item stays
// queued, with the attempt counted and the error kept.
type UnreachableError struct {
	Operator string
	Attempts int
	Err      error
	// Answered, when set, says the operator was reached but answered with
	// a refusal that is its passing state, not a decision on the request
	// (see Client.Sync): its failure and texts.
	Answered *Refusal
}

func (e *UnreachableError) Error() string {
	if e.Answered != nil {
		return fmt.Sprintf("subscriber: the operator %s cannot answer now (attempt %d): %v; "+
			"the request stays queued for the next sync", e.Operator, e.Attempts, e.Err)
	}
	return fmt.Sprintf("subscriber: the operator %s cannot be reached (attempt %d): %v; "+
		"the request stays queued for the next sync", e.Operator, e.Attempts, e.Err)
}

func (e *UnreachableError) Unwrap() []error { return []error{ErrUnreachable, e.Err} }

// KeyError is an error about one key of several (S14): the others go on.
type KeyError struct {
	Key string
	Err error
	// Office says whom to contact in the operator's office about the key,
	// in the client's language (see Options.Office), for the errors that
	// send the subscriber there.
	Office string
}

func (e *KeyError) Error() string {
	msg := strings.TrimPrefix(e.Err.Error(), "subscriber: ")
	return fmt.Sprintf("subscriber: key %s: %s", e.Key, msg)
}
func (e *KeyError) Unwrap() error { return e.Err }
