//go:build !amd64 || purego

package ec

// The portable versions of the products in ec_amd64.s.

func mulMinus4(z, x, y *Elem4, c uint64) { z.mulSpecial(x, y, c) }

func sqrMinus4(z, x *Elem4, c uint64) { z.sqrSpecial(x, c) }

func mulMinus8(z, x, y *Elem8, c uint64) { z.mulSpecial(x, y, c) }

func sqrMinus8(z, x *Elem8, c uint64) { z.sqrSpecial(x, c) }

func mulPlus4(z, x, y *Elem4, c uint64) { z.mulPlus(x, y, c) }

func sqrPlus4(z, x *Elem4, c uint64) { z.sqrPlus(x, c) }

func mulPlus8(z, x, y *Elem8, c uint64) { z.mulPlus(x, y, c) }

func sqrPlus8(z, x *Elem8, c uint64) { z.sqrPlus(x, c) }
