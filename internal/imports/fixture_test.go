package imports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/imports/importstest"
	"github.com/renshi/renshi/internal/platform/ids"
)

// book is a workbook to build: sheets in order, each with its rows
// (and merged ranges such as "A1:G1").
type book struct {
	sheets []page
}

type page struct {
	name   string
	rows   [][]string
	merges []string
}

func xlsxOf(t testing.TB, b book) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, p := range b.sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", p.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(p.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range p.rows {
			cells := make([]any, len(row))
			for c, v := range row {
				cells[c] = v
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(p.name, cell, &cells); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range p.merges {
			a, z, _ := strings.Cut(m, ":")
			if err := f.MergeCell(p.name, a, z); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func csvOf(t testing.TB, rows [][]string, bom bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if bom {
		buf.WriteString("\ufeff")
	}
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gbkOf(t testing.TB, rows [][]string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes(csvOf(t, rows, false))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var header = []string{"工号", "姓名", "身份证号", "性别", "入职日期", "手机", "部门"}

// roster is n good rows (E0001...), new to the target.
func roster(n int) [][]string {
	rows := [][]string{header}
	for i := 1; i <= n; i++ {
		rows = append(rows, []string{fmt.Sprintf("E%04d", i), fmt.Sprintf("员工%d", i), fmt.Sprintf("1101051990010%05d", i),
			[]string{"男", "女"}[i%2], "2024/1/5", "+86 138 0013 8000", "技术部"})
	}
	return rows
}

func upload(t testing.TB, e *importstest.Env, ctx context.Context, name string, data []byte) *imports.View {
	t.Helper()
	v, err := e.Svc.Upload(ctx, "people", name, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("upload %s: %v", name, err)
	}
	return v
}

func check(t testing.TB, e *importstest.Env, ctx context.Context, id ids.ID) *imports.View {
	t.Helper()
	if _, err := e.Svc.Check(ctx, id); err != nil {
		t.Fatalf("check: %v", err)
	}
	return e.Wait(ctx, id, imports.StateChecked, imports.StateFailed)
}

func commit(t testing.TB, e *importstest.Env, ctx context.Context, id ids.ID) *imports.View {
	t.Helper()
	if _, err := e.Svc.Commit(ctx, id); err != nil {
		t.Fatalf("commit: %v", err)
	}
	return e.Wait(ctx, id, imports.StateImported, imports.StateFailed)
}
