package operator

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	"rekey/pki"
	"rekey/store"
)

// Audit actions of the issuance path.
const (
	AuditSignBefore    = "sign.before"    // about to sign: the serial is reserved
	AuditSignAfter     = "sign.after"     // signed, checked and recorded
	AuditSignFailed    = "sign.failed"    // no certificate: the signature or its check failed
	AuditSignDiscarded = "sign.discarded" // signed but not recorded; never handed out
	AuditIssuedAgain   = "issue.again"    // a request answered before gets its certificate again
)

// IssueRequest asks the CA for a certificate.
type IssueRequest struct {
	SubscriberID int64
	// RequestID is the renewal request answered (it must be approved in
	// the store), or 0 for an in-office issuance.
	RequestID int64

	// RawSubject is written byte for byte: a renewal passes the current
	// certificate's RawSubject (requirement O2). When it is nil, Subject
	// is validated and encoded (an in-office first issuance).
	RawSubject []byte
	Subject    *pki.Subject

	// PublicKey is the key to certify; its proof of possession has been
	// checked by the caller.
	PublicKey crypto.PublicKey
	// NotAfter, when not zero and earlier than the configured lifetime
	// allows, ends the certificate sooner.
	NotAfter time.Time

	// RequestHash is the SHA-256 of the request as received, for the
	// audit trail; Actor is who asked ("policy", an operator's name).
	RequestHash []byte
	Actor       string

	// Claim, when set, runs in the transaction that reserves the serial,
	// before the reservation, and is given the serial: a one-time use it
	// records (store.Tx.ClaimOnce of a one-time secret) commits with the
	// serial or not at all, so that of two issuances claiming one use, in
	// this process or in another replica, one signs and the other fails
	// before anything is signed, with the claim's error or the commit's.
	// It needs a ledger that is a TxRunner, and may run again when the
	// transaction is retried.
	Claim func(ctx context.Context, tx store.Tx, serial []byte) error
}

// Issued is the result of Issue.
type Issued struct {
	DER         []byte
	Certificate *pki.Certificate
	Record      *store.Certificate
	// Again is true when the request had been answered before and nothing
	// new was signed: a retry gets the certificate it was issued.
	Again bool
}

// Issue issues a certificate in seven steps. A request answered before
// gets its certificate again, and a request with a serial reserved by an
// earlier attempt (a crash, another replica) is signed under that serial;
// the store keeps one certificate per request, so a request never yields
// two certificates that leave the CA (requirement O8).
//
// A failed step leaves no certificate behind: before step 4 nothing is
// signed, and a certificate signed in step 4 that fails step 5 or 6 is
// discarded and never returned. What may remain is a reserved serial
// without a certificate, which a retry of the same request reuses.
//
// When the ledger is a TxRunner, steps 2 and 3 are one transaction,
// committed before step 4, and steps 6 and 7 another: a certificate is
// recorded only together with its "sign.after" record. (Renewals.Submit's
// fresh requests may record theirs with the caller's next commit; see
// LaterRunner.)
func (ca *CA) Issue(ctx context.Context, req *IssueRequest) (*Issued, error) {
	is, err := ca.draft(req, nil)
	if err != nil {
		return nil, err
	}
	err = ca.inTx(ctx, func(l Ledger) error { return ca.reserve(ctx, l, is) })
	if err != nil {
		if req.RequestID != 0 && isRequestRace(err) {
			return ca.lostRace(ctx, req, err)
		}
		return nil, err
	}
	if is.again != nil {
		return is.again, nil
	}
	return ca.complete(ctx, is)
}

