package operator

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"rekey/cmp"
	"rekey/pki"
)

// wantRefusal checks that err is the refusal reason with failure bit f, in
// both languages, naming the office when office is set, and that it was
// audited.
func (e *env) wantRefusal(err error, reason Reason, f cmp.FailureInfo, office bool) {
	e.t.Helper()
	r := IsRefusal(err)
	if r == nil {
		e.t.Fatalf("err = %v, want the refusal %s", err, reason)
	}
	if r.Reason != reason || r.Failure != f {
		e.t.Errorf("refusal %s (%s), want %s (%s)", r.Reason, r.Failure, reason, f)
	}
	if !hasCyrillic(r.RU) || r.EN == "" || hasCyrillic(r.EN) {
		e.t.Errorf("texts: ru %q, en %q", r.RU, r.EN)
	}
	cfg := e.ca.Config()
	got := strings.Contains(r.RU, cfg.Office.RU) && strings.Contains(r.EN, cfg.Office.EN)
	if got != office {
		e.t.Errorf("office contact in the texts = %v, want %v:\nru: %s\nen: %s",
			got, office, r.RU, r.EN)
	}
	var cr *cmp.Refusal
	if !errors.As(err, &cr) || cr.Failure != f || cr.RU != r.RU || cr.EN != r.EN {
		e.t.Errorf("as a cmp.Refusal: %+v", cr)
	}
	if a := e.store.actions(); len(a) == 0 || a[len(a)-1] != AuditRenewalRefused {
		e.t.Errorf("audit actions = %q, want %s last", a, AuditRenewalRefused)
	}
}

func hasCyrillic(s string) bool {
	for _, r := range s {
		if r >= 'А' && r <= 'я' {
			return true
		}
	}
	return false
}

// check runs the policy at the clock's time.
func (e *env) check(ku *KeyUpdate) (*Accepted, error) {
	return e.policy.Check(context.Background(), ku)
}

func TestRefuseExpiredCertificate(t *testing.T) {
	e := newEnv(t, testConfig("gost2012-256"))
	current := e.enroll(e.newKey(), time.Time{})
	e.clock.Set(current.NotAfter.Add(time.Minute))
	_, err := e.check(e.kur(current, e.newKey()))
	e.wantRefusal(err, ReasonExpired, cmp.FailSignerNotTrusted, true)
	day := current.NotAfter.In(e.ca.loc).Format("02.01.2006")
	if r := IsRefusal(err); !strings.Contains(r.RU, day) {
		t.Errorf("the text does not give the date: %s", r.RU)
	}
}

func TestRefuseExpiredKeyUsagePeriod(t *testing.T) {
	cfg := testConfig("gost2012-256")
	cfg.KeyUsagePeriod = Duration(90 * 24 * time.Hour)
	e := newEnv(t, cfg)
	current := e.enroll(e.newKey(), time.Time{})
	e.clock.Set(current.KeyExpires().Add(24 * time.Hour)) // certificate still valid
	_, err := e.check(e.kur(current, e.newKey()))
	e.wantRefusal(err, ReasonExpired, cmp.FailSignerNotTrusted, true)
}

// keyLastDayMoscow is the last moment of 10 December 2026 in Moscow
// (UTC+3), which is still 9 December until 21:00 UTC.
var keyLastDayMoscow = time.Date(2026, 12, 10, 20, 59, 59, 0, time.UTC)

func TestRefuseLastDayInMoscow(t *testing.T) {
	// At 23:30 UTC on 9 December it is 02:30 on 10 December in Moscow:
	// the key's last day there, though not yet in UTC.
	at := time.Date(2026, 12, 9, 23, 30, 0, 0, time.UTC)
	for _, tz := range []string{"Europe/Moscow", "UTC"} {
		t.Run(tz, func(t *testing.T) {
			cfg := testConfig("gost2012-256")
			cfg.TimeZone = tz
			e := newEnv(t, cfg)
			current := e.enroll(e.newKey(), keyLastDayMoscow)
			if !current.KeyExpires().Equal(keyLastDayMoscow) {
				t.Fatalf("KeyExpires = %v", current.KeyExpires())
			}
			e.clock.Set(at)
			_, err := e.check(e.kur(current, e.newKey()))
			if tz == "UTC" {
				if err != nil {
					t.Fatalf("in UTC it is the day before the last: %v", err)
				}
				return
			}
			e.wantRefusal(err, ReasonLastDay, cmp.FailNotAuthorized, true)
			if r := IsRefusal(err); !strings.Contains(r.RU, "10.12.2026") ||
				!strings.Contains(r.EN, "10 December 2026") {
				t.Errorf("texts do not name the day: %s / %s", r.RU, r.EN)
			}
		})
	}
}

func TestAcceptDayBeforeLastDayInMoscow(t *testing.T) {
	e := newEnv(t, testConfig("gost2012-256"))
	current := e.enroll(e.newKey(), keyLastDayMoscow)
	e.clock.Set(time.Date(2026, 12, 9, 20, 59, 0, 0, time.UTC)) // 23:59 on the 9th in Moscow
	if _, err := e.check(e.kur(current, e.newKey())); err != nil {
		t.Fatalf("the day before the last: %v", err)
	}
}

