package operator

import (
	"bytes"
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"rekey/pki"
	"rekey/store"
)

var profileNames = []string{"gost2012-256", "gost2012-512", "ecdsa-p256"}

func TestIssueOrder(t *testing.T) {
	for _, name := range profileNames {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, testConfig(name))
			e.enroll(e.newKey(), time.Time{})
			want := []string{"reserve", "audit:sign.before", "sign", "record", "audit:sign.after"}
			if !slices.Equal(e.store.calls, want) {
				t.Errorf("calls = %q, want %q", e.store.calls, want)
			}
		})
	}
}

func TestIssueCertificate(t *testing.T) {
	for _, name := range profileNames {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(name)
			cfg.KeyUsagePeriod = Duration(300 * 24 * time.Hour)
			cfg.CRLURL = "http://ca.example.ru/ca.crl"
			cfg.Policies = []string{"1.2.643.100.113.1"}
			cfg.SubjectSignTool = "СКЗИ \"Тест\""
			cfg.IssuerSignTool = &IssuerSignTool{SignTool: "СКЗИ", CATool: "rekeyd",
				SignToolCert: "СФ/124-0000", CAToolCert: "СФ/128-0000"}
			e := newEnv(t, cfg)
			c := e.enroll(e.newKey(), time.Time{})

			if _, err := pki.Verify(c, pki.VerifyOptions{Roots: []*pki.Certificate{e.ca.cert},
				At: t0}); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if n := len(SerialBytes(c.SerialNumber)); n != 20 {
				t.Errorf("serial is %d octets, want 20", n)
			}
			if got, want := c.NotBefore, t0.Add(-DefaultBackdate); !got.Equal(want) {
				t.Errorf("notBefore = %v, want %v", got, want)
			}
			if got, want := c.NotAfter, t0.Add(DefaultLifetime); !got.Equal(want) {
				t.Errorf("notAfter = %v, want %v", got, want)
			}
			if got, want := c.KeyExpires(), c.NotBefore.Add(300*24*time.Hour); !got.Equal(want) {
				t.Errorf("KeyExpires = %v, want %v", got, want)
			}
			x := c.Extensions
			if x.SubjectSignTool != cfg.SubjectSignTool ||
				x.IssuerSignTool.CAToolCert != cfg.IssuerSignTool.CAToolCert ||
				!slices.Equal(x.CRLDistributionPoints, []string{cfg.CRLURL}) ||
				len(x.Policies) != 1 || x.KeyUsage&x509.KeyUsageCertSign != 0 {
				t.Errorf("extensions = %+v", x)
			}
			if !bytes.Equal(x.AuthorityKeyID, e.ca.cert.Extensions.SubjectKeyID) {
				t.Error("authority key identifier is not the CA's key identifier")
			}
		})
	}
}

func TestIssueAuditRecords(t *testing.T) {
	e := newEnv(t, testConfig("gost2012-256"))
	_, err := e.ca.Issue(context.Background(), &IssueRequest{SubscriberID: 3,
		Subject: testSubject(), PublicKey: e.newKey().Public(),
		RequestHash: []byte{0xde, 0xad}, Actor: "office"})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.store.actions(); !slices.Equal(got, []string{AuditSignBefore, AuditSignAfter}) {
		t.Fatalf("audit actions = %q", got)
	}
	for i, rec := range e.store.audit {
		var ev auditEvent
		if err := json.Unmarshal(rec.Details, &ev); err != nil {
			t.Fatal(err)
		}
		if len(ev.Serial) != 40 || ev.Profile != "gost2012-256" || ev.RequestHash != "dead" ||
			!strings.Contains(ev.Issuer, "Test CA") || rec.Actor != "office" ||
			rec.Object != "serial:"+ev.Serial {
			t.Errorf("record %d = %+v, details %+v", i, rec, ev)
		}
		if (ev.CertSHA256 != "") != (rec.Action == AuditSignAfter) {
			t.Errorf("record %d: cert hash %q", i, ev.CertSHA256)
		}
	}
}

