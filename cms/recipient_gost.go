package cms

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/gost/gost28147"
	"rekey/gost/gost3410"
	"rekey/gost/kdf"
	"rekey/gost/kexp15"
	"rekey/gost/kuznyechik"
	"rekey/gost/magma"
	"rekey/pki"
)

// The GOST recipient forms, as gost-engine (gost_ec_keyx.c, gost_ameth.c)
// and TC26's examples write them:
//
// Key transport with GOST 28147-89 (RFC 4490 §5.2; gost89 and any
// non-GOST content cipher): keyEncryptionAlgorithm is the recipient's
// public key algorithm with its parameters; encryptedKey is
//
//	GostR3410-KeyTransport ::= SEQUENCE {
//	    sessionEncryptedKey Gost28147-89-EncryptedKey,   -- CEK_ENC, CEK_MAC
//	    transportParameters [0] IMPLICIT SEQUENCE {
//	        encryptionParamSet OBJECT IDENTIFIER,        -- param-Z
//	        ephemeralPublicKey [0] IMPLICIT SubjectPublicKeyInfo,
//	        ukm OCTET STRING (SIZE (8)) } }
//
// with KEK = VKO_GOSTR3410_2012_256(eph, Q, UKM) for 256- and 512-bit
// keys alike and the CryptoPro key wrap (RFC 4357 §6.3).
//
// Key transport with KExp15 (Kuznyechik and Magma content ciphers):
// keyEncryptionAlgorithm is kuznyechik-kexp15 or magma-kexp15 with
// SEQUENCE { id-tc26-agreement-gost-3410-2012-256 or -512 }; encryptedKey is
//
//	PSKeyTransport ::= SEQUENCE {
//	    psexp OCTET STRING,                              -- KExp15 output
//	    ephemeralPublicKey SubjectPublicKeyInfo,
//	    ukm OCTET STRING (SIZE (32)) }
//
// and the export keys come from keg: K_Exp_MAC || K_Exp_ENC, with the
// KExp15 IV the bytes of ukm from offset 24 (n/2 of them).
//
// Key agreement: KeyAgreeRecipientInfo with the ephemeral key as
// originatorKey (algorithm and parameters as the recipient's key) and the
// ukm in the ukm field. gost-engine reads it with kuznyechik-kexp15 and
// magma-kexp15 (a 32-byte ukm, keg as above, encryptedKey the raw KExp15
// output). TC26's examples use id-Gost28147-89-None-KeyWrap instead, with
// keyEncryptionAlgorithm = the public key algorithm and parameters
// SEQUENCE { key wrap OID, SEQUENCE { param set } }, an 8-byte ukm, KEK =
// VKO_GOSTR3410_2012_256 and encryptedKey a Gost28147-89-EncryptedKey;
// gost-engine cannot read that form.

// kexpInfo describes KExp15 with one of the two ciphers.
type kexpInfo struct {
	newCipher kexp15.NewCipherFunc
	ivSize    int
}

func kexpFor(cipher ContentCipher) (kexpInfo, asn1.ObjectIdentifier) {
	if cipher == Magma {
		return kexpInfo{magma.NewCipher, magma.BlockSize / 2}, oidMagmaKExp15
	}
	return kexpInfo{kuznyechik.NewCipher, kuznyechik.BlockSize / 2}, oidKuznyechikKExp15
}

func kexpByOID(oid asn1.ObjectIdentifier) (kexpInfo, bool) {
	switch {
	case oid.Equal(oidMagmaKExp15):
		return kexpInfo{magma.NewCipher, magma.BlockSize / 2}, true
	case oid.Equal(oidKuznyechikKExp15):
		return kexpInfo{kuznyechik.NewCipher, kuznyechik.BlockSize / 2}, true
	}
	return kexpInfo{}, false
}

// agreeFunc returns VKO_GOSTR3410_2012_256 (size 32) or _512 (size 64)
// for a little-endian UKM (RFC 7836 §4.3).
type agreeFunc func(ukm []byte, size int) ([]byte, error)

const kegUKMSize = 32

