package training

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/validate"
)

// TrackEvery is how often HR is expected to review a program's progress.
const TrackEvery = 7

// Parties of each duty kind.
var dutyParty = map[string]string{
	DutyPlan: PartyHR, DutyNotify: PartyHR, DutyTrack: PartyHR, DutyCompile: PartyHR,
	DutyProvide: PartyDepartment, DutyCoach: PartyDepartment, DutyGrade: PartyDepartment, DutyAssess: PartyDepartment,
	DutyStudy: PartyEmployee, DutyHomework: PartyEmployee, DutyTest: PartyEmployee, DutyFeedback: PartyEmployee,
}

// defaultDuties adds the matrix lines a program's settings call for and
// that it does not have yet (by kind and module), so editing a program
// never duplicates or drops what HR adjusted by hand.
func (s *Service) defaultDuties(ctx context.Context, pr *Program, mods []Module, existing []Duty) error {
	has := func(kind string, module ids.ID) bool {
		return slices.ContainsFunc(existing, func(d Duty) bool { return d.Kind == kind && d.ModuleID == module })
	}
	start := pr.StartDate
	if start.IsZero() {
		start = s.today(ctx)
	}
	end := pr.EndDate
	if end.IsZero() {
		end = start.AddDays(max(pr.DeadlineDays, 7) + 7)
	}
	now := s.nowUTC()
	today := s.today(ctx)
	var out []Duty
	add := func(kind string, m *Module, title string, due civil.Date, every int) {
		if has(kind, idOf(m)) {
			return
		}
		if due.Before(today) {
			// A program set up on (or after) its start: its preparations
			// are due now, not late from the start.
			due = today
		}
		d := Duty{TenantID: pr.TenantID, ID: ids.New(), ProgramID: pr.ID, Party: dutyParty[kind], Kind: kind, ModuleID: idOf(m),
			Title: title, DueDate: due, EveryDays: every, State: DutyOpen, Position: len(existing) + len(out), CreatedAt: now, UpdatedAt: now}
		if d.Party == PartyHR || m == nil || m.Kind == General {
			// HR owns general modules' content as well as the program.
			d.Party = PartyHR
			d.AssigneeID, d.AssigneeName = pr.OwnerUserID, pr.OwnerName
		} else {
			d.DepartmentID = m.OwnerDepartmentID
		}
		out = append(out, d)
	}
	add(DutyPlan, nil, "", start.AddDays(-1), 0)
	add(DutyNotify, nil, "", start, 0)
	add(DutyTrack, nil, "", start.AddDays(TrackEvery), TrackEvery)
	add(DutyCompile, nil, "", end.AddDays(3), 0)
	for i := range mods {
		m := &mods[i]
		add(DutyProvide, m, "", start.AddDays(-1), 0)
		if m.Kind == Professional {
			add(DutyCoach, m, "", end, 0)
			if m.TestEnabled {
				add(DutyAssess, m, "", end, 0)
			}
		}
		if m.HomeworkEnabled || hasShort(ctx, s, m) {
			add(DutyGrade, m, "", end.AddDays(2), 0)
		}
	}
	if len(out) == 0 {
		return nil
	}
	counts, err := s.store.MaterialCounts(ctx, pr.ModuleIDs)
	if err != nil {
		return err
	}
	owners := map[ids.ID]Account{}
	for i := range out {
		d := &out[i]
		if err := s.defaultAssignee(ctx, d, owners); err != nil {
			return err
		}
		// Materials already there prove the duty from the start.
		if d.Kind == DutyProvide && counts[d.ModuleID] > 0 {
			d.State, d.DoneAt, d.LastDoneAt, d.DoneHow = DutyDone, now, now, "material_uploaded"
		}
	}
	return s.store.InsertDuties(ctx, out)
}

// defaultAssignee gives a department's duty to its content owners (the
// first found; HR may reassign). owners caches the lookups.
func (s *Service) defaultAssignee(ctx context.Context, d *Duty, owners map[ids.ID]Account) error {
	if d.Party != PartyDepartment || d.AssigneeID != 0 {
		return nil
	}
	a, ok := owners[d.DepartmentID]
	if !ok {
		list, err := s.people.Holders(ctx, PermManageProfessional, d.DepartmentID)
		if err != nil {
			return err
		}
		if len(list) > 0 {
			a = list[0]
		}
		owners[d.DepartmentID] = a
	}
	d.AssigneeID, d.AssigneeName = a.UserID, a.Name
	return nil
}

