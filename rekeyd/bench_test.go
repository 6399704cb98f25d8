package rekeyd

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"rekey/cmp"
	"rekey/internal/pgtest"
	"rekey/operator"
	"rekey/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// benchProfiles are the key profiles the benchmarks renew.
var benchProfiles = []string{"gost2012-256", "ecdsa-p256"}

// newBenchEnv is an env with automatic approval, no rate limit and the
// real clock, on the database dsn ("" for SQLite in the directory).
func newBenchEnv(b *testing.B, profile, dsn string) *env {
	e := newEnvDB(b, testPolicy(profile, operator.ApprovalAuto,
		func(c *operator.Config) { c.RateLimitPerDay = 1 << 30 }), dsn)
	e.clock.Set(time.Now())
	e.client.Clock = nil
	return e
}

// renewOnce runs kur → kup → certConf → pkiConf for s with client c and
// returns the subscriber with its new certificate.
func (e *env) renewOnce(ctx context.Context, c *cmp.Client, s *subscriber) (*subscriber, error) {
	k := e.newKey()
	res, err := c.UpdateKey(ctx, &cmp.KeyUpdateOptions{Current: s.cert, CurrentKey: s.key,
		NewKey: k})
	if err != nil {
		return nil, err
	}
	if err := c.Confirm(ctx, res.State, cmp.SignatureCredentials(s.cert, s.key), true); err != nil {
		return nil, err
	}
	return &subscriber{cert: res.Certificate, key: k}, nil
}

