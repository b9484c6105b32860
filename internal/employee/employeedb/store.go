// Package employeedb stores the employee module's data with bun on
// SQLite or PostgreSQL. Every query is scoped to the principal's tenant.
package employeedb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Store is the bun employee store.
type Store struct {
	db    *db.DB
	cache stmts
	// held is the transaction whose bulk writes keep their set-up
	// (BulkInsertHeld).
	held heldBulk
}

// New returns the store.
func New(d *db.DB) *Store { return &Store{db: d} }

var _ employee.Store = (*Store)(nil)

func (s *Store) conn(ctx context.Context) (bun.IDB, ids.ID, error) {
	t, err := rbac.Tenant(ctx)
	return s.db.Conn(ctx), t, err
}

// profileColumns are written by UpdateEmployee besides the job.
var profileColumns = []string{"employee_no", "name", "english_name", "name_pinyin", "gender", "birth_date", "id_type",
	"id_number_enc", "id_number_hash", "nationality", "ethnicity", "marital_status", "hukou_type", "hukou_place", "education",
	"mobile", "email", "address", "emergency_contacts", "bank_name", "bank_account_enc", "photo_file_id", "first_work_date",
	"custom", "search_text", "version", "updated_at"}

// jobColumns repeat the assignment valid today.
var jobColumns = []string{"assignment_id", "legal_entity_id", "department_id", "position_id", "grade_id", "manager_id",
	"employment_type", "location_id", "status", "period", "hire_date", "probation_months", "probation_end_date",
	"regularisation_date", "leave_date", "leave_reason", "next_change_on"}

func (s *Store) InsertEmployee(ctx context.Context, e *employee.Employee) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	e.TenantID = t
	_, err = c.NewInsert().Model(e).Exec(ctx)
	return err
}

func (s *Store) UpdateEmployee(ctx context.Context, e *employee.Employee) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	res, err := c.NewUpdate().Model(e).Column(append(append([]string{}, profileColumns...), jobColumns...)...).
		Where("tenant_id = ? AND id = ? AND version = ?", t, e.ID, e.Version-1).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "stale")
	}
	return nil
}

func (s *Store) SaveJob(ctx context.Context, e *employee.Employee) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewUpdate().Model(e).Column(jobColumns...).Where("tenant_id = ? AND id = ?", t, e.ID).Exec(ctx)
	return err
}

func (s *Store) employee(ctx context.Context, lock bool, where string, args ...any) (*employee.Employee, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	e := new(employee.Employee)
	q := c.NewSelect().Model(e).Where("e.tenant_id = ?", t).Where(where, args...)
	if lock {
		q = s.db.ForUpdate(q)
	}
	if err := q.Limit(1).Scan(ctx); err != nil {
		return nil, db.NotFound(err, "object.employee")
	}
	return e, nil
}

func (s *Store) Employee(ctx context.Context, id ids.ID) (*employee.Employee, error) {
	return s.employee(ctx, false, "e.id = ?", id)
}

func (s *Store) LockEmployee(ctx context.Context, id ids.ID) (*employee.Employee, error) {
	return s.employee(ctx, true, "e.id = ?", id)
}

func (s *Store) EmployeeByNo(ctx context.Context, no string) (*employee.Employee, error) {
	return s.employee(ctx, false, "e.employee_no = ?", no)
}

func (s *Store) EmployeeByIDHash(ctx context.Context, hash string) (*employee.Employee, error) {
	if hash == "" {
		return nil, errs.NotFoundf("object.employee")
	}
	return s.employee(ctx, false, "e.id_number_hash = ?", hash)
}

func (s *Store) Brief(ctx context.Context, list []ids.ID) ([]employee.Employee, error) {
	c, t, err := s.conn(ctx)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	var out []employee.Employee
	err = c.NewSelect().Model(&out).Column("e.id", "e.employee_no", "e.name", "e.status", "e.department_id", "e.manager_id").
		Where("e.tenant_id = ? AND e.id IN (?)", t, bun.In(uniq(list))).Scan(ctx)
	return out, err
}

