package cms

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/pki"
)

// Signer is one signer of a SignedData: a certificate and the private key
// of its public key, reached only through crypto.Signer (a file key, a
// PKCS#11 token, …). GOST keys are given the Streebog digest with
// pki.StreebogSignerOpts, ECDSA keys the SHA-256 digest with crypto.SHA256.
type Signer struct {
	Certificate *pki.Certificate
	Key         crypto.Signer
}

// SignOptions are the options of Sign. A nil *SignOptions means defaults.
type SignOptions struct {
	// Detached leaves the content out of the message (RFC 5652 §5.2);
	// the verifier must be given it.
	Detached bool
	// ContentType is the eContentType; nil means id-data.
	ContentType asn1.ObjectIdentifier
	// SigningTime is written as the signingTime attribute; zero means
	// the current time. Pass the injected clock's time.
	SigningTime time.Time
	// Certificates are written beside the signers' own certificates,
	// usually their issuers, so that the verifier can build the chain.
	Certificates []*pki.Certificate
	// Rand is the signers' randomness; nil means crypto/rand.Reader.
	Rand io.Reader
}

// Sign returns a ContentInfo holding a SignedData of content signed by every
// signer (RFC 5652 §5). Each SignerInfo carries the signed attributes
// contentType, signingTime, messageDigest and signingCertificateV2 (RFC
// 5035), the last with the certificate hashed by the signer's digest. The
// signers' certificates, and opts.Certificates, are included.
//
// A GOST R 34.10-2012 key signs with Streebog-256 or -512 by its size and
// is named by its public key OID with NULL parameters, as gost-engine and
// TC26's examples write it; ECDSA P-256 signs with SHA-256.
func Sign(content []byte, signers []Signer, opts *SignOptions) ([]byte, error) {
	if opts == nil {
		opts = &SignOptions{}
	}
	if len(signers) == 0 {
		return nil, errors.New("cms: no signers")
	}
	contentType := opts.ContentType
	if contentType == nil {
		contentType = OIDData
	}
	signingTime := opts.SigningTime
	if signingTime.IsZero() {
		signingTime = time.Now()
	}
	random := opts.Rand
	if random == nil {
		random = rand.Reader
	}

	var infos, digestAlgs [][]byte
	var certs []*pki.Certificate
	for _, s := range signers {
		info, scheme, err := signOne(content, contentType, signingTime, s, random)
		if err != nil {
			return nil, err
		}
		infos = append(infos, info)
		var b cryptobyte.Builder
		addAlgorithm(&b, scheme.digest.oid, scheme.digest.params)
		digestAlgs = appendUnique(digestAlgs, b.BytesOrPanic())
		certs = appendCert(certs, s.Certificate)
	}
	for _, c := range opts.Certificates {
		certs = appendCert(certs, c)
	}

	// RFC 5652 §5.1: version 3 when the content is not id-data, else 1
	// (every SignerInfo here is version 1, with issuerAndSerialNumber).
	version := int64(1)
	if !contentType.Equal(OIDData) {
		version = 3
	}
	return marshalSignedData(version, digestAlgs, contentType, content, opts.Detached, certs, infos)
}

// marshalSignedData encodes a SignedData in a ContentInfo (RFC 5652 §5.1).
func marshalSignedData(
	version int64,
	digestAlgs [][]byte,
	contentType asn1.ObjectIdentifier,
	content []byte,
	detached bool,
	certs []*pki.Certificate,
	infos [][]byte,
) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(version)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
			for _, d := range sortedDER(digestAlgs) {
				b.AddBytes(d)
			}
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(contentType)
			if !detached {
				b.AddASN1(ctx0, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(content)
				})
			}
		})
		b.AddASN1(ctx0, func(b *cryptobyte.Builder) {
			for _, c := range certs {
				b.AddBytes(c.Raw)
			}
		})
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
			for _, info := range sortedDER(infos) {
				b.AddBytes(info)
			}
		})
	})
	sd, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("cms: encoding SignedData: %w", err)
	}
	return marshalContentInfo(OIDSignedData, sd)
}

func appendUnique(list [][]byte, v []byte) [][]byte {
	for _, e := range list {
		if bytes.Equal(e, v) {
			return list
		}
	}
	return append(list, v)
}

