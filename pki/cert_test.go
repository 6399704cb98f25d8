package pki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"rekey/gost/gost3410"
)

func TestCreateCertificateEveryCurve(t *testing.T) {
	type tc struct {
		name    string
		profile *Profile
	}
	var tests []tc
	for _, c := range gost3410.Curves() {
		base := ProfileGOST256
		if c.Size() == 64 {
			base = ProfileGOST512
		}
		p, err := base.WithCurve(c)
		if err != nil {
			t.Fatal(err)
		}
		tests = append(tests, tc{c.Name(), p})
	}
	tests = append(tests, tc{"P-256", ProfileECDSA})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ca := issue(t, tt.profile, certSpec{cn: "CA " + tt.name, ca: true, pathLen: 0}, nil)
			leaf := issue(t, tt.profile, certSpec{cn: "Leaf", serial: 2}, ca)
			if got := leaf.cert.SignatureAlgorithm; got != tt.profile.SignatureAlgorithm {
				t.Errorf("SignatureAlgorithm = %v, want %v", got, tt.profile.SignatureAlgorithm)
			}
			if err := leaf.cert.CheckSignatureFrom(ca.cert); err != nil {
				t.Errorf("CheckSignatureFrom: %v", err)
			}
			if !publicKeysEqual(leaf.cert.PublicKey, leaf.key.Public()) {
				t.Errorf("parsed public key differs from the generated one")
			}
			p, err := ProfileOf(leaf.cert.PublicKey)
			if err != nil || p.Name != tt.profile.Name || p.Curve != tt.profile.Curve {
				t.Errorf("ProfileOf = %v, %v; want %v", p, err, tt.profile)
			}
		})
	}
}

// TestCertificateFields checks that what goes into a template comes back
// out of the parsed certificate.
func TestCertificateFields(t *testing.T) {
	ca := issue(t, ProfileGOST512, certSpec{cn: "Test CA", ca: true, pathLen: -1}, nil)
	key, err := ProfileGOST256.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	subj := &Subject{Country: "RU", Province: "77 Москва", Locality: "Москва",
		Organization: "ООО «Ромашка»", CommonName: "Иванов Иван Иванович",
		Surname: "Иванов", GivenName: "Иван Иванович", INN: "500100732259",
		SNILS: "11223344595", Email: "ivanov@example.ru"}
	ext := fullExtensions()
	tmpl := &Template{
		SerialNumber: big.NewInt(0x1234567890),
		Subject:      subj,
		NotBefore:    time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2051, 3, 1, 10, 0, 0, 0, time.UTC), // GeneralizedTime
		Extensions:   ext,
	}
	der, err := CreateCertificate(tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	c := mustParseCert(t, der)
	if c.Version != 3 || c.SerialNumber.Cmp(tmpl.SerialNumber) != 0 {
		t.Errorf("version %d serial %v", c.Version, c.SerialNumber)
	}
	if !c.Subject.Equal(subj) || !c.Issuer.Equal(ca.cert.Subject) {
		t.Errorf("subject %v issuer %v", c.Subject, c.Issuer)
	}
	if !c.NotBefore.Equal(tmpl.NotBefore) || !c.NotAfter.Equal(tmpl.NotAfter) {
		t.Errorf("validity %v – %v", c.NotBefore, c.NotAfter)
	}
	if !bytes.Equal(c.RawIssuer, ca.cert.RawSubject) {
		t.Errorf("RawIssuer is not the CA's RawSubject")
	}
	ext.AuthorityKeyID = ca.cert.Extensions.SubjectKeyID
	if !reflect.DeepEqual(c.Extensions, ext) {
		t.Errorf("extensions\n got %+v\nwant %+v", c.Extensions, ext)
	}
	if got := c.KeyExpires(); !got.Equal(ext.PrivateKeyUsagePeriod.NotAfter) {
		t.Errorf("KeyExpires = %v, want the privateKeyUsagePeriod end", got)
	}
	// crypto/x509 reads the same certificate.
	xc, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("crypto/x509 does not parse it: %v", err)
	}
	if xc.KeyUsage != ext.KeyUsage || !bytes.Equal(xc.SubjectKeyId, ext.SubjectKeyID) ||
		!reflect.DeepEqual(xc.CRLDistributionPoints, ext.CRLDistributionPoints) {
		t.Errorf("crypto/x509 reads KeyUsage %v SKI %x CRLDP %v", xc.KeyUsage, xc.SubjectKeyId,
			xc.CRLDistributionPoints)
	}
}

