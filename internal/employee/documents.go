package employee

import (
	"context"
	"io"
	"slices"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/files"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Upload limits.
const (
	MaxDocumentBytes = 20 << 20
	MaxPhotoBytes    = 5 << 20
)

// sensitiveOK reports whether the caller may see sensitive documents of
// the employee (his own, or with the sensitive permission in scope).
func sensitiveOK(p *rbac.Principal, e *Employee) bool {
	if p.EmployeeID == e.ID && p.EmployeeID != 0 {
		return true
	}
	scope, ok := p.Scope(PermReadSensitive)
	return ok && visible(scope, p, e)
}

// Documents lists an employee's documents; sensitive kinds (ID and bank
// card copies, medical papers) only for callers who may see sensitive
// data.
func (s *Service) Documents(ctx context.Context, id ids.ID) ([]Document, error) {
	p, e, err := s.readableFor(ctx, id, PermRead)
	if err != nil {
		return nil, err
	}
	list, err := s.store.Documents(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	if !sensitiveOK(p, e) {
		list = slices.DeleteFunc(list, func(d Document) bool { return slices.Contains(SensitiveKinds, d.Kind) })
	}
	if list == nil {
		list = []Document{}
	}
	return list, nil
}

// Upload stores a document for an employee (type sniffed, size limited).
func (s *Service) Upload(ctx context.Context, id ids.ID, kind, name string, r io.Reader) (*Document, error) {
	if s.files == nil {
		return nil, errs.E(errs.Unavailable, "unavailable")
	}
	if !slices.Contains(DocumentKinds, kind) {
		return nil, errs.InvalidField("kind", "invalid_choice")
	}
	if err := s.ensureCurrent(ctx); err != nil {
		return nil, err
	}
	var out *Document
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		p, e, err := s.load(ctx, PermUpdate, id, false)
		if err != nil {
			return err
		}
		f, err := s.files.Put(ctx, name, r, files.Limits{MaxBytes: MaxDocumentBytes})
		if err != nil {
			return err
		}
		d := &Document{TenantID: p.TenantID, ID: ids.New(), EmployeeID: e.ID, Kind: kind, FileID: f.ID, Name: f.Name, Size: f.Size,
			ContentType: f.ContentType, UploadedBy: p.UserID, UploadedAt: s.nowUTC()}
		if err := s.store.InsertDocument(ctx, d); err != nil {
			return err
		}
		out = d
		return s.audit.Record(ctx, audit.Event{Action: "create", ObjectType: ObjectDocument, ObjectID: d.ID.String(),
			Diff: map[string]any{"employeeId": e.ID, "document": audit.Diff(nil, d)}})
	})
	return out, err
}

// Download opens a document. Sensitive kinds need the sensitive
// permission (or one's own record) and each download is audited.
func (s *Service) Download(ctx context.Context, id, docID ids.ID) (io.ReadCloser, *Document, error) {
	p, e, err := s.readableFor(ctx, id, PermRead)
	if err != nil {
		return nil, nil, err
	}
	d, err := s.store.Document(ctx, docID)
	if err != nil || d.EmployeeID != e.ID {
		return nil, nil, errs.NotFoundf("object.document")
	}
	if slices.Contains(SensitiveKinds, d.Kind) {
		if !sensitiveOK(p, e) {
			return nil, nil, errs.NotFoundf("object.document")
		}
		if err := s.db.WithTx(ctx, func(ctx context.Context) error {
			return s.audit.Record(ctx, audit.Event{Action: ActionDownload, ObjectType: ObjectDocument, ObjectID: d.ID.String(),
				Diff: map[string]any{"employeeId": e.ID, "kind": d.Kind}})
		}); err != nil {
			return nil, nil, err
		}
	}
	if s.files == nil {
		return nil, nil, errs.E(errs.Unavailable, "unavailable")
	}
	rc, _, err := s.files.Open(ctx, d.FileID)
	if err != nil {
		return nil, nil, err
	}
	return rc, d, nil
}

// SetPhoto stores an employee's photo (an image of at most 5 MiB).
func (s *Service) SetPhoto(ctx context.Context, id ids.ID, name string, r io.Reader) (*Detail, error) {
	if s.files == nil {
		return nil, errs.E(errs.Unavailable, "unavailable")
	}
	if err := s.ensureCurrent(ctx); err != nil {
		return nil, err
	}
	today := s.today(ctx)
	var out *Detail
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		_, e, err := s.load(ctx, PermUpdate, id, true)
		if err != nil {
			return err
		}
		f, err := s.files.Put(ctx, name, r, files.Limits{MaxBytes: MaxPhotoBytes, Kinds: []files.Kind{files.Image}})
		if err != nil {
			return err
		}
		before := e.PhotoFileID
		e.PhotoFileID = f.ID
		e.Version++
		e.UpdatedAt = s.nowUTC()
		if err := s.store.UpdateEmployee(ctx, e); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Event{Action: "update", ObjectType: ObjectEmployee, ObjectID: e.ID.String(),
			Diff: map[string]audit.Change{"photoFileId": {Before: before, After: f.ID}}}); err != nil {
			return err
		}
		out, err = s.detail(ctx, e, today, today)
		return err
	})
	return out, err
}

// Photo opens an employee's photo (anyone who may read the record).
func (s *Service) Photo(ctx context.Context, id ids.ID) (io.ReadCloser, string, error) {
	_, e, _, err := s.readable(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if e.PhotoFileID == 0 || s.files == nil {
		return nil, "", errs.NotFoundf("object.file")
	}
	rc, f, err := s.files.Open(ctx, e.PhotoFileID)
	if err != nil {
		return nil, "", err
	}
	return rc, f.ContentType, nil
}
