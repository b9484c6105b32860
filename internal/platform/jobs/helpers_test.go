package jobs

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// testOptions are fast: jobs are found within milliseconds and a dead
// worker's lease runs out in a fraction of a second.
func testOptions() Options {
	var w io.Writer = io.Discard
	if os.Getenv("JOBS_TEST_LOG") != "" {
		w = os.Stderr
	}
	return Options{
		Workers:      2,
		PollInterval: 20 * time.Millisecond,
		Lease:        300 * time.Millisecond,
		Logger:       slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

// newQueue makes a queue with test options and a short retry delay; it is
// stopped when the test ends.
func newQueue(t *testing.T, d *db.DB, tweak ...func(*Options)) *Queue {
	t.Helper()
	o := testOptions()
	for _, f := range tweak {
		f(&o)
	}
	q := New(d, o)
	q.backoff = func(int) time.Duration { return 5 * time.Millisecond }
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
	})
	return q
}

func start(t *testing.T, qs ...*Queue) {
	t.Helper()
	for _, q := range qs {
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// crash stops q as if its process were killed: nothing more is written,
// running jobs keep their (soon expired) leases.
func (q *Queue) crash() {
	q.mu.Lock()
	q.started = false
	q.stopLoops()
	q.mu.Unlock()
	q.loops.Wait()
	q.cancelRuns(errCrash)
	q.workers.Wait()
}

// secondHandle opens another connection pool on the same database, as a
// second process would; it falls back to the same handle when the DSN
// cannot be reused (a masked password).
func secondHandle(t *testing.T, d *db.DB) *db.DB {
	t.Helper()
	dsn := d.DSN()
	if strings.Contains(dsn, "xxxxx") {
		return d
	}
	d2, err := db.Open(dsn)
	if err != nil {
		t.Logf("second handle: %v; sharing one", err)
		return d
	}
	t.Cleanup(func() { d2.Close() })
	return d2
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// recv waits for a value from ch, failing the test rather than hanging.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(15 * time.Second):
		t.Fatal("timed out waiting on a channel")
		panic("unreachable")
	}
}

func load(t *testing.T, d *db.DB, tenant, id ids.ID) *Job {
	t.Helper()
	j := new(Job)
	ctx := context.Background()
	if err := d.Conn(ctx).NewSelect().Model(j).Where("tenant_id = ? AND id = ?", tenant, id).Scan(ctx); err != nil {
		t.Fatalf("load job %d: %v", id, err)
	}
	return j
}

func waitState(t *testing.T, d *db.DB, j *Job, want State) *Job {
	t.Helper()
	var got *Job
	waitFor(t, "job "+j.Kind+" to be "+string(want), func() bool {
		got = load(t, d, j.TenantID, j.ID)
		return got.State == want
	})
	return got
}

func countJobs(t *testing.T, d *db.DB, where string, args ...any) int {
	t.Helper()
	ctx := context.Background()
	n, err := d.Conn(ctx).NewSelect().Model((*Job)(nil)).Where(where, args...).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func principal(tenant, user ids.ID, scope rbac.Scope, perms ...string) context.Context {
	m := map[string]rbac.Scope{}
	for _, p := range perms {
		m[p] = scope
	}
	return rbac.WithPrincipal(context.Background(), rbac.NewPrincipal(rbac.Principal{TenantID: tenant, UserID: user}, m))
}

func admin(tenant ids.ID) context.Context {
	return principal(tenant, 10, rbac.Scope{All: true}, rbac.JobRead, rbac.JobManage)
}
