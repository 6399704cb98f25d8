package inspect

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"rekey/internal/i18n"
)

// WriteText writes the report for a person, in lang, with the days left
// counted from Options.Now.
func (r *Report) WriteText(w io.Writer, lang i18n.Lang) error {
	p := &printer{w: w, lang: lang, now: r.Now}
	for i, o := range r.Objects {
		if i > 0 {
			p.printf(0, "\n")
		}
		title := i18n.T(lang, typeKey(o.Type))
		if len(r.Objects) > 1 {
			title = i18n.T(lang, i18n.InspectObjectOf, o.Index, len(r.Objects), title)
		}
		p.printf(0, "%s\n", title)
		p.object(1, o)
	}
	return p.err
}

type printer struct {
	w    io.Writer
	lang i18n.Lang
	now  time.Time
	err  error
}

func (p *printer) printf(indent int, format string, args ...any) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintf(p.w, strings.Repeat("  ", indent)+format, args...)
}

// field writes "Label: value".
func (p *printer) field(indent int, label i18n.Key, value string) {
	p.printf(indent, "%s: %s\n", i18n.T(p.lang, label), value)
}

func (p *printer) t(key i18n.Key, args ...any) string { return i18n.T(p.lang, key, args...) }

func (p *printer) object(in int, o *Object) {
	if o.Subject != nil {
		p.name(in, i18n.LabelSubject, o.Subject)
	}
	if o.Issuer != nil {
		p.name(in, i18n.LabelIssuer, o.Issuer)
	}
	if o.Serial != nil {
		p.field(in, i18n.LabelSerial, *o.Serial)
	}
	if o.NotBefore != nil {
		p.validity(in, o)
	}
	if o.CRL != nil {
		p.crl(in, o.CRL)
	}
	if o.PublicKey != nil {
		p.publicKey(in, i18n.LabelPublicKey, o.PublicKey)
	}
	if o.MatchesObject != nil {
		p.field(in, i18n.LabelMatchesCertificate, p.t(i18n.InspectObjectN, *o.MatchesObject))
	}
	if o.SignatureAlgorithm != nil {
		p.field(in, i18n.LabelSignatureAlgorithm, algText(p.lang, *o.SignatureAlgorithm))
	}
	if o.Extensions != nil && !reflect.ValueOf(*o.Extensions).IsZero() {
		p.extensions(in, o.Extensions)
	}
	if o.Encryption != nil {
		p.field(in, i18n.LabelEncryption, p.encryption(o.Encryption))
	}
	if o.PKCS12 != nil {
		p.pkcs12(in, o.PKCS12)
	}
	if o.CMS != nil {
		p.cms(in, o.CMS)
	}
	if o.PKIMessage != nil {
		p.pkiMessage(in, o.PKIMessage)
	}
	p.signature(in, o)
	for _, n := range o.Notes {
		p.field(in, i18n.LabelNote, n.Text(p.lang))
	}
	for _, pr := range o.Problems {
		p.field(in, i18n.LabelProblem, pr.Text(p.lang))
	}
}

func (p *printer) name(in int, label i18n.Key, n *Name) {
	fields := n.Subject.Fields(string(p.lang))
	if len(fields) == 0 {
		p.field(in, label, p.t(i18n.InspectEmptyName))
		return
	}
	p.printf(in, "%s:\n", p.t(label))
	for _, f := range fields {
		p.printf(in+1, "%s: %s\n", f.Label, f.Value)
	}
}

func (p *printer) time(t time.Time) string { return i18n.FormatTime(p.lang, t) }

func (p *printer) validity(in int, o *Object) {
	p.field(in, i18n.LabelNotBefore, p.time(*o.NotBefore))
	p.field(in, i18n.LabelNotAfter, p.time(*o.NotAfter))
	switch {
	case p.now.Before(*o.NotBefore):
		starts := i18n.Days(p.lang, daysLeft(p.now, *o.NotBefore))
		p.printf(in, "%s\n", p.t(i18n.InspectCertNotYetValid, starts))
	case p.now.After(*o.NotAfter):
		p.printf(in, "%s\n", p.t(i18n.InspectCertExpired, i18n.Days(p.lang, -*o.DaysLeft)))
	default:
		p.printf(in, "%s\n", p.t(i18n.InspectCertExpiresIn, i18n.Days(p.lang, *o.DaysLeft)))
	}
	if o.KeyExpires == nil {
		return
	}
	p.field(in, i18n.LabelKeyExpires, p.time(*o.KeyExpires))
	if p.now.After(*o.KeyExpires) {
		p.printf(in, "%s\n", p.t(i18n.InspectKeyExpired, i18n.Days(p.lang, -*o.KeyDaysLeft)))
	} else {
		p.printf(in, "%s\n", p.t(i18n.InspectKeyExpiresIn, i18n.Days(p.lang, *o.KeyDaysLeft)))
	}
}

