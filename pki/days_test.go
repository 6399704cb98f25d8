package pki

import (
	"testing"
	"time"
)

// TestDaysLeft counts a key's days by calendar day in the given zone, not
// by 24-hour periods.
func TestDaysLeft(t *testing.T) {
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
		if got := DaysLeft(tc.to, now, msk); got != tc.want {
			t.Errorf("DaysLeft(%v, %v) = %d, want %d", tc.to, now, got, tc.want)
		}
	}
}
