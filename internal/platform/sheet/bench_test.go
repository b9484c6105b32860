package sheet_test

import (
	"archive/zip"
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/renshi/renshi/internal/platform/sheet"
)

const benchRows, benchCols = 100_000, 30

var benchHeader = []string{"工号", "姓名", "性别", "部门", "岗位", "职级", "入职日期", "出生日期", "身份证号", "手机",
	"邮箱", "银行卡号", "开户行", "合同开始", "合同结束", "直属上级", "学历", "民族", "婚姻状况", "籍贯",
	"户口类型", "现住址", "紧急联系人", "紧急联系电话", "基本工资", "社保基数", "备注", "技能", "爱好", "工位"}

// benchValue is a roster cell: about a third unique per row, the rest
// drawn from short lists, dates as serials with a date format, money as
// numbers.
func benchValue(row, col int) any {
	switch col {
	case 0:
		return fmt.Sprintf("E%06d", row)
	case 1:
		return fmt.Sprintf("张%d", row)
	case 2:
		return []string{"男", "女"}[row%2]
	case 3:
		return fmt.Sprintf("总部/技术部/第%d组", row%50)
	case 4, 5, 12, 16, 17, 18, 19, 20:
		return fmt.Sprintf("选项%d-%d", col, row%20)
	case 6, 7, 13, 14:
		return 40000 + (row*7+col)%8000
	case 8:
		return fmt.Sprintf("11010119900101%04d", row%10000)
	case 9, 23:
		return fmt.Sprintf("1380%07d", row)
	case 10:
		return fmt.Sprintf("user%d@example.com", row)
	case 11:
		return fmt.Sprintf("6222%015d", row)
	case 15:
		return fmt.Sprintf("E%06d", row/10)
	case 21:
		return fmt.Sprintf("北京市海淀区中关村大街%d号院%d楼", row%500, row%30)
	case 24, 25:
		return float64(5000+row%20000) + 0.5
	}
	return fmt.Sprintf("文本%d", (row*31+col)%1000)
}

// writeStreamed writes the roster with excelize's StreamWriter (inline
// strings), as exports do.
func writeStreamed(tb testing.TB, path string) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	must(tb, err)
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(tb, err)
	row := make([]any, benchCols)
	for c, h := range benchHeader {
		row[c] = h
	}
	must(tb, sw.SetRow("A1", row))
	for r := 1; r <= benchRows; r++ {
		for c := range row {
			v := benchValue(r, c)
			if c == 6 || c == 7 || c == 13 || c == 14 {
				v = excelize.Cell{StyleID: date, Value: v}
			}
			row[c] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+1)
		must(tb, sw.SetRow(cell, row))
	}
	must(tb, sw.Flush())
	must(tb, f.SaveAs(path))
}

// writeShared writes the same roster the way Excel and WPS save it: text
// in a shared string table (here one entry per distinct text).
func writeShared(tb testing.TB, path string) {
	out, err := os.Create(path)
	must(tb, err)
	defer out.Close()
	zw := zip.NewWriter(out)
	put := func(name, body string) {
		w, err := zw.Create(name)
		must(tb, err)
		_, err = w.Write([]byte(body))
		must(tb, err)
	}
	put("[Content_Types].xml", contentTypes)
	put("_rels/.rels", rootRels)
	put("xl/workbook.xml", workbookXML)
	put("xl/_rels/workbook.xml.rels", workbookRels)
	index := map[string]int{}
	var texts []string
	sst := func(s string) int {
		if i, ok := index[s]; ok {
			return i
		}
		index[s] = len(texts)
		texts = append(texts, s)
		return len(texts) - 1
	}
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	must(tb, err)
	bw := bufio.NewWriter(w)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for r := 0; r <= benchRows; r++ {
		fmt.Fprintf(bw, `<row r="%d">`, r+1)
		for c := 0; c < benchCols; c++ {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			var v any = benchHeader[c]
			if r > 0 {
				v = benchValue(r, c)
			}
			switch v := v.(type) {
			case string:
				fmt.Fprintf(bw, `<c r="%s" t="s"><v>%d</v></c>`, ref, sst(v))
			case int:
				fmt.Fprintf(bw, `<c r="%s"><v>%d</v></c>`, ref, v)
			case float64:
				fmt.Fprintf(bw, `<c r="%s"><v>%s</v></c>`, ref, strconv.FormatFloat(v, 'f', -1, 64))
			}
		}
		bw.WriteString(`</row>`)
	}
	bw.WriteString(`</sheetData></worksheet>`)
	must(tb, bw.Flush())
	w, err = zw.Create("xl/sharedStrings.xml")
	must(tb, err)
	bw = bufio.NewWriter(w)
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, len(texts), len(texts))
	for _, s := range texts {
		fmt.Fprintf(bw, `<si><t>%s</t></si>`, s)
	}
	bw.WriteString(`</sst>`)
	must(tb, bw.Flush())
	must(tb, zw.Close())
}

// BenchmarkRead100k reads a 100,000-row, 30-column roster: Open, Header,
// every row, nothing kept. The file is made first in b.TempDir (not timed).
// Sampled every 5 ms while reading: peak-MiB is the most heap in use,
// peak-held-MiB the most memory the Go runtime held from the OS (Sys minus
// HeapReleased, after handing back what making the file used).
func BenchmarkRead100k(b *testing.B) {
	for _, kind := range []struct {
		name  string
		write func(testing.TB, string)
	}{{"stream-writer", writeStreamed}, {"shared-strings", writeShared}} {
		b.Run(kind.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), kind.name+".xlsx")
			kind.write(b, path)
			st, err := os.Stat(path)
			must(b, err)
			b.ReportMetric(float64(st.Size())/(1<<20), "file-MiB")
			debug.FreeOSMemory()
			var peak, peakSys atomic.Uint64
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				var m runtime.MemStats
				t := time.NewTicker(5 * time.Millisecond)
				defer t.Stop()
				for {
					runtime.ReadMemStats(&m)
					if m.HeapInuse > peak.Load() {
						peak.Store(m.HeapInuse)
					}
					if held := m.Sys - m.HeapReleased; held > peakSys.Load() {
						peakSys.Store(held)
					}
					select {
					case <-stop:
						return
					case <-t.C:
					}
				}
			}()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f, err := os.Open(path)
				must(b, err)
				r, err := sheet.Open(f, st.Size(), sheet.Limits{})
				must(b, err)
				if _, err := r.Header(func(s string) bool { return s == "工号" || s == "姓名" }); err != nil {
					b.Fatal(err)
				}
				n := 0
				for r.Next() {
					n++
				}
				must(b, r.Err())
				must(b, r.Close())
				f.Close()
				if n != benchRows {
					b.Fatalf("read %d rows", n)
				}
			}
			b.StopTimer()
			close(stop)
			<-done
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-MiB")
			b.ReportMetric(float64(peakSys.Load())/(1<<20), "peak-held-MiB")
		})
	}
}
