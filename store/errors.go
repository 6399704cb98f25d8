package store

import (
	"errors"
	"fmt"
)

// Errors that callers branch on. They come wrapped in an [*OpError].
var (
	// ErrNotFound: no row matched.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a unique key is taken (a duplicate, a replay, or
	// another replica got there first). See [ConflictError].
	ErrConflict = errors.New("store: conflict")
	// ErrStateChanged: a compare-and-set lost; the row is no longer in
	// the expected state or version. See [StateError].
	ErrStateChanged = errors.New("store: state changed")
	// ErrRateExceeded: CountRate counted past its limit.
	ErrRateExceeded = errors.New("store: rate limit exceeded")
	// ErrInvalid: the caller passed something the store refuses to write,
	// such as a transition the state machine does not have.
	ErrInvalid = errors.New("store: invalid argument")
)

// Unique keys named by [ConflictError.Key], the same for every engine.
const (
	KeySubscriberSubject  = "subscriber.subject"
	KeySerial             = "serial"
	KeySerialRequest      = "serial.request"
	KeyCertificateSerial  = "certificate.serial"
	KeyCertificateSPKI    = "certificate.spki"
	KeyCertificateRequest = "certificate.request"
	KeyRequestTransaction = "request.transaction"
	KeyTransaction        = "transaction"
	KeyNonce              = "nonce"
	KeyClaim              = "claim"
)

// OpError is a failed store operation: the method, the main table and the
// cause, which errors.Is and errors.As reach through Unwrap.
type OpError struct {
	Op    string // the method, e.g. "RecordCertificate"
	Table string // the table it failed on
	Err   error
}

func (e *OpError) Error() string {
	return fmt.Sprintf("store: %s on %s: %v", e.Op, e.Table, e.Err)
}

func (e *OpError) Unwrap() error { return e.Err }

// ConflictError is an [ErrConflict] that names the unique key, one of the
// Key constants, or "" when the engine did not say. Cause is the driver's
// error.
type ConflictError struct {
	Key   string
	Cause error
}

func (e *ConflictError) Error() string {
	if e.Key == "" {
		return "duplicate key"
	}
	return "duplicate " + e.Key
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

func (e *ConflictError) Unwrap() error { return e.Cause }

// StateError is an [ErrStateChanged] from [Tx.Transition]: request ID was
// expected in Want but is in Got.
type StateError struct {
	ID   int64
	Want State
	Got  State
}

func (e *StateError) Error() string {
	return fmt.Sprintf("request %d is %s, not %s", e.ID, e.Got, e.Want)
}

// Is makes errors.Is(err, ErrStateChanged) true.
func (e *StateError) Is(target error) bool { return target == ErrStateChanged }

// ChainError reports the first audit record that breaks the chain.
type ChainError struct {
	Seq     int64  // the record's sequence number
	Problem string // what is wrong with it
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("store: audit record %d: %s", e.Seq, e.Problem)
}
