package rekeyd

import (
	"context"
	"crypto"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"rekey/cmp"
	"rekey/operator"
	"rekey/pki"
	"rekey/store"
	_ "rekey/store/postgres" // the postgres:// engine
	_ "rekey/store/sqlite"   // the default engine
)

// OpenOptions are the run-time inputs of Open.
type OpenOptions struct {
	// Password gives the CA key file's password or the HSM's PIN; it is
	// called only when the CA key is loaded.
	Password func() ([]byte, error)
	// NoCA opens the directory without the CA key: for the commands
	// that sign nothing (requests, approve, reject, subscribers, audit).
	NoCA bool
	// Now is the clock (time.Now when nil). Rand is the randomness
	// (crypto/rand when nil). Logger receives the JSON log events
	// (slog.Default when nil).
	Now    func() time.Time
	Rand   io.Reader
	Logger *slog.Logger
}

// Operator is an opened operator directory: its config, its database and,
// unless opened with NoCA, its CA. It is safe for concurrent use. Close
// it when done.
type Operator struct {
	Dir    string
	Config *Config
	Store  store.Store
	// CACert is the CA certificate, always loaded.
	CACert *pki.Certificate

	ca       *operator.CA // nil with NoCA
	renewals *operator.Renewals
	signer   crypto.Signer
	closeKey func()
	now      func() time.Time
	rand     io.Reader
	log      *slog.Logger
	metrics  *Metrics

	cmpOnce sync.Once
	cmp     *cmp.Server
	cmpErr  error

	crlMu    sync.Mutex
	crl      []byte
	crlAt    time.Time
	crlStale bool

	secretsMu sync.Mutex
	secrets   cipher.AEAD // of SecretsKeyFile, once read
}

// wrapStore, when set (by tests only), wraps the store Open opens.
var wrapStore func(store.Store) store.Store

// ErrNoCA is returned by operations that sign when the Operator was
// opened with NoCA.
var ErrNoCA = errors.New("rekeyd: this operation signs: open the operator with its CA key")

// Open opens the operator directory dir: the config, the database and,
// unless o.NoCA, the CA key, self-tested by operator.NewCA.
func Open(ctx context.Context, dir string, o *OpenOptions) (*Operator, error) {
	if o == nil {
		o = &OpenOptions{}
	}
	cfg, err := LoadConfig(dir)
	if err != nil {
		return nil, err
	}
	op := &Operator{Dir: dir, Config: cfg, now: o.Now, rand: o.Rand, log: o.Logger,
		closeKey: func() {}}
	if op.now == nil {
		op.now = time.Now
	}
	if op.log == nil {
		op.log = slog.Default()
	}
	if op.CACert, err = readCertificate(filepath.Join(dir, CACertFile)); err != nil {
		return nil, err
	}
	if op.Store, err = store.Open(ctx, cfg.dsn(dir)); err != nil {
		return nil, fmt.Errorf("rekeyd: opening the database: %w", err)
	}
	if wrapStore != nil {
		op.Store = wrapStore(op.Store)
	}
	if !o.NoCA {
		if err := op.loadCA(o.Password); err != nil {
			op.Store.Close()
			return nil, err
		}
	}
	op.metrics = newMetrics(op)
	return op, nil
}

// loadCA loads the CA key and builds the CA, the policy and the queue.
func (op *Operator) loadCA(password func() ([]byte, error)) error {
	signer, closeKey, err := op.loadKey(password)
	if err != nil {
		return err
	}
	// The operator package sees the store through unitStore, so that its
	// transactions carry the writes the CMP message queued (unit.go).
	st := unitStore{op.Store}
	ca, err := operator.NewCA(op.CACert.Raw, signer, st, operator.Options{
		Config: op.Config.Operator, Now: op.now, Rand: op.rand})
	if err != nil {
		closeKey()
		return fmt.Errorf("rekeyd: %w", err)
	}
	op.ca, op.signer, op.closeKey = ca, signer, closeKey
	op.renewals = operator.NewRenewals(ca, st)
	return nil
}

func (op *Operator) loadKey(password func() ([]byte, error)) (crypto.Signer, func(), error) {
	if strings.HasPrefix(op.Config.CAKey, "pkcs11:") {
		u, err := ParsePKCS11URI(op.Config.CAKey)
		if err != nil {
			return nil, nil, fmt.Errorf("rekeyd: ca_key: %w", err)
		}
		pin, err := u.pin(password)
		if err != nil {
			return nil, nil, err
		}
		k, err := loadHSMKey(u, pin)
		if err != nil {
			return nil, nil, err
		}
		return k, func() { k.Close() }, nil
	}
	path := filepath.Join(op.Dir, op.Config.CAKey)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("rekeyd: reading the CA key: %w", err)
	}
	var pw []byte
	if pki.IsEncryptedPrivateKeyPEM(data) {
		if password == nil {
			return nil, nil, errors.New("rekeyd: the CA key is encrypted and no password was given")
		}
		if pw, err = password(); err != nil {
			return nil, nil, err
		}
	}
	key, err := pki.ParsePrivateKeyPEM(data, pw)
	if err != nil {
		return nil, nil, fmt.Errorf("rekeyd: the CA key %s: %w", path, err)
	}
	return key, func() {}, nil
}

// Close closes the database and the HSM session.
func (op *Operator) Close() error {
	op.closeKey()
	return op.Store.Close()
}

// CA returns the CA, or nil when opened with NoCA.
func (op *Operator) CA() *operator.CA { return op.ca }

// Metrics returns the operator's metrics.
func (op *Operator) Metrics() *Metrics { return op.metrics }

// Now returns the operator's clock reading.
func (op *Operator) Now() time.Time { return op.now() }

// requireCA returns ErrNoCA when the CA is not loaded.
func (op *Operator) requireCA() error {
	if op.ca == nil {
		return ErrNoCA
	}
	return nil
}

// readCertificate reads one PEM or DER certificate.
func readCertificate(path string) (*pki.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rekeyd: reading the CA certificate: %w", err)
	}
	if b, _ := pem.Decode(data); b != nil {
		data = b.Bytes
	}
	cert, err := pki.ParseCertificate(data)
	if err != nil {
		return nil, fmt.Errorf("rekeyd: the CA certificate %s: %w", path, err)
	}
	return cert, nil
}

// audit appends one record to the audit trail.
func (op *Operator) audit(ctx context.Context, a operator.Auditor, actor, action, object string,
	details []byte) error {
	if details == nil {
		details = []byte("{}")
	}
	e := store.AuditEntry{At: op.now().UTC(), Actor: actor, Action: action, Object: object,
		Details: details}
	if _, err := a.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("rekeyd: auditing %s: %w", action, err)
	}
	return nil
}

func hexSum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
