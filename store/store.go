// Package store is the operator's storage: subscribers, renewal requests (the
// approval queue), serial reservations and certificates, CMP transaction
// bookkeeping, mailboxes, the hash-chained audit trail and CRL numbering.
//
// # Engines
//
// One interface, [Store], has two engines that register themselves with
// [Register] when imported:
//
//   - rekey/store/sqlite: SQLite through modernc.org/sqlite (pure Go), the
//     embedded default. DSN "sqlite:PATH" or a bare path. WAL journal,
//     synchronous=FULL, foreign keys on; writes are serialised in the
//     process and concurrent transactions share a commit (group commit).
//     One process should serve a file; several replicas need PostgreSQL.
//   - rekey/store/postgres: PostgreSQL 15 or later through a pgx pool. DSN
//     "postgres://…" or "postgresql://…". Several rekeyd replicas may share
//     one database.
//
// # Guarantees
//
// Every method that returns nil has committed (inside [Store.InTx]: once
// InTx returns nil): after a crash of the process (and, with the defaults,
// of the machine) the write is there. Methods that write several rows do so
// in one transaction; [Store.InTx] groups several calls into one.
//
// Uniqueness is enforced by the database, so it holds across replicas:
//
//   - a certificate serial is reserved ([Tx.ReserveSerial]) before anything
//     is signed with it, and a certificate can be recorded only under a
//     reserved serial;
//   - a request has at most one reserved serial and at most one certificate
//     (O8), whichever replica or retry gets there first;
//   - the SHA-256 of a SubjectPublicKeyInfo appears in at most one
//     certificate ever (O3), revoked or expired ones included;
//   - a (subscriber, CMP transactionID) pair names at most one request, a
//     (sender, transactionID) pair at most one CMP transaction, and a
//     (sender, senderNonce) pair is accepted once until it expires.
//
// Request states change only by compare-and-set ([Tx.Transition]), so two
// operators approving and rejecting the same request cannot both win. Audit
// appends are serialised (a row lock on PostgreSQL, the single writer on
// SQLite) so the hash chain stays linear; [Store.VerifyChain] recomputes it.
// Within a transaction, append audit records last: on PostgreSQL the
// chain's head stays locked from the append to the commit, and every
// replica's appends queue there; [Tx.AppendAuditsAtCommit] does so for
// the caller.
//
// # Pipelining (PostgreSQL)
//
// Inside [Store.InTx] on PostgreSQL, the writes whose only result is
// their error (RememberNonce, CreateTransaction, UpdateTransaction,
// Transition, ReserveSerial and RecordCertificate for a request, the
// appends at commit) are held back and sent with the transaction's next
// statement, or with its COMMIT, in one round trip. Such a write returns
// nil at once; its error (the same [*OpError], naming the write) is
// returned by the call that sent it, by every call after it, and by
// InTx. So inside fn, treat an error of any call as possibly an earlier
// write's, and decide on a write's outcome from InTx's error. A write
// held back changes its arguments' fields (versions, normalised times) as
// if it had succeeded; on an error the transaction rolls back.
//
// Known issue: VerifyChain detects any change, gap or truncation made
// without rewriting every later record and the chain head. Someone with
// write access to the database who recomputes the whole tail is caught only
// against a copy of an earlier head (seq and hash) kept elsewhere, such as
// the operator's log.
//
// A crash between [Tx.ReserveSerial] and [Tx.RecordCertificate] leaves the
// request approved with its serial reserved; the restarted server finds it
// ([Tx.ListRequests] by state, then [Tx.ReservationByRequest]) and signs
// again under the same serial, so a request never has two serials.
//
// Times are stored in UTC with microsecond precision; the store never reads
// the clock, every time comes from the caller.
//
// # Errors
//
// Every database error is an [*OpError] naming the operation and table and
// wrapping the cause. Callers branch with errors.Is on [ErrNotFound],
// [ErrConflict] (with [*ConflictError] naming the unique key) and
// [ErrStateChanged] (with [*StateError]), never on message text.
//
// # Migrations
//
// Each engine embeds numbered migrations, migrations/NNNN_name.sql, applied
// in order at [Open] and recorded in the table schema_migrations. Opening is
// idempotent and safe when two replicas start at once (an advisory lock on
// PostgreSQL, an immediate transaction on SQLite). To change the schema, add
// the next number to both engines' migrations directories — never edit a
// migration that has shipped — and extend the conformance suite in
// rekey/store/storetest.
package store

import (
	"context"
	"time"
)

