package omac

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

var ciphers = map[string]func([]byte) (cipher.Block, error){
	"kuznyechik": kuznyechik.NewCipher,
	"magma":      magma.NewCipher,
}

// vector is an entry of testdata/omac.json (copied verbatim from the
// project's shared vectors). The OMAC-ACPKM entries are tested in
// gost/acpkm; this package takes those without a section size.
type vector struct {
	ID       string `json:"id"`
	Cipher   string `json:"cipher"`
	Key      string `json:"key"`
	Message  string `json:"message"`
	K1       string `json:"K1"`
	K2       string `json:"K2"`
	Full     string `json:"mac_full_block"`
	SBits    int    `json:"s_bits"`
	MAC      string `json:"mac"`
	Sections int    `json:"section_size_N_bits"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/omac.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Vectors []vector }
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	var out []vector
	for _, v := range file.Vectors {
		if v.Sections == 0 {
			out = append(out, v)
		}
	}
	if len(out) != 2 {
		t.Fatalf("got %d OMAC vectors, want 2", len(out))
	}
	return out
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func newMAC(t testing.TB, name, key string, size int) *mac {
	t.Helper()
	b, err := ciphers[name](unhex(t, key))
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(b, size)
	if err != nil {
		t.Fatal(err)
	}
	return h.(*mac)
}

func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		n := len(v.K1) / 2
		m := newMAC(t, v.Cipher, v.Key, n)
		if got := hex.EncodeToString(m.k1[:n]); got != v.K1 {
			t.Errorf("%s K1: got %s, want %s", v.ID, got, v.K1)
		}
		if got := hex.EncodeToString(m.k2[:n]); got != v.K2 {
			t.Errorf("%s K2: got %s, want %s", v.ID, got, v.K2)
		}
		m.Write(unhex(t, v.Message))
		if got := hex.EncodeToString(m.Sum(nil)); got != v.Full {
			t.Errorf("%s full MAC: got %s, want %s", v.ID, got, v.Full)
		}
		short := newMAC(t, v.Cipher, v.Key, v.SBits/8)
		short.Write(unhex(t, v.Message))
		if got := hex.EncodeToString(short.Sum(nil)); got != v.MAC {
			t.Errorf("%s MAC: got %s, want %s", v.ID, got, v.MAC)
		}
	}
}

// TestChunks checks that any split of the message gives the same MAC and
// that Sum and Reset behave as hash.Hash requires.
func TestChunks(t *testing.T) {
	for _, v := range loadVectors(t) {
		msg := unhex(t, v.Message)
		for step := 1; step <= len(msg); step++ {
			m := newMAC(t, v.Cipher, v.Key, len(v.Full)/2)
			for i := 0; i < len(msg); i += step {
				m.Write(msg[i:min(i+step, len(msg))])
				m.Sum(nil) // must not disturb the state
			}
			if got := hex.EncodeToString(m.Sum(nil)); got != v.Full {
				t.Errorf("%s in %d-byte writes: got %s, want %s", v.ID, step, got, v.Full)
			}
			m.Reset()
			m.Write(msg)
			if got := hex.EncodeToString(m.Sum(nil)); got != v.Full {
				t.Errorf("%s after Reset: got %s, want %s", v.ID, got, v.Full)
			}
		}
	}
}

func TestDouble(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0000000000000001", "0000000000000002"},
		{"8000000000000000", "000000000000001b"},
		{"c000000000000000", "800000000000001b"},
		{"00000000000000000000000000000001", "00000000000000000000000000000002"},
		{"80000000000000000000000000000000", "00000000000000000000000000000087"},
		{"ffffffffffffffffffffffffffffffff", "ffffffffffffffffffffffffffffff79"},
	}
	for _, tt := range tests {
		in := unhex(t, tt.in)
		got := make([]byte, len(in))
		Double(got, in)
		if hex.EncodeToString(got) != tt.want {
			t.Errorf("Double(%s): got %x, want %s", tt.in, got, tt.want)
		}
	}
}

func TestNewErrors(t *testing.T) {
	b, _ := magma.NewCipher(make([]byte, 32))
	tests := []struct {
		size int
		want string
	}{
		{0, "omac: invalid MAC size 0 for a 8-byte block"},
		{9, "omac: invalid MAC size 9 for a 8-byte block"},
	}
	for _, tt := range tests {
		_, err := New(b, tt.size)
		if err == nil || err.Error() != tt.want {
			t.Errorf("New(magma, %d): got %v, want %s", tt.size, err, tt.want)
		}
	}
}

func TestAllocs(t *testing.T) {
	m := newMAC(t, "kuznyechik", hex.EncodeToString(make([]byte, 32)), 16)
	msg := make([]byte, 1000)
	out := make([]byte, 0, 16)
	got := testing.AllocsPerRun(10, func() {
		m.Reset()
		m.Write(msg)
		out = m.Sum(out[:0])
	})
	if got != 0 {
		t.Errorf("got %v allocations, want 0", got)
	}
}

func TestEmpty(t *testing.T) {
	// The empty message is one padded block 1||0^(n-1) xor K_2.
	m := newMAC(t, "magma", hex.EncodeToString(bytes.Repeat([]byte{7}, 32)), 8)
	b, _ := magma.NewCipher(bytes.Repeat([]byte{7}, 32))
	want := make([]byte, 8)
	want[0] = 0x80
	xorInto(want, m.k2[:8])
	b.Encrypt(want, want)
	if got := m.Sum(nil); !bytes.Equal(got, want) {
		t.Errorf("empty message: got %x, want %x", got, want)
	}
}

func xorInto(dst, src []byte) {
	for i := range dst {
		dst[i] ^= src[i]
	}
}

func BenchmarkOMAC(b *testing.B) {
	for _, name := range []string{"kuznyechik", "magma"} {
		b.Run(name+"/8KiB", func(b *testing.B) {
			m := newMAC(b, name, hex.EncodeToString(make([]byte, 32)), 8)
			msg := make([]byte, 8192)
			out := make([]byte, 0, 16)
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				m.Reset()
				m.Write(msg)
				out = m.Sum(out[:0])
			}
		})
	}
}
