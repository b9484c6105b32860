package approval

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// run is one action on one instance inside one transaction: the state it
// read (under the instance's lock) and what it changes, written at the end.
type run struct {
	s    *Service
	ctx  context.Context
	p    *rbac.Principal
	reg  *registered
	in   *Instance
	flow *Flow
	now  time.Time
	// tasks are every task of the instance; created and dirty say which
	// to insert and which to update (with the state they had).
	tasks   []*Task
	created map[ids.ID]bool
	dirty   map[ids.ID]string
	events  []Event
	ccs     []CC
	msgs    []Message
	key     string // the caller's request key, stored on the first event
	isNew   bool
	before  string // state before the action (audit)
	sub     *subject
	outcome string // StateApproved, StateRejected or StateWithdrawn when the round ended
}

// errReplay ends an action that was already done (the same request key,
// or the same decision again): the instance is answered as it is.
var errReplay = errors.New("approval: replay")

func (s *Service) newRun(ctx context.Context, p *rbac.Principal, in *Instance, key string) (*run, error) {
	reg, ok := s.typeOf(in.RequestType)
	if !ok {
		return nil, fmt.Errorf("approval: request type %q of instance %d is not registered", in.RequestType, in.ID)
	}
	r := &run{s: s, ctx: ctx, p: p, reg: reg, in: in, now: s.nowUTC(), created: map[ids.ID]bool{}, dirty: map[ids.ID]string{},
		key: key, before: in.State}
	fl, err := s.flow(ctx, in.TenantID, in.FlowID)
	if err != nil {
		return nil, err
	}
	r.flow = fl
	return r, nil
}

// load reads the instance's tasks.
func (r *run) load() error {
	list, err := r.s.store.Tasks(r.ctx, r.in.ID)
	if err != nil {
		return err
	}
	r.tasks = make([]*Task, len(list))
	for i := range list {
		r.tasks[i] = &list[i]
	}
	return nil
}

// nodes are the nodes of the instance's branch.
func (r *run) nodes() []Node {
	b := r.flow.Definition.Branches
	if r.in.Branch < 0 || r.in.Branch >= len(b) {
		return nil
	}
	return b[r.in.Branch].Nodes
}

// node is the definition of a node index (nil for the fallback step
// after the last node).
func (r *run) node(idx int) *Node {
	n := r.nodes()
	if idx < 0 || idx >= len(n) {
		return nil
	}
	return &n[idx]
}

// subject builds the resolution context of the current round.
func (r *run) subject() *subject {
	if r.sub != nil {
		return r.sub
	}
	sub := &subject{info: r.reg.info, def: &r.flow.Definition, requestType: r.in.RequestType, applicant: r.in.ApplicantUserID,
		employee: r.in.SubjectEmployeeID, department: r.in.SubjectDepartmentID, fields: r.in.Fields, approved: map[ids.ID]bool{},
		day: r.s.today(r.ctx)}
	r.sub = sub
	return sub
}

// approvedThisRound lists who approved in the current round (and for whom).
func (r *run) approvedThisRound() map[ids.ID]bool {
	out := map[ids.ID]bool{}
	for _, t := range r.tasks {
		if t.Round == r.in.Round && t.State == TaskApproved {
			out[t.ApproverUserID] = true
			if t.OnBehalfOf != 0 {
				out[t.OnBehalfOf] = true
			}
		}
	}
	return out
}

// independentApproval reports whether someone other than the applicant
// approved in this round.
func (r *run) independentApproval() bool {
	return slices.ContainsFunc(r.tasks, func(t *Task) bool {
		return t.Round == r.in.Round && t.State == TaskApproved && t.ApproverUserID != r.in.ApplicantUserID
	})
}

// openInNode lists the open tasks of the current node.
func (r *run) openInNode() []*Task {
	var out []*Task
	for _, t := range r.tasks {
		if t.Round == r.in.Round && t.NodeIndex == r.in.NodeIndex && t.Open() {
			out = append(out, t)
		}
	}
	return out
}

