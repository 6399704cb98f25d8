package cmp

import (
	"context"
	"crypto"
	"math/big"
	"time"

	"rekey/pki"
)

// Authority is what the operator implements behind the Server: the CA and
// its registration policy. The Server calls it only with requests whose
// protection, sender certificate chain, transaction, nonces, time and
// proof of possession have been checked; the Authority decides.
//
// Errors: a *Refusal is a decision (its failure bits and texts go to the
// subscriber); any other error is an internal failure, logged by the
// Server and answered with systemFailure and a generic text. Every method
// may be called concurrently, for different transactions.
type Authority interface {
	// Enroll decides on a first enrollment (ir) protected with a
	// one-time secret.
	Enroll(ctx context.Context, req *EnrollRequest) (*Decision, error)

	// UpdateKey decides on a key update (kur) signed with the current
	// certificate. Renewal is default-deny: an Authority that does not
	// know the subscriber refuses. It may be asked again for a
	// transactionID it has seen, when the Server stopped before
	// recording its answer and the subscriber resent the kur (same
	// signer, key and certReqId, a fresh senderNonce): it must then
	// answer the request it holds for that transaction — waiting, or its
	// one certificate — and never issue a second one.
	UpdateKey(ctx context.Context, req *KeyUpdateRequest) (*Decision, error)

	// Poll returns the current decision of a transaction that was
	// answered with Waiting.
	Poll(ctx context.Context, req *PollRequest) (*Decision, error)

	// Confirm reports the end of an issuing transaction: the
	// subscriber's certConf (accepted or rejected), an implicit
	// confirmation, or a confirmation that never came (Expired). An
	// Authority publishes or revokes accordingly. A one-time secret is
	// retired here: the certConf and pollReq of an ir are protected with
	// the same secret.
	Confirm(ctx context.Context, c *Confirmation) error

	// Revoke revokes the certificate of a rr. Returning nil means the
	// certificate is revoked (status accepted).
	Revoke(ctx context.Context, req *RevokeRequest) error

	// GeneralInfo answers a genm: for each requested info type it knows,
	// an entry of the response (CACertsInfo, CRLsInfo,
	// RenewalWindowInfo…). Types it does not know are left out.
	GeneralInfo(ctx context.Context, req *InfoRequest) ([]InfoTypeAndValue, error)

	// Revoked reports whether a certificate that protects a request is
	// revoked; the Server then refuses with certRevoked.
	Revoked(ctx context.Context, cert *pki.Certificate) (bool, error)
}

// SecretSource finds the one-time secret of a first enrollment by its
// reference, the senderKID of the ir (RFC 9483 §3.2, "-ref" of OpenSSL).
// It returns a *Refusal (notAuthorized, say) for a reference it does not
// know or that is used up. The secret is never logged.
type SecretSource interface {
	Secret(ctx context.Context, reference []byte) ([]byte, error)
}

// CertRequestInfo is what the Server checked of one certificate request
// (ir or kur): the template as sent, its decoded public key, and the DER
// of the whole request message for audit (hash it, do not log it).
type CertRequestInfo struct {
	TransactionID []byte
	CertReqID     int64
	Template      CertTemplate
	PublicKey     crypto.PublicKey // of Template.PublicKey, POP verified
	Subject       *pki.Subject     // of Template.Subject; nil when absent
	MessageDER    []byte
	// ImplicitConfirm says that the subscriber asked for implicit
	// confirmation and the Server grants it: the Authority will get no
	// certConf but Confirm with Implicit set.
	ImplicitConfirm bool
}

// EnrollRequest is a checked ir.
type EnrollRequest struct {
	CertRequestInfo
	// Reference is the senderKID naming the one-time secret whose MAC
	// verified.
	Reference []byte
	Sender    GeneralName
}

// KeyUpdateRequest is a checked kur: Current is the certificate whose key
// signed the request, valid at the Server's clock up to a trust anchor,
// not revoked, and the one the oldCertID control names.
type KeyUpdateRequest struct {
	CertRequestInfo
	Current *pki.Certificate
	Chain   []*pki.Certificate // Current first, trust anchor last
}

// PollRequest asks for the decision on a waiting transaction.
type PollRequest struct {
	TransactionID []byte
	CertReqID     int64
	Kind          BodyType // TypeIR or TypeKUR, the opening request
}

