package cmp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"rekey/pki"
)

// certRequest serves ir (MAC-protected with a one-time secret) and kur
// (signed with the certificate it updates): one request per message, a
// valid proof of possession, then the Authority's decision (RFC 9483
// §4.1.1, §4.1.3).
func (s *Server) certRequest(ctx context.Context, ex *exchange) (Body, error) {
	m := ex.req
	if len(m.Body.CertReq) != 1 {
		return Body{}, refusef(FailBadRequest, "cmp: %s with %d requests", m.Body.Type,
			len(m.Body.CertReq))
	}
	r := &m.Body.CertReq[0]
	if m.Body.Type == TypeIR && ex.secret == nil {
		return Body{}, refusef(FailWrongIntegrity,
			"cmp: ir must be protected by the one-time secret")
	}
	if m.Body.Type == TypeKUR {
		if err := s.checkOldCertID(ex, &r.CertReq); err != nil {
			return Body{}, err
		}
		if err := s.checkNotRevoked(ctx, ex); err != nil {
			return Body{}, err
		}
	}
	pub, err := r.verifyPOP()
	if err != nil {
		return Body{}, err
	}
	info := CertRequestInfo{
		TransactionID:   m.Header.TransactionID,
		CertReqID:       r.CertReq.CertReqID,
		Template:        r.CertReq.Template,
		MessageDER:      ex.der,
		ImplicitConfirm: m.Header.ImplicitConfirm() && !s.cfg.RefuseImplicitConfirm,
	}
	// The POP verified with the template's public key: it parses.
	info.PublicKey = pub
	if dn := r.CertReq.Template.Subject; dn != nil {
		if info.Subject, err = pki.ParseSubject(dn); err != nil {
			return Body{}, &Error{Failure: FailBadCertTemplate, msg: "cmp: template subject",
				err: err}
		}
	}
	if err := s.openTransaction(ctx, ex, &info); err != nil {
		if FailureOf(err)&FailTransactionIDInUse != 0 {
			if body, ok, err := s.resent(ctx, ex, &info); ok {
				return body, err
			}
		}
		return Body{}, err
	}
	return s.ask(ctx, ex, &info)
}

// ask hands the checked request of ex.tx to the Authority and applies its
// decision.
func (s *Server) ask(ctx context.Context, ex *exchange, info *CertRequestInfo) (Body, error) {
	var (
		dec *Decision
		err error
	)
	m := ex.req
	if m.Body.Type == TypeIR {
		dec, err = s.cfg.Authority.Enroll(ctx, &EnrollRequest{CertRequestInfo: *info,
			Reference: m.Header.SenderKID, Sender: m.Header.Sender})
	} else {
		dec, err = s.cfg.Authority.UpdateKey(ctx, &KeyUpdateRequest{CertRequestInfo: *info,
			Current: ex.signer, Chain: ex.chain})
	}
	return s.decide(ctx, ex, dec, err, false)
}

// resent answers a kur sent again under the transactionID of a
// transaction still open (its answer was lost on the way): signed by the
// same certificate, for the same key and certReqId, it gets the
// transaction's state — the Authority's current decision while waiting,
// the certificate again once issued — and the Authority sees no second
// request. A transaction still TxOpen (the Server stopped after the
// Authority's first commit and before the answer was recorded: a crash
// between the stored request and the signature, or between the
// certificate and the answer) is handed to the Authority's UpdateKey
// again, which answers the request it holds for the transactionID — the
// certificate recorded, or one signed now under the serial reserved
// before — rather than deciding anew. The resent kur passed every check
// of a new one first, its fresh senderNonce included: a replayed message
// is refused before it gets here. It is asked only once openTransaction
// found the transactionID in use, so a new kur costs no extra read; ok is
// false for anything else, which keeps that refusal.
func (s *Server) resent(ctx context.Context, ex *exchange, info *CertRequestInfo) (Body, bool,
	error) {
	if ex.req.Body.Type != TypeKUR || ex.signer == nil {
		return Body{}, false, nil
	}
	tx, err := s.store.Get(ctx, ex.req.Header.TransactionID)
	switch {
	case errors.Is(err, ErrTransactionNotFound):
		return Body{}, false, nil // expired meanwhile: transactionIdInUse stands
	case err != nil:
		return Body{}, true, internalError(err, "reading the transaction")
	}
	if tx.Kind != TypeKUR || tx.MAC || !bytes.Equal(tx.Signer, ex.signer.Raw) ||
		!bytes.Equal(tx.PublicKey, info.Template.PublicKey) || tx.CertReqID != info.CertReqID {
		return Body{}, false, nil
	}
	ex.tx = tx
	switch tx.State {
	case TxOpen:
		resumed := *info
		resumed.ImplicitConfirm = tx.Implicit // as granted when it opened
		body, err := s.ask(ctx, ex, &resumed)
		return body, true, err
	case TxWaiting:
		dec, err := s.cfg.Authority.Poll(ctx, &PollRequest{TransactionID: tx.ID,
			CertReqID: tx.CertReqID, Kind: tx.Kind})
		body, err := s.decide(ctx, ex, dec, err, false)
		return body, true, err
	case TxIssued:
		body, err := s.issue(ctx, ex)
		return body, true, err
	}
	ex.tx = nil
	return Body{}, false, nil
}

