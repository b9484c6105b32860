// Package approvaltest runs the approval engine on a real database with
// an in-memory directory (departments, people, accounts and role grants)
// and a recording notifier, for the module's tests and benchmarks before
// and without the whole app.
package approvaltest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/approval/approvaldb"
	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Directory is an in-memory organisation implementing approval.Directory.
type Directory struct {
	mu        sync.Mutex
	people    map[ids.ID]*approval.Person
	depts     map[ids.ID]*approval.Department
	userOfEmp map[ids.ID]ids.ID
	empOfUser map[ids.ID]ids.ID
	users     map[ids.ID]*approval.User
	grants    map[string][]Grant // role code -> grants
	// Calls counts lookups (tests of caching and batching).
	Calls int
}

// Grant is a user holding a role: tenant-wide, or over department subtrees.
type Grant struct {
	User  ids.ID
	All   bool
	Roots []ids.ID
}

var _ approval.Directory = (*Directory)(nil)

// NewDirectory returns an empty organisation.
func NewDirectory() *Directory {
	return &Directory{people: map[ids.ID]*approval.Person{}, depts: map[ids.ID]*approval.Department{},
		userOfEmp: map[ids.ID]ids.ID{}, empOfUser: map[ids.ID]ids.ID{}, users: map[ids.ID]*approval.User{}, grants: map[string][]Grant{}}
}

// AddDepartment adds an active department.
func (d *Directory) AddDepartment(name string, parent ids.ID) ids.ID {
	d.mu.Lock()
	defer d.mu.Unlock()
	id := ids.New()
	d.depts[id] = &approval.Department{ID: id, Name: name, ParentID: parent, Active: true}
	return id
}

// SetHead names a department's head.
func (d *Directory) SetHead(dept, employee ids.ID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.depts[dept].HeadEmployeeID = employee
}

// AddPerson adds a working employee, linked to an account when user is set.
func (d *Directory) AddPerson(name string, dept, manager, user ids.ID) ids.ID {
	d.mu.Lock()
	defer d.mu.Unlock()
	id := ids.New()
	d.people[id] = &approval.Person{EmployeeID: id, Name: name, DepartmentID: dept, ManagerID: manager, Active: true}
	if user != 0 {
		d.userOfEmp[id], d.empOfUser[user] = user, id
	}
	return id
}

// SetManager changes an employee's manager.
func (d *Directory) SetManager(employee, manager ids.ID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.people[employee].ManagerID = manager
}

// Leave marks an employee as having left.
func (d *Directory) Leave(employee ids.ID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.people[employee].Active = false
}

// AddUser records an account.
func (d *Directory) AddUser(id ids.ID, name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.users[id] = &approval.User{ID: id, Name: name, Active: true}
}

// Disable disables an account.
func (d *Directory) Disable(user ids.ID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.users[user].Active = false
}

// Grant gives a user a role, tenant-wide or over department subtrees.
func (d *Directory) Grant(role string, g Grant) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.grants[role] = append(d.grants[role], g)
}

// GrantsOf lists the roles a user holds.
func (d *Directory) GrantsOf(user ids.ID) map[string]Grant {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]Grant{}
	for role, gs := range d.grants {
		for _, g := range gs {
			if g.User == user {
				out[role] = g
			}
		}
	}
	return out
}

func (d *Directory) Person(_ context.Context, id ids.ID) (*approval.Person, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.Calls++
	p, ok := d.people[id]
	if !ok {
		return nil, errs.NotFoundf("object.employee")
	}
	c := *p
	return &c, nil
}

func (d *Directory) Department(_ context.Context, id ids.ID) (*approval.Department, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.Calls++
	x, ok := d.depts[id]
	if !ok {
		return nil, errs.NotFoundf("object.department")
	}
	c := *x
	return &c, nil
}

