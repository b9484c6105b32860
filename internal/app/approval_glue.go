package app

// Glue between the approval engine (which depends only on the platform)
// and the app's services: the directory it resolves approvers from
// (organisation, roster, accounts, role grants), the notifications it
// sends through the notify module, the "waiting more than 24 hours"
// reminder source, and the employee module's request types. Wired in
// App.New, registerJobs and routes (see the lines in approvals below).

import (
	"context"
	"regexp"
	"slices"
	"time"

	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/approval/approvaldb"
	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/auth"
	"github.com/renshi/renshi/internal/platform/auth/authdb"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/tenant"
)

// approvals builds the approval engine on the app's services, registers
// the employee module's request types (bank-account change, transfer,
// promotion, resignation) and seeds default flows in new tenants.
// Existing tenants get a type's default flow at its first submission.
//
// Wiring (internal/app/app.go):
//
//	App struct:      Approvals *approval.Service
//	New, after a.Employees: a.Approvals = a.approvals()
//	registerJobs:    a.Approvals.RegisterJobs(a.Jobs)
//	routes:          approvalapi.Routes(a.API, a.Approvals)
//	with notify:     a.Approvals.SetNotifier(ApprovalNotifier(a.Notify))
//	                 a.Notify.RegisterReminder(ApprovalReminders(a.Approvals))
func (a *App) approvals() *approval.Service {
	dir := &approvalDirectory{a: a, users: authdb.New(a.DB)}
	svc := approval.NewService(a.DB, approvaldb.New(a.DB), a.Audit, dir)
	a.Employees.UseApprovals(svc)
	a.Tenants.OnCreate(func(ctx context.Context, _ *tenant.Tenant) error { return svc.SeedDefaults(ctx) })
	return svc
}

// approvalDirectory answers the engine from the org, employee and
// account services, reading as the system inside the caller's tenant and
// transaction (the caller is already authorised for his action).
type approvalDirectory struct {
	a     *App
	users *authdb.Store
}

var _ approval.Directory = (*approvalDirectory)(nil)

// sys is the system principal of the caller's tenant (keeping its zone).
func sys(ctx context.Context) context.Context {
	p := rbac.From(ctx)
	if p == nil || p.System {
		return ctx
	}
	sp := rbac.SystemPrincipal(p.TenantID, "approval")
	sp.TimeZone = p.TimeZone
	return rbac.WithPrincipal(ctx, sp)
}

func (d *approvalDirectory) Person(ctx context.Context, id ids.ID) (*approval.Person, error) {
	m, err := d.a.Employees.Reporting(sys(ctx), []ids.ID{id})
	if err != nil {
		return nil, err
	}
	r, ok := m[id]
	if !ok {
		return nil, errs.NotFoundf("object.employee")
	}
	return &approval.Person{EmployeeID: r.ID, Name: r.Name, DepartmentID: r.DepartmentID, ManagerID: r.ManagerID, Active: r.Active}, nil
}

func (d *approvalDirectory) Department(ctx context.Context, id ids.ID) (*approval.Department, error) {
	x, err := d.a.Org.Department(sys(ctx), id, org.Today(ctx))
	if err != nil {
		return nil, err
	}
	return &approval.Department{ID: x.ID, Name: x.Name, ParentID: x.ParentID, HeadEmployeeID: x.HeadEmployeeID, Active: x.Active}, nil
}

func (d *approvalDirectory) Subtree(ctx context.Context, roots []ids.ID) ([]ids.ID, error) {
	return d.a.Org.SubtreeOn(sys(ctx), roots, org.Today(ctx))
}

func (d *approvalDirectory) UserOfEmployee(ctx context.Context, employeeID ids.ID) (ids.ID, error) {
	u, err := d.users.UserByEmployee(sys(ctx), employeeID)
	if errs.KindOf(err) == errs.NotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return u.ID, nil
}

func (d *approvalDirectory) EmployeeOfUser(ctx context.Context, userID ids.ID) (ids.ID, error) {
	u, err := d.users.User(sys(ctx), userID)
	if errs.KindOf(err) == errs.NotFound {
		return 0, nil
	}
	if err != nil || u.EmployeeID == nil {
		return 0, err
	}
	return *u.EmployeeID, nil
}

func (d *approvalDirectory) Users(ctx context.Context, list []ids.ID) (map[ids.ID]approval.User, error) {
	found, err := d.users.UsersByID(sys(ctx), list)
	if err != nil {
		return nil, err
	}
	out := make(map[ids.ID]approval.User, len(found))
	for _, u := range found {
		out[u.ID] = approval.User{ID: u.ID, Name: u.DisplayName, Active: u.Status == auth.StatusActive}
	}
	return out, nil
}

func (d *approvalDirectory) RoleExists(ctx context.Context, role string) (bool, error) {
	_, err := d.a.Roles.RoleByCode(sys(ctx), role)
	if errs.KindOf(err) == errs.NotFound {
		return false, nil
	}
	return err == nil, err
}

