package pki

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Template describes a certificate to issue. The issuer name, the
// signature algorithm and the authority key identifier come from the
// issuing CA's certificate and key, not from here.
type Template struct {
	// SerialNumber is required: positive, at most 20 octets (RFC 5280
	// §4.1.2.2). A CA persists it before it signs; see RandomSerial.
	SerialNumber *big.Int

	// Subject is encoded with Subject.MarshalDN (and so validated) unless
	// RawSubject is set, which is then written byte for byte: renewal
	// copies the current certificate's RawSubject so that the name stays
	// exactly the same.
	Subject    *Subject
	RawSubject []byte

	NotBefore, NotAfter time.Time

	// RawSubjectPublicKeyInfo, when set, is written byte for byte instead
	// of encoding the pub argument of CreateCertificate (which may then be
	// nil); a request's SPKI can so be copied unchanged. It must parse.
	RawSubjectPublicKeyInfo []byte

	// Extensions to write. An empty SubjectKeyID is filled with the SHA-1
	// of the subject public key (RFC 5280 §4.2.1.2, method 1), an empty
	// AuthorityKeyID with the issuer's subject key identifier (for a
	// self-signed certificate, the new one's own).
	Extensions Extensions
}

// RandomSerial returns a positive random serial number of 128 bits
// (well within the 20 octets of RFC 5280 §4.1.2.2), read from random
// (crypto/rand.Reader when nil).
func RandomSerial(random io.Reader) (*big.Int, error) {
	if random == nil {
		random = rand.Reader
	}
	b := make([]byte, 16)
	if _, err := io.ReadFull(random, b); err != nil {
		return nil, fmt.Errorf("pki: reading random serial: %w", err)
	}
	b[0] &= 0x7f
	b[0] |= 0x40 // keep 16 octets and a positive value
	return new(big.Int).SetBytes(b), nil
}

// CreateCertificate issues a version 3 certificate for pub described by
// tmpl, signed by signer as issuer. For a self-signed certificate, issuer
// is nil and signer's public key must be pub. The TBS is hashed with the
// signer's algorithm (Streebog-256 or -512 by GOST key size, SHA-256 for
// ECDSA P-256) and signed through signer, which may be a file key, a token
// or anything else that is a crypto.Signer.
//
// The result is parsed back and its signature verified with the issuer's
// public key before it is returned: a certificate that does not verify is
// never returned.
func CreateCertificate(tmpl *Template, issuer *Certificate, pub crypto.PublicKey,
	signer crypto.Signer) ([]byte, error) {
	// 1. Check the template and work out the names and the key.
	if err := checkSerial(tmpl.SerialNumber); err != nil {
		return nil, err
	}
	if tmpl.NotBefore.IsZero() || tmpl.NotAfter.IsZero() || tmpl.NotAfter.Before(tmpl.NotBefore) {
		return nil, errors.New("pki: certificate validity is empty or inverted")
	}
	subject, err := rawName(tmpl.Subject, tmpl.RawSubject)
	if err != nil {
		return nil, err
	}
	spki, pub, err := subjectKey(tmpl.RawSubjectPublicKeyInfo, pub)
	if err != nil {
		return nil, err
	}
	issuerName, issuerKey, issuerKeyID := subject, pub, []byte(nil)
	if issuer != nil {
		if err := canIssue(issuer); err != nil {
			return nil, err
		}
		issuerName, issuerKey = issuer.RawSubject, issuer.PublicKey
		issuerKeyID = issuer.Extensions.SubjectKeyID
	}
	if !publicKeysEqual(issuerKey, signer.Public()) {
		return nil, errors.New("pki: the signer's key is not the issuer's public key")
	}
	alg, err := signatureAlgorithmFor(signer.Public())
	if err != nil {
		return nil, err
	}

	// 2. Complete the key identifiers and encode the extensions.
	ext := tmpl.Extensions
	if ext.SubjectKeyID == nil {
		ext.SubjectKeyID = keyID(spki)
	}
	if ext.AuthorityKeyID == nil {
		ext.AuthorityKeyID = issuerKeyID
		if issuer == nil {
			ext.AuthorityKeyID = ext.SubjectKeyID
		}
	}
	exts, err := ext.marshal()
	if err != nil {
		return nil, err
	}

	// 3. Build and sign the TBS.
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1Int64(2)
		})
		b.AddASN1BigInt(tmpl.SerialNumber)
		addSignatureAlgorithm(b, alg)
		b.AddBytes(issuerName)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addTime(b, tmpl.NotBefore)
			addTime(b, tmpl.NotAfter)
		})
		b.AddBytes(subject)
		b.AddBytes(spki)
		if len(exts) > 0 {
			b.AddASN1(cbasn1.Tag(3).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				addExtensions(b, exts)
			})
		}
	})
	der, err := signAndWrap(&b, alg, signer)
	if err != nil {
		return nil, err
	}

	// 4. Parse the result back and verify it before handing it out.
	cert, err := ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: internal error: the new certificate does not parse: %v", err)
	}
	if err := CheckSignature(cert.SignatureAlgorithm, issuerKey, cert.RawTBSCertificate,
		cert.Signature); err != nil {
		return nil, fmt.Errorf("pki: the new certificate's signature does not verify: %w", err)
	}
	if cert.SerialNumber.Cmp(tmpl.SerialNumber) != 0 || !bytes.Equal(cert.RawSubject, subject) ||
		!bytes.Equal(cert.RawIssuer, issuerName) || !bytes.Equal(cert.RawSubjectPublicKeyInfo, spki) {
		return nil, errors.New("pki: internal error: the new certificate differs from its template")
	}
	return der, nil
}

