package rbac

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Role is a named set of permissions. Built-in roles are defined in code
// (see builtin.go) so every tenant gets new permissions as modules add
// them; tenants add custom roles whose permissions they choose.
type Role struct {
	bun.BaseModel `bun:"table:rbac_roles"`

	TenantID     ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID           ids.ID    `bun:"id,pk" json:"id"`
	Code         string    `bun:"code" json:"code"`
	Name         string    `bun:"name" json:"name"`
	Description  string    `bun:"description" json:"description"`
	Builtin      bool      `bun:"builtin" json:"builtin"`
	DefaultScope ScopeKind `bun:"default_scope" json:"defaultScope"`
	Version      int       `bun:"version" json:"version"`
	CreatedAt    time.Time `bun:"created_at" json:"createdAt"`
	UpdatedAt    time.Time `bun:"updated_at" json:"updatedAt"`

	Permissions []string `bun:"-" json:"permissions"`
	UserCount   int      `bun:"-" json:"userCount"`
}

// Grant gives a user a role over a data scope.
type Grant struct {
	bun.BaseModel `bun:"table:rbac_grants,alias:g"`

	TenantID      ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID            ids.ID    `bun:"id,pk" json:"-"`
	UserID        ids.ID    `bun:"user_id" json:"-"`
	RoleID        ids.ID    `bun:"role_id" json:"roleId"`
	Scope         ScopeKind `bun:"scope" json:"scope"`
	DepartmentIDs []ids.ID  `bun:"department_ids,type:text,json_use_number" json:"departmentIds"`
	CreatedAt     time.Time `bun:"created_at" json:"-"`

	RoleCode string `bun:"-" json:"roleCode"`
	RoleName string `bun:"-" json:"roleName"`
}

// GrantInput asks for a role over a scope; an empty scope takes the
// role's default.
type GrantInput struct {
	RoleID        ids.ID
	Scope         ScopeKind
	DepartmentIDs []ids.ID
}

// NewRole describes a custom role to create.
type NewRole struct {
	Code         string
	Name         string
	Description  string
	DefaultScope ScopeKind
	Permissions  []string
}

// RoleUpdate changes a custom role; nil keeps the value.
type RoleUpdate struct {
	Name         *string
	Description  *string
	DefaultScope *ScopeKind
	Permissions  *[]string
	Version      int
}

var roleCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,31}$`)

// Validate checks and normalises a new role.
func (n *NewRole) Validate() error {
	n.Code = strings.TrimSpace(n.Code)
	n.Name = strings.TrimSpace(n.Name)
	if n.DefaultScope == "" {
		n.DefaultScope = ScopeSelf
	}
	var f errs.Fields
	switch {
	case !roleCode.MatchString(n.Code):
		f.Add("code", "invalid_format")
	case IsBuiltin(n.Code):
		f.Add("code", "rbac.code_reserved")
	}
	checkRoleFields(&f, n.Name, n.Description, n.DefaultScope, n.Permissions)
	n.Permissions = normalizePerms(n.Permissions)
	return f.Err()
}

// Apply validates u and applies it to r.
func (u *RoleUpdate) Apply(r *Role) error {
	if u.Name != nil {
		r.Name = strings.TrimSpace(*u.Name)
	}
	if u.Description != nil {
		r.Description = *u.Description
	}
	if u.DefaultScope != nil {
		r.DefaultScope = *u.DefaultScope
	}
	if u.Permissions != nil {
		r.Permissions = *u.Permissions
	}
	var f errs.Fields
	checkRoleFields(&f, r.Name, r.Description, r.DefaultScope, r.Permissions)
	r.Permissions = normalizePerms(r.Permissions)
	return f.Err()
}

func checkRoleFields(f *errs.Fields, name, desc string, scope ScopeKind, perms []string) {
	f.Check(name != "", "name", "required")
	f.Check(utf8.RuneCountInString(name) <= 50, "name", "too_long", errs.Params{"max": 50})
	f.Check(utf8.RuneCountInString(desc) <= 500, "description", "too_long", errs.Params{"max": 500})
	f.Check(scope.Valid(), "defaultScope", "invalid_choice")
	for _, p := range perms {
		if !Known(p) {
			f.Add("permissions", "rbac.unknown_permission", errs.Params{"permission": p})
			break
		}
	}
}

func normalizePerms(p []string) []string {
	out := slices.Clone(p)
	slices.Sort(out)
	return slices.Compact(out)
}
