package ossltest

import (
	"strings"
	"testing"
)

func TestEngineDigest(t *testing.T) {
	o := Require(t)
	out := string(o.Run(t, []byte("abc"), "dgst", "-md_gost12_256"))
	// Streebog-256("abc") as printed by gost-engine.
	const want = "4e2919cf137ed41ec4fb6270c61826cc4fffb660341e0af3688cd0626d23b481"
	if !strings.Contains(out, want) {
		t.Fatalf("openssl dgst -md_gost12_256: got %q, want digest %s", out, want)
	}
}
