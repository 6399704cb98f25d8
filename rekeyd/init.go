package rekeyd

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"rekey/operator"
	"rekey/pki"
	"rekey/store"
)

// InitOptions describe a new operator directory.
type InitOptions struct {
	// Profile is the CA's algorithm profile (default gost2012-256).
	Profile string
	// Approval is operator.ApprovalManual (default) or ApprovalAuto.
	Approval string
	// Database is the DSN; "sqlite:rekeyd.db" in the directory when empty.
	Database string
	// CAName is the CA's common name (default "rekey CA").
	CAName string
	// CAKey is empty for a key file, or a pkcs11: URI of a key to
	// generate in an HSM (ECDSA P-256 only).
	CAKey string
	// Password encrypts the CA key file, or is the HSM's PIN. Required.
	Password func() ([]byte, error)
	// URL is the CMP address written into subscribers' media (default
	// http://127.0.0.1:8080/.well-known/cmp); Listen is serve's default
	// address (default 127.0.0.1:8080).
	URL, Listen string
	// Operator, when set, is the policy to start from instead of the
	// defaults; Profile, Approval and CAName above override its fields.
	Operator *operator.Config
	// CAValidity is the CA certificate's lifetime (default 10 years).
	CAValidity time.Duration
	// KeyEncryption tunes the key file's encryption (tests use few
	// iterations); nil means the profile's defaults.
	KeyEncryption *pki.KeyEncryptionOptions
	// Now is the clock (time.Now when nil); Rand the randomness
	// (crypto/rand when nil).
	Now  func() time.Time
	Rand io.Reader
}

// Defaults of InitOptions.
const (
	DefaultListen     = "127.0.0.1:8080"
	DefaultCAValidity = 10 * 365 * 24 * time.Hour
)

// ErrExists is returned by Init for a directory that already holds an
// operator.
var ErrExists = errors.New("rekeyd: the directory already holds an operator")

// Init creates the operator's directory dir: the config, the CA key (a
// file, or generated in the HSM), the self-signed CA certificate and the
// database, and audits the CA's creation. It refuses a directory that
// already has a config.
func Init(ctx context.Context, dir string, o *InitOptions) (*Config, error) {
	if o.Password == nil {
		return nil, errors.New("rekeyd: init needs a CA key password (or the HSM's PIN)")
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	cfg, err := o.config()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("rekeyd: creating %s: %w", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrExists, dir)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("rekeyd: %w", err)
	}
	profile, err := pki.ProfileByName(cfg.Operator.Profile)
	if err != nil {
		return nil, fmt.Errorf("rekeyd: %w", err)
	}
	password, err := o.Password()
	if err != nil {
		return nil, err
	}
	if len(password) == 0 {
		return nil, errors.New("rekeyd: the CA key password is empty")
	}

	// 1. The key: a file or the HSM.
	signer, keyPEM, closeKey, err := o.newKey(profile, password)
	if err != nil {
		return nil, err
	}
	defer closeKey()

	// 2. The self-signed CA certificate.
	caDER, err := newCACertificate(cfg.Operator.CAName, signer, now(), o.validity(), o.Rand)
	if err != nil {
		return nil, err
	}

	// 3. The files; the key first, so that a certificate never exists
	// without its key. A failed init removes what it wrote, so that it
	// can be run again.
	var written []string
	ok := false
	defer func() {
		for _, p := range written {
			if !ok {
				os.Remove(p)
			}
		}
	}()
	if keyPEM != nil {
		p := filepath.Join(dir, CAKeyFile)
		if err := writeNew(p, keyPEM, 0o600); err != nil {
			return nil, err
		}
		written = append(written, p)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	p := filepath.Join(dir, CACertFile)
	if err := writeNew(p, certPEM, 0o644); err != nil {
		return nil, err
	}
	written = append(written, p)

	// The key of the one-time secrets waiting in the database.
	p = filepath.Join(dir, SecretsKeyFile)
	if _, err := createSecretsKey(p, o.Rand); err != nil {
		return nil, err
	}
	written = append(written, p)

	// 4. The database, migrated, with the first audit record.
	st, err := store.Open(ctx, cfg.dsn(dir))
	if err != nil {
		return nil, fmt.Errorf("rekeyd: opening the database: %w", err)
	}
	defer st.Close()
	details, _ := json.Marshal(map[string]string{
		"ca": cfg.Operator.CAName, "profile": cfg.Operator.Profile,
		"cert_sha256": hexSum(caDER), "key": keyLocation(cfg.CAKey),
	})
	if _, err := st.AppendAudit(ctx, store.AuditEntry{At: now().UTC(), Actor: "office",
		Action: AuditCAInit, Object: "ca", Details: details}); err != nil {
		return nil, fmt.Errorf("rekeyd: auditing the CA's creation: %w", err)
	}

	// 5. The config last: its presence says the directory is complete.
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("rekeyd: internal error: encoding config: %v", err)
	}
	if err := writeNew(filepath.Join(dir, ConfigFile), append(data, '\n'), 0o600); err != nil {
		return nil, err
	}
	ok = true
	return cfg, nil
}

