package imports

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/jobs"
)

// Batch states.
const (
	StateUploaded   = "uploaded"    // the file is read; the mapping may be adjusted
	StateChecking   = "checking"    // the dry run is running
	StateChecked    = "checked"     // the dry run finished: counts and cell errors are known
	StateImporting  = "importing"   // the commit is running
	StateImported   = "imported"    // the commit finished; the batch may be rolled back
	StateFailed     = "failed"      // the dry run or the commit failed (Failure says why)
	StateCancelled  = "cancelled"   // a user stopped the dry run or the commit
	StateRolledBack = "rolled_back" // the commit's changes were undone
)

// States lists the states.
var States = []string{StateUploaded, StateChecking, StateChecked, StateImporting, StateImported, StateFailed, StateCancelled, StateRolledBack}

// Commit modes.
const (
	ModeAll   = "all"   // all or nothing: refused while any row fails
	ModeValid = "valid" // the rows that pass are imported, the others skipped
)

// Phases: which job a batch last ran.
const (
	PhaseCheck  = "check"
	PhaseCommit = "commit"
)

// Job kinds.
const (
	JobCheck  = "imports.check"
	JobCommit = "imports.commit"
)

// Mapping maps header texts of the file to column keys of the target;
// headers left out (or mapped to "") are ignored.
type Mapping map[string]string

