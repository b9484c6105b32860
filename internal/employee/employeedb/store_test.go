package employeedb_test

import (
	"slices"
	"testing"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/employee/employeetest"
	"github.com/renshi/renshi/internal/platform/civil"
)

// Rows written by the bulk path (bound parameters) read back through bun
// exactly like rows written one by one, on both engines.
func TestBulkImportRoundTrip(t *testing.T) {
	e := employeetest.New(t)
	ctx := e.System()
	co, err := e.Seed(ctx, 300)
	if err != nil {
		t.Fatal(err)
	}
	admin := e.Admin()
	id := co.Employees[17]
	got, err := e.Svc.Get(admin, id, civil.Date{})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := e.Store.Employee(admin, id)
	if err != nil {
		t.Fatal(err)
	}
	if stored.CreatedAt.IsZero() || stored.CreatedAt.Year() != e.Clock.Year() || got.EmployeeNo == "" || got.Job.HireDate.IsZero() {
		t.Fatalf("round trip: %+v / %+v", stored.CreatedAt, got)
	}
	h, err := e.Svc.History(admin, id)
	if err != nil || len(h) == 0 || h[len(h)-1].Reason != employee.ReasonHire {
		t.Fatalf("history: %+v %v", h, err)
	}
	cs, err := e.Svc.Contracts(admin, id)
	if err != nil || len(cs.Items) == 0 || cs.Items[0].Sequence != 1 {
		t.Fatalf("contracts: %+v %v", cs, err)
	}
	s, err := e.Svc.Sensitive(admin, id)
	if err != nil || len(s.IDNumber) != 18 || s.BankAccount == "" {
		t.Fatalf("sealed values: %+v %v", s, err)
	}
	// Bulk rows are searchable by token and by search_text (filtered).
	p, err := e.Svc.List(admin, employee.Filter{Query: got.EmployeeNo})
	if err != nil || len(p.Items) != 1 || p.Items[0].ID != id {
		t.Fatalf("token search: %+v %v", p, err)
	}
	p, err = e.Svc.List(admin, employee.Filter{Query: got.EmployeeNo, Statuses: []string{got.Job.Status}, Sort: "name"})
	if err != nil || len(p.Items) != 1 {
		t.Fatalf("filtered search: %+v %v", p, err)
	}
	// Renaming moves the tokens.
	name := "龙新名"
	if _, err := e.Svc.Update(admin, id, employee.ProfileUpdate{Name: &name, Version: got.Version}); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{"longxinming": 1, "lxm": 1, got.Profile.Name: 0} {
		p, err := e.Svc.List(admin, employee.Filter{Query: q})
		n := 0
		for _, it := range p.Items {
			if it.ID == id {
				n++
			}
		}
		if err != nil || n != want {
			t.Errorf("after rename, %q finds him %d times (%v)", q, n, err)
		}
	}
	// Numbers continue after the imported ones.
	r, err := e.Store.NumberRule(admin)
	if err != nil || r.NextValue != 301 {
		t.Fatalf("rule: %+v %v", r, err)
	}
	// Paging through a search: pages do not repeat people.
	var seen []string
	for page := 1; page <= 3; page++ {
		p, err := e.Svc.List(admin, employee.Filter{Query: "rs0000", Page: page, Size: 20})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range p.Items {
			if slices.Contains(seen, it.EmployeeNo) {
				t.Fatalf("page %d repeats %s", page, it.EmployeeNo)
			}
			seen = append(seen, it.EmployeeNo)
		}
	}
	if len(seen) != 60 || !slices.IsSorted(seen) {
		t.Fatalf("paged: %v", seen)
	}
}
