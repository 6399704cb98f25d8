package cmp

import (
	"bytes"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// der builds DER with a cryptobyte Builder.
func der(f func(b *cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	f(&b)
	return b.BytesOrPanic()
}

func seq(parts ...[]byte) []byte {
	return der(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, p := range parts {
				b.AddBytes(p)
			}
		})
	})
}

func tagged(tag cbasn1.Tag, parts ...[]byte) []byte {
	return der(func(b *cryptobyte.Builder) {
		b.AddASN1(tag, func(b *cryptobyte.Builder) {
			for _, p := range parts {
				b.AddBytes(p)
			}
		})
	})
}

var (
	nullDN   = []byte(nullDNGeneralName)
	pvno2    = []byte{2, 1, 2}
	pkiconf  = tagged(ctxCons(19), []byte{5, 0})
	minimalH = seq(pvno2, nullDN, nullDN)
)

func TestParseMinimal(t *testing.T) {
	in := seq(minimalH, pkiconf)
	m, err := ParseMessage(in)
	if err != nil {
		t.Fatal(err)
	}
	if m.Body.Type != TypePKIConf || !m.Header.Sender.IsNullDN() || m.Protection != nil ||
		m.ExtraCerts != nil || m.Header.FreeText != nil {
		t.Errorf("unexpected fields: %+v", m)
	}
	out, err := (&Message{Header: Header{PVNO: 2}, Body: Body{Type: TypePKIConf}}).Marshal()
	if err != nil || !bytes.Equal(out, in) {
		t.Errorf("zero-value header encodes as %x, %v; want %x", out, err, in)
	}
}

// TestParseStrict feeds non-DER and invalid messages; each must fail with
// its own message.
func TestParseStrict(t *testing.T) {
	good := seq(minimalH, pkiconf)
	indefinite := append([]byte{0x30, 0x80}, append(bytes.Clone(good[2:]), 0, 0)...)
	longForm := append([]byte{0x30, 0x81, good[1]}, good[2:]...)
	header := func(fields ...[]byte) []byte {
		return seq(append([][]byte{pvno2, nullDN, nullDN}, fields...)...)
	}
	msgTime := func(s string) []byte {
		return tagged(ctxCons(0), tagged(cbasn1.GeneralizedTime, []byte(s)))
	}
	body := func(content ...[]byte) []byte { return seq(minimalH, tagged(ctxCons(7), content...)) }
	template := func(fields ...[]byte) []byte {
		return seq(seq(seq([]byte{2, 1, 0}, seq(fields...))))
	}
	errorMsg := func(failInfo []byte) []byte {
		return seq(minimalH, tagged(ctxCons(23), seq(seq([]byte{2, 1, 2}, failInfo))))
	}
	tests := []struct {
		name string
		in   []byte
		want FailureInfo
		msg  string
	}{
		{"empty", nil, FailBadDataFormat, "malformed PKIMessage"},
		{"trailing data", append(bytes.Clone(good), 0), FailBadDataFormat,
			"trailing data after PKIMessage"},
		{"indefinite length", indefinite, FailBadDataFormat, "malformed PKIMessage"},
		{"non-minimal length", longForm, FailBadDataFormat, "malformed PKIMessage"},
		{"pvno 1", seq(seq([]byte{2, 1, 1}, nullDN, nullDN), pkiconf), FailUnsupportedVersion,
			"unsupported pvno 1"},
		{"pvno non-minimal", seq(seq([]byte{2, 2, 0, 2}, nullDN, nullDN), pkiconf),
			FailBadDataFormat, "malformed header pvno"},
		{"sender not a GeneralName", seq(seq(pvno2, []byte{4, 0}, nullDN), pkiconf),
			FailBadDataFormat, "malformed header sender"},
		{"recipient directoryName empty", seq(seq(pvno2, nullDN, []byte{0xa4, 0}), pkiconf),
			FailBadDataFormat, "malformed header recipient"},
		{"messageTime with offset", seq(header(msgTime("20260101000000+0300")), pkiconf),
			FailBadDataFormat, "malformed header messageTime"},
		{"messageTime fraction trailing zero", seq(header(msgTime("20260101000000.50Z")), pkiconf),
			FailBadDataFormat, "malformed header messageTime"},
		{"fields out of order", seq(header(tagged(ctxCons(5), []byte{4, 0}),
			tagged(ctxCons(4), []byte{4, 0})), pkiconf), FailBadDataFormat,
			"malformed header: unexpected field"},
		{"freeText not UTF-8", seq(header(tagged(ctxCons(7), seq([]byte{0x0c, 1, 0xff}))), pkiconf),
			FailBadDataFormat, "header freeText is not valid UTF-8"},
		{"unknown body", seq(minimalH, tagged(ctxCons(27), []byte{5, 0})), FailBadDataFormat,
			"unknown body type [27]"},
		{"unsupported body", seq(minimalH, tagged(ctxCons(20), seq())), FailBadRequest,
			"body type nested [20] is not supported"},
		{"primitive body tag", seq(minimalH, []byte{0x93, 0}), FailBadDataFormat,
			"not a context-specific constructed tag"},
		{"pkiconf not NULL", seq(minimalH, tagged(ctxCons(19), []byte{5, 1, 0})),
			FailBadDataFormat, "malformed pkiconf"},
		{"body trailing data", seq(minimalH, tagged(ctxCons(19), []byte{5, 0, 5, 0})),
			FailBadDataFormat, "pkiconf body: trailing data"},
		{"protection unused bits", seq(minimalH, pkiconf, tagged(ctxCons(0), []byte{3, 2, 1, 0})),
			FailBadDataFormat, "malformed protection"},
		{"extraCerts not certificates", seq(minimalH, pkiconf, tagged(ctxCons(1), seq([]byte{4, 0}))),
			FailBadDataFormat, "malformed extraCerts certificate"},
		{"field after extraCerts", seq(minimalH, pkiconf, tagged(ctxCons(1), seq()), []byte{5, 0}),
			FailBadDataFormat, "unexpected field after the body"},
		{"failInfo trailing zero bit", errorMsg([]byte{3, 2, 0, 0x40}), FailBadDataFormat,
			"failInfo is not in DER"},
		{"failInfo nonzero unused bits", errorMsg([]byte{3, 2, 6, 0x41}), FailBadDataFormat,
			"failInfo is not in DER"},
		{"failInfo empty", errorMsg([]byte{3, 1, 0}), FailBadDataFormat,
			"failInfo present with no bit set"},
		{"failInfo too long", errorMsg([]byte{3, 6, 0, 1, 1, 1, 1, 1}), FailBadDataFormat,
			"failInfo longer than 32 bits"},
		{"critical FALSE", body(template(tagged(ctxCons(9), seq([]byte{6, 1, 1}, []byte{1, 1, 0},
			[]byte{4, 0})))), FailBadDataFormat, "certTemplate extensions extension critical flag"},
		{"BOOLEAN not DER", body(template(tagged(ctxCons(9), seq([]byte{6, 1, 1}, []byte{1, 1, 1},
			[]byte{4, 0})))), FailBadDataFormat, "certTemplate extensions extension critical flag"},
		{"validity UTCTime after 2049", body(template(tagged(ctxCons(4), tagged(ctxCons(1),
			tagged(cbasn1.GeneralizedTime, []byte("20300101000000Z")))))), FailBadDataFormat,
			"malformed certTemplate validity"},
		{"template field out of order", body(template(tagged(ctxCons(5), seq()),
			tagged(ctxCons(3), seq()))), FailBadDataFormat, "malformed certTemplate: unexpected field"},
		{"template serial non-minimal", body(template([]byte{0x81, 2, 0, 1})), FailBadDataFormat,
			"malformed certTemplate serialNumber"},
		{"POP unknown choice", body(seq(seq(seq([]byte{2, 1, 0}, seq()), []byte{0x84, 0}))),
			FailBadDataFormat, "malformed popo: unknown choice"},
		{"pollRep negative checkAfter", seq(minimalH, tagged(ctxCons(26), seq(seq([]byte{2, 1, 0},
			[]byte{2, 1, 0xff})))), FailBadDataFormat, "pollRep checkAfter is negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMessage(tc.in)
			if err == nil {
				t.Fatalf("accepted: %+v", m)
			}
			checkErr(t, err, tc.want, tc.msg)
		})
	}
}

