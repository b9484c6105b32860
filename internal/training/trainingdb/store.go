// Package trainingdb stores the training module's data with bun on SQLite
// or PostgreSQL. Every query is scoped to the principal's tenant.
package trainingdb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/training"
)

// Store is the bun training store.
type Store struct{ db *db.DB }

// New returns the store.
func New(d *db.DB) *Store { return &Store{db: d} }

var _ training.Store = (*Store)(nil)

func (s *Store) conn(ctx context.Context) (bun.IDB, ids.ID, error) {
	t, err := rbac.Tenant(ctx)
	return s.db.Conn(ctx), t, err
}

// count narrows bun's int64 count.
func count(n int64, err error) (int, error) { return int(n), err }

// chunk keeps multi-row statements under both engines' parameter limits.
const chunk = 500

func stale(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "stale")
	}
	return nil
}

// ---- catalogue

func (s *Store) InsertModule(ctx context.Context, m *training.Module) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	m.TenantID = t
	_, err = c.NewInsert().Model(m).Exec(ctx)
	return err
}

func (s *Store) UpdateModule(ctx context.Context, m *training.Module, prev int) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	return stale(c.NewUpdate().Model(m).ExcludeColumn("tenant_id", "id", "created_by", "created_at").
		Where("tenant_id = ? AND id = ? AND version = ?", t, m.ID, prev).Exec(ctx))
}

// moduleCounts adds the material and question counts to a module query.
func moduleCounts(q *bun.SelectQuery) *bun.SelectQuery {
	return q.ColumnExpr("m.*").
		ColumnExpr("(SELECT COUNT(*) FROM training_materials mt WHERE mt.tenant_id = m.tenant_id AND mt.module_id = m.id AND NOT mt.deleted) AS material_count").
		ColumnExpr("(SELECT COUNT(*) FROM training_questions q WHERE q.tenant_id = m.tenant_id AND q.module_id = m.id AND NOT q.deleted) AS question_count")
}

func (s *Store) Module(ctx context.Context, id ids.ID) (*training.Module, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	m := new(training.Module)
	err = c.NewSelect().Model(m).Where("m.tenant_id = ? AND m.id = ?", t, id).Scan(ctx)
	return m, db.NotFound(err, "object.training_module")
}

func (s *Store) Modules(ctx context.Context, f training.ModuleFilter) ([]training.Module, int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	var out []training.Module
	q := moduleCounts(c.NewSelect().Model(&out)).Where("m.tenant_id = ?", t).Where("m.archived = ?", f.Archived)
	if f.Q != "" {
		q = s.db.ContainsFold(q, "m.title", f.Q)
	}
	if f.Kind != "" {
		q = q.Where("m.kind = ?", f.Kind)
	}
	if f.DepartmentID != 0 {
		q = q.Where("m.owner_department_id = ?", f.DepartmentID)
	}
	if e := f.Edit; e != nil {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			if e.General {
				q = q.WhereOr("m.kind = ?", training.General)
			}
			switch {
			case e.AllProfessional:
				q = q.WhereOr("m.kind = ?", training.Professional)
			case len(e.Departments) > 0:
				q = q.WhereOr("m.kind = ? AND m.owner_department_id IN (?)", training.Professional, bun.In(e.Departments))
			}
			return q.WhereOr("1 = 0")
		})
	}
	total, err := db.ScanPage(ctx, q.OrderExpr("m.kind, m.title, m.id"), f.Page, f.Size)
	return out, total, err
}

func (s *Store) ModulesByID(ctx context.Context, list []ids.ID) ([]training.Module, error) {
	out := []training.Module{}
	if len(list) == 0 {
		return out, nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	err = c.NewSelect().Model(&out).Where("tenant_id = ? AND id IN (?)", t, bun.In(list)).Scan(ctx)
	return out, err
}

// ---- materials

func (s *Store) InsertMaterial(ctx context.Context, m *training.Material) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	m.TenantID = t
	_, err = c.NewInsert().Model(m).Exec(ctx)
	return err
}

func (s *Store) UpdateMaterial(ctx context.Context, m *training.Material) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewUpdate().Model(m).ExcludeColumn("tenant_id", "id", "module_id", "created_at").Where("tenant_id = ? AND id = ?", t, m.ID).Exec(ctx)
	return err
}

func (s *Store) Material(ctx context.Context, id ids.ID) (*training.Material, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	m := new(training.Material)
	err = c.NewSelect().Model(m).Where("tenant_id = ? AND id = ?", t, id).Scan(ctx)
	return m, db.NotFound(err, "object.training_material")
}

func (s *Store) Materials(ctx context.Context, moduleID ids.ID) ([]training.Material, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	out := []training.Material{}
	if err := c.NewSelect().Model(&out).Where("tenant_id = ? AND module_id = ? AND NOT deleted", t, moduleID).Order("position", "id").Scan(ctx); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	var vs []training.MaterialVersion
	err = c.NewSelect().Model(&vs).
		Join("JOIN training_materials mt ON mt.tenant_id = mv.tenant_id AND mt.id = mv.material_id AND mt.current_version = mv.version").
		Where("mv.tenant_id = ? AND mt.module_id = ? AND NOT mt.deleted", t, moduleID).Scan(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[ids.ID]*training.MaterialVersion{}
	for i := range vs {
		byID[vs[i].MaterialID] = &vs[i]
	}
	for i := range out {
		out[i].Current = byID[out[i].ID]
	}
	return out, nil
}

func (s *Store) CountMaterials(ctx context.Context, moduleID ids.ID) (int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return 0, err
	}
	return count(c.NewSelect().Model((*training.Material)(nil)).Where("tenant_id = ? AND module_id = ? AND NOT deleted", t, moduleID).Count(ctx))
}