// checkOldCertID checks that a kur updates the certificate that signed it
// (RFC 9483 §4.1.3): oldCertID must be present and name the protection
// certificate. Another issuer is wrongAuthority, another serial number of
// the same issuer notAuthorized.
func (s *Server) checkOldCertID(ex *exchange, r *CertRequest) error {
	id, ok, err := r.OldCertID()
	if err != nil {
		return err
	}
	if !ok {
		return refusef(FailBadRequest, "cmp: kur without oldCertID")
	}
	issuer, isDN := id.Issuer.Directory()
	if !isDN || !sameIssuer(issuer, ex.signer) {
		return refusef(FailWrongAuthority, "cmp: kur oldCertID names another issuer")
	}
	if id.SerialNumber.Cmp(ex.signer.SerialNumber) != 0 {
		return refusef(FailNotAuthorized,
			"cmp: kur oldCertID serial %x is not the protection certificate's %x",
			id.SerialNumber, ex.signer.SerialNumber)
	}
	return nil
}

// decide applies the Authority's decision on the transaction and returns
// the response body: the certificate (ip, kup), waiting (ip or kup with
// status waiting, or pollRep when answering a pollReq), or the refusal.
func (s *Server) decide(ctx context.Context, ex *exchange, dec *Decision, err error,
	polled bool) (Body, error) {
	tx := ex.tx
	if err == nil && dec == nil {
		err = refusef(FailSystemFailure, "cmp: the Authority returned no decision")
	}
	if err != nil && !polled && tx.State == TxOpen && ex.req.Body.Type == TypeKUR &&
		FailureOf(err) == FailSystemFailure {
		// The Authority's internal failure is no decision: the kur's
		// transaction stays open, as a crash would leave it, so that the
		// client's resend of the same kur (the answer says to try again
		// later) is asked again (resent) instead of refused as
		// transactionIdInUse.
		return Body{}, internalError(err, "deciding")
	}
	if err == nil && dec.Kind == Issued {
		err = checkIssued(dec.Certificate, tx.PublicKey)
	}
	if err != nil || dec.Kind == Refused || (dec.Kind != Issued && dec.Kind != Waiting) {
		tx.State = TxDone
		tx.Expires = ex.now.Add(2*s.cfg.TimeWindow + s.cfg.ConfirmWait)
		if serr := s.save(ctx, ex); serr != nil {
			return Body{}, serr
		}
		switch {
		case err != nil:
			return Body{}, internalError(err, "deciding")
		case dec.Kind == Refused && dec.Refusal != nil:
			return Body{}, dec.Refusal
		}
		return Body{}, refusef(FailSystemFailure, "cmp: the Authority's decision is invalid")
	}
	if dec.Kind == Waiting {
		tx.State = TxWaiting
		tx.Expires = ex.now.Add(s.cfg.TransactionLifetime)
		if err := s.save(ctx, ex); err != nil {
			return Body{}, err
		}
		return waitingBody(tx, dec, polled), nil
	}
	tx.Certificate, tx.CAPubs = dec.Certificate, dec.CAPubs
	return s.issue(ctx, ex)
}

// checkIssued checks that the Authority certifies the key requested: a
// mismatch is an internal failure, never sent.
func checkIssued(der, spki []byte) error {
	cert, err := pki.ParseCertificate(der)
	if err != nil {
		return err
	}
	if !bytes.Equal(cert.RawSubjectPublicKeyInfo, spki) {
		return refusef(FailSystemFailure, "cmp: the Authority issued another public key")
	}
	return nil
}

