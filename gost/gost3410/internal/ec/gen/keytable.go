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
// The multiples are computed with the complete projective formulas, the
// even ones by doubling, and brought to affine form with one inversion for
// the whole table. It reports false when an entry is the identity, which
// cannot happen for p of order q. Variable-time (public p).
func (c *Curve{{.N}}) rows(p *Point{{.N}}) (*[{{.Rows}}][16]affine{{.N}}, bool) {
	m := c.p
	pts := make([]Point{{.N}}, {{.Rows}}*16)
	b := *p // 32^i·p
	for i := 0; i < {{.Rows}}; i++ {
		row := pts[16*i : 16*i+16]
		row[0] = b
		for j := 1; j < 16; j += 2 {
			c.double(&row[j], &row[j/2]) // (j+1)·b = 2·((j+1)/2)·b
			if j+1 < 16 {
				c.add(&row[j+1], &row[j], &b)
			}
		}
		c.double(&b, &row[15])
	}
	// Montgomery's trick: prefix products of Z, one inversion, then walk
	// back.
	prefix := make([]Elem{{.N}}, len(pts))
	acc := m.one
	for i := range pts {
		prefix[i] = acc
		acc.Mul(&acc, &pts[i].z, m)
	}
	if acc.IsZero() == 1 {
		return nil, false
	}
	var inv, zi Elem{{.N}}
	inv.Invert(&acc, m)
	table := new([{{.Rows}}][16]affine{{.N}})
	for i := len(pts) - 1; i >= 0; i-- {
		zi.Mul(&inv, &prefix[i], m)
		inv.Mul(&inv, &pts[i].z, m)
		en := &table[i/16][i%16]
		en.x.Mul(&pts[i].x, &zi, m)
		en.y.Mul(&pts[i].y, &zi, m)
	}
	return table, true
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
// row of the base table and one row of Q's table per signed 5-bit window:
// about 2·{{.Rows}} mixed additions and no doubling. The digits index the
// tables directly, as everything here is public. Variable-time.
func (c *Curve{{.N}}) tableVerifyMult(u1, u2 *[{{.N}}]uint64, t *keyTable{{.N}}) *Point{{.N}} {
	if t.ed != nil {
		var acc edPoint{{.N}}
		c.edIdentity(&acc)
		c.edAddRows(&acc, c.edBase(), u1)
		c.edAddRows(&acc, t.ed, u2)
		return c.fromEdwards(new(Point{{.N}}), &acc)
	}
	var acc jacPoint{{.N}}
	acc.x, acc.y = c.p.one, c.p.one // Z = 0: the identity
	c.jacAddRows(&acc, c.base(), u1)
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
