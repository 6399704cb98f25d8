package rekeyd

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// SecretsKeyFile is the key, in the operator directory, that encrypts the
// one-time secrets of ir while they wait in the database: whoever reads
// the database alone (a backup, a replica's dump) cannot enroll with a
// pending secret. Replicas need the same file, like the CA key.
const SecretsKeyFile = "secrets.key"

// sealedPrefix starts a sealed secret's mailbox body; a body without it
// is the JSON that operators before the key stored as it was.
var sealedPrefix = []byte("aes256gcm:")

// secretsAEAD returns the AEAD of the directory's secrets key. With create,
// a directory without one (made before the key existed) gets a new random
// key, written so that of two processes creating it at once both end with
// the one that landed; without, a missing key is an error that says what
// to copy.
func (op *Operator) secretsAEAD(create bool) (cipher.AEAD, error) {
	op.secretsMu.Lock()
	defer op.secretsMu.Unlock()
	if op.secrets != nil {
		return op.secrets, nil
	}
	path := filepath.Join(op.Dir, SecretsKeyFile)
	key, err := readSecretsKey(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		key, err = createSecretsKey(path, op.rand)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("rekeyd: %s is missing: the one-time secrets are encrypted "+
			"with it; copy it from the directory the secrets were issued in (every replica "+
			"needs the same file)", path)
	}
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("rekeyd: internal error: %v", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("rekeyd: internal error: %v", err)
	}
	op.secrets = aead
	return aead, nil
}

// readSecretsKey reads the hex key of path.
func readSecretsKey(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("rekeyd: %s is not a secrets key (64 hex digits): restore it "+
			"from the operator's backup", path)
	}
	return key, nil
}

// createSecretsKey writes a new random key to path unless one is there
// and returns the key path then holds. The key is written to a temporary
// file, synced, and linked to path, which fails when another process got
// there first: path never holds a partial key.
func createSecretsKey(path string, random io.Reader) ([]byte, error) {
	if random == nil {
		random = rand.Reader
	}
	key := make([]byte, 32)
	if _, err := io.ReadFull(random, key); err != nil {
		return nil, fmt.Errorf("rekeyd: reading random: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".secrets-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("rekeyd: creating the secrets key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("rekeyd: writing the secrets key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("rekeyd: writing the secrets key: %w", err)
	}
	return readSecretsKey(path)
}

// sealSecret encrypts a secret's mailbox body, bound to its reference.
func sealSecret(aead cipher.AEAD, random io.Reader, reference, body []byte) ([]byte, error) {
	if random == nil {
		random = rand.Reader
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := io.ReadFull(random, nonce); err != nil {
		return nil, fmt.Errorf("rekeyd: reading random: %w", err)
	}
	out := append(append([]byte(nil), sealedPrefix...), nonce...)
	return aead.Seal(out, nonce, body, reference), nil
}

// isSealed reports whether a mailbox body is a sealed secret.
func isSealed(stored []byte) bool { return bytes.HasPrefix(stored, sealedPrefix) }

// openSecret decrypts a sealed body of reference.
func openSecret(aead cipher.AEAD, reference, stored []byte) ([]byte, error) {
	rest := stored[len(sealedPrefix):]
	if len(rest) < aead.NonceSize()+aead.Overhead() {
		return nil, errors.New("rekeyd: a stored one-time secret is truncated")
	}
	n := aead.NonceSize()
	body, err := aead.Open(nil, rest[:n], rest[n:], reference)
	if err != nil {
		return nil, errors.New("rekeyd: a stored one-time secret does not open with " +
			SecretsKeyFile + ": the file differs from the one it was issued with, or the " +
			"row was changed")
	}
	return body, nil
}
