package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"rekey/store"
)

func testSubscribers(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := fresh(t, b)
	a := newSubscriber(t, s)
	c := newSubscriber(t, s)
	if a.ID == 0 || c.ID == a.ID {
		t.Fatalf("IDs %d and %d, want distinct non-zero", a.ID, c.ID)
	}
	if want := t0.Truncate(time.Microsecond); !a.CreatedAt.Equal(want) {
		t.Errorf("CreatedAt %v, want %v", a.CreatedAt, want)
	}

	got, err := s.Subscriber(ctx, a.ID)
	must(t, err)
	if !reflect.DeepEqual(got, a) {
		t.Errorf("Subscriber:\n got %+v\nwant %+v", got, a)
	}
	got, err = s.SubscriberBySubject(ctx, c.SubjectDER)
	must(t, err)
	if !reflect.DeepEqual(got, c) {
		t.Errorf("SubscriberBySubject:\n got %+v\nwant %+v", got, c)
	}

	dup := *a
	dup.ID = 0
	wantConflict(t, s.CreateSubscriber(ctx, &dup), store.KeySubscriberSubject, "CreateSubscriber")
	wantErr(t, s.CreateSubscriber(ctx, &store.Subscriber{CreatedAt: t0}), store.ErrInvalid,
		"CreateSubscriber")
	_, err = s.Subscriber(ctx, 999999)
	wantErr(t, err, store.ErrNotFound, "Subscriber")
	_, err = s.SubscriberBySubject(ctx, []byte("nobody"))
	wantErr(t, err, store.ErrNotFound, "SubscriberBySubject")

	list, err := s.ListSubscribers(ctx, store.SubscriberQuery{})
	must(t, err)
	if len(list) != 2 || list[0].ID != a.ID || list[1].ID != c.ID {
		t.Errorf("ListSubscribers: %v", sprint(list))
	}
	list, err = s.ListSubscribers(ctx, store.SubscriberQuery{AfterID: a.ID, Limit: 1})
	must(t, err)
	if len(list) != 1 || list[0].ID != c.ID {
		t.Errorf("ListSubscribers after %d: %v", a.ID, sprint(list))
	}
}

func testRateCounters(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := fresh(t, b)
	sub := newSubscriber(t, s)
	w1, w2 := at(0), at(time.Hour)
	steps := []struct {
		bucket string
		window time.Time
		want   int64
	}{
		{"kur", w1, 1},
		{"kur", w1, 2},
		{"kur", w1, 3},
		{"genm", w1, 1},
		{"kur", w2, 1}, // a new window restarts
		{"kur", w1, 2}, // a late hit of an old window counts in the current one
		{"kur", w2, 3},
	}
	for i, st := range steps {
		n, err := s.HitRate(ctx, sub.ID, st.bucket, st.window)
		must(t, err)
		if n != st.want {
			t.Errorf("step %d: HitRate(%s, %v) = %d, want %d", i, st.bucket, st.window, n, st.want)
		}
	}
	_, err := s.HitRate(ctx, 999999, "kur", w1)
	wantErr(t, err, store.ErrNotFound, "HitRate")
	_, err = s.HitRate(ctx, sub.ID, "", w1)
	wantErr(t, err, store.ErrInvalid, "HitRate")
}

