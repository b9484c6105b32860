package employeedb

import (
	"context"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// The roster list and search.
//
// The job columns are read from the employee row (the job valid today)
// or, for another day, from the assignment valid that day (alias j is e
// or a). Two plans:
//
//   - Search in "dictionary order" (a query, no explicit sort, no
//     department restriction, today): the first term is a token prefix,
//     so its matches are a range of the employee_search key, read in
//     order (zhang → zhangan, zhangbin, ...). A page reads about pageSize
//     index entries and pageSize employee rows, and the total counts at
//     most countCap entries (TotalCapped beyond): a search costs the same
//     whether it matches ten people or half the company.
//   - Everything else walks the employees in the requested order (an
//     index: employee number, pinyin name, department...) and tests each
//     row's filters, search terms included (search_text LIKE '% term%').
//     The total counts up to listCap rows.

const (
	// countCap is where a search stops counting token entries.
	countCap = 200
	// listCap is where other lists stop counting rows.
	listCap = 1000
)

// listColumns are what a roster row shows.
var listColumns = []string{"id", "employee_no", "name", "english_name", "gender", "mobile", "email", "custom", "photo_file_id", "version"}

// profileSelect are every profile column (exports).
var profileSelect = []string{"tenant_id", "id", "employee_no", "name", "english_name", "name_pinyin", "gender", "birth_date", "id_type",
	"id_number_enc", "id_number_hash", "nationality", "ethnicity", "marital_status", "hukou_type", "hukou_place", "education",
	"mobile", "email", "address", "emergency_contacts", "bank_name", "bank_account_enc", "photo_file_id", "first_work_date",
	"custom", "version", "created_at", "updated_at"}

// jobSelect are the job columns common to employees and assignments.
var jobSelect = []string{"legal_entity_id", "department_id", "position_id", "grade_id", "manager_id", "employment_type",
	"location_id", "status", "period", "hire_date", "probation_months", "probation_end_date", "regularisation_date",
	"leave_date", "leave_reason"}

func columns(profile []string, j string) string {
	var b strings.Builder
	for i, c := range profile {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("e." + c)
	}
	for _, c := range jobSelect {
		b.WriteString(", " + j + "." + c)
	}
	return b.String()
}

type listRow struct {
	employee.Employee `bun:",extend"`
	ManagerName       string `bun:"manager_name,scanonly"`
}

// jobAlias is where the job columns come from.
func jobAlias(f *employee.Filter) string {
	if f.AsOf {
		return "a"
	}
	return "e"
}

// filter adds every condition but the first search term's to a query
// over employees (alias e, joined with a when reading another day).
func (s *Store) filter(q *bun.SelectQuery, t ids.ID, f *employee.Filter, terms []string) *bun.SelectQuery {
	j := jobAlias(f)
	if f.AsOf {
		q = q.Join("JOIN employee_assignments AS a ON a.tenant_id = e.tenant_id AND a.employee_id = e.id AND a.valid_from <= ? AND (a.valid_to IS NULL OR a.valid_to > ?)", f.On, f.On)
	}
	q = scoped(q.Where("e.tenant_id = ?", t), f.Scope, f.Self)
	if f.Excluded {
		q = q.Where("1 = 0")
	}
	if len(f.Statuses) > 0 {
		q = q.Where("? IN (?)", bun.Ident(j+".status"), bun.In(f.Statuses))
	}
	if len(f.EmploymentTypes) > 0 {
		q = q.Where("? IN (?)", bun.Ident(j+".employment_type"), bun.In(f.EmploymentTypes))
	}
	if len(f.DepartmentIDs) > 0 {
		q = q.Where("? IN (?)", bun.Ident(j+".department_id"), bun.In(f.DepartmentIDs))
	}
	if f.PositionID != 0 {
		q = q.Where("? = ?", bun.Ident(j+".position_id"), f.PositionID)
	}
	if f.LocationID != 0 {
		q = q.Where("? = ?", bun.Ident(j+".location_id"), f.LocationID)
	}
	if f.ManagerID != 0 {
		q = q.Where("? = ?", bun.Ident(j+".manager_id"), f.ManagerID)
	}
	if !f.HiredFrom.IsZero() {
		q = q.Where("? >= ?", bun.Ident(j+".hire_date"), f.HiredFrom)
	}
	if !f.HiredTo.IsZero() {
		q = q.Where("? <= ?", bun.Ident(j+".hire_date"), f.HiredTo)
	}
	for code, v := range f.Custom {
		q = q.Where(`EXISTS (SELECT 1 FROM employee_custom_values AS cv WHERE cv.tenant_id = e.tenant_id AND cv.employee_id = e.id
			AND cv.field_code = ? AND cv.value = ?)`, code, v)
	}
	if f.IDNumberHash != "" {
		q = q.Where("e.id_number_hash = ?", f.IDNumberHash)
	}
	for _, term := range terms {
		// search_text is " tok1 tok2 ...": a token starting with term
		// follows a space. Tokens and terms are lower case.
		q = q.Where("e.search_text LIKE ? ESCAPE '\\'", "% "+db.EscapeLike(term)+"%")
	}
	return q
}

// scoped keeps the employees (alias e) a data scope covers: those whose
// department today is in it, and the caller himself with a self scope.
func scoped(q *bun.SelectQuery, sc rbac.Scope, self ids.ID) *bun.SelectQuery {
	if sc.All {
		return q
	}
	depts := sc.Departments
	withSelf := sc.Self && self != 0
	switch {
	case len(depts) > 0 && withSelf:
		return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("e.department_id IN (?)", bun.In(depts)).WhereOr("e.id = ?", self)
		})
	case len(depts) > 0:
		return q.Where("e.department_id IN (?)", bun.In(depts))
	case withSelf:
		return q.Where("e.id = ?", self)
	}
	return q.Where("1 = 0")
}

