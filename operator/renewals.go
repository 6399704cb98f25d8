package operator

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"rekey/cmp"
	"rekey/pki"
	"rekey/store"
)

// Audit actions of the approval queue.
const (
	AuditRequestReceived = "request.received"
	AuditRequestApproved = "request.approved"
	AuditRequestRejected = "request.rejected"
)

// actorPolicy is the actor of automatic decisions.
const actorPolicy = "policy"

// RequestStore keeps renewal requests, the approval queue (O4, O8).
type RequestStore interface {
	CreateRequest(ctx context.Context, r *store.Request) error
	Request(ctx context.Context, id int64) (*store.Request, error)
	RequestByTransaction(ctx context.Context, subscriberID int64, transactionID []byte) (
		*store.Request, error)
	Transition(ctx context.Context, id int64, from, to store.State, d store.Decision) error
}

// RenewalStore is everything Renewals needs; a store.Store is one.
type RenewalStore interface {
	Ledger
	PolicyStore
	RequestStore
}

// Renewals runs renewal requests from arrival to certificate: the policy,
// the approval queue and the issuance. It is what a CMP server's kur and
// pollReq handlers call.
type Renewals struct {
	ca     *CA
	policy *Policy
	st     RenewalStore
}

// NewRenewals returns the renewal service of ca over st.
func NewRenewals(ca *CA, st RenewalStore) *Renewals {
	return &Renewals{ca: ca, policy: NewPolicy(ca, st), st: st}
}

// Policy returns the renewal policy.
func (r *Renewals) Policy() *Policy { return r.policy }

// Outcome is where a renewal request stands, for the subscriber's answer.
type Outcome struct {
	RequestID int64
	State     store.State
	// Issued is the certificate when State is issued or confirmed.
	Issued *Issued
	// CheckAfter is the delay before the next poll when the request
	// waits for a decision.
	CheckAfter time.Duration
	// Refusal says why when an operator rejected the request or it
	// expired.
	Refusal *Refusal
}

// Waiting reports whether the subscriber should poll again.
func (o *Outcome) Waiting() bool { return o.Issued == nil && o.Refusal == nil }

// Submit takes a renewal request (a kur). A request the policy refuses
// returns a *Refusal and is not stored. An accepted one is stored; with
// automatic approval it is approved and issued at once, with manual
// approval it waits in the queue. A request whose transaction the
// subscriber used before (a retry) is answered with its state instead.
//
// KeyUpdate.MessageDER must be the DER PKIMessage of the kur: it is kept
// with the request, and a request approved later is issued from it.
//
// With a RenewalStore that is a TxRunner, the policy's count and decision,
// the stored request, its approval and, with automatic approval, the
// reserved serial and "sign.before" are one commit, made before anything
// is signed; the certificate and "sign.after" are the next.
//
// A retry is found when the policy refuses it (its new key is certified
// by then, say) or when storing it finds its transaction taken, so a new
// request costs no look for an earlier one.
func (r *Renewals) Submit(ctx context.Context, ku *KeyUpdate) (*Outcome, error) {
	pop := r.policy.verifyPOP(ku) // the costly check, outside the transaction
	var (
		a       *Accepted
		req     *store.Request
		is      *issuance
		refusal error
		prev    *store.Request
		held    = true // the policy's count and key look as checks (HeldChecker)
	)
	decide := func(st RenewalStore) error {
		req, is, refusal, prev = nil, nil, nil, nil
		var err error
		a, err = r.policy.check(ctx, st, ku, pop, held)
		if IsRefusal(err) != nil {
			// A retry gets its request's state instead, and the count
			// and the refusal are undone; else they are committed.
			var lerr error
			if prev, lerr = r.earlier(ctx, st, ku); lerr != nil {
				return lerr
			}
			if prev != nil {
				return errRetried
			}
			refusal = err
			return nil
		}
		if err != nil {
			return err
		}
		req, is, err = r.accept(ctx, st, a, ku)
		return err
	}
	err := r.inTx(ctx, decide)
	if isHeldCheck(err) {
		// The count or the key failed late, rolling everything back:
		// decide again with the reads, which refuse and record it.
		held = false
		err = r.inTx(ctx, decide)
	}
	if !errors.Is(err, errRetried) && isTransactionTaken(err) {
		// The request's insert, held back, found its transactionID used.
		err = fmt.Errorf("%w: %w", errRetried, err)
	}
	switch {
	case prev != nil && errors.Is(err, errRetried):
		return r.againOf(ctx, ku, prev)
	case errors.Is(err, errRetried):
		return r.retried(ctx, a, ku)
	case err != nil:
		return nil, err
	case refusal != nil:
		return nil, refusal
	case is == nil:
		return r.waiting(req), nil
	case is.again != nil:
		return r.issued(ctx, req, is.again, nil)
	}
	iss, err := r.ca.complete(ctx, is)
	return r.issued(ctx, req, iss, err)
}

