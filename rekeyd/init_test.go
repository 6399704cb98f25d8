package rekeyd

import (
	"slices"
	"testing"

	"rekey/operator"
)

// TestInitProfileOverridesDefaultKeyProfiles: a policy started from
// operator.DefaultConfig (GOST) with Profile ecdsa-p256 must accept ECDSA
// keys, not keep the GOST default; a list chosen on purpose stays.
func TestInitProfileOverridesDefaultKeyProfiles(t *testing.T) {
	def := operator.DefaultConfig()
	c, err := (&InitOptions{Profile: "ecdsa-p256", Operator: &def}).config()
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Operator.KeyProfiles; !slices.Equal(got, []string{"ecdsa-p256"}) {
		t.Errorf("key profiles = %q, want [ecdsa-p256]", got)
	}

	chosen := operator.DefaultConfig()
	chosen.KeyProfiles = []string{"gost2012-256:A", "ecdsa-p256"}
	c, err = (&InitOptions{Profile: "ecdsa-p256", Operator: &chosen}).config()
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Operator.KeyProfiles; !slices.Equal(got, chosen.KeyProfiles) {
		t.Errorf("key profiles = %q, want the chosen %q", got, chosen.KeyProfiles)
	}
}
