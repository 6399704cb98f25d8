package cms

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/gost/acpkm"
	"rekey/gost/gost28147"
	"rekey/gost/kdf"
	"rekey/gost/kuznyechik"
	"rekey/gost/magma"
	"rekey/gost/omac"
)

// ContentCipher selects the content encryption of Encrypt. Every cipher
// here takes a 256-bit content-encryption key.
type ContentCipher int

const (
	// CipherDefault is the profile's cipher (DESIGN.md): Kuznyechik when
	// every recipient has a GOST key, AES-256-GCM otherwise.
	CipherDefault ContentCipher = iota
	// Kuznyechik is Kuznyechik-CTR-ACPKM with an OMAC over the plaintext
	// (kuznyechik-ctr-acpkm-omac, R 1323565.1.024-2019), what
	// `openssl cms -encrypt -kuznyechik-ctr-acpkm-omac` writes.
	Kuznyechik
	// Magma is magma-ctr-acpkm-omac, the same with Magma.
	Magma
	// GOST28147 is GOST 28147-89 CFB with CryptoPro key meshing and the
	// S-box id-tc26-gost-28147-param-Z (RFC 4490 §5.1), what
	// `openssl cms -encrypt -gost89` writes. Known issue: it does not
	// authenticate the ciphertext.
	GOST28147
	// AES256GCM is AES-256-GCM in an AuthEnvelopedData (RFC 5083, RFC
	// 5084), which OpenSSL 3 reads and writes (-aes-256-gcm).
	AES256GCM
	// AES256CBC is AES-256-CBC in an EnvelopedData (RFC 3565). Known
	// issue: it does not authenticate the ciphertext.
	AES256CBC
)

// String returns the cipher's OpenSSL name.
func (c ContentCipher) String() string {
	switch c {
	case Kuznyechik:
		return "kuznyechik-ctr-acpkm-omac"
	case Magma:
		return "magma-ctr-acpkm-omac"
	case GOST28147:
		return "gost89"
	case AES256GCM:
		return "aes-256-gcm"
	case AES256CBC:
		return "aes-256-cbc"
	}
	return "default"
}

const cekSize = 32

// ctrOMAC describes the GOST R 34.12-2015 CTR-ACPKM-OMAC content ciphers.
type ctrOMAC struct {
	newCipher acpkm.NewCipherFunc
	blockSize int
	section   int
	// engineSection is how gost-engine 3.0.1 changes keys when it
	// encrypts CMS content (observed, see open): Kuznyechik never,
	// Magma every 8192 bytes. Its decryption follows section.
	engineSection int
}

var (
	kuznyechikCTROMAC = ctrOMAC{
		kuznyechik.NewCipher, kuznyechik.BlockSize, acpkm.SectionSizeKuznyechik, noMeshing,
	}
	magmaCTROMAC = ctrOMAC{magma.NewCipher, magma.BlockSize, acpkm.SectionSizeMagma, 8192}
)

// kdfSeedSize is the length of the KDF seed at the end of the ukm.
const kdfSeedSize = 8

// keys derives the encryption and MAC keys from the CEK as gost-engine
// does: KDF_TREE_GOSTR3411_2012_256(CEK, "kdf tree", seed, R = 1) gives
// 64 bytes, K_enc || K_mac.
func (m ctrOMAC) keys(cek, seed []byte) (encKey, macKey []byte, err error) {
	k, err := kdf.KDFTree256(cek, []byte("kdf tree"), seed, 1, 64)
	if err != nil {
		return nil, nil, err
	}
	return k[:32], k[32:], nil
}

