package trainingapi

import (
	"context"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/files"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/web"
	"github.com/renshi/renshi/internal/training"
)

// ---- programs

type programsInput struct {
	web.PageQuery
	Q     string `query:"q" maxLength:"100"`
	State string `query:"state" enum:"draft,active,closed,"`
}

func (h *handlers) programs(ctx context.Context, in *programsInput) (*web.Body[*web.Page[training.Program]], error) {
	list, total, err := h.svc.Programs(ctx, training.ProgramFilter{Q: in.Q, State: in.State, Page: in.Page, Size: in.PageSize})
	return page(list, total, err, in.PageQuery)
}

type programBody struct{ Body training.ProgramInput }

func (h *handlers) createProgram(ctx context.Context, in *programBody) (*web.Body[*training.Program], error) {
	return reply(h.svc.CreateProgram(ctx, in.Body))
}

func (h *handlers) program(ctx context.Context, in *web.IDPath) (*web.Body[*training.Program], error) {
	return reply(h.svc.Program(ctx, in.ID))
}

type updateProgramInput struct {
	web.IDPath
	Body training.ProgramInput
}

func (h *handlers) updateProgram(ctx context.Context, in *updateProgramInput) (*web.Body[*training.Program], error) {
	return reply(h.svc.UpdateProgram(ctx, in.ID, in.Body))
}

func (h *handlers) activate(ctx context.Context, in *web.IDPath) (*web.Body[*training.Program], error) {
	return reply(h.svc.ActivateProgram(ctx, in.ID))
}

func (h *handlers) closeProgram(ctx context.Context, in *web.IDPath) (*web.Body[*training.Program], error) {
	return reply(h.svc.CloseProgram(ctx, in.ID))
}

type EnrollmentQuery struct {
	Q            string `query:"q" maxLength:"100"`
	State        string `query:"state" enum:"assigned,in_progress,completed,failed,overdue,"`
	DepartmentID ids.ID `query:"departmentId"`
}

type enrollmentsInput struct {
	web.IDPath
	web.PageQuery
	EnrollmentQuery
}

func (h *handlers) enrollments(ctx context.Context, in *enrollmentsInput) (*web.Body[*web.Page[training.Enrollment]], error) {
	list, total, err := h.svc.Enrollments(ctx, training.EnrollmentFilter{ProgramID: in.ID, Q: in.Q, State: in.State, DepartmentID: in.DepartmentID,
		Page: in.Page, Size: in.PageSize})
	return page(list, total, err, in.PageQuery)
}

type exportEnrollmentsInput struct {
	web.IDPath
	web.ExportQuery
	EnrollmentQuery
}

var enrollState = map[string]string{
	training.EnrollAssigned: "未开始", training.EnrollInProgress: "学习中", training.EnrollCompleted: "已完成", training.EnrollFailed: "未通过",
}

func enrollmentRow(e *training.Enrollment) []string {
	state := enrollState[e.State]
	if e.Overdue {
		state += "（逾期" + strconv.Itoa(e.DaysLate) + "天）"
	}
	return []string{e.ProgramTitle, e.EmployeeName, e.DepartmentName, state, e.AssignedOn.String(), e.DueDate.String(),
		strconv.Itoa(e.ModulesDone) + "/" + strconv.Itoa(e.ModulesTotal), num(e.AverageScore), e.CertificateNo}
}

var enrollmentHeader = []string{"培训项目", "姓名", "部门", "状态", "分配日期", "截止日期", "完成课程", "平均分", "证书编号"}

func (h *handlers) exportEnrollments(ctx context.Context, in *exportEnrollmentsInput) (*huma.StreamResponse, error) {
	f := training.EnrollmentFilter{ProgramID: in.ID, Q: in.Q, State: in.State, DepartmentID: in.DepartmentID}
	if _, err := h.svc.Program(ctx, in.ID); err != nil {
		return nil, err
	}
	return web.Download("培训学员", in.ExportQuery, "学员", func(ctx context.Context, w export.Writer) error {
		if err := w.Write(enrollmentHeader); err != nil {
			return err
		}
		return h.svc.EachEnrollment(ctx, f, func(e *training.Enrollment) error { return w.Write(enrollmentRow(e)) })
	}), nil
}

type enrollInput struct {
	web.IDPath
	Body training.EnrollInput
}

// EnrollResult counts the people added.
type EnrollResult struct {
	Added int `json:"added"`
}