func (p *printer) crl(in int, c *CRLInfo) {
	if c.Number != nil {
		p.field(in, i18n.LabelCRLNumber, *c.Number)
	}
	p.field(in, i18n.LabelThisUpdate, p.time(c.ThisUpdate))
	if c.NextUpdate != nil {
		next := p.time(*c.NextUpdate)
		if p.now.After(*c.NextUpdate) {
			next += " — " + p.t(i18n.InspectCRLOutdated)
		}
		p.field(in, i18n.LabelNextUpdate, next)
	}
	p.field(in, i18n.LabelRevoked, fmt.Sprint(len(c.Revoked)))
	for _, e := range c.Revoked {
		line := e.Serial + " — " + p.time(e.Time)
		if e.Reason != "" {
			line += ", " + e.Reason
		}
		p.printf(in+1, "%s\n", line)
	}
}

func (p *printer) publicKey(in int, label i18n.Key, k *PublicKey) {
	desc := algText(p.lang, k.Algorithm)
	if k.Bits > 0 && !strings.Contains(k.Algorithm, "-bit") {
		desc += ", " + p.t(i18n.InspectBits, k.Bits)
	}
	if k.Curve != "" {
		c := k.Curve
		if k.CurveOID != "" {
			c += " (" + k.CurveOID + ")"
		}
		desc += ", " + p.t(i18n.InspectCurve, c)
	}
	p.field(in, label, desc)
	if k.KeyID != "" {
		p.field(in+1, i18n.LabelKeyID, k.KeyID)
	}
}

func (p *printer) signature(in int, o *Object) {
	switch {
	case o.SignatureValid == nil && o.SignatureCheckedWith != nil:
		// Checked but the algorithm is not supported: the problem says why.
	case o.SignatureValid == nil && (o.Type == TypeCertificate || o.Type == TypeCRL) &&
		o.SignatureAlgorithm != nil:
		p.printf(in, "%s\n", p.t(i18n.InspectSignatureNotChecked))
	case o.SignatureValid == nil:
	case *o.SignatureValid:
		p.printf(in, "%s\n", p.t(i18n.InspectSignatureValid, p.checkedWith(o)))
	default:
		p.printf(in, "%s\n", p.t(i18n.InspectSignatureNotValid, p.checkedWith(o)))
	}
}

func (p *printer) checkedWith(o *Object) string {
	w := *o.SignatureCheckedWith
	switch {
	case w == "self" && o.Type == TypeCertificateRequest:
		return p.t(i18n.InspectCheckedRequest)
	case w == "self":
		return p.t(i18n.InspectCheckedSelf)
	case w == "issuer":
		return p.t(i18n.InspectCheckedIssuer)
	}
	var n int
	fmt.Sscanf(w, "object %d", &n)
	return p.t(i18n.InspectCheckedObject, n)
}

func (p *printer) extensions(in int, e *Extensions) {
	p.printf(in, "%s:\n", p.t(i18n.LabelExtensions))
	p.usageExtensions(in+1, e)
	p.infoExtensions(in+1, e)
}

// critical marks the extension oid when it is critical.
func (p *printer) critical(e *Extensions, oid string) string {
	for _, c := range e.Critical {
		if c == oid {
			return " (" + p.t(i18n.InspectCritical) + ")"
		}
	}
	return ""
}

// usageExtensions writes what the key may be used for.
func (p *printer) usageExtensions(in int, e *Extensions) {
	if bc := e.BasicConstraints; bc != nil {
		v := p.t(i18n.InspectNotCA)
		if bc.CA {
			v = p.t(i18n.InspectCA)
			if bc.MaxPathLen != nil {
				v += ", " + p.t(i18n.InspectPathLen, *bc.MaxPathLen)
			}
		}
		p.field(in, i18n.LabelBasicConstraints, v+p.critical(e, "2.5.29.19"))
	}
	if len(e.KeyUsage) > 0 {
		names := make([]string, len(e.KeyUsage))
		for i, u := range e.KeyUsage {
			names[i] = p.t(i18n.Key("ku." + u))
		}
		p.field(in, i18n.LabelKeyUsage, strings.Join(names, ", ")+p.critical(e, "2.5.29.15"))
	}
	if len(e.ExtKeyUsage) > 0 {
		p.field(in, i18n.LabelExtKeyUsage, p.oidList(e.ExtKeyUsage)+p.critical(e, "2.5.29.37"))
	}
	if len(e.Policies) > 0 {
		p.field(in, i18n.LabelPolicies, p.oidList(e.Policies))
	}
	if k := e.PrivateKeyUsagePeriod; k != nil {
		p.field(in, i18n.LabelPrivateKeyUsagePeriod, p.period(k))
	}
}

