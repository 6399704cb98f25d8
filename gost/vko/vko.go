// Package vko implements the key agreement functions VKO_GOSTR3410_2012_256
// and VKO_GOSTR3410_2012_512 of RFC 7836 §4.3 over gost3410 keys.
//
// The elliptic curve step, K = (m/q · UKM · x mod q) · (y·P) with the
// cofactor m/q applied, is gost3410.PrivateKey.SharedPoint; this package
// hashes the point's encoding LE(X)||LE(Y) with Streebog-256 or
// Streebog-512. UKM is the user keying material read as a little-endian
// integer (RFC 7836 §4.3), as OpenSSL's GOST engine takes it; protocols that
// print UKM as a big-endian integer (RFC 9189 §A.1.3) must reverse it.
//
// The elliptic curve step is constant-time in the private key. Known issue:
// the hash is not, as far as package streebog's table lookups go — they are
// indexed by its state, which here derives from the secret point K. RFC 7836
// defines the KEK as that hash, so the exposure is inherent to a
// table-driven Streebog rather than to this package.
package vko

import (
	"errors"
	"fmt"

	"rekey/gost/gost3410"
	"rekey/gost/streebog"
)

// KEK256 returns VKO_GOSTR3410_2012_256(prv, pub, ukm): Streebog-256 of
// LE(X)||LE(Y) of K (RFC 7836 §4.3), 32 bytes. Both keys must be on the
// same curve; ukm is 1 to 2·Size() bytes, little-endian.
func KEK256(prv *gost3410.PrivateKey, pub *gost3410.PublicKey, ukm []byte) ([]byte, error) {
	k, err := shared(prv, pub, ukm)
	if err != nil {
		return nil, err
	}
	sum := streebog.Sum256(k)
	return sum[:], nil
}

// KEK512 returns VKO_GOSTR3410_2012_512(prv, pub, ukm): Streebog-512 of
// LE(X)||LE(Y) of K (RFC 7836 §4.3), 64 bytes. Both keys must be on the
// same curve; ukm is 1 to 2·Size() bytes, little-endian.
func KEK512(prv *gost3410.PrivateKey, pub *gost3410.PublicKey, ukm []byte) ([]byte, error) {
	k, err := shared(prv, pub, ukm)
	if err != nil {
		return nil, err
	}
	sum := streebog.Sum512(k)
	return sum[:], nil
}

func shared(prv *gost3410.PrivateKey, pub *gost3410.PublicKey, ukm []byte) ([]byte, error) {
	if prv == nil || pub == nil {
		return nil, errors.New("vko: nil key")
	}
	k, err := prv.SharedPoint(pub, ukm)
	if err != nil {
		return nil, fmt.Errorf("vko: %w", err)
	}
	return k, nil
}
