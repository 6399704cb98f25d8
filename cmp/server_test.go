package cmp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestClientServer runs our client against our server over HTTP on
// 127.0.0.1 in both profiles: ir with a MAC, kur issued at once, kur
// delivered later (waiting, pollReq, a restart of the client, the
// certificate), certConf/pkiConf, genm and rr.
func TestClientServer(t *testing.T) {
	for _, profile := range []string{"gost256", "ecdsa"} {
		t.Run(profile, func(t *testing.T) {
			e := newTestEnv(t, profile, nil)
			ctx := context.Background()
			first := e.enroll(t, "Иванов Иван")

			// kur, issued at once.
			key2 := newKey(t, profile)
			res, err := e.client.UpdateKey(ctx, &KeyUpdateOptions{Current: first.Certificate,
				CurrentKey: first.Key, NewKey: key2, NewKeyRef: "media/2"})
			if err != nil {
				t.Fatalf("UpdateKey: %v", err)
			}
			if res.Certificate == nil || !bytes.Equal(res.Certificate.RawSubject,
				first.Certificate.RawSubject) {
				t.Fatalf("kup: no certificate or another subject")
			}
			if err := e.client.Confirm(ctx, res.State, first, true); err != nil {
				t.Fatalf("Confirm kur: %v", err)
			}

			// kur, delivered later, with a restart of the client.
			second := SignatureCredentials(res.Certificate, key2)
			third := e.delayedUpdate(t, second)

			// genm: CA certificates, CRLs, renewal window.
			checkGeneralInfo(t, e, third)

			// rr, then kur with the revoked certificate.
			if err := e.client.Revoke(ctx, third, 1); err != nil {
				t.Fatalf("Revoke: %v", err)
			}
			_, err = e.client.UpdateKey(ctx, &KeyUpdateOptions{Current: third.Certificate,
				CurrentKey: third.Key, NewKey: newKey(t, profile)})
			wantRefusal(t, err, FailCertRevoked)

			// Every issuing transaction was confirmed, none implicitly.
			e.auth.mu.Lock()
			defer e.auth.mu.Unlock()
			if len(e.auth.confirmed) != 3 {
				t.Fatalf("%d confirmations, want 3", len(e.auth.confirmed))
			}
			for _, c := range e.auth.confirmed {
				if !c.Accepted || c.Implicit || c.Expired {
					t.Errorf("confirmation %+v", c)
				}
			}
		})
	}
}

// delayedUpdate runs a kur answered waiting, polls too early, restarts
// the client from the stored state and polls again until the
// certificate comes, then confirms.
func (e *testEnv) delayedUpdate(t *testing.T, cur *Credentials) *Credentials {
	t.Helper()
	ctx := context.Background()
	e.auth.mu.Lock()
	e.auth.delay = 2
	e.auth.mu.Unlock()
	defer func() {
		e.auth.mu.Lock()
		e.auth.delay = 0
		e.auth.mu.Unlock()
	}()
	key := newKey(t, e.profile)
	res, err := e.client.UpdateKey(ctx, &KeyUpdateOptions{Current: cur.Certificate,
		CurrentKey: cur.Key, NewKey: key, NewKeyRef: "media/3"})
	if err != nil {
		t.Fatalf("UpdateKey (delayed): %v", err)
	}
	if res.Certificate != nil || res.State.State != ClientWaiting {
		t.Fatalf("delayed kup: state %s", res.State.State)
	}
	// The first poll at once: pollRep asks to wait 30 s.
	if res, err = e.client.Poll(ctx, res.State, cur); err != nil {
		t.Fatalf("Poll: %v", err)
	}
	if res.State.State != ClientWaiting || !res.State.CheckAfter.Equal(
		e.clock.Now().Add(30*time.Second)) {
		t.Fatalf("pollRep: state %s, check after %v", res.State.State, res.State.CheckAfter)
	}
	if _, err := e.client.Poll(ctx, res.State, cur); !errors.Is(err, ErrTooEarly) {
		t.Fatalf("Poll before checkAfter: %v, want ErrTooEarly", err)
	}
	stored, err := res.State.Marshal()
	if err != nil {
		t.Fatal(err)
	}

	// A new process: a new Client from the stored state.
	e.clock.Advance(31 * time.Second)
	client := e.newClient()
	st, err := ParseClientTransaction(stored)
	if err != nil {
		t.Fatalf("ParseClientTransaction: %v", err)
	}
	if st.NewKeyRef != "media/3" {
		t.Errorf("new key reference %q lost", st.NewKeyRef)
	}
	res, err = client.Poll(ctx, st, cur)
	if err != nil {
		t.Fatalf("Poll after restart: %v", err)
	}
	if res.Certificate == nil || res.State.State != ClientIssued {
		t.Fatalf("Poll after restart: state %s", res.State.State)
	}
	// Another restart between the certificate and certConf.
	stored, _ = res.State.Marshal()
	st, err = ParseClientTransaction(stored)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.newClient().Confirm(ctx, st, cur, true); err != nil {
		t.Fatalf("Confirm after restart: %v", err)
	}
	return SignatureCredentials(res.Certificate, key)
}

