package cmp

import (
	"context"
	"net/http"
	"testing"
)

// TestPaths: the well-known path, a labelled path whose label reaches the
// Authority, and a plain 404 elsewhere.
func TestPaths(t *testing.T) {
	e := newTestEnv(t, "ecdsa", nil)
	cred := e.enroll(t, "Алиса")
	c := e.newClient()
	c.Transport = &HTTPTransport{URL: e.http.URL + WellKnownPath + "/p/gost2012-256"}
	if _, err := c.CACertificates(context.Background(), cred); err != nil {
		t.Fatalf("labelled path: %v", err)
	}
	e.auth.mu.Lock()
	label := e.auth.label
	e.auth.mu.Unlock()
	if label != "gost2012-256" {
		t.Errorf("PathLabel %q", label)
	}
	for _, path := range []string{"/", "/cmp", WellKnownPath + "/p/", WellKnownPath + "/p/a/b"} {
		resp, err := http.Post(e.http.URL+path, ContentType, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: HTTP %d, want 404", path, resp.StatusCode)
		}
	}
}
