package clean

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/shopspring/decimal"
	"golang.org/x/text/unicode/norm"

	"github.com/renshi/renshi/internal/platform/civil"
)

// Error codes the functions return; each has zh-CN and English text.
const (
	InvalidDate   = "clean.invalid_date"
	AmbiguousDate = "clean.ambiguous_date"
	InvalidMobile = "clean.invalid_mobile"
	InvalidEmail  = "clean.invalid_email"
	InvalidChoice = "clean.invalid_choice"
	InvalidNumber = "clean.invalid_number"
	InvalidBool   = "clean.invalid_bool"
)

// Codes lists every code the package returns.
var Codes = []string{InvalidDate, AmbiguousDate, InvalidMobile, InvalidEmail, InvalidChoice, InvalidNumber, InvalidBool}

// Text normalises what people type: NFKC (full-width letters, digits and
// punctuation become half-width, the ideographic space a space), zero-width
// characters removed, trimmed, runs of spaces (tabs, newlines) collapsed to
// one space.
func Text(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' || r == '\u00ad':
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

var (
	dateTime   = regexp.MustCompile(`^(.+?)(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$`)
	ymd        = regexp.MustCompile(`^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$`)
	ymdChinese = regexp.MustCompile(`^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$`)
	compact    = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	serial     = regexp.MustCompile(`^(\d{1,7})(?:\.\d+)?$`)
	yearLast   = regexp.MustCompile(`^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})$`)
)

// maxSerial is 9999-12-31 in Excel's 1900 date system.
const maxSerial = 2958465

// Date reads a calendar date written as 2024-01-05, 2024/1/5, 2024.1.5,
// 2024年1月5日, 20240105, an Excel serial number (1900 date system,
// 1..2958465, with Excel's phantom 1900-02-29 = 60 refused), any of these
// followed by a time ("2024-01-05 00:00:00"), or day and month before the
// year when the order is unambiguous (13/1/2024, 1/13/2024; 5/1/2024 is
// clean.ambiguous_date). Full-width digits are fine. Empty gives the zero
// date and no error: whether a value is required is the caller's rule.
func Date(s string) (civil.Date, string) {
	s = Text(s)
	if s == "" {
		return civil.Date{}, ""
	}
	if m := dateTime.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	var y, mo, d int
	switch {
	case ymd.MatchString(s):
		m := ymd.FindStringSubmatch(s)
		y, mo, d = atoi(m[1]), atoi(m[2]), atoi(m[3])
	case ymdChinese.MatchString(s):
		m := ymdChinese.FindStringSubmatch(s)
		y, mo, d = atoi(m[1]), atoi(m[2]), atoi(m[3])
	case compact.MatchString(s):
		m := compact.FindStringSubmatch(s)
		y, mo, d = atoi(m[1]), atoi(m[2]), atoi(m[3])
	case serial.MatchString(s):
		return fromSerial(atoi(serial.FindStringSubmatch(s)[1]))
	case yearLast.MatchString(s):
		m := yearLast.FindStringSubmatch(s)
		a, b := atoi(m[1]), atoi(m[2])
		y = atoi(m[3])
		switch {
		case a > 12 && b <= 12:
			d, mo = a, b
		case b > 12 && a <= 12, a == b:
			mo, d = a, b
		default:
			return civil.Date{}, AmbiguousDate
		}
	default:
		return civil.Date{}, InvalidDate
	}
	date := civil.Date{Year: y, Month: time.Month(mo), Day: d}
	if y < 1900 || !date.Valid() {
		return civil.Date{}, InvalidDate
	}
	return date, ""
}

// fromSerial converts an Excel 1900-system serial: day 1 is 1900-01-01,
// and Excel counts a 1900-02-29 that never was (serial 60), so serials
// from 61 on are one more than the days since 1899-12-31.
func fromSerial(n int) (civil.Date, string) {
	switch {
	case n < 1 || n > maxSerial || n == 60:
		return civil.Date{}, InvalidDate
	case n < 60:
		return civil.New(1899, 12, 31).AddDays(n), ""
	}
	return civil.New(1899, 12, 30).AddDays(n), ""
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

var mobile = regexp.MustCompile(`^1[3-9]\d{9}$`)

// Mobile reads a mainland China mobile number: +86, 0086 or 86 before it,
// spaces, dashes, dots and brackets inside are dropped; the result must be
// 11 digits 1[3-9]xxxxxxxxx. Empty gives "" and no error.
func Mobile(s string) (string, string) {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || strings.ContainsRune("-.()", r) {
			return -1
		}
		return r
	}, Text(s))
	if s == "" {
		return "", ""
	}
	switch {
	case strings.HasPrefix(s, "+86"):
		s = s[3:]
	case strings.HasPrefix(s, "0086"):
		s = s[4:]
	case len(s) == 13 && strings.HasPrefix(s, "86"):
		s = s[2:]
	}
	if !mobile.MatchString(s) {
		return "", InvalidMobile
	}
	return s, ""
}

