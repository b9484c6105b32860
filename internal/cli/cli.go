// Package cli implements the renshi command's verbs.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/renshi/renshi/internal/app"
	"github.com/renshi/renshi/internal/config"
	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/auth"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/tenant"
)

type command struct {
	usage string
	run   func(ctx context.Context, args []string, out io.Writer) error
}

var commands = map[string]command{
	"serve":   {"serve [--addr :8080] [--db sqlite:PATH|postgres://...]   run the server", serve},
	"migrate": {"migrate [--db ...]                                       apply database migrations", migrate},
	"tenant":  {"tenant create --code CODE --name NAME | tenant list       manage tenants", tenantCmd},
	"user":    {"user create --tenant CODE --login NAME --password-file FILE --role ROLE | user reset-password --tenant CODE --login NAME", userCmd},
	"audit":   {"audit verify [--tenant CODE]                             check the audit hash chains", auditCmd},
	"keys":    {"keys rotate                                              new data key; re-encrypt sensitive fields", keysCmd},
	"seed":    {"seed demo [--employees N] [--tenant CODE]                create the demo company (admin password printed once)", seedCmd},
	"config":  {"config                                                   print the effective configuration (secrets masked)", configCmd},
	"version": {"version                                                  print the version", versionCmd},
}

// Main runs the command line and returns the exit code.
func Main(args []string, out, errOut io.Writer) int {
	if len(args) < 1 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(errOut)
		if len(args) < 1 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(errOut, "renshi: unknown command %q\n\n", args[0])
		usage(errOut)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd.run(ctx, args[1:], out); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(errOut, "renshi %s: %s\n", args[0], describe(err))
		var ex exitError
		if errors.As(err, &ex) {
			return int(ex)
		}
		return 1
	}
	return 0
}

type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// describe makes service errors readable on a terminal (English).
func describe(err error) string {
	var e *errs.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	params := errs.Params{}
	for k, v := range e.Params {
		if key, ok := v.(string); ok && strings.HasPrefix(key, "object.") {
			v = strings.ToLower(i18n.T(i18n.EN, key, nil))
		}
		params[k] = v
	}
	// Keep what callers wrapped around it ("role \"x\": ...").
	prefix := strings.TrimSuffix(err.Error(), e.Error())
	msg := prefix + i18n.T(i18n.EN, e.Code, params)
	for _, f := range e.Fields {
		p := map[string]any{"field": f.Field}
		for k, v := range f.Params {
			p[k] = v
		}
		msg += "\n  " + f.Field + ": " + i18n.T(i18n.EN, f.Code, p)
	}
	return msg
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Renshi (人事) HR system\n\nUsage: renshi COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %s\n", commands[n].usage)
	}
	fmt.Fprintln(w, "\nConfiguration: flags > RENSHI_* environment > --config FILE (JSON) > defaults; see `renshi config`.")
}

