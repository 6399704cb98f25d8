package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"io"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/gost/gost3410"
	"rekey/gost/streebog"
)

// Algorithm identifiers (RFC 9215 §3 and §4 for GOST R 34.10-2012 and
// GOST R 34.11-2012, RFC 4491 §2 for the legacy GOST R 34.10-94/2001 ones,
// RFC 5758 §3.2 and RFC 5480 §2.1.1 for ECDSA).
var (
	OIDPublicKeyGOST256  = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}
	OIDPublicKeyGOST512  = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}
	OIDDigestStreebog256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
	OIDDigestStreebog512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}
	OIDSignatureGOST256  = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2}
	OIDSignatureGOST512  = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 3}

	OIDPublicKeyGOST2001       = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19}
	OIDPublicKeyGOST94         = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 20}
	OIDSignatureGOST2001GOST94 = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 3}
	OIDSignatureGOST94GOST94   = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 4}

	OIDPublicKeyECDSA       = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	OIDCurveP256            = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	OIDSignatureECDSASHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	OIDSignatureECDSASHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	OIDSignatureECDSASHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}

	oidPublicKeyRSA       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidSignatureRSASHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSignatureRSASHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSignatureRSASHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidPublicKeyEd25519   = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidSignatureEd25519   = oidPublicKeyEd25519
)

// SignatureAlgorithm names a signature algorithm of a certificate, request
// or CRL. Objects are created with the first three; the others are only
// recognized (RSA and Ed25519 are verified, the legacy GOST ones are not).
type SignatureAlgorithm int

const (
	UnknownSignatureAlgorithm SignatureAlgorithm = iota
	GOST256WithStreebog256                       // id-tc26-signwithdigest-gost3410-12-256
	GOST512WithStreebog512                       // id-tc26-signwithdigest-gost3410-12-512
	ECDSAWithSHA256
	ECDSAWithSHA384
	ECDSAWithSHA512
	SHA256WithRSA
	SHA384WithRSA
	SHA512WithRSA
	PureEd25519
	GOST2001WithGOST94 // RFC 4491, legacy: recognized, never verified
	GOST94WithGOST94   // RFC 4491, legacy: recognized, never verified
)

type sigAlgInfo struct {
	alg  SignatureAlgorithm
	oid  asn1.ObjectIdentifier
	name string
	pk   PublicKeyAlgorithm
	hash func() hash.Hash // nil for Ed25519 and the legacy algorithms
	std  crypto.Hash      // for the crypto/ecdsa and crypto/rsa calls
}

var sigAlgs = []sigAlgInfo{
	{GOST256WithStreebog256, OIDSignatureGOST256,
		"GOST R 34.10-2012 256-bit with Streebog-256", GOST256, streebog.New256, 0},
	{GOST512WithStreebog512, OIDSignatureGOST512,
		"GOST R 34.10-2012 512-bit with Streebog-512", GOST512, streebog.New512, 0},
	{ECDSAWithSHA256, OIDSignatureECDSASHA256, "ECDSA with SHA-256", ECDSA,
		sha256.New, crypto.SHA256},
	{ECDSAWithSHA384, OIDSignatureECDSASHA384, "ECDSA with SHA-384", ECDSA,
		sha512.New384, crypto.SHA384},
	{ECDSAWithSHA512, OIDSignatureECDSASHA512, "ECDSA with SHA-512", ECDSA,
		sha512.New, crypto.SHA512},
	{SHA256WithRSA, oidSignatureRSASHA256, "RSA with SHA-256", RSA, sha256.New, crypto.SHA256},
	{SHA384WithRSA, oidSignatureRSASHA384, "RSA with SHA-384", RSA, sha512.New384, crypto.SHA384},
	{SHA512WithRSA, oidSignatureRSASHA512, "RSA with SHA-512", RSA, sha512.New, crypto.SHA512},
	{PureEd25519, oidSignatureEd25519, "Ed25519", Ed25519, nil, 0},
	{GOST2001WithGOST94, OIDSignatureGOST2001GOST94,
		"GOST R 34.10-2001 with GOST R 34.11-94", GOST2001, nil, 0},
	{GOST94WithGOST94, OIDSignatureGOST94GOST94,
		"GOST R 34.10-94 with GOST R 34.11-94", GOST94, nil, 0},
}

func (a SignatureAlgorithm) info() *sigAlgInfo {
	for i := range sigAlgs {
		if sigAlgs[i].alg == a {
			return &sigAlgs[i]
		}
	}
	return nil
}

// String returns a name for people, such as "ECDSA with SHA-256".
func (a SignatureAlgorithm) String() string {
	if in := a.info(); in != nil {
		return in.name
	}
	return "unknown signature algorithm"
}

