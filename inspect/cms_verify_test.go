package inspect

import (
	"crypto/x509"
	"math/big"
	"testing"

	"rekey/cms"
	"rekey/pki"
)

// signedMessage returns a CMS SignedData over content, signed by a fresh
// self-signed GOST certificate that the message carries.
func signedMessage(t *testing.T, content []byte) (msg []byte, cert *pki.Certificate) {
	t.Helper()
	key, err := pki.ProfileGOST256.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &pki.Template{
		SerialNumber: big.NewInt(7),
		Subject:      &pki.Subject{CommonName: "Подписант"},
		NotBefore:    testNow.AddDate(0, -1, 0),
		NotAfter:     testNow.AddDate(1, 0, 0),
		Extensions: pki.Extensions{
			BasicConstraints: &pki.BasicConstraints{IsCA: true},
			KeyUsage:         x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		},
	}
	der, err := pki.CreateCertificate(tmpl, nil, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err = pki.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	opts := &cms.SignOptions{SigningTime: testNow}
	msg, err = cms.Sign(content, []cms.Signer{{Certificate: cert, Key: key}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return msg, cert
}

func TestCMSSignatureChecked(t *testing.T) {
	msg, cert := signedMessage(t, []byte("декларация"))

	o := mustInspect(t, pemOf("CMS", msg), Options{Now: testNow}).Objects[0]
	if deref(o.SignatureValid) != true || deref(o.SignatureCheckedWith) != "signers" {
		t.Errorf("valid message: signature_valid %v checked with %v, want true by signers",
			deref(o.SignatureValid), deref(o.SignatureCheckedWith))
	}

	o = mustInspect(t, pemOf("CMS", msg), Options{Now: testNow, Issuer: cert}).Objects[0]
	if deref(o.SignatureValid) != true || deref(o.SignatureCheckedWith) != "issuer" {
		t.Errorf("with --issuer: signature_valid %v checked with %v, want true by issuer",
			deref(o.SignatureValid), deref(o.SignatureCheckedWith))
	}

	tampered := append([]byte(nil), msg...)
	tampered[len(tampered)-1] ^= 1 // the last byte of the signature value
	r := mustInspect(t, pemOf("CMS", tampered), Options{Now: testNow})
	if o := r.Objects[0]; deref(o.SignatureValid) != false || r.OK() {
		t.Errorf("tampered message: signature_valid %v, report ok %v; want false, false",
			deref(o.SignatureValid), r.OK())
	}
}

// TestCMSSignerNotAtHand: TC26's signed example carries no certificate, so
// its signature is not checked, which is a note, not a problem.
func TestCMSSignerNotAtHand(t *testing.T) {
	r := mustInspect(t, readFile(t, "testdata/vectors/tk26/cms_signed_256.pem"), Options{Now: testNow})
	o := r.Objects[0]
	if o.SignatureValid != nil || !r.OK() {
		t.Fatalf("signature_valid %v, ok %v; want null and ok", deref(o.SignatureValid), r.OK())
	}
	found := false
	for _, n := range o.Notes {
		found = found || n.Code == "cms_signer_not_found"
	}
	if !found {
		t.Errorf("notes %+v, want cms_signer_not_found", o.Notes)
	}
}
