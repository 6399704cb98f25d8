package rekeyd

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"rekey/cmp"
	"rekey/operator"
	"rekey/pki"
)

// The refusals of the renewal policy, one test each: the PKIFailureInfo
// bit and the Russian and English texts the subscriber reads.

func TestRefuseForeignCA(t *testing.T) {
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	other := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	s := other.enroll("ООО Ромашка", time.Time{})
	_, err := e.kur(s, e.newKey())
	// The CMP layer refuses before the policy: the chain does not verify.
	// It keeps its failure bits and takes the operator's texts.
	wantRefusal(t, err, cmp.FailSignerNotTrusted,
		"выдан другим удостоверяющим центром", "issued by another certification authority")
	var se *cmp.ServerError
	if want := cmp.FailSignerNotTrusted | cmp.FailBadMessageCheck; !errors.As(err, &se) ||
		se.Failure() != want {
		t.Errorf("failure %v, want %s", err, want)
	}
	wantRefusal(t, err, cmp.FailSignerNotTrusted, testOffice.RU, testOffice.EN)
	wantRefusal(t, err, cmp.FailBadMessageCheck, "только в офисе", "only be replaced in the office")
}

// TestRefuseExpiredCertificate: the certificate itself is over, which the
// CMP layer finds before the policy, worded by the operator.
func TestRefuseExpiredCertificate(t *testing.T) {
	e := newEnv(t, testPolicy("gost2012-256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", t0.Add(20*24*time.Hour))
	e.clock.Set(t0.Add(40 * 24 * time.Hour))
	_, err := e.kur(s, e.newKey())
	wantRefusal(t, err, cmp.FailSignerNotTrusted, "истёк 30.06.2026", "expired on 30 June 2026")
	wantRefusal(t, err, cmp.FailBadMessageCheck, testOffice.RU, testOffice.EN)
}

func TestRefuseRevoked(t *testing.T) {
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	serial := operator.SerialBytes(s.cert.SerialNumber)
	if _, err := e.op.Revoke(context.Background(), serial, 1, "office"); err != nil {
		t.Fatal(err)
	}
	_, err := e.kur(s, e.newKey())
	wantRefusal(t, err, cmp.FailCertRevoked, "отозван", "revoked")
	wantRefusal(t, err, cmp.FailCertRevoked, "только в офисе", "only be replaced in the office")
	wantRefusal(t, err, cmp.FailCertRevoked, testOffice.RU, testOffice.EN)
	e.verifyAudit(AuditRevokeBefore, AuditRevokeAfter, AuditCMPRefused)
}

// TestRefuseExpiredKey: the certificate is valid, but its key's usage
// period (privateKeyUsagePeriod) is over.
func TestRefuseExpiredKey(t *testing.T) {
	e := newEnv(t, testPolicy("gost2012-256", operator.ApprovalAuto, func(c *operator.Config) {
		c.KeyUsagePeriod = operator.Duration(30 * 24 * time.Hour)
	}))
	s := e.enroll("ООО Ромашка", time.Time{})
	e.clock.Set(t0.Add(40 * 24 * time.Hour))
	_, err := e.kur(s, e.newKey())
	wantRefusal(t, err, cmp.FailSignerNotTrusted, "истёк", "expired on")
	wantRefusal(t, err, cmp.FailSignerNotTrusted, testOffice.RU, testOffice.EN)
}

// TestRefuseLastDay: on the key's last day in Moscow only the office
// renews (S5), even a few hours before the end.
func TestRefuseLastDay(t *testing.T) {
	e := newEnv(t, testPolicy("gost2012-256", operator.ApprovalAuto, nil))
	end := t0.Add(30 * 24 * time.Hour) // 12:00 in Moscow
	s := e.enroll("ООО Ромашка", end)
	e.clock.Set(end.Add(-8 * time.Hour)) // 04:00 in Moscow, the same day; 01:00 UTC
	_, err := e.kur(s, e.newKey())
	wantRefusal(t, err, cmp.FailNotAuthorized, "последний день", "last day")
	wantRefusal(t, err, cmp.FailNotAuthorized, testOffice.RU, testOffice.EN)

	// The day before (in Moscow) is still allowed.
	e.clock.Set(end.Add(-13 * time.Hour)) // 23:00 in Moscow the day before
	if _, err := e.kur(s, e.newKey()); err != nil {
		t.Errorf("the day before the last: %v", err)
	}
}

func TestRefuseSubjectChanged(t *testing.T) {
	e := newEnv(t, testPolicy("gost2012-256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	changed := testSubject("ООО Ромашка")
	changed.Surname = "Петров"
	dn, err := changed.MarshalDN()
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.client.UpdateKey(context.Background(), &cmp.KeyUpdateOptions{Current: s.cert,
		CurrentKey: s.key, NewKey: e.newKey(), Subject: dn})
	wantRefusal(t, err, cmp.FailBadCertTemplate, "отличаются", "differ")
	wantRefusal(t, err, cmp.FailBadCertTemplate, testOffice.RU, testOffice.EN)
}

// TestRefuseBadPOP: the proof of possession is signed by another key than
// the one to certify.
func TestRefuseBadPOP(t *testing.T) {
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	newKey, liar := e.newKey(), e.newKey()
	spki, err := pki.MarshalPKIXPublicKey(newKey.Public())
	if err != nil {
		t.Fatal(err)
	}
	crm := cmp.CertReqMsg{CertReq: cmp.CertRequest{
		Controls: []cmp.AttributeTypeAndValue{
			cmp.OldCertIDControl(s.cert.RawIssuer, s.cert.SerialNumber)},
		Template: cmp.CertTemplate{Subject: s.cert.RawSubject, PublicKey: spki}}}
	if err := crm.SignPOP(liar, rand.Reader); err != nil {
		t.Fatal(err)
	}
	crm.CertReq.Template.PublicKey = spki
	resp := e.send(s, cmp.Body{Type: cmp.TypeKUR, CertReq: []cmp.CertReqMsg{crm}})
	wantErrorBody(t, resp, cmp.FailBadPOP, "владения новым ключом", "proof of possession")
	e.verifyAudit(AuditCMPRefused)
}

func TestRefuseSameKey(t *testing.T) {
	e := newEnv(t, testPolicy("gost2012-256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	_, err := e.kur(s, s.key)
	wantRefusal(t, err, cmp.FailBadCertTemplate, "совпадает с действующим", "is the current key")
	e.verifyAudit(operator.AuditRenewalRefused, AuditCMPRefused)
}

// TestRefuseKeyCertifiedBefore: a key certified before (the subscriber's
// previous one) is not certified again. On PostgreSQL the look for the key
// travels with the statements after it and fails the transaction late;
// the request is then decided again, and the refusal is recorded once.
func TestRefuseKeyCertifiedBefore(t *testing.T) {
	onEngines(t, func(t *testing.T, dsn string) {
		e := newEnvDB(t, testPolicy("gost2012-256", operator.ApprovalAuto, nil), dsn)
		s := e.enroll("ООО Ромашка", time.Time{})
		next := e.renew(s)
		_, err := e.kur(next, s.key)
		wantRefusal(t, err, cmp.FailBadCertTemplate, "уже был сертифицирован", "certified before")
		e.wantAuditCount(operator.AuditRenewalRefused, 1)
	})
}

func TestRefuseKeyType(t *testing.T) {
	t.Run("type", func(t *testing.T) {
		e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
		s := e.enroll("ООО Ромашка", time.Time{})
		gost, err := pki.ProfileGOST256.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.kur(s, gost)
		wantRefusal(t, err, cmp.FailBadAlg, "не допускаются", "not accepted")
	})
	t.Run("params", func(t *testing.T) {
		e := newEnv(t, testPolicy("gost2012-256", operator.ApprovalAuto,
			func(c *operator.Config) { c.KeyProfiles = []string{"gost2012-256:A"} }))
		s := e.enroll("ООО Ромашка", time.Time{})
		b, err := pki.ProfileGOST256.WithParamSet("B")
		if err != nil {
			t.Fatal(err)
		}
		key, err := b.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.kur(s, key)
		wantRefusal(t, err, cmp.FailBadAlg, "gost2012-256:A", "gost2012-256:A")
	})
}

func TestRefuseRateLimit(t *testing.T) {
	onEngines(t, func(t *testing.T, dsn string) {
		e := newEnvDB(t, testPolicy("ecdsa-p256", operator.ApprovalManual,
			func(c *operator.Config) { c.RateLimitPerDay = 1 }), dsn)
		s := e.enroll("ООО Ромашка", time.Time{})
		if _, err := e.kur(s, e.newKey()); err != nil {
			t.Fatalf("first kur: %v", err)
		}
		_, err := e.kur(s, e.newKey())
		wantRefusal(t, err, cmp.FailNotAuthorized, "Превышено число запросов", "Too many")
		e.wantAuditCount(operator.AuditRenewalRefused, 1)

		// The next day in Moscow the limit starts again.
		e.clock.Set(t0.Add(24 * time.Hour))
		if _, err := e.kur(s, e.newKey()); err != nil {
			t.Errorf("kur the next day: %v", err)
		}
	})
}

func TestRefuseUnknownTransactionOnPoll(t *testing.T) {
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalManual, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	res, err := e.kur(s, e.newKey())
	if err != nil {
		t.Fatal(err)
	}
	st := *res.State
	st.TransactionID = make([]byte, 16)
	rand.Read(st.TransactionID)
	e.clock.Set(e.clock.Now().Add(2 * time.Second))
	_, err = e.client.Poll(context.Background(), &st, cmp.SignatureCredentials(s.cert, s.key))
	wantRefusal(t, err, cmp.FailBadRequest, "не допустим", "not allowed")
}

// TestCertificateOnlyToAskingTransaction (O5): another subscriber cannot
// poll for a certificate, even once it is approved; the one who asked can.
func TestCertificateOnlyToAskingTransaction(t *testing.T) {
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalManual, nil))
	a, b := e.enroll("ООО Ромашка", time.Time{}), e.enroll("ООО Лютик", time.Time{})
	res, err := e.kur(a, e.newKey())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := e.op.Approve(ctx, e.requests("waiting")[0].ID, "operator:test"); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(e.clock.Now().Add(2 * time.Second))
	stolen := *res.State
	stolen.Sender = cmp.DirectoryName(b.cert.RawSubject).Raw // B signs as itself
	_, err = e.client.Poll(ctx, &stolen, cmp.SignatureCredentials(b.cert, b.key))
	wantRefusal(t, err, cmp.FailNotAuthorized, "не разрешён", "not permitted")

	got, err := e.client.Poll(ctx, res.State, cmp.SignatureCredentials(a.cert, a.key))
	if err != nil || got.Certificate == nil {
		t.Fatalf("the asking subscriber's poll: %v", err)
	}
}
