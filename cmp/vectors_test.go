package cmp

import (
	"bytes"
	"crypto"
	"encoding/pem"
	"os"
	"path/filepath"
	"rekey/pki"
	"strings"
	"testing"
)

// openSSLMessages lists the PKIMessages of OpenSSL's CMP tests.
func openSSLMessages(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/openssl-cmp/*/*.der")
	if err != nil || len(files) == 0 {
		t.Fatalf("no OpenSSL CMP messages in testdata: %v", err)
	}
	return files
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestOpenSSLMessagesRoundTrip(t *testing.T) {
	for _, name := range openSSLMessages(t) {
		t.Run(strings.TrimPrefix(name, "testdata/openssl-cmp/"), func(t *testing.T) {
			der := readFile(t, name)
			m, err := ParseMessage(der)
			if err != nil {
				t.Fatalf("ParseMessage: %v", err)
			}
			out, err := m.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if !bytes.Equal(out, der) {
				t.Fatalf("re-encoding differs from the input")
			}
			t.Logf("%s pvno %d, %d extraCerts, protected %v", m.Body.Type, m.Header.PVNO,
				len(m.ExtraCerts), m.Protection != nil)
		})
	}
}

func loadCert(t testing.TB, name string) *pki.Certificate {
	t.Helper()
	data := readFile(t, name)
	if block, _ := pem.Decode(data); block != nil {
		data = block.Bytes
	}
	c, err := pki.ParseCertificate(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

// pbmSecret reads the secret of an OpenSSL test response's *.txt file.
func pbmSecret(t testing.TB, name string) []byte {
	t.Helper()
	text := string(readFile(t, name))
	_, after, ok := strings.Cut(text, "Secret Value:")
	if !ok {
		t.Fatalf("%s: no secret", name)
	}
	return []byte(strings.TrimSpace(after))
}

func TestOpenSSLMessagesProtection(t *testing.T) {
	const (
		prot = "testdata/openssl-cmp/65-test_cmp_protect_data/"
		srv  = "testdata/openssl-cmp/65-test_cmp_server_data/"
		vfy  = "testdata/openssl-cmp/65-test_cmp_vfy_data/"
	)
	edKey, err := pki.ParsePrivateKeyPEM(readFile(t, prot+"prot_Ed.pem"), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file    string
		secret  []byte
		cert    string           // signature: the certificate that must verify
		key     crypto.PublicKey // signature: a bare key
		wantErr FailureInfo      // 0: must verify
		wantMsg string
	}{
		{file: prot + "GENM_protected_Ed.der", key: edKey.Public()},
		{file: prot + "IP_PBM.der", secret: pbmSecret(t, prot+"IP_PBM.txt")},
		// Stale on purpose: OpenSSL's test recomputes this protection.
		{file: prot + "IR_protected.der", cert: prot + "server.crt",
			wantErr: FailBadMessageCheck, wantMsg: "protection signature does not verify"},
		{file: prot + "IR_unprotected.der", secret: []byte("x"),
			wantErr: FailBadMessageCheck, wantMsg: "message is not protected"},
		{file: srv + "CR_protected_PBM_1234.der", secret: []byte("1234")},
		{file: vfy + "IP_waitingStatus_PBM.der", secret: pbmSecret(t, vfy+"IP_waitingStatus_PBM.txt")},
		{file: vfy + "IR_protected.der", cert: vfy + "server.crt"},
		{file: vfy + "IR_protected_0_extraCerts.der", cert: vfy + "insta.cert.pem"},
		{file: vfy + "IR_protected_2_extraCerts.der", cert: vfy + "insta.cert.pem"},
		{file: vfy + "IR_rmprotection.der", cert: vfy + "server.crt",
			wantErr: FailBadMessageCheck, wantMsg: "message is not protected"},
		{file: vfy + "IR_unprotected.der", cert: vfy + "server.crt",
			wantErr: FailBadMessageCheck, wantMsg: "message is not protected"},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		seen[tc.file] = true
		t.Run(strings.TrimPrefix(tc.file, "testdata/openssl-cmp/"), func(t *testing.T) {
			m, err := ParseMessage(readFile(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.secret != nil:
				err = m.VerifyMAC(tc.secret)
			case tc.key != nil:
				err = m.VerifySignatureWithKey(tc.key)
			default:
				want := loadCert(t, tc.cert)
				var got *pki.Certificate
				got, err = m.VerifySignature(want)
				if err == nil && got != want {
					t.Errorf("VerifySignature returned another certificate")
				}
			}
			checkErr(t, err, tc.wantErr, tc.wantMsg)
		})
	}
	for _, name := range openSSLMessages(t) {
		if !seen[name] {
			t.Errorf("%s: no protection expectation", name)
		}
	}
}

// checkErr checks err against a wanted failure category and message part;
// want 0 means no error.
func checkErr(t *testing.T, err error, want FailureInfo, msg string) {
	t.Helper()
	if want == 0 {
		if err != nil {
			t.Fatalf("got error %v, want none", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("got no error, want %v %q", want, msg)
	}
	if got := FailureOf(err); got != want {
		t.Errorf("got failure %v (%v), want %v", got, err, want)
	}
	if !strings.HasPrefix(err.Error(), "cmp: ") || !strings.Contains(err.Error(), msg) {
		t.Errorf("got error %q, want it to contain %q", err, msg)
	}
}

// TestOpenSSLProofOfPossession checks the ECDSA POP of OpenSSL's requests.
func TestOpenSSLProofOfPossession(t *testing.T) {
	n := 0
	for _, name := range openSSLMessages(t) {
		m, err := ParseMessage(readFile(t, name))
		if err != nil {
			t.Fatal(err)
		}
		for i := range m.Body.CertReq {
			r := &m.Body.CertReq[i]
			if r.POP == nil || r.POP.Signature == nil {
				continue
			}
			n++
			if err := r.VerifyPOP(); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
	if n == 0 {
		t.Fatal("no signature POP in the OpenSSL messages")
	}
	t.Logf("%d POP signatures verified", n)
}
