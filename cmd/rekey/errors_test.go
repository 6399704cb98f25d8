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

// TestExplainNotNow: a request kept queued after a passing refusal of the
// operator says so in the subscriber's language, with the operator's
// text, not that the operator cannot be reached.
func TestExplainNotNow(t *testing.T) {
	err := &subscriber.KeyError{Key: "3f2a9c01d4e5b6a7c8d9", Err: &subscriber.UnreachableError{
		Operator: "http://127.0.0.1:8080/.well-known/cmp", Attempts: 2,
		Err: errors.New("the operator answered systemFailure"),
		Answered: &subscriber.Refusal{Failure: "systemFailure",
			RU: "внутренняя ошибка удостоверяющего центра", EN: "an internal error of the CA"}}}
	for _, tc := range []struct {
		lang      i18n.Lang
		msg, hint string
		notInMsg  string
	}{
		{i18n.RU, "сейчас не может ответить (попытка 2): внутренняя ошибка", "остаётся в очереди", "недоступен"},
		{i18n.EN, "cannot answer now (attempt 2): an internal error of the CA", "stays queued", "cannot be reached"},
	} {
		var ce *cli.Error
		if !errors.As(explain(tc.lang, err), &ce) {
			t.Fatalf("explain is not a *cli.Error")
		}
		if !strings.Contains(ce.Msg, tc.msg) || strings.Contains(ce.Msg, tc.notInMsg) {
			t.Errorf("%s: message %q, want %q", tc.lang, ce.Msg, tc.msg)
		}
		if !slices.ContainsFunc(ce.Hints, func(h string) bool { return strings.Contains(h, tc.hint) }) {
			t.Errorf("%s: hints %q lack %q", tc.lang, ce.Hints, tc.hint)
		}
	}
}
