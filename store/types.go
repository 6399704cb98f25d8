package store

import "time"

// Subscriber is a holder of certificates, identified by the subject of its
// certificates (renewal keeps the subject, O2).
type Subscriber struct {
	ID          int64
	SubjectDER  []byte // the DER of the certificate subject Name
	SubjectJSON []byte // the subject as the enroll subject file renders it
	Contact     string // the office to contact for in-office procedures
	CreatedAt   time.Time
}

// SubscriberQuery selects subscribers for [Tx.ListSubscribers].
type SubscriberQuery struct {
	AfterID int64 // only IDs greater than this
	Limit   int   // at most this many; 0 means no limit
}

// Reservation is a serial persisted before signing (O8).
type Reservation struct {
	Serial     []byte // the DER INTEGER's content: at most 20 bytes, positive, minimal
	Issuer     []byte // the DER of the issuer Name
	RequestID  int64  // the request it answers; 0 for an in-office issuance
	ReservedAt time.Time
}

// CertStatus is the revocation status of a certificate.
type CertStatus string

// Certificate statuses.
const (
	StatusValid   CertStatus = "valid"
	StatusRevoked CertStatus = "revoked"
)

// RevocationReason is a CRLReason of RFC 5280, section 5.3.1.
type RevocationReason int

// Revocation reasons used by the operator.
const (
	ReasonUnspecified          RevocationReason = 0
	ReasonKeyCompromise        RevocationReason = 1
	ReasonAffiliationChanged   RevocationReason = 3
	ReasonSuperseded           RevocationReason = 4
	ReasonCessationOfOperation RevocationReason = 5
)

// Certificate is an issued certificate.
type Certificate struct {
	Serial       []byte // as reserved
	Issuer       []byte // the DER of the issuer Name
	SubscriberID int64
	RequestID    int64 // the request that produced it; 0 for in-office issuance
	DER          []byte
	SPKISHA256   []byte // SHA-256 of the DER SubjectPublicKeyInfo
	NotBefore    time.Time
	NotAfter     time.Time
	KeyExpires   time.Time // the key's last use: privateKeyUsagePeriod, else NotAfter
	IssuedAt     time.Time

	Status           CertStatus // set by the store; valid on insert
	RevocationReason RevocationReason
	RevokedAt        time.Time // zero unless revoked
}

// CertificateQuery selects certificates for [Tx.ListCertificates]. Zero
// fields select everything.
type CertificateQuery struct {
	SubscriberID int64
	// SubscriberAfter and SubscriberUpTo, when SubscriberUpTo is set,
	// select the certificates of the subscribers with SubscriberAfter <
	// ID <= SubscriberUpTo: those of a page of ListSubscribers at once.
	SubscriberAfter, SubscriberUpTo int64
	Issuer                          []byte
	Status                          CertStatus
	NotAfterBefore                  time.Time // certificates whose NotAfter is before this
	Limit                           int
}

// State is a renewal request's place in the approval queue.
//
//	received → waiting → approved → issued → confirmed
//	received → approved (automatic approval)
//	received, waiting, approved, issued → rejected | expired
type State string

// Request states.
const (
	StateReceived  State = "received"  // accepted by the policy, not yet decided
	StateWaiting   State = "waiting"   // queued for an operator's approval
	StateApproved  State = "approved"  // to be issued
	StateIssued    State = "issued"    // certificate recorded, not yet confirmed
	StateConfirmed State = "confirmed" // the subscriber's certConf accepted it
	StateRejected  State = "rejected"  // refused, with a reason
	StateExpired   State = "expired"   // abandoned after its deadline
)

var transitions = map[State][]State{
	StateReceived: {StateWaiting, StateApproved, StateRejected, StateExpired},
	StateWaiting:  {StateApproved, StateRejected, StateExpired},
	StateApproved: {StateIssued, StateRejected, StateExpired},
	StateIssued:   {StateConfirmed, StateRejected, StateExpired},
}

