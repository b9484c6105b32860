package training

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/validate"
)

// Session modes.
const (
	ModeOffline = "offline" // in a room: a place
	ModeOnline  = "online"  // a meeting link
)

// How a learner was signed in.
const (
	SignInQR         = "qr"         // scanned the rotating code in the room
	SignInInstructor = "instructor" // marked present by the instructor or HR
)

// Sign-in rules.
const (
	// QRPeriod is how long one code is shown; a code is taken during its
	// period and the next one, so a scan at the turn is not lost.
	QRPeriod = 30 * time.Second
	// SignInLead is how long before the start sign-in opens.
	SignInLead = 30 * time.Minute
	// MaxSessionLength bounds one session (a longer course is several).
	MaxSessionLength = 24 * time.Hour
	// MaxMarked bounds one call marking people present.
	MaxMarked = 500
)

// ObjectSession is the audit object type of sessions and their attendance.
const ObjectSession = "training_session"

// Session is one classroom meeting of a program, in a room or online.
type Session struct {
	bun.BaseModel `bun:"table:training_sessions,alias:ss"`

	TenantID       ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID             ids.ID    `bun:"id,pk" json:"id"`
	ProgramID      ids.ID    `bun:"program_id" json:"programId"`
	ModuleID       ids.ID    `bun:"module_id" json:"moduleId" doc:"the module taught; 0 = the program as a whole"`
	Title          string    `bun:"title" json:"title"`
	Mode           string    `bun:"mode" json:"mode" enum:"offline,online"`
	Place          string    `bun:"place" json:"place"`
	Link           string    `bun:"link" json:"link"`
	InstructorID   ids.ID    `bun:"instructor_id" json:"instructorId" doc:"the instructor's account (0: none, or someone without one)"`
	InstructorName string    `bun:"instructor_name" json:"instructorName"`
	Capacity       int       `bun:"capacity" json:"capacity" doc:"0 = no limit"`
	StartsAt       time.Time `bun:"starts_at" json:"startsAt"`
	EndsAt         time.Time `bun:"ends_at" json:"endsAt"`
	Secret         string    `bun:"secret" json:"-"` // signs the QR codes; never shown or audited
	CreatedAt      time.Time `bun:"created_at" json:"createdAt" audit:"-"`
	UpdatedAt      time.Time `bun:"updated_at" json:"updatedAt" audit:"-"`

	// Views.
	ProgramTitle string `bun:"program_title,scanonly" json:"programTitle"`
	ModuleTitle  string `bun:"-" json:"moduleTitle"`
	SignedIn     int    `bun:"signed_in,scanonly" json:"signedIn" doc:"people signed in"`
	CanManage    bool   `bun:"-" json:"canManage" doc:"the caller may change or delete it"`
	// The learner's own attendance (their list of sessions).
	MySignedAt time.Time `bun:"my_signed_at,scanonly,nullzero" json:"-"`
	MyMethod   string    `bun:"my_method,scanonly" json:"-"`
}

// Attendance is one person signed in to a session.
type Attendance struct {
	bun.BaseModel `bun:"table:training_attendance,alias:a"`

	TenantID     ids.ID    `bun:"tenant_id,pk" json:"-"`
	SessionID    ids.ID    `bun:"session_id,pk" json:"sessionId"`
	EmployeeID   ids.ID    `bun:"employee_id,pk" json:"employeeId"`
	EmployeeName string    `bun:"employee_name" json:"employeeName"`
	Method       string    `bun:"method" json:"method" enum:"qr,instructor"`
	SignedAt     time.Time `bun:"signed_at" json:"signedAt"`
	RecordedBy   ids.ID    `bun:"recorded_by" json:"recordedBy"`
}

// AttendanceRow is one learner of a session's program, present or not.
type AttendanceRow struct {
	EmployeeID     ids.ID    `bun:"employee_id" json:"employeeId"`
	EmployeeName   string    `bun:"employee_name" json:"employeeName"`
	DepartmentID   ids.ID    `bun:"department_id" json:"departmentId"`
	DepartmentName string    `bun:"-" json:"departmentName"`
	Present        bool      `bun:"-" json:"present"`
	Method         string    `bun:"method" json:"method" doc:"qr, instructor, or '' when absent"`
	SignedAt       time.Time `bun:"signed_at" json:"signedAt"`
}

