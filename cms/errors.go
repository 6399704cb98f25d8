package cms

import "errors"

// The errors callers branch on. Each is returned wrapped, with detail; test
// with errors.Is. Malformed input gives other errors, all prefixed "cms: ".
var (
	// ErrSignature: a signer's signature does not verify under the
	// signer certificate's key. The message or its signer info was
	// modified, or the certificate is not the signer's.
	ErrSignature = errors.New("cms: signature does not verify")

	// ErrSignerNotFound: a signer's certificate is neither in the message
	// nor among the certificates given; the signature cannot be checked.
	ErrSignerNotFound = errors.New("cms: signer certificate not found")

	// ErrContentModified: the content's digest is not the one that was
	// signed (the messageDigest attribute, or a DigestedData's digest).
	ErrContentModified = errors.New("cms: content does not match the signed digest")

	// ErrNotRecipient: the message has no recipient info for the given
	// certificate (or, without a certificate, none that the key opens).
	// A client holding archived keys tries the next one.
	ErrNotRecipient = errors.New("cms: not a recipient of the message")

	// ErrWrongKey: the private key given is not the recipient
	// certificate's.
	ErrWrongKey = errors.New("cms: private key does not belong to the recipient certificate")

	// ErrKeyUnwrap: the recipient's encrypted content-encryption key does
	// not unwrap: its MAC or integrity check fails (tampered key or
	// ephemeral key, or another key agreement).
	ErrKeyUnwrap = errors.New("cms: content-encryption key does not unwrap")

	// ErrAuthentication: the content's MAC (GOST CTR-ACPKM-OMAC) or tag
	// (AES-GCM) does not verify, or the CBC padding is wrong: the
	// ciphertext or its parameters were modified.
	ErrAuthentication = errors.New("cms: encrypted content does not authenticate")

	// ErrUnsupportedAlgorithm: an algorithm rekey does not implement.
	ErrUnsupportedAlgorithm = errors.New("cms: unsupported algorithm")
)
