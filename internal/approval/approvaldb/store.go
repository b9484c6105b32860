// Package approvaldb stores the approval engine's data with bun on SQLite
// or PostgreSQL. Every query is scoped to the principal's tenant, except
// the escalation job's search for tenants with overdue tasks.
package approvaldb

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Store is the bun approval store.
type Store struct{ db *db.DB }

// New returns the store.
func New(d *db.DB) *Store { return &Store{db: d} }

var _ approval.Store = (*Store)(nil)

func (s *Store) conn(ctx context.Context) (bun.IDB, ids.ID, error) {
	t, err := rbac.Tenant(ctx)
	return s.db.Conn(ctx), t, err
}

// ---- flows

func (s *Store) CurrentFlow(ctx context.Context, requestType string) (*approval.Flow, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	f := new(approval.Flow)
	err = c.NewSelect().Model(f).Where("f.tenant_id = ? AND f.request_type = ?", t, requestType).
		Order("f.version DESC").Limit(1).Scan(ctx)
	return f, db.NotFound(err, "object.approval_flow")
}

func (s *Store) Flow(ctx context.Context, id ids.ID) (*approval.Flow, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	f := new(approval.Flow)
	err = c.NewSelect().Model(f).Where("f.tenant_id = ? AND f.id = ?", t, id).Scan(ctx)
	return f, db.NotFound(err, "object.approval_flow")
}

func (s *Store) FlowVersions(ctx context.Context, requestType string) ([]approval.Flow, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []approval.Flow
	err = c.NewSelect().Model(&out).Where("f.tenant_id = ? AND f.request_type = ?", t, requestType).
		Order("f.version DESC").Scan(ctx)
	return out, err
}

func (s *Store) CurrentFlows(ctx context.Context) ([]approval.Flow, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []approval.Flow
	err = c.NewSelect().Model(&out).Where("f.tenant_id = ?", t).
		Where("f.version = (SELECT MAX(g.version) FROM approval_flows AS g WHERE g.tenant_id = f.tenant_id AND g.request_type = f.request_type)").
		Order("f.request_type").Scan(ctx)
	return out, err
}

func (s *Store) InsertFlow(ctx context.Context, f *approval.Flow) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	f.TenantID = t
	_, err = c.NewInsert().Model(f).Exec(ctx)
	if db.IsUniqueViolation(err) {
		return errs.E(errs.Conflict, "stale")
	}
	return err
}

// ---- instances

func (s *Store) InsertInstance(ctx context.Context, in *approval.Instance) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	in.TenantID = t
	_, err = c.NewInsert().Model(in).Exec(ctx)
	if db.IsUniqueViolation(err) {
		// Two submissions with one request key raced: the client's
		// retry finds the first.
		return errs.E(errs.Conflict, "stale")
	}
	return err
}

func (s *Store) Instance(ctx context.Context, id ids.ID) (*approval.Instance, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	in := new(approval.Instance)
	err = c.NewSelect().Model(in).Where("i.tenant_id = ? AND i.id = ?", t, id).Scan(ctx)
	return in, db.NotFound(err, "object.approval")
}

func (s *Store) LockInstance(ctx context.Context, id ids.ID) (*approval.Instance, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	in := new(approval.Instance)
	err = s.db.ForUpdate(c.NewSelect().Model(in).Where("i.tenant_id = ? AND i.id = ?", t, id)).Scan(ctx)
	return in, db.NotFound(err, "object.approval")
}

var instanceColumns = []string{"title", "subject_employee_id", "subject_department_id", "object_id", "fields", "state", "round",
	"branch", "node_index", "node_name", "reminded_at", "finished_at", "updated_at", "version"}

func (s *Store) UpdateInstance(ctx context.Context, in *approval.Instance) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	res, err := c.NewUpdate().Model(in).Column(instanceColumns...).
		Where("tenant_id = ? AND id = ? AND version = ?", t, in.ID, in.Version-1).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "stale")
	}
	return nil
}

func (s *Store) InstanceByKey(ctx context.Context, applicant ids.ID, key string) (*approval.Instance, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	in := new(approval.Instance)
	err = c.NewSelect().Model(in).Where("i.tenant_id = ? AND i.applicant_user_id = ? AND i.request_key = ?", t, applicant, key).Scan(ctx)
	return in, db.NotFound(err, "object.approval")
}

