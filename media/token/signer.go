package token

import (
	"crypto"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"

	"github.com/miekg/pkcs11"

	"rekey/gost/gost3410"
	"rekey/pki"
)

// signer is a crypto.Signer whose private key is on a token.
type signer struct {
	tok  *Token
	priv pkcs11.ObjectHandle
	pub  crypto.PublicKey
	prof *pki.Profile
}

func (s *signer) Public() crypto.PublicKey { return s.pub }

// Sign signs digest on the token. ECDSA: CKM_ECDSA over the digest, the
// token's r||s turned into the ASN.1 form crypto/ecdsa uses. GOST:
// CKM_GOSTR3410 (or its 512-bit TC26 variant) over the Streebog digest,
// checked and returned as s||r.
func (s *signer) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	t := s.tok
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.mod == nil {
		return nil, errors.New("media: token session is closed")
	}
	_, mech, _ := mechanisms(s.prof)
	m := []*pkcs11.Mechanism{pkcs11.NewMechanism(mech, nil)}
	if err := t.mod.ctx.SignInit(t.sess, m, s.priv); err != nil {
		return nil, t.fail("starting to sign", err)
	}
	sig, err := t.mod.ctx.Sign(t.sess, digest)
	if err != nil {
		return nil, t.fail("signing", err)
	}
	if s.prof.Curve != nil {
		return gostSignature(s.pub, digest, sig)
	}
	return ecdsaASN1(sig)
}

// gostSignature checks a token's GOST signature and returns it in the
// s||r order of RFC 4491 and RFC 9215. PKCS#11 tokens are not consistent
// about the order of the halves, so the other order is tried too.
func gostSignature(pub crypto.PublicKey, digest, sig []byte) ([]byte, error) {
	gpub, ok := pub.(*gost3410.PublicKey)
	if !ok {
		return nil, errors.New("media: internal error: GOST signer without a GOST key")
	}
	if gost3410.Verify(gpub, digest, sig) {
		return sig, nil
	}
	n := len(sig) / 2
	swapped := append(append([]byte{}, sig[n:]...), sig[:n]...)
	if gost3410.Verify(gpub, digest, swapped) {
		return swapped, nil
	}
	return nil, errors.New("media: the token's GOST signature does not verify")
}

// ecdsaASN1 turns a PKCS#11 ECDSA signature r||s (PKCS#11 v2.40 §2.3.1)
// into Ecdsa-Sig-Value (RFC 5480 §2.2 / SEC 1).
func ecdsaASN1(raw []byte) ([]byte, error) {
	if len(raw) == 0 || len(raw)%2 != 0 {
		return nil, fmt.Errorf("media: token gave an ECDSA signature of %d bytes", len(raw))
	}
	n := len(raw) / 2
	var v struct{ R, S asn1.RawValue }
	v.R = asn1.RawValue{Tag: asn1.TagInteger, Bytes: derUint(raw[:n])}
	v.S = asn1.RawValue{Tag: asn1.TagInteger, Bytes: derUint(raw[n:])}
	return asn1.Marshal(v)
}

// derUint is the content of a DER INTEGER for the unsigned big-endian b.
func derUint(b []byte) []byte {
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	if b[0]&0x80 != 0 {
		return append([]byte{0}, b...)
	}
	return b
}
