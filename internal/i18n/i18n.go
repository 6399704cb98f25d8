// Package i18n is the message catalogue of rekey and rekeyd: every text a
// person reads, in Russian and English.
//
// A message is looked up by a typed Key and formatted with fmt verbs:
//
//	i18n.T(lang, i18n.InspectKeyExpiresIn, i18n.Days(lang, 20))
//	// ru: «Срок действия ключа истекает через 20 дн.»
//
// Every key has both languages (a test checks it, with the same verbs in
// both). Messages that cli prints after "error:" start with a lowercase
// letter and end without a period, in both languages. The language of a run
// comes from --lang or, failing that, from the locale (FromEnv).
//
// Adding a message: add a Key constant and its entry in catalogue; the
// test fails until both languages are there.
package i18n

import (
	"fmt"
	"strings"
	"time"
)

// Lang is a language of the catalogue.
type Lang string

// The languages.
const (
	RU Lang = "ru"
	EN Lang = "en"
)

// Langs lists the languages, for usage texts and tests.
func Langs() []Lang { return []Lang{RU, EN} }

// Parse reads a --lang value: "ru" or "en", any case, with or without a
// region ("ru_RU", "en-GB").
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(s)
	for _, l := range Langs() {
		p := string(l)
		if s == p || strings.HasPrefix(s, p+"_") || strings.HasPrefix(s, p+"-") {
			return l, true
		}
	}
	return "", false
}

// FromEnv returns the language of the locale: the first of LC_ALL,
// LC_MESSAGES and LANG that is set decides (the POSIX precedence), Russian
// when it starts with "ru", English otherwise (also for "C" and "POSIX").
// getenv is os.Getenv in the programs and a map lookup in tests.
func FromEnv(getenv func(string) string) Lang {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := getenv(v); s != "" {
			if strings.HasPrefix(strings.ToLower(s), "ru") {
				return RU
			}
			return EN
		}
	}
	return EN
}

// Key names a message of the catalogue.
type Key string

type message struct{ ru, en string }

// T returns the message key in lang, formatted with args as fmt.Sprintf
// does. A key missing from the catalogue (a bug the tests catch) gives the
// key itself, so that nothing is silently lost.
func T(lang Lang, key Key, args ...any) string {
	m, ok := catalogue[key]
	if !ok {
		return fmt.Sprint(append([]any{string(key)}, args...)...)
	}
	format := m.en
	if lang == RU {
		format = m.ru
	}
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// Has reports whether the catalogue has key.
func Has(key Key) bool {
	_, ok := catalogue[key]
	return ok
}

// Keys returns every key of the catalogue, for tests.
func Keys() []Key {
	keys := make([]Key, 0, len(catalogue))
	for k := range catalogue {
		keys = append(keys, k)
	}
	return keys
}

// Days renders a number of days: "1 day", "20 days"; «20 дн.» (the
// abbreviation Russian documents use, which needs no plural forms).
func Days(lang Lang, n int) string {
	if lang == RU {
		return fmt.Sprintf("%d дн.", n)
	}
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// Bytes renders a size: "1 byte", "16 bytes"; «16 байт», «32 байта».
func Bytes(lang Lang, n int) string {
	if lang == RU {
		if d, h := n%10, n%100; d >= 2 && d <= 4 && (h < 12 || h > 14) {
			return fmt.Sprintf("%d байта", n)
		}
		return fmt.Sprintf("%d байт", n)
	}
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

// FormatTime renders a moment in UTC: "2026-12-23 15:04:05 UTC" in English,
// «23.12.2026 15:04:05 UTC» in Russian.
func FormatTime(lang Lang, t time.Time) string {
	if lang == RU {
		return t.UTC().Format("02.01.2006 15:04:05 UTC")
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}