// flags parses args with the common configuration flags plus extras.
func flags(name string, args []string, extra func(fs *flag.FlagSet)) (*flag.FlagSet, config.Config, error) {
	fs := flag.NewFlagSet("renshi "+name, flag.ContinueOnError)
	config.AddFlags(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, config.Config{}, err
	}
	cfg, err := config.Load(fs)
	return fs, cfg, err
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func open(ctx context.Context, cfg config.Config) (*app.App, error) {
	log := newLogger(cfg, os.Stderr)
	slog.SetDefault(log)
	return app.New(ctx, cfg, log)
}

// withApp parses flags, opens the app (migrating the database) and runs fn.
func withApp(ctx context.Context, name string, args []string, extra func(fs *flag.FlagSet), fn func(a *app.App) error) error {
	_, cfg, err := flags(name, args, extra)
	if err != nil {
		return err
	}
	a, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func serve(ctx context.Context, args []string, out io.Writer) error {
	_, cfg, err := flags("serve", args, nil)
	if err != nil {
		return err
	}
	start := time.Now()
	a, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	if cfg.PprofAddr != "" {
		// Profiles on their own (loopback) listener, never on the public one.
		go func() { _ = http.ListenAndServe(cfg.PprofAddr, pprofMux()) }()
	}
	if err := a.Start(ctx); err != nil {
		return err
	}
	a.Log.Info("renshi ready", "version", app.Version, "addr", ln.Addr().String(), "db", a.DB.DSN(), "startup", time.Since(start).Round(time.Millisecond))
	return a.Serve(ctx, ln)
}

func pprofMux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("/debug/pprof/", pprof.Index)
	m.HandleFunc("/debug/pprof/profile", pprof.Profile)
	m.HandleFunc("/debug/pprof/trace", pprof.Trace)
	m.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	return m
}

func migrate(ctx context.Context, args []string, out io.Writer) error {
	return withApp(ctx, "migrate", args, nil, func(a *app.App) error { // opening migrates
		fmt.Fprintln(out, "database is up to date:", a.DB.DSN())
		return nil
	})
}

func tenantCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("want: tenant create|list")
	}
	var code, name, zone, locale *string
	return withApp(ctx, "tenant "+args[0], args[1:], func(fs *flag.FlagSet) {
		code = fs.String("code", "", "tenant code (lower-case letters, digits, -)")
		name = fs.String("name", "", "company or group name")
		zone = fs.String("time-zone", tenant.DefaultTimeZone, "IANA time zone")
		locale = fs.String("locale", i18n.ZH, "default language: zh-CN or en")
	}, func(a *app.App) error {
		switch args[0] {
		case "create":
			t, err := a.Tenants.Create(ctx, tenant.New{Code: *code, Name: *name, TimeZone: *zone, Locale: *locale})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "tenant %s created (id %s)\n", t.Code, t.ID)
		case "list":
			ts, err := a.Tenants.List(ctx)
			if err != nil {
				return err
			}
			for _, t := range ts {
				fmt.Fprintf(out, "%-20s %-10s %-16s %s\n", t.Code, t.Status, t.TimeZone, t.Name)
			}
		default:
			return fmt.Errorf("unknown: tenant %s", args[0])
		}
		return nil
	})
}

func userCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("want: user create|reset-password")
	}
	var tenantCode, login, name, pwFile, role, email *string
	return withApp(ctx, "user "+args[0], args[1:], func(fs *flag.FlagSet) {
		tenantCode = fs.String("tenant", "", "tenant code")
		login = fs.String("login", "", "login name")
		name = fs.String("name", "", "display name (default: the login)")
		email = fs.String("email", "", "email address")
		pwFile = fs.String("password-file", "", "file whose first line is the password (never pass passwords as arguments)")
		role = fs.String("role", "employee", "built-in or custom role code")
	}, func(a *app.App) error {
		switch args[0] {
		case "create":
			pw := ""
			if *pwFile != "" {
				b, err := os.ReadFile(*pwFile)
				if err != nil {
					return err
				}
				pw, _, _ = strings.Cut(string(b), "\n")
				pw = strings.TrimRight(pw, "\r")
			}
			display := *name
			if display == "" {
				display = *login
			}
			u, err := a.CreateUser(ctx, *tenantCode, auth.NewUser{Login: *login, DisplayName: display, Email: *email, Password: pw}, *role)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "user %s created in tenant %s with role %s (id %s)\n", u.Login, *tenantCode, *role, u.ID)
		case "reset-password":
			pw, err := a.ResetPassword(ctx, *tenantCode, strings.ToLower(*login))
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "new password for %s (change it at first sign-in): %s\n", *login, pw)
		default:
			return fmt.Errorf("unknown: user %s", args[0])
		}
		return nil
	})
}

func auditCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("want: audit verify [--tenant CODE]")
	}
	var tenantCode *string
	return withApp(ctx, "audit verify", args[1:], func(fs *flag.FlagSet) {
		tenantCode = fs.String("tenant", "", "verify only this tenant")
	}, func(a *app.App) error {
		var tenants []ids.ID
		var err error
		if *tenantCode != "" {
			t, err := a.Tenants.ByCode(ctx, *tenantCode)
			if err != nil {
				return fmt.Errorf("tenant %q: %w", *tenantCode, err)
			}
			tenants = []ids.ID{t.ID}
		} else if tenants, err = a.Audit.Tenants(ctx); err != nil {
			return err
		}
		broken := 0
		for _, id := range tenants {
			rep, err := a.Audit.Verify(ctx, id, nil)
			if err != nil {
				return err
			}
			if rep.OK() {
				fmt.Fprintf(out, "tenant %s: ok, %d rows\n", id, rep.Rows)
				continue
			}
			broken++
			fmt.Fprintf(out, "tenant %s: BROKEN at seq %d (entry id %s): %s\n", id, rep.Break.Seq, rep.Break.EntryID, problemText(rep.Break.Problem))
		}
		if broken > 0 {
			return exitError(3)
		}
		return nil
	})
}

func problemText(p string) string {
	switch p {
	case audit.ProblemEdited:
		return "row edited (content does not match its hash)"
	case audit.ProblemDeleted:
		return "row deleted (sequence gap)"
	case audit.ProblemInserted:
		return "row inserted (does not link to its predecessor)"
	case audit.ProblemTail:
		return "newest rows deleted or chain head altered"
	}
	return p
}

func keysCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" {
		return errors.New("want: keys rotate")
	}
	return withApp(ctx, "keys rotate", args[1:], nil, func(a *app.App) error {
		old := a.Keys.ActiveKeyID()
		id, err := a.Keys.Rotate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "new active data key %s (was %s)\n", id, old)
		n, err := a.Keys.Reencrypt(ctx, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "re-encrypted %d values\n", n)
		return nil
	})
}

func seedCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "demo" {
		return errors.New("want: seed demo")
	}
	var employees *int
	var tenantCode *string
	return withApp(ctx, "seed demo", args[1:], func(fs *flag.FlagSet) {
		employees = fs.Int("employees", 0, "employees to generate with their organisation (at least 20; 0: accounts only)")
		tenantCode = fs.String("tenant", "", "fill this existing tenant instead of creating the demo tenant")
	}, func(a *app.App) error {
		res, err := a.SeedDemo(ctx, app.SeedOptions{Tenant: *tenantCode, Employees: *employees})
		if err != nil {
			return err
		}
		if res.Employees > 0 {
			fmt.Fprintf(out, "generated %d employees in tenant %s in %s\n", res.Employees, res.Tenant, res.Took.Round(100*time.Millisecond))
		} else if *employees > 0 {
			fmt.Fprintf(out, "tenant %s already has an organisation; no employees generated\n", res.Tenant)
		}
		if !res.Created {
			if *tenantCode == "" {
				fmt.Fprintf(out, "demo tenant %q exists already; sign in as %s (forgot the password? renshi user reset-password --tenant %s --login %s)\n", res.Tenant, res.Login, res.Tenant, res.Login)
			}
			return nil
		}
		fmt.Fprintf(out, "\n  Demo company created. Sign in at %s with\n    tenant:   %s\n    login:    %s\n    password: %s\n  (shown once; it is stored only as a hash)\n\n", a.Config.BaseURL, res.Tenant, res.Login, res.Password)
		return nil
	})
}

func configCmd(ctx context.Context, args []string, out io.Writer) error {
	_, cfg, err := flags("config", args, nil)
	if err != nil {
		return err
	}
	fmt.Fprint(out, cfg.Print())
	return nil
}

func versionCmd(ctx context.Context, args []string, out io.Writer) error {
	fmt.Fprintln(out, "renshi", app.Version)
	return nil
}
