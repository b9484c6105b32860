package app

import (
	"context"
	"fmt"
	"time"

	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/demo"
	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/platform/auth"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/tenant"
)

// DemoTenant is the code of the demo company.
const DemoTenant = "demo"

// SeedOptions say what SeedDemo builds.
type SeedOptions struct {
	// Tenant to fill; empty creates the demo tenant (with its admin).
	Tenant string
	// Employees to generate with the organisation around them; 0 for
	// accounts only.
	Employees int
}

// DemoResult tells what SeedDemo did.
type DemoResult struct {
	Created   bool // the demo tenant and its admin were created
	Tenant    string
	Login     string
	Password  string // set only when created: printed once, stored only hashed
	Employees int    // employees generated
	Took      time.Duration
}

type demoUser struct {
	login, name, email, mobile, role string
	dept                             string // department code of the employee the account belongs to
	head                             bool   // the department's head, or one of its staff
}

// One account per built-in role, so every menu and permission can be
// tried at once. With employees, each account belongs to a person.
var demoUsers = []demoUser{
	{"hr.admin", "王芳", "wangfang@demo.renshi.dev", "13800000001", rbac.HRAdmin, "HR", true},
	{"hr.li", "李娜", "lina@demo.renshi.dev", "13800000002", rbac.HRSpecialist, "HR", false},
	{"sales.zhang", "张伟", "zhangwei@demo.renshi.dev", "13800000003", rbac.DeptManager, "SALES-E", true},
	{"mkt.chen", "陈静", "chenjing@demo.renshi.dev", "13800000004", rbac.ContentOwner, "MKT", true},
	{"fin.liu", "刘洋", "liuyang@demo.renshi.dev", "13800000005", rbac.Finance, "FIN", true},
	{"zhao.lei", "赵磊", "zhaolei@demo.renshi.dev", "13800000006", rbac.Employee, "TECH-BE", false},
}

// SeedDemo builds the demo company: the demo tenant with an administrator
// "admin" (password generated and returned once) unless a tenant is named,
// and with Employees > 0 an organisation (legal entities, locations,
// grades, positions, about one department per 50 people) and that many
// employees with histories and contracts. A tenant that already has
// departments is left alone.
func (a *App) SeedDemo(ctx context.Context, opt SeedOptions) (*DemoResult, error) {
	start := time.Now()
	code := opt.Tenant
	res := &DemoResult{Tenant: DemoTenant, Login: "admin"}
	if code == "" {
		code = DemoTenant
		if _, err := a.Tenants.ByCode(ctx, code); errs.KindOf(err) == errs.NotFound {
			res.Created, res.Password = true, auth.GeneratePassword()
		} else if err != nil {
			return nil, err
		}
	}
	res.Tenant = code
	err := a.DB.WithTx(ctx, func(ctx context.Context) error {
		var t *tenant.Tenant
		var err error
		if res.Created {
			if t, err = a.Tenants.Create(ctx, tenant.New{Code: code, Name: "演示科技有限公司"}); err != nil {
				return err
			}
		} else if t, err = a.Tenants.ByCode(ctx, code); err != nil {
			return fmt.Errorf("tenant %q: %w", code, err)
		}
		ctx = rbac.WithPrincipal(ctx, rbac.SystemPrincipal(t.ID, "seed"))
		if res.Created {
			if _, err := a.createUser(ctx, auth.NewUser{Login: "admin", DisplayName: "系统管理员", Email: "admin@demo.renshi.dev", Password: res.Password}, rbac.SuperAdmin); err != nil {
				return err
			}
		}
		var st *demo.Structure
		if opt.Employees > 0 {
			if st, err = a.seedCompany(ctx, t, opt.Employees); err != nil {
				return err
			}
			if st != nil {
				res.Employees = opt.Employees
			}
		}
		if !res.Created {
			return nil
		}
		accounts, err := a.seedAccounts(ctx, st)
		if err != nil || st == nil {
			return err
		}
		if err := a.seedRequests(ctx, st, accounts, civil.Today(t.Location())); err != nil {
			return err
		}
		return a.seedTraining(ctx, st, accounts, civil.Today(t.Location()))
	})
	if err != nil {
		return nil, err
	}
	res.Took = time.Since(start)
	return res, nil
}

// seedCompany generates the organisation and the people; nil when the
// tenant already has departments.
func (a *App) seedCompany(ctx context.Context, t *tenant.Tenant, n int) (*demo.Structure, error) {
	if n < 20 {
		return nil, errs.InvalidField("employees", "min_value", errs.Params{"min": 20})
	}
	today := civil.Today(t.Location())
	if existing, err := a.Org.Tree(ctx, today); err != nil {
		return nil, err
	} else if len(existing) > 0 {
		return nil, nil
	}
	t0 := time.Now()
	st, err := demo.BuildStructure(ctx, a.Org, n, today.AddYears(-11))
	if err != nil {
		return nil, err
	}
	t1 := time.Now()
	rows := demo.Employees(st, n, today, uint64(t.ID))
	t2 := time.Now()
	if _, err := a.Employees.Import(ctx, rows); err != nil {
		return nil, fmt.Errorf("employees: %w", err)
	}
	a.Log.Info("demo company generated", "departments", len(st.Departments), "structure", time.Since(t0).Round(time.Millisecond)-time.Since(t1).Round(time.Millisecond),
		"people", t2.Sub(t1).Round(time.Millisecond), "import", time.Since(t2).Round(time.Millisecond))
	st.People = rows
	return st, nil
}

