package media

import (
	"crypto"
	"errors"
	"fmt"
	"strings"
	"time"

	"rekey/pki"
)

// Kind is the kind of media a key lives on.
type Kind string

// The media kinds.
const (
	KindFile  Kind = "file"  // a container directory on a drive
	KindToken Kind = "token" // a PKCS#11 token
)

// Key is one key as listed by discovery, whatever its media: what
// `rekey keys` shows and what `rekey renew` and `rekey backup` select by
// ID.
type Key struct {
	ID   string
	Kind Kind
	// Media is the media root (a directory) or, for a token, its label.
	Media string
	// TokenSerial is the token's serial number (CK_TOKEN_INFO), which
	// tells apart tokens with the same label; "" for a drive.
	TokenSerial string
	// Location is the container directory or, for a token, the module
	// path and slot.
	Location string
	State    State
	Profile  string
	// Certificate is nil while the key is pending.
	Certificate     *pki.Certificate
	CertificatePath string // the certificate's file, "" on a token
	// KeyExpires is the certificate's KeyExpires (the last moment the key
	// may sign); zero while pending.
	KeyExpires time.Time
	Created    time.Time // zero when unknown (a token key made elsewhere)
	Replaces   string
	Successor  string
	CA         *pki.Certificate // nil when unknown
	Operator   string           // the operator's CMP URL, "" when unknown
	// Office is whom to contact in the operator's office; nil when the
	// media does not say (an older container).
	Office *Office
	// Encrypted: the key needs a password (file) or PIN (token).
	Encrypted bool
}

// Find returns the keys whose id is id or starts with it (at least four
// characters). Several keys may share an id: the same key on several
// media, a backup beside the original. No match gives ErrNotFound; a
// prefix matching different ids gives ErrAmbiguous.
func Find(keys []Key, id string) ([]Key, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if len(id) < 4 {
		return nil, fmt.Errorf("%w: %q is too short for a key id", ErrNotFound, id)
	}
	var found []Key
	ids := map[string]bool{}
	for _, k := range keys {
		if strings.HasPrefix(k.ID, id) {
			found = append(found, k)
			ids[k.ID] = true
		}
	}
	switch {
	case len(found) == 0:
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	case len(ids) > 1:
		return nil, fmt.Errorf("%w: %s matches %d keys", ErrAmbiguous, id, len(ids))
	}
	return found, nil
}

// UnlockedKey is a decrypted file key. An archived key gives no signer.
type UnlockedKey struct {
	id    string
	state State
	key   crypto.Signer
}

// ID returns the key's id.
func (k *UnlockedKey) ID() string { return k.id }

// State returns the key's state when it was unlocked.
func (k *UnlockedKey) State() State { return k.state }

// Public returns the public key.
func (k *UnlockedKey) Public() crypto.PublicKey { return k.key.Public() }

// Signer returns the key for signing: an active key, or a pending one
// (for the proof of possession of its own request). An archived key gives
// ErrArchived.
func (k *UnlockedKey) Signer() (crypto.Signer, error) {
	if k.state == StateArchived {
		return nil, fmt.Errorf("%w (key %s)", ErrArchived, k.id)
	}
	return k.key, nil
}

// DecryptionKey returns the private key (a *gost3410.PrivateKey or an
// *ecdsa.PrivateKey) for key agreement, to decrypt messages encrypted to
// it; archived keys too.
func (k *UnlockedKey) DecryptionKey() crypto.PrivateKey { return k.key }

// publicKeyEqual compares public keys through their Equal methods.
func publicKeyEqual(a, b crypto.PublicKey) bool {
	e, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && b != nil && e.Equal(b)
}

// certifies reports whether cert is for pub.
func certifies(cert *pki.Certificate, pub crypto.PublicKey) bool {
	return cert.PublicKey != nil && publicKeyEqual(cert.PublicKey, pub)
}

// checkKey checks that a loaded private key is the one pub describes and
// that it signs (a self-test, since the GOST encryption at rest has no
// integrity check).
func checkKey(key crypto.Signer, pub crypto.PublicKey) error {
	if !publicKeyEqual(key.Public(), pub) {
		return ErrKeyMismatch
	}
	if err := testSign(key); err != nil {
		return fmt.Errorf("%w: the key fails its self-test: %v", ErrCorrupt, err)
	}
	return nil
}

var testMessage = []byte("rekey media self-test")

// testSign signs a fixed message with key and verifies the signature
// with its public key.
func testSign(key crypto.Signer) error {
	prof, err := pki.ProfileOf(key.Public())
	if err != nil {
		return err
	}
	h := prof.NewHash()
	h.Write(testMessage)
	var opts crypto.SignerOpts = crypto.SHA256
	if prof.Curve != nil {
		opts = pki.StreebogSignerOpts{Size: h.Size()}
	}
	sig, err := key.Sign(nil, h.Sum(nil), opts)
	if err != nil {
		return err
	}
	err = pki.CheckSignature(prof.SignatureAlgorithm, key.Public(), testMessage, sig)
	if err != nil {
		return errors.New("signature does not verify")
	}
	return nil
}
