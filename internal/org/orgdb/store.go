// Package orgdb stores the organisation with bun on SQLite or
// PostgreSQL. Every query is scoped to the principal's tenant.
package orgdb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Store is the bun organisation store.
type Store struct {
	db            *db.DB
	legalEntities *records[org.LegalEntity]
	costCenters   *records[org.CostCenter]
	locations     *records[org.Location]
	grades        *records[org.Grade]
	positions     *records[org.Position]
}

// New returns the store.
func New(d *db.DB) *Store {
	s := &Store{db: d}
	s.legalEntities = &records[org.LegalEntity]{s: s, kind: kind{
		object: "object.legal_entity", unique: "credit_code", uniqueField: "creditCode",
		search: []string{"name", "credit_code", "registered_address"},
		sorts:  map[string]string{"name": "name", "creditCode": "credit_code", "createdAt": "created_at"}, sort: "name",
	}}
	s.costCenters = &records[org.CostCenter]{s: s, kind: kind{
		object: "object.cost_center", unique: "code", uniqueField: "code",
		search: []string{"code", "name"},
		sorts:  map[string]string{"code": "code", "name": "name", "createdAt": "created_at"}, sort: "code",
	}}
	s.locations = &records[org.Location]{s: s, kind: kind{
		object: "object.location",
		search: []string{"name", "address", "city"},
		sorts:  map[string]string{"name": "name", "city": "city", "createdAt": "created_at"}, sort: "name",
	}}
	s.grades = &records[org.Grade]{s: s, kind: kind{
		object: "object.grade", unique: "code", uniqueField: "code",
		search: []string{"code", "name", "track"},
		sorts:  map[string]string{"rank": "rank", "code": "code", "name": "name", "track": "track"}, sort: "rank",
	}}
	s.positions = &records[org.Position]{s: s, kind: kind{
		object: "object.position", unique: "code", uniqueField: "code",
		search: []string{"code", "name", "job_family"},
		sorts:  map[string]string{"code": "code", "name": "name", "jobFamily": "job_family", "createdAt": "created_at"}, sort: "code",
	}}
	return s
}

var _ org.Store = (*Store)(nil)

func (s *Store) conn(ctx context.Context) (bun.IDB, ids.ID, error) {
	t, err := rbac.Tenant(ctx)
	return s.db.Conn(ctx), t, err
}

func (s *Store) LegalEntities() org.Records[org.LegalEntity] { return s.legalEntities }
func (s *Store) CostCenters() org.Records[org.CostCenter]    { return s.costCenters }
func (s *Store) Locations() org.Records[org.Location]        { return s.locations }
func (s *Store) Grades() org.Records[org.Grade]              { return s.grades }
func (s *Store) Positions() org.Records[org.Position]        { return s.positions }

// kind describes one catalogue table.
type kind struct {
	object      string   // message key naming the object in NotFound
	unique      string   // column unique per tenant ("" for none)
	uniqueField string   // its JSON name, for field errors
	search      []string // columns q matches
	sorts       map[string]string
	sort        string // default sort column
}

// records stores one catalogue; every model has alias x.
type records[T any] struct {
	s    *Store
	kind kind
}

func (r *records[T]) Insert(ctx context.Context, v *T) error {
	c, t, err := r.s.conn(ctx)
	if err != nil {
		return err
	}
	setTenant(v, t)
	_, err = c.NewInsert().Model(v).Exec(ctx)
	return r.duplicate(err)
}

func (r *records[T]) Update(ctx context.Context, v *T) error {
	c, t, err := r.s.conn(ctx)
	if err != nil {
		return err
	}
	setTenant(v, t)
	id, version := keyOf(v)
	res, err := c.NewUpdate().Model(v).ExcludeColumn("created_at").
		Where("tenant_id = ? AND id = ? AND version = ?", t, id, version-1).Exec(ctx)
	if err != nil {
		return r.duplicate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "stale")
	}
	return nil
}

// duplicate turns a unique violation (two writers racing past the
// service's check) into the field error the check would have given.
func (r *records[T]) duplicate(err error) error {
	if err != nil && db.IsUniqueViolation(err) && r.kind.uniqueField != "" {
		return errs.InvalidField(r.kind.uniqueField, "duplicate")
	}
	return err
}

