package streebog

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"rekey/internal/ossltest"
)

// TestOpenSSL compares both hashes with OpenSSL's gost-engine on random
// messages of every length from 0 to 1000 bytes and a few longer ones. All
// messages go to files and one openssl dgst call hashes them all.
func TestOpenSSL(t *testing.T) {
	o := ossltest.Require(t)
	r := rand.NewChaCha8([32]byte{3})
	dir := t.TempDir()
	lengths := []int{4096, 65536 + 17, 1 << 20}
	for n := 0; n <= 1000; n++ {
		lengths = append(lengths, n)
	}
	msgs := map[string][]byte{}
	var files []string
	for _, n := range lengths {
		msg := randomBytes(r, n)
		p := ossltest.WriteFile(t, dir, fmt.Sprintf("m%04d-%d", len(files), n), msg)
		msgs[p] = msg
		files = append(files, p)
	}
	for _, c := range []struct {
		md  string
		sum func([]byte) []byte
	}{
		{"-md_gost12_256", func(m []byte) []byte { s := Sum256(m); return s[:] }},
		{"-md_gost12_512", func(m []byte) []byte { s := Sum512(m); return s[:] }},
	} {
		out := o.Run(t, nil, append([]string{"dgst", c.md, "-r"}, files...)...)
		got := parseDgst(t, out)
		if len(got) != len(files) {
			t.Fatalf("%s: openssl printed %d digests, want %d", c.md, len(got), len(files))
		}
		for p, msg := range msgs {
			if want, ours := got[p], c.sum(msg); !bytes.Equal(ours, want) {
				t.Errorf("%s, %d bytes: got %x, openssl %x", c.md, len(msg), ours, want)
			}
		}
	}
}

// parseDgst reads the "hex *path" lines of openssl dgst -r.
func parseDgst(t *testing.T, out []byte) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	for line := range strings.Lines(string(out)) {
		h, p, ok := strings.Cut(strings.TrimSpace(line), " *")
		if !ok {
			t.Fatalf("unexpected openssl dgst line %q", line)
		}
		d, err := hex.DecodeString(h)
		if err != nil {
			t.Fatalf("openssl dgst line %q: %v", line, err)
		}
		m[p] = d
	}
	return m
}
