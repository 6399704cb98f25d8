//go:build amd64 && !purego

package ec

// Implemented in ec_amd64.s (generated): z = x·y modulo 2^256 - c or
// 2^512 - c, c < 2^32, with MULQ or with MULX/ADCX/ADOX, and z = x² with
// MULQ (with MULX the general product is as fast). Inputs below the
// modulus; constant-time.

//go:noescape
func mulMinusMULQ4(z, x, y *Elem4, c uint64)

//go:noescape
func mulMinusADX4(z, x, y *Elem4, c uint64)

//go:noescape
func sqrMinusMULQ4(z, x *Elem4, c uint64)

//go:noescape
func mulMinusMULQ8(z, x, y *Elem8, c uint64)

//go:noescape
func mulMinusADX8(z, x, y *Elem8, c uint64)

//go:noescape
func sqrMinusMULQ8(z, x *Elem8, c uint64)

func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// useADX selects the MULX/ADCX/ADOX products, which need BMI2 and ADX
// (CPUID leaf 7, EBX bits 8 and 19). Tests switch it to cover both.
var useADX = func() bool {
	if max, _, _, _ := cpuid(0, 0); max < 7 {
		return false
	}
	_, ebx, _, _ := cpuid(7, 0)
	return ebx&(1<<8) != 0 && ebx&(1<<19) != 0
}()

func mulMinus4(z, x, y *Elem4, c uint64) {
	if useADX {
		mulMinusADX4(z, x, y, c)
		return
	}
	mulMinusMULQ4(z, x, y, c)
}

func mulMinus8(z, x, y *Elem8, c uint64) {
	if useADX {
		mulMinusADX8(z, x, y, c)
		return
	}
	mulMinusMULQ8(z, x, y, c)
}

func sqrMinus4(z, x *Elem4, c uint64) {
	if useADX {
		mulMinusADX4(z, x, x, c)
		return
	}
	sqrMinusMULQ4(z, x, c)
}

func sqrMinus8(z, x *Elem8, c uint64) {
	if useADX {
		mulMinusADX8(z, x, x, c)
		return
	}
	sqrMinusMULQ8(z, x, c)
}

//go:noescape
func mulWideMULQ4(t *[8]uint64, x, y *Elem4)

//go:noescape
func mulWideADX4(t *[8]uint64, x, y *Elem4)

//go:noescape
func mulWideMULQ8(t *[16]uint64, x, y *Elem8)

//go:noescape
func mulWideADX8(t *[16]uint64, x, y *Elem8)

// mulPlus4 and the others below multiply modulo 2^255 + c or 2^511 + c:
// the product in assembly, the reduction (reducePlus) in Go.
func mulPlus4(z, x, y *Elem4, c uint64) {
	var t [8]uint64
	if useADX {
		mulWideADX4(&t, x, y)
	} else {
		mulWideMULQ4(&t, x, y)
	}
	z.reducePlus(&t, c)
}

func sqrPlus4(z, x *Elem4, c uint64) { mulPlus4(z, x, x, c) }

func mulPlus8(z, x, y *Elem8, c uint64) {
	var t [16]uint64
	if useADX {
		mulWideADX8(&t, x, y)
	} else {
		mulWideMULQ8(&t, x, y)
	}
	z.reducePlus(&t, c)
}

func sqrPlus8(z, x *Elem8, c uint64) { mulPlus8(z, x, x, c) }
