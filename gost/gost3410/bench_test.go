package gost3410

import (
	"crypto/rand"
	"testing"

	"rekey/gost/gost3410/internal/ec"
)

func BenchmarkGenerateKey(b *testing.B) {
	for _, c := range Curves() {
		b.Run(c.Name(), func(b *testing.B) {
			for b.Loop() {
				if _, err := GenerateKey(c, rand.Reader); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSign(b *testing.B) {
	for _, c := range Curves() {
		b.Run(c.Name(), func(b *testing.B) {
			k, _ := GenerateKey(c, rand.Reader)
			digest := make([]byte, c.Size())
			rand.Read(digest)
			for b.Loop() {
				if _, err := k.Sign(rand.Reader, digest, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerify measures verification without a key table: the cost for
// a key seen rarely, with the cache's counting included.
func BenchmarkVerify(b *testing.B) {
	defer swapKeyTables(newTableCache(^uint32(0), maxKeyTables, maxCountedKeys))()
	for _, c := range Curves() {
		b.Run(c.Name(), func(b *testing.B) {
			k, _ := GenerateKey(c, rand.Reader)
			digest := make([]byte, c.Size())
			rand.Read(digest)
			sig, _ := k.Sign(rand.Reader, digest, nil)
			for b.Loop() {
				if !Verify(k.PublicKey(), digest, sig) {
					b.Fatal("verify failed")
				}
			}
		})
	}
}

func BenchmarkNewPublicKey(b *testing.B) {
	for _, c := range Curves() {
		b.Run(c.Name(), func(b *testing.B) {
			k, _ := GenerateKey(c, rand.Reader)
			raw := k.PublicKey().Raw()
			for b.Loop() {
				if _, err := NewPublicKey(c, raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSharedPoint(b *testing.B) {
	for _, c := range Curves() {
		b.Run(c.Name(), func(b *testing.B) {
			k, _ := GenerateKey(c, rand.Reader)
			peer, _ := GenerateKey(c, rand.Reader)
			ukm := []byte{1, 2, 3, 4, 5, 6, 7, 8}
			for b.Loop() {
				if _, err := k.SharedPoint(peer.PublicKey(), ukm); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyHotKey is BenchmarkVerify for a key verified often enough
// to have its precomputed table (keyTables).
func BenchmarkVerifyHotKey(b *testing.B) {
	defer swapKeyTables(newTableCache(hotThreshold, maxKeyTables, maxCountedKeys))()
	for _, c := range Curves() {
		b.Run(c.Name(), func(b *testing.B) {
			k, _ := GenerateKey(c, rand.Reader)
			digest := make([]byte, c.Size())
			rand.Read(digest)
			sig, _ := k.Sign(rand.Reader, digest, nil)
			for range hotThreshold {
				Verify(k.PublicKey(), digest, sig)
			}
			if n, _ := keyTables.len(); n == 0 {
				b.Fatal("no table after the threshold")
			}
			for b.Loop() {
				if !Verify(k.PublicKey(), digest, sig) {
					b.Fatal("verify failed")
				}
			}
		})
	}
}

// BenchmarkKeyTable measures building a key's table (ec.NewKeyTable), the
// cost that hotThreshold weighs against the saving per verification.
func BenchmarkKeyTable(b *testing.B) {
	for _, c := range Curves() {
		b.Run(c.Name(), func(b *testing.B) {
			k, _ := GenerateKey(c, rand.Reader)
			var t *ec.KeyTable
			for b.Loop() {
				var err error
				if t, err = c.impl.NewKeyTable(k.PublicKey().be); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(t.Bytes()), "table-bytes")
		})
	}
}
