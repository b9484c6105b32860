package sheet_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/renshi/renshi/internal/platform/clean"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n/i18ntest"
	"github.com/renshi/renshi/internal/platform/sheet"
)

// aliases of a small roster.
func aliases(s string) bool {
	switch s {
	case "工号", "姓名", "name", "部门", "入职日期", "手机", "邮箱", "合同开始", "合同结束", "employeeno":
		return true
	}
	return false
}

func TestOpenRefusesWhatItCannotRead(t *testing.T) {
	encrypted := book(t, func(f *excelize.File) { must(t, f.SetCellValue("Sheet1", "A1", "工号")) })
	{
		f, err := excelize.OpenReader(bytes.NewReader(encrypted))
		must(t, err)
		p := filepath.Join(t.TempDir(), "locked.xlsx")
		must(t, f.SaveAs(p, excelize.Options{Password: "secret"}))
		encrypted, err = os.ReadFile(p)
		must(t, err)
	}
	brokenFAT := cfb("Root Entry", "EncryptionInfo", "EncryptedPackage")
	brokenFAT[48] = 0x77 // directory sector out of range: the walk fails, the scan finds the name
	docx := zipParts(t, map[string]string{"[Content_Types].xml": contentTypes, "_rels/.rels": rootRels})

	var bigSheet bytes.Buffer
	{
		zw := zip.NewWriter(&bigSheet)
		for name, body := range map[string]string{"[Content_Types].xml": contentTypes, "xl/workbook.xml": workbookXML} {
			w, _ := zw.Create(name)
			w.Write([]byte(body))
		}
		// The central directory says 2 GiB: refused before inflating a byte.
		rawEntry(t, zw, "xl/worksheets/sheet1.xml", []byte("<worksheet/>"), 2<<30)
		must(t, zw.Close())
	}
	var ratio bytes.Buffer
	{
		zw := zip.NewWriter(&ratio)
		for name, body := range map[string]string{"[Content_Types].xml": contentTypes, "xl/workbook.xml": workbookXML} {
			w, _ := zw.Create(name)
			w.Write([]byte(body))
		}
		w, _ := zw.Create("xl/worksheets/sheet1.xml")
		w.Write(bytes.Repeat([]byte{' '}, 8<<20)) // 8 MiB inflated from a few KiB
		must(t, zw.Close())
	}

	cases := []struct {
		name string
		data []byte
		lim  sheet.Limits
		want string
	}{
		{"empty", nil, sheet.Limits{}, "sheet.empty"},
		{"only a BOM", []byte("\xEF\xBB\xBF"), sheet.Limits{}, "sheet.empty"},
		{"blank lines", []byte("\r\n \r\n\t\n"), sheet.Limits{}, "sheet.empty"},
		{"pdf", []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj"), sheet.Limits{}, "sheet.unsupported_type"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), sheet.Limits{}, "sheet.unsupported_type"},
		{"binary", []byte{0x01, 0x02, 0x00, 0x03, 0xFF, 0x00, 0x10, 0x11, 0x12, 0x13, 0x00, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0B, 0x0E}, sheet.Limits{}, "sheet.unsupported_type"},
		{"zip but not a workbook", docx, sheet.Limits{}, "sheet.unsupported_type"},
		{"damaged zip", []byte("PK\x03\x04 this is no zip at all, just text pretending"), sheet.Limits{}, "sheet.corrupt"},
		{"password-protected (excelize)", encrypted, sheet.Limits{}, "sheet.encrypted"},
		{"password-protected (hand-made CFB)", cfb("Root Entry", "EncryptionInfo", "EncryptedPackage"), sheet.Limits{}, "sheet.encrypted"},
		{"password-protected (damaged directory)", brokenFAT, sheet.Limits{}, "sheet.encrypted"},
		{"legacy xls", cfb("Root Entry", "Workbook", "\x05SummaryInformation"), sheet.Limits{}, "sheet.legacy_xls"},
		{"over MaxBytes", []byte("工号,姓名\n1,张三\n"), sheet.Limits{MaxBytes: 8}, "sheet.too_large"},
		{"zip bomb: declared size", bigSheet.Bytes(), sheet.Limits{}, "sheet.too_large_unzipped"},
		{"zip bomb: ratio", ratio.Bytes(), sheet.Limits{}, "sheet.too_large_unzipped"},
		{"too many shared strings", handBook(t, `<row r="1"><c t="s"><v>0</v></c></row>`, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"), sheet.Limits{MaxRows: 1}, "sheet.too_many_strings"},
		{"zip bomb: sum over MaxUnzipped", ratio.Bytes(), sheet.Limits{MaxUnzipped: 4 << 20, MaxRatio: 1 << 20}, "sheet.too_large_unzipped"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := sheet.Open(bytes.NewReader(c.data), int64(len(c.data)), c.lim)
			if r != nil {
				r.Close()
			}
			if code(err) != c.want {
				t.Fatalf("got %v, want %s", err, c.want)
			}
		})
	}
}

// A part whose header claims less than it inflates to is cut off by
// archive/zip at the claimed size, so a lying header buys nothing.
func TestLyingZipHeaderIsCaught(t *testing.T) {
	sheetXML := `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		strings.Repeat(`<row><c t="inlineStr"><is><t>x</t></is></c></row>`, 100_000) + `</sheetData></worksheet>`
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string]string{"[Content_Types].xml": contentTypes, "_rels/.rels": rootRels, "xl/workbook.xml": workbookXML, "xl/_rels/workbook.xml.rels": workbookRels} {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	fw.Write([]byte(sheetXML))
	fw.Close()
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CompressedSize64: uint64(deflated.Len()), UncompressedSize64: 1000})
	must(t, err)
	w.Write(deflated.Bytes())
	must(t, zw.Close())

	r, err := sheet.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), sheet.Limits{})
	if err == nil {
		rows := 0
		for r.Next() {
			rows++
		}
		err = r.Err()
		r.Close()
		if rows >= 100_000 {
			t.Fatalf("read %d rows past the declared size", rows)
		}
	}
	if code(err) != "sheet.corrupt" {
		t.Fatalf("got %v, want sheet.corrupt", err)
	}
}

func TestCSVEncodingsAndDelimiters(t *testing.T) {
	const text = "员工花名册\r\n\r\n工号,姓名,部门\r\nE001,张三,技术部/后端组\r\nE002,\"李四, 小名\",\"市场部\"\r\n"
	tabs := strings.ReplaceAll(strings.ReplaceAll(text, ",", "\t"), "李四\t 小名", "李四, 小名")
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	must(t, err)
	u16le, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(tabs)
	must(t, err)
	u16be, err := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().String(text)
	must(t, err)
	u16noBOM, err := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().String(tabs)
	must(t, err)
	// GBK text that is plain ASCII for its first 200 KiB.
	lateGBK, err := simplifiedchinese.GBK.NewEncoder().String("工号,姓名\r\n" + strings.Repeat("E000,Zhang\r\n", 20_000) + "E999,王五\r\n")
	must(t, err)

	want := []string{"4:E001|张三|技术部/后端组", "5:E002|李四, 小名|市场部"}
	cases := []struct {
		name, data, enc string
		want            []string
	}{
		{"utf-8", text, "utf-8", want},
		{"utf-8 with BOM", "\xEF\xBB\xBF" + text, "utf-8", want},
		{"gbk", gbk, "gb18030", want},
		{"utf-16le tab-separated", u16le, "utf-16le", want},
		{"utf-16be", u16be, "utf-16be", want},
		{"utf-16le without BOM", u16noBOM, "utf-16le", want},
		{"semicolons", strings.ReplaceAll(strings.ReplaceAll(text, ",", ";"), "李四; 小名", "李四, 小名"), "utf-8", want},
		{"LF only", strings.ReplaceAll(text, "\r\n", "\n"), "utf-8", want},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := open(t, []byte(c.data), sheet.Limits{})
			if r.Format() != sheet.CSV || r.Encoding() != c.enc {
				t.Fatalf("format %s encoding %s, want csv %s", r.Format(), r.Encoding(), c.enc)
			}
			h, err := r.Header(aliases)
			must(t, err)
			if !slices.Equal(h, []string{"工号", "姓名", "部门"}) || r.Line() != 3 || r.HeaderLine() != 3 {
				t.Fatalf("header %q at line %d", h, r.Line())
			}
			if got := rest(t, r); !slices.Equal(got, c.want) {
				t.Fatalf("rows %q, want %q", got, c.want)
			}
		})
	}
	t.Run("gbk after 200 KiB of ASCII", func(t *testing.T) {
		r := open(t, []byte(lateGBK), sheet.Limits{})
		if r.Encoding() != "gb18030" {
			t.Fatalf("encoding %s", r.Encoding())
		}
		_, err := r.Header(aliases)
		must(t, err)
		got := rest(t, r)
		if last := got[len(got)-1]; last != "20002:E999|王五" {
			t.Fatalf("last row %q", last)
		}
	})
}

// Lines count blank lines and treat a quoted field over several lines as
// one row, as a spreadsheet shows the file.
func TestCSVLines(t *testing.T) {
	r := open(t, []byte("工号,备注\n\nE1,\"两行\n备注\"\nE2,  尾部空格  \n,,\nE3,x,,\n"), sheet.Limits{})
	_, err := r.Header(aliases)
	must(t, err)
	got := rest(t, r)
	want := []string{"3:E1|两行\n备注", "4:E2|  尾部空格  ", "6:E3|x"}
	if !slices.Equal(got, want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
}

func TestXLSXTitleRowsAndMergedHeader(t *testing.T) {
	data := book(t, func(f *excelize.File) {
		s := "Sheet1"
		must(t, f.SetSheetName(s, "花名册"))
		s = "花名册"
		must(t, f.SetCellValue(s, "A1", "某某科技有限公司 2024 年员工花名册"))
		must(t, f.MergeCell(s, "A1", "F1"))
		must(t, f.SetCellValue(s, "A2", "制表人：王五"))
		// Two header rows: 工号/姓名/部门 merged down, 合同 merged across.
		must(t, f.SetSheetRow(s, "A4", &[]any{"工号*", "姓名（必填）", "部门", "合同", nil, "手 机"}))
		must(t, f.SetSheetRow(s, "A5", &[]any{nil, nil, nil, "开始", "结束"}))
		for _, col := range []string{"A", "B", "C", "F"} {
			must(t, f.MergeCell(s, col+"4", col+"5"))
		}
		must(t, f.MergeCell(s, "D4", "E4"))
		must(t, f.SetSheetRow(s, "A6", &[]any{"E001", "张三", "技术部", "2024-01-05", "2026-01-04", "13800138000"}))
		must(t, f.SetSheetRow(s, "A7", &[]any{"E002", "李四", nil, "2024/2/1", "2026/1/31", "13900139000"}))
		must(t, f.SetSheetRow(s, "A9", &[]any{"E003", "王五", "市场部"}))
		must(t, f.MergeCell(s, "C6", "C7")) // 技术部 for both
		_, err := f.NewSheet("Hidden")
		must(t, err)
		must(t, f.SetSheetVisible("Hidden", false))
	})
	r := open(t, data, sheet.Limits{})
	if !slices.Equal(r.Sheets(), []string{"花名册", "Hidden"}) || r.Sheet() != "花名册" {
		t.Fatalf("sheets %q, reading %q", r.Sheets(), r.Sheet())
	}
	h, err := r.Header(aliases)
	must(t, err)
	want := []string{"工号*", "姓名（必填）", "部门", "合同开始", "合同结束", "手 机"}
	if !slices.Equal(h, want) || r.Line() != 5 || !slices.Equal(r.Row(), want) {
		t.Fatalf("header %q at line %d", h, r.Line())
	}
	got := rest(t, r)
	wantRows := []string{
		"6:E001|张三|技术部|2024-01-05|2026-01-04|13800138000",
		"7:E002|李四|技术部|2024/2/1|2026/1/31|13900139000",
		"9:E003|王五|市场部",
	}
	if !slices.Equal(got, wantRows) {
		t.Fatalf("rows %q, want %q", got, wantRows)
	}
}

// With the header on the upper of two merged rows, the lower row belongs
// to the header, not the data.
func TestXLSXHeaderOverTwoRows(t *testing.T) {
	data := book(t, func(f *excelize.File) {
		must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"工号", "姓名"}))
		must(t, f.MergeCell("Sheet1", "A1", "A2"))
		must(t, f.MergeCell("Sheet1", "B1", "B2"))
		must(t, f.SetSheetRow("Sheet1", "A3", &[]any{"E1", "张三"}))
	})
	r := open(t, data, sheet.Limits{})
	h, err := r.Header(aliases)
	must(t, err)
	if !slices.Equal(h, []string{"工号", "姓名"}) {
		t.Fatalf("header %q at %d", h, r.Line())
	}
	if got := rest(t, r); !slices.Equal(got, []string{"3:E1|张三"}) {
		t.Fatalf("rows %q", got)
	}
}

func TestXLSXValues(t *testing.T) {
	data := book(t, func(f *excelize.File) {
		s := "Sheet1"
		must(t, f.SetSheetRow(s, "A1", &[]any{"工号", "入职日期", "出生日期", "工资", "手机", "备注"}))
		iso, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
		cn, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy\"年\"m\"月\"d\"日\"")})
		slash, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy/m/d")})
		money, _ := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
		must(t, f.SetSheetRow(s, "A2", &[]any{"E001", 45296, 32874, 12345.5, "１３８ ００１３ ８０００", "  尾部空格  "}))
		must(t, f.SetCellStyle(s, "B2", "B2", iso))
		must(t, f.SetCellStyle(s, "C2", "C2", cn))
		must(t, f.SetCellStyle(s, "D2", "D2", money))
		must(t, f.SetSheetRow(s, "A3", &[]any{"E002", 45297, "1990.1.2", 8000, 13800138000, "=1+1"}))
		must(t, f.SetCellStyle(s, "B3", "B3", slash))
		must(t, f.SetSheetRow(s, "A4", &[]any{"E003", 45298, "20240105", "8,000.00", "+86 138-0013-8000", "1.5"}))
	})
	r := open(t, data, sheet.Limits{})
	_, err := r.Header(aliases)
	must(t, err)
	got := rest(t, r)
	// Raw values: dates as serials, numbers as stored, text as typed.
	want := []string{
		"2:E001|45296|32874|12345.5|１３８ ００１３ ８０００|  尾部空格  ",
		"3:E002|45297|1990.1.2|8000|13800138000|=1+1",
		"4:E003|45298|20240105|8,000.00|+86 138-0013-8000|1.5",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("rows\n%q\nwant\n%q", got, want)
	}
	// clean reads every date style and number the file holds.
	dates := []string{"2024-01-05", "1990-01-01", "2024-01-06", "1990-01-02", "2024-01-07", "2024-01-05"}
	var read []string
	for _, row := range got {
		cells := strings.Split(row[strings.IndexByte(row, ':')+1:], "|")
		for _, c := range cells[1:3] {
			d, code := clean.Date(c)
			read = append(read, d.String()+code)
		}
		if m, code := clean.Mobile(cells[4]); m != "13800138000" || code != "" {
			t.Errorf("mobile %q: %q %s", cells[4], m, code)
		}
		if _, code := clean.Decimal(cells[3]); code != "" {
			t.Errorf("amount %q: %s", cells[3], code)
		}
	}
	if !slices.Equal(read, dates) {
		t.Fatalf("dates %q, want %q", read, dates)
	}
}

func ptr[T any](v T) *T { return &v }

// Formula cells give the value Excel cached; shared strings and inline
// strings read alike.
func TestXLSXFormulaCachedValue(t *testing.T) {
	data := handBook(t, `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>工资</t></is></c></row>`+
		`<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="str"><f>A2&amp;"-"&amp;"x"</f><v>E001-x</v></c><c r="C2"><f>SUM(1,2)</f><v>3</v></c></row>`+
		`<row r="3"><c r="A3"><v>1</v></c><c r="B3" t="str"><f>NOW()</f></c><c r="C3" t="b"><v>1</v></c></row>`,
		"工号", "姓名", "E001")
	r := open(t, data, sheet.Limits{})
	if r.Sheet() != "花名册" {
		t.Fatalf("sheet %q", r.Sheet())
	}
	h, err := r.Header(aliases)
	must(t, err)
	if !slices.Equal(h, []string{"工号", "姓名", "工资"}) {
		t.Fatalf("header %q", h)
	}
	got := rest(t, r)
	if want := []string{"2:E001|E001-x|3", "3:1||1"}; !slices.Equal(got, want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
}

func TestHeaderOnlyAndNoMatch(t *testing.T) {
	r := open(t, []byte("工号,姓名\n"), sheet.Limits{})
	h, err := r.Header(aliases)
	must(t, err)
	if len(h) != 2 || r.Next() || r.Err() != nil {
		t.Fatalf("header %q, next %v, err %v", h, r.Next(), r.Err())
	}
	// Nothing matches: the first non-empty row is the header.
	r = open(t, []byte("\nfoo,bar\n1,2\n"), sheet.Limits{})
	h, err = r.Header(aliases)
	must(t, err)
	if !slices.Equal(h, []string{"foo", "bar"}) || r.Line() != 2 {
		t.Fatalf("header %q at %d", h, r.Line())
	}
	if got := rest(t, r); !slices.Equal(got, []string{"3:1|2"}) {
		t.Fatalf("rows %q", got)
	}
	// A workbook with an empty sheet.
	r = open(t, book(t, func(*excelize.File) {}), sheet.Limits{})
	if _, err := r.Header(aliases); code(err) != "sheet.empty" {
		t.Fatalf("empty sheet: %v", err)
	}
}

func TestLimitsWhileReading(t *testing.T) {
	var csv strings.Builder
	csv.WriteString("名单\n工号,姓名\n")
	for i := 0; i < 6; i++ {
		csv.WriteString("E,张\n")
	}
	xlsx := book(t, func(f *excelize.File) {
		must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"名单"}))
		must(t, f.SetSheetRow("Sheet1", "A2", &[]any{"工号", "姓名"}))
		for i := 3; i <= 8; i++ {
			must(t, f.SetSheetRow("Sheet1", "A"+itoa(i), &[]any{"E", "张"}))
		}
	})
	for name, data := range map[string][]byte{"csv": []byte(csv.String()), "xlsx": xlsx} {
		t.Run(name, func(t *testing.T) {
			for _, c := range []struct {
				max  int
				want string
			}{{6, ""}, {5, "sheet.too_many_rows"}} {
				r := open(t, data, sheet.Limits{MaxRows: c.max})
				_, err := r.Header(aliases)
				must(t, err)
				n := 0
				for r.Next() {
					n++
				}
				if code(r.Err()) != c.want || (c.want == "" && n != 6) {
					t.Fatalf("max %d: %d rows, %v", c.max, n, r.Err())
				}
				if c.want != "" {
					if e := r.Err().(*errs.Error); e.Params["max"] != c.max || e.Kind != errs.TooLarge {
						t.Fatalf("error %#v", e)
					}
				}
			}
			r := open(t, data, sheet.Limits{MaxCellChars: 1})
			_, err := r.Header(aliases)
			if code(err) != "sheet.cell_too_long" {
				t.Fatalf("cell limit: %v", err)
			}
		})
	}
}

func itoa(i int) string { return string(rune('0'+i/10%10)) + string(rune('0'+i%10)) }

func TestUseSheet(t *testing.T) {
	data := book(t, func(f *excelize.File) {
		must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"说明"}))
		_, err := f.NewSheet("数据")
		must(t, err)
		must(t, f.SetSheetRow("数据", "A1", &[]any{"工号", "姓名"}))
		must(t, f.SetSheetRow("数据", "A2", &[]any{"E1", "张三"}))
	})
	r := open(t, data, sheet.Limits{})
	if code(r.UseSheet("nope")) != "sheet.no_such_sheet" {
		t.Fatal("unknown sheet accepted")
	}
	must(t, r.UseSheet("数据"))
	_, err := r.Header(aliases)
	must(t, err)
	if got := rest(t, r); !slices.Equal(got, []string{"2:E1|张三"}) {
		t.Fatalf("rows %q", got)
	}
	must(t, r.UseSheet("数据")) // again from the top
	if !r.Next() || r.Line() != 1 {
		t.Fatalf("restart at line %d", r.Line())
	}

	// The sheet Open chose, chosen again before reading: nothing is
	// opened twice, and the rows are all there; once read from, it
	// starts again.
	r = open(t, data, sheet.Limits{})
	must(t, r.UseSheet(r.Sheet()))
	if !r.Next() || r.Line() != 1 || r.Row()[0] != "说明" || r.Next() {
		t.Fatalf("first sheet chosen again: line %d %q", r.Line(), r.Row())
	}
	must(t, r.UseSheet(r.Sheet()))
	if !r.Next() || r.Line() != 1 || r.Row()[0] != "说明" {
		t.Fatalf("first sheet again after reading: line %d %q", r.Line(), r.Row())
	}
}

func TestNormalise(t *testing.T) {
	for in, want := range map[string]string{
		"工号":                   "工号",
		"  工 号 ":               "工号",
		"\u3000工号（必填）*":        "工号",
		"*姓名":                  "姓名",
		"Employee_No":          "employeeno",
		"ＥＭＡＩＬ":                "email",
		"入职\n日期：":              "入职日期",
		"手机号(选填)":              "手机号",
		"Hire Date (Required)": "hiredate",
		"\ufeff工号":             "工号",
		"(必填)":                 "(必填)",
	} {
		if got := sheet.Normalise(in); got != want {
			t.Errorf("Normalise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestColumnName(t *testing.T) {
	for c, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := sheet.ColumnName(c); got != want {
			t.Errorf("ColumnName(%d) = %s, want %s", c, got, want)
		}
	}
}

func TestMessagesAreTranslated(t *testing.T) {
	if n := i18ntest.CheckCodes(t, ".", i18ntest.Calls); n < 10 {
		t.Fatalf("scan found only %d codes", n)
	}
}
