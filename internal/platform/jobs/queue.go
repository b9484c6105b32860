package jobs

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// DefaultMaxAttempts applies when neither the kind nor the enqueue sets one.
const DefaultMaxAttempts = 5

// Options tune a Queue; zero values take the defaults.
type Options struct {
	Workers      int           // handlers run at once by this process (2)
	PollInterval time.Duration // how often to look for due jobs and expired leases (1s)
	Lease        time.Duration // how long a claim lasts without a heartbeat (1 min)
	Logger       *slog.Logger
	Now          func() time.Time // clock for the times written to the table (tests)
}

// Handler does one job. It should call p.Set now and then on long work:
// that shows progress and is where a user's cancel request is seen.
// Returning an error retries the job (Permanent(err) fails it at once).
type Handler func(ctx context.Context, j *Job, p *Progress) error

// KindOptions apply to every job of a kind.
type KindOptions struct {
	MaxAttempts int           // attempts before the job fails (DefaultMaxAttempts)
	Timeout     time.Duration // per attempt; 0 means none
}

// EnqueueOptions apply to one job.
type EnqueueOptions struct {
	// UniqueKey makes the enqueue idempotent within the tenant: while a job
	// with the key exists (in any state, until cleanup deletes it 30 days
	// after it finished) Enqueue returns that job instead of a new one.
	UniqueKey   string
	RunAt       time.Time // not before; zero means now
	MaxAttempts int       // overrides the kind's
	CreatedBy   ids.ID    // the user who asked, for the job list's "mine" scope
}

type kind struct {
	h    Handler
	opts KindOptions
}

// Queue enqueues, runs and manages jobs. One per process; any number of
// processes may share a database.
type Queue struct {
	db   *db.DB
	opts Options
	log  *slog.Logger
	now  func() time.Time
	id   string // this process, in lease_owner

	mu        sync.Mutex
	kinds     map[string]kind
	periodics []periodic
	started   bool
	stopLoops context.CancelFunc
	base      context.Context // parent of handler contexts; outlives Start's ctx

	wake     chan struct{}
	claimSeq atomic.Uint64
	active   atomic.Int64
	loops    sync.WaitGroup // poller and periodic tickers
	workers  sync.WaitGroup // running handlers
	runsMu   sync.Mutex
	runs     map[*run]struct{}

	auditor Auditor

	// backoff gives the delay before retry number attempt; tests shorten it.
	backoff func(attempt int) time.Duration
}

// New makes a queue on d. Register kinds, then Start.
func New(d *db.DB, opts Options) *Queue {
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.Lease <= 0 {
		opts.Lease = time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	var b [6]byte
	_, _ = crand.Read(b[:])
	host, _ := os.Hostname()
	q := &Queue{
		db:      d,
		opts:    opts,
		log:     opts.Logger.With("component", "jobs"),
		id:      fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b[:])),
		kinds:   map[string]kind{},
		wake:    make(chan struct{}, 1),
		runs:    map[*run]struct{}{},
		backoff: Backoff,
	}
	// Times are written in UTC at the precision both engines keep, so the
	// text SQLite stores compares in time order.
	q.now = func() time.Time { return opts.Now().UTC().Truncate(time.Microsecond) }
	q.registerCleanup()
	return q
}

// Backoff is the delay before retrying after attempt number attempt
// failed: 1s·2^(attempt-1), at most 10 minutes, plus up to 20% jitter so
// jobs that failed together do not retry together.
func Backoff(attempt int) time.Duration {
	d := 10 * time.Minute
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 10 {
		d = min(d, time.Second<<(attempt-1))
	}
	return d + rand.N(d/5+1)
}