func testRequests(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := fresh(t, b)
	a, c := newSubscriber(t, s), newSubscriber(t, s)
	r := newRequest(t, s, a.ID)
	if r.ID == 0 || r.State != store.StateReceived || !r.UpdatedAt.Equal(r.ReceivedAt) {
		t.Fatalf("CreateRequest set %+v", r)
	}
	got, err := s.Request(ctx, r.ID)
	must(t, err)
	if !reflect.DeepEqual(got, r) {
		t.Errorf("Request:\n got %+v\nwant %+v", got, r)
	}
	got, err = s.RequestByTransaction(ctx, a.ID, r.TransactionID)
	must(t, err)
	if got.ID != r.ID {
		t.Errorf("RequestByTransaction: ID %d, want %d", got.ID, r.ID)
	}
	_, err = s.RequestByTransaction(ctx, c.ID, r.TransactionID)
	wantErr(t, err, store.ErrNotFound, "RequestByTransaction")
	_, err = s.Request(ctx, 999999)
	wantErr(t, err, store.ErrNotFound, "Request")

	// A transactionID is unique per subscriber only.
	dup := &store.Request{SubscriberID: a.ID, TransactionID: r.TransactionID,
		Message: []byte{0x30, 0}, ReceivedAt: t0}
	wantConflict(t, s.CreateRequest(ctx, dup), store.KeyRequestTransaction, "CreateRequest")
	other := &store.Request{SubscriberID: c.ID, TransactionID: r.TransactionID,
		Message: []byte{0x30, 0}, ReceivedAt: t0, State: store.StateWaiting}
	must(t, s.CreateRequest(ctx, other))
	if other.State != store.StateWaiting || len(other.SignerSerial) != 0 {
		t.Errorf("CreateRequest in waiting: %+v", other)
	}

	// Approved as it arrives (automatic approval): the decision is stored.
	auto := &store.Request{SubscriberID: c.ID, TransactionID: []byte("auto"),
		Message: []byte{0x30, 0}, ReceivedAt: t0, State: store.StateApproved,
		DecidedAt: at(time.Second), DecidedBy: "policy"}
	must(t, s.CreateRequest(ctx, auto))
	got, err = s.Request(ctx, auto.ID)
	must(t, err)
	if !reflect.DeepEqual(got, auto) || got.State != store.StateApproved ||
		!got.UpdatedAt.Equal(at(time.Second)) {
		t.Errorf("approved on arrival:\n got %+v\nwant %+v", got, auto)
	}
	// A decision given with another state is not stored.
	recv := &store.Request{SubscriberID: c.ID, TransactionID: []byte("recv"),
		Message: []byte{0x30, 0}, ReceivedAt: t0, DecidedAt: t0, DecidedBy: "x"}
	must(t, s.CreateRequest(ctx, recv))
	if got, err = s.Request(ctx, recv.ID); err != nil || !got.DecidedAt.IsZero() ||
		got.DecidedBy != "" {
		t.Errorf("received with a decision: %+v, %v", got, err)
	}

	bad := []store.Request{
		{SubscriberID: a.ID, TransactionID: []byte{1}, Message: []byte{1}, ReceivedAt: t0,
			State: store.StateIssued},
		{SubscriberID: a.ID, TransactionID: []byte{1}, Message: []byte{1}, ReceivedAt: t0,
			State: store.StateApproved}, // no decision
		{SubscriberID: a.ID, TransactionID: []byte{1}, Message: []byte{1}, ReceivedAt: t0,
			State: store.StateApproved, DecidedAt: t0}, // no author
		{SubscriberID: a.ID, Message: []byte{1}, ReceivedAt: t0},
		{SubscriberID: a.ID, TransactionID: []byte{1}, ReceivedAt: t0},
		{SubscriberID: a.ID, TransactionID: []byte{1}, Message: []byte{1}},
	}
	for i := range bad {
		wantErr(t, s.CreateRequest(ctx, &bad[i]), store.ErrInvalid, "CreateRequest")
	}
	unknown := &store.Request{SubscriberID: 999999, TransactionID: []byte{1},
		Message: []byte{1}, ReceivedAt: t0}
	wantErr(t, s.CreateRequest(ctx, unknown), store.ErrNotFound, "CreateRequest")
}

func testStateMachine(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := fresh(t, b)
	sub := newSubscriber(t, s)

	// The manual path to the end.
	r := newRequest(t, s, sub.ID)
	path := []struct {
		to store.State
		d  store.Decision
	}{
		{store.StateWaiting, store.Decision{At: at(time.Second)}},
		{store.StateApproved, store.Decision{At: at(2 * time.Second), By: "ivanova"}},
	}
	from := store.StateReceived
	for _, p := range path {
		must(t, s.Transition(ctx, r.ID, from, p.to, p.d))
		from = p.to
	}
	c := issue(t, s, sub.ID, r.ID)
	got, err := s.Request(ctx, r.ID)
	must(t, err)
	if got.State != store.StateIssued || !got.UpdatedAt.Equal(c.IssuedAt) {
		t.Errorf("after RecordCertificate: state %s updated %v", got.State, got.UpdatedAt)
	}
	if !got.DecidedAt.Equal(at(2*time.Second)) || got.DecidedBy != "ivanova" {
		t.Errorf("decision recorded as %v by %q", got.DecidedAt, got.DecidedBy)
	}
	must(t, s.Transition(ctx, r.ID, store.StateIssued, store.StateConfirmed,
		store.Decision{At: at(3 * time.Hour)}))
	got, err = s.Request(ctx, r.ID)
	must(t, err)
	if got.State != store.StateConfirmed || !got.State.Terminal() ||
		!got.DecidedAt.Equal(at(2*time.Second)) {
		t.Errorf("confirmed request: %+v", got)
	}

	// Compare and set: the wrong from state names the actual one.
	err = s.Transition(ctx, r.ID, store.StateIssued, store.StateRejected,
		store.Decision{At: at(4 * time.Hour)})
	wantErr(t, err, store.ErrStateChanged, "Transition")
	var se *store.StateError
	if !errors.As(err, &se) || se.ID != r.ID || se.Want != store.StateIssued ||
		se.Got != store.StateConfirmed {
		t.Errorf("StateError %+v", se)
	}

	// Rejection records reason and decider.
	r2 := newRequest(t, s, sub.ID)
	must(t, s.Transition(ctx, r2.ID, store.StateReceived, store.StateRejected,
		store.Decision{At: at(time.Minute), By: "petrov", Reason: "subject changed"}))
	got, err = s.Request(ctx, r2.ID)
	must(t, err)
	if got.State != store.StateRejected || got.Reason != "subject changed" ||
		got.DecidedBy != "petrov" || !got.DecidedAt.Equal(at(time.Minute)) {
		t.Errorf("rejected request: %+v", got)
	}

	// Transitions the machine does not have, and missing requests.
	for _, tr := range [][2]store.State{
		{store.StateReceived, store.StateIssued},
		{store.StateReceived, store.StateConfirmed},
		{store.StateWaiting, store.StateReceived},
		{store.StateConfirmed, store.StateRejected},
		{store.StateRejected, store.StateApproved},
		{store.StateExpired, store.StateWaiting},
		{"bogus", store.StateApproved},
	} {
		err := s.Transition(ctx, r2.ID, tr[0], tr[1], store.Decision{At: t0})
		wantErr(t, err, store.ErrInvalid, "Transition")
	}
	err = s.Transition(ctx, r2.ID, store.StateReceived, store.StateWaiting, store.Decision{})
	wantErr(t, err, store.ErrInvalid, "Transition")
	err = s.Transition(ctx, 999999, store.StateReceived, store.StateWaiting,
		store.Decision{At: t0})
	wantErr(t, err, store.ErrNotFound, "Transition")

	// Expiry from every non-terminal state.
	for _, st := range []store.State{store.StateReceived, store.StateWaiting,
		store.StateApproved} {
		r := newRequest(t, s, sub.ID)
		if st != store.StateReceived {
			must(t, s.Transition(ctx, r.ID, store.StateReceived, st, store.Decision{At: t0}))
		}
		must(t, s.Transition(ctx, r.ID, st, store.StateExpired,
			store.Decision{At: at(48 * time.Hour), By: "sweeper", Reason: "SLA"}))
	}
}

