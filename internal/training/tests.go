package training

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// SubmitGrace is how late after the time limit a submission still counts
// (the network and a slow phone).
const SubmitGrace = time.Minute

// Paper is an attempt as the learner sees it: questions without answers,
// options in the order drawn for this attempt.
type Paper struct {
	Attempt      *Attempt        `json:"attempt"`
	Questions    []PaperQuestion `json:"questions"`
	AttemptsLeft int             `json:"attemptsLeft" doc:"-1 = unlimited"`
	TimeLimit    int             `json:"timeLimitMinutes"`
}

// PaperQuestion is one question on a paper.
type PaperQuestion struct {
	ID      ids.ID        `json:"id"`
	Kind    string        `json:"kind"`
	Stem    string        `json:"stem"`
	Options []PaperOption `json:"options"`
	Points  int           `json:"points"`
	// Earned is filled once the attempt is graded (-1 before).
	Earned int `json:"earned"`
}

// PaperOption is an option; Key is what an answer names.
type PaperOption struct {
	Key  string `json:"key"`
	Text string `json:"text"`
}

// learner is the caller as an employee.
func learner(ctx context.Context) (*rbac.Principal, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if p.EmployeeID == 0 {
		return nil, errs.E(errs.NotFound, "training.no_employee")
	}
	return p, nil
}

// StartAttempt opens an attempt at a module's test for the caller, or
// returns the one still open (continue where one stopped). Questions are
// drawn at random from the bank and put in random order.
func (s *Service) StartAttempt(ctx context.Context, moduleID ids.ID) (*Paper, error) {
	p, err := learner(ctx)
	if err != nil {
		return nil, err
	}
	var out *Paper
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		rows, err := s.store.ProgressOf(ctx, p.EmployeeID, moduleID)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return errs.E(errs.NotFound, "training.test_not_assigned")
		}
		m, err := s.store.Module(ctx, moduleID)
		if err != nil {
			return err
		}
		if !m.TestEnabled {
			return errs.E(errs.NotFound, "training.test_not_assigned")
		}
		for _, pg := range rows {
			if pg.TestState == TestPassed {
				return errs.E(errs.Conflict, "training.already_passed")
			}
		}
		now := s.nowUTC()
		list, err := s.store.Attempts(ctx, p.EmployeeID, moduleID)
		if err != nil {
			return err
		}
		for i := range list {
			a := &list[i]
			if a.State != AttemptOpen {
				continue
			}
			if a.DeadlineAt.IsZero() || now.Before(a.DeadlineAt.Add(SubmitGrace)) {
				out, err = s.paper(ctx, m, a, len(list))
				return err
			}
			// Abandoned past its limit: it ends with what was saved (nothing).
			if err := s.finish(ctx, m, a, map[string][]string{}, now, rows); err != nil {
				return err
			}
		}
		if m.MaxAttempts > 0 && len(list) >= m.MaxAttempts {
			return errs.E(errs.Conflict, "training.no_attempts_left", errs.Params{"max": m.MaxAttempts})
		}
		bank, err := s.store.Questions(ctx, moduleID, nil)
		if err != nil {
			return err
		}
		if len(bank) == 0 {
			return errs.E(errs.Conflict, "training.no_questions")
		}
		s.shuffle(len(bank), func(i, j int) { bank[i], bank[j] = bank[j], bank[i] })
		if m.TestQuestions > 0 && m.TestQuestions < len(bank) {
			bank = bank[:m.TestQuestions]
		}
		a := &Attempt{TenantID: p.TenantID, ID: ids.New(), ModuleID: moduleID, EmployeeID: p.EmployeeID, EnrollmentID: rows[0].EnrollmentID,
			Number: len(list) + 1, State: AttemptOpen, Answers: map[string][]string{}, Results: map[string]int{}, PassMark: m.PassMark, StartedAt: now}
		for _, q := range bank {
			a.QuestionIDs = append(a.QuestionIDs, q.ID)
		}
		if m.TimeLimitMinutes > 0 {
			a.DeadlineAt = now.Add(time.Duration(m.TimeLimitMinutes) * time.Minute)
		}
		if err := s.store.InsertAttempt(ctx, a); err != nil {
			if db.IsUniqueViolation(err) {
				return errs.E(errs.Conflict, "training.attempt_started")
			}
			return err
		}
		if err := s.updateProgress(ctx, rows, now, func(pg *Progress) { pg.Attempts = a.Number }); err != nil {
			return err
		}
		out, err = s.paper(ctx, m, a, a.Number)
		return err
	})
	return out, err
}

