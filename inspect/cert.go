package inspect

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/gost/gost3410"
	"rekey/pki"
)

func describeCertificate(der []byte, now time.Time) *Object {
	c, err := pki.ParseCertificate(der)
	if err != nil {
		return malformed(TypeCertificate, err)
	}
	o := &Object{Type: TypeCertificate, cert: c}
	o.Subject = &Name{c.Subject}
	o.Issuer = &Name{c.Issuer}
	o.Serial = ptr(serialHex(c.SerialNumber))
	o.NotBefore = ptr(c.NotBefore.UTC())
	o.NotAfter = ptr(c.NotAfter.UTC())
	o.KeyExpires = ptr(c.KeyExpires().UTC())
	o.DaysLeft = ptr(daysLeft(now, c.NotAfter))
	o.KeyDaysLeft = ptr(daysLeft(now, c.KeyExpires()))
	o.setSignatureAlgorithm(c.SignatureAlgorithm, c.SignatureAlgorithmOID)
	o.setPublicKey(c.PublicKeyAlgorithm, c.PublicKey, c.RawSubjectPublicKeyInfo)
	o.Extensions = describeExtensions(&c.Extensions, c.RawExtensions)
	return o
}

func describeRequest(der []byte) *Object {
	r, err := pki.ParseCertificateRequest(der)
	if err != nil {
		return malformed(TypeCertificateRequest, err)
	}
	o := &Object{Type: TypeCertificateRequest}
	o.Subject = &Name{r.Subject}
	o.setSignatureAlgorithm(r.SignatureAlgorithm, r.SignatureAlgorithmOID)
	o.setPublicKey(r.PublicKeyAlgorithm, r.PublicKey, r.RawSubjectPublicKeyInfo)
	if len(r.RawExtensions) > 0 {
		o.Extensions = describeExtensions(&r.Extensions, r.RawExtensions)
	}
	// A request carries its own key: its self-signature is always checked.
	o.recordCheck("self", r.CheckSignature(), r.SignatureAlgorithm)
	return o
}

func describeCRL(der []byte) *Object {
	l, err := pki.ParseCRL(der)
	if err != nil {
		return malformed(TypeCRL, err)
	}
	o := &Object{Type: TypeCRL, crl: l}
	o.Issuer = &Name{l.Issuer}
	o.setSignatureAlgorithm(l.SignatureAlgorithm, l.SignatureAlgorithmOID)
	info := &CRLInfo{ThisUpdate: l.ThisUpdate.UTC(), Revoked: []RevokedEntry{}}
	if !l.NextUpdate.IsZero() {
		info.NextUpdate = ptr(l.NextUpdate.UTC())
	}
	if l.Number != nil {
		info.Number = ptr(l.Number.String())
	}
	for _, e := range l.Revoked {
		re := RevokedEntry{Serial: serialHex(e.SerialNumber), Time: e.RevocationTime.UTC()}
		if e.Reason != pki.ReasonUnspecified {
			re.Reason = e.Reason.String()
		}
		info.Revoked = append(info.Revoked, re)
	}
	o.CRL = info
	return o
}

func (o *Object) setSignatureAlgorithm(alg pki.SignatureAlgorithm, oid asn1.ObjectIdentifier) {
	o.SignatureAlgorithmOID = ptr(oid.String())
	if alg == pki.UnknownSignatureAlgorithm {
		o.SignatureAlgorithm = ptr(algorithmName(oid))
		return
	}
	o.SignatureAlgorithm = ptr(alg.String())
}

func (o *Object) setPublicKey(alg pki.PublicKeyAlgorithm, pub crypto.PublicKey, spki []byte) {
	pk := describePublicKey(pub, spki)
	if alg != pki.UnknownPublicKeyAlgorithm {
		pk.Algorithm = alg.String()
	}
	o.PublicKey = pk
	o.PublicKeyAlgorithm = ptr(pk.Algorithm)
}

// describePublicKey names a parsed key; for a key pki could not parse
// (pub == nil) it names what the SubjectPublicKeyInfo says.
func describePublicKey(pub crypto.PublicKey, spki []byte) *PublicKey {
	pk := &PublicKey{}
	algOID, params, bits := splitSPKI(spki)
	if bits != nil {
		sum := sha1.Sum(bits)
		pk.KeyID = hex.EncodeToString(sum[:])
	}
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		c := k.Curve()
		pk.Algorithm = pki.GOST256.String()
		if c.Size() == 64 {
			pk.Algorithm = pki.GOST512.String()
		}
		pk.Bits, pk.Curve, pk.CurveOID = c.Size()*8, c.Name(), c.OID().String()
	case *ecdsa.PublicKey:
		pk.Algorithm, pk.Bits, pk.Curve = pki.ECDSA.String(), k.Curve.Params().BitSize, curveName(k)
		pk.CurveOID = ecCurveOID(pk.Curve)
	case *rsa.PublicKey:
		pk.Algorithm, pk.Bits = pki.RSA.String(), k.N.BitLen()
	case ed25519.PublicKey:
		pk.Algorithm, pk.Bits = pki.Ed25519.String(), 256
	default:
		pk.Algorithm = algorithmName(algOID)
		if c := paramCurve(params); c != nil {
			pk.CurveOID = c.String()
			pk.Curve = algorithmName(c)
		}
	}
	return pk
}

