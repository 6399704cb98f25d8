package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/gost/gost3410"
	"rekey/gost/vko"
	"rekey/pki"
)

// EncryptOptions are the options of Encrypt. A nil *EncryptOptions means
// defaults.
type EncryptOptions struct {
	// Cipher is the content encryption; CipherDefault picks the profile's.
	Cipher ContentCipher
	// KeyAgreement gives GOST recipients a KeyAgreeRecipientInfo instead
	// of the KeyTransRecipientInfo that `openssl cms -encrypt` writes.
	// gost-engine reads it with the Kuznyechik and Magma ciphers; with the
	// others it is TC26's GOST 28147-89 form, which gost-engine cannot
	// read. ECDSA recipients always get key agreement.
	KeyAgreement bool
	// ContentType is the type of the content; nil means id-data.
	ContentType asn1.ObjectIdentifier
	// Rand is the source of keys, IVs and UKMs; nil means crypto/rand.Reader.
	Rand io.Reader
}

// Encrypt returns a ContentInfo holding content encrypted for every
// recipient certificate: an EnvelopedData (RFC 5652 §6), or an
// AuthEnvelopedData (RFC 5083) for AES-256-GCM.
//
// GOST R 34.10-2012 recipients get the key transport gost-engine writes
// (KExp15 under keys from VKO for Kuznyechik and Magma, the CryptoPro key
// wrap for the others), or key agreement with opts.KeyAgreement. ECDSA
// P-256 recipients get ephemeral-static ECDH with the X9.63 SHA-256 KDF and
// AES-256 key wrap (RFC 5753). Recipients of both kinds may be mixed: every
// cipher here has a 256-bit key, which either form carries.
//
// A recipient certificate whose key usage, when present, has neither
// keyEncipherment nor keyAgreement is refused.
func Encrypt(content []byte, recipients []*pki.Certificate, opts *EncryptOptions) ([]byte, error) {
	if opts == nil {
		opts = &EncryptOptions{}
	}
	if len(recipients) == 0 {
		return nil, errors.New("cms: no recipients")
	}
	random := opts.Rand
	if random == nil {
		random = rand.Reader
	}
	contentType := opts.ContentType
	if contentType == nil {
		contentType = OIDData
	}
	c := opts.Cipher
	if c == CipherDefault {
		c = defaultCipher(recipients)
	}

	cek, sealed, err := c.seal(random, content)
	if err != nil {
		return nil, err
	}
	defer clear(cek)
	var infos [][]byte
	version := int64(0)
	for _, r := range recipients {
		info, agree, err := recipientInfo(random, r, c, cek, opts.KeyAgreement)
		if err != nil {
			return nil, err
		}
		if agree {
			version = 2
		}
		infos = append(infos, info)
	}
	if c == Kuznyechik || c == Magma {
		version = 2 // unprotectedAttrs are present
	}
	if c == AES256GCM {
		version = 0 // RFC 5083 §2.1
	}

	return marshalEnveloped(version, infos, contentType, sealed, c == AES256GCM)
}

// marshalEnveloped encodes an EnvelopedData, or an AuthEnvelopedData when
// authenticated, in a ContentInfo. A GOST content MAC goes into
// unprotectedAttrs, a GCM tag into mac.
func marshalEnveloped(
	version int64,
	infos [][]byte,
	contentType asn1.ObjectIdentifier,
	sealed *sealed,
	authenticated bool,
) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(version)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
			for _, info := range sortedDER(infos) {
				b.AddBytes(info)
			}
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(contentType)
			addAlgorithm(b, sealed.alg.OID, sealed.alg.Params)
			b.AddASN1(ctx0Prim, func(b *cryptobyte.Builder) {
				b.AddBytes(sealed.ciphertext)
			})
		})
		switch {
		case authenticated:
			b.AddASN1OctetString(sealed.mac)
		case sealed.mac != nil:
			macAttr := Attribute{oidAttrGOSTContentMAC, [][]byte{marshalOctetString(sealed.mac)}}
			attrs, err := marshalAttributes(ctx1, []Attribute{macAttr})
			if err != nil {
				b.SetError(err)
			}
			b.AddBytes(attrs)
		}
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("cms: encoding EnvelopedData: %w", err)
	}
	if authenticated {
		return marshalContentInfo(OIDAuthEnvelopedData, der)
	}
	return marshalContentInfo(OIDEnvelopedData, der)
}