func TestMarshalErrors(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		msg  string
	}{
		{"pvno", Message{Body: Body{Type: TypePKIConf}}, "cmp: cannot write pvno 0"},
		{"body type", Message{Header: Header{PVNO: 2}, Body: Body{Type: TypeNested}},
			"cmp: cannot write body type nested"},
		{"missing content", Message{Header: Header{PVNO: 2}, Body: Body{Type: TypeIP}},
			"cmp: ip body without CertRep"},
		{"raw not DER", Message{Header: Header{PVNO: 2}, Body: Body{Type: TypePKIConf},
			ExtraCerts: [][]byte{{0x30, 0x05}}}, "cmp: certificate is not one DER element"},
		{"empty POP", Message{Header: Header{PVNO: 2}, Body: Body{Type: TypeIR,
			CertReq: []CertReqMsg{{POP: &ProofOfPossession{}}}}}, "cmp: empty proof of possession"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.m.Marshal()
			if err == nil || err.Error() != tc.msg {
				t.Errorf("got %v, want %q", err, tc.msg)
			}
		})
	}
}

func TestFailureInfoString(t *testing.T) {
	got := (FailBadAlg | FailDuplicateCertReq | 1<<30).String()
	if got != "badAlg,duplicateCertReq,bit30" {
		t.Errorf("got %q", got)
	}
	if got := TypeCertConf.String(); got != "certConf" {
		t.Errorf("got %q", got)
	}
	if got := StatusWaiting.String(); got != "waiting" {
		t.Errorf("got %q", got)
	}
}

func TestMarshalBadOID(t *testing.T) {
	m := Message{Header: Header{PVNO: 2, GeneralInfo: []InfoTypeAndValue{{Type: []int{7}}}},
		Body: Body{Type: TypePKIConf}}
	_, err := m.Marshal()
	checkErr(t, err, FailBadDataFormat, "cmp: encoding")
}
