package org_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

func names(tree []org.Department) map[ids.ID]org.Department {
	m := map[ids.ID]org.Department{}
	for _, d := range tree {
		m[d.ID] = d
	}
	return m
}

// TestDepartmentHistory creates, renames, moves and closes departments
// on past, present and future days and reads the tree around each change.
func TestDepartmentHistory(t *testing.T) {
	e := newEnv(t)
	d2020 := civil.MustParse("2020-01-01")
	root := e.dept("HQ", "总公司", 0, d2020)
	hr := e.dept("HR", "人事部", root.ID, d2020)
	sales := e.dept("SALES", "销售部", root.ID, civil.MustParse("2021-03-01"))
	east := e.dept("EAST", "华东区", sales.ID, civil.MustParse("2021-03-01"))

	// Before sales existed it is not in the tree and cannot be read.
	old := must(e.svc.Tree(e.hr, civil.MustParse("2021-02-28")))(t)
	if len(old) != 2 {
		t.Fatalf("tree 2021-02-28: %+v", old)
	}
	_, err := e.svc.Department(e.hr, sales.ID, civil.MustParse("2021-02-28"))
	wantErr(t, err, errs.NotFound, "not_found")

	// A past rename (2024-07-01) splits the version in two.
	if _, err := e.svc.UpdateDepartment(e.hr, hr.ID, org.DepartmentUpdate{Name: ptr("人力资源部"), EffectiveDate: civil.MustParse("2024-07-01"), Version: hr.Version}); err != nil {
		t.Fatal(err)
	}
	if d := must(e.svc.Department(e.hr, hr.ID, civil.MustParse("2024-06-30")))(t); d.Name != "人事部" {
		t.Fatalf("before rename: %s", d.Name)
	}
	if d := must(e.svc.Department(e.hr, hr.ID, civil.MustParse("2024-07-01")))(t); d.Name != "人力资源部" || d.Version != 2 {
		t.Fatalf("after rename: %+v", d)
	}

	// A move scheduled next month: today's tree is unchanged, next month's is not.
	next := e.day(30)
	moved, err := e.svc.MoveDepartment(e.hr, east.ID, hr.ID, org.DepartmentChange{EffectiveDate: next})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(moved.Path, []ids.ID{root.ID, hr.ID, east.ID}) || moved.PathNames[1] != "人力资源部" {
		t.Fatalf("moved path %v %v", moved.Path, moved.PathNames)
	}
	now := names(must(e.svc.Tree(e.hr, civil.Date{}))(t))
	later := names(must(e.svc.Tree(e.hr, next))(t))
	if now[east.ID].ParentID != sales.ID || later[east.ID].ParentID != hr.ID {
		t.Fatalf("today %v, next month %v", now[east.ID].ParentID, later[east.ID].ParentID)
	}
	if d := must(e.svc.Department(e.hr, east.ID, e.day(29)))(t); d.ParentID != sales.ID || d.ValidTo != next {
		t.Fatalf("day before the move: %+v", d)
	}
	if sub := must(e.svc.SubtreeOn(e.hr, []ids.ID{sales.ID}, civil.Date{}))(t); !slices.Contains(sub, east.ID) {
		t.Fatalf("subtree today %v", sub)
	}
	if sub := must(e.svc.SubtreeOn(e.hr, []ids.ID{sales.ID}, next))(t); slices.Contains(sub, east.ID) {
		t.Fatalf("subtree next month %v", sub)
	}

	// A change dated before the scheduled one conflicts and names its day.
	_, err = e.svc.UpdateDepartment(e.hr, east.ID, org.DepartmentUpdate{Name: ptr("华东大区")})
	ee := wantErr(t, err, errs.Conflict, "org.conflicting_change")
	if ee.Params["date"] != next.String() {
		t.Fatalf("conflict names %v", ee.Params)
	}
	// A change on the same day replaces (merges into) the scheduled one.
	d, err := e.svc.UpdateDepartment(e.hr, east.ID, org.DepartmentUpdate{Name: ptr("华东大区"), EffectiveDate: next})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "华东大区" || d.ParentID != hr.ID {
		t.Fatalf("same-day change: %+v", d)
	}
	hist := must(e.svc.DepartmentHistory(e.hr, east.ID))(t)
	if len(hist) != 2 || hist[1].ParentName != "人力资源部" || hist[0].ParentName != "销售部" {
		t.Fatalf("history %+v", hist)
	}
	// Cancel the scheduled change: east stays under sales.
	d, err = e.svc.CancelDepartmentChange(e.hr, east.ID, hist[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.ParentID != sales.ID || d.Name != "华东区" || !d.ValidTo.IsZero() {
		t.Fatalf("after cancel: %+v", d)
	}
	_, err = e.svc.CancelDepartmentChange(e.hr, east.ID, hist[0].ID)
	wantErr(t, err, errs.Conflict, "org.cannot_cancel_creation")
	// A change already in effect cannot be cancelled.
	hh := must(e.svc.DepartmentHistory(e.hr, hr.ID))(t)
	_, err = e.svc.CancelDepartmentChange(e.hr, hr.ID, hh[1].ID)
	wantErr(t, err, errs.Conflict, "org.change_in_effect")

	// Nothing dated before the department existed.
	_, err = e.svc.UpdateDepartment(e.hr, sales.ID, org.DepartmentUpdate{Name: ptr("x"), EffectiveDate: d2020})
	if !slices.Contains(fieldCodes(wantErr(t, err, errs.Invalid, "org.before_department_start")), "effectiveDate:org.before_department_start") {
		t.Fatal(err)
	}

	// Stale version.
	_, err = e.svc.UpdateDepartment(e.hr, hr.ID, org.DepartmentUpdate{Name: ptr("y"), Version: 1})
	wantErr(t, err, errs.Conflict, "stale")

	// Every write is audited.
	if got := e.auditActions("department", east.ID.String()); !slices.Equal(got, []string{"create", "move", "update", "cancel_change"}) {
		t.Fatalf("audit %v", got)
	}
}

func ptr[T any](v T) *T { return &v }

// TestMoveRefusesCycles: moving a department under itself or one below
// it is refused, today and against scheduled moves.
func TestMoveRefusesCycles(t *testing.T) {
	e := newEnv(t)
	start := e.day(-100)
	a := e.dept("A", "A", 0, start)
	b := e.dept("B", "B", a.ID, start)
	c := e.dept("C", "C", b.ID, start)
	x := e.dept("X", "X", a.ID, start)

	for _, target := range []ids.ID{a.ID, b.ID, c.ID} {
		_, err := e.svc.MoveDepartment(e.hr, a.ID, target, org.DepartmentChange{})
		if !slices.Contains(fieldCodes(wantErr(t, err, errs.Invalid, "org.department_cycle")), "parentId:org.department_cycle") {
			t.Fatal(err)
		}
	}
	// X will move under C in 20 days; moving B under X in 10 days is fine
	// until then, and a cycle from day 20: refused naming day 20.
	if _, err := e.svc.MoveDepartment(e.hr, x.ID, c.ID, org.DepartmentChange{EffectiveDate: e.day(20)}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.MoveDepartment(e.hr, b.ID, x.ID, org.DepartmentChange{EffectiveDate: e.day(10)})
	if ee := wantErr(t, err, errs.Conflict, "org.conflicting_change"); ee.Params["date"] != e.day(20).String() {
		t.Fatalf("conflict date %v", ee.Params)
	}
	// Under a missing department.
	_, err = e.svc.MoveDepartment(e.hr, b.ID, ids.New(), org.DepartmentChange{})
	wantErr(t, err, errs.Invalid, "org.parent_missing")
	// Back to the top level is always fine.
	d, err := e.svc.MoveDepartment(e.hr, c.ID, 0, org.DepartmentChange{})
	if err != nil || d.ParentID != 0 || len(d.Path) != 1 {
		t.Fatalf("%+v %v", d, err)
	}
	// Moving to where it already is changes nothing.
	before := must(e.svc.Department(e.hr, b.ID, civil.Date{}))(t)
	after := must(e.svc.MoveDepartment(e.hr, b.ID, a.ID, org.DepartmentChange{}))(t)
	if after.Version != before.Version {
		t.Fatalf("no-op move bumped the version: %d → %d", before.Version, after.Version)
	}
}

// TestDeactivate: refused while staffed (with the count) or with active
// sub-departments; inactive parents take no new children; reactivation.
func TestDeactivate(t *testing.T) {
	e := newEnv(t)
	start := e.day(-10)
	root := e.dept("R", "R", 0, start)
	a := e.dept("A", "A", root.ID, start)
	leaf := e.dept("L", "L", a.ID, start)

	// Without a Headcount every department is empty.
	if _, err := e.svc.DeactivateDepartment(e.hr, leaf.ID, org.DepartmentChange{EffectiveDate: e.day(5)}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.DeactivateDepartment(e.hr, leaf.ID, org.DepartmentChange{EffectiveDate: e.day(5)})
	wantErr(t, err, errs.Conflict, "org.already_inactive")
	// Scheduled closing of the leaf in 5 days: A still has an active child until then.
	_, err = e.svc.DeactivateDepartment(e.hr, a.ID, org.DepartmentChange{})
	if ee := wantErr(t, err, errs.Conflict, "org.department_has_children"); ee.Params["count"] != 1 {
		t.Fatalf("params %v", ee.Params)
	}
	hc := &fakeHeadcount{n: map[ids.ID]int{a.ID: 7}}
	e.svc.SetHeadcount(hc)
	_, err = e.svc.DeactivateDepartment(e.hr, a.ID, org.DepartmentChange{EffectiveDate: e.day(5)})
	if ee := wantErr(t, err, errs.Conflict, "org.department_staffed"); ee.Params["count"] != 7 {
		t.Fatalf("params %v", ee.Params)
	}
	hc.mu.Lock()
	hc.n[a.ID] = 0
	hc.mu.Unlock()
	if _, err := e.svc.DeactivateDepartment(e.hr, a.ID, org.DepartmentChange{EffectiveDate: e.day(5)}); err != nil {
		t.Fatal(err)
	}
	// No new department under A from day 5, nor reactivating the leaf.
	_, err = e.svc.CreateDepartment(e.hr, org.NewDepartment{Code: "N", Name: "N", ParentID: a.ID, EffectiveDate: e.day(6)})
	wantErr(t, err, errs.Invalid, "org.parent_inactive")
	_, err = e.svc.CreateDepartment(e.hr, org.NewDepartment{Code: "N", Name: "N", ParentID: a.ID})
	wantErr(t, err, errs.Conflict, "org.conflicting_change") // fine today, not from day 5
	_, err = e.svc.ActivateDepartment(e.hr, leaf.ID, org.DepartmentChange{EffectiveDate: e.day(7)})
	wantErr(t, err, errs.Invalid, "org.parent_inactive")
	if _, err := e.svc.ActivateDepartment(e.hr, a.ID, org.DepartmentChange{EffectiveDate: e.day(7)}); err != nil {
		t.Fatal(err)
	}
	if d, err := e.svc.ActivateDepartment(e.hr, leaf.ID, org.DepartmentChange{EffectiveDate: e.day(7)}); err != nil || !d.Active {
		t.Fatalf("%+v %v", d, err)
	}
	tree := names(must(e.svc.Tree(e.hr, e.day(6)))(t))
	if tree[a.ID].Active || tree[leaf.ID].Active || !tree[root.ID].Active {
		t.Fatalf("day 6: %+v", tree)
	}
}

func TestChartHeadcounts(t *testing.T) {
	e := newEnv(t)
	root := e.dept("R", "总部", 0, civil.Date{})
	a := e.dept("A", "A", root.ID, civil.Date{})
	b := e.dept("B", "B", a.ID, civil.Date{})
	head := ids.New()
	must(e.svc.UpdateDepartment(e.hr, a.ID, org.DepartmentUpdate{HeadEmployeeID: &head}))(t)
	e.svc.SetHeadcount(&fakeHeadcount{n: map[ids.ID]int{root.ID: 1, a.ID: 2, b.ID: 3}, names: map[ids.ID]string{head: "张三"}})
	nodes := must(e.svc.Chart(e.hr, civil.Date{}, 0, false))(t)
	if len(nodes) != 1 || nodes[0].HeadcountTotal != 6 || nodes[0].Headcount != 1 {
		t.Fatalf("root %+v", nodes[0])
	}
	an := nodes[0].Children[0]
	if an.HeadName != "张三" || an.HeadcountTotal != 5 || an.Children[0].HeadcountTotal != 3 {
		t.Fatalf("a %+v", an)
	}
	sub := must(e.svc.Chart(e.hr, civil.Date{}, a.ID, true))(t)
	if len(sub) != 1 || sub[0].ID != a.ID {
		t.Fatalf("subtree %+v", sub)
	}
}

// TestDepartmentRules: codes unique per tenant, references must exist and
// be active, other tenants see nothing, permissions are checked.
func TestDepartmentRules(t *testing.T) {
	e := newEnv(t)
	root := e.dept("R", "R", 0, civil.Date{})
	_, err := e.svc.CreateDepartment(e.hr, org.NewDepartment{Code: "R", Name: "again"})
	if !slices.Contains(fieldCodes(err), "code:duplicate") {
		t.Fatal(err)
	}
	_, err = e.svc.CreateDepartment(e.hr, org.NewDepartment{Code: "bad code", Name: ""})
	if fc := fieldCodes(err); !slices.Contains(fc, "code:org.code_format") || !slices.Contains(fc, "name:required") {
		t.Fatal(err)
	}
	cc := must(e.svc.CreateCostCenter(e.hr, org.CostCenterInput{Code: ptr("CC1"), Name: ptr("研发")}))(t)
	_, err = e.svc.CreateDepartment(e.hr, org.NewDepartment{Code: "D", Name: "D", CostCenterID: ids.New(), LocationID: ids.New()})
	if fc := fieldCodes(err); !slices.Contains(fc, "costCenterId:invalid_choice") || !slices.Contains(fc, "locationId:invalid_choice") {
		t.Fatal(err)
	}
	must(e.svc.UpdateCostCenter(e.hr, cc.ID, org.CostCenterInput{Active: ptr(false), Version: 1}))(t)
	_, err = e.svc.CreateDepartment(e.hr, org.NewDepartment{Code: "D", Name: "D", CostCenterID: cc.ID})
	if !slices.Contains(fieldCodes(err), "costCenterId:org.inactive") {
		t.Fatal(err)
	}
	if got := e.auditActions("cost_center", cc.ID.String()); !slices.Equal(got, []string{"create", "update"}) {
		t.Fatalf("audit %v", got)
	}

	// Another tenant's HR admin sees none of it.
	other := e.as(e.other, rbac.HRAdmin)
	if tree := must(e.svc.Tree(other, civil.Date{}))(t); len(tree) != 0 {
		t.Fatalf("other tenant sees %+v", tree)
	}
	_, err = e.svc.Department(other, root.ID, civil.Date{})
	wantErr(t, err, errs.NotFound, "")
	_, err = e.svc.UpdateDepartment(other, root.ID, org.DepartmentUpdate{Name: ptr("hijack")})
	wantErr(t, err, errs.NotFound, "")
	_, err = e.svc.CostCenter(other, cc.ID)
	wantErr(t, err, errs.NotFound, "")
	// The same code is free in the other tenant.
	if _, err := e.svc.CreateDepartment(other, org.NewDepartment{Code: "R", Name: "R"}); err != nil {
		t.Fatal(err)
	}

	// Permissions: nobody signed in, an employee (read only).
	_, err = e.svc.Tree(t.Context(), civil.Date{})
	wantErr(t, err, errs.Unauthenticated, "")
	_, err = e.svc.CreateDepartment(t.Context(), org.NewDepartment{Code: "Z", Name: "Z"})
	wantErr(t, err, errs.Unauthenticated, "")
	emp := e.as(e.tenant, rbac.Employee)
	if _, err := e.svc.Tree(emp, civil.Date{}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.CreateDepartment(emp, org.NewDepartment{Code: "Z", Name: "Z"})
	if ee := wantErr(t, err, errs.Forbidden, "forbidden"); ee.Params["permission"] != org.PermManage {
		t.Fatal(ee)
	}
	_, err = e.svc.MoveDepartment(emp, root.ID, 0, org.DepartmentChange{})
	wantErr(t, err, errs.Forbidden, "")
	_, err = e.svc.CreateGrade(emp, org.GradeInput{Code: ptr("P1"), Name: ptr("P1")})
	wantErr(t, err, errs.Forbidden, "")

	// Data scopes expand through Subtree, with no permission needed.
	child := e.dept("C", "C", root.ID, civil.Date{})
	sub := must(e.svc.Subtree(t.Context(), e.tenant, []ids.ID{root.ID}))(t)
	if !slices.Contains(sub, child.ID) || !slices.Contains(sub, root.ID) {
		t.Fatalf("subtree %v", sub)
	}
	if sub := must(e.svc.Subtree(other, e.tenant, []ids.ID{root.ID}))(t); len(sub) != 2 {
		t.Fatalf("subtree from another tenant's context %v", sub)
	}
}

func TestDepartmentList(t *testing.T) {
	e := newEnv(t)
	le := must(e.svc.CreateLegalEntity(e.hr, org.LegalEntityInput{Name: ptr("人事科技有限公司"), CreditCode: ptr("91350100M000100Y43")}))(t)
	root := must(e.svc.CreateDepartment(e.hr, org.NewDepartment{Code: "HQ", Name: "总公司", LegalEntityID: le.ID}))(t)
	e.dept("HR", "人事部", root.ID, civil.Date{})
	tech := e.dept("TECH", "技术部", root.ID, civil.Date{})
	e.dept("TECH-FE", "前端组", tech.ID, civil.Date{})
	old := e.dept("OLD", "旧部门", root.ID, civil.Date{})
	must(e.svc.DeactivateDepartment(e.hr, old.ID, org.DepartmentChange{}))(t)

	items, total := must2(e.svc.Departments(e.hr, org.DepartmentFilter{Size: 20}))(t)
	if total != 5 || items[0].Code != "HQ" || items[0].LegalEntityName != "人事科技有限公司" {
		t.Fatalf("%d %+v", total, items)
	}
	items, total = must2(e.svc.Departments(e.hr, org.DepartmentFilter{Query: "前端", Size: 20}))(t)
	if total != 1 || items[0].PathName != "总公司 / 技术部 / 前端组" || items[0].ParentName != "技术部" {
		t.Fatalf("%+v", items)
	}
	items, total = must2(e.svc.Departments(e.hr, org.DepartmentFilter{Active: ptr(false), Size: 20}))(t)
	if total != 1 || items[0].Code != "OLD" {
		t.Fatalf("%+v", items)
	}
	items, total = must2(e.svc.Departments(e.hr, org.DepartmentFilter{Sort: "-code", Page: 2, Size: 2}))(t)
	if total != 5 || len(items) != 2 || items[0].Code != "OLD" {
		t.Fatalf("%+v", items)
	}
}

// must2(f())(t) is must for functions returning a page and its total.
func must2[T any](v T, n int, err error) func(testing.TB) (T, int) {
	return func(tb testing.TB) (T, int) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return v, n
	}
}

// TestConcurrentMoves: two moves that each alone are fine but together
// would close a cycle, made at once: one of them must be refused.
func TestConcurrentMoves(t *testing.T) {
	e := newEnv(t)
	for round := range 5 {
		a := e.dept(fmt.Sprintf("A%d", round), "A", 0, civil.Date{})
		b := e.dept(fmt.Sprintf("B%d", round), "B", 0, civil.Date{})
		errc := make(chan error, 2)
		go func() { _, err := e.svc.MoveDepartment(e.hr, a.ID, b.ID, org.DepartmentChange{}); errc <- err }()
		go func() { _, err := e.svc.MoveDepartment(e.hr, b.ID, a.ID, org.DepartmentChange{}); errc <- err }()
		e1, e2 := <-errc, <-errc
		if (e1 == nil) == (e2 == nil) {
			t.Fatalf("round %d: %v / %v", round, e1, e2)
		}
		if err := cmp.Or(e1, e2); !errs.Is(err, errs.Invalid, "org.department_cycle") {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}

func TestPositionsAndPlans(t *testing.T) {
	e := newEnv(t)
	p3 := must(e.svc.CreateGrade(e.hr, org.GradeInput{Code: ptr("P3"), Name: ptr("三级"), Rank: ptr(30)}))(t)
	p5 := must(e.svc.CreateGrade(e.hr, org.GradeInput{Code: ptr("P5"), Name: ptr("五级"), Rank: ptr(50)}))(t)
	_, err := e.svc.CreatePosition(e.hr, org.PositionInput{Code: ptr("ENG"), Name: ptr("工程师"), MinGradeID: &p5.ID, MaxGradeID: &p3.ID})
	if !slices.Contains(fieldCodes(err), "maxGradeId:org.grade_range") {
		t.Fatal(err)
	}
	pos := must(e.svc.CreatePosition(e.hr, org.PositionInput{Code: ptr("ENG"), Name: ptr("工程师"), MinGradeID: &p3.ID, MaxGradeID: &p5.ID}))(t)
	if pos.MinGradeName != "三级" || pos.MaxGradeName != "五级" {
		t.Fatalf("%+v", pos)
	}
	_, err = e.svc.UpdateGrade(e.hr, p3.ID, org.GradeInput{Rank: ptr(60), Version: 1})
	if !slices.Contains(fieldCodes(err), "rank:org.rank_breaks_range") {
		t.Fatal(err)
	}
	d1 := e.dept("D1", "一部", 0, civil.Date{})
	d2 := e.dept("D2", "二部", 0, e.day(10)) // opens later: named by its first name
	rows := must(e.svc.SetHeadcountPlan(e.hr, pos.ID, []org.PlanRow{{DepartmentID: d1.ID, Planned: 3}, {DepartmentID: d2.ID, Planned: 4}}))(t)
	if len(rows) != 2 || rows[1].DepartmentName != "二部" {
		t.Fatalf("%+v", rows)
	}
	if got := must(e.svc.Position(e.hr, pos.ID))(t); got.PlannedTotal != 7 {
		t.Fatalf("%+v", got)
	}
	// Replacing the plan drops rows not sent.
	must(e.svc.SetHeadcountPlan(e.hr, pos.ID, []org.PlanRow{{DepartmentID: d2.ID, Planned: 1}}))(t)
	plan := must(e.svc.HeadcountPlan(e.hr, pos.ID))(t)
	if len(plan) != 1 || plan[0].Planned != 1 {
		t.Fatalf("%+v", plan)
	}
	if got := e.auditActions("position", pos.ID.String()); !slices.Equal(got, []string{"create", "set_headcount_plan", "set_headcount_plan"}) {
		t.Fatalf("audit %v", got)
	}
	var exported []string
	if err := e.svc.EachPosition(e.hr, org.ListFilter{}, func(p *org.Position) error {
		exported = append(exported, fmt.Sprintf("%s %s-%s %d", p.Code, p.MinGradeName, p.MaxGradeName, p.PlannedTotal))
		return nil
	}); err != nil || !slices.Equal(exported, []string{"ENG 三级-五级 1"}) {
		t.Fatalf("%v %v", exported, err)
	}
}
