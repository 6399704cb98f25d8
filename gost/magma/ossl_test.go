package magma

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	mrand "math/rand/v2"
	"testing"

	"rekey/internal/ossltest"
)

// TestOpenSSLBlocks checks single-block encryption against OpenSSL. The GOST
// engine has no magma-ecb (`openssl list -cipher-algorithms` offers magma-cbc,
// magma-ctr, magma-ctr-acpkm, magma-ctr-acpkm-omac and magma-kexp15), so
// the blocks go through `openssl enc -magma-cbc -nopad` with a random 8-byte
// IV and are compared with cipher.NewCBCEncrypter; our Decrypt must invert
// them.
func TestOpenSSLBlocks(t *testing.T) {
	o := ossltest.Require(t)
	for i := 0; i < 8; i++ {
		key, iv := random(KeySize), random(BlockSize)
		pt := random(BlockSize * (1 + mrand.IntN(64)))
		got := o.Run(t, pt, "enc", "-magma-cbc", "-nopad",
			"-K", hex.EncodeToString(key), "-iv", hex.EncodeToString(iv))
		b, err := NewCipher(key)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]byte, len(pt))
		cipher.NewCBCEncrypter(b, iv).CryptBlocks(want, pt)
		if !bytes.Equal(got, want) {
			t.Fatalf("key %x iv %x, %d bytes: openssl got %x, want %x",
				key, iv, len(pt), got, want)
		}
		cipher.NewCBCDecrypter(b, iv).CryptBlocks(got, got)
		if !bytes.Equal(got, pt) {
			t.Fatalf("key %x: decrypt of openssl output: got %x, want %x", key, got, pt)
		}
	}
}

// TestOpenSSLCTR compares cipher.NewCTR(block, IV||0^32) with
// `openssl enc -magma-ctr`, whose -iv is the 4-byte IV of GOST R 34.13-2015
// CTR, on random keys, IVs and lengths.
func TestOpenSSLCTR(t *testing.T) {
	o := ossltest.Require(t)
	for i := 0; i < 8; i++ {
		key, iv := random(KeySize), random(BlockSize/2)
		pt := random(mrand.IntN(20000))
		got := o.Run(t, pt, "enc", "-magma-ctr",
			"-K", hex.EncodeToString(key), "-iv", hex.EncodeToString(iv))
		b, err := NewCipher(key)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]byte, len(pt))
		ctr := append(iv, make([]byte, BlockSize/2)...)
		cipher.NewCTR(b, ctr).XORKeyStream(want, pt)
		if !bytes.Equal(got, want) {
			t.Fatalf("key %x iv %x, %d bytes: openssl got %x, want %x",
				key, iv, len(pt), got, want)
		}
	}
}

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