func (s *Store) MaterialCounts(ctx context.Context, moduleIDs []ids.ID) (map[ids.ID]int, error) {
	out := map[ids.ID]int{}
	if len(moduleIDs) == 0 {
		return out, nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ModuleID ids.ID `bun:"module_id"`
		N        int    `bun:"n"`
	}
	err = c.NewSelect().Model((*training.Material)(nil)).Column("module_id").ColumnExpr("COUNT(*) AS n").
		Where("tenant_id = ? AND module_id IN (?) AND NOT deleted", t, bun.In(moduleIDs)).Group("module_id").Scan(ctx, &rows)
	for _, r := range rows {
		out[r.ModuleID] = r.N
	}
	return out, err
}

func (s *Store) InsertMaterialVersion(ctx context.Context, v *training.MaterialVersion) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	v.TenantID = t
	_, err = c.NewInsert().Model(v).Exec(ctx)
	return err
}

func (s *Store) MaterialVersion(ctx context.Context, materialID ids.ID, version int) (*training.MaterialVersion, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	v := new(training.MaterialVersion)
	err = c.NewSelect().Model(v).Where("tenant_id = ? AND material_id = ? AND version = ?", t, materialID, version).Scan(ctx)
	return v, db.NotFound(err, "object.training_material")
}

func (s *Store) MaterialVersions(ctx context.Context, materialID ids.ID) ([]training.MaterialVersion, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	out := []training.MaterialVersion{}
	err = c.NewSelect().Model(&out).Where("tenant_id = ? AND material_id = ?", t, materialID).Order("version DESC").Scan(ctx)
	return out, err
}

// ---- viewing

func (s *Store) View(ctx context.Context, employeeID, materialID ids.ID) (*training.View, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	v := new(training.View)
	err = c.NewSelect().Model(v).Where("tenant_id = ? AND employee_id = ? AND material_id = ?", t, employeeID, materialID).Scan(ctx)
	return v, db.NotFound(err, "object.training_material")
}

func (s *Store) UpsertView(ctx context.Context, v *training.View) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	v.TenantID = t
	_, err = c.NewInsert().Model(v).On("CONFLICT (tenant_id, employee_id, material_id) DO UPDATE").
		Set("version = EXCLUDED.version").Set("last_at = EXCLUDED.last_at").Set("seconds = EXCLUDED.seconds").
		Set("video_percent = EXCLUDED.video_percent").Set("position = EXCLUDED.position").Set("done = EXCLUDED.done").Exec(ctx)
	return err
}

func (s *Store) Views(ctx context.Context, employeeID, moduleID ids.ID) (map[ids.ID]training.View, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var list []training.View
	if err := c.NewSelect().Model(&list).Where("tenant_id = ? AND employee_id = ? AND module_id = ?", t, employeeID, moduleID).Scan(ctx); err != nil {
		return nil, err
	}
	out := make(map[ids.ID]training.View, len(list))
	for _, v := range list {
		out[v.MaterialID] = v
	}
	return out, nil
}

func (s *Store) CountViewsDone(ctx context.Context, employeeID, moduleID ids.ID) (int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return 0, err
	}
	return count(c.NewSelect().Model((*training.View)(nil)).
		Join("JOIN training_materials mt ON mt.tenant_id = v.tenant_id AND mt.id = v.material_id AND NOT mt.deleted").
		Where("v.tenant_id = ? AND v.employee_id = ? AND v.module_id = ? AND v.done", t, employeeID, moduleID).Count(ctx))
}

// ---- questions

func (s *Store) InsertQuestion(ctx context.Context, q *training.Question) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	q.TenantID = t
	_, err = c.NewInsert().Model(q).Exec(ctx)
	return err
}

func (s *Store) UpdateQuestion(ctx context.Context, q *training.Question) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewUpdate().Model(q).ExcludeColumn("tenant_id", "id", "module_id", "created_at").Where("tenant_id = ? AND id = ?", t, q.ID).Exec(ctx)
	return err
}

func (s *Store) Question(ctx context.Context, id ids.ID) (*training.Question, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	q := new(training.Question)
	err = c.NewSelect().Model(q).Where("tenant_id = ? AND id = ? AND NOT deleted", t, id).Scan(ctx)
	return q, db.NotFound(err, "object.training_question")
}

func (s *Store) Questions(ctx context.Context, moduleID ids.ID, list []ids.ID) ([]training.Question, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	out := []training.Question{}
	q := c.NewSelect().Model(&out).Where("tenant_id = ? AND module_id = ?", t, moduleID)
	if list != nil {
		if len(list) == 0 {
			return out, nil
		}
		q = q.Where("id IN (?)", bun.In(list))
	} else {
		q = q.Where("NOT deleted")
	}
	err = q.Order("position", "id").Scan(ctx)
	return out, err
}

func (s *Store) CountQuestions(ctx context.Context, moduleID ids.ID) (int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return 0, err
	}
	return count(c.NewSelect().Model((*training.Question)(nil)).Where("tenant_id = ? AND module_id = ? AND NOT deleted", t, moduleID).Count(ctx))
}