// Register sets the handler for a kind. Kinds are named module.action
// ("payroll.calculate"); register every kind before Start.
func (q *Queue) Register(kindName string, h Handler, ko KindOptions) {
	if kindName == "" || h == nil {
		panic("jobs: Register needs a kind and a handler")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.kinds[kindName] = kind{h: h, opts: ko}
}

func (q *Queue) kind(name string) (kind, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	k, ok := q.kinds[name]
	return k, ok
}

func (q *Queue) kindNames() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]string, 0, len(q.kinds))
	for k := range q.kinds {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Enqueue adds a job for tenantID (0 for platform jobs). It runs in the
// transaction carried by ctx when there is one, so the job exists exactly
// when the business write that needs it commits. With a UniqueKey already
// used in the tenant it returns the existing job instead.
func (q *Queue) Enqueue(ctx context.Context, tenantID ids.ID, kindName string, args any, eo EnqueueOptions) (*Job, error) {
	k, ok := q.kind(kindName)
	if !ok {
		return nil, fmt.Errorf("jobs: kind %q is not registered", kindName)
	}
	raw := []byte("{}")
	if args != nil {
		var err error
		if raw, err = json.Marshal(args); err != nil {
			return nil, fmt.Errorf("jobs: encode args of %s: %w", kindName, err)
		}
	}
	now := q.now()
	runAt := now
	if !eo.RunAt.IsZero() {
		runAt = eo.RunAt.UTC().Truncate(time.Microsecond)
	}
	maxAttempts := cmpOr(eo.MaxAttempts, k.opts.MaxAttempts, DefaultMaxAttempts)
	j := &Job{
		TenantID: tenantID, ID: ids.New(), Kind: kindName, Args: string(raw), State: Queued,
		MaxAttempts: maxAttempts, RunAt: runAt, UniqueKey: eo.UniqueKey, CreatedBy: eo.CreatedBy,
		CreatedAt: now, UpdatedAt: now,
	}
	outer := db.InTx(ctx)
	var out *Job
	err := q.db.WithTx(ctx, func(ctx context.Context) error {
		c := q.db.Conn(ctx)
		if j.UniqueKey == "" {
			_, err := c.NewInsert().Model(j).Exec(ctx)
			out = j
			return err
		}
		// The unique index decides, so two processes racing on one key
		// still make one job; the loser reads the winner's row (on
		// PostgreSQL its insert waited for the winner to commit).
		res, err := c.NewInsert().Model(j).On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			out = j
			return nil
		}
		existing := new(Job)
		if err := c.NewSelect().Model(existing).
			Where("tenant_id = ? AND unique_key = ?", tenantID, j.UniqueKey).Scan(ctx); err != nil {
			return fmt.Errorf("jobs: read job with unique key %q: %w", j.UniqueKey, err)
		}
		out = existing
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: enqueue %s: %w", kindName, err)
	}
	// Inside a caller's transaction the job is invisible until it commits,
	// which we cannot see; the next poll finds it.
	if out == j && !outer && !runAt.After(now) {
		q.notify()
	}
	return out, nil
}

func cmpOr(vals ...int) int {
	for _, v := range vals {
		if v > 0 {
			return v
		}
	}
	return 0
}

func (q *Queue) notify() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Start launches the poller, the workers and the periodic schedules. They
// stop claiming when ctx ends or Stop is called; call Stop to wait for
// running handlers.
func (q *Queue) Start(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.started {
		return fmt.Errorf("jobs: queue already started")
	}
	q.started = true
	q.base = context.WithoutCancel(ctx)
	loopCtx, cancel := context.WithCancel(ctx)
	q.stopLoops = cancel
	q.loops.Add(1)
	go q.poll(loopCtx)
	for _, p := range q.periodics {
		q.loops.Add(1)
		go q.runPeriodic(loopCtx, p)
	}
	q.log.Info("job queue started", "owner", q.id, "workers", q.opts.Workers)
	return nil
}

// Stop stops claiming jobs and waits for running handlers until ctx ends;
// then it cancels them and their jobs return to the queue for another
// process (without spending an attempt).
func (q *Queue) Stop(ctx context.Context) error {
	q.mu.Lock()
	if !q.started {
		q.mu.Unlock()
		return nil
	}
	q.started = false
	q.stopLoops()
	q.mu.Unlock()
	q.loops.Wait() // no new workers after this
	done := make(chan struct{})
	go func() { q.workers.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	q.cancelRuns(errShutdown)
	// Handlers that ignore their context cannot be waited for forever;
	// their leases expire and another process reclaims the jobs.
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		q.log.Warn("job handlers ignored cancellation at shutdown")
	}
	return ctx.Err()
}

func (q *Queue) cancelRuns(cause error) {
	q.runsMu.Lock()
	defer q.runsMu.Unlock()
	for r := range q.runs {
		r.cancel(cause)
	}
}

func (q *Queue) poll(ctx context.Context) {
	defer q.loops.Done()
	t := time.NewTicker(q.opts.PollInterval)
	defer t.Stop()
	q.reclaim(ctx)
	for {
		q.claimAndRun(ctx)
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		case <-t.C:
			q.reclaim(ctx)
		}
	}
}

func (q *Queue) claimAndRun(ctx context.Context) {
	for ctx.Err() == nil {
		free := q.opts.Workers - int(q.active.Load())
		if free <= 0 {
			return // a finishing worker wakes the poller
		}
		claimed, err := q.claim(ctx, free)
		if err != nil {
			if ctx.Err() == nil {
				q.log.Error("claim jobs", "error", err)
			}
			return
		}
		for i := range claimed {
			q.active.Add(1)
			q.workers.Add(1)
			go q.run(&claimed[i])
		}
		if len(claimed) < free {
			return
		}
	}
}

