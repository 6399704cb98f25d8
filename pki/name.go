package pki

import (
	"encoding/asn1"
	"encoding/hex"
	"fmt"
)

// attributeTypeAndValue and rdnSET mirror RFC 5280 §4.1.2.4 Name. The value
// stays raw so that every string type can be decoded (and re-encoded) here.
type attributeTypeAndValue struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// rdnSET is a RelativeDistinguishedName; encoding/asn1 writes and reads a
// slice type whose name ends in SET as a SET OF.
type rdnSET []attributeTypeAndValue

// ParseSubject decodes a DER Name (RDNSequence) into a Subject. Attributes
// the Subject has no field for, and repeated ones, go to Other. The result is
// not validated: certificates in the field may carry values that a new
// enrollment would refuse, and renewal must still read them.
func ParseSubject(der []byte) (*Subject, error) {
	var rdns []rdnSET
	rest, err := asn1.Unmarshal(der, &rdns)
	if err != nil {
		return nil, fmt.Errorf("pki: malformed name: %v", err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("pki: malformed name: %d trailing bytes", len(rest))
	}
	var s Subject
	for _, rdn := range rdns {
		for _, atv := range rdn {
			if err := s.add(atv); err != nil {
				return nil, err
			}
		}
	}
	return &s, nil
}

func (s *Subject) add(atv attributeTypeAndValue) error {
	v, isString, err := decodeString(atv.Value)
	if err != nil {
		return fmt.Errorf("pki: name attribute %s: %v", atv.Type, err)
	}
	if !isString {
		h := hex.EncodeToString(atv.Value.FullBytes)
		s.Other = append(s.Other, Attribute{atv.Type, h, atv.Value.FullBytes})
		return nil
	}
	if sp := specByOID(atv.Type); sp != nil && *sp.field(s) == "" {
		*sp.field(s) = v
		return nil
	}
	s.Other = append(s.Other, Attribute{atv.Type, v, atv.Value.FullBytes})
	return nil
}

// MarshalDN encodes the subject as a DER Name, one attribute per RDN in the
// order of a Russian qualified certificate (country first, registration
// numbers last), each with the string type that order prescribes:
// PrintableString for the country, IA5String for e-mail, NumericString for
// INN, INNLE, OGRN, OGRNIP and SNILS, UTF8String for the rest. Attributes in
// Other are written last, as they were read (or as UTF8String when built).
// It validates the subject first.
func (s *Subject) MarshalDN() ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	var rdns []rdnSET
	for i := range specs {
		sp := &specs[i]
		v := *sp.field(s)
		if sp.key == "SNILS" {
			v = NormalizeSNILS(v)
		}
		if v == "" {
			continue
		}
		rdns = append(rdns, rdnSET{{sp.oid, asn1.RawValue{Tag: int(sp.kind), Bytes: []byte(v)}}})
	}
	for _, a := range s.Other {
		val := asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(a.Value)}
		if a.DER != nil {
			val = asn1.RawValue{FullBytes: a.DER}
		}
		rdns = append(rdns, rdnSET{{a.Type, val}})
	}
	der, err := asn1.Marshal(rdns)
	if err != nil {
		return nil, fmt.Errorf("pki: encoding name: %v", err)
	}
	return der, nil
}
