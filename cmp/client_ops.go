package cmp

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"time"

	"rekey/gost/gost3410"
	"rekey/pki"
)

// EnrollOptions are the inputs of a first enrollment (ir).
type EnrollOptions struct {
	// Reference and Secret are the one-time secret handed out in the
	// office and its reference.
	Reference, Secret []byte
	// NewKey is the key to certify; Subject the DER Name asked for.
	NewKey  crypto.Signer
	Subject []byte
	// Extensions asked for in the template (optional).
	Extensions []pkix.Extension
	// NewKeyRef is stored in the ClientTransaction for the caller.
	NewKeyRef string
}

// KeyUpdateOptions are the inputs of a key update (kur): signed with the
// current certificate's key, proof of possession by the new key, the
// oldCertID control naming the current certificate (RFC 9483 §4.1.3).
type KeyUpdateOptions struct {
	Current    *pki.Certificate
	CurrentKey crypto.Signer
	Chain      [][]byte // certificates after Current in extraCerts
	NewKey     crypto.Signer
	// Subject is the DER Name asked for; the current certificate's when
	// nil (a renewal keeps the name, requirement O2).
	Subject    []byte
	Extensions []pkix.Extension
	NewKeyRef  string
	// TransactionID, when set (at least 16 bytes), is the transactionID
	// of the kur instead of a random one. A client that lost the answer
	// sends the same request again under the same transactionID, and the
	// Server answers it with the transaction's state (waiting or the
	// certificate) instead of opening a second request for the key.
	TransactionID []byte
}

// Result is the outcome of an issuing exchange.
type Result struct {
	// State is the transaction state to persist: ClientIssued (Confirm
	// next), ClientWaiting (Poll after State.CheckAfter) or ClientDone.
	State *ClientTransaction
	// Certificate is the new certificate, checked; nil while waiting.
	Certificate *pki.Certificate
}

// Enroll runs a first enrollment: ir protected with the one-time secret,
// then ip. The certificate still needs Confirm unless implicitly
// confirmed.
func (c *Client) Enroll(ctx context.Context, o *EnrollOptions) (*Result, error) {
	if o.NewKey == nil || o.Secret == nil || o.Reference == nil {
		return nil, errors.New("cmp: Enroll needs NewKey, Reference and Secret")
	}
	cred := MACCredentials(o.Reference, o.Secret)
	sender := GeneralName{}
	if o.Subject != nil {
		sender = DirectoryName(o.Subject)
	}
	return c.certRequest(ctx, TypeIR, cred, sender, o.NewKey, o.Subject, o.Extensions,
		nil, o.NewKeyRef, nil)
}

// UpdateKey runs a key update: kur signed with the current key, then kup.
func (c *Client) UpdateKey(ctx context.Context, o *KeyUpdateOptions) (*Result, error) {
	if o.Current == nil || o.CurrentKey == nil || o.NewKey == nil {
		return nil, errors.New("cmp: UpdateKey needs Current, CurrentKey and NewKey")
	}
	subject := o.Subject
	if subject == nil {
		subject = o.Current.RawSubject
	}
	cred := SignatureCredentials(o.Current, o.CurrentKey, o.Chain...)
	old := OldCertIDControl(o.Current.RawIssuer, o.Current.SerialNumber)
	return c.certRequest(ctx, TypeKUR, cred, DirectoryName(o.Current.RawSubject), o.NewKey,
		subject, o.Extensions, []AttributeTypeAndValue{old}, o.NewKeyRef, o.TransactionID)
}

func (c *Client) certRequest(ctx context.Context, typ BodyType, cred *Credentials,
	sender GeneralName, newKey crypto.Signer, subject []byte, exts []pkix.Extension,
	controls []AttributeTypeAndValue, keyRef string, txID []byte) (*Result, error) {
	spki, err := pki.MarshalPKIXPublicKey(newKey.Public())
	if err != nil {
		return nil, fmt.Errorf("cmp: encoding the new public key: %w", err)
	}
	crm := CertReqMsg{CertReq: CertRequest{CertReqID: 0, Controls: controls,
		Template: CertTemplate{Subject: subject, PublicKey: spki, Extensions: exts}}}
	if err := crm.SignPOP(newKey, c.rand()); err != nil {
		return nil, err
	}
	switch {
	case txID == nil:
		if txID, err = c.random(nonceSize); err != nil {
			return nil, err
		}
	case len(txID) < minIDSize || len(txID) > maxIDSize:
		return nil, fmt.Errorf("cmp: a transactionID of %d bytes", len(txID))
	}
	st := &ClientTransaction{Version: clientStateVersion, Kind: typ.String(),
		TransactionID: txID, PublicKey: spki, Subject: subject, NewKeyRef: keyRef,
		MAC: cred.isMAC(), Sender: sender.Raw}
	r := &request{body: Body{Type: typ, CertReq: []CertReqMsg{crm}}, txID: txID,
		sender: sender, cred: cred, macOpts: c.macOptions(newKey)}
	if c.ImplicitConfirm {
		r.info = []InfoTypeAndValue{ImplicitConfirmInfo()}
	}
	resp, der, err := c.roundTrip(ctx, r)
	if der != nil {
		sum := sha256.Sum256(der)
		st.RequestHash = sum[:]
	}
	if err != nil {
		return nil, err
	}
	st.SenderKID = cred.Reference
	if !cred.isMAC() {
		st.SenderKID = cred.Certificate.Extensions.SubjectKeyID
	}
	return c.certResponse(resp, st, replyType(typ))
}

