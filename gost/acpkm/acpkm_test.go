package acpkm

import (
	"bytes"
	"crypto/cipher"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"rekey/gost/kuznyechik"
	"rekey/gost/magma"
)

var ciphers = map[string]NewCipherFunc{
	"kuznyechik": kuznyechik.NewCipher,
	"magma":      magma.NewCipher,
}

// vector is an entry of testdata/ctr-acpkm.json or testdata/omac.json
// (copied verbatim from the project's shared vectors).
type vector struct {
	ID          string   `json:"id"`
	Cipher      string   `json:"cipher"`
	Key         string   `json:"key"`
	IV          string   `json:"iv"`
	SectionBits int      `json:"section_size_N_bits"`
	MasterBits  int      `json:"master_key_change_T_bits"`
	Plaintext   string   `json:"plaintext"`
	SectionKeys []string `json:"section_keys"`
	Ciphertext  string   `json:"ciphertext"`
	Message     string   `json:"message"`
	Material    string   `json:"acpkm_master_key_material"`
	MAC         string   `json:"mac"`
}

func loadVectors(t *testing.T, file string) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Vectors []vector }
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f.Vectors
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func TestSectionKeys(t *testing.T) {
	vs := loadVectors(t, "ctr-acpkm.json")
	if len(vs) != 2 {
		t.Fatalf("got %d CTR-ACPKM vectors, want 2", len(vs))
	}
	for _, v := range vs {
		s, err := newStream(ciphers[v.Cipher], unhex(t, v.Key), v.SectionBits/8, "section")
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range v.SectionKeys {
			if i > 0 {
				s.mesh()
			}
			if got := hex.EncodeToString(s.key[:]); got != want {
				t.Errorf("%s K^%d: got %s, want %s", v.ID, i+1, got, want)
			}
		}
	}
}

func TestCTRVectors(t *testing.T) {
	for _, v := range loadVectors(t, "ctr-acpkm.json") {
		pt, want := unhex(t, v.Plaintext), unhex(t, v.Ciphertext)
		// Every split of the input must give the same result.
		for step := 1; step <= len(pt); step++ {
			s, err := NewCTR(ciphers[v.Cipher], unhex(t, v.Key), unhex(t, v.IV), v.SectionBits/8)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(pt))
			for i := 0; i < len(pt); i += step {
				j := min(i+step, len(pt))
				s.XORKeyStream(got[i:j], pt[i:j])
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s in %d-byte steps: got %x, want %x", v.ID, step, got, want)
			}
		}
	}
}

func omacVectors(t *testing.T) []vector {
	var out []vector
	for _, v := range loadVectors(t, "omac.json") {
		if v.SectionBits != 0 {
			out = append(out, v)
		}
	}
	if len(out) != 4 {
		t.Fatalf("got %d OMAC-ACPKM vectors, want 4", len(out))
	}
	return out
}

func TestMasterVectors(t *testing.T) {
	for _, v := range omacVectors(t) {
		s, err := newMaster(ciphers[v.Cipher], unhex(t, v.Key), v.MasterBits/8)
		if err != nil {
			t.Fatal(err)
		}
		want := unhex(t, v.Material)
		got := make([]byte, len(want))
		s.keyStream(got)
		if !bytes.Equal(got, want) {
			t.Errorf("%s key material: got %x, want %x", v.ID, got, want)
		}
	}
}

