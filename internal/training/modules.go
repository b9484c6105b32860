package training

import (
	"context"
	"math"
	"slices"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/validate"
)

// DefaultPassMark is a test's pass mark unless the module sets one.
const DefaultPassMark = 80

// ModuleInput creates or replaces a module's settings.
type ModuleInput struct {
	Title             string  `json:"title" maxLength:"100"`
	Kind              string  `json:"kind" enum:"general,professional"`
	OwnerDepartmentID ids.ID  `json:"ownerDepartmentId,omitempty" required:"false" doc:"professional modules: the owning department (default: the caller's)"`
	Category          string  `json:"category,omitempty" required:"false" maxLength:"50"`
	Description       string  `json:"description,omitempty" required:"false" maxLength:"2000"`
	CreditHours       float64 `json:"creditHours,omitempty" required:"false" minimum:"0" maximum:"1000"`
	TestEnabled       bool    `json:"testEnabled,omitempty" required:"false"`
	TestQuestions     int     `json:"testQuestions,omitempty" required:"false" minimum:"0" maximum:"200"`
	PassMark          int     `json:"passMark,omitempty" required:"false" minimum:"0" maximum:"100" doc:"default 80"`
	TimeLimitMinutes  int     `json:"timeLimitMinutes,omitempty" required:"false" minimum:"0" maximum:"600"`
	MaxAttempts       int     `json:"maxAttempts,omitempty" required:"false" minimum:"0" maximum:"50"`
	HomeworkEnabled   bool    `json:"homeworkEnabled,omitempty" required:"false"`
	HomeworkBrief     string  `json:"homeworkBrief,omitempty" required:"false" maxLength:"5000"`
	HomeworkDueDays   int     `json:"homeworkDueDays,omitempty" required:"false" minimum:"0" maximum:"365"`
	Version           int     `json:"version,omitempty" required:"false" doc:"the version read (updates)"`
}

// ModuleFilter narrows the catalogue.
type ModuleFilter struct {
	Q            string
	Kind         string
	DepartmentID ids.ID
	Editable     bool // only modules the caller may edit
	Archived     bool
	Edit         *EditScope // set by the service from Editable
	Page, Size   int
}

// CanEdit reports whether the caller may edit m's content: HR edits
// general modules, a department's content owners its professional ones.
func CanEdit(p *rbac.Principal, m *Module) bool {
	if m.Kind == General {
		return p.Can(PermManageGeneral)
	}
	scope, ok := p.Scope(PermManageProfessional)
	return ok && scope.CoversDepartment(m.OwnerDepartmentID)
}

// canEdit refuses with the permission that is missing.
func canEdit(p *rbac.Principal, m *Module) error {
	if CanEdit(p, m) {
		return nil
	}
	if m.Kind == General {
		return errs.E(errs.Forbidden, "training.general_owned_by_hr")
	}
	return errs.E(errs.Forbidden, "training.owned_by_department", errs.Params{"department": m.OwnerDepartmentName})
}

func (in *ModuleInput) check(p *rbac.Principal) error {
	var f errs.Fields
	validate.Prose(&f, "title", &in.Title, 100, true)
	validate.Prose(&f, "category", &in.Category, 50, false)
	validate.Prose(&f, "description", &in.Description, 2000, false)
	validate.Prose(&f, "homeworkBrief", &in.HomeworkBrief, 5000, in.HomeworkEnabled)
	switch in.Kind {
	case General:
		in.OwnerDepartmentID = 0
	case Professional:
		if in.OwnerDepartmentID == 0 {
			in.OwnerDepartmentID = p.DepartmentID
		}
		f.Check(in.OwnerDepartmentID != 0, "ownerDepartmentId", "required")
	default:
		f.Add("kind", "invalid_choice")
	}
	f.Check(in.CreditHours >= 0 && in.CreditHours <= 1000, "creditHours", "out_of_range", errs.Params{"min": 0, "max": 1000})
	f.Check(in.TestQuestions >= 0 && in.TestQuestions <= 200, "testQuestions", "out_of_range", errs.Params{"min": 0, "max": 200})
	if in.PassMark == 0 {
		in.PassMark = DefaultPassMark
	}
	f.Check(in.PassMark >= 1 && in.PassMark <= 100, "passMark", "out_of_range", errs.Params{"min": 1, "max": 100})
	f.Check(in.TimeLimitMinutes >= 0 && in.TimeLimitMinutes <= 600, "timeLimitMinutes", "out_of_range", errs.Params{"min": 0, "max": 600})
	f.Check(in.MaxAttempts >= 0 && in.MaxAttempts <= 50, "maxAttempts", "out_of_range", errs.Params{"min": 0, "max": 50})
	f.Check(in.HomeworkDueDays >= 0 && in.HomeworkDueDays <= 365, "homeworkDueDays", "out_of_range", errs.Params{"min": 0, "max": 365})
	return f.Err()
}

func (in *ModuleInput) apply(m *Module) {
	m.Title, m.Kind, m.OwnerDepartmentID, m.Category, m.Description = in.Title, in.Kind, in.OwnerDepartmentID, in.Category, in.Description
	m.CreditTenths = int(math.Round(in.CreditHours * 10))
	m.TestEnabled, m.TestQuestions, m.PassMark, m.TimeLimitMinutes, m.MaxAttempts = in.TestEnabled, in.TestQuestions, in.PassMark, in.TimeLimitMinutes, in.MaxAttempts
	m.HomeworkEnabled, m.HomeworkBrief, m.HomeworkDueDays = in.HomeworkEnabled, in.HomeworkBrief, in.HomeworkDueDays
}