// MySession is a session as its learner (or instructor) sees it.
type MySession struct {
	Session
	Present  bool      `json:"present"`
	Method   string    `json:"method"`
	SignedAt time.Time `json:"signedAt"`
	// Sign-in opens SignInLead before the start and closes at the end.
	SignInFrom  time.Time `json:"signInFrom"`
	SignInUntil time.Time `json:"signInUntil"`
}

// SessionInput creates or replaces a session.
type SessionInput struct {
	Title          string    `json:"title" maxLength:"100"`
	ModuleID       ids.ID    `json:"moduleId,omitempty" required:"false" doc:"a module of the program (content owners must name one of theirs)"`
	Mode           string    `json:"mode" doc:"offline | online"`
	Place          string    `json:"place,omitempty" required:"false" maxLength:"200" doc:"offline: where"`
	Link           string    `json:"link,omitempty" required:"false" maxLength:"500" doc:"online: the meeting link (http or https)"`
	InstructorID   ids.ID    `json:"instructorId,omitempty" required:"false" doc:"the instructor's account: may show the QR code and take attendance"`
	InstructorName string    `json:"instructorName,omitempty" required:"false" maxLength:"100"`
	Capacity       int       `json:"capacity,omitempty" required:"false" minimum:"0" maximum:"100000" doc:"0 = no limit"`
	StartsAt       time.Time `json:"startsAt"`
	EndsAt         time.Time `json:"endsAt"`
}

// SessionFilter narrows a list of sessions: those starting in [From, To).
type SessionFilter struct {
	ProgramID    ids.ID
	InstructorID ids.ID
	From, To     time.Time
	Page, Size   int
}

// RosterFilter narrows a session's attendance sheet.
type RosterFilter struct {
	SessionID  ids.ID
	ProgramID  ids.ID // set by the service
	Q          string
	State      string // present | absent | '' (everyone enrolled)
	Page, Size int
}

// publicLinks is what the service needs to write links opened outside a
// signed-in page: the QR sign-in address and the calendar feed.
type publicLinks struct {
	baseURL string // the server's public URL, e.g. https://hr.example.com
	feedKey []byte // keys the calendar feed tokens
}

// SetPublicLinks gives the service the server's public URL (QR codes,
// feed addresses) and the key of calendar feed tokens (a feed is
// subscribed to without a cookie, so its address is the credential).
func (s *Service) SetPublicLinks(baseURL string, feedKey []byte) {
	s.links = publicLinks{baseURL: strings.TrimSuffix(baseURL, "/"), feedKey: slices.Clone(feedKey)}
}

// PublicURL is path (starting with /) on the server's public address.
func (s *Service) PublicURL(path string) string { return s.links.baseURL + path }

func (in *SessionInput) check() error {
	var f errs.Fields
	validate.Prose(&f, "title", &in.Title, 100, true)
	validate.Prose(&f, "place", &in.Place, 200, false)
	validate.Prose(&f, "instructorName", &in.InstructorName, 100, false)
	in.Link = strings.TrimSpace(in.Link)
	switch in.Mode {
	case ModeOffline:
		f.Check(in.Place != "", "place", "training.place_required")
		if in.Link != "" {
			checkLink(&f, in.Link)
		}
	case ModeOnline:
		if in.Link == "" {
			f.Add("link", "training.link_required")
		} else {
			checkLink(&f, in.Link)
		}
	default:
		f.Add("mode", "training.session_mode")
	}
	f.Check(in.InstructorID == 0 || in.InstructorName != "", "instructorName", "training.instructor_name_required")
	f.Check(in.Capacity >= 0 && in.Capacity <= 100000, "capacity", "out_of_range", errs.Params{"min": 0, "max": 100000})
	f.Check(!in.StartsAt.IsZero(), "startsAt", "required")
	f.Check(!in.EndsAt.IsZero(), "endsAt", "required")
	in.StartsAt, in.EndsAt = in.StartsAt.UTC().Truncate(time.Second), in.EndsAt.UTC().Truncate(time.Second)
	if !in.StartsAt.IsZero() && !in.EndsAt.IsZero() {
		switch {
		case !in.EndsAt.After(in.StartsAt):
			f.Add("endsAt", "training.end_before_start")
		case in.EndsAt.Sub(in.StartsAt) > MaxSessionLength:
			f.Add("endsAt", "training.session_too_long")
		}
	}
	return f.Err()
}

