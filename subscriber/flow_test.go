package subscriber

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"rekey/internal/i18n"
	"rekey/media"
	"rekey/pki"
)

var testProfiles = []*pki.Profile{pki.ProfileGOST256, pki.ProfileECDSA}

// TestRenewalFlow runs the manual end to end: a key with 20 days left,
// the reminder, renew, a sync that leaves the request waiting, a sync
// that installs the certificate and archives the old key.
func TestRenewalFlow(t *testing.T) {
	for _, prof := range testProfiles {
		t.Run(prof.Name, func(t *testing.T) {
			f := newFixture(t, prof, time.Time{})
			ctx := context.Background()
			old := f.current.ID()

			// S4: the reminder and the key's state.
			k := f.keys()[old]
			if k.State != StateExpiring || k.DaysLeft != 20 {
				t.Fatalf("before: state %s, %d days left; want expiring, 20", k.State, k.DaysLeft)
			}
			if ids := f.client.ExpiringKeys(ctx); len(ids) != 1 || ids[0] != old {
				t.Errorf("expiring keys %q, want [%s]", ids, old)
			}
			rs, _ := f.client.Reminders(ctx)
			if len(rs) != 1 || rs[0].Key != old || rs[0].Command != "rekey renew "+old {
				t.Fatalf("reminders: %+v", rs)
			}
			if txt := rs[0].Notice().Text(i18n.RU); !strings.Contains(txt, "20") {
				t.Errorf("reminder text %q", txt)
			}

			// S6–S15: renew; nothing is sent.
			res := f.renew()
			if len(res.Keys) != 1 || res.Keys[0].Status != RenewedQueued || res.Keys[0].Media != f.drive {
				t.Fatalf("Renew: %+v", res)
			}
			newID := res.Keys[0].NewKey
			if r, _, _ := f.op.counts(); r != 0 {
				t.Fatalf("renew sent %d requests", r)
			}
			for _, step := range []i18n.Key{i18n.SubQueued, i18n.SubClosingBackup, i18n.SubClosingKeepUsing} {
				if !hasNotice(f.script, step) {
					t.Errorf("no notice %s", step)
				}
			}
			ks := f.keys()
			if ks[old].State != StateRequested || ks[newID].State != StateRequested {
				t.Errorf("after renew: old %s, new %s", ks[old].State, ks[newID].State)
			}
			if ids := f.client.ExpiringKeys(ctx); len(ids) != 0 {
				t.Errorf("after renew: expiring keys %q", ids)
			}
			if ks[newID].Key.State != media.StatePending || ks[newID].Key.Replaces != old {
				t.Errorf("new key: %+v", ks[newID].Key)
			}
			f.checkSigns(old, oldPassword)

			// S16: the first sync sends; the operator has not decided.
			sr := f.sync()
			if len(sr.Renewed) != 0 || len(sr.Pending) != 1 || sr.Pending[0].Status != StatusSent {
				t.Fatalf("first sync: %+v", sr)
			}
			if f.keys()[old].State != StateWaiting {
				t.Errorf("after sync: %s", f.keys()[old].State)
			}
			// One notice says when the certificate is looked for again.
			if w, n := countNotices(f, i18n.SubWaiting), countNotices(f, i18n.SubNotYet); w != 1 || n != 0 {
				t.Errorf("first sync: %d waiting and %d not-yet notices, want 1 and 0", w, n)
			}
			// Before checkAfter the operator is not asked again.
			f.sync()
			if n := countNotices(f, i18n.SubNotYet); n != 1 {
				t.Errorf("second sync: %d not-yet notices, want 1", n)
			}
			if f.op.polls != 0 {
				t.Errorf("polled %d times before checkAfter", f.op.polls)
			}

			// S17: approved; the next sync receives, confirms, installs
			// and archives.
			f.op.approveAll()
			f.clock.Add(2 * time.Hour)
			sr = f.sync()
			if len(sr.Renewed) != 1 {
				t.Fatalf("second sync: %+v", sr)
			}
			rn := sr.Renewed[0]
			if rn.OldKey != old || rn.NewKey != newID || rn.DaysLeft != 365 ||
				!rn.KeyExpires.Equal(f.clock.Now().Truncate(time.Second).AddDate(1, 0, 0)) {
				t.Errorf("renewal %+v", rn)
			}
			if !hasNotice(f.script, i18n.SubRenewed) {
				t.Error("no notice of the new validity")
			}
			ks = f.keys()
			if ks[old].State != StateArchived || ks[old].Key.Successor != newID {
				t.Errorf("old key: %s, successor %q", ks[old].State, ks[old].Key.Successor)
			}
			if ks[newID].State != StateValid || ks[newID].DaysLeft != 365 {
				t.Errorf("new key: %s, %d days", ks[newID].State, ks[newID].DaysLeft)
			}
			f.checkSigns(newID, newPassword)
			ct, _ := media.Load(ks[old].Key.Location)
			uk, err := ct.Unlock(oldPassword)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := uk.Signer(); !errors.Is(err, media.ErrArchived) {
				t.Errorf("the archived key signs: %v", err)
			}
			if uk.DecryptionKey() == nil {
				t.Error("the archived key does not decrypt")
			}
			in, _ := f.spool.Inbox()
			if len(in) != 1 || !in[0].Processed || in[0].Key != newID {
				t.Errorf("inbox: %+v", in)
			}
			if rs, _ := f.client.Reminders(ctx); len(rs) != 0 {
				t.Errorf("reminders after renewal: %+v", rs)
			}

			// Idempotent: another sync does nothing.
			sr = f.sync()
			req, iss, conf := f.op.counts()
			if len(sr.Renewed) != 0 || req != 1 || iss != 1 || conf != 1 {
				t.Errorf("third sync: %+v; requests %d, issued %d, confirms %d", sr, req, iss, conf)
			}
		})
	}
}

