// Package pki holds rekey's certificate formats: the Russian
// qualified-certificate subject with its check digits, and (with the
// certificate issue) X.509 certificates, PKCS#10 requests, CRLs and keys at
// rest for the GOST and ECDSA profiles.
//
// Subject equality for renewal (requirement O2) is defined once, here, by
// Subject.Equal: same attributes, same decoded values, in any order.
package pki
