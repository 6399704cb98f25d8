package inspect

import (
	"encoding/hex"
	"errors"
	"time"

	"rekey/cmp"
	"rekey/internal/i18n"
	"rekey/pki"
)

// PKIMessageInfo is what rekey shows of a CMP message (RFC 9810 §5.1),
// decoded by package cmp. The first five fields are those of the earlier
// shallow form and keep their meaning; Decoded is now always true for a
// message that parses.
type PKIMessageInfo struct {
	PVNO       int    `json:"pvno"`
	Body       string `json:"body"` // "ir", "ip", "kur", "genm"…
	Protected  bool   `json:"protected"`
	ExtraCerts int    `json:"extra_certs"`
	Decoded    bool   `json:"decoded"`

	// Sender and Recipient are directory names as text; null for the
	// NULL-DN.
	Sender        *string    `json:"sender"`
	Recipient     *string    `json:"recipient"`
	MessageTime   *time.Time `json:"message_time"`
	TransactionID *string    `json:"transaction_id"` // hex
	SenderNonce   *string    `json:"sender_nonce"`
	RecipNonce    *string    `json:"recip_nonce"`
	SenderKID     *string    `json:"sender_kid"`
	FreeText      []string   `json:"free_text"`
	// GeneralInfo names the header's generalInfo entries.
	GeneralInfo     []string   `json:"general_info"`
	ImplicitConfirm bool       `json:"implicit_confirm"`
	ConfirmWaitTime *time.Time `json:"confirm_wait_time"`

	// Protection is "signature", "mac" or "none"; ProtectionAlgorithm
	// its name or dotted OID. Whether it verifies is the object's
	// signature_valid, checked with the --issuer certificate or the
	// message's extraCerts.
	Protection          string  `json:"protection"`
	ProtectionAlgorithm *string `json:"protection_algorithm"`

	Statuses     []CMPStatus     `json:"statuses"`
	Requests     []CMPRequest    `json:"requests"`
	Revocations  []CMPRevocation `json:"revocations"`
	InfoTypes    []string        `json:"info_types"` // genm, genp entries
	Certificates []CMPCert       `json:"certificates"`
}

// CMPStatus is a PKIStatusInfo of the body: of an error message, a
// certificate response, a revocation response or a pollRep.
type CMPStatus struct {
	CertReqID  *int64   `json:"cert_req_id"`
	Status     string   `json:"status"`    // "accepted", "waiting", "rejection"…
	FailInfo   []string `json:"fail_info"` // "badPOP", "badTime"…
	Text       []string `json:"text"`
	CheckAfter *int64   `json:"check_after"` // pollRep: seconds
}

// CMPRequest is a certificate request of ir, cr, kur or a certConf entry.
type CMPRequest struct {
	CertReqID int64      `json:"cert_req_id"`
	Subject   *Name      `json:"subject"`
	PublicKey *PublicKey `json:"public_key"`
	// POPValid is whether the signature proof of possession verifies;
	// null without one.
	POPValid *bool `json:"pop_valid"`
	// OldCertSerial is the serial number (hex) of the oldCertID control
	// of a kur.
	OldCertSerial *string `json:"old_cert_serial"`
}

// CMPRevocation is an entry of rr.
type CMPRevocation struct {
	Issuer *Name   `json:"issuer"`
	Serial *string `json:"serial"`
	Reason *string `json:"reason"`
}

// CMPCert is a certificate carried by the message.
type CMPCert struct {
	Where    string    `json:"where"` // "extra_certs", "ca_pubs", "response", "info"
	Subject  *Name     `json:"subject"`
	Issuer   *Name     `json:"issuer"`
	Serial   string    `json:"serial"`
	NotAfter time.Time `json:"not_after"`
}

