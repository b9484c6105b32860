package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/renshi/renshi/internal/app/apptest"
	"github.com/renshi/renshi/internal/demo"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/tenant"
)

// sessionsEnv is a tenant with 市场部's module in two active programs:
// three learners in the first, an outsider in the second.
type sessionsEnv struct {
	t                        *testing.T
	e                        *apptest.Env
	root, hr, owner, finance *apptest.Client
	instructor               *apptest.Client
	instructorID             string
	learners                 []*apptest.Client
	learnerIDs               []string
	outsider                 *apptest.Client
	outsiderID               string
	modID, progID, prog2ID   string
}

func (s *sessionsEnv) ok(r apptest.Response, what string) map[string]any {
	s.t.Helper()
	if r.Status < 200 || r.Status > 299 {
		s.t.Fatalf("%s: %d %s", what, r.Status, r.Body)
	}
	if len(r.Body) == 0 {
		return nil
	}
	return r.JSON()
}

// refused checks an error reply's status, code and field codes.
func (s *sessionsEnv) refused(r apptest.Response, status int, code string, fields ...string) {
	s.t.Helper()
	if r.Status != status || r.Code() != code {
		s.t.Fatalf("want %d %s, got %d %s", status, code, r.Status, r.Body)
	}
	got := r.FieldCodes()
	for _, f := range fields {
		if !slices.Contains(got, f) {
			s.t.Fatalf("want field problem %s, got %v: %s", f, got, r.Body)
		}
	}
}

func newSessionsEnv(t *testing.T) *sessionsEnv {
	e := apptest.New(t)
	s := &sessionsEnv{t: t, e: e, root: e.Login("root")}
	dept := s.ok(s.root.Do("POST", "/api/v1/departments", map[string]any{"code": "MKT", "name": "市场部", "effectiveDate": "2020-01-01"}), "department")["id"].(string)
	people := demo.NewPeople(7)
	n := 0
	hire := func() string {
		n++
		p := people.Person(n, civil.MustParse("2026-01-01"))
		return s.ok(s.root.Do("POST", "/api/v1/employees", map[string]any{"name": p.Name, "idNumber": p.IDNumber, "mobile": p.Mobile,
			"departmentId": dept, "hireDate": civil.Today(nil).String(), "probationMonths": 3}), "hire")["id"].(string)
	}
	roles := map[string]string{}
	for _, x := range s.root.Do("GET", "/api/v1/roles", nil).JSON()["items"].([]any) {
		m := x.(map[string]any)
		roles[m["code"].(string)] = m["id"].(string)
	}
	account := func(login, role, employeeID string) (*apptest.Client, string) {
		body := map[string]any{"login": login, "displayName": login, "password": apptest.Password, "grants": []any{map[string]any{"roleId": roles[role]}}}
		if employeeID != "" {
			body["employeeId"] = employeeID
		}
		u := s.ok(s.root.Do("POST", "/api/v1/users", body), "account "+login)
		return e.Login(login), u["user"].(map[string]any)["id"].(string)
	}
	s.owner, _ = account("mkt.owner", "content_owner", hire())
	s.hr, _ = account("hr", "hr_admin", "")
	s.finance, _ = account("cfo", "finance", "")
	s.instructor, s.instructorID = account("teacher", "employee", "")
	for i := 0; i < 3; i++ {
		id := hire()
		c, _ := account(fmt.Sprintf("learner%d", i), "employee", id)
		s.learners, s.learnerIDs = append(s.learners, c), append(s.learnerIDs, id)
	}
	s.outsiderID = hire()
	s.outsider, _ = account("outsider", "employee", s.outsiderID)

	s.modID = s.ok(s.owner.Do("POST", "/api/v1/training/modules", map[string]any{"title": "客户沟通", "kind": "professional"}), "module")["id"].(string)
	program := func(title string, audience []string) string {
		id := s.ok(s.hr.Do("POST", "/api/v1/training/programs", map[string]any{"title": title, "moduleIds": []string{s.modID},
			"deadlineDays": 30, "audience": map[string]any{"employeeIds": audience}}), "program")["id"].(string)
		s.ok(s.hr.Do("POST", "/api/v1/training/programs/"+id+"/activate", nil), "activate")
		return id
	}
	s.progID = program("市场部新员工培训", s.learnerIDs)
	s.prog2ID = program("另一个项目", []string{s.outsiderID})
	return s
}

