// Package approval is Renshi's approval engine: flow definitions per
// tenant and request type (versioned; running instances keep the version
// they started with), approver resolution (managers, department heads,
// role holders within scope, named users, with conditions, automatic
// skips and a fallback that never lets a request pass unseen), and
// instances as a persisted state machine with tasks, a timeline,
// transfer (转交), added approvers (加签), delegation, reminders (催办) and
// escalation. Modules plug in by registering request types; the owning
// module receives the outcome inside the same transaction.
//
// The package depends only on the platform. What it needs of the
// organisation, the roster and the accounts is the Directory interface;
// notifications go through Notifier. internal/app implements both.
package approval

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Instance states. Rejected returns the request to the applicant, who may
// edit and resubmit it (a new round) or withdraw it; approved and
// withdrawn are final.
const (
	StateRunning   = "running"
	StateApproved  = "approved"
	StateRejected  = "rejected"
	StateWithdrawn = "withdrawn"
)

// States lists the instance states.
var States = []string{StateRunning, StateApproved, StateRejected, StateWithdrawn}

// Task states. Open tasks are pending or waiting.
const (
	TaskPending     = "pending"     // the approver may act
	TaskWaiting     = "waiting"     // an approver added before this one acts first
	TaskApproved    = "approved"    // approved by this approver
	TaskRejected    = "rejected"    // rejected by this approver
	TaskTransferred = "transferred" // handed to another approver (转交 or escalation)
	TaskCancelled   = "cancelled"   // settled by someone else, or the instance ended
)

// TaskStates lists the task states.
var TaskStates = []string{TaskPending, TaskWaiting, TaskApproved, TaskRejected, TaskTransferred, TaskCancelled}

// Task origins: why the task exists.
const (
	OriginFlow       = "flow"       // the node's approvers
	OriginFallback   = "fallback"   // the node resolved to nobody, or nobody else approved
	OriginTransfer   = "transfer"   // 转交
	OriginAddBefore  = "add_before" // 前加签
	OriginAddAfter   = "add_after"  // 后加签
	OriginEscalation = "escalation" // the task waited past the node's timeout
)

// Node modes.
const (
	ModeAny = "any" // 或签: one approval settles the node
	ModeAll = "all" // 会签: every approver must approve
)

// Approver kinds.
const (
	ApproverManager        = "manager"         // the subject's Nth-level manager (level 1 = direct)
	ApproverDepartmentHead = "department_head" // head of the subject's department (level 0) or of one above
	ApproverRole           = "role"            // holders of a role whose data scope covers the subject's department
	ApproverUsers          = "users"           // named accounts
)

// ApproverKinds lists the approver kinds.
var ApproverKinds = []string{ApproverManager, ApproverDepartmentHead, ApproverRole, ApproverUsers}

// Timeout actions.
const (
	TimeoutRemind   = "remind"   // remind the approver once
	TimeoutEscalate = "escalate" // add the escalation approvers to the task
)

// Timeline actions (Event.Action), also the audit actions of instances.
const (
	ActionSubmit    = "submit"
	ActionResubmit  = "resubmit"
	ActionApprove   = "approve"
	ActionReject    = "reject"
	ActionWithdraw  = "withdraw"
	ActionTransfer  = "transfer"
	ActionAddBefore = "add_before"
	ActionAddAfter  = "add_after"
	ActionRemind    = "remind"
	ActionAssign    = "assign"   // tasks created for a node
	ActionSkip      = "skip"     // a node or approvers skipped automatically
	ActionFallback  = "fallback" // the fallback approvers took a node
	ActionEscalate  = "escalate" // a task waited too long
	ActionTimeout   = "timeout"  // the approver was reminded after the timeout
	ActionCC        = "cc"       // CC recipients informed
	ActionComplete  = "complete" // the instance was approved
)

// Approver says who approves: one of ApproverKinds with its options.
type Approver struct {
	Kind string `json:"kind" doc:"manager, department_head, role or users"`
	// Level: for manager, 1 = direct manager, 2 = his manager...; for
	// department_head, 0 = the department itself, 1 = the one above...
	Level int `json:"level,omitempty" required:"false"`
	// Field names a department field of the request (department_head):
	// the head of that department instead of the subject's.
	Field string `json:"field,omitempty" required:"false"`
	// Role is a role code (role): holders whose grant of the role covers
	// the subject's department (tenant-wide grants always do).
	Role string `json:"role,omitempty" required:"false"`
	// UserIDs are named accounts (users).
	UserIDs []ids.ID `json:"userIds,omitempty" required:"false"`
}