// TestRenewImmediate: an operator that issues at once; one sync does it
// all, and passwords are asked once per key.
func TestRenewImmediate(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	f.op.auto = true
	f.renew()
	n := len(f.script.Prompts())
	sr := f.sync()
	if len(sr.Renewed) != 1 {
		t.Fatalf("sync: %+v", sr)
	}
	if asked := len(f.script.Prompts()) - n; asked != 1 {
		t.Errorf("sync asked %d passwords, want 1 (the current key's, once)", asked)
	}
}

// TestRenewForm checks S7 and S8: the form shows the certificate's
// subject read-only with the office text, and the current key's media
// comes first, recommended.
func TestRenewForm(t *testing.T) {
	f := newFixture(t, pki.ProfileGOST256, time.Time{})
	rec := &recordingAsker{Script: f.script}
	f.client.opts.Asker = rec
	f.renew()
	if rec.form == nil {
		t.Fatal("no form shown")
	}
	var inn, org bool
	for _, fl := range rec.form.Fields {
		inn = inn || fl.Key == "INN" && fl.Value == "009901888821"
		org = org || fl.Key == "O" && fl.Value == "ООО Тест"
	}
	if !inn || !org || !strings.Contains(rec.form.Office, "610-56-10") {
		t.Errorf("form: %+v", rec.form)
	}
	if len(rec.choices) != 2 || !rec.choices[0].Recommended || rec.choices[0].Root != f.drive ||
		rec.choices[1].Root != f.other || rec.choices[1].Recommended {
		t.Errorf("choices: %+v", rec.choices)
	}
}

type recordingAsker struct {
	*Script
	form    *Form
	choices []MediaChoice
}

func (r *recordingAsker) ConfirmForm(ctx context.Context, f *Form) (bool, error) {
	r.form = f
	return true, nil
}

func (r *recordingAsker) ChooseMedia(ctx context.Context, key string, cs []MediaChoice) (MediaChoice, error) {
	r.choices = cs
	return r.Script.ChooseMedia(ctx, key, cs)
}

// TestRenewOtherMedia: the new key goes to another drive; the old key is
// archived where it is.
func TestRenewOtherMedia(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	f.script.Media = f.other
	f.op.auto = true
	res := f.renew()
	if res.Keys[0].Media != f.other {
		t.Fatalf("media %s", res.Keys[0].Media)
	}
	sr := f.sync()
	if len(sr.Renewed) != 1 || sr.Renewed[0].Media != f.other {
		t.Fatalf("sync: %+v", sr)
	}
	ks := f.keys()
	if ks[sr.Renewed[0].NewKey].Key.Media != f.other || ks[f.current.ID()].State != StateArchived {
		t.Errorf("keys: %+v", ks)
	}
}

