// Package sheet reads spreadsheets people upload (xlsx, CSV/TSV in any of
// the encodings Chinese offices produce) as a stream of text rows, within
// limits a hostile file cannot get around, and writes the error report: a
// copy of the input with failing cells marked.
package sheet

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/renshi/renshi/internal/platform/errs"
)

// Limits bound what a file may cost to read. Zero fields take defaults.
type Limits struct {
	MaxBytes     int64 // the upload (default 100 MiB)
	MaxUnzipped  int64 // sum of an .xlsx's uncompressed parts (default 1 GiB); a zip bomb fails early
	MaxRatio     int64 // uncompressed/compressed for any part over 1 MiB (default 200)
	MaxRows      int   // data rows (default 200,000)
	MaxCellChars int   // characters per cell (default 32,767, Excel's own limit)
}

// Defaults for zero Limits fields.
const (
	DefaultMaxBytes     = 100 << 20
	DefaultMaxUnzipped  = 1 << 30
	DefaultMaxRatio     = 200
	DefaultMaxRows      = 200_000
	DefaultMaxCellChars = 32_767
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxUnzipped <= 0 {
		l.MaxUnzipped = DefaultMaxUnzipped
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = DefaultMaxRatio
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxCellChars <= 0 {
		l.MaxCellChars = DefaultMaxCellChars
	}
	return l
}

// Format is the kind of file a Reader reads.
type Format string

const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// headerScan is how many non-empty rows Header looks at.
const headerScan = 30

// source yields the raw rows of one sheet: line is the 1-based row number
// in the sheet; ok is false at the end or on error.
type source interface {
	next() (cells []string, line int, ok bool)
	err() error
	close() error
}

// Reader streams the rows of one sheet. It reads the io.ReaderAt given to
// Open lazily, so that must stay readable until Close.
type Reader struct {
	lim    Limits
	format Format
	enc    string
	src    source
	x      *xlsxBook // nil for CSV

	pending []bufRow // rows read ahead by Header, served by Next first
	row     []string
	line    int
	started bool // Next or Header has been called
	header  int  // line of the header, 0 before Header
	skipTo  int  // rows up to this line belong to the header (vertical merges)
	data    int  // data rows returned after the header
	err     error
}

type bufRow struct {
	cells []string
	line  int
}

// Open sniffs the content (never the extension) and returns a reader on
// the first visible sheet. See docs/modules/imports.md for what it takes.
func Open(r io.ReaderAt, size int64, lim Limits) (*Reader, error) {
	lim = lim.withDefaults()
	if size <= 0 {
		return nil, errs.E(errs.Invalid, "sheet.empty")
	}
	if size > lim.MaxBytes {
		return nil, errs.E(errs.TooLarge, "sheet.too_large", errs.Params{"max": humanSize(lim.MaxBytes)})
	}
	head := make([]byte, 512)
	n, err := r.ReadAt(head, 0)
	if n == 0 && err != nil {
		return nil, errs.Wrap(errs.Internal, "internal", err)
	}
	head = head[:n]
	switch {
	case isCFB(head):
		return nil, sniffCFB(r, size)
	case isZip(head):
		return openXLSX(r, size, lim)
	}
	return openText(r, size, head, lim)
}

// Format says what the file turned out to be.
func (r *Reader) Format() Format { return r.format }

// Encoding is the text encoding of a CSV ("utf-8", "utf-8-bom",
// "utf-16le", "utf-16be", "gb18030"); "" for xlsx.
func (r *Reader) Encoding() string { return r.enc }

// Sheets lists the worksheet names of an xlsx in workbook order (nil for
// CSV).
func (r *Reader) Sheets() []string {
	if r.x == nil {
		return nil
	}
	names := make([]string, len(r.x.sheets))
	for i, s := range r.x.sheets {
		names[i] = s.name
	}
	return names
}

// Sheet is the worksheet being read ("" for CSV).
func (r *Reader) Sheet() string {
	if r.x == nil {
		return ""
	}
	return r.x.current
}

// UseSheet switches to a worksheet and starts reading it from the top.
func (r *Reader) UseSheet(name string) error {
	if r.x == nil {
		if name == "" {
			return nil
		}
		return errs.E(errs.Invalid, "sheet.no_such_sheet", errs.Params{"sheet": name})
	}
	if r.src != nil && name == r.x.current && !r.started && r.header == 0 && len(r.pending) == 0 {
		return nil // at the top of that sheet already: opening it again would read it twice
	}
	if r.src != nil {
		_ = r.src.close()
	}
	src, err := r.x.open(name)
	if err != nil {
		r.src = nil
		return err
	}
	*r = Reader{lim: r.lim, format: r.format, enc: r.enc, x: r.x, src: src}
	return nil
}

// Next advances to the next non-empty row. Empty rows are skipped but
// counted in Line. After Header, only data rows count against MaxRows.
func (r *Reader) Next() bool {
	if r.err != nil || r.src == nil {
		return false
	}
	r.started = true
	for {
		var cells []string
		var line int
		if len(r.pending) > 0 {
			cells, line = r.pending[0].cells, r.pending[0].line
			r.pending = r.pending[1:]
		} else {
			var ok bool
			cells, line, ok = r.src.next()
			if !ok {
				r.err = r.src.err()
				r.row = nil
				return false
			}
			if err := r.checkCells(cells, line); err != nil {
				r.err = err
				r.row = nil
				return false
			}
		}
		if isEmpty(cells) || line <= r.skipTo {
			continue
		}
		r.data++
		if r.data > r.lim.MaxRows {
			r.err = errs.E(errs.TooLarge, "sheet.too_many_rows", errs.Params{"max": r.lim.MaxRows})
			r.row = nil
			return false
		}
		r.row, r.line = cells, line
		return true
	}
}

func (r *Reader) checkCells(cells []string, line int) error {
	for i, c := range cells {
		if len(c) > r.lim.MaxCellChars && utf8.RuneCountInString(c) > r.lim.MaxCellChars {
			return errs.E(errs.Invalid, "sheet.cell_too_long", errs.Params{
				"line": line, "column": ColumnName(i), "max": r.lim.MaxCellChars})
		}
	}
	return nil
}

// Row is the current row's cell texts without trailing empty cells. It is
// valid until the next call to Next. Formula cells give their cached
// value; xlsx cells come as Excel shows them (number formats applied, date
// formats as YYYY-MM-DD).
func (r *Reader) Row() []string { return r.row }

// Line is the 1-based row number of the current row in the sheet.
func (r *Reader) Line() int { return r.line }

// HeaderLine is the line Header chose (0 before Header).
func (r *Reader) HeaderLine() int { return r.header }

// Err is the error that stopped Next, if any.
func (r *Reader) Err() error { return r.err }

// Close releases the reader's temporary files.
func (r *Reader) Close() error {
	var err error
	if r.src != nil {
		err = r.src.close()
		r.src = nil
	}
	if r.x != nil {
		if e := r.x.close(); err == nil {
			err = e
		}
	}
	return err
}

func isEmpty(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// trimRow drops trailing empty cells.
func trimRow(cells []string) []string {
	n := len(cells)
	for n > 0 && cells[n-1] == "" {
		n--
	}
	return cells[:n]
}

// ColumnName is the spreadsheet letter of a 0-based column: 0 → "A",
// 26 → "AA".
func ColumnName(col int) string {
	if col < 0 {
		return ""
	}
	var b []byte
	for col >= 0 {
		b = append([]byte{byte('A' + col%26)}, b...)
		col = col/26 - 1
	}
	return string(b)
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