func (h *handlers) enroll(ctx context.Context, in *enrollInput) (*web.Body[*EnrollResult], error) {
	n, err := h.svc.Enroll(ctx, in.ID, in.Body)
	if err != nil {
		return nil, err
	}
	return web.Reply(&EnrollResult{Added: n}), nil
}

func (h *handlers) dashboard(ctx context.Context, in *web.IDPath) (*web.Body[*training.Dashboard], error) {
	return reply(h.svc.Dashboard(ctx, in.ID))
}

func (h *handlers) duties(ctx context.Context, in *web.IDPath) (*web.Body[*Items[training.Duty]], error) {
	return items(h.svc.Duties(ctx, in.ID))
}

type dutyInput struct {
	web.IDPath
	Body training.DutyInput
}

func (h *handlers) addDuty(ctx context.Context, in *dutyInput) (*web.Body[*training.Duty], error) {
	return reply(h.svc.AddDuty(ctx, in.ID, in.Body))
}

func (h *handlers) updateDuty(ctx context.Context, in *dutyInput) (*web.Body[*training.Duty], error) {
	return reply(h.svc.UpdateDuty(ctx, in.ID, in.Body))
}

type confirmInput struct {
	web.IDPath
	Body training.ConfirmInput
}

func (h *handlers) confirmDuty(ctx context.Context, in *confirmInput) (*web.Body[*training.Duty], error) {
	return reply(h.svc.ConfirmDuty(ctx, in.ID, in.Body))
}

type AccountabilityQuery struct {
	ProgramID  ids.ID `query:"programId"`
	EmployeeID ids.ID `query:"employeeId"`
	Party      string `query:"party" enum:"hr,department,employee,"`
	State      string `query:"state" enum:"open,overdue,done,"`
}

func (q AccountabilityQuery) filter() training.AccountabilityFilter {
	return training.AccountabilityFilter{ProgramID: q.ProgramID, EmployeeID: q.EmployeeID, Party: q.Party, State: q.State}
}

type accountabilityInput struct {
	web.PageQuery
	AccountabilityQuery
}

func (h *handlers) accountability(ctx context.Context, in *accountabilityInput) (*web.Body[*web.Page[training.Duty]], error) {
	f := in.filter()
	f.Page, f.Size = in.Page, in.PageSize
	list, total, err := h.svc.Accountability(ctx, f)
	return page(list, total, err, in.PageQuery)
}

type exportAccountabilityInput struct {
	web.ExportQuery
	AccountabilityQuery
}

var partyZH = map[string]string{training.PartyHR: "人力资源部", training.PartyDepartment: "业务部门", training.PartyEmployee: "员工"}
var dutyStateZH = map[string]string{training.DutyOpen: "待完成", training.DutyOverdue: "已逾期", training.DutyDone: "已完成"}

func (h *handlers) exportAccountability(ctx context.Context, in *exportAccountabilityInput) (*huma.StreamResponse, error) {
	f := in.filter()
	// Refuse before the download starts (a started download cannot).
	if _, _, err := h.svc.Accountability(ctx, training.AccountabilityFilter{ProgramID: f.ProgramID, EmployeeID: f.EmployeeID, Page: 1, Size: 1}); err != nil {
		return nil, err
	}
	return web.Download("培训责任追踪", in.ExportQuery, "责任追踪", func(ctx context.Context, w export.Writer) error {
		if err := w.Write([]string{"培训项目", "责任方", "部门", "职责", "课程", "负责人", "截止日期", "状态", "逾期天数", "完成时间", "完成方式", "说明"}); err != nil {
			return err
		}
		return h.svc.EachAccountability(ctx, f, func(d *training.Duty) error {
			party := partyZH[d.Party]
			if d.Party == training.PartyDepartment && d.DepartmentName != "" {
				party = d.DepartmentName
			}
			done := ""
			if !d.DoneAt.IsZero() {
				done = d.DoneAt.Format("2006-01-02 15:04")
			}
			return w.Write([]string{d.ProgramTitle, party, d.DepartmentName, training.DutyTitle(d, "zh-CN"), d.ModuleTitle, d.AssigneeName,
				d.DueDate.String(), dutyStateZH[d.State], strconv.Itoa(d.DaysLate), done, d.DoneHow, d.Evidence})
		})
	}), nil
}

type OverdueQuery struct {
	Q            string `query:"q" maxLength:"100"`
	ProgramID    ids.ID `query:"programId"`
	DepartmentID ids.ID `query:"departmentId"`
}

