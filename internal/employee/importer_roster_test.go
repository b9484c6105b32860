package employee_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/rbac"
)

var (
	idZhang = id("1990-05-20", 1, true)
	idLi    = id("1992-11-02", 2, false)
	idWang  = id("1988-01-15", 3, true)
)

// rosterRows are three good rows and a bad one.
func rosterRows() []imports.Row {
	return []imports.Row{
		row(2, "employeeNo", "E001", "name", "张三", "idNumber", idZhang, "mobile", "+86 138 0000 0001", "email", "zhangsan@example.cn",
			"department", "技术部/后端组", "position", "SE", "grade", "高级工程师", "hireDate", "2024-03-01", "probationMonths", "3个月",
			"contractStart", "2024-03-01", "contractEnd", "2027-02-28", "contractKind", "固定期限", "bankName", "招商银行",
			"bankAccount", "6225 8800 0000 0001", "highestDegree", "本科", "maritalStatus", "已婚"),
		row(3, "employeeNo", "E002", "name", "李四", "idNumber", idLi, "mobile", "13800000002", "department", "BE", "manager", "E001",
			"hireDate", "2025-01-01", "gender", "女"),
		row(4, "employeeNo", "", "name", "王五", "idNumber", idWang, "mobile", "13800000003", "department", "销售部", "manager", "张三",
			"hireDate", "2023-07-01", "employmentType", "Part-time"),
		row(5, "employeeNo", "E004", "name", strings.Repeat("长", 51), "idNumber", id("1990-01-01", 9, true)[:17]+"0",
			"mobile", "13800000004", "department", "不存在的部门", "hireDate", "2024-01-01"),
	}
}

