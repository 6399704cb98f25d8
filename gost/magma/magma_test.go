package magma

import (
	"bytes"
	"crypto/cipher"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math/bits"
	"os"
	"strconv"
	"testing"
)

// vector is one entry of testdata/magma.json (copied verbatim from the
// project's shared vectors; sources are named in each entry).
type vector struct {
	ID         string      `json:"id"`
	Transform  string      `json:"transform"`
	Pairs      [][2]string `json:"pairs"`
	Triples    [][3]string `json:"triples_k_a_out"`
	Key        string      `json:"key"`
	RoundKeys  []string    `json:"round_keys"`
	Plaintext  string      `json:"plaintext"`
	Ciphertext string      `json:"ciphertext"`
	Rounds     []struct {
		Step string `json:"step"`
		A1   string `json:"a1"`
		A0   string `json:"a0"`
	} `json:"encrypt_rounds"`
	Mode string `json:"mode"`
	IV   string `json:"iv"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/magma.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Vectors []vector }
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	return file.Vectors
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func word(t testing.TB, s string) uint32 {
	t.Helper()
	b := unhex(t, s)
	if len(b) != 4 {
		t.Fatalf("hex %q: got %d bytes, want 4", s, len(b))
	}
	return binary.BigEndian.Uint32(b)
}

// roundKey returns K_i (1-based) of the key schedule of RFC 8891 §4.3.
func roundKey(c *Cipher, i int) uint32 {
	if i <= 24 {
		return c.k[(i-1)%8]
	}
	return c.k[32-i]
}

func TestTransforms(t *testing.T) {
	n := 0
	for _, v := range loadVectors(t) {
		for i, p := range v.Pairs {
			if got, want := tTransform(word(t, p[0])), word(t, p[1]); got != want {
				t.Errorf("%s #%d: got %08x, want %08x", v.ID, i, got, want)
			}
			n++
		}
		for i, p := range v.Triples {
			k, a, want := word(t, p[0]), word(t, p[1]), word(t, p[2])
			if got := g(a + k); got != want {
				t.Errorf("%s #%d: got %08x, want %08x", v.ID, i, got, want)
			}
			n++
		}
	}
	if n != 8 {
		t.Errorf("got %d transform vectors, want 8", n)
	}
}

// tTransform is the substitution t of RFC 8891 §4.2, π'_7(a_7)||...||π'_0(a_0),
// as the standard writes it: the reference for g.
func tTransform(a uint32) uint32 {
	var r uint32
	for i := 0; i < 8; i++ {
		r |= uint32(pi[i][a>>(4*i)&0xf]) << (4 * i)
	}
	return r
}

// TestTables checks g, constant-time, against t and the rotation.
func TestTables(t *testing.T) {
	for i := uint32(0); i < 1<<16; i++ {
		x := i * 0x9e3779b9
		want := bits.RotateLeft32(tTransform(x), 11)
		if got := g(x); got != want {
			t.Fatalf("g(%08x): got %08x, want %08x", x, got, want)
		}
	}
}

func TestKeySchedule(t *testing.T) {
	for _, v := range loadVectors(t) {
		if v.RoundKeys == nil {
			continue
		}
		c := new(Cipher)
		if err := c.Rekey(unhex(t, v.Key)); err != nil {
			t.Fatal(err)
		}
		for i, rk := range v.RoundKeys {
			if got, want := roundKey(c, i+1), word(t, rk); got != want {
				t.Errorf("K_%d: got %08x, want %08x", i+1, got, want)
			}
		}
		return
	}
	t.Fatal("no key schedule vector")
}

func TestEncryptVector(t *testing.T) {
	for _, v := range loadVectors(t) {
		if v.Rounds == nil {
			continue
		}
		c := new(Cipher)
		if err := c.Rekey(unhex(t, v.Key)); err != nil {
			t.Fatal(err)
		}
		pt := unhex(t, v.Plaintext)
		a1, a0 := binary.BigEndian.Uint32(pt), binary.BigEndian.Uint32(pt[4:])
		for i, r := range v.Rounds {
			// G[k](a_1, a_0) = (a_0, g[k](a_0) xor a_1).
			a1, a0 = a0, g(a0+roundKey(c, i+1))^a1
			if a1 != word(t, r.A1) || a0 != word(t, r.A0) {
				t.Errorf("%s: got (%08x, %08x), want (%s, %s)", r.Step, a1, a0, r.A1, r.A0)
			}
		}
		want := unhex(t, v.Ciphertext)
		got := make([]byte, BlockSize)
		c.Encrypt(got, pt)
		if !bytes.Equal(got, want) {
			t.Errorf("%s encrypt: got %x, want %x", v.ID, got, want)
		}
		c.Decrypt(got, got)
		if !bytes.Equal(got, pt) {
			t.Errorf("%s decrypt: got %x, want %x", v.ID, got, pt)
		}
		return
	}
	t.Fatal("no encryption vector")
}

func TestModeVectors(t *testing.T) {
	n := 0
	for _, v := range loadVectors(t) {
		if v.Mode == "" {
			continue
		}
		b, err := NewCipher(unhex(t, v.Key))
		if err != nil {
			t.Fatal(err)
		}
		pt, want := unhex(t, v.Plaintext), unhex(t, v.Ciphertext)
		got := gostMode(t, v.Mode, b, unhex(t, v.IV), pt, false)
		if !bytes.Equal(got, want) {
			t.Errorf("%s encrypt: got %x, want %x", v.ID, got, want)
		}
		back := gostMode(t, v.Mode, b, unhex(t, v.IV), want, true)
		if !bytes.Equal(back, pt) {
			t.Errorf("%s decrypt: got %x, want %x", v.ID, back, pt)
		}
		n++
	}
	if n != 5 {
		t.Errorf("got %d mode vectors, want 5", n)
	}
}

// gostMode runs a GOST R 34.13-2015 mode through the standard library.
// CTR is cipher.NewCTR with the counter IV||0^(n/2). The vectors' CBC, OFB
// and CFB use a register of m = z·n bits with s = n: block i is chained to
// block i-z, so the mode is z standard modes interleaved, lane j starting
// from the j-th IV block. decrypt selects the inverse direction.
func gostMode(t *testing.T, mode string, b cipher.Block, iv, in []byte, decrypt bool) []byte {
	t.Helper()
	n := b.BlockSize()
	out := make([]byte, len(in))
	switch mode {
	case "ECB":
		for i := 0; i < len(in); i += n {
			if decrypt {
				b.Decrypt(out[i:], in[i:])
			} else {
				b.Encrypt(out[i:], in[i:])
			}
		}
		return out
	case "CTR":
		ctr := append(append([]byte(nil), iv...), make([]byte, n-len(iv))...)
		cipher.NewCTR(b, ctr).XORKeyStream(out, in)
		return out
	}
	z := len(iv) / n
	for j := 0; j < z; j++ {
		lane := laneOf(in, n, z, j)
		laneIV := iv[j*n : (j+1)*n]
		res := make([]byte, len(lane))
		switch {
		case mode == "OFB":
			cipher.NewOFB(b, laneIV).XORKeyStream(res, lane)
		case mode == "CBC" && decrypt:
			cipher.NewCBCDecrypter(b, laneIV).CryptBlocks(res, lane)
		case mode == "CBC":
			cipher.NewCBCEncrypter(b, laneIV).CryptBlocks(res, lane)
		case mode == "CFB" && decrypt:
			cipher.NewCFBDecrypter(b, laneIV).XORKeyStream(res, lane)
		case mode == "CFB":
			cipher.NewCFBEncrypter(b, laneIV).XORKeyStream(res, lane)
		default:
			t.Fatalf("unknown mode %q", mode)
		}
		for k := 0; k*n < len(res); k++ {
			copy(out[(k*z+j)*n:], res[k*n:(k+1)*n])
		}
	}
	return out
}

// laneOf returns blocks j, j+z, j+2z, ... of in (n-byte blocks).
func laneOf(in []byte, n, z, j int) []byte {
	var lane []byte
	for i := j * n; i < len(in); i += z * n {
		lane = append(lane, in[i:i+n]...)
	}
	return lane
}

func TestKeySize(t *testing.T) {
	for _, n := range []int{0, 8, 31, 33} {
		_, err := NewCipher(make([]byte, n))
		want := "magma: invalid key size " + strconv.Itoa(n) + ", want 32"
		if err == nil || err.Error() != want {
			t.Errorf("key of %d bytes: got %v, want %s", n, err, want)
		}
	}
}

func TestAllocs(t *testing.T) {
	b, _ := NewCipher(make([]byte, KeySize))
	buf := make([]byte, 4096)
	stream := cipher.NewCTR(b, make([]byte, BlockSize))
	tests := map[string]func(){
		"Encrypt":      func() { b.Encrypt(buf, buf) },
		"Decrypt":      func() { b.Decrypt(buf, buf) },
		"XORKeyStream": func() { stream.XORKeyStream(buf, buf) },
	}
	for name, f := range tests {
		if got := testing.AllocsPerRun(10, f); got != 0 {
			t.Errorf("%s: got %v allocations, want 0", name, got)
		}
	}
}

func BenchmarkEncrypt(b *testing.B) {
	c, _ := NewCipher(make([]byte, KeySize))
	buf := make([]byte, BlockSize)
	b.SetBytes(BlockSize)
	for b.Loop() {
		c.Encrypt(buf, buf)
	}
}

func BenchmarkCTR(b *testing.B) {
	b.Run("8KiB", func(b *testing.B) {
		c, _ := NewCipher(make([]byte, KeySize))
		stream := cipher.NewCTR(c, make([]byte, BlockSize))
		buf := make([]byte, 8192)
		b.SetBytes(int64(len(buf)))
		for b.Loop() {
			stream.XORKeyStream(buf, buf)
		}
	})
}
