// Package gost3410 implements the GOST R 34.10-2012 digital signature
// (RFC 7091) on the standardised 256- and 512-bit curves, and the elliptic
// curve part of the VKO key agreement of RFC 7836 §4.3 (the hashing is in
// package rekey/gost/vko).
//
// # Byte orders
//
// The byte strings follow RFC 4491, RFC 9215 and OpenSSL's GOST engine:
//
//   - The digest passed to Sign and Verify is the Streebog output as the hash
//     produces it (Streebog-256 for 256-bit curves, Streebog-512 for 512-bit
//     ones). The integer e of GOST R 34.10-2012 §6.1 is that digest read
//     little-endian (RFC 4491 §2.2.1, RFC 9215).
//   - A signature is s||r, each big-endian and Curve.Size bytes, as in the
//     signatureValue of an X.509 certificate (RFC 4491 §2.2.2, RFC 9215 §3).
//   - A raw public key is LE(X)||LE(Y), the content of the OCTET STRING in a
//     SubjectPublicKeyInfo (RFC 4491 §2.3.2, RFC 9215 §4).
//   - A raw private key is the scalar d little-endian in Curve.Size bytes, as
//     in RFC 9215 Appendix D and OpenSSL's PKCS#8 for GOST.
//
// # Guarantees
//
// Key generation, signing and the shared point of VKO run in constant time
// with respect to the private key and the nonce: the arithmetic works on
// fixed-size 64-bit limbs (package internal/ec, generated code), scalar
// multiplication uses fixed windows with table lookups that read every
// entry, and the point formulas are complete. Verification and public-key
// decoding handle only public data and are variable-time.
//
// Public keys are validated when decoded: length, coordinates below p, the
// curve equation, and, on the curves with cofactor 4 (TC26256A, TC26512C),
// membership in the subgroup of order q. The point at infinity has no
// encoding and is always rejected.
//
// Signing hedges its nonce: k is derived from fresh randomness together with
// the private key and the digest, so a weak random source does not on its
// own expose the key (see PrivateKey.Sign).
//
// # Curves and compatibility
//
// Every curve of RFC 7836 Appendix A, RFC 4357 §11.4 and RFC 9215 is here,
// with the two test curves; the variables TC26256A … Test512 list their
// OIDs and OpenSSL's names for them. CurveByOID knows the aliases (the TC26
// 256 B/C/D OIDs and the CryptoPro XchA/XchB OIDs name CryptoPro A/B/C) and
// Curve.OID returns one canonical OID per curve, so a key read under an
// alias is written back under the canonical OID unless the caller keeps the
// original.
//
// OpenSSL 3 with gost-engine agrees with these conventions: "openssl
// pkeyutl -sign/-verify" takes the digest bytes as hashed and a signature
// s||r (big-endian halves); "openssl pkeyutl -derive -pkeyopt ukmhex:HEX"
// computes VKO_GOSTR3410_2012_256 with the UKM bytes in this package's
// (little-endian) order. gost-engine refuses to derive between keys whose
// parameter-set OIDs differ, even when they name the same curve.
package gost3410

import (
	"crypto"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
)

// PublicKey is a GOST R 34.10-2012 public key: a point Q = d·P on a curve.
// The zero value is invalid; create one with NewPublicKey or from a
// PrivateKey.
type PublicKey struct {
	curve *Curve
	raw   []byte // LE(X)||LE(Y)
	be    []byte // X||Y big-endian, for internal/ec
}

// PrivateKey is a GOST R 34.10-2012 private key, a scalar d in [1, q-1],
// with its public key. It implements crypto.Signer. The zero value is
// invalid; create one with GenerateKey or NewPrivateKey.
type PrivateKey struct {
	pub PublicKey
	d   []byte // big-endian, Size bytes
}

// reverse returns a reversed copy of b.
func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i, v := range b {
		out[len(b)-1-i] = v
	}
	return out
}

// swapHalves converts between LE(X)||LE(Y) and X||Y big-endian.
func swapHalves(b []byte) []byte {
	n := len(b) / 2
	return append(reverse(b[:n]), reverse(b[n:])...)
}

