package trainingapi

import (
	"context"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/web"
	"github.com/renshi/renshi/internal/training"
)

// Schema names are global in the OpenAPI document.
type (
	TrainingSession       training.Session
	TrainingMySession     training.MySession
	TrainingAttendanceRow training.AttendanceRow
	TrainingQR            training.QR
	TrainingAskedQuestion training.AskedQuestion
	TrainingCost          training.Cost
	TrainingSessionInput  training.SessionInput
	TrainingCostInput     training.CostInput
)

// sessionRoutes registers classroom sessions, questions to module owners
// and program costs.
func sessionRoutes(api *web.API, h *handlers) {
	r := api.OpenAPI().Components.Schemas
	for from, to := range map[reflect.Type]reflect.Type{
		reflect.TypeFor[training.Session]():       reflect.TypeFor[TrainingSession](),
		reflect.TypeFor[training.MySession]():     reflect.TypeFor[TrainingMySession](),
		reflect.TypeFor[training.AttendanceRow](): reflect.TypeFor[TrainingAttendanceRow](),
		reflect.TypeFor[training.QR]():            reflect.TypeFor[TrainingQR](),
		reflect.TypeFor[training.AskedQuestion](): reflect.TypeFor[TrainingAskedQuestion](),
		reflect.TypeFor[training.Cost]():          reflect.TypeFor[TrainingCost](),
		reflect.TypeFor[training.SessionInput]():  reflect.TypeFor[TrainingSessionInput](),
		reflect.TypeFor[training.CostInput]():     reflect.TypeFor[TrainingCostInput](),
	} {
		r.RegisterTypeAlias(from, to)
	}
	tags := []string{"training"}
	o := func(method, path, id, summary, perm string, status int) web.Op {
		return web.Op{Method: method, Path: path, ID: id, Summary: summary, Tags: tags, Permission: perm, Status: status}
	}
	const (
		get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
		auth, public        = web.Authenticated, web.Public
		read, manage        = training.PermProgramRead, training.PermSessionManage
		mread               = training.PermModuleRead
		costRead, costEdit  = training.PermCostRead, training.PermCostManage
	)
	// Classroom sessions.
	web.Register(api, o(get, "/training/programs/{id}/sessions", "list-training-sessions", "A program's classroom sessions by start", read, 0), h.sessions)
	web.Register(api, o(post, "/training/programs/{id}/sessions", "create-training-session", "Schedule a session (HR; content owners for their modules)", manage, 201), h.createSession)
	web.Register(api, o(get, "/training/sessions/{id}", "get-training-session", "A session", read, 0), h.session)
	web.Register(api, o(put, "/training/sessions/{id}", "update-training-session", "Change a session", manage, 0), h.updateSession)
	web.Register(api, o(del, "/training/sessions/{id}", "delete-training-session", "Delete a session nobody signed in to", manage, 204), h.deleteSession)
	web.Register(api, o(get, "/training/sessions/{id}/qr", "get-training-session-qr", "The rotating sign-in code to show in the room (its instructor or a manager)", auth, 0), h.qr)
	web.Register(api, o(get, "/training/sessions/{id}/attendance", "list-training-attendance", "The program's learners, present or absent (its instructor or a manager)", auth, 0), h.attendance)
	web.Register(api, o(get, "/training/sessions/{id}/attendance/export", "export-training-attendance", "Export the attendance sheet", auth, 0), h.exportAttendance)
	web.Register(api, o(post, "/training/sessions/{id}/attendance", "mark-training-attendance", "Mark learners present (its instructor or a manager)", auth, 0), h.markAttendance)
	web.Register(api, o(get, "/training/my/sessions", "my-training-sessions", "My sessions (teaching=true: those I teach)", auth, 0), h.mySessions)
	web.Register(api, o(post, "/training/my/sessions/{id}/sign-in", "sign-in-training-session", "Sign in with the code shown in the room", auth, 0), h.signIn)
	web.Register(api, o(get, "/training/my/calendar", "my-training-calendar", "The address of my sessions as a calendar feed", auth, 0), h.myCalendar)
	web.Register(api, o(get, "/training/calendar/{feed}", "training-calendar-feed", "A learner's sessions as iCalendar (the address is the credential: <token>.ics)", public, 0), h.calendar)
	// Questions to module owners.
	web.Register(api, o(get, "/training/my/modules/{id}/questions", "my-training-questions", "My questions about a module and their answers", auth, 0), h.myQuestions)
	web.Register(api, o(post, "/training/my/modules/{id}/questions", "ask-training-question", "Ask a module's owners a question", auth, 201), h.ask)
	web.Register(api, o(get, "/training/asked", "list-training-asked", "Learners' questions about the modules I may edit", mread, 0), h.askedList)
	web.Register(api, o(post, "/training/asked/{id}/answer", "answer-training-question", "Answer a learner's question (the learner is told)", mread, 0), h.answer)
	// Program costs.
	web.Register(api, o(get, "/training/programs/{id}/costs", "list-training-program-costs", "A program's costs with their total", costRead, 0), h.programCosts)
	web.Register(api, o(post, "/training/programs/{id}/costs", "add-training-cost", "Record a cost of a program", costEdit, 201), h.addCost)
	web.Register(api, o(del, "/training/costs/{id}", "delete-training-cost", "Delete a cost line", costEdit, 204), h.deleteCost)
	web.Register(api, o(get, "/training/costs", "list-training-costs", "Costs across programs with their total", costRead, 0), h.costs)
	web.Register(api, o(get, "/training/costs/export", "export-training-costs", "Export costs with a total row", costRead, 0), h.exportCosts)
}

