package cmp

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
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

// dyingStore is a transaction store whose server dies while dead is set:
// every Update fails, as when the process stops after the transaction
// was opened and the Authority decided, before the answer was recorded.
type dyingStore struct {
	*MemoryTransactionStore
	dead atomic.Bool
}

func (d *dyingStore) Update(ctx context.Context, tx *Transaction) error {
	if d.dead.Load() {
		return errors.New("the server died")
	}
	return d.MemoryTransactionStore.Update(ctx, tx)
}

// recordAll keeps every request it carries.
type recordAll struct {
	next Transport
	mu   sync.Mutex
	sent [][]byte
}

func (r *recordAll) Exchange(ctx context.Context, der []byte) ([]byte, error) {
	r.mu.Lock()
	r.sent = append(r.sent, der)
	r.mu.Unlock()
	return r.next.Exchange(ctx, der)
}

// TestResumeOpenedKeyUpdate: the server dies after a kur opened its
// transaction and the Authority issued, before the answer was recorded
// (the transaction stays TxOpen). After the restart, the kur resent under
// that transactionID with the same signer, key and certReqId (and a fresh
// senderNonce) is handed to the Authority again and gets the certificate
// issued the first time; another key under that transactionID is
// transactionIdInUse, and the first message replayed is badSenderNonce.
func TestResumeOpenedKeyUpdate(t *testing.T) {
	ds := &dyingStore{}
	e := newTestEnv(t, "ecdsa", func(c *ServerConfig) {
		ds.MemoryTransactionStore = NewMemoryTransactionStore(c.Clock)
		c.Transactions = ds
	})
	ctx := context.Background()
	cur := e.enroll(t, "Петров Пётр")
	rec := &recordAll{next: e.client.Transport}
	dying := e.newClient()
	dying.Transport = rec
	txID := make([]byte, 16)
	rand.Read(txID)
	opts := &KeyUpdateOptions{Current: cur.Certificate, CurrentKey: cur.Key,
		NewKey: newKey(t, "ecdsa"), TransactionID: txID}

	ds.dead.Store(true)
	if _, err := dying.UpdateKey(ctx, opts); err == nil {
		t.Fatal("a kur was answered by a server that died")
	}
	ds.dead.Store(false)
	tx, err := ds.Get(ctx, txID)
	if err != nil || tx.State != TxOpen {
		t.Fatalf("after the crash: transaction %v, %v; want it open", tx, err)
	}
	e.auth.mu.Lock()
	serial := e.auth.serial
	e.auth.mu.Unlock()

	// Another key under the transactionID is still refused.
	other := *opts
	other.NewKey = newKey(t, "ecdsa")
	_, err = e.newClient().UpdateKey(ctx, &other)
	wantRefusal(t, err, FailTransactionIDInUse)

	// The same kur resent: the certificate of the first attempt.
	res, err := e.newClient().UpdateKey(ctx, opts)
	if err != nil || res.Certificate == nil {
		t.Fatalf("resent kur after the crash: %v", err)
	}
	if res.Certificate.SerialNumber.Int64() != serial {
		t.Errorf("got serial %d, want %d: the one issued before the crash",
			res.Certificate.SerialNumber.Int64(), serial)
	}
	e.auth.mu.Lock()
	if e.auth.serial != serial {
		t.Errorf("the Authority issued %d more certificates", e.auth.serial-serial)
	}
	e.auth.mu.Unlock()
	if err := e.client.Confirm(ctx, res.State, cur, true); err != nil {
		t.Fatalf("Confirm after the resent kur: %v", err)
	}

	// The first message replayed as it was.
	respDER, err := e.client.Transport.Exchange(ctx, rec.sent[0])
	if err != nil {
		t.Fatal(err)
	}
	resp, err := ParseMessage(respDER)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Body.Type != TypeError ||
		resp.Body.Error.StatusInfo.FailInfo&FailBadSenderNonce == 0 {
		t.Errorf("the replayed kur was answered %s, want badSenderNonce", resp.Body.Type)
	}
}

// unreadableStore fails every Get while broken is set: a database that
// cannot be read.
type unreadableStore struct {
	*MemoryTransactionStore
	broken atomic.Bool
}

func (u *unreadableStore) Get(ctx context.Context, id []byte) (*Transaction, error) {
	if u.broken.Load() {
		return nil, errors.New("the database cannot be read")
	}
	return u.MemoryTransactionStore.Get(ctx, id)
}

// TestResentKeyUpdateUnreadable: a kur resent while its transaction
// cannot be read is a system failure, not the transactionIdInUse of
// another request: the subscriber tries again later.
func TestResentKeyUpdateUnreadable(t *testing.T) {
	us := &unreadableStore{}
	e := newTestEnv(t, "ecdsa", func(c *ServerConfig) {
		us.MemoryTransactionStore = NewMemoryTransactionStore(c.Clock)
		c.Transactions = us
	})
	ctx := context.Background()
	cur := e.enroll(t, "Петров Пётр")
	txID := make([]byte, 16)
	rand.Read(txID)
	opts := &KeyUpdateOptions{Current: cur.Certificate, CurrentKey: cur.Key,
		NewKey: newKey(t, "ecdsa"), TransactionID: txID}
	if _, err := e.newClient().UpdateKey(ctx, opts); err != nil {
		t.Fatal(err)
	}
	us.broken.Store(true)
	_, err := e.newClient().UpdateKey(ctx, opts)
	wantRefusal(t, err, FailSystemFailure)
}
