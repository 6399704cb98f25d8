package kexp15

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"rekey/gost/kuznyechik"
	"rekey/gost/magma"
	"rekey/gost/omac"
)

var ciphers = map[string]NewCipherFunc{
	"kuznyechik": kuznyechik.NewCipher,
	"magma":      magma.NewCipher,
}

// vector is an entry of testdata/kexp15.json (copied verbatim from the
// project's shared vectors).
type vector struct {
	ID     string `json:"id"`
	Cipher string `json:"cipher"`
	Key    string `json:"key_to_export"`
	MACKey string `json:"K_Exp_MAC"`
	EncKey string `json:"K_Exp_ENC"`
	IV     string `json:"iv"`
	KeyMAC string `json:"keymac"`
	KExp   string `json:"kexp"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/kexp15.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Vectors []vector }
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) != 4 {
		t.Fatalf("got %d KExp15 vectors, want 4", len(f.Vectors))
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

func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		nc := ciphers[v.Cipher]
		key, mk, ek, iv := unhex(t, v.Key), unhex(t, v.MACKey), unhex(t, v.EncKey), unhex(t, v.IV)
		if v.KeyMAC != "" {
			b, _ := nc(mk)
			h, _ := omac.New(b, b.BlockSize())
			h.Write(iv)
			h.Write(key)
			if got := hex.EncodeToString(h.Sum(nil)); got != v.KeyMAC {
				t.Errorf("%s keymac: got %s, want %s", v.ID, got, v.KeyMAC)
			}
		}
		got, err := Export(nc, key, mk, ek, iv)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(got) != v.KExp {
			t.Errorf("%s export: got %x, want %s", v.ID, got, v.KExp)
		}
		back, err := Import(nc, unhex(t, v.KExp), mk, ek, iv)
		if err != nil || !bytes.Equal(back, key) {
			t.Errorf("%s import: got %x, %v, want %x", v.ID, back, err, key)
		}
	}
}

// TestTamper flips every bit of each wrapped key and changes each input in
// turn; Import must reject them all with ErrInvalid.
func TestTamper(t *testing.T) {
	for _, v := range loadVectors(t) {
		nc := ciphers[v.Cipher]
		wrapped, mk := unhex(t, v.KExp), unhex(t, v.MACKey)
		ek, iv := unhex(t, v.EncKey), unhex(t, v.IV)
		for bit := 0; bit < 8*len(wrapped); bit++ {
			w := bytes.Clone(wrapped)
			w[bit/8] ^= 1 << (bit % 8)
			if key, err := Import(nc, w, mk, ek, iv); !errors.Is(err, ErrInvalid) || key != nil {
				t.Fatalf("%s bit %d flipped: got %x, %v, want ErrInvalid", v.ID, bit, key, err)
			}
		}
		flip := func(b []byte) []byte { c := bytes.Clone(b); c[0] ^= 1; return c }
		inputs := map[string][4][]byte{
			"MAC key": {wrapped, flip(mk), ek, iv},
			"ENC key": {wrapped, mk, flip(ek), iv},
			"IV":      {wrapped, mk, ek, flip(iv)},
		}
		for name, in := range inputs {
			if _, err := Import(nc, in[0], in[1], in[2], in[3]); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s with a wrong %s: got %v, want ErrInvalid", v.ID, name, err)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	k := make([]byte, 32)
	tests := []struct {
		name string
		err  func() error
		want string
	}{
		{"short wrapped", func() error {
			_, err := Import(kuznyechik.NewCipher, make([]byte, 16), k, k, make([]byte, 8))
			return err
		}, "kexp15: wrapped key of 16 bytes is too short, want more than 16"},
		{"IV", func() error {
			_, err := Export(magma.NewCipher, k, k, k, make([]byte, 8))
			return err
		}, "kexp15: invalid IV size 8, want 4"},
		{"empty key", func() error {
			_, err := Export(magma.NewCipher, nil, k, k, make([]byte, 4))
			return err
		}, "kexp15: empty key to export"},
		{"MAC key", func() error {
			_, err := Export(magma.NewCipher, k, k[:31], k, make([]byte, 4))
			return err
		}, "magma: invalid key size 31, want 32"},
	}
	for _, tt := range tests {
		err := tt.err()
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: got %v, want %s", tt.name, err, tt.want)
		}
	}
}

// FuzzImport feeds arbitrary wrapped keys to Import under the keys of the
// R 1323565.1.017-2018 examples. Import must not panic, and may accept only
// what Export makes.
func FuzzImport(f *testing.F) {
	vs := loadVectors(f)
	for _, v := range vs {
		w := unhex(f, v.KExp)
		f.Add(w, v.Cipher == "magma")
		f.Add(w[:len(w)-1], v.Cipher == "magma")
		f.Add(append(bytes.Clone(w), 0), v.Cipher == "magma")
	}
	f.Add([]byte{}, false)
	f.Fuzz(func(t *testing.T, wrapped []byte, useMagma bool) {
		v := vs[1] // Kuznyechik, App. B.2
		if useMagma {
			v = vs[0] // Magma, App. B.1
		}
		nc := ciphers[v.Cipher]
		mk, ek, iv := unhex(t, v.MACKey), unhex(t, v.EncKey), unhex(t, v.IV)
		key, err := Import(nc, wrapped, mk, ek, iv)
		if err != nil {
			if key != nil {
				t.Fatalf("got key %x with error %v", key, err)
			}
			return
		}
		again, err := Export(nc, key, mk, ek, iv)
		if err != nil || !bytes.Equal(again, wrapped) {
			t.Fatalf("accepted %x, but Export gives %x, %v", wrapped, again, err)
		}
	})
}

func BenchmarkImport(b *testing.B) {
	v := loadVectors(b)[1]
	nc := ciphers[v.Cipher]
	w, mk, ek, iv := unhex(b, v.KExp), unhex(b, v.MACKey), unhex(b, v.EncKey), unhex(b, v.IV)
	for b.Loop() {
		if _, err := Import(nc, w, mk, ek, iv); err != nil {
			b.Fatal(err)
		}
	}
}
