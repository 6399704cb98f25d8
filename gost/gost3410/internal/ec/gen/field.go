package main

import (
	"bytes"
	"fmt"
	"strings"
)

// field writes the element type, the modulus descriptor and the unrolled
// arithmetic for n limbs.
func field(buf *bytes.Buffer, n int) {
	expand(buf, fieldTemplate, n)
	w := func(format string, args ...any) { fmt.Fprintf(buf, format+"\n", args...) }

	// Montgomery multiplication, CIOS form (Koç, Acar, Kaliski 1996):
	// t = x*y*2^(-64n) mod m, for x, y < m < 2^(64n).
	w("// Mul sets z = x*y*R⁻¹ mod m (a Montgomery product; R = 1 for the moduli")
	w("// 2^n - c and 2^(n-1) + c, which skip Montgomery form) and returns z.")
	w("// x, y < m is required, except that one factor may be any value below")
	w("// 2^%d when the other is R² or 1 (fromLimbs). z may alias x or y.", 64*n)
	w("// Constant-time.")
	w("func (z *Elem%d) Mul(x, y *Elem%d, m *Mod%d) *Elem%d {", n, n, n, n)
	w("if m.c != 0 {")
	w("// The branch depends only on the modulus, which is public.")
	w("mulMinus%d(z, x, y, m.c) // assembly on amd64 unless purego", n)
	w("return z")
	w("}")
	w("if m.cp != 0 {")
	w("mulPlus%d(z, x, y, m.cp) // assembly product on amd64 unless purego", n)
	w("return z")
	w("}")
	if n == 4 {
		// At 4 limbs the Comba product with separate reduction measures
		// faster than CIOS; at 8 limbs its 16 live words spill.
		w("return z.mulMont(x, y, m)")
		w("}\n")
		w("// mulCIOS is the interleaved Montgomery product (CIOS), kept for")
		w("// comparison in tests.")
		w("func (z *Elem%d) mulCIOS(x, y *Elem%d, m *Mod%d) *Elem%d {", n, n, n, n)
	}
	// Hoisting the operands into locals helps at 4 limbs; at 8 limbs it
	// only makes the compiler spill, so they are read from memory there.
	for j := 0; j < n; j++ {
		if n <= 4 {
			w("x%d := x.l[%d]", j, j)
			w("p%d := m.p[%d]", j, j)
		}
	}
	w("n0 := m.n0")
	var ts []string
	for j := 0; j <= n+1; j++ {
		ts = append(ts, fmt.Sprintf("t%d", j))
	}
	w("var %s, hi, lo, c, cc, u uint64", strings.Join(ts, ", "))
	for i := 0; i < n; i++ {
		w("// Round %d: t += x*y[%d], then t = (t + u*m) / 2^64.", i, i)
		w("u = y.l[%d]", i)
		w("cc = 0")
		for j := 0; j < n; j++ {
			w("hi, lo = bits.Mul64(%s, u)", opnd("x", j, n))
			w("lo, c = bits.Add64(lo, t%d, 0)", j)
			w("hi += c")
			w("lo, c = bits.Add64(lo, cc, 0)")
			w("hi += c")
			w("t%d, cc = lo, hi", j)
		}
		w("t%d, c = bits.Add64(t%d, cc, 0)", n, n)
		w("t%d = c", n+1)
		w("u = t0 * n0")
		w("hi, lo = bits.Mul64(u, %s)", opnd("p", 0, n))
		w("_, c = bits.Add64(lo, t0, 0)")
		w("cc = hi + c")
		for j := 1; j < n; j++ {
			w("hi, lo = bits.Mul64(u, %s)", opnd("p", j, n))
			w("lo, c = bits.Add64(lo, t%d, 0)", j)
			w("hi += c")
			w("lo, c = bits.Add64(lo, cc, 0)")
			w("hi += c")
			w("t%d, cc = lo, hi", j-1)
		}
		w("t%d, c = bits.Add64(t%d, cc, 0)", n-1, n)
		w("t%d = t%d + c", n, n+1)
	}
	w("// t < 2m: subtract m once if t >= m.")
	w("var b uint64")
	for j := 0; j < n; j++ {
		w("d%d, b := bits.Sub64(t%d, %s, b)", j, j, opnd("p", j, n))
	}
	w("_, b = bits.Sub64(t%d, 0, b)", n)
	w("mask := -b // all ones when t < m")
	for j := 0; j < n; j++ {
		w("z.l[%d] = d%d ^ (mask & (d%d ^ t%d))", j, j, j, j)
	}
	w("return z")
	w("}\n")

	genWide(w, n)
	genReducePlusArray(w, n)
	genLookup(w, n, "lookupAffine", "affine", []string{"x", "y"}, nil)
	genLookup(w, n, "lookupEdAffine", "edAffine", []string{"x", "y", "dt"}, []string{"y"})
	genLookup(w, n, "lookupPoint", "Point", []string{"x", "y", "z"}, []string{"y"})
	genLookup(w, n, "lookupEdPoint", "edPoint", []string{"x", "y", "z", "t"}, []string{"y", "z"})

	// Modular addition.
	w("// Add sets z = x+y mod m and returns z. x, y < m is required. Constant-time.")
	w("func (z *Elem%d) Add(x, y *Elem%d, m *Mod%d) *Elem%d {", n, n, n, n)
	w("var c, b uint64")
	for j := 0; j < n; j++ {
		w("s%d, c := bits.Add64(x.l[%d], y.l[%d], c)", j, j, j)
	}
	for j := 0; j < n; j++ {
		w("d%d, b := bits.Sub64(s%d, m.p[%d], b)", j, j, j)
	}
	w("_, b = bits.Sub64(c, 0, b)")
	w("mask := -b // all ones when x+y < m")
	for j := 0; j < n; j++ {
		w("z.l[%d] = d%d ^ (mask & (d%d ^ s%d))", j, j, j, j)
	}
	w("return z")
	w("}\n")

	// Modular subtraction.
	w("// Sub sets z = x-y mod m and returns z. x, y < m is required. Constant-time.")
	w("func (z *Elem%d) Sub(x, y *Elem%d, m *Mod%d) *Elem%d {", n, n, n, n)
	w("var b, c uint64")
	for j := 0; j < n; j++ {
		w("d%d, b := bits.Sub64(x.l[%d], y.l[%d], b)", j, j, j)
	}
	w("mask := -b // all ones when x < y")
	for j := 0; j < n; j++ {
		w("z.l[%d], c = bits.Add64(d%d, m.p[%d]&mask, c)", j, j, j)
	}
	w("return z")
	w("}\n")

	// Comparison with the modulus, used by decoders.
	w("// lessThan returns 1 if x < y as integers, else 0. Constant-time.")
	w("func lessThan%d(x, y *[%d]uint64) int {", n, n)
	w("var b uint64")
	for j := 0; j < n; j++ {
		w("_, b = bits.Sub64(x[%d], y[%d], b)", j, j)
	}
	w("return int(b)")
	w("}\n")
}

