package pki

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"io"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/gost/acpkm"
	"rekey/gost/kuznyechik"
	"rekey/gost/magma"
	"rekey/gost/streebog"
)

// PBES2 (RFC 8018 §6.2) with PBKDF2 (§5.2): the password-based encryption
// of keys at rest, shared by PKCS#8 and PKCS#12.
//
// GOST: PBKDF2 with HMAC_GOSTR3411_2012_512 and the encryption scheme
// id-gostr3412-2015-kuznyechik-ctracpkm of RFC 9337 §7.3, whose parameters
// are Gost3412-15-Encryption-Parameters ::= SEQUENCE { ukm OCTET STRING }:
// the first n/2 bytes of the ukm are the CTR-ACPKM IV and the key is the
// PBKDF2 output itself (RFC 9337 §5.1). This is the form OpenSSL 3 with
// gost-engine writes and reads (openssl pkcs8 -topk8 -v2
// kuznyechik-ctr-acpkm -v2prf 1.2.643.7.1.1.4.2).
//
// ECDSA: PBKDF2 with HMAC-SHA-256 and AES-256-CBC with PKCS#7 padding
// (RFC 8018 Appendix B.2.5, RFC 3565 §4.1), OpenSSL's default.
//
// Read only: AES-128/192-CBC, Magma-CTR-ACPKM (the ukm is 12 bytes, the IV
// its first 4), GOST 28147-89 CFB (pbes2_gost89.go), and the PRFs HMAC with
// SHA-1, SHA-384, SHA-512 and Streebog-256. The CTR-ACPKM-OMAC schemes of
// RFC 9337 are refused: gost-engine 3.0 writes them with a random KDF seed
// that it does not record (the ukm's second half stays zero), so neither
// OpenSSL nor anyone else can decrypt its output, and it cannot read an
// -omac file back ("unsupported cipher ctl command").

// Object identifiers of PBES2 and its parts.
var (
	oidPBES2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}

	oidHMACWithSHA1        = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACWithSHA256      = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACWithSHA384      = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACWithSHA512      = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidHMACWithStreebog256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 4, 1}
	oidHMACWithStreebog512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 4, 2}

	oidAES128CBC = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}

	oidKuznyechikCTRACPKM     = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 5, 2, 1}
	oidKuznyechikCTRACPKMOMAC = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 5, 2, 2}
	oidMagmaCTRACPKM          = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 5, 1, 1}
	oidMagmaCTRACPKMOMAC      = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 5, 1, 2}
)

// PBES2Scheme selects the key derivation and encryption of PBES2.
type PBES2Scheme int

const (
	// PBES2Default is the scheme of the key's profile: PBES2Kuznyechik for
	// GOST keys, PBES2AES256CBC for all others.
	PBES2Default PBES2Scheme = iota
	// PBES2Kuznyechik is PBKDF2 with HMAC-Streebog-512 and Kuznyechik in
	// CTR-ACPKM mode (RFC 9337, id-gostr3412-2015-kuznyechik-ctracpkm).
	// Known issue: like every CTR mode without a MAC it does not
	// authenticate the ciphertext; see MarshalEncryptedPKCS8PrivateKey.
	PBES2Kuznyechik
	// PBES2AES256CBC is PBKDF2 with HMAC-SHA-256 and AES-256-CBC.
	PBES2AES256CBC
)

// Default PBKDF2 iteration counts. Each takes about 0.1–0.2 s per key
// derivation on one core of a current x86-64 machine (measured on the
// development machine: 0.15 s for Streebog-512, 0.10 s for SHA-256).
// Streebog-512 costs about thirty times more per iteration than SHA-256,
// which the lower GOST count reflects; both are far above the 2048 that
// OpenSSL writes. The SHA-256 count is OWASP's 2023 recommendation for
// PBKDF2-HMAC-SHA-256. A PKCS#12 file costs about four derivations.
const (
	DefaultIterationsGOST = 30_000
	DefaultIterationsAES  = 600_000
)