// OID returns the algorithm's object identifier, nil for an unknown one.
func (a SignatureAlgorithm) OID() asn1.ObjectIdentifier {
	if in := a.info(); in != nil {
		return append(asn1.ObjectIdentifier(nil), in.oid...)
	}
	return nil
}

// PublicKeyAlgorithm returns the key algorithm that makes this signature.
func (a SignatureAlgorithm) PublicKeyAlgorithm() PublicKeyAlgorithm {
	if in := a.info(); in != nil {
		return in.pk
	}
	return UnknownPublicKeyAlgorithm
}

// NewHash returns a new hash of the data to be signed (Streebog for GOST),
// or nil for algorithms that sign the message itself or are unsupported.
func (a SignatureAlgorithm) NewHash() hash.Hash {
	if in := a.info(); in != nil && in.hash != nil {
		return in.hash()
	}
	return nil
}

func signatureAlgorithmByOID(oid asn1.ObjectIdentifier) SignatureAlgorithm {
	for i := range sigAlgs {
		if sigAlgs[i].oid.Equal(oid) {
			return sigAlgs[i].alg
		}
	}
	return UnknownSignatureAlgorithm
}

// PublicKeyAlgorithm names the algorithm of a subject public key.
type PublicKeyAlgorithm int

const (
	UnknownPublicKeyAlgorithm PublicKeyAlgorithm = iota
	GOST256                                      // GOST R 34.10-2012 256-bit
	GOST512                                      // GOST R 34.10-2012 512-bit
	ECDSA
	RSA
	Ed25519
	GOST2001 // GOST R 34.10-2001 (RFC 4491), legacy
	GOST94   // GOST R 34.10-94 (RFC 4491), legacy
)

var publicKeyAlgorithmNames = [...]string{
	UnknownPublicKeyAlgorithm: "unknown public key algorithm",
	GOST256:                   "GOST R 34.10-2012 256-bit",
	GOST512:                   "GOST R 34.10-2012 512-bit",
	ECDSA:                     "ECDSA",
	RSA:                       "RSA",
	Ed25519:                   "Ed25519",
	GOST2001:                  "GOST R 34.10-2001",
	GOST94:                    "GOST R 34.10-94",
}

// String returns a name for people, such as "GOST R 34.10-2012 256-bit".
func (a PublicKeyAlgorithm) String() string {
	if a < 0 || int(a) >= len(publicKeyAlgorithmNames) {
		return publicKeyAlgorithmNames[UnknownPublicKeyAlgorithm]
	}
	return publicKeyAlgorithmNames[a]
}

// ErrUnsupportedAlgorithm is returned (wrapped) for a key or signature
// algorithm that rekey recognizes or meets but cannot use, such as the
// legacy GOST R 34.10-94.
var ErrUnsupportedAlgorithm = errors.New("pki: unsupported algorithm")

// readAlgorithmIdentifier reads an AlgorithmIdentifier (RFC 5280 §4.1.1.2).
// params is the full encoding of the parameters, empty when absent.
func readAlgorithmIdentifier(
	s *cryptobyte.String,
	oid *asn1.ObjectIdentifier,
	params *[]byte,
) bool {
	var ai cryptobyte.String
	if !s.ReadASN1(&ai, cbasn1.SEQUENCE) || !ai.ReadASN1ObjectIdentifier(oid) {
		return false
	}
	*params = nil
	if !ai.Empty() {
		var p cryptobyte.String
		var tag cbasn1.Tag
		if !ai.ReadAnyASN1Element(&p, &tag) || !ai.Empty() {
			return false
		}
		*params = p
	}
	return true
}

// isAbsentOrNULL reports whether algorithm parameters are absent or NULL.
func isAbsentOrNULL(params []byte) bool {
	return len(params) == 0 || (len(params) == 2 && params[0] == 0x05 && params[1] == 0)
}

// parseSignatureAlgorithm maps an AlgorithmIdentifier of a signature to its
// algorithm. GOST, ECDSA and Ed25519 take no parameters (RFC 9215 §3.1,
// RFC 5758 §3.2, RFC 8410 §3); a NULL is tolerated, as it is seen in the
// field. RSA PKCS#1 v1.5 takes NULL (RFC 4055 §5).
func parseSignatureAlgorithm(oid asn1.ObjectIdentifier, params []byte) (SignatureAlgorithm, error) {
	alg := signatureAlgorithmByOID(oid)
	if alg == UnknownSignatureAlgorithm {
		return alg, nil
	}
	if !isAbsentOrNULL(params) && alg != GOST2001WithGOST94 && alg != GOST94WithGOST94 {
		return alg, fmt.Errorf("pki: signature algorithm %s has unexpected parameters", oid)
	}
	return alg, nil
}

