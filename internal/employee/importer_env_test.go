package employee_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/employee/employeedb"
	"github.com/renshi/renshi/internal/employee/employeetest"
	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/org/orgdb"
	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/tenant"
	"github.com/renshi/renshi/internal/platform/tenant/tenantdb"
)

// impEnv runs the import targets on a real database with the real org
// service (the targets read its catalogues and create departments
// through it), two tenants and an organisation:
//
//	总部 (HQ) > 技术部 (TECH) > 后端组 (BE), 总部 > 销售部 (SALES)
type impEnv struct {
	t       testing.TB
	db      *db.DB
	org     *org.Service
	svc     *employee.Service
	store   *employeedb.Store
	audit   *audit.Log
	tenant  ids.ID
	other   ids.ID
	hr      context.Context
	today   civil.Date
	targets map[string]imports.Target

	hq, tech, backend, sales ids.ID
	entity, location         ids.ID
	pos, p5, p6              ids.ID
}

func newImpEnv(t testing.TB) *impEnv {
	t.Helper()
	d := dbtest.MustOpen(t)
	ctx := context.Background()
	master, err := crypto.ParseMasterKey(crypto.NewMasterKey())
	if err != nil {
		t.Fatal(err)
	}
	keys, err := crypto.Open(ctx, d, master)
	if err != nil {
		t.Fatal(err)
	}
	a := audit.New(d, keys.AuditKey())
	tenants := tenant.NewService(d, tenantdb.New(d), a)
	t1, err := tenants.Create(ctx, tenant.New{Code: "acme", Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	t2, err := tenants.Create(ctx, tenant.New{Code: "other", Name: "Other"})
	if err != nil {
		t.Fatal(err)
	}
	e := &impEnv{t: t, db: d, org: org.NewService(d, orgdb.New(d), a), store: employeedb.New(d), audit: a, tenant: t1.ID, other: t2.ID}
	e.svc = employee.NewService(d, e.store, a, keys, nil, e.org)
	e.org.SetHeadcount(e.svc)
	e.hr = e.as(t1.ID, rbac.HRAdmin)
	e.today = org.Today(e.hr)
	e.targets = map[string]imports.Target{}
	for _, tg := range employee.ImportTargets(e.svc) {
		e.targets[tg.Name()] = tg
	}
	e.setupOrg(e.hr)
	return e
}

// setupOrg builds the organisation of a tenant (departments from 2010).
func (e *impEnv) setupOrg(ctx context.Context) {
	since := civil.New(2010, 1, 1)
	ent := must(e.org.CreateLegalEntity(ctx, org.LegalEntityInput{Name: ptr("仁时科技有限公司"), CreditCode: ptr("91110000802100433B")}))(e.t)
	loc := must(e.org.CreateLocation(ctx, org.LocationInput{Name: ptr("上海总部")}))(e.t)
	dept := func(code, name string, parent ids.ID) ids.ID {
		return must(e.org.CreateDepartment(ctx, org.NewDepartment{Code: code, Name: name, ParentID: parent, LegalEntityID: ent.ID,
			LocationID: loc.ID, EffectiveDate: since}))(e.t).ID
	}
	hq := dept("HQ", "总部", 0)
	tech := dept("TECH", "技术部", hq)
	backend := dept("BE", "后端组", tech)
	sales := dept("SALES", "销售部", hq)
	p5 := must(e.org.CreateGrade(ctx, org.GradeInput{Code: ptr("P5"), Name: ptr("高级工程师"), Rank: ptr(5)}))(e.t)
	p6 := must(e.org.CreateGrade(ctx, org.GradeInput{Code: ptr("P6"), Name: ptr("资深工程师"), Rank: ptr(6)}))(e.t)
	pos := must(e.org.CreatePosition(ctx, org.PositionInput{Code: ptr("SE"), Name: ptr("软件工程师")}))(e.t)
	if rbac.From(ctx).TenantID == e.tenant {
		e.hq, e.tech, e.backend, e.sales = hq, tech, backend, sales
		e.entity, e.location, e.pos, e.p5, e.p6 = ent.ID, loc.ID, pos.ID, p5.ID, p6.ID
	}
}

// as is a principal of a tenant holding a built-in role's permissions
// over the whole tenant.
func (e *impEnv) as(tenantID ids.ID, role string) context.Context {
	perms := map[string]rbac.Scope{}
	for _, p := range rbac.BuiltinPermissions(role) {
		perms[p] = rbac.Scope{All: true, Self: true}
	}
	return e.with(tenantID, role, perms)
}

func (e *impEnv) with(tenantID ids.ID, login string, perms map[string]rbac.Scope) context.Context {
	p := rbac.NewPrincipal(rbac.Principal{TenantID: tenantID, UserID: ids.New(), Login: login, TimeZone: "Asia/Shanghai",
		Roles: []string{login}}, perms)
	return rbac.WithPrincipal(context.Background(), p)
}

func must[T any](v T, err error) func(testing.TB) T {
	return func(tb testing.TB) T {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
}

// row builds a row from key, value pairs.
func row(line int, kv ...string) imports.Row {
	r := imports.Row{Line: line, Values: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		r.Values[kv[i]] = kv[i+1]
	}
	return r
}

// newRun is a fresh pass.
func newRun(key string) *imports.Run {
	return &imports.Run{BatchID: fmt.Sprint(ids.New()), Key: key, State: map[string]any{}}
}

// check runs a dry run of the rows.
func (e *impEnv) check(ctx context.Context, target string, run *imports.Run, rows ...imports.Row) []imports.Outcome {
	e.t.Helper()
	run.DryRun = true
	outs, err := e.targets[target].Check(ctx, run, rows)
	if err != nil {
		e.t.Fatal(err)
	}
	return outs
}

// commit checks and applies chunks in one transaction, as the engine
// does, and returns the outcomes and changes.
func (e *impEnv) commit(ctx context.Context, target string, run *imports.Run, chunks ...[]imports.Row) ([]imports.Outcome, []imports.Change) {
	e.t.Helper()
	outs, changes, err := e.tryCommit(ctx, target, run, chunks...)
	if err != nil {
		e.t.Fatal(err)
	}
	return outs, changes
}

func (e *impEnv) tryCommit(ctx context.Context, target string, run *imports.Run, chunks ...[]imports.Row) ([]imports.Outcome, []imports.Change, error) {
	tg := e.targets[target]
	var all []imports.Outcome
	var changes []imports.Change
	err := e.db.WithTx(ctx, func(ctx context.Context) error {
		for _, rows := range chunks {
			outs, err := tg.Check(ctx, run, rows)
			if err != nil {
				return err
			}
			all = append(all, outs...)
			var apply []imports.Row
			var applied []imports.Outcome
			for i, o := range outs {
				if o.Action == imports.ActionNew || o.Action == imports.ActionUpdate {
					apply, applied = append(apply, rows[i]), append(applied, o)
				}
			}
			if len(apply) == 0 {
				continue
			}
			list, err := tg.Apply(ctx, run, apply, applied)
			if err != nil {
				return err
			}
			changes = append(changes, list...)
		}
		return nil
	})
	return all, changes, err
}

// rollback undoes changes as the engine does: newest first.
func (e *impEnv) rollback(ctx context.Context, target string, changes []imports.Change) error {
	rev := make([]imports.Change, len(changes))
	for i, c := range changes {
		rev[len(changes)-1-i] = c
	}
	return e.db.WithTx(ctx, func(ctx context.Context) error { return e.targets[target].Rollback(ctx, rev) })
}

// actions lists the outcomes' actions.
func actions(outs []imports.Outcome) []string {
	out := make([]string, len(outs))
	for i, o := range outs {
		out[i] = o.Action
	}
	return out
}

// codes lists "column:code" of an outcome's errors.
func codes(o imports.Outcome) []string {
	var out []string
	for _, fe := range o.Errors {
		out = append(out, fe.Column+":"+fe.Code)
	}
	return out
}

func hasCode(o imports.Outcome, col, code string) bool {
	for _, fe := range o.Errors {
		if fe.Column == col && fe.Code == code {
			return true
		}
	}
	return false
}

// wantErr fails unless err is of kind with code (any code when "").
func wantErr(tb testing.TB, err error, kind errs.Kind, code string) *errs.Error {
	tb.Helper()
	if !errs.Is(err, kind, code) {
		tb.Fatalf("want %v %q, got %v", kind, code, err)
	}
	var x *errs.Error
	errors.As(err, &x)
	return x
}

// id is a resident ID number (born on birth, male or not).
func id(birth string, order int, male bool) string {
	return employeetest.IDNumber("310104", civil.MustParse(birth), order, male)
}

// byNo reads an employee of the caller's tenant by number.
func (e *impEnv) byNo(ctx context.Context, no string) *employee.Employee {
	e.t.Helper()
	list, err := e.store.EmployeesByNos(ctx, []string{no})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(list) != 1 {
		return nil
	}
	return &list[0]
}
