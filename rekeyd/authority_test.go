package rekeyd

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"rekey/cmp"
	"rekey/operator"
	"rekey/pki"
	"rekey/store"
)

// TestKURAuto: automatic approval issues at once; certConf confirms the
// request; the certificate keeps the subject and chains to the CA.
func TestKURAuto(t *testing.T) {
	for _, profile := range []string{"gost2012-256", "ecdsa-p256"} {
		t.Run(profile, func(t *testing.T) {
			e := newEnv(t, testPolicy(profile, operator.ApprovalAuto, nil))
			s := e.enroll("ООО Ромашка", time.Time{})
			next := e.renew(s)
			if !bytes.Equal(next.cert.RawSubject, s.cert.RawSubject) {
				t.Errorf("subject changed: %s → %s", s.cert.Subject, next.cert.Subject)
			}
			if err := next.cert.CheckSignatureFrom(e.op.CACert); err != nil {
				t.Errorf("new certificate: %v", err)
			}
			if got := e.requests(store.StateConfirmed); len(got) != 1 {
				t.Errorf("confirmed requests: %+v, want one", got)
			}
			e.renew(next) // the new certificate renews in turn
			e.verifyAudit(operator.AuditRenewalAccepted, operator.AuditSignBefore,
				operator.AuditSignAfter, AuditConfirmed, AuditEnrolled)
		})
	}
}