func (r *records[T]) Get(ctx context.Context, id ids.ID) (*T, error) {
	c, t, err := r.s.conn(ctx)
	if err != nil {
		return nil, err
	}
	v := new(T)
	err = c.NewSelect().Model(v).Where("x.tenant_id = ? AND x.id = ?", t, id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.NotFoundf(r.kind.object)
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

func (r *records[T]) query(ctx context.Context, dest *[]T, f org.ListFilter) (*bun.SelectQuery, error) {
	c, t, err := r.s.conn(ctx)
	if err != nil {
		return nil, err
	}
	q := c.NewSelect().Model(dest).Where("x.tenant_id = ?", t)
	if text := strings.TrimSpace(f.Query); text != "" {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			for _, col := range r.kind.search {
				expr, args := r.s.db.ContainsFoldExpr("x."+col, text)
				q = q.WhereOr(expr, args...)
			}
			return q
		})
	}
	if f.Active != nil {
		q = q.Where("x.active = ?", *f.Active)
	}
	key, desc := strings.TrimPrefix(f.Sort, "-"), strings.HasPrefix(f.Sort, "-")
	col, ok := r.kind.sorts[key]
	if !ok {
		col, desc = r.kind.sort, false
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	return q.OrderExpr("? "+dir, bun.Ident("x."+col)).OrderExpr("x.id"), nil
}

func (r *records[T]) List(ctx context.Context, f org.ListFilter) ([]T, int, error) {
	var out []T
	q, err := r.query(ctx, &out, f)
	if err != nil {
		return nil, 0, err
	}
	n, err := db.ScanPage(ctx, q, f.Page, f.Size)
	if out == nil {
		out = []T{}
	}
	return out, n, err
}

func (r *records[T]) Each(ctx context.Context, f org.ListFilter, fn func(*T) error) error {
	const batch = 500
	for offset := 0; ; offset += batch {
		var out []T
		q, err := r.query(ctx, &out, f)
		if err != nil {
			return err
		}
		if err := q.Limit(batch).Offset(int64(offset)).Scan(ctx); err != nil {
			return err
		}
		for i := range out {
			if err := fn(&out[i]); err != nil {
				return err
			}
		}
		if len(out) < batch {
			return nil
		}
	}
}

func (r *records[T]) Taken(ctx context.Context, value string, except ids.ID) (bool, error) {
	if r.kind.unique == "" {
		return false, nil
	}
	c, t, err := r.s.conn(ctx)
	if err != nil {
		return false, err
	}
	return c.NewSelect().Model((*T)(nil)).Where("x.tenant_id = ? AND ? = ? AND x.id <> ?", t, bun.Ident("x."+r.kind.unique), value, except).Exists(ctx)
}

// setTenant stamps the principal's tenant on a catalogue record.
func setTenant(v any, t ids.ID) {
	switch x := v.(type) {
	case *org.LegalEntity:
		x.TenantID = t
	case *org.CostCenter:
		x.TenantID = t
	case *org.Location:
		x.TenantID = t
	case *org.Grade:
		x.TenantID = t
	case *org.Position:
		x.TenantID = t
	}
}

func keyOf(v any) (ids.ID, int) {
	switch x := v.(type) {
	case *org.LegalEntity:
		return x.ID, x.Version
	case *org.CostCenter:
		return x.ID, x.Version
	case *org.Location:
		return x.ID, x.Version
	case *org.Grade:
		return x.ID, x.Version
	case *org.Position:
		return x.ID, x.Version
	}
	panic("orgdb: not a catalogue record")
}

// ---- grades and headcount plans

func (s *Store) GradesByID(ctx context.Context, gradeIDs []ids.ID) (map[ids.ID]org.Grade, error) {
	out := map[ids.ID]org.Grade{}
	if len(gradeIDs) == 0 {
		return out, nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var rows []org.Grade
	if err := c.NewSelect().Model(&rows).Where("x.tenant_id = ? AND x.id IN (?)", t, bun.In(gradeIDs)).Scan(ctx); err != nil {
		return nil, err
	}
	for _, g := range rows {
		out[g.ID] = g
	}
	return out, nil
}

func (s *Store) HeadcountPlan(ctx context.Context, positionID ids.ID) ([]org.PlanRow, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	out := []org.PlanRow{}
	err = c.NewSelect().Model(&out).Where("hp.tenant_id = ? AND hp.position_id = ?", t, positionID).Order("hp.department_id").Scan(ctx)
	return out, err
}

func (s *Store) PlannedTotals(ctx context.Context, positionIDs []ids.ID) (map[ids.ID]int, error) {
	out := map[ids.ID]int{}
	if len(positionIDs) == 0 {
		return out, nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		PositionID ids.ID `bun:"position_id"`
		N          int    `bun:"n"`
	}
	err = c.NewSelect().Table("org_headcount_plans").Column("position_id").ColumnExpr("SUM(planned) AS n").
		Where("tenant_id = ? AND position_id IN (?)", t, bun.In(positionIDs)).Group("position_id").Scan(ctx, &rows)
	for _, r := range rows {
		out[r.PositionID] = r.N
	}
	return out, err
}

func (s *Store) ReplaceHeadcountPlan(ctx context.Context, positionID ids.ID, rows []org.PlanRow) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	if _, err := c.NewDelete().Model((*org.PlanRow)(nil)).Where("tenant_id = ? AND position_id = ?", t, positionID).Exec(ctx); err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	for i := range rows {
		rows[i].TenantID, rows[i].PositionID = t, positionID
	}
	_, err = c.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// ---- departments

func (s *Store) InsertDepartment(ctx context.Context, d *org.DepartmentRecord) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	d.TenantID = t
	_, err = c.NewInsert().Model(d).Exec(ctx)
	if err != nil && db.IsUniqueViolation(err) {
		return errs.InvalidField("code", "duplicate")
	}
	return err
}

func (s *Store) DepartmentRecord(ctx context.Context, id ids.ID) (*org.DepartmentRecord, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	d := new(org.DepartmentRecord)
	err = c.NewSelect().Model(d).Where("d.tenant_id = ? AND d.id = ?", t, id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.NotFoundf("object.department")
	}
	return d, err
}

func (s *Store) DepartmentCodeTaken(ctx context.Context, code string) (bool, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return false, err
	}
	return c.NewSelect().Model((*org.DepartmentRecord)(nil)).Where("d.tenant_id = ? AND d.code = ?", t, code).Exists(ctx)
}

