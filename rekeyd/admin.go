package rekeyd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"
	"time"

	"rekey/operator"
	"rekey/pki"
	"rekey/store"
)

// RequestInfo is one renewal request as `rekeyd requests` lists it.
type RequestInfo struct {
	ID            int64     `json:"id"`
	State         string    `json:"state"`
	SubscriberID  int64     `json:"subscriber_id"`
	Subscriber    string    `json:"subscriber"`
	TransactionID string    `json:"transaction_id"`
	ReceivedAt    time.Time `json:"received_at"`
	Age           string    `json:"age"`
	Overdue       bool      `json:"overdue"`
	DecidedBy     string    `json:"decided_by,omitempty"`
	Reason        string    `json:"reason,omitempty"`
}

// RequestFilter selects requests: by state (any when empty), and only the
// undecided ones older than the SLA when Overdue.
type RequestFilter struct {
	States  []store.State
	Overdue bool
}

// Requests lists the renewal requests, oldest first.
func (op *Operator) Requests(ctx context.Context, f RequestFilter) ([]RequestInfo, error) {
	now := op.now()
	q := store.RequestQuery{States: f.States}
	if f.Overdue {
		q.ReceivedBefore = op.Config.Operator.OverdueBefore(now)
		if len(q.States) == 0 {
			q.States = undecided
		}
	}
	reqs, err := op.Store.ListRequests(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("rekeyd: listing requests: %w", err)
	}
	names := map[int64]string{}
	out := make([]RequestInfo, 0, len(reqs))
	for _, r := range reqs {
		name, ok := names[r.SubscriberID]
		if !ok {
			name = op.subscriberName(ctx, r.SubscriberID)
			names[r.SubscriberID] = name
		}
		age := now.Sub(r.ReceivedAt)
		out = append(out, RequestInfo{
			ID: r.ID, State: string(r.State), SubscriberID: r.SubscriberID, Subscriber: name,
			TransactionID: hex.EncodeToString(r.TransactionID), ReceivedAt: r.ReceivedAt,
			Age: age.Truncate(time.Second).String(), DecidedBy: r.DecidedBy, Reason: r.Reason,
			Overdue: isUndecided(r.State) && age > op.Config.Operator.SLA.D(),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// undecided are the states of a request waiting for a decision (O4).
var undecided = []store.State{store.StateReceived, store.StateWaiting}

func isUndecided(s store.State) bool { return slices.Contains(undecided, s) }

// subscriberName is the subscriber's common name (or subject) for lists.
func (op *Operator) subscriberName(ctx context.Context, id int64) string {
	s, err := op.Store.Subscriber(ctx, id)
	if err != nil {
		return "#" + itoa(id)
	}
	return nameOf(s)
}

// nameOf is the common name (or subject) of s for lists.
func nameOf(s *store.Subscriber) string {
	subj, err := pki.ParseSubject(s.SubjectDER)
	if err != nil {
		return "#" + itoa(s.ID)
	}
	if subj.CommonName != "" {
		return subj.CommonName
	}
	return subj.String()
}

// Approve approves waiting request id; the certificate is issued when the
// subscriber next polls. It signs nothing.
func (op *Operator) Approve(ctx context.Context, id int64, by string) error {
	if err := operator.Approve(ctx, op.Store, id, actorOr(by), op.now()); err != nil {
		return err
	}
	op.metrics.decisions.WithLabelValues("approved").Inc()
	return nil
}

// Reject rejects request id with reason, which the subscriber reads at the
// next poll. It signs nothing.
func (op *Operator) Reject(ctx context.Context, id int64, by, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return errors.New("rekeyd: a rejection needs a reason for the subscriber")
	}
	if err := operator.Reject(ctx, op.Store, id, actorOr(by), reason, op.now()); err != nil {
		return err
	}
	op.metrics.decisions.WithLabelValues("rejected").Inc()
	return nil
}

// RevocationReasons are the reasons `rekeyd revoke` accepts.
var RevocationReasons = map[string]store.RevocationReason{
	"keyCompromise":        store.ReasonKeyCompromise,
	"affiliationChanged":   store.ReasonAffiliationChanged,
	"superseded":           store.ReasonSuperseded,
	"cessationOfOperation": store.ReasonCessationOfOperation,
}

// ParseSerial reads a serial number in hex (colons and a 0x prefix
// allowed) as the store keeps it.
func ParseSerial(s string) ([]byte, error) {
	h := strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(s, ":", ""), "0x"))
	n, ok := new(big.Int).SetString(h, 16)
	if !ok || n.Sign() <= 0 || n.BitLen() > 160 {
		return nil, fmt.Errorf("rekeyd: %q is not a certificate serial number in hex", s)
	}
	return operator.SerialBytes(n), nil
}

// Revoke revokes the certificate with serial (as ParseSerial returns it).
// It signs nothing now; the next CRL lists it.
func (op *Operator) Revoke(ctx context.Context, serial []byte, reason store.RevocationReason,
	by string) (*store.Certificate, error) {
	return op.revoke(ctx, serial, reason, actorOr(by))
}

func (op *Operator) revoke(ctx context.Context, serial []byte, reason store.RevocationReason,
	actor string) (*store.Certificate, error) {
	err := inUnitTx(ctx, op.Store, func(tx store.Tx) error {
		return op.revokeIn(ctx, tx, serial, reason, actor)
	})
	if err != nil {
		return nil, err
	}
	op.revoked()
	rec, err := op.Store.Certificate(ctx, serial)
	if err != nil {
		return nil, fmt.Errorf("rekeyd: reading %x: %w", serial, err)
	}
	return rec, nil
}

// revokeIn revokes serial in tx, between its "revoke.before" and
// "revoke.after" records: the three commit together or not at all. The
// caller calls op.revoked once tx has committed.
func (op *Operator) revokeIn(ctx context.Context, tx store.Tx, serial []byte,
	reason store.RevocationReason, actor string) error {
	object := "serial:" + hex.EncodeToString(serial)
	details, _ := json.Marshal(map[string]any{"reason": int(reason)})
	if err := op.audit(ctx, tx, actor, AuditRevokeBefore, object, details); err != nil {
		return err
	}
	if err := tx.Revoke(ctx, serial, reason, op.now().UTC()); err != nil {
		return fmt.Errorf("rekeyd: revoking %x: %w", serial, err)
	}
	return op.audit(ctx, tx, actor, AuditRevokeAfter, object, details)
}

// revoked notes a committed revocation: the CRL is signed anew and the
// metric counts it.
func (op *Operator) revoked() {
	op.markCRLStale()
	op.metrics.revoked.Inc()
}

// CRLLifetime is the nextUpdate of a CRL after its thisUpdate;
// crlCacheAge is how long a signed CRL is served before a new one.
const (
	CRLLifetime = 24 * time.Hour
	crlCacheAge = time.Minute
)

// SignCRL signs a new CRL of every certificate this CA revoked, with the
// next CRL number, and audits it.
func (op *Operator) SignCRL(ctx context.Context) ([]byte, error) {
	if err := op.requireCA(); err != nil {
		return nil, err
	}
	issuer := op.CACert.RawSubject
	recs, err := op.Store.ListCertificates(ctx, store.CertificateQuery{Issuer: issuer,
		Status: store.StatusRevoked})
	if err != nil {
		return nil, fmt.Errorf("rekeyd: listing revoked certificates: %w", err)
	}
	n, err := op.Store.NextCRLNumber(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("rekeyd: next CRL number: %w", err)
	}
	now := op.now().UTC().Truncate(time.Second)
	tmpl := &pki.CRLTemplate{Number: big.NewInt(n), ThisUpdate: now,
		NextUpdate: now.Add(CRLLifetime)}
	for _, r := range recs {
		tmpl.Revoked = append(tmpl.Revoked, pki.RevokedCertificate{
			SerialNumber: new(big.Int).SetBytes(r.Serial), RevocationTime: r.RevokedAt,
			Reason: pki.CRLReason(r.RevocationReason)})
	}
	der, err := pki.CreateCRL(tmpl, op.CACert, op.signer)
	if err != nil {
		return nil, fmt.Errorf("rekeyd: signing the CRL: %w", err)
	}
	details, _ := json.Marshal(map[string]any{"number": n, "revoked": len(recs),
		"crl_sha256": hexSum(der)})
	if err := op.audit(ctx, op.Store, "ca", AuditCRLSigned, "crl:"+itoa(n), details); err != nil {
		return nil, err
	}
	return der, nil
}

// CurrentCRL returns the CRL served: the last one signed, or a new one
// when that is older than a minute or a revocation came since.
func (op *Operator) CurrentCRL(ctx context.Context) ([]byte, error) {
	op.crlMu.Lock()
	defer op.crlMu.Unlock()
	now := op.now()
	if op.crl != nil && !op.crlStale && now.Sub(op.crlAt) < crlCacheAge && !now.Before(op.crlAt) {
		return op.crl, nil
	}
	der, err := op.SignCRL(ctx)
	if err != nil {
		return nil, err
	}
	op.crl, op.crlAt, op.crlStale = der, now, false
	return der, nil
}

func (op *Operator) markCRLStale() {
	op.crlMu.Lock()
	op.crlStale = true
	op.crlMu.Unlock()
}

// SubscriberInfo is one subscriber as `rekeyd subscribers` lists it, with
// the certificate that ends last.
type SubscriberInfo struct {
	ID         int64           `json:"id"`
	Name       string          `json:"name"`
	Subject    json.RawMessage `json:"subject"`
	Serial     string          `json:"serial,omitempty"`
	NotAfter   *time.Time      `json:"not_after,omitempty"`
	KeyExpires *time.Time      `json:"key_expires,omitempty"`
	DaysLeft   *int            `json:"days_left,omitempty"`
	Status     string          `json:"status"`
}

// Subscribers lists the subscribers; with expiringWithin > 0 only those
// whose newest valid key ends within that time from now (a subscriber
// without a valid certificate has no key to end and is left out then).
func (op *Operator) Subscribers(ctx context.Context, expiringWithin time.Duration) (
	[]SubscriberInfo, error) {
	now := op.now()
	loc, err := time.LoadLocation(op.Config.Operator.TimeZone)
	if err != nil {
		loc = time.UTC // Validate refused an unknown zone when the config was read
	}
	var out []SubscriberInfo
	var after int64
	for {
		subs, err := op.Store.ListSubscribers(ctx, store.SubscriberQuery{AfterID: after,
			Limit: subscriberPage})
		if err != nil {
			return nil, fmt.Errorf("rekeyd: listing subscribers: %w", err)
		}
		if len(subs) == 0 {
			return out, nil
		}
		// The certificates of the whole page in one query.
		certs, err := op.Store.ListCertificates(ctx, store.CertificateQuery{
			SubscriberAfter: after, SubscriberUpTo: subs[len(subs)-1].ID})
		if err != nil {
			return nil, fmt.Errorf("rekeyd: listing certificates: %w", err)
		}
		bySubscriber := map[int64][]store.Certificate{}
		for _, c := range certs {
			bySubscriber[c.SubscriberID] = append(bySubscriber[c.SubscriberID], c)
		}
		for i := range subs {
			info := subscriberInfo(&subs[i], bySubscriber[subs[i].ID], now, loc)
			if expiringWithin > 0 && (info.KeyExpires == nil ||
				info.KeyExpires.After(now.Add(expiringWithin))) {
				continue
			}
			out = append(out, *info)
		}
		if len(subs) < subscriberPage {
			return out, nil
		}
		after = subs[len(subs)-1].ID
	}
}

// subscriberPage is how many subscribers Subscribers reads at a time,
// with their certificates in one more query (a variable for tests).
var subscriberPage = 500

// subscriberInfo is the line of s with its certificates certs; key days
// are counted in loc, the operator's time zone, as the subscriber's client
// counts them.
func subscriberInfo(s *store.Subscriber, certs []store.Certificate, now time.Time,
	loc *time.Location) *SubscriberInfo {
	info := &SubscriberInfo{ID: s.ID, Name: nameOf(s),
		Subject: json.RawMessage(s.SubjectJSON), Status: "no-certificate"}
	var best *store.Certificate
	for i := range certs {
		if certs[i].Status != store.StatusValid {
			info.Status = "revoked"
			continue
		}
		if best == nil || certs[i].KeyExpires.After(best.KeyExpires) {
			best = &certs[i]
		}
	}
	if best == nil {
		return info
	}
	na, ke := best.NotAfter, best.KeyExpires
	days := pki.DaysLeft(ke, now, loc)
	info.Serial, info.NotAfter, info.KeyExpires, info.DaysLeft =
		hex.EncodeToString(best.Serial), &na, &ke, &days
	info.Status = "valid"
	if !now.Before(ke) {
		info.Status = "expired"
	}
	return info
}

// VerifyAudit checks the whole audit chain and returns the number of
// records; a break is a *store.ChainError naming the record.
func (op *Operator) VerifyAudit(ctx context.Context) (int64, error) {
	return op.Store.VerifyChain(ctx)
}

// Healthy checks that the database answers.
func (op *Operator) Healthy(ctx context.Context) error {
	_, err := op.Store.ListSubscribers(ctx, store.SubscriberQuery{Limit: 1})
	return err
}

// sum is the SHA-256 of b, nil for nil.
func sum(b []byte) []byte {
	if b == nil {
		return nil
	}
	h := sha256.Sum256(b)
	return h[:]
}
