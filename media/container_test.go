package media

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rekey/pki"
)

// TestRenewal walks a key through the states of a renewal on one drive,
// for every profile.
func TestRenewal(t *testing.T) {
	for _, prof := range profiles {
		t.Run(prof.Name, func(t *testing.T) {
			root := t.TempDir()
			ca := newCA(t, prof, "УЦ "+prof.Name)
			old := enrolled(t, root, prof, ca)
			if old.State() != StateActive {
				t.Fatalf("enrolled key is %s, want active", old.State())
			}

			c, key, warn, err := Create(root, func() *CreateOptions {
				o := createOpts(prof, ca)
				o.Replaces = old.ID()
				return o
			}())
			if err != nil {
				t.Fatal(err)
			}
			if warn != "" {
				t.Errorf("warning %q for a password-protected key", warn)
			}
			if c.State() != StatePending || c.Certificate != nil || !c.Encrypted {
				t.Errorf("new container: state %s, certificate %v, encrypted %v",
					c.State(), c.Certificate != nil, c.Encrypted)
			}
			if c.Manifest.Replaces != old.ID() || c.Manifest.Profile != prof.Name {
				t.Errorf("manifest: replaces %q profile %q", c.Manifest.Replaces, c.Manifest.Profile)
			}
			if id, _ := KeyID(key.Public()); id != c.ID() {
				t.Errorf("id %s, want KeyID %s", c.ID(), id)
			}
			mustSign(t, c) // a pending key signs its proof of possession
			mustSign(t, old)

			keys, errs := (&Finder{Dirs: []string{root}}).Keys()
			if len(errs) != 0 || len(keys) != 2 {
				t.Fatalf("Keys: %d keys, errors %v", len(keys), errs)
			}

			der := ca.issue(t, key.Public(), 365)
			if err := c.InstallCertificate(der); err != nil {
				t.Fatal(err)
			}
			if err := c.InstallCertificate(der); err != nil {
				t.Errorf("installing the same certificate again: %v", err)
			}
			k := c.Key()
			if k.State != StateActive || k.CertificatePath != filepath.Join(c.Dir, CertFile) ||
				!k.KeyExpires.Equal(c.Certificate.KeyExpires()) {
				t.Errorf("installed key: %+v", k)
			}
			if d := time.Until(k.KeyExpires); d < 364*24*time.Hour || d > 366*24*time.Hour {
				t.Errorf("KeyExpires in %v, want the privateKeyUsagePeriod's 365 days", d)
			}

			if err := old.Archive(c.ID()); err != nil {
				t.Fatal(err)
			}
			if err := old.Archive(c.ID()); err != nil {
				t.Errorf("archiving again: %v", err)
			}
			u, err := old.Unlock(testPassword)
			if err != nil {
				t.Fatalf("unlocking the archived key: %v", err)
			}
			if _, err := u.Signer(); !errors.Is(err, ErrArchived) {
				t.Errorf("archived Signer: %v, want ErrArchived", err)
			}
			if u.DecryptionKey() == nil {
				t.Error("archived key gives no decryption key")
			}
			mustSign(t, c)

			cs := find(t, root)
			if got := byID(cs, old.ID()); got == nil || got.State() != StateArchived ||
				got.Manifest.Successor != c.ID() {
				t.Errorf("old key after archiving: %+v", got)
			}
			if got := byID(cs, c.ID()); got == nil || got.State() != StateActive {
				t.Errorf("new key after installing: %+v", got)
			}
			if err := old.InstallCertificate(der); !errors.Is(err, ErrKeyMismatch) {
				t.Errorf("installing the new certificate into the old container: %v", err)
			}
		})
	}
}

func TestWrongPassword(t *testing.T) {
	for _, prof := range profiles {
		t.Run(prof.Name, func(t *testing.T) {
			c := enrolled(t, t.TempDir(), prof, newCA(t, prof, "УЦ"))
			wrong := []byte("Tr0ub4dor&3")
			_, err := c.Unlock(wrong)
			if !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("Unlock with a wrong password: %v, want ErrWrongPassword", err)
			}
			if strings.Contains(err.Error(), string(wrong)) || !strings.HasPrefix(err.Error(), "media: ") {
				t.Errorf("error text %q", err)
			}
		})
	}
}

