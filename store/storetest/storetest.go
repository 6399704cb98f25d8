// Package storetest is the conformance suite of rekey/store: one set of
// tests and benchmarks that every engine runs, so that SQLite and
// PostgreSQL behave alike. An engine's test calls [Run] and [Bench] with a
// [Backend] that makes fresh databases and reaches them with raw SQL (to
// tamper with the audit trail as an attacker with database access would).
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"

	"rekey/store"
)

// Backend is an engine under test.
type Backend struct {
	// NewDSN returns the DSN of a new, empty database.
	NewDSN func(t testing.TB) string
	// Exec runs a statement ($1-style placeholders) on the database behind
	// dsn, bypassing the store.
	Exec func(t testing.TB, dsn, query string, args ...any)
	// QueryInt runs a query that returns one integer, bypassing the store.
	QueryInt func(t testing.TB, dsn, query string, args ...any) int64
	// Migrations is the number of migrations the engine has.
	Migrations int
	// LockWaiters, when set, is a query of how many sessions wait for a
	// row lock; without it a test that needs a session blocked waits a
	// moment instead.
	LockWaiters string
}

// Run runs the conformance suite.
func Run(t *testing.T, b Backend) {
	tests := []struct {
		name string
		fn   func(*testing.T, Backend)
	}{
		{"Subscribers", testSubscribers},
		{"RateCounters", testRateCounters},
		{"Requests", testRequests},
		{"StateMachine", testStateMachine},
		{"ListRequests", testListRequests},
		{"SerialsAndCertificates", testSerialsAndCertificates},
		{"InOfficeCertificates", testInOfficeCertificates},
		{"RevocationAndCRL", testRevocationAndCRL},
		{"Transactions", testTransactions},
		{"ListTransactions", testListTransactions},
		{"Claims", testClaims},
		{"HeldChecks", testHeldChecks},
		{"RequestIDsInTx", testRequestIDsInTx},
		{"CertificateAndTransaction", testCertificateAndTransaction},
		{"Mailbox", testMailbox},
		{"Audit", testAudit},
		{"AuditTamper", testAuditTamper},
		{"AuditBatch", testAuditBatch},
		{"AuditBatchInTx", testAuditBatchInTx},
		{"AuditBatchInvalid", testAuditBatchInvalid},
		{"AuditHeadMoved", testAuditHeadMoved},
		{"InTx", testInTx},
		{"AuditAtCommit", testAuditAtCommit},
		{"HeldWrites", testHeldWrites},
		{"SwallowedError", testSwallowedError},
		{"Durability", testDurability},
		{"Migrations", testMigrations},
		{"ConcurrentIssuance", testConcurrentIssuance},
		{"ConcurrentRetry", testConcurrentRetry},
		{"ConcurrentDecisions", testConcurrentDecisions},
		{"ConcurrentAudit", testConcurrentAudit},
		{"ConcurrentAuditBatches", testConcurrentAuditBatches},
		{"ConcurrentAuditUndone", testConcurrentAuditUndone},
		{"ConcurrentTransactions", testConcurrentTransactions},
		{"RecordBehindConcurrentRecord", testRecordBehindConcurrentRecord},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, b) })
	}
}

// t0 is the suite's clock: the store never reads one, so tests pin it.
var t0 = time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)

// at returns t0 plus d, as the store gives times back (UTC, microseconds).
func at(d time.Duration) time.Time { return t0.Add(d).Truncate(time.Microsecond) }

var issuer = []byte("\x30\x0d\x31\x0b\x30\x09\x06\x03\x55\x04\x03\x0c\x02CA")

// open opens dsn and closes the store when the test ends.
func open(t testing.TB, dsn string) store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func fresh(t testing.TB, b Backend) (store.Store, string) {
	t.Helper()
	dsn := b.NewDSN(t)
	return open(t, dsn), dsn
}

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// newSerial returns a random positive 20-byte serial in minimal encoding.
func newSerial() []byte {
	s := random(20)
	s[0] = s[0]&0x7f | 0x40
	return s
}