// macOptions returns the MAC of an ir.
func (c *Client) macOptions(newKey crypto.Signer) *MACOptions {
	if c.MAC != nil {
		return c.MAC
	}
	o := &MACOptions{Algorithm: PBMAC1WithSHA256, Rand: c.Rand}
	if _, ok := newKey.Public().(*gost3410.PublicKey); ok {
		o.Algorithm = PBMAC1WithStreebog512
	}
	return o
}

// certResponse reads ip, kup (or pollRep) into the transaction state.
func (c *Client) certResponse(resp *Message, st *ClientTransaction,
	want BodyType) (*Result, error) {
	st.RecipNonce = resp.Header.SenderNonce
	b := &resp.Body
	if b.Type == TypePollRep {
		for _, p := range b.PollRep {
			if p.CertReqID == st.CertReqID {
				st.State = ClientWaiting
				st.CheckAfter = c.now().Add(time.Duration(p.CheckAfter) * time.Second)
				st.WaitReason = p.Reason
				return &Result{State: st}, nil
			}
		}
		return nil, errors.New("cmp: pollRep for another request")
	}
	if b.Type != want || b.CertRep == nil {
		return nil, fmt.Errorf("cmp: unexpected response %s to %s", b.Type, st.Kind)
	}
	var cr *CertResponse
	for i := range b.CertRep.Response {
		if b.CertRep.Response[i].CertReqID == st.CertReqID {
			cr = &b.CertRep.Response[i]
		}
	}
	if cr == nil {
		return nil, errors.New("cmp: the response does not answer our request")
	}
	switch cr.Status.Status {
	case StatusWaiting:
		// RFC 9483 §4.4: poll at once; the pollRep says how long to wait.
		st.State = ClientWaiting
		st.CheckAfter = c.now()
		st.WaitReason = cr.Status.StatusString
		return &Result{State: st}, nil
	case StatusAccepted, StatusGrantedWithMods:
	default:
		return nil, &ServerError{Body: b.Type, Status: cr.Status}
	}
	if cr.CertifiedKeyPair == nil || cr.CertifiedKeyPair.Certificate == nil {
		return nil, errors.New("cmp: accepted without a plain certificate")
	}
	cert, err := c.checkCertificate(cr.CertifiedKeyPair.Certificate, st, b.CertRep.CAPubs,
		resp.extra, resp.ExtraCerts)
	if err != nil {
		return nil, err
	}
	st.Certificate, st.cert = cert.Raw, cert
	st.CAPubs = b.CertRep.CAPubs
	st.State = ClientIssued
	if c.ImplicitConfirm && resp.Header.ImplicitConfirm() {
		st.State, st.Implicit = ClientDone, true
	} else if t, ok, err := resp.Header.ConfirmWaitTime(); ok && err == nil {
		st.ConfirmBy = t
	}
	return &Result{State: st, Certificate: cert}, nil
}

// Poll continues a waiting transaction with pollReq (RFC 9483 §4.4): the
// result is waiting again (State.CheckAfter is the next time) or the
// certificate. Before CheckAfter it returns ErrTooEarly without sending.
// st is updated in place; persist it after every call.
func (c *Client) Poll(ctx context.Context, st *ClientTransaction,
	cred *Credentials) (*Result, error) {
	switch st.State {
	case ClientWaiting:
	case ClientIssued:
		// The certificate came; nothing to poll.
		return c.resumeIssued(st)
	default:
		return nil, fmt.Errorf("cmp: cannot poll a transaction in state %s", st.State)
	}
	if now := c.now(); now.Before(st.CheckAfter) {
		return nil, fmt.Errorf("%w (until %s)", ErrTooEarly,
			st.CheckAfter.UTC().Format(time.RFC3339))
	}
	r := &request{body: Body{Type: TypePollReq, PollReq: []int64{st.CertReqID}},
		txID: st.TransactionID, recipNonce: st.RecipNonce, sender: st.sender(), cred: cred,
		macOpts: c.MAC}
	resp, _, err := c.roundTrip(ctx, r)
	if err != nil {
		return nil, err
	}
	want := TypeIP
	if st.Kind == "kur" {
		want = TypeKUP
	}
	return c.certResponse(resp, st, want)
}

func (c *Client) resumeIssued(st *ClientTransaction) (*Result, error) {
	cert, err := pki.ParseCertificate(st.Certificate)
	if err != nil {
		return nil, fmt.Errorf("cmp: the stored certificate: %w", err)
	}
	return &Result{State: st, Certificate: cert}, nil
}

