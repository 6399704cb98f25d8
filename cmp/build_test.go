package cmp

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"sync"
	"testing"
	"time"

	"rekey/gost/gost3410"
	"rekey/pki"
)

// party is a key with a self-signed certificate.
type party struct {
	name string
	key  crypto.Signer
	cert *pki.Certificate
}

var (
	partiesOnce sync.Once
	parties     map[string]*party
)

// testParties returns one party per signing profile, made once.
func testParties(t testing.TB) map[string]*party {
	t.Helper()
	partiesOnce.Do(func() {
		parties = map[string]*party{}
		keys := map[string]func() (crypto.Signer, error){
			"gost256": func() (crypto.Signer, error) {
				return gost3410.GenerateKey(gost3410.TC26256A, rand.Reader)
			},
			"gost512": func() (crypto.Signer, error) {
				return gost3410.GenerateKey(gost3410.TC26512A, rand.Reader)
			},
			"ecdsa": func() (crypto.Signer, error) {
				return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			},
		}
		for name, gen := range keys {
			key, err := gen()
			if err != nil {
				panic(err)
			}
			tmpl := &pki.Template{
				SerialNumber: big.NewInt(int64(len(name)) + 1000),
				Subject:      &pki.Subject{CommonName: "rekey test " + name},
				// OpenSSL checks the validity of the CA certificate now.
				NotBefore: time.Now().Add(-time.Hour).Truncate(time.Second),
				NotAfter:  time.Now().AddDate(1, 0, 0).Truncate(time.Second),
				Extensions: pki.Extensions{
					BasicConstraints: &pki.BasicConstraints{IsCA: true, MaxPathLen: -1},
					KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature |
						x509.KeyUsageCRLSign,
				},
			}
			der, err := pki.CreateCertificate(tmpl, nil, key.Public(), key)
			if err != nil {
				panic(err)
			}
			cert, err := pki.ParseCertificate(der)
			if err != nil {
				panic(err)
			}
			parties[name] = &party{name: name, key: key, cert: cert}
		}
	})
	return parties
}

var testTime = time.Date(2026, 12, 3, 10, 30, 0, 0, time.UTC)

// testHeader returns a header with every field set.
func testHeader(p *party) Header {
	return Header{
		PVNO:          PVNO2021,
		Sender:        DirectoryName(p.cert.RawSubject),
		Recipient:     DirectoryName(p.cert.RawIssuer),
		MessageTime:   testTime.Add(123 * time.Millisecond),
		SenderKID:     p.cert.Extensions.SubjectKeyID,
		RecipKID:      []byte{9, 8, 7},
		TransactionID: bytes.Repeat([]byte{0x11}, 16),
		SenderNonce:   bytes.Repeat([]byte{0x22}, 16),
		RecipNonce:    bytes.Repeat([]byte{0x33}, 16),
		FreeText:      []string{"обновление ключа", "key update"},
		GeneralInfo: []InfoTypeAndValue{
			ImplicitConfirmInfo(),
			ConfirmWaitTimeInfo(testTime.Add(time.Hour)),
			{Type: asn1.ObjectIdentifier{1, 2, 3, 4}, Value: []byte{0x04, 0x01, 0xaa}},
		},
	}
}

