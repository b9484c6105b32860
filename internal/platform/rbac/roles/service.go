package roles

import (
	"context"
	"github.com/renshi/renshi/internal/platform/rbac"
	"slices"
	"time"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Service manages roles and grants and resolves principals.
type Service struct {
	db    *db.DB
	store Store
	audit *audit.Log
	depts Departments
}

// NewService builds the service.
func NewService(d *db.DB, s Store, a *audit.Log) *Service {
	return &Service{db: d, store: s, audit: a, depts: flatDepartments{}}
}

// SetDepartments installs the department tree (core HR).
func (s *Service) SetDepartments(d Departments) { s.depts = d }

// SeedBuiltins creates the built-in roles in a new tenant (runs inside
// the tenant's creating transaction with a system principal).
func (s *Service) SeedBuiltins(ctx context.Context) error {
	tenantID, err := rbac.Tenant(ctx)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	locale := i18n.FromContext(ctx)
	for _, b := range rbac.BuiltinRoles {
		if r, err := s.store.RoleByCode(ctx, b.Code); err == nil && r != nil {
			continue
		}
		r := &rbac.Role{TenantID: tenantID, ID: ids.New(), Code: b.Code, Name: i18n.T(locale, "role."+b.Code, nil),
			Builtin: true, DefaultScope: b.DefaultScope, Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := s.store.InsertRole(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// Roles lists the tenant's roles with their permissions.
func (s *Service) Roles(ctx context.Context) ([]rbac.Role, error) {
	if _, _, err := rbac.Require(ctx, rbac.RoleRead); err != nil {
		return nil, err
	}
	return s.roles(ctx)
}

func (s *Service) roles(ctx context.Context) ([]rbac.Role, error) {
	roles, err := s.store.Roles(ctx)
	if err != nil {
		return nil, err
	}
	for i := range roles {
		if roles[i].Builtin {
			roles[i].Permissions = rbac.BuiltinPermissions(roles[i].Code)
		}
	}
	return roles, nil
}

// RoleByCode finds a role (CLI: user create --role).
func (s *Service) RoleByCode(ctx context.Context, code string) (*rbac.Role, error) {
	return s.store.RoleByCode(ctx, code)
}

// CreateRole adds a custom role.
func (s *Service) CreateRole(ctx context.Context, n rbac.NewRole) (*rbac.Role, error) {
	p, _, err := rbac.Require(ctx, rbac.RoleManage)
	if err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	if err := mayHandOut(p, n.Permissions, "permissions"); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	r := &rbac.Role{TenantID: p.TenantID, ID: ids.New(), Code: n.Code, Name: n.Name, Description: n.Description,
		DefaultScope: n.DefaultScope, Version: 1, CreatedAt: now, UpdatedAt: now, Permissions: n.Permissions}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if existing, err := s.store.RoleByCode(ctx, r.Code); err == nil && existing != nil {
			return errs.InvalidField("code", "duplicate")
		}
		if err := s.store.InsertRole(ctx, r); err != nil {
			return err
		}
		if err := s.store.SetRolePermissions(ctx, r.ID, r.Permissions); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Action: "create", ObjectType: "role", ObjectID: r.ID.String(), Diff: audit.Diff(nil, r)})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// UpdateRole changes a custom role.
func (s *Service) UpdateRole(ctx context.Context, id ids.ID, u rbac.RoleUpdate) (*rbac.Role, error) {
	p, _, err := rbac.Require(ctx, rbac.RoleManage)
	if err != nil {
		return nil, err
	}
	var out *rbac.Role
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.loadRole(ctx, id)
		if err != nil {
			return err
		}
		if r.Builtin {
			return errs.E(errs.Conflict, "rbac.builtin_readonly")
		}
		if u.Version != r.Version {
			return errs.E(errs.Conflict, "stale")
		}
		before := *r
		if err := u.Apply(r); err != nil {
			return err
		}
		if u.Permissions != nil {
			if err := mayHandOut(p, added(before.Permissions, r.Permissions), "permissions"); err != nil {
				return err
			}
		}
		r.Version++
		r.UpdatedAt = time.Now().UTC()
		if err := s.store.UpdateRole(ctx, r); err != nil {
			return err
		}
		if err := s.store.SetRolePermissions(ctx, r.ID, r.Permissions); err != nil {
			return err
		}
		rbac.Changed(ctx, p.TenantID)
		out = r
		return s.audit.Record(ctx, audit.Event{Action: "update", ObjectType: "role", ObjectID: r.ID.String(), Diff: audit.Diff(&before, r)})
	})
	return out, err
}

// DeleteRole removes a custom role nobody holds.
func (s *Service) DeleteRole(ctx context.Context, id ids.ID) error {
	if _, _, err := rbac.Require(ctx, rbac.RoleManage); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.loadRole(ctx, id)
		if err != nil {
			return err
		}
		if r.Builtin {
			return errs.E(errs.Conflict, "rbac.builtin_readonly")
		}
		if r.UserCount > 0 {
			return errs.E(errs.Conflict, "rbac.role_in_use", errs.Params{"count": r.UserCount})
		}
		if err := s.store.DeleteRole(ctx, id); err != nil {
			return err
		}
		rbac.Changed(ctx, r.TenantID)
		return s.audit.Record(ctx, audit.Event{Action: "delete", ObjectType: "role", ObjectID: id.String(), Diff: audit.Diff(r, nil)})
	})
}

func (s *Service) loadRole(ctx context.Context, id ids.ID) (*rbac.Role, error) {
	roles, err := s.roles(ctx)
	if err != nil {
		return nil, err
	}
	for i := range roles {
		if roles[i].ID == id {
			return &roles[i], nil
		}
	}
	return nil, errs.NotFoundf("object.role")
}