func TestIssuanceTokenSingleUse(t *testing.T) {
	e := newEnv(t, testConfig("ecdsa-p256"))
	serial, _ := e.ca.newSerial()
	tmpl, err := e.ca.buildTemplate(&IssueRequest{Subject: testSubject(),
		PublicKey: e.newKey().Public()}, serial, t0)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.ca.prepare(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tok.sign(); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if _, err := tok.sign(); !errors.Is(err, errTokenUsed) {
		t.Fatalf("second use: err = %v, want errTokenUsed", err)
	}
	tmpl.NotAfter = tmpl.NotAfter.Add(time.Hour) // a change after prepare is not signed
	if tok.template().NotAfter.Equal(tmpl.NotAfter) {
		t.Error("the token shares the caller's template")
	}
}

func TestOnceSignerRefusesSecondSignature(t *testing.T) {
	e := newEnv(t, testConfig("ecdsa-p256"))
	s := &onceSigner{Signer: e.key}
	d := make([]byte, 32)
	if _, err := s.Sign(nil, d, signerOpts(e.profile)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sign(nil, d, signerOpts(e.profile)); !errors.Is(err, errTokenUsed) {
		t.Fatalf("err = %v, want errTokenUsed", err)
	}
}

func TestIssueWrongSignatureYieldsNothing(t *testing.T) {
	for _, name := range profileNames {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(name)
			profile, _ := pki.ProfileByName(name)
			key, _ := profile.GenerateKey(nil)
			m := newMemStore()
			corrupting := &signerCorruptsAfterSelfTest{Signer: key}
			ca, err := NewCA(newCACert(t, key, "Test CA"), corrupting,
				m, Options{Config: cfg, Now: func() time.Time { return t0 }})
			if err != nil {
				t.Fatalf("NewCA: %v", err)
			}
			k, _ := profile.GenerateKey(nil)
			iss, err := ca.Issue(context.Background(), &IssueRequest{Subject: testSubject(),
				PublicKey: k.Public()})
			if err == nil || iss != nil {
				t.Fatalf("Issue = %v, %v; want an error", iss, err)
			}
			if len(m.certs) != 0 {
				t.Error("a certificate was recorded")
			}
			if got := m.actions(); !slices.Equal(got, []string{AuditSignBefore, AuditSignFailed}) {
				t.Errorf("audit actions = %q", got)
			}
		})
	}
}

func TestCheckIssuedDetectsTBSMismatch(t *testing.T) {
	e := newEnv(t, testConfig("gost2012-256"))
	serial, _ := e.ca.newSerial()
	tmpl, err := e.ca.buildTemplate(&IssueRequest{Subject: testSubject(),
		PublicKey: e.newKey().Public()}, serial, t0)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.ca.prepare(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	der, err := tok.sign()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.ca.checkIssued(tmpl, der); err != nil {
		t.Fatalf("unchanged template: %v", err)
	}
	other := testSubject()
	other.INNLE = "7736050003"
	otherDN, _ := other.MarshalDN()
	tests := []struct {
		field  string
		change func(*pki.Template)
	}{
		{"serial number", func(t *pki.Template) { t.SerialNumber.Add(t.SerialNumber, one) }},
		{"subject", func(t *pki.Template) { t.RawSubject = otherDN }},
		{"notBefore", func(t *pki.Template) { t.NotBefore = t.NotBefore.Add(time.Second) }},
		{"notAfter", func(t *pki.Template) { t.NotAfter = t.NotAfter.Add(time.Hour) }},
		{"key usage", func(t *pki.Template) {
			t.Extensions.KeyUsage = x509.KeyUsageDigitalSignature
		}},
		{"CRL distribution points", func(t *pki.Template) {
			t.Extensions.CRLDistributionPoints = []string{"http://x/"}
		}},
		{"subjectSignTool", func(t *pki.Template) { t.Extensions.SubjectSignTool = "other" }},
	}
	for _, tt := range tests {
		changed := cloneTemplate(tmpl)
		tt.change(changed)
		_, err := e.ca.checkIssued(changed, der)
		if err == nil || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s changed: err = %v", tt.field, err)
		}
	}
	// A broken signature never reaches checkIssued: see
	// TestIssueWrongSignatureYieldsNothing.
}

func TestValidateTemplateRefuses(t *testing.T) {
	e := newEnv(t, testConfig("gost2012-256"))
	ecdsaKey, _ := pki.ProfileECDSA.GenerateKey(nil)
	ecdsaSPKI, _ := pki.MarshalPKIXPublicKey(ecdsaKey.Public())
	caSPKI, _ := pki.MarshalPKIXPublicKey(e.key.Public())
	tests := []struct {
		name   string
		change func(*pki.Template)
	}{
		{"serial zero", func(t *pki.Template) { t.SerialNumber.SetInt64(0) }},
		{"serial 21 octets", func(t *pki.Template) { t.SerialNumber.Lsh(t.SerialNumber, 8) }},
		{"CA flag", func(t *pki.Template) {
			t.Extensions.BasicConstraints = &pki.BasicConstraints{IsCA: true}
		}},
		{"certSign usage", func(t *pki.Template) {
			t.Extensions.KeyUsage |= x509.KeyUsageCertSign
		}},
		{"lifetime too long", func(t *pki.Template) { t.NotAfter = t.NotAfter.AddDate(0, 1, 0) }},
		{"beyond the CA", func(t *pki.Template) { t.NotAfter = t0.AddDate(6, 0, 0) }},
		{"inverted", func(t *pki.Template) { t.NotAfter = t.NotBefore.Add(-time.Second) }},
		{"key not allowed", func(t *pki.Template) { t.RawSubjectPublicKeyInfo = ecdsaSPKI }},
		{"CA's own key", func(t *pki.Template) { t.RawSubjectPublicKeyInfo = caSPKI }},
		{"invalid subject", func(t *pki.Template) { t.Subject.INNLE = "7707083894" }},
		{"unknown extension", func(t *pki.Template) {
			t.Extensions.Extra = append(t.Extensions.Extra, pkixExt())
		}},
	}
	for _, tt := range tests {
		serial, _ := e.ca.newSerial()
		tmpl, err := e.ca.buildTemplate(&IssueRequest{Subject: testSubject(),
			PublicKey: e.newKey().Public()}, serial, t0)
		if err != nil {
			t.Fatal(err)
		}
		tt.change(tmpl)
		if _, err := e.ca.prepare(tmpl); err == nil {
			t.Errorf("%s: prepare accepted the template", tt.name)
		}
	}
}