// checkLink accepts an http(s) address with no spaces or control
// characters (it is written as is into calendar feeds).
func checkLink(f *errs.Fields, link string) {
	u, err := url.Parse(link)
	ok := err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" &&
		!strings.ContainsFunc(link, func(r rune) bool { return r <= ' ' || r == 0x7f })
	f.Check(ok, "link", "training.link_required")
}

func (in *SessionInput) apply(x *Session) {
	x.Title, x.ModuleID, x.Mode, x.Place, x.Link = in.Title, in.ModuleID, in.Mode, in.Place, in.Link
	x.InstructorID, x.InstructorName, x.Capacity, x.StartsAt, x.EndsAt = in.InstructorID, in.InstructorName, in.Capacity, in.StartsAt, in.EndsAt
}

// manageSessions checks the caller may schedule a session of the module:
// HR (program managers) any session; content owners those of modules
// they may edit.
func (s *Service) manageSessions(ctx context.Context, p *rbac.Principal, moduleID ids.ID) error {
	if !p.Can(PermSessionManage) {
		return errs.Denied(PermSessionManage)
	}
	if p.Can(PermProgramManage) {
		return nil
	}
	if moduleID == 0 {
		return errs.E(errs.Forbidden, "training.session_module_required")
	}
	m, err := s.module(ctx, moduleID)
	if err != nil {
		return err
	}
	return canEdit(p, m)
}

// runSession checks the caller may show a session's QR code and take its
// attendance: its instructor, or whoever may manage it.
func (s *Service) runSession(ctx context.Context, p *rbac.Principal, x *Session) error {
	if x.InstructorID != 0 && x.InstructorID == p.UserID {
		return nil
	}
	if !p.Can(PermSessionManage) {
		return errs.E(errs.Forbidden, "training.not_instructor")
	}
	return s.manageSessions(ctx, p, x.ModuleID)
}

// CreateSession schedules a session of a program.
func (s *Service) CreateSession(ctx context.Context, programID ids.ID, in SessionInput) (*Session, error) {
	p, _, err := rbac.Require(ctx, PermSessionManage)
	if err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	var out *Session
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		pr, err := s.store.Program(ctx, programID)
		if err != nil {
			return err
		}
		if pr.State == ProgramClosed {
			return errs.E(errs.Conflict, "training.program_closed")
		}
		if in.ModuleID != 0 && !slices.Contains(pr.ModuleIDs, in.ModuleID) {
			return errs.InvalidField("moduleId", "training.module_not_in_program")
		}
		if err := s.manageSessions(ctx, p, in.ModuleID); err != nil {
			return err
		}
		now := s.nowUTC()
		x := &Session{TenantID: p.TenantID, ID: ids.New(), ProgramID: pr.ID, Secret: newSecret(), CreatedAt: now, UpdatedAt: now, ProgramTitle: pr.Title}
		in.apply(x)
		if err := s.store.InsertSession(ctx, x); err != nil {
			return err
		}
		out = x
		return s.record(ctx, "create", ObjectSession, x.ID, x)
	})
	if err != nil {
		return nil, err
	}
	return out, s.describeSessions(ctx, p, out)
}

// UpdateSession replaces a session's settings; the caller must be able to
// manage it before and after (a content owner cannot move it to a module
// of another department).
func (s *Service) UpdateSession(ctx context.Context, id ids.ID, in SessionInput) (*Session, error) {
	p, _, err := rbac.Require(ctx, PermSessionManage)
	if err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	var out *Session
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		x, err := s.store.LockSession(ctx, id)
		if err != nil {
			return err
		}
		if err := s.manageSessions(ctx, p, x.ModuleID); err != nil {
			return err
		}
		pr, err := s.store.Program(ctx, x.ProgramID)
		if err != nil {
			return err
		}
		if in.ModuleID != 0 && !slices.Contains(pr.ModuleIDs, in.ModuleID) {
			return errs.InvalidField("moduleId", "training.module_not_in_program")
		}
		if err := s.manageSessions(ctx, p, in.ModuleID); err != nil {
			return err
		}
		if in.Capacity > 0 {
			n, err := s.store.CountAttendance(ctx, x.ID)
			if err != nil {
				return err
			}
			if in.Capacity < n {
				return errs.InvalidField("capacity", "training.capacity_below_signed", errs.Params{"count": n})
			}
		}
		before := *x
		in.apply(x)
		x.UpdatedAt = s.nowUTC()
		if err := s.store.UpdateSession(ctx, x); err != nil {
			return err
		}
		x.ProgramTitle = pr.Title
		out = x
		return s.record(ctx, "update", ObjectSession, x.ID, audit.Diff(&before, x))
	})
	if err != nil {
		return nil, err
	}
	return s.session(ctx, p, out.ID)
}

