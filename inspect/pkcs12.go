package inspect

import (
	"encoding/asn1"
	"errors"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/internal/i18n"
	"rekey/pki"
)

// PKCS12Info is the structure of a PKCS#12 file (RFC 7292) and, when it was
// decrypted, its key and certificates.
type PKCS12Info struct {
	MAC   *PKCS12MAC   `json:"mac"`
	Safes []PKCS12Safe `json:"safes"`
	// Decrypted is true when a password was given and the file opened.
	Decrypted bool `json:"decrypted"`
	// Key is the public half of the private key inside (decrypted only).
	Key *PublicKey `json:"key"`
	// KeyMatchesCertificate is true when the first certificate holds the
	// key's public key (decrypted only).
	KeyMatchesCertificate *bool     `json:"key_matches_certificate"`
	Certificates          []*Object `json:"certificates"`
}

// PKCS12MAC is the integrity MAC of a PKCS#12 file.
type PKCS12MAC struct {
	Digest     string `json:"digest"`
	Iterations int    `json:"iterations"`
	SaltSize   int    `json:"salt_size"`
}

// PKCS12Safe is one ContentInfo of the AuthenticatedSafe.
type PKCS12Safe struct {
	Type       string      `json:"type"` // "data" or "encryptedData"
	Encryption *Encryption `json:"encryption,omitempty"`
	Bags       []PKCS12Bag `json:"bags"` // of a "data" safe; an encrypted one's are unseen
}

// PKCS12Bag is one SafeBag of a plain safe.
type PKCS12Bag struct {
	Type         string      `json:"type"` // "certBag", "pkcs8ShroudedKeyBag"…
	Encryption   *Encryption `json:"encryption,omitempty"`
	FriendlyName string      `json:"friendly_name,omitempty"`
	LocalKeyID   string      `json:"local_key_id,omitempty"`
	Certificate  *Object     `json:"certificate,omitempty"`
}

var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidShroudedBag   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertBag       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidFriendlyName  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
	oidLocalKeyID    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
)

var errPKCS12 = errors.New("malformed PKCS#12 file")

// describePKCS12 reads the structure of a PFX without a password: its MAC
// and, for each safe, its encryption or its bags. With a password it opens
// the file through package pki.
func describePKCS12(der []byte, password []byte, now time.Time) *Object {
	info, err := pkcs12Structure(der, now)
	if err != nil {
		return malformed(TypePKCS12, err)
	}
	o := &Object{Type: TypePKCS12, PKCS12: info}
	if password == nil {
		o.note("not_decrypted", i18n.InspectNotDecrypted)
		return o
	}
	key, certs, err := pki.ParsePKCS12(der, password)
	if err != nil {
		o.decryptProblem(err)
		return o
	}
	info.Decrypted = true
	pub := key.Public()
	spki, _ := pki.MarshalPKIXPublicKey(pub)
	info.Key = describePublicKey(pub, spki)
	info.Certificates = []*Object{}
	for i, c := range certs {
		co := describeCertificate(c, now)
		co.Index = i + 1
		co.finish()
		if i == 0 && co.cert != nil {
			info.KeyMatchesCertificate = ptr(publicKeysEqual(pub, co.cert.PublicKey))
		}
		info.Certificates = append(info.Certificates, co)
	}
	return o
}

func pkcs12Structure(der []byte, now time.Time) (*PKCS12Info, error) {
	in := cryptobyte.String(der)
	var pfx, authSafe cryptobyte.String
	var version int64
	if !in.ReadASN1(&pfx, cbasn1.SEQUENCE) || !in.Empty() ||
		!pfx.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) || version != 3 ||
		!pfx.ReadASN1(&authSafe, cbasn1.SEQUENCE) {
		return nil, errPKCS12
	}
	info := &PKCS12Info{Safes: []PKCS12Safe{}}
	var macData cryptobyte.String
	if pfx.ReadASN1(&macData, cbasn1.SEQUENCE) {
		info.MAC = readMACData(macData)
	}
	content, ok := readDataContent(authSafe)
	if !ok {
		return nil, errPKCS12
	}
	var safes cryptobyte.String
	if !content.ReadASN1(&safes, cbasn1.SEQUENCE) {
		return nil, errPKCS12
	}
	for !safes.Empty() {
		var ci cryptobyte.String
		if !safes.ReadASN1(&ci, cbasn1.SEQUENCE) {
			return nil, errPKCS12
		}
		safe, err := readSafe(ci, now)
		if err != nil {
			return nil, err
		}
		info.Safes = append(info.Safes, safe)
	}
	return info, nil
}

// readDataContent reads the OCTET STRING of a ContentInfo of type data
// (its contents, without the SEQUENCE).
func readDataContent(ci cryptobyte.String) (cryptobyte.String, bool) {
	var oid asn1.ObjectIdentifier
	var explicit cryptobyte.String
	var data []byte
	ok := ci.ReadASN1ObjectIdentifier(&oid) && oid.Equal(oidData) &&
		ci.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) &&
		explicit.ReadASN1Bytes(&data, cbasn1.OCTET_STRING)
	return cryptobyte.String(data), ok
}

