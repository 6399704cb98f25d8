package main

const edwardsTemplate = `
// edwards{{.N}} holds the twisted Edwards form u² + v² = 1 + d·u²·v² of a
// curve and the birational map of RFC 7836 Appendix A:
// x = s(1+v)/(1-v) + t, y = s(1+v)/((1-v)u), with s = (1-d)/4, t = (1+d)/6.
// As d is not a square, the addition law below is complete on the whole
// curve (Bernstein and Lange 2007, Theorem 3.3).
type edwards{{.N}} struct {
	d, s, t Elem{{.N}}

	baseOnce  sync.Once
	baseTable *[{{.Rows}}][16]edAffine{{.N}}

	// The verification-only base table (edWideBase), signed 7-bit windows.
	wideOnce  sync.Once
	wideTable *[{{.VRows}}][64]edAffine{{.N}}
}

// edPoint{{.N}} is a point in extended coordinates (X:Y:Z:T) with u = X/Z,
// v = Y/Z and T = XY/Z (Hisil, Wong, Carter, Dawson 2008). The identity is
// (0:1:1:0).
type edPoint{{.N}} struct {
	x, y, z, t Elem{{.N}}
}

// edAffine{{.N}} is an affine point (u, v) with dt = d·u·v precomputed.
type edAffine{{.N}} struct {
	x, y, dt Elem{{.N}}
}

func (c *Curve{{.N}}) newEdwards(d []byte) *edwards{{.N}} {
	m := c.p
	e := &edwards{{.N}}{}
	if e.d.SetBytes(d, m) == nil {
		panic("ec: internal error: Edwards d out of range")
	}
	var one, k, inv Elem{{.N}}
	one.One(m)
	small := func(v uint64) *Elem{{.N}} {
		var r Elem{{.N}}
		l := [{{.N}}]uint64{v}
		return r.fromLimbs(&l, m)
	}
	k.Sub(&one, &e.d, m)
	inv.Invert(small(4), m)
	e.s.Mul(&k, &inv, m)
	k.Add(&one, &e.d, m)
	inv.Invert(small(6), m)
	e.t.Mul(&k, &inv, m)
	// Check the map against the Weierstrass coefficients:
	// a = s² - 3t², b = 2t³ - t·s².
	var s2, t2, a, b Elem{{.N}}
	s2.Square(&e.s, m)
	t2.Square(&e.t, m)
	a.Mul(&t2, small(3), m).Sub(&s2, &a, m)
	b.Mul(&t2, &e.t, m).Add(&b, &b, m)
	k.Mul(&e.t, &s2, m)
	b.Sub(&b, &k, m)
	if a.Equal(&c.a)&b.Equal(&c.b) != 1 {
		panic("ec: internal error: Edwards parameters do not match the curve")
	}
	return e
}

// toEdwards maps the Weierstrass point (X:Y:Z), which must not be the
// identity or of order 2, to extended Edwards coordinates: with
// X' = X - tZ, u = X'/Y and v = (X' - sZ)/(X' + sZ). Constant-time.
func (c *Curve{{.N}}) toEdwards(r *edPoint{{.N}}, p *Point{{.N}}) {
	m, e := c.p, c.ed
	var xp, k, plus, minus, xe, ye, ze Elem{{.N}}
	k.Mul(&e.t, &p.z, m)
	xp.Sub(&p.x, &k, m)
	k.Mul(&e.s, &p.z, m)
	plus.Add(&xp, &k, m)
	minus.Sub(&xp, &k, m)
	xe.Mul(&xp, &plus, m)
	ye.Mul(&minus, &p.y, m)
	ze.Mul(&p.y, &plus, m)
	r.x.Mul(&xe, &ze, m)
	r.y.Mul(&ye, &ze, m)
	r.t.Mul(&xe, &ye, m)
	r.z.Square(&ze, m)
}

// fromEdwards maps an extended Edwards point to Weierstrass projective
// coordinates: X = (s(Z+Y) + t(Z-Y))·X_e, Y = s(Z+Y)·Z, Z = (Z-Y)·X_e.
// The Edwards identity becomes (0 : 2sZ² : 0). Constant-time.
func (c *Curve{{.N}}) fromEdwards(r *Point{{.N}}, p *edPoint{{.N}}) *Point{{.N}} {
	m, e := c.p, c.ed
	var plus, minus, sp, k Elem{{.N}}
	plus.Add(&p.z, &p.y, m)
	minus.Sub(&p.z, &p.y, m)
	sp.Mul(&e.s, &plus, m)
	k.Mul(&e.t, &minus, m)
	k.Add(&k, &sp, m)
	r.x.Mul(&k, &p.x, m)
	r.y.Mul(&sp, &p.z, m)
	r.z.Mul(&minus, &p.x, m)
	return r
}

func (c *Curve{{.N}}) edIdentity(r *edPoint{{.N}}) {
	r.x = Elem{{.N}}{}
	r.y = c.p.one
	r.z = c.p.one
	r.t = Elem{{.N}}{}
}

// edAdd sets r = p1 + p2, the unified addition "add-2008-hwcd" of Hisil et
// al. for e = 1: A = X1X2, B = Y1Y2, C = d·T1T2, D = Z1Z2,
// E = (X1+Y1)(X2+Y2) - A - B, F = D - C, G = D + C, H = B - A,
// X3 = EF, Y3 = GH, T3 = EH, Z3 = FG. Complete; constant-time.
func (c *Curve{{.N}}) edAdd(r, p1, p2 *edPoint{{.N}}) {
	m := c.p
	var a, b, cc, d, e, f, g, h, t Elem{{.N}}
	a.Mul(&p1.x, &p2.x, m)
	b.Mul(&p1.y, &p2.y, m)
	cc.Mul(&p1.t, &p2.t, m).Mul(&cc, &c.ed.d, m)
	d.Mul(&p1.z, &p2.z, m)
	e.Add(&p1.x, &p1.y, m)
	t.Add(&p2.x, &p2.y, m)
	e.Mul(&e, &t, m).Sub(&e, &a, m).Sub(&e, &b, m)
	f.Sub(&d, &cc, m)
	g.Add(&d, &cc, m)
	h.Sub(&b, &a, m)
	r.x.Mul(&e, &f, m)
	r.y.Mul(&g, &h, m)
	r.t.Mul(&e, &h, m)
	r.z.Mul(&f, &g, m)
}

// edAddAffine is edAdd with Z2 = 1 and d·T2 precomputed. Complete;
// constant-time.
func (c *Curve{{.N}}) edAddAffine(r, p1 *edPoint{{.N}}, p2 *edAffine{{.N}}) {
	m := c.p
	var a, b, cc, e, f, g, h, t Elem{{.N}}
	a.Mul(&p1.x, &p2.x, m)
	b.Mul(&p1.y, &p2.y, m)
	cc.Mul(&p1.t, &p2.dt, m)
	e.Add(&p1.x, &p1.y, m)
	t.Add(&p2.x, &p2.y, m)
	e.Mul(&e, &t, m).Sub(&e, &a, m).Sub(&e, &b, m)
	f.Sub(&p1.z, &cc, m)
	g.Add(&p1.z, &cc, m)
	h.Sub(&b, &a, m)
	r.x.Mul(&e, &f, m)
	r.y.Mul(&g, &h, m)
	r.t.Mul(&e, &h, m)
	r.z.Mul(&f, &g, m)
}

// edDouble sets r = 2·p, "dbl-2008-hwcd" for e = 1: A = X², B = Y²,
// C = 2Z², E = (X+Y)² - A - B, G = A + B, F = G - C, H = A - B,
// X3 = EF, Y3 = GH, T3 = EH, Z3 = FG. T3 is skipped unless withT, when
// the next operation is a doubling. Complete for d not a square;
// constant-time.
func (c *Curve{{.N}}) edDouble(r, p *edPoint{{.N}}, withT bool) {
	m := c.p
	var a, b, cc, e, f, g, h Elem{{.N}}
	a.Square(&p.x, m)
	b.Square(&p.y, m)
	cc.Square(&p.z, m)
	cc.Add(&cc, &cc, m)
	e.Add(&p.x, &p.y, m)
	e.Square(&e, m).Sub(&e, &a, m).Sub(&e, &b, m)
	g.Add(&a, &b, m)
	f.Sub(&g, &cc, m)
	h.Sub(&a, &b, m)
	r.x.Mul(&e, &f, m)
	r.y.Mul(&g, &h, m)
	if withT {
		r.t.Mul(&e, &h, m)
	}
	r.z.Mul(&f, &g, m)
}


// edScalarMult is scalarMult on the Edwards form: p is mapped over, a table
// of 1·p … 16·p is scanned in full for each signed 5-bit digit, and the
// result is mapped back. Constant-time.
func (c *Curve{{.N}}) edScalarMult(r, p *Point{{.N}}, k *[{{.N}}]uint64) *Point{{.N}} {
	m := c.p
	var table [16]edPoint{{.N}}
	c.toEdwards(&table[0], p)
	for i := 1; i < 16; i += 2 {
		c.edDouble(&table[i], &table[i/2], true)
		if i+1 < 16 {
			c.edAdd(&table[i+1], &table[i], &table[0])
		}
	}
	abs, neg := recode{{.N}}(k)
	var acc, t edPoint{{.N}}
	var nx, nt Elem{{.N}}
	c.edIdentity(&acc)
	for i := {{.Rows}} - 1; i >= 0; i-- {
		if i != {{.Rows}}-1 {
			for j := range 5 {
				c.edDouble(&acc, &acc, j == 4)
			}
		}
		lookupEdPoint{{.N}}(&t, &table, abs[i], &m.one)
		nx.Neg(&t.x, m)
		nt.Neg(&t.t, m)
		t.x.Select(&nx, &t.x, neg[i])
		t.t.Select(&nt, &t.t, neg[i])
		c.edAdd(&acc, &acc, &t)
	}
	return c.fromEdwards(r, &acc)
}

// edBase returns the Edwards base table: entry [i][j] is (j+1)·32^i·G.
func (c *Curve{{.N}}) edBase() *[{{.Rows}}][16]edAffine{{.N}} {
	e := c.ed
	e.baseOnce.Do(func() {
		m := c.p
		table := new([{{.Rows}}][16]edAffine{{.N}})
		var g Point{{.N}}
		g.x, g.y, g.z = c.gx, c.gy, m.one
		var eg edPoint{{.N}}
		c.toEdwards(&eg, &g)
		var row [16]edPoint{{.N}}
		var zs [16]Elem{{.N}}
		for i := range table {
			row[0] = eg
			for j := 1; j < 16; j++ {
				c.edAdd(&row[j], &row[j-1], &eg)
			}
			// Batch inversion of the Z coordinates.
			acc := m.one
			for j := range row {
				zs[j] = acc
				acc.Mul(&acc, &row[j].z, m)
			}
			var inv, zi Elem{{.N}}
			inv.Invert(&acc, m)
			for j := 15; j >= 0; j-- {
				zi.Mul(&inv, &zs[j], m)
				inv.Mul(&inv, &row[j].z, m)
				en := &table[i][j]
				en.x.Mul(&row[j].x, &zi, m)
				en.y.Mul(&row[j].y, &zi, m)
				en.dt.Mul(&en.x, &en.y, m).Mul(&en.dt, &e.d, m)
			}
			c.edDouble(&eg, &row[15], true) // 32·32^i·G
		}
		e.baseTable = table
	})
	return e.baseTable
}

// edScalarBaseMult is scalarBaseMult on the Edwards form, where the
// identity has an affine form and a zero digit needs no special case.
// Constant-time.
func (c *Curve{{.N}}) edScalarBaseMult(r *Point{{.N}}, k *[{{.N}}]uint64) *Point{{.N}} {
	m := c.p
	table := c.edBase()
	abs, neg := recode{{.N}}(k)
	var acc edPoint{{.N}}
	var t edAffine{{.N}}
	var nx, nt Elem{{.N}}
	c.edIdentity(&acc)
	for i := range table {
		lookupEdAffine{{.N}}(&t, &table[i], abs[i], &m.one)
		nx.Neg(&t.x, m)
		nt.Neg(&t.dt, m)
		t.x.Select(&nx, &t.x, neg[i])
		t.dt.Select(&nt, &t.dt, neg[i])
		c.edAddAffine(&acc, &acc, &t)
	}
	return c.fromEdwards(r, &acc)
}

// edVerifyMult is verifyMult on the Edwards form. Variable-time.
func (c *Curve{{.N}}) edVerifyMult(u1, u2 *[{{.N}}]uint64, q *Point{{.N}}) *Point{{.N}} {
	m := c.p
	var odd [8]edPoint{{.N}} // 1Q, 3Q, …, 15Q
	var q2, nq edPoint{{.N}}
	c.toEdwards(&odd[0], q)
	c.edDouble(&q2, &odd[0], true)
	for i := 1; i < 8; i++ {
		c.edAdd(&odd[i], &odd[i-1], &q2)
	}
	digits := wnaf{{.N}}(*u2)
	var acc edPoint{{.N}}
	c.edIdentity(&acc)
	top := len(digits) - 1
	for top >= 0 && digits[top] == 0 {
		top--
	}
	for i := top; i >= 0; i-- {
		d := digits[i]
		c.edDouble(&acc, &acc, d != 0 || i == 0) // T only when an addition uses it
		if d > 0 {
			c.edAdd(&acc, &acc, &odd[d/2])
		} else if d < 0 {
			nq = odd[(-d)/2]
			nq.x.Neg(&nq.x, m)
			nq.t.Neg(&nq.t, m)
			c.edAdd(&acc, &acc, &nq)
		}
	}
	c.edAddWide(&acc, u1)
	var r Point{{.N}}
	return c.fromEdwards(&r, &acc)
}

// edAddRows adds k·B to acc, where table[i][j] = (j+1)·32^i·B: one affine
// addition per nonzero signed 5-bit digit of k, no doubling. The digits
// index the table directly, so this is for public k and public tables
// only (verification). Variable-time.
func (c *Curve{{.N}}) edAddRows(acc *edPoint{{.N}}, table *[{{.Rows}}][16]edAffine{{.N}}, k *[{{.N}}]uint64) {
	m := c.p
	abs, neg := recode{{.N}}(k)
	var t edAffine{{.N}}
	for i := range table {
		if abs[i] == 0 {
			continue
		}
		t = table[i][abs[i]-1]
		if neg[i] == 1 {
			t.x.Neg(&t.x, m)
			t.dt.Neg(&t.dt, m)
		}
		c.edAddAffine(acc, acc, &t)
	}
}

// edRows returns the table of edAddRows for the point p (Weierstrass
// projective, of order q): entry [i][j] = (j+1)·32^i·p on the Edwards
// form. Variable-time (public p).
func (c *Curve{{.N}}) edRows(p *Point{{.N}}) *[{{.Rows}}][16]edAffine{{.N}} {
	var b edPoint{{.N}}
	c.toEdwards(&b, p)
	table := new([{{.Rows}}][16]edAffine{{.N}})
	c.edMultiples(&b, {{.Rows}}, 16, func(i, j int) *edAffine{{.N}} { return &table[i][j] })
	return table
}

// edWideBase returns the base table for verification only: entry [i][j]
// is (j+1)·128^i·G, for signed 7-bit windows, so that u1·G takes {{.VRows}}
// additions instead of {{.Rows}}. It is read with direct indexing (public
// scalars), never by signing, which keeps the constant-time 5-bit table.
// Built on first use.
func (c *Curve{{.N}}) edWideBase() *[{{.VRows}}][64]edAffine{{.N}} {
	e := c.ed
	e.wideOnce.Do(func() {
		var g Point{{.N}}
		g.x, g.y, g.z = c.gx, c.gy, c.p.one
		var b edPoint{{.N}}
		c.toEdwards(&b, &g)
		table := new([{{.VRows}}][64]edAffine{{.N}})
		c.edMultiples(&b, {{.VRows}}, 64, func(i, j int) *edAffine{{.N}} { return &table[i][j] })
		e.wideTable = table
	})
	return e.wideTable
}

// edAddWide adds k·G to acc with edWideBase: one affine addition per
// nonzero signed 7-bit digit of the public k. Variable-time.
func (c *Curve{{.N}}) edAddWide(acc *edPoint{{.N}}, k *[{{.N}}]uint64) {
	if isZero{{.N}}(k) {
		return // CheckPoint's q·P: no need to build the table
	}
	m := c.p
	table := c.edWideBase()
	d := recode7_{{.N}}(k)
	var t edAffine{{.N}}
	for i, v := range d {
		switch {
		case v > 0:
			c.edAddAffine(acc, acc, &table[i][v-1])
		case v < 0:
			t = table[i][-v-1]
			t.x.Neg(&t.x, m)
			t.dt.Neg(&t.dt, m)
			c.edAddAffine(acc, acc, &t)
		}
	}
}

// edMultiples writes (j+1)·(2·width)^i·b, for i < rows and j < width (a
// power of 2), to out(i, j) in affine form. The multiples are computed in
// extended coordinates, the even ones by doubling, and made affine with a
// single inversion for all of them (Montgomery's trick). Z ≠ 0
// everywhere, as the addition law is complete. Variable-time (public b).
func (c *Curve{{.N}}) edMultiples(b *edPoint{{.N}}, rows, width int, out func(i, j int) *edAffine{{.N}}) {
	m := c.p
	pts := make([]edPoint{{.N}}, rows*width)
	base := *b // (2·width)^i·b
	for i := 0; i < rows; i++ {
		row := pts[width*i : width*(i+1)]
		row[0] = base
		for j := 1; j < width; j += 2 {
			c.edDouble(&row[j], &row[j/2], true) // (j+1)·base = 2·((j+1)/2)·base
			if j+1 < width {
				c.edAdd(&row[j+1], &row[j], &base)
			}
		}
		c.edDouble(&base, &row[width-1], true)
	}
	prefix := make([]Elem{{.N}}, len(pts))
	acc := m.one
	for i := range pts {
		prefix[i] = acc
		acc.Mul(&acc, &pts[i].z, m)
	}
	var inv, zi Elem{{.N}}
	inv.Invert(&acc, m)
	for i := len(pts) - 1; i >= 0; i-- {
		zi.Mul(&inv, &prefix[i], m)
		inv.Mul(&inv, &pts[i].z, m)
		en := out(i/width, i%width)
		en.x.Mul(&pts[i].x, &zi, m)
		en.y.Mul(&pts[i].y, &zi, m)
		en.dt.Mul(&en.x, &en.y, m).Mul(&en.dt, &c.ed.d, m)
	}
}
`
