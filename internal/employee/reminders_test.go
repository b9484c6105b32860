package employee_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/employee/employeetest"
	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/notify/notifytest"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// reminderDir is the accounts side of reminders (the app's adapter reads
// the account and role services).
type reminderDir struct {
	mu       sync.Mutex
	holders  map[string][]employee.Holder
	accounts map[ids.ID]ids.ID
}

func (d *reminderDir) Holders(_ context.Context, _ ids.ID, perm string) ([]employee.Holder, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.holders[perm], nil
}

func (d *reminderDir) Accounts(_ context.Context, _ ids.ID, emps []ids.ID) (map[ids.ID]ids.ID, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[ids.ID]ids.ID{}
	for _, e := range emps {
		if u, ok := d.accounts[e]; ok {
			out[e] = u
		}
	}
	return out, nil
}

func TestRemindersOfContractsProbationAndBirthdays(t *testing.T) {
	c := newCompany(t) // today is 2026-06-15
	n := notifytest.NewOn(t, c.DB, c.Keys)
	hrAdmin, salesHR, boss := ids.New(), ids.New(), ids.New()
	dir := &reminderDir{accounts: map[ids.ID]ids.ID{}, holders: map[string][]employee.Holder{
		employee.PermContractEdit: {{UserID: hrAdmin, Scope: rbac.Scope{All: true}}, {UserID: salesHR, Scope: rbac.Scope{Departments: []ids.ID{c.sales}}}},
		employee.PermLifecycle:    {{UserID: hrAdmin, Scope: rbac.Scope{All: true}}},
	}}
	manager := c.hire(t, "王经理", c.tech, day("2020-03-01"))
	dir.accounts[manager.ID] = boss
	contract := func(end string) func(*employee.NewEmployee) {
		return func(e *employee.NewEmployee) {
			e.Contract = &employee.NewContract{Kind: employee.FixedTerm, EndDate: day(end)}
		}
	}
	// The manager's people are born in January (a random birthday could
	// fall on today and add a reminder); 陈五 below is born today.
	seq := 40
	withManager := func(e *employee.NewEmployee) {
		e.ManagerID = manager.ID
		seq++
		e.IDNumber = employeetest.IDNumber("310104", day("1991-01-10"), seq, true)
	}
	// Ends in 25 days: the 30-day reminder, to HR over the whole company
	// and the manager (sales HR does not cover backend).
	a := c.hire(t, "周一", c.backend, day("2024-07-11"), contract("2026-07-10"), withManager)
	// Ends in 5 days: the 7-day reminder, to both HR (no manager).
	b := c.hire(t, "吴二", c.sales, day("2024-06-21"), contract("2026-06-20"))
	// Ends in 60 days: nothing yet.
	c.hire(t, "郑三", c.sales, day("2024-08-15"), contract("2026-08-14"))
	// Probation ends 2026-06-19.
	p := c.hire(t, "冯四", c.backend, day("2026-03-20"), withManager, func(e *employee.NewEmployee) { e.ProbationMonths = 3 })
	if p.Job.ProbationEndDate != day("2026-06-19") {
		t.Fatalf("probation end: %s", p.Job.ProbationEndDate)
	}
	// Born on 15 June.
	c.hire(t, "陈五", c.tech, day("2023-06-15"), withManager, func(e *employee.NewEmployee) {
		e.IDNumber = employeetest.IDNumber("310104", day("1990-06-15"), 31, true)
	})
	for _, src := range c.Svc.ReminderSources(dir, employee.ReminderOptions{Birthdays: true, Anniversaries: true}) {
		n.Svc.RegisterReminder(src)
	}
	ctx := c.System()
	res, err := n.Svc.RunReminders(ctx, c.Today())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"employee.contracts": 2, "employee.probation": 1, "employee.birthdays": 1, "employee.anniversaries": 1}
	for k, v := range want {
		if res.BySource[k] != v {
			t.Errorf("%s: %d reminders, want %d (%v)", k, res.BySource[k], v, res.BySource)
		}
	}
	inbox := func(user ids.ID) []string {
		t.Helper()
		items, _, err := n.Svc.Inbox(n.As(user), notify.InboxFilter{Size: 50})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range items {
			out = append(out, it.Title)
		}
		slices.Sort(out)
		return out
	}
	if got := inbox(hrAdmin); !slices.Equal(got, []string{"劳动合同即将到期：吴二（" + b.EmployeeNo + "）", "劳动合同即将到期：周一（" + a.EmployeeNo + "）",
		"试用期即将结束：冯四（" + p.EmployeeNo + "）"}) {
		t.Errorf("HR admin: %v", got)
	}
	if got := inbox(salesHR); !slices.Equal(got, []string{"劳动合同即将到期：吴二（" + b.EmployeeNo + "）"}) {
		t.Errorf("sales HR: %v", got)
	}
	// The manager: a's contract, p's probation, 陈五's birthday and his
	// work anniversary (hired on 15 June 2023).
	got := inbox(boss)
	for _, w := range []string{"劳动合同即将到期：周一（" + a.EmployeeNo + "）", "试用期即将结束：冯四（" + p.EmployeeNo + "）",
		"今天是陈五的生日", "陈五入职 3 周年"} {
		if !slices.Contains(got, w) {
			t.Errorf("manager lacks %q: %v", w, got)
		}
	}
	items, _, _ := n.Svc.Inbox(n.As(hrAdmin), notify.InboxFilter{})
	for _, it := range items {
		if it.Title == "劳动合同即将到期：周一（"+a.EmployeeNo+"）" && (it.Body != "周一的劳动合同将于 2026-07-10 到期（还有 25 天），请及时办理续签或终止。" || it.Link != "/employees/"+a.ID.String()) {
			t.Errorf("contract reminder: %+v", it)
		}
	}
	// The same day again: nothing new. Five days later the 7-day reminder
	// of a's contract is a new occasion; the 30-day one is not repeated.
	if res, err := n.Svc.RunReminders(ctx, c.Today()); err != nil || res.Created != 0 {
		t.Fatalf("second run: %+v %v", res, err)
	}
	before := len(inbox(hrAdmin))
	c.SetToday(day("2026-07-05"))
	if _, err := n.Svc.RunReminders(ctx, day("2026-07-05")); err != nil {
		t.Fatal(err)
	}
	if got := inbox(hrAdmin); len(got) != before+1 {
		t.Fatalf("after the 7-day mark: %v", got)
	}
}

func TestOptionalRemindersAreOffByDefault(t *testing.T) {
	c := newCompany(t)
	srcs := c.Svc.ReminderSources(&reminderDir{}, employee.ReminderOptions{})
	var names []string
	for _, s := range srcs {
		names = append(names, s.Name())
	}
	if !slices.Equal(names, []string{"employee.contracts", "employee.probation"}) {
		t.Fatalf("sources: %v", names)
	}
}