func waitingBody(tx *Transaction, dec *Decision, polled bool) Body {
	after := int64(dec.CheckAfter / time.Second)
	if after < 0 {
		after = 0
	}
	var text []string
	if dec.RU != "" && dec.EN != "" {
		text = FreeText(dec.RU, dec.EN)
	}
	if polled {
		return Body{Type: TypePollRep, PollRep: []PollRep{
			{CertReqID: tx.CertReqID, CheckAfter: after, Reason: text}}}
	}
	return Body{Type: replyType(tx.Kind), CertRep: &CertRepMessage{Response: []CertResponse{{
		CertReqID: tx.CertReqID,
		Status:    StatusInfo{Status: StatusWaiting, StatusString: text},
	}}}}
}

func replyType(kind BodyType) BodyType {
	if kind == TypeKUR {
		return TypeKUP
	}
	return TypeIP
}

// issue sends the certificate of the transaction: with implicitConfirm
// when granted (the transaction ends, the Authority hears Confirm at
// once), else with confirmWaitTime and the transaction waits for
// certConf (RFC 9810 §5.1.1.1, §5.1.1.2).
func (s *Server) issue(ctx context.Context, ex *exchange) (Body, error) {
	tx := ex.tx
	if tx.Implicit {
		tx.State = TxDone
		tx.Expires = ex.now.Add(2*s.cfg.TimeWindow + s.cfg.ConfirmWait)
		ex.info = []InfoTypeAndValue{ImplicitConfirmInfo()}
	} else {
		if tx.State != TxIssued {
			tx.ConfirmBy = ex.now.Add(s.cfg.ConfirmWait).UTC().Truncate(time.Second)
		}
		tx.State = TxIssued
		tx.Expires = tx.ConfirmBy.Add(2 * s.cfg.TimeWindow)
		ex.info = []InfoTypeAndValue{ConfirmWaitTimeInfo(tx.ConfirmBy)}
	}
	if err := s.save(ctx, ex); err != nil {
		return Body{}, err
	}
	if tx.Implicit {
		err := s.cfg.Authority.Confirm(ctx, &Confirmation{TransactionID: tx.ID,
			CertReqID: tx.CertReqID, Certificate: tx.Certificate, Accepted: true, Implicit: true})
		if err != nil {
			return Body{}, internalError(err, "confirming implicitly")
		}
	}
	return Body{Type: replyType(tx.Kind), CertRep: &CertRepMessage{
		CAPubs: tx.CAPubs,
		Response: []CertResponse{{
			CertReqID:        tx.CertReqID,
			Status:           StatusInfo{Status: StatusAccepted},
			CertifiedKeyPair: &CertifiedKeyPair{Certificate: tx.Certificate},
		}},
	}}, nil
}

// save stores the transaction with the nonce of the response being sent.
func (s *Server) save(ctx context.Context, ex *exchange) error {
	ex.tx.LastNonce = ex.nonce
	ex.tx.Updated = ex.now
	if err := s.store.Update(ctx, ex.tx); err != nil {
		return internalError(err, "storing the transaction")
	}
	return nil
}

// pollRequest serves pollReq (RFC 9483 §4.4): the Authority's current
// decision for a waiting transaction, or the certificate again for one
// whose certificate was sent and not yet confirmed (a response lost on
// the way).
func (s *Server) pollRequest(ctx context.Context, ex *exchange) (Body, error) {
	if err := s.continueTransaction(ctx, ex); err != nil {
		return Body{}, err
	}
	tx := ex.tx
	if !containsID(ex.req.Body.PollReq, tx.CertReqID) {
		return Body{}, refusef(FailBadRequest, "cmp: pollReq for another certReqId")
	}
	switch tx.State {
	case TxWaiting:
		dec, err := s.cfg.Authority.Poll(ctx, &PollRequest{TransactionID: tx.ID,
			CertReqID: tx.CertReqID, Kind: tx.Kind})
		return s.decide(ctx, ex, dec, err, true)
	case TxIssued:
		return s.issue(ctx, ex)
	}
	return Body{}, refusef(FailBadRequest, "cmp: pollReq in state %s", tx.State)
}

