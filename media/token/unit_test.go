package token

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"rekey/gost/gost3410"
	"rekey/media"
	"rekey/pki"
)

// TestGOSTSignatureOrder: a token's GOST signature is accepted in either
// order of its halves and returned as s||r; a bad one is refused.
func TestGOSTSignatureOrder(t *testing.T) {
	key, err := pki.ProfileGOST256.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	h := pki.ProfileGOST256.NewHash()
	h.Write([]byte("декларация"))
	digest := h.Sum(nil)
	sr, err := key.Sign(nil, digest, pki.StreebogSignerOpts{Size: 32})
	if err != nil {
		t.Fatal(err)
	}
	rs := append(append([]byte{}, sr[32:]...), sr[:32]...)
	for name, sig := range map[string][]byte{"s||r": sr, "r||s": rs} {
		got, err := gostSignature(key.Public(), digest, sig)
		if err != nil || string(got) != string(sr) {
			t.Errorf("%s: %x, %v", name, got, err)
		}
	}
	bad := append([]byte{}, sr...)
	bad[5] ^= 1
	if _, err := gostSignature(key.Public(), digest, bad); err == nil {
		t.Error("a bad signature was accepted")
	}
	if _, ok := key.Public().(*gost3410.PublicKey); !ok {
		t.Fatal("not a GOST key")
	}
}

// TestRecordPrecedence: of two records of one key (a crash inside
// writeRecord), the later state wins, whatever the order they are read in.
func TestRecordPrecedence(t *testing.T) {
	mk := func(s media.State) *record {
		return &record{Manifest: media.Manifest{ID: "00112233445566778899", State: s,
			Created: time.Now()}}
	}
	for _, order := range [][]media.State{
		{media.StatePending, media.StateActive}, {media.StateActive, media.StatePending},
		{media.StateArchived, media.StateActive}, {media.StateActive, media.StateArchived},
	} {
		var rs []*record
		for _, s := range order {
			rs = addRecord(rs, mk(s))
		}
		want := order[0]
		if stateOrder(order[1]) > stateOrder(want) {
			want = order[1]
		}
		if len(rs) != 1 || rs[0].State != want {
			t.Errorf("%v: got %d records, first %s; want one %s", order, len(rs), rs[0].State, want)
		}
	}
}

// TestRecordOffice: a record's office contact is optional, and strict
// when present, as a container's office.json.
func TestRecordOffice(t *testing.T) {
	key, err := pki.ProfileECDSA.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	spki, _ := pki.MarshalPKIXPublicKey(key.Public())
	id, _ := media.KeyID(key.Public())
	base := `{"format": 1, "id": "` + id + `", "profile": "ecdsa-p256", "state": "pending", ` +
		`"created": "2026-12-03T20:00:00Z", "public_key": "` +
		base64.StdEncoding.EncodeToString(spki) + `", "ca": "", "operator": "https://op.test/"`
	for _, tc := range []struct {
		name, extra, err string
	}{
		{"absent", "", ""},
		{"present", `, "office": {"ru": "офис", "en": "office"}`, ""},
		{"unknown field", `, "office": {"ru": "офис", "en": "office", "tel": "1"}`, `unknown field "tel"`},
		{"english missing", `, "office": {"ru": "офис"}`, "en is missing"},
	} {
		r, err := parseRecord([]byte(base + tc.extra + "}"))
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
		case tc.name == "present" && (r.Office == nil || r.Office.EN != "office"):
			t.Errorf("%s: office %+v", tc.name, r.Office)
		case tc.name == "absent" && r.Office != nil:
			t.Errorf("%s: office %+v", tc.name, r.Office)
		}
	}
}