func (r *run) task(id ids.ID) *Task {
	for _, t := range r.tasks {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// setState changes a task, remembering its stored state for the
// conditional update.
func (r *run) setState(t *Task, state, comment string) {
	if _, ok := r.dirty[t.ID]; !ok && !r.created[t.ID] {
		r.dirty[t.ID] = t.State
	}
	t.State = state
	if state != TaskPending && state != TaskWaiting {
		at := r.now
		t.ActedAt = &at
		t.DueAt = nil
	}
	if comment != "" {
		t.Comment = comment
	}
}

// touch marks a task changed without a state change (escalation flags).
func (r *run) touch(t *Task) {
	if _, ok := r.dirty[t.ID]; !ok && !r.created[t.ID] {
		r.dirty[t.ID] = t.State
	}
}

// cancel settles an open task that nobody needs any more, and the tasks
// added before it.
func (r *run) cancel(t *Task) {
	if !t.Open() {
		return
	}
	r.setState(t, TaskCancelled, "")
	for _, c := range r.tasks {
		if c.ParentID == t.ID && c.Open() {
			r.cancel(c)
		}
	}
}

// cancelAll settles every open task of the instance.
func (r *run) cancelAll() []ids.ID {
	var who []ids.ID
	for _, t := range r.tasks {
		if t.Open() {
			if !slices.Contains(who, t.ApproverUserID) {
				who = append(who, t.ApproverUserID)
			}
			r.setState(t, TaskCancelled, "")
		}
	}
	return who
}

// event adds a timeline line by the caller (or the system).
func (r *run) event(action, comment string, detail map[string]any) {
	ev := Event{TenantID: r.in.TenantID, ID: ids.New(), InstanceID: r.in.ID, Round: r.in.Round, At: r.now,
		ActorUserID: r.p.UserID, ActorName: actorName(r.p), Action: action, Comment: comment, Detail: detail}
	if r.p.System && r.p.UserID == 0 {
		ev.ActorName = ""
	}
	if ev.Detail == nil {
		ev.Detail = map[string]any{}
	}
	if r.key != "" {
		ev.RequestKey, r.key = r.key, ""
	}
	r.events = append(r.events, ev)
}

func (r *run) message(tmpl string, to []ids.ID, key string, params map[string]any) {
	p := map[string]any{"title": r.in.Title, "type": r.reg.info.Label, "applicant": r.in.ApplicantName, "node": r.in.NodeName}
	maps.Copy(p, params)
	r.msgs = append(r.msgs, Message{Recipients: uniqIDs(to), Template: tmpl, Params: p, Link: Link(r.in.ID),
		ObjectType: ObjectInstance, ObjectID: r.in.ID.String(), Key: key})
}

// addTask creates a task in the current node.
func (r *run) addTask(a Assignee, origin string, slot, parent ids.ID, due *time.Time) *Task {
	t := &Task{TenantID: r.in.TenantID, ID: ids.New(), InstanceID: r.in.ID, Round: r.in.Round, NodeIndex: r.in.NodeIndex,
		NodeName: r.in.NodeName, Slot: slot, ParentID: parent, Origin: origin, ApproverUserID: a.UserID, ApproverName: a.Name,
		OnBehalfOf: a.OnBehalfOf, State: TaskPending, DueAt: due, CreatedAt: r.now}
	if t.Slot == 0 {
		t.Slot = t.ID
	}
	r.tasks = append(r.tasks, t)
	r.created[t.ID] = true
	r.message(TemplateAssigned, []ids.ID{t.ApproverUserID}, "approval.assigned:"+t.ID.String(), nil)
	return t
}

// advance moves past the current node to the next one that needs
// someone, or ends the flow. It never approves silently: a node that
// resolves to nobody goes to the fallback (or fails), and a round that
// nobody but the applicant approved goes to the fallback before it ends.
func (r *run) advance() error {
	sub := r.subject()
	sub.approved = r.approvedThisRound()
	nodes := r.nodes()
	for idx := r.in.NodeIndex + 1; idx < len(nodes); idx++ {
		nd := &nodes[idx]
		a, err := r.s.assign(r.ctx, sub, nd)
		if err != nil {
			return err
		}
		if a.skipped != "" {
			r.event(ActionSkip, "", map[string]any{"node": nd.Name, "nodeIndex": idx, "reason": a.skipped, "users": names(a.removed)})
			continue
		}
		r.activate(idx, nd.Name, nd.Mode, nd.TimeoutHours, OriginFlow, a)
		return nil
	}
	if r.in.NodeIndex < len(nodes) && !r.independentApproval() {
		fb, err := r.s.resolve(r.ctx, &subject{fallback: true, department: sub.department}, r.flow.Definition.Fallback)
		if err != nil {
			return err
		}
		a := &assignment{fallback: true}
		for _, u := range fb {
			if u.ID != r.in.ApplicantUserID {
				a.approvers = append(a.approvers, Assignee{UserID: u.ID, Name: u.Name})
			}
		}
		if len(a.approvers) == 0 {
			return errs.E(errs.Conflict, "approval.no_approver", errs.Params{"node": ""})
		}
		name := i18n.T(i18n.FromContext(r.ctx), "approval.fallback_node", nil)
		r.activate(len(nodes), name, ModeAny, 0, OriginFallback, a)
		return nil
	}
	return r.complete()
}

// activate makes a node current and creates its tasks: one slot for an
// any-one node, one per approver for an all node.
func (r *run) activate(idx int, name, mode string, timeoutHours int, origin string, a *assignment) {
	r.in.NodeIndex, r.in.NodeName = idx, name
	var due *time.Time
	if timeoutHours > 0 {
		d := r.now.Add(time.Duration(timeoutHours) * time.Hour)
		due = &d
	}
	if a.fallback {
		origin = OriginFallback
		r.event(ActionFallback, "", map[string]any{"node": name, "nodeIndex": idx})
	}
	if len(a.removed) > 0 {
		r.event(ActionSkip, "", map[string]any{"node": name, "nodeIndex": idx, "reason": "approvers", "users": names(a.removed)})
	}
	slot := ids.ID(0)
	if mode == ModeAny {
		slot = ids.New()
	}
	var who []map[string]any
	for _, x := range a.approvers {
		t := r.addTask(x, origin, slot, 0, due)
		w := map[string]any{"userId": t.ApproverUserID.String(), "name": t.ApproverName}
		if x.OnBehalfOf != 0 {
			w["onBehalfOf"], w["onBehalfOfName"] = x.OnBehalfOf.String(), x.OnBehalfOfName
		}
		who = append(who, w)
	}
	r.event(ActionAssign, "", map[string]any{"node": name, "nodeIndex": idx, "mode": mode, "approvers": who})
}

// complete approves the instance: CC recipients are recorded and told,
// the applicant is told, and the owning module applies the request.
func (r *run) complete() error {
	r.in.State, r.in.NodeName = StateApproved, ""
	at := r.now
	r.in.FinishedAt = &at
	r.cancelAll()
	r.outcome = StateApproved
	r.event(ActionComplete, "", nil)
	cc, err := r.s.resolve(r.ctx, r.subject(), r.flow.Definition.CC)
	if err != nil {
		return err
	}
	var to []ids.ID
	for _, u := range cc {
		r.ccs = append(r.ccs, CC{TenantID: r.in.TenantID, UserID: u.ID, InstanceID: r.in.ID, CreatedAt: r.now})
		to = append(to, u.ID)
	}
	if len(cc) > 0 {
		r.event(ActionCC, "", map[string]any{"users": names(cc)})
		r.message(TemplateCC, to, "approval.cc:"+r.in.ID.String(), nil)
	}
	r.message(TemplateApproved, []ids.ID{r.in.ApplicantUserID}, fmt.Sprintf("approval.approved:%s", r.in.ID), nil)
	return nil
}

func names(list []User) []string {
	out := make([]string, len(list))
	for i, u := range list {
		out[i] = u.Name
	}
	return out
}

// save writes what the run changed, tells the owning module the outcome,
// records the audit entry and queues the notifications, all in the
// caller's transaction.
func (r *run) save(action string, diff map[string]any) error {
	ctx := r.ctx
	r.in.UpdatedAt = r.now
	if r.isNew {
		if err := r.s.store.InsertInstance(ctx, r.in); err != nil {
			return err
		}
	} else {
		r.in.Version++
		if err := r.s.store.UpdateInstance(ctx, r.in); err != nil {
			return err
		}
	}
	var fresh []Task
	for _, t := range r.tasks {
		if r.created[t.ID] {
			fresh = append(fresh, *t)
		}
	}
	if err := r.s.store.InsertTasks(ctx, fresh); err != nil {
		return err
	}
	for id, from := range r.dirty {
		if err := r.s.store.UpdateTask(ctx, r.task(id), from); err != nil {
			return err
		}
	}
	if err := r.s.store.InsertEvents(ctx, r.events); err != nil {
		return err
	}
	if err := r.s.store.InsertCCs(ctx, r.ccs); err != nil {
		return err
	}
	if r.outcome != "" {
		r.in.Decision = &Decision{ActorUserID: r.p.UserID, ActorName: actorName(r.p), Comment: r.decisionComment(), At: r.now}
		var err error
		if r.outcome == StateApproved {
			err = r.reg.rt.OnApproved(ctx, r.in)
		} else {
			err = r.reg.rt.OnRejected(ctx, r.in)
		}
		if err != nil {
			return err
		}
	}
	if diff == nil {
		diff = map[string]any{}
	}
	diff["requestType"] = r.in.RequestType
	if r.before != r.in.State {
		diff["state"] = map[string]any{"before": r.before, "after": r.in.State}
	}
	diff["node"] = r.in.NodeName
	if err := r.s.record(ctx, action, ObjectInstance, r.in.ID, diff); err != nil {
		return err
	}
	for _, m := range r.msgs {
		if err := r.s.notify(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// decisionComment is the comment of the action that ended the round.
func (r *run) decisionComment() string {
	for i := len(r.events) - 1; i >= 0; i-- {
		switch r.events[i].Action {
		case ActionApprove, ActionReject, ActionWithdraw, ActionAddAfter:
			return r.events[i].Comment
		}
	}
	return ""
}

// Submission is a new request.
type Submission struct {
	Type   string
	Fields map[string]any
	// RequestKey makes the submission idempotent: the same key from the
	// same user answers the instance created the first time.
	RequestKey string
}

const maxKey = 100

func checkKey(key string) (string, error) {
	key = strings.TrimSpace(key)
	if len(key) > maxKey {
		return "", errs.InvalidField("requestKey", "too_long", errs.Params{"max": maxKey})
	}
	return key, nil
}

// Submit starts a request: the type checks it, the tenant's current flow
// (the default, saved, when there is none) routes it, and the first
// node's approvers get their tasks, all in one transaction.
func (s *Service) Submit(ctx context.Context, sub Submission) (*Detail, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	reg, ok := s.typeOf(sub.Type)
	if !ok {
		return nil, errs.InvalidField("type", "approval.unknown_type")
	}
	key, err := checkKey(sub.RequestKey)
	if err != nil {
		return nil, err
	}
	var out *Detail
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if key != "" {
			in, err := s.store.InstanceByKey(ctx, p.UserID, key)
			if err == nil {
				out, err = s.detail(ctx, p, in, nil)
				return err
			}
			if errs.KindOf(err) != errs.NotFound {
				return err
			}
		}
		now := s.nowUTC()
		in := &Instance{TenantID: p.TenantID, ID: ids.New(), RequestType: sub.Type, ApplicantUserID: p.UserID, ApplicantName: actorName(p),
			Fields: copyFields(sub.Fields), State: StateRunning, Round: 1, NodeIndex: -1, RequestKey: key, SubmittedAt: now,
			UpdatedAt: now, Version: 1, SubjectEmployeeID: p.EmployeeID}
		if f := reg.info.SubjectField; f != "" {
			id, _ := toID(in.Fields[f])
			in.SubjectEmployeeID = id
		}
		if err := reg.rt.Validate(ctx, in); err != nil {
			return err
		}
		if err := s.setSubject(ctx, in); err != nil {
			return err
		}
		fl, err := s.flowForSubmit(ctx, reg)
		if err != nil {
			return err
		}
		in.FlowID, in.FlowVersion = fl.ID, fl.Version
		r := &run{s: s, ctx: ctx, p: p, reg: reg, in: in, flow: fl, now: now, created: map[ids.ID]bool{}, dirty: map[ids.ID]string{},
			key: key, isNew: true, before: ""}
		if in.Branch, err = s.branch(ctx, r.subject()); err != nil {
			return err
		}
		r.event(ActionSubmit, "", map[string]any{"flowVersion": fl.Version})
		if err := r.advance(); err != nil {
			return err
		}
		if err := r.save(ActionSubmit, map[string]any{"fields": in.Fields, "flowVersion": fl.Version}); err != nil {
			return err
		}
		out, err = s.detail(ctx, p, in, r.tasks)
		return err
	})
	return out, err
}

// setSubject records the subject's department (scopes and conditions).
func (s *Service) setSubject(ctx context.Context, in *Instance) error {
	in.SubjectDepartmentID = 0
	delete(in.Fields, SubjectDepartmentField)
	if in.SubjectEmployeeID == 0 {
		return nil
	}
	person, err := s.person(ctx, in.SubjectEmployeeID)
	if err != nil || person == nil {
		return err
	}
	in.SubjectDepartmentID = person.DepartmentID
	if person.DepartmentID != 0 {
		in.Fields[SubjectDepartmentField] = person.DepartmentID.String()
	}
	return nil
}

func copyFields(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	maps.Copy(out, m)
	return out
}

// act runs an action on an instance under its lock. The request key
// replays an action already done; fn returns errReplay when the caller
// repeats a decision he already made.
func (s *Service) act(ctx context.Context, id ids.ID, key, action string, fn func(r *run) (map[string]any, error)) (*Detail, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if key, err = checkKey(key); err != nil {
		return nil, err
	}
	var out *Detail
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		in, err := s.store.LockInstance(ctx, id)
		if err != nil {
			return err
		}
		if key != "" {
			ev, err := s.store.EventByKey(ctx, p.UserID, key)
			switch {
			case err == nil && ev.InstanceID != id:
				return errs.E(errs.Conflict, "approval.request_key_reused")
			case err == nil:
				out, err = s.detail(ctx, p, in, nil)
				return err
			case errs.KindOf(err) != errs.NotFound:
				return err
			}
		}
		r, err := s.newRun(ctx, p, in, key)
		if err != nil {
			return err
		}
		if err := r.load(); err != nil {
			return err
		}
		if err := s.visible(ctx, p, in, r.tasks); err != nil {
			return err
		}
		diff, err := fn(r)
		if errors.Is(err, errReplay) {
			out, err = s.detail(ctx, p, in, r.tasks)
			return err
		}
		if err != nil {
			return err
		}
		if err := r.save(action, diff); err != nil {
			return err
		}
		out, err = s.detail(ctx, p, in, r.tasks)
		return err
	})
	return out, err
}

// visible answers NotFound unless the caller may see the instance: the
// applicant, anyone with a task on it or CC'd, or HR with
// approval.instance.read_all covering the subject's department. Ids
// cannot be probed.
func (s *Service) visible(ctx context.Context, p *rbac.Principal, in *Instance, tasks []*Task) error {
	if in.ApplicantUserID == p.UserID || p.System {
		return nil
	}
	if tasks != nil {
		if slices.ContainsFunc(tasks, func(t *Task) bool { return t.ApproverUserID == p.UserID || t.OnBehalfOf == p.UserID }) {
			return nil
		}
	}
	if sc, ok := p.Scope(PermReadAll); ok && (sc.All || sc.CoversDepartment(in.SubjectDepartmentID)) {
		return nil
	}
	involved, err := s.store.Involved(ctx, in.ID, p.UserID)
	if err != nil {
		return err
	}
	if involved {
		return nil
	}
	return errs.NotFoundf("object.approval")
}
