// Package cms reads and writes the Cryptographic Message Syntax (RFC 5652)
// messages rekey exchanges: SignedData, EnvelopedData and AuthEnvelopedData
// (RFC 5083), for GOST R 34.10-2012 keys first and ECDSA P-256 keys second,
// and reads DigestedData.
//
// # Signed messages
//
// Sign writes a SignedData, attached or detached, with one SignerInfo per
// signer and the signed attributes contentType, signingTime, messageDigest
// and signingCertificateV2 (RFC 5035). Keys are reached only through
// crypto.Signer: a GOST key gets the Streebog digest of its size with
// pki.StreebogSignerOpts, an ECDSA key the SHA-256 digest. The signers'
// certificates, and any others given, are included.
//
// SignedData.Verify checks every signer: the signature, messageDigest
// (ErrContentModified when the content changed), contentType,
// signingCertificateV2 when present, key usage, and, with trust anchors,
// the certificate path with pki.Verify at a given time. Messages without
// signed attributes, such as TC26's examples, are verified over the content.
//
// # Encrypted messages
//
// Encrypt writes, for each recipient certificate:
//
//   - GOST keys, key transport (what `openssl cms -encrypt` writes with
//     gost-engine): with Kuznyechik or Magma content, the KExp15 form —
//     keyEncryptionAlgorithm kuznyechik-kexp15 (1.2.643.7.1.1.7.2.1) or
//     magma-kexp15 (1.2.643.7.1.1.7.1.1) with the parameters SEQUENCE
//     { agreement OID 1.2.643.7.1.1.6.1 or .2 by key size }, encryptedKey a
//     PSKeyTransport { KExp15 output, ephemeral SubjectPublicKeyInfo, 32-byte
//     ukm }, the export keys from VKO and KDF_TREE as gost-engine derives
//     them — and with the other ciphers GostR3410-KeyTransport (RFC 4490
//     §5.2: VKO_GOSTR3410_2012_256, the CryptoPro key wrap, param-Z), the
//     keyEncryptionAlgorithm being the recipient's key algorithm.
//   - GOST keys with EncryptOptions.KeyAgreement: a KeyAgreeRecipientInfo
//     with the ephemeral key as originatorKey; gost-engine reads the KExp15
//     form (Kuznyechik and Magma). With GOST 28147-89 it is TC26's form with
//     id-Gost28147-89-None-KeyWrap, which gost-engine does not read.
//   - ECDSA P-256 keys: a KeyAgreeRecipientInfo with ephemeral-static ECDH,
//     dhSinglePass-stdDH-sha256kdf-scheme (the ANSI X9.63 KDF) and
//     id-aes256-wrap (RFC 5753, RFC 3394).
//
// and encrypts the content with one of the ContentCipher values:
// kuznyechik-ctr-acpkm-omac (the GOST default) or magma-ctr-acpkm-omac,
// whose MAC gost-engine carries, encrypted, in the unprotected attribute
// 1.2.643.7.1.0.6.1.1; GOST 28147-89 CFB with param-Z (gost89); AES-256-GCM
// in an AuthEnvelopedData (the default when a recipient has an ECDSA key;
// `openssl cms -decrypt` of OpenSSL 3 reads it); or AES-256-CBC.
//
// EnvelopedData.Decrypt reads all of these and TC26's example forms, with a
// recipient's certificate and private key (see Decrypter), or with the key
// alone, trying every recipient that fits it. It also reads the ECDH
// schemes with the SHA-1 (OpenSSL's default), SHA-224, -384 and -512 KDFs
// and the AES-128 and AES-192 key wraps.
//
// # Compatibility
//
// Tested both ways against OpenSSL 3.0 with Debian's gost-engine 3.0.1
// (sign, verify, encrypt with -gost89, -kuznyechik-ctr-acpkm-omac,
// -magma-ctr-acpkm-omac, and for ECDSA -aes-256-gcm and -aes256, decrypt)
// on TC26-256-A, CryptoPro-A, TC26-512-A and P-256 keys, and against
// TC26's CMS examples (testdata/SOURCES.md).
//
// Known issue: gost-engine 3.0.1 encrypts CMS content with Kuznyechik and
// Magma without the ACPKM key change at the 4096- and 1024-byte sections
// (Kuznyechik never changes keys, Magma every 8192 bytes) while it decrypts
// with it, so that it cannot read its own messages longer than a section.
// rekey writes the standard keystream, which gost-engine reads, and reads
// gost-engine's by trying its keystream when the MAC of the standard one
// fails.
//
// Messages are written in DER. They are read in DER, or in the BER that
// streaming writers produce (`openssl cms -stream`: indefinite lengths,
// constructed OCTET STRINGs), which is re-encoded in DER first.
//
// Known issue: gost-engine 3.0.1 fails to encrypt AES content for a GOST
// recipient (`-aes256` with a GOST certificate), though it decrypts what
// rekey writes in that combination.
//
// Known issue: for 512-bit GOST keys, bytes 16–23 of the KExp15 ukm take no
// part in the key derivation (as in gost-engine), so a change there goes
// unnoticed; the key and content stay authenticated.
//
// # Errors
//
// Errors start with "cms: ". ErrSignature, ErrContentModified,
// ErrNotRecipient, ErrWrongKey, ErrKeyUnwrap, ErrAuthentication and
// ErrUnsupportedAlgorithm are returned wrapped for the cases callers act
// on; everything else is a malformed message.
package cms
