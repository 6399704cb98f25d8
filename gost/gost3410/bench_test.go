package gost3410

import (
	"crypto/rand"
	"testing"
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

func BenchmarkVerify(b *testing.B) {
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
