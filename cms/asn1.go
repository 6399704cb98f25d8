package cms

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ContentInfo is the outer structure of every CMS message (RFC 5652 §3).
type ContentInfo struct {
	Raw         []byte
	ContentType asn1.ObjectIdentifier
	// Content is the DER of the content inside the [0] EXPLICIT tag: a
	// SignedData, EnvelopedData, … SEQUENCE.
	Content []byte
}

// ParseContentInfo parses a ContentInfo. A message in BER (indefinite
// lengths, constructed strings) is first re-encoded in DER; Raw and every
// field of the parsed structures then refer to the DER form. Trailing data
// is an error.
func ParseContentInfo(der []byte) (*ContentInfo, error) {
	ci, err := parseContentInfoDER(der)
	if err == nil {
		return ci, nil
	}
	norm, berErr := toDER(der)
	if berErr != nil {
		return nil, err
	}
	return parseContentInfoDER(norm)
}

func parseContentInfoDER(der []byte) (*ContentInfo, error) {
	s := cryptobyte.String(der)
	var raw, ci cryptobyte.String
	if !s.ReadASN1Element(&raw, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, errors.New("cms: malformed ContentInfo (not one DER SEQUENCE)")
	}
	outer := raw
	if !outer.ReadASN1(&ci, cbasn1.SEQUENCE) {
		return nil, errors.New("cms: malformed ContentInfo")
	}
	info := &ContentInfo{Raw: raw}
	var content cryptobyte.String
	if !ci.ReadASN1ObjectIdentifier(&info.ContentType) {
		return nil, errors.New("cms: malformed ContentInfo contentType")
	}
	if !ci.ReadASN1(&content, ctx0) || !ci.Empty() {
		return nil, errors.New("cms: malformed ContentInfo content")
	}
	var inner cryptobyte.String
	var tag cbasn1.Tag
	if !content.ReadAnyASN1Element(&inner, &tag) || !content.Empty() {
		return nil, errors.New("cms: malformed ContentInfo content")
	}
	info.Content = inner
	return info, nil
}

// marshalContentInfo wraps the DER of a content in a ContentInfo.
func marshalContentInfo(contentType asn1.ObjectIdentifier, content []byte) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(contentType)
		b.AddASN1(ctx0, func(b *cryptobyte.Builder) {
			b.AddBytes(content)
		})
	})
	return b.Bytes()
}

// parseTyped parses a ContentInfo and checks its content type.
func parseTyped(der []byte, want asn1.ObjectIdentifier, name string) (*ContentInfo, error) {
	ci, err := ParseContentInfo(der)
	if err != nil {
		return nil, err
	}
	if !ci.ContentType.Equal(want) {
		return nil, fmt.Errorf("cms: content type is %s, not %s", ci.ContentType, name)
	}
	return ci, nil
}

// Context-specific tags: [n] constructed (EXPLICIT, or IMPLICIT over a
// SEQUENCE or SET), and [0] primitive (IMPLICIT over an OCTET STRING).
const (
	ctx0     cbasn1.Tag = 0xa0
	ctx1     cbasn1.Tag = 0xa1
	ctx2     cbasn1.Tag = 0xa2
	ctx3     cbasn1.Tag = 0xa3
	ctx4     cbasn1.Tag = 0xa4
	ctx0Prim cbasn1.Tag = 0x80
)

// algorithmIdentifier is an AlgorithmIdentifier with its parameters as
// the full DER element (nil when absent).
type algorithmIdentifier struct {
	OID    asn1.ObjectIdentifier
	Params []byte
}

func readAlgorithm(s *cryptobyte.String, ai *algorithmIdentifier) bool {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&ai.OID) {
		return false
	}
	ai.Params = nil
	if seq.Empty() {
		return true
	}
	var p cryptobyte.String
	var tag cbasn1.Tag
	if !seq.ReadAnyASN1Element(&p, &tag) || !seq.Empty() {
		return false
	}
	ai.Params = p
	return true
}

func addAlgorithm(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, params []byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddBytes(params)
	})
}

var asn1NULL = []byte{0x05, 0x00}

// issuerAndSerial identifies a certificate by its issuer name (raw DER)
// and serial number (RFC 5652 §10.2.4), or by its subject key identifier.
type issuerAndSerial struct {
	RawIssuer    []byte
	SerialNumber *big.Int
	SubjectKeyID []byte // set instead of the two above for the [0] form
}

