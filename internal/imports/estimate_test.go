package imports

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestEstimateRows(t *testing.T) {
	f := excelize.NewFile()
	_, _ = f.NewSheet("第二页")
	for r := 1; r <= 1001; r++ {
		_ = f.SetCellStr("第二页", fmt.Sprintf("A%d", r+1), "x") // a title row above
	}
	_ = f.SetCellStr("Sheet1", "A1", "x")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	r := bytes.NewReader(data)
	// excelize writes no real <dimension>: the size tells.
	if n := estimateRows(r, int64(len(data)), &Batch{Format: "xlsx", Sheet: "第二页", HeaderLine: 2}); n < 950 || n > 1050 {
		t.Errorf("xlsx by size: %d", n)
	}
	// A streamed file: its rows vary in size (numbers grow).
	g := excelize.NewFile()
	sw, _ := g.NewStreamWriter("Sheet1")
	for r := 1; r <= 1234; r++ {
		_ = sw.SetRow(fmt.Sprintf("A%d", r), []any{"x", r})
	}
	_ = sw.Flush()
	buf.Reset()
	_ = g.Write(&buf)
	if n := estimateRows(bytes.NewReader(buf.Bytes()), int64(buf.Len()), &Batch{Format: "xlsx", Sheet: "Sheet1", HeaderLine: 1}); n < 1170 || n > 1300 {
		t.Errorf("xlsx streamed: %d", n)
	}
	// Excel declares the rows it has.
	if got := dimension.FindSubmatch([]byte(`<worksheet><dimension ref="A1:AD100001"/><sheetData>`)); string(got[1]) != "100001" {
		t.Errorf("dimension %q", got)
	}
	if n := estimateRows(r, int64(len(data)), &Batch{Format: "xlsx", Sheet: "Sheet1", HeaderLine: 1}); n != 0 {
		t.Errorf("xlsx header only: %d", n)
	}
	if n := estimateRows(r, int64(len(data)), &Batch{Format: "xlsx", Sheet: "nope", HeaderLine: 1}); n != 0 {
		t.Errorf("no such sheet: %d", n)
	}
	csv := strings.Repeat("a,b\n", 500)
	if n := estimateRows(strings.NewReader(csv), int64(len(csv)), &Batch{Format: "csv", HeaderLine: 1}); n != 500 {
		t.Errorf("csv: %d", n)
	}
	if n := estimateRows(strings.NewReader("junk"), 4, &Batch{Format: "xlsx"}); n != 0 {
		t.Errorf("junk: %d", n)
	}
}

// A hostile file must not make the estimate panic or hang.
func FuzzEstimateRows(f *testing.F) {
	g := excelize.NewFile()
	_ = g.SetCellStr("Sheet1", "A1", "x")
	var buf bytes.Buffer
	_ = g.Write(&buf)
	f.Add(buf.Bytes(), true)
	f.Add([]byte("a,b\nc,d\n"), false)
	f.Add([]byte("PK\x03\x04"), true)
	f.Fuzz(func(t *testing.T, data []byte, xlsx bool) {
		format := "csv"
		if xlsx {
			format = "xlsx"
		}
		if n := estimateRows(bytes.NewReader(data), int64(len(data)), &Batch{Format: format, Sheet: "Sheet1", HeaderLine: 1}); n < 0 {
			t.Fatalf("negative estimate %d", n)
		}
	})
}
