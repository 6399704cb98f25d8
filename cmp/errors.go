package cmp

import (
	"errors"
	"fmt"
)

// Error is the error type of the package. Failure names the PKIFailureInfo
// bit that a server would answer with (RFC 9810 §5.2.3): FailBadDataFormat
// for a malformed message, FailBadMessageCheck for protection that does not
// verify, FailBadAlg for an algorithm rekey does not support, and so on.
// The text is for logs; it starts with "cmp: " and never holds secrets.
type Error struct {
	Failure FailureInfo
	msg     string
	err     error
}

func (e *Error) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}

// Unwrap returns the underlying error, such as pki.ErrSignature.
func (e *Error) Unwrap() error { return e.err }

// FailureOf returns the failure category of err: the Failure of the first
// *Error in its chain, or FailSystemFailure for any other non-nil error and
// 0 for nil.
func FailureOf(err error) FailureInfo {
	if err == nil {
		return 0
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Failure
	}
	return FailSystemFailure
}

func newError(f FailureInfo, msg string) *Error {
	return &Error{Failure: f, msg: msg}
}

func errorf(f FailureInfo, format string, args ...any) *Error {
	return &Error{Failure: f, msg: fmt.Sprintf(format, args...)}
}

func wrapError(f FailureInfo, err error, format string, args ...any) *Error {
	return &Error{Failure: f, msg: fmt.Sprintf(format, args...), err: err}
}

// malformed reports a DER decoding failure of the named part.
func malformed(what string) *Error {
	return &Error{Failure: FailBadDataFormat, msg: "cmp: malformed " + what}
}
