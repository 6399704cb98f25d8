package subscriber

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rekey/pki"
)

func newTestSpool(t *testing.T) *Spool {
	t.Helper()
	s, err := OpenSpool(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func queuedItem(t *testing.T, now time.Time) *OutboxItem {
	t.Helper()
	it, err := NewOutboxItem(KindKeyUpdate, "0123456789abcdef0123", testURL, now)
	if err != nil {
		t.Fatal(err)
	}
	it.Status, it.NewKey, it.Media, it.Transaction = StatusQueued, "aaaa456789abcdef0123",
		"/media/user/drive", []byte{1, 2, 3}
	return it
}

func TestSpoolRoundTrip(t *testing.T) {
	s := newTestSpool(t)
	a := queuedItem(t, start)
	b := queuedItem(t, start.Add(time.Second))
	for _, it := range []*OutboxItem{b, a} {
		if err := s.PutOutbox(it); err != nil {
			t.Fatal(err)
		}
	}
	a.Attempts, a.LastError = 1, "connection refused"
	if err := s.PutOutbox(a); err != nil {
		t.Fatal(err)
	}
	in := &InboxItem{Format: SpoolFormat, ID: a.ID, Kind: KindCertificate, Received: start,
		Outbox: a.ID, Key: a.NewKey, Data: []byte{0x30, 0}}
	if err := s.PutInbox(in); err != nil {
		t.Fatal(err)
	}
	items, errs := s.Outbox()
	if len(errs) != 0 || len(items) != 2 || items[0].ID != a.ID || items[0].Attempts != 1 ||
		items[0].LastError != "connection refused" || string(items[0].Transaction) != "\x01\x02\x03" {
		t.Fatalf("Outbox: %+v, %v", items, errs)
	}
	got, err := s.InboxItem(a.ID)
	if err != nil || got.Processed || got.Key != a.NewKey {
		t.Fatalf("InboxItem: %+v, %v", got, err)
	}
	u, _ := s.Unfinished()
	if len(u) != 3 {
		t.Errorf("unfinished: %+v", u)
	}
	// Nothing but the items is left in the directories (no temporary
	// files).
	for _, box := range []string{OutboxDir, InboxDir} {
		ents, _ := os.ReadDir(filepath.Join(s.Dir(), box))
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".") {
				t.Errorf("left over: %s", e.Name())
			}
		}
	}
	if fi, _ := os.Stat(filepath.Join(s.Dir(), OutboxDir, a.ID+".json")); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
}

// TestSpoolStrict: an item with an unknown field, a damaged item, a newer
// format or a misnamed file is reported with its path; the others are
// read; a crash's temporary file is ignored.
func TestSpoolStrict(t *testing.T) {
	s := newTestSpool(t)
	good := queuedItem(t, start)
	if err := s.PutOutbox(good); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(s.Dir(), OutboxDir, good.ID+".json"))
	other := queuedItem(t, start.Add(time.Minute))
	otherData := strings.Replace(string(data), good.ID, other.ID, 1)
	write := func(name, content string) string {
		p := filepath.Join(s.Dir(), OutboxDir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, content, want string
	}{
		{other.ID + ".json", strings.Replace(otherData, `"format": 1,`,
			`"format": 1, "priority": 5,`, 1), `unknown field "priority"`},
		{"20261203T090000Z-000000000001.json", `{"format": 1, "id": "trunc`, "not a valid item"},
		{"20261203T090000Z-000000000002.json", strings.Replace(strings.Replace(string(data),
			good.ID, "20261203T090000Z-000000000002", 1), `"format": 1`, `"format": 2`, 1),
			"newer than this rekey reads"},
		{"20261203T090000Z-000000000003.json", string(data), "holds item " + good.ID},
		{"20261203T090000Z-000000000004.json", string(data) + "{}", "data after the JSON object"},
		{"20261203T090000Z-000000000005.json", strings.Replace(strings.Replace(string(data),
			good.ID, "20261203T090000Z-000000000005", 1), `"queued"`, `"lost"`, 1),
			`unknown status "lost"`},
	}
	for _, tt := range tests {
		write(tt.name, tt.content)
	}
	write(".x.json.tmp-123", "garbage of a crash")
	items, errs := s.Outbox()
	if len(items) != 1 || items[0].ID != good.ID {
		t.Errorf("items: %+v", items)
	}
	if len(errs) != len(tests) {
		t.Fatalf("%d errors, want %d: %v", len(errs), len(tests), errs)
	}
	for _, tt := range tests {
		found := false
		for _, err := range errs {
			var ie *ItemError
			if errors.As(err, &ie) && filepath.Base(ie.Path) == tt.name &&
				strings.Contains(err.Error(), tt.want) && strings.HasPrefix(err.Error(), "subscriber: ") {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no error with %q in %v", tt.name, tt.want, errs)
		}
	}
	// Renew does not risk a second request when the outbox is damaged.
	f := newFixture(t, pki.ProfileECDSA, time.Time{})
	f.spool = s
	f.client = f.newClient()
	if _, err := f.client.Renew(t.Context(), f.current.ID()); err == nil {
		t.Error("Renew went on with a damaged outbox")
	}
}

func TestSpoolInvalid(t *testing.T) {
	s := newTestSpool(t)
	it := queuedItem(t, start)
	it.Transaction = nil
	if err := s.PutOutbox(it); err == nil {
		t.Error("a queued item without its transaction was stored")
	}
	it = queuedItem(t, start)
	it.Status = StatusRefused
	if err := s.PutOutbox(it); err == nil {
		t.Error("a refused item without a refusal was stored")
	}
}

func TestSpoolLock(t *testing.T) {
	s := newTestSpool(t)
	if err := s.Lock(); err != nil {
		t.Fatal(err)
	}
	s2, _ := OpenSpool(s.Dir())
	if err := s2.Lock(); err == nil || !strings.Contains(err.Error(), "another rekey") {
		t.Errorf("second lock: %v", err)
	}
	s.Unlock()
	if err := s2.Lock(); err != nil {
		t.Errorf("after unlock: %v", err)
	}
	s2.Unlock()
}

func TestDefaultSpoolDir(t *testing.T) {
	env := map[string]string{"HOME": "/home/u"}
	get := func(k string) string { return env[k] }
	if d, _ := DefaultSpoolDir(get); d != "/home/u/.local/state/rekey/spool" {
		t.Errorf("HOME: %s", d)
	}
	env["XDG_STATE_HOME"] = "/state"
	if d, _ := DefaultSpoolDir(get); d != "/state/rekey/spool" {
		t.Errorf("XDG: %s", d)
	}
	if _, err := DefaultSpoolDir(func(string) string { return "" }); err == nil {
		t.Error("no error without HOME")
	}
}
