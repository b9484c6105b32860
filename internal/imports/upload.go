package imports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/files"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/sheet"
)

// head is what the top of a sheet says: its header and first rows.
type head struct {
	sheets []string
	sheet  string
	line   int
	header []string
	sample [][]string
}

// Upload reads a file into a new batch of target: the content is sniffed
// (xlsx, or CSV/TSV in UTF-8, UTF-16 or GB18030), the first visible sheet
// with data is chosen, its header found among title rows by the target's
// column names, and a mapping suggested from them (or from a saved or
// predefined mapping that covers more columns). The file is kept. The
// answer shows the first rows.
func (s *Service) Upload(ctx context.Context, target, name string, r io.ReaderAt, size int64) (*View, error) {
	t, err := s.target(target)
	if err != nil {
		return nil, err
	}
	p, _, err := require(ctx, t)
	if err != nil {
		return nil, err
	}
	if size > s.opts.Limits.MaxBytes {
		return nil, errs.E(errs.TooLarge, "too_large", errs.Params{"limit": humanSize(s.opts.Limits.MaxBytes)})
	}
	cols, err := t.Columns(ctx)
	if err != nil {
		return nil, err
	}
	rd, err := sheet.Open(r, size, s.opts.Limits)
	if err != nil {
		return nil, fileError(err)
	}
	defer rd.Close()
	h, err := readHead(rd, "", aliasSet(cols))
	if err != nil {
		return nil, fileError(err)
	}
	mapping, mappingName, err := s.suggest(ctx, t, h.header, cols)
	if err != nil {
		return nil, err
	}
	now := s.nowUTC()
	b := &Batch{ID: ids.New(), Target: t.Name(), FileSize: size, Format: string(rd.Format()), Encoding: rd.Encoding(),
		Sheets: h.sheets, Sheet: h.sheet, HeaderLine: h.line, Header: h.header, Mapping: mapping, MappingName: mappingName,
		Key: t.Keys()[0], Mode: ModeAll, State: StateUploaded, CreatedBy: p.UserID, CreatedByName: actorName(p),
		CreatedAt: now, UpdatedAt: now, Version: 1}
	// The bytes are stored before the batch's transaction, which so
	// never holds SQLite's writer while 100 MiB are copied. sheet.Open
	// has judged the content; the file service's own sniffing knows
	// neither GB18030 text nor a workbook whose name lacks .xlsx, so it
	// is told to accept what it cannot name.
	f, err := s.files.Put(ctx, name, io.NewSectionReader(r, 0, size),
		files.Limits{MaxBytes: s.opts.Limits.MaxBytes, Kinds: []files.Kind{files.Office, files.Text, ""}})
	if err != nil {
		return nil, err
	}
	b.FileID, b.FileName = f.ID, f.Name
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.InsertBatch(ctx, b); err != nil {
			return err
		}
		return s.record(ctx, "create", ObjectBatch, b.ID, map[string]any{"target": b.Target, "fileName": b.FileName,
			"fileSize": b.FileSize, "format": b.Format})
	})
	if err != nil {
		return nil, err
	}
	return s.view(ctx, b, t, h.sample, false)
}

// fileError makes a reading failure a client error (the file is bad)
// unless it is one already.
func fileError(err error) error {
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	return errs.Wrap(errs.Invalid, "imports.unreadable", err)
}

// readHead finds the header and the first data rows: in the named sheet,
// or else the first sheet (visible first) with a header and data.
func readHead(rd *sheet.Reader, want string, aliases map[string]bool) (*head, error) {
	sheets := rd.Sheets()
	if sheets == nil {
		sheets = []string{}
	}
	try := []string{want}
	if want == "" {
		first := rd.Sheet()
		try = []string{first}
		for _, n := range sheets {
			if n != first {
				try = append(try, n)
			}
		}
	}
	var firstErr error
	var noRows *head
	for i, name := range try {
		if i > 0 || want != "" {
			if err := rd.UseSheet(name); err != nil {
				return nil, err
			}
		}
		header, err := rd.Header(func(n string) bool { return aliases[n] })
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		h := &head{sheets: sheets, sheet: rd.Sheet(), line: rd.Line(), header: uniqueHeader(header)}
		for len(h.sample) < SampleRows && rd.Next() {
			h.sample = append(h.sample, fit(rd.Row(), len(h.header)))
		}
		if err := rd.Err(); err != nil {
			return nil, err
		}
		if len(h.sample) == 0 {
			if noRows == nil {
				noRows = h
			}
			continue
		}
		return h, nil
	}
	if noRows != nil {
		return nil, errs.E(errs.Invalid, "imports.no_rows")
	}
	if firstErr == nil {
		firstErr = errs.E(errs.Invalid, "sheet.empty")
	}
	return nil, firstErr
}

