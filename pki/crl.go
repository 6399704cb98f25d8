package pki

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// CRLReason is the reasonCode of a revoked certificate (RFC 5280 §5.3.1).
type CRLReason int

// The reason codes; 7 is not used.
const (
	ReasonUnspecified          CRLReason = 0
	ReasonKeyCompromise        CRLReason = 1
	ReasonCACompromise         CRLReason = 2
	ReasonAffiliationChanged   CRLReason = 3
	ReasonSuperseded           CRLReason = 4
	ReasonCessationOfOperation CRLReason = 5
	ReasonCertificateHold      CRLReason = 6
	ReasonRemoveFromCRL        CRLReason = 8
	ReasonPrivilegeWithdrawn   CRLReason = 9
	ReasonAACompromise         CRLReason = 10
)

var reasonNames = map[CRLReason]string{
	ReasonUnspecified:          "unspecified",
	ReasonKeyCompromise:        "keyCompromise",
	ReasonCACompromise:         "cACompromise",
	ReasonAffiliationChanged:   "affiliationChanged",
	ReasonSuperseded:           "superseded",
	ReasonCessationOfOperation: "cessationOfOperation",
	ReasonCertificateHold:      "certificateHold",
	ReasonRemoveFromCRL:        "removeFromCRL",
	ReasonPrivilegeWithdrawn:   "privilegeWithdrawn",
	ReasonAACompromise:         "aACompromise",
}

// String returns the RFC 5280 name of the reason, such as "keyCompromise".
func (r CRLReason) String() string {
	if s, ok := reasonNames[r]; ok {
		return s
	}
	return fmt.Sprintf("reason(%d)", int(r))
}

// ParseCRLReason returns the reason with the RFC 5280 name s.
func ParseCRLReason(s string) (CRLReason, error) {
	for r, name := range reasonNames {
		if name == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("pki: unknown revocation reason %q", s)
}

// RevokedCertificate is one entry of a CRL.
type RevokedCertificate struct {
	SerialNumber   *big.Int
	RevocationTime time.Time
	// Reason is written as a reasonCode entry extension unless it is
	// ReasonUnspecified, which RFC 5280 §5.3.1 says to leave out.
	Reason CRLReason
	// Extensions are all entry extensions as read (nil when making one).
	Extensions []pkix.Extension
}

// CRLTemplate describes a CRL to create.
type CRLTemplate struct {
	Number     *big.Int // cRLNumber, required (RFC 5280 §5.2.3)
	ThisUpdate time.Time
	NextUpdate time.Time // required by RFC 5280 §5.1.2.5
	Revoked    []RevokedCertificate
}

// CRL is a parsed version 1 or 2 certificate revocation list (RFC 5280 §5).
type CRL struct {
	Raw            []byte
	RawTBSCRL      []byte
	RawIssuer      []byte
	Version        int // 1 or 2
	Issuer         *Subject
	ThisUpdate     time.Time
	NextUpdate     time.Time // zero when absent
	Number         *big.Int  // nil when absent
	AuthorityKeyID []byte
	Revoked        []RevokedCertificate

	SignatureAlgorithm    SignatureAlgorithm
	SignatureAlgorithmOID asn1.ObjectIdentifier
	Signature             []byte
	Extensions            []pkix.Extension
}

// CreateCRL issues a version 2 CRL with a cRLNumber and an
// authorityKeyIdentifier (the issuer's subject key identifier), signed by
// signer, whose key must be issuer's. The issuer must be allowed to sign
// CRLs (cRLSign in keyUsage, when keyUsage is present). The result is
// parsed and verified against issuer before it is returned.
func CreateCRL(tmpl *CRLTemplate, issuer *Certificate, signer crypto.Signer) ([]byte, error) {
	if tmpl.Number == nil || tmpl.Number.Sign() < 0 || tmpl.Number.BitLen() > 159 {
		return nil, errors.New("pki: CRL number is required: non-negative, at most 20 octets")
	}
	if tmpl.ThisUpdate.IsZero() || tmpl.NextUpdate.Before(tmpl.ThisUpdate) {
		return nil, errors.New("pki: CRL thisUpdate and nextUpdate are required, in order")
	}
	if err := canSignCRL(issuer); err != nil {
		return nil, err
	}
	if !publicKeysEqual(issuer.PublicKey, signer.Public()) {
		return nil, errors.New("pki: the signer's key is not the CRL issuer's public key")
	}
	alg, err := signatureAlgorithmFor(signer.Public())
	if err != nil {
		return nil, err
	}
	for _, r := range tmpl.Revoked {
		if err := checkSerial(r.SerialNumber); err != nil {
			return nil, err
		}
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		addSignatureAlgorithm(b, alg)
		b.AddBytes(issuer.RawSubject)
		addTime(b, tmpl.ThisUpdate)
		addTime(b, tmpl.NextUpdate)
		if len(tmpl.Revoked) > 0 {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, r := range tmpl.Revoked {
					addRevoked(b, r)
				}
			})
		}
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			addExtensions(b, crlExtensions(tmpl.Number, issuer.Extensions.SubjectKeyID))
		})
	})
	der, err := signAndWrap(&b, alg, signer)
	if err != nil {
		return nil, err
	}
	crl, err := ParseCRL(der)
	if err != nil {
		return nil, fmt.Errorf("pki: internal error: the new CRL does not parse: %v", err)
	}
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		return nil, fmt.Errorf("pki: the new CRL does not verify: %w", err)
	}
	return der, nil
}

