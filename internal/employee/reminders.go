package employee

import (
	"context"
	"fmt"
	"slices"

	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Reminder templates (category "reminder"). Params: name, employeeNo,
// and endDate with days (contracts, probation) or years (anniversaries).
const (
	TemplateContractEnding  = "employee.contract_ending"
	TemplateProbationEnding = "employee.probation_ending"
	TemplateBirthday        = "employee.birthday"
	TemplateWorkAnniversary = "employee.work_anniversary"
)

func init() {
	for _, t := range []notify.Template{
		{Key: TemplateContractEnding, Category: notify.CategoryReminder,
			Subject: map[string]string{i18n.ZH: "劳动合同即将到期：{{.name}}（{{.employeeNo}}）", i18n.EN: "Contract ending: {{.name}} ({{.employeeNo}})"},
			Body: map[string]string{
				i18n.ZH: "{{.name}}的劳动合同将于 {{.endDate}} 到期（还有 {{.days}} 天），请及时办理续签或终止。",
				i18n.EN: "{{.name}}'s labour contract ends on {{.endDate}} (in {{.days}} days). Please renew or end it in time.",
			}},
		{Key: TemplateProbationEnding, Category: notify.CategoryReminder,
			Subject: map[string]string{i18n.ZH: "试用期即将结束：{{.name}}（{{.employeeNo}}）", i18n.EN: "Probation ending: {{.name}} ({{.employeeNo}})"},
			Body: map[string]string{
				i18n.ZH: "{{.name}}的试用期将于 {{.endDate}} 结束（还有 {{.days}} 天），请完成转正评估。",
				i18n.EN: "{{.name}}'s probation ends on {{.endDate}} (in {{.days}} days). Please complete the review.",
			}},
		{Key: TemplateBirthday, Category: notify.CategoryReminder,
			Subject: map[string]string{i18n.ZH: "今天是{{.name}}的生日", i18n.EN: "It is {{.name}}'s birthday today"},
			Body:    map[string]string{i18n.ZH: "别忘了祝{{.name}}（{{.employeeNo}}）生日快乐。", i18n.EN: "Wish {{.name}} ({{.employeeNo}}) a happy birthday."}},
		{Key: TemplateWorkAnniversary, Category: notify.CategoryReminder,
			Subject: map[string]string{i18n.ZH: "{{.name}}入职 {{.years}} 周年", i18n.EN: "{{.name}}: {{.years}} years with us"},
			Body: map[string]string{
				i18n.ZH: "今天是{{.name}}（{{.employeeNo}}）入职 {{.years}} 周年。",
				i18n.EN: "Today {{.name}} ({{.employeeNo}}) has been with us for {{.years}} years.",
			}},
	} {
		notify.RegisterTemplate(t)
	}
}

// Reminder windows: a contract's first reminder goes out 30 days before
// its end (or as soon as it is known, inside that window), the second 7
// days before; probation 7 days before. Windows rather than exact days
// catch up on a day the server was down; occasion keys keep each to one.
const (
	contractFirst  = 30
	contractSecond = 7
	probationDays  = 7
)

// Holder is an account holding a permission over a data scope.
type Holder struct {
	UserID ids.ID
	Scope  rbac.Scope
}

// ReminderDirectory finds whom reminders go to; the app implements it
// with the account and role services.
type ReminderDirectory interface {
	// Holders lists the tenant's active accounts holding perm, each with
	// the data scope it holds it over.
	Holders(ctx context.Context, tenantID ids.ID, perm string) ([]Holder, error)
	// Accounts maps employees to their active accounts (auth
	// users.employee_id); employees without one are left out.
	Accounts(ctx context.Context, tenantID ids.ID, employeeIDs []ids.ID) (map[ids.ID]ids.ID, error)
}

// ReminderOptions switch the optional reminders on (both off by default).
type ReminderOptions struct {
	Birthdays     bool // to the manager, on the day
	Anniversaries bool // work anniversaries, to the manager, on the day
}

// ReminderSources returns the module's reminder sources for
// notify.Service.RegisterReminder: contracts ending (HR holding
// employee.contract.manage over the employee, and the manager), probation
// ending (HR holding employee.lifecycle.manage, and the manager), and
// optionally birthdays and work anniversaries (the manager).
func (s *Service) ReminderSources(dir ReminderDirectory, o ReminderOptions) []notify.ReminderSource {
	out := []notify.ReminderSource{
		&reminderSource{name: "employee.contracts", s: s, dir: dir, due: s.contractReminders},
		&reminderSource{name: "employee.probation", s: s, dir: dir, due: s.probationReminders},
	}
	if o.Birthdays {
		out = append(out, &reminderSource{name: "employee.birthdays", s: s, dir: dir, due: s.birthdayReminders})
	}
	if o.Anniversaries {
		out = append(out, &reminderSource{name: "employee.anniversaries", s: s, dir: dir, due: s.anniversaryReminders})
	}
	return out
}

type reminderSource struct {
	name string
	s    *Service
	dir  ReminderDirectory
	due  func(ctx context.Context, r *recipients, day civil.Date) ([]notify.Reminder, error)
}

func (r *reminderSource) Name() string { return r.name }

// Due runs as the tenant's system principal inside the reminder job.
func (r *reminderSource) Due(ctx context.Context, tenantID ids.ID, day civil.Date) ([]notify.Reminder, error) {
	if err := r.s.ensureCurrent(ctx); err != nil {
		return nil, err
	}
	return r.due(ctx, &recipients{dir: r.dir, tenant: tenantID, holders: map[string][]Holder{}, accounts: map[ids.ID]ids.ID{}}, day)
}

// recipients resolves and caches accounts during one run.
type recipients struct {
	dir      ReminderDirectory
	tenant   ids.ID
	holders  map[string][]Holder
	accounts map[ids.ID]ids.ID // employee -> account (0: none)
}

// load looks up the accounts of the employees' managers at once.
func (r *recipients) load(ctx context.Context, emps []*Employee) error {
	var want []ids.ID
	for _, e := range emps {
		if e.ManagerID != 0 {
			if _, ok := r.accounts[e.ManagerID]; !ok {
				r.accounts[e.ManagerID] = 0
				want = append(want, e.ManagerID)
			}
		}
	}
	for start := 0; start < len(want); start += 1000 {
		m, err := r.dir.Accounts(ctx, r.tenant, want[start:min(start+1000, len(want))])
		if err != nil {
			return err
		}
		for emp, user := range m {
			r.accounts[emp] = user
		}
	}
	return nil
}

// of lists the holders of perm whose scope covers the employee, and the
// employee's manager.
func (r *recipients) of(ctx context.Context, e *Employee, perm string, manager bool) ([]ids.ID, error) {
	var out []ids.ID
	if perm != "" {
		hs, ok := r.holders[perm]
		if !ok {
			var err error
			if hs, err = r.dir.Holders(ctx, r.tenant, perm); err != nil {
				return nil, err
			}
			r.holders[perm] = hs
		}
		for _, h := range hs {
			if h.Scope.CoversDepartment(e.DepartmentID) {
				out = append(out, h.UserID)
			}
		}
	}
	if manager && e.ManagerID != 0 {
		if u := r.accounts[e.ManagerID]; u != 0 && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out, nil
}

// active streams the employees working today with the given statuses.
func (s *Service) active(ctx context.Context, statuses ...string) ([]*Employee, error) {
	if len(statuses) == 0 {
		statuses = []string{StatusProbation, StatusRegular, StatusResigning}
	}
	var out []*Employee
	err := s.store.Each(ctx, &Filter{Statuses: statuses, Scope: rbac.Scope{All: true}}, func(e *Employee) error {
		c := *e
		out = append(out, &c)
		return nil
	})
	return out, err
}

func params(e *Employee, extra map[string]any) map[string]any {
	m := map[string]any{"name": e.Name, "employeeNo": e.EmployeeNo}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func link(e *Employee) string { return "/employees/" + e.ID.String() }

func (s *Service) contractReminders(ctx context.Context, r *recipients, day civil.Date) ([]notify.Reminder, error) {
	emps, err := s.active(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[ids.ID]*Employee, len(emps))
	for _, e := range emps {
		byID[e.ID] = e
	}
	last := day.AddDays(contractFirst)
	ending, err := s.store.ContractsEnding(ctx, day, last)
	if err != nil {
		return nil, err
	}
	var subjects []*Employee
	var due []Contract
	for _, c := range ending {
		e, ok := byID[c.EmployeeID]
		// Not for someone leaving anyway, nor a contract ended early or
		// not begun.
		if !ok || !e.LeaveDate.IsZero() || c.Status == ContractTerminated || c.StartDate.After(day) {
			continue
		}
		subjects = append(subjects, e)
		due = append(due, c)
	}
	if err := r.load(ctx, subjects); err != nil {
		return nil, err
	}
	var out []notify.Reminder
	for i, c := range due {
		e := subjects[i]
		days := c.EndDate.DaysSince(day)
		stage := fmt.Sprintf("%dd", contractFirst)
		if days <= contractSecond {
			stage = fmt.Sprintf("%dd", contractSecond)
		}
		to, err := r.of(ctx, e, PermContractEdit, true)
		if err != nil {
			return nil, err
		}
		if len(to) == 0 {
			continue
		}
		out = append(out, notify.Reminder{Key: fmt.Sprintf("employee.contract-end:%d:%s:%s", c.ID, c.EndDate, stage), Recipients: to,
			Template: TemplateContractEnding, Params: params(e, map[string]any{"endDate": c.EndDate.String(), "days": days}),
			Link: link(e), ObjectType: ObjectContract, ObjectID: c.ID.String()})
	}
	return out, nil
}

func (s *Service) probationReminders(ctx context.Context, r *recipients, day civil.Date) ([]notify.Reminder, error) {
	emps, err := s.active(ctx, StatusProbation)
	if err != nil {
		return nil, err
	}
	last := day.AddDays(probationDays)
	var due []*Employee
	for _, e := range emps {
		if !e.ProbationEndDate.IsZero() && !e.ProbationEndDate.Before(day) && !e.ProbationEndDate.After(last) && e.LeaveDate.IsZero() {
			due = append(due, e)
		}
	}
	if err := r.load(ctx, due); err != nil {
		return nil, err
	}
	var out []notify.Reminder
	for _, e := range due {
		to, err := r.of(ctx, e, PermLifecycle, true)
		if err != nil {
			return nil, err
		}
		if len(to) == 0 {
			continue
		}
		// Keyed by the end date: an extended probation is a new occasion.
		out = append(out, notify.Reminder{Key: fmt.Sprintf("employee.probation-end:%d:%s", e.ID, e.ProbationEndDate), Recipients: to,
			Template: TemplateProbationEnding, Params: params(e, map[string]any{"endDate": e.ProbationEndDate.String(), "days": e.ProbationEndDate.DaysSince(day)}),
			Link: link(e), ObjectType: ObjectEmployee, ObjectID: e.ID.String()})
	}
	return out, nil
}

// onDay finds the employees whose anniversary of a date (birth, hire) is
// day; 29 February counts on 28 February in other years.
func (s *Service) onDay(ctx context.Context, day civil.Date, date func(*Employee) civil.Date) ([]*Employee, error) {
	emps, err := s.active(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Employee
	for _, e := range emps {
		d := date(e)
		if !d.IsZero() && d.Year < day.Year && d.AddYears(day.Year-d.Year) == day {
			out = append(out, e)
		}
	}
	return out, nil
}

func (s *Service) birthdayReminders(ctx context.Context, r *recipients, day civil.Date) ([]notify.Reminder, error) {
	due, err := s.onDay(ctx, day, func(e *Employee) civil.Date { return e.BirthDate })
	if err != nil {
		return nil, err
	}
	return s.managerReminders(ctx, r, due, func(e *Employee) notify.Reminder {
		return notify.Reminder{Key: fmt.Sprintf("employee.birthday:%d:%d", e.ID, day.Year), Template: TemplateBirthday,
			Params: params(e, nil), Link: link(e), ObjectType: ObjectEmployee, ObjectID: e.ID.String()}
	})
}

func (s *Service) anniversaryReminders(ctx context.Context, r *recipients, day civil.Date) ([]notify.Reminder, error) {
	due, err := s.onDay(ctx, day, func(e *Employee) civil.Date { return e.HireDate })
	if err != nil {
		return nil, err
	}
	return s.managerReminders(ctx, r, due, func(e *Employee) notify.Reminder {
		return notify.Reminder{Key: fmt.Sprintf("employee.work-anniversary:%d:%d", e.ID, day.Year), Template: TemplateWorkAnniversary,
			Params: params(e, map[string]any{"years": day.Year - e.HireDate.Year}), Link: link(e), ObjectType: ObjectEmployee, ObjectID: e.ID.String()}
	})
}

func (s *Service) managerReminders(ctx context.Context, r *recipients, due []*Employee, mk func(*Employee) notify.Reminder) ([]notify.Reminder, error) {
	if err := r.load(ctx, due); err != nil {
		return nil, err
	}
	var out []notify.Reminder
	for _, e := range due {
		to, err := r.of(ctx, e, "", true)
		if err != nil {
			return nil, err
		}
		if len(to) == 0 {
			continue
		}
		rem := mk(e)
		rem.Recipients = to
		out = append(out, rem)
	}
	return out, nil
}
