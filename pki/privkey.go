package pki

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// Keys at rest
//
// A private key is stored as PKCS#8 (RFC 5208, RFC 5958): a PrivateKeyInfo,
// or, with a password, an EncryptedPrivateKeyInfo under PBES2 (RFC 8018);
// see MarshalEncryptedPKCS8PrivateKey for the schemes. PKCS#12 (RFC 7292,
// RFC 9548 for GOST) carries a key with its certificate chain to other
// software. Passwords are byte strings, used as given (UTF-8 text in
// practice); they never appear in errors.
//
// Every failure to decrypt that a wrong password can cause — a bad padding,
// a bad MAC, a plaintext that is not a private key — is ErrWrongPassword,
// so that callers can ask again. Structural errors found before decryption
// and unsupported algorithms are reported as such.

// ErrWrongPassword is returned when an encrypted key or a PKCS#12 file does
// not decrypt or verify under the password. The password may be wrong or
// the data corrupted; the two cannot be told apart.
var ErrWrongPassword = errors.New("pki: wrong password or corrupted key")

// Warning is a condition of a successful operation that the caller should
// show to the person; the empty Warning means there is none.
type Warning string

// WarningUnencrypted is returned when a key was written without
// encryption because the password was empty.
const WarningUnencrypted Warning = "the private key is stored unencrypted: the password is empty"

// PEM block types of keys at rest.
const (
	PEMTypePrivateKey          = "PRIVATE KEY"
	PEMTypeEncryptedPrivateKey = "ENCRYPTED PRIVATE KEY"
)

// MarshalPrivateKeyPEM writes key as a PEM "ENCRYPTED PRIVATE KEY" block
// under password, or, when password is empty, as a "PRIVATE KEY" block
// together with WarningUnencrypted. opts may be nil.
func MarshalPrivateKeyPEM(
	key crypto.PrivateKey,
	password []byte,
	opts *KeyEncryptionOptions,
) ([]byte, Warning, error) {
	der, warn, err := MarshalEncryptedPKCS8PrivateKey(key, password, opts)
	if err != nil {
		return nil, "", err
	}
	typ := PEMTypeEncryptedPrivateKey
	if warn == WarningUnencrypted {
		typ = PEMTypePrivateKey
	}
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), warn, nil
}

// ParsePrivateKeyPEM reads the first private key block in data: "ENCRYPTED
// PRIVATE KEY" (decrypted with password), "PRIVATE KEY" (password
// ignored), or a SEC 1 "EC PRIVATE KEY". Blocks of other types, such as
// certificates, are skipped.
func ParsePrivateKeyPEM(data, password []byte) (crypto.Signer, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, errors.New("pki: no private key PEM block found")
		}
		switch block.Type {
		case PEMTypeEncryptedPrivateKey:
			return ParseEncryptedPKCS8PrivateKey(block.Bytes, password)
		case PEMTypePrivateKey:
			return ParsePKCS8PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			if _, legacy := block.Headers["DEK-Info"]; legacy {
				return nil, errors.New("pki: legacy PEM encryption (DEK-Info) is not supported; " +
					"convert the key to PKCS#8")
			}
			k, err := x509.ParseECPrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("pki: parsing EC PRIVATE KEY: %v", err)
			}
			return k, nil
		}
	}
}

// IsEncryptedPrivateKeyPEM reports whether the first private key block in
// data is encrypted, so that a caller knows to ask for a password.
func IsEncryptedPrivateKeyPEM(data []byte) bool {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return false
		}
		switch block.Type {
		case PEMTypeEncryptedPrivateKey:
			return true
		case PEMTypePrivateKey:
			return false
		case "EC PRIVATE KEY":
			return block.Headers["DEK-Info"] != ""
		}
	}
}
