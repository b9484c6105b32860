// Package export writes lists as CSV or Excel, streaming, with cells
// escaped against formula injection.
package export

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Format is a file format for exports.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ParseFormat reads a format name; anything but "csv" is Excel.
func ParseFormat(s string) Format {
	if strings.EqualFold(s, string(CSV)) {
		return CSV
	}
	return XLSX
}

// ContentType is the MIME type of the format.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Writer takes rows of text cells; the first row is the header.
type Writer interface {
	Write(row []string) error
	// Close finishes the file; nothing is complete before it.
	Close() error
}

// New returns a writer of format f on w. sheet names the Excel sheet.
// Both formats stream: memory does not grow with the number of rows.
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

// risky reports whether a spreadsheet would read a cell starting with c
// as a formula (or, for tab and CR, mangle it into one).
func risky(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// quoted reports whether s is one or more apostrophes followed by a risky
// character: such a value is itself escaped, so Unescape stays exact.
func quoted(s string) bool {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	return i > 0 && i < len(s) && risky(s[i])
}

// Escape neutralises a cell a spreadsheet would run as a formula: one
// starting with = + - @, a tab or a carriage return gets a leading
// apostrophe (OWASP CSV injection guidance). A value that already looks
// escaped (apostrophes before one of those) gets one more, so Unescape
// gives back exactly what was exported.
func Escape(cell string) string {
	if cell == "" {
		return cell
	}
	if risky(cell[0]) || quoted(cell) {
		return "'" + cell
	}
	return cell
}

// Unescape undoes Escape: importers call it on cells of files Renshi
// exported, so an export read back changes nothing.
func Unescape(cell string) string {
	if quoted(cell) {
		return cell[1:]
	}
	return cell
}

// ContentDisposition names a download so browsers keep Chinese file
// names: RFC 6266 filename* in RFC 5987 encoding, plus an ASCII fallback
// for old clients (non-ASCII, quotes, backslashes, percent signs and
// control characters become '_').
func ContentDisposition(filename string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, filename)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, encodeRFC5987(filename))
}

// encodeRFC5987 percent-encodes every byte but RFC 5987's attr-char
// (url.PathEscape leaves ; = : @ and others, which end or confuse the
// header parameter).
func encodeRFC5987(s string) string {
	const hex = "0123456789ABCDEF"
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "_")
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

type csvWriter struct {
	bw  *bufio.Writer
	cw  *csv.Writer
	esc []string
}

func (c *csvWriter) Write(row []string) error {
	c.esc = c.esc[:0]
	for _, v := range row {
		c.esc = append(c.esc, Escape(v))
	}
	return c.cw.Write(c.esc)
}

func (c *csvWriter) Close() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// xlsxWriter writes every cell as an inline string (never a number or a
// formula: ID numbers and employee numbers keep their leading zeros). The
// sheet data goes to excelize's stream buffer (a temporary file beyond
// 16 MiB) and the zip is written straight to w, never held in memory.
type xlsxWriter struct {
	w     io.Writer
	f     *excelize.File
	sw    *excelize.StreamWriter
	bold  int
	rows  int
	cells []any
}

func newXLSX(w io.Writer, sheet string) (*xlsxWriter, error) {
	if sheet == "" {
		sheet = "Sheet1"
	}
	sheet = sheetName(sheet)
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	// The header stays in view while scrolling.
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	return &xlsxWriter{w: w, f: f, sw: sw, bold: bold}, nil
}

// sheetName makes s a valid sheet name: at most 31 characters, none of
// : \ / ? * [ ].
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	return s
}

func (x *xlsxWriter) Write(row []string) error {
	x.rows++
	var opts []excelize.RowOpts
	if x.rows == 1 {
		// Column widths must precede the rows: sized from the header.
		for i, h := range row {
			if err := x.sw.SetColWidth(i+1, i+1, colWidth(h)); err != nil {
				return err
			}
		}
		opts = append(opts, excelize.RowOpts{StyleID: x.bold})
	}
	x.cells = x.cells[:0]
	for _, v := range row {
		// Cells are strings, never formulas; escaping still matters when
		// the file is saved as CSV later or opened by tools that evaluate
		// strings.
		x.cells = append(x.cells, Escape(v))
	}
	cell, err := excelize.CoordinatesToCellName(1, x.rows)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, x.cells, opts...)
}

// colWidth is a column width for a header: CJK characters count double.
func colWidth(h string) float64 {
	w := 0.0
	for _, r := range h {
		if r >= 0x2e80 {
			w += 2
		} else {
			w++
		}
	}
	return min(max(w+4, 12), 40)
}

func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	// excelize assembles the zip in a buffer unless given a zip writer:
	// this one writes to w directly (its buffer stays empty).
	// (A sheet part over 4 GiB would need excelize's zip64 patch of that
	// buffer; exports are far below it.)
	x.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(x.w) })
	return x.f.Write(io.Discard)
}
