package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"rekey/store"
)

// Bench measures the storage side of one renewal, the bookkeeping a
// rekeyd replica does around a signature:
//
//  1. kur: CMP transaction created, senderNonce remembered, request stored,
//     received → approved (automatic approval), serial reserved; audit
//     "request.received", "approve", "sign.before";
//  2. after signing: certificate recorded (approved → issued), transaction
//     updated, response put in the mailbox; audit "sign.after";
//  3. the subscriber's poll: mailbox read;
//  4. certConf: nonce remembered, message acknowledged, issued → confirmed,
//     audit "confirm".
//
// "steps" runs each call in its own transaction (13 commits a renewal);
// "grouped" runs 1, 2 and 4 each in one transaction (3 commits), as a
// server that commits once per CMP message would, with the audit appends
// last so that the chain's head is locked briefly. "serial" runs one
// renewal at a time, "parallel" GOMAXPROCS×4 at once, as concurrent HTTP
// requests would. Each reports renewals/s.
func Bench(b *testing.B, be Backend) {
	for _, grouped := range []bool{false, true} {
		for _, parallel := range []bool{false, true} {
			name := map[bool]string{false: "steps", true: "grouped"}[grouped] + "/" +
				map[bool]string{false: "serial", true: "parallel"}[parallel]
			b.Run(name, func(b *testing.B) { benchCycle(b, be, grouped, parallel) })
		}
	}
}

func benchCycle(b *testing.B, be Backend, grouped, parallel bool) {
	s := open(b, be.NewDSN(b))
	const subscribers = 64
	subs := make([]int64, subscribers)
	for i := range subs {
		subs[i] = newSubscriber(b, s).ID
	}
	var seq atomic.Int64
	one := func() error {
		n := seq.Add(1)
		return renewal(s, subs[n%subscribers], n, grouped)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	if parallel {
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := one(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	} else {
		for i := 0; i < b.N; i++ {
			if err := one(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "renewals/s")
}

// step runs fn in one transaction when grouped, else directly on s so
// that each call commits on its own.
func step(s store.Store, grouped bool, fn func(store.Tx) error) error {
	if grouped {
		return s.InTx(context.Background(), fn)
	}
	return fn(s)
}

// renewal is one renewal's bookkeeping; n makes it unique.
func renewal(s store.Store, sub, n int64, grouped bool) error {
	ctx := context.Background()
	now := t0.Add(time.Duration(n) * time.Millisecond)
	sender := fmt.Appendf(nil, "subscriber-%d", sub)
	tid := fmt.Appendf(nil, "tid-%020d", n)
	tr := &store.Transaction{Sender: sender, TransactionID: tid, SenderNonce: random(16),
		RecipNonce: random(16), Expect: "certConf", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	r := &store.Request{SubscriberID: sub, TransactionID: tid, Message: random(1500),
		SignerSerial: newSerial(), SPKISHA256: random(32), ReceivedAt: now}
	serial := newSerial()
	audit := func(tx store.Tx, actor, action string) error {
		_, err := tx.AppendAudit(ctx, store.AuditEntry{At: now, Actor: actor, Action: action,
			Object:  fmt.Sprintf("request %d", r.ID),
			Details: fmt.Appendf(nil, `{"serial":"%x"}`, serial)})
		return err
	}

	err := step(s, grouped, func(tx store.Tx) error {
		if err := tx.CreateTransaction(ctx, tr); err != nil {
			return err
		}
		if err := tx.RememberNonce(ctx, sender, tr.SenderNonce, tr.ExpiresAt); err != nil {
			return err
		}
		if err := tx.CreateRequest(ctx, r); err != nil {
			return err
		}
		if err := tx.Transition(ctx, r.ID, store.StateReceived, store.StateApproved,
			store.Decision{At: now, By: "policy"}); err != nil {
			return err
		}
		if err := tx.ReserveSerial(ctx, &store.Reservation{Serial: serial, Issuer: issuer,
			RequestID: r.ID, ReservedAt: now}); err != nil {
			return err
		}
		// Audit last: the chain's head stays locked until commit.
		if err := audit(tx, "cmp", "request.received"); err != nil {
			return err
		}
		if err := audit(tx, "policy", "approve"); err != nil {
			return err
		}
		return audit(tx, "ca", "sign.before")
	})
	if err != nil {
		return err
	}

	c := newCertificate(sub, r.ID, serial)
	c.SPKISHA256 = r.SPKISHA256
	err = step(s, grouped, func(tx store.Tx) error {
		if err := tx.RecordCertificate(ctx, c); err != nil {
			return err
		}
		tr.RequestID, tr.UpdatedAt = r.ID, now
		if err := tx.UpdateTransaction(ctx, tr); err != nil {
			return err
		}
		if err := tx.PutMessage(ctx, &store.Message{SubscriberID: sub, TransactionID: tid,
			Kind: "cmp-response", Body: c.DER, CreatedAt: now}); err != nil {
			return err
		}
		return audit(tx, "ca", "sign.after")
	})
	if err != nil {
		return err
	}

	msgs, err := s.Messages(ctx, sub, tid)
	if err != nil {
		return err
	}
	if len(msgs) != 1 {
		return fmt.Errorf("%d messages for transaction %s", len(msgs), tid)
	}

	return step(s, grouped, func(tx store.Tx) error {
		if err := tx.RememberNonce(ctx, sender, random(16), tr.ExpiresAt); err != nil {
			return err
		}
		if err := tx.AckMessage(ctx, sub, msgs[0].ID, now); err != nil {
			return err
		}
		if err := tx.Transition(ctx, r.ID, store.StateIssued, store.StateConfirmed,
			store.Decision{At: now}); err != nil {
			return err
		}
		return audit(tx, "cmp", "confirm")
	})
}

// BenchAudit measures the audit records of one transaction appended one
// AppendAudit at a time ("singles") against one AppendAudits ("batch"),
// for n records a transaction (a renewal's transactions append 1 to 3),
// one transaction at a time ("serial") or GOMAXPROCS×4 at once
// ("parallel"), where every transaction waits for the chain's head.
// Each reports transactions/s and records/s.
func BenchAudit(b *testing.B, be Backend) {
	for _, n := range []int{1, 3, 6, 32} {
		for _, batch := range []bool{false, true} {
			for _, parallel := range []bool{false, true} {
				name := fmt.Sprintf("n=%d/%s/%s", n,
					map[bool]string{false: "singles", true: "batch"}[batch],
					map[bool]string{false: "serial", true: "parallel"}[parallel])
				b.Run(name, func(b *testing.B) { benchAudit(b, be, n, batch, parallel) })
			}
		}
	}
}

func benchAudit(b *testing.B, be Backend, n int, batch, parallel bool) {
	ctx := context.Background()
	s := open(b, be.NewDSN(b))
	es := auditEntries(n, "request")
	one := func() error {
		return s.InTx(ctx, func(tx store.Tx) error {
			if batch {
				_, err := tx.AppendAudits(ctx, es)
				return err
			}
			for _, e := range es {
				if _, err := tx.AppendAudit(ctx, e); err != nil {
					return err
				}
			}
			return nil
		})
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	if parallel {
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := one(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	} else {
		for range b.N {
			if err := one(); err != nil {
				b.Fatal(err)
			}
		}
	}
	elapsed := time.Since(start).Seconds()
	b.ReportMetric(float64(b.N)/elapsed, "tx/s")
	b.ReportMetric(float64(b.N*n)/elapsed, "records/s")
}
