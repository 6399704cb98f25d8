package pki

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestCheckDigits(t *testing.T) {
	tests := []struct {
		name  string
		check func(string) error
		in    string
		ok    bool
	}{
		{"INN legal entity", ValidateINN, "7707083893", true},
		{"INN legal entity bad digit", ValidateINN, "7707083894", false},
		{"INN person", ValidateINN, "500100732259", true},
		{"INN person bad 11th", ValidateINN, "500100732269", false},
		{"INN person bad 12th", ValidateINN, "500100732258", false},
		{"INN legacy 00 form from the manual", ValidateINN, "009901888821", true},
		{"INN legacy 00 form bad", ValidateINN, "009901888822", false},
		{"INN 11 digits", ValidateINN, "77070838931", false},
		{"INN letters", ValidateINN, "77070838a3", false},
		{"INN empty", ValidateINN, "", false},
		{"INNLE", ValidateINNLE, "7707083893", true},
		{"INNLE 12 digits", ValidateINNLE, "500100732259", false},
		{"OGRN", ValidateOGRN, "1027700132195", true},
		{"OGRN manual placeholder", ValidateOGRN, "1234567890123", false},
		{"OGRN short", ValidateOGRN, "102770013219", false},
		{"OGRNIP", ValidateOGRNIP, "304500116000157", true},
		{"OGRNIP bad", ValidateOGRNIP, "304500116000158", false},
		{"SNILS printed form from the manual", ValidateSNILS, "139-350-887 85", true},
		{"SNILS digits", ValidateSNILS, "13935088785", true},
		{"SNILS bad", ValidateSNILS, "13935088786", false},
		{"SNILS below the checked range", ValidateSNILS, "00100199800", true},
		{"SNILS short", ValidateSNILS, "1393508878", false},
	}
	for _, tt := range tests {
		err := tt.check(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %q: got error %v, want ok=%v", tt.name, tt.in, err, tt.ok)
		}
	}
}

