package inspect

import (
	"errors"
	"fmt"
	"time"

	"rekey/internal/i18n"
	"rekey/pki"
)

// Options are the inputs of Inspect besides the file's bytes.
type Options struct {
	// Now is the time validity and days left are computed at. It is
	// required: the command passes its clock, tests pin it.
	Now time.Time
	// Issuer, when set, is the certificate whose key should have signed
	// the certificates and CRLs of the file (rekey inspect --issuer).
	Issuer *pki.Certificate
	// Password, when not nil, decrypts PKCS#12 files and encrypted PKCS#8
	// keys; without it their structure is shown and nothing is decrypted.
	Password []byte
}

// Inspect detects and describes the objects in data (PEM with one or more
// blocks, DER, or DER in bare Base64) and checks every signature it can:
// a request's self-signature, a self-signed certificate's, and the
// signatures of certificates and CRLs whose issuer is opts.Issuer or
// another certificate of the same file.
//
// The error is ErrUnknownFormat (wrapped) when data holds no object rekey
// knows; everything else, such as a malformed certificate or a signature
// that does not verify, is a Problem of the Report.
func Inspect(data []byte, opts Options) (*Report, error) {
	if opts.Now.IsZero() {
		return nil, errors.New("inspect: Options.Now is required")
	}
	format, blocks, err := decode(data)
	if err != nil {
		return nil, err
	}
	r := &Report{Format: format, Now: opts.Now}
	for i, b := range blocks {
		o := describeBlock(b, &opts)
		if o == nil {
			if len(blocks) == 1 {
				return nil, fmt.Errorf("%w: %s", ErrUnknownFormat, blockName(b))
			}
			o = &Object{Type: TypeUnknown}
			o.problem(CodeMalformed, i18n.InspectUnknownBlock, b.label)
		}
		o.Index = i + 1
		if b.label != "" {
			o.PEMLabel = ptr(b.label)
		}
		r.Objects = append(r.Objects, o)
	}
	checkSignatures(r, &opts)
	matchKeys(r)
	for _, o := range r.Objects {
		o.finish()
	}
	return r, nil
}

func blockName(b block) string {
	if b.label != "" {
		return fmt.Sprintf("PEM %q", b.label)
	}
	return "DER"
}

// describeBlock parses one block by its PEM label, or by its structure when
// the label is unknown or absent. It returns nil when the type is unknown.
func describeBlock(b block, opts *Options) *Object {
	typ, known := pemTypes[b.label]
	if b.legacyEncrypted {
		o := &Object{Type: typ}
		if !known {
			o.Type = TypePrivateKey
		}
		o.problem(CodeLegacyPEMEncryption, i18n.InspectLegacyPEMEncryption)
		return o
	}
	if !known {
		typ = detect(b.der)
	}
	switch typ {
	case TypeCertificate:
		return describeCertificate(b.der, opts.Now)
	case TypeCertificateRequest:
		return describeRequest(b.der)
	case TypeCRL:
		return describeCRL(b.der)
	case TypePrivateKey:
		return describePKCS8(b.der)
	case TypeEncryptedPrivateKey:
		return describeEncryptedPKCS8(b.der, opts.Password)
	case TypeRSAPrivateKey:
		return describePKCS1(b.der)
	case TypeECPrivateKey:
		return describeSEC1(b.der)
	case TypePublicKey:
		return describeSPKI(b.der)
	case TypePKCS12:
		return describePKCS12(b.der, opts.Password, opts.Now)
	case TypeCMS:
		return describeCMS(b.der, opts.Now)
	case TypePKIMessage:
		return describePKIMessage(b.der, opts)
	}
	return nil
}

// finish gives the slices their JSON form: empty arrays, never null.
func (o *Object) finish() {
	if o.Notes == nil {
		o.Notes = []Note{}
	}
	if o.Problems == nil {
		o.Problems = []Problem{}
	}
}

// malformed returns an object of type t that did not parse.
func malformed(t Type, err error) *Object {
	o := &Object{Type: t}
	o.problem(CodeMalformed, i18n.InspectMalformed, err.Error())
	return o
}

// LoadCertificate reads the certificate of an --issuer file: the first
// certificate of PEM, or DER (bare Base64 too).
func LoadCertificate(data []byte) (*pki.Certificate, error) {
	_, blocks, err := decode(data)
	if err != nil {
		return nil, err
	}
	for _, b := range blocks {
		typ, known := pemTypes[b.label]
		if !known {
			typ = detect(b.der)
		}
		if typ == TypeCertificate {
			return pki.ParseCertificate(b.der)
		}
	}
	return nil, errors.New("inspect: no certificate found")
}
