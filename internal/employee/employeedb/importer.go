package employeedb

import (
	"context"
	"database/sql"
	"slices"
	"sync"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/ids"
)

// BulkInsertHeld is BulkInsert for a transaction that writes batch after
// batch (an import, a chunk at a time): on SQLite the large page cache
// stays from one batch to the next instead of being dropped after each,
// which halves the cost of the later batches, and goes back to the
// default once the transaction commits. After a rollback it stays until
// the next bulk write sets it back.
func (s *Store) BulkInsertHeld(ctx context.Context, b *employee.Bulk) error {
	return s.bulkInsert(ctx, b, true)
}

// heldBulk is the SQLite writer's transaction whose bulk writes keep
// their set-up: the page cache, and the prepared multi-row statements
// (parsing a statement of thousands of parameters costs as much as
// running it). One writer, so one transaction at a time; a statement
// of a transaction that ended is closed by database/sql and replaced
// with the next transaction's.
type heldBulk struct {
	mu sync.Mutex
	tx *bun.Tx
	in *inserter
}

func (s *Store) heldInserter(tx *bun.Tx) *inserter {
	s.held.mu.Lock()
	defer s.held.mu.Unlock()
	if s.held.tx != tx {
		s.held.tx = tx
		s.held.in = &inserter{engine: s.db.Engine, tx: tx.Tx, stmts: map[string]*sql.Stmt{}, pow2: true}
	}
	return s.held.in
}

// releaseAfterCommit sets the writer's page cache back to the default
// once the transaction in ctx commits (once per transaction).
func (s *Store) releaseAfterCommit(ctx context.Context) {
	tx, ok := s.db.Conn(ctx).(*bun.Tx)
	if !ok {
		return
	}
	s.held.mu.Lock()
	first := s.held.tx != tx
	s.held.mu.Unlock()
	if !first {
		return
	}
	db.AfterCommit(ctx, func() {
		s.held.mu.Lock()
		if s.held.tx == tx {
			s.held.tx, s.held.in = nil, nil
		}
		s.held.mu.Unlock()
		_, _ = s.db.Raw().ExecContext(context.Background(), "PRAGMA cache_size = -2000")
	})
}

// Reads and writes of spreadsheet imports: one statement per slice of
// keys (IN lists stay well under both engines' parameter limits).

const inSize = 500

// slices splits a list into parts of at most inSize.
func parts[T any](list []T) [][]T {
	var out [][]T
	for i := 0; i < len(list); i += inSize {
		out = append(out, list[i:min(i+inSize, len(list))])
	}
	return out
}