// filtered reports whether anything but the search narrows the list.
func filtered(f *employee.Filter) bool {
	return !f.Scope.All || f.AsOf || f.Excluded || len(f.Statuses) > 0 || len(f.EmploymentTypes) > 0 ||
		len(f.DepartmentIDs) > 0 || f.PositionID != 0 || f.LocationID != 0 || f.ManagerID != 0 || !f.HiredFrom.IsZero() ||
		!f.HiredTo.IsZero() || len(f.Custom) > 0 || f.IDNumberHash != ""
}

// dictionary reports whether the token plan serves the filter.
func dictionary(f *employee.Filter) bool {
	return len(f.Terms) > 0 && f.Sort == "" && f.Scope.All && !f.AsOf && len(f.DepartmentIDs) == 0 && !f.Excluded
}

func order(f *employee.Filter) string {
	key, desc := strings.TrimPrefix(f.Sort, "-"), strings.HasPrefix(f.Sort, "-")
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	switch key {
	case "name":
		return "e.name_pinyin" + dir + ", e.id" + dir
	case "hireDate":
		return jobAlias(f) + ".hire_date" + dir + ", e.id" + dir
	case "createdAt":
		return "e.id" + dir
	}
	return "e.employee_no" + dir
}

func (s *Store) List(ctx context.Context, f *employee.Filter) (*employee.ListResult, error) {
	if dictionary(f) {
		return s.searchByToken(ctx, f)
	}
	return s.walk(ctx, f)
}

// walk reads a page in the requested order, filters and terms on each
// row, and counts up to listCap.
func (s *Store) walk(ctx context.Context, f *employee.Filter) (*employee.ListResult, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	j := jobAlias(f)
	var rows []listRow
	page := max(f.Page, 1)
	q := s.filter(c.NewSelect().TableExpr("employee_employees AS e"), t, f, f.Terms).
		ColumnExpr(columns(listColumns, j)).ColumnExpr("m.name AS manager_name").
		Join("LEFT JOIN employee_employees AS m ON m.tenant_id = e.tenant_id AND m.id = ?", bun.Ident(j+".manager_id")).
		OrderExpr(order(f)).Limit(int64(f.Size)).Offset(int64((page - 1) * f.Size))
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, err
	}
	res := result(rows)
	inner := s.filter(c.NewSelect().TableExpr("employee_employees AS e"), t, f, f.Terms).ColumnExpr("1").Limit(listCap + 1)
	var n int
	if err := c.NewSelect().TableExpr("(?) AS x", inner).ColumnExpr("count(*)").Scan(ctx, &n); err != nil {
		return nil, err
	}
	res.Total, res.TotalCapped = min(n, listCap), n > listCap
	return res, nil
}