// The classroom: a session with a capacity, the rotating QR code taken
// for its period and the next, refused when late, forged, too early, for
// someone not in the program or beyond capacity; the instructor marks
// people present; the attendance sheet and its export; other tenants see
// nothing.
func TestTrainingSessions(t *testing.T) {
	s := newSessionsEnv(t)
	svc := s.e.App.Training
	defer svc.SetClock(time.Now)
	// Two days on, on a 30-second boundary so the windows are exact.
	start := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Hour)
	at := func(d time.Duration) { svc.SetClock(func() time.Time { return start.Add(d) }) }
	sessions := "/api/v1/training/programs/" + s.progID + "/sessions"

	// Bad input: every field problem at once, translated.
	r := s.hr.Do("POST", sessions, map[string]any{"title": "  ", "mode": "room", "startsAt": start, "endsAt": start.Add(-time.Hour)})
	s.refused(r, 422, "invalid", "title:required", "mode:training.session_mode", "endsAt:training.end_before_start")
	if !strings.Contains(string(r.Body), "上课方式须为线下") {
		t.Fatalf("untranslated: %s", r.Body)
	}
	s.refused(s.hr.Do("POST", sessions, map[string]any{"title": "线上", "mode": "online", "link": "javascript:alert(1)", "startsAt": start,
		"endsAt": start.Add(time.Hour)}), 422, "invalid", "link:training.link_required")
	s.refused(s.hr.Do("POST", sessions, map[string]any{"title": "太长", "mode": "offline", "place": "A", "startsAt": start,
		"endsAt": start.Add(25 * time.Hour)}), 422, "invalid", "endsAt:training.session_too_long")
	// A content owner schedules sessions of the department's modules only.
	s.refused(s.owner.Do("POST", sessions, map[string]any{"title": "答疑", "mode": "online", "link": "https://meet.example.com/x",
		"startsAt": start, "endsAt": start.Add(time.Hour)}), 403, "training.session_module_required")
	ownerSession := s.ok(s.owner.Do("POST", sessions, map[string]any{"title": "答疑", "mode": "online", "link": "https://meet.example.com/x",
		"moduleId": s.modID, "startsAt": start.Add(72 * time.Hour), "endsAt": start.Add(73 * time.Hour)}), "owner's session")
	if ownerSession["moduleTitle"] != "客户沟通" || ownerSession["canManage"] != true {
		t.Fatalf("owner's session: %v", ownerSession)
	}
	// A finance clerk holds no session right.
	if r := s.finance.Do("POST", sessions, map[string]any{"title": "x", "mode": "offline", "place": "A", "startsAt": start, "endsAt": start.Add(time.Hour)}); r.Status != 403 {
		t.Fatalf("finance schedules: %d %s", r.Status, r.Body)
	}
	title := "客户沟通实战, 报价; 谈判 C:\\范例\n第二部分：从需求挖掘到异议处理的完整流程演练与复盘"
	sess := s.ok(s.hr.Do("POST", sessions, map[string]any{"title": title, "mode": "offline", "place": "3楼, 大会议室; A\\B",
		"instructorId": s.instructorID, "instructorName": "王老师", "capacity": 2, "startsAt": start, "endsAt": start.Add(2 * time.Hour)}), "session")
	sid := sess["id"].(string)
	title = sess["title"].(string) // as normalised
	if _, leaked := sess["secret"]; leaked || sess["programTitle"] != "市场部新员工培训" {
		t.Fatalf("session: %v", sess)
	}
	other := s.ok(s.hr.Do("POST", "/api/v1/training/programs/"+s.prog2ID+"/sessions", map[string]any{"title": "另一个课堂", "mode": "offline",
		"place": "B", "startsAt": start, "endsAt": start.Add(time.Hour)}), "other program's session")
	list := s.ok(s.hr.Do("GET", sessions+"?pageSize=1", nil), "sessions")
	if list["total"] != 2.0 || len(list["items"].([]any)) != 1 || list["items"].([]any)[0].(map[string]any)["id"] != sid {
		t.Fatalf("sessions: %s", mustJSON(t, list))
	}

	qr := func() string {
		t.Helper()
		q := s.ok(s.instructor.Do("GET", "/api/v1/training/sessions/"+sid+"/qr", nil), "qr")
		tok := q["token"].(string)
		if !strings.HasPrefix(q["url"].(string), "http://127.0.0.1/learn/sessions/"+sid+"/sign-in?token=") || len(tok) > 32 {
			t.Fatalf("qr: %v", q)
		}
		return tok
	}
	signIn := func(c *apptest.Client, id, tok string) apptest.Response {
		return c.Do("POST", "/api/v1/training/my/sessions/"+id+"/sign-in", map[string]any{"token": tok})
	}
	// Only its instructor or a manager shows the code.
	s.refused(s.learners[0].Do("GET", "/api/v1/training/sessions/"+sid+"/qr", nil), 403, "training.not_instructor")

	// An hour before the start, sign-in is not open.
	at(-time.Hour)
	s.refused(signIn(s.learners[0], sid, qr()), 409, "training.sign_in_not_open")

	// Ten minutes before: the first learner signs in, twice to no effect.
	at(-10 * time.Minute)
	tok := qr()
	first := s.ok(signIn(s.learners[0], sid, tok), "sign in")
	if first["present"] != true || first["method"] != "qr" {
		t.Fatalf("signed in: %v", first)
	}
	again := s.ok(signIn(s.learners[0], sid, tok), "sign in again")
	if again["signedAt"] != first["signedAt"] {
		t.Fatalf("signing in twice changed it: %v then %v", first["signedAt"], again["signedAt"])
	}
	// Someone of another program, a forged code, another session's code.
	s.refused(signIn(s.outsider, sid, tok), 403, "training.not_enrolled")
	s.refused(signIn(s.learners[1], sid, "kq3x.AAAAAAAAAAAA"), 422, "invalid", "token:training.qr_invalid")
	s.refused(signIn(s.learners[1], sid, strings.ToUpper(tok)), 422, "invalid", "token:training.qr_invalid")
	otherTok := s.ok(s.hr.Do("GET", "/api/v1/training/sessions/"+other["id"].(string)+"/qr", nil), "other qr")["token"].(string)
	s.refused(signIn(s.learners[1], sid, otherTok), 422, "invalid", "token:training.qr_invalid")
	// The code is still taken in the next period, not after: a photo of it
	// sent on a minute later is refused.
	at(-10*time.Minute + 60*time.Second)
	s.refused(signIn(s.learners[1], sid, tok), 409, "training.qr_expired")
	at(-10*time.Minute + 30*time.Second)
	s.ok(signIn(s.learners[1], sid, tok), "previous period's code")
	// Capacity 2: the third is refused.
	s.refused(signIn(s.learners[2], sid, qr()), 409, "training.session_full")

	// The instructor marks people present: only the program's learners,
	// within capacity.
	attendance := "/api/v1/training/sessions/" + sid + "/attendance"
	s.refused(s.instructor.Do("POST", attendance, map[string]any{"employeeIds": []string{s.learnerIDs[2]}}), 409, "training.session_full")
	s.refused(s.hr.Do("PUT", "/api/v1/training/sessions/"+sid, map[string]any{"title": title, "mode": "offline", "place": "3楼, 大会议室; A\\B",
		"instructorId": s.instructorID, "instructorName": "王老师", "capacity": 1, "startsAt": start, "endsAt": start.Add(2 * time.Hour)}),
		422, "invalid", "capacity:training.capacity_below_signed")
	s.ok(s.hr.Do("PUT", "/api/v1/training/sessions/"+sid, map[string]any{"title": title, "mode": "offline", "place": "3楼, 大会议室; A\\B",
		"instructorId": s.instructorID, "instructorName": "王老师", "capacity": 3, "startsAt": start, "endsAt": start.Add(2 * time.Hour)}), "capacity 3")
	s.refused(s.instructor.Do("POST", attendance, map[string]any{"employeeIds": []string{s.learnerIDs[2], s.outsiderID}}), 422, "invalid",
		"employeeIds:training.not_enrolled_count")
	marked := s.ok(s.instructor.Do("POST", attendance, map[string]any{"employeeIds": []string{s.learnerIDs[2], s.learnerIDs[0]}}), "mark")
	if marked["added"] != 1.0 || marked["signedIn"] != 3.0 {
		t.Fatalf("marked: %v", marked)
	}
	// After the end, sign-in is closed.
	at(2*time.Hour + time.Second)
	s.refused(signIn(s.learners[0], sid, qr()), 409, "training.sign_in_closed")

	sheet := s.ok(s.instructor.Do("GET", attendance, nil), "attendance")
	if sheet["total"] != 3.0 || sheet["session"].(map[string]any)["signedIn"] != 3.0 {
		t.Fatalf("attendance: %s", mustJSON(t, sheet))
	}
	methods := map[string]string{}
	for _, x := range sheet["items"].([]any) {
		row := x.(map[string]any)
		if row["present"] != true || row["departmentName"] != "市场部" {
			t.Fatalf("row: %v", row)
		}
		methods[row["employeeId"].(string)] = row["method"].(string)
	}
	if methods[s.learnerIDs[0]] != "qr" || methods[s.learnerIDs[2]] != "instructor" {
		t.Fatalf("methods: %v", methods)
	}
	if absent := s.ok(s.hr.Do("GET", attendance+"?state=absent", nil), "absent"); absent["total"] != 0.0 {
		t.Fatalf("absent: %v", absent)
	}
	export := s.instructor.Do("GET", attendance+"/export?format=csv", nil)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(export.Body, []byte("\ufeff")))).ReadAll()
	if export.Status != 200 || err != nil || len(rows) != 4 || rows[1][0] != title || !strings.Contains(string(export.Body), "扫码签到") ||
		!strings.Contains(string(export.Body), "讲师登记") {
		t.Fatalf("attendance export: %d %v %s", export.Status, err, export.Body)
	}
	if x := s.hr.Do("GET", attendance+"/export", nil); x.Status != 200 || !bytes.HasPrefix(x.Body, []byte("PK")) {
		t.Fatalf("xlsx export: %d", x.Status)
	}
	s.refused(s.learners[0].Do("GET", attendance+"/export?format=csv", nil), 403, "training.not_instructor")

	// The learner's and the instructor's lists.
	mine := s.ok(s.learners[0].Do("GET", "/api/v1/training/my/sessions", nil), "my sessions")
	if mine["total"] != 2.0 {
		t.Fatalf("my sessions: %s", mustJSON(t, mine))
	}
	if m := mine["items"].([]any)[0].(map[string]any); m["id"] != sid || m["present"] != true {
		t.Fatalf("my session: %v", m)
	}
	if m := mine["items"].([]any)[1].(map[string]any); m["present"] != false || m["link"] != "https://meet.example.com/x" {
		t.Fatalf("my other session: %v", m)
	}
	if out := s.ok(s.outsider.Do("GET", "/api/v1/training/my/sessions", nil), "outsider's sessions"); out["total"] != 1.0 {
		t.Fatalf("outsider's sessions: %s", mustJSON(t, out))
	}
	teaching := s.ok(s.instructor.Do("GET", "/api/v1/training/my/sessions?teaching=true", nil), "teaching")
	if teaching["total"] != 1.0 || teaching["items"].([]any)[0].(map[string]any)["id"] != sid {
		t.Fatalf("teaching: %s", mustJSON(t, teaching))
	}

	// A session with attendance stays; the owner deletes theirs.
	s.refused(s.hr.Do("DELETE", "/api/v1/training/sessions/"+sid, nil), 409, "training.session_has_attendance")
	if r := s.owner.Do("DELETE", "/api/v1/training/sessions/"+sid, nil); r.Status != 403 {
		t.Fatalf("owner deletes HR's session: %d %s", r.Status, r.Body)
	}
	if r := s.owner.Do("DELETE", "/api/v1/training/sessions/"+ownerSession["id"].(string), nil); r.Status != 204 {
		t.Fatalf("owner deletes their session: %d %s", r.Status, r.Body)
	}

	// Another tenant sees none of it.
	ctx := context.Background()
	if _, err := s.e.App.Tenants.Create(ctx, tenant.New{Code: "other", Name: "Other Co"}); err != nil {
		t.Fatal(err)
	}
	s.e.UserIn("other", "boss", "super_admin")
	boss := s.e.Anonymous()
	s.ok(boss.Do("POST", "/api/v1/auth/login", map[string]any{"tenant": "other", "login": "boss", "password": apptest.Password}), "login other")
	for _, x := range []struct{ method, path string }{{"GET", "/api/v1/training/sessions/" + sid}, {"GET", "/api/v1/training/sessions/" + sid + "/qr"},
		{"GET", attendance}, {"DELETE", "/api/v1/training/sessions/" + sid}} {
		if r := boss.Do(x.method, x.path, nil); r.Status != 404 {
			t.Fatalf("other tenant %s %s: %d %s", x.method, x.path, r.Status, r.Body)
		}
	}
	if r := boss.Do("POST", attendance, map[string]any{"employeeIds": []string{s.learnerIDs[0]}}); r.Status != 404 {
		t.Fatalf("other tenant marks attendance: %d %s", r.Status, r.Body)
	}
	otherDept := s.ok(boss.Do("POST", "/api/v1/departments", map[string]any{"code": "X", "name": "X", "effectiveDate": "2020-01-01"}), "dept")["id"].(string)
	p := demo.NewPeople(99).Person(1, civil.MustParse("2026-01-01"))
	foreign := s.ok(boss.Do("POST", "/api/v1/employees", map[string]any{"name": p.Name, "idNumber": p.IDNumber, "mobile": p.Mobile,
		"departmentId": otherDept, "hireDate": civil.Today(nil).String()}), "foreign hire")["id"].(string)
	s.refused(s.hr.Do("POST", attendance, map[string]any{"employeeIds": []string{foreign}}), 422, "invalid", "employeeIds:training.not_enrolled_count")

	// The audit log has the sessions' changes and the hand-marked attendance.
	audit := s.ok(s.root.Do("GET", "/api/v1/audit?objectType=training_session&pageSize=100", nil), "audit")
	actions := map[string]int{}
	for _, x := range audit["items"].([]any) {
		entry := x.(map[string]any)
		actions[entry["action"].(string)]++
		if strings.Contains(string(mustJSON(t, entry)), "secret") {
			t.Fatalf("the QR secret is in the audit log: %v", entry)
		}
	}
	if actions["create"] != 3 || actions["update"] != 1 || actions["delete"] != 1 || actions["attendance"] != 1 {
		t.Fatalf("audit: %v", actions)
	}
}

