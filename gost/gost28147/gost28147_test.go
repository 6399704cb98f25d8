package gost28147

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"rekey/gost/magma"
)

// vector is one entry of testdata/vectors.json; the file names the source
// of each entry.
type vector struct {
	Name     string `json:"name"`
	Source   string `json:"source"`
	Mode     string `json:"mode"`
	SBox     string `json:"sbox"`
	Mesh     bool   `json:"mesh"`
	Key      string `json:"key"`
	KeyASCII string `json:"key_ascii"`
	IV       string `json:"iv"`
	PT       string `json:"pt"`
	PTASCII  string `json:"pt_ascii"`
	Repeat   int    `json:"repeat"`
	Zeros    int    `json:"zeros"`
	CT       string `json:"ct"`
	Tail     string `json:"tail"`
	Size     int    `json:"size"`
	MAC      string `json:"mac"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Vectors []vector }
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Vectors) == 0 {
		t.Fatal("testdata/vectors.json has no vectors")
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

var allSBoxes = []*SBox{TestParamSet, CryptoProA, CryptoProB, CryptoProC, CryptoProD, TC26Z,
	GostR3411TestParamSet, GostR3411CryptoProParamSet}

func sboxByName(t testing.TB, name string) *SBox {
	t.Helper()
	for _, s := range allSBoxes {
		if s.Name() == name {
			return s
		}
	}
	t.Fatalf("unknown S-box %q", name)
	return nil
}

// inputs returns the key and plaintext of v.
func (v *vector) inputs(t *testing.T) (key, pt []byte) {
	key = []byte(v.KeyASCII)
	if v.Key != "" {
		key = unhex(t, v.Key)
	}
	pt = []byte(v.PTASCII)
	if v.PT != "" {
		pt = unhex(t, v.PT)
	}
	if v.Repeat > 0 {
		pt = bytes.Repeat(pt, v.Repeat)
	}
	if v.Zeros > 0 {
		pt = make([]byte, v.Zeros)
	}
	return key, pt
}

// want returns the expected output and the output to compare with it.
func (v *vector) want(t *testing.T, got []byte) (g, w []byte) {
	switch {
	case v.Tail != "":
		w = unhex(t, v.Tail)
		return got[len(got)-len(w):], w
	case v.MAC != "":
		return got, unhex(t, v.MAC)
	}
	return got, unhex(t, v.CT)
}

func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			if testing.Short() && v.Zeros > 1<<20 {
				t.Skip("long vector")
			}
			key, pt := v.inputs(t)
			got := v.run(t, key, pt)
			if g, w := v.want(t, got); !bytes.Equal(g, w) {
				t.Errorf("%s (%s): got %x, want %x", v.Name, v.Source, g, w)
			}
		})
	}
}

// run computes v's output and checks that the inverse restores pt.
func (v *vector) run(t *testing.T, key, pt []byte) []byte {
	sbox := sboxByName(t, v.SBox)
	out := make([]byte, len(pt))
	back := make([]byte, len(pt))
	switch v.Mode {
	case "ecb":
		b, err := NewCipher(key, sbox)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(pt); i += BlockSize {
			b.Encrypt(out[i:], pt[i:])
			b.Decrypt(back[i:], out[i:])
		}
	case "cfb":
		must(t)(NewCFBEncrypter(key, sbox, unhex(t, v.IV), v.Mesh)).XORKeyStream(out, pt)
		must(t)(NewCFBDecrypter(key, sbox, unhex(t, v.IV), v.Mesh)).XORKeyStream(back, out)
	case "cnt":
		must(t)(NewCNT(key, sbox, unhex(t, v.IV), v.Mesh)).XORKeyStream(out, pt)
		must(t)(NewCNT(key, sbox, unhex(t, v.IV), v.Mesh)).XORKeyStream(back, out)
	case "mac":
		m, err := NewMAC(key, sbox, v.Size, v.Mesh)
		if err != nil {
			t.Fatal(err)
		}
		m.Write(pt)
		return m.Sum(nil)
	default:
		t.Fatalf("unknown mode %q", v.Mode)
	}
	if !bytes.Equal(back, pt) {
		t.Errorf("%s: inverse does not restore the plaintext", v.Name)
	}
	return out
}

// must returns a function that fails t on a constructor's error.
func must(t testing.TB) func(cipher.Stream, error) cipher.Stream {
	return func(s cipher.Stream, err error) cipher.Stream {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

func TestSBoxes(t *testing.T) {
	for _, s := range allSBoxes {
		for i, row := range s.k {
			var seen [16]bool
			for _, v := range row {
				seen[v] = true
			}
			for v, ok := range seen {
				if !ok {
					t.Errorf("%s: K_%d is not a permutation (%d missing)", s, i+1, v)
				}
			}
		}
	}
	tests := []struct {
		oid  string
		want *SBox
	}{
		{"1.2.643.2.2.31.0", TestParamSet},
		{"1.2.643.2.2.31.1", CryptoProA},
		{"1.2.643.2.2.31.2", CryptoProB},
		{"1.2.643.2.2.31.3", CryptoProC},
		{"1.2.643.2.2.31.4", CryptoProD},
		{"1.2.643.7.1.2.5.1.1", TC26Z},
		{"1.2.643.2.2.30.0", nil},
		{"1.2.643.2.2.31", nil},
	}
	for _, tt := range tests {
		got, ok := SBoxByOID(parseOID(tt.oid))
		if got != tt.want || ok != (tt.want != nil) {
			t.Errorf("SBoxByOID(%s): got %v, %v, want %v", tt.oid, got, ok, tt.want)
		}
		if tt.want != nil && tt.want.OID().String() != tt.oid {
			t.Errorf("%s.OID(): got %s, want %s", tt.want, tt.want.OID(), tt.oid)
		}
	}
	if TestParamSet.KeyMeshing() || !CryptoProA.KeyMeshing() || !TC26Z.KeyMeshing() {
		t.Error("KeyMeshing: want false for TestParamSet, true for CryptoProA and TC26Z")
	}
}

// TestMagmaRelation shows that GOST R 34.12-2015 Magma is GOST 28147-89
// with TC26Z under a change of byte order: Magma_k(b) = rev(E_k'(rev(b)))
// where k' reverses each 4-byte word of k and rev reverses the 8 bytes of
// the block (see the package documentation).
func TestMagmaRelation(t *testing.T) {
	for range 64 {
		key, block := randomBytes(KeySize), randomBytes(BlockSize)
		m, err := magma.NewCipher(key)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]byte, BlockSize)
		m.Encrypt(want, block)

		k2 := make([]byte, KeySize)
		for i := 0; i < KeySize; i += 4 {
			copy(k2[i:i+4], reversed(key[i:i+4]))
		}
		c, err := NewCipher(k2, TC26Z)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, BlockSize)
		c.Encrypt(got, reversed(block))
		if got = reversed(got); !bytes.Equal(got, want) {
			t.Fatalf("key %x block %x: got %x, want Magma %x", key, block, got, want)
		}
	}
}

func reversed(b []byte) []byte {
	r := make([]byte, len(b))
	for i, v := range b {
		r[len(b)-1-i] = v
	}
	return r
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// TestStreamChunks checks that CFB, CNT and the MAC give the same result
// whatever the split of the input into calls, across meshing boundaries.
func TestStreamChunks(t *testing.T) {
	key, iv := randomBytes(KeySize), randomBytes(BlockSize)
	pt := randomBytes(3*meshLimit + 13)
	chunks := []int{1, 3, 7, 8, 9, 1023, 1024, 1025}
	type mk func() cipher.Stream
	modes := map[string]mk{
		"cfb-enc": func() cipher.Stream { return must(t)(NewCFBEncrypter(key, TC26Z, iv, true)) },
		"cfb-dec": func() cipher.Stream { return must(t)(NewCFBDecrypter(key, TC26Z, iv, true)) },
		"cnt":     func() cipher.Stream { return must(t)(NewCNT(key, CryptoProA, iv, true)) },
	}
	for name, newStream := range modes {
		want := make([]byte, len(pt))
		newStream().XORKeyStream(want, pt)
		for _, n := range chunks {
			got := append([]byte(nil), pt...)
			s := newStream()
			for i := 0; i < len(got); i += n {
				end := min(i+n, len(got))
				s.XORKeyStream(got[i:end], got[i:end]) // in place
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s in chunks of %d: output differs from one call", name, n)
			}
		}
	}
	for _, n := range chunks {
		whole, _ := NewMAC(key, CryptoProA, 8, true)
		whole.Write(pt)
		parts, _ := NewMAC(key, CryptoProA, 8, true)
		for i := 0; i < len(pt); i += n {
			parts.Write(pt[i:min(i+n, len(pt))])
			parts.Sum(nil) // Sum must not change the state
		}
		if !bytes.Equal(parts.Sum(nil), whole.Sum(nil)) {
			t.Errorf("MAC in chunks of %d: differs from one Write", n)
		}
		parts.Reset()
		parts.Write(pt)
		if !bytes.Equal(parts.Sum(nil), whole.Sum(nil)) {
			t.Errorf("MAC after Reset: differs from a fresh MAC")
		}
	}
}

// TestMeshingMatters checks that the mesh flag changes the output exactly
// from the 1025th byte on.
func TestMeshingMatters(t *testing.T) {
	key, iv := randomBytes(KeySize), randomBytes(BlockSize)
	pt := randomBytes(meshLimit + BlockSize)
	for _, newS := range []func([]byte, *SBox, []byte, bool) (cipher.Stream, error){
		NewCFBEncrypter, NewCNT,
	} {
		a, b := make([]byte, len(pt)), make([]byte, len(pt))
		must(t)(newS(key, CryptoProA, iv, true)).XORKeyStream(a, pt)
		must(t)(newS(key, CryptoProA, iv, false)).XORKeyStream(b, pt)
		if !bytes.Equal(a[:meshLimit], b[:meshLimit]) || bytes.Equal(a[meshLimit:], b[meshLimit:]) {
			t.Errorf("meshing: want equal first 1024 bytes and different rest")
		}
	}
}

func TestErrors(t *testing.T) {
	key, iv := make([]byte, KeySize), make([]byte, BlockSize)
	tests := []struct {
		name string
		err  error
	}{
		{"short key", second(NewCipher(key[:31], CryptoProA))},
		{"nil S-box", second(NewCipher(key, nil))},
		{"short IV cfb", second(NewCFBEncrypter(key, CryptoProA, iv[:7], true))},
		{"long IV cnt", second(NewCNT(key, CryptoProA, append(iv, 0), true))},
		{"MAC size 0", second(NewMAC(key, CryptoProA, 0, true))},
		{"MAC size 9", second(NewMAC(key, CryptoProA, 9, true))},
		{"wrap short UKM", second(Wrap(key, iv[:7], key, CryptoProA))},
		{"wrap short CEK", second(WrapCryptoPro(key, iv, key[:16], CryptoProA))},
		{"diversify nil S-box", second(DiversifyCryptoPro(key, iv, nil))},
	}
	for _, tt := range tests {
		if tt.err == nil {
			t.Errorf("%s: got nil error", tt.name)
		} else if !bytes.HasPrefix([]byte(tt.err.Error()), []byte("gost28147: ")) {
			t.Errorf("%s: error %q lacks the package prefix", tt.name, tt.err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestEncryptAllocs(t *testing.T) {
	c, _ := NewCipher(make([]byte, KeySize), TC26Z)
	b := make([]byte, BlockSize)
	if n := testing.AllocsPerRun(100, func() { c.Encrypt(b, b) }); n != 0 {
		t.Errorf("Encrypt: got %v allocations, want 0", n)
	}
}

// TestRoundFunction checks the constant-time round function of every
// parameter set against RFC 5830 §5.1 as written: each nibble through its
// substitution, then the rotation by 11.
func TestRoundFunction(t *testing.T) {
	for _, s := range allSBoxes {
		for i := uint32(0); i < 1<<14; i++ {
			x := i * 0x9e3779b9
			var want uint32
			for j := range 8 {
				want |= uint32(s.k[j][x>>(4*j)&0xf]) << (4 * j)
			}
			want = want<<11 | want>>21
			if got := s.f(x); got != want {
				t.Fatalf("%s: f(%08x) = %08x, want %08x", s, x, got, want)
			}
		}
	}
}
