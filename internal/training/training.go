// Package training runs the training module: a catalogue of general (HR's)
// and professional (a business department's) modules with materials,
// tests and homework; programs that assign modules to people with
// deadlines and a responsibility matrix; the learner's progress; and the
// reports that show from data who did and did not do their part.
package training

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Module kinds: who owns the content.
const (
	General      = "general"      // 通用: culture, rules, safety; owned by HR
	Professional = "professional" // 专业: product, skills; owned by one department
)

// Module is one unit of training: materials, an optional test, optional
// homework and credit hours.
type Module struct {
	bun.BaseModel `bun:"table:training_modules,alias:m"`

	TenantID          ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID                ids.ID    `bun:"id,pk" json:"id"`
	Title             string    `bun:"title" json:"title"`
	Kind              string    `bun:"kind" json:"kind" enum:"general,professional"`
	OwnerDepartmentID ids.ID    `bun:"owner_department_id,nullzero" json:"ownerDepartmentId"`
	Category          string    `bun:"category" json:"category"`
	Description       string    `bun:"description" json:"description"`
	CreditTenths      int       `bun:"credit_tenths" json:"-"`
	TestEnabled       bool      `bun:"test_enabled" json:"testEnabled"`
	TestQuestions     int       `bun:"test_questions" json:"testQuestions" doc:"questions drawn per attempt; 0 = the whole bank"`
	PassMark          int       `bun:"pass_mark" json:"passMark"`
	TimeLimitMinutes  int       `bun:"time_limit_minutes" json:"timeLimitMinutes" doc:"0 = no limit"`
	MaxAttempts       int       `bun:"max_attempts" json:"maxAttempts" doc:"0 = unlimited"`
	HomeworkEnabled   bool      `bun:"homework_enabled" json:"homeworkEnabled"`
	HomeworkBrief     string    `bun:"homework_brief" json:"homeworkBrief"`
	HomeworkDueDays   int       `bun:"homework_due_days" json:"homeworkDueDays" doc:"days after assignment; 0 = the program deadline"`
	Archived          bool      `bun:"archived" json:"archived"`
	Version           int       `bun:"version" json:"version"`
	CreatedBy         ids.ID    `bun:"created_by" json:"-"`
	CreatedAt         time.Time `bun:"created_at" json:"createdAt" audit:"-"`
	UpdatedAt         time.Time `bun:"updated_at" json:"updatedAt" audit:"-"`

	// Filled for views.
	CreditHours         float64 `bun:"-" json:"creditHours"`
	OwnerDepartmentName string  `bun:"-" json:"ownerDepartmentName"`
	MaterialCount       int     `bun:"material_count,scanonly" json:"materialCount"`
	QuestionCount       int     `bun:"question_count,scanonly" json:"questionCount"`
	CanEdit             bool    `bun:"-" json:"canEdit"`
}

// Material kinds.
const (
	MaterialFile = "file" // PDF, Office, image, MP4 in file storage
	MaterialLink = "link" // an address outside
	MaterialText = "text" // text written in Renshi
)

// Material is a named item of a module; its content has versions.
type Material struct {
	bun.BaseModel `bun:"table:training_materials,alias:mt"`

	TenantID       ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID             ids.ID    `bun:"id,pk" json:"id"`
	ModuleID       ids.ID    `bun:"module_id" json:"moduleId"`
	Title          string    `bun:"title" json:"title"`
	Kind           string    `bun:"kind" json:"kind" enum:"file,link,text"`
	Position       int       `bun:"position" json:"position"`
	CurrentVersion int       `bun:"current_version" json:"currentVersion"`
	Deleted        bool      `bun:"deleted" json:"-"`
	CreatedAt      time.Time `bun:"created_at" json:"createdAt" audit:"-"`
	UpdatedAt      time.Time `bun:"updated_at" json:"updatedAt" audit:"-"`

	Current *MaterialVersion `bun:"-" json:"current"`
}