// isTransactionTaken reports whether err is CreateRequest's finding the
// subscriber's transactionID used before (at the call, or later when the
// insert was held back).
func isTransactionTaken(err error) bool {
	var ce *store.ConflictError
	return errors.As(err, &ce) && ce.Key == store.KeyRequestTransaction
}

// errRetried says that the request's transaction is stored already.
var errRetried = errors.New("operator: the transaction is stored already")

// accept stores an accepted request in st and, with automatic approval,
// approves it, reserves its serial and audits "sign.before" (is). The
// request waits when is is nil.
func (r *Renewals) accept(ctx context.Context, st RenewalStore, a *Accepted, ku *KeyUpdate) (
	*store.Request, *issuance, error) {
	now := r.ca.now().UTC()
	req := &store.Request{
		SubscriberID: a.SubscriberID, TransactionID: ku.TransactionID, Message: ku.MessageDER,
		SignerSerial: a.Current.Serial, SPKISHA256: a.SPKISHA256,
		State: store.StateWaiting, ReceivedAt: now,
	}
	if a.Approval == ApprovalAuto {
		// Received and approved at once: one row written approved, both
		// decisions audited.
		req.State, req.DecidedAt, req.DecidedBy = store.StateApproved, now, actorPolicy
	}
	if err := st.CreateRequest(ctx, req); err != nil {
		if isTransactionTaken(err) {
			return nil, nil, fmt.Errorf("%w: %w", errRetried, err)
		}
		return nil, nil, fmt.Errorf("operator: storing request: %w", err)
	}
	if err := appendRequestAudit(ctx, st, now, actorPolicy, AuditRequestReceived, req.ID,
		""); err != nil {
		return nil, nil, err
	}
	if req.State == store.StateWaiting {
		return req, nil, nil
	}
	if err := appendRequestAudit(ctx, st, now, actorPolicy, AuditRequestApproved, req.ID,
		""); err != nil {
		return nil, nil, err
	}
	is, err := r.ca.draft(a.IssueRequest(req.ID, actorPolicy), nil)
	if err == nil {
		is.fresh = true // req was created above, in this transaction
		is.discarded = func(ctx context.Context, err error) { r.discarded(ctx, req, err) }
		err = r.ca.reserve(ctx, st, is)
	}
	return req, is, err
}

// discarded follows up a certificate of req that was recorded with the
// caller's next commit and failed there: a new key certified meanwhile for
// another request rejects req, as issued does when the record fails at
// once. Anything else leaves req approved, for the subscriber's retry.
// The rejection is best effort: a retry that finds req still approved
// signs again, and its record fails the same way at once.
func (r *Renewals) discarded(ctx context.Context, req *store.Request, err error) {
	var ce *store.ConflictError
	if errors.As(err, &ce) && ce.Key == store.KeyCertificateSPKI {
		_ = r.reject(ctx, req, req.State, actorPolicy, "the new key was certified for another request")
	}
}

// inTx runs fn in one transaction of the store when it is a TxRunner,
// else directly on the store.
func (r *Renewals) inTx(ctx context.Context, fn func(RenewalStore) error) error {
	if t, ok := r.st.(TxRunner); ok {
		return t.InTx(ctx, func(tx store.Tx) error { return fn(tx) })
	}
	return fn(r.st)
}

// earlier returns the request stored before under the transaction of ku
// (a client retrying after a lost answer), or nil when there is none.
func (r *Renewals) earlier(ctx context.Context, st RenewalStore, ku *KeyUpdate) (
	*store.Request, error) {
	if ku.Current == nil || len(ku.TransactionID) == 0 {
		return nil, nil
	}
	rec, err := st.Certificate(ctx, SerialBytes(ku.Current.SerialNumber))
	if errors.Is(err, store.ErrNotFound) || (err == nil && !bytes.Equal(rec.DER, ku.Current.Raw)) {
		return nil, nil // not a subscriber's: no request of theirs
	}
	if err != nil {
		return nil, fmt.Errorf("operator: looking up the current certificate: %w", err)
	}
	prev, err := st.RequestByTransaction(ctx, rec.SubscriberID, ku.TransactionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("operator: looking up the transaction: %w", err)
	}
	return prev, nil
}