func TestIssueRetryReturnsSameCertificate(t *testing.T) {
	e := newEnv(t, testConfig("ecdsa-p256"))
	req := &IssueRequest{SubscriberID: 1, RequestID: 42, Subject: testSubject(),
		PublicKey: e.newKey().Public(), Actor: "policy"}
	first, err := e.ca.Issue(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	e.store.resetCalls()
	second, err := e.ca.Issue(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Again || !bytes.Equal(first.DER, second.DER) {
		t.Errorf("retry: Again = %v, same certificate = %v", second.Again,
			bytes.Equal(first.DER, second.DER))
	}
	if slices.Contains(e.store.calls, "sign") || slices.Contains(e.store.calls, "reserve") {
		t.Errorf("retry signed or reserved again: %q", e.store.calls)
	}
}

func TestIssueReusesSerialReservedBeforeCrash(t *testing.T) {
	e := newEnv(t, testConfig("gost2012-256"))
	serial, _ := e.ca.newSerial()
	r := &store.Reservation{Serial: SerialBytes(serial), Issuer: e.ca.cert.RawSubject,
		RequestID: 7, ReservedAt: t0}
	if err := e.store.ReserveSerial(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	e.store.resetCalls()
	iss, err := e.ca.Issue(context.Background(), &IssueRequest{SubscriberID: 1, RequestID: 7,
		Subject: testSubject(), PublicKey: e.newKey().Public()})
	if err != nil {
		t.Fatal(err)
	}
	if iss.Certificate.SerialNumber.Cmp(serial) != 0 {
		t.Errorf("serial %x, want the reserved %x", iss.Certificate.SerialNumber, serial)
	}
	if slices.Contains(e.store.calls, "reserve") {
		t.Error("a second serial was reserved")
	}
}

func TestIssueRecordFailureKeepsNoCertificate(t *testing.T) {
	e := newEnv(t, testConfig("ecdsa-p256"))
	e.store.failRecord = errors.New("database is locked")
	iss, err := e.ca.Issue(context.Background(), &IssueRequest{Subject: testSubject(),
		PublicKey: e.newKey().Public()})
	if err == nil || iss != nil {
		t.Fatalf("Issue = %v, %v", iss, err)
	}
	if got := e.store.actions(); !slices.Equal(got, []string{AuditSignBefore, AuditSignDiscarded}) {
		t.Errorf("audit actions = %q", got)
	}
}

func TestIssueAuditBeforeFailureSignsNothing(t *testing.T) {
	e := newEnv(t, testConfig("ecdsa-p256"))
	e.store.failAudit = AuditSignBefore
	if _, err := e.ca.Issue(context.Background(), &IssueRequest{Subject: testSubject(),
		PublicKey: e.newKey().Public()}); err == nil {
		t.Fatal("Issue succeeded without its audit record")
	}
	if slices.Contains(e.store.calls, "sign") {
		t.Errorf("signed without an audit record: %q", e.store.calls)
	}
}

func TestSerialBytes(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"01", "01"}, {"7f", "7f"}, {"80", "0080"}, {"ff00", "00ff00"},
	} {
		n, _ := new(big.Int).SetString(tt.in, 16)
		if got := hex.EncodeToString(SerialBytes(n)); got != tt.want {
			t.Errorf("SerialBytes(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

var one = big.NewInt(1)

func pkixExt() pkix.Extension {
	return pkix.Extension{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Value: []byte{5, 0}}
}

func TestIssueLosingRaceForRequestWaits(t *testing.T) {
	e := newEnv(t, testConfig("ecdsa-p256"))
	other, _ := e.ca.newSerial()
	e.store.raceReserve = func() {
		r := &store.Reservation{Serial: SerialBytes(other), Issuer: e.ca.cert.RawSubject,
			RequestID: 5, ReservedAt: t0}
		if err := e.store.ReserveSerial(context.Background(), r); err != nil {
			t.Error(err)
		}
	}
	_, err := e.ca.Issue(context.Background(), &IssueRequest{SubscriberID: 1, RequestID: 5,
		Subject: testSubject(), PublicKey: e.newKey().Public()})
	if !errors.Is(err, ErrInProgress) {
		t.Fatalf("err = %v, want ErrInProgress", err)
	}
	if slices.Contains(e.store.calls, "sign") {
		t.Error("signed after losing the reservation")
	}
}
