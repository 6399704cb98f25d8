package inspect

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"

	"rekey/cmp"
	"rekey/internal/i18n"
)

// TestPKIMessage inspects an OpenSSL request: header, body, request and
// the protection, checked with the certificate in extraCerts.
func TestPKIMessage(t *testing.T) {
	m := mustInspect(t, readFile(t,
		"testdata/vectors/openssl-cmp/65-test_cmp_vfy_data/IR_protected_2_extraCerts.der"),
		Options{}).Objects[0]
	p := m.PKIMessage
	if p.PVNO != 2 || p.Body != "ir" || !p.Protected || p.ExtraCerts != 2 || !p.Decoded {
		t.Errorf("PKIMessage %+v", *p)
	}
	if p.Protection != "signature" || p.TransactionID == nil || p.SenderNonce == nil ||
		len(p.Requests) != 1 || len(p.Certificates) != 2 {
		t.Errorf("PKIMessage header/body: %+v", *p)
	}
	if m.SignatureValid == nil || !*m.SignatureValid || *m.SignatureCheckedWith != "extra_certs" {
		t.Errorf("protection not verified: %v %v, problems %v", m.SignatureValid,
			m.SignatureCheckedWith, m.Problems)
	}
}

// testResponse builds an error message and a kup of the test CA, signed.
func testResponses(t *testing.T) (errMsg, kup []byte) {
	t.Helper()
	s := testSubscriber(t)
	build := func(body cmp.Body) []byte {
		m := &cmp.Message{Body: body, Header: cmp.Header{
			PVNO: cmp.PVNO2000, Sender: cmp.DirectoryName(s.ca.RawSubject),
			Recipient: cmp.DirectoryName(s.leaf.RawSubject), MessageTime: testNow,
			TransactionID: bytes.Repeat([]byte{1}, 16), SenderNonce: bytes.Repeat([]byte{2}, 16),
			RecipNonce: bytes.Repeat([]byte{3}, 16), SenderKID: s.ca.Extensions.SubjectKeyID,
			GeneralInfo: []cmp.InfoTypeAndValue{cmp.ConfirmWaitTimeInfo(testNow)},
		}, ExtraCerts: [][]byte{s.caDER}}
		if err := m.Sign(s.caKey, rand.Reader); err != nil {
			t.Fatal(err)
		}
		der, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	errMsg = build(cmp.Body{Type: cmp.TypeError, Error: &cmp.ErrorMsgContent{
		StatusInfo: cmp.StatusInfo{Status: cmp.StatusRejection,
			FailInfo:     cmp.FailBadPOP | cmp.FailBadTime,
			StatusString: cmp.FreeText("отказ", "refused")}}})
	kup = build(cmp.Body{Type: cmp.TypeKUP, CertRep: &cmp.CertRepMessage{
		CAPubs: [][]byte{s.caDER},
		Response: []cmp.CertResponse{{Status: cmp.StatusInfo{Status: cmp.StatusAccepted},
			CertifiedKeyPair: &cmp.CertifiedKeyPair{Certificate: s.leafDER}}}}})
	return errMsg, kup
}

// TestPKIMessageResponses: status, failInfo and text of an error message,
// the certificates of a kup, the protection checked with --issuer,
// a wrong issuer and a tampered message.
func TestPKIMessageResponses(t *testing.T) {
	s := testSubscriber(t)
	errMsg, kup := testResponses(t)

	o := mustInspect(t, errMsg, Options{Issuer: s.ca}).Objects[0]
	st := o.PKIMessage.Statuses
	if len(st) != 1 || st[0].Status != "rejection" || strings.Join(st[0].FailInfo, ",") !=
		"badTime,badPOP" || len(st[0].Text) != 2 {
		t.Errorf("error statuses %+v", st)
	}
	if o.SignatureValid == nil || !*o.SignatureValid || *o.SignatureCheckedWith != "issuer" {
		t.Errorf("protection with --issuer: %v, problems %v", o.SignatureValid, o.Problems)
	}
	if o.PKIMessage.ConfirmWaitTime == nil || o.PKIMessage.Sender == nil {
		t.Errorf("header: %+v", o.PKIMessage)
	}

	o = mustInspect(t, kup, Options{}).Objects[0]
	var where []string
	for _, c := range o.PKIMessage.Certificates {
		where = append(where, c.Where)
	}
	if got := strings.Join(where, " "); got != "ca_pubs response extra_certs" {
		t.Errorf("certificates %q", got)
	}

	o = mustInspect(t, errMsg, Options{Issuer: s.leaf}).Objects[0]
	if len(o.Problems) != 1 || o.Problems[0].Code != CodeIssuerMismatch {
		t.Errorf("wrong issuer: problems %v", o.Problems)
	}

	tampered := bytes.Clone(errMsg)
	i := bytes.Index(tampered, []byte("refused"))
	tampered[i] = 'R'
	o = mustInspect(t, tampered, Options{}).Objects[0]
	if len(o.Problems) != 1 || o.Problems[0].Code != CodeSignatureInvalid {
		t.Errorf("tampered: problems %v", o.Problems)
	}
}

// TestPKIMessageText: the text form names the fields in both languages.
func TestPKIMessageText(t *testing.T) {
	errMsg, _ := testResponses(t)
	r := mustInspect(t, errMsg, Options{})
	for lang, want := range map[i18n.Lang][]string{
		i18n.RU: {"Идентификатор транзакции", "Причина отказа: badTime, badPOP", "ru: отказ"},
		i18n.EN: {"Transaction ID", "Failure: badTime, badPOP", "en: refused"},
	} {
		var buf bytes.Buffer
		if err := r.WriteText(&buf, lang); err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(buf.String(), w) {
				t.Errorf("%s text lacks %q:\n%s", lang, w, buf.String())
			}
		}
	}
}