func (s *Store) InstanceForObject(ctx context.Context, requestType, objectID string) (*approval.Instance, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	in := new(approval.Instance)
	err = c.NewSelect().Model(in).Where("i.tenant_id = ? AND i.request_type = ? AND i.object_id = ?", t, requestType, objectID).
		Order("i.submitted_at DESC").Limit(1).Scan(ctx)
	return in, db.NotFound(err, "object.approval")
}

// ---- tasks, events, CC

func (s *Store) Tasks(ctx context.Context, instanceID ids.ID) ([]approval.Task, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []approval.Task
	err = c.NewSelect().Model(&out).Where("t.tenant_id = ? AND t.instance_id = ?", t, instanceID).Order("t.created_at", "t.id").Scan(ctx)
	return out, err
}

func (s *Store) InsertTasks(ctx context.Context, tasks []approval.Task) error {
	if len(tasks) == 0 {
		return nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	for i := range tasks {
		tasks[i].TenantID = t
	}
	_, err = c.NewInsert().Model(&tasks).Exec(ctx)
	return err
}

func (s *Store) UpdateTask(ctx context.Context, task *approval.Task, from string) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	res, err := c.NewUpdate().Model(task).Column("state", "comment", "acted_at", "due_at", "escalated").
		Where("tenant_id = ? AND id = ? AND state = ?", t, task.ID, from).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "stale")
	}
	return nil
}

func (s *Store) InsertEvents(ctx context.Context, evs []approval.Event) error {
	if len(evs) == 0 {
		return nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	for i := range evs {
		evs[i].TenantID = t
	}
	_, err = c.NewInsert().Model(&evs).Exec(ctx)
	if db.IsUniqueViolation(err) {
		return errs.E(errs.Conflict, "approval.request_key_reused")
	}
	return err
}

func (s *Store) Events(ctx context.Context, instanceID ids.ID) ([]approval.Event, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []approval.Event
	err = c.NewSelect().Model(&out).Where("ev.tenant_id = ? AND ev.instance_id = ?", t, instanceID).Order("ev.at", "ev.id").Scan(ctx)
	return out, err
}

func (s *Store) EventByKey(ctx context.Context, actor ids.ID, key string) (*approval.Event, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	ev := new(approval.Event)
	err = c.NewSelect().Model(ev).Where("ev.tenant_id = ? AND ev.actor_user_id = ? AND ev.request_key = ?", t, actor, key).Scan(ctx)
	return ev, db.NotFound(err, "object.approval")
}

func (s *Store) InsertCCs(ctx context.Context, ccs []approval.CC) error {
	if len(ccs) == 0 {
		return nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	for i := range ccs {
		ccs[i].TenantID = t
	}
	_, err = c.NewInsert().Model(&ccs).On("CONFLICT DO NOTHING").Exec(ctx)
	return err
}

func (s *Store) Involved(ctx context.Context, instanceID, userID ids.ID) (bool, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return false, err
	}
	var n int
	err = c.NewRaw(`SELECT
		(SELECT COUNT(*) FROM approval_ccs WHERE tenant_id = ? AND user_id = ? AND instance_id = ?) +
		(SELECT COUNT(*) FROM approval_tasks WHERE tenant_id = ? AND instance_id = ? AND (approver_user_id = ? OR on_behalf_of = ?))`,
		t, userID, instanceID, t, instanceID, userID, userID).Scan(ctx, &n)
	return n > 0, err
}

// ---- my approvals

const itemColumns = `i.*, t.id AS task_id, t.state AS task_state, t.node_name AS task_node,
	t.created_at AS task_created_at, t.acted_at AS task_acted_at, t.on_behalf_of AS on_behalf_of`

// Done tasks: decisions and transfers the user made.
const doneStates = `('approved', 'rejected', 'transferred')`

// mineQuery is the FROM and WHERE of a tab with its filters.
func (s *Store) mineQuery(t, userID ids.ID, f approval.MineFilter) (from, order string, args []any, err error) {
	switch f.Tab {
	case approval.TabTodo:
		from = `approval_tasks AS t JOIN approval_instances AS i ON i.tenant_id = t.tenant_id AND i.id = t.instance_id
			WHERE t.tenant_id = ? AND t.approver_user_id = ? AND t.state = 'pending'`
		order = `t.created_at DESC, t.id DESC`
	case approval.TabDone:
		from = `approval_tasks AS t JOIN approval_instances AS i ON i.tenant_id = t.tenant_id AND i.id = t.instance_id
			WHERE t.tenant_id = ? AND t.approver_user_id = ? AND t.state IN ` + doneStates
		order = `t.acted_at DESC, t.id DESC`
	case approval.TabSubmitted:
		from = `approval_instances AS i WHERE i.tenant_id = ? AND i.applicant_user_id = ?`
		order = `i.submitted_at DESC, i.id DESC`
	case approval.TabCC:
		from = `approval_ccs AS cc JOIN approval_instances AS i ON i.tenant_id = cc.tenant_id AND i.id = cc.instance_id
			WHERE cc.tenant_id = ? AND cc.user_id = ?`
		order = `cc.instance_id DESC`
	default:
		return "", "", nil, errs.InvalidField("tab", "invalid_choice")
	}
	args = []any{t, userID}
	if f.RequestType != "" {
		from += ` AND i.request_type = ?`
		args = append(args, f.RequestType)
	}
	if f.State != "" {
		from += ` AND i.state = ?`
		args = append(args, f.State)
	}
	if f.Query != "" {
		a, aa := s.db.ContainsFoldExpr("i.title", f.Query)
		b, ba := s.db.ContainsFoldExpr("i.applicant_name", f.Query)
		from += ` AND (` + a + ` OR ` + b + `)`
		args = append(append(args, aa...), ba...)
	}
	if !f.From.IsZero() {
		from += ` AND i.submitted_at >= ?`
		args = append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		from += ` AND i.submitted_at < ?`
		args = append(args, f.To.UTC())
	}
	return from, order, args, nil
}

func (s *Store) Mine(ctx context.Context, userID ids.ID, f approval.MineFilter) ([]approval.Item, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	from, order, args, err := s.mineQuery(t, userID, f)
	if err != nil {
		return nil, err
	}
	cols := itemColumns
	if f.Tab == approval.TabSubmitted || f.Tab == approval.TabCC {
		cols = `i.*`
	}
	page, size := db.NormalizePage(f.Page, f.Size)
	var out []approval.Item
	err = c.NewRaw(`SELECT `+cols+` FROM `+from+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, size, (page-1)*size)...).Scan(ctx, &out)
	return out, err
}

