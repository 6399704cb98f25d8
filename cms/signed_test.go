package cms

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"testing"
	"time"

	"rekey/pki"
)

var message = []byte("Декларация по НДС за III квартал\n")

func TestSignVerify(t *testing.T) {
	for _, p := range profiles {
		ca, ee := testParty(t, p, "ca"), testParty(t, p, "alice")
		for _, detached := range []bool{false, true} {
			der, err := Sign(message, []Signer{{ee.cert, ee.key}}, &SignOptions{
				Detached: detached, SigningTime: testNow, Certificates: []*pki.Certificate{ca.cert},
			})
			if err != nil {
				t.Fatalf("%s: Sign: %v", p, err)
			}
			sd, err := ParseSignedData(der)
			if err != nil {
				t.Fatalf("%s: ParseSignedData: %v", p, err)
			}
			if detached != (sd.Content == nil) || len(sd.Certificates) != 2 {
				t.Errorf("%s: detached %v: content %q, %d certificates",
					p, detached, sd.Content, len(sd.Certificates))
			}
			if st, ok := sd.SignerInfos[0].SigningTime(); !ok || !st.Equal(testNow) {
				t.Errorf("%s: signing time: got %v, %v", p, st, ok)
			}
			opts := &VerifyOptions{Roots: []*pki.Certificate{ca.cert}, At: testNow}
			if detached {
				opts.Content = message
			}
			signers, err := sd.Verify(opts)
			if err != nil || len(signers) != 1 || !bytes.Equal(signers[0].Raw, ee.cert.Raw) {
				t.Errorf("%s: detached %v: Verify: got %v, %v", p, detached, signers, err)
			}
		}
	}
}

// TestSignSeveral signs with one signer of each profile.
func TestSignSeveral(t *testing.T) {
	var signers []Signer
	var roots []*pki.Certificate
	for _, p := range profiles {
		ee := testParty(t, p, "alice")
		signers = append(signers, Signer{ee.cert, ee.key})
		roots = append(roots, testParty(t, p, "ca").cert)
	}
	der, err := Sign(message, signers, &SignOptions{SigningTime: testNow, Certificates: roots})
	if err != nil {
		t.Fatal(err)
	}
	sd, err := ParseSignedData(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.DigestAlgorithms) != 3 || len(sd.SignerInfos) != 3 {
		t.Errorf("got %d digest algorithms and %d signers, want 3 and 3",
			len(sd.DigestAlgorithms), len(sd.SignerInfos))
	}
	got, err := sd.Verify(&VerifyOptions{Roots: roots, At: testNow})
	if err != nil || len(got) != 3 {
		t.Errorf("Verify: got %d signers, %v", len(got), err)
	}
}

func TestSignErrors(t *testing.T) {
	p := pki.ProfileGOST256
	ca, alice, bob := testParty(t, p, "ca"), testParty(t, p, "alice"), testParty(t, p, "bob")
	if _, err := Sign(message, []Signer{{alice.cert, bob.key}}, nil); err == nil {
		t.Error("Sign with another certificate's key succeeded")
	}
	der, err := Sign(message, []Signer{{alice.cert, alice.key}}, &SignOptions{SigningTime: testNow})
	if err != nil {
		t.Fatal(err)
	}
	sd, err := ParseSignedData(der)
	if err != nil {
		t.Fatal(err)
	}
	sig := sd.SignerInfos[0].Signature

	tests := []struct {
		name   string
		modify func([]byte) []byte
		opts   *VerifyOptions
		want   error
	}{
		{"tampered signature", func(d []byte) []byte {
			i := bytes.Index(d, sig)
			d[i+5] ^= 0x40
			return d
		}, nil, ErrSignature},
		{"tampered content", func(d []byte) []byte {
			i := bytes.Index(d, message)
			d[i+3] ^= 1
			return d
		}, nil, ErrContentModified},
		{"other content", nil, &VerifyOptions{Content: []byte("another")}, ErrContentModified},
		{"expired at verification", nil, &VerifyOptions{
			Roots: []*pki.Certificate{ca.cert}, At: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		}, &pki.VerifyError{}},
		{"untrusted root", nil, &VerifyOptions{
			Roots: []*pki.Certificate{testParty(t, pki.ProfileGOST512, "ca").cert}, At: testNow,
		}, &pki.VerifyError{}},
	}
	for _, tt := range tests {
		msg := bytes.Clone(der)
		if tt.modify != nil {
			msg = tt.modify(msg)
		}
		sd, err := ParseSignedData(msg)
		if err != nil {
			t.Fatalf("%s: ParseSignedData: %v", tt.name, err)
		}
		_, err = sd.Verify(tt.opts)
		var verr *pki.VerifyError
		switch want := tt.want.(type) {
		case *pki.VerifyError:
			if !errors.As(err, &verr) {
				t.Errorf("%s: got %v, want a *pki.VerifyError", tt.name, err)
			}
		default:
			if !errors.Is(err, want) {
				t.Errorf("%s: got %v, want %v", tt.name, err, want)
			}
		}
	}
}

// TestSigningCertificateV2 checks that a signer certificate swapped for
// another with the same issuer and serial is refused.
func TestSigningCertificateV2(t *testing.T) {
	p := pki.ProfileECDSA
	alice := testParty(t, p, "alice")
	der, err := Sign(message, []Signer{{alice.cert, alice.key}}, &SignOptions{SigningTime: testNow})
	if err != nil {
		t.Fatal(err)
	}
	sd, err := ParseSignedData(der)
	if err != nil {
		t.Fatal(err)
	}
	bob := testParty(t, p, "bob")
	si := sd.SignerInfos[0]
	v, _, _ := findAttribute(si.SignedAttributes, oidAttrSigningCertV2)
	if err := checkSigningCertificateV2(v, alice.cert); err != nil {
		t.Errorf("alice: %v", err)
	}
	if err := checkSigningCertificateV2(v, bob.cert); err == nil {
		t.Error("bob's certificate matches alice's signingCertificateV2")
	}
}

func TestDigestRoundTrip(t *testing.T) {
	oids := []asn1.ObjectIdentifier{oidDigestStreebog256, oidDigestStreebog512, oidDigestSHA256}
	for _, oid := range oids {
		der, err := Digest(message, oid)
		if err != nil {
			t.Fatal(err)
		}
		dd, err := ParseDigestedData(der)
		if err != nil || dd.Verify(nil) != nil || !bytes.Equal(dd.Content, message) {
			t.Errorf("%v: round trip: %v", oid, err)
		}
	}
}
