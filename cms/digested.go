package cms

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// DigestedData is a parsed DigestedData (RFC 5652 §7): content with its
// digest, which protects against accidents, not against an attacker.
type DigestedData struct {
	Raw             []byte
	Version         int
	DigestAlgorithm asn1.ObjectIdentifier
	ContentType     asn1.ObjectIdentifier
	Content         []byte // nil when not carried
	Digest          []byte
}

// ParseDigestedData parses a DER ContentInfo holding a DigestedData.
func ParseDigestedData(der []byte) (*DigestedData, error) {
	ci, err := parseTyped(der, OIDDigestedData, "digestedData")
	if err != nil {
		return nil, err
	}
	dd := &DigestedData{Raw: ci.Content}
	s := cryptobyte.String(ci.Content)
	var body, encap, digest cryptobyte.String
	var alg algorithmIdentifier
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1Integer(&dd.Version) ||
		!readAlgorithm(&body, &alg) || !body.ReadASN1(&encap, cbasn1.SEQUENCE) ||
		!body.ReadASN1(&digest, cbasn1.OCTET_STRING) || !body.Empty() {
		return nil, errors.New("cms: malformed DigestedData")
	}
	dd.DigestAlgorithm, dd.Digest = alg.OID, digest
	if dd.ContentType, dd.Content, err = parseEncapContent(encap); err != nil {
		return nil, err
	}
	return dd, nil
}

// Verify checks the digest of the content: the carried one, or content
// when the message does not carry it. A mismatch gives ErrContentModified.
func (dd *DigestedData) Verify(content []byte) error {
	if dd.Content != nil {
		content = dd.Content
	}
	if content == nil {
		return errors.New("cms: DigestedData carries no content and none was given")
	}
	alg := digestByOID(dd.DigestAlgorithm)
	if alg == nil {
		return fmt.Errorf("%w: digest %s", ErrUnsupportedAlgorithm, dd.DigestAlgorithm)
	}
	if !bytes.Equal(alg.sum(content), dd.Digest) {
		return ErrContentModified
	}
	return nil
}

// Digest returns a ContentInfo holding a DigestedData of content (type
// id-data) with the digest named by digestOID: Streebog-256 or -512,
// SHA-256, SHA-384 or SHA-512.
func Digest(content []byte, digestOID asn1.ObjectIdentifier) ([]byte, error) {
	alg := digestByOID(digestOID)
	if alg == nil {
		return nil, fmt.Errorf("%w: digest %s", ErrUnsupportedAlgorithm, digestOID)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0) // RFC 5652 §7: 0 for id-data
		addAlgorithm(b, alg.oid, alg.params)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(OIDData)
			b.AddASN1(ctx0, func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(content)
			})
		})
		b.AddASN1OctetString(alg.sum(content))
	})
	dd, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("cms: encoding DigestedData: %w", err)
	}
	return marshalContentInfo(OIDDigestedData, dd)
}
