package media

import (
	"bytes"
	"crypto"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"rekey/pki"
)

// Names of a container's files and its directory suffix; see the package
// documentation. They are a compatibility promise.
const (
	ContainerSuffix = ".rekey"
	ManifestFile    = "manifest.json"
	KeyFile         = "key.pem"
	CertFile        = "cert.pem"
	CAFile          = "ca.pem"
	OperatorFile    = "operator.url"
	// OfficeFile is optional: containers made before it existed lack it.
	OfficeFile = "office.json"
)

const pemTypeCertificate = "CERTIFICATE"

// Container is a key container on a removable drive: a directory holding
// one key. Its fields are what was read when it was loaded; the methods
// that change it reload them.
type Container struct {
	// Dir is the container directory, Root the media root it was found
	// under (the directory holding Dir).
	Dir, Root string
	Manifest  Manifest
	// Certificate is the key's certificate; nil while pending.
	Certificate *pki.Certificate
	// CA is the certificate of the CA that issues the key's certificates.
	CA *pki.Certificate
	// OperatorURL is the operator's CMP address.
	OperatorURL string
	// Office is whom to contact in the operator's office; nil when the
	// container has no office.json.
	Office *Office
	// Encrypted reports whether the key file is password-protected.
	Encrypted bool

	// staged is a certificate written by an interrupted
	// InstallCertificate into a container that is still pending.
	staged *pki.Certificate
}

// CreateOptions describe a new container.
type CreateOptions struct {
	// Profile of the new key; nil means pki.ProfileGOST256.
	Profile *pki.Profile
	// Password encrypts the key. An empty one stores the key unencrypted
	// and needs AllowEmptyPassword; Create then returns
	// pki.WarningUnencrypted, which must be shown to the person.
	Password           []byte
	AllowEmptyPassword bool
	// CA is the issuing CA's certificate (DER), required.
	CA []byte
	// OperatorURL is the operator's CMP address, required.
	OperatorURL string
	// Office, when not nil, is written as office.json: whom the subscriber
	// contacts in the operator's office.
	Office *Office
	// Replaces is the id of the key the new one renews; empty for none.
	Replaces string
	// Rand is the randomness of the key and of its encryption; nil means
	// crypto/rand.Reader.
	Rand io.Reader
	// Encryption tunes the key's encryption (tests use few iterations);
	// nil means the profile's defaults. Its Rand is ignored.
	Encryption *pki.KeyEncryptionOptions
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Create generates a new key on the media root and writes it, pending,
// into a new container there. It returns the container and the key, which
// may sign the renewal request's proof of possession. The current
// container, if any, is not touched.
//
// The container is built in a temporary directory inside root (its name
// starts with a dot, so discovery ignores it) and renamed into place once
// every file is synced: a crash leaves no container or a whole one.
func Create(root string, opts *CreateOptions) (*Container, crypto.Signer, pki.Warning, error) {
	if len(opts.Password) == 0 && !opts.AllowEmptyPassword {
		return nil, nil, "", ErrPasswordRequired
	}
	if err := checkRoot(root); err != nil {
		return nil, nil, "", err
	}
	ca, err := pki.ParseCertificate(opts.CA)
	if err != nil {
		return nil, nil, "", fmt.Errorf("media: CA certificate: %v", err)
	}
	url, err := checkURL(opts.OperatorURL)
	if err != nil {
		return nil, nil, "", err
	}
	if opts.Replaces != "" && !validID(opts.Replaces) {
		return nil, nil, "", fmt.Errorf("media: %q is not a key id", opts.Replaces)
	}
	var office []byte
	if opts.Office != nil {
		if office, err = opts.Office.Marshal(); err != nil {
			return nil, nil, "", err
		}
	}
	prof := opts.Profile
	if prof == nil {
		prof = pki.ProfileGOST256
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}

	// 1. Generate the key in memory.
	key, err := prof.GenerateKey(opts.Rand)
	if err != nil {
		return nil, nil, "", fmt.Errorf("media: generating key: %v", err)
	}
	if err := step(stepKeyGenerated); err != nil {
		return nil, nil, "", err
	}
	m, err := newManifest(key.Public(), prof, now())
	if err != nil {
		return nil, nil, "", err
	}
	m.Replaces = opts.Replaces
	var enc pki.KeyEncryptionOptions
	if opts.Encryption != nil {
		enc = *opts.Encryption
	}
	enc.Rand = opts.Rand
	keyPEM, warn, err := pki.MarshalPrivateKeyPEM(key, opts.Password, &enc)
	if err != nil {
		return nil, nil, "", fmt.Errorf("media: encrypting key: %v", err)
	}
	files := map[string][]byte{
		CAFile:       pem.EncodeToMemory(&pem.Block{Type: pemTypeCertificate, Bytes: ca.Raw}),
		OperatorFile: []byte(url + "\n"),
	}
	if office != nil {
		files[OfficeFile] = office
	}

	// 2. Write it into a new container.
	dir, err := buildContainer(root, m, keyPEM, files)
	if err != nil {
		return nil, nil, "", err
	}
	c, err := Load(dir)
	if err != nil {
		return nil, nil, "", err
	}
	return c, key, warn, nil
}

func newManifest(pub crypto.PublicKey, prof *pki.Profile, now time.Time) (*Manifest, error) {
	spki, err := pki.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("media: encoding public key: %v", err)
	}
	return &Manifest{
		Format:    FormatVersion,
		ID:        keyIDFromSPKI(spki),
		Profile:   prof.Name,
		State:     StatePending,
		Created:   now.UTC().Truncate(time.Second),
		PublicKey: spki,
	}, nil
}

