package employeedb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Bulk writes use multi-row INSERT statements with bound parameters,
// prepared once per table and batch size: the SQL text is parsed once,
// not per batch (parsing inlined values dominated the cost), and each
// statement stays under SQLite's 32,766 and PostgreSQL's 65,535
// parameters.

const maxParams = 30000

// bulkTable describes how to insert one table.
type bulkTable struct {
	name    string
	columns []string
}

var (
	employeeTable = bulkTable{"employee_employees", []string{"tenant_id", "id", "employee_no", "name", "english_name", "name_pinyin",
		"gender", "birth_date", "id_type", "id_number_enc", "id_number_hash", "nationality", "ethnicity", "marital_status", "hukou_type",
		"hukou_place", "education", "mobile", "email", "address", "emergency_contacts", "bank_name", "bank_account_enc", "photo_file_id",
		"first_work_date", "custom", "search_text", "assignment_id", "legal_entity_id", "department_id", "position_id", "grade_id", "manager_id",
		"employment_type", "location_id", "status", "period", "hire_date", "probation_months", "probation_end_date",
		"regularisation_date", "leave_date", "leave_reason", "next_change_on", "version", "created_at", "updated_at"}}
	assignmentTable = bulkTable{"employee_assignments", []string{"tenant_id", "id", "employee_id", "valid_from", "valid_to", "reason", "note",
		"legal_entity_id", "department_id", "position_id", "grade_id", "manager_id", "employment_type", "location_id", "status", "period",
		"hire_date", "probation_months", "probation_end_date", "regularisation_date", "leave_date", "leave_reason", "created_by", "created_at"}}
	contractTable = bulkTable{"employee_contracts", []string{"tenant_id", "id", "employee_id", "kind", "number", "start_date", "end_date",
		"signing_entity_id", "sequence", "status", "note", "version", "created_at", "updated_at"}}
	tokenTable  = bulkTable{"employee_search", []string{"tenant_id", "token", "employee_id"}}
	customTable = bulkTable{"employee_custom_values", []string{"tenant_id", "employee_id", "field_code", "value"}}
)

// nz stores a zero id as NULL (optional references).
func nz(id ids.ID) any {
	if id == 0 {
		return nil
	}
	return int64(id)
}