func TestOMACVectors(t *testing.T) {
	for _, v := range omacVectors(t) {
		msg := unhex(t, v.Message)
		h, err := NewOMAC(ciphers[v.Cipher], unhex(t, v.Key),
			v.SectionBits/8, v.MasterBits/8, len(v.MAC)/2)
		if err != nil {
			t.Fatal(err)
		}
		for step := 1; step <= len(msg); step++ {
			h.Reset()
			for i := 0; i < len(msg); i += step {
				h.Write(msg[i:min(i+step, len(msg))])
				h.Sum(nil) // must not disturb the state
			}
			if got := hex.EncodeToString(h.Sum(nil)); got != v.MAC {
				t.Errorf("%s in %d-byte writes: got %s, want %s", v.ID, step, got, v.MAC)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	key := make([]byte, 32)
	tests := []struct {
		name string
		err  func() error
		want string
	}{
		{"short key", func() error {
			_, err := NewCTR(kuznyechik.NewCipher, key[:31], make([]byte, 8), 4096)
			return err
		}, "acpkm: invalid key size 31, want 32"},
		{"IV", func() error {
			_, err := NewCTR(magma.NewCipher, key, make([]byte, 8), 1024)
			return err
		}, "acpkm: invalid IV size 8, want 4"},
		{"section", func() error {
			_, err := NewCTR(kuznyechik.NewCipher, key, make([]byte, 8), 24)
			return err
		}, "acpkm: invalid section size 24, want a positive multiple of 16"},
		{"master section", func() error {
			_, err := NewOMAC(magma.NewCipher, key, 16, 0, 8)
			return err
		}, "acpkm: invalid master section size 0, want a positive multiple of 8"},
		{"MAC size", func() error {
			_, err := NewOMAC(kuznyechik.NewCipher, key, 32, 96, 17)
			return err
		}, "acpkm: invalid MAC size 17 for a 16-byte block"},
	}
	for _, tt := range tests {
		err := tt.err()
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: got %v, want %s", tt.name, err, tt.want)
		}
	}
}

// plainBlock hides the Rekey method, to test the allocating path.
type plainBlock struct{ cipher.Block }

func TestWithoutRekey(t *testing.T) {
	for _, v := range loadVectors(t, "ctr-acpkm.json") {
		nc := func(k []byte) (cipher.Block, error) {
			b, err := ciphers[v.Cipher](k)
			return plainBlock{b}, err
		}
		s, err := NewCTR(nc, unhex(t, v.Key), unhex(t, v.IV), v.SectionBits/8)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(v.Plaintext)/2)
		s.XORKeyStream(got, unhex(t, v.Plaintext))
		if want := v.Ciphertext; hex.EncodeToString(got) != want {
			t.Errorf("%s: got %x, want %s", v.ID, got, want)
		}
	}
}

func TestAllocs(t *testing.T) {
	key := make([]byte, 32)
	s, _ := NewCTR(magma.NewCipher, key, make([]byte, 4), 1024)
	h, _ := NewOMAC(kuznyechik.NewCipher, key, 64, 96, 16)
	buf := make([]byte, 8192)
	out := make([]byte, 0, 16)
	tests := map[string]func(){
		"XORKeyStream": func() { s.XORKeyStream(buf, buf) },
		"OMAC": func() {
			h.Reset()
			h.Write(buf)
			out = h.Sum(out[:0])
		},
	}
	for name, f := range tests {
		if got := testing.AllocsPerRun(10, f); got != 0 {
			t.Errorf("%s: got %v allocations, want 0", name, got)
		}
	}
}

func BenchmarkCTR(b *testing.B) {
	sizes := map[string]int{"kuznyechik": SectionSizeKuznyechik, "magma": SectionSizeMagma}
	for _, name := range []string{"kuznyechik", "magma"} {
		b.Run(name+"/8KiB", func(b *testing.B) {
			c := ciphers[name]
			n := map[string]int{"kuznyechik": 16, "magma": 8}[name]
			s, err := NewCTR(c, make([]byte, 32), make([]byte, n/2), sizes[name])
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 8192)
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				s.XORKeyStream(buf, buf)
			}
		})
	}
}

func BenchmarkOMAC(b *testing.B) {
	for _, name := range []string{"kuznyechik", "magma"} {
		b.Run(name+"/8KiB", func(b *testing.B) {
			h, err := NewOMAC(ciphers[name], make([]byte, 32), 4096, 4096, 8)
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 8192)
			out := make([]byte, 0, 16)
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				h.Reset()
				h.Write(buf)
				out = h.Sum(out[:0])
			}
		})
	}
}