// maxIterations bounds the iteration count accepted when decrypting, so
// that a hostile file cannot make the parser run for hours. The fuzz tests
// lower it.
var maxIterations = 10_000_000

// pbes2SaltSize is the size of the PBKDF2 salts we generate (RFC 8018 §4.1
// asks for at least 8 bytes).
const pbes2SaltSize = 16

// KeyEncryptionOptions say how private keys are encrypted at rest by
// MarshalEncryptedPKCS8PrivateKey, MarshalPrivateKeyPEM and MarshalPKCS12.
// A nil *KeyEncryptionOptions means all defaults.
type KeyEncryptionOptions struct {
	// Scheme is the PBES2 scheme; the zero value picks the key's profile
	// default (see PBES2Default).
	Scheme PBES2Scheme
	// Iterations is the PBKDF2 iteration count; zero means
	// DefaultIterationsGOST or DefaultIterationsAES for the scheme.
	Iterations int
	// Rand is the source of salts and IVs; nil means crypto/rand.Reader.
	Rand io.Reader
}

func (o *KeyEncryptionOptions) rand() io.Reader {
	if o == nil || o.Rand == nil {
		return rand.Reader
	}
	return o.Rand
}

// scheme resolves PBES2Default for a key that is (or is not) a GOST key.
func (o *KeyEncryptionOptions) scheme(gost bool) (PBES2Scheme, error) {
	s := PBES2Default
	if o != nil {
		s = o.Scheme
	}
	switch s {
	case PBES2Default:
		if gost {
			return PBES2Kuznyechik, nil
		}
		return PBES2AES256CBC, nil
	case PBES2Kuznyechik, PBES2AES256CBC:
		return s, nil
	}
	return 0, fmt.Errorf("pki: unknown PBES2 scheme %d", int(s))
}

func (o *KeyEncryptionOptions) iterations(s PBES2Scheme) (int, error) {
	if o != nil && o.Iterations != 0 {
		if o.Iterations < 1 || o.Iterations > maxIterations {
			return 0, fmt.Errorf("pki: PBKDF2 iteration count %d out of range 1…%d",
				o.Iterations, maxIterations)
		}
		return o.Iterations, nil
	}
	if s == PBES2Kuznyechik {
		return DefaultIterationsGOST, nil
	}
	return DefaultIterationsAES, nil
}

// pbes2Cipher describes an encryption scheme of PBES2.
type pbes2Cipher struct {
	oid     asn1.ObjectIdentifier
	name    string
	keySize int
	// ivSize is the size of the AES or GOST 28147-89 IV or of the RFC 9337
	// ukm.
	ivSize int
	mode   pbes2Mode
}

// pbes2Mode tells how a cipher's parameters are encoded and how it runs.
type pbes2Mode int

const (
	// modeCBC: AES-CBC with PKCS#7 padding; the parameters are the IV as a
	// bare OCTET STRING.
	modeCBC pbes2Mode = iota
	// modeCTRACPKM: RFC 9337 CTR-ACPKM; the parameters are
	// SEQUENCE { ukm OCTET STRING }.
	modeCTRACPKM
	// modeGOST89CFB: GOST 28147-89 in CFB mode with CryptoPro key meshing
	// (RFC 4357); the parameters are Gost28147-89-Parameters, SEQUENCE { iv
	// OCTET STRING, encryptionParamSet OID }. Read only.
	modeGOST89CFB
)

