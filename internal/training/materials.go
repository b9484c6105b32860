package training

import (
	"context"
	"io"
	"net/url"
	"strings"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/files"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/validate"
)

// Upload limits of materials: documents and images, and videos, which
// are larger.
const (
	MaxMaterialBytes = 50 << 20
	MaxVideoBytes    = 500 << 20
)

// MaterialKinds are the file kinds a material may be.
var MaterialKinds = []files.Kind{files.PDF, files.Office, files.Image, files.Video}

// MaterialInput adds a link or text material, or a new version of one.
type MaterialInput struct {
	Title      string `json:"title" maxLength:"100"`
	Kind       string `json:"kind" enum:"link,text"`
	URL        string `json:"url,omitempty" required:"false" maxLength:"2000"`
	Body       string `json:"body,omitempty" required:"false" maxLength:"50000"`
	MaterialID ids.ID `json:"materialId,omitempty" required:"false" doc:"a new version of this material"`
}

// Upload is a file material (or a new version of one).
type Upload struct {
	Title      string
	MaterialID ids.ID
	Name       string
	Size       int64
	Body       io.Reader
}

// AddMaterial adds a link or text material, or a new version of one.
func (s *Service) AddMaterial(ctx context.Context, moduleID ids.ID, in MaterialInput) (*Material, error) {
	var f errs.Fields
	validate.Prose(&f, "title", &in.Title, 100, true)
	switch in.Kind {
	case MaterialLink:
		in.URL = strings.TrimSpace(in.URL)
		u, err := url.Parse(in.URL)
		f.Check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "", "url", "invalid_format")
		in.Body = ""
	case MaterialText:
		validate.Prose(&f, "body", &in.Body, 50000, true)
		in.URL = ""
	default:
		f.Add("kind", "invalid_choice")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s.putMaterial(ctx, moduleID, in.MaterialID, in.Title, in.Kind, func(ctx context.Context, v *MaterialVersion) error {
		v.URL, v.Body = in.URL, in.Body
		return nil
	})
}

// UploadMaterial stores a file as a material (or a new version of one).
// The type is sniffed from the content: PDF, Office documents, images and
// MP4 videos are accepted.
func (s *Service) UploadMaterial(ctx context.Context, moduleID ids.ID, up Upload) (*Material, error) {
	var f errs.Fields
	if up.Title == "" {
		up.Title = strings.TrimSuffix(up.Name, pathExt(up.Name))
	}
	validate.Prose(&f, "title", &up.Title, 100, true)
	if err := f.Err(); err != nil {
		return nil, err
	}
	// Check the caller may edit before taking the bytes, and store them
	// outside the transaction: a video takes minutes to arrive.
	p, _, err := rbac.Require(ctx, PermModuleRead)
	if err != nil {
		return nil, err
	}
	m, err := s.module(ctx, moduleID)
	if err != nil {
		return nil, err
	}
	if err := canEdit(p, m); err != nil {
		return nil, err
	}
	// Only a video may be larger than a document; refuse before storing
	// anything when the size already says so.
	limit := int64(MaxVideoBytes)
	if up.Size > 0 && up.Size <= MaxMaterialBytes {
		limit = MaxMaterialBytes
	}
	if up.Size > MaxMaterialBytes && !strings.EqualFold(pathExt(up.Name), ".mp4") {
		return nil, errs.E(errs.TooLarge, "too_large", errs.Params{"limit": "50 MiB"})
	}
	file, err := s.files.Put(ctx, up.Name, up.Body, files.Limits{MaxBytes: limit, Kinds: MaterialKinds})
	if err != nil {
		return nil, err
	}
	if file.ContentType != "video/mp4" && file.Size > MaxMaterialBytes {
		return nil, errs.E(errs.TooLarge, "too_large", errs.Params{"limit": "50 MiB"})
	}
	return s.putMaterial(ctx, moduleID, up.MaterialID, up.Title, MaterialFile, func(ctx context.Context, v *MaterialVersion) error {
		v.FileID, v.FileName, v.ContentType, v.Size = file.ID, file.Name, file.ContentType, file.Size
		return nil
	})
}

func pathExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[i:]
	}
	return ""
}