// paper shows an attempt's questions, options shuffled per attempt
// (stable for the attempt: seeded by its id).
func (s *Service) paper(ctx context.Context, m *Module, a *Attempt, taken int) (*Paper, error) {
	qs, err := s.store.Questions(ctx, m.ID, a.QuestionIDs)
	if err != nil {
		return nil, err
	}
	byID := make(map[ids.ID]*Question, len(qs))
	for i := range qs {
		byID[qs[i].ID] = &qs[i]
	}
	left := -1
	if m.MaxAttempts > 0 {
		left = max(0, m.MaxAttempts-taken)
	}
	out := &Paper{Attempt: a, AttemptsLeft: left, TimeLimit: m.TimeLimitMinutes}
	for _, id := range a.QuestionIDs {
		q := byID[id]
		if q == nil {
			continue
		}
		pq := PaperQuestion{ID: q.ID, Kind: q.Kind, Stem: q.Stem, Points: q.Points, Options: []PaperOption{}, Earned: -1}
		if a.State == AttemptGraded {
			pq.Earned = a.Results[q.ID.String()]
		}
		for i, o := range q.Options {
			pq.Options = append(pq.Options, PaperOption{Key: strconv.Itoa(i), Text: o})
		}
		seed := uint64(a.ID) ^ uint64(q.ID)
		for i := len(pq.Options) - 1; i > 0; i-- {
			seed = seed*6364136223846793005 + 1442695040888963407
			j := int((seed >> 33) % uint64(i+1))
			pq.Options[i], pq.Options[j] = pq.Options[j], pq.Options[i]
		}
		out.Questions = append(out.Questions, pq)
	}
	return out, nil
}