// claim moves up to n due jobs from queued to running under a fresh lease.
// On PostgreSQL SKIP LOCKED lets processes claim side by side without
// waiting or taking the same row; on SQLite the one writer serialises.
// The owner carries a claim counter so a late write from an earlier claim
// of the same job (even in this process) can never pass the fence.
func (q *Queue) claim(ctx context.Context, n int) ([]Job, error) {
	kinds := q.kindNames()
	if len(kinds) == 0 {
		return nil, nil
	}
	lock := ""
	if q.db.Engine == db.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	now := q.now()
	owner := fmt.Sprintf("%s/%d", q.id, q.claimSeq.Add(1))
	var out []Job
	err := q.write(ctx, func(ctx context.Context, c bun.IDB) error {
		return c.NewRaw(`UPDATE platform_jobs
		SET state = 'running', attempt = attempt + 1, lease_owner = ?, lease_until = ?, started_at = ?, updated_at = ?
		WHERE state = 'queued' AND (tenant_id, id) IN (
			SELECT tenant_id, id FROM platform_jobs
			WHERE state = 'queued' AND run_at <= ? AND kind IN (?)
			ORDER BY run_at, id LIMIT ?`+lock+`)
		RETURNING *`,
			owner, now.Add(q.opts.Lease), now, now, now, bun.In(kinds), n).Scan(ctx, &out)
	})
	return out, err
}

