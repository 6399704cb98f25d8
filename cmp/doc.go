// Package cmp implements the Certificate Management Protocol of rekey:
// PKIMessage encoding and decoding (RFC 9810, which obsoletes RFC 4210;
// CRMF of RFC 4211) and message protection (RFC 9810 §5.1.3, RFC 9481),
// for the Lightweight CMP Profile (RFC 9483) with GOST R 34.10-2012 and
// ECDSA keys.
//
// # Scope
//
// The package has three layers. The codec and the protection (below) know
// nothing of transactions: verifying a protection certificate proves who
// holds the key; whether that certificate is trusted (its chain to a trust
// anchor at a pinned time) is pki.Verify's job, done by the caller.
//
// Server (server*.go, http.go, transaction.go) is the CA side as a
// library: an http.Handler for RFC 9811 and Handle for any transport. It
// checks every message — DER, pvno, transactionID and senderNonce sizes,
// messageTime within a window, protection (a one-time secret's MAC for ir
// and its follow-ups only; otherwise a signature whose certificate chains
// to the trust anchors at the injected clock's time and names the
// sender), replayed senderNonce, transactionID reuse, recipNonce and
// state continuity, oldCertID of kur, revocation of the signer, proof of
// possession — and hands what passes to the Authority, which the operator
// implements. Transactions live in a TransactionStore (the operator's
// database; MemoryTransactionStore here). Every refusal is an error
// message whose PKIFailureInfo comes from the typed category of the error
// (an *Error of this package or a *Refusal of the Authority) and whose
// free text is a standard Russian and English text, never the internal
// reason, which goes to the one log event of the request.
//
// A kur sent again under the transactionID of a transaction still open —
// same signer, same key, same certReqId, its answer lost on the way — is
// answered with that transaction's state (waiting, or the certificate
// again) rather than refused, and the Authority sees one request; the
// client chooses such a transactionID with KeyUpdateOptions.TransactionID.
// A transaction whose answer was never recorded (TxOpen: the server died
// after the Authority's first commit) is handed to Authority.UpdateKey
// again, which answers the request it holds for that transactionID. The
// resent kur needs a fresh senderNonce like any message: the same message
// replayed is refused as badSenderNonce.
//
// Client (client*.go) is the subscriber side: Enroll (ir), UpdateKey
// (kur), Poll, Confirm, Revoke and GeneralInfo, each response verified.
// Issuing transactions return a ClientTransaction, a small JSON state the
// caller persists so that Poll and Confirm continue after a restart.
// Errors after which a retry may succeed match ErrRetryLater.
//
// Free text in Russian and English: see FreeText. The operator's suggested
// renewal window travels in genm/genp under OIDRenewalWindow, a placeholder
// arc until the operator registers its own.
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
