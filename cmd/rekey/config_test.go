package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rekey/pki"
)

func TestParseConfig(t *testing.T) {
	c, err := parseConfig([]byte(`{"pkcs11": ["/usr/lib/librtpkcs11ecp.so"], "media": ["/srv/keys"]}`))
	if err != nil || len(c.PKCS11) != 1 || c.PKCS11[0] != "/usr/lib/librtpkcs11ecp.so" ||
		len(c.Media) != 1 || c.Media[0] != "/srv/keys" {
		t.Fatalf("parseConfig: %+v, %v", c, err)
	}
	for _, bad := range []string{
		``, `[]`, `{"pkcs11": "/one.so"}`, `{"pkcs_11": []}`, `{"media": [""]}`,
		`{} {}`, `{"media": []} x`, `{"media": ["/a"]`,
		`{"media": ["` + strings.Repeat("a", maxConfigSize) + `"]}`,
	} {
		if _, err := parseConfig([]byte(bad)); err == nil {
			t.Errorf("parseConfig(%.40q) accepted", bad)
		}
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"pkcs11": ["/m.so"], "media": ["/k"]}`))
	f.Add([]byte(`{"media": null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseConfig(data)
		if err == nil && c == nil {
			t.Fatal("nil config without an error")
		}
	})
}

// TestConfigFile: media named in ~/.config/rekey/config.json are searched
// like --media; a malformed file stops the command with its path and what
// to do.
func TestConfigFile(t *testing.T) {
	clock := &tclock{t: testNow}
	op := newOperator(t, pki.ProfileECDSA, clock)
	h := newHome(t, clock)
	elsewhere := filepath.Join(h.dir, "media", "ELSEWHERE")
	if err := os.MkdirAll(elsewhere, 0o700); err != nil {
		t.Fatal(err)
	}
	id := op.enroll(t, elsewhere, testNow.AddDate(1, 0, 0)).ID()
	if _, ok := h.keys()[id]; ok {
		t.Fatal("the key is found without the settings file")
	}
	cfgDir := filepath.Join(h.dir, ".config", "rekey")
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(cfgDir, "config.json")
	if err := os.WriteFile(cfg, []byte(`{"media": ["`+elsewhere+`"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if k, ok := h.keys()[id]; !ok || k.Media != elsewhere {
		t.Fatalf("the key on the configured media: %+v, found %v", k, ok)
	}
	if err := os.WriteFile(cfg, []byte(`{"medai": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := h.rekey("keys")
	if code == 0 || !strings.Contains(stderr, cfg) || !strings.Contains(stderr, "medai") ||
		!strings.Contains(stderr, "REKEY_CONFIG") {
		t.Errorf("malformed settings: exit %d\n%s", code, stderr)
	}
}
