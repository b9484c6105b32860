package employee_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/approval/approvaltest"
	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/employee/employeetest"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// directory answers the approval engine from the employee service and
// the test organisation, as internal/app does from the real services.
type directory struct {
	c      *company
	mu     sync.Mutex
	userOf map[ids.ID]ids.ID // employee -> account
	empOf  map[ids.ID]ids.ID
	users  map[ids.ID]approval.User
	holder map[string][]ids.ID // role -> tenant-wide holders
}

func (d *directory) Person(ctx context.Context, id ids.ID) (*approval.Person, error) {
	m, err := d.c.Svc.Reporting(ctx, []ids.ID{id})
	if err != nil {
		return nil, err
	}
	r, ok := m[id]
	if !ok {
		return nil, errs.NotFoundf("object.employee")
	}
	return &approval.Person{EmployeeID: r.ID, Name: r.Name, DepartmentID: r.DepartmentID, ManagerID: r.ManagerID, Active: r.Active}, nil
}

func (d *directory) Department(ctx context.Context, id ids.ID) (*approval.Department, error) {
	x, err := d.c.Org.Department(ctx, id, d.c.Today())
	if err != nil {
		return nil, err
	}
	return &approval.Department{ID: x.ID, Name: x.Name, ParentID: x.ParentID, HeadEmployeeID: x.HeadEmployeeID, Active: x.Active}, nil
}

func (d *directory) Subtree(ctx context.Context, roots []ids.ID) ([]ids.ID, error) {
	return d.c.Org.SubtreeOn(ctx, roots, d.c.Today())
}

func (d *directory) UserOfEmployee(_ context.Context, id ids.ID) (ids.ID, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.userOf[id], nil
}

func (d *directory) EmployeeOfUser(_ context.Context, id ids.ID) (ids.ID, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.empOf[id], nil
}

func (d *directory) Users(_ context.Context, list []ids.ID) (map[ids.ID]approval.User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[ids.ID]approval.User{}
	for _, id := range list {
		if u, ok := d.users[id]; ok {
			out[id] = u
		}
	}
	return out, nil
}

func (d *directory) RoleHolders(_ context.Context, role string, _ ids.ID) ([]ids.ID, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.holder[role]), nil
}

func (d *directory) RoleExists(_ context.Context, role string) (bool, error) {
	return rbac.IsBuiltin(role), nil
}

// requests is a company with the approval engine in use: a boss heads
// 技术部, a manager 后端组 (reporting to the boss), a worker reports to
// the manager; sales has its own head; hr is the HR admin.
type requests struct {
	*company
	engine                     *approval.Service
	notes                      *approvaltest.Recorder
	dir                        *directory
	boss, manager, worker, vp  person
	hr                         person
	workerCtx, managerCtx, hrC context.Context
}

type person struct {
	employee, user ids.ID
	role           string
}

func newRequests(t *testing.T) *requests {
	c := newCompany(t)
	r := &requests{company: c, dir: &directory{c: c, userOf: map[ids.ID]ids.ID{}, empOf: map[ids.ID]ids.ID{},
		users: map[ids.ID]approval.User{}, holder: map[string][]ids.ID{}}}
	r.engine, r.notes = approvaltest.Engine(c.DB, c.Audit, r.dir, func() time.Time { return c.Clock })
	c.Svc.UseApprovals(r.engine)
	hire := func(name string, dept, manager ids.ID, role string) person {
		d := c.hire(t, name, dept, day("2025-01-06"), func(n *employee.NewEmployee) { n.ManagerID = manager })
		u := c.User(c.TenantID, name)
		r.dir.userOf[d.ID], r.dir.empOf[u] = u, d.ID
		r.dir.users[u] = approval.User{ID: u, Name: name, Active: true}
		return person{employee: d.ID, user: u, role: role}
	}
	r.boss = hire("老板", c.tech, 0, rbac.DeptManager)
	r.manager = hire("经理", c.backend, r.boss.employee, rbac.DeptManager)
	r.worker = hire("员工", c.backend, r.manager.employee, rbac.Employee)
	r.vp = hire("销售总监", c.sales, 0, rbac.DeptManager)
	c.Org.SetHead(c.tech, r.boss.employee)
	c.Org.SetHead(c.backend, r.manager.employee)
	c.Org.SetHead(c.sales, r.vp.employee)
	r.hr = person{user: c.User(c.TenantID, "hr"), role: rbac.HRAdmin}
	r.dir.users[r.hr.user] = approval.User{ID: r.hr.user, Name: "hr", Active: true}
	r.dir.holder[rbac.HRAdmin] = []ids.ID{r.hr.user}
	r.workerCtx, r.managerCtx, r.hrC = r.as(r.worker), r.as(r.manager), r.as(r.hr)
	return r
}