func TestRefuseRevoked(t *testing.T) {
	e := newEnv(t, testConfig("ecdsa-p256"))
	current := e.enroll(e.newKey(), time.Time{})
	e.store.revoke(current.SerialNumber)
	_, err := e.check(e.kur(current, e.newKey()))
	e.wantRefusal(err, ReasonRevoked, cmp.FailCertRevoked, true)
}

func TestRefuseOtherCA(t *testing.T) {
	e := newEnv(t, testConfig("gost2012-256"))
	other := newEnv(t, testConfig("gost2012-256")) // same name, another key
	current := other.enroll(other.newKey(), time.Time{})
	_, err := e.check(e.kur(current, e.newKey()))
	e.wantRefusal(err, ReasonOtherCA, cmp.FailSignerNotTrusted, true)
}

func TestRefuseCertificateNotInRegister(t *testing.T) {
	e := newEnv(t, testConfig("gost2012-256"))
	// The same CA key and certificate with another register: a certificate
	// this CA's key signed but the register does not know.
	detached, err := NewCA(e.ca.cert.Raw, e.key, newMemStore(),
		Options{Config: e.ca.cfg, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	k := e.newKey()
	iss, err := detached.Issue(context.Background(), &IssueRequest{Subject: testSubject(),
		PublicKey: k.Public()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.check(e.kur(iss.Certificate, e.newKey()))
	e.wantRefusal(err, ReasonUnknownCertificate, cmp.FailSignerNotTrusted, true)
}

func TestRefuseNoCertificate(t *testing.T) {
	e := newEnv(t, testConfig("gost2012-256"))
	_, err := e.check(&KeyUpdate{POPVerified: true})
	e.wantRefusal(err, ReasonNoCertificate, cmp.FailBadRequest, false)
}

func TestRefuseSubjectChanged(t *testing.T) {
	e := newEnv(t, testConfig("gost2012-256"))
	current := e.enroll(e.newKey(), time.Time{})
	changed := testSubject()
	changed.INNLE = "7736050003" // a valid INN, but not the holder's
	dn, err := changed.MarshalDN()
	if err != nil {
		t.Fatal(err)
	}
	ku := e.kur(current, e.newKey())
	ku.Msg.CertReq.Template.Subject = dn
	ku.Msg.CertReq.Template.PublicKey = nil
	if err := ku.Msg.SignPOP(e.newKey(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	_, err = e.check(ku)
	e.wantRefusal(err, ReasonSubjectChanged, cmp.FailBadCertTemplate, true)
	if r := IsRefusal(err); !strings.Contains(r.RU, "ИНН") || !strings.Contains(r.EN, "INN") {
		t.Errorf("texts: %s / %s", r.RU, r.EN)
	}
}

func TestAcceptTemplateWithoutSubject(t *testing.T) {
	e := newEnv(t, testConfig("gost2012-256"))
	current := e.enroll(e.newKey(), time.Time{})
	ku := e.kur(current, e.newKey())
	ku.Msg.CertReq.Template.Subject = nil // absent: the current subject is kept
	ku.Msg.CertReq.Template.PublicKey = nil
	if err := ku.Msg.SignPOP(e.newKey(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if _, err := e.check(ku); err != nil {
		t.Fatalf("template without a subject: %v", err)
	}
	ku = e.kur(current, e.newKey())
	ku.Msg.CertReq.Template.Subject = []byte{0x30, 0x00} // the empty Name
	ku.Msg.CertReq.Template.PublicKey = nil
	if err := ku.Msg.SignPOP(e.newKey(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if _, err := e.check(ku); err != nil {
		t.Fatalf("template with an empty subject: %v", err)
	}
}

func TestRefuseBadPOP(t *testing.T) {
	e := newEnv(t, testConfig("gost2012-256"))
	current := e.enroll(e.newKey(), time.Time{})
	ku := e.kur(current, e.newKey())
	ku.Msg.POP.Signature.Signature[3] ^= 1
	_, err := e.check(ku)
	e.wantRefusal(err, ReasonBadPOP, cmp.FailBadPOP, false)

	spki, _ := pki.MarshalPKIXPublicKey(e.newKey().Public())
	_, err = e.check(&KeyUpdate{Current: current, Template: cmp.CertTemplate{PublicKey: spki}})
	e.wantRefusal(err, ReasonBadPOP, cmp.FailBadPOP, false)
}

func TestRefuseSameKeyAsCurrent(t *testing.T) {
	for _, name := range []string{"gost2012-256", "ecdsa-p256"} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, testConfig(name))
			key := e.newKey()
			current := e.enroll(key, time.Time{})
			_, err := e.check(e.kur(current, key))
			e.wantRefusal(err, ReasonSameKey, cmp.FailBadCertTemplate, false)
		})
	}
}

func TestRefuseKeyCertifiedBefore(t *testing.T) {
	for _, name := range []string{"gost2012-256", "ecdsa-p256"} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, testConfig(name))
			current := e.enroll(e.newKey(), time.Time{})
			keyOfAnotherCertificate := e.newKey()
			e.enroll(keyOfAnotherCertificate, time.Time{})
			_, err := e.check(e.kur(current, keyOfAnotherCertificate))
			e.wantRefusal(err, ReasonKeyReused, cmp.FailBadCertTemplate, false)
		})
	}
}

func TestRefuseKeyAlgorithm(t *testing.T) {
	gostB, _ := pki.ProfileGOST256.WithParamSet("B")
	gost512, _ := pki.ProfileGOST512.GenerateKey(nil)
	keyOnSetB, _ := gostB.GenerateKey(nil)
	keyECDSA, _ := pki.ProfileECDSA.GenerateKey(nil)
	keyP384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	tests := []struct {
		name        string
		profile     string
		keyProfiles []string
		key         crypto.Signer
	}{
		{"GOST set B where only A is allowed", "gost2012-256", []string{"gost2012-256:A"},
			keyOnSetB},
		{"GOST 512 to a 256-only CA", "gost2012-256", nil, gost512},
		{"ECDSA key to a GOST CA", "gost2012-256", nil, keyECDSA},
		{"ECDSA P-384", "ecdsa-p256", nil, keyP384},
		{"GOST key to an ECDSA CA", "ecdsa-p256", nil, keyOnSetB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(tt.profile)
			if tt.keyProfiles != nil {
				cfg.KeyProfiles = tt.keyProfiles
			}
			e := newEnv(t, cfg)
			current := e.enroll(e.newKey(), time.Time{})
			spki, err := pki.MarshalPKIXPublicKey(tt.key.Public())
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.check(&KeyUpdate{Current: current, POPVerified: true,
				Template: cmp.CertTemplate{PublicKey: spki}})
			e.wantRefusal(err, ReasonKeyAlgorithm, cmp.FailBadAlg, false)
			if r := IsRefusal(err); !strings.Contains(r.EN, cfg.KeyProfiles[0]) {
				t.Errorf("the text does not name the accepted keys: %s", r.EN)
			}
		})
	}
}

func TestRefuseRateLimit(t *testing.T) {
	cfg := testConfig("ecdsa-p256")
	cfg.RateLimitPerDay = 2
	e := newEnv(t, cfg)
	current := e.enroll(e.newKey(), time.Time{})
	e.clock.Set(t0.AddDate(0, 6, 0))
	for i := range 2 {
		if _, err := e.check(e.kur(current, e.newKey())); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	_, err := e.check(e.kur(current, e.newKey()))
	e.wantRefusal(err, ReasonRateLimited, cmp.FailNotAuthorized, false)
	if r := IsRefusal(err); !strings.Contains(r.RU, "(2)") || !strings.Contains(r.EN, "tomorrow") {
		t.Errorf("texts: %s / %s", r.RU, r.EN)
	}
	e.clock.Set(t0.AddDate(0, 6, 1))
	if _, err := e.check(e.kur(current, e.newKey())); err != nil {
		t.Fatalf("next day: %v", err)
	}
}

func TestAcceptAndIssue(t *testing.T) {
	for _, name := range []string{"gost2012-256", "gost2012-512", "ecdsa-p256"} {
		for _, mode := range []string{ApprovalAuto, ApprovalManual} {
			t.Run(name+"/"+mode, func(t *testing.T) {
				cfg := testConfig(name)
				cfg.Approval = mode
				e := newEnv(t, cfg)
				current := e.enroll(e.newKey(), time.Time{})
				e.clock.Set(t0.AddDate(0, 10, 0))
				newKey := e.newKey()
				a, err := e.check(e.kur(current, newKey))
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				if a.Approval != mode || a.CheckAfter != DefaultCheckAfter {
					t.Errorf("approval %q, checkAfter %v", a.Approval, a.CheckAfter)
				}
				if a.SubscriberID != 1 || !bytes.Equal(a.Current.DER, current.Raw) {
					t.Errorf("accepted for subscriber %d", a.SubscriberID)
				}
				if acts := e.store.actions(); acts[len(acts)-1] != AuditRenewalAccepted {
					t.Errorf("audit actions = %q", acts)
				}
				// Auto issues at once; manual issues once an operator
				// approves. Both end in the same issuance.
				iss, err := e.ca.Issue(context.Background(), a.IssueRequest(100, "policy"))
				if err != nil {
					t.Fatalf("Issue: %v", err)
				}
				c := iss.Certificate
				if !bytes.Equal(c.RawSubject, current.RawSubject) {
					t.Error("the subject is not copied byte for byte")
				}
				if !c.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(newKey.Public()) {
					t.Error("the certificate is not for the new key")
				}
				if _, err := pki.Verify(c, pki.VerifyOptions{
					Roots: []*pki.Certificate{e.ca.cert}, At: e.clock.Now()}); err != nil {
					t.Errorf("Verify: %v", err)
				}
				// The new key is now certified: it cannot be offered again.
				_, err = e.check(e.kur(current, newKey))
				e.wantRefusal(err, ReasonKeyReused, cmp.FailBadCertTemplate, false)
			})
		}
	}
}
