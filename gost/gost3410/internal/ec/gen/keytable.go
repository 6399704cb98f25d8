package main

// keyTableTemplate: per-public-key tables for verification, in the layout
// of the base tables, so that u1·G + u2·Q needs no doubling.
const keyTableTemplate = `
// keyTable{{.N}} holds the multiples (j+1)·32^i·Q of one public key Q in
// the layout of the base table, on the curve's Edwards form when it has
// one. Read-only once built.
type keyTable{{.N}} struct {
	c  *Curve{{.N}}
	w  *[{{.Rows}}][16]affine{{.N}}   // short Weierstrass curves
	ed *[{{.Rows}}][16]edAffine{{.N}} // Edwards-equivalent curves
}

// bytes returns the size of the table's entries.
func (t *keyTable{{.N}}) bytes() int {
	if t.ed != nil {
		return {{.Rows}} * 16 * 3 * {{.Bytes}}
	}
	return {{.Rows}} * 16 * 2 * {{.Bytes}}
}

// rows returns the table of jacAddRows for p: entry [i][j] = (j+1)·32^i·p.
// It reports false when an entry is the identity, which cannot happen for
// p of order q. Variable-time (public p).
func (c *Curve{{.N}}) rows(p *Point{{.N}}) (*[{{.Rows}}][16]affine{{.N}}, bool) {
	table := new([{{.Rows}}][16]affine{{.N}})
	if !c.multiples(p, {{.Rows}}, 16, func(i, j int) *affine{{.N}} { return &table[i][j] }) {
		return nil, false
	}
	return table, true
}

// wideBase returns the base table for verification only: entry [i][j] is
// (j+1)·128^i·G, for signed 7-bit windows, so that u1·G takes {{.VRows}}
// additions instead of {{.Rows}}. It is read with direct indexing (public
// scalars), never by signing, which keeps the constant-time 5-bit table.
// Built on first use.
func (c *Curve{{.N}}) wideBase() *[{{.VRows}}][64]affine{{.N}} {
	c.wideOnce.Do(func() {
		var g Point{{.N}}
		g.x, g.y, g.z = c.gx, c.gy, c.p.one
		table := new([{{.VRows}}][64]affine{{.N}})
		if !c.multiples(&g, {{.VRows}}, 64, func(i, j int) *affine{{.N}} { return &table[i][j] }) {
			panic("ec: internal error: a multiple of the base point is the identity")
		}
		c.wideTable = table
	})
	return c.wideTable
}

// jacAddWide adds k·G to acc with wideBase: one mixed addition per nonzero
// signed 7-bit digit of the public k. Variable-time.
func (c *Curve{{.N}}) jacAddWide(acc *jacPoint{{.N}}, k *[{{.N}}]uint64) {
	if isZero{{.N}}(k) {
		return // CheckPoint's q·P: no need to build the table
	}
	table := c.wideBase()
	d := recode7_{{.N}}(k)
	var t affine{{.N}}
	for i, v := range d {
		switch {
		case v > 0:
			c.jacAddAffine(acc, acc, &table[i][v-1])
		case v < 0:
			t = table[i][-v-1]
			t.y.Neg(&t.y, c.p)
			c.jacAddAffine(acc, acc, &t)
		}
	}
}

// multiples writes (j+1)·(2·width)^i·p, for i < rows and j < width (a power
// of 2), to out(i, j) in affine form. The multiples are computed with the
// complete projective formulas, the even ones by doubling, and made affine
// with one inversion for all of them (Montgomery's trick). It reports
// false when one is the identity. Variable-time (public p).
func (c *Curve{{.N}}) multiples(p *Point{{.N}}, rows, width int, out func(i, j int) *affine{{.N}}) bool {
	m := c.p
	pts := make([]Point{{.N}}, rows*width)
	b := *p // (2·width)^i·p
	for i := 0; i < rows; i++ {
		row := pts[width*i : width*(i+1)]
		row[0] = b
		for j := 1; j < width; j += 2 {
			c.double(&row[j], &row[j/2]) // (j+1)·b = 2·((j+1)/2)·b
			if j+1 < width {
				c.add(&row[j+1], &row[j], &b)
			}
		}
		c.double(&b, &row[width-1])
	}
	prefix := make([]Elem{{.N}}, len(pts))
	acc := m.one
	for i := range pts {
		prefix[i] = acc
		acc.Mul(&acc, &pts[i].z, m)
	}
	if acc.IsZero() == 1 {
		return false
	}
	var inv, zi Elem{{.N}}
	inv.Invert(&acc, m)
	for i := len(pts) - 1; i >= 0; i-- {
		zi.Mul(&inv, &prefix[i], m)
		inv.Mul(&inv, &pts[i].z, m)
		en := out(i/width, i%width)
		en.x.Mul(&pts[i].x, &zi, m)
		en.y.Mul(&pts[i].y, &zi, m)
	}
	return true
}

// NewKeyTable precomputes the multiples of the public key X||Y (big-endian,
// already checked with CheckPoint) that VerifyWithTable adds: {{.Rows}}
// rows of 16 affine points, as for the base point. Variable-time: the key
// is public.
func (c *Curve{{.N}}) NewKeyTable(pub []byte) (*KeyTable, error) {
	qp, ok := c.pointFromBytes(pub)
	if ok == 0 {
		return nil, errOffCurve
	}
	t := &keyTable{{.N}}{c: c}
	if c.ed != nil {
		if qp.y.IsZero() == 1 {
			return nil, errSubgroup // of order 2, without an Edwards image
		}
		t.ed = c.edRows(&qp)
	} else {
		w, ok := c.rows(&qp)
		if !ok {
			return nil, errSubgroup
		}
		t.w = w
	}
	return &KeyTable{t{{.N}}: t}, nil
}

// tableVerifyMult returns u1·G + u2·Q for public u1, u2 < q, adding one
// point of the wide base table per signed 7-bit window of u1 and one of
// Q's table per signed 5-bit window of u2: about {{.VRows}} + {{.Rows}} mixed
// additions and no doubling. The digits index the
// tables directly, as everything here is public. Variable-time.
func (c *Curve{{.N}}) tableVerifyMult(u1, u2 *[{{.N}}]uint64, t *keyTable{{.N}}) *Point{{.N}} {
	if t.ed != nil {
		var acc edPoint{{.N}}
		c.edIdentity(&acc)
		c.edAddWide(&acc, u1)
		c.edAddRows(&acc, t.ed, u2)
		return c.fromEdwards(new(Point{{.N}}), &acc)
	}
	var acc jacPoint{{.N}}
	acc.x, acc.y = c.p.one, c.p.one // Z = 0: the identity
	c.jacAddWide(&acc, u1)
	c.jacAddRows(&acc, t.w, u2)
	return c.jacToPoint(&acc)
}

// VerifyWithTable is Verify with the public key given by its table from
// NewKeyTable on this curve, which it panics on otherwise (an internal
// error). Variable-time: every input is public.
func (c *Curve{{.N}}) VerifyWithTable(t *KeyTable, e, r, s []byte) bool {
	if t == nil || t.t{{.N}} == nil || t.t{{.N}}.c != c {
		panic("ec: internal error: key table of another curve")
	}
	u1, u2, ok := c.verifyScalars(e, r, s)
	if !ok {
		return false
	}
	return c.verifyResult(c.tableVerifyMult(&u1, &u2, t.t{{.N}}), r)
}
`