// TestEmptyPassword: S10 allows an empty password only after the warning
// is confirmed.
func TestEmptyPassword(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	f.script.NewKeyPassword = nil
	_, err := f.client.Renew(context.Background(), f.current.ID())
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("without confirmation: %v", err)
	}
	if len(f.successors()) != 0 || len(f.outbox()) != 0 {
		t.Fatal("a key was written without a confirmed password")
	}
	f.script.AllowEmptyPassword = true
	res := f.renew()
	if res.Keys[0].Warning == "" || !hasNotice(f.script, i18n.SubUnencrypted) {
		t.Errorf("no warning: %+v", res)
	}
}

// TestUnfinishedExchanges: S3 asks before a renewal when the outbox holds
// unfinished exchanges; "no" writes nothing.
func TestUnfinishedExchanges(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	it, err := NewOutboxItem(KindSubmission, f.current.ID(), testURL, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	it.Status = StatusSent
	if err := f.spool.PutOutbox(it); err != nil {
		t.Fatal(err)
	}
	asker := &unfinishedAsker{Script: f.script}
	f.client.opts.Asker = asker
	_, err = f.client.Renew(context.Background(), f.current.ID())
	if !errors.Is(err, ErrCancelled) || len(asker.seen) != 1 || asker.seen[0].ID != it.ID {
		t.Fatalf("Renew: %v; asked about %+v", err, asker.seen)
	}
	if len(f.successors()) != 0 {
		t.Fatal("a key was written after no")
	}
	asker.yes = true
	if _, err := f.client.Renew(context.Background(), f.current.ID()); err != nil {
		t.Fatal(err)
	}
}

type unfinishedAsker struct {
	*Script
	yes  bool
	seen []Unfinished
}

func (a *unfinishedAsker) ConfirmUnfinished(ctx context.Context, u []Unfinished) (bool, error) {
	a.seen = u
	return a.yes, nil
}

// TestRenewTwice: a key whose renewal is under way is not renewed again.
func TestRenewTwice(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	f.renew()
	_, err := f.client.Renew(context.Background(), f.current.ID())
	if !errors.Is(err, ErrRenewalPending) {
		t.Fatalf("second renew: %v", err)
	}
	if n := len(f.successors()); n != 1 {
		t.Errorf("%d new keys", n)
	}
}

// TestBackup copies the current key and verifies the copy (S18).
func TestBackup(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	dir := t.TempDir()
	res, err := f.client.Backup(context.Background(), f.current.ID()[:6], dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := media.Load(res.To)
	if err != nil || c.ID() != f.current.ID() {
		t.Fatalf("copy: %v", err)
	}
	if !hasNotice(f.script, i18n.SubBackupDone) {
		t.Error("no notice")
	}
}

// TestRenewSeveral (S14): two keys in one run with a progress line each;
// a third on its last day is refused alone and the others go on.
func TestRenewSeveral(t *testing.T) {
	f := newFixture(t, pki.ProfileGOST256, time.Time{})
	second := f.enrollOn(f.other, start.AddDate(0, 0, 10))
	third := f.enrollOn(f.other, start.Add(time.Hour))
	var progress []string
	f.script.Notify = func(l Level, text string) {
		if strings.HasPrefix(text, "Key ") && strings.Contains(text, " of ") {
			progress = append(progress, text)
		}
	}
	res, err := f.client.Renew(context.Background(), f.current.ID(), third.ID(), second.ID())
	var ke *KeyError
	if !errors.Is(err, ErrLastDay) || !errors.As(err, &ke) || ke.Key != third.ID() {
		t.Fatalf("Renew: %v", err)
	}
	if len(res.Keys) != 3 || len(progress) != 2 || !strings.HasPrefix(progress[1], "Key 2 of 2") {
		t.Fatalf("result %+v, progress %q", res.Keys, progress)
	}
	f.op.auto = true
	sr := f.sync()
	if len(sr.Renewed) != 2 {
		t.Fatalf("sync: %+v", sr)
	}
	ks := f.keys()
	for _, id := range []string{f.current.ID(), second.ID()} {
		if ks[id].State != StateArchived {
			t.Errorf("key %s: %s", id, ks[id].State)
		}
	}
	if ks[third.ID()].State != StateLastDay {
		t.Errorf("third key: %s", ks[third.ID()].State)
	}
}

// countNotices counts the notices of the fixture's script with message m.
func countNotices(f *fixture, m i18n.Key) int {
	n := 0
	for _, no := range f.script.Notices() {
		if no.Msg == m {
			n++
		}
	}
	return n
}