func TestRosterNewUpdateUnchangedFailed(t *testing.T) {
	e := newImpEnv(t)
	ctx := e.hr
	// The dry run says what would happen, and writes nothing.
	outs := e.check(ctx, employee.TargetEmployees, newRun("employeeNo"), rosterRows()...)
	if got := actions(outs); !slices.Equal(got, []string{"new", "new", "new", "failed"}) {
		t.Fatalf("dry run: %v %v", got, codes(outs[3]))
	}
	bad := outs[3]
	for _, want := range [][2]string{{"idNumber", "employee.id_check_digit"}, {"name", "too_long"}, {"department", "imports.unknown_department"}} {
		if !hasCode(bad, want[0], want[1]) {
			t.Errorf("row 5 lacks %v: %v", want, codes(bad))
		}
	}
	if e.byNo(ctx, "E001") != nil {
		t.Fatal("the dry run wrote")
	}
	// The commit writes the good rows (mode "valid").
	outs, changes := e.commit(ctx, employee.TargetEmployees, newRun("employeeNo"), rosterRows())
	if got := actions(outs); !slices.Equal(got, []string{"new", "new", "new", "failed"}) {
		t.Fatalf("commit: %v", got)
	}
	if len(changes) != 3 {
		t.Fatalf("changes: %d", len(changes))
	}
	zhang, li := e.byNo(ctx, "E001"), e.byNo(ctx, "E002")
	if zhang == nil || li == nil {
		t.Fatal("not hired")
	}
	d := must(e.svc.Get(ctx, zhang.ID, civil.Date{}))(t)
	if d.Job.DepartmentID != e.backend || d.Job.PositionID != e.pos || d.Job.GradeID != e.p5 || d.Job.LegalEntityID != e.entity ||
		d.Job.LocationID != e.location || d.Job.Status != employee.StatusRegular || d.Profile.Gender != employee.Male ||
		d.Profile.BirthDate != civil.MustParse("1990-05-20") || d.Profile.Mobile != "13800000001" {
		t.Fatalf("E001: %+v %+v", d.Job, d.Profile)
	}
	// Probation over long ago: the history says when he was regularised.
	hist := must(e.svc.History(ctx, zhang.ID))(t)
	if len(hist) != 2 || hist[0].Reason != employee.ReasonRegularise || hist[0].ValidFrom != civil.MustParse("2024-06-01") {
		t.Fatalf("history: %+v", hist)
	}
	cs := must(e.svc.Contracts(e.hr, zhang.ID))(t)
	if len(cs.Items) != 1 || cs.Items[0].EndDate != civil.MustParse("2027-02-28") || cs.Items[0].SigningEntityID != e.entity {
		t.Fatalf("contracts: %+v", cs.Items)
	}
	if li.ManagerID != zhang.ID {
		t.Fatalf("E002's manager: %v", li.ManagerID)
	}
	// The row without a number got the rule's next one; its manager was
	// named by name.
	var wang *employee.Employee
	for _, ch := range changes {
		var rec struct{ EmployeeNo, Name string }
		json.Unmarshal(ch.After, &rec)
		if rec.Name == "王五" {
			wang = e.byNo(ctx, rec.EmployeeNo)
		}
	}
	if wang == nil || !strings.HasPrefix(wang.EmployeeNo, "RS") || wang.ManagerID != zhang.ID || wang.EmploymentType != employee.PartTime {
		t.Fatalf("王五: %+v", wang)
	}
	// Nothing sensitive in clear in the changes.
	for _, ch := range changes {
		for _, secret := range []string{idZhang, idLi, idWang, "6225880000000001"} {
			if strings.Contains(string(ch.Before)+string(ch.After), secret) {
				t.Fatalf("change holds %s in clear: %s", secret, ch.After)
			}
		}
	}
	// The same file again changes nothing (the row without a number is
	// found by its ID number).
	outs, changes = e.commit(ctx, employee.TargetEmployees, newRun("employeeNo"), rosterRows())
	if got := actions(outs); !slices.Equal(got, []string{"unchanged", "unchanged", "unchanged", "failed"}) || len(changes) != 0 {
		t.Fatalf("again: %v %v %v", got, codes(outs[0]), len(changes))
	}
	// A changed cell updates the record, others stay; empty cells say
	// nothing.
	upd := row(2, "employeeNo", "E001", "mobile", "13900000001", "name", "", "bankAccount", "6225880000000099", "bankName", "招商银行")
	outs, changes = e.commit(ctx, employee.TargetEmployees, newRun("employeeNo"), []imports.Row{upd})
	if outs[0].Action != imports.ActionUpdate || len(changes) != 1 || changes[0].Version != 2 {
		t.Fatalf("update: %v %v %+v", actions(outs), codes(outs[0]), changes)
	}
	zhang = e.byNo(ctx, "E001")
	if zhang.Mobile != "13900000001" || zhang.Name != "张三" || zhang.Version != 2 {
		t.Fatalf("updated: %+v", zhang)
	}
	if s := must(e.svc.Sensitive(ctx, zhang.ID))(t); s.BankAccount != "6225880000000099" || s.IDNumber != idZhang {
		t.Fatalf("sensitive: %+v", s)
	}
	if strings.Contains(string(changes[0].Before)+string(changes[0].After), "6225880000000099") {
		t.Fatal("bank account in clear")
	}
	// Job cells of an existing employee must match his job: a change
	// needs a date (job history target).
	outs = e.check(ctx, employee.TargetEmployees, newRun("employeeNo"),
		row(2, "employeeNo", "E002", "department", "销售部", "manager", "E001", "position", "SE"),
		row(3, "employeeNo", "E002", "department", "技术部/后端组"),
		row(4, "employeeNo", "E001", "contractStart", "2024-03-01", "contractEnd", "2028-02-29"))
	if !hasCode(outs[0], "department", "imports.job_change_not_supported") || !hasCode(outs[0], "position", "imports.job_change_not_supported") ||
		hasCode(outs[0], "manager", "imports.job_change_not_supported") {
		t.Fatalf("job change: %v", codes(outs[0]))
	}
	if !hasCode(outs[1], "employeeNo", "imports.duplicate_key") {
		t.Fatalf("second row of E002: %v", codes(outs[1]))
	}
	if !hasCode(outs[2], "contractStart", "imports.contract_change_not_supported") {
		t.Fatalf("contract change: %v", codes(outs[2]))
	}
}

