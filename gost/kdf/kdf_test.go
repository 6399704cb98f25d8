package kdf

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// vector is one entry of testdata/kdf.json; its fields vary by function.
type vector map[string]any

func (v vector) str(key string) string {
	s, _ := v[key].(string)
	return s
}

func (v vector) hex(t *testing.T, key string) []byte {
	t.Helper()
	s, ok := v[key].(string)
	if !ok {
		t.Fatalf("vector %s has no field %q", v.str("id"), key)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("vector %s field %s: %v", v.str("id"), key, err)
	}
	return b
}

func (v vector) num(key string) int {
	f, _ := v[key].(float64)
	return int(f)
}

func loadVectors(t *testing.T, name string) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Vectors []vector }
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) == 0 {
		t.Fatalf("no vectors in testdata/%s", name)
	}
	return f.Vectors
}

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// TestVectors checks every vector of testdata/kdf.json (RFC 7836 App. B,
// RFC 9189 App. A).
func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t, "kdf.json") {
		t.Run(v.str("id"), func(t *testing.T) {
			got, want := runVector(t, v)
			if !bytes.Equal(got, want) {
				t.Errorf("%s (%s): got %x, want %x", v.str("function"), v.str("source"), got, want)
			}
		})
	}
}

// runVector computes what vector v describes and returns it with the
// expected output.
func runVector(t *testing.T, v vector) (got, want []byte) {
	t.Helper()
	fn, key := v.str("function"), v.hex(t, "key")
	switch {
	case fn == "HMAC_GOSTR3411_2012_256":
		return HMAC256(key, v.hex(t, "data")), v.hex(t, "output")
	case fn == "HMAC_GOSTR3411_2012_512":
		return HMAC512(key, v.hex(t, "data")), v.hex(t, "output")
	case strings.HasPrefix(fn, "PRF_TLS_GOSTR3411_2012_256"):
		want = concat(v.hex(t, "T1"), v.hex(t, "T2"))
		return PRFTLS256(key, v.hex(t, "label"), v.hex(t, "seed"), len(want)), want
	case strings.HasPrefix(fn, "PRF_TLS_GOSTR3411_2012_512"):
		want = concat(v.hex(t, "T1"), v.hex(t, "T2"))
		return PRFTLS512(key, v.hex(t, "label"), v.hex(t, "seed"), len(want)), want
	case strings.HasPrefix(fn, "prf+") && strings.HasSuffix(fn, "_256"):
		want = concat(v.hex(t, "T1"), v.hex(t, "T2"))
		got, err := PRFPlus256(key, v.hex(t, "S"), len(want))
		return must(t, got, err), want
	case strings.HasPrefix(fn, "prf+") && strings.HasSuffix(fn, "_512"):
		want = concat(v.hex(t, "T1"), v.hex(t, "T2"))
		got, err := PRFPlus512(key, v.hex(t, "S"), len(want))
		return must(t, got, err), want
	case strings.HasPrefix(fn, "KDF_GOSTR3411_2012_256"):
		return KDF256(key, v.hex(t, "label"), v.hex(t, "seed")), v.hex(t, "output")
	case strings.HasPrefix(fn, "KDF_TREE_GOSTR3411_2012_256"):
		if _, ok := v["K1"]; ok {
			want = concat(v.hex(t, "K1"), v.hex(t, "K2"))
		} else {
			want = v.hex(t, "output_K_Exp_MAC_K_Exp_ENC")
		}
		if v.num("L") != 8*len(want) {
			t.Fatalf("L = %d, but the expected output has %d bits", v.num("L"), 8*len(want))
		}
		got, err := KDFTree256(key, v.hex(t, "label"), v.hex(t, "seed"), v.num("R"), len(want))
		return must(t, got, err), want
	}
	t.Fatalf("no test for function %q", fn)
	return nil, nil
}

func must(t *testing.T, b []byte, err error) []byte {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPBKDF2Vectors checks every vector of testdata/pbkdf2-streebog.json
// (R 50.1.111-2016). The one with 2^24 iterations (2^27 compressions)
// runs only without -short: it takes one to two minutes.
func TestPBKDF2Vectors(t *testing.T) {
	for _, v := range loadVectors(t, "pbkdf2-streebog.json") {
		t.Run(v.str("id"), func(t *testing.T) {
			iter := v.num("iterations")
			if iter > 100000 {
				if testing.Short() {
					t.Skipf("%d iterations; skipped with -short", iter)
				}
				t.Parallel()
			}
			want := v.hex(t, "dk")
			if v.num("dklen") != len(want) {
				t.Fatalf("dklen = %d, but dk has %d bytes", v.num("dklen"), len(want))
			}
			got, err := PBKDF2Streebog512(v.hex(t, "password_hex"), v.hex(t, "salt_hex"),
				iter, len(want))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: got %x, want %x", v.str("source"), got, want)
			}
		})
	}
}

