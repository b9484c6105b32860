package training

import (
	"context"
	"io"
	"strconv"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/files"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/validate"
)

// MaxHomeworkBytes bounds one file handed in with homework.
const MaxHomeworkBytes = 20 << 20

// HomeworkInput is a hand-in: text and files uploaded before.
type HomeworkInput struct {
	Body    string   `json:"body,omitempty" required:"false" maxLength:"20000"`
	FileIDs []ids.ID `json:"fileIds,omitempty" required:"false" maxItems:"10"`
}

// UploadHomeworkFile stores a file the caller will hand in (documents,
// images, text such as a Python script).
func (s *Service) UploadHomeworkFile(ctx context.Context, name string, r io.Reader) (*files.File, error) {
	if _, err := learner(ctx); err != nil {
		return nil, err
	}
	return s.files.Put(ctx, name, r, files.Limits{MaxBytes: MaxHomeworkBytes, Kinds: []files.Kind{files.PDF, files.Office, files.Image, files.Text}})
}

// SubmitHomework hands in (or replaces, until graded) the caller's
// homework for a module.
func (s *Service) SubmitHomework(ctx context.Context, moduleID ids.ID, in HomeworkInput) (*Homework, error) {
	p, err := learner(ctx)
	if err != nil {
		return nil, err
	}
	var f errs.Fields
	validate.Prose(&f, "body", &in.Body, 20000, false)
	f.Check(in.Body != "" || len(in.FileIDs) > 0, "body", "required")
	f.Check(len(in.FileIDs) <= 10, "fileIds", "too_long", errs.Params{"max": 10})
	if err := f.Err(); err != nil {
		return nil, err
	}
	for _, id := range in.FileIDs {
		_, file, err := s.files.Open(ctx, id)
		if err != nil || file.CreatedBy != p.UserID {
			return nil, errs.InvalidField("fileIds", "training.file_not_yours")
		}
	}
	var out *Homework
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		rows, err := s.store.ProgressOf(ctx, p.EmployeeID, moduleID)
		if err != nil {
			return err
		}
		m, err := s.store.Module(ctx, moduleID)
		if err != nil && errs.KindOf(err) != errs.NotFound {
			return err
		}
		if len(rows) == 0 || m == nil || !m.HomeworkEnabled {
			return errs.E(errs.NotFound, "training.homework_not_assigned")
		}
		now := s.nowUTC()
		hw, err := s.store.HomeworkOf(ctx, rows[0].EnrollmentID, moduleID)
		switch {
		case errs.KindOf(err) == errs.NotFound:
			hw = &Homework{TenantID: p.TenantID, ID: ids.New(), ModuleID: moduleID, EmployeeID: p.EmployeeID, EmployeeName: actorName(p),
				EnrollmentID: rows[0].EnrollmentID, Score: -1, Version: 1}
			if person, err := s.people.Person(ctx, p.EmployeeID); err == nil {
				hw.EmployeeName = person.Name
			}
		case err != nil:
			return err
		case hw.State == HomeworkGraded:
			return errs.E(errs.Conflict, "training.homework_graded")
		default:
			hw.Version++
		}
		hw.State, hw.Body, hw.FileIDs, hw.SubmittedAt = HomeworkSubmitted, in.Body, in.FileIDs, now
		if hw.FileIDs == nil {
			hw.FileIDs = []ids.ID{}
		}
		if err := s.store.SaveHomework(ctx, hw); err != nil {
			return err
		}
		out = hw
		if err := s.updateProgress(ctx, rows, now, func(pg *Progress) {
			if pg.HomeworkState != HomeworkGraded {
				pg.HomeworkState = HomeworkSubmitted
			}
		}); err != nil {
			return err
		}
		if err := s.store.ReopenDuties(ctx, DutyGrade, moduleID, now); err != nil {
			return err
		}
		// The reviewers learn there is work to grade.
		reviewers, err := s.reviewers(ctx, m)
		if err != nil {
			return err
		}
		return s.notify(ctx, Notice{Recipients: reviewers, Template: TemplateHomeworkSubmitted, ObjectID: hw.ID,
			Params: map[string]any{"module": m.Title, "employee": hw.EmployeeName}, Link: "/training/grading",
			Key: "training.homework:" + hw.ID.String() + ":" + strconv.Itoa(hw.Version)})
	})
	return out, err
}