func TestRosterDuplicatesAndKeys(t *testing.T) {
	e := newImpEnv(t)
	ctx := e.hr
	e.commit(ctx, employee.TargetEmployees, newRun("employeeNo"), rosterRows()[:1])
	base := func(line int, no, name, idn string) imports.Row {
		return row(line, "employeeNo", no, "name", name, "idNumber", idn, "mobile", "13700000000", "department", "HQ", "hireDate", "2025-03-01")
	}
	outs := e.check(ctx, employee.TargetEmployees, newRun("employeeNo"),
		base(2, "E010", "甲", id("1991-01-01", 10, true)),
		base(3, "E010", "乙", id("1991-01-02", 11, true)),
		base(4, "E011", "丙", id("1991-01-03", 12, true)),
		base(5, "E012", "丁", id("1991-01-03", 12, true)),
		base(6, "E013", "戊", idZhang))
	if got := actions(outs); !slices.Equal(got, []string{"new", "failed", "new", "failed", "failed"}) {
		t.Fatalf("%v", got)
	}
	if fe := outs[1].Errors[0]; fe.Code != "imports.duplicate_key" || fe.Column != "employeeNo" || fe.Params["line"] != 2 {
		t.Fatalf("duplicate key: %+v", outs[1].Errors)
	}
	if !hasCode(outs[3], "idNumber", "imports.duplicate_in_file") {
		t.Fatalf("same ID number twice: %v", codes(outs[3]))
	}
	if !hasCode(outs[4], "idNumber", "employee.duplicate_id_number") || outs[4].Errors[0].Params["employeeNo"] != "E001" {
		t.Fatalf("ID number of E001: %+v", outs[4].Errors)
	}
	// Key idNumber: the row finds E001 by his ID number and renumbers him.
	outs, _ = e.commit(ctx, employee.TargetEmployees, newRun("idNumber"),
		[]imports.Row{row(2, "idNumber", idZhang, "employeeNo", "E001A"), row(3, "employeeNo", "E099", "name", "无证")})
	if outs[0].Action != imports.ActionUpdate || !hasCode(outs[1], "idNumber", "required") {
		t.Fatalf("key idNumber: %v %v", actions(outs), codes(outs[1]))
	}
	if e.byNo(ctx, "E001A") == nil || e.byNo(ctx, "E001") != nil {
		t.Fatal("not renumbered")
	}
	// A number taken by someone else.
	e.commit(ctx, employee.TargetEmployees, newRun("employeeNo"), []imports.Row{base(2, "E020", "己", id("1993-03-03", 20, false))})
	outs = e.check(ctx, employee.TargetEmployees, newRun("idNumber"), row(2, "idNumber", idZhang, "employeeNo", "E020"))
	if !hasCode(outs[0], "employeeNo", "employee.duplicate_employee_no") {
		t.Fatalf("number taken: %v", codes(outs[0]))
	}
}

