package clean_test

import (
	"slices"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/clean"
	"github.com/renshi/renshi/internal/platform/i18n"
)

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"  张三  ":           "张三",
		"\u3000张\u3000三\t": "张 三",
		"ＡＢＣ１２３":           "ABC123",
		"a \n\n b":         "a b",
		"\u200b工号\ufeff":   "工号",
		"":                 "",
		"（技术部）":            "(技术部)",
	} {
		if got := clean.Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDate(t *testing.T) {
	d := func(s string) civil.Date { return civil.MustParse(s) }
	cases := []struct {
		in   string
		want civil.Date
		code string
	}{
		{"2024-01-05", d("2024-01-05"), ""},
		{"2024/1/5", d("2024-01-05"), ""},
		{"2024.1.5", d("2024-01-05"), ""},
		{"2024-1-05", d("2024-01-05"), ""},
		{"2024年1月5日", d("2024-01-05"), ""},
		{"2024 年 1 月 5 日", d("2024-01-05"), ""},
		{"2024年1月5号", d("2024-01-05"), ""},
		{"20240105", d("2024-01-05"), ""},
		{"２０２４－０１－０５", d("2024-01-05"), ""},
		{"２０２４年１月５日", d("2024-01-05"), ""},
		{" 2024-01-05 ", d("2024-01-05"), ""},
		{"2024-01-05 00:00:00", d("2024-01-05"), ""},
		{"2024/1/5 9:30", d("2024-01-05"), ""},
		{"2024-01-05T00:00:00", d("2024-01-05"), ""},
		{"45296", d("2024-01-05"), ""},
		{"45296.75", d("2024-01-05"), ""},
		{"1", d("1900-01-01"), ""},
		{"59", d("1900-02-28"), ""},
		{"60", civil.Date{}, clean.InvalidDate}, // Excel's 1900-02-29, which never was
		{"61", d("1900-03-01"), ""},
		{"2958465", d("9999-12-31"), ""},
		{"2958466", civil.Date{}, clean.InvalidDate},
		{"0", civil.Date{}, clean.InvalidDate},
		{"13/1/2024", d("2024-01-13"), ""},
		{"1/13/2024", d("2024-01-13"), ""},
		{"5/5/2024", d("2024-05-05"), ""},
		{"5/1/2024", civil.Date{}, clean.AmbiguousDate},
		{"2024-02-30", civil.Date{}, clean.InvalidDate},
		{"20241301", civil.Date{}, clean.InvalidDate},
		{"2023年2月29日", civil.Date{}, clean.InvalidDate},
		{"1899-12-31", civil.Date{}, clean.InvalidDate},
		{"2024年1月", civil.Date{}, clean.InvalidDate},
		{"24-1-5", civil.Date{}, clean.InvalidDate},
		{"明天", civil.Date{}, clean.InvalidDate},
		{"-1", civil.Date{}, clean.InvalidDate},
		{"", civil.Date{}, ""},
		{"   ", civil.Date{}, ""},
	}
	for _, c := range cases {
		got, code := clean.Date(c.in)
		if got != c.want || code != c.code {
			t.Errorf("Date(%q) = %v %q, want %v %q", c.in, got, code, c.want, c.code)
		}
	}
	// Serials agree with Excel's epoch over the whole range.
	for n := 61; n <= 2958465; n += 9973 {
		got, code := clean.Date(itoa(n))
		want := civil.Of(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n))
		if code != "" || got != want {
			t.Fatalf("serial %d = %v %q, want %v", n, got, code, want)
		}
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestMobile(t *testing.T) {
	for _, c := range []struct{ in, want, code string }{
		{"13800138000", "13800138000", ""},
		{"+86 138 0013 8000", "13800138000", ""},
		{"+86-138-0013-8000", "13800138000", ""},
		{"0086 13800138000", "13800138000", ""},
		{"8613800138000", "13800138000", ""},
		{"(+86) 138.0013.8000", "13800138000", ""},
		{"１３８００１３８０００", "13800138000", ""},
		{" 19912345678 ", "19912345678", ""},
		{"12800138000", "", clean.InvalidMobile},
		{"1380013800", "", clean.InvalidMobile},
		{"010-12345678", "", clean.InvalidMobile},
		{"1.38001E+10", "", clean.InvalidMobile},
		{"", "", ""},
	} {
		got, code := clean.Mobile(c.in)
		if got != c.want || code != c.code {
			t.Errorf("Mobile(%q) = %q %q, want %q %q", c.in, got, code, c.want, c.code)
		}
	}
}

func TestEmail(t *testing.T) {
	for _, c := range []struct{ in, want, code string }{
		{"zhang.san@Example.COM", "zhang.san@example.com", ""},
		{" li@corp.cn ", "li@corp.cn", ""},
		{"ｗａｎｇ＠ｃｏｒｐ．ｃｎ", "wang@corp.cn", ""},
		{"张三 <z@corp.cn>", "", clean.InvalidEmail},
		{"z@localhost", "", clean.InvalidEmail},
		{"z@@corp.cn", "", clean.InvalidEmail},
		{"z@corp..cn", "", clean.InvalidEmail},
		{"not an email", "", clean.InvalidEmail},
		{"", "", ""},
	} {
		got, code := clean.Email(c.in)
		if got != c.want || code != c.code {
			t.Errorf("Email(%q) = %q %q, want %q %q", c.in, got, code, c.want, c.code)
		}
	}
}

func TestEnum(t *testing.T) {
	gender := []clean.Choice{{Code: "male", ZH: "男", EN: "Male"}, {Code: "female", ZH: "女", EN: "Female"}}
	for _, c := range []struct{ in, want, code string }{
		{"男", "male", ""},
		{" 女 ", "female", ""},
		{"FEMALE", "female", ""},
		{"male", "male", ""},
		{"Ｍａｌｅ", "male", ""},
		{"未知", "", clean.InvalidChoice},
		{"", "", ""},
	} {
		got, code := clean.Enum(c.in, gender)
		if got != c.want || code != c.code {
			t.Errorf("Enum(%q) = %q %q, want %q %q", c.in, got, code, c.want, c.code)
		}
	}
}

func TestPath(t *testing.T) {
	for in, want := range map[string][]string{
		"技术部/后端组":    {"技术部", "后端组"},
		"技术部／后端组":    {"技术部", "后端组"},
		"技术部 > 后端组":  {"技术部", "后端组"},
		"技术部＞后端组":    {"技术部", "后端组"},
		"/总部//技术部/ ": {"总部", "技术部"},
		"技术部-后端组":    {"技术部-后端组"},
		" 技术部 ":      {"技术部"},
		"":           nil,
		" / ":        nil,
	} {
		if got := clean.Path(in); !slices.Equal(got, want) {
			t.Errorf("Path(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecimal(t *testing.T) {
	for _, c := range []struct{ in, want, code string }{
		{"1,234.50", "1234.5", ""},
		{"¥1,234.50", "1234.5", ""},
		{"￥1234", "1234", ""},
		{"1234元", "1234", ""},
		{"1234.5 RMB", "1234.5", ""},
		{"-12.3", "-12.3", ""},
		{"(1,000.00)", "-1000", ""},
		{"１２３４.５", "1234.5", ""},
		{"0.1", "0.1", ""},
		{"1,5", "0", clean.InvalidNumber},
		{"12,34", "0", clean.InvalidNumber},
		{"abc", "0", clean.InvalidNumber},
		{"1e999999", "0", clean.InvalidNumber},
		{"", "0", ""},
	} {
		got, code := clean.Decimal(c.in)
		if got.String() != c.want || code != c.code {
			t.Errorf("Decimal(%q) = %s %q, want %s %q", c.in, got, code, c.want, c.code)
		}
	}
}

func TestBool(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
		code string
	}{
		{"是", true, ""}, {"否", false, ""}, {"Y", true, ""}, {"n", false, ""},
		{"Yes", true, ""}, {"NO", false, ""}, {"TRUE", true, ""}, {"false", false, ""},
		{"1", true, ""}, {"0", false, ""}, {"√", true, ""}, {"×", false, ""},
		{"也许", false, clean.InvalidBool}, {"", false, ""},
	} {
		got, code := clean.Bool(c.in)
		if got != c.want || code != c.code {
			t.Errorf("Bool(%q) = %v %q, want %v %q", c.in, got, code, c.want, c.code)
		}
	}
}

func TestCodesAreTranslated(t *testing.T) {
	for _, c := range clean.Codes {
		if !i18n.Has(i18n.ZH, c) || !i18n.Has(i18n.EN, c) {
			t.Errorf("%s has no text in both languages", c)
		}
	}
}

// Nothing panics, whatever the input.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"2024-01-05", "45296", "+86 138 0013 8000", "a@b.cn", "1,234.50", "技术部/后端组", "是", "２０２４年１月５日", "(1,0)", "\xff\xfe"} {
		f.Add(s)
	}
	choices := []clean.Choice{{Code: "a", ZH: "甲", EN: "A"}}
	f.Fuzz(func(t *testing.T, s string) {
		clean.Text(s)
		if d, code := clean.Date(s); code == "" && !d.IsZero() && !d.Valid() {
			t.Fatalf("Date(%q) = invalid %v", s, d)
		}
		clean.Mobile(s)
		clean.Email(s)
		clean.Enum(s, choices)
		clean.Path(s)
		clean.Decimal(s)
		clean.Bool(s)
	})
}
