package sheet_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/renshi/renshi/internal/platform/sheet"
)

func TestReport(t *testing.T) {
	src := book(t, func(f *excelize.File) {
		must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"员工花名册"}))
		must(t, f.SetSheetRow("Sheet1", "A3", &[]any{"工号", "姓名", "手机"}))
		must(t, f.SetSheetRow("Sheet1", "A4", &[]any{"E001", "张三", "123"}))
		must(t, f.SetSheetRow("Sheet1", "A5", &[]any{"E002", "=HYPERLINK(\"http://x\")", "13800138000"}))
		must(t, f.SetSheetRow("Sheet1", "A7", &[]any{"E003", "王五"}))
	})
	r := open(t, src, sheet.Limits{})
	_, err := r.Header(aliases)
	must(t, err)
	var out bytes.Buffer
	must(t, sheet.Report(&out, r, []sheet.CellError{
		{Line: 4, Column: 2, Message: "手机号不对"},
		{Line: 5, Column: 1, Message: "姓名含有公式"},
		{Line: 7, Column: 2, Message: "必填"},
		{Line: 7, Column: 2, Message: "再一个"},
		{Line: 7, Column: -1, Message: "工号重复"},
	}))

	f, err := excelize.OpenReader(&out)
	must(t, err)
	defer f.Close()
	rows, err := f.GetRows(sheet.ReportSheet)
	must(t, err)
	got := make([]string, len(rows))
	for i, row := range rows {
		got[i] = strings.Join(row, "|")
	}
	want := []string{"", "", "工号|姓名|手机|错误 / Errors", "E001|张三|123|手机: 手机号不对",
		"E002|'=HYPERLINK(\"http://x\")|13800138000|姓名: 姓名含有公式", "", "E003|王五||工号重复; 手机: 必填; 手机: 再一个"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("rows\n%q\nwant\n%q", got, want)
	}
	if formula, _ := f.GetCellFormula(sheet.ReportSheet, "B5"); formula != "" {
		t.Fatalf("B5 holds a formula: %s", formula)
	}
	for cell, red := range map[string]bool{"C4": true, "B5": true, "C7": true, "A4": false, "B4": false} {
		id, err := f.GetCellStyle(sheet.ReportSheet, cell)
		must(t, err)
		st, err := f.GetStyle(id)
		must(t, err)
		if isRed := len(st.Fill.Color) > 0 && st.Fill.Color[0] == "FFC7CE"; isRed != red {
			t.Errorf("%s red %v, want %v", cell, isRed, red)
		}
	}
	comments, err := f.GetComments(sheet.ReportSheet)
	must(t, err)
	texts := map[string]string{}
	for _, c := range comments {
		var b strings.Builder
		for _, p := range c.Paragraph {
			b.WriteString(p.Text)
		}
		texts[c.Cell] = b.String() + c.Text
	}
	if len(texts) != 3 || texts["C4"] != "手机号不对" || texts["B5"] != "姓名含有公式" || texts["C7"] != "必填\n再一个" {
		t.Fatalf("comments %q", texts)
	}
}

// Without Header the report copies every row, title rows included.
func TestReportWholeSheetFromCSV(t *testing.T) {
	r := open(t, []byte("标题\n工号,姓名\nE1,张三\n"), sheet.Limits{})
	var out bytes.Buffer
	must(t, sheet.Report(&out, r, []sheet.CellError{{Line: 3, Column: 1, Message: "x"}}))
	f, err := excelize.OpenReader(&out)
	must(t, err)
	defer f.Close()
	rows, err := f.GetRows(sheet.ReportSheet)
	must(t, err)
	if fmt.Sprint(rows) != "[[标题] [工号 姓名] [E1 张三 B: x]]" {
		t.Fatalf("rows %q", rows)
	}
}
