package rekeyd

import (
	"context"
	"os"
	"strings"
	"testing"

	"rekey/media"
	"rekey/pki"
)

// TestEnrollMediaWritesOffice: the container made in the office carries
// the operator's office contact from the config, so that the subscriber's
// client can say whom to contact (S7).
func TestEnrollMediaWritesOffice(t *testing.T) {
	e := newEnv(t, testPolicy("ecdsa-p256", "auto", nil))
	root := t.TempDir()
	res, err := e.op.EnrollMedia(context.Background(), &MediaOptions{Root: root,
		Password: []byte("пароль"), Encryption: &pki.KeyEncryptionOptions{Iterations: 16}},
		&Enrollment{Subject: testSubject("ООО Ромашка")})
	if err != nil {
		t.Fatal(err)
	}
	c, err := media.Load(res.Container.Dir)
	if err != nil {
		t.Fatal(err)
	}
	want := media.Office{RU: testOffice.RU, EN: testOffice.EN}
	if c.Office == nil || *c.Office != want {
		t.Errorf("the container's office is %+v, want %+v", c.Office, want)
	}
}

// TestEnrollMediaRefusesUnwritableOffice: an office text that a container
// cannot hold (here, with a terminal escape) is refused before anything
// is generated on the media.
func TestEnrollMediaRefusesUnwritableOffice(t *testing.T) {
	e := newEnv(t, testPolicy("ecdsa-p256", "auto", nil))
	e.op.Config.Operator.Office.EN = "office\x1b[2J"
	root := t.TempDir()
	_, err := e.op.EnrollMedia(context.Background(), &MediaOptions{Root: root,
		Password: []byte("пароль"), Encryption: &pki.KeyEncryptionOptions{Iterations: 16}},
		&Enrollment{Subject: testSubject("ООО Ромашка")})
	if err == nil || !strings.Contains(err.Error(), "operator.office") ||
		!strings.Contains(err.Error(), "control character") {
		t.Errorf("EnrollMedia with a bad office text: %v", err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("the media holds %d entries after the refusal", len(entries))
	}
}
