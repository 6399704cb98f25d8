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

var _ cmp.TransactionPrefetcher = (*TransactionStore)(nil)

// Prefetch implements cmp.TransactionPrefetcher: the message's first
// certificate read (the revocation check of its signer) reads its
// transaction too, in one round trip, and the first look at the
// transaction (Create, Get) takes that row.
func (s *TransactionStore) Prefetch(ctx context.Context, id []byte) {
	if u := unitOf(ctx); u != nil && len(id) > 0 {
		u.mu.Lock()
		u.txID, u.txRead, u.tx = append([]byte(nil), id...), false, nil
		u.mu.Unlock()
	}
}

// transaction reads the row of id, or takes it from the message's
// certificate read (Prefetch).
func (s *TransactionStore) transaction(ctx context.Context, id []byte) (*store.Transaction,
	error) {
	if row, ok := unitOf(ctx).takeTransaction(id); ok {
		if row == nil {
			return nil, &store.OpError{Op: "Transaction", Table: "transactions",
				Err: store.ErrNotFound}
		}
		return row, nil
	}
	return s.st.Transaction(ctx, txSender, id)
}

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
//
// Known issue: so is a kur resent while the first is still in its first
// transaction (the row not yet committed); the client's next retry finds
// the transaction.
func (s *TransactionStore) createLater(ctx context.Context, u *unit, tx *cmp.Transaction,
	row *store.Transaction) error {
	old, err := s.transaction(ctx, tx.ID)
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
	row, err := s.transaction(ctx, id)
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
// limit, those expiring first first: the kur's and the ir's alike, from
// the transactions in state issued.
//
// Then, while there is room, the renewals whose certificate was recorded
// but never delivered (the server stopped before it recorded the answer,
// and the transaction stayed cmp.TxOpen) or whose transaction row is gone
// (closing it failed until the row expired), once undeliveredAfter has
// passed since the request arrived: within it, a kur resent under the
// same transactionID still gets the certificate. Each comes with the
// certificate recorded for its request; one whose row is gone has
// Version 0, and the Server's update of it finds nothing to update.
//
// Last, the irs' certificates recorded and never confirmed whose secret
// was used (its marker, kindSecretIssued, written with the serial's
// reservation) undeliveredAfter ago or more: the answer never recorded,
// and no ir sent again for it (Authority.Enroll would have delivered it).
// An ir's transaction closed otherwise (confirmed, or revoked through its
// row) retires the marker; a marker whose certificate is gone or revoked
// is retired here. Each comes as a transaction of Version 0 named after
// the secret's reference.
func (s *TransactionStore) Expired(ctx context.Context, now time.Time,
	limit int) ([]*cmp.Transaction, error) {
	rows, err := s.st.ListTransactions(ctx, store.TransactionQuery{Sender: txSender,
		Expect: cmp.TxIssued.String(), Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("rekeyd: listing issued transactions: %w", err)
	}
	var out []*cmp.Transaction
	for _, row := range rows {
		tx, err := decodeTxState(row.State)
		if err != nil {
			continue
		}
		if tx.State == cmp.TxIssued && now.After(tx.ConfirmBy) {
			tx.Version = row.Version
			out = append(out, tx)
		}
	}
	if len(out) >= limit {
		return out, nil
	}
	reqs, err := s.st.ListRequests(ctx, store.RequestQuery{
		States: []store.State{store.StateIssued}, ReceivedBefore: now.Add(-undeliveredAfter)})
	if err != nil {
		return nil, fmt.Errorf("rekeyd: listing issued requests: %w", err)
	}
	for _, r := range reqs {
		if len(out) >= limit {
			break
		}
		tx, err := s.undelivered(ctx, &r)
		if err != nil {
			return nil, err
		}
		if tx != nil {
			out = append(out, tx)
		}
	}
	if len(out) >= limit {
		return out, nil
	}
	irs, err := s.undeliveredEnrollments(ctx, now, limit-len(out))
	return append(out, irs...), err
}

// undeliveredEnrollments lists, at most limit, the transactions to close
// for irs whose certificate was recorded undeliveredAfter before now or
// earlier and never confirmed; see Expired.
func (s *TransactionStore) undeliveredEnrollments(ctx context.Context, now time.Time,
	limit int) ([]*cmp.Transaction, error) {
	markers, err := s.st.ListMessages(ctx, store.MessageQuery{Kind: kindSecretIssued,
		CreatedBefore: now.Add(-undeliveredAfter), Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("rekeyd: listing used secrets: %w", err)
	}
	var out []*cmp.Transaction
	for _, m := range markers {
		rec, err := s.st.Certificate(ctx, m.Body)
		switch {
		case errors.Is(err, store.ErrNotFound) || err == nil && rec.Status != store.StatusValid:
			// Nothing was signed, or it is revoked: nothing to close.
			if err := s.st.AckMessage(ctx, m.SubscriberID, m.ID, now); err != nil &&
				!errors.Is(err, store.ErrNotFound) {
				return nil, fmt.Errorf("rekeyd: retiring a used secret: %w", err)
			}
			continue
		case err != nil:
			return nil, fmt.Errorf("rekeyd: reading the certificate of a used secret: %w", err)
		}
		out = append(out, &cmp.Transaction{ID: append([]byte("ir:"), m.TransactionID...),
			Kind: cmp.TypeIR, State: cmp.TxIssued, MAC: true, Reference: m.TransactionID,
			Certificate: rec.DER})
	}
	return out, nil
}

// undeliveredAfter is how long after a renewal request arrived its
// certificate, recorded but never sent, waits for the kur to be resent:
// as long as a waiting transaction lives.
const undeliveredAfter = cmp.DefaultTransactionLifetime

// undelivered returns the transaction to close for r, an issued request
// received before undeliveredAfter, when its certificate never left: its
// transaction open or gone. Else nil (it is issued and closed through its
// transaction, or confirmed meanwhile).
func (s *TransactionStore) undelivered(ctx context.Context, r *store.Request) (
	*cmp.Transaction, error) {
	tx := &cmp.Transaction{ID: r.TransactionID, Kind: cmp.TypeKUR, State: cmp.TxIssued}
	row, err := s.st.Transaction(ctx, txSender, r.TransactionID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, fmt.Errorf("rekeyd: reading transaction: %w", err)
	default:
		open, err := decodeTxState(row.State)
		if err != nil || open.State != cmp.TxOpen {
			return nil, nil
		}
		tx = open
		tx.Version = row.Version
	}
	rec, err := s.st.CertificateByRequest(ctx, r.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("rekeyd: reading the certificate of request %d: %w", r.ID, err)
	}
	tx.Certificate = rec.DER
	return tx, nil
}

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
