package cmp

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"rekey/pki"
)

// checkHeader checks what every request's header must have (RFC 9483
// §3.1): a transactionID and a senderNonce of at least 128 bits, and a
// messageTime within the window.
func (s *Server) checkHeader(ex *exchange) error {
	h := &ex.req.Header
	if n := len(h.TransactionID); n < minIDSize || n > maxIDSize {
		return refusef(FailBadRequest, "cmp: transactionID of %d bytes", n)
	}
	if n := len(h.SenderNonce); n < minIDSize || n > maxIDSize {
		return refusef(FailBadSenderNonce, "cmp: senderNonce of %d bytes", n)
	}
	if h.MessageTime.IsZero() {
		if !s.cfg.AllowNoMessageTime {
			return refusef(FailBadTime, "cmp: no messageTime")
		}
		return nil
	}
	if d := h.MessageTime.Sub(ex.now); d > s.cfg.TimeWindow || -d > s.cfg.TimeWindow {
		return refusef(FailBadTime, "cmp: messageTime %s is %s off the clock",
			h.MessageTime.UTC().Format("2006-01-02T15:04:05Z"), d.Round(1e9))
	}
	return nil
}

// checkProtection verifies the protection (RFC 9810 §5.1.3): a MAC only
// for ir and the pollReq and certConf that follow it, with the one-time
// secret named by senderKID; otherwise a signature whose certificate
// chains to a trust anchor at the clock's time and whose subject is the
// sender.
func (s *Server) checkProtection(ctx context.Context, ex *exchange) error {
	m := ex.req
	if m.Protection == nil || m.Header.ProtectionAlg == nil {
		return refusef(FailBadMessageCheck, "cmp: %s without protection", m.Body.Type)
	}
	if m.IsMACProtected() {
		return s.checkMAC(ctx, ex)
	}
	return s.checkSignature(ex)
}

func (s *Server) checkMAC(ctx context.Context, ex *exchange) error {
	m := ex.req
	switch m.Body.Type {
	case TypeIR, TypePollReq, TypeCertConf:
	default:
		return refusef(FailWrongIntegrity, "cmp: %s must be signed, not MAC-protected",
			m.Body.Type)
	}
	if s.cfg.Secrets == nil {
		return refusef(FailWrongIntegrity, "cmp: MAC protection is not accepted here")
	}
	if len(m.Header.SenderKID) == 0 {
		return refusef(FailBadMessageCheck, "cmp: MAC protection without senderKID")
	}
	secret, err := s.cfg.Secrets.Secret(ctx, m.Header.SenderKID)
	if err != nil {
		return internalError(err, "looking up the one-time secret")
	}
	if err := m.VerifyMAC(secret); err != nil {
		return err
	}
	ex.secret = secret
	ex.macAlg = responseMACAlgorithm(m.Header.ProtectionAlg)
	return nil
}

// responseMACAlgorithm chooses the MAC of the responses to a MAC-protected
// request: the same kind (OpenSSL 3.0 reads PasswordBasedMac only) and
// family (Streebog for a GOST MAC, SHA-2 otherwise).
func responseMACAlgorithm(ai *AlgorithmIdentifier) MACAlgorithm {
	gost := bytes.Contains(ai.Parameters, mustOIDBytes(oidHMACStreebog512)) ||
		bytes.Contains(ai.Parameters, mustOIDBytes(oidHMACStreebog256)) ||
		bytes.Contains(ai.Parameters, mustOIDBytes(pki.OIDDigestStreebog512)) ||
		bytes.Contains(ai.Parameters, mustOIDBytes(pki.OIDDigestStreebog256))
	if ai.Algorithm.Equal(OIDPasswordBasedMAC) {
		if gost {
			return PBMWithStreebog512
		}
		return PBMWithSHA256
	}
	switch {
	case gost:
		return PBMAC1WithStreebog512
	case bytes.Contains(ai.Parameters, mustOIDBytes(oidHMACWithSHA512)):
		return PBMAC1WithSHA512
	}
	return PBMAC1WithSHA256
}

