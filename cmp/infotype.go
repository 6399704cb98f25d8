package cmp

import (
	"encoding/asn1"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Info types (id-it, 1.3.6.1.5.5.7.4; RFC 9810 §5.3.19 and appendix F,
// RFC 9483 §4.3).
var (
	OIDImplicitConfirm = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 4, 13}
	OIDConfirmWaitTime = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 4, 14}
	OIDOrigPKIMessage  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 4, 15}
	OIDCACerts         = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 4, 17}
	OIDRootCAKeyUpdate = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 4, 18}
	OIDCertReqTemplate = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 4, 19}
	OIDRootCACert      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 4, 20}
	OIDCertProfile     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 4, 21}
	OIDCRLStatusList   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 4, 22}
	OIDCRLs            = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 4, 23}
)

// ImplicitConfirmInfo returns the generalInfo entry id-it-implicitConfirm
// (value NULL).
func ImplicitConfirmInfo() InfoTypeAndValue {
	return InfoTypeAndValue{Type: OIDImplicitConfirm, Value: []byte{0x05, 0x00}}
}

// ConfirmWaitTimeInfo returns the generalInfo entry id-it-confirmWaitTime.
func ConfirmWaitTimeInfo(t time.Time) InfoTypeAndValue {
	b := builder{buf: make([]byte, 0, 32)}
	addGeneralizedTime(&b, t)
	return InfoTypeAndValue{Type: OIDConfirmWaitTime, Value: b.BytesOrPanic()}
}

// CACertsInfo returns an id-it-caCerts entry (RFC 9483 §4.3.1). With no
// certificates it is the request form, which has no value.
func CACertsInfo(certs [][]byte) InfoTypeAndValue {
	return certListInfo(OIDCACerts, certs)
}

// CRLsInfo returns an id-it-crls entry (RFC 9483 §4.3.4): the response
// form with CRLs, the request form (no value) without.
func CRLsInfo(crls [][]byte) InfoTypeAndValue {
	return certListInfo(OIDCRLs, crls)
}

func certListInfo(oid asn1.ObjectIdentifier, items [][]byte) InfoTypeAndValue {
	if len(items) == 0 {
		return InfoTypeAndValue{Type: oid}
	}
	var b builder
	addCertificates(&b, items)
	return InfoTypeAndValue{Type: oid, Value: b.BytesOrPanic()}
}

// RootCACertInfo returns an id-it-rootCaCert request entry (RFC 9483
// §4.3.2) naming the root certificate to update; nil for none.
func RootCACertInfo(root []byte) InfoTypeAndValue {
	return InfoTypeAndValue{Type: OIDRootCACert, Value: root}
}

// Certificates decodes the value of an id-it-caCerts or id-it-crls entry,
// a SEQUENCE OF certificates or CRLs kept as their DER. An absent value
// gives nil.
func (itv InfoTypeAndValue) Certificates() ([][]byte, error) {
	if itv.Value == nil {
		return nil, nil
	}
	s := cryptobyte.String(itv.Value)
	list, err := readCertificates(&s, "infoValue "+itv.Type.String())
	if err != nil {
		return nil, err
	}
	if !s.Empty() {
		return nil, malformed("infoValue " + itv.Type.String() + ": trailing data")
	}
	return list, nil
}

// CRLStatus is an entry of id-it-crlStatusList (RFC 9483 §4.3.4): the CRL
// source (a DistributionPointName [0] or issuer GeneralNames [1], kept as
// DER) and the thisUpdate of the CRL the requester has.
type CRLStatus struct {
	Source     []byte
	ThisUpdate time.Time // zero when absent
}

// CRLStatusListInfo returns an id-it-crlStatusList request entry.
func CRLStatusListInfo(list []CRLStatus) (InfoTypeAndValue, error) {
	var b builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
		for _, st := range list {
			b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
				addRaw(b, st.Source, "CRL source")
				if !st.ThisUpdate.IsZero() {
					addTime(b, st.ThisUpdate)
				}
			})
		}
	})
	v, err := builderBytes(&b)
	if err != nil {
		return InfoTypeAndValue{}, err
	}
	return InfoTypeAndValue{Type: OIDCRLStatusList, Value: v}, nil
}

// CRLStatusList decodes the value of an id-it-crlStatusList entry.
func (itv InfoTypeAndValue) CRLStatusList() ([]CRLStatus, error) {
	s := cryptobyte.String(itv.Value)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, malformed("crlStatusList")
	}
	var out []CRLStatus
	for !seq.Empty() {
		var in cryptobyte.String
		var st CRLStatus
		if !seq.ReadASN1(&in, cbasn1.SEQUENCE) || !readAnyElement(&in, &st.Source) {
			return nil, malformed("crlStatusList entry")
		}
		if t := peekTag(cryptobyte.String(st.Source)); t != ctxCons(0) && t != ctxCons(1) {
			return nil, malformed("crlStatusList source")
		}
		if !in.Empty() && (!readTime(&in, &st.ThisUpdate) || !in.Empty()) {
			return nil, malformed("crlStatusList thisUpdate")
		}
		out = append(out, st)
	}
	return out, nil
}