// infoExtensions writes the identifiers, locations and tools.
func (p *printer) infoExtensions(in int, e *Extensions) {
	if e.SubjectKeyID != "" {
		p.field(in, i18n.LabelSubjectKeyID, e.SubjectKeyID)
	}
	if e.AuthorityKeyID != "" {
		p.field(in, i18n.LabelAuthorityKeyID, e.AuthorityKeyID)
	}
	if len(e.CRLDistributionPoints) > 0 {
		p.field(in, i18n.LabelCRLDP, strings.Join(e.CRLDistributionPoints, ", "))
	}
	if e.SubjectSignTool != "" {
		p.field(in, i18n.LabelSubjectSignTool, e.SubjectSignTool)
	}
	if t := e.IssuerSignTool; t != nil {
		p.printf(in, "%s:\n", p.t(i18n.LabelIssuerSignTool))
		p.field(in+1, i18n.LabelSignTool, t.SignTool)
		p.field(in+1, i18n.LabelCATool, t.CATool)
		p.field(in+1, i18n.LabelSignToolCert, t.SignToolCert)
		p.field(in+1, i18n.LabelCAToolCert, t.CAToolCert)
	}
	if len(e.Other) > 0 {
		others := make([]string, len(e.Other))
		for i, oid := range e.Other {
			others[i] = oid + p.critical(e, oid)
		}
		p.field(in, i18n.LabelOtherExtensions, strings.Join(others, ", "))
	}
}

// oidList names the OIDs the catalogue knows (extended key usages,
// policies) and shows each OID beside its name.
func (p *printer) oidList(oids []string) string {
	out := make([]string, len(oids))
	for i, oid := range oids {
		k := i18n.Key("oid." + oid)
		if i18n.Has(k) {
			out[i] = p.t(k) + " (" + oid + ")"
		} else {
			out[i] = oid
		}
	}
	return strings.Join(out, ", ")
}

func (p *printer) period(k *Period) string {
	from, to := "—", "—"
	if k.NotBefore != nil {
		from = p.time(*k.NotBefore)
	}
	if k.NotAfter != nil {
		to = p.time(*k.NotAfter)
	}
	return from + " – " + to
}

func (p *printer) encryption(e *Encryption) string {
	s := e.Scheme
	if e.KDF != "" {
		s += ": " + e.KDF
		var parts []string
		if e.PRF != "" {
			parts = append(parts, algText(p.lang, e.PRF))
		}
		if e.Iterations > 0 {
			parts = append(parts, p.t(i18n.InspectIterations, e.Iterations))
		}
		if e.SaltSize > 0 {
			parts = append(parts, p.t(i18n.InspectSaltBytes, i18n.Bytes(p.lang, e.SaltSize)))
		}
		if len(parts) > 0 {
			s += " (" + strings.Join(parts, ", ") + ")"
		}
	}
	if e.Cipher != "" {
		s += ", " + algText(p.lang, e.Cipher)
	}
	return s
}

func (p *printer) pkcs12(in int, x *PKCS12Info) {
	if m := x.MAC; m != nil {
		p.field(in, i18n.LabelPKCS12MAC, p.t(i18n.InspectPKCS12MACDesc,
			algText(p.lang, m.Digest), m.Iterations))
	} else {
		p.field(in, i18n.LabelPKCS12MAC, p.t(i18n.InspectNone))
	}
	for i, s := range x.Safes {
		if s.Encryption != nil {
			p.printf(in, "%s: %s\n", p.t(i18n.LabelPKCS12Safe, i+1),
				p.t(i18n.InspectSafeEncrypted, p.encryption(s.Encryption)))
			continue
		}
		p.printf(in, "%s: %s\n", p.t(i18n.LabelPKCS12Safe, i+1), p.t(i18n.InspectSafePlain))
		for _, b := range s.Bags {
			p.bag(in+1, b)
		}
	}
	if !x.Decrypted {
		return
	}
	p.publicKey(in, i18n.LabelPrivateKey, x.Key)
	if x.KeyMatchesCertificate != nil {
		v := p.t(i18n.InspectYes)
		if !*x.KeyMatchesCertificate {
			v = p.t(i18n.InspectNo)
		}
		p.field(in, i18n.LabelKeyMatchesFirstCert, v)
	}
	p.certList(in, x.Certificates)
}