func hasShort(ctx context.Context, s *Service, m *Module) bool {
	if !m.TestEnabled {
		return false
	}
	n, err := s.store.CountShortQuestions(ctx, m.ID)
	return err == nil && n > 0
}

func idOf(m *Module) ids.ID {
	if m == nil {
		return 0
	}
	return m.ID
}

// dutyEvent is something that happened which may prove duties done.
type dutyEvent struct {
	ProgramID ids.ID // 0: every program with the module
	Kind      string
	ModuleID  ids.ID
	Title     string // provide: the material's title
	How       string // the event code shown in the report
	Actor     *rbac.Principal
}

// fulfil marks the open duties an event proves done. A "provide" duty
// that names a material (《...》 in its title) needs a material of that
// title; otherwise any material of the module does. Recurring duties
// (tracking) record the time and stay due again after their interval.
func (s *Service) fulfil(ctx context.Context, ev dutyEvent) error {
	list, err := s.store.OpenDuties(ctx, ev.ProgramID, ev.Kind, ev.ModuleID)
	if err != nil {
		return err
	}
	now := s.nowUTC()
	for i := range list {
		d := &list[i]
		if d.Kind == DutyProvide {
			if want := namedMaterial(d.Title); want != "" && !strings.Contains(ev.Title, want) {
				continue
			}
		}
		d.DoneHow = ev.How
		if ev.Actor != nil {
			d.DoneBy, d.DoneByName = ev.Actor.UserID, actorName(ev.Actor)
		}
		d.LastDoneAt = now
		if d.EveryDays == 0 {
			d.State, d.DoneAt = DutyDone, now
		}
		d.UpdatedAt = now
		if err := s.store.UpdateDuty(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// namedMaterial is the title between 《》 in a duty's title.
func namedMaterial(title string) string {
	i := strings.Index(title, "《")
	j := strings.Index(title, "》")
	if i < 0 || j <= i {
		return ""
	}
	return strings.TrimSpace(title[i+len("《") : j])
}

// fulfilGrading marks a module's grading duties done once nothing of the
// module waits for a grade.
func (s *Service) fulfilGrading(ctx context.Context, moduleID ids.ID, p *rbac.Principal) error {
	n, err := s.store.CountUngraded(ctx, moduleID)
	if err != nil || n > 0 {
		return err
	}
	return s.fulfil(ctx, dutyEvent{Kind: DutyGrade, ModuleID: moduleID, How: "work_graded", Actor: p})
}

// DutyInput adds a duty to the matrix or changes one.
type DutyInput struct {
	Kind         string     `json:"kind" enum:"plan,notify,track,compile,provide,coach,grade,assess"`
	ModuleID     ids.ID     `json:"moduleId,omitempty" required:"false"`
	Title        string     `json:"title,omitempty" required:"false" maxLength:"200" doc:"e.g. 提供《项目实战案例》: a provide duty naming a material is fulfilled by a material of that title"`
	DepartmentID ids.ID     `json:"departmentId,omitempty" required:"false" doc:"department duties: the responsible department (default: the module's owner)"`
	AssigneeID   ids.ID     `json:"assigneeId,omitempty" required:"false" doc:"an account"`
	AssigneeName string     `json:"assigneeName,omitempty" required:"false" maxLength:"100"`
	DueDate      civil.Date `json:"dueDate,omitempty" required:"false"`
	EveryDays    int        `json:"everyDays,omitempty" required:"false" minimum:"0" maximum:"90"`
}

func (s *Service) checkDuty(ctx context.Context, pr *Program, in *DutyInput) (*Module, error) {
	var f errs.Fields
	party, ok := dutyParty[in.Kind]
	f.Check(ok && party != PartyEmployee, "kind", "invalid_choice")
	validate.Prose(&f, "title", &in.Title, 200, false)
	validate.Prose(&f, "assigneeName", &in.AssigneeName, 100, false)
	f.Check(in.DueDate.IsZero() || in.DueDate.Valid(), "dueDate", "invalid_date")
	f.Check(in.EveryDays >= 0 && in.EveryDays <= 90, "everyDays", "out_of_range", errs.Params{"min": 0, "max": 90})
	var m *Module
	if in.ModuleID != 0 {
		if !slices.Contains(pr.ModuleIDs, in.ModuleID) {
			f.Add("moduleId", "training.module_not_in_program")
		} else {
			var err error
			if m, err = s.store.Module(ctx, in.ModuleID); err != nil {
				return nil, err
			}
		}
	}
	if party == PartyDepartment && in.DepartmentID == 0 {
		if m != nil && m.Kind == Professional {
			in.DepartmentID = m.OwnerDepartmentID
		}
		f.Check(in.DepartmentID != 0, "departmentId", "required")
	}
	if party == PartyHR {
		in.DepartmentID = 0
	}
	return m, f.Err()
}

// AddDuty adds a line to a program's matrix.
func (s *Service) AddDuty(ctx context.Context, programID ids.ID, in DutyInput) (*Duty, error) {
	p, _, err := rbac.Require(ctx, PermProgramManage)
	if err != nil {
		return nil, err
	}
	var out *Duty
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		pr, err := s.store.Program(ctx, programID)
		if err != nil {
			return err
		}
		if _, err := s.checkDuty(ctx, pr, &in); err != nil {
			return err
		}
		list, err := s.store.Duties(ctx, pr.ID)
		if err != nil {
			return err
		}
		now := s.nowUTC()
		d := &Duty{TenantID: p.TenantID, ID: ids.New(), ProgramID: pr.ID, Party: dutyParty[in.Kind], State: DutyOpen, Position: len(list),
			CreatedAt: now, UpdatedAt: now}
		applyDuty(d, in)
		if err := s.defaultAssignee(ctx, d, map[ids.ID]Account{}); err != nil {
			return err
		}
		if err := s.store.InsertDuties(ctx, []Duty{*d}); err != nil {
			return err
		}
		out = d
		return s.record(ctx, "create", ObjectDuty, d.ID, d)
	})
	return out, err
}

func applyDuty(d *Duty, in DutyInput) {
	d.Kind, d.ModuleID, d.Title, d.DepartmentID = in.Kind, in.ModuleID, in.Title, in.DepartmentID
	d.AssigneeID, d.AssigneeName, d.DueDate, d.EveryDays = in.AssigneeID, in.AssigneeName, in.DueDate, in.EveryDays
	d.Party = dutyParty[in.Kind]
}

// UpdateDuty changes a line of the matrix (assignee, due date, title).
func (s *Service) UpdateDuty(ctx context.Context, id ids.ID, in DutyInput) (*Duty, error) {
	if _, _, err := rbac.Require(ctx, PermProgramManage); err != nil {
		return nil, err
	}
	var out *Duty
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		d, err := s.store.Duty(ctx, id)
		if err != nil {
			return err
		}
		pr, err := s.store.Program(ctx, d.ProgramID)
		if err != nil {
			return err
		}
		if _, err := s.checkDuty(ctx, pr, &in); err != nil {
			return err
		}
		before := *d
		applyDuty(d, in)
		d.UpdatedAt = s.nowUTC()
		if err := s.store.UpdateDuty(ctx, d); err != nil {
			return err
		}
		out = d
		return s.record(ctx, "update", ObjectDuty, d.ID, map[string]any{"before": before.AssigneeName + " " + before.DueDate.String(),
			"after": d.AssigneeName + " " + d.DueDate.String()})
	})
	return out, err
}