// NewPublicKey decodes a raw public key LE(X)||LE(Y) of 2·c.Size() bytes.
// It rejects a wrong length, a coordinate not below p, a point off the curve
// and, where the cofactor is 4, a point outside the subgroup of order q
// (which costs one scalar multiplication, skipped for a key that passed
// recently: see checkedKeys); the all-zero string (which some
// encodings use for infinity) is off every curve here. Variable-time.
func NewPublicKey(c *Curve, raw []byte) (*PublicKey, error) {
	if c == nil {
		return nil, errors.New("gost3410: nil curve")
	}
	if len(raw) != c.PointSize() {
		return nil, errors.New("gost3410: public key has the wrong length")
	}
	be := swapHalves(raw)
	cached := c.params.Cofactor != 1
	if !cached || !checkedKeys.has(c, be) {
		if err := c.impl.CheckPoint(be); err != nil {
			return nil, err
		}
		if cached {
			checkedKeys.add(c, be)
		}
	}
	return &PublicKey{curve: c, raw: append([]byte(nil), raw...), be: be}, nil
}

// Curve returns the key's curve.
func (pub *PublicKey) Curve() *Curve { return pub.curve }

// Raw returns the encoding LE(X)||LE(Y), a fresh copy.
func (pub *PublicKey) Raw() []byte { return append([]byte(nil), pub.raw...) }

// Equal reports whether x is a *PublicKey on the same curve with the same
// point. Variable-time.
func (pub *PublicKey) Equal(x crypto.PublicKey) bool {
	o, ok := x.(*PublicKey)
	if !ok {
		return false
	}
	return pub.curve == o.curve && subtle.ConstantTimeCompare(pub.raw, o.raw) == 1
}

// NewPrivateKey decodes a raw private key: the scalar d little-endian in
// exactly c.Size() bytes. It rejects d = 0 and d >= q (the comparison is
// constant-time) and computes the public key. Constant-time in d.
func NewPrivateKey(c *Curve, raw []byte) (*PrivateKey, error) {
	if c == nil {
		return nil, errors.New("gost3410: nil curve")
	}
	if len(raw) != c.Size() {
		return nil, errors.New("gost3410: private key has the wrong length")
	}
	d := reverse(raw)
	if c.impl.ScalarValid(d) != 1 {
		return nil, errors.New("gost3410: private key is zero or not below the group order")
	}
	return newPrivateKey(c, d), nil
}

func newPrivateKey(c *Curve, d []byte) *PrivateKey {
	be := c.impl.PublicKey(d)
	if c.params.Cofactor != 1 {
		// d·G is in the subgroup of G by construction: when the holder of
		// the key reads its own certificate, NewPublicKey need not check.
		checkedKeys.add(c, be)
	}
	return &PrivateKey{
		pub: PublicKey{curve: c, raw: swapHalves(be), be: be},
		d:   d,
	}
}

// GenerateKey returns a new private key on c. It reads 2·c.Size() bytes
// from rand (crypto/rand.Reader when nil) and reduces them modulo q, which
// leaves a bias below 2^-250; a zero result is drawn again. Constant-time.
func GenerateKey(c *Curve, random io.Reader) (*PrivateKey, error) {
	if c == nil {
		return nil, errors.New("gost3410: nil curve")
	}
	if random == nil {
		random = rand.Reader
	}
	buf := make([]byte, 2*c.Size())
	for {
		if _, err := io.ReadFull(random, buf); err != nil {
			return nil, fmt.Errorf("gost3410: reading random bytes: %w", err)
		}
		d := c.impl.ReduceWide(buf)
		if c.impl.ScalarValid(d) == 1 {
			return newPrivateKey(c, d), nil
		}
	}
}

// Curve returns the key's curve.
func (priv *PrivateKey) Curve() *Curve { return priv.pub.curve }

// PublicKey returns the key's public key.
func (priv *PrivateKey) PublicKey() *PublicKey { return &priv.pub }

// Public returns the key's public key, a *PublicKey (crypto.Signer).
func (priv *PrivateKey) Public() crypto.PublicKey { return &priv.pub }

// Raw returns the scalar d little-endian in Size() bytes, a fresh copy.
func (priv *PrivateKey) Raw() []byte { return reverse(priv.d) }

