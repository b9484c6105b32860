package employee

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Job changes (异动记录): every assignment of the tenant — hires,
// regularisations, transfers, promotions, resignations... — newest
// first, with the job before it, as one list HR can filter and export.
// Whom a caller sees follows the roster's data scope: the changes of the
// employees he may list.

// ChangeFilter narrows the job changes.
type ChangeFilter struct {
	// Query finds the employee: name, pinyin, initials, number, mobile,
	// email (token prefixes) or an exact ID number.
	Query string
	// From and To bound the day the change takes effect (inclusive).
	From, To civil.Date
	Reasons  []string
	// DepartmentIDs keep changes into or out of these departments (the
	// job's department after or before the change).
	DepartmentIDs []ids.ID
	IncludeSub    bool
	Page, Size    int

	// Set by the service.
	Terms        []string
	IDNumberHash string
	Scope        rbac.Scope
	Self         ids.ID
	Excluded     bool // the department filter expanded to nothing
}

// ChangeRecord is what the store reads: an assignment, its employee and
// the job before it (nil for an employee's first row).
type ChangeRecord struct {
	Assignment
	EmployeeNo   string
	EmployeeName string
	Previous     *Job
}

// ChangeStore reads the job changes (employeedb.Store implements it).
type ChangeStore interface {
	// Changes returns a page, newest first, and the number of matches
	// (up to a cap; capped says there are more).
	Changes(ctx context.Context, f *ChangeFilter) (rows []ChangeRecord, total int, capped bool, err error)
	// EachChange streams every match, newest first, in pages.
	EachChange(ctx context.Context, f *ChangeFilter, fn func(*ChangeRecord) error) error
}

// ChangeJob is the job on one side of a change, with names.
type ChangeJob struct {
	DepartmentID    ids.ID     `json:"departmentId,omitempty"`
	DepartmentName  string     `json:"departmentName"`
	PositionName    string     `json:"positionName"`
	GradeName       string     `json:"gradeName"`
	ManagerName     string     `json:"managerName"`
	LegalEntityName string     `json:"legalEntityName"`
	LocationName    string     `json:"locationName"`
	EmploymentType  string     `json:"employmentType"`
	Status          string     `json:"status"`
	LeaveDate       civil.Date `json:"leaveDate"`
}

// Change is one row of the list.
type Change struct {
	ID           ids.ID     `json:"id" doc:"the job history row (assignment)"`
	EmployeeID   ids.ID     `json:"employeeId"`
	EmployeeNo   string     `json:"employeeNo"`
	EmployeeName string     `json:"employeeName"`
	ValidFrom    civil.Date `json:"validFrom" doc:"the day the change takes effect"`
	Reason       string     `json:"reason"`
	Note         string     `json:"note"`
	// When is past, current or future (scheduled) relative to today.
	When      string     `json:"when" enum:"past,current,future"`
	From      *ChangeJob `json:"from,omitempty" required:"false" doc:"the job before the change; absent for a first hire"`
	To        ChangeJob  `json:"to"`
	CreatedAt time.Time  `json:"createdAt"`
}

// ChangePage is a page of changes.
type ChangePage struct {
	Items       []Change `json:"items"`
	Total       int      `json:"total"`
	TotalCapped bool     `json:"totalCapped"`
	Page        int      `json:"page"`
	PageSize    int      `json:"pageSize"`
}

func (s *Service) changeStore() (ChangeStore, error) {
	cs, ok := s.store.(ChangeStore)
	if !ok {
		return nil, fmt.Errorf("employee: the store does not read job changes")
	}
	return cs, nil
}