// The calendar feed: a learner's sessions as RFC 5545 text any calendar
// app subscribes to without a cookie: folded at 75 octets, CRLF, TEXT
// escaped; a tampered address is not found.
func TestTrainingCalendarFeed(t *testing.T) {
	s := newSessionsEnv(t)
	start := time.Now().UTC().Add(24 * time.Hour).Truncate(time.Minute)
	title := "客户沟通实战, 报价; 谈判 C:\\范例\n第二部分：从需求挖掘到异议处理的完整流程演练与复盘（含角色扮演）"
	sess := s.ok(s.hr.Do("POST", "/api/v1/training/programs/"+s.progID+"/sessions", map[string]any{"title": title, "mode": "offline",
		"place": "3楼, 大会议室; A\\B", "instructorName": "王老师", "startsAt": start, "endsAt": start.Add(90 * time.Minute)}), "session")
	online := s.ok(s.hr.Do("POST", "/api/v1/training/programs/"+s.progID+"/sessions", map[string]any{"title": "线上答疑", "mode": "online",
		"link": "https://meet.example.com/j/123?pwd=a,b", "startsAt": start.Add(48 * time.Hour), "endsAt": start.Add(49 * time.Hour)}), "online")
	s.ok(s.hr.Do("POST", "/api/v1/training/programs/"+s.prog2ID+"/sessions", map[string]any{"title": "别人的课堂", "mode": "offline",
		"place": "B", "startsAt": start, "endsAt": start.Add(time.Hour)}), "other program's session")

	link := s.ok(s.learners[0].Do("GET", "/api/v1/training/my/calendar", nil), "my calendar")
	u := link["url"].(string)
	if !strings.HasPrefix(u, "http://127.0.0.1/api/v1/training/calendar/") || !strings.HasSuffix(u, ".ics") ||
		link["webcal"] != "webcal://"+strings.TrimPrefix(u, "http://") {
		t.Fatalf("calendar link: %v", link)
	}
	// The same address every time; someone else's differs.
	if again := s.ok(s.learners[0].Do("GET", "/api/v1/training/my/calendar", nil), "again")["url"]; again != u {
		t.Fatalf("feed address changed: %v", again)
	}
	if theirs := s.ok(s.learners[1].Do("GET", "/api/v1/training/my/calendar", nil), "theirs")["url"]; theirs == u {
		t.Fatal("two learners share a feed address")
	}
	// An account without an employee record has no feed.
	if r := s.hr.Do("GET", "/api/v1/training/my/calendar", nil); r.Status != 404 {
		t.Fatalf("HR's calendar: %d %s", r.Status, r.Body)
	}

	path := strings.TrimPrefix(u, "http://127.0.0.1")
	res := s.e.Anonymous().Do("GET", path, nil) // no cookie
	if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s %s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	events := parseICS(t, res.Body)
	if len(events) != 2 {
		t.Fatalf("want the learner's 2 sessions, got %d: %s", len(events), res.Body)
	}
	ev := events[0]
	if ev["SUMMARY"] != sess["title"] || ev["LOCATION"] != "3楼, 大会议室; A\\B" {
		t.Fatalf("summary %q (want %q), location %q", ev["SUMMARY"], sess["title"], ev["LOCATION"])
	}
	if ev["DTSTART"] != start.Format("20060102T150405Z") || ev["DTEND"] != start.Add(90*time.Minute).Format("20060102T150405Z") ||
		!strings.HasPrefix(ev["UID"], "training-session-"+sess["id"].(string)+"@") || ev["DTSTAMP"] == "" {
		t.Fatalf("event: %v", ev)
	}
	if !strings.Contains(ev["DESCRIPTION"], "培训项目：市场部新员工培训\n") || !strings.Contains(ev["DESCRIPTION"], "讲师：王老师") {
		t.Fatalf("description: %q", ev["DESCRIPTION"])
	}
	if ev2 := events[1]; ev2["URL"] != online["link"] || ev2["SUMMARY"] != "线上答疑" {
		t.Fatalf("online event: %v", ev2)
	}
	// The escaping itself, as sent.
	raw := string(bytes.ReplaceAll(res.Body, []byte("\r\n "), nil))
	if !strings.Contains(raw, `LOCATION:3楼\, 大会议室\; A\\B`+"\r\n") || !strings.Contains(raw, `报价\; 谈判 C:\\范例\n第二部分`) {
		t.Fatalf("escaping: %s", raw)
	}

	// Tampered, truncated or foreign addresses are not found.
	tok := strings.TrimSuffix(strings.TrimPrefix(path, "/api/v1/training/calendar/"), ".ics")
	flip := []byte(tok)
	flip[len(flip)-2] ^= 1
	for _, bad := range []string{string(flip), tok[:len(tok)-4], "x", tok + "A"} {
		if r := s.e.Anonymous().Do("GET", "/api/v1/training/calendar/"+bad+".ics", nil); r.Status != 404 {
			t.Fatalf("bad token %q: %d", bad, r.Status)
		}
	}
	if r := s.e.Anonymous().Do("GET", "/api/v1/training/calendar/"+tok, nil); r.Status != 404 {
		t.Fatalf("without .ics: %d", r.Status)
	}
	// Another server key (another installation) does not open it.
	other := apptest.New(t)
	if r := other.Anonymous().Do("GET", path, nil); r.Status != 404 {
		t.Fatalf("another installation: %d", r.Status)
	}
}

