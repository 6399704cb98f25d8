package vko

import (
	"testing"

	"rekey/gost/gost3410"
)

func benchKEK(b *testing.B, kek func(*gost3410.PrivateKey, *gost3410.PublicKey, []byte) ([]byte, error)) {
	for _, c := range gost3410.Curves() {
		b.Run(c.Name(), func(b *testing.B) {
			k, _ := gost3410.GenerateKey(c, nil)
			peer, _ := gost3410.GenerateKey(c, nil)
			ukm := []byte{1, 2, 3, 4, 5, 6, 7, 8}
			for b.Loop() {
				if _, err := kek(k, peer.PublicKey(), ukm); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkKEK256(b *testing.B) { benchKEK(b, KEK256) }

func BenchmarkKEK512(b *testing.B) { benchKEK(b, KEK512) }
