package export

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+1":                       "'+1",
		"-2+3":                     "'-2+3",
		"@SUM(A1)":                 "'@SUM(A1)",
		"\tcmd":                    "'\tcmd",
		"\rcmd":                    "'\rcmd",
		"张三":                       "张三",
		"":                         "",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCSVHasBOMAndEscapes(t *testing.T) {
	var b bytes.Buffer
	w, _ := New(&b, CSV, "")
	_ = w.Write([]string{"姓名", "备注"})
	_ = w.Write([]string{"张三", "=1+1"})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "\ufeff姓名,备注\n张三,'=1+1\n") {
		t.Fatalf("%q", b.String())
	}
}

func TestXLSXOpensWithValues(t *testing.T) {
	var b bytes.Buffer
	w, _ := New(&b, XLSX, "用户")
	_ = w.Write([]string{"登录名", "公式"})
	_ = w.Write([]string{"zhangsan", "@cmd"})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("用户")
	if err != nil || len(rows) != 2 || rows[1][1] != "'@cmd" || rows[0][0] != "登录名" {
		t.Fatalf("rows %v err %v", rows, err)
	}
}

func TestContentDisposition(t *testing.T) {
	got := ContentDisposition("用户列表.xlsx")
	if got != `attachment; filename="____.xlsx"; filename*=UTF-8''%E7%94%A8%E6%88%B7%E5%88%97%E8%A1%A8.xlsx` {
		t.Fatal(got)
	}
}

func TestEscapeIsUndoneByUnescape(t *testing.T) {
	for _, s := range []string{"", "张三", "=1+1", "'=1+1", "''@x", "'plain", "'", "''", "-", "+86 138", "\tx", "a=b", "'-'"} {
		if got := Unescape(Escape(s)); got != s {
			t.Errorf("Unescape(Escape(%q)) = %q", s, got)
		}
	}
	// An apostrophe before a risky character is itself escaped.
	if Escape("'=1") != "''=1" || Escape("'abc") != "'abc" {
		t.Fatal(Escape("'=1"), Escape("'abc"))
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "=1", "'=1", "''+x", "abc", "'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := Escape(s)
		if Unescape(e) != s {
			t.Fatalf("Unescape(Escape(%q)) = %q", s, Unescape(e))
		}
		if e != "" && risky(e[0]) {
			t.Fatalf("Escape(%q) = %q starts with a formula character", s, e)
		}
	})
}

func TestContentDispositionEncodesEverySpecialCharacter(t *testing.T) {
	got := ContentDisposition("员工 a;b=c,d\"e%f\r\n.csv")
	want := `attachment; filename="__ a;b=c,d_e_f__.csv"; filename*=UTF-8''%E5%91%98%E5%B7%A5%20a%3Bb%3Dc%2Cd%22e%25f%0D%0A.csv`
	if got != want {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
}

func TestXLSXKeepsTextAndFreezesHeader(t *testing.T) {
	var b bytes.Buffer
	w, _ := New(&b, XLSX, "a/b:c?员工花名册-非常长的名字超过三十一个字符会被截断的工作表名")
	_ = w.Write([]string{"工号", "身份证号"})
	_ = w.Write([]string{"000123", "11010519491231002X"})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetName(0)
	if strings.ContainsAny(sheet, ":/?") || len([]rune(sheet)) > 31 {
		t.Fatalf("sheet name %q", sheet)
	}
	typ, _ := f.GetCellType(sheet, "A2")
	v, _ := f.GetCellValue(sheet, "A2")
	if v != "000123" || typ != excelize.CellTypeInlineString {
		t.Fatalf("A2 %q %v", v, typ)
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Fatalf("panes %+v %v", panes, err)
	}
}

func TestParseFormat(t *testing.T) {
	if ParseFormat("CSV") != CSV || ParseFormat("xlsx") != XLSX || ParseFormat("") != XLSX {
		t.Fatal()
	}
}
