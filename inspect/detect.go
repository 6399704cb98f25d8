package inspect

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"errors"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Type is the kind of an object found in a file.
type Type string

// The object types, as they appear in the "type" key of the JSON form.
const (
	TypeCertificate         Type = "certificate"
	TypeCertificateRequest  Type = "certificate_request"
	TypeCRL                 Type = "crl"
	TypePrivateKey          Type = "private_key"           // PKCS#8 PrivateKeyInfo
	TypeEncryptedPrivateKey Type = "encrypted_private_key" // PKCS#8 EncryptedPrivateKeyInfo
	TypeRSAPrivateKey       Type = "rsa_private_key"       // PKCS#1, "RSA PRIVATE KEY"
	TypeECPrivateKey        Type = "ec_private_key"        // SEC 1, "EC PRIVATE KEY"
	TypePublicKey           Type = "public_key"            // SubjectPublicKeyInfo
	TypePKCS12              Type = "pkcs12"
	TypeCMS                 Type = "cms"
	TypePKIMessage          Type = "pki_message" // CMP (RFC 9810)
	TypeUnknown             Type = "unknown"     // a PEM block of a file with others
)

// Format is how a file encodes its objects.
type Format string

// The formats.
const (
	FormatPEM    Format = "pem"
	FormatDER    Format = "der"
	FormatBase64 Format = "base64" // DER in Base64 without PEM armour
)

// ErrUnknownFormat is returned by Inspect when the input is neither PEM nor
// DER of an object type that rekey knows.
var ErrUnknownFormat = errors.New("inspect: unknown format")

// block is one DER object of the input with its PEM label ("" for DER).
type block struct {
	label string
	der   []byte
	// legacyEncrypted marks a PEM block with the RFC 1421 DEK-Info
	// header, whose DER is ciphertext.
	legacyEncrypted bool
}

// pemTypes maps the PEM labels rekey reads (RFC 7468 and the usual
// OpenSSL ones) to object types.
var pemTypes = map[string]Type{
	"CERTIFICATE":             TypeCertificate,
	"X509 CERTIFICATE":        TypeCertificate,
	"TRUSTED CERTIFICATE":     TypeCertificate,
	"CERTIFICATE REQUEST":     TypeCertificateRequest,
	"NEW CERTIFICATE REQUEST": TypeCertificateRequest,
	"X509 CRL":                TypeCRL,
	"PRIVATE KEY":             TypePrivateKey,
	"ENCRYPTED PRIVATE KEY":   TypeEncryptedPrivateKey,
	"RSA PRIVATE KEY":         TypeRSAPrivateKey,
	"EC PRIVATE KEY":          TypeECPrivateKey,
	"PUBLIC KEY":              TypePublicKey,
	"PKCS12":                  TypePKCS12,
	"CMS":                     TypeCMS,
	"PKCS7":                   TypeCMS,
}

// decode splits the input into DER blocks and says how it was encoded.
// PEM blocks of labels that carry no object ("EC PARAMETERS") are skipped.
func decode(data []byte) (Format, []block, error) {
	if blocks := decodePEM(data); len(blocks) > 0 {
		return FormatPEM, blocks, nil
	}
	if len(data) > 0 && data[0] == 0x30 {
		return FormatDER, []block{{der: data}}, nil
	}
	if der := decodeBase64(data); der != nil {
		return FormatBase64, []block{{der: der}}, nil
	}
	return "", nil, ErrUnknownFormat
}

func decodePEM(data []byte) []block {
	var out []block
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out
		}
		if b.Type == "EC PARAMETERS" {
			continue
		}
		_, dek := b.Headers["DEK-Info"]
		out = append(out, block{label: b.Type, der: b.Bytes, legacyEncrypted: dek})
	}
}

// decodeBase64 reads DER written as bare Base64, as some CAs hand out
// certificates; it returns nil when data is not that.
func decodeBase64(data []byte) []byte {
	text := bytes.Join(bytes.Fields(data), nil)
	if len(text) == 0 {
		return nil
	}
	der, err := base64.StdEncoding.DecodeString(string(text))
	if err != nil || len(der) == 0 || der[0] != 0x30 {
		return nil
	}
	return der
}

