package cmp

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"errors"
	"io"
	"testing"

	"rekey/gost/kdf"
	"rekey/pki"
)

// errorBody is an error message body with a text to tamper with.
func errorBody() Body {
	return Body{Type: TypeError, Error: &ErrorMsgContent{
		StatusInfo:   StatusInfo{Status: StatusRejection, FailInfo: FailBadRequest},
		ErrorDetails: []string{"tamper-me"},
	}}
}

// flip returns a copy of der with the first byte of part inverted.
func flip(t *testing.T, der, part []byte) []byte {
	t.Helper()
	i := bytes.Index(der, part)
	if i < 0 {
		t.Fatalf("part not found")
	}
	out := bytes.Clone(der)
	out[i] ^= 0x01
	return out
}

func TestTamperedProtection(t *testing.T) {
	ps := testParties(t)
	for _, prot := range testProtections(t) {
		t.Run(prot.name, func(t *testing.T) {
			p := ps["ecdsa"]
			m := &Message{Header: testHeader(p), Body: errorBody()}
			if err := prot.protect(m); err != nil {
				t.Fatal(err)
			}
			der, err := m.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			cases := map[string][]byte{
				"header":     flip(t, der, m.Header.SenderNonce),
				"body":       flip(t, der, []byte("tamper-me")),
				"protection": flip(t, der, m.Protection[len(m.Protection)-8:]),
			}
			for name, bad := range cases {
				got, err := ParseMessage(bad)
				if err != nil {
					t.Fatalf("%s: ParseMessage: %v", name, err)
				}
				err = prot.verify(got)
				msg := "protection signature does not verify"
				if got.IsMACProtected() {
					msg = "protection MAC does not verify"
				} else if !errors.Is(err, pki.ErrSignature) {
					t.Errorf("%s: %v does not wrap pki.ErrSignature", name, err)
				}
				checkErr(t, err, FailBadMessageCheck, msg)
			}
		})
	}
}