// againOf answers ku, a retry of the request prev, with prev's state,
// without running the policy again: the request was decided when it
// arrived. The same transaction with another new key is refused.
func (r *Renewals) againOf(ctx context.Context, ku *KeyUpdate, prev *store.Request) (
	*Outcome, error) {
	tmpl := &ku.Template
	if ku.Msg != nil {
		tmpl = &ku.Msg.CertReq.Template
	}
	pub, err := pki.ParsePKIXPublicKey(tmpl.PublicKey)
	if err != nil {
		return nil, r.policy.texts.transactionInUse()
	}
	if fp, err := KeyFingerprint(pub); err != nil || !bytes.Equal(fp, prev.SPKISHA256) {
		return nil, r.policy.texts.transactionInUse()
	}
	return r.Status(ctx, prev.ID)
}

// retried answers a transaction the subscriber used before: the same
// request gets its state, another one is refused.
func (r *Renewals) retried(ctx context.Context, a *Accepted, ku *KeyUpdate) (*Outcome, error) {
	prev, err := r.st.RequestByTransaction(ctx, a.SubscriberID, ku.TransactionID)
	if err != nil {
		return nil, fmt.Errorf("operator: looking up a retried request: %w", err)
	}
	if !bytes.Equal(prev.SPKISHA256, a.SPKISHA256) {
		return nil, r.policy.texts.transactionInUse()
	}
	return r.Status(ctx, prev.ID)
}

// Status returns where request id stands, for a pollReq. An approved
// request is issued here, so the certificate reaches the subscriber on the
// next poll after an operator's approval, and a request left behind by a
// crash (accepted under automatic approval but not yet issued) is
// finished.
func (r *Renewals) Status(ctx context.Context, id int64) (*Outcome, error) {
	req, err := r.st.Request(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("operator: looking up request %d: %w", id, err)
	}
	switch req.State {
	case store.StateReceived:
		if r.ca.cfg.Approval != ApprovalAuto {
			return r.waiting(req), nil
		}
		if err := r.approve(ctx, r.st, req, store.StateReceived, actorPolicy); err != nil {
			return nil, err
		}
		fallthrough
	case store.StateApproved, store.StateIssued, store.StateConfirmed:
		ir, err := r.storedIssueRequest(ctx, req)
		if err != nil {
			return nil, err
		}
		return r.issue(ctx, req, ir)
	case store.StateWaiting:
		return r.waiting(req), nil
	case store.StateRejected:
		return &Outcome{RequestID: id, State: req.State,
			Refusal: r.policy.texts.rejected(req.Reason)}, nil
	case store.StateExpired:
		return &Outcome{RequestID: id, State: req.State,
			Refusal: r.policy.texts.requestExpired()}, nil
	}
	return nil, fmt.Errorf("operator: request %d is in unknown state %q", id, req.State)
}

func (r *Renewals) waiting(req *store.Request) *Outcome {
	return &Outcome{RequestID: req.ID, State: req.State, CheckAfter: r.ca.cfg.CheckAfter.D()}
}

// approve moves req from state from to approved by actor.
func (r *Renewals) approve(ctx context.Context, st RenewalStore, req *store.Request,
	from store.State, actor string) error {
	d := store.Decision{At: r.ca.now().UTC(), By: actor}
	if err := st.Transition(ctx, req.ID, from, store.StateApproved, d); err != nil {
		return fmt.Errorf("operator: approving request %d: %w", req.ID, err)
	}
	req.State = store.StateApproved
	return appendRequestAudit(ctx, st, r.ca.now(), actor, AuditRequestApproved, req.ID, "")
}

// issue issues an approved request. A key certified meanwhile under
// another request (two requests raced with one new key) rejects this one.
func (r *Renewals) issue(ctx context.Context, req *store.Request, ir *IssueRequest) (
	*Outcome, error) {
	iss, err := r.ca.Issue(ctx, ir)
	return r.issued(ctx, req, iss, err)
}

// issued is the outcome of issuing req: iss, or the error err.
func (r *Renewals) issued(ctx context.Context, req *store.Request, iss *Issued, err error) (
	*Outcome, error) {
	var ce *store.ConflictError
	if errors.As(err, &ce) && ce.Key == store.KeyCertificateSPKI {
		refusal := r.policy.texts.keyReused()
		reason := "the new key was certified for another request"
		if rerr := r.reject(ctx, req, req.State, actorPolicy, reason); rerr != nil {
			return nil, rerr
		}
		return nil, refusal
	}
	if errors.Is(err, ErrInProgress) {
		return r.waiting(req), nil
	}
	if err != nil {
		return nil, err
	}
	state := store.StateIssued
	if req.State == store.StateConfirmed {
		state = req.State
	}
	return &Outcome{RequestID: req.ID, State: state, Issued: iss}, nil
}