func appendCert(list []*pki.Certificate, c *pki.Certificate) []*pki.Certificate {
	for _, e := range list {
		if bytes.Equal(e.Raw, c.Raw) {
			return list
		}
	}
	return append(list, c)
}

// signOne makes the DER of one SignerInfo.
func signOne(
	content []byte,
	contentType asn1.ObjectIdentifier,
	signingTime time.Time,
	s Signer,
	random io.Reader,
) ([]byte, *signatureScheme, error) {
	if s.Certificate == nil || s.Key == nil {
		return nil, nil, errors.New("cms: a signer needs a certificate and a key")
	}
	scheme, err := schemeForKey(s.Certificate.PublicKey)
	if err != nil {
		return nil, nil, err
	}
	if k, ok := s.Key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok ||
		!k.Equal(s.Certificate.PublicKey) {
		return nil, nil, fmt.Errorf("cms: the signing key is not the key of %s",
			s.Certificate.Subject)
	}

	attrs, err := signedAttributes(content, contentType, signingTime, scheme.digest, s.Certificate)
	if err != nil {
		return nil, nil, err
	}
	signed, err := marshalAttributes(cbasn1.SET, attrs)
	if err != nil {
		return nil, nil, err
	}
	digest := scheme.digest.sum(signed)
	var opts crypto.SignerOpts = pki.StreebogSignerOpts{Size: len(digest)}
	if scheme.alg.PublicKeyAlgorithm() == pki.ECDSA {
		opts = cryptoHashOf(scheme.digest.oid)
	}
	sig, err := s.Key.Sign(random, digest, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("cms: signing: %w", err)
	}
	// Check the signature before it leaves, as a CA does: a faulty
	// token or key must not produce a message that nobody can verify.
	if err := pki.CheckSignature(scheme.alg, s.Certificate.PublicKey, signed, sig); err != nil {
		return nil, nil, fmt.Errorf("cms: the new signature does not verify: %w", err)
	}

	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		addIssuerAndSerial(b, s.Certificate.RawIssuer, s.Certificate.SerialNumber)
		addAlgorithm(b, scheme.digest.oid, scheme.digest.params)
		// signedAttrs [0] IMPLICIT: the signed SET with its tag changed.
		b.AddASN1(ctx0, func(b *cryptobyte.Builder) {
			inner := cryptobyte.String(signed)
			var body cryptobyte.String
			inner.ReadASN1(&body, cbasn1.SET)
			b.AddBytes(body)
		})
		addAlgorithm(b, scheme.sigOID, scheme.sigParams)
		b.AddASN1OctetString(sig)
	})
	der, err := b.Bytes()
	return der, scheme, err
}

func cryptoHashOf(oid asn1.ObjectIdentifier) crypto.Hash {
	switch {
	case oid.Equal(oidDigestSHA384):
		return crypto.SHA384
	case oid.Equal(oidDigestSHA512):
		return crypto.SHA512
	}
	return crypto.SHA256
}

// signedAttributes returns contentType, signingTime, messageDigest and
// signingCertificateV2 for a signer.
func signedAttributes(
	content []byte,
	contentType asn1.ObjectIdentifier,
	signingTime time.Time,
	digest *digestAlgorithm,
	cert *pki.Certificate,
) ([]Attribute, error) {
	t, err := marshalTime(signingTime)
	if err != nil {
		return nil, err
	}
	scv2, err := marshalSigningCertificateV2(digest, cert)
	if err != nil {
		return nil, err
	}
	return []Attribute{
		{oidAttrContentType, [][]byte{marshalOID(contentType)}},
		{oidAttrSigningTime, [][]byte{t}},
		{oidAttrMessageDigest, [][]byte{marshalOctetString(digest.sum(content))}},
		{oidAttrSigningCertV2, [][]byte{scv2}},
	}, nil
}

// marshalTime encodes a signingTime: UTCTime for 1950–2049, else
// GeneralizedTime (RFC 5652 §11.3).
func marshalTime(t time.Time) ([]byte, error) {
	t = t.UTC().Truncate(time.Second)
	var b cryptobyte.Builder
	if t.Year() >= 1950 && t.Year() < 2050 {
		b.AddASN1UTCTime(t)
	} else {
		b.AddASN1GeneralizedTime(t)
	}
	return b.Bytes()
}