// testBodies returns one body of every supported type, with the optional
// fields set, for the party p.
func testBodies(t testing.TB, p *party) []Body {
	t.Helper()
	cert := p.cert
	spki := cert.RawSubjectPublicKeyInfo
	one := int64(1)
	certHash := sha256.Sum256(cert.Raw)
	tmpl := CertTemplate{
		Version:      &one,
		SerialNumber: big.NewInt(-5),
		SigningAlg:   &AlgorithmIdentifier{Algorithm: pki.GOST256WithStreebog256.OID()},
		Issuer:       cert.RawIssuer,
		NotBefore:    time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2051, 12, 1, 0, 0, 0, 0, time.UTC),
		HasValidity:  true,
		Subject:      cert.RawSubject,
		PublicKey:    spki,
		IssuerUID:    []byte{0x04, 0xf0},
		SubjectUID:   []byte{0x00},
		Extensions: []pkix.Extension{
			{Id: asn1.ObjectIdentifier{2, 5, 29, 15}, Critical: true, Value: []byte{3, 2, 7, 0x80}},
			{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Value: []byte{0x30, 0}},
		},
	}
	req := CertReqMsg{
		CertReq: CertRequest{
			CertReqID: 0,
			Template:  tmpl,
			Controls: []AttributeTypeAndValue{
				OldCertIDControl(cert.RawIssuer, cert.SerialNumber),
				{Type: OIDRegToken, Value: []byte{0x0c, 0x02, 'o', 'k'}},
			},
		},
		RegInfo: []AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{1, 2, 3}, Value: []byte{5, 0}}},
	}
	if err := req.SignPOP(p.key, rand.Reader); err != nil {
		t.Fatal(err)
	}
	raVerified := CertReqMsg{
		CertReq: CertRequest{CertReqID: 7, Template: CertTemplate{Subject: cert.RawSubject}},
		POP:     &ProofOfPossession{RAVerified: true},
	}
	rep := &CertRepMessage{
		CAPubs: [][]byte{cert.Raw},
		Response: []CertResponse{
			{CertReqID: 0, Status: StatusInfo{Status: StatusAccepted},
				CertifiedKeyPair: &CertifiedKeyPair{Certificate: cert.Raw}, RspInfo: []byte{}},
			{CertReqID: 1, Status: StatusInfo{Status: StatusWaiting, StatusString: []string{"ждите"}}},
			{CertReqID: 2, Status: StatusInfo{Status: StatusRejection,
				FailInfo: FailBadPOP | FailDuplicateCertReq}},
		},
	}
	errCode := int64(-42)
	revoked := &RevRepContent{
		Status: []StatusInfo{{Status: StatusAccepted},
			{Status: StatusRejection, FailInfo: FailBadCertID}},
		RevCerts: []CertID{{Issuer: DirectoryName(cert.RawIssuer), SerialNumber: cert.SerialNumber}},
		CRLs:     [][]byte{{0x30, 0x00}},
	}
	crlStatus, err := CRLStatusListInfo([]CRLStatus{
		{Source: []byte{0xa1, 0x02, 0x30, 0x00}, ThisUpdate: testTime},
		{Source: []byte{0xa0, 0x00}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return []Body{
		{Type: TypeIR, CertReq: []CertReqMsg{req, raVerified}},
		{Type: TypeCR, CertReq: []CertReqMsg{req}},
		{Type: TypeKUR, CertReq: []CertReqMsg{req}},
		{Type: TypeIP, CertRep: rep},
		{Type: TypeCP, CertRep: &CertRepMessage{Response: []CertResponse{}}},
		{Type: TypeKUP, CertRep: rep},
		{Type: TypeP10CR, P10CR: []byte{0x30, 0x03, 0x02, 0x01, 0x00}},
		{Type: TypeCertConf, CertConf: []CertStatus{
			{CertHash: certHash[:], CertReqID: 0},
			{CertHash: certHash[:], CertReqID: 1,
				StatusInfo: &StatusInfo{Status: StatusRejection, FailInfo: FailBadCertTemplate},
				HashAlg:    &AlgorithmIdentifier{Algorithm: pki.OIDDigestStreebog256}},
		}},
		{Type: TypePKIConf},
		{Type: TypePollReq, PollReq: []int64{0, -1}},
		{Type: TypePollRep, PollRep: []PollRep{
			{CertReqID: 0, CheckAfter: 86400, Reason: []string{"в течение дня"}},
			{CertReqID: 1, CheckAfter: 0},
		}},
		{Type: TypeRR, RevReq: []RevDetails{
			NewRevDetails(cert.RawIssuer, cert.SerialNumber, 1),
			NewRevDetails(cert.RawIssuer, big.NewInt(1), -1),
		}},
		{Type: TypeRP, RevRep: revoked},
		{Type: TypeGenM, GenInfo: []InfoTypeAndValue{
			CACertsInfo(nil), RootCACertInfo(cert.Raw), CRLsInfo(nil), crlStatus,
		}},
		{Type: TypeGenP, GenInfo: []InfoTypeAndValue{CACertsInfo([][]byte{cert.Raw, cert.Raw}),
			CRLsInfo([][]byte{{0x30, 0x00}})}},
		{Type: TypeGenP, GenInfo: []InfoTypeAndValue{}},
		{Type: TypeError, Error: &ErrorMsgContent{
			StatusInfo: StatusInfo{Status: StatusRejection, StatusString: []string{"отказ", "refused"},
				FailInfo: FailBadMessageCheck | FailBadTime | FailSystemFailure},
			ErrorCode:    &errCode,
			ErrorDetails: []string{"tamper-me"},
		}},
		{Type: TypeError, Error: &ErrorMsgContent{StatusInfo: StatusInfo{Status: StatusRejection}}},
	}
}

// protection is one way to protect a test message.
type protection struct {
	name    string
	protect func(m *Message) error
	verify  func(m *Message) error
}

var testSecret = []byte("одноразовый-секрет 1234")

func testProtections(t testing.TB) []protection {
	ps := testParties(t)
	var out []protection
	for _, name := range []string{"gost256", "gost512", "ecdsa"} {
		p := ps[name]
		out = append(out, protection{
			name: "signature-" + name,
			protect: func(m *Message) error {
				m.ExtraCerts = [][]byte{p.cert.Raw}
				m.Header.Sender = DirectoryName(p.cert.RawSubject)
				m.Header.SenderKID = p.cert.Extensions.SubjectKeyID
				return m.Sign(p.key, rand.Reader)
			},
			verify: func(m *Message) error {
				got, err := m.VerifySignature()
				if err == nil && !bytes.Equal(got.Raw, p.cert.Raw) {
					t.Errorf("verified with another certificate")
				}
				return err
			},
		})
	}
	macs := map[string]MACAlgorithm{
		"pbm-sha256": PBMWithSHA256, "pbm-streebog512": PBMWithStreebog512,
		"pbmac1-sha256": PBMAC1WithSHA256, "pbmac1-sha512": PBMAC1WithSHA512,
		"pbmac1-streebog512": PBMAC1WithStreebog512,
	}
	for name, alg := range macs {
		out = append(out, protection{
			name: name,
			protect: func(m *Message) error {
				return m.ProtectMAC(testSecret, &MACOptions{Algorithm: alg, Iterations: 1000})
			},
			verify: func(m *Message) error { return m.VerifyMAC(testSecret) },
		})
	}
	return out
}

// TestBuildParseRoundTrip builds every body type under every protection,
// encodes, parses, re-encodes and verifies.
func TestBuildParseRoundTrip(t *testing.T) {
	ps := testParties(t)
	for _, prot := range testProtections(t) {
		t.Run(prot.name, func(t *testing.T) {
			p := ps["gost256"]
			for _, body := range testBodies(t, p) {
				m := &Message{Header: testHeader(p), Body: body}
				if err := prot.protect(m); err != nil {
					t.Fatalf("%s: protect: %v", body.Type, err)
				}
				der, err := m.Marshal()
				if err != nil {
					t.Fatalf("%s: Marshal: %v", body.Type, err)
				}
				got, err := ParseMessage(der)
				if err != nil {
					t.Fatalf("%s: ParseMessage: %v", body.Type, err)
				}
				again, err := got.Marshal()
				if err != nil || !bytes.Equal(again, der) {
					t.Fatalf("%s: re-encoding differs (%v)", body.Type, err)
				}
				if err := prot.verify(got); err != nil {
					t.Fatalf("%s: verify: %v", body.Type, err)
				}
				checkParsed(t, m, got)
			}
		})
	}
}

// checkParsed compares some decoded fields with what was built.
func checkParsed(t *testing.T, want, got *Message) {
	t.Helper()
	h := &got.Header
	if h.PVNO != PVNO2021 || !h.MessageTime.Equal(want.Header.MessageTime) ||
		!h.ImplicitConfirm() || len(h.FreeText) != 2 ||
		h.FreeText[0] != "обновление ключа" {
		t.Errorf("%s: header fields differ", got.Body.Type)
	}
	if cwt, ok, err := h.ConfirmWaitTime(); !ok || err != nil || !cwt.Equal(testTime.Add(time.Hour)) {
		t.Errorf("%s: confirmWaitTime %v %v %v", got.Body.Type, cwt, ok, err)
	}
	if !h.Sender.Equal(want.Header.Sender) || h.Sender.Choice() != NameDirectory ||
		!bytes.Equal(h.SenderKID, want.Header.SenderKID) {
		t.Errorf("%s: sender differs", got.Body.Type)
	}
	b := &got.Body
	if b.Type != want.Body.Type {
		t.Fatalf("got body %s, want %s", b.Type, want.Body.Type)
	}
	switch b.Type {
	case TypeKUR:
		r := &b.CertReq[0]
		if err := r.VerifyPOP(); err != nil {
			t.Errorf("kur POP: %v", err)
		}
		id, ok, err := r.CertReq.OldCertID()
		wantID := want.Body.CertReq[0].CertReq
		wid, _, _ := wantID.OldCertID()
		if !ok || err != nil || id.SerialNumber.Cmp(wid.SerialNumber) != 0 ||
			!id.Issuer.Equal(wid.Issuer) {
			t.Errorf("kur oldCertID: %v %v %v", id, ok, err)
		}
		tm := &r.CertReq.Template
		if *tm.Version != 1 || tm.SerialNumber.Int64() != -5 || !tm.NotAfter.Equal(
			time.Date(2051, 12, 1, 0, 0, 0, 0, time.UTC)) || !tm.Extensions[0].Critical {
			t.Errorf("kur template fields differ")
		}
	case TypeIP:
		if f := b.CertRep.Response[2].Status.FailInfo; f != FailBadPOP|FailDuplicateCertReq {
			t.Errorf("ip failInfo %v", f)
		}
	case TypeRR:
		if r, ok, err := b.RevReq[0].Reason(); r != 1 || !ok || err != nil {
			t.Errorf("rr reason %d %v %v", r, ok, err)
		}
	case TypeGenP:
		if len(b.GenInfo) > 0 {
			certs, err := b.GenInfo[0].Certificates()
			if err != nil || len(certs) != 2 {
				t.Errorf("genp caCerts: %d %v", len(certs), err)
			}
		}
	case TypeGenM:
		list, err := b.GenInfo[3].CRLStatusList()
		if err != nil || len(list) != 2 || !list[0].ThisUpdate.Equal(testTime) {
			t.Errorf("genm crlStatusList: %v %v", list, err)
		}
	case TypeError:
		e := b.Error
		if want.Body.Error.ErrorCode != nil && (e.ErrorCode == nil || *e.ErrorCode != -42 ||
			e.StatusInfo.FailInfo != FailBadMessageCheck|FailBadTime|FailSystemFailure) {
			t.Errorf("error body fields differ")
		}
	}
}
