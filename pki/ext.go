package pki

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Extension OIDs (RFC 5280 §4.2; the Russian sign-tool extensions of the
// FSB order No. 795 and the TC26 recommendations, OIDs under 1.2.643.100).
var (
	OIDExtSubjectKeyID          = asn1.ObjectIdentifier{2, 5, 29, 14}
	OIDExtKeyUsage              = asn1.ObjectIdentifier{2, 5, 29, 15}
	OIDExtPrivateKeyUsagePeriod = asn1.ObjectIdentifier{2, 5, 29, 16}
	OIDExtBasicConstraints      = asn1.ObjectIdentifier{2, 5, 29, 19}
	OIDExtCRLNumber             = asn1.ObjectIdentifier{2, 5, 29, 20}
	OIDExtReasonCode            = asn1.ObjectIdentifier{2, 5, 29, 21}
	OIDExtCRLDistributionPoints = asn1.ObjectIdentifier{2, 5, 29, 31}
	OIDExtCertificatePolicies   = asn1.ObjectIdentifier{2, 5, 29, 32}
	OIDExtAuthorityKeyID        = asn1.ObjectIdentifier{2, 5, 29, 35}
	OIDExtExtKeyUsage           = asn1.ObjectIdentifier{2, 5, 29, 37}
	OIDExtSubjectSignTool       = asn1.ObjectIdentifier{1, 2, 643, 100, 111}
	OIDExtIssuerSignTool        = asn1.ObjectIdentifier{1, 2, 643, 100, 112}
)

// Extended key usages often met in Russian and Internet certificates.
var (
	OIDExtKeyUsageClientAuth      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
	OIDExtKeyUsageEmailProtection = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}
)

// BasicConstraints is the basicConstraints extension (RFC 5280 §4.2.1.9).
// MaxPathLen < 0 means no pathLenConstraint.
type BasicConstraints struct {
	IsCA       bool
	MaxPathLen int
}

// KeyUsagePeriod is the privateKeyUsagePeriod extension (RFC 3280
// §4.2.1.4): the period in which the private key may sign. Russian CAs give
// the key a shorter life than the certificate. A zero time is absent.
type KeyUsagePeriod struct {
	NotBefore, NotAfter time.Time
}

// IssuerSignTool is the issuerSignTool extension (1.2.643.100.112): the
// CA's signature tool and CA tool with their conformity certificates.
type IssuerSignTool struct {
	SignTool     string // name of the issuer's signature tool (CSP)
	CATool       string // name of the CA software
	SignToolCert string // conformity certificate of the signature tool
	CAToolCert   string // conformity certificate of the CA software
}

// Extensions are the certificate (and request) extensions rekey writes and
// reads. The zero value has none. Extra holds any other extension, written
// after the known ones and filled on parsing with the ones not known here.
type Extensions struct {
	BasicConstraints      *BasicConstraints
	KeyUsage              x509.KeyUsage // 0 when absent
	ExtKeyUsage           []asn1.ObjectIdentifier
	SubjectKeyID          []byte
	AuthorityKeyID        []byte
	Policies              []asn1.ObjectIdentifier
	CRLDistributionPoints []string // URIs
	PrivateKeyUsagePeriod *KeyUsagePeriod
	SubjectSignTool       string // "" when absent
	IssuerSignTool        *IssuerSignTool
	Extra                 []pkix.Extension
}

// marshal encodes the extensions in a fixed order. basicConstraints is
// critical when it marks a CA and keyUsage always (RFC 5280 §4.2.1.9,
// §4.2.1.3).
func (e *Extensions) marshal() ([]pkix.Extension, error) {
	var out []pkix.Extension
	add := func(oid asn1.ObjectIdentifier, critical bool, f cryptobyte.BuilderContinuation) error {
		var b cryptobyte.Builder
		f(&b)
		v, err := b.Bytes()
		if err != nil {
			return fmt.Errorf("pki: encoding extension %s: %v", oid, err)
		}
		out = append(out, pkix.Extension{Id: oid, Critical: critical, Value: v})
		return nil
	}
	var errs []error
	if bc := e.BasicConstraints; bc != nil {
		errs = append(errs, add(OIDExtBasicConstraints, bc.IsCA, bc.marshal))
	}
	if e.KeyUsage != 0 {
		errs = append(errs, add(OIDExtKeyUsage, true, marshalKeyUsage(e.KeyUsage)))
	}
	if len(e.ExtKeyUsage) > 0 {
		errs = append(errs, add(OIDExtExtKeyUsage, false, marshalOIDs(e.ExtKeyUsage, false)))
	}
	if e.SubjectKeyID != nil {
		errs = append(errs, add(OIDExtSubjectKeyID, false, func(b *cryptobyte.Builder) {
			b.AddASN1OctetString(e.SubjectKeyID)
		}))
	}
	if e.AuthorityKeyID != nil {
		errs = append(errs, add(OIDExtAuthorityKeyID, false, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddBytes(e.AuthorityKeyID)
				})
			})
		}))
	}
	if len(e.Policies) > 0 {
		errs = append(errs, add(OIDExtCertificatePolicies, false, marshalOIDs(e.Policies, true)))
	}
	if len(e.CRLDistributionPoints) > 0 {
		errs = append(errs, add(OIDExtCRLDistributionPoints, false,
			marshalCRLDP(e.CRLDistributionPoints)))
	}
	if p := e.PrivateKeyUsagePeriod; p != nil {
		errs = append(errs, add(OIDExtPrivateKeyUsagePeriod, false, p.marshal))
	}
	if e.SubjectSignTool != "" {
		errs = append(errs, add(OIDExtSubjectSignTool, false, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) {
				b.AddBytes([]byte(e.SubjectSignTool))
			})
		}))
	}
	if t := e.IssuerSignTool; t != nil {
		errs = append(errs, add(OIDExtIssuerSignTool, false, t.marshal))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return append(out, e.Extra...), nil
}