func readIssuerAndSerial(s *cryptobyte.String, id *issuerAndSerial) bool {
	var seq, name cryptobyte.String
	id.SerialNumber = new(big.Int)
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) ||
		!seq.ReadASN1Element(&name, cbasn1.SEQUENCE) ||
		!seq.ReadASN1Integer(id.SerialNumber) || !seq.Empty() {
		return false
	}
	id.RawIssuer = name
	return true
}

// readSignerIdentifier reads the SignerIdentifier / RecipientIdentifier
// CHOICE { issuerAndSerialNumber, [0] IMPLICIT SubjectKeyIdentifier }.
func readSignerIdentifier(s *cryptobyte.String, id *issuerAndSerial) bool {
	if s.PeekASN1Tag(cbasn1.SEQUENCE) {
		return readIssuerAndSerial(s, id)
	}
	var ski cryptobyte.String
	if !s.ReadASN1(&ski, ctx0Prim) || len(ski) == 0 {
		return false
	}
	id.SubjectKeyID = ski
	return true
}

func addIssuerAndSerial(b *cryptobyte.Builder, rawIssuer []byte, serial *big.Int) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(rawIssuer)
		b.AddASN1BigInt(serial)
	})
}

// Attribute is one attribute of a SignerInfo or of unprotectedAttrs
// (RFC 5652 §5.3): its type and the DER of each value of its SET.
type Attribute struct {
	Type   asn1.ObjectIdentifier
	Values [][]byte
}

// readAttributes reads the contents of a SET OF Attribute.
func readAttributes(s cryptobyte.String) ([]Attribute, bool) {
	var attrs []Attribute
	for !s.Empty() {
		var a Attribute
		var seq, set cryptobyte.String
		if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&a.Type) ||
			!seq.ReadASN1(&set, cbasn1.SET) || !seq.Empty() {
			return nil, false
		}
		for !set.Empty() {
			var v cryptobyte.String
			var tag cbasn1.Tag
			if !set.ReadAnyASN1Element(&v, &tag) {
				return nil, false
			}
			a.Values = append(a.Values, v)
		}
		if len(a.Values) == 0 {
			return nil, false
		}
		attrs = append(attrs, a)
	}
	return attrs, true
}

// findAttribute returns the single value of the attribute of type oid.
// It fails when the attribute appears more than once or has several
// values (RFC 5652 §11 says these attributes carry exactly one).
func findAttribute(attrs []Attribute, oid asn1.ObjectIdentifier) ([]byte, bool, error) {
	var found []byte
	for _, a := range attrs {
		if !a.Type.Equal(oid) {
			continue
		}
		if found != nil || len(a.Values) != 1 {
			return nil, false, fmt.Errorf("cms: attribute %s must have exactly one value", oid)
		}
		found = a.Values[0]
	}
	return found, found != nil, nil
}

// marshalAttributes encodes attributes as the DER of a SET OF Attribute,
// sorted as DER requires, with the given outer tag.
func marshalAttributes(tag cbasn1.Tag, attrs []Attribute) ([]byte, error) {
	enc := make([][]byte, 0, len(attrs))
	for _, a := range attrs {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(a.Type)
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				for _, v := range sortedDER(a.Values) {
					b.AddBytes(v)
				}
			})
		})
		der, err := b.Bytes()
		if err != nil {
			return nil, err
		}
		enc = append(enc, der)
	}
	var b cryptobyte.Builder
	b.AddASN1(tag, func(b *cryptobyte.Builder) {
		for _, e := range sortedDER(enc) {
			b.AddBytes(e)
		}
	})
	return b.Bytes()
}

// sortedDER returns the encodings in the order of a DER SET OF (X.690
// §11.6): ascending as octet strings, the shorter first on a common prefix.
func sortedDER(elems [][]byte) [][]byte {
	out := slices.Clone(elems)
	slices.SortFunc(out, bytes.Compare)
	return out
}

// marshalOctetString returns the DER of an OCTET STRING.
func marshalOctetString(v []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1OctetString(v)
	return b.BytesOrPanic()
}

// marshalOID returns the DER of an OBJECT IDENTIFIER.
func marshalOID(oid asn1.ObjectIdentifier) []byte {
	var b cryptobyte.Builder
	b.AddASN1ObjectIdentifier(oid)
	return b.BytesOrPanic()
}

// parseOctetString parses the DER of one OCTET STRING.
func parseOctetString(der []byte) ([]byte, bool) {
	s := cryptobyte.String(der)
	var v cryptobyte.String
	if !s.ReadASN1(&v, cbasn1.OCTET_STRING) || !s.Empty() {
		return nil, false
	}
	return v, true
}