// DeleteSession removes a session nobody has signed in to (attendance is
// a record and stays).
func (s *Service) DeleteSession(ctx context.Context, id ids.ID) error {
	p, _, err := rbac.Require(ctx, PermSessionManage)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		x, err := s.store.LockSession(ctx, id)
		if err != nil {
			return err
		}
		if err := s.manageSessions(ctx, p, x.ModuleID); err != nil {
			return err
		}
		n, err := s.store.CountAttendance(ctx, x.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return errs.E(errs.Conflict, "training.session_has_attendance", errs.Params{"count": n})
		}
		if err := s.store.DeleteSession(ctx, x.ID); err != nil {
			return err
		}
		return s.record(ctx, "delete", ObjectSession, x.ID, x)
	})
}

// Session reads a session.
func (s *Service) Session(ctx context.Context, id ids.ID) (*Session, error) {
	p, _, err := rbac.Require(ctx, PermProgramRead)
	if err != nil {
		return nil, err
	}
	return s.session(ctx, p, id)
}

func (s *Service) session(ctx context.Context, p *rbac.Principal, id ids.ID) (*Session, error) {
	x, err := s.store.Session(ctx, id)
	if err != nil {
		return nil, err
	}
	return x, s.describeSessions(ctx, p, x)
}

// Sessions lists a program's sessions by start.
func (s *Service) Sessions(ctx context.Context, f SessionFilter) ([]Session, int, error) {
	p, _, err := rbac.Require(ctx, PermProgramRead)
	if err != nil {
		return nil, 0, err
	}
	if _, err := s.store.Program(ctx, f.ProgramID); err != nil {
		return nil, 0, err
	}
	f.InstructorID = 0
	list, total, err := s.store.Sessions(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	return list, total, s.describeSessions(ctx, p, ptrs(list)...)
}

func ptrs[T any](list []T) []*T {
	out := make([]*T, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out
}

// describeSessions fills module titles and whether the caller may manage
// each session.
func (s *Service) describeSessions(ctx context.Context, p *rbac.Principal, list ...*Session) error {
	var mids []ids.ID
	for _, x := range list {
		if x.ModuleID != 0 {
			mids = append(mids, x.ModuleID)
		}
	}
	mods, err := s.store.ModulesByID(ctx, uniqueIDs(mids))
	if err != nil {
		return err
	}
	byID := map[ids.ID]*Module{}
	for i := range mods {
		byID[mods[i].ID] = &mods[i]
	}
	for _, x := range list {
		m := byID[x.ModuleID]
		if m != nil {
			x.ModuleTitle = m.Title
		}
		x.CanManage = p.Can(PermSessionManage) && (p.Can(PermProgramManage) || m != nil && CanEdit(p, m))
	}
	return nil
}

// ---- sign-in

// QR is the code a session's sign-in page shows, renewed every period.
type QR struct {
	Token         string    `json:"token"`
	URL           string    `json:"url" doc:"the learner's sign-in page with the token: show it as a QR code"`
	ExpiresAt     time.Time `json:"expiresAt" doc:"when the next code replaces this one (this one is still taken for one more period)"`
	PeriodSeconds int       `json:"periodSeconds"`
	SignInFrom    time.Time `json:"signInFrom"`
	SignInUntil   time.Time `json:"signInUntil"`
}

// newSecret is a session's random QR key.
func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// qrWindow numbers the period t falls in (like TOTP's time step).
func qrWindow(t time.Time) int64 { return t.Unix() / int64(QRPeriod/time.Second) }

func qrMAC(secret string, sessionID ids.ID, window int64) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("renshi.training.qr/" + sessionID.String() + "/" + strconv.FormatInt(window, 10)))
	return m.Sum(nil)[:9]
}