// fit copies a row to n cells (data in columns without a header is left
// out; short rows are padded).
func fit(row []string, n int) []string {
	out := make([]string, n)
	copy(out, row)
	return out
}

// uniqueHeader names every column uniquely, since mappings are keyed by
// header text: a column without a title is named by its letter ("[C]"),
// a repeated title gets its letter appended ("备注 [F]").
func uniqueHeader(header []string) []string {
	out := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		switch {
		case h == "":
			h = "[" + sheet.ColumnName(i) + "]"
		case seen[h]:
			h += " [" + sheet.ColumnName(i) + "]"
		}
		seen[h] = true
		out[i] = h
	}
	return out
}

// names lists the normalised names a column is known by: its aliases,
// its label in every language and its key.
func names(c Column) []string {
	out := []string{sheet.Normalise(c.Key)}
	for _, l := range i18n.Locales {
		out = append(out, sheet.Normalise(i18n.T(l, c.Label, nil)))
	}
	for _, a := range c.Aliases {
		out = append(out, sheet.Normalise(a))
	}
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

func aliasSet(cols []Column) map[string]bool {
	set := map[string]bool{}
	for _, c := range cols {
		for _, n := range names(c) {
			set[n] = true
		}
	}
	return set
}

// byAlias maps each header to the column known by its name, each column
// at most once (the first header wins).
func byAlias(header []string, cols []Column) Mapping {
	idx := map[string]string{}
	for _, c := range cols {
		for _, n := range names(c) {
			if _, taken := idx[n]; !taken {
				idx[n] = c.Key
			}
		}
	}
	out := Mapping{}
	used := map[string]bool{}
	for _, h := range header {
		if k, ok := idx[sheet.Normalise(h)]; ok && !used[k] {
			out[h], used[k] = k, true
		}
	}
	return out
}

// overlay lays a named mapping over a header: headers are compared
// normalised; columns the target does not have are dropped.
func overlay(header []string, m Mapping, cols []Column) Mapping {
	known := map[string]bool{}
	for _, c := range cols {
		known[c.Key] = true
	}
	byName := map[string]string{}
	for h, k := range m {
		byName[sheet.Normalise(h)] = k
	}
	out := Mapping{}
	used := map[string]bool{}
	for _, h := range header {
		if k, ok := byName[sheet.Normalise(h)]; ok && known[k] && !used[k] {
			out[h], used[k] = k, true
		}
	}
	return out
}

// suggest picks the mapping that covers the most of the header: by the
// columns' names, or a saved or predefined mapping of the target (named
// in the answer).
func (s *Service) suggest(ctx context.Context, t Target, header []string, cols []Column) (Mapping, string, error) {
	best, name := byAlias(header, cols), ""
	saved, err := s.store.Mappings(ctx, t.Name())
	if err != nil {
		return nil, "", err
	}
	for _, p := range Presets(t.Name()) {
		saved = append(saved, SavedMapping{Name: p.Name, Mapping: p.Mapping})
	}
	for _, m := range saved {
		if o := overlay(header, m.Mapping, cols); len(o) > len(best) {
			best, name = o, m.Name
		}
	}
	return best, name, nil
}

// readerAt gives random access to a stored file: the local disk's file
// as it is, anything else copied to a temporary file first.
func readerAt(rc io.ReadCloser, size int64) (io.ReaderAt, func(), error) {
	if f, ok := rc.(*os.File); ok {
		return f, func() { f.Close() }, nil
	}
	tmp, err := os.CreateTemp("", "renshi-import-*")
	if err != nil {
		rc.Close()
		return nil, nil, err
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	_, err = io.Copy(tmp, io.LimitReader(rc, size+1))
	rc.Close()
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return tmp, cleanup, nil
}

func humanSize(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
