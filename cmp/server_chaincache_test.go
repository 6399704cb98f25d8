package cmp

import (
	"testing"
	"time"

	"rekey/pki"
)

// TestChainCacheHonoursValidity: a verified chain is used again only
// within the validity of each of its certificates, and only for the same
// protection certificate and extraCerts.
func TestChainCacheHonoursValidity(t *testing.T) {
	day := 24 * time.Hour
	t0 := time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC)
	leaf := &pki.Certificate{Raw: []byte("leaf"), NotBefore: t0, NotAfter: t0.Add(30 * day)}
	ca := &pki.Certificate{Raw: []byte("ca"), NotBefore: t0.Add(-day), NotAfter: t0.Add(10 * day)}
	other := &pki.Certificate{Raw: []byte("other"), NotBefore: t0, NotAfter: t0.Add(30 * day)}
	var c chainCache
	key := chainKey(leaf, []*pki.Certificate{leaf})
	c.put(key, []*pki.Certificate{leaf, ca})
	tests := []struct {
		name string
		key  [32]byte
		at   time.Time
		hit  bool
	}{
		{"within both", key, t0.Add(day), true},
		{"before the leaf", key, t0.Add(-time.Second), false},
		{"after the CA", key, t0.Add(10*day + time.Second), false},
		{"other extraCerts", chainKey(leaf, []*pki.Certificate{leaf, other}), t0.Add(day), false},
		{"other signer", chainKey(other, []*pki.Certificate{leaf}), t0.Add(day), false},
	}
	for _, tt := range tests {
		if _, hit := c.get(tt.key, tt.at); hit != tt.hit {
			t.Errorf("%s: hit = %v, want %v", tt.name, hit, tt.hit)
		}
	}
}
