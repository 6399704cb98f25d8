package subscriber

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"rekey/internal/i18n"
	"rekey/media"
	"rekey/pki"
)

// TestLastDay pins the clock around midnight in Moscow: the key's last
// moment is 23 December 2026, 23:59:59 MSK (20:59:59 UTC).
func TestLastDay(t *testing.T) {
	expires := time.Date(2026, 12, 23, 23, 59, 59, 0, moscow)
	tests := []struct {
		name  string
		now   time.Time
		state State
		days  int
		err   error
	}{
		{"the day before, 23:59:59 MSK", time.Date(2026, 12, 22, 23, 59, 59, 0, moscow),
			StateExpiring, 1, nil},
		// 21:00:30 UTC is still the 22nd in UTC but already the 23rd in
		// Moscow: the last day.
		{"last day, 00:00:30 MSK", time.Date(2026, 12, 22, 21, 0, 30, 0, time.UTC),
			StateLastDay, 0, ErrLastDay},
		{"last day, 23:59:58 MSK", time.Date(2026, 12, 23, 23, 59, 58, 0, moscow),
			StateLastDay, 0, ErrLastDay},
		{"expired, 00:00:00 MSK", time.Date(2026, 12, 24, 0, 0, 0, 0, moscow),
			StateExpired, -1, ErrExpired},
		{"expired at its last second", expires, StateExpired, 0, ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, pki.ProfileECDSA, expires)
			f.clock.t = tt.now
			k := f.keys()[f.current.ID()]
			if k.State != tt.state || k.DaysLeft != tt.days {
				t.Errorf("state %s, %d days; want %s, %d", k.State, k.DaysLeft, tt.state, tt.days)
			}
			_, err := f.client.Renew(context.Background(), f.current.ID())
			if tt.err == nil {
				if err != nil {
					t.Fatalf("Renew: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.err) {
				t.Fatalf("Renew: %v, want %v", err, tt.err)
			}
			var n *Notice
			for _, x := range f.script.Notices() {
				if x.Step == "S5" {
					n = &x
				}
			}
			if n == nil || !strings.Contains(n.Text(i18n.RU), "610-56-10") ||
				!strings.Contains(n.Text(i18n.RU), "офисе") {
				t.Errorf("no office text: %+v", n)
			}
			if len(f.successors()) != 0 || len(f.outbox()) != 0 {
				t.Error("a refused renewal wrote something")
			}
			rs, _ := f.client.Reminders(context.Background())
			if len(rs) != 1 || rs[0].Command != "" {
				t.Errorf("reminder: %+v", rs)
			}
		})
	}
}

// TestExpiredBeforeSending: a request queued before the last day and
// not sent by then is refused locally, not sent.
func TestExpiredBeforeSending(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, start.AddDate(0, 0, 2))
	f.renew()
	f.clock.Add(72 * time.Hour)
	_, err := f.client.Sync(context.Background())
	if !errors.Is(err, ErrExpired) {
		t.Fatalf("Sync: %v", err)
	}
	if r, _, _ := f.op.counts(); r != 0 {
		t.Errorf("sent %d requests", r)
	}
	if it := f.outbox()[0]; it.Status != StatusRefused {
		t.Errorf("status %s", it.Status)
	}
}

