package media

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rekey/pki"
)

var testOffice = &Office{
	RU: "ООО «АРГОС», отдел по работе с клиентами, тел. 8 (812) 610-56-10",
	EN: "ARGOS LLC, client service, phone +7 812 610-56-10",
}

// TestOfficeRoundTrip: the contact given to Create is in office.json, is
// read back by Load and listed with the key, survives the installation
// of the certificate, and is copied by Backup.
func TestOfficeRoundTrip(t *testing.T) {
	root, spare := t.TempDir(), t.TempDir()
	ca := newCA(t, pki.ProfileECDSA, "УЦ")
	opts := createOpts(pki.ProfileECDSA, ca)
	opts.Office = testOffice
	c, key, _, err := Create(root, opts)
	if err != nil {
		t.Fatal(err)
	}
	if c.Office == nil || *c.Office != *testOffice {
		t.Fatalf("created container's office = %+v, want %+v", c.Office, testOffice)
	}
	if _, err := os.Stat(filepath.Join(c.Dir, OfficeFile)); err != nil {
		t.Fatalf("no %s: %v", OfficeFile, err)
	}
	if err := c.InstallCertificate(ca.issue(t, key.Public(), 300)); err != nil {
		t.Fatal(err)
	}
	got := byID(find(t, root), c.ID())
	if got == nil || got.Office == nil || *got.Office != *testOffice {
		t.Fatalf("loaded office = %+v, want %+v", got, testOffice)
	}
	if k := got.Key(); k.Office == nil || k.Office.Text("ru") != testOffice.RU ||
		k.Office.Text("en") != testOffice.EN {
		t.Errorf("listed office = %+v", k.Office)
	}
	b, err := Backup(got, spare, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if b.Office == nil || *b.Office != *testOffice {
		t.Errorf("backup's office = %+v, want %+v", b.Office, testOffice)
	}
}

// TestOfficeAbsent: a container without office.json (made before the file
// existed, or by an operator that gave none) loads with no office, and so
// does its backup.
func TestOfficeAbsent(t *testing.T) {
	root, spare := t.TempDir(), t.TempDir()
	c := enrolled(t, root, pki.ProfileECDSA, newCA(t, pki.ProfileECDSA, "УЦ"))
	if c.Office != nil || c.Key().Office != nil {
		t.Fatalf("office = %+v, want none", c.Office)
	}
	b, err := Backup(c, spare, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if b.Office != nil {
		t.Errorf("backup's office = %+v, want none", b.Office)
	}
	if _, err := os.Stat(filepath.Join(b.Dir, OfficeFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the backup has an %s: %v", OfficeFile, err)
	}
}

// TestOfficeDamaged: an office.json that is there but not a valid contact
// makes Load refuse the container with a *ContainerError naming the file
// and saying it is optional.
func TestOfficeDamaged(t *testing.T) {
	ca := newCA(t, pki.ProfileECDSA, "УЦ")
	cases := []struct {
		name, data, want string
	}{
		{"not JSON", "тел. 610-56-10\n", "invalid character"},
		{"unknown field", `{"ru": "офис", "en": "office", "phone": "610"}`, `unknown field "phone"`},
		{"english missing", `{"ru": "офис"}`, "en is missing"},
		{"blank russian", `{"ru": "  ", "en": "office"}`, "ru is missing"},
		{"escape sequence", `{"ru": "офис", "en": "\u001b[2Joffice"}`, "control character U+001B"},
		{"trailing data", `{"ru": "офис", "en": "office"} {}`, "data after the JSON object"},
		{"oversized", `{"ru": "` + strings.Repeat("о", MaxOfficeSize) + `", "en": "office"}`,
			"more than 4096 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			c := enrolled(t, root, pki.ProfileECDSA, ca)
			if err := os.WriteFile(filepath.Join(c.Dir, OfficeFile), []byte(tc.data),
				0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(c.Dir)
			var ce *ContainerError
			if !errors.As(err, &ce) || ce.File != OfficeFile || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Load = %v, want a damaged %s", err, OfficeFile)
			}
			for _, w := range []string{OfficeFile, tc.want, "optional"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestOfficeRefusedOnCreate: Create refuses a contact it would not read
// back, before generating anything.
func TestOfficeRefusedOnCreate(t *testing.T) {
	ca := newCA(t, pki.ProfileECDSA, "УЦ")
	for _, o := range []*Office{
		{RU: "офис", EN: ""},
		{RU: "офис\x07", EN: "office"},
		{RU: strings.Repeat("о", MaxOfficeSize/2), EN: "office"},
	} {
		root := t.TempDir()
		opts := createOpts(pki.ProfileECDSA, ca)
		opts.Office = o
		if _, _, _, err := Create(root, opts); err == nil {
			t.Errorf("Create with office %.40q: no error", o.RU)
		}
		if entries, _ := os.ReadDir(root); len(entries) != 0 {
			t.Errorf("Create with office %.40q left %d entries", o.RU, len(entries))
		}
	}
}

func TestParseOfficeRoundTrip(t *testing.T) {
	data, err := testOffice.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseOffice(data)
	if err != nil {
		t.Fatal(err)
	}
	if *got != *testOffice {
		t.Errorf("got %+v, want %+v", got, testOffice)
	}
	if got.Text("de") != testOffice.EN {
		t.Errorf("Text(de) = %q, want the English text", got.Text("de"))
	}
}
