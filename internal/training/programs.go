package training

import (
	"context"
	"slices"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/validate"
)

// ProgramInput creates or replaces a program.
type ProgramInput struct {
	Title        string     `json:"title" maxLength:"100"`
	Description  string     `json:"description,omitempty" required:"false" maxLength:"2000"`
	ModuleIDs    []ids.ID   `json:"moduleIds" maxItems:"50"`
	StartDate    civil.Date `json:"startDate,omitempty" required:"false"`
	EndDate      civil.Date `json:"endDate,omitempty" required:"false"`
	DeadlineDays int        `json:"deadlineDays,omitempty" required:"false" minimum:"0" maximum:"365"`
	Schedule     Schedule   `json:"schedule,omitempty" required:"false"`
	Audience     Audience   `json:"audience,omitempty" required:"false"`
	Version      int        `json:"version,omitempty" required:"false"`
}

// ProgramFilter narrows the program list.
type ProgramFilter struct {
	Q          string
	State      string
	Page, Size int
}

func (s *Service) checkProgram(ctx context.Context, in *ProgramInput) ([]Module, error) {
	var f errs.Fields
	validate.Prose(&f, "title", &in.Title, 100, true)
	validate.Prose(&f, "description", &in.Description, 2000, false)
	f.Check(in.DeadlineDays >= 0 && in.DeadlineDays <= 365, "deadlineDays", "out_of_range", errs.Params{"min": 0, "max": 365})
	f.Check(in.StartDate.IsZero() || in.StartDate.Valid(), "startDate", "invalid_date")
	f.Check(in.EndDate.IsZero() || in.EndDate.Valid(), "endDate", "invalid_date")
	if !in.StartDate.IsZero() && !in.EndDate.IsZero() && in.EndDate.Before(in.StartDate) {
		f.Add("endDate", "training.end_before_start")
	}
	in.ModuleIDs = uniqueIDs(in.ModuleIDs)
	f.Check(len(in.ModuleIDs) > 0, "moduleIds", "required")
	if w := in.Schedule.Weekly; w != nil {
		f.Check(w.Weekday >= 0 && w.Weekday <= 6, "schedule.weekly.weekday", "out_of_range", errs.Params{"min": 0, "max": 6})
		f.Check(w.From.Valid(), "schedule.weekly.from", "required")
		f.Check(w.Weeks >= 1 && w.Weeks <= 52, "schedule.weekly.weeks", "out_of_range", errs.Params{"min": 1, "max": 52})
		f.Check(len(w.Start) == 5 && len(w.End) == 5 && w.Start < w.End, "schedule.weekly.end", "training.end_before_start")
	}
	f.Check(len(in.Schedule.Dates) <= 100, "schedule.dates", "too_long", errs.Params{"max": 100})
	f.Check(len(in.Audience.EmployeeIDs) <= 5000, "audience.employeeIds", "too_long", errs.Params{"max": 5000})
	if err := f.Err(); err != nil {
		return nil, err
	}
	mods, err := s.store.ModulesByID(ctx, in.ModuleIDs)
	if err != nil {
		return nil, err
	}
	if len(mods) != len(in.ModuleIDs) {
		return nil, errs.InvalidField("moduleIds", "training.unknown_module")
	}
	for _, m := range mods {
		if m.Archived {
			return nil, errs.InvalidField("moduleIds", "training.module_archived", errs.Params{"title": m.Title})
		}
	}
	// Keep the order the user chose.
	order := map[ids.ID]int{}
	for i, id := range in.ModuleIDs {
		order[id] = i
	}
	slices.SortFunc(mods, func(a, b Module) int { return order[a.ID] - order[b.ID] })
	return mods, nil
}

func (in *ProgramInput) apply(pr *Program) {
	pr.Title, pr.Description, pr.ModuleIDs = in.Title, in.Description, in.ModuleIDs
	pr.StartDate, pr.EndDate, pr.DeadlineDays, pr.Schedule, pr.Audience = in.StartDate, in.EndDate, in.DeadlineDays, in.Schedule, in.Audience
	pr.HireDepartmentID = in.Audience.NewHiresOf
}