// Counts are what a run made of the rows.
type Counts struct {
	New       int `json:"new"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Failed    int `json:"failed"`
}

func (c *Counts) add(action string) {
	switch action {
	case ActionNew:
		c.New++
	case ActionUpdate:
		c.Updated++
	case ActionUnchanged:
		c.Unchanged++
	default:
		c.Failed++
	}
}

// remove takes back one add of the action.
func (c *Counts) remove(action string) {
	switch action {
	case ActionNew:
		c.New--
	case ActionUpdate:
		c.Updated--
	case ActionUnchanged:
		c.Unchanged--
	default:
		c.Failed--
	}
}

// Batch is one uploaded file and what became of it.
type Batch struct {
	bun.BaseModel `bun:"table:imports_batches,alias:b"`

	TenantID          ids.ID         `bun:"tenant_id,pk" json:"-"`
	ID                ids.ID         `bun:"id,pk" json:"id"`
	Target            string         `bun:"target" json:"target"`
	FileID            ids.ID         `bun:"file_id" json:"fileId"`
	FileName          string         `bun:"file_name" json:"fileName"`
	FileSize          int64          `bun:"file_size" json:"fileSize"`
	Format            string         `bun:"format" json:"format"`     // xlsx | csv
	Encoding          string         `bun:"encoding" json:"encoding"` // of a CSV
	Sheets            []string       `bun:"sheets,type:text" json:"sheets"`
	Sheet             string         `bun:"sheet" json:"sheet"`
	HeaderLine        int            `bun:"header_line" json:"headerLine"`
	Header            []string       `bun:"header,type:text" json:"header"`
	Mapping           Mapping        `bun:"mapping,type:text" json:"mapping"`
	MappingName       string         `bun:"mapping_name" json:"mappingName"`
	Key               string         `bun:"upsert_key" json:"key"`
	Mode              string         `bun:"mode" json:"mode"`
	CreateDepartments bool           `bun:"create_departments" json:"createDepartments"`
	State             string         `bun:"state" json:"state"`
	Phase             string         `bun:"phase" json:"-"`
	Rows              int            `bun:"total_rows" json:"rows"`
	New               int            `bun:"count_new" json:"-"`
	Updated           int            `bun:"count_updated" json:"-"`
	Unchanged         int            `bun:"count_unchanged" json:"-"`
	Failed            int            `bun:"count_failed" json:"-"`
	ErrorCount        int            `bun:"error_count" json:"errorCount"`
	ChangeCount       int            `bun:"change_count" json:"changeCount"`
	Failure           string         `bun:"failure" json:"failure,omitempty"` // message key of why it failed
	FailureParams     map[string]any `bun:"failure_params,type:text" json:"failureParams,omitempty"`
	JobID             ids.ID         `bun:"job_id" json:"jobId"`
	CreatedBy         ids.ID         `bun:"created_by" json:"createdBy"`
	CreatedByName     string         `bun:"created_by_name" json:"createdByName"`
	CreatedAt         time.Time      `bun:"created_at" json:"createdAt"`
	UpdatedAt         time.Time      `bun:"updated_at" json:"updatedAt"`
	CheckedAt         *time.Time     `bun:"checked_at" json:"checkedAt,omitempty"`
	ImportedAt        *time.Time     `bun:"imported_at" json:"importedAt,omitempty"`
	RolledBackAt      *time.Time     `bun:"rolled_back_at" json:"rolledBackAt,omitempty"`
	Version           int            `bun:"version" json:"version"`
}

var _ bun.AfterScanRowHook = (*Batch)(nil)

// AfterScanRow shows every instant in UTC whichever driver read it.
func (b *Batch) AfterScanRow(context.Context) error {
	b.CreatedAt, b.UpdatedAt = b.CreatedAt.UTC(), b.UpdatedAt.UTC()
	for _, t := range []*time.Time{b.CheckedAt, b.ImportedAt, b.RolledBackAt} {
		if t != nil {
			*t = t.UTC()
		}
	}
	return nil
}

// Counts returns the batch's counts.
func (b *Batch) Counts() Counts {
	return Counts{New: b.New, Updated: b.Updated, Unchanged: b.Unchanged, Failed: b.Failed}
}

func (b *Batch) setCounts(c Counts) {
	b.New, b.Updated, b.Unchanged, b.Failed = c.New, c.Updated, c.Unchanged, c.Failed
}

// running reports whether a job of the batch is under way.
func (b *Batch) running() bool { return b.State == StateChecking || b.State == StateImporting }

// View is a batch as the API shows it: with counts, the job's progress
// and, after an upload or a change of sheet, the first rows.
type View struct {
	*Batch
	TargetLabel    string     `json:"targetLabel"`
	Counts         Counts     `json:"counts"`
	Unmapped       []string   `json:"unmapped"`
	Missing        []string   `json:"missing"` // required column keys no header is mapped to
	Sample         [][]string `json:"sample,omitempty"`
	Committed      bool       `json:"committed"` // the last job was the commit
	Progress       int        `json:"progress"`
	Message        string     `json:"message"`
	Job            *jobs.Job  `json:"job"`
	FailureMessage string     `json:"failureMessage,omitempty"`
	FinishedAt     *time.Time `json:"finishedAt,omitempty"`
}

// CellError is one problem with one cell of the file, as stored.
type CellError struct {
	bun.BaseModel `bun:"table:imports_errors,alias:e"`

	TenantID ids.ID         `bun:"tenant_id,pk" json:"-"`
	BatchID  ids.ID         `bun:"batch_id,pk" json:"-"`
	Seq      int            `bun:"seq,pk" json:"-"`
	Line     int            `bun:"line" json:"line"`
	Index    int            `bun:"col_index" json:"index"` // 0-based column of the file; -1 for the row
	Column   string         `bun:"column_key" json:"column"`
	Header   string         `bun:"header" json:"header"`
	Value    string         `bun:"cell_value" json:"value"` // masked for sensitive columns
	Code     string         `bun:"code" json:"code"`
	Params   map[string]any `bun:"params,type:text" json:"params,omitempty"`
	Message  string         `bun:"-" json:"message"`
}

// ChangeRecord is a Change as stored, in the order the commit made it.
type ChangeRecord struct {
	bun.BaseModel `bun:"table:imports_changes,alias:c"`

	TenantID   ids.ID `bun:"tenant_id,pk"`
	BatchID    ids.ID `bun:"batch_id,pk"`
	Seq        int    `bun:"seq,pk"`
	ObjectType string `bun:"object_type"`
	ObjectID   string `bun:"object_id"`
	Action     string `bun:"action"`
	Before     string `bun:"before_json"`
	After      string `bun:"after_json"`
	Version    int    `bun:"version"`
}

func (c *ChangeRecord) change() Change {
	out := Change{ObjectType: c.ObjectType, ObjectID: c.ObjectID, Action: c.Action, Version: c.Version}
	if c.Before != "" {
		out.Before = json.RawMessage(c.Before)
	}
	if c.After != "" {
		out.After = json.RawMessage(c.After)
	}
	return out
}

// SavedMapping is a named mapping of a target: saved by a tenant, or
// predefined (for files exported from other systems; read-only).
type SavedMapping struct {
	bun.BaseModel `bun:"table:imports_mappings,alias:m"`

	TenantID   ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID         ids.ID    `bun:"id,pk" json:"id,omitzero"` // none for predefined ones
	Target     string    `bun:"target" json:"target"`
	Name       string    `bun:"name" json:"name"`
	Label      string    `bun:"-" json:"label"`
	Mapping    Mapping   `bun:"mapping,type:text" json:"mapping"`
	Key        string    `bun:"upsert_key" json:"key,omitempty"`
	Predefined bool      `bun:"-" json:"predefined"`
	CreatedBy  ids.ID    `bun:"created_by" json:"createdBy,omitempty"`
	CreatedAt  time.Time `bun:"created_at" json:"createdAt,omitzero"`
	UpdatedAt  time.Time `bun:"updated_at" json:"updatedAt,omitzero"`
}

// Filter narrows the history.
type Filter struct {
	Target   string
	State    string
	Query    string    // file name or uploader contains
	From, To time.Time // uploaded at or after From, before To (zero: open)
	Page     int
	PageSize int
}

// Access says which batches a caller sees: every batch of the targets in
// All, and his own of the targets in Own.
type Access struct {
	All  []string
	Own  []string
	User ids.ID
}

var (
	_ bun.BeforeAppendModelHook = (*Batch)(nil)
	_ bun.BeforeAppendModelHook = (*CellError)(nil)
	_ bun.BeforeAppendModelHook = (*SavedMapping)(nil)
)

// BeforeAppendModel stores empty JSON rather than NULL for nil lists
// and maps (the columns are NOT NULL).
func (b *Batch) BeforeAppendModel(context.Context, bun.Query) error {
	if b.Sheets == nil {
		b.Sheets = []string{}
	}
	if b.Header == nil {
		b.Header = []string{}
	}
	if b.Mapping == nil {
		b.Mapping = Mapping{}
	}
	if b.FailureParams == nil {
		b.FailureParams = map[string]any{}
	}
	return nil
}

// BeforeAppendModel stores {} for no params.
func (e *CellError) BeforeAppendModel(context.Context, bun.Query) error {
	if e.Params == nil {
		e.Params = map[string]any{}
	}
	return nil
}

// BeforeAppendModel stores {} for no mapping.
func (m *SavedMapping) BeforeAppendModel(context.Context, bun.Query) error {
	if m.Mapping == nil {
		m.Mapping = Mapping{}
	}
	return nil
}