func (s *Store) DepartmentCodesTaken(ctx context.Context, codes []string) ([]string, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := 0; i < len(codes); i += 500 {
		var part []string
		err := c.NewSelect().Table("org_departments").Column("code").
			Where("tenant_id = ? AND code IN (?)", t, bun.In(codes[i:min(i+500, len(codes))])).Scan(ctx, &part)
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

func (s *Store) InsertDepartments(ctx context.Context, recs []org.DepartmentRecord, vers []org.DepartmentVersion) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	for i := range recs {
		recs[i].TenantID = t
	}
	for i := range vers {
		vers[i].TenantID = t
	}
	// Chunks keep each statement under SQLite's and PostgreSQL's parameter limits.
	for i := 0; i < len(recs); i += 500 {
		part := recs[i:min(i+500, len(recs))]
		if _, err := c.NewInsert().Model(&part).Exec(ctx); err != nil {
			if db.IsUniqueViolation(err) {
				return errs.InvalidField("code", "duplicate")
			}
			return err
		}
	}
	for i := 0; i < len(vers); i += 500 {
		part := vers[i:min(i+500, len(vers))]
		if _, err := c.NewInsert().Model(&part).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) SaveDepartment(ctx context.Context, d *org.DepartmentRecord) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	res, err := c.NewUpdate().Table("org_departments").Set("version = ?", d.Version).Set("updated_at = ?", d.UpdatedAt).
		Where("tenant_id = ? AND id = ? AND version = ?", t, d.ID, d.Version-1).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "stale")
	}
	return nil
}

func (s *Store) ExistingDepartments(ctx context.Context, deptIDs []ids.ID) ([]ids.ID, error) {
	if len(deptIDs) == 0 {
		return nil, nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []ids.ID
	err = c.NewSelect().Table("org_departments").Column("id").Where("tenant_id = ? AND id IN (?)", t, bun.In(deptIDs)).Scan(ctx, &out)
	return out, err
}

func (s *Store) InsertVersion(ctx context.Context, v *org.DepartmentVersion) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	v.TenantID = t
	_, err = c.NewInsert().Model(v).Exec(ctx)
	return err
}

func (s *Store) UpdateVersion(ctx context.Context, v *org.DepartmentVersion) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	v.TenantID = t
	_, err = c.NewUpdate().Model(v).ExcludeColumn("department_id").Where("tenant_id = ? AND id = ?", t, v.ID).Exec(ctx)
	return err
}

func (s *Store) DeleteVersion(ctx context.Context, id ids.ID) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewDelete().Model((*org.DepartmentVersion)(nil)).Where("tenant_id = ? AND id = ?", t, id).Exec(ctx)
	return err
}

