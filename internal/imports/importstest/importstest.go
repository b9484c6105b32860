// Package importstest runs the import engine on a real database, job
// queue and file store with a small target ("people") that keeps its
// records in memory, for the module's tests before and without the
// employee and org targets. The records change only when the engine's
// transaction commits (db.AfterCommit), so "nothing written" is tested
// as it would be on a real table.
package importstest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/imports/importsdb"
	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/clean"
	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/files"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/jobs"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// PermImport is the people target's permission.
const PermImport = "test.people.import"

func init() {
	rbac.Register(rbac.Permission{Code: PermImport})
	i18n.Register(i18n.ZH, map[string]string{"perm." + PermImport: "导入人员（测试）"})
	i18n.Register(i18n.EN, map[string]string{"perm." + PermImport: "Import people (test)"})
}

// Person is a record of the people target.
type Person struct {
	No       string `json:"no"`
	Name     string `json:"name"`
	IDNumber string `json:"idNumber,omitempty"`
	Gender   string `json:"gender,omitempty"`
	HireDate string `json:"hireDate,omitempty"`
	Mobile   string `json:"mobile,omitempty"`
	Dept     string `json:"dept,omitempty"`
	Version  int    `json:"version"`
	// Locked records fail Check ("changed since the dry run").
	Locked bool `json:"-"`
}

func (p Person) same(o Person) bool {
	p.Version, o.Version = 0, 0
	return p == o
}

// People is the target. Records are kept per tenant.
type People struct {
	mu      sync.Mutex
	tenants map[ids.ID]map[string]*Person
	// Departments the target knows; others fail unless the run may create them.
	Departments []string
	// BeforeApply, when set, runs before each Apply with the chunk's
	// number (from 1); an error fails the Apply.
	BeforeApply func(ctx context.Context, chunk int) error
	applies     int
	// Checks counts the rows Check was given.
	Checks int
}

var _ imports.Target = (*People)(nil)

// NewPeople returns the target with departments 技术部 and 销售部.
func NewPeople() *People {
	return &People{tenants: map[ids.ID]map[string]*Person{}, Departments: []string{"技术部", "销售部", "技术部/后端组"}}
}

func (t *People) Name() string       { return "people" }
func (t *People) Label() string      { return "人员" }
func (t *People) Keys() []string     { return []string{"employeeNo", "idNumber"} }
func (t *People) Permission() string { return PermImport }

// Genders are the choices of the gender column.
var Genders = []clean.Choice{{Code: "M", ZH: "男", EN: "Male"}, {Code: "F", ZH: "女", EN: "Female"}}

func (t *People) Columns(context.Context) ([]imports.Column, error) {
	return []imports.Column{
		{Key: "employeeNo", Label: "工号", Aliases: []string{"工号", "员工编号", "Employee No", "employee_id"}, Required: true, Kind: imports.KindText, Max: 20, Example: "E0001"},
		{Key: "name", Label: "姓名", Aliases: []string{"姓名", "Name", "Full Name"}, Required: true, Kind: imports.KindText, Max: 10, Example: "张三"},
		{Key: "idNumber", Label: "身份证号", Aliases: []string{"身份证号", "身份证号码", "ID Number"}, Kind: imports.KindIDNumber, Sensitive: true},
		{Key: "gender", Label: "性别", Aliases: []string{"性别", "Gender"}, Kind: imports.KindEnum, Choices: Genders},
		{Key: "hireDate", Label: "入职日期", Aliases: []string{"入职日期", "Hire Date", "joining_date"}, Kind: imports.KindDate},
		{Key: "mobile", Label: "手机", Aliases: []string{"手机", "手机号", "Mobile"}, Kind: imports.KindMobile},
		{Key: "department", Label: "部门", Aliases: []string{"部门", "Department"}, Kind: imports.KindDepartment},
	}, nil
}

func (t *People) records(ctx context.Context) map[string]*Person {
	tenant, _ := rbac.Tenant(ctx)
	m, ok := t.tenants[tenant]
	if !ok {
		m = map[string]*Person{}
		t.tenants[tenant] = m
	}
	return m
}

// find looks a row's record up by the run's key.
func (t *People) find(recs map[string]*Person, key, value string) *Person {
	if key == "employeeNo" {
		return recs[value]
	}
	for _, p := range recs {
		if p.IDNumber == value && value != "" {
			return p
		}
	}
	return nil
}

// prepared is what Check hands Apply.
type prepared struct {
	person Person
	old    *Person
}