// TestKURManual: manual approval answers waiting; after Approve the
// pollReq delivers the certificate, then certConf.
func TestKURManual(t *testing.T) {
	e := newEnv(t, testPolicy("gost2012-256", operator.ApprovalManual, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	k := e.newKey()
	res, err := e.kur(s, k)
	if err != nil {
		t.Fatalf("kur: %v", err)
	}
	if res.State.State != cmp.ClientWaiting || res.Certificate != nil {
		t.Fatalf("kur: state %s, want waiting", res.State.State)
	}
	waiting := e.requests(store.StateWaiting)
	if len(waiting) != 1 {
		t.Fatalf("waiting requests: %+v", waiting)
	}
	ctx := context.Background()
	cred := cmp.SignatureCredentials(s.cert, s.key)

	// Before the approval, a poll is answered waiting again.
	e.clock.Set(e.clock.Now().Add(2 * time.Second))
	if res, err = e.client.Poll(ctx, res.State, cred); err != nil || res.Certificate != nil {
		t.Fatalf("poll before approval: %v, certificate %v", err, res.Certificate != nil)
	}
	if err := e.op.Approve(ctx, waiting[0].ID, "operator:test"); err != nil {
		t.Fatalf("Approve: %v", err)
	}
	e.clock.Set(e.clock.Now().Add(2 * time.Second))
	res, err = e.client.Poll(ctx, res.State, cred)
	if err != nil || res.Certificate == nil {
		t.Fatalf("poll after approval: %v", err)
	}
	if err := e.client.Confirm(ctx, res.State, cred, true); err != nil {
		t.Fatalf("certConf: %v", err)
	}
	if got := e.requests(store.StateConfirmed); len(got) != 1 || got[0].ID != waiting[0].ID {
		t.Errorf("confirmed: %+v", got)
	}
	e.verifyAudit(operator.AuditRequestReceived, operator.AuditRequestApproved,
		operator.AuditSignAfter, AuditConfirmed)
}

// TestKURRejectedByOperator: the operator's reason reaches the subscriber.
func TestKURRejectedByOperator(t *testing.T) {
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalManual, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	res, err := e.kur(s, e.newKey())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	id := e.requests(store.StateWaiting)[0].ID
	if err := e.op.Reject(ctx, id, "operator:test", "паспорт не предъявлен"); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(e.clock.Now().Add(2 * time.Second))
	_, err = e.client.Poll(ctx, res.State, cmp.SignatureCredentials(s.cert, s.key))
	wantRefusal(t, err, cmp.FailNotAuthorized, "паспорт не предъявлен", testOffice.EN)
	e.verifyAudit(operator.AuditRequestRejected)
}

// TestCertConfRejectedRevokes: a certificate the subscriber rejects is
// revoked and listed in the CRL; the refusal, the request's state, the
// revocation and the certConf's own writes are one commit.
func TestCertConfRejectedRevokes(t *testing.T) {
	commits := countCommits(t)
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	res, err := e.kur(s, e.newKey())
	if err != nil || res.Certificate == nil {
		t.Fatalf("kur: %v", err)
	}
	ctx := context.Background()
	commits.Store(0)
	if err := e.client.Confirm(ctx, res.State, cmp.SignatureCredentials(s.cert, s.key),
		false); err != nil {
		t.Fatalf("certConf (reject): %v", err)
	}
	if n := commits.Load(); n != 1 {
		t.Errorf("a rejecting certConf made %d commits, want 1", n)
	}
	rec, err := e.op.Store.Certificate(ctx, operator.SerialBytes(res.Certificate.SerialNumber))
	if err != nil || rec.Status != store.StatusRevoked {
		t.Fatalf("rejected certificate: %+v, %v", rec, err)
	}
	der, err := e.op.CurrentCRL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := pki.ParseCRL(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := crl.CheckSignatureFrom(e.op.CACert); err != nil {
		t.Errorf("CRL signature: %v", err)
	}
	if crl.IsRevoked(res.Certificate.SerialNumber) == nil {
		t.Errorf("the CRL does not list the rejected certificate")
	}
	if got := e.requests(store.StateRejected); len(got) != 1 {
		t.Errorf("rejected requests: %+v", got)
	}
	e.verifyAudit(AuditConfirmRejected, AuditRevokeBefore, AuditRevokeAfter, AuditCRLSigned)
}

// TestImplicitConfirm: a client asking implicitConfirm gets its
// certificate confirmed without certConf.
func TestImplicitConfirm(t *testing.T) {
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	e.client.ImplicitConfirm = true
	res, err := e.kur(s, e.newKey())
	if err != nil || res.Certificate == nil {
		t.Fatalf("kur: %v", err)
	}
	if got := e.requests(store.StateConfirmed); len(got) != 1 {
		t.Errorf("confirmed requests: %+v", got)
	}
}

// TestEnrollWithSecret: ir protected by a one-time secret issued in the
// office; the secret works once.
func TestEnrollWithSecret(t *testing.T) {
	e := newEnv(t, testPolicy("gost2012-256", operator.ApprovalManual, nil))
	ctx := context.Background()
	sec, err := e.op.IssueSecret(ctx, testSubject("ИП Петров"), "office")
	if err != nil {
		t.Fatal(err)
	}
	k := e.newKey()
	res, err := e.client.Enroll(ctx, &cmp.EnrollOptions{Reference: []byte(sec.Reference),
		Secret: []byte(sec.Value), NewKey: k})
	if err != nil || res.Certificate == nil {
		t.Fatalf("ir: %v", err)
	}
	want, _ := testSubject("ИП Петров").MarshalDN()
	if !bytes.Equal(res.Certificate.RawSubject, want) {
		t.Errorf("subject %s, want the registered one", res.Certificate.Subject)
	}
	cred := cmp.MACCredentials([]byte(sec.Reference), []byte(sec.Value))
	if err := e.client.Confirm(ctx, res.State, cred, true); err != nil {
		t.Fatalf("certConf: %v", err)
	}
	// Used: a second ir with the same secret is refused.
	_, err = e.client.Enroll(ctx, &cmp.EnrollOptions{Reference: []byte(sec.Reference),
		Secret: []byte(sec.Value), NewKey: e.newKey()})
	if err == nil {
		t.Fatal("a used secret enrolled again")
	}
	e.verifyAudit(AuditSecretIssued, AuditEnrollmentAccepted, AuditSecretUsed)
}

// TestGeneralInfo: genm gives the CA certificate, the CRL and the renewal
// window of the asking certificate.
func TestGeneralInfo(t *testing.T) {
	e := newEnv(t, testPolicy("gost2012-256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	ctx := context.Background()
	cred := cmp.SignatureCredentials(s.cert, s.key)
	cas, err := e.client.CACertificates(ctx, cred)
	if err != nil || len(cas) != 1 || !bytes.Equal(cas[0], e.op.CACert.Raw) {
		t.Fatalf("CA certificates: %d, %v", len(cas), err)
	}
	crls, err := e.client.CRLs(ctx, cred)
	if err != nil || len(crls) != 1 {
		t.Fatalf("CRLs: %d, %v", len(crls), err)
	}
	w, err := e.client.RenewalWindow(ctx, cred, s.cert.RawIssuer, s.cert.SerialNumber)
	if err != nil || w == nil {
		t.Fatalf("renewal window: %v, %v", w, err)
	}
	if !w.NotBefore.After(s.cert.NotBefore) || !w.NotAfter.Before(s.cert.NotAfter) {
		t.Errorf("window %s–%s outside the certificate's %s–%s", w.NotBefore, w.NotAfter,
			s.cert.NotBefore, s.cert.NotAfter)
	}
}

// TestRRRevokes: a subscriber's rr revokes its certificate; a kur signed
// by it is then refused.
func TestRRRevokes(t *testing.T) {
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	ctx := context.Background()
	if err := e.client.Revoke(ctx, cmp.SignatureCredentials(s.cert, s.key), 1); err != nil {
		t.Fatalf("rr: %v", err)
	}
	rec, err := e.op.Store.Certificate(ctx, operator.SerialBytes(s.cert.SerialNumber))
	if err != nil || rec.Status != store.StatusRevoked ||
		rec.RevocationReason != store.ReasonKeyCompromise {
		t.Fatalf("after rr: %+v, %v", rec, err)
	}
}

// TestUnconfirmedCertificateRevoked: a certificate never confirmed within
// the confirmation wait is revoked and its request rejected.
func TestUnconfirmedCertificateRevoked(t *testing.T) {
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	s := e.enroll("ООО Ромашка", time.Time{})
	res, err := e.kur(s, e.newKey())
	if err != nil || res.Certificate == nil {
		t.Fatalf("kur: %v", err)
	}
	ctx := context.Background()
	expireUnconfirmed(t, e, res.Certificate)
	if got := e.requests(store.StateRejected); len(got) != 1 {
		t.Errorf("rejected requests: %+v", got)
	}
	// A late certConf is refused.
	err = e.client.Confirm(ctx, res.State, cmp.SignatureCredentials(s.cert, s.key), true)
	if err == nil {
		t.Error("a certConf after the wait was accepted")
	}
}

// TestUnconfirmedEnrollmentRevoked: an ir's certificate never confirmed
// within the confirmation wait is revoked like a kur's.
func TestUnconfirmedEnrollmentRevoked(t *testing.T) {
	e := newEnv(t, testPolicy("gost2012-256", operator.ApprovalManual, nil))
	ctx := context.Background()
	sec, err := e.op.IssueSecret(ctx, testSubject("ИП Петров"), "office")
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.client.Enroll(ctx, &cmp.EnrollOptions{Reference: []byte(sec.Reference),
		Secret: []byte(sec.Value), NewKey: e.newKey()})
	if err != nil || res.Certificate == nil {
		t.Fatalf("ir: %v", err)
	}
	expireUnconfirmed(t, e, res.Certificate)
	cred := cmp.MACCredentials([]byte(sec.Reference), []byte(sec.Value))
	if err := e.client.Confirm(ctx, res.State, cred, true); err == nil {
		t.Error("a certConf after the wait was accepted")
	}
	if _, err := e.op.VerifyAudit(ctx); err != nil {
		t.Errorf("audit chain: %v", err)
	}
}

// expireUnconfirmed checks that closing expired transactions leaves cert,
// just issued and not confirmed, alone at once and revokes it once the
// confirmation wait is over.
func expireUnconfirmed(t *testing.T, e *env, cert *pki.Certificate) {
	t.Helper()
	ctx := context.Background()
	if n, err := e.op.CloseExpired(ctx); err != nil || n != 0 {
		t.Fatalf("CloseExpired at once: %d, %v", n, err)
	}
	e.clock.Set(t0.Add(cmp.DefaultConfirmWait + time.Minute))
	if n, err := e.op.CloseExpired(ctx); err != nil || n != 1 {
		t.Fatalf("CloseExpired after the wait: %d, %v", n, err)
	}
	rec, err := e.op.Store.Certificate(ctx, operator.SerialBytes(cert.SerialNumber))
	if err != nil || rec.Status != store.StatusRevoked {
		t.Errorf("unconfirmed certificate: %+v, %v", rec, err)
	}
}

// TestSubscribersPaged lists subscribers over several pages, each with
// its certificates read in one query, and gives each its own newest
// certificate.
func TestSubscribersPaged(t *testing.T) {
	old := subscriberPage
	subscriberPage = 2
	t.Cleanup(func() { subscriberPage = old })
	e := newEnv(t, testPolicy("ecdsa-p256", operator.ApprovalAuto, nil))
	var subs []*subscriber
	for i := range 5 {
		subs = append(subs, e.enroll(fmt.Sprintf("ООО Ромашка %d", i), time.Time{}))
	}
	// Two certificates, the newer one ending later: it counts.
	e.clock.Set(e.clock.Now().Add(24 * time.Hour))
	subs[3] = e.renew(subs[3])
	list, err := e.op.Subscribers(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(subs) {
		t.Fatalf("%d subscribers listed, want %d", len(list), len(subs))
	}
	for i, s := range subs {
		want := hex.EncodeToString(operator.SerialBytes(s.cert.SerialNumber))
		if list[i].Serial != want || list[i].Status != "valid" {
			t.Errorf("subscriber %d: serial %s (%s), want %s (valid)", i, list[i].Serial,
				list[i].Status, want)
		}
	}
}
