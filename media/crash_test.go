package media

import (
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"rekey/pki"
)

// The renewal steps of this package in their order, each a crash point.
var crashSteps = []string{
	stepKeyGenerated, stepCreateKeyFile, stepCreateManifest, stepCreateRenamed,
	stepInstallCertTemp, stepInstallCert, stepInstallManifest,
	stepArchiveTemp, stepArchived,
}

var errCrash = errors.New("injected crash")

// renew is the media part of a renewal: a new pending key beside the old
// one, its certificate installed, the old key archived. The CA's issuing
// happens in between, as the operator would.
func renew(t testing.TB, old *Container, ca *testCA) error {
	prof, err := pki.ProfileByName(old.Manifest.Profile)
	if err != nil {
		return err
	}
	o := createOpts(prof, ca)
	o.Replaces = old.ID()
	c, key, _, err := Create(old.Root, o)
	if err != nil {
		return err
	}
	if err := c.InstallCertificate(ca.issue(t, key.Public(), 365)); err != nil {
		return err
	}
	return old.Archive(c.ID())
}

// checkAfterCrash checks the guarantee after a crash: some key of the
// drive signs (the old one until the new one is active), and the renewal
// completes by re-running it: Finish, and the steps that Finish cannot
// redo (generation, installing a certificate never written).
func checkAfterCrash(t *testing.T, root, oldID string, ca *testCA) {
	t.Helper()
	cs := find(t, root)
	old := byID(cs, oldID)
	if old == nil {
		t.Fatal("the old container is gone")
	}
	var next *Container
	for _, c := range cs {
		if c.Manifest.Replaces == oldID {
			next = c
		}
	}
	switch {
	case old.State() == StateActive:
		mustSign(t, old)
	case old.State() == StateArchived && next != nil && next.State() == StateActive:
		mustSign(t, next)
		u, err := old.Unlock(testPassword)
		if err != nil || u.DecryptionKey() == nil {
			t.Errorf("archived key does not open: %v", err)
		}
	default:
		t.Fatalf("old key %s, new key %v: no key may sign", old.State(), next)
	}

	// Recover.
	if _, errs := Finish(cs); len(errs) != 0 {
		t.Fatalf("Finish: %v", errs)
	}
	cs = find(t, root)
	old, next = byID(cs, oldID), nil
	for _, c := range cs {
		if c.Manifest.Replaces == oldID {
			next = c
		}
	}
	switch {
	case next == nil: // crashed before the container was in place
		if err := renew(t, old, ca); err != nil {
			t.Fatalf("renewing again: %v", err)
		}
	case next.State() == StatePending: // the certificate never got written
		u, err := next.Unlock(testPassword)
		if err != nil {
			t.Fatal(err)
		}
		if err := next.InstallCertificate(ca.issue(t, u.Public(), 365)); err != nil {
			t.Fatalf("installing again: %v", err)
		}
		if _, errs := Finish(find(t, root)); len(errs) != 0 {
			t.Fatalf("Finish: %v", errs)
		}
	}
	cs = find(t, root)
	old = byID(cs, oldID)
	if old.State() != StateArchived || byID(cs, old.Manifest.Successor) == nil {
		t.Fatalf("after recovery the old key is %s with successor %q", old.State(), old.Manifest.Successor)
	}
	next = byID(cs, old.Manifest.Successor)
	if next.State() != StateActive || next.Manifest.Replaces != oldID {
		t.Fatalf("after recovery the new key is %s", next.State())
	}
	mustSign(t, next)
	active := 0
	for _, c := range cs {
		if c.State() == StateActive {
			active++
		}
	}
	if active != 1 {
		t.Errorf("%d active keys after recovery, want 1", active)
	}
}

// TestCrashInjected fails each step of a renewal in turn, as a crash
// would (nothing is cleaned up), and checks the guarantee.
func TestCrashInjected(t *testing.T) {
	for _, prof := range []*pki.Profile{pki.ProfileGOST256, pki.ProfileECDSA} {
		ca := newCA(t, prof, "УЦ")
		for _, at := range crashSteps {
			t.Run(prof.Name+"/"+at, func(t *testing.T) {
				root := t.TempDir()
				old := enrolled(t, root, prof, ca)
				crashHook = func(s string) error {
					if s == at {
						return errCrash
					}
					return nil
				}
				err := renew(t, old, ca)
				crashHook = nil
				if !errors.Is(err, errCrash) {
					t.Fatalf("renew: %v, want the injected crash", err)
				}
				checkAfterCrash(t, root, old.ID(), ca)
			})
		}
	}
}

// Environment of the child process of TestCrashKilled.
const (
	envCrashAt   = "REKEY_MEDIA_TEST_CRASH_AT"
	envCrashRoot = "REKEY_MEDIA_TEST_CRASH_ROOT"
)

func TestMain(m *testing.M) {
	if at := os.Getenv(envCrashAt); at != "" {
		os.Exit(crashChild(at, os.Getenv(envCrashRoot)))
	}
	os.Exit(m.Run())
}

// crashChild renews the key of root/old with the CA of root/ca.pem and
// root/ca.key and kills itself with SIGKILL at step at.
func crashChild(at, dir string) int {
	crashHook = func(s string) error {
		if s == at {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
		return nil
	}
	ca, err := loadCA(dir)
	if err == nil {
		var old *Container
		old, err = Load(filepath.Join(dir, "drive", mustRead(dir, "old-id")+ContainerSuffix))
		if err == nil {
			err = renew(&testing.T{}, old, ca)
		}
	}
	fmt.Fprintf(os.Stderr, "child was not killed at %s: %v\n", at, err)
	return 3
}

func mustRead(dir, name string) string {
	b, _ := os.ReadFile(filepath.Join(dir, name))
	return string(b)
}

func loadCA(dir string) (*testCA, error) {
	b, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	cert, err := pki.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, err
	}
	kb, err := os.ReadFile(filepath.Join(dir, "ca.key"))
	if err != nil {
		return nil, err
	}
	key, err := pki.ParsePrivateKeyPEM(kb, nil)
	if err != nil {
		return nil, err
	}
	return &testCA{cert, key}, nil
}

// TestCrashKilled runs the renewal in a child process killed with
// SIGKILL at each step, then checks the guarantee on what it left.
func TestCrashKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process per step")
	}
	prof := pki.ProfileGOST256
	ca := newCA(t, prof, "УЦ")
	for _, at := range crashSteps {
		t.Run(at, func(t *testing.T) {
			dir := t.TempDir()
			drive := filepath.Join(dir, "drive")
			os.Mkdir(drive, 0o700)
			old := enrolled(t, drive, prof, ca)
			writePEM(t, filepath.Join(dir, "ca.pem"), "CERTIFICATE", ca.cert.Raw)
			keyPEM, _, err := pki.MarshalPrivateKeyPEM(ca.key, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, "ca.key"), keyPEM, 0o600)
			os.WriteFile(filepath.Join(dir, "old-id"), []byte(old.ID()), 0o600)

			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), envCrashAt+"="+at, envCrashRoot+"="+dir)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child: %v, want killed by SIGKILL; output:\n%s", err, out)
			}
			checkAfterCrash(t, drive, old.ID(), ca)
		})
	}
}
