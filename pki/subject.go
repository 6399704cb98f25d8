package pki

import (
	"bytes"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Subject is the distinguished name of a Russian qualified certificate, the
// data of the manual's form "new key and certificate request" (S7).
//
// The JSON form uses the attribute short names as keys ("CN", "O", "INN",
// "SNILS", …); see the json tags. Attributes that have no field here are kept
// in Other when a name is parsed, so that Equal and MarshalDN lose nothing.
type Subject struct {
	Country            string `json:"C,omitempty"`
	Province           string `json:"ST,omitempty"`
	Locality           string `json:"L,omitempty"`
	Street             string `json:"street,omitempty"`
	Organization       string `json:"O,omitempty"`
	OrganizationalUnit string `json:"OU,omitempty"`
	Title              string `json:"title,omitempty"`
	CommonName         string `json:"CN,omitempty"`
	Surname            string `json:"surname,omitempty"`
	GivenName          string `json:"givenName,omitempty"` // name and patronymic
	Email              string `json:"emailAddress,omitempty"`
	INN                string `json:"INN,omitempty"`
	INNLE              string `json:"INNLE,omitempty"`
	OGRN               string `json:"OGRN,omitempty"`
	OGRNIP             string `json:"OGRNIP,omitempty"`
	SNILS              string `json:"SNILS,omitempty"`

	// Other holds the attributes of a parsed name that have no field above,
	// in the order they appeared. It is not part of the JSON form.
	Other []Attribute `json:"-"`
}

// Attribute is one attribute of a distinguished name that Subject has no
// field for; Value is its decoded string, or the hex of its DER when the
// value is not a string. DER is the value as it was read (nil when built).
type Attribute struct {
	Type  asn1.ObjectIdentifier
	Value string
	DER   []byte
}

// Attribute type OIDs of a Russian qualified certificate's subject
// (RFC 5280 §4.1.2.4, PKCS#9, and the FSB order No. 795 of 27.12.2011).
var (
	OIDCommonName         = asn1.ObjectIdentifier{2, 5, 4, 3}
	OIDSurname            = asn1.ObjectIdentifier{2, 5, 4, 4}
	OIDCountry            = asn1.ObjectIdentifier{2, 5, 4, 6}
	OIDLocality           = asn1.ObjectIdentifier{2, 5, 4, 7}
	OIDProvince           = asn1.ObjectIdentifier{2, 5, 4, 8}
	OIDStreet             = asn1.ObjectIdentifier{2, 5, 4, 9}
	OIDOrganization       = asn1.ObjectIdentifier{2, 5, 4, 10}
	OIDOrganizationalUnit = asn1.ObjectIdentifier{2, 5, 4, 11}
	OIDTitle              = asn1.ObjectIdentifier{2, 5, 4, 12}
	OIDGivenName          = asn1.ObjectIdentifier{2, 5, 4, 42}
	OIDEmailAddress       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	OIDINN                = asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1}
	OIDINNLE              = asn1.ObjectIdentifier{1, 2, 643, 100, 4}
	OIDOGRN               = asn1.ObjectIdentifier{1, 2, 643, 100, 1}
	OIDOGRNIP             = asn1.ObjectIdentifier{1, 2, 643, 100, 5}
	OIDSNILS              = asn1.ObjectIdentifier{1, 2, 643, 100, 3}
)

// stringKind is the ASN.1 string type an attribute is written with.
type stringKind int

const (
	utf8Str      stringKind = asn1.TagUTF8String
	printableStr stringKind = asn1.TagPrintableString
	ia5Str       stringKind = asn1.TagIA5String
	numericStr   stringKind = asn1.TagNumericString
)

// attrSpec describes one Subject field: its OID, JSON key, labels, the string
// type it is encoded with, its length limit and its validator.
type attrSpec struct {
	oid      asn1.ObjectIdentifier
	key      string // JSON key and short name
	en, ru   string // labels for a person
	kind     stringKind
	maxLen   int // in characters
	validate func(string) error
	field    func(*Subject) *string
}

