package rekeyd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"rekey/cmp"
	"rekey/operator"
	"rekey/store"
)

// certificatesOf returns the certificates recorded for the subscriber of
// a one-time secret.
func (e *env) certificatesOf(sec *Secret) []store.Certificate {
	e.t.Helper()
	ctx := context.Background()
	id, _, err := e.op.secretMessages(ctx, []byte(sec.Reference))
	if err != nil || id == 0 {
		e.t.Fatalf("the secret's subscriber: %d, %v", id, err)
	}
	certs, err := e.op.Store.ListCertificates(ctx, store.CertificateQuery{SubscriberID: id})
	if err != nil {
		e.t.Fatal(err)
	}
	return certs
}

// TestEnrollSecretClaimedElsewhere: an ir whose secret another replica
// has just claimed (its certificate not yet recorded there, so no
// "issued" message here) is refused as a used secret, and nothing is
// signed for it.
func TestEnrollSecretClaimedElsewhere(t *testing.T) {
	onEngines(t, func(t *testing.T, dsn string) {
		e := newEnvDB(t, testPolicy("gost2012-256", operator.ApprovalManual, nil), dsn)
		ctx := context.Background()
		sec, err := e.op.IssueSecret(ctx, testSubject("ИП Петров"), "office")
		if err != nil {
			t.Fatal(err)
		}
		claim := append([]byte("ir-secret:"), sec.Reference...)
		if err := e.op.Store.ClaimOnce(ctx, claim, t0); err != nil {
			t.Fatal(err)
		}
		_, err = e.client.Enroll(ctx, &cmp.EnrollOptions{Reference: []byte(sec.Reference),
			Secret: []byte(sec.Value), NewKey: e.newKey()})
		wantRefusal(t, err, cmp.FailNotAuthorized, "уже использован", "used")
		if certs := e.certificatesOf(sec); len(certs) != 0 {
			t.Errorf("%d certificates for a claimed secret, want none", len(certs))
		}
		e.wantAuditCount(operator.AuditSignBefore, 0)
		e.wantAuditCount(AuditEnrollmentRefused, 1)
		if _, err := e.op.VerifyAudit(ctx); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}

// TestEnrollSecretTwoReplicas: irs with one secret and different
// transactionIDs sent at once to two rekeyd replicas on one database give
// one certificate; every other ir is refused.
func TestEnrollSecretTwoReplicas(t *testing.T) {
	onEngines(t, func(t *testing.T, dsn string) {
		e := newEnvDB(t, testPolicy("gost2012-256", operator.ApprovalManual, nil), dsn)
		ctx := context.Background()
		pw := func() ([]byte, error) { return []byte("ca password"), nil }
		op2, err := Open(ctx, e.dir, &OpenOptions{Password: pw, Now: e.clock.Now,
			Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		h2, err := op2.Handler()
		if err != nil {
			t.Fatal(err)
		}
		srv2 := httptest.NewServer(h2)
		t.Cleanup(func() { srv2.Close(); op2.Close() })
		c2 := e.newClient()
		c2.Transport = &cmp.HTTPTransport{URL: srv2.URL + "/.well-known/cmp"}

		for round := range 3 {
			sec, err := e.op.IssueSecret(ctx, testSubject("ИП Петров "+itoa(int64(round))),
				"office")
			if err != nil {
				t.Fatal(err)
			}
			const irs = 6
			var wg sync.WaitGroup
			var mu sync.Mutex
			issued, refused := 0, 0
			start := make(chan struct{})
			for i := range irs {
				c := e.client
				if i%2 == 1 {
					c = c2
				}
				k := e.newKey()
				wg.Go(func() {
					<-start
					res, err := c.Enroll(ctx, &cmp.EnrollOptions{
						Reference: []byte(sec.Reference), Secret: []byte(sec.Value), NewKey: k})
					mu.Lock()
					defer mu.Unlock()
					var se *cmp.ServerError
					switch {
					case err == nil && res.Certificate != nil:
						issued++
					case errors.As(err, &se) && se.Failure()&cmp.FailNotAuthorized != 0:
						refused++
					default:
						t.Errorf("ir %d: %v, want a certificate or a refusal", i, err)
					}
				})
			}
			close(start)
			wg.Wait()
			if issued != 1 || refused != irs-1 {
				t.Errorf("round %d: %d issued and %d refused, want 1 and %d", round, issued,
					refused, irs-1)
			}
			if certs := e.certificatesOf(sec); len(certs) != 1 {
				t.Errorf("round %d: %d certificates recorded, want 1", round, len(certs))
			}
		}
		if _, err := e.op.VerifyAudit(ctx); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}

// TestEnrollSecretAfterCrash: the server dies after each number of
// commits of an ir in turn and restarts. The subscriber's client, which
// got no answer, sends a new ir with the same secret and key: it gets the
// certificate recorded before the crash, or, when none was recorded, a
// new one when the secret was not yet claimed and a used-secret refusal
// when it was; never a second certificate. An ir with another key is
// refused once a certificate exists.
func TestEnrollSecretAfterCrash(t *testing.T) {
	for commits := int64(0); ; commits++ {
		if commits > 20 {
			t.Fatal("the ir never completed")
		}
		e, ds := newDyingEnv(t, testPolicy("gost2012-256", operator.ApprovalManual, nil), "")
		ctx := context.Background()
		sec, err := e.op.IssueSecret(ctx, testSubject("ИП Петров"), "office")
		if err != nil {
			t.Fatal(err)
		}
		k := e.newKey()
		opts := &cmp.EnrollOptions{Reference: []byte(sec.Reference), Secret: []byte(sec.Value),
			NewKey: k}
		ds.dieAfter(commits)
		res, err := e.client.Enroll(ctx, opts)
		if err == nil {
			if res.Certificate == nil {
				t.Fatalf("after %d commits: answered %s, want the certificate", commits,
					res.State.State)
			}
			return // the ir needed fewer commits than this: every crash point was seen
		}
		e.restart()
		before := e.certificatesOf(sec)
		if len(before) > 1 {
			t.Fatalf("after %d commits: %d certificates", commits, len(before))
		}
		res, err = e.client.Enroll(ctx, opts)
		after := e.certificatesOf(sec)
		t.Logf("died after %d commits: %d certificates recorded; the new ir: %v",
			commits, len(before), err)
		switch {
		case err == nil && res.Certificate != nil:
			if len(after) != 1 || len(before) == 1 && !bytes.Equal(after[0].DER, before[0].DER) {
				t.Errorf("after %d commits: %d certificates before the new ir, %d after",
					commits, len(before), len(after))
			}
			if !bytes.Equal(res.Certificate.Raw, after[0].DER) {
				t.Errorf("after %d commits: the ir got another certificate than the one recorded",
					commits)
			}
			cred := cmp.MACCredentials([]byte(sec.Reference), []byte(sec.Value))
			if err := e.client.Confirm(ctx, res.State, cred, true); err != nil {
				t.Errorf("after %d commits: certConf: %v", commits, err)
			}
		case len(before) == 0 && len(after) == 0:
			wantRefusal(t, err, cmp.FailNotAuthorized, "уже использован", "used")
		default:
			t.Errorf("after %d commits: the new ir: %v, with %d certificates before and %d after",
				commits, err, len(before), len(after))
		}
		other := *opts
		other.NewKey = e.newKey()
		if _, err := e.client.Enroll(ctx, &other); err == nil {
			t.Errorf("after %d commits: an ir with another key enrolled", commits)
		}
		if n := len(e.certificatesOf(sec)); n > 1 {
			t.Errorf("after %d commits: %d certificates for one secret", commits, n)
		}
		if _, err := e.op.VerifyAudit(ctx); err != nil {
			t.Errorf("after %d commits: audit chain: %v", commits, err)
		}
	}
}

// TestSecretsEncryptedAtRest: a one-time secret waits in the database
// encrypted with the directory's secrets key and bound to its reference;
// a secret stored in the clear by an earlier version still enrolls; a
// directory without the key gets one at the next secret; and without the
// key, or with the row moved to another reference, the secret does not
// open and nothing is issued.
func TestSecretsEncryptedAtRest(t *testing.T) {
	e := newEnv(t, testPolicy("gost2012-256", operator.ApprovalManual, nil))
	ctx := context.Background()
	a := &Authority{op: e.op}
	body := func(sec *Secret) (int64, []byte) {
		t.Helper()
		id, msgs, err := e.op.secretMessages(ctx, []byte(sec.Reference))
		if err != nil || len(msgs) != 1 {
			t.Fatalf("the secret's messages: %d, %v", len(msgs), err)
		}
		return id, msgs[0].Body
	}
	enroll := func(sec *Secret) error {
		res, err := e.client.Enroll(ctx, &cmp.EnrollOptions{Reference: []byte(sec.Reference),
			Secret: []byte(sec.Value), NewKey: e.newKey()})
		if err == nil && res.Certificate == nil {
			t.Fatalf("ir answered %s", res.State.State)
		}
		return err
	}

	sec, err := e.op.IssueSecret(ctx, testSubject("ИП Петров"), "office")
	if err != nil {
		t.Fatal(err)
	}
	if _, b := body(sec); !isSealed(b) || bytes.Contains(b, []byte(sec.Value)) {
		t.Fatalf("the stored secret is not sealed: %q", b)
	}
	if err := enroll(sec); err != nil {
		t.Fatalf("ir with a sealed secret: %v", err)
	}

	// Stored in the clear before the key existed.
	legacy, err := e.op.IssueSecret(ctx, testSubject("ИП Сидоров"), "office")
	if err != nil {
		t.Fatal(err)
	}
	id, _ := body(legacy)
	clear, _ := json.Marshal(secretBody{Secret: legacy.Value, Expires: legacy.Expires})
	moveSecret(t, e, id, legacy.Reference, clear)
	if err := enroll(legacy); err != nil {
		t.Fatalf("ir with a secret stored in the clear: %v", err)
	}

	// Sealed for one reference, moved to another.
	s1, err := e.op.IssueSecret(ctx, testSubject("ИП Иванов"), "office")
	if err != nil {
		t.Fatal(err)
	}
	s2, err := e.op.IssueSecret(ctx, testSubject("ИП Кузнецов"), "office")
	if err != nil {
		t.Fatal(err)
	}
	_, b1 := body(s1)
	id2, _ := body(s2)
	moveSecret(t, e, id2, s2.Reference, b1)
	if _, err := a.Secret(ctx, []byte(s2.Reference)); err == nil ||
		!strings.Contains(err.Error(), "does not open") {
		t.Errorf("a secret moved to another reference: %v, want it not to open", err)
	}

	// Without the key file the secret does not open; no certificate.
	keyFile := filepath.Join(e.dir, SecretsKeyFile)
	saved, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	e.restart()
	a = &Authority{op: e.op}
	if _, err := a.Secret(ctx, []byte(s1.Reference)); err == nil ||
		!strings.Contains(err.Error(), SecretsKeyFile+" is missing") {
		t.Errorf("without the key file: %v, want it named", err)
	}
	if err := enroll(s1); err == nil {
		t.Error("enrolled with a secret whose key is gone")
	}
	if n := len(e.certificatesOf(s1)); n != 0 {
		t.Errorf("%d certificates without the key, want none", n)
	}

	// A directory without a key gets one at the next secret, and that
	// secret enrolls; the earlier ones need the old key back.
	s3, err := e.op.IssueSecret(ctx, testSubject("ИП Смирнов"), "office")
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := os.ReadFile(keyFile)
	if err != nil || bytes.Equal(fresh, saved) {
		t.Fatalf("the new key file: %v (same as the old one: %v)", err, bytes.Equal(fresh, saved))
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the key file's mode: %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	if err := enroll(s3); err != nil {
		t.Fatalf("ir with a secret under the new key: %v", err)
	}
}

// moveSecret replaces the body of the secret message of reference.
func moveSecret(t *testing.T, e *env, id int64, reference string, body []byte) {
	t.Helper()
	ctx := context.Background()
	msgs, err := e.op.Store.Messages(ctx, id, []byte(reference))
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages: %d, %v", len(msgs), err)
	}
	if err := e.op.Store.AckMessage(ctx, id, msgs[0].ID, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.op.Store.PutMessage(ctx, &store.Message{SubscriberID: id,
		TransactionID: []byte(reference), Kind: kindSecret, Body: body,
		CreatedAt: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
}

// TestUndeliveredEnrollmentRevoked: an ir's certificate recorded when the
// server died before recording the answer, and never asked for again, is
// revoked once undeliveredAfter has passed, and the sweep then forgets
// it; a confirmed ir's certificate is left alone.
func TestUndeliveredEnrollmentRevoked(t *testing.T) {
	e, ds := newDyingEnv(t, testPolicy("gost2012-256", operator.ApprovalManual, nil), "")
	ctx := context.Background()

	// A confirmed ir, before the crash.
	done, err := e.op.IssueSecret(ctx, testSubject("ИП Сидоров"), "office")
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.client.Enroll(ctx, &cmp.EnrollOptions{Reference: []byte(done.Reference),
		Secret: []byte(done.Value), NewKey: e.newKey()})
	if err != nil || res.Certificate == nil {
		t.Fatalf("ir: %v", err)
	}
	cred := cmp.MACCredentials([]byte(done.Reference), []byte(done.Value))
	if err := e.client.Confirm(ctx, res.State, cred, true); err != nil {
		t.Fatalf("certConf: %v", err)
	}

	sec, err := e.op.IssueSecret(ctx, testSubject("ИП Петров"), "office")
	if err != nil {
		t.Fatal(err)
	}
	ds.dieAfter(2) // the claim with the serial, then the certificate; not the answer
	if _, err := e.client.Enroll(ctx, &cmp.EnrollOptions{Reference: []byte(sec.Reference),
		Secret: []byte(sec.Value), NewKey: e.newKey()}); err == nil {
		t.Fatal("the ir was answered by a server that died")
	}
	e.restart()
	certs := e.certificatesOf(sec)
	if len(certs) != 1 || certs[0].Status != store.StatusValid {
		t.Fatalf("after the crash: %d certificates, want one, valid", len(certs))
	}

	if n, err := e.op.CloseExpired(ctx); err != nil || n != 0 {
		t.Fatalf("CloseExpired at once: %d, %v; want 0", n, err)
	}
	e.clock.Set(t0.Add(undeliveredAfter + time.Minute))
	if n, err := e.op.CloseExpired(ctx); err != nil || n != 1 {
		t.Fatalf("CloseExpired after %s: %d, %v; want 1", undeliveredAfter, n, err)
	}
	if got := e.certificatesOf(sec); len(got) != 1 || got[0].Status != store.StatusRevoked {
		t.Errorf("the undelivered certificate: %+v, want revoked", got)
	}
	if got := e.certificatesOf(done); len(got) != 1 || got[0].Status != store.StatusValid {
		t.Errorf("the confirmed certificate: %+v, want valid", got)
	}
	if n, err := e.op.CloseExpired(ctx); err != nil || n != 0 {
		t.Errorf("CloseExpired again: %d, %v; want 0", n, err)
	}
	left, err := e.op.Store.ListMessages(ctx, store.MessageQuery{Kind: kindSecretIssued})
	if err != nil || len(left) != 0 {
		t.Errorf("used-secret markers left: %d, %v; want none", len(left), err)
	}
	if _, err := e.op.VerifyAudit(ctx); err != nil {
		t.Errorf("audit chain: %v", err)
	}
}
