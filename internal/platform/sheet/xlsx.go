package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/renshi/renshi/internal/platform/errs"
)

const (
	// ratioFloor: parts smaller than this are not held to MaxRatio (tiny
	// XML parts compress well and cannot hurt).
	ratioFloor = 1 << 20
	// xmlInMemory: worksheets and shared strings larger than this are
	// unzipped to a temporary file by excelize and read from there.
	xmlInMemory = 1 << 20
	// memBudget bounds the parts excelize keeps in memory (workbook,
	// styles, small sheets and shared strings).
	memBudget = 64 << 20
	// maxMerges bounds the merged ranges kept per sheet; more are ignored.
	maxMerges = 100_000
	// maxActive bounds the merged ranges filled down at once (a hostile
	// file could stack thousands over the same rows).
	maxActive = 1000
	// maxSharedPerRow × MaxRows bounds the shared strings (excelize keeps
	// an index entry of about 40 bytes for each).
	maxSharedPerRow = 10
)

// Parts of the package kept for excelize; the rest (images, drawings,
// pivot caches, macros...) is never unzipped.
var keptParts = map[string]bool{
	"[content_types].xml":        true,
	"_rels/.rels":                true,
	"xl/workbook.xml":            true,
	"xl/_rels/workbook.xml.rels": true,
	"xl/styles.xml":              true,
	"xl/sharedstrings.xml":       true,
}

type xlsxSheet struct {
	name   string
	hidden bool
	part   string // zip path of the worksheet XML
}

// xlsxBook is an open workbook; each sheet is read through an xlsxSource.
type xlsxBook struct {
	lim     Limits
	zr      *zip.Reader
	files   map[string]*zip.File // by lower-case name
	f       *excelize.File
	sheets  []xlsxSheet
	current string
}

func tooLargeUnzipped(lim Limits) error {
	return errs.E(errs.TooLarge, "sheet.too_large_unzipped", errs.Params{"max": humanSize(lim.MaxUnzipped)})
}

func openXLSX(r io.ReaderAt, size int64, lim Limits) (*Reader, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, "sheet.corrupt", err)
	}
	b := &xlsxBook{lim: lim, zr: zr, files: map[string]*zip.File{}}
	// The central directory tells every part's size before anything is
	// unzipped; archive/zip then refuses to inflate more than it says.
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(lim.MaxUnzipped) {
			return nil, tooLargeUnzipped(lim)
		}
		if f.UncompressedSize64 > ratioFloor &&
			f.UncompressedSize64/max(f.CompressedSize64, 1) > uint64(lim.MaxRatio) {
			return nil, tooLargeUnzipped(lim)
		}
		b.files[strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))] = f
	}
	if b.files["[content_types].xml"] == nil || b.files["xl/workbook.xml"] == nil {
		return nil, errs.E(errs.Invalid, "sheet.unsupported_type")
	}
	if err := b.readWorkbook(); err != nil {
		return nil, err
	}
	if len(b.sheets) == 0 {
		return nil, errs.E(errs.Invalid, "sheet.empty")
	}
	if err := b.openExcelize(); err != nil {
		return nil, err
	}
	rd := &Reader{lim: lim, format: XLSX, x: b}
	first := b.sheets[0].name
	for _, s := range b.sheets {
		if !s.hidden {
			first = s.name
			break
		}
	}
	if err := rd.UseSheet(first); err != nil {
		_ = b.close()
		return nil, err
	}
	return rd, nil
}

// readPart unzips a small part, never more than limit bytes whatever its
// header says.
func (b *xlsxBook) readPart(name string, limit int64) ([]byte, error) {
	f := b.files[strings.ToLower(name)]
	if f == nil {
		return nil, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, "sheet.corrupt", err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, "sheet.corrupt", err)
	}
	if int64(len(data)) > limit {
		return nil, tooLargeUnzipped(b.lim)
	}
	return data, nil
}