// crypt runs CTR-ACPKM over src under the ukm = IV (n/2) || seed (8) and
// returns the output and the full-block OMAC of the plaintext, encrypted
// by the keystream's next n bytes.
func (m ctrOMAC) crypt(
	cek, ukm, src []byte,
	encrypt bool,
	section int,
) (out, mac []byte, err error) {
	ivSize := m.blockSize / 2
	if len(ukm) != ivSize+kdfSeedSize {
		return nil, nil, fmt.Errorf("cms: CTR-ACPKM-OMAC ukm is %d bytes, want %d",
			len(ukm), ivSize+kdfSeedSize)
	}
	encKey, macKey, err := m.keys(cek, ukm[ivSize:])
	if err != nil {
		return nil, nil, err
	}
	stream, err := acpkm.NewCTR(m.newCipher, encKey, ukm[:ivSize], section)
	if err != nil {
		return nil, nil, err
	}
	block, err := m.newCipher(macKey)
	if err != nil {
		return nil, nil, err
	}
	h, err := omac.New(block, m.blockSize)
	if err != nil {
		return nil, nil, err
	}
	out = make([]byte, len(src))
	stream.XORKeyStream(out, src)
	if encrypt {
		h.Write(src)
	} else {
		h.Write(out)
	}
	// gost-engine encrypts the MAC with the keystream that follows the
	// content's (gost2015_final_call), and so does rekey.
	mac = h.Sum(nil)
	stream.XORKeyStream(mac, mac)
	return out, mac, nil
}

// noMeshing is a section size that CMS contents never reach: CTR
// without the ACPKM key change.
const noMeshing = math.MaxInt &^ 15

// open decrypts ct and reports whether the encrypted MAC verifies.
func (m ctrOMAC) open(cek, ukm, ct, encMAC []byte, section int) ([]byte, bool, error) {
	pt, mac, err := m.crypt(cek, ukm, ct, false, section)
	if err != nil {
		return nil, false, err
	}
	return pt, len(encMAC) == len(mac) && subtle.ConstantTimeCompare(encMAC, mac) == 1, nil
}

// sealed is an encrypted content: its algorithm, ciphertext and MAC (the
// GOST MAC attribute, or the GCM tag; nil for CFB and CBC).
type sealed struct {
	alg        algorithmIdentifier
	ciphertext []byte
	mac        []byte
	aad        []byte // the DER of AuthEnvelopedData authAttrs, if any
}

// seal encrypts plaintext under a fresh CEK, which it returns with the
// encrypted content.
func (c ContentCipher) seal(random io.Reader, plaintext []byte) ([]byte, *sealed, error) {
	cek, err := randomBytes(random, cekSize)
	if err != nil {
		return nil, nil, err
	}
	var out *sealed
	switch c {
	case Kuznyechik:
		out, err = kuznyechikCTROMAC.seal(random, oidKuznyechikCTRACPKMOMAC, cek, plaintext)
	case Magma:
		out, err = magmaCTROMAC.seal(random, oidMagmaCTRACPKMOMAC, cek, plaintext)
	case GOST28147:
		out, err = sealGOST28147(random, cek, plaintext)
	case AES256GCM:
		out, err = sealGCM(random, cek, plaintext)
	case AES256CBC:
		out, err = sealCBC(random, cek, plaintext)
	default:
		err = fmt.Errorf("%w: content cipher %d", ErrUnsupportedAlgorithm, int(c))
	}
	if err != nil {
		return nil, nil, err
	}
	return cek, out, nil
}

// seal encrypts with CTR-ACPKM-OMAC under a random ukm, the parameters
// GostR3412-15-Encryption-Parameters { ukm }.
func (m ctrOMAC) seal(
	random io.Reader,
	oid asn1.ObjectIdentifier,
	cek, plaintext []byte,
) (*sealed, error) {
	ukm, err := randomBytes(random, m.blockSize/2+kdfSeedSize)
	if err != nil {
		return nil, err
	}
	ct, mac, err := m.crypt(cek, ukm, plaintext, true, m.section)
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1OctetString(ukm) })
	return &sealed{alg: algorithmIdentifier{oid, b.BytesOrPanic()}, ciphertext: ct, mac: mac}, nil
}

// sealGOST28147 encrypts with GOST 28147-89 CFB, param-Z and key meshing,
// the parameters Gost28147-89-Parameters { iv, encryptionParamSet }.
func sealGOST28147(random io.Reader, cek, plaintext []byte) (*sealed, error) {
	iv, err := randomBytes(random, gost28147.BlockSize)
	if err != nil {
		return nil, err
	}
	stream, err := gost28147.NewCFBEncrypter(cek, gost28147.TC26Z, iv, gost28147.TC26Z.KeyMeshing())
	if err != nil {
		return nil, err
	}
	ct := make([]byte, len(plaintext))
	stream.XORKeyStream(ct, plaintext)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1OctetString(iv)
		b.AddASN1ObjectIdentifier(gost28147.TC26Z.OID())
	})
	return &sealed{alg: algorithmIdentifier{oidGOST28147, b.BytesOrPanic()}, ciphertext: ct}, nil
}