func (p *printer) bag(in int, b PKCS12Bag) {
	var desc string
	switch {
	case b.Certificate != nil:
		desc = p.certLine(b.Certificate)
	case b.Encryption != nil:
		desc = p.t(i18n.InspectEncryptedWith, p.encryption(b.Encryption))
	}
	line := b.Type
	if desc != "" {
		line += ": " + desc
	}
	if b.FriendlyName != "" {
		line += "; " + p.t(i18n.InspectFriendlyName, b.FriendlyName)
	}
	p.printf(in, "%s\n", line)
}

func (p *printer) certList(in int, certs []*Object) {
	p.field(in, i18n.LabelCertificates, fmt.Sprint(len(certs)))
	for i, c := range certs {
		p.printf(in+1, "%d. %s\n", i+1, p.certLine(c))
	}
}

// certLine sums a certificate up in one line: subject, serial, end of
// validity.
func (p *printer) certLine(c *Object) string {
	if c.Subject == nil {
		if len(c.Problems) > 0 {
			return c.Problems[0].Text(p.lang)
		}
		return "?"
	}
	return p.t(i18n.InspectCertLine, c.Subject.Subject.String(), *c.Serial, p.time(*c.NotAfter))
}

func (p *printer) cms(in int, c *CMSInfo) {
	p.field(in, i18n.LabelContentType, p.t(i18n.InspectCMSType, c.ContentType, c.ContentTypeOID))
	if c.Version != nil {
		p.field(in, i18n.LabelVersion, fmt.Sprint(*c.Version))
	}
	if c.EncapsulatedContentType != "" {
		v := c.EncapsulatedContentType
		switch {
		case c.Detached != nil && *c.Detached:
			v += ", " + p.t(i18n.InspectDetached)
		case c.ContentSize != nil:
			v += ", " + i18n.Bytes(p.lang, *c.ContentSize)
		}
		p.field(in, i18n.LabelEncapsulated, v)
	}
	if len(c.DigestAlgorithms) > 0 {
		algs := make([]string, len(c.DigestAlgorithms))
		for i, a := range c.DigestAlgorithms {
			algs[i] = algText(p.lang, a)
		}
		p.field(in, i18n.LabelDigestAlgorithms, strings.Join(algs, ", "))
	}
	if len(c.Certificates) > 0 || c.ContentType == "signedData" {
		p.certList(in, c.Certificates)
	}
	if c.CRLs > 0 {
		p.field(in, i18n.LabelCRLs, fmt.Sprint(c.CRLs))
	}
	if len(c.Signers) > 0 {
		p.printf(in, "%s:\n", p.t(i18n.LabelSigners))
		for i, s := range c.Signers {
			p.printf(in+1, "%d. %s\n", i+1, p.identifier(s.ID))
			p.field(in+2, i18n.LabelDigestAlgorithm, algText(p.lang, s.DigestAlgorithm))
			p.field(in+2, i18n.LabelSignatureAlgorithm, algText(p.lang, s.SignatureAlgorithm))
			if len(s.SignedAttributes) > 0 {
				p.field(in+2, i18n.LabelSignedAttributes, strings.Join(s.SignedAttributes, ", "))
			}
		}
	}
	if len(c.Recipients) > 0 {
		p.printf(in, "%s:\n", p.t(i18n.LabelRecipients))
		for i, r := range c.Recipients {
			line := r.Kind
			if r.ID != (CMSIdentifier{}) {
				line += ": " + p.identifier(r.ID)
			}
			p.printf(in+1, "%d. %s\n", i+1, line)
			if r.KeyEncryption != "" {
				p.field(in+2, i18n.LabelKeyEncryption, algText(p.lang, r.KeyEncryption))
			}
		}
	}
	if c.ContentEncryption != "" {
		p.field(in, i18n.LabelContentEncryption, algText(p.lang, c.ContentEncryption))
	}
}

func (p *printer) identifier(id CMSIdentifier) string {
	if id.Issuer != nil {
		return p.t(i18n.InspectIssuerSerial, id.Issuer.Subject.String(), id.Serial)
	}
	if id.SubjectKeyID != "" {
		return p.t(i18n.InspectKeyIDIs, id.SubjectKeyID)
	}
	return "?"
}

