package sqlcore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"time"

	"rekey/store"
)

func validSerial(s []byte) bool {
	return len(s) > 0 && len(s) <= 20 && s[0]&0x80 == 0 && !(len(s) > 1 && s[0] == 0 && s[1]&0x80 == 0)
}

func (o ops) ReserveSerial(ctx context.Context, r *store.Reservation) error {
	const op, table = "ReserveSerial", "serials"
	if !validSerial(r.Serial) || len(r.Issuer) == 0 || r.ReservedAt.IsZero() {
		return invalid(op, table, "a positive minimal serial of at most 20 bytes, "+
			"the issuer and the time are required")
	}
	// One statement: the request must be approved when the serial is
	// reserved for it. (A request rejected right after is harmless: its
	// certificate cannot be recorded.)
	const q = `INSERT INTO serials (serial, issuer, request_id, reserved_at)
		SELECT $1, $2, $3, $4 WHERE $5 = 0
			OR EXISTS (SELECT 1 FROM requests WHERE id = $5 AND state = $6)`
	args := []any{r.Serial, r.Issuer, nid(r.RequestID), ts(r.ReservedAt), r.RequestID,
		store.StateApproved}
	if r.RequestID != 0 && o.laterOne(q, `SELECT state FROM requests WHERE id = $5`, args,
		func(err error) error { return o.heldStateError(op, table, r.RequestID, err) }) {
		r.ReservedAt = norm(r.ReservedAt)
		return nil
	}
	n, err := o.w().Exec(ctx, q, args...)
	switch {
	case err != nil:
		err = o.conflict(ctx, err,
			probe{store.KeySerial, `SELECT 1 FROM serials WHERE serial = $1`, []any{r.Serial}},
			probe{store.KeySerialRequest, `SELECT 1 FROM serials WHERE request_id = $1`,
				[]any{r.RequestID}})
	case n == 0:
		return o.stateError(ctx, op, r.RequestID, store.StateApproved)
	}
	if err == nil {
		r.ReservedAt = norm(r.ReservedAt)
	}
	return o.fail(op, table, err)
}

// stateError explains why request id was not in state want: it is
// missing, or in another state.
func (o ops) stateError(ctx context.Context, op string, id int64, want store.State) error {
	var got store.State
	err := o.w().QueryRow(ctx, `SELECT state FROM requests WHERE id = $1`, id).Scan(&got)
	if err != nil {
		return o.fail(op, "requests", err)
	}
	return &store.OpError{Op: op, Table: "requests",
		Err: &store.StateError{ID: id, Want: want, Got: got}}
}

// heldStateError is the store's error for err, the failure of a write of
// op on table held back in a pipeline whose request id had to be
// approved: a request missing or in another state, as stateError says
// it, or err classified.
func (o ops) heldStateError(op, table string, id int64, err error) error {
	err = o.db.drv.Classify(err)
	if rc, ok := err.(*RowChanged); ok {
		if rc.Current == string(store.StateApproved) {
			return invalid(op, table, "request %d has no serial reserved for it by this issuer",
				id)
		}
		return &store.OpError{Op: op, Table: "requests",
			Err: &store.StateError{ID: id, Want: store.StateApproved, Got: store.State(rc.Current)}}
	}
	if errors.Is(err, store.ErrNotFound) {
		return o.fail(op, "requests", err)
	}
	return o.fail(op, table, err)
}

const reservationCols = `serial, issuer, request_id, reserved_at`

func scanReservation(row Row) (*store.Reservation, error) {
	var r store.Reservation
	if err := row.Scan(&r.Serial, &r.Issuer, id{&r.RequestID}, tm{&r.ReservedAt}); err != nil {
		return nil, err
	}
	return &r, nil
}

func (o ops) Reservation(ctx context.Context, serial []byte) (*store.Reservation, error) {
	r, err := scanReservation(o.r().QueryRow(ctx,
		`SELECT `+reservationCols+` FROM serials WHERE serial = $1`, serial))
	return r, o.fail("Reservation", "serials", err)
}

func (o ops) ReservationByRequest(
	ctx context.Context,
	requestID int64,
) (*store.Reservation, error) {
	r, err := scanReservation(o.r().QueryRow(ctx,
		`SELECT `+reservationCols+` FROM serials WHERE request_id = $1`, requestID))
	return r, o.fail("ReservationByRequest", "serials", err)
}

func (o ops) RecordCertificate(ctx context.Context, c *store.Certificate) error {
	const op, table = "RecordCertificate", "certificates"
	if len(c.DER) == 0 || len(c.SPKISHA256) != sha256.Size || c.SubscriberID == 0 ||
		c.NotBefore.IsZero() || c.NotAfter.IsZero() || c.IssuedAt.IsZero() {
		return invalid(op, table, "DER, SPKI hash, subscriber, validity and issue time are required")
	}
	if c.KeyExpires.IsZero() {
		c.KeyExpires = c.NotAfter
	}
	var err error
	if q := o.db.dialect.RecordCertificateOrFail; q != "" && c.RequestID != 0 &&
		o.later(q, recordInOneArgs(c), func(err error) error {
			return o.heldStateError(op, table, c.RequestID, err)
		}) {
		err = nil
	} else if q := o.db.dialect.RecordCertificate; q != "" && c.RequestID != 0 {
		err = o.recordInOne(ctx, q, c)
	} else {
		err = o.atomic(ctx, func(o ops) error { return o.record(ctx, c) })
	}
	if err != nil {
		return o.fail(op, table, err)
	}
	c.Status, c.RevocationReason, c.RevokedAt = store.StatusValid, 0, time.Time{}
	for _, t := range []*time.Time{&c.NotBefore, &c.NotAfter, &c.KeyExpires, &c.IssuedAt} {
		*t = norm(*t)
	}
	return nil
}