// readWorkbook lists the worksheets and where their XML is.
func (b *xlsxBook) readWorkbook() error {
	wbXML, err := b.readPart("xl/workbook.xml", 16<<20)
	if err != nil {
		return err
	}
	relsXML, err := b.readPart("xl/_rels/workbook.xml.rels", 16<<20)
	if err != nil {
		return err
	}
	// Attrs catch r:id whatever its namespace prefix (strict or transitional).
	type sheetEl struct {
		Name  string     `xml:"name,attr"`
		State string     `xml:"state,attr"`
		Attrs []xml.Attr `xml:",any,attr"`
	}
	var wb2 struct {
		Sheets []sheetEl `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(wbXML, &wb2); err != nil {
		return errs.Wrap(errs.Invalid, "sheet.corrupt", err)
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal(relsXML, &rels); err != nil && len(relsXML) > 0 {
		return errs.Wrap(errs.Invalid, "sheet.corrupt", err)
	}
	for _, s := range wb2.Sheets {
		id := ""
		for _, a := range s.Attrs {
			if a.Name.Local == "id" {
				id = a.Value
			}
		}
		for _, rel := range rels.Rels {
			if rel.ID != id || !strings.HasSuffix(rel.Type, "/worksheet") {
				continue
			}
			p := path.Clean("xl/" + rel.Target)
			if strings.HasPrefix(rel.Target, "/") {
				p = strings.TrimPrefix(path.Clean(rel.Target), "/")
			}
			if b.files[strings.ToLower(p)] != nil {
				b.sheets = append(b.sheets, xlsxSheet{name: s.Name, hidden: s.State == "hidden" || s.State == "veryHidden", part: p})
			}
		}
	}
	return nil
}

// openExcelize hands excelize a copy of the package holding only the parts
// it needs to read values, made by copying the compressed bytes.
func (b *xlsxBook) openExcelize() error {
	keep := map[string]bool{}
	for k := range keptParts {
		keep[k] = true
	}
	for _, s := range b.sheets {
		keep[strings.ToLower(s.part)] = true
	}
	var inMemory uint64
	for name, f := range b.files {
		if !keep[name] {
			continue
		}
		big := name == "xl/sharedstrings.xml" || strings.HasPrefix(name, "xl/worksheets/")
		if !big || f.UncompressedSize64 <= xmlInMemory {
			inMemory += f.UncompressedSize64
		}
	}
	if inMemory > memBudget {
		return tooLargeUnzipped(b.lim)
	}
	if sst := b.files["xl/sharedstrings.xml"]; sst != nil {
		if err := b.scan(sst, nil); err != nil {
			return err
		}
	}
	tmp, err := os.CreateTemp("", "renshi-sheet-*.xlsx")
	if err != nil {
		return errs.Wrap(errs.Internal, "internal", err)
	}
	defer os.Remove(tmp.Name())
	zw := zip.NewWriter(tmp)
	for _, f := range b.zr.File {
		if keep[strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))] {
			if err := zw.Copy(f); err != nil {
				tmp.Close()
				return errs.Wrap(errs.Invalid, "sheet.corrupt", err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		tmp.Close()
		return errs.Wrap(errs.Internal, "internal", err)
	}
	if err := tmp.Close(); err != nil {
		return errs.Wrap(errs.Internal, "internal", err)
	}
	f, err := openFile(tmp.Name(), excelize.Options{
		UnzipSizeLimit:    b.lim.MaxUnzipped,
		UnzipXMLSizeLimit: xmlInMemory,
	})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		if errors.Is(err, excelize.ErrOptionsUnzipSizeLimit) || strings.Contains(err.Error(), "unzip size") {
			return tooLargeUnzipped(b.lim)
		}
		return errs.Wrap(errs.Invalid, "sheet.corrupt", err)
	}
	b.f = f
	return nil
}

// openFile turns a panic in excelize on a malformed file into an error.
func openFile(name string, opts excelize.Options) (f *excelize.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("excelize panic: %v", p)
		}
	}()
	return excelize.OpenFile(name, opts)
}

func (b *xlsxBook) close() error {
	if b.f == nil {
		return nil
	}
	err := b.f.Close()
	b.f = nil
	return err
}

type mergeRange struct{ top, left, bottom, right int } // 1-based rows, 0-based columns

// scan reads a part once before excelize decodes it: no text or tag may be
// longer than a cell can be (so no single string can exhaust memory); the
// shared string table may not hold more strings than the rows allowed
// could use (excelize indexes each in memory); for a worksheet it collects
// the merged ranges.
func (b *xlsxBook) scan(f *zip.File, merges *[]mergeRange) error {
	maxStrings := maxSharedPerRow * b.lim.MaxRows
	count := 0
	maxToken := max(1<<20, 8*b.lim.MaxCellChars)
	rc, err := f.Open()
	if err != nil {
		return errs.Wrap(errs.Invalid, "sheet.corrupt", err)
	}
	defer rc.Close()
	br := bufio.NewReaderSize(io.LimitReader(rc, int64(f.UncompressedSize64)+1), 2*maxToken+16)
	for {
		seg, err := br.ReadSlice('<')
		if errors.Is(err, bufio.ErrBufferFull) {
			return errs.E(errs.Invalid, "sheet.text_too_long", errs.Params{"max": b.lim.MaxCellChars})
		}
		if merges != nil && len(*merges) < maxMerges {
			if m, ok := parseMerge(seg); ok {
				*merges = append(*merges, m)
			}
		}
		if merges == nil && isElement(seg, "si") {
			if count++; count > maxStrings {
				return errs.E(errs.TooLarge, "sheet.too_many_strings", errs.Params{"max": maxStrings})
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return errs.Wrap(errs.Invalid, "sheet.corrupt", err)
		}
	}
}

// isElement reports whether seg (what follows a '<') opens element name,
// with or without a namespace prefix.
func isElement(seg []byte, name string) bool {
	if i := bytes.IndexByte(seg, ':'); i >= 0 && i < 12 && !bytes.HasPrefix(seg, []byte(name)) {
		seg = seg[i+1:]
	}
	if !bytes.HasPrefix(seg, []byte(name)) || len(seg) <= len(name) {
		return false
	}
	switch seg[len(name)] {
	case ' ', '>', '/', '\t', '\n', '\r':
		return true
	}
	return false
}

// parseMerge reads `mergeCell ref="A1:C2"/>` (with any namespace prefix).
func parseMerge(seg []byte) (mergeRange, bool) {
	if !isElement(seg, "mergeCell") {
		return mergeRange{}, false
	}
	i := bytes.Index(seg, []byte(`ref="`))
	if i < 0 {
		return mergeRange{}, false
	}
	ref := seg[i+5:]
	j := bytes.IndexByte(ref, '"')
	if j < 0 {
		return mergeRange{}, false
	}
	from, to, ok := strings.Cut(string(ref[:j]), ":")
	if !ok {
		return mergeRange{}, false
	}
	c1, r1, err1 := excelize.CellNameToCoordinates(from)
	c2, r2, err2 := excelize.CellNameToCoordinates(to)
	if err1 != nil || err2 != nil {
		return mergeRange{}, false
	}
	return mergeRange{top: min(r1, r2), bottom: max(r1, r2), left: min(c1, c2) - 1, right: max(c1, c2) - 1}, true
}

// open starts reading a worksheet.
func (b *xlsxBook) open(name string) (*xlsxSource, error) {
	var sh *xlsxSheet
	for i := range b.sheets {
		if b.sheets[i].name == name {
			sh = &b.sheets[i]
		}
	}
	if sh == nil {
		return nil, errs.E(errs.Invalid, "sheet.no_such_sheet", errs.Params{"sheet": name})
	}
	src := &xlsxSource{}
	if err := b.scan(b.files[strings.ToLower(sh.part)], &src.merges); err != nil {
		return nil, err
	}
	slices.SortFunc(src.merges, func(a, b mergeRange) int { return a.top - b.top })
	rows, err := b.f.Rows(name)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, "sheet.corrupt", err)
	}
	b.current = name
	src.start(rows)
	return src, nil
}

