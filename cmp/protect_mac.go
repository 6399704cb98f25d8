package cmp

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"hash"
	"io"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/gost/streebog"
	"rekey/pki"
)

// MACAlgorithm chooses the MAC-based protection that ProtectMAC writes.
type MACAlgorithm int

const (
	// PBMAC1WithSHA256 is PBMAC1 with PBKDF2-HMAC-SHA-256 and HMAC-SHA-256
	// (RFC 9481 §6.1.3), the default.
	PBMAC1WithSHA256 MACAlgorithm = iota
	// PBMAC1WithSHA512 is PBMAC1 with PBKDF2-HMAC-SHA-512 and HMAC-SHA-512.
	PBMAC1WithSHA512
	// PBMAC1WithStreebog512 is PBMAC1 with PBKDF2-HMAC-Streebog-512 (RFC
	// 9337 §4.4) and HMAC-Streebog-512 (RFC 7836 §4.1), the GOST choice.
	PBMAC1WithStreebog512
	// PBMWithSHA256 is PasswordBasedMac (RFC 9481 §6.1.1) with SHA-256 as
	// one-way function and HMAC-SHA-256, what OpenSSL's CMP writes.
	PBMWithSHA256
	// PBMWithStreebog512 is PasswordBasedMac with Streebog-512 and
	// HMAC-Streebog-512.
	PBMWithStreebog512
)

// Bounds on what a received MAC protection may ask for, so that a hostile
// message cannot make the verifier iterate or derive without end.
const (
	MinPBMIterations    = 100 // RFC 4211 §4.4
	MinPBMAC1Iterations = 1000
	MaxMACIterations    = 100_000
	minSaltSize         = 8
	maxSaltSize         = 1024
	maxKeyLength        = 128
)

// MACOptions are the parameters of ProtectMAC; the zero value is usable.
type MACOptions struct {
	Algorithm  MACAlgorithm
	Iterations int       // 0 means 10,000
	Rand       io.Reader // for the salt; nil means crypto/rand
}

// Algorithm identifiers of the one-way functions and MACs.
var (
	oidSHA1            = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256          = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384          = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512          = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidHMACSHA1        = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 8, 1, 2}
	oidHMACWithSHA1    = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACWithSHA256  = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACWithSHA384  = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACWithSHA512  = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidHMACStreebog256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 4, 1}
	oidHMACStreebog512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 4, 2}
	oidPBKDF2          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
)

type hashByOID struct {
	oid asn1.ObjectIdentifier
	new func() hash.Hash
}

// SHA-1 is accepted on verification only (OpenSSL's CMP defaults to
// HMAC-SHA1 as PBM MAC); ProtectMAC never writes it.
var oneWayFunctions = []hashByOID{
	{oidSHA1, sha1.New}, {oidSHA256, sha256.New}, {oidSHA384, sha512.New384},
	{oidSHA512, sha512.New},
	{pki.OIDDigestStreebog256, streebog.New256}, {pki.OIDDigestStreebog512, streebog.New512},
}

var hmacs = []hashByOID{
	{oidHMACSHA1, sha1.New}, {oidHMACWithSHA1, sha1.New},
	{oidHMACWithSHA256, sha256.New}, {oidHMACWithSHA384, sha512.New384},
	{oidHMACWithSHA512, sha512.New},
	{oidHMACStreebog256, streebog.New256}, {oidHMACStreebog512, streebog.New512},
}

func lookupHash(list []hashByOID, ai *AlgorithmIdentifier) func() hash.Hash {
	if p := ai.Parameters; p != nil && !(len(p) == 2 && p[0] == 0x05 && p[1] == 0) {
		return nil
	}
	for _, h := range list {
		if h.oid.Equal(ai.Algorithm) {
			return h.new
		}
	}
	return nil
}

// ProtectMAC protects m with a MAC keyed by the shared secret (RFC 9810
// §5.1.3.1, RFC 9481 §6.1): it sets Header.ProtectionAlg with a fresh
// salt, encodes header and body into their Raw fields and sets Protection.
func (m *Message) ProtectMAC(secret []byte, opts *MACOptions) error {
	if opts == nil {
		opts = &MACOptions{}
	}
	iter := opts.Iterations
	if iter == 0 {
		iter = 10_000
	}
	minIter := MinPBMAC1Iterations
	if opts.Algorithm == PBMWithSHA256 || opts.Algorithm == PBMWithStreebog512 {
		minIter = MinPBMIterations
	}
	if iter < minIter || iter > MaxMACIterations {
		return errorf(FailBadAlg, "cmp: MAC iteration count %d out of range", iter)
	}
	r := opts.Rand
	if r == nil {
		r = rand.Reader
	}
	salt := make([]byte, 16)
	if _, err := io.ReadFull(r, salt); err != nil {
		return wrapError(FailSystemFailure, err, "cmp: reading the MAC salt")
	}
	ai, err := newMACAlgorithm(opts.Algorithm, salt, iter)
	if err != nil {
		return err
	}
	m.Header.ProtectionAlg = ai
	pp, err := m.seal()
	if err != nil {
		return err
	}
	m.Protection, err = computeMAC(ai, secret, pp)
	return err
}