func testListRequests(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := fresh(t, b)
	a, c := newSubscriber(t, s), newSubscriber(t, s)
	var ids []int64
	for i := range 6 {
		sub := a.ID
		if i%3 == 2 {
			sub = c.ID
		}
		r := &store.Request{SubscriberID: sub, TransactionID: itob(i), Message: []byte{0x30, 0},
			ReceivedAt: at(time.Duration(i) * time.Hour)}
		must(t, s.CreateRequest(ctx, r))
		ids = append(ids, r.ID)
	}
	// 0 received, 1 waiting, 2 approved, 3 waiting, 4 rejected, 5 received
	d := store.Decision{At: at(10 * time.Hour)}
	must(t, s.Transition(ctx, ids[1], store.StateReceived, store.StateWaiting, d))
	must(t, s.Transition(ctx, ids[2], store.StateReceived, store.StateApproved, d))
	must(t, s.Transition(ctx, ids[3], store.StateReceived, store.StateWaiting, d))
	must(t, s.Transition(ctx, ids[4], store.StateReceived, store.StateRejected, d))

	cases := []struct {
		name string
		q    store.RequestQuery
		want []int64
	}{
		{"all", store.RequestQuery{}, ids},
		{"waiting", store.RequestQuery{States: []store.State{store.StateWaiting}},
			[]int64{ids[1], ids[3]}},
		{"work after restart", store.RequestQuery{States: []store.State{store.StateReceived,
			store.StateApproved}}, []int64{ids[0], ids[2], ids[5]}},
		{"overdue", store.RequestQuery{States: []store.State{store.StateReceived,
			store.StateWaiting, store.StateApproved}, ReceivedBefore: at(2*time.Hour + time.Microsecond)},
			[]int64{ids[0], ids[1], ids[2]}},
		{"subscriber", store.RequestQuery{SubscriberID: c.ID}, []int64{ids[2], ids[5]}},
		{"page", store.RequestQuery{AfterID: ids[1], Limit: 2}, []int64{ids[2], ids[3]}},
		{"none", store.RequestQuery{States: []store.State{store.StateConfirmed}}, nil},
	}
	for _, tc := range cases {
		list, err := s.ListRequests(ctx, tc.q)
		must(t, err)
		var got []int64
		for _, r := range list {
			got = append(got, r.ID)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func testSerialsAndCertificates(t *testing.T, b Backend) {
	ctx := context.Background()
	s, dsn := fresh(t, b)
	sub := newSubscriber(t, s)

	// A serial can be reserved for an approved request only.
	r := newRequest(t, s, sub.ID)
	res := &store.Reservation{Serial: newSerial(), Issuer: issuer, RequestID: r.ID,
		ReservedAt: at(time.Hour)}
	err := s.ReserveSerial(ctx, res)
	wantErr(t, err, store.ErrStateChanged, "ReserveSerial")
	must(t, s.Transition(ctx, r.ID, store.StateReceived, store.StateApproved,
		store.Decision{At: at(time.Minute), By: "policy"}))
	must(t, s.ReserveSerial(ctx, res))
	missing := &store.Reservation{Serial: newSerial(), Issuer: issuer, RequestID: 999999,
		ReservedAt: t0}
	wantErr(t, s.ReserveSerial(ctx, missing), store.ErrNotFound, "ReserveSerial")

	// One serial per request, each serial once.
	again := &store.Reservation{Serial: newSerial(), Issuer: issuer, RequestID: r.ID,
		ReservedAt: at(time.Hour)}
	wantConflict(t, s.ReserveSerial(ctx, again), store.KeySerialRequest, "ReserveSerial")
	r2 := approved(t, s, sub.ID)
	same := &store.Reservation{Serial: res.Serial, Issuer: issuer, RequestID: r2.ID,
		ReservedAt: at(time.Hour)}
	wantConflict(t, s.ReserveSerial(ctx, same), store.KeySerial, "ReserveSerial")
	for _, serial := range [][]byte{nil, {0x80}, {0, 1}, make([]byte, 21), {0xff, 1}} {
		bad := &store.Reservation{Serial: serial, Issuer: issuer, ReservedAt: t0}
		wantErr(t, s.ReserveSerial(ctx, bad), store.ErrInvalid, "ReserveSerial")
	}

	got, err := s.Reservation(ctx, res.Serial)
	must(t, err)
	if !reflect.DeepEqual(got, res) {
		t.Errorf("Reservation:\n got %+v\nwant %+v", got, res)
	}
	got, err = s.ReservationByRequest(ctx, r.ID)
	must(t, err)
	if !bytes.Equal(got.Serial, res.Serial) {
		t.Errorf("ReservationByRequest: serial %x, want %x", got.Serial, res.Serial)
	}
	_, err = s.ReservationByRequest(ctx, r2.ID)
	wantErr(t, err, store.ErrNotFound, "ReservationByRequest")
	_, err = s.Reservation(ctx, []byte{1})
	wantErr(t, err, store.ErrNotFound, "Reservation")

	// A certificate needs its reservation, for the same request.
	unreserved := newCertificate(sub.ID, r2.ID, newSerial())
	wantErr(t, s.RecordCertificate(ctx, unreserved), store.ErrNotFound, "RecordCertificate")
	wrong := newCertificate(sub.ID, r2.ID, res.Serial)
	wantErr(t, s.RecordCertificate(ctx, wrong), store.ErrInvalid, "RecordCertificate")
	short := newCertificate(sub.ID, r.ID, res.Serial)
	short.SPKISHA256 = short.SPKISHA256[:20]
	wantErr(t, s.RecordCertificate(ctx, short), store.ErrInvalid, "RecordCertificate")
	foreign := newCertificate(sub.ID, r.ID, res.Serial)
	foreign.Issuer = []byte("\x30\x00")
	wantErr(t, s.RecordCertificate(ctx, foreign), store.ErrInvalid, "RecordCertificate")
	// A refusal moves nothing in a transaction either. Its error comes
	// from the call, or (a write held back in PostgreSQL's pipeline) from
	// InTx, with the writes before it undone.
	nonce := []byte("undone with a refused certificate")
	expires := time.Now().Add(time.Hour)
	for _, c := range []*store.Certificate{unreserved, wrong, foreign} {
		err := s.InTx(ctx, func(tx store.Tx) error {
			if err := tx.RememberNonce(ctx, []byte("test"), nonce, expires); err != nil {
				return err
			}
			return tx.RecordCertificate(ctx, c)
		})
		if !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrInvalid) {
			t.Errorf("RecordCertificate in a transaction: %v, want not found or invalid", err)
		}
	}
	must(t, s.RememberNonce(ctx, []byte("test"), nonce, expires))
	for _, id := range []int64{r.ID, r2.ID} {
		got, err := s.Request(ctx, id)
		must(t, err)
		if got.State != store.StateApproved {
			t.Errorf("request %d after refused certificates: %s, want approved", id, got.State)
		}
	}
	if n := b.QueryInt(t, dsn, `SELECT count(*) FROM certificates`); n != 0 {
		t.Errorf("%d certificates after refusals, want 0", n)
	}

	c := newCertificate(sub.ID, r.ID, res.Serial)
	c.KeyExpires = at(300 * 24 * time.Hour)
	must(t, s.RecordCertificate(ctx, c))
	if c.Status != store.StatusValid {
		t.Errorf("status %q after RecordCertificate", c.Status)
	}
	for name, get := range map[string]func() (*store.Certificate, error){
		"Certificate": func() (*store.Certificate, error) {
			return s.Certificate(ctx, c.Serial)
		},
		"CertificateByRequest": func() (*store.Certificate, error) {
			return s.CertificateByRequest(ctx, r.ID)
		},
		"CertificateBySPKI": func() (*store.Certificate, error) {
			return s.CertificateBySPKI(ctx, c.SPKISHA256)
		},
	} {
		got, err := get()
		must(t, err)
		if !reflect.DeepEqual(got, c) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, c)
		}
	}
	_, err = s.CertificateBySPKI(ctx, random(32))
	wantErr(t, err, store.ErrNotFound, "CertificateBySPKI")
	_, err = s.Certificate(ctx, []byte{1})
	wantErr(t, err, store.ErrNotFound, "Certificate")
	_, err = s.CertificateByRequest(ctx, r2.ID)
	wantErr(t, err, store.ErrNotFound, "CertificateByRequest")

	// The same request cannot be issued twice: it is no longer approved.
	err = s.RecordCertificate(ctx, newCertificate(sub.ID, r.ID, res.Serial))
	wantErr(t, err, store.ErrStateChanged, "RecordCertificate")

	// A key is certified once, ever (O3).
	res2 := &store.Reservation{Serial: newSerial(), Issuer: issuer, RequestID: r2.ID,
		ReservedAt: at(time.Hour)}
	must(t, s.ReserveSerial(ctx, res2))
	reused := newCertificate(sub.ID, r2.ID, res2.Serial)
	reused.SPKISHA256 = c.SPKISHA256
	wantConflict(t, s.RecordCertificate(ctx, reused), store.KeyCertificateSPKI,
		"RecordCertificate")
	// The failed attempt left the request approved.
	got2, err := s.Request(ctx, r2.ID)
	must(t, err)
	if got2.State != store.StateApproved {
		t.Errorf("request after a refused certificate: %s, want approved", got2.State)
	}
	must(t, s.RecordCertificate(ctx, newCertificate(sub.ID, r2.ID, res2.Serial)))
}

