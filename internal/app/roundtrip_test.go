package app_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/renshi/renshi/internal/app"
	"github.com/renshi/renshi/internal/app/apptest"
	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// A roster exported to .xlsx (sensitive columns in full) and imported
// again changes nothing, also for a name a spreadsheet would run as a
// formula.
func TestExportImportRoundTrip(t *testing.T) {
	env := apptest.New(t)
	a := env.App
	ctx := context.Background()
	if _, err := a.SeedDemo(ctx, app.SeedOptions{Tenant: env.Tenant.Code, Employees: 60}); err != nil {
		t.Fatal(err)
	}
	hr := env.User("hr", rbac.HRAdmin)
	sys := rbac.WithPrincipal(ctx, rbac.SystemPrincipal(env.Tenant.ID, "test"))
	p, err := a.Auth.ActAs(sys, hr.ID)
	if err != nil {
		t.Fatal(err)
	}
	as := rbac.WithPrincipal(ctx, p)
	// One person with a formula-like English name.
	list, err := a.Employees.List(as, employee.Filter{Size: 1})
	if err != nil || len(list.Items) == 0 {
		t.Fatal(err)
	}
	first := list.Items[0]
	evil := "=HYPERLINK(\"http://x\",\"y\")"
	d, err := a.Employees.Get(as, first.ID, civil.Date{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Employees.Update(as, first.ID, employee.ProfileUpdate{EnglishName: &evil, Version: d.Version}); err != nil {
		t.Fatal(err)
	}

	cols := []string{"employeeNo", "name", "englishName", "gender", "birthDate", "idNumber", "mobile", "email",
		"nationality", "ethnicity", "address", "bankName", "bankAccount", "firstWorkDate"}
	x, err := a.Employees.PrepareExport(as, employee.ExportRequest{Columns: cols, Unmasked: true})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := export.New(&buf, export.XLSX, x.Title)
	if err != nil {
		t.Fatal(err)
	}
	n, err := x.Write(as, w)
	if err != nil || w.Close() != nil || n < 60 {
		t.Fatalf("export: %d rows, %v", n, err)
	}

	v, err := a.Imports.Upload(as, employee.TargetEmployees, "花名册.xlsx", bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Unmapped) != 0 {
		t.Fatalf("exported headers the import does not know: %v", v.Unmapped)
	}
	if _, err := a.Imports.SetMapping(as, v.ID, imports.MappingInput{Mapping: v.Mapping, Key: "employeeNo"}); err != nil {
		t.Fatal(err)
	}
	if v, err = a.Imports.CheckNow(as, v.ID, nil); err != nil {
		t.Fatal(err)
	}
	if v.Counts != (imports.Counts{Unchanged: n}) {
		errs, _, _ := a.Imports.Errors(as, v.ID, 1, 20)
		t.Fatalf("round trip: %+v (want %d unchanged) %+v", v.Counts, n, errs)
	}
	after, err := a.Employees.Get(as, first.ID, civil.Date{})
	if err != nil || after.Profile.EnglishName != evil || after.Version != d.Version+1 {
		t.Fatalf("after: %q v%d", after.Profile.EnglishName, after.Version)
	}
}