func (bc *BasicConstraints) marshal(b *cryptobyte.Builder) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if bc.IsCA {
			b.AddASN1Boolean(true)
		}
		if bc.IsCA && bc.MaxPathLen >= 0 {
			b.AddASN1Int64(int64(bc.MaxPathLen))
		}
	})
}

// marshalKeyUsage writes the named bit list with trailing zero bits
// removed (X.690 §11.2.2).
func marshalKeyUsage(ku x509.KeyUsage) cryptobyte.BuilderContinuation {
	return func(b *cryptobyte.Builder) {
		var bits [2]byte
		n := 0
		for i := 0; i < 9; i++ {
			if ku&(1<<i) != 0 {
				bits[i/8] |= 0x80 >> (i % 8)
				n = i + 1
			}
		}
		nbytes := (n + 7) / 8
		b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
			b.AddUint8(uint8(8*nbytes - n))
			b.AddBytes(bits[:nbytes])
		})
	}
}

// marshalOIDs writes SEQUENCE OF OID, or, for policies, SEQUENCE OF
// PolicyInformation without qualifiers (RFC 5280 §4.2.1.4).
func marshalOIDs(oids []asn1.ObjectIdentifier, policies bool) cryptobyte.BuilderContinuation {
	return func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, oid := range oids {
				if policies {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(oid)
					})
				} else {
					b.AddASN1ObjectIdentifier(oid)
				}
			}
		})
	}
}

// marshalCRLDP writes one DistributionPoint per URI, each with a fullName
// of one uniformResourceIdentifier (RFC 5280 §4.2.1.13).
func marshalCRLDP(uris []string) cryptobyte.BuilderContinuation {
	dpName := cbasn1.Tag(0).ContextSpecific().Constructed()   // distributionPoint
	fullName := cbasn1.Tag(0).ContextSpecific().Constructed() // DistributionPointName
	uriTag := cbasn1.Tag(6).ContextSpecific()                 // uniformResourceIdentifier
	return func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, uri := range uris {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(dpName, func(b *cryptobyte.Builder) {
						b.AddASN1(fullName, func(b *cryptobyte.Builder) {
							b.AddASN1(uriTag, func(b *cryptobyte.Builder) {
								b.AddBytes([]byte(uri))
							})
						})
					})
				})
			}
		})
	}
}

func (p *KeyUsagePeriod) marshal(b *cryptobyte.Builder) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for i, t := range []time.Time{p.NotBefore, p.NotAfter} {
			if t.IsZero() {
				continue
			}
			b.AddASN1(cbasn1.Tag(i).ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddBytes([]byte(t.UTC().Format(generalizedTimeFormat)))
			})
		}
	})
}

const generalizedTimeFormat = "20060102150405Z0700"

func (t *IssuerSignTool) marshal(b *cryptobyte.Builder) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, s := range []string{t.SignTool, t.CATool, t.SignToolCert, t.CAToolCert} {
			b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
		}
	})
}

// extParser decodes one known extension's value into e.
type extParser func(e *Extensions, v cryptobyte.String) bool

