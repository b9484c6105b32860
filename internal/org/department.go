package org

import (
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Department is a department as of one day: its identity together with
// the version valid that day.
type Department struct {
	ID             ids.ID `json:"id"`
	Code           string `json:"code"`
	Name           string `json:"name"`
	ParentID       ids.ID `json:"parentId,omitempty"`
	HeadEmployeeID ids.ID `json:"headEmployeeId,omitempty"`
	CostCenterID   ids.ID `json:"costCenterId,omitempty"`
	LocationID     ids.ID `json:"locationId,omitempty"`
	LegalEntityID  ids.ID `json:"legalEntityId,omitempty"`
	Active         bool   `json:"active"`
	// ValidFrom and ValidTo (exclusive; zero = open) bound the version
	// this view comes from.
	ValidFrom civil.Date `json:"validFrom" audit:"-"`
	ValidTo   civil.Date `json:"validTo" audit:"-"`
	// Path lists the department's ancestors and itself, root first;
	// PathNames their names on the same day.
	Path      []ids.ID `json:"path" audit:"-"`
	PathNames []string `json:"pathNames" audit:"-"`
	// Version is the optimistic lock of the department (PATCH sends it).
	Version   int    `json:"version" audit:"-"`
	VersionID ids.ID `json:"versionId" audit:"-"`
}

// DepartmentRecord is a department's identity: what never changes with
// time, and the lock version bumped by every change.
type DepartmentRecord struct {
	bun.BaseModel `bun:"table:org_departments,alias:d"`

	TenantID  ids.ID    `bun:"tenant_id,pk"`
	ID        ids.ID    `bun:"id,pk"`
	Code      string    `bun:"code"`
	Version   int       `bun:"version"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

// Reasons of department versions: the change that opened them.
const (
	ReasonCreate     = "create"
	ReasonUpdate     = "update"
	ReasonMove       = "move"
	ReasonDeactivate = "deactivate"
	ReasonActivate   = "activate"
)

// DepartmentVersion is a department's state from ValidFrom up to, not
// including, ValidTo (zero: open). A department's versions are
// contiguous and the last one is open.
type DepartmentVersion struct {
	bun.BaseModel `bun:"table:org_department_versions,alias:v"`

	TenantID       ids.ID     `bun:"tenant_id,pk" json:"-"`
	ID             ids.ID     `bun:"id,pk" json:"id"`
	DepartmentID   ids.ID     `bun:"department_id" json:"departmentId"`
	ValidFrom      civil.Date `bun:"valid_from" json:"validFrom"`
	ValidTo        civil.Date `bun:"valid_to" json:"validTo"`
	Name           string     `bun:"name" json:"name"`
	ParentID       ids.ID     `bun:"parent_id,nullzero" json:"parentId,omitempty"`
	HeadEmployeeID ids.ID     `bun:"head_employee_id,nullzero" json:"headEmployeeId,omitempty"`
	CostCenterID   ids.ID     `bun:"cost_center_id,nullzero" json:"costCenterId,omitempty"`
	LocationID     ids.ID     `bun:"location_id,nullzero" json:"locationId,omitempty"`
	LegalEntityID  ids.ID     `bun:"legal_entity_id,nullzero" json:"legalEntityId,omitempty"`
	Active         bool       `bun:"active" json:"active"`
	Reason         string     `bun:"reason" json:"reason"`
	CreatedAt      time.Time  `bun:"created_at" json:"createdAt"`

	// ParentName is the parent's name on ValidFrom (history display).
	ParentName string `bun:"-" json:"parentName,omitempty"`
}

// ValidOn reports whether the version is valid on day.
func (v *DepartmentVersion) ValidOn(day civil.Date) bool {
	return !v.ValidFrom.After(day) && (v.ValidTo.IsZero() || v.ValidTo.After(day))
}

// sameState reports whether two versions describe the same department state.
func (v *DepartmentVersion) sameState(o *DepartmentVersion) bool {
	return v.Name == o.Name && v.ParentID == o.ParentID && v.HeadEmployeeID == o.HeadEmployeeID &&
		v.CostCenterID == o.CostCenterID && v.LocationID == o.LocationID && v.LegalEntityID == o.LegalEntityID &&
		v.Active == o.Active
}

// View flattens the version with its identity into a Department (no path).
func (v *DepartmentVersion) View(code string, version int) Department {
	return Department{
		ID: v.DepartmentID, Code: code, Name: v.Name, ParentID: v.ParentID, HeadEmployeeID: v.HeadEmployeeID,
		CostCenterID: v.CostCenterID, LocationID: v.LocationID, LegalEntityID: v.LegalEntityID, Active: v.Active,
		ValidFrom: v.ValidFrom, ValidTo: v.ValidTo, Version: version, VersionID: v.ID,
	}
}

// NewDepartment describes a department to create. EffectiveDate (default
// today) is the first day it exists.
type NewDepartment struct {
	Code           string
	Name           string
	ParentID       ids.ID
	HeadEmployeeID ids.ID
	CostCenterID   ids.ID
	LocationID     ids.ID
	LegalEntityID  ids.ID
	EffectiveDate  civil.Date
}

// Validate normalises and checks the fields that need no database.
func (n *NewDepartment) Validate() error {
	var f errs.Fields
	checkCode(&f, "code", &n.Code)
	checkText(&f, "name", &n.Name, 100, true)
	return f.Err()
}

// DepartmentUpdate changes a department from EffectiveDate (default
// today); nil keeps the value, a zero id clears a reference.
type DepartmentUpdate struct {
	Name           *string
	HeadEmployeeID *ids.ID
	CostCenterID   *ids.ID
	LocationID     *ids.ID
	LegalEntityID  *ids.ID
	EffectiveDate  civil.Date
	Version        int
}

// apply validates the update and applies it to v.
func (u *DepartmentUpdate) apply(v *DepartmentVersion) error {
	set(&v.Name, u.Name)
	set(&v.HeadEmployeeID, u.HeadEmployeeID)
	set(&v.CostCenterID, u.CostCenterID)
	set(&v.LocationID, u.LocationID)
	set(&v.LegalEntityID, u.LegalEntityID)
	var f errs.Fields
	checkText(&f, "name", &v.Name, 100, true)
	return f.Err()
}

// DepartmentFilter narrows the flat department list.
type DepartmentFilter struct {
	On     civil.Date // default today
	Query  string     // name or code contains
	Active *bool
	Sort   string // code, name (- for descending); default tree order
	Page   int
	Size   int
	All    bool // every match, no paging (exports)
}

// structure holds department versions valid on or after some day, by
// department, in date order: enough to check a change against the
// structure it creates on every later day.
type structure map[ids.ID][]DepartmentVersion

func newStructure(vs []DepartmentVersion) structure {
	st := structure{}
	for _, v := range vs {
		st[v.DepartmentID] = append(st[v.DepartmentID], v)
	}
	for _, list := range st {
		slices.SortFunc(list, func(a, b DepartmentVersion) int { return a.ValidFrom.Compare(b.ValidFrom) })
	}
	return st
}

// at returns the department's version valid on day, or nil.
func (st structure) at(id ids.ID, day civil.Date) *DepartmentVersion {
	list := st[id]
	for i := range list {
		if list[i].ValidOn(day) {
			return &list[i]
		}
	}
	return nil
}

// replaceFrom makes v the department's state from v.ValidFrom on.
func (st structure) replaceFrom(v DepartmentVersion) {
	var keep []DepartmentVersion
	for _, x := range st[v.DepartmentID] {
		if !x.ValidFrom.Before(v.ValidFrom) {
			continue
		}
		if x.ValidTo.IsZero() || x.ValidTo.After(v.ValidFrom) {
			x.ValidTo = v.ValidFrom
		}
		keep = append(keep, x)
	}
	v.ValidTo = civil.Date{}
	st[v.DepartmentID] = append(keep, v)
}

// days lists from and every later day on which some version starts or
// ends: the days on which the structure can change.
func (st structure) days(from civil.Date) []civil.Date {
	out := []civil.Date{from}
	for _, list := range st {
		for _, v := range list {
			for _, d := range []civil.Date{v.ValidFrom, v.ValidTo} {
				if !d.IsZero() && d.After(from) {
					out = append(out, d)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b civil.Date) int { return a.Compare(b) })
	return slices.Compact(out)
}

// check verifies, on from and every later day the structure changes,
// the rules a change of department id can break: no cycle through it; if
// active, its parent exists and is active; if inactive or gone, no active
// department below it. A rule broken on from itself is reported as such;
// one broken later only because of a change already scheduled for that
// day is a conflict naming the day.
func (st structure) check(id ids.ID, from civil.Date) error {
	for _, day := range st.days(from) {
		err := st.checkOn(id, day)
		if err == nil {
			continue
		}
		if day.After(from) {
			return errs.E(errs.Conflict, "org.conflicting_change", errs.Params{"date": day.String()})
		}
		return err
	}
	return nil
}

func (st structure) checkOn(id ids.ID, day civil.Date) error {
	v := st.at(id, day)
	if v != nil {
		seen := map[ids.ID]bool{}
		for p := v.ParentID; p != 0 && !seen[p]; {
			if p == id {
				return fieldConflict(errs.Invalid, "parentId", "org.department_cycle", nil)
			}
			seen[p] = true
			pv := st.at(p, day)
			if pv == nil {
				break
			}
			p = pv.ParentID
		}
		if v.Active && v.ParentID != 0 {
			pv := st.at(v.ParentID, day)
			params := errs.Params{"date": day.String()}
			if pv == nil {
				return fieldConflict(errs.Invalid, "parentId", "org.parent_missing", params)
			}
			if !pv.Active {
				return fieldConflict(errs.Invalid, "parentId", "org.parent_inactive", params)
			}
		}
	}
	if v == nil || !v.Active {
		n := 0
		for child := range st {
			if cv := st.at(child, day); cv != nil && cv.Active && cv.ParentID == id && child != id {
				n++
			}
		}
		if n > 0 {
			return errs.E(errs.Conflict, "org.department_has_children", errs.Params{"count": n, "date": day.String()})
		}
	}
	return nil
}

// fieldConflict is an error of kind with the same code on the whole and
// on one field, so both the message and the form say what is wrong.
func fieldConflict(kind errs.Kind, field, code string, params errs.Params) *errs.Error {
	return &errs.Error{Kind: kind, Code: code, Params: params, Fields: []errs.FieldError{{Field: field, Code: code, Params: params}}}
}
