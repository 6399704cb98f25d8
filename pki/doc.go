// Package pki holds rekey's certificate formats for the GOST and ECDSA
// profiles: X.509 v3 certificates, PKCS#10 requests and CRLs (RFC 5280,
// with the GOST algorithms of RFC 9215), the Russian qualified-certificate
// subject, path validation, and keys at rest (PKCS#8 with PBES2, PKCS#12).
//
// # Signing and verifying
//
// Certificates, requests and CRLs are built here with cryptobyte and signed
// through any crypto.Signer — a file key, a PKCS#11 token key or a GOST key
// — so callers never touch key bytes. CreateCertificate re-parses and
// re-verifies everything it issues before returning it. GOST signatures are
// verified by this package (package gost/gost3410); ECDSA, RSA and Ed25519
// by the standard library. Verify is rekey's own path validation, since
// crypto/x509 cannot validate GOST chains.
//
// # The subject
//
// Subject is the distinguished name of the manual's request form (S7), with
// the check digits of INN, OGRN, OGRNIP and SNILS validated. Subject
// equality for renewal (requirement O2) is defined once, here, by
// Subject.Equal: same attributes, same decoded values, in any order.
//
// # Keys at rest
//
// See the comment at the top of privkey.go: PKCS#8 EncryptedPrivateKeyInfo
// under PBES2 (PBKDF2-HMAC-Streebog-512 with Kuznyechik-CTR-ACPKM for GOST
// keys, as OpenSSL's gost-engine reads it; PBKDF2-HMAC-SHA-256 with
// AES-256-CBC for ECDSA keys), and PKCS#12 export and import.
//
// Known issue: the GOST PBES2 scheme OpenSSL can read (Kuznyechik-CTR-ACPKM
// without OMAC) has no integrity check, so a modified key file is only
// detected when the key is used; callers check a loaded key against its
// certificate.
package pki