// Equal reports whether x is a *PrivateKey with the same curve and scalar.
// Constant-time in the scalars.
func (priv *PrivateKey) Equal(x crypto.PrivateKey) bool {
	o, ok := x.(*PrivateKey)
	if !ok {
		return false
	}
	return priv.pub.curve == o.pub.curve && subtle.ConstantTimeCompare(priv.d, o.d) == 1
}

// Sign signs digest, the Streebog hash of the message as the hash outputs it
// (c.Size() bytes: Streebog-256 for 256-bit curves, Streebog-512 for
// 512-bit ones), following GOST R 34.10-2012 §6.1 (RFC 7091 §6.1). opts is
// not consulted beyond the digest length, since crypto.Hash has no Streebog
// values. The result is s||r, each big-endian in Size() bytes.
//
// The nonce k is hedged: it is SHA-512 of fresh bytes from rand
// (crypto/rand.Reader when nil), the private key and the digest, reduced
// modulo q. Constant-time in the private key and the nonce.
func (priv *PrivateKey) Sign(random io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	c := priv.pub.curve
	if len(digest) != c.Size() {
		return nil, errors.New("gost3410: digest length does not match the curve")
	}
	if random == nil {
		random = rand.Reader
	}
	e := reverse(digest)
	for {
		k, err := priv.nonce(random, e)
		if err != nil {
			return nil, err
		}
		if sig, ok := priv.signWithK(k, e); ok {
			return sig, nil
		}
	}
}

// signWithK runs GOST R 34.10-2012 §6.1 steps 3–6 with the nonce k and the
// integer e (both big-endian). It returns false when k is not in [1, q-1]
// or gives r = 0 or s = 0.
func (priv *PrivateKey) signWithK(k, e []byte) ([]byte, bool) {
	c := priv.pub.curve
	if c.impl.ScalarValid(k) != 1 {
		return nil, false
	}
	r, s, ok := c.impl.Sign(priv.d, k, e)
	if ok != 1 {
		return nil, false
	}
	return append(s, r...), true
}

// Verify reports whether sig (s||r, big-endian halves) is a valid signature
// of digest (the Streebog output, read little-endian as e) under pub,
// following GOST R 34.10-2012 §6.2 (RFC 7091 §6.2). It rejects signatures
// of the wrong length and r or s outside [1, q-1]. Variable-time.
//
// A key verified often (a CA's own key) gets a precomputed table of its
// multiples after a few verifications, which makes later ones about 3
// times faster; see keyTables. The result is the same either way.
func Verify(pub *PublicKey, digest, sig []byte) bool {
	if pub == nil || pub.curve == nil {
		return false
	}
	c := pub.curve
	n := c.Size()
	if len(digest) != n || len(sig) != 2*n {
		return false
	}
	e, r, s := reverse(digest), sig[n:], sig[:n]
	if t := keyTables.lookup(c, pub.be); t != nil {
		return c.impl.VerifyWithTable(t, e, r, s)
	}
	return c.impl.Verify(pub.be, e, r, s)
}

// SharedPoint returns LE(X)||LE(Y) of K = (m/q · UKM · d mod q) · Q, the
// point of VKO_GOSTR3410_2012 (RFC 7836 §4.3) for this key d, the peer's
// public key Q and ukm, a little-endian integer of 1 to 2·Size() bytes. A
// UKM that is 0 modulo q would make K the identity; this package replaces it
// by 1, as GOST R 34.10-2012 §6.1 does for e. The cofactor m/q is 4 on TC26256A
// and TC26512C and 1 elsewhere. Hash the result with Streebog to get the KEK
// (package rekey/gost/vko does). Constant-time in the private key.
func (priv *PrivateKey) SharedPoint(pub *PublicKey, ukm []byte) ([]byte, error) {
	c := priv.pub.curve
	if pub == nil || pub.curve != c {
		return nil, errors.New("gost3410: peer key is on a different curve")
	}
	if len(ukm) == 0 || len(ukm) > 2*c.Size() {
		return nil, errors.New("gost3410: UKM must be 1 to 2·Size bytes")
	}
	wide := make([]byte, 2*c.Size())
	copy(wide[len(wide)-len(ukm):], reverse(ukm))
	be, err := c.impl.SharedPoint(priv.d, c.impl.ReduceWide(wide), pub.be)
	if err != nil {
		return nil, err
	}
	return swapHalves(be), nil
}