// marshalSigningCertificateV2 encodes SigningCertificateV2 (RFC 5035 §3)
// with one ESSCertIDv2 for cert. hashAlgorithm is left out for SHA-256,
// its DEFAULT, and written otherwise (Streebog for GOST signers);
// issuerSerial names the certificate's issuer and serial.
func marshalSigningCertificateV2(digest *digestAlgorithm, cert *pki.Certificate) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				if !digest.oid.Equal(oidDigestSHA256) {
					addAlgorithm(b, digest.oid, digest.params)
				}
				b.AddASN1OctetString(digest.sum(cert.Raw))
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						// GeneralName directoryName [4] EXPLICIT Name
						b.AddASN1(ctx4, func(b *cryptobyte.Builder) {
							b.AddBytes(cert.RawIssuer)
						})
					})
					b.AddASN1BigInt(cert.SerialNumber)
				})
			})
		})
	})
	return b.Bytes()
}

// SignedData is a parsed SignedData (RFC 5652 §5).
type SignedData struct {
	Raw     []byte // the SignedData SEQUENCE
	Version int
	// DigestAlgorithms are the OIDs of the digestAlgorithms SET.
	DigestAlgorithms []asn1.ObjectIdentifier
	// ContentType is the eContentType; Content is the eContent, nil when
	// the signature is detached.
	ContentType asn1.ObjectIdentifier
	Content     []byte
	// Certificates are those the message carries that parse; others
	// (attribute certificates, unparsable ones) are skipped.
	Certificates []*pki.Certificate
	SignerInfos  []*SignerInfo
}

// SignerInfo is one signer of a SignedData (RFC 5652 §5.3).
type SignerInfo struct {
	Version int
	// The signer's certificate: RawIssuer and SerialNumber, or
	// SubjectKeyID (version 3).
	RawIssuer    []byte
	SerialNumber *big.Int
	SubjectKeyID []byte

	DigestAlgorithm    asn1.ObjectIdentifier
	SignatureAlgorithm asn1.ObjectIdentifier
	// RawSignedAttributes are the bytes the signature covers: the
	// signedAttrs re-tagged as a SET (RFC 5652 §5.4); nil when absent.
	RawSignedAttributes []byte
	SignedAttributes    []Attribute
	UnsignedAttributes  []Attribute
	Signature           []byte
}

// ParseSignedData parses a DER ContentInfo holding a SignedData.
func ParseSignedData(der []byte) (*SignedData, error) {
	ci, err := parseTyped(der, OIDSignedData, "signedData")
	if err != nil {
		return nil, err
	}
	sd := &SignedData{Raw: ci.Content}
	s := cryptobyte.String(ci.Content)
	var body, digestAlgs, encap, infos cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1Integer(&sd.Version) ||
		!body.ReadASN1(&digestAlgs, cbasn1.SET) {
		return nil, errors.New("cms: malformed SignedData")
	}
	for !digestAlgs.Empty() {
		var ai algorithmIdentifier
		if !readAlgorithm(&digestAlgs, &ai) {
			return nil, errors.New("cms: malformed SignedData digestAlgorithms")
		}
		sd.DigestAlgorithms = append(sd.DigestAlgorithms, ai.OID)
	}
	if !body.ReadASN1(&encap, cbasn1.SEQUENCE) {
		return nil, errors.New("cms: malformed SignedData encapContentInfo")
	}
	if sd.ContentType, sd.Content, err = parseEncapContent(encap); err != nil {
		return nil, err
	}
	var certs, crls cryptobyte.String
	var hasCerts bool
	if !body.ReadOptionalASN1(&certs, &hasCerts, ctx0) ||
		!body.ReadOptionalASN1(&crls, nil, ctx1) ||
		!body.ReadASN1(&infos, cbasn1.SET) || !body.Empty() {
		return nil, errors.New("cms: malformed SignedData")
	}
	for !certs.Empty() {
		var c cryptobyte.String
		var tag cbasn1.Tag
		if !certs.ReadAnyASN1Element(&c, &tag) {
			return nil, errors.New("cms: malformed SignedData certificates")
		}
		if tag != cbasn1.SEQUENCE {
			continue // another CertificateChoices alternative
		}
		if cert, err := pki.ParseCertificate(c); err == nil {
			sd.Certificates = append(sd.Certificates, cert)
		}
	}
	for !infos.Empty() {
		si, err := parseSignerInfo(&infos)
		if err != nil {
			return nil, err
		}
		sd.SignerInfos = append(sd.SignerInfos, si)
	}
	return sd, nil
}