// CreateProgram adds a draft program with the default responsibility
// matrix: HR plans, notifies, tracks and compiles; each module's owning
// department provides its materials, coaches, grades homework and takes
// part in assessment.
func (s *Service) CreateProgram(ctx context.Context, in ProgramInput) (*Program, error) {
	p, _, err := rbac.Require(ctx, PermProgramManage)
	if err != nil {
		return nil, err
	}
	var out *Program
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		mods, err := s.checkProgram(ctx, &in)
		if err != nil {
			return err
		}
		now := s.nowUTC()
		pr := &Program{TenantID: p.TenantID, ID: ids.New(), State: ProgramDraft, OwnerUserID: p.UserID, OwnerName: actorName(p),
			Version: 1, CreatedAt: now, UpdatedAt: now}
		in.apply(pr)
		if err := s.store.InsertProgram(ctx, pr); err != nil {
			return err
		}
		if err := s.record(ctx, "create", ObjectProgram, pr.ID, pr); err != nil {
			return err
		}
		if err := s.defaultDuties(ctx, pr, mods, nil); err != nil {
			return err
		}
		out = pr
		return s.describeProgram(ctx, pr, mods)
	})
	return out, err
}

// UpdateProgram replaces a program's settings. Its modules are fixed once
// it is active (learners' progress is counted against them).
func (s *Service) UpdateProgram(ctx context.Context, id ids.ID, in ProgramInput) (*Program, error) {
	if _, _, err := rbac.Require(ctx, PermProgramManage); err != nil {
		return nil, err
	}
	var out *Program
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		pr, err := s.store.Program(ctx, id)
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != pr.Version {
			return errs.E(errs.Conflict, "stale")
		}
		if pr.State == ProgramClosed {
			return errs.E(errs.Conflict, "training.program_closed")
		}
		mods, err := s.checkProgram(ctx, &in)
		if err != nil {
			return err
		}
		if pr.State != ProgramDraft && !slices.Equal(sortedIDs(pr.ModuleIDs), sortedIDs(in.ModuleIDs)) {
			return errs.InvalidField("moduleIds", "training.modules_fixed")
		}
		if pr.State != ProgramDraft {
			in.ModuleIDs = pr.ModuleIDs
		}
		before := *pr
		in.apply(pr)
		pr.Version++
		pr.UpdatedAt = s.nowUTC()
		if err := s.store.UpdateProgram(ctx, pr, before.Version); err != nil {
			return err
		}
		if err := s.record(ctx, "update", ObjectProgram, pr.ID, audit.Diff(&before, pr)); err != nil {
			return err
		}
		existing, err := s.store.Duties(ctx, pr.ID)
		if err != nil {
			return err
		}
		if err := s.defaultDuties(ctx, pr, mods, existing); err != nil {
			return err
		}
		out = pr
		return s.describeProgram(ctx, pr, mods)
	})
	return out, err
}