// specs lists the fields in the order a name is written and shown.
var specs = []attrSpec{
	{OIDCountry, "C", "Country", "Страна", printableStr, 2, validateCountry,
		func(s *Subject) *string { return &s.Country }},
	{OIDProvince, "ST", "Region", "Регион", utf8Str, 128, nil,
		func(s *Subject) *string { return &s.Province }},
	{OIDLocality, "L", "City", "Населённый пункт", utf8Str, 128, nil,
		func(s *Subject) *string { return &s.Locality }},
	{OIDStreet, "street", "Street and house", "Улица и дом", utf8Str, 255, nil,
		func(s *Subject) *string { return &s.Street }},
	{OIDOrganization, "O", "Organization", "Организация", utf8Str, 255, nil,
		func(s *Subject) *string { return &s.Organization }},
	{OIDOrganizationalUnit, "OU", "Department", "Подразделение", utf8Str, 255, nil,
		func(s *Subject) *string { return &s.OrganizationalUnit }},
	{OIDTitle, "title", "Title", "Должность", utf8Str, 128, nil,
		func(s *Subject) *string { return &s.Title }},
	{OIDCommonName, "CN", "Common name", "Общее имя", utf8Str, 255, nil,
		func(s *Subject) *string { return &s.CommonName }},
	{OIDSurname, "surname", "Surname", "Фамилия", utf8Str, 64, nil,
		func(s *Subject) *string { return &s.Surname }},
	{OIDGivenName, "givenName", "Name and patronymic", "Имя и отчество", utf8Str, 128, nil,
		func(s *Subject) *string { return &s.GivenName }},
	{OIDEmailAddress, "emailAddress", "E-mail", "Электронная почта", ia5Str, 128, validateEmail,
		func(s *Subject) *string { return &s.Email }},
	{OIDINN, "INN", "INN", "ИНН", numericStr, 12, ValidateINN,
		func(s *Subject) *string { return &s.INN }},
	{OIDINNLE, "INNLE", "INN of the organization", "ИНН ЮЛ", numericStr, 10, ValidateINNLE,
		func(s *Subject) *string { return &s.INNLE }},
	{OIDOGRN, "OGRN", "OGRN", "ОГРН", numericStr, 13, ValidateOGRN,
		func(s *Subject) *string { return &s.OGRN }},
	{OIDOGRNIP, "OGRNIP", "OGRNIP", "ОГРНИП", numericStr, 15, ValidateOGRNIP,
		func(s *Subject) *string { return &s.OGRNIP }},
	{OIDSNILS, "SNILS", "SNILS", "СНИЛС", numericStr, 11, ValidateSNILS,
		func(s *Subject) *string { return &s.SNILS }},
}

func validateCountry(s string) error {
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return fmt.Errorf("must be a two-letter ISO 3166 code in capitals, as RU")
	}
	return nil
}

func validateEmail(s string) error {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " \t") {
		return fmt.Errorf("is not an e-mail address")
	}
	return nil
}

// FieldError reports a Subject field that is not acceptable.
type FieldError struct {
	Field  string // the JSON key, e.g. "INN"
	Reason string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("pki: subject field %s %s", e.Field, e.Reason)
}

// Validate checks every field: string types, lengths, the check digits of
// INN, INNLE, OGRN, OGRNIP and SNILS, and that the name identifies someone
// (a common name is required). It changes nothing.
func (s *Subject) Validate() error {
	var errs []error
	for i := range specs {
		sp := &specs[i]
		v := *sp.field(s)
		if v == "" {
			continue
		}
		if err := sp.check(v); err != nil {
			errs = append(errs, &FieldError{sp.key, err.Error()})
		}
	}
	if s.CommonName == "" {
		errs = append(errs, &FieldError{"CN", "is required"})
	}
	return errors.Join(errs...)
}