// keg is the export key generation of R 1323565.1.020-2018 §6.4.5.1 as
// gost-engine implements it (gost_keg): with the first 16 bytes of ukm
// read as a big-endian UKM (all zero means 1·2^120, gost-engine's choice),
// 512-bit keys give VKO_GOSTR3410_2012_512; 256-bit keys give
// KDF_TREE_GOSTR3411_2012_256(VKO_GOSTR3410_2012_256, "kdf tree",
// ukm[16:24], R = 1) of 64 bytes. The result is K_Exp_MAC || K_Exp_ENC.
func keg(agree agreeFunc, size int, ukm []byte) ([]byte, error) {
	if len(ukm) != kegUKMSize {
		return nil, fmt.Errorf("cms: KExp15 ukm is %d bytes, want %d", len(ukm), kegUKMSize)
	}
	le := make([]byte, 16)
	for i := range le {
		le[i] = ukm[15-i]
	}
	if isZero(le) {
		le[15] = 1
	}
	if size == 64 {
		return agree(le, 64)
	}
	k, err := agree(le, 32)
	if err != nil {
		return nil, err
	}
	return kdf.KDFTree256(k, []byte("kdf tree"), ukm[16:24], 1, 64)
}

func isZero(b []byte) bool {
	var acc byte
	for _, v := range b {
		acc |= v
	}
	return acc == 0
}

// spkiAlgorithm returns the DER AlgorithmIdentifier of a certificate's key,
// which the ephemeral key copies: gost-engine derives only between keys
// whose parameter-set OIDs are the same.
func spkiAlgorithm(cert *pki.Certificate) ([]byte, error) {
	s := cryptobyte.String(cert.RawSubjectPublicKeyInfo)
	var seq, alg cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Element(&alg, cbasn1.SEQUENCE) {
		return nil, errors.New("cms: malformed recipient SubjectPublicKeyInfo")
	}
	return alg, nil
}

// addGOSTKey writes the contents of a SubjectPublicKeyInfo of a GOST key:
// the algorithm, and the BIT STRING holding OCTET STRING LE(X)||LE(Y)
// (RFC 9215 §4).
func addGOSTKey(b *cryptobyte.Builder, alg []byte, pub *gost3410.PublicKey) {
	b.AddBytes(alg)
	b.AddASN1BitString(marshalOctetString(pub.Raw()))
}

// ephemeral makes an ephemeral key on the recipient's curve and returns it
// with the agreement towards the recipient.
func ephemeral(random io.Reader, pub *gost3410.PublicKey) (*gost3410.PrivateKey, agreeFunc, error) {
	eph, err := gost3410.GenerateKey(pub.Curve(), random)
	if err != nil {
		return nil, nil, fmt.Errorf("cms: generating the ephemeral key: %w", err)
	}
	return eph, gostDecrypter{eph}.agreeWith(pub), nil
}

func randomBytes(random io.Reader, n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(random, b); err != nil {
		return nil, fmt.Errorf("cms: reading random: %w", err)
	}
	return b, nil
}

// gostKeyTrans makes a KeyTransRecipientInfo for a GOST recipient: KExp15
// for the Kuznyechik and Magma content ciphers, GostR3410-KeyTransport
// otherwise.
func gostKeyTrans(
	random io.Reader,
	cert *pki.Certificate,
	cipher ContentCipher,
	cek []byte,
) ([]byte, error) {
	pub := cert.PublicKey.(*gost3410.PublicKey)
	alg, err := spkiAlgorithm(cert)
	if err != nil {
		return nil, err
	}
	eph, agree, err := ephemeral(random, pub)
	if err != nil {
		return nil, err
	}
	var keyAlg, encryptedKey []byte
	if cipher == Kuznyechik || cipher == Magma {
		keyAlg, encryptedKey, err = kexpKeyTrans(random, pub, eph, agree, alg, cipher, cek)
	} else {
		keyAlg, encryptedKey, err = cryptoProKeyTrans(random, eph, agree, alg, cek)
	}
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		addIssuerAndSerial(b, cert.RawIssuer, cert.SerialNumber)
		b.AddBytes(keyAlg)
		b.AddASN1OctetString(encryptedKey)
	})
	return b.Bytes()
}

func kexpKeyTrans(
	random io.Reader,
	pub *gost3410.PublicKey,
	eph *gost3410.PrivateKey,
	agree agreeFunc,
	alg []byte,
	cipher ContentCipher,
	cek []byte,
) (keyAlg, encryptedKey []byte, err error) {
	ukm, err := randomBytes(random, kegUKMSize)
	if err != nil {
		return nil, nil, err
	}
	wrapped, keyAlg, err := kexpExport(agree, pub.Curve().Size(), ukm, cipher, cek)
	if err != nil {
		return nil, nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1OctetString(wrapped)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addGOSTKey(b, alg, eph.PublicKey())
		})
		b.AddASN1OctetString(ukm)
	})
	encryptedKey, err = b.Bytes()
	return keyAlg, encryptedKey, err
}