func defaultCipher(recipients []*pki.Certificate) ContentCipher {
	for _, r := range recipients {
		if _, ok := r.PublicKey.(*gost3410.PublicKey); !ok {
			return AES256GCM
		}
	}
	return Kuznyechik
}

// recipientInfo makes the RecipientInfo of one recipient and reports
// whether it is a key agreement (a version 3 RecipientInfo).
func recipientInfo(
	random io.Reader,
	cert *pki.Certificate,
	c ContentCipher,
	cek []byte,
	keyAgreement bool,
) ([]byte, bool, error) {
	const usage = x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement
	if ku := cert.Extensions.KeyUsage; ku != 0 && ku&usage == 0 {
		return nil, false, fmt.Errorf("cms: key usage of recipient %s allows neither key "+
			"encipherment nor key agreement", cert.Subject)
	}
	switch pub := cert.PublicKey.(type) {
	case *gost3410.PublicKey:
		if keyAgreement {
			ri, err := gostKeyAgree(random, cert, c, cek)
			return ri, true, err
		}
		ri, err := gostKeyTrans(random, cert, c, cek)
		return ri, false, err
	case *ecdsa.PublicKey:
		k, err := pub.ECDH()
		if err != nil || k.Curve() != ecdh.P256() {
			return nil, false, fmt.Errorf("%w: recipient %s: ECDH needs a P-256 key",
				ErrUnsupportedAlgorithm, cert.Subject)
		}
		ri, err := ecdhRecipient(random, k, func(b *cryptobyte.Builder) {
			addIssuerAndSerial(b, cert.RawIssuer, cert.SerialNumber)
		}, cek)
		return ri, true, err
	}
	return nil, false, fmt.Errorf("%w: recipient %s has a %s key",
		ErrUnsupportedAlgorithm, cert.Subject, cert.PublicKeyAlgorithm)
}

// EnvelopedData is a parsed EnvelopedData (RFC 5652 §6) or
// AuthEnvelopedData (RFC 5083).
type EnvelopedData struct {
	Raw []byte
	// Authenticated is set for an AuthEnvelopedData.
	Authenticated bool
	Version       int
	// Recipients has one entry per recipient: a KeyAgreeRecipientInfo
	// with several recipientEncryptedKeys gives several.
	Recipients                 []*RecipientInfo
	ContentType                asn1.ObjectIdentifier
	ContentEncryptionAlgorithm asn1.ObjectIdentifier
	// UnprotectedAttributes are unprotectedAttrs (unauthAttrs of an
	// AuthEnvelopedData); gost-engine puts the content MAC there.
	UnprotectedAttributes []Attribute

	content sealed
	hasCT   bool
}

// RecipientInfo is one recipient of an EnvelopedData.
type RecipientInfo struct {
	// Type is "ktri", "kari", "kekri", "pwri" or "ori" (RFC 5652 §6.2).
	Type string
	// The recipient's certificate: RawIssuer and SerialNumber, or
	// SubjectKeyID. Empty for the types rekey does not read.
	RawIssuer    []byte
	SerialNumber *big.Int
	SubjectKeyID []byte
	// KeyEncryptionAlgorithm is the key transport or key agreement
	// algorithm.
	KeyEncryptionAlgorithm asn1.ObjectIdentifier

	keyEncryptionParams []byte
	encryptedKey        []byte
	originator          []byte // kari: the originator key as a SubjectPublicKeyInfo
	ukm                 []byte // kari
}

func (ri *RecipientInfo) matches(cert *pki.Certificate) bool {
	if ri.SubjectKeyID != nil {
		return bytes.Equal(ri.SubjectKeyID, cert.Extensions.SubjectKeyID)
	}
	return ri.SerialNumber != nil && bytes.Equal(ri.RawIssuer, cert.RawIssuer) &&
		ri.SerialNumber.Cmp(cert.SerialNumber) == 0
}