// ---- sessions

// DayQuery filters by the days [from, to] in the tenant's time zone.
type DayQuery struct {
	From civil.Date `query:"from" doc:"sessions starting on or after this day (YYYY-MM-DD)"`
	To   civil.Date `query:"to" doc:"sessions starting on or before this day (YYYY-MM-DD)"`
}

func (q DayQuery) filter(ctx context.Context, page web.PageQuery) (training.SessionFilter, error) {
	from, to, err := training.DayRange(ctx, q.From, q.To)
	return training.SessionFilter{From: from, To: to, Page: page.Page, Size: page.PageSize}, err
}

type sessionsInput struct {
	web.IDPath
	web.PageQuery
	DayQuery
}

func (h *handlers) sessions(ctx context.Context, in *sessionsInput) (*web.Body[*web.Page[training.Session]], error) {
	f, err := in.filter(ctx, in.PageQuery)
	if err != nil {
		return nil, err
	}
	f.ProgramID = in.ID
	list, total, err := h.svc.Sessions(ctx, f)
	return page(list, total, err, in.PageQuery)
}

type sessionInput struct {
	web.IDPath
	Body training.SessionInput
}

func (h *handlers) createSession(ctx context.Context, in *sessionInput) (*web.Body[*training.Session], error) {
	return reply(h.svc.CreateSession(ctx, in.ID, in.Body))
}

func (h *handlers) session(ctx context.Context, in *web.IDPath) (*web.Body[*training.Session], error) {
	return reply(h.svc.Session(ctx, in.ID))
}

func (h *handlers) updateSession(ctx context.Context, in *sessionInput) (*web.Body[*training.Session], error) {
	return reply(h.svc.UpdateSession(ctx, in.ID, in.Body))
}

func (h *handlers) deleteSession(ctx context.Context, in *web.IDPath) (*web.Empty, error) {
	return empty(h.svc.DeleteSession(ctx, in.ID))
}

func (h *handlers) qr(ctx context.Context, in *web.IDPath) (*web.Body[*training.QR], error) {
	return reply(h.svc.SessionQR(ctx, in.ID))
}

// RosterQuery narrows an attendance sheet.
type RosterQuery struct {
	Q     string `query:"q" maxLength:"100" doc:"name contains"`
	State string `query:"state" enum:"present,absent," doc:"present, absent, or everyone enrolled"`
}