// TestWrongPassword: a wrong current password is asked again with the
// attempt number; the right one then works. Wrong every time leaves
// nothing behind.
func TestWrongPassword(t *testing.T) {
	f := newFixture(t, pki.ProfileGOST256, time.Time{})
	f.script.Answer = func(p Prompt) ([]byte, error) {
		if p.Attempt == 1 {
			return []byte("wrong"), nil
		}
		return oldPassword, nil
	}
	f.renew()
	ps := f.script.Prompts()
	var got []int
	for _, p := range ps {
		if p.Purpose == PurposeSignRequest {
			got = append(got, p.Attempt)
			if p.Attempt == 2 && !errors.Is(p.LastError, media.ErrWrongPassword) {
				t.Errorf("attempt 2 without the reason: %v", p.LastError)
			}
		}
	}
	if len(got) != 2 {
		t.Errorf("attempts %v", got)
	}

	g := newFixture(t, pki.ProfileECDSA, time.Time{})
	g.script.Answer = func(p Prompt) ([]byte, error) { return []byte("wrong"), nil }
	_, err := g.client.Renew(context.Background(), g.current.ID())
	if !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("Renew: %v", err)
	}
	if strings.Contains(err.Error(), "wrong\"") || len(g.successors()) != 0 || len(g.outbox()) != 0 {
		t.Errorf("after wrong passwords: %v, %d keys, %d items", err, len(g.successors()),
			len(g.outbox()))
	}
}

// TestSubjectChangedRefusal: the operator refuses (O2); its text is shown
// with the office contact; the current key is untouched.
func TestSubjectChangedRefusal(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	f.op.refuse = &Reply{Status: Refused, Failure: "badCertTemplate",
		RU: "данные владельца изменились: замена ключа только в офисе",
		EN: "the subject's details have changed: the key is replaced in the office only"}
	f.renew()
	_, err := f.client.Sync(context.Background())
	var re *RefusedError
	if !errors.As(err, &re) || !errors.Is(err, ErrRefused) {
		t.Fatalf("Sync: %v", err)
	}
	if re.Text("ru") != f.op.refuse.RU || re.Text("en") != f.op.refuse.EN {
		t.Errorf("texts %q / %q", re.RU, re.EN)
	}
	found := false
	for _, n := range f.script.Notices() {
		if n.Msg == i18n.SubRefused && strings.Contains(n.Text(i18n.EN), "in the office only") &&
			strings.Contains(n.Text(i18n.EN), "610-56-10") {
			found = true
		}
	}
	if !found {
		t.Error("the refusal was not shown")
	}
	ks := f.keys()
	if ks[f.current.ID()].State != StateExpiring {
		t.Errorf("current key: %s", ks[f.current.ID()].State)
	}
	if s := f.successors(); len(s) != 1 || s[0].State != StateRefused {
		t.Errorf("new key: %+v", s)
	}
	f.checkSigns(f.current.ID(), oldPassword)
	// A refused request is over: the next sync does not send it again.
	f.op.refuse = nil
	f.sync()
	if r, _, _ := f.op.counts(); r != 1 {
		t.Errorf("%d requests", r)
	}
}

// TestMediaMissingDuringSync: the current key's drive is not inserted;
// sync names it and keeps the request; with the drive back it is sent.
func TestMediaMissingDuringSync(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	f.renew()
	away := f.drive + ".away"
	if err := os.Rename(f.drive, away); err != nil {
		t.Fatal(err)
	}
	_, err := f.client.Sync(context.Background())
	var me *MediaMissingError
	if !errors.Is(err, ErrMediaMissing) || !errors.As(err, &me) || me.Key != f.current.ID() {
		t.Fatalf("Sync: %v", err)
	}
	if r, _, _ := f.op.counts(); r != 0 || f.outbox()[0].Status != StatusQueued {
		t.Fatalf("sent without the media: %d", r)
	}
	if err := os.Rename(away, f.drive); err != nil {
		t.Fatal(err)
	}
	if sr := f.sync(); len(sr.Pending) != 1 || sr.Pending[0].Status != StatusSent {
		t.Fatalf("sync: %+v", sr)
	}
}