// ParseEnvelopedData parses a DER ContentInfo holding an EnvelopedData or
// an AuthEnvelopedData.
func ParseEnvelopedData(der []byte) (*EnvelopedData, error) {
	ci, err := ParseContentInfo(der)
	if err != nil {
		return nil, err
	}
	e := &EnvelopedData{Raw: ci.Content}
	switch {
	case ci.ContentType.Equal(OIDEnvelopedData):
	case ci.ContentType.Equal(OIDAuthEnvelopedData):
		e.Authenticated = true
	default:
		return nil, fmt.Errorf("cms: content type is %s, not envelopedData", ci.ContentType)
	}
	s := cryptobyte.String(ci.Content)
	var body, infos, eci cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1Integer(&e.Version) ||
		!body.SkipOptionalASN1(ctx0) ||
		!body.ReadASN1(&infos, cbasn1.SET) || !body.ReadASN1(&eci, cbasn1.SEQUENCE) {
		return nil, errors.New("cms: malformed EnvelopedData")
	}
	for !infos.Empty() {
		ris, err := parseRecipientInfo(&infos)
		if err != nil {
			return nil, err
		}
		e.Recipients = append(e.Recipients, ris...)
	}
	if err := e.parseContent(eci); err != nil {
		return nil, err
	}
	if err := e.parseTrailer(body); err != nil {
		return nil, err
	}
	return e, nil
}

// parseContent reads EncryptedContentInfo (RFC 5652 §6.1).
func (e *EnvelopedData) parseContent(eci cryptobyte.String) error {
	var ct cryptobyte.String
	if !eci.ReadASN1ObjectIdentifier(&e.ContentType) || !readAlgorithm(&eci, &e.content.alg) {
		return errors.New("cms: malformed EncryptedContentInfo")
	}
	e.ContentEncryptionAlgorithm = e.content.alg.OID
	primitive, constructed := ctx0Prim, ctx0
	ok := true
	switch {
	case eci.PeekASN1Tag(primitive):
		ok = eci.ReadASN1(&ct, primitive)
		e.content.ciphertext, e.hasCT = ct, true
	case eci.PeekASN1Tag(constructed):
		// The BER form of [0] IMPLICIT OCTET STRING, as streaming writers
		// produce it (see toDER).
		var parts cryptobyte.String
		if ok = eci.ReadASN1(&parts, constructed); ok {
			e.content.ciphertext, ok = joinOctetStrings(parts)
			e.hasCT = true
		}
	}
	// Without encryptedContent the content is detached; Decrypt says so.
	if !ok || !eci.Empty() {
		return errors.New("cms: malformed EncryptedContentInfo encryptedContent")
	}
	return nil
}

// parseTrailer reads unprotectedAttrs, or authAttrs, mac and unauthAttrs.
func (e *EnvelopedData) parseTrailer(body cryptobyte.String) error {
	var attrs cryptobyte.String
	var has bool
	if e.Authenticated {
		var elem, mac cryptobyte.String
		if body.PeekASN1Tag(ctx1) {
			body.ReadASN1Element(&elem, ctx1)
			aad := bytes.Clone(elem)
			aad[0] = byte(cbasn1.SET) // RFC 5083 §2.2: MACed as a SET OF
			e.content.aad = aad
		}
		if !body.ReadASN1(&mac, cbasn1.OCTET_STRING) {
			return errors.New("cms: malformed AuthEnvelopedData mac")
		}
		e.content.mac = mac
		if !body.ReadOptionalASN1(&attrs, &has, ctx2) {
			return errors.New("cms: malformed AuthEnvelopedData")
		}
	} else if !body.ReadOptionalASN1(&attrs, &has, ctx1) {
		return errors.New("cms: malformed EnvelopedData unprotectedAttrs")
	}
	if !body.Empty() {
		return errors.New("cms: trailing data in EnvelopedData")
	}
	if !has {
		return nil
	}
	var ok bool
	if e.UnprotectedAttributes, ok = readAttributes(attrs); !ok {
		return errors.New("cms: malformed EnvelopedData unprotectedAttrs")
	}
	if !e.Authenticated {
		v, found, err := findAttribute(e.UnprotectedAttributes, oidAttrGOSTContentMAC)
		if err != nil {
			return err
		}
		if found {
			if e.content.mac, ok = parseOctetString(v); !ok {
				return errors.New("cms: malformed GOST content MAC attribute")
			}
		}
	}
	return nil
}

