package operator

import (
	"testing"
	"time"
)

func TestRenewalWindow(t *testing.T) {
	e := newEnv(t, testConfig("gost2012-256"))
	var starts = map[time.Time]bool{}
	for range 8 {
		c := e.enroll(e.newKey(), time.Time{})
		w := e.ca.RenewalWindow(c)
		if w != e.ca.RenewalWindow(c) {
			t.Fatal("the window of one certificate changes between calls")
		}
		// A year's key: two thirds of its life come before 30 days before
		// its end, so the window opens at 2/3 plus at most 3 days.
		twoThirds := c.NotBefore.Add(c.KeyExpires().Sub(c.NotBefore) * 2 / 3)
		if w.Start.Before(twoThirds.Add(-time.Second)) ||
			w.Start.After(twoThirds.Add(DefaultWindowJitter)) {
			t.Errorf("start %v, want within 3 days after %v", w.Start, twoThirds)
		}
		lastDay := startOfDay(c.KeyExpires(), e.ca.loc)
		if !w.End.Equal(lastDay) {
			t.Errorf("end %v, want the start of the last day in Moscow %v", w.End, lastDay)
		}
		starts[w.Start] = true
	}
	if len(starts) < 2 {
		t.Error("no jitter: every certificate got the same start")
	}
}

func TestRenewalWindowShortCertificate(t *testing.T) {
	cfg := testConfig("ecdsa-p256")
	cfg.RenewalWindow.Jitter = 0
	e := newEnv(t, cfg)
	// A 60-day certificate: 30 days before its end comes before 2/3 of it.
	c := e.enroll(e.newKey(), t0.Add(60*24*time.Hour))
	w := e.ca.RenewalWindow(c)
	want := c.KeyExpires().Add(-30 * 24 * time.Hour).Truncate(time.Second)
	if !w.Start.Equal(want) {
		t.Errorf("start %v, want %v", w.Start, want)
	}
}

func TestRenewalWindowOfExpiringKeyIsEmpty(t *testing.T) {
	e := newEnv(t, testConfig("ecdsa-p256"))
	c := e.enroll(e.newKey(), t0.Add(6*time.Hour)) // ends the day it starts
	if w := e.ca.RenewalWindow(c); !w.Start.Equal(w.End) {
		t.Errorf("window %v – %v, want empty", w.Start, w.End)
	}
}
