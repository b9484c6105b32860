package employee_test

import (
	"slices"
	"testing"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
)

func day(s string) civil.Date { return civil.MustParse(s) }

func TestLifecycleAsOfPastAndFutureChanges(t *testing.T) {
	c := newCompany(t)
	ctx := c.Admin()
	c.SetToday(day("2026-03-10"))
	e := c.hire(t, "周一", c.backend, day("2026-01-05"), func(n *employee.NewEmployee) {
		n.ProbationMonths = 3
		n.Contract = &employee.NewContract{Kind: employee.FixedTerm, EndDate: day("2029-01-04")}
	})
	if e.Job.Status != employee.StatusProbation || e.Job.ProbationEndDate != day("2026-04-04") {
		t.Fatalf("hire: %+v", e.Job)
	}
	// Regularise on the day after probation, scheduled (in the future).
	d, err := c.Svc.Regularise(ctx, e.ID, employee.Regularise{EffectiveDate: day("2026-04-05")})
	if err != nil || d.Job.Status != employee.StatusProbation || d.Job.NextChangeOn != day("2026-04-05") {
		t.Fatalf("scheduled regularise: %+v %v", d, err)
	}
	// Anything dated on or before the scheduled change is refused.
	dept := c.sales
	_, err = c.Svc.Transfer(ctx, e.ID, employee.Transfer{EffectiveDate: day("2026-04-01"), DepartmentID: &dept})
	if !errs.Is(err, errs.Conflict, "employee.conflicting_change") || !slices.Contains(fieldCodes(err), "effectiveDate:employee.conflicting_change") {
		t.Fatalf("conflict: %v", err)
	}
	// A transfer after it is scheduled too.
	if _, err := c.Svc.Transfer(ctx, e.ID, employee.Transfer{EffectiveDate: day("2026-05-01"), DepartmentID: &dept, Note: "支援销售"}); err != nil {
		t.Fatal(err)
	}
	asOf := func(on string) employee.JobView {
		t.Helper()
		d, err := c.Svc.Get(ctx, e.ID, day(on))
		if err != nil {
			t.Fatal(err)
		}
		return d.Job
	}
	for _, tc := range []struct{ on, status, dept string }{
		{"2026-01-04", "", ""}, // before the hire: no job
		{"2026-01-05", employee.StatusProbation, "后端组"},
		{"2026-04-04", employee.StatusProbation, "后端组"},
		{"2026-04-05", employee.StatusRegular, "后端组"},
		{"2026-04-30", employee.StatusRegular, "后端组"},
		{"2026-05-01", employee.StatusRegular, "销售部"},
		{"2030-01-01", employee.StatusRegular, "销售部"},
	} {
		if j := asOf(tc.on); j.Status != tc.status || j.DepartmentName != tc.dept {
			t.Errorf("as of %s: %s %s, want %s %s", tc.on, j.Status, j.DepartmentName, tc.status, tc.dept)
		}
	}
	// Lists as of a day filter on that day's department.
	list := func(on civil.Date, deptID ids.ID) []string {
		t.Helper()
		p, err := c.Svc.List(ctx, employee.Filter{On: on, DepartmentIDs: []ids.ID{deptID}, IncludeSub: true})
		if err != nil {
			t.Fatal(err)
		}
		return names(p)
	}
	if got := list(civil.Date{}, c.tech); !slices.Equal(got, []string{"周一"}) {
		t.Fatalf("today in tech: %v", got)
	}
	if got := list(day("2026-06-01"), c.sales); !slices.Equal(got, []string{"周一"}) {
		t.Fatalf("June in sales: %v", got)
	}
	if got := list(day("2026-06-01"), c.tech); len(got) != 0 {
		t.Fatalf("June in tech: %v", got)
	}
	// Time passes: the scheduled changes take effect without a write.
	c.SetToday(day("2026-05-02"))
	d, err = c.Svc.Get(ctx, e.ID, civil.Date{})
	if err != nil || d.Job.Status != employee.StatusRegular || d.Job.DepartmentName != "销售部" || d.Job.RegularisationDate != day("2026-04-05") {
		t.Fatalf("after: %+v %v", d.Job, err)
	}
	if got := list(civil.Date{}, c.sales); !slices.Equal(got, []string{"周一"}) {
		t.Fatalf("today in sales: %v", got)
	}
	h, err := c.Svc.History(ctx, e.ID)
	if err != nil || len(h) != 3 || h[0].Reason != employee.ReasonTransfer || h[0].When != "current" || h[2].Reason != employee.ReasonHire || h[2].When != "past" {
		t.Fatalf("history: %+v %v", h, err)
	}
	// Resign with a leave date in the future: resigning now, left after.
	d, err = c.Svc.Resign(ctx, e.ID, employee.Leave{LeaveDate: day("2026-06-30"), Reason: "个人发展"})
	if err != nil || d.Job.Status != employee.StatusResigning || d.Job.NextChangeOn != day("2026-07-01") {
		t.Fatalf("resign: %+v %v", d, err)
	}
	if j := asOf("2026-07-01"); j.Status != employee.StatusLeft || j.LeaveDate != day("2026-06-30") || j.LeaveReason != "个人发展" {
		t.Fatalf("left: %+v", j)
	}
	// Withdrawn the next day: the leave is cancelled and the status restored.
	c.SetToday(day("2026-05-03"))
	h, _ = c.Svc.History(ctx, e.ID)
	if !h[0].Cancellable || h[0].Status != employee.StatusLeft {
		t.Fatalf("left row cancellable: %+v", h[0])
	}
	d, err = c.Svc.CancelChange(ctx, e.ID, h[0].ID)
	if err != nil || d.Job.Status != employee.StatusRegular || !d.Job.NextChangeOn.IsZero() {
		t.Fatalf("withdraw: %+v %v", d, err)
	}
	h, _ = c.Svc.History(ctx, e.ID)
	if h[0].Reason != employee.ReasonWithdrawResignation || h[1].Status != employee.StatusResigning || h[1].ValidTo != day("2026-05-03") {
		t.Fatalf("after withdrawal: %+v", h[:2])
	}
	// Past rows cannot be cancelled.
	if _, err := c.Svc.CancelChange(ctx, e.ID, h[1].ID); !errs.Is(err, errs.Conflict, "employee.not_scheduled") {
		t.Fatalf("cancel past: %v", err)
	}
	// Terminate, then rehire: a new period without probation.
	if _, err := c.Svc.Terminate(ctx, e.ID, employee.Leave{LeaveDate: day("2026-05-10"), Reason: "协商一致"}); err != nil {
		t.Fatal(err)
	}
	c.SetToday(day("2026-08-01"))
	_, err = c.Svc.Rehire(ctx, e.ID, employee.Rehire{HireDate: day("2026-08-03"), DepartmentID: c.backend, ProbationMonths: 1})
	if !slices.Contains(fieldCodes(err), "probationMonths:employee.probation_once") {
		t.Fatalf("rehire probation: %v", err)
	}
	d, err = c.Svc.Rehire(ctx, e.ID, employee.Rehire{HireDate: day("2026-08-03"), DepartmentID: c.backend})
	if err != nil || d.Job.Status != employee.StatusLeft || d.Job.NextChangeOn != day("2026-08-03") {
		t.Fatalf("rehire: %+v %v", d, err)
	}
	if j := asOf("2026-08-03"); j.Status != employee.StatusRegular || j.Period != 2 || j.DepartmentName != "后端组" {
		t.Fatalf("rehired: %+v", j)
	}
}