// detect tells the type of a DER object from its structure alone; the
// parsers then give the precise errors. It returns "" when the structure
// is none that rekey knows.
func detect(der []byte) Type {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return ""
	}
	tags := elementTags(seq, 4)
	switch {
	case len(tags) == 0:
		return ""
	case len(tags) == 3 && tags[0] == cbasn1.SEQUENCE && tags[1] == cbasn1.SEQUENCE &&
		tags[2] == cbasn1.BIT_STRING:
		return detectSigned(seq)
	case len(tags) == 2 && tags[0] == cbasn1.SEQUENCE && tags[1] == cbasn1.BIT_STRING:
		return TypePublicKey
	case len(tags) == 2 && tags[0] == cbasn1.SEQUENCE && tags[1] == cbasn1.OCTET_STRING:
		return TypeEncryptedPrivateKey
	case tags[0] == cbasn1.OBJECT_IDENTIFIER && len(tags) == 2 &&
		tags[1] == cbasn1.Tag(0).Constructed().ContextSpecific():
		return TypeCMS
	case tags[0] == cbasn1.INTEGER:
		return detectVersioned(seq, tags)
	case tags[0] == cbasn1.SEQUENCE && len(tags) >= 2 && isContext(tags[1], true) &&
		looksLikePKIHeader(seq):
		return TypePKIMessage
	}
	return ""
}

// detectVersioned tells apart the structures that open with an INTEGER:
// PKCS#8 (version 0 or 1, AlgorithmIdentifier, OCTET STRING), PKCS#12 (version
// 3, ContentInfo), SEC 1 (version 1, OCTET STRING) and PKCS#1 (version,
// modulus, exponent…).
func detectVersioned(seq cryptobyte.String, tags []cbasn1.Tag) Type {
	var version int64
	if !seq.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) {
		return ""
	}
	switch {
	case len(tags) >= 3 && tags[1] == cbasn1.SEQUENCE && tags[2] == cbasn1.OCTET_STRING:
		return TypePrivateKey
	case version == 3 && len(tags) >= 2 && tags[1] == cbasn1.SEQUENCE:
		return TypePKCS12
	case version == 1 && len(tags) >= 2 && tags[1] == cbasn1.OCTET_STRING:
		return TypeECPrivateKey
	case len(tags) >= 3 && tags[1] == cbasn1.INTEGER && tags[2] == cbasn1.INTEGER:
		return TypeRSAPrivateKey
	}
	return ""
}

// detectSigned tells apart the three SIGNED{} structures of RFC 5280 and
// RFC 2986 by the fields of the signed part.
func detectSigned(seq cryptobyte.String) Type {
	var tbs cryptobyte.String
	if !seq.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return ""
	}
	tags := elementTags(tbs, 6)
	if len(tags) < 3 {
		return ""
	}
	if tags[0] == cbasn1.Tag(0).Constructed().ContextSpecific() {
		return TypeCertificate // explicit version: v2 or v3
	}
	if tags[0] == cbasn1.INTEGER {
		tags = tags[1:] // the CRL's version, the request's, a v1 certificate's serial
	}
	switch {
	case len(tags) >= 3 && tags[0] == cbasn1.SEQUENCE && tags[1] == cbasn1.SEQUENCE &&
		isTime(tags[2]):
		return TypeCRL
	case len(tags) == 3 && tags[0] == cbasn1.SEQUENCE && tags[1] == cbasn1.SEQUENCE &&
		tags[2] == cbasn1.Tag(0).Constructed().ContextSpecific():
		return TypeCertificateRequest
	case len(tags) >= 5:
		return TypeCertificate // version 1
	}
	return ""
}

// looksLikePKIHeader reports whether seq opens with a CMP PKIHeader:
// SEQUENCE { pvno INTEGER, sender GeneralName, recipient GeneralName, … }.
func looksLikePKIHeader(seq cryptobyte.String) bool {
	var hdr cryptobyte.String
	if !seq.ReadASN1(&hdr, cbasn1.SEQUENCE) {
		return false
	}
	var pvno int64
	if !hdr.ReadASN1Int64WithTag(&pvno, cbasn1.INTEGER) || pvno < 1 || pvno > 3 {
		return false
	}
	tags := elementTags(hdr, 2)
	return len(tags) == 2 && isContext(tags[0], false) && isContext(tags[1], false)
}

// elementTags returns the tags of the first max elements of s.
func elementTags(s cryptobyte.String, max int) []cbasn1.Tag {
	var tags []cbasn1.Tag
	for !s.Empty() && len(tags) < max {
		var tag cbasn1.Tag
		if !s.ReadAnyASN1Element(new(cryptobyte.String), &tag) {
			return tags
		}
		tags = append(tags, tag)
	}
	return tags
}

func isTime(t cbasn1.Tag) bool { return t == cbasn1.UTCTime || t == cbasn1.GeneralizedTime }

// isContext reports whether t is a context-specific tag, constructed when
// constructed is set.
func isContext(t cbasn1.Tag, constructed bool) bool {
	const classContext = 0x80
	if t&0xc0 != classContext {
		return false
	}
	return !constructed || t&0x20 != 0
}

// skipAny skips one element of any tag.
func skipAny(s *cryptobyte.String) bool {
	var elem cryptobyte.String
	var tag cbasn1.Tag
	return s.ReadAnyASN1Element(&elem, &tag)
}
