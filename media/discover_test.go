package media

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"rekey/pki"
)

// TestDiscovery: an accountant's drive with twenty clients' keys, a
// second mounted drive, a root from REKEY_MEDIA and one from --media.
func TestDiscovery(t *testing.T) {
	mounts := t.TempDir() // stands for /media
	drive := filepath.Join(mounts, "user", "FLASH")
	second := filepath.Join(mounts, "user", "KEYS2")
	envRoot, flagRoot := t.TempDir(), t.TempDir()
	for _, d := range []string{drive, second} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	prof := pki.ProfileECDSA
	ca := newCA(t, prof, "УЦ")
	ids := map[string]bool{}
	for range 20 {
		ids[enrolled(t, drive, prof, ca).ID()] = true
	}
	gost := enrolled(t, second, pki.ProfileGOST256, newCA(t, pki.ProfileGOST256, "УЦ ГОСТ"))
	envKey := enrolled(t, envRoot, prof, ca)
	flagKey, _, _, err := Create(flagRoot, createOpts(prof, ca))
	if err != nil {
		t.Fatal(err)
	}
	// Things discovery must pass over quietly.
	os.WriteFile(filepath.Join(drive, "report.xml"), []byte("<x/>"), 0o644)
	os.Mkdir(filepath.Join(drive, "photos"), 0o755)
	os.Mkdir(filepath.Join(drive, ".new-0123-interrupted"), 0o755)

	f := NewFinder(envRoot+"::"+filepath.Join(t.TempDir(), "unplugged"), flagRoot)
	f.Patterns = []string{filepath.Join(mounts, "*", "*"), filepath.Join(t.TempDir(), "*")}
	roots := f.Roots()
	if len(roots) != 5 || roots[0] != drive || roots[1] != second {
		t.Errorf("Roots = %q", roots)
	}
	keys, errs := f.Keys()
	if len(errs) != 1 || !errors.Is(errs[0], ErrMediaMissing) ||
		!strings.Contains(errs[0].Error(), "unplugged") {
		t.Errorf("errors %v, want one ErrMediaMissing for the unplugged root", errs)
	}
	if len(keys) != 23 {
		t.Fatalf("found %d keys, want 23", len(keys))
	}
	n := 0
	for _, k := range keys {
		if ids[k.ID] {
			n++
			if k.Media != drive || k.Location != containerDir(drive, k.ID) ||
				k.State != StateActive || k.Certificate == nil || k.KeyExpires.IsZero() ||
				k.Operator != testURL || k.Kind != KindFile {
				t.Errorf("key %+v", k)
			}
		}
	}
	if n != 20 {
		t.Errorf("found %d of the 20 keys on the drive", n)
	}
	for _, want := range []struct {
		id, media string
		state     State
	}{{gost.ID(), second, StateActive}, {envKey.ID(), envRoot, StateActive},
		{flagKey.ID(), flagRoot, StatePending}} {
		got, err := Find(keys, want.id[:8])
		if err != nil || len(got) != 1 || got[0].Media != want.media || got[0].State != want.state {
			t.Errorf("Find(%s) = %+v, %v", want.id[:8], got, err)
		}
	}
	if _, err := Find(keys, "zzzz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Find(zzzz): %v", err)
	}
	if _, err := Find(keys, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("Find(\"\"): %v", err)
	}
	c, err := f.Open(gost.ID())
	if err != nil || c.Dir != gost.Dir {
		t.Errorf("Open: %v, %v", c, err)
	}

	// A root may be a container itself (--media /path/ID.rekey).
	single, errs := (&Finder{Dirs: []string{gost.Dir}}).Find()
	if len(single) != 1 || len(errs) != 0 || single[0].ID() != gost.ID() {
		t.Errorf("container as a root: %v %v", single, errs)
	}
}

func TestAmbiguousPrefix(t *testing.T) {
	keys := []Key{{ID: "abcd000000000000000a"}, {ID: "abcd000000000000000b"},
		{ID: "abcd000000000000000b", Media: "/backup"}}
	if _, err := Find(keys, "abcd"); !errors.Is(err, ErrAmbiguous) {
		t.Errorf("Find(abcd): %v, want ErrAmbiguous", err)
	}
	got, err := Find(keys, "ABCD000000000000000B")
	if err != nil || len(got) != 2 {
		t.Errorf("a key and its backup: %v, %v", got, err)
	}
}

func TestMounts(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want []string
	}{
		{"", MountPatterns},
		{"  ", MountPatterns},
		{"none", nil},
		{"/srv/usb/*", []string{"/srv/usb/*"}},
		{"/a/*: /b/* :", []string{"/a/*", "/b/*"}},
	} {
		if got := Mounts(tc.env); !slices.Equal(got, tc.want) {
			t.Errorf("Mounts(%q) = %q, want %q", tc.env, got, tc.want)
		}
	}
	// "none" searches nothing even where the usual mount points exist.
	f := &Finder{Patterns: Mounts("none")}
	if roots := f.Roots(); len(roots) != 0 {
		t.Errorf("REKEY_MOUNTS=none found roots %q", roots)
	}
}