var extParsers = []struct {
	oid   asn1.ObjectIdentifier
	name  string
	parse extParser
}{
	{OIDExtBasicConstraints, "basicConstraints", parseBasicConstraints},
	{OIDExtKeyUsage, "keyUsage", parseKeyUsage},
	{OIDExtExtKeyUsage, "extKeyUsage", parseExtKeyUsage},
	{OIDExtSubjectKeyID, "subjectKeyIdentifier", parseSubjectKeyID},
	{OIDExtAuthorityKeyID, "authorityKeyIdentifier", parseAuthorityKeyID},
	{OIDExtCertificatePolicies, "certificatePolicies", parsePolicies},
	{OIDExtCRLDistributionPoints, "cRLDistributionPoints", parseCRLDP},
	{OIDExtPrivateKeyUsagePeriod, "privateKeyUsagePeriod", parseKeyUsagePeriod},
	{OIDExtSubjectSignTool, "subjectSignTool", parseSubjectSignTool},
	{OIDExtIssuerSignTool, "issuerSignTool", parseIssuerSignTool},
}

// parseExtensions decodes the known extensions of exts into a new
// Extensions; the others go to Extra. A repeated extension is an error
// (RFC 5280 §4.2).
func parseExtensions(exts []pkix.Extension) (Extensions, error) {
	var e Extensions
	for i, x := range exts {
		// Pairwise: a certificate has a handful of extensions, and a map
		// of their OIDs as text cost more than the comparisons.
		for _, y := range exts[:i] {
			if x.Id.Equal(y.Id) {
				return e, fmt.Errorf("pki: extension %s appears twice", x.Id)
			}
		}
		known := false
		for _, p := range extParsers {
			if !p.oid.Equal(x.Id) {
				continue
			}
			known = true
			if !p.parse(&e, cryptobyte.String(x.Value)) {
				return e, fmt.Errorf("pki: malformed %s extension", p.name)
			}
		}
		if !known {
			e.Extra = append(e.Extra, x)
		}
	}
	return e, nil
}

func parseBasicConstraints(e *Extensions, v cryptobyte.String) bool {
	var seq cryptobyte.String
	bc := &BasicConstraints{MaxPathLen: -1}
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() ||
		!readOptionalBoolean(&seq, &bc.IsCA) {
		return false
	}
	if seq.PeekASN1Tag(cbasn1.INTEGER) {
		var n int64
		if !seq.ReadASN1Integer(&n) || n < 0 || n > 1<<20 {
			return false
		}
		if bc.IsCA {
			bc.MaxPathLen = int(n) // meaningless without cA (RFC 5280 §4.2.1.9)
		}
	}
	e.BasicConstraints = bc
	return seq.Empty()
}

func parseKeyUsage(e *Extensions, v cryptobyte.String) bool {
	var bits asn1.BitString
	if !v.ReadASN1BitString(&bits) || !v.Empty() {
		return false
	}
	for i := 0; i < 9; i++ {
		if bits.At(i) != 0 {
			e.KeyUsage |= 1 << i
		}
	}
	return true
}

func parseExtKeyUsage(e *Extensions, v cryptobyte.String) bool {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() {
		return false
	}
	if seq.Empty() {
		return false // SIZE (1..MAX), RFC 5280 §4.2.1.12
	}
	for !seq.Empty() {
		var oid asn1.ObjectIdentifier
		if !seq.ReadASN1ObjectIdentifier(&oid) {
			return false
		}
		e.ExtKeyUsage = append(e.ExtKeyUsage, oid)
	}
	return true
}

func parseSubjectKeyID(e *Extensions, v cryptobyte.String) bool {
	return v.ReadASN1Bytes(&e.SubjectKeyID, cbasn1.OCTET_STRING) && v.Empty()
}

// parseAuthorityKeyID reads the keyIdentifier and skips the optional
// authorityCertIssuer and serial number.
func parseAuthorityKeyID(e *Extensions, v cryptobyte.String) bool {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() {
		return false
	}
	var id cryptobyte.String
	var present bool
	if !seq.ReadOptionalASN1(&id, &present, cbasn1.Tag(0).ContextSpecific()) {
		return false
	}
	if present {
		e.AuthorityKeyID = append([]byte{}, id...)
	}
	return seq.SkipOptionalASN1(cbasn1.Tag(1).ContextSpecific().Constructed()) &&
		seq.SkipOptionalASN1(cbasn1.Tag(2).ContextSpecific()) && seq.Empty()
}

// parsePolicies reads the policy OIDs and skips any qualifiers.
func parsePolicies(e *Extensions, v cryptobyte.String) bool {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() {
		return false
	}
	if seq.Empty() {
		return false // SIZE (1..MAX), RFC 5280 §4.2.1.4
	}
	for !seq.Empty() {
		var pi cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !seq.ReadASN1(&pi, cbasn1.SEQUENCE) || !pi.ReadASN1ObjectIdentifier(&oid) ||
			!pi.SkipOptionalASN1(cbasn1.SEQUENCE) || !pi.Empty() {
			return false
		}
		e.Policies = append(e.Policies, oid)
	}
	return true
}

