package cmp

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// CRMF controls (id-regCtrl, RFC 4211 §6).
var (
	OIDRegToken  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 5, 1, 1}
	OIDOldCertID = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 5, 1, 5}
)

// CertReqMsg is one request of ir, cr or kur (RFC 4211 §3).
type CertReqMsg struct {
	CertReq CertRequest
	POP     *ProofOfPossession // nil when absent
	RegInfo []AttributeTypeAndValue
}

// CertRequest is the certReq of a CertReqMsg (RFC 4211 §5).
type CertRequest struct {
	CertReqID int64
	Template  CertTemplate
	Controls  []AttributeTypeAndValue // nil when absent

	// Raw is the DER as parsed or as last signed for proof of possession,
	// the data of a POP signature without poposkInput (RFC 4211 §4.1).
	Raw []byte
}

// CertTemplate is a CRMF CertTemplate (RFC 4211 §5); every field is
// optional. Names and the public key are kept as DER.
type CertTemplate struct {
	Version      *int64
	SerialNumber *big.Int
	SigningAlg   *AlgorithmIdentifier
	Issuer       []byte // DER Name
	NotBefore    time.Time
	NotAfter     time.Time
	HasValidity  bool   // validity present (possibly with neither time)
	Subject      []byte // DER Name
	PublicKey    []byte // DER SubjectPublicKeyInfo
	IssuerUID    []byte // BIT STRING content with its unused-bits octet
	SubjectUID   []byte
	Extensions   []pkix.Extension // nil when absent
}

// ProofOfPossession is a ProofOfPossession (RFC 4211 §4). Exactly one
// of RAVerified, Signature or Other is set: Other keeps the
// keyEncipherment and keyAgreement choices as DER.
type ProofOfPossession struct {
	RAVerified bool
	Signature  *POPOSigningKey
	Other      []byte
}

// POPOSigningKey is the signature proof of possession (RFC 4211 §4.1).
// Input is the DER of poposkInput ([0] IMPLICIT POPOSigningKeyInput)
// when present; without it the signature covers CertRequest.Raw.
type POPOSigningKey struct {
	Input     []byte
	Algorithm AlgorithmIdentifier
	Signature []byte
}

// CertID identifies a certificate by issuer and serial number (RFC 9810
// §5.2.4 CertId, the oldCertID control of RFC 4211 §6.5).
type CertID struct {
	Issuer       GeneralName
	SerialNumber *big.Int
}

