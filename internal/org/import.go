package org

import (
	"context"
	"slices"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// ImportDepartment is one department of a bulk import, with its id
// chosen by the caller so later rows (and employees) can refer to it.
type ImportDepartment struct {
	ID ids.ID
	NewDepartment
}

// ImportDepartments creates many departments in one transaction with one
// audit record: the demo seed and trusted importers use it, because
// building a 2,000-department tree one audited create at a time takes
// seconds on PostgreSQL. Parents must come earlier in the list or exist
// already; codes must be new; field rules are the same as for one.
func (s *Service) ImportDepartments(ctx context.Context, list []ImportDepartment) error {
	p, _, err := rbac.Require(ctx, PermManage)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return nil
	}
	now := s.now().UTC()
	recs := make([]DepartmentRecord, 0, len(list))
	vers := make([]DepartmentVersion, 0, len(list))
	codes := make([]string, 0, len(list))
	seen := map[ids.ID]bool{}
	var outside []ids.ID
	for i := range list {
		n := &list[i]
		if err := n.Validate(); err != nil {
			return err
		}
		if n.ID == 0 {
			n.ID = ids.New()
		}
		if slices.Contains(codes, n.Code) {
			return errs.InvalidField("code", "duplicate")
		}
		codes = append(codes, n.Code)
		if n.ParentID != 0 && !seen[n.ParentID] {
			outside = append(outside, n.ParentID)
		}
		seen[n.ID] = true
		day := orToday(ctx, n.EffectiveDate)
		recs = append(recs, DepartmentRecord{ID: n.ID, Code: n.Code, Version: 1, CreatedAt: now, UpdatedAt: now})
		vers = append(vers, DepartmentVersion{ID: ids.New(), DepartmentID: n.ID, ValidFrom: day, Name: n.Name, ParentID: n.ParentID,
			HeadEmployeeID: n.HeadEmployeeID, CostCenterID: n.CostCenterID, LocationID: n.LocationID,
			LegalEntityID: n.LegalEntityID, Active: true, Reason: ReasonCreate, CreatedAt: now})
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.LockStructure(ctx); err != nil {
			return err
		}
		taken, err := s.store.DepartmentCodesTaken(ctx, codes)
		if err != nil {
			return err
		}
		if len(taken) > 0 {
			return errs.InvalidField("code", "duplicate")
		}
		if len(outside) > 0 {
			found, err := s.store.ExistingDepartments(ctx, outside)
			if err != nil {
				return err
			}
			for _, id := range outside {
				if !slices.Contains(found, id) {
					return errs.InvalidField("parentId", "org.parent_missing")
				}
			}
		}
		if err := s.store.InsertDepartments(ctx, recs, vers); err != nil {
			return err
		}
		rbac.Changed(ctx, p.TenantID)
		return s.audit.Record(ctx, audit.Event{Action: "import", ObjectType: ObjectDepartment,
			Diff: map[string]any{"departments": len(recs)}})
	})
}
