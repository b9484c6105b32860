package employee

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/validate"
)

// ResidentID checks a PRC resident identity number and tells why it is
// wrong: "" when valid, "employee.id_check_digit" when only the check
// character is wrong (a typo the form can point out), otherwise
// "invalid_id_number".
func ResidentID(s string) (validate.IDInfo, string) {
	if info, ok := validate.IDNumber(s); ok {
		return info, ""
	}
	n := strings.ToUpper(strings.ReplaceAll(validate.Normalize(s), " ", ""))
	if len(n) == 18 {
		digits := true
		for i := 0; i < 17; i++ {
			digits = digits && n[i] >= '0' && n[i] <= '9'
		}
		last := n[17]
		if digits && (last >= '0' && last <= '9' || last == 'X') {
			// Same number with every possible check character: if one is
			// valid, only the check character was wrong.
			for _, c := range "0123456789X" {
				if _, ok := validate.IDNumber(n[:17] + string(c)); ok {
					return validate.IDInfo{}, "employee.id_check_digit"
				}
			}
		}
	}
	return validate.IDInfo{}, "invalid_id_number"
}

var (
	passportPattern = regexp.MustCompile(`^[A-Z0-9]{5,20}$`)
	// 港澳居民来往内地通行证 (回乡证): H or M and 8 or 10 digits.
	hkMacaoPattern = regexp.MustCompile(`^[HM][0-9]{8}([0-9]{2})?$`)
	// 台湾居民来往大陆通行证 (台胞证): 8 digits (some older ones have a
	// letter suffix or 10 characters).
	taiwanPattern = regexp.MustCompile(`^[0-9]{8}([A-Z0-9]{2})?$`)
	// 外国人永久居留身份证: 15 characters (3 letters, 12 digits) before
	// 2023, 18 characters starting with 9 since.
	foreignOldPattern = regexp.MustCompile(`^[A-Z]{3}[0-9]{12}$`)
)

// DocumentNumber normalises and checks a non-resident ID document number
// by type; ok is false when the format cannot be right.
func DocumentNumber(idType, s string) (string, bool) {
	n := strings.ToUpper(strings.ReplaceAll(validate.Normalize(s), " ", ""))
	switch idType {
	case IDPassport:
		return n, passportPattern.MatchString(n)
	case IDHKMacaoPermit:
		return n, hkMacaoPattern.MatchString(n)
	case IDTaiwanPermit:
		return n, taiwanPattern.MatchString(n)
	case IDForeignPermanent:
		if foreignOldPattern.MatchString(n) {
			return n, true
		}
		if len(n) == 18 && n[0] == '9' {
			_, ok := validate.IDNumber(n) // same check character as resident IDs
			return n, ok
		}
		return n, false
	}
	return n, false
}

var intlMobile = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// Mobile accepts a mainland mobile (returned as 11 digits) or an
// international number in E.164 form (+852..., +1...).
func Mobile(s string) (string, bool) {
	if m, ok := validate.Mobile(s); ok {
		return m, true
	}
	n := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == '(' || r == ')' {
			return -1
		}
		return r
	}, validate.Normalize(s))
	if strings.HasPrefix(n, "+86") {
		return n, false // a mainland number that is not one
	}
	return n, intlMobile.MatchString(n)
}

// BankAccount normalises a bank account number (digits only, 8 to 30 of
// them; spaces and dashes dropped).
func BankAccount(s string) (string, bool) {
	n := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, validate.Normalize(s))
	if len(n) < 8 || len(n) > 30 {
		return n, false
	}
	for _, c := range n {
		if c < '0' || c > '9' {
			return n, false
		}
	}
	return n, true
}

// MaskBankAccount shows only the first and last four digits:
// "6222 **** **** 1234".
func MaskBankAccount(s string) string {
	if s == "" {
		return ""
	}
	if len(s) <= 8 {
		return strings.Repeat("*", len(s))
	}
	return s[:4] + " **** **** " + s[len(s)-4:]
}

// text normalises a free-text field and checks its length.
func text(f *errs.Fields, field string, s *string, max int, required bool) {
	validate.Text(f, field, s, max, required)
}

// choice checks an optional enumerated value.
func choice(f *errs.Fields, field, v string, allowed []string) {
	f.Check(v == "" || slices.Contains(allowed, v), field, "invalid_choice")
}

// checkDate checks a date is real, not before 1900 and not after max
// (when max is set).
func checkDate(f *errs.Fields, field string, d civil.Date, max civil.Date) {
	if d.IsZero() {
		return
	}
	switch {
	case !d.Valid() || d.Year < 1900:
		f.Add(field, "invalid_date")
	case !max.IsZero() && d.After(max):
		f.Add(field, "employee.date_in_future")
	}
}

