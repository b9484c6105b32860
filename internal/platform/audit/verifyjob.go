package audit

import (
	"context"
	"fmt"

	"github.com/renshi/renshi/internal/platform/jobs"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// VerifyJob is the job kind that verifies a tenant's chain in the
// background, with progress, from the audit page.
const VerifyJob = "audit.verify"

// RegisterJobs adds the audit job kinds to the queue.
func (l *Log) RegisterJobs(q *jobs.Queue) {
	q.Register(VerifyJob, func(ctx context.Context, j *jobs.Job, p *jobs.Progress) error {
		rep, err := l.Verify(ctx, j.TenantID, func(done, total int64) {
			pct := 100
			if total > 0 {
				pct = int(done * 100 / total)
			}
			_ = p.Set(ctx, min(pct, 99), fmt.Sprintf("%d/%d", done, total))
		})
		if err != nil {
			return err
		}
		msg := fmt.Sprintf("ok: %d rows", rep.Rows)
		if !rep.OK() {
			msg = "broken: " + rep.Break.String()
		}
		if err := p.Result(rep); err != nil {
			return err
		}
		return p.Set(ctx, 100, msg)
	}, jobs.KindOptions{MaxAttempts: 3})
}

// StartVerify queues a verification of the caller's tenant.
func (l *Log) StartVerify(ctx context.Context, q *jobs.Queue) (*jobs.Job, error) {
	p, _, err := rbac.Require(ctx, rbac.AuditVerify)
	if err != nil {
		return nil, err
	}
	var job *jobs.Job
	err = l.db.WithTx(ctx, func(ctx context.Context) error {
		var err error
		job, err = q.Enqueue(ctx, p.TenantID, VerifyJob, struct{}{}, jobs.EnqueueOptions{CreatedBy: p.UserID})
		if err != nil {
			return err
		}
		return l.Record(ctx, Event{Action: "verify", ObjectType: "audit", ObjectID: job.ID.String()})
	})
	return job, err
}