func (p *printer) pkiMessage(in int, m *PKIMessageInfo) {
	p.field(in, i18n.LabelPKIBody, m.Body)
	p.field(in, i18n.LabelVersion, fmt.Sprint(m.PVNO))
	switch m.Protection {
	case "signature":
		p.field(in, i18n.LabelProtection, p.t(i18n.InspectProtectionSignature,
			algText(p.lang, *m.ProtectionAlgorithm)))
	case "mac":
		p.field(in, i18n.LabelProtection, p.t(i18n.InspectProtectionMAC, *m.ProtectionAlgorithm))
	default:
		p.field(in, i18n.LabelProtection, p.t(i18n.InspectUnprotected))
	}
	p.field(in, i18n.LabelExtraCerts, fmt.Sprint(m.ExtraCerts))
	p.optional(in, i18n.LabelTransactionID, m.TransactionID)
	p.optional(in, i18n.LabelSender, m.Sender)
	p.optional(in, i18n.LabelRecipient, m.Recipient)
	if m.MessageTime != nil {
		p.field(in, i18n.LabelMessageTime, p.time(*m.MessageTime))
	}
	p.optional(in, i18n.LabelSenderNonce, m.SenderNonce)
	p.optional(in, i18n.LabelRecipNonce, m.RecipNonce)
	p.optional(in, i18n.LabelSenderKID, m.SenderKID)
	for _, s := range m.FreeText {
		p.field(in, i18n.LabelFreeText, s)
	}
	if len(m.GeneralInfo) > 0 {
		p.field(in, i18n.LabelGeneralInfo, strings.Join(m.GeneralInfo, ", "))
	}
	if m.ConfirmWaitTime != nil {
		p.field(in, i18n.LabelConfirmWaitTime, p.time(*m.ConfirmWaitTime))
	}
	for _, st := range m.Statuses {
		p.cmpStatus(in, st)
	}
	if len(m.Requests) > 0 {
		p.printf(in, "%s:\n", p.t(i18n.LabelCertRequests))
		for i, r := range m.Requests {
			p.printf(in+1, "%d. certReqId %d\n", i+1, r.CertReqID)
			if r.Subject != nil {
				p.name(in+2, i18n.LabelSubject, r.Subject)
			}
			if r.PublicKey != nil {
				p.publicKey(in+2, i18n.LabelPublicKey, r.PublicKey)
			}
			if r.OldCertSerial != nil {
				p.printf(in+2, "%s\n", p.t(i18n.InspectOldCert, *r.OldCertSerial))
			}
		}
	}
	for _, r := range m.Revocations {
		line := stringOr(r.Serial, "?")
		if r.Reason != nil {
			line += " (" + *r.Reason + ")"
		}
		p.field(in, i18n.LabelRevocations, line)
	}
	if len(m.InfoTypes) > 0 {
		p.field(in, i18n.LabelInfoTypes, strings.Join(m.InfoTypes, ", "))
	}
	if len(m.Certificates) > 0 {
		p.printf(in, "%s:\n", p.t(i18n.LabelCertificates))
		for i, c := range m.Certificates {
			line := p.t(i18n.InspectCertLine, c.Subject.Subject.String(), c.Serial,
				p.time(c.NotAfter))
			p.printf(in+1, "%d. %s\n", i+1, p.t(i18n.InspectCertIn, line, c.Where))
		}
	}
}

func (p *printer) optional(in int, label i18n.Key, v *string) {
	if v != nil {
		p.field(in, label, *v)
	}
}

func (p *printer) cmpStatus(in int, st CMPStatus) {
	p.field(in, i18n.LabelPKIStatus, st.Status)
	if len(st.FailInfo) > 0 {
		p.field(in+1, i18n.LabelFailInfo, strings.Join(st.FailInfo, ", "))
	}
	if st.CheckAfter != nil {
		p.field(in+1, i18n.LabelCheckAfter, p.t(i18n.InspectCheckAfterSeconds, *st.CheckAfter))
	}
	for _, s := range st.Text {
		p.field(in+1, i18n.LabelFreeText, s)
	}
}

// algText renders an algorithm name in lang: the Russian standards under
// their Russian names, everything else as it is.
func algText(lang i18n.Lang, name string) string {
	if lang != i18n.RU {
		return name
	}
	return ruAlg.Replace(name)
}

var ruAlg = strings.NewReplacer(
	"GOST R", "ГОСТ Р", "-bit", " бит", " with ", ", хэш ", "Streebog", "Стрибог",
	"Kuznyechik", "Кузнечик", "Magma", "Магма", "key wrap", "экспорт ключа",
)

func typeKey(t Type) i18n.Key { return i18n.Key("type." + string(t)) }
