package jobs

import (
	"context"
	"database/sql"
	"errors"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Filter narrows the job list.
type Filter struct {
	State    string // one State, or "" for all
	Kind     string
	Page     int // from 1
	PageSize int // 20 by default, at most 100
}

// access is who may see which jobs: the caller's tenant, and only the jobs
// they started unless their scope is the whole tenant.
type access struct {
	tenant ids.ID
	owner  ids.ID // 0: every job of the tenant
}

func require(ctx context.Context, perm string) (access, error) {
	p, scope, err := rbac.Require(ctx, perm)
	if err != nil {
		return access{}, err
	}
	a := access{tenant: p.TenantID}
	if !scope.All {
		a.owner = p.UserID
	}
	return a, nil
}

func (a access) apply(q bun.QueryBuilder) bun.QueryBuilder {
	q = q.Where("tenant_id = ?", a.tenant)
	if a.owner != 0 {
		q = q.Where("created_by = ?", a.owner)
	}
	return q
}

func notFound() error { return errs.E(errs.NotFound, "not_found", errs.Params{"object": "object.job"}) }

// List returns a page of the caller's tenant's jobs, newest first, and the
// total count. Needs platform.job.read.
func (q *Queue) List(ctx context.Context, f Filter) ([]Job, int, error) {
	a, err := require(ctx, rbac.JobRead)
	if err != nil {
		return nil, 0, err
	}
	if f.State != "" && !State(f.State).Valid() {
		return nil, 0, errs.InvalidField("state", "invalid_choice", errs.Params{"field": "state"})
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PageSize < 1 {
		f.PageSize = 20
	}
	f.PageSize = min(f.PageSize, 100)
	out := []Job{}
	sel := q.db.Conn(ctx).NewSelect().Model(&out)
	a.apply(sel.QueryBuilder())
	if f.State != "" {
		sel.Where("state = ?", f.State)
	}
	if f.Kind != "" {
		sel.Where("kind = ?", f.Kind)
	}
	n, err := sel.OrderExpr("created_at DESC, id DESC").
		Limit(int64(f.PageSize)).Offset(int64((f.Page - 1) * f.PageSize)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, err
	}
	return out, int(n), nil
}

// Get returns one job of the caller's tenant. Needs platform.job.read.
func (q *Queue) Get(ctx context.Context, id ids.ID) (*Job, error) {
	a, err := require(ctx, rbac.JobRead)
	if err != nil {
		return nil, err
	}
	return q.get(ctx, a, id)
}

func (q *Queue) get(ctx context.Context, a access, id ids.ID) (*Job, error) {
	j := new(Job)
	sel := q.db.Conn(ctx).NewSelect().Model(j).Where("id = ?", id)
	a.apply(sel.QueryBuilder())
	if err := sel.Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound()
		}
		return nil, err
	}
	return j, nil
}

// Auditor records a user's action on a job (retry, cancel) in the audit
// log, inside the transaction that makes the change. The audit package
// imports this one, so the app passes the recorder in.
type Auditor func(ctx context.Context, action string, j *Job) error

// SetAuditor installs the audit recorder for Retry and Cancel.
func (q *Queue) SetAuditor(a Auditor) { q.auditor = a }

// Retry queues a failed or cancelled job again from the start (attempts
// and progress reset). Needs platform.job.manage.
func (q *Queue) Retry(ctx context.Context, id ids.ID) (*Job, error) {
	a, err := require(ctx, rbac.JobManage)
	if err != nil {
		return nil, err
	}
	now := q.now()
	j, err := q.transition(ctx, a, id, "retry", "jobs.not_retryable", func(u *bun.UpdateQuery) {
		u.Set("state = 'queued'").Set("attempt = 0").Set("progress = 0").Set("message = ''").
			Set("result = ''").Set("last_error = ''").Set("cancel_requested = FALSE").
			Set("run_at = ?", now).Set("started_at = NULL").Set("finished_at = NULL").
			Set("lease_owner = ''").Set("lease_until = NULL").Set("updated_at = ?", now).
			Where("state IN (?)", bun.In([]State{Failed, Cancelled}))
	})
	if err == nil && !db.InTx(ctx) {
		q.notify()
	}
	return j, err
}

// Cancel stops a job: a queued one is cancelled at once; a running one is
// flagged and its handler stops at its next Progress.Set (or heartbeat).
// Needs platform.job.manage.
func (q *Queue) Cancel(ctx context.Context, id ids.ID) (*Job, error) {
	a, err := require(ctx, rbac.JobManage)
	if err != nil {
		return nil, err
	}
	now := q.now()
	return q.transition(ctx, a, id, "cancel", "jobs.not_cancellable", func(u *bun.UpdateQuery) {
		u.Set("state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END").
			Set("finished_at = CASE WHEN state = 'queued' THEN ? ELSE finished_at END", now).
			Set("cancel_requested = TRUE").Set("updated_at = ?", now).
			Where("state IN (?)", bun.In([]State{Queued, Running}))
	})
}

// transition applies a state change guarded in SQL by the allowed states;
// when nothing matched it tells a missing job from one in the wrong state.
func (q *Queue) transition(ctx context.Context, a access, id ids.ID, action, conflict string, set func(*bun.UpdateQuery)) (*Job, error) {
	var out *Job
	err := q.db.WithTx(ctx, func(ctx context.Context) error {
		j := new(Job)
		u := q.db.Conn(ctx).NewUpdate().Model(j).Where("id = ?", id)
		a.apply(u.QueryBuilder())
		set(u)
		err := u.Returning("*").Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := q.get(ctx, a, id); err != nil {
				return err
			}
			return errs.E(errs.Conflict, conflict)
		}
		if err != nil {
			return err
		}
		out = j
		if q.auditor != nil { // in the same transaction as the change
			return q.auditor(ctx, action, j)
		}
		return nil
	})
	return out, err
}