func (s *Store) CountShortQuestions(ctx context.Context, moduleID ids.ID) (int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return 0, err
	}
	return count(c.NewSelect().Model((*training.Question)(nil)).
		Where("tenant_id = ? AND module_id = ? AND NOT deleted AND kind = ?", t, moduleID, training.Short).Count(ctx))
}

// ---- programs

func (s *Store) InsertProgram(ctx context.Context, p *training.Program) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	p.TenantID = t
	_, err = c.NewInsert().Model(p).Exec(ctx)
	return err
}

func (s *Store) UpdateProgram(ctx context.Context, p *training.Program, prev int) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	return stale(c.NewUpdate().Model(p).ExcludeColumn("tenant_id", "id", "created_at", "owner_user_id", "owner_name").
		Where("tenant_id = ? AND id = ? AND version = ?", t, p.ID, prev).Exec(ctx))
}

func (s *Store) Program(ctx context.Context, id ids.ID) (*training.Program, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	p := new(training.Program)
	err = c.NewSelect().Model(p).Where("tenant_id = ? AND id = ?", t, id).Scan(ctx)
	return p, db.NotFound(err, "object.training_program")
}

func (s *Store) Programs(ctx context.Context, f training.ProgramFilter) ([]training.Program, int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := []training.Program{}
	q := c.NewSelect().Model(&out).ColumnExpr("p.*").
		ColumnExpr("(SELECT COUNT(*) FROM training_enrollments en WHERE en.tenant_id = p.tenant_id AND en.program_id = p.id) AS enrolled").
		Where("p.tenant_id = ?", t)
	if f.Q != "" {
		q = s.db.ContainsFold(q, "p.title", f.Q)
	}
	if f.State != "" {
		q = q.Where("p.state = ?", f.State)
	}
	total, err := db.ScanPage(ctx, q.OrderExpr("p.created_at DESC, p.id DESC"), f.Page, f.Size)
	return out, total, err
}

func (s *Store) HirePrograms(ctx context.Context) ([]training.Program, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []training.Program
	err = c.NewSelect().Model(&out).Where("tenant_id = ? AND state = ? AND hire_department_id IS NOT NULL", t, training.ProgramActive).Scan(ctx)
	return out, err
}

// ---- enrollments and progress

func (s *Store) InsertEnrollments(ctx context.Context, list []training.Enrollment) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	for start := 0; start < len(list); start += chunk {
		part := list[start:min(start+chunk, len(list))]
		for i := range part {
			part[i].TenantID = t
		}
		if _, err := c.NewInsert().Model(&part).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) InsertProgress(ctx context.Context, rows []training.Progress) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		for i := range part {
			part[i].TenantID = t
		}
		if _, err := c.NewInsert().Model(&part).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) EnrolledEmployees(ctx context.Context, programID ids.ID) (map[ids.ID]bool, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var list []ids.ID
	if err := c.NewSelect().Model((*training.Enrollment)(nil)).Column("employee_id").Where("tenant_id = ? AND program_id = ?", t, programID).Scan(ctx, &list); err != nil {
		return nil, err
	}
	out := make(map[ids.ID]bool, len(list))
	for _, id := range list {
		out[id] = true
	}
	return out, nil
}

func (s *Store) CountEnrolled(ctx context.Context, programID ids.ID) (int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return 0, err
	}
	return count(c.NewSelect().Model((*training.Enrollment)(nil)).Where("tenant_id = ? AND program_id = ?", t, programID).Count(ctx))
}

func (s *Store) Enrollment(ctx context.Context, id ids.ID) (*training.Enrollment, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	e := new(training.Enrollment)
	err = c.NewSelect().Model(e).Where("tenant_id = ? AND id = ?", t, id).Scan(ctx)
	return e, db.NotFound(err, "object.training_enrollment")
}

func (s *Store) UpdateEnrollment(ctx context.Context, e *training.Enrollment) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewUpdate().Model(e).ExcludeColumn("tenant_id", "id", "program_id", "employee_id", "created_at").
		Where("tenant_id = ? AND id = ?", t, e.ID).Exec(ctx)
	return err
}

func (s *Store) FailEnrollment(ctx context.Context, id ids.ID, now time.Time) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewUpdate().Model((*training.Enrollment)(nil)).Set("state = ?", training.EnrollFailed).Set("updated_at = ?", now).
		Where("tenant_id = ? AND id = ? AND state <> ?", t, id, training.EnrollCompleted).Exec(ctx)
	return err
}

// withProgram joins the program's title and leaves drafts out.
func withProgram(q *bun.SelectQuery) *bun.SelectQuery {
	return q.ColumnExpr("en.*").ColumnExpr("p.title AS program_title").
		Join("JOIN training_programs p ON p.tenant_id = en.tenant_id AND p.id = en.program_id").
		Where("p.state <> ?", training.ProgramDraft)
}

func (s *Store) EmployeeEnrollments(ctx context.Context, employeeID ids.ID) ([]training.Enrollment, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	out := []training.Enrollment{}
	err = withProgram(c.NewSelect().Model(&out)).Where("en.tenant_id = ? AND en.employee_id = ?", t, employeeID).
		OrderExpr("CASE WHEN en.state = ? THEN 1 ELSE 0 END, en.due_date, en.id", training.EnrollCompleted).Scan(ctx)
	return out, err
}

