package gost3410

import (
	"math/big"
	"testing"

	"rekey/gost/gost3410/internal/bigref"
)

func hexInt(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic(s)
	}
	return v
}

// TestCurveParams checks every curve with math/big: p and q prime, the base
// point on the curve and of order q, and the group order cofactor·q within
// the Hasse bound |p+1-m| <= 2√p.
func TestCurveParams(t *testing.T) {
	for _, c := range Curves() {
		p := c.Params()
		ref := &bigref.Curve{P: p.P, A: p.A, B: p.B}
		g := bigref.Point{X: p.X, Y: p.Y}
		if !p.P.ProbablyPrime(32) || !p.Q.ProbablyPrime(32) {
			t.Errorf("%s: p or q is not prime", c)
		}
		if p.P.BitLen() > 8*c.Size() || p.P.BitLen() <= 8*c.Size()-8 {
			t.Errorf("%s: p has %d bits for size %d", c, p.P.BitLen(), c.Size())
		}
		if !ref.OnCurve(g) {
			t.Errorf("%s: base point not on the curve", c)
		}
		if !ref.Mul(p.Q, g).Inf {
			t.Errorf("%s: q·P is not the identity", c)
		}
		m := new(big.Int).Mul(p.Q, big.NewInt(int64(p.Cofactor)))
		dev := new(big.Int).Add(p.P, big.NewInt(1))
		dev.Sub(dev, m).Abs(dev)
		bound := new(big.Int).Sqrt(new(big.Int).Lsh(p.P, 2)) // 2√p, rounded down
		if dev.Cmp(new(big.Int).Add(bound, big.NewInt(1))) > 0 {
			t.Errorf("%s: cofactor·q violates the Hasse bound", c)
		}
		if CurveByOID(c.OID()) != c {
			t.Errorf("%s: CurveByOID(OID()) is not the curve", c)
		}
	}
}

// TestEdwardsParams checks that TC26256A and TC26512C are the Weierstrass
// forms of the twisted Edwards curves e·u² + v² = 1 + d·u²·v² of RFC 7836
// Appendix A, and their base points the images of (u, v), under the map
// s = (e-d)/4, t = (e+d)/6, x = s(1+v)/(1-v) + t, y = s(1+v)/((1-v)u),
// a = s² - 3t², b = 2t³ - ts².
func TestEdwardsParams(t *testing.T) {
	for _, tc := range []struct {
		c          *Curve
		d, u, v, e string
	}{
		{TC26256A, "0605F6B7C183FA81578BC39CFAD518132B9DF62897009AF7E522C32D6DC7BFFB", "0D",
			"60CA1E32AA475B348488C38FAB07649CE7EF8DBE87F22E81F92B2592DBA300E7", "01"},
		{TC26512C, "9E4F5D8C017D8D9F13A5CF3CDF5BFE4DAB402D54198E31EBDE28A0621050439C" +
			"A6B39E0A515C06B304E2CE43E79E369E91A0CFC2BC2A22B4CA302DBB33EE7550", "12",
			"469AF79D1FB1F5E16B99592B77A01E2A0FDFB0D01794368D9A56117F7B38669522DD4B65" +
				"0CF789EEBF068C5D139732F0905622C04B2BAAE7600303EE73001A3D", "01"},
	} {
		p := tc.c.Params()
		P := p.P
		inv := func(x *big.Int) *big.Int { return new(big.Int).ModInverse(new(big.Int).Mod(x, P), P) }
		mod := func(x *big.Int) *big.Int { return x.Mod(x, P) }
		e, d, u, v := hexInt(tc.e), hexInt(tc.d), hexInt(tc.u), hexInt(tc.v)
		s := mod(new(big.Int).Mul(new(big.Int).Sub(e, d), inv(big.NewInt(4))))
		tt := mod(new(big.Int).Mul(new(big.Int).Add(e, d), inv(big.NewInt(6))))
		a := mod(new(big.Int).Sub(new(big.Int).Mul(s, s), new(big.Int).Mul(big.NewInt(3), new(big.Int).Mul(tt, tt))))
		t3 := new(big.Int).Exp(tt, big.NewInt(3), P)
		b := mod(new(big.Int).Sub(new(big.Int).Lsh(t3, 1), new(big.Int).Mul(tt, new(big.Int).Mul(s, s))))
		onePlusV := new(big.Int).Add(big.NewInt(1), v)
		oneMinusV := new(big.Int).Sub(big.NewInt(1), v)
		x := mod(new(big.Int).Add(mod(new(big.Int).Mul(new(big.Int).Mul(s, onePlusV), inv(oneMinusV))), tt))
		y := mod(new(big.Int).Mul(new(big.Int).Mul(s, onePlusV), inv(new(big.Int).Mul(oneMinusV, u))))
		if a.Cmp(p.A) != 0 || b.Cmp(p.B) != 0 || x.Cmp(p.X) != 0 || y.Cmp(p.Y) != 0 {
			t.Errorf("%s: Edwards parameters do not map to the Weierstrass ones", tc.c)
		}
		if p.EdwardsD == nil || p.EdwardsD.Cmp(d) != 0 {
			t.Errorf("%s: Params().EdwardsD = %v, want %x", tc.c, p.EdwardsD, d)
		}
		if p.Cofactor != 4 {
			t.Errorf("%s: cofactor %d, want 4", tc.c, p.Cofactor)
		}
	}
}