// sealGCM encrypts with AES-256-GCM, a 12-byte nonce and a 16-byte tag
// (RFC 5084 §3.2: GCMParameters { aes-nonce, aes-ICVlen }).
func sealGCM(random io.Reader, cek, plaintext []byte) (*sealed, error) {
	nonce, err := randomBytes(random, 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	out := gcm.Seal(nil, nonce, plaintext, nil)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1OctetString(nonce)
		b.AddASN1Int64(int64(gcm.Overhead()))
	})
	n := len(plaintext)
	return &sealed{
		alg:        algorithmIdentifier{oidAES256GCM, b.BytesOrPanic()},
		ciphertext: out[:n],
		mac:        out[n:],
	}, nil
}

// sealCBC encrypts with AES-256-CBC and PKCS #7 padding (RFC 5652 §6.3).
func sealCBC(random io.Reader, cek, plaintext []byte) (*sealed, error) {
	iv, err := randomBytes(random, aes.BlockSize)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	pad := aes.BlockSize - len(plaintext)%aes.BlockSize
	ct := append(append([]byte(nil), plaintext...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, ct)
	alg := algorithmIdentifier{oidAES256CBC, marshalOctetString(iv)}
	return &sealed{alg: alg, ciphertext: ct}, nil
}

// open decrypts an encrypted content with the CEK. A MAC or tag that
// does not verify, or bad CBC padding, gives ErrAuthentication.
func open(s *sealed, cek []byte) ([]byte, error) {
	if len(cek) != cekSize {
		return nil, fmt.Errorf("%w: content-encryption key of %d bytes", ErrKeyUnwrap, len(cek))
	}
	p := cryptobyte.String(s.alg.Params)
	switch {
	case s.alg.OID.Equal(oidKuznyechikCTRACPKMOMAC), s.alg.OID.Equal(oidMagmaCTRACPKMOMAC):
		m := kuznyechikCTROMAC
		if s.alg.OID.Equal(oidMagmaCTRACPKMOMAC) {
			m = magmaCTROMAC
		}
		var seq, ukm cryptobyte.String
		if !p.ReadASN1(&seq, cbasn1.SEQUENCE) || !p.Empty() ||
			!seq.ReadASN1(&ukm, cbasn1.OCTET_STRING) || !seq.Empty() {
			return nil, errors.New("cms: malformed CTR-ACPKM-OMAC parameters")
		}
		if s.mac == nil {
			return nil, fmt.Errorf("%w: the content MAC attribute is missing", ErrAuthentication)
		}
		pt, ok, err := m.open(cek, ukm, s.ciphertext, s.mac, m.section)
		if err == nil && !ok && len(s.ciphertext)+len(s.mac) > m.section {
			// Known issue of gost-engine 3.0.1: its CMS encryption does
			// not change keys at the ACPKM sections (Kuznyechik never,
			// Magma every 8192 bytes), so that it cannot decrypt its own
			// messages longer than a section. rekey reads them: the MAC
			// tells which keystream was used.
			pt, ok, err = m.open(cek, ukm, s.ciphertext, s.mac, m.engineSection)
		}
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%w: the content MAC does not verify", ErrAuthentication)
		}
		return pt, nil
	case s.alg.OID.Equal(oidGOST28147):
		return openGOST28147(p, cek, s.ciphertext)
	case s.alg.OID.Equal(oidAES256GCM):
		return openGCM(p, cek, s)
	case s.alg.OID.Equal(oidAES256CBC):
		var iv cryptobyte.String
		if !p.ReadASN1(&iv, cbasn1.OCTET_STRING) || !p.Empty() || len(iv) != aes.BlockSize {
			return nil, errors.New("cms: malformed AES-CBC parameters")
		}
		return openCBC(cek, iv, s.ciphertext)
	}
	return nil, fmt.Errorf("%w: content encryption %s", ErrUnsupportedAlgorithm, s.alg.OID)
}

