package training

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/validate"
)

// QuestionInput creates or replaces a question.
type QuestionInput struct {
	Kind    string   `json:"kind" enum:"single,multiple,truefalse,fill,short"`
	Stem    string   `json:"stem" maxLength:"2000"`
	Options []string `json:"options,omitempty" required:"false" maxItems:"10"`
	Answer  []string `json:"answer" maxItems:"10"`
	Points  int      `json:"points,omitempty" required:"false" minimum:"0" maximum:"100" doc:"default 1"`
}

func (in *QuestionInput) check() error {
	var f errs.Fields
	validate.Prose(&f, "stem", &in.Stem, 2000, true)
	if in.Points == 0 {
		in.Points = 1
	}
	f.Check(in.Points >= 1 && in.Points <= 100, "points", "out_of_range", errs.Params{"min": 1, "max": 100})
	for i := range in.Options {
		validate.Prose(&f, "options["+strconv.Itoa(i)+"]", &in.Options[i], 500, true)
	}
	for i := range in.Answer {
		in.Answer[i] = strings.TrimSpace(in.Answer[i])
	}
	in.Answer = slices.DeleteFunc(in.Answer, func(a string) bool { return a == "" })
	switch in.Kind {
	case Single, Multiple:
		f.Check(len(in.Options) >= 2 && len(in.Options) <= 10, "options", "training.options_count")
		valid := len(in.Answer) > 0
		for _, a := range in.Answer {
			n, err := strconv.Atoi(a)
			valid = valid && err == nil && n >= 0 && n < len(in.Options)
		}
		if in.Kind == Single {
			valid = valid && len(in.Answer) == 1
		}
		slices.Sort(in.Answer)
		in.Answer = slices.Compact(in.Answer)
		f.Check(valid, "answer", "training.answer_invalid")
	case TrueFalse:
		in.Options = nil
		f.Check(len(in.Answer) == 1 && (in.Answer[0] == "true" || in.Answer[0] == "false"), "answer", "training.answer_invalid")
	case Fill:
		in.Options = nil
		f.Check(len(in.Answer) > 0, "answer", "required")
	case Short:
		in.Options = nil
	default:
		f.Add("kind", "invalid_choice")
	}
	return f.Err()
}

// editableModule loads a module the caller may edit.
func (s *Service) editableModule(ctx context.Context, id ids.ID) (*rbac.Principal, *Module, error) {
	p, _, err := rbac.Require(ctx, PermModuleRead)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.module(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return p, m, canEdit(p, m)
}

// Questions lists a module's bank (owners only: it holds the answers).
func (s *Service) Questions(ctx context.Context, moduleID ids.ID) ([]Question, error) {
	if _, _, err := s.editableModule(ctx, moduleID); err != nil {
		return nil, err
	}
	return s.store.Questions(ctx, moduleID, nil)
}

// AddQuestion adds a question to a module's bank.
func (s *Service) AddQuestion(ctx context.Context, moduleID ids.ID, in QuestionInput) (*Question, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	var out *Question
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		p, m, err := s.editableModule(ctx, moduleID)
		if err != nil {
			return err
		}
		n, err := s.store.CountQuestions(ctx, m.ID)
		if err != nil {
			return err
		}
		now := s.nowUTC()
		q := &Question{TenantID: p.TenantID, ID: ids.New(), ModuleID: m.ID, Kind: in.Kind, Stem: in.Stem, Options: in.Options,
			Answer: in.Answer, Points: in.Points, Position: n, CreatedAt: now, UpdatedAt: now}
		if err := s.store.InsertQuestion(ctx, q); err != nil {
			return err
		}
		out = q
		return s.record(ctx, "create", ObjectQuestion, q.ID, map[string]any{"module": m.ID, "kind": q.Kind})
	})
	return out, err
}

// UpdateQuestion replaces a question. Attempts already taken keep the
// points they earned.
func (s *Service) UpdateQuestion(ctx context.Context, id ids.ID, in QuestionInput) (*Question, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	var out *Question
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		q, err := s.store.Question(ctx, id)
		if err != nil {
			return err
		}
		if _, _, err := s.editableModule(ctx, q.ModuleID); err != nil {
			return err
		}
		before := *q
		q.Kind, q.Stem, q.Options, q.Answer, q.Points = in.Kind, in.Stem, in.Options, in.Answer, in.Points
		q.UpdatedAt = s.nowUTC()
		if err := s.store.UpdateQuestion(ctx, q); err != nil {
			return err
		}
		out = q
		return s.record(ctx, "update", ObjectQuestion, q.ID, audit.Diff(&before, q))
	})
	return out, err
}

// DeleteQuestion takes a question out of the bank.
func (s *Service) DeleteQuestion(ctx context.Context, id ids.ID) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		q, err := s.store.Question(ctx, id)
		if err != nil {
			return err
		}
		if _, _, err := s.editableModule(ctx, q.ModuleID); err != nil {
			return err
		}
		q.Deleted = true
		q.UpdatedAt = s.nowUTC()
		if err := s.store.UpdateQuestion(ctx, q); err != nil {
			return err
		}
		return s.record(ctx, "delete", ObjectQuestion, q.ID, nil)
	})
}

// grade scores one answer: choice and true/false by the key, fill-in by
// any accepted text (ignoring case, width and spaces). Short answers
// wait for a reviewer (ok false).
func grade(q *Question, answer []string) (points int, ok bool) {
	switch q.Kind {
	case Single, Multiple, TrueFalse:
		got := slices.Clone(answer)
		slices.Sort(got)
		got = slices.Compact(got)
		if slices.Equal(got, q.Answer) {
			return q.Points, true
		}
		return 0, true
	case Fill:
		if len(answer) == 0 {
			return 0, true
		}
		a := foldAnswer(answer[0])
		for _, want := range q.Answer {
			if a != "" && a == foldAnswer(want) {
				return q.Points, true
			}
		}
		return 0, true
	}
	return 0, false
}

func foldAnswer(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(validate.Normalize(s)), ""))
}
