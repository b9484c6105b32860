package training

import (
	"context"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/validate"
)

// Task is one of the caller's enrollments with its modules.
type Task struct {
	Enrollment
	Modules []TaskModule `json:"modules"`
}

// TaskModule is a module of a task with the learner's progress.
type TaskModule struct {
	Module   ModuleRef `json:"module"`
	Progress Progress  `json:"progress"`
}

// MyTasks lists the caller's training: open programs first by deadline.
func (s *Service) MyTasks(ctx context.Context) ([]Task, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if p.EmployeeID == 0 {
		return []Task{}, nil // an account without a roster record has no training
	}
	ens, err := s.store.EmployeeEnrollments(ctx, p.EmployeeID)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.EmployeeProgress(ctx, p.EmployeeID)
	if err != nil {
		return nil, err
	}
	var mids []ids.ID
	for _, r := range rows {
		mids = append(mids, r.ModuleID)
	}
	mods, err := s.store.ModulesByID(ctx, uniqueIDs(mids))
	if err != nil {
		return nil, err
	}
	byID := map[ids.ID]*Module{}
	ptrs := make([]*Module, len(mods))
	for i := range mods {
		byID[mods[i].ID] = &mods[i]
		ptrs[i] = &mods[i]
	}
	if err := s.describe(ctx, ptrs...); err != nil {
		return nil, err
	}
	today := s.today(ctx)
	out := make([]Task, 0, len(ens))
	for _, e := range ens {
		enrollmentView(&e, today)
		t := Task{Enrollment: e, Modules: []TaskModule{}}
		for _, r := range rows {
			if r.EnrollmentID == e.ID && byID[r.ModuleID] != nil {
				t.Modules = append(t.Modules, TaskModule{Module: ref(byID[r.ModuleID]), Progress: r})
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// LearnMaterial is a material with the learner's viewing progress.
type LearnMaterial struct {
	Material
	View *View `json:"view"`
}

// LearnModule is a module as its learner sees it.
type LearnModule struct {
	Module    ModuleRef       `json:"module"`
	Brief     string          `json:"description"`
	Homework  *Homework       `json:"homework"`
	HomeBrief string          `json:"homeworkBrief"`
	Test      *TestInfo       `json:"test"`
	Materials []LearnMaterial `json:"materials"`
	Progress  Progress        `json:"progress"`
	Attempts  []Attempt       `json:"attempts"`
}

// TestInfo is a module's test settings as the learner sees them.
type TestInfo struct {
	Questions        int `json:"questions"`
	PassMark         int `json:"passMark"`
	TimeLimitMinutes int `json:"timeLimitMinutes"`
	MaxAttempts      int `json:"maxAttempts"`
}

// MyModule reads one of the caller's modules with materials, progress,
// homework and attempts.
func (s *Service) MyModule(ctx context.Context, moduleID ids.ID) (*LearnModule, error) {
	p, err := learner(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.ProgressOf(ctx, p.EmployeeID, moduleID)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errs.NotFoundf("object.training_module")
	}
	m, err := s.module(ctx, moduleID)
	if err != nil {
		return nil, err
	}
	mats, err := s.store.Materials(ctx, moduleID)
	if err != nil {
		return nil, err
	}
	views, err := s.store.Views(ctx, p.EmployeeID, moduleID)
	if err != nil {
		return nil, err
	}
	out := &LearnModule{Module: ref(m), Brief: m.Description, Progress: rows[0], Materials: []LearnMaterial{}}
	for _, mt := range mats {
		lm := LearnMaterial{Material: mt}
		if v, ok := views[mt.ID]; ok {
			lm.View = &v
		}
		out.Materials = append(out.Materials, lm)
	}
	if m.TestEnabled {
		n := m.TestQuestions
		if n == 0 {
			if n, err = s.store.CountQuestions(ctx, m.ID); err != nil {
				return nil, err
			}
		}
		out.Test = &TestInfo{Questions: n, PassMark: m.PassMark, TimeLimitMinutes: m.TimeLimitMinutes, MaxAttempts: m.MaxAttempts}
		if out.Attempts, err = s.MyAttempts(ctx, moduleID); err != nil {
			return nil, err
		}
	}
	if out.Attempts == nil {
		out.Attempts = []Attempt{}
	}
	if m.HomeworkEnabled {
		out.HomeBrief = m.HomeworkBrief
		hw, err := s.store.HomeworkOf(ctx, rows[0].EnrollmentID, moduleID)
		if err != nil && errs.KindOf(err) != errs.NotFound {
			return nil, err
		}
		out.Homework = hw
	}
	return out, nil
}

// FeedbackInput is a learner's rating of a program.
type FeedbackInput struct {
	Rating  int    `json:"rating" minimum:"1" maximum:"5"`
	Comment string `json:"comment,omitempty" required:"false" maxLength:"2000"`
}

// Feedback records the caller's rating of a program they are in.
func (s *Service) Feedback(ctx context.Context, enrollmentID ids.ID, in FeedbackInput) (*Enrollment, error) {
	p, err := learner(ctx)
	if err != nil {
		return nil, err
	}
	var f errs.Fields
	f.Check(in.Rating >= 1 && in.Rating <= 5, "rating", "out_of_range", errs.Params{"min": 1, "max": 5})
	validate.Prose(&f, "comment", &in.Comment, 2000, false)
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out *Enrollment
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		e, err := s.store.Enrollment(ctx, enrollmentID)
		if err != nil || e.EmployeeID != p.EmployeeID {
			return errs.NotFoundf("object.training_enrollment")
		}
		now := s.nowUTC()
		e.FeedbackRating, e.FeedbackComment, e.FeedbackAt, e.UpdatedAt = in.Rating, in.Comment, now, now
		if err := s.store.UpdateEnrollment(ctx, e); err != nil {
			return err
		}
		out = e
		return nil
	})
	return out, err
}

// scopeEmployee checks a reader may see an employee's training: their
// own, or within the scope of training.program.read.
func (s *Service) scopeEmployee(ctx context.Context, employeeID ids.ID) (Person, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return Person{}, err
	}
	person, err := s.people.Person(ctx, employeeID)
	if err != nil {
		return Person{}, err
	}
	if p.EmployeeID == employeeID {
		return person, nil
	}
	scope, ok := p.Scope(PermProgramRead)
	if !ok {
		return Person{}, errs.Denied(PermProgramRead)
	}
	if !scope.All && !scope.CoversDepartment(person.DepartmentID) {
		return Person{}, errs.NotFoundf("object.employee")
	}
	return person, nil
}