// buildContainer writes the key file, the other files and the manifest
// (last) into a temporary directory in root and renames it to
// root/ID.rekey.
func buildContainer(
	root string,
	m *Manifest,
	keyPEM []byte,
	files map[string][]byte,
) (string, error) {
	final := filepath.Join(root, m.ID+ContainerSuffix)
	if _, err := os.Lstat(final); err == nil {
		return "", fmt.Errorf("%w: %s", ErrExists, final)
	}
	mdata, err := m.Marshal()
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(root, ".new-"+m.ID+"-*")
	if err != nil {
		return "", fmt.Errorf("media: creating container: %w", err)
	}
	injected := false
	defer func() {
		if !injected {
			os.RemoveAll(tmp)
		}
	}()
	fail := func(err error) (string, error) {
		injected = errors.As(err, new(errInjected))
		return "", err
	}
	if err := writeNewFile(filepath.Join(tmp, KeyFile), keyPEM, 0o600); err != nil {
		return fail(err)
	}
	if err := step(stepCreateKeyFile); err != nil {
		return fail(err)
	}
	for _, name := range []string{CertFile, CAFile, OperatorFile, OfficeFile} {
		if data, ok := files[name]; ok {
			if err := writeNewFile(filepath.Join(tmp, name), data, 0o644); err != nil {
				return fail(err)
			}
		}
	}
	if err := writeNewFile(filepath.Join(tmp, ManifestFile), mdata, 0o644); err != nil {
		return fail(err)
	}
	if err := syncDir(tmp); err != nil {
		return fail(err)
	}
	if err := step(stepCreateManifest); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fail(fmt.Errorf("media: creating container %s: %w", final, err))
	}
	injected = true // nothing left to remove
	if err := syncDir(root); err != nil {
		return "", err
	}
	if err := step(stepCreateRenamed); err != nil {
		return "", err
	}
	return final, nil
}

func checkRoot(root string) error {
	fi, err := os.Stat(root)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrMediaMissing, root)
	}
	if err != nil {
		return fmt.Errorf("media: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("media: %s is not a directory", root)
	}
	return nil
}

func checkURL(u string) (string, error) {
	u = strings.TrimSpace(u)
	if u == "" || strings.ContainsAny(u, "\r\n\t ") ||
		!(strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")) {
		return "", fmt.Errorf("media: operator URL %q is not an http(s) URL", u)
	}
	return u, nil
}

