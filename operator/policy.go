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
	"strings"
	"time"

	"rekey/cmp"
	"rekey/pki"
	"rekey/store"
)

// Audit actions of the renewal policy.
const (
	AuditRenewalAccepted = "renewal.accepted"
	AuditRenewalRefused  = "renewal.refused"
)

// rateBucket is the store's counter of renewal requests.
const rateBucket = "kur"

// KeyUpdate is a renewal request (a CMP kur) as the policy sees it.
type KeyUpdate struct {
	// Current is the certificate whose key protected the request; the
	// caller has verified that protection.
	Current *pki.Certificate

	// Msg, when set, is the request's CertReqMsg: its template is the one
	// checked, and its proof of possession is verified here. Without Msg,
	// Template is checked and POPVerified must say that the caller
	// verified the proof of possession of Template.PublicKey.
	Msg         *cmp.CertReqMsg
	Template    cmp.CertTemplate
	POPVerified bool

	// TransactionID and MessageDER identify the request in the audit
	// trail (the message is hashed, not stored, here).
	TransactionID []byte
	MessageDER    []byte
}

// Accepted is a renewal the policy accepted, with what issuing it needs.
type Accepted struct {
	SubscriberID int64
	Current      *store.Certificate // the record of the certificate that signed
	RawSubject   []byte             // the current subject, to copy byte for byte (O2)
	PublicKey    crypto.PublicKey   // the new key
	SPKISHA256   []byte             // its KeyFingerprint
	RequestHash  []byte             // SHA-256 of MessageDER

	// Approval is ApprovalAuto (issue at once) or ApprovalManual (queue
	// the request and answer "waiting" with CheckAfter).
	Approval   string
	CheckAfter time.Duration
}

// IssueRequest returns the issuance of the accepted renewal as request
// requestID, asked by actor.
func (a *Accepted) IssueRequest(requestID int64, actor string) *IssueRequest {
	return &IssueRequest{
		SubscriberID: a.SubscriberID, RequestID: requestID, RawSubject: a.RawSubject,
		PublicKey: a.PublicKey, RequestHash: a.RequestHash, Actor: actor,
	}
}

// Policy is the renewal policy O1–O4 with the rate limit. It is
// default-deny: a request is accepted only when every check ran and
// passed.
type Policy struct {
	ca    *CA
	store PolicyStore
	texts texts
}

// NewPolicy returns the renewal policy of ca, which looks certificates up,
// counts requests and audits its decisions in st.
func NewPolicy(ca *CA, st PolicyStore) *Policy {
	return &Policy{ca: ca, store: st, texts: texts{office: ca.cfg.Office, loc: ca.loc}}
}

// evaluation is one request going through the checks.
type evaluation struct {
	st       PolicyStore // the store, or the caller's transaction
	held     HeldChecker // st's checks that may fail later, or nil: read instead
	pop      error       // of verifyPOP, run before
	ku       *KeyUpdate
	tmpl     *cmp.CertTemplate
	now      time.Time
	current  *store.Certificate
	pub      crypto.PublicKey
	spkiHash []byte
	passed   int
}

// checks are the policy, in order. Each returns nil, a *Refusal, or an
// internal error.
var checks = []func(*Policy, context.Context, *evaluation) error{
	(*Policy).checkCurrent, // O1
	(*Policy).checkRate,    // rate limit
	(*Policy).checkSubject, // O2
	(*Policy).checkPOP,     // O3, proof of possession
	(*Policy).checkNewKey,  // O3, the key itself
}

// Check runs the policy on a renewal request. It returns the accepted
// renewal, a *Refusal for the subscriber, or another error for an internal
// failure (the request is then not accepted either). Every decision is
// audited.
func (p *Policy) Check(ctx context.Context, ku *KeyUpdate) (*Accepted, error) {
	return p.check(ctx, p.store, ku, p.verifyPOP(ku), false)
}

// verifyPOP verifies the proof of possession of ku (for checkPOP): the
// costly part of the policy, which needs no storage, so that it runs
// before the caller's transaction.
func (p *Policy) verifyPOP(ku *KeyUpdate) error {
	if ku.Msg != nil {
		if err := ku.Msg.VerifyPOP(); err != nil {
			return p.texts.badPOP()
		}
		return nil
	}
	if !ku.POPVerified {
		return p.texts.badPOP()
	}
	return nil
}