func (s *Store) enrollmentQuery(c bun.IDB, t ids.ID, f training.EnrollmentFilter, model any) *bun.SelectQuery {
	q := withProgram(c.NewSelect().Model(model)).Where("en.tenant_id = ?", t)
	if f.ProgramID != 0 {
		q = q.Where("en.program_id = ?", f.ProgramID)
	}
	if f.EmployeeID != 0 {
		q = q.Where("en.employee_id = ?", f.EmployeeID)
	}
	if f.Q != "" {
		q = s.db.ContainsFold(q, "en.employee_name", f.Q)
	}
	if f.DepartmentID != 0 {
		q = q.Where("en.department_id = ?", f.DepartmentID)
	}
	if f.Departments != nil {
		q = q.Where("en.department_id IN (?)", bun.In(f.Departments))
	}
	switch f.State {
	case "":
	case training.EnrollOverdue:
		q = q.Where("en.state <> ? AND en.due_date < ?", training.EnrollCompleted, f.Today)
	default:
		q = q.Where("en.state = ?", f.State)
	}
	return q
}

func (s *Store) Enrollments(ctx context.Context, f training.EnrollmentFilter) ([]training.Enrollment, int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := []training.Enrollment{}
	q := s.enrollmentQuery(c, t, f, &out)
	total, err := db.ScanPage(ctx, q.OrderExpr("en.due_date, en.employee_name, en.id"), f.Page, f.Size)
	return out, total, err
}

func (s *Store) EachEnrollment(ctx context.Context, f training.EnrollmentFilter, fn func(*training.Enrollment) error) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	var after ids.ID
	for {
		var page []training.Enrollment
		q := s.enrollmentQuery(c, t, f, &page).Where("en.id > ?", after).OrderExpr("en.id").Limit(1000)
		if err := q.Scan(ctx); err != nil {
			return err
		}
		for i := range page {
			if err := fn(&page[i]); err != nil {
				return err
			}
		}
		if len(page) < 1000 {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

func (s *Store) DueEnrollments(ctx context.Context, from, to civil.Date) ([]training.Enrollment, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []training.Enrollment
	err = withProgram(c.NewSelect().Model(&out)).
		Where("en.tenant_id = ? AND p.state = ? AND en.state <> ? AND en.due_date >= ? AND en.due_date <= ?", t, training.ProgramActive, training.EnrollCompleted, from, to).
		OrderExpr("en.id").Scan(ctx)
	return out, err
}

func (s *Store) ProgramStats(ctx context.Context, programID ids.ID, today civil.Date, depts []ids.ID) (training.StateCounts, error) {
	var out training.StateCounts
	c, t, err := s.conn(ctx)
	if err != nil {
		return out, err
	}
	var rows []struct {
		State   string `bun:"state"`
		N       int    `bun:"n"`
		Overdue int    `bun:"overdue"`
		Sum     int    `bun:"score_sum"`
		Count   int    `bun:"score_count"`
	}
	q := c.NewSelect().Model((*training.Enrollment)(nil)).Column("state").ColumnExpr("COUNT(*) AS n").
		ColumnExpr("SUM(CASE WHEN state <> ? AND due_date < ? THEN 1 ELSE 0 END) AS overdue", training.EnrollCompleted, today).
		ColumnExpr("SUM(score_sum) AS score_sum").ColumnExpr("SUM(score_count) AS score_count").
		Where("tenant_id = ? AND program_id = ?", t, programID).Group("state")
	if depts != nil {
		q = q.Where("department_id IN (?)", bun.In(depts))
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return out, err
	}
	for _, r := range rows {
		switch r.State {
		case training.EnrollAssigned:
			out.Assigned = r.N
		case training.EnrollInProgress:
			out.InProgress = r.N
		case training.EnrollCompleted:
			out.Completed = r.N
		case training.EnrollFailed:
			out.Failed = r.N
		}
		out.Overdue += r.Overdue
		out.ScoreSum += r.Sum
		out.ScoreCount += r.Count
	}
	return out, nil
}

func (s *Store) ModuleStats(ctx context.Context, programID ids.ID, depts []ids.ID) ([]training.ModuleStats, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []training.ModuleStats
	q := c.NewSelect().Model((*training.Progress)(nil)).Column("pg.module_id").
		ColumnExpr("SUM(CASE WHEN pg.completed_at IS NOT NULL THEN 1 ELSE 0 END) AS completed").
		ColumnExpr("SUM(CASE WHEN pg.test_state = ? THEN 1 ELSE 0 END) AS passed", training.TestPassed).
		ColumnExpr("SUM(CASE WHEN pg.best_score >= 0 THEN pg.best_score ELSE 0 END) AS score_sum").
		ColumnExpr("SUM(CASE WHEN pg.best_score >= 0 THEN 1 ELSE 0 END) AS score_count").
		Where("pg.tenant_id = ? AND pg.program_id = ?", t, programID).Group("pg.module_id")
	if depts != nil {
		q = q.Join("JOIN training_enrollments en ON en.tenant_id = pg.tenant_id AND en.id = pg.enrollment_id").
			Where("en.department_id IN (?)", bun.In(depts))
	}
	err = q.Scan(ctx, &out)
	return out, err
}

func (s *Store) ProgressOf(ctx context.Context, employeeID, moduleID ids.ID) ([]training.Progress, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []training.Progress
	// No ORDER BY: without statistics SQLite would walk the primary key
	// (tenant, enrollment) to avoid a sort, reading the whole tenant; the
	// few rows are sorted here.
	err = c.NewSelect().Model(&out).
		Where("pg.tenant_id = ? AND pg.employee_id = ? AND pg.module_id = ?", t, employeeID, moduleID).
		Apply(notDraft).Scan(ctx)
	slices.SortFunc(out, func(a, b training.Progress) int { return cmp.Compare(a.EnrollmentID, b.EnrollmentID) })
	return out, err
}

func (s *Store) UpdateProgress(ctx context.Context, p *training.Progress) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewUpdate().Model(p).ExcludeColumn("tenant_id", "enrollment_id", "module_id", "program_id", "employee_id").
		Where("tenant_id = ? AND enrollment_id = ? AND module_id = ?", t, p.EnrollmentID, p.ModuleID).Exec(ctx)
	return err
}

func (s *Store) SetProgressTotals(ctx context.Context, moduleID ids.ID, materials int, test, homework bool, now time.Time) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	q := c.NewUpdate().Model((*training.Progress)(nil)).Set("materials_total = ?", materials).Set("updated_at = ?", now)
	if test {
		q = q.Set("test_state = CASE WHEN test_state = '' THEN ? ELSE test_state END", training.TestPending)
	} else {
		q = q.Set("test_state = ''")
	}
	if homework {
		q = q.Set("homework_state = CASE WHEN homework_state = '' THEN ? ELSE homework_state END", training.HomeworkPending)
	} else {
		q = q.Set("homework_state = ''")
	}
	_, err = q.Where("tenant_id = ? AND module_id = ? AND completed_at IS NULL", t, moduleID).Exec(ctx)
	return err
}