// Load reads the container in dir and checks that its files agree: the
// manifest is valid and named by the directory, the certificate (when
// present) certifies the manifest's key, and the CA certificate parses.
// A damaged container gives a *ContainerError.
func Load(dir string) (*Container, error) {
	c := &Container{Dir: filepath.Clean(dir), Root: filepath.Dir(filepath.Clean(dir))}
	bad := func(file string, err error) (*Container, error) {
		if !errors.Is(err, ErrMediaMissing) && !errors.Is(err, ErrCorrupt) {
			err = fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		return nil, &ContainerError{Dir: c.Dir, File: file, Err: err}
	}
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(dir); serr != nil {
			return bad("", ErrMediaMissing)
		}
		return bad(ManifestFile, errors.New("missing"))
	}
	if err != nil {
		return bad(ManifestFile, err)
	}
	m, err := ParseManifest(data)
	if err != nil {
		return bad(ManifestFile, errors.New(trimPrefix(err)))
	}
	c.Manifest = *m
	if base := filepath.Base(c.Dir); base != m.ID+ContainerSuffix {
		return bad("", fmt.Errorf("directory is named %s but holds key %s", base, m.ID))
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, KeyFile))
	if err != nil {
		return bad(KeyFile, errors.New(describeReadError(err)))
	}
	if !bytes.Contains(keyPEM, []byte("PRIVATE KEY-----")) {
		return bad(KeyFile, errors.New("no private key in it"))
	}
	c.Encrypted = pki.IsEncryptedPrivateKeyPEM(keyPEM)
	if c.CA, err = readCert(filepath.Join(dir, CAFile)); err != nil {
		return bad(CAFile, err)
	}
	url, err := os.ReadFile(filepath.Join(dir, OperatorFile))
	if err != nil {
		return bad(OperatorFile, errors.New(describeReadError(err)))
	}
	if c.OperatorURL, err = checkURL(string(url)); err != nil {
		return bad(OperatorFile, errors.New(trimPrefix(err)))
	}
	if c.Office, err = readOffice(dir); err != nil {
		return bad(OfficeFile, err)
	}
	cert, err := readCert(filepath.Join(dir, CertFile))
	switch {
	case errors.Is(err, fs.ErrNotExist) && m.State == StatePending:
		// No certificate yet.
	case err != nil:
		return bad(CertFile, err)
	case !certifies(cert, m.publicKey()):
		return bad(CertFile, ErrKeyMismatch)
	case m.State == StatePending:
		// Installed but not yet flipped (a crash during
		// InstallCertificate): the container stays pending until
		// InstallCertificate runs again.
		c.staged = cert
	default:
		c.Certificate = cert
	}
	return c, nil
}

func describeReadError(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "missing"
	}
	return err.Error()
}

// readCert reads one PEM certificate; a missing file's error wraps
// fs.ErrNotExist.
func readCert(path string) (*pki.Certificate, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("missing: %w", err)
	}
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != pemTypeCertificate {
		return nil, errors.New("no PEM certificate in it")
	}
	cert, err := pki.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "pki: "))
	}
	return cert, nil
}

// ID returns the key's id.
func (c *Container) ID() string { return c.Manifest.ID }

// State returns the key's state.
func (c *Container) State() State { return c.Manifest.State }

// Key returns the container's listing entry.
func (c *Container) Key() Key {
	k := Key{
		ID:        c.Manifest.ID,
		Kind:      KindFile,
		Media:     c.Root,
		Location:  c.Dir,
		State:     c.Manifest.State,
		Profile:   c.Manifest.Profile,
		Created:   c.Manifest.Created,
		Replaces:  c.Manifest.Replaces,
		Successor: c.Manifest.Successor,
		CA:        c.CA,
		Operator:  c.OperatorURL,
		Office:    c.Office,
		Encrypted: c.Encrypted,
	}
	if c.Certificate != nil {
		k.Certificate = c.Certificate
		k.CertificatePath = filepath.Join(c.Dir, CertFile)
		k.KeyExpires = c.Certificate.KeyExpires()
	}
	return k
}

