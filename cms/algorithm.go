package cms

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"fmt"
	"hash"

	"rekey/gost/gost3410"
	"rekey/gost/streebog"
	"rekey/pki"
)

// digestAlgorithm is a message digest CMS can compute.
type digestAlgorithm struct {
	oid     asn1.ObjectIdentifier
	newHash func() hash.Hash
	// params are written after the OID: NULL for GOST R 34.11-2012,
	// as gost-engine and the TC26 examples write it; absent for SHA-2
	// (RFC 5754 §2).
	params []byte
}

var digestAlgorithms = []*digestAlgorithm{
	{oidDigestStreebog256, streebog.New256, asn1NULL},
	{oidDigestStreebog512, streebog.New512, asn1NULL},
	{oidDigestSHA256, sha256.New, nil},
	{oidDigestSHA384, sha512.New384, nil},
	{oidDigestSHA512, sha512.New, nil},
}

func digestByOID(oid asn1.ObjectIdentifier) *digestAlgorithm {
	for _, d := range digestAlgorithms {
		if d.oid.Equal(oid) {
			return d
		}
	}
	return nil
}

func (d *digestAlgorithm) sum(data []byte) []byte {
	h := d.newHash()
	h.Write(data)
	return h.Sum(nil)
}

// signatureScheme is how a signer's key signs in CMS: the pki algorithm
// that verifies it, the digest, and the signatureAlgorithm written.
type signatureScheme struct {
	alg    pki.SignatureAlgorithm
	digest *digestAlgorithm
	// sigOID and sigParams are written as the SignerInfo's
	// signatureAlgorithm. GOST writes the public key algorithm with NULL,
	// as gost-engine and the TC26 examples do (RFC 4490 §3.2 for 2001).
	sigOID    asn1.ObjectIdentifier
	sigParams []byte
}

var signatureSchemes = []*signatureScheme{
	{pki.GOST256WithStreebog256, digestByOID(oidDigestStreebog256), oidPublicKeyGOST256, asn1NULL},
	{pki.GOST512WithStreebog512, digestByOID(oidDigestStreebog512), oidPublicKeyGOST512, asn1NULL},
	{pki.ECDSAWithSHA256, digestByOID(oidDigestSHA256), oidSignatureECDSASHA256, nil},
	{pki.ECDSAWithSHA384, digestByOID(oidDigestSHA384), oidSignatureECDSASHA384, nil},
	{pki.ECDSAWithSHA512, digestByOID(oidDigestSHA512), oidSignatureECDSASHA512, nil},
}

// schemeForKey picks the scheme a public key signs with: Streebog of the
// key's size for GOST, the hash of the curve's size for ECDSA.
func schemeForKey(pub any) (*signatureScheme, error) {
	var alg pki.SignatureAlgorithm
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		alg = pki.GOST256WithStreebog256
		if k.Curve().Size() == 64 {
			alg = pki.GOST512WithStreebog512
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			alg = pki.ECDSAWithSHA256
		case elliptic.P384():
			alg = pki.ECDSAWithSHA384
		case elliptic.P521():
			alg = pki.ECDSAWithSHA512
		}
	}
	for _, s := range signatureSchemes {
		if s.alg == alg {
			return s, nil
		}
	}
	return nil, fmt.Errorf("%w: cannot sign with a %T key", ErrUnsupportedAlgorithm, pub)
}

// schemeFor maps a SignerInfo's digestAlgorithm and signatureAlgorithm to
// a scheme. GOST signatures are accepted under the public key OID and the
// signature OID (RFC 9215 §3.1); ECDSA under the signature OIDs and
// id-ecPublicKey.
func schemeFor(digest, sig asn1.ObjectIdentifier) (*signatureScheme, error) {
	for _, s := range signatureSchemes {
		if !s.digest.oid.Equal(digest) {
			continue
		}
		if s.sigOID.Equal(sig) || s.alg.OID().Equal(sig) ||
			(sig.Equal(oidPublicKeyECDSA) && s.alg.PublicKeyAlgorithm() == pki.ECDSA) {
			return s, nil
		}
	}
	return nil, fmt.Errorf("%w: signature algorithm %s with digest %s",
		ErrUnsupportedAlgorithm, sig, digest)
}