// storedIssueRequest rebuilds the issuance of a stored request: the new
// key from its kur message, the subject from the certificate that signed
// it.
func (r *Renewals) storedIssueRequest(ctx context.Context, req *store.Request) (
	*IssueRequest, error) {
	pub, err := keyOfRequest(req)
	if err != nil {
		return nil, err
	}
	rec, err := r.st.Certificate(ctx, req.SignerSerial)
	if err != nil {
		return nil, fmt.Errorf("operator: certificate of request %d: %w", req.ID, err)
	}
	current, err := pki.ParseCertificate(rec.DER)
	if err != nil {
		return nil, fmt.Errorf("operator: certificate of request %d: %w", req.ID, err)
	}
	return &IssueRequest{
		SubscriberID: req.SubscriberID, RequestID: req.ID, RawSubject: current.RawSubject,
		PublicKey: pub, RequestHash: sum(req.Message), Actor: actorPolicy,
	}, nil
}

// keyOfRequest finds, in the kur message of req, the public key whose
// fingerprint the request was accepted with.
func keyOfRequest(req *store.Request) (crypto.PublicKey, error) {
	msg, err := cmp.ParseMessage(req.Message)
	if err != nil {
		return nil, fmt.Errorf("operator: message of request %d: %w", req.ID, err)
	}
	for _, m := range msg.Body.CertReq {
		pub, err := pki.ParsePKIXPublicKey(m.CertReq.Template.PublicKey)
		if err != nil {
			continue
		}
		if fp, err := KeyFingerprint(pub); err == nil && bytes.Equal(fp, req.SPKISHA256) {
			return pub, nil
		}
	}
	return nil, fmt.Errorf("operator: message of request %d holds no accepted key", req.ID)
}

// Approve records an operator's approval of a waiting request. It signs
// nothing: the certificate is issued by Status, at the subscriber's next
// poll, by the process that holds the CA key.
func Approve(ctx context.Context, st ApprovalStore, id int64, by string, at time.Time) error {
	d := store.Decision{At: at.UTC(), By: by}
	if err := st.Transition(ctx, id, store.StateWaiting, store.StateApproved, d); err != nil {
		return fmt.Errorf("operator: approving request %d: %w", id, err)
	}
	return appendRequestAudit(ctx, st, at, by, AuditRequestApproved, id, "")
}

// Reject records an operator's rejection of a request that is not issued
// yet, with a reason the subscriber is shown.
func Reject(ctx context.Context, st ApprovalStore, id int64, by, reason string,
	at time.Time) error {
	req, err := st.Request(ctx, id)
	if err != nil {
		return fmt.Errorf("operator: looking up request %d: %w", id, err)
	}
	if req.State != store.StateWaiting && req.State != store.StateReceived &&
		req.State != store.StateApproved {
		return fmt.Errorf("operator: request %d is %s: %w", id, req.State, store.ErrStateChanged)
	}
	d := store.Decision{At: at.UTC(), By: by, Reason: reason}
	if err := st.Transition(ctx, id, req.State, store.StateRejected, d); err != nil {
		return fmt.Errorf("operator: rejecting request %d: %w", id, err)
	}
	return appendRequestAudit(ctx, st, at, by, AuditRequestRejected, id, reason)
}

// ApprovalStore is what Approve and Reject need.
type ApprovalStore interface {
	Request(ctx context.Context, id int64) (*store.Request, error)
	Transition(ctx context.Context, id int64, from, to store.State, d store.Decision) error
	Auditor
}

func (r *Renewals) reject(ctx context.Context, req *store.Request, from store.State,
	by, reason string) error {
	d := store.Decision{At: r.ca.now().UTC(), By: by, Reason: reason}
	if err := r.st.Transition(ctx, req.ID, from, store.StateRejected, d); err != nil {
		return fmt.Errorf("operator: rejecting request %d: %w", req.ID, err)
	}
	return r.auditRequest(ctx, by, AuditRequestRejected, req, reason)
}

func (r *Renewals) auditRequest(ctx context.Context, actor, action string, req *store.Request,
	reason string) error {
	return appendRequestAudit(ctx, r.st, r.ca.now(), actor, action, req.ID, reason)
}

func appendRequestAudit(ctx context.Context, a Auditor, at time.Time, actor, action string,
	id int64, reason string) error {
	details, err := json.Marshal(struct {
		Reason string `json:"reason,omitempty"`
	}{reason})
	if err != nil {
		return fmt.Errorf("operator: internal error: encoding audit details: %v", err)
	}
	e := store.AuditEntry{At: at.UTC(), Actor: actor, Action: action,
		Object: "request:" + strconv.FormatInt(id, 10), Details: details}
	if _, err := a.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("operator: auditing %s: %w", action, err)
	}
	return nil
}

// OverdueBefore returns the receipt time before which a request still
// undecided at now is overdue under the SLA.
func (c *Config) OverdueBefore(now time.Time) time.Time { return now.Add(-c.SLA.D()) }
