package app

// Glue between the training module and the rest: who is who (roster,
// org chart, accounts, role holders), notifications, the hire hook that
// enrols new hires, and the daily reminders.

import (
	"context"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/auth"
	"github.com/renshi/renshi/internal/platform/auth/authdb"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/training"
	"github.com/renshi/renshi/internal/training/trainingdb"
)

// newTraining builds the training service and connects it.
func (a *App) newTraining() *training.Service {
	users := authdb.New(a.DB)
	svc := training.NewService(a.DB, trainingdb.New(a.DB), a.Audit, &trainingPeople{a: a, users: users}, a.Files)
	svc.SetNotifier(trainingNotifier{a.Notify})
	svc.SetPublicLinks(a.Config.BaseURL, []byte(a.Keys.BlindIndex("training.calendar_feed", "key"))) // feed key: derived from the never-rotated index key, so feed addresses survive key rotation
	a.Notify.RegisterReminder(svc.ReminderSource())
	a.Employees.OnHire(func(ctx context.Context, h employee.Hired) error {
		return svc.EnrollHire(ctx, training.Hire{TenantID: h.TenantID, EmployeeID: h.EmployeeID, Name: h.Name, DepartmentID: h.DepartmentID, HireDate: h.HireDate})
	})
	return svc
}

type trainingPeople struct {
	a     *App
	users *authdb.Store
}

var _ training.People = (*trainingPeople)(nil)

func (d *trainingPeople) Person(ctx context.Context, id ids.ID) (training.Person, error) {
	m, err := d.People(ctx, []ids.ID{id})
	if err != nil {
		return training.Person{}, err
	}
	p, ok := m[id]
	if !ok {
		return training.Person{}, errs.NotFoundf("object.employee")
	}
	return p, nil
}

func (d *trainingPeople) People(ctx context.Context, list []ids.ID) (map[ids.ID]training.Person, error) {
	out := map[ids.ID]training.Person{}
	if len(list) == 0 {
		return out, nil
	}
	sctx := sys(ctx)
	for start := 0; start < len(list); start += 500 {
		part := list[start:min(start+500, len(list))]
		m, err := d.a.Employees.Reporting(sctx, part)
		if err != nil {
			return nil, err
		}
		for id, r := range m {
			out[id] = training.Person{EmployeeID: id, Name: r.Name, DepartmentID: r.DepartmentID, Active: r.Active}
		}
	}
	return out, d.accounts(sctx, out)
}

// accounts fills the people's active accounts, in one query per 500.
func (d *trainingPeople) accounts(ctx context.Context, people map[ids.ID]training.Person) error {
	list := make([]ids.ID, 0, len(people))
	for id := range people {
		list = append(list, id)
	}
	users, err := d.users.UsersByEmployee(ctx, list)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.EmployeeID == nil || u.Status != auth.StatusActive {
			continue
		}
		if p, ok := people[*u.EmployeeID]; ok {
			p.UserID = u.ID
			people[*u.EmployeeID] = p
		}
	}
	return nil
}

func (d *trainingPeople) InDepartments(ctx context.Context, depts []ids.ID) ([]training.Person, error) {
	sctx := sys(ctx)
	var out []training.Person
	f := employee.Filter{DepartmentIDs: depts, IncludeSub: true, Statuses: []string{employee.StatusProbation, employee.StatusRegular, employee.StatusResigning}}
	err := d.a.Employees.Each(sctx, f, false, func(item employee.ListItem, e *employee.Employee) error {
		out = append(out, training.Person{EmployeeID: e.ID, Name: e.Name, DepartmentID: e.DepartmentID, Active: true})
		return nil
	})
	if err != nil {
		return nil, err
	}
	m := make(map[ids.ID]training.Person, len(out))
	for _, p := range out {
		m[p.EmployeeID] = p
	}
	if err := d.accounts(sctx, m); err != nil {
		return nil, err
	}
	for i := range out {
		out[i] = m[out[i].EmployeeID]
	}
	return out, nil
}

func (d *trainingPeople) DepartmentNames(ctx context.Context, list []ids.ID) (map[ids.ID]string, error) {
	out := map[ids.ID]string{}
	sctx := sys(ctx)
	for _, id := range list {
		if id == 0 {
			continue
		}
		if _, ok := out[id]; ok {
			continue
		}
		x, err := d.a.Org.Department(sctx, id, org.Today(ctx))
		if errs.KindOf(err) == errs.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = x.Name
	}
	return out, nil
}

func (d *trainingPeople) Subtree(ctx context.Context, roots []ids.ID) ([]ids.ID, error) {
	return d.a.Org.SubtreeOn(sys(ctx), roots, org.Today(ctx))
}

// Holders finds the active accounts holding perm whose scope covers the
// department (any scope when dept is 0).
func (d *trainingPeople) Holders(ctx context.Context, perm string, dept ids.ID) ([]training.Account, error) {
	p := rbac.From(ctx)
	if p == nil {
		return nil, nil
	}
	list, err := reminderDirectory{a: d.a, users: d.users}.Holders(ctx, p.TenantID, perm)
	if err != nil {
		return nil, err
	}
	var userIDs []ids.ID
	for _, h := range list {
		if dept == 0 || h.Scope.All || h.Scope.CoversDepartment(dept) {
			userIDs = append(userIDs, h.UserID)
		}
	}
	found, err := d.users.UsersByID(sys(ctx), userIDs)
	if err != nil {
		return nil, err
	}
	names := map[ids.ID]string{}
	for _, u := range found {
		names[u.ID] = u.DisplayName
	}
	out := make([]training.Account, 0, len(userIDs))
	for _, id := range userIDs {
		out = append(out, training.Account{UserID: id, Name: names[id]})
	}
	return out, nil
}

type trainingNotifier struct{ n *notify.Service }

func (x trainingNotifier) Notify(ctx context.Context, m training.Notice) error {
	_, err := x.n.Send(ctx, notify.Message{Recipients: m.Recipients, Template: m.Template, Params: m.Params, Link: m.Link,
		ObjectType: "training", ObjectID: m.ObjectID.String(), Key: m.Key})
	return err
}