// recordInOne records c, which answers a request, with the dialect's
// statement that moves the request and inserts the certificate at once.
func (o ops) recordInOne(ctx context.Context, q string, c *store.Certificate) error {
	n, err := o.w().Exec(ctx, q, recordInOneArgs(c)...)
	switch {
	case err != nil:
		return err
	case n == 0:
		return o.unrecordable(ctx, "RecordCertificate", c)
	}
	return nil
}

// recordInOneArgs are the arguments of Dialect.RecordCertificate for c.
func recordInOneArgs(c *store.Certificate) []any {
	return []any{store.StateIssued, ts(c.IssuedAt), c.RequestID, store.StateApproved, c.Serial,
		c.Issuer, c.SubscriberID, c.DER, c.SPKISHA256, ts(c.NotBefore), ts(c.NotAfter),
		ts(c.KeyExpires), store.StatusValid}
}

// record records c in the transaction o, in two statements.
func (o ops) record(ctx context.Context, c *store.Certificate) error {
	const op = "RecordCertificate"
	// 1. Compare and set the request: only one certificate moves it,
	// and only under the serial reserved for it by this issuer.
	if c.RequestID != 0 {
		n, err := o.tx.Exec(ctx, `UPDATE requests SET state = $1, updated_at = $2
			WHERE id = $3 AND state = $4 AND EXISTS (SELECT 1 FROM serials
				WHERE serial = $5 AND issuer = $6 AND request_id = $3)`,
			store.StateIssued, ts(c.IssuedAt), c.RequestID, store.StateApproved, c.Serial,
			c.Issuer)
		if err != nil {
			return o.fail(op, "requests", err)
		}
		if n == 0 {
			return o.unrecordable(ctx, op, c)
		}
	}

	// 2. The certificate, under its reservation; unique keys catch a
	// reused key or serial.
	n, err := o.tx.Exec(ctx, `INSERT INTO certificates (serial, issuer, subscriber_id,
		request_id, der, spki_sha256, not_before, not_after, key_expires, issued_at, status)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
		WHERE EXISTS (SELECT 1 FROM serials
			WHERE serial = $1 AND issuer = $2 AND COALESCE(request_id, 0) = $12)`,
		c.Serial, c.Issuer, c.SubscriberID, nid(c.RequestID), c.DER, c.SPKISHA256,
		ts(c.NotBefore), ts(c.NotAfter), ts(c.KeyExpires), ts(c.IssuedAt), store.StatusValid,
		c.RequestID)
	switch {
	case err != nil:
		return o.conflict(ctx, err,
			probe{store.KeyCertificateSerial, `SELECT 1 FROM certificates WHERE serial = $1`,
				[]any{c.Serial}},
			probe{store.KeyCertificateSPKI, `SELECT 1 FROM certificates WHERE spki_sha256 = $1`,
				[]any{c.SPKISHA256}},
			probe{store.KeyCertificateRequest, `SELECT 1 FROM certificates WHERE request_id = $1`,
				[]any{c.RequestID}})
	case n == 0:
		return o.unrecordable(ctx, op, c)
	}
	return nil
}

// unrecordable explains why c could not be recorded, in this order: its
// serial is not reserved, is reserved for another request or issuer, or
// its request is no longer approved.
func (o ops) unrecordable(ctx context.Context, op string, c *store.Certificate) error {
	const table = "certificates"
	res, err := scanReservation(o.w().QueryRow(ctx,
		`SELECT `+reservationCols+` FROM serials WHERE serial = $1`, c.Serial))
	switch {
	case err != nil:
		return o.fail(op, "serials", err)
	case res.RequestID != c.RequestID:
		return invalid(op, table, "serial %x is reserved for request %d, not %d",
			c.Serial, res.RequestID, c.RequestID)
	case !bytes.Equal(res.Issuer, c.Issuer):
		return invalid(op, table, "serial %x is reserved for another issuer", c.Serial)
	case c.RequestID != 0:
		return o.stateError(ctx, op, c.RequestID, store.StateApproved)
	}
	return &store.OpError{Op: op, Table: table,
		Err: errors.New("internal error: a reserved serial's certificate was not inserted")}
}

const certificateCols = `serial, issuer, subscriber_id, request_id, der, spki_sha256,
	not_before, not_after, key_expires, issued_at, status, revocation_reason, revoked_at`