// parseRecipientInfo reads one RecipientInfo CHOICE.
func parseRecipientInfo(s *cryptobyte.String) ([]*RecipientInfo, error) {
	var elem cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&elem, &tag) {
		return nil, errors.New("cms: malformed RecipientInfo")
	}
	switch tag {
	case cbasn1.SEQUENCE:
		ri, err := parseKeyTrans(elem)
		return []*RecipientInfo{ri}, err
	case ctx1:
		return parseKeyAgree(elem)
	}
	names := map[cbasn1.Tag]string{
		ctx2: "kekri",
		ctx3: "pwri",
		ctx4: "ori",
	}
	if name, ok := names[tag]; ok {
		return []*RecipientInfo{{Type: name}}, nil
	}
	return nil, errors.New("cms: malformed RecipientInfo")
}

func parseKeyTrans(s cryptobyte.String) (*RecipientInfo, error) {
	ri := &RecipientInfo{Type: "ktri"}
	var version int
	var id issuerAndSerial
	var alg algorithmIdentifier
	var key cryptobyte.String
	if !s.ReadASN1Integer(&version) || !readSignerIdentifier(&s, &id) || !readAlgorithm(&s, &alg) ||
		!s.ReadASN1(&key, cbasn1.OCTET_STRING) || !s.Empty() {
		return nil, errors.New("cms: malformed KeyTransRecipientInfo")
	}
	ri.RawIssuer, ri.SerialNumber, ri.SubjectKeyID = id.RawIssuer, id.SerialNumber, id.SubjectKeyID
	ri.KeyEncryptionAlgorithm, ri.keyEncryptionParams = alg.OID, alg.Params
	ri.encryptedKey = key
	return ri, nil
}

func parseKeyAgree(s cryptobyte.String) ([]*RecipientInfo, error) {
	var version int
	var orig, origKey, ukmExplicit, ukm, reks cryptobyte.String
	var hasUKM bool
	var alg algorithmIdentifier
	if !s.ReadASN1Integer(&version) ||
		!s.ReadASN1(&orig, ctx0) ||
		!s.ReadOptionalASN1(&ukmExplicit, &hasUKM, ctx1) ||
		!readAlgorithm(&s, &alg) || !s.ReadASN1(&reks, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, errors.New("cms: malformed KeyAgreeRecipientInfo")
	}
	if hasUKM && (!ukmExplicit.ReadASN1(&ukm, cbasn1.OCTET_STRING) || !ukmExplicit.Empty()) {
		return nil, errors.New("cms: malformed KeyAgreeRecipientInfo ukm")
	}
	// Only the originatorKey form is read: rekey and gost-engine use
	// ephemeral keys. A static originator gives a nil key, refused later.
	var originator []byte
	if orig.PeekASN1Tag(ctx1) {
		if !orig.ReadASN1(&origKey, ctx1) || !orig.Empty() {
			return nil, errors.New("cms: malformed KeyAgreeRecipientInfo originator")
		}
		originator = rewrap(origKey)
	}
	var out []*RecipientInfo
	for !reks.Empty() {
		ri := &RecipientInfo{
			Type:                   "kari",
			KeyEncryptionAlgorithm: alg.OID,
			keyEncryptionParams:    alg.Params,
			originator:             originator,
		}
		if hasUKM {
			ri.ukm = ukm
		}
		var rek, key cryptobyte.String
		var id issuerAndSerial
		if !reks.ReadASN1(&rek, cbasn1.SEQUENCE) || !readKeyAgreeRID(&rek, &id) ||
			!rek.ReadASN1(&key, cbasn1.OCTET_STRING) || !rek.Empty() {
			return nil, errors.New("cms: malformed RecipientEncryptedKey")
		}
		ri.RawIssuer, ri.SerialNumber = id.RawIssuer, id.SerialNumber
		ri.SubjectKeyID, ri.encryptedKey = id.SubjectKeyID, key
		out = append(out, ri)
	}
	if len(out) == 0 {
		return nil, errors.New("cms: KeyAgreeRecipientInfo without recipientEncryptedKeys")
	}
	return out, nil
}

