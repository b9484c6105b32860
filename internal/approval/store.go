package approval

import (
	"context"
	"time"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Directory is what the engine needs to know about people and the
// organisation, today. internal/app implements it with the org, employee
// and account services. It is called with the caller's context (tenant
// and transaction); implementations read as the system.
type Directory interface {
	// Person returns an employee's department, direct manager and name;
	// NotFound when there is no such employee.
	Person(ctx context.Context, employeeID ids.ID) (*Person, error)
	// Department returns a department with its parent and head; NotFound
	// when it does not exist today.
	Department(ctx context.Context, id ids.ID) (*Department, error)
	// Subtree returns the roots and every department below them.
	Subtree(ctx context.Context, roots []ids.ID) ([]ids.ID, error)
	// UserOfEmployee returns the account linked to an employee (0: none).
	UserOfEmployee(ctx context.Context, employeeID ids.ID) (ids.ID, error)
	// EmployeeOfUser returns the employee linked to an account (0: none).
	EmployeeOfUser(ctx context.Context, userID ids.ID) (ids.ID, error)
	// Users describes the accounts among ids that exist.
	Users(ctx context.Context, userIDs []ids.ID) (map[ids.ID]User, error)
	// RoleHolders lists the active accounts holding the role (by code);
	// with department set, only those whose grant of the role covers it.
	RoleHolders(ctx context.Context, role string, department ids.ID) ([]ids.ID, error)
	// RoleExists reports whether the tenant has the role.
	RoleExists(ctx context.Context, role string) (bool, error)
}

// Person is an employee as the engine sees him today.
type Person struct {
	EmployeeID   ids.ID
	Name         string
	DepartmentID ids.ID
	ManagerID    ids.ID
	Active       bool // works here today
}

// Department is a department today.
type Department struct {
	ID             ids.ID
	Name           string
	ParentID       ids.ID
	HeadEmployeeID ids.ID
	Active         bool
}

// User is an account.
type User struct {
	ID     ids.ID `json:"id"`
	Name   string `json:"name"`
	Active bool   `json:"active"`
}

// Store persists the module's data of the principal's tenant.
type Store interface {
	CurrentFlow(ctx context.Context, requestType string) (*Flow, error)
	Flow(ctx context.Context, id ids.ID) (*Flow, error)
	FlowVersions(ctx context.Context, requestType string) ([]Flow, error)
	// CurrentFlows returns the latest version of every saved flow.
	CurrentFlows(ctx context.Context) ([]Flow, error)
	// InsertFlow adds a version; a version already taken is a Conflict.
	InsertFlow(ctx context.Context, f *Flow) error

	InsertInstance(ctx context.Context, in *Instance) error
	Instance(ctx context.Context, id ids.ID) (*Instance, error)
	// LockInstance reads an instance for change: a row lock on
	// PostgreSQL (SQLite's single writer serialises anyway), so two
	// approvers acting at once take turns and the second sees the first.
	LockInstance(ctx context.Context, id ids.ID) (*Instance, error)
	// UpdateInstance saves in if the stored version is in.Version-1.
	UpdateInstance(ctx context.Context, in *Instance) error
	InstanceByKey(ctx context.Context, applicant ids.ID, key string) (*Instance, error)
	// InstanceForObject finds the latest instance of a type about a
	// module's record.
	InstanceForObject(ctx context.Context, requestType, objectID string) (*Instance, error)

	Tasks(ctx context.Context, instanceID ids.ID) ([]Task, error)
	InsertTasks(ctx context.Context, tasks []Task) error
	// UpdateTask saves a task's state if it is still in state from.
	UpdateTask(ctx context.Context, t *Task, from string) error

	InsertEvents(ctx context.Context, evs []Event) error
	Events(ctx context.Context, instanceID ids.ID) ([]Event, error)
	EventByKey(ctx context.Context, actor ids.ID, key string) (*Event, error)
	InsertCCs(ctx context.Context, ccs []CC) error
	// Involved reports whether a user has a task on the instance or is CC'd.
	Involved(ctx context.Context, instanceID, userID ids.ID) (bool, error)

	// Mine lists one page of a user's tab (Counts has the unfiltered
	// totals; CountMine counts a filtered tab).
	Mine(ctx context.Context, userID ids.ID, f MineFilter) ([]Item, error)
	CountMine(ctx context.Context, userID ids.ID, f MineFilter) (int, error)
	// Counts counts a user's four tabs.
	Counts(ctx context.Context, userID ids.ID) (Counts, error)
	// List lists instances for HR; scope narrows by the subject's department.
	List(ctx context.Context, f ListFilter, scope rbac.Scope) ([]Instance, int, error)

	Delegations(ctx context.Context, userID ids.ID) ([]Delegation, error)
	// ActiveDelegations lists the delegations covering day (any user).
	ActiveDelegations(ctx context.Context, day civil.Date) ([]Delegation, error)
	// DelegationsOverlapping lists every delegation whose range overlaps.
	DelegationsOverlapping(ctx context.Context, from, to civil.Date) ([]Delegation, error)
	Delegation(ctx context.Context, id ids.ID) (*Delegation, error)
	InsertDelegation(ctx context.Context, d *Delegation) error
	DeleteDelegation(ctx context.Context, id ids.ID) error

	// DueTenants lists tenants (any) with pending tasks due by now.
	DueTenants(ctx context.Context, now time.Time) ([]ids.ID, error)
	// DueTasks lists the tenant's pending tasks due by now.
	DueTasks(ctx context.Context, now time.Time, limit int) ([]Task, error)
	// Waiting streams the tenant's pending tasks created before a time.
	Waiting(ctx context.Context, before time.Time, fn func(Waiting) error) error
}

// Tabs of "my approvals".
const (
	TabTodo      = "todo"
	TabDone      = "done"
	TabSubmitted = "submitted"
	TabCC        = "cc"
)

// Tabs lists the tabs.
var Tabs = []string{TabTodo, TabDone, TabSubmitted, TabCC}

// Item is one row of "my approvals": an instance, and the caller's task
// on the to-do and done tabs.
type Item struct {
	Instance
	TaskID        ids.ID     `bun:"task_id" json:"taskId,omitempty"`
	TaskState     string     `bun:"task_state" json:"taskState,omitempty"`
	TaskNode      string     `bun:"task_node" json:"taskNode,omitempty"`
	TaskCreatedAt *time.Time `bun:"task_created_at" json:"taskCreatedAt,omitempty"`
	TaskActedAt   *time.Time `bun:"task_acted_at" json:"taskActedAt,omitempty"`
	OnBehalfOf    ids.ID     `bun:"on_behalf_of" json:"onBehalfOf,omitempty"`
}

// MineFilter chooses a tab of "my approvals" and narrows it.
type MineFilter struct {
	Tab         string
	RequestType string
	State       string    // the instance's state
	Query       string    // title or applicant name contains
	From, To    time.Time // submitted at or after From, before To (zero: open)
	Page, Size  int
}

// Filtered reports whether anything narrows the tab.
func (f MineFilter) Filtered() bool {
	return f.RequestType != "" || f.State != "" || f.Query != "" || !f.From.IsZero() || !f.To.IsZero()
}

// Counts are the sizes of the four tabs.
type Counts struct {
	Todo      int `json:"todo"`
	Done      int `json:"done"`
	Submitted int `json:"submitted"`
	CC        int `json:"cc"`
}

// ListFilter narrows the HR list of instances.
type ListFilter struct {
	State       string
	RequestType string
	Applicant   ids.ID
	Subject     ids.ID
	Query       string    // title or applicant name contains
	From, To    time.Time // submitted at or after From, before To (zero: open)
	Page, Size  int
}

// Waiting is a pending task for the reminder of approvals waiting long.
type Waiting struct {
	TenantID       ids.ID    `bun:"tenant_id"`
	TaskID         ids.ID    `bun:"id"`
	InstanceID     ids.ID    `bun:"instance_id"`
	ApproverUserID ids.ID    `bun:"approver_user_id"`
	NodeName       string    `bun:"node_name"`
	CreatedAt      time.Time `bun:"created_at"`
	RequestType    string    `bun:"request_type"`
	Title          string    `bun:"title"`
	ApplicantName  string    `bun:"applicant_name"`
}
