package approval

import (
	"context"
	"fmt"
	"time"

	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/jobs"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// EscalateJob is the periodic job that handles tasks waiting past their
// node's timeout, in every tenant.
const EscalateJob = "approval.escalate"

// EscalateEvery is how often the escalation job runs.
const EscalateEvery = 5 * time.Minute

// RegisterJobs adds the escalation job and its schedule to the queue.
func (s *Service) RegisterJobs(q *jobs.Queue) {
	q.Register(EscalateJob, func(ctx context.Context, _ *jobs.Job, p *jobs.Progress) error {
		n, err := s.EscalateAll(ctx)
		if err != nil {
			return err
		}
		return p.Set(ctx, 100, fmt.Sprintf("%d tasks escalated or reminded", n))
	}, jobs.KindOptions{MaxAttempts: 3, Timeout: 10 * time.Minute})
	q.Periodic(EscalateJob, EscalateEvery, func(now time.Time) []jobs.Scheduled {
		slot := now.UTC().Truncate(EscalateEvery).Format("200601021504")
		return []jobs.Scheduled{{TenantID: 0, Kind: EscalateJob, UniqueKey: EscalateJob + ":" + slot}}
	})
}

// EscalateAll handles the due tasks of every tenant, each tenant as its
// system principal. It returns how many tasks it handled.
func (s *Service) EscalateAll(ctx context.Context) (int, error) {
	tenants, err := s.store.DueTenants(ctx, s.nowUTC())
	if err != nil {
		return 0, err
	}
	total := 0
	for _, t := range tenants {
		sys := rbac.SystemPrincipal(t, "approval.escalate")
		n, err := s.Escalate(rbac.WithPrincipal(ctx, sys))
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Escalate handles the caller's tenant's tasks that waited past their
// node's timeout: the approver is reminded, or (onTimeout escalate) the
// escalation approvers join his task's slot, so either may decide. Each
// task is handled once, in its own transaction under the instance lock.
func (s *Service) Escalate(ctx context.Context) (int, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for {
		due, err := s.store.DueTasks(ctx, s.nowUTC(), 100)
		if err != nil || len(due) == 0 {
			return n, err
		}
		for _, t := range due {
			if err := s.escalateTask(ctx, p, t); err != nil {
				return n, err
			}
			n++
		}
		if len(due) < 100 {
			return n, nil
		}
	}
}

func (s *Service) escalateTask(ctx context.Context, p *rbac.Principal, due Task) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		in, err := s.store.LockInstance(ctx, due.InstanceID)
		if err != nil {
			return err
		}
		r, err := s.newRun(ctx, p, in, "")
		if err != nil {
			return err
		}
		if err := r.load(); err != nil {
			return err
		}
		t := r.task(due.ID)
		if t == nil || t.State != TaskPending || t.Escalated || t.DueAt == nil || t.DueAt.After(r.now) {
			return nil // acted on (or handled) meanwhile
		}
		r.touch(t)
		t.Escalated, t.DueAt = true, nil
		nd := r.node(t.NodeIndex)
		var targets []User
		if nd != nil && nd.OnTimeout == TimeoutEscalate {
			if targets, err = r.escalationTargets(nd, t); err != nil {
				return err
			}
		}
		r.message(TemplateTimeout, []ids.ID{t.ApproverUserID}, "approval.timeout:"+t.ID.String(), nil)
		if len(targets) == 0 {
			r.event(ActionTimeout, "", map[string]any{"node": t.NodeName, "approver": t.ApproverName})
			return r.save(ActionTimeout, map[string]any{"task": t.ID})
		}
		var who []string
		for _, u := range targets {
			x := r.addTask(Assignee{UserID: u.ID, Name: u.Name}, OriginEscalation, t.Slot, t.ParentID, nil)
			x.NodeIndex, x.NodeName = t.NodeIndex, t.NodeName
			r.msgs[len(r.msgs)-1].Template = TemplateEscalated // instead of "assigned"
			who = append(who, u.Name)
		}
		r.event(ActionEscalate, "", map[string]any{"node": t.NodeName, "approver": t.ApproverName, "users": who})
		return r.save(ActionEscalate, map[string]any{"task": t.ID, "users": who})
	})
}

// escalationTargets resolves who joins an overdue task: the node's
// escalation approvers, else the waiting approver's manager, else the
// fallback; never the applicant or someone already on the slot.
func (r *run) escalationTargets(nd *Node, t *Task) ([]User, error) {
	var users []User
	var err error
	if len(nd.EscalateTo) > 0 {
		users, err = r.s.resolve(r.ctx, r.subject(), nd.EscalateTo)
	} else {
		users, err = r.approverManager(t.ApproverUserID)
		if err == nil && len(users) == 0 {
			users, err = r.s.resolve(r.ctx, &subject{fallback: true}, r.flow.Definition.Fallback)
		}
	}
	if err != nil {
		return nil, err
	}
	var out []User
	for _, u := range users {
		taken := u.ID == r.in.ApplicantUserID
		for _, o := range r.tasks {
			taken = taken || (o.Slot == t.Slot && o.Round == t.Round && o.Open() && o.ApproverUserID == u.ID)
		}
		if !taken {
			out = append(out, u)
		}
	}
	return out, nil
}

// approverManager is the direct manager of an approver (by his employee).
func (r *run) approverManager(user ids.ID) ([]User, error) {
	emp, err := r.s.dir.EmployeeOfUser(r.ctx, user)
	if err != nil || emp == 0 {
		return nil, err
	}
	return r.s.resolve(r.ctx, &subject{employee: emp}, []Approver{Manager(1)})
}

// WaitingAfter is how long a task waits before the "waiting approvals"
// reminder names it (and again after each further day).
const WaitingAfter = 24 * time.Hour

// Reminders lists, for the caller's tenant, one reminder per task that
// has waited more than WaitingAfter: to its approver, keyed by task and
// whole days waited so each fires once per day of waiting, also across
// restarts and processes (the notify module's reminder source).
func (s *Service) Reminders(ctx context.Context, now time.Time, fn func(Message) error) error {
	if _, err := rbac.Authenticated(ctx); err != nil {
		return err
	}
	return s.store.Waiting(ctx, now.Add(-WaitingAfter).UTC(), func(w Waiting) error {
		days := int(now.Sub(w.CreatedAt) / WaitingAfter)
		return fn(Message{Recipients: []ids.ID{w.ApproverUserID}, Template: TemplateWaiting,
			Params: map[string]any{"title": w.Title, "type": w.RequestType, "applicant": w.ApplicantName, "node": w.NodeName, "days": days},
			Link:   Link(w.InstanceID), ObjectType: ObjectInstance, ObjectID: w.InstanceID.String(),
			Key: fmt.Sprintf("approval.waiting:%s:%d", w.TaskID, days)})
	})
}
