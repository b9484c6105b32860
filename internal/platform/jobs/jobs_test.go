package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

type greetArgs struct {
	Name string `json:"name"`
}

func TestRunSucceedsWithProgressAndResult(t *testing.T) {
	d := dbtest.MustOpen(t)
	q := newQueue(t, d)
	halfway, release := make(chan struct{}), make(chan struct{})
	var seen struct {
		args      greetArgs
		principal *rbac.Principal
	}
	q.Register("test.greet", func(ctx context.Context, j *Job, p *Progress) error {
		if err := j.DecodeArgs(&seen.args); err != nil {
			return err
		}
		seen.principal = rbac.From(ctx)
		if err := p.Set(ctx, 50, "halfway"); err != nil {
			return err
		}
		close(halfway)
		<-release
		return p.Result(map[string]string{"greeting": "你好, " + seen.args.Name})
	}, KindOptions{})
	start(t, q)

	j, err := q.Enqueue(context.Background(), 7, "test.greet", greetArgs{Name: "王芳"}, EnqueueOptions{CreatedBy: 10})
	if err != nil {
		t.Fatal(err)
	}
	if j.State != Queued || j.Attempt != 0 || j.MaxAttempts != DefaultMaxAttempts {
		t.Fatalf("enqueued %+v", j)
	}
	recv(t, halfway)
	mid := load(t, d, 7, j.ID)
	if mid.State != Running || mid.Progress != 50 || mid.Message != "halfway" || mid.Attempt != 1 || mid.LeaseOwner == "" || mid.LeaseUntil.IsZero() {
		t.Fatalf("while running: %+v", mid)
	}
	close(release)
	done := waitState(t, d, j, Succeeded)
	if done.Progress != 100 || done.Message != "halfway" || done.Attempt != 1 || done.FinishedAt.IsZero() || done.StartedAt.IsZero() || done.LeaseOwner != "" {
		t.Fatalf("done: %+v", done)
	}
	var res map[string]string
	if err := json.Unmarshal([]byte(done.Result), &res); err != nil || res["greeting"] != "你好, 王芳" {
		t.Fatalf("result %q (%v)", done.Result, err)
	}
	if seen.principal == nil || !seen.principal.System || seen.principal.TenantID != 7 || seen.principal.Login != "job:test.greet" || !seen.principal.Can(rbac.UserRead) {
		t.Fatalf("handler principal %+v", seen.principal)
	}
}

