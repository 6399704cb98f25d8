package pki

import (
	"bytes"
	"crypto/x509"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

func testCRLTemplate() *CRLTemplate {
	at := time.Date(2027, 5, 30, 9, 0, 0, 0, time.UTC)
	return &CRLTemplate{
		Number:     big.NewInt(42),
		ThisUpdate: at,
		NextUpdate: at.Add(7 * 24 * time.Hour),
		Revoked: []RevokedCertificate{
			{SerialNumber: big.NewInt(2), RevocationTime: at.Add(-time.Hour), Reason: ReasonKeyCompromise},
			{SerialNumber: big.NewInt(3), RevocationTime: at.Add(-2 * time.Hour)},
			{SerialNumber: big.NewInt(4), RevocationTime: at.Add(-3 * time.Hour), Reason: ReasonSuperseded},
		},
	}
}

func TestCRLRoundTrip(t *testing.T) {
	for _, p := range Profiles() {
		t.Run(p.Name, func(t *testing.T) {
			ca := issue(t, p, certSpec{cn: "CA", ca: true, pathLen: -1}, nil)
			tmpl := testCRLTemplate()
			der, err := CreateCRL(tmpl, ca.cert, ca.key)
			if err != nil {
				t.Fatal(err)
			}
			crl, err := ParseCRL(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := crl.CheckSignatureFrom(ca.cert); err != nil {
				t.Errorf("CheckSignatureFrom: %v", err)
			}
			if crl.Version != 2 || crl.Number.Cmp(tmpl.Number) != 0 ||
				!crl.ThisUpdate.Equal(tmpl.ThisUpdate) || !crl.NextUpdate.Equal(tmpl.NextUpdate) {
				t.Errorf("header: version %d number %v %v–%v", crl.Version, crl.Number,
					crl.ThisUpdate, crl.NextUpdate)
			}
			if !bytes.Equal(crl.AuthorityKeyID, ca.cert.Extensions.SubjectKeyID) {
				t.Errorf("AuthorityKeyID %x", crl.AuthorityKeyID)
			}
			if len(crl.Revoked) != len(tmpl.Revoked) {
				t.Fatalf("%d entries", len(crl.Revoked))
			}
			for i, r := range crl.Revoked {
				w := tmpl.Revoked[i]
				if r.SerialNumber.Cmp(w.SerialNumber) != 0 || r.Reason != w.Reason ||
					!r.RevocationTime.Equal(w.RevocationTime) {
					t.Errorf("entry %d: %+v, want %+v", i, r, w)
				}
			}
			if e := crl.IsRevoked(big.NewInt(4)); e == nil || e.Reason != ReasonSuperseded {
				t.Errorf("IsRevoked(4) = %+v", e)
			}
			if crl.IsRevoked(big.NewInt(5)) != nil {
				t.Errorf("IsRevoked(5) is not nil")
			}
			if _, err := x509.ParseRevocationList(der); err != nil {
				t.Errorf("crypto/x509 does not parse it: %v", err)
			}
		})
	}
}

func TestCRLVerifyErrors(t *testing.T) {
	ca := issue(t, ProfileGOST256, certSpec{cn: "CA", ca: true, pathLen: -1}, nil)
	other := issue(t, ProfileGOST256, certSpec{cn: "Other CA", ca: true, pathLen: -1}, nil)
	sameName := issue(t, ProfileGOST256, certSpec{cn: "CA", ca: true, pathLen: -1}, nil)
	der, err := CreateCRL(testCRLTemplate(), ca.cert, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	crl, _ := ParseCRL(der)
	tampered := bytes.Clone(der)
	tampered[len(tampered)-1] ^= 1
	badSig, _ := ParseCRL(tampered)

	tests := []struct {
		name   string
		crl    *CRL
		issuer *Certificate
		want   string
	}{
		{"wrong issuer name", crl, other.cert, "pki: CRL issuer name is not the certificate's subject"},
		{"same name, other key", crl, sameName.cert,
			"pki: CRL authority key identifier does not match the certificate"},
		{"tampered signature", badSig, ca.cert, ErrSignature.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.crl.CheckSignatureFrom(tt.issuer)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
	if err := badSig.CheckSignatureFrom(ca.cert); !errors.Is(err, ErrSignature) {
		t.Errorf("tampered: %v is not ErrSignature", err)
	}
}

func TestCreateCRLRefuses(t *testing.T) {
	noCRLSign := issue(t, ProfileECDSA, certSpec{cn: "CA", ca: true, pathLen: -1,
		keyUsage: x509.KeyUsageCertSign}, nil)
	ca := issue(t, ProfileECDSA, certSpec{cn: "CA", ca: true, pathLen: -1}, nil)
	tests := []struct {
		name string
		tmpl func() *CRLTemplate
		ca   *issued
		want string
	}{
		{"no cRLSign", testCRLTemplate, noCRLSign, "pki: the issuer certificate's key usage does not allow cRLSign"},
		{"no number", func() *CRLTemplate { x := testCRLTemplate(); x.Number = nil; return x }, ca,
			"pki: CRL number is required"},
		{"no next update", func() *CRLTemplate { x := testCRLTemplate(); x.NextUpdate = time.Time{}; return x },
			ca, "pki: CRL thisUpdate and nextUpdate are required"},
		{"bad serial", func() *CRLTemplate {
			x := testCRLTemplate()
			x.Revoked[0].SerialNumber = big.NewInt(0)
			return x
		}, ca, "pki: serial number must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CreateCRL(tt.tmpl(), tt.ca.cert, tt.ca.key)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCRLReasonNames(t *testing.T) {
	for r, name := range reasonNames {
		got, err := ParseCRLReason(name)
		if err != nil || got != r || r.String() != name {
			t.Errorf("%d %q: got %v, %v", r, name, got, err)
		}
	}
	if _, err := ParseCRLReason("lost"); err == nil {
		t.Errorf("unknown reason accepted")
	}
}
