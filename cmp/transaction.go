package cmp

import (
	"context"
	"encoding/hex"
	"errors"
	"sync"
	"time"
)

// TxState is where a server-side transaction stands: which body the
// Server expects next.
type TxState int

const (
	// TxWaiting: answered with waiting; pollReq expected.
	TxWaiting TxState = iota + 1
	// TxIssued: certificate sent; certConf (or a repeated pollReq)
	// expected until ConfirmBy.
	TxIssued
	// TxDone: finished. Kept until Expires so that its transactionID and
	// nonces cannot be used again.
	TxDone
	// TxOpen: an ir or kur recorded when it opened the transaction, with
	// its certReqId, key and signer, and no answer recorded yet. A
	// transaction stays here when the Server stopped between that record
	// and the next (a crash after the Authority's first commit); a kur
	// resent under its transactionID resumes it (see the package doc).
	// It comes last so that stored states keep their numbers.
	TxOpen
)

var txStateNames = [...]string{"", "waiting", "issued", "done", "open"}

// String returns the name of s.
func (s TxState) String() string {
	if s > 0 && int(s) < len(txStateNames) {
		return txStateNames[s]
	}
	return "unknown"
}

// Transaction is the Server's record of one CMP transaction (RFC 9810
// §5.1.1 transactionID). It holds no secret: a MAC-protected transaction
// keeps the reference of its one-time secret, looked up again for every
// message.
type Transaction struct {
	ID    []byte
	Kind  BodyType // the opening request: ir, kur, rr or genm
	State TxState

	// LastNonce is the senderNonce of the Server's last response: the
	// recipNonce the next request must carry.
	LastNonce []byte

	// Protection of the opening request, which every later message of
	// the transaction must share: a MAC under the secret of Reference, or
	// a signature by the certificate Signer (DER).
	MAC       bool
	MACAlg    MACAlgorithm // what the Server answers a MAC transaction with
	Reference []byte
	Signer    []byte

	CertReqID   int64
	Implicit    bool   // implicitConfirm asked for and granted
	PublicKey   []byte // DER SubjectPublicKeyInfo requested
	Certificate []byte // TxIssued: the certificate sent
	CAPubs      [][]byte
	ConfirmBy   time.Time // TxIssued: confirmWaitTime

	Created time.Time
	Updated time.Time
	// Expires is when the store may forget the transaction.
	Expires time.Time

	// Version counts updates; Update refuses a stale copy.
	Version int64
}

// Errors of a TransactionStore.
var (
	ErrTransactionExists   = errors.New("cmp: transaction exists")
	ErrTransactionNotFound = errors.New("cmp: transaction not found")
	ErrTransactionConflict = errors.New("cmp: transaction changed concurrently")
)

// TransactionStore keeps the Server's transactions and the sender nonces
// seen. The operator backs it with its database, so that several server
// replicas share it; MemoryTransactionStore is the in-process one.
type TransactionStore interface {
	// Create stores a new transaction; ErrTransactionExists when its ID
	// is known (also a finished, unexpired one).
	Create(ctx context.Context, tx *Transaction) error
	// Get returns a copy of the transaction; ErrTransactionNotFound when
	// it is unknown or expired.
	Get(ctx context.Context, id []byte) (*Transaction, error)
	// Update stores tx if the stored Version equals tx.Version, and then
	// increments both; ErrTransactionConflict otherwise.
	Update(ctx context.Context, tx *Transaction) error
	// SeenNonce records a sender nonce until the given time and reports
	// whether it was recorded before (a replay).
	SeenNonce(ctx context.Context, nonce []byte, until time.Time) (bool, error)
	// Expired returns the transactions in TxIssued whose ConfirmBy is
	// before now, for the Server to close; at most limit of them.
	Expired(ctx context.Context, now time.Time, limit int) ([]*Transaction, error)
}

