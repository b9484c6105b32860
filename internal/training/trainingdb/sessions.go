package trainingdb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/training"
)

// ---- classroom sessions

func (s *Store) InsertSession(ctx context.Context, x *training.Session) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	x.TenantID = t
	_, err = c.NewInsert().Model(x).Exec(ctx)
	return err
}

func (s *Store) UpdateSession(ctx context.Context, x *training.Session) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewUpdate().Model(x).ExcludeColumn("tenant_id", "id", "program_id", "secret", "created_at").
		Where("tenant_id = ? AND id = ?", t, x.ID).Exec(ctx)
	return err
}

func (s *Store) DeleteSession(ctx context.Context, id ids.ID) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewDelete().Model((*training.Session)(nil)).Where("tenant_id = ? AND id = ?", t, id).Exec(ctx)
	return err
}

// sessionView adds the program's title and the number signed in.
func sessionView(q *bun.SelectQuery) *bun.SelectQuery {
	return q.ColumnExpr("ss.*").ColumnExpr("p.title AS program_title").
		ColumnExpr("(SELECT COUNT(*) FROM training_attendance a WHERE a.tenant_id = ss.tenant_id AND a.session_id = ss.id) AS signed_in").
		Join("JOIN training_programs AS p ON p.tenant_id = ss.tenant_id AND p.id = ss.program_id")
}

func (s *Store) Session(ctx context.Context, id ids.ID) (*training.Session, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	x := new(training.Session)
	err = sessionView(c.NewSelect().Model(x)).Where("ss.tenant_id = ? AND ss.id = ?", t, id).Scan(ctx)
	return x, db.NotFound(err, "object.training_session")
}

func (s *Store) LockSession(ctx context.Context, id ids.ID) (*training.Session, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	x := new(training.Session)
	err = s.db.ForUpdate(c.NewSelect().Model(x).Where("tenant_id = ? AND id = ?", t, id)).Scan(ctx)
	return x, db.NotFound(err, "object.training_session")
}

// sessionRange limits a query on alias ss to sessions starting in the
// filter's range.
func sessionRange(q *bun.SelectQuery, f training.SessionFilter) *bun.SelectQuery {
	if !f.From.IsZero() {
		q = q.Where("ss.starts_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("ss.starts_at < ?", f.To.UTC())
	}
	return q
}

func (s *Store) Sessions(ctx context.Context, f training.SessionFilter) ([]training.Session, int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := []training.Session{}
	q := sessionView(c.NewSelect().Model(&out)).Where("ss.tenant_id = ?", t)
	if f.ProgramID != 0 {
		q = q.Where("ss.program_id = ?", f.ProgramID)
	}
	if f.InstructorID != 0 {
		q = q.Where("ss.instructor_id = ?", f.InstructorID)
	}
	total, err := db.ScanPage(ctx, sessionRange(q, f).OrderExpr("ss.starts_at, ss.id"), f.Page, f.Size)
	return out, total, err
}

func (s *Store) EmployeeSessions(ctx context.Context, employeeID ids.ID, f training.SessionFilter) ([]training.Session, int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := []training.Session{}
	// One enrollment per program and employee: one row per session.
	q := sessionView(c.NewSelect().Model(&out)).
		ColumnExpr("a.signed_at AS my_signed_at").ColumnExpr("COALESCE(a.method, '') AS my_method").
		Join("JOIN training_enrollments AS en ON en.tenant_id = ss.tenant_id AND en.program_id = ss.program_id AND en.employee_id = ?", employeeID).
		Join("LEFT JOIN training_attendance AS a ON a.tenant_id = ss.tenant_id AND a.session_id = ss.id AND a.employee_id = ?", employeeID).
		Where("ss.tenant_id = ? AND p.state <> ?", t, training.ProgramDraft)
	total, err := db.ScanPage(ctx, sessionRange(q, f).OrderExpr("ss.starts_at, ss.id"), f.Page, f.Size)
	return out, total, err
}

// ---- attendance

func (s *Store) Enrollees(ctx context.Context, programID ids.ID, employeeIDs []ids.ID) (map[ids.ID]training.Enrollment, error) {
	list, err := selectIn[training.Enrollment](ctx, s, "employee_id", employeeIDs, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("en.program_id = ?", programID)
	})
	out := make(map[ids.ID]training.Enrollment, len(list))
	for _, e := range list {
		out[e.EmployeeID] = e
	}
	return out, err
}

func (s *Store) CountAttendance(ctx context.Context, sessionID ids.ID) (int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return 0, err
	}
	return count(c.NewSelect().Model((*training.Attendance)(nil)).Where("tenant_id = ? AND session_id = ?", t, sessionID).Count(ctx))
}

func (s *Store) AttendanceOf(ctx context.Context, sessionID ids.ID, employeeIDs []ids.ID) (map[ids.ID]training.Attendance, error) {
	list, err := selectIn[training.Attendance](ctx, s, "employee_id", employeeIDs, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.session_id = ?", sessionID)
	})
	out := make(map[ids.ID]training.Attendance, len(list))
	for _, a := range list {
		out[a.EmployeeID] = a
	}
	return out, err
}

