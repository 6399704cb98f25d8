package pki

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"encoding/asn1"
	"errors"
	"fmt"
	"unicode/utf16"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/gost/gost3410"
)

// PKCS#12 (RFC 7292) export and import of a key with its certificates.
//
// MarshalPKCS12 writes what OpenSSL 3 (with gost-engine for GOST) reads
// with `openssl pkcs12 -in F -passin pass:P -nodes`:
//
//	PFX { version 3,
//	      authSafe data: AuthenticatedSafe {
//	        encryptedData (PBES2): SafeContents { certBag… }   (when certs given)
//	        data: SafeContents { pkcs8ShroudedKeyBag (PBES2) } },
//	      macData }
//
// PBES2 is the key's scheme (see MarshalEncryptedPKCS8PrivateKey) for both
// the key and the certificates. The MAC follows the scheme: HMAC-Streebog-512
// with the RFC 9548 key derivation for PBES2Kuznyechik (the GOST default),
// HMAC-SHA-256 with the RFC 7292 one for PBES2AES256CBC. The key bag and the first certificate carry the same
// localKeyId (the SHA-1 of that certificate, as OpenSSL computes it) and,
// when given, a friendlyName.
//
// ParsePKCS12 reads that, what `openssl pkcs12 -export` writes for both
// profiles, and the R 50.1.112-2016 example (GOST 28147-89 bags, a masked
// key): PBES2 bags (the legacy PKCS#12 PBEs with RC2 and 3DES are not
// supported) and MACs with SHA-1, SHA-2 or Streebog. Only DER is read;
// indefinite-length BER, as some Windows software writes, is rejected.

var (
	oidP12Data          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidP12EncryptedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}

	oidKeyBag              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidPKCS8ShroudedKeyBag = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertBag             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidCertTypeX509        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}

	oidAttrFriendlyName = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
	oidAttrLocalKeyID   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
)

// PKCS12Options are the options of MarshalPKCS12; a nil *PKCS12Options
// means all defaults.
type PKCS12Options struct {
	// KeyEncryptionOptions choose the PBES2 scheme and the iteration
	// count, which is used for the MAC as well.
	KeyEncryptionOptions
	// FriendlyName, when not empty, labels the key and its certificate
	// (the name CSPs show on import).
	FriendlyName string
}

// p12Explicit0 is the tag of the [0] EXPLICIT fields.
var p12Explicit0 = cbasn1.Tag(0).ContextSpecific().Constructed()

// pkcs12MACSaltSize is the size of the MAC salt we generate.
const pkcs12MACSaltSize = 16

// MarshalPKCS12 returns a PKCS#12 file holding key and the certificates
// (DER, the key's own certificate first, then its issuers) encrypted and
// authenticated under password, which must not be empty.
func MarshalPKCS12(
	key crypto.PrivateKey,
	certs [][]byte,
	password []byte,
	opts *PKCS12Options,
) ([]byte, error) {
	if len(password) == 0 {
		return nil, errors.New("pki: a PKCS#12 file needs a non-empty password")
	}
	if opts == nil {
		opts = new(PKCS12Options)
	}
	enc := &opts.KeyEncryptionOptions
	_, gost := key.(*gost3410.PrivateKey)

	// 1. The key: a pkcs8ShroudedKeyBag in a plain data SafeContents.
	plain, err := MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	shrouded, err := encryptPrivateKeyInfo(plain, password, gost, enc)
	clear(plain)
	if err != nil {
		return nil, err
	}
	var localKeyID []byte
	if len(certs) > 0 {
		sum := sha1.Sum(certs[0])
		localKeyID = sum[:]
	}
	attrs := pkcs12Attributes(localKeyID, opts.FriendlyName)
	keyContents, err := p12SafeContents(func(b *cryptobyte.Builder) {
		p12AddSafeBag(b, oidPKCS8ShroudedKeyBag, shrouded, attrs)
	})
	if err != nil {
		return nil, err
	}

	// 2. The certificates: certBags in an encryptedData SafeContents.
	var certInfo []byte
	if len(certs) > 0 {
		if certInfo, err = encryptedCertContents(certs, attrs, password, gost, enc); err != nil {
			return nil, err
		}
	}

	// 3. The AuthenticatedSafe, certificates first as OpenSSL orders them.
	var as cryptobyte.Builder
	as.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if certInfo != nil {
			b.AddBytes(certInfo)
		}
		p12AddDataContentInfo(b, keyContents)
	})
	authSafe, err := as.Bytes()
	if err != nil {
		return nil, err
	}

	// 4. The MAC over the AuthenticatedSafe, and the PFX.
	mac, err := newPKCS12MAC(gost, enc, password, authSafe)
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(3)
		p12AddDataContentInfo(b, authSafe)
		mac.add(b)
	})
	return b.Bytes()
}