// ConfirmInput confirms a duty by hand.
type ConfirmInput struct {
	Evidence string `json:"evidence" maxLength:"2000" doc:"what was done (e.g. coaching session on 3 Mar, notes attached)"`
	FileID   ids.ID `json:"fileId,omitempty" required:"false" doc:"an uploaded file as evidence"`
}

// ConfirmDuty marks a duty done by hand with evidence: its assignee, or
// HR.
func (s *Service) ConfirmDuty(ctx context.Context, id ids.ID, in ConfirmInput) (*Duty, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	var f errs.Fields
	validate.Prose(&f, "evidence", &in.Evidence, 2000, true)
	if err := f.Err(); err != nil {
		return nil, err
	}
	if in.FileID != 0 {
		if _, _, err := s.files.Open(ctx, in.FileID); err != nil {
			return nil, errs.InvalidField("fileId", "training.file_not_yours")
		}
	}
	var out *Duty
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		d, err := s.store.Duty(ctx, id)
		if err != nil {
			return err
		}
		if d.AssigneeID != p.UserID && !p.Can(PermProgramManage) {
			return errs.E(errs.Forbidden, "training.not_assignee")
		}
		now := s.nowUTC()
		d.DoneBy, d.DoneByName, d.DoneHow, d.Evidence, d.EvidenceFileID = p.UserID, actorName(p), ByManual, in.Evidence, in.FileID
		d.LastDoneAt = now
		if d.EveryDays == 0 {
			d.State, d.DoneAt = DutyDone, now
		}
		d.UpdatedAt = now
		if err := s.store.UpdateDuty(ctx, d); err != nil {
			return err
		}
		out = d
		return s.record(ctx, "confirm", ObjectDuty, d.ID, map[string]any{"evidence": in.Evidence})
	})
	return out, err
}