// qrToken is the code of a window: the window number (so a late code is
// told apart from a forged one) and a MAC under the session's secret.
func qrToken(secret string, sessionID ids.ID, window int64) string {
	return strconv.FormatInt(window, 36) + "." + base64.RawURLEncoding.EncodeToString(qrMAC(secret, sessionID, window))
}

// checkQR takes a code of the current or the previous window.
func checkQR(x *Session, token string, now time.Time) error {
	ws, ms, ok := strings.Cut(token, ".")
	w, werr := strconv.ParseInt(ws, 36, 64)
	mac, merr := base64.RawURLEncoding.DecodeString(ms)
	cur := qrWindow(now)
	if !ok || werr != nil || merr != nil || x.Secret == "" || !hmac.Equal(mac, qrMAC(x.Secret, x.ID, w)) || w > cur {
		return errs.InvalidField("token", "training.qr_invalid")
	}
	if w < cur-1 {
		return errs.E(errs.Conflict, "training.qr_expired")
	}
	return nil
}

func signInWindow(x *Session) (time.Time, time.Time) { return x.StartsAt.Add(-SignInLead), x.EndsAt }

// SessionQR is the current sign-in code of a session, for its instructor
// or a manager to show in the room.
func (s *Service) SessionQR(ctx context.Context, id ids.ID) (*QR, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	x, err := s.store.Session(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.runSession(ctx, p, x); err != nil {
		return nil, err
	}
	w := qrWindow(s.now())
	tok := qrToken(x.Secret, x.ID, w)
	from, until := signInWindow(x)
	return &QR{Token: tok, URL: s.PublicURL("/learn/sessions/" + x.ID.String() + "/sign-in?token=" + url.QueryEscape(tok)),
		ExpiresAt: time.Unix((w+1)*int64(QRPeriod/time.Second), 0).UTC(), PeriodSeconds: int(QRPeriod / time.Second),
		SignInFrom: from, SignInUntil: until}, nil
}

// SignIn signs the caller in to a session with the code shown in the
// room. Only learners of the session's program, while sign-in is open,
// within capacity; signing in again changes nothing.
func (s *Service) SignIn(ctx context.Context, id ids.ID, token string) (*MySession, error) {
	p, err := learner(ctx)
	if err != nil {
		return nil, err
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, errs.InvalidField("token", "required")
	}
	now := s.now()
	var out *MySession
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		x, err := s.store.LockSession(ctx, id)
		if err != nil {
			return err
		}
		if err := checkQR(x, token, now); err != nil {
			return err
		}
		from, until := signInWindow(x)
		if now.Before(from) {
			return errs.E(errs.Conflict, "training.sign_in_not_open", errs.Params{"from": from.In(rbac.Zone(ctx)).Format("2006-01-02 15:04")})
		}
		if now.After(until) {
			return errs.E(errs.Conflict, "training.sign_in_closed")
		}
		ens, err := s.store.Enrollees(ctx, x.ProgramID, []ids.ID{p.EmployeeID})
		if err != nil {
			return err
		}
		e, ok := ens[p.EmployeeID]
		if !ok {
			return errs.E(errs.Forbidden, "training.not_enrolled")
		}
		a, err := s.signIn(ctx, x, []Enrollment{e}, SignInQR, p.UserID)
		if err != nil {
			return err
		}
		out = mySession(x, &a[0])
		return nil
	})
	return out, err
}

// signIn records the enrollees present (those already in are kept as
// they were) and returns their attendance, in order.
func (s *Service) signIn(ctx context.Context, x *Session, ens []Enrollment, method string, by ids.ID) ([]Attendance, error) {
	list := make([]ids.ID, len(ens))
	for i, e := range ens {
		list[i] = e.EmployeeID
	}
	have, err := s.store.AttendanceOf(ctx, x.ID, list)
	if err != nil {
		return nil, err
	}
	now := s.nowUTC()
	var rows []Attendance
	for _, e := range ens {
		if _, ok := have[e.EmployeeID]; !ok {
			a := Attendance{TenantID: x.TenantID, SessionID: x.ID, EmployeeID: e.EmployeeID, EmployeeName: e.EmployeeName, Method: method,
				SignedAt: now, RecordedBy: by}
			rows = append(rows, a)
			have[e.EmployeeID] = a
		}
	}
	if len(rows) > 0 && x.Capacity > 0 {
		n, err := s.store.CountAttendance(ctx, x.ID)
		if err != nil {
			return nil, err
		}
		if n+len(rows) > x.Capacity {
			return nil, errs.E(errs.Conflict, "training.session_full", errs.Params{"capacity": x.Capacity, "left": max(x.Capacity-n, 0)})
		}
	}
	if err := s.store.InsertAttendance(ctx, rows); err != nil {
		return nil, err
	}
	out := make([]Attendance, len(list))
	for i, id := range list {
		out[i] = have[id]
	}
	return out, nil
}