// uniqueIDs drops repeats, keeping the first of each in order.
func uniqueIDs(in []ids.ID) []ids.ID {
	seen := map[ids.ID]bool{}
	out := in[:0:0]
	for _, id := range in {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func sortedIDs(in []ids.ID) []ids.ID {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
}

// Program reads a program.
func (s *Service) Program(ctx context.Context, id ids.ID) (*Program, error) {
	if _, _, err := rbac.Require(ctx, PermProgramRead); err != nil {
		return nil, err
	}
	pr, err := s.store.Program(ctx, id)
	if err != nil {
		return nil, err
	}
	if pr.Enrolled, err = s.store.CountEnrolled(ctx, id); err != nil {
		return nil, err
	}
	mods, err := s.store.ModulesByID(ctx, pr.ModuleIDs)
	if err != nil {
		return nil, err
	}
	return pr, s.describeProgram(ctx, pr, mods)
}

// Programs lists programs.
func (s *Service) Programs(ctx context.Context, f ProgramFilter) ([]Program, int, error) {
	if _, _, err := rbac.Require(ctx, PermProgramRead); err != nil {
		return nil, 0, err
	}
	return s.store.Programs(ctx, f)
}

func (s *Service) describeProgram(ctx context.Context, pr *Program, mods []Module) error {
	ptrs := make([]*Module, len(mods))
	for i := range mods {
		ptrs[i] = &mods[i]
	}
	if err := s.describe(ctx, ptrs...); err != nil {
		return err
	}
	byID := map[ids.ID]*Module{}
	for _, m := range ptrs {
		byID[m.ID] = m
	}
	pr.Modules = []ModuleRef{}
	for _, id := range pr.ModuleIDs {
		if m := byID[id]; m != nil {
			pr.Modules = append(pr.Modules, ref(m))
		}
	}
	return nil
}

func ref(m *Module) ModuleRef {
	return ModuleRef{ID: m.ID, Title: m.Title, Kind: m.Kind, OwnerDepartmentID: m.OwnerDepartmentID, OwnerDepartmentName: m.OwnerDepartmentName,
		CreditHours: float64(m.CreditTenths) / 10, TestEnabled: m.TestEnabled, HomeworkEnabled: m.HomeworkEnabled}
}

// ActivateProgram starts a program: its audience is enrolled and told.
// HR's "plan" duty is fulfilled by it, and "notify" once the notices go.
func (s *Service) ActivateProgram(ctx context.Context, id ids.ID) (*Program, error) {
	p, scope, err := rbac.Require(ctx, PermProgramManage)
	if err != nil {
		return nil, err
	}
	var out *Program
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		pr, err := s.store.Program(ctx, id)
		if err != nil {
			return err
		}
		if pr.State != ProgramDraft {
			return errs.E(errs.Conflict, "training.program_not_draft")
		}
		pr.State = ProgramActive
		pr.Version++
		pr.UpdatedAt = s.nowUTC()
		if err := s.store.UpdateProgram(ctx, pr, pr.Version-1); err != nil {
			return err
		}
		if err := s.record(ctx, "activate", ObjectProgram, pr.ID, nil); err != nil {
			return err
		}
		if err := s.fulfil(ctx, dutyEvent{ProgramID: pr.ID, Kind: DutyPlan, How: "program_activated", Actor: p}); err != nil {
			return err
		}
		people, err := s.audience(ctx, pr.Audience)
		if err != nil {
			return err
		}
		if _, err := s.enrol(ctx, p, scope, pr, people, SourceDepartment); err != nil {
			return err
		}
		out = pr
		mods, err := s.store.ModulesByID(ctx, pr.ModuleIDs)
		if err != nil {
			return err
		}
		return s.describeProgram(ctx, pr, mods)
	})
	return out, err
}

// CloseProgram ends a program: no one joins any more, records stay.
func (s *Service) CloseProgram(ctx context.Context, id ids.ID) (*Program, error) {
	if _, _, err := rbac.Require(ctx, PermProgramManage); err != nil {
		return nil, err
	}
	var out *Program
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		pr, err := s.store.Program(ctx, id)
		if err != nil {
			return err
		}
		if pr.State == ProgramClosed {
			return errs.E(errs.Conflict, "training.program_closed")
		}
		pr.State = ProgramClosed
		pr.Version++
		pr.UpdatedAt = s.nowUTC()
		if err := s.store.UpdateProgram(ctx, pr, pr.Version-1); err != nil {
			return err
		}
		out = pr
		return s.record(ctx, "close", ObjectProgram, pr.ID, nil)
	})
	return out, err
}