func uniq(list []ids.ID) []ids.ID {
	seen := make(map[ids.ID]bool, len(list))
	out := make([]ids.ID, 0, len(list))
	for _, id := range list {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func (s *Store) DueForChange(ctx context.Context, day civil.Date) ([]ids.ID, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []ids.ID
	err = c.NewRaw("SELECT id FROM employee_employees WHERE tenant_id = ? AND next_change_on <= ? ORDER BY id", t, day).Scan(ctx, &out)
	return out, err
}

// active are the statuses of people at work.
var active = []string{employee.StatusProbation, employee.StatusRegular, employee.StatusResigning}

func (s *Store) Staffed(ctx context.Context, deptIDs []ids.ID, day civil.Date, current bool) (map[ids.ID]int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		DepartmentID ids.ID `bun:"department_id"`
		N            int    `bun:"n"`
	}
	var q *bun.SelectQuery
	if current {
		// Today's job is on the employee rows: one pass over the
		// (tenant_id, department_id, status) index.
		q = c.NewSelect().TableExpr("employee_employees AS e").ColumnExpr("e.department_id, count(*) AS n").
			Where("e.tenant_id = ? AND e.status IN (?)", t, bun.In(active)).GroupExpr("e.department_id")
		if len(deptIDs) > 0 && len(deptIDs) <= 500 {
			q = q.Where("e.department_id IN (?)", bun.In(deptIDs))
		}
	} else {
		q = c.NewSelect().TableExpr("employee_assignments AS a").ColumnExpr("a.department_id, count(*) AS n").
			Where("a.tenant_id = ? AND a.valid_from <= ? AND (a.valid_to IS NULL OR a.valid_to > ?)", t, day, day).
			Where("a.status IN (?)", bun.In(active)).GroupExpr("a.department_id")
		if len(deptIDs) > 0 && len(deptIDs) <= 500 {
			q = q.Where("a.department_id IN (?)", bun.In(deptIDs))
		}
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make(map[ids.ID]int, len(rows))
	for _, r := range rows {
		if r.DepartmentID != 0 {
			out[r.DepartmentID] = r.N
		}
	}
	if len(deptIDs) > 0 {
		want := make(map[ids.ID]bool, len(deptIDs))
		for _, d := range deptIDs {
			want[d] = true
		}
		for d := range out {
			if !want[d] {
				delete(out, d)
			}
		}
	}
	return out, nil
}

func (s *Store) DepartmentOf(ctx context.Context, tenantID, employeeID ids.ID, day civil.Date) (ids.ID, string, error) {
	c := s.db.Conn(ctx)
	var rows []struct {
		DepartmentID ids.ID     `bun:"department_id"`
		Status       string     `bun:"status"`
		ValidFrom    civil.Date `bun:"valid_from"`
	}
	// The row valid on day, else (a hire not yet started) the first one.
	err := c.NewRaw(`SELECT department_id, status, valid_from FROM employee_assignments
		WHERE tenant_id = ? AND employee_id = ? AND valid_from <= ? ORDER BY valid_from DESC LIMIT 1`, tenantID, employeeID, day).Scan(ctx, &rows)
	if err != nil {
		return 0, "", err
	}
	if len(rows) == 0 {
		err = c.NewRaw(`SELECT department_id, status, valid_from FROM employee_assignments
			WHERE tenant_id = ? AND employee_id = ? ORDER BY valid_from LIMIT 1`, tenantID, employeeID).Scan(ctx, &rows)
		if err != nil {
			return 0, "", err
		}
		if len(rows) == 0 {
			return 0, "", errs.NotFoundf("object.employee")
		}
		return rows[0].DepartmentID, employee.StatusPending, nil
	}
	return rows[0].DepartmentID, rows[0].Status, nil
}

func (s *Store) ManagerOn(ctx context.Context, employeeIDs []ids.ID, day civil.Date) (map[ids.ID]ids.ID, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	out := map[ids.ID]ids.ID{}
	if len(employeeIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		EmployeeID ids.ID `bun:"employee_id"`
		ManagerID  ids.ID `bun:"manager_id"`
	}
	err = c.NewRaw(`SELECT employee_id, manager_id FROM employee_assignments WHERE tenant_id = ? AND employee_id IN (?)
		AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)`, t, bun.In(employeeIDs), day, day).Scan(ctx, &rows)
	for _, r := range rows {
		out[r.EmployeeID] = r.ManagerID
	}
	return out, err
}

// ---- assignments

func (s *Store) Assignments(ctx context.Context, employeeID ids.ID) ([]employee.Assignment, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []employee.Assignment
	err = c.NewSelect().Model(&out).Where("a.tenant_id = ? AND a.employee_id = ?", t, employeeID).Order("a.valid_from").Scan(ctx)
	return out, err
}

func (s *Store) InsertAssignment(ctx context.Context, a *employee.Assignment) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	a.TenantID = t
	_, err = c.NewInsert().Model(a).Exec(ctx)
	return err
}

func (s *Store) UpdateAssignment(ctx context.Context, a *employee.Assignment) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewUpdate().Model(a).ExcludeColumn("tenant_id", "id", "employee_id", "created_by", "created_at").
		Where("tenant_id = ? AND id = ?", t, a.ID).Exec(ctx)
	return err
}