// kexpExport wraps cek with KExp15 under the keg keys and returns it with
// the keyEncryptionAlgorithm.
func kexpExport(
	agree agreeFunc,
	size int,
	ukm []byte,
	cipher ContentCipher,
	cek []byte,
) (wrapped, keyAlg []byte, err error) {
	keys, err := keg(agree, size, ukm)
	if err != nil {
		return nil, nil, err
	}
	info, oid := kexpFor(cipher)
	wrapped, err = kexp15.Export(info.newCipher, cek, keys[:32], keys[32:], ukm[24:24+info.ivSize])
	if err != nil {
		return nil, nil, err
	}
	agreement := oidAgreementGOST256
	if size == 64 {
		agreement = oidAgreementGOST512
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(agreement)
		})
	})
	return wrapped, b.BytesOrPanic(), nil
}

func cryptoProKeyTrans(
	random io.Reader,
	eph *gost3410.PrivateKey,
	agree agreeFunc,
	alg []byte,
	cek []byte,
) (keyAlg, encryptedKey []byte, err error) {
	ukm, err := randomBytes(random, gost28147.UKMSize)
	if err != nil {
		return nil, nil, err
	}
	kek, err := agree(ukm, 32)
	if err != nil {
		return nil, nil, err
	}
	wrapped, err := gost28147.WrapCryptoPro(kek, ukm, cek, gost28147.TC26Z)
	if err != nil {
		return nil, nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addGOSTEncryptedKey(b, wrapped)
		b.AddASN1(ctx0, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(gost28147.TC26Z.OID())
			b.AddASN1(ctx0, func(b *cryptobyte.Builder) {
				addGOSTKey(b, alg, eph.PublicKey())
			})
			b.AddASN1OctetString(ukm)
		})
	})
	encryptedKey, err = b.Bytes()
	return alg, encryptedKey, err
}

// addGOSTEncryptedKey writes Gost28147-89-EncryptedKey { encryptedKey,
// macKey } (RFC 4357 §10.4) from UKM||CEK_ENC||CEK_MAC.
func addGOSTEncryptedKey(b *cryptobyte.Builder, wrapped []byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1OctetString(wrapped[8:40])
		b.AddASN1OctetString(wrapped[40:44])
	})
}

// readGOSTEncryptedKey reads Gost28147-89-EncryptedKey and returns
// CEK_ENC||CEK_MAC; a maskKey is not supported.
func readGOSTEncryptedKey(s *cryptobyte.String) ([]byte, bool) {
	var seq, enc, mac cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1(&enc, cbasn1.OCTET_STRING) ||
		!seq.ReadASN1(&mac, cbasn1.OCTET_STRING) || !seq.Empty() ||
		len(enc) != 32 || len(mac) != gost28147.MACSize {
		return nil, false
	}
	return append(append([]byte(nil), enc...), mac...), true
}

// gostKeyAgree makes a KeyAgreeRecipientInfo for a GOST recipient: KExp15
// for the Kuznyechik and Magma content ciphers (what gost-engine reads),
// the GOST 28147-89 key wrap of TC26's examples otherwise.
func gostKeyAgree(
	random io.Reader,
	cert *pki.Certificate,
	cipher ContentCipher,
	cek []byte,
) ([]byte, error) {
	pub := cert.PublicKey.(*gost3410.PublicKey)
	alg, err := spkiAlgorithm(cert)
	if err != nil {
		return nil, err
	}
	eph, agree, err := ephemeral(random, pub)
	if err != nil {
		return nil, err
	}
	var ukm, keyAlg, encryptedKey []byte
	if cipher == Kuznyechik || cipher == Magma {
		if ukm, err = randomBytes(random, kegUKMSize); err != nil {
			return nil, err
		}
		encryptedKey, keyAlg, err = kexpExport(agree, pub.Curve().Size(), ukm, cipher, cek)
	} else {
		ukm, keyAlg, encryptedKey, err = noneKeyWrap(random, agree, alg, cek)
	}
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(ctx1, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(3)
		b.AddASN1(ctx0, func(b *cryptobyte.Builder) {
			b.AddASN1(ctx1, func(b *cryptobyte.Builder) {
				addGOSTKey(b, alg, eph.PublicKey())
			})
		})
		b.AddASN1(ctx1, func(b *cryptobyte.Builder) {
			b.AddASN1OctetString(ukm)
		})
		b.AddBytes(keyAlg)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				addIssuerAndSerial(b, cert.RawIssuer, cert.SerialNumber)
				b.AddASN1OctetString(encryptedKey)
			})
		})
	})
	return b.Bytes()
}