func TestRosterManagersAcrossChunks(t *testing.T) {
	e := newImpEnv(t)
	ctx := e.hr
	hire := func(line int, no, name, mgr string, n int) imports.Row {
		return row(line, "employeeNo", no, "name", name, "idNumber", id("1985-06-01", n, true), "mobile", "13600000000",
			"department", "总部", "hireDate", "2022-01-01", "manager", mgr)
	}
	run := newRun("employeeNo")
	// E101 names E103, two chunks further down; E104's manager never
	// appears; E201 and E202 name each other.
	outs, _ := e.commit(ctx, employee.TargetEmployees, run,
		[]imports.Row{hire(2, "E101", "赵一", "E103", 1), hire(3, "E102", "赵二", "E101", 2)},
		[]imports.Row{hire(4, "E201", "钱一", "E202", 3), hire(5, "E202", "钱二", "E201", 4)},
		[]imports.Row{hire(6, "E103", "赵三", "", 5), hire(7, "E104", "赵四", "孙悟空", 6)})
	if got := actions(outs); !slices.Equal(got, []string{"new", "new", "new", "new", "new", "new"}) {
		t.Fatalf("%v", got)
	}
	e101, e103 := e.byNo(ctx, "E101"), e.byNo(ctx, "E103")
	if e101.ManagerID != e103.ID || e.byNo(ctx, "E102").ManagerID != e101.ID {
		t.Fatalf("managers: E101→%v (E103 %v)", e101.ManagerID, e103.ID)
	}
	rows := must(e.store.Assignments(ctx, e101.ID))(t)
	if rows[0].ManagerID != e103.ID {
		t.Fatalf("job row's manager: %v", rows[0].ManagerID)
	}
	// What only the whole file tells.
	fin, ok := e.targets[employee.TargetEmployees].(interface {
		Finish(ctx context.Context, run *imports.Run) (map[int][]imports.FieldError, error)
	})
	if !ok {
		t.Fatal("no Finish")
	}
	late := must(fin.Finish(ctx, run))(t)
	if len(late[7]) != 1 || late[7][0].Code != "imports.unknown_employee" {
		t.Fatalf("line 7: %+v", late)
	}
	if len(late[4]) != 1 || late[4][0].Code != "employee.manager_loop" {
		t.Fatalf("line 4: %+v", late)
	}
	// A manager on a failed row is named.
	outs = e.check(ctx, employee.TargetEmployees, newRun("employeeNo"),
		row(2, "employeeNo", "E301", "name", ""), hire(3, "E302", "李三", "E301", 7))
	if !hasCode(outs[1], "manager", "imports.manager_row_failed") {
		t.Fatalf("manager on a failed row: %v", codes(outs[1]))
	}
	// Two people called 赵一? The name is ambiguous.
	e.commit(ctx, employee.TargetEmployees, newRun("employeeNo"), []imports.Row{hire(2, "E401", "赵一", "", 8)})
	outs = e.check(ctx, employee.TargetEmployees, newRun("employeeNo"), hire(2, "E402", "周五", "赵一", 9))
	if !hasCode(outs[0], "manager", "imports.ambiguous_employee") {
		t.Fatalf("ambiguous: %v", codes(outs[0]))
	}
}

func TestRosterCreatesDepartments(t *testing.T) {
	e := newImpEnv(t)
	ctx := e.hr
	r := row(2, "employeeNo", "E500", "name", "钱多多", "idNumber", id("1995-02-02", 30, false), "mobile", "13500000000",
		"department", "研发中心/平台组", "hireDate", "2023-05-01")
	r2 := row(3, "employeeNo", "E501", "name", "钱少少", "idNumber", id("1995-02-03", 31, true), "mobile", "13500000001",
		"department", "技术部/数据组", "hireDate", "2020-05-01")
	outs := e.check(ctx, employee.TargetEmployees, newRun("employeeNo"), r, r2)
	if !hasCode(outs[0], "department", "imports.unknown_department") {
		t.Fatalf("without the option: %v", codes(outs[0]))
	}
	run := newRun("employeeNo")
	run.CreateDepartments = true
	// Only with the permission to change the structure.
	spec := e.as(e.tenant, rbac.HRSpecialist)
	outs = e.check(spec, employee.TargetEmployees, run, r)
	if !hasCode(outs[0], "department", "forbidden") {
		t.Fatalf("specialist: %v", codes(outs[0]))
	}
	run = newRun("employeeNo")
	run.CreateDepartments = true
	outs, changes := e.commit(ctx, employee.TargetEmployees, run, []imports.Row{r, r2})
	if got := actions(outs); !slices.Equal(got, []string{"new", "new"}) {
		t.Fatalf("%v %v", got, codes(outs[0]))
	}
	var depts int
	for _, c := range changes {
		if c.ObjectType == org.ObjectDepartment {
			depts++
		}
	}
	if depts != 3 {
		t.Fatalf("departments created: %d", depts)
	}
	emp := e.byNo(ctx, "E500")
	d := must(e.org.Department(ctx, emp.DepartmentID, e.today))(t)
	if strings.Join(d.PathNames, "/") != "研发中心/平台组" || d.Code != "YFZX-PTZ" {
		t.Fatalf("department: %+v", d)
	}
	// Each begins on the earliest hire date placed in it.
	if hist := must(e.org.DepartmentHistory(ctx, d.ID))(t); hist[0].ValidFrom != civil.MustParse("2023-05-01") {
		t.Fatalf("first day: %v", hist[0].ValidFrom)
	}
	data := must(e.org.Department(ctx, e.byNo(ctx, "E501").DepartmentID, e.today))(t)
	if data.ParentID != e.tech || must(e.org.DepartmentHistory(ctx, data.ID))(t)[0].ValidFrom != civil.MustParse("2020-05-01") {
		t.Fatalf("数据组: %+v", data)
	}
	// Rolling back removes the people, then the departments.
	if err := e.rollback(ctx, employee.TargetEmployees, changes); err != nil {
		t.Fatal(err)
	}
	if _, err := e.org.Department(ctx, d.ID, e.today); !errs.Is(err, errs.NotFound, "") {
		t.Fatalf("department left: %v", err)
	}
	if e.byNo(ctx, "E500") != nil {
		t.Fatal("employee left")
	}
}

