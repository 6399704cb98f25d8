package cmp

import (
	"bytes"
	"crypto"
	"io"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/pki"
)

// SignPOP gives r a signature proof of possession by signer, the key being
// certified (RFC 4211 §4.1, RFC 9483 §4.1.1): the signature covers the DER
// of CertReq, without poposkInput, so the template must carry the subject
// and the public key. It sets CertReq.Raw and POP.
func (r *CertReqMsg) SignPOP(signer crypto.Signer, rand io.Reader) error {
	alg, opts, err := signatureAlgorithmFor(signer.Public())
	if err != nil {
		return err
	}
	if r.CertReq.Template.PublicKey == nil {
		spki, err := pki.MarshalPKIXPublicKey(signer.Public())
		if err != nil {
			return wrapError(FailBadAlg, err, "cmp: encoding the POP public key")
		}
		r.CertReq.Template.PublicKey = spki
	}
	b := builder{buf: make([]byte, 0, r.CertReq.sizeHint())}
	addCertRequest(&b, &r.CertReq)
	der, err := builderBytes(&b)
	if err != nil {
		return err
	}
	r.CertReq.Raw = der
	h := alg.NewHash()
	h.Write(der)
	sig, err := signer.Sign(rand, h.Sum(nil), opts)
	if err != nil {
		return wrapError(FailSystemFailure, err, "cmp: signing the proof of possession")
	}
	r.POP = &ProofOfPossession{Signature: &POPOSigningKey{
		Algorithm: AlgorithmIdentifier{Algorithm: alg.OID()},
		Signature: sig,
	}}
	return nil
}

// VerifyPOP checks a signature proof of possession against the public key
// of the template (RFC 4211 §4.1). The signed data is CertReq.Raw, or the
// POPOSigningKeyInput when present, whose public key must then equal the
// template's. Every failure is FailBadPOP, or FailBadAlg for an algorithm
// rekey cannot verify.
func (r *CertReqMsg) VerifyPOP() error {
	_, err := r.verifyPOP()
	return err
}

// verifyPOP is VerifyPOP; it returns the template's public key, parsed
// on the way.
func (r *CertReqMsg) verifyPOP() (crypto.PublicKey, error) {
	if r.POP == nil || r.POP.Signature == nil {
		return nil, newError(FailBadPOP, "cmp: no signature proof of possession")
	}
	sk := r.POP.Signature
	alg := signatureAlgorithmByOID(sk.Algorithm.Algorithm)
	if alg == pki.UnknownSignatureAlgorithm {
		return nil, errorf(FailBadAlg, "cmp: unsupported POP algorithm %s",
			sk.Algorithm.Algorithm)
	}
	if p := sk.Algorithm.Parameters; p != nil && !bytes.Equal(p, []byte{0x05, 0x00}) {
		return nil, errorf(FailBadAlg, "cmp: POP algorithm %s has parameters", alg)
	}
	spki := r.CertReq.Template.PublicKey
	if spki == nil {
		return nil, newError(FailBadPOP, "cmp: POP without a public key in the template")
	}
	pub, err := pki.ParsePKIXPublicKey(spki)
	if err != nil {
		return nil, wrapError(FailBadPOP, err, "cmp: POP public key")
	}
	signed := r.CertReq.Raw
	if sk.Input != nil {
		if signed, err = popInput(sk.Input, spki); err != nil {
			return nil, err
		}
	}
	if signed == nil {
		b := builder{buf: make([]byte, 0, r.CertReq.sizeHint())}
		addCertRequest(&b, &r.CertReq)
		if signed, err = builderBytes(&b); err != nil {
			return nil, err
		}
	}
	if err := pki.CheckSignature(alg, pub, signed, sk.Signature); err != nil {
		return nil, wrapError(FailBadPOP, err, "cmp: proof of possession does not verify")
	}
	return pub, nil
}

// popInput checks a poposkInput ([0] IMPLICIT POPOSigningKeyInput) and
// returns the DER it signs: the SEQUENCE form of it.
func popInput(input, spki []byte) ([]byte, error) {
	s := cryptobyte.String(input)
	var in cryptobyte.String
	if !s.ReadASN1(&in, ctxCons(0)) {
		return nil, malformed("poposkInput")
	}
	signed := retag(cbasn1.SEQUENCE, in)
	var authInfo []byte
	var key cryptobyte.String
	if !readAnyElement(&in, &authInfo) || !in.ReadASN1Element(&key, cbasn1.SEQUENCE) ||
		!in.Empty() {
		return nil, malformed("poposkInput")
	}
	if !bytes.Equal(key, spki) {
		return nil, newError(FailBadPOP, "cmp: poposkInput public key differs from the template")
	}
	return signed, nil
}
