package pki

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// VerifyOptions are the inputs of path validation besides the leaf.
type VerifyOptions struct {
	// Roots are the trust anchors; a path must end in one of them.
	Roots []*Certificate
	// Intermediates may be used to build the path.
	Intermediates []*Certificate
	// At is the time validity is checked at. It is required: pass the
	// injected clock's now, so that tests pin time.
	At time.Time
}

// Reason says why a certificate path is not valid.
type Reason int

// The reasons, each with its own message.
const (
	Expired                    Reason = iota + 1 // the time is after notAfter
	NotYetValid                                  // the time is before notBefore
	UnknownIssuer                                // no certificate has the issuer's name and key id
	BadSignature                                 // an issuer's key does not verify the signature
	NotCA                                        // an issuer lacks basicConstraints cA
	NoCertSignUsage                              // an issuer's keyUsage lacks keyCertSign
	PathTooLong                                  // an issuer's pathLenConstraint is exceeded
	UnsupportedAlgorithm                         // a signature or key algorithm cannot be verified
	UnhandledCriticalExtension                   // a critical extension is not understood
)

var reasonMessages = map[Reason]string{
	Expired:                    "certificate has expired",
	NotYetValid:                "certificate is not yet valid",
	UnknownIssuer:              "certificate is signed by an unknown issuer",
	BadSignature:               "certificate signature does not verify",
	NotCA:                      "issuer certificate is not a CA",
	NoCertSignUsage:            "issuer key usage does not allow signing certificates",
	PathTooLong:                "certificate path exceeds the issuer's path length constraint",
	UnsupportedAlgorithm:       "certificate uses an unsupported algorithm",
	UnhandledCriticalExtension: "certificate has an unhandled critical extension",
}

// String returns the reason's message without the prefix.
func (r Reason) String() string {
	if m, ok := reasonMessages[r]; ok {
		return m
	}
	return fmt.Sprintf("reason(%d)", int(r))
}

// VerifyError is the error of Verify: a reason, the certificate it applies
// to, and detail for logs. Branch on Reason, never on the text.
type VerifyError struct {
	Reason Reason
	Cert   *Certificate // the certificate that failed (for NotCA and the like, the issuer)
	Detail string
	Err    error // the underlying error, if any
}