func newSubscriber(t testing.TB, tx store.Tx) *store.Subscriber {
	t.Helper()
	s := &store.Subscriber{
		SubjectDER:  append([]byte{0x30, 0x20}, random(32)...),
		SubjectJSON: []byte(`{"CN":"ООО Ромашка","INN":"7707083893"}`),
		Contact:     "office 12, +7 495 000-00-00",
		CreatedAt:   t0,
	}
	if err := tx.CreateSubscriber(context.Background(), s); err != nil {
		t.Fatalf("CreateSubscriber: %v", err)
	}
	return s
}

func newRequest(t testing.TB, tx store.Tx, sub int64) *store.Request {
	t.Helper()
	r := &store.Request{
		SubscriberID:  sub,
		TransactionID: random(16),
		Message:       append([]byte{0x30, 0x82}, random(200)...),
		SignerSerial:  newSerial(),
		SPKISHA256:    random(32),
		ReceivedAt:    t0,
	}
	if err := tx.CreateRequest(context.Background(), r); err != nil {
		t.Fatalf("CreateRequest: %v", err)
	}
	return r
}

// approved returns a new request in state approved.
func approved(t testing.TB, tx store.Tx, sub int64) *store.Request {
	t.Helper()
	r := newRequest(t, tx, sub)
	err := tx.Transition(context.Background(), r.ID, store.StateReceived, store.StateApproved,
		store.Decision{At: at(time.Minute), By: "policy"})
	if err != nil {
		t.Fatalf("Transition to approved: %v", err)
	}
	return r
}

func newCertificate(sub, req int64, serial []byte) *store.Certificate {
	der := append([]byte{0x30, 0x82}, random(300)...)
	spki := sha256.Sum256(der)
	return &store.Certificate{
		Serial:       serial,
		Issuer:       issuer,
		SubscriberID: sub,
		RequestID:    req,
		DER:          der,
		SPKISHA256:   spki[:],
		NotBefore:    at(time.Hour),
		NotAfter:     at(365 * 24 * time.Hour),
		KeyExpires:   at(365 * 24 * time.Hour),
		IssuedAt:     at(time.Hour),
	}
}

// issue reserves a serial for request req and records a certificate.
func issue(t testing.TB, tx store.Tx, sub, req int64) *store.Certificate {
	t.Helper()
	ctx := context.Background()
	serial := newSerial()
	err := tx.ReserveSerial(ctx, &store.Reservation{Serial: serial, Issuer: issuer,
		RequestID: req, ReservedAt: at(time.Hour)})
	if err != nil {
		t.Fatalf("ReserveSerial: %v", err)
	}
	c := newCertificate(sub, req, serial)
	if err := tx.RecordCertificate(ctx, c); err != nil {
		t.Fatalf("RecordCertificate: %v", err)
	}
	return c
}

// wantErr checks that err is an *store.OpError of operation op that
// matches target.
func wantErr(t testing.TB, err error, target error, op string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", op, err, target)
	}
	var oe *store.OpError
	if !errors.As(err, &oe) {
		t.Fatalf("%s: error %v is not a *store.OpError", op, err)
	}
	if oe.Op != op || oe.Table == "" {
		t.Fatalf("%s: OpError{Op: %q, Table: %q}, want Op %q and a table", op, oe.Op, oe.Table, op)
	}
}

// wantConflict checks for an ErrConflict naming key.
func wantConflict(t testing.TB, err error, key, op string) {
	t.Helper()
	wantErr(t, err, store.ErrConflict, op)
	var ce *store.ConflictError
	if !errors.As(err, &ce) || ce.Key != key {
		t.Fatalf("%s: conflict %v, want key %q", op, err, key)
	}
}

func itob(n int) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(n))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func sprint(v any) string { return fmt.Sprintf("%+v", v) }
