package training

import (
	"context"
	"time"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Store keeps the module's data; every method is scoped to the tenant of
// the principal in ctx. Not-found reads answer errs.NotFound.
type Store interface {
	SessionStore

	// Catalogue.
	InsertModule(ctx context.Context, m *Module) error
	UpdateModule(ctx context.Context, m *Module, prevVersion int) error // Conflict "stale" when the version moved
	Module(ctx context.Context, id ids.ID) (*Module, error)             // without the counts
	Modules(ctx context.Context, f ModuleFilter) ([]Module, int, error) // with the counts
	ModulesByID(ctx context.Context, ids []ids.ID) ([]Module, error)

	// Materials (deleted ones are left out of lists and counts).
	InsertMaterial(ctx context.Context, m *Material) error
	UpdateMaterial(ctx context.Context, m *Material) error
	Material(ctx context.Context, id ids.ID) (*Material, error)
	Materials(ctx context.Context, moduleID ids.ID) ([]Material, error) // with Current
	CountMaterials(ctx context.Context, moduleID ids.ID) (int, error)
	MaterialCounts(ctx context.Context, moduleIDs []ids.ID) (map[ids.ID]int, error)
	InsertMaterialVersion(ctx context.Context, v *MaterialVersion) error
	MaterialVersion(ctx context.Context, materialID ids.ID, version int) (*MaterialVersion, error)
	MaterialVersions(ctx context.Context, materialID ids.ID) ([]MaterialVersion, error) // newest first

	// Viewing.
	View(ctx context.Context, employeeID, materialID ids.ID) (*View, error)
	UpsertView(ctx context.Context, v *View) error
	Views(ctx context.Context, employeeID, moduleID ids.ID) (map[ids.ID]View, error)
	CountViewsDone(ctx context.Context, employeeID, moduleID ids.ID) (int, error) // of materials not deleted

	// Question bank. Questions with ids reads those (deleted or not) in
	// any order; without, the bank in order.
	InsertQuestion(ctx context.Context, q *Question) error
	UpdateQuestion(ctx context.Context, q *Question) error
	Question(ctx context.Context, id ids.ID) (*Question, error)
	Questions(ctx context.Context, moduleID ids.ID, ids []ids.ID) ([]Question, error)
	CountQuestions(ctx context.Context, moduleID ids.ID) (int, error)
	CountShortQuestions(ctx context.Context, moduleID ids.ID) (int, error)

	// Programs.
	InsertProgram(ctx context.Context, p *Program) error
	UpdateProgram(ctx context.Context, p *Program, prevVersion int) error
	Program(ctx context.Context, id ids.ID) (*Program, error)
	Programs(ctx context.Context, f ProgramFilter) ([]Program, int, error) // with Enrolled
	HirePrograms(ctx context.Context) ([]Program, error)                   // active, taking new hires

	// Enrollments and progress.
	InsertEnrollments(ctx context.Context, list []Enrollment) error
	InsertProgress(ctx context.Context, rows []Progress) error
	EnrolledEmployees(ctx context.Context, programID ids.ID) (map[ids.ID]bool, error)
	CountEnrolled(ctx context.Context, programID ids.ID) (int, error)
	Enrollment(ctx context.Context, id ids.ID) (*Enrollment, error)
	UpdateEnrollment(ctx context.Context, e *Enrollment) error
	FailEnrollment(ctx context.Context, id ids.ID, now time.Time) error
	EmployeeEnrollments(ctx context.Context, employeeID ids.ID) ([]Enrollment, error) // with ProgramTitle, programs not draft
	Enrollments(ctx context.Context, f EnrollmentFilter) ([]Enrollment, int, error)
	EachEnrollment(ctx context.Context, f EnrollmentFilter, fn func(*Enrollment) error) error
	DueEnrollments(ctx context.Context, from, to civil.Date) ([]Enrollment, error) // not completed, active programs, due in [from, to]
	ProgramStats(ctx context.Context, programID ids.ID, today civil.Date, depts []ids.ID) (StateCounts, error)
	ModuleStats(ctx context.Context, programID ids.ID, depts []ids.ID) ([]ModuleStats, error)
	ProgressOf(ctx context.Context, employeeID, moduleID ids.ID) ([]Progress, error) // in programs not draft
	UpdateProgress(ctx context.Context, p *Progress) error
	SetProgressTotals(ctx context.Context, moduleID ids.ID, materials int, test, homework bool, now time.Time) error
	EnrollmentProgress(ctx context.Context, enrollmentID ids.ID) ([]Progress, error)
	EmployeeProgress(ctx context.Context, employeeID ids.ID) ([]Progress, error)
	ProgramProgress(ctx context.Context, programID ids.ID, employeeIDs []ids.ID) (map[ids.ID][]Progress, error) // by enrollment
	FailedTests(ctx context.Context, day civil.Date) ([]Retake, error)
	EachRecordRow(ctx context.Context, f RecordFilter, fn func(*RecordRow) error) error

	// Bulk reads of test submissions handed in together.
	AttemptsByID(ctx context.Context, ids []ids.ID) ([]Attempt, error)
	QuestionsByID(ctx context.Context, ids []ids.ID) ([]Question, error)
	ProgressFor(ctx context.Context, pairs []EmployeeModule) ([]Progress, error) // in programs not draft
	EnrollmentsByID(ctx context.Context, ids []ids.ID) ([]Enrollment, error)
	ProgressOfEnrollments(ctx context.Context, ids []ids.ID) ([]Progress, error)
	// Bulk writes of a group: CloseAttempts closes attempts that must all
	// still be open (Conflict "stale" otherwise, writing nothing of the
	// group once the caller rolls back); the others record test results.
	CloseAttempts(ctx context.Context, list []Attempt) error
	UpdateTestProgress(ctx context.Context, rows []Progress) error
	UpdateSummaries(ctx context.Context, list []Enrollment) error

	// Attempts.
	InsertAttempt(ctx context.Context, a *Attempt) error
	Attempt(ctx context.Context, id ids.ID) (*Attempt, error)
	Attempts(ctx context.Context, employeeID, moduleID ids.ID) ([]Attempt, error) // newest first
	CountAttempts(ctx context.Context, employeeID, moduleID ids.ID) (int, error)
	CloseAttempt(ctx context.Context, a *Attempt) error // only an open one; Conflict "stale" otherwise
	GradeAttempt(ctx context.Context, a *Attempt) error // only one waiting for a grade

	// Homework.
	SaveHomework(ctx context.Context, h *Homework) error
	Homework(ctx context.Context, id ids.ID) (*Homework, error)
	HomeworkOf(ctx context.Context, enrollmentID, moduleID ids.ID) (*Homework, error)
	Grading(ctx context.Context, edit EditScope, f GradingFilter) ([]GradingItem, int, error)
	CountUngraded(ctx context.Context, moduleID ids.ID) (int, error)

	// Duties.
	InsertDuties(ctx context.Context, list []Duty) error
	UpdateDuty(ctx context.Context, d *Duty) error
	Duty(ctx context.Context, id ids.ID) (*Duty, error)
	Duties(ctx context.Context, programID ids.ID) ([]Duty, error)
	OpenDuties(ctx context.Context, programID ids.ID, kind string, moduleID ids.ID) ([]Duty, error) // programID/moduleID 0: any
	ReopenDuties(ctx context.Context, kind string, moduleID ids.ID, now time.Time) error
	DutiesDue(ctx context.Context, until civil.Date) ([]Duty, error) // open with a due date up to until, and recurring ones
}

// EmployeeModule names one learner's module.
type EmployeeModule struct {
	EmployeeID, ModuleID ids.ID
}
