package streebog

import (
	"bytes"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"hash"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

type vectorFile struct {
	Vectors []struct {
		ID         string `json:"id"`
		Source     string `json:"source"`
		Bits       int    `json:"digest_bits"`
		MessageLen int    `json:"message_len"`
		Message    string `json:"message_hex"`
		Digest     string `json:"digest_hex"`
		RFC        *struct {
			Message string `json:"message"`
			Digest  string `json:"digest"`
		} `json:"rfc_notation"`
	} `json:"vectors"`
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sumFuncs computes a digest of one size three ways: one-shot, one Write,
// and one byte a Write.
func sumFuncs(bits int) map[string]func([]byte) []byte {
	newHash, one := New256, func(m []byte) []byte { s := Sum256(m); return s[:] }
	if bits == 512 {
		newHash, one = New512, func(m []byte) []byte { s := Sum512(m); return s[:] }
	}
	return map[string]func([]byte) []byte{
		"Sum": one,
		"Write": func(m []byte) []byte {
			h := newHash()
			h.Write(m)
			return h.Sum(nil)
		},
		"WriteByte": func(m []byte) []byte {
			h := newHash()
			for i := range m {
				h.Write(m[i : i+1])
			}
			return h.Sum(nil)
		},
	}
}

// TestVectors checks every vector of testdata/streebog.json (RFC 6986 §10
// and gost-engine's test_digest.c).
func TestVectors(t *testing.T) {
	data, err := os.ReadFile("testdata/streebog.json")
	if err != nil {
		t.Fatal(err)
	}
	var vf vectorFile
	if err := json.Unmarshal(data, &vf); err != nil {
		t.Fatal(err)
	}
	if len(vf.Vectors) == 0 {
		t.Fatal("no vectors in testdata/streebog.json")
	}
	for _, v := range vf.Vectors {
		t.Run(v.ID, func(t *testing.T) {
			msg, want := unhex(t, v.Message), unhex(t, v.Digest)
			if len(msg) != v.MessageLen || len(want)*8 != v.Bits {
				t.Fatalf("vector lengths: message %d digest %d", len(msg), len(want))
			}
			if v.RFC != nil {
				checkRFCNotation(t, msg, want, v.RFC.Message, v.RFC.Digest)
			}
			for name, sum := range sumFuncs(v.Bits) {
				if got := sum(msg); !bytes.Equal(got, want) {
					t.Errorf("%s (%s): got %x, want %x", name, v.Source, got, want)
				}
			}
		})
	}
}

// checkRFCNotation confirms that the RFC's printed vectors are the byte
// reverse of the wire-order ones.
func checkRFCNotation(t *testing.T, msg, digest []byte, rfcMsg, rfcDigest string) {
	t.Helper()
	m, d := unhex(t, rfcMsg), unhex(t, rfcDigest)
	slices.Reverse(m)
	slices.Reverse(d)
	if !bytes.Equal(m, msg) || !bytes.Equal(d, digest) {
		t.Errorf("RFC notation is not the byte reverse of the wire order")
	}
}

func randomBytes(r *rand.ChaCha8, n int) []byte {
	b := make([]byte, n)
	r.Read(b)
	return b
}

// TestSplitWrites checks that any split of the message into two writes
// gives the one-shot digest.
func TestSplitWrites(t *testing.T) {
	r := rand.NewChaCha8([32]byte{1})
	for _, n := range []int{0, 1, 63, 64, 65, 127, 128, 129, 200} {
		msg := randomBytes(r, n)
		want256, want512 := Sum256(msg), Sum512(msg)
		for i := 0; i <= n; i++ {
			for _, c := range []struct {
				h    hash.Hash
				want []byte
			}{{New256(), want256[:]}, {New512(), want512[:]}} {
				c.h.Write(msg[:i])
				c.h.Write(msg[i:])
				if got := c.h.Sum(nil); !bytes.Equal(got, c.want) {
					t.Errorf("len %d split %d size %d: got %x, want %x",
						n, i, c.h.Size(), got, c.want)
				}
			}
		}
	}
}

// TestSumKeepsState checks that Sum can be called midway and again.
func TestSumKeepsState(t *testing.T) {
	msg := bytes.Repeat([]byte("0123456789"), 20)
	h := New512()
	h.Write(msg[:70])
	h.Sum(nil)
	h.Write(msg[70:])
	want := Sum512(msg)
	if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
		t.Errorf("after an early Sum: got %x, want %x", got, want)
	}
	h.Reset()
	h.Write(msg)
	if got := h.Sum([]byte("prefix")); !bytes.Equal(got[6:], want[:]) ||
		string(got[:6]) != "prefix" {
		t.Errorf("after Reset: got %x, want prefix||%x", got, want)
	}
}

func TestSizes(t *testing.T) {
	for _, c := range []struct {
		h          hash.Hash
		size, bsiz int
	}{{New256(), 32, 64}, {New512(), 64, 64}} {
		if c.h.Size() != c.size || c.h.BlockSize() != c.bsiz {
			t.Errorf("got Size %d BlockSize %d, want %d %d",
				c.h.Size(), c.h.BlockSize(), c.size, c.bsiz)
		}
	}
}

type marshalHash interface {
	hash.Hash
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
	encoding.BinaryAppender
	hash.Cloner
}

// TestMarshal saves the state midway, restores it into a fresh hash and a
// clone, and checks that both finish with the right digest.
func TestMarshal(t *testing.T) {
	r := rand.NewChaCha8([32]byte{2})
	msg := randomBytes(r, 300)
	for _, newHash := range []func() hash.Hash{New256, New512} {
		want := sumOf(newHash, msg)
		for _, cut := range []int{0, 1, 63, 64, 100, 128, 300} {
			h := newHash().(marshalHash)
			h.Write(msg[:cut])
			state, err := h.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if app, _ := h.AppendBinary([]byte("x")); !bytes.Equal(app[1:], state) {
				t.Errorf("AppendBinary differs from MarshalBinary")
			}
			clone, _ := h.Clone()
			h.Write([]byte("garbage"))

			h2 := newHash().(marshalHash)
			if err := h2.UnmarshalBinary(state); err != nil {
				t.Fatal(err)
			}
			for name, g := range map[string]hash.Hash{"restored": h2, "clone": clone.(hash.Hash)} {
				g.Write(msg[cut:])
				if got := g.Sum(nil); !bytes.Equal(got, want) {
					t.Errorf("size %d cut %d %s: got %x, want %x", h.Size(), cut, name, got, want)
				}
			}
		}
	}
}

func sumOf(newHash func() hash.Hash, msg []byte) []byte {
	h := newHash()
	h.Write(msg)
	return h.Sum(nil)
}

func TestUnmarshalErrors(t *testing.T) {
	good, _ := New256().(marshalHash).MarshalBinary()
	other, _ := New512().(marshalHash).MarshalBinary()
	badLen := slices.Clone(good)
	badLen[len(badLen)-1] = 64
	tests := []struct {
		name  string
		state []byte
		want  string
	}{
		{"empty", nil, "streebog: invalid hash state identifier"},
		{"other size", other, "streebog: invalid hash state identifier"},
		{"short", good[:len(good)-1], "streebog: invalid hash state size"},
		{"long", append(slices.Clone(good), 0), "streebog: invalid hash state size"},
		{"buffer length", badLen, "streebog: invalid hash state buffer length"},
	}
	for _, tt := range tests {
		h := New256().(marshalHash)
		h.Write([]byte("abc"))
		before, _ := h.MarshalBinary()
		err := h.UnmarshalBinary(tt.state)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: got error %v, want %q", tt.name, err, tt.want)
		}
		if after, _ := h.MarshalBinary(); !bytes.Equal(after, before) {
			t.Errorf("%s: state changed on error", tt.name)
		}
	}
}