// Condition tests a field of the request: Op is one of =, !=, >, >=, <,
// <=, in, under (department in the subtree of one of the values).
type Condition struct {
	Field string `json:"field"`
	Op    string `json:"op" doc:"eq, ne, gt, ge, lt, le, in, under (also =, !=, ≠, >, >=, ≥, <, <=, ≤)"`
	Value any    `json:"value" doc:"a number, a YYYY-MM-DD date, a string, an id, or a list of them for in and under"`
}

// Node is one step of a flow.
type Node struct {
	Name      string     `json:"name"`
	Mode      string     `json:"mode" enum:"any,all" doc:"any: one approval settles the node (或签); all: every approver (会签)"`
	Approvers []Approver `json:"approvers" doc:"union of the resolved approvers"`
	// When, if set, must hold (every condition) or the node is skipped.
	When []Condition `json:"when,omitempty" required:"false"`
	// Fallback takes the node when its approvers resolve to nobody;
	// empty means the flow's fallback.
	Fallback []Approver `json:"fallback,omitempty" required:"false"`
	// TimeoutHours (0: none) after which OnTimeout happens to a task.
	TimeoutHours int    `json:"timeoutHours,omitempty" required:"false" minimum:"0" maximum:"720"`
	OnTimeout    string `json:"onTimeout,omitempty" required:"false" enum:"remind,escalate," doc:"remind (default) or escalate"`
	// EscalateTo approve in addition once a task times out; empty means
	// the waiting approver's manager, or else the fallback.
	EscalateTo []Approver `json:"escalateTo,omitempty" required:"false"`
}

// Branch is one route through a flow: the first branch whose conditions
// hold is taken; the last branch has none (the default).
type Branch struct {
	Name  string      `json:"name,omitempty" required:"false"`
	When  []Condition `json:"when,omitempty" required:"false"`
	Nodes []Node      `json:"nodes"`
}

// Definition is a flow's content.
type Definition struct {
	Branches []Branch `json:"branches"`
	// Fallback approvers take any node that resolves to nobody, and
	// decide when nobody but the applicant would have approved.
	Fallback []Approver `json:"fallback,omitempty" required:"false"`
	// CC are informed when the request is approved (抄送).
	CC []Approver `json:"cc,omitempty" required:"false"`
}

// Flow is one version of a request type's flow in a tenant.
type Flow struct {
	bun.BaseModel `bun:"table:approval_flows,alias:f"`

	TenantID    ids.ID     `bun:"tenant_id,pk" json:"-"`
	ID          ids.ID     `bun:"id,pk" json:"id"`
	RequestType string     `bun:"request_type" json:"requestType"`
	Version     int        `bun:"version" json:"version"`
	Name        string     `bun:"name" json:"name"`
	Definition  Definition `bun:"definition,type:text" json:"definition"`
	CreatedBy   ids.ID     `bun:"created_by" json:"createdBy"`
	CreatedAt   time.Time  `bun:"created_at" json:"createdAt"`

	// Default says the tenant has not saved a flow: this is the request
	// type's default (saved as version 1 at the first submission).
	Default bool `bun:"-" json:"default"`
}

// Instance is one request going through its flow.
type Instance struct {
	bun.BaseModel `bun:"table:approval_instances,alias:i"`

	TenantID    ids.ID `bun:"tenant_id,pk" json:"-"`
	ID          ids.ID `bun:"id,pk" json:"id"`
	RequestType string `bun:"request_type" json:"requestType"`
	FlowID      ids.ID `bun:"flow_id" json:"flowId"`
	FlowVersion int    `bun:"flow_version" json:"flowVersion"`
	// Title is a short, language-neutral summary the request type sets
	// (the subject's name, the target department...).
	Title           string `bun:"title" json:"title"`
	ApplicantUserID ids.ID `bun:"applicant_user_id" json:"applicantUserId"`
	ApplicantName   string `bun:"applicant_name" json:"applicantName"`
	// SubjectEmployeeID is whom the request is about (the applicant's own
	// record unless the type names another); approvers resolve from him.
	SubjectEmployeeID   ids.ID `bun:"subject_employee_id,nullzero" json:"subjectEmployeeId"`
	SubjectDepartmentID ids.ID `bun:"subject_department_id,nullzero" json:"subjectDepartmentId"`
	// ObjectID is the owning module's record (e.g. a bank request).
	ObjectID   string         `bun:"object_id" json:"objectId"`
	Fields     map[string]any `bun:"fields,type:text" json:"fields"`
	State      string         `bun:"state" json:"state"`
	Round      int            `bun:"round" json:"round"`
	Branch     int            `bun:"branch" json:"branch"`
	NodeIndex  int            `bun:"node_index" json:"nodeIndex"`
	NodeName   string         `bun:"node_name" json:"nodeName"`
	RequestKey string         `bun:"request_key,nullzero" json:"-"`
	RemindedAt *time.Time     `bun:"reminded_at" json:"remindedAt"`
	// SubmittedAt is the first submission; UpdatedAt the last change.
	SubmittedAt time.Time  `bun:"submitted_at" json:"submittedAt"`
	FinishedAt  *time.Time `bun:"finished_at" json:"finishedAt"`
	UpdatedAt   time.Time  `bun:"updated_at" json:"updatedAt"`
	Version     int        `bun:"version" json:"version"`

	// Decision is set by the engine before it calls the request type:
	// who decided, when, with which comment.
	Decision *Decision `bun:"-" json:"-"`
}

