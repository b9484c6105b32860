package app_test

import (
	"context"
	"testing"

	"github.com/renshi/renshi/internal/app"
	"github.com/renshi/renshi/internal/app/apptest"
	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/platform/auth"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/training"
)

// The demo company comes with approvals in flight: HR has a bank-account
// change and a transfer to decide, and 赵磊 sees his approved one.
func TestSeedDemoPutsApprovalsInFlight(t *testing.T) {
	a := apptest.New(t).App
	ctx := context.Background()
	res, err := a.SeedDemo(ctx, app.SeedOptions{Employees: 120})
	if err != nil || !res.Created {
		t.Fatalf("seed: %+v %v", res, err)
	}
	tn, err := a.Tenants.ByCode(ctx, app.DemoTenant)
	if err != nil {
		t.Fatal(err)
	}
	sys := rbac.WithPrincipal(ctx, rbac.SystemPrincipal(tn.ID, "test"))
	counts := func(login string) approval.Counts {
		t.Helper()
		users, _, err := a.Auth.Users(sys, auth.UserFilter{Query: login, Size: 10})
		if err != nil || len(users) != 1 {
			t.Fatalf("%s: %v %v", login, users, err)
		}
		p, err := a.Auth.ActAs(sys, users[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		c, err := a.Approvals.Counts(rbac.WithPrincipal(ctx, p))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := counts("hr.admin"); c.Todo != 2 || c.Done != 1 {
		t.Errorf("hr.admin: %+v, want 2 to do and 1 done", c)
	}
	if c := counts("zhao.lei"); c.Submitted != 2 {
		t.Errorf("zhao.lei: %+v, want 2 submitted", c)
	}
	if c := counts("sales.zhang"); c.Submitted != 1 {
		t.Errorf("sales.zhang: %+v, want 1 submitted", c)
	}
}

// The demo company comes with the training story: 市场部's program with
// one learner done, one failed once, and the rest overdue; 市场部 late
// with a material.
func TestSeedDemoTellsTheTrainingStory(t *testing.T) {
	a := apptest.New(t).App
	ctx := context.Background()
	if _, err := a.SeedDemo(ctx, app.SeedOptions{Employees: 120}); err != nil {
		t.Fatal(err)
	}
	tn, err := a.Tenants.ByCode(ctx, app.DemoTenant)
	if err != nil {
		t.Fatal(err)
	}
	sys := rbac.WithPrincipal(ctx, rbac.SystemPrincipal(tn.ID, "test"))
	progs, _, err := a.Training.Programs(sys, training.ProgramFilter{})
	if err != nil || len(progs) != 1 {
		t.Fatalf("programs: %v %v", progs, err)
	}
	d, err := a.Training.Dashboard(sys, progs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Assigned != 4 || d.Completed != 1 || d.InProgress != 1 || d.Overdue != 3 || d.Duties.Overdue == 0 {
		t.Fatalf("dashboard: %+v", d)
	}
}