// Audit actions of package rekeyd (besides those of package operator).
const (
	AuditCAInit             = "ca.init"
	AuditEnrolled           = "subscriber.enrolled"
	AuditSecretIssued       = "secret.issued"
	AuditSecretUsed         = "secret.used"
	AuditConfirmed          = "certificate.confirmed"
	AuditConfirmRejected    = "certificate.rejected"
	AuditRevokeBefore       = "revoke.before"
	AuditRevokeAfter        = "revoke.after"
	AuditCRLSigned          = "crl.signed"
	AuditEnrollmentRefused  = "enrollment.refused"
	AuditEnrollmentAccepted = "enrollment.accepted"
	AuditCMPRefused         = "cmp.refused"
)

func keyLocation(k string) string {
	if strings.HasPrefix(k, "pkcs11:") {
		return "pkcs11"
	}
	return "file"
}

func (o *InitOptions) validity() time.Duration {
	if o.CAValidity > 0 {
		return o.CAValidity
	}
	return DefaultCAValidity
}

// config builds the config file of o.
func (o *InitOptions) config() (*Config, error) {
	var op operator.Config
	if o.Operator != nil {
		op = *o.Operator
	}
	if o.Profile != "" && o.Profile != op.Profile {
		// Key profiles that were only the old profile's default (a config
		// from operator.DefaultConfig) follow the new profile; a list
		// chosen on purpose stays.
		if len(op.KeyProfiles) == 1 && op.KeyProfiles[0] == op.Profile {
			op.KeyProfiles = nil
		}
		op.Profile = o.Profile
	}
	if o.Approval != "" {
		op.Approval = o.Approval
	}
	if o.CAName != "" {
		op.CAName = o.CAName
	}
	op.ApplyDefaults()
	c := &Config{Operator: op, Database: o.Database, CAKey: o.CAKey, URL: o.URL,
		Listen: o.Listen}
	if c.Database == "" {
		c.Database = "sqlite:" + DBFile
	}
	if c.CAKey == "" {
		c.CAKey = CAKeyFile
	}
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.URL == "" {
		c.URL = "http://" + c.Listen + "/.well-known/cmp"
	}
	if strings.HasPrefix(c.CAKey, "pkcs11:") && op.Profile != pki.ProfileECDSA.Name {
		return nil, fmt.Errorf("rekeyd: a CA key in an HSM must be %s, not %s: "+
			"init with --profile %s, or keep a %s CA key in a file",
			pki.ProfileECDSA.Name, op.Profile, pki.ProfileECDSA.Name, op.Profile)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// newKey generates the CA key: in the HSM (no PEM) or in memory with its
// encrypted PEM.
func (o *InitOptions) newKey(profile *pki.Profile, password []byte) (
	crypto.Signer, []byte, func(), error) {
	if strings.HasPrefix(o.CAKey, "pkcs11:") {
		u, err := ParsePKCS11URI(o.CAKey)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("rekeyd: --ca-key: %w", err)
		}
		pin := password
		if u.PINSource != "" {
			if pin, err = u.pin(nil); err != nil {
				return nil, nil, nil, err
			}
		}
		k, err := generateHSMKey(u, pin)
		if err != nil {
			return nil, nil, nil, err
		}
		return k, nil, func() { k.Close() }, nil
	}
	key, err := profile.GenerateKey(o.Rand)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("rekeyd: generating the CA key: %w", err)
	}
	var enc pki.KeyEncryptionOptions
	if o.KeyEncryption != nil {
		enc = *o.KeyEncryption
	}
	enc.Rand = o.Rand
	keyPEM, _, err := pki.MarshalPrivateKeyPEM(key, password, &enc)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("rekeyd: encrypting the CA key: %w", err)
	}
	return key, keyPEM, func() {}, nil
}

// newCACertificate makes the self-signed CA certificate of signer.
func newCACertificate(name string, signer crypto.Signer, now time.Time,
	validity time.Duration, random io.Reader) ([]byte, error) {
	serial, err := pki.RandomSerial(random)
	if err != nil {
		return nil, fmt.Errorf("rekeyd: CA serial: %w", err)
	}
	now = now.UTC().Truncate(time.Second)
	tmpl := &pki.Template{
		SerialNumber: serial,
		Subject:      &pki.Subject{CommonName: name, Organization: name, Country: "RU"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(validity),
		Extensions: pki.Extensions{
			BasicConstraints: &pki.BasicConstraints{IsCA: true, MaxPathLen: 0},
			KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign |
				x509.KeyUsageDigitalSignature,
		},
	}
	der, err := pki.CreateCertificate(tmpl, nil, signer.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("rekeyd: CA certificate: %w", err)
	}
	return der, nil
}

// writeNew writes a file that must not exist yet, and syncs it.
func writeNew(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("rekeyd: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("rekeyd: writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("rekeyd: writing %s: %w", path, err)
	}
	return f.Close()
}