// splitSPKI returns the algorithm OID, the parameters and the key bits of
// a DER SubjectPublicKeyInfo, or nils.
func splitSPKI(spki []byte) (asn1.ObjectIdentifier, cryptobyte.String, []byte) {
	in := cryptobyte.String(spki)
	var seq, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	var bits asn1.BitString
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&oid) || !seq.ReadASN1BitString(&bits) {
		return nil, nil, nil
	}
	return oid, alg, bits.Bytes
}

// paramCurve returns the curve OID at the start of key parameters: a bare
// OID (ECDSA, RFC 5480) or the first OID of a SEQUENCE (GOST, RFC 9215).
func paramCurve(params cryptobyte.String) asn1.ObjectIdentifier {
	var oid asn1.ObjectIdentifier
	if params.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) && params.ReadASN1ObjectIdentifier(&oid) {
		return oid
	}
	var seq cryptobyte.String
	if params.ReadASN1(&seq, cbasn1.SEQUENCE) && seq.ReadASN1ObjectIdentifier(&oid) {
		return oid
	}
	return nil
}

func curveName(k *ecdsa.PublicKey) string {
	switch k.Curve.Params().Name {
	case "P-256", "P-384", "P-521", "P-224":
		return k.Curve.Params().Name
	}
	return "unknown curve"
}

func ecCurveOID(name string) string {
	switch name {
	case "P-224":
		return "1.3.132.0.33"
	case "P-256":
		return pki.OIDCurveP256.String()
	case "P-384":
		return "1.3.132.0.34"
	case "P-521":
		return "1.3.132.0.35"
	}
	return ""
}

var keyUsageNames = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "digitalSignature"},
	{x509.KeyUsageContentCommitment, "nonRepudiation"},
	{x509.KeyUsageKeyEncipherment, "keyEncipherment"},
	{x509.KeyUsageDataEncipherment, "dataEncipherment"},
	{x509.KeyUsageKeyAgreement, "keyAgreement"},
	{x509.KeyUsageCertSign, "keyCertSign"},
	{x509.KeyUsageCRLSign, "cRLSign"},
	{x509.KeyUsageEncipherOnly, "encipherOnly"},
	{x509.KeyUsageDecipherOnly, "decipherOnly"},
}

func describeExtensions(e *pki.Extensions, raw []pkix.Extension) *Extensions {
	out := &Extensions{
		SubjectKeyID:          hex.EncodeToString(e.SubjectKeyID),
		AuthorityKeyID:        hex.EncodeToString(e.AuthorityKeyID),
		CRLDistributionPoints: e.CRLDistributionPoints,
		SubjectSignTool:       e.SubjectSignTool,
	}
	if bc := e.BasicConstraints; bc != nil {
		out.BasicConstraints = &BasicConstraints{CA: bc.IsCA}
		if bc.MaxPathLen >= 0 {
			out.BasicConstraints.MaxPathLen = ptr(bc.MaxPathLen)
		}
	}
	for _, ku := range keyUsageNames {
		if e.KeyUsage&ku.bit != 0 {
			out.KeyUsage = append(out.KeyUsage, ku.name)
		}
	}
	for _, oid := range e.ExtKeyUsage {
		out.ExtKeyUsage = append(out.ExtKeyUsage, oid.String())
	}
	for _, oid := range e.Policies {
		out.Policies = append(out.Policies, oid.String())
	}
	if p := e.PrivateKeyUsagePeriod; p != nil {
		out.PrivateKeyUsagePeriod = &Period{NotBefore: timeOrNil(p.NotBefore),
			NotAfter: timeOrNil(p.NotAfter)}
	}
	if t := e.IssuerSignTool; t != nil {
		out.IssuerSignTool = &IssuerSignTool{t.SignTool, t.CATool, t.SignToolCert, t.CAToolCert}
	}
	for _, x := range raw {
		if x.Critical {
			out.Critical = append(out.Critical, x.Id.String())
		}
	}
	for _, x := range e.Extra {
		out.Other = append(out.Other, x.Id.String())
	}
	return out
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return ptr(t.UTC())
}

// serialHex writes a serial number as lowercase hex of whole bytes.
func serialHex(n *big.Int) string {
	if n == nil {
		return ""
	}
	if n.Sign() < 0 {
		return "-" + serialHex(new(big.Int).Neg(n))
	}
	b := n.Bytes()
	if len(b) == 0 {
		return "00"
	}
	return hex.EncodeToString(b)
}

// daysLeft returns the whole days from now to t, truncated toward zero:
// negative once t has passed by a day or more, 0 within a day either side.
func daysLeft(now, t time.Time) int {
	return int(t.Sub(now) / (24 * time.Hour))
}

func hexString(b []byte) string { return hex.EncodeToString(b) }