func testInOfficeCertificates(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := fresh(t, b)
	sub := newSubscriber(t, s)
	// First enrollment has no request; several of them may exist.
	for range 3 {
		res := &store.Reservation{Serial: newSerial(), Issuer: issuer, ReservedAt: t0}
		must(t, s.ReserveSerial(ctx, res))
		c := newCertificate(sub.ID, 0, res.Serial)
		must(t, s.RecordCertificate(ctx, c))
		got, err := s.Certificate(ctx, c.Serial)
		must(t, err)
		if got.RequestID != 0 || !reflect.DeepEqual(got, c) {
			t.Errorf("in-office certificate:\n got %+v\nwant %+v", got, c)
		}
	}
	// The certificate's serial must still be reserved first, and a
	// serial reserved for a request cannot carry an in-office one.
	wantErr(t, s.RecordCertificate(ctx, newCertificate(sub.ID, 0, newSerial())),
		store.ErrNotFound, "RecordCertificate")
	r := approved(t, s, sub.ID)
	res := &store.Reservation{Serial: newSerial(), Issuer: issuer, RequestID: r.ID,
		ReservedAt: t0}
	must(t, s.ReserveSerial(ctx, res))
	wantErr(t, s.RecordCertificate(ctx, newCertificate(sub.ID, 0, res.Serial)),
		store.ErrInvalid, "RecordCertificate")
}

