//go:build !amd64 || purego

package ec

// ProductVariantsForTest has a single variant without assembly.
func ProductVariantsForTest() (variants []bool, set func(bool) bool) {
	return []bool{false}, func(bool) bool { return false }
}
