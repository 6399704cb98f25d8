package i18n

import "testing"

// TestDemoCatalogueMerged: every message of demoCatalogue is the one the
// catalogue gives, so no other file defines one of its keys again.
func TestDemoCatalogueMerged(t *testing.T) {
	if len(demoCatalogue) < 50 {
		t.Fatalf("demoCatalogue has %d messages", len(demoCatalogue))
	}
	for k, m := range demoCatalogue {
		if got := catalogue[k]; got != m {
			t.Errorf("%s: the catalogue has %q/%q, catalogue_demo.go %q/%q", k, got.ru, got.en,
				m.ru, m.en)
		}
	}
}
