package operator

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"rekey/pki"
)

// Options are the run-time inputs of NewCA besides the certificate and the
// key.
type Options struct {
	// Config is the operator's configuration with defaults applied; it is
	// validated again by NewCA.
	Config Config
	// Now is the clock. It is required, so that every time the operator
	// uses is the one tests pin.
	Now func() time.Time
	// Rand is the source of serial numbers and of the self-test digest;
	// nil means crypto/rand.Reader.
	Rand io.Reader
}

// CA is the certification authority: its certificate, its key (reached only
// through crypto.Signer), its profile and the issuance path. A CA is safe
// for concurrent use.
type CA struct {
	cert    *pki.Certificate
	signer  crypto.Signer
	profile *pki.Profile
	cfg     Config
	keys    []keyProfile
	loc     *time.Location
	ledger  Ledger
	now     func() time.Time
	rand    io.Reader
}

// NewCA returns the CA of the certificate certDER and the signer holding
// its key, which may be a file key, a PKCS#11 key or any crypto.Signer.
// It checks that the certificate may issue certificates, that its key is
// of the configured profile and is the signer's, and self-tests the key:
// it signs a random message and verifies the signature with the
// certificate's public key, so a wrong or broken key is found at start-up
// rather than at the first issuance.
func NewCA(certDER []byte, signer crypto.Signer, ledger Ledger, opts Options) (*CA, error) {
	if opts.Now == nil {
		return nil, errors.New("operator: no clock")
	}
	if signer == nil || ledger == nil {
		return nil, errors.New("operator: a CA needs a signer and a ledger")
	}
	if err := opts.Config.Validate(); err != nil {
		return nil, err
	}
	cert, err := pki.ParseCertificate(certDER)
	if err != nil {
		return nil, fmt.Errorf("operator: CA certificate: %w", err)
	}
	profile, err := caProfile(cert, opts.Config.Profile)
	if err != nil {
		return nil, err
	}
	ca := &CA{
		cert: cert, signer: signer, profile: profile, cfg: opts.Config,
		ledger: ledger, now: opts.Now, rand: opts.Rand,
	}
	if ca.rand == nil {
		ca.rand = rand.Reader
	}
	for _, k := range opts.Config.KeyProfiles {
		kp, err := parseKeyProfile(k)
		if err != nil {
			return nil, configError("key_profiles", err.Error())
		}
		ca.keys = append(ca.keys, kp)
	}
	if ca.loc, err = opts.Config.location(); err != nil {
		return nil, err
	}
	if err := ca.selfTest(); err != nil {
		return nil, err
	}
	return ca, nil
}

// LoadCAFiles reads the CA certificate (PEM or DER) and its private key
// (PEM, decrypted with password when encrypted) and calls NewCA.
func LoadCAFiles(certFile, keyFile string, password []byte, ledger Ledger,
	opts Options) (*CA, error) {
	certData, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("operator: reading CA certificate: %w", err)
	}
	if b, _ := pem.Decode(certData); b != nil {
		if b.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("operator: %s holds a %q block, not a certificate",
				certFile, b.Type)
		}
		certData = b.Bytes
	}
	keyData, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("operator: reading CA key: %w", err)
	}
	signer, err := pki.ParsePrivateKeyPEM(keyData, password)
	if err != nil {
		return nil, fmt.Errorf("operator: CA key %s: %w", keyFile, err)
	}
	return NewCA(certData, signer, ledger, opts)
}

// caProfile checks that cert may issue certificates and that its key is of
// the configured profile, and returns the key's profile.
func caProfile(cert *pki.Certificate, name string) (*pki.Profile, error) {
	bc := cert.Extensions.BasicConstraints
	if bc == nil || !bc.IsCA {
		return nil, errors.New("operator: the CA certificate is not a CA certificate")
	}
	if ku := cert.Extensions.KeyUsage; ku != 0 && ku&x509.KeyUsageCertSign == 0 {
		return nil, errors.New("operator: the CA certificate may not sign certificates")
	}
	profile, err := pki.ProfileOf(cert.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("operator: CA key: %w", err)
	}
	if profile.Name != name {
		return nil, fmt.Errorf("operator: the CA key is %s, the config says %s",
			profile.Name, name)
	}
	return profile, nil
}

// selfTest checks that the signer holds the certificate's key: the public
// keys agree, and a signature over a random message verifies with the
// certificate's key.
func (ca *CA) selfTest() error {
	certKey, err := pki.MarshalPKIXPublicKey(ca.cert.PublicKey)
	if err != nil {
		return fmt.Errorf("operator: CA self-test: %w", err)
	}
	signerKey, err := pki.MarshalPKIXPublicKey(ca.signer.Public())
	if err != nil || !bytes.Equal(certKey, signerKey) {
		return errors.New("operator: CA self-test: the key is not the certificate's key")
	}
	msg := make([]byte, 32)
	if _, err := io.ReadFull(ca.rand, msg); err != nil {
		return fmt.Errorf("operator: CA self-test: reading random: %w", err)
	}
	alg := ca.profile.SignatureAlgorithm
	h := alg.NewHash()
	h.Write(msg)
	sig, err := ca.signer.Sign(ca.rand, h.Sum(nil), signerOpts(ca.profile))
	if err != nil {
		return fmt.Errorf("operator: CA self-test: signing: %w", err)
	}
	if err := pki.CheckSignature(alg, ca.cert.PublicKey, msg, sig); err != nil {
		return fmt.Errorf("operator: CA self-test: %w", err)
	}
	return nil
}

// signerOpts are the crypto.SignerOpts pki passes to a signer of profile.
func signerOpts(p *pki.Profile) crypto.SignerOpts {
	if p.Curve != nil {
		return pki.StreebogSignerOpts{Size: p.Curve.Size()}
	}
	return crypto.SHA256
}

// Certificate returns the CA certificate.
func (ca *CA) Certificate() *pki.Certificate { return ca.cert }

// Profile returns the CA key's profile.
func (ca *CA) Profile() *pki.Profile { return ca.profile }

// Config returns the configuration the CA runs with.
func (ca *CA) Config() Config { return ca.cfg }

// Location returns the configured time zone.
func (ca *CA) Location() *time.Location { return ca.loc }

// Signer returns the CA's key for other signatures of the CA, such as
// CRLs and CMP responses.
func (ca *CA) Signer() crypto.Signer { return ca.signer }
