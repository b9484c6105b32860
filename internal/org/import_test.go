package org_test

import (
	"testing"

	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

func TestImportDepartments(t *testing.T) {
	e := newEnv(t)
	root, child := ids.New(), ids.New()
	list := []org.ImportDepartment{
		{ID: root, NewDepartment: org.NewDepartment{Code: "HQ", Name: "总部", EffectiveDate: e.day(-30)}},
		{ID: child, NewDepartment: org.NewDepartment{Code: "HQ-IT", Name: "信息部", ParentID: root, EffectiveDate: e.day(-30)}},
	}
	if err := e.svc.ImportDepartments(e.hr, list); err != nil {
		t.Fatal(err)
	}
	tree := must(e.svc.Tree(e.hr, e.today))(t)
	if len(tree) != 2 {
		t.Fatalf("tree has %d departments", len(tree))
	}
	d := must(e.svc.Department(e.hr, child, e.today))(t)
	if d.ParentID != root || len(d.Path) != 2 {
		t.Fatalf("child: %+v", d)
	}
	// A code already taken, a parent that does not exist, or no permission:
	// refused, nothing written.
	wantErr(t, e.svc.ImportDepartments(e.hr, []org.ImportDepartment{{NewDepartment: org.NewDepartment{Code: "NEW", Name: "新"}}, {NewDepartment: org.NewDepartment{Code: "HQ", Name: "重复"}}}), errs.Invalid, "")
	wantErr(t, e.svc.ImportDepartments(e.hr, []org.ImportDepartment{{NewDepartment: org.NewDepartment{Code: "ORPHAN", Name: "孤儿", ParentID: ids.New()}}}), errs.Invalid, "")
	wantErr(t, e.svc.ImportDepartments(e.as(e.tenant, rbac.Employee), []org.ImportDepartment{{NewDepartment: org.NewDepartment{Code: "X", Name: "x"}}}), errs.Forbidden, "")
	if n := len(must(e.svc.Tree(e.hr, e.today))(t)); n != 2 {
		t.Fatalf("refused imports wrote departments: %d", n)
	}
	// The other tenant's parent is not a parent here.
	other := ids.New()
	if err := e.svc.ImportDepartments(e.as(e.other, rbac.HRAdmin), []org.ImportDepartment{{ID: other, NewDepartment: org.NewDepartment{Code: "O", Name: "O"}}}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, e.svc.ImportDepartments(e.hr, []org.ImportDepartment{{NewDepartment: org.NewDepartment{Code: "Y", Name: "y", ParentID: other}}}), errs.Invalid, "")
}
