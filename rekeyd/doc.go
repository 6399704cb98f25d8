// Package rekeyd is the operator's program as a library: the operator's
// directory and its configuration, the CA key, the database, the CMP
// endpoint with its HTTP server, and the admin operations behind the
// rekeyd commands. Command rekeyd maps flags to these calls; `rekey demo`
// and the load tests call them in-process.
//
// # The operator's directory
//
// Init creates it; Open opens it:
//
//	DIR/
//	  rekeyd.json    strict JSON config (unknown fields are refused): the
//	                 operator.Config policy, the database DSN, where the CA
//	                 key is, the CMP URL written into subscribers' media
//	  ca.pem         the self-signed CA certificate
//	  ca-key.pem     the CA key, PKCS#8 EncryptedPrivateKeyInfo (PBES2),
//	                 absent when the key lives in a PKCS#11 token
//	  rekeyd.db      the SQLite database (default; a postgres:// DSN puts
//	                 the data in PostgreSQL instead)
//
// The CA key file is encrypted with a password given through
// OpenOptions.Password (the command reads --ca-password-file, the
// environment variable REKEYD_CA_PASSWORD, else a terminal prompt). A key
// in an HSM is named by a PKCS#11 URI (RFC 7512) in the config:
//
//	pkcs11:token=LABEL;object=LABEL?module-path=/usr/lib/softhsm/libsofthsm2.so
//
// and the same password source gives the token's user PIN (or the URI's
// pin-source=file:PATH). Only commands that sign load the key: listing,
// approving and rejecting requests need just the database (Open with
// OpenOptions.NoCA).
//
// # CMP
//
// Operator.Authority adapts package operator (Policy, Renewals, CA) and
// the store to cmp.Authority and cmp.SecretSource: ir with a one-time
// secret (IssueSecret), kur through the renewal policy O1–O4 and the
// approval queue, pollReq, certConf (a rejection revokes the certificate),
// implicit confirmation, rr, genm (CA certificates, the CRL, the renewal
// window) and the revocation check. Transactions and nonces live in the
// database (TransactionStore), so a pollReq or certConf is answered after a
// restart and by any replica.
//
// The writes of one CMP message share commits: the Server hands the
// TransactionStore a unit of work per message (cmp.TransactionBatcher),
// in which the nonce and the transaction's row wait for the operator's
// first transaction of that message. A renewal is three commits: the
// kur's nonce, transaction, policy decision, request, approval, reserved
// serial and "sign.before" (before anything is signed); the certificate,
// "sign.after" and the transaction's new state; and the certConf's nonce,
// confirmation and transaction state. Every write an answer depends on is
// durable before the answer is sent; a failure of a commit fails the
// message (a replayed nonce found there is refused with badSenderNonce).
//
// A crash between those commits leaves the kur's transaction open
// (cmp.TxOpen) and its request approved with a reserved serial (or, for a
// request issued later than its kur, by ResumeIssuance or a pollReq,
// issued with its certificate). The subscriber's client sends the kur again under
// the same transactionID (a fresh senderNonce; the old message replayed
// is refused) and gets that request's one certificate: the one recorded,
// or one signed then under the serial reserved before the crash (O8).
// Serve also issues, at start-up, the requests left approved with a
// reserved serial (ResumeIssuance).
// The CMP layer's refusals of a revoked or untrusted protection
// certificate are worded by the renewal policy, with the office contact.
//
// # HTTP
//
// Operator.Handler serves:
//
//	POST /.well-known/cmp            CMP over HTTP (RFC 9811)
//	POST /.well-known/cmp/p/LABEL    the same, with a path label
//	GET  /ca.pem                     the CA certificate (PEM)
//	GET  /crl                        the current CRL (DER), re-signed when
//	                                 older than a minute or after a revocation
//	GET  /metrics                    Prometheus text format
//	GET  /healthz                    200 when the database answers
//
// Serve runs it until its context ends, then stops accepting, finishes
// the requests in flight and returns; the caller closes the Operator.
// Each HTTP request is one JSON log event (log/slog); secrets, keys and
// PINs are never logged.
//
// # Audit
//
// Every decision is appended to the store's hash-chained audit trail: the
// policy's accept and refuse, a request's approval and rejection, a line
// before and after every signature, confirmations, revocations, CRLs and
// enrollments. VerifyAudit checks the chain.
//
// # Time
//
// Every time comes from OpenOptions.Now (and InitOptions.Now). The
// command takes it from the environment variable REKEYD_NOW (RFC 3339)
// for tests only; production runs leave it unset.
package rekeyd