func newMACAlgorithm(alg MACAlgorithm, salt []byte, iter int) (*AlgorithmIdentifier, error) {
	var b builder
	var oid asn1.ObjectIdentifier
	switch alg {
	case PBMWithSHA256, PBMWithStreebog512:
		owf, mac := oidSHA256, oidHMACWithSHA256
		if alg == PBMWithStreebog512 {
			owf, mac = pki.OIDDigestStreebog512, oidHMACStreebog512
		}
		oid = OIDPasswordBasedMAC
		b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
			b.AddASN1OctetString(salt)
			addAlgorithm(b, cbasn1.SEQUENCE, &AlgorithmIdentifier{Algorithm: owf})
			b.AddASN1Int64(int64(iter))
			addAlgorithm(b, cbasn1.SEQUENCE, &AlgorithmIdentifier{Algorithm: mac})
		})
	case PBMAC1WithSHA256, PBMAC1WithSHA512, PBMAC1WithStreebog512:
		mac, keyLen := oidHMACWithSHA256, 32
		switch alg {
		case PBMAC1WithSHA512:
			mac, keyLen = oidHMACWithSHA512, 64
		case PBMAC1WithStreebog512:
			mac, keyLen = oidHMACStreebog512, 64
		}
		oid = OIDPBMAC1
		b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
				b.AddASN1ObjectIdentifier(oidPBKDF2)
				b.AddASN1(cbasn1.SEQUENCE, func(b *builder) {
					b.AddASN1OctetString(salt)
					b.AddASN1Int64(int64(iter))
					b.AddASN1Int64(int64(keyLen))
					addAlgorithm(b, cbasn1.SEQUENCE,
						&AlgorithmIdentifier{Algorithm: mac, Parameters: []byte{0x05, 0x00}})
				})
			})
			addAlgorithm(b, cbasn1.SEQUENCE,
				&AlgorithmIdentifier{Algorithm: mac, Parameters: []byte{0x05, 0x00}})
		})
	default:
		return nil, errorf(FailBadAlg, "cmp: unknown MAC algorithm %d", alg)
	}
	params, err := builderBytes(&b)
	if err != nil {
		return nil, err
	}
	return &AlgorithmIdentifier{Algorithm: oid, Parameters: params}, nil
}

// VerifyMAC checks the MAC protection of m with the shared secret,
// comparing in constant time. Iteration counts, salt and key lengths
// outside the bounds above are refused before any work is done.
func (m *Message) VerifyMAC(secret []byte) error {
	ai, err := m.protectionAlgorithm()
	if err != nil {
		return err
	}
	if !m.IsMACProtected() {
		return newError(FailWrongIntegrity, "cmp: message is signed, not MAC-protected")
	}
	pp, err := m.ProtectedPart()
	if err != nil {
		return err
	}
	mac, err := computeMAC(ai, secret, pp)
	if err != nil {
		return err
	}
	if !hmac.Equal(mac, m.Protection) {
		return newError(FailBadMessageCheck, "cmp: protection MAC does not verify")
	}
	return nil
}

func computeMAC(ai *AlgorithmIdentifier, secret, data []byte) ([]byte, error) {
	key, macHash, err := deriveMACKey(ai, secret)
	if err != nil {
		return nil, err
	}
	h := hmac.New(macHash, key)
	h.Write(data)
	return h.Sum(nil), nil
}

// deriveMACKey reads the parameters of PBM or PBMAC1 and derives the key.
func deriveMACKey(ai *AlgorithmIdentifier, secret []byte) ([]byte, func() hash.Hash, error) {
	if ai.Algorithm.Equal(OIDPasswordBasedMAC) {
		return derivePBMKey(ai.Parameters, secret)
	}
	return derivePBMAC1Key(ai.Parameters, secret)
}

