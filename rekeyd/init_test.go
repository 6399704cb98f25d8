package rekeyd

import (
	"slices"
	"testing"
	"time"

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

// TestCalendarDays counts days as the client does: in the operator's zone,
// by calendar day, not by 24-hour periods.
func TestCalendarDays(t *testing.T) {
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 8, 0, 0, 0, msk)
	for _, tc := range []struct {
		to   time.Time
		want int
	}{
		{time.Date(2026, 12, 4, 23, 59, 0, 0, msk), 0},
		{time.Date(2026, 12, 5, 0, 1, 0, 0, msk), 1},
		{time.Date(2027, 12, 4, 7, 0, 0, 0, msk), 365},     // less than 365×24 h away
		{time.Date(2026, 12, 3, 22, 0, 0, 0, time.UTC), 0}, // 01:00 MSK on the 4th
		{time.Date(2026, 12, 3, 12, 0, 0, 0, msk), -1},
	} {
		if got := calendarDays(now, tc.to, msk); got != tc.want {
			t.Errorf("calendarDays(%v, %v) = %d, want %d", now, tc.to, got, tc.want)
		}
	}
}
