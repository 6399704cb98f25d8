// Package cmp implements the Certificate Management Protocol of rekey:
// PKIMessage encoding and decoding (RFC 9810, which obsoletes RFC 4210;
// CRMF of RFC 4211) and message protection (RFC 9810 §5.1.3, RFC 9481),
// for the Lightweight CMP Profile (RFC 9483) with GOST R 34.10-2012 and
// ECDSA keys.
//
// # Scope
//
// This layer is the codec and the protection. The HTTP transfer (RFC
// 9811), the client that runs ir, kur, pollReq, certConf, rr and genm, and
// the server handler that checks transactions, nonces and times and
// answers with error messages are built on it in later files of this
// package. Verifying a protection certificate here proves who holds the
// key; whether that certificate is trusted (its chain to a trust anchor
// at a pinned time) is pki.Verify's job, done by the caller.
//
// # Messages
//
// ParseMessage decodes a Message; Message.Marshal encodes one. The body is
// a Body whose Type selects the field that holds the content: CertReq for
// ir, cr and kur; CertRep for ip, cp and kup; P10CR, CertConf, PollReq,
// PollRep, RevReq, RevRep, GenInfo (genm, genp) and Error; pkiconf has no
// content. Structures that rekey passes on without interpreting them
// (names, public keys, certificates, CRLs, encrypted keys, unknown
// info types and controls) are kept as their DER.
//
// # Strictness
//
// The decoder accepts DER only: definite minimal lengths, minimal
// integers, DER booleans and bit strings, DER times, no DEFAULT value
// written out, every field in its place and nothing after the message.
// It refuses the body types rekey does not implement (popdecc, krr, ccr,
// the announcements, nested) and unknown ones with distinct errors. As a
// result, Marshal of a parsed message gives back the input byte for byte;
// a fuzz target checks this. Some peers write a present but empty
// SEQUENCE where RFC 9810 asks for at least one element (OpenSSL's empty
// extraCerts and genm, for example); such a field is kept as an empty,
// non-nil slice, so it re-encodes as it came.
//
// Header.Raw and Body.Raw keep the bytes received, and protection is
// verified over exactly those bytes. Sign and ProtectMAC set them to the
// encoding they protect.
//
// # Protection
//
// Sign protects with a crypto.Signer: GOST R 34.10-2012 256 or 512 with
// Streebog, or ECDSA with SHA-2 by curve. VerifySignature also accepts RSA
// and Ed25519 (as in OpenSSL's test data) and reports which certificate
// verified. ProtectMAC writes PBMAC1 (PBKDF2 with HMAC-SHA-256, -SHA-512 or
// HMAC-Streebog-512; RFC 9481 §6.1.3) or PasswordBasedMac (SHA-256 or
// Streebog-512; RFC 9481 §6.1.1); VerifyMAC reads both, with bounds on
// iteration counts, salt and key lengths so that a hostile message cannot
// demand unbounded work, and compares in constant time. SHA-1 is read
// (OpenSSL's default PBM MAC is HMAC-SHA1) but never written.
//
// # Errors
//
// Every error is an *Error with a "cmp: " message of its own and a
// Failure, the PKIFailureInfo bit a server answers with: FailBadDataFormat
// for malformed DER, FailBadMessageCheck for protection that does not
// verify, FailBadAlg for an unsupported algorithm, FailWrongIntegrity for
// a MAC where a signature was expected (or the reverse), FailBadPOP,
// FailSignerNotTrusted and FailUnsupportedVersion. Secrets never appear
// in messages.
//
// # Compatibility
//
// The tests decode, re-encode and verify OpenSSL's CMP test messages, and
// requests that OpenSSL 3's "openssl cmp" writes (ir with PBM, kur, rr,
// genm and p10cr signed, in the ECDSA and the GOST profile). The other way,
// "openssl cmp" accepts the ip, kup and pkiconf this package builds and
// protects (PBM, ECDSA and GOST R 34.10-2012 signatures) in a test that
// answers it on 127.0.0.1. OpenSSL 3.0 knows no PBMAC1, so a server answers
// its MAC-protected requests with PasswordBasedMac; and it does not put a
// self-signed protection certificate into extraCerts, so a verifier must
// find that certificate by senderKID or sender.
package cmp
