package pki

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"reflect"
	"testing"
)

// challengePassword is a PKCS#9 attribute (RFC 2985 §5.4.1) used as a
// second, non-extension attribute in the tests.
var oidChallengePassword = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 7}

func TestCertificateRequestRoundTrip(t *testing.T) {
	subj := &Subject{Country: "RU", Organization: "ООО «Ромашка»", CommonName: "ООО «Ромашка»",
		INNLE: "7707083893", OGRN: "1027700132195"}
	ext := Extensions{
		KeyUsage:        x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:     []asn1.ObjectIdentifier{OIDExtKeyUsageEmailProtection},
		SubjectSignTool: "СКЗИ «Рекей»",
	}
	challenge := []byte{0x0c, 3, 'a', 'b', 'c'} // UTF8String "abc"
	for _, p := range Profiles() {
		t.Run(p.Name, func(t *testing.T) {
			key, err := p.GenerateKey(nil)
			if err != nil {
				t.Fatal(err)
			}
			tmpl := &RequestTemplate{Subject: subj, Extensions: ext,
				Attributes: []RequestAttribute{{oidChallengePassword, [][]byte{challenge}}}}
			der, err := CreateCertificateRequest(tmpl, key)
			if err != nil {
				t.Fatal(err)
			}
			r, err := ParseCertificateRequest(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.CheckSignature(); err != nil {
				t.Errorf("CheckSignature: %v", err)
			}
			if !r.Subject.Equal(subj) || !publicKeysEqual(r.PublicKey, key.Public()) {
				t.Errorf("subject %v or key differs", r.Subject)
			}
			if r.SignatureAlgorithm != p.SignatureAlgorithm {
				t.Errorf("SignatureAlgorithm = %v", r.SignatureAlgorithm)
			}
			if !reflect.DeepEqual(r.Extensions, ext) {
				t.Errorf("extensions\n got %+v\nwant %+v", r.Extensions, ext)
			}
			// DER sorts the SET OF: challengePassword (…9.7) comes first.
			if len(r.Attributes) != 2 || !r.Attributes[0].Type.Equal(oidChallengePassword) ||
				!bytes.Equal(r.Attributes[0].Values[0], challenge) ||
				!r.Attributes[1].Type.Equal(OIDExtensionRequest) {
				t.Errorf("attributes %+v", r.Attributes)
			}
			if _, err := x509.ParseCertificateRequest(der); err != nil {
				t.Errorf("crypto/x509 does not parse it: %v", err)
			}

			tampered := bytes.Clone(der)
			tampered[len(tampered)-3] ^= 0x40
			r, err = ParseCertificateRequest(tampered)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.CheckSignature(); !errors.Is(err, ErrSignature) {
				t.Errorf("tampered request: got %v, want ErrSignature", err)
			}
		})
	}
}

func TestCertificateRequestWithoutAttributes(t *testing.T) {
	key, _ := ProfileGOST512.GenerateKey(nil)
	der, err := CreateCertificateRequest(&RequestTemplate{Subject: &Subject{CommonName: "x"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	if r.Attributes != nil || r.RawExtensions != nil {
		t.Errorf("attributes %v extensions %v", r.Attributes, r.RawExtensions)
	}
}

func TestCertificateRequestErrors(t *testing.T) {
	key, _ := ProfileECDSA.GenerateKey(nil)
	extReq := RequestAttribute{OIDExtensionRequest, [][]byte{{0x30, 0}}}
	_, err := CreateCertificateRequest(&RequestTemplate{
		Subject:    &Subject{CommonName: "x"},
		Extensions: Extensions{SubjectSignTool: "a"},
		Attributes: []RequestAttribute{extReq},
	}, key)
	if err == nil || err.Error() != "pki: request attributes hold a second extensionRequest" {
		t.Errorf("second extensionRequest: got %v", err)
	}
	if _, err := ParseCertificateRequest([]byte{0x30, 0}); err == nil ||
		err.Error() != "pki: malformed certificate request" {
		t.Errorf("empty request: got %v", err)
	}
}
