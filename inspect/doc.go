// Package inspect detects and describes the objects of rekey's world, the
// library behind `rekey inspect`: certificates, PKCS#10 requests and CRLs
// (through package pki), PKCS#8 keys plain and encrypted, PKCS#1 and SEC 1
// keys, public keys, PKCS#12 files, CMS ContentInfo and CMP PKIMessages
// (through package cmp).
//
// # Input
//
// A file is PEM (one or more blocks; each block is one object, described
// in order), DER, or DER written as bare Base64. PEM labels decide the type
// when they are known; otherwise the DER structure does (detect). Input that
// is none of these gives ErrUnknownFormat.
//
// # Verification
//
// Inspect checks every signature it has a key for and nothing else: a
// request's self-signature; a self-signed certificate's signature; a
// certificate's or CRL's signature with the --issuer certificate
// (Options.Issuer) when its subject is the object's issuer name, or with
// another certificate of the same file that has that subject. A signature
// whose algorithm rekey does not verify (the legacy GOST R 34.10-94 and
// -2001, RSA with SHA-1) is a problem, not a pass. Validity dates are shown
// with the days left from Options.Now, never from the system clock; an
// expired certificate is not a problem (it is what renewal is for).
//
// Report.OK is true when every object parsed and every signature checked is
// valid; `rekey inspect` exits 0 then and 1 otherwise. A CMP message's
// signature protection is checked with the --issuer certificate or, without
// one, with the certificates of its extraCerts whose key identifier is the
// senderKID; signature_valid and signature_checked_with ("issuer" or
// "extra_certs") report it. A MAC protection needs the shared secret and is
// not checked (a note says so); CMS signatures are not checked yet (a note
// says so).
//
// # JSON form
//
// Report.WriteJSON writes one object: the keys of the file's first object,
// plus
//
//	"format": "pem" | "der" | "base64"
//	"ok":     true when Report.OK
//	"more":   [object…]   the file's other objects, same schema; [] if none
//
// Every object has all of these keys, null (or [] for notes and problems)
// where they do not apply:
//
//	"type"                    "certificate" | "certificate_request" | "crl" |
//	                          "private_key" | "encrypted_private_key" |
//	                          "rsa_private_key" | "ec_private_key" | "public_key" |
//	                          "pkcs12" | "cms" | "pki_message" | "unknown"
//	"index"                   1-based position in the file
//	"pem_label"               string | null
//	"subject", "issuer"       {"CN": …, "O": …, "INN": …, "SNILS": …} | null: the
//	                          keys of the subject JSON form of package pki, the
//	                          dotted OID for attributes without one
//	"serial"                  lowercase hex | null
//	"not_before", "not_after",
//	"key_expires"             RFC 3339 UTC | null; key_expires is the end of
//	                          privateKeyUsagePeriod when it comes first
//	"days_left",
//	"key_days_left"           whole days from Options.Now, truncated toward
//	                          zero, negative when past | null
//	"signature_algorithm"     name, e.g. "GOST R 34.10-2012 256-bit with Streebog-256" | null
//	"signature_algorithm_oid" dotted OID | null
//	"public_key_algorithm"    name, e.g. "GOST R 34.10-2012 256-bit", "ECDSA" | null
//	"public_key"              {"algorithm", "bits", "curve", "curve_oid", "key_id"} | null
//	"signature_valid"         true | false | null (not checked, or algorithm
//	                          not supported: see problems)
//	"signature_checked_with"  "self" | "issuer" | "object N" | null
//	"extensions"              certificate and request extensions (below) | null
//	"crl"                     {"this_update", "next_update", "number", "revoked":
//	                          [{"serial", "time", "reason"}]} | null
//	"encryption"              {"scheme", "kdf", "prf", "iterations", "salt_size",
//	                          "cipher", "cipher_oid"} of an encrypted key | null
//	"pkcs12"                  {"mac", "safes", "decrypted", "key",
//	                          "key_matches_certificate", "certificates"} | null
//	"cms"                     {"content_type", "content_type_oid", "version",
//	                          "encapsulated_content_type", "detached",
//	                          "content_size", "digest_algorithms", "certificates",
//	                          "crls", "signers", "recipients", "content_encryption"} | null
//	"pki_message"             {"pvno", "body", "protected", "extra_certs", "decoded",
//	                          "sender", "recipient", "message_time",
//	                          "transaction_id", "sender_nonce", "recip_nonce",
//	                          "sender_kid" (hex), "free_text", "general_info",
//	                          "implicit_confirm", "confirm_wait_time",
//	                          "protection" ("signature" | "mac" | "none"),
//	                          "protection_algorithm", "statuses": [{"cert_req_id",
//	                          "status", "fail_info", "text", "check_after"}],
//	                          "requests": [{"cert_req_id", "subject",
//	                          "public_key", "pop_valid", "old_cert_serial"}],
//	                          "revocations": [{"issuer", "serial", "reason"}],
//	                          "info_types", "certificates": [{"where",
//	                          "subject", "issuer", "serial", "not_after"}]} | null
//	"matches_object"          index of the certificate holding this private key's
//	                          public key | null
//	"notes"                   [{"code", "message"}]
//	"problems"                [{"code", "message"}], codes: malformed,
//	                          signature_invalid, signature_unsupported,
//	                          signature_legacy, issuer_mismatch, wrong_password,
//	                          decrypt_failed, legacy_pem_encryption
//
// "extensions" holds only the extensions present: "basic_constraints"
// {"ca", "max_path_len"}, "key_usage" (RFC 5280 names), "ext_key_usage" and
// "policies" (OIDs), "subject_key_id" and "authority_key_id" (hex),
// "crl_distribution_points" (URIs), "private_key_usage_period"
// {"not_before", "not_after"}, "subject_sign_tool", "issuer_sign_tool"
// {"sign_tool", "ca_tool", "sign_tool_cert", "ca_tool_cert"}, "critical"
// (OIDs of the critical ones) and "other" (OIDs of the rest). Messages are
// in the language asked for; codes and names are not translated.
//
// Compatibility: keys are added, never renamed or removed, and their types
// do not change.
package inspect