func fullExtensions() Extensions {
	return Extensions{
		BasicConstraints: &BasicConstraints{MaxPathLen: -1},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment |
			x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement | x509.KeyUsageDecipherOnly,
		ExtKeyUsage:           []asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth, {1, 2, 643, 2, 2, 34, 6}},
		SubjectKeyID:          []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20},
		Policies:              []asn1.ObjectIdentifier{{1, 2, 643, 100, 113, 1}, {1, 2, 643, 100, 113, 2}},
		CRLDistributionPoints: []string{"http://ca.example.ru/ca.crl", "http://ca2.example.ru/ca.crl"},
		PrivateKeyUsagePeriod: &KeyUsagePeriod{
			NotBefore: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
			NotAfter:  time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC),
		},
		SubjectSignTool: "СКЗИ «Рекей» версия 1",
		IssuerSignTool: &IssuerSignTool{
			SignTool:     "СКЗИ «Рекей CA»",
			CATool:       "ПАК «Рекей УЦ»",
			SignToolCert: "Сертификат соответствия № СФ/124-0001",
			CAToolCert:   "Сертификат соответствия № СФ/128-0002",
		},
		Extra: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Value: []byte{5, 0}}},
	}
}

func TestExtensionsRoundTrip(t *testing.T) {
	tests := map[string]Extensions{
		"none":         {},
		"all":          fullExtensions(),
		"ca pathlen 0": {BasicConstraints: &BasicConstraints{IsCA: true, MaxPathLen: 0}},
		"ca no pathlen": {
			BasicConstraints: &BasicConstraints{IsCA: true, MaxPathLen: -1},
			KeyUsage:         x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		},
		"key usage period end only": {PrivateKeyUsagePeriod: &KeyUsagePeriod{
			NotAfter: time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for name, ext := range tests {
		t.Run(name, func(t *testing.T) {
			raw, err := ext.marshal()
			if err != nil {
				t.Fatal(err)
			}
			got, err := parseExtensions(raw)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, ext) {
				t.Errorf("round trip\n got %+v\nwant %+v", got, ext)
			}
		})
	}
}

func TestParseExtensionErrors(t *testing.T) {
	tests := []struct {
		name string
		ext  pkix.Extension
		want string
	}{
		{"basicConstraints not a sequence", pkix.Extension{Id: OIDExtBasicConstraints, Value: []byte{1, 1, 0xff}},
			"pki: malformed basicConstraints extension"},
		{"keyUsage not a bit string", pkix.Extension{Id: OIDExtKeyUsage, Value: []byte{4, 0}},
			"pki: malformed keyUsage extension"},
		{"empty privateKeyUsagePeriod", pkix.Extension{Id: OIDExtPrivateKeyUsagePeriod, Value: []byte{0x30, 0}},
			"pki: malformed privateKeyUsagePeriod extension"},
		{"subjectSignTool not UTF8String", pkix.Extension{Id: OIDExtSubjectSignTool, Value: []byte{0x13, 1, 'a'}},
			"pki: malformed subjectSignTool extension"},
		{"issuerSignTool with three strings", pkix.Extension{Id: OIDExtIssuerSignTool,
			Value: []byte{0x30, 9, 0x0c, 1, 'a', 0x0c, 1, 'b', 0x0c, 1, 'c'}},
			"pki: malformed issuerSignTool extension"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseExtensions([]pkix.Extension{tt.ext})
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
	dup := pkix.Extension{Id: OIDExtSubjectKeyID, Value: []byte{4, 1, 1}}
	if _, err := parseExtensions([]pkix.Extension{dup, dup}); err == nil ||
		!strings.Contains(err.Error(), "appears twice") {
		t.Errorf("duplicate extension: got %v", err)
	}
}

func TestKeyExpires(t *testing.T) {
	notAfter := time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
	keyEnd := time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		pkup *KeyUsagePeriod
		want time.Time
	}{
		{"no privateKeyUsagePeriod", nil, notAfter},
		{"key period shorter", &KeyUsagePeriod{NotAfter: keyEnd}, keyEnd},
		{"key period start only", &KeyUsagePeriod{NotBefore: keyEnd}, notAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Certificate{NotAfter: notAfter}
			c.Extensions.PrivateKeyUsagePeriod = tt.pkup
			if got := c.KeyExpires(); !got.Equal(tt.want) {
				t.Errorf("KeyExpires = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRenewalKeepsRawSubject issues a certificate whose subject is the
// raw bytes of another one's, including string types and attributes that
// Subject would write differently.
func TestRenewalKeepsRawSubject(t *testing.T) {
	ca := issue(t, ProfileECDSA, certSpec{cn: "CA", ca: true, pathLen: -1}, nil)
	// The TK26 certificate's name has a PrintableString CN and an
	// IA5String e-mail, in one order; a re-encoding could change both.
	old := mustParseCert(t, readPEM(t, vector("tk26-iok-cert-256.pem")))
	key, err := ProfileGOST256.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := certSpec{cn: "unused", serial: 7}.template(t)
	tmpl.Subject, tmpl.RawSubject = nil, old.RawSubject
	der, err := CreateCertificate(tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	renewed := mustParseCert(t, der)
	if !bytes.Equal(renewed.RawSubject, old.RawSubject) {
		t.Errorf("RawSubject changed:\n got %x\nwant %x", renewed.RawSubject, old.RawSubject)
	}
	if !renewed.Subject.Equal(old.Subject) {
		t.Errorf("Subject changed")
	}
}

// TestRawSubjectPublicKeyInfoKept copies an SPKI with an alias curve OID
// (CryptoPro XchA) and a digest parameter, as a request may carry it.
func TestRawSubjectPublicKeyInfoKept(t *testing.T) {
	ca := issue(t, ProfileGOST512, certSpec{cn: "CA", ca: true, pathLen: -1}, nil)
	src := mustParseCert(t, readPEM(t, vector("tk26-iok-cert-256.pem")))
	tmpl := certSpec{cn: "Copy", serial: 9}.template(t)
	tmpl.RawSubjectPublicKeyInfo = src.RawSubjectPublicKeyInfo
	der, err := CreateCertificate(tmpl, ca.cert, nil, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	c := mustParseCert(t, der)
	if !bytes.Equal(c.RawSubjectPublicKeyInfo, src.RawSubjectPublicKeyInfo) {
		t.Errorf("SPKI was re-encoded")
	}
	other, _ := ProfileGOST256.GenerateKey(nil)
	if _, err := CreateCertificate(tmpl, ca.cert, other.Public(), ca.key); err == nil {
		t.Errorf("a pub that differs from RawSubjectPublicKeyInfo was accepted")
	}
}

func TestCreateCertificateRefuses(t *testing.T) {
	ca := issue(t, ProfileGOST256, certSpec{cn: "CA", ca: true, pathLen: -1}, nil)
	leaf := issue(t, ProfileGOST256, certSpec{cn: "Leaf", serial: 2}, ca)
	otherKey, _ := ProfileGOST256.GenerateKey(nil)
	tests := []struct {
		name   string
		mod    func(*Template)
		issuer *issued
		signer *issued
		want   string
	}{
		{"no serial", func(x *Template) { x.SerialNumber = nil }, ca, ca,
			"pki: serial number is required"},
		{"negative serial", func(x *Template) { x.SerialNumber = big.NewInt(-1) }, ca, ca,
			"pki: serial number must be positive"},
		{"inverted validity", func(x *Template) { x.NotAfter = x.NotBefore.Add(-time.Hour) }, ca, ca,
			"pki: certificate validity is empty or inverted"},
		{"bad INN check digit", func(x *Template) { x.Subject.INN = "500100732258" }, ca, ca,
			"pki: subject field INN"},
		{"signer is not the issuer", nil, ca, &issued{key: otherKey},
			"pki: the signer's key is not the issuer's public key"},
		{"issuer is not a CA", nil, leaf, leaf,
			"pki: the issuer certificate is not a CA certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := certSpec{cn: "New", serial: 3}.template(t)
			if tt.mod != nil {
				tt.mod(tmpl)
			}
			key, _ := ProfileGOST256.GenerateKey(nil)
			_, err := CreateCertificate(tmpl, tt.issuer.cert, key.Public(), tt.signer.key)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// brokenSigner signs with a key other than the one it claims.
type brokenSigner struct {
	claimed *ecdsa.PrivateKey
	real    *ecdsa.PrivateKey
}

func (b brokenSigner) Public() crypto.PublicKey { return b.claimed.Public() }
func (b brokenSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	return b.real.Sign(r, d, o)
}

// TestCreateCertificateNeverReturnsBadSignature uses a signer whose
// signatures do not match its public key.
func TestCreateCertificateNeverReturnsBadSignature(t *testing.T) {
	k1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s := brokenSigner{k1, k2}
	der, err := CreateCertificate(certSpec{cn: "CA", ca: true}.template(t), nil, k1.Public(), s)
	if err == nil || !errors.Is(err, ErrSignature) || der != nil {
		t.Errorf("got %x, %v; want no certificate and ErrSignature", der, err)
	}
}

func TestTamperedCertificateSignature(t *testing.T) {
	for _, p := range Profiles() {
		t.Run(p.Name, func(t *testing.T) {
			ca := issue(t, p, certSpec{cn: "CA", ca: true, pathLen: -1}, nil)
			der := bytes.Clone(ca.cert.Raw)
			der[len(der)-5] ^= 0x01
			c := mustParseCert(t, der)
			if err := c.CheckSignatureFrom(ca.cert); !errors.Is(err, ErrSignature) {
				t.Errorf("tampered signature: got %v, want ErrSignature", err)
			}
			der = bytes.Clone(ca.cert.Raw)
			i := bytes.Index(der, []byte("CA"))
			der[i] = 'X' // inside the TBS
			c = mustParseCert(t, der)
			if err := c.CheckSignatureFrom(ca.cert); !errors.Is(err, ErrSignature) {
				t.Errorf("tampered TBS: got %v, want ErrSignature", err)
			}
		})
	}
}

func TestParseCertificateErrors(t *testing.T) {
	good := readPEM(t, vector("rfc9215-D2_tc26_256A-cert.pem"))
	tests := []struct {
		name string
		der  []byte
		want string
	}{
		{"empty", nil, "pki: malformed certificate"},
		{"trailing data", append(bytes.Clone(good), 0), "pki: malformed certificate"},
		{"truncated", good[:len(good)-1], "pki: malformed certificate"},
		{"inner and outer algorithms differ", differentInnerAlgorithm(t, good),
			"pki: certificate signature algorithm differs from the one in tbsCertificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCertificate(tt.der)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// differentInnerAlgorithm changes the TBS signature OID 1.2.643.7.1.1.3.2
// to .3.3, leaving the outer one.
func differentInnerAlgorithm(t *testing.T, der []byte) []byte {
	oid := []byte{0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x03, 0x02}
	out := bytes.Clone(der)
	i := bytes.Index(out, oid)
	if i < 0 {
		t.Fatal("signature OID not found")
	}
	out[i+len(oid)-1] = 0x03
	return out
}

func TestRandomSerial(t *testing.T) {
	a, err := RandomSerial(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := RandomSerial(nil)
	if a.Sign() <= 0 || a.BitLen() != 127 || a.Cmp(b) == 0 {
		t.Errorf("serials %x, %x", a, b)
	}
}