func (d *Directory) subtree(roots []ids.ID) []ids.ID {
	var out []ids.ID
	for id := range d.depts {
		for at := id; at != 0; at = d.depts[at].ParentID {
			if slices.Contains(roots, at) {
				out = append(out, id)
				break
			}
			if d.depts[at] == nil {
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

func (d *Directory) Subtree(_ context.Context, roots []ids.ID) ([]ids.ID, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.Calls++
	return d.subtree(roots), nil
}

func (d *Directory) UserOfEmployee(_ context.Context, id ids.ID) (ids.ID, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.Calls++
	return d.userOfEmp[id], nil
}

func (d *Directory) EmployeeOfUser(_ context.Context, id ids.ID) (ids.ID, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.Calls++
	return d.empOfUser[id], nil
}

func (d *Directory) Users(_ context.Context, list []ids.ID) (map[ids.ID]approval.User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.Calls++
	out := map[ids.ID]approval.User{}
	for _, id := range list {
		if u, ok := d.users[id]; ok {
			out[id] = *u
		}
	}
	return out, nil
}

func (d *Directory) RoleHolders(_ context.Context, role string, dept ids.ID) ([]ids.ID, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.Calls++
	var out []ids.ID
	for _, g := range d.grants[role] {
		if u := d.users[g.User]; u == nil || !u.Active {
			continue
		}
		if dept == 0 || g.All || slices.Contains(d.subtree(g.Roots), dept) {
			out = append(out, g.User)
		}
	}
	return out, nil
}

func (d *Directory) RoleExists(_ context.Context, role string) (bool, error) {
	if rbac.IsBuiltin(role) {
		return true, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.grants[role]
	return ok, nil
}

// Recorder is a notifier that keeps what was sent (once per key, like
// the notify module).
type Recorder struct {
	mu   sync.Mutex
	list []approval.Message
	keys map[string]bool
}

// Notify records m.
func (r *Recorder) Notify(_ context.Context, m approval.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.keys == nil {
		r.keys = map[string]bool{}
	}
	if r.keys[m.Key] {
		return nil
	}
	r.keys[m.Key] = true
	r.list = append(r.list, m)
	return nil
}

// Sent lists the messages of a template to a user ("" and 0: all).
func (r *Recorder) Sent(template string, to ids.ID) []approval.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []approval.Message
	for _, m := range r.list {
		if (template == "" || m.Template == template) && (to == 0 || slices.Contains(m.Recipients, to)) {
			out = append(out, m)
		}
	}
	return out
}

// Env is the engine on a fresh database with one tenant.
type Env struct {
	T        testing.TB
	DB       *db.DB
	Audit    *audit.Log
	Dir      *Directory
	Store    *approvaldb.Store
	Svc      *approval.Service
	Notes    *Recorder
	TenantID ids.ID
	// Clock is the service's time; tests move it.
	Clock time.Time
	mu    sync.Mutex
}

// New opens a database and builds the engine. The clock starts at
// 2026-06-15 10:00 Asia/Shanghai.
func New(tb testing.TB) *Env {
	tb.Helper()
	return NewOn(tb, dbtest.MustOpen(tb))
}

// NewOn builds the env on an open, migrated database.
func NewOn(tb testing.TB, d *db.DB) *Env {
	tb.Helper()
	master, err := crypto.ParseMasterKey(crypto.NewMasterKey())
	if err != nil {
		tb.Fatal(err)
	}
	keys, err := crypto.Open(context.Background(), d, master)
	if err != nil {
		tb.Fatal(err)
	}
	e := &Env{T: tb, DB: d, Audit: audit.New(d, keys.AuditKey()), Dir: NewDirectory(), Store: approvaldb.New(d), Notes: &Recorder{}}
	e.Svc = approval.NewService(d, e.Store, e.Audit, e.Dir)
	e.Svc.SetNotifier(e.Notes)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	e.Clock = time.Date(2026, 6, 15, 10, 0, 0, 0, loc)
	e.Svc.SetClock(e.Now)
	e.TenantID = e.AddTenant("acme")
	return e
}

// Engine builds the engine on a database and audit log with another
// directory (a module's tests wire their own people in).
func Engine(d *db.DB, a *audit.Log, dir approval.Directory, now func() time.Time) (*approval.Service, *Recorder) {
	svc := approval.NewService(d, approvaldb.New(d), a, dir)
	rec := &Recorder{}
	svc.SetNotifier(rec)
	if now != nil {
		svc.SetClock(now)
	}
	return svc, rec
}

// Now is the env's clock.
func (e *Env) Now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.Clock
}

// Advance moves the clock.
func (e *Env) Advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.Clock = e.Clock.Add(d)
}

// AddTenant inserts a tenant row.
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

// Account inserts an account row (delegations refer to accounts) and
// records it in the directory.
func (e *Env) Account(name string) ids.ID {
	e.T.Helper()
	id := ids.New()
	now := time.Now().UTC()
	err := e.DB.WithTx(context.Background(), func(ctx context.Context) error {
		_, err := e.DB.Conn(ctx).ExecContext(ctx, `INSERT INTO auth_users (tenant_id, id, login, display_name, password_hash, password_changed_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'x', ?, ?, ?)`, int64(e.TenantID), int64(id), fmt.Sprintf("u%d", id), name, now, now, now)
		return err
	})
	if err != nil {
		e.T.Fatal(err)
	}
	e.Dir.AddUser(id, name)
	return id
}

// Member is an employee with his account.
type Member struct {
	Name     string
	Employee ids.ID
	User     ids.ID
	Dept     ids.ID
}

// Person adds an employee with an account in a department under a manager.
func (e *Env) Person(name string, dept ids.ID, manager Member) Member {
	e.T.Helper()
	u := e.Account(name)
	emp := e.Dir.AddPerson(name, dept, manager.Employee, u)
	return Member{Name: name, Employee: emp, User: u, Dept: dept}
}

// As is a context for an account: its employee, department and the
// built-in permissions of the roles it holds (scopes as granted).
func (e *Env) As(user ids.ID) context.Context {
	perms := map[string]rbac.Scope{}
	var roles []string
	for role, g := range e.Dir.GrantsOf(user) {
		roles = append(roles, role)
		sc := rbac.Scope{Self: true, All: g.All}
		if !g.All {
			sc.Departments, _ = e.Dir.Subtree(context.Background(), g.Roots)
		}
		for _, p := range rbac.BuiltinPermissions(role) {
			perms[p] = perms[p].Merge(sc)
		}
	}
	emp, _ := e.Dir.EmployeeOfUser(context.Background(), user)
	var dept ids.ID
	if emp != 0 {
		if p, err := e.Dir.Person(context.Background(), emp); err == nil {
			dept = p.DepartmentID
		}
	}
	name := ""
	if us, _ := e.Dir.Users(context.Background(), []ids.ID{user}); len(us) > 0 {
		name = us[user].Name
	}
	p := rbac.NewPrincipal(rbac.Principal{TenantID: e.TenantID, UserID: user, Login: fmt.Sprintf("u%d", user), DisplayName: name,
		EmployeeID: emp, DepartmentID: dept, TimeZone: "Asia/Shanghai", Roles: roles}, perms)
	return rbac.WithPrincipal(context.Background(), p)
}

// System is the system principal of the env's tenant.
func (e *Env) System() context.Context {
	p := rbac.SystemPrincipal(e.TenantID, "test")
	p.TimeZone = "Asia/Shanghai"
	return rbac.WithPrincipal(context.Background(), p)
}

// Type is a configurable request type for tests. Its callbacks record
// what they were told; Fail makes OnApproved fail (nothing must commit).
type Type struct {
	TypeInfo approval.TypeInfo
	mu       sync.Mutex
	Approved []ids.ID
	Rejected []string // "<id>:<state>"
	Fail     error
	// Check, when set, validates submissions.
	Check func(ctx context.Context, in *approval.Instance) error
}

// Info describes the type.
func (t *Type) Info() approval.TypeInfo { return t.TypeInfo }

// Validate runs Check.
func (t *Type) Validate(ctx context.Context, in *approval.Instance) error {
	if t.Check != nil {
		return t.Check(ctx, in)
	}
	return nil
}

// OnApproved records the approval (or fails with Fail).
func (t *Type) OnApproved(_ context.Context, in *approval.Instance) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.Fail != nil {
		return t.Fail
	}
	t.Approved = append(t.Approved, in.ID)
	return nil
}

// OnRejected records the rejection or withdrawal.
func (t *Type) OnRejected(_ context.Context, in *approval.Instance) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.Rejected = append(t.Rejected, in.ID.String()+":"+in.State)
	return nil
}

// Calls reports how many approvals and rejections the type was told of.
func (t *Type) Calls() (approved, rejected int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.Approved), len(t.Rejected)
}