// parseICS checks RFC 5545 structure (CRLF, lines of at most 75 octets
// folded on character boundaries, balanced components, required
// properties) and returns each VEVENT's properties, TEXT unescaped.
func parseICS(t *testing.T, body []byte) []map[string]string {
	t.Helper()
	s := string(body)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatalf("does not end with CRLF: %q", s[max(0, len(s)-20):])
	}
	physical := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	var lines []string
	for _, l := range physical {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("bare line break in %q", l)
		}
		if len(l) > 75 {
			t.Fatalf("line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Fatalf("folding split a character: %q", l)
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if len(lines) == 0 {
				t.Fatal("continuation first")
			}
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	folded := len(physical) > len(lines)
	if !folded {
		t.Fatal("no line was folded: the test title is too short to tell")
	}
	var stack []string
	var events []map[string]string
	var cur map[string]string
	calProps := map[string]bool{}
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("no colon: %q", l)
		}
		name, _, _ = strings.Cut(name, ";") // parameters
		switch name {
		case "BEGIN":
			stack = append(stack, value)
			if value == "VEVENT" {
				cur = map[string]string{}
			}
			continue
		case "END":
			if len(stack) == 0 || stack[len(stack)-1] != value {
				t.Fatalf("END:%s does not close %v", value, stack)
			}
			stack = stack[:len(stack)-1]
			if value == "VEVENT" {
				for _, req := range []string{"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"} {
					if cur[req] == "" {
						t.Fatalf("event without %s: %v", req, cur)
					}
				}
				events = append(events, cur)
				cur = nil
			}
			continue
		}
		if len(stack) == 0 {
			t.Fatalf("property outside VCALENDAR: %q", l)
		}
		if cur == nil {
			calProps[name] = true
			continue
		}
		switch name {
		case "SUMMARY", "LOCATION", "DESCRIPTION":
			cur[name] = unescapeICS(t, value)
		default:
			cur[name] = value
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed %v", stack)
	}
	if !calProps["VERSION"] || !calProps["PRODID"] {
		t.Fatalf("calendar properties: %v", calProps)
	}
	return events
}