// Grants returns a user's grants with role names.
func (s *Service) Grants(ctx context.Context, userID ids.ID) ([]rbac.Grant, error) {
	m, err := s.GrantsOf(ctx, []ids.ID{userID})
	return m[userID], err
}

// GrantsOf returns the grants of many users with role names. Callers
// have already checked the caller may see these users.
func (s *Service) GrantsOf(ctx context.Context, userIDs []ids.ID) (map[ids.ID][]rbac.Grant, error) {
	m, err := s.store.GrantsOf(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	roles, err := s.store.Roles(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[ids.ID]rbac.Role{}
	for _, r := range roles {
		byID[r.ID] = r
	}
	for u, gs := range m {
		for i := range gs {
			gs[i].RoleCode, gs[i].RoleName = byID[gs[i].RoleID].Code, byID[gs[i].RoleID].Name
		}
		m[u] = gs
	}
	return m, nil
}

// ReplaceGrants sets a user's roles. It runs inside the caller's
// transaction (the user service checks platform.user.update and audits).
// A caller may only hand out roles whose permissions he holds himself, so
// nobody can raise his own or anyone's rights above his.
func (s *Service) ReplaceGrants(ctx context.Context, userID ids.ID, in []rbac.GrantInput) ([]rbac.Grant, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	roles, err := s.roles(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[ids.ID]rbac.Role{}
	for _, r := range roles {
		byID[r.ID] = r
	}
	var f errs.Fields
	var grants []rbac.Grant
	seen := map[ids.ID]bool{}
	now := time.Now().UTC()
	for i, g := range in {
		field := func(name string) string { return "grants[" + itoa(i) + "]." + name }
		r, ok := byID[g.RoleID]
		if !ok {
			f.Add(field("roleId"), "invalid_choice")
			continue
		}
		if seen[g.RoleID] {
			f.Add(field("roleId"), "duplicate")
			continue
		}
		seen[g.RoleID] = true
		scope := g.Scope
		if scope == "" {
			scope = r.DefaultScope
		}
		if !scope.Valid() {
			f.Add(field("scope"), "invalid_choice")
			continue
		}
		if scope == rbac.ScopeDepartments && len(g.DepartmentIDs) == 0 {
			f.Add(field("departmentIds"), "required")
			continue
		}
		if scope != rbac.ScopeDepartments {
			g.DepartmentIDs = nil
		}
		if err := mayHandOut(p, r.Permissions, field("roleId")); err != nil {
			return nil, err
		}
		grants = append(grants, rbac.Grant{TenantID: p.TenantID, ID: ids.New(), UserID: userID, RoleID: r.ID,
			Scope: scope, DepartmentIDs: g.DepartmentIDs, CreatedAt: now, RoleCode: r.Code, RoleName: r.Name})
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if err := s.store.ReplaceGrants(ctx, userID, grants); err != nil {
		return nil, err
	}
	rbac.Changed(ctx, p.TenantID)
	return grants, nil
}

// mayHandOut refuses to give away permissions the caller lacks.
func mayHandOut(p *rbac.Principal, perms []string, field string) error {
	if p.System {
		return nil
	}
	for _, perm := range perms {
		if !p.Can(perm) {
			return &errs.Error{Kind: errs.Forbidden, Code: "rbac.cannot_grant", Params: errs.Params{"permission": perm},
				Fields: []errs.FieldError{{Field: field, Code: "rbac.cannot_grant", Params: errs.Params{"permission": perm}}}}
		}
	}
	return nil
}

func added(before, after []string) []string {
	var out []string
	for _, p := range after {
		if !slices.Contains(before, p) {
			out = append(out, p)
		}
	}
	return out
}

// Resolve computes a user's permissions and scopes from his grants. The
// principal's DepartmentID anchors department scopes; without one they
// shrink to the user himself.
func (s *Service) Resolve(ctx context.Context, p rbac.Principal) (*rbac.Principal, error) {
	grants, err := s.store.GrantedRoles(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	var custom []ids.ID
	for _, g := range grants {
		if !g.RoleBuiltin {
			custom = append(custom, g.RoleID)
		}
	}
	customPerms, err := s.store.CustomPermissions(ctx, custom)
	if err != nil {
		return nil, err
	}
	perms := map[string]rbac.Scope{}
	p.Roles = nil
	for _, g := range grants {
		p.Roles = append(p.Roles, g.RoleCode)
		scope, err := s.scopeOf(ctx, p, g.Grant)
		if err != nil {
			return nil, err
		}
		list := customPerms[g.RoleID]
		if g.RoleBuiltin {
			list = rbac.BuiltinPermissions(g.RoleCode)
		}
		for _, perm := range list {
			perms[perm] = perms[perm].Merge(scope)
		}
	}
	slices.Sort(p.Roles)
	return rbac.NewPrincipal(p, perms), nil
}

func (s *Service) scopeOf(ctx context.Context, p rbac.Principal, g rbac.Grant) (rbac.Scope, error) {
	sc := rbac.Scope{Self: true}
	var roots []ids.ID
	switch g.Scope {
	case rbac.ScopeTenant:
		return rbac.Scope{All: true, Self: true}, nil
	case rbac.ScopeDepartment:
		if p.DepartmentID != 0 {
			sc.Departments = []ids.ID{p.DepartmentID}
		}
		return sc, nil
	case rbac.ScopeDepartmentTree:
		if p.DepartmentID != 0 {
			roots = []ids.ID{p.DepartmentID}
		}
	case rbac.ScopeDepartments:
		roots = g.DepartmentIDs
	}
	if len(roots) > 0 {
		d, err := s.depts.Subtree(ctx, p.TenantID, roots)
		if err != nil {
			return sc, err
		}
		sc.Departments = d
	}
	return sc, nil
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
