package media

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"rekey/pki"
)

// FormatVersion is the manifest format this package writes and reads. A
// manifest with another version is refused (a newer rekey wrote it).
const FormatVersion = 1

// State is the life-cycle state of a key.
type State string

// The states of a key (see the package documentation).
const (
	// StatePending: a new key waits for its certificate. It may sign (the
	// proof of possession of a renewal request) but has no certificate yet.
	StatePending State = "pending"
	// StateActive: a key with its certificate, the one that signs.
	StateActive State = "active"
	// StateArchived: a replaced key, kept to decrypt what was encrypted
	// to it; it never signs.
	StateArchived State = "archived"
)

func (s State) valid() bool {
	return s == StatePending || s == StateActive || s == StateArchived
}

// Manifest is the content of a container's manifest.json. Its JSON form
// is strict: unknown fields, a missing required field, an unknown state
// or format version, or an id that is not the public key's are refused.
type Manifest struct {
	// Format is FormatVersion.
	Format int `json:"format"`
	// ID is the key's id, KeyID of PublicKey.
	ID string `json:"id"`
	// Profile is the key's profile name ("gost2012-256", …).
	Profile string `json:"profile"`
	// State is the key's state.
	State State `json:"state"`
	// Created is when the key was generated.
	Created time.Time `json:"created"`
	// PublicKey is the key's DER SubjectPublicKeyInfo (base64 in JSON), so
	// that a pending key is known without its password.
	PublicKey []byte `json:"public_key"`
	// Replaces is the id of the key this one renews; empty for a first key.
	Replaces string `json:"replaces,omitempty"`
	// Successor is the id of the key that replaced this one (archived keys).
	Successor string `json:"successor,omitempty"`
	// Installed is when the certificate was installed (active and
	// archived keys).
	Installed time.Time `json:"installed,omitzero"`
	// Archived is when the key was archived.
	Archived time.Time `json:"archived,omitzero"`
}

// KeyID returns the id of a public key: the first 10 bytes of the SHA-256
// of its DER SubjectPublicKeyInfo, in lower-case hex (20 characters). The
// same key has the same id on every media, in every state and in every
// backup.
func KeyID(pub crypto.PublicKey) (string, error) {
	spki, err := pki.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("media: encoding public key: %w", err)
	}
	return keyIDFromSPKI(spki), nil
}

func keyIDFromSPKI(spki []byte) string {
	sum := sha256.Sum256(spki)
	return hex.EncodeToString(sum[:10])
}

// idLen is the length of a key id in hex characters.
const idLen = 20

func validID(s string) bool {
	if len(s) != idLen {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// ParseManifest reads a manifest strictly and validates it.
func ParseManifest(data []byte) (*Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("media: manifest: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("media: manifest: data after the JSON object")
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Validate checks the manifest's fields and their agreement; it changes
// nothing.
func (m *Manifest) Validate() error {
	switch {
	case m.Format == 0:
		return errors.New("media: manifest: format is missing")
	case m.Format != FormatVersion:
		return fmt.Errorf("media: manifest: format %d is not supported (this rekey reads %d); "+
			"update rekey", m.Format, FormatVersion)
	case !m.State.valid():
		return fmt.Errorf("media: manifest: unknown state %q", m.State)
	case m.Created.IsZero():
		return errors.New("media: manifest: created is missing")
	case len(m.PublicKey) == 0:
		return errors.New("media: manifest: public_key is missing")
	case !validID(m.ID):
		return fmt.Errorf("media: manifest: id %q is not %d hex digits", m.ID, idLen)
	case m.Replaces != "" && (!validID(m.Replaces) || m.Replaces == m.ID):
		return fmt.Errorf("media: manifest: replaces %q is not another key's id", m.Replaces)
	case m.Successor != "" && (!validID(m.Successor) || m.Successor == m.ID):
		return fmt.Errorf("media: manifest: successor %q is not another key's id", m.Successor)
	case m.Successor != "" && m.State != StateArchived:
		return fmt.Errorf("media: manifest: a %s key has a successor", m.State)
	}
	prof, err := pki.ProfileByName(m.Profile)
	if err != nil {
		return fmt.Errorf("media: manifest: unknown profile %q", m.Profile)
	}
	pub, err := pki.ParsePKIXPublicKey(m.PublicKey)
	if err != nil {
		return fmt.Errorf("media: manifest: public_key: %v", err)
	}
	if got := keyIDFromSPKI(m.PublicKey); got != m.ID {
		return fmt.Errorf("media: manifest: id %s is not the public key's id %s", m.ID, got)
	}
	kp, err := pki.ProfileOf(pub)
	if err != nil || kp.Name != prof.Name {
		return fmt.Errorf("media: manifest: public key is not of profile %s", m.Profile)
	}
	return nil
}

// Marshal returns the manifest's JSON form, indented, with a final newline.
func (m *Manifest) Marshal() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("media: manifest: %v", err)
	}
	return append(b, '\n'), nil
}

func (m *Manifest) publicKey() crypto.PublicKey {
	pub, err := pki.ParsePKIXPublicKey(m.PublicKey)
	if err != nil {
		panic("media: internal error: validated manifest has a bad public key")
	}
	return pub
}
