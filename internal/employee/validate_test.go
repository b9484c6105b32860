package employee_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/validate"
)

func TestResidentID(t *testing.T) {
	valid := "11010519491231002X"
	cases := []struct {
		in, code string
	}{
		{valid, ""},
		{"11010519491231002x", ""}, // lower-case x
		{"１１０１０５１９４９１２３１００２Ｘ", ""}, // full-width
		{"110105194912310021", "employee.id_check_digit"},
		{"110105194913310029", "invalid_id_number"}, // month 13
		{"11010519491231002", "invalid_id_number"},  // 17 characters
		{"1101051949123100XX", "invalid_id_number"},
		{"", "invalid_id_number"},
		{"abcdefghijklmnopqr", "invalid_id_number"},
		{"110105209912310025", "invalid_id_number"}, // born in the future
	}
	for _, c := range cases {
		_, code := employee.ResidentID(c.in)
		if code != c.code {
			t.Errorf("%q: %q, want %q", c.in, code, c.code)
		}
	}
	info, _ := employee.ResidentID(valid)
	if info.Male || civil.Of(info.Birth) != civil.New(1949, 12, 31) {
		t.Fatalf("info: %+v", info)
	}
}

func FuzzResidentID(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "110105194912310021", "", "X", "１１０１０５", strings.Repeat("9", 18)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		info, code := employee.ResidentID(s)
		_, ok := validate.IDNumber(s)
		if ok != (code == "") {
			t.Fatalf("%q: code %q disagrees with validate (%v)", s, code, ok)
		}
		if code == "" && len(info.Number) != 18 {
			t.Fatalf("%q: number %q", s, info.Number)
		}
		if code == "employee.id_check_digit" {
			// Fixing the last character must make it valid.
			n := strings.ToUpper(strings.ReplaceAll(validate.Normalize(s), " ", ""))
			fixed := false
			for _, c := range "0123456789X" {
				if _, ok := validate.IDNumber(n[:17] + string(c)); ok {
					fixed = true
				}
			}
			if !fixed {
				t.Fatalf("%q: check-digit error not fixable", s)
			}
		}
	})
}

func TestDocumentNumbers(t *testing.T) {
	cases := []struct {
		typ, in string
		ok      bool
	}{
		{employee.IDPassport, "E12345678", true},
		{employee.IDPassport, "e1234 5678", true},
		{employee.IDPassport, "E12", false},
		{employee.IDPassport, "E1234-5678", false},
		{employee.IDHKMacaoPermit, "H12345678", true},
		{employee.IDHKMacaoPermit, "M1234567890", true},
		{employee.IDHKMacaoPermit, "X12345678", false},
		{employee.IDTaiwanPermit, "12345678", true},
		{employee.IDTaiwanPermit, "1234567", false},
		{employee.IDForeignPermanent, "USA123456789012", true},
		{employee.IDForeignPermanent, "US1234567890123", false},
		{employee.IDForeignPermanent, "11010519491231002X", false}, // 18 characters must start with 9
		{"unknown", "E12345678", false},
	}
	for _, c := range cases {
		if _, ok := employee.DocumentNumber(c.typ, c.in); ok != c.ok {
			t.Errorf("%s %q: %v, want %v", c.typ, c.in, ok, c.ok)
		}
	}
}

func FuzzDocumentNumber(f *testing.F) {
	for _, s := range []string{"E12345678", "H12345678", "USA123456789012", "９１２３", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, typ := range employee.IDTypes[1:] {
			n, ok := employee.DocumentNumber(typ, s)
			if ok && (len(n) < 5 || len(n) > 20 || strings.ToUpper(n) != n || strings.ContainsAny(n, " -")) {
				t.Fatalf("%s %q accepted as %q", typ, s, n)
			}
		}
	})
}

func TestMobileAndBankAccount(t *testing.T) {
	for _, c := range []struct {
		in, out string
		ok      bool
	}{
		{"13800138000", "13800138000", true},
		{"+86 138-0013-8000", "13800138000", true},
		{"+852 9123 4567", "+85291234567", true},
		{"+86 12345", "+8612345", false},
		{"12345", "12345", false},
	} {
		if out, ok := employee.Mobile(c.in); out != c.out || ok != c.ok {
			t.Errorf("mobile %q: %q %v", c.in, out, ok)
		}
	}
	for _, c := range []struct {
		in, out string
		ok      bool
	}{
		{"6222 0202 0011 2233 445", "6222020200112233445", true},
		{"6222-0202", "62220202", true},
		{"1234567", "1234567", false},
		{"6222abcd12345678", "6222abcd12345678", false},
	} {
		if out, ok := employee.BankAccount(c.in); out != c.out || ok != c.ok {
			t.Errorf("bank %q: %q %v", c.in, out, ok)
		}
	}
	if m := employee.MaskBankAccount("6222020200112233445"); m != "6222 **** **** 3445" {
		t.Fatal(m)
	}
}