func (s *Store) EnrollmentProgress(ctx context.Context, enrollmentID ids.ID) ([]training.Progress, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []training.Progress
	err = c.NewSelect().Model(&out).Where("tenant_id = ? AND enrollment_id = ?", t, enrollmentID).Scan(ctx)
	return out, err
}

func (s *Store) EmployeeProgress(ctx context.Context, employeeID ids.ID) ([]training.Progress, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []training.Progress
	err = c.NewSelect().Model(&out).Where("tenant_id = ? AND employee_id = ?", t, employeeID).Scan(ctx)
	return out, err
}

func (s *Store) ProgramProgress(ctx context.Context, programID ids.ID, employeeIDs []ids.ID) (map[ids.ID][]training.Progress, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	out := map[ids.ID][]training.Progress{}
	if len(employeeIDs) > 200 {
		// Most of the program: read it all rather than a huge IN list.
		employeeIDs = nil
	}
	q := c.NewSelect().Model((*training.Progress)(nil)).Where("tenant_id = ? AND program_id = ?", t, programID)
	if employeeIDs != nil {
		q = q.Where("employee_id IN (?)", bun.In(employeeIDs))
	}
	var list []training.Progress
	if err := q.Scan(ctx, &list); err != nil {
		return nil, err
	}
	for _, pg := range list {
		out[pg.EnrollmentID] = append(out[pg.EnrollmentID], pg)
	}
	return out, nil
}

func (s *Store) FailedTests(ctx context.Context, day civil.Date) ([]training.Retake, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []training.Retake
	err = c.NewSelect().TableExpr("training_progress AS pg").
		ColumnExpr("pg.enrollment_id, pg.employee_id, pg.module_id, m.title AS module_title, pg.best_score, m.pass_mark").
		Join("JOIN training_enrollments en ON en.tenant_id = pg.tenant_id AND en.id = pg.enrollment_id").
		Join("JOIN training_programs p ON p.tenant_id = pg.tenant_id AND p.id = pg.program_id").
		Join("JOIN training_modules m ON m.tenant_id = pg.tenant_id AND m.id = pg.module_id").
		Where("pg.tenant_id = ? AND pg.test_state = ? AND p.state = ? AND en.state IN (?)", t, training.TestFailed, training.ProgramActive,
			bun.In([]string{training.EnrollAssigned, training.EnrollInProgress})).
		Where("(en.due_date IS NULL OR en.due_date >= ?)", day).
		Where("(m.max_attempts = 0 OR pg.attempts < m.max_attempts)").
		OrderExpr("pg.enrollment_id").Scan(ctx, &out)
	return out, err
}

