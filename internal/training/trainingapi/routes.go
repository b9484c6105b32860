// Package trainingapi exposes the training module over HTTP: the
// catalogue with materials and question banks, programs with enrollments,
// dashboards, the responsibility matrix and reports, grading, and the
// learner's own learning center.
package trainingapi

import (
	"context"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/web"
	"github.com/renshi/renshi/internal/training"
)

type handlers struct{ svc *training.Service }

// Routes registers the route table. Learner routes (/training/my/...) are
// open to every signed-in user and act on the caller's own employee
// record; the service checks ownership of content and data scopes.
func Routes(api *web.API, svc *training.Service) {
	aliasSchemas(api)
	h := &handlers{svc: svc}
	tags := []string{"training"}
	o := func(method, path, id, summary, perm string, status int) web.Op {
		return web.Op{Method: method, Path: path, ID: id, Summary: summary, Tags: tags, Permission: perm, Status: status}
	}
	const (
		get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
		auth                = web.Authenticated
		read, manage        = training.PermProgramRead, training.PermProgramManage
		mread, grade        = training.PermModuleRead, training.PermGrade
	)
	// Catalogue.
	web.Register(api, o(get, "/training/modules", "list-training-modules", "The module catalogue", mread, 0), h.modules)
	web.Register(api, o(get, "/training/modules/export", "export-training-modules", "Export the catalogue with the list's filters", mread, 0), h.exportModules)
	web.Register(api, o(post, "/training/modules", "create-training-module", "Add a module (general: HR; professional: the department's content owners)", mread, 201), h.createModule)
	web.Register(api, o(get, "/training/modules/{id}", "get-training-module", "A module", mread, 0), h.module)
	web.Register(api, o(put, "/training/modules/{id}", "update-training-module", "Change a module's settings (its owners only)", mread, 0), h.updateModule)
	web.Register(api, o(del, "/training/modules/{id}", "archive-training-module", "Archive a module (its owners only)", mread, 204), h.archiveModule)
	web.Register(api, o(get, "/training/modules/{id}/materials", "list-training-materials", "A module's materials (catalogue readers and its learners)", auth, 0), h.materials)
	web.Register(api, o(post, "/training/modules/{id}/materials", "add-training-material", "Add a link or text material, or a new version of one", mread, 201), h.addMaterial)
	up := o(post, "/training/modules/{id}/materials/upload", "upload-training-material", "Upload a file material or a new version (multipart: file, title, materialId); PDF, Office, images, MP4", mread, 201)
	up.MaxBody, up.BodyTimeout = training.MaxVideoBytes+(1<<20), 30*time.Minute
	web.Register(api, up, h.uploadMaterial)
	web.Register(api, o(del, "/training/materials/{id}", "delete-training-material", "Delete a material (its module's owners only)", mread, 204), h.deleteMaterial)
	web.Register(api, o(get, "/training/materials/{id}/versions", "list-training-material-versions", "A material's versions, newest first", auth, 0), h.versions)
	web.Register(api, o(get, "/training/materials/{id}/content", "get-training-material-content", "A file material's bytes, shown in the browser (range requests for video)", auth, 0), h.content)
	web.Register(api, o(get, "/training/modules/{id}/questions", "list-training-questions", "A module's question bank (its owners only)", mread, 0), h.questions)
	web.Register(api, o(post, "/training/modules/{id}/questions", "add-training-question", "Add a question to the bank", mread, 201), h.addQuestion)
	web.Register(api, o(put, "/training/questions/{id}", "update-training-question", "Change a question", mread, 0), h.updateQuestion)
	web.Register(api, o(del, "/training/questions/{id}", "delete-training-question", "Remove a question from the bank", mread, 204), h.deleteQuestion)
	// Programs.
	web.Register(api, o(get, "/training/programs", "list-training-programs", "Training programs", read, 0), h.programs)
	web.Register(api, o(post, "/training/programs", "create-training-program", "Add a draft program with the default responsibility matrix", manage, 201), h.createProgram)
	web.Register(api, o(get, "/training/programs/{id}", "get-training-program", "A program", read, 0), h.program)
	web.Register(api, o(put, "/training/programs/{id}", "update-training-program", "Change a program", manage, 0), h.updateProgram)
	web.Register(api, o(post, "/training/programs/{id}/activate", "activate-training-program", "Start a program: its audience is enrolled and told", manage, 0), h.activate)
	web.Register(api, o(post, "/training/programs/{id}/close", "close-training-program", "End a program", manage, 0), h.closeProgram)
	web.Register(api, o(get, "/training/programs/{id}/enrollments", "list-training-enrollments", "A program's learners (state may be overdue)", read, 0), h.enrollments)
	web.Register(api, o(get, "/training/programs/{id}/enrollments/export", "export-training-enrollments", "Export a program's learners", read, 0), h.exportEnrollments)
	web.Register(api, o(post, "/training/programs/{id}/enrollments", "enroll-training-program", "Add people or departments to an active program", manage, 0), h.enroll)
	web.Register(api, o(get, "/training/programs/{id}/dashboard", "get-training-dashboard", "A program at a glance (HR opening it counts as reviewing progress)", read, 0), h.dashboard)
	web.Register(api, o(get, "/training/programs/{id}/duties", "list-training-duties", "A program's responsibility matrix", read, 0), h.duties)
	web.Register(api, o(post, "/training/programs/{id}/duties", "add-training-duty", "Add a duty to the matrix", manage, 201), h.addDuty)
	web.Register(api, o(put, "/training/duties/{id}", "update-training-duty", "Change a duty (assignee, due date, title)", manage, 0), h.updateDuty)
	web.Register(api, o(post, "/training/duties/{id}/confirm", "confirm-training-duty", "Confirm a duty done by hand with evidence (its assignee or HR)", auth, 0), h.confirmDuty)
	web.Register(api, o(get, "/training/accountability", "training-accountability", "Every duty of a program or about an employee, with party, assignee, due date and state", read, 0), h.accountability)
	web.Register(api, o(get, "/training/accountability/export", "export-training-accountability", "Export the accountability report", read, 0), h.exportAccountability)
	web.Register(api, o(get, "/training/overdue", "list-training-overdue", "Learners past their deadline", read, 0), h.overdue)
	web.Register(api, o(get, "/training/overdue/export", "export-training-overdue", "Export the overdue list", read, 0), h.exportOverdue)
	web.Register(api, o(get, "/training/employees/{id}/record", "get-training-record", "An employee's training record", auth, 0), h.record)
	web.Register(api, o(get, "/training/records/export", "export-training-records", "Training records: one row per employee and module", read, 0), h.exportRecords)
	// Grading.
	web.Register(api, o(get, "/training/grading", "list-training-grading", "Homework and short answers waiting for me", grade, 0), h.grading)
	web.Register(api, o(get, "/training/attempts/{id}/review", "review-training-attempt", "An attempt with its questions, answers and key (reviewers)", grade, 0), h.review)
	web.Register(api, o(post, "/training/attempts/{id}/grade", "grade-training-attempt", "Score an attempt's short answers", grade, 0), h.gradeAttempt)
	web.Register(api, o(get, "/training/homework/{id}/files/{fileId}", "get-training-homework-file", "A file handed in with homework (its learner and the reviewers)", auth, 0), h.homeworkFile)
	web.Register(api, o(get, "/training/duties/{id}/evidence", "get-training-duty-evidence", "The file attached to a duty confirmed by hand", read, 0), h.evidence)
	web.Register(api, o(post, "/training/homework/{id}/grade", "grade-training-homework", "Grade a hand-in", grade, 0), h.gradeHomework)
	// Learning center.
	web.Register(api, o(get, "/training/my/tasks", "my-training-tasks", "My training with deadlines and progress", auth, 0), h.myTasks)
	web.Register(api, o(get, "/training/my/modules/{id}", "my-training-module", "One of my modules: materials, progress, test, homework", auth, 0), h.myModule)
	web.Register(api, o(post, "/training/my/materials/{id}/view", "record-training-view", "Report my viewing of a material", auth, 0), h.view)
	web.Register(api, o(post, "/training/my/modules/{id}/attempts", "start-training-attempt", "Start (or continue) the module's test", auth, 201), h.startAttempt)
	web.Register(api, o(get, "/training/my/attempts/{id}", "get-training-attempt", "One of my attempts", auth, 0), h.paper)
	web.Register(api, o(post, "/training/my/attempts/{id}/submit", "submit-training-attempt", "Hand in my answers (graded at once; submitting again returns the same result)", auth, 0), h.submit)
	hf := o(post, "/training/my/files", "upload-training-file", "Upload a file to hand in with homework (multipart: file)", auth, 201)
	hf.MaxBody, hf.BodyTimeout = training.MaxHomeworkBytes+(64<<10), 5*time.Minute
	web.Register(api, hf, h.uploadFile)
	web.Register(api, o(post, "/training/my/modules/{id}/homework", "submit-training-homework", "Hand in my homework", auth, 0), h.submitHomework)
	web.Register(api, o(post, "/training/my/enrollments/{id}/feedback", "training-feedback", "Rate a program I took", auth, 0), h.feedback)
	web.Register(api, o(get, "/training/my/record", "my-training-record", "My training hours, modules and certificates", auth, 0), h.myRecord)
	sessionRoutes(api, h)
}

