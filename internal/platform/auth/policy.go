package auth

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/renshi/renshi/internal/platform/errs"
)

// commonPasswords are refused whatever their length: they top every
// leaked-password list, including Chinese ones.
var commonPasswords = map[string]bool{
	"password": true, "password1": true, "password123": true, "123456789": true, "1234567890": true,
	"12345678": true, "qwertyuiop": true, "1qaz2wsx": true, "1q2w3e4r5t": true, "abc123456": true,
	"a123456789": true, "woaini1314": true, "qwer1234": true, "admin123": true, "admin12345": true,
	"p@ssw0rd": true, "passw0rd": true, "iloveyou": true, "11111111": true, "88888888": true,
	"aa123456": true, "qq123456": true, "abcd1234": true, "zxcvbnm123": true, "1qaz2wsx3edc": true,
}

// CheckPasswordPolicy reports problems with a new password on field: at
// least minLen characters, at most 128, letters and digits (or other
// characters) mixed, not a common password, and not containing the login.
func CheckPasswordPolicy(field, pw, login string, minLen int) error {
	var f errs.Fields
	n := utf8.RuneCountInString(pw)
	switch {
	case n < minLen:
		f.Add(field, "too_short", errs.Params{"min": minLen})
	case n > 128:
		f.Add(field, "too_long", errs.Params{"max": 128})
	}
	if f.Err() != nil {
		return f.Err()
	}
	var letters, digits, others bool
	for _, r := range pw {
		switch {
		case unicode.IsLetter(r):
			letters = true
		case unicode.IsDigit(r):
			digits = true
		default:
			others = true
		}
	}
	classes := 0
	for _, b := range []bool{letters, digits, others} {
		if b {
			classes++
		}
	}
	lower := strings.ToLower(pw)
	switch {
	case classes < 2:
		f.Add(field, "auth.password_classes")
	case commonPasswords[lower]:
		f.Add(field, "auth.password_common")
	case login != "" && len(login) >= 3 && strings.Contains(lower, strings.ToLower(login)):
		f.Add(field, "auth.password_contains_login")
	}
	return f.Err()
}
