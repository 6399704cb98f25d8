package media

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rekey/pki"
)

func TestManifestStrict(t *testing.T) {
	c := enrolled(t, t.TempDir(), pki.ProfileGOST256, newCA(t, pki.ProfileGOST256, "УЦ"))
	good, err := os.ReadFile(filepath.Join(c.Dir, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseManifest(good); err != nil {
		t.Fatalf("the written manifest does not parse: %v", err)
	}
	other, _ := pki.ProfileECDSA.GenerateKey(nil)
	otherID, _ := KeyID(other.Public())
	otherSPKI, _ := pki.MarshalPKIXPublicKey(other.Public())
	edit := func(f func(map[string]any)) string {
		var m map[string]any
		json.Unmarshal(good, &m)
		f(m)
		b, _ := json.Marshal(m)
		return string(b)
	}
	for _, tc := range []struct {
		name, data, want string
	}{
		{"unknown field", edit(func(m map[string]any) { m["password"] = "x" }), `unknown field "password"`},
		{"newer format", edit(func(m map[string]any) { m["format"] = 2 }), "format 2 is not supported"},
		{"no format", edit(func(m map[string]any) { delete(m, "format") }), "format is missing"},
		{"unknown state", edit(func(m map[string]any) { m["state"] = "revoked" }), `unknown state "revoked"`},
		{"no created", edit(func(m map[string]any) { delete(m, "created") }), "created is missing"},
		{"bad id", edit(func(m map[string]any) { m["id"] = "KEY1" }), "is not 20 hex digits"},
		{"id of another key", edit(func(m map[string]any) { m["id"] = otherID }), "is not the public key's id"},
		{"key of another profile", edit(func(m map[string]any) {
			m["public_key"], m["id"] = otherSPKI, otherID
		}), "not of profile gost2012-256"},
		{"unknown profile", edit(func(m map[string]any) { m["profile"] = "rsa" }), `unknown profile "rsa"`},
		{"successor of active", edit(func(m map[string]any) { m["successor"] = otherID }), "active key has a successor"},
		{"replaces itself", edit(func(m map[string]any) { m["replaces"] = m["id"] }), "not another key's id"},
		{"trailing data", string(good) + "{}", "data after the JSON object"},
		{"not JSON", "format = 1", "invalid character"},
		{"wrong type", edit(func(m map[string]any) { m["format"] = "1" }), "cannot unmarshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseManifest([]byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) ||
				!strings.HasPrefix(err.Error(), "media: manifest: ") {
				t.Errorf("ParseManifest: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestCorruptContainers damages one container at a time on a drive that
// holds a good one too: the damaged one is reported by directory and
// file, and the good one is still found.
func TestCorruptContainers(t *testing.T) {
	prof := pki.ProfileECDSA
	ca := newCA(t, prof, "УЦ")
	for _, tc := range []struct {
		name, file string
		damage     func(c *Container) error
		want       string
	}{
		{"no manifest", ManifestFile, func(c *Container) error {
			return os.Remove(filepath.Join(c.Dir, ManifestFile))
		}, "missing"},
		{"garbled manifest", ManifestFile, func(c *Container) error {
			return os.WriteFile(filepath.Join(c.Dir, ManifestFile), []byte("{\"format\":1,"), 0o644)
		}, "unexpected EOF"},
		{"no key", KeyFile, func(c *Container) error {
			return os.Remove(filepath.Join(c.Dir, KeyFile))
		}, "missing"},
		{"not a key", KeyFile, func(c *Container) error {
			return os.WriteFile(filepath.Join(c.Dir, KeyFile), []byte("hello"), 0o600)
		}, "no private key"},
		{"no CA", CAFile, func(c *Container) error {
			return os.Remove(filepath.Join(c.Dir, CAFile))
		}, "missing"},
		{"truncated certificate", CertFile, func(c *Container) error {
			p := filepath.Join(c.Dir, CertFile)
			b, _ := os.ReadFile(p)
			return os.WriteFile(p, b[:len(b)/2], 0o644)
		}, "no PEM certificate"},
		{"certificate of another key", CertFile, func(c *Container) error {
			other, _ := prof.GenerateKey(nil)
			writePEM(t, filepath.Join(c.Dir, CertFile), "CERTIFICATE", ca.issue(t, other.Public(), 300))
			return nil
		}, "certificate does not match the key"},
		{"bad operator URL", OperatorFile, func(c *Container) error {
			return os.WriteFile(filepath.Join(c.Dir, OperatorFile), []byte("ftp://x\n"), 0o644)
		}, "not an http(s) URL"},
		{"renamed directory", "", func(c *Container) error {
			return os.Rename(c.Dir, filepath.Join(c.Root, "copy"+ContainerSuffix))
		}, "directory is named copy.rekey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			good := enrolled(t, root, prof, ca)
			bad := enrolled(t, root, prof, ca)
			if err := tc.damage(bad); err != nil {
				t.Fatal(err)
			}
			cs, errs := (&Finder{Dirs: []string{root}}).Find()
			if len(cs) != 1 || cs[0].ID() != good.ID() {
				t.Errorf("found %d containers, want the good one", len(cs))
			}
			var ce *ContainerError
			if len(errs) != 1 || !errors.As(errs[0], &ce) || !errors.Is(errs[0], ErrCorrupt) {
				t.Fatalf("errors %v, want one *ContainerError", errs)
			}
			if ce.File != tc.file || !strings.Contains(ce.Error(), tc.want) {
				t.Errorf("error %q (file %q), want file %q and %q", ce, ce.File, tc.file, tc.want)
			}
		})
	}
}

// TestCorruptKey flips characters across an encrypted key file: each
// damaged file gives an error (as a wrong password, as damage, or as a
// key that does not match) or, when the damage missed the key itself (an
// unused field), the right key; never a wrong one.
func TestCorruptKey(t *testing.T) {
	for _, prof := range profiles {
		t.Run(prof.Name, func(t *testing.T) {
			c := enrolled(t, t.TempDir(), prof, newCA(t, prof, "УЦ"))
			p := filepath.Join(c.Dir, KeyFile)
			orig, _ := os.ReadFile(p)
			start := strings.Index(string(orig), "\n") + 1
			end := strings.Index(string(orig), "-----END")
			failed := 0
			for i := start; i < end-4; i += 7 {
				b := append([]byte{}, orig...)
				if b[i] == '\n' {
					continue
				}
				if b[i] == 'A' {
					b[i] = 'B'
				} else {
					b[i] = 'A'
				}
				os.WriteFile(p, b, 0o600)
				u, err := c.Unlock(testPassword)
				switch {
				case err == nil:
					if id, _ := KeyID(u.Public()); id != c.ID() {
						t.Fatalf("byte %d: unlocked a different key", i)
					}
				case errors.Is(err, ErrWrongPassword) || errors.Is(err, ErrCorrupt) ||
					errors.Is(err, ErrKeyMismatch):
					failed++
				default:
					t.Errorf("byte %d: %v", i, err)
				}
			}
			if failed == 0 {
				t.Error("no damage was detected")
			}
		})
	}
}
