// Package token keeps subscribers' keys on PKCS#11 tokens (a Rutoken in
// the field, SoftHSM2 in the tests) through github.com/miekg/pkcs11. The
// module path comes from the configuration or `--pkcs11 MODULE`; Open
// takes it as a parameter.
//
// # Objects on the token
//
// For each key rekey generates (Generate) there are:
//
//   - a private key: CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE true,
//     CKA_EXTRACTABLE false (so CKA_NEVER_EXTRACTABLE true), CKA_SIGN and
//     CKA_DERIVE, CKA_ID = the key id's 10 bytes (media.KeyID), CKA_LABEL
//     "rekey ID" ("rekey archived ID" once archived);
//   - its public key, with the same CKA_ID;
//   - once installed, its certificate (CKO_CERTIFICATE, CKC_X_509), with
//     the same CKA_ID, CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER;
//   - a public data object (CKO_DATA, CKA_APPLICATION "rekey", CKA_LABEL
//     "rekey ID") whose CKA_VALUE is the JSON manifest of a file container
//     (see package media) with two more fields, "ca" (the CA certificate,
//     DER in base64) and "operator" (the CMP URL), and an optional third,
//     "office" (the operator's office contact, as a container's
//     office.json: {"ru": …, "en": …}), copied from the key it renews.
//
// Records and certificates are public objects, so Keys lists the keys and
// their last days without a PIN; signing, generating and archiving need
// Login. Keys also lists keys that other software put on the token when
// they have a certificate there (as active, with what the certificate
// says).
//
// # PINs
//
// Login maps the token's answer and its CK_TOKEN_INFO flags to a
// *media.PINError: media.ErrWrongPIN with the retries left
// (CKF_USER_PIN_COUNT_LOW, CKF_USER_PIN_FINAL_TRY) or media.ErrPINLocked
// (CKF_USER_PIN_LOCKED, CKR_PIN_LOCKED). PINStatus gives the same before
// the prompt. Login state is shared by every session of the process with
// the token (PKCS#11 v2.40 §5.5), and Close logs out.
//
// # Writes and crashes
//
// A token changes one object per call. Tokens may refuse to change a data
// object's value (SoftHSM2 does), so a record is replaced by creating the
// new one and then destroying the old; of two records of one key, the one
// further on in pending → active → archived is the truth. Generation
// names the key pair by its id, then writes the pending record; a crash
// before the record leaves a key pair that Keys does not list (no request
// can have been sent for it; it may be deleted with pkcs11-tool).
// InstallCertificate stores the certificate, then writes the active
// record; run again after a crash it finds the certificate and finishes.
// Archive writes the archived record, then clears CKA_SIGN; run again it
// redoes the second step.
//
// # Algorithms
//
// ECDSA P-256 uses CKM_EC_KEY_PAIR_GEN and CKM_ECDSA over the SHA-256
// digest; the token's r||s is returned in the ASN.1 form of crypto/ecdsa.
// GOST R 34.10-2012 uses CKM_GOSTR3410_KEY_PAIR_GEN and CKM_GOSTR3410 for
// 256-bit keys and the TC26 vendor mechanisms (0xD4321005, 0xD4321006) for
// 512-bit keys, when the token lists them; Supports says which profiles a
// token can do, and Generate refuses the others with media.ErrUnsupported.
// Debian's SoftHSM2 2.6 is built without GOST, so only ECDSA is tested.
//
// Known issue: the GOST paths are untested against a real token. Each GOST
// signature is verified before it is returned, in the token's order of the
// halves or the other one, and returned as s||r (RFC 4491); a token that
// also reads the digest in another byte order would fail that check with
// an error rather than give a bad signature.
package token