func testRevocationAndCRL(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := fresh(t, b)
	a, c := newSubscriber(t, s), newSubscriber(t, s)
	ca := issue(t, s, a.ID, approved(t, s, a.ID).ID)
	cb := issue(t, s, a.ID, approved(t, s, a.ID).ID)
	cc := issue(t, s, c.ID, approved(t, s, c.ID).ID)

	must(t, s.Revoke(ctx, cb.Serial, store.ReasonKeyCompromise, at(2*time.Hour)))
	got, err := s.Certificate(ctx, cb.Serial)
	must(t, err)
	if got.Status != store.StatusRevoked || got.RevocationReason != store.ReasonKeyCompromise ||
		!got.RevokedAt.Equal(at(2*time.Hour)) {
		t.Errorf("revoked certificate: %+v", got)
	}
	wantErr(t, s.Revoke(ctx, cb.Serial, store.ReasonSuperseded, at(3*time.Hour)),
		store.ErrStateChanged, "Revoke")
	wantErr(t, s.Revoke(ctx, []byte{1}, store.ReasonSuperseded, t0), store.ErrNotFound, "Revoke")
	wantErr(t, s.Revoke(ctx, ca.Serial, 7, t0), store.ErrInvalid, "Revoke")

	list, err := s.ListCertificates(ctx, store.CertificateQuery{Issuer: issuer,
		Status: store.StatusRevoked})
	must(t, err)
	if len(list) != 1 || !bytes.Equal(list[0].Serial, cb.Serial) {
		t.Errorf("revoked list: %v", sprint(list))
	}
	list, err = s.ListCertificates(ctx, store.CertificateQuery{SubscriberID: a.ID})
	must(t, err)
	if len(list) != 2 {
		t.Errorf("certificates of subscriber %d: %d, want 2", a.ID, len(list))
	}
	// a.ID < c.ID: the range (a.ID-1, a.ID] holds a's two, (a.ID, c.ID]
	// c's one.
	list, err = s.ListCertificates(ctx, store.CertificateQuery{SubscriberAfter: a.ID - 1,
		SubscriberUpTo: a.ID})
	must(t, err)
	if len(list) != 2 {
		t.Errorf("certificates of subscribers up to %d: %d, want 2", a.ID, len(list))
	}
	list, err = s.ListCertificates(ctx, store.CertificateQuery{SubscriberAfter: a.ID,
		SubscriberUpTo: c.ID})
	must(t, err)
	if len(list) != 1 || list[0].SubscriberID != c.ID {
		t.Errorf("certificates of subscribers after %d up to %d: %v", a.ID, c.ID, sprint(list))
	}
	list, err = s.ListCertificates(ctx, store.CertificateQuery{Issuer: []byte("other")})
	must(t, err)
	if len(list) != 0 {
		t.Errorf("certificates of another issuer: %d", len(list))
	}
	list, err = s.ListCertificates(ctx, store.CertificateQuery{})
	must(t, err)
	if len(list) != 3 {
		t.Errorf("all certificates: %d, want 3", len(list))
	}
	list, err = s.ListCertificates(ctx, store.CertificateQuery{NotAfterBefore: cc.NotAfter})
	must(t, err)
	if len(list) != 0 {
		t.Errorf("expiring before %v: %d, want 0", cc.NotAfter, len(list))
	}
	list, err = s.ListCertificates(ctx, store.CertificateQuery{
		NotAfterBefore: cc.NotAfter.Add(time.Microsecond), Limit: 2})
	must(t, err)
	if len(list) != 2 {
		t.Errorf("expiring, limit 2: %d", len(list))
	}

	for want := int64(1); want <= 3; want++ {
		n, err := s.NextCRLNumber(ctx, issuer)
		must(t, err)
		if n != want {
			t.Errorf("NextCRLNumber = %d, want %d", n, want)
		}
	}
	n, err := s.NextCRLNumber(ctx, []byte("another CA"))
	must(t, err)
	if n != 1 {
		t.Errorf("NextCRLNumber of a second issuer = %d, want 1", n)
	}
	_, err = s.NextCRLNumber(ctx, nil)
	wantErr(t, err, store.ErrInvalid, "NextCRLNumber")
}

