package kuznyechik

import (
	"bytes"
	"crypto/cipher"
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"testing"
)

// vector is one entry of testdata/kuznyechik.json (copied verbatim from
// the project's shared vectors; sources are named in each entry).
type vector struct {
	ID            string            `json:"id"`
	Transform     string            `json:"transform"`
	Pairs         [][2]string       `json:"pairs"`
	Key           string            `json:"key"`
	C             map[string]string `json:"C"`
	RoundKeys     []string          `json:"round_keys"`
	Plaintext     string            `json:"plaintext"`
	Ciphertext    string            `json:"ciphertext"`
	Intermediates []struct {
		Step  string `json:"step"`
		Value string `json:"value"`
	} `json:"encrypt_intermediates"`
	Mode string `json:"mode"`
	IV   string `json:"iv"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/kuznyechik.json")
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

func block16(t testing.TB, s string) [BlockSize]byte {
	t.Helper()
	var b [BlockSize]byte
	if n := copy(b[:], unhex(t, s)); n != BlockSize {
		t.Fatalf("hex %q: got %d bytes, want 16", s, n)
	}
	return b
}

func TestTransforms(t *testing.T) {
	funcs := map[string][2]func(*[BlockSize]byte){
		"S": {sTransform, sInverse},
		"R": {rTransform, rInverse},
		"L": {lTransform, lInverse},
	}
	n := 0
	for _, v := range loadVectors(t) {
		if v.Transform == "" {
			continue
		}
		f, ok := funcs[v.Transform]
		if !ok {
			t.Fatalf("%s: unknown transform %q", v.ID, v.Transform)
		}
		for i, p := range v.Pairs {
			in, want := block16(t, p[0]), block16(t, p[1])
			got := in
			f[0](&got)
			if got != want {
				t.Errorf("%s #%d: got %x, want %x", v.ID, i, got, want)
			}
			f[1](&got)
			if got != in {
				t.Errorf("%s #%d inverse: got %x, want %x", v.ID, i, got, in)
			}
			n++
		}
	}
	if n != 12 {
		t.Errorf("got %d transform pairs, want 12", n)
	}
}

func TestKeySchedule(t *testing.T) {
	for _, v := range loadVectors(t) {
		if v.RoundKeys == nil {
			continue
		}
		for i := 1; i <= 8; i++ {
			want := block16(t, v.C["C_"+strconv.Itoa(i)])
			var got [BlockSize]byte
			store(got[:], constants[i-1])
			if got != want {
				t.Errorf("C_%d: got %x, want %x", i, got, want)
			}
		}
		c := new(Cipher)
		if err := c.Rekey(unhex(t, v.Key)); err != nil {
			t.Fatal(err)
		}
		for i, rk := range v.RoundKeys {
			var got [BlockSize]byte
			store(got[:], c.enc[i])
			if want := block16(t, rk); got != want {
				t.Errorf("K_%d: got %x, want %x", i+1, got, want)
			}
		}
		return
	}
	t.Fatal("no key schedule vector")
}

// lsx is the reference round LSX[k](a) built from the byte-wise transforms.
func lsx(k, a [BlockSize]byte) [BlockSize]byte {
	for i := range a {
		a[i] ^= k[i]
	}
	sTransform(&a)
	lTransform(&a)
	return a
}

func TestEncryptVector(t *testing.T) {
	for _, v := range loadVectors(t) {
		if v.Intermediates == nil {
			continue
		}
		c := new(Cipher)
		if err := c.Rekey(unhex(t, v.Key)); err != nil {
			t.Fatal(err)
		}
		a := block16(t, v.Plaintext)
		for i, step := range v.Intermediates {
			var k [BlockSize]byte
			store(k[:], c.enc[i])
			a = lsx(k, a)
			if want := block16(t, step.Value); a != want {
				t.Errorf("%s: got %x, want %x", step.Step, a, want)
			}
		}
		pt, want := unhex(t, v.Plaintext), unhex(t, v.Ciphertext)
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

// TestTables checks the merged tables against the byte-wise reference.
func TestTables(t *testing.T) {
	for j := 0; j < BlockSize; j++ {
		for v := 0; v < 256; v += 7 {
			var x [BlockSize]byte
			x[j] = byte(v)
			want := x
			sTransform(&want)
			lTransform(&want)
			var got [BlockSize]byte
			store(got[:], lsTable(&encTable, load(x[:]).hi, load(x[:]).lo))
			if got != want {
				t.Errorf("LS(%x): got %x, want %x", x, got, want)
			}
			want = x
			sInverse(&want)
			lInverse(&want)
			store(got[:], lsTable(&decTable, load(x[:]).hi, load(x[:]).lo))
			if got != want {
				t.Errorf("L^-1 S^-1(%x): got %x, want %x", x, got, want)
			}
		}
	}
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
	for _, n := range []int{0, 16, 31, 33} {
		_, err := NewCipher(make([]byte, n))
		want := "kuznyechik: invalid key size " + strconv.Itoa(n) + ", want 32"
		if err == nil || err.Error() != want {
			t.Errorf("key of %d bytes: got %v, want %s", n, err, want)
		}
	}
	c := new(Cipher)
	if err := c.Rekey(make([]byte, 31)); err == nil {
		t.Error("Rekey with 31 bytes: got nil error")
	}
}

func TestRekeyEqualsNewCipher(t *testing.T) {
	k1, k2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	b, _ := NewCipher(k1)
	if err := b.(*Cipher).Rekey(k2); err != nil {
		t.Fatal(err)
	}
	fresh, _ := NewCipher(k2)
	if *b.(*Cipher) != *fresh.(*Cipher) {
		t.Error("Rekey: got a key schedule different from NewCipher")
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

func BenchmarkDecrypt(b *testing.B) {
	c, _ := NewCipher(make([]byte, KeySize))
	buf := make([]byte, BlockSize)
	b.SetBytes(BlockSize)
	for b.Loop() {
		c.Decrypt(buf, buf)
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
