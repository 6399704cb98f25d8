package kuznyechik

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	mrand "math/rand/v2"
	"testing"

	"rekey/internal/ossltest"
)

// TestOpenSSLECB encrypts random blocks under random keys with
// `openssl enc -kuznyechik-ecb -nopad` and compares both directions.
func TestOpenSSLECB(t *testing.T) {
	o := ossltest.Require(t)
	for i := 0; i < 8; i++ {
		key := random(KeySize)
		pt := random(BlockSize * (1 + mrand.IntN(64)))
		got := o.Run(t, pt, "enc", "-kuznyechik-ecb", "-K", hex.EncodeToString(key), "-nopad")
		b, err := NewCipher(key)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]byte, len(pt))
		for j := 0; j < len(pt); j += BlockSize {
			b.Encrypt(want[j:], pt[j:])
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("key %x, %d bytes: openssl got %x, want %x", key, len(pt), got, want)
		}
		for j := 0; j < len(got); j += BlockSize {
			b.Decrypt(got[j:], got[j:])
		}
		if !bytes.Equal(got, pt) {
			t.Fatalf("key %x: decrypt of openssl output: got %x, want %x", key, got, pt)
		}
	}
}

// TestOpenSSLCTR compares cipher.NewCTR(block, IV||0^64) with
// `openssl enc -kuznyechik-ctr`, whose -iv is the 8-byte IV of GOST R
// 34.13-2015 CTR, on random keys, IVs and lengths.
func TestOpenSSLCTR(t *testing.T) {
	o := ossltest.Require(t)
	for i := 0; i < 8; i++ {
		key, iv := random(KeySize), random(BlockSize/2)
		pt := random(mrand.IntN(20000))
		got := o.Run(t, pt, "enc", "-kuznyechik-ctr",
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

// TestOpenSSLModes compares cipher.NewCBCEncrypter, cipher.NewOFB and
// cipher.NewCFBEncrypter with `openssl enc -kuznyechik-cbc`, -ofb and -cfb,
// which are the GOST R 34.13-2015 modes with m = s = n and a 16-byte IV.
func TestOpenSSLModes(t *testing.T) {
	o := ossltest.Require(t)
	modes := map[string]func(b cipher.Block, iv, dst, src []byte){
		"cbc": func(b cipher.Block, iv, dst, src []byte) {
			cipher.NewCBCEncrypter(b, iv).CryptBlocks(dst, src)
		},
		"ofb": func(b cipher.Block, iv, dst, src []byte) {
			cipher.NewOFB(b, iv).XORKeyStream(dst, src)
		},
		"cfb": func(b cipher.Block, iv, dst, src []byte) {
			cipher.NewCFBEncrypter(b, iv).XORKeyStream(dst, src)
		},
	}
	for name, mode := range modes {
		for i := 0; i < 3; i++ {
			key, iv := random(KeySize), random(BlockSize)
			pt := random(mrand.IntN(3000))
			if name == "cbc" {
				pt = pt[:len(pt)/BlockSize*BlockSize]
			}
			got := o.Run(t, pt, "enc", "-kuznyechik-"+name, "-nopad",
				"-K", hex.EncodeToString(key), "-iv", hex.EncodeToString(iv))
			b, err := NewCipher(key)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]byte, len(pt))
			mode(b, iv, want, pt)
			if !bytes.Equal(got, want) {
				t.Fatalf("%s key %x iv %x, %d bytes: openssl got %x, want %x",
					name, key, iv, len(pt), got, want)
			}
		}
	}
}

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