func testTransactions(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := fresh(t, b)
	sub := newSubscriber(t, s)
	r := newRequest(t, s, sub.ID)
	tr := &store.Transaction{Sender: []byte("sender-A"), TransactionID: r.TransactionID,
		RequestID: r.ID, SenderNonce: random(16), RecipNonce: random(16), Expect: "pollReq",
		CreatedAt: t0, ExpiresAt: at(24 * time.Hour), State: []byte(`{"state":"waiting"}`)}
	must(t, s.CreateTransaction(ctx, tr))
	if tr.Version != 1 || !tr.UpdatedAt.Equal(tr.CreatedAt) {
		t.Errorf("CreateTransaction set %+v", tr)
	}
	got, err := s.Transaction(ctx, tr.Sender, tr.TransactionID)
	must(t, err)
	if !reflect.DeepEqual(got, tr) {
		t.Errorf("Transaction:\n got %+v\nwant %+v", got, tr)
	}
	wantConflict(t, s.CreateTransaction(ctx, &store.Transaction{Sender: tr.Sender,
		TransactionID: tr.TransactionID, CreatedAt: t0, ExpiresAt: t0}),
		store.KeyTransaction, "CreateTransaction")
	_, err = s.Transaction(ctx, []byte("sender-B"), tr.TransactionID)
	wantErr(t, err, store.ErrNotFound, "Transaction")

	// Compare and set on the version.
	stale := *got
	got.Expect, got.UpdatedAt, got.ExpiresAt = "certConf", at(time.Hour), at(25*time.Hour)
	got.SenderNonce, got.State = random(16), []byte(`{"state":"issued"}`)
	must(t, s.UpdateTransaction(ctx, got))
	if got.Version != 2 {
		t.Errorf("version after update: %d", got.Version)
	}
	stale.Expect, stale.UpdatedAt = "pollReq", at(time.Hour)
	wantErr(t, s.UpdateTransaction(ctx, &stale), store.ErrStateChanged, "UpdateTransaction")
	again, err := s.Transaction(ctx, tr.Sender, tr.TransactionID)
	must(t, err)
	if !reflect.DeepEqual(again, got) {
		t.Errorf("after update:\n got %+v\nwant %+v", again, got)
	}
	gone := &store.Transaction{Sender: []byte("nobody"), TransactionID: []byte{1},
		UpdatedAt: t0, ExpiresAt: t0, Version: 1}
	wantErr(t, s.UpdateTransaction(ctx, gone), store.ErrNotFound, "UpdateTransaction")

	// Replay detection.
	nonce := random(16)
	must(t, s.RememberNonce(ctx, tr.Sender, nonce, at(time.Hour)))
	wantConflict(t, s.RememberNonce(ctx, tr.Sender, nonce, at(time.Hour)), store.KeyNonce,
		"RememberNonce")
	must(t, s.RememberNonce(ctx, []byte("sender-B"), nonce, at(time.Hour)))
	must(t, s.RememberNonce(ctx, tr.Sender, random(16), at(48*time.Hour)))

	// Expiry removes what expired only.
	short := &store.Transaction{Sender: []byte("sender-C"), TransactionID: []byte{2},
		CreatedAt: t0, ExpiresAt: at(time.Minute)}
	must(t, s.CreateTransaction(ctx, short))
	n, err := s.ExpireTransactions(ctx, at(2*time.Hour))
	must(t, err)
	if n != 3 { // short, and two nonces that expired at t0+1h
		t.Errorf("ExpireTransactions removed %d rows, want 3", n)
	}
	_, err = s.Transaction(ctx, short.Sender, short.TransactionID)
	wantErr(t, err, store.ErrNotFound, "Transaction")
	_, err = s.Transaction(ctx, tr.Sender, tr.TransactionID)
	must(t, err)
	must(t, s.RememberNonce(ctx, tr.Sender, nonce, at(3*time.Hour)))
}

