package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"rekey/internal/cli"
	"rekey/internal/i18n"
	"rekey/subscriber"
)

// TestExplainHints: the hints of the errors that concern the office or
// the clock.
func TestExplainHints(t *testing.T) {
	const contact = "ООО «АРГОС», тел. 8 (812) 610-56-10"
	badTime := &subscriber.RefusedError{Key: "3f2a9c01d4e5b6a7c8d9", Failure: "badTime",
		RU: "время сообщения вне допустимого окна: проверьте часы компьютера",
		EN: "the message time is outside the accepted window: check the computer's clock"}
	subject := &subscriber.RefusedError{Key: "3f2a9c01d4e5b6a7c8d9", Failure: "badCertTemplate",
		RU: "данные владельца изменились", EN: "the holder's details have changed"}
	tests := []struct {
		name    string
		lang    i18n.Lang
		err     error
		want    string // a hint
		notWant string // in no hint
	}{
		{"bad time, en", i18n.EN, &subscriber.KeyError{Key: badTime.Key, Err: badTime,
			Office: contact}, "check the computer's date, time and time zone", "office"},
		{"bad time, ru", i18n.RU, &subscriber.KeyError{Key: badTime.Key, Err: badTime,
			Office: contact}, "проверьте дату, время и часовой пояс компьютера", "офис"},
		{"bad time among others", i18n.EN, fmt.Errorf("sync: %w",
			&subscriber.KeyError{Key: badTime.Key, Err: badTime}), "date, time and time zone",
			"office"},
		{"subject changed: the key's office", i18n.EN, &subscriber.KeyError{Key: subject.Key,
			Err: subject, Office: contact}, "replace the key in the operator's office: " + contact,
			"time zone"},
		{"last day: the key's office, ru", i18n.RU, &subscriber.KeyError{Key: subject.Key,
			Err: subscriber.ErrLastDay, Office: contact},
			"замените ключ в офисе оператора: " + contact, ""},
		{"expired without a contact: generic", i18n.EN, &subscriber.KeyError{Key: subject.Key,
			Err: subscriber.ErrExpired}, "replace the key in the operator's office: " +
			i18n.T(i18n.EN, i18n.SubOfficeDefault), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ce *cli.Error
			if !errors.As(explain(tt.lang, tt.err), &ce) {
				t.Fatalf("explain(%v) is not a *cli.Error", tt.err)
			}
			if !slices.ContainsFunc(ce.Hints, func(h string) bool {
				return strings.Contains(h, tt.want)
			}) {
				t.Errorf("hints %q lack %q", ce.Hints, tt.want)
			}
			for _, h := range ce.Hints {
				if tt.notWant != "" && strings.Contains(h, tt.notWant) {
					t.Errorf("hint %q holds %q", h, tt.notWant)
				}
			}
		})
	}
}
