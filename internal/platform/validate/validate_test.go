package validate

import (
	"testing"

	"github.com/renshi/renshi/internal/platform/errs"
)

func TestIDNumber(t *testing.T) {
	cases := []struct {
		in   string
		ok   bool
		male bool
	}{
		{"11010519491231002X", true, false},
		{"11010519491231002x", true, false},
		{" 110105194912310029 ", false, false}, // wrong check character
		{"440524188001010014", false, false},   // born before 1900
		{"110105194913310028", false, false},   // month 13
		{"11010519491231002", false, false},    // too short
		{"１１０１０５１９４９１２３１００２Ｘ", true, false},    // full width
		{"320102198001011234", false, false},
	}
	for _, c := range cases {
		info, ok := IDNumber(c.in)
		if ok != c.ok {
			t.Errorf("IDNumber(%q) ok = %v, want %v", c.in, ok, c.ok)
			continue
		}
		if ok && (info.Male != c.male || info.Number != "11010519491231002X" || info.Birth.Format("2006-01-02") != "1949-12-31") {
			t.Errorf("IDNumber(%q) = %+v", c.in, info)
		}
	}
}

func TestMobile(t *testing.T) {
	for in, want := range map[string]string{"13812345678": "13812345678", "+86 138-1234-5678": "13812345678", "008613812345678": "13812345678", "１３８１２３４５６７８": "13812345678"} {
		if got, ok := Mobile(in); !ok || got != want {
			t.Errorf("Mobile(%q) = %q %v", in, got, ok)
		}
	}
	for _, bad := range []string{"12812345678", "1381234567", "abc", ""} {
		if _, ok := Mobile(bad); ok {
			t.Errorf("Mobile(%q) accepted", bad)
		}
	}
}

func TestEmail(t *testing.T) {
	if got, ok := Email("Li.Lei@Example.COM"); !ok || got != "Li.Lei@example.com" {
		t.Fatalf("%q %v", got, ok)
	}
	for _, bad := range []string{"a@b", "Li <li@example.com>", "no-at", ""} {
		if _, ok := Email(bad); ok {
			t.Errorf("Email(%q) accepted", bad)
		}
	}
}

func FuzzIDNumber(f *testing.F) {
	f.Add("11010519491231002X")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		info, ok := IDNumber(s)
		if ok {
			if again, ok2 := IDNumber(info.Number); !ok2 || again != info {
				t.Fatalf("normalised number %q does not validate again", info.Number)
			}
		}
	})
}

func TestProseKeepsChinesePunctuation(t *testing.T) {
	var f errs.Fields
	s := "  客户提出异议时，首先应当？（单选）\n第二行\x00\t "
	Prose(&f, "stem", &s, 100, true)
	if s != "客户提出异议时，首先应当？（单选）\n第二行" || f.Err() != nil {
		t.Fatalf("%q %v", s, f.Err())
	}
	empty := " \n "
	Prose(&f, "title", &empty, 10, true)
	long := "一二三四五六"
	Prose(&f, "body", &long, 5, false)
	if !f.Has("title") || !f.Has("body") {
		t.Fatalf("required and too long: %v", f.Err())
	}
}
