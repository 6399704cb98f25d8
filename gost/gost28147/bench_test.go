package gost28147

import "testing"

func BenchmarkEncrypt(b *testing.B) {
	c, err := NewCipher(make([]byte, KeySize), TC26Z)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, BlockSize)
	b.SetBytes(BlockSize)
	for b.Loop() {
		c.Encrypt(buf, buf)
	}
}

// BenchmarkCFBMeshing encrypts 8 KiB in CFB mode with key meshing, which
// meshes seven times.
func BenchmarkCFBMeshing(b *testing.B) {
	key, iv := make([]byte, KeySize), make([]byte, BlockSize)
	buf := make([]byte, 8<<10)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		s, err := NewCFBEncrypter(key, TC26Z, iv, true)
		if err != nil {
			b.Fatal(err)
		}
		s.XORKeyStream(buf, buf)
	}
}

func BenchmarkMAC(b *testing.B) {
	buf := make([]byte, 8<<10)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		m, err := NewMAC(make([]byte, KeySize), CryptoProA, MACSize, true)
		if err != nil {
			b.Fatal(err)
		}
		m.Write(buf)
		m.Sum(nil)
	}
}
