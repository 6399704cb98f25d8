package rekeyd

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"rekey/cmp"
	"rekey/operator"
	"rekey/pki"
	"rekey/store"
)

// Authority is the operator behind the CMP server: it implements
// cmp.Authority and cmp.SecretSource on package operator and the store.
// Get it from Operator.Authority.
type Authority struct {
	op *Operator
}

var (
	_ cmp.Authority      = (*Authority)(nil)
	_ cmp.SecretSource   = (*Authority)(nil)
	_ cmp.RefusalPhraser = (*Authority)(nil)
)

// PhraseSignerRefusal words the CMP layer's refusal of a protection
// certificate as the renewal policy does: revoked, another CA's, expired,
// not yet valid, with the office contact where only the office can help.
func (a *Authority) PhraseSignerRefusal(p cmp.SignerProblem, signer *pki.Certificate,
	_ time.Time, cause error) (ru, en string) {
	r := a.op.renewals.Policy().SignerRefusal(p == cmp.SignerRevoked, signer, cause)
	return r.RU, r.EN
}

// Authority returns the CMP authority of the operator; it needs the CA.
func (op *Operator) Authority() (*Authority, error) {
	if err := op.requireCA(); err != nil {
		return nil, err
	}
	return &Authority{op: op}, nil
}

// Texts of a waiting answer (O4).
const (
	waitingRU = "Запрос на замену ключа принят и ожидает одобрения оператора. " +
		"Сертификат будет выдан при следующем сеансе связи."
	waitingEN = "The key replacement request is accepted and awaits the operator's approval. " +
		"The certificate will be delivered at the next exchange."
)

// UpdateKey runs a kur through the renewal policy and the queue.
func (a *Authority) UpdateKey(ctx context.Context, req *cmp.KeyUpdateRequest) (
	*cmp.Decision, error) {
	// The Server verified the proof of possession of this template before
	// calling (cmp.Authority, CertRequestInfo.PublicKey): the policy takes
	// its word instead of parsing the message and verifying it again.
	ku := &operator.KeyUpdate{Current: req.Current, Template: req.Template,
		TransactionID: req.TransactionID, MessageDER: req.MessageDER,
		POPVerified: req.PublicKey != nil}
	out, err := a.op.renewals.Submit(ctx, ku)
	if out != nil {
		setRequestOfUnit(ctx, out.RequestID)
	}
	return a.outcome(out, err)
}

// outcome turns the queue's answer into a CMP decision and counts it.
func (a *Authority) outcome(out *operator.Outcome, err error) (*cmp.Decision, error) {
	m := a.op.metrics
	if r := operator.IsRefusal(err); r != nil {
		m.refused(r.Reason.String(), r.Failure)
		return cmp.RefusedDecision(r.CMP()), nil
	}
	if err != nil {
		return nil, err
	}
	switch {
	case out.Refusal != nil:
		m.refused(out.Refusal.Reason.String(), out.Refusal.Failure)
		return cmp.RefusedDecision(out.Refusal.CMP()), nil
	case out.Issued != nil:
		if !out.Issued.Again {
			m.issued.Inc()
		}
		return cmp.IssuedDecision(out.Issued.DER, a.op.CACert.Raw), nil
	}
	return cmp.WaitingDecision(out.CheckAfter, waitingRU, waitingEN), nil
}

// Poll answers a pollReq: the request of the transaction, found through
// the certificate that opened it (the same one signs the pollReq, which
// the server checked), is waiting, issued now or refused.
func (a *Authority) Poll(ctx context.Context, req *cmp.PollRequest) (*cmp.Decision, error) {
	if req.Kind != cmp.TypeKUR {
		return cmp.RefusedDecision(unknownTransaction()), nil
	}
	id, err := a.requestOf(ctx, req.TransactionID)
	if err != nil {
		return nil, err
	}
	if id == 0 {
		return cmp.RefusedDecision(unknownTransaction()), nil
	}
	out, err := a.op.renewals.Status(ctx, id)
	if out != nil {
		setRequestOfUnit(ctx, out.RequestID)
	}
	return a.outcome(out, err)
}