// noneKeyWrap is the key agreement of TC26's examples: an 8-byte ukm,
// KEK = VKO_GOSTR3410_2012_256, id-Gost28147-89-None-KeyWrap, param-Z.
func noneKeyWrap(
	random io.Reader,
	agree agreeFunc,
	alg, cek []byte,
) (ukm, keyAlg, encryptedKey []byte, err error) {
	if ukm, err = randomBytes(random, gost28147.UKMSize); err != nil {
		return nil, nil, nil, err
	}
	kek, err := agree(ukm, 32)
	if err != nil {
		return nil, nil, nil, err
	}
	wrapped, err := gost28147.Wrap(kek, ukm, cek, gost28147.TC26Z)
	if err != nil {
		return nil, nil, nil, err
	}
	s := cryptobyte.String(alg)
	var seq cryptobyte.String
	var pkOID asn1.ObjectIdentifier
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&pkOID) {
		return nil, nil, nil, errors.New("cms: malformed recipient key algorithm")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(pkOID)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidGOSTNoneKeyWrap)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(gost28147.TC26Z.OID())
			})
		})
	})
	var k cryptobyte.Builder
	addGOSTEncryptedKey(&k, wrapped)
	return ukm, b.BytesOrPanic(), k.BytesOrPanic(), nil
}

// gostAgree adapts a GOST Decrypter to the agreement with peer.
func gostAgree(d Decrypter, peer *gost3410.PublicKey) agreeFunc {
	return func(ukm []byte, size int) ([]byte, error) { return d.Agree(peer, ukm, size) }
}

// parseGOSTKey parses a SubjectPublicKeyInfo of an ephemeral or originator
// key and checks that it is on the recipient's curve.
func parseGOSTKey(spki []byte, own *gost3410.PublicKey) (*gost3410.PublicKey, error) {
	pub, err := pki.ParsePKIXPublicKey(spki)
	if err != nil {
		return nil, fmt.Errorf("cms: ephemeral key: %w", err)
	}
	k, ok := pub.(*gost3410.PublicKey)
	if !ok || k.Curve() != own.Curve() {
		return nil, fmt.Errorf("%w: the ephemeral key is not on the recipient's curve",
			ErrKeyUnwrap)
	}
	return k, nil
}

// openGOSTKeyTrans unwraps the CEK of a GOST KeyTransRecipientInfo.
func openGOSTKeyTrans(d Decrypter, own *gost3410.PublicKey, ri *RecipientInfo) ([]byte, error) {
	if info, ok := kexpByOID(ri.KeyEncryptionAlgorithm); ok {
		return openPSKeyTransport(d, own, info, ri.encryptedKey)
	}
	s := cryptobyte.String(ri.encryptedKey)
	var seq, params, spki, ukm cryptobyte.String
	var paramSet asn1.ObjectIdentifier
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, errors.New("cms: malformed GostR3410-KeyTransport")
	}
	encMAC, ok := readGOSTEncryptedKey(&seq)
	if !ok || !seq.ReadASN1(&params, ctx0) || !seq.Empty() ||
		!params.ReadASN1ObjectIdentifier(&paramSet) ||
		!params.ReadASN1(&spki, ctx0) ||
		!params.ReadASN1(&ukm, cbasn1.OCTET_STRING) || !params.Empty() ||
		len(ukm) != gost28147.UKMSize {
		return nil, errors.New("cms: malformed GostR3410-KeyTransport " +
			"(the ephemeral key is required)")
	}
	sbox, ok := gost28147.SBoxByOID(paramSet)
	if !ok {
		return nil, fmt.Errorf("%w: GOST 28147-89 parameter set %s",
			ErrUnsupportedAlgorithm, paramSet)
	}
	peer, err := parseGOSTKey(rewrap(spki), own)
	if err != nil {
		return nil, err
	}
	kek, err := gostAgree(d, peer)(ukm, 32)
	if err != nil {
		return nil, err
	}
	cek, err := gost28147.UnwrapCryptoPro(kek, append(append([]byte(nil), ukm...), encMAC...), sbox)
	if err != nil {
		return nil, fmt.Errorf("%w: the CryptoPro key wrap MAC does not verify", ErrKeyUnwrap)
	}
	return cek, nil
}

