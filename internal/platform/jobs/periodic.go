package jobs

import (
	"context"
	"strconv"
	"time"

	"github.com/renshi/renshi/internal/platform/ids"
)

// Scheduled is one job a periodic schedule wants to exist.
type Scheduled struct {
	TenantID ids.ID
	Kind     string
	Args     any
	// UniqueKey names the occasion ("reminder:contract:<id>:2026-11-30").
	// Every process runs every schedule; the key is what makes each
	// occasion one job. Without it every tick enqueues again.
	UniqueKey string
}

type periodic struct {
	name  string
	every time.Duration
	fn    func(now time.Time) []Scheduled
}

// Periodic calls fn at Start and then every interval, and enqueues what it
// returns. Call it before Start.
func (q *Queue) Periodic(name string, every time.Duration, fn func(now time.Time) []Scheduled) {
	if every <= 0 || fn == nil {
		panic("jobs: Periodic needs an interval and a function")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.periodics = append(q.periodics, periodic{name: name, every: every, fn: fn})
}

func (q *Queue) runPeriodic(ctx context.Context, p periodic) {
	defer q.loops.Done()
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		for _, s := range p.fn(q.now()) {
			if _, err := q.Enqueue(ctx, s.TenantID, s.Kind, s.Args, EnqueueOptions{UniqueKey: s.UniqueKey}); err != nil && ctx.Err() == nil {
				q.log.Error("enqueue periodic job", "schedule", p.name, "kind", s.Kind, "tenant", s.TenantID, "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CleanupKind deletes finished jobs older than Retention, once a day.
const CleanupKind = "jobs.cleanup"

// Retention is how long finished jobs stay listed (and their unique keys
// stay taken).
const Retention = 30 * 24 * time.Hour

func (q *Queue) registerCleanup() {
	q.Register(CleanupKind, q.cleanup, KindOptions{MaxAttempts: 3})
	q.Periodic(CleanupKind, time.Hour, func(now time.Time) []Scheduled {
		return []Scheduled{{TenantID: 0, Kind: CleanupKind, UniqueKey: CleanupKind + ":" + now.UTC().Format(time.DateOnly)}}
	})
}

func (q *Queue) cleanup(ctx context.Context, _ *Job, p *Progress) error {
	const batch = 500
	before := q.now().Add(-Retention)
	total := 0
	for {
		// Batches keep each transaction (and SQLite's writer) short.
		var n int64
		err := q.db.WithTx(ctx, func(ctx context.Context) error {
			res, err := q.db.Conn(ctx).NewRaw(`DELETE FROM platform_jobs WHERE (tenant_id, id) IN (
					SELECT tenant_id, id FROM platform_jobs
					WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at < ? LIMIT ?)`,
				before, batch).Exec(ctx)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return err
		}
		total += int(n)
		if n < batch {
			break
		}
		if err := p.Set(ctx, 0, "deleted "+strconv.Itoa(total)); err != nil {
			return err
		}
	}
	return p.Result(map[string]int{"deleted": total})
}