func scanCertificate(row Row) (*store.Certificate, error) {
	var c store.Certificate
	var reason int64
	err := row.Scan(&c.Serial, &c.Issuer, &c.SubscriberID, id{&c.RequestID}, &c.DER,
		&c.SPKISHA256, tm{&c.NotBefore}, tm{&c.NotAfter}, tm{&c.KeyExpires}, tm{&c.IssuedAt},
		&c.Status, id{&reason}, tm{&c.RevokedAt})
	if err != nil {
		return nil, err
	}
	c.RevocationReason = store.RevocationReason(reason)
	return &c, nil
}

func (o ops) certificate(
	ctx context.Context,
	op, cond string,
	arg any,
) (*store.Certificate, error) {
	c, err := scanCertificate(o.r().QueryRow(ctx,
		`SELECT `+certificateCols+` FROM certificates WHERE `+cond+` = $1`, arg))
	return c, o.fail(op, "certificates", err)
}

func (o ops) Certificate(ctx context.Context, serial []byte) (*store.Certificate, error) {
	return o.certificate(ctx, "Certificate", "serial", serial)
}

func (o ops) CertificateByRequest(
	ctx context.Context,
	requestID int64,
) (*store.Certificate, error) {
	return o.certificate(ctx, "CertificateByRequest", "request_id", requestID)
}

func (o ops) RequireKeyUncertified(ctx context.Context, spkiSHA256 []byte) error {
	const op, table = "RequireKeyUncertified", "certificates"
	if q := o.db.dialect.KeyUncertified; q != "" && o.later(q, []any{spkiSHA256},
		func(err error) error { return o.fail(op, table, err) }) {
		return nil
	}
	_, err := o.CertificateBySPKI(ctx, spkiSHA256)
	switch {
	case err == nil:
		return o.fail(op, table, &store.ConflictError{Key: store.KeyCertificateSPKI})
	case errors.Is(err, store.ErrNotFound):
		return nil
	}
	return err
}

func (o ops) CertificateBySPKI(ctx context.Context, spkiSHA256 []byte) (*store.Certificate, error) {
	return o.certificate(ctx, "CertificateBySPKI", "spki_sha256", spkiSHA256)
}

func (o ops) ListCertificates(
	ctx context.Context,
	q store.CertificateQuery,
) ([]store.Certificate, error) {
	const op, table = "ListCertificates", "certificates"
	var w where
	if q.SubscriberID != 0 {
		w.add("subscriber_id = $%d", q.SubscriberID)
	}
	if q.SubscriberUpTo != 0 {
		w.add("subscriber_id > $%d", q.SubscriberAfter)
		w.add("subscriber_id <= $%d", q.SubscriberUpTo)
	}
	if len(q.Issuer) != 0 {
		w.add("issuer = $%d", q.Issuer)
	}
	if q.Status != "" {
		w.add("status = $%d", q.Status)
	}
	if !q.NotAfterBefore.IsZero() {
		w.add("not_after < $%d", ts(q.NotAfterBefore))
	}
	lim := w.next(limit(q.Limit))
	rows, err := o.r().Query(ctx, `SELECT `+certificateCols+` FROM certificates`+w.sql()+
		` ORDER BY not_after, serial LIMIT `+lim, w.args...)
	if err != nil {
		return nil, o.fail(op, table, err)
	}
	defer rows.Close()
	var out []store.Certificate
	for rows.Next() {
		c, err := scanCertificate(rows)
		if err != nil {
			return nil, o.fail(op, table, err)
		}
		out = append(out, *c)
	}
	return out, o.fail(op, table, rows.Err())
}

func (o ops) Revoke(
	ctx context.Context,
	serial []byte,
	reason store.RevocationReason,
	at time.Time,
) error {
	const op, table = "Revoke", "certificates"
	if at.IsZero() || reason < 0 || reason > 10 || reason == 7 {
		return invalid(op, table, "a revocation time and a CRLReason are required")
	}
	n, err := o.w().Exec(ctx, `UPDATE certificates SET status = $1, revocation_reason = $2,
		revoked_at = $3 WHERE serial = $4 AND status = $5`,
		store.StatusRevoked, int64(reason), ts(at), serial, store.StatusValid)
	if err != nil {
		return o.fail(op, table, err)
	}
	if n == 0 {
		var one int
		if err := o.r().QueryRow(ctx, `SELECT 1 FROM certificates WHERE serial = $1`,
			serial).Scan(&one); err != nil {
			return o.fail(op, table, err)
		}
		return &store.OpError{Op: op, Table: table, Err: store.ErrStateChanged}
	}
	return nil
}

func (o ops) NextCRLNumber(ctx context.Context, issuer []byte) (int64, error) {
	const op, table = "NextCRLNumber", "crl_numbers"
	if len(issuer) == 0 {
		return 0, invalid(op, table, "issuer is required")
	}
	var n int64
	err := o.w().QueryRow(ctx, `INSERT INTO crl_numbers (issuer, number) VALUES ($1, 1)
		ON CONFLICT (issuer) DO UPDATE SET number = crl_numbers.number + 1
		RETURNING number`, issuer).Scan(&n)
	return n, o.fail(op, table, err)
}