// reclaim returns jobs whose lease ran out (their process died or hung) to
// the queue; the lost attempt counts, so a job that kills its worker every
// time still ends up failed.
func (q *Queue) reclaim(ctx context.Context) {
	now := q.now()
	var n int64
	err := q.write(ctx, func(ctx context.Context, c bun.IDB) error {
		res, err := c.NewRaw(`UPDATE platform_jobs SET
			state = CASE WHEN cancel_requested THEN 'cancelled' WHEN attempt < max_attempts THEN 'queued' ELSE 'failed' END,
			finished_at = CASE WHEN NOT cancel_requested AND attempt < max_attempts THEN NULL ELSE `+q.instant()+` END,
			last_error = 'lease expired: the worker stopped without finishing',
			lease_owner = '', lease_until = NULL, run_at = ?, updated_at = ?
		WHERE state = 'running' AND lease_until < ?`, now, now, now, now).Exec(ctx)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		if ctx.Err() == nil {
			q.log.Error("reclaim expired jobs", "error", err)
		}
		return
	}
	if n > 0 {
		q.log.Warn("reclaimed jobs with expired leases", "count", n)
		q.notify()
	}
}

// run is one claimed job being handled.
type run struct {
	job    *Job
	cancel context.CancelCauseFunc
}

func (q *Queue) run(j *Job) {
	defer func() {
		q.active.Add(-1)
		q.notify()
		q.workers.Done()
	}()
	log := q.log.With("kind", j.Kind, "id", j.ID, "tenant", j.TenantID, "attempt", j.Attempt)
	k, ok := q.kind(j.Kind)
	if !ok { // claim only takes registered kinds; keep the job for a process that knows it
		log.Error("claimed a job of an unregistered kind")
		q.finish(j, fmt.Errorf("kind %q is not registered", j.Kind), errShutdown, log, 0, nil)
		return
	}
	ctx := rbac.WithPrincipal(q.base, rbac.SystemPrincipal(j.TenantID, "job:"+j.Kind))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r := &run{job: j, cancel: cancel}
	q.runsMu.Lock()
	q.runs[r] = struct{}{}
	q.runsMu.Unlock()
	defer func() {
		q.runsMu.Lock()
		delete(q.runs, r)
		q.runsMu.Unlock()
	}()

	hctx := ctx
	if k.opts.Timeout > 0 {
		var c context.CancelFunc
		hctx, c = context.WithTimeout(ctx, k.opts.Timeout)
		defer c()
	}
	p := &Progress{q: q, job: j, ctx: ctx, cancel: cancel, leaseUntil: j.LeaseUntil}
	hbDone := make(chan struct{})
	hbStopped := make(chan struct{})
	go func() { defer close(hbStopped); p.heartbeat(hbDone) }()

	start := time.Now()
	log.Debug("job started")
	view := *j // the handler gets its own copy; the fence fields stay ours
	err := callHandler(hctx, k.h, &view, p, log)
	close(hbDone)
	<-hbStopped
	q.finish(j, err, context.Cause(ctx), log, time.Since(start), p)
}

func callHandler(ctx context.Context, h Handler, j *Job, p *Progress, log *slog.Logger) (err error) {
	defer func() {
		if r := recover(); r != nil {
			log.Error("job handler panicked", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return h(ctx, j, p)
}

// finish records the outcome of a run. Every write is fenced on the lease
// owner: a run that lost its lease changes nothing.
func (q *Queue) finish(j *Job, herr, cause error, log *slog.Logger, took time.Duration, p *Progress) {
	ctx, cancel := context.WithTimeout(q.base, 30*time.Second)
	defer cancel()
	now := q.now()
	fence := "tenant_id = ? AND id = ? AND lease_owner = ? AND state = 'running'"
	var (
		query string
		args  []any
	)
	switch {
	case cause == errCrash:
		return // a simulated dead process writes nothing
	case cause == errLeaseLost:
		log.Warn("job lease lost; outcome discarded", "duration", took, "error", herr)
		return
	case herr == nil:
		result := ""
		if p != nil {
			result = p.result()
		}
		query = `UPDATE platform_jobs SET state = 'succeeded', progress = 100, result = ?,
				last_error = '', finished_at = ?, lease_owner = '', lease_until = NULL, updated_at = ?
			WHERE ` + fence + ` RETURNING state`
		args = []any{result, now, now}
	case cause == errShutdown:
		// Not the job's fault: give the attempt back.
		query = `UPDATE platform_jobs SET
				state = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'queued' END,
				finished_at = CASE WHEN cancel_requested THEN ` + q.instant() + ` ELSE NULL END,
				attempt = attempt - 1, run_at = ?, lease_owner = '', lease_until = NULL, updated_at = ?
			WHERE ` + fence + ` RETURNING state`
		args = []any{now, now, now}
	default:
		// The state is decided in SQL so a cancel request that arrived
		// after the handler last looked still wins over a retry.
		next := "CASE WHEN cancel_requested THEN 'cancelled' WHEN attempt < max_attempts THEN 'queued' ELSE 'failed' END"
		switch {
		case errors.Is(herr, ErrCancelled) || cause == ErrCancelled:
			next = "'cancelled'"
		case IsPermanent(herr):
			next = "CASE WHEN cancel_requested THEN 'cancelled' ELSE 'failed' END"
		}
		msg := herr.Error()
		if len(msg) > 4000 {
			msg = strings.ToValidUTF8(msg[:4000], "")
		}
		query = `UPDATE platform_jobs SET state = ` + next + `,
				finished_at = CASE WHEN ` + next + ` = 'queued' THEN NULL ELSE ` + q.instant() + ` END,
				last_error = ?, run_at = ?, lease_owner = '', lease_until = NULL, updated_at = ?
			WHERE ` + fence + ` RETURNING state`
		args = []any{now, msg, now.Add(q.backoff(j.Attempt)), now}
	}
	var state State
	err := q.write(ctx, func(ctx context.Context, c bun.IDB) error {
		return c.NewRaw(query, append(args, j.TenantID, j.ID, j.LeaseOwner)...).Scan(ctx, &state)
	})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		log.Warn("job lease lost before finishing; outcome discarded", "duration", took, "error", herr)
	case err != nil:
		log.Error("record job outcome", "duration", took, "error", err, "job_error", herr)
	case herr == nil:
		log.Info("job succeeded", "duration", took)
	case cause == errShutdown:
		log.Info("job returned to the queue at shutdown", "state", state, "duration", took)
	case state == Cancelled:
		log.Info("job cancelled", "duration", took)
	case state == Queued:
		log.Warn("job failed; will retry", "duration", took, "error", herr)
	default:
		log.Error("job finished", "state", state, "duration", took, "error", herr)
	}
}

// write runs statements in a transaction of their own. On SQLite that
// takes the write lock up front (BEGIN IMMEDIATE), which waits for another
// process's writer instead of failing on a stale snapshot.
func (q *Queue) write(ctx context.Context, fn func(ctx context.Context, c bun.IDB) error) error {
	return q.db.WithTx(ctx, func(ctx context.Context) error { return fn(ctx, q.db.Conn(ctx)) })
}

// instant is the placeholder for a time in a CASE whose other branch is
// NULL: bun sends times as text literals, whose type PostgreSQL cannot
// infer there. SQLite must not cast: TIMESTAMPTZ has numeric affinity
// there and would turn the text into a number.
func (q *Queue) instant() string {
	if q.db.Engine == db.Postgres {
		return "CAST(? AS TIMESTAMPTZ)"
	}
	return "?"
}

// errCrash is for tests: it stops a run as if its process died, writing
// nothing, so another queue must reclaim the job after the lease.
var errCrash = errors.New("jobs: simulated crash")
