package cmp

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"

	"rekey/gost/gost3410"
	"rekey/pki"
)

// Protection algorithms of the MAC kind (RFC 9481 §6).
var (
	OIDPasswordBasedMAC = asn1.ObjectIdentifier{1, 2, 840, 113533, 7, 66, 13}
	OIDPBMAC1           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}
)

// signatureAlgorithms are the algorithms VerifySignature knows. GOST and
// ECDSA are also used to sign; RSA and Ed25519 are verified for peers such
// as OpenSSL's test data.
var signatureAlgorithms = []pki.SignatureAlgorithm{
	pki.GOST256WithStreebog256, pki.GOST512WithStreebog512,
	pki.ECDSAWithSHA256, pki.ECDSAWithSHA384, pki.ECDSAWithSHA512,
	pki.SHA256WithRSA, pki.SHA384WithRSA, pki.SHA512WithRSA, pki.PureEd25519,
}

// signatureAlgorithmOIDs are the OIDs of signatureAlgorithms, in order
// (SignatureAlgorithm.OID returns a copy each time).
var signatureAlgorithmOIDs = func() []asn1.ObjectIdentifier {
	out := make([]asn1.ObjectIdentifier, len(signatureAlgorithms))
	for i, a := range signatureAlgorithms {
		out[i] = a.OID()
	}
	return out
}()

func signatureAlgorithmByOID(oid asn1.ObjectIdentifier) pki.SignatureAlgorithm {
	for i, o := range signatureAlgorithmOIDs {
		if o.Equal(oid) {
			return signatureAlgorithms[i]
		}
	}
	return pki.UnknownSignatureAlgorithm
}

// signatureAlgorithmFor chooses the protection algorithm of a signing key:
// GOST R 34.10-2012 with the Streebog of its size (RFC 9215 §3.1), ECDSA
// with the hash of its curve (RFC 9481 §3.2).
func signatureAlgorithmFor(
	pub crypto.PublicKey,
) (pki.SignatureAlgorithm, crypto.SignerOpts, error) {
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		if k.Curve().Size() == 64 {
			return pki.GOST512WithStreebog512, pki.StreebogSignerOpts{Size: 64}, nil
		}
		return pki.GOST256WithStreebog256, pki.StreebogSignerOpts{Size: 32}, nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return pki.ECDSAWithSHA256, crypto.SHA256, nil
		case elliptic.P384():
			return pki.ECDSAWithSHA384, crypto.SHA384, nil
		case elliptic.P521():
			return pki.ECDSAWithSHA512, crypto.SHA512, nil
		}
	}
	return pki.UnknownSignatureAlgorithm, nil,
		errorf(FailBadAlg, "cmp: cannot sign with a %T key", pub)
}

// seal encodes the header and body into their Raw fields and returns the
// ProtectedPart to protect.
func (m *Message) seal() ([]byte, error) {
	var err error
	if m.Header.Raw, err = m.Header.Marshal(); err != nil {
		return nil, err
	}
	if m.Body.Raw, err = m.Body.Marshal(); err != nil {
		return nil, err
	}
	m.Raw = nil
	return m.ProtectedPart()
}

// Sign protects m with a signature of signer (RFC 9810 §5.1.3.3): it sets
// Header.ProtectionAlg from the key (GOST R 34.10-2012 with Streebog, or
// ECDSA), encodes header and body into their Raw fields and sets
// Protection. The caller puts the signer's certificate first in ExtraCerts
// and its key identifier in Header.SenderKID (RFC 9483 §3.2).
func (m *Message) Sign(signer crypto.Signer, rand io.Reader) error {
	alg, opts, err := signatureAlgorithmFor(signer.Public())
	if err != nil {
		return err
	}
	m.Header.ProtectionAlg = &AlgorithmIdentifier{Algorithm: alg.OID()}
	pp, err := m.seal()
	if err != nil {
		return err
	}
	h := alg.NewHash()
	h.Write(pp)
	sig, err := signer.Sign(rand, h.Sum(nil), opts)
	if err != nil {
		return wrapError(FailSystemFailure, err, "cmp: signing the protection")
	}
	m.Protection = sig
	return nil
}

// protectionAlgorithm returns the protection algorithm, or an error for a
// message without protection.
func (m *Message) protectionAlgorithm() (*AlgorithmIdentifier, error) {
	if m.Protection == nil {
		return nil, newError(FailBadMessageCheck, "cmp: message is not protected")
	}
	if m.Header.ProtectionAlg == nil {
		return nil, newError(FailBadMessageCheck, "cmp: protection without protectionAlg")
	}
	return m.Header.ProtectionAlg, nil
}

// IsMACProtected reports whether protectionAlg names a MAC (PBM or PBMAC1).
func (m *Message) IsMACProtected() bool {
	a := m.Header.ProtectionAlg
	return a != nil && (a.Algorithm.Equal(OIDPasswordBasedMAC) || a.Algorithm.Equal(OIDPBMAC1))
}

