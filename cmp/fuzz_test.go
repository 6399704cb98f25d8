package cmp

import (
	"bytes"
	"path/filepath"
	"testing"
)

// FuzzParsePKIMessage checks that the decoder never panics, that what it
// accepts re-encodes byte for byte (no malleability), and that the
// helpers over accepted messages do not panic either. The seed corpus is
// OpenSSL's messages and one built message of every body type.
func FuzzParsePKIMessage(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*/*.der")
	for _, name := range files {
		f.Add(readFile(f, name))
	}
	p := testParties(f)["ecdsa"]
	for _, body := range testBodies(f, p) {
		m := &Message{Header: testHeader(p), Body: body}
		if err := m.ProtectMAC(testSecret, &MACOptions{Iterations: MinPBMAC1Iterations}); err != nil {
			f.Fatal(err)
		}
		der, err := m.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	if len(files) == 0 {
		f.Fatal("empty seed corpus: no testdata messages")
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := ParseMessage(in)
		if err != nil {
			if FailureOf(err) == FailSystemFailure {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("accepted input does not re-encode: %v", err)
		}
		if !bytes.Equal(out, in) {
			t.Fatalf("re-encoding differs:\n in %x\nout %x", in, out)
		}
		if _, err := m.ProtectedPart(); err != nil {
			t.Fatalf("ProtectedPart: %v", err)
		}
		exercise(m)
	})
}

// exercise calls the decoding helpers; only panics matter.
func exercise(m *Message) {
	m.Header.ConfirmWaitTime()
	m.Header.Sender.Directory()
	m.IsMACProtected()
	m.VerifySignature()
	for i := range m.Body.CertReq {
		r := &m.Body.CertReq[i]
		r.VerifyPOP()
		r.CertReq.OldCertID()
	}
	for i := range m.Body.RevReq {
		m.Body.RevReq[i].Reason()
	}
	for _, itv := range m.Body.GenInfo {
		itv.Certificates()
		itv.CRLStatusList()
	}
}