func (s *Store) DeleteAssignment(ctx context.Context, id ids.ID) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewDelete().TableExpr("employee_assignments").Where("tenant_id = ? AND id = ?", t, id).Exec(ctx)
	return err
}

func (s *Store) ChangeDates(ctx context.Context, employeeIDs []ids.ID, after civil.Date) ([]civil.Date, error) {
	c, t, err := s.conn(ctx)
	if err != nil || len(employeeIDs) == 0 {
		return nil, err
	}
	var rows []struct {
		ValidFrom civil.Date `bun:"valid_from"`
	}
	err = c.NewRaw(`SELECT DISTINCT valid_from FROM employee_assignments WHERE tenant_id = ? AND employee_id IN (?) AND valid_from > ?
		ORDER BY valid_from LIMIT 20`, t, bun.In(employeeIDs), after).Scan(ctx, &rows)
	out := make([]civil.Date, len(rows))
	for i, r := range rows {
		out[i] = r.ValidFrom
	}
	return out, err
}

// ---- numbers and settings

func defaultRule(t ids.ID) *employee.NumberRule {
	return &employee.NumberRule{TenantID: t, Prefix: "RS", Width: 6, NextValue: 1}
}

func (s *Store) NumberRule(ctx context.Context) (*employee.NumberRule, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	r := new(employee.NumberRule)
	if err := c.NewSelect().Model(r).Where("n.tenant_id = ?", t).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return defaultRule(t), nil
		}
		return nil, err
	}
	return r, nil
}

func (s *Store) TakeNumbers(ctx context.Context, n int) (*employee.NumberRule, int64, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	d := defaultRule(t)
	d.Version, d.UpdatedAt = 1, time.Now().UTC()
	if _, err := c.NewInsert().Model(d).On("CONFLICT (tenant_id) DO NOTHING").Exec(ctx); err != nil {
		return nil, 0, err
	}
	r := new(employee.NumberRule)
	// The update's row lock serialises concurrent hires on PostgreSQL.
	err = c.NewRaw("UPDATE employee_number_rules SET next_value = next_value + ? WHERE tenant_id = ? RETURNING tenant_id, prefix, width, next_value, version, updated_at",
		n, t).Scan(ctx, r)
	if err != nil {
		return nil, 0, err
	}
	return r, r.NextValue - int64(n), nil
}

func (s *Store) SaveNumberRule(ctx context.Context, r *employee.NumberRule) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	r.TenantID = t
	_, err = c.NewInsert().Model(r).On("CONFLICT (tenant_id) DO UPDATE").
		Set("prefix = EXCLUDED.prefix, width = EXCLUDED.width, next_value = EXCLUDED.next_value, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at").
		Exec(ctx)
	return err
}

func (s *Store) Settings(ctx context.Context) (*employee.Settings, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	st := new(employee.Settings)
	if err := c.NewSelect().Model(st).Where("st.tenant_id = ?", t).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return &employee.Settings{TenantID: t, SelfEditable: append([]string(nil), employee.DefaultSelfEditable...)}, nil
		}
		return nil, err
	}
	if st.SelfEditable == nil {
		st.SelfEditable = []string{}
	}
	return st, nil
}

func (s *Store) SaveSettings(ctx context.Context, st *employee.Settings) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	st.TenantID = t
	_, err = c.NewInsert().Model(st).On("CONFLICT (tenant_id) DO UPDATE").
		Set("self_editable = EXCLUDED.self_editable, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at").Exec(ctx)
	return err
}

// ---- search tokens and custom values