func (t *People) Check(ctx context.Context, run *imports.Run, rows []imports.Row) ([]imports.Outcome, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.Checks += len(rows)
	recs := t.records(ctx)
	seen, _ := run.State["seen"].(map[string]int)
	if seen == nil {
		seen = map[string]int{}
		run.State["seen"] = seen
	}
	out := make([]imports.Outcome, len(rows))
	for i, r := range rows {
		v := r.Values
		o := &out[i]
		key := v[run.Key]
		if key == "" {
			if !hasError(r, run.Key) {
				o.Errors = append(o.Errors, imports.FieldError{Column: run.Key, Code: "required"})
			}
			o.Action = imports.ActionFailed
			continue
		}
		if line, dup := seen[key]; dup {
			o.Errors = append(o.Errors, imports.FieldError{Column: run.Key, Code: "duplicate", Params: map[string]any{"line": line}})
		} else {
			seen[key] = r.Line
		}
		if id := v["idNumber"]; id != "" && len(id) != 18 {
			o.Errors = append(o.Errors, imports.FieldError{Column: "idNumber", Code: "invalid_id_number"})
		}
		if d, ok := v["department"]; ok && d != "" && !slices.Contains(t.Departments, d) && !run.CreateDepartments {
			o.Errors = append(o.Errors, imports.FieldError{Column: "department", Code: "not_found", Params: map[string]any{"object": d}})
		}
		old := t.find(recs, run.Key, key)
		if old != nil && old.Locked {
			o.Errors = append(o.Errors, imports.FieldError{Code: "stale"})
		}
		if len(o.Errors) > 0 {
			o.Action = imports.ActionFailed
			continue
		}
		p := Person{}
		if old != nil {
			p = *old
		}
		set := func(key string, dst *string) {
			if x, ok := v[key]; ok {
				*dst = x
			}
		}
		set("employeeNo", &p.No)
		set("name", &p.Name)
		set("idNumber", &p.IDNumber)
		set("gender", &p.Gender)
		set("hireDate", &p.HireDate)
		set("mobile", &p.Mobile)
		set("department", &p.Dept)
		switch {
		case old == nil:
			o.Action = imports.ActionNew
		case old.same(p):
			o.Action = imports.ActionUnchanged
		default:
			o.Action = imports.ActionUpdate
		}
		o.Data = prepared{person: p, old: old}
	}
	return out, nil
}

func hasError(r imports.Row, col string) bool {
	for _, e := range r.Errors {
		if e.Column == col {
			return true
		}
	}
	return false
}

func (t *People) Apply(ctx context.Context, run *imports.Run, rows []imports.Row, outs []imports.Outcome) ([]imports.Change, error) {
	if !db.InTx(ctx) {
		return nil, fmt.Errorf("people: Apply outside a transaction")
	}
	t.mu.Lock()
	t.applies++
	n := t.applies
	hook := t.BeforeApply
	t.mu.Unlock()
	if hook != nil {
		if err := hook(ctx, n); err != nil {
			return nil, err
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	recs := t.records(ctx)
	tenant, _ := rbac.Tenant(ctx)
	var changes []imports.Change
	var staged []Person
	for i, o := range outs {
		prep, ok := o.Data.(prepared)
		if !ok || (o.Action != imports.ActionNew && o.Action != imports.ActionUpdate) {
			return nil, fmt.Errorf("people: row %d handed to Apply with action %q", rows[i].Line, o.Action)
		}
		p := prep.person
		var before json.RawMessage
		if old := recs[p.No]; old != nil {
			b, _ := json.Marshal(old)
			before = b
			p.Version = old.Version + 1
		} else {
			p.Version = 1
		}
		after, _ := json.Marshal(p)
		changes = append(changes, imports.Change{ObjectType: "person", ObjectID: p.No, Action: o.Action, Before: before, After: after, Version: p.Version})
		staged = append(staged, p)
	}
	// Visible to later chunks of the same run as it would be in a table:
	// here, only once the engine's transaction commits.
	db.AfterCommit(ctx, func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		m := t.tenants[tenant]
		for _, p := range staged {
			cp := p
			m[p.No] = &cp
		}
	})
	return changes, nil
}

func (t *People) Rollback(ctx context.Context, changes []imports.Change) error {
	if !db.InTx(ctx) {
		return fmt.Errorf("people: Rollback outside a transaction")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	recs := t.records(ctx)
	tenant, _ := rbac.Tenant(ctx)
	var conflicts []string
	for _, c := range changes {
		cur := recs[c.ObjectID]
		if cur == nil || cur.Version != c.Version {
			conflicts = append(conflicts, c.ObjectID)
		}
	}
	if len(conflicts) > 0 {
		sort.Strings(conflicts)
		return errs.E(errs.Conflict, "imports.rollback_conflict", errs.Params{"records": strings.Join(conflicts, ", ")})
	}
	db.AfterCommit(ctx, func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		m := t.tenants[tenant]
		for _, c := range changes {
			if len(c.Before) == 0 {
				delete(m, c.ObjectID)
				continue
			}
			var p Person
			_ = json.Unmarshal(c.Before, &p)
			p.Version = c.Version + 1
			m[c.ObjectID] = &p
		}
	})
	return nil
}

// CheckedRows is how many rows Check was given so far.
func (t *People) CheckedRows() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.Checks
}

