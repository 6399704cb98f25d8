package rekeyd

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParseConfig: a config file never panics, and one that parses
// encodes and parses again to the same config.
func FuzzParseConfig(f *testing.F) {
	seeds := []string{
		`{"operator":{"profile":"ecdsa-p256"},"database":"sqlite:rekeyd.db","ca_key":"ca-key.pem",` +
			`"url":"http://127.0.0.1:8080/.well-known/cmp","listen":"127.0.0.1:8080"}`,
		`{"operator":{},"database":"postgres://u@h/db","ca_key":"pkcs11:token=t;object=o",` +
			`"url":"https://ca.example/.well-known/cmp","listen":":8080"}`,
		`{"operator":{"lifetime":"30d","unknown":1}}`,
		`{} {}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			return
		}
		again, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		c2, err := ParseConfig(again)
		if err != nil {
			t.Fatalf("a parsed config does not parse again: %v\n%s", err, again)
		}
		if a, b := mustJSON(t, c), mustJSON(t, c2); a != b {
			t.Fatalf("round trip changed the config:\n%s\n%s", a, b)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzParsePKCS11URI: a URI never panics, never yields a key without
// token and object, and never accepts a PIN in the URI.
func FuzzParsePKCS11URI(f *testing.F) {
	for _, s := range []string{
		"pkcs11:token=CA;object=ca-key?module-path=/usr/lib/softhsm/libsofthsm2.so",
		"pkcs11:token=My%20CA;object=k;type=private?pin-source=file:/run/pin",
		"pkcs11:token=t;object=o?pin-value=1234",
		"pkcs11:object=o",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParsePKCS11URI(s)
		if err != nil {
			return
		}
		if u.Token == "" || u.Object == "" || u.Module == "" {
			t.Fatalf("%q parsed to %+v", s, u)
		}
		if strings.Contains(s, "pin-value=") {
			t.Fatalf("%q with a pin-value was accepted", s)
		}
	})
}

// FuzzParseSerial: a serial is positive, at most 20 octets with the sign
// octet, and minimal.
func FuzzParseSerial(f *testing.F) {
	for _, s := range []string{"01", "7f:ff", "0x00ff", "80", "-1", "", strings.Repeat("f", 41)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseSerial(s)
		if err != nil {
			return
		}
		if len(b) == 0 || len(b) > 21 || b[0]&0x80 != 0 || (len(b) > 1 && b[0] == 0 && b[1]&0x80 == 0) {
			t.Fatalf("%q gave serial %x", s, b)
		}
	})
}