// testListTransactions: the transactions of a state, of a sender and
// expiring before a time, those expiring first first, at most Limit.
func testListTransactions(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := fresh(t, b)
	add := func(sender, expect string, id byte, expires time.Duration) store.Transaction {
		tr := &store.Transaction{Sender: []byte(sender), TransactionID: []byte{id},
			Expect: expect, CreatedAt: t0, ExpiresAt: at(expires), State: []byte{id}}
		must(t, s.CreateTransaction(ctx, tr))
		return *tr
	}
	late := add("cmp", "issued", 1, 3*time.Hour)
	early := add("cmp", "issued", 2, time.Hour)
	add("cmp", "done", 3, time.Minute)
	other := add("other", "issued", 4, 2*time.Hour)
	list := func(q store.TransactionQuery, want ...store.Transaction) {
		t.Helper()
		got, err := s.ListTransactions(ctx, q)
		must(t, err)
		if len(want) == 0 {
			want = nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ListTransactions(%+v):\n got %+v\nwant %+v", q, got, want)
		}
	}
	list(store.TransactionQuery{Expect: "issued"}, early, other, late)
	list(store.TransactionQuery{Sender: []byte("cmp"), Expect: "issued"}, early, late)
	list(store.TransactionQuery{Expect: "issued", ExpiresBefore: at(3 * time.Hour)}, early, other)
	list(store.TransactionQuery{Expect: "issued", Limit: 1}, early)
	list(store.TransactionQuery{Expect: "waiting"})
	if got, err := s.ListTransactions(ctx, store.TransactionQuery{}); err != nil || len(got) != 4 {
		t.Errorf("ListTransactions of all: %d, %v", len(got), err)
	}
}

func testMailbox(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := fresh(t, b)
	a, c := newSubscriber(t, s), newSubscriber(t, s)
	tid := random(16)
	m1 := &store.Message{SubscriberID: a.ID, TransactionID: tid, Kind: "cmp-response",
		Body: random(100), CreatedAt: t0}
	m2 := &store.Message{SubscriberID: a.ID, Kind: "confirmation", Body: random(50),
		CreatedAt: at(time.Minute)}
	m3 := &store.Message{SubscriberID: c.ID, Kind: "confirmation", Body: random(50),
		CreatedAt: at(time.Minute)}
	for _, m := range []*store.Message{m1, m2, m3} {
		must(t, s.PutMessage(ctx, m))
	}
	wantErr(t, s.PutMessage(ctx, &store.Message{SubscriberID: 999999, Kind: "x",
		CreatedAt: t0}), store.ErrNotFound, "PutMessage")
	wantErr(t, s.PutMessage(ctx, &store.Message{SubscriberID: a.ID, CreatedAt: t0}),
		store.ErrInvalid, "PutMessage")

	list, err := s.Messages(ctx, a.ID, nil)
	must(t, err)
	if !reflect.DeepEqual(list, []store.Message{*m1, *m2}) {
		t.Errorf("Messages of A:\n got %v\nwant %v", sprint(list), sprint([]store.Message{*m1, *m2}))
	}
	list, err = s.Messages(ctx, a.ID, tid)
	must(t, err)
	if len(list) != 1 || list[0].ID != m1.ID {
		t.Errorf("Messages of A's transaction: %v", sprint(list))
	}
	list, err = s.Messages(ctx, c.ID, tid)
	must(t, err)
	if len(list) != 0 {
		t.Errorf("subscriber B sees A's transaction: %v", sprint(list))
	}

	// Only the recipient acknowledges; acknowledging twice is harmless.
	wantErr(t, s.AckMessage(ctx, c.ID, m1.ID, at(time.Hour)), store.ErrNotFound, "AckMessage")
	must(t, s.AckMessage(ctx, a.ID, m1.ID, at(time.Hour)))
	must(t, s.AckMessage(ctx, a.ID, m1.ID, at(2*time.Hour)))
	wantErr(t, s.AckMessage(ctx, a.ID, 999999, at(time.Hour)), store.ErrNotFound, "AckMessage")
	list, err = s.Messages(ctx, a.ID, nil)
	must(t, err)
	if len(list) != 1 || list[0].ID != m2.ID {
		t.Errorf("Messages of A after ack: %v", sprint(list))
	}
	list, err = s.Messages(ctx, c.ID, nil)
	must(t, err)
	if len(list) != 1 || list[0].ID != m3.ID {
		t.Errorf("Messages of B: %v", sprint(list))
	}

	// One kind across subscribers, unacknowledged, oldest first.
	m4 := &store.Message{SubscriberID: c.ID, Kind: "confirmation", Body: random(10),
		CreatedAt: at(-time.Minute)}
	must(t, s.PutMessage(ctx, m4))
	list, err = s.ListMessages(ctx, store.MessageQuery{Kind: "confirmation"})
	must(t, err)
	if want := []store.Message{*m4, *m2, *m3}; !reflect.DeepEqual(list, want) {
		t.Errorf("ListMessages:\n got %v\nwant %v", sprint(list), sprint(want))
	}
	list, err = s.ListMessages(ctx, store.MessageQuery{Kind: "confirmation",
		CreatedBefore: at(time.Minute), Limit: 5})
	must(t, err)
	if len(list) != 1 || list[0].ID != m4.ID {
		t.Errorf("ListMessages created before: %v, want m4 alone", sprint(list))
	}
	list, err = s.ListMessages(ctx, store.MessageQuery{Kind: "confirmation", Limit: 2})
	must(t, err)
	if len(list) != 2 || list[0].ID != m4.ID || list[1].ID != m2.ID {
		t.Errorf("ListMessages limit 2: %v", sprint(list))
	}
	list, err = s.ListMessages(ctx, store.MessageQuery{Kind: "cmp-response"})
	must(t, err)
	if len(list) != 0 {
		t.Errorf("ListMessages lists an acknowledged message: %v", sprint(list))
	}
	_, err = s.ListMessages(ctx, store.MessageQuery{})
	wantErr(t, err, store.ErrInvalid, "ListMessages")
}