// describePKIMessage decodes a PKIMessage with package cmp and checks its
// signature protection with the --issuer certificate or, without one,
// the certificates of extraCerts.
func describePKIMessage(der []byte, opts *Options) *Object {
	m, err := cmp.ParseMessage(der)
	if err != nil {
		return malformed(TypePKIMessage, err)
	}
	info := &PKIMessageInfo{
		PVNO: m.Header.PVNO, Body: m.Body.Type.String(), Protected: m.Protection != nil,
		ExtraCerts: len(m.ExtraCerts), Decoded: true,
	}
	o := &Object{Type: TypePKIMessage, PKIMessage: info}
	describeHeader(info, &m.Header)
	describeBody(info, &m.Body)
	info.Certificates = append(info.Certificates, certsIn("extra_certs", m.ExtraCerts)...)
	checkProtection(o, m, opts)
	info.finish()
	return o
}

func hexPtr(b []byte) *string {
	if b == nil {
		return nil
	}
	return ptr(hex.EncodeToString(b))
}

func nameOf(g cmp.GeneralName) *string {
	if g.IsNullDN() {
		return nil
	}
	dn, ok := g.Directory()
	if !ok {
		return ptr("?")
	}
	s, err := pki.ParseSubject(dn)
	if err != nil {
		return ptr("?")
	}
	return ptr(s.String())
}

func describeHeader(info *PKIMessageInfo, h *cmp.Header) {
	info.Sender, info.Recipient = nameOf(h.Sender), nameOf(h.Recipient)
	if !h.MessageTime.IsZero() {
		info.MessageTime = ptr(h.MessageTime.UTC())
	}
	info.TransactionID = hexPtr(h.TransactionID)
	info.SenderNonce, info.RecipNonce = hexPtr(h.SenderNonce), hexPtr(h.RecipNonce)
	info.SenderKID = hexPtr(h.SenderKID)
	info.FreeText = h.FreeText
	for _, itv := range h.GeneralInfo {
		info.GeneralInfo = append(info.GeneralInfo, infoTypeName(itv))
	}
	info.ImplicitConfirm = h.ImplicitConfirm()
	if t, ok, err := h.ConfirmWaitTime(); ok && err == nil {
		info.ConfirmWaitTime = ptr(t.UTC())
	}
	switch {
	case h.ProtectionAlg == nil:
		info.Protection = "none"
		return
	case isMAC(h.ProtectionAlg):
		info.Protection = "mac"
	default:
		info.Protection = "signature"
	}
	info.ProtectionAlgorithm = ptr(protectionName(h.ProtectionAlg))
}

// setProtectionAlgorithm shows a signature protection's algorithm as the
// object's signature algorithm.
func (o *Object) setProtectionAlgorithm(ai *cmp.AlgorithmIdentifier) {
	o.SignatureAlgorithm = ptr(protectionName(ai))
	o.SignatureAlgorithmOID = ptr(ai.Algorithm.String())
}

func isMAC(ai *cmp.AlgorithmIdentifier) bool {
	return ai.Algorithm.Equal(cmp.OIDPasswordBasedMAC) || ai.Algorithm.Equal(cmp.OIDPBMAC1)
}

func protectionName(ai *cmp.AlgorithmIdentifier) string {
	switch {
	case ai.Algorithm.Equal(cmp.OIDPasswordBasedMAC):
		return "PasswordBasedMac"
	case ai.Algorithm.Equal(cmp.OIDPBMAC1):
		return "PBMAC1"
	}
	return algorithmName(ai.Algorithm)
}

// protectionAlgorithms are the signature algorithms package cmp verifies.
var protectionAlgorithms = []pki.SignatureAlgorithm{
	pki.GOST256WithStreebog256, pki.GOST512WithStreebog512, pki.ECDSAWithSHA256,
	pki.ECDSAWithSHA384, pki.ECDSAWithSHA512, pki.SHA256WithRSA, pki.SHA384WithRSA,
	pki.SHA512WithRSA, pki.PureEd25519,
}

func signatureAlgorithmOf(ai *cmp.AlgorithmIdentifier) pki.SignatureAlgorithm {
	for _, a := range protectionAlgorithms {
		if a.OID().Equal(ai.Algorithm) {
			return a
		}
	}
	return pki.UnknownSignatureAlgorithm
}

