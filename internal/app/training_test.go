package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/app"
	"github.com/renshi/renshi/internal/app/apptest"
	"github.com/renshi/renshi/internal/demo"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/training"
)

// pdf is the smallest file the upload sniffer takes for a PDF.
var pdf = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

// The scenario through the API: 市场部's content owner builds a
// module with three materials and a 20-question test; HR's program takes
// new hires of 市场部, who are enrolled as the core HR module records
// them; one fails with 70, is reminded, retakes and passes; one never
// starts and becomes overdue; the accountability report shows who owes
// what; HR cannot delete 市场部's material and 市场部 cannot edit the
// general module.
func TestTrainingScenario(t *testing.T) {
	e := apptest.New(t)
	root := e.Login("root")
	ok := func(r apptest.Response, what string) map[string]any {
		t.Helper()
		if r.Status < 200 || r.Status > 299 {
			t.Fatalf("%s: %d %s", what, r.Status, r.Body)
		}
		if len(r.Body) == 0 {
			return nil
		}
		return r.JSON()
	}
	dept := func(code, name string) string {
		return ok(root.Do("POST", "/api/v1/departments", map[string]any{"code": code, "name": name, "effectiveDate": "2020-01-01"}), "department")["id"].(string)
	}
	mkt := dept("MKT", "市场部")
	people := demo.NewPeople(11)
	n := 0
	hire := func(deptID string) (string, string) {
		n++
		p := people.Person(n, civil.MustParse("2026-01-01"))
		id := ok(root.Do("POST", "/api/v1/employees", map[string]any{"name": p.Name, "idNumber": p.IDNumber, "mobile": p.Mobile,
			"departmentId": deptID, "hireDate": civil.Today(nil).String(), "probationMonths": 3}), "hire")["id"].(string)
		return id, p.Name
	}
	roles := map[string]string{}
	for _, x := range root.Do("GET", "/api/v1/roles", nil).JSON()["items"].([]any) {
		m := x.(map[string]any)
		roles[m["code"].(string)] = m["id"].(string)
	}
	account := func(login, role, employeeID string) *apptest.Client {
		body := map[string]any{"login": login, "displayName": login, "password": apptest.Password, "grants": []any{map[string]any{"roleId": roles[role]}}}
		if employeeID != "" {
			body["employeeId"] = employeeID
		}
		ok(root.Do("POST", "/api/v1/users", body), "account "+login)
		return e.Login(login)
	}
	bossID, _ := hire(mkt)
	owner := account("mkt.owner", "content_owner", bossID)
	hr := account("hr", "hr_admin", "")

	// 市场部 builds its module.
	mod := ok(owner.Do("POST", "/api/v1/training/modules", map[string]any{"title": "客户沟通", "kind": "professional", "creditHours": 2,
		"testEnabled": true, "passMark": 80, "maxAttempts": 3}), "module")
	modID := mod["id"].(string)
	if mod["ownerDepartmentName"] != "市场部" || mod["passMark"] != 80.0 {
		t.Fatalf("module: %v", mod)
	}
	var materialIDs []string
	for _, title := range []string{"客户沟通话术模板", "常见问题应对案例", "沟通效果评估表"} {
		m := ok(owner.Upload("/api/v1/training/modules/"+modID+"/materials/upload", title+".pdf", pdf, map[string]string{"title": title}), "upload")
		materialIDs = append(materialIDs, m["id"].(string))
	}
	// An oversized document is refused before anything is stored.
	if r := owner.Upload("/api/v1/training/modules/"+modID+"/materials/upload", "huge.pdf", append(append([]byte{}, pdf...), make([]byte, 51<<20)...), nil); r.Status != 413 {
		t.Fatalf("51 MiB PDF: %d %s", r.Status, r.Body)
	}
	// A disallowed upload is refused naming the field.
	if r := owner.Upload("/api/v1/training/modules/"+modID+"/materials/upload", "evil.exe", []byte("MZ\x90\x00binary"), nil); r.Status != 422 {
		t.Fatalf("exe upload: %d %s", r.Status, r.Body)
	}
	for i := 0; i < 20; i++ {
		ok(owner.Do("POST", "/api/v1/training/modules/"+modID+"/questions", map[string]any{"kind": "single",
			"stem": fmt.Sprintf("问题 %d", i+1), "options": []string{"对", "错", "不确定"}, "answer": []string{"0"}}), "question")
	}
	// HR owns the general module; 市场部 cannot edit it, HR cannot touch 市场部's content.
	culture := ok(hr.Do("POST", "/api/v1/training/modules", map[string]any{"title": "企业文化", "kind": "general"}), "general module")
	if r := owner.Do("PUT", "/api/v1/training/modules/"+culture["id"].(string), map[string]any{"title": "改名", "kind": "general"}); r.Status != 403 || r.Code() != "training.general_owned_by_hr" {
		t.Fatalf("content owner edits the general module: %d %s", r.Status, r.Body)
	}
	if r := hr.Do("DELETE", "/api/v1/training/materials/"+materialIDs[0], nil); r.Status != 403 || r.Code() != "training.owned_by_department" {
		t.Fatalf("HR deletes 市场部's material: %d %s", r.Status, r.Body)
	}
	if r := hr.Do("POST", "/api/v1/training/modules/"+modID+"/questions", map[string]any{"kind": "truefalse", "stem": "x", "answer": []string{"true"}}); r.Status != 403 {
		t.Fatalf("HR adds a question to 市场部's bank: %d %s", r.Status, r.Body)
	}

	// HR's program takes 市场部's new hires, 3 days each.
	prog := ok(hr.Do("POST", "/api/v1/training/programs", map[string]any{"title": "市场部新员工培训", "moduleIds": []string{modID},
		"deadlineDays": 3, "audience": map[string]any{"newHiresOf": mkt}}), "program")
	progID := prog["id"].(string)
	ok(hr.Do("POST", "/api/v1/training/programs/"+progID+"/duties", map[string]any{"kind": "provide", "moduleId": modID,
		"title": "提供《项目实战案例》", "dueDate": civil.Today(nil).AddDays(1).String()}), "duty")
	ok(hr.Do("POST", "/api/v1/training/programs/"+progID+"/activate", nil), "activate")
	var learners []*apptest.Client
	var names []string
	for i := 0; i < 3; i++ {
		id, name := hire(mkt)
		learners = append(learners, account(fmt.Sprintf("new%d", i), "employee", id))
		names = append(names, name)
	}
	enrolled := ok(hr.Do("GET", "/api/v1/training/programs/"+progID+"/enrollments", nil), "enrollments")
	if enrolled["total"] != 3.0 {
		t.Fatalf("new hires enrolled: %v", enrolled["total"])
	}

	// The first studies, scores 70, is reminded, retakes and passes.
	a := learners[0]
	tasks := ok(a.Do("GET", "/api/v1/training/my/tasks", nil), "tasks")["items"].([]any)
	if len(tasks) != 1 {
		t.Fatalf("tasks: %v", tasks)
	}
	for _, id := range materialIDs {
		ok(a.Do("POST", "/api/v1/training/my/materials/"+id+"/view", map[string]any{"seconds": 60}), "view")
	}
	sit := func(right int) map[string]any {
		t.Helper()
		paper := ok(a.Do("POST", "/api/v1/training/my/modules/"+modID+"/attempts", nil), "start")
		attempt := paper["attempt"].(map[string]any)
		answers := map[string][]string{}
		for i, q := range paper["questions"].([]any) {
			qid := q.(map[string]any)["id"].(string)
			if i < right {
				answers[qid] = []string{"0"}
			} else {
				answers[qid] = []string{"1"}
			}
		}
		id := attempt["id"].(string)
		res := ok(a.Do("POST", "/api/v1/training/my/attempts/"+id+"/submit", map[string]any{"answers": answers}), "submit")
		// Submitting again returns the same result.
		again := ok(a.Do("POST", "/api/v1/training/my/attempts/"+id+"/submit", map[string]any{"answers": map[string][]string{}}), "resubmit")
		if again["score"] != res["score"] {
			t.Fatalf("double submission changed the score: %v then %v", res["score"], again["score"])
		}
		return res
	}
	first := sit(14)
	if first["score"] != 70.0 || first["passed"] != false {
		t.Fatalf("first attempt: %v", first)
	}
	inbox := ok(a.Do("GET", "/api/v1/notifications", nil), "inbox")
	if !strings.Contains(string(mustJSON(t, inbox)), "请重新参加考试") {
		t.Fatalf("no retake reminder: %s", mustJSON(t, inbox))
	}
	// Tampered question ids are refused.
	paper := ok(a.Do("POST", "/api/v1/training/my/modules/"+modID+"/attempts", nil), "start")
	aid := paper["attempt"].(map[string]any)["id"].(string)
	if r := a.Do("POST", "/api/v1/training/my/attempts/"+aid+"/submit", map[string]any{"answers": map[string][]string{"12345": {"0"}}}); r.Status != 422 {
		t.Fatalf("tampered question id: %d %s", r.Status, r.Body)
	}
	// Another learner cannot hand in this attempt.
	if r := learners[1].Do("POST", "/api/v1/training/my/attempts/"+aid+"/submit", map[string]any{"answers": map[string][]string{}}); r.Status != 404 {
		t.Fatalf("someone else's attempt: %d %s", r.Status, r.Body)
	}
	answers := map[string][]string{}
	for _, q := range paper["questions"].([]any) {
		answers[q.(map[string]any)["id"].(string)] = []string{"0"}
	}
	second := ok(a.Do("POST", "/api/v1/training/my/attempts/"+aid+"/submit", map[string]any{"answers": answers}), "second")
	if second["score"] != 100.0 || second["passed"] != true {
		t.Fatalf("second attempt: %v", second)
	}
	task := ok(a.Do("GET", "/api/v1/training/my/tasks", nil), "tasks")["items"].([]any)[0].(map[string]any)
	if task["state"] != "completed" || task["certificateNo"] == "" {
		t.Fatalf("after passing: %v", task)
	}
	if r := a.Do("POST", "/api/v1/training/my/modules/"+modID+"/attempts", nil); r.Status != 409 {
		t.Fatalf("test after passing: %d", r.Status)
	}

	// The second never starts; four days on, the second and third are overdue.
	e.App.Training.SetClock(func() time.Time { return time.Now().Add(4 * 24 * time.Hour) })
	defer e.App.Training.SetClock(time.Now)
	over := ok(hr.Do("GET", "/api/v1/training/overdue?programId="+progID, nil), "overdue")
	if over["total"] != 2.0 {
		t.Fatalf("overdue: %s", mustJSON(t, over))
	}
	dash := ok(hr.Do("GET", "/api/v1/training/programs/"+progID+"/dashboard", nil), "dashboard")
	if dash["assigned"] != 3.0 || dash["completed"] != 1.0 || dash["overdue"] != 2.0 || dash["averageScore"] != 100.0 {
		t.Fatalf("dashboard: %s", mustJSON(t, dash))
	}

	// The accountability report: 市场部 has not provided 《项目实战案例》;
	// the second learner has not studied.
	rep := ok(hr.Do("GET", "/api/v1/training/accountability?programId="+progID+"&state=overdue&pageSize=200", nil), "accountability")
	var sawDept, sawLearner bool
	for _, x := range rep["items"].([]any) {
		d := x.(map[string]any)
		if d["party"] == "department" && d["title"] == "提供《项目实战案例》" && d["departmentName"] == "市场部" && d["assigneeName"] == "mkt.owner" && d["daysLate"].(float64) >= 3 {
			sawDept = true
		}
		if d["party"] == "employee" && d["employeeName"] == names[1] && d["kind"] == "study" {
			sawLearner = true
		}
	}
	if !sawDept || !sawLearner {
		t.Fatalf("accountability (dept %v, learner %v): %s", sawDept, sawLearner, mustJSON(t, rep))
	}
	// Uploading the named material fulfils the duty.
	ok(owner.Upload("/api/v1/training/modules/"+modID+"/materials/upload", "案例.pdf", pdf, map[string]string{"title": "项目实战案例"}), "upload case")
	duties := ok(hr.Do("GET", "/api/v1/training/programs/"+progID+"/duties", nil), "duties")["items"].([]any)
	for _, x := range duties {
		d := x.(map[string]any)
		if d["title"] == "提供《项目实战案例》" && (d["state"] != "done" || d["doneHow"] != "material_uploaded") {
			t.Fatalf("provide duty after the upload: %v", d)
		}
	}
	// The employee's record and the exports.
	rec := ok(a.Do("GET", "/api/v1/training/my/record", nil), "record")
	if rec["hours"] != 2.0 || len(rec["certificates"].([]any)) != 1 {
		t.Fatalf("record: %s", mustJSON(t, rec))
	}
	for _, path := range []string{"/api/v1/training/records/export?format=xlsx", "/api/v1/training/accountability/export?format=csv&programId=" + progID,
		"/api/v1/training/programs/" + progID + "/enrollments/export?format=xlsx"} {
		if r := hr.Do("GET", path, nil); r.Status != 200 || len(r.Body) < 50 {
			t.Fatalf("%s: %d", path, r.Status)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Work to grade goes to the owning department: short answers wait for its
// reviewer, homework is graded by it (not by HR), and the learner's files
// are open to them both.
func TestTrainingGradingByOwners(t *testing.T) {
	e := apptest.New(t)
	root := e.Login("root")
	ok := func(r apptest.Response, what string) map[string]any {
		t.Helper()
		if r.Status < 200 || r.Status > 299 {
			t.Fatalf("%s: %d %s", what, r.Status, r.Body)
		}
		return r.JSON()
	}
	tech := ok(root.Do("POST", "/api/v1/departments", map[string]any{"code": "TECH", "name": "技术部", "effectiveDate": "2020-01-01"}), "dept")["id"].(string)
	people := demo.NewPeople(5)
	roles := map[string]string{}
	for _, x := range root.Do("GET", "/api/v1/roles", nil).JSON()["items"].([]any) {
		m := x.(map[string]any)
		roles[m["code"].(string)] = m["id"].(string)
	}
	var empID string
	person := func(i int, login, role string) *apptest.Client {
		p := people.Person(i, civil.MustParse("2026-01-01"))
		id := ok(root.Do("POST", "/api/v1/employees", map[string]any{"name": p.Name, "idNumber": p.IDNumber, "mobile": p.Mobile,
			"departmentId": tech, "hireDate": "2025-01-01"}), "hire")["id"].(string)
		ok(root.Do("POST", "/api/v1/users", map[string]any{"login": login, "displayName": login, "password": apptest.Password, "employeeId": id,
			"grants": []any{map[string]any{"roleId": roles[role]}}}), "account")
		empID = id
		return e.Login(login)
	}
	owner := person(1, "tech.owner", "content_owner")
	learner := person(2, "coder", "employee")
	ok(root.Do("POST", "/api/v1/users", map[string]any{"login": "hr", "displayName": "hr", "password": apptest.Password,
		"grants": []any{map[string]any{"roleId": roles["hr_admin"]}}}), "hr")
	hr := e.Login("hr")
	mod := ok(owner.Do("POST", "/api/v1/training/modules", map[string]any{"title": "Python 入门", "kind": "professional", "testEnabled": true,
		"homeworkEnabled": true, "homeworkBrief": "写一个统计单词数的脚本"}), "module")["id"].(string)
	ok(owner.Do("POST", "/api/v1/training/modules/"+mod+"/questions", map[string]any{"kind": "truefalse", "stem": "Python 用缩进表示代码块", "answer": []string{"true"}}), "q1")
	ok(owner.Do("POST", "/api/v1/training/modules/"+mod+"/questions", map[string]any{"kind": "short", "stem": "列表和元组有什么区别？", "answer": []string{"列表可变，元组不可变"}, "points": 3}), "q2")
	prog := ok(hr.Do("POST", "/api/v1/training/programs", map[string]any{"title": "技术部新人", "moduleIds": []string{mod}, "deadlineDays": 7,
		"audience": map[string]any{"employeeIds": []string{empID}}}), "program")["id"].(string)
	ok(hr.Do("POST", "/api/v1/training/programs/"+prog+"/activate", nil), "activate")

	paper := ok(learner.Do("POST", "/api/v1/training/my/modules/"+mod+"/attempts", nil), "start")
	answers := map[string][]string{}
	for _, q := range paper["questions"].([]any) {
		qq := q.(map[string]any)
		if qq["kind"] == "short" {
			answers[qq["id"].(string)] = []string{"列表可以修改，元组不行"}
		} else {
			answers[qq["id"].(string)] = []string{"true"}
		}
	}
	aid := paper["attempt"].(map[string]any)["id"].(string)
	res := ok(learner.Do("POST", "/api/v1/training/my/attempts/"+aid+"/submit", map[string]any{"answers": answers}), "submit")
	if res["state"] != "grading" || res["passed"] != false {
		t.Fatalf("short answer pending: %v", res)
	}
	file := ok(learner.Upload("/api/v1/training/my/files", "wc.py", []byte("import sys\nprint(len(sys.stdin.read().split()))\n"), nil), "file")
	hw := ok(learner.Do("POST", "/api/v1/training/my/modules/"+mod+"/homework", map[string]any{"body": "见附件", "fileIds": []string{file["id"].(string)}}), "homework")
	queue := ok(owner.Do("GET", "/api/v1/training/grading", nil), "queue")
	if queue["total"] != 2.0 {
		t.Fatalf("the owner's queue: %v", queue)
	}
	if r := hr.Do("GET", "/api/v1/training/attempts/"+aid+"/review", nil); r.Status != 403 {
		t.Fatalf("HR reviews 技术部's test: %d", r.Status)
	}
	if r := hr.Do("POST", "/api/v1/training/homework/"+hw["id"].(string)+"/grade", map[string]any{"score": 90}); r.Status != 403 {
		t.Fatalf("HR grades 技术部's homework: %d %s", r.Status, r.Body)
	}
	rev := ok(owner.Do("GET", "/api/v1/training/attempts/"+aid+"/review", nil), "review")
	var shortID string
	for _, q := range rev["questions"].([]any) {
		qq := q.(map[string]any)
		if qq["kind"] == "short" {
			shortID = qq["id"].(string)
			if qq["earned"] != -1.0 || qq["answer"].([]any)[0] != "列表可变，元组不可变" || qq["given"].([]any)[0] != "列表可以修改，元组不行" {
				t.Fatalf("review of the short answer: %v", qq)
			}
		}
	}
	if r := owner.Do("POST", "/api/v1/training/attempts/"+aid+"/grade", map[string]any{"points": map[string]int{shortID: 9}}); r.Status != 422 {
		t.Fatalf("points over the question's: %d", r.Status)
	}
	graded := ok(owner.Do("POST", "/api/v1/training/attempts/"+aid+"/grade", map[string]any{"points": map[string]int{shortID: 3}}), "grade attempt")
	if graded["score"] != 100.0 || graded["passed"] != true {
		t.Fatalf("graded: %v", graded)
	}
	if r := owner.Do("GET", "/api/v1/training/homework/"+hw["id"].(string)+"/files/"+file["id"].(string), nil); r.Status != 200 || !strings.Contains(string(r.Body), "sys.stdin") {
		t.Fatalf("owner reads the hand-in: %d", r.Status)
	}
	if r := hr.Do("GET", "/api/v1/training/homework/"+hw["id"].(string)+"/files/"+file["id"].(string), nil); r.Status != 404 {
		t.Fatalf("HR reads 技术部's hand-in: %d", r.Status)
	}
	ok(owner.Do("POST", "/api/v1/training/homework/"+hw["id"].(string)+"/grade", map[string]any{"score": 88, "comment": "思路清楚"}), "grade homework")
	task := ok(learner.Do("GET", "/api/v1/training/my/tasks", nil), "tasks")["items"].([]any)[0].(map[string]any)
	if task["state"] != "completed" {
		t.Fatalf("after grading: %v", task)
	}
	duties := ok(hr.Do("GET", "/api/v1/training/programs/"+prog+"/duties", nil), "duties")["items"].([]any)
	for _, x := range duties {
		d := x.(map[string]any)
		if d["kind"] == "grade" && (d["state"] != "done" || d["doneHow"] != "work_graded" || d["departmentName"] != "技术部") {
			t.Fatalf("grading duty: %v", d)
		}
	}
}

// The daily reminders: a deadline coming, a learner overdue (to him and to
// HR), a failed test to retake, and a department's duty overdue (to its
// assignee and to HR); each occasion has its own key.
func TestTrainingReminders(t *testing.T) {
	e := apptest.New(t)
	a := e.App
	ctx := context.Background()
	res, err := a.SeedDemo(ctx, app.SeedOptions{Employees: 120})
	if err != nil || !res.Created {
		t.Fatal(err)
	}
	tn, err := a.Tenants.ByCode(ctx, app.DemoTenant)
	if err != nil {
		t.Fatal(err)
	}
	sys := rbac.WithPrincipal(ctx, rbac.SystemPrincipal(tn.ID, "test"))
	day := civil.Today(tn.Location())
	list, err := a.Training.ReminderSource().Due(sys, tn.ID, day)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	keys := map[string]bool{}
	for _, r := range list {
		seen[r.Template]++
		if keys[r.Key] {
			t.Fatalf("key %s twice", r.Key)
		}
		keys[r.Key] = true
		if len(r.Recipients) == 0 {
			t.Fatalf("no one to tell: %+v", r)
		}
	}
	// The demo: three learners late, and 市场部 late with 《项目实战案例》.
	// 赵磊, who failed at 70, is past the deadline too: retake reminders
	// stop there (the overdue notice takes over).
	if seen[training.TemplateOverdue] != 3 || seen[training.TemplateRetake] != 0 || seen[training.TemplateDutyOverdue] < 1 {
		t.Fatalf("reminders: %v", seen)
	}
	// Sent through the engine, each occasion once however often it runs.
	first, err := a.Notify.RunReminders(sys, day)
	if err != nil || first.BySource["training"] != len(list) || first.Created == 0 {
		t.Fatalf("first run: %+v %v", first, err)
	}
	again, err := a.Notify.RunReminders(sys, day)
	if err != nil || again.Created != 0 {
		t.Fatalf("second run created %+v %v", again, err)
	}
	// Three days earlier the deadline was still ahead: 赵磊 (the one
	// learner of the demo with an account) is to retake his test and is
	// told the deadline is near.
	before, err := a.Training.ReminderSource().Due(sys, tn.ID, day.AddDays(-3))
	if err != nil {
		t.Fatal(err)
	}
	seen = map[string]int{}
	for _, r := range before {
		seen[r.Template]++
	}
	if seen[training.TemplateRetake] != 1 || seen[training.TemplateDeadline] != 1 {
		t.Fatalf("three days earlier: %v", seen)
	}
}
