package training

import (
	"context"
	"fmt"
	"time"

	"github.com/renshi/renshi/internal/platform/ids"
)

// updateProgress applies change to progress rows (one module of one
// employee, in every program that assigns it), marks modules complete
// and brings each enrollment's summary up to date.
func (s *Service) updateProgress(ctx context.Context, rows []Progress, now time.Time, change func(*Progress)) error {
	plan, err := s.planProgress(ctx, rows, now, change)
	if err != nil {
		return err
	}
	return s.applyProgress(ctx, plan)
}

// progressPlan is what a change to progress writes.
type progressPlan struct {
	rows        []Progress
	enrollments []*Enrollment
}

// planProgress works out a change to progress without writing: it may
// run outside the transaction (on the readers), so the transaction only
// writes.
func (s *Service) planProgress(ctx context.Context, rows []Progress, now time.Time, change func(*Progress)) (*progressPlan, error) {
	ens := map[ids.ID]*Enrollment{}
	all := map[ids.ID][]Progress{}
	for _, pg := range rows {
		if ens[pg.EnrollmentID] != nil {
			continue
		}
		e, err := s.store.Enrollment(ctx, pg.EnrollmentID)
		if err != nil {
			return nil, err
		}
		ens[e.ID] = e
		if all[e.ID], err = s.store.EnrollmentProgress(ctx, e.ID); err != nil {
			return nil, err
		}
	}
	return planWith(rows, ens, all, now, change), nil
}

// planWith plans a change from what was read: the changed rows, their
// enrollments and every module row of those enrollments.
func planWith(rows []Progress, ens map[ids.ID]*Enrollment, all map[ids.ID][]Progress, now time.Time, change func(*Progress)) *progressPlan {
	plan := &progressPlan{rows: rows}
	var order []ids.ID
	seen := map[ids.ID]bool{}
	for i := range rows {
		pg := &rows[i]
		change(pg)
		if pg.CompletedAt.IsZero() && pg.Done() {
			pg.CompletedAt = now
		}
		pg.UpdatedAt = now
		if !seen[pg.EnrollmentID] {
			seen[pg.EnrollmentID] = true
			order = append(order, pg.EnrollmentID)
		}
	}
	for _, id := range order {
		e := ens[id]
		if e == nil {
			continue
		}
		mods := append([]Progress(nil), all[id]...)
		for i := range mods {
			for _, changed := range rows {
				if changed.EnrollmentID == id && mods[i].ModuleID == changed.ModuleID {
					mods[i] = changed
				}
			}
		}
		if summarise(e, mods, now) {
			plan.enrollments = append(plan.enrollments, e)
		}
	}
	return plan
}

// applyProgress writes a plan.
func (s *Service) applyProgress(ctx context.Context, plan *progressPlan) error {
	for i := range plan.rows {
		if err := s.store.UpdateProgress(ctx, &plan.rows[i]); err != nil {
			return err
		}
	}
	for _, e := range plan.enrollments {
		if err := s.store.UpdateEnrollment(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// summarise recomputes an enrollment from its modules: how many are done,
// the average best score, and its state. It reports whether anything
// changed.
func summarise(e *Enrollment, rows []Progress, now time.Time) bool {
	before := *e
	e.ModulesTotal, e.ModulesDone, e.ScoreSum, e.ScoreCount = len(rows), 0, 0, 0
	started := false
	for _, pg := range rows {
		if !pg.CompletedAt.IsZero() {
			e.ModulesDone++
		}
		if pg.BestScore >= 0 {
			e.ScoreSum += pg.BestScore
			e.ScoreCount++
		}
		if pg.MaterialsDone > 0 || pg.Attempts > 0 || pg.HomeworkState == HomeworkSubmitted || pg.HomeworkState == HomeworkGraded {
			started = true
		}
	}
	if started && e.StartedAt.IsZero() {
		e.StartedAt = now
	}
	switch {
	case e.State == EnrollFailed:
		// Failed stays failed until HR grants another chance (re-enrol).
	case e.ModulesTotal > 0 && e.ModulesDone == e.ModulesTotal:
		e.State = EnrollCompleted
		if e.CompletedAt.IsZero() {
			e.CompletedAt = now
			e.CertificateNo = certificateNo(e)
		}
	case started:
		e.State = EnrollInProgress
	default:
		e.State = EnrollAssigned
	}
	if e.State == before.State && e.ModulesDone == before.ModulesDone && e.ScoreSum == before.ScoreSum &&
		e.ScoreCount == before.ScoreCount && e.StartedAt.Equal(before.StartedAt) && e.ModulesTotal == before.ModulesTotal {
		return false
	}
	e.UpdatedAt = now
	return true
}

// certificateNo is the printed number of a completion certificate: the
// year and the enrollment id, so it is unique and can be looked up.
func certificateNo(e *Enrollment) string {
	return fmt.Sprintf("RS-%d-%s", e.CompletedAt.Year(), e.ID)
}
