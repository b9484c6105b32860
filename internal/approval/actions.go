package approval

import (
	"context"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/validate"
)

// Act is the input of an approver's or the applicant's action.
type Act struct {
	Comment string
	// RequestKey makes the action idempotent: the same key from the same
	// user answers the instance as it is, without acting again.
	RequestKey string
}

const maxComment = 500

func comment(c *string, required bool) error {
	*c = validate.Normalize(*c)
	if required && *c == "" {
		return errs.InvalidField("comment", "required")
	}
	if utf8.RuneCountInString(*c) > maxComment {
		return errs.InvalidField("comment", "too_long", errs.Params{"max": maxComment})
	}
	return nil
}

// mine returns the caller's pending tasks on the current node. Without
// one it says why: the instance is finished or back with the applicant
// (409), the caller already made this decision (a replay), someone else
// settled his task first (409), an approver he added acts first (409), or
// he is not an approver now (403).
func (r *run) mine(decision string) ([]*Task, error) {
	var mine, waiting, settled []*Task
	var last *Task
	for _, t := range r.tasks {
		if t.ApproverUserID != r.p.UserID || t.Round != r.in.Round {
			continue
		}
		if t.ActedAt != nil && (t.State == TaskApproved || t.State == TaskRejected) && (last == nil || t.ActedAt.After(*last.ActedAt)) {
			last = t
		}
		if t.State == TaskCancelled {
			// Settled by someone else: in this node, or in one the
			// flow has since moved past.
			settled = append(settled, t)
		}
		if t.NodeIndex != r.in.NodeIndex {
			continue
		}
		switch t.State {
		case TaskPending:
			mine = append(mine, t)
		case TaskWaiting:
			waiting = append(waiting, t)
		}
	}
	if r.in.State == StateRunning && len(mine) > 0 {
		return mine, nil
	}
	if decision != "" && last != nil && last.State == decision && len(mine) == 0 && len(waiting) == 0 {
		return nil, errReplay
	}
	switch {
	case r.in.Finished():
		return nil, errs.E(errs.Conflict, "approval.finished", errs.Params{"state": r.in.State})
	case r.in.State == StateRejected:
		return nil, errs.E(errs.Conflict, "approval.returned")
	case len(waiting) > 0:
		return nil, errs.E(errs.Conflict, "approval.waiting_for_added")
	case len(settled) > 0:
		by := r.settledBy(settled[0])
		return nil, errs.E(errs.Conflict, "approval.already_handled", errs.Params{"name": by})
	}
	return nil, errs.E(errs.Forbidden, "approval.not_current_approver")
}

// settledBy names who settled a cancelled task's slot.
func (r *run) settledBy(t *Task) string {
	for _, o := range r.tasks {
		if o.Slot == t.Slot && o.Round == t.Round && o.State == TaskApproved {
			return o.ApproverName
		}
	}
	for _, o := range r.tasks {
		if o.Round == t.Round && o.NodeIndex == t.NodeIndex && (o.State == TaskApproved || o.State == TaskRejected) {
			return o.ApproverName
		}
	}
	return ""
}

// approveTasks approves the caller's tasks: alternatives in their slots
// are settled, an approver added before someone hands the task back, and
// the flow moves on once the node has no open task.
func (r *run) approveTasks(mine []*Task, c string) error {
	for _, t := range mine {
		r.setState(t, TaskApproved, c)
		for _, o := range r.tasks {
			if o != t && o.Slot == t.Slot && o.Round == t.Round && o.Open() {
				r.cancel(o)
			}
		}
		if t.Origin == OriginAddBefore {
			if parent := r.task(t.ParentID); parent != nil && parent.State == TaskWaiting && !r.hasOpenChildren(parent.ID) {
				r.setState(parent, TaskPending, "")
				r.message(TemplateReturned, []ids.ID{parent.ApproverUserID}, "approval.returned:"+parent.ID.String()+":"+t.ID.String(), nil)
			}
		}
	}
	if len(r.openInNode()) == 0 {
		return r.advance()
	}
	return nil
}

func (r *run) hasOpenChildren(id ids.ID) bool {
	return slices.ContainsFunc(r.tasks, func(t *Task) bool { return t.ParentID == id && t.Open() })
}

// Approve approves the caller's task on the current node.
func (s *Service) Approve(ctx context.Context, id ids.ID, a Act) (*Detail, error) {
	if err := comment(&a.Comment, false); err != nil {
		return nil, err
	}
	return s.act(ctx, id, a.RequestKey, ActionApprove, func(r *run) (map[string]any, error) {
		mine, err := r.mine(TaskApproved)
		if err != nil {
			return nil, err
		}
		node := r.in.NodeName
		r.event(ActionApprove, a.Comment, map[string]any{"node": node, "nodeIndex": r.in.NodeIndex})
		return map[string]any{"comment": a.Comment, "approvedNode": node}, r.approveTasks(mine, a.Comment)
	})
}

