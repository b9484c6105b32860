// Package employeetest runs the employee service on a real database with
// an in-memory organisation, and builds callers of every built-in role,
// for the module's tests (service, store and HTTP) before and without the
// whole app.
package employeetest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/employee/employeedb"
	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/files"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Org is an in-memory organisation: departments with a creation day and
// an optional deactivation day, and flat catalogues.
type Org struct {
	mu       sync.Mutex
	depts    map[ids.ID]*dept
	entities map[ids.ID]*org.LegalEntity
	pos      map[ids.ID]*org.Position
	grades   map[ids.ID]*org.Grade
	locs     map[ids.ID]*org.Location
}

type dept struct {
	org.Department
	from, inactiveFrom civil.Date
}

// NewOrg returns an empty organisation.
func NewOrg() *Org {
	return &Org{depts: map[ids.ID]*dept{}, entities: map[ids.ID]*org.LegalEntity{}, pos: map[ids.ID]*org.Position{},
		grades: map[ids.ID]*org.Grade{}, locs: map[ids.ID]*org.Location{}}
}

var _ employee.Org = (*Org)(nil)

// AddDepartment adds a department existing since 2000-01-01.
func (o *Org) AddDepartment(code, name string, parent ids.ID) ids.ID {
	return o.AddDepartmentFrom(code, name, parent, civil.New(2000, 1, 1))
}

// AddDepartmentFrom adds a department existing from a day.
func (o *Org) AddDepartmentFrom(code, name string, parent ids.ID, from civil.Date) ids.ID {
	o.mu.Lock()
	defer o.mu.Unlock()
	id := ids.New()
	o.depts[id] = &dept{Department: org.Department{ID: id, Code: code, Name: name, ParentID: parent, Active: true}, from: from}
	return id
}

// Deactivate makes a department inactive from a day.
func (o *Org) Deactivate(id ids.ID, from civil.Date) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.depts[id].inactiveFrom = from
}

// SetHead names a department's head.
func (o *Org) SetHead(id, employeeID ids.ID) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.depts[id].HeadEmployeeID = employeeID
}

// SetDefaults gives a department a legal entity and location.
func (o *Org) SetDefaults(id, legalEntity, location ids.ID) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.depts[id].LegalEntityID, o.depts[id].LocationID = legalEntity, location
}

// AddLegalEntity adds a legal entity.
func (o *Org) AddLegalEntity(name string) ids.ID {
	o.mu.Lock()
	defer o.mu.Unlock()
	id := ids.New()
	o.entities[id] = &org.LegalEntity{ID: id, Name: name, Active: true}
	return id
}

// AddPosition adds a position.
func (o *Org) AddPosition(code, name string) ids.ID {
	o.mu.Lock()
	defer o.mu.Unlock()
	id := ids.New()
	o.pos[id] = &org.Position{ID: id, Code: code, Name: name, Active: true}
	return id
}

// AddGrade adds a grade.
func (o *Org) AddGrade(code, name string, rank int) ids.ID {
	o.mu.Lock()
	defer o.mu.Unlock()
	id := ids.New()
	o.grades[id] = &org.Grade{ID: id, Code: code, Name: name, Rank: rank, Active: true}
	return id
}

// AddLocation adds a work location.
func (o *Org) AddLocation(name string) ids.ID {
	o.mu.Lock()
	defer o.mu.Unlock()
	id := ids.New()
	o.locs[id] = &org.Location{ID: id, Name: name, Active: true}
	return id
}

func (o *Org) on(id ids.ID, day civil.Date) (*org.Department, bool) {
	d, ok := o.depts[id]
	if !ok || day.Before(d.from) {
		return nil, false
	}
	x := d.Department
	x.Active = d.inactiveFrom.IsZero() || day.Before(d.inactiveFrom)
	x.Path, x.PathNames = nil, nil
	for at := id; at != 0; {
		p, ok := o.depts[at]
		if !ok {
			break
		}
		x.Path = append([]ids.ID{at}, x.Path...)
		x.PathNames = append([]string{p.Name}, x.PathNames...)
		at = p.ParentID
	}
	return &x, true
}