func canSignCRL(issuer *Certificate) error {
	if ku := issuer.Extensions.KeyUsage; ku != 0 && ku&x509.KeyUsageCRLSign == 0 {
		return errors.New("pki: the issuer certificate's key usage does not allow cRLSign")
	}
	return nil
}

func addRevoked(b *cryptobyte.Builder, r RevokedCertificate) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(r.SerialNumber)
		addTime(b, r.RevocationTime)
		if r.Reason == ReasonUnspecified {
			return
		}
		var v cryptobyte.Builder
		v.AddASN1Enum(int64(r.Reason))
		addExtensions(b, []pkix.Extension{{Id: OIDExtReasonCode, Value: v.BytesOrPanic()}})
	})
}

// crlExtensions returns the authorityKeyIdentifier (when the issuer has a
// key identifier) and the cRLNumber (RFC 5280 §5.2.1, §5.2.3).
func crlExtensions(number *big.Int, keyID []byte) []pkix.Extension {
	var out []pkix.Extension
	if keyID != nil {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddBytes(keyID)
			})
		})
		out = append(out, pkix.Extension{Id: OIDExtAuthorityKeyID, Value: b.BytesOrPanic()})
	}
	var b cryptobyte.Builder
	b.AddASN1BigInt(number)
	return append(out, pkix.Extension{Id: OIDExtCRLNumber, Value: b.BytesOrPanic()})
}

// ParseCRL parses one DER CRL.
func ParseCRL(der []byte) (*CRL, error) {
	c := &CRL{Raw: der}
	input := cryptobyte.String(der)
	var outer, tbs, body cryptobyte.String
	if !input.ReadASN1(&outer, cbasn1.SEQUENCE) || !input.Empty() ||
		!outer.ReadASN1Element(&tbs, cbasn1.SEQUENCE) {
		return nil, errors.New("pki: malformed CRL")
	}
	c.RawTBSCRL = tbs
	var params []byte
	if !readAlgorithmIdentifier(&outer, &c.SignatureAlgorithmOID, &params) {
		return nil, errors.New("pki: malformed CRL signature algorithm")
	}
	sig, ok := readSignatureValue(&outer)
	if !ok || !outer.Empty() {
		return nil, errors.New("pki: malformed CRL signature")
	}
	c.Signature = sig
	alg, err := parseSignatureAlgorithm(c.SignatureAlgorithmOID, params)
	if err != nil {
		return nil, err
	}
	c.SignatureAlgorithm = alg
	if !tbs.ReadASN1(&body, cbasn1.SEQUENCE) {
		return nil, errors.New("pki: malformed tbsCertList")
	}
	if err := c.parseHeader(&body, params); err != nil {
		return nil, err
	}
	if err := c.parseRevoked(&body); err != nil {
		return nil, err
	}
	if err := c.parseExtensions(&body); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *CRL) parseHeader(body *cryptobyte.String, outerParams []byte) error {
	c.Version = 1
	if body.PeekASN1Tag(cbasn1.INTEGER) {
		var v int64
		if !body.ReadASN1Integer(&v) || v != 1 {
			return errors.New("pki: malformed CRL version")
		}
		c.Version = 2
	}
	var oid asn1.ObjectIdentifier
	var params []byte
	if !readAlgorithmIdentifier(body, &oid, &params) {
		return errors.New("pki: malformed tbsCertList signature algorithm")
	}
	if !oid.Equal(c.SignatureAlgorithmOID) || !bytes.Equal(params, outerParams) {
		return errors.New("pki: CRL signature algorithm differs from the one in tbsCertList")
	}
	var issuer cryptobyte.String
	if !body.ReadASN1Element(&issuer, cbasn1.SEQUENCE) {
		return errors.New("pki: malformed CRL issuer")
	}
	c.RawIssuer = issuer
	var err error
	if c.Issuer, err = ParseSubject(issuer); err != nil {
		return fmt.Errorf("pki: CRL issuer: %w", err)
	}
	if !readTime(body, &c.ThisUpdate) {
		return errors.New("pki: malformed CRL thisUpdate")
	}
	if (body.PeekASN1Tag(cbasn1.UTCTime) || body.PeekASN1Tag(cbasn1.GeneralizedTime)) &&
		!readTime(body, &c.NextUpdate) {
		return errors.New("pki: malformed CRL nextUpdate")
	}
	return nil
}