// Paper reads one of the caller's attempts.
func (s *Service) Paper(ctx context.Context, attemptID ids.ID) (*Paper, error) {
	p, err := learner(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.store.Attempt(ctx, attemptID)
	if err != nil || a.EmployeeID != p.EmployeeID {
		return nil, errs.NotFoundf("object.training_attempt")
	}
	m, err := s.store.Module(ctx, a.ModuleID)
	if err != nil {
		return nil, err
	}
	n, err := s.store.CountAttempts(ctx, p.EmployeeID, a.ModuleID)
	if err != nil {
		return nil, err
	}
	return s.paper(ctx, m, a, n)
}

// SubmitAttempt hands in the caller's answers and grades them at once
// (short answers wait for a reviewer). Submitting again returns the same
// result. A submission after the time limit is kept but does not pass,
// and is answered with training.time_up.
func (s *Service) SubmitAttempt(ctx context.Context, attemptID ids.ID, answers map[string][]string) (*Attempt, error) {
	p, err := learner(ctx)
	if err != nil {
		return nil, err
	}
	var f errs.Fields
	for k, v := range answers {
		f.Check(len(v) <= 10, "answers."+k, "too_long", errs.Params{"max": 10})
		for _, x := range v {
			f.Check(len([]rune(x)) <= 5000, "answers."+k, "too_long", errs.Params{"max": 5000})
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var a *Attempt
	if db.InTx(ctx) {
		// Inside the caller's transaction (the demo seeding): grade here.
		if a, err = s.store.Attempt(ctx, attemptID); err != nil || a.EmployeeID != p.EmployeeID {
			return nil, errs.NotFoundf("object.training_attempt")
		}
		if a.State != AttemptOpen {
			return a, nil
		}
		if err := checkAnswers(a, answers); err != nil {
			return nil, err
		}
		err = s.submitHere(ctx, a, answers)
	} else {
		a, err = s.submit(ctx, attemptID, p.EmployeeID, answers)
	}
	if errs.KindOf(err) == errs.Conflict && errs.Is(err, errs.Conflict, "stale") {
		// Another submission won the race: its result stands.
		return s.store.Attempt(ctx, attemptID)
	}
	if err != nil {
		return nil, err
	}
	if a.Late {
		return a, errs.E(errs.Conflict, "training.time_up", errs.Params{"score": a.Score})
	}
	return a, nil
}

// checkAnswers refuses answers to questions the attempt did not ask
// (tampered ids).
func checkAnswers(a *Attempt, answers map[string][]string) error {
	asked := make(map[string]bool, len(a.QuestionIDs))
	for _, id := range a.QuestionIDs {
		asked[id.String()] = true
	}
	var f errs.Fields
	for k := range answers {
		if !asked[k] {
			f.Add("answers."+k, "training.unknown_question")
		}
	}
	return f.Err()
}

// submitHere grades and records an attempt in the caller's transaction.
func (s *Service) submitHere(ctx context.Context, a *Attempt, answers map[string][]string) error {
	qs, err := s.store.Questions(ctx, a.ModuleID, a.QuestionIDs)
	if err != nil {
		return err
	}
	rows, err := s.store.ProgressOf(ctx, a.EmployeeID, a.ModuleID)
	if err != nil {
		return err
	}
	now := s.nowUTC()
	scoreAttempt(a, qs, answers, now)
	plan, err := s.planProgress(ctx, rows, now, testChange(a))
	if err != nil {
		return err
	}
	return s.recordSubmission(ctx, a, plan, now)
}

// finish grades and closes an open attempt inside the caller's
// transaction (the store refuses a second close with "stale") and moves
// the learner's progress on.
func (s *Service) finish(ctx context.Context, m *Module, a *Attempt, answers map[string][]string, now time.Time, rows []Progress) error {
	qs, err := s.store.Questions(ctx, m.ID, a.QuestionIDs)
	if err != nil {
		return err
	}
	scoreAttempt(a, qs, answers, now)
	if err := s.store.CloseAttempt(ctx, a); err != nil {
		return err
	}
	if err := s.updateProgress(ctx, rows, now, testChange(a)); err != nil {
		return err
	}
	return s.afterGrade(ctx, m, a, rows, now)
}

// scoreAttempt grades answers into a: choice, true/false and fill-in at
// once; short answers leave it waiting for a reviewer. Late answers are
// kept but do not pass.
func scoreAttempt(a *Attempt, qs []Question, answers map[string][]string, now time.Time) {
	a.Answers = answers
	a.SubmittedAt = now
	a.Late = !a.DeadlineAt.IsZero() && now.After(a.DeadlineAt.Add(SubmitGrace))
	a.Results = map[string]int{}
	total, earned, pending := 0, 0, false
	for i := range qs {
		q := &qs[i]
		total += q.Points
		pts, ok := grade(q, answers[q.ID.String()])
		if !ok {
			pending = true
			continue
		}
		earned += pts
		a.Results[q.ID.String()] = pts
	}
	a.State = AttemptGraded
	if pending && !a.Late {
		a.State = AttemptGrading
	}
	a.Score = percent(earned, total)
	a.Passed = a.State == AttemptGraded && !a.Late && a.Score >= a.PassMark
	if a.State == AttemptGraded {
		a.GradedAt = now
	}
}

// testChange is what a graded (or waiting) attempt does to progress.
func testChange(a *Attempt) func(*Progress) {
	return func(pg *Progress) {
		pg.Attempts = max(pg.Attempts, a.Number)
		if pg.TestState == TestPassed {
			return
		}
		switch {
		case a.State == AttemptGrading:
			pg.TestState = TestGrading
		case a.Passed:
			pg.TestState = TestPassed
		default:
			pg.TestState = TestFailed
		}
		if a.State == AttemptGraded {
			pg.BestScore = max(pg.BestScore, a.Score)
		}
	}
}

func percent(earned, total int) int {
	if total == 0 {
		return 0
	}
	return int(math.Round(float64(earned) * 100 / float64(total)))
}

// afterGrade follows a graded attempt up: a failed one brings a retake
// reminder while attempts remain; spending every attempt without a pass
// fails the enrollment.
func (s *Service) afterGrade(ctx context.Context, m *Module, a *Attempt, rows []Progress, now time.Time) error {
	spent := m.MaxAttempts > 0 && a.Number >= m.MaxAttempts
	if a.State != AttemptGraded || a.Passed {
		return nil
	}
	if spent {
		for _, pg := range rows {
			if err := s.store.FailEnrollment(ctx, pg.EnrollmentID, now); err != nil {
				return err
			}
		}
		return nil
	}
	user, err := s.accountOf(ctx, a.EmployeeID)
	if err != nil || user == 0 {
		return err
	}
	return s.notify(ctx, Notice{Recipients: []ids.ID{user}, Template: TemplateRetake, ObjectID: m.ID,
		Params: map[string]any{"module": m.Title, "score": a.Score, "passMark": a.PassMark},
		Link:   "/learn/modules/" + m.ID.String(), Key: "training.retake:" + a.ID.String()})
}

// accountOf is an employee's account (0 without one).
func (s *Service) accountOf(ctx context.Context, employeeID ids.ID) (ids.ID, error) {
	p, err := s.people.Person(ctx, employeeID)
	if errs.KindOf(err) == errs.NotFound {
		return 0, nil
	}
	return p.UserID, err
}

// MyAttempts lists the caller's attempts at a module, newest first.
func (s *Service) MyAttempts(ctx context.Context, moduleID ids.ID) ([]Attempt, error) {
	p, err := learner(ctx)
	if err != nil {
		return nil, err
	}
	list, err := s.store.Attempts(ctx, p.EmployeeID, moduleID)
	for i := range list {
		list[i].Answers = nil // the paper shows them; lists stay small
	}
	return list, err
}

// GradeInput scores the short answers of an attempt.
type GradeInput struct {
	Points map[string]int `json:"points" doc:"points per short-answer question id"`
}

// GradeAttempt scores an attempt's short answers: a reviewer of the
// module's owners (HR for general modules).
func (s *Service) GradeAttempt(ctx context.Context, attemptID ids.ID, in GradeInput) (*Attempt, error) {
	p, _, err := rbac.Require(ctx, PermGrade)
	if err != nil {
		return nil, err
	}
	var out *Attempt
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		a, err := s.store.Attempt(ctx, attemptID)
		if err != nil {
			return err
		}
		m, err := s.module(ctx, a.ModuleID)
		if err != nil {
			return err
		}
		if err := canEdit(p, m); err != nil {
			return err
		}
		if a.State != AttemptGrading {
			return errs.E(errs.Conflict, "training.not_awaiting_grade")
		}
		qs, err := s.store.Questions(ctx, m.ID, a.QuestionIDs)
		if err != nil {
			return err
		}
		var f errs.Fields
		total, earned := 0, 0
		for _, q := range qs {
			total += q.Points
			k := q.ID.String()
			if q.Kind != Short {
				earned += a.Results[k]
				continue
			}
			pts, ok := in.Points[k]
			if !ok {
				f.Add("points."+k, "required")
				continue
			}
			if pts < 0 || pts > q.Points {
				f.Add("points."+k, "out_of_range", errs.Params{"min": 0, "max": q.Points})
				continue
			}
			a.Results[k] = pts
			earned += pts
		}
		if err := f.Err(); err != nil {
			return err
		}
		now := s.nowUTC()
		a.State, a.Score, a.GradedBy, a.GradedAt = AttemptGraded, percent(earned, total), p.UserID, now
		a.Passed = a.Score >= a.PassMark
		if err := s.store.GradeAttempt(ctx, a); err != nil {
			return err
		}
		if err := s.record(ctx, "grade", ObjectAttempt, a.ID, map[string]any{"score": a.Score, "passed": a.Passed}); err != nil {
			return err
		}
		rows, err := s.store.ProgressOf(ctx, a.EmployeeID, a.ModuleID)
		if err != nil {
			return err
		}
		if err := s.updateProgress(ctx, rows, now, testChange(a)); err != nil {
			return err
		}
		if err := s.afterGrade(ctx, m, a, rows, now); err != nil {
			return err
		}
		out = a
		return s.fulfilGrading(ctx, m.ID, p)
	})
	return out, err
}