// Store is an opened database. Each method of the embedded [Tx] runs in a
// transaction of its own; InTx runs several in one.
type Store interface {
	Tx

	// InTx runs fn in one transaction and commits when it returns nil. fn
	// must use only the Tx it is given: on SQLite a call to the Store from
	// inside fn waits for the writer that fn itself holds. fn may run more
	// than once when PostgreSQL reports a serialisation failure or a
	// deadlock, so it must have no effects outside the transaction. After a
	// method fails inside fn, return its error: on PostgreSQL the
	// transaction cannot continue.
	InTx(ctx context.Context, fn func(Tx) error) error

	// VerifyChain recomputes the audit chain from its first record and
	// returns the number of records checked. A changed, missing, reordered
	// or extra record is reported as a [*ChainError] naming it.
	VerifyChain(ctx context.Context) (int64, error)
	// AuditHead returns the sequence number and hash of the last audit
	// record: 0 and [GenesisHash] for an empty trail.
	AuditHead(ctx context.Context) (seq int64, hash []byte, err error)

	// Engine names the engine: "sqlite" or "postgres".
	Engine() string

	// Close releases the connections.
	Close() error
}

// Tx is what the store can do, in a transaction of its own (as a method of
// [Store]) or in a caller's (inside [Store.InTx]).
type Tx interface {
	// Subscribers.

	// CreateSubscriber inserts s and sets s.ID. A subject already
	// registered is an [ErrConflict].
	CreateSubscriber(ctx context.Context, s *Subscriber) error
	// Subscriber returns the subscriber with the given ID.
	Subscriber(ctx context.Context, id int64) (*Subscriber, error)
	// SubscriberBySubject returns the subscriber whose subject DER is subject.
	SubscriberBySubject(ctx context.Context, subject []byte) (*Subscriber, error)
	// ListSubscribers returns subscribers in ID order.
	ListSubscribers(ctx context.Context, q SubscriberQuery) ([]Subscriber, error)
	// HitRate counts one event in the subscriber's counter named bucket for
	// the window starting at window and returns the count so far. A new
	// window restarts the count at 1.
	HitRate(ctx context.Context, subscriberID int64, bucket string, window time.Time) (int64, error)
	// CountRate counts like HitRate and fails with [ErrRateExceeded] when
	// the count, this one included, is above max. In a pipelined
	// transaction (PostgreSQL) the count waits for the next statement, and
	// its failure may come from any later call of the transaction or from
	// the commit; on SQLite it is immediate.
	CountRate(ctx context.Context, subscriberID int64, bucket string, window time.Time,
		max int64) error

	// Serials and certificates.

	// ReserveSerial persists a serial before anything is signed with it.
	// A serial already reserved, or a second serial for one request, is an
	// [ErrConflict]; the request must exist and be approved.
	ReserveSerial(ctx context.Context, r *Reservation) error
	// Reservation returns the reservation of a serial.
	Reservation(ctx context.Context, serial []byte) (*Reservation, error)
	// ReservationByRequest returns the serial reserved for a request, so a
	// restarted server signs under the same serial instead of a new one.
	ReservationByRequest(ctx context.Context, requestID int64) (*Reservation, error)
	// RecordCertificate stores an issued certificate under its reserved
	// serial and, when it answers a request, moves that request from
	// approved to issued, atomically. A second certificate for a request,
	// a reused key or serial is an [ErrConflict].
	RecordCertificate(ctx context.Context, c *Certificate) error
	// Certificate returns the certificate with the given serial.
	Certificate(ctx context.Context, serial []byte) (*Certificate, error)
	// CertificateByRequest returns the certificate issued for a request.
	CertificateByRequest(ctx context.Context, requestID int64) (*Certificate, error)
	// CertificateBySPKI returns the certificate of a key, given the SHA-256
	// of its SubjectPublicKeyInfo; [ErrNotFound] means never certified.
	CertificateBySPKI(ctx context.Context, spkiSHA256 []byte) (*Certificate, error)
	// RequireKeyUncertified fails with a [*ConflictError] on
	// [KeyCertificateSPKI] when a certificate of the key (by the SHA-256
	// of its SubjectPublicKeyInfo) is recorded; like CountRate, the
	// failure may come later in a pipelined transaction.
	RequireKeyUncertified(ctx context.Context, spkiSHA256 []byte) error
	// ListCertificates returns certificates in (not_after, serial) order.
	ListCertificates(ctx context.Context, q CertificateQuery) ([]Certificate, error)
	// Revoke marks a valid certificate revoked. Revoking one already
	// revoked is an [ErrStateChanged].
	Revoke(ctx context.Context, serial []byte, reason RevocationReason, at time.Time) error
	// NextCRLNumber returns the next CRL number of an issuer: 1, 2, 3, …
	NextCRLNumber(ctx context.Context, issuer []byte) (int64, error)

	// Renewal requests, the approval queue.

	// CreateRequest stores an accepted request in state received (or the
	// state r names: received, waiting, or approved with DecidedAt and
	// DecidedBy, an automatic approval made as it arrives) and sets r.ID.
	// A transactionID the subscriber used before is an [ErrConflict]; in a
	// pipelined transaction (PostgreSQL) the ID is chosen before the row is
	// written and the conflict may come from a later call or the commit.
	CreateRequest(ctx context.Context, r *Request) error
	// Request returns the request with the given ID.
	Request(ctx context.Context, id int64) (*Request, error)
	// RequestByTransaction returns a subscriber's request by CMP transactionID.
	RequestByTransaction(
		ctx context.Context,
		subscriberID int64,
		transactionID []byte,
	) (*Request, error)
	// ListRequests returns requests in ID order.
	ListRequests(ctx context.Context, q RequestQuery) ([]Request, error)
	// Transition moves request id from state from to state to, compare and
	// set: a request no longer in from is an [ErrStateChanged] with a
	// [*StateError]; a move the state machine does not allow is an
	// [ErrInvalid]. d is recorded when to is a decision (approved,
	// rejected, expired).
	Transition(ctx context.Context, id int64, from, to State, d Decision) error

	// CMP transactions.

	// CreateTransaction stores a new transaction with Version 1. A
	// (sender, transactionID) pair in use is an [ErrConflict].
	CreateTransaction(ctx context.Context, t *Transaction) error
	// CertificateAndTransaction reads the certificate with a serial and the
	// transaction of sender and transactionID together (on PostgreSQL in
	// one round trip); either is nil when there is none.
	CertificateAndTransaction(ctx context.Context, serial, sender, transactionID []byte) (
		*Certificate, *Transaction, error)
	// Transaction returns a transaction by sender and transactionID.
	Transaction(ctx context.Context, sender, transactionID []byte) (*Transaction, error)
	// ListTransactions returns the transactions q selects, those expiring
	// first first (then by sender and transactionID).
	ListTransactions(ctx context.Context, q TransactionQuery) ([]Transaction, error)
	// UpdateTransaction writes t when the stored version is still
	// t.Version and increments t.Version; otherwise [ErrStateChanged].
	UpdateTransaction(ctx context.Context, t *Transaction) error
	// RememberNonce records a senderNonce until expires; a nonce the
	// sender used before is an [ErrConflict] (a replay), until
	// ExpireTransactions removes it.
	RememberNonce(ctx context.Context, sender, nonce []byte, expires time.Time) error
	// ClaimOnce records that the one-time thing named key (a one-time
	// secret's use, say) was used at at; a key claimed before is an
	// [ErrConflict] on [KeyClaim], forever. In a caller's transaction the
	// claim commits with the rest or not at all, so that of several
	// transactions claiming one key, in this process or another replica,
	// one commits. In a pipelined transaction (PostgreSQL) the conflict
	// may come from a later call of the transaction or from the commit.
	ClaimOnce(ctx context.Context, key []byte, at time.Time) error
	// ExpireTransactions deletes transactions and nonces that expired
	// before now and returns how many rows went.
	ExpireTransactions(ctx context.Context, now time.Time) (int64, error)

	// Mailboxes.

	// PutMessage queues m for its subscriber and sets m.ID.
	PutMessage(ctx context.Context, m *Message) error
	// Messages returns the unacknowledged messages of one subscriber, of
	// one transaction when transactionID is not nil, oldest first.
	Messages(ctx context.Context, subscriberID int64, transactionID []byte) ([]Message, error)
	// ListMessages returns the unacknowledged messages of one kind, of
	// every subscriber, created before q.CreatedBefore when set, oldest
	// first, at most q.Limit when positive.
	ListMessages(ctx context.Context, q MessageQuery) ([]Message, error)
	// AckMessage marks a message delivered. Only its recipient can: a
	// message of someone else is [ErrNotFound]. Acknowledging twice is
	// not an error.
	AckMessage(ctx context.Context, subscriberID, id int64, at time.Time) error

	// Audit trail.

	// AppendAudit appends an entry to the hash chain and returns the
	// record with its sequence number and hashes.
	AppendAudit(ctx context.Context, e AuditEntry) (*AuditRecord, error)
	// AppendAudits appends entries to the hash chain in order, all or
	// none, as AppendAudit called for each in turn would, and returns
	// their records (Seq, PrevHash and Hash set) in the same order. Every
	// entry is checked before anything is written: one without a time or
	// an action is an [ErrInvalid] and nothing is appended. No other
	// record comes between them, whoever appends at the same time. An
	// empty entries does nothing and returns nil.
	//
	// It costs what a single append costs: one round trip on PostgreSQL
	// (where the chain's head stays locked until commit, so append last),
	// three statements on SQLite, two when the chain's head is where this
	// store's last append left it (an INSERT more for every 100 records
	// past the first 100).
	AppendAudits(ctx context.Context, entries []AuditEntry) ([]*AuditRecord, error)
	// AppendAuditsAtCommit appends entries as AppendAudits does, but
	// inside [Store.InTx] only when the transaction is about to commit,
	// after everything else it wrote; on PostgreSQL in the round trip of
	// the COMMIT itself, so the chain's head is locked only while the
	// commit runs. The entries are checked now (an [ErrInvalid] appends
	// nothing); the append's own failure fails the commit. Their records
	// are not returned. Outside InTx it is AppendAudits in a transaction
	// of its own.
	AppendAuditsAtCommit(ctx context.Context, entries []AuditEntry) error
	// AuditRecords returns up to limit records after sequence number after.
	AuditRecords(ctx context.Context, after int64, limit int) ([]AuditRecord, error)
}
