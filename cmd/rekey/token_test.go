package main

import (
	"crypto/x509"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rekey/internal/softhsmtest"
	"rekey/media/token"
	"rekey/pki"
	"rekey/subscriber"
)

// enrollToken makes a current key on a SoftHSM2 token, with a certificate
// whose key usage period ends at keyExpires.
func (o *operatorPeer) enrollToken(t *testing.T, tok *softhsmtest.Token, keyExpires time.Time) string {
	t.Helper()
	tk, err := token.Open(tok.Module, tok.Label)
	if err != nil {
		t.Fatal(err)
	}
	defer tk.Close()
	if err := tk.Login(tok.PIN); err != nil {
		t.Fatal(err)
	}
	k, sg, err := tk.Generate(&token.GenerateOptions{Profile: pki.ProfileECDSA, CA: o.ca.Raw,
		OperatorURL: o.url, Now: o.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	notBefore := keyExpires.AddDate(-1, 0, 0)
	der, err := pki.CreateCertificate(&pki.Template{
		SerialNumber: big.NewInt(time.Now().UnixNano() & 0xffffffff),
		Subject:      testSubject(),
		NotBefore:    notBefore,
		NotAfter:     keyExpires.AddDate(0, 3, 0),
		Extensions: pki.Extensions{
			KeyUsage:              x509.KeyUsageDigitalSignature,
			PrivateKeyUsagePeriod: &pki.KeyUsagePeriod{NotBefore: notBefore, NotAfter: keyExpires},
		},
	}, o.ca, sg.Public(), o.caKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := tk.InstallCertificate(k.ID, der); err != nil {
		t.Fatal(err)
	}
	return k.ID
}

// TestTokenFlow renews a key on a PKCS#11 token (SoftHSM2): the new key
// is generated on the token, the certificate stored there, the old key
// archived; a wrong PIN is refused with its retries shown; a token key
// cannot be backed up.
func TestTokenFlow(t *testing.T) {
	tok := softhsmtest.Require(t)
	clock := &tclock{t: testNow}
	op := newOperator(t, pki.ProfileECDSA, clock)
	h := newHome(t, clock)
	h.extra = []string{"--pkcs11", tok.Module}
	pin := filepath.Join(h.dir, "pin.txt")
	os.WriteFile(pin, []byte(tok.PIN+"\n"), 0o600)
	wrongPIN := filepath.Join(h.dir, "wrong-pin.txt")
	os.WriteFile(wrongPIN, []byte("00000000\n"), 0o600)
	old := op.enrollToken(t, tok, testNow.AddDate(0, 0, 20))

	out, stderr := h.must("keys")
	if !strings.Contains(stderr, "rekey renew "+old) || !strings.Contains(out, "token:"+tok.Label) {
		t.Errorf("keys:\n%s\n%s", out, stderr)
	}
	k := h.keys()[old]
	if k.Kind != "token" || k.Media != tok.Label || k.State != subscriber.StateExpiring {
		t.Errorf("keys --json: %+v", k)
	}
	// Which token: its label and serial number, as the module reports them.
	infos, err := token.Tokens(tok.Module)
	if err != nil {
		t.Fatal(err)
	}
	var serial string
	for _, i := range infos {
		if i.Label == tok.Label {
			serial = i.Serial
		}
	}
	if serial == "" || k.TokenSerial != serial ||
		!strings.Contains(out, "token:"+tok.Label+" (serial "+serial+")") {
		t.Errorf("the token's serial %q: keys --json %q, keys:\n%s", serial, k.TokenSerial, out)
	}

	// A wrong PIN: refused, nothing generated.
	code, _, stderr := h.rekey("renew", old, "--yes", "--password-file", wrongPIN)
	if code != 1 || !strings.Contains(stderr, "wrong password or PIN") {
		t.Errorf("wrong PIN: exit %d\n%s", code, stderr)
	}
	if n := len(onToken(h.keys(), tok.Label)); n != 1 {
		t.Errorf("%d keys after a wrong PIN", n)
	}

	// The PIN prompt on a terminal shows what the token says of retries.
	ft := &fakeTerminal{answers: []string{"", "00000000", tok.PIN}}
	withTerminal(t, ft)
	h.must("renew", old, "--yes")
	if len(ft.prompts) != 3 || !strings.Contains(ft.prompts[1], "PIN of token "+tok.Label) ||
		!strings.Contains(ft.prompts[1], "tries") {
		t.Errorf("PIN prompts %q", ft.prompts)
	}
	withTerminal(t, &fakeTerminal{})

	h.must("sync", "--password-file", pin)
	op.auth.approveAll()
	clock.Set(testNow.Add(2 * time.Hour))
	out, _ = h.must("sync", "--password-file", pin)
	if !strings.Contains(out, "is renewed") {
		t.Fatalf("sync:\n%s", out)
	}
	ks := onToken(h.keys(), tok.Label)
	var newID string
	for id := range ks {
		if id != old {
			newID = id
		}
	}
	if ks[old].State != subscriber.StateArchived || ks[newID].State != subscriber.StateValid ||
		ks[newID].Kind != "token" || ks[newID].Replaces != old {
		t.Errorf("after sync: old %+v, new %+v", ks[old], ks[newID])
	}

	code, out, stderr = h.rekey("backup", newID, "--to", t.TempDir(), "--password-file", pin)
	if code != 1 || !strings.Contains(stderr, "non-extractable") ||
		!strings.Contains(out, "cannot be copied") {
		t.Errorf("backup of a token key: exit %d\n%s\n%s", code, out, stderr)
	}
}

// onToken returns the keys on the token label: other tests' tokens share
// the SoftHSM2 directory.
func onToken(keys map[string]subscriber.KeyJSON, label string) map[string]subscriber.KeyJSON {
	out := map[string]subscriber.KeyJSON{}
	for id, k := range keys {
		if k.Media == label {
			out[id] = k
		}
	}
	return out
}
