package pki

import (
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
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
//
// It reads what encoding/asn1 read into []rdnSET, which it replaced: DER
// lengths, attribute values of any tag (also in the high-tag-number form),
// and elements after the value of an AttributeTypeAndValue ignored. A
// malformed structure is reported before a trailing byte, and both before a
// value that is not a valid string of its type.
func ParseSubject(der []byte) (*Subject, error) {
	s := new(Subject)
	p := nameParser{der: der}
	if err := p.parse(der, s); err != nil {
		return nil, err
	}
	return s, nil
}

// parse is ParseSubject into s, which is left partly filled on error. der
// is p.der or a part of it.
func (p *nameParser) parse(der []byte, s *Subject) error {
	input := cryptobyte.String(der)
	var rdns cryptobyte.String
	if !input.ReadASN1(&rdns, cbasn1.SEQUENCE) {
		return errors.New("pki: malformed name: not a DER SEQUENCE")
	}
	var firstErr error // of a value; reported once the structure is known good
	for !rdns.Empty() {
		var rdn cryptobyte.String
		if !rdns.ReadASN1(&rdn, cbasn1.SET) {
			return errors.New("pki: malformed name: malformed RelativeDistinguishedName")
		}
		for !rdn.Empty() {
			var atv, oid cryptobyte.String
			var v attrValue
			if !rdn.ReadASN1(&atv, cbasn1.SEQUENCE) {
				return errors.New("pki: malformed name: malformed AttributeTypeAndValue")
			}
			if !atv.ReadASN1Element(&oid, cbasn1.OBJECT_IDENTIFIER) {
				return errors.New("pki: malformed name: attribute type is not an OBJECT IDENTIFIER")
			}
			sp, typ, ok := attrType(oid)
			if !ok {
				return errors.New("pki: malformed name: malformed attribute type OID")
			}
			if !readAttrValue(&atv, &v) {
				return errors.New("pki: malformed name: malformed attribute value")
			}
			// Whatever follows the value in atv is skipped.
			if firstErr == nil {
				firstErr = p.add(s, sp, typ, &v)
			}
		}
	}
	if !input.Empty() {
		return fmt.Errorf("pki: malformed name: %d trailing bytes", len(input))
	}
	return firstErr
}

// attrType identifies the DER OBJECT IDENTIFIER element oid: the Subject
// field it names, or for another type the parsed OID. ok is false when oid
// is not a valid OBJECT IDENTIFIER.
func attrType(oid cryptobyte.String) (sp *attrSpec, typ asn1.ObjectIdentifier, ok bool) {
	for i := range specDER {
		if string(specDER[i]) == string(oid) {
			return &specs[i], nil, true
		}
	}
	if !oid.ReadASN1ObjectIdentifier(&typ) {
		return nil, nil, false
	}
	return nil, typ, true
}

// specDER holds the DER of each specs[i].oid, so that a known attribute is
// recognized without decoding its OID (the DER of an OID is unique).
var specDER = func() [][]byte {
	out := make([][]byte, len(specs))
	for i := range specs {
		var b cryptobyte.Builder
		b.AddASN1ObjectIdentifier(specs[i].oid)
		out[i] = b.BytesOrPanic()
	}
	return out
}()

// attrValue is an attribute value as encoding/asn1 read it into a RawValue.
type attrValue struct {
	class, tag int
	content    []byte
	full       []byte // header and content
}

// readAttrValue reads one element of any class and tag, with the rules of
// encoding/asn1 for a RawValue: a tag number of 31 or more in the
// high-tag-number form (X.690 §8.1.2.4), written minimally and below 2^31;
// a definite length in the fewest octets (X.690 §10.1). The constructed bit
// is not checked against the tag.
func readAttrValue(s *cryptobyte.String, v *attrValue) bool {
	start := *s
	var id, l uint8
	if !s.ReadUint8(&id) {
		return false
	}
	v.class, v.tag = int(id>>6), int(id&0x1f)
	if v.tag == 0x1f && (!readBase128(s, &v.tag) || v.tag < 0x1f) {
		return false
	}
	if !s.ReadUint8(&l) {
		return false
	}
	n := int64(l)
	if l&0x80 != 0 {
		octets := int(l & 0x7f)
		if octets == 0 || octets > 4 { // indefinite, or 2^31 and more
			return false
		}
		n = 0
		for range octets {
			var b uint8
			if !s.ReadUint8(&b) {
				return false
			}
			n = n<<8 | int64(b)
			if n == 0 || n >= 1<<31 { // a leading zero octet, or too long
				return false
			}
		}
		if n < 0x80 {
			return false
		}
	}
	if !s.ReadBytes(&v.content, int(n)) {
		return false
	}
	v.full = start[:len(start)-len(*s)]
	return true
}

// readBase128 reads a base-128 number of at most five octets, without a
// leading 0x80 octet, below 2^31 (X.690 §8.1.2.4.2).
func readBase128(s *cryptobyte.String, out *int) bool {
	var n int64
	for i := 0; i < 5; i++ {
		var b uint8
		if !s.ReadUint8(&b) || (i == 0 && b == 0x80) {
			return false
		}
		n = n<<7 | int64(b&0x7f)
		if b&0x80 == 0 {
			*out = int(n)
			return n < 1<<31
		}
	}
	return false
}

// nameParser parses the Names in der, sharing one copy of der among their
// string values.
type nameParser struct {
	der  []byte
	text string // string(der), made at the first value that needs it
}

// add stores one attribute: in its field of s when sp names one that is
// still empty and the value is a string, in Other otherwise. typ is the
// attribute type when sp is nil.
func (p *nameParser) add(s *Subject, sp *attrSpec, typ asn1.ObjectIdentifier, v *attrValue) error {
	str, isString, err := p.decodeString(v)
	if err != nil {
		if sp != nil {
			typ = sp.oid
		}
		return fmt.Errorf("pki: name attribute %s: %v", typ, err)
	}
	if isString && sp != nil && *sp.field(s) == "" {
		*sp.field(s) = str
		return nil
	}
	if sp != nil {
		typ = append(asn1.ObjectIdentifier(nil), sp.oid...) // the caller's own
	}
	if !isString {
		str = hex.EncodeToString(v.full)
	}
	s.Other = append(s.Other, Attribute{typ, str, v.full})
	return nil
}

// decodeString decodes an ASN.1 DirectoryString or another string type of an
// attribute value. ok is false for a value that is not a string.
func (p *nameParser) decodeString(v *attrValue) (string, bool, error) {
	if v.class != asn1.ClassUniversal {
		return "", false, nil
	}
	b := v.content
	switch v.tag {
	case asn1.TagUTF8String:
		if !utf8.Valid(b) {
			return "", true, errors.New("UTF8String is not valid UTF-8")
		}
		return p.string(b), true, nil
	case asn1.TagPrintableString, asn1.TagIA5String, asn1.TagNumericString:
		if !isASCIIBytes(b) {
			return "", true, errors.New("ASCII string holds non-ASCII bytes")
		}
		return p.string(b), true, nil
	case asn1.TagT61String:
		// Latin-1 in practice, as other implementations read it.
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r), true, nil
	case asn1.TagBMPString:
		if len(b)%2 != 0 {
			return "", true, errors.New("BMPString has an odd length")
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
		return string(utf16.Decode(u)), true, nil
	}
	return "", false, nil
}

// string returns b, a part of p.der, as a substring of one string copy of
// p.der, so that a name costs one allocation for all its values. A b from
// elsewhere is copied on its own.
func (p *nameParser) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	// cryptobyte reslices without a capacity limit, so a part of der
	// starts where their capacities differ.
	off := cap(p.der) - cap(b)
	if off < 0 || off+len(b) > len(p.der) || &p.der[off] != &b[0] {
		return string(b)
	}
	if p.text == "" {
		p.text = string(p.der)
	}
	return p.text[off : off+len(b)]
}

func isASCIIBytes(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
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