func TestRosterRollback(t *testing.T) {
	e := newImpEnv(t)
	ctx := e.hr
	_, first := e.commit(ctx, employee.TargetEmployees, newRun("employeeNo"), rosterRows()[:1])
	zhang := e.byNo(ctx, "E001")
	_, changes := e.commit(ctx, employee.TargetEmployees, newRun("employeeNo"), []imports.Row{
		row(2, "employeeNo", "E001", "mobile", "13900000001", "bankAccount", "6225880000000099", "idType", "居民身份证"),
		rosterRows()[1], rosterRows()[2]})
	if len(changes) != 3 {
		t.Fatalf("changes: %+v", changes)
	}
	if err := e.rollback(ctx, employee.TargetEmployees, changes); err != nil {
		t.Fatal(err)
	}
	if e.byNo(ctx, "E002") != nil {
		t.Fatal("E002 still there")
	}
	after := e.byNo(ctx, "E001")
	if after.Mobile != "13800000001" || after.Version != 3 {
		t.Fatalf("E001 not restored: %+v", after)
	}
	if s := must(e.svc.Sensitive(ctx, zhang.ID))(t); s.BankAccount != "6225880000000001" {
		t.Fatalf("bank account: %v", s.BankAccount)
	}
	p := must(e.svc.List(ctx, employee.Filter{Query: "lisi"}))(t)
	if p.Total != 0 {
		t.Fatalf("search still finds 李四: %+v", p.Items)
	}
	// Changed since the import: the rollback is refused, naming him.
	name := "张叁"
	must(e.svc.Update(ctx, zhang.ID, employee.ProfileUpdate{Name: &name, Version: after.Version}))(t)
	err := e.rollback(ctx, employee.TargetEmployees, first)
	x := wantErr(t, err, errs.Conflict, "imports.rollback_conflict")
	if x.Params["records"] != "E001 张叁" {
		t.Fatalf("records: %v", x.Params)
	}
	// Named as someone's manager since: refused too.
	e.commit(ctx, employee.TargetEmployees, newRun("employeeNo"), []imports.Row{row(2, "employeeNo", "E600", "name", "陈六",
		"idNumber", id("1980-08-08", 40, true), "mobile", "13600000006", "department", "销售部", "hireDate", "2020-01-01")})
	_, hired := e.commit(ctx, employee.TargetEmployees, newRun("employeeNo"), []imports.Row{rosterRows()[1]})
	mgr := e.byNo(ctx, "E002").ID
	must(e.svc.Transfer(ctx, e.byNo(ctx, "E600").ID, employee.Transfer{ManagerID: &mgr, EffectiveDate: e.today.AddDays(1),
		Reason: employee.ReasonChangeManager}))(t)
	wantErr(t, e.rollback(ctx, employee.TargetEmployees, hired), errs.Conflict, "imports.rollback_conflict")
}

