package notify_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/notify/notifydb"
	"github.com/renshi/renshi/internal/notify/notifytest"
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

// env is the notify service on a real database with a real job queue
// ("a process"); more processes share the database through proc.
type env struct {
	t       testing.TB
	db      *db.DB
	keys    *crypto.Keyring
	audit   *audit.Log
	tenants *tenant.Service
	dir     *notifytest.Directory
	tenant  *tenant.Tenant
	clock   time.Time // the service's time: starts here and runs
	setAt   time.Time
	clockMu sync.Mutex
	opts    notify.Options
	// the first process
	svc *notify.Service
	q   *jobs.Queue
}

func testLog() *slog.Logger {
	var w io.Writer = io.Discard
	if os.Getenv("NOTIFY_TEST_LOG") != "" {
		w = os.Stderr
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func newEnv(t testing.TB, tweak ...func(*notify.Options)) *env {
	t.Helper()
	d := dbtest.MustOpen(t)
	ctx := context.Background()
	master, _ := crypto.ParseMasterKey(crypto.NewMasterKey())
	keys, err := crypto.Open(ctx, d, master)
	if err != nil {
		t.Fatal(err)
	}
	a := audit.New(d, keys.AuditKey())
	e := &env{t: t, db: d, keys: keys, audit: a, tenants: tenant.NewService(d, tenantdb.New(d), a),
		dir: notifytest.NewDirectory()}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	e.clock, e.setAt = time.Date(2026, 6, 15, 10, 0, 0, 0, loc), time.Now()
	e.opts = notify.Options{BaseURL: "https://hr.example.com", Logger: testLog(), ClaimTTL: 300 * time.Millisecond,
		SMTPTimeout: 5 * time.Second, EmailAttempts: 6, Now: e.now}
	for _, f := range tweak {
		f(&e.opts)
	}
	if e.tenant, err = e.tenants.Create(ctx, tenant.New{Code: "acme", Name: "Acme 测试公司"}); err != nil {
		t.Fatal(err)
	}
	e.svc, e.q = e.proc(d)
	return e
}

func (e *env) now() time.Time {
	e.clockMu.Lock()
	defer e.clockMu.Unlock()
	return e.clock.Add(time.Since(e.setAt))
}

func (e *env) setClock(t time.Time) {
	e.clockMu.Lock()
	defer e.clockMu.Unlock()
	e.clock, e.setAt = t, time.Now()
}

// proc builds another "process": a service and a queue of its own on d.
func (e *env) proc(d *db.DB) (*notify.Service, *jobs.Queue) {
	e.t.Helper()
	q := jobs.New(d, jobs.Options{Workers: 2, PollInterval: 20 * time.Millisecond, Lease: 500 * time.Millisecond, Logger: testLog()})
	svc, err := notify.NewService(d, notifydb.New(d), q, audit.New(d, e.keys.AuditKey()), e.keys, e.tenants, e.dir, e.opts)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
	})
	return svc, q
}

// second opens another connection pool on the same database, as a second
// process would.
func (e *env) second() *db.DB {
	e.t.Helper()
	d2, err := db.Open(dsnOf(e.t, e.db))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { d2.Close() })
	return d2
}

func dsnOf(t testing.TB, d *db.DB) string {
	dsn := d.DSN()
	if strings.Contains(dsn, "xxxxx") {
		t.Skip("the DSN's password is masked; cannot open a second handle")
	}
	return dsn
}

func start(t testing.TB, qs ...*jobs.Queue) {
	t.Helper()
	for _, q := range qs {
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// user adds an account to the directory.
func (e *env) user(name, email, locale string) ids.ID {
	id := ids.New()
	e.dir.Add(notify.Recipient{UserID: id, Name: name, Email: email, Locale: locale, Active: true})
	return id
}

// as is a signed-in user of the env's tenant (or another).
func (e *env) as(user ids.ID, perms ...string) context.Context {
	return asIn(e.tenant.ID, user, perms...)
}

func asIn(tenantID, user ids.ID, perms ...string) context.Context {
	m := map[string]rbac.Scope{}
	for _, p := range perms {
		m[p] = rbac.Scope{All: true}
	}
	return rbac.WithPrincipal(context.Background(), rbac.NewPrincipal(rbac.Principal{TenantID: tenantID, UserID: user, Login: "u" + user.String()}, m))
}

func (e *env) system() context.Context { return asSystem(e.tenant.ID) }

func asSystem(tenantID ids.ID) context.Context {
	return rbac.WithPrincipal(context.Background(), rbac.SystemPrincipal(tenantID, "test"))
}

// useServer points the tenant's settings at a test mail server.
func (e *env) useServer(m *notifytest.MailServer) {
	e.t.Helper()
	pw := m.Password
	_, err := e.svc.SaveSettings(e.system(), notify.SettingsInput{Host: "127.0.0.1", Port: m.Port, Username: m.Username, Password: &pw,
		FromAddress: "hr@acme.example", FromName: "Acme 人事", TLSMode: notify.TLSNone})
	if err != nil {
		e.t.Fatal(err)
	}
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// deliveries reads the tenant's delivery rows.
func (e *env) deliveries() []notify.DeliveryRow {
	e.t.Helper()
	rows, _, err := notifydb.New(e.db).Deliveries(e.system(), notify.DeliveryFilter{Size: 200})
	if err != nil {
		e.t.Fatal(err)
	}
	return rows
}

func (e *env) deliveryStates() map[string]int {
	out := map[string]int{}
	for _, d := range e.deliveries() {
		out[d.State]++
	}
	return out
}