// testClaims: a key is claimed once, ever; a claim in a transaction that
// rolls back is not made; of two replicas claiming one key in transactions
// that also reserve a serial, exactly one commits, with its serial.
func testClaims(t *testing.T, b Backend) {
	s, dsn := fresh(t, b)
	ctx := context.Background()
	key := []byte("ir-secret:1:ref")
	wantErr(t, s.ClaimOnce(ctx, nil, t0), store.ErrInvalid, "ClaimOnce")
	wantErr(t, s.ClaimOnce(ctx, key, time.Time{}), store.ErrInvalid, "ClaimOnce")

	undo := errors.New("undo")
	err := s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.ClaimOnce(ctx, key, t0); err != nil {
			return err
		}
		return undo
	})
	if !errors.Is(err, undo) {
		t.Fatalf("InTx: %v, want the function's error", err)
	}
	must(t, s.ClaimOnce(ctx, key, t0))
	wantConflict(t, s.ClaimOnce(ctx, key, at(time.Hour)), store.KeyClaim, "ClaimOnce")
	// In a transaction the conflict undoes the transaction's other writes,
	// whichever call or the commit reports it.
	serial := newSerial()
	err = s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.ClaimOnce(ctx, key, at(time.Hour)); err != nil {
			return err
		}
		return tx.ReserveSerial(ctx, &store.Reservation{Serial: serial, Issuer: issuer,
			ReservedAt: t0})
	})
	wantConflict(t, err, store.KeyClaim, "ClaimOnce")
	if _, err := s.Reservation(ctx, serial); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the serial of a failed claim: %v, want not found", err)
	}
	must(t, s.ClaimOnce(ctx, []byte("ir-secret:1:other"), t0))

	rs, rdsn := replicas(t, b)
	for round := range 5 {
		key := []byte(fmt.Sprintf("raced %d", round))
		var won atomic.Int32
		race(rs, func(i int, s store.Store) {
			err := s.InTx(ctx, func(tx store.Tx) error {
				if err := tx.ClaimOnce(ctx, key, t0); err != nil {
					return err
				}
				return tx.ReserveSerial(ctx, &store.Reservation{Serial: newSerial(),
					Issuer: issuer, ReservedAt: t0})
			})
			var ce *store.ConflictError
			switch {
			case err == nil:
				won.Add(1)
			case !errors.As(err, &ce) || ce.Key != store.KeyClaim:
				t.Errorf("racer %d: %v, want success or a claim conflict", i, err)
			}
		})
		if n := won.Load(); n != 1 {
			t.Errorf("round %d: %d racers claimed the key, want exactly one", round, n)
		}
	}
	if n := b.QueryInt(t, rdsn, `SELECT count(*) FROM serials`); n != 5 {
		t.Errorf("%d serials reserved by the racers, want 5", n)
	}
	if n := b.QueryInt(t, dsn, `SELECT count(*) FROM claims`); n != 2 {
		t.Errorf("%d claims in the first store, want 2", n)
	}
}