type overdueInput struct {
	web.PageQuery
	OverdueQuery
}

func (h *handlers) overdue(ctx context.Context, in *overdueInput) (*web.Body[*web.Page[training.Enrollment]], error) {
	list, total, err := h.svc.Enrollments(ctx, training.EnrollmentFilter{ProgramID: in.ProgramID, Q: in.Q, DepartmentID: in.DepartmentID,
		State: training.EnrollOverdue, Page: in.Page, Size: in.PageSize})
	return page(list, total, err, in.PageQuery)
}

type exportOverdueInput struct {
	web.ExportQuery
	OverdueQuery
}

func (h *handlers) exportOverdue(ctx context.Context, in *exportOverdueInput) (*huma.StreamResponse, error) {
	f := training.EnrollmentFilter{ProgramID: in.ProgramID, Q: in.Q, DepartmentID: in.DepartmentID, State: training.EnrollOverdue}
	return web.Download("培训逾期名单", in.ExportQuery, "逾期", func(ctx context.Context, w export.Writer) error {
		if err := w.Write(enrollmentHeader); err != nil {
			return err
		}
		return h.svc.EachEnrollment(ctx, f, func(e *training.Enrollment) error { return w.Write(enrollmentRow(e)) })
	}), nil
}

func (h *handlers) record(ctx context.Context, in *web.IDPath) (*web.Body[*training.Record], error) {
	return reply(h.svc.EmployeeRecord(ctx, in.ID))
}

type exportRecordsInput struct {
	web.ExportQuery
	ProgramID    ids.ID `query:"programId"`
	DepartmentID ids.ID `query:"departmentId"`
	EmployeeID   ids.ID `query:"employeeId"`
}

var testStateZH = map[string]string{training.TestPending: "未考", training.TestFailed: "未通过", training.TestGrading: "待评阅", training.TestPassed: "通过"}
var homeworkStateZH = map[string]string{training.HomeworkPending: "未交", training.HomeworkSubmitted: "已交待批", training.HomeworkGraded: "已批改"}

