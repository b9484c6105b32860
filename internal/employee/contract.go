package employee

import (
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Contract kinds (劳动合同法 art. 12).
const (
	FixedTerm = "fixed_term" // 固定期限
	OpenEnded = "open_ended" // 无固定期限
	TaskBased = "task_based" // 以完成一定工作任务为期限
)

// Contract statuses. Stored: active or terminated; shown: upcoming and
// expired are derived from the dates.
const (
	ContractUpcoming   = "upcoming"
	ContractActive     = "active"
	ContractExpired    = "expired"
	ContractTerminated = "terminated"
)

// Agreement kinds.
const (
	Confidentiality = "confidentiality" // 保密协议
	NonCompete      = "non_compete"     // 竞业限制协议
)

var (
	ContractKinds    = []string{FixedTerm, OpenEnded, TaskBased}
	ContractStatuses = []string{ContractUpcoming, ContractActive, ContractExpired, ContractTerminated}
	AgreementKinds   = []string{Confidentiality, NonCompete}
)

// MaxProbationMonths is the longest probation for any contract.
const MaxProbationMonths = 6

// Contract is a labour contract.
type Contract struct {
	bun.BaseModel `bun:"table:employee_contracts,alias:c"`

	TenantID        ids.ID     `bun:"tenant_id,pk" json:"-"`
	ID              ids.ID     `bun:"id,pk" json:"id"`
	EmployeeID      ids.ID     `bun:"employee_id" json:"employeeId"`
	Kind            string     `bun:"kind" json:"kind"`
	Number          string     `bun:"number" json:"number"`
	StartDate       civil.Date `bun:"start_date" json:"startDate"`
	EndDate         civil.Date `bun:"end_date" json:"endDate"`
	SigningEntityID ids.ID     `bun:"signing_entity_id,nullzero" json:"signingEntityId"`
	// Sequence counts the employee's contracts in start order (1, 2, 3…).
	Sequence  int       `bun:"sequence" json:"sequence"`
	Status    string    `bun:"status" json:"status"`
	Note      string    `bun:"note" json:"note"`
	Version   int       `bun:"version" json:"version"`
	CreatedAt time.Time `bun:"created_at" json:"createdAt" audit:"-"`
	UpdatedAt time.Time `bun:"updated_at" json:"updatedAt" audit:"-"`

	// Filled for display.
	SigningEntityName string `bun:"-" json:"signingEntityName,omitempty" audit:"-"`
}

// StatusOn is the contract's status as shown on day.
func (c *Contract) StatusOn(day civil.Date) string {
	switch {
	case c.Status == ContractTerminated:
		return ContractTerminated
	case c.StartDate.After(day):
		return ContractUpcoming
	case !c.EndDate.IsZero() && c.EndDate.Before(day):
		return ContractExpired
	}
	return ContractActive
}

// NewContract describes a contract to record.
type NewContract struct {
	Kind            string
	Number          string
	StartDate       civil.Date
	EndDate         civil.Date
	SigningEntityID ids.ID // default: the employee's legal entity
	Note            string
}

// Validate checks the contract's own fields; prefix names them inside a
// larger form ("contract.").
func (n *NewContract) Validate(prefix string) error {
	var f errs.Fields
	n.check(&f, prefix)
	return f.Err()
}

func (n *NewContract) check(f *errs.Fields, prefix string) {
	if n.Kind == "" {
		n.Kind = FixedTerm
	}
	f.Check(slices.Contains(ContractKinds, n.Kind), prefix+"kind", "invalid_choice")
	text(f, prefix+"number", &n.Number, 50, false)
	text(f, prefix+"note", &n.Note, 500, false)
	switch {
	case n.StartDate.IsZero():
		f.Add(prefix+"startDate", "required")
	case !n.StartDate.Valid():
		f.Add(prefix+"startDate", "invalid_date")
	}
	switch {
	case n.Kind == FixedTerm && n.EndDate.IsZero():
		f.Add(prefix+"endDate", "employee.end_required")
	case n.Kind == OpenEnded && !n.EndDate.IsZero():
		f.Add(prefix+"endDate", "employee.open_ended_no_end")
	case !n.EndDate.IsZero() && !n.StartDate.IsZero() && n.EndDate.Before(n.StartDate):
		f.Add(prefix+"endDate", "employee.end_before_start")
	}
}

// ContractUpdate changes a contract; nil keeps a value.
type ContractUpdate struct {
	Number          *string
	StartDate       *civil.Date
	EndDate         *civil.Date
	SigningEntityID *ids.ID
	Note            *string
	// Status may only become "terminated" (ended early), or "active" to
	// undo that.
	Status  *string
	Version int
}

// Apply validates the update and applies it to c.
func (u *ContractUpdate) Apply(c *Contract) error {
	n := NewContract{Kind: c.Kind, Number: c.Number, StartDate: c.StartDate, EndDate: c.EndDate, SigningEntityID: c.SigningEntityID, Note: c.Note}
	if u.Number != nil {
		n.Number = *u.Number
	}
	if u.StartDate != nil {
		n.StartDate = *u.StartDate
	}
	if u.EndDate != nil {
		n.EndDate = *u.EndDate
	}
	if u.SigningEntityID != nil {
		n.SigningEntityID = *u.SigningEntityID
	}
	if u.Note != nil {
		n.Note = *u.Note
	}
	var f errs.Fields
	n.check(&f, "")
	if u.Status != nil {
		f.Check(*u.Status == ContractActive || *u.Status == ContractTerminated, "status", "invalid_choice")
		c.Status = *u.Status
	}
	c.Number, c.StartDate, c.EndDate, c.SigningEntityID, c.Note = n.Number, n.StartDate, n.EndDate, n.SigningEntityID, n.Note
	return f.Err()
}

// ProbationLimit is the longest probation the law allows for a contract
// (Labour Contract Law art. 19): none under three months or for a
// task-based contract; one month under a year; two under three years;
// six for three years or more and for open-ended contracts.
func ProbationLimit(kind string, start, end civil.Date) int {
	switch kind {
	case TaskBased:
		return 0
	case OpenEnded:
		return MaxProbationMonths
	}
	if start.IsZero() || end.IsZero() {
		return MaxProbationMonths
	}
	after := end.AddDays(1) // the term runs to the end of the end date
	switch {
	case after.Before(start.AddMonths(3)):
		return 0
	case after.Before(start.AddYears(1)):
		return 1
	case after.Before(start.AddYears(3)):
		return 2
	}
	return MaxProbationMonths
}

// ProbationEnd is the last day of a probation of months starting on hire.
func ProbationEnd(hire civil.Date, months int) civil.Date {
	if months <= 0 || hire.IsZero() {
		return civil.Date{}
	}
	return hire.AddMonths(months).AddDays(-1)
}

// OpenEndedEligible reports whether the employee may ask for an
// open-ended contract at the next renewal (Labour Contract Law art. 14
// (3)): the latest two contracts, in order, are fixed-term ones (and not
// ended early), and no open-ended contract follows them. Fault-based
// exceptions (art. 39, 40 (1)(2)) are for HR to judge.
func OpenEndedEligible(contracts []Contract) bool {
	n := 0
	for i := len(contracts) - 1; i >= 0; i-- {
		c := contracts[i]
		if c.Kind != FixedTerm || c.Status == ContractTerminated {
			break
		}
		n++
	}
	return n >= 2
}

// Agreement is a confidentiality or non-compete agreement.
type Agreement struct {
	bun.BaseModel `bun:"table:employee_agreements,alias:g"`

	TenantID     ids.ID     `bun:"tenant_id,pk" json:"-"`
	ID           ids.ID     `bun:"id,pk" json:"id"`
	EmployeeID   ids.ID     `bun:"employee_id" json:"employeeId"`
	Kind         string     `bun:"kind" json:"kind"`
	StartDate    civil.Date `bun:"start_date" json:"startDate"`
	EndDate      civil.Date `bun:"end_date" json:"endDate"`
	Compensation string     `bun:"compensation" json:"compensation"`
	Note         string     `bun:"note" json:"note"`
	CreatedAt    time.Time  `bun:"created_at" json:"createdAt" audit:"-"`
}

// NewAgreement describes an agreement to record.
type NewAgreement struct {
	Kind         string
	StartDate    civil.Date
	EndDate      civil.Date
	Compensation string
	Note         string
}

// MaxNonCompeteYears bounds a non-compete (Labour Contract Law art. 24).
const MaxNonCompeteYears = 2

// Validate checks the agreement.
func (n *NewAgreement) Validate() error {
	var f errs.Fields
	f.Check(slices.Contains(AgreementKinds, n.Kind), "kind", "invalid_choice")
	text(&f, "compensation", &n.Compensation, 200, false)
	text(&f, "note", &n.Note, 500, false)
	if n.StartDate.IsZero() {
		f.Add("startDate", "required")
	}
	switch {
	case n.Kind == NonCompete && n.EndDate.IsZero():
		f.Add("endDate", "employee.end_required")
	case !n.EndDate.IsZero() && !n.StartDate.IsZero() && n.EndDate.Before(n.StartDate):
		f.Add("endDate", "employee.end_before_start")
	case n.Kind == NonCompete && !n.StartDate.IsZero() && !n.EndDate.Before(n.StartDate.AddYears(MaxNonCompeteYears)):
		f.Add("endDate", "employee.non_compete_too_long", errs.Params{"years": MaxNonCompeteYears})
	}
	return f.Err()
}