func TestRosterTenantsAndPermissions(t *testing.T) {
	e := newImpEnv(t)
	e.commit(e.hr, employee.TargetEmployees, newRun("employeeNo"), rosterRows()[:1])
	other := e.as(e.other, rbac.HRAdmin)
	e.setupOrg(other)
	// The other tenant's E001 is someone else: a new hire there.
	outs, changes := e.commit(other, employee.TargetEmployees, newRun("employeeNo"), rosterRows()[:1])
	if outs[0].Action != imports.ActionNew {
		t.Fatalf("other tenant: %v %v", actions(outs), codes(outs[0]))
	}
	// Its rollback cannot reach the first tenant's records.
	_, mine := e.commit(e.hr, employee.TargetEmployees, newRun("employeeNo"), []imports.Row{row(2, "employeeNo", "E001", "mobile", "13911111111")})
	wantErr(t, e.rollback(other, employee.TargetEmployees, mine), errs.Conflict, "imports.rollback_conflict")
	if e.byNo(e.hr, "E001").Mobile != "13911111111" {
		t.Fatal("touched across tenants")
	}
	if err := e.rollback(other, employee.TargetEmployees, changes); err != nil {
		t.Fatal(err)
	}
	if e.byNo(e.hr, "E001") == nil {
		t.Fatal("the first tenant's E001 went")
	}
	// Without the permission: refused.
	emp := e.as(e.tenant, rbac.Employee)
	for name, tg := range e.targets {
		if _, err := tg.Check(emp, newRun(tg.Keys()[0]), []imports.Row{row(2, "employeeNo", "E001")}); !errs.Is(err, errs.Forbidden, "") {
			t.Errorf("%s check: %v", name, err)
		}
		if _, err := tg.Apply(emp, newRun(tg.Keys()[0]), nil, nil); !errs.Is(err, errs.Forbidden, "") {
			t.Errorf("%s apply: %v", name, err)
		}
		if err := tg.Rollback(emp, nil); !errs.Is(err, errs.Forbidden, "") {
			t.Errorf("%s rollback: %v", name, err)
		}
	}
	// Hiring without the right to edit records: new rows pass, changes
	// of records are refused cell by cell.
	perms := map[string]rbac.Scope{employee.PermCreate: {All: true}, employee.PermRead: {All: true}}
	hireOnly := e.with(e.tenant, "hirer", perms)
	outs = e.check(hireOnly, employee.TargetEmployees, newRun("employeeNo"), row(2, "employeeNo", "E001", "mobile", "13922222222"))
	if !hasCode(outs[0], "employeeNo", "forbidden") {
		t.Fatalf("update without the permission: %v", codes(outs[0]))
	}
}