// newPKCS12MAC computes the MacData for authSafe.
func newPKCS12MAC(
	gost bool,
	enc *KeyEncryptionOptions,
	password, authSafe []byte,
) (*pkcs12MACData, error) {
	s, err := enc.scheme(gost)
	if err != nil {
		return nil, err
	}
	iter, err := enc.iterations(s)
	if err != nil {
		return nil, err
	}
	m := &pkcs12MACData{iter: iter, alg: pkcs12MACAlgByOID(oidP12DigestSHA256),
		salt: make([]byte, pkcs12MACSaltSize)}
	if s == PBES2Kuznyechik {
		m.alg = pkcs12MACAlgByOID(OIDDigestStreebog512)
	}
	if _, err := enc.rand().Read(m.salt); err != nil {
		return nil, fmt.Errorf("pki: reading random salt: %w", err)
	}
	if m.mac, err = m.compute(password, authSafe); err != nil {
		return nil, err
	}
	return m, nil
}

// encryptedCertContents returns the encryptedData ContentInfo holding the
// certBags; the first certificate gets attrs.
func encryptedCertContents(
	certs [][]byte,
	attrs []byte,
	password []byte,
	gost bool,
	enc *KeyEncryptionOptions,
) ([]byte, error) {
	contents, err := p12SafeContents(func(b *cryptobyte.Builder) {
		for i, c := range certs {
			var a []byte
			if i == 0 {
				a = attrs
			}
			p12AddSafeBag(b, oidCertBag, p12CertBag(c), a)
		}
	})
	if err != nil {
		return nil, err
	}
	p, err := newPBES2ParamsFor(gost, enc)
	if err != nil {
		return nil, err
	}
	ct, err := p.encrypt(password, contents)
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidP12EncryptedData)
		b.AddASN1(p12Explicit0, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // EncryptedData
				b.AddASN1Int64(0)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // EncryptedContentInfo
					b.AddASN1ObjectIdentifier(oidP12Data)
					p.addAlgorithm(b)
					b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) {
						b.AddBytes(ct)
					})
				})
			})
		})
	})
	return b.Bytes()
}

// certBag returns CertBag { x509Certificate, [0] EXPLICIT OCTET STRING }.
func p12CertBag(der []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidCertTypeX509)
		b.AddASN1(p12Explicit0, func(b *cryptobyte.Builder) {
			b.AddASN1OctetString(der)
		})
	})
	return b.BytesOrPanic()
}

func p12SafeContents(f func(b *cryptobyte.Builder)) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, f)
	return b.Bytes()
}

// p12AddSafeBag writes SafeBag { bagId, [0] EXPLICIT bagValue, bagAttributes }
// where value is DER and attrs the DER SET or nil.
func p12AddSafeBag(b *cryptobyte.Builder, bagID asn1.ObjectIdentifier, value, attrs []byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(bagID)
		b.AddASN1(p12Explicit0, func(b *cryptobyte.Builder) {
			b.AddBytes(value)
		})
		if attrs != nil {
			b.AddBytes(attrs)
		}
	})
}