// Decision is the action that ended a round.
type Decision struct {
	ActorUserID ids.ID
	ActorName   string
	Comment     string
	At          time.Time
}

// Finished reports whether nothing more can happen to the instance.
func (i *Instance) Finished() bool { return i.State == StateApproved || i.State == StateWithdrawn }

// Task is one approver's part in one node of one round.
type Task struct {
	bun.BaseModel `bun:"table:approval_tasks,alias:t"`

	TenantID   ids.ID `bun:"tenant_id,pk" json:"-"`
	ID         ids.ID `bun:"id,pk" json:"id"`
	InstanceID ids.ID `bun:"instance_id" json:"instanceId"`
	Round      int    `bun:"round" json:"round"`
	NodeIndex  int    `bun:"node_index" json:"nodeIndex"`
	NodeName   string `bun:"node_name" json:"nodeName"`
	// Slot groups alternatives: one approval in a slot settles it (an
	// any-one node is one slot; an all node has one per approver; a
	// transfer or an escalation joins the slot of the task it replaces).
	Slot     ids.ID `bun:"slot" json:"-"`
	ParentID ids.ID `bun:"parent_id,nullzero" json:"parentId,omitempty"`
	Origin   string `bun:"origin" json:"origin"`
	// ApproverUserID acts; OnBehalfOf is whom the flow named when the
	// task went to his delegate.
	ApproverUserID ids.ID     `bun:"approver_user_id" json:"approverUserId"`
	ApproverName   string     `bun:"approver_name" json:"approverName"`
	OnBehalfOf     ids.ID     `bun:"on_behalf_of,nullzero" json:"onBehalfOf,omitempty"`
	State          string     `bun:"state" json:"state"`
	Comment        string     `bun:"comment" json:"comment"`
	DueAt          *time.Time `bun:"due_at" json:"dueAt,omitempty"`
	Escalated      bool       `bun:"escalated" json:"escalated"`
	CreatedAt      time.Time  `bun:"created_at" json:"createdAt"`
	ActedAt        *time.Time `bun:"acted_at" json:"actedAt,omitempty"`

	// OnBehalfOfName names OnBehalfOf in the detail view.
	OnBehalfOfName string `bun:"-" json:"onBehalfOfName,omitempty"`
}

// Open reports whether the task still waits for its approver.
func (t *Task) Open() bool { return t.State == TaskPending || t.State == TaskWaiting }

// Event is one line of an instance's timeline.
type Event struct {
	bun.BaseModel `bun:"table:approval_events,alias:ev"`

	TenantID    ids.ID         `bun:"tenant_id,pk" json:"-"`
	ID          ids.ID         `bun:"id,pk" json:"id"`
	InstanceID  ids.ID         `bun:"instance_id" json:"-"`
	Round       int            `bun:"round" json:"round"`
	At          time.Time      `bun:"at" json:"at"`
	ActorUserID ids.ID         `bun:"actor_user_id" json:"actorUserId"`
	ActorName   string         `bun:"actor_name" json:"actorName"`
	Action      string         `bun:"action" json:"action"`
	Comment     string         `bun:"comment" json:"comment"`
	Detail      map[string]any `bun:"detail,type:text" json:"detail"`
	RequestKey  string         `bun:"request_key,nullzero" json:"-"`
}

// CC is a recipient informed of an instance's outcome.
type CC struct {
	bun.BaseModel `bun:"table:approval_ccs,alias:cc"`

	TenantID   ids.ID    `bun:"tenant_id,pk"`
	UserID     ids.ID    `bun:"user_id,pk"`
	InstanceID ids.ID    `bun:"instance_id,pk"`
	CreatedAt  time.Time `bun:"created_at"`
}