// TestAllocs checks that hashing does not allocate.
func TestAllocs(t *testing.T) {
	msg := make([]byte, 1000)
	out := make([]byte, 0, Size512)
	for _, newHash := range []func() hash.Hash{New256, New512} {
		h := newHash()
		n := testing.AllocsPerRun(10, func() {
			h.Reset()
			h.Write(msg[:10])
			h.Write(msg)
			h.Sum(out)
		})
		if n != 0 {
			t.Errorf("size %d: Write and Sum: got %v allocations, want 0", h.Size(), n)
		}
	}
	n := testing.AllocsPerRun(10, func() {
		Sum256(msg)
		Sum512(msg)
	})
	if n != 0 {
		t.Errorf("Sum256 and Sum512: got %v allocations, want 0", n)
	}
}

var sink byte

func benchmarkSum(b *testing.B, sum func([]byte) byte) {
	for _, c := range []struct {
		name string
		n    int
	}{{"64B", 64}, {"1KiB", 1024}, {"8KiB", 8192}} {
		n := c.n
		b.Run(c.name, func(b *testing.B) {
			msg := make([]byte, n)
			b.SetBytes(int64(n))
			for b.Loop() {
				sink ^= sum(msg)
			}
		})
	}
}

func BenchmarkSum256(b *testing.B) {
	benchmarkSum(b, func(m []byte) byte { return Sum256(m)[0] })
}

func BenchmarkSum512(b *testing.B) {
	benchmarkSum(b, func(m []byte) byte { return Sum512(m)[0] })
}
