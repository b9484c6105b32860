package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// progressEvery limits how often Set writes, so a handler may report per
// row without a write per row.
const progressEvery = 250 * time.Millisecond

// Progress is a running job's line back to the table: progress and a
// message for the UI, the lease, the cancel flag and the result.
type Progress struct {
	q      *Queue
	job    *Job
	ctx    context.Context // the run's context (before any kind timeout)
	cancel context.CancelCauseFunc

	mu         sync.Mutex
	percent    int
	message    string
	written    time.Time // wall clock of the last write
	leaseUntil time.Time
	res        string
}

// Set records progress (0-100) and a message for the UI. Writes are
// throttled to one per 250 ms unless the message changes or percent
// reaches 100; the heartbeat writes what was held back. It returns
// ErrCancelled (and the handler's context is cancelled) once a user asked
// to cancel: the handler should stop and return it.
func (p *Progress) Set(ctx context.Context, percent int, message string) error {
	if p.ctx.Err() != nil {
		return context.Cause(p.ctx)
	}
	percent = min(max(percent, 0), 100)
	p.mu.Lock()
	due := message != p.message || percent >= 100 || time.Since(p.written) >= progressEvery
	p.percent, p.message = percent, message
	p.mu.Unlock()
	if !due {
		return nil
	}
	return p.touch(ctx)
}

// Result stores v as the job's JSON result when the handler succeeds.
func (p *Progress) Result(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("jobs: encode result: %w", err)
	}
	p.mu.Lock()
	p.res = string(b)
	p.mu.Unlock()
	return nil
}

func (p *Progress) result() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.res
}

// touch writes progress, extends the lease and reads the cancel flag. It
// joins a transaction in ctx (a handler calling Set inside its own
// WithTx), which on SQLite's single writer is the only way not to wait
// on itself.
func (p *Progress) touch(ctx context.Context) error {
	q := p.q
	now := q.now()
	until := now.Add(q.opts.Lease)
	p.mu.Lock()
	percent, message := p.percent, p.message
	p.mu.Unlock()
	var cancelRequested bool
	err := q.db.WithTx(ctx, func(ctx context.Context) error {
		return q.db.Conn(ctx).NewRaw(`UPDATE platform_jobs SET progress = ?, message = ?, lease_until = ?, updated_at = ?
			WHERE tenant_id = ? AND id = ? AND lease_owner = ? AND state = 'running'
			RETURNING cancel_requested`,
			percent, message, until, now, p.job.TenantID, p.job.ID, p.job.LeaseOwner).Scan(ctx, &cancelRequested)
	})
	if errors.Is(err, sql.ErrNoRows) {
		p.cancel(errLeaseLost)
		return errLeaseLost
	}
	if err != nil {
		return fmt.Errorf("jobs: record progress: %w", err)
	}
	p.mu.Lock()
	p.written = time.Now()
	p.leaseUntil = until
	p.mu.Unlock()
	if cancelRequested {
		p.cancel(ErrCancelled)
		return ErrCancelled
	}
	return nil
}

// heartbeat extends the lease every Lease/3 until done. If it cannot for
// longer than the lease, another process may already have reclaimed the
// job, so the handler is cancelled rather than risk running twice.
func (p *Progress) heartbeat(done <-chan struct{}) {
	q := p.q
	every := q.opts.Lease / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(q.base, every)
		err := p.touch(ctx)
		cancel()
		switch {
		case err == nil, errors.Is(err, ErrCancelled):
		case errors.Is(err, errLeaseLost):
			q.log.Warn("job lease lost", "kind", p.job.Kind, "id", p.job.ID, "tenant", p.job.TenantID)
			return
		default:
			q.log.Error("job heartbeat", "kind", p.job.Kind, "id", p.job.ID, "tenant", p.job.TenantID, "error", err)
			p.mu.Lock()
			expired := !q.now().Before(p.leaseUntil)
			p.mu.Unlock()
			if expired {
				p.cancel(errLeaseLost)
				return
			}
		}
	}
}