func mySession(x *Session, a *Attendance) *MySession {
	from, until := signInWindow(x)
	out := &MySession{Session: *x, SignInFrom: from, SignInUntil: until}
	if a != nil {
		out.Present, out.Method, out.SignedAt = true, a.Method, a.SignedAt
	}
	return out
}

// AttendanceInput marks people present.
type AttendanceInput struct {
	EmployeeIDs []ids.ID `json:"employeeIds" maxItems:"500"`
}

// MarkAttendance signs learners in by hand (the instructor or a
// manager), at any time; it answers how many were newly signed in.
func (s *Service) MarkAttendance(ctx context.Context, id ids.ID, in AttendanceInput) (int, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return 0, err
	}
	list := uniqueIDs(in.EmployeeIDs)
	var f errs.Fields
	f.Check(len(list) > 0, "employeeIds", "required")
	f.Check(len(list) <= MaxMarked, "employeeIds", "too_many_items", errs.Params{"max": MaxMarked})
	if err := f.Err(); err != nil {
		return 0, err
	}
	added := 0
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		x, err := s.store.LockSession(ctx, id)
		if err != nil {
			return err
		}
		if err := s.runSession(ctx, p, x); err != nil {
			return err
		}
		found, err := s.store.Enrollees(ctx, x.ProgramID, list)
		if err != nil {
			return err
		}
		if n := len(list) - len(found); n > 0 {
			return errs.InvalidField("employeeIds", "training.not_enrolled_count", errs.Params{"count": n})
		}
		before, err := s.store.CountAttendance(ctx, x.ID)
		if err != nil {
			return err
		}
		ens := make([]Enrollment, 0, len(list))
		for _, eid := range list {
			ens = append(ens, found[eid])
		}
		if _, err := s.signIn(ctx, x, ens, SignInInstructor, p.UserID); err != nil {
			return err
		}
		after, err := s.store.CountAttendance(ctx, x.ID)
		if err != nil {
			return err
		}
		added = after - before
		return s.record(ctx, "attendance", ObjectSession, x.ID, map[string]any{"marked": list, "added": added})
	})
	return added, err
}

// Attendance lists a session's program learners with who is present,
// for its instructor or a manager.
func (s *Service) Attendance(ctx context.Context, f RosterFilter) (*Session, []AttendanceRow, int, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, nil, 0, err
	}
	x, err := s.store.Session(ctx, f.SessionID)
	if err != nil {
		return nil, nil, 0, err
	}
	if err := s.runSession(ctx, p, x); err != nil {
		return nil, nil, 0, err
	}
	if err := s.describeSessions(ctx, p, x); err != nil {
		return nil, nil, 0, err
	}
	f.ProgramID = x.ProgramID
	rows, total, err := s.store.Roster(ctx, f)
	if err != nil {
		return nil, nil, 0, err
	}
	var depts []ids.ID
	for i := range rows {
		rows[i].Present = !rows[i].SignedAt.IsZero()
		if rows[i].DepartmentID != 0 {
			depts = append(depts, rows[i].DepartmentID)
		}
	}
	names, err := s.people.DepartmentNames(ctx, uniqueIDs(depts))
	if err != nil {
		return nil, nil, 0, err
	}
	for i := range rows {
		rows[i].DepartmentName = names[rows[i].DepartmentID]
	}
	return x, rows, total, nil
}