// genWide writes the schoolbook product and squaring in product-scanning
// (Comba) order, which keeps only three accumulator words live, and the
// reduction modulo p = 2^(64n) - c.
func genWide(w func(string, ...any), n int) {
	genProduct(w, n, false)
	genProduct(w, n, true)
}

// genProduct writes mulSpecial (square false) or sqrSpecial (square true):
// the schoolbook product or square in product-scanning (Comba) order, which
// keeps only three accumulator words live, into locals t0..t(2n-1), then
// the reduction modulo m = 2^(64n) - c, all in one function so the product
// never goes through memory.
func genProduct(w func(string, ...any), n int, square bool) {
	genProductMode(w, n, square, "minus")
	genProductMode(w, n, square, "mont")
	genProductMode(w, n, square, "plus")
}

func genProductMode(w func(string, ...any), n int, square bool, mode string) {
	mont := mode == "mont"
	if mont && !square && n == 8 {
		return // CIOS is used at 8 limbs
	}
	if mont {
		name := "mulMont"
		if square {
			name = "sqrMont"
		}
		w("// %s sets z = x*y*R⁻¹ mod m (y = x when squaring): the Comba", name)
		w("// product, then word-by-word Montgomery reduction. Constant-time.")
		if square {
			w("func (z *Elem%d) %s(x *Elem%d, m *Mod%d) *Elem%d {", n, name, n, n, n)
			w("var c0, c1, c2, d0, d1, d2, hi, lo, c uint64")
		} else {
			w("func (z *Elem%d) %s(x, y *Elem%d, m *Mod%d) *Elem%d {", n, name, n, n, n)
			w("var c0, c1, c2, hi, lo, c uint64")
		}
	} else if mode == "plus" {
		name := "mulPlus"
		if square {
			name = "sqrPlus"
		}
		w("// %s sets z = x*y mod m (y = x when squaring) for m = 2^%d + c", name, 64*n-1)
		w("// with c < 2^32. Constant-time.")
		if square {
			w("func (z *Elem%d) %s(x *Elem%d, cst uint64) *Elem%d {", n, name, n, n)
			w("var c0, c1, c2, d0, d1, d2, hi, lo, c uint64")
		} else {
			w("func (z *Elem%d) %s(x, y *Elem%d, cst uint64) *Elem%d {", n, name, n, n)
			w("var c0, c1, c2, hi, lo, c uint64")
		}
	} else if square {
		w("// sqrSpecial sets z = x² mod m for m = 2^%d - c (c < 2^32): the products", 64*n)
		w("// x[i]x[j] with i < j once, doubled, plus the diagonal, then reduce.")
		w("// Constant-time.")
		w("func (z *Elem%d) sqrSpecial(x *Elem%d, cst uint64) *Elem%d {", n, n, n)
		w("var c0, c1, c2, d0, d1, d2, hi, lo, c uint64")
	} else {
		w("// mulSpecial sets z = x*y mod m for m = 2^%d - c (c < 2^32). Constant-time.", 64*n)
		w("func (z *Elem%d) mulSpecial(x, y *Elem%d, cst uint64) *Elem%d {", n, n, n)
		w("var c0, c1, c2, hi, lo, c uint64")
	}
	for k := 0; k <= 2*n-2; k++ {
		if !square {
			for i := 0; i < n; i++ {
				j := k - i
				if j < 0 || j >= n {
					continue
				}
				w("hi, lo = bits.Mul64(x.l[%d], y.l[%d])", i, j)
				w("c0, c = bits.Add64(c0, lo, 0)")
				w("c1, c = bits.Add64(c1, hi, c)")
				w("c2 += c")
			}
		} else {
			w("d0, d1, d2 = 0, 0, 0")
			off := false
			for i := 0; i < n; i++ {
				j := k - i
				if j <= i || j >= n {
					continue
				}
				off = true
				w("hi, lo = bits.Mul64(x.l[%d], x.l[%d])", i, j)
				w("d0, c = bits.Add64(d0, lo, 0)")
				w("d1, c = bits.Add64(d1, hi, c)")
				w("d2 += c")
			}
			if off {
				w("d2 = d2<<1 | d1>>63")
				w("d1 = d1<<1 | d0>>63")
				w("d0 <<= 1")
			}
			if k%2 == 0 {
				w("hi, lo = bits.Mul64(x.l[%d], x.l[%d])", k/2, k/2)
				w("d0, c = bits.Add64(d0, lo, 0)")
				w("d1, c = bits.Add64(d1, hi, c)")
				w("d2 += c")
			}
			w("c0, c = bits.Add64(c0, d0, 0)")
			w("c1, c = bits.Add64(c1, d1, c)")
			w("c2 += d2 + c")
		}
		w("t%d := c0", k)
		w("c0, c1, c2 = c1, c2, 0")
	}
	w("t%d := c0", 2*n-1)
	w("_ = c2")

	if mode == "plus" {
		genReducePlus(w, n)
		return
	}
	if mont {
		w("n0 := m.n0")
		w("var u, carry, ec uint64")
		for i := 0; i < n; i++ {
			w("u = t%d * n0", i)
			w("carry = 0")
			for j := 0; j < n; j++ {
				w("hi, lo = bits.Mul64(u, m.p[%d])", j)
				w("lo, c = bits.Add64(lo, t%d, 0)", i+j)
				w("hi += c")
				w("lo, c = bits.Add64(lo, carry, 0)")
				w("t%d, carry = lo, hi+c", i+j)
			}
			w("t%d, ec = bits.Add64(t%d, carry, ec)", i+n, i+n)
		}
		w("// t = (ec, t%d..t%d) < 2m: subtract m once if it is >= m.", n, 2*n-1)
		w("var b uint64")
		for j := 0; j < n; j++ {
			w("r%d, b := bits.Sub64(t%d, m.p[%d], b)", j, j+n, j)
		}
		w("_, b = bits.Sub64(ec, 0, b)")
		w("mask := -b // all ones when t < m")
		for j := 0; j < n; j++ {
			w("z.l[%d] = r%d ^ (mask & (r%d ^ t%d))", j, j, j, j+n)
		}
		w("return z")
		w("}\n")
		return
	}
	w("// Fold 2^%d ≡ c: t = H·2^%d + L ≡ L + c·H.", 64*n, 64*n)
	w("var top uint64")
	for j := 0; j < n; j++ {
		w("hi, lo = bits.Mul64(t%d, cst)", n+j)
		w("lo, c = bits.Add64(lo, t%d, 0)", j)
		w("hi += c")
		w("lo, c = bits.Add64(lo, top, 0)")
		w("t%d, top = lo, hi+c", j)
	}
	w("// top <= c, so top·c < 2^64; fold it in the same way.")
	w("t0, c = bits.Add64(t0, top*cst, 0)")
	for j := 1; j < n; j++ {
		w("t%d, c = bits.Add64(t%d, 0, c)", j, j)
	}
	w("// A carry out leaves t below 2^64, so adding c once more cannot carry.")
	w("t0 += c * cst")
	w("// t >= m exactly when t + c overflows.")
	w("r0, b := bits.Add64(t0, cst, 0)")
	for j := 1; j < n; j++ {
		w("r%d, b := bits.Add64(t%d, 0, b)", j, j)
	}
	w("mask := -b")
	for j := 0; j < n; j++ {
		w("z.l[%d] = t%d ^ (mask & (t%d ^ r%d))", j, j, j, j)
	}
	w("return z")
	w("}\n")
}

