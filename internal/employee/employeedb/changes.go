package employeedb

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// The tenant's job changes: assignments (a) of employees (e) in the
// caller's scope, each with the row before it (p: the same employee's row
// that ends the day a starts; history rows are contiguous), newest first.

var _ employee.ChangeStore = (*Store)(nil)

// changesCap is where the count of changes stops.
const changesCap = 10000

// changeRow scans one change.
type changeRow struct {
	employee.Assignment `bun:",extend"`
	EmployeeNo          string     `bun:"employee_no,scanonly"`
	EmployeeName        string     `bun:"employee_name,scanonly"`
	PrevID              ids.ID     `bun:"prev_id,scanonly,nullzero"`
	PrevLegalEntityID   ids.ID     `bun:"prev_legal_entity_id,scanonly,nullzero"`
	PrevDepartmentID    ids.ID     `bun:"prev_department_id,scanonly,nullzero"`
	PrevPositionID      ids.ID     `bun:"prev_position_id,scanonly,nullzero"`
	PrevGradeID         ids.ID     `bun:"prev_grade_id,scanonly,nullzero"`
	PrevManagerID       ids.ID     `bun:"prev_manager_id,scanonly,nullzero"`
	PrevEmploymentType  string     `bun:"prev_employment_type,scanonly"`
	PrevLocationID      ids.ID     `bun:"prev_location_id,scanonly,nullzero"`
	PrevStatus          string     `bun:"prev_status,scanonly"`
	PrevLeaveDate       civil.Date `bun:"prev_leave_date,scanonly"`
}

func (r *changeRow) record() employee.ChangeRecord {
	c := employee.ChangeRecord{Assignment: r.Assignment, EmployeeNo: r.EmployeeNo, EmployeeName: r.EmployeeName}
	if r.PrevID != 0 {
		c.Previous = &employee.Job{LegalEntityID: r.PrevLegalEntityID, DepartmentID: r.PrevDepartmentID, PositionID: r.PrevPositionID,
			GradeID: r.PrevGradeID, ManagerID: r.PrevManagerID, EmploymentType: r.PrevEmploymentType, LocationID: r.PrevLocationID,
			Status: r.PrevStatus, LeaveDate: r.PrevLeaveDate}
	}
	return c
}

// changeColumns are what a change row reads.
func changeColumns() string {
	var b strings.Builder
	for _, c := range []string{"tenant_id", "id", "employee_id", "valid_from", "valid_to", "reason", "note", "created_by", "created_at"} {
		b.WriteString("a." + c + ", ")
	}
	for _, c := range jobSelect {
		b.WriteString("a." + c + ", ")
	}
	b.WriteString("e.employee_no, e.name AS employee_name, p.id AS prev_id")
	for _, c := range []string{"legal_entity_id", "department_id", "position_id", "grade_id", "manager_id", "employment_type",
		"location_id", "status", "leave_date"} {
		b.WriteString(", p." + c + " AS prev_" + c)
	}
	return b.String()
}