// date stores a zero date as NULL.
func date(d civil.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// ts writes an instant the way bun does (microseconds, UTC offset), so
// bun reads it back on both engines.
func ts(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999-07:00") }

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func jobArgs(j *employee.Job) []any {
	return []any{nz(j.LegalEntityID), nz(j.DepartmentID), nz(j.PositionID), nz(j.GradeID), nz(j.ManagerID), j.EmploymentType,
		nz(j.LocationID), j.Status, j.Period, date(j.HireDate), j.ProbationMonths, date(j.ProbationEndDate), date(j.RegularisationDate),
		date(j.LeaveDate), j.LeaveReason}
}

func employeeArgs(e *employee.Employee) ([]any, error) {
	edu, err := jsonText(e.Education)
	if err != nil {
		return nil, err
	}
	contacts, err := jsonText(e.EmergencyContacts)
	if err != nil {
		return nil, err
	}
	custom, err := jsonText(e.Custom)
	if err != nil {
		return nil, err
	}
	args := []any{int64(e.TenantID), int64(e.ID), e.EmployeeNo, e.Name, e.EnglishName, e.NamePinyin, e.Gender, date(e.BirthDate),
		e.IDType, e.IDNumberEnc, e.IDNumberHash, e.Nationality, e.Ethnicity, e.MaritalStatus, e.HukouType, e.HukouPlace, edu,
		e.Mobile, e.Email, e.Address, contacts, e.BankName, e.BankAccountEnc, nz(e.PhotoFileID), date(e.FirstWorkDate), custom,
		e.SearchText, nz(e.AssignmentID)}
	args = append(args, jobArgs(&e.Job)...)
	return append(args, date(e.NextChangeOn), e.Version, ts(e.CreatedAt), ts(e.UpdatedAt)), nil
}

func assignmentArgs(a *employee.Assignment) []any {
	args := []any{int64(a.TenantID), int64(a.ID), int64(a.EmployeeID), date(a.ValidFrom), date(a.ValidTo), a.Reason, a.Note}
	j := jobArgs(&a.Job)
	args = append(args, j...)
	return append(args, int64(a.CreatedBy), ts(a.CreatedAt))
}

func contractArgs(c *employee.Contract) []any {
	return []any{int64(c.TenantID), int64(c.ID), int64(c.EmployeeID), c.Kind, c.Number, date(c.StartDate), date(c.EndDate),
		nz(c.SigningEntityID), c.Sequence, c.Status, c.Note, c.Version, ts(c.CreatedAt), ts(c.UpdatedAt)}
}

// inserter runs one table's batched inserts in the transaction.
type inserter struct {
	engine db.Engine
	tx     *sql.Tx
	stmts  map[string]*sql.Stmt
	// pow2 sizes the batches in powers of two, so that statements kept
	// for many calls (BulkInsertHeld) come in a few shapes.
	pow2 bool
}

func (in *inserter) close() {
	for _, st := range in.stmts {
		st.Close()
	}
}

// insert writes rows (each a list of args in column order) in batches.
func (in *inserter) insert(ctx context.Context, t bulkTable, rows [][]any) error {
	if in.engine == db.Postgres {
		return in.unnest(ctx, t, rows)
	}
	per := max(1, maxParams/len(t.columns))
	if in.pow2 {
		per = 1 << (bits.Len(uint(per)) - 1)
	}
	for i, n := 0, 0; i < len(rows); i += n {
		n = min(per, len(rows)-i)
		if in.pow2 {
			n = 1 << (bits.Len(uint(n)) - 1)
		}
		chunk := rows[i : i+n]
		st, err := in.stmt(ctx, t, len(chunk))
		if err != nil {
			return err
		}
		args := make([]any, 0, len(chunk)*len(t.columns))
		for _, r := range chunk {
			args = append(args, r...)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

func (in *inserter) stmt(ctx context.Context, t bulkTable, n int) (*sql.Stmt, error) {
	key := t.name + "/" + strconv.Itoa(n)
	if st, ok := in.stmts[key]; ok {
		return st, nil
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + t.name + " (" + strings.Join(t.columns, ", ") + ") VALUES ")
	p := 0
	for r := 0; r < n; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range t.columns {
			if c > 0 {
				b.WriteString(", ")
			}
			p++
			if in.engine == db.Postgres {
				b.WriteString("$" + strconv.Itoa(p))
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	st, err := in.tx.PrepareContext(ctx, b.String())
	if err != nil {
		return nil, err
	}
	in.stmts[key] = st
	return st, nil
}

// BulkInsert writes new employees, their assignments, contracts, search
// tokens and custom values. It must run inside the caller's transaction
// (the service opens one). Tenants are taken from the principal like
// every write.
func (s *Store) BulkInsert(ctx context.Context, b *employee.Bulk) error {
	return s.bulkInsert(ctx, b, false)
}

// bulkInsert writes a batch; hold keeps the large page cache after it
// (see BulkInsertHeld).
func (s *Store) bulkInsert(ctx context.Context, b *employee.Bulk, hold bool) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	btx, ok := c.(*bun.Tx)
	if !ok {
		return errors.New("employeedb: BulkInsert needs a transaction")
	}
	if s.db.Engine == db.SQLite {
		// A big page cache keeps the growing indexes in memory while the
		// rows go in; the default (2 MiB) comes back afterwards. Imports
		// (hold) run beside the server and keep within their memory
		// budget: 24 MiB of cache (SQLite's allocator takes about twice
		// that) instead of 256 MiB costs a 100,000-row commit some
		// seconds; the demo seed takes the big one.
		cache := "PRAGMA cache_size = -262144"
		if hold {
			cache = "PRAGMA cache_size = -24576"
		}
		if _, err := btx.ExecContext(ctx, cache); err != nil {
			return err
		}
		if hold {
			s.releaseAfterCommit(ctx)
		} else {
			defer btx.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = -2000")
		}
	}
	var in *inserter
	if hold && s.db.Engine == db.SQLite {
		in = s.heldInserter(btx)
	} else {
		in = &inserter{engine: s.db.Engine, tx: btx.Tx, stmts: map[string]*sql.Stmt{}}
		defer in.close()
	}
	rows := make([][]any, 0, len(b.Employees))
	for i := range b.Employees {
		b.Employees[i].TenantID = t
		args, err := employeeArgs(&b.Employees[i])
		if err != nil {
			return err
		}
		rows = append(rows, args)
	}
	if err := in.insert(ctx, employeeTable, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for i := range b.Assignments {
		b.Assignments[i].TenantID = t
		rows = append(rows, assignmentArgs(&b.Assignments[i]))
	}
	if err := in.insert(ctx, assignmentTable, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for i := range b.Contracts {
		b.Contracts[i].TenantID = t
		rows = append(rows, contractArgs(&b.Contracts[i]))
	}
	if err := in.insert(ctx, contractTable, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, tok := range b.Tokens {
		rows = append(rows, []any{int64(t), tok.Token, int64(tok.EmployeeID)})
	}
	if err := in.insert(ctx, tokenTable, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, v := range b.CustomValues {
		rows = append(rows, []any{int64(t), int64(v.EmployeeID), v.FieldCode, v.Value})
	}
	return in.insert(ctx, customTable, rows)
}

// pgType is a column's type for the PostgreSQL array path.
func pgType(col string) string {
	switch {
	case col == "id" || col == "created_by" || strings.HasSuffix(col, "_id"):
		return "bigint"
	case col == "created_at" || col == "updated_at":
		return "timestamptz"
	case col == "period" || col == "probation_months" || col == "version" || col == "sequence":
		return "integer"
	case strings.HasSuffix(col, "_date") || col == "valid_from" || col == "valid_to" || col == "next_change_on":
		return "date"
	}
	return "text"
}

// unnestRows is how many rows one PostgreSQL statement carries.
const unnestRows = 5000

// unnest writes rows on PostgreSQL as one text array per column,
// unnested and cast by the server: a handful of parameters per statement
// instead of one per value, several times faster than multi-row VALUES.
func (in *inserter) unnest(ctx context.Context, t bulkTable, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	key := t.name + "/unnest"
	st, ok := in.stmts[key]
	if !ok {
		var sel, arrays, names []string
		for i, c := range t.columns {
			name := "c" + strconv.Itoa(i)
			names = append(names, name)
			switch typ := pgType(c); typ {
			case "bigint", "integer":
				arrays = append(arrays, "$"+strconv.Itoa(i+1)+"::bigint[]")
				sel = append(sel, "u."+name+"::"+typ)
			case "text":
				arrays = append(arrays, "$"+strconv.Itoa(i+1)+"::text[]")
				sel = append(sel, "u."+name)
			default:
				arrays = append(arrays, "$"+strconv.Itoa(i+1)+"::text[]")
				sel = append(sel, "u."+name+"::"+typ)
			}
		}
		q := "INSERT INTO " + t.name + " (" + strings.Join(t.columns, ", ") + ") SELECT " + strings.Join(sel, ", ") +
			" FROM unnest(" + strings.Join(arrays, ", ") + ") AS u(" + strings.Join(names, ", ") + ")"
		var err error
		if st, err = in.tx.PrepareContext(ctx, q); err != nil {
			return err
		}
		in.stmts[key] = st
	}
	for i := 0; i < len(rows); i += unnestRows {
		chunk := rows[i:min(i+unnestRows, len(rows))]
		args := make([]any, len(t.columns))
		for c, col := range t.columns {
			switch pgType(col) {
			case "bigint", "integer":
				a := make([]*int64, len(chunk))
				for r, row := range chunk {
					a[r] = number(row[c])
				}
				args[c] = a
			default:
				a := make([]*string, len(chunk))
				for r, row := range chunk {
					a[r] = text(row[c])
				}
				args[c] = a
			}
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// number renders a bulk value for a bigint array (nil stays NULL).
func number(v any) *int64 {
	var n int64
	switch x := v.(type) {
	case nil:
		return nil
	case int64:
		n = x
	case int:
		n = int64(x)
	}
	return &n
}

// text renders a bulk value for a text array (nil stays NULL).
func text(v any) *string {
	var s string
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		s = x
	case int64:
		s = strconv.FormatInt(x, 10)
	case int:
		s = strconv.Itoa(x)
	default:
		s = fmt.Sprint(x)
	}
	return &s
}