func score(n int) string {
	if n < 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func (h *handlers) exportRecords(ctx context.Context, in *exportRecordsInput) (*huma.StreamResponse, error) {
	f := training.RecordFilter{ProgramID: in.ProgramID, DepartmentID: in.DepartmentID, EmployeeID: in.EmployeeID}
	return web.Download("培训档案", in.ExportQuery, "培训档案", func(ctx context.Context, w export.Writer) error {
		return WriteRecords(ctx, h.svc, f, w)
	}), nil
}

// WriteRecords writes the training record export (also the benchmark's).
func WriteRecords(ctx context.Context, svc *training.Service, f training.RecordFilter, w export.Writer) error {
	if err := w.Write([]string{"姓名", "部门", "培训项目", "课程", "类型", "学时", "资料进度", "考试", "最高分", "考试次数", "作业", "作业得分", "完成时间"}); err != nil {
		return err
	}
	return svc.EachRecordRow(ctx, f, func(r *training.RecordRow) error {
		kind := "通用"
		if r.Kind == training.Professional {
			kind = "专业"
		}
		done := ""
		if !r.CompletedAt.IsZero() {
			done = r.CompletedAt.Format("2006-01-02")
		}
		return w.Write([]string{r.EmployeeName, r.DepartmentName, r.ProgramTitle, r.ModuleTitle, kind, num(r.CreditHours),
			strconv.Itoa(r.MaterialsDone) + "/" + strconv.Itoa(r.MaterialsTotal), testStateZH[r.TestState], score(r.BestScore),
			strconv.Itoa(r.Attempts), homeworkStateZH[r.HomeworkState], score(r.HomeworkScore), done})
	})
}

// ---- grading

type gradingInput struct {
	web.PageQuery
	State    string `query:"state" enum:"submitted,graded,"`
	ModuleID ids.ID `query:"moduleId"`
}

func (h *handlers) grading(ctx context.Context, in *gradingInput) (*web.Body[*web.Page[training.GradingItem]], error) {
	list, total, err := h.svc.Grading(ctx, training.GradingFilter{State: in.State, ModuleID: in.ModuleID, Page: in.Page, Size: in.PageSize})
	return page(list, total, err, in.PageQuery)
}

type gradeAttemptInput struct {
	web.IDPath
	Body training.GradeInput
}

func (h *handlers) gradeAttempt(ctx context.Context, in *gradeAttemptInput) (*web.Body[*training.Attempt], error) {
	return reply(h.svc.GradeAttempt(ctx, in.ID, in.Body))
}

type gradeHomeworkInput struct {
	web.IDPath
	Body training.HomeworkGradeInput
}

func (h *handlers) gradeHomework(ctx context.Context, in *gradeHomeworkInput) (*web.Body[*training.Homework], error) {
	return reply(h.svc.GradeHomework(ctx, in.ID, in.Body))
}

// ---- learning center

func (h *handlers) myTasks(ctx context.Context, _ *struct{}) (*web.Body[*Items[training.Task]], error) {
	return items(h.svc.MyTasks(ctx))
}

func (h *handlers) myModule(ctx context.Context, in *web.IDPath) (*web.Body[*training.LearnModule], error) {
	return reply(h.svc.MyModule(ctx, in.ID))
}

type viewInput struct {
	web.IDPath
	Body training.ViewInput
}

func (h *handlers) view(ctx context.Context, in *viewInput) (*web.Body[*training.View], error) {
	return reply(h.svc.RecordView(ctx, in.ID, in.Body))
}

func (h *handlers) startAttempt(ctx context.Context, in *web.IDPath) (*web.Body[*training.Paper], error) {
	return reply(h.svc.StartAttempt(ctx, in.ID))
}

func (h *handlers) paper(ctx context.Context, in *web.IDPath) (*web.Body[*training.Paper], error) {
	return reply(h.svc.Paper(ctx, in.ID))
}

// SubmitBody is a learner's answers.
type SubmitBody struct {
	Answers map[string][]string `json:"answers" doc:"question id → chosen option keys, \"true\"/\"false\", or the text"`
}

type submitInput struct {
	web.IDPath
	Body SubmitBody
}

func (h *handlers) submit(ctx context.Context, in *submitInput) (*web.Body[*training.Attempt], error) {
	return reply(h.svc.SubmitAttempt(ctx, in.ID, in.Body.Answers))
}

// TrainingFileForm is a file handed in with homework.
type TrainingFileForm struct {
	File huma.FormFile `form:"file" contentType:"application/octet-stream" required:"true" doc:"PDF, Office, image or text, at most 20 MiB"`
}

type uploadFileInput struct {
	RawBody huma.MultipartFormFiles[TrainingFileForm]
}

func (h *handlers) uploadFile(ctx context.Context, in *uploadFileInput) (*web.Body[*files.File], error) {
	form := in.RawBody.Data()
	if form == nil || !form.File.IsSet {
		return nil, errs.InvalidField("file", "required")
	}
	defer form.File.Close()
	return reply(h.svc.UploadHomeworkFile(ctx, form.File.Filename, form.File))
}

type homeworkInput struct {
	web.IDPath
	Body training.HomeworkInput
}

func (h *handlers) submitHomework(ctx context.Context, in *homeworkInput) (*web.Body[*training.Homework], error) {
	return reply(h.svc.SubmitHomework(ctx, in.ID, in.Body))
}

type feedbackInput struct {
	web.IDPath
	Body training.FeedbackInput
}

func (h *handlers) feedback(ctx context.Context, in *feedbackInput) (*web.Body[*training.Enrollment], error) {
	return reply(h.svc.Feedback(ctx, in.ID, in.Body))
}

func (h *handlers) myRecord(ctx context.Context, _ *struct{}) (*web.Body[*training.Record], error) {
	return reply(h.svc.MyRecord(ctx))
}

func (h *handlers) review(ctx context.Context, in *web.IDPath) (*web.Body[*training.Review], error) {
	return reply(h.svc.ReviewAttempt(ctx, in.ID))
}

type homeworkFileInput struct {
	web.IDPath
	FileID ids.ID `path:"fileId"`
}

func (h *handlers) homeworkFile(ctx context.Context, in *homeworkFileInput) (*huma.StreamResponse, error) {
	rc, f, err := h.svc.HomeworkFile(ctx, in.ID, in.FileID)
	if err != nil {
		return nil, err
	}
	return web.StreamFile(rc, f.ContentType, f.Name, f.CreatedAt, true), nil
}

func (h *handlers) evidence(ctx context.Context, in *web.IDPath) (*huma.StreamResponse, error) {
	rc, f, err := h.svc.EvidenceFile(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return web.StreamFile(rc, f.ContentType, f.Name, f.CreatedAt, true), nil
}