func uniqStrings(list []string) []string {
	seen := make(map[string]bool, len(list))
	out := make([]string, 0, len(list))
	for _, s := range list {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// employeesWhere reads full employee rows whose column is in values.
func employeesWhere[T any](ctx context.Context, s *Store, column string, values []T, brief bool) ([]employee.Employee, error) {
	c, t, err := s.conn(ctx)
	if err != nil || len(values) == 0 {
		return nil, err
	}
	var out []employee.Employee
	for _, part := range parts(values) {
		var rows []employee.Employee
		q := c.NewSelect().Model(&rows).Where("e.tenant_id = ?", t).Where("? IN (?)", bun.Ident("e."+column), bun.In(part))
		if brief {
			q = q.Column("e.id", "e.employee_no", "e.name", "e.status", "e.department_id", "e.hire_date", "e.leave_date", "e.manager_id")
		}
		if err := q.Scan(ctx); err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

func (s *Store) EmployeesByNos(ctx context.Context, nos []string) ([]employee.Employee, error) {
	return employeesWhere(ctx, s, "employee_no", uniqStrings(nos), false)
}

func (s *Store) EmployeesByIDHashes(ctx context.Context, hashes []string) ([]employee.Employee, error) {
	return employeesWhere(ctx, s, "id_number_hash", uniqStrings(hashes), false)
}

// EmployeesByNames finds names through the sort key index (the sort key
// of a name is its pinyin followed by the name itself: equal keys, equal
// names).
func (s *Store) EmployeesByNames(ctx context.Context, names []string) ([]employee.Employee, error) {
	names = uniqStrings(names)
	keys := make([]string, len(names))
	for i, n := range names {
		keys[i] = employee.SortKey(n)
	}
	list, err := employeesWhere(ctx, s, "name_pinyin", keys, true)
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, e := range list {
		if slices.Contains(names, e.Name) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (s *Store) EmployeesByIDs(ctx context.Context, list []ids.ID) ([]employee.Employee, error) {
	return employeesWhere(ctx, s, "id", uniq(list), false)
}

func (s *Store) AssignmentsOf(ctx context.Context, employeeIDs []ids.ID) ([]employee.Assignment, error) {
	c, t, err := s.conn(ctx)
	if err != nil || len(employeeIDs) == 0 {
		return nil, err
	}
	var out []employee.Assignment
	for _, part := range parts(uniq(employeeIDs)) {
		var rows []employee.Assignment
		err := c.NewSelect().Model(&rows).Where("a.tenant_id = ? AND a.employee_id IN (?)", t, bun.In(part)).
			Order("a.employee_id", "a.valid_from").Scan(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

func (s *Store) ContractsOf(ctx context.Context, employeeIDs []ids.ID) ([]employee.Contract, error) {
	c, t, err := s.conn(ctx)
	if err != nil || len(employeeIDs) == 0 {
		return nil, err
	}
	var out []employee.Contract
	for _, part := range parts(uniq(employeeIDs)) {
		var rows []employee.Contract
		err := c.NewSelect().Model(&rows).Where("c.tenant_id = ? AND c.employee_id IN (?)", t, bun.In(part)).
			Order("c.employee_id", "c.start_date", "c.id").Scan(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

func (s *Store) SetManager(ctx context.Context, managerID ids.ID, employeeIDs []ids.ID) error {
	c, t, err := s.conn(ctx)
	if err != nil || len(employeeIDs) == 0 {
		return err
	}
	for _, part := range parts(uniq(employeeIDs)) {
		if _, err := c.NewUpdate().TableExpr("employee_assignments").Set("manager_id = ?", managerID).
			Where("tenant_id = ? AND employee_id IN (?)", t, bun.In(part)).Exec(ctx); err != nil {
			return err
		}
		if _, err := c.NewUpdate().TableExpr("employee_employees").Set("manager_id = ?", managerID).
			Where("tenant_id = ? AND id IN (?)", t, bun.In(part)).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) Referenced(ctx context.Context, employeeIDs []ids.ID) (map[ids.ID]int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	out := map[ids.ID]int{}
	list := uniq(employeeIDs)
	if len(list) == 0 {
		return out, nil
	}
	type count struct {
		ID ids.ID `bun:"id"`
		N  int    `bun:"n"`
	}
	for _, part := range parts(list) {
		for _, table := range []string{"employee_documents", "employee_agreements", "employee_bank_requests"} {
			var rows []count
			err := c.NewSelect().TableExpr(table).ColumnExpr("employee_id AS id, count(*) AS n").
				Where("tenant_id = ? AND employee_id IN (?)", t, bun.In(part)).GroupExpr("employee_id").Scan(ctx, &rows)
			if err != nil {
				return nil, err
			}
			for _, r := range rows {
				out[r.ID] += r.N
			}
		}
	}
	// Job rows of others naming them as manager, written after they
	// were (what an import wrote itself, down the same file, is older or
	// goes first on a rollback, newest first). The job rows have no index
	// by manager: a few ids are looked up by IN lists, many in one pass
	// over the tenant's rows.
	in := make(map[ids.ID]bool, len(list))
	for _, id := range list {
		in[id] = true
	}
	groups := parts(list)
	if len(list) > 4*inSize {
		groups = [][]ids.ID{nil}
	}
	for _, part := range groups {
		var rows []struct {
			ManagerID  ids.ID `bun:"manager_id"`
			EmployeeID ids.ID `bun:"employee_id"`
		}
		q := c.NewSelect().TableExpr("employee_assignments AS a").ColumnExpr("a.manager_id, a.employee_id").
			Join("JOIN employee_employees AS m ON m.tenant_id = a.tenant_id AND m.id = a.manager_id").
			Where("a.tenant_id = ? AND a.created_at > m.created_at", t)
		if part != nil {
			q = q.Where("a.manager_id IN (?)", bun.In(part))
		}
		if err := q.Scan(ctx, &rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			if in[r.ManagerID] && !in[r.EmployeeID] {
				out[r.ManagerID]++
			}
		}
	}
	return out, nil
}

func (s *Store) DeleteEmployees(ctx context.Context, employeeIDs []ids.ID, tokens []employee.Token) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	// The search table is keyed by token first: delete by full key.
	for _, part := range parts(tokens) {
		keys := make([][]any, len(part))
		for i, tok := range part {
			keys[i] = []any{tok.Token, int64(tok.EmployeeID)}
		}
		q := c.NewDelete().TableExpr("employee_search").Where("tenant_id = ?", t)
		q = q.WhereGroup(" AND ", func(q *bun.DeleteQuery) *bun.DeleteQuery {
			for _, k := range keys {
				q = q.WhereOr("(token = ? AND employee_id = ?)", k[0], k[1])
			}
			return q
		})
		if _, err := q.Exec(ctx); err != nil {
			return err
		}
	}
	for _, part := range parts(uniq(employeeIDs)) {
		for _, table := range []string{"employee_custom_values", "employee_contracts", "employee_assignments"} {
			if _, err := c.NewDelete().TableExpr(table).Where("tenant_id = ? AND employee_id IN (?)", t, bun.In(part)).Exec(ctx); err != nil {
				return err
			}
		}
		if _, err := c.NewDelete().TableExpr("employee_employees").Where("tenant_id = ? AND id IN (?)", t, bun.In(part)).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) DeleteContract(ctx context.Context, id ids.ID) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewDelete().TableExpr("employee_contracts").Where("tenant_id = ? AND id = ?", t, id).Exec(ctx)
	return err
}

func (s *Store) DepartmentsInUse(ctx context.Context, deptIDs []ids.ID) ([]ids.ID, error) {
	c, t, err := s.conn(ctx)
	if err != nil || len(deptIDs) == 0 {
		return nil, err
	}
	var out []ids.ID
	for _, part := range parts(uniq(deptIDs)) {
		var rows []ids.ID
		err := c.NewSelect().TableExpr("employee_assignments").ColumnExpr("DISTINCT department_id").
			Where("tenant_id = ? AND department_id IN (?)", t, bun.In(part)).Scan(ctx, &rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}