// prefetch is how many rows a batch from the decoding goroutine holds.
const prefetch = 128

type rowBatch struct {
	rows []bufRow
	err  error
}

// xlsxSource streams one worksheet with excelize's row iterator. Decoding
// the XML is most of the cost of reading, so it runs in its own goroutine,
// a few batches ahead of the caller, which meanwhile checks and stores the
// rows it has.
type xlsxSource struct {
	merges []mergeRange // sorted by top row
	ch     chan rowBatch
	stop   chan struct{}
	exited chan struct{}
	rows   *excelize.Rows
	batch  []bufRow
	e      error
	closed bool
}

func (s *xlsxSource) start(rows *excelize.Rows) {
	s.rows = rows
	s.ch = make(chan rowBatch, 4)
	s.stop = make(chan struct{})
	s.exited = make(chan struct{})
	go s.decode()
}

// decode runs in its own goroutine until the sheet ends or close.
func (s *xlsxSource) decode() {
	defer close(s.exited)
	defer close(s.ch)
	// A panic here would take the whole process down: no caller's
	// recover reaches this goroutine. Report it as a damaged file.
	defer func() {
		if p := recover(); p != nil {
			select {
			case s.ch <- rowBatch{err: errs.Wrap(errs.Invalid, "sheet.corrupt", fmt.Errorf("excelize panic: %v", p))}:
			case <-s.stop:
			}
		}
	}()
	fill := filler{merges: s.merges}
	batch := make([]bufRow, 0, prefetch)
	send := func(b rowBatch) bool {
		select {
		case s.ch <- b:
			return true
		case <-s.stop:
			return false
		}
	}
	line := 0
	for {
		// excelize's Next steps through every row number, missing rows
		// included, so counting calls gives the row number.
		if !s.rows.Next() {
			var err error
			if e := s.rows.Error(); e != nil {
				err = errs.Wrap(errs.Invalid, "sheet.corrupt", e)
			}
			send(rowBatch{rows: batch, err: err})
			return
		}
		line++
		// Raw values: formatting dates through excelize costs more than
		// the rest of reading together (and its default short date is the
		// US 01-05-24); clean.Date reads the serial numbers.
		cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			send(rowBatch{rows: batch, err: errs.Wrap(errs.Invalid, "sheet.corrupt", err)})
			return
		}
		batch = append(batch, bufRow{cells: fill.down(trimRow(cells), line), line: line})
		if len(batch) == prefetch {
			if !send(rowBatch{rows: batch}) {
				return
			}
			batch = make([]bufRow, 0, prefetch)
		}
	}
}

