package rekeyd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"rekey/cmp"
	"rekey/store"
)

// txSender is the sender column of the CMP transactions in the store: the
// CMP layer keys its transactions by transactionID alone.
var txSender = []byte("cmp")

// TransactionStore keeps the CMP server's transactions and nonces in the
// operator's database, so that a pollReq or a certConf is answered after a
// restart and by any replica. It implements cmp.TransactionStore.
type TransactionStore struct {
	st  store.Store
	now func() time.Time
}

// NewTransactionStore returns the transaction store on st; now is the
// clock that decides which transactions have expired.
func NewTransactionStore(st store.Store, now func() time.Time) *TransactionStore {
	return &TransactionStore{st: st, now: now}
}

var _ cmp.TransactionStore = (*TransactionStore)(nil)

var _ cmp.TransactionBatcher = (*TransactionStore)(nil)

// Batch implements cmp.TransactionBatcher: while the Server handles one
// message under the returned context, the transaction's writes wait in a
// unit for the next commit of the same message (see unit); commit makes
// those still waiting durable. A write that fails there fails the commit
// that carries it, before anything depending on it is signed or sent.
func (s *TransactionStore) Batch(ctx context.Context) (context.Context,
	func(context.Context) error) {
	ctx, _ = withUnit(ctx)
	return ctx, func(ctx context.Context) error { return commitUnit(ctx, s.st) }
}

// Create stores a new transaction; an existing one is
// cmp.ErrTransactionExists.
func (s *TransactionStore) Create(ctx context.Context, tx *cmp.Transaction) error {
	row, err := s.txRow(ctx, tx)
	if err != nil {
		return err
	}
	if u := unitOf(ctx); u != nil {
		return s.createLater(ctx, u, tx, row)
	}
	row.Version = 0
	if err := s.st.CreateTransaction(ctx, row); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return s.replaceExpired(ctx, tx)
		}
		return fmt.Errorf("rekeyd: storing transaction: %w", err)
	}
	tx.Version = row.Version
	return nil
}

// createLater is Create in a unit: the row is checked now and written at
// the unit's next commit, where a transaction created meanwhile by another
// message is refused as transactionIdInUse.
func (s *TransactionStore) createLater(ctx context.Context, u *unit, tx *cmp.Transaction,
	row *store.Transaction) error {
	old, err := s.st.Transaction(ctx, txSender, tx.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		u.addAlone(func(ctx context.Context, t store.Tx) error {
			r := *row
			r.Version = 0
			return txStoreError(t.CreateTransaction(ctx, &r))
		})
		tx.Version = 1 // what CreateTransaction gives a new row
		return nil
	case err != nil:
		return fmt.Errorf("rekeyd: reading transaction: %w", err)
	case s.now().Before(old.ExpiresAt):
		return cmp.ErrTransactionExists
	}
	// An expired transaction with the same ID: reuse its row.
	tx.Version = updateLater(u, row, old.Version)
	return nil
}

// updateLater queues the update of row, read at version, for the unit's
// next commit and returns the version it will have.
func updateLater(u *unit, row *store.Transaction, version int64) int64 {
	u.addAlone(func(ctx context.Context, t store.Tx) error {
		r := *row
		r.Version = version
		return txStoreError(t.UpdateTransaction(ctx, &r))
	})
	return version + 1
}

// txStoreError is the error of a transaction write made at a unit's
// commit: a race lost to another message is the refusal the Server would
// have given it, anything else an internal error.
func txStoreError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrStateChanged):
		return fmt.Errorf("rekeyd: storing transaction: %w: %w",
			cmp.Refuse(cmp.FailTransactionIDInUse, "", ""), err)
	}
	return fmt.Errorf("rekeyd: storing transaction: %w", err)
}

// replaceExpired reuses the row of an expired transaction with the same
// ID (the store deletes expired rows only periodically).
func (s *TransactionStore) replaceExpired(ctx context.Context, tx *cmp.Transaction) error {
	old, err := s.st.Transaction(ctx, txSender, tx.ID)
	if err != nil {
		return fmt.Errorf("rekeyd: reading transaction: %w", err)
	}
	if s.now().Before(old.ExpiresAt) {
		return cmp.ErrTransactionExists
	}
	row, err := s.txRow(ctx, tx)
	if err != nil {
		return err
	}
	row.Version = old.Version
	if err := s.st.UpdateTransaction(ctx, row); err != nil {
		if errors.Is(err, store.ErrStateChanged) {
			return cmp.ErrTransactionExists
		}
		return fmt.Errorf("rekeyd: storing transaction: %w", err)
	}
	tx.Version = row.Version
	return nil
}