// check is Check in st, which may be a transaction, with pop the result of
// verifyPOP(ku).
//
// With held, and a store that is a HeldChecker, the rate count and the
// look for a certified key are its checks: a failure that comes back
// later fails the caller's transaction with store.ErrRateExceeded or a
// conflict on store.KeyCertificateSPKI (see isHeldCheck) rather than
// refusing here.
func (p *Policy) check(ctx context.Context, st PolicyStore, ku *KeyUpdate, pop error,
	held bool) (*Accepted, error) {
	ev := &evaluation{st: st, pop: pop, ku: ku, tmpl: &ku.Template, now: p.ca.now()}
	if h, ok := st.(HeldChecker); ok && held {
		ev.held = h
	}
	if ku.Msg != nil {
		ev.tmpl = &ku.Msg.CertReq.Template
	}
	for _, check := range checks {
		if err := check(p, ctx, ev); err != nil {
			if r := IsRefusal(err); r != nil {
				if aerr := p.auditDecision(ctx, ev, AuditRenewalRefused, r); aerr != nil {
					return nil, aerr
				}
			}
			return nil, err
		}
		ev.passed++
	}
	if ev.passed != len(checks) || ev.current == nil || ev.pub == nil {
		return nil, errors.New("operator: internal error: renewal checks incomplete")
	}
	a := &Accepted{
		SubscriberID: ev.current.SubscriberID,
		Current:      ev.current,
		RawSubject:   ku.Current.RawSubject,
		PublicKey:    ev.pub,
		SPKISHA256:   ev.spkiHash,
		RequestHash:  sum(ku.MessageDER),
		Approval:     p.ca.cfg.Approval,
		CheckAfter:   p.ca.cfg.CheckAfter.D(),
	}
	if err := p.auditDecision(ctx, ev, AuditRenewalAccepted, nil); err != nil {
		return nil, err
	}
	return a, nil
}

// checkCurrent is O1: the certificate that signed is this CA's, known,
// not revoked, valid now, and its key's last day is not today.
func (p *Policy) checkCurrent(ctx context.Context, ev *evaluation) error {
	c, ca := ev.ku.Current, p.ca.cert
	if c == nil {
		return p.texts.noCertificate()
	}
	if !bytes.Equal(c.RawIssuer, ca.RawSubject) {
		return p.texts.otherCA()
	}
	// The register holds only what this CA issued, so a certificate found
	// there byte for byte is this CA's; the signature is checked only to
	// tell the two refusals apart.
	rec, err := ev.st.Certificate(ctx, SerialBytes(c.SerialNumber))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("operator: looking up the current certificate: %w", err)
	}
	if err != nil || !bytes.Equal(rec.DER, c.Raw) {
		if c.CheckSignatureFrom(ca) != nil {
			return p.texts.otherCA()
		}
		return p.texts.unknownCertificate()
	}
	if rec.Status != store.StatusValid {
		return p.texts.revoked()
	}
	keyEnd := c.KeyExpires()
	switch {
	case ev.now.Before(c.NotBefore):
		return p.texts.notYetValid(c.NotBefore)
	case ev.now.After(keyEnd):
		return p.texts.expired(keyEnd)
	case sameDay(ev.now, keyEnd, p.ca.loc):
		return p.texts.lastDay(keyEnd)
	}
	ev.current = rec
	return nil
}

// checkRate counts the request against the subscriber's daily limit.
func (p *Policy) checkRate(ctx context.Context, ev *evaluation) error {
	day := startOfDay(ev.now, p.ca.loc)
	limit := int64(p.ca.cfg.RateLimitPerDay)
	if ev.held != nil {
		err := ev.held.CountRate(ctx, ev.current.SubscriberID, rateBucket, day, limit)
		if errors.Is(err, store.ErrRateExceeded) {
			return p.texts.rateLimited(p.ca.cfg.RateLimitPerDay)
		}
		if err != nil {
			return fmt.Errorf("operator: counting requests: %w", err)
		}
		return nil
	}
	n, err := ev.st.HitRate(ctx, ev.current.SubscriberID, rateBucket, day)
	if err != nil {
		return fmt.Errorf("operator: counting requests: %w", err)
	}
	if n > limit {
		return p.texts.rateLimited(p.ca.cfg.RateLimitPerDay)
	}
	return nil
}

// checkSubject is O2: a subject in the template must equal the current
// one. The new certificate copies the current subject in any case.
func (p *Policy) checkSubject(_ context.Context, ev *evaluation) error {
	if ev.tmpl.Subject == nil {
		return nil
	}
	s, err := pki.ParseSubject(ev.tmpl.Subject)
	if err != nil {
		return p.texts.badSubject()
	}
	if s.Equal(&pki.Subject{}) {
		return nil // an empty Name leaves the subject to the CA, as an absent one
	}
	if !s.Equal(ev.ku.Current.Subject) {
		return p.texts.subjectChanged()
	}
	return nil
}

