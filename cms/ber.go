package cms

import (
	"errors"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// BER input (X.690 §8): `openssl cms -stream` and several CSPs write
// indefinite lengths and constructed OCTET STRINGs. toDER re-encodes such a
// message in DER form as far as the structure allows without its schema:
// definite minimal lengths, and universal constructed OCTET STRINGs joined
// into primitive ones. A context-specific constructed string (the [0]
// IMPLICIT encryptedContent) stays constructed; parseContent joins it.
// It does not sort SET OFs or fix other BER freedoms, which the parsers
// either accept or refuse.

// maxBERDepth bounds the nesting toDER follows; CMS needs far less.
const maxBERDepth = 64

var errBER = errors.New("cms: malformed BER")

func toDER(ber []byte) ([]byte, error) {
	var b cryptobyte.Builder
	rest, err := berElement(&b, ber, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, errors.New("cms: trailing data after the message")
	}
	return b.Bytes()
}

// berElement re-encodes the element at the start of in and returns the rest.
func berElement(b *cryptobyte.Builder, in []byte, depth int) ([]byte, error) {
	if depth > maxBERDepth {
		return nil, errors.New("cms: BER nesting too deep")
	}
	tag, body, rest, indefinite, err := berHeader(in)
	if err != nil {
		return nil, err
	}
	constructed := tag[0]&0x20 != 0
	if !constructed {
		if indefinite {
			return nil, errBER
		}
		addElement(b, tag, body)
		return rest, nil
	}
	var children cryptobyte.Builder
	for {
		if indefinite && len(body) >= 2 && body[0] == 0 && body[1] == 0 {
			rest = body[2:]
			break
		}
		if !indefinite && len(body) == 0 {
			break
		}
		if len(body) == 0 {
			return nil, errBER // no end-of-contents
		}
		if body, err = berElement(&children, body, depth+1); err != nil {
			return nil, err
		}
	}
	content, err := children.Bytes()
	if err != nil {
		return nil, err
	}
	if len(tag) == 1 && tag[0] == 0x24 { // constructed OCTET STRING
		joined, ok := joinOctetStrings(content)
		if !ok {
			return nil, errBER
		}
		addElement(b, []byte{0x04}, joined)
		return rest, nil
	}
	addElement(b, tag, content)
	return rest, nil
}

// berHeader splits an element into its tag bytes and contents. With an
// indefinite length, body runs to the end of in and rest is set by the
// caller once the end-of-contents is found.
func berHeader(in []byte) (tag, body, rest []byte, indefinite bool, err error) {
	if len(in) < 2 {
		return nil, nil, nil, false, errBER
	}
	n := 1
	if in[0]&0x1f == 0x1f { // high tag number form
		for n < len(in) && in[n]&0x80 != 0 {
			n++
		}
		n++
		if n > 6 || n >= len(in) {
			return nil, nil, nil, false, errBER
		}
	}
	tag, in = in[:n], in[n:]
	l := int(in[0])
	in = in[1:]
	switch {
	case l == 0x80:
		return tag, in, nil, true, nil
	case l > 0x80:
		k := l & 0x7f
		if k > 4 || len(in) < k {
			return nil, nil, nil, false, errBER
		}
		l = 0
		for _, c := range in[:k] {
			l = l<<8 | int(c)
		}
		in = in[k:]
	}
	if l > len(in) {
		return nil, nil, nil, false, errBER
	}
	return tag, in[:l], in[l:], false, nil
}

// addElement writes tag, a minimal definite length and contents.
func addElement(b *cryptobyte.Builder, tag, contents []byte) {
	b.AddBytes(tag)
	switch l := len(contents); {
	case l < 0x80:
		b.AddUint8(uint8(l))
	case l < 1<<8:
		b.AddUint8(0x81)
		b.AddUint8(uint8(l))
	case l < 1<<16:
		b.AddUint8(0x82)
		b.AddUint16(uint16(l))
	case l < 1<<24:
		b.AddUint8(0x83)
		b.AddUint24(uint32(l))
	default:
		b.AddUint8(0x84)
		b.AddUint32(uint32(l))
	}
	b.AddBytes(contents)
}

// joinOctetStrings concatenates the contents of a sequence of DER
// OCTET STRINGs.
func joinOctetStrings(s cryptobyte.String) ([]byte, bool) {
	out := []byte{}
	for !s.Empty() {
		var part cryptobyte.String
		if !s.ReadASN1(&part, cbasn1.OCTET_STRING) {
			return nil, false
		}
		out = append(out, part...)
	}
	return out, true
}