// genReducePlus writes the reduction of the product t0..t(2n-1) < m² modulo
// m = 2^k + c, k = 64n-1: with 2^k ≡ -c, T = H·2^k + L ≡ L - c·H; then
// c·H = H2·2^k + L2 ≡ L2 - c·H2, so T ≡ L - L2 + c·H2 =: R with
// -2^k < R < 2^k + 2^(2·32+1); one addition or subtraction of m finishes.
func genReducePlus(w func(string, ...any), n int) {
	genReducePlusBody(w, n)
}

// genReducePlusArray writes reducePlus, the same reduction of a product
// given in memory, for the assembly products.
func genReducePlusArray(w func(string, ...any), n int) {
	w("// reducePlus sets z = t mod m for m = 2^%d + c (c < 2^32) and t < m².", 64*n-1)
	w("// Constant-time.")
	w("func (z *Elem%d) reducePlus(t *[%d]uint64, cst uint64) *Elem%d {", n, 2*n, n)
	w("var hi, lo, c uint64")
	for k := 0; k < 2*n; k++ {
		w("t%d := t[%d]", k, k)
	}
	genReducePlusBody(w, n)
}

func genReducePlusBody(w func(string, ...any), n int) {
	w("// H = T >> k, n limbs; L = T mod 2^k.")
	for j := 0; j < n; j++ {
		w("h%d := t%d>>63 | t%d<<1", j, n-1+j, n+j)
	}
	w("t%d &= 1<<63 - 1", n-1)
	w("// D = c·H, n+1 limbs.")
	w("var top uint64")
	for j := 0; j < n; j++ {
		w("hi, lo = bits.Mul64(h%d, cst)", j)
		w("dd%d, cc := bits.Add64(lo, top, 0)", j)
		w("top = hi + cc")
	}
	w("hh := top<<1 | dd%d>>63 // H2 = D >> k < 2^34", n-1)
	w("dd%d &= 1<<63 - 1", n-1)
	w("// R = L - L2 + c·H2: n limbs plus a carry and a borrow word.")
	w("var b uint64")
	for j := 0; j < n; j++ {
		w("t%d, b = bits.Sub64(t%d, dd%d, b)", j, j, j)
	}
	w("hi, lo = bits.Mul64(hh, cst)")
	w("t0, c = bits.Add64(t0, lo, 0)")
	w("t1, c = bits.Add64(t1, hi, c)")
	for j := 2; j < n; j++ {
		w("t%d, c = bits.Add64(t%d, 0, c)", j, j)
	}
	w("// R < 0 exactly when the borrow is not cancelled by the carry.")
	w("negMask := -(b &^ c)")
	w("// Candidates: R + m (for R < 0) and R - m (for R >= m).")
	w("var ca, bb uint64")
	// The limbs of m are c, 0, …, 0, 2^63.
	limb := func(j int) string {
		switch j {
		case 0:
			return "cst"
		case n - 1:
			return "1 << 63"
		}
		return "0"
	}
	for j := 0; j < n; j++ {
		w("aa%d, ca := bits.Add64(t%d, %s, ca)", j, j, limb(j))
	}
	w("_ = ca")
	for j := 0; j < n; j++ {
		w("ss%d, bb := bits.Sub64(t%d, %s, bb)", j, j, limb(j))
	}
	w("geMask := (bb - 1) &^ negMask // R >= m, no borrow")
	for j := 0; j < n; j++ {
		w("z.l[%d] = t%d ^ (negMask & (t%d ^ aa%d)) ^ (geMask & (t%d ^ ss%d))", j, j, j, j, j, j)
	}
	w("return z")
	w("}\n")
}