// signAndWrap finishes tbs, signs it and writes the SEQUENCE { tbs,
// algorithm, signature } shared by certificates, requests and CRLs.
func signAndWrap(
	tbs *cryptobyte.Builder,
	alg SignatureAlgorithm,
	signer crypto.Signer,
) ([]byte, error) {
	raw, err := tbs.Bytes()
	if err != nil {
		return nil, fmt.Errorf("pki: encoding: %v", err)
	}
	sig, err := signTBS(signer, alg, rand.Reader, raw)
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(raw)
		addSignatureAlgorithm(b, alg)
		b.AddASN1BitString(sig)
	})
	return b.Bytes()
}

// canIssue refuses an issuer certificate that may not sign certificates:
// not a CA, or a keyUsage without keyCertSign (RFC 5280 §4.2.1.9, §4.2.1.3).
func canIssue(issuer *Certificate) error {
	bc := issuer.Extensions.BasicConstraints
	if bc == nil || !bc.IsCA {
		return errors.New("pki: the issuer certificate is not a CA certificate")
	}
	if ku := issuer.Extensions.KeyUsage; ku != 0 && ku&x509.KeyUsageCertSign == 0 {
		return errors.New("pki: the issuer certificate's key usage does not allow keyCertSign")
	}
	return nil
}

func checkSerial(n *big.Int) error {
	switch {
	case n == nil:
		return errors.New("pki: serial number is required")
	case n.Sign() <= 0:
		return errors.New("pki: serial number must be positive")
	case n.BitLen() > 159:
		return errors.New("pki: serial number is longer than 20 octets")
	}
	return nil
}

// rawName returns raw when set (it must be a DER Name) or encodes s.
func rawName(s *Subject, raw []byte) ([]byte, error) {
	if raw != nil {
		if _, err := ParseSubject(raw); err != nil {
			return nil, err
		}
		return raw, nil
	}
	if s == nil {
		return nil, errors.New("pki: subject is required")
	}
	return s.MarshalDN()
}

// subjectKey returns the SPKI to write and the key it holds: raw when
// given (pub, if not nil, must be the same key), or pub encoded.
func subjectKey(raw []byte, pub crypto.PublicKey) ([]byte, crypto.PublicKey, error) {
	if raw == nil {
		if pub == nil {
			return nil, nil, errors.New("pki: public key is required")
		}
		der, err := MarshalPKIXPublicKey(pub)
		return der, pub, err
	}
	parsed, err := ParsePKIXPublicKey(raw)
	if err != nil {
		return nil, nil, err
	}
	if pub != nil && !publicKeysEqual(parsed, pub) {
		return nil, nil, errors.New("pki: RawSubjectPublicKeyInfo holds another key than pub")
	}
	return raw, parsed, nil
}

// keyID is the SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 (1)).
func keyID(spki []byte) []byte {
	s := cryptobyte.String(spki)
	var seq cryptobyte.String
	var bits []byte
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.SkipASN1(cbasn1.SEQUENCE) ||
		!seq.ReadASN1BitStringAsBytes(&bits) {
		return nil
	}
	h := sha1.Sum(bits)
	return h[:]
}
