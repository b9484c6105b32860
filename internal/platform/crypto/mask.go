package crypto

import "unicode/utf8"

// Mask hides the middle of a value, keeping head and tail characters:
// Mask("320102198001011234", 4, 4) = "3201**********1234". Values too
// short to keep both ends are fully masked.
func Mask(s string, head, tail int) string {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return ""
	}
	r := []rune(s)
	if n <= head+tail {
		out := make([]rune, n)
		for i := range out {
			out[i] = '*'
		}
		return string(out)
	}
	for i := head; i < n-tail; i++ {
		r[i] = '*'
	}
	return string(r)
}

// MaskIDNumber keeps the region prefix and the last four characters.
func MaskIDNumber(s string) string { return Mask(s, 4, 4) }

// MaskMobile keeps the carrier prefix and the last four digits.
func MaskMobile(s string) string { return Mask(s, 3, 4) }