// parseEncapContent reads EncapsulatedContentInfo (RFC 5652 §5.2).
func parseEncapContent(s cryptobyte.String) (asn1.ObjectIdentifier, []byte, error) {
	var oid asn1.ObjectIdentifier
	var explicit, octets cryptobyte.String
	var present bool
	if !s.ReadASN1ObjectIdentifier(&oid) ||
		!s.ReadOptionalASN1(&explicit, &present, ctx0) ||
		!s.Empty() {
		return nil, nil, errors.New("cms: malformed encapContentInfo")
	}
	if !present {
		return oid, nil, nil
	}
	if !explicit.ReadASN1(&octets, cbasn1.OCTET_STRING) || !explicit.Empty() {
		return nil, nil, errors.New("cms: malformed eContent (not a DER OCTET STRING)")
	}
	if octets == nil {
		octets = []byte{}
	}
	return oid, octets, nil
}

func parseSignerInfo(s *cryptobyte.String) (*SignerInfo, error) {
	si := &SignerInfo{}
	var seq cryptobyte.String
	var id issuerAndSerial
	var digest, sigAlg algorithmIdentifier
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Integer(&si.Version) ||
		!readSignerIdentifier(&seq, &id) || !readAlgorithm(&seq, &digest) {
		return nil, errors.New("cms: malformed SignerInfo")
	}
	si.RawIssuer, si.SerialNumber, si.SubjectKeyID = id.RawIssuer, id.SerialNumber, id.SubjectKeyID
	si.DigestAlgorithm = digest.OID
	if seq.PeekASN1Tag(ctx0) {
		var elem cryptobyte.String
		seq.ReadASN1Element(&elem, ctx0)
		signed := bytes.Clone(elem)
		signed[0] = byte(cbasn1.SET)
		body := cryptobyte.String(signed)
		var attrs cryptobyte.String
		body.ReadASN1(&attrs, cbasn1.SET)
		var ok bool
		if si.SignedAttributes, ok = readAttributes(attrs); !ok || len(si.SignedAttributes) == 0 {
			return nil, errors.New("cms: malformed SignerInfo signedAttrs")
		}
		si.RawSignedAttributes = signed
	}
	var sig, unsigned cryptobyte.String
	var hasUnsigned bool
	if !readAlgorithm(&seq, &sigAlg) || !seq.ReadASN1(&sig, cbasn1.OCTET_STRING) ||
		!seq.ReadOptionalASN1(&unsigned, &hasUnsigned, ctx1) ||
		!seq.Empty() {
		return nil, errors.New("cms: malformed SignerInfo")
	}
	si.SignatureAlgorithm, si.Signature = sigAlg.OID, sig
	if hasUnsigned {
		var ok bool
		if si.UnsignedAttributes, ok = readAttributes(unsigned); !ok {
			return nil, errors.New("cms: malformed SignerInfo unsignedAttrs")
		}
	}
	return si, nil
}

// SigningTime returns the signingTime attribute, if the signer gave one.
func (si *SignerInfo) SigningTime() (time.Time, bool) {
	v, ok, err := findAttribute(si.SignedAttributes, oidAttrSigningTime)
	if !ok || err != nil {
		return time.Time{}, false
	}
	s := cryptobyte.String(v)
	var t time.Time
	switch {
	case s.PeekASN1Tag(cbasn1.UTCTime):
		ok = s.ReadASN1UTCTime(&t)
	case s.PeekASN1Tag(cbasn1.GeneralizedTime):
		ok = s.ReadASN1GeneralizedTime(&t)
	default:
		ok = false
	}
	return t, ok && s.Empty()
}

// VerifyOptions are the inputs of SignedData.Verify.
type VerifyOptions struct {
	// Content is the signed content of a detached signature. For a
	// message that carries its content it may be left nil; when given,
	// it must be the same.
	Content []byte
	// Certificates are looked at beside the message's own when a
	// signer's certificate is searched (for messages that carry none).
	Certificates []*pki.Certificate
	// Roots, when not empty, make Verify also validate each signer's
	// certificate path with pki.Verify at At, with the message's
	// certificates and Intermediates as intermediates.
	Roots         []*pki.Certificate
	Intermediates []*pki.Certificate
	// At is the time the paths are validated at; required with Roots.
	// Pass the injected clock's time.
	At time.Time
}

