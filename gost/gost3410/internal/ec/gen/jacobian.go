package main

const jacobianTemplate = `
// jacPoint{{.N}} is a point in Jacobian coordinates, x = X/Z², y = Y/Z³; Z = 0
// is the identity. Used only on public data: the formulas have exceptional
// cases, which the code below checks for and branches on.
type jacPoint{{.N}} struct {
	x, y, z Elem{{.N}}
}

// jacDouble sets r = 2·p: "dbl-2001-b" for a = -3 (3M + 5S), else
// "dbl-2007-bl" (1M + 8S + a·ZZ²), from the Explicit-Formulas Database.
// Correct for every input, the identity included. Variable-time.
func (c *Curve{{.N}}) jacDouble(r, p *jacPoint{{.N}}) {
	m := c.p
	if c.aIsM3 {
		var delta, gamma, beta, alpha, t, u Elem{{.N}}
		delta.Square(&p.z, m)
		gamma.Square(&p.y, m)
		beta.Mul(&p.x, &gamma, m)
		t.Sub(&p.x, &delta, m)
		u.Add(&p.x, &delta, m)
		alpha.Mul(&t, &u, m)
		t.Add(&alpha, &alpha, m)
		alpha.Add(&t, &alpha, m)
		r.z.Add(&p.y, &p.z, m)
		r.z.Square(&r.z, m).Sub(&r.z, &gamma, m).Sub(&r.z, &delta, m)
		beta.Add(&beta, &beta, m).Add(&beta, &beta, m) // 4β
		t.Add(&beta, &beta, m)                         // 8β
		r.x.Square(&alpha, m).Sub(&r.x, &t, m)
		gamma.Square(&gamma, m)
		gamma.Add(&gamma, &gamma, m).Add(&gamma, &gamma, m).Add(&gamma, &gamma, m) // 8γ²
		t.Sub(&beta, &r.x, m)
		r.y.Mul(&alpha, &t, m).Sub(&r.y, &gamma, m)
		return
	}
	var xx, yy, yyyy, zz, s, mm, t, u Elem{{.N}}
	xx.Square(&p.x, m)
	yy.Square(&p.y, m)
	yyyy.Square(&yy, m)
	zz.Square(&p.z, m)
	s.Add(&p.x, &yy, m)
	s.Square(&s, m).Sub(&s, &xx, m).Sub(&s, &yyyy, m)
	s.Add(&s, &s, m)
	mm.Add(&xx, &xx, m).Add(&mm, &xx, m)
	u.Square(&zz, m)
	c.mulA(&u, &u)
	mm.Add(&mm, &u, m)
	r.z.Add(&p.y, &p.z, m)
	r.z.Square(&r.z, m).Sub(&r.z, &yy, m).Sub(&r.z, &zz, m)
	t.Square(&mm, m).Sub(&t, &s, m).Sub(&t, &s, m)
	r.x = t
	yyyy.Add(&yyyy, &yyyy, m).Add(&yyyy, &yyyy, m).Add(&yyyy, &yyyy, m)
	u.Sub(&s, &t, m)
	r.y.Mul(&mm, &u, m).Sub(&r.y, &yyyy, m)
}

// jacAdd sets r = p1 + p2, "add-2007-bl" (11M + 5S), falling back to
// doubling or the identity in the exceptional cases. r may alias p1.
// Variable-time.
func (c *Curve{{.N}}) jacAdd(r, p1, p2 *jacPoint{{.N}}) {
	m := c.p
	if p1.z.IsZero() == 1 {
		*r = *p2
		return
	}
	if p2.z.IsZero() == 1 {
		*r = *p1
		return
	}
	var z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t Elem{{.N}}
	z1z1.Square(&p1.z, m)
	z2z2.Square(&p2.z, m)
	u1.Mul(&p1.x, &z2z2, m)
	u2.Mul(&p2.x, &z1z1, m)
	s1.Mul(&p1.y, &p2.z, m).Mul(&s1, &z2z2, m)
	s2.Mul(&p2.y, &p1.z, m).Mul(&s2, &z1z1, m)
	h.Sub(&u2, &u1, m)
	rr.Sub(&s2, &s1, m)
	if h.IsZero() == 1 {
		if rr.IsZero() == 1 {
			c.jacDouble(r, p1)
			return
		}
		r.x, r.y, r.z = m.one, m.one, Elem{{.N}}{}
		return
	}
	rr.Add(&rr, &rr, m)
	i.Add(&h, &h, m)
	i.Square(&i, m)
	j.Mul(&h, &i, m)
	v.Mul(&u1, &i, m)
	t.Add(&p1.z, &p2.z, m)
	t.Square(&t, m).Sub(&t, &z1z1, m).Sub(&t, &z2z2, m)
	r.z.Mul(&t, &h, m)
	r.x.Square(&rr, m).Sub(&r.x, &j, m).Sub(&r.x, &v, m).Sub(&r.x, &v, m)
	t.Sub(&v, &r.x, m)
	s1.Mul(&s1, &j, m)
	s1.Add(&s1, &s1, m)
	r.y.Mul(&rr, &t, m).Sub(&r.y, &s1, m)
}

// jacAddAffine sets r = p1 + (x2, y2), "madd-2007-bl" (7M + 4S), with the
// same exceptional cases as jacAdd. Variable-time.
func (c *Curve{{.N}}) jacAddAffine(r, p1 *jacPoint{{.N}}, p2 *affine{{.N}}) {
	m := c.p
	if p1.z.IsZero() == 1 {
		r.x, r.y, r.z = p2.x, p2.y, m.one
		return
	}
	var z1z1, u2, s2, h, hh, i, j, rr, v, t Elem{{.N}}
	z1z1.Square(&p1.z, m)
	u2.Mul(&p2.x, &z1z1, m)
	s2.Mul(&p2.y, &p1.z, m).Mul(&s2, &z1z1, m)
	h.Sub(&u2, &p1.x, m)
	rr.Sub(&s2, &p1.y, m)
	if h.IsZero() == 1 {
		if rr.IsZero() == 1 {
			c.jacDouble(r, p1)
			return
		}
		r.x, r.y, r.z = m.one, m.one, Elem{{.N}}{}
		return
	}
	rr.Add(&rr, &rr, m)
	hh.Square(&h, m)
	i.Add(&hh, &hh, m).Add(&i, &i, m)
	j.Mul(&h, &i, m)
	v.Mul(&p1.x, &i, m)
	t.Add(&p1.z, &h, m)
	r.z.Square(&t, m).Sub(&r.z, &z1z1, m).Sub(&r.z, &hh, m)
	r.x.Square(&rr, m).Sub(&r.x, &j, m).Sub(&r.x, &v, m).Sub(&r.x, &v, m)
	t.Sub(&v, &r.x, m)
	s2.Mul(&p1.y, &j, m)
	s2.Add(&s2, &s2, m)
	r.y.Mul(&rr, &t, m).Sub(&r.y, &s2, m)
}

// jacVerifyMult is verifyMult in Jacobian coordinates: width-5 NAF over
// odd multiples of Q, then one point of the verification base table per
// signed 7-bit window of u1. The result is returned in projective form
// (X·Z : Y : Z³). Variable-time.
func (c *Curve{{.N}}) jacVerifyMult(u1, u2 *[{{.N}}]uint64, q *Point{{.N}}) *Point{{.N}} {
	m := c.p
	var odd [8]jacPoint{{.N}} // 1Q, 3Q, …, 15Q
	var q2, nq jacPoint{{.N}}
	// (X:Y:Z) projective is (XZ : YZ² : Z) Jacobian.
	var z2 Elem{{.N}}
	z2.Square(&q.z, m)
	odd[0].x.Mul(&q.x, &q.z, m)
	odd[0].y.Mul(&q.y, &z2, m)
	odd[0].z = q.z
	c.jacDouble(&q2, &odd[0])
	for i := 1; i < 8; i++ {
		c.jacAdd(&odd[i], &odd[i-1], &q2)
	}
	digits := wnaf{{.N}}(*u2)
	var acc jacPoint{{.N}}
	acc.x, acc.y = m.one, m.one
	top := len(digits) - 1
	for top >= 0 && digits[top] == 0 {
		top--
	}
	for i := top; i >= 0; i-- {
		c.jacDouble(&acc, &acc)
		if d := digits[i]; d > 0 {
			c.jacAdd(&acc, &acc, &odd[d/2])
		} else if d < 0 {
			nq = odd[(-d)/2]
			nq.y.Neg(&nq.y, m)
			c.jacAdd(&acc, &acc, &nq)
		}
	}
	c.jacAddWide(&acc, u1)
	return c.jacToPoint(&acc)
}

// jacAddRows adds k·B to acc, where table[i][j] = (j+1)·32^i·B: one mixed
// addition per nonzero signed 5-bit digit of k, no doubling. The digits
// index the table directly, so this is for public k and public tables
// only (verification). Variable-time.
func (c *Curve{{.N}}) jacAddRows(acc *jacPoint{{.N}}, table *[{{.Rows}}][16]affine{{.N}}, k *[{{.N}}]uint64) {
	abs, neg := recode{{.N}}(k)
	var t affine{{.N}}
	for i := range table {
		if abs[i] == 0 {
			continue
		}
		t = table[i][abs[i]-1]
		if neg[i] == 1 {
			t.y.Neg(&t.y, c.p)
		}
		c.jacAddAffine(acc, acc, &t)
	}
}

// jacToPoint converts the Jacobian (X:Y:Z) to projective (XZ : Y : Z³), or
// the identity for Z = 0.
func (c *Curve{{.N}}) jacToPoint(acc *jacPoint{{.N}}) *Point{{.N}} {
	m := c.p
	r := new(Point{{.N}})
	if acc.z.IsZero() == 1 {
		return c.identity(r)
	}
	r.x.Mul(&acc.x, &acc.z, m)
	r.y = acc.y
	r.z.Square(&acc.z, m).Mul(&r.z, &acc.z, m)
	return r
}

// invVartime returns a⁻¹ mod m for a < m, m odd, by the binary extended
// Euclidean algorithm (Menezes, van Oorschot, Vanstone, Handbook of Applied
// Cryptography, Algorithm 14.61, specialised to inversion), or 0 for a = 0.
// Variable-time: public values only.
func invVartime{{.N}}(a [{{.N}}]uint64, m *[{{.N}}]uint64) [{{.N}}]uint64 {
	u, v := a, *m
	var x1, x2 [{{.N}}]uint64
	x1[0] = 1
	if isZero{{.N}}(&u) {
		return x1
	}
	for {
		if isOne{{.N}}(&u) {
			return x1
		}
		if isOne{{.N}}(&v) {
			return x2
		}
		for u[0]&1 == 0 {
			n := shiftOutZeros{{.N}}(&u)
			for range n {
				halveMod{{.N}}(&x1, m)
			}
		}
		for v[0]&1 == 0 {
			n := shiftOutZeros{{.N}}(&v)
			for range n {
				halveMod{{.N}}(&x2, m)
			}
		}
		if lessThan{{.N}}(&u, &v) == 0 {
			subInto{{.N}}(&u, &v)
			subMod{{.N}}(&x1, &x2, m)
		} else {
			subInto{{.N}}(&v, &u)
			subMod{{.N}}(&x2, &x1, m)
		}
	}
}

func isZero{{.N}}(z *[{{.N}}]uint64) bool {
	var acc uint64
	for _, l := range z {
		acc |= l
	}
	return acc == 0
}

func isOne{{.N}}(z *[{{.N}}]uint64) bool {
	acc := z[0] ^ 1
	for _, l := range z[1:] {
		acc |= l
	}
	return acc == 0
}

// shiftOutZeros shifts the nonzero z right by its trailing zero bits (at
// most 63 at a time) and returns how many it shifted.
func shiftOutZeros{{.N}}(z *[{{.N}}]uint64) int {
	n := bits.TrailingZeros64(z[0])
	if n == 64 {
		n = 63
	}
	for i := 0; i < {{.N}}-1; i++ {
		z[i] = z[i]>>n | z[i+1]<<(64-n)
	}
	z[{{.N}}-1] >>= n
	return n
}

// halveMod sets x = x/2 mod m for x < m.
func halveMod{{.N}}(x, m *[{{.N}}]uint64) {
	var c uint64
	if x[0]&1 == 1 {
		for i := range x {
			x[i], c = bits.Add64(x[i], m[i], c)
		}
	}
	for i := 0; i < {{.N}}-1; i++ {
		x[i] = x[i]>>1 | x[i+1]<<63
	}
	x[{{.N}}-1] = x[{{.N}}-1]>>1 | c<<63
}

// subInto sets z -= y for z >= y.
func subInto{{.N}}(z, y *[{{.N}}]uint64) {
	var b uint64
	for i := range z {
		z[i], b = bits.Sub64(z[i], y[i], b)
	}
}

// subMod sets z = z - y mod m for z, y < m.
func subMod{{.N}}(z, y, m *[{{.N}}]uint64) {
	var b, c uint64
	for i := range z {
		z[i], b = bits.Sub64(z[i], y[i], b)
	}
	if b != 0 {
		for i := range z {
			z[i], c = bits.Add64(z[i], m[i], c)
		}
	}
}
`