// unescapeICS reads a TEXT value, failing on a bare , or ; (unescaped).
func unescapeICS(t *testing.T, v string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && i+1 < len(v):
			i++
			switch v[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			case '\\', ';', ',':
				b.WriteByte(v[i])
			default:
				t.Fatalf("bad escape in %q", v)
			}
		case c == ',' || c == ';':
			t.Fatalf("unescaped %c in %q", c, v)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// A learner asks the module's owners; they (and nobody else) see and
// answer it; the learner is told and sees the answer.
func TestTrainingQuestionsToOwners(t *testing.T) {
	s := newSessionsEnv(t)
	mine := "/api/v1/training/my/modules/" + s.modID + "/questions"
	s.refused(s.learners[0].Do("POST", mine, map[string]any{"body": "   "}), 422, "invalid", "body:required")
	s.refused(s.learners[0].Do("POST", "/api/v1/training/my/modules/12345/questions", map[string]any{"body": "?"}), 404, "training.ask_not_assigned")
	q := s.ok(s.learners[0].Do("POST", mine, map[string]any{"body": "报价单的折扣上限是多少？"}), "ask")
	qid := q["id"].(string)
	if q["answered"] != false || q["moduleTitle"] != "客户沟通" {
		t.Fatalf("asked: %v", q)
	}
	s.ok(s.learners[1].Do("POST", mine, map[string]any{"body": "案例在哪里下载？"}), "ask 2")
	inbox := s.ok(s.owner.Do("GET", "/api/v1/notifications", nil), "owner's inbox")
	if !strings.Contains(string(mustJSON(t, inbox)), "学员提问：客户沟通") {
		t.Fatalf("owner not told: %s", mustJSON(t, inbox))
	}
	// Another learner sees only their own.
	if theirs := s.ok(s.learners[1].Do("GET", mine, nil), "theirs")["items"].([]any); len(theirs) != 1 || theirs[0].(map[string]any)["id"] == qid {
		t.Fatalf("learner 1's questions: %v", theirs)
	}
	// The owners' list; HR holds no right over 市场部's module.
	waiting := s.ok(s.owner.Do("GET", "/api/v1/training/asked?answered=false&pageSize=1", nil), "waiting")
	if waiting["total"] != 2.0 || len(waiting["items"].([]any)) != 1 {
		t.Fatalf("waiting: %s", mustJSON(t, waiting))
	}
	if hrs := s.ok(s.hr.Do("GET", "/api/v1/training/asked", nil), "HR's list"); hrs["total"] != 0.0 {
		t.Fatalf("HR sees 市场部's questions: %s", mustJSON(t, hrs))
	}
	s.refused(s.hr.Do("GET", "/api/v1/training/asked?moduleId="+s.modID, nil), 403, "training.owned_by_department")
	s.refused(s.hr.Do("POST", "/api/v1/training/asked/"+qid+"/answer", map[string]any{"answer": "10%"}), 403, "training.owned_by_department")
	s.refused(s.owner.Do("POST", "/api/v1/training/asked/"+qid+"/answer", map[string]any{"answer": " "}), 422, "invalid", "answer:training.answer_empty")
	s.refused(s.owner.Do("POST", "/api/v1/training/asked/12345/answer", map[string]any{"answer": "x"}), 404, "not_found")
	a := s.ok(s.owner.Do("POST", "/api/v1/training/asked/"+qid+"/answer", map[string]any{"answer": "一般不超过 10%，特殊情况找经理审批。"}), "answer")
	if a["answered"] != true || a["answererName"] != "mkt.owner" {
		t.Fatalf("answered: %v", a)
	}
	inbox = s.ok(s.learners[0].Do("GET", "/api/v1/notifications", nil), "learner's inbox")
	if !strings.Contains(string(mustJSON(t, inbox)), "您的提问已有回复：客户沟通") {
		t.Fatalf("learner not told: %s", mustJSON(t, inbox))
	}
	got := s.ok(s.learners[0].Do("GET", mine, nil), "my questions")["items"].([]any)
	if len(got) != 1 || got[0].(map[string]any)["answer"] != a["answer"] || !strings.HasPrefix(a["answer"].(string), "一般不超过 10%") {
		t.Fatalf("my questions: %v", got)
	}
	if done := s.ok(s.owner.Do("GET", "/api/v1/training/asked?answered=true&moduleId="+s.modID, nil), "answered"); done["total"] != 1.0 {
		t.Fatalf("answered: %s", mustJSON(t, done))
	}
	// The outsider's program has the module too: they may ask.
	s.ok(s.outsider.Do("POST", mine, map[string]any{"body": "我也想问"}), "outsider asks")
	if all := s.ok(s.owner.Do("GET", "/api/v1/training/asked", nil), "all"); all["total"] != 3.0 {
		t.Fatalf("all: %s", mustJSON(t, all))
	}
	audit := s.ok(s.root.Do("GET", "/api/v1/audit?objectType=training_question_asked", nil), "audit")
	if audit["total"] != 1.0 {
		t.Fatalf("audit of answers: %s", mustJSON(t, audit))
	}
}

// Program costs: HR records them in fen; finance lists them across
// programs by date with an exact total and exports them with a total row.
func TestTrainingCosts(t *testing.T) {
	s := newSessionsEnv(t)
	costs := "/api/v1/training/programs/" + s.progID + "/costs"
	if r := s.finance.Do("POST", costs, map[string]any{"category": "venue", "amountFen": 100, "date": "2026-03-01"}); r.Status != 403 {
		t.Fatalf("finance records a cost: %d", r.Status)
	}
	s.refused(s.hr.Do("POST", costs, map[string]any{"category": "food", "amountFen": 100, "date": "2026-03-01"}), 422, "invalid", "category:invalid_choice")
	r := s.hr.Do("POST", costs, map[string]any{"category": "venue", "amountFen": 0, "date": "2026-03-01", "vendor": "  "})
	s.refused(r, 422, "invalid", "amountFen:training.amount_range")
	if !strings.Contains(string(r.Body), "金额须大于 0 且不超过 1000000000.00 元") {
		t.Fatalf("untranslated: %s", r.Body)
	}
	s.refused(s.hr.Do("POST", costs, map[string]any{"category": "venue", "amountFen": 100, "date": "2026-02-30"}), 422, "invalid")
	s.refused(s.hr.Do("POST", "/api/v1/training/programs/12345/costs", map[string]any{"category": "venue", "amountFen": 100, "date": "2026-03-01"}), 404, "not_found")
	add := func(prog, category string, fen int64, date, vendor string) map[string]any {
		return s.ok(s.hr.Do("POST", "/api/v1/training/programs/"+prog+"/costs", map[string]any{"category": category, "amountFen": fen,
			"date": date, "vendor": vendor, "note": "发票号 001"}), "cost")
	}
	venue := add(s.progID, "venue", 123450, "2026-03-01", "=HYPERLINK(\"x\")")
	if venue["amount"] != "1234.50" || venue["programTitle"] != "市场部新员工培训" {
		t.Fatalf("cost: %v", venue)
	}
	add(s.progID, "other", 5, "2026-03-15", "")
	add(s.prog2ID, "instructor", 9999, "2026-03-31", "王老师")
	add(s.progID, "travel", 100000, "2026-04-01", "")

	// Finance across programs, March.
	march := s.ok(s.finance.Do("GET", "/api/v1/training/costs?from=2026-03-01&to=2026-03-31&pageSize=2", nil), "march")
	if march["total"] != 3.0 || march["totalFen"] != 133454.0 || march["totalAmount"] != "1334.54" || len(march["items"].([]any)) != 2 {
		t.Fatalf("march: %s", mustJSON(t, march))
	}
	if first := march["items"].([]any)[0].(map[string]any); first["date"] != "2026-03-31" || first["amount"] != "99.99" {
		t.Fatalf("newest first: %v", first)
	}
	prog := s.ok(s.hr.Do("GET", costs+"?category=venue", nil), "program's venue costs")
	if prog["total"] != 1.0 || prog["totalAmount"] != "1234.50" {
		t.Fatalf("program costs: %s", mustJSON(t, prog))
	}
	s.refused(s.finance.Do("GET", "/api/v1/training/costs?from=2026-04-01&to=2026-03-01", nil), 422, "invalid", "to:training.end_before_start")
	if r := s.owner.Do("GET", "/api/v1/training/costs", nil); r.Status != 403 {
		t.Fatalf("a content owner reads costs: %d", r.Status)
	}

	// The export: every line, amounts in yuan, the total row; a formula is
	// not run.
	export := s.finance.Do("GET", "/api/v1/training/costs/export?format=csv&to=2026-03-31", nil)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(export.Body, []byte("\ufeff")))).ReadAll()
	if export.Status != 200 || err != nil || len(rows) != 5 {
		t.Fatalf("export: %d %v %s", export.Status, err, export.Body)
	}
	last := rows[len(rows)-1]
	if last[0] != "合计" || last[1] != "共 3 笔" || last[3] != "1334.54" {
		t.Fatalf("total row: %v", last)
	}
	if rows[3][2] != "场地费" || rows[3][3] != "1234.50" || rows[3][4] != "'=HYPERLINK(\"x\")" || rows[2][3] != "0.05" {
		t.Fatalf("rows: %v", rows)
	}
	if x := s.finance.Do("GET", "/api/v1/training/costs/export?programId="+s.progID, nil); x.Status != 200 || !bytes.HasPrefix(x.Body, []byte("PK")) {
		t.Fatalf("xlsx: %d", x.Status)
	}
	if x := s.finance.Do("GET", "/api/v1/training/costs/export?from=2026-04-01&to=2026-03-01", nil); x.Status != 422 {
		t.Fatalf("bad range export: %d", x.Status)
	}

	// Deleting: HR only; audited with what it was.
	id := venue["id"].(string)
	if r := s.finance.Do("DELETE", "/api/v1/training/costs/"+id, nil); r.Status != 403 {
		t.Fatalf("finance deletes: %d", r.Status)
	}
	if r := s.hr.Do("DELETE", "/api/v1/training/costs/"+id, nil); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	s.refused(s.hr.Do("DELETE", "/api/v1/training/costs/"+id, nil), 404, "not_found")
	if after := s.ok(s.finance.Do("GET", "/api/v1/training/costs", nil), "after"); after["total"] != 3.0 || after["totalFen"] != 110004.0 {
		t.Fatalf("after delete: %s", mustJSON(t, after))
	}
	audit := s.ok(s.root.Do("GET", "/api/v1/audit?objectType=training_cost&pageSize=100", nil), "audit")
	actions := map[string]int{}
	for _, x := range audit["items"].([]any) {
		entry := x.(map[string]any)
		actions[entry["action"].(string)]++
		if entry["action"] == "delete" && !strings.Contains(string(mustJSON(t, entry["diff"])), "123450") {
			t.Fatalf("delete audit without the amount: %v", entry)
		}
	}
	if actions["create"] != 4 || actions["delete"] != 1 {
		t.Fatalf("audit: %v", actions)
	}
}

