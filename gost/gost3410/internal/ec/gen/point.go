package main

const pointTemplate = `
// Curve{{.N}} is a short Weierstrass curve y² = x³ + ax + b over a prime field
// of at most {{.Bits}} bits, with a base point of prime order q.
type Curve{{.N}} struct {
	p, q     *Mod{{.N}}
	a, b, b3 Elem{{.N}} // Montgomery form; b3 = 3b
	aIsM3    bool  // a = -3: multiplications by a become subtractions
	gx, gy   Elem{{.N}}
	cofactor uint64

	baseOnce  sync.Once
	baseTable *[{{.Rows}}][16]affine{{.N}}

	// The verification-only base table (wideBase), signed 7-bit windows.
	wideOnce  sync.Once
	wideTable *[{{.VRows}}][64]affine{{.N}}

	// ed is set for curves birationally equivalent to a twisted Edwards
	// curve u² + v² = 1 + d·u²·v² (RFC 7836 Appendix A, e = 1) with d not
	// a square; scalar multiplication then runs on that curve.
	ed *edwards{{.N}}
}

// Point{{.N}} is a point in projective coordinates (X:Y:Z), x = X/Z,
// y = Y/Z; the identity is (0:1:0). The zero value is invalid.
type Point{{.N}} struct {
	x, y, z Elem{{.N}}
}

type affine{{.N}} struct {
	x, y Elem{{.N}}
}

// NewCurve{{.N}} returns the curve with the given big-endian parameters
// ({{.Bytes}} bytes each). It panics if they are malformed, since curves are
// package-level constants.
//
// edD, when not nil, is the d of the equivalent twisted Edwards curve with
// e = 1.
func NewCurve{{.N}}(p, q, a, b, gx, gy []byte, cofactor uint64, edD []byte) *Curve{{.N}} {
	c := &Curve{{.N}}{
		p:        newMod{{.N}}(limbsFromBytes{{.N}}(p)),
		q:        newMod{{.N}}(limbsFromBytes{{.N}}(q)),
		cofactor: cofactor,
	}
	for _, v := range []struct {
		dst *Elem{{.N}}
		src []byte
	}{{"{{"}}&c.a, a{{"}"}}, {&c.b, b}, {&c.gx, gx}, {&c.gy, gy}} {
		if v.dst.SetBytes(v.src, c.p) == nil {
			panic("ec: internal error: curve parameter out of range")
		}
	}
	c.b3.Add(&c.b, &c.b, c.p).Add(&c.b3, &c.b, c.p)
	var m3 Elem{{.N}}
	m3.One(c.p)
	m3.Add(&m3, &m3, c.p).Add(&m3, &c.p.one, c.p).Neg(&m3, c.p)
	c.aIsM3 = c.a.Equal(&m3) == 1
	if c.onCurve(&c.gx, &c.gy) != 1 {
		panic("ec: internal error: base point not on the curve")
	}
	if edD != nil {
		c.ed = c.newEdwards(edD)
	}
	return c
}

// Size returns the byte length of a field element and of a scalar.
func (c *Curve{{.N}}) Size() int { return {{.Bytes}} }

// mulA sets z = a·x.
func (c *Curve{{.N}}) mulA(z, x *Elem{{.N}}) {
	if c.aIsM3 {
		// The branch depends only on the curve, which is public.
		var t Elem{{.N}}
		t.Add(x, x, c.p).Add(&t, x, c.p)
		z.Neg(&t, c.p)
		return
	}
	z.Mul(x, &c.a, c.p)
}

// onCurve returns 1 if y² = x³ + ax + b, else 0. Constant-time.
func (c *Curve{{.N}}) onCurve(x, y *Elem{{.N}}) int {
	var l, r, t Elem{{.N}}
	l.Square(y, c.p)
	r.Square(x, c.p).Mul(&r, x, c.p)
	c.mulA(&t, x)
	r.Add(&r, &t, c.p).Add(&r, &c.b, c.p)
	return l.Equal(&r)
}

func (c *Curve{{.N}}) identity(q *Point{{.N}}) *Point{{.N}} {
	q.x = Elem{{.N}}{}
	q.y = c.p.one
	q.z = Elem{{.N}}{}
	return q
}

// add sets r = p1 + p2, with the complete formulas of Renes, Costello and
// Batina, "Complete addition formulas for prime order elliptic curves"
// (2016), Algorithm 1 (any a). They have no exceptional cases for points in
// a subgroup of odd order. r may alias p1 or p2. Constant-time.
func (c *Curve{{.N}}) add(r, p1, p2 *Point{{.N}}) *Point{{.N}} {
	if c.aIsM3 {
		return c.addM3(r, p1, p2)
	}
	m := c.p
	var t0, t1, t2, t3, t4, t5, x3, y3, z3 Elem{{.N}}
	t0.Mul(&p1.x, &p2.x, m)  // 1
	t1.Mul(&p1.y, &p2.y, m)  // 2
	t2.Mul(&p1.z, &p2.z, m)  // 3
	t3.Add(&p1.x, &p1.y, m)  // 4
	t4.Add(&p2.x, &p2.y, m)  // 5
	t3.Mul(&t3, &t4, m)      // 6
	t4.Add(&t0, &t1, m)      // 7
	t3.Sub(&t3, &t4, m)      // 8
	t4.Add(&p1.x, &p1.z, m)  // 9
	t5.Add(&p2.x, &p2.z, m)  // 10
	t4.Mul(&t4, &t5, m)      // 11
	t5.Add(&t0, &t2, m)      // 12
	t4.Sub(&t4, &t5, m)      // 13
	t5.Add(&p1.y, &p1.z, m)  // 14
	x3.Add(&p2.y, &p2.z, m)  // 15
	t5.Mul(&t5, &x3, m)      // 16
	x3.Add(&t1, &t2, m)      // 17
	t5.Sub(&t5, &x3, m)      // 18
	c.mulA(&z3, &t4)         // 19
	x3.Mul(&c.b3, &t2, m)    // 20
	z3.Add(&x3, &z3, m)      // 21
	x3.Sub(&t1, &z3, m)      // 22
	z3.Add(&t1, &z3, m)      // 23
	y3.Mul(&x3, &z3, m)      // 24
	t1.Add(&t0, &t0, m)      // 25
	t1.Add(&t1, &t0, m)      // 26
	c.mulA(&t2, &t2)         // 27
	t4.Mul(&c.b3, &t4, m)    // 28
	t1.Add(&t1, &t2, m)      // 29
	t2.Sub(&t0, &t2, m)      // 30
	c.mulA(&t2, &t2)         // 31
	t4.Add(&t4, &t2, m)      // 32
	t0.Mul(&t1, &t4, m)      // 33
	y3.Add(&y3, &t0, m)      // 34
	t0.Mul(&t5, &t4, m)      // 35
	x3.Mul(&t3, &x3, m)      // 36
	x3.Sub(&x3, &t0, m)      // 37
	t0.Mul(&t3, &t1, m)      // 38
	z3.Mul(&t5, &z3, m)      // 39
	z3.Add(&z3, &t0, m)      // 40
	r.x, r.y, r.z = x3, y3, z3
	return r
}

// addAffine sets r = p1 + (x2, y2), RCB 2016 Algorithm 2 (mixed addition,
// any a). The affine point cannot be the identity. Constant-time.
func (c *Curve{{.N}}) addAffine(r, p1 *Point{{.N}}, p2 *affine{{.N}}) *Point{{.N}} {
	if c.aIsM3 {
		return c.addAffineM3(r, p1, p2)
	}
	m := c.p
	var t0, t1, t2, t3, t4, t5, x3, y3, z3 Elem{{.N}}
	t0.Mul(&p1.x, &p2.x, m)  // 1
	t1.Mul(&p1.y, &p2.y, m)  // 2
	t3.Add(&p2.x, &p2.y, m)  // 3
	t4.Add(&p1.x, &p1.y, m)  // 4
	t3.Mul(&t3, &t4, m)      // 5
	t4.Add(&t0, &t1, m)      // 6
	t3.Sub(&t3, &t4, m)      // 7
	t4.Mul(&p2.x, &p1.z, m)  // 8
	t4.Add(&t4, &p1.x, m)    // 9
	t5.Mul(&p2.y, &p1.z, m)  // 10
	t5.Add(&t5, &p1.y, m)    // 11
	c.mulA(&z3, &t4)         // 12
	x3.Mul(&c.b3, &p1.z, m)  // 13
	z3.Add(&x3, &z3, m)      // 14
	x3.Sub(&t1, &z3, m)      // 15
	z3.Add(&t1, &z3, m)      // 16
	y3.Mul(&x3, &z3, m)      // 17
	t1.Add(&t0, &t0, m)      // 18
	t1.Add(&t1, &t0, m)      // 19
	c.mulA(&t2, &p1.z)       // 20
	t4.Mul(&c.b3, &t4, m)    // 21
	t1.Add(&t1, &t2, m)      // 22
	t2.Sub(&t0, &t2, m)      // 23
	c.mulA(&t2, &t2)         // 24
	t4.Add(&t4, &t2, m)      // 25
	t0.Mul(&t1, &t4, m)      // 26
	y3.Add(&y3, &t0, m)      // 27
	t0.Mul(&t5, &t4, m)      // 28
	x3.Mul(&t3, &x3, m)      // 29
	x3.Sub(&x3, &t0, m)      // 30
	t0.Mul(&t3, &t1, m)      // 31
	z3.Mul(&t5, &z3, m)      // 32
	z3.Add(&z3, &t0, m)      // 33
	r.x, r.y, r.z = x3, y3, z3
	return r
}

// double sets r = 2·p1, RCB 2016 Algorithm 3 (any a). r may alias p1.
// Constant-time.
func (c *Curve{{.N}}) double(r, p1 *Point{{.N}}) *Point{{.N}} {
	if c.aIsM3 {
		return c.doubleM3(r, p1)
	}
	m := c.p
	var t0, t1, t2, t3, x3, y3, z3 Elem{{.N}}
	t0.Square(&p1.x, m)      // 1
	t1.Square(&p1.y, m)      // 2
	t2.Square(&p1.z, m)      // 3
	t3.Mul(&p1.x, &p1.y, m)  // 4
	t3.Add(&t3, &t3, m)      // 5
	z3.Mul(&p1.x, &p1.z, m)  // 6
	z3.Add(&z3, &z3, m)      // 7
	c.mulA(&x3, &z3)         // 8
	y3.Mul(&c.b3, &t2, m)    // 9
	y3.Add(&x3, &y3, m)      // 10
	x3.Sub(&t1, &y3, m)      // 11
	y3.Add(&t1, &y3, m)      // 12
	y3.Mul(&x3, &y3, m)      // 13
	x3.Mul(&t3, &x3, m)      // 14
	z3.Mul(&c.b3, &z3, m)    // 15
	c.mulA(&t2, &t2)         // 16
	t3.Sub(&t0, &t2, m)      // 17
	c.mulA(&t3, &t3)         // 18
	t3.Add(&t3, &z3, m)      // 19
	z3.Add(&t0, &t0, m)      // 20
	t0.Add(&z3, &t0, m)      // 21
	t0.Add(&t0, &t2, m)      // 22
	t0.Mul(&t0, &t3, m)      // 23
	y3.Add(&y3, &t0, m)      // 24
	t2.Mul(&p1.y, &p1.z, m)  // 25
	t2.Add(&t2, &t2, m)      // 26
	z3.Mul(&t2, &t3, m)      // 27
	x3.Sub(&x3, &z3, m)      // 28
	z3.Mul(&t2, &t1, m)      // 29
	z3.Add(&z3, &z3, m)      // 30
	z3.Add(&z3, &z3, m)      // 31
	r.x, r.y, r.z = x3, y3, z3
	return r
}

// addM3 is add for a = -3, RCB 2016 Algorithm 4. Complete for odd-order
// subgroups; r may alias p1 or p2. Constant-time.
func (c *Curve{{.N}}) addM3(r, p1, p2 *Point{{.N}}) *Point{{.N}} {
	m := c.p
	var t0, t1, t2, t3, t4, x3, y3, z3 Elem{{.N}}
	t0.Mul(&p1.x, &p2.x, m) // 1
	t1.Mul(&p1.y, &p2.y, m) // 2
	t2.Mul(&p1.z, &p2.z, m) // 3
	t3.Add(&p1.x, &p1.y, m) // 4
	t4.Add(&p2.x, &p2.y, m) // 5
	t3.Mul(&t3, &t4, m)     // 6
	t4.Add(&t0, &t1, m)     // 7
	t3.Sub(&t3, &t4, m)     // 8
	t4.Add(&p1.y, &p1.z, m) // 9
	x3.Add(&p2.y, &p2.z, m) // 10
	t4.Mul(&t4, &x3, m)     // 11
	x3.Add(&t1, &t2, m)     // 12
	t4.Sub(&t4, &x3, m)     // 13
	x3.Add(&p1.x, &p1.z, m) // 14
	y3.Add(&p2.x, &p2.z, m) // 15
	x3.Mul(&x3, &y3, m)     // 16
	y3.Add(&t0, &t2, m)     // 17
	y3.Sub(&x3, &y3, m)     // 18
	z3.Mul(&c.b, &t2, m)    // 19
	x3.Sub(&y3, &z3, m)     // 20
	z3.Add(&x3, &x3, m)     // 21
	x3.Add(&x3, &z3, m)     // 22
	z3.Sub(&t1, &x3, m)     // 23
	x3.Add(&t1, &x3, m)     // 24
	y3.Mul(&c.b, &y3, m)    // 25
	t1.Add(&t2, &t2, m)     // 26
	t2.Add(&t1, &t2, m)     // 27
	y3.Sub(&y3, &t2, m)     // 28
	y3.Sub(&y3, &t0, m)     // 29
	t1.Add(&y3, &y3, m)     // 30
	y3.Add(&t1, &y3, m)     // 31
	t1.Add(&t0, &t0, m)     // 32
	t0.Add(&t1, &t0, m)     // 33
	t0.Sub(&t0, &t2, m)     // 34
	t1.Mul(&t4, &y3, m)     // 35
	t2.Mul(&t0, &y3, m)     // 36
	y3.Mul(&x3, &z3, m)     // 37
	y3.Add(&y3, &t2, m)     // 38
	x3.Mul(&t3, &x3, m)     // 39
	x3.Sub(&x3, &t1, m)     // 40
	z3.Mul(&t4, &z3, m)     // 41
	t1.Mul(&t3, &t0, m)     // 42
	z3.Add(&z3, &t1, m)     // 43
	r.x, r.y, r.z = x3, y3, z3
	return r
}

// addAffineM3 is addAffine for a = -3, RCB 2016 Algorithm 5. Constant-time.
func (c *Curve{{.N}}) addAffineM3(r, p1 *Point{{.N}}, p2 *affine{{.N}}) *Point{{.N}} {
	m := c.p
	var t0, t1, t2, t3, t4, x3, y3, z3 Elem{{.N}}
	t0.Mul(&p1.x, &p2.x, m) // 1
	t1.Mul(&p1.y, &p2.y, m) // 2
	t3.Add(&p2.x, &p2.y, m) // 3
	t4.Add(&p1.x, &p1.y, m) // 4
	t3.Mul(&t3, &t4, m)     // 5
	t4.Add(&t0, &t1, m)     // 6
	t3.Sub(&t3, &t4, m)     // 7
	t4.Mul(&p2.y, &p1.z, m) // 8
	t4.Add(&t4, &p1.y, m)   // 9
	y3.Mul(&p2.x, &p1.z, m) // 10
	y3.Add(&y3, &p1.x, m)   // 11
	z3.Mul(&c.b, &p1.z, m)  // 12
	x3.Sub(&y3, &z3, m)     // 13
	z3.Add(&x3, &x3, m)     // 14
	x3.Add(&x3, &z3, m)     // 15
	z3.Sub(&t1, &x3, m)     // 16
	x3.Add(&t1, &x3, m)     // 17
	y3.Mul(&c.b, &y3, m)    // 18
	t1.Add(&p1.z, &p1.z, m) // 19
	t2.Add(&t1, &p1.z, m)   // 20
	y3.Sub(&y3, &t2, m)     // 21
	y3.Sub(&y3, &t0, m)     // 22
	t1.Add(&y3, &y3, m)     // 23
	y3.Add(&t1, &y3, m)     // 24
	t1.Add(&t0, &t0, m)     // 25
	t0.Add(&t1, &t0, m)     // 26
	t0.Sub(&t0, &t2, m)     // 27
	t1.Mul(&t4, &y3, m)     // 28
	t2.Mul(&t0, &y3, m)     // 29
	y3.Mul(&x3, &z3, m)     // 30
	y3.Add(&y3, &t2, m)     // 31
	x3.Mul(&t3, &x3, m)     // 32
	x3.Sub(&x3, &t1, m)     // 33
	z3.Mul(&t4, &z3, m)     // 34
	t1.Mul(&t3, &t0, m)     // 35
	z3.Add(&z3, &t1, m)     // 36
	r.x, r.y, r.z = x3, y3, z3
	return r
}

// doubleM3 is double for a = -3, RCB 2016 Algorithm 6. r may alias p1.
// Constant-time.
func (c *Curve{{.N}}) doubleM3(r, p1 *Point{{.N}}) *Point{{.N}} {
	m := c.p
	var t0, t1, t2, t3, x3, y3, z3 Elem{{.N}}
	t0.Square(&p1.x, m)     // 1
	t1.Square(&p1.y, m)     // 2
	t2.Square(&p1.z, m)     // 3
	t3.Mul(&p1.x, &p1.y, m) // 4
	t3.Add(&t3, &t3, m)     // 5
	z3.Mul(&p1.x, &p1.z, m) // 6
	z3.Add(&z3, &z3, m)     // 7
	y3.Mul(&c.b, &t2, m)    // 8
	y3.Sub(&y3, &z3, m)     // 9
	x3.Add(&y3, &y3, m)     // 10
	y3.Add(&x3, &y3, m)     // 11
	x3.Sub(&t1, &y3, m)     // 12
	y3.Add(&t1, &y3, m)     // 13
	y3.Mul(&x3, &y3, m)     // 14
	x3.Mul(&x3, &t3, m)     // 15
	t3.Add(&t2, &t2, m)     // 16
	t2.Add(&t2, &t3, m)     // 17
	z3.Mul(&c.b, &z3, m)    // 18
	z3.Sub(&z3, &t2, m)     // 19
	z3.Sub(&z3, &t0, m)     // 20
	t3.Add(&z3, &z3, m)     // 21
	z3.Add(&z3, &t3, m)     // 22
	t3.Add(&t0, &t0, m)     // 23
	t0.Add(&t3, &t0, m)     // 24
	t0.Sub(&t0, &t2, m)     // 25
	t0.Mul(&t0, &z3, m)     // 26
	y3.Add(&y3, &t0, m)     // 27
	t0.Mul(&p1.y, &p1.z, m) // 28
	t0.Add(&t0, &t0, m)     // 29
	z3.Mul(&t0, &z3, m)     // 30
	x3.Sub(&x3, &z3, m)     // 31
	z3.Mul(&t0, &t1, m)     // 32
	z3.Add(&z3, &z3, m)     // 33
	z3.Add(&z3, &z3, m)     // 34
	r.x, r.y, r.z = x3, y3, z3
	return r
}

// selectPoint sets r = a if cond == 1, r = b if cond == 0. Constant-time.
func selectPoint{{.N}}(r, a, b *Point{{.N}}, cond int) {
	r.x.Select(&a.x, &b.x, cond)
	r.y.Select(&a.y, &b.y, cond)
	r.z.Select(&a.z, &b.z, cond)
}

// ctEq returns 1 if a == b, else 0, for small non-negative ints.
// Constant-time.
func ctEq{{.N}}(a, b uint64) int {
	d := a ^ b
	return int(1 ^ ((d | -d) >> 63))
}

// affineXY returns the affine coordinates of p and 1, or zeros and 0 for
// the identity. Constant-time.
func (c *Curve{{.N}}) affineXY(p *Point{{.N}}) (x, y Elem{{.N}}, ok int) {
	var zi Elem{{.N}}
	zi.Invert(&p.z, c.p)
	x.Mul(&p.x, &zi, c.p)
	y.Mul(&p.y, &zi, c.p)
	return x, y, 1 - p.z.IsZero()
}

// window5 returns the 5 bits of k at bit position pos (public), zero
// beyond the top.
func window5_{{.N}}(k *[{{.N}}]uint64, pos int) uint64 {
	limb, off := pos/64, pos%64
	v := k[limb] >> off
	if off > 59 && limb+1 < {{.N}} {
		v |= k[limb+1] << (64 - off)
	}
	return v & 31
}

// recode writes k < 2^{{.Bits}} as {{.Rows}} signed 5-bit digits,
// k = Σ (-1)^neg[i]·abs[i]·32^i with abs[i] in [0, 16]. The top digit
// absorbs the last carry, since {{.Rows}}·5 > {{.Bits}}. Constant-time.
func recode{{.N}}(k *[{{.N}}]uint64) (abs [{{.Rows}}]uint64, neg [{{.Rows}}]int) {
	var carry uint64
	for i := range abs {
		v := window5_{{.N}}(k, 5*i) + carry // 0..32
		carry = (16 - v) >> 63             // 1 when v > 16
		mask := -carry
		abs[i] = v ^ (mask & (v ^ (32 - v)))
		neg[i] = int(carry)
	}
	return abs, neg
}

// scalarMult sets r = k·p for an integer k < 2^{{.Bits}} given as limbs, least
// significant first: signed 5-bit windows over a table of 1·p … 16·p,
// where every lookup reads the whole table. Constant-time.
func (c *Curve{{.N}}) scalarMult(r, p *Point{{.N}}, k *[{{.N}}]uint64) *Point{{.N}} {
	if c.ed != nil {
		return c.edScalarMult(r, p, k)
	}
	var table [16]Point{{.N}}
	table[0] = *p
	for i := 1; i < 16; i += 2 {
		c.double(&table[i], &table[i/2])
		if i+1 < 16 {
			c.add(&table[i+1], &table[i], p)
		}
	}
	abs, neg := recode{{.N}}(k)
	var acc, t Point{{.N}}
	var ny Elem{{.N}}
	c.identity(&acc)
	for i := {{.Rows}} - 1; i >= 0; i-- {
		if i != {{.Rows}}-1 {
			for range 5 {
				c.double(&acc, &acc)
			}
		}
		lookupPoint{{.N}}(&t, &table, abs[i], &c.p.one)
		ny.Neg(&t.y, c.p)
		t.y.Select(&ny, &t.y, neg[i])
		c.add(&acc, &acc, &t)
	}
	*r = acc
	return r
}

// base returns the precomputed multiples of the base point: entry [i][j]
// is (j+1)·32^i·G in affine form. It is built on first use.
func (c *Curve{{.N}}) base() *[{{.Rows}}][16]affine{{.N}} {
	c.baseOnce.Do(func() {
		table := new([{{.Rows}}][16]affine{{.N}})
		var g Point{{.N}}
		g.x, g.y, g.z = c.gx, c.gy, c.p.one
		var row [16]Point{{.N}}
		for i := range table {
			row[0] = g
			for j := 1; j < 16; j++ {
				c.add(&row[j], &row[j-1], &g)
			}
			c.batchAffine(table[i][:], row[:])
			c.double(&g, &row[15]) // 32·32^i·G
		}
		c.baseTable = table
	})
	return c.baseTable
}

// batchAffine converts points (none the identity) to affine form with one
// inversion (Montgomery's trick). Public data only.
func (c *Curve{{.N}}) batchAffine(out []affine{{.N}}, in []Point{{.N}}) {
	m := c.p
	prefix := make([]Elem{{.N}}, len(in))
	acc := m.one
	for i := range in {
		prefix[i] = acc
		acc.Mul(&acc, &in[i].z, m)
	}
	var inv, zi Elem{{.N}}
	inv.Invert(&acc, m)
	for i := len(in) - 1; i >= 0; i-- {
		zi.Mul(&inv, &prefix[i], m)
		inv.Mul(&inv, &in[i].z, m)
		out[i].x.Mul(&in[i].x, &zi, m)
		out[i].y.Mul(&in[i].y, &zi, m)
	}
}

// scalarBaseMult sets r = k·G for an integer k < 2^{{.Bits}}, adding one
// precomputed multiple per signed 5-bit window (no doublings). Every lookup
// reads the whole row. Constant-time.
func (c *Curve{{.N}}) scalarBaseMult(r *Point{{.N}}, k *[{{.N}}]uint64) *Point{{.N}} {
	if c.ed != nil {
		return c.edScalarBaseMult(r, k)
	}
	table := c.base()
	abs, neg := recode{{.N}}(k)
	var acc, sum Point{{.N}}
	var t affine{{.N}}
	var ny Elem{{.N}}
	c.identity(&acc)
	for i := range table {
		lookupAffine{{.N}}(&t, &table[i], abs[i], &c.p.one)
		ny.Neg(&t.y, c.p)
		t.y.Select(&ny, &t.y, neg[i])
		c.addAffine(&sum, &acc, &t)
		selectPoint{{.N}}(&acc, &sum, &acc, 1-ctEq{{.N}}(0, abs[i]))
	}
	*r = acc
	return r
}

// recode7 writes the public k < 2^{{.Bits}} as {{.VRows}} signed 7-bit digits
// in [-63, 64], k = Σ d[i]·128^i; the top digit takes the last carry, as
// {{.VRows}}·7 > {{.Bits}}. Variable-time.
func recode7_{{.N}}(k *[{{.N}}]uint64) (d [{{.VRows}}]int8) {
	var carry int64
	for i := range d {
		limb, off := 7*i/64, 7*i%64
		w := k[limb] >> off
		if off > 57 && limb+1 < {{.N}} {
			w |= k[limb+1] << (64 - off)
		}
		v := int64(w&127) + carry
		carry = 0
		if v > 64 {
			v -= 128
			carry = 1
		}
		d[i] = int8(v)
	}
	return d
}

// wnaf returns the width-5 non-adjacent form of k: digits odd in [-15, 15]
// or zero, k = Σ d[i]·2^i. Variable-time (public scalars only).
func wnaf{{.N}}(in [{{.N}}]uint64) (d [{{.Bits}} + 2]int8) {
	var k [{{.N}} + 1]uint64 // one spare limb for the carry of k + 15
	copy(k[:], in[:])
	for i := range d {
		if k[0]&1 == 1 {
			v := int64(k[0] & 31)
			if v >= 16 {
				v -= 32
			}
			d[i] = int8(v)
			// k -= v, which clears the low 5 bits.
			var b uint64
			if v > 0 {
				k[0], b = bits.Sub64(k[0], uint64(v), 0)
				for j := 1; j < len(k); j++ {
					k[j], b = bits.Sub64(k[j], 0, b)
				}
			} else {
				k[0], b = bits.Add64(k[0], uint64(-v), 0)
				for j := 1; j < len(k); j++ {
					k[j], b = bits.Add64(k[j], 0, b)
				}
			}
		}
		for j := 0; j < len(k)-1; j++ {
			k[j] = k[j]>>1 | k[j+1]<<63
		}
		k[len(k)-1] >>= 1
	}
	return d
}

// verifyMult returns u1·G + u2·Q for public u1, u2 < q. The G part adds one
// point of the verification base table per signed 7-bit window, the Q
// part runs width-5 NAF double-and-add over odd multiples of Q.
// Variable-time.
func (c *Curve{{.N}}) verifyMult(u1, u2 *[{{.N}}]uint64, q *Point{{.N}}) *Point{{.N}} {
	if c.ed != nil {
		return c.edVerifyMult(u1, u2, q)
	}
	return c.jacVerifyMult(u1, u2, q)
}

// rcbVerifyMult is verifyMult with the complete formulas, kept as the
// reference for the Jacobian path in tests.
func (c *Curve{{.N}}) rcbVerifyMult(u1, u2 *[{{.N}}]uint64, q *Point{{.N}}) *Point{{.N}} {
	var odd [8]Point{{.N}} // 1Q, 3Q, …, 15Q
	var q2, nq Point{{.N}}
	odd[0] = *q
	c.double(&q2, q)
	for i := 1; i < 8; i++ {
		c.add(&odd[i], &odd[i-1], &q2)
	}
	digits := wnaf{{.N}}(*u2)
	acc := new(Point{{.N}})
	c.identity(acc)
	top := len(digits) - 1
	for top >= 0 && digits[top] == 0 {
		top--
	}
	for i := top; i >= 0; i-- {
		c.double(acc, acc)
		if d := digits[i]; d > 0 {
			c.add(acc, acc, &odd[d/2])
		} else if d < 0 {
			nq = odd[(-d)/2]
			nq.y.Neg(&nq.y, c.p)
			c.add(acc, acc, &nq)
		}
	}
	table := c.base()
	abs, neg := recode{{.N}}(u1)
	var t affine{{.N}}
	for i := range table {
		if abs[i] == 0 {
			continue
		}
		t = table[i][abs[i]-1]
		if neg[i] == 1 {
			t.y.Neg(&t.y, c.p)
		}
		c.addAffine(acc, acc, &t)
	}
	return acc
}

// scalarLimbs reads a big-endian scalar of {{.Bytes}} bytes.
func scalarLimbs{{.N}}(b []byte) [{{.N}}]uint64 {
	return limbsFromBytes{{.N}}(b)
}

// ScalarValid returns 1 if the big-endian d of {{.Bytes}} bytes lies in
// [1, q-1], else 0. Constant-time in d.
func (c *Curve{{.N}}) ScalarValid(d []byte) int {
	if len(d) != {{.Bytes}} {
		return 0
	}
	x := scalarLimbs{{.N}}(d)
	e := Elem{{.N}}{l: x}
	return lessThan{{.N}}(&x, &c.q.p) & (1 - e.IsZero())
}

// ReduceWide returns the big-endian {{.Bytes}}-byte residue mod q of the
// big-endian integer b of {{.Bytes}}*2 bytes. Constant-time.
func (c *Curve{{.N}}) ReduceWide(b []byte) []byte {
	if len(b) != 2*{{.Bytes}} {
		panic("ec: internal error: ReduceWide length")
	}
	hi := limbsFromBytes{{.N}}(b[:{{.Bytes}}])
	lo := limbsFromBytes{{.N}}(b[{{.Bytes}}:])
	var h, l Elem{{.N}}
	h.fromLimbs(&hi, c.q)       // hi
	h.Mul(&h, &c.q.r, c.q)      // hi·2^{{.Bits}}
	l.fromLimbs(&lo, c.q)       // lo
	h.Add(&h, &l, c.q)
	return h.Bytes(c.q)
}

// pointFromBytes decodes the big-endian X||Y and reports whether both
// coordinates are below p and the point is on the curve. Constant-time.
func (c *Curve{{.N}}) pointFromBytes(b []byte) (Point{{.N}}, int) {
	var pt Point{{.N}}
	if len(b) != 2*{{.Bytes}} {
		return pt, 0
	}
	x := limbsFromBytes{{.N}}(b[:{{.Bytes}}])
	y := limbsFromBytes{{.N}}(b[{{.Bytes}}:])
	ok := lessThan{{.N}}(&x, &c.p.p) & lessThan{{.N}}(&y, &c.p.p)
	pt.x.fromLimbs(&x, c.p)
	pt.y.fromLimbs(&y, c.p)
	pt.z = c.p.one
	return pt, ok & c.onCurve(&pt.x, &pt.y)
}

// CheckPoint validates the big-endian X||Y of a public key: the length,
// both coordinates below p, the curve equation, and, when the cofactor is
// not 1, membership in the subgroup of order q. The identity has no
// encoding here and so cannot pass. Variable-time (public input).
func (c *Curve{{.N}}) CheckPoint(b []byte) error {
	if len(b) != 2*{{.Bytes}} {
		return errLength
	}
	x := limbsFromBytes{{.N}}(b[:{{.Bytes}}])
	y := limbsFromBytes{{.N}}(b[{{.Bytes}}:])
	if lessThan{{.N}}(&x, &c.p.p)&lessThan{{.N}}(&y, &c.p.p) == 0 {
		return errRange
	}
	pt, ok := c.pointFromBytes(b)
	if ok == 0 {
		return errOffCurve
	}
	if c.cofactor != 1 {
		// q·P must be exactly the identity (0:Y:0) with Y ≠ 0; a degenerate
		// (0:0:0), which the Edwards map gives for the point of order 2,
		// does not count. Variable-time, as P is public.
		var zero [{{.N}}]uint64
		t := c.verifyMult(&zero, &c.q.p, &pt)
		if t.x.IsZero()&t.z.IsZero()&(1-t.y.IsZero()) != 1 {
			return errSubgroup
		}
	}
	return nil
}

// encode returns the big-endian X||Y of p, or an error for the identity.
func (c *Curve{{.N}}) encode(p *Point{{.N}}) ([]byte, error) {
	x, y, ok := c.affineXY(p)
	if ok == 0 {
		return nil, errInfinity
	}
	out := make([]byte, 0, 2*{{.Bytes}})
	out = append(out, x.Bytes(c.p)...)
	return append(out, y.Bytes(c.p)...), nil
}

// PublicKey returns the big-endian X||Y of d·G for a valid scalar d.
// Constant-time in d.
func (c *Curve{{.N}}) PublicKey(d []byte) []byte {
	k := scalarLimbs{{.N}}(d)
	var pt Point{{.N}}
	c.scalarBaseMult(&pt, &k)
	out, err := c.encode(&pt)
	if err != nil {
		panic("ec: internal error: public key is the identity")
	}
	return out
}

// Sign computes the signature of GOST R 34.10-2012 §6.1 steps 3–5 from the
// private key d and nonce k (valid scalars) and the digest integer e
// ({{.Bytes}} bytes; all big-endian): r = x(k·G) mod q and
// s = r·d + k·e mod q, with e replaced by 1 when e ≡ 0. It returns r, s and
// 1, or 0 when r or s is zero and a new k is needed. Constant-time.
func (c *Curve{{.N}}) Sign(d, k, e []byte) (r, s []byte, ok int) {
	q := c.q
	kl := scalarLimbs{{.N}}(k)
	var pt Point{{.N}}
	c.scalarBaseMult(&pt, &kl)
	x, _, _ := c.affineXY(&pt)
	xl := x.limbs(c.p)
	var rq, dq, kq, eq, t Elem{{.N}}
	rq.fromLimbs(&xl, q)
	dl := scalarLimbs{{.N}}(d)
	dq.fromLimbs(&dl, q)
	kq.fromLimbs(&kl, q)
	el := scalarLimbs{{.N}}(e)
	eq.fromLimbs(&el, q)
	eq.Select(&q.one, &eq, eq.IsZero())
	t.Mul(&kq, &eq, q)
	eq.Mul(&rq, &dq, q)
	t.Add(&t, &eq, q)
	return rq.Bytes(q), t.Bytes(q), (1 - rq.IsZero()) & (1 - t.IsZero())
}

// Verify checks the signature (r, s) of the digest integer e under the
// public key X||Y (all big-endian; the key already checked with
// CheckPoint), as in GOST R 34.10-2012 §6.2. Variable-time: every input is
// public.
func (c *Curve{{.N}}) Verify(pub, e, r, s []byte) bool {
	u1, u2, ok := c.verifyScalars(e, r, s)
	if !ok {
		return false
	}
	qp, on := c.pointFromBytes(pub)
	if on == 0 {
		return false
	}
	return c.verifyResult(c.verifyMult(&u1, &u2, &qp), r)
}

// verifyScalars runs GOST R 34.10-2012 §6.2 steps 1–5 up to the point
// multiplication: it checks that r and s lie in [1, q-1] and returns
// z1 = s·v and z2 = -r·v mod q, with v = e⁻¹ (e ≡ 0 replaced by 1).
// Variable-time (public input).
func (c *Curve{{.N}}) verifyScalars(e, r, s []byte) (z1l, z2l [{{.N}}]uint64, ok bool) {
	q := c.q
	if len(r) != {{.Bytes}} || len(s) != {{.Bytes}} || len(e) != {{.Bytes}} {
		return z1l, z2l, false
	}
	if c.ScalarValid(r) == 0 || c.ScalarValid(s) == 0 {
		return z1l, z2l, false
	}
	var rq, sq, eq, v, z1, z2 Elem{{.N}}
	rq.SetBytes(r, q)
	sq.SetBytes(s, q)
	el := scalarLimbs{{.N}}(e)
	eq.fromLimbs(&el, q)
	if eq.IsZero() == 1 {
		eq = q.one
	}
	el = eq.limbs(q)
	vl := invVartime{{.N}}(el, &q.p)
	v.fromLimbs(&vl, q)
	z1.Mul(&sq, &v, q)
	z2.Mul(&rq, &v, q).Neg(&z2, q)
	return z1.limbs(q), z2.limbs(q), true
}

// verifyResult runs GOST R 34.10-2012 §6.2 step 6 on C = z1·P + z2·Q: it
// reports whether x(C) ≡ r (mod q), false for the identity. Variable-time.
func (c *Curve{{.N}}) verifyResult(pt *Point{{.N}}, r []byte) bool {
	q := c.q
	if pt.z.IsZero() == 1 {
		return false
	}
	// x = r + j·q < p for some j, compared projectively as X = (r + j·q)·Z
	// to skip an inversion.
	cand := scalarLimbs{{.N}}(r)
	var xr Elem{{.N}}
	for lessThan{{.N}}(&cand, &c.p.p) == 1 {
		xr.fromLimbs(&cand, c.p)
		xr.Mul(&xr, &pt.z, c.p)
		if xr.Equal(&pt.x) == 1 {
			return true
		}
		var carry uint64
		for i := range cand {
			cand[i], carry = bits.Add64(cand[i], q.p[i], carry)
		}
		if carry != 0 {
			break
		}
	}
	return false
}

// SharedPoint returns the big-endian X||Y of (cofactor·ukm·d mod q)·Q for the
// valid scalar d, an integer ukm < 2^{{.Bits}} and the checked public key Q,
// as in RFC 7836 §4.3. Constant-time in d.
func (c *Curve{{.N}}) SharedPoint(d, ukm, pub []byte) ([]byte, error) {
	q := c.q
	qp, ok := c.pointFromBytes(pub)
	if ok == 0 {
		return nil, errOffCurve
	}
	dl, ul := scalarLimbs{{.N}}(d), scalarLimbs{{.N}}(ukm)
	var dq, uq, hq Elem{{.N}}
	dq.fromLimbs(&dl, q)
	uq.fromLimbs(&ul, q)
	uq.Select(&q.one, &uq, uq.IsZero()) // UKM ≡ 0 becomes 1 (see gost3410.PrivateKey.SharedPoint)
	hq.fromLimbs(&[{{.N}}]uint64{c.cofactor}, q)
	dq.Mul(&dq, &uq, q).Mul(&dq, &hq, q)
	kl := dq.limbs(q)
	var pt Point{{.N}}
	c.scalarMult(&pt, &qp, &kl)
	return c.encode(&pt)
}
`
