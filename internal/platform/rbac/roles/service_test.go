package roles_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/rbac/rbacdb"
	"github.com/renshi/renshi/internal/platform/rbac/roles"
)

// tree is a fake department tree: 1 → {2 → {4}, 3}.
type tree struct{}

func (tree) Subtree(_ context.Context, _ ids.ID, roots []ids.ID) ([]ids.ID, error) {
	children := map[ids.ID][]ids.ID{1: {2, 3}, 2: {4}}
	var out []ids.ID
	var walk func(ids.ID)
	walk = func(d ids.ID) {
		out = append(out, d)
		for _, c := range children[d] {
			walk(c)
		}
	}
	for _, r := range roots {
		walk(r)
	}
	return out, nil
}

// TestResolveScopes checks that each grant scope resolves to the right
// departments, and that several grants widen each other.
func TestResolveScopes(t *testing.T) {
	d := dbtest.MustOpen(t)
	svc := roles.NewService(d, rbacdb.New(d), audit.New(d, []byte("0123456789abcdef0123456789abcdef")))
	svc.SetDepartments(tree{})
	tenant, user := ids.New(), ids.New()
	ctx := rbac.WithPrincipal(context.Background(), rbac.SystemPrincipal(tenant, "test"))
	now := time.Now().UTC()
	err := d.WithTx(ctx, func(ctx context.Context) error {
		if _, err := d.Conn(ctx).ExecContext(ctx, "INSERT INTO platform_tenants (id, code, name, created_at, updated_at) VALUES (?, 't', 'T', ?, ?)", tenant, now, now); err != nil {
			return err
		}
		if _, err := d.Conn(ctx).ExecContext(ctx, "INSERT INTO auth_users (tenant_id, id, login, display_name, password_hash, password_changed_at, created_at, updated_at) VALUES (?, ?, 'u', 'u', 'x', ?, ?, ?)", tenant, user, now, now, now); err != nil {
			return err
		}
		return svc.SeedBuiltins(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	role := func(code string) ids.ID {
		r, err := svc.RoleByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	cases := []struct {
		name   string
		grants []rbac.GrantInput
		dept   ids.ID // the user's own department
		perm   string
		want   rbac.Scope
		denied bool
	}{
		{"tenant", []rbac.GrantInput{{RoleID: role(rbac.HRAdmin), Scope: rbac.ScopeTenant}}, 2, rbac.UserRead, rbac.Scope{All: true, Self: true}, false},
		{"own department", []rbac.GrantInput{{RoleID: role(rbac.HRSpecialist), Scope: rbac.ScopeDepartment}}, 2, rbac.UserRead, rbac.Scope{Self: true, Departments: []ids.ID{2}}, false},
		{"department and below", []rbac.GrantInput{{RoleID: role(rbac.HRSpecialist)}}, 2, rbac.UserRead, rbac.Scope{Self: true, Departments: []ids.ID{2, 4}}, false},
		{"chosen departments", []rbac.GrantInput{{RoleID: role(rbac.HRSpecialist), Scope: rbac.ScopeDepartments, DepartmentIDs: []ids.ID{3}}}, 2, rbac.UserRead, rbac.Scope{Self: true, Departments: []ids.ID{3}}, false},
		{"no department yet", []rbac.GrantInput{{RoleID: role(rbac.HRSpecialist)}}, 0, rbac.UserRead, rbac.Scope{Self: true}, false},
		{"grants widen", []rbac.GrantInput{{RoleID: role(rbac.HRSpecialist), Scope: rbac.ScopeDepartment}, {RoleID: role(rbac.Finance), Scope: rbac.ScopeDepartments, DepartmentIDs: []ids.ID{3}}}, 2, rbac.JobRead, rbac.Scope{Self: true, Departments: []ids.ID{2, 3}}, false},
		{"permission not held", []rbac.GrantInput{{RoleID: role(rbac.Employee)}}, 2, rbac.UserRead, rbac.Scope{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := d.WithTx(ctx, func(ctx context.Context) error {
				_, err := svc.ReplaceGrants(ctx, user, c.grants)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			p, err := svc.Resolve(ctx, rbac.Principal{TenantID: tenant, UserID: user, DepartmentID: c.dept})
			if err != nil {
				t.Fatal(err)
			}
			got, ok := p.Scope(c.perm)
			if ok == c.denied {
				t.Fatalf("held = %v", ok)
			}
			slices.Sort(got.Departments)
			if got.All != c.want.All || got.Self != c.want.Self || !slices.Equal(got.Departments, c.want.Departments) {
				t.Fatalf("scope %+v, want %+v", got, c.want)
			}
		})
	}
	// Bad grants are refused field by field.
	err = d.WithTx(ctx, func(ctx context.Context) error {
		_, err := svc.ReplaceGrants(ctx, user, []rbac.GrantInput{{RoleID: 42}, {RoleID: role(rbac.Employee), Scope: rbac.ScopeDepartments}})
		return err
	})
	if err == nil {
		t.Fatal("want invalid grants refused")
	}
}