// reviewers are the accounts that may grade a module's work.
func (s *Service) reviewers(ctx context.Context, m *Module) ([]ids.ID, error) {
	perm, dept := PermManageGeneral, ids.ID(0)
	if m.Kind == Professional {
		perm, dept = PermManageProfessional, m.OwnerDepartmentID
	}
	list, err := s.people.Holders(ctx, perm, dept)
	if err != nil {
		return nil, err
	}
	out := make([]ids.ID, 0, len(list))
	for _, a := range list {
		out = append(out, a.UserID)
	}
	return out, nil
}

// HomeworkGradeInput grades a hand-in.
type HomeworkGradeInput struct {
	Score   int    `json:"score" minimum:"0" maximum:"100"`
	Comment string `json:"comment,omitempty" required:"false" maxLength:"2000"`
}

// GradeHomework scores a hand-in: a reviewer of the module's owners.
func (s *Service) GradeHomework(ctx context.Context, id ids.ID, in HomeworkGradeInput) (*Homework, error) {
	p, _, err := rbac.Require(ctx, PermGrade)
	if err != nil {
		return nil, err
	}
	var f errs.Fields
	f.Check(in.Score >= 0 && in.Score <= 100, "score", "out_of_range", errs.Params{"min": 0, "max": 100})
	validate.Prose(&f, "comment", &in.Comment, 2000, false)
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out *Homework
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		hw, err := s.store.Homework(ctx, id)
		if err != nil {
			return err
		}
		m, err := s.module(ctx, hw.ModuleID)
		if err != nil {
			return err
		}
		if err := canEdit(p, m); err != nil {
			return err
		}
		now := s.nowUTC()
		hw.State, hw.Score, hw.Comment, hw.GradedBy, hw.GraderName, hw.GradedAt = HomeworkGraded, in.Score, in.Comment, p.UserID, actorName(p), now
		hw.Version++
		if err := s.store.SaveHomework(ctx, hw); err != nil {
			return err
		}
		if err := s.record(ctx, "grade", ObjectHomework, hw.ID, map[string]any{"score": hw.Score}); err != nil {
			return err
		}
		rows, err := s.store.ProgressOf(ctx, hw.EmployeeID, hw.ModuleID)
		if err != nil {
			return err
		}
		if err := s.updateProgress(ctx, rows, now, func(pg *Progress) {
			pg.HomeworkState, pg.HomeworkScore = HomeworkGraded, hw.Score
		}); err != nil {
			return err
		}
		out = hw
		if err := s.fulfilGrading(ctx, m.ID, p); err != nil {
			return err
		}
		user, err := s.accountOf(ctx, hw.EmployeeID)
		if err != nil || user == 0 {
			return err
		}
		return s.notify(ctx, Notice{Recipients: []ids.ID{user}, Template: TemplateHomeworkGraded, ObjectID: hw.ID,
			Params: map[string]any{"module": m.Title, "score": hw.Score}, Link: "/learn/modules/" + m.ID.String(),
			Key: "training.homework_graded:" + hw.ID.String() + ":" + strconv.Itoa(hw.Version)})
	})
	return out, err
}

// GradingFilter narrows the reviewer's queue.
type GradingFilter struct {
	ModuleID   ids.ID
	State      string // submitted (default) | graded
	Page, Size int
}

// GradingItem is one piece of work to grade: homework or an attempt with
// short answers.
type GradingItem struct {
	Kind         string    `json:"kind" enum:"homework,attempt"`
	ID           ids.ID    `json:"id"`
	ModuleID     ids.ID    `json:"moduleId"`
	ModuleTitle  string    `json:"moduleTitle"`
	EmployeeID   ids.ID    `json:"employeeId"`
	EmployeeName string    `json:"employeeName"`
	SubmittedAt  string    `json:"submittedAt"`
	State        string    `json:"state"`
	Score        int       `json:"score"`
	Homework     *Homework `json:"homework,omitempty"`
}

// Grading lists the work waiting for the caller: hand-ins and short
// answers of modules the caller may edit.
func (s *Service) Grading(ctx context.Context, f GradingFilter) ([]GradingItem, int, error) {
	p, _, err := rbac.Require(ctx, PermGrade)
	if err != nil {
		return nil, 0, err
	}
	edit := editableFilter(p, ModuleFilter{}).Edit
	return s.store.Grading(ctx, *edit, f)
}
