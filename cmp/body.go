package cmp

import (
	"crypto/x509/pkix"
	"strconv"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// BodyType is the CHOICE alternative of a PKIBody, its context tag number
// (RFC 9810 §5.1.2).
type BodyType int

// The body types. Those without a Body field are recognized and refused.
const (
	TypeIR       BodyType = 0
	TypeIP       BodyType = 1
	TypeCR       BodyType = 2
	TypeCP       BodyType = 3
	TypeP10CR    BodyType = 4
	TypePOPDecC  BodyType = 5
	TypePOPDecR  BodyType = 6
	TypeKUR      BodyType = 7
	TypeKUP      BodyType = 8
	TypeKRR      BodyType = 9
	TypeKRP      BodyType = 10
	TypeRR       BodyType = 11
	TypeRP       BodyType = 12
	TypeCCR      BodyType = 13
	TypeCCP      BodyType = 14
	TypeCKUAnn   BodyType = 15
	TypeCAnn     BodyType = 16
	TypeRAnn     BodyType = 17
	TypeCRLAnn   BodyType = 18
	TypePKIConf  BodyType = 19
	TypeNested   BodyType = 20
	TypeGenM     BodyType = 21
	TypeGenP     BodyType = 22
	TypeError    BodyType = 23
	TypeCertConf BodyType = 24
	TypePollReq  BodyType = 25
	TypePollRep  BodyType = 26
)

var bodyNames = [...]string{
	"ir", "ip", "cr", "cp", "p10cr", "popdecc", "popdecr", "kur", "kup", "krr",
	"krp", "rr", "rp", "ccr", "ccp", "ckuann", "cann", "rann", "crlann",
	"pkiconf", "nested", "genm", "genp", "error", "certConf", "pollReq",
	"pollRep",
}

// String returns the ASN.1 name of t, such as "kur".
func (t BodyType) String() string {
	if t >= 0 && int(t) < len(bodyNames) {
		return bodyNames[t]
	}
	return "unknown body type " + strconv.Itoa(int(t))
}

func (t BodyType) supported() bool {
	switch t {
	case TypePOPDecC, TypePOPDecR, TypeKRR, TypeKRP, TypeCCR, TypeCCP, TypeCKUAnn,
		TypeCAnn, TypeRAnn, TypeCRLAnn, TypeNested:
		return false
	}
	return t >= 0 && int(t) < len(bodyNames)
}

// Body is a PKIBody (RFC 9810 §5.1.2): Type says which field holds the
// content.
//
//	ir, cr, kur       CertReq
//	ip, cp, kup       CertRep
//	p10cr             P10CR (a DER PKCS#10 CertificationRequest)
//	certConf          CertConf
//	pkiconf           nothing
//	pollReq           PollReq
//	pollRep           PollRep
//	rr                RevReq
//	rp                RevRep
//	genm, genp        GenInfo
//	error             Error
type Body struct {
	Type     BodyType
	CertReq  []CertReqMsg
	CertRep  *CertRepMessage
	P10CR    []byte
	CertConf []CertStatus
	PollReq  []int64 // certReqIds
	PollRep  []PollRep
	RevReq   []RevDetails
	RevRep   *RevRepContent
	GenInfo  []InfoTypeAndValue
	Error    *ErrorMsgContent

	// Raw is the body's DER, with its [n] tag, as parsed or as last
	// protected. Marshal does not read it.
	Raw []byte
}

// CertRepMessage is the content of ip, cp and kup (RFC 9810 §5.3.4).
type CertRepMessage struct {
	CAPubs   [][]byte // DER certificates; nil when absent
	Response []CertResponse
}

// CertResponse answers one CertReqMsg (RFC 9810 §5.3.4).
type CertResponse struct {
	CertReqID        int64
	Status           StatusInfo
	CertifiedKeyPair *CertifiedKeyPair
	RspInfo          []byte // nil when absent
}

// CertifiedKeyPair carries the issued certificate (RFC 9810 §5.3.4).
// Certificate is set for the certificate choice, EncryptedCert (the DER of
// the [1] element) otherwise; PrivateKey and PublicationInfo are the DER
// of their tagged elements.
type CertifiedKeyPair struct {
	Certificate     []byte
	EncryptedCert   []byte
	PrivateKey      []byte
	PublicationInfo []byte
}

// CertStatus is one entry of certConf (RFC 9810 §5.3.18). HashAlg, new in
// pvno 3, names the hash of CertHash when the certificate's signature
// algorithm does not determine one.
type CertStatus struct {
	CertHash   []byte
	CertReqID  int64
	StatusInfo *StatusInfo
	HashAlg    *AlgorithmIdentifier
}

// PollRep is one entry of pollRep (RFC 9810 §5.3.22): ask again after
// CheckAfter seconds.
type PollRep struct {
	CertReqID  int64
	CheckAfter int64
	Reason     []string // nil when absent
}

// RevDetails is one revocation request (RFC 9810 §5.3.9): the certificate
// (in the Lightweight profile, issuer and serialNumber of CertDetails)
// and crlEntryDetails such as the reason code.
type RevDetails struct {
	CertDetails     CertTemplate
	CRLEntryDetails []pkix.Extension
}

// RevRepContent answers rr (RFC 9810 §5.3.10).
type RevRepContent struct {
	Status   []StatusInfo
	RevCerts []CertID // nil when absent
	CRLs     [][]byte // nil when absent
}

// ErrorMsgContent is the content of an error message (RFC 9810 §5.3.21).
type ErrorMsgContent struct {
	StatusInfo   StatusInfo
	ErrorCode    *int64
	ErrorDetails []string // nil when absent
}

func readBody(s *cryptobyte.String, b *Body) error {
	var raw cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1Element(&raw, &tag) {
		return malformed("body")
	}
	b.Raw = raw
	n := int(tag & 0x1f)
	if tag&0xe0 != 0xa0 {
		return malformed("body: not a context-specific constructed tag")
	}
	b.Type = BodyType(n)
	if n >= len(bodyNames) {
		return errorf(FailBadDataFormat, "cmp: unknown body type [%d]", n)
	}
	if !b.Type.supported() {
		return errorf(FailBadRequest, "cmp: body type %s [%d] is not supported", b.Type, n)
	}
	var in cryptobyte.String
	raw.ReadASN1(&in, tag)
	if err := readBodyContent(&in, b); err != nil {
		return err
	}
	if !in.Empty() {
		return malformed(b.Type.String() + " body: trailing data")
	}
	return nil
}

func readBodyContent(in *cryptobyte.String, b *Body) error {
	var err error
	switch b.Type {
	case TypeIR, TypeCR, TypeKUR:
		b.CertReq, err = readCertReqMessages(in)
	case TypeIP, TypeCP, TypeKUP:
		b.CertRep = new(CertRepMessage)
		err = readCertRep(in, b.CertRep)
	case TypeP10CR:
		var p cryptobyte.String
		if !in.ReadASN1Element(&p, cbasn1.SEQUENCE) {
			return malformed("p10cr")
		}
		b.P10CR = p
	case TypePKIConf:
		var null cryptobyte.String
		if !in.ReadASN1(&null, cbasn1.NULL) || !null.Empty() {
			return malformed("pkiconf")
		}
	case TypeCertConf:
		b.CertConf, err = readCertConf(in)
	case TypePollReq:
		b.PollReq, err = readPollReq(in)
	case TypePollRep:
		b.PollRep, err = readPollRep(in)
	case TypeRR:
		b.RevReq, err = readRevReq(in)
	case TypeRP:
		b.RevRep = new(RevRepContent)
		err = readRevRep(in, b.RevRep)
	case TypeGenM, TypeGenP:
		b.GenInfo, err = readInfoTypeAndValues(in, b.Type.String())
	case TypeError:
		b.Error = new(ErrorMsgContent)
		err = readErrorContent(in, b.Error)
	}
	return err
}

func addBody(b *builder, body *Body) {
	if !body.Type.supported() {
		b.SetError(errorf(FailBadRequest, "cmp: cannot write body type %s", body.Type))
		return
	}
	if missing := body.missingContent(); missing != "" {
		b.SetError(errorf(FailBadDataFormat, "cmp: %s body without %s", body.Type, missing))
		return
	}
	b.AddASN1(ctxCons(int(body.Type)), func(b *builder) {
		switch body.Type {
		case TypeIR, TypeCR, TypeKUR:
			addCertReqMessages(b, body.CertReq)
		case TypeIP, TypeCP, TypeKUP:
			addCertRep(b, body.CertRep)
		case TypeP10CR:
			addRaw(b, body.P10CR, "p10cr")
		case TypePKIConf:
			b.AddASN1NULL()
		case TypeCertConf:
			addCertConf(b, body.CertConf)
		case TypePollReq:
			addPollReq(b, body.PollReq)
		case TypePollRep:
			addPollRep(b, body.PollRep)
		case TypeRR:
			addRevReq(b, body.RevReq)
		case TypeRP:
			addRevRep(b, body.RevRep)
		case TypeGenM, TypeGenP:
			addInfoTypeAndValues(b, body.GenInfo)
		case TypeError:
			addErrorContent(b, body.Error)
		}
	})
}

// missingContent names the field a body of this type needs and lacks.
func (b *Body) missingContent() string {
	switch b.Type {
	case TypeIP, TypeCP, TypeKUP:
		if b.CertRep == nil {
			return "CertRep"
		}
	case TypeP10CR:
		if b.P10CR == nil {
			return "P10CR"
		}
	case TypeRP:
		if b.RevRep == nil {
			return "RevRep"
		}
	case TypeError:
		if b.Error == nil {
			return "Error"
		}
	}
	return ""
}