// mustOIDBytes returns the DER of an OBJECT IDENTIFIER of this package.
func mustOIDBytes(oid []int) []byte {
	var b builder
	b.AddASN1ObjectIdentifier(oid)
	return b.BytesOrPanic()
}

// checkSignature verifies a signature protection and the chain of its
// certificate.
func (s *Server) checkSignature(ex *exchange) error {
	m := ex.req
	extra, err := m.Certificates()
	if err != nil {
		return err
	}
	// The protection certificate is extraCerts[0] (RFC 9483 §3.3); OpenSSL
	// leaves a self-signed one out, so also try every certificate whose
	// key identifier is the senderKID or whose subject is the sender.
	var candidates []*pki.Certificate
	for _, c := range extra {
		if matchesSender(c, &m.Header) {
			candidates = append(candidates, c)
		}
	}
	if len(candidates) == 0 {
		return refusef(FailBadMessageCheck|FailSignerNotTrusted,
			"cmp: no protection certificate in extraCerts for the sender")
	}
	signer, err := m.VerifySignature(candidates...)
	if err != nil {
		if FailureOf(err) == FailSignerNotTrusted {
			return refusef(FailBadMessageCheck, "cmp: %v", err)
		}
		return err
	}
	key := chainKey(signer, extra)
	chain, ok := s.chains.get(key, ex.now)
	if !ok {
		chain, err = pki.Verify(signer, pki.VerifyOptions{
			Roots: s.cfg.Roots,
			Intermediates: append(append([]*pki.Certificate(nil), s.cfg.Intermediates...),
				extra...),
			At: ex.now,
		})
		if err != nil {
			return s.signerRefusal(ex, SignerUntrusted, signer, err,
				&Error{Failure: FailBadMessageCheck | FailSignerNotTrusted,
					msg: "cmp: protection certificate not trusted", err: err})
		}
		s.chains.put(key, chain)
	}
	if dn, ok := m.Header.Sender.Directory(); !ok ||
		!(bytes.Equal(dn, signer.RawSubject) || sameSubject(dn, signer)) {
		return refusef(FailBadMessageCheck,
			"cmp: sender does not name the protection certificate's subject")
	}
	ex.signer, ex.chain = signer, chain
	return nil
}

// matchesSender reports whether c may be the protection certificate:
// its subject key identifier is the senderKID, or, without either, its
// subject is the sender.
func matchesSender(c *pki.Certificate, h *Header) bool {
	if kid, ski := h.SenderKID, c.Extensions.SubjectKeyID; kid != nil && ski != nil {
		return bytes.Equal(kid, ski)
	}
	dn, ok := h.Sender.Directory()
	return ok && (bytes.Equal(dn, c.RawSubject) || sameSubject(dn, c))
}

// sameSubject reports whether the DER Name dn is c's subject, after
// decoding (a peer that re-encodes names).
func sameSubject(dn []byte, c *pki.Certificate) bool {
	s, err := pki.ParseSubject(dn)
	return err == nil && c.Subject != nil && s.Equal(c.Subject)
}

// sameIssuer reports whether the DER Name dn is c's issuer.
func sameIssuer(dn []byte, c *pki.Certificate) bool {
	if bytes.Equal(dn, c.RawIssuer) {
		return true
	}
	s, err := pki.ParseSubject(dn)
	return err == nil && c.Issuer != nil && s.Equal(c.Issuer)
}

// checkReplay refuses a senderNonce seen before (within the time window,
// which bounds how old an accepted message can be). It runs after the
// protection check, so that forged messages cannot fill the record.
func (s *Server) checkReplay(ctx context.Context, ex *exchange) error {
	if ex.again {
		return nil // recorded by this message's first pass
	}
	until := ex.now.Add(2*s.cfg.TimeWindow + s.cfg.ConfirmWait)
	seen, err := s.store.SeenNonce(ctx, ex.req.Header.SenderNonce, until)
	if err != nil {
		return internalError(err, "recording the sender nonce")
	}
	if seen {
		return refusef(FailBadSenderNonce, "cmp: senderNonce seen before (replay)")
	}
	return nil
}

