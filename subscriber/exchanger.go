package subscriber

import (
	"context"
	"crypto"
	"time"

	"rekey/pki"
)

// Exchanger is the subscriber's side of CMP (package rekey/cmp's client)
// as the flow needs it. Every call carries the transaction state the
// previous one returned, which the flow keeps in the outbox: a process
// that crashed resumes a transaction from there.
//
// A call that returns an error did not get an answer from the operator
// (unreachable, a timeout, an unreadable answer): the flow keeps the item
// queued, counts the attempt and keeps the error. A refusal is not an
// error: it is a Reply with Status Refused.
//
// signer is the current key. It may be a lazy signer that asks for the
// password or PIN on its first Sign, so an Exchanger should sign only when
// a message must be signed.
type Exchanger interface {
	// KeyUpdate builds and protects a key update request (kur, RFC 9483
	// §4.1.3) for the new key, signed with the current key, with the new
	// key's proof of possession. It sends nothing: the state returned
	// holds the request for Send.
	KeyUpdate(ctx context.Context, req *KeyUpdateRequest) (state []byte, err error)

	// Send sends the request held by state. Sending the same state again
	// (after a crash before its answer was stored) must not make a second
	// request: the same transaction is sent again.
	Send(ctx context.Context, operator string, state []byte, signer crypto.Signer) (*Reply, error)

	// Poll asks for the certificate of a waiting request (pollReq).
	Poll(ctx context.Context, operator string, state []byte, signer crypto.Signer) (*Reply, error)

	// Confirm accepts the certificate received (certConf, answered by
	// pkiConf). It returns the final state. Confirming again a
	// transaction the operator already closed succeeds.
	Confirm(ctx context.Context, operator string, state []byte, signer crypto.Signer) ([]byte, error)
}

// KeyUpdateRequest is what a kur is built from.
type KeyUpdateRequest struct {
	Operator string           // the operator's CMP URL
	Current  *pki.Certificate // the current certificate; its subject is requested unchanged
	CA       *pki.Certificate // the issuing CA
	Signer   crypto.Signer    // the current key: protects the request
	NewKey   crypto.Signer    // the new key: signs its proof of possession
	Now      time.Time
}

// ReplyStatus is the outcome of Send or Poll.
type ReplyStatus string

// The outcomes.
const (
	Issued  ReplyStatus = "issued"
	Waiting ReplyStatus = "waiting"
	Refused ReplyStatus = "refused"
)

// Reply is the operator's answer to Send or Poll.
type Reply struct {
	Status ReplyStatus
	// State is the transaction's state to keep for the next call.
	State []byte
	// Certificate is the new certificate (DER) when Issued.
	Certificate []byte
	// CheckAfter is when to poll again when Waiting (checkAfter).
	CheckAfter time.Duration
	// Failure names the PKIFailureInfo bits, RU and EN the operator's
	// text, when Refused (or, when Waiting, why: optional).
	Failure string
	RU, EN  string
}