// pkcs12Attributes returns the DER SET OF PKCS12Attribute with the
// localKeyId and friendlyName that are set, or nil.
func pkcs12Attributes(localKeyID []byte, friendlyName string) []byte {
	if localKeyID == nil && friendlyName == "" {
		return nil
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		// DER orders a SET OF by encoding: friendlyName (…9.20) sorts
		// before localKeyId (…9.21).
		if friendlyName != "" {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidAttrFriendlyName)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.Tag(30), func(b *cryptobyte.Builder) { // BMPString
						for _, u := range utf16.Encode([]rune(friendlyName)) {
							b.AddUint16(u)
						}
					})
				})
			})
		}
		if localKeyID != nil {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidAttrLocalKeyID)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(localKeyID)
				})
			})
		}
	})
	return b.BytesOrPanic()
}

// p12AddDataContentInfo writes ContentInfo { data, [0] EXPLICIT OCTET STRING }.
func p12AddDataContentInfo(b *cryptobyte.Builder, content []byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidP12Data)
		b.AddASN1(p12Explicit0, func(b *cryptobyte.Builder) {
			b.AddASN1OctetString(content)
		})
	})
}

// ParsePKCS12 decrypts a PKCS#12 file with password and returns its one
// private key and its certificates (DER). The certificate whose localKeyId
// matches the key's comes first; the others follow in file order. The MAC,
// when present, is checked first; a wrong password or corrupted data gives
// ErrWrongPassword.
func ParsePKCS12(data, password []byte) (crypto.Signer, [][]byte, error) {
	authSafe, mac, err := parsePFX(data)
	if err != nil {
		return nil, nil, err
	}
	if mac != nil {
		if err := mac.verify(password, authSafe); err != nil {
			return nil, nil, err
		}
	}
	var bags pkcs12Bags
	if err := bags.readAuthenticatedSafe(authSafe, password); err != nil {
		return nil, nil, err
	}
	return bags.result()
}

// parsePFX returns the AuthenticatedSafe bytes and the MacData (nil when
// absent) of a PFX.
func parsePFX(data []byte) ([]byte, *pkcs12MACData, error) {
	in := cryptobyte.String(data)
	var pfx cryptobyte.String
	var version int64
	if !in.ReadASN1(&pfx, cbasn1.SEQUENCE) || !in.Empty() || !pfx.ReadASN1Integer(&version) {
		return nil, nil, errors.New("pki: malformed PKCS#12 file")
	}
	if version != 3 {
		return nil, nil, fmt.Errorf("pki: unsupported PKCS#12 version %d", version)
	}
	var ci cryptobyte.String
	if !pfx.ReadASN1(&ci, cbasn1.SEQUENCE) {
		return nil, nil, errors.New("pki: malformed PKCS#12 file")
	}
	authSafe, err := p12ReadDataContentInfo(ci)
	if err != nil {
		return nil, nil, err
	}
	if pfx.Empty() {
		return authSafe, nil, nil
	}
	var macData cryptobyte.String
	if !pfx.ReadASN1(&macData, cbasn1.SEQUENCE) || !pfx.Empty() {
		return nil, nil, errors.New("pki: malformed PKCS#12 file")
	}
	mac, err := parsePKCS12MACData(macData)
	if err != nil {
		return nil, nil, err
	}
	return authSafe, mac, nil
}

// p12ReadDataContentInfo returns the OCTET STRING of the body of a data
// ContentInfo.
func p12ReadDataContentInfo(ci cryptobyte.String) ([]byte, error) {
	var oid asn1.ObjectIdentifier
	var explicit cryptobyte.String
	var content []byte
	if !ci.ReadASN1ObjectIdentifier(&oid) {
		return nil, errors.New("pki: malformed PKCS#12 content info")
	}
	if !oid.Equal(oidP12Data) {
		return nil, fmt.Errorf("%w: PKCS#12 content type %v", ErrUnsupportedAlgorithm, oid)
	}
	if !ci.ReadASN1(&explicit, p12Explicit0) || !ci.Empty() ||
		!explicit.ReadASN1Bytes(&content, cbasn1.OCTET_STRING) || !explicit.Empty() {
		return nil, errors.New("pki: malformed PKCS#12 data content")
	}
	return content, nil
}

// pkcs12Bags collects the bags of a PKCS#12 file.
type pkcs12Bags struct {
	keys     []crypto.Signer
	keyIDs   [][]byte
	certs    [][]byte
	certIDs  [][]byte
	password []byte
}