// BenchmarkRenewal measures one renewal over HTTP on 127.0.0.1 (kur →
// kup → certConf → pkiConf) with automatic approval and SQLite, one
// subscriber at a time. It reports the store's commits per renewal.
func BenchmarkRenewal(b *testing.B) {
	for _, profile := range benchProfiles {
		b.Run(profile, func(b *testing.B) {
			commits := countCommits(b)
			e := newBenchEnv(b, profile, "")
			s := e.enroll("ООО Ромашка", time.Time{})
			ctx := context.Background()
			commits.Store(0)
			cpu := cpuTime()
			b.ResetTimer()
			for range b.N {
				var err error
				if s, err = e.renewOnce(ctx, e.client, s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(commits.Load())/float64(b.N), "commits/op")
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// BenchmarkRenewalParallel measures renewals of many subscribers at once
// (32 clients on 2 cores, each renewing its own certificate over and over)
// on SQLite and on PostgreSQL. Its ns/op is the inverse of the throughput.
func BenchmarkRenewalParallel(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		for _, profile := range benchProfiles {
			b.Run(engine+"/"+profile, func(b *testing.B) {
				dsn := ""
				if engine == "postgres" {
					dsn = pgtest.DSN(b) + poolOption
				}
				commits := countCommits(b)
				e := newBenchEnv(b, profile, dsn)
				var n atomic.Int64
				subs := make(chan *subscriber, 64)
				for i := range 64 {
					subs <- e.enroll(fmt.Sprintf("ООО Ромашка %d", i), time.Time{})
				}
				ctx := context.Background()
				commits.Store(0)
				b.SetParallelism(16)
				cpu := cpuTime()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					c := e.newClient()
					c.Clock = nil
					s := <-subs
					for pb.Next() {
						var err error
						if s, err = e.renewOnce(ctx, c, s); err != nil {
							b.Error(err)
							return
						}
						n.Add(1)
					}
				})
				b.ReportMetric(float64(commits.Load())/float64(n.Load()), "commits/op")
				b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "renewals/s")
				b.ReportMetric(float64(cpuTime()-cpu)/float64(n.Load())/1e6, "cpu-ms/op")
			})
		}
	}
}

// cpuTime is the CPU time the process used so far, user and system, in
// nanoseconds: the client's and the server's, since both run here. Unlike
// ns/op it hardly depends on what else the machine runs.
func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// countCommits makes the operators opened during b count the store's
// write transactions: each InTx and each write method called outside one.
func countCommits(b testing.TB) *atomic.Int64 {
	n := new(atomic.Int64)
	wrapStore = func(st store.Store) store.Store { return &countingStore{Store: st, n: n} }
	b.Cleanup(func() { wrapStore = nil })
	return n
}

// countingStore counts the write transactions of a store.
type countingStore struct {
	store.Store
	n *atomic.Int64
}

func (s *countingStore) InTx(ctx context.Context, fn func(store.Tx) error) error {
	s.n.Add(1)
	return s.Store.InTx(ctx, fn)
}

func (s *countingStore) CreateSubscriber(ctx context.Context, x *store.Subscriber) error {
	s.n.Add(1)
	return s.Store.CreateSubscriber(ctx, x)
}

func (s *countingStore) HitRate(ctx context.Context, id int64, bucket string,
	w time.Time) (int64, error) {
	s.n.Add(1)
	return s.Store.HitRate(ctx, id, bucket, w)
}

func (s *countingStore) ReserveSerial(ctx context.Context, r *store.Reservation) error {
	s.n.Add(1)
	return s.Store.ReserveSerial(ctx, r)
}

func (s *countingStore) RecordCertificate(ctx context.Context, c *store.Certificate) error {
	s.n.Add(1)
	return s.Store.RecordCertificate(ctx, c)
}

func (s *countingStore) Revoke(ctx context.Context, serial []byte, r store.RevocationReason,
	at time.Time) error {
	s.n.Add(1)
	return s.Store.Revoke(ctx, serial, r, at)
}

func (s *countingStore) NextCRLNumber(ctx context.Context, issuer []byte) (int64, error) {
	s.n.Add(1)
	return s.Store.NextCRLNumber(ctx, issuer)
}

func (s *countingStore) CreateRequest(ctx context.Context, r *store.Request) error {
	s.n.Add(1)
	return s.Store.CreateRequest(ctx, r)
}

func (s *countingStore) Transition(ctx context.Context, id int64, from, to store.State,
	d store.Decision) error {
	s.n.Add(1)
	return s.Store.Transition(ctx, id, from, to, d)
}

func (s *countingStore) CreateTransaction(ctx context.Context, t *store.Transaction) error {
	s.n.Add(1)
	return s.Store.CreateTransaction(ctx, t)
}

func (s *countingStore) UpdateTransaction(ctx context.Context, t *store.Transaction) error {
	s.n.Add(1)
	return s.Store.UpdateTransaction(ctx, t)
}

func (s *countingStore) RememberNonce(ctx context.Context, sender, nonce []byte,
	expires time.Time) error {
	s.n.Add(1)
	return s.Store.RememberNonce(ctx, sender, nonce, expires)
}

func (s *countingStore) ExpireTransactions(ctx context.Context, now time.Time) (int64, error) {
	s.n.Add(1)
	return s.Store.ExpireTransactions(ctx, now)
}

func (s *countingStore) PutMessage(ctx context.Context, m *store.Message) error {
	s.n.Add(1)
	return s.Store.PutMessage(ctx, m)
}

func (s *countingStore) AckMessage(ctx context.Context, sub, id int64, at time.Time) error {
	s.n.Add(1)
	return s.Store.AckMessage(ctx, sub, id, at)
}

func (s *countingStore) AppendAudit(ctx context.Context, e store.AuditEntry) (
	*store.AuditRecord, error) {
	s.n.Add(1)
	return s.Store.AppendAudit(ctx, e)
}

func (s *countingStore) AppendAudits(ctx context.Context, e []store.AuditEntry) (
	[]*store.AuditRecord, error) {
	s.n.Add(1)
	return s.Store.AppendAudits(ctx, e)
}

func (s *countingStore) AppendAuditsAtCommit(ctx context.Context, e []store.AuditEntry) error {
	s.n.Add(1)
	return s.Store.AppendAuditsAtCommit(ctx, e)
}

// poolOption is appended to the PostgreSQL DSN of the benchmarks, for
// trying pool sizes: REKEY_BENCH_PG_OPTION='&pool_max_conns=16'.
var poolOption = os.Getenv("REKEY_BENCH_PG_OPTION")