// issuance is one certificate on its way: the validated template behind
// its single-use token, from step 1 to step 7.
type issuance struct {
	req      *IssueRequest
	tok      *issuanceToken
	ev       auditEvent
	reserved bool    // the serial was reserved by an earlier attempt
	again    *Issued // the request was answered before: nothing to sign
	// fresh says the request was created in the transaction that
	// reserves: no earlier attempt can have left a serial or a
	// certificate for it, so reserve need not look, and nothing else is
	// issuing it, so complete may record the certificate with the
	// caller's next commit (LaterRunner).
	fresh bool
	// discarded, when set, runs when a certificate recorded later fails
	// to commit, after "sign.discarded".
	discarded func(ctx context.Context, err error)
}

// draft is step 1: it builds the template under serial (a new random one
// when nil) and validates it; the token binds the validated template to
// one signature. It touches no storage.
func (ca *CA) draft(req *IssueRequest, serial *big.Int) (*issuance, error) {
	if serial == nil {
		var err error
		if serial, err = ca.newSerial(); err != nil {
			return nil, err
		}
	}
	tmpl, err := ca.buildTemplate(req, serial, ca.now())
	if err != nil {
		return nil, err
	}
	tok, err := ca.prepare(tmpl)
	if err != nil {
		return nil, err
	}
	return &issuance{req: req, tok: tok, ev: ca.event(req, tok.template())}, nil
}

// reserve runs steps 2 and 3 in l, the caller's transaction: it persists
// the serial of is (or adopts the serial an earlier attempt reserved for
// the request) and audits "sign.before". A request answered before gets
// is.again instead. It may run again when the transaction is retried.
func (ca *CA) reserve(ctx context.Context, l Ledger, is *issuance) error {
	req := is.req
	is.again = nil
	if req.RequestID != 0 && !is.fresh {
		prev, err := ca.issuedBefore(ctx, l, req)
		if prev != nil || err != nil {
			is.again = prev
			return err
		}
		serial, reserved, err := ca.reservedSerial(ctx, l, req.RequestID)
		if err != nil {
			return err
		}
		if reserved && serial.Cmp(is.tok.template().SerialNumber) != 0 {
			d, err := ca.draft(req, serial)
			if err != nil {
				return err
			}
			*is = *d
		}
		is.reserved = reserved
	}

	if req.Claim != nil {
		tx, ok := l.(store.Tx)
		if !ok {
			return errors.New("operator: internal error: a claim needs a transactional ledger")
		}
		if err := req.Claim(ctx, tx, SerialBytes(is.tok.template().SerialNumber)); err != nil {
			return err
		}
	}

	// 2. Persist the serial before anything is signed with it.
	if !is.reserved {
		r := &store.Reservation{Serial: SerialBytes(is.tok.template().SerialNumber),
			Issuer: ca.cert.RawSubject, RequestID: req.RequestID, ReservedAt: ca.now().UTC()}
		if err := l.ReserveSerial(ctx, r); err != nil {
			return fmt.Errorf("operator: reserving serial: %w", err)
		}
	}

	// 3. Audit the signature about to be made.
	return ca.audit(ctx, l, req.Actor, AuditSignBefore, is.ev)
}

