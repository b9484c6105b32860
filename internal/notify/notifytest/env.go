package notifytest

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/notify/notifydb"
	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/jobs"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/tenant"
	"github.com/renshi/renshi/internal/platform/tenant/tenantdb"
)

// TenantCode is the env's tenant.
const TenantCode = "acme"

// Env is the notify service on a fresh database with tenant "acme", a
// job queue (started with Start) and an in-memory directory.
type Env struct {
	T       testing.TB
	DB      *db.DB
	Keys    *crypto.Keyring
	Audit   *audit.Log
	Tenants *tenant.Service
	Dir     *Directory
	Queue   *jobs.Queue
	Svc     *notify.Service
	Tenant  *tenant.Tenant
}

// New builds the env on a fresh database (SQLite, or PostgreSQL with
// RENSHI_TEST_POSTGRES).
func New(t testing.TB, tweak ...func(*notify.Options)) *Env {
	t.Helper()
	return NewOn(t, dbtest.MustOpen(t), nil, tweak...)
}

// NewOn builds the env on an open, migrated database, with the key ring
// another env already opened on it (nil: a new one).
func NewOn(t testing.TB, d *db.DB, keys *crypto.Keyring, tweak ...func(*notify.Options)) *Env {
	t.Helper()
	ctx := context.Background()
	var err error
	if keys == nil {
		master, _ := crypto.ParseMasterKey(crypto.NewMasterKey())
		if keys, err = crypto.Open(ctx, d, master); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &Env{T: t, DB: d, Keys: keys, Audit: audit.New(d, keys.AuditKey()), Dir: NewDirectory()}
	e.Tenants = tenant.NewService(d, tenantdb.New(d), e.Audit)
	// Another module's test env may have made acme already.
	if e.Tenant, err = e.Tenants.ByCode(ctx, TenantCode); err != nil || e.Tenant == nil {
		if e.Tenant, err = e.Tenants.Create(ctx, tenant.New{Code: TenantCode, Name: "Acme 测试公司"}); err != nil {
			t.Fatal(err)
		}
	}
	e.Queue = jobs.New(d, jobs.Options{Workers: 2, PollInterval: 20 * time.Millisecond, Lease: time.Second, Logger: log})
	o := notify.Options{BaseURL: "https://hr.example.com", Logger: log, SMTPTimeout: 5 * time.Second, ReminderHour: -1}
	for _, f := range tweak {
		f(&o)
	}
	if e.Svc, err = notify.NewService(d, notifydb.New(d), e.Queue, e.Audit, keys, e.Tenants, e.Dir, o); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = e.Queue.Stop(ctx)
	})
	return e
}

// Start runs the job queue (emails, reminders).
func (e *Env) Start() {
	e.T.Helper()
	if err := e.Queue.Start(context.Background()); err != nil {
		e.T.Fatal(err)
	}
}

// User adds an account to the directory and returns its id.
func (e *Env) User(name, email, locale string) ids.ID {
	id := ids.New()
	e.Dir.Add(notify.Recipient{UserID: id, Name: name, Email: email, Locale: locale, Active: true})
	return id
}

// As is a signed-in user of acme holding perms at tenant scope.
func (e *Env) As(user ids.ID, perms ...string) context.Context {
	m := map[string]rbac.Scope{}
	for _, p := range perms {
		m[p] = rbac.Scope{All: true}
	}
	return rbac.WithPrincipal(context.Background(), rbac.NewPrincipal(rbac.Principal{TenantID: e.Tenant.ID, UserID: user,
		Login: "u" + user.String(), TenantCode: e.Tenant.Code}, m))
}

// System is acme's system principal.
func (e *Env) System() context.Context {
	return rbac.WithPrincipal(context.Background(), rbac.SystemPrincipal(e.Tenant.ID, "test"))
}
