package main

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestKill9MidBurst kills `rekeyd serve` (SQLite) with SIGKILL in the
// middle of a burst of concurrent renewals and restarts it on the same
// directory and address. The clients retry as a subscriber's client does:
// a kur without an answer is sent again in the same transaction, and
// pollReq and certConf continue after the restart. Afterwards every
// renewal must have ended with its certificate confirmed, the database
// must hold each accepted request with exactly one certificate, no
// serial or key twice, and `rekeyd audit verify` must succeed.
func TestKill9MidBurst(t *testing.T) {
	ctx := context.Background()
	const subscribers, concurrency = 96, 16
	f, err := newFleet(ctx, &fleetOptions{dir: filepath.Join(t.TempDir(), "op"),
		profile: "gost2012-256", subscribers: subscribers, renewals: 1, workers: 8})
	if err != nil {
		t.Fatal(err)
	}
	p, err := startServe(binary, f.dir, f.password, "")
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(p.url, f.caCert, concurrency)
	d.retryFor, d.pause = 90*time.Second, 20*time.Millisecond

	// Kill once a quarter of the burst has finished, with the rest in
	// flight or queued.
	var finished atomic.Int32
	killAt := int32(subscribers / 4)
	var res *result
	var wg sync.WaitGroup
	wg.Go(func() {
		res = runLoad(ctx, f, d, &loadOptions{concurrency: concurrency, rounds: 1,
			observe: func(*renewal) { finished.Add(1) }})
	})
	if !waitFor(60*time.Second, func() bool { return finished.Load() >= killAt }) {
		p.kill()
		wg.Wait()
		t.Fatalf("only %d renewals finished before the kill", finished.Load())
	}
	p.kill()
	atKill := finished.Load()
	p2, err := startServe(binary, f.dir, f.password, p.addr)
	if err != nil {
		wg.Wait()
		t.Fatalf("restarting on %s: %v", p.addr, err)
	}
	wg.Wait()
	if err := p2.stop(); err != nil {
		t.Errorf("stopping the restarted server: %v", err)
	}
	if atKill >= subscribers {
		t.Fatalf("the burst ended before the kill")
	}

	retried := 0
	for _, r := range res.renewals {
		if r.retries > 0 {
			retried++
		}
	}
	t.Logf("%d renewals finished before the kill, %d retried across the restart",
		atKill, retried)
	if retried == 0 {
		t.Errorf("no renewal saw the kill: the test did not test a crash")
	}
	if len(res.renewals) != subscribers {
		t.Errorf("%d renewals ran, want %d", len(res.renewals), subscribers)
	}
	is := readIssuance(t, f.dir)
	for _, r := range res.renewals {
		switch {
		case r.err != nil && !r.confirmUncertain:
			t.Errorf("subscriber %d: renewal failed at %s: %v; the database: %s",
				r.sub.index, r.stage, r.err, is.describe(r.txID))
		case r.accepted:
			is.checkRenewal(t, r)
		}
	}
	auditVerify(t, f.dir)
}