// SetBeforeApply installs (or with nil removes) the Apply hook.
func (t *People) SetBeforeApply(fn func(ctx context.Context, chunk int) error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.BeforeApply = fn
	t.applies = 0
}

// Get returns a copy of a record of the tenant.
func (t *People) Get(tenant ids.ID, no string) (Person, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.tenants[tenant][no]
	if !ok {
		return Person{}, false
	}
	return *p, true
}

// All returns copies of a tenant's records by number.
func (t *People) All(tenant ids.ID) []Person {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Person, 0, len(t.tenants[tenant]))
	for _, p := range t.tenants[tenant] {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].No < out[j].No })
	return out
}

// SetDepartments replaces the departments the target knows.
func (t *People) SetDepartments(list ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.Departments = list
}

// Count counts a tenant's records.
func (t *People) Count(tenant ids.ID) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.tenants[tenant])
}

// Put stores a record as another part of the system would.
func (t *People) Put(tenant ids.ID, p Person) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tenants[tenant] == nil {
		t.tenants[tenant] = map[string]*Person{}
	}
	if old := t.tenants[tenant][p.No]; old != nil {
		p.Version = old.Version + 1
	} else if p.Version == 0 {
		p.Version = 1
	}
	t.tenants[tenant][p.No] = &p
}

// Touch changes a record after an import (its version moves on).
func (t *People) Touch(tenant ids.ID, no string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := t.tenants[tenant][no]; p != nil {
		p.Version++
		p.Mobile += "0"
	}
}

// Lock makes a record fail Check.
func (t *People) Lock(tenant ids.ID, no string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := t.tenants[tenant][no]; p != nil {
		p.Locked = true
	}
}

// ---- the environment

// Env is the engine on a fresh database with one tenant.
type Env struct {
	T      testing.TB
	DB     *db.DB
	Audit  *audit.Log
	Jobs   *jobs.Queue
	Files  *files.Service
	Store  *importsdb.Store
	Svc    *imports.Service
	People *People
	// FilesDir holds the uploaded files' bytes; SpillDir the dry runs'
	// spills ("-": none).
	FilesDir string
	SpillDir string
	TenantID ids.ID

	mu    sync.Mutex
	users map[ids.ID]account
}

type account struct {
	tenant ids.ID
	name   string
	perms  map[string]rbac.Scope
}

// Options tune New.
type Options struct {
	Limits    imports.Options
	ChunkSize int
	NoQueue   bool // do not start the job queue
}

// New opens a database and builds the engine with the people target and
// a running job queue (stopped when the test ends).
func New(tb testing.TB, opts ...Options) *Env {
	tb.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	d := dbtest.MustOpen(tb)
	master, err := crypto.ParseMasterKey(crypto.NewMasterKey())
	if err != nil {
		tb.Fatal(err)
	}
	keys, err := crypto.Open(context.Background(), d, master)
	if err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &Env{T: tb, DB: d, Audit: audit.New(d, keys.AuditKey()), Store: importsdb.New(d), People: NewPeople(), users: map[ids.ID]account{}}
	e.Jobs = jobs.New(d, jobs.Options{Workers: 2, PollInterval: 20 * time.Millisecond, Lease: 20 * time.Second, Logger: log})
	e.FilesDir = tb.TempDir()
	e.Files = files.NewService(d, files.LocalDisk{Root: e.FilesDir})
	so := o.Limits
	if so.SpillDir == "" {
		so.SpillDir = tb.TempDir()
	}
	e.SpillDir = so.SpillDir
	so.Principals = e
	if so.Logger == nil {
		so.Logger = log
	}
	if o.ChunkSize > 0 {
		so.ChunkSize = o.ChunkSize
	}
	e.Svc = imports.NewService(d, e.Store, e.Jobs, e.Files, e.Audit, so)
	e.Svc.Register(e.People)
	e.Svc.RegisterJobs(e.Jobs)
	e.TenantID = e.AddTenant("acme")
	if !o.NoQueue {
		if err := e.Jobs.Start(context.Background()); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = e.Jobs.Stop(ctx)
		})
	}
	return e
}

