package approval

import (
	"context"
	"unicode/utf8"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/validate"
)

// DelegationInput hands the caller's new tasks to someone while he is away.
type DelegationInput struct {
	DelegateUserID ids.ID
	RequestType    string // "" for every type
	StartDate      civil.Date
	EndDate        civil.Date
	Note           string
}

// maxDelegationDays bounds a delegation (a year and a day).
const maxDelegationDays = 366

// Delegations lists the caller's delegations, latest first.
func (s *Service) Delegations(ctx context.Context) ([]Delegation, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	list, err := s.store.Delegations(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []Delegation{}
	}
	return list, s.nameDelegates(ctx, list)
}

func (s *Service) nameDelegates(ctx context.Context, list []Delegation) error {
	var need []ids.ID
	for _, d := range list {
		need = append(need, d.DelegateUserID)
	}
	if len(need) == 0 {
		return nil
	}
	users, err := s.dir.Users(ctx, uniqIDs(need))
	if err != nil {
		return err
	}
	for i := range list {
		list[i].DelegateName = users[list[i].DelegateUserID].Name
	}
	return nil
}

// CreateDelegation hands the caller's tasks that arrive between two days
// (of a request type, or all) to a delegate. Refused: delegating to
// oneself, dates in the past, a second delegation of the same tasks on
// the same days, and any delegation that would lead back to the caller
// (A→B while B→A) on a common day.
func (s *Service) CreateDelegation(ctx context.Context, in DelegationInput) (*Delegation, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	var f errs.Fields
	in.Note = validate.Normalize(in.Note)
	f.Check(utf8.RuneCountInString(in.Note) <= 200, "note", "too_long", errs.Params{"max": 200})
	if in.RequestType != "" {
		if _, ok := s.typeOf(in.RequestType); !ok {
			f.Add("requestType", "approval.unknown_type")
		}
	}
	today := s.today(ctx)
	switch {
	case in.StartDate.IsZero():
		f.Add("startDate", "required")
	case !in.StartDate.Valid():
		f.Add("startDate", "invalid_date")
	}
	switch {
	case in.EndDate.IsZero():
		f.Add("endDate", "required")
	case !in.EndDate.Valid():
		f.Add("endDate", "invalid_date")
	case in.EndDate.Before(today):
		f.Add("endDate", "approval.date_past")
	case !in.StartDate.IsZero() && in.EndDate.Before(in.StartDate):
		f.Add("endDate", "approval.end_before_start")
	case !in.StartDate.IsZero() && in.EndDate.DaysSince(in.StartDate) > maxDelegationDays:
		f.Add("endDate", "approval.delegation_too_long", errs.Params{"max": maxDelegationDays})
	}
	switch {
	case in.DelegateUserID == 0:
		f.Add("delegateUserId", "required")
	case in.DelegateUserID == p.UserID:
		f.Add("delegateUserId", "approval.self")
	default:
		users, err := s.dir.Users(ctx, []ids.ID{in.DelegateUserID})
		if err != nil {
			return nil, err
		}
		if u, ok := users[in.DelegateUserID]; !ok || !u.Active {
			f.Add("delegateUserId", "approval.unknown_user", errs.Params{"id": in.DelegateUserID.String()})
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out *Delegation
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		list, err := s.store.DelegationsOverlapping(ctx, in.StartDate, in.EndDate)
		if err != nil {
			return err
		}
		compatible := func(d Delegation) bool {
			return d.RequestType == "" || in.RequestType == "" || d.RequestType == in.RequestType
		}
		for _, d := range list {
			if d.UserID == p.UserID && compatible(d) {
				return errs.E(errs.Conflict, "approval.delegation_overlap", errs.Params{"start": d.StartDate.String(), "end": d.EndDate.String()})
			}
		}
		// Follow the delegate's own delegations on these days: reaching
		// the caller would send tasks round in a circle.
		seen := map[ids.ID]bool{}
		var walk func(u ids.ID, depth int) bool
		walk = func(u ids.ID, depth int) bool {
			if u == p.UserID {
				return true
			}
			if seen[u] || depth > 20 {
				return false
			}
			seen[u] = true
			for _, d := range list {
				if d.UserID == u && compatible(d) && walk(d.DelegateUserID, depth+1) {
					return true
				}
			}
			return false
		}
		if walk(in.DelegateUserID, 0) {
			return &errs.Error{Kind: errs.Invalid, Code: "approval.delegation_cycle",
				Fields: []errs.FieldError{{Field: "delegateUserId", Code: "approval.delegation_cycle"}}}
		}
		d := &Delegation{TenantID: p.TenantID, ID: ids.New(), UserID: p.UserID, DelegateUserID: in.DelegateUserID,
			RequestType: in.RequestType, StartDate: in.StartDate, EndDate: in.EndDate, Note: in.Note, CreatedAt: s.nowUTC()}
		if err := s.store.InsertDelegation(ctx, d); err != nil {
			return err
		}
		out = d
		return s.record(ctx, "create", ObjectDelegation, d.ID, d)
	})
	if err != nil {
		return nil, err
	}
	named := []Delegation{*out}
	if err := s.nameDelegates(ctx, named); err != nil {
		return nil, err
	}
	return &named[0], nil
}

// DeleteDelegation ends one of the caller's delegations (tasks already
// delegated stay with the delegate).
func (s *Service) DeleteDelegation(ctx context.Context, id ids.ID) error {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		d, err := s.store.Delegation(ctx, id)
		if err != nil {
			return err
		}
		if d.UserID != p.UserID {
			return errs.NotFoundf("object.approval_delegation")
		}
		if err := s.store.DeleteDelegation(ctx, id); err != nil {
			return err
		}
		return s.record(ctx, "delete", ObjectDelegation, id, d)
	})
}