func result(rows []listRow) *employee.ListResult {
	res := &employee.ListResult{Rows: make([]employee.Employee, 0, len(rows)), ManagerName: map[ids.ID]string{}}
	for _, r := range rows {
		res.Rows = append(res.Rows, r.Employee)
		if r.ManagerID != 0 {
			res.ManagerName[r.ManagerID] = r.ManagerName
		}
	}
	return res
}

// searchByToken pages through the first term's token range in key order.
func (s *Store) searchByToken(ctx context.Context, f *employee.Filter) (*employee.ListResult, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	lo, hi := employee.TokenRange(f.Terms[0])
	rest := f.Terms[1:]
	narrow := filtered(f) || len(rest) > 0
	// matches selects the matching (employee, token) pairs in key order.
	matches := func(cols string) *bun.SelectQuery {
		q := c.NewSelect().TableExpr("employee_search AS s").ColumnExpr(cols).
			Where("s.tenant_id = ? AND s.token >= ? AND s.token < ?", t, lo, hi)
		if narrow {
			q = q.Join("JOIN employee_employees AS e ON e.tenant_id = s.tenant_id AND e.id = s.employee_id")
			q = s.filter(q, t, f, rest)
		}
		return q
	}
	// One read gives the page and the count: at least countCap+1 token
	// rows (more for deep pages), in key order.
	page := max(f.Page, 1)
	want := page * f.Size
	var picked []ids.ID
	capped := false
	for limit := max(countCap+1, want+want/2+8); ; limit *= 4 {
		var raw []ids.ID
		if narrow {
			err = matches("s.employee_id").OrderExpr("s.token, s.employee_id").Limit(int64(limit)).Scan(ctx, &raw)
		} else {
			raw, err = s.tokenPage(ctx, t, lo, hi, limit)
		}
		if err != nil {
			return nil, err
		}
		picked = uniq(raw)
		capped = len(raw) == limit
		if len(picked) >= want || !capped {
			break
		}
	}
	total := len(picked)
	if capped {
		total = min(total, countCap)
	}
	res := &employee.ListResult{Rows: []employee.Employee{}, ManagerName: map[ids.ID]string{}, Total: total, TotalCapped: capped}
	from := min((page-1)*f.Size, len(picked))
	ids := picked[from:min(from+f.Size, len(picked))]
	if len(ids) == 0 {
		return res, nil
	}
	rows, err := s.rowsByID(ctx, t, ids)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rows, func(a, b listRow) int { return slices.Index(ids, a.ID) - slices.Index(ids, b.ID) })
	out := result(rows)
	out.Total, out.TotalCapped = res.Total, res.TotalCapped
	return out, nil
}

// eachBatch is the page size of Each.
const eachBatch = 1000

// Each reads the matches in pages of eachBatch. Pages continue after the
// last row's sort key (keyset), so the 100th page costs what the first
// does; only a sort by hire date (which may be empty) pages by offset.
func (s *Store) Each(ctx context.Context, f *employee.Filter, fn func(*employee.Employee) error) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	j := jobAlias(f)
	key, desc := strings.TrimPrefix(f.Sort, "-"), strings.HasPrefix(f.Sort, "-")
	cmp := ">"
	if desc {
		cmp = "<"
	}
	var last *employee.Employee
	for offset := int64(0); ; offset += eachBatch {
		var rows []employee.Employee
		q := s.filter(c.NewSelect().TableExpr("employee_employees AS e"), t, f, f.Terms).ColumnExpr(columns(profileSelect, j))
		if last != nil {
			switch key {
			case "name":
				q = q.Where("(e.name_pinyin, e.id) "+cmp+" (?, ?)", last.NamePinyin, last.ID)
			case "createdAt":
				q = q.Where("e.id "+cmp+" ?", last.ID)
			case "hireDate":
				q = q.Offset(offset)
			default: // employee number, unique in the tenant
				q = q.Where("e.employee_no "+cmp+" ?", last.EmployeeNo)
			}
		}
		if err := q.OrderExpr(order(f)).Limit(eachBatch).Scan(ctx, &rows); err != nil {
			return err
		}
		for i := range rows {
			if err := fn(&rows[i]); err != nil {
				return err
			}
		}
		if len(rows) < eachBatch {
			return nil
		}
		last = &rows[len(rows)-1]
	}
}