// genLookup writes a constant-time table lookup: r = row[idx-1] for idx in
// 1..16, or the identity (the coordinates in ones set to 1) for idx = 0.
// Every entry is read; the selected one is OR-accumulated under a mask.
func genLookup(w func(string, ...any), n int, name, typ string, coords, ones []string) {
	w("// %s sets r = row[idx-1], or the identity when idx = 0, reading", name)
	w("// every entry. Constant-time.")
	w("func %s%d(r *%s%d, row *[16]%s%d, idx uint64, one *Elem%d) {", name, n, typ, n, typ, n, n)
	var acc []string
	for _, c := range coords {
		for j := 0; j < n; j++ {
			acc = append(acc, fmt.Sprintf("%s%d", c, j))
		}
	}
	w("var %s uint64", strings.Join(acc, ", "))
	w("for i := range row {")
	w("e := &row[i]")
	w("d := uint64(i+1) ^ idx")
	w("mask := ((d | -d) >> 63) - 1 // all ones when i+1 == idx")
	for _, c := range coords {
		for j := 0; j < n; j++ {
			w("%s%d |= e.%s.l[%d] & mask", c, j, c, j)
		}
	}
	w("}")
	if len(ones) > 0 {
		w("d := idx")
		w("zero := ((d | -d) >> 63) - 1 // all ones when idx == 0")
		for _, c := range ones {
			for j := 0; j < n; j++ {
				w("%s%d |= one.l[%d] & zero", c, j, j)
			}
		}
	} else {
		w("_ = one")
	}
	for _, c := range coords {
		for j := 0; j < n; j++ {
			w("r.%s.l[%d] = %s%d", c, j, c, j)
		}
	}
	w("}\n")
}

