package omac

import (
	"crypto/rand"
	"encoding/hex"
	mrand "math/rand/v2"
	"strings"
	"testing"

	"rekey/internal/ossltest"
)

// TestOpenSSL compares full-block MACs with `openssl mac -macopt hexkey:K
// kuznyechik-mac` and `magma-mac` of the GOST provider on random keys and
// messages, the lengths chosen around block boundaries and at random.
func TestOpenSSL(t *testing.T) {
	o := ossltest.Require(t)
	lengths := []int{0, 1, 7, 8, 9, 15, 16, 17, 32, 33}
	for i := 0; i < 4; i++ {
		lengths = append(lengths, mrand.IntN(20000))
	}
	for _, name := range []string{"kuznyechik", "magma"} {
		n := map[string]int{"kuznyechik": 16, "magma": 8}[name]
		for _, l := range lengths {
			key, msg := random(32), random(l)
			out := o.Run(t, msg, "mac", "-macopt", "hexkey:"+hex.EncodeToString(key), name+"-mac")
			want := strings.ToLower(strings.TrimSpace(string(out)))
			m := newMAC(t, name, hex.EncodeToString(key), n)
			m.Write(msg)
			if got := hex.EncodeToString(m.Sum(nil)); got != want {
				t.Fatalf("%s key %x, %d bytes: got %s, openssl %s", name, key, l, got, want)
			}
		}
	}
}

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