// rewrap turns the contents of an IMPLICIT-tagged SubjectPublicKeyInfo
// into a SubjectPublicKeyInfo.
func rewrap(contents []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(contents) })
	return b.BytesOrPanic()
}

func openPSKeyTransport(
	d Decrypter,
	own *gost3410.PublicKey,
	info kexpInfo,
	der []byte,
) ([]byte, error) {
	s := cryptobyte.String(der)
	var seq, psexp, spki, ukm cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() ||
		!seq.ReadASN1(&psexp, cbasn1.OCTET_STRING) ||
		!seq.ReadASN1Element(&spki, cbasn1.SEQUENCE) ||
		!seq.ReadASN1(&ukm, cbasn1.OCTET_STRING) || !seq.Empty() {
		return nil, errors.New("cms: malformed PSKeyTransport")
	}
	peer, err := parseGOSTKey(spki, own)
	if err != nil {
		return nil, err
	}
	return kexpImport(gostAgree(d, peer), own.Curve().Size(), info, ukm, psexp)
}

func kexpImport(agree agreeFunc, size int, info kexpInfo, ukm, wrapped []byte) ([]byte, error) {
	keys, err := keg(agree, size, ukm)
	if err != nil {
		return nil, err
	}
	cek, err := kexp15.Import(info.newCipher, wrapped, keys[:32], keys[32:], ukm[24:24+info.ivSize])
	if err != nil {
		return nil, fmt.Errorf("%w: the KExp15 MAC does not verify", ErrKeyUnwrap)
	}
	return cek, nil
}

// openGOSTKeyAgree unwraps the CEK of one recipient of a GOST
// KeyAgreeRecipientInfo.
func openGOSTKeyAgree(d Decrypter, own *gost3410.PublicKey, ri *RecipientInfo) ([]byte, error) {
	peer, err := parseGOSTKey(ri.originator, own)
	if err != nil {
		return nil, err
	}
	if info, ok := kexpByOID(ri.KeyEncryptionAlgorithm); ok {
		return kexpImport(gostAgree(d, peer), own.Curve().Size(), info, ri.ukm, ri.encryptedKey)
	}
	p := cryptobyte.String(ri.keyEncryptionParams)
	var seq, set cryptobyte.String
	var wrapOID, paramSet asn1.ObjectIdentifier
	if !p.ReadASN1(&seq, cbasn1.SEQUENCE) || !p.Empty() ||
		!seq.ReadASN1ObjectIdentifier(&wrapOID) ||
		!seq.ReadASN1(&set, cbasn1.SEQUENCE) || !seq.Empty() ||
		!set.ReadASN1ObjectIdentifier(&paramSet) || !set.Empty() {
		return nil, errors.New("cms: malformed GOST key wrap parameters")
	}
	unwrap := gost28147.Unwrap
	switch {
	case wrapOID.Equal(oidGOSTNoneKeyWrap):
	case wrapOID.Equal(oidGOSTCryptoProKeyWrap):
		unwrap = gost28147.UnwrapCryptoPro
	default:
		return nil, fmt.Errorf("%w: key wrap %s", ErrUnsupportedAlgorithm, wrapOID)
	}
	sbox, ok := gost28147.SBoxByOID(paramSet)
	if !ok {
		return nil, fmt.Errorf("%w: GOST 28147-89 parameter set %s",
			ErrUnsupportedAlgorithm, paramSet)
	}
	k := cryptobyte.String(ri.encryptedKey)
	encMAC, ok := readGOSTEncryptedKey(&k)
	if !ok || !k.Empty() || len(ri.ukm) != gost28147.UKMSize {
		return nil, errors.New("cms: malformed Gost28147-89-EncryptedKey or ukm")
	}
	kek, err := gostAgree(d, peer)(ri.ukm, 32)
	if err != nil {
		return nil, err
	}
	cek, err := unwrap(kek, append(append([]byte(nil), ri.ukm...), encMAC...), sbox)
	if err != nil {
		return nil, fmt.Errorf("%w: the GOST 28147-89 key wrap MAC does not verify", ErrKeyUnwrap)
	}
	return cek, nil
}
