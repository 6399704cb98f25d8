package subscriber

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"rekey/pki"
)

// TestNoPasswordIsNoAttempt: when the current key cannot sign (no
// password given), nothing was sent and no attempt to reach the
// operator is counted.
func TestNoPasswordIsNoAttempt(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	withCMP(t, f)
	f.renew()
	f.script.AnyPassword = nil
	_, err := f.client.Sync(context.Background())
	if !errors.Is(err, ErrNoAnswer) || errors.Is(err, ErrUnreachable) {
		t.Fatalf("Sync without the password: %v", err)
	}
	if it := f.outbox()[0]; it.Attempts != 0 || it.LastError != "" || it.Status != StatusQueued {
		t.Errorf("item %+v", it)
	}
}

// TestStepHook: the hook sees every step of a renewal, in order.
func TestStepHook(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	f.op.auto = true
	var steps []string
	f.client.opts.StepHook = func(s string) { steps = append(steps, s) }
	f.renew()
	f.sync()
	want := []string{stepDrafted, stepCreated, stepNamed, stepQueued, stepSent, stepReceived,
		stepConfirm, stepInstall, stepArchived}
	if !slices.Equal(steps, want) {
		t.Errorf("steps %q, want %q", steps, want)
	}
}

// TestKeysWithoutSpool: Keys and Reminders work without a spool; Renew
// and Sync need one.
func TestKeysWithoutSpool(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	f.client.opts.Spool = nil
	rs, errs := f.client.Reminders(context.Background())
	if len(errs) != 0 || len(rs) != 1 || rs[0].Key != f.current.ID() {
		t.Fatalf("Reminders: %+v, %v", rs, errs)
	}
	if _, err := f.client.Renew(context.Background(), f.current.ID()); err == nil {
		t.Error("Renew without a spool")
	}
	if _, err := f.client.Sync(context.Background()); err == nil {
		t.Error("Sync without a spool")
	}
}