// RoleHolders lists the active accounts holding a role; with a
// department, only those whose grant of the role covers it: tenant-wide
// grants, chosen departments (and below), or the holder's own department
// (and below, for department_tree).
func (d *approvalDirectory) RoleHolders(ctx context.Context, role string, dept ids.ID) ([]ids.ID, error) {
	sctx := sys(ctx)
	r, err := d.a.Roles.RoleByCode(sctx, role)
	if errs.KindOf(err) == errs.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var holders []*auth.User
	err = d.users.EachUser(sctx, auth.UserFilter{RoleID: r.ID, Status: auth.StatusActive}, rbac.Scope{All: true}, 0, func(u *auth.User) error {
		c := *u
		holders = append(holders, &c)
		return nil
	})
	if err != nil || len(holders) == 0 {
		return nil, err
	}
	idList := make([]ids.ID, len(holders))
	for i, u := range holders {
		idList[i] = u.ID
	}
	if dept == 0 {
		return idList, nil
	}
	grants, err := d.a.Roles.GrantsOf(sctx, idList)
	if err != nil {
		return nil, err
	}
	var out []ids.ID
	for _, u := range holders {
		for _, g := range grants[u.ID] {
			if g.RoleID != r.ID {
				continue
			}
			ok, err := d.covers(sctx, g, u, dept)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, u.ID)
				break
			}
		}
	}
	return out, nil
}

func (d *approvalDirectory) covers(ctx context.Context, g rbac.Grant, u *auth.User, dept ids.ID) (bool, error) {
	var roots []ids.ID
	switch g.Scope {
	case rbac.ScopeTenant:
		return true, nil
	case rbac.ScopeDepartments:
		roots = g.DepartmentIDs
	case rbac.ScopeDepartment, rbac.ScopeDepartmentTree:
		if u.EmployeeID == nil {
			return false, nil
		}
		own, err := d.a.Employees.DepartmentOf(ctx, u.TenantID, *u.EmployeeID)
		if err != nil || own == 0 {
			return false, nil
		}
		if g.Scope == rbac.ScopeDepartment {
			return own == dept, nil
		}
		roots = []ids.ID{own}
	default:
		return false, nil
	}
	tree, err := d.a.Org.SubtreeOn(ctx, roots, org.Today(ctx))
	if err != nil {
		return false, err
	}
	return slices.Contains(tree, dept), nil
}

// ---- notifications

// ApprovalNotifier sends the engine's notifications through the notify
// module (idempotent by key, in the engine's transaction).
func ApprovalNotifier(n *notify.Service) approval.Notifier { return approvalNotifier{n} }

type approvalNotifier struct{ n *notify.Service }

func (x approvalNotifier) Notify(ctx context.Context, m approval.Message) error {
	_, err := x.n.Send(ctx, notify.Message{Recipients: m.Recipients, Template: m.Template, Params: m.Params, Link: m.Link,
		ObjectType: m.ObjectType, ObjectID: m.ObjectID, Key: m.Key})
	return err
}

// ApprovalReminders is the notify module's reminder source of approval
// tasks waiting more than 24 hours (once per task and day waited).
func ApprovalReminders(svc *approval.Service) notify.ReminderSource { return approvalReminders{svc} }

type approvalReminders struct{ svc *approval.Service }

func (approvalReminders) Name() string { return approval.TemplateWaiting }

func (r approvalReminders) Due(ctx context.Context, _ ids.ID, _ civil.Date) ([]notify.Reminder, error) {
	var out []notify.Reminder
	err := r.svc.Reminders(ctx, time.Now(), func(m approval.Message) error {
		out = append(out, notify.Reminder{Key: m.Key, Recipients: m.Recipients, Template: m.Template, Params: m.Params,
			Link: m.Link, ObjectType: m.ObjectType, ObjectID: m.ObjectID})
		return nil
	})
	return out, err
}

// The engine's message texts are i18n keys "<template>.title" and
// ".body" with {name} placeholders; notify templates are text/template.
var placeholder = regexp.MustCompile(`\{([a-zA-Z]+)\}`)

func init() {
	for _, key := range approval.Templates {
		cat := notify.CategoryApproval
		if key == approval.TemplateWaiting {
			cat = notify.CategoryReminder
		}
		t := notify.Template{Key: key, Category: cat, Subject: map[string]string{}, Body: map[string]string{}}
		for _, loc := range i18n.Locales {
			t.Subject[loc] = placeholder.ReplaceAllString(i18n.T(loc, key+".title", nil), "{{.$1}}")
			t.Body[loc] = placeholder.ReplaceAllString(i18n.T(loc, key+".body", nil), "{{.$1}}")
		}
		notify.RegisterTemplate(t)
	}
}
