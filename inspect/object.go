package inspect

import (
	"bytes"
	"crypto"
	"encoding/json"
	"rekey/cms"
	"time"

	"rekey/internal/i18n"
	"rekey/pki"
)

// Report is what Inspect found in one file.
type Report struct {
	Format  Format
	Objects []*Object // in file order; never empty
	Now     time.Time // Options.Now, the time days left count from
}

// OK reports whether every object parsed and every signature that could
// be checked verified: the condition for exit status 0.
func (r *Report) OK() bool {
	for _, o := range r.Objects {
		if len(o.Problems) > 0 {
			return false
		}
	}
	return true
}

// Problems returns every problem of the report, in object order.
func (r *Report) Problems() []Problem {
	var out []Problem
	for _, o := range r.Objects {
		out = append(out, o.Problems...)
	}
	return out
}

// Object describes one object of a file. Its JSON form is the schema of the
// package documentation: every key is always present, null when it does not
// apply to the object's type.
type Object struct {
	Type  Type `json:"type"`
	Index int  `json:"index"` // 1-based position in the file
	// PEMLabel is the PEM block's label, null for DER.
	PEMLabel *string `json:"pem_label"`

	Subject *Name   `json:"subject"`
	Issuer  *Name   `json:"issuer"`
	Serial  *string `json:"serial"`

	NotBefore   *time.Time `json:"not_before"`
	NotAfter    *time.Time `json:"not_after"`
	KeyExpires  *time.Time `json:"key_expires"`
	DaysLeft    *int       `json:"days_left"`     // whole days until not_after
	KeyDaysLeft *int       `json:"key_days_left"` // whole days until key_expires

	SignatureAlgorithm    *string    `json:"signature_algorithm"`
	SignatureAlgorithmOID *string    `json:"signature_algorithm_oid"`
	PublicKeyAlgorithm    *string    `json:"public_key_algorithm"`
	PublicKey             *PublicKey `json:"public_key"`

	// SignatureValid is true or false when the signature was checked,
	// null when no key to check it with was at hand.
	SignatureValid *bool `json:"signature_valid"`
	// SignatureCheckedWith says whose key checked it: "self", "issuer"
	// (the --issuer certificate) or "object N" (another object of the file).
	SignatureCheckedWith *string `json:"signature_checked_with"`

	Extensions *Extensions     `json:"extensions"`
	CRL        *CRLInfo        `json:"crl"`
	Encryption *Encryption     `json:"encryption"`
	PKCS12     *PKCS12Info     `json:"pkcs12"`
	CMS        *CMSInfo        `json:"cms"`
	PKIMessage *PKIMessageInfo `json:"pki_message"`

	// MatchesObject is the index of a certificate of the same file whose
	// public key is this private key's.
	MatchesObject *int `json:"matches_object"`

	Notes    []Note    `json:"notes"`
	Problems []Problem `json:"problems"`

	cert          *pki.Certificate // for signature checks within the file
	crl           *pki.CRL
	privatePublic crypto.PublicKey // a private key's public half
	signedData    *cms.SignedData  // a CMS SignedData to verify
}

// Name is a distinguished name; its JSON form is an object keyed like the
// subject JSON form of package pki ("CN", "O", "INN", "SNILS"…), with the
// dotted OID as key for attributes that form has no key for.
type Name struct {
	Subject *pki.Subject
}

