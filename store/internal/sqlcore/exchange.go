package sqlcore

import (
	"context"
	"errors"
	"time"

	"rekey/store"
)

// CMP transactions.

const transactionCols = `sender, transaction_id, request_id, sender_nonce, recip_nonce, expect,
	version, created_at, updated_at, expires_at, state`

func scanTransaction(row Row) (*store.Transaction, error) {
	var t store.Transaction
	err := row.Scan(&t.Sender, &t.TransactionID, id{&t.RequestID}, &t.SenderNonce,
		&t.RecipNonce, &t.Expect, &t.Version, tm{&t.CreatedAt}, tm{&t.UpdatedAt},
		tm{&t.ExpiresAt}, &t.State)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func (o ops) CreateTransaction(ctx context.Context, t *store.Transaction) error {
	const op, table = "CreateTransaction", "transactions"
	if len(t.Sender) == 0 || len(t.TransactionID) == 0 || t.CreatedAt.IsZero() ||
		t.ExpiresAt.IsZero() {
		return invalid(op, table, "sender, transactionID, creation and expiry are required")
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	q := `INSERT INTO transactions (` + transactionCols + `)
		VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $10)`
	args := []any{t.Sender, t.TransactionID, nid(t.RequestID), nb(t.SenderNonce),
		nb(t.RecipNonce), t.Expect, ts(t.CreatedAt), ts(t.UpdatedAt), ts(t.ExpiresAt), nb(t.State)}
	fail := func(err error) error {
		return o.fail(op, table, withKey(o.db.drv.Classify(err), store.KeyTransaction))
	}
	if !o.later(q, args, fail) {
		if _, err := o.w().Exec(ctx, q, args...); err != nil {
			return fail(err)
		}
	}
	t.Version = 1
	for _, p := range []*time.Time{&t.CreatedAt, &t.UpdatedAt, &t.ExpiresAt} {
		*p = norm(*p)
	}
	return nil
}

func (o ops) CertificateAndTransaction(ctx context.Context, serial, sender,
	transactionID []byte) (*store.Certificate, *store.Transaction, error) {
	const op = "CertificateAndTransaction"
	var (
		cert *store.Certificate
		tx   *store.Transaction
	)
	qs := []Query{
		{`SELECT ` + certificateCols + ` FROM certificates WHERE serial = $1`, []any{serial},
			func(r Row) (err error) { cert, err = scanCertificate(r); return err }},
		{`SELECT ` + transactionCols + ` FROM transactions
			WHERE sender = $1 AND transaction_id = $2`, []any{sender, transactionID},
			func(r Row) (err error) { tx, err = scanTransaction(r); return err }},
	}
	// A missing row is nil, not an error.
	for i := range qs {
		scan := qs[i].Scan
		qs[i].Scan = func(r Row) error {
			if err := o.db.drv.Classify(scan(r)); err != nil &&
				!errors.Is(err, store.ErrNotFound) {
				return err
			}
			return nil
		}
	}
	if br, ok := o.db.drv.(BatchReader); ok && o.tx == nil {
		if err := br.ReadBatch(ctx, qs); err != nil {
			return nil, nil, o.fail(op, "certificates, transactions", err)
		}
		return cert, tx, nil
	}
	for _, q := range qs {
		if err := q.Scan(o.r().QueryRow(ctx, q.SQL, q.Args...)); err != nil {
			return nil, nil, o.fail(op, "certificates, transactions", err)
		}
	}
	return cert, tx, nil
}

func (o ops) Transaction(
	ctx context.Context,
	sender, transactionID []byte,
) (*store.Transaction, error) {
	t, err := scanTransaction(o.r().QueryRow(ctx, `SELECT `+transactionCols+` FROM transactions
		WHERE sender = $1 AND transaction_id = $2`, sender, transactionID))
	if err != nil {
		return nil, o.fail("Transaction", "transactions", err)
	}
	return t, nil
}

func (o ops) ListTransactions(ctx context.Context, q store.TransactionQuery) (
	[]store.Transaction, error) {
	const op, table = "ListTransactions", "transactions"
	var w where
	if len(q.Sender) > 0 {
		w.add("sender = $%d", q.Sender)
	}
	if q.Expect != "" {
		w.add("expect = $%d", q.Expect)
	}
	if !q.ExpiresBefore.IsZero() {
		w.add("expires_at < $%d", ts(q.ExpiresBefore))
	}
	lim := w.next(limit(q.Limit))
	rows, err := o.r().Query(ctx, `SELECT `+transactionCols+` FROM transactions`+w.sql()+
		` ORDER BY expires_at, sender, transaction_id LIMIT `+lim, w.args...)
	if err != nil {
		return nil, o.fail(op, table, err)
	}
	defer rows.Close()
	var out []store.Transaction
	for rows.Next() {
		t, err := scanTransaction(rows)
		if err != nil {
			return nil, o.fail(op, table, err)
		}
		out = append(out, *t)
	}
	return out, o.fail(op, table, rows.Err())
}

func (o ops) UpdateTransaction(ctx context.Context, t *store.Transaction) error {
	const op, table = "UpdateTransaction", "transactions"
	if t.UpdatedAt.IsZero() || t.ExpiresAt.IsZero() {
		return invalid(op, table, "update and expiry times are required")
	}
	const q = `UPDATE transactions SET request_id = $1, sender_nonce = $2,
		recip_nonce = $3, expect = $4, updated_at = $5, expires_at = $6, state = $7,
		version = version + 1
		WHERE sender = $8 AND transaction_id = $9 AND version = $10`
	args := []any{nid(t.RequestID), nb(t.SenderNonce), nb(t.RecipNonce), t.Expect,
		ts(t.UpdatedAt), ts(t.ExpiresAt), nb(t.State), t.Sender, t.TransactionID, t.Version}
	held := o.laterOne(q, `SELECT version::text FROM transactions
		WHERE sender = $8 AND transaction_id = $9`, args, func(err error) error {
		if _, ok := o.db.drv.Classify(err).(*RowChanged); ok {
			err = store.ErrStateChanged
		}
		return o.fail(op, table, err)
	})
	if held {
		t.Version++
		t.UpdatedAt, t.ExpiresAt = norm(t.UpdatedAt), norm(t.ExpiresAt)
		return nil
	}
	n, err := o.w().Exec(ctx, q, args...)
	if err != nil {
		return o.fail(op, table, err)
	}
	if n == 0 {
		var one int
		if err := o.w().QueryRow(ctx, `SELECT 1 FROM transactions
			WHERE sender = $1 AND transaction_id = $2`, t.Sender, t.TransactionID).Scan(&one); err != nil {
			return o.fail(op, table, err)
		}
		return &store.OpError{Op: op, Table: table, Err: store.ErrStateChanged}
	}
	t.Version++
	t.UpdatedAt, t.ExpiresAt = norm(t.UpdatedAt), norm(t.ExpiresAt)
	return nil
}

func (o ops) RememberNonce(ctx context.Context, sender, nonce []byte, expires time.Time) error {
	const op, table = "RememberNonce", "nonces"
	if len(sender) == 0 || len(nonce) == 0 || expires.IsZero() {
		return invalid(op, table, "sender, nonce and expiry are required")
	}
	const q = `INSERT INTO nonces (sender, nonce, expires_at) VALUES ($1, $2, $3)`
	args := []any{sender, nonce, ts(expires)}
	fail := func(err error) error {
		return o.fail(op, table, withKey(o.db.drv.Classify(err), store.KeyNonce))
	}
	if o.later(q, args, fail) {
		return nil
	}
	if _, err := o.w().Exec(ctx, q, args...); err != nil {
		return fail(err)
	}
	return nil
}

func (o ops) ClaimOnce(ctx context.Context, key []byte, at time.Time) error {
	const op, table = "ClaimOnce", "claims"
	if len(key) == 0 || at.IsZero() {
		return invalid(op, table, "key and time are required")
	}
	const q = `INSERT INTO claims (key, claimed_at) VALUES ($1, $2)`
	args := []any{key, ts(at)}
	fail := func(err error) error {
		return o.fail(op, table, withKey(o.db.drv.Classify(err), store.KeyClaim))
	}
	if o.later(q, args, fail) {
		return nil
	}
	if _, err := o.w().Exec(ctx, q, args...); err != nil {
		return fail(err)
	}
	return nil
}

func (o ops) ExpireTransactions(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	err := o.atomic(ctx, func(o ops) error {
		total = 0
		for _, q := range []string{
			`DELETE FROM transactions WHERE expires_at < $1`,
			`DELETE FROM nonces WHERE expires_at < $1`,
		} {
			n, err := o.tx.Exec(ctx, q, ts(now))
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	return total, o.fail("ExpireTransactions", "transactions", err)
}

// Mailboxes.

const messageCols = `id, subscriber_id, transaction_id, kind, body, created_at, acked_at`

func (o ops) PutMessage(ctx context.Context, m *store.Message) error {
	const op, table = "PutMessage", "mailbox"
	if m.SubscriberID == 0 || m.Kind == "" || m.CreatedAt.IsZero() {
		return invalid(op, table, "recipient, kind and time are required")
	}
	body := m.Body
	if body == nil {
		body = []byte{}
	}
	err := o.w().QueryRow(ctx, `INSERT INTO mailbox (subscriber_id, transaction_id, kind, body,
		created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		m.SubscriberID, nb(m.TransactionID), m.Kind, body, ts(m.CreatedAt)).Scan(&m.ID)
	if err != nil {
		return o.fail(op, table, err)
	}
	m.CreatedAt, m.AckedAt = norm(m.CreatedAt), time.Time{}
	return nil
}

func (o ops) Messages(
	ctx context.Context,
	subscriberID int64,
	transactionID []byte,
) ([]store.Message, error) {
	const op, table = "Messages", "mailbox"
	var w where
	w.add("subscriber_id = $%d", subscriberID)
	w.conds = append(w.conds, "acked_at IS NULL")
	if transactionID != nil {
		w.add("transaction_id = $%d", transactionID)
	}
	return o.messages(ctx, op, `SELECT `+messageCols+` FROM mailbox`+w.sql()+` ORDER BY id`,
		w.args)
}

func (o ops) ListMessages(ctx context.Context, q store.MessageQuery) ([]store.Message, error) {
	const op, table = "ListMessages", "mailbox"
	if q.Kind == "" {
		return nil, invalid(op, table, "the kind is required")
	}
	var w where
	w.conds = append(w.conds, "acked_at IS NULL")
	w.add("kind = $%d", q.Kind)
	if !q.CreatedBefore.IsZero() {
		w.add("created_at < $%d", ts(q.CreatedBefore))
	}
	lim := w.next(limit(q.Limit))
	return o.messages(ctx, op, `SELECT `+messageCols+` FROM mailbox`+w.sql()+
		` ORDER BY created_at, id LIMIT `+lim, w.args)
}

// messages runs a query of messageCols on the mailbox.
func (o ops) messages(ctx context.Context, op, query string, args []any) ([]store.Message,
	error) {
	const table = "mailbox"
	rows, err := o.r().Query(ctx, query, args...)
	if err != nil {
		return nil, o.fail(op, table, err)
	}
	defer rows.Close()
	var out []store.Message
	for rows.Next() {
		var m store.Message
		if err := rows.Scan(&m.ID, &m.SubscriberID, &m.TransactionID, &m.Kind, &m.Body,
			tm{&m.CreatedAt}, tm{&m.AckedAt}); err != nil {
			return nil, o.fail(op, table, err)
		}
		out = append(out, m)
	}
	return out, o.fail(op, table, rows.Err())
}

func (o ops) AckMessage(ctx context.Context, subscriberID, id int64, at time.Time) error {
	const op, table = "AckMessage", "mailbox"
	if at.IsZero() {
		return invalid(op, table, "the time is required")
	}
	n, err := o.w().Exec(ctx, `UPDATE mailbox SET acked_at = $1
		WHERE id = $2 AND subscriber_id = $3 AND acked_at IS NULL`, ts(at), id, subscriberID)
	if err != nil || n == 1 {
		return o.fail(op, table, err)
	}
	var one int
	err = o.w().QueryRow(ctx, `SELECT 1 FROM mailbox WHERE id = $1 AND subscriber_id = $2`,
		id, subscriberID).Scan(&one)
	return o.fail(op, table, err)
}
