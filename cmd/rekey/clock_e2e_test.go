package main

import (
	"strings"
	"testing"
	"time"
)

// TestE2EClockMismatch: a computer whose clock is an hour ahead of the
// operator's (REKEY_TEST_NOW) gets its request refused for the message's
// time (badTime); the hint is to check the date, time and time zone, not
// to replace the key in the office.
func TestE2EClockMismatch(t *testing.T) {
	op := newRekeyd(t, "ecdsa-p256", "manual")
	h := newE2EHome(t)
	op.enroll(h.drive, h.curPW, 20)
	k := h.only()
	h.must("renew", k.ID, "--yes", "--password-file", h.curPW, "--new-password-file", h.newPW)

	h.testAt = time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	code, _, stderr, _ := h.rekey("sync", "--password-file", h.curPW)
	if code != 1 || !strings.Contains(stderr, "the operator refused the renewal") ||
		!strings.Contains(stderr, "hint: check the computer's date, time and time zone") ||
		strings.Contains(stderr, "replace the key in the operator's office") {
		t.Errorf("sync with the clock an hour ahead: exit %d\n%s", code, stderr)
	}
	if n := len(op.requests()); n != 0 {
		t.Errorf("the operator queued %d requests with a wrong time", n)
	}
}