// checkProfile normalises and validates a profile. today bounds dates
// that cannot lie in the future. ID-derived birth date and gender are
// filled in when missing and must agree when given.
func checkProfile(f *errs.Fields, p *Profile, today civil.Date) {
	text(f, "name", &p.Name, 50, true)
	text(f, "englishName", &p.EnglishName, 100, false)
	if p.IDType == "" {
		p.IDType = IDResident
	}
	choice(f, "idType", p.IDType, IDTypes)
	choice(f, "gender", p.Gender, Genders)
	checkDate(f, "birthDate", p.BirthDate, today)
	p.IDNumber = validate.Normalize(p.IDNumber)
	switch {
	case p.IDNumber == "":
		f.Add("idNumber", "required")
	case p.IDType == IDResident:
		info, code := ResidentID(p.IDNumber)
		if code != "" {
			f.Add("idNumber", code)
			break
		}
		p.IDNumber = info.Number
		birth := civil.Of(info.Birth)
		gender := Female
		if info.Male {
			gender = Male
		}
		if p.BirthDate.IsZero() {
			p.BirthDate = birth
		} else if p.BirthDate != birth && !f.Has("birthDate") {
			f.Add("birthDate", "employee.birth_date_mismatch", errs.Params{"date": birth.String()})
		}
		if p.Gender == "" {
			p.Gender = gender
		} else if p.Gender != gender && !f.Has("gender") {
			f.Add("gender", "employee.gender_mismatch")
		}
	case slices.Contains(IDTypes, p.IDType):
		n, ok := DocumentNumber(p.IDType, p.IDNumber)
		f.Check(ok, "idNumber", "employee.invalid_document_number")
		p.IDNumber = n
	}
	// Other documents do not tell birth date and gender: ask for them.
	f.Check(p.Gender != "" || f.Has("idNumber") || f.Has("gender"), "gender", "required")
	f.Check(!p.BirthDate.IsZero() || f.Has("idNumber") || f.Has("birthDate"), "birthDate", "required")

	text(f, "nationality", &p.Nationality, 50, false)
	text(f, "ethnicity", &p.Ethnicity, 20, false)
	choice(f, "maritalStatus", p.MaritalStatus, MaritalStatuses)
	choice(f, "hukouType", p.HukouType, HukouTypes)
	text(f, "hukouPlace", &p.HukouPlace, 100, false)
	choice(f, "education.highestDegree", p.Education.HighestDegree, Degrees)
	text(f, "education.school", &p.Education.School, 100, false)
	text(f, "education.major", &p.Education.Major, 100, false)
	checkDate(f, "education.graduationDate", p.Education.GraduationDate, today)

	if m := validate.Normalize(p.Mobile); m == "" {
		f.Add("mobile", "required")
	} else {
		n, ok := Mobile(m)
		f.Check(ok, "mobile", "invalid_mobile")
		p.Mobile = n
	}
	if p.Email = validate.Normalize(p.Email); p.Email != "" {
		e, ok := validate.Email(p.Email)
		f.Check(ok && len(e) <= 254, "email", "invalid_email")
		p.Email = e
	}
	text(f, "address", &p.Address, 200, false)
	f.Check(len(p.EmergencyContacts) <= 5, "emergencyContacts", "employee.too_many", errs.Params{"max": 5})
	for i := range p.EmergencyContacts {
		c := &p.EmergencyContacts[i]
		pre := "emergencyContacts[" + itoa(i) + "]."
		text(f, pre+"name", &c.Name, 50, true)
		text(f, pre+"relation", &c.Relation, 20, false)
		if n, ok := Mobile(c.Mobile); ok {
			c.Mobile = n
		} else {
			f.Add(pre+"mobile", "invalid_mobile")
		}
	}
	text(f, "bankName", &p.BankName, 100, false)
	if p.BankAccount = validate.Normalize(p.BankAccount); p.BankAccount != "" {
		n, ok := BankAccount(p.BankAccount)
		f.Check(ok, "bankAccount", "employee.invalid_bank_account")
		p.BankAccount = n
		f.Check(p.BankName != "", "bankName", "required")
	}
	checkDate(f, "firstWorkDate", p.FirstWorkDate, today)
	if !p.BirthDate.IsZero() && !p.FirstWorkDate.IsZero() && p.FirstWorkDate.Before(p.BirthDate.AddYears(MinimumAge)) && !f.Has("firstWorkDate") {
		f.Add("firstWorkDate", "employee.under_age", errs.Params{"age": MinimumAge})
	}
	if p.EmergencyContacts == nil {
		p.EmergencyContacts = []EmergencyContact{}
	}
}

// MinimumAge is the minimum working age (Labour Law art. 15).
const MinimumAge = 16

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
