package kdf

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"rekey/internal/ossltest"
)

func randomBytes(r *rand.ChaCha8, n int) []byte {
	b := make([]byte, n)
	r.Read(b)
	return b
}

// opensslHex decodes hex as openssl mac and openssl kdf print it
// (upper case, possibly with colons).
func opensslHex(t *testing.T, out []byte) []byte {
	t.Helper()
	s := strings.ReplaceAll(strings.TrimSpace(string(out)), ":", "")
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("openssl output %q: %v", out, err)
	}
	return b
}

// TestOpenSSLHMAC compares HMAC-Streebog with openssl mac on random keys
// (shorter than, equal to and longer than the block) and messages.
func TestOpenSSLHMAC(t *testing.T) {
	o := ossltest.Require(t)
	r := rand.NewChaCha8([32]byte{4})
	dir := t.TempDir()
	for i, c := range []struct{ keyLen, msgLen int }{
		{1, 0}, {32, 16}, {64, 64}, {65, 100}, {200, 1000}, {16, 129},
	} {
		key, msg := randomBytes(r, c.keyLen), randomBytes(r, c.msgLen)
		in := ossltest.WriteFile(t, dir, fmt.Sprintf("msg%d", i), msg)
		for _, m := range []struct {
			md  string
			mac func(key, data []byte) []byte
		}{{"md_gost12_256", HMAC256}, {"md_gost12_512", HMAC512}} {
			want := opensslHex(t, o.Run(t, nil, "mac", "-digest", m.md,
				"-macopt", "hexkey:"+hex.EncodeToString(key), "-in", in, "HMAC"))
			if got := m.mac(key, msg); !bytes.Equal(got, want) {
				t.Errorf("%s key %d bytes msg %d bytes: got %x, openssl %x",
					m.md, c.keyLen, c.msgLen, got, want)
			}
		}
	}
}

// TestOpenSSLPBKDF2 compares PBKDF2Streebog512 with openssl kdf PBKDF2.
func TestOpenSSLPBKDF2(t *testing.T) {
	o := ossltest.Require(t)
	r := rand.NewChaCha8([32]byte{5})
	for _, c := range []struct{ passLen, saltLen, iter, keyLen int }{
		{8, 8, 1, 1}, {0, 16, 2, 64}, {20, 1, 100, 65}, {100, 32, 7, 200},
	} {
		pass, salt := randomBytes(r, c.passLen), randomBytes(r, c.saltLen)
		want := opensslHex(t, o.Run(t, nil, "kdf", "-keylen", fmt.Sprint(c.keyLen),
			"-kdfopt", "digest:md_gost12_512",
			"-kdfopt", "hexpass:"+hex.EncodeToString(pass),
			"-kdfopt", "hexsalt:"+hex.EncodeToString(salt),
			"-kdfopt", fmt.Sprintf("iter:%d", c.iter), "PBKDF2"))
		got, err := PBKDF2Streebog512(pass, salt, c.iter, c.keyLen)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%+v: got %x, openssl %x", c, got, want)
		}
	}
}

// TestOpenSSLPRFTLS compares PRFTLS256/512 with openssl kdf TLS1-PRF, which
// is P_hash of the given digest (seed = label | seed).
func TestOpenSSLPRFTLS(t *testing.T) {
	o := ossltest.Require(t)
	r := rand.NewChaCha8([32]byte{6})
	for _, n := range []int{1, 32, 48, 100, 200} {
		secret, label, seed := randomBytes(r, 48), randomBytes(r, 13), randomBytes(r, 64)
		for _, c := range []struct {
			md  string
			prf func(secret, label, seed []byte, n int) []byte
		}{{"md_gost12_256", PRFTLS256}, {"md_gost12_512", PRFTLS512}} {
			want := opensslHex(t, o.Run(t, nil, "kdf", "-keylen", fmt.Sprint(n),
				"-kdfopt", "digest:"+c.md,
				"-kdfopt", "hexsecret:"+hex.EncodeToString(secret),
				"-kdfopt", "hexseed:"+hex.EncodeToString(concat(label, seed)), "TLS1-PRF"))
			if got := c.prf(secret, label, seed, n); !bytes.Equal(got, want) {
				t.Errorf("%s %d bytes: got %x, openssl %x", c.md, n, got, want)
			}
		}
	}
}

// TestOpenSSLKDFTree compares KDFTree256 with R = 4 against OpenSSL's
// KBKDF (SP 800-108 counter mode, 32-bit counter, HMAC-Streebog-256). KBKDF
// appends a 4-byte L; KDF_TREE's [L]_b has no leading zeros, so it is
// passed at the end of the context with KBKDF's own L turned off.
func TestOpenSSLKDFTree(t *testing.T) {
	o := ossltest.Require(t)
	r := rand.NewChaCha8([32]byte{7})
	for _, n := range []int{32, 64, 96, 320} {
		key, label, seed := randomBytes(r, 32), randomBytes(r, 9), randomBytes(r, 8)
		lb := trimZeros([]byte{0, 0, byte(n * 8 >> 8), byte(n * 8)})
		want := opensslHex(t, o.Run(t, nil, "kdf", "-keylen", fmt.Sprint(n),
			"-kdfopt", "mac:HMAC", "-kdfopt", "digest:md_gost12_256",
			"-kdfopt", "mode:counter", "-kdfopt", "use-l:0",
			"-kdfopt", "hexkey:"+hex.EncodeToString(key),
			"-kdfopt", "hexsalt:"+hex.EncodeToString(label),
			"-kdfopt", "hexinfo:"+hex.EncodeToString(concat(seed, lb)), "KBKDF"))
		got, err := KDFTree256(key, label, seed, 4, n)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%d bytes: got %x, openssl %x", n, got, want)
		}
	}
}