func (m *Message) signatureAlgorithm() (pki.SignatureAlgorithm, error) {
	ai, err := m.protectionAlgorithm()
	if err != nil {
		return 0, err
	}
	if m.IsMACProtected() {
		return 0, newError(FailWrongIntegrity, "cmp: message has MAC protection, not a signature")
	}
	alg := signatureAlgorithmByOID(ai.Algorithm)
	if alg == pki.UnknownSignatureAlgorithm {
		return 0, errorf(FailBadAlg, "cmp: unsupported protection algorithm %s", ai.Algorithm)
	}
	if p := ai.Parameters; p != nil && !bytes.Equal(p, []byte{0x05, 0x00}) {
		return 0, errorf(FailBadAlg, "cmp: protection algorithm %s has parameters", alg)
	}
	return alg, nil
}

// VerifySignatureWithKey checks the signature protection of m against pub.
func (m *Message) VerifySignatureWithKey(pub crypto.PublicKey) error {
	alg, err := m.signatureAlgorithm()
	if err != nil {
		return err
	}
	pp, err := m.ProtectedPart()
	if err != nil {
		return err
	}
	return checkSignature(alg, pub, pp, m.Protection, func() string { return "the given key" })
}

// checkSignature verifies a protection signature; whose names the key for
// an error and is called only when there is one (naming a certificate
// formats its subject, which a server would otherwise do per message).
func checkSignature(alg pki.SignatureAlgorithm, pub crypto.PublicKey, pp, sig []byte,
	whose func() string) error {
	err := pki.CheckSignature(alg, pub, pp, sig)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pki.ErrSignature):
		return wrapError(FailBadMessageCheck, err,
			"cmp: protection signature does not verify with %s", whose())
	case errors.Is(err, pki.ErrUnsupportedAlgorithm):
		return wrapError(FailBadAlg, err, "cmp: cannot verify the protection with %s", whose())
	}
	return wrapError(FailBadMessageCheck, err, "cmp: protection does not fit %s", whose())
}

// VerifySignature checks the signature protection of m (RFC 9810
// §5.1.3.3) and returns the certificate whose key made it. It tries the
// candidates in order, skipping those whose subject key identifier
// differs from a present senderKID; without candidates it uses the
// protection certificate, ExtraCerts[0] (RFC 9483 §3.2). It does not
// validate the certificate: that is pki.Verify against the trust anchors.
func (m *Message) VerifySignature(candidates ...*pki.Certificate) (*pki.Certificate, error) {
	alg, err := m.signatureAlgorithm()
	if err != nil {
		return nil, err
	}
	if len(candidates) == 0 {
		if len(m.ExtraCerts) == 0 {
			return nil, newError(FailSignerNotTrusted,
				"cmp: no certificate to verify the protection with")
		}
		c, err := pki.ParseCertificate(m.ExtraCerts[0])
		if err != nil {
			return nil, wrapError(FailBadDataFormat, err, "cmp: protection certificate")
		}
		candidates = []*pki.Certificate{c}
	}
	pp, err := m.ProtectedPart()
	if err != nil {
		return nil, err
	}
	var first error
	for _, c := range candidates {
		whose := func() string { return describeCert(c) }
		if kid, ski := m.Header.SenderKID, c.Extensions.SubjectKeyID; kid != nil && ski != nil &&
			!bytes.Equal(kid, ski) {
			if first == nil {
				first = errorf(FailSignerNotTrusted,
					"cmp: senderKID does not match the key identifier of %s", whose())
			}
			continue
		}
		err := checkSignature(alg, c.PublicKey, pp, m.Protection, whose)
		if err == nil {
			return c, nil
		}
		if first == nil || FailureOf(first) == FailSignerNotTrusted {
			first = err
		}
	}
	return nil, first
}

// describeCert names a certificate in errors: public data only.
func describeCert(c *pki.Certificate) string {
	subject := "?"
	if c.Subject != nil {
		subject = c.Subject.String()
	}
	return fmt.Sprintf("the certificate of %q (serial %x)", subject, c.SerialNumber)
}

// Verify checks the protection of m, whatever its kind: a MAC with secret,
// or a signature with the candidates as in VerifySignature. It returns the
// certificate of a signature, nil for a MAC.
func (m *Message) Verify(secret []byte, candidates ...*pki.Certificate) (*pki.Certificate, error) {
	if _, err := m.protectionAlgorithm(); err != nil {
		return nil, err
	}
	if m.IsMACProtected() {
		if secret == nil {
			return nil, newError(FailWrongIntegrity, "cmp: MAC protection but no shared secret")
		}
		return nil, m.VerifyMAC(secret)
	}
	return m.VerifySignature(candidates...)
}
