package ec

// Hooks for the external tests, which compare against math/big.

// FieldForTest exposes the Montgomery arithmetic modulo one modulus on
// big-endian byte strings of the modulus size.
type FieldForTest struct {
	m4 *Mod4
	m8 *Mod8
}

func NewFieldForTest(m []byte) *FieldForTest {
	if len(m) == 32 {
		return &FieldForTest{m4: newMod4(limbsFromBytes4(m))}
	}
	return &FieldForTest{m8: newMod8(limbsFromBytes8(m))}
}

// Op applies op to x and y (any integers below 2^bits, reduced first).
func (f *FieldForTest) Op(op string, x, y []byte) []byte {
	if f.m4 != nil {
		var a, b Elem4
		xl, yl := limbsFromBytes4(x), limbsFromBytes4(y)
		a.fromLimbs(&xl, f.m4)
		b.fromLimbs(&yl, f.m4)
		switch op {
		case "mul":
			a.Mul(&a, &b, f.m4)
		case "add":
			a.Add(&a, &b, f.m4)
		case "sub":
			a.Sub(&a, &b, f.m4)
		case "neg":
			a.Neg(&a, f.m4)
		case "sqr":
			a.Square(&a, f.m4)
		case "inv":
			a.Invert(&a, f.m4)
		case "mulgo", "sqrgo": // the pure-Go products, also in assembly builds
			switch {
			case f.m4.c != 0 && op == "mulgo":
				a.mulSpecial(&a, &b, f.m4.c)
			case f.m4.c != 0:
				a.sqrSpecial(&a, f.m4.c)
			case f.m4.cp != 0 && op == "mulgo":
				a.mulPlus(&a, &b, f.m4.cp)
			case f.m4.cp != 0:
				a.sqrPlus(&a, f.m4.cp)
			case op == "mulgo":
				a.Mul(&a, &b, f.m4)
			default:
				a.Square(&a, f.m4)
			}
		case "invvar":
			if a.IsZero() == 0 {
				l := invVartime4(a.limbs(f.m4), &f.m4.p)
				a.fromLimbs(&l, f.m4)
			}
		case "mulcios":
			if f.m4.c == 0 && f.m4.cp == 0 {
				a.mulCIOS(&a, &b, f.m4)
			} else {
				a.Mul(&a, &b, f.m4)
			}
		case "mulmont":
			if f.m4.c == 0 && f.m4.cp == 0 {
				a.mulMont(&a, &b, f.m4)
			} else {
				a.Mul(&a, &b, f.m4)
			}
		case "id":
		}
		return a.Bytes(f.m4)
	}
	var a, b Elem8
	xl, yl := limbsFromBytes8(x), limbsFromBytes8(y)
	a.fromLimbs(&xl, f.m8)
	b.fromLimbs(&yl, f.m8)
	switch op {
	case "mul":
		a.Mul(&a, &b, f.m8)
	case "add":
		a.Add(&a, &b, f.m8)
	case "sub":
		a.Sub(&a, &b, f.m8)
	case "neg":
		a.Neg(&a, f.m8)
	case "sqr":
		a.Square(&a, f.m8)
	case "inv":
		a.Invert(&a, f.m8)
	case "mulgo", "sqrgo":
		switch {
		case f.m8.c != 0 && op == "mulgo":
			a.mulSpecial(&a, &b, f.m8.c)
		case f.m8.c != 0:
			a.sqrSpecial(&a, f.m8.c)
		case f.m8.cp != 0 && op == "mulgo":
			a.mulPlus(&a, &b, f.m8.cp)
		case f.m8.cp != 0:
			a.sqrPlus(&a, f.m8.cp)
		case op == "mulgo":
			a.Mul(&a, &b, f.m8)
		default:
			a.Square(&a, f.m8)
		}
	case "invvar":
		if a.IsZero() == 0 {
			l := invVartime8(a.limbs(f.m8), &f.m8.p)
			a.fromLimbs(&l, f.m8)
		}
	case "id":
	}
	return a.Bytes(f.m8)
}