var pbes2Ciphers = []pbes2Cipher{
	{oidAES128CBC, "AES-128-CBC", 16, aes.BlockSize, modeCBC},
	{oidAES192CBC, "AES-192-CBC", 24, aes.BlockSize, modeCBC},
	{oidAES256CBC, "AES-256-CBC", 32, aes.BlockSize, modeCBC},
	{oidKuznyechikCTRACPKM, "Kuznyechik-CTR-ACPKM", acpkm.KeySize, kuznyechik.BlockSize,
		modeCTRACPKM},
	{oidMagmaCTRACPKM, "Magma-CTR-ACPKM", acpkm.KeySize, magma.BlockSize + magma.BlockSize/2,
		modeCTRACPKM},
	{oidGOST89, "GOST 28147-89-CFB", gost89KeySize, gost89BlockSize, modeGOST89CFB},
}

func pbes2CipherByOID(oid asn1.ObjectIdentifier) *pbes2Cipher {
	for i := range pbes2Ciphers {
		if pbes2Ciphers[i].oid.Equal(oid) {
			return &pbes2Ciphers[i]
		}
	}
	return nil
}

// pbkdf2PRF is a pseudorandom function of PBKDF2.
type pbkdf2PRF struct {
	oid     asn1.ObjectIdentifier
	newHash func() hash.Hash
}

var pbkdf2PRFs = []pbkdf2PRF{
	{oidHMACWithSHA1, sha1.New},
	{oidHMACWithSHA256, sha256.New},
	{oidHMACWithSHA384, sha512.New384},
	{oidHMACWithSHA512, sha512.New},
	{oidHMACWithStreebog256, streebog.New256},
	{oidHMACWithStreebog512, streebog.New512},
}

func pbkdf2PRFByOID(oid asn1.ObjectIdentifier) *pbkdf2PRF {
	for i := range pbkdf2PRFs {
		if pbkdf2PRFs[i].oid.Equal(oid) {
			return &pbkdf2PRFs[i]
		}
	}
	return nil
}

// pbes2Params are the decoded PBES2-params of RFC 8018 Appendix A.4.
type pbes2Params struct {
	salt   []byte
	iter   int
	keyLen int // 0 when the optional keyLength is absent
	prf    *pbkdf2PRF
	cipher *pbes2Cipher
	iv     []byte // the AES IV or the GOST ukm
}

// newPBES2Params draws a fresh salt and IV for scheme s.
func newPBES2Params(s PBES2Scheme, iter int, random io.Reader) (*pbes2Params, error) {
	p := &pbes2Params{iter: iter}
	switch s {
	case PBES2Kuznyechik:
		p.prf = pbkdf2PRFByOID(oidHMACWithStreebog512)
		p.cipher = pbes2CipherByOID(oidKuznyechikCTRACPKM)
	case PBES2AES256CBC:
		p.prf = pbkdf2PRFByOID(oidHMACWithSHA256)
		p.cipher = pbes2CipherByOID(oidAES256CBC)
	default:
		panic("pki: internal error: unresolved PBES2 scheme")
	}
	buf := make([]byte, pbes2SaltSize+p.cipher.ivSize)
	if _, err := io.ReadFull(random, buf); err != nil {
		return nil, fmt.Errorf("pki: reading random salt: %w", err)
	}
	p.salt, p.iv = buf[:pbes2SaltSize], buf[pbes2SaltSize:]
	return p, nil
}

// addAlgorithm writes the AlgorithmIdentifier {id-PBES2, PBES2-params}.
// The PRF is written with NULL parameters, as OpenSSL does; the optional
// keyLength is left out.
func (p *pbes2Params) addAlgorithm(b *cryptobyte.Builder) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidPBES2)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidPBKDF2)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(p.salt)
					b.AddASN1Int64(int64(p.iter))
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(p.prf.oid)
						b.AddASN1NULL()
					})
				})
			})
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(p.cipher.oid)
				if p.cipher.mode == modeCTRACPKM {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1OctetString(p.iv)
					})
				} else {
					b.AddASN1OctetString(p.iv)
				}
			})
		})
	})
}

