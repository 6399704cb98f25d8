package ec

import "testing"

var benchMods4 = map[string][4]uint64{
	"2^256-617":   {0xFFFFFFFFFFFFFD97, ^uint64(0), ^uint64(0), ^uint64(0)},
	"CryptoPro-C": {0x7998F7B9022D759B, 0xCF846E86789051D3, 0xAB1EC85E6B41C8AA, 0x9B9F605F5A858107},
}

var benchMods8 = map[string][8]uint64{
	"2^512-569": {0xFFFFFFFFFFFFFDC7, ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)},
	"2^511+111": {0x6F, 0, 0, 0, 0, 0, 0, 1 << 63},
}

func BenchmarkMul4(b *testing.B) {
	for name, p := range benchMods4 {
		b.Run(name, func(b *testing.B) {
			m := newMod4(p)
			x := Elem4{l: [4]uint64{1, 2, 3, 4}}
			for b.Loop() {
				x.Mul(&x, &x, m)
			}
		})
	}
}

func BenchmarkSquare4(b *testing.B) {
	for name, p := range benchMods4 {
		b.Run(name, func(b *testing.B) {
			m := newMod4(p)
			x := Elem4{l: [4]uint64{1, 2, 3, 4}}
			for b.Loop() {
				x.Square(&x, m)
			}
		})
	}
}

func BenchmarkMul8(b *testing.B) {
	for name, p := range benchMods8 {
		b.Run(name, func(b *testing.B) {
			m := newMod8(p)
			x := Elem8{l: [8]uint64{1, 2, 3, 4}}
			for b.Loop() {
				x.Mul(&x, &x, m)
			}
		})
	}
}

func BenchmarkSquare8(b *testing.B) {
	for name, p := range benchMods8 {
		b.Run(name, func(b *testing.B) {
			m := newMod8(p)
			x := Elem8{l: [8]uint64{1, 2, 3, 4}}
			for b.Loop() {
				x.Square(&x, m)
			}
		})
	}
}

func BenchmarkMulMont4(b *testing.B) {
	m := newMod4(benchMods4["CryptoPro-C"])
	x := Elem4{l: [4]uint64{1, 2, 3, 4}}
	for b.Loop() {
		x.mulMont(&x, &x, m)
	}
}

func BenchmarkSqrMont4(b *testing.B) {
	m := newMod4(benchMods4["CryptoPro-C"])
	x := Elem4{l: [4]uint64{1, 2, 3, 4}}
	for b.Loop() {
		x.sqrMont(&x, m)
	}
}

func BenchmarkSqrMont8(b *testing.B) {
	m := newMod8(benchMods8["2^511+111"])
	x := Elem8{l: [8]uint64{1, 2, 3, 4}}
	for b.Loop() {
		x.sqrMont(&x, m)
	}
}