// complete runs steps 4 to 7 of an issuance whose serial is persisted and
// whose "sign.before" is audited.
func (ca *CA) complete(ctx context.Context, is *issuance) (*Issued, error) {
	req, ev := is.req, is.ev

	// 4. Sign through the token.
	der, err := is.tok.sign()
	if err != nil {
		ca.auditFailure(ctx, req.Actor, AuditSignFailed, ev, err)
		return nil, fmt.Errorf("operator: signing: %w", err)
	}

	// 5. Parse the certificate back and compare it with the template
	// (step 4 verified its signature: pki.CreateCertificate).
	cert, err := ca.checkIssued(is.tok.template(), der)
	if err != nil {
		ca.auditFailure(ctx, req.Actor, AuditSignFailed, ev, err)
		return nil, err
	}

	// 6. Record the certificate and 7. audit the signature made, in one
	// transaction: a certificate that is not audited is not recorded.
	rec := ca.record(req, cert)
	ev.CertSHA256 = hexSum(der)
	record := func(l Ledger) error {
		if err := l.RecordCertificate(ctx, rec); err != nil {
			return fmt.Errorf("operator: recording certificate: %w", err)
		}
		return ca.audit(ctx, l, req.Actor, AuditSignAfter, ev)
	}
	issued := &Issued{DER: der, Certificate: cert, Record: rec}
	// A fresh request's certificate is recorded with the caller's next
	// commit, which also carries what the caller makes of it (the CMP
	// answer's transaction state) and comes before the answer leaves: one
	// commit fewer. A failure there fails the answer and discards this
	// certificate. When another attempt recorded one for the request
	// first (the same kur sent to a second replica at once), the caller
	// does its work again and finds that one; otherwise the request stays
	// approved for the subscriber's retry.
	if lr, ok := ca.ledger.(LaterRunner); ok && is.fresh && lr.Later(ctx,
		func(tx store.Tx) error { return record(tx) },
		func(ctx context.Context, err error) bool {
			ca.auditFailure(ctx, req.Actor, AuditSignDiscarded, ev, err)
			if is.discarded != nil {
				is.discarded(ctx, err)
			}
			var oe *store.OpError
			return isRequestRace(err) && errors.As(err, &oe) && oe.Op == "RecordCertificate"
		}) {
		return issued, nil
	}
	err = ca.inTx(ctx, record)
	if err != nil {
		ca.auditFailure(ctx, req.Actor, AuditSignDiscarded, ev, err)
		if req.RequestID != 0 && isRequestRace(err) {
			// Another replica answered the request first; it gets
			// that certificate, never this one.
			return ca.lostRace(ctx, req, err)
		}
		return nil, err
	}
	return issued, nil
}

// inTx runs fn in one transaction of the ledger when it is a TxRunner,
// else directly on the ledger.
func (ca *CA) inTx(ctx context.Context, fn func(Ledger) error) error {
	if r, ok := ca.ledger.(TxRunner); ok {
		return r.InTx(ctx, func(tx store.Tx) error { return fn(tx) })
	}
	return fn(ca.ledger)
}

// ErrInProgress is returned by Issue when another attempt (a replica, a
// concurrent poll) is issuing the same request and has not finished: ask
// again later, when the certificate will be there.
var ErrInProgress = errors.New("operator: the request is being issued elsewhere")

// isRequestRace reports whether err says that another attempt got ahead:
// a unique key of the request's issuance is taken, or the request is no
// longer approved because that attempt recorded its certificate. A key
// certified under another request is not such a race.
func isRequestRace(err error) bool {
	var ce *store.ConflictError
	if errors.As(err, &ce) {
		return ce.Key != store.KeyCertificateSPKI
	}
	return errors.Is(err, store.ErrStateChanged)
}

// lostRace answers an issuance that another attempt got ahead of: its
// certificate when recorded, else ErrInProgress.
func (ca *CA) lostRace(ctx context.Context, req *IssueRequest, cause error) (*Issued, error) {
	prev, err := ca.issuedBefore(ctx, ca.ledger, req)
	if prev != nil || err != nil {
		return prev, err
	}
	return nil, fmt.Errorf("%w: request %d (%v)", ErrInProgress, req.RequestID, cause)
}

// issuedBefore returns the certificate already issued for req's request,
// or nil when there is none.
func (ca *CA) issuedBefore(ctx context.Context, l Ledger, req *IssueRequest) (*Issued, error) {
	rec, err := l.CertificateByRequest(ctx, req.RequestID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("operator: looking up request %d: %w", req.RequestID, err)
	}
	cert, err := pki.ParseCertificate(rec.DER)
	if err != nil {
		return nil, fmt.Errorf("operator: stored certificate of request %d: %w", req.RequestID, err)
	}
	ev := auditEvent{Serial: hex.EncodeToString(rec.Serial), RequestID: req.RequestID,
		SubscriberID: rec.SubscriberID, CertSHA256: hexSum(rec.DER)}
	if err := ca.audit(ctx, l, req.Actor, AuditIssuedAgain, ev); err != nil {
		return nil, err
	}
	return &Issued{DER: rec.DER, Certificate: cert, Record: rec, Again: true}, nil
}