// MaterialVersion is one upload of a material's content.
type MaterialVersion struct {
	bun.BaseModel `bun:"table:training_material_versions,alias:mv"`

	TenantID     ids.ID    `bun:"tenant_id,pk" json:"-"`
	MaterialID   ids.ID    `bun:"material_id,pk" json:"materialId"`
	Version      int       `bun:"version,pk" json:"version"`
	FileID       ids.ID    `bun:"file_id,nullzero" json:"fileId"`
	FileName     string    `bun:"file_name" json:"fileName"`
	ContentType  string    `bun:"content_type" json:"contentType"`
	Size         int64     `bun:"size" json:"size"`
	URL          string    `bun:"url" json:"url"`
	Body         string    `bun:"body" json:"body"`
	UploadedBy   ids.ID    `bun:"uploaded_by" json:"uploadedBy"`
	UploaderName string    `bun:"uploader_name" json:"uploaderName"`
	UploadedAt   time.Time `bun:"uploaded_at" json:"uploadedAt"`
}

// Question kinds.
const (
	Single    = "single"    // one option
	Multiple  = "multiple"  // every right option, no wrong one
	TrueFalse = "truefalse" // answer "true" or "false"
	Fill      = "fill"      // any accepted text
	Short     = "short"     // graded by a reviewer of the owning department
)

// QuestionKinds lists the kinds.
var QuestionKinds = []string{Single, Multiple, TrueFalse, Fill, Short}

// Question is one item of a module's question bank.
type Question struct {
	bun.BaseModel `bun:"table:training_questions,alias:q"`

	TenantID  ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID        ids.ID    `bun:"id,pk" json:"id"`
	ModuleID  ids.ID    `bun:"module_id" json:"moduleId"`
	Kind      string    `bun:"kind" json:"kind" enum:"single,multiple,truefalse,fill,short"`
	Stem      string    `bun:"stem" json:"stem"`
	Options   []string  `bun:"options,type:text" json:"options"`
	Answer    []string  `bun:"answer,type:text" json:"answer" doc:"choice: option indexes (\"0\", \"2\"); truefalse: \"true\"/\"false\"; fill: accepted texts; short: a reference answer for the reviewer"`
	Points    int       `bun:"points" json:"points"`
	Position  int       `bun:"position" json:"position"`
	Deleted   bool      `bun:"deleted" json:"-"`
	CreatedAt time.Time `bun:"created_at" json:"createdAt" audit:"-"`
	UpdatedAt time.Time `bun:"updated_at" json:"updatedAt" audit:"-"`
}

// Program states.
const (
	ProgramDraft  = "draft"
	ProgramActive = "active"
	ProgramClosed = "closed"
)

// Program assigns modules to an audience with deadlines and duties.
type Program struct {
	bun.BaseModel `bun:"table:training_programs,alias:p"`

	TenantID         ids.ID     `bun:"tenant_id,pk" json:"-"`
	ID               ids.ID     `bun:"id,pk" json:"id"`
	Title            string     `bun:"title" json:"title"`
	Description      string     `bun:"description" json:"description"`
	State            string     `bun:"state" json:"state" enum:"draft,active,closed"`
	ModuleIDs        []ids.ID   `bun:"module_ids,type:text" json:"moduleIds"`
	StartDate        civil.Date `bun:"start_date,nullzero,type:date" json:"startDate"`
	EndDate          civil.Date `bun:"end_date,nullzero,type:date" json:"endDate"`
	DeadlineDays     int        `bun:"deadline_days" json:"deadlineDays" doc:"complete within N days of assignment; 0 = by the end date"`
	Schedule         Schedule   `bun:"schedule,type:text" json:"schedule"`
	Audience         Audience   `bun:"audience,type:text" json:"audience"`
	HireDepartmentID ids.ID     `bun:"hire_department_id,nullzero" json:"-"`
	OwnerUserID      ids.ID     `bun:"owner_user_id" json:"ownerUserId"`
	OwnerName        string     `bun:"owner_name" json:"ownerName"`
	Version          int        `bun:"version" json:"version"`
	CreatedAt        time.Time  `bun:"created_at" json:"createdAt" audit:"-"`
	UpdatedAt        time.Time  `bun:"updated_at" json:"updatedAt" audit:"-"`

	Modules  []ModuleRef `bun:"-" json:"modules"`
	Enrolled int         `bun:"enrolled,scanonly" json:"enrolled"`
}

