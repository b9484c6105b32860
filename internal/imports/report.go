package imports

import (
	"context"
	"io"
	"path"
	"strings"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/sheet"
)

// Errors returns a page of a batch's cell errors by line and column,
// each with its message in the caller's language.
func (s *Service) Errors(ctx context.Context, id ids.ID, page, size int) ([]CellError, int, error) {
	b, t, _, err := s.batchFor(ctx, id, false)
	if err != nil {
		return nil, 0, err
	}
	page, size = db.NormalizePage(page, size)
	list, total, err := s.store.Errors(ctx, b.ID, page, size)
	if err != nil {
		return nil, 0, err
	}
	if list == nil {
		list = []CellError{}
	}
	msg, err := s.messages(ctx, t)
	if err != nil {
		return nil, 0, err
	}
	for i := range list {
		list[i].Message = msg(&list[i])
	}
	return list, total, nil
}

// messages translates cell errors into the caller's language, naming
// the column by its label.
func (s *Service) messages(ctx context.Context, t Target) (func(*CellError) string, error) {
	locale := i18n.FromContext(ctx)
	cols, err := t.Columns(ctx)
	if err != nil {
		return nil, err
	}
	labels := map[string]string{}
	for _, c := range cols {
		labels[c.Key] = i18n.T(locale, c.Label, nil)
	}
	return func(e *CellError) string {
		p := map[string]any{"field": labels[e.Column], "line": e.Line}
		if p["field"] == "" {
			p["field"] = e.Header
		}
		for k, v := range e.Params {
			p[k] = v
		}
		return i18n.T(locale, e.Code, p)
	}, nil
}

// Report writes the error report: a copy of the batch's sheet with each
// failing cell filled red and commented, and a last column summing up
// the row.
func (s *Service) Report(ctx context.Context, id ids.ID, w io.Writer) error {
	b, t, _, err := s.batchFor(ctx, id, false)
	if err != nil {
		return err
	}
	msg, err := s.messages(ctx, t)
	if err != nil {
		return err
	}
	var cells []sheet.CellError
	err = s.store.EachError(ctx, b.ID, func(e CellError) error {
		cells = append(cells, sheet.CellError{Line: e.Line, Column: e.Index, Message: msg(&e)})
		return nil
	})
	if err != nil {
		return err
	}
	rd, done, err := s.openFile(ctx, b)
	if err != nil {
		return err
	}
	defer done()
	if err := seekHeader(rd, b); err != nil {
		return err
	}
	return sheet.Report(w, rd, cells)
}

// ReportName is the file name of a batch's error report.
func ReportName(ctx context.Context, b *Batch) string {
	base := strings.TrimSuffix(b.FileName, path.Ext(b.FileName))
	return base + "-" + i18n.T(i18n.FromContext(ctx), "imports.report_suffix", nil) + ".xlsx"
}

// File opens the batch's original file; the caller closes it.
func (s *Service) File(ctx context.Context, id ids.ID) (io.ReadCloser, *Batch, string, error) {
	b, _, _, err := s.batchFor(ctx, id, false)
	if err != nil {
		return nil, nil, "", err
	}
	rc, _, err := s.files.Open(ctx, b.FileID)
	if err != nil {
		return nil, nil, "", err
	}
	ct := "text/csv"
	switch {
	case b.Format == string(sheet.XLSX):
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case strings.HasPrefix(b.Encoding, "utf-8"):
		ct = "text/csv; charset=utf-8"
	case b.Encoding != "":
		ct = "text/csv; charset=" + b.Encoding
	}
	return rc, b, ct, nil
}

// ---- rollback

// Rollback undoes an imported batch in one transaction: the target
// restores each record's previous values, newest change first. It is
// refused (409 imports.rollback_conflict, naming the records) when a
// later change touched any of them.
func (s *Service) Rollback(ctx context.Context, id ids.ID) (*View, error) {
	var out *View
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		b, t, _, err := s.batchFor(ctx, id, true)
		if err != nil {
			return err
		}
		if b.State != StateImported {
			return errs.E(errs.Conflict, "imports.not_imported", errs.Params{"state": b.State})
		}
		before, n := b.ChangeCount+1, 0
		for {
			list, err := s.store.ChangesBefore(ctx, b.ID, before, s.opts.ChunkSize)
			if err != nil {
				return err
			}
			if len(list) == 0 {
				break
			}
			changes := make([]Change, len(list))
			for i := range list {
				changes[i] = list[i].change()
			}
			if err := t.Rollback(ctx, changes); err != nil {
				return err
			}
			n += len(list)
			before = list[len(list)-1].Seq
		}
		now := s.nowUTC()
		b.State, b.RolledBackAt, b.UpdatedAt = StateRolledBack, &now, now
		b.Version++
		if err := s.store.UpdateBatch(ctx, b); err != nil {
			return err
		}
		if err := s.record(ctx, "rollback", ObjectBatch, b.ID, map[string]any{"target": b.Target, "fileName": b.FileName, "changes": n}); err != nil {
			return err
		}
		out, err = s.view(ctx, b, t, nil, false)
		return err
	})
	return out, err
}