// TransactionBatcher is a TransactionStore that can gather the writes made
// while one message is handled into fewer commits. Handle calls Batch
// first and handles the message under the context it returns (the
// store's writes, and the Authority's, may wait there for a common
// commit); before it answers, it calls commit, which makes every write
// still waiting durable. When commit fails the answer is an error: the
// *Refusal in its error (badSenderNonce for a replay found only then,
// say), else systemFailure. A commit that fails with ErrHandleAgain
// (another server got ahead of a write this message made in the belief
// that none could) makes Handle discard the answer and handle the message
// once more, from the start, in a new batch.
type TransactionBatcher interface {
	TransactionStore
	Batch(ctx context.Context) (batched context.Context, commit func(context.Context) error)
}

// TransactionPrefetcher is a TransactionStore that is told the
// transactionID of the message Handle is handling (under the context of
// its batch) once the header is checked, before the Authority's first
// call, so that it can read the transaction along with the Authority's
// first read (a certificate, say) rather than after it.
type TransactionPrefetcher interface {
	TransactionStore
	Prefetch(ctx context.Context, transactionID []byte)
}

// ErrHandleAgain is what a TransactionBatcher's commit wraps when the
// message should be handled again: what it wrote lost a race that a second
// pass resolves (it then finds the other server's result).
var ErrHandleAgain = errors.New("cmp: the message must be handled again")

// MemoryTransactionStore is a TransactionStore in memory, for one server
// process and for tests. The zero value is not usable: call
// NewMemoryTransactionStore.
type MemoryTransactionStore struct {
	now func() time.Time

	mu     sync.Mutex
	txs    map[string]*Transaction
	nonces map[string]time.Time
	ops    int
}

// NewMemoryTransactionStore returns an empty store that forgets expired
// entries by the clock now (time.Now when nil).
func NewMemoryTransactionStore(now func() time.Time) *MemoryTransactionStore {
	if now == nil {
		now = time.Now
	}
	return &MemoryTransactionStore{now: now, txs: map[string]*Transaction{},
		nonces: map[string]time.Time{}}
}

func (s *MemoryTransactionStore) Create(_ context.Context, tx *Transaction) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purge()
	k := hex.EncodeToString(tx.ID)
	if old, ok := s.txs[k]; ok && s.now().Before(old.Expires) {
		return ErrTransactionExists
	}
	tx.Version = 1
	s.txs[k] = cloneTx(tx)
	return nil
}

func (s *MemoryTransactionStore) Get(_ context.Context, id []byte) (*Transaction, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, ok := s.txs[hex.EncodeToString(id)]
	if !ok || !s.now().Before(tx.Expires) {
		return nil, ErrTransactionNotFound
	}
	return cloneTx(tx), nil
}

func (s *MemoryTransactionStore) Update(_ context.Context, tx *Transaction) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := hex.EncodeToString(tx.ID)
	old, ok := s.txs[k]
	if !ok {
		return ErrTransactionNotFound
	}
	if old.Version != tx.Version {
		return ErrTransactionConflict
	}
	tx.Version++
	s.txs[k] = cloneTx(tx)
	return nil
}

func (s *MemoryTransactionStore) SeenNonce(_ context.Context, nonce []byte,
	until time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purge()
	k := hex.EncodeToString(nonce)
	if t, ok := s.nonces[k]; ok && s.now().Before(t) {
		return true, nil
	}
	s.nonces[k] = until
	return false, nil
}

func (s *MemoryTransactionStore) Expired(_ context.Context, now time.Time,
	limit int) ([]*Transaction, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Transaction
	for _, tx := range s.txs {
		if len(out) < limit && tx.State == TxIssued && now.After(tx.ConfirmBy) {
			out = append(out, cloneTx(tx))
		}
	}
	return out, nil
}

// purge forgets expired entries, every 64 operations.
func (s *MemoryTransactionStore) purge() {
	if s.ops++; s.ops%64 != 0 {
		return
	}
	now := s.now()
	for k, tx := range s.txs {
		if !now.Before(tx.Expires) {
			delete(s.txs, k)
		}
	}
	for k, t := range s.nonces {
		if !now.Before(t) {
			delete(s.nonces, k)
		}
	}
}

func cloneTx(tx *Transaction) *Transaction {
	c := *tx
	c.CAPubs = append([][]byte(nil), tx.CAPubs...)
	return &c
}
