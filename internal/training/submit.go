package training

import (
	"context"
	"sync"
	"time"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// A class hands in its tests at the bell. Submissions that arrive
// together are graded together: one goroutine at a time leads, reads the
// questions, progress and enrollments of the whole group in a few
// queries, grades each, and writes them in one transaction with a
// savepoint each (a failure undoes only its own). While it works the next
// group collects. Per submission that is a handful of row writes instead
// of a dozen statements and a transaction.

// MaxSubmitGroup bounds the submissions graded together; GatherFor is how
// long the first of a burst waits for the others.
const (
	MaxSubmitGroup = 256
	GatherFor      = time.Millisecond
)

type submission struct {
	ctx       context.Context
	tenant    ids.ID
	attemptID ids.ID
	employee  ids.ID
	answers   map[string][]string
	a         *Attempt // read by the group
	done      chan error
}

type submitQueue struct {
	mu      sync.Mutex
	queue   []*submission
	leading bool
}

// submit grades and records the employee's attempt with others handed in
// at the same time and returns it: graded, or as it was when it is not
// open any more (a double submission).
func (s *Service) submit(ctx context.Context, attemptID, employee ids.ID, answers map[string][]string) (*Attempt, error) {
	p := rbac.From(ctx)
	r := &submission{ctx: ctx, tenant: p.TenantID, attemptID: attemptID, employee: employee, answers: answers, done: make(chan error, 1)}
	q := &s.submitQ
	q.mu.Lock()
	q.queue = append(q.queue, r)
	lead := !q.leading
	q.leading = true
	q.mu.Unlock()
	if lead {
		go s.leadSubmits()
	}
	err := <-r.done
	return r.a, err
}

func (s *Service) leadSubmits() {
	q := &s.submitQ
	// A moment for the rest of the class: whoever hands in with the
	// first joins its group instead of waiting for the next one.
	time.Sleep(GatherFor)
	for {
		q.mu.Lock()
		if len(q.queue) == 0 {
			q.leading = false
			q.mu.Unlock()
			return
		}
		// One tenant per group: the store reads are tenant-scoped.
		tenant := q.queue[0].tenant
		var group, rest []*submission
		for _, r := range q.queue {
			if r.tenant == tenant && len(group) < MaxSubmitGroup {
				group = append(group, r)
			} else {
				rest = append(rest, r)
			}
		}
		q.queue = rest
		q.mu.Unlock()
		deferred := s.submitGroup(group)
		if len(deferred) > 0 {
			q.mu.Lock()
			q.queue = append(deferred, q.queue...)
			q.mu.Unlock()
		}
	}
}

// submitGroup grades and writes a group; submissions touching an
// enrollment another one of the group touches wait for the next group
// (each is planned from what was read before either was written).
func (s *Service) submitGroup(group []*submission) (deferred []*submission) {
	fail := func(list []*submission, err error) {
		for _, r := range list {
			r.done <- err
		}
	}
	ctx := context.WithoutCancel(group[0].ctx)
	attemptIDs := make([]ids.ID, len(group))
	for i, r := range group {
		attemptIDs[i] = r.attemptID
	}
	read, err := s.store.AttemptsByID(ctx, attemptIDs)
	if err != nil {
		fail(group, err)
		return nil
	}
	byID := make(map[ids.ID]*Attempt, len(read))
	for i := range read {
		byID[read[i].ID] = &read[i]
	}
	// Each is the caller's, still open, and answers its own questions;
	// the others are answered at once.
	open := group[:0:0]
	for _, r := range group {
		a := byID[r.attemptID]
		switch {
		case a == nil || a.EmployeeID != r.employee:
			r.done <- errs.NotFoundf("object.training_attempt")
		case a.State != AttemptOpen:
			r.a = a
			r.done <- nil
		default:
			if err := checkAnswers(a, r.answers); err != nil {
				r.done <- err
				continue
			}
			copied := *a
			r.a = &copied
			open = append(open, r)
		}
	}
	group = open
	if len(group) == 0 {
		return nil
	}
	var qids []ids.ID
	pairs := make([]EmployeeModule, 0, len(group))
	for _, r := range group {
		qids = append(qids, r.a.QuestionIDs...)
		pairs = append(pairs, EmployeeModule{EmployeeID: r.a.EmployeeID, ModuleID: r.a.ModuleID})
	}
	qs, err := s.store.QuestionsByID(ctx, uniqueIDs(qids))
	if err != nil {
		fail(group, err)
		return nil
	}
	questions := make(map[ids.ID]*Question, len(qs))
	for i := range qs {
		questions[qs[i].ID] = &qs[i]
	}
	rows, err := s.store.ProgressFor(ctx, pairs)
	if err != nil {
		fail(group, err)
		return nil
	}
	byPair := map[EmployeeModule][]Progress{}
	var enrollmentIDs []ids.ID
	for _, pg := range rows {
		k := EmployeeModule{EmployeeID: pg.EmployeeID, ModuleID: pg.ModuleID}
		byPair[k] = append(byPair[k], pg)
		enrollmentIDs = append(enrollmentIDs, pg.EnrollmentID)
	}
	enrollmentIDs = uniqueIDs(enrollmentIDs)
	ens, err := s.store.EnrollmentsByID(ctx, enrollmentIDs)
	if err != nil {
		fail(group, err)
		return nil
	}
	all, err := s.store.ProgressOfEnrollments(ctx, enrollmentIDs)
	if err != nil {
		fail(group, err)
		return nil
	}
	enrollments := make(map[ids.ID]*Enrollment, len(ens))
	for i := range ens {
		enrollments[ens[i].ID] = &ens[i]
	}
	modules := map[ids.ID][]Progress{}
	for _, pg := range all {
		modules[pg.EnrollmentID] = append(modules[pg.EnrollmentID], pg)
	}
	now := s.nowUTC()
	touched := map[ids.ID]bool{}
	var ready []*submission
	var plans []*progressPlan
	for _, r := range group {
		mine := byPair[EmployeeModule{EmployeeID: r.a.EmployeeID, ModuleID: r.a.ModuleID}]
		clash := false
		for _, pg := range mine {
			clash = clash || touched[pg.EnrollmentID]
		}
		if clash {
			deferred = append(deferred, r)
			continue
		}
		for _, pg := range mine {
			touched[pg.EnrollmentID] = true
		}
		list := make([]Question, 0, len(r.a.QuestionIDs))
		for _, id := range r.a.QuestionIDs {
			if q := questions[id]; q != nil && q.ModuleID == r.a.ModuleID {
				list = append(list, *q)
			}
		}
		scoreAttempt(r.a, list, r.answers, now)
		ready = append(ready, r)
		plans = append(plans, planWith(mine, enrollments, modules, now, testChange(r.a)))
	}
	if len(ready) == 0 {
		return deferred
	}
	results, err := s.writeGroup(ctx, ready, plans, now)
	if err != nil {
		// Something in the group failed: each again on its own, in a
		// savepoint, so one failure is only its own.
		ctxs := make([]context.Context, len(ready))
		fns := make([]func(context.Context) error, len(ready))
		for i, r := range ready {
			a, plan := r.a, plans[i]
			ctxs[i] = r.ctx
			fns[i] = func(ctx context.Context) error { return s.recordSubmission(ctx, a, plan, now) }
		}
		if results, err = s.db.Savepoints(ctxs, fns); err != nil {
			fail(ready, err)
			return deferred
		}
	}
	for i, r := range ready {
		r.done <- results[i]
	}
	return deferred
}

// writeGroup writes a graded group in one transaction of a few bulk
// statements; any failure (an attempt handed in meanwhile, say) undoes
// the group for the caller to write one by one.
func (s *Service) writeGroup(ctx context.Context, ready []*submission, plans []*progressPlan, now time.Time) ([]error, error) {
	results := make([]error, len(ready))
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		attempts := make([]Attempt, len(ready))
		for i, r := range ready {
			attempts[i] = *r.a
		}
		if err := s.store.CloseAttempts(ctx, attempts); err != nil {
			return err
		}
		var rows []Progress
		var ens []Enrollment
		for i := range ready {
			rows = append(rows, plans[i].rows...)
			for _, e := range plans[i].enrollments {
				ens = append(ens, *e)
			}
		}
		if err := s.store.UpdateTestProgress(ctx, rows); err != nil {
			return err
		}
		if err := s.store.UpdateSummaries(ctx, ens); err != nil {
			return err
		}
		for i, r := range ready {
			if r.a.State != AttemptGraded || r.a.Passed {
				continue
			}
			m, err := s.store.Module(ctx, r.a.ModuleID)
			if err != nil {
				return err
			}
			if err := s.afterGrade(ctx, m, r.a, plans[i].rows, now); err != nil {
				return err
			}
		}
		return nil
	})
	return results, err
}

// recordSubmission writes one graded attempt and its progress, and
// follows a failure up (retake reminder, or the enrollment failed).
func (s *Service) recordSubmission(ctx context.Context, a *Attempt, plan *progressPlan, now time.Time) error {
	if err := s.store.CloseAttempt(ctx, a); err != nil {
		return err
	}
	if err := s.applyProgress(ctx, plan); err != nil {
		return err
	}
	if a.State != AttemptGraded || a.Passed {
		return nil
	}
	m, err := s.store.Module(ctx, a.ModuleID)
	if err != nil {
		return err
	}
	return s.afterGrade(ctx, m, a, plan.rows, now)
}