func (s *Store) DepartmentHistory(ctx context.Context, departmentIDs ...ids.ID) ([]org.DepartmentVersion, error) {
	if len(departmentIDs) == 0 {
		return nil, nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []org.DepartmentVersion
	err = c.NewSelect().Model(&out).Where("v.tenant_id = ? AND v.department_id IN (?)", t, bun.In(departmentIDs)).
		Order("v.department_id", "v.valid_from").Scan(ctx)
	return out, err
}

// asOf is the one condition of every "as of day" read.
const asOf = "v.valid_from <= ? AND (v.valid_to IS NULL OR v.valid_to > ?)"

// departmentRow is a version joined with its department's identity.
type departmentRow struct {
	org.DepartmentVersion `bun:",extend"`
	Code                  string `bun:"code"`
	Lock                  int    `bun:"lock_version"`
}

// viewColumns are the version columns a Department view needs.
var viewColumns = []string{"v.id", "v.department_id", "v.valid_from", "v.valid_to", "v.name", "v.parent_id",
	"v.head_employee_id", "v.cost_center_id", "v.location_id", "v.legal_entity_id", "v.active"}

func (s *Store) departmentQuery(ctx context.Context, dest any, day civil.Date) (*bun.SelectQuery, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	return c.NewSelect().Model(dest).Column(viewColumns...).ColumnExpr("d.code AS code, d.version AS lock_version").
		Join("JOIN org_departments AS d ON d.tenant_id = v.tenant_id AND d.id = v.department_id").
		Where("v.tenant_id = ?", t).Where(asOf, day, day), nil
}

func (s *Store) DepartmentsOn(ctx context.Context, day civil.Date) ([]org.Department, error) {
	var rows []departmentRow
	q, err := s.departmentQuery(ctx, &rows, day)
	if err != nil {
		return nil, err
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]org.Department, len(rows))
	for i := range rows {
		out[i] = rows[i].View(rows[i].Code, rows[i].Lock)
	}
	return out, nil
}

func (s *Store) DepartmentOn(ctx context.Context, id ids.ID, day civil.Date) (*org.Department, error) {
	var row departmentRow
	q, err := s.departmentQuery(ctx, &row, day)
	if err != nil {
		return nil, err
	}
	err = q.Where("v.department_id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.NotFoundf("object.department")
	}
	if err != nil {
		return nil, err
	}
	d := row.View(row.Code, row.Lock)
	return &d, nil
}

// ancestorsSQL walks up the tree as of a day in one recursive query
// (both engines support WITH RECURSIVE); the depth bound stops a cycle in
// stored data from looping.
const ancestorsSQL = `WITH RECURSIVE up (department_id, parent_id, name, depth) AS (
	SELECT v.department_id, v.parent_id, v.name, 0 FROM org_department_versions AS v
	WHERE v.tenant_id = ? AND v.department_id = ? AND ` + asOf + `
	UNION ALL
	SELECT v.department_id, v.parent_id, v.name, up.depth + 1 FROM up
	JOIN org_department_versions AS v ON v.tenant_id = ? AND v.department_id = up.parent_id AND ` + asOf + `
	WHERE up.depth < 100
)
SELECT department_id, name FROM up ORDER BY depth`

func (s *Store) Ancestors(ctx context.Context, parentID ids.ID, day civil.Date) ([]org.Department, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID   ids.ID `bun:"department_id"`
		Name string `bun:"name"`
	}
	if err := c.NewRaw(ancestorsSQL, t, parentID, day, day, t, day, day).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make([]org.Department, len(rows))
	for i, r := range rows {
		out[i] = org.Department{ID: r.ID, Name: r.Name}
	}
	return out, nil
}

// subtreeSQL walks down the tree as of a day from the roots, through
// the parent index, in one recursive query.
const subtreeSQL = `WITH RECURSIVE down (department_id, depth) AS (
	SELECT v.department_id, 0 FROM org_department_versions AS v
	WHERE v.tenant_id = ? AND v.department_id IN (?) AND ` + asOf + `
	UNION ALL
	SELECT v.department_id, down.depth + 1 FROM down
	JOIN org_department_versions AS v ON v.tenant_id = ? AND v.parent_id = down.department_id AND ` + asOf + `
	WHERE down.depth < 100
)
SELECT DISTINCT department_id FROM down`

func (s *Store) Subtree(ctx context.Context, roots []ids.ID, day civil.Date) ([]ids.ID, error) {
	if len(roots) == 0 {
		return nil, nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []ids.ID
	err = c.NewRaw(subtreeSQL, t, bun.In(roots), day, day, t, day, day).Scan(ctx, &out)
	return out, err
}

func (s *Store) VersionsFrom(ctx context.Context, day civil.Date) ([]org.DepartmentVersion, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []org.DepartmentVersion
	err = c.NewSelect().Model(&out).Where("v.tenant_id = ? AND (v.valid_to IS NULL OR v.valid_to > ?)", t, day).Scan(ctx)
	return out, err
}

// LockStructure takes the tenant row's lock on PostgreSQL, so two
// concurrent moves cannot together close a cycle each alone would not.
// NO KEY UPDATE serialises structure changes without blocking inserts
// that merely reference the tenant. SQLite's single writer already
// serialises them.
func (s *Store) LockStructure(ctx context.Context) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	if s.db.Engine != db.Postgres {
		return nil
	}
	var id ids.ID
	return c.NewSelect().Table("platform_tenants").Column("id").Where("id = ?", t).For("NO KEY UPDATE").Scan(ctx, &id)
}
