package ec_test

import (
	"bytes"
	"crypto/rand"
	"math/big"
	"testing"

	"rekey/gost/gost3410"
	"rekey/gost/gost3410/internal/bigref"
	"rekey/gost/gost3410/internal/ec"
)

func be(x *big.Int, n int) []byte {
	return new(big.Int).Mod(x, new(big.Int).Lsh(big.NewInt(1), uint(8*n))).FillBytes(make([]byte, n))
}

// edgeValues returns 0, 1, 2, m-1, m, m+1, 2^bits-1 and random values.
func edgeValues(m *big.Int, n int) []*big.Int {
	top := new(big.Int).Lsh(big.NewInt(1), uint(8*n))
	vals := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(2),
		new(big.Int).Sub(m, big.NewInt(1)), new(big.Int).Set(m), new(big.Int).Add(m, big.NewInt(1)),
		new(big.Int).Sub(top, big.NewInt(1)), new(big.Int).Rsh(m, 1)}
	for range 12 {
		r, _ := rand.Int(rand.Reader, m)
		vals = append(vals, r)
	}
	var kept []*big.Int
	for _, v := range vals {
		if v.Cmp(top) < 0 {
			kept = append(kept, v)
		}
	}
	return kept
}

// TestFieldArithmetic checks the generated Montgomery arithmetic against
// math/big for every field prime and every group order.
func TestFieldArithmetic(t *testing.T) {
	variants, set := ec.ProductVariantsForTest()
	for _, v := range variants {
		old := set(v)
		testFieldArithmetic(t)
		set(old)
	}
}

func testFieldArithmetic(t *testing.T) {
	for _, c := range gost3410.Curves() {
		p := c.Params()
		n := c.Size()
		for _, m := range []struct {
			name string
			v    *big.Int
		}{{"p", p.P}, {"q", p.Q}} {
			f := ec.NewFieldForTest(be(m.v, n))
			vals := edgeValues(m.v, n)
			for _, x := range vals {
				xr := new(big.Int).Mod(x, m.v)
				if got, want := f.SetBytesOK(be(x, n)), x.Cmp(m.v) < 0; got != want {
					t.Errorf("%s %s: SetBytes(%x) accepted=%v, want %v", c, m.name, x, got, want)
				}
				check := func(op string, y, want *big.Int) {
					got := f.Op(op, be(x, n), be(y, n))
					if !bytes.Equal(got, be(want, n)) {
						t.Errorf("%s %s: %s(%x, %x) = %x, want %x", c, m.name, op, x, y, got, want)
					}
				}
				check("id", x, xr)
				check("neg", x, new(big.Int).Mod(new(big.Int).Neg(x), m.v))
				check("sqr", x, new(big.Int).Mod(new(big.Int).Mul(x, x), m.v))
				check("sqrgo", x, new(big.Int).Mod(new(big.Int).Mul(x, x), m.v))
				inv := new(big.Int).ModInverse(xr, m.v)
				if inv == nil {
					inv = new(big.Int)
				}
				check("inv", x, inv)
				check("invvar", x, inv)
				for _, y := range vals {
					check("mul", y, new(big.Int).Mod(new(big.Int).Mul(x, y), m.v))
					check("mulgo", y, new(big.Int).Mod(new(big.Int).Mul(x, y), m.v))
					if n == 32 {
						// The 4-limb alternatives to the product in use.
						check("mulcios", y, new(big.Int).Mod(new(big.Int).Mul(x, y), m.v))
						check("mulmont", y, new(big.Int).Mod(new(big.Int).Mul(x, y), m.v))
					}
					check("add", y, new(big.Int).Mod(new(big.Int).Add(x, y), m.v))
					check("sub", y, new(big.Int).Mod(new(big.Int).Sub(x, y), m.v))
				}
			}
		}
	}
}

func refCurve(c *gost3410.Curve) (*bigref.Curve, bigref.Point) {
	p := c.Params()
	return &bigref.Curve{P: p.P, A: p.A, B: p.B}, bigref.Point{X: p.X, Y: p.Y}
}

// impls returns the curve as package gost3410 builds it and, for the
// Edwards-equivalent curves, also without the Edwards form, so that both
// code paths are checked.
func impls(c *gost3410.Curve) []ec.Curve {
	p := c.Params()
	n := c.Size()
	mk := func(edD []byte) ec.Curve {
		return ec.NewCurve(be(p.P, n), be(p.Q, n), be(p.A, n), be(p.B, n), be(p.X, n), be(p.Y, n),
			uint64(p.Cofactor), edD)
	}
	if p.EdwardsD != nil {
		return []ec.Curve{mk(be(p.EdwardsD, n)), mk(nil)}
	}
	return []ec.Curve{mk(nil)}
}

func encode(pt bigref.Point, n int) []byte {
	if pt.Inf {
		return nil
	}
	return append(be(pt.X, n), be(pt.Y, n)...)
}