// opnd names limb j of the operand x or the modulus p inside Mul.
func opnd(name string, j, n int) string {
	if n <= 4 {
		return fmt.Sprintf("%s%d", name, j)
	}
	if name == "x" {
		return fmt.Sprintf("x.l[%d]", j)
	}
	return fmt.Sprintf("m.p[%d]", j)
}

const fieldTemplate = `
// Mod{{.N}} describes an odd modulus m < 2^{{.Bits}} for Montgomery arithmetic
// with R = 2^{{.Bits}}. It serves every prime of that size, field or group
// order alike.
type Mod{{.N}} struct {
	p   [{{.N}}]uint64 // m, least significant limb first
	n0  uint64   // -m⁻¹ mod 2^64
	rr  Elem{{.N}}    // R² mod m
	one Elem{{.N}}    // R mod m, the Montgomery form of 1
	pm2 [{{.N}}]uint64 // m-2, the Fermat inversion exponent
	r   Elem{{.N}}    // the residue 2^{{.Bits}} mod m, for wide reductions
	// m-2 = (2^runL - 1)·2^runS + runLow when it starts with a run of at
	// least 64 ones and runS < 64; runL is 0 otherwise.
	runL, runS int
	runLow     uint64
	// c is nonzero when m = 2^{{.Bits}} - c, and cp when m = 2^({{.Bits}}-1) + cp,
	// with c, cp < 2^32. Such moduli skip Montgomery form (R = 1): Mul is a
	// plain product reduced by folding.
	c, cp uint64
}

// Elem{{.N}} is a residue modulo a Mod{{.N}}, in Montgomery form (x·R mod m,
// where R is 1 for the special moduli), fully reduced. The zero value is the residue 0.
type Elem{{.N}} struct {
	l [{{.N}}]uint64
}

// newMod{{.N}} builds the descriptor of m from its limbs. m must be odd; this
// runs once per curve at setup, on public values.
func newMod{{.N}}(m [{{.N}}]uint64) *Mod{{.N}} {
	d := &Mod{{.N}}{p: m}
	// Newton iteration for m⁻¹ mod 2^64: each step doubles the correct bits.
	inv := m[0]
	for range 6 {
		inv *= 2 - m[0]*inv
	}
	d.n0 = -inv
	special := m[0] > 1<<63 // m = 2^{{.Bits}} - c with c < 2^32?
	for _, l := range m[1:] {
		special = special && l == ^uint64(0)
	}
	if special && -m[0] < 1<<32 {
		d.c = -m[0]
		d.one = Elem{{.N}}{l: [{{.N}}]uint64{1}}
		d.rr = d.one
		d.setPM2()
		return d
	}
	plus := m[{{.N}}-1] == 1<<63 && m[0] < 1<<32
	for _, l := range m[1 : {{.N}}-1] {
		plus = plus && l == 0
	}
	if plus {
		d.cp = m[0]
		d.one = Elem{{.N}}{l: [{{.N}}]uint64{1}}
		d.rr = d.one
		d.setPM2()
		return d
	}
	// R² mod m: double 1 modulo m 2·{{.Bits}} times.
	var x Elem{{.N}}
	x.l[0] = 1
	for range 2 * {{.Bits}} {
		x.Add(&x, &x, d)
	}
	d.rr = x
	d.one.Mul(&d.rr, &Elem{{.N}}{l: [{{.N}}]uint64{1}}, d)
	d.setPM2()
	return d
}

// setPM2 sets the derived constants pm2, the run split of pm2, and r once
// p, one and rr are set.
func (d *Mod{{.N}}) setPM2() {
	defer d.splitRun()
	d.r = d.one
	for range {{.Bits}} {
		d.r.Add(&d.r, &d.r, d)
	}
	var b uint64
	for i := range d.pm2 {
		sub := uint64(0)
		if i == 0 {
			sub = 2
		}
		d.pm2[i], b = bits.Sub64(d.p[i], sub, b)
	}
}

func (d *Mod{{.N}}) splitRun() {
	l := 0
	for i := {{.Bits}} - 1; i >= 0 && d.pm2[i/64]>>(i%64)&1 == 1; i-- {
		l++
	}
	s := {{.Bits}} - l
	if l < 64 || s >= 64 {
		return
	}
	d.runL, d.runS = l, s
	if s > 0 {
		d.runLow = d.pm2[0] & (1<<s - 1)
	}
}

// Set sets z = x and returns z.
func (z *Elem{{.N}}) Set(x *Elem{{.N}}) *Elem{{.N}} {
	*z = *x
	return z
}

// One sets z = 1 and returns z.
func (z *Elem{{.N}}) One(m *Mod{{.N}}) *Elem{{.N}} {
	*z = m.one
	return z
}

// Square sets z = x² (Montgomery) and returns z. Constant-time.
func (z *Elem{{.N}}) Square(x *Elem{{.N}}, m *Mod{{.N}}) *Elem{{.N}} {
	if m.c != 0 {
		sqrMinus{{.N}}(z, x, m.c) // assembly on amd64 unless purego
		return z
	}
	if m.cp != 0 {
		sqrPlus{{.N}}(z, x, m.cp) // assembly product on amd64 unless purego
		return z
	}
	return z.sqrMont(x, m)
}

// Neg sets z = -x mod m and returns z. Constant-time.
func (z *Elem{{.N}}) Neg(x *Elem{{.N}}, m *Mod{{.N}}) *Elem{{.N}} {
	return z.Sub(&Elem{{.N}}{}, x, m)
}

// Select sets z = a if cond == 1 and z = b if cond == 0, and returns z.
// cond must be 0 or 1. Constant-time.
func (z *Elem{{.N}}) Select(a, b *Elem{{.N}}, cond int) *Elem{{.N}} {
	mask := -uint64(cond)
	for i := range z.l {
		z.l[i] = b.l[i] ^ (mask & (a.l[i] ^ b.l[i]))
	}
	return z
}

// IsZero returns 1 if z is 0 and 0 otherwise. Constant-time.
func (z *Elem{{.N}}) IsZero() int {
	var acc uint64
	for _, v := range z.l {
		acc |= v
	}
	return int(1 ^ ((acc | -acc) >> 63))
}

// Equal returns 1 if z == x and 0 otherwise. Constant-time.
func (z *Elem{{.N}}) Equal(x *Elem{{.N}}) int {
	var acc uint64
	for i := range z.l {
		acc |= z.l[i] ^ x.l[i]
	}
	return int(1 ^ ((acc | -acc) >> 63))
}

// fromLimbs sets z to the residue of the integer x < 2^{{.Bits}} (which need not
// be below m) and returns z. Constant-time.
func (z *Elem{{.N}}) fromLimbs(x *[{{.N}}]uint64, m *Mod{{.N}}) *Elem{{.N}} {
	// Mont(x, R²) = x·R mod m; the product x·R² < R·m keeps the result
	// reduced even when x >= m.
	return z.Mul(&Elem{{.N}}{l: *x}, &m.rr, m)
}

// limbs returns the canonical integer of z, least significant limb first.
// Constant-time.
func (z *Elem{{.N}}) limbs(m *Mod{{.N}}) [{{.N}}]uint64 {
	var t Elem{{.N}}
	t.Mul(z, &Elem{{.N}}{l: [{{.N}}]uint64{1}}, m)
	return t.l
}

// SetBytes sets z to the big-endian integer b of {{.Bytes}} bytes, which must
// be below m, and returns z. It returns nil and leaves z unchanged when b
// has the wrong length or is not below m. Constant-time in the value.
func (z *Elem{{.N}}) SetBytes(b []byte, m *Mod{{.N}}) *Elem{{.N}} {
	if len(b) != {{.Bytes}} {
		return nil
	}
	x := limbsFromBytes{{.N}}(b)
	if lessThan{{.N}}(&x, &m.p) == 0 {
		return nil
	}
	return z.fromLimbs(&x, m)
}

// Bytes returns the {{.Bytes}}-byte big-endian encoding of z. Constant-time.
func (z *Elem{{.N}}) Bytes(m *Mod{{.N}}) []byte {
	var out [{{.Bytes}}]byte
	l := z.limbs(m)
	limbsToBytes{{.N}}(&out, &l)
	return out[:]
}

func limbsFromBytes{{.N}}(b []byte) [{{.N}}]uint64 {
	var x [{{.N}}]uint64
	for i := range x {
		j := {{.Bytes}} - 8*(i+1)
		x[i] = uint64(b[j])<<56 | uint64(b[j+1])<<48 | uint64(b[j+2])<<40 | uint64(b[j+3])<<32 |
			uint64(b[j+4])<<24 | uint64(b[j+5])<<16 | uint64(b[j+6])<<8 | uint64(b[j+7])
	}
	return x
}

func limbsToBytes{{.N}}(out *[{{.Bytes}}]byte, x *[{{.N}}]uint64) {
	for i, v := range x {
		j := {{.Bytes}} - 8*(i+1)
		for k := range 8 {
			out[j+k] = byte(v >> (56 - 8*k))
		}
	}
}

// Exp sets z = x^e mod m for a public exponent e and returns z. The time
// depends on e but not on x: a fixed 4-bit window with a table indexed by
// the exponent's digits.
func (z *Elem{{.N}}) Exp(x *Elem{{.N}}, e *[{{.N}}]uint64, m *Mod{{.N}}) *Elem{{.N}} {
	var table [16]Elem{{.N}}
	table[0] = m.one
	table[1] = *x
	for i := 2; i < 16; i++ {
		table[i].Mul(&table[i-1], x, m)
	}
	t := m.one
	for i := {{.Nib}} - 1; i >= 0; i-- {
		t.Square(&t, m)
		t.Square(&t, m)
		t.Square(&t, m)
		t.Square(&t, m)
		// The digit is public: a zero digit skips its multiplication.
		if d := (e[i/16] >> (4 * (i % 16))) & 15; d != 0 {
			t.Mul(&t, &table[d], m)
		}
	}
	*z = t
	return z
}

// expRun sets z = x^e for the public exponent e = (2^l - 1)·2^s + low,
// low < 2^s, with s < 64: a long run of ones, as m - 2 has for
// m = 2^n - c. The run costs about l squarings and 2·log2(l)
// multiplications by combining the blocks b_k = x^(2^(2^k) - 1), with
// b_(k+1) = b_k^(2^(2^k))·b_k. Constant-time in x.
func (z *Elem{{.N}}) expRun(x *Elem{{.N}}, l, s int, low uint64, m *Mod{{.N}}) *Elem{{.N}} {
	var blocks [16]Elem{{.N}} // blocks[k] = x^(2^(2^k) - 1)
	blocks[0] = *x
	k := 0
	for 2<<k <= l {
		blocks[k+1] = blocks[k]
		for range 1 << k {
			blocks[k+1].Square(&blocks[k+1], m)
		}
		blocks[k+1].Mul(&blocks[k+1], &blocks[k], m)
		k++
	}
	// acc = x^(2^(2^k) - 1); append the remaining run length bit by bit:
	// x^(2^(u+v) - 1) = (x^(2^u - 1))^(2^v) · x^(2^v - 1).
	acc := blocks[k]
	rest := l - 1<<k
	for j := k - 1; j >= 0; j-- {
		if rest>>j&1 == 1 {
			for range 1 << j {
				acc.Square(&acc, m)
			}
			acc.Mul(&acc, &blocks[j], m)
		}
	}
	for i := s - 1; i >= 0; i-- {
		acc.Square(&acc, m)
		if low>>i&1 == 1 {
			acc.Mul(&acc, x, m)
		}
	}
	*z = acc
	return z
}

// Invert sets z = x⁻¹ mod m (x^(m-2), Fermat; 0 maps to 0) and returns z.
// m must be prime. Constant-time.
func (z *Elem{{.N}}) Invert(x *Elem{{.N}}, m *Mod{{.N}}) *Elem{{.N}} {
	if m.runL != 0 {
		return z.expRun(x, m.runL, m.runS, m.runLow, m)
	}
	return z.Exp(x, &m.pm2, m)
}
`
