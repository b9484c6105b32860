package org

import (
	"strings"

	"github.com/renshi/renshi/internal/platform/validate"
)

// creditAlphabet is the character set of the unified social credit code
// (统一社会信用代码, GB 32100-2015): digits and capital letters without
// I, O, S, V and Z. A character's value is its index.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are the weights of the first 17 characters (3^i mod 31).
var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ValidateCreditCode checks a unified social credit code: 18 characters
// of the code's alphabet, digits for the administrative division
// (positions 3-8) and the check character at position 18. Pasted
// full-width characters, spaces and lower case are normalised first; the
// normalised code is returned.
func ValidateCreditCode(s string) (string, bool) {
	s = strings.ToUpper(strings.ReplaceAll(validate.Normalize(s), " ", ""))
	if len(s) != 18 {
		return "", false
	}
	sum := 0
	for i := 0; i < 18; i++ {
		v := strings.IndexByte(creditAlphabet, s[i])
		if v < 0 {
			return "", false
		}
		if i >= 2 && i < 8 && v > 9 {
			return "", false
		}
		if i < 17 {
			sum += v * creditWeights[i]
		}
	}
	check := (31 - sum%31) % 31
	if s[17] != creditAlphabet[check] {
		return "", false
	}
	return s, true
}
