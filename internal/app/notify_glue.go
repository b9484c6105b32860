package app

// Glue between the notify module (which depends only on the platform)
// and the app's services: the account directory emails are addressed
// from, and the accounts the employee module's reminders go to (holders
// of a permission over a scope, employees' own accounts).
//
// Wiring (internal/app/app.go):
//
//	App struct:        Notify *notify.Service
//	New, after a.Employees (before a.registerJobs):
//	                   if a.Notify, err = a.notifications(cfg.SMTPURL); err != nil { d.Close(); return nil, err }
//	routes:            notifyapi.Routes(a.API, a.Notify)
//	config.Config:     SMTPURL string `json:"smtpUrl" env:"RENSHI_SMTP_URL" secret:"true" help:"..."`

import (
	"context"
	"slices"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/notify/notifydb"
	"github.com/renshi/renshi/internal/platform/auth"
	"github.com/renshi/renshi/internal/platform/auth/authdb"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// notifications builds the notify service on the app's job queue and
// registers the employee module's reminder sources (birthdays and work
// anniversaries stay off). smtpURL is the installation's mail server
// (RENSHI_SMTP_URL), used by tenants without settings of their own.
func (a *App) notifications(smtpURL string) (*notify.Service, error) {
	users := authdb.New(a.DB)
	svc, err := notify.NewService(a.DB, notifydb.New(a.DB), a.Jobs, a.Audit, a.Keys, a.Tenants, notifyDirectory{users: users},
		notify.Options{BaseURL: a.Config.BaseURL, SMTPURL: smtpURL, Logger: a.Log})
	if err != nil {
		return nil, err
	}
	for _, src := range a.Employees.ReminderSources(reminderDirectory{a: a, users: users}, employee.ReminderOptions{}) {
		svc.RegisterReminder(src)
	}
	return svc, nil
}

// inTenant reads as the tenant (stores scope by the principal's tenant),
// keeping the caller's transaction.
func inTenant(ctx context.Context, tenantID ids.ID) context.Context {
	if p := rbac.From(ctx); p != nil && p.TenantID == tenantID {
		return ctx
	}
	return rbac.WithPrincipal(ctx, rbac.Anonymous(tenantID))
}

// notifyDirectory addresses emails from the accounts.
type notifyDirectory struct{ users *authdb.Store }

var _ notify.Directory = notifyDirectory{}

func (d notifyDirectory) Recipients(ctx context.Context, tenantID ids.ID, userIDs []ids.ID) (map[ids.ID]notify.Recipient, error) {
	ctx = inTenant(ctx, tenantID)
	list, err := d.users.UsersByID(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[ids.ID]notify.Recipient, len(list))
	for _, u := range list {
		out[u.ID] = notify.Recipient{UserID: u.ID, Name: u.DisplayName, Email: u.Email, Locale: u.Locale, Active: u.Status == auth.StatusActive}
	}
	return out, nil
}

// reminderDirectory tells the employee module's reminders whom to tell.
type reminderDirectory struct {
	a     *App
	users *authdb.Store
}

var _ employee.ReminderDirectory = reminderDirectory{}

// Holders finds the active accounts whose roles carry perm and resolves
// each one's data scope for it the way a sign-in would (the account's
// employee anchoring department scopes).
func (d reminderDirectory) Holders(ctx context.Context, tenantID ids.ID, perm string) ([]employee.Holder, error) {
	sp := rbac.SystemPrincipal(tenantID, "notify")
	if p := rbac.From(ctx); p != nil {
		sp.TimeZone = p.TimeZone
	}
	ctx = rbac.WithPrincipal(ctx, sp)
	roles, err := d.a.Roles.Roles(ctx)
	if err != nil {
		return nil, err
	}
	var out []employee.Holder
	seen := map[ids.ID]bool{}
	for _, r := range roles {
		if !slices.Contains(r.Permissions, perm) {
			continue
		}
		err := d.a.Auth.EachUser(ctx, auth.UserFilter{RoleID: r.ID, Status: auth.StatusActive}, false, func(u auth.UserView) error {
			if seen[u.ID] {
				return nil
			}
			seen[u.ID] = true
			base := rbac.Principal{TenantID: tenantID, UserID: u.ID}
			if u.EmployeeID != nil {
				base.EmployeeID = *u.EmployeeID
				dept, err := d.a.Employees.DepartmentOf(ctx, tenantID, *u.EmployeeID)
				if err != nil && errs.KindOf(err) != errs.NotFound {
					return err
				}
				base.DepartmentID = dept
			}
			p, err := d.a.Roles.Resolve(ctx, base)
			if err != nil {
				return err
			}
			if scope, ok := p.Scope(perm); ok {
				out = append(out, employee.Holder{UserID: u.ID, Scope: scope})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Accounts maps employees to their active accounts (users.employee_id).
func (d reminderDirectory) Accounts(ctx context.Context, tenantID ids.ID, employeeIDs []ids.ID) (map[ids.ID]ids.ID, error) {
	ctx = inTenant(ctx, tenantID)
	users, err := d.users.UsersByEmployee(ctx, employeeIDs)
	if err != nil {
		return nil, err
	}
	out := map[ids.ID]ids.ID{}
	for _, u := range users {
		if u.EmployeeID != nil && u.Status == auth.StatusActive {
			out[*u.EmployeeID] = u.ID
		}
	}
	return out, nil
}