func (r *requests) as(p person) context.Context {
	dept := ids.ID(0)
	if p.employee != 0 {
		d, _ := r.Svc.DepartmentOf(r.System(), r.TenantID, p.employee)
		dept = d
	}
	return r.As(employeetest.Caller{Role: p.role, UserID: p.user, EmployeeID: p.employee, DepartmentID: dept})
}

func (r *requests) pending(t *testing.T, id ids.ID) []ids.ID {
	t.Helper()
	d, err := r.engine.Instance(r.System(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []ids.ID
	for _, tk := range d.Tasks {
		if tk.State == approval.TaskPending {
			out = append(out, tk.ApproverUserID)
		}
	}
	return out
}

func TestBankChangeThroughApprovals(t *testing.T) {
	r := newRequests(t)
	before, err := r.Svc.Get(r.Admin(), r.worker.employee, day("2026-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	// POST /me/bank-requests is now "submit an approval".
	b, err := r.Svc.RequestBankChange(r.workerCtx, employee.BankRequestInput{BankName: "建设银行", BankAccount: "6217 0012 3456 7890"})
	if err != nil || b.Status != employee.RequestPending || b.BankAccount != "6217 **** **** 7890" {
		t.Fatalf("request: %+v %v", b, err)
	}
	in, err := r.engine.InstanceForObject(r.System(), employee.TypeBankAccount, b.ID.String())
	if err != nil || in.Fields["bankAccount"] != "6217 **** **** 7890" || in.Title != "员工" {
		t.Fatalf("instance: %+v %v", in, err)
	}
	if _, err := r.Svc.RequestBankChange(r.workerCtx, employee.BankRequestInput{BankName: "工商银行", BankAccount: "6222000011112222"}); !errs.Is(err, errs.Conflict, "employee.bank_request_open") {
		t.Fatalf("second open request: %v", err)
	}
	if got := r.pending(t, in.ID); !slices.Equal(got, []ids.ID{r.hr.user}) {
		t.Fatalf("HR should decide: %v", got)
	}
	// Rejected: nothing changes on the record.
	if _, err := r.engine.Reject(r.hrC, in.ID, approval.Act{Comment: "账号与户名不符"}); err != nil {
		t.Fatal(err)
	}
	after, _ := r.Svc.Get(r.Admin(), r.worker.employee, day("2026-06-15"))
	if after.Version != before.Version {
		t.Fatal("a rejected request changed the record")
	}
	list, _ := r.Svc.MyBankRequests(r.workerCtx)
	if len(list) != 1 || list[0].Status != employee.RequestRejected || list[0].Comment != "账号与户名不符" {
		t.Fatalf("rejected request: %+v", list)
	}
	// Resubmitted unchanged (the masked number stands for the same
	// account), then approved: the account is sealed into the record.
	in2, err := r.engine.Resubmit(r.workerCtx, in.ID, approval.Resubmission{Fields: map[string]any{"bankName": "建设银行上海分行", "bankAccount": "6217 **** **** 7890"}})
	if err != nil || in2.State != approval.StateRunning || in2.ObjectID == b.ID.String() {
		t.Fatalf("resubmit: %+v %v", in2, err)
	}
	// HR decides through the older review endpoint: it acts on the approval.
	got, err := r.Svc.ReviewBankRequest(r.hrC, mustID(t, in2.ObjectID), true, "好")
	if err != nil || got.Status != employee.RequestApproved {
		t.Fatalf("review: %+v %v", got, err)
	}
	d, err := r.engine.Instance(r.workerCtx, in.ID)
	if err != nil || d.State != approval.StateApproved {
		t.Fatalf("instance after review: %v %v", d, err)
	}
	s, err := r.Svc.Sensitive(r.Admin(), r.worker.employee)
	if err != nil || s.BankAccount != "6217001234567890" {
		t.Fatalf("account applied: %+v %v", s, err)
	}
	if n := len(r.notes.Sent(approval.TemplateApproved, r.worker.user)); n != 1 {
		t.Fatalf("applicant told %d times", n)
	}
	// Withdrawn: the request is closed as withdrawn.
	b3, err := r.Svc.RequestBankChange(r.workerCtx, employee.BankRequestInput{BankName: "招商银行", BankAccount: "6225880112345678"})
	if err != nil {
		t.Fatal(err)
	}
	in3, _ := r.engine.InstanceForObject(r.System(), employee.TypeBankAccount, b3.ID.String())
	if _, err := r.engine.Withdraw(r.workerCtx, in3.ID, approval.Act{}); err != nil {
		t.Fatal(err)
	}
	if list, _, _ := r.Svc.BankRequests(r.hrC, employee.BankRequestFilter{Status: employee.RequestWithdrawn}); len(list) != 1 || list[0].ID != b3.ID {
		t.Fatalf("withdrawn: %+v", list)
	}
	// Someone who is not the current approver cannot decide via the old route.
	b4, _ := r.Svc.RequestBankChange(r.workerCtx, employee.BankRequestInput{BankName: "招商银行", BankAccount: "6225880112345678"})
	admin2 := r.As(employeetest.Caller{Role: rbac.HRAdmin})
	if _, err := r.Svc.ReviewBankRequest(admin2, b4.ID, true, ""); errs.KindOf(err) != errs.NotFound && errs.KindOf(err) != errs.Forbidden {
		t.Fatalf("another HR admin decides: %v", err)
	}
}

func mustID(t *testing.T, s string) ids.ID {
	id, err := ids.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestTransferThroughApprovals(t *testing.T) {
	r := newRequests(t)
	fields := map[string]any{"employeeId": r.worker.employee.String(), "departmentId": r.sales.String(), "effectiveDate": "2026-07-01", "note": "支援销售"}
	// Someone outside the worker's management cannot ask.
	if _, err := r.engine.Submit(r.as(r.vp), approval.Submission{Type: employee.TypeTransfer, Fields: fields}); err == nil {
		t.Fatal("a stranger's transfer request was accepted")
	}
	bad := map[string]any{"employeeId": r.worker.employee.String(), "departmentId": r.sales.String(), "effectiveDate": "2026-06-01"}
	if _, err := r.engine.Submit(r.managerCtx, approval.Submission{Type: employee.TypeTransfer, Fields: bad}); !slices.Contains(fieldCodes(err), "effectiveDate:employee.effective_date_past") {
		t.Fatalf("past date: %v", err)
	}
	d, err := r.engine.Submit(r.managerCtx, approval.Submission{Type: employee.TypeTransfer, Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	// manager → (his own node skipped) HR → the receiving head.
	if got := r.pending(t, d.ID); !slices.Equal(got, []ids.ID{r.hr.user}) || d.NodeName != "人事" {
		t.Fatalf("first approver: %v %s", got, d.NodeName)
	}
	if _, err := r.engine.Approve(r.hrC, d.ID, approval.Act{}); err != nil {
		t.Fatal(err)
	}
	if got := r.pending(t, d.ID); !slices.Equal(got, []ids.ID{r.vp.user}) {
		t.Fatalf("receiving head: %v", got)
	}
	h, _ := r.Svc.History(r.Admin(), r.worker.employee)
	rows := len(h)
	d, err = r.engine.Approve(r.as(r.vp), d.ID, approval.Act{Comment: "欢迎"})
	if err != nil || d.State != approval.StateApproved {
		t.Fatalf("approve: %v %v", d, err)
	}
	// The transfer is scheduled on the requested date, in the same commit.
	h, _ = r.Svc.History(r.Admin(), r.worker.employee)
	last := h[0] // newest first
	if len(h) != rows+1 || last.ValidFrom != day("2026-07-01") || last.DepartmentID != r.sales || last.When != "future" {
		t.Fatalf("history: %+v", last)
	}
	// A promotion request for the same person on a date before the
	// scheduled change is refused at submission.
	p := map[string]any{"employeeId": r.worker.employee.String(), "gradeId": r.grade2.String(), "effectiveDate": "2026-06-20"}
	if _, err := r.engine.Submit(r.managerCtx, approval.Submission{Type: employee.TypePromotion, Fields: p}); !errs.Is(err, errs.Conflict, "employee.conflicting_change") {
		t.Fatalf("conflict: %v", err)
	}
	// A rejected promotion changes nothing.
	p["effectiveDate"] = "2026-08-01"
	d, err = r.engine.Submit(r.managerCtx, approval.Submission{Type: employee.TypePromotion, Fields: p})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.engine.Reject(r.hrC, d.ID, approval.Act{Comment: "明年再议"}); err != nil {
		t.Fatal(err)
	}
	if h2, _ := r.Svc.History(r.Admin(), r.worker.employee); len(h2) != len(h) {
		t.Fatal("a rejected promotion changed the history")
	}
}

func TestResignationThroughApprovals(t *testing.T) {
	r := newRequests(t)
	d, err := r.engine.Submit(r.workerCtx, approval.Submission{Type: employee.TypeResignation, Fields: map[string]any{"leaveDate": "2026-07-15", "reason": "个人发展"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.pending(t, d.ID); !slices.Equal(got, []ids.ID{r.manager.user}) {
		t.Fatalf("manager first: %v", got)
	}
	if _, err := r.engine.Approve(r.managerCtx, d.ID, approval.Act{}); err != nil {
		t.Fatal(err)
	}
	// Meanwhile HR schedules a change after the leave date: the
	// resignation can no longer be recorded, and approving it fails as a
	// whole (nothing half-written).
	sales := r.sales
	if _, err := r.Svc.Transfer(r.Admin(), r.worker.employee, employee.Transfer{EffectiveDate: day("2026-08-01"), DepartmentID: &sales}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.engine.Approve(r.hrC, d.ID, approval.Act{}); !errs.Is(err, errs.Conflict, "employee.conflicting_change") {
		t.Fatalf("approve with a conflicting change: %v", err)
	}
	if got := r.pending(t, d.ID); !slices.Equal(got, []ids.ID{r.hr.user}) {
		t.Fatalf("the approval must not have moved: %v", got)
	}
	h, _ := r.Svc.History(r.Admin(), r.worker.employee)
	if _, err := r.Svc.CancelChange(r.Admin(), r.worker.employee, h[0].ID); err != nil {
		t.Fatal(err)
	}
	d, err = r.engine.Approve(r.hrC, d.ID, approval.Act{})
	if err != nil || d.State != approval.StateApproved {
		t.Fatalf("approve: %v %v", d, err)
	}
	got, _ := r.Svc.Get(r.Admin(), r.worker.employee, day("2026-06-15"))
	if got.Job.Status != employee.StatusResigning || got.Job.LeaveDate != day("2026-07-15") {
		t.Fatalf("resignation not recorded: %+v", got.Job)
	}
	left, _ := r.Svc.Get(r.Admin(), r.worker.employee, day("2026-07-16"))
	if left.Job.Status != employee.StatusLeft {
		t.Fatalf("after the leave date: %s", left.Job.Status)
	}
	// Only the employee himself resigns, and only once.
	if _, err := r.engine.Submit(r.workerCtx, approval.Submission{Type: employee.TypeResignation, Fields: map[string]any{"leaveDate": "2026-07-20"}}); !errs.Is(err, errs.Conflict, "employee.wrong_status") {
		t.Fatalf("second resignation: %v", err)
	}
	hrOnly := r.As(employeetest.Caller{Role: rbac.HRAdmin})
	if _, err := r.engine.Submit(hrOnly, approval.Submission{Type: employee.TypeResignation, Fields: map[string]any{"leaveDate": "2026-07-20"}}); !errs.Is(err, errs.NotFound, "employee.no_record") {
		t.Fatalf("an account without a record resigns: %v", err)
	}
}