// Verify checks every signer of sd and returns their certificates, in the
// order of SignerInfos. For each signer it finds the certificate by issuer
// and serial number (or subject key identifier), checks that its key usage
// allows signing, and, when signed attributes are present (RFC 5652 §5.4,
// §11), that contentType is the eContentType, that messageDigest is the
// digest of the content (ErrContentModified otherwise), that a
// signingCertificateV2 attribute names this certificate, and that the
// signature over the attributes verifies (ErrSignature otherwise). Without
// signed attributes the signature covers the content itself.
//
// A message without signers does not verify.
func (sd *SignedData) Verify(opts *VerifyOptions) ([]*pki.Certificate, error) {
	if opts == nil {
		opts = &VerifyOptions{}
	}
	content := sd.Content
	switch {
	case content == nil && opts.Content == nil:
		return nil, errors.New("cms: the signature is detached and no content was given")
	case content == nil:
		content = opts.Content
	case opts.Content != nil && !bytes.Equal(opts.Content, content):
		return nil, fmt.Errorf("%w: the given content is not the message's", ErrContentModified)
	}
	if len(sd.SignerInfos) == 0 {
		return nil, errors.New("cms: SignedData has no signers")
	}
	pool := append(slices.Clone(sd.Certificates), opts.Certificates...)
	var signers []*pki.Certificate
	for i, si := range sd.SignerInfos {
		cert, err := si.verify(sd.ContentType, content, pool)
		if err != nil {
			return nil, err
		}
		if len(opts.Roots) > 0 {
			if opts.At.IsZero() {
				return nil, errors.New("cms: VerifyOptions.At is required with Roots")
			}
			_, err := pki.Verify(cert, pki.VerifyOptions{
				Roots:         opts.Roots,
				Intermediates: append(slices.Clone(pool), opts.Intermediates...),
				At:            opts.At,
			})
			if err != nil {
				return nil, fmt.Errorf("cms: signer %d: certificate %s: %w", i, cert.Subject, err)
			}
		}
		signers = append(signers, cert)
	}
	return signers, nil
}

// findCertificate returns the certificate si names.
func (si *SignerInfo) findCertificate(pool []*pki.Certificate) *pki.Certificate {
	for _, c := range pool {
		if si.SubjectKeyID != nil {
			if bytes.Equal(c.Extensions.SubjectKeyID, si.SubjectKeyID) {
				return c
			}
			continue
		}
		if bytes.Equal(c.RawIssuer, si.RawIssuer) && c.SerialNumber.Cmp(si.SerialNumber) == 0 {
			return c
		}
	}
	return nil
}

func (si *SignerInfo) verify(
	contentType asn1.ObjectIdentifier,
	content []byte,
	pool []*pki.Certificate,
) (*pki.Certificate, error) {
	cert := si.findCertificate(pool)
	if cert == nil {
		if si.SubjectKeyID != nil {
			return nil, fmt.Errorf("%w: key id %x", ErrSignerNotFound, si.SubjectKeyID)
		}
		return nil, fmt.Errorf("%w: serial %x", ErrSignerNotFound, si.SerialNumber)
	}
	scheme, err := schemeFor(si.DigestAlgorithm, si.SignatureAlgorithm)
	if err != nil {
		return nil, err
	}
	const signing = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	if ku := cert.Extensions.KeyUsage; ku != 0 && ku&signing == 0 {
		return nil, fmt.Errorf("cms: key usage of signer certificate %s does not allow signing",
			cert.Subject)
	}
	digest := scheme.digest.sum(content)
	signed := content
	if si.RawSignedAttributes != nil {
		if err := si.checkAttributes(contentType, digest, scheme.digest, cert); err != nil {
			return nil, err
		}
		signed = si.RawSignedAttributes
	} else if !contentType.Equal(OIDData) {
		// RFC 5652 §5.3: signedAttrs MUST be present for other types.
		return nil, fmt.Errorf("cms: content type %s signed without attributes", contentType)
	}
	err = pki.CheckSignature(scheme.alg, cert.PublicKey, signed, si.Signature)
	switch {
	case errors.Is(err, pki.ErrSignature):
		return nil, fmt.Errorf("%w (signer %s)", ErrSignature, cert.Subject)
	case err != nil:
		return nil, fmt.Errorf("cms: checking the signature of %s: %w", cert.Subject, err)
	}
	return cert, nil
}