// prepareChanges checks the caller and completes the filter for the
// store: scope, search terms, departments below.
func (s *Service) prepareChanges(ctx context.Context, f *ChangeFilter) error {
	p, scope, err := rbac.Require(ctx, PermRead)
	if err != nil {
		return err
	}
	f.Scope, f.Self = scope, p.EmployeeID
	for _, r := range f.Reasons {
		if !slices.Contains(Reasons, r) {
			return errs.InvalidField("reason", "invalid_choice")
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return errs.InvalidField("to", "employee.range_reversed")
	}
	if f.IncludeSub && len(f.DepartmentIDs) > 0 {
		all, err := s.ExpandDepartments(ctx, f.DepartmentIDs, s.today(ctx))
		if err != nil {
			return err
		}
		f.DepartmentIDs, f.IncludeSub = all, false
		f.Excluded = len(all) == 0
	}
	f.Page = max(f.Page, 1)
	if f.Size < 1 {
		f.Size = 20
	}
	f.Size = min(f.Size, 200)
	q := strings.TrimSpace(f.Query)
	if info, code := ResidentID(q); code == "" {
		f.IDNumberHash = s.idHash(IDResident, info.Number)
	} else if q != "" {
		f.Terms = QueryTerms(q)
	}
	return nil
}

// Changes returns a page of the job changes the caller may see.
func (s *Service) Changes(ctx context.Context, f ChangeFilter) (*ChangePage, error) {
	if err := s.prepareChanges(ctx, &f); err != nil {
		return nil, err
	}
	cs, err := s.changeStore()
	if err != nil {
		return nil, err
	}
	rows, total, capped, err := cs.Changes(ctx, &f)
	if err != nil {
		return nil, err
	}
	d := s.describer(civil.Date{}, s.today(ctx))
	if err := s.changeManagers(ctx, d, rows); err != nil {
		return nil, err
	}
	items := make([]Change, len(rows))
	for i := range rows {
		items[i] = s.change(ctx, d, &rows[i])
	}
	return &ChangePage{Items: items, Total: total, TotalCapped: capped, Page: f.Page, PageSize: f.Size}, nil
}

func (s *Service) changeManagers(ctx context.Context, d *describer, rows []ChangeRecord) error {
	mgrs := make([]ids.ID, 0, 2*len(rows))
	for i := range rows {
		mgrs = append(mgrs, rows[i].ManagerID)
		if rows[i].Previous != nil {
			mgrs = append(mgrs, rows[i].Previous.ManagerID)
		}
	}
	return d.managers(ctx, mgrs)
}

// change names a record. Departments and catalogue entries carry today's
// names (a renamed department shows its new name): naming each row as of
// its own day would read the organisation once per day in the list.
func (s *Service) change(ctx context.Context, d *describer, r *ChangeRecord) Change {
	side := func(j *Job) ChangeJob {
		v := d.job(ctx, *j, d.today)
		return ChangeJob{DepartmentID: j.DepartmentID, DepartmentName: v.DepartmentName, PositionName: v.PositionName,
			GradeName: v.GradeName, ManagerName: v.ManagerName, LegalEntityName: v.LegalEntityName, LocationName: v.LocationName,
			EmploymentType: j.EmploymentType, Status: j.Status, LeaveDate: j.LeaveDate}
	}
	c := Change{ID: r.ID, EmployeeID: r.EmployeeID, EmployeeNo: r.EmployeeNo, EmployeeName: r.EmployeeName, ValidFrom: r.ValidFrom,
		Reason: r.Reason, Note: r.Note, When: "past", To: side(&r.Job), CreatedAt: r.CreatedAt}
	switch {
	case r.ValidOn(d.today):
		c.When = "current"
	case r.ValidFrom.After(d.today):
		c.When = "future"
	}
	if r.Previous != nil {
		from := side(r.Previous)
		c.From = &from
	}
	return c
}

// ---- export

// ChangeColumns are the export's columns, in order.
var ChangeColumns = []string{"employeeNo", "employeeName", "validFrom", "reason", "fromDepartmentName", "departmentName",
	"fromPositionName", "positionName", "fromGradeName", "gradeName", "managerName", "employmentType", "status", "leaveDate", "note"}

// ChangesExport is a checked export of job changes, ready to stream.
type ChangesExport struct {
	s      *Service
	f      ChangeFilter
	cols   []string
	header []string
	locale string
	// Title names the file and the sheet (异动记录).
	Title string
}

// PrepareChangesExport checks the caller, the filter and the columns
// (ChangeColumns entries; all when empty) before anything is written.
func (s *Service) PrepareChangesExport(ctx context.Context, f ChangeFilter, cols []string, locale string) (*ChangesExport, error) {
	if locale == "" {
		locale = i18n.ZH
	}
	if err := s.prepareChanges(ctx, &f); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		cols = ChangeColumns
	}
	x := &ChangesExport{s: s, f: f, cols: cols, locale: locale, Title: i18n.T(locale, "export.employee_changes", nil)}
	for i, c := range cols {
		if !slices.Contains(ChangeColumns, c) {
			return nil, errs.InvalidField(fmt.Sprintf("columns[%d]", i), "invalid_choice")
		}
		x.header = append(x.header, i18n.T(locale, "employee.change.col."+c, nil))
	}
	return x, nil
}