// ModuleRef names a module in a program.
type ModuleRef struct {
	ID                  ids.ID  `json:"id"`
	Title               string  `json:"title"`
	Kind                string  `json:"kind"`
	OwnerDepartmentID   ids.ID  `json:"ownerDepartmentId"`
	OwnerDepartmentName string  `json:"ownerDepartmentName"`
	CreditHours         float64 `json:"creditHours"`
	TestEnabled         bool    `json:"testEnabled"`
	HomeworkEnabled     bool    `json:"homeworkEnabled"`
}

// Schedule is when a program's classes meet: listed dates or a weekly
// recurrence (every Tuesday 14:00–16:00 for four weeks).
type Schedule struct {
	Dates  []civil.Date `json:"dates,omitempty" required:"false"`
	Weekly *Weekly      `json:"weekly,omitempty" required:"false"`
}

// Weekly is a weekly recurrence.
type Weekly struct {
	Weekday int        `json:"weekday" minimum:"0" maximum:"6" doc:"0 = Sunday"`
	Start   string     `json:"start" pattern:"^([01][0-9]|2[0-3]):[0-5][0-9]$" doc:"HH:MM"`
	End     string     `json:"end" pattern:"^([01][0-9]|2[0-3]):[0-5][0-9]$" doc:"HH:MM"`
	From    civil.Date `json:"from"`
	Weeks   int        `json:"weeks" minimum:"1" maximum:"52"`
}

// Occurrences lists the meeting days of a weekly schedule.
func (w *Weekly) Occurrences() []civil.Date {
	if w == nil || !w.From.Valid() {
		return nil
	}
	d := w.From
	for int(d.Weekday()) != w.Weekday {
		d = d.AddDays(1)
	}
	out := make([]civil.Date, 0, w.Weeks)
	for i := 0; i < w.Weeks; i++ {
		out = append(out, d.AddDays(7*i))
	}
	return out
}

// Audience is who a program is for.
type Audience struct {
	EmployeeIDs   []ids.ID `json:"employeeIds,omitempty" required:"false"`
	DepartmentIDs []ids.ID `json:"departmentIds,omitempty" required:"false" doc:"active employees of these departments and below"`
	// NewHiresOf enrols everyone the core HR module records as hired into
	// this department (or below) while the program is active.
	NewHiresOf ids.ID `json:"newHiresOf,omitempty" required:"false"`
}

// Enrollment states (overdue is derived: not completed after the due date).
const (
	EnrollAssigned   = "assigned"
	EnrollInProgress = "in_progress"
	EnrollCompleted  = "completed"
	EnrollFailed     = "failed" // a test's attempts are spent without a pass
	EnrollOverdue    = "overdue"
)

// Enrollment sources.
const (
	SourceManual     = "manual"
	SourceDepartment = "department"
	SourceHire       = "hire"
)