// checkAttributes checks contentType, messageDigest and, when present,
// signingCertificateV2.
func (si *SignerInfo) checkAttributes(
	contentType asn1.ObjectIdentifier,
	digest []byte,
	alg *digestAlgorithm,
	cert *pki.Certificate,
) error {
	ct, ok, err := findAttribute(si.SignedAttributes, oidAttrContentType)
	if err != nil {
		return err
	}
	s := cryptobyte.String(ct)
	var oid asn1.ObjectIdentifier
	if !ok || !s.ReadASN1ObjectIdentifier(&oid) || !s.Empty() {
		return errors.New("cms: signed attributes lack a valid contentType")
	}
	if !oid.Equal(contentType) {
		return fmt.Errorf("cms: contentType attribute %s is not the content's type %s",
			oid, contentType)
	}
	md, ok, err := findAttribute(si.SignedAttributes, oidAttrMessageDigest)
	if err != nil {
		return err
	}
	got, valid := parseOctetString(md)
	if !ok || !valid {
		return errors.New("cms: signed attributes lack a valid messageDigest")
	}
	if !bytes.Equal(got, digest) {
		return fmt.Errorf("%w (messageDigest of signer %s)", ErrContentModified, cert.Subject)
	}
	if v, ok, err := findAttribute(si.SignedAttributes, oidAttrSigningCertV2); err != nil {
		return err
	} else if ok {
		return checkSigningCertificateV2(v, cert)
	}
	return nil
}

// checkSigningCertificateV2 checks that the first ESSCertIDv2 is the hash
// of cert (RFC 5035 §3: the first one identifies the signer's certificate),
// and its issuerSerial, when present, cert's issuer and serial.
func checkSigningCertificateV2(der []byte, cert *pki.Certificate) error {
	s := cryptobyte.String(der)
	var outer, ids, id, hashValue cryptobyte.String
	if !s.ReadASN1(&outer, cbasn1.SEQUENCE) || !s.Empty() ||
		!outer.ReadASN1(&ids, cbasn1.SEQUENCE) || !ids.ReadASN1(&id, cbasn1.SEQUENCE) {
		return errors.New("cms: malformed signingCertificateV2")
	}
	alg := digestByOID(oidDigestSHA256)
	if id.PeekASN1Tag(cbasn1.SEQUENCE) {
		var ai algorithmIdentifier
		if !readAlgorithm(&id, &ai) {
			return errors.New("cms: malformed signingCertificateV2")
		}
		if alg = digestByOID(ai.OID); alg == nil {
			return fmt.Errorf("%w: signingCertificateV2 hash %s", ErrUnsupportedAlgorithm, ai.OID)
		}
	}
	if !id.ReadASN1(&hashValue, cbasn1.OCTET_STRING) {
		return errors.New("cms: malformed signingCertificateV2")
	}
	if !bytes.Equal(hashValue, alg.sum(cert.Raw)) {
		return fmt.Errorf("cms: signingCertificateV2 does not name the signer certificate %s",
			cert.Subject)
	}
	if id.Empty() {
		return nil
	}
	var issuerSerial, names, name cryptobyte.String
	serial := new(big.Int)
	if !id.ReadASN1(&issuerSerial, cbasn1.SEQUENCE) || !id.Empty() ||
		!issuerSerial.ReadASN1(&names, cbasn1.SEQUENCE) || !issuerSerial.ReadASN1Integer(serial) {
		return errors.New("cms: malformed signingCertificateV2 issuerSerial")
	}
	if serial.Cmp(cert.SerialNumber) != 0 {
		return fmt.Errorf("cms: signingCertificateV2 serial does not match signer certificate %s",
			cert.Subject)
	}
	for !names.Empty() {
		var tag cbasn1.Tag
		if !names.ReadAnyASN1(&name, &tag) {
			return errors.New("cms: malformed signingCertificateV2 issuerSerial")
		}
		if tag == ctx4 && bytes.Equal(name, cert.RawIssuer) {
			return nil
		}
	}
	return fmt.Errorf("cms: signingCertificateV2 issuer does not match the signer certificate %s",
		cert.Subject)
}