func TestJobJSON(t *testing.T) {
	j := Job{ID: 42, Kind: "k", Args: `{"secret":"x"}`, State: Succeeded, Result: `{"n":1}`, CreatedBy: 9}
	b, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"id":"42"`, `"maxAttempts":0`, `"lastError":""`, `"result":{"n":1}`, `"createdBy":"9"`, `"runAt":`} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON %s lacks %s", s, want)
		}
	}
	for _, no := range []string{"secret", "args", "startedAt", "leaseOwner", "tenant"} {
		if strings.Contains(s, no) {
			t.Errorf("JSON %s shows %s", s, no)
		}
	}
	j.Result = ""
	if b, _ := json.Marshal(j); !strings.Contains(string(b), `"result":null`) {
		t.Errorf("empty result: %s", b)
	}
}

func TestUnregisteredKindIsRefused(t *testing.T) {
	d := dbtest.MustOpen(t)
	q := newQueue(t, d)
	if _, err := q.Enqueue(context.Background(), 1, "test.nobody", nil, EnqueueOptions{}); err == nil {
		t.Fatal("enqueue of an unregistered kind succeeded")
	}
}

func TestRetriesThenSucceeds(t *testing.T) {
	d := dbtest.MustOpen(t)
	q := newQueue(t, d)
	var calls atomic.Int32
	q.Register("test.flaky", func(ctx context.Context, j *Job, p *Progress) error {
		if n := calls.Add(1); n < 3 {
			return fmt.Errorf("flake %d", n)
		}
		return nil
	}, KindOptions{MaxAttempts: 5})
	start(t, q)
	j, err := q.Enqueue(context.Background(), 1, "test.flaky", nil, EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	done := waitState(t, d, j, Succeeded)
	if done.Attempt != 3 || calls.Load() != 3 || done.LastError != "" {
		t.Fatalf("attempt %d, calls %d, last error %q", done.Attempt, calls.Load(), done.LastError)
	}
}

func TestRetriesExhaustedThenRetriedByUser(t *testing.T) {
	d := dbtest.MustOpen(t)
	q := newQueue(t, d)
	var calls atomic.Int32
	var heal atomic.Bool
	q.Register("test.broken", func(ctx context.Context, j *Job, p *Progress) error {
		n := calls.Add(1)
		if heal.Load() {
			return nil
		}
		return fmt.Errorf("boom %d", n)
	}, KindOptions{MaxAttempts: 3})
	start(t, q)
	j, err := q.Enqueue(context.Background(), 1, "test.broken", nil, EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	failed := waitState(t, d, j, Failed)
	if failed.Attempt != 3 || failed.LastError != "boom 3" || failed.FinishedAt.IsZero() || calls.Load() != 3 {
		t.Fatalf("failed job %+v after %d calls", failed, calls.Load())
	}

	heal.Store(true)
	again, err := q.Retry(admin(1), j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.State != Queued || again.Attempt != 0 || again.LastError != "" || !again.FinishedAt.IsZero() {
		t.Fatalf("retried %+v", again)
	}
	done := waitState(t, d, j, Succeeded)
	if done.Attempt != 1 || calls.Load() != 4 {
		t.Fatalf("after retry: attempt %d, calls %d", done.Attempt, calls.Load())
	}
	if _, err := q.Retry(admin(1), j.ID); !errs.Is(err, errs.Conflict, "jobs.not_retryable") {
		t.Fatalf("retry of a succeeded job: %v", err)
	}
}

func TestPermanentErrorFailsAtOnce(t *testing.T) {
	d := dbtest.MustOpen(t)
	q := newQueue(t, d)
	var calls atomic.Int32
	q.Register("test.invalid", func(ctx context.Context, j *Job, p *Progress) error {
		calls.Add(1)
		return Permanent(errors.New("employee 3 does not exist"))
	}, KindOptions{MaxAttempts: 5})
	start(t, q)
	j, _ := q.Enqueue(context.Background(), 1, "test.invalid", nil, EnqueueOptions{})
	failed := waitState(t, d, j, Failed)
	if failed.Attempt != 1 || calls.Load() != 1 || failed.LastError != "employee 3 does not exist" {
		t.Fatalf("%+v after %d calls", failed, calls.Load())
	}
	if !IsPermanent(fmt.Errorf("wrapped: %w", Permanent(errors.New("x")))) || Permanent(nil) != nil {
		t.Fatal("Permanent wrapping")
	}
}

func TestPanicIsRecovered(t *testing.T) {
	d := dbtest.MustOpen(t)
	q := newQueue(t, d)
	q.Register("test.panic", func(ctx context.Context, j *Job, p *Progress) error {
		var m map[string]int
		m["x"]++ // nil map: panics
		return nil
	}, KindOptions{MaxAttempts: 2})
	q.Register("test.ok", func(ctx context.Context, j *Job, p *Progress) error { return nil }, KindOptions{})
	start(t, q)
	j, _ := q.Enqueue(context.Background(), 1, "test.panic", nil, EnqueueOptions{})
	failed := waitState(t, d, j, Failed)
	if failed.Attempt != 2 || !strings.HasPrefix(failed.LastError, "panic: ") {
		t.Fatalf("%+v", failed)
	}
	ok, _ := q.Enqueue(context.Background(), 1, "test.ok", nil, EnqueueOptions{})
	waitState(t, d, ok, Succeeded) // the workers survived
}

func TestTimeoutCountsAsFailure(t *testing.T) {
	d := dbtest.MustOpen(t)
	q := newQueue(t, d)
	q.Register("test.slow", func(ctx context.Context, j *Job, p *Progress) error {
		<-ctx.Done()
		return ctx.Err()
	}, KindOptions{MaxAttempts: 1, Timeout: 30 * time.Millisecond})
	start(t, q)
	j, _ := q.Enqueue(context.Background(), 1, "test.slow", nil, EnqueueOptions{})
	failed := waitState(t, d, j, Failed)
	if !strings.Contains(failed.LastError, "deadline exceeded") {
		t.Fatalf("last error %q", failed.LastError)
	}
}

func TestUniqueKeyDedupes(t *testing.T) {
	d := dbtest.MustOpen(t)
	q := newQueue(t, d)
	q.Register("test.remind", func(ctx context.Context, j *Job, p *Progress) error { return nil }, KindOptions{})
	ctx := context.Background()
	key := "reminder:contract:5:2026-11-30"
	a, err := q.Enqueue(ctx, 1, "test.remind", nil, EnqueueOptions{UniqueKey: key})
	if err != nil {
		t.Fatal(err)
	}
	b, err := q.Enqueue(ctx, 1, "test.remind", nil, EnqueueOptions{UniqueKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID {
		t.Fatalf("second enqueue made job %d, want %d", b.ID, a.ID)
	}
	other, err := q.Enqueue(ctx, 2, "test.remind", nil, EnqueueOptions{UniqueKey: key})
	if err != nil || other.ID == a.ID {
		t.Fatalf("another tenant's key: %v, %v", other, err)
	}
	// No key: no dedupe.
	for range 2 {
		if _, err := q.Enqueue(ctx, 1, "test.remind", nil, EnqueueOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := countJobs(t, d, "tenant_id = 1 AND kind = 'test.remind'"); n != 3 {
		t.Fatalf("tenant 1 has %d jobs, want 3", n)
	}

	// Concurrent enqueues of one key, from two handles where possible.
	d2 := secondHandle(t, d)
	q2 := newQueue(t, d2)
	q2.Register("test.remind", func(ctx context.Context, j *Job, p *Progress) error { return nil }, KindOptions{})
	var wg sync.WaitGroup
	got := make([]ids.ID, 20)
	fails := make([]error, 20)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			qq := q
			if i%2 == 1 {
				qq = q2
			}
			j, err := qq.Enqueue(ctx, 1, "test.remind", nil, EnqueueOptions{UniqueKey: "race"})
			fails[i] = err
			if j != nil {
				got[i] = j.ID
			}
		}()
	}
	wg.Wait()
	for i := range got {
		if fails[i] != nil {
			t.Fatalf("enqueue %d: %v", i, fails[i])
		}
		if got[i] != got[0] {
			t.Fatalf("enqueue %d returned job %d, enqueue 0 job %d", i, got[i], got[0])
		}
	}
	if n := countJobs(t, d, "tenant_id = 1 AND unique_key = 'race'"); n != 1 {
		t.Fatalf("%d jobs with the key, want 1", n)
	}
}

func TestEnqueueJoinsTheCallersTransaction(t *testing.T) {
	d := dbtest.MustOpen(t)
	q := newQueue(t, d)
	var ran atomic.Int32
	q.Register("test.tx", func(ctx context.Context, j *Job, p *Progress) error { ran.Add(1); return nil }, KindOptions{})
	start(t, q)
	ctx := context.Background()
	rollback := errors.New("business rule failed")
	err := d.WithTx(ctx, func(ctx context.Context) error {
		if _, err := q.Enqueue(ctx, 1, "test.tx", nil, EnqueueOptions{}); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	if n := countJobs(t, d, "kind = 'test.tx'"); n != 0 {
		t.Fatalf("rolled-back enqueue left %d jobs", n)
	}
	var j *Job
	if err := d.WithTx(ctx, func(ctx context.Context) error {
		j, err = q.Enqueue(ctx, 1, "test.tx", nil, EnqueueOptions{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	waitState(t, d, j, Succeeded) // found by the next poll
	if ran.Load() != 1 {
		t.Fatalf("ran %d times", ran.Load())
	}
}

func TestRunAtDelaysTheJob(t *testing.T) {
	d := dbtest.MustOpen(t)
	q := newQueue(t, d)
	var ranAt atomic.Int64
	q.Register("test.later", func(ctx context.Context, j *Job, p *Progress) error {
		ranAt.Store(time.Now().UnixNano())
		return nil
	}, KindOptions{})
	start(t, q)
	at := time.Now().Add(150 * time.Millisecond)
	j, _ := q.Enqueue(context.Background(), 1, "test.later", nil, EnqueueOptions{RunAt: at})
	waitState(t, d, j, Succeeded)
	if ran := time.Unix(0, ranAt.Load()); ran.Before(at) {
		t.Fatalf("ran at %v, before run_at %v", ran, at)
	}
}

func TestCancelQueued(t *testing.T) {
	d := dbtest.MustOpen(t)
	q := newQueue(t, d)
	var ran atomic.Int32
	q.Register("test.never", func(ctx context.Context, j *Job, p *Progress) error { ran.Add(1); return nil }, KindOptions{})
	j, _ := q.Enqueue(context.Background(), 1, "test.never", nil, EnqueueOptions{})
	c, err := q.Cancel(admin(1), j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != Cancelled || c.FinishedAt.IsZero() {
		t.Fatalf("cancelled %+v", c)
	}
	start(t, q)
	time.Sleep(100 * time.Millisecond) // several polls
	if ran.Load() != 0 || load(t, d, 1, j.ID).State != Cancelled {
		t.Fatal("a cancelled job ran")
	}
	if _, err := q.Cancel(admin(1), j.ID); !errs.Is(err, errs.Conflict, "jobs.not_cancellable") {
		t.Fatalf("cancel twice: %v", err)
	}
}

func TestCancelRunning(t *testing.T) {
	d := dbtest.MustOpen(t)
	q := newQueue(t, d)
	started := make(chan struct{})
	type seen struct{ setErr, ctxErr, cause error }
	got := make(chan seen, 1)
	q.Register("test.long", func(ctx context.Context, j *Job, p *Progress) error {
		close(started)
		for i := 0; ; i++ {
			if err := p.Set(ctx, i%100, "step"); err != nil {
				got <- seen{err, ctx.Err(), context.Cause(ctx)}
				return err
			}
			time.Sleep(5 * time.Millisecond)
		}
	}, KindOptions{})
	start(t, q)
	j, _ := q.Enqueue(context.Background(), 1, "test.long", nil, EnqueueOptions{})
	recv(t, started)
	c, err := q.Cancel(admin(1), j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != Running || !c.CancelRequested {
		t.Fatalf("cancel of a running job: %+v", c)
	}
	s := recv(t, got)
	if !errors.Is(s.setErr, ErrCancelled) || s.ctxErr == nil || !errors.Is(s.cause, ErrCancelled) {
		t.Fatalf("handler saw %+v", s)
	}
	done := waitState(t, d, j, Cancelled)
	if done.FinishedAt.IsZero() || done.Attempt != 1 {
		t.Fatalf("%+v", done)
	}
}

// Two queues (two processes where the engine allows a second handle) on
// one database never run one job twice, let alone at the same time.
func TestTwoQueuesNeverDoubleRun(t *testing.T) {
	d := dbtest.MustOpen(t)
	d2 := secondHandle(t, d)
	const n = 200
	var mu sync.Mutex
	runs := map[ids.ID]int{}
	inFlight := map[ids.ID]int{}
	byQueue := [2]int{}
	var overlap atomic.Int32
	handler := func(which int) Handler {
		return func(ctx context.Context, j *Job, p *Progress) error {
			mu.Lock()
			runs[j.ID]++
			inFlight[j.ID]++
			if inFlight[j.ID] > 1 {
				overlap.Add(1)
			}
			byQueue[which]++
			mu.Unlock()
			time.Sleep(time.Duration(j.ID%3) * time.Millisecond)
			mu.Lock()
			inFlight[j.ID]--
			mu.Unlock()
			return nil
		}
	}
	// A lease long enough that no slow write (two SQLite handles under
	// -race contend for the file lock) lets it expire: this test is about
	// claiming, not reclaiming.
	roomy := func(o *Options) { o.Workers = 4; o.Lease = 10 * time.Second }
	q1 := newQueue(t, d, roomy)
	q2 := newQueue(t, d2, roomy)
	q1.Register("test.count", handler(0), KindOptions{})
	q2.Register("test.count", handler(1), KindOptions{})
	start(t, q1, q2)
	ctx := context.Background()
	for i := range n {
		qq := q1
		if i%2 == 1 {
			qq = q2
		}
		if _, err := qq.Enqueue(ctx, ids.ID(1+i%3), "test.count", nil, EnqueueOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "all jobs to succeed", func() bool {
		return countJobs(t, d, "kind = 'test.count' AND state = 'succeeded'") == n
	})
	mu.Lock()
	defer mu.Unlock()
	if len(runs) != n || overlap.Load() != 0 {
		t.Fatalf("%d distinct jobs ran, %d overlaps", len(runs), overlap.Load())
	}
	for id, c := range runs {
		if c != 1 {
			t.Fatalf("job %d ran %d times", id, c)
		}
	}
	t.Logf("queue 1 ran %d, queue 2 ran %d", byQueue[0], byQueue[1])
}

// A process dies mid-job: its lease runs out and another process runs the
// job to completion, once.
func TestExpiredLeaseIsReclaimedAfterCrash(t *testing.T) {
	d := dbtest.MustOpen(t)
	d2 := secondHandle(t, d)
	started := make(chan struct{})
	var completions, deadRuns atomic.Int32
	dying := newQueue(t, d)
	dying.Register("test.crash", func(ctx context.Context, j *Job, p *Progress) error {
		deadRuns.Add(1)
		close(started)
		<-ctx.Done() // "killed" here
		return ctx.Err()
	}, KindOptions{})
	survivor := newQueue(t, d2)
	survivor.Register("test.crash", func(ctx context.Context, j *Job, p *Progress) error {
		completions.Add(1)
		return p.Result("done by survivor")
	}, KindOptions{})
	start(t, dying)
	j, _ := dying.Enqueue(context.Background(), 1, "test.crash", nil, EnqueueOptions{})
	recv(t, started)
	dying.crash()
	if got := load(t, d, 1, j.ID); got.State != Running {
		t.Fatalf("after the crash the job is %s, want still running", got.State)
	}
	start(t, survivor)
	done := waitState(t, d, j, Succeeded)
	time.Sleep(50 * time.Millisecond) // would a second run show up?
	if completions.Load() != 1 || deadRuns.Load() != 1 || done.Attempt != 2 || done.Result != `"done by survivor"` {
		t.Fatalf("completions %d, dead runs %d, job %+v", completions.Load(), deadRuns.Load(), done)
	}
}

// A worker that stalls past its lease loses the job: the handler is
// cancelled and its late outcome does not overwrite the new run's.
func TestLostLeaseDiscardsStaleOutcome(t *testing.T) {
	d := dbtest.MustOpen(t)
	q := newQueue(t, d, func(o *Options) { o.Lease = 600 * time.Millisecond })
	firstStarted := make(chan struct{})
	firstCause := make(chan error, 1)
	q.Register("test.stall", func(ctx context.Context, j *Job, p *Progress) error {
		if j.Attempt == 1 {
			close(firstStarted)
			<-ctx.Done()
			firstCause <- context.Cause(ctx)
			return nil // a "success" that must not count
		}
		return p.Result("second")
	}, KindOptions{})
	start(t, q)
	j, _ := q.Enqueue(context.Background(), 1, "test.stall", nil, EnqueueOptions{})
	recv(t, firstStarted)
	// Make the lease look expired, as if the heartbeat had stalled.
	past := time.Now().Add(-time.Hour).UTC()
	if err := d.WithTx(context.Background(), func(ctx context.Context) error {
		_, err := d.Conn(ctx).NewRaw("UPDATE platform_jobs SET lease_until = ? WHERE id = ?", past, j.ID).Exec(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if c := recv(t, firstCause); !errors.Is(c, errLeaseLost) {
		t.Fatalf("first run's cause %v", c)
	}
	done := waitState(t, d, j, Succeeded)
	time.Sleep(50 * time.Millisecond)
	done = load(t, d, 1, j.ID)
	if done.Result != `"second"` || done.Attempt != 2 {
		t.Fatalf("%+v", done)
	}
}

func TestStopReleasesRunningJobs(t *testing.T) {
	d := dbtest.MustOpen(t)
	q := New(d, testOptions())
	started := make(chan struct{})
	q.Register("test.stubborn", func(ctx context.Context, j *Job, p *Progress) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}, KindOptions{})
	start(t, q)
	j, _ := q.Enqueue(context.Background(), 1, "test.stubborn", nil, EnqueueOptions{})
	recv(t, started)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := q.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Stop: %v", err)
	}
	got := load(t, d, 1, j.ID)
	if got.State != Queued || got.Attempt != 0 || got.LeaseOwner != "" {
		t.Fatalf("after Stop: %+v", got)
	}

	next := newQueue(t, d)
	next.Register("test.stubborn", func(ctx context.Context, j *Job, p *Progress) error { return nil }, KindOptions{})
	start(t, next)
	if done := waitState(t, d, j, Succeeded); done.Attempt != 1 {
		t.Fatalf("%+v", done)
	}
}

func TestStopWaitsForHandlers(t *testing.T) {
	d := dbtest.MustOpen(t)
	q := New(d, testOptions())
	started := make(chan struct{})
	q.Register("test.short", func(ctx context.Context, j *Job, p *Progress) error {
		close(started)
		time.Sleep(50 * time.Millisecond)
		return nil
	}, KindOptions{})
	start(t, q)
	j, _ := q.Enqueue(context.Background(), 1, "test.short", nil, EnqueueOptions{})
	recv(t, started)
	if err := q.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := load(t, d, 1, j.ID); got.State != Succeeded {
		t.Fatalf("after a patient Stop: %s", got.State)
	}
}

func TestManagementChecksPermissionsAndTenant(t *testing.T) {
	d := dbtest.MustOpen(t)
	q := newQueue(t, d)
	q.Register("test.m", func(ctx context.Context, j *Job, p *Progress) error { return nil }, KindOptions{})
	ctx := context.Background()
	mine, _ := q.Enqueue(ctx, 1, "test.m", nil, EnqueueOptions{CreatedBy: 10})
	theirs, _ := q.Enqueue(ctx, 1, "test.m", nil, EnqueueOptions{CreatedBy: 20})
	elsewhere, _ := q.Enqueue(ctx, 2, "test.m", nil, EnqueueOptions{CreatedBy: 10})

	anonymous := context.Background()
	powerless := principal(1, 10, rbac.Scope{All: true}, rbac.UserRead)
	self := principal(1, 10, rbac.Scope{Self: true}, rbac.JobRead, rbac.JobManage)

	calls := map[string]func(ctx context.Context) error{
		"list":   func(ctx context.Context) error { _, _, err := q.List(ctx, Filter{}); return err },
		"get":    func(ctx context.Context) error { _, err := q.Get(ctx, mine.ID); return err },
		"retry":  func(ctx context.Context) error { _, err := q.Retry(ctx, mine.ID); return err },
		"cancel": func(ctx context.Context) error { _, err := q.Cancel(ctx, mine.ID); return err },
	}
	for name, call := range calls {
		if err := call(anonymous); errs.KindOf(err) != errs.Unauthenticated {
			t.Errorf("%s without principal: %v", name, err)
		}
		if err := call(powerless); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("%s without permission: %v", name, err)
		}
	}

	notFound := func(what string, err error) {
		t.Helper()
		if !errs.Is(err, errs.NotFound, "not_found") {
			t.Errorf("%s: %v, want not found", what, err)
			return
		}
		var e *errs.Error
		errors.As(err, &e)
		if e.Params["object"] != "object.job" {
			t.Errorf("%s: params %v", what, e.Params)
		}
	}
	_, err := q.Get(admin(1), elsewhere.ID)
	notFound("get another tenant's job", err)
	_, err = q.Cancel(admin(1), elsewhere.ID)
	notFound("cancel another tenant's job", err)
	_, err = q.Retry(admin(1), elsewhere.ID)
	notFound("retry another tenant's job", err)
	_, err = q.Get(admin(1), ids.New())
	notFound("get a missing job", err)
	_, err = q.Get(self, theirs.ID)
	notFound("get a colleague's job with self scope", err)
	_, err = q.Cancel(self, theirs.ID)
	notFound("cancel a colleague's job with self scope", err)
	if _, err := q.Retry(admin(1), mine.ID); !errs.Is(err, errs.Conflict, "jobs.not_retryable") {
		t.Errorf("retry a queued job: %v", err)
	}

	list, total, err := q.List(admin(1), Filter{})
	if err != nil || total != 2 || len(list) != 2 {
		t.Fatalf("admin list: %d of %d, %v", len(list), total, err)
	}
	if list[0].ID != theirs.ID { // newest first
		t.Errorf("order: %d first", list[0].ID)
	}
	list, total, err = q.List(self, Filter{})
	if err != nil || total != 1 || list[0].ID != mine.ID {
		t.Fatalf("self list: %v of %d, %v", list, total, err)
	}
	got, err := q.Get(self, mine.ID)
	if err != nil || got.ID != mine.ID {
		t.Fatalf("get own job: %v", err)
	}
	if _, total, _ := q.List(admin(1), Filter{State: "succeeded"}); total != 0 {
		t.Errorf("state filter: %d", total)
	}
	if _, total, _ := q.List(admin(1), Filter{Kind: "test.m", State: "queued", PageSize: 1, Page: 2}); total != 2 {
		t.Errorf("kind filter: %d", total)
	}
	if page, _, _ := q.List(admin(1), Filter{PageSize: 1, Page: 2}); len(page) != 1 || page[0].ID != mine.ID {
		t.Errorf("page 2: %v", page)
	}
	if _, _, err := q.List(admin(1), Filter{State: "exploded"}); errs.KindOf(err) != errs.Invalid {
		t.Errorf("bad state filter: %v", err)
	}
	if _, err := q.Cancel(self, mine.ID); err != nil {
		t.Errorf("cancel own job with self scope: %v", err)
	}
}

// Every process runs every schedule; the unique key makes each occasion
// one job.
func TestPeriodicRunsOncePerOccasionAcrossQueues(t *testing.T) {
	d := dbtest.MustOpen(t)
	d2 := secondHandle(t, d)
	var mu sync.Mutex
	runs := map[string]int{}
	handler := func(ctx context.Context, j *Job, p *Progress) error {
		var a struct{ Occasion string }
		if err := j.DecodeArgs(&a); err != nil {
			return err
		}
		mu.Lock()
		runs[a.Occasion]++
		mu.Unlock()
		return nil
	}
	schedule := func(now time.Time) []Scheduled {
		occ := now.Truncate(50 * time.Millisecond).Format(time.RFC3339Nano)
		return []Scheduled{{TenantID: 1, Kind: "test.tick", Args: map[string]string{"Occasion": occ}, UniqueKey: "tick:" + occ}}
	}
	var qs []*Queue
	roomy := func(o *Options) { o.Lease = 10 * time.Second } // see TestTwoQueuesNeverDoubleRun
	for _, h := range []*Queue{newQueue(t, d, roomy), newQueue(t, d2, roomy)} {
		h.Register("test.tick", handler, KindOptions{})
		h.Periodic("test.tick", 10*time.Millisecond, schedule)
		qs = append(qs, h)
	}
	start(t, qs...)
	time.Sleep(300 * time.Millisecond)
	for _, h := range qs {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := h.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
	}
	// Jobs enqueued but not yet run are finished by a fresh queue.
	last := newQueue(t, d)
	last.Register("test.tick", handler, KindOptions{})
	start(t, last)
	waitFor(t, "every tick to run", func() bool {
		return countJobs(t, d, "kind = 'test.tick' AND state <> 'succeeded'") == 0
	})
	mu.Lock()
	defer mu.Unlock()
	jobs := countJobs(t, d, "kind = 'test.tick'")
	if len(runs) < 3 || jobs != len(runs) {
		t.Fatalf("%d occasions ran, %d jobs", len(runs), jobs)
	}
	for occ, n := range runs {
		if n != 1 {
			t.Fatalf("occasion %s ran %d times", occ, n)
		}
	}
}

func TestCleanupDeletesOldFinishedJobs(t *testing.T) {
	d := dbtest.MustOpen(t)
	q := newQueue(t, d)
	q.Register("test.old", func(ctx context.Context, j *Job, p *Progress) error { return nil }, KindOptions{})
	ctx := context.Background()
	old, _ := q.Enqueue(ctx, 1, "test.old", nil, EnqueueOptions{})
	recent, _ := q.Enqueue(ctx, 1, "test.old", nil, EnqueueOptions{})
	waiting, _ := q.Enqueue(ctx, 1, "test.old", nil, EnqueueOptions{RunAt: time.Now().Add(time.Hour)})
	long := time.Now().Add(-31 * 24 * time.Hour).UTC()
	if err := d.WithTx(ctx, func(ctx context.Context) error {
		_, err := d.Conn(ctx).NewRaw("UPDATE platform_jobs SET state = 'succeeded', finished_at = ?, created_at = ? WHERE id = ?", long, long, old.ID).Exec(ctx)
		if err != nil {
			return err
		}
		_, err = d.Conn(ctx).NewRaw("UPDATE platform_jobs SET state = 'failed', finished_at = ? WHERE id = ?", time.Now().UTC(), recent.ID).Exec(ctx)
		if err != nil {
			return err
		}
		_, err = d.Conn(ctx).NewRaw("UPDATE platform_jobs SET created_at = ? WHERE id = ?", long, waiting.ID).Exec(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	start(t, q) // the cleanup schedule fires at start
	waitFor(t, "the cleanup job", func() bool {
		return countJobs(t, d, "tenant_id = 0 AND kind = ? AND state = 'succeeded'", CleanupKind) == 1
	})
	if n := countJobs(t, d, "id = ?", old.ID); n != 0 {
		t.Fatal("old finished job kept")
	}
	if n := countJobs(t, d, "id IN (?, ?)", recent.ID, waiting.ID); n != 2 {
		t.Fatalf("cleanup deleted recent or unfinished jobs: %d left", n)
	}
}

func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		attempt int
		base    time.Duration
	}{{0, time.Second}, {1, time.Second}, {2, 2 * time.Second}, {5, 16 * time.Second}, {10, 512 * time.Second}, {11, 10 * time.Minute}, {1000, 10 * time.Minute}} {
		for range 20 {
			if got := Backoff(c.attempt); got < c.base || got > c.base+c.base/5 {
				t.Fatalf("Backoff(%d) = %v, want %v plus up to 20%%", c.attempt, got, c.base)
			}
		}
	}
}
