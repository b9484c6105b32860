package approvaldb_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/approval/approvaltest"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// benchEnv is a tenant with n approval instances spread over 2,000
// applicants and 1,000 approvers (a third still pending), plus a heavy
// approver (the HR admin) on every 20th instance: 5,000 tasks, a quarter
// of them pending. Rows are written in bulk, not through the engine.
type benchEnv struct {
	*approvaltest.Env
	typ               *approvaltest.Type
	flow              *approval.Flow
	typical, heavy    ids.ID // a typical approver (~100 tasks) and the HR admin
	applicant, signer ids.ID // for the action benchmark
}

const benchType = "bench.leave"

func seed(b testing.TB, n int) *benchEnv {
	b.Helper()
	e := &benchEnv{Env: approvaltest.New(b)}
	e.typ = &approvaltest.Type{TypeInfo: approval.TypeInfo{Code: benchType, Label: "bench.leave"}}
	e.Svc.Register(e.typ)
	e.typical, e.heavy = e.Account("typical"), e.Account("hr")
	e.applicant, e.signer = e.Account("applicant"), e.Account("signer")
	e.Dir.Grant(rbac.HRAdmin, approvaltest.Grant{User: e.heavy, All: true})
	ctx := e.System()
	f, err := e.Svc.SaveFlow(e.As(e.heavy), benchType, approval.FlowInput{Definition: approval.Definition{
		Branches: []approval.Branch{{Nodes: []approval.Node{{Name: "审批", Mode: approval.ModeAny, Approvers: []approval.Approver{approval.Users(e.signer)}}}}}}})
	if err != nil {
		b.Fatal(err)
	}
	e.flow = f
	approvers := make([]ids.ID, 1000)
	approvers[0] = e.typical
	for i := 1; i < len(approvers); i++ {
		approvers[i] = ids.New()
	}
	applicants := make([]ids.ID, 2000)
	for i := range applicants {
		applicants[i] = ids.New()
	}
	start := e.Now().UTC().Add(-90 * 24 * time.Hour)
	const chunk = 500
	for from := 0; from < n; from += chunk {
		var ins []approval.Instance
		var tasks []approval.Task
		for i := from; i < min(from+chunk, n); i++ {
			at := start.Add(time.Duration(i) * time.Minute).Truncate(time.Microsecond)
			in := approval.Instance{TenantID: e.TenantID, ID: ids.New(), RequestType: benchType, FlowID: f.ID, FlowVersion: 1,
				Title: fmt.Sprintf("请假 %d", i), ApplicantUserID: applicants[i%len(applicants)], ApplicantName: "申请人",
				Fields: map[string]any{"days": i % 10}, State: approval.StateApproved, Round: 1, NodeIndex: 0, NodeName: "审批",
				SubmittedAt: at, UpdatedAt: at, Version: 2}
			approver, state := approvers[(i+1)%len(approvers)], approval.TaskApproved
			if i%3 == 0 {
				in.State, state = approval.StateRunning, approval.TaskPending
			}
			if i%20 == 0 {
				approver = e.heavy
				if i%80 != 0 {
					in.State, state = approval.StateApproved, approval.TaskApproved
				} else {
					in.State, state = approval.StateRunning, approval.TaskPending
				}
			}
			t := approval.Task{TenantID: e.TenantID, ID: ids.New(), InstanceID: in.ID, Round: 1, NodeIndex: 0, NodeName: "审批",
				Origin: approval.OriginFlow, ApproverUserID: approver, ApproverName: "审批人", State: state, CreatedAt: at}
			t.Slot = t.ID
			if state != approval.TaskPending {
				acted := at.Add(time.Hour)
				t.ActedAt = &acted
			} else {
				in.Version = 1
			}
			ins = append(ins, in)
			tasks = append(tasks, t)
		}
		err := e.DB.WithTx(ctx, func(ctx context.Context) error {
			if _, err := e.DB.Conn(ctx).NewInsert().Model(&ins).Exec(ctx); err != nil {
				return err
			}
			_, err := e.DB.Conn(ctx).NewInsert().Model(&tasks).Exec(ctx)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		// PostgreSQL plans the foreign-key checks of a session once; made
		// on the empty table they scan it, and a bulk load slows to a
		// crawl. Fresh statistics (as autovacuum would gather) re-plan them.
		if e.DB.Engine == db.Postgres && (from/chunk)%20 == 0 {
			if _, err := e.DB.Raw().Exec("ANALYZE approval_instances, approval_tasks"); err != nil {
				b.Fatal(err)
			}
		}
	}
	// Statistics as autovacuum would gather them after such an insert.
	if e.DB.Engine == db.Postgres {
		if _, err := e.DB.Raw().Exec("ANALYZE approval_instances, approval_tasks"); err != nil {
			b.Fatal(err)
		}
	}
	return e
}

// percentiles reports the p50 and p99 of durations in milliseconds.
func percentiles(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	ms := func(q float64) float64 { return float64(d[int(q*float64(len(d)-1))]) / 1e6 }
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
}

// BenchmarkMyTodo100k is "my to-do" (first page of 20 with the four tab
// counts, through the service) with 100,000 instances in the tenant, for
// a typical approver and for the HR admin with 5,000 tasks.
func BenchmarkMyTodo100k(b *testing.B) {
	e := seed(b, 100000)
	for _, who := range []struct {
		name string
		user ids.ID
	}{{"typical", e.typical}, {"hr", e.heavy}} {
		b.Run(who.name, func(b *testing.B) {
			ctx := e.As(who.user)
			m, err := e.Svc.MyApprovals(ctx, approval.MineQuery{})
			if err != nil || len(m.Items) == 0 {
				b.Fatalf("%+v %v", m, err)
			}
			var took []time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				t0 := time.Now()
				if _, err := e.Svc.MyApprovals(ctx, approval.MineQuery{}); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
			}
			b.ReportMetric(float64(m.Counts.Todo), "todo")
			percentiles(b, took)
		})
	}
}

// BenchmarkApprove100k is one approval action (the last node: the
// instance completes and the type is told) with 100,000 instances in the
// tenant, through the service: lock, tasks, timeline, audit, outcome.
func BenchmarkApprove100k(b *testing.B) {
	e := seed(b, 100000)
	applicant, signer := e.As(e.applicant), e.As(e.signer)
	var queue []ids.ID
	refill := func() {
		for range 100 {
			d, err := e.Svc.Submit(applicant, approval.Submission{Type: benchType})
			if err != nil {
				b.Fatal(err)
			}
			queue = append(queue, d.ID)
		}
	}
	var took []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if len(queue) == 0 {
			b.StopTimer()
			refill()
			b.StartTimer()
		}
		id := queue[0]
		queue = queue[1:]
		t0 := time.Now()
		d, err := e.Svc.Approve(signer, id, approval.Act{Comment: "同意"})
		if err != nil || d.State != approval.StateApproved {
			b.Fatalf("%v %v", d, err)
		}
		took = append(took, time.Since(t0))
	}
	percentiles(b, took)
}