func containsID(ids []int64, id int64) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

// certConf serves certConf (RFC 9810 §5.3.18, RFC 9483 §4.1.1): one entry
// for the certificate sent, whose hash must match; then the Authority
// hears the subscriber's acceptance or rejection and pkiConf answers.
func (s *Server) certConf(ctx context.Context, ex *exchange) (Body, error) {
	if err := s.continueTransaction(ctx, ex); err != nil {
		return Body{}, err
	}
	tx := ex.tx
	if tx.State != TxIssued {
		return Body{}, refusef(FailBadRequest, "cmp: certConf in state %s", tx.State)
	}
	list := ex.req.Body.CertConf
	if len(list) != 1 || list[0].CertReqID != tx.CertReqID {
		return Body{}, refusef(FailBadCertID, "cmp: certConf does not name the request")
	}
	cert, err := pki.ParseCertificate(tx.Certificate)
	if err != nil {
		return Body{}, internalError(err, "reading the issued certificate")
	}
	cs := &list[0]
	if err := cs.CheckHash(cert); err != nil {
		return Body{}, err
	}
	c := &Confirmation{TransactionID: tx.ID, CertReqID: tx.CertReqID,
		Certificate: tx.Certificate, Accepted: true, Reason: cs.StatusInfo}
	if si := cs.StatusInfo; si != nil && si.Status != StatusAccepted &&
		si.Status != StatusGrantedWithMods {
		c.Accepted = false
	}
	if ex.now.After(tx.ConfirmBy) {
		c.Accepted, c.Expired = false, true
	}
	if err := s.cfg.Authority.Confirm(ctx, c); err != nil {
		return Body{}, internalError(err, "confirming")
	}
	tx.State = TxDone
	tx.Expires = ex.now.Add(2*s.cfg.TimeWindow + s.cfg.ConfirmWait)
	if err := s.save(ctx, ex); err != nil {
		return Body{}, err
	}
	if c.Expired {
		return Body{}, refusef(FailBadRequest, "cmp: certConf after confirmWaitTime")
	}
	return Body{Type: TypePKIConf}, nil
}

// CloseExpired ends the transactions whose certificate was sent and not
// confirmed before confirmWaitTime: the Authority hears Confirm with
// Expired (and revokes, RFC 9810 §5.3.18). The operator calls it now and
// then; it returns how many it closed. It asks the store in batches until
// none is left, so a backlog (a client that never confirms, an operator
// that was down) is closed in one call; a transaction that fails is left
// for the next call and the others are still closed, the errors joined.
// A transaction the store no longer holds when it is closed (the
// Authority found it through its certificate) is closed all the same.
func (s *Server) CloseExpired(ctx context.Context) (int, error) {
	const batch = 100
	var (
		n      int
		errs   []error
		failed = map[string]bool{} // tried once in this call
	)
	for {
		now := s.cfg.Clock()
		list, err := s.store.Expired(ctx, now, batch)
		if err != nil {
			return n, errors.Join(append(errs, err)...)
		}
		closed := 0
		for _, tx := range list {
			if failed[string(tx.ID)] {
				continue
			}
			if err := s.closeExpired(ctx, tx, now); err != nil {
				failed[string(tx.ID)] = true
				errs = append(errs, fmt.Errorf("cmp: closing transaction %x: %w", tx.ID, err))
				continue
			}
			closed++
		}
		n += closed
		// A short batch was the last; a batch in which nothing closed
		// would come back the same.
		if len(list) < batch || closed == 0 || ctx.Err() != nil {
			return n, errors.Join(errs...)
		}
	}
}

// closeExpired reports one unconfirmed transaction to the Authority and
// marks it done.
func (s *Server) closeExpired(ctx context.Context, tx *Transaction, now time.Time) error {
	err := s.cfg.Authority.Confirm(ctx, &Confirmation{TransactionID: tx.ID,
		CertReqID: tx.CertReqID, Certificate: tx.Certificate, Expired: true})
	if err != nil {
		return err
	}
	tx.State = TxDone
	tx.Updated = now
	tx.Expires = now.Add(2*s.cfg.TimeWindow + s.cfg.ConfirmWait)
	if err := s.store.Update(ctx, tx); err != nil && !errors.Is(err, ErrTransactionNotFound) {
		return err
	}
	return nil
}
