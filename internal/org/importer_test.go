package org_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// people is the employee module as the department import sees it.
type people struct {
	fakeHeadcount
	byNo  map[string]ids.ID
	inUse map[ids.ID]bool
}

func (p *people) EmployeeIDsByNumber(_ context.Context, nos []string) (map[string]ids.ID, error) {
	out := map[string]ids.ID{}
	for _, n := range nos {
		if id, ok := p.byNo[n]; ok {
			out[n] = id
		}
	}
	return out, nil
}

func (p *people) DepartmentsInUse(_ context.Context, deptIDs []ids.ID) ([]ids.ID, error) {
	var out []ids.ID
	for _, d := range deptIDs {
		if p.inUse[d] {
			out = append(out, d)
		}
	}
	return out, nil
}

func drow(line int, kv ...string) imports.Row {
	r := imports.Row{Line: line, Values: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		r.Values[kv[i]] = kv[i+1]
	}
	return r
}

func importCodes(o imports.Outcome) []string {
	var out []string
	for _, fe := range o.Errors {
		out = append(out, fe.Column+":"+fe.Code)
	}
	return out
}

func importActions(outs []imports.Outcome) []string {
	var out []string
	for _, o := range outs {
		out = append(out, o.Action)
	}
	return out
}

// importRun checks (and, unless dry, applies) rows as the engine does.
func importRun(t *testing.T, e *env, ctx context.Context, dry bool, rows ...imports.Row) ([]imports.Outcome, []imports.Change) {
	t.Helper()
	tg := org.ImportTargets(e.svc)[0]
	run := &imports.Run{BatchID: fmt.Sprint(ids.New()), Key: "code", DryRun: dry, State: map[string]any{}}
	var outs []imports.Outcome
	var changes []imports.Change
	err := e.db.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if outs, err = tg.Check(ctx, run, rows); err != nil || dry {
			return err
		}
		var apply []imports.Row
		var applied []imports.Outcome
		for i, o := range outs {
			if o.Action == imports.ActionNew || o.Action == imports.ActionUpdate {
				apply, applied = append(apply, rows[i]), append(applied, o)
			}
		}
		if len(apply) > 0 {
			changes, err = tg.Apply(ctx, run, apply, applied)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return outs, changes
}

func undo(e *env, ctx context.Context, changes []imports.Change) error {
	rev := slices.Clone(changes)
	slices.Reverse(rev)
	return e.db.WithTx(ctx, func(ctx context.Context) error { return org.ImportTargets(e.svc)[0].Rollback(ctx, rev) })
}

func TestDepartmentImport(t *testing.T) {
	e := newEnv(t)
	head := ids.New()
	p := &people{byNo: map[string]ids.ID{"E001": head}, inUse: map[ids.ID]bool{}}
	e.svc.SetHeadcount(p)
	hq := e.dept("HQ", "总部", 0, e.day(-1000))
	tech := e.dept("TECH", "技术部", hq.ID, e.day(-1000))
	be := e.dept("BE", "后端组", tech.ID, e.day(-1000))
	cc := must(e.svc.CreateCostCenter(e.hr, org.CostCenterInput{Code: ptr("CC01"), Name: ptr("研发成本")}))(t)
	since := e.day(-30).String()
	rows := []imports.Row{
		drow(2, "code", "RD", "name", "研发中心", "parent", "HQ", "effectiveDate", since, "costCenter", "研发成本"),
		drow(3, "code", "RD-PLAT", "name", "平台组", "parent", "总部/研发中心", "head", "E001", "effectiveDate", since),
		drow(4, "code", "DATA", "name", "数据组", "parent", "技术部", "effectiveDate", since),
		drow(5, "code", "rd", "name", "重复"),
		drow(6, "code", "X1", "name", "孤儿", "parent", "不存在"),
		drow(7, "code", "X2", "name", "无成本", "costCenter", "CC99", "head", "E404"),
		drow(8, "code", "坏码", "name", "坏"),
		drow(9, "code", "X3", "name", "早于上级", "parent", "RD", "effectiveDate", e.day(-60).String()),
	}
	outs, _ := importRun(t, e, e.hr, true, rows...)
	want := []string{"new", "new", "new", "failed", "failed", "failed", "failed", "failed"}
	if got := importActions(outs); !slices.Equal(got, want) {
		for i, o := range outs {
			t.Logf("line %d: %s %v", i+2, o.Action, importCodes(o))
		}
		t.Fatalf("dry run: %v", got)
	}
	for i, w := range []string{"code:imports.duplicate_key", "parent:imports.unknown_department", "costCenter:imports.unknown_reference",
		"code:org.code_format", "parent:org.parent_missing"} {
		if !slices.Contains(importCodes(outs[i+3]), w) {
			t.Errorf("line %d lacks %s: %v", i+5, w, importCodes(outs[i+3]))
		}
	}
	if !slices.Contains(importCodes(outs[5]), "head:imports.unknown_employee") {
		t.Errorf("head: %v", importCodes(outs[5]))
	}
	_, created := importRun(t, e, e.hr, false, rows[:3]...)
	if len(created) != 3 {
		t.Fatalf("changes: %+v", created)
	}
	tree := must(e.svc.Tree(e.hr, e.today))(t)
	var plat *org.Department
	for i := range tree {
		if tree[i].Code == "RD-PLAT" {
			plat = &tree[i]
		}
	}
	if plat == nil || strings.Join(plat.PathNames, "/") != "总部/研发中心/平台组" || plat.HeadEmployeeID != head {
		t.Fatalf("平台组: %+v", plat)
	}
	// The same rows again: unchanged.
	outs, _ = importRun(t, e, e.hr, false, rows[:3]...)
	if got := importActions(outs); !slices.Equal(got, []string{"unchanged", "unchanged", "unchanged"}) {
		t.Fatalf("again: %v %v", got, importCodes(outs[0]))
	}
	// Changes from a day: a rename scheduled, a move, refused moves.
	later := e.day(10).String()
	changes := []imports.Row{
		drow(2, "code", "RD", "name", "研发部", "effectiveDate", later),
		drow(3, "code", "DATA", "parent", "BE"),
		drow(4, "code", "TECH", "parent", "后端组"),
		drow(5, "code", "BE", "name", "后端", "effectiveDate", e.day(-2000).String()),
		drow(6, "code", "HQ", "parent", "HQ"),
	}
	outs, _ = importRun(t, e, e.hr, true, changes...)
	if got := importActions(outs); !slices.Equal(got, []string{"update", "update", "failed", "failed", "failed"}) {
		t.Fatalf("changes: %v %v %v", got, importCodes(outs[2]), importCodes(outs[3]))
	}
	for i, w := range []string{"parent:org.department_cycle", "effectiveDate:org.before_department_start", "parent:org.department_cycle"} {
		if !slices.Contains(importCodes(outs[i+2]), w) {
			t.Errorf("line %d lacks %s: %v", i+4, w, importCodes(outs[i+2]))
		}
	}
	_, updated := importRun(t, e, e.hr, false, changes[:2]...)
	rd := must(e.svc.Department(e.hr, mustID(t, created[0].ObjectID), e.day(10)))(t)
	if rd.Name != "研发部" {
		t.Fatalf("scheduled rename: %+v", rd)
	}
	if d := must(e.svc.Department(e.hr, mustID(t, created[2].ObjectID), e.today))(t); d.ParentID != be.ID {
		t.Fatalf("move: %+v", d)
	}
	// Rollback: the changes first, then the new departments.
	if err := undo(e, e.hr, updated); err != nil {
		t.Fatal(err)
	}
	if d := must(e.svc.Department(e.hr, rd.ID, e.day(10)))(t); d.Name != "研发中心" {
		t.Fatalf("rename not undone: %+v", d)
	}
	// Someone works in a created department: refused, naming it.
	p.inUse[plat.ID] = true
	x := wantErr(t, undo(e, e.hr, created), errs.Conflict, "imports.rollback_conflict")
	if !strings.Contains(fmt.Sprint(x.Params["records"]), "RD-PLAT 平台组") {
		t.Fatalf("records: %v", x.Params)
	}
	p.inUse[plat.ID] = false
	// Changed since: refused too.
	name := "研发中心二"
	must(e.svc.UpdateDepartment(e.hr, rd.ID, org.DepartmentUpdate{Name: &name}))(t)
	wantErr(t, undo(e, e.hr, created), errs.Conflict, "imports.rollback_conflict")
	// Without that change it goes: children before parents.
	_, fresh := importRun(t, e, e.hr, false, drow(2, "code", "OPS", "name", "运维部", "parent", "HQ"), drow(3, "code", "OPS-1", "name", "一组", "parent", "OPS"))
	if err := undo(e, e.hr, fresh); err != nil {
		t.Fatal(err)
	}
	for _, c := range fresh {
		if _, err := e.svc.Department(e.hr, mustID(t, c.ObjectID), e.today); !errs.Is(err, errs.NotFound, "") {
			t.Fatalf("left after rollback: %v", err)
		}
	}
	_ = cc
}

func TestDepartmentImportTenantsAndPermission(t *testing.T) {
	e := newEnv(t)
	e.dept("HQ", "总部", 0, e.day(-100))
	other := e.as(e.other, rbac.HRAdmin)
	outs, changes := importRun(t, e, other, false, drow(2, "code", "HQ", "name", "别家总部"))
	if outs[0].Action != imports.ActionNew || len(changes) != 1 {
		t.Fatalf("other tenant: %v %v", importActions(outs), importCodes(outs[0]))
	}
	// The first tenant cannot roll back the other's import.
	wantErr(t, undo(e, e.hr, changes), errs.Conflict, "imports.rollback_conflict")
	tg := org.ImportTargets(e.svc)[0]
	emp := e.as(e.tenant, rbac.Employee)
	if _, err := tg.Check(emp, &imports.Run{Key: "code"}, []imports.Row{drow(2, "code", "A", "name", "A")}); !errs.Is(err, errs.Forbidden, "") {
		t.Fatalf("check: %v", err)
	}
	if _, err := tg.Apply(emp, &imports.Run{Key: "code"}, nil, nil); !errs.Is(err, errs.Forbidden, "") {
		t.Fatalf("apply: %v", err)
	}
	if err := tg.Rollback(emp, changes); !errs.Is(err, errs.Forbidden, "") {
		t.Fatalf("rollback: %v", err)
	}
	cols := must(tg.Columns(e.hr))(t)
	if cols[0].Key != "code" || !cols[0].Required || tg.Keys()[0] != "code" || tg.Permission() != org.PermManage {
		t.Fatalf("columns: %+v", cols[0])
	}
}

func mustID(t *testing.T, s string) ids.ID {
	t.Helper()
	id, err := ids.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
