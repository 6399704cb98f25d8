package inspect

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"rekey/internal/i18n"
)

// FuzzInspect feeds arbitrary bytes to the detector and the describers and
// renders whatever comes out in both languages and as JSON: nothing may
// panic. No password is given, so that hostile PBKDF2 iteration counts
// cannot make a run slow. The seed corpus is every test file.
func FuzzInspect(f *testing.F) {
	seeds := 0
	for _, dir := range []string{"testdata/vectors", "testdata/keys"} {
		filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && filepath.Base(path) != "MANIFEST.tsv" {
				data, err := os.ReadFile(path)
				if err == nil {
					f.Add(data)
					seeds++
				}
			}
			return nil
		})
	}
	if seeds == 0 {
		f.Fatal("empty seed corpus: testdata/vectors and testdata/keys are missing")
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Inspect(data, Options{Now: testNow})
		if err != nil {
			return
		}
		if len(r.Objects) == 0 {
			t.Fatal("a report without objects")
		}
		for _, lang := range i18n.Langs() {
			if err := r.WriteText(io.Discard, lang); err != nil {
				t.Fatal(err)
			}
			if err := r.WriteJSON(io.Discard, lang); err != nil {
				t.Fatal(err)
			}
		}
	})
}
