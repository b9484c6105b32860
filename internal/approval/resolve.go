package approval

import (
	"context"
	"slices"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
)

// subject is what approvers are resolved against: the request, whom it is
// about, who asked, and who approved earlier in this round.
type subject struct {
	info        TypeInfo
	def         *Definition
	requestType string
	applicant   ids.ID // user
	employee    ids.ID // the employee the request is about
	department  ids.ID // his department at submission
	fields      map[string]any
	approved    map[ids.ID]bool // users who approved earlier in the round
	day         civil.Date
	// fallback resolves roles across the tenant, not within scope: the
	// fallback must find someone.
	fallback bool

	delegations []Delegation // covering day, loaded once
	loaded      bool
}

// branch picks the first branch whose conditions hold (the last has none).
func (s *Service) branch(ctx context.Context, sub *subject) (int, error) {
	for i, b := range sub.def.Branches {
		ok, err := s.holds(ctx, sub.info, sub.fields, b.When)
		if err != nil {
			return 0, err
		}
		if ok {
			return i, nil
		}
	}
	// Design-time checks make the last branch unconditional; a flow
	// saved otherwise still takes it.
	return len(sub.def.Branches) - 1, nil
}

// resolve turns approvers into active accounts, in order, without
// duplicates.
func (s *Service) resolve(ctx context.Context, sub *subject, list []Approver) ([]User, error) {
	var cand []ids.ID
	for _, a := range list {
		got, err := s.resolveOne(ctx, sub, a)
		if err != nil {
			return nil, err
		}
		for _, u := range got {
			if u != 0 && !slices.Contains(cand, u) {
				cand = append(cand, u)
			}
		}
	}
	if len(cand) == 0 {
		return nil, nil
	}
	users, err := s.dir.Users(ctx, cand)
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(cand))
	for _, id := range cand {
		if u, ok := users[id]; ok && u.Active {
			out = append(out, u)
		}
	}
	return out, nil
}

func (s *Service) resolveOne(ctx context.Context, sub *subject, a Approver) ([]ids.ID, error) {
	switch a.Kind {
	case ApproverUsers:
		return a.UserIDs, nil
	case ApproverRole:
		dept := sub.department
		if sub.fallback {
			dept = 0
		}
		return s.dir.RoleHolders(ctx, a.Role, dept)
	case ApproverManager:
		e := sub.employee
		for range max(a.Level, 1) {
			if e == 0 {
				return nil, nil
			}
			p, err := s.person(ctx, e)
			if err != nil || p == nil {
				return nil, err
			}
			e = p.ManagerID
		}
		return s.userOfActive(ctx, e)
	case ApproverDepartmentHead:
		dept := sub.department
		if a.Field != "" {
			if id, ok := toID(sub.fields[a.Field]); ok && id != 0 {
				dept = id
			}
		}
		for range a.Level {
			if dept == 0 {
				return nil, nil
			}
			d, err := s.department(ctx, dept)
			if err != nil || d == nil {
				return nil, err
			}
			dept = d.ParentID
		}
		if dept == 0 {
			return nil, nil
		}
		d, err := s.department(ctx, dept)
		if err != nil || d == nil {
			return nil, err
		}
		return s.userOfActive(ctx, d.HeadEmployeeID)
	}
	return nil, nil
}

// person reads an employee; nil when there is none.
func (s *Service) person(ctx context.Context, id ids.ID) (*Person, error) {
	p, err := s.dir.Person(ctx, id)
	if errs.KindOf(err) == errs.NotFound {
		return nil, nil
	}
	return p, err
}

func (s *Service) department(ctx context.Context, id ids.ID) (*Department, error) {
	d, err := s.dir.Department(ctx, id)
	if errs.KindOf(err) == errs.NotFound {
		return nil, nil
	}
	return d, err
}

// userOfActive is the account of an employee who works here today.
func (s *Service) userOfActive(ctx context.Context, employeeID ids.ID) ([]ids.ID, error) {
	if employeeID == 0 {
		return nil, nil
	}
	p, err := s.person(ctx, employeeID)
	if err != nil || p == nil || !p.Active {
		return nil, err
	}
	u, err := s.dir.UserOfEmployee(ctx, employeeID)
	if err != nil || u == 0 {
		return nil, err
	}
	return []ids.ID{u}, nil
}

