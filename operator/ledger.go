package operator

import (
	"context"
	"time"

	"rekey/store"
)

// The operator reaches its storage through these small interfaces. Their
// methods are those of store.Tx, so a store.Store (or the Tx of an InTx)
// satisfies every one of them; tests use in-memory fakes.

// SerialReserver persists a serial before anything is signed with it
// (requirement O8).
type SerialReserver interface {
	// ReserveSerial stores r; a serial taken, or a second serial for one
	// request, is an error matching store.ErrConflict.
	ReserveSerial(ctx context.Context, r *store.Reservation) error
	// ReservationByRequest returns the serial reserved for a request, or
	// an error matching store.ErrNotFound.
	ReservationByRequest(ctx context.Context, requestID int64) (*store.Reservation, error)
}

// CertificateRecorder stores issued certificates.
type CertificateRecorder interface {
	// RecordCertificate stores c under its reserved serial and moves its
	// request, if any, to issued. A second certificate for a request is an
	// error matching store.ErrConflict.
	RecordCertificate(ctx context.Context, c *store.Certificate) error
	// CertificateByRequest returns the certificate issued for a request,
	// or an error matching store.ErrNotFound.
	CertificateByRequest(ctx context.Context, requestID int64) (*store.Certificate, error)
}

// Auditor appends to the audit trail. The operator writes a record before
// and after every signature, and one for every policy decision.
type Auditor interface {
	AppendAudit(ctx context.Context, e store.AuditEntry) (*store.AuditRecord, error)
}

// Ledger is what the issuance path needs.
type Ledger interface {
	SerialReserver
	CertificateRecorder
	Auditor
}

// TxRunner runs several calls in one transaction and commits when fn
// returns nil, as store.Store.InTx does. A Ledger or RenewalStore that is
// also a TxRunner gets each step's writes in one commit; fn may run more
// than once.
type TxRunner interface {
	InTx(ctx context.Context, fn func(store.Tx) error) error
}

// LaterRunner is a TxRunner that can hold a transaction back for the next
// commit of the caller's unit of work (rekeyd's CMP message), which comes
// before anything that depends on it is sent. Later queues fn for that
// commit and reports true, or reports false when there is no unit of work
// (the caller then runs fn now). When that commit fails, failed runs
// after it, outside any transaction, with its error, and reports whether
// the unit of work should be done again from the start: fn lost a race
// that a second pass resolves.
type LaterRunner interface {
	TxRunner
	Later(ctx context.Context, fn func(store.Tx) error,
		failed func(context.Context, error) (again bool)) bool
}

// CertificateLookup finds certificates this CA issued, for the renewal
// policy.
type CertificateLookup interface {
	// Certificate returns the certificate with a serial (the content
	// octets of its DER INTEGER), or an error matching store.ErrNotFound.
	Certificate(ctx context.Context, serial []byte) (*store.Certificate, error)
	// CertificateBySPKI returns the certificate of a key by KeyFingerprint,
	// or an error matching store.ErrNotFound when the key was never
	// certified.
	CertificateBySPKI(ctx context.Context, spkiSHA256 []byte) (*store.Certificate, error)
}

// RateCounter counts a subscriber's requests per window.
type RateCounter interface {
	// HitRate counts one event in the subscriber's bucket for the window
	// starting at window and returns the count so far, this one included.
	HitRate(ctx context.Context, subscriberID int64, bucket string, window time.Time) (int64, error)
}

// HeldChecker is a PolicyStore (store.Tx is one) whose rate count and
// look for a certified key are checks that may fail later: at a later
// call of the transaction or at its commit, on PostgreSQL, where they
// then travel with the statements after them instead of costing a round
// trip each. Renewals.Submit uses them first and, when one fails late,
// decides the request again with the reads (HitRate, CertificateBySPKI),
// which give the refusal its count and its record.
type HeldChecker interface {
	CountRate(ctx context.Context, subscriberID int64, bucket string, window time.Time,
		max int64) error
	RequireKeyUncertified(ctx context.Context, spkiSHA256 []byte) error
}

// PolicyStore is what the renewal policy needs.
type PolicyStore interface {
	CertificateLookup
	RateCounter
	Auditor
}

// The store satisfies every interface above.
var (
	_ RenewalStore  = store.Tx(nil)
	_ ApprovalStore = store.Tx(nil)
)
