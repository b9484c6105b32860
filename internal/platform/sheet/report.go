package sheet

import (
	"cmp"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/renshi/renshi/internal/platform/export"
)

// CellError is one problem in one cell, for the error report.
type CellError struct {
	Line    int    // 1-based row number in the sheet (Reader.Line)
	Column  int    // 0-based; negative for a problem with the whole row
	Message string // translated text
}

// maxComments bounds the cell comments in a report: each costs memory
// until the file is written. Beyond it, failing cells still get the red
// fill and the row's Errors column.
const maxComments = 10_000

// ReportSheet names the sheet of the error report.
const ReportSheet = "错误报告"

// ErrorsColumn is the title of the report's last column.
const ErrorsColumn = "错误 / Errors"

// Report writes an .xlsx copy of src's rows, from where src stands (its
// first row when not started, the header after Header) to the end, each
// at its original row number so Line numbers match. Each failing cell gets
// a red fill and a comment with its message, and a last column "错误 /
// Errors" sums up the row as "header: message; ...". Values are written as
// text, never formulas, escaped with export.Escape.
//
// Rows are written with excelize's StreamWriter, so memory holds the
// errors, not the rows. The StreamWriter cannot add comments
// (qax-os/excelize#1189), so comments are added to the empty sheet first;
// the streamed sheet keeps the reference to them. Only the first 10,000
// get a comment.
func Report(w io.Writer, src *Reader, cells []CellError) error {
	byLine := map[int][]CellError{}
	width := len(src.Row())
	for _, c := range cells {
		byLine[c.Line] = append(byLine[c.Line], c)
		width = max(width, c.Column+1)
	}
	for _, list := range byLine {
		slices.SortStableFunc(list, func(a, b CellError) int { return cmp.Compare(a.Column, b.Column) })
	}
	var header []string
	if src.HeaderLine() > 0 && src.Line() == src.HeaderLine() {
		header = slices.Clone(src.Row())
	}
	colName := func(c int) string {
		if c < len(header) && strings.TrimSpace(header[c]) != "" {
			return header[c]
		}
		return ColumnName(c)
	}

	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", ReportSheet); err != nil {
		return err
	}
	bad, err := f.NewStyle(&excelize.Style{
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}},
		Font: &excelize.Font{Color: "9C0006"},
	})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	errText, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Color: "9C0006"},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
	})
	if err != nil {
		return err
	}

	// Comments first, on the empty sheet (see above).
	lines := make([]int, 0, len(byLine))
	for l := range byLine {
		lines = append(lines, l)
	}
	slices.Sort(lines)
	comments := 0
	for _, l := range lines {
		list := byLine[l]
		for i := 0; i < len(list) && comments < maxComments; {
			c := list[i]
			j := i
			var msgs []string
			for ; j < len(list) && list[j].Column == c.Column; j++ {
				msgs = append(msgs, list[j].Message)
			}
			i = j
			if c.Column < 0 || l < 1 {
				continue
			}
			cell, err := excelize.CoordinatesToCellName(c.Column+1, l)
			if err != nil {
				continue
			}
			if err := f.AddComment(ReportSheet, excelize.Comment{
				Cell: cell, Author: "Renshi",
				Paragraph: []excelize.RichTextRun{{Text: strings.Join(msgs, "\n")}},
			}); err != nil {
				return err
			}
			comments++
		}
	}

	sw, err := f.NewStreamWriter(ReportSheet)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(width+1, width+1, 60); err != nil {
		return err
	}
	write := func(row []string, line int) error {
		errsHere := byLine[line]
		vals := make([]any, max(len(row), width+1))
		for i := range vals {
			vals[i] = nil
		}
		for i, v := range row {
			vals[i] = export.Escape(v)
		}
		for _, c := range errsHere {
			if c.Column < 0 || c.Column >= len(vals) {
				continue
			}
			if _, done := vals[c.Column].(excelize.Cell); !done {
				v := vals[c.Column]
				if v == nil {
					v = ""
				}
				vals[c.Column] = excelize.Cell{StyleID: bad, Value: v}
			}
		}
		at := max(width, len(row))
		if at >= excelize.MaxColumns {
			// No room for the errors column; the fill and comments remain.
			at = -1
			vals = vals[:min(len(vals), excelize.MaxColumns)]
		}
		switch {
		case at < 0:
		case line == src.HeaderLine():
			for i, v := range vals[:len(row)] {
				vals[i] = excelize.Cell{StyleID: bold, Value: v}
			}
			vals[at] = excelize.Cell{StyleID: bold, Value: ErrorsColumn}
		case len(errsHere) > 0:
			parts := make([]string, 0, len(errsHere))
			for _, c := range errsHere {
				if c.Column < 0 {
					parts = append(parts, c.Message)
				} else {
					parts = append(parts, colName(c.Column)+": "+c.Message)
				}
			}
			vals[at] = excelize.Cell{StyleID: errText, Value: export.Escape(strings.Join(parts, "; "))}
		}
		cell, err := excelize.CoordinatesToCellName(1, line)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, vals)
	}
	if src.Line() > 0 && src.Row() != nil {
		if err := write(src.Row(), src.Line()); err != nil {
			return err
		}
	}
	for src.Next() {
		if err := write(src.Row(), src.Line()); err != nil {
			return err
		}
	}
	if err := src.Err(); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