func (s *Store) CountMine(ctx context.Context, userID ids.ID, f approval.MineFilter) (int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return 0, err
	}
	from, _, args, err := s.mineQuery(t, userID, f)
	if err != nil {
		return 0, err
	}
	var n int
	err = c.NewRaw(`SELECT COUNT(*) FROM `+from, args...).Scan(ctx, &n)
	return n, err
}

func (s *Store) Counts(ctx context.Context, userID ids.ID) (approval.Counts, error) {
	var out approval.Counts
	c, t, err := s.conn(ctx)
	if err != nil {
		return out, err
	}
	var row struct {
		Todo      int `bun:"todo"`
		Done      int `bun:"done"`
		Submitted int `bun:"submitted"`
		CC        int `bun:"cc"`
	}
	err = c.NewRaw(`SELECT
		(SELECT COUNT(*) FROM approval_tasks WHERE tenant_id = ? AND approver_user_id = ? AND state = 'pending') AS todo,
		(SELECT COUNT(*) FROM approval_tasks WHERE tenant_id = ? AND approver_user_id = ? AND state IN `+doneStates+`) AS done,
		(SELECT COUNT(*) FROM approval_instances WHERE tenant_id = ? AND applicant_user_id = ?) AS submitted,
		(SELECT COUNT(*) FROM approval_ccs WHERE tenant_id = ? AND user_id = ?) AS cc`,
		t, userID, t, userID, t, userID, t, userID).Scan(ctx, &row)
	out = approval.Counts{Todo: row.Todo, Done: row.Done, Submitted: row.Submitted, CC: row.CC}
	return out, err
}

