package operator

import (
	"crypto"
	"crypto/sha256"
	"fmt"
	"strings"

	"rekey/gost/gost3410"
	"rekey/pki"
)

// keyProfile is one entry of Config.KeyProfiles: a profile and, for GOST,
// the curves allowed (nil: all sets of the profile).
type keyProfile struct {
	profile *pki.Profile
	curves  []*gost3410.Curve
}

// paramSetLetters are the TC26 parameter sets a GOST profile names.
var paramSetLetters = []string{"A", "B", "C", "D"}

// parseKeyProfile reads "ecdsa-p256", "gost2012-256" or "gost2012-256:B".
func parseKeyProfile(s string) (keyProfile, error) {
	name, set, hasSet := strings.Cut(s, ":")
	p, err := pki.ProfileByName(name)
	if err != nil {
		return keyProfile{}, fmt.Errorf("%q is not a profile", s)
	}
	if p.Curve == nil {
		if hasSet {
			return keyProfile{}, fmt.Errorf("%q: profile %s has no parameter sets", s, name)
		}
		return keyProfile{profile: p}, nil
	}
	letters := []string{set}
	if !hasSet {
		letters = paramSetLetters
	}
	kp := keyProfile{profile: p}
	for _, l := range letters {
		q, err := p.WithParamSet(l)
		if err != nil {
			if hasSet {
				return keyProfile{}, fmt.Errorf("%q: no parameter set %q", s, set)
			}
			continue // the 512-bit profile has no set D
		}
		kp.curves = append(kp.curves, q.Curve)
	}
	return kp, nil
}

// keyAllowed reports whether pub is a key of one of the profiles.
func keyAllowed(allowed []keyProfile, pub crypto.PublicKey) bool {
	got, err := pki.ProfileOf(pub)
	if err != nil {
		return false
	}
	for _, kp := range allowed {
		if kp.profile.Name != got.Name {
			continue
		}
		if got.Curve == nil {
			return true
		}
		for _, c := range kp.curves {
			if c == got.Curve {
				return true
			}
		}
	}
	return false
}

// CanonicalSPKI returns the DER SubjectPublicKeyInfo of pub as rekey
// writes it (pki.MarshalPKIXPublicKey). The operator certifies keys in this
// form only, so that one key has one encoding and one fingerprint whatever
// form a request sent it in.
func CanonicalSPKI(pub crypto.PublicKey) ([]byte, error) {
	der, err := pki.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("operator: encoding public key: %w", err)
	}
	return der, nil
}

// KeyFingerprint returns the SHA-256 of pub's canonical
// SubjectPublicKeyInfo: the key a certificate is recorded under and looked
// up by (requirement O3, a key is certified once).
func KeyFingerprint(pub crypto.PublicKey) ([]byte, error) {
	der, err := CanonicalSPKI(pub)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(der)
	return h[:], nil
}