func (o *Org) Department(_ context.Context, id ids.ID, day civil.Date) (*org.Department, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if d, ok := o.on(id, day); ok {
		return d, nil
	}
	return nil, errs.NotFoundf("object.department")
}

func (o *Org) SubtreeOn(_ context.Context, roots []ids.ID, day civil.Date) ([]ids.ID, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []ids.ID
	for id := range o.depts {
		d, ok := o.on(id, day)
		if !ok {
			continue
		}
		for _, r := range roots {
			if slices.Contains(d.Path, r) {
				out = append(out, id)
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// Subtree expands scopes (roles.Departments).
func (o *Org) Subtree(ctx context.Context, _ ids.ID, roots []ids.ID) ([]ids.ID, error) {
	return o.SubtreeOn(ctx, roots, civil.Today(time.UTC))
}

func (o *Org) Tree(_ context.Context, day civil.Date) ([]org.Department, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []org.Department
	for id := range o.depts {
		if d, ok := o.on(id, day); ok {
			out = append(out, *d)
		}
	}
	// Parents first, like org.Service.Tree.
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].Path) != len(out[j].Path) {
			return len(out[i].Path) < len(out[j].Path)
		}
		return out[i].Code < out[j].Code
	})
	return out, nil
}

func get[T any](o *Org, m map[ids.ID]*T, id ids.ID, object string) (*T, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if x, ok := m[id]; ok {
		c := *x
		return &c, nil
	}
	return nil, errs.NotFoundf(object)
}

func (o *Org) LegalEntity(_ context.Context, id ids.ID) (*org.LegalEntity, error) {
	return get(o, o.entities, id, "object.legal_entity")
}
func (o *Org) Position(_ context.Context, id ids.ID) (*org.Position, error) {
	return get(o, o.pos, id, "object.position")
}
func (o *Org) Grade(_ context.Context, id ids.ID) (*org.Grade, error) {
	return get(o, o.grades, id, "object.grade")
}
func (o *Org) Location(_ context.Context, id ids.ID) (*org.Location, error) {
	return get(o, o.locs, id, "object.location")
}

// Env is the service on a fresh database with one tenant.
type Env struct {
	T        testing.TB
	DB       *db.DB
	Keys     *crypto.Keyring
	Audit    *audit.Log
	Files    *files.Service
	Org      *Org
	Store    *employeedb.Store
	Svc      *employee.Service
	TenantID ids.ID
	// Clock is the service's time (fixed; tests move it).
	Clock time.Time
}

// New opens a database and builds the service. The clock starts at
// 2026-06-15 10:00 Asia/Shanghai.
func New(tb testing.TB) *Env {
	tb.Helper()
	return NewOn(tb, dbtest.MustOpen(tb))
}

// NewOn builds the env on an open, migrated database.
func NewOn(tb testing.TB, d *db.DB) *Env {
	tb.Helper()
	ctx := context.Background()
	master, err := crypto.ParseMasterKey(crypto.NewMasterKey())
	if err != nil {
		tb.Fatal(err)
	}
	keys, err := crypto.Open(ctx, d, master)
	if err != nil {
		tb.Fatal(err)
	}
	e := &Env{T: tb, DB: d, Keys: keys, Audit: audit.New(d, keys.AuditKey()), Org: NewOrg(), Store: employeedb.New(d)}
	e.Files = files.NewService(d, files.LocalDisk{Root: tb.TempDir()})
	e.Svc = employee.NewService(d, e.Store, e.Audit, keys, e.Files, e.Org)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	e.Clock = time.Date(2026, 6, 15, 10, 0, 0, 0, loc)
	e.Svc.SetClock(func() time.Time { return e.Clock })
	e.TenantID = e.AddTenant("acme")
	return e
}

