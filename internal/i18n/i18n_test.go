package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
)

var verb = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z%]`)

// TestCatalogueComplete: every message has both languages, with the same
// fmt verbs in the same order, and the Russian one is written in Russian.
func TestCatalogueComplete(t *testing.T) {
	for _, k := range Keys() {
		m := catalogue[k]
		if m.ru == "" || m.en == "" {
			t.Errorf("%s: ru %q, en %q: both are required", k, m.ru, m.en)
			continue
		}
		if ru, en := verb.FindAllString(m.ru, -1), verb.FindAllString(m.en, -1); !slices.Equal(ru, en) {
			t.Errorf("%s: verbs ru %v, en %v", k, ru, en)
		}
		if hasLatinWord(m.en) && !strings.ContainsFunc(m.ru, isCyrillic) && !untranslated[k] {
			t.Errorf("%s: the Russian text %q has no Russian in it", k, m.ru)
		}
	}
}

// untranslated are the messages that read the same in both languages.
var untranslated = map[Key]bool{}

func hasLatinWord(s string) bool {
	s = verb.ReplaceAllString(s, "")
	return regexp.MustCompile(`[a-z]{3,}`).MatchString(s)
}

func isCyrillic(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }

// TestEveryKeyConstantInCatalogue reads the Key constants of the package's
// source and checks that each has a message.
func TestEveryKeyConstantInCatalogue(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, pkg := range pkgs {
		ast.Inspect(pkg, func(node ast.Node) bool {
			vs, ok := node.(*ast.ValueSpec)
			if !ok || vs.Type == nil || len(vs.Values) == 0 {
				return true
			}
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Key" {
				return true
			}
			lit, ok := vs.Values[0].(*ast.BasicLit)
			if !ok {
				return true
			}
			v, _ := strconv.Unquote(lit.Value)
			n++
			if !Has(Key(v)) {
				t.Errorf("constant %s = %q has no message", vs.Names[0].Name, v)
			}
			return true
		})
	}
	if n < 50 {
		t.Fatalf("found only %d Key constants; the test does not read the source", n)
	}
}

func TestT(t *testing.T) {
	if got := T(RU, InspectKeyExpiresIn, Days(RU, 20)); got != "Срок действия ключа истекает через 20 дн." {
		t.Errorf("ru: %q", got)
	}
	if got := T(EN, InspectKeyExpiresIn, Days(EN, 1)); got != "The key expires in 1 day" {
		t.Errorf("en: %q", got)
	}
	if got := T(RU, InspectSignatureValid, T(RU, InspectCheckedSelf)); got != "Подпись верна (самоподписанный сертификат)" {
		t.Errorf("ru: %q", got)
	}
	if got := T(EN, Key("no.such.key"), 1); got != "no.such.key1" && !strings.HasPrefix(got, "no.such.key") {
		t.Errorf("missing key: %q", got)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Lang
		ok   bool
	}{
		{"ru", RU, true}, {"RU", RU, true}, {"ru_RU", RU, true}, {"en", EN, true},
		{"en-GB", EN, true}, {"de", "", false}, {"", "", false}, {"russian", "", false},
	}
	for _, tt := range tests {
		got, ok := Parse(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Parse(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want Lang
	}{
		{map[string]string{}, EN},
		{map[string]string{"LANG": "ru_RU.UTF-8"}, RU},
		{map[string]string{"LANG": "en_US.UTF-8"}, EN},
		{map[string]string{"LANG": "C"}, EN},
		{map[string]string{"LANG": "ru_RU.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, EN},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "ru_RU.UTF-8"}, RU},
		{map[string]string{"LC_MESSAGES": "ru_RU.UTF-8", "LC_ALL": "C"}, EN},
		{map[string]string{"LC_ALL": "ru_RU.KOI8-R", "LANG": "en_US"}, RU},
		{map[string]string{"LC_ALL": "", "LANG": "ru"}, RU},
	}
	for _, tt := range tests {
		if got := FromEnv(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("FromEnv(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestCounts(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{Days(RU, 0), "0 дн."}, {Days(RU, 21), "21 дн."}, {Days(EN, 0), "0 days"}, {Days(EN, 2), "2 days"},
		{Bytes(RU, 1), "1 байт"}, {Bytes(RU, 2), "2 байта"}, {Bytes(RU, 12), "12 байт"},
		{Bytes(RU, 32), "32 байта"}, {Bytes(RU, 16), "16 байт"}, {Bytes(EN, 1), "1 byte"},
		{Bytes(EN, 8), "8 bytes"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestFormatTime(t *testing.T) {
	tm := time.Date(2026, 12, 23, 13, 4, 5, 0, time.FixedZone("MSK", 3*3600))
	if got := FormatTime(RU, tm); got != "23.12.2026 10:04:05 UTC" {
		t.Errorf("ru: %q", got)
	}
	if got := FormatTime(EN, tm); got != "2026-12-23 10:04:05 UTC" {
		t.Errorf("en: %q", got)
	}
}