func TestProtectionErrors(t *testing.T) {
	ps := testParties(t)
	gost, ec := ps["gost256"], ps["ecdsa"]
	signed := &Message{Header: testHeader(gost), Body: errorBody()}
	signed.Header.SenderKID = gost.cert.Extensions.SubjectKeyID
	if err := signed.Sign(gost.key, rand.Reader); err != nil {
		t.Fatal(err)
	}
	maced := &Message{Header: testHeader(gost), Body: errorBody()}
	if err := maced.ProtectMAC(testSecret, &MACOptions{Iterations: 1000}); err != nil {
		t.Fatal(err)
	}
	withAlg := func(m *Message, ai AlgorithmIdentifier) *Message {
		c := *m
		c.Header.ProtectionAlg = &ai
		c.Header.Raw = nil
		return &c
	}
	pbmParams := func(iter int64, salt int) AlgorithmIdentifier {
		ai, err := newMACAlgorithm(PBMWithSHA256, make([]byte, salt), int(iter))
		if err != nil {
			t.Fatal(err)
		}
		return *ai
	}
	tests := []struct {
		name string
		run  func() error
		want FailureInfo
		msg  string
	}{
		{"wrong certificate", func() error { _, err := signed.VerifySignature(ec.cert); return err },
			FailSignerNotTrusted, "senderKID does not match"},
		{"wrong key", func() error { return signed.VerifySignatureWithKey(ec.key.Public()) },
			FailBadMessageCheck, "does not fit"},
		{"wrong secret", func() error { return maced.VerifyMAC([]byte("guess")) },
			FailBadMessageCheck, "protection MAC does not verify"},
		{"MAC check of a signature", func() error { return signed.VerifyMAC(testSecret) },
			FailWrongIntegrity, "signed, not MAC-protected"},
		{"signature check of a MAC", func() error {
			_, err := maced.VerifySignature(ec.cert)
			return err
		},
			FailWrongIntegrity, "MAC protection, not a signature"},
		{"no secret for a MAC", func() error { _, err := maced.Verify(nil); return err },
			FailWrongIntegrity, "no shared secret"},
		{"no extraCerts", func() error {
			c := *signed
			c.ExtraCerts = nil
			_, err := c.VerifySignature()
			return err
		}, FailSignerNotTrusted, "no certificate"},
		{"no protectionAlg", func() error {
			c := *signed
			c.Header.ProtectionAlg = nil
			return c.VerifySignatureWithKey(gost.key.Public())
		}, FailBadMessageCheck, "without protectionAlg"},
		{"unknown algorithm", func() error {
			return withAlg(signed, AlgorithmIdentifier{Algorithm: []int{1, 2, 3}}).
				VerifySignatureWithKey(gost.key.Public())
		}, FailBadAlg, "unsupported protection algorithm 1.2.3"},
		{"signature algorithm with parameters", func() error {
			return withAlg(signed, AlgorithmIdentifier{Algorithm: pki.GOST256WithStreebog256.OID(),
				Parameters: []byte{4, 0}}).VerifySignatureWithKey(gost.key.Public())
		}, FailBadAlg, "has parameters"},
		{"PBM iterations too many", func() error {
			return withAlg(maced, pbmParams(MaxMACIterations+1, 16)).VerifyMAC(testSecret)
		}, FailBadAlg, "PBM iteration count 100001 out of range"},
		{"PBM iterations too few", func() error {
			return withAlg(maced, pbmParams(99, 16)).VerifyMAC(testSecret)
		}, FailBadAlg, "PBM iteration count 99 out of range"},
		{"PBM salt too short", func() error {
			return withAlg(maced, pbmParams(1000, 4)).VerifyMAC(testSecret)
		}, FailBadAlg, "PBM salt of 4 bytes"},
		{"PBM garbage parameters", func() error {
			return withAlg(maced, AlgorithmIdentifier{Algorithm: OIDPasswordBasedMAC,
				Parameters: []byte{5, 0}}).VerifyMAC(testSecret)
		}, FailBadDataFormat, "malformed PBMParameter"},
		{"PBMAC1 garbage parameters", func() error {
			return withAlg(maced, AlgorithmIdentifier{Algorithm: OIDPBMAC1}).VerifyMAC(testSecret)
		}, FailBadDataFormat, "malformed PBMAC1-params"},
		{"unprotected", func() error {
			c := *signed
			c.Protection = nil
			_, err := c.Verify(testSecret)
			return err
		}, FailBadMessageCheck, "message is not protected"},
		{"PBMAC1 with too few iterations", func() error {
			return (&Message{Header: Header{PVNO: 2}, Body: errorBody()}).ProtectMAC(testSecret,
				&MACOptions{Algorithm: PBMAC1WithSHA256, Iterations: 999})
		}, FailBadAlg, "MAC iteration count 999 out of range"},
		{"unsigned key", func() error {
			return (&Message{Body: errorBody()}).Sign(fakeSigner{}, rand.Reader)
		}, FailBadAlg, "cannot sign with"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkErr(t, tc.run(), tc.want, tc.msg) })
	}
}

// TestPBMAC1KeyCrossCheck derives a PBMAC1 Streebog key with this package
// and with the independent PBKDF2-HMAC-Streebog-512 of gost/kdf.
func TestPBMAC1KeyCrossCheck(t *testing.T) {
	salt := []byte("0123456789abcdef")
	ai, err := newMACAlgorithm(PBMAC1WithStreebog512, salt, 2000)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := deriveMACKey(ai, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	want, err := kdf.PBKDF2Streebog512(testSecret, salt, 2000, 64)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("PBMAC1 key %x, want %x", got, want)
	}
}

type fakeSigner struct{}

func (fakeSigner) Public() crypto.PublicKey { return "not a key" }
func (fakeSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("unused")
}

func TestCertStatusHash(t *testing.T) {
	for name, p := range testParties(t) {
		cs, err := NewCertStatus(p.cert, 3)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := cs.CheckHash(p.cert); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		other := testParties(t)["ecdsa"].cert
		if name == "ecdsa" {
			other = testParties(t)["gost256"].cert
		}
		checkErr(t, cs.CheckHash(other), FailBadCertID, "certHash does not match")
	}
}