// Delegation hands a user's new tasks to another user over a date range
// (the tenant's days, both included), for one request type or all.
type Delegation struct {
	bun.BaseModel `bun:"table:approval_delegations,alias:dl"`

	TenantID       ids.ID     `bun:"tenant_id,pk" json:"-"`
	ID             ids.ID     `bun:"id,pk" json:"id"`
	UserID         ids.ID     `bun:"user_id" json:"userId"`
	DelegateUserID ids.ID     `bun:"delegate_user_id" json:"delegateUserId"`
	RequestType    string     `bun:"request_type" json:"requestType"`
	StartDate      civil.Date `bun:"start_date" json:"startDate"`
	EndDate        civil.Date `bun:"end_date" json:"endDate"`
	Note           string     `bun:"note" json:"note"`
	CreatedAt      time.Time  `bun:"created_at" json:"createdAt"`

	DelegateName string `bun:"-" json:"delegateName"`
}

// Covers reports whether the delegation applies to a request type on day.
func (d *Delegation) Covers(requestType string, day civil.Date) bool {
	return (d.RequestType == "" || d.RequestType == requestType) && !day.Before(d.StartDate) && !day.After(d.EndDate)
}

// Notifier sends notifications. The notify module's Send joins the
// caller's transaction and is idempotent by Key; a no-op is installed
// until one is set.
type Notifier interface {
	Notify(ctx context.Context, m Message) error
}

// Message is one notification.
type Message struct {
	Recipients []ids.ID       // user ids
	Template   string         // e.g. "approval.task_assigned"
	Params     map[string]any // template parameters
	Link       string         // where the UI shows the object
	ObjectType string
	ObjectID   string
	Key        string // delivered once per key
}

// Notification templates this module sends.
const (
	TemplateAssigned  = "approval.task_assigned"   // to approvers: a task waits for you
	TemplateApproved  = "approval.approved"        // to the applicant
	TemplateRejected  = "approval.rejected"        // to the applicant
	TemplateCC        = "approval.cc"              // to CC recipients on approval
	TemplateRemind    = "approval.remind"          // 催办, to the current approvers
	TemplateTimeout   = "approval.timeout"         // to an approver past the node's timeout
	TemplateEscalated = "approval.escalated"       // to escalation approvers
	TemplateWaiting   = "approval.waiting"         // reminder: a task waits over 24 hours
	TemplateWithdrawn = "approval.withdrawn"       // to the approvers of a withdrawn request
	TemplateReturned  = "approval.task_reassigned" // an added approver acted: your task is back
)

// Templates lists the notification templates (the notify module shows
// their texts, registered as i18n keys "<template>.title" and ".body").
var Templates = []string{TemplateAssigned, TemplateApproved, TemplateRejected, TemplateCC, TemplateRemind,
	TemplateTimeout, TemplateEscalated, TemplateWaiting, TemplateWithdrawn, TemplateReturned}

type nopNotifier struct{}

func (nopNotifier) Notify(context.Context, Message) error { return nil }

// Link is where the UI shows an instance.
func Link(id ids.ID) string { return "/approvals/" + id.String() }

// Instants read back show in UTC whichever driver read them (SQLite
// keeps the offset it was given; PostgreSQL the session's zone).
func utc(ts ...*time.Time) {
	for _, t := range ts {
		if !t.IsZero() {
			*t = t.UTC()
		}
	}
}

func utcPtr(ts ...*time.Time) {
	for _, t := range ts {
		if t != nil {
			*t = t.UTC()
		}
	}
}

var (
	_ bun.AfterScanRowHook = (*Instance)(nil)
	_ bun.AfterScanRowHook = (*Task)(nil)
	_ bun.AfterScanRowHook = (*Event)(nil)
)

// AfterScanRow shows instants in UTC.
func (i *Instance) AfterScanRow(context.Context) error {
	utc(&i.SubmittedAt, &i.UpdatedAt)
	utcPtr(i.RemindedAt, i.FinishedAt)
	return nil
}

// AfterScanRow shows instants in UTC.
func (t *Task) AfterScanRow(context.Context) error {
	utc(&t.CreatedAt)
	utcPtr(t.DueAt, t.ActedAt)
	return nil
}

// AfterScanRow shows instants in UTC.
func (e *Event) AfterScanRow(context.Context) error {
	utc(&e.At)
	return nil
}