// AddTenant inserts a tenant row.
func (e *Env) AddTenant(code string) ids.ID {
	e.T.Helper()
	id := ids.New()
	now := time.Now().UTC()
	err := e.DB.WithTx(context.Background(), func(ctx context.Context) error {
		_, err := e.DB.Conn(ctx).ExecContext(ctx, `INSERT INTO platform_tenants (id, code, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			int64(id), code, code, now, now)
		return err
	})
	if err != nil {
		e.T.Fatal(err)
	}
	return id
}

// Account adds an account of the env's tenant holding perms over the
// whole tenant.
func (e *Env) Account(name string, perms ...string) ids.ID {
	return e.AccountIn(e.TenantID, name, true, perms...)
}

// AccountIn adds an account of a tenant; all false gives it the
// permissions over its own records only (not the whole tenant).
func (e *Env) AccountIn(tenant ids.ID, name string, all bool, perms ...string) ids.ID {
	e.T.Helper()
	id := ids.New()
	now := time.Now().UTC()
	err := e.DB.WithTx(context.Background(), func(ctx context.Context) error {
		_, err := e.DB.Conn(ctx).ExecContext(ctx, `INSERT INTO auth_users (tenant_id, id, login, display_name, password_hash, password_changed_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'x', ?, ?, ?)`, int64(tenant), int64(id), fmt.Sprintf("u%d", id), name, now, now, now)
		return err
	})
	if err != nil {
		e.T.Fatal(err)
	}
	ps := map[string]rbac.Scope{}
	for _, p := range perms {
		ps[p] = rbac.Scope{Self: true, All: all}
	}
	e.mu.Lock()
	e.users[id] = account{tenant: tenant, name: name, perms: ps}
	e.mu.Unlock()
	return id
}

// Revoke takes an account's permissions away.
func (e *Env) Revoke(user ids.ID) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.users[user]
	a.perms = map[string]rbac.Scope{}
	e.users[user] = a
}

// Principal is the principal of an account (nil when unknown).
func (e *Env) Principal(user ids.ID) *rbac.Principal {
	e.mu.Lock()
	a, ok := e.users[user]
	e.mu.Unlock()
	if !ok {
		return nil
	}
	perms := map[string]rbac.Scope{}
	for k, v := range a.perms {
		perms[k] = v
	}
	return rbac.NewPrincipal(rbac.Principal{TenantID: a.tenant, UserID: user, Login: fmt.Sprintf("u%d", user), DisplayName: a.name,
		TimeZone: "Asia/Shanghai", Locale: "zh-CN"}, perms)
}

// ActAs implements imports.Principals for background runs.
func (e *Env) ActAs(_ context.Context, user ids.ID) (*rbac.Principal, error) {
	if p := e.Principal(user); p != nil {
		return p, nil
	}
	return nil, errs.NotFoundf("object.user")
}

// As is a context for an account.
func (e *Env) As(user ids.ID) context.Context {
	return rbac.WithPrincipal(context.Background(), e.Principal(user))
}

// System is the system principal of the env's tenant.
func (e *Env) System() context.Context {
	p := rbac.SystemPrincipal(e.TenantID, "test")
	p.TimeZone = "Asia/Shanghai"
	return rbac.WithPrincipal(context.Background(), p)
}

// Wait polls a batch until it reaches one of states and its job has
// finished (15 s at most). The batch settles in the run's last
// transaction; the job's row, and the people target's records (written
// once that transaction has committed), follow a moment later.
func (e *Env) Wait(ctx context.Context, id ids.ID, states ...string) *imports.View {
	e.T.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		v, err := e.Svc.Get(ctx, id)
		if err != nil {
			e.T.Fatalf("wait for batch %s: %v", id, err)
		}
		if slices.Contains(states, v.State) && (v.JobID == 0 || (v.Job != nil && v.Job.State.Finished())) {
			return v
		}
		if time.Now().After(deadline) {
			e.T.Fatalf("batch %s stayed %s (want %v): %s", id, v.State, states, v.Failure)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