// changes selects the matches of f (without order or limit). A count
// reads the employee only to search: every row has one employee and at
// most one row before it, so the joins do not change the number.
func (s *Store) changes(c bun.IDB, t ids.ID, f *employee.ChangeFilter, cols string, count bool) *bun.SelectQuery {
	q := c.NewSelect().TableExpr("employee_assignments AS a").ColumnExpr(cols)
	if !count || len(f.Terms) > 0 || f.IDNumberHash != "" {
		q = q.Join("JOIN employee_employees AS e ON e.tenant_id = a.tenant_id AND e.id = a.employee_id")
	}
	if !count {
		q = q.Join("LEFT JOIN employee_assignments AS p ON p.tenant_id = a.tenant_id AND p.employee_id = a.employee_id AND p.valid_to = a.valid_from")
	}
	q = q.Where("a.tenant_id = ?", t)
	q = changeScope(q, t, f.Scope, f.Self)
	if f.Excluded {
		q = q.Where("1 = 0")
	}
	if !f.From.IsZero() {
		q = q.Where("a.valid_from >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("a.valid_from <= ?", f.To)
	}
	if len(f.Reasons) > 0 {
		q = q.Where("a.reason IN (?)", bun.In(f.Reasons))
	}
	if len(f.DepartmentIDs) > 0 {
		// Into the departments (the row's own) or out of them (the row
		// after one of theirs). As id lists read through the department
		// and employee indexes, a small department costs a few lookups
		// instead of a walk over every row of the tenant.
		in := bun.In(f.DepartmentIDs)
		q = q.Where(`a.id IN (SELECT x.id FROM employee_assignments AS x WHERE x.tenant_id = ? AND x.department_id IN (?)
			UNION ALL SELECT n.id FROM employee_assignments AS o JOIN employee_assignments AS n
				ON n.tenant_id = o.tenant_id AND n.employee_id = o.employee_id AND n.valid_from = o.valid_to
			WHERE o.tenant_id = ? AND o.department_id IN (?))`, t, in, t, in)
	}
	if f.IDNumberHash != "" {
		q = q.Where("e.id_number_hash = ?", f.IDNumberHash)
	}
	for _, term := range f.Terms {
		q = q.Where("e.search_text LIKE ? ESCAPE '\\'", "% "+db.EscapeLike(term)+"%")
	}
	return q
}

// changeScope keeps the rows of the employees a data scope covers (as
// the roster: their department today, or the caller himself), as a list
// of employees read through the department index.
func changeScope(q *bun.SelectQuery, t ids.ID, sc rbac.Scope, self ids.ID) *bun.SelectQuery {
	if sc.All {
		return q
	}
	depts := sc.Departments
	withSelf := sc.Self && self != 0
	inDepts := "a.employee_id IN (SELECT s.id FROM employee_employees AS s WHERE s.tenant_id = ? AND s.department_id IN (?))"
	switch {
	case len(depts) > 0 && withSelf:
		return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(inDepts, t, bun.In(depts)).WhereOr("a.employee_id = ?", self)
		})
	case len(depts) > 0:
		return q.Where(inDepts, t, bun.In(depts))
	case withSelf:
		return q.Where("a.employee_id = ?", self)
	}
	return q.Where("1 = 0")
}

func (s *Store) Changes(ctx context.Context, f *employee.ChangeFilter) ([]employee.ChangeRecord, int, bool, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, 0, false, err
	}
	var rows []changeRow
	page := max(f.Page, 1)
	if err := s.changes(c, t, f, changeColumns(), false).OrderExpr("a.valid_from DESC, a.id DESC").
		Limit(int64(f.Size)).Offset(int64((page-1)*f.Size)).Scan(ctx, &rows); err != nil {
		return nil, 0, false, err
	}
	out := make([]employee.ChangeRecord, len(rows))
	for i := range rows {
		out[i] = rows[i].record()
	}
	var n int
	inner := s.changes(c, t, f, "1", true).Limit(changesCap + 1)
	if err := c.NewSelect().TableExpr("(?) AS x", inner).ColumnExpr("count(*)").Scan(ctx, &n); err != nil {
		return nil, 0, false, err
	}
	return out, min(n, changesCap), n > changesCap, nil
}

func (s *Store) EachChange(ctx context.Context, f *employee.ChangeFilter, fn func(*employee.ChangeRecord) error) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	var last *changeRow
	for {
		var rows []changeRow
		q := s.changes(c, t, f, changeColumns(), false)
		if last != nil {
			// Keyset: the page after the last row, in (day, id) order.
			q = q.Where("(a.valid_from, a.id) < (?, ?)", last.ValidFrom, last.ID)
		}
		if err := q.OrderExpr("a.valid_from DESC, a.id DESC").Limit(eachBatch).Scan(ctx, &rows); err != nil {
			return err
		}
		for i := range rows {
			r := rows[i].record()
			if err := fn(&r); err != nil {
				return err
			}
		}
		if len(rows) < eachBatch {
			return nil
		}
		last = &rows[len(rows)-1]
	}
}