// Learners signing in at the same moment never overfill a session.
func TestTrainingSessionCapacityAtOnce(t *testing.T) {
	s := newSessionsEnv(t)
	start := time.Now().UTC().Add(10 * time.Minute)
	sess := s.ok(s.hr.Do("POST", "/api/v1/training/programs/"+s.progID+"/sessions", map[string]any{"title": "小班", "mode": "offline",
		"place": "A", "capacity": 2, "startsAt": start, "endsAt": start.Add(time.Hour)}), "session")
	sid := sess["id"].(string)
	tok := s.ok(s.hr.Do("GET", "/api/v1/training/sessions/"+sid+"/qr", nil), "qr")["token"].(string)
	codes := make([]string, len(s.learners))
	var wg sync.WaitGroup
	for i, c := range s.learners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := c.Do("POST", "/api/v1/training/my/sessions/"+sid+"/sign-in", map[string]any{"token": tok})
			codes[i] = fmt.Sprint(r.Status, r.Code())
		}()
	}
	wg.Wait()
	slices.Sort(codes)
	if !slices.Equal(codes, []string{"200", "200", "409training.session_full"}) {
		t.Fatalf("sign-ins at once: %v", codes)
	}
	if got := s.ok(s.hr.Do("GET", "/api/v1/training/sessions/"+sid, nil), "session")["signedIn"]; got != 2.0 {
		t.Fatalf("signed in: %v", got)
	}
}
