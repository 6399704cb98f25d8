package inspect

import (
	"encoding/asn1"
	"errors"
	"math/big"
	"rekey/cms"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"rekey/internal/i18n"
	"rekey/pki"
)

// This file reads CMS (RFC 5652) structurally to say what a ContentInfo
// is, which certificates it carries and whom it names as signers or
// recipients, also for forms package cms does not read. The signatures of
// a SignedData that carries its content are checked through package cms
// (in checkSignatures); nothing is decrypted.

// CMSInfo describes a CMS ContentInfo.
type CMSInfo struct {
	ContentType    string `json:"content_type"` // "signedData", "envelopedData"…
	ContentTypeOID string `json:"content_type_oid"`
	Version        *int   `json:"version"`

	// EncapsulatedContentType is the type of the signed or digested
	// content; Detached is true when that content is not inside.
	EncapsulatedContentType string `json:"encapsulated_content_type,omitempty"`
	Detached                *bool  `json:"detached,omitempty"`
	ContentSize             *int   `json:"content_size,omitempty"`

	DigestAlgorithms []string       `json:"digest_algorithms,omitempty"`
	Certificates     []*Object      `json:"certificates"`
	CRLs             int            `json:"crls"`
	Signers          []CMSSigner    `json:"signers"`
	Recipients       []CMSRecipient `json:"recipients"`

	ContentEncryption string `json:"content_encryption,omitempty"`
}

// CMSSigner is one SignerInfo.
type CMSSigner struct {
	ID                 CMSIdentifier `json:"id"`
	DigestAlgorithm    string        `json:"digest_algorithm"`
	SignatureAlgorithm string        `json:"signature_algorithm"`
	SignedAttributes   []string      `json:"signed_attributes"`
}

// CMSRecipient is one RecipientInfo, or one recipient of a KeyAgreeRecipientInfo.
type CMSRecipient struct {
	Kind          string        `json:"kind"` // "ktri", "kari", "kekri", "pwri", "ori"
	ID            CMSIdentifier `json:"id"`
	KeyEncryption string        `json:"key_encryption"`
}

// CMSIdentifier names a certificate: by issuer and serial number or by
// subject key identifier.
type CMSIdentifier struct {
	Issuer       *Name  `json:"issuer,omitempty"`
	Serial       string `json:"serial,omitempty"`
	SubjectKeyID string `json:"subject_key_id,omitempty"`
}

var (
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidEnvelopedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 3}
	oidDigestedData  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 5}
	oidAuthEnveloped = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 23}
)

var errCMS = errors.New("malformed CMS ContentInfo")

var (
	tag0c = cbasn1.Tag(0).Constructed().ContextSpecific()
	tag1c = cbasn1.Tag(1).Constructed().ContextSpecific()
	tag0p = cbasn1.Tag(0).ContextSpecific()
)

func describeCMS(der []byte, now time.Time) *Object {
	in := cryptobyte.String(der)
	var ci, content cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !in.Empty() || !ci.ReadASN1ObjectIdentifier(&oid) {
		return malformed(TypeCMS, errCMS)
	}
	info := &CMSInfo{ContentType: algorithmName(oid), ContentTypeOID: oid.String(),
		Certificates: []*Object{}, Signers: []CMSSigner{}, Recipients: []CMSRecipient{}}
	o := &Object{Type: TypeCMS, CMS: info}
	var explicit cryptobyte.String
	if !ci.ReadASN1(&explicit, tag0c) || !explicit.ReadASN1(&content, cbasn1.SEQUENCE) {
		return malformed(TypeCMS, errCMS)
	}
	var err error
	switch {
	case oid.Equal(oidSignedData):
		err = info.readSignedData(content, now)
		if sd, perr := cms.ParseSignedData(der); perr != nil {
			err = perr
		} else if sd.Content == nil {
			o.note("cms_not_verified", i18n.InspectCMSNotVerified)
		} else {
			o.signedData = sd
		}
	case oid.Equal(oidEnvelopedData), oid.Equal(oidAuthEnveloped):
		err = info.readEnvelopedData(content)
	case oid.Equal(oidDigestedData):
		err = info.readDigestedData(content)
	default:
		var v int64
		if content.ReadASN1Int64WithTag(&v, cbasn1.INTEGER) {
			info.Version = ptr(int(v))
		}
	}
	if err != nil {
		return malformed(TypeCMS, err)
	}
	return o
}

func (info *CMSInfo) readVersion(s *cryptobyte.String) bool {
	var v int64
	if !s.ReadASN1Int64WithTag(&v, cbasn1.INTEGER) {
		return false
	}
	info.Version = ptr(int(v))
	return true
}

