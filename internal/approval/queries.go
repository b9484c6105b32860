package approval

import (
	"context"
	"slices"
	"time"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/validate"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Detail is an instance with its tasks, timeline, the nodes of its flow
// and what the caller may do now.
type Detail struct {
	Instance
	Tasks    []Task     `json:"tasks"`
	Timeline []Event    `json:"timeline"`
	Nodes    []NodeView `json:"nodes"`
	// Actions the caller may take: approve, reject, transfer,
	// add_approver (a current approver); withdraw, remind, resubmit (the
	// applicant).
	Actions []string `json:"actions"`
}

// NodeView is a node of the instance's branch and how far it got in the
// current round: done, skipped, current or upcoming.
type NodeView struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
	Mode  string `json:"mode"`
	State string `json:"state"`
}

// Instance returns one request with its timeline; NotFound unless the
// caller may see it.
func (s *Service) Instance(ctx context.Context, id ids.ID) (*Detail, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	in, err := s.store.Instance(ctx, id)
	if err != nil {
		return nil, err
	}
	list, err := s.store.Tasks(ctx, id)
	if err != nil {
		return nil, err
	}
	tasks := make([]*Task, len(list))
	for i := range list {
		tasks[i] = &list[i]
	}
	if err := s.visible(ctx, p, in, tasks); err != nil {
		return nil, err
	}
	return s.detail(ctx, p, in, tasks)
}

// InstanceForObject returns the latest instance of a type about a
// module's record (for the module: no permission check).
func (s *Service) InstanceForObject(ctx context.Context, requestType, objectID string) (*Instance, error) {
	return s.store.InstanceForObject(ctx, requestType, objectID)
}