// parseCRLDP collects the URIs of the fullName of every distribution
// point; other name forms, reasons and cRLIssuer are skipped.
func parseCRLDP(e *Extensions, v cryptobyte.String) bool {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() {
		return false
	}
	if seq.Empty() {
		return false // SIZE (1..MAX), RFC 5280 §4.2.1.13
	}
	for !seq.Empty() {
		var dp, dpName cryptobyte.String
		var present bool
		if !seq.ReadASN1(&dp, cbasn1.SEQUENCE) ||
			!dp.ReadOptionalASN1(&dpName, &present, cbasn1.Tag(0).ContextSpecific().Constructed()) {
			return false
		}
		if present && dpName.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
			var names cryptobyte.String
			if !dpName.ReadASN1(&names, cbasn1.Tag(0).ContextSpecific().Constructed()) {
				return false
			}
			for !names.Empty() {
				var name cryptobyte.String
				var tag cbasn1.Tag
				if !names.ReadAnyASN1(&name, &tag) {
					return false
				}
				if tag == cbasn1.Tag(6).ContextSpecific() {
					e.CRLDistributionPoints = append(e.CRLDistributionPoints, string(name))
				}
			}
		}
	}
	return true
}

func parseKeyUsagePeriod(e *Extensions, v cryptobyte.String) bool {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() {
		return false
	}
	p := &KeyUsagePeriod{}
	for i, t := range []*time.Time{&p.NotBefore, &p.NotAfter} {
		var raw cryptobyte.String
		var present bool
		if !seq.ReadOptionalASN1(&raw, &present, cbasn1.Tag(i).ContextSpecific()) {
			return false
		}
		if present && !readImplicitGeneralizedTime(raw, t) {
			return false
		}
		*t = t.UTC()
	}
	if p.NotBefore.IsZero() && p.NotAfter.IsZero() {
		return false // RFC 3280 §4.2.1.4: at least one must be present
	}
	e.PrivateKeyUsagePeriod = p
	return seq.Empty()
}

// readImplicitGeneralizedTime decodes the content of an implicitly tagged
// GeneralizedTime with cryptobyte's own (strict DER) rules.
func readImplicitGeneralizedTime(content []byte, t *time.Time) bool {
	if len(content) > 127 {
		return false
	}
	var buf [2 + 127]byte
	buf[0], buf[1] = byte(cbasn1.GeneralizedTime), byte(len(content))
	s := cryptobyte.String(buf[:2+copy(buf[2:], content)])
	return s.ReadASN1GeneralizedTime(t)
}

func parseSubjectSignTool(e *Extensions, v cryptobyte.String) bool {
	var s []byte
	if !v.ReadASN1Bytes(&s, cbasn1.UTF8String) || !v.Empty() || len(s) == 0 {
		return false
	}
	e.SubjectSignTool = string(s)
	return true
}

func parseIssuerSignTool(e *Extensions, v cryptobyte.String) bool {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() {
		return false
	}
	t := &IssuerSignTool{}
	for _, f := range []*string{&t.SignTool, &t.CATool, &t.SignToolCert, &t.CAToolCert} {
		var s []byte
		if !seq.ReadASN1Bytes(&s, cbasn1.UTF8String) {
			return false
		}
		*f = string(s)
	}
	e.IssuerSignTool = t
	return seq.Empty()
}

// addExtensions writes a SEQUENCE OF Extension (RFC 5280 §4.1).
func addExtensions(b *cryptobyte.Builder, exts []pkix.Extension) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, x := range exts {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(x.Id)
				if x.Critical {
					b.AddASN1Boolean(true)
				}
				b.AddASN1OctetString(x.Value)
			})
		}
	})
}

// readExtensions reads a SEQUENCE OF Extension.
func readExtensions(s *cryptobyte.String) ([]pkix.Extension, bool) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, false
	}
	n := 0
	for count := seq; count.SkipASN1(cbasn1.SEQUENCE); {
		n++
	}
	var out []pkix.Extension // nil when there are none
	if n > 0 {
		out = make([]pkix.Extension, 0, n)
	}
	for !seq.Empty() {
		var ext cryptobyte.String
		var x pkix.Extension
		if !seq.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&x.Id) ||
			!readOptionalBoolean(&ext, &x.Critical) ||
			!ext.ReadASN1Bytes(&x.Value, cbasn1.OCTET_STRING) || !ext.Empty() {
			return nil, false
		}
		out = append(out, x)
	}
	return out, true
}

// readOptionalBoolean reads an untagged BOOLEAN DEFAULT FALSE.
func readOptionalBoolean(s *cryptobyte.String, out *bool) bool {
	*out = false
	if !s.PeekASN1Tag(cbasn1.BOOLEAN) {
		return true
	}
	return s.ReadASN1Boolean(out)
}
