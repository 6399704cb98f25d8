package sqlcore

import (
	"context"
	"strings"
	"time"

	"rekey/store"
)

const requestCols = `id, subscriber_id, transaction_id, message, signer_serial, spki_sha256,
	state, reason, received_at, updated_at, decided_at, decided_by`

func scanRequest(row Row) (*store.Request, error) {
	var r store.Request
	err := row.Scan(&r.ID, &r.SubscriberID, &r.TransactionID, &r.Message, &r.SignerSerial,
		&r.SPKISHA256, &r.State, &r.Reason, tm{&r.ReceivedAt}, tm{&r.UpdatedAt},
		tm{&r.DecidedAt}, &r.DecidedBy)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (o ops) CreateRequest(ctx context.Context, r *store.Request) error {
	const op, table = "CreateRequest", "requests"
	if r.State == "" {
		r.State = store.StateReceived
	}
	switch {
	case r.State == store.StateApproved && (r.DecidedAt.IsZero() || r.DecidedBy == ""):
		return invalid(op, table, "a request approved as it arrives needs the decision's "+
			"time and author")
	case r.State != store.StateReceived && r.State != store.StateWaiting &&
		r.State != store.StateApproved:
		return invalid(op, table, "a new request is received, waiting or approved, not %s",
			r.State)
	case r.SubscriberID == 0 || len(r.TransactionID) == 0 || len(r.Message) == 0 ||
		r.ReceivedAt.IsZero():
		return invalid(op, table, "subscriber, transactionID, message and time are required")
	}
	updated := r.ReceivedAt
	if r.State != store.StateApproved {
		r.DecidedAt, r.DecidedBy = time.Time{}, ""
	} else {
		updated = r.DecidedAt
	}
	args := []any{r.SubscriberID, r.TransactionID, r.Message, nb(r.SignerSerial),
		nb(r.SPKISHA256), r.State, ts(r.ReceivedAt), ts(updated), ts(r.DecidedAt), r.DecidedBy}
	fail := func(err error) error {
		return o.fail(op, table, withKey(o.db.drv.Classify(err), store.KeyRequestTransaction))
	}
	if d := o.deferrer(); d != nil && o.db.dialect.RequestIDs != "" {
		// The ID chosen here, the insert held back: a transactionID used
		// before fails a later call or the commit.
		id, err := o.db.requestID(ctx, o.tx)
		if err != nil {
			return o.fail(op, table, err)
		}
		d.Defer(`INSERT INTO requests (id, subscriber_id, transaction_id, message,
			signer_serial, spki_sha256, state, received_at, updated_at, decided_at, decided_by)
			VALUES ($11, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, append(args, id), fail)
		r.ID = id
	} else if err := o.w().QueryRow(ctx, `INSERT INTO requests (subscriber_id, transaction_id,
		message, signer_serial, spki_sha256, state, received_at, updated_at, decided_at,
		decided_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		args...).Scan(&r.ID); err != nil {
		return fail(err)
	}
	r.ReceivedAt, r.UpdatedAt, r.DecidedAt = norm(r.ReceivedAt), norm(updated), norm(r.DecidedAt)
	return nil
}

func (o ops) Request(ctx context.Context, id int64) (*store.Request, error) {
	r, err := scanRequest(o.r().QueryRow(ctx,
		`SELECT `+requestCols+` FROM requests WHERE id = $1`, id))
	return r, o.fail("Request", "requests", err)
}

func (o ops) RequestByTransaction(
	ctx context.Context,
	subscriberID int64,
	transactionID []byte,
) (*store.Request, error) {
	r, err := scanRequest(o.r().QueryRow(ctx, `SELECT `+requestCols+` FROM requests
		WHERE subscriber_id = $1 AND transaction_id = $2`, subscriberID, transactionID))
	return r, o.fail("RequestByTransaction", "requests", err)
}

func (o ops) ListRequests(ctx context.Context, q store.RequestQuery) ([]store.Request, error) {
	const op, table = "ListRequests", "requests"
	var w where
	if len(q.States) > 0 {
		var in []string
		for _, s := range q.States {
			in = append(in, w.next(s))
		}
		w.conds = append(w.conds, "state IN ("+strings.Join(in, ", ")+")")
	}
	if q.SubscriberID != 0 {
		w.add("subscriber_id = $%d", q.SubscriberID)
	}
	if !q.ReceivedBefore.IsZero() {
		w.add("received_at < $%d", ts(q.ReceivedBefore))
	}
	if q.AfterID != 0 {
		w.add("id > $%d", q.AfterID)
	}
	lim := w.next(limit(q.Limit))
	rows, err := o.r().Query(ctx, `SELECT `+requestCols+` FROM requests`+w.sql()+
		` ORDER BY id LIMIT `+lim, w.args...)
	if err != nil {
		return nil, o.fail(op, table, err)
	}
	defer rows.Close()
	var out []store.Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, o.fail(op, table, err)
		}
		out = append(out, *r)
	}
	return out, o.fail(op, table, rows.Err())
}

func (o ops) Transition(
	ctx context.Context,
	id int64,
	from, to store.State,
	d store.Decision,
) error {
	const op, table = "Transition", "requests"
	if !store.CanTransition(from, to) {
		return invalid(op, table, "no transition from %q to %q", from, to)
	}
	if d.At.IsZero() {
		return invalid(op, table, "the time of the transition is required")
	}
	q, args := `UPDATE requests SET state = $1, updated_at = $2
		WHERE id = $3 AND state = $4`, []any{to, ts(d.At), id, from}
	current := `SELECT state FROM requests WHERE id = $3`
	if to.IsDecision() {
		q, args = `UPDATE requests SET state = $1, updated_at = $2,
			decided_at = $2, decided_by = $3, reason = $4 WHERE id = $5 AND state = $6`,
			[]any{to, ts(d.At), d.By, d.Reason, id, from}
		current = `SELECT state FROM requests WHERE id = $5`
	}
	if o.laterOne(q, current, args, func(err error) error {
		if rc, ok := o.db.drv.Classify(err).(*RowChanged); ok {
			err = &store.StateError{ID: id, Want: from, Got: store.State(rc.Current)}
		}
		return o.fail(op, table, err)
	}) {
		return nil
	}
	n, err := o.w().Exec(ctx, q, args...)
	if err != nil {
		return o.fail(op, table, err)
	}
	if n == 1 {
		return nil
	}
	var got store.State
	if err := o.w().QueryRow(ctx, `SELECT state FROM requests WHERE id = $1`,
		id).Scan(&got); err != nil {
		return o.fail(op, table, err)
	}
	return &store.OpError{Op: op, Table: table,
		Err: &store.StateError{ID: id, Want: from, Got: got}}
}