func (c *CRL) parseRevoked(body *cryptobyte.String) error {
	if !body.PeekASN1Tag(cbasn1.SEQUENCE) {
		return nil
	}
	var list cryptobyte.String
	if !body.ReadASN1(&list, cbasn1.SEQUENCE) {
		return errors.New("pki: malformed revoked certificates")
	}
	for !list.Empty() {
		var entry cryptobyte.String
		r := RevokedCertificate{SerialNumber: new(big.Int)}
		if !list.ReadASN1(&entry, cbasn1.SEQUENCE) || !entry.ReadASN1Integer(r.SerialNumber) ||
			!readTime(&entry, &r.RevocationTime) {
			return errors.New("pki: malformed revoked certificate entry")
		}
		if !entry.Empty() {
			exts, ok := readExtensions(&entry)
			if !ok || !entry.Empty() || c.Version != 2 {
				return errors.New("pki: malformed revoked certificate entry extensions")
			}
			r.Extensions = exts
		}
		for _, x := range r.Extensions {
			if !x.Id.Equal(OIDExtReasonCode) {
				continue
			}
			v := cryptobyte.String(x.Value)
			var reason int
			if !v.ReadASN1Enum(&reason) || !v.Empty() || reason < 0 || reason > 10 || reason == 7 {
				return errors.New("pki: malformed CRL reason code")
			}
			r.Reason = CRLReason(reason)
		}
		c.Revoked = append(c.Revoked, r)
	}
	return nil
}

func (c *CRL) parseExtensions(body *cryptobyte.String) error {
	var wrap cryptobyte.String
	var present bool
	if !body.ReadOptionalASN1(&wrap, &present, cbasn1.Tag(0).ContextSpecific().Constructed()) ||
		!body.Empty() {
		return errors.New("pki: malformed CRL extensions")
	}
	if !present {
		return nil
	}
	exts, ok := readExtensions(&wrap)
	if !ok || !wrap.Empty() || c.Version != 2 {
		return errors.New("pki: malformed CRL extensions")
	}
	c.Extensions = exts
	for _, x := range exts {
		v := cryptobyte.String(x.Value)
		switch {
		case x.Id.Equal(OIDExtCRLNumber):
			c.Number = new(big.Int)
			if !v.ReadASN1Integer(c.Number) || !v.Empty() || c.Number.Sign() < 0 {
				return errors.New("pki: malformed CRL number")
			}
		case x.Id.Equal(OIDExtAuthorityKeyID):
			var e Extensions
			if !parseAuthorityKeyID(&e, v) {
				return errors.New("pki: malformed CRL authorityKeyIdentifier")
			}
			c.AuthorityKeyID = e.AuthorityKeyID
		}
	}
	return nil
}

// CheckSignatureFrom verifies that issuer signed the CRL: the CRL's issuer
// name is issuer's subject (byte for byte), the key identifiers agree when
// both are present, issuer may sign CRLs, and the signature verifies.
func (c *CRL) CheckSignatureFrom(issuer *Certificate) error {
	if !bytes.Equal(c.RawIssuer, issuer.RawSubject) {
		return errors.New("pki: CRL issuer name is not the certificate's subject")
	}
	if c.AuthorityKeyID != nil && issuer.Extensions.SubjectKeyID != nil &&
		!bytes.Equal(c.AuthorityKeyID, issuer.Extensions.SubjectKeyID) {
		return errors.New("pki: CRL authority key identifier does not match the certificate")
	}
	if err := canSignCRL(issuer); err != nil {
		return err
	}
	if issuer.PublicKey == nil {
		return fmt.Errorf("%w: issuer key %s", ErrUnsupportedAlgorithm, issuer.PublicKeyAlgorithm)
	}
	return CheckSignature(c.SignatureAlgorithm, issuer.PublicKey, c.RawTBSCRL, c.Signature)
}

// IsRevoked returns the entry for serial, or nil when it is not listed.
func (c *CRL) IsRevoked(serial *big.Int) *RevokedCertificate {
	for i := range c.Revoked {
		if c.Revoked[i].SerialNumber.Cmp(serial) == 0 {
			return &c.Revoked[i]
		}
	}
	return nil
}
