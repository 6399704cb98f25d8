package pki

import "fmt"

// Check digits of the Russian registration numbers that qualified
// certificates carry. Each validator returns nil or an error that names what
// is wrong; the caller wraps it with the field name.

// allDigits reports whether s is non-empty and consists of ASCII digits only.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// weighted returns the sum of digit i of s times w[i].
func weighted(s string, w []int) int {
	sum := 0
	for i, k := range w {
		sum += int(s[i]-'0') * k
	}
	return sum
}

var (
	innWeights10 = []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	innWeights11 = []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	innWeights12 = []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
)

// checkDigit compares the digit at position pos of s with want.
func checkDigit(s string, pos, want int) error {
	if got := int(s[pos] - '0'); got != want {
		return fmt.Errorf("check digit %d at position %d does not match the computed %d; "+
			"copy the number again from the registration document", got, pos+1, want)
	}
	return nil
}

// ValidateINN checks a taxpayer number (ИНН): 10 digits for a legal entity,
// 12 for a person. A legal entity's INN written as 12 digits with a leading
// "00" (the legacy form of older certificates, e.g. 009901888821) is accepted
// when its last 10 digits are a valid legal-entity INN.
func ValidateINN(s string) error {
	if !allDigits(s) {
		return fmt.Errorf("must consist of digits only")
	}
	switch len(s) {
	case 10:
		return checkDigit(s, 9, weighted(s, innWeights10)%11%10)
	case 12:
		if s[:2] == "00" && ValidateINN(s[2:]) == nil {
			return nil
		}
		if err := checkDigit(s, 10, weighted(s, innWeights11)%11%10); err != nil {
			return err
		}
		return checkDigit(s, 11, weighted(s, innWeights12)%11%10)
	}
	return fmt.Errorf("has %d digits, want 10 (organization) or 12 (person)", len(s))
}

// ValidateINNLE checks a legal entity's taxpayer number (ИНН ЮЛ), 10 digits.
func ValidateINNLE(s string) error {
	if len(s) != 10 || !allDigits(s) {
		return fmt.Errorf("must be 10 digits, got %q", s)
	}
	return ValidateINN(s)
}

// ValidateOGRN checks a legal entity's primary registration number (ОГРН):
// 13 digits, the last being the first 12 as a number mod 11, mod 10.
func ValidateOGRN(s string) error {
	return validateOGRN(s, 13, 11)
}

// ValidateOGRNIP checks an individual entrepreneur's registration number
// (ОГРНИП): 15 digits, the last being the first 14 mod 13, mod 10.
func ValidateOGRNIP(s string) error {
	return validateOGRN(s, 15, 13)
}

func validateOGRN(s string, n, mod int) error {
	if len(s) != n || !allDigits(s) {
		return fmt.Errorf("must be %d digits, got %q", n, s)
	}
	// The number without its check digit fits in 14 digits: compute the
	// remainder digit by digit so no overflow is possible either way.
	rem := 0
	for i := 0; i < n-1; i++ {
		rem = (rem*10 + int(s[i]-'0')) % mod
	}
	return checkDigit(s, n-1, rem%10)
}

// ValidateSNILS checks an insurance account number (СНИЛС), 11 digits; the
// separators of the printed form "139-350-887 85" are accepted. Numbers up to
// 001-001-998 carry no check digits and are accepted as they are.
func ValidateSNILS(s string) error {
	d := NormalizeSNILS(s)
	if len(d) != 11 || !allDigits(d) {
		return fmt.Errorf("must be 11 digits (as 123-456-789 01), got %q", s)
	}
	if d[:9] <= "001001998" {
		return nil
	}
	sum := weighted(d, []int{9, 8, 7, 6, 5, 4, 3, 2, 1})
	want := sum % 101
	if want == 100 {
		want = 0
	}
	if got := int(d[9]-'0')*10 + int(d[10]-'0'); got != want {
		return fmt.Errorf("check number %02d does not match the computed %02d; "+
			"copy the number again from the insurance certificate", got, want)
	}
	return nil
}

// NormalizeSNILS drops the spaces and hyphens of the printed form.
func NormalizeSNILS(s string) string {
	b := make([]byte, 0, 11)
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '-' {
			b = append(b, s[i])
		}
	}
	return string(b)
}
