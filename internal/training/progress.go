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
	seen := map[ids.ID]bool{}
	for i := range rows {
		pg := &rows[i]
		change(pg)
		if pg.CompletedAt.IsZero() && pg.Done() {
			pg.CompletedAt = now
		}
		pg.UpdatedAt = now
		if err := s.store.UpdateProgress(ctx, pg); err != nil {
			return err
		}
		if !seen[pg.EnrollmentID] {
			seen[pg.EnrollmentID] = true
			if err := s.summarise(ctx, pg.EnrollmentID, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// summarise recomputes an enrollment from its modules: how many are done,
// the average best score, and its state.
func (s *Service) summarise(ctx context.Context, enrollmentID ids.ID, now time.Time) error {
	e, err := s.store.Enrollment(ctx, enrollmentID)
	if err != nil {
		return err
	}
	rows, err := s.store.EnrollmentProgress(ctx, enrollmentID)
	if err != nil {
		return err
	}
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
		return nil
	}
	e.UpdatedAt = now
	return s.store.UpdateEnrollment(ctx, e)
}

// certificateNo is the printed number of a completion certificate: the
// year and the enrollment id, so it is unique and can be looked up.
func certificateNo(e *Enrollment) string {
	return fmt.Sprintf("RS-%d-%s", e.CompletedAt.Year(), e.ID)
}