func readMACData(m cryptobyte.String) *PKCS12MAC {
	var digestInfo, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	var salt []byte
	mac := &PKCS12MAC{Iterations: 1}
	if !m.ReadASN1(&digestInfo, cbasn1.SEQUENCE) || !digestInfo.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&oid) || !m.ReadASN1Bytes(&salt, cbasn1.OCTET_STRING) {
		return &PKCS12MAC{Digest: "?"}
	}
	mac.Digest, mac.SaltSize = algorithmName(oid), len(salt)
	var iter int64
	if m.ReadASN1Int64WithTag(&iter, cbasn1.INTEGER) {
		mac.Iterations = int(iter)
	}
	return mac
}

func readSafe(ci cryptobyte.String, now time.Time) (PKCS12Safe, error) {
	var oid asn1.ObjectIdentifier
	if !ci.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) {
		return PKCS12Safe{}, errPKCS12
	}
	whole := ci
	ci.ReadASN1ObjectIdentifier(&oid)
	safe := PKCS12Safe{Type: algorithmName(oid), Bags: []PKCS12Bag{}}
	switch {
	case oid.Equal(oidData):
		content, ok := readDataContent(whole)
		if !ok {
			return safe, errPKCS12
		}
		return safe, readBags(&safe, content, now)
	case oid.Equal(oidEncryptedData):
		// [0] EXPLICIT EncryptedData { version, EncryptedContentInfo {
		// contentType, contentEncryptionAlgorithm, … } }
		var explicit, ed, eci, alg cryptobyte.String
		if !ci.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
			!explicit.ReadASN1(&ed, cbasn1.SEQUENCE) || !ed.SkipASN1(cbasn1.INTEGER) ||
			!ed.ReadASN1(&eci, cbasn1.SEQUENCE) || !eci.SkipASN1(cbasn1.OBJECT_IDENTIFIER) ||
			!eci.ReadASN1Element(&alg, cbasn1.SEQUENCE) {
			return safe, errPKCS12
		}
		safe.Encryption = describeEncryption(alg)
	}
	return safe, nil
}

func readBags(safe *PKCS12Safe, content cryptobyte.String, now time.Time) error {
	var bags cryptobyte.String
	if !content.ReadASN1(&bags, cbasn1.SEQUENCE) {
		return errPKCS12
	}
	for !bags.Empty() {
		var bag, value cryptobyte.String
		var id asn1.ObjectIdentifier
		if !bags.ReadASN1(&bag, cbasn1.SEQUENCE) || !bag.ReadASN1ObjectIdentifier(&id) ||
			!bag.ReadASN1(&value, cbasn1.Tag(0).Constructed().ContextSpecific()) {
			return errPKCS12
		}
		b := PKCS12Bag{Type: algorithmName(id)}
		switch {
		case id.Equal(oidShroudedBag):
			var epki, alg cryptobyte.String
			if value.ReadASN1(&epki, cbasn1.SEQUENCE) &&
				epki.ReadASN1Element(&alg, cbasn1.SEQUENCE) {
				b.Encryption = describeEncryption(alg)
			}
		case id.Equal(oidCertBag):
			b.Certificate = readCertBag(value, now)
		}
		var attrs cryptobyte.String
		if bag.ReadASN1(&attrs, cbasn1.SET) {
			b.FriendlyName, b.LocalKeyID = readBagAttributes(attrs)
		}
		safe.Bags = append(safe.Bags, b)
	}
	return nil
}

// readCertBag describes the X.509 certificate of a CertBag, or returns nil.
func readCertBag(value cryptobyte.String, now time.Time) *Object {
	var cb, explicit cryptobyte.String
	var der []byte
	if !value.ReadASN1(&cb, cbasn1.SEQUENCE) || !cb.SkipASN1(cbasn1.OBJECT_IDENTIFIER) ||
		!cb.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!explicit.ReadASN1Bytes(&der, cbasn1.OCTET_STRING) {
		return nil
	}
	o := describeCertificate(der, now)
	o.Index = 1
	o.finish()
	return o
}

func readBagAttributes(attrs cryptobyte.String) (friendlyName, localKeyID string) {
	for !attrs.Empty() {
		var attr, values cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !attrs.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) ||
			!attr.ReadASN1(&values, cbasn1.SET) {
			return
		}
		switch {
		case oid.Equal(oidFriendlyName):
			var bmp []byte
			if values.ReadASN1Bytes(&bmp, cbasn1.Tag(30)) {
				friendlyName = decodeBMP(bmp)
			}
		case oid.Equal(oidLocalKeyID):
			var id []byte
			if values.ReadASN1Bytes(&id, cbasn1.OCTET_STRING) {
				localKeyID = hexString(id)
			}
		}
	}
	return
}

// decodeBMP decodes a BMPString (UCS-2, big-endian).
func decodeBMP(b []byte) string {
	r := make([]rune, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		r = append(r, rune(b[i])<<8|rune(b[i+1]))
	}
	return string(r)
}
