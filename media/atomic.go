package media

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Crash points: the steps between which a failure (or a kill) is
// injected by the tests. step is called at each; a non-nil error aborts
// the operation there, as a crash would, without any clean-up.
const (
	stepKeyGenerated    = "create:key-generated"     // key in memory, nothing written
	stepCreateKeyFile   = "create:key-written"       // key.pem in the temporary directory
	stepCreateManifest  = "create:manifest-written"  // all files in the temporary directory
	stepCreateRenamed   = "create:renamed"           // the container is in place
	stepInstallCertTemp = "install:cert-temp"        // cert.pem's temporary file written
	stepInstallCert     = "install:cert-written"     // cert.pem in place, manifest still pending
	stepInstallManifest = "install:manifest-written" // manifest says active
	stepArchiveTemp     = "archive:manifest-temp"    // the new manifest's temporary file written
	stepArchived        = "archive:manifest-written" // manifest says archived
	stepBackupCopied    = "backup:copied"            // files in the temporary directory
)

// crashHook is nil outside tests.
var crashHook func(step string) error

func step(name string) error {
	if crashHook == nil {
		return nil
	}
	if err := crashHook(name); err != nil {
		return errInjected{name, err}
	}
	return nil
}

type errInjected struct {
	step string
	err  error
}

func (e errInjected) Error() string { return "media: " + e.step + ": " + e.err.Error() }
func (e errInjected) Unwrap() error { return e.err }

// writeFileAtomic replaces dir/name with data: it writes a temporary
// file in dir, syncs it, renames it over name and syncs dir. A crash
// leaves either the old file or the new one, never a mixture, plus at
// worst a temporary file whose name starts with a dot. before is the
// crash point between the temporary file and the rename ("" for none).
func writeFileAtomic(dir, name string, data []byte, perm os.FileMode, before string) error {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return fmt.Errorf("media: writing %s: %w", name, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			if !errors.As(err, new(errInjected)) {
				os.Remove(tmp)
			}
		}
	}()
	if err = f.Chmod(perm); err != nil {
		return fmt.Errorf("media: writing %s: %w", name, err)
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("media: writing %s: %w", name, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("media: syncing %s: %w", name, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("media: writing %s: %w", name, err)
	}
	if before != "" {
		if err = step(before); err != nil {
			return err
		}
	}
	if err = os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("media: replacing %s: %w", name, err)
	}
	ok = true
	return syncDir(dir)
}

// writeNewFile writes a file into a directory that only this process
// uses (a container being built), synced but not renamed.
func writeNewFile(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("media: writing %s: %w", filepath.Base(path), err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("media: writing %s: %w", filepath.Base(path), err)
	}
	return nil
}

// syncDir makes a directory's entries (a rename, a new file) durable.
// File systems that cannot sync a directory (EINVAL, ENOTSUP) are taken
// at their word: they write directory entries synchronously or not at
// all, and nothing better can be done.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("media: syncing %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil &&
		!errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return fmt.Errorf("media: syncing %s: %w", dir, err)
	}
	return nil
}
