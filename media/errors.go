package media

import (
	"errors"
	"fmt"
)

// Errors callers branch on with errors.Is. None of them, nor any error of
// this package, ever contains a password or a PIN.
var (
	// ErrWrongPassword: the container's key does not decrypt under the
	// password given (or its file is damaged; PBES2 cannot tell the two
	// apart).
	ErrWrongPassword = errors.New("media: wrong password")
	// ErrPasswordRequired: an empty password was given for a new container
	// without CreateOptions.AllowEmptyPassword.
	ErrPasswordRequired = errors.New("media: an empty password needs an explicit confirmation")
	// ErrWrongPIN: the token refused the PIN.
	ErrWrongPIN = errors.New("media: wrong PIN")
	// ErrPINLocked: the token's user PIN is blocked after too many wrong
	// tries; only the token's administrator (SO PIN) can unblock it.
	ErrPINLocked = errors.New("media: PIN is locked")
	// ErrMediaMissing: a media root, container or token is not there (a
	// drive not inserted, a token not plugged in).
	ErrMediaMissing = errors.New("media: media not found")
	// ErrArchived: the key is archived: it may decrypt but never sign.
	ErrArchived = errors.New(
		"media: the key is archived and may only decrypt; sign with its successor")
	// ErrKeyMismatch: a certificate does not certify the container's key,
	// or a loaded key differs from the key its certificate certifies.
	ErrKeyMismatch = errors.New("media: certificate does not match the key")
	// ErrWrongIssuer: a certificate was not issued by the container's CA.
	ErrWrongIssuer = errors.New("media: certificate is not issued by the container's CA")
	// ErrState: the operation does not apply to the key in its state
	// (installing a certificate into an active container, say).
	ErrState = errors.New("media: operation not allowed in the key's state")
	// ErrExists: the target container already exists.
	ErrExists = errors.New("media: container already exists")
	// ErrCorrupt: a container's files are damaged or inconsistent.
	ErrCorrupt = errors.New("media: container is damaged")
	// ErrNotExtractable: a token key cannot leave its token, so it cannot
	// be backed up by copying.
	ErrNotExtractable = errors.New("media: the key cannot leave its token")
	// ErrUnsupported: the media cannot do what was asked (a token without
	// GOST mechanisms asked for a GOST key, say).
	ErrUnsupported = errors.New("media: not supported by the media")
	// ErrNotFound: no key has the id asked for.
	ErrNotFound = errors.New("media: no such key")
	// ErrAmbiguous: an id prefix matches several keys.
	ErrAmbiguous = errors.New("media: the key id is ambiguous")
)

// ContainerError reports a container that could not be used, naming its
// directory and the file at fault. It unwraps to ErrCorrupt (or
// ErrMediaMissing) and to the underlying cause.
type ContainerError struct {
	Dir  string // the container directory
	File string // the file at fault, relative to Dir; "" for the directory
	Err  error
}

func (e *ContainerError) Error() string {
	where := e.Dir
	if e.File != "" {
		where += "/" + e.File
	}
	return fmt.Sprintf("media: container %s: %v", where, trimPrefix(e.Err))
}

func (e *ContainerError) Unwrap() error { return e.Err }

// PINError is the error of a refused PIN: it unwraps to ErrWrongPIN or
// ErrPINLocked and tells how many tries the token says are left.
type PINError struct {
	Token string // the token's label
	// Retries is what the token reports after the failure: RetriesUnknown
	// (the token says nothing), RetriesLow (CKF_USER_PIN_COUNT_LOW),
	// RetriesFinal (CKF_USER_PIN_FINAL_TRY: the next wrong PIN locks it) or
	// RetriesNone (CKF_USER_PIN_LOCKED).
	Retries Retries
	Err     error
}

// Retries is what a PKCS#11 token tells of the wrong PIN tries left.
type Retries int

// The retry states of a token's user PIN (PKCS#11 v2.40 §5.6, CK_TOKEN_INFO
// flags).
const (
	RetriesUnknown Retries = iota
	RetriesLow
	RetriesFinal
	RetriesNone
)

// String describes the retries for a person.
func (r Retries) String() string {
	switch r {
	case RetriesLow:
		return "few tries are left before the PIN locks"
	case RetriesFinal:
		return "one try is left: the next wrong PIN locks the token"
	case RetriesNone:
		return "no tries are left: the PIN is locked"
	}
	return "the token does not say how many tries are left"
}

func (e *PINError) Error() string {
	return fmt.Sprintf("media: token %q: %v (%s)", e.Token, trimPrefix(e.Err), e.Retries)
}

func (e *PINError) Unwrap() error { return e.Err }

// trimPrefix drops this package's prefix from a wrapped error's text so
// that messages do not repeat it.
func trimPrefix(err error) string {
	s := err.Error()
	const p = "media: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}
