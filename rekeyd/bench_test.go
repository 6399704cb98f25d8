package rekeyd

import (
	"context"
	"testing"
	"time"

	"rekey/cmp"
	"rekey/operator"
)

// BenchmarkRenewal measures one renewal over HTTP on 127.0.0.1 (kur →
// kup → certConf → pkiConf) with automatic approval and SQLite, one
// subscriber at a time; the load generator measures concurrency.
func BenchmarkRenewal(b *testing.B) {
	for _, profile := range []string{"gost2012-256", "ecdsa-p256"} {
		b.Run(profile, func(b *testing.B) {
			e := newEnv(b, testPolicy(profile, operator.ApprovalAuto,
				func(c *operator.Config) { c.RateLimitPerDay = 1 << 30 }))
			e.clock.Set(time.Now())
			e.client.Clock = nil
			s := e.enroll("ООО Ромашка", time.Time{})
			ctx := context.Background()
			b.ResetTimer()
			for range b.N {
				k := e.newKey()
				res, err := e.kur(s, k)
				if err != nil {
					b.Fatal(err)
				}
				if err := e.client.Confirm(ctx, res.State,
					cmp.SignatureCredentials(s.cert, s.key), true); err != nil {
					b.Fatal(err)
				}
				s = &subscriber{cert: res.Certificate, key: k}
			}
		})
	}
}
