// Package app is the composition root: it builds the configuration,
// database, services, routes and jobs. Nothing else wires.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/approval/approvalapi"
	"github.com/renshi/renshi/internal/config"
	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/employee/employeeapi"
	"github.com/renshi/renshi/internal/employee/employeedb"
	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/imports/importsapi"
	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/notify/notifyapi"
	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/org/orgapi"
	"github.com/renshi/renshi/internal/org/orgdb"
	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/audit/auditapi"
	"github.com/renshi/renshi/internal/platform/auth"
	"github.com/renshi/renshi/internal/platform/auth/authapi"
	"github.com/renshi/renshi/internal/platform/auth/authdb"
	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/files"
	"github.com/renshi/renshi/internal/platform/jobs"
	"github.com/renshi/renshi/internal/platform/jobs/jobsapi"
	"github.com/renshi/renshi/internal/platform/rbac/rbacapi"
	"github.com/renshi/renshi/internal/platform/rbac/rbacdb"
	"github.com/renshi/renshi/internal/platform/rbac/roles"
	"github.com/renshi/renshi/internal/platform/tenant"
	"github.com/renshi/renshi/internal/platform/tenant/tenantapi"
	"github.com/renshi/renshi/internal/platform/tenant/tenantdb"
	"github.com/renshi/renshi/internal/platform/web"
	"github.com/renshi/renshi/internal/training"
	"github.com/renshi/renshi/internal/training/trainingapi"
	ui "github.com/renshi/renshi/web"
)

// Version is set at build time (-ldflags -X).
var Version = "dev"

// App is a running Renshi: services, routes and background jobs.
type App struct {
	Config    config.Config
	Log       *slog.Logger
	DB        *db.DB
	Keys      *crypto.Keyring
	Audit     *audit.Log
	Jobs      *jobs.Queue
	Tenants   *tenant.Service
	Roles     *roles.Service
	Auth      *auth.Service
	Files     *files.Service
	Org       *org.Service
	Employees *employee.Service
	Notify    *notify.Service
	Approvals *approval.Service
	Imports   *imports.Service
	Training  *training.Service
	API       *web.API
	Handler   http.Handler

	ready   atomic.Bool
	started bool
}

// New opens the database, applies migrations and builds every service.
// It does not start background jobs or listen (see Start and Serve).
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if log == nil {
		log = slog.Default()
	}
	master, err := LoadMasterKey(cfg, log)
	if err != nil {
		return nil, err
	}
	d, err := db.Open(cfg.DB)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: d}
	if n, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	} else if n > 0 {
		log.Info("database migrated", "applied", n, "db", d.DSN())
	}
	if a.Keys, err = crypto.Open(ctx, d, master); err != nil {
		d.Close()
		return nil, err
	}
	a.Audit = audit.New(d, a.Keys.AuditKey())
	a.Jobs = jobs.New(d, jobs.Options{Workers: max(cfg.Workers, 1), Logger: log})
	a.Tenants = tenant.NewService(d, tenantdb.New(d), a.Audit)
	a.Roles = roles.NewService(d, rbacdb.New(d), a.Audit)
	a.Tenants.OnCreate(func(ctx context.Context, _ *tenant.Tenant) error { return a.Roles.SeedBuiltins(ctx) })
	a.Auth = auth.NewService(d, authdb.New(d), a.Tenants, a.Roles, a.Audit, a.Keys)
	a.Files = files.NewService(d, files.LocalDisk{Root: cfg.FilesDir})
	a.Org = org.NewService(d, orgdb.New(d), a.Audit)
	a.Roles.SetDepartments(a.Org)
	a.Employees = employee.NewService(d, employeedb.New(d), a.Audit, a.Keys, a.Files, a.Org)
	a.Org.SetHeadcount(a.Employees)
	a.Auth.SetDirectory(a.Employees)
	if a.Notify, err = a.notifications(cfg.SMTPURL); err != nil {
		d.Close()
		return nil, err
	}
	a.Approvals = a.approvals()
	a.Approvals.SetNotifier(ApprovalNotifier(a.Notify))
	a.Notify.RegisterReminder(ApprovalReminders(a.Approvals))
	a.Imports = a.newImports()
	a.Training = a.newTraining()
	a.registerJobs()
	a.Handler = a.routes()
	return a, nil
}