func (s *Store) EachRecordRow(ctx context.Context, f training.RecordFilter, fn func(*training.RecordRow) error) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	q := c.NewSelect().TableExpr("training_progress AS pg").
		ColumnExpr("en.employee_id, en.employee_name, en.department_id, en.program_id, p.title AS program_title, en.state AS enroll_state").
		ColumnExpr("pg.module_id, m.title AS module_title, m.kind, m.credit_tenths, pg.materials_done, pg.materials_total").
		ColumnExpr("pg.test_state, pg.best_score, pg.attempts, pg.homework_state, pg.homework_score, pg.completed_at").
		Join("JOIN training_enrollments en ON en.tenant_id = pg.tenant_id AND en.id = pg.enrollment_id").
		Join("JOIN training_programs p ON p.tenant_id = pg.tenant_id AND p.id = pg.program_id").
		Join("JOIN training_modules m ON m.tenant_id = pg.tenant_id AND m.id = pg.module_id").
		Where("pg.tenant_id = ? AND p.state <> ?", t, training.ProgramDraft)
	if f.EmployeeID != 0 {
		q = q.Where("pg.employee_id = ?", f.EmployeeID)
	}
	if f.ProgramID != 0 {
		q = q.Where("pg.program_id = ?", f.ProgramID)
	}
	if f.DepartmentID != 0 {
		q = q.Where("en.department_id = ?", f.DepartmentID)
	}
	if f.Departments != nil {
		q = q.Where("en.department_id IN (?)", bun.In(f.Departments))
	}
	// Keyset pages over (enrollment, module): the export of 10,000
	// employees streams without holding them.
	var lastEnrollment, lastModule ids.ID
	for {
		var page []training.RecordRow
		qq := q.Where("(pg.enrollment_id > ? OR (pg.enrollment_id = ? AND pg.module_id > ?))", lastEnrollment, lastEnrollment, lastModule).
			ColumnExpr("pg.enrollment_id").OrderExpr("pg.enrollment_id, pg.module_id").Limit(2000)
		if err := qq.Scan(ctx, &page); err != nil {
			return err
		}
		for i := range page {
			if err := fn(&page[i]); err != nil {
				return err
			}
		}
		if len(page) < 2000 {
			return nil
		}
		lastEnrollment, lastModule = page[len(page)-1].EnrollmentID, page[len(page)-1].ModuleID
	}
}

// ---- bulk reads of submissions handed in together

// selectIn reads the tenant's rows of T whose column is one of list, one
// query per chunk of ids; where, if set, narrows each query further.
func selectIn[T any](ctx context.Context, s *Store, column string, list []ids.ID, where func(*bun.SelectQuery) *bun.SelectQuery) ([]T, error) {
	out := []T{}
	if len(list) == 0 {
		return out, nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	for start := 0; start < len(list); start += chunk {
		var part []T
		q := c.NewSelect().Model(&part).Where("?TableAlias.tenant_id = ? AND ?TableAlias.? IN (?)", t, bun.Ident(column), bun.In(list[start:min(start+chunk, len(list))]))
		if where != nil {
			q = where(q)
		}
		if err := q.Scan(ctx); err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

func (s *Store) AttemptsByID(ctx context.Context, list []ids.ID) ([]training.Attempt, error) {
	return selectIn[training.Attempt](ctx, s, "id", list, nil)
}

func (s *Store) QuestionsByID(ctx context.Context, list []ids.ID) ([]training.Question, error) {
	return selectIn[training.Question](ctx, s, "id", list, nil)
}

func (s *Store) ProgressFor(ctx context.Context, pairs []training.EmployeeModule) ([]training.Progress, error) {
	// By employee (indexed), then kept to the pairs asked for.
	emps := make([]ids.ID, 0, len(pairs))
	want := make(map[training.EmployeeModule]bool, len(pairs))
	for _, p := range pairs {
		emps = append(emps, p.EmployeeID)
		want[p] = true
	}
	rows, err := selectIn[training.Progress](ctx, s, "employee_id", emps, notDraft)
	if err != nil {
		return nil, err
	}
	out := rows[:0]
	for _, pg := range rows {
		if want[training.EmployeeModule{EmployeeID: pg.EmployeeID, ModuleID: pg.ModuleID}] {
			out = append(out, pg)
		}
	}
	return out, nil
}

// notDraft keeps progress rows (alias pg) of programs under way or ended.
func notDraft(q *bun.SelectQuery) *bun.SelectQuery {
	return q.Where("EXISTS (SELECT 1 FROM training_programs p WHERE p.tenant_id = pg.tenant_id AND p.id = pg.program_id AND p.state <> ?)", training.ProgramDraft)
}

func (s *Store) EnrollmentsByID(ctx context.Context, list []ids.ID) ([]training.Enrollment, error) {
	return selectIn[training.Enrollment](ctx, s, "id", list, nil)
}

func (s *Store) ProgressOfEnrollments(ctx context.Context, list []ids.ID) ([]training.Progress, error) {
	return selectIn[training.Progress](ctx, s, "enrollment_id", list, nil)
}

func (s *Store) CloseAttempts(ctx context.Context, list []training.Attempt) error {
	if len(list) == 0 {
		return nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].TenantID = t
	}
	for start := 0; start < len(list); start += chunk / 4 {
		part := list[start:min(start+chunk/4, len(list))]
		res, err := c.NewUpdate().Model(&part).Column("state", "answers", "results", "score", "passed", "submitted_at", "late", "graded_at").Bulk().
			Where("at.state = ?", training.AttemptOpen).Exec(ctx)
		if err != nil {
			return err
		}
		// One of them was handed in meanwhile: the caller sorts it out
		// one by one.
		if n, _ := res.RowsAffected(); n != int64(len(part)) {
			return errs.E(errs.Conflict, "stale")
		}
	}
	return nil
}

func (s *Store) UpdateTestProgress(ctx context.Context, rows []training.Progress) error {
	if len(rows) == 0 {
		return nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	for i := range rows {
		rows[i].TenantID = t
	}
	for start := 0; start < len(rows); start += chunk / 4 {
		part := rows[start:min(start+chunk/4, len(rows))]
		if _, err := c.NewUpdate().Model(&part).Column("test_state", "best_score", "attempts", "completed_at", "updated_at").Bulk().Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) UpdateSummaries(ctx context.Context, list []training.Enrollment) error {
	if len(list) == 0 {
		return nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].TenantID = t
	}
	for start := 0; start < len(list); start += chunk / 4 {
		part := list[start:min(start+chunk/4, len(list))]
		if _, err := c.NewUpdate().Model(&part).Column("state", "modules_total", "modules_done", "score_sum", "score_count", "started_at",
			"completed_at", "certificate_no", "updated_at").Bulk().Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// ---- attempts

func (s *Store) InsertAttempt(ctx context.Context, a *training.Attempt) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	a.TenantID = t
	_, err = c.NewInsert().Model(a).Exec(ctx)
	return err
}

func (s *Store) Attempt(ctx context.Context, id ids.ID) (*training.Attempt, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	a := new(training.Attempt)
	err = c.NewSelect().Model(a).Where("tenant_id = ? AND id = ?", t, id).Scan(ctx)
	return a, db.NotFound(err, "object.training_attempt")
}

func (s *Store) Attempts(ctx context.Context, employeeID, moduleID ids.ID) ([]training.Attempt, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	out := []training.Attempt{}
	err = c.NewSelect().Model(&out).Where("tenant_id = ? AND employee_id = ? AND module_id = ?", t, employeeID, moduleID).Order("number DESC").Scan(ctx)
	return out, err
}

func (s *Store) CountAttempts(ctx context.Context, employeeID, moduleID ids.ID) (int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return 0, err
	}
	return count(c.NewSelect().Model((*training.Attempt)(nil)).Where("tenant_id = ? AND employee_id = ? AND module_id = ?", t, employeeID, moduleID).Count(ctx))
}

func (s *Store) CloseAttempt(ctx context.Context, a *training.Attempt) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	return stale(c.NewUpdate().Model(a).Column("state", "answers", "results", "score", "passed", "submitted_at", "late", "graded_at").
		Where("tenant_id = ? AND id = ? AND state = ?", t, a.ID, training.AttemptOpen).Exec(ctx))
}

func (s *Store) GradeAttempt(ctx context.Context, a *training.Attempt) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	return stale(c.NewUpdate().Model(a).Column("state", "results", "score", "passed", "graded_by", "graded_at").
		Where("tenant_id = ? AND id = ? AND state = ?", t, a.ID, training.AttemptGrading).Exec(ctx))
}

// ---- homework

func (s *Store) SaveHomework(ctx context.Context, h *training.Homework) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	h.TenantID = t
	_, err = c.NewInsert().Model(h).On("CONFLICT (tenant_id, id) DO UPDATE").
		Set("state = EXCLUDED.state").Set("body = EXCLUDED.body").Set("file_ids = EXCLUDED.file_ids").
		Set("submitted_at = EXCLUDED.submitted_at").Set("score = EXCLUDED.score").Set("comment = EXCLUDED.comment").
		Set("graded_by = EXCLUDED.graded_by").Set("grader_name = EXCLUDED.grader_name").Set("graded_at = EXCLUDED.graded_at").
		Set("version = EXCLUDED.version").Exec(ctx)
	return err
}