// seedAccounts creates one account per built-in role; with a company,
// each belongs to a person of the right department and carries his name.
// It returns the accounts by login.
func (a *App) seedAccounts(ctx context.Context, st *demo.Structure) (map[string]ids.ID, error) {
	out := map[string]ids.ID{}
	used := map[ids.ID]bool{}
	for _, u := range demoUsers {
		n := auth.NewUser{Login: u.login, DisplayName: u.name, Email: u.email, Mobile: u.mobile}
		if st != nil {
			if p := st.Person(u.dept, u.head, used); p != nil {
				used[p.ID] = true
				n.DisplayName, n.Email, n.Mobile, n.EmployeeID = p.Name, p.Email, p.Mobile, p.ID
			}
		}
		v, err := a.createUser(ctx, n, u.role)
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", u.login, err)
		}
		out[u.login] = v.ID
	}
	return out, nil
}

// seedRequests puts approvals in flight, so "my approvals" is not empty:
// 赵磊's bank-account change approved by HR (王芳), a second one waiting
// for her, and 张伟 asking to move one of his people to 市场部 (waiting
// for HR, then 陈静 who heads it).
func (a *App) seedRequests(ctx context.Context, st *demo.Structure, accounts map[string]ids.ID, today civil.Date) error {
	as := func(login string) (context.Context, error) {
		p, err := a.Auth.ActAs(ctx, accounts[login])
		if err != nil {
			return nil, fmt.Errorf("demo request as %s: %w", login, err)
		}
		return rbac.WithPrincipal(ctx, p), nil
	}
	emp, err := as("zhao.lei")
	if err != nil {
		return err
	}
	hr, err := as("hr.admin")
	if err != nil {
		return err
	}
	first, err := a.Approvals.Submit(emp, approval.Submission{Type: employee.TypeBankAccount,
		Fields: map[string]any{"bankName": "招商银行 北京分行", "bankAccount": "6225 8801 2345 6789"}})
	if err != nil {
		return fmt.Errorf("demo bank request: %w", err)
	}
	if _, err := a.Approvals.Approve(hr, first.ID, approval.Act{Comment: "已核对开户证明"}); err != nil {
		return fmt.Errorf("demo bank approval: %w", err)
	}
	if _, err := a.Approvals.Submit(emp, approval.Submission{Type: employee.TypeBankAccount,
		Fields: map[string]any{"bankName": "中国工商银行 上海分行", "bankAccount": "6222 0210 0112 3456 789"}}); err != nil {
		return fmt.Errorf("demo bank request: %w", err)
	}
	mgr, err := as("sales.zhang")
	if err != nil {
		return err
	}
	var target ids.ID
	for _, d := range st.Departments {
		if d.Code == "MKT" {
			target = d.ID
		}
	}
	who := st.Person("SALES-E", false, map[ids.ID]bool{})
	if who == nil || target == 0 {
		return nil // a company too small to have them
	}
	next := civil.Date{Year: today.Year, Month: today.Month, Day: 1}.AddMonths(1)
	if _, err := a.Approvals.Submit(mgr, approval.Submission{Type: employee.TypeTransfer, Fields: map[string]any{
		"employeeId": who.ID.String(), "departmentId": target.String(), "effectiveDate": next.String(),
		"note": "客户方案能力强，市场部需要"}}); err != nil {
		return fmt.Errorf("demo transfer request: %w", err)
	}
	return nil
}

// createUser creates an account holding one role at the role's default
// scope (CLI and demo).
func (a *App) createUser(ctx context.Context, n auth.NewUser, roleCode string) (*auth.UserView, error) {
	r, err := a.Roles.RoleByCode(ctx, roleCode)
	if err != nil {
		return nil, fmt.Errorf("role %q: %w", roleCode, err)
	}
	n.Grants = []rbac.GrantInput{{RoleID: r.ID}}
	u, _, err := a.Auth.CreateUser(ctx, n)
	return u, err
}

// CreateUser is the CLI's `user create`: an account in tenant code with
// one role.
func (a *App) CreateUser(ctx context.Context, tenantCode string, n auth.NewUser, roleCode string) (*auth.UserView, error) {
	t, err := a.Tenants.ByCode(ctx, tenantCode)
	if err != nil {
		return nil, fmt.Errorf("tenant %q: %w", tenantCode, err)
	}
	ctx = rbac.WithPrincipal(ctx, rbac.SystemPrincipal(t.ID, "cli"))
	var u *auth.UserView
	err = a.DB.WithTx(ctx, func(ctx context.Context) error {
		u, err = a.createUser(ctx, n, roleCode)
		return err
	})
	return u, err
}

// ResetPassword is the CLI's `user reset-password`.
func (a *App) ResetPassword(ctx context.Context, tenantCode, login string) (string, error) {
	t, err := a.Tenants.ByCode(ctx, tenantCode)
	if err != nil {
		return "", fmt.Errorf("tenant %q: %w", tenantCode, err)
	}
	ctx = rbac.WithPrincipal(ctx, rbac.SystemPrincipal(t.ID, "cli"))
	users, _, err := a.Auth.Users(ctx, auth.UserFilter{Query: login, Size: 200})
	if err != nil {
		return "", err
	}
	for _, u := range users {
		if u.Login == login {
			return a.Auth.ResetPassword(ctx, u.ID)
		}
	}
	return "", fmt.Errorf("no user %q in tenant %q", login, tenantCode)
}