func (e *VerifyError) Error() string {
	msg := "pki: " + e.Reason.String()
	if e.Cert != nil && e.Cert.Subject != nil {
		msg += fmt.Sprintf(" (subject %q, serial %x)",
			e.Cert.Subject.CommonName, e.Cert.SerialNumber)
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

func (e *VerifyError) Unwrap() error { return e.Err }

// maxPathDepth bounds the search; real paths here have two or three links.
const maxPathDepth = 8

// Verify builds and checks a path from leaf to one of opts.Roots (RFC 5280
// §6.1, the parts rekey needs): issuers are found by the leaf's issuer name
// (byte-equal to the issuer's subject) and, when both are present, by
// authority and subject key identifiers; each certificate must be valid at
// opts.At; each issuer must be a CA (basicConstraints), with keyCertSign
// when it has keyUsage, within its pathLenConstraint; each signature must
// verify (GOST by rekey, ECDSA and others by the standard library). A root
// is trusted as given but must be valid at opts.At.
//
// It returns the path, leaf first, root last. When no path is valid the
// error is a *VerifyError for the most specific failure found.
func Verify(leaf *Certificate, opts VerifyOptions) ([]*Certificate, error) {
	if opts.At.IsZero() {
		return nil, errors.New("pki: verification time is required")
	}
	if err := checkCert(leaf, opts.At); err != nil {
		return nil, err
	}
	for _, r := range opts.Roots {
		if bytes.Equal(r.Raw, leaf.Raw) {
			return []*Certificate{leaf}, nil
		}
	}
	v := &verifier{opts: opts}
	if path := v.extend([]*Certificate{leaf}); path != nil {
		return path, nil
	}
	return nil, v.best
}

type verifier struct {
	opts VerifyOptions
	best *VerifyError // the most specific failure so far
}

// note keeps err if it is more specific than what was seen: any reason
// beats UnknownIssuer.
func (v *verifier) note(err *VerifyError) {
	if v.best == nil || v.best.Reason == UnknownIssuer {
		v.best = err
	}
}

// extend tries each candidate issuer of the last certificate in path and
// returns the first full path, or nil after noting why none is valid.
func (v *verifier) extend(path []*Certificate) []*Certificate {
	child := path[len(path)-1]
	if len(path) > maxPathDepth {
		v.note(&VerifyError{Reason: UnknownIssuer, Cert: child, Detail: "path too deep"})
		return nil
	}
	found := false
	for _, root := range v.opts.Roots {
		if !issuedBy(child, root) {
			continue
		}
		found = true
		if err := v.checkLink(child, root, len(path)-1); err != nil {
			v.note(err)
			continue
		}
		return append(path, root)
	}
	for _, ic := range v.opts.Intermediates {
		if !issuedBy(child, ic) || inPath(path, ic) {
			continue
		}
		found = true
		if err := v.checkLink(child, ic, len(path)-1); err != nil {
			v.note(err)
			continue
		}
		if full := v.extend(append(path[:len(path):len(path)], ic)); full != nil {
			return full
		}
	}
	if !found {
		v.note(&VerifyError{Reason: UnknownIssuer, Cert: child,
			Detail: fmt.Sprintf("no issuer %q among the given certificates",
				commonName(child.Issuer))})
	}
	return nil
}

// checkLink checks that issuer may have signed child; between issuer and
// the leaf are the given number of intermediate certificates, which the
// issuer's pathLenConstraint bounds (RFC 5280 §4.2.1.9).
func (v *verifier) checkLink(child, issuer *Certificate, intermediates int) *VerifyError {
	if err := checkCert(issuer, v.opts.At); err != nil {
		return err
	}
	bc := issuer.Extensions.BasicConstraints
	if bc == nil || !bc.IsCA {
		return &VerifyError{Reason: NotCA, Cert: issuer}
	}
	if ku := issuer.Extensions.KeyUsage; ku != 0 && ku&x509.KeyUsageCertSign == 0 {
		return &VerifyError{Reason: NoCertSignUsage, Cert: issuer}
	}
	if bc.MaxPathLen >= 0 && intermediates > bc.MaxPathLen {
		return &VerifyError{Reason: PathTooLong, Cert: issuer,
			Detail: fmt.Sprintf("pathLenConstraint %d", bc.MaxPathLen)}
	}
	if err := child.CheckSignatureFrom(issuer); err != nil {
		reason := BadSignature
		if errors.Is(err, ErrUnsupportedAlgorithm) {
			reason = UnsupportedAlgorithm
		}
		return &VerifyError{Reason: reason, Cert: child, Detail: err.Error(), Err: err}
	}
	return nil
}

// checkCert checks one certificate on its own: validity at t and critical
// extensions.
func checkCert(c *Certificate, t time.Time) *VerifyError {
	const layout = "2006-01-02 15:04:05 UTC"
	if t.After(c.NotAfter) {
		return &VerifyError{Reason: Expired, Cert: c,
			Detail: "not after " + c.NotAfter.UTC().Format(layout)}
	}
	if t.Before(c.NotBefore) {
		return &VerifyError{Reason: NotYetValid, Cert: c,
			Detail: "not before " + c.NotBefore.UTC().Format(layout)}
	}
	for _, x := range c.Extensions.Extra {
		if x.Critical {
			return &VerifyError{Reason: UnhandledCriticalExtension, Cert: c, Detail: x.Id.String()}
		}
	}
	return nil
}

// issuedBy reports whether issuer's name is child's issuer name and, when
// both carry key identifiers, the identifiers agree.
func issuedBy(child, issuer *Certificate) bool {
	if !bytes.Equal(child.RawIssuer, issuer.RawSubject) {
		return false
	}
	aki, ski := child.Extensions.AuthorityKeyID, issuer.Extensions.SubjectKeyID
	return aki == nil || ski == nil || bytes.Equal(aki, ski)
}

func inPath(path []*Certificate, c *Certificate) bool {
	for _, p := range path {
		if bytes.Equal(p.Raw, c.Raw) {
			return true
		}
	}
	return false
}

func commonName(s *Subject) string {
	if s == nil {
		return ""
	}
	return s.CommonName
}
