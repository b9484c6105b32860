package training

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/validate"
)

// ObjectAsked is the audit object type of learners' questions.
const ObjectAsked = "training_question_asked"

// Limits of questions and answers, in characters.
const (
	MaxAskedBody = 2000
	MaxAnswer    = 5000
)

// AskedQuestion is a learner's question to a module's owners ("ask the
// module owner") and its answer.
type AskedQuestion struct {
	bun.BaseModel `bun:"table:training_questions_asked,alias:qa"`

	TenantID     ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID           ids.ID    `bun:"id,pk" json:"id"`
	ModuleID     ids.ID    `bun:"module_id" json:"moduleId"`
	EmployeeID   ids.ID    `bun:"employee_id" json:"employeeId"`
	AskerID      ids.ID    `bun:"asker_id" json:"askerId" doc:"the learner's account"`
	AskerName    string    `bun:"asker_name" json:"askerName"`
	Body         string    `bun:"body" json:"body"`
	Answer       string    `bun:"answer" json:"answer"`
	AnsweredBy   ids.ID    `bun:"answered_by" json:"answeredBy"`
	AnswererName string    `bun:"answerer_name" json:"answererName"`
	AskedAt      time.Time `bun:"asked_at" json:"askedAt"`
	AnsweredAt   time.Time `bun:"answered_at,nullzero" json:"answeredAt"`

	// Views.
	ModuleTitle string `bun:"module_title,scanonly" json:"moduleTitle"`
	Answered    bool   `bun:"-" json:"answered"`
}

// AskInput is a learner's question.
type AskInput struct {
	Body string `json:"body" maxLength:"2000"`
}

// AnswerInput is an owner's answer (answering again replaces it).
type AnswerInput struct {
	Answer string `json:"answer" maxLength:"5000"`
}

// AskedFilter narrows the questions owners see.
type AskedFilter struct {
	ModuleID   ids.ID
	EmployeeID ids.ID
	Answered   string // "true", "false" or '' (both)
	Edit       *EditScope
	Page, Size int
}

func asked(list []AskedQuestion) []AskedQuestion {
	for i := range list {
		list[i].Answered = !list[i].AnsweredAt.IsZero()
	}
	return list
}

// Ask sends the module's owners a question from a learner the module is
// assigned to; its reviewers are told.
func (s *Service) Ask(ctx context.Context, moduleID ids.ID, in AskInput) (*AskedQuestion, error) {
	p, err := learner(ctx)
	if err != nil {
		return nil, err
	}
	var f errs.Fields
	validate.Prose(&f, "body", &in.Body, MaxAskedBody, true)
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out *AskedQuestion
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		rows, err := s.store.ProgressOf(ctx, p.EmployeeID, moduleID)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return errs.E(errs.NotFound, "training.ask_not_assigned")
		}
		m, err := s.store.Module(ctx, moduleID)
		if err != nil {
			return err
		}
		q := &AskedQuestion{TenantID: p.TenantID, ID: ids.New(), ModuleID: m.ID, EmployeeID: p.EmployeeID, AskerID: p.UserID,
			AskerName: actorName(p), Body: in.Body, AskedAt: s.nowUTC(), ModuleTitle: m.Title}
		if person, err := s.people.Person(ctx, p.EmployeeID); err == nil && person.Name != "" {
			q.AskerName = person.Name
		}
		if err := s.store.InsertAsked(ctx, q); err != nil {
			return err
		}
		out = q
		reviewers, err := s.reviewers(ctx, m)
		if err != nil {
			return err
		}
		return s.notify(ctx, Notice{Recipients: reviewers, Template: TemplateQuestionAsked, ObjectID: q.ID,
			Params: map[string]any{"module": m.Title, "employee": q.AskerName, "body": excerpt(q.Body, 200)},
			Link:   "/training/asked?moduleId=" + m.ID.String(), Key: "training.question_asked:" + q.ID.String()})
	})
	return out, err
}

// excerpt cuts s to n characters.
func excerpt(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// MyQuestions lists the caller's questions about a module, newest first.
func (s *Service) MyQuestions(ctx context.Context, moduleID ids.ID) ([]AskedQuestion, error) {
	p, err := learner(ctx)
	if err != nil {
		return nil, err
	}
	list, _, err := s.store.AskedList(ctx, AskedFilter{ModuleID: moduleID, EmployeeID: p.EmployeeID, Page: 1, Size: 200})
	return asked(list), err
}

// AskedQuestions lists learners' questions about the modules the caller
// may edit.
func (s *Service) AskedQuestions(ctx context.Context, f AskedFilter) ([]AskedQuestion, int, error) {
	p, _, err := rbac.Require(ctx, PermModuleRead)
	if err != nil {
		return nil, 0, err
	}
	if f.ModuleID != 0 {
		m, err := s.module(ctx, f.ModuleID)
		if err != nil {
			return nil, 0, err
		}
		if err := canEdit(p, m); err != nil {
			return nil, 0, err
		}
	}
	f.Edit = editableFilter(p, ModuleFilter{}).Edit
	f.EmployeeID = 0
	list, total, err := s.store.AskedList(ctx, f)
	return asked(list), total, err
}

// AnswerQuestion answers (or corrects the answer to) a learner's question:
// someone who may edit the module. The learner is told.
func (s *Service) AnswerQuestion(ctx context.Context, id ids.ID, in AnswerInput) (*AskedQuestion, error) {
	p, _, err := rbac.Require(ctx, PermModuleRead)
	if err != nil {
		return nil, err
	}
	var f errs.Fields
	in.Answer = strings.TrimSpace(in.Answer)
	f.Check(in.Answer != "", "answer", "training.answer_empty")
	f.Check(utf8.RuneCountInString(in.Answer) <= MaxAnswer, "answer", "training.answer_too_long", errs.Params{"max": MaxAnswer})
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out *AskedQuestion
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		q, err := s.store.Asked(ctx, id)
		if err != nil {
			return err
		}
		m, err := s.module(ctx, q.ModuleID)
		if err != nil {
			return err
		}
		if err := canEdit(p, m); err != nil {
			return err
		}
		before := q.Answer
		q.Answer, q.AnsweredBy, q.AnswererName, q.AnsweredAt = in.Answer, p.UserID, actorName(p), s.nowUTC()
		if err := s.store.AnswerAsked(ctx, q); err != nil {
			return err
		}
		if err := s.record(ctx, "answer", ObjectAsked, q.ID, map[string]any{"answer": map[string]string{"before": before, "after": q.Answer}}); err != nil {
			return err
		}
		q.ModuleTitle, q.Answered = m.Title, true
		out = q
		user, err := s.accountOf(ctx, q.EmployeeID)
		if err != nil || user == 0 {
			return err
		}
		return s.notify(ctx, Notice{Recipients: []ids.ID{user}, Template: TemplateQuestionAnswered, ObjectID: q.ID,
			Params: map[string]any{"module": m.Title, "answerer": q.AnswererName, "answer": excerpt(q.Answer, 200)},
			Link:   "/learn/modules/" + m.ID.String(), Key: "training.question_answered:" + q.ID.String() + ":" + strconv.FormatInt(q.AnsweredAt.UnixMicro(), 10)})
	})
	return out, err
}
