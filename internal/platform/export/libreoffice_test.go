package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// The issue asks that an exported workbook, opened by another spreadsheet
// program, reads back the same values, and that formula-injection text
// stays text. LibreOffice headless converts our .xlsx to CSV; the CSV
// must hold exactly what we wrote (Chinese, numbers-as-text with their
// leading zeros, dates as written, quotes, commas, line breaks) and the
// injection strings must come back as their own text, not results.

// soffice finds LibreOffice. CI (.ci/run) installs libreoffice-calc and
// sets RENSHI_REQUIRE_LIBREOFFICE=1, so a missing program fails there
// instead of skipping.
func soffice(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"soffice", "libreoffice"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("RENSHI_REQUIRE_LIBREOFFICE") == "1" {
		t.Fatal("LibreOffice (soffice) not found but RENSHI_REQUIRE_LIBREOFFICE=1: apt-get install libreoffice-calc")
	}
	t.Skip("LibreOffice (soffice) not installed: apt-get install libreoffice-calc to run this check (CI requires it)")
	return ""
}

// toCSV converts an .xlsx file with LibreOffice and reads the CSV. Each
// call has its own profile and HOME, so it works as root and in parallel
// with other conversions.
func toCSV(t *testing.T, bin string, xlsx []byte) [][]string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "book.xlsx")
	if err := os.WriteFile(in, xlsx, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Filter options: comma, double quote, UTF-8 (76), from line 1, then
	// the export flags: cell contents as stored (not as shown), no
	// formulas (their results).
	cmd := exec.CommandContext(ctx, bin, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--norestore",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false", "--outdir", out, in)
	cmd.Env = append(os.Environ(), "HOME="+dir, "TMPDIR="+dir)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, msg)
	}
	b, err := os.ReadFile(filepath.Join(out, "book.csv"))
	if err != nil {
		t.Fatalf("no CSV from soffice (%v):\n%s", err, msg)
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV from soffice: %v\n%s", err, b)
	}
	return rows
}

// injections are the classic payloads (OWASP CSV injection).
var injections = []string{
	`=HYPERLINK("http://x","y")`,
	`+cmd|' /C calc'!A0`,
	`@SUM(1)`,
	`-2+3`,
	`=1+1`,
	"\t=1+1",
	`'=already quoted`,
}

func TestLibreOfficeReadsExportedWorkbook(t *testing.T) {
	t.Parallel()
	bin := soffice(t)
	rows := [][]string{
		{"姓名", "工号", "身份证号", "入职日期", "手机", "银行卡号", "备注"},
		{"张三", "000123", "11010519491231002X", "2024-01-05", "13800138000", "6225880112345678", "技术部/后端组"},
		{"李四（兼职）", "007", "440301199001011234", "2024/1/5", "+86 138 0013 8000", "0012345678901234567", "含逗号,和\"引号\""},
		{"Ouyang Xiu", "1e5", "000000000000000001", "20240105", "0086", "1,234.50", "第一行\n第二行"},
		{"王五", "TRUE", "45292", "2024年1月5日", "-", "", "  前后空格  "},
	}
	for i, s := range injections {
		rows = append(rows, []string{s, "9" + string(rune('0'+i)), "", "", "", "", s})
	}
	var buf bytes.Buffer
	w, err := New(&buf, XLSX, "员工花名册")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := toCSV(t, bin, buf.Bytes())
	if len(got) != len(rows) {
		t.Fatalf("%d rows back, want %d: %q", len(got), len(rows), got)
	}
	for i, want := range rows {
		// Trailing empty cells may be left out of a CSV line.
		g := got[i]
		for len(g) < len(want) {
			g = append(g, "")
		}
		for j, v := range want {
			if g[j] != Escape(v) {
				t.Errorf("row %d col %d: LibreOffice read %q, we wrote %q (from %q)", i+1, j+1, g[j], Escape(v), v)
			}
			if Unescape(g[j]) != v {
				t.Errorf("row %d col %d: Unescape(%q) = %q, want the original %q", i+1, j+1, g[j], Unescape(g[j]), v)
			}
		}
	}
	// The injection payloads stayed inert text: their own text behind an
	// apostrophe, no result ("y", 2, 1, 5).
	for i, inj := range injections {
		cell := got[len(rows)-len(injections)+i][0]
		if !strings.HasPrefix(cell, "'") || cell[1:] != inj {
			t.Errorf("injection %q came back as %q", inj, cell)
		}
	}
}

// TestLibreOfficeEvaluatesRealFormulas is the control: the same payloads
// stored as formulas do get evaluated by the conversion, so the test
// above would notice a formula slipping into an export.
func TestLibreOfficeEvaluatesRealFormulas(t *testing.T) {
	t.Parallel()
	bin := soffice(t)
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetCellFormula("Sheet1", "A1", `HYPERLINK("http://x","y")`)
	_ = f.SetCellFormula("Sheet1", "B1", "SUM(1)")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	got := toCSV(t, bin, buf.Bytes())
	if len(got) != 1 || len(got[0]) < 2 || got[0][0] != "y" || got[0][1] != "1" {
		t.Fatalf("formulas should be evaluated by LibreOffice: %q", got)
	}
}