// AddTenant inserts a tenant row and returns its id.
func (e *Env) AddTenant(code string) ids.ID {
	e.T.Helper()
	id := ids.New()
	err := e.DB.WithTx(context.Background(), func(ctx context.Context) error {
		_, err := e.DB.Conn(ctx).ExecContext(ctx, `INSERT INTO platform_tenants (id, code, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			int64(id), code, code, time.Now().UTC(), time.Now().UTC())
		return err
	})
	if err != nil {
		e.T.Fatal(err)
	}
	return id
}

// Today is the service's current day.
func (e *Env) Today() civil.Date { return civil.Of(e.Clock) }

// SetToday moves the clock to 10:00 on a day.
func (e *Env) SetToday(d civil.Date) {
	e.Clock = time.Date(d.Year, d.Month, d.Day, 10, 0, 0, 0, e.Clock.Location())
}

// Caller describes who calls.
type Caller struct {
	Role       string // a built-in role
	UserID     ids.ID
	EmployeeID ids.ID
	// DepartmentID anchors department scopes (the app takes it from
	// employee.Service.DepartmentOf).
	DepartmentID ids.ID
	TenantID     ids.ID // default: the env's tenant
}

// As returns a context whose principal holds the role's built-in
// permissions at the role's default scope, resolved like roles.Resolve.
func (e *Env) As(c Caller) context.Context {
	if c.TenantID == 0 {
		c.TenantID = e.TenantID
	}
	if c.UserID == 0 {
		c.UserID = e.User(c.TenantID, c.Role+fmt.Sprint(ids.New()))
	}
	var kind rbac.ScopeKind
	for _, b := range rbac.BuiltinRoles {
		if b.Code == c.Role {
			kind = b.DefaultScope
		}
	}
	if kind == "" {
		e.T.Fatalf("employeetest: unknown role %s", c.Role)
	}
	sc := rbac.Scope{Self: true}
	switch kind {
	case rbac.ScopeTenant:
		sc.All = true
	case rbac.ScopeDepartment:
		if c.DepartmentID != 0 {
			sc.Departments = []ids.ID{c.DepartmentID}
		}
	case rbac.ScopeDepartmentTree:
		if c.DepartmentID != 0 {
			sc.Departments, _ = e.Org.Subtree(context.Background(), c.TenantID, []ids.ID{c.DepartmentID})
		}
	}
	perms := map[string]rbac.Scope{}
	for _, p := range rbac.BuiltinPermissions(c.Role) {
		perms[p] = sc
	}
	p := rbac.NewPrincipal(rbac.Principal{TenantID: c.TenantID, UserID: c.UserID, Login: c.Role, EmployeeID: c.EmployeeID,
		DepartmentID: c.DepartmentID, TimeZone: "Asia/Shanghai", Roles: []string{c.Role}}, perms)
	return rbac.WithPrincipal(context.Background(), p)
}

// Admin is an HR admin of the env's tenant.
func (e *Env) Admin() context.Context { return e.As(Caller{Role: rbac.HRAdmin}) }

// System is the system principal of the env's tenant.
func (e *Env) System() context.Context {
	p := rbac.SystemPrincipal(e.TenantID, "test")
	p.TimeZone = "Asia/Shanghai"
	return rbac.WithPrincipal(context.Background(), p)
}

// User inserts an account row (saved views belong to users).
func (e *Env) User(tenantID ids.ID, login string) ids.ID {
	e.T.Helper()
	id := ids.New()
	now := time.Now().UTC()
	err := e.DB.WithTx(context.Background(), func(ctx context.Context) error {
		_, err := e.DB.Conn(ctx).ExecContext(ctx, `INSERT INTO auth_users (tenant_id, id, login, display_name, password_hash, password_changed_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'x', ?, ?, ?)`, int64(tenantID), int64(id), login, login, now, now, now)
		return err
	})
	if err != nil {
		e.T.Fatal(err)
	}
	return id
}