func readCertReqMessages(s *cryptobyte.String) ([]CertReqMsg, error) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, malformed("CertReqMessages")
	}
	out := []CertReqMsg{}
	for !seq.Empty() {
		var m CertReqMsg
		if err := readCertReqMsg(&seq, &m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func readCertReqMsg(s *cryptobyte.String, m *CertReqMsg) error {
	var in cryptobyte.String
	if !s.ReadASN1(&in, cbasn1.SEQUENCE) {
		return malformed("CertReqMsg")
	}
	if err := readCertRequest(&in, &m.CertReq); err != nil {
		return err
	}
	if !in.Empty() && !in.PeekASN1Tag(cbasn1.SEQUENCE) {
		m.POP = new(ProofOfPossession)
		if err := readPOP(&in, m.POP); err != nil {
			return err
		}
	}
	if in.PeekASN1Tag(cbasn1.SEQUENCE) {
		var err error
		if m.RegInfo, err = readAttributes(&in, "regInfo"); err != nil {
			return err
		}
	}
	if !in.Empty() {
		return malformed("CertReqMsg: trailing data")
	}
	return nil
}

func readCertRequest(s *cryptobyte.String, r *CertRequest) error {
	var raw, in cryptobyte.String
	if !s.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
		return malformed("certReq")
	}
	r.Raw = raw
	raw.ReadASN1(&in, cbasn1.SEQUENCE)
	if !in.ReadASN1Int64WithTag(&r.CertReqID, cbasn1.INTEGER) {
		return malformed("certReqId")
	}
	if err := readCertTemplate(&in, &r.Template, "certTemplate"); err != nil {
		return err
	}
	if in.PeekASN1Tag(cbasn1.SEQUENCE) {
		var err error
		if r.Controls, err = readAttributes(&in, "controls"); err != nil {
			return err
		}
	}
	if !in.Empty() {
		return malformed("certReq: trailing data")
	}
	return nil
}

func readCertTemplate(s *cryptobyte.String, t *CertTemplate, what string) error {
	var in cryptobyte.String
	if !s.ReadASN1(&in, cbasn1.SEQUENCE) {
		return malformed(what)
	}
	if in.PeekASN1Tag(ctxPrim(0)) {
		t.Version = new(int64)
		if !in.ReadASN1Int64WithTag(t.Version, ctxPrim(0)) {
			return malformed(what + " version")
		}
	}
	if in.PeekASN1Tag(ctxPrim(1)) {
		t.SerialNumber = new(big.Int)
		var v cryptobyte.String
		if !in.ReadASN1(&v, ctxPrim(1)) || !readIntegerContent(v, t.SerialNumber) {
			return malformed(what + " serialNumber")
		}
	}
	if in.PeekASN1Tag(ctxCons(2)) {
		t.SigningAlg = new(AlgorithmIdentifier)
		if !readAlgorithm(&in, ctxCons(2), t.SigningAlg) {
			return malformed(what + " signingAlg")
		}
	}
	if !readOptionalName(&in, 3, &t.Issuer) {
		return malformed(what + " issuer")
	}
	if in.PeekASN1Tag(ctxCons(4)) {
		if !readValidity(&in, t) {
			return malformed(what + " validity")
		}
	}
	if !readOptionalName(&in, 5, &t.Subject) {
		return malformed(what + " subject")
	}
	if in.PeekASN1Tag(ctxCons(6)) && !readTemplatePublicKey(&in, &t.PublicKey) {
		return malformed(what + " publicKey")
	}
	for _, u := range []struct {
		tag int
		out *[]byte
	}{{7, &t.IssuerUID}, {8, &t.SubjectUID}} {
		if in.PeekASN1Tag(ctxPrim(u.tag)) {
			var v cryptobyte.String
			if !in.ReadASN1(&v, ctxPrim(u.tag)) || !validBitString(v) {
				return malformed(what + " unique identifier")
			}
			*u.out = v
		}
	}
	if in.PeekASN1Tag(ctxCons(9)) {
		var err error
		if t.Extensions, err = readExtensions(&in, ctxCons(9), what+" extensions"); err != nil {
			return err
		}
	}
	if !in.Empty() {
		return malformed(what + ": unexpected field")
	}
	return nil
}

// readTemplatePublicKey reads publicKey [6] IMPLICIT SubjectPublicKeyInfo
// and returns it as a SubjectPublicKeyInfo SEQUENCE.
func readTemplatePublicKey(s *cryptobyte.String, out *[]byte) bool {
	var spki, bits cryptobyte.String
	var alg AlgorithmIdentifier
	if !s.ReadASN1(&spki, ctxCons(6)) {
		return false
	}
	*out = retag(cbasn1.SEQUENCE, spki)
	return readAlgorithm(&spki, cbasn1.SEQUENCE, &alg) &&
		spki.ReadASN1(&bits, cbasn1.BIT_STRING) && spki.Empty()
}

// readIntegerContent decodes the content octets of a DER INTEGER.
func readIntegerContent(v cryptobyte.String, n *big.Int) bool {
	var b builder
	b.AddASN1(cbasn1.INTEGER, func(b *builder) { b.AddBytes(v) })
	s := cryptobyte.String(b.BytesOrPanic())
	return s.ReadASN1Integer(n)
}

// validBitString reports whether v is the content of a DER BIT STRING.
func validBitString(v []byte) bool {
	if len(v) == 0 || v[0] > 7 || (len(v) == 1 && v[0] != 0) {
		return false
	}
	return v[len(v)-1]&(1<<v[0]-1) == 0
}

func retag(tag cbasn1.Tag, content []byte) []byte {
	var b builder
	b.AddASN1(tag, func(b *builder) { b.AddBytes(content) })
	return b.BytesOrPanic()
}

// readOptionalName reads [n] EXPLICIT Name, if present.
func readOptionalName(s *cryptobyte.String, n int, out *[]byte) bool {
	if !s.PeekASN1Tag(ctxCons(n)) {
		return true
	}
	var in, name cryptobyte.String
	if !s.ReadASN1(&in, ctxCons(n)) || !in.ReadASN1Element(&name, cbasn1.SEQUENCE) ||
		!in.Empty() {
		return false
	}
	*out = name
	return true
}

func readValidity(s *cryptobyte.String, t *CertTemplate) bool {
	var in cryptobyte.String
	if !s.ReadASN1(&in, ctxCons(4)) {
		return false
	}
	t.HasValidity = true
	for _, f := range []struct {
		tag int
		out *time.Time
	}{{0, &t.NotBefore}, {1, &t.NotAfter}} {
		if in.PeekASN1Tag(ctxCons(f.tag)) {
			var v cryptobyte.String
			if !in.ReadASN1(&v, ctxCons(f.tag)) || !readTime(&v, f.out) || !v.Empty() ||
				f.out.IsZero() {
				return false
			}
		}
	}
	return in.Empty()
}

// readExtensions reads Extensions under tag (RFC 5280 §4.1): critical
// must be absent when false (DER).
func readExtensions(s *cryptobyte.String, tag cbasn1.Tag, what string) ([]pkix.Extension, error) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, tag) {
		return nil, malformed(what)
	}
	out := []pkix.Extension{}
	for !seq.Empty() {
		var in, val cryptobyte.String
		var e pkix.Extension
		if !seq.ReadASN1(&in, cbasn1.SEQUENCE) || !in.ReadASN1ObjectIdentifier(&e.Id) {
			return nil, malformed(what + " extension")
		}
		if in.PeekASN1Tag(cbasn1.BOOLEAN) {
			if !in.ReadASN1Boolean(&e.Critical) || !e.Critical {
				return nil, malformed(what + " extension critical flag")
			}
		}
		if !in.ReadASN1(&val, cbasn1.OCTET_STRING) || !in.Empty() {
			return nil, malformed(what + " extension value")
		}
		e.Value = present(val)
		out = append(out, e)
	}
	return out, nil
}