// errUnsupportedPBE reports an encryption algorithm other than PBES2 or a
// PBES2 part we do not implement; the OID is public and quoted.
func errUnsupportedPBE(what string, oid asn1.ObjectIdentifier) error {
	return fmt.Errorf("%w: %s %v", ErrUnsupportedAlgorithm, what, oid)
}

// parsePBES2Algorithm decodes an AlgorithmIdentifier that must be PBES2.
func parsePBES2Algorithm(alg cryptobyte.String) (*pbes2Params, error) {
	var oid asn1.ObjectIdentifier
	var params cryptobyte.String
	if !alg.ReadASN1ObjectIdentifier(&oid) || !alg.ReadASN1(&params, cbasn1.SEQUENCE) ||
		!alg.Empty() {
		if oid != nil && !oid.Equal(oidPBES2) {
			return nil, errUnsupportedPBE("password-based encryption", oid)
		}
		return nil, errors.New("pki: malformed PBES2 algorithm identifier")
	}
	if !oid.Equal(oidPBES2) {
		return nil, errUnsupportedPBE("password-based encryption", oid)
	}
	var kdf, enc cryptobyte.String
	if !params.ReadASN1(&kdf, cbasn1.SEQUENCE) || !params.ReadASN1(&enc, cbasn1.SEQUENCE) ||
		!params.Empty() {
		return nil, errors.New("pki: malformed PBES2 parameters")
	}
	p := new(pbes2Params)
	if err := p.parseKDF(kdf); err != nil {
		return nil, err
	}
	if err := p.parseScheme(enc); err != nil {
		return nil, err
	}
	if p.keyLen != 0 && p.keyLen != p.cipher.keySize {
		return nil, fmt.Errorf("pki: PBKDF2 key length %d does not fit %s", p.keyLen, p.cipher.name)
	}
	return p, nil
}

// parseKDF decodes the keyDerivationFunc: PBKDF2 with its PBKDF2-params
// (RFC 8018 Appendix A.2); the salt must be the specified OCTET STRING.
func (p *pbes2Params) parseKDF(kdf cryptobyte.String) error {
	var oid asn1.ObjectIdentifier
	var params cryptobyte.String
	if !kdf.ReadASN1ObjectIdentifier(&oid) {
		return errors.New("pki: malformed PBES2 key derivation function")
	}
	if !oid.Equal(oidPBKDF2) {
		return errUnsupportedPBE("key derivation function", oid)
	}
	if !kdf.ReadASN1(&params, cbasn1.SEQUENCE) || !kdf.Empty() {
		return errors.New("pki: malformed PBKDF2 parameters")
	}
	var iter int64
	if !params.ReadASN1Bytes(&p.salt, cbasn1.OCTET_STRING) || !params.ReadASN1Integer(&iter) {
		return errors.New("pki: malformed PBKDF2 parameters")
	}
	if len(p.salt) == 0 {
		return errors.New("pki: PBKDF2 salt is empty")
	}
	if iter < 1 || iter > int64(maxIterations) {
		return fmt.Errorf("pki: PBKDF2 iteration count %d out of range 1…%d", iter, maxIterations)
	}
	p.iter = int(iter)
	if params.PeekASN1Tag(cbasn1.INTEGER) {
		var kl int64
		if !params.ReadASN1Integer(&kl) || kl < 1 || kl > 64 {
			return errors.New("pki: malformed PBKDF2 key length")
		}
		p.keyLen = int(kl)
	}
	p.prf = pbkdf2PRFByOID(oidHMACWithSHA1) // the DEFAULT of RFC 8018
	if !params.Empty() {
		var prf cryptobyte.String
		var prfOID asn1.ObjectIdentifier
		if !params.ReadASN1(&prf, cbasn1.SEQUENCE) || !params.Empty() ||
			!prf.ReadASN1ObjectIdentifier(&prfOID) || !pbes2ParamsAbsentOrNULL(prf) {
			return errors.New("pki: malformed PBKDF2 pseudorandom function")
		}
		if p.prf = pbkdf2PRFByOID(prfOID); p.prf == nil {
			return errUnsupportedPBE("PBKDF2 pseudorandom function", prfOID)
		}
	}
	return nil
}

