package pki

import (
	"bytes"
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// OIDExtensionRequest is the PKCS#9 extensionRequest attribute (RFC 2985
// §5.4.2) that carries the extensions a subject asks for.
var OIDExtensionRequest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 14}

// RequestAttribute is one attribute of a PKCS#10 request (RFC 2986 §4.1):
// its type and the DER of each value of its SET.
type RequestAttribute struct {
	Type   asn1.ObjectIdentifier
	Values [][]byte
}

// CertificateRequest is a parsed PKCS#10 certification request (RFC 2986).
type CertificateRequest struct {
	Raw                      []byte
	RawTBSCertificateRequest []byte // the signed CertificationRequestInfo
	RawSubject               []byte
	RawSubjectPublicKeyInfo  []byte

	Version            int // 0, the only version defined
	Subject            *Subject
	PublicKey          crypto.PublicKey // nil when not supported
	PublicKeyAlgorithm PublicKeyAlgorithm

	SignatureAlgorithm    SignatureAlgorithm
	SignatureAlgorithmOID asn1.ObjectIdentifier
	Signature             []byte

	// Extensions are those of the extensionRequest attribute, decoded;
	// RawExtensions the same as they appear.
	Extensions    Extensions
	RawExtensions []pkix.Extension
	// Attributes are all attributes, extensionRequest included.
	Attributes []RequestAttribute
}

// RequestTemplate describes a PKCS#10 request to create.
type RequestTemplate struct {
	Subject    *Subject // encoded with MarshalDN unless RawSubject is set
	RawSubject []byte   // written byte for byte when set

	// Extensions go into an extensionRequest attribute when any is set.
	Extensions Extensions
	// Attributes are written beside extensionRequest (sorted, as DER
	// orders a SET OF); they must not contain another extensionRequest.
	Attributes []RequestAttribute
}

// CreateCertificateRequest creates a PKCS#10 request for signer's public
// key, signed by signer (the self-signature that proves possession of the
// key). The result is parsed and its signature verified before it is
// returned.
func CreateCertificateRequest(tmpl *RequestTemplate, signer crypto.Signer) ([]byte, error) {
	subject, err := rawName(tmpl.Subject, tmpl.RawSubject)
	if err != nil {
		return nil, err
	}
	pub := signer.Public()
	spki, err := MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	alg, err := signatureAlgorithmFor(pub)
	if err != nil {
		return nil, err
	}
	exts, err := tmpl.Extensions.marshal()
	if err != nil {
		return nil, err
	}
	attrs := tmpl.Attributes
	if len(exts) > 0 {
		var eb cryptobyte.Builder
		addExtensions(&eb, exts)
		v, err := eb.Bytes()
		if err != nil {
			return nil, fmt.Errorf("pki: encoding extensionRequest: %v", err)
		}
		attrs = append([]RequestAttribute{{OIDExtensionRequest, [][]byte{v}}}, attrs...)
	}
	n := 0
	for _, a := range attrs {
		if a.Type.Equal(OIDExtensionRequest) {
			n++
		}
	}
	if n > 1 {
		return nil, errors.New("pki: request attributes hold a second extensionRequest")
	}

	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		b.AddBytes(subject)
		b.AddBytes(spki)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			addAttributes(b, attrs)
		})
	})
	der, err := signAndWrap(&b, alg, signer)
	if err != nil {
		return nil, err
	}
	req, err := ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("pki: internal error: the new request does not parse: %v", err)
	}
	if err := req.CheckSignature(); err != nil {
		return nil, fmt.Errorf("pki: the new request's signature does not verify: %w", err)
	}
	return der, nil
}

// addAttributes writes the attributes, each a SEQUENCE { type, SET OF
// value }. Both SET OFs are sorted as DER requires (X.690 §11.6).
func addAttributes(b *cryptobyte.Builder, attrs []RequestAttribute) {
	encoded := make([][]byte, 0, len(attrs))
	for _, a := range attrs {
		values := slices.Clone(a.Values)
		slices.SortFunc(values, bytes.Compare)
		var ab cryptobyte.Builder
		ab.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(a.Type)
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				for _, v := range values {
					b.AddBytes(v)
				}
			})
		})
		der, err := ab.Bytes()
		if err != nil {
			b.SetError(err)
			return
		}
		encoded = append(encoded, der)
	}
	slices.SortFunc(encoded, bytes.Compare)
	for _, der := range encoded {
		b.AddBytes(der)
	}
}