// derivePBMKey implements PasswordBasedMac (RFC 4211 §4.4): the one-way
// function applied iterationCount times to secret||salt.
func derivePBMKey(params, secret []byte) ([]byte, func() hash.Hash, error) {
	s := cryptobyte.String(params)
	var in, salt cryptobyte.String
	var owfAI, macAI AlgorithmIdentifier
	var iter int64
	if !s.ReadASN1(&in, cbasn1.SEQUENCE) || !s.Empty() ||
		!in.ReadASN1(&salt, cbasn1.OCTET_STRING) ||
		!readAlgorithm(&in, cbasn1.SEQUENCE, &owfAI) ||
		!in.ReadASN1Int64WithTag(&iter, cbasn1.INTEGER) ||
		!readAlgorithm(&in, cbasn1.SEQUENCE, &macAI) || !in.Empty() {
		return nil, nil, malformed("PBMParameter")
	}
	if iter < MinPBMIterations || iter > MaxMACIterations {
		return nil, nil, errorf(FailBadAlg, "cmp: PBM iteration count %d out of range", iter)
	}
	if len(salt) < minSaltSize || len(salt) > maxSaltSize {
		return nil, nil, errorf(FailBadAlg, "cmp: PBM salt of %d bytes out of range", len(salt))
	}
	owf := lookupHash(oneWayFunctions, &owfAI)
	if owf == nil {
		return nil, nil, errorf(FailBadAlg, "cmp: unsupported PBM one-way function %s",
			owfAI.Algorithm)
	}
	mac := lookupHash(hmacs, &macAI)
	if mac == nil {
		return nil, nil, errorf(FailBadAlg, "cmp: unsupported PBM MAC %s", macAI.Algorithm)
	}
	h := owf()
	h.Write(secret)
	h.Write(salt)
	key := h.Sum(nil)
	for i := int64(1); i < iter; i++ {
		h.Reset()
		h.Write(key)
		key = h.Sum(key[:0])
	}
	return key, mac, nil
}

// derivePBMAC1Key implements PBMAC1 with PBKDF2 (RFC 8018 §7.1, §5.2;
// RFC 9481 §6.1.3).
func derivePBMAC1Key(params, secret []byte) ([]byte, func() hash.Hash, error) {
	s := cryptobyte.String(params)
	var in cryptobyte.String
	var kdfAI, macAI AlgorithmIdentifier
	if !s.ReadASN1(&in, cbasn1.SEQUENCE) || !s.Empty() ||
		!readAlgorithm(&in, cbasn1.SEQUENCE, &kdfAI) ||
		!readAlgorithm(&in, cbasn1.SEQUENCE, &macAI) || !in.Empty() {
		return nil, nil, malformed("PBMAC1-params")
	}
	if !kdfAI.Algorithm.Equal(oidPBKDF2) {
		return nil, nil, errorf(FailBadAlg, "cmp: unsupported PBMAC1 key derivation %s",
			kdfAI.Algorithm)
	}
	mac := lookupHash(hmacs, &macAI)
	if mac == nil {
		return nil, nil, errorf(FailBadAlg, "cmp: unsupported PBMAC1 MAC %s", macAI.Algorithm)
	}
	p := cryptobyte.String(kdfAI.Parameters)
	var kp, salt cryptobyte.String
	var iter int64
	keyLen := int64(-1)
	if !p.ReadASN1(&kp, cbasn1.SEQUENCE) || !p.Empty() ||
		!kp.ReadASN1(&salt, cbasn1.OCTET_STRING) ||
		!kp.ReadASN1Int64WithTag(&iter, cbasn1.INTEGER) {
		return nil, nil, malformed("PBKDF2-params")
	}
	if kp.PeekASN1Tag(cbasn1.INTEGER) && !kp.ReadASN1Int64WithTag(&keyLen, cbasn1.INTEGER) {
		return nil, nil, malformed("PBKDF2-params keyLength")
	}
	prf := sha1.New
	if !kp.Empty() {
		var prfAI AlgorithmIdentifier
		if !readAlgorithm(&kp, cbasn1.SEQUENCE, &prfAI) || !kp.Empty() {
			return nil, nil, malformed("PBKDF2-params prf")
		}
		if prf = lookupHash(hmacs, &prfAI); prf == nil {
			return nil, nil, errorf(FailBadAlg, "cmp: unsupported PBKDF2 PRF %s", prfAI.Algorithm)
		}
	}
	if iter < MinPBMAC1Iterations || iter > MaxMACIterations {
		return nil, nil, errorf(FailBadAlg, "cmp: PBKDF2 iteration count %d out of range", iter)
	}
	if len(salt) < minSaltSize || len(salt) > maxSaltSize {
		return nil, nil, errorf(FailBadAlg, "cmp: PBKDF2 salt of %d bytes out of range",
			len(salt))
	}
	if keyLen == -1 {
		keyLen = int64(mac().Size())
	}
	if keyLen < 16 || keyLen > maxKeyLength {
		return nil, nil, errorf(FailBadAlg, "cmp: PBKDF2 key length %d out of range", keyLen)
	}
	key, err := pbkdf2.Key(prf, string(secret), salt, int(iter), int(keyLen))
	if err != nil {
		return nil, nil, wrapError(FailBadAlg, err, "cmp: PBKDF2")
	}
	return key, mac, nil
}