// TestSNILSModulo checks the rule for weighted sums below, at and above 100
// on numbers chosen to hit each case.
func TestSNILSModulo(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"11223344595", true},  // sum 95: the check number is the sum
		{"11223344500", false}, // sum 95
		{"00132667900", true},  // sum 100: check 00
		{"00150881600", true},  // sum 101: 101 mod 101 = 00
		{"00150881601", false}, // sum 101
		{"00289464149", true},  // sum 150: 150 mod 101 = 49
		{"00699668300", true},  // sum 202: 202 mod 101 = 0
	} {
		if err := ValidateSNILS(tt.in); (err == nil) != tt.ok {
			t.Errorf("ValidateSNILS(%q): got %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

const manualJSON = `{
	"O": "ООО Тест", "OU": "Администрация", "title": "Генеральный директор",
	"INN": "009901888821", "C": "RU", "ST": "77 г. Москва", "L": "Москва",
	"emailAddress": "test@example.ru", "surname": "Иванов",
	"givenName": "Иван Иванович", "street": "ул. Тестовая, д. 1",
	"SNILS": "139-350-887 85", "OGRN": "1027700132195", "CN": "ООО Тест"
}`

func TestSubjectJSON(t *testing.T) {
	s, err := ParseSubjectJSON([]byte(manualJSON))
	if err != nil {
		t.Fatal(err)
	}
	if s.SNILS != "13935088785" {
		t.Errorf("SNILS: got %q, want the digits only", s.SNILS)
	}
	fields := s.Fields("ru")
	if fields[0].Label != "Страна" || fields[0].Value != "RU" {
		t.Errorf("first field: got %+v, want Страна RU", fields[0])
	}
	var snils Field
	for _, f := range fields {
		if f.Key == "SNILS" {
			snils = f
		}
	}
	if snils.Value != "139-350-887 85" {
		t.Errorf("SNILS shown as %q, want the printed form", snils.Value)
	}
}

func TestSubjectJSONErrors(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"unknown key", `{"CN":"x","INNN":"7707083893"}`, `unknown field "INNN"`},
		{"bad INN", `{"CN":"x","INN":"7707083894"}`, "subject field INN check digit"},
		{"bad OGRN", `{"CN":"x","OGRN":"1234567890123"}`, "subject field OGRN check digit"},
		{"bad SNILS", `{"CN":"x","SNILS":"139-350-887 86"}`, "subject field SNILS check number"},
		{"no CN", `{"O":"x"}`, "subject field CN is required"},
		{"country", `{"CN":"x","C":"Russia"}`, "subject field C"},
		{"cyrillic e-mail", `{"CN":"x","emailAddress":"тест@пример.рф"}`, "emailAddress must be"},
		{"two objects", `{"CN":"x"} {}`, "data after the object"},
	}
	for _, tt := range tests {
		_, err := ParseSubjectJSON([]byte(tt.json))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	_, err := ParseSubjectJSON([]byte(`{"CN":"x","INN":"1","SNILS":"2"}`))
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Errorf("got %T, want a *FieldError inside", err)
	}
}

func TestSubjectDERRoundTrip(t *testing.T) {
	s, err := ParseSubjectJSON([]byte(manualJSON))
	if err != nil {
		t.Fatal(err)
	}
	der, err := s.MarshalDN()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseSubject(der)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equal(s) {
		t.Errorf("round trip: got %v, want %v", back, s)
	}
	der2, err := back.MarshalDN()
	if err != nil {
		t.Fatal(err)
	}
	if string(der2) != string(der) {
		t.Errorf("second encoding differs from the first")
	}
	// The registration numbers are NumericString, as the FSB order asks.
	var rdns []rdnSET
	if _, err := asn1.Unmarshal(der, &rdns); err != nil {
		t.Fatal(err)
	}
	for _, rdn := range rdns {
		if rdn[0].Type.Equal(OIDINN) && rdn[0].Value.Tag != asn1.TagNumericString {
			t.Errorf("INN written with tag %d, want NumericString", rdn[0].Value.Tag)
		}
	}
}

func TestSubjectEqual(t *testing.T) {
	a := &Subject{CommonName: "ООО Тест", INN: "7707083893", SNILS: "13935088785"}
	b := &Subject{SNILS: "139-350-887 85", INN: "7707083893", CommonName: "ООО Тест"}
	if !a.Equal(b) {
		t.Error("same attributes in another form: got not equal")
	}
	// The same text written as PrintableString and as UTF8String is equal.
	p := mustDN(t, rdnSET{{OIDCommonName, asn1.RawValue{Tag: asn1.TagPrintableString,
		Bytes: []byte("Example")}}})
	u := mustDN(t, rdnSET{{OIDCommonName, asn1.RawValue{Tag: asn1.TagUTF8String,
		Bytes: []byte("Example")}}})
	if !p.Equal(u) {
		t.Error("PrintableString vs UTF8String of the same text: got not equal")
	}
	for _, c := range []*Subject{
		{CommonName: "ООО Тест", INN: "7707083893"},
		{CommonName: "ООО Тест", INN: "7707083893", SNILS: "13935088786"},
		{CommonName: "ООО Тест", INN: "7707083893", SNILS: "13935088785", Title: "x"},
	} {
		if a.Equal(c) {
			t.Errorf("%v equals %v, want different", a, c)
		}
	}
	o1 := &Subject{CommonName: "x", Other: []Attribute{{Type: asn1.ObjectIdentifier{2, 5, 4, 5}, Value: "1"}}}
	o2 := &Subject{CommonName: "x", Other: []Attribute{{Type: asn1.ObjectIdentifier{2, 5, 4, 5}, Value: "2"}}}
	if o1.Equal(o2) {
		t.Error("different serialNumber attributes: got equal")
	}
}

func mustDN(t *testing.T, rdns ...rdnSET) *Subject {
	t.Helper()
	der, err := asn1.Marshal(rdns)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSubject(der)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseSubjectOfPublishedCertificates(t *testing.T) {
	tests := []struct {
		file, cn, email string
	}{
		{"testdata/rfc9215-D2-tc26-256A-cert.pem", "Example", ""},
		{"testdata/tk26-iok-cert-512.pem", "GostR3410-2012 (512 bit) example",
			"GostR3410-2012@example.com"},
	}
	for _, tt := range tests {
		data, err := os.ReadFile(tt.file)
		if err != nil {
			t.Fatal(err)
		}
		block, _ := pem.Decode(data)
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		s, err := ParseSubject(cert.RawSubject)
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if s.CommonName != tt.cn || s.Email != tt.email {
			t.Errorf("%s: got CN %q e-mail %q, want %q %q", tt.file, s.CommonName, s.Email,
				tt.cn, tt.email)
		}
	}
}

func TestParseSubjectMalformed(t *testing.T) {
	for _, tt := range []struct {
		name string
		der  []byte
	}{
		{"empty", nil},
		{"trailing", append(mustMarshal(t, []rdnSET{}), 0)},
		{"bad UTF-8", mustMarshal(t, []rdnSET{{{OIDCommonName,
			asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte{0xff}}}}})},
		{"odd BMPString", mustMarshal(t, []rdnSET{{{OIDCommonName,
			asn1.RawValue{Tag: asn1.TagBMPString, Bytes: []byte{0, 'a', 0}}}}})},
	} {
		if _, err := ParseSubject(tt.der); err == nil {
			t.Errorf("%s: got no error", tt.name)
		}
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	der, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func FuzzParseSubject(f *testing.F) {
	s, err := ParseSubjectJSON([]byte(manualJSON))
	if err != nil {
		f.Fatal(err)
	}
	der, err := s.MarshalDN()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(der)
	for _, file := range []string{"testdata/rfc9215-D2-tc26-256A-cert.pem",
		"testdata/tk26-iok-cert-512.pem"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		block, _ := pem.Decode(data)
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(cert.RawSubject)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		s, err := ParseSubject(der)
		if err != nil {
			return
		}
		if !s.Equal(s) {
			t.Fatal("a parsed subject does not equal itself")
		}
		out, err := s.MarshalDN()
		if err != nil {
			return // parsed names need not be valid for a new enrollment
		}
		back, err := ParseSubject(out)
		if err != nil {
			t.Fatalf("re-parsing our own encoding: %v", err)
		}
		if !back.Equal(s) {
			t.Fatalf("round trip changed the subject: %v → %v", s, back)
		}
	})
}
