package store

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestScheme(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://u@h/db":   "postgres",
		"postgresql://u@h/db": "postgres",
		"sqlite:/var/rekey":   "sqlite",
		"/var/lib/rekeyd/db":  "sqlite",
		"rekey.db":            "sqlite",
	} {
		if got := Scheme(dsn); got != want {
			t.Errorf("Scheme(%q) = %q, want %q", dsn, got, want)
		}
	}
}

func TestOpenWithoutEngine(t *testing.T) {
	_, err := Open(context.Background(), "postgres://nowhere/db")
	if err == nil || !strings.Contains(err.Error(), "rekey/store/postgres") {
		t.Errorf("Open without an engine: %v, want a hint to import the engine", err)
	}
}

func TestStateMachine(t *testing.T) {
	allowed := map[[2]State]bool{}
	for from, tos := range transitions {
		for _, to := range tos {
			allowed[[2]State{from, to}] = true
		}
	}
	states := []State{StateReceived, StateWaiting, StateApproved, StateIssued,
		StateConfirmed, StateRejected, StateExpired}
	for _, from := range states {
		for _, to := range states {
			if got := CanTransition(from, to); got != allowed[[2]State{from, to}] {
				t.Errorf("CanTransition(%s, %s) = %v", from, to, got)
			}
		}
	}
	for _, s := range []State{StateConfirmed, StateRejected, StateExpired} {
		if !s.Terminal() {
			t.Errorf("%s is not terminal", s)
		}
	}
	if State("bogus").Valid() || State("bogus").Terminal() {
		t.Errorf("an unknown state is valid or terminal")
	}
}

func TestErrors(t *testing.T) {
	cause := io.ErrUnexpectedEOF
	err := error(&OpError{Op: "RecordCertificate", Table: "certificates",
		Err: &ConflictError{Key: KeyCertificateSPKI, Cause: cause}})
	if !errors.Is(err, ErrConflict) || !errors.Is(err, cause) {
		t.Errorf("%v does not unwrap to ErrConflict and its cause", err)
	}
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Key != KeyCertificateSPKI {
		t.Errorf("errors.As(%v) = %+v", err, ce)
	}
	want := "store: RecordCertificate on certificates: duplicate certificate.spki"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
	err = &OpError{Op: "Transition", Table: "requests",
		Err: &StateError{ID: 7, Want: StateWaiting, Got: StateApproved}}
	if !errors.Is(err, ErrStateChanged) || errors.Is(err, ErrConflict) {
		t.Errorf("%v: wrong sentinel", err)
	}
}

func chain(n int) []*AuditRecord {
	var recs []*AuditRecord
	prev := GenesisHash
	for i := 1; i <= n; i++ {
		r := &AuditRecord{Seq: int64(i), PrevHash: prev, AuditEntry: AuditEntry{
			At: time.Unix(1700000000, int64(i)*1000), Actor: "a", Action: "b"}}
		r.Hash = r.ComputeHash()
		prev = r.Hash
		recs = append(recs, r)
	}
	return recs
}

func TestChainVerifier(t *testing.T) {
	recs := chain(4)
	var v ChainVerifier
	for _, r := range recs {
		if err := v.Next(r); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := v.End(4, recs[3].Hash); n != 4 || err != nil {
		t.Errorf("End = %d, %v", n, err)
	}

	// Every field is covered by the hash.
	base := *recs[1]
	for name, change := range map[string]func(*AuditRecord){
		"at":      func(r *AuditRecord) { r.At = r.At.Add(time.Microsecond) },
		"actor":   func(r *AuditRecord) { r.Actor = "x" },
		"action":  func(r *AuditRecord) { r.Action = "x" },
		"object":  func(r *AuditRecord) { r.Object = "x" },
		"details": func(r *AuditRecord) { r.Details = []byte("{}") },
		"seq":     func(r *AuditRecord) { r.Seq = 3 },
		// Moving a byte from one field to the next changes the encoding.
		"boundary": func(r *AuditRecord) { r.Actor, r.Action = "ab", "" },
	} {
		r := base
		change(&r)
		if string(r.ComputeHash()) == string(base.Hash) {
			t.Errorf("changing %s keeps the hash", name)
		}
	}

	// An empty chain ends at the genesis hash.
	var empty ChainVerifier
	if n, err := empty.End(0, GenesisHash); n != 0 || err != nil {
		t.Errorf("empty End = %d, %v", n, err)
	}
}