// MySessions lists the sessions of the programs the caller is enrolled
// in, by start, with whether they signed in.
func (s *Service) MySessions(ctx context.Context, f SessionFilter) ([]MySession, int, error) {
	p, err := learner(ctx)
	if err != nil {
		return nil, 0, err
	}
	list, total, err := s.store.EmployeeSessions(ctx, p.EmployeeID, f)
	if err != nil {
		return nil, 0, err
	}
	if err := s.describeSessions(ctx, p, ptrs(list)...); err != nil {
		return nil, 0, err
	}
	out := make([]MySession, len(list))
	for i := range list {
		x := &list[i]
		var a *Attendance
		if !x.MySignedAt.IsZero() {
			a = &Attendance{Method: x.MyMethod, SignedAt: x.MySignedAt}
		}
		out[i] = *mySession(x, a)
	}
	return out, total, nil
}

// TeachingSessions lists the sessions the caller teaches, by start.
func (s *Service) TeachingSessions(ctx context.Context, f SessionFilter) ([]MySession, int, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, 0, err
	}
	f.ProgramID, f.InstructorID = 0, p.UserID
	list, total, err := s.store.Sessions(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if err := s.describeSessions(ctx, p, ptrs(list)...); err != nil {
		return nil, 0, err
	}
	out := make([]MySession, len(list))
	for i := range list {
		out[i] = *mySession(&list[i], nil)
	}
	return out, total, nil
}

// DayRange turns the days [from, to] of the caller's time zone into the
// instants [From, To) of a filter; zero days leave that end open.
func DayRange(ctx context.Context, from, to civil.Date) (time.Time, time.Time, error) {
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return time.Time{}, time.Time{}, errs.InvalidField("to", "training.end_before_start")
	}
	loc := rbac.Zone(ctx)
	var f, t time.Time
	if !from.IsZero() {
		f = from.In(loc).UTC()
	}
	if !to.IsZero() {
		t = to.AddDays(1).In(loc).UTC()
	}
	return f, t, nil
}

// ---- calendar feed

// feedTokenLen is the decoded length of a feed token: tenant, account and
// employee (8 bytes each) and 16 bytes of MAC.
const feedTokenLen = 8*3 + 16

// MaxFeedSessions bounds one feed (sessions from FeedHistory ago on).
const (
	MaxFeedSessions = 1000
	FeedHistory     = 180 * 24 * time.Hour
)

func feedMAC(key []byte, tenantID, userID, employeeID ids.ID) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("renshi.training.calendar/" + tenantID.String() + "/" + userID.String() + "/" + employeeID.String()))
	return m.Sum(nil)[:16]
}

func putID(b []byte, id ids.ID) {
	for i := 7; i >= 0; i-- {
		b[i] = byte(id)
		id >>= 8
	}
}

func getID(b []byte) ids.ID {
	var id ids.ID
	for _, c := range b[:8] {
		id = id<<8 | ids.ID(c)
	}
	return id
}

