// Package validate checks and normalises values that many modules accept:
// PRC resident ID numbers, mainland mobile numbers, email addresses.
package validate

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/renshi/renshi/internal/platform/errs"
	"golang.org/x/text/width"
)

// Normalize folds full-width characters to half width and trims space,
// the way values pasted from Chinese documents need.
func Normalize(s string) string {
	return strings.TrimSpace(width.Fold.String(s))
}

// IDInfo is what a PRC resident ID number tells.
type IDInfo struct {
	Number string    // normalised: 18 characters, upper-case X
	Birth  time.Time // civil date at UTC midnight
	Male   bool
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheck = "10X98765432"

// IDNumber validates an 18-character PRC resident identity number
// (GB 11643-1999): digits, a real birth date not in the future, and the
// ISO 7064 MOD 11-2 check character.
func IDNumber(s string) (IDInfo, bool) {
	s = strings.ToUpper(strings.ReplaceAll(Normalize(s), " ", ""))
	if len(s) != 18 {
		return IDInfo{}, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return IDInfo{}, false
		}
		sum += int(c-'0') * idWeights[i]
	}
	if s[17] != idCheck[sum%11] {
		return IDInfo{}, false
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil || birth.Year() < 1900 || birth.After(time.Now()) {
		return IDInfo{}, false
	}
	return IDInfo{Number: s, Birth: birth, Male: (s[16]-'0')%2 == 1}, true
}

var mobilePattern = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// Mobile validates a mainland China mobile number, accepting +86, 0086,
// spaces and dashes, and returns the 11 digits.
func Mobile(s string) (string, bool) {
	s = Normalize(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == '(' || r == ')' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimPrefix(s, "+86")
	if strings.HasPrefix(s, "0086") {
		s = s[4:]
	}
	return s, mobilePattern.MatchString(s)
}

// Email validates a plain address (no display name) and lower-cases the
// domain.
func Email(s string) (string, bool) {
	s = Normalize(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") {
		return s, false
	}
	at := strings.LastIndex(s, "@")
	return s[:at] + strings.ToLower(s[at:]), true
}

// Text normalises *s (full width folded: names, numbers, codes) and
// checks it against a length in characters and, when required, that
// something is left.
func Text(f *errs.Fields, field string, s *string, max int, required bool) {
	*s = Normalize(*s)
	check(f, field, *s, max, required)
}

// Prose checks written text (titles, descriptions, questions, comments)
// the way Text does, but keeps its characters: Chinese punctuation
// (，。？（）) is full width and must stay so. Only surrounding space and
// control characters other than line breaks and tabs go.
func Prose(f *errs.Fields, field string, s *string, max int, required bool) {
	*s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, strings.TrimSpace(*s))
	check(f, field, *s, max, required)
}

func check(f *errs.Fields, field, s string, max int, required bool) {
	if required && s == "" {
		f.Add(field, "required")
		return
	}
	f.Check(utf8.RuneCountInString(s) <= max, field, "too_long", errs.Params{"max": max})
}