func (bs *pkcs12Bags) readAuthenticatedSafe(authSafe, password []byte) error {
	bs.password = password
	in := cryptobyte.String(authSafe)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return errors.New("pki: malformed PKCS#12 authenticated safe")
	}
	for !seq.Empty() {
		var ci cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !seq.ReadASN1(&ci, cbasn1.SEQUENCE) {
			return errors.New("pki: malformed PKCS#12 authenticated safe")
		}
		if peek := ci; !peek.ReadASN1ObjectIdentifier(&oid) {
			return errors.New("pki: malformed PKCS#12 authenticated safe")
		}
		var contents []byte
		var err error
		if oid.Equal(oidP12EncryptedData) {
			contents, err = bs.decryptContentInfo(ci)
		} else {
			contents, err = p12ReadDataContentInfo(ci)
		}
		if err != nil {
			return err
		}
		if err := bs.readSafeContents(contents, oid.Equal(oidP12EncryptedData)); err != nil {
			return err
		}
	}
	return nil
}

// decryptContentInfo decrypts an encryptedData ContentInfo (RFC 5652 §8)
// and returns the SafeContents inside.
func (bs *pkcs12Bags) decryptContentInfo(ci cryptobyte.String) ([]byte, error) {
	var explicit, ed, eci, alg cryptobyte.String
	var version int64
	var ctype asn1.ObjectIdentifier
	if !ci.SkipASN1(cbasn1.OBJECT_IDENTIFIER) ||
		!ci.ReadASN1(&explicit, p12Explicit0) || !ci.Empty() ||
		!explicit.ReadASN1(&ed, cbasn1.SEQUENCE) || !explicit.Empty() ||
		!ed.ReadASN1Integer(&version) || !ed.ReadASN1(&eci, cbasn1.SEQUENCE) ||
		!eci.ReadASN1ObjectIdentifier(&ctype) || !eci.ReadASN1(&alg, cbasn1.SEQUENCE) {
		return nil, errors.New("pki: malformed PKCS#12 encrypted data")
	}
	ct, err := readEncryptedContent(&eci)
	if err != nil {
		return nil, err
	}
	p, err := parsePBES2Algorithm(alg)
	if err != nil {
		return nil, err
	}
	return p.decrypt(bs.password, ct)
}

// readEncryptedContent reads encryptedContent [0] IMPLICIT OCTET STRING,
// primitive or, as BER allows, constructed of OCTET STRING pieces.
func readEncryptedContent(eci *cryptobyte.String) ([]byte, error) {
	prim := cbasn1.Tag(0).ContextSpecific()
	var ct []byte
	if eci.PeekASN1Tag(prim) {
		if !eci.ReadASN1Bytes(&ct, prim) || !eci.Empty() {
			return nil, errors.New("pki: malformed PKCS#12 encrypted content")
		}
		return ct, nil
	}
	var cons cryptobyte.String
	if !eci.ReadASN1(&cons, prim.Constructed()) || !eci.Empty() {
		return nil, errors.New("pki: malformed PKCS#12 encrypted content")
	}
	for !cons.Empty() {
		var piece []byte
		if !cons.ReadASN1Bytes(&piece, cbasn1.OCTET_STRING) {
			return nil, errors.New("pki: malformed PKCS#12 encrypted content")
		}
		ct = append(ct, piece...)
	}
	return ct, nil
}

// readSafeContents reads the bags of one SafeContents. When it came out of
// a decryption, malformed contents mean a wrong password.
func (bs *pkcs12Bags) readSafeContents(contents []byte, decrypted bool) error {
	malformed := errors.New("pki: malformed PKCS#12 safe contents")
	if decrypted {
		malformed = ErrWrongPassword
	}
	in := cryptobyte.String(contents)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return malformed
	}
	for !seq.Empty() {
		var bag, value cryptobyte.String
		var id asn1.ObjectIdentifier
		if !seq.ReadASN1(&bag, cbasn1.SEQUENCE) || !bag.ReadASN1ObjectIdentifier(&id) ||
			!bag.ReadASN1(&value, p12Explicit0) {
			return malformed
		}
		localKeyID, err := readLocalKeyID(bag)
		if err != nil {
			return err
		}
		if err := bs.readBag(id, value, localKeyID); err != nil {
			return err
		}
	}
	return nil
}

