package gost28147

import (
	"bytes"
	"encoding/hex"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"rekey/internal/ossltest"
)

// lengths returns random input lengths for the OpenSSL comparisons: short
// ones, ones just around the 1024-byte meshing boundaries and one long one.
func lengths() []int {
	return []int{
		mrand.IntN(17),
		1024*(1+mrand.IntN(3)) - 8 + mrand.IntN(17),
		4096 + mrand.IntN(4096),
	}
}

// TestOpenSSLCFB compares CFB with key meshing with `openssl enc -gost89`
// under every cipher parameter set (the engine's CRYPT_PARAMS, whose default
// is param-Z), on random keys, IVs and lengths; OpenSSL's decryption must
// invert our encryption.
func TestOpenSSLCFB(t *testing.T) {
	o := ossltest.Require(t)
	for _, sbox := range append([]*SBox{nil}, cipherSBoxes...) {
		name, want := "default", TC26Z
		if sbox != nil {
			name, want = sbox.Name(), sbox
			t.Setenv("CRYPT_PARAMS", sbox.OID().String())
		} else {
			t.Setenv("CRYPT_PARAMS", "")
		}
		for _, n := range lengths() {
			key, iv, pt := randomBytes(KeySize), randomBytes(BlockSize), randomBytes(n)
			args := []string{"enc", "-gost89", "-K", hex.EncodeToString(key),
				"-iv", hex.EncodeToString(iv)}
			got := o.Run(t, pt, args...)
			ct := make([]byte, n)
			must(t)(NewCFBEncrypter(key, want, iv, true)).XORKeyStream(ct, pt)
			if !bytes.Equal(got, ct) {
				t.Fatalf("%s: key %x iv %x, %d bytes: openssl got %x, want %x",
					name, key, iv, n, got, ct)
			}
			if back := o.Run(t, ct, append(args, "-d")...); !bytes.Equal(back, pt) {
				t.Fatalf("%s: openssl -d of our %d bytes: got %x, want %x", name, n, back, pt)
			}
		}
	}
}

// TestOpenSSLCNT compares CNT with key meshing with `openssl enc
// -gost89-cnt` (CryptoProA) and `-gost89-cnt-12` (param-Z).
func TestOpenSSLCNT(t *testing.T) {
	o := ossltest.Require(t)
	ciphers := []struct {
		name string
		sbox *SBox
	}{{"-gost89-cnt", CryptoProA}, {"-gost89-cnt-12", TC26Z}}
	for _, c := range ciphers {
		for _, n := range lengths() {
			key, iv, pt := randomBytes(KeySize), randomBytes(BlockSize), randomBytes(n)
			got := o.Run(t, pt, "enc", c.name, "-K", hex.EncodeToString(key),
				"-iv", hex.EncodeToString(iv))
			want := make([]byte, n)
			must(t)(NewCNT(key, c.sbox, iv, true)).XORKeyStream(want, pt)
			if !bytes.Equal(got, want) {
				t.Fatalf("%s: key %x iv %x, %d bytes: openssl got %x, want %x",
					c.name, key, iv, n, got, want)
			}
		}
	}
}

// TestOpenSSLMAC compares the MAC with key meshing with `openssl dgst -mac
// gost-mac` (CryptoProA) and `gost-mac-12` (param-Z), with the default 4
// bytes and with `-sigopt size:8`.
func TestOpenSSLMAC(t *testing.T) {
	o := ossltest.Require(t)
	macs := []struct {
		name string
		sbox *SBox
	}{{"gost-mac", CryptoProA}, {"gost-mac-12", TC26Z}}
	for _, m := range macs {
		for i, n := range append(lengths(), 8, 0) {
			key, msg := randomBytes(KeySize), randomBytes(n)
			size := []int{MACSize, 8}[i%2]
			args := []string{"dgst", "-mac", m.name, "-macopt", "hexkey:" + hex.EncodeToString(key)}
			if size != MACSize {
				args = append(args, "-sigopt", "size:"+strconv.Itoa(size))
			}
			out := string(o.Run(t, msg, args...))
			_, got, _ := strings.Cut(strings.TrimSpace(out), "= ")
			h, err := NewMAC(key, m.sbox, size, true)
			if err != nil {
				t.Fatal(err)
			}
			h.Write(msg)
			if want := hex.EncodeToString(h.Sum(nil)); got != want {
				t.Fatalf("%s: key %x, %d bytes, size %d: openssl got %s, want %s",
					m.name, key, n, size, got, want)
			}
		}
	}
}
