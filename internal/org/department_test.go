package org

import (
	"errors"
	"testing"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
)

func ver(dept, parent ids.ID, from, to string, active bool) DepartmentVersion {
	v := DepartmentVersion{DepartmentID: dept, ParentID: parent, ValidFrom: civil.MustParse(from), Active: active}
	if to != "" {
		v.ValidTo = civil.MustParse(to)
	}
	return v
}

// TestStructureCheck covers the tree rules a change is checked against,
// on its own day and on the later days scheduled changes take effect.
func TestStructureCheck(t *testing.T) {
	// 1 is the root; 2 and 3 are below it; 4 is below 2.
	base := []DepartmentVersion{
		ver(1, 0, "2020-01-01", "", true),
		ver(2, 1, "2020-01-01", "", true),
		ver(3, 1, "2020-01-01", "", true),
		ver(4, 2, "2020-01-01", "", true),
	}
	cases := []struct {
		name   string
		extra  []DepartmentVersion // scheduled versions (replacing from their day)
		change DepartmentVersion
		kind   errs.Kind
		code   string
		date   string
	}{
		{"move under a sibling", nil, ver(2, 3, "2026-01-01", "", true), 0, "", ""},
		{"move under itself", nil, ver(2, 2, "2026-01-01", "", true), errs.Invalid, "org.department_cycle", ""},
		{"move under own child", nil, ver(2, 4, "2026-01-01", "", true), errs.Invalid, "org.department_cycle", ""},
		{"root under a grandchild", nil, ver(1, 4, "2026-01-01", "", true), errs.Invalid, "org.department_cycle", ""},
		{"cycle only after a scheduled move", []DepartmentVersion{ver(3, 4, "2026-03-01", "", true)},
			ver(2, 3, "2026-01-01", "", true), errs.Conflict, "org.conflicting_change", "2026-03-01"},
		{"no cycle after the scheduled move is earlier", []DepartmentVersion{ver(3, 4, "2026-03-01", "", true)},
			ver(4, 1, "2026-01-01", "", true), 0, "", ""},
		{"under a missing parent", nil, ver(2, 99, "2026-01-01", "", true), errs.Invalid, "org.parent_missing", "2026-01-01"},
		{"under an inactive parent", []DepartmentVersion{ver(3, 1, "2025-01-01", "", false)},
			ver(2, 3, "2026-01-01", "", true), errs.Invalid, "org.parent_inactive", "2026-01-01"},
		{"parent closes later", []DepartmentVersion{ver(3, 1, "2026-06-01", "", false)},
			ver(2, 3, "2026-01-01", "", true), errs.Conflict, "org.conflicting_change", "2026-06-01"},
		{"deactivate with an active child", nil, ver(2, 1, "2026-01-01", "", false), errs.Conflict, "org.department_has_children", "2026-01-01"},
		{"deactivate a leaf", nil, ver(4, 2, "2026-01-01", "", false), 0, "", ""},
		{"deactivate once the child has moved away", []DepartmentVersion{ver(4, 3, "2025-12-01", "", true)},
			ver(2, 1, "2026-01-01", "", false), 0, "", ""},
		{"deactivate before the child moves away", []DepartmentVersion{ver(4, 3, "2026-02-01", "", true)},
			ver(2, 1, "2026-01-01", "", false), errs.Conflict, "org.department_has_children", "2026-01-01"},
		{"a child moves in after the deactivation", []DepartmentVersion{ver(3, 4, "2026-02-01", "", true)},
			ver(4, 2, "2026-01-01", "", false), errs.Conflict, "org.conflicting_change", "2026-02-01"},
		{"new department under a parent that opens later", []DepartmentVersion{ver(5, 0, "2026-02-01", "", true)},
			ver(6, 5, "2026-01-01", "", true), errs.Invalid, "org.parent_missing", "2026-01-01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := newStructure(base)
			for _, x := range c.extra {
				st.replaceFrom(x)
			}
			st.replaceFrom(c.change)
			err := st.check(c.change.DepartmentID, c.change.ValidFrom)
			if c.code == "" {
				if err != nil {
					t.Fatalf("want ok, got %v", err)
				}
				return
			}
			if !errs.Is(err, c.kind, c.code) {
				t.Fatalf("want %v %s, got %v", c.kind, c.code, err)
			}
			var e *errs.Error
			_ = errors.As(err, &e)
			if c.date != "" && e.Params["date"] != c.date {
				t.Fatalf("date %v, want %s", e.Params["date"], c.date)
			}
		})
	}
}

func TestBuildTree(t *testing.T) {
	rows := []Department{
		{ID: 4, Code: "B1", Name: "b1", ParentID: 3},
		{ID: 2, Code: "A", Name: "a", ParentID: 1},
		{ID: 3, Code: "B", Name: "b", ParentID: 1},
		{ID: 1, Code: "R", Name: "r"},
		{ID: 5, Code: "O", Name: "orphan", ParentID: 99}, // parent not open that day
	}
	out := buildTree(rows)
	var order []ids.ID
	for _, d := range out {
		order = append(order, d.ID)
	}
	want := []ids.ID{5, 1, 2, 3, 4}
	if len(order) != len(want) {
		t.Fatalf("order %v", order)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %v, want %v", order, want)
		}
	}
	if p := out[4].Path; len(p) != 3 || p[0] != 1 || p[1] != 3 || p[2] != 4 || out[4].PathNames[1] != "b" {
		t.Fatalf("path %v %v", p, out[4].PathNames)
	}
}
