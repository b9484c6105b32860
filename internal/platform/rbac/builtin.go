package rbac

import (
	"slices"
	"sync"
)

// Built-in role codes (stable: the CLI and API use them).
const (
	SuperAdmin   = "super_admin"
	HRAdmin      = "hr_admin"
	HRSpecialist = "hr_specialist"
	DeptManager  = "dept_manager"
	ContentOwner = "content_owner"
	Finance      = "finance"
	Employee     = "employee"
)

// BuiltinRole is a role every tenant has, defined in code.
type BuiltinRole struct {
	Code         string
	DefaultScope ScopeKind
	// All grants every registered permission (super admin).
	All bool
}

// BuiltinRoles lists the built-in roles in display order.
var BuiltinRoles = []BuiltinRole{
	{Code: SuperAdmin, DefaultScope: ScopeTenant, All: true},
	{Code: HRAdmin, DefaultScope: ScopeTenant},
	{Code: HRSpecialist, DefaultScope: ScopeDepartmentTree},
	{Code: DeptManager, DefaultScope: ScopeDepartmentTree},
	{Code: ContentOwner, DefaultScope: ScopeDepartment},
	{Code: Finance, DefaultScope: ScopeTenant},
	{Code: Employee, DefaultScope: ScopeSelf},
}

var (
	builtinMu    sync.RWMutex
	builtinPerms = map[string][]string{}
)

// GrantBuiltin adds permissions to a built-in role. Each module calls it
// from init for its own permissions, so the module decides who may do
// what with its data.
func GrantBuiltin(role string, perms ...string) {
	if !IsBuiltin(role) {
		panic("rbac: unknown built-in role " + role)
	}
	builtinMu.Lock()
	defer builtinMu.Unlock()
	builtinPerms[role] = normalizePerms(append(builtinPerms[role], perms...))
}

// IsBuiltin reports whether code names a built-in role.
func IsBuiltin(code string) bool {
	return slices.ContainsFunc(BuiltinRoles, func(b BuiltinRole) bool { return b.Code == code })
}

// BuiltinPermissions lists a built-in role's permissions.
func BuiltinPermissions(code string) []string {
	for _, b := range BuiltinRoles {
		if b.Code == code && b.All {
			out := []string{}
			for _, p := range All() {
				out = append(out, p.Code)
			}
			return out
		}
	}
	builtinMu.RLock()
	defer builtinMu.RUnlock()
	return slices.Clone(builtinPerms[code])
}

func init() {
	GrantBuiltin(HRAdmin, UserRead, UserReadSensitive, UserCreate, UserUpdate, RoleRead,
		AuditRead, AuditVerify, TenantRead, JobRead, JobManage, TokenManage)
	GrantBuiltin(HRSpecialist, UserRead, TenantRead, JobRead)
	GrantBuiltin(DeptManager, JobRead)
	GrantBuiltin(ContentOwner, JobRead)
	GrantBuiltin(Finance, TenantRead, JobRead)
	GrantBuiltin(Employee, JobRead)
}