// Schema names are global in the OpenAPI document.
type (
	TrainingModule          training.Module
	TrainingMaterial        training.Material
	TrainingMaterialVersion training.MaterialVersion
	TrainingQuestion        training.Question
	TrainingProgram         training.Program
	TrainingEnrollment      training.Enrollment
	TrainingProgress        training.Progress
	TrainingAttempt         training.Attempt
	TrainingHomework        training.Homework
	TrainingDuty            training.Duty
	TrainingView            training.View
	TrainingRecord          training.Record
	TrainingRecordRow       training.RecordRow
	TrainingDashboard       training.Dashboard
	TrainingTask            training.Task
	TrainingLearnModule     training.LearnModule
	TrainingPaper           training.Paper
)

func aliasSchemas(api *web.API) {
	r := api.OpenAPI().Components.Schemas
	for from, to := range map[reflect.Type]reflect.Type{
		reflect.TypeFor[training.Module]():          reflect.TypeFor[TrainingModule](),
		reflect.TypeFor[training.Material]():        reflect.TypeFor[TrainingMaterial](),
		reflect.TypeFor[training.MaterialVersion](): reflect.TypeFor[TrainingMaterialVersion](),
		reflect.TypeFor[training.Question]():        reflect.TypeFor[TrainingQuestion](),
		reflect.TypeFor[training.Program]():         reflect.TypeFor[TrainingProgram](),
		reflect.TypeFor[training.Enrollment]():      reflect.TypeFor[TrainingEnrollment](),
		reflect.TypeFor[training.Progress]():        reflect.TypeFor[TrainingProgress](),
		reflect.TypeFor[training.Attempt]():         reflect.TypeFor[TrainingAttempt](),
		reflect.TypeFor[training.Homework]():        reflect.TypeFor[TrainingHomework](),
		reflect.TypeFor[training.Duty]():            reflect.TypeFor[TrainingDuty](),
		reflect.TypeFor[training.View]():            reflect.TypeFor[TrainingView](),
		reflect.TypeFor[training.Record]():          reflect.TypeFor[TrainingRecord](),
		reflect.TypeFor[training.RecordRow]():       reflect.TypeFor[TrainingRecordRow](),
		reflect.TypeFor[training.Dashboard]():       reflect.TypeFor[TrainingDashboard](),
		reflect.TypeFor[training.Task]():            reflect.TypeFor[TrainingTask](),
		reflect.TypeFor[training.LearnModule]():     reflect.TypeFor[TrainingLearnModule](),
		reflect.TypeFor[training.Paper]():           reflect.TypeFor[TrainingPaper](),
	} {
		r.RegisterTypeAlias(from, to)
	}
}