// ReplaceTokens deletes the old tokens by key (the table has no index by
// employee, to keep bulk writes fast) and inserts the new ones.
func (s *Store) ReplaceTokens(ctx context.Context, employeeID ids.ID, old, new []string) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	var gone, added []string
	for _, o := range old {
		if !slices.Contains(new, o) {
			gone = append(gone, o)
		}
	}
	for _, n := range new {
		if !slices.Contains(old, n) {
			added = append(added, n)
		}
	}
	if len(gone) > 0 {
		if _, err := c.NewDelete().TableExpr("employee_search").Where("tenant_id = ? AND token IN (?) AND employee_id = ?", t, bun.In(gone), employeeID).Exec(ctx); err != nil {
			return err
		}
	}
	if len(added) == 0 {
		return nil
	}
	rows := make([]employee.Token, len(added))
	for i, tok := range added {
		rows[i] = employee.Token{TenantID: t, Token: tok, EmployeeID: employeeID}
	}
	_, err = c.NewInsert().Model(&rows).On("CONFLICT DO NOTHING").Exec(ctx)
	return err
}

func (s *Store) ReplaceCustomValues(ctx context.Context, employeeID ids.ID, values []employee.CustomValue) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	if _, err := c.NewDelete().TableExpr("employee_custom_values").Where("tenant_id = ? AND employee_id = ?", t, employeeID).Exec(ctx); err != nil {
		return err
	}
	if len(values) == 0 {
		return nil
	}
	for i := range values {
		values[i].TenantID, values[i].EmployeeID = t, employeeID
	}
	_, err = c.NewInsert().Model(&values).Exec(ctx)
	return err
}

func (s *Store) DeleteCustomValues(ctx context.Context, code string) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewDelete().TableExpr("employee_custom_values").Where("tenant_id = ? AND field_code = ?", t, code).Exec(ctx)
	return err
}

// ---- contracts and agreements

func (s *Store) Contracts(ctx context.Context, employeeID ids.ID) ([]employee.Contract, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []employee.Contract
	err = c.NewSelect().Model(&out).Where("c.tenant_id = ? AND c.employee_id = ?", t, employeeID).Order("c.start_date", "c.id").Scan(ctx)
	return out, err
}

func (s *Store) ContractsEnding(ctx context.Context, from, to civil.Date) ([]employee.Contract, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []employee.Contract
	err = c.NewSelect().Model(&out).Where("c.tenant_id = ? AND c.end_date >= ? AND c.end_date <= ?", t, from, to).
		Order("c.end_date", "c.id").Scan(ctx)
	return out, err
}

func (s *Store) Contract(ctx context.Context, id ids.ID) (*employee.Contract, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	x := new(employee.Contract)
	if err := c.NewSelect().Model(x).Where("c.tenant_id = ? AND c.id = ?", t, id).Scan(ctx); err != nil {
		return nil, db.NotFound(err, "object.contract")
	}
	return x, nil
}

func (s *Store) InsertContract(ctx context.Context, x *employee.Contract) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	x.TenantID = t
	_, err = c.NewInsert().Model(x).Exec(ctx)
	return err
}

func (s *Store) UpdateContract(ctx context.Context, x *employee.Contract) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	res, err := c.NewUpdate().Model(x).Column("number", "start_date", "end_date", "signing_entity_id", "status", "note", "version", "updated_at").
		Where("tenant_id = ? AND id = ? AND version = ?", t, x.ID, x.Version-1).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "stale")
	}
	return nil
}

func (s *Store) SetSequences(ctx context.Context, seq map[ids.ID]int) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	for id, n := range seq {
		if _, err := c.NewRaw("UPDATE employee_contracts SET sequence = ? WHERE tenant_id = ? AND id = ?", n, t, id).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) Agreements(ctx context.Context, employeeID ids.ID) ([]employee.Agreement, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []employee.Agreement
	err = c.NewSelect().Model(&out).Where("g.tenant_id = ? AND g.employee_id = ?", t, employeeID).Order("g.start_date", "g.id").Scan(ctx)
	return out, err
}

func (s *Store) InsertAgreement(ctx context.Context, a *employee.Agreement) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	a.TenantID = t
	_, err = c.NewInsert().Model(a).Exec(ctx)
	return err
}

// ---- documents

func (s *Store) Documents(ctx context.Context, employeeID ids.ID) ([]employee.Document, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []employee.Document
	err = c.NewSelect().Model(&out).Where("d.tenant_id = ? AND d.employee_id = ?", t, employeeID).Order("d.uploaded_at", "d.id").Scan(ctx)
	return out, err
}

func (s *Store) Document(ctx context.Context, id ids.ID) (*employee.Document, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	d := new(employee.Document)
	if err := c.NewSelect().Model(d).Where("d.tenant_id = ? AND d.id = ?", t, id).Scan(ctx); err != nil {
		return nil, db.NotFound(err, "object.document")
	}
	return d, nil
}