// unknownTransaction is the refusal of a pollReq for no known request.
func unknownTransaction() *cmp.Refusal {
	return cmp.Refuse(cmp.FailBadRequest,
		"Запрос с таким идентификатором транзакции не найден: сформируйте запрос заново.",
		"No request with this transaction identifier is known: create the request again.")
}

// requestOf finds the renewal request of a kur transaction, 0 when none:
// from its row (the message's unit), else through the certificate that
// opened it.
func (a *Authority) requestOf(ctx context.Context, txID []byte) (int64, error) {
	if id := requestOfUnit(ctx); id != 0 {
		return id, nil
	}
	tx, err := NewTransactionStore(a.op.Store, a.op.now).Get(ctx, txID)
	if errors.Is(err, cmp.ErrTransactionNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	signer, err := pki.ParseCertificate(tx.Signer)
	if err != nil {
		return 0, nil
	}
	rec, err := a.op.Store.Certificate(ctx, operator.SerialBytes(signer.SerialNumber))
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("rekeyd: looking up the transaction's certificate: %w", err)
	}
	r, err := a.op.Store.RequestByTransaction(ctx, rec.SubscriberID, txID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("rekeyd: looking up the transaction's request: %w", err)
	}
	return r.ID, nil
}

// Confirm ends an issuing transaction: an accepted certificate's request
// becomes confirmed; a rejected or unconfirmed one is revoked (RFC 9810
// §5.3.18) and its request rejected. The one-time secret of an ir is
// retired.
func (a *Authority) Confirm(ctx context.Context, c *cmp.Confirmation) error {
	cert, err := pki.ParseCertificate(c.Certificate)
	if err != nil {
		return fmt.Errorf("rekeyd: the confirmed certificate: %w", err)
	}
	serial := operator.SerialBytes(cert.SerialNumber)
	// A kur's transaction row names its request; otherwise (an ir, a row
	// written before rows named it) the certificate's record does.
	requestID := requestOfUnit(ctx)
	if requestID == 0 {
		rec, err := a.op.Store.Certificate(ctx, serial)
		if err != nil {
			return fmt.Errorf("rekeyd: looking up the confirmed certificate: %w", err)
		}
		requestID = rec.RequestID
	}
	if requestID == 0 {
		// An ir's certificate (a kur's answers a request): retire the
		// one-time secret that opened it.
		if err := a.op.retireSecret(ctx, c.TransactionID); err != nil {
			return err
		}
	}
	object := "serial:" + hex.EncodeToString(serial)
	details, _ := json.Marshal(map[string]any{"request_id": requestID,
		"transaction_id": hex.EncodeToString(c.TransactionID), "implicit": c.Implicit,
		"expired": c.Expired})
	if c.Accepted {
		// With the transaction's new state and nonce, in one commit.
		err := later(ctx, a.op.Store, func(ctx context.Context, tx store.Tx) error {
			err := a.transition(ctx, tx, requestID, store.StateConfirmed, "")
			if err != nil {
				return err
			}
			return a.op.audit(ctx, tx, "subscriber", AuditConfirmed, object, details)
		})
		if err == nil {
			a.op.metrics.confirmed.Inc()
		}
		return err
	}
	reason := "the subscriber rejected the certificate"
	if c.Expired {
		reason = "the certificate was not confirmed in time"
	}
	// The refusal, the request's new state and the revocation, with the
	// transaction's new state and nonce when a certConf brought it: one
	// commit, so that a crash leaves either all or none of them.
	return laterThen(ctx, a.op.Store, func(ctx context.Context, tx store.Tx) error {
		err := a.op.audit(ctx, tx, "subscriber", AuditConfirmRejected, object, details)
		if err == nil {
			err = a.transition(ctx, tx, requestID, store.StateRejected, reason)
		}
		if err == nil {
			err = a.op.revokeIn(ctx, tx, serial, store.ReasonCessationOfOperation,
				"subscriber")
		}
		return err
	}, a.op.revoked)
}