// Unlock decrypts the container's key with password. The key is checked
// against the manifest's public key and, when installed, the certificate,
// and must sign a test message. A wrong password gives ErrWrongPassword.
func (c *Container) Unlock(password []byte) (*UnlockedKey, error) {
	keyPEM, err := os.ReadFile(filepath.Join(c.Dir, KeyFile))
	if err != nil {
		return nil, &ContainerError{Dir: c.Dir, File: KeyFile, Err: missingOr(err)}
	}
	key, err := pki.ParsePrivateKeyPEM(keyPEM, password)
	switch {
	case errors.Is(err, pki.ErrWrongPassword):
		return nil, ErrWrongPassword
	case err != nil:
		return nil, &ContainerError{Dir: c.Dir, File: KeyFile,
			Err: fmt.Errorf("%w: %s", ErrCorrupt, strings.TrimPrefix(err.Error(), "pki: "))}
	}
	if err := checkKey(key, c.Manifest.publicKey()); err != nil {
		return nil, &ContainerError{Dir: c.Dir, File: KeyFile, Err: err}
	}
	return &UnlockedKey{id: c.Manifest.ID, state: c.Manifest.State, key: key}, nil
}

func missingOr(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return ErrMediaMissing
	}
	return err
}

// InstallCertificate installs the key's certificate (DER) into a pending
// container and makes it active. The certificate must certify the
// container's key (ErrKeyMismatch) and be signed by the container's CA
// (ErrWrongIssuer). Installing the same certificate again is a no-op, so
// the step may be re-run after a crash.
//
// Two atomic steps: cert.pem is written first, then the manifest flips
// to active. Between them the container is still pending.
func (c *Container) InstallCertificate(der []byte) error {
	cert, err := pki.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("media: certificate: %v", strings.TrimPrefix(err.Error(), "pki: "))
	}
	if !certifies(cert, c.Manifest.publicKey()) {
		return ErrKeyMismatch
	}
	if !bytes.Equal(cert.RawIssuer, c.CA.RawSubject) || cert.CheckSignatureFrom(c.CA) != nil {
		return fmt.Errorf("%w (issuer %s)", ErrWrongIssuer, cert.Issuer)
	}
	switch c.Manifest.State {
	case StatePending:
	case StateActive:
		if c.Certificate != nil && bytes.Equal(c.Certificate.Raw, cert.Raw) {
			return nil
		}
		fallthrough
	default:
		return fmt.Errorf("%w: key %s is %s", ErrState, c.Manifest.ID, c.Manifest.State)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: pemTypeCertificate, Bytes: cert.Raw})
	if err := writeFileAtomic(c.Dir, CertFile, certPEM, 0o644, stepInstallCertTemp); err != nil {
		return err
	}
	if err := step(stepInstallCert); err != nil {
		return err
	}
	m := c.Manifest
	m.State = StateActive
	m.Installed = time.Now().UTC().Truncate(time.Second)
	if err := c.writeManifest(&m, ""); err != nil {
		return err
	}
	if err := step(stepInstallManifest); err != nil {
		return err
	}
	return c.reload()
}

// Archive makes an active key archived: it stays in its container to
// decrypt, and never signs again. successor is the id of the key that
// replaces it (empty when there is none). Archiving an archived key again
// with the same successor is a no-op. One atomic step: the manifest is
// replaced.
func (c *Container) Archive(successor string) error {
	if successor != "" && (!validID(successor) || successor == c.Manifest.ID) {
		return fmt.Errorf("media: %q is not another key's id", successor)
	}
	switch c.Manifest.State {
	case StateActive:
	case StateArchived:
		if c.Manifest.Successor == successor {
			return nil
		}
		fallthrough
	default:
		return fmt.Errorf("%w: key %s is %s", ErrState, c.Manifest.ID, c.Manifest.State)
	}
	m := c.Manifest
	m.State = StateArchived
	m.Successor = successor
	m.Archived = time.Now().UTC().Truncate(time.Second)
	if err := c.writeManifest(&m, stepArchiveTemp); err != nil {
		return err
	}
	if err := step(stepArchived); err != nil {
		return err
	}
	return c.reload()
}

func (c *Container) writeManifest(m *Manifest, before string) error {
	data, err := m.Marshal()
	if err != nil {
		return err
	}
	return writeFileAtomic(c.Dir, ManifestFile, data, 0o644, before)
}

func (c *Container) reload() error {
	n, err := Load(c.Dir)
	if err != nil {
		return err
	}
	*c = *n
	return nil
}
