//go:build amd64 && !purego

package ec

// ProductVariantsForTest lists the settings of useADX this CPU can run,
// for tests to cover every assembly product; set applies one and returns
// the previous value.
func ProductVariantsForTest() (variants []bool, set func(bool) bool) {
	variants = []bool{false}
	if useADX {
		variants = append(variants, true)
	}
	return variants, func(v bool) bool {
		old := useADX
		useADX = v
		return old
	}
}