func TestLifecycleBadInput(t *testing.T) {
	c := newCompany(t)
	ctx := c.Admin()
	c.SetToday(day("2026-03-10"))
	boss := c.hire(t, "钱老板", c.hq, day("2020-01-01"))
	mid := c.hire(t, "孙经理", c.tech, day("2021-01-01"), func(n *employee.NewEmployee) { n.ManagerID = boss.ID })
	dev := c.hire(t, "李开发", c.backend, day("2022-01-01"), func(n *employee.NewEmployee) { n.ManagerID = mid.ID })

	// Manager loops: boss reporting to dev (dev → mid → boss).
	_, err := c.Svc.Transfer(ctx, boss.ID, employee.Transfer{ManagerID: &dev.ID, Reason: employee.ReasonChangeManager})
	if !slices.Contains(fieldCodes(err), "managerId:employee.manager_loop") {
		t.Fatalf("loop: %v", err)
	}
	// ... also through a change already scheduled: mid will report to dev.
	_, err = c.Svc.Transfer(ctx, mid.ID, employee.Transfer{ManagerID: &dev.ID, Reason: employee.ReasonChangeManager})
	if !slices.Contains(fieldCodes(err), "managerId:employee.manager_loop") {
		t.Fatalf("direct loop: %v", err)
	}
	other := c.hire(t, "吴同事", c.backend, day("2022-01-01"))
	if _, err := c.Svc.Transfer(ctx, other.ID, employee.Transfer{EffectiveDate: day("2026-04-01"), ManagerID: &dev.ID, Reason: employee.ReasonChangeManager}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Svc.Transfer(ctx, dev.ID, employee.Transfer{ManagerID: &other.ID, Reason: employee.ReasonChangeManager})
	if !slices.Contains(fieldCodes(err), "managerId:employee.manager_loop") {
		t.Fatalf("loop via scheduled change: %v", err)
	}
	// Self as manager.
	_, err = c.Svc.Transfer(ctx, dev.ID, employee.Transfer{ManagerID: &dev.ID})
	if !slices.Contains(fieldCodes(err), "managerId:employee.manager_self") {
		t.Fatalf("self manager: %v", err)
	}
	// Transfer into a department inactive on the effective date.
	c.Org.Deactivate(c.sales, day("2026-04-01"))
	sales := c.sales
	_, err = c.Svc.Transfer(ctx, dev.ID, employee.Transfer{EffectiveDate: day("2026-04-15"), DepartmentID: &sales})
	if !slices.Contains(fieldCodes(err), "departmentId:employee.department_inactive") {
		t.Fatalf("inactive department: %v", err)
	}
	if _, err := c.Svc.Transfer(ctx, dev.ID, employee.Transfer{EffectiveDate: day("2026-03-20"), DepartmentID: &sales}); err != nil {
		t.Fatalf("before deactivation: %v", err)
	}
	// Leave date before the hire date.
	_, err = c.Svc.Terminate(ctx, other.ID, employee.Leave{LeaveDate: day("2021-12-31")})
	if !slices.Contains(fieldCodes(err), "leaveDate:employee.leave_before_hire") {
		t.Fatalf("leave before hire: %v", err)
	}
	// Regularising someone already regular.
	if _, err := c.Svc.Regularise(ctx, boss.ID, employee.Regularise{}); !errs.Is(err, errs.Conflict, "employee.wrong_status") {
		t.Fatalf("regularise regular: %v", err)
	}
	// Nothing partially written: the failed actions left no rows.
	h, _ := c.Svc.History(ctx, boss.ID)
	if len(h) != 1 {
		t.Fatalf("boss history: %+v", h)
	}
	// Probation beyond the legal limit for the contract term: a one-year
	// contract allows two months.
	_, err = c.Svc.Create(ctx, employee.NewEmployee{Profile: employee.Profile{Name: "郑试用", IDNumber: people.Person(99).IDNumber, Mobile: "13800000099"},
		DepartmentID: c.tech, HireDate: day("2026-03-01"), ProbationMonths: 3,
		Contract: &employee.NewContract{Kind: employee.FixedTerm, EndDate: day("2027-02-28")}})
	if !slices.Contains(fieldCodes(err), "probationMonths:employee.probation_too_long") {
		t.Fatalf("probation limit: %v", err)
	}
	pr := c.hire(t, "郑试用", c.tech, day("2026-03-01"), func(n *employee.NewEmployee) {
		n.ProbationMonths = 2
		n.Contract = &employee.NewContract{Kind: employee.FixedTerm, EndDate: day("2027-02-28")}
	})
	_, err = c.Svc.ExtendProbation(ctx, pr.ID, employee.ExtendProbation{Months: 1})
	if !slices.Contains(fieldCodes(err), "months:employee.probation_too_long") {
		t.Fatalf("extend beyond limit: %v", err)
	}
}

func TestFutureHireCanBeAmendedOnItsStartDay(t *testing.T) {
	c := newCompany(t)
	ctx := c.Admin()
	c.SetToday(day("2026-03-10"))
	e := c.hire(t, "新同学", c.tech, day("2026-04-01"))
	if e.Job.Status != employee.StatusPending || e.Job.DepartmentName != "技术部" {
		t.Fatalf("pending: %+v", e.Job)
	}
	sales := c.sales
	d, err := c.Svc.Transfer(ctx, e.ID, employee.Transfer{EffectiveDate: day("2026-04-01"), DepartmentID: &sales})
	if err != nil || d.Job.DepartmentName != "销售部" || d.Job.Status != employee.StatusPending {
		t.Fatalf("amend: %+v %v", d, err)
	}
	h, _ := c.Svc.History(ctx, e.ID)
	if len(h) != 1 || h[0].Reason != employee.ReasonHire || h[0].Cancellable {
		t.Fatalf("history: %+v", h)
	}
	if _, err := c.Svc.CancelChange(ctx, e.ID, h[0].ID); !errs.Is(err, errs.Conflict, "employee.cannot_cancel_hire") {
		t.Fatalf("cancel hire: %v", err)
	}
	n, err := c.Svc.Staffed(ctx, []ids.ID{c.sales}, day("2026-04-01"))
	if err != nil || n[c.sales] != 1 {
		t.Fatalf("staffed: %v %v", n, err)
	}
	if n, _ := c.Svc.Staffed(ctx, []ids.ID{c.sales}, day("2026-03-31")); n[c.sales] != 0 {
		t.Fatalf("staffed before: %v", n)
	}
}