func (s *Store) InsertDocument(ctx context.Context, d *employee.Document) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	d.TenantID = t
	_, err = c.NewInsert().Model(d).Exec(ctx)
	return err
}

// ---- custom fields

func (s *Store) Fields(ctx context.Context) ([]employee.Field, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []employee.Field
	err = c.NewSelect().Model(&out).Where("f.tenant_id = ?", t).Order("f.sort", "f.code").Scan(ctx)
	return out, err
}

func (s *Store) Field(ctx context.Context, id ids.ID) (*employee.Field, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	f := new(employee.Field)
	if err := c.NewSelect().Model(f).Where("f.tenant_id = ? AND f.id = ?", t, id).Scan(ctx); err != nil {
		return nil, db.NotFound(err, "object.employee_field")
	}
	return f, nil
}

func (s *Store) InsertField(ctx context.Context, f *employee.Field) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	f.TenantID = t
	_, err = c.NewInsert().Model(f).Exec(ctx)
	return err
}

func (s *Store) UpdateField(ctx context.Context, f *employee.Field) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	res, err := c.NewUpdate().Model(f).Column("label", "options", "required", "show_in_list", "self_editable", "sort", "version", "updated_at").
		Where("tenant_id = ? AND id = ? AND version = ?", t, f.ID, f.Version-1).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "stale")
	}
	return nil
}

func (s *Store) DeleteField(ctx context.Context, id ids.ID) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewDelete().TableExpr("employee_fields").Where("tenant_id = ? AND id = ?", t, id).Exec(ctx)
	return err
}

// ---- saved views

func (s *Store) Views(ctx context.Context, userID ids.ID) ([]employee.View, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []employee.View
	err = c.NewSelect().Model(&out).Where("v.tenant_id = ? AND v.user_id = ?", t, userID).Order("v.name", "v.id").Scan(ctx)
	return out, err
}

func (s *Store) View(ctx context.Context, id ids.ID) (*employee.View, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	v := new(employee.View)
	if err := c.NewSelect().Model(v).Where("v.tenant_id = ? AND v.id = ?", t, id).Scan(ctx); err != nil {
		return nil, db.NotFound(err, "object.view")
	}
	return v, nil
}

func (s *Store) InsertView(ctx context.Context, v *employee.View) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	v.TenantID = t
	_, err = c.NewInsert().Model(v).Exec(ctx)
	return err
}

func (s *Store) UpdateView(ctx context.Context, v *employee.View) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewUpdate().Model(v).Column("name", "filters", "columns", "sort", "updated_at").Where("tenant_id = ? AND id = ?", t, v.ID).Exec(ctx)
	return err
}

func (s *Store) DeleteView(ctx context.Context, id ids.ID) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewDelete().TableExpr("employee_views").Where("tenant_id = ? AND id = ?", t, id).Exec(ctx)
	return err
}

// ---- bank-account requests

func (s *Store) BankRequests(ctx context.Context, f employee.BankRequestFilter) ([]employee.BankRequest, int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	var out []employee.BankRequest
	q := c.NewSelect().Model(&out).Where("b.tenant_id = ?", t)
	if f.Status != "" {
		q = q.Where("b.status = ?", f.Status)
	}
	if f.EmployeeID != 0 {
		q = q.Where("b.employee_id = ?", f.EmployeeID)
	}
	n, err := db.ScanPage(ctx, q.Order("b.requested_at DESC", "b.id DESC"), f.Page, f.Size)
	return out, n, err
}

func (s *Store) BankRequest(ctx context.Context, id ids.ID) (*employee.BankRequest, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	b := new(employee.BankRequest)
	q := c.NewSelect().Model(b).Where("b.tenant_id = ? AND b.id = ?", t, id)
	if err := s.db.ForUpdate(q).Scan(ctx); err != nil {
		return nil, db.NotFound(err, "object.bank_request")
	}
	return b, nil
}

func (s *Store) InsertBankRequest(ctx context.Context, b *employee.BankRequest) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	b.TenantID = t
	_, err = c.NewInsert().Model(b).Exec(ctx)
	return err
}

func (s *Store) UpdateBankRequest(ctx context.Context, b *employee.BankRequest) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	res, err := c.NewUpdate().Model(b).Column("status", "comment", "reviewed_by", "reviewed_at").
		Where("tenant_id = ? AND id = ? AND status = ?", t, b.ID, employee.RequestPending).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "stale")
	}
	return nil
}