// parseScheme decodes the encryptionScheme: an AES-CBC IV or an RFC 9337
// ukm of the cipher's size.
func (p *pbes2Params) parseScheme(enc cryptobyte.String) error {
	var oid asn1.ObjectIdentifier
	if !enc.ReadASN1ObjectIdentifier(&oid) {
		return errors.New("pki: malformed PBES2 encryption scheme")
	}
	if p.cipher = pbes2CipherByOID(oid); p.cipher == nil {
		if oid.Equal(oidKuznyechikCTRACPKMOMAC) || oid.Equal(oidMagmaCTRACPKMOMAC) {
			// gost-engine 3.0 writes these with a KDF seed it does not
			// record, so even OpenSSL cannot decrypt them.
			return fmt.Errorf("%w: PBES2 encryption scheme %v (CTR-ACPKM-OMAC) is not supported",
				ErrUnsupportedAlgorithm, oid)
		}
		return errUnsupportedPBE("PBES2 encryption scheme", oid)
	}
	switch p.cipher.mode {
	case modeCTRACPKM:
		var seq cryptobyte.String
		if !enc.ReadASN1(&seq, cbasn1.SEQUENCE) || !enc.Empty() ||
			!seq.ReadASN1Bytes(&p.iv, cbasn1.OCTET_STRING) || !seq.Empty() {
			return fmt.Errorf("pki: malformed %s parameters", p.cipher.name)
		}
	case modeGOST89CFB:
		var seq cryptobyte.String
		var paramSet asn1.ObjectIdentifier
		if !enc.ReadASN1(&seq, cbasn1.SEQUENCE) || !enc.Empty() ||
			!seq.ReadASN1Bytes(&p.iv, cbasn1.OCTET_STRING) ||
			!seq.ReadASN1ObjectIdentifier(&paramSet) || !seq.Empty() {
			return fmt.Errorf("pki: malformed %s parameters", p.cipher.name)
		}
		if !paramSet.Equal(oidGOST89ParamSetZ) {
			return fmt.Errorf("%w: GOST 28147-89 parameter set %v "+
				"(only id-tc26-gost-28147-param-Z is)", ErrUnsupportedAlgorithm, paramSet)
		}
	default:
		if !enc.ReadASN1Bytes(&p.iv, cbasn1.OCTET_STRING) || !enc.Empty() {
			return fmt.Errorf("pki: malformed %s parameters", p.cipher.name)
		}
	}
	if len(p.iv) != p.cipher.ivSize {
		return fmt.Errorf("pki: %s parameters hold %d bytes, want %d",
			p.cipher.name, len(p.iv), p.cipher.ivSize)
	}
	return nil
}

// pbes2ParamsAbsentOrNULL reports whether s, the rest of an AlgorithmIdentifier
// after its OID, is empty or a single NULL.
func pbes2ParamsAbsentOrNULL(s cryptobyte.String) bool {
	if s.Empty() {
		return true
	}
	return s.SkipASN1(cbasn1.NULL) && s.Empty()
}

// deriveKey runs PBKDF2 for the cipher's key.
func (p *pbes2Params) deriveKey(password []byte) ([]byte, error) {
	return pbkdf2.Key(p.prf.newHash, string(password), p.salt, p.iter, p.cipher.keySize)
}

