package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"rekey/cmp"
	"rekey/internal/pgtest"
)

// TestTwoReplicasOnePostgres runs two `rekeyd serve` processes on one
// PostgreSQL database and renews concurrently across them: each client
// sends its kur to one replica and continues on the other — the same kur
// again as a client whose answer was lost (retry), or certConf — and
// every third sends the same kur to both replicas at once. No request may
// get two certificates, every client must end with its certificate
// confirmed, and the audit chain must verify.
func TestTwoReplicasOnePostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	const subscribers, concurrency = 48, 8
	f, err := newFleet(ctx, &fleetOptions{dir: filepath.Join(t.TempDir(), "op"),
		profile: "gost2012-256", database: dsn, subscribers: subscribers, renewals: 1,
		workers: 8})
	if err != nil {
		t.Fatal(err)
	}
	var replicas [2]*process
	var clients [2]*cmp.Client
	for i := range replicas {
		if replicas[i], err = startServe(binary, f.dir, f.password, ""); err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		clients[i] = newClient(replicas[i].url, f.caCert, concurrency)
	}
	defer func() {
		for i, p := range replicas {
			if err := p.stop(); err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
		}
	}()

	renewals := make([]*renewal, subscribers)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for i := range jobs {
				renewals[i] = acrossReplicas(ctx, clients, f.subs[i], i%3)
			}
		})
	}
	for i := range subscribers {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for i, p := range replicas {
		if ev := p.errorEvents(); len(ev) > 0 {
			t.Logf("replica %d logged errors:\n%s", i, ev)
		}
		if err := p.stop(); err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}

	for _, r := range renewals {
		if r.err != nil {
			t.Errorf("subscriber %d: %s: %v (transaction %x)", r.sub.index, r.stage, r.err,
				r.txID)
		}
	}
	if t.Failed() {
		for i, p := range replicas {
			t.Logf("the last log lines of replica %d:\n%s", i, p.logTail())
		}
	}
	is := readIssuance(t, f.dir)
	for _, r := range renewals {
		if r.err == nil {
			is.checkRenewal(t, r)
		}
	}
	auditVerify(t, f.dir)
}

// acrossReplicas renews s over two replicas. mode 0: kur to one replica,
// the same kur again to the other (a retry after a lost answer), certConf
// to the first; mode 1: kur to one, certConf to the other; mode 2: the
// same kur to both at once, certConf to the one that did not answer
// last.
func acrossReplicas(ctx context.Context, c [2]*cmp.Client, s *subscriber, mode int) *renewal {
	r := &renewal{sub: s, newKey: s.next[0], txID: make([]byte, 16)}
	rand.Read(r.txID)
	a, b := c[s.index%2], c[(s.index+1)%2]
	opts := &cmp.KeyUpdateOptions{Current: s.cert, CurrentKey: s.key, NewKey: r.newKey,
		TransactionID: r.txID}
	cred := cmp.SignatureCredentials(s.cert, s.key)
	r.stage = "kur"
	var res *cmp.Result
	switch mode {
	case 0:
		first, err := a.UpdateKey(ctx, opts)
		if err != nil {
			r.err = err
			return r
		}
		r.accepted = true
		if res, r.err = b.UpdateKey(ctx, opts); r.err != nil {
			r.stage = "kur again on the other replica"
			return r
		}
		if first.Certificate == nil || res.Certificate == nil ||
			!bytes.Equal(first.Certificate.Raw, res.Certificate.Raw) {
			r.err = errors.New("the repeated kur was answered with another certificate")
			return r
		}
		b = a
	case 1:
		if res, r.err = a.UpdateKey(ctx, opts); r.err != nil {
			return r
		}
		r.accepted = true
	case 2:
		var last int
		res, last, r.err = both(ctx, [2]*cmp.Client{a, b}, opts)
		if r.err != nil {
			return r
		}
		r.accepted = true
		b = []*cmp.Client{b, a}[last]
	}
	if res.Certificate == nil {
		r.err = fmt.Errorf("state %s, want the certificate (automatic approval)", res.State.State)
		return r
	}
	r.cert = res.Certificate
	r.stage = "certConf"
	r.err = b.Confirm(ctx, res.State, cred, true)
	return r
}

// both sends the same kur to both replicas at once. The replica that
// opens the transaction answers with the certificate; the other answers
// with the transaction's state (the same certificate) or refuses the
// transactionID as in use while the first holds it. At least one must
// answer with the certificate, and two answers must carry the same one.
// It returns the answer that continues the transaction (when both
// answered, a third kur to the first replica decides which: only the
// senderNonce saved last is the recipNonce of certConf) and the index of
// the replica that gave it.
func both(ctx context.Context, c [2]*cmp.Client, opts *cmp.KeyUpdateOptions) (
	*cmp.Result, int, error) {
	var res [2]*cmp.Result
	var errs [2]error
	var wg sync.WaitGroup
	for i := range c {
		wg.Go(func() { res[i], errs[i] = c[i].UpdateKey(ctx, opts) })
	}
	wg.Wait()
	answered := -1
	for i := range res {
		var se *cmp.ServerError
		switch {
		case errs[i] == nil && res[i].Certificate != nil:
			if answered >= 0 && !bytes.Equal(res[answered].Certificate.Raw,
				res[i].Certificate.Raw) {
				return nil, 0, errors.New("the replicas answered the same kur with " +
					"different certificates")
			}
			answered = i
		case errors.As(errs[i], &se) && se.Failure()&cmp.FailTransactionIDInUse != 0:
		case errs[i] != nil:
			return nil, 0, errs[i]
		default:
			return nil, 0, fmt.Errorf("state %s, want the certificate", res[i].State.State)
		}
	}
	switch {
	case answered < 0:
		return nil, 0, errors.New("neither replica answered the kur with a certificate")
	case errs[0] == nil && errs[1] == nil:
		r, err := c[0].UpdateKey(ctx, opts)
		return r, 0, err
	}
	return res[answered], answered, nil
}