func addExtensions(b *builder, tag cbasn1.Tag, exts []pkix.Extension) {
	b.AddASN1(tag, func(b *builder) {
		for _, e := range exts {
			b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
				b.AddASN1ObjectIdentifier(e.Id)
				if e.Critical {
					b.AddASN1Boolean(true)
				}
				b.AddASN1OctetString(e.Value)
			})
		}
	})
}

func readPOP(s *cryptobyte.String, p *ProofOfPossession) error {
	switch {
	case s.PeekASN1Tag(ctxPrim(0)):
		var v cryptobyte.String
		if !s.ReadASN1(&v, ctxPrim(0)) || !v.Empty() {
			return malformed("popo raVerified")
		}
		p.RAVerified = true
	case s.PeekASN1Tag(ctxCons(1)):
		var in cryptobyte.String
		s.ReadASN1(&in, ctxCons(1))
		p.Signature = new(POPOSigningKey)
		sk := p.Signature
		if in.PeekASN1Tag(ctxCons(0)) {
			var input cryptobyte.String
			in.ReadASN1Element(&input, ctxCons(0))
			sk.Input = input
		}
		if !readAlgorithm(&in, cbasn1.SEQUENCE, &sk.Algorithm) {
			return malformed("popo signature algorithm")
		}
		if !readBitStringBytes(&in, cbasn1.BIT_STRING, &sk.Signature) || !in.Empty() {
			return malformed("popo signature value")
		}
	case s.PeekASN1Tag(ctxCons(2)), s.PeekASN1Tag(ctxCons(3)):
		if !readAnyElement(s, &p.Other) {
			return malformed("popo")
		}
	default:
		return malformed("popo: unknown choice")
	}
	return nil
}

func addPOP(b *builder, p *ProofOfPossession) {
	switch {
	case p.RAVerified:
		b.AddASN1(ctxPrim(0), func(*builder) {})
	case p.Signature != nil:
		sk := p.Signature
		b.AddASN1(ctxCons(1), func(b *builder) {
			if sk.Input != nil {
				addRaw(b, sk.Input, "poposkInput")
			}
			addAlgorithm(b, cbasn1.SEQUENCE, &sk.Algorithm)
			addBitStringBytes(b, cbasn1.BIT_STRING, sk.Signature)
		})
	case p.Other != nil:
		addRaw(b, p.Other, "popo")
	default:
		b.SetError(newError(FailBadDataFormat, "cmp: empty proof of possession"))
	}
}

func addCertReqMessages(b *builder, msgs []CertReqMsg) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		for i := range msgs {
			m := &msgs[i]
			b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
				addCertRequest(b, &m.CertReq)
				if m.POP != nil {
					addPOP(b, m.POP)
				}
				if m.RegInfo != nil {
					addAttributes(b, m.RegInfo)
				}
			})
		}
	})
}

func addCertRequest(b *builder, r *CertRequest) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		b.AddASN1Int64(r.CertReqID)
		addCertTemplate(b, &r.Template)
		if r.Controls != nil {
			addAttributes(b, r.Controls)
		}
	})
}

