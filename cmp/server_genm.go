package cmp

import (
	"context"
	"encoding/asn1"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// revocation serves rr (RFC 9483 §4.2): one request, signed with the
// certificate it revokes, which must not be revoked already.
func (s *Server) revocation(ctx context.Context, ex *exchange) (Body, error) {
	list := ex.req.Body.RevReq
	if len(list) != 1 {
		return Body{}, refusef(FailBadRequest, "cmp: rr with %d requests", len(list))
	}
	rd := &list[0]
	issuer, serial := rd.CertDetails.Issuer, rd.CertDetails.SerialNumber
	if issuer == nil || serial == nil {
		return Body{}, refusef(FailBadCertID, "cmp: rr without issuer and serial number")
	}
	if !sameIssuer(issuer, ex.signer) {
		return Body{}, refusef(FailNotAuthorized, "cmp: rr for a certificate of another issuer")
	}
	if serial.Cmp(ex.signer.SerialNumber) != 0 {
		return Body{}, refusef(FailNotAuthorized,
			"cmp: rr for serial %x signed by another certificate (%x)", serial,
			ex.signer.SerialNumber)
	}
	if err := s.checkNotRevoked(ctx, ex); err != nil {
		return Body{}, err
	}
	reason, ok, err := rd.Reason()
	if err != nil {
		return Body{}, err
	}
	if !ok {
		reason = -1
	}
	if err := s.openTransaction(ctx, ex, nil); err != nil {
		return Body{}, err
	}
	err = s.cfg.Authority.Revoke(ctx, &RevokeRequest{TransactionID: ex.tx.ID,
		Certificate: ex.signer, Issuer: ex.signer.RawIssuer, Serial: serial, Reason: reason})
	if err != nil {
		return Body{}, internalError(err, "revoking")
	}
	return Body{Type: TypeRP, RevRep: &RevRepContent{
		Status: []StatusInfo{{Status: StatusAccepted}},
	}}, nil
}

// generalMessage serves genm (RFC 9483 §4.3): signed; the Authority
// answers the info types it knows.
func (s *Server) generalMessage(ctx context.Context, ex *exchange) (Body, error) {
	if err := s.openTransaction(ctx, ex, nil); err != nil {
		return Body{}, err
	}
	infos, err := s.cfg.Authority.GeneralInfo(ctx, &InfoRequest{TransactionID: ex.tx.ID,
		Signer: ex.signer, Types: ex.req.Body.GenInfo})
	if err != nil {
		return Body{}, internalError(err, "answering genm")
	}
	if infos == nil {
		infos = []InfoTypeAndValue{}
	}
	return Body{Type: TypeGenP, GenInfo: infos}, nil
}

// OIDRenewalWindow is rekey's info type for the operator's suggested
// renewal window of a certificate (genm/genp, RFC 9810 §5.3.19).
//
// Known issue: the arc 1.3.6.1.4.1.32473 is the example enterprise
// number reserved for documentation (RFC 5612). It is a placeholder
// until the operator registers its own private enterprise number; both
// sides of rekey use this variable, so the change is one line.
var OIDRenewalWindow = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 32473, 1, 1}

// RenewalWindow is the value of an OIDRenewalWindow genp entry:
//
//	RenewalWindow ::= SEQUENCE {
//	    certId     CertId,            -- the certificate asked about
//	    notBefore  GeneralizedTime,   -- renew from
//	    notAfter   GeneralizedTime,   -- renew until (before expiry)
//	    text       PKIFreeText OPTIONAL }
//
// The genm entry's value is the CertId alone (RenewalWindowRequest).
type RenewalWindow struct {
	Cert      CertID
	NotBefore time.Time
	NotAfter  time.Time
	Text      []string // nil when absent
}

// RenewalWindowRequest returns the genm entry asking for the renewal
// window of the certificate with the given issuer Name (DER) and serial
// number.
func RenewalWindowRequest(issuer []byte, serial *big.Int) InfoTypeAndValue {
	var b builder
	addCertID(&b, &CertID{Issuer: DirectoryName(issuer), SerialNumber: serial})
	v, _ := b.Bytes() // a nil serial gives no value, refused by the reader
	return InfoTypeAndValue{Type: OIDRenewalWindow, Value: v}
}

// RenewalWindowCertID decodes the value of a genm OIDRenewalWindow entry.
func (itv InfoTypeAndValue) RenewalWindowCertID() (*CertID, error) {
	s := cryptobyte.String(itv.Value)
	id, err := readCertID(&s)
	if err != nil {
		return nil, err
	}
	if !s.Empty() {
		return nil, malformed("renewal window request: trailing data")
	}
	return id, nil
}

// RenewalWindowInfo returns the genp entry with w.
func RenewalWindowInfo(w *RenewalWindow) (InfoTypeAndValue, error) {
	var b builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		addCertID(b, &w.Cert)
		addGeneralizedTime(b, w.NotBefore)
		addGeneralizedTime(b, w.NotAfter)
		addFreeText(b, w.Text)
	})
	v, err := builderBytes(&b)
	if err != nil {
		return InfoTypeAndValue{}, err
	}
	return InfoTypeAndValue{Type: OIDRenewalWindow, Value: v}, nil
}

// RenewalWindow decodes the value of a genp OIDRenewalWindow entry; an
// absent value (the operator does not know the certificate) gives nil.
func (itv InfoTypeAndValue) RenewalWindow() (*RenewalWindow, error) {
	if itv.Value == nil {
		return nil, nil
	}
	s := cryptobyte.String(itv.Value)
	var in cryptobyte.String
	if !s.ReadASN1(&in, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, malformed("renewal window")
	}
	id, err := readCertID(&in)
	if err != nil {
		return nil, err
	}
	w := &RenewalWindow{Cert: *id}
	if !readGeneralizedTime(&in, &w.NotBefore) || !readGeneralizedTime(&in, &w.NotAfter) {
		return nil, malformed("renewal window times")
	}
	if !in.Empty() {
		if w.Text, err = readFreeText(&in, "renewal window text"); err != nil {
			return nil, err
		}
	}
	if !in.Empty() {
		return nil, malformed("renewal window: trailing data")
	}
	return w, nil
}
