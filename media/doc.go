// Package media keeps subscribers' keys on their media: key containers on
// removable drives (this package) and PKCS#11 tokens (package
// rekey/media/token). It finds the keys, generates new ones, installs
// their certificates, archives replaced keys and backs containers up. The
// renewal flow (package subscriber) drives it; nothing here asks a person
// anything.
//
// # Containers on a drive
//
// A media root is a directory: the mount point of a drive, or any
// directory named with --media or in REKEY_MEDIA. It holds one
// subdirectory per key, named after the key's id, beside whatever else is
// on the drive:
//
//	ROOT/
//	  3f2a9c01d4e5b6a7c8d9.rekey/   one container: one key
//	    manifest.json              format, id, profile, state, links (below)
//	    key.pem                    PKCS#8 "ENCRYPTED PRIVATE KEY" (PBES2), or
//	                               "PRIVATE KEY" when the password was empty
//	    cert.pem                   the key's certificate; absent while pending
//	    ca.pem                     the issuing CA's certificate
//	    operator.url               the operator's CMP URL, one line
//	    office.json                optional: whom to contact in the office
//	  0b7e….rekey/                 another client's key, a renewed key, …
//
// The container needs nothing else: the CA certificate, the operator's
// address and its office contact travel with the key, so a subscriber
// needs no configuration.
// key.pem is readable by OpenSSL (with the GOST engine for GOST keys); see
// package pki for the encryption. A root may also be a container
// directory itself.
//
// The manifest is strict JSON; unknown fields are refused, and so are a
// missing or newer format:
//
//	{
//	  "format": 1,
//	  "id": "3f2a9c01d4e5b6a7c8d9",
//	  "profile": "gost2012-256",
//	  "state": "active",
//	  "created": "2026-12-03T20:00:00Z",
//	  "public_key": "MGYwHwYIKoUDBwEBAQEw…",   (DER SubjectPublicKeyInfo, base64)
//	  "replaces": "0b7e…",                      (optional: the key this one renews)
//	  "successor": "…",                         (optional, archived keys only)
//	  "installed": "…", "archived": "…"         (optional times)
//	}
//
// office.json says whom the subscriber contacts for what only the
// operator's office does: changed details, a compromised (lost, broken)
// key, a key past its last day (S5, S7). `rekeyd enroll --media` writes
// it from operator.office of rekeyd.json; a renewal copies it from the
// current container into the new one, and Backup into the copy. It is
// strict JSON too, at most MaxOfficeSize (4096) bytes, with both texts
// required, printable (no control characters but a line break) and no
// other field:
//
//	{
//	  "ru": "ООО «Оператор», отдел по работе с клиентами, тел. 8 800 000-00-00",
//	  "en": "Operator LLC, client service, phone +7 800 000-00-00"
//	}
//
// The file is optional: a container without it (made before it existed)
// loads, and the client shows a generic office text. A file that is there
// but malformed, too large or with an unknown field is not skipped: Load
// refuses the container with a *ContainerError naming office.json, as for
// any other damaged file of a container — a file this version cannot read
// is not misread or silently dropped — and the message says the file is
// optional, so the person may remove it.
//
// These names, the layout and the fields of the manifest and of
// office.json are a compatibility promise: a later format bumps "format",
// and this version refuses it rather than misread it.
//
// # Key ids
//
// A key's id (KeyID) is the first 10 bytes of the SHA-256 of its DER
// SubjectPublicKeyInfo, in 20 lower-case hex digits. It depends on the key
// alone, so it is known from the moment the key exists (before any
// certificate), stays the same in every state, on every media and in every
// backup, and names the same key on a token (CKA_ID). `rekey renew` and
// `rekey backup` accept it or a unique prefix of at least four digits
// (Find). A key and its backup share the id; they are told apart by media.
//
// # States
//
//   - pending: a new key waiting for its certificate. It signs only the
//     proof of possession of its own request. Its manifest names the key it
//     replaces.
//   - active: a key with its certificate; the key that signs.
//   - archived: a replaced key. It still opens (UnlockedKey.DecryptionKey)
//     to decrypt what was encrypted to it — the manual's product loses such
//     documents, we must not — but UnlockedKey.Signer refuses it with
//     ErrArchived. Its manifest names its successor.
//
// States only move forward: pending → active → archived.
//
// # Writes and crashes
//
// Every write is atomic: a file is written to a temporary file in the same
// directory (its name starts with a dot), synced, renamed over its final
// name, and the directory synced. A new container is built whole in a
// temporary directory inside the root and renamed into place in one step.
// Discovery ignores names that start with a dot; such leftovers of a crash
// are safe to delete. A renewal touches the media in this order:
//
//  1. Create: the new key is generated in memory, then written as a new,
//     pending container (one rename). The current container is not
//     touched. A crash before the rename leaves no new container: the old
//     key is active and nothing was sent for the new one, so the step is
//     simply run again. After the rename the new container is whole.
//  2. (The flow sends the request, signed by the old key, and waits for
//     the certificate.)
//  3. InstallCertificate: cert.pem is written (one rename), then the
//     manifest flips to active (one rename). A crash between the two
//     leaves a pending container with its certificate beside it; Load keeps
//     it pending and Finish (or InstallCertificate with the same
//     certificate) completes it. The old key is still active throughout.
//  4. Archive: the old container's manifest flips to archived (one
//     rename). Before it, two keys are active — both sign, and Finish
//     archives the old one; after it, the new key signs and the old one
//     decrypts.
//
// So at every point some key of the subscriber signs (the old one until
// the new one is active), and the new key is either absent (generate
// again) or whole (finish the step). The tests inject a failure at each of
// these points, and kill a child process with SIGKILL at each, and check
// this.
//
// File systems that cannot sync a directory (vfat answers EINVAL on some
// kernels) are accepted: rename is still atomic there, but a power cut may
// lose the last rename.
//
// # Tokens
//
// On a PKCS#11 token (package rekey/media/token) the key pair is
// generated on the token, sensitive and not extractable; it never exists
// anywhere else, so it cannot be backed up (Backup explains this, S18).
// The certificate is stored on the token beside the key (same CKA_ID), and
// a public data object (CKA_APPLICATION "rekey") holds the same manifest
// with the CA certificate, the operator's URL and its office contact. Keys are listed as Key
// values like file containers. Archiving clears CKA_SIGN on the private key
// and keeps CKA_DERIVE, so the key still decrypts.
//
// # Errors
//
// Errors start with "media: ". Callers branch with errors.Is on the
// sentinels (ErrWrongPassword, ErrWrongPIN, ErrPINLocked, ErrMediaMissing,
// ErrArchived, ErrKeyMismatch, ErrWrongIssuer, …) and errors.As on
// *ContainerError (which container and file is damaged) and *PINError
// (the retries left). No error ever contains a password or a PIN.
package media