// infoTypeNames are the info types of RFC 9810 and RFC 9483 rekey names,
// and rekey's own renewal window.
var infoTypeNames = []struct {
	oid  []int
	name string
}{
	{cmp.OIDImplicitConfirm, "implicitConfirm"}, {cmp.OIDConfirmWaitTime, "confirmWaitTime"},
	{cmp.OIDOrigPKIMessage, "origPKIMessage"}, {cmp.OIDCACerts, "caCerts"},
	{cmp.OIDRootCAKeyUpdate, "rootCaKeyUpdate"}, {cmp.OIDCertReqTemplate, "certReqTemplate"},
	{cmp.OIDRootCACert, "rootCaCert"}, {cmp.OIDCertProfile, "certProfile"},
	{cmp.OIDCRLStatusList, "crlStatusList"}, {cmp.OIDCRLs, "crls"},
	{cmp.OIDRenewalWindow, "rekeyRenewalWindow"},
}

func infoTypeName(itv cmp.InfoTypeAndValue) string {
	for _, n := range infoTypeNames {
		if itv.Type.Equal(n.oid) {
			return n.name
		}
	}
	return itv.Type.String()
}

func describeBody(info *PKIMessageInfo, b *cmp.Body) {
	for i := range b.CertReq {
		info.Requests = append(info.Requests, describeCertReq(&b.CertReq[i]))
	}
	if r := b.CertRep; r != nil {
		info.Certificates = append(info.Certificates, certsIn("ca_pubs", r.CAPubs)...)
		for _, resp := range r.Response {
			info.Statuses = append(info.Statuses, statusOf(&resp.Status, ptr(resp.CertReqID)))
			if kp := resp.CertifiedKeyPair; kp != nil && kp.Certificate != nil {
				info.Certificates = append(info.Certificates,
					certsIn("response", [][]byte{kp.Certificate})...)
			}
		}
	}
	for _, cs := range b.CertConf {
		if cs.StatusInfo != nil {
			info.Statuses = append(info.Statuses, statusOf(cs.StatusInfo, ptr(cs.CertReqID)))
		} else {
			info.Statuses = append(info.Statuses, CMPStatus{CertReqID: ptr(cs.CertReqID),
				Status: cmp.StatusAccepted.String()})
		}
	}
	for _, p := range b.PollRep {
		info.Statuses = append(info.Statuses, CMPStatus{CertReqID: ptr(p.CertReqID),
			Status: cmp.StatusWaiting.String(), Text: p.Reason, CheckAfter: ptr(p.CheckAfter)})
	}
	for _, rd := range b.RevReq {
		info.Revocations = append(info.Revocations, describeRevocation(&rd))
	}
	if r := b.RevRep; r != nil {
		for i := range r.Status {
			info.Statuses = append(info.Statuses, statusOf(&r.Status[i], nil))
		}
	}
	for _, itv := range b.GenInfo {
		info.InfoTypes = append(info.InfoTypes, infoTypeName(itv))
		if itv.Type.Equal(cmp.OIDCACerts) {
			if certs, err := itv.Certificates(); err == nil {
				info.Certificates = append(info.Certificates, certsIn("info", certs)...)
			}
		}
	}
	if e := b.Error; e != nil {
		info.Statuses = append(info.Statuses, statusOf(&e.StatusInfo, nil))
	}
}

func describeCertReq(r *cmp.CertReqMsg) CMPRequest {
	out := CMPRequest{CertReqID: r.CertReq.CertReqID}
	t := &r.CertReq.Template
	if t.Subject != nil {
		if s, err := pki.ParseSubject(t.Subject); err == nil {
			out.Subject = &Name{Subject: s}
		}
	}
	if t.PublicKey != nil {
		if pub, err := pki.ParsePKIXPublicKey(t.PublicKey); err == nil {
			out.PublicKey = describePublicKey(pub, t.PublicKey)
		}
	}
	if r.POP != nil && r.POP.Signature != nil {
		out.POPValid = ptr(r.VerifyPOP() == nil)
	}
	if id, ok, err := r.CertReq.OldCertID(); ok && err == nil {
		out.OldCertSerial = ptr(id.SerialNumber.Text(16))
	}
	return out
}