// readBag reads one SafeBag's value; bags other than keys and X.509
// certificates (CRLs, secrets, nested SafeContents) are skipped.
func (bs *pkcs12Bags) readBag(
	id asn1.ObjectIdentifier,
	value cryptobyte.String,
	localKeyID []byte,
) error {
	var elem cryptobyte.String
	if !value.ReadASN1Element(&elem, cbasn1.SEQUENCE) || !value.Empty() {
		return errors.New("pki: malformed PKCS#12 bag")
	}
	var key crypto.Signer
	var err error
	switch {
	case id.Equal(oidKeyBag):
		key, err = ParsePKCS8PrivateKey(elem)
	case id.Equal(oidPKCS8ShroudedKeyBag):
		key, err = ParseEncryptedPKCS8PrivateKey(elem, bs.password)
	case id.Equal(oidCertBag):
		return bs.readCertBag(elem, localKeyID)
	default:
		return nil
	}
	if err != nil {
		return err
	}
	bs.keys = append(bs.keys, key)
	bs.keyIDs = append(bs.keyIDs, localKeyID)
	return nil
}

func (bs *pkcs12Bags) readCertBag(elem cryptobyte.String, localKeyID []byte) error {
	var certBag, explicit cryptobyte.String
	var certType asn1.ObjectIdentifier
	var der []byte
	if !elem.ReadASN1(&certBag, cbasn1.SEQUENCE) || !certBag.ReadASN1ObjectIdentifier(&certType) ||
		!certBag.ReadASN1(&explicit, p12Explicit0) ||
		!certBag.Empty() {
		return errors.New("pki: malformed PKCS#12 certificate bag")
	}
	if !certType.Equal(oidCertTypeX509) {
		return nil // SDSI certificates are skipped
	}
	if !explicit.ReadASN1Bytes(&der, cbasn1.OCTET_STRING) || !explicit.Empty() {
		return errors.New("pki: malformed PKCS#12 certificate bag")
	}
	bs.certs = append(bs.certs, bytes.Clone(der))
	bs.certIDs = append(bs.certIDs, localKeyID)
	return nil
}

// readLocalKeyID returns the localKeyId among the bagAttributes left in
// bag, or nil.
func readLocalKeyID(bag cryptobyte.String) ([]byte, error) {
	if bag.Empty() {
		return nil, nil
	}
	var set cryptobyte.String
	if !bag.ReadASN1(&set, cbasn1.SET) || !bag.Empty() {
		return nil, errors.New("pki: malformed PKCS#12 bag attributes")
	}
	var id []byte
	for !set.Empty() {
		var attr, values cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !set.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) ||
			!attr.ReadASN1(&values, cbasn1.SET) || !attr.Empty() {
			return nil, errors.New("pki: malformed PKCS#12 bag attributes")
		}
		if oid.Equal(oidAttrLocalKeyID) {
			if !values.ReadASN1Bytes(&id, cbasn1.OCTET_STRING) {
				return nil, errors.New("pki: malformed PKCS#12 localKeyId")
			}
		}
	}
	return id, nil
}

// result returns the one key and the certificates, the key's first.
func (bs *pkcs12Bags) result() (crypto.Signer, [][]byte, error) {
	switch len(bs.keys) {
	case 0:
		return nil, nil, errors.New("pki: the PKCS#12 file holds no private key")
	case 1:
	default:
		return nil, nil, fmt.Errorf("pki: the PKCS#12 file holds %d private keys; one is supported",
			len(bs.keys))
	}
	certs := make([][]byte, 0, len(bs.certs))
	leaf := -1
	if id := bs.keyIDs[0]; id != nil {
		for i, cid := range bs.certIDs {
			if bytes.Equal(cid, id) {
				leaf = i
				certs = append(certs, bs.certs[i])
				break
			}
		}
	}
	for i, c := range bs.certs {
		if i != leaf {
			certs = append(certs, c)
		}
	}
	return bs.keys[0], certs, nil
}