func TestEmptyPassword(t *testing.T) {
	root := t.TempDir()
	ca := newCA(t, pki.ProfileGOST256, "УЦ")
	o := createOpts(pki.ProfileGOST256, ca)
	o.Password = nil
	if _, _, _, err := Create(root, o); !errors.Is(err, ErrPasswordRequired) {
		t.Fatalf("empty password without confirmation: %v", err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("a refused Create left %d entries", len(entries))
	}
	o.AllowEmptyPassword = true
	c, _, warn, err := Create(root, o)
	if err != nil {
		t.Fatal(err)
	}
	if warn != pki.WarningUnencrypted || c.Encrypted || c.Key().Encrypted {
		t.Errorf("warning %q, encrypted %v", warn, c.Encrypted)
	}
	if _, err := c.Unlock(nil); err != nil {
		t.Errorf("Unlock without a password: %v", err)
	}
}

func TestInstallRefusals(t *testing.T) {
	for _, prof := range profiles {
		t.Run(prof.Name, func(t *testing.T) {
			root := t.TempDir()
			ca := newCA(t, prof, "УЦ")
			c, key, _, err := Create(root, createOpts(prof, ca))
			if err != nil {
				t.Fatal(err)
			}
			other, _ := prof.GenerateKey(nil)
			if err := c.InstallCertificate(ca.issue(t, other.Public(), 300)); !errors.Is(err, ErrKeyMismatch) {
				t.Errorf("certificate of another key: %v, want ErrKeyMismatch", err)
			}
			// Another CA, and an impostor with the same name.
			for _, bad := range []*testCA{newCA(t, prof, "Другой УЦ"), newCA(t, prof, "УЦ")} {
				err := c.InstallCertificate(bad.issue(t, key.Public(), 300))
				if !errors.Is(err, ErrWrongIssuer) {
					t.Errorf("certificate from %s: %v, want ErrWrongIssuer", bad.cert.Subject, err)
				}
			}
			if err := c.InstallCertificate([]byte("garbage")); err == nil {
				t.Error("garbage certificate installed")
			}
			if _, err := os.Stat(filepath.Join(c.Dir, CertFile)); !os.IsNotExist(err) {
				t.Errorf("a refused certificate was written: %v", err)
			}
			if got := find(t, root); len(got) != 1 || got[0].State() != StatePending {
				t.Errorf("after refusals: %+v", got)
			}
			good := ca.issue(t, key.Public(), 300)
			if err := c.InstallCertificate(good); err != nil {
				t.Fatal(err)
			}
			if err := c.InstallCertificate(ca.issue(t, key.Public(), 200)); !errors.Is(err, ErrState) {
				t.Errorf("a second, different certificate: %v, want ErrState", err)
			}
		})
	}
}

func TestArchiveRefusals(t *testing.T) {
	prof := pki.ProfileECDSA
	ca := newCA(t, prof, "УЦ")
	c, _, _, err := Create(t.TempDir(), createOpts(prof, ca))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Archive(""); !errors.Is(err, ErrState) {
		t.Errorf("archiving a pending key: %v, want ErrState", err)
	}
	a := enrolled(t, t.TempDir(), prof, ca)
	if err := a.Archive(a.ID()); err == nil {
		t.Error("a key archived as its own successor")
	}
	if err := a.Archive(""); err != nil {
		t.Fatal(err)
	}
	if err := a.Archive(c.ID()); !errors.Is(err, ErrState) {
		t.Errorf("re-archiving with another successor: %v, want ErrState", err)
	}
}

func TestBackup(t *testing.T) {
	for _, prof := range profiles {
		t.Run(prof.Name, func(t *testing.T) {
			c := enrolled(t, t.TempDir(), prof, newCA(t, prof, "УЦ"))
			dst := t.TempDir()
			if _, err := Backup(c, dst, []byte("wrong")); !errors.Is(err, ErrWrongPassword) {
				t.Errorf("backup with a wrong password: %v", err)
			}
			if entries, _ := os.ReadDir(dst); len(entries) != 0 {
				t.Errorf("a refused backup left %d entries", len(entries))
			}
			cp, err := Backup(c, dst, testPassword)
			if err != nil {
				t.Fatal(err)
			}
			if cp.ID() != c.ID() || cp.Dir != containerDir(dst, c.ID()) || cp.State() != StateActive {
				t.Errorf("copy: id %s dir %s state %s", cp.ID(), cp.Dir, cp.State())
			}
			for _, name := range []string{KeyFile, CertFile, CAFile, OperatorFile, ManifestFile} {
				a, _ := os.ReadFile(filepath.Join(c.Dir, name))
				b, _ := os.ReadFile(filepath.Join(cp.Dir, name))
				if string(a) != string(b) {
					t.Errorf("%s differs in the copy", name)
				}
			}
			mustSign(t, cp)
			if _, err := Backup(c, dst, testPassword); !errors.Is(err, ErrExists) {
				t.Errorf("second backup to the same place: %v, want ErrExists", err)
			}
			if _, err := Backup(c, filepath.Join(dst, "absent"), testPassword); !errors.Is(err, ErrMediaMissing) {
				t.Errorf("backup to a missing drive: %v, want ErrMediaMissing", err)
			}
		})
	}
}
