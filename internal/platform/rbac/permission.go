// Package rbac holds permissions, roles with data scopes, and the
// principal (who is calling) that every service checks.
package rbac

import (
	"fmt"
	"regexp"
	"sort"
	"sync"
)

// Permission is a registered capability named module.resource.action.
type Permission struct {
	Code string
	// Sensitive permissions unmask personal data; their use is audited.
	Sensitive bool
}

var permCode = regexp.MustCompile(`^[a-z]+\.[a-z_]+\.[a-z_]+$`)

var (
	regMu sync.RWMutex
	reg   = map[string]Permission{}
)

// Register declares permissions. Modules call it from init; the label of
// each is the i18n key "perm.<code>".
func Register(perms ...Permission) {
	regMu.Lock()
	defer regMu.Unlock()
	for _, p := range perms {
		if !permCode.MatchString(p.Code) {
			panic(fmt.Sprintf("rbac: permission %q is not module.resource.action", p.Code))
		}
		reg[p.Code] = p
	}
}

// All lists every registered permission sorted by code.
func All() []Permission {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]Permission, 0, len(reg))
	for _, p := range reg {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Known reports whether code is registered.
func Known(code string) bool {
	regMu.RLock()
	defer regMu.RUnlock()
	_, ok := reg[code]
	return ok
}

// Platform permissions.
const (
	UserRead          = "platform.user.read"
	UserReadSensitive = "platform.user.read_sensitive"
	UserCreate        = "platform.user.create"
	UserUpdate        = "platform.user.update"
	RoleRead          = "platform.role.read"
	RoleManage        = "platform.role.manage"
	AuditRead         = "platform.audit.read"
	AuditVerify       = "platform.audit.verify"
	TenantRead        = "platform.tenant.read"
	TenantUpdate      = "platform.tenant.update"
	JobRead           = "platform.job.read"
	JobManage         = "platform.job.manage"
	TokenManage       = "platform.token.manage"
)

func init() {
	Register(
		Permission{Code: UserRead},
		Permission{Code: UserReadSensitive, Sensitive: true},
		Permission{Code: UserCreate},
		Permission{Code: UserUpdate},
		Permission{Code: RoleRead},
		Permission{Code: RoleManage},
		Permission{Code: AuditRead},
		Permission{Code: AuditVerify},
		Permission{Code: TenantRead},
		Permission{Code: TenantUpdate},
		Permission{Code: JobRead},
		Permission{Code: JobManage},
		Permission{Code: TokenManage},
	)
}