// readSignedData: SignedData ::= SEQUENCE { version, digestAlgorithms SET,
// encapContentInfo, certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT
// OPTIONAL, signerInfos SET }.
func (info *CMSInfo) readSignedData(sd cryptobyte.String, now time.Time) error {
	var digests, certs, crls, signers cryptobyte.String
	var hasCerts, hasCRLs bool
	if !info.readVersion(&sd) || !sd.ReadASN1(&digests, cbasn1.SET) ||
		!info.readEncapsulated(&sd) ||
		!sd.ReadOptionalASN1(&certs, &hasCerts, tag0c) ||
		!sd.ReadOptionalASN1(&crls, &hasCRLs, tag1c) ||
		!sd.ReadASN1(&signers, cbasn1.SET) {
		return errCMS
	}
	for !digests.Empty() {
		var alg cryptobyte.String
		if !digests.ReadASN1(&alg, cbasn1.SEQUENCE) {
			return errCMS
		}
		info.DigestAlgorithms = append(info.DigestAlgorithms, algName(alg))
	}
	for !certs.Empty() {
		var cert cryptobyte.String
		var tag cbasn1.Tag
		if !certs.ReadAnyASN1Element(&cert, &tag) {
			return errCMS
		}
		if tag != cbasn1.SEQUENCE {
			continue // an attribute or other certificate format
		}
		c := describeCertificate(cert, now)
		c.Index = len(info.Certificates) + 1
		c.finish()
		info.Certificates = append(info.Certificates, c)
	}
	for !crls.Empty() {
		if !skipAny(&crls) {
			return errCMS
		}
		info.CRLs++
	}
	for !signers.Empty() {
		var si cryptobyte.String
		if !signers.ReadASN1(&si, cbasn1.SEQUENCE) {
			return errCMS
		}
		s, err := readSignerInfo(si)
		if err != nil {
			return err
		}
		info.Signers = append(info.Signers, s)
	}
	return nil
}

// readEncapsulated reads EncapsulatedContentInfo ::= SEQUENCE {
// eContentType, eContent [0] EXPLICIT OCTET STRING OPTIONAL }.
func (info *CMSInfo) readEncapsulated(s *cryptobyte.String) bool {
	var eci, explicit cryptobyte.String
	var oid asn1.ObjectIdentifier
	var present bool
	if !s.ReadASN1(&eci, cbasn1.SEQUENCE) || !eci.ReadASN1ObjectIdentifier(&oid) ||
		!eci.ReadOptionalASN1(&explicit, &present, tag0c) {
		return false
	}
	info.EncapsulatedContentType = algorithmName(oid)
	info.Detached = ptr(!present)
	if present {
		var content []byte
		if !explicit.ReadASN1Bytes(&content, cbasn1.OCTET_STRING) {
			return false
		}
		info.ContentSize = ptr(len(content))
	}
	return true
}

// readSignerInfo: SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm,
// signedAttrs [0] IMPLICIT OPTIONAL, signatureAlgorithm, signature, … }.
func readSignerInfo(si cryptobyte.String) (CMSSigner, error) {
	var s CMSSigner
	var digest, attrs, sig cryptobyte.String
	var hasAttrs bool
	if !si.SkipASN1(cbasn1.INTEGER) {
		return s, errCMS
	}
	id, ok := readSignerIdentifier(&si)
	if !ok || !si.ReadASN1(&digest, cbasn1.SEQUENCE) ||
		!si.ReadOptionalASN1(&attrs, &hasAttrs, tag0c) || !si.ReadASN1(&sig, cbasn1.SEQUENCE) {
		return s, errCMS
	}
	s.ID, s.DigestAlgorithm, s.SignatureAlgorithm = id, algName(digest), algName(sig)
	s.SignedAttributes = []string{}
	for !attrs.Empty() {
		var attr cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !attrs.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) {
			return s, errCMS
		}
		s.SignedAttributes = append(s.SignedAttributes, algorithmName(oid))
	}
	return s, nil
}

// readSignerIdentifier reads IssuerAndSerialNumber or [0] IMPLICIT
// SubjectKeyIdentifier (RFC 5652 §5.3), the same forms as a KTRI's rid.
func readSignerIdentifier(s *cryptobyte.String) (CMSIdentifier, bool) {
	var id CMSIdentifier
	if s.PeekASN1Tag(cbasn1.SEQUENCE) {
		return readIssuerAndSerial(s)
	}
	var ski []byte
	if !s.ReadASN1Bytes(&ski, tag0p) {
		return id, false
	}
	id.SubjectKeyID = hexString(ski)
	return id, true
}

func readIssuerAndSerial(s *cryptobyte.String) (CMSIdentifier, bool) {
	var id CMSIdentifier
	var ias, name cryptobyte.String
	serial := new(big.Int)
	if !s.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&name, cbasn1.SEQUENCE) ||
		!ias.ReadASN1Integer(serial) {
		return id, false
	}
	subj, err := pki.ParseSubject(name)
	if err != nil {
		return id, false
	}
	id.Issuer, id.Serial = &Name{subj}, serialHex(serial)
	return id, true
}