// audience resolves the people a program names.
func (s *Service) audience(ctx context.Context, a Audience) ([]Person, error) {
	var out []Person
	seen := map[ids.ID]bool{}
	if len(a.DepartmentIDs) > 0 {
		list, err := s.people.InDepartments(ctx, a.DepartmentIDs)
		if err != nil {
			return nil, err
		}
		for _, p := range list {
			if !seen[p.EmployeeID] {
				seen[p.EmployeeID] = true
				out = append(out, p)
			}
		}
	}
	if len(a.EmployeeIDs) > 0 {
		m, err := s.people.People(ctx, a.EmployeeIDs)
		if err != nil {
			return nil, err
		}
		for _, id := range a.EmployeeIDs {
			if p, ok := m[id]; ok && p.Active && !seen[id] {
				seen[id] = true
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// EnrollInput adds people to an active program.
type EnrollInput struct {
	EmployeeIDs   []ids.ID `json:"employeeIds,omitempty" required:"false" maxItems:"5000"`
	DepartmentIDs []ids.ID `json:"departmentIds,omitempty" required:"false" maxItems:"100"`
}

// Enroll adds people to an active program and tells them; people already
// in it are skipped.
func (s *Service) Enroll(ctx context.Context, programID ids.ID, in EnrollInput) (int, error) {
	p, scope, err := rbac.Require(ctx, PermProgramManage)
	if err != nil {
		return 0, err
	}
	if len(in.EmployeeIDs) == 0 && len(in.DepartmentIDs) == 0 {
		return 0, errs.InvalidField("employeeIds", "required")
	}
	added := 0
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		pr, err := s.store.Program(ctx, programID)
		if err != nil {
			return err
		}
		if pr.State != ProgramActive {
			return errs.E(errs.Conflict, "training.program_not_active")
		}
		people, err := s.audience(ctx, Audience{EmployeeIDs: in.EmployeeIDs, DepartmentIDs: in.DepartmentIDs})
		if err != nil {
			return err
		}
		if len(in.EmployeeIDs) > 0 && len(people) == 0 {
			return errs.InvalidField("employeeIds", "training.no_such_employees")
		}
		source := SourceManual
		if len(in.DepartmentIDs) > 0 {
			source = SourceDepartment
		}
		added, err = s.enrol(ctx, p, scope, pr, people, source)
		return err
	})
	return added, err
}

// Hire is a new hire as the core HR module reports it.
type Hire struct {
	TenantID     ids.ID
	EmployeeID   ids.ID
	Name         string
	DepartmentID ids.ID
	HireDate     civil.Date
}

// EnrollHire enrols a new hire into every active program whose audience
// takes new hires of the hire's department (or one above it). It runs in
// the transaction that records the hire, as the system.
func (s *Service) EnrollHire(ctx context.Context, h Hire) error {
	if h.DepartmentID == 0 {
		return nil
	}
	ctx = rbac.WithPrincipal(ctx, systemIn(ctx, h.TenantID))
	list, err := s.store.HirePrograms(ctx)
	if err != nil || len(list) == 0 {
		return err
	}
	for i := range list {
		pr := &list[i]
		tree, err := s.people.Subtree(ctx, []ids.ID{pr.HireDepartmentID})
		if err != nil {
			return err
		}
		if !slices.Contains(tree, h.DepartmentID) {
			continue
		}
		person := Person{EmployeeID: h.EmployeeID, Name: h.Name, DepartmentID: h.DepartmentID, Active: true}
		if full, err := s.people.Person(ctx, h.EmployeeID); err == nil {
			person.UserID = full.UserID
		}
		if _, err := s.enrol(ctx, rbac.From(ctx), rbac.Scope{All: true}, pr, []Person{person}, SourceHire); err != nil {
			return err
		}
	}
	return nil
}

// systemIn is the tenant's system principal, keeping the caller's zone.
func systemIn(ctx context.Context, tenantID ids.ID) *rbac.Principal {
	sp := rbac.SystemPrincipal(tenantID, "training")
	if p := rbac.From(ctx); p != nil {
		sp.TimeZone = p.TimeZone
	}
	return sp
}

// enrol creates enrollments and their module progress for the people not
// yet in the program (outside the caller's scope: refused), and tells
// them.
func (s *Service) enrol(ctx context.Context, p *rbac.Principal, scope rbac.Scope, pr *Program, people []Person, source string) (int, error) {
	if len(people) == 0 {
		return 0, nil
	}
	for _, person := range people {
		if !scope.All && !scope.CoversDepartment(person.DepartmentID) {
			return 0, errs.InvalidField("employeeIds", "training.out_of_scope", errs.Params{"name": person.Name})
		}
	}
	already, err := s.store.EnrolledEmployees(ctx, pr.ID)
	if err != nil {
		return 0, err
	}
	mods, err := s.store.ModulesByID(ctx, pr.ModuleIDs)
	if err != nil {
		return 0, err
	}
	counts, err := s.store.MaterialCounts(ctx, pr.ModuleIDs)
	if err != nil {
		return 0, err
	}
	today := s.today(ctx)
	now := s.nowUTC()
	due := pr.EndDate
	if pr.DeadlineDays > 0 {
		due = today.AddDays(pr.DeadlineDays)
		if !pr.StartDate.IsZero() && today.Before(pr.StartDate) {
			due = pr.StartDate.AddDays(pr.DeadlineDays)
		}
	}
	var ens []Enrollment
	var rows []Progress
	var users []ids.ID
	for _, person := range people {
		if already[person.EmployeeID] {
			continue
		}
		already[person.EmployeeID] = true
		e := Enrollment{TenantID: pr.TenantID, ID: ids.New(), ProgramID: pr.ID, EmployeeID: person.EmployeeID, EmployeeName: person.Name,
			DepartmentID: person.DepartmentID, Source: source, State: EnrollAssigned, AssignedOn: today, DueDate: due,
			ModulesTotal: len(mods), CreatedAt: now, UpdatedAt: now}
		ens = append(ens, e)
		for _, m := range mods {
			pg := Progress{TenantID: pr.TenantID, EnrollmentID: e.ID, ModuleID: m.ID, ProgramID: pr.ID, EmployeeID: person.EmployeeID,
				MaterialsTotal: counts[m.ID], BestScore: -1, HomeworkScore: -1, UpdatedAt: now}
			if m.TestEnabled {
				pg.TestState = TestPending
			}
			if m.HomeworkEnabled {
				pg.HomeworkState = HomeworkPending
				pg.HomeworkDue = due
				if m.HomeworkDueDays > 0 {
					pg.HomeworkDue = today.AddDays(m.HomeworkDueDays)
				}
			}
			rows = append(rows, pg)
		}
		if person.UserID != 0 {
			users = append(users, person.UserID)
		}
	}
	if len(ens) == 0 {
		return 0, nil
	}
	if err := s.store.InsertEnrollments(ctx, ens); err != nil {
		return 0, err
	}
	if err := s.store.InsertProgress(ctx, rows); err != nil {
		return 0, err
	}
	if err := s.record(ctx, "enroll", ObjectProgram, pr.ID, map[string]any{"added": len(ens), "source": source}); err != nil {
		return 0, err
	}
	params := map[string]any{"program": pr.Title, "due": ""}
	if !due.IsZero() {
		params["due"] = due.String()
	}
	if err := s.notify(ctx, Notice{Recipients: users, Template: TemplateAssigned, ObjectID: pr.ID, Params: params,
		Link: "/learn", Key: "training.assigned:" + pr.ID.String()}); err != nil {
		return 0, err
	}
	if len(users) > 0 {
		if err := s.fulfil(ctx, dutyEvent{ProgramID: pr.ID, Kind: DutyNotify, How: "notification_sent", Actor: p}); err != nil {
			return 0, err
		}
	}
	return len(ens), nil
}