// Reject rejects the request (a comment is required): it goes back to the
// applicant, who may edit and resubmit it or withdraw it.
func (s *Service) Reject(ctx context.Context, id ids.ID, a Act) (*Detail, error) {
	if err := comment(&a.Comment, true); err != nil {
		return nil, err
	}
	return s.act(ctx, id, a.RequestKey, ActionReject, func(r *run) (map[string]any, error) {
		mine, err := r.mine(TaskRejected)
		if err != nil {
			return nil, err
		}
		for _, t := range mine {
			r.setState(t, TaskRejected, a.Comment)
		}
		r.cancelAll()
		r.in.State = StateRejected
		r.outcome = StateRejected
		r.event(ActionReject, a.Comment, map[string]any{"node": r.in.NodeName, "nodeIndex": r.in.NodeIndex})
		r.message(TemplateRejected, []ids.ID{r.in.ApplicantUserID}, "approval.rejected:"+r.in.ID.String()+":"+itoa(r.in.Round),
			map[string]any{"comment": a.Comment, "by": actorName(r.p)})
		return map[string]any{"comment": a.Comment}, nil
	})
}

// applicant refuses an action of anyone but the applicant.
func (r *run) applicant() error {
	if r.in.ApplicantUserID != r.p.UserID {
		return errs.E(errs.Forbidden, "approval.not_applicant")
	}
	return nil
}

// Withdraw ends a running or returned request (the applicant only).
func (s *Service) Withdraw(ctx context.Context, id ids.ID, a Act) (*Detail, error) {
	if err := comment(&a.Comment, false); err != nil {
		return nil, err
	}
	return s.act(ctx, id, a.RequestKey, ActionWithdraw, func(r *run) (map[string]any, error) {
		if err := r.applicant(); err != nil {
			return nil, err
		}
		switch r.in.State {
		case StateWithdrawn:
			return nil, errReplay
		case StateApproved:
			return nil, errs.E(errs.Conflict, "approval.finished", errs.Params{"state": r.in.State})
		}
		who := r.cancelAll()
		r.in.State, r.in.NodeName = StateWithdrawn, ""
		at := r.now
		r.in.FinishedAt = &at
		r.outcome = StateWithdrawn
		r.event(ActionWithdraw, a.Comment, nil)
		r.message(TemplateWithdrawn, who, "approval.withdrawn:"+r.in.ID.String(), nil)
		return map[string]any{"comment": a.Comment}, nil
	})
}

// Resubmission is an edited request sent again after a rejection.
type Resubmission struct {
	// Fields replace the request's fields; nil keeps them.
	Fields     map[string]any
	Comment    string
	RequestKey string
}

// Resubmit sends a returned request through its flow again (a new round,
// the same flow version), after the type checks the edited fields.
func (s *Service) Resubmit(ctx context.Context, id ids.ID, in Resubmission) (*Detail, error) {
	if err := comment(&in.Comment, false); err != nil {
		return nil, err
	}
	return s.act(ctx, id, in.RequestKey, ActionResubmit, func(r *run) (map[string]any, error) {
		if err := r.applicant(); err != nil {
			return nil, err
		}
		switch r.in.State {
		case StateRunning:
			return nil, errs.E(errs.Conflict, "approval.not_returned")
		case StateApproved, StateWithdrawn:
			return nil, errs.E(errs.Conflict, "approval.finished", errs.Params{"state": r.in.State})
		}
		if in.Fields != nil {
			r.in.Fields = copyFields(in.Fields)
		}
		delete(r.in.Fields, SubjectDepartmentField)
		r.in.Round++
		r.in.State, r.in.NodeIndex, r.in.NodeName = StateRunning, -1, ""
		if err := r.reg.rt.Validate(r.ctx, r.in); err != nil {
			return nil, err
		}
		if err := s.setSubject(r.ctx, r.in); err != nil {
			return nil, err
		}
		r.sub = nil
		b, err := s.branch(r.ctx, r.subject())
		if err != nil {
			return nil, err
		}
		r.in.Branch = b
		r.event(ActionResubmit, in.Comment, nil)
		return map[string]any{"fields": r.in.Fields, "round": r.in.Round}, r.advance()
	})
}

// checkNewApprovers validates accounts to add to the current node.
func (r *run) checkNewApprovers(field string, list []ids.ID) ([]User, error) {
	list = uniqIDs(list)
	if len(list) == 0 {
		return nil, errs.InvalidField(field, "required")
	}
	if len(list) > 10 {
		return nil, errs.InvalidField(field, "too_many_items", errs.Params{"max": 10})
	}
	users, err := r.s.dir.Users(r.ctx, list)
	if err != nil {
		return nil, err
	}
	open := r.openInNode()
	out := make([]User, 0, len(list))
	for _, id := range list {
		u, ok := users[id]
		switch {
		case !ok || !u.Active:
			return nil, errs.InvalidField(field, "approval.unknown_user", errs.Params{"id": id.String()})
		case id == r.p.UserID:
			return nil, errs.InvalidField(field, "approval.self")
		case id == r.in.ApplicantUserID:
			return nil, errs.InvalidField(field, "approval.to_applicant")
		case slices.ContainsFunc(open, func(t *Task) bool { return t.ApproverUserID == id }):
			return nil, errs.InvalidField(field, "approval.already_approver", errs.Params{"name": u.Name})
		}
		out = append(out, u)
	}
	return out, nil
}