// Email reads one bare address (no display name), with a dotted domain,
// which is lower-cased; the local part is kept as written. Empty gives ""
// and no error.
func Email(s string) (string, string) {
	s = Text(s)
	if s == "" {
		return "", ""
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || strings.ContainsAny(s, " <>") {
		return "", InvalidEmail
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 {
		return "", InvalidEmail
	}
	domain := strings.ToLower(s[at+1:])
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", InvalidEmail
	}
	return s[:at+1] + domain, ""
}

// Enum finds the choice whose code, Chinese or English label matches
// (trimmed, NFKC, case-insensitive) and returns its code. Empty gives ""
// and no error.
func Enum(s string, choices []Choice) (string, string) {
	s = Text(s)
	if s == "" {
		return "", ""
	}
	for _, c := range choices {
		if strings.EqualFold(s, c.Code) || (c.ZH != "" && strings.EqualFold(s, Text(c.ZH))) || (c.EN != "" && strings.EqualFold(s, Text(c.EN))) {
			return c.Code, ""
		}
	}
	return "", InvalidChoice
}

// Path splits a department path on / ／ > ＞ ("技术部/后端组",
// "技术部 > 后端组"), trimming the parts and dropping empty ones.
// A dash is part of a name ("技术部-后端组" is one department). Empty
// gives nil.
func Path(s string) []string {
	parts := strings.FieldsFunc(Text(s), func(r rune) bool { return r == '/' || r == '>' })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

var grouped = regexp.MustCompile(`^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$`)

// Decimal reads an amount: 1,234.50, ¥1234.5, ￥1,234, 1234元, 1234.5 RMB,
// (1,234.50) for a negative amount. Commas must group thousands ("1,5" is
// refused rather than read as 15). Empty gives zero and no error.
func Decimal(s string) (decimal.Decimal, string) {
	s = Text(s)
	if s == "" {
		return decimal.Zero, ""
	}
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, s[1:len(s)-1]
	}
	for _, cut := range []string{"¥", "元", "人民币", "RMB", "rmb", "CNY", "cny"} {
		s = strings.ReplaceAll(s, cut, "")
	}
	s = strings.ReplaceAll(s, " ", "")
	if strings.Contains(s, ",") {
		if !grouped.MatchString(s) {
			return decimal.Zero, InvalidNumber
		}
		s = strings.ReplaceAll(s, ",", "")
	}
	if s == "" || len(s) > 64 {
		return decimal.Zero, InvalidNumber
	}
	d, err := decimal.NewFromString(s)
	// An exponent far out would make a number of a million digits.
	if err != nil || d.Exponent() < -30 || d.Exponent() > 30 {
		return decimal.Zero, InvalidNumber
	}
	if neg {
		d = d.Neg()
	}
	return d, ""
}

var (
	yes = map[string]bool{"是": true, "y": true, "yes": true, "true": true, "1": true, "√": true, "✓": true, "✔": true, "对": true, "有": true, "t": true}
	no  = map[string]bool{"否": true, "n": true, "no": true, "false": true, "0": true, "×": true, "✗": true, "✘": true, "错": true, "无": true, "f": true}
)

// Bool reads 是/否, Y/N, yes/no, true/false, 1/0, √/× (case-insensitive).
// Empty gives false and no error.
func Bool(s string) (bool, string) {
	s = strings.ToLower(Text(s))
	switch {
	case s == "":
		return false, ""
	case yes[s]:
		return true, ""
	case no[s]:
		return false, ""
	}
	return false, InvalidBool
}
