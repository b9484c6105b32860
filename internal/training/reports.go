package training

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// enrollmentView derives an enrollment's lateness and average on a day.
func enrollmentView(e *Enrollment, today civil.Date) {
	if e.ScoreCount > 0 {
		e.AverageScore = math.Round(float64(e.ScoreSum)*10/float64(e.ScoreCount)) / 10
	}
	if e.State != EnrollCompleted && !e.DueDate.IsZero() && today.After(e.DueDate) {
		e.Overdue = true
		e.DaysLate = today.DaysSince(e.DueDate)
	}
}

// Dashboard is a program at a glance.
type Dashboard struct {
	Assigned       int           `json:"assigned"`
	NotStarted     int           `json:"notStarted"`
	InProgress     int           `json:"inProgress"`
	Completed      int           `json:"completed"`
	Overdue        int           `json:"overdue"`
	Failed         int           `json:"failed"`
	AverageScore   float64       `json:"averageScore"`
	CompletionRate float64       `json:"completionRate" doc:"percent"`
	Modules        []ModuleStats `json:"modules"`
	Duties         DutyCounts    `json:"duties"`
}

// ModuleStats is one module's results in a program.
type ModuleStats struct {
	ModuleID     ids.ID  `json:"moduleId" bun:"module_id"`
	Title        string  `json:"title" bun:"-"`
	Completed    int     `json:"completed" bun:"completed"`
	Passed       int     `json:"passed" bun:"passed"`
	ScoreSum     int     `json:"-" bun:"score_sum"`
	ScoreCount   int     `json:"-" bun:"score_count"`
	AverageScore float64 `json:"averageScore" bun:"-"`
}

// DutyCounts counts a matrix's lines by state.
type DutyCounts struct {
	Open    int `json:"open"`
	Overdue int `json:"overdue"`
	Done    int `json:"done"`
}

// StateCounts are a program's enrollments by state (the store's answer).
type StateCounts struct {
	Assigned, InProgress, Completed, Failed, Overdue int
	ScoreSum, ScoreCount                             int
}

// ReviewThrottle is how often opening a dashboard counts again as HR
// reviewing progress.
const ReviewThrottle = time.Hour

// Dashboard summarises a program. When HR (a program manager) opens it,
// that is the event proving HR reviewed progress.
func (s *Service) Dashboard(ctx context.Context, programID ids.ID) (*Dashboard, error) {
	p, scope, err := rbac.Require(ctx, PermProgramRead)
	if err != nil {
		return nil, err
	}
	pr, err := s.store.Program(ctx, programID)
	if err != nil {
		return nil, err
	}
	today := s.today(ctx)
	c, err := s.store.ProgramStats(ctx, programID, today, scopeDepartments(scope))
	if err != nil {
		return nil, err
	}
	d := &Dashboard{Assigned: c.Assigned + c.InProgress + c.Completed + c.Failed, NotStarted: c.Assigned, InProgress: c.InProgress,
		Completed: c.Completed, Failed: c.Failed, Overdue: c.Overdue}
	if c.ScoreCount > 0 {
		d.AverageScore = math.Round(float64(c.ScoreSum)*10/float64(c.ScoreCount)) / 10
	}
	if d.Assigned > 0 {
		d.CompletionRate = math.Round(float64(d.Completed)*1000/float64(d.Assigned)) / 10
	}
	stats, err := s.store.ModuleStats(ctx, programID, scopeDepartments(scope))
	if err != nil {
		return nil, err
	}
	mods, err := s.store.ModulesByID(ctx, pr.ModuleIDs)
	if err != nil {
		return nil, err
	}
	byID := map[ids.ID]ModuleStats{}
	for _, st := range stats {
		byID[st.ModuleID] = st
	}
	titles := map[ids.ID]string{}
	for _, m := range mods {
		titles[m.ID] = m.Title
	}
	d.Modules = []ModuleStats{}
	for _, id := range pr.ModuleIDs {
		st := byID[id]
		st.ModuleID, st.Title = id, titles[id]
		if st.ScoreCount > 0 {
			st.AverageScore = math.Round(float64(st.ScoreSum)*10/float64(st.ScoreCount)) / 10
		}
		d.Modules = append(d.Modules, st)
	}
	duties, err := s.store.Duties(ctx, programID)
	if err != nil {
		return nil, err
	}
	if p.Can(PermProgramManage) && !p.System && pr.State == ProgramActive {
		if err := s.reviewed(ctx, p, duties); err != nil {
			return nil, err
		}
		if duties, err = s.store.Duties(ctx, programID); err != nil {
			return nil, err
		}
	}
	loc := rbac.Zone(ctx)
	for i := range duties {
		dutyState(&duties[i], today, loc)
		switch duties[i].State {
		case DutyDone:
			d.Duties.Done++
		case DutyOverdue:
			d.Duties.Overdue++
		default:
			d.Duties.Open++
		}
	}
	return d, nil
}

