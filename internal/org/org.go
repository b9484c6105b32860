// Package org is the organisation of a tenant: legal entities, cost
// centers, work locations, grades, positions with headcount plans, and
// the department tree, whose every change is an effective-dated version
// so the structure can be read as of any day, past or scheduled.
package org

import (
	"context"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/validate"
)

// Permissions of the module.
const (
	// PermRead lets a user see the structure; every built-in role holds
	// it (employees pick departments, positions and locations in forms).
	PermRead = "org.structure.read"
	// PermManage lets a user change the structure and its catalogues.
	PermManage = "org.structure.manage"
)

func init() {
	rbac.Register(rbac.Permission{Code: PermRead}, rbac.Permission{Code: PermManage})
	rbac.GrantBuiltin(rbac.HRAdmin, PermRead, PermManage)
	for _, r := range []string{rbac.HRSpecialist, rbac.DeptManager, rbac.ContentOwner, rbac.Finance, rbac.Employee} {
		rbac.GrantBuiltin(r, PermRead)
	}
}

// Audit object types.
const (
	ObjectDepartment  = "department"
	ObjectLegalEntity = "legal_entity"
	ObjectCostCenter  = "cost_center"
	ObjectLocation    = "location"
	ObjectGrade       = "grade"
	ObjectPosition    = "position"
)

// Zone returns the caller's tenant time zone (rbac.Zone).
func Zone(ctx context.Context) *time.Location { return rbac.Zone(ctx) }

// Today is the current date in the caller's tenant time zone.
func Today(ctx context.Context) civil.Date { return civil.Today(Zone(ctx)) }

// orToday returns d, or today when d is not set.
func orToday(ctx context.Context, d civil.Date) civil.Date {
	if d.IsZero() {
		return Today(ctx)
	}
	return d
}

// ListFilter narrows a catalogue list.
type ListFilter struct {
	Query  string // name or code contains, ignoring case
	Active *bool
	Sort   string // a column's JSON name; "-" prefix for descending
	Page   int
	Size   int
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// checkCode normalises and checks a catalogue or department code.
func checkCode(f *errs.Fields, field string, code *string) {
	*code = validate.Normalize(*code)
	switch {
	case *code == "":
		f.Add(field, "required")
	case !codePattern.MatchString(*code):
		f.Add(field, "org.code_format")
	}
}

// checkText normalises a text field and checks its length.
func checkText(f *errs.Fields, field string, s *string, max int, required bool) {
	*s = validate.Normalize(*s)
	if required && *s == "" {
		f.Add(field, "required")
		return
	}
	f.Check(utf8.RuneCountInString(*s) <= max, field, "too_long", errs.Params{"max": max})
}

// entity is what the generic catalogue code needs of a record.
type entity interface {
	init(id ids.ID, now time.Time)
	touch(now time.Time)
	key() ids.ID
	version() int
}