// Duties lists a program's matrix with each line's state as of today.
func (s *Service) Duties(ctx context.Context, programID ids.ID) ([]Duty, error) {
	if _, _, err := rbac.Require(ctx, PermProgramRead); err != nil {
		return nil, err
	}
	pr, err := s.store.Program(ctx, programID)
	if err != nil {
		return nil, err
	}
	list, err := s.store.Duties(ctx, programID)
	if err != nil {
		return nil, err
	}
	return list, s.describeDuties(ctx, pr, list)
}

// describeDuties names departments and modules and derives each line's
// state today: open past its due date is overdue; a recurring duty is
// overdue when its interval passed since it was last done.
func (s *Service) describeDuties(ctx context.Context, pr *Program, list []Duty) error {
	var depts, mids []ids.ID
	for _, d := range list {
		if d.DepartmentID != 0 {
			depts = append(depts, d.DepartmentID)
		}
		if d.ModuleID != 0 {
			mids = append(mids, d.ModuleID)
		}
	}
	names, err := s.people.DepartmentNames(ctx, depts)
	if err != nil {
		return err
	}
	mods, err := s.store.ModulesByID(ctx, uniqueIDs(mids))
	if err != nil {
		return err
	}
	titles := map[ids.ID]string{}
	for _, m := range mods {
		titles[m.ID] = m.Title
	}
	today := s.today(ctx)
	loc := rbac.Zone(ctx)
	for i := range list {
		d := &list[i]
		d.DepartmentName = names[d.DepartmentID]
		d.ModuleTitle = titles[d.ModuleID]
		d.ProgramTitle = pr.Title
		dutyState(d, today, loc)
	}
	return nil
}

// dutyState derives a line's state and lateness on a day.
func dutyState(d *Duty, today civil.Date, loc *time.Location) {
	if d.EveryDays > 0 {
		since := civil.Of(d.CreatedAt.In(loc))
		if !d.LastDoneAt.IsZero() {
			since = civil.Of(d.LastDoneAt.In(loc))
		}
		d.SinceDays = today.DaysSince(since)
		due := since.AddDays(d.EveryDays)
		if !d.DueDate.IsZero() && d.LastDoneAt.IsZero() {
			due = d.DueDate
		}
		d.DaysLate = max(0, today.DaysSince(due))
		if d.DaysLate > 0 {
			d.State = DutyOverdue
		} else if !d.LastDoneAt.IsZero() {
			d.State = DutyDone
		} else {
			d.State = DutyOpen
		}
		return
	}
	switch {
	case d.State == DutyDone:
		if !d.DueDate.IsZero() {
			d.DaysLate = max(0, civil.Of(d.DoneAt.In(loc)).DaysSince(d.DueDate))
		}
	case !d.DueDate.IsZero() && today.After(d.DueDate):
		d.State = DutyOverdue
		d.DaysLate = today.DaysSince(d.DueDate)
	}
}