type attendanceInput struct {
	web.IDPath
	web.PageQuery
	RosterQuery
}

// AttendancePage is a page of a session's attendance sheet.
type AttendancePage struct {
	Session  *training.Session        `json:"session"`
	Items    []training.AttendanceRow `json:"items"`
	Total    int                      `json:"total"`
	Page     int                      `json:"page"`
	PageSize int                      `json:"pageSize"`
}

func (h *handlers) attendance(ctx context.Context, in *attendanceInput) (*web.Body[*AttendancePage], error) {
	x, rows, total, err := h.svc.Attendance(ctx, training.RosterFilter{SessionID: in.ID, Q: in.Q, State: in.State, Page: in.Page, Size: in.PageSize})
	if err != nil {
		return nil, err
	}
	return web.Reply(&AttendancePage{Session: x, Items: rows, Total: total, Page: in.Page, PageSize: in.PageSize}), nil
}

type exportAttendanceInput struct {
	web.IDPath
	web.ExportQuery
	RosterQuery
}

var signInZH = map[string]string{training.SignInQR: "扫码签到", training.SignInInstructor: "讲师登记"}

func (h *handlers) exportAttendance(ctx context.Context, in *exportAttendanceInput) (*huma.StreamResponse, error) {
	f := training.RosterFilter{SessionID: in.ID, Q: in.Q, State: in.State, Page: 1, Size: 200}
	// Refuse before the download starts (a started download cannot).
	x, first, total, err := h.svc.Attendance(ctx, f)
	if err != nil {
		return nil, err
	}
	loc := rbac.Zone(ctx)
	return web.Download("课堂出勤", in.ExportQuery, "出勤", func(ctx context.Context, w export.Writer) error {
		if err := w.Write([]string{"课堂", "开始时间", "姓名", "部门", "出勤", "签到方式", "签到时间"}); err != nil {
			return err
		}
		start := x.StartsAt.In(loc).Format("2006-01-02 15:04")
		rows := first
		for {
			for _, r := range rows {
				state, at := "缺勤", ""
				if r.Present {
					state, at = "出勤", r.SignedAt.In(loc).Format("2006-01-02 15:04:05")
				}
				if err := w.Write([]string{x.Title, start, r.EmployeeName, r.DepartmentName, state, signInZH[r.Method], at}); err != nil {
					return err
				}
			}
			if len(rows) == 0 || f.Page*f.Size >= total {
				return nil
			}
			f.Page++
			if _, rows, total, err = h.svc.Attendance(ctx, f); err != nil {
				return err
			}
		}
	}), nil
}

type markInput struct {
	web.IDPath
	Body training.AttendanceInput
}

// MarkResult counts the people newly signed in and everyone signed in.
type MarkResult struct {
	Added    int `json:"added"`
	SignedIn int `json:"signedIn"`
}

func (h *handlers) markAttendance(ctx context.Context, in *markInput) (*web.Body[*MarkResult], error) {
	n, err := h.svc.MarkAttendance(ctx, in.ID, in.Body)
	if err != nil {
		return nil, err
	}
	x, _, _, err := h.svc.Attendance(ctx, training.RosterFilter{SessionID: in.ID, Page: 1, Size: 1})
	if err != nil {
		return nil, err
	}
	return web.Reply(&MarkResult{Added: n, SignedIn: x.SignedIn}), nil
}

type mySessionsInput struct {
	web.PageQuery
	DayQuery
	Teaching bool `query:"teaching" doc:"the sessions I teach instead of those I attend"`
}

func (h *handlers) mySessions(ctx context.Context, in *mySessionsInput) (*web.Body[*web.Page[training.MySession]], error) {
	f, err := in.filter(ctx, in.PageQuery)
	if err != nil {
		return nil, err
	}
	var list []training.MySession
	var total int
	if in.Teaching {
		list, total, err = h.svc.TeachingSessions(ctx, f)
	} else {
		list, total, err = h.svc.MySessions(ctx, f)
	}
	return page(list, total, err, in.PageQuery)
}