// addSignatureAlgorithm writes the AlgorithmIdentifier of alg, with absent
// parameters for GOST (RFC 9215 §3.1) and ECDSA (RFC 5758 §3.2).
func addSignatureAlgorithm(b *cryptobyte.Builder, alg SignatureAlgorithm) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(alg.OID())
	})
}

// signatureAlgorithmFor picks the signature algorithm of a signing key:
// GOST by key size (RFC 9215 §3.1), ECDSA by curve (RFC 5758 §3.2).
func signatureAlgorithmFor(pub crypto.PublicKey) (SignatureAlgorithm, error) {
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		if gostCurve(k).Size() == 64 {
			return GOST512WithStreebog512, nil
		}
		return GOST256WithStreebog256, nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return ECDSAWithSHA256, nil
		case elliptic.P384():
			return ECDSAWithSHA384, nil
		case elliptic.P521():
			return ECDSAWithSHA512, nil
		}
	}
	return UnknownSignatureAlgorithm,
		fmt.Errorf("%w: cannot sign with a %T key", ErrUnsupportedAlgorithm, pub)
}

// signTBS signs the DER of a to-be-signed structure with signer: the
// digest of the algorithm's hash for GOST and ECDSA.
func signTBS(
	signer crypto.Signer,
	alg SignatureAlgorithm,
	rand io.Reader,
	tbs []byte,
) ([]byte, error) {
	in := alg.info()
	h := in.hash()
	h.Write(tbs)
	digest := h.Sum(nil)
	var opts crypto.SignerOpts = in.std
	if in.pk == GOST256 || in.pk == GOST512 {
		opts = StreebogSignerOpts{Size: len(digest)}
	}
	sig, err := signer.Sign(rand, digest, opts)
	if err != nil {
		return nil, fmt.Errorf("pki: signing: %w", err)
	}
	return sig, nil
}

// CheckSignature verifies sig over signed with pub under alg. GOST
// signatures are checked by rekey's GOST R 34.10-2012 code, ECDSA, RSA and
// Ed25519 by the standard library. A legacy or unknown algorithm gives an
// error wrapping ErrUnsupportedAlgorithm.
func CheckSignature(alg SignatureAlgorithm, pub crypto.PublicKey, signed, sig []byte) error {
	in := alg.info()
	if in == nil || (in.hash == nil && alg != PureEd25519) {
		return fmt.Errorf("%w: signature algorithm %s", ErrUnsupportedAlgorithm, alg)
	}
	if pub == nil {
		return fmt.Errorf("%w: the signer's public key algorithm", ErrUnsupportedAlgorithm)
	}
	var digest []byte
	if in.hash != nil {
		h := in.hash()
		h.Write(signed)
		digest = h.Sum(nil)
	}
	ok := false
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		if in.pk != gostKeyAlgorithm(k) {
			return errKeyMismatch(alg, pub)
		}
		ok = gost3410.Verify(k, digest, sig)
	case *ecdsa.PublicKey:
		if in.pk != ECDSA {
			return errKeyMismatch(alg, pub)
		}
		ok = ecdsa.VerifyASN1(k, digest, sig)
	case *rsa.PublicKey:
		if in.pk != RSA {
			return errKeyMismatch(alg, pub)
		}
		ok = rsa.VerifyPKCS1v15(k, in.std, digest, sig) == nil
	case ed25519.PublicKey:
		if in.pk != Ed25519 {
			return errKeyMismatch(alg, pub)
		}
		ok = ed25519.Verify(k, signed, sig)
	default:
		return fmt.Errorf("%w: %T public key", ErrUnsupportedAlgorithm, pub)
	}
	if !ok {
		return ErrSignature
	}
	return nil
}

// ErrSignature reports a signature that does not verify.
var ErrSignature = errors.New("pki: signature does not verify")

func errKeyMismatch(alg SignatureAlgorithm, pub crypto.PublicKey) error {
	return fmt.Errorf("pki: signature algorithm %s does not match the signer's %s key",
		alg, publicKeyAlgorithmOf(pub))
}

// publicKeyAlgorithmOf names the algorithm of a parsed public key.
func publicKeyAlgorithmOf(pub crypto.PublicKey) PublicKeyAlgorithm {
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		return gostKeyAlgorithm(k)
	case *ecdsa.PublicKey:
		return ECDSA
	case *rsa.PublicKey:
		return RSA
	case ed25519.PublicKey:
		return Ed25519
	}
	return UnknownPublicKeyAlgorithm
}