func (s *Store) List(ctx context.Context, f approval.ListFilter, scope rbac.Scope) ([]approval.Instance, int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	var out []approval.Instance
	q := c.NewSelect().Model(&out).Where("i.tenant_id = ?", t)
	if !scope.All {
		if len(scope.Departments) == 0 {
			return nil, 0, nil
		}
		q = q.Where("i.subject_department_id IN (?)", bun.In(scope.Departments))
	}
	if f.State != "" {
		q = q.Where("i.state = ?", f.State)
	}
	if f.RequestType != "" {
		q = q.Where("i.request_type = ?", f.RequestType)
	}
	if f.Applicant != 0 {
		q = q.Where("i.applicant_user_id = ?", f.Applicant)
	}
	if f.Subject != 0 {
		q = q.Where("i.subject_employee_id = ?", f.Subject)
	}
	if f.Query != "" {
		a, aa := s.db.ContainsFoldExpr("i.title", f.Query)
		b, ba := s.db.ContainsFoldExpr("i.applicant_name", f.Query)
		q = q.Where("("+a+" OR "+b+")", append(aa, ba...)...)
	}
	if !f.From.IsZero() {
		q = q.Where("i.submitted_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("i.submitted_at < ?", f.To.UTC())
	}
	n, err := db.ScanPage(ctx, q.Order("i.submitted_at DESC", "i.id DESC"), f.Page, f.Size)
	return out, n, err
}

// ---- delegations

func (s *Store) Delegations(ctx context.Context, userID ids.ID) ([]approval.Delegation, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []approval.Delegation
	err = c.NewSelect().Model(&out).Where("dl.tenant_id = ? AND dl.user_id = ?", t, userID).Order("dl.start_date DESC", "dl.id DESC").Scan(ctx)
	return out, err
}

func (s *Store) ActiveDelegations(ctx context.Context, day civil.Date) ([]approval.Delegation, error) {
	return s.DelegationsOverlapping(ctx, day, day)
}

func (s *Store) DelegationsOverlapping(ctx context.Context, from, to civil.Date) ([]approval.Delegation, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []approval.Delegation
	err = c.NewSelect().Model(&out).Where("dl.tenant_id = ? AND dl.end_date >= ? AND dl.start_date <= ?", t, from, to).
		Order("dl.id").Scan(ctx)
	return out, err
}

func (s *Store) Delegation(ctx context.Context, id ids.ID) (*approval.Delegation, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	d := new(approval.Delegation)
	err = c.NewSelect().Model(d).Where("dl.tenant_id = ? AND dl.id = ?", t, id).Scan(ctx)
	return d, db.NotFound(err, "object.approval_delegation")
}

func (s *Store) InsertDelegation(ctx context.Context, d *approval.Delegation) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	d.TenantID = t
	_, err = c.NewInsert().Model(d).Exec(ctx)
	return err
}

func (s *Store) DeleteDelegation(ctx context.Context, id ids.ID) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewDelete().Model((*approval.Delegation)(nil)).Where("tenant_id = ? AND id = ?", t, id).Exec(ctx)
	return err
}

// ---- escalation and reminders

// DueTenants is the one query across tenants: the escalation job finds
// whom to run for on the small partial index of deadlines.
func (s *Store) DueTenants(ctx context.Context, now time.Time) ([]ids.ID, error) {
	var out []ids.ID
	err := s.db.Conn(ctx).NewRaw(`SELECT DISTINCT tenant_id FROM approval_tasks WHERE due_at IS NOT NULL AND due_at <= ?`, now.UTC()).
		Scan(ctx, &out)
	return out, err
}

func (s *Store) DueTasks(ctx context.Context, now time.Time, limit int) ([]approval.Task, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []approval.Task
	err = c.NewSelect().Model(&out).Where("t.due_at IS NOT NULL AND t.due_at <= ? AND t.tenant_id = ? AND t.state = 'pending'", now.UTC(), t).
		Order("t.due_at", "t.id").Limit(int64(limit)).Scan(ctx)
	return out, err
}

func (s *Store) Waiting(ctx context.Context, before time.Time, fn func(approval.Waiting) error) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	const batch = 1000
	after := ids.ID(0)
	for {
		var rows []approval.Waiting
		err := c.NewRaw(`SELECT t.tenant_id, t.id, t.instance_id, t.approver_user_id, t.node_name, t.created_at,
				i.request_type, i.title, i.applicant_name
			FROM approval_tasks AS t JOIN approval_instances AS i ON i.tenant_id = t.tenant_id AND i.id = t.instance_id
			WHERE t.tenant_id = ? AND t.state = 'pending' AND t.created_at < ? AND t.id > ?
			ORDER BY t.id LIMIT ?`, t, before.UTC(), after, batch).Scan(ctx, &rows)
		if err != nil {
			return err
		}
		for _, r := range rows {
			r.CreatedAt = r.CreatedAt.UTC()
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(rows) < batch {
			return nil
		}
		after = rows[len(rows)-1].TaskID
	}
}