// Confirm ends an issued transaction with certConf and expects pkiConf
// (RFC 9810 §5.3.18). accept false rejects the certificate (it did not
// fit the new key's container, say), and the CA revokes it. A transaction
// confirmed implicitly needs no Confirm: it returns nil at once.
func (c *Client) Confirm(ctx context.Context, st *ClientTransaction, cred *Credentials,
	accept bool) error {
	if st.State == ClientDone {
		return nil
	}
	if st.State != ClientIssued {
		return fmt.Errorf("cmp: cannot confirm a transaction in state %s", st.State)
	}
	cert, err := st.certificate()
	if err != nil {
		return fmt.Errorf("cmp: the stored certificate: %w", err)
	}
	cs, err := NewCertStatus(cert, st.CertReqID)
	if err != nil {
		return err
	}
	if !accept {
		cs.StatusInfo = &StatusInfo{Status: StatusRejection, FailInfo: FailBadCertTemplate,
			StatusString: FreeText("сертификат отклонён абонентом",
				"the certificate is rejected by the subscriber")}
	}
	r := &request{body: Body{Type: TypeCertConf, CertConf: []CertStatus{cs}},
		txID: st.TransactionID, recipNonce: st.RecipNonce, sender: st.sender(), cred: cred,
		macOpts: c.MAC}
	resp, _, err := c.roundTrip(ctx, r)
	if err != nil {
		return err
	}
	if resp.Body.Type != TypePKIConf {
		return fmt.Errorf("cmp: unexpected response %s to certConf", resp.Body.Type)
	}
	st.RecipNonce = resp.Header.SenderNonce
	st.State = ClientDone
	return nil
}

// Revoke asks for the revocation of the certificate of cred, signed with
// its own key (rr, RFC 9483 §4.2), with a CRL reason code (negative for
// none).
func (c *Client) Revoke(ctx context.Context, cred *Credentials, reason int) error {
	if cred.Certificate == nil {
		return errors.New("cmp: Revoke needs signature credentials")
	}
	cert := cred.Certificate
	txID, err := c.random(nonceSize)
	if err != nil {
		return err
	}
	r := &request{body: Body{Type: TypeRR, RevReq: []RevDetails{
		NewRevDetails(cert.RawIssuer, cert.SerialNumber, reason)}},
		txID: txID, sender: DirectoryName(cert.RawSubject), cred: cred}
	resp, _, err := c.roundTrip(ctx, r)
	if err != nil {
		return err
	}
	if resp.Body.Type != TypeRP || resp.Body.RevRep == nil || len(resp.Body.RevRep.Status) != 1 {
		return fmt.Errorf("cmp: unexpected response %s to rr", resp.Body.Type)
	}
	if si := resp.Body.RevRep.Status[0]; si.Status != StatusAccepted {
		return &ServerError{Body: TypeRP, Status: si}
	}
	return nil
}

// GeneralInfo sends a genm with the given entries (RFC 9483 §4.3), signed
// with cred, and returns the genp's entries.
func (c *Client) GeneralInfo(ctx context.Context, cred *Credentials,
	types ...InfoTypeAndValue) ([]InfoTypeAndValue, error) {
	if cred.Certificate == nil {
		return nil, errors.New("cmp: GeneralInfo needs signature credentials")
	}
	txID, err := c.random(nonceSize)
	if err != nil {
		return nil, err
	}
	r := &request{body: Body{Type: TypeGenM, GenInfo: types}, txID: txID,
		sender: DirectoryName(cred.Certificate.RawSubject), cred: cred}
	resp, _, err := c.roundTrip(ctx, r)
	if err != nil {
		return nil, err
	}
	if resp.Body.Type != TypeGenP {
		return nil, fmt.Errorf("cmp: unexpected response %s to genm", resp.Body.Type)
	}
	return resp.Body.GenInfo, nil
}

// CACertificates asks for the CA certificates (id-it-caCerts).
func (c *Client) CACertificates(ctx context.Context, cred *Credentials) ([][]byte, error) {
	return c.certList(ctx, cred, CACertsInfo(nil))
}

// CRLs asks for the current CRLs (id-it-crls, RFC 9483 §4.3.4).
func (c *Client) CRLs(ctx context.Context, cred *Credentials) ([][]byte, error) {
	return c.certList(ctx, cred, CRLsInfo(nil))
}

func (c *Client) certList(ctx context.Context, cred *Credentials,
	ask InfoTypeAndValue) ([][]byte, error) {
	infos, err := c.GeneralInfo(ctx, cred, ask)
	if err != nil {
		return nil, err
	}
	for _, itv := range infos {
		if itv.Type.Equal(ask.Type) {
			return itv.Certificates()
		}
	}
	return nil, nil
}

// RenewalWindow asks the operator when to renew the certificate with the
// given issuer Name and serial number (OIDRenewalWindow); nil when the
// operator does not say.
func (c *Client) RenewalWindow(ctx context.Context, cred *Credentials, issuer []byte,
	serial *big.Int) (*RenewalWindow, error) {
	infos, err := c.GeneralInfo(ctx, cred, RenewalWindowRequest(issuer, serial))
	if err != nil {
		return nil, err
	}
	for _, itv := range infos {
		if itv.Type.Equal(OIDRenewalWindow) {
			return itv.RenewalWindow()
		}
	}
	return nil, nil
}