// encrypt encrypts plaintext under password with the parameters in p.
func (p *pbes2Params) encrypt(password, plaintext []byte) ([]byte, error) {
	key, err := p.deriveKey(password)
	if err != nil {
		return nil, fmt.Errorf("pki: deriving the key: %w", err)
	}
	defer clear(key)
	switch p.cipher.mode {
	case modeCTRACPKM:
		out := make([]byte, len(plaintext))
		if err := p.ctrACPKM(key, out, plaintext); err != nil {
			return nil, err
		}
		return out, nil
	case modeGOST89CFB:
		panic("pki: internal error: GOST 28147-89 is only read")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("pki: internal error: %v", err)
	}
	pad := aes.BlockSize - len(plaintext)%aes.BlockSize
	out := make([]byte, len(plaintext)+pad)
	copy(out, plaintext)
	for i := len(plaintext); i < len(out); i++ {
		out[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(block, p.iv).CryptBlocks(out, out)
	return out, nil
}

// decrypt decrypts ciphertext under password. A wrong password shows
// only as a padding error for CBC, and not at all for CTR-ACPKM, so
// callers must check the plaintext's structure; every such failure is
// ErrWrongPassword. The CBC padding is checked in constant time.
func (p *pbes2Params) decrypt(password, ciphertext []byte) ([]byte, error) {
	key, err := p.deriveKey(password)
	if err != nil {
		return nil, fmt.Errorf("pki: deriving the key: %w", err)
	}
	defer clear(key)
	switch p.cipher.mode {
	case modeCTRACPKM:
		out := make([]byte, len(ciphertext))
		if err := p.ctrACPKM(key, out, ciphertext); err != nil {
			return nil, err
		}
		return out, nil
	case modeGOST89CFB:
		out := make([]byte, len(ciphertext))
		if err := gost89CFBDecrypt(key, p.iv, out, ciphertext); err != nil {
			return nil, err
		}
		return out, nil
	}
	if len(ciphertext) == 0 || len(ciphertext)%aes.BlockSize != 0 {
		return nil, ErrWrongPassword
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("pki: internal error: %v", err)
	}
	out := make([]byte, len(ciphertext))
	cipher.NewCBCDecrypter(block, p.iv).CryptBlocks(out, ciphertext)
	n, ok := pkcs7PaddingLen(out, aes.BlockSize)
	if ok != 1 {
		clear(out)
		return nil, ErrWrongPassword
	}
	return out[:len(out)-n], nil
}

// ctrACPKM applies CTR-ACPKM with the key and the IV in the ukm's first
// half (RFC 9337 §5.1, RFC 8645 §6.2.2), with gost-engine's section sizes.
func (p *pbes2Params) ctrACPKM(key, dst, src []byte) error {
	newCipher, n, section := acpkm.NewCipherFunc(kuznyechik.NewCipher), kuznyechik.BlockSize,
		acpkm.SectionSizeKuznyechik
	if p.cipher.oid.Equal(oidMagmaCTRACPKM) {
		newCipher, n, section = magma.NewCipher, magma.BlockSize, acpkm.SectionSizeMagma
	}
	s, err := acpkm.NewCTR(newCipher, key, p.iv[:n/2], section)
	if err != nil {
		return fmt.Errorf("pki: internal error: %v", err)
	}
	s.XORKeyStream(dst, src)
	return nil
}

// pkcs7PaddingLen returns the length of the PKCS#7 padding at the end of
// b (RFC 5652 §6.3) and 1 when it is valid, 0 otherwise. It runs in time
// that depends only on len(b) and blockSize, not on the bytes.
func pkcs7PaddingLen(b []byte, blockSize int) (n int, ok int) {
	if len(b) < blockSize {
		return 0, 0
	}
	last := b[len(b)-1]
	n = int(last)
	ok = subtle.ConstantTimeLessOrEq(1, n) & subtle.ConstantTimeLessOrEq(n, blockSize)
	for i := 1; i <= blockSize; i++ {
		// Byte len(b)-i is padding when i <= n, and must then equal n.
		inPad := subtle.ConstantTimeLessOrEq(i, n)
		eq := subtle.ConstantTimeByteEq(b[len(b)-i], last)
		ok &= eq | (inPad ^ 1)
	}
	return subtle.ConstantTimeSelect(ok, n, 0), ok
}