// Confirmation ends an issuing transaction.
type Confirmation struct {
	TransactionID []byte
	CertReqID     int64
	Certificate   []byte // the certificate issued
	Accepted      bool   // false: rejected by the subscriber or expired
	Implicit      bool   // implicitConfirm, no certConf
	Expired       bool   // no certConf before confirmWaitTime
	// Reason is the subscriber's status of a rejection, as sent (for the
	// log; its text is the subscriber's, not to be trusted).
	Reason *StatusInfo
}

// RevokeRequest is a checked rr: the certificate to revoke is the one that
// signed the request (RFC 9483 §4.2), valid and not revoked.
type RevokeRequest struct {
	TransactionID []byte
	Certificate   *pki.Certificate
	Issuer        []byte   // DER Name of the certificate to revoke
	Serial        *big.Int // its serial number
	Reason        int      // CRLReason, -1 when absent
}

// InfoRequest is a checked genm.
type InfoRequest struct {
	TransactionID []byte
	Signer        *pki.Certificate // the certificate that signed the genm
	Types         []InfoTypeAndValue
}

// DecisionKind is the outcome of an issuing request.
type DecisionKind int

const (
	// Issued: Certificate is the new certificate.
	Issued DecisionKind = iota + 1
	// Waiting: the decision comes later; ask again after CheckAfter.
	Waiting
	// Refused: Refusal says why.
	Refused
)

// Decision is the Authority's answer to ir, kur or a pollReq. Build one
// with IssuedDecision, WaitingDecision or RefusedDecision.
type Decision struct {
	Kind        DecisionKind
	Certificate []byte   // Issued: the DER certificate
	CAPubs      [][]byte // Issued: CA certificates for the subscriber; may be nil

	// CheckAfter is the delay a Waiting subscriber should wait before its
	// next pollReq; RU and EN say why, for the subscriber (optional).
	CheckAfter time.Duration
	RU, EN     string

	Refusal *Refusal // Refused
}

// IssuedDecision returns the decision to hand out cert (DER) with the CA
// certificates caPubs.
func IssuedDecision(cert []byte, caPubs ...[]byte) *Decision {
	return &Decision{Kind: Issued, Certificate: cert, CAPubs: caPubs}
}

// WaitingDecision returns the decision to answer later: the subscriber
// polls again after checkAfter.
func WaitingDecision(checkAfter time.Duration, ru, en string) *Decision {
	return &Decision{Kind: Waiting, CheckAfter: checkAfter, RU: ru, EN: en}
}

// RefusedDecision returns the decision to refuse.
func RefusedDecision(r *Refusal) *Decision {
	return &Decision{Kind: Refused, Refusal: r}
}

// Refusal is a refusal for the subscriber: PKIFailureInfo bits and a text
// in Russian and English that says what to do. It is also an error, so an
// Authority may return it from any method. Texts are shown to the
// subscriber as they are: no internal detail. Empty texts are replaced by
// the standard text of the first failure bit.
type Refusal struct {
	Failure FailureInfo
	RU, EN  string
}

// Refuse returns a Refusal with the given failure bits and texts.
func Refuse(f FailureInfo, ru, en string) *Refusal {
	return &Refusal{Failure: f, RU: ru, EN: en}
}

func (r *Refusal) Error() string {
	return "cmp: refused (" + r.Failure.String() + "): " + r.EN
}

// freeText returns the PKIFreeText of the refusal.
func (r *Refusal) freeText() []string {
	if r.RU == "" || r.EN == "" {
		return standardFreeText(r.Failure)
	}
	return FreeText(r.RU, r.EN)
}

// SignerProblem is why the Server refuses the certificate that protects a
// request.
type SignerProblem int

const (
	// SignerUntrusted: the certificate does not chain to the trust anchors
	// at the Server's time (another CA's, expired, not yet valid…).
	SignerUntrusted SignerProblem = iota + 1
	// SignerRevoked: the Authority reports it revoked.
	SignerRevoked
)

// RefusalPhraser is an Authority that words the Server's own refusals of
// a protection certificate for its subscribers, say with the office to
// turn to. The Server keeps its failure bits (badMessageCheck and
// signerNotTrusted for an untrusted certificate, certRevoked for a
// revoked one) and takes the texts; empty texts keep the standard ones.
// cause is the verification error of an untrusted certificate (a
// *pki.VerifyError, mostly), nil for a revoked one.
type RefusalPhraser interface {
	PhraseSignerRefusal(p SignerProblem, signer *pki.Certificate, at time.Time, cause error) (
		ru, en string)
}