func checkGeneralInfo(t *testing.T, e *testEnv, cred *Credentials) {
	t.Helper()
	ctx := context.Background()
	cas, err := e.client.CACertificates(ctx, cred)
	if err != nil || len(cas) != 1 || !bytes.Equal(cas[0], e.ca.cert.Raw) {
		t.Errorf("CACertificates: %d, %v", len(cas), err)
	}
	crls, err := e.client.CRLs(ctx, cred)
	if err != nil || len(crls) != 1 {
		t.Errorf("CRLs: %d, %v", len(crls), err)
	}
	c := cred.Certificate
	w, err := e.client.RenewalWindow(ctx, cred, c.RawIssuer, c.SerialNumber)
	if err != nil || w == nil {
		t.Fatalf("RenewalWindow: %v, %v", w, err)
	}
	if w.Cert.SerialNumber.Cmp(c.SerialNumber) != 0 || !w.NotAfter.After(w.NotBefore) ||
		FreeTextIn(w.Text, LangRU) != "обновите ключ заранее" {
		t.Errorf("RenewalWindow: %+v", w)
	}
}

// wantRefusal checks that err is a *ServerError with the failure bit f
// and a text in both languages.
func wantRefusal(t *testing.T, err error, f FailureInfo) {
	t.Helper()
	var se *ServerError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want a refusal with %s", err, f)
	}
	if se.Failure()&f == 0 {
		t.Errorf("got failInfo %s, want %s", se.Failure(), f)
	}
	checkFreeText(t, se.Status.StatusString)
}

func checkFreeText(t *testing.T, text []string) {
	t.Helper()
	if len(text) != 2 || !strings.HasPrefix(text[0], "ru: ") || !strings.HasPrefix(text[1], "en: ") {
		t.Errorf("free text %q: want a Russian and an English line", text)
	}
}

// TestImplicitConfirm: the client asks for implicit confirmation, the
// server grants it, the Authority hears Confirm at once.
func TestImplicitConfirm(t *testing.T) {
	e := newTestEnv(t, "ecdsa", nil)
	cur := e.enroll(t, "Петров")
	e.client.ImplicitConfirm = true
	res, err := e.client.UpdateKey(context.Background(), &KeyUpdateOptions{
		Current: cur.Certificate, CurrentKey: cur.Key, NewKey: newKey(t, "ecdsa")})
	if err != nil {
		t.Fatal(err)
	}
	if res.State.State != ClientDone || !res.State.Implicit {
		t.Fatalf("state %s, implicit %v", res.State.State, res.State.Implicit)
	}
	e.auth.mu.Lock()
	defer e.auth.mu.Unlock()
	last := e.auth.confirmed[len(e.auth.confirmed)-1]
	if !last.Implicit || !last.Accepted {
		t.Errorf("confirmation %+v", last)
	}
}

// TestServerLog: one JSON event per HTTP request, with the fields the
// operator searches by, and no secret.
func TestServerLog(t *testing.T) {
	e := newTestEnv(t, "ecdsa", nil)
	e.enroll(t, "Сидоров")
	lines := strings.Split(strings.TrimSpace(e.logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log events for 2 requests:\n%s", len(lines), e.logs)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &ev); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"method", "body", "transaction_id", "http_status", "status",
		"duration"} {
		if _, ok := ev[k]; !ok {
			t.Errorf("log event without %q: %s", k, lines[0])
		}
	}
	if ev["body"] != "ir" || ev["reply"] != "ip" {
		t.Errorf("log event %s", lines[0])
	}
	if strings.Contains(e.logs.String(), "secret of") {
		t.Errorf("the log holds the secret")
	}
}