// Get returns a live transaction, or cmp.ErrTransactionNotFound.
func (s *TransactionStore) Get(ctx context.Context, id []byte) (*cmp.Transaction, error) {
	row, err := s.st.Transaction(ctx, txSender, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, cmp.ErrTransactionNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("rekeyd: reading transaction: %w", err)
	}
	tx, err := decodeTxState(row.State)
	if err != nil {
		return nil, err
	}
	if !s.now().Before(row.ExpiresAt) {
		return nil, cmp.ErrTransactionNotFound
	}
	tx.Version = row.Version
	setRequestOfUnit(ctx, row.RequestID)
	return tx, nil
}

// Update replaces a transaction if nobody changed it since it was read
// (compare and set on Version); else cmp.ErrTransactionConflict.
func (s *TransactionStore) Update(ctx context.Context, tx *cmp.Transaction) error {
	row, err := s.txRow(ctx, tx)
	if err != nil {
		return err
	}
	if u := unitOf(ctx); u != nil {
		tx.Version = updateLater(u, row, row.Version)
		return nil
	}
	err = s.st.UpdateTransaction(ctx, row)
	switch {
	case errors.Is(err, store.ErrStateChanged):
		return cmp.ErrTransactionConflict
	case errors.Is(err, store.ErrNotFound):
		return cmp.ErrTransactionNotFound
	case err != nil:
		return fmt.Errorf("rekeyd: storing transaction: %w", err)
	}
	tx.Version = row.Version
	return nil
}

// SeenNonce remembers nonce until until and reports whether it was seen
// before.
func (s *TransactionStore) SeenNonce(ctx context.Context, nonce []byte,
	until time.Time) (bool, error) {
	if u := unitOf(ctx); u != nil {
		// A nonce seen before fails the unit's first commit, and with
		// it everything the message would have changed.
		nonce := append([]byte(nil), nonce...)
		u.addAlone(func(ctx context.Context, t store.Tx) error {
			err := t.RememberNonce(ctx, txSender, nonce, until)
			if errors.Is(err, store.ErrConflict) {
				return fmt.Errorf("rekeyd: sender nonce: %w: %w", cmp.Refuse(
					cmp.FailBadSenderNonce, "", ""), err)
			}
			if err != nil {
				return fmt.Errorf("rekeyd: remembering nonce: %w", err)
			}
			return nil
		})
		return false, nil
	}
	err := s.st.RememberNonce(ctx, txSender, nonce, until)
	if errors.Is(err, store.ErrConflict) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("rekeyd: remembering nonce: %w", err)
	}
	return false, nil
}

// Expired lists issued transactions whose confirmWaitTime passed, at most
// limit. It looks at the renewal requests still in state issued that
// were received before the shortest possible wait, and keeps those whose
// transaction is past its ConfirmBy.
//
// Known issue: an ir transaction has no request, so an ir certificate
// that is never confirmed is not found here and stays valid. Nor is a
// renewal whose answer was never recorded (the server died; its
// transaction stayed cmp.TxOpen, without the certificate) and whose
// subscriber never sends the kur again.
func (s *TransactionStore) Expired(ctx context.Context, now time.Time,
	limit int) ([]*cmp.Transaction, error) {
	reqs, err := s.st.ListRequests(ctx, store.RequestQuery{
		States: []store.State{store.StateIssued}, ReceivedBefore: now.Add(-minConfirmWait)})
	if err != nil {
		return nil, fmt.Errorf("rekeyd: listing issued requests: %w", err)
	}
	var out []*cmp.Transaction
	for _, r := range reqs {
		if len(out) >= limit {
			break
		}
		row, err := s.st.Transaction(ctx, txSender, r.TransactionID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("rekeyd: reading transaction: %w", err)
		}
		tx, err := decodeTxState(row.State)
		if err != nil {
			continue
		}
		if tx.State == cmp.TxIssued && now.After(tx.ConfirmBy) {
			tx.Version = row.Version
			out = append(out, tx)
		}
	}
	return out, nil
}

// minConfirmWait bounds from below the time between receiving a request
// and the end of its certificate's confirmation wait.
const minConfirmWait = time.Minute

// txRow is the store row of tx; a transaction without a creation time
// was created now, by the store's clock.
func (s *TransactionStore) txRow(ctx context.Context, tx *cmp.Transaction) (
	*store.Transaction, error) {
	state, err := encodeTxState(tx)
	if err != nil {
		return nil, err
	}
	created := tx.Created
	if created.IsZero() {
		created = s.now()
	}
	updated := tx.Updated
	if updated.IsZero() {
		updated = created
	}
	return &store.Transaction{
		Sender: txSender, TransactionID: tx.ID, RequestID: requestOfUnit(ctx),
		RecipNonce: tx.LastNonce,
		Expect:     tx.State.String(), Version: tx.Version, CreatedAt: created, UpdatedAt: updated,
		ExpiresAt: tx.Expires, State: state,
	}, nil
}