// SignInBody is the code scanned in the room.
type SignInBody struct {
	Token string `json:"token" maxLength:"64" doc:"the token of the QR code"`
}

type signInInput struct {
	web.IDPath
	Body SignInBody
}

func (h *handlers) signIn(ctx context.Context, in *signInInput) (*web.Body[*training.MySession], error) {
	return reply(h.svc.SignIn(ctx, in.ID, in.Body.Token))
}

// CalendarLink is where a calendar app subscribes to my sessions.
type CalendarLink struct {
	URL    string `json:"url" doc:"https address of the feed"`
	Webcal string `json:"webcal" doc:"the same as webcal:// (opens the calendar app)"`
}

const calendarPath = web.Prefix + "/training/calendar/"

func (h *handlers) myCalendar(ctx context.Context, _ *struct{}) (*web.Body[*CalendarLink], error) {
	tok, err := h.svc.CalendarToken(ctx)
	if err != nil {
		return nil, err
	}
	u := h.svc.PublicURL(calendarPath + tok + ".ics")
	webcal := u
	if i := strings.Index(u, "://"); i >= 0 {
		webcal = "webcal" + u[i:]
	}
	return web.Reply(&CalendarLink{URL: u, Webcal: webcal}), nil
}

type calendarInput struct {
	Feed string `path:"feed" maxLength:"80" doc:"<token>.ics"`
}

type calendarOutput struct {
	ContentType  string `header:"Content-Type"`
	CacheControl string `header:"Cache-Control"`
	Body         []byte
}

func (h *handlers) calendar(ctx context.Context, in *calendarInput) (*calendarOutput, error) {
	tok, ok := strings.CutSuffix(in.Feed, ".ics")
	if !ok {
		return nil, errs.NotFoundf("object.training_calendar")
	}
	b, err := h.svc.CalendarFeed(ctx, tok)
	if err != nil {
		return nil, err
	}
	return &calendarOutput{ContentType: "text/calendar; charset=utf-8", CacheControl: "private, max-age=300", Body: b}, nil
}

// ---- questions to module owners

func (h *handlers) myQuestions(ctx context.Context, in *web.IDPath) (*web.Body[*Items[training.AskedQuestion]], error) {
	return items(h.svc.MyQuestions(ctx, in.ID))
}

type askInput struct {
	web.IDPath
	Body training.AskInput
}

func (h *handlers) ask(ctx context.Context, in *askInput) (*web.Body[*training.AskedQuestion], error) {
	return reply(h.svc.Ask(ctx, in.ID, in.Body))
}

type askedListInput struct {
	web.PageQuery
	ModuleID ids.ID `query:"moduleId"`
	Answered string `query:"answered" enum:"true,false," doc:"true: answered; false: waiting; empty: both"`
}

func (h *handlers) askedList(ctx context.Context, in *askedListInput) (*web.Body[*web.Page[training.AskedQuestion]], error) {
	list, total, err := h.svc.AskedQuestions(ctx, training.AskedFilter{ModuleID: in.ModuleID, Answered: in.Answered, Page: in.Page, Size: in.PageSize})
	return page(list, total, err, in.PageQuery)
}

type answerInput struct {
	web.IDPath
	Body training.AnswerInput
}

func (h *handlers) answer(ctx context.Context, in *answerInput) (*web.Body[*training.AskedQuestion], error) {
	return reply(h.svc.AnswerQuestion(ctx, in.ID, in.Body))
}

// ---- costs

// CostQuery narrows costs.
type CostQuery struct {
	From     civil.Date `query:"from" doc:"incurred on or after (YYYY-MM-DD)"`
	To       civil.Date `query:"to" doc:"incurred on or before (YYYY-MM-DD)"`
	Category string     `query:"category" enum:"instructor,venue,materials,travel,other,"`
}

// CostPage is a page of costs with the exact total of all matching lines.
type CostPage struct {
	Items       []training.Cost `json:"items"`
	Total       int             `json:"total"`
	Page        int             `json:"page"`
	PageSize    int             `json:"pageSize"`
	TotalFen    int64           `json:"totalFen" doc:"sum of every matching line, in fen"`
	TotalAmount string          `json:"totalAmount" doc:"the sum in yuan with two decimals"`
}

