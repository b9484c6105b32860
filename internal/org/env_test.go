package org_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/org/orgdb"
	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/tenant"
	"github.com/renshi/renshi/internal/platform/tenant/tenantdb"
)

var chainKey = []byte("0123456789abcdef0123456789abcdef")

// env is a migrated database with two tenants and the org service.
type env struct {
	tb     testing.TB
	db     *db.DB
	svc    *org.Service
	audit  *audit.Log
	tenant ids.ID
	other  ids.ID
	hr     context.Context // hr_admin of tenant
	today  civil.Date
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	d := dbtest.MustOpen(tb)
	a := audit.New(d, chainKey)
	tenants := tenant.NewService(d, tenantdb.New(d), a)
	ctx := context.Background()
	t1, err := tenants.Create(ctx, tenant.New{Code: "acme", Name: "Acme"})
	if err != nil {
		tb.Fatal(err)
	}
	t2, err := tenants.Create(ctx, tenant.New{Code: "other", Name: "Other"})
	if err != nil {
		tb.Fatal(err)
	}
	e := &env{tb: tb, db: d, svc: org.NewService(d, orgdb.New(d), a), audit: a, tenant: t1.ID, other: t2.ID}
	e.hr = e.as(t1.ID, rbac.HRAdmin)
	e.today = org.Today(e.hr)
	return e
}

// as is a principal of the tenant holding a built-in role's permissions.
func (e *env) as(tenantID ids.ID, role string) context.Context {
	perms := map[string]rbac.Scope{}
	for _, p := range rbac.BuiltinPermissions(role) {
		perms[p] = rbac.Scope{All: true, Self: true}
	}
	p := rbac.NewPrincipal(rbac.Principal{TenantID: tenantID, UserID: ids.New(), Login: role, TimeZone: "Asia/Shanghai", Roles: []string{role}}, perms)
	return rbac.WithPrincipal(context.Background(), p)
}

func (e *env) day(offset int) civil.Date { return e.today.AddDays(offset) }

// must(f())(t) fails the test when f fails and returns its value.
func must[T any](v T, err error) func(testing.TB) T {
	return func(tb testing.TB) T {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
}

// wantErr fails unless err is of kind with code (any code when "").
func wantErr(tb testing.TB, err error, kind errs.Kind, code string) *errs.Error {
	tb.Helper()
	if !errs.Is(err, kind, code) {
		tb.Fatalf("want %v %q, got %v", kind, code, err)
	}
	var e *errs.Error
	errors.As(err, &e)
	return e
}

// fieldCodes lists "field:code" of a validation error.
func fieldCodes(err error) []string {
	var e *errs.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+":"+f.Code)
	}
	return out
}

func (e *env) dept(code, name string, parent ids.ID, from civil.Date) *org.Department {
	e.tb.Helper()
	return must(e.svc.CreateDepartment(e.hr, org.NewDepartment{Code: code, Name: name, ParentID: parent, EffectiveDate: from}))(e.tb)
}

// fakeHeadcount staffs departments with fixed counts.
type fakeHeadcount struct {
	mu    sync.Mutex
	n     map[ids.ID]int
	names map[ids.ID]string
}

func (f *fakeHeadcount) Staffed(_ context.Context, deptIDs []ids.ID, _ civil.Date) (map[ids.ID]int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[ids.ID]int{}
	for _, id := range deptIDs {
		if n := f.n[id]; n > 0 {
			out[id] = n
		}
	}
	return out, nil
}

func (f *fakeHeadcount) EmployeeNames(_ context.Context, empIDs []ids.ID) (map[ids.ID]string, error) {
	out := map[ids.ID]string{}
	for _, id := range empIDs {
		out[id] = f.names[id]
	}
	return out, nil
}

// auditActions lists the audit actions recorded on an object.
func (e *env) auditActions(objectType, objectID string) []string {
	e.tb.Helper()
	var out []string
	err := e.db.Conn(context.Background()).NewSelect().Table("audit_log").Column("action").
		Where("tenant_id = ? AND object_type = ? AND object_id = ?", e.tenant, objectType, objectID).Order("seq").Scan(context.Background(), &out)
	if err != nil {
		e.tb.Fatal(err)
	}
	return out
}
