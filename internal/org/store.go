package org

import (
	"context"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Store persists the organisation of the principal's tenant.
type Store interface {
	LegalEntities() Records[LegalEntity]
	CostCenters() Records[CostCenter]
	Locations() Records[Location]
	Grades() Records[Grade]
	Positions() Records[Position]

	// GradesByID returns the grades among the ids.
	GradesByID(ctx context.Context, ids []ids.ID) (map[ids.ID]Grade, error)
	// HeadcountPlan lists a position's plan rows.
	HeadcountPlan(ctx context.Context, positionID ids.ID) ([]PlanRow, error)
	// PlannedTotals sums the plan of each position.
	PlannedTotals(ctx context.Context, positionIDs []ids.ID) (map[ids.ID]int, error)
	ReplaceHeadcountPlan(ctx context.Context, positionID ids.ID, rows []PlanRow) error

	InsertDepartment(ctx context.Context, d *DepartmentRecord) error
	DepartmentRecord(ctx context.Context, id ids.ID) (*DepartmentRecord, error)
	DepartmentCodeTaken(ctx context.Context, code string) (bool, error)
	// DepartmentCodesTaken returns which of codes exist already.
	DepartmentCodesTaken(ctx context.Context, codes []string) ([]string, error)
	// InsertDepartments adds departments and their first versions in bulk.
	InsertDepartments(ctx context.Context, recs []DepartmentRecord, vers []DepartmentVersion) error
	// SaveDepartment saves d if its stored version is d.Version-1.
	SaveDepartment(ctx context.Context, d *DepartmentRecord) error
	// ExistingDepartments returns those of the ids that exist (any day).
	ExistingDepartments(ctx context.Context, ids []ids.ID) ([]ids.ID, error)

	InsertVersion(ctx context.Context, v *DepartmentVersion) error
	UpdateVersion(ctx context.Context, v *DepartmentVersion) error
	DeleteVersion(ctx context.Context, id ids.ID) error
	// DepartmentHistory lists the versions of the departments, by
	// department and start day.
	DepartmentHistory(ctx context.Context, departmentIDs ...ids.ID) ([]DepartmentVersion, error)
	// DepartmentsOn returns every department as of day, in one indexed
	// query (no paths).
	DepartmentsOn(ctx context.Context, day civil.Date) ([]Department, error)
	// DepartmentOn returns one department as of day (no path).
	DepartmentOn(ctx context.Context, id ids.ID, day civil.Date) (*Department, error)
	// Ancestors returns the ancestors of a department as of day, nearest
	// first (one recursive query).
	Ancestors(ctx context.Context, parentID ids.ID, day civil.Date) ([]Department, error)
	// Subtree returns the departments below the roots as of day, and the
	// roots that exist that day (one recursive query).
	Subtree(ctx context.Context, roots []ids.ID, day civil.Date) ([]ids.ID, error)
	// VersionsFrom lists every version valid on day or later.
	VersionsFrom(ctx context.Context, day civil.Date) ([]DepartmentVersion, error)
	// LockStructure serialises changes of the tenant's department tree
	// until the transaction ends.
	LockStructure(ctx context.Context) error
}

// Records stores one catalogue (legal entities, cost centers, ...).
type Records[T any] interface {
	Insert(ctx context.Context, r *T) error
	// Update saves r if its stored version is one less than r's.
	Update(ctx context.Context, r *T) error
	Get(ctx context.Context, id ids.ID) (*T, error)
	List(ctx context.Context, f ListFilter) ([]T, int, error)
	// Each streams every match of f (exports), in pages.
	Each(ctx context.Context, f ListFilter, fn func(*T) error) error
	// Taken reports whether a record other than except holds the
	// catalogue's unique value (code, or credit code).
	Taken(ctx context.Context, value string, except ids.ID) (bool, error)
}

// Headcount counts the people staffed in departments on a day. The
// employee module provides it; without one every department counts as
// empty.
type Headcount interface {
	Staffed(ctx context.Context, deptIDs []ids.ID, on civil.Date) (map[ids.ID]int, error)
}

// EmployeeNames, when the Headcount provider implements it too, names
// department heads in the tree.
type EmployeeNames interface {
	EmployeeNames(ctx context.Context, employeeIDs []ids.ID) (map[ids.ID]string, error)
}
