package cmp

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"testing"
)

// loseAnswer delivers the request to the Server and loses its answer, as
// a connection that breaks on the way back.
type loseAnswer struct{ next Transport }

func (l loseAnswer) Exchange(ctx context.Context, der []byte) ([]byte, error) {
	if _, err := l.next.Exchange(ctx, der); err != nil {
		return nil, err
	}
	return nil, errors.New("connection reset by peer")
}

// TestResentKeyUpdate: a kur whose answer was lost is sent again under
// its transactionID and gets the transaction's state — waiting, then the
// same certificate — while the Authority sees one request; the same
// transactionID with another key is refused.
func TestResentKeyUpdate(t *testing.T) {
	e := newTestEnv(t, "ecdsa", nil)
	ctx := context.Background()
	cur := e.enroll(t, "Петров Пётр")
	lossy := e.newClient()
	lossy.Transport = loseAnswer{e.client.Transport}
	updates := func() int {
		e.auth.mu.Lock()
		defer e.auth.mu.Unlock()
		n := 0
		for _, c := range e.auth.calls {
			if c == "update" {
				n++
			}
		}
		return n
	}

	// Waiting: the resent kur is answered waiting from the same
	// transaction; polling goes on from there.
	e.auth.mu.Lock()
	e.auth.delay = 2
	e.auth.mu.Unlock()
	txID := make([]byte, 16)
	rand.Read(txID)
	key := newKey(t, "ecdsa")
	opts := &KeyUpdateOptions{Current: cur.Certificate, CurrentKey: cur.Key, NewKey: key,
		TransactionID: txID}
	if _, err := lossy.UpdateKey(ctx, opts); err == nil {
		t.Fatal("the lost answer arrived")
	}
	res, err := e.client.UpdateKey(ctx, opts)
	if err != nil || res.State.State != ClientWaiting || !bytes.Equal(res.State.TransactionID, txID) {
		t.Fatalf("resent kur: %v", err)
	}
	if n := updates(); n != 1 {
		t.Fatalf("the Authority saw %d requests", n)
	}
	if res, err = e.client.Poll(ctx, res.State, cur); err != nil || res.Certificate == nil {
		t.Fatalf("Poll after the resent kur: %v", err)
	}

	// Issued: the certificate again, not a second one.
	e.auth.mu.Lock()
	e.auth.delay = 0
	e.auth.mu.Unlock()
	rand.Read(txID)
	key = newKey(t, "ecdsa")
	opts = &KeyUpdateOptions{Current: cur.Certificate, CurrentKey: cur.Key, NewKey: key,
		TransactionID: slices.Clone(txID)}
	if _, err := lossy.UpdateKey(ctx, opts); err == nil {
		t.Fatal("the lost answer arrived")
	}
	e.auth.mu.Lock()
	serial := e.auth.serial
	e.auth.mu.Unlock()
	res, err = e.client.UpdateKey(ctx, opts)
	if err != nil || res.Certificate == nil {
		t.Fatalf("resent kur after issue: %v", err)
	}
	e.auth.mu.Lock()
	if e.auth.serial != serial {
		t.Errorf("a second certificate was issued")
	}
	e.auth.mu.Unlock()
	if err := e.client.Confirm(ctx, res.State, cur, true); err != nil {
		t.Fatalf("Confirm: %v", err)
	}

	// The same transactionID for another key is refused.
	rand.Read(txID)
	opts.TransactionID, opts.NewKey = slices.Clone(txID), newKey(t, "ecdsa")
	lossy.UpdateKey(ctx, opts)
	opts.NewKey = newKey(t, "ecdsa")
	_, err = e.client.UpdateKey(ctx, opts)
	wantRefusal(t, err, FailTransactionIDInUse)

	// A transactionID too short is refused by the client.
	opts.TransactionID = []byte("short")
	if _, err := e.client.UpdateKey(ctx, opts); err == nil {
		t.Error("a 5-byte transactionID was sent")
	}
}
