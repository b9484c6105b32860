package training

import (
	"context"
	"io"
	"slices"
	"strconv"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/files"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Review is an attempt as its reviewer sees it: every question with the
// learner's answer, the key and the points so far.
type Review struct {
	Attempt      *Attempt         `json:"attempt"`
	ModuleTitle  string           `json:"moduleTitle"`
	EmployeeName string           `json:"employeeName"`
	Questions    []ReviewQuestion `json:"questions"`
}

// ReviewQuestion is one question of a review.
type ReviewQuestion struct {
	ID      ids.ID        `json:"id"`
	Kind    string        `json:"kind"`
	Stem    string        `json:"stem"`
	Options []PaperOption `json:"options" doc:"in the bank's order; answers name their keys"`
	Answer  []string      `json:"answer" doc:"the answer key (short answers: the reference answer)"`
	Given   []string      `json:"given" doc:"what the learner answered"`
	Points  int           `json:"points"`
	Earned  int           `json:"earned" doc:"-1 while a short answer waits for its grade"`
}

// ReviewAttempt shows an attempt to a reviewer of the module's owners.
func (s *Service) ReviewAttempt(ctx context.Context, id ids.ID) (*Review, error) {
	p, _, err := rbac.Require(ctx, PermGrade)
	if err != nil {
		return nil, err
	}
	a, err := s.store.Attempt(ctx, id)
	if err != nil {
		return nil, err
	}
	m, err := s.module(ctx, a.ModuleID)
	if err != nil {
		return nil, err
	}
	if err := canEdit(p, m); err != nil {
		return nil, err
	}
	qs, err := s.store.Questions(ctx, m.ID, a.QuestionIDs)
	if err != nil {
		return nil, err
	}
	byID := map[ids.ID]*Question{}
	for i := range qs {
		byID[qs[i].ID] = &qs[i]
	}
	out := &Review{Attempt: a, ModuleTitle: m.Title, Questions: []ReviewQuestion{}}
	if person, err := s.people.Person(ctx, a.EmployeeID); err == nil {
		out.EmployeeName = person.Name
	}
	for _, qid := range a.QuestionIDs {
		q := byID[qid]
		if q == nil {
			continue
		}
		earned, ok := a.Results[qid.String()]
		if !ok {
			earned = -1
		}
		answer := a.Answers[qid.String()]
		if answer == nil {
			answer = []string{}
		}
		opts := make([]PaperOption, len(q.Options))
		for i, o := range q.Options {
			opts[i] = PaperOption{Key: strconv.Itoa(i), Text: o}
		}
		out.Questions = append(out.Questions, ReviewQuestion{ID: q.ID, Kind: q.Kind, Stem: q.Stem, Options: opts,
			Answer: nonNil(q.Answer), Given: answer, Points: q.Points, Earned: earned})
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// HomeworkFile opens a file handed in with homework: for its learner and
// the module's reviewers.
func (s *Service) HomeworkFile(ctx context.Context, homeworkID, fileID ids.ID) (io.ReadCloser, *files.File, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, nil, err
	}
	hw, err := s.store.Homework(ctx, homeworkID)
	if err != nil {
		return nil, nil, err
	}
	if !slices.Contains(hw.FileIDs, fileID) {
		return nil, nil, errs.NotFoundf("object.file")
	}
	if hw.EmployeeID != p.EmployeeID || p.EmployeeID == 0 {
		m, err := s.module(ctx, hw.ModuleID)
		if err != nil {
			return nil, nil, err
		}
		if !p.Can(PermGrade) || !CanEdit(p, m) {
			return nil, nil, errs.NotFoundf("object.training_homework")
		}
	}
	return s.files.Open(ctx, fileID)
}

// EvidenceFile opens the file attached to a duty confirmed by hand: for
// readers of programs.
func (s *Service) EvidenceFile(ctx context.Context, dutyID ids.ID) (io.ReadCloser, *files.File, error) {
	if _, _, err := rbac.Require(ctx, PermProgramRead); err != nil {
		return nil, nil, err
	}
	d, err := s.store.Duty(ctx, dutyID)
	if err != nil {
		return nil, nil, err
	}
	if d.EvidenceFileID == 0 {
		return nil, nil, errs.NotFoundf("object.file")
	}
	return s.files.Open(ctx, d.EvidenceFileID)
}
