package inspect

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/internal/i18n"
	"rekey/pki"
)

// describePKCS8 describes an unencrypted PrivateKeyInfo by its public half;
// the private key itself is never shown.
func describePKCS8(der []byte) *Object {
	o := &Object{Type: TypePrivateKey}
	k, err := pki.ParsePKCS8PrivateKey(der)
	if err != nil {
		oid, ok := pkcs8Algorithm(der)
		if !ok {
			return malformed(TypePrivateKey, err)
		}
		// A well-formed key of an algorithm rekey does not use: name it.
		o.PublicKeyAlgorithm = ptr(algorithmName(oid))
		o.PublicKey = &PublicKey{Algorithm: *o.PublicKeyAlgorithm}
		o.note("key_not_usable", i18n.InspectKeyNotUsable, err.Error())
		return o
	}
	o.setPrivateKey(k)
	o.note("unencrypted", i18n.InspectKeyUnencrypted)
	return o
}

func (o *Object) setPrivateKey(k crypto.Signer) {
	pub := k.Public()
	spki, _ := pki.MarshalPKIXPublicKey(pub)
	o.PublicKey = describePublicKey(pub, spki)
	o.PublicKeyAlgorithm = ptr(o.PublicKey.Algorithm)
	o.privatePublic = pub
}

// pkcs8Algorithm reads the algorithm OID of a PrivateKeyInfo.
func pkcs8Algorithm(der []byte) (asn1.ObjectIdentifier, bool) {
	in := cryptobyte.String(der)
	var info, alg cryptobyte.String
	var version int64
	var oid asn1.ObjectIdentifier
	ok := in.ReadASN1(&info, cbasn1.SEQUENCE) &&
		info.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) &&
		info.ReadASN1(&alg, cbasn1.SEQUENCE) && alg.ReadASN1ObjectIdentifier(&oid)
	return oid, ok
}

// describeEncryptedPKCS8 shows the encryption of an EncryptedPrivateKeyInfo
// and, given a password, the key inside.
func describeEncryptedPKCS8(der []byte, password []byte) *Object {
	in := cryptobyte.String(der)
	var seq, alg cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Element(&alg, cbasn1.SEQUENCE) ||
		!seq.SkipASN1(cbasn1.OCTET_STRING) || !seq.Empty() || !in.Empty() {
		return malformed(TypeEncryptedPrivateKey, errors.New("malformed EncryptedPrivateKeyInfo"))
	}
	o := &Object{Type: TypeEncryptedPrivateKey, Encryption: describeEncryption(alg)}
	if password == nil {
		o.note("not_decrypted", i18n.InspectNotDecrypted)
		return o
	}
	k, err := pki.ParseEncryptedPKCS8PrivateKey(der, password)
	if err != nil {
		o.decryptProblem(err)
		return o
	}
	o.setPrivateKey(k)
	return o
}

func (o *Object) decryptProblem(err error) {
	switch {
	case errors.Is(err, pki.ErrWrongPassword):
		o.problem(CodeWrongPassword, i18n.InspectWrongPassword)
	default:
		o.problem(CodeDecryptFailed, i18n.InspectDecryptFailed, err.Error())
	}
}

// describeEncryption decodes a password-based encryption
// AlgorithmIdentifier: PBES2 with PBKDF2 in full, any other by name.
func describeEncryption(algElem cryptobyte.String) *Encryption {
	var alg, params, kdf, kdfParams, enc cryptobyte.String
	var oid, kdfOID, encOID asn1.ObjectIdentifier
	if !algElem.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return &Encryption{Scheme: "?"}
	}
	e := &Encryption{Scheme: algorithmName(oid)}
	if !oid.Equal(oidPBES2) {
		return e
	}
	if !alg.ReadASN1(&params, cbasn1.SEQUENCE) || !params.ReadASN1(&kdf, cbasn1.SEQUENCE) ||
		!params.ReadASN1(&enc, cbasn1.SEQUENCE) || !kdf.ReadASN1ObjectIdentifier(&kdfOID) ||
		!enc.ReadASN1ObjectIdentifier(&encOID) {
		return e
	}
	e.KDF = algorithmName(kdfOID)
	e.Cipher, e.CipherOID = algorithmName(encOID), encOID.String()
	if !kdfOID.Equal(oidPBKDF2) || !kdf.ReadASN1(&kdfParams, cbasn1.SEQUENCE) {
		return e
	}
	var salt []byte
	var iter int64
	if kdfParams.ReadASN1Bytes(&salt, cbasn1.OCTET_STRING) {
		e.SaltSize = len(salt)
	}
	if kdfParams.ReadASN1Int64WithTag(&iter, cbasn1.INTEGER) {
		e.Iterations = int(iter)
	}
	kdfParams.SkipOptionalASN1(cbasn1.INTEGER) // keyLength
	e.PRF = "HMAC-SHA-1"                       // the default of RFC 8018 §A.2
	var prf cryptobyte.String
	var prfOID asn1.ObjectIdentifier
	if kdfParams.ReadASN1(&prf, cbasn1.SEQUENCE) && prf.ReadASN1ObjectIdentifier(&prfOID) {
		e.PRF = algorithmName(prfOID)
	}
	return e
}

// describePKCS1 describes an "RSA PRIVATE KEY" (PKCS#1), which rekey reads
// only to show.
func describePKCS1(der []byte) *Object {
	k, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		return malformed(TypeRSAPrivateKey, err)
	}
	o := &Object{Type: TypeRSAPrivateKey}
	o.setPrivateKey(k)
	o.note("unencrypted", i18n.InspectKeyUnencrypted)
	return o
}

// describeSEC1 describes an "EC PRIVATE KEY" (SEC 1, RFC 5915).
func describeSEC1(der []byte) *Object {
	k, err := x509.ParseECPrivateKey(der)
	if err != nil {
		return malformed(TypeECPrivateKey, err)
	}
	o := &Object{Type: TypeECPrivateKey}
	o.setPrivateKey(k)
	o.note("unencrypted", i18n.InspectKeyUnencrypted)
	return o
}

func describeSPKI(der []byte) *Object {
	o := &Object{Type: TypePublicKey}
	pub, err := pki.ParsePKIXPublicKey(der)
	if err != nil && !errors.Is(err, pki.ErrUnsupportedAlgorithm) {
		return malformed(TypePublicKey, err)
	}
	o.PublicKey = describePublicKey(pub, der)
	o.PublicKeyAlgorithm = ptr(o.PublicKey.Algorithm)
	return o
}
