package i18n

import "testing"

// TestRekeyCatalogueMerged: every message of rekeyCatalogue is the one
// the catalogue gives, so no other file defines one of its keys again.
func TestRekeyCatalogueMerged(t *testing.T) {
	if len(rekeyCatalogue) < 50 {
		t.Fatalf("rekeyCatalogue has %d messages", len(rekeyCatalogue))
	}
	for k, m := range rekeyCatalogue {
		if got := catalogue[k]; got != m {
			t.Errorf("%s: the catalogue has %q/%q, catalogue_rekey.go %q/%q", k, got.ru, got.en,
				m.ru, m.en)
		}
	}
}
