package pki

import (
	"testing"

	"rekey/gost/gost3410"
)

func TestProfiles(t *testing.T) {
	tests := []struct {
		name     string
		paramSet string
		curve    *gost3410.Curve
		alg      SignatureAlgorithm
		hashSize int
	}{
		{"gost2012-256", "", gost3410.TC26256A, GOST256WithStreebog256, 32},
		{"gost2012-256", "D", gost3410.CryptoProC, GOST256WithStreebog256, 32},
		{"gost2012-512", "", gost3410.TC26512A, GOST512WithStreebog512, 64},
		{"gost2012-512", "C", gost3410.TC26512C, GOST512WithStreebog512, 64},
		{"ecdsa-p256", "", nil, ECDSAWithSHA256, 32},
	}
	for _, tt := range tests {
		t.Run(tt.name+tt.paramSet, func(t *testing.T) {
			p, err := ProfileByName(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if tt.paramSet != "" {
				if p, err = p.WithParamSet(tt.paramSet); err != nil {
					t.Fatal(err)
				}
			}
			if p.Curve != tt.curve || p.SignatureAlgorithm != tt.alg ||
				p.NewHash().Size() != tt.hashSize {
				t.Errorf("profile %+v", p)
			}
			key, err := p.GenerateKey(nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ProfileOf(key.Public())
			if err != nil || got.Name != p.Name || got.Curve != p.Curve {
				t.Errorf("ProfileOf = %+v, %v", got, err)
			}
		})
	}
	if _, err := ProfileByName("rsa-2048"); err == nil {
		t.Errorf("unknown profile accepted")
	}
	if _, err := ProfileGOST512.WithParamSet("D"); err == nil {
		t.Errorf("512-bit parameter set D accepted")
	}
	if _, err := ProfileECDSA.WithParamSet("A"); err == nil {
		t.Errorf("ECDSA parameter set accepted")
	}
	if _, err := ProfileGOST256.WithCurve(gost3410.TC26512A); err == nil {
		t.Errorf("512-bit curve accepted for the 256-bit profile")
	}
}
