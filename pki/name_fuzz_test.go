package pki

import (
	"encoding/asn1"
	"encoding/pem"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// sharedVectors is the project's shared test vectors, next to the
// repository; the seeds taken from it are a bonus when it is there.
const sharedVectors = "../../shared/vectors/pki"

// seedNames returns every DER Name found in the certificates, requests,
// CRLs and CMP messages of testdata and of the shared vectors: each
// SEQUENCE whose first element is a SET. It fails tb when testdata gives
// none.
func seedNames(tb testing.TB) [][]byte {
	tb.Helper()
	seen := make(map[string]bool)
	var out [][]byte
	collect := func(root string) {
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return nil
			}
			for _, der := range derBlobs(data) {
				findNames(cryptobyte.String(der), func(name []byte) {
					if !seen[string(name)] {
						seen[string(name)] = true
						out = append(out, name)
					}
				})
			}
			return nil
		})
	}
	collect("testdata")
	if len(out) == 0 {
		tb.Fatal("no names in testdata: the seed corpus would be empty")
	}
	collect(sharedVectors)
	return out
}

// derBlobs returns the PEM blocks of data, or data itself when it has none.
func derBlobs(data []byte) [][]byte {
	var out [][]byte
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		out = append(out, block.Bytes)
	}
	if len(out) == 0 {
		out = append(out, data)
	}
	return out
}

// findNames walks the DER elements of s, calling found for each SEQUENCE
// that starts with a SET.
func findNames(s cryptobyte.String, found func([]byte)) {
	for !s.Empty() {
		var elem, content cryptobyte.String
		var tag cbasn1.Tag
		if !s.ReadAnyASN1Element(&elem, &tag) {
			return
		}
		content = elem
		if !content.ReadAnyASN1(&content, &tag) {
			return
		}
		if tag == cbasn1.SEQUENCE && content.PeekASN1Tag(cbasn1.SET) {
			found(elem)
		}
		if tag&0x20 != 0 || tag == cbasn1.OCTET_STRING {
			findNames(content, found)
		}
	}
}

// syntheticNames are names that real certificates rarely hold: every
// string type, repeated, empty, unknown and non-string attributes,
// multi-valued RDNs, high tag numbers and elements after the value.
func syntheticNames(tb testing.TB) [][]byte {
	tb.Helper()
	raw := func(tag int, b string) asn1.RawValue {
		return asn1.RawValue{Tag: tag, Bytes: []byte(b)}
	}
	serial := asn1.ObjectIdentifier{2, 5, 4, 5}
	names := [][]rdnSET{
		{},
		{{}},
		{{{OIDCommonName, raw(asn1.TagUTF8String, "Иванов")}, {OIDSurname, raw(asn1.TagPrintableString, "I")}}},
		{{{OIDCommonName, raw(asn1.TagT61String, "caf\xe9")}}, {{OIDLocality, raw(asn1.TagBMPString, "\x04\x10\xd8\x3d\xde\x00\xd8\x00")}}},
		{{{OIDINN, raw(asn1.TagNumericString, "7707083893")}}, {{OIDINN, raw(asn1.TagNumericString, "500100732259")}}},
		{{{OIDEmailAddress, raw(asn1.TagIA5String, "a@b.ru")}}, {{OIDCommonName, raw(asn1.TagUTF8String, "")}}, {{OIDCommonName, raw(asn1.TagUTF8String, "second")}}},
		{{{serial, raw(asn1.TagPrintableString, "12345")}}, {{serial, asn1.RawValue{Tag: asn1.TagInteger, Bytes: []byte{1}}}}},
		{{{OIDCountry, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: []byte("RU")}}}},
		{{{OIDOrganization, asn1.RawValue{Tag: asn1.TagUTF8String, IsCompound: true, Bytes: []byte{0x0c, 1, 'x'}}}}},
		{{{OIDCommonName, asn1.RawValue{Class: asn1.ClassApplication, Tag: 300, Bytes: []byte("hi")}}}},
		{{{OIDCommonName, asn1.RawValue{Tag: 40, Bytes: []byte{0}}}}},
		{{{OIDCommonName, raw(asn1.TagUTF8String, strings.Repeat("long ", 60))}}},
		{{{OIDCommonName, raw(asn1.TagUTF8String, "\xff")}}, {{OIDSurname, raw(asn1.TagBMPString, "odd")}}},
		{{{OIDSNILS, raw(asn1.TagNumericString, "139-350-887 85")}}, {{OIDTitle, raw(asn1.TagGeneralString, "x")}}},
	}
	var out [][]byte
	for _, n := range names {
		der, err := asn1.Marshal(n)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, der)
	}
	// An AttributeTypeAndValue with an element after its value.
	out = append(out, []byte{0x30, 0x0e, 0x31, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x04, 0x03,
		0x0c, 0x01, 'x', 0x05, 0x00})
	return out
}

// checkSameAsReference parses der with ParseSubject and with the
// encoding/asn1 reference and fails t unless both give the same Subject or
// both fail. Errors of a value and of trailing bytes must have the same
// text; a malformed structure need only be reported as one.
func checkSameAsReference(t *testing.T, der []byte) {
	t.Helper()
	got, err := ParseSubject(der)
	want, wantErr := refParseSubject(der)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("ParseSubject(%x): got error %v, reference %v", der, err, wantErr)
	case err != nil:
		if nameErrorKind(err) != nameErrorKind(wantErr) {
			t.Fatalf("ParseSubject(%x): got error %q, reference %q", der, err, wantErr)
		}
		if nameErrorKind(err) != "structure" && err.Error() != wantErr.Error() {
			t.Fatalf("ParseSubject(%x): got error %q, reference %q", der, err, wantErr)
		}
	case !reflect.DeepEqual(got, want):
		t.Fatalf("ParseSubject(%x):\n got %#v\nwant %#v", der, got, want)
	}
}

func nameErrorKind(err error) string {
	switch msg := err.Error(); {
	case strings.HasPrefix(msg, "pki: name attribute "):
		return "value"
	case strings.HasPrefix(msg, "pki: malformed name: ") && strings.HasSuffix(msg, " trailing bytes"):
		return "trailing"
	case strings.HasPrefix(msg, "pki: malformed name: "):
		return "structure"
	}
	return "other: " + err.Error()
}

// TestParseSubjectSameAsReference runs the differential check on the
// seeds and on every truncation and many one-byte changes of them.
func TestParseSubjectSameAsReference(t *testing.T) {
	seeds := append(seedNames(t), syntheticNames(t)...)
	for _, der := range seeds {
		checkSameAsReference(t, der)
	}
	if testing.Short() {
		return
	}
	for _, der := range seeds {
		for i := 0; i <= len(der); i++ {
			checkSameAsReference(t, der[:i])
		}
		mutated := make([]byte, len(der))
		for i := range der {
			for _, b := range []byte{0x00, 0x01, 0x1f, 0x7f, 0x80, 0x81, 0x84, 0xff,
				der[i] + 1, der[i] - 1, der[i] ^ 0x20} {
				copy(mutated, der)
				mutated[i] = b
				checkSameAsReference(t, mutated)
			}
		}
	}
}

func FuzzParseSubjectDifferential(f *testing.F) {
	for _, der := range seedNames(f) {
		f.Add(der)
	}
	for _, der := range syntheticNames(f) {
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		checkSameAsReference(t, der)
	})
}
