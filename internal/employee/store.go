package employee

import (
	"context"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Store persists the module's data of the principal's tenant.
type Store interface {
	InsertEmployee(ctx context.Context, e *Employee) error
	// UpdateEmployee saves the profile and job columns if the stored
	// version is e.Version-1.
	UpdateEmployee(ctx context.Context, e *Employee) error
	// SaveJob saves only the job columns (the job valid today), without
	// touching the version: they are derived from the assignments.
	SaveJob(ctx context.Context, e *Employee) error
	Employee(ctx context.Context, id ids.ID) (*Employee, error)
	// LockEmployee reads an employee for change (row lock on PostgreSQL).
	LockEmployee(ctx context.Context, id ids.ID) (*Employee, error)
	EmployeeByNo(ctx context.Context, no string) (*Employee, error)
	EmployeeByIDHash(ctx context.Context, hash string) (*Employee, error)
	// Brief returns id, number, name, status and department of employees.
	Brief(ctx context.Context, ids []ids.ID) ([]Employee, error)
	// DueForChange lists employees whose next scheduled assignment starts
	// on or before day.
	DueForChange(ctx context.Context, day civil.Date) ([]ids.ID, error)
	// List returns a page of the filter and the total (capped: see
	// ListResult).
	List(ctx context.Context, f *Filter) (*ListResult, error)
	// Each streams every match of the filter, in pages.
	Each(ctx context.Context, f *Filter, fn func(*Employee) error) error
	// Staffed counts active employees per department on day; current
	// says day is today (the employee rows hold today's job).
	Staffed(ctx context.Context, deptIDs []ids.ID, day civil.Date, current bool) (map[ids.ID]int, error)
	// DepartmentOf returns an employee's department and status on day in
	// a tenant given explicitly (principal resolution).
	DepartmentOf(ctx context.Context, tenantID, employeeID ids.ID, day civil.Date) (ids.ID, string, error)
	// ManagerOn returns who manages the employees on day.
	ManagerOn(ctx context.Context, employeeIDs []ids.ID, day civil.Date) (map[ids.ID]ids.ID, error)

	Assignments(ctx context.Context, employeeID ids.ID) ([]Assignment, error)
	InsertAssignment(ctx context.Context, a *Assignment) error
	UpdateAssignment(ctx context.Context, a *Assignment) error
	DeleteAssignment(ctx context.Context, id ids.ID) error
	// ChangeDates lists the distinct start dates after day of the
	// employees' assignments (manager-loop checks on scheduled changes).
	ChangeDates(ctx context.Context, employeeIDs []ids.ID, after civil.Date) ([]civil.Date, error)

	// NumberRule returns the tenant's rule (the default when none saved).
	NumberRule(ctx context.Context) (*NumberRule, error)
	// TakeNumbers reserves n consecutive sequence values and returns the
	// rule and the first value.
	TakeNumbers(ctx context.Context, n int) (*NumberRule, int64, error)
	SaveNumberRule(ctx context.Context, r *NumberRule) error
	Settings(ctx context.Context) (*Settings, error)
	SaveSettings(ctx context.Context, s *Settings) error

	// ReplaceTokens changes an employee's search tokens (encoded) from
	// old to new.
	ReplaceTokens(ctx context.Context, employeeID ids.ID, old, new []string) error
	// ReplaceCustomValues sets an employee's filterable custom values.
	ReplaceCustomValues(ctx context.Context, employeeID ids.ID, values []CustomValue) error
	// DeleteCustomValues removes every value of a field (field deleted).
	DeleteCustomValues(ctx context.Context, code string) error

	Contracts(ctx context.Context, employeeID ids.ID) ([]Contract, error)
	// ContractsEnding lists the tenant's contracts whose end date falls
	// between from and to, inclusive (the reminders' daily read).
	ContractsEnding(ctx context.Context, from, to civil.Date) ([]Contract, error)
	Contract(ctx context.Context, id ids.ID) (*Contract, error)
	InsertContract(ctx context.Context, c *Contract) error
	// UpdateContract saves c if the stored version is c.Version-1.
	UpdateContract(ctx context.Context, c *Contract) error
	// SetSequences stores the sequence numbers of contracts.
	SetSequences(ctx context.Context, seq map[ids.ID]int) error

	Agreements(ctx context.Context, employeeID ids.ID) ([]Agreement, error)
	InsertAgreement(ctx context.Context, a *Agreement) error

	Documents(ctx context.Context, employeeID ids.ID) ([]Document, error)
	Document(ctx context.Context, id ids.ID) (*Document, error)
	InsertDocument(ctx context.Context, d *Document) error

	Fields(ctx context.Context) ([]Field, error)
	Field(ctx context.Context, id ids.ID) (*Field, error)
	InsertField(ctx context.Context, f *Field) error
	UpdateField(ctx context.Context, f *Field) error
	DeleteField(ctx context.Context, id ids.ID) error

	Views(ctx context.Context, userID ids.ID) ([]View, error)
	View(ctx context.Context, id ids.ID) (*View, error)
	InsertView(ctx context.Context, v *View) error
	UpdateView(ctx context.Context, v *View) error
	DeleteView(ctx context.Context, id ids.ID) error

	BankRequests(ctx context.Context, f BankRequestFilter) ([]BankRequest, int, error)
	BankRequest(ctx context.Context, id ids.ID) (*BankRequest, error)
	InsertBankRequest(ctx context.Context, b *BankRequest) error
	// UpdateBankRequest saves a review if the request is still pending.
	UpdateBankRequest(ctx context.Context, b *BankRequest) error

	// BulkInsert writes many new employees with their history, contracts,
	// tokens and custom values in multi-row statements.
	BulkInsert(ctx context.Context, b *Bulk) error

	// Batch reads and writes of spreadsheet imports (one query per chunk
	// of rows, not one per row).

	// EmployeesByNos returns the employees holding any of the numbers.
	EmployeesByNos(ctx context.Context, nos []string) ([]Employee, error)
	// EmployeesByIDHashes returns the employees whose ID number has one
	// of the blind indexes.
	EmployeesByIDHashes(ctx context.Context, hashes []string) ([]Employee, error)
	// EmployeesByNames returns id, number, name, status, department and
	// hire date of the employees with any of the names.
	EmployeesByNames(ctx context.Context, names []string) ([]Employee, error)
	// EmployeesByIDs returns the employees with the ids.
	EmployeesByIDs(ctx context.Context, ids []ids.ID) ([]Employee, error)
	// AssignmentsOf lists the job rows of the employees, by employee and
	// start day.
	AssignmentsOf(ctx context.Context, employeeIDs []ids.ID) ([]Assignment, error)
	// ContractsOf lists the contracts of the employees, by employee and
	// start day.
	ContractsOf(ctx context.Context, employeeIDs []ids.ID) ([]Contract, error)
	// SetManager names the manager on every job row and the employee row
	// of the employees (new hires of an import naming a manager found
	// further down the file).
	SetManager(ctx context.Context, managerID ids.ID, employeeIDs []ids.ID) error
	// Referenced counts, per employee, what refers to him besides his own
	// job rows and contracts: documents, agreements, bank-account
	// requests, and job rows of employees outside the list that name him
	// as their manager, written after his record was.
	Referenced(ctx context.Context, employeeIDs []ids.ID) (map[ids.ID]int, error)
	// DeleteEmployees removes employees with their job rows, contracts,
	// custom values and the given search tokens (rolling back an import).
	DeleteEmployees(ctx context.Context, employeeIDs []ids.ID, tokens []Token) error
	// DeleteContract removes a contract.
	DeleteContract(ctx context.Context, id ids.ID) error
	// DepartmentsInUse returns those of the departments some job row
	// refers to.
	DepartmentsInUse(ctx context.Context, deptIDs []ids.ID) ([]ids.ID, error)
	// BulkInsertHeld is BulkInsert for a transaction that writes many
	// batches one after the other (an import's chunks): what the store
	// sets up for bulk writes is kept until the transaction commits.
	BulkInsertHeld(ctx context.Context, b *Bulk) error
}

// Filter narrows the roster. The service fills the unexported parts
// (search terms, scope) before the store sees it.
type Filter struct {
	Query           string
	DepartmentIDs   []ids.ID
	IncludeSub      bool // with the departments below DepartmentIDs
	Statuses        []string
	EmploymentTypes []string
	PositionID      ids.ID
	LocationID      ids.ID
	ManagerID       ids.ID
	HiredFrom       civil.Date
	HiredTo         civil.Date
	// On reads the job as of a day; zero (or today) reads today's.
	On     civil.Date
	Custom map[string]string // field code → value
	Sort   string            // a SortKeys entry, "-" prefix for descending
	Page   int
	Size   int

	// Set by the service.
	Terms        []string // search terms, each a token prefix
	IDNumberHash string   // exact ID number query
	Scope        rbac.Scope
	Self         ids.ID
	AsOf         bool // On differs from today: read assignments
	Excluded     bool // department filter expanded to nothing: no rows
}

// SortKeys are the list's sort columns.
var SortKeys = []string{"employeeNo", "name", "hireDate", "createdAt"}

// ListResult is one page and the number of matches. A search matching
// many people counts only up to a cap (TotalCapped), so every search
// costs a few index lookups however broad it is.
type ListResult struct {
	Rows        []Employee
	ManagerName map[ids.ID]string
	Total       int
	TotalCapped bool
}

// BankRequestFilter narrows the request list.
type BankRequestFilter struct {
	Status     string
	EmployeeID ids.ID
	Page, Size int
}

// Bulk is a batch of new employees for BulkInsert.
type Bulk struct {
	Employees    []Employee
	Assignments  []Assignment
	Contracts    []Contract
	Tokens       []Token
	CustomValues []CustomValue
}
