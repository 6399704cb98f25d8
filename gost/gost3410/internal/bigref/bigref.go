// Package bigref is a slow, variable-time reference implementation of
// short Weierstrass curve arithmetic on math/big, in affine coordinates. It
// exists for tests only: the fast code is checked against it. Never use it
// on secrets.
package bigref

import "math/big"

// Curve is y² = x³ + ax + b over GF(P).
type Curve struct {
	P, A, B *big.Int
}

// Point is an affine point; Inf marks the identity.
type Point struct {
	X, Y *big.Int
	Inf  bool
}

// OnCurve reports whether pt satisfies the curve equation.
func (c *Curve) OnCurve(pt Point) bool {
	if pt.Inf {
		return true
	}
	l := new(big.Int).Mul(pt.Y, pt.Y)
	r := new(big.Int).Mul(pt.X, pt.X)
	r.Add(r, c.A).Mul(r, pt.X).Add(r, c.B)
	return l.Sub(l, r).Mod(l, c.P).Sign() == 0
}

// Add returns p1 + p2 with the chord-and-tangent rule.
func (c *Curve) Add(p1, p2 Point) Point {
	switch {
	case p1.Inf:
		return p2
	case p2.Inf:
		return p1
	}
	p := c.P
	var lambda *big.Int
	if p1.X.Cmp(p2.X) == 0 {
		sum := new(big.Int).Add(p1.Y, p2.Y)
		if sum.Mod(sum, p).Sign() == 0 {
			return Point{Inf: true}
		}
		num := new(big.Int).Mul(p1.X, p1.X)
		num.Mul(num, big.NewInt(3)).Add(num, c.A)
		den := new(big.Int).Lsh(p1.Y, 1)
		lambda = num.Mul(num, den.ModInverse(den.Mod(den, p), p))
	} else {
		num := new(big.Int).Sub(p2.Y, p1.Y)
		den := new(big.Int).Sub(p2.X, p1.X)
		den.Mod(den, p)
		lambda = num.Mul(num, den.ModInverse(den, p))
	}
	lambda.Mod(lambda, p)
	x := new(big.Int).Mul(lambda, lambda)
	x.Sub(x, p1.X).Sub(x, p2.X).Mod(x, p)
	y := new(big.Int).Sub(p1.X, x)
	y.Mul(y, lambda).Sub(y, p1.Y).Mod(y, p)
	return Point{X: x, Y: y}
}

// Mul returns k·pt by double-and-add; k must be non-negative.
func (c *Curve) Mul(k *big.Int, pt Point) Point {
	acc := Point{Inf: true}
	for i := k.BitLen() - 1; i >= 0; i-- {
		acc = c.Add(acc, acc)
		if k.Bit(i) == 1 {
			acc = c.Add(acc, pt)
		}
	}
	return acc
}
