package jobsapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/app/apptest"
	"github.com/renshi/renshi/internal/platform/jobs"
	"github.com/renshi/renshi/internal/platform/rbac"
)

func TestJobsListRetryCancelAndScope(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	// A job kind that fails permanently, and a queued job far in the future.
	e.App.Jobs.Register("test.fail", func(ctx context.Context, _ *jobs.Job, _ *jobs.Progress) error {
		return jobs.Permanent(context.DeadlineExceeded)
	}, jobs.KindOptions{})
	root := e.Login("root")
	me := root.Do("GET", "/api/v1/auth/me", nil).JSON()
	sys := rbac.WithPrincipal(ctx, rbac.SystemPrincipal(e.Tenant.ID, "test"))
	var failing, later *jobs.Job
	err := e.App.DB.WithTx(sys, func(ctx context.Context) error {
		var err error
		if failing, err = e.App.Jobs.Enqueue(ctx, e.Tenant.ID, "test.fail", nil, jobs.EnqueueOptions{}); err != nil {
			return err
		}
		later, err = e.App.Jobs.Enqueue(ctx, e.Tenant.ID, "test.fail", nil, jobs.EnqueueOptions{RunAt: time.Now().Add(time.Hour)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = me
	deadline := time.Now().Add(10 * time.Second)
	for {
		j := root.Do("GET", "/api/v1/jobs/"+failing.ID.String(), nil).JSON()
		if j["state"] == "failed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job did not fail: %v", j)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := root.Do("GET", "/api/v1/jobs?state=failed", nil).JSON()["total"]; n != 1.0 {
		t.Fatalf("failed filter: %v", n)
	}
	if r := root.Do("POST", "/api/v1/jobs/"+later.ID.String()+"/retry", nil); r.Status != 409 || r.Code() != "jobs.not_retryable" {
		t.Fatalf("retry queued: %d %s", r.Status, r.Body)
	}
	if r := root.Do("POST", "/api/v1/jobs/"+later.ID.String()+"/cancel", nil); r.Status != 200 || r.JSON()["state"] != "cancelled" {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	if r := root.Do("POST", "/api/v1/jobs/"+failing.ID.String()+"/retry", nil); r.Status != 200 || r.JSON()["state"] != "queued" {
		t.Fatalf("retry: %d %s", r.Status, r.Body)
	}
	if n := root.Do("GET", "/api/v1/audit?objectType=job", nil).JSON()["total"]; n != 2.0 {
		t.Fatalf("job actions audited: %v", n)
	}
	x := root.Do("GET", "/api/v1/jobs/export?format=csv", nil)
	if !strings.Contains(string(x.Body), "test.fail") {
		t.Fatalf("export: %s", x.Body)
	}
	// An employee's job.read is scoped to himself: he sees none of these.
	e.User("emp", "employee")
	emp := e.Login("emp")
	if n := emp.Do("GET", "/api/v1/jobs", nil).JSON()["total"]; n != 0.0 {
		t.Fatalf("employee sees others' jobs: %v", n)
	}
	if r := emp.Do("GET", "/api/v1/jobs/"+later.ID.String(), nil); r.Status != 404 {
		t.Fatalf("employee reads others' job: %d", r.Status)
	}
}