// readEnvelopedData: EnvelopedData ::= SEQUENCE { version, originatorInfo
// [0] IMPLICIT OPTIONAL, recipientInfos SET, encryptedContentInfo, … };
// AuthEnvelopedData has the same beginning.
func (info *CMSInfo) readEnvelopedData(ed cryptobyte.String) error {
	var ris, eci, alg cryptobyte.String
	if !info.readVersion(&ed) || !ed.SkipOptionalASN1(tag0c) || !ed.ReadASN1(&ris, cbasn1.SET) ||
		!ed.ReadASN1(&eci, cbasn1.SEQUENCE) || !eci.SkipASN1(cbasn1.OBJECT_IDENTIFIER) ||
		!eci.ReadASN1(&alg, cbasn1.SEQUENCE) {
		return errCMS
	}
	info.ContentEncryption = algName(alg)
	for !ris.Empty() {
		var ri cryptobyte.String
		var tag cbasn1.Tag
		if !ris.ReadAnyASN1(&ri, &tag) {
			return errCMS
		}
		rs, ok := readRecipientInfo(ri, tag)
		if !ok {
			return errCMS
		}
		info.Recipients = append(info.Recipients, rs...)
	}
	return nil
}

func readRecipientInfo(ri cryptobyte.String, tag cbasn1.Tag) ([]CMSRecipient, bool) {
	switch tag {
	case cbasn1.SEQUENCE: // KeyTransRecipientInfo
		var alg cryptobyte.String
		if !ri.SkipASN1(cbasn1.INTEGER) {
			return nil, false
		}
		id, ok := readSignerIdentifier(&ri)
		if !ok || !ri.ReadASN1(&alg, cbasn1.SEQUENCE) {
			return nil, false
		}
		return []CMSRecipient{{Kind: "ktri", ID: id, KeyEncryption: algName(alg)}}, true
	case tag1c: // KeyAgreeRecipientInfo
		return readKARI(ri)
	case cbasn1.Tag(2).Constructed().ContextSpecific():
		return []CMSRecipient{{Kind: "kekri"}}, true
	case cbasn1.Tag(3).Constructed().ContextSpecific():
		return []CMSRecipient{{Kind: "pwri"}}, true
	case cbasn1.Tag(4).Constructed().ContextSpecific():
		return []CMSRecipient{{Kind: "ori"}}, true
	}
	return nil, false
}

// readKARI: KeyAgreeRecipientInfo ::= SEQUENCE { version, originator [0]
// EXPLICIT, ukm [1] EXPLICIT OPTIONAL, keyEncryptionAlgorithm,
// recipientEncryptedKeys SEQUENCE OF { rid, encryptedKey } }, where rid is
// IssuerAndSerialNumber or [0] IMPLICIT RecipientKeyIdentifier.
func readKARI(ri cryptobyte.String) ([]CMSRecipient, bool) {
	var alg, reks cryptobyte.String
	if !ri.SkipASN1(cbasn1.INTEGER) || !ri.SkipASN1(tag0c) || !ri.SkipOptionalASN1(tag1c) ||
		!ri.ReadASN1(&alg, cbasn1.SEQUENCE) || !ri.ReadASN1(&reks, cbasn1.SEQUENCE) {
		return nil, false
	}
	kek := algName(alg)
	var out []CMSRecipient
	for !reks.Empty() {
		var rek cryptobyte.String
		if !reks.ReadASN1(&rek, cbasn1.SEQUENCE) {
			return nil, false
		}
		r := CMSRecipient{Kind: "kari", KeyEncryption: kek}
		if rek.PeekASN1Tag(cbasn1.SEQUENCE) {
			id, ok := readIssuerAndSerial(&rek)
			if !ok {
				return nil, false
			}
			r.ID = id
		} else {
			var rki cryptobyte.String
			var ski []byte
			if !rek.ReadASN1(&rki, tag0c) || !rki.ReadASN1Bytes(&ski, cbasn1.OCTET_STRING) {
				return nil, false
			}
			r.ID.SubjectKeyID = hexString(ski)
		}
		out = append(out, r)
	}
	return out, true
}

// readDigestedData: DigestedData ::= SEQUENCE { version, digestAlgorithm,
// encapContentInfo, digest }.
func (info *CMSInfo) readDigestedData(dd cryptobyte.String) error {
	var alg cryptobyte.String
	if !info.readVersion(&dd) || !dd.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!info.readEncapsulated(&dd) || !dd.SkipASN1(cbasn1.OCTET_STRING) {
		return errCMS
	}
	info.DigestAlgorithms = []string{algName(alg)}
	return nil
}

// algName names the algorithm of an AlgorithmIdentifier's contents.
func algName(alg cryptobyte.String) string {
	var oid asn1.ObjectIdentifier
	if !alg.ReadASN1ObjectIdentifier(&oid) {
		return "?"
	}
	return algorithmName(oid)
}
