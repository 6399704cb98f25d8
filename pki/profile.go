package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"hash"
	"io"

	"rekey/gost/gost3410"
)

// Profile is an algorithm profile of DESIGN.md: a key type with its
// signature algorithm and hash. A CA has one, and so has every key.
type Profile struct {
	// Name is "gost2012-256", "gost2012-512" or "ecdsa-p256".
	Name string
	// SignatureAlgorithm is what keys of the profile sign with.
	SignatureAlgorithm SignatureAlgorithm
	// Curve is the GOST curve new keys are made on; nil for ECDSA. A copy
	// of a GOST profile may name another curve of the same size.
	Curve *gost3410.Curve
}

// The profiles. GOST 256-bit keys are made on TC26 parameter set A and
// 512-bit ones on set A (DESIGN.md); WithCurve selects another set.
var (
	ProfileGOST256 = &Profile{"gost2012-256", GOST256WithStreebog256, gost3410.TC26256A}
	ProfileGOST512 = &Profile{"gost2012-512", GOST512WithStreebog512, gost3410.TC26512A}
	ProfileECDSA   = &Profile{"ecdsa-p256", ECDSAWithSHA256, nil}
)

// Profiles lists the profiles, the default first.
func Profiles() []*Profile { return []*Profile{ProfileGOST256, ProfileGOST512, ProfileECDSA} }

// ProfileByName returns the profile called name.
func ProfileByName(name string) (*Profile, error) {
	for _, p := range Profiles() {
		if p.Name == name {
			return p, nil
		}
	}
	return nil, fmt.Errorf(
		"pki: unknown profile %q (known: gost2012-256, gost2012-512, ecdsa-p256)", name)
}

// ProfileOf returns the profile of a public key, with the key's curve for
// GOST keys. It fails for key types no profile has.
func ProfileOf(pub crypto.PublicKey) (*Profile, error) {
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		base := ProfileGOST256
		if k.Curve().Size() == 64 {
			base = ProfileGOST512
		}
		return base.WithCurve(k.Curve())
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() {
			return ProfileECDSA, nil
		}
	}
	return nil, fmt.Errorf("%w: no profile for a %s key",
		ErrUnsupportedAlgorithm, publicKeyAlgorithmOf(pub))
}

// WithCurve returns a copy of a GOST profile that makes keys on c, which
// must have the profile's key size.
func (p *Profile) WithCurve(c *gost3410.Curve) (*Profile, error) {
	if p.Curve == nil || c == nil || c.Size() != p.Curve.Size() {
		return nil, fmt.Errorf("pki: profile %s cannot use curve %v", p.Name, c)
	}
	q := *p
	q.Curve = c
	return &q, nil
}

// paramSets maps the TC26 parameter-set letters to curves, by key size.
// TC26 sets B, C and D of 256 bits are the CryptoPro A, B and C curves
// (RFC 9215 Appendix E); OpenSSL calls them paramset TCB, TCC and TCD.
var paramSets = map[int]map[string]*gost3410.Curve{
	32: {"A": gost3410.TC26256A, "B": gost3410.CryptoProA, "C": gost3410.CryptoProB,
		"D": gost3410.CryptoProC},
	64: {"A": gost3410.TC26512A, "B": gost3410.TC26512B, "C": gost3410.TC26512C},
}

// WithParamSet returns a copy of a GOST profile that makes keys on the
// TC26 parameter set named by letter: A–D for 256 bits, A–C for 512 bits.
func (p *Profile) WithParamSet(letter string) (*Profile, error) {
	if p.Curve == nil {
		return nil, fmt.Errorf("pki: profile %s has no parameter sets", p.Name)
	}
	c, ok := paramSets[p.Curve.Size()][letter]
	if !ok {
		return nil, fmt.Errorf("pki: profile %s has no parameter set %q", p.Name, letter)
	}
	return p.WithCurve(c)
}

// String returns the profile's name.
func (p *Profile) String() string { return p.Name }

// NewHash returns the profile's hash: Streebog-256, Streebog-512 or SHA-256.
func (p *Profile) NewHash() hash.Hash { return p.SignatureAlgorithm.NewHash() }

// GenerateKey makes a new private key of the profile, reading randomness
// from random (crypto/rand.Reader when nil). The key is a
// *gost3410.PrivateKey or an *ecdsa.PrivateKey.
func (p *Profile) GenerateKey(random io.Reader) (crypto.Signer, error) {
	if random == nil {
		random = rand.Reader
	}
	if p.SignatureAlgorithm == ECDSAWithSHA256 {
		k, err := ecdsa.GenerateKey(elliptic.P256(), random)
		if err != nil {
			return nil, fmt.Errorf("pki: generating ECDSA key: %w", err)
		}
		return k, nil
	}
	if p.Curve == nil {
		return nil, errors.New("pki: profile has no curve")
	}
	k, err := gost3410.GenerateKey(p.Curve, random)
	if err != nil {
		return nil, fmt.Errorf("pki: generating GOST key: %w", err)
	}
	return k, nil
}
