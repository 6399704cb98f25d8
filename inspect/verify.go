package inspect

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"rekey/cms"

	"rekey/internal/i18n"
	"rekey/pki"
)

// checkSignatures checks the signatures of the file's certificates and
// CRLs. A certificate or CRL is checked against the first of: the --issuer
// certificate when its subject is the object's issuer name; the object
// itself when it is self-signed (same names, and key identifiers that do
// not say otherwise); another certificate of the file with that subject.
// Requests were checked when they were described. With --issuer, a file
// in which no certificate or CRL names the issuer is a problem.
func checkSignatures(r *Report, opts *Options) {
	issuerUsed, checkable := false, false
	for _, o := range r.Objects {
		if o.signedData != nil {
			o.checkSignedData(opts)
			continue
		}
		if o.cert == nil && o.crl == nil {
			continue
		}
		checkable = true
		rawIssuer, issuerName := o.issuerName()
		if opts.Issuer != nil && sameName(opts.Issuer, rawIssuer, issuerName) {
			issuerUsed = true
			o.recordCheck("issuer", o.checkFrom(opts.Issuer), o.sigAlg())
			continue
		}
		if o.cert != nil && selfSigned(o.cert) {
			o.recordCheck("self", o.cert.CheckSignatureFrom(o.cert), o.sigAlg())
			continue
		}
		for _, p := range r.Objects {
			if p != o && p.cert != nil && sameName(p.cert, rawIssuer, issuerName) {
				o.recordCheck(fmt.Sprintf("object %d", p.Index), o.checkFrom(p.cert), o.sigAlg())
				break
			}
		}
	}
	if opts.Issuer != nil && checkable && !issuerUsed {
		for _, o := range r.Objects {
			if o.cert != nil || o.crl != nil {
				_, name := o.issuerName()
				o.problem(CodeIssuerMismatch, i18n.InspectIssuerMismatch,
					opts.Issuer.Subject.String(), name.String())
				break
			}
		}
	}
}

func (o *Object) issuerName() ([]byte, *pki.Subject) {
	if o.cert != nil {
		return o.cert.RawIssuer, o.cert.Issuer
	}
	return o.crl.RawIssuer, o.crl.Issuer
}

func (o *Object) sigAlg() pki.SignatureAlgorithm {
	if o.cert != nil {
		return o.cert.SignatureAlgorithm
	}
	return o.crl.SignatureAlgorithm
}

func (o *Object) checkFrom(issuer *pki.Certificate) error {
	if o.cert != nil {
		return o.cert.CheckSignatureFrom(issuer)
	}
	return o.crl.CheckSignatureFrom(issuer)
}

// sameName reports whether c's subject is the name given raw and decoded:
// byte for byte, or failing that equal after decoding (a CA that re-encodes
// its name between certificates).
func sameName(c *pki.Certificate, raw []byte, name *pki.Subject) bool {
	return bytes.Equal(c.RawSubject, raw) || c.Subject.Equal(name)
}

// selfSigned reports whether c should verify under its own key: its names
// are the same and, when it has both key identifiers, they are the same.
// A CA's rollover certificate ("new with old") has the same names but the
// old key's identifier as its authority key identifier.
func selfSigned(c *pki.Certificate) bool {
	e := &c.Extensions
	if len(e.AuthorityKeyID) > 0 && len(e.SubjectKeyID) > 0 &&
		!bytes.Equal(e.AuthorityKeyID, e.SubjectKeyID) {
		return false
	}
	return c.IsSelfSigned()
}

// recordCheck notes the outcome of a signature check made with whose key.
func (o *Object) recordCheck(whose string, err error, alg pki.SignatureAlgorithm) {
	o.SignatureCheckedWith = ptr(whose)
	switch {
	case err == nil:
		o.SignatureValid = ptr(true)
	case errors.Is(err, pki.ErrUnsupportedAlgorithm):
		// Not checked, so neither valid nor invalid; but a signature
		// that cannot be checked fails the inspection all the same.
		name := alg.String()
		if alg == pki.UnknownSignatureAlgorithm && o.SignatureAlgorithm != nil {
			name = *o.SignatureAlgorithm
		}
		if alg == pki.GOST94WithGOST94 || alg == pki.GOST2001WithGOST94 {
			o.problem(CodeSignatureLegacy, i18n.InspectSignatureLegacy, name)
		} else {
			o.problem(CodeSignatureUnsupported, i18n.InspectSignatureUnsupported, name)
		}
	default:
		o.SignatureValid = ptr(false)
		o.problem(CodeSignatureInvalid, i18n.InspectSignatureInvalid, err.Error())
	}
}

// matchKeys links each private key of the file to the certificate of the
// same file that holds its public key.
func matchKeys(r *Report) {
	for _, o := range r.Objects {
		pub := o.privatePublic
		if pub == nil {
			continue
		}
		for _, c := range r.Objects {
			if c.cert != nil && publicKeysEqual(pub, c.cert.PublicKey) {
				o.MatchesObject = ptr(c.Index)
				break
			}
		}
	}
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	e, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && b != nil && e.Equal(b)
}

// checkSignedData verifies every signer of a CMS SignedData with the
// certificates it carries; with --issuer, the signers' certificates must
// also chain to it at the inspection time.
func (o *Object) checkSignedData(opts *Options) {
	vo := &cms.VerifyOptions{}
	whose := "signers"
	if opts.Issuer != nil {
		// The --issuer certificate may be the signer's own or its CA's.
		vo.Certificates = []*pki.Certificate{opts.Issuer}
		vo.Roots, vo.At, whose = []*pki.Certificate{opts.Issuer}, opts.Now, "issuer"
	}
	_, err := o.signedData.Verify(vo)
	if errors.Is(err, cms.ErrSignerNotFound) {
		o.note("cms_signer_not_found", i18n.InspectCMSSignerNotFound)
		return
	}
	if errors.Is(err, cms.ErrUnsupportedAlgorithm) {
		err = fmt.Errorf("%w: %v", pki.ErrUnsupportedAlgorithm, err)
	}
	o.recordCheck(whose, err, pki.UnknownSignatureAlgorithm)
}
