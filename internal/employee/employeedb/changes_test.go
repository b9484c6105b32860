package employeedb_test

import (
	"cmp"
	"testing"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/employee/employeetest"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Exports page through the store a thousand rows at a time, continuing
// after the last row's key: every row comes exactly once and in order,
// across page boundaries, for every sort (on both engines).
func TestEachPagesThroughEveryRow(t *testing.T) {
	e := employeetest.New(t)
	ctx := e.System()
	const n = 1234
	if _, err := e.Seed(ctx, n); err != nil {
		t.Fatal(err)
	}
	for _, sort := range []string{"", "employeeNo", "-employeeNo", "name", "-name", "createdAt", "-createdAt", "hireDate", "-hireDate"} {
		f := &employee.Filter{Scope: rbac.Scope{All: true}, Sort: sort}
		seen := map[ids.ID]bool{}
		var prev *employee.Employee
		err := e.Store.Each(ctx, f, func(x *employee.Employee) error {
			if seen[x.ID] {
				t.Fatalf("sort %q: %s twice", sort, x.EmployeeNo)
			}
			seen[x.ID] = true
			if prev != nil {
				var c int
				switch sort {
				case "name", "-name":
					c = cmp.Or(cmp.Compare(prev.NamePinyin, x.NamePinyin), cmp.Compare(prev.ID, x.ID))
				case "createdAt", "-createdAt":
					c = cmp.Compare(prev.ID, x.ID)
				case "hireDate", "-hireDate":
					c = cmp.Compare(prev.HireDate.String(), x.HireDate.String())
				default:
					c = cmp.Compare(prev.EmployeeNo, x.EmployeeNo)
				}
				if desc := len(sort) > 0 && sort[0] == '-'; desc && c < 0 || !desc && c > 0 {
					t.Fatalf("sort %q: %s before %s", sort, prev.EmployeeNo, x.EmployeeNo)
				}
			}
			p := *x
			prev = &p
			return nil
		})
		if err != nil || len(seen) != n {
			t.Fatalf("sort %q: %d rows, %v", sort, len(seen), err)
		}
	}
}

func TestEachChangeMatchesThePages(t *testing.T) {
	e := employeetest.New(t)
	ctx := e.System()
	co, err := e.Seed(ctx, 800)
	if err != nil {
		t.Fatal(err)
	}
	// Every job history row is a change.
	want := 0
	for _, id := range co.Employees {
		rows, err := e.Store.Assignments(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want += len(rows)
	}
	if want <= 1000 {
		t.Fatalf("only %d rows: the test needs more than one page", want)
	}
	f := &employee.ChangeFilter{Scope: rbac.Scope{All: true}, Size: 200}
	var streamed []ids.ID
	var prev *employee.ChangeRecord
	if err := e.Store.EachChange(ctx, f, func(c *employee.ChangeRecord) error {
		if prev != nil && (c.ValidFrom.After(prev.ValidFrom) || c.ValidFrom == prev.ValidFrom && c.ID >= prev.ID) {
			t.Fatalf("order: %v/%s after %v/%s", c.ValidFrom, c.ID, prev.ValidFrom, prev.ID)
		}
		if c.Reason != employee.ReasonHire && c.Previous == nil {
			t.Fatalf("a %s without the job before it", c.Reason)
		}
		x := *c
		prev = &x
		streamed = append(streamed, c.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(streamed) != want {
		t.Fatalf("streamed %d changes, want %d", len(streamed), want)
	}
	// The pages of the list give the same rows in the same order.
	var paged []ids.ID
	for page := 1; ; page++ {
		f.Page = page
		rows, total, capped, err := e.Store.Changes(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if total != want || capped {
			t.Fatalf("total %d capped %v, want %d", total, capped, want)
		}
		for _, r := range rows {
			paged = append(paged, r.ID)
		}
		if len(rows) < f.Size {
			break
		}
	}
	if len(paged) != len(streamed) {
		t.Fatalf("%d paged, %d streamed", len(paged), len(streamed))
	}
	for i := range paged {
		if paged[i] != streamed[i] {
			t.Fatalf("row %d: page %s, stream %s", i, paged[i], streamed[i])
		}
	}
}