func (sp *attrSpec) check(v string) error {
	if !utf8.ValidString(v) {
		return errors.New("is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(v); n > sp.maxLen {
		return fmt.Errorf("is %d characters long, at most %d allowed", n, sp.maxLen)
	}
	if sp.kind == numericStr && sp.key != "SNILS" && !allDigits(v) {
		return errors.New("must consist of digits only")
	}
	if (sp.kind == ia5Str || sp.kind == printableStr) && !isASCII(v) {
		return errors.New("must be written in Latin letters (ASCII)")
	}
	if sp.validate != nil {
		return sp.validate(v)
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// ParseSubjectJSON reads the JSON form of a subject. Unknown keys are
// rejected with their name; SNILS may be given in its printed form. The
// result is validated.
func ParseSubjectJSON(data []byte) (*Subject, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Subject
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("pki: reading subject JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("pki: reading subject JSON: data after the object")
	}
	s.SNILS = NormalizeSNILS(s.SNILS)
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Field is one filled attribute of a subject, for showing to a person.
type Field struct {
	Key   string // JSON key, e.g. "INN"
	Label string // in the language asked for
	Value string
}

// Fields returns the filled attributes in display order with labels in lang
// ("ru" or "en"; anything else is English). Unknown attributes come last,
// labelled with their OID.
func (s *Subject) Fields(lang string) []Field {
	var out []Field
	for i := range specs {
		sp := &specs[i]
		v := *sp.field(s)
		if v == "" {
			continue
		}
		label := sp.en
		if lang == "ru" {
			label = sp.ru
		}
		if sp.key == "SNILS" {
			v = formatSNILS(v)
		}
		out = append(out, Field{Key: sp.key, Label: label, Value: v})
	}
	for _, a := range s.Other {
		out = append(out, Field{Key: a.Type.String(), Label: a.Type.String(), Value: a.Value})
	}
	return out
}

// formatSNILS writes 11 digits in the printed form 123-456-789 01.
func formatSNILS(v string) string {
	if len(v) != 11 || !allDigits(v) {
		return v
	}
	return v[0:3] + "-" + v[3:6] + "-" + v[6:9] + " " + v[9:11]
}

// String renders the subject as a one-line RFC 4514-like text, most
// specific attribute first, for logs and messages.
func (s *Subject) String() string {
	f := s.Fields("en")
	parts := make([]string, len(f))
	for i := range f {
		parts[len(f)-1-i] = f[i].Key + "=" + escapeDN(f[i].Value)
	}
	return strings.Join(parts, ", ")
}

func escapeDN(v string) string { return dnEscaper.Replace(v) }

// dnEscaper is made once: a Replacer builds its tables on first use, which
// costs more than the replacing, and String runs for every log line and
// error that names a certificate.
var dnEscaper = strings.NewReplacer(`\`, `\\`, `,`, `\,`, `+`, `\+`, `=`, `\=`)

// Equal reports whether two subjects have the same attributes with the same
// values, in any order, compared after decoding (so a value written as a
// PrintableString equals the same text as a UTF8String). This is the
// equality of renewal requirement O2. SNILS compares without separators.
func (s *Subject) Equal(o *Subject) bool {
	if s == nil || o == nil {
		return s == o
	}
	a, b := s.canonical(), o.canonical()
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// canonical lists "oid=value" for every attribute, sorted.
func (s *Subject) canonical() []string {
	var out []string
	for i := range specs {
		v := *specs[i].field(s)
		if specs[i].key == "SNILS" {
			v = NormalizeSNILS(v)
		}
		if v != "" {
			out = append(out, specs[i].oid.String()+"="+v)
		}
	}
	for _, a := range s.Other {
		out = append(out, a.Type.String()+"="+a.Value)
	}
	sort.Strings(out)
	return out
}