// putMaterial adds a material or a version: the caller must be able to
// edit the module. It fulfils the owning department's "provide" duties
// the material answers.
func (s *Service) putMaterial(ctx context.Context, moduleID, materialID ids.ID, title, kind string, content func(context.Context, *MaterialVersion) error) (*Material, error) {
	p, _, err := rbac.Require(ctx, PermModuleRead)
	if err != nil {
		return nil, err
	}
	var out *Material
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.module(ctx, moduleID)
		if err != nil {
			return err
		}
		if err := canEdit(p, m); err != nil {
			return err
		}
		now := s.nowUTC()
		var mt *Material
		if materialID != 0 {
			if mt, err = s.store.Material(ctx, materialID); err != nil {
				return err
			}
			if mt.ModuleID != m.ID || mt.Deleted {
				return errs.NotFoundf("object.training_material")
			}
			if mt.Kind != kind {
				return errs.InvalidField("kind", "training.material_kind_fixed")
			}
			mt.CurrentVersion++
			mt.Title = title
			mt.UpdatedAt = now
		} else {
			n, err := s.store.CountMaterials(ctx, m.ID)
			if err != nil {
				return err
			}
			mt = &Material{TenantID: p.TenantID, ID: ids.New(), ModuleID: m.ID, Title: title, Kind: kind, Position: n,
				CurrentVersion: 1, CreatedAt: now, UpdatedAt: now}
		}
		v := &MaterialVersion{TenantID: p.TenantID, MaterialID: mt.ID, Version: mt.CurrentVersion, UploadedBy: p.UserID,
			UploaderName: actorName(p), UploadedAt: now}
		if err := content(ctx, v); err != nil {
			return err
		}
		if materialID != 0 {
			err = s.store.UpdateMaterial(ctx, mt)
		} else {
			err = s.store.InsertMaterial(ctx, mt)
		}
		if err != nil {
			return err
		}
		if err := s.store.InsertMaterialVersion(ctx, v); err != nil {
			return err
		}
		mt.Current = v
		if err := s.record(ctx, "upload", ObjectMaterial, mt.ID, map[string]any{"module": m.ID, "title": title, "version": v.Version, "file": v.FileName}); err != nil {
			return err
		}
		if err := s.refreshModuleTotals(ctx, m); err != nil {
			return err
		}
		out = mt
		return s.fulfil(ctx, dutyEvent{Kind: DutyProvide, ModuleID: m.ID, Title: title, How: "material_uploaded", Actor: p})
	})
	return out, err
}

// DeleteMaterial removes a material from its module (its versions stay
// for the record). Only the module's owners may.
func (s *Service) DeleteMaterial(ctx context.Context, id ids.ID) error {
	p, _, err := rbac.Require(ctx, PermModuleRead)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		mt, err := s.store.Material(ctx, id)
		if err != nil {
			return err
		}
		if mt.Deleted {
			return errs.NotFoundf("object.training_material")
		}
		m, err := s.module(ctx, mt.ModuleID)
		if err != nil {
			return err
		}
		if err := canEdit(p, m); err != nil {
			return err
		}
		mt.Deleted = true
		mt.UpdatedAt = s.nowUTC()
		if err := s.store.UpdateMaterial(ctx, mt); err != nil {
			return err
		}
		if err := s.record(ctx, "delete", ObjectMaterial, mt.ID, map[string]any{"module": m.ID, "title": mt.Title}); err != nil {
			return err
		}
		return s.refreshModuleTotals(ctx, m)
	})
}

// Materials lists a module's materials with their current versions, for
// whoever may read the catalogue or is enrolled in the module.
func (s *Service) Materials(ctx context.Context, moduleID ids.ID) ([]Material, error) {
	if err := s.canRead(ctx, moduleID); err != nil {
		return nil, err
	}
	return s.store.Materials(ctx, moduleID)
}