// openTransaction records the transaction a new request opens; a known
// transactionID is refused (RFC 9810 §5.1.1). The certificate request cr
// of an ir or kur is recorded with it, in state TxOpen, so that a kur
// resent after the Server stopped before recording its answer is
// recognised and resumed (resent); other requests (cr nil) are recorded
// TxDone.
func (s *Server) openTransaction(ctx context.Context, ex *exchange, cr *CertRequestInfo) error {
	h := &ex.req.Header
	tx := &Transaction{
		ID: h.TransactionID, Kind: ex.req.Body.Type, State: TxDone,
		MAC: ex.secret != nil, MACAlg: ex.macAlg,
		Created: ex.now, Updated: ex.now,
		Expires: ex.now.Add(2*s.cfg.TimeWindow + s.cfg.ConfirmWait),
	}
	if ex.secret != nil {
		tx.Reference = h.SenderKID
	} else if ex.signer != nil {
		tx.Signer = ex.signer.Raw
	}
	if cr != nil {
		tx.State = TxOpen
		tx.CertReqID, tx.PublicKey = cr.CertReqID, cr.Template.PublicKey
		tx.Implicit = cr.ImplicitConfirm
	}
	err := s.store.Create(ctx, tx)
	if errors.Is(err, ErrTransactionExists) {
		return refusef(FailTransactionIDInUse, "cmp: transactionID %x in use", h.TransactionID)
	}
	if err != nil {
		return internalError(err, "creating the transaction")
	}
	ex.tx = tx
	return nil
}

// continueTransaction finds the transaction of a pollReq or certConf and
// checks that the message continues it: recipNonce is the Server's last
// senderNonce, and the protection is that of the opening request.
func (s *Server) continueTransaction(ctx context.Context, ex *exchange) error {
	h := &ex.req.Header
	tx, err := s.store.Get(ctx, h.TransactionID)
	if errors.Is(err, ErrTransactionNotFound) {
		return refusef(FailBadRequest, "cmp: %s for unknown transaction %x",
			ex.req.Body.Type, h.TransactionID)
	}
	if err != nil {
		return internalError(err, "reading the transaction")
	}
	if !bytes.Equal(h.RecipNonce, tx.LastNonce) {
		return refusef(FailBadRecipientNonce, "cmp: recipNonce is not our last senderNonce")
	}
	switch {
	case tx.MAC != (ex.secret != nil):
		return refusef(FailWrongIntegrity, "cmp: protection kind differs from the transaction's")
	case tx.MAC && !bytes.Equal(tx.Reference, h.SenderKID):
		return refusef(FailNotAuthorized, "cmp: another secret than the transaction's")
	case !tx.MAC && (ex.signer == nil || !bytes.Equal(tx.Signer, ex.signer.Raw)):
		return refusef(FailNotAuthorized,
			"cmp: signed by another certificate than the transaction's")
	}
	ex.tx = tx
	return nil
}

// checkNotRevoked asks the Authority whether the protection certificate
// is revoked.
func (s *Server) checkNotRevoked(ctx context.Context, ex *exchange) error {
	revoked, err := s.cfg.Authority.Revoked(ctx, ex.signer)
	if err != nil {
		return internalError(err, "checking revocation")
	}
	if revoked {
		return s.signerRefusal(ex, SignerRevoked, ex.signer, nil, refusef(FailCertRevoked,
			"cmp: protection certificate %x is revoked", ex.signer.SerialNumber))
	}
	return nil
}

// signerRefusal is the refusal err of the protection certificate signer,
// with the Authority's texts when it is a RefusalPhraser: err stays in
// the log, its failure bits and the texts go to the peer.
func (s *Server) signerRefusal(ex *exchange, p SignerProblem, signer *pki.Certificate,
	cause, err error) error {
	ph, ok := s.cfg.Authority.(RefusalPhraser)
	if !ok {
		return err
	}
	ru, en := ph.PhraseSignerRefusal(p, signer, ex.now, cause)
	if ru == "" || en == "" {
		return err
	}
	return fmt.Errorf("%v: %w", err, Refuse(FailureOf(err), ru, en))
}
