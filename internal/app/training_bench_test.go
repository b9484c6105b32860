package app_test

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/app/apptest"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/training"
	"github.com/renshi/renshi/internal/training/trainingapi"
	"github.com/renshi/renshi/internal/training/trainingdb"
)

// trainingBench is a tenant with a two-module program and n learners
// enrolled in bulk (rows written by the store, not one by one), in a mix
// of states.
type trainingBench struct {
	e        *apptest.Env
	ctx      context.Context
	program  ids.ID
	module   ids.ID
	learners []ids.ID // employee ids, not started
}

func seedTraining(b *testing.B, n int) *trainingBench {
	e := apptest.New(b)
	ctx := rbac.WithPrincipal(context.Background(), rbac.SystemPrincipal(e.Tenant.ID, "bench"))
	svc := e.App.Training
	var mods []ids.ID
	for i := 0; i < 2; i++ {
		m, err := svc.CreateModule(ctx, training.ModuleInput{Title: fmt.Sprintf("模块 %d", i), Kind: training.General, TestEnabled: true, TestQuestions: 20})
		if err != nil {
			b.Fatal(err)
		}
		for q := 0; q < 30; q++ {
			if _, err := svc.AddQuestion(ctx, m.ID, training.QuestionInput{Kind: training.Single, Stem: fmt.Sprintf("Q%d", q), Options: []string{"A", "B", "C"}, Answer: []string{"0"}}); err != nil {
				b.Fatal(err)
			}
		}
		mods = append(mods, m.ID)
	}
	pr, err := svc.CreateProgram(ctx, training.ProgramInput{Title: "bench", ModuleIDs: mods, DeadlineDays: 7})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.ActivateProgram(ctx, pr.ID); err != nil {
		b.Fatal(err)
	}
	st := trainingdb.New(e.App.DB)
	today := civil.Today(nil)
	now := time.Now().UTC()
	states := []string{training.EnrollAssigned, training.EnrollInProgress, training.EnrollCompleted, training.EnrollFailed}
	tb := &trainingBench{e: e, ctx: ctx, program: pr.ID, module: mods[0]}
	for from := 0; from < n; from += 2000 {
		var ens []training.Enrollment
		var rows []training.Progress
		for i := from; i < min(from+2000, n); i++ {
			en := training.Enrollment{ID: ids.New(), ProgramID: pr.ID, EmployeeID: ids.New(), EmployeeName: fmt.Sprintf("员工%05d", i),
				Source: training.SourceManual, State: states[i%4], AssignedOn: today.AddDays(-10), DueDate: today.AddDays(i%14 - 7),
				ModulesTotal: 2, CreatedAt: now, UpdatedAt: now}
			if en.State == training.EnrollAssigned {
				tb.learners = append(tb.learners, en.EmployeeID)
			}
			ens = append(ens, en)
			for _, m := range mods {
				pg := training.Progress{EnrollmentID: en.ID, ModuleID: m, ProgramID: pr.ID, EmployeeID: en.EmployeeID, TestState: training.TestPending,
					BestScore: -1, HomeworkScore: -1, UpdatedAt: now}
				if en.State == training.EnrollCompleted {
					pg.TestState, pg.BestScore, pg.Attempts, pg.CompletedAt = training.TestPassed, 80+i%20, 1, now
				}
				rows = append(rows, pg)
			}
		}
		err := e.App.DB.WithTx(ctx, func(ctx context.Context) error {
			if err := st.InsertEnrollments(ctx, ens); err != nil {
				return err
			}
			return st.InsertProgress(ctx, rows)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	// A live database has statistics (autovacuum analyses tables that
	// grew); freshly loaded bench tables have none until told.
	if e.App.DB.Engine == db.Postgres {
		if _, err := e.App.DB.Conn(ctx).ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	return tb
}

// Target: the dashboard of a program with 10,000 learners ≤ 200 ms.
func BenchmarkTrainingDashboard10k(b *testing.B) {
	tb := seedTraining(b, 10000)
	b.ResetTimer()
	for b.Loop() {
		d, err := tb.e.App.Training.Dashboard(tb.ctx, tb.program)
		if err != nil || d.Assigned != 10000 {
			b.Fatal(err, d)
		}
	}
}

// Target: the training record export of 10,000 learners ≤ 5 s.
func BenchmarkTrainingRecordExport10k(b *testing.B) {
	tb := seedTraining(b, 10000)
	b.ResetTimer()
	for b.Loop() {
		w, err := export.New(io.Discard, export.XLSX, "培训档案")
		if err != nil {
			b.Fatal(err)
		}
		if err := trainingapi.WriteRecords(tb.ctx, tb.e.App.Training, training.RecordFilter{ProgramID: tb.program}, w); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// Target: a test submission's p99 ≤ 50 ms with 200 learners submitting
// at once (each starts its attempt first; only the submission is timed).
func BenchmarkTrainingSubmit200(b *testing.B) {
	tb := seedTraining(b, 20000)
	svc := tb.e.App.Training
	const concurrent = 200
	var all []time.Duration
	next := 0
	b.ResetTimer()
	for b.Loop() {
		if next+concurrent > len(tb.learners) {
			b.Fatal("out of learners")
		}
		type sitting struct {
			ctx     context.Context
			paper   *training.Paper
			answers map[string][]string
		}
		sittings := make([]sitting, concurrent)
		b.StopTimer()
		for i := range sittings {
			emp := tb.learners[next+i]
			ctx := rbac.WithPrincipal(context.Background(), rbac.NewPrincipal(rbac.Principal{TenantID: tb.e.Tenant.ID, UserID: ids.New(), EmployeeID: emp}, nil))
			p, err := svc.StartAttempt(ctx, tb.module)
			if err != nil {
				b.Fatal(err)
			}
			answers := map[string][]string{}
			for _, q := range p.Questions {
				answers[q.ID.String()] = []string{"0"}
			}
			sittings[i] = sitting{ctx, p, answers}
		}
		next += concurrent
		b.StartTimer()
		lat := make([]time.Duration, concurrent)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range sittings {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				t0 := time.Now()
				a, err := svc.SubmitAttempt(sittings[i].ctx, sittings[i].paper.Attempt.ID, sittings[i].answers)
				lat[i] = time.Since(t0)
				if err != nil || !a.Passed {
					b.Error(err)
				}
			}(i)
		}
		close(start)
		wg.Wait()
		all = append(all, lat...)
	}
	slices.Sort(all)
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
}