// MaterialVersions lists a material's versions, newest first.
func (s *Service) MaterialVersions(ctx context.Context, id ids.ID) ([]MaterialVersion, error) {
	mt, err := s.store.Material(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.canRead(ctx, mt.ModuleID); err != nil {
		return nil, err
	}
	return s.store.MaterialVersions(ctx, id)
}

// OpenMaterial returns a file material's bytes (version 0: the current).
func (s *Service) OpenMaterial(ctx context.Context, id ids.ID, version int) (io.ReadCloser, *files.File, error) {
	mt, err := s.store.Material(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if err := s.canRead(ctx, mt.ModuleID); err != nil {
		return nil, nil, err
	}
	if version == 0 {
		version = mt.CurrentVersion
	}
	v, err := s.store.MaterialVersion(ctx, id, version)
	if err != nil {
		return nil, nil, err
	}
	if v.FileID == 0 {
		return nil, nil, errs.NotFoundf("object.file")
	}
	return s.files.Open(ctx, v.FileID)
}

// canRead lets catalogue readers and the module's learners in.
func (s *Service) canRead(ctx context.Context, moduleID ids.ID) error {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return err
	}
	if p.Can(PermModuleRead) {
		_, err := s.store.Module(ctx, moduleID)
		return err
	}
	if p.EmployeeID != 0 {
		list, err := s.store.ProgressOf(ctx, p.EmployeeID, moduleID)
		if err != nil {
			return err
		}
		if len(list) > 0 {
			return nil
		}
	}
	return errs.NotFoundf("object.training_module")
}

// ViewInput reports viewing progress on a material.
type ViewInput struct {
	Seconds      int `json:"seconds,omitempty" required:"false" minimum:"0" maximum:"3600" doc:"time spent since the last report"`
	VideoPercent int `json:"videoPercent,omitempty" required:"false" minimum:"0" maximum:"100" doc:"share of the video watched"`
	Position     int `json:"position,omitempty" required:"false" minimum:"0" doc:"seconds into the video, to continue there"`
}

// VideoDone is the share of a video that counts as watched.
const VideoDone = 90

// RecordView records the caller's viewing of a material: opened, time
// spent, share of the video watched. A document counts as studied once
// opened, a video once 90% is watched.
func (s *Service) RecordView(ctx context.Context, materialID ids.ID, in ViewInput) (*View, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if p.EmployeeID == 0 {
		return nil, errs.E(errs.NotFound, "training.no_employee")
	}
	var out *View
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		mt, err := s.store.Material(ctx, materialID)
		if err != nil {
			return err
		}
		if mt.Deleted {
			return errs.NotFoundf("object.training_material")
		}
		rows, err := s.store.ProgressOf(ctx, p.EmployeeID, mt.ModuleID)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return errs.NotFoundf("object.training_material")
		}
		now := s.nowUTC()
		v, err := s.store.View(ctx, p.EmployeeID, materialID)
		if errs.KindOf(err) == errs.NotFound {
			v, err = &View{TenantID: p.TenantID, EmployeeID: p.EmployeeID, MaterialID: materialID, ModuleID: mt.ModuleID, OpenedAt: now}, nil
		}
		if err != nil {
			return err
		}
		wasDone := v.Done
		v.Version = mt.CurrentVersion
		v.LastAt = now
		v.Seconds += min(in.Seconds, 3600)
		v.VideoPercent = max(v.VideoPercent, min(in.VideoPercent, 100))
		v.Position = in.Position
		video := false
		if mt.Kind == MaterialFile {
			cur, err := s.store.MaterialVersion(ctx, mt.ID, mt.CurrentVersion)
			if err != nil {
				return err
			}
			video = strings.HasPrefix(cur.ContentType, "video/")
		}
		v.Done = !video || v.VideoPercent >= VideoDone
		if err := s.store.UpsertView(ctx, v); err != nil {
			return err
		}
		out = v
		done, err := s.store.CountViewsDone(ctx, p.EmployeeID, mt.ModuleID)
		if err != nil {
			return err
		}
		return s.updateProgress(ctx, rows, now, func(pg *Progress) {
			pg.LastMaterialID = materialID
			if v.Done && !wasDone || pg.MaterialsDone != done {
				pg.MaterialsDone = min(done, pg.MaterialsTotal)
			}
		})
	})
	return out, err
}

// refreshModuleTotals brings learners' open progress rows in line with the
// module: the number of materials, whether a test and homework are due.
// Completed modules stay completed.
func (s *Service) refreshModuleTotals(ctx context.Context, m *Module) error {
	n, err := s.store.CountMaterials(ctx, m.ID)
	if err != nil {
		return err
	}
	return s.store.SetProgressTotals(ctx, m.ID, n, m.TestEnabled, m.HomeworkEnabled, s.nowUTC())
}