func FuzzBankAccountAndMobile(f *testing.F) {
	for _, s := range []string{"6222 0202", "+86 138", "", "１２３"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, ok := employee.BankAccount(s); ok {
			if len(n) < 8 || len(n) > 30 || strings.Trim(n, "0123456789") != "" {
				t.Fatalf("%q accepted as %q", s, n)
			}
			if m := employee.MaskBankAccount(n); strings.Contains(m, n[4:len(n)-4]) && len(n) > 12 {
				t.Fatalf("mask %q leaks %q", m, n)
			}
		}
		if n, ok := employee.Mobile(s); ok && !(len(n) == 11 || strings.HasPrefix(n, "+")) {
			t.Fatalf("mobile %q accepted as %q", s, n)
		}
	})
}

func TestPinyinNamesAndTokens(t *testing.T) {
	for _, c := range []struct {
		name, pinyin, initials string
	}{
		{"张三", "zhangsan", "zs"},
		{"单田芳", "shantianfang", "stf"},
		{"曾国藩", "zengguofan", "zgf"},
		{"区志航", "ouzhihang", "ozh"},
		{"仇英", "qiuying", "qy"},
		{"解缙", "xiejin", "xj"},
		{"查良镛", "zhaliangyong", "zly"},
		{"朴槿惠", "piaojinhui", "pjh"},
		{"盖聂", "genie", "gn"},
		{"翟志刚", "zhaizhigang", "zzg"},
		{"乐嘉", "yuejia", "yj"},
		{"缪可", "miaoke", "mk"},
		{"尉迟恭", "yuchigong", "ycg"},
		{"万俟卨", "moqixie", "mqx"},
		{"长孙无忌", "zhangsunwuji", "zswj"},
		{"欧阳修", "ouyangxiu", "oyx"},
		{"吕布", "lvbu", "lb"},
		{"Tom Li", "tomli", "tl"},
	} {
		n := employee.SplitName(c.name)
		if n.Pinyin() != c.pinyin || n.Initials() != c.initials {
			t.Errorf("%s: %s %s, want %s %s", c.name, n.Pinyin(), n.Initials(), c.pinyin, c.initials)
		}
	}
	toks := employee.SearchTokens("张三", "Sam Zhang", "RS000001", "13800138000", "San@Example.cn")
	for _, want := range []string{"张三", "三", "zhangsan", "san", "zs", "sam", "zhang", "rs000001", "13800138000", "san@example.cn"} {
		found := false
		for _, tok := range toks {
			found = found || tok == want
		}
		if !found {
			t.Errorf("token %q missing from %v", want, toks)
		}
	}
	lo, hi := employee.TokenRange("zs")
	if enc := employee.EncodeToken("zs"); enc != lo || !(enc < hi) || !(employee.EncodeToken("zsx") < hi) || !(employee.EncodeToken("zt") > hi) {
		t.Fatalf("range %s %s", lo, hi)
	}
}

func FuzzSearchTokens(f *testing.F) {
	for _, s := range []string{"张三", "欧阳", "Tom 李", "", "ｚ", "\xff", "尉迟"} {
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, name, q string) {
		toks := employee.SearchTokens(name, name, name, q, q)
		for _, tok := range toks {
			if tok == "" || utf8.RuneCountInString(tok) > 40 {
				t.Fatalf("%q: bad token %q", name, tok)
			}
			// Every token is found by each of its prefixes.
			lo, hi := employee.TokenRange(tok)
			if enc := employee.EncodeToken(tok); enc < lo || enc >= hi {
				t.Fatalf("%q: token outside its own range", tok)
			}
		}
		for _, term := range employee.QueryTerms(q) {
			if term == "" || strings.ContainsAny(term, " \t") {
				t.Fatalf("%q: term %q", q, term)
			}
		}
		_ = employee.SortKey(name)
	})
}

func TestProbationLimit(t *testing.T) {
	d := civil.MustParse
	for _, c := range []struct {
		kind, start, end string
		max              int
	}{
		{employee.TaskBased, "2026-01-01", "2027-01-01", 0},
		{employee.OpenEnded, "2026-01-01", "", 6},
		{employee.FixedTerm, "2026-01-01", "2026-03-30", 0}, // under three months
		{employee.FixedTerm, "2026-01-01", "2026-03-31", 1}, // three months
		{employee.FixedTerm, "2026-01-01", "2026-12-30", 1}, // under a year
		{employee.FixedTerm, "2026-01-01", "2026-12-31", 2}, // one year
		{employee.FixedTerm, "2026-01-01", "2028-12-30", 2}, // under three years
		{employee.FixedTerm, "2026-01-01", "2028-12-31", 6}, // three years
		{employee.FixedTerm, "2024-02-29", "2025-02-26", 1}, // a year from 29 February runs to 28 February
		{employee.FixedTerm, "2024-02-29", "2025-02-27", 2},
	} {
		var end civil.Date
		if c.end != "" {
			end = d(c.end)
		}
		if got := employee.ProbationLimit(c.kind, d(c.start), end); got != c.max {
			t.Errorf("%s %s..%s: %d, want %d", c.kind, c.start, c.end, got, c.max)
		}
	}
	if e := employee.ProbationEnd(d("2026-01-31"), 1); e != d("2026-02-27") {
		t.Fatalf("probation end: %s", e)
	}
}
