package app

import (
	"context"
	"fmt"

	"github.com/renshi/renshi/internal/platform/auth"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/tenant"
)

// DemoTenant is the code of the demo company.
const DemoTenant = "demo"

// DemoResult tells what SeedDemo did.
type DemoResult struct {
	Created  bool
	Tenant   string
	Login    string
	Password string // set only when created: printed once, stored only hashed
}

type demoUser struct {
	login, name, email, mobile, role string
}

// A small cast with one account per built-in role, so every menu and
// permission can be tried at once.
var demoUsers = []demoUser{
	{"hr.admin", "王芳", "wangfang@demo.renshi.dev", "13800000001", rbac.HRAdmin},
	{"hr.li", "李娜", "lina@demo.renshi.dev", "13800000002", rbac.HRSpecialist},
	{"sales.zhang", "张伟", "zhangwei@demo.renshi.dev", "13800000003", rbac.DeptManager},
	{"mkt.chen", "陈静", "chenjing@demo.renshi.dev", "13800000004", rbac.ContentOwner},
	{"fin.liu", "刘洋", "liuyang@demo.renshi.dev", "13800000005", rbac.Finance},
	{"zhao.lei", "赵磊", "zhaolei@demo.renshi.dev", "13800000006", rbac.Employee},
}

// SeedDemo creates the demo company with an administrator "admin" (and
// a few colleagues) unless it exists. The admin password is generated and
// returned once.
func (a *App) SeedDemo(ctx context.Context) (*DemoResult, error) {
	if _, err := a.Tenants.ByCode(ctx, DemoTenant); err == nil {
		return &DemoResult{Tenant: DemoTenant, Login: "admin"}, nil
	} else if errs.KindOf(err) != errs.NotFound {
		return nil, err
	}
	res := &DemoResult{Created: true, Tenant: DemoTenant, Login: "admin", Password: auth.GeneratePassword()}
	err := a.DB.WithTx(ctx, func(ctx context.Context) error {
		t, err := a.Tenants.Create(ctx, tenant.New{Code: DemoTenant, Name: "演示科技有限公司"})
		if err != nil {
			return err
		}
		ctx = rbac.WithPrincipal(ctx, rbac.SystemPrincipal(t.ID, "seed"))
		if _, err := a.createUser(ctx, auth.NewUser{Login: "admin", DisplayName: "系统管理员", Email: "admin@demo.renshi.dev", Password: res.Password}, rbac.SuperAdmin); err != nil {
			return err
		}
		for _, u := range demoUsers {
			if _, err := a.createUser(ctx, auth.NewUser{Login: u.login, DisplayName: u.name, Email: u.email, Mobile: u.mobile}, u.role); err != nil {
				return fmt.Errorf("demo user %s: %w", u.login, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
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
