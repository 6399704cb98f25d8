package subscriber

import (
	"context"
	"errors"
	"testing"
	"time"

	"rekey/media"
	"rekey/pki"
)

var errCrash = errors.New("injected crash")

// TestCrashResume makes Renew or Sync fail at each of their steps, as a
// crash would (nothing is cleaned up), and checks that a key still signs
// and that the following syncs finish the renewal exactly once: one
// request, one certificate, one install, the old key archived.
func TestCrashResume(t *testing.T) {
	steps := []string{stepDrafted, stepCreated, stepNamed, stepQueued, stepSent, stepReceived,
		stepConfirm, stepInstall, stepArchived}
	for _, prof := range testProfiles {
		for _, at := range steps {
			t.Run(prof.Name+"/"+at, func(t *testing.T) {
				crashResume(t, prof, at)
			})
		}
	}
}

func crashResume(t *testing.T, prof *pki.Profile, at string) {
	f := newFixture(t, prof, time.Time{})
	f.op.auto = true
	old := f.current.ID()
	// The new key's password is asked when sync finishes a draft.
	f.script.Answer = func(p Prompt) ([]byte, error) {
		if p.Purpose == PurposeNewKeyProof {
			return newPassword, nil
		}
		return oldPassword, nil
	}
	crashed := false
	crashHook = func(step string) error {
		if step == at && !crashed {
			crashed = true
			return errCrash
		}
		return nil
	}
	defer func() { crashHook = nil }()

	ctx := context.Background()
	_, err := f.client.Renew(ctx, old)
	if err == nil {
		_, err = f.client.Sync(ctx)
	}
	if !crashed || !errors.Is(err, errCrash) {
		t.Fatalf("no crash at %s: %v", at, err)
	}

	// Some key signs: the old one until the new one is active.
	if f.keys()[old].Key.State == media.StateActive {
		f.checkSigns(old, oldPassword)
	} else {
		f.checkSigns(f.successors()[0].Key.ID, newPassword)
	}

	// Sync until nothing is pending; a crash before any key was written
	// abandons the draft, and renewing again finishes.
	renewed := 0
	for i := 0; i < 3; i++ {
		sr := f.sync()
		renewed += len(sr.Renewed)
		if len(sr.Pending) == 0 {
			break
		}
	}
	if at == stepDrafted {
		if renewed != 0 || f.outbox()[0].Status != StatusAbandoned {
			t.Fatalf("draft: renewed %d, status %s", renewed, f.outbox()[0].Status)
		}
		f.renew()
		renewed += len(f.sync().Renewed)
	}

	req, iss, conf := f.op.counts()
	if renewed != 1 || req != 1 || iss != 1 {
		t.Errorf("renewed %d, requests %d, issued %d", renewed, req, iss)
	}
	if conf < 1 {
		t.Errorf("confirms %d", conf)
	}
	ks := f.keys()
	if ks[old].State != StateArchived {
		t.Errorf("old key %s", ks[old].State)
	}
	succ := f.successors()
	if len(succ) != 1 || succ[0].Key.State != media.StateActive || succ[0].State != StateValid ||
		ks[old].Key.Successor != succ[0].Key.ID {
		t.Fatalf("successors %+v", succ)
	}
	f.checkSigns(succ[0].Key.ID, newPassword)
	// Nothing is left to do.
	if sr := f.sync(); len(sr.Renewed) != 0 || len(sr.Pending) != 0 {
		t.Errorf("a further sync: %+v", sr)
	}
	if r, _, _ := f.op.counts(); r != 1 {
		t.Errorf("requests %d", r)
	}
}