func reply[T any](v T, err error) (*web.Body[T], error) {
	if err != nil {
		return nil, err
	}
	return web.Reply(v), nil
}

func page[T any](items []T, total int, err error, q web.PageQuery) (*web.Body[*web.Page[T]], error) {
	if err != nil {
		return nil, err
	}
	return web.Reply(web.NewPage(items, total, q)), nil
}

// Items is a list without paging.
type Items[T any] struct {
	Items []T `json:"items"`
}

func items[T any](list []T, err error) (*web.Body[*Items[T]], error) {
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []T{}
	}
	return web.Reply(&Items[T]{Items: list}), nil
}

func empty(err error) (*web.Empty, error) {
	if err != nil {
		return nil, err
	}
	return &web.Empty{}, nil
}

// ---- catalogue

type ModuleQuery struct {
	Q            string `query:"q" maxLength:"100"`
	Kind         string `query:"kind" enum:"general,professional,"`
	DepartmentID ids.ID `query:"departmentId"`
	Editable     bool   `query:"editable" doc:"only modules I may edit"`
	Archived     bool   `query:"archived"`
}

func (q ModuleQuery) filter() training.ModuleFilter {
	return training.ModuleFilter{Q: q.Q, Kind: q.Kind, DepartmentID: q.DepartmentID, Editable: q.Editable, Archived: q.Archived}
}