func TestRosterCustomFieldsAndColumns(t *testing.T) {
	e := newImpEnv(t)
	ctx := e.hr
	must(e.svc.CreateField(ctx, employee.FieldInput{Code: ptr("skills"), Label: ptr("技能"), Type: ptr(employee.FieldMultiSelect),
		Options: &[]string{"Go", "SQL", "Vue"}}))(t)
	must(e.svc.CreateField(ctx, employee.FieldInput{Code: ptr("shirt"), Label: ptr("工服尺码"), Type: ptr(employee.FieldSelect),
		Options: &[]string{"S", "M", "L"}}))(t)
	e.svc.ForgetNames(e.tenant)
	cols := must(e.targets[employee.TargetEmployees].Columns(ctx))(t)
	var keys []string
	for _, c := range cols {
		keys = append(keys, c.Key)
		if c.Key == "gender" && (len(c.Choices) != 2 || c.Choices[0].ZH != "男") {
			t.Fatalf("gender choices: %+v", c.Choices)
		}
		if c.Key == "custom.shirt" && (c.Kind != imports.KindEnum || len(c.Choices) != 3) {
			t.Fatalf("custom.shirt: %+v", c)
		}
		if c.Key == "idNumber" && !c.Sensitive {
			t.Fatal("ID number not sensitive")
		}
	}
	for _, k := range []string{"employeeNo", "name", "idNumber", "department", "manager", "hireDate", "contractEnd", "custom.skills", "custom.shirt"} {
		if !slices.Contains(keys, k) {
			t.Errorf("no column %s", k)
		}
	}
	r := rosterRows()[0]
	r.Values["custom.skills"] = "go、SQL"
	r.Values["custom.shirt"] = "m"
	outs, _ := e.commit(ctx, employee.TargetEmployees, newRun("employeeNo"), []imports.Row{r})
	if outs[0].Action != imports.ActionNew {
		t.Fatalf("%v", codes(outs[0]))
	}
	zhang := e.byNo(ctx, "E001")
	if got := zhang.Custom["skills"]; !slicesEqualAny(got, []string{"Go", "SQL"}) || zhang.Custom["shirt"] != "M" {
		t.Fatalf("custom: %+v", zhang.Custom)
	}
	outs = e.check(ctx, employee.TargetEmployees, newRun("employeeNo"), r, row(3, "employeeNo", "E001X", "custom.shirt", "XXL"))
	if outs[0].Action != imports.ActionUnchanged || !hasCode(outs[1], "custom.shirt", "employee.invalid_custom_value") {
		t.Fatalf("custom again: %v %v", actions(outs), codes(outs[1]))
	}
	// A field made required since: a row changing nothing stays
	// unchanged; one changing the record must fill it, as the form must.
	must(e.svc.CreateField(ctx, employee.FieldInput{Code: ptr("badge"), Label: ptr("工牌号"), Type: ptr(employee.FieldText), Required: ptr(true)}))(t)
	outs = e.check(ctx, employee.TargetEmployees, newRun("employeeNo"), r)
	changed := e.check(ctx, employee.TargetEmployees, newRun("employeeNo"), row(3, "employeeNo", "E001", "mobile", "13900000009"))
	if outs[0].Action != imports.ActionUnchanged || !slices.Equal(codes(changed[0]), []string{"custom.badge:employee.custom_required"}) {
		t.Fatalf("required field: %v %v", actions(outs), codes(changed[0]))
	}
}

func slicesEqualAny(v any, want []string) bool {
	var got []string
	switch x := v.(type) {
	case []any:
		for _, s := range x {
			got = append(got, s.(string))
		}
	case []string:
		got = x
	}
	return slices.Equal(got, want)
}

// A row the engine could not clean fails, and later rows do not count on
// it (in "valid rows only" mode it is never written).
func TestRosterRowsTheEngineFailed(t *testing.T) {
	e := newImpEnv(t)
	bad := row(2, "employeeNo", "E700", "name", "吴七", "idNumber", id("1989-09-09", 70, true), "mobile", "13700000070",
		"department", "总部", "hireDate", "2021-01-01")
	bad.Errors = []imports.FieldError{{Column: "birthDate", Code: "clean.invalid_date"}}
	sub := row(3, "employeeNo", "E701", "name", "吴八", "idNumber", id("1989-09-10", 71, true), "mobile", "13700000071",
		"department", "总部", "hireDate", "2021-01-01", "manager", "E700")
	outs, changes := e.commit(e.hr, employee.TargetEmployees, newRun("employeeNo"), []imports.Row{bad, sub})
	if outs[0].Action != imports.ActionFailed || !hasCode(outs[1], "manager", "imports.manager_row_failed") || len(changes) != 0 {
		t.Fatalf("%v %v %v", actions(outs), codes(outs[1]), changes)
	}
}