// transition moves request id from issued to state in st; a request
// already there (a retried certConf) is left alone.
func (a *Authority) transition(ctx context.Context, st store.Tx, id int64, to store.State,
	reason string) error {
	if id == 0 {
		return nil
	}
	d := store.Decision{At: a.op.now().UTC(), By: "subscriber", Reason: reason}
	err := st.Transition(ctx, id, store.StateIssued, to, d)
	if errors.Is(err, store.ErrStateChanged) {
		r, rerr := st.Request(ctx, id)
		if rerr == nil && r.State == to {
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("rekeyd: request %d to %s: %w", id, to, err)
	}
	return nil
}

// Revoke revokes the certificate that signed a rr.
func (a *Authority) Revoke(ctx context.Context, req *cmp.RevokeRequest) error {
	reason := store.ReasonUnspecified
	switch req.Reason {
	case -1, 0:
	case 1, 3, 4, 5:
		reason = store.RevocationReason(req.Reason)
	default:
		return cmp.Refuse(cmp.FailBadRequest,
			"Указанная причина отзыва не поддерживается.",
			"The revocation reason given is not supported.")
	}
	_, err := a.op.revoke(ctx, operator.SerialBytes(req.Serial), reason, "subscriber")
	return err
}

// GeneralInfo answers a genm: the CA certificate, the current CRL and the
// renewal window of a certificate.
func (a *Authority) GeneralInfo(ctx context.Context, req *cmp.InfoRequest) (
	[]cmp.InfoTypeAndValue, error) {
	var out []cmp.InfoTypeAndValue
	for _, it := range req.Types {
		switch {
		case it.Type.Equal(cmp.OIDCACerts):
			out = append(out, cmp.CACertsInfo([][]byte{a.op.CACert.Raw}))
		case it.Type.Equal(cmp.OIDCRLs):
			crl, err := a.op.CurrentCRL(ctx)
			if err != nil {
				return nil, err
			}
			out = append(out, cmp.CRLsInfo([][]byte{crl}))
		case it.Type.Equal(cmp.OIDRenewalWindow):
			itv, err := a.renewalWindow(ctx, it)
			if err != nil {
				return nil, err
			}
			out = append(out, itv)
		}
	}
	return out, nil
}

// renewalWindow answers the renewal window of the certificate named; a
// certificate this CA does not know gets an entry without a value.
func (a *Authority) renewalWindow(ctx context.Context, it cmp.InfoTypeAndValue) (
	cmp.InfoTypeAndValue, error) {
	unknown := cmp.InfoTypeAndValue{Type: cmp.OIDRenewalWindow}
	id, err := it.RenewalWindowCertID()
	if err != nil {
		return unknown, nil
	}
	issuer, ok := id.Issuer.Directory()
	if !ok || !bytes.Equal(issuer, a.op.CACert.RawSubject) {
		return unknown, nil
	}
	rec, err := a.op.Store.Certificate(ctx, operator.SerialBytes(id.SerialNumber))
	if errors.Is(err, store.ErrNotFound) {
		return unknown, nil
	}
	if err != nil {
		return unknown, fmt.Errorf("rekeyd: looking up a certificate: %w", err)
	}
	cert, err := pki.ParseCertificate(rec.DER)
	if err != nil {
		return unknown, fmt.Errorf("rekeyd: stored certificate: %w", err)
	}
	w := a.op.ca.RenewalWindow(cert)
	loc := a.op.ca.Location()
	text := cmp.FreeText(
		"Замените ключ с "+w.Start.In(loc).Format("02.01.2006")+" по "+
			w.End.In(loc).Format("02.01.2006")+" (не включая этот день).",
		"Replace the key from "+w.Start.In(loc).Format("2 January 2006")+" until "+
			w.End.In(loc).Format("2 January 2006")+" (not that day).")
	return cmp.RenewalWindowInfo(&cmp.RenewalWindow{Cert: *id, NotBefore: w.Start,
		NotAfter: w.End, Text: text})
}

// Revoked reports whether this CA revoked cert.
func (a *Authority) Revoked(ctx context.Context, cert *pki.Certificate) (bool, error) {
	if !bytes.Equal(cert.RawIssuer, a.op.CACert.RawSubject) {
		return false, nil
	}
	rec, err := certificateOnce(ctx, a.op.Store, operator.SerialBytes(cert.SerialNumber))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("rekeyd: looking up a certificate: %w", err)
	}
	return rec.Status == store.StatusRevoked, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