func describeRevocation(rd *cmp.RevDetails) CMPRevocation {
	var out CMPRevocation
	if rd.CertDetails.Issuer != nil {
		if s, err := pki.ParseSubject(rd.CertDetails.Issuer); err == nil {
			out.Issuer = &Name{Subject: s}
		}
	}
	if sn := rd.CertDetails.SerialNumber; sn != nil {
		out.Serial = ptr(sn.Text(16))
	}
	if r, ok, err := rd.Reason(); ok && err == nil {
		out.Reason = ptr(pki.CRLReason(r).String())
	}
	return out
}

func statusOf(si *cmp.StatusInfo, id *int64) CMPStatus {
	out := CMPStatus{CertReqID: id, Status: si.Status.String(), Text: si.StatusString}
	if si.FailInfo != 0 {
		for bit := cmp.FailureInfo(1); bit != 0; bit <<= 1 {
			if si.FailInfo&bit != 0 {
				out.FailInfo = append(out.FailInfo, bit.String())
			}
		}
	}
	return out
}

func certsIn(where string, ders [][]byte) []CMPCert {
	var out []CMPCert
	for _, der := range ders {
		c, err := pki.ParseCertificate(der)
		if err != nil {
			continue
		}
		out = append(out, CMPCert{Where: where, Subject: &Name{Subject: c.Subject},
			Issuer: &Name{Subject: c.Issuer}, Serial: c.SerialNumber.Text(16),
			NotAfter: c.NotAfter.UTC()})
	}
	return out
}

// checkProtection verifies a signature protection with the --issuer
// certificate, or else with the certificates of extraCerts whose key
// identifier is the senderKID. A MAC cannot be checked without the
// shared secret, which inspect never asks for.
func checkProtection(o *Object, m *cmp.Message, opts *Options) {
	info := o.PKIMessage
	switch info.Protection {
	case "none":
		return
	case "mac":
		o.note("mac_not_checked", i18n.InspectMACNotChecked)
		return
	}
	o.setProtectionAlgorithm(m.Header.ProtectionAlg)
	whose := "issuer"
	var candidates []*pki.Certificate
	if opts.Issuer != nil {
		candidates = []*pki.Certificate{opts.Issuer}
	} else {
		whose = "extra_certs"
		for _, der := range m.ExtraCerts {
			if c, err := pki.ParseCertificate(der); err == nil {
				candidates = append(candidates, c)
			}
		}
	}
	if len(candidates) == 0 {
		o.note("protection_not_checked", i18n.InspectProtectionNotChecked)
		return
	}
	_, err := m.VerifySignature(candidates...)
	if err != nil && cmp.FailureOf(err) == cmp.FailSignerNotTrusted {
		// No candidate has the sender's key identifier.
		if opts.Issuer != nil {
			o.problem(CodeIssuerMismatch, i18n.InspectIssuerMismatch,
				opts.Issuer.Subject.String(), stringOr(info.Sender, "?"))
		} else {
			o.note("protection_not_checked", i18n.InspectProtectionNotChecked)
		}
		return
	}
	alg := signatureAlgorithmOf(m.Header.ProtectionAlg)
	if err != nil && cmp.FailureOf(err) == cmp.FailBadAlg {
		err = errors.Join(pki.ErrUnsupportedAlgorithm, err)
	}
	o.recordCheck(whose, err, alg)
}

func stringOr(s *string, def string) string {
	if s == nil {
		return def
	}
	return *s
}

// finish gives the slices their JSON form: empty arrays, never null.
func (info *PKIMessageInfo) finish() {
	for _, p := range []*[]string{&info.FreeText, &info.GeneralInfo, &info.InfoTypes} {
		if *p == nil {
			*p = []string{}
		}
	}
	if info.Statuses == nil {
		info.Statuses = []CMPStatus{}
	}
	if info.Requests == nil {
		info.Requests = []CMPRequest{}
	}
	if info.Revocations == nil {
		info.Revocations = []CMPRevocation{}
	}
	if info.Certificates == nil {
		info.Certificates = []CMPCert{}
	}
}
