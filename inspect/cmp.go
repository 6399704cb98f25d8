package inspect

import (
	"errors"
	"strconv"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/internal/i18n"
)

// PKIMessageInfo is what rekey shows of a CMP message (RFC 9810 §5.1) until
// package cmp decodes it: the header's version and the body's type.
type PKIMessageInfo struct {
	PVNO       int    `json:"pvno"`
	Body       string `json:"body"` // "ir", "ip", "kur", "genm"… or "[n]"
	Protected  bool   `json:"protected"`
	ExtraCerts int    `json:"extra_certs"`
	Decoded    bool   `json:"decoded"` // false until package cmp decodes it
}

// pkiBodyNames are the PKIBody choices of RFC 9810 §5.1.2 by tag number.
var pkiBodyNames = [...]string{
	"ir", "ip", "cr", "cp", "p10cr", "popdecc", "popdecr", "kur", "kup", "krr", "krp",
	"rr", "rp", "ccr", "ccp", "ckuann", "cann", "rann", "crlann", "pkiconf", "nested",
	"genm", "genp", "error", "certConf", "pollReq", "pollRep",
}

// DecodePKIMessage, when set, describes a CMP message in full; it is the
// hook for package cmp, which does not exist yet. A nil hook, or one that
// returns nil, leaves the shallow description below.
// TODO(#4): set it from package cmp (a registration in an init function of
// a small adapter package, so that inspect need not import cmp).
var DecodePKIMessage func(der []byte) *PKIMessageInfo

var errPKIMessage = errors.New("malformed PKIMessage")

// describePKIMessage reads PKIMessage ::= SEQUENCE { header PKIHeader,
// body PKIBody, protection [0] OPTIONAL, extraCerts [1] OPTIONAL } far
// enough to name it.
func describePKIMessage(der []byte) *Object {
	if DecodePKIMessage != nil {
		if info := DecodePKIMessage(der); info != nil {
			return &Object{Type: TypePKIMessage, PKIMessage: info}
		}
	}
	in := cryptobyte.String(der)
	var msg, hdr, prot, extra, skip cryptobyte.String
	var pvno int64
	var body cbasn1.Tag
	var protected, hasExtra bool
	if !in.ReadASN1(&msg, cbasn1.SEQUENCE) || !in.Empty() || !msg.ReadASN1(&hdr, cbasn1.SEQUENCE) ||
		!hdr.ReadASN1Int64WithTag(&pvno, cbasn1.INTEGER) || !msg.ReadAnyASN1(&skip, &body) ||
		!isContext(body, true) || !msg.ReadOptionalASN1(&prot, &protected, tag0c) ||
		!msg.ReadOptionalASN1(&extra, &hasExtra, tag1c) {
		return malformed(TypePKIMessage, errPKIMessage)
	}
	info := &PKIMessageInfo{PVNO: int(pvno), Body: bodyName(int(body & 0x1f)), Protected: protected}
	var certs cryptobyte.String
	if hasExtra && extra.ReadASN1(&certs, cbasn1.SEQUENCE) {
		for !certs.Empty() && skipAny(&certs) {
			info.ExtraCerts++
		}
	}
	o := &Object{Type: TypePKIMessage, PKIMessage: info}
	o.note("not_decoded", i18n.InspectPKIMessageNotDecoded)
	return o
}

func bodyName(n int) string {
	if n < len(pkiBodyNames) {
		return pkiBodyNames[n]
	}
	return "[" + strconv.Itoa(n) + "]"
}
