package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"rekey/cmp"
	"rekey/pki"
)

// driver runs renewals — kur, then pollReq while waiting, then certConf —
// with the CMP client of package cmp, the way a subscriber's client does,
// including its retries when the operator is unreachable.
type driver struct {
	client *cmp.Client
	// retryFor is how long an exchange is repeated while the operator is
	// unreachable (cmp.ErrRetryLater); 0 means no retry.
	retryFor time.Duration
	// pause is the wait between two attempts.
	pause time.Duration
}

// newDriver returns a driver of the CMP endpoint at url (the base URL of
// rekeyd serve), trusting caCert, with a connection pool for conns
// concurrent renewals.
func newDriver(url string, caCert *pki.Certificate, conns int) *driver {
	return &driver{client: newClient(url, caCert, conns), pause: 100 * time.Millisecond}
}

// newClient returns a CMP client of url whose HTTP connections are kept
// for reuse (http.DefaultTransport keeps two per host, so a load of more
// would reconnect all the time).
func newClient(url string, caCert *pki.Certificate, conns int) *cmp.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conns + 8,
		MaxIdleConnsPerHost: conns + 8,
		IdleConnTimeout:     90 * time.Second,
	}
	return &cmp.Client{
		Transport: &cmp.HTTPTransport{URL: url + "/.well-known/cmp",
			Client: &http.Client{Transport: tr, Timeout: 60 * time.Second}},
		Roots: []*pki.Certificate{caCert}, Recipient: caCert.RawSubject,
	}
}

// renewal is the record of one renewal.
type renewal struct {
	sub     *subscriber
	newKey  crypto.Signer
	txID    []byte
	latency time.Duration
	// retries counts the exchanges repeated because the operator was
	// unreachable.
	retries int
	// accepted says the operator answered the kur with a certificate or
	// waiting: it holds a request for txID.
	accepted bool
	// confirmUncertain says a certConf was repeated after its answer was
	// lost and the repetition refused: the first one may have arrived.
	confirmUncertain bool
	cert             *pki.Certificate
	stage            string // where err happened: kur, poll, certConf
	err              error
}

// renew runs one renewal of s to newKey. It never returns early on an
// error: the error is in the record.
func (d *driver) renew(ctx context.Context, s *subscriber, newKey crypto.Signer) *renewal {
	r := &renewal{sub: s, newKey: newKey, txID: make([]byte, 16)}
	rand.Read(r.txID)
	start := time.Now()
	d.run(ctx, r)
	r.latency = time.Since(start)
	return r
}

func (d *driver) run(ctx context.Context, r *renewal) {
	cred := cmp.SignatureCredentials(r.sub.cert, r.sub.key)
	opts := &cmp.KeyUpdateOptions{Current: r.sub.cert, CurrentKey: r.sub.key,
		NewKey: r.newKey, TransactionID: r.txID}
	var res *cmp.Result
	r.stage = "kur"
	r.err = d.retry(ctx, r, func() (err error) {
		res, err = d.client.UpdateKey(ctx, opts)
		return err
	})
	if r.err != nil {
		return
	}
	r.accepted = true
	r.stage = "poll"
	for res.Certificate == nil {
		if err := sleep(ctx, time.Until(res.State.CheckAfter)); err != nil {
			r.err = err
			return
		}
		st := res.State
		r.err = d.retry(ctx, r, func() (err error) {
			res, err = d.client.Poll(ctx, st, cred)
			return err
		})
		if r.err != nil {
			return
		}
	}
	r.cert = res.Certificate
	r.stage = "certConf"
	tries := 0
	r.err = d.retry(ctx, r, func() error {
		tries++
		return d.client.Confirm(ctx, res.State, cred, true)
	})
	var se *cmp.ServerError
	if r.err != nil && tries > 1 && errors.As(r.err, &se) {
		r.confirmUncertain = true
	}
}

// retry calls f until it succeeds, fails for a reason other than an
// unreachable operator, or d.retryFor has passed.
func (d *driver) retry(ctx context.Context, r *renewal, f func() error) error {
	deadline := time.Now().Add(d.retryFor)
	for {
		err := f()
		if err == nil || !errors.Is(err, cmp.ErrRetryLater) || time.Now().After(deadline) {
			return err
		}
		r.retries++
		if err := sleep(ctx, d.pause); err != nil {
			return err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// errorKind classifies a failed renewal for the report: the stage and the
// CMP failure bits when the operator refused, else the error's text.
func (r *renewal) errorKind() string {
	var se *cmp.ServerError
	if errors.As(r.err, &se) {
		return fmt.Sprintf("%s: refused (%s)", r.stage, se.Failure())
	}
	if errors.Is(r.err, cmp.ErrRetryLater) {
		return r.stage + ": operator unavailable"
	}
	return fmt.Sprintf("%s: %v", r.stage, r.err)
}