// Enrollment is one employee in one program.
type Enrollment struct {
	bun.BaseModel `bun:"table:training_enrollments,alias:en"`

	TenantID        ids.ID     `bun:"tenant_id,pk" json:"-"`
	ID              ids.ID     `bun:"id,pk" json:"id"`
	ProgramID       ids.ID     `bun:"program_id" json:"programId"`
	EmployeeID      ids.ID     `bun:"employee_id" json:"employeeId"`
	EmployeeName    string     `bun:"employee_name" json:"employeeName"`
	DepartmentID    ids.ID     `bun:"department_id,nullzero" json:"departmentId"`
	Source          string     `bun:"source" json:"source"`
	State           string     `bun:"state" json:"state"`
	AssignedOn      civil.Date `bun:"assigned_on,type:date" json:"assignedOn"`
	DueDate         civil.Date `bun:"due_date,nullzero,type:date" json:"dueDate"`
	ModulesTotal    int        `bun:"modules_total" json:"modulesTotal"`
	ModulesDone     int        `bun:"modules_done" json:"modulesDone"`
	ScoreSum        int        `bun:"score_sum" json:"-"`
	ScoreCount      int        `bun:"score_count" json:"-"`
	StartedAt       time.Time  `bun:"started_at,nullzero" json:"startedAt"`
	CompletedAt     time.Time  `bun:"completed_at,nullzero" json:"completedAt"`
	CertificateNo   string     `bun:"certificate_no" json:"certificateNo"`
	FeedbackRating  int        `bun:"feedback_rating" json:"feedbackRating"`
	FeedbackComment string     `bun:"feedback_comment" json:"feedbackComment"`
	FeedbackAt      time.Time  `bun:"feedback_at,nullzero" json:"feedbackAt"`
	CreatedAt       time.Time  `bun:"created_at" json:"createdAt"`
	UpdatedAt       time.Time  `bun:"updated_at" json:"updatedAt"`

	// Views.
	ProgramTitle   string  `bun:"program_title,scanonly" json:"programTitle"`
	DepartmentName string  `bun:"-" json:"departmentName"`
	AverageScore   float64 `bun:"-" json:"averageScore"`
	Overdue        bool    `bun:"-" json:"overdue"`
	DaysLate       int     `bun:"-" json:"daysLate"`
}

// Progress is one module of one enrollment.
type Progress struct {
	bun.BaseModel `bun:"table:training_progress,alias:pg"`

	TenantID       ids.ID     `bun:"tenant_id,pk" json:"-"`
	EnrollmentID   ids.ID     `bun:"enrollment_id,pk" json:"enrollmentId"`
	ModuleID       ids.ID     `bun:"module_id,pk" json:"moduleId"`
	ProgramID      ids.ID     `bun:"program_id" json:"programId"`
	EmployeeID     ids.ID     `bun:"employee_id" json:"employeeId"`
	MaterialsTotal int        `bun:"materials_total" json:"materialsTotal"`
	MaterialsDone  int        `bun:"materials_done" json:"materialsDone"`
	TestState      string     `bun:"test_state" json:"testState" doc:"'' (no test), pending, failed, grading, passed"`
	BestScore      int        `bun:"best_score" json:"bestScore" doc:"-1 before any graded attempt"`
	Attempts       int        `bun:"attempts" json:"attempts"`
	HomeworkState  string     `bun:"homework_state" json:"homeworkState" doc:"'' (no homework), pending, submitted, graded"`
	HomeworkScore  int        `bun:"homework_score" json:"homeworkScore"`
	HomeworkDue    civil.Date `bun:"homework_due,nullzero,type:date" json:"homeworkDue"`
	LastMaterialID ids.ID     `bun:"last_material_id" json:"lastMaterialId"`
	CompletedAt    time.Time  `bun:"completed_at,nullzero" json:"completedAt"`
	UpdatedAt      time.Time  `bun:"updated_at" json:"updatedAt"`
}

// Test states of a progress row.
const (
	TestNone    = ""
	TestPending = "pending"
	TestFailed  = "failed"
	TestGrading = "grading"
	TestPassed  = "passed"
)

// Homework states.
const (
	HomeworkNone      = ""
	HomeworkPending   = "pending"
	HomeworkSubmitted = "submitted"
	HomeworkGraded    = "graded"
)

// Done reports whether the module is complete for the learner: every
// material studied, the test passed, the homework handed in.
func (p *Progress) Done() bool {
	return p.MaterialsDone >= p.MaterialsTotal &&
		(p.TestState == TestNone || p.TestState == TestPassed) &&
		(p.HomeworkState == HomeworkNone || p.HomeworkState == HomeworkSubmitted || p.HomeworkState == HomeworkGraded)
}