// CalendarToken is the caller's calendar feed token: it names the tenant,
// the account and its employee, with a MAC under the server's feed key,
// so the feed needs no cookie and no stored secret.
func (s *Service) CalendarToken(ctx context.Context) (string, error) {
	p, err := learner(ctx)
	if err != nil {
		return "", err
	}
	if len(s.links.feedKey) == 0 {
		return "", errs.E(errs.Unavailable, "training.calendar_off")
	}
	b := make([]byte, feedTokenLen)
	putID(b[0:], p.TenantID)
	putID(b[8:], p.UserID)
	putID(b[16:], p.EmployeeID)
	copy(b[24:], feedMAC(s.links.feedKey, p.TenantID, p.UserID, p.EmployeeID))
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// CalendarFeed writes the iCalendar feed a token opens: the sessions of
// the employee's programs. It works while the account is active and still
// the employee's; anything else is not found.
func (s *Service) CalendarFeed(ctx context.Context, token string) ([]byte, error) {
	notFound := errs.NotFoundf("object.training_calendar")
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != feedTokenLen || len(s.links.feedKey) == 0 {
		return nil, notFound
	}
	tenantID, userID, employeeID := getID(b[0:]), getID(b[8:]), getID(b[16:])
	if !hmac.Equal(b[24:], feedMAC(s.links.feedKey, tenantID, userID, employeeID)) {
		return nil, notFound
	}
	ctx = rbac.WithPrincipal(ctx, systemIn(ctx, tenantID))
	person, err := s.people.Person(ctx, employeeID)
	if errs.KindOf(err) == errs.NotFound || err == nil && (person.UserID != userID || !person.Active) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	now := s.nowUTC()
	f := SessionFilter{From: now.Add(-FeedHistory), Size: 200}
	var list []Session
	for f.Page = 1; len(list) < MaxFeedSessions; f.Page++ {
		page, total, err := s.store.EmployeeSessions(ctx, employeeID, f)
		if err != nil {
			return nil, err
		}
		list = append(list, page...)
		if len(page) == 0 || f.Page*f.Size >= total {
			break
		}
	}
	if err := s.describeSessions(ctx, rbac.From(ctx), ptrs(list)...); err != nil {
		return nil, err
	}
	host := "renshi"
	if u, err := url.Parse(s.links.baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	var c ICalendar
	c.Begin("VCALENDAR")
	c.Prop("VERSION", "2.0")
	c.Prop("PRODID", "-//Renshi//Training//ZH")
	c.Prop("CALSCALE", "GREGORIAN")
	c.Prop("METHOD", "PUBLISH")
	c.Text("X-WR-CALNAME", "培训日程 "+person.Name)
	c.Prop("REFRESH-INTERVAL;VALUE=DURATION", "PT1H")
	c.Prop("X-PUBLISHED-TTL", "PT1H")
	for i := range list {
		x := &list[i]
		c.Begin("VEVENT")
		c.Prop("UID", "training-session-"+x.ID.String()+"@"+host)
		c.Time("DTSTAMP", now)
		c.Time("LAST-MODIFIED", x.UpdatedAt)
		c.Time("DTSTART", x.StartsAt)
		c.Time("DTEND", x.EndsAt)
		c.Text("SUMMARY", x.Title)
		if x.Place != "" {
			c.Text("LOCATION", x.Place)
		} else if x.Link != "" {
			c.Text("LOCATION", x.Link)
		}
		if x.Link != "" {
			c.Prop("URL", x.Link) // a URI, not TEXT: validated to hold no spaces or controls
		}
		desc := []string{"培训项目：" + x.ProgramTitle}
		if x.ModuleTitle != "" {
			desc = append(desc, "课程："+x.ModuleTitle)
		}
		if x.InstructorName != "" {
			desc = append(desc, "讲师："+x.InstructorName)
		}
		if x.Link != "" {
			desc = append(desc, "线上链接："+x.Link)
		}
		c.Text("DESCRIPTION", strings.Join(desc, "\n"))
		c.Prop("STATUS", "CONFIRMED")
		c.End("VEVENT")
	}
	c.End("VCALENDAR")
	return c.Bytes(), nil
}

// ICalendar writes RFC 5545 text: CRLF line ends, lines folded at 75
// octets (never inside a UTF-8 character), TEXT values escaped.
type ICalendar struct{ b strings.Builder }

// Begin opens a component.
func (c *ICalendar) Begin(name string) { c.Prop("BEGIN", name) }

// End closes a component.
func (c *ICalendar) End(name string) { c.Prop("END", name) }

// Time writes a UTC date-time property.
func (c *ICalendar) Time(name string, t time.Time) { c.Prop(name, t.UTC().Format("20060102T150405Z")) }

// Text writes a TEXT property, escaped.
func (c *ICalendar) Text(name, value string) { c.Prop(name, EscapeText(value)) }

// Prop writes a property whose value is already in iCalendar form.
func (c *ICalendar) Prop(name, value string) { c.line(name + ":" + value) }

// line folds a content line: at most 75 octets per line, continuation
// lines start with a space (RFC 5545 §3.1).
func (c *ICalendar) line(s string) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	n := 0
	for _, r := range s {
		size := len(string(r))
		if n+size > 75 {
			c.b.WriteString("\r\n ")
			n = 1
		}
		c.b.WriteRune(r)
		n += size
	}
	c.b.WriteString("\r\n")
}

// Bytes is the text written.
func (c *ICalendar) Bytes() []byte { return []byte(c.b.String()) }

// EscapeText escapes an iCalendar TEXT value: backslash, semicolon and
// comma get a backslash, line breaks become \n, other control characters
// go (RFC 5545 §3.3.11).
func EscapeText(s string) string {
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n' || r == '\r':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteRune(r)
		case r < ' ' || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