// reservedSerial returns the serial an earlier attempt reserved for a
// request, if any.
func (ca *CA) reservedSerial(ctx context.Context, l Ledger, requestID int64) (
	*big.Int, bool, error) {
	r, err := l.ReservationByRequest(ctx, requestID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("operator: looking up reservation: %w", err)
	case !bytes.Equal(r.Issuer, ca.cert.RawSubject):
		return nil, false, fmt.Errorf(
			"operator: request %d has a serial reserved by another issuer", requestID)
	}
	return new(big.Int).SetBytes(r.Serial), true, nil
}

// record returns the store row of a checked certificate.
func (ca *CA) record(req *IssueRequest, c *pki.Certificate) *store.Certificate {
	spki := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return &store.Certificate{
		Serial:       SerialBytes(c.SerialNumber),
		Issuer:       c.RawIssuer,
		SubscriberID: req.SubscriberID,
		RequestID:    req.RequestID,
		DER:          c.Raw,
		SPKISHA256:   spki[:],
		NotBefore:    c.NotBefore,
		NotAfter:     c.NotAfter,
		KeyExpires:   c.KeyExpires(),
		IssuedAt:     ca.now().UTC(),
	}
}

// auditEvent is the Details of the issuance audit records.
type auditEvent struct {
	Serial       string `json:"serial"`
	Issuer       string `json:"issuer,omitempty"`
	Profile      string `json:"profile,omitempty"`
	RequestID    int64  `json:"request_id,omitempty"`
	SubscriberID int64  `json:"subscriber_id,omitempty"`
	RequestHash  string `json:"request_sha256,omitempty"`
	SPKIHash     string `json:"spki_sha256,omitempty"`
	NotBefore    string `json:"not_before,omitempty"`
	NotAfter     string `json:"not_after,omitempty"`
	CertSHA256   string `json:"cert_sha256,omitempty"`
	Error        string `json:"error,omitempty"`
}

func (ca *CA) event(req *IssueRequest, t *pki.Template) auditEvent {
	spki := sha256.Sum256(t.RawSubjectPublicKeyInfo)
	return auditEvent{
		Serial:       hex.EncodeToString(SerialBytes(t.SerialNumber)),
		Issuer:       ca.cert.Subject.String(),
		Profile:      ca.profile.Name,
		RequestID:    req.RequestID,
		SubscriberID: req.SubscriberID,
		RequestHash:  hex.EncodeToString(req.RequestHash),
		SPKIHash:     hex.EncodeToString(spki[:]),
		NotBefore:    t.NotBefore.Format(time.RFC3339),
		NotAfter:     t.NotAfter.Format(time.RFC3339),
	}
}

// audit appends one record about the serial of ev to a.
func (ca *CA) audit(ctx context.Context, a Auditor, actor, action string, ev auditEvent) error {
	details, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("operator: internal error: encoding audit details: %v", err)
	}
	if actor == "" {
		actor = "ca"
	}
	e := store.AuditEntry{At: ca.now().UTC(), Actor: actor, Action: action,
		Object: "serial:" + ev.Serial, Details: details}
	if _, err := a.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("operator: auditing %s: %w", action, err)
	}
	return nil
}

// auditFailure records a failure after "sign.before". The issuance fails
// anyway, so an error writing the record is dropped here and is the
// caller's to see through the error it returns.
func (ca *CA) auditFailure(ctx context.Context, actor, action string, ev auditEvent, cause error) {
	ev.Error = cause.Error()
	_ = ca.audit(ctx, ca.ledger, actor, action, ev)
}

func hexSum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