func (s *Store) Homework(ctx context.Context, id ids.ID) (*training.Homework, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	h := new(training.Homework)
	err = c.NewSelect().Model(h).Where("tenant_id = ? AND id = ?", t, id).Scan(ctx)
	return h, db.NotFound(err, "object.training_homework")
}

func (s *Store) HomeworkOf(ctx context.Context, enrollmentID, moduleID ids.ID) (*training.Homework, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	h := new(training.Homework)
	err = c.NewSelect().Model(h).Where("tenant_id = ? AND enrollment_id = ? AND module_id = ?", t, enrollmentID, moduleID).Scan(ctx)
	return h, db.NotFound(err, "object.training_homework")
}

// editable limits a query on alias m (modules) to what the scope edits.
func editable(q *bun.SelectQuery, e training.EditScope) *bun.SelectQuery {
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		if e.General {
			q = q.WhereOr("m.kind = ?", training.General)
		}
		switch {
		case e.AllProfessional:
			q = q.WhereOr("m.kind = ?", training.Professional)
		case len(e.Departments) > 0:
			q = q.WhereOr("m.kind = ? AND m.owner_department_id IN (?)", training.Professional, bun.In(e.Departments))
		}
		return q.WhereOr("1 = 0")
	})
}

func (s *Store) Grading(ctx context.Context, e training.EditScope, f training.GradingFilter) ([]training.GradingItem, int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	state := f.State
	if state == "" {
		state = training.HomeworkSubmitted
	}
	attemptState := training.AttemptGrading
	if state == training.HomeworkGraded {
		attemptState = training.AttemptGraded
	}
	// Two sources in one list: hand-ins and attempts with short answers.
	hw := c.NewSelect().TableExpr("training_homework AS hw").
		ColumnExpr("'homework' AS kind, hw.id, hw.module_id, m.title AS module_title, hw.employee_id, hw.employee_name, hw.submitted_at, hw.state, hw.score").
		Join("JOIN training_modules m ON m.tenant_id = hw.tenant_id AND m.id = hw.module_id").
		Where("hw.tenant_id = ? AND hw.state = ?", t, state)
	at := c.NewSelect().TableExpr("training_attempts AS at").
		ColumnExpr("'attempt' AS kind, at.id, at.module_id, m.title AS module_title, at.employee_id, en.employee_name, at.submitted_at, at.state, at.score").
		Join("JOIN training_modules m ON m.tenant_id = at.tenant_id AND m.id = at.module_id").
		Join("JOIN training_enrollments en ON en.tenant_id = at.tenant_id AND en.id = at.enrollment_id").
		Where("at.tenant_id = ? AND at.state = ?", t, attemptState)
	if state == training.HomeworkGraded {
		at = at.Where("at.graded_by <> 0")
	}
	if f.ModuleID != 0 {
		hw = hw.Where("hw.module_id = ?", f.ModuleID)
		at = at.Where("at.module_id = ?", f.ModuleID)
	}
	hw, at = editable(hw, e), editable(at, e)
	var rows []struct {
		Kind         string    `bun:"kind"`
		ID           ids.ID    `bun:"id"`
		ModuleID     ids.ID    `bun:"module_id"`
		ModuleTitle  string    `bun:"module_title"`
		EmployeeID   ids.ID    `bun:"employee_id"`
		EmployeeName string    `bun:"employee_name"`
		SubmittedAt  time.Time `bun:"submitted_at"`
		State        string    `bun:"state"`
		Score        int       `bun:"score"`
	}
	union := c.NewSelect().TableExpr("(?) AS g", hw.UnionAll(at))
	total, err := count(union.Count(ctx))
	if err != nil {
		return nil, 0, err
	}
	page, size := db.NormalizePage(f.Page, f.Size)
	err = c.NewSelect().TableExpr("(?) AS g", hw.UnionAll(at)).ColumnExpr("g.*").OrderExpr("g.submitted_at, g.id").
		Limit(int64(size)).Offset(int64((page-1)*size)).Scan(ctx, &rows)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, 0, err
	}
	out := make([]training.GradingItem, 0, len(rows))
	for _, r := range rows {
		item := training.GradingItem{Kind: r.Kind, ID: r.ID, ModuleID: r.ModuleID, ModuleTitle: r.ModuleTitle, EmployeeID: r.EmployeeID,
			EmployeeName: r.EmployeeName, SubmittedAt: r.SubmittedAt.UTC().Format(time.RFC3339), State: r.State, Score: r.Score}
		if r.Kind == "homework" {
			if item.Homework, err = s.Homework(ctx, r.ID); err != nil {
				return nil, 0, err
			}
		}
		out = append(out, item)
	}
	return out, total, nil
}

