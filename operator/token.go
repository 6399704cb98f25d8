package operator

import (
	"crypto"
	"errors"
	"io"
	"math/big"
	"slices"
	"sync/atomic"

	"rekey/pki"
)

// errTokenUsed is returned by a second use of an issuance token.
var errTokenUsed = errors.New("operator: internal error: issuance token used twice")

// issuanceToken binds one validated template to exactly one signature. The
// only way to make one is prepare, which validates the template and keeps
// a private copy of it; the only way to sign a certificate is sign, which
// refuses a second call. So nothing is signed that was not validated, and
// nothing validated is signed twice.
type issuanceToken struct {
	ca   *CA
	tmpl *pki.Template
	used atomic.Bool
}

// prepare validates tmpl and returns the token that may sign it once.
func (ca *CA) prepare(tmpl *pki.Template) (*issuanceToken, error) {
	t := cloneTemplate(tmpl)
	if err := ca.validateTemplate(t); err != nil {
		return nil, err
	}
	return &issuanceToken{ca: ca, tmpl: t}, nil
}

// sign signs the token's template with the CA key. The signer it hands to
// pki signs once at most, so not even pki can use the token for two
// signatures.
func (t *issuanceToken) sign() ([]byte, error) {
	if !t.used.CompareAndSwap(false, true) {
		return nil, errTokenUsed
	}
	s := &onceSigner{Signer: t.ca.signer}
	return pki.CreateCertificate(t.tmpl, t.ca.cert, nil, s)
}

// template returns the token's template, for the checks after signing.
func (t *issuanceToken) template() *pki.Template { return t.tmpl }

// onceSigner passes one Sign call to its Signer and refuses the others.
type onceSigner struct {
	crypto.Signer
	used atomic.Bool
}

func (s *onceSigner) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if !s.used.CompareAndSwap(false, true) {
		return nil, errTokenUsed
	}
	return s.Signer.Sign(rand, digest, opts)
}

// cloneTemplate copies every field a caller could still change.
func cloneTemplate(t *pki.Template) *pki.Template {
	c := *t
	if t.SerialNumber != nil {
		c.SerialNumber = new(big.Int).Set(t.SerialNumber)
	}
	if t.Subject != nil {
		s := *t.Subject
		s.Other = slices.Clone(t.Subject.Other)
		c.Subject = &s
	}
	c.RawSubject = slices.Clone(t.RawSubject)
	c.RawSubjectPublicKeyInfo = slices.Clone(t.RawSubjectPublicKeyInfo)
	e := &c.Extensions
	if e.BasicConstraints != nil {
		bc := *e.BasicConstraints
		e.BasicConstraints = &bc
	}
	if e.PrivateKeyUsagePeriod != nil {
		p := *e.PrivateKeyUsagePeriod
		e.PrivateKeyUsagePeriod = &p
	}
	if e.IssuerSignTool != nil {
		ist := *e.IssuerSignTool
		e.IssuerSignTool = &ist
	}
	e.ExtKeyUsage = slices.Clone(e.ExtKeyUsage)
	e.Policies = slices.Clone(e.Policies)
	e.CRLDistributionPoints = slices.Clone(e.CRLDistributionPoints)
	e.SubjectKeyID = slices.Clone(e.SubjectKeyID)
	e.AuthorityKeyID = slices.Clone(e.AuthorityKeyID)
	e.Extra = slices.Clone(e.Extra)
	return &c
}