func (a *App) registerJobs() {
	a.Audit.RegisterJobs(a.Jobs)
	a.Approvals.RegisterJobs(a.Jobs)
	a.Imports.RegisterJobs(a.Jobs)
	a.Jobs.SetAuditor(func(ctx context.Context, action string, j *jobs.Job) error {
		return a.Audit.Record(ctx, audit.Event{Action: action, ObjectType: "job", ObjectID: j.ID.String()})
	})
	const cleanup = "auth.sessions.cleanup"
	a.Jobs.Register(cleanup, func(ctx context.Context, _ *jobs.Job, p *jobs.Progress) error {
		n, err := a.Auth.CleanupSessions(ctx)
		if err != nil {
			return err
		}
		return p.Set(ctx, 100, fmt.Sprintf("%d expired sessions removed", n))
	}, jobs.KindOptions{MaxAttempts: 3})
	a.Jobs.Periodic(cleanup, time.Hour, func(now time.Time) []jobs.Scheduled {
		return []jobs.Scheduled{{TenantID: 0, Kind: cleanup, UniqueKey: cleanup + ":" + now.UTC().Format("2006010215")}}
	})
}

func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	a.API = web.NewAPI(mux, "Renshi", Version)
	authapi.Routes(a.API, a.Auth, a.Config.SecureCookies())
	rbacapi.Routes(a.API, a.Roles)
	tenantapi.Routes(a.API, a.Tenants)
	auditapi.Routes(a.API, a.Audit, a.Jobs)
	jobsapi.Routes(a.API, a.Jobs)
	orgapi.Routes(a.API, a.Org)
	employeeapi.Routes(a.API, a.Employees)
	notifyapi.Routes(a.API, a.Notify)
	approvalapi.Routes(a.API, a.Approvals)
	importsapi.Routes(a.API, a.Imports)
	trainingapi.Routes(a.API, a.Training)

	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		web.WriteProblem(w, r, web.NewProblem(r.Context(), http.StatusNotFound, "no such route"))
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", a.readyz)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(web.Collectors()...)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("/", uiHandler(ui.FS()))

	authn := web.Authenticate(authapi.Authenticator(a.Auth), mux)
	// Only API calls need the caller; static files and probes stay cheap.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, web.Prefix+"/") {
			authn.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
	return web.Observe(a.Log, a.Config.TrustProxy, web.SecurityHeaders(a.Config.SecureCookies(), web.CSRF([]string{strings.TrimSuffix(a.Config.BaseURL, "/")}, h)))
}

func (a *App) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := a.DB.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unavailable\n"))
		return
	}
	if !a.ready.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("starting\n"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// Start launches the background job workers.
func (a *App) Start(ctx context.Context) error {
	if err := a.Jobs.Start(ctx); err != nil {
		return err
	}
	a.started = true
	a.ready.Store(true)
	return nil
}

// Serve answers HTTP on ln until ctx ends, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.ready.Store(false)
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close stops jobs and closes the database.
func (a *App) Close() error {
	if a.started {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Jobs.Stop(ctx)
	}
	return a.DB.Close()
}

// LoadMasterKey reads the master key from RENSHI_MASTER_KEY or the key
// file. In development a missing file is created with a new key (and a
// warning); in production a missing key is an error.
func LoadMasterKey(cfg config.Config, log *slog.Logger) ([]byte, error) {
	if cfg.MasterKey != "" {
		return crypto.ParseMasterKey(cfg.MasterKey)
	}
	b, err := os.ReadFile(cfg.MasterKeyFile)
	if err == nil {
		return crypto.ParseMasterKey(string(b))
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("master key: %w", err)
	}
	if cfg.Production() {
		return nil, errors.New("master key: RENSHI_ENV=production needs RENSHI_MASTER_KEY or RENSHI_MASTER_KEY_FILE (an existing file); refusing to start without it")
	}
	if err := os.MkdirAll(filepath.Dir(cfg.MasterKeyFile), 0o700); err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	key := crypto.NewMasterKey()
	if err := os.WriteFile(cfg.MasterKeyFile, []byte(key+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	log.Warn("generated a development master key; back it up, without it encrypted data is lost", "file", cfg.MasterKeyFile)
	return crypto.ParseMasterKey(key)
}