// TransferInput hands the caller's task to someone else (转交).
type TransferInput struct {
	To         ids.ID
	Comment    string
	RequestKey string
}

// Transfer hands the caller's pending task to another account, who then
// decides in his place.
func (s *Service) Transfer(ctx context.Context, id ids.ID, in TransferInput) (*Detail, error) {
	if err := comment(&in.Comment, false); err != nil {
		return nil, err
	}
	return s.act(ctx, id, in.RequestKey, ActionTransfer, func(r *run) (map[string]any, error) {
		mine, err := r.mine("")
		if err != nil {
			return nil, err
		}
		users, err := r.checkNewApprovers("toUserId", []ids.ID{in.To})
		if err != nil {
			return nil, err
		}
		to := users[0]
		for i, t := range mine {
			r.setState(t, TaskTransferred, in.Comment)
			if i == 0 {
				r.addTask(Assignee{UserID: to.ID, Name: to.Name}, OriginTransfer, t.Slot, t.ParentID, t.DueAtCopy())
			}
		}
		r.event(ActionTransfer, in.Comment, map[string]any{"to": to.ID.String(), "toName": to.Name, "node": r.in.NodeName})
		return map[string]any{"to": to.ID, "comment": in.Comment}, nil
	})
}

// DueAtCopy copies a task's deadline (a transferred task keeps it).
func (t *Task) DueAtCopy() *time.Time {
	if t.DueAt == nil {
		return nil
	}
	d := *t.DueAt
	return &d
}

// Positions of added approvers.
const (
	Before = "before" // 前加签: they approve first, then the task comes back
	After  = "after"  // 后加签: the caller approves, then they must approve too
)

// AddInput adds approvers to the current node (加签).
type AddInput struct {
	UserIDs    []ids.ID
	Position   string
	Comment    string
	RequestKey string
}

// AddApprovers adds approvers before the caller (his task waits until
// they approve) or after him (he approves now; the node then waits for
// them too).
func (s *Service) AddApprovers(ctx context.Context, id ids.ID, in AddInput) (*Detail, error) {
	if in.Position != Before && in.Position != After {
		return nil, errs.InvalidField("position", "invalid_choice")
	}
	if err := comment(&in.Comment, false); err != nil {
		return nil, err
	}
	action := ActionAddBefore
	if in.Position == After {
		action = ActionAddAfter
	}
	return s.act(ctx, id, in.RequestKey, action, func(r *run) (map[string]any, error) {
		mine, err := r.mine("")
		if err != nil {
			return nil, err
		}
		users, err := r.checkNewApprovers("userIds", in.UserIDs)
		if err != nil {
			return nil, err
		}
		diff := map[string]any{"users": names(users), "comment": in.Comment}
		r.event(action, in.Comment, map[string]any{"users": names(users), "node": r.in.NodeName})
		if in.Position == Before {
			for _, t := range mine {
				r.setState(t, TaskWaiting, "")
			}
			for _, u := range users {
				r.addTask(Assignee{UserID: u.ID, Name: u.Name}, OriginAddBefore, 0, mine[0].ID, nil)
			}
			return diff, nil
		}
		for _, u := range users {
			r.addTask(Assignee{UserID: u.ID, Name: u.Name}, OriginAddAfter, 0, 0, nil)
		}
		return diff, r.approveTasks(mine, in.Comment)
	})
}

// Remind asks the current approvers to act (催办): the applicant only, at
// most once per RemindEvery; sooner answers 429 saying how long to wait.
func (s *Service) Remind(ctx context.Context, id ids.ID, a Act) (*Detail, error) {
	return s.act(ctx, id, a.RequestKey, ActionRemind, func(r *run) (map[string]any, error) {
		if err := r.applicant(); err != nil {
			return nil, err
		}
		switch {
		case r.in.Finished():
			return nil, errs.E(errs.Conflict, "approval.finished", errs.Params{"state": r.in.State})
		case r.in.State == StateRejected:
			return nil, errs.E(errs.Conflict, "approval.returned")
		}
		if r.in.RemindedAt != nil {
			if wait := r.in.RemindedAt.Add(RemindEvery).Sub(r.now); wait > 0 {
				return nil, errs.E(errs.TooMany, "approval.remind_too_soon", errs.Params{"minutes": int(wait.Minutes()) + 1})
			}
		}
		at := r.now
		r.in.RemindedAt = &at
		var to []ids.ID
		for _, t := range r.openInNode() {
			if t.State == TaskPending {
				to = append(to, t.ApproverUserID)
			}
		}
		r.event(ActionRemind, "", map[string]any{"node": r.in.NodeName})
		r.message(TemplateRemind, to, "approval.remind:"+r.in.ID.String()+":"+itoa(int(at.Unix())), map[string]any{"by": r.in.ApplicantName})
		return nil, nil
	})
}

func itoa(i int) string { return ids.ID(i).String() }