// detail builds the view of an instance for the caller; tasks nil reads them.
func (s *Service) detail(ctx context.Context, p *rbac.Principal, in *Instance, tasks []*Task) (*Detail, error) {
	if tasks == nil {
		list, err := s.store.Tasks(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		for i := range list {
			tasks = append(tasks, &list[i])
		}
	}
	evs, err := s.store.Events(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if evs == nil {
		evs = []Event{}
	}
	d := &Detail{Instance: *in, Timeline: evs, Tasks: make([]Task, 0, len(tasks)), Actions: []string{}, Nodes: []NodeView{}}
	slices.SortStableFunc(tasks, func(a, b *Task) int { return a.CreatedAt.Compare(b.CreatedAt) })
	var principals []ids.ID
	for _, t := range tasks {
		if t.OnBehalfOf != 0 {
			principals = append(principals, t.OnBehalfOf)
		}
	}
	var named map[ids.ID]User
	if len(principals) > 0 {
		var err error
		if named, err = s.dir.Users(ctx, uniqIDs(principals)); err != nil {
			return nil, err
		}
	}
	mine := false
	for _, t := range tasks {
		x := *t
		x.OnBehalfOfName = named[t.OnBehalfOf].Name
		d.Tasks = append(d.Tasks, x)
		if in.State == StateRunning && t.Round == in.Round && t.NodeIndex == in.NodeIndex && t.State == TaskPending && t.ApproverUserID == p.UserID {
			mine = true
		}
	}
	if mine {
		d.Actions = append(d.Actions, "approve", "reject", "transfer", "add_approver")
	}
	if in.ApplicantUserID == p.UserID {
		switch in.State {
		case StateRunning:
			d.Actions = append(d.Actions, "withdraw", "remind")
		case StateRejected:
			d.Actions = append(d.Actions, "resubmit", "withdraw")
		}
	}
	if fl, err := s.flow(ctx, in.TenantID, in.FlowID); err == nil && in.Branch >= 0 && in.Branch < len(fl.Definition.Branches) {
		nodes := fl.Definition.Branches[in.Branch].Nodes
		for i, n := range nodes {
			d.Nodes = append(d.Nodes, NodeView{Index: i, Name: n.Name, Mode: n.Mode, State: nodeState(in, tasks, i)})
		}
		if in.NodeIndex >= len(nodes) {
			d.Nodes = append(d.Nodes, NodeView{Index: len(nodes), Name: in.NodeName, Mode: ModeAny, State: nodeState(in, tasks, len(nodes))})
		}
	} else if err != nil && errs.KindOf(err) != errs.NotFound {
		return nil, err
	}
	return d, nil
}

func nodeState(in *Instance, tasks []*Task, idx int) string {
	switch {
	case in.State == StateRunning && idx == in.NodeIndex:
		return "current"
	case idx > in.NodeIndex && in.State != StateApproved:
		return "upcoming"
	}
	for _, t := range tasks {
		if t.Round == in.Round && t.NodeIndex == idx && t.State == TaskApproved {
			return "done"
		}
	}
	if idx == in.NodeIndex && in.State == StateRejected {
		return "rejected"
	}
	return "skipped"
}

// Mine is one tab of the caller's approvals with the sizes of all four.
type Mine struct {
	Items    []Item `json:"items"`
	Total    int    `json:"total"`
	Page     int    `json:"page"`
	PageSize int    `json:"pageSize"`
	Counts   Counts `json:"counts"`
}

// MineQuery narrows "my approvals"; dates are the tenant's days.
type MineQuery struct {
	Tab         string
	RequestType string
	State       string
	Query       string
	From, To    civil.Date // submitted on these days (both included)
	Page, Size  int
}

// MyApprovals lists a tab of the caller's approvals: to do, done,
// submitted by him, CC'd to him; with the count of each tab.
func (s *Service) MyApprovals(ctx context.Context, q MineQuery) (*Mine, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	f := MineFilter{Tab: q.Tab, RequestType: q.RequestType, State: q.State, Query: validate.Normalize(q.Query)}
	if f.Tab == "" {
		f.Tab = TabTodo
	}
	if !slices.Contains(Tabs, f.Tab) {
		return nil, errs.InvalidField("tab", "invalid_choice")
	}
	if f.State != "" && !slices.Contains(States, f.State) {
		return nil, errs.InvalidField("state", "invalid_choice")
	}
	f.From, f.To = s.span(ctx, q.From, q.To)
	f.Page, f.Size = db.NormalizePage(q.Page, q.Size)
	items, err := s.store.Mine(ctx, p.UserID, f)
	if err != nil {
		return nil, err
	}
	counts, err := s.store.Counts(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []Item{}
	}
	total := map[string]int{TabTodo: counts.Todo, TabDone: counts.Done, TabSubmitted: counts.Submitted, TabCC: counts.CC}[f.Tab]
	if f.Filtered() {
		if total, err = s.store.CountMine(ctx, p.UserID, f); err != nil {
			return nil, err
		}
	}
	return &Mine{Items: items, Total: total, Page: f.Page, PageSize: f.Size, Counts: counts}, nil
}

// Counts are the sizes of the caller's four tabs (the badge).
func (s *Service) Counts(ctx context.Context) (Counts, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return Counts{}, err
	}
	return s.store.Counts(ctx, p.UserID)
}

// ListQuery narrows HR's list of the requests in scope.
type ListQuery struct {
	State       string
	RequestType string
	Applicant   ids.ID // the applicant's account
	Subject     ids.ID // the employee the request is about
	Query       string // title or applicant name contains
	From, To    civil.Date
	Page, Size  int
}

// List lists the instances HR may see: approval.instance.read_all, by
// the subject's department within its scope.
func (s *Service) List(ctx context.Context, q ListQuery) ([]Instance, int, error) {
	_, scope, err := rbac.Require(ctx, PermReadAll)
	if err != nil {
		return nil, 0, err
	}
	if q.State != "" && !slices.Contains(States, q.State) {
		return nil, 0, errs.InvalidField("state", "invalid_choice")
	}
	f := ListFilter{State: q.State, RequestType: q.RequestType, Applicant: q.Applicant, Subject: q.Subject,
		Query: validate.Normalize(q.Query)}
	f.From, f.To = s.span(ctx, q.From, q.To)
	f.Page, f.Size = db.NormalizePage(q.Page, q.Size)
	list, total, err := s.store.List(ctx, f, scope)
	if list == nil {
		list = []Instance{}
	}
	return list, total, err
}

// span turns the days from and to (both included, in the tenant's zone)
// into the instants [from, to+1 day); a zero day leaves its end open.
func (s *Service) span(ctx context.Context, from, to civil.Date) (time.Time, time.Time) {
	loc := s.location(ctx)
	var a, b time.Time
	if !from.IsZero() {
		a = from.In(loc).UTC()
	}
	if !to.IsZero() {
		b = to.AddDays(1).In(loc).UTC()
	}
	return a, b
}