func TestKDF256IsKDFTree(t *testing.T) {
	key, label, seed := []byte("0123456789abcdef0123456789abcdef"), []byte("label"), []byte("seed")
	tree, err := KDFTree256(key, label, seed, 1, 32)
	if err != nil {
		t.Fatal(err)
	}
	if got := KDF256(key, label, seed); !bytes.Equal(got, tree) {
		t.Errorf("KDF256: got %x, KDFTree256(R=1, 32 bytes) %x", got, tree)
	}
}

func TestKDFTreeErrors(t *testing.T) {
	tests := []struct {
		r, length int
		want      string
	}{
		{0, 32, "kdf: KDF_TREE counter size 0 bytes, want 1 to 4"},
		{5, 32, "kdf: KDF_TREE counter size 5 bytes, want 1 to 4"},
		{1, 0, "kdf: KDF_TREE output length must be positive"},
		{1, -1, "kdf: KDF_TREE output length must be positive"},
		{1, 255*32 + 1, "kdf: KDF_TREE output of 8161 bytes needs more than 1-byte counters"},
	}
	for _, tt := range tests {
		_, err := KDFTree256(make([]byte, 32), nil, nil, tt.r, tt.length)
		if err == nil || err.Error() != tt.want {
			t.Errorf("R=%d length=%d: got error %v, want %q", tt.r, tt.length, err, tt.want)
		}
	}
	if _, err := KDFTree256(make([]byte, 32), nil, nil, 1, 255*32); err != nil {
		t.Errorf("R=1 length=%d: got error %v, want none", 255*32, err)
	}
}

// TestPrefixes checks that shorter outputs are prefixes of longer ones
// where the construction says so (P_hash, prf+), and that odd lengths
// work.
func TestPrefixes(t *testing.T) {
	key, label, seed := []byte("key"), []byte("label"), []byte("seed")
	long256, long512 := PRFTLS256(key, label, seed, 200), PRFTLS512(key, label, seed, 200)
	plus256, _ := PRFPlus256(key, seed, 200)
	plus512, _ := PRFPlus512(key, seed, 200)
	for _, n := range []int{0, 1, 31, 32, 33, 64, 65, 199} {
		p256, _ := PRFPlus256(key, seed, n)
		p512, _ := PRFPlus512(key, seed, n)
		for name, c := range map[string][2][]byte{
			"PRFTLS256":  {PRFTLS256(key, label, seed, n), long256[:n]},
			"PRFTLS512":  {PRFTLS512(key, label, seed, n), long512[:n]},
			"PRFPlus256": {p256, plus256[:n]},
			"PRFPlus512": {p512, plus512[:n]},
		} {
			if !bytes.Equal(c[0], c[1]) {
				t.Errorf("%s(%d): got %x, want %x", name, n, c[0], c[1])
			}
		}
	}
}

func TestPRFPlusLimit(t *testing.T) {
	if _, err := PRFPlus512(nil, nil, -1); err == nil {
		t.Errorf("length -1: got no error")
	}
	if got := PRFTLS256(nil, nil, nil, -1); len(got) != 0 {
		t.Errorf("PRFTLS256 length -1: got %x, want empty", got)
	}
	if _, err := PRFPlus256(nil, nil, 255*32); err != nil {
		t.Errorf("255 blocks: got error %v, want none", err)
	}
	_, err := PRFPlus256(nil, nil, 255*32+1)
	if want := "kdf: prf+ output of 8161 bytes, want at most 8160"; err == nil ||
		err.Error() != want {
		t.Errorf("256 blocks: got error %v, want %q", err, want)
	}
}

func TestPBKDF2Errors(t *testing.T) {
	tests := []struct {
		iter, keyLen int
		want         string
	}{
		{0, 32, "kdf: PBKDF2 iteration count 0, want at least 1"},
		{1, 0, "kdf: PBKDF2 key length 0, want at least 1"},
	}
	for _, tt := range tests {
		_, err := PBKDF2Streebog512([]byte("p"), []byte("s"), tt.iter, tt.keyLen)
		if err == nil || err.Error() != tt.want {
			t.Errorf("iter=%d keyLen=%d: got error %v, want %q", tt.iter, tt.keyLen, err, tt.want)
		}
	}
}

func BenchmarkPBKDF2(b *testing.B) {
	for b.Loop() {
		PBKDF2Streebog512([]byte("password"), []byte("salt"), 1000, 64)
	}
}
