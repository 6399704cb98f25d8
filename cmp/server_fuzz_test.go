package cmp

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
)

// FuzzServerHandler posts arbitrary bodies to the server's HTTP handler:
// it must never panic and always answer a well-formed, signed PKIMessage
// of type application/pkixcmp; a body that does not parse must get an
// error message. The seed corpus is OpenSSL's messages and requests of
// every kind our client sends.
func FuzzServerHandler(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*/*.der")
	for _, name := range files {
		f.Add(readFile(f, name))
	}
	if len(files) == 0 {
		f.Fatal("empty seed corpus: no testdata messages")
	}
	e := newTestEnv(f, "ecdsa", nil)
	alice := e.enroll(f, "Алиса")
	e.auth.secrets["6d6163"] = []byte("mac") // "mac"
	mac := MACCredentials([]byte("mac"), []byte("mac"))
	kur := kurBody(f, alice.Certificate, newKey(f, "ecdsa"))
	cs, _ := NewCertStatus(alice.Certificate, 0)
	for _, m := range []*Message{
		e.message(f, alice, kur, nil),
		e.message(f, mac, Body{Type: TypeIR, CertReq: kur.CertReq}, nil),
		e.message(f, alice, genmBody(), nil),
		e.message(f, alice, Body{Type: TypePollReq, PollReq: []int64{0}}, nil),
		e.message(f, alice, Body{Type: TypeCertConf, CertConf: []CertStatus{cs}}, nil),
		e.message(f, alice, Body{Type: TypeRR, RevReq: []RevDetails{NewRevDetails(
			alice.Certificate.RawIssuer, alice.Certificate.SerialNumber, 1)}}, nil),
	} {
		f.Add(marshal(f, m))
	}
	f.Add([]byte{})
	f.Add([]byte{0x30, 0x80, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, in []byte) {
		req := httptest.NewRequest(http.MethodPost, WellKnownPath, bytes.NewReader(in))
		req.Header.Set("Content-Type", ContentType)
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("HTTP status %d", rec.Code)
		}
		if ct := rec.Header().Get("Content-Type"); ct != ContentType {
			t.Fatalf("content type %q", ct)
		}
		resp, err := ParseMessage(rec.Body.Bytes())
		if err != nil {
			t.Fatalf("response does not parse: %v", err)
		}
		if !resp.IsMACProtected() {
			if _, err := resp.VerifySignature(e.ca.cert); err != nil {
				t.Fatalf("response signature: %v", err)
			}
		}
		if _, err := ParseMessage(in); err != nil && resp.Body.Type != TypeError {
			t.Fatalf("malformed request answered %s", resp.Body.Type)
		}
	})
}