// reviewed records HR's review of progress (at most once an hour).
func (s *Service) reviewed(ctx context.Context, p *rbac.Principal, duties []Duty) error {
	now := s.nowUTC()
	due := slices.ContainsFunc(duties, func(d Duty) bool {
		return d.Kind == DutyTrack && d.State == DutyOpen && now.Sub(d.LastDoneAt) > ReviewThrottle
	})
	if !due {
		return nil
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		return s.fulfil(ctx, dutyEvent{ProgramID: duties[0].ProgramID, Kind: DutyTrack, How: "progress_reviewed", Actor: p})
	})
}

// scopeDepartments is a read scope as a department filter (nil: all).
func scopeDepartments(scope rbac.Scope) []ids.ID {
	if scope.All {
		return nil
	}
	if len(scope.Departments) == 0 {
		return []ids.ID{-1}
	}
	return scope.Departments
}

// EnrollmentFilter narrows a program's enrollments or the overdue list.
type EnrollmentFilter struct {
	ProgramID    ids.ID
	EmployeeID   ids.ID
	Q            string
	State        string // a state, or "overdue"
	DepartmentID ids.ID
	Departments  []ids.ID // the read scope (nil: all); set by the service
	Today        civil.Date
	Page, Size   int
}

// Enrollments lists enrollments in the caller's scope.
func (s *Service) Enrollments(ctx context.Context, f EnrollmentFilter) ([]Enrollment, int, error) {
	_, scope, err := rbac.Require(ctx, PermProgramRead)
	if err != nil {
		return nil, 0, err
	}
	f.Departments = scopeDepartments(scope)
	f.Today = s.today(ctx)
	list, total, err := s.store.Enrollments(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	return list, total, s.describeEnrollments(ctx, list, f.Today)
}

// EachEnrollment streams the enrollments of a filter (exports).
func (s *Service) EachEnrollment(ctx context.Context, f EnrollmentFilter, fn func(*Enrollment) error) error {
	_, scope, err := rbac.Require(ctx, PermProgramRead)
	if err != nil {
		return err
	}
	f.Departments = scopeDepartments(scope)
	f.Today = s.today(ctx)
	names := map[ids.ID]string{}
	return s.store.EachEnrollment(ctx, f, func(e *Enrollment) error {
		if _, ok := names[e.DepartmentID]; !ok && e.DepartmentID != 0 {
			m, err := s.people.DepartmentNames(ctx, []ids.ID{e.DepartmentID})
			if err != nil {
				return err
			}
			names[e.DepartmentID] = m[e.DepartmentID]
		}
		e.DepartmentName = names[e.DepartmentID]
		enrollmentView(e, f.Today)
		return fn(e)
	})
}

func (s *Service) describeEnrollments(ctx context.Context, list []Enrollment, today civil.Date) error {
	var depts []ids.ID
	for _, e := range list {
		depts = append(depts, e.DepartmentID)
	}
	names, err := s.people.DepartmentNames(ctx, uniqueIDs(depts))
	if err != nil {
		return err
	}
	for i := range list {
		list[i].DepartmentName = names[list[i].DepartmentID]
		enrollmentView(&list[i], today)
	}
	return nil
}

// AccountabilityFilter narrows the accountability report: a program's
// matrix with its learners' own duties, or everything about one employee.
type AccountabilityFilter struct {
	ProgramID  ids.ID
	EmployeeID ids.ID
	Party      string
	State      string // open | overdue | done | "" (all)
	Page, Size int
}

// Accountability lists every duty with its party, assignee, due date and
// state, so it shows at a glance who did not do their part. For a
// program: the matrix and each learner's duties (study, test, homework,
// feedback); for an employee: the duties of every program they are in
// and their own.
func (s *Service) Accountability(ctx context.Context, f AccountabilityFilter) ([]Duty, int, error) {
	_, scope, err := rbac.Require(ctx, PermProgramRead)
	if err != nil {
		return nil, 0, err
	}
	var rows []Duty
	switch {
	case f.EmployeeID != 0:
		if _, err := s.scopeEmployee(ctx, f.EmployeeID); err != nil {
			return nil, 0, err
		}
		ens, err := s.store.EmployeeEnrollments(ctx, f.EmployeeID)
		if err != nil {
			return nil, 0, err
		}
		for _, e := range ens {
			part, err := s.programDuties(ctx, e.ProgramID, &e, nil)
			if err != nil {
				return nil, 0, err
			}
			rows = append(rows, part...)
		}
	case f.ProgramID != 0:
		if rows, err = s.programDuties(ctx, f.ProgramID, nil, scopeDepartments(scope)); err != nil {
			return nil, 0, err
		}
	default:
		return []Duty{}, 0, nil
	}
	rows = slices.DeleteFunc(rows, func(d Duty) bool {
		return (f.Party != "" && d.Party != f.Party) || (f.State != "" && d.State != f.State)
	})
	total := len(rows)
	page, size := max(f.Page, 1), f.Size
	if size <= 0 {
		size = 20
	}
	lo := min((page-1)*size, total)
	hi := min(lo+size, total)
	return rows[lo:hi], total, nil
}

// EachAccountability streams the whole report (exports).
func (s *Service) EachAccountability(ctx context.Context, f AccountabilityFilter, fn func(*Duty) error) error {
	f.Page, f.Size = 1, math.MaxInt32
	rows, _, err := s.Accountability(ctx, f)
	if err != nil {
		return err
	}
	for i := range rows {
		if err := fn(&rows[i]); err != nil {
			return err
		}
	}
	return nil
}

// programDuties is a program's matrix plus its learners' duties (one
// learner when only is set; learners in depts when set).
func (s *Service) programDuties(ctx context.Context, programID ids.ID, only *Enrollment, depts []ids.ID) ([]Duty, error) {
	pr, err := s.store.Program(ctx, programID)
	if err != nil {
		return nil, err
	}
	list, err := s.store.Duties(ctx, programID)
	if err != nil {
		return nil, err
	}
	if err := s.describeDuties(ctx, pr, list); err != nil {
		return nil, err
	}
	today := s.today(ctx)
	var ens []Enrollment
	if only != nil {
		ens = []Enrollment{*only}
	} else {
		err := s.store.EachEnrollment(ctx, EnrollmentFilter{ProgramID: programID, Departments: depts, Today: today}, func(e *Enrollment) error {
			ens = append(ens, *e)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if len(ens) == 0 {
		return list, nil
	}
	progress, err := s.store.ProgramProgress(ctx, programID, employeesOf(ens))
	if err != nil {
		return nil, err
	}
	mods, err := s.store.ModulesByID(ctx, pr.ModuleIDs)
	if err != nil {
		return nil, err
	}
	titles := map[ids.ID]string{}
	for _, m := range mods {
		titles[m.ID] = m.Title
	}
	for _, e := range ens {
		list = append(list, learnerDuties(pr, &e, progress[e.ID], titles, today)...)
	}
	return list, nil
}

func employeesOf(ens []Enrollment) []ids.ID {
	out := make([]ids.ID, len(ens))
	for i, e := range ens {
		out[i] = e.EmployeeID
	}
	return out
}

// learnerDuties derives an employee's own duties from their progress:
// study each module's materials, pass its test, hand in its homework, and
// give feedback once done.
func learnerDuties(pr *Program, e *Enrollment, rows []Progress, titles map[ids.ID]string, today civil.Date) []Duty {
	var out []Duty
	add := func(kind string, moduleID ids.ID, done bool, doneAt time.Time, due civil.Date) {
		d := Duty{ProgramID: pr.ID, ProgramTitle: pr.Title, Party: PartyEmployee, Kind: kind, ModuleID: moduleID, ModuleTitle: titles[moduleID],
			EmployeeID: e.EmployeeID, EmployeeName: e.EmployeeName, AssigneeName: e.EmployeeName, DueDate: due, State: DutyOpen}
		if done {
			d.State, d.DoneAt, d.DoneHow = DutyDone, doneAt, "progress"
		}
		dutyState(&d, today, time.UTC)
		out = append(out, d)
	}
	for _, pg := range rows {
		studied := pg.MaterialsDone >= pg.MaterialsTotal
		add(DutyStudy, pg.ModuleID, studied, pg.UpdatedAt, e.DueDate)
		if pg.TestState != TestNone {
			add(DutyTest, pg.ModuleID, pg.TestState == TestPassed, pg.UpdatedAt, e.DueDate)
		}
		if pg.HomeworkState != HomeworkNone {
			add(DutyHomework, pg.ModuleID, pg.HomeworkState == HomeworkSubmitted || pg.HomeworkState == HomeworkGraded, pg.UpdatedAt, pg.HomeworkDue)
		}
	}
	if e.State == EnrollCompleted {
		add(DutyFeedback, 0, e.FeedbackRating > 0, e.FeedbackAt, civil.Of(e.CompletedAt).AddDays(7))
	}
	return out
}