// readKeyAgreeRID reads KeyAgreeRecipientIdentifier: issuerAndSerialNumber
// or rKeyId [0] IMPLICIT RecipientKeyIdentifier { subjectKeyIdentifier, … }.
func readKeyAgreeRID(s *cryptobyte.String, id *issuerAndSerial) bool {
	if s.PeekASN1Tag(cbasn1.SEQUENCE) {
		return readIssuerAndSerial(s, id)
	}
	var rkid, ski cryptobyte.String
	if !s.ReadASN1(&rkid, ctx0) ||
		!rkid.ReadASN1(&ski, cbasn1.OCTET_STRING) || len(ski) == 0 {
		return false
	}
	id.SubjectKeyID = ski
	return true
}

// Decrypter is the private half of a recipient's key pair as decryption
// needs it: a key agreement. Package cms hashes and derives; the key holder
// (a file key, later a token) only multiplies.
type Decrypter interface {
	// Public returns the public key, a *gost3410.PublicKey or an
	// *ecdsa.PublicKey.
	Public() crypto.PublicKey
	// Agree returns the key agreement with peer, a public key of the same
	// kind. For GOST R 34.10-2012 keys it is VKO_GOSTR3410_2012_256 (size
	// 32) or _512 (size 64) of RFC 7836 §4.3 for the little-endian ukm,
	// as vko.KEK256 and vko.KEK512 compute it and PKCS#11's
	// CKM_GOSTR3410_12_DERIVE returns it. For ECDH keys (peer an
	// *ecdh.PublicKey) it is the shared secret Z (SEC 1 §3.3.1), as
	// CKM_ECDH1_DERIVE with CKD_NULL returns it; ukm and size are unused.
	Agree(peer crypto.PublicKey, ukm []byte, size int) ([]byte, error)
}

// NewDecrypter returns the Decrypter of a private key:
// a *gost3410.PrivateKey, an *ecdsa.PrivateKey on P-256 or an
// *ecdh.PrivateKey on P-256.
func NewDecrypter(key crypto.PrivateKey) (Decrypter, error) {
	switch k := key.(type) {
	case Decrypter:
		return k, nil
	case *gost3410.PrivateKey:
		return gostDecrypter{k}, nil
	case *ecdsa.PrivateKey:
		e, err := k.ECDH()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnsupportedAlgorithm, err)
		}
		return ecdhDecrypter{e, &k.PublicKey}, nil
	case *ecdh.PrivateKey:
		pub, err := ecdsaPublic(k.PublicKey())
		if err != nil {
			return nil, err
		}
		return ecdhDecrypter{k, pub}, nil
	}
	return nil, fmt.Errorf("%w: cannot decrypt with a %T key", ErrUnsupportedAlgorithm, key)
}

type gostDecrypter struct{ k *gost3410.PrivateKey }

func (d gostDecrypter) Public() crypto.PublicKey { return d.k.PublicKey() }

func (d gostDecrypter) Agree(peer crypto.PublicKey, ukm []byte, size int) ([]byte, error) {
	p, ok := peer.(*gost3410.PublicKey)
	if !ok {
		return nil, fmt.Errorf("cms: a GOST key cannot agree with a %T key", peer)
	}
	return d.agreeWith(p)(ukm, size)
}

// agreeWith returns the VKO agreement of the key with pub.
func (d gostDecrypter) agreeWith(pub *gost3410.PublicKey) agreeFunc {
	return func(ukm []byte, size int) ([]byte, error) {
		if size == 64 {
			return vko.KEK512(d.k, pub, ukm)
		}
		return vko.KEK256(d.k, pub, ukm)
	}
}

type ecdhDecrypter struct {
	k   *ecdh.PrivateKey
	pub *ecdsa.PublicKey
}

func (d ecdhDecrypter) Public() crypto.PublicKey { return d.pub }

func (d ecdhDecrypter) Agree(peer crypto.PublicKey, _ []byte, _ int) ([]byte, error) {
	p, ok := peer.(*ecdh.PublicKey)
	if !ok {
		return nil, fmt.Errorf("cms: an ECDH key cannot agree with a %T key", peer)
	}
	return d.k.ECDH(p)
}

func ecdsaPublic(k *ecdh.PublicKey) (*ecdsa.PublicKey, error) {
	if k.Curve() != ecdh.P256() {
		return nil, fmt.Errorf("%w: ECDH needs a P-256 key", ErrUnsupportedAlgorithm)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), k.Bytes())
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	return pub, nil
}

