package media

import (
	"fmt"
	"os"
	"path/filepath"
)

// Backup copies the container into the directory dir (a media root, often
// on another drive) as dir/ID.rekey and verifies the copy: it is loaded,
// its key decrypted with password, checked against its certificate and
// made to sign a test message. The copy is built in a temporary directory
// and renamed into place, like a new container; a copy that fails
// verification is removed. An existing copy is never overwritten
// (ErrExists).
//
// The password is checked on the original first, so a wrong one costs no
// copying (ErrWrongPassword).
func Backup(c *Container, dir string, password []byte) (*Container, error) {
	if err := checkRoot(dir); err != nil {
		return nil, err
	}
	if _, err := c.Unlock(password); err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(filepath.Join(c.Dir, KeyFile))
	if err != nil {
		return nil, &ContainerError{Dir: c.Dir, File: KeyFile, Err: missingOr(err)}
	}
	files := map[string][]byte{}
	for _, name := range []string{CertFile, CAFile, OperatorFile, OfficeFile} {
		data, err := os.ReadFile(filepath.Join(c.Dir, name))
		if os.IsNotExist(err) && (name == CertFile || name == OfficeFile) {
			continue
		}
		if err != nil {
			return nil, &ContainerError{Dir: c.Dir, File: name, Err: missingOr(err)}
		}
		files[name] = data
	}
	// An uninstalled cert.pem of a pending container (see Load) is left
	// behind: InstallCertificate completes the original, not the copy.
	if c.Manifest.State == StatePending {
		delete(files, CertFile)
	}
	m := c.Manifest
	final, err := buildContainer(dir, &m, keyPEM, files)
	if err != nil {
		return nil, err
	}
	if err := step(stepBackupCopied); err != nil {
		return nil, err
	}
	copied, err := verifyCopy(final, password)
	if err != nil {
		os.RemoveAll(final)
		return nil, fmt.Errorf("media: the copy in %s failed verification and was removed: %w",
			dir, err)
	}
	return copied, nil
}

func verifyCopy(dir string, password []byte) (*Container, error) {
	c, err := Load(dir)
	if err != nil {
		return nil, err
	}
	if _, err := c.Unlock(password); err != nil { // Unlock test-signs
		return nil, err
	}
	return c, nil
}