// assignment is how a node resolved.
type assignment struct {
	skipped   string // "", "condition", "applicant", "approved_earlier"
	fallback  bool   // the node's approvers were nobody: the fallback took it
	approvers []Assignee
	removed   []User // approvers skipped automatically
}

// Reasons for skipping.
const (
	SkipCondition       = "condition"
	SkipApplicant       = "applicant"
	SkipApprovedEarlier = "approved_earlier"
)

// assign resolves a node: its conditions, approvers, the fallback when
// they are nobody, the automatic skips (the applicant himself, someone
// who approved earlier in the round) and delegations.
func (s *Service) assign(ctx context.Context, sub *subject, nd *Node) (*assignment, error) {
	ok, err := s.holds(ctx, sub.info, sub.fields, nd.When)
	if err != nil {
		return nil, err
	}
	if !ok {
		return &assignment{skipped: SkipCondition}, nil
	}
	a := &assignment{}
	users, err := s.resolve(ctx, sub, nd.Approvers)
	if err != nil {
		return nil, err
	}
	if len(users) == 0 {
		fb := nd.Fallback
		if len(fb) == 0 {
			fb = sub.def.Fallback
		}
		fsub := *sub
		fsub.fallback = true
		if users, err = s.resolve(ctx, &fsub, fb); err != nil {
			return nil, err
		}
		if len(users) == 0 {
			return nil, errs.E(errs.Conflict, "approval.no_approver", errs.Params{"node": nd.Name})
		}
		a.fallback = true
	}
	reason := ""
	for _, u := range users {
		switch {
		case u.ID == sub.applicant:
			a.removed = append(a.removed, u)
			reason = SkipApplicant
		case sub.approved[u.ID]:
			a.removed = append(a.removed, u)
			if reason == "" {
				reason = SkipApprovedEarlier
			}
		default:
			d, err := s.delegate(ctx, sub, u.ID)
			if err != nil {
				return nil, err
			}
			x := Assignee{UserID: u.ID, Name: u.Name}
			if d != 0 {
				x = Assignee{UserID: d, OnBehalfOf: u.ID, OnBehalfOfName: u.Name}
			}
			if !slices.ContainsFunc(a.approvers, func(y Assignee) bool { return y.UserID == x.UserID }) {
				a.approvers = append(a.approvers, x)
			}
		}
	}
	if len(a.approvers) == 0 {
		a.skipped = reason
		return a, nil
	}
	// Name the delegates.
	var need []ids.ID
	for _, x := range a.approvers {
		if x.Name == "" {
			need = append(need, x.UserID)
		}
	}
	if len(need) > 0 {
		names, err := s.dir.Users(ctx, need)
		if err != nil {
			return nil, err
		}
		for i := range a.approvers {
			if a.approvers[i].Name == "" {
				a.approvers[i].Name = names[a.approvers[i].UserID].Name
			}
		}
	}
	return a, nil
}

// delegate follows the delegations covering the request type today from
// a user: the account that takes his task, or 0 to keep it. A chain ends
// at the applicant (nobody approves his own request) or after 10 steps.
func (s *Service) delegate(ctx context.Context, sub *subject, user ids.ID) (ids.ID, error) {
	if !sub.loaded {
		list, err := s.store.ActiveDelegations(ctx, sub.day)
		if err != nil {
			return 0, err
		}
		sub.delegations, sub.loaded = list, true
	}
	if len(sub.delegations) == 0 {
		return 0, nil
	}
	at, seen := user, map[ids.ID]bool{user: true}
	for range 10 {
		next := ids.ID(0)
		for i := range sub.delegations {
			d := &sub.delegations[i]
			if d.UserID == at && d.Covers(sub.requestType, sub.day) {
				next = d.DelegateUserID
				break
			}
		}
		if next == 0 || seen[next] || next == sub.applicant {
			break
		}
		seen[next] = true
		at = next
	}
	if at == user {
		return 0, nil
	}
	// A delegate who can no longer sign in cannot act either.
	users, err := s.dir.Users(ctx, []ids.ID{at})
	if err != nil {
		return 0, err
	}
	if u, ok := users[at]; !ok || !u.Active {
		return 0, nil
	}
	return at, nil
}
