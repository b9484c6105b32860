package roles

import (
	"context"
	"github.com/renshi/renshi/internal/platform/rbac"

	"github.com/renshi/renshi/internal/platform/ids"
)

// Store persists roles and grants of the principal's tenant.
type Store interface {
	InsertRole(ctx context.Context, r *rbac.Role) error
	UpdateRole(ctx context.Context, r *rbac.Role) error
	DeleteRole(ctx context.Context, id ids.ID) error
	Role(ctx context.Context, id ids.ID) (*rbac.Role, error)
	RoleByCode(ctx context.Context, code string) (*rbac.Role, error)
	// Roles lists every role with its custom permissions and user count.
	Roles(ctx context.Context) ([]rbac.Role, error)
	SetRolePermissions(ctx context.Context, roleID ids.ID, perms []string) error

	Grants(ctx context.Context, userID ids.ID) ([]rbac.Grant, error)
	// GrantsOf lists the grants of many users (for user lists).
	GrantsOf(ctx context.Context, userIDs []ids.ID) (map[ids.ID][]rbac.Grant, error)
	ReplaceGrants(ctx context.Context, userID ids.ID, grants []rbac.Grant) error
	// GrantedRoles lists a user's grants with their roles' code and
	// built-in flag, in one query (resolving every request's principal).
	GrantedRoles(ctx context.Context, userID ids.ID) ([]GrantedRole, error)
	// CustomPermissions lists the permissions of custom roles by role id.
	CustomPermissions(ctx context.Context, roleIDs []ids.ID) (map[ids.ID][]string, error)
}

// GrantedRole is a grant joined with its role.
type GrantedRole struct {
	rbac.Grant
	RoleBuiltin bool
}

// Departments expands department scopes. The core HR module provides it;
// until then a department stands for itself.
type Departments interface {
	// Subtree returns the roots and every department below them.
	Subtree(ctx context.Context, tenantID ids.ID, roots []ids.ID) ([]ids.ID, error)
}

type flatDepartments struct{}

func (flatDepartments) Subtree(_ context.Context, _ ids.ID, roots []ids.ID) ([]ids.ID, error) {
	return roots, nil
}
