package sheet_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/renshi/renshi/internal/platform/sheet"
)

// fuzzLimits are small so a fuzzer's input cannot hide behind defaults.
var fuzzLimits = sheet.Limits{MaxBytes: 1 << 20, MaxUnzipped: 8 << 20, MaxRatio: 100, MaxRows: 500, MaxCellChars: 2000}

// readAll exercises everything a caller does with a file and checks the
// limits held.
func readAll(t *testing.T, data []byte) {
	r, err := sheet.Open(bytes.NewReader(data), int64(len(data)), fuzzLimits)
	if err != nil {
		return
	}
	defer r.Close()
	r.Sheets()
	if _, err := r.Header(func(s string) bool { return s == "工号" || s == "name" }); err != nil {
		return
	}
	rows := 0
	for r.Next() {
		rows++
		for _, c := range r.Row() {
			if len([]rune(c)) > fuzzLimits.MaxCellChars {
				t.Fatalf("cell of %d characters", len([]rune(c)))
			}
		}
		if r.Line() < 1 {
			t.Fatalf("line %d", r.Line())
		}
	}
	if rows > fuzzLimits.MaxRows {
		t.Fatalf("%d rows over the limit", rows)
	}
	// The report reads the same file again.
	r2, err := sheet.Open(bytes.NewReader(data), int64(len(data)), fuzzLimits)
	if err != nil {
		t.Fatalf("second open: %v", err)
	}
	defer r2.Close()
	if _, err := r2.Header(nil); err == nil {
		_ = sheet.Report(io.Discard, r2, []sheet.CellError{{Line: 1, Column: 0, Message: "x"}, {Line: 3, Column: 5, Message: "y"}})
	}
}

func FuzzOpenCSV(f *testing.F) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("工号,姓名\n1,张三\n")
	for _, s := range []string{
		"", "\xEF\xBB\xBF工号,姓名\r\n1,张三\r\n", gbk, "工号\t姓名\n1\t\"张\n三\"\n", "a;b;c\n1;2;3\n",
		"\xFF\xFE\x25\x5E\x00\x00", "\"unterminated,x\n", "标题\n\n\n工号,姓名\n,,\n1,2,3,4\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(readAll)
}

// FuzzOpenXLSX takes a whole file, or (when the input is not a zip) the
// XML of a worksheet, which it packs into a workbook with a shared string
// table: byte changes to a zip mostly break its checksums, so XML inputs
// get further.
func FuzzOpenXLSX(f *testing.F) {
	f.Add(book(f, func(x *excelize.File) {
		x.SetSheetRow("Sheet1", "A1", &[]any{"标题"})
		x.MergeCell("Sheet1", "A1", "C1")
		x.SetSheetRow("Sheet1", "A2", &[]any{"工号", "姓名", "入职日期"})
		x.SetSheetRow("Sheet1", "A3", &[]any{"E1", "张三", 45296})
		x.MergeCell("Sheet1", "A3", "A4")
	}))
	f.Add(cfb("Root Entry", "EncryptedPackage"))
	f.Add([]byte(`<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="str"><f>1</f><v>x</v></c></row><row r="3"><c r="C3" t="s"><v>9</v></c><c r="D3" t="inlineStr"><is><t>工号</t></is></c></row></sheetData><mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>`))
	f.Add([]byte(`<sheetData><row r="2"><c r="B2"><v>45296</v></c><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c><c r="XFD2"><v>1</v></c></row><row r="1048576"/></sheetData>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, []byte("PK")) && !bytes.HasPrefix(data, []byte{0xD0, 0xCF}) {
			data = wrapSheet(t, string(data))
		}
		readAll(t, data)
	})
}

// wrapSheet packs worksheet XML into a workbook with shared strings.
func wrapSheet(t testing.TB, sheetXML string) []byte {
	return zipParts(t, map[string]string{
		"[Content_Types].xml":        contentTypes,
		"_rels/.rels":                rootRels,
		"xl/workbook.xml":            workbookXML,
		"xl/_rels/workbook.xml.rels": workbookRels,
		"xl/sharedStrings.xml":       `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>工号</t></si><si><t>姓名</t></si></sst>`,
		"xl/worksheets/sheet1.xml":   `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + sheetXML + `</worksheet>`,
	})
}