// ParseCertificateRequest parses one DER PKCS#10 request. Like
// ParseCertificate it accepts any algorithm and leaves PublicKey nil when
// the key cannot be used.
func ParseCertificateRequest(der []byte) (*CertificateRequest, error) {
	r := &CertificateRequest{Raw: der}
	input := cryptobyte.String(der)
	var outer, info cryptobyte.String
	if !input.ReadASN1(&outer, cbasn1.SEQUENCE) || !input.Empty() ||
		!outer.ReadASN1Element(&info, cbasn1.SEQUENCE) {
		return nil, errors.New("pki: malformed certificate request")
	}
	r.RawTBSCertificateRequest = info
	var params []byte
	if !readAlgorithmIdentifier(&outer, &r.SignatureAlgorithmOID, &params) {
		return nil, errors.New("pki: malformed request signature algorithm")
	}
	sig, ok := readSignatureValue(&outer)
	if !ok || !outer.Empty() {
		return nil, errors.New("pki: malformed request signature")
	}
	r.Signature = sig
	alg, err := parseSignatureAlgorithm(r.SignatureAlgorithmOID, params)
	if err != nil {
		return nil, err
	}
	r.SignatureAlgorithm = alg
	if err := r.parseInfo(info); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *CertificateRequest) parseInfo(info cryptobyte.String) error {
	var body, subject, spki cryptobyte.String
	var version int64
	if !info.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1Integer(&version) || version != 0 {
		return errors.New("pki: malformed request version")
	}
	if !body.ReadASN1Element(&subject, cbasn1.SEQUENCE) {
		return errors.New("pki: malformed request subject")
	}
	r.RawSubject = subject
	var err error
	if r.Subject, err = ParseSubject(subject); err != nil {
		return fmt.Errorf("pki: request subject: %w", err)
	}
	if !body.ReadASN1Element(&spki, cbasn1.SEQUENCE) {
		return errors.New("pki: malformed request public key info")
	}
	r.RawSubjectPublicKeyInfo = spki
	r.PublicKey, r.PublicKeyAlgorithm, err = parseSPKI(spki)
	if err != nil && !errors.Is(err, ErrUnsupportedAlgorithm) {
		return err
	}
	var attrs cryptobyte.String
	if !body.ReadASN1(&attrs, cbasn1.Tag(0).ContextSpecific().Constructed()) || !body.Empty() {
		return errors.New("pki: malformed request attributes")
	}
	return r.parseAttributes(attrs)
}

func (r *CertificateRequest) parseAttributes(attrs cryptobyte.String) error {
	for !attrs.Empty() {
		var attr, set cryptobyte.String
		var a RequestAttribute
		if !attrs.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&a.Type) ||
			!attr.ReadASN1(&set, cbasn1.SET) || !attr.Empty() {
			return errors.New("pki: malformed request attribute")
		}
		for !set.Empty() {
			var v cryptobyte.String
			var tag cbasn1.Tag
			if !set.ReadAnyASN1Element(&v, &tag) {
				return errors.New("pki: malformed request attribute value")
			}
			a.Values = append(a.Values, v)
		}
		r.Attributes = append(r.Attributes, a)
		if !a.Type.Equal(OIDExtensionRequest) {
			continue
		}
		if r.RawExtensions != nil || len(a.Values) != 1 {
			return errors.New("pki: request has more than one extensionRequest")
		}
		v := cryptobyte.String(a.Values[0])
		exts, ok := readExtensions(&v)
		if !ok || !v.Empty() {
			return errors.New("pki: malformed extensionRequest attribute")
		}
		r.RawExtensions = append([]pkix.Extension{}, exts...)
		var err error
		if r.Extensions, err = parseExtensions(exts); err != nil {
			return err
		}
	}
	return nil
}

// CheckSignature verifies the request's self-signature with its own
// public key, the proof that the requester holds the private key.
func (r *CertificateRequest) CheckSignature() error {
	if r.PublicKey == nil {
		return fmt.Errorf("%w: request key %s", ErrUnsupportedAlgorithm, r.PublicKeyAlgorithm)
	}
	return CheckSignature(r.SignatureAlgorithm, r.PublicKey, r.RawTBSCertificateRequest,
		r.Signature)
}