// checkPOP is O3's proof of possession.
func (p *Policy) checkPOP(_ context.Context, ev *evaluation) error {
	return ev.pop
}

// checkNewKey is the rest of O3: a key of an allowed type, not the
// current one, never certified before.
func (p *Policy) checkNewKey(ctx context.Context, ev *evaluation) error {
	if ev.tmpl.PublicKey == nil {
		return p.texts.noPublicKey()
	}
	pub, err := pki.ParsePKIXPublicKey(ev.tmpl.PublicKey)
	if errors.Is(err, pki.ErrUnsupportedAlgorithm) {
		return p.texts.keyAlgorithm(p.allowedKeys())
	}
	if err != nil {
		return p.texts.noPublicKey()
	}
	if !keyAllowed(p.ca.keys, pub) {
		return p.texts.keyAlgorithm(p.allowedKeys())
	}
	fp, err := KeyFingerprint(pub)
	if err != nil {
		return p.texts.keyAlgorithm(p.allowedKeys())
	}
	if cur, err := KeyFingerprint(ev.ku.Current.PublicKey); err == nil && bytes.Equal(cur, fp) {
		return p.texts.sameKey()
	}
	if caKey, err := KeyFingerprint(p.ca.cert.PublicKey); err == nil && bytes.Equal(caKey, fp) {
		return p.texts.keyReused()
	}
	if ev.held != nil {
		err = ev.held.RequireKeyUncertified(ctx, fp)
		if isKeyCertified(err) {
			return p.texts.keyReused()
		}
	} else if _, err = ev.st.CertificateBySPKI(ctx, fp); err == nil {
		return p.texts.keyReused()
	} else if errors.Is(err, store.ErrNotFound) {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("operator: looking up the new key: %w", err)
	}
	ev.pub, ev.spkiHash = pub, fp
	return nil
}

// isKeyCertified reports whether err is RequireKeyUncertified's: the key
// has a certificate.
func isKeyCertified(err error) bool {
	var ce *store.ConflictError
	return errors.As(err, &ce) && ce.Key == store.KeyCertificateSPKI
}

// isHeldCheck reports whether err is a HeldChecker's check failing after
// its call, which the caller's transaction returned.
func isHeldCheck(err error) bool {
	var oe *store.OpError
	if !errors.As(err, &oe) {
		return false
	}
	switch oe.Op {
	case "CountRate":
		return errors.Is(err, store.ErrRateExceeded)
	case "RequireKeyUncertified":
		return isKeyCertified(err)
	}
	return false
}

// allowedKeys lists the configured key profiles for a refusal text.
func (p *Policy) allowedKeys() string { return strings.Join(p.ca.cfg.KeyProfiles, ", ") }

// decision is the Details of a policy audit record.
type decision struct {
	Reason        string `json:"reason,omitempty"`
	Failure       string `json:"failure,omitempty"`
	SubscriberID  int64  `json:"subscriber_id,omitempty"`
	TransactionID string `json:"transaction_id,omitempty"`
	RequestHash   string `json:"request_sha256,omitempty"`
	SPKIHash      string `json:"spki_sha256,omitempty"`
	Approval      string `json:"approval,omitempty"`
}

func (p *Policy) auditDecision(ctx context.Context, ev *evaluation, action string,
	r *Refusal) error {
	d := decision{
		TransactionID: hex.EncodeToString(ev.ku.TransactionID),
		RequestHash:   hex.EncodeToString(sum(ev.ku.MessageDER)),
		SPKIHash:      hex.EncodeToString(ev.spkiHash),
	}
	if ev.current != nil {
		d.SubscriberID = ev.current.SubscriberID
	}
	if r != nil {
		d.Reason, d.Failure = r.Reason.String(), r.Failure.String()
	} else {
		d.Approval = p.ca.cfg.Approval
	}
	details, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("operator: internal error: encoding audit details: %v", err)
	}
	object := "certificate:unknown"
	if c := ev.ku.Current; c != nil {
		object = "serial:" + hex.EncodeToString(SerialBytes(c.SerialNumber))
	}
	e := store.AuditEntry{At: ev.now.UTC(), Actor: "policy", Action: action, Object: object,
		Details: details}
	if _, err := ev.st.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("operator: auditing %s: %w", action, err)
	}
	return nil
}

// sameDay reports whether a and b fall on the same calendar day in loc.
func sameDay(a, b time.Time, loc *time.Location) bool {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	return ay == by && am == bm && ad == bd
}

// startOfDay returns the midnight in loc that begins t's day there.
func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// sum returns the SHA-256 of b, or nil for no bytes.
func sum(b []byte) []byte {
	if b == nil {
		return nil
	}
	h := sha256.Sum256(b)
	return h[:]
}