// TestScalarMult checks fixed-base and variable-base scalar multiplication
// against math/big double-and-add for edge and random scalars on every
// curve.
func TestScalarMult(t *testing.T) {
	for _, c := range gost3410.Curves() {
		ref, g := refCurve(c)
		for _, impl := range impls(c) {
			n := c.Size()
			q := c.Params().Q
			other := ref.Mul(big.NewInt(7), g) // a second base for variable-base tests
			scalars := edgeValues(q, n)
			scalars = append(scalars, big.NewInt(15), big.NewInt(16), big.NewInt(17),
				new(big.Int).Sub(q, big.NewInt(2)), new(big.Int).Add(q, big.NewInt(2)))
			for _, k := range scalars {
				want := encode(ref.Mul(k, g), n)
				if got := ec.ScalarMultForTest(impl, be(k, n), nil); !bytes.Equal(got, want) {
					t.Errorf("%s: base %x·G = %x, want %x", c, k, got, want)
				}
				if got := ec.ScalarMultForTest(impl, be(k, n), encode(g, n)); !bytes.Equal(got, want) {
					t.Errorf("%s: %x·G (variable base) = %x, want %x", c, k, got, want)
				}
				want = encode(ref.Mul(k, other), n)
				if got := ec.ScalarMultForTest(impl, be(k, n), encode(other, n)); !bytes.Equal(got, want) {
					t.Errorf("%s: %x·(7G) = %x, want %x", c, k, got, want)
				}
			}
		}
	}
}

// TestAddDouble checks the complete formulas on equal, opposite and
// unrelated points.
func TestAddDouble(t *testing.T) {
	for _, c := range gost3410.Curves() {
		ref, g := refCurve(c)
		impl := impls(c)[0]
		n := c.Size()
		p3 := ref.Mul(big.NewInt(3), g)
		neg := bigref.Point{X: p3.X, Y: new(big.Int).Sub(ref.P, p3.Y)}
		for _, pair := range [][2]bigref.Point{{g, p3}, {p3, p3}, {p3, neg}, {g, g}} {
			sum, dbl := ec.AddForTest(impl, encode(pair[0], n), encode(pair[1], n))
			if want := encode(ref.Add(pair[0], pair[1]), n); !bytes.Equal(sum, want) {
				t.Errorf("%s: add = %x, want %x", c, sum, want)
			}
			if want := encode(ref.Add(pair[0], pair[0]), n); !bytes.Equal(dbl, want) {
				t.Errorf("%s: double = %x, want %x", c, dbl, want)
			}
		}
	}
}

// TestVerifyMult checks u1·G + u2·Q of the verification path, with and
// without a table of Q, against math/big for edge and random scalars.
func TestVerifyMult(t *testing.T) {
	for _, c := range gost3410.Curves() {
		ref, g := refCurve(c)
		for _, impl := range impls(c) {
			n := c.Size()
			q := c.Params().Q
			pt := ref.Mul(big.NewInt(5), g)
			scalars := edgeValues(q, n)[:0]
			for _, k := range edgeValues(q, n) {
				if k.Cmp(q) < 0 {
					scalars = append(scalars, k)
				}
			}
			for i, u1 := range scalars {
				u2 := scalars[(i*7+3)%len(scalars)]
				want := encode(ref.Add(ref.Mul(u1, g), ref.Mul(u2, pt)), n)
				if got := ec.VerifyMultForTest(impl, be(u1, n), be(u2, n), encode(pt, n)); !bytes.Equal(got, want) {
					t.Errorf("%s: %x·G + %x·Q = %x, want %x", c, u1, u2, got, want)
				}
				if got := ec.TableVerifyMultForTest(impl, be(u1, n), be(u2, n), encode(pt, n)); !bytes.Equal(got, want) {
					t.Errorf("%s: %x·G + %x·Q (key table) = %x, want %x", c, u1, u2, got, want)
				}
			}
			// u1·G + u2·Q = identity when Q = G and u2 = q - u1.
			u1 := big.NewInt(12345)
			u2 := new(big.Int).Sub(q, u1)
			if got := ec.VerifyMultForTest(impl, be(u1, n), be(u2, n), encode(g, n)); got != nil {
				t.Errorf("%s: u·G + (q-u)·G = %x, want the identity", c, got)
			}
			if got := ec.TableVerifyMultForTest(impl, be(u1, n), be(u2, n), encode(g, n)); got != nil {
				t.Errorf("%s: u·G + (q-u)·G (key table) = %x, want the identity", c, got)
			}
		}
	}
}

// TestReduceWide checks the reduction of double-size integers modulo q on
// every curve, and, through a curve whose "order" is its special field
// prime, for the moduli without Montgomery form.
func TestReduceWide(t *testing.T) {
	for _, c := range gost3410.Curves() {
		p := c.Params()
		n := c.Size()
		top := new(big.Int).Lsh(big.NewInt(1), uint(16*n))
		for _, m := range []*big.Int{p.Q, p.P} {
			impl := ec.NewCurve(be(p.P, n), be(m, n), be(p.A, n), be(p.B, n), be(p.X, n), be(p.Y, n), 1, nil)
			vals := []*big.Int{big.NewInt(0), new(big.Int).Sub(top, big.NewInt(1)), new(big.Int).Set(m),
				new(big.Int).Mul(m, m), new(big.Int).Lsh(m, uint(8*n))}
			for range 8 {
				r, _ := rand.Int(rand.Reader, top)
				vals = append(vals, r)
			}
			for _, v := range vals {
				want := be(new(big.Int).Mod(v, m), n)
				if got := impl.ReduceWide(be(v, 2*n)); !bytes.Equal(got, want) {
					t.Errorf("%s: %x mod %x = %x, want %x", c, v, m, got, want)
				}
			}
		}
	}
}