func costPage(list []training.Cost, total int, sum int64, err error, q web.PageQuery) (*web.Body[*CostPage], error) {
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []training.Cost{}
	}
	return web.Reply(&CostPage{Items: list, Total: total, Page: q.Page, PageSize: q.PageSize, TotalFen: sum, TotalAmount: training.Yuan(sum)}), nil
}

type programCostsInput struct {
	web.IDPath
	web.PageQuery
	CostQuery
}

func (h *handlers) programCosts(ctx context.Context, in *programCostsInput) (*web.Body[*CostPage], error) {
	list, total, sum, err := h.svc.Costs(ctx, training.CostFilter{ProgramID: in.ID, From: in.From, To: in.To, Category: in.Category, Page: in.Page, Size: in.PageSize})
	return costPage(list, total, sum, err, in.PageQuery)
}

type addCostInput struct {
	web.IDPath
	Body training.CostInput
}

func (h *handlers) addCost(ctx context.Context, in *addCostInput) (*web.Body[*training.Cost], error) {
	return reply(h.svc.AddCost(ctx, in.ID, in.Body))
}

func (h *handlers) deleteCost(ctx context.Context, in *web.IDPath) (*web.Empty, error) {
	return empty(h.svc.DeleteCost(ctx, in.ID))
}

type costsInput struct {
	web.PageQuery
	CostQuery
	ProgramID ids.ID `query:"programId"`
}

func (h *handlers) costs(ctx context.Context, in *costsInput) (*web.Body[*CostPage], error) {
	list, total, sum, err := h.svc.Costs(ctx, training.CostFilter{ProgramID: in.ProgramID, From: in.From, To: in.To, Category: in.Category, Page: in.Page, Size: in.PageSize})
	return costPage(list, total, sum, err, in.PageQuery)
}

type exportCostsInput struct {
	web.ExportQuery
	CostQuery
	ProgramID ids.ID `query:"programId"`
}

var costCategoryZH = map[string]string{
	training.CostInstructor: "讲师费", training.CostVenue: "场地费", training.CostMaterials: "教材资料费", training.CostTravel: "差旅费", training.CostOther: "其他",
}

func (h *handlers) exportCosts(ctx context.Context, in *exportCostsInput) (*huma.StreamResponse, error) {
	f := training.CostFilter{ProgramID: in.ProgramID, From: in.From, To: in.To, Category: in.Category}
	// Refuse before the download starts (a started download cannot).
	if _, _, _, err := h.svc.Costs(ctx, training.CostFilter{ProgramID: f.ProgramID, From: f.From, To: f.To, Category: f.Category, Page: 1, Size: 1}); err != nil {
		return nil, err
	}
	return web.Download("培训费用", in.ExportQuery, "培训费用", func(ctx context.Context, w export.Writer) error {
		return WriteCosts(ctx, h.svc, f, w)
	}), nil
}

// WriteCosts writes the cost export: one row per line, then the total,
// summed in fen (exact).
func WriteCosts(ctx context.Context, svc *training.Service, f training.CostFilter, w export.Writer) error {
	if err := w.Write([]string{"日期", "培训项目", "类别", "金额（元）", "供应商", "备注", "登记时间"}); err != nil {
		return err
	}
	var sum int64
	n := 0
	loc := rbac.Zone(ctx)
	err := svc.EachCost(ctx, f, func(c *training.Cost) error {
		sum += c.AmountFen
		n++
		return w.Write([]string{c.Date.String(), c.ProgramTitle, costCategoryZH[c.Category], training.Yuan(c.AmountFen), c.Vendor, c.Note,
			c.CreatedAt.In(loc).Format(time.DateTime)})
	})
	if err != nil {
		return err
	}
	return w.Write([]string{"合计", "共 " + strconv.Itoa(n) + " 笔", "", training.Yuan(sum), "", "", ""})
}
