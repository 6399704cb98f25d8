package cmp

import (
	"crypto/subtle"
	"hash"

	"rekey/pki"
)

// NewCertStatus returns the certConf entry accepting cert (RFC 9810
// §5.3.18): its certHash is made with the hash of the certificate's
// signature algorithm (Streebog for GOST, SHA-2 for ECDSA and RSA). For an
// algorithm without one (Ed25519), it uses SHA-512 and sets HashAlg, which
// needs pvno 3 (RFC 9481 §2).
func NewCertStatus(cert *pki.Certificate, certReqID int64) (CertStatus, error) {
	cs := CertStatus{CertReqID: certReqID}
	h := cert.SignatureAlgorithm.NewHash()
	if h == nil {
		if cert.SignatureAlgorithm != pki.PureEd25519 {
			return cs, errorf(FailBadAlg, "cmp: no certHash algorithm for %s",
				cert.SignatureAlgorithm)
		}
		cs.HashAlg = &AlgorithmIdentifier{Algorithm: oidSHA512}
		h = lookupHash(oneWayFunctions, cs.HashAlg)()
	}
	h.Write(cert.Raw)
	cs.CertHash = h.Sum(nil)
	return cs, nil
}

// CheckHash reports whether the certHash of cs is that of cert, with
// HashAlg when present and the certificate's signature hash otherwise. The
// comparison is constant-time.
func (cs *CertStatus) CheckHash(cert *pki.Certificate) error {
	var h hash.Hash
	if cs.HashAlg != nil {
		newHash := lookupHash(oneWayFunctions, cs.HashAlg)
		if newHash == nil {
			return errorf(FailBadAlg, "cmp: unsupported certConf hashAlg %s", cs.HashAlg.Algorithm)
		}
		h = newHash()
	} else if h = cert.SignatureAlgorithm.NewHash(); h == nil {
		return errorf(FailBadAlg, "cmp: certConf without hashAlg for a %s certificate",
			cert.SignatureAlgorithm)
	}
	h.Write(cert.Raw)
	if subtle.ConstantTimeCompare(h.Sum(nil), cs.CertHash) != 1 {
		return newError(FailBadCertID, "cmp: certConf certHash does not match the certificate")
	}
	return nil
}
