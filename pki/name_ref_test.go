package pki

import (
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// refParseSubject is ParseSubject as it was written on encoding/asn1,
// kept as the reference that the cryptobyte parser is fuzzed against
// (FuzzParseSubjectDifferential). It must not change.
func refParseSubject(der []byte) (*Subject, error) {
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
			if err := refAdd(&s, atv); err != nil {
				return nil, err
			}
		}
	}
	return &s, nil
}

func refAdd(s *Subject, atv attributeTypeAndValue) error {
	v, isString, err := refDecodeString(atv.Value)
	if err != nil {
		return fmt.Errorf("pki: name attribute %s: %v", atv.Type, err)
	}
	if !isString {
		h := hex.EncodeToString(atv.Value.FullBytes)
		s.Other = append(s.Other, Attribute{atv.Type, h, atv.Value.FullBytes})
		return nil
	}
	if sp := refSpecByOID(atv.Type); sp != nil && *sp.field(s) == "" {
		*sp.field(s) = v
		return nil
	}
	s.Other = append(s.Other, Attribute{atv.Type, v, atv.Value.FullBytes})
	return nil
}

func refSpecByOID(oid asn1.ObjectIdentifier) *attrSpec {
	for i := range specs {
		if specs[i].oid.Equal(oid) {
			return &specs[i]
		}
	}
	return nil
}

func refDecodeString(v asn1.RawValue) (string, bool, error) {
	if v.Class != asn1.ClassUniversal {
		return "", false, nil
	}
	switch v.Tag {
	case asn1.TagUTF8String:
		if !utf8.Valid(v.Bytes) {
			return "", true, errors.New("UTF8String is not valid UTF-8")
		}
		return string(v.Bytes), true, nil
	case asn1.TagPrintableString, asn1.TagIA5String, asn1.TagNumericString:
		if !isASCII(string(v.Bytes)) {
			return "", true, errors.New("ASCII string holds non-ASCII bytes")
		}
		return string(v.Bytes), true, nil
	case asn1.TagT61String:
		r := make([]rune, len(v.Bytes))
		for i, c := range v.Bytes {
			r[i] = rune(c)
		}
		return string(r), true, nil
	case asn1.TagBMPString:
		if len(v.Bytes)%2 != 0 {
			return "", true, errors.New("BMPString has an odd length")
		}
		u := make([]uint16, len(v.Bytes)/2)
		for i := range u {
			u[i] = uint16(v.Bytes[2*i])<<8 | uint16(v.Bytes[2*i+1])
		}
		return string(utf16.Decode(u)), true, nil
	}
	return "", false, nil
}