// openGOST28147 decrypts GOST 28147-89 CFB with Gost28147-89-Parameters
// { iv, encryptionParamSet } (RFC 4357 §10.2), meshing as the set says.
func openGOST28147(p cryptobyte.String, cek, ct []byte) ([]byte, error) {
	var seq, iv cryptobyte.String
	var paramSet asn1.ObjectIdentifier
	if !p.ReadASN1(&seq, cbasn1.SEQUENCE) || !p.Empty() ||
		!seq.ReadASN1(&iv, cbasn1.OCTET_STRING) || len(iv) != gost28147.BlockSize ||
		!seq.ReadASN1ObjectIdentifier(&paramSet) || !seq.Empty() {
		return nil, errors.New("cms: malformed GOST 28147-89 parameters")
	}
	sbox, ok := gost28147.SBoxByOID(paramSet)
	if !ok {
		return nil, fmt.Errorf("%w: GOST 28147-89 parameter set %s",
			ErrUnsupportedAlgorithm, paramSet)
	}
	stream, err := gost28147.NewCFBDecrypter(cek, sbox, iv, sbox.KeyMeshing())
	if err != nil {
		return nil, err
	}
	pt := make([]byte, len(ct))
	stream.XORKeyStream(pt, ct)
	return pt, nil
}

func openGCM(p cryptobyte.String, cek []byte, s *sealed) ([]byte, error) {
	var seq, nonce cryptobyte.String
	tagSize := int64(12) // aes-ICVlen DEFAULT 12 (RFC 5084 §3.2)
	ok := p.ReadASN1(&seq, cbasn1.SEQUENCE) && p.Empty() &&
		seq.ReadASN1(&nonce, cbasn1.OCTET_STRING)
	if ok && seq.PeekASN1Tag(cbasn1.INTEGER) {
		ok = seq.ReadASN1Integer(&tagSize)
	}
	if !ok || !seq.Empty() || len(nonce) == 0 || tagSize < 12 || tagSize > 16 {
		return nil, errors.New("cms: malformed AES-GCM parameters")
	}
	if int64(len(s.mac)) != tagSize {
		return nil, fmt.Errorf("%w: the GCM tag is %d bytes, want %d",
			ErrAuthentication, len(s.mac), tagSize)
	}
	block, _ := aes.NewCipher(cek)
	var gcm cipher.AEAD
	var err error
	switch {
	case tagSize == 16:
		gcm, err = cipher.NewGCMWithNonceSize(block, len(nonce))
	case len(nonce) == 12:
		gcm, err = cipher.NewGCMWithTagSize(block, int(tagSize))
	default:
		return nil, fmt.Errorf("%w: AES-GCM with a %d-byte nonce and a %d-byte tag",
			ErrUnsupportedAlgorithm, len(nonce), tagSize)
	}
	if err != nil {
		return nil, fmt.Errorf("cms: AES-GCM: %w", err)
	}
	in := append(append([]byte(nil), s.ciphertext...), s.mac...)
	pt, err := gcm.Open(nil, nonce, in, s.aad)
	if err != nil {
		return nil, fmt.Errorf("%w: the GCM tag does not verify", ErrAuthentication)
	}
	return pt, nil
}

func openCBC(cek, iv, ct []byte) ([]byte, error) {
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: AES-CBC ciphertext of %d bytes", ErrAuthentication, len(ct))
	}
	block, _ := aes.NewCipher(cek)
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(pt, ct)
	pad := int(pt[len(pt)-1])
	if pad == 0 || pad > aes.BlockSize {
		return nil, fmt.Errorf("%w: bad AES-CBC padding", ErrAuthentication)
	}
	for _, v := range pt[len(pt)-pad:] {
		if int(v) != pad {
			return nil, fmt.Errorf("%w: bad AES-CBC padding", ErrAuthentication)
		}
	}
	return pt[:len(pt)-pad], nil
}