// View is an employee's viewing progress on a material.
type View struct {
	bun.BaseModel `bun:"table:training_views,alias:v"`

	TenantID     ids.ID    `bun:"tenant_id,pk" json:"-"`
	EmployeeID   ids.ID    `bun:"employee_id,pk" json:"employeeId"`
	MaterialID   ids.ID    `bun:"material_id,pk" json:"materialId"`
	ModuleID     ids.ID    `bun:"module_id" json:"moduleId"`
	Version      int       `bun:"version" json:"version"`
	OpenedAt     time.Time `bun:"opened_at" json:"openedAt"`
	LastAt       time.Time `bun:"last_at" json:"lastAt"`
	Seconds      int       `bun:"seconds" json:"seconds"`
	VideoPercent int       `bun:"video_percent" json:"videoPercent"`
	Position     int       `bun:"position" json:"position"`
	Done         bool      `bun:"done" json:"done"`
}

// Attempt states.
const (
	AttemptOpen    = "open"
	AttemptGrading = "grading" // short answers wait for a reviewer
	AttemptGraded  = "graded"
)

// Attempt is one sitting of a module's test. Every attempt is kept.
type Attempt struct {
	bun.BaseModel `bun:"table:training_attempts,alias:at"`

	TenantID     ids.ID              `bun:"tenant_id,pk" json:"-"`
	ID           ids.ID              `bun:"id,pk" json:"id"`
	ModuleID     ids.ID              `bun:"module_id" json:"moduleId"`
	EmployeeID   ids.ID              `bun:"employee_id" json:"employeeId"`
	EnrollmentID ids.ID              `bun:"enrollment_id" json:"enrollmentId"`
	Number       int                 `bun:"number" json:"number"`
	State        string              `bun:"state" json:"state" enum:"open,grading,graded"`
	QuestionIDs  []ids.ID            `bun:"question_ids,type:text" json:"questionIds"`
	Answers      map[string][]string `bun:"answers,type:text" json:"answers"`
	Results      map[string]int      `bun:"results,type:text" json:"results" doc:"points earned per question id"`
	Score        int                 `bun:"score" json:"score"`
	Passed       bool                `bun:"passed" json:"passed"`
	PassMark     int                 `bun:"pass_mark" json:"passMark"`
	StartedAt    time.Time           `bun:"started_at" json:"startedAt"`
	DeadlineAt   time.Time           `bun:"deadline_at,nullzero" json:"deadlineAt"`
	SubmittedAt  time.Time           `bun:"submitted_at,nullzero" json:"submittedAt"`
	Late         bool                `bun:"late" json:"late"`
	GradedBy     ids.ID              `bun:"graded_by" json:"gradedBy"`
	GradedAt     time.Time           `bun:"graded_at,nullzero" json:"gradedAt"`
}

// Homework is an employee's hand-in for a module.
type Homework struct {
	bun.BaseModel `bun:"table:training_homework,alias:hw"`

	TenantID     ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID           ids.ID    `bun:"id,pk" json:"id"`
	ModuleID     ids.ID    `bun:"module_id" json:"moduleId"`
	EmployeeID   ids.ID    `bun:"employee_id" json:"employeeId"`
	EmployeeName string    `bun:"employee_name" json:"employeeName"`
	EnrollmentID ids.ID    `bun:"enrollment_id" json:"enrollmentId"`
	State        string    `bun:"state" json:"state" enum:"submitted,graded"`
	Body         string    `bun:"body" json:"body"`
	FileIDs      []ids.ID  `bun:"file_ids,type:text" json:"fileIds"`
	SubmittedAt  time.Time `bun:"submitted_at" json:"submittedAt"`
	Score        int       `bun:"score" json:"score"`
	Comment      string    `bun:"comment" json:"comment"`
	GradedBy     ids.ID    `bun:"graded_by" json:"gradedBy"`
	GraderName   string    `bun:"grader_name" json:"graderName"`
	GradedAt     time.Time `bun:"graded_at,nullzero" json:"gradedAt"`
	Version      int       `bun:"version" json:"version"`

	ModuleTitle string `bun:"module_title,scanonly" json:"moduleTitle"`
}