func addCertTemplate(b *builder, t *CertTemplate) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		if t.Version != nil {
			b.AddASN1Int64WithTag(*t.Version, ctxPrim(0))
		}
		if t.SerialNumber != nil {
			var ib builder
			ib.AddASN1BigInt(t.SerialNumber)
			enc := cryptobyte.String(ib.BytesOrPanic())
			var v cryptobyte.String
			enc.ReadASN1(&v, cbasn1.INTEGER)
			b.AddASN1(ctxPrim(1), func(b *builder) { b.AddBytes(v) })
		}
		if t.SigningAlg != nil {
			addAlgorithm(b, ctxCons(2), t.SigningAlg)
		}
		addOptionalName(b, 3, t.Issuer)
		if t.HasValidity || !t.NotBefore.IsZero() || !t.NotAfter.IsZero() {
			b.AddASN1(ctxCons(4), func(b *builder) {
				if !t.NotBefore.IsZero() {
					b.AddASN1(ctxCons(0), func(b *builder) { addTime(b, t.NotBefore) })
				}
				if !t.NotAfter.IsZero() {
					b.AddASN1(ctxCons(1), func(b *builder) { addTime(b, t.NotAfter) })
				}
			})
		}
		addOptionalName(b, 5, t.Subject)
		if t.PublicKey != nil {
			spki := cryptobyte.String(t.PublicKey)
			var content cryptobyte.String
			if !spki.ReadASN1(&content, cbasn1.SEQUENCE) || !spki.Empty() {
				b.SetError(newError(FailBadDataFormat, "cmp: template publicKey is not a SEQUENCE"))
				return
			}
			b.AddASN1(ctxCons(6), func(b *builder) { b.AddBytes(content) })
		}
		for _, u := range []struct {
			tag int
			v   []byte
		}{{7, t.IssuerUID}, {8, t.SubjectUID}} {
			if u.v != nil {
				b.AddASN1(ctxPrim(u.tag), func(b *builder) { b.AddBytes(u.v) })
			}
		}
		if t.Extensions != nil {
			addExtensions(b, ctxCons(9), t.Extensions)
		}
	})
}

func addOptionalName(b *builder, n int, name []byte) {
	if name == nil {
		return
	}
	b.AddASN1(ctxCons(n), func(b *builder) { addRaw(b, name, "template name") })
}

// Control returns the first control of the given type.
func (r *CertRequest) Control(typ asn1.ObjectIdentifier) (AttributeTypeAndValue, bool) {
	for _, c := range r.Controls {
		if c.Type.Equal(typ) {
			return c, true
		}
	}
	return AttributeTypeAndValue{}, false
}

// OldCertID returns the oldCertID control that a kur must carry (RFC
// 4211 §6.5, RFC 9483 §4.1.3): the certificate being updated.
func (r *CertRequest) OldCertID() (*CertID, bool, error) {
	c, ok := r.Control(OIDOldCertID)
	if !ok {
		return nil, false, nil
	}
	s := cryptobyte.String(c.Value)
	id, err := readCertID(&s)
	if err == nil && !s.Empty() {
		err = malformed("oldCertID: trailing data")
	}
	return id, true, err
}

// OldCertIDControl returns the control oldCertID naming the certificate
// with the given issuer Name (DER) and serial number.
func OldCertIDControl(issuer []byte, serial *big.Int) AttributeTypeAndValue {
	b := builder{buf: make([]byte, 0, len(issuer)+64)}
	addCertID(&b, &CertID{Issuer: DirectoryName(issuer), SerialNumber: serial})
	return AttributeTypeAndValue{Type: OIDOldCertID, Value: b.BytesOrPanic()}
}

func readCertID(s *cryptobyte.String) (*CertID, error) {
	var in cryptobyte.String
	id := &CertID{SerialNumber: new(big.Int)}
	if !s.ReadASN1(&in, cbasn1.SEQUENCE) || !readGeneralName(&in, &id.Issuer) ||
		!in.ReadASN1Integer(id.SerialNumber) || !in.Empty() {
		return nil, malformed("CertId")
	}
	return id, nil
}

func addCertID(b *builder, id *CertID) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		addRaw(b, id.Issuer.raw(), "CertId issuer")
		if id.SerialNumber == nil {
			b.SetError(newError(FailBadDataFormat, "cmp: CertId without serial number"))
			return
		}
		b.AddASN1BigInt(id.SerialNumber)
	})
}
