package rbac

import (
	"slices"

	"github.com/renshi/renshi/internal/platform/ids"
)

// ScopeKind is how far a grant reaches over the tenant's data.
type ScopeKind string

const (
	ScopeSelf           ScopeKind = "self"            // only records about the user
	ScopeDepartment     ScopeKind = "department"      // the user's own department
	ScopeDepartmentTree ScopeKind = "department_tree" // own department and below
	ScopeDepartments    ScopeKind = "departments"     // departments chosen on the grant (and below)
	ScopeTenant         ScopeKind = "tenant"          // the whole tenant
)

// ScopeKinds lists the kinds, narrowest first.
var ScopeKinds = []ScopeKind{ScopeSelf, ScopeDepartment, ScopeDepartmentTree, ScopeDepartments, ScopeTenant}

// Valid reports whether k is a known kind.
func (k ScopeKind) Valid() bool { return slices.Contains(ScopeKinds, k) }

// Scope is a resolved data scope: the union of every grant that carries a
// permission. A list query turns it into a SQL filter (see db.ApplyScope).
type Scope struct {
	All         bool     // whole tenant
	Self        bool     // records about the caller
	Departments []ids.ID // departments (subtrees already expanded)
}

// Merge widens s by o.
func (s Scope) Merge(o Scope) Scope {
	s.All = s.All || o.All
	s.Self = s.Self || o.Self
	for _, d := range o.Departments {
		if !slices.Contains(s.Departments, d) {
			s.Departments = append(s.Departments, d)
		}
	}
	return s
}

// CoversDepartment reports whether a record in department d is visible.
func (s Scope) CoversDepartment(d ids.ID) bool {
	return s.All || (d != 0 && slices.Contains(s.Departments, d))
}
