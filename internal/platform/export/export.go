// Package export writes lists as CSV or Excel, streaming, with cells
// escaped against formula injection.
package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Format is a file format for exports.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ContentType is the MIME type of the format.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Writer takes rows of text cells.
type Writer interface {
	Write(row []string) error
	// Close finishes the file; nothing is complete before it.
	Close() error
}

// New returns a writer of format f on w. sheet names the Excel sheet.
func New(w io.Writer, f Format, sheet string) (Writer, error) {
	switch f {
	case CSV:
		bw := bufio.NewWriterSize(w, 64<<10)
		// A BOM makes Excel read UTF-8 (Chinese) correctly.
		if _, err := bw.WriteString("\ufeff"); err != nil {
			return nil, err
		}
		return &csvWriter{bw: bw, cw: csv.NewWriter(bw)}, nil
	case XLSX:
		return newXLSX(w, sheet)
	}
	return nil, fmt.Errorf("export: unknown format %q", f)
}

// Escape neutralises a cell a spreadsheet would run as a formula: one
// starting with = + - @, a tab or a carriage return gets a leading
// apostrophe (OWASP CSV injection guidance).
func Escape(cell string) string {
	if cell == "" {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + cell
	}
	return cell
}

// ContentDisposition names a download so browsers keep Chinese file
// names (RFC 6266 filename* with RFC 5987 encoding, plus an ASCII
// fallback for old clients).
func ContentDisposition(filename string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, filename)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(filename))
}

type csvWriter struct {
	bw *bufio.Writer
	cw *csv.Writer
}

func (c *csvWriter) Write(row []string) error {
	esc := make([]string, len(row))
	for i, v := range row {
		esc[i] = Escape(v)
	}
	return c.cw.Write(esc)
}

func (c *csvWriter) Close() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

type xlsxWriter struct {
	w    io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	rows int
}

func newXLSX(w io.Writer, sheet string) (*xlsxWriter, error) {
	if sheet == "" {
		sheet = "Sheet1"
	}
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	return &xlsxWriter{w: w, f: f, sw: sw}, nil
}

func (x *xlsxWriter) Write(row []string) error {
	x.rows++
	cells := make([]any, len(row))
	for i, v := range row {
		// Cells are written as strings, never formulas; escaping still
		// matters when the file is saved as CSV later or opened by tools
		// that evaluate strings.
		cells[i] = Escape(v)
	}
	cell, err := excelize.CoordinatesToCellName(1, x.rows)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, cells)
}

func (x *xlsxWriter) Close() error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	defer x.f.Close()
	return x.f.Write(x.w)
}