type modulesInput struct {
	web.PageQuery
	ModuleQuery
}

func (h *handlers) modules(ctx context.Context, in *modulesInput) (*web.Body[*web.Page[training.Module]], error) {
	f := in.filter()
	f.Page, f.Size = in.Page, in.PageSize
	list, total, err := h.svc.Modules(ctx, f)
	return page(list, total, err, in.PageQuery)
}

type exportModulesInput struct {
	web.ExportQuery
	ModuleQuery
}

func (h *handlers) exportModules(ctx context.Context, in *exportModulesInput) (*huma.StreamResponse, error) {
	f := in.filter()
	f.Page, f.Size = 1, 200
	first, total, err := h.svc.Modules(ctx, f)
	if err != nil {
		return nil, err
	}
	return web.Download("课程目录", in.ExportQuery, "课程", func(ctx context.Context, w export.Writer) error {
		if err := w.Write([]string{"课程", "类型", "所属部门", "类别", "学时", "资料数", "题目数", "考试", "及格分", "作业"}); err != nil {
			return err
		}
		list := first
		for p := 1; ; p++ {
			for _, m := range list {
				kind := "通用"
				if m.Kind == training.Professional {
					kind = "专业"
				}
				if err := w.Write([]string{m.Title, kind, m.OwnerDepartmentName, m.Category, num(m.CreditHours), strconv.Itoa(m.MaterialCount),
					strconv.Itoa(m.QuestionCount), yes(m.TestEnabled), strconv.Itoa(m.PassMark), yes(m.HomeworkEnabled)}); err != nil {
					return err
				}
			}
			if p*200 >= total {
				return nil
			}
			f.Page = p + 1
			if list, _, err = h.svc.Modules(ctx, f); err != nil {
				return err
			}
		}
	}), nil
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func yes(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

type moduleBody struct{ Body training.ModuleInput }

func (h *handlers) createModule(ctx context.Context, in *moduleBody) (*web.Body[*training.Module], error) {
	return reply(h.svc.CreateModule(ctx, in.Body))
}

func (h *handlers) module(ctx context.Context, in *web.IDPath) (*web.Body[*training.Module], error) {
	return reply(h.svc.Module(ctx, in.ID))
}

type updateModuleInput struct {
	web.IDPath
	Body training.ModuleInput
}

func (h *handlers) updateModule(ctx context.Context, in *updateModuleInput) (*web.Body[*training.Module], error) {
	return reply(h.svc.UpdateModule(ctx, in.ID, in.Body))
}

func (h *handlers) archiveModule(ctx context.Context, in *web.IDPath) (*web.Empty, error) {
	return empty(h.svc.ArchiveModule(ctx, in.ID))
}

func (h *handlers) materials(ctx context.Context, in *web.IDPath) (*web.Body[*Items[training.Material]], error) {
	return items(h.svc.Materials(ctx, in.ID))
}

type addMaterialInput struct {
	web.IDPath
	Body training.MaterialInput
}

func (h *handlers) addMaterial(ctx context.Context, in *addMaterialInput) (*web.Body[*training.Material], error) {
	return reply(h.svc.AddMaterial(ctx, in.ID, in.Body))
}

// TrainingMaterialForm is a file material upload.
type TrainingMaterialForm struct {
	File       huma.FormFile `form:"file" contentType:"application/octet-stream" required:"true" doc:"PDF, Office document or image (50 MiB), MP4 video (500 MiB)"`
	Title      string        `form:"title" required:"false" doc:"default: the file name"`
	MaterialID string        `form:"materialId" required:"false" doc:"a new version of this material"`
}

type uploadMaterialInput struct {
	web.IDPath
	RawBody huma.MultipartFormFiles[TrainingMaterialForm]
}

func (h *handlers) uploadMaterial(ctx context.Context, in *uploadMaterialInput) (*web.Body[*training.Material], error) {
	form := in.RawBody.Data()
	if form == nil || !form.File.IsSet {
		return nil, errs.InvalidField("file", "required")
	}
	defer form.File.Close()
	var mid ids.ID
	if form.MaterialID != "" {
		n, err := strconv.ParseInt(form.MaterialID, 10, 64)
		if err != nil {
			return nil, errs.InvalidField("materialId", "invalid_format")
		}
		mid = ids.ID(n)
	}
	return reply(h.svc.UploadMaterial(ctx, in.ID, training.Upload{Title: form.Title, MaterialID: mid, Name: form.File.Filename,
		Size: form.File.Size, Body: form.File}))
}

func (h *handlers) deleteMaterial(ctx context.Context, in *web.IDPath) (*web.Empty, error) {
	return empty(h.svc.DeleteMaterial(ctx, in.ID))
}

func (h *handlers) versions(ctx context.Context, in *web.IDPath) (*web.Body[*Items[training.MaterialVersion]], error) {
	return items(h.svc.MaterialVersions(ctx, in.ID))
}

type contentInput struct {
	web.IDPath
	Version int `query:"version" minimum:"0" doc:"default: the current version"`
}

func (h *handlers) content(ctx context.Context, in *contentInput) (*huma.StreamResponse, error) {
	rc, f, err := h.svc.OpenMaterial(ctx, in.ID, in.Version)
	if err != nil {
		return nil, err
	}
	return web.StreamFile(rc, f.ContentType, f.Name, f.CreatedAt, false), nil
}

func (h *handlers) questions(ctx context.Context, in *web.IDPath) (*web.Body[*Items[training.Question]], error) {
	return items(h.svc.Questions(ctx, in.ID))
}

type questionInput struct {
	web.IDPath
	Body training.QuestionInput
}

func (h *handlers) addQuestion(ctx context.Context, in *questionInput) (*web.Body[*training.Question], error) {
	return reply(h.svc.AddQuestion(ctx, in.ID, in.Body))
}

func (h *handlers) updateQuestion(ctx context.Context, in *questionInput) (*web.Body[*training.Question], error) {
	return reply(h.svc.UpdateQuestion(ctx, in.ID, in.Body))
}

func (h *handlers) deleteQuestion(ctx context.Context, in *web.IDPath) (*web.Empty, error) {
	return empty(h.svc.DeleteQuestion(ctx, in.ID))
}