func (s *xlsxSource) next() ([]string, int, bool) {
	for len(s.batch) == 0 {
		if s.e != nil || s.closed {
			return nil, 0, false
		}
		b, ok := <-s.ch
		if !ok {
			return nil, 0, false
		}
		s.batch, s.e = b.rows, b.err
	}
	r := s.batch[0]
	s.batch = s.batch[1:]
	return r.cells, r.line, true
}

func (s *xlsxSource) err() error {
	if len(s.batch) > 0 {
		return nil
	}
	return s.e
}

func (s *xlsxSource) close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.stop)
	<-s.exited
	return s.rows.Close()
}

// filler gives the rows under the top of a vertically merged range the
// range's value in its first column: rosters merge a department or a
// manager over the rows of the people in it.
type filler struct {
	merges []mergeRange // sorted by top row
	next   int          // first merge not yet started
	active []activeMerge
}

type activeMerge struct {
	m     mergeRange
	value string
}

func (f *filler) down(cells []string, line int) []string {
	for f.next < len(f.merges) && f.merges[f.next].top <= line {
		m := f.merges[f.next]
		f.next++
		if m.top == line && m.bottom > m.top && m.left < len(cells) && cells[m.left] != "" && len(f.active) < maxActive {
			f.active = append(f.active, activeMerge{m: m, value: cells[m.left]})
		}
	}
	kept := f.active[:0]
	for _, a := range f.active {
		if a.m.bottom < line {
			continue
		}
		kept = append(kept, a)
		if a.m.top < line {
			for len(cells) <= a.m.left {
				cells = append(cells, "")
			}
			if cells[a.m.left] == "" {
				cells[a.m.left] = a.value
			}
		}
	}
	f.active = kept
	return cells
}