// CreateModule adds a module to the catalogue.
func (s *Service) CreateModule(ctx context.Context, in ModuleInput) (*Module, error) {
	p, _, err := rbac.Require(ctx, PermModuleRead)
	if err != nil {
		return nil, err
	}
	if err := in.check(p); err != nil {
		return nil, err
	}
	now := s.nowUTC()
	m := &Module{TenantID: p.TenantID, ID: ids.New(), Version: 1, CreatedBy: p.UserID, CreatedAt: now, UpdatedAt: now}
	in.apply(m)
	if err := s.describe(ctx, m); err != nil {
		return nil, err
	}
	if err := canEdit(p, m); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.InsertModule(ctx, m); err != nil {
			return err
		}
		return s.record(ctx, "create", ObjectModule, m.ID, m)
	})
	if err != nil {
		return nil, err
	}
	m.CanEdit = true
	return m, nil
}

// UpdateModule replaces a module's settings. The kind and owner cannot
// move content out of its owner's hands: the caller must be able to edit
// the module both before and after.
func (s *Service) UpdateModule(ctx context.Context, id ids.ID, in ModuleInput) (*Module, error) {
	p, _, err := rbac.Require(ctx, PermModuleRead)
	if err != nil {
		return nil, err
	}
	if err := in.check(p); err != nil {
		return nil, err
	}
	var out *Module
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.module(ctx, id)
		if err != nil {
			return err
		}
		if err := canEdit(p, m); err != nil {
			return err
		}
		if in.Version != 0 && in.Version != m.Version {
			return errs.E(errs.Conflict, "stale")
		}
		before := *m
		in.apply(m)
		if err := s.describe(ctx, m); err != nil {
			return err
		}
		if err := canEdit(p, m); err != nil {
			return err
		}
		m.Version++
		m.UpdatedAt = s.nowUTC()
		if err := s.store.UpdateModule(ctx, m, before.Version); err != nil {
			return err
		}
		if err := s.record(ctx, "update", ObjectModule, m.ID, audit.Diff(&before, m)); err != nil {
			return err
		}
		out = m
		return s.refreshModuleTotals(ctx, m)
	})
	if err != nil {
		return nil, err
	}
	out.CanEdit = true
	return out, nil
}

// ArchiveModule takes a module out of the catalogue; programs that use
// it keep it (deleting would lose learners' records).
func (s *Service) ArchiveModule(ctx context.Context, id ids.ID) error {
	p, _, err := rbac.Require(ctx, PermModuleRead)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.module(ctx, id)
		if err != nil {
			return err
		}
		if err := canEdit(p, m); err != nil {
			return err
		}
		before := m.Version
		m.Archived = true
		m.Version++
		m.UpdatedAt = s.nowUTC()
		if err := s.store.UpdateModule(ctx, m, before); err != nil {
			return err
		}
		return s.record(ctx, "archive", ObjectModule, m.ID, nil)
	})
}

// Module reads a module for the catalogue.
func (s *Service) Module(ctx context.Context, id ids.ID) (*Module, error) {
	p, _, err := rbac.Require(ctx, PermModuleRead)
	if err != nil {
		return nil, err
	}
	m, err := s.module(ctx, id)
	if err != nil {
		return nil, err
	}
	if m.MaterialCount, err = s.store.CountMaterials(ctx, id); err != nil {
		return nil, err
	}
	if m.QuestionCount, err = s.store.CountQuestions(ctx, id); err != nil {
		return nil, err
	}
	m.CanEdit = CanEdit(p, m)
	return m, nil
}

// module reads a module with its owner's name.
func (s *Service) module(ctx context.Context, id ids.ID) (*Module, error) {
	m, err := s.store.Module(ctx, id)
	if err != nil {
		return nil, err
	}
	return m, s.describe(ctx, m)
}

// describe fills a module's derived view fields.
func (s *Service) describe(ctx context.Context, list ...*Module) error {
	var depts []ids.ID
	for _, m := range list {
		m.CreditHours = float64(m.CreditTenths) / 10
		if m.OwnerDepartmentID != 0 && !slices.Contains(depts, m.OwnerDepartmentID) {
			depts = append(depts, m.OwnerDepartmentID)
		}
	}
	if len(depts) == 0 {
		return nil
	}
	names, err := s.people.DepartmentNames(ctx, depts)
	if err != nil {
		return err
	}
	for _, m := range list {
		m.OwnerDepartmentName = names[m.OwnerDepartmentID]
	}
	return nil
}

// Modules lists the catalogue.
func (s *Service) Modules(ctx context.Context, f ModuleFilter) ([]Module, int, error) {
	p, _, err := rbac.Require(ctx, PermModuleRead)
	if err != nil {
		return nil, 0, err
	}
	if f.Editable {
		f = editableFilter(p, f)
	}
	list, total, err := s.store.Modules(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	ptrs := make([]*Module, len(list))
	for i := range list {
		ptrs[i] = &list[i]
	}
	if err := s.describe(ctx, ptrs...); err != nil {
		return nil, 0, err
	}
	for i := range list {
		list[i].CanEdit = CanEdit(p, &list[i])
	}
	return list, total, nil
}

// editableFilter narrows to what the caller may edit.
func editableFilter(p *rbac.Principal, f ModuleFilter) ModuleFilter {
	scope, prof := p.Scope(PermManageProfessional)
	f.Edit = &EditScope{General: p.Can(PermManageGeneral)}
	if prof {
		f.Edit.AllProfessional = scope.All
		f.Edit.Departments = scope.Departments
	}
	return f
}

// EditScope is which modules a caller may edit, as a list filter.
type EditScope struct {
	General         bool
	AllProfessional bool
	Departments     []ids.ID
}
