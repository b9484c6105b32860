package employeedb

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/ids"
)

// The roster search is the busiest query of the module. Its two fixed
// statements run with bound parameters and are prepared once (bun writes
// values into the SQL text, so every call would be parsed anew): that
// halves the cost of a search on both engines.

// stmts caches prepared statements of the read pool by SQL text.
type stmts struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func (s *Store) prepared(pool *sql.DB, q string) (*sql.Stmt, error) {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if st, ok := s.cache.m[q]; ok {
		return st, nil
	}
	st, err := pool.Prepare(q)
	if err != nil {
		return nil, err
	}
	if s.cache.m == nil {
		s.cache.m = map[string]*sql.Stmt{}
	}
	s.cache.m[q] = st
	return st, nil
}

// query runs q ("?" placeholders) with args on the transaction in ctx or
// a prepared statement of the read pool.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s.db.Engine == db.Postgres {
		q = dollars(q)
	}
	switch c := s.db.Conn(ctx).(type) {
	case *bun.Tx:
		return c.Tx.QueryContext(ctx, q, args...)
	case *bun.DB:
		st, err := s.prepared(c.DB, q)
		if err != nil {
			return nil, err
		}
		return st.QueryContext(ctx, args...)
	default:
		return c.QueryContext(ctx, q, args...)
	}
}

// dollars numbers the placeholders for PostgreSQL.
func dollars(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

const tokenPageSQL = "SELECT employee_id FROM employee_search WHERE tenant_id = ? AND token >= ? AND token < ? ORDER BY token, employee_id LIMIT ?"

// tokenPage reads the employee ids of a token range in key order.
func (s *Store) tokenPage(ctx context.Context, t ids.ID, lo, hi string, limit int) ([]ids.ID, error) {
	rows, err := s.query(ctx, tokenPageSQL, int64(t), lo, hi, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]ids.ID, 0, limit)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, ids.ID(id))
	}
	return out, rows.Err()
}

// rowsSQL reads roster rows by id; the id list is padded to a few fixed
// sizes so the statements are reused.
func rowsSQL(n int) string {
	var b strings.Builder
	b.WriteString("SELECT " + columns(listColumns, "e") + ", m.name FROM employee_employees AS e " +
		"LEFT JOIN employee_employees AS m ON m.tenant_id = e.tenant_id AND m.id = e.manager_id WHERE e.tenant_id = ? AND e.id IN (")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('?')
	}
	b.WriteString(")")
	return b.String()
}

// rowsByID reads roster rows (with manager names) of the ids.
func (s *Store) rowsByID(ctx context.Context, t ids.ID, list []ids.ID) ([]listRow, error) {
	n := 20
	for n < len(list) {
		n *= 2
	}
	args := make([]any, 0, n+1)
	args = append(args, int64(t))
	for i := 0; i < n; i++ {
		if i < len(list) {
			args = append(args, int64(list[i]))
		} else {
			args = append(args, int64(0)) // no employee has id 0
		}
	}
	rows, err := s.query(ctx, rowsSQL(n), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []listRow
	for rows.Next() {
		var r listRow
		e := &r.Employee
		var custom string
		var manager sql.NullString
		err := rows.Scan(&e.ID, &e.EmployeeNo, &e.Name, &e.EnglishName, &e.Gender, &e.Mobile, &e.Email, &custom, &e.PhotoFileID,
			&e.Version, &e.LegalEntityID, &e.DepartmentID, &e.PositionID, &e.GradeID, &e.ManagerID, &e.EmploymentType,
			&e.LocationID, &e.Status, &e.Period, &e.HireDate, &e.ProbationMonths, &e.ProbationEndDate, &e.RegularisationDate,
			&e.LeaveDate, &e.LeaveReason, &manager)
		if err != nil {
			return nil, err
		}
		e.TenantID = t
		e.Custom = map[string]any{}
		if custom != "" && custom != "{}" {
			if err := json.Unmarshal([]byte(custom), &e.Custom); err != nil {
				return nil, err
			}
		}
		r.ManagerName = manager.String
		out = append(out, r)
	}
	return out, rows.Err()
}
