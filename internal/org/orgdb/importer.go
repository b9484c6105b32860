package orgdb

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Reads and writes of department imports (org.ImportStore).

var _ org.ImportStore = (*Store)(nil)

func (s *Store) DepartmentRecordsByCode(ctx context.Context, codes []string) ([]org.DepartmentRecord, error) {
	c, t, err := s.conn(ctx)
	if err != nil || len(codes) == 0 {
		return nil, err
	}
	var out []org.DepartmentRecord
	for i := 0; i < len(codes); i += 500 {
		var part []org.DepartmentRecord
		err := c.NewSelect().Model(&part).Where("d.tenant_id = ? AND d.code IN (?)", t, bun.In(codes[i:min(i+500, len(codes))])).Scan(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

func (s *Store) DepartmentChildren(ctx context.Context, deptIDs []ids.ID) (map[ids.ID][]ids.ID, error) {
	c, t, err := s.conn(ctx)
	out := map[ids.ID][]ids.ID{}
	if err != nil || len(deptIDs) == 0 {
		return out, err
	}
	for i := 0; i < len(deptIDs); i += 500 {
		var rows []struct {
			ParentID     ids.ID `bun:"parent_id"`
			DepartmentID ids.ID `bun:"department_id"`
		}
		err := c.NewSelect().Table("org_department_versions").ColumnExpr("DISTINCT parent_id, department_id").
			Where("tenant_id = ? AND parent_id IN (?)", t, bun.In(deptIDs[i:min(i+500, len(deptIDs))])).Scan(ctx, &rows)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ParentID] = append(out[r.ParentID], r.DepartmentID)
		}
	}
	return out, nil
}

func (s *Store) PlannedDepartments(ctx context.Context, deptIDs []ids.ID) ([]ids.ID, error) {
	c, t, err := s.conn(ctx)
	if err != nil || len(deptIDs) == 0 {
		return nil, err
	}
	var out []ids.ID
	for i := 0; i < len(deptIDs); i += 500 {
		var part []ids.ID
		err := c.NewSelect().Table("org_headcount_plans").ColumnExpr("DISTINCT department_id").
			Where("tenant_id = ? AND department_id IN (?)", t, bun.In(deptIDs[i:min(i+500, len(deptIDs))])).Scan(ctx, &part)
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

func (s *Store) DeleteDepartment(ctx context.Context, id ids.ID) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	if _, err := c.NewDelete().Model((*org.DepartmentVersion)(nil)).Where("tenant_id = ? AND department_id = ?", t, id).Exec(ctx); err != nil {
		return err
	}
	_, err = c.NewDelete().Model((*org.DepartmentRecord)(nil)).Where("tenant_id = ? AND id = ?", t, id).Exec(ctx)
	return err
}
