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