// SetBytesOK reports whether SetBytes accepts x, and checks it round-trips.
func (f *FieldForTest) SetBytesOK(x []byte) bool {
	if f.m4 != nil {
		var a Elem4
		return a.SetBytes(x, f.m4) != nil
	}
	var a Elem8
	return a.SetBytes(x, f.m8) != nil
}

// ScalarMultForTest returns k·pt as big-endian X||Y, or nil for the
// identity; pt nil means the base point through the precomputed table, and
// generic selects the variable-base code for the base point.
func ScalarMultForTest(c Curve, k, pt []byte) []byte {
	switch c := c.(type) {
	case *Curve4:
		kl := limbsFromBytes4(k)
		var r Point4
		if pt == nil {
			c.scalarBaseMult(&r, &kl)
		} else {
			p, ok := c.pointFromBytes(pt)
			if ok != 1 {
				panic("bad point")
			}
			c.scalarMult(&r, &p, &kl)
		}
		out, err := c.encode(&r)
		if err != nil {
			return nil
		}
		return out
	case *Curve8:
		kl := limbsFromBytes8(k)
		var r Point8
		if pt == nil {
			c.scalarBaseMult(&r, &kl)
		} else {
			p, ok := c.pointFromBytes(pt)
			if ok != 1 {
				panic("bad point")
			}
			c.scalarMult(&r, &p, &kl)
		}
		out, err := c.encode(&r)
		if err != nil {
			return nil
		}
		return out
	}
	panic("unknown curve type")
}

// AddForTest returns p1+p2 (big-endian X||Y, nil for the identity) with the
// complete addition, and 2·p1 with the doubling formula.
func AddForTest(c Curve, p1, p2 []byte) (sum, dbl []byte) {
	switch c := c.(type) {
	case *Curve4:
		a, _ := c.pointFromBytes(p1)
		b, _ := c.pointFromBytes(p2)
		var s, d Point4
		c.add(&s, &a, &b)
		c.double(&d, &a)
		sum, _ = c.encode(&s)
		dbl, _ = c.encode(&d)
	case *Curve8:
		a, _ := c.pointFromBytes(p1)
		b, _ := c.pointFromBytes(p2)
		var s, d Point8
		c.add(&s, &a, &b)
		c.double(&d, &a)
		sum, _ = c.encode(&s)
		dbl, _ = c.encode(&d)
	}
	return sum, dbl
}

// VerifyMultForTest returns u1·G + u2·pt (big-endian X||Y, nil for the
// identity) through the variable-time verification path.
func VerifyMultForTest(c Curve, u1, u2, pt []byte) []byte {
	switch c := c.(type) {
	case *Curve4:
		a, b := limbsFromBytes4(u1), limbsFromBytes4(u2)
		p, _ := c.pointFromBytes(pt)
		out, err := c.encode(c.verifyMult(&a, &b, &p))
		if err != nil {
			return nil
		}
		return out
	case *Curve8:
		a, b := limbsFromBytes8(u1), limbsFromBytes8(u2)
		p, _ := c.pointFromBytes(pt)
		out, err := c.encode(c.verifyMult(&a, &b, &p))
		if err != nil {
			return nil
		}
		return out
	}
	panic("unknown curve type")
}

// TableVerifyMultForTest is VerifyMultForTest through a table of pt made
// by NewKeyTable (tableVerifyMult).
func TableVerifyMultForTest(c Curve, u1, u2, pt []byte) []byte {
	t, err := c.NewKeyTable(pt)
	if err != nil {
		panic(err)
	}
	switch c := c.(type) {
	case *Curve4:
		a, b := limbsFromBytes4(u1), limbsFromBytes4(u2)
		out, err := c.encode(c.tableVerifyMult(&a, &b, t.t4))
		if err != nil {
			return nil
		}
		return out
	case *Curve8:
		a, b := limbsFromBytes8(u1), limbsFromBytes8(u2)
		out, err := c.encode(c.tableVerifyMult(&a, &b, t.t8))
		if err != nil {
			return nil
		}
		return out
	}
	panic("unknown curve type")
}
