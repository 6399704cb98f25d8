// Package operator is the core of rekeyd: the certification authority that
// issues subscribers' certificates, the renewal policy that decides on a
// remote key update (requirements O1–O8 of the seed requirements), and the
// approval queue between them. It holds no HTTP, CMP transport or command
// line; rekeyd adapts it to cmp.Authority and to its commands.
//
// # The CA
//
// NewCA (or LoadCAFiles for a PEM certificate and an encrypted PEM key)
// takes the CA certificate and a crypto.Signer — a file key, a PKCS#11 key,
// anything — and self-tests it before use: the signer's public key is the
// certificate's, and a signature over a random message verifies with the
// certificate. The key is reached only through crypto.Signer.
//
// CA.Issue issues one certificate in numbered steps:
//
//  1. build the template and validate it: the subject copied byte for byte
//     from the current certificate for a renewal (or validated and encoded
//     for an in-office enrollment), notBefore now minus a small backdate,
//     notAfter now plus the configured lifetime (never past the CA's own),
//     privateKeyUsagePeriod when configured, key usage by key type, the
//     sign-tool, policy and CRL extensions from the config, the new key in
//     its canonical encoding and of an allowed type. Validation returns a
//     single-use issuance token bound to a private copy of the template;
//  2. persist a fresh random serial (20 octets, positive) before signing
//     (O8);
//  3. audit "sign.before" with the serial, issuer, profile and request hash;
//  4. sign through the token, which refuses a second use, with a signer
//     wrapper that refuses a second signature; pki.CreateCertificate
//     verifies the signature with the CA certificate's key before it
//     returns the certificate;
//  5. parse the certificate back and compare every TBS field with the
//     template;
//  6. record the certificate;
//  7. audit "sign.after".
//
// Before step 4 nothing is signed; a certificate that fails step 5 or 6 is
// discarded ("sign.failed", "sign.discarded") and never returned. When the
// storage is a TxRunner (a store.Store is), steps 2 and 3 are one
// transaction committed before step 4, and steps 6 and 7 another, so a
// certificate is recorded only with its "sign.after"; no transaction is
// open while the CA signs. For a request created in the transaction of
// steps 2 and 3, steps 6 and 7 may wait for the caller's next commit
// (LaterRunner), which then carries its answer too. A request
// answered before gets its recorded certificate again, and a serial that a
// crashed attempt reserved for a request is reused, so one request yields
// at most one certificate, across retries and replicas.
//
// # The renewal policy
//
// Policy.Check is default-deny: a kur is accepted only when every check of
// the pipeline ran and passed, in this order:
//
//   - O1: the certificate that signed is this CA's (name and signature),
//     in its register, not revoked, valid now, its key (KeyExpires:
//     privateKeyUsagePeriod, else notAfter) not expired, and today, in the
//     configured time zone (Europe/Moscow by default), is not the key's
//     last day (S5: on that day only the office renews);
//   - the subscriber's daily rate limit (calendar days in that time zone);
//   - O2: a subject in the template equals the current one by
//     pki.Subject.Equal; the new certificate copies the current subject in
//     any case;
//   - O3: the proof of possession verifies; the new key is of an allowed
//     profile and parameter set, differs from the current key and from the
//     CA's, and was never certified before (KeyFingerprint lookup);
//   - O4: the configured approval mode, auto or manual, goes with the
//     acceptance.
//
// Each refusal is a *Refusal: a Reason to branch on, a cmp.FailureInfo bit,
// and Russian and English texts for the subscriber, ending with the office
// contact from the config when only the office can help. errors.As turns it
// into a *cmp.Refusal. Every decision is audited.
//
// Renewals puts the policy and the CA behind a queue: Submit stores an
// accepted request and, with automatic approval, issues it at once (on a
// TxRunner, the policy's count and decision, the request, its approval,
// the reserved serial and "sign.before" are one commit; the proof of
// possession is verified before it, outside the transaction);
// Status (a pollReq) answers waiting, issues an approved request, or
// returns the operator's rejection. Approve and Reject are the operator's
// decisions and sign nothing, so an admin command needs no CA key.
//
// CA.RenewalWindow is the renewal time suggested through genm: from two
// thirds of the key's life or 30 days before its end, whichever is first,
// plus a jitter fixed per certificate, until the key's last day.
//
// # Storage, time and configuration
//
// The package reaches its storage through small interfaces (SerialReserver,
// CertificateRecorder, Auditor, CertificateLookup, RateCounter,
// RequestStore) whose methods are those of store.Tx, so a store.Store is
// all of them. Every time comes from the injected clock (Options.Now).
// Config is strict JSON (ParseConfig); Validate changes nothing and
// ApplyDefaults is separate.
//
// Known issue: the operator certifies the canonical encoding of a new key
// (pki.MarshalPKIXPublicKey), which may differ byte for byte from the
// SubjectPublicKeyInfo in the request, for example in the optional digest
// parameter of a GOST key; the key itself is the same.
package operator
