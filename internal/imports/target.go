// Package imports moves data in from spreadsheets: a file is uploaded,
// its columns mapped to a target's, checked in a dry run, committed as
// one batch, and rolled back while nothing later touched its records.
// Each module registers the targets it owns (employees, departments, job
// history, contracts; later attendance punches, leave balances, payroll
// year-to-date). See docs/modules/imports.md.
package imports

import (
	"context"
	"encoding/json"

	"github.com/renshi/renshi/internal/platform/clean"
)

// Column kinds: how a cell's text is cleaned before the target sees it.
const (
	KindText       = "text"
	KindDate       = "date"
	KindEnum       = "enum"
	KindMobile     = "mobile"
	KindEmail      = "email"
	KindIDNumber   = "idnumber"
	KindDepartment = "department" // a path such as 技术部/后端组, or a code
	KindEmployee   = "employee"   // an employee number, or a name when unique
	KindDecimal    = "decimal"
	KindBool       = "bool"
)

// Column is one field a target accepts.
type Column struct {
	Key       string         `json:"key"`   // "employeeNo", "department", "custom.skills"
	Label     string         `json:"label"` // i18n key, or the text of a custom field
	Aliases   []string       `json:"aliases,omitempty"`
	Required  bool           `json:"required"`
	Kind      string         `json:"kind"`
	Choices   []clean.Choice `json:"choices,omitempty"`
	Sensitive bool           `json:"sensitive,omitempty"`
	Max       int            `json:"max,omitempty"` // characters; 0: no limit of its own
	// Example is a value for the template's example row ("" takes one
	// by kind).
	Example string `json:"example,omitempty"`
}

// Row is one data row of the file with its cells by column key (the
// mapped columns only, as the cleaning left them: trimmed, full-width
// characters folded, dates as 2006-01-02, enumerations as codes, mobiles
// as 11 digits, decimals as plain numbers, booleans as true/false). A
// mapped column whose cell is empty is present with "".
type Row struct {
	Line   int               // the row's number in the sheet
	Values map[string]string // by column key
	// Errors are problems the engine found while cleaning (a date it
	// cannot read, a required cell left empty, text over Max): the row
	// fails whatever Check says, and cells that did not clean are left
	// out of Values.
	// Check still sees the row, so it can report its own problems and
	// keep run.State complete (a key seen, a manager defined).
	Errors []FieldError

	// typed are the cells typed otherwise than cleaned (or that did not
	// clean), for the error list; the others were typed as in Values.
	typed []typedCell
}

type typedCell struct{ key, text string }

// typedText is a cell as typed.
func (r *Row) typedText(key string) string {
	for _, c := range r.typed {
		if c.key == key {
			return c.text
		}
	}
	return r.Values[key]
}

// Actions a row results in.
const (
	ActionNew       = "new"
	ActionUpdate    = "update"
	ActionUnchanged = "unchanged"
	ActionFailed    = "failed"
)

// FieldError is a problem with one cell (or the row, with Column "").
type FieldError struct {
	Column string         `json:"column"` // column key
	Code   string         `json:"code"`   // i18n message key
	Params map[string]any `json:"params,omitempty"`
}

// Outcome is what a target makes of a row.
type Outcome struct {
	Action string
	Errors []FieldError
	// Data is the target's prepared value, handed back to Apply.
	Data any
}

// Change is a record an import wrote, with what it was before, so that
// a rollback can restore it.
type Change struct {
	ObjectType string          `json:"objectType"`
	ObjectID   string          `json:"objectId"`
	Action     string          `json:"action"` // new|update
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
	// Version is the record's version after the import: a rollback is
	// refused when it has moved on since.
	Version int `json:"version"`
}

// Run is one pass over a batch (the dry run, or the commit). Targets
// keep what later chunks must know in State: keys seen earlier in the
// file, departments to be created, employee numbers of new rows that
// later rows name as managers.
type Run struct {
	BatchID           string
	Key               string // the upsert key chosen, one of Target.Keys
	CreateDepartments bool
	DryRun            bool
	State             map[string]any
}

// Target is what rows become.
type Target interface {
	Name() string
	Label() string
	Columns(ctx context.Context) ([]Column, error)
	// Keys are the upsert keys the user may choose; the first is the
	// default.
	Keys() []string
	// Permission is needed to import into the target.
	Permission() string
	// Check validates a chunk of rows against the database and what
	// earlier chunks of the run saw, without writing.
	Check(ctx context.Context, run *Run, rows []Row) ([]Outcome, error)
	// Apply writes the rows that checked out, in the caller's
	// transaction, and returns what it changed. It is given only rows
	// whose outcome (from a Check in the same transaction, just before)
	// is new or update, with those outcomes. Before and After of a
	// Change must not hold sensitive values in clear (keep ciphertext).
	Apply(ctx context.Context, run *Run, rows []Row, outs []Outcome) ([]Change, error)
	// Rollback restores the previous values in the caller's transaction;
	// it refuses with errs.Conflict "imports.rollback_conflict" (params:
	// "records", the names or numbers of the records) when a later
	// change touched any of them.
	Rollback(ctx context.Context, changes []Change) error
}

// Finisher is a target that can judge some rows only once the whole file
// has been seen (a manager named by a row that never came, a reporting
// loop closed by a later row). The engine calls Finish after the last
// chunk of the dry run and of the commit, in the commit's transaction;
// it returns problems by line. Rows it names fail; in a commit they
// stop the whole import (nothing is written), whatever the mode, since
// the rows may already be applied.
type Finisher interface {
	Finish(ctx context.Context, run *Run) (map[int][]FieldError, error)
}