// Decrypt decrypts the content for the recipient with certificate cert and
// private key key (a Decrypter, a *gost3410.PrivateKey or an
// *ecdsa.PrivateKey; see NewDecrypter).
//
// With cert, only the recipients naming it are tried; a key that is not
// cert's gives ErrWrongKey, and a message without such a recipient
// ErrNotRecipient. With cert nil, every recipient whose algorithm fits the
// key is tried, as for TC26's examples that come without certificates.
// A key that does not unwrap gives ErrKeyUnwrap; a content whose MAC or
// tag does not verify, ErrAuthentication.
func (e *EnvelopedData) Decrypt(cert *pki.Certificate, key crypto.PrivateKey) ([]byte, error) {
	d, err := NewDecrypter(key)
	if err != nil {
		return nil, err
	}
	if cert != nil {
		pub, ok := d.Public().(interface{ Equal(crypto.PublicKey) bool })
		if !ok || !pub.Equal(cert.PublicKey) {
			return nil, fmt.Errorf("%w (%s)", ErrWrongKey, cert.Subject)
		}
	}
	if !e.hasCT {
		return nil, errors.New("cms: the message does not carry its encrypted content")
	}
	var lastErr error
	tried := 0
	for _, ri := range e.Recipients {
		if cert != nil && !ri.matches(cert) {
			continue
		}
		cek, err := ri.unwrap(d)
		if errors.Is(err, errNotForKey) {
			continue
		}
		tried++
		if err != nil {
			lastErr = err
			continue
		}
		defer clear(cek)
		return open(&e.content, cek)
	}
	switch {
	case tried == 0 && cert != nil:
		return nil, fmt.Errorf("%w (%s)", ErrNotRecipient, cert.Subject)
	case tried == 0:
		return nil, fmt.Errorf("%w: no recipient info fits the key", ErrNotRecipient)
	case cert == nil && tried > 1:
		return nil, fmt.Errorf("%w: no recipient info opens with the key", ErrNotRecipient)
	}
	return nil, lastErr
}

// errNoOriginator refuses a key agreement with a static originator key.
var errNoOriginator = fmt.Errorf("%w: key agreement without an originator key",
	ErrUnsupportedAlgorithm)

// errNotForKey marks a recipient whose algorithm does not fit the key.
var errNotForKey = errors.New("cms: recipient algorithm does not fit the key")

// unwrap returns the CEK of one recipient.
func (ri *RecipientInfo) unwrap(d Decrypter) ([]byte, error) {
	switch pub := d.Public().(type) {
	case *gost3410.PublicKey:
		switch {
		case ri.Type == "ktri" && isGOSTKeyTrans(ri.KeyEncryptionAlgorithm):
			return openGOSTKeyTrans(d, pub, ri)
		case ri.Type == "kari" && isGOSTKeyAgree(ri.KeyEncryptionAlgorithm):
			if ri.originator == nil {
				return nil, errNoOriginator
			}
			return openGOSTKeyAgree(d, pub, ri)
		}
	case *ecdsa.PublicKey:
		if ri.Type == "kari" && isECDHScheme(ri.KeyEncryptionAlgorithm) {
			if ri.originator == nil {
				return nil, errNoOriginator
			}
			return openECDH(d, ri, ri.encryptedKey)
		}
	}
	return nil, errNotForKey
}

func isGOSTKeyTrans(oid asn1.ObjectIdentifier) bool {
	_, kexp := kexpByOID(oid)
	return kexp || oid.Equal(oidPublicKeyGOST256) || oid.Equal(oidPublicKeyGOST512)
}

func isGOSTKeyAgree(oid asn1.ObjectIdentifier) bool { return isGOSTKeyTrans(oid) }

// Decrypt parses der as an EnvelopedData or AuthEnvelopedData and
// decrypts it; see EnvelopedData.Decrypt.
func Decrypt(der []byte, cert *pki.Certificate, key crypto.PrivateKey) ([]byte, error) {
	e, err := ParseEnvelopedData(der)
	if err != nil {
		return nil, err
	}
	return e.Decrypt(cert, key)
}
