package sqlcore

import (
	"context"
	"fmt"
	"time"

	"rekey/store"
)

const subscriberCols = `id, subject_der, subject_json, contact, created_at`

func scanSubscriber(row Row) (*store.Subscriber, error) {
	var s store.Subscriber
	var subjectJSON string
	err := row.Scan(&s.ID, &s.SubjectDER, &subjectJSON, &s.Contact, tm{&s.CreatedAt})
	if err != nil {
		return nil, err
	}
	s.SubjectJSON = []byte(subjectJSON)
	return &s, nil
}

func (o ops) CreateSubscriber(ctx context.Context, s *store.Subscriber) error {
	const op, table = "CreateSubscriber", "subscribers"
	if len(s.SubjectDER) == 0 || s.CreatedAt.IsZero() {
		return invalid(op, table, "subject and creation time are required")
	}
	err := o.w().QueryRow(ctx, `INSERT INTO subscribers
		(subject_der, subject_json, contact, created_at) VALUES ($1, $2, $3, $4)
		RETURNING id`,
		s.SubjectDER, string(s.SubjectJSON), s.Contact, ts(s.CreatedAt)).Scan(&s.ID)
	if err != nil {
		return o.fail(op, table, withKey(o.db.drv.Classify(err), store.KeySubscriberSubject))
	}
	s.CreatedAt = norm(s.CreatedAt)
	return nil
}

func (o ops) Subscriber(ctx context.Context, id int64) (*store.Subscriber, error) {
	s, err := scanSubscriber(o.r().QueryRow(ctx,
		`SELECT `+subscriberCols+` FROM subscribers WHERE id = $1`, id))
	return s, o.fail("Subscriber", "subscribers", err)
}

func (o ops) SubscriberBySubject(ctx context.Context, subject []byte) (*store.Subscriber, error) {
	s, err := scanSubscriber(o.r().QueryRow(ctx,
		`SELECT `+subscriberCols+` FROM subscribers WHERE subject_der = $1`, subject))
	return s, o.fail("SubscriberBySubject", "subscribers", err)
}

func (o ops) ListSubscribers(
	ctx context.Context,
	q store.SubscriberQuery,
) ([]store.Subscriber, error) {
	const op, table = "ListSubscribers", "subscribers"
	rows, err := o.r().Query(ctx, `SELECT `+subscriberCols+` FROM subscribers
		WHERE id > $1 ORDER BY id LIMIT $2`, q.AfterID, limit(q.Limit))
	if err != nil {
		return nil, o.fail(op, table, err)
	}
	defer rows.Close()
	var out []store.Subscriber
	for rows.Next() {
		s, err := scanSubscriber(rows)
		if err != nil {
			return nil, o.fail(op, table, err)
		}
		out = append(out, *s)
	}
	return out, o.fail(op, table, rows.Err())
}

func (o ops) HitRate(
	ctx context.Context,
	subscriberID int64,
	bucket string,
	window time.Time,
) (int64, error) {
	const op, table = "HitRate", "rate_counters"
	if bucket == "" || window.IsZero() {
		return 0, invalid(op, table, "bucket and window are required")
	}
	var n int64
	err := o.w().QueryRow(ctx, hitRate, subscriberID, bucket, ts(window)).Scan(&n)
	return n, o.fail(op, table, err)
}

// hitRate counts one event in a window and returns the count.
const hitRate = `INSERT INTO rate_counters
	(subscriber_id, bucket, window_start, count) VALUES ($1, $2, $3, 1)
	ON CONFLICT (subscriber_id, bucket) DO UPDATE SET
	count = CASE WHEN excluded.window_start > rate_counters.window_start
		THEN 1 ELSE rate_counters.count + 1 END,
	window_start = CASE WHEN excluded.window_start > rate_counters.window_start
		THEN excluded.window_start ELSE rate_counters.window_start END
	RETURNING count`

func (o ops) CountRate(
	ctx context.Context,
	subscriberID int64,
	bucket string,
	window time.Time,
	max int64,
) error {
	const op, table = "CountRate", "rate_counters"
	if bucket == "" || window.IsZero() {
		return invalid(op, table, "bucket and window are required")
	}
	if f := o.db.dialect.CountRateAtMost; f != "" && o.later(fmt.Sprintf(f, hitRate),
		[]any{subscriberID, bucket, ts(window), max},
		func(err error) error { return o.fail(op, table, err) }) {
		return nil
	}
	n, err := o.HitRate(ctx, subscriberID, bucket, window)
	if err != nil {
		return err
	}
	if n > max {
		return o.fail(op, table, fmt.Errorf("%w: %d of %d", store.ErrRateExceeded, n, max))
	}
	return nil
}

// withKey names the key of a conflict on a table with a single unique key
// besides its generated ID.
func withKey(err error, key string) error {
	if ce, ok := err.(*store.ConflictError); ok && ce.Key == "" {
		ce.Key = key
	}
	return err
}