func (s *Store) InsertAttendance(ctx context.Context, rows []training.Attendance) error {
	if len(rows) == 0 {
		return nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		for i := range part {
			part[i].TenantID = t
		}
		if _, err := c.NewInsert().Model(&part).On("CONFLICT (tenant_id, session_id, employee_id) DO NOTHING").Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) Roster(ctx context.Context, f training.RosterFilter) ([]training.AttendanceRow, int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	q := c.NewSelect().TableExpr("training_enrollments AS en").
		Join("LEFT JOIN training_attendance AS a ON a.tenant_id = en.tenant_id AND a.session_id = ? AND a.employee_id = en.employee_id", f.SessionID).
		Where("en.tenant_id = ? AND en.program_id = ?", t, f.ProgramID)
	if f.Q != "" {
		q = s.db.ContainsFold(q, "en.employee_name", f.Q)
	}
	switch f.State {
	case "present":
		q = q.Where("a.employee_id IS NOT NULL")
	case "absent":
		q = q.Where("a.employee_id IS NULL")
	}
	total, err := count(q.Count(ctx))
	if err != nil {
		return nil, 0, err
	}
	out := []training.AttendanceRow{}
	page, size := db.NormalizePage(f.Page, f.Size)
	err = q.ColumnExpr("en.employee_id, en.employee_name, en.department_id, COALESCE(a.method, '') AS method, a.signed_at").
		OrderExpr("en.employee_name, en.employee_id").Limit(int64(size)).Offset(int64((page-1)*size)).Scan(ctx, &out)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, 0, err
	}
	return out, total, nil
}

// ---- learners' questions to module owners

func (s *Store) InsertAsked(ctx context.Context, q *training.AskedQuestion) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	q.TenantID = t
	_, err = c.NewInsert().Model(q).Exec(ctx)
	return err
}

func (s *Store) AnswerAsked(ctx context.Context, q *training.AskedQuestion) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewUpdate().Model(q).Column("answer", "answered_by", "answerer_name", "answered_at").
		Where("tenant_id = ? AND id = ?", t, q.ID).Exec(ctx)
	return err
}

func (s *Store) Asked(ctx context.Context, id ids.ID) (*training.AskedQuestion, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	q := new(training.AskedQuestion)
	err = c.NewSelect().Model(q).Where("tenant_id = ? AND id = ?", t, id).Scan(ctx)
	return q, db.NotFound(err, "object.training_question_asked")
}

func (s *Store) AskedList(ctx context.Context, f training.AskedFilter) ([]training.AskedQuestion, int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := []training.AskedQuestion{}
	q := c.NewSelect().Model(&out).ColumnExpr("qa.*").ColumnExpr("m.title AS module_title").
		Join("JOIN training_modules AS m ON m.tenant_id = qa.tenant_id AND m.id = qa.module_id").
		Where("qa.tenant_id = ?", t)
	if f.ModuleID != 0 {
		q = q.Where("qa.module_id = ?", f.ModuleID)
	}
	if f.EmployeeID != 0 {
		q = q.Where("qa.employee_id = ?", f.EmployeeID)
	}
	switch f.Answered {
	case "true":
		q = q.Where("qa.answered_at IS NOT NULL")
	case "false":
		q = q.Where("qa.answered_at IS NULL")
	}
	if f.Edit != nil {
		q = editable(q, *f.Edit)
	}
	total, err := db.ScanPage(ctx, q.OrderExpr("qa.asked_at DESC, qa.id DESC"), f.Page, f.Size)
	return out, total, err
}

// ---- program costs

func (s *Store) InsertCost(ctx context.Context, x *training.Cost) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	x.TenantID = t
	_, err = c.NewInsert().Model(x).Exec(ctx)
	return err
}

func (s *Store) DeleteCost(ctx context.Context, id ids.ID) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewDelete().Model((*training.Cost)(nil)).Where("tenant_id = ? AND id = ?", t, id).Exec(ctx)
	return err
}

func (s *Store) Cost(ctx context.Context, id ids.ID) (*training.Cost, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	x := new(training.Cost)
	err = c.NewSelect().Model(x).ColumnExpr("co.*").ColumnExpr("p.title AS program_title").
		Join("JOIN training_programs AS p ON p.tenant_id = co.tenant_id AND p.id = co.program_id").
		Where("co.tenant_id = ? AND co.id = ?", t, id).Scan(ctx)
	return x, db.NotFound(err, "object.training_cost")
}

// costFilter limits a query on alias co.
func costFilter(q *bun.SelectQuery, f training.CostFilter) *bun.SelectQuery {
	if f.ProgramID != 0 {
		q = q.Where("co.program_id = ?", f.ProgramID)
	}
	if f.Category != "" {
		q = q.Where("co.category = ?", f.Category)
	}
	if !f.From.IsZero() {
		q = q.Where("co.incurred_on >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("co.incurred_on <= ?", f.To)
	}
	return q
}

func (s *Store) Costs(ctx context.Context, f training.CostFilter) ([]training.Cost, int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := []training.Cost{}
	q := c.NewSelect().Model(&out).ColumnExpr("co.*").ColumnExpr("p.title AS program_title").
		Join("JOIN training_programs AS p ON p.tenant_id = co.tenant_id AND p.id = co.program_id").
		Where("co.tenant_id = ?", t)
	total, err := db.ScanPage(ctx, costFilter(q, f).OrderExpr("co.incurred_on DESC, co.id DESC"), f.Page, f.Size)
	return out, total, err
}

func (s *Store) CostTotal(ctx context.Context, f training.CostFilter) (int64, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return 0, err
	}
	var sum int64
	// SUM of BIGINT is NUMERIC on PostgreSQL: cast back to an integer.
	err = costFilter(c.NewSelect().Model((*training.Cost)(nil)).ColumnExpr("CAST(COALESCE(SUM(co.amount_fen), 0) AS BIGINT)").
		Where("co.tenant_id = ?", t), f).Scan(ctx, &sum)
	return sum, err
}
