package subscriber

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rekey/internal/i18n"
	"rekey/media"
	"rekey/pki"
)

var testOffice = &media.Office{
	RU: "ООО «АРГОС», отдел по работе с клиентами, тел. 8 (812) 610-56-10",
	EN: "ARGOS LLC, client service, phone +7 812 610-56-10",
}

// withOffice puts testOffice on the current key's media, as rekeyd enroll
// --media does, and drops the fixture's Options.Office override.
func (f *fixture) withOffice() {
	f.t.Helper()
	data, err := testOffice.Marshal()
	if err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.current.Dir, media.OfficeFile), data, 0o644); err != nil {
		f.t.Fatal(err)
	}
	f.client.opts.Office = ""
}

// TestFormOfficeFromMedia (S7): the form says whom to contact as the
// current key's media names it, in the client's language, and the new
// key's container carries the contact on.
func TestFormOfficeFromMedia(t *testing.T) {
	for _, tc := range []struct {
		lang       i18n.Lang
		want, not  string
		formPhrase string
	}{
		{i18n.RU, testOffice.RU, testOffice.EN, "скомпрометирован"},
		{i18n.EN, testOffice.EN, testOffice.RU, "compromised"},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			f := newFixture(t, pki.ProfileECDSA, time.Time{})
			f.withOffice()
			f.client.opts.Lang = tc.lang
			rec := &recordingAsker{Script: f.script}
			f.client.opts.Asker = rec
			f.renew()
			if rec.form == nil {
				t.Fatal("no form shown")
			}
			if !strings.Contains(rec.form.Office, tc.want) ||
				!strings.Contains(rec.form.Office, tc.formPhrase) ||
				strings.Contains(rec.form.Office, tc.not) {
				t.Errorf("form's office text %q, want %q", rec.form.Office, tc.want)
			}
			s := f.successors()
			if len(s) != 1 || s[0].Key.Office == nil || *s[0].Key.Office != *testOffice {
				t.Fatalf("the new key does not carry the office contact: %+v", s)
			}
		})
	}
}

// TestFormOfficeFallbacks: without office.json the form has the generic
// text; Options.Office overrides the media's contact.
func TestFormOfficeFallbacks(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	f.client.opts.Office = ""
	rec := &recordingAsker{Script: f.script}
	f.client.opts.Asker = rec
	f.renew()
	generic := i18n.T(i18n.EN, i18n.SubOfficeDefault)
	if rec.form == nil || !strings.Contains(rec.form.Office, generic) {
		t.Errorf("form without office.json: %+v, want %q", rec.form, generic)
	}

	g := newFixture(t, pki.ProfileECDSA, time.Time{})
	g.withOffice()
	g.client.opts.Office = "Окно 5"
	rec = &recordingAsker{Script: g.script}
	g.client.opts.Asker = rec
	g.renew()
	if rec.form == nil || !strings.Contains(rec.form.Office, "Окно 5") ||
		strings.Contains(rec.form.Office, testOffice.EN) {
		t.Errorf("form with an override: %+v", rec.form)
	}
}

// TestLastDayOfficeFromMedia (S5): the refusal on the key's last day names
// the media's contact, in the notice and in the KeyError for the command
// line's hint.
func TestLastDayOfficeFromMedia(t *testing.T) {
	expires := start.Add(2 * time.Hour)
	f := newFixture(t, pki.ProfileECDSA, expires)
	f.withOffice()
	f.client.opts.Lang = i18n.RU
	_, err := f.client.Renew(context.Background(), f.current.ID())
	var ke *KeyError
	if !errors.Is(err, ErrLastDay) || !errors.As(err, &ke) {
		t.Fatalf("Renew: %v, want the last day", err)
	}
	if ke.Office != testOffice.RU {
		t.Errorf("KeyError.Office = %q, want %q", ke.Office, testOffice.RU)
	}
	found := false
	for _, n := range f.script.Notices() {
		found = found || n.Step == "S5" && strings.Contains(n.Text(i18n.RU), testOffice.RU)
	}
	if !found {
		t.Errorf("no S5 notice with the office contact: %+v", f.script.Notices())
	}
}

// TestBadTimeRefusal: a refusal for the message's time is about the
// computer's clock: the notice says to check it and sends nobody to the
// office.
func TestBadTimeRefusal(t *testing.T) {
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	f.withOffice()
	f.op.refuse = &Reply{Status: Refused, Failure: "badTime",
		RU: "время сообщения вне допустимого окна: проверьте часы компьютера",
		EN: "the message time is outside the accepted window: check the computer's clock"}
	f.renew()
	_, err := f.client.Sync(context.Background())
	var re *RefusedError
	if !errors.As(err, &re) || !re.BadTime() {
		t.Fatalf("Sync: %v, want a badTime refusal", err)
	}
	var n *Notice
	for _, x := range f.script.Notices() {
		if x.Key == f.current.ID() && x.Level == Warning {
			n = &x
		}
	}
	if n == nil || n.Msg != i18n.SubRefusedClock ||
		!strings.Contains(n.Text(i18n.EN), "date, time and time zone") ||
		strings.Contains(n.Text(i18n.EN), testOffice.EN) {
		t.Errorf("notice %+v, want the clock advice without the office", n)
	}
	for _, tc := range []struct {
		failure string
		want    bool
	}{{"badTime", true}, {"badMessageCheck,badTime", true}, {"badCertTemplate", false},
		{"", false}} {
		if got := (&RefusedError{Failure: tc.failure}).BadTime(); got != tc.want {
			t.Errorf("BadTime(%q) = %v, want %v", tc.failure, got, tc.want)
		}
	}
}