// MarshalJSON writes the attributes in display order. A key that occurs
// more than once (a name with two OUs, say) is written once, at its first
// place, with an array of its values in order, so the object has no
// duplicate keys.
func (n *Name) MarshalJSON() ([]byte, error) {
	fields := n.Subject.Fields("en")
	var keys []string
	values := make(map[string][]string, len(fields))
	for _, f := range fields {
		if _, seen := values[f.Key]; !seen {
			keys = append(keys, f.Key)
		}
		values[f.Key] = append(values[f.Key], f.Value)
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, key := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := json.Marshal(key)
		if err != nil {
			return nil, err
		}
		var v []byte
		if vs := values[key]; len(vs) == 1 {
			v, err = json.Marshal(vs[0])
		} else {
			v, err = json.Marshal(vs)
		}
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// PublicKey describes a public key (or the public half of a private key).
type PublicKey struct {
	Algorithm string `json:"algorithm"`
	Bits      int    `json:"bits,omitempty"`
	Curve     string `json:"curve,omitempty"`
	CurveOID  string `json:"curve_oid,omitempty"`
	// KeyID is the SHA-1 of the subjectPublicKey bits, hex: the key
	// identifier of RFC 5280 §4.2.1.2 method 1 that CAs usually write.
	KeyID string `json:"key_id,omitempty"`
}

// Extensions are the extensions of a certificate or of a request's
// extensionRequest. Absent extensions are left out of the JSON form.
type Extensions struct {
	BasicConstraints      *BasicConstraints `json:"basic_constraints,omitempty"`
	KeyUsage              []string          `json:"key_usage,omitempty"`
	ExtKeyUsage           []string          `json:"ext_key_usage,omitempty"` // OIDs
	SubjectKeyID          string            `json:"subject_key_id,omitempty"`
	AuthorityKeyID        string            `json:"authority_key_id,omitempty"`
	Policies              []string          `json:"policies,omitempty"` // OIDs
	CRLDistributionPoints []string          `json:"crl_distribution_points,omitempty"`
	PrivateKeyUsagePeriod *Period           `json:"private_key_usage_period,omitempty"`
	SubjectSignTool       string            `json:"subject_sign_tool,omitempty"`
	IssuerSignTool        *IssuerSignTool   `json:"issuer_sign_tool,omitempty"`
	Critical              []string          `json:"critical,omitempty"` // OIDs of critical ones
	Other                 []string          `json:"other,omitempty"`    // OIDs of the rest
}

// BasicConstraints is the basicConstraints extension.
type BasicConstraints struct {
	CA         bool `json:"ca"`
	MaxPathLen *int `json:"max_path_len"`
}

// Period is a time span whose ends may be absent.
type Period struct {
	NotBefore *time.Time `json:"not_before"`
	NotAfter  *time.Time `json:"not_after"`
}

// IssuerSignTool is the issuerSignTool extension.
type IssuerSignTool struct {
	SignTool     string `json:"sign_tool"`
	CATool       string `json:"ca_tool"`
	SignToolCert string `json:"sign_tool_cert"`
	CAToolCert   string `json:"ca_tool_cert"`
}

// CRLInfo holds what a CRL says beside its issuer and signature.
type CRLInfo struct {
	ThisUpdate time.Time      `json:"this_update"`
	NextUpdate *time.Time     `json:"next_update"`
	Number     *string        `json:"number"` // decimal
	Revoked    []RevokedEntry `json:"revoked"`
}

// RevokedEntry is one revoked certificate.
type RevokedEntry struct {
	Serial string    `json:"serial"`
	Time   time.Time `json:"time"`
	Reason string    `json:"reason,omitempty"` // RFC 5280 name
}

// Encryption describes password-based encryption (PKCS#5/PKCS#12).
type Encryption struct {
	Scheme     string `json:"scheme"` // "PBES2" or the PBE's name or OID
	KDF        string `json:"kdf,omitempty"`
	PRF        string `json:"prf,omitempty"`
	Iterations int    `json:"iterations,omitempty"`
	SaltSize   int    `json:"salt_size,omitempty"`
	Cipher     string `json:"cipher,omitempty"`
	CipherOID  string `json:"cipher_oid,omitempty"`
}

// Note is information worth showing that is not a failure.
type Note struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	key     i18n.Key
	args    []any
}

// Problem is a failure: an object that does not parse, a signature that
// does not verify or cannot be verified, a wrong password.
type Problem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	key     i18n.Key
	args    []any
}

// The problem codes, stable for scripts.
const (
	CodeMalformed            = "malformed"
	CodeSignatureInvalid     = "signature_invalid"
	CodeSignatureUnsupported = "signature_unsupported"
	CodeSignatureLegacy      = "signature_legacy"
	CodeIssuerMismatch       = "issuer_mismatch"
	CodeWrongPassword        = "wrong_password"
	CodeDecryptFailed        = "decrypt_failed"
	CodeLegacyPEMEncryption  = "legacy_pem_encryption"
)

func (o *Object) problem(code string, key i18n.Key, args ...any) {
	o.Problems = append(o.Problems, Problem{Code: code, key: key, args: args})
}

func (o *Object) note(code string, key i18n.Key, args ...any) {
	o.Notes = append(o.Notes, Note{Code: code, key: key, args: args})
}

// Text returns the problem's message in lang.
func (p Problem) Text(lang i18n.Lang) string { return i18n.T(lang, p.key, p.args...) }

// Text returns the note's message in lang.
func (n Note) Text(lang i18n.Lang) string { return i18n.T(lang, n.key, n.args...) }

func ptr[T any](v T) *T { return &v }