// Duty parties.
const (
	PartyHR         = "hr"
	PartyDepartment = "department"
	PartyEmployee   = "employee"
)

// Duty kinds. HR: plan, notify, track, compile. The department: provide
// (a module's materials), coach, grade (homework and short answers),
// assess. The employee: study, homework, test, feedback (derived from
// each enrollment's progress, not stored).
const (
	DutyPlan     = "plan"
	DutyNotify   = "notify"
	DutyTrack    = "track"
	DutyCompile  = "compile"
	DutyProvide  = "provide"
	DutyCoach    = "coach"
	DutyGrade    = "grade"
	DutyAssess   = "assess"
	DutyStudy    = "study"
	DutyHomework = "homework"
	DutyTest     = "test"
	DutyFeedback = "feedback"
)

// Duty states (overdue is derived).
const (
	DutyOpen    = "open"
	DutyDone    = "done"
	DutyOverdue = "overdue"
)

// ByManual is how a duty confirmed by hand was fulfilled; otherwise
// DoneHow names the event that proved it ("material_uploaded", ...).
const ByManual = "manual"

// Duty is one line of a program's responsibility matrix.
type Duty struct {
	bun.BaseModel `bun:"table:training_duties,alias:d"`

	TenantID       ids.ID     `bun:"tenant_id,pk" json:"-"`
	ID             ids.ID     `bun:"id,pk" json:"id"`
	ProgramID      ids.ID     `bun:"program_id" json:"programId"`
	Party          string     `bun:"party" json:"party" enum:"hr,department,employee"`
	DepartmentID   ids.ID     `bun:"department_id,nullzero" json:"departmentId"`
	Kind           string     `bun:"kind" json:"kind"`
	ModuleID       ids.ID     `bun:"module_id" json:"moduleId"`
	Title          string     `bun:"title" json:"title"`
	AssigneeID     ids.ID     `bun:"assignee_id" json:"assigneeId"`
	AssigneeName   string     `bun:"assignee_name" json:"assigneeName"`
	DueDate        civil.Date `bun:"due_date,nullzero,type:date" json:"dueDate"`
	EveryDays      int        `bun:"every_days" json:"everyDays" doc:"recurring: done again every N days (HR reviews progress)"`
	State          string     `bun:"state" json:"state"`
	DoneAt         time.Time  `bun:"done_at,nullzero" json:"doneAt"`
	DoneBy         ids.ID     `bun:"done_by" json:"doneBy"`
	DoneByName     string     `bun:"done_by_name" json:"doneByName"`
	DoneHow        string     `bun:"done_how" json:"doneHow"`
	Evidence       string     `bun:"evidence" json:"evidence"`
	EvidenceFileID ids.ID     `bun:"evidence_file_id,nullzero" json:"evidenceFileId"`
	LastDoneAt     time.Time  `bun:"last_done_at,nullzero" json:"lastDoneAt"`
	Position       int        `bun:"position" json:"position"`
	CreatedAt      time.Time  `bun:"created_at" json:"createdAt"`
	UpdatedAt      time.Time  `bun:"updated_at" json:"updatedAt"`

	// Views.
	DepartmentName string `bun:"-" json:"departmentName"`
	DaysLate       int    `bun:"-" json:"daysLate" doc:"days past the due date (open) or done late"`
	SinceDays      int    `bun:"-" json:"sinceDays" doc:"recurring duties: days since last done"`
	ProgramTitle   string `bun:"-" json:"programTitle"`
	EmployeeID     ids.ID `bun:"-" json:"employeeId"`
	EmployeeName   string `bun:"-" json:"employeeName"`
	ModuleTitle    string `bun:"-" json:"moduleTitle"`
}