func (s *Store) CountUngraded(ctx context.Context, moduleID ids.ID) (int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return 0, err
	}
	n, err := count(c.NewSelect().Model((*training.Homework)(nil)).Where("tenant_id = ? AND module_id = ? AND state = ?", t, moduleID, training.HomeworkSubmitted).Count(ctx))
	if err != nil {
		return 0, err
	}
	m, err := count(c.NewSelect().Model((*training.Attempt)(nil)).Where("tenant_id = ? AND module_id = ? AND state = ?", t, moduleID, training.AttemptGrading).Count(ctx))
	return n + m, err
}

// ---- duties

func (s *Store) InsertDuties(ctx context.Context, list []training.Duty) error {
	if len(list) == 0 {
		return nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].TenantID = t
	}
	_, err = c.NewInsert().Model(&list).Exec(ctx)
	return err
}

func (s *Store) UpdateDuty(ctx context.Context, d *training.Duty) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewUpdate().Model(d).ExcludeColumn("tenant_id", "id", "program_id", "created_at").Where("tenant_id = ? AND id = ?", t, d.ID).Exec(ctx)
	return err
}

func (s *Store) Duty(ctx context.Context, id ids.ID) (*training.Duty, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	d := new(training.Duty)
	err = c.NewSelect().Model(d).Where("tenant_id = ? AND id = ?", t, id).Scan(ctx)
	return d, db.NotFound(err, "object.training_duty")
}

func (s *Store) Duties(ctx context.Context, programID ids.ID) ([]training.Duty, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	out := []training.Duty{}
	err = c.NewSelect().Model(&out).Where("tenant_id = ? AND program_id = ?", t, programID).Order("position", "id").Scan(ctx)
	return out, err
}

func (s *Store) OpenDuties(ctx context.Context, programID ids.ID, kind string, moduleID ids.ID) ([]training.Duty, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []training.Duty
	q := c.NewSelect().Model(&out).Where("tenant_id = ? AND kind = ? AND state = ?", t, kind, training.DutyOpen)
	if programID != 0 {
		q = q.Where("program_id = ?", programID)
	}
	if moduleID != 0 {
		q = q.Where("module_id = ?", moduleID)
	}
	err = q.Order("id").Scan(ctx)
	return out, err
}

func (s *Store) ReopenDuties(ctx context.Context, kind string, moduleID ids.ID, now time.Time) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewUpdate().Model((*training.Duty)(nil)).Set("state = ?", training.DutyOpen).Set("done_at = NULL").Set("updated_at = ?", now).
		Where("tenant_id = ? AND kind = ? AND module_id = ? AND state = ? AND done_how <> ?", t, kind, moduleID, training.DutyDone, training.ByManual).Exec(ctx)
	return err
}

func (s *Store) DutiesDue(ctx context.Context, until civil.Date) ([]training.Duty, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []training.Duty
	err = c.NewSelect().Model(&out).
		Join("JOIN training_programs p ON p.tenant_id = d.tenant_id AND p.id = d.program_id").
		Where("d.tenant_id = ? AND p.state = ? AND d.state = ?", t, training.ProgramActive, training.DutyOpen).
		Where("(d.every_days > 0 OR d.due_date <= ?)", until).
		OrderExpr("d.program_id, d.position").Scan(ctx)
	return out, err
}