// CanTransition reports whether the state machine allows from → to.
func CanTransition(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Valid reports whether s is one of the request states.
func (s State) Valid() bool {
	switch s {
	case StateReceived, StateWaiting, StateApproved, StateIssued,
		StateConfirmed, StateRejected, StateExpired:
		return true
	}
	return false
}

// Terminal reports whether no transition leaves s.
func (s State) Terminal() bool { return s.Valid() && len(transitions[s]) == 0 }

// IsDecision reports whether entering s records a [Decision].
func (s State) IsDecision() bool {
	return s == StateApproved || s == StateRejected || s == StateExpired
}

// Request is a renewal request (a CMP kur) in the approval queue.
type Request struct {
	ID            int64
	SubscriberID  int64
	TransactionID []byte // the CMP transactionID, unique per subscriber
	Message       []byte // the DER PKIMessage as received
	SignerSerial  []byte // serial of the current certificate that protected it
	SPKISHA256    []byte // SHA-256 of the new key's SubjectPublicKeyInfo
	State         State
	Reason        string // why it was rejected or expired
	ReceivedAt    time.Time
	UpdatedAt     time.Time // of the last transition
	DecidedAt     time.Time // zero until approved, rejected or expired
	DecidedBy     string    // an operator's name, or "policy" for automatic decisions
}

// MessageQuery selects unacknowledged messages for [Tx.ListMessages].
type MessageQuery struct {
	Kind          string // required
	CreatedBefore time.Time
	Limit         int
}

// RequestQuery selects requests for [Tx.ListRequests]. Zero fields select
// everything.
type RequestQuery struct {
	States         []State // any of these states
	SubscriberID   int64
	ReceivedBefore time.Time // received before this: the overdue ones for a SLA
	AfterID        int64
	Limit          int
}

// Decision is who moved a request and why.
type Decision struct {
	At     time.Time
	By     string
	Reason string
}

// Transaction is the server's bookkeeping of one CMP transaction.
type Transaction struct {
	Sender        []byte // the DER of the sender GeneralName (or another stable identity)
	TransactionID []byte
	RequestID     int64  // the renewal request it carries, if any
	SenderNonce   []byte // the last senderNonce received
	RecipNonce    []byte // the last senderNonce the server sent
	Expect        string // the body type expected next, e.g. "pollReq", "certConf"
	Version       int64  // for compare-and-set in UpdateTransaction
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ExpiresAt     time.Time
	// State is the protocol layer's own record of the transaction, opaque
	// to the store and kept as given (nil when none).
	State []byte
}

// TransactionQuery selects transactions for ListTransactions; zero fields
// select all.
type TransactionQuery struct {
	Sender        []byte
	Expect        string    // in this state of the protocol layer, e.g. "issued"
	ExpiresBefore time.Time // expiring before this
	Limit         int
}

// Message is an item of a subscriber's mailbox (O5).
type Message struct {
	ID            int64
	SubscriberID  int64  // the only one who may fetch it
	TransactionID []byte // the transaction it answers, if any
	Kind          string // e.g. "cmp-response", "confirmation"
	Body          []byte
	CreatedAt     time.Time
	AckedAt       time.Time // zero until acknowledged
}

// AuditEntry is what the caller appends to the audit trail.
type AuditEntry struct {
	At      time.Time
	Actor   string // "policy", an operator's name, a subscriber ID
	Action  string // e.g. "request.received", "sign.before", "sign.after", "approve"
	Object  string // what it is about: a request ID, a serial in hex
	Details []byte // JSON by convention; hashed as stored
}

// AuditRecord is an appended [AuditEntry] in the chain.
type AuditRecord struct {
	Seq int64 // 1, 2, 3, … without gaps
	AuditEntry
	PrevHash []byte // Hash of record Seq-1; 32 zero bytes for the first
	Hash     []byte // see [AuditRecord.ComputeHash]
}

func (s State) String() string { return string(s) }