// TestUnreachable: an operator that cannot be reached leaves the request
// queued, counts the attempt and keeps the error; the next sync sends.
func TestUnreachable(t *testing.T) {
	f := newFixture(t, pki.ProfileGOST256, time.Time{})
	f.op.auto = true
	f.renew()
	f.op.unreachable = true
	for i := 1; i <= 2; i++ {
		sr, err := f.client.Sync(context.Background())
		var ue *UnreachableError
		if !errors.Is(err, ErrUnreachable) || !errors.As(err, &ue) || ue.Attempts != i {
			t.Fatalf("sync %d: %v", i, err)
		}
		it := f.outbox()[0]
		if it.Status != StatusQueued || it.Attempts != i ||
			!strings.Contains(it.LastError, "connection refused") || sr.Failures != 1 {
			t.Fatalf("sync %d: item %+v, result %+v", i, it, sr)
		}
	}
	f.op.unreachable = false
	sr := f.sync()
	if len(sr.Renewed) != 1 {
		t.Fatalf("sync: %+v", sr)
	}
	if it := f.outbox()[0]; it.LastError != "" || it.Status != StatusDone {
		t.Errorf("item %+v", it)
	}
}

// TestLostAnswer: the operator got the request but its answer was lost;
// the next sync sends the same transaction, not a second request.
func TestLostAnswer(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	f.op.auto = true
	f.op.dropAnswers = 1
	f.renew()
	if _, err := f.client.Sync(context.Background()); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("Sync: %v", err)
	}
	if sr := f.sync(); len(sr.Renewed) != 1 {
		t.Fatalf("sync: %+v", sr)
	}
	if r, iss, _ := f.op.counts(); r != 1 || iss != 1 {
		t.Errorf("requests %d, issued %d", r, iss)
	}
}

// TestTokenBackupRefused: a token key cannot be copied; Backup explains.
func TestTokenBackupRefused(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	cert := f.current.Certificate
	f.client.opts.Tokens = &fakeTokens{keys: []media.Key{{ID: "0123456789abcdef0123",
		Kind: media.KindToken, Media: "rutoken", Location: "/usr/lib/fake.so slot 0",
		State: media.StateActive, Certificate: cert, KeyExpires: cert.KeyExpires()}}}
	_, err := f.client.Backup(context.Background(), "0123456789", t.TempDir())
	if !errors.Is(err, media.ErrNotExtractable) || !hasNotice(f.script, i18n.SubTokenNoBackup) {
		t.Fatalf("Backup: %v", err)
	}
}

type fakeTokens struct{ keys []media.Key }

func (f *fakeTokens) Tokens() ([]TokenInfo, error) {
	return []TokenInfo{{Module: "/usr/lib/fake.so", Label: "rutoken"}}, nil
}
func (f *fakeTokens) Keys() ([]media.Key, []error) { return f.keys, nil }
func (f *fakeTokens) Open(module, label string) (Token, error) {
	return fakeToken{}, nil
}

type fakeToken struct{ Token }

func (fakeToken) Backup(id string) error {
	return errors.Join(media.ErrNotExtractable, errors.New("made on the token"))
}
func (fakeToken) Close() error { return nil }

// TestRefusalNamingTheOffice: an operator's refusal that already names the
// office (as rekeyd's do) is shown once, without the office said twice and
// without a doubled full stop.
func TestRefusalNamingTheOffice(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	office := f.client.office("", i18n.EN)
	f.op.refuse = &Reply{Status: Refused, Failure: "certRevoked",
		RU: "Сертификат отозван. Замена ключа возможна только в офисе: " + office + ".",
		EN: "The certificate is revoked. The key can only be replaced in the office: " + office + "."}
	f.renew()
	if _, err := f.client.Sync(context.Background()); !errors.Is(err, ErrRefused) {
		t.Fatalf("Sync: %v", err)
	}
	found := false
	for _, n := range f.script.Notices() {
		if n.Msg != i18n.SubRefused && n.Msg != i18n.SubRefusedOffice {
			continue
		}
		found = true
		text := n.Text(i18n.EN)
		if n.Msg != i18n.SubRefusedOffice || strings.Count(text, office) != 1 ||
			strings.Contains(text, "..") {
			t.Errorf("refusal shown as %s: %q", n.Msg, text)
		}
	}
	if !found {
		t.Error("the refusal was not shown")
	}
}