// Write streams the header and every change of the filter to w, a
// thousand at a time, and returns the number of rows. It does not close w.
func (x *ChangesExport) Write(ctx context.Context, w export.Writer) (int, error) {
	if err := w.Write(x.header); err != nil {
		return 0, err
	}
	cs, err := x.s.changeStore()
	if err != nil {
		return 0, err
	}
	d := x.s.describer(civil.Date{}, x.s.today(ctx))
	batch := make([]ChangeRecord, 0, eachBatch)
	row := make([]string, len(x.cols))
	n := 0
	flush := func() error {
		if err := x.s.changeManagers(ctx, d, batch); err != nil {
			return err
		}
		for i := range batch {
			c := x.s.change(ctx, d, &batch[i])
			for j, col := range x.cols {
				row[j] = changeCell(x.locale, col, &c)
			}
			if err := w.Write(row); err != nil {
				return err
			}
			n++
		}
		batch = batch[:0]
		if len(d.manager) > 4*eachBatch {
			clear(d.manager)
		}
		return nil
	}
	if err := cs.EachChange(ctx, &x.f, func(r *ChangeRecord) error {
		batch = append(batch, *r)
		if len(batch) == eachBatch {
			return flush()
		}
		return nil
	}); err != nil {
		return n, err
	}
	return n, flush()
}

func changeCell(locale, col string, c *Change) string {
	label := func(kind, v string) string {
		if v == "" {
			return ""
		}
		return i18n.T(locale, "employee."+kind+"."+v, nil)
	}
	from := c.From
	if from == nil {
		from = &ChangeJob{}
	}
	switch col {
	case "employeeNo":
		return c.EmployeeNo
	case "employeeName":
		return c.EmployeeName
	case "validFrom":
		return c.ValidFrom.String()
	case "reason":
		return label("reason", c.Reason)
	case "fromDepartmentName":
		return from.DepartmentName
	case "departmentName":
		return c.To.DepartmentName
	case "fromPositionName":
		return from.PositionName
	case "positionName":
		return c.To.PositionName
	case "fromGradeName":
		return from.GradeName
	case "gradeName":
		return c.To.GradeName
	case "managerName":
		return c.To.ManagerName
	case "employmentType":
		return label("employment_type", c.To.EmploymentType)
	case "status":
		return label("status", c.To.Status)
	case "leaveDate":
		return c.To.LeaveDate.String()
	case "note":
		return c.Note
	}
	return ""
}

func init() {
	register(i18n.ZH, map[string]string{
		"export.employee_changes":                "异动记录",
		"employee.export.col.name":               "姓名",
		"employee.export.col.idNumber":           "身份证号",
		"employee.export.col.status":             "状态",
		"employee.export.col.mobile":             "手机号",
		"employee.export.col.email":              "邮箱",
		"employee.export.col.address":            "地址",
		"employee.range_reversed":                "{field}不能早于开始日期",
		"employee.change.col.employeeNo":         "工号",
		"employee.change.col.employeeName":       "姓名",
		"employee.change.col.validFrom":          "生效日期",
		"employee.change.col.reason":             "异动类型",
		"employee.change.col.fromDepartmentName": "原部门",
		"employee.change.col.departmentName":     "部门",
		"employee.change.col.fromPositionName":   "原岗位",
		"employee.change.col.positionName":       "岗位",
		"employee.change.col.fromGradeName":      "原职级",
		"employee.change.col.gradeName":          "职级",
		"employee.change.col.managerName":        "直属上级",
		"employee.change.col.employmentType":     "用工类型",
		"employee.change.col.status":             "状态",
		"employee.change.col.leaveDate":          "离职日期",
		"employee.change.col.note":               "备注",
	})
	register(i18n.EN, map[string]string{
		"export.employee_changes":                "job-changes",
		"employee.export.col.name":               "Name",
		"employee.export.col.idNumber":           "ID number",
		"employee.export.col.status":             "Status",
		"employee.export.col.mobile":             "Mobile",
		"employee.export.col.email":              "Email",
		"employee.export.col.address":            "Address",
		"employee.range_reversed":                "{field} cannot be before the start date",
		"employee.change.col.employeeNo":         "Employee number",
		"employee.change.col.employeeName":       "Name",
		"employee.change.col.validFrom":          "Effective date",
		"employee.change.col.reason":             "Change",
		"employee.change.col.fromDepartmentName": "Previous department",
		"employee.change.col.departmentName":     "Department",
		"employee.change.col.fromPositionName":   "Previous position",
		"employee.change.col.positionName":       "Position",
		"employee.change.col.fromGradeName":      "Previous grade",
		"employee.change.col.gradeName":          "Grade",
		"employee.change.col.managerName":        "Manager",
		"employee.change.col.employmentType":     "Employment type",
		"employee.change.col.status":             "Status",
		"employee.change.col.leaveDate":          "Leave date",
		"employee.change.col.note":               "Note",
	})
}
