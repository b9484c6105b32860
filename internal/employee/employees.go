package employee

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Create hires a new employee: the record, the first job row (reason
// hire) and optionally the first contract, with one audit record, in one
// transaction.
func (s *Service) Create(ctx context.Context, n NewEmployee) (*Detail, error) {
	p, scope, err := rbac.Require(ctx, PermCreate)
	if err != nil {
		return nil, err
	}
	today := s.today(ctx)
	n.HireDate = s.orToday(ctx, n.HireDate)
	if n.EmploymentType == "" {
		n.EmploymentType = FullTime
	}
	defs, err := s.fieldDefs(ctx)
	if err != nil {
		return nil, err
	}
	var f errs.Fields
	checkProfile(&f, &n.Profile, today)
	n.Profile.Custom = checkCustom(&f, defs, n.Custom, n.Custom, nil)
	n.EmployeeNo = strings.TrimSpace(n.EmployeeNo)
	if n.EmployeeNo != "" {
		f.Check(numberPattern.MatchString(n.EmployeeNo), "employeeNo", "invalid_format")
	}
	text(&f, "note", &n.Note, 500, false)
	if !n.HireDate.Valid() {
		f.Add("hireDate", "invalid_date")
	} else if !n.BirthDate.IsZero() && n.HireDate.Before(n.BirthDate.AddYears(MinimumAge)) && !f.Has("birthDate") {
		f.Add("hireDate", "employee.under_age", errs.Params{"age": MinimumAge})
	}
	if !n.FirstWorkDate.IsZero() && n.FirstWorkDate.After(n.HireDate) && !f.Has("firstWorkDate") {
		f.Add("firstWorkDate", "employee.first_work_after_hire")
	}
	job := Job{LegalEntityID: n.LegalEntityID, DepartmentID: n.DepartmentID, PositionID: n.PositionID, GradeID: n.GradeID,
		ManagerID: n.ManagerID, EmploymentType: n.EmploymentType, LocationID: n.LocationID, Period: 1, HireDate: n.HireDate,
		ProbationMonths: n.ProbationMonths}
	limit := MaxProbationMonths
	if n.Contract != nil {
		if n.Contract.StartDate.IsZero() {
			n.Contract.StartDate = n.HireDate
		}
		n.Contract.check(&f, "contract.")
		limit = ProbationLimit(n.Contract.Kind, n.Contract.StartDate, n.Contract.EndDate)
	}
	checkProbation(&f, "probationMonths", n.ProbationMonths, limit)
	if err := s.checkJob(ctx, &f, &job, n.HireDate, 0, true); err != nil {
		return nil, err
	}
	if n.DepartmentID != 0 && !f.Has("departmentId") && !scope.All && !scope.CoversDepartment(n.DepartmentID) {
		f.Add("departmentId", "employee.out_of_scope")
	}
	if n.Contract != nil && n.Contract.SigningEntityID == 0 {
		n.Contract.SigningEntityID = job.LegalEntityID
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	job.Status = StatusRegular
	if n.ProbationMonths > 0 {
		job.Status = StatusProbation
		job.ProbationEndDate = ProbationEnd(n.HireDate, n.ProbationMonths)
	}
	now := s.now().UTC()
	e := &Employee{TenantID: p.TenantID, ID: ids.New(), EmployeeNo: n.EmployeeNo, Version: 1, CreatedAt: now, UpdatedAt: now}
	setProfile(e, &n.Profile)
	e.NamePinyin = SortKey(e.Name)
	row := Assignment{TenantID: p.TenantID, ID: ids.New(), EmployeeID: e.ID, ValidFrom: n.HireDate, Reason: ReasonHire,
		Note: n.Note, Job: job, CreatedBy: p.UserID, CreatedAt: now}
	var out *Detail
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.takeNumber(ctx, e); err != nil {
			return err
		}
		if err := s.checkDuplicates(ctx, e); err != nil {
			return err
		}
		if err := s.seal(e); err != nil {
			return err
		}
		rows := []Assignment{row}
		setJob(e, rows, today)
		setSearch(e)
		if err := s.store.InsertEmployee(ctx, e); err != nil {
			return err
		}
		if err := s.store.InsertAssignment(ctx, &rows[0]); err != nil {
			return err
		}
		if err := s.indexTokens(ctx, nil, e); err != nil {
			return err
		}
		if err := s.store.ReplaceCustomValues(ctx, e.ID, customRows(e)); err != nil {
			return err
		}
		s.changed(ctx, p.TenantID, false)
		diff := audit.Diff(nil, e)
		diff["job"] = audit.Change{After: rows[0].Job}
		if n.Contract != nil {
			c, err := s.addContract(ctx, p, e, *n.Contract, now)
			if err != nil {
				return err
			}
			diff["contract"] = audit.Change{After: c}
		}
		if err := s.audit.Record(ctx, audit.Event{Action: ReasonHire, ObjectType: ObjectEmployee, ObjectID: e.ID.String(), Diff: diff}); err != nil {
			return err
		}
		if err := s.tellHired(ctx, Hired{TenantID: p.TenantID, EmployeeID: e.ID, Name: e.Name, DepartmentID: job.DepartmentID, HireDate: n.HireDate}); err != nil {
			return err
		}
		var err error
		out, err = s.detail(ctx, e, today, today)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkProbation checks probation months against the legal limit.
func checkProbation(f *errs.Fields, field string, months, limit int) {
	switch {
	case months < 0:
		f.Add(field, "out_of_range", errs.Params{"min": 0, "max": limit})
	case months > limit:
		f.Add(field, "employee.probation_too_long", errs.Params{"max": limit})
	}
}

// takeNumber gives the employee the next number of the tenant's rule
// when he has none, skipping numbers already taken by hand.
func (s *Service) takeNumber(ctx context.Context, e *Employee) error {
	if e.EmployeeNo != "" {
		return nil
	}
	for range 1000 {
		rule, n, err := s.store.TakeNumbers(ctx, 1)
		if err != nil {
			return err
		}
		no := rule.Format(n)
		if _, err := s.store.EmployeeByNo(ctx, no); errs.KindOf(err) == errs.NotFound {
			e.EmployeeNo = no
			return nil
		} else if err != nil {
			return err
		}
	}
	return errs.E(errs.Conflict, "employee.numbers_exhausted")
}

// checkDuplicates refuses an employee number or ID document already used
// by another record of the tenant, naming that record.
func (s *Service) checkDuplicates(ctx context.Context, e *Employee) error {
	if other, err := s.store.EmployeeByNo(ctx, e.EmployeeNo); err == nil && other.ID != e.ID {
		return duplicate("employeeNo", "employee.duplicate_employee_no", other)
	} else if err != nil && errs.KindOf(err) != errs.NotFound {
		return err
	}
	if other, err := s.store.EmployeeByIDHash(ctx, s.idHash(e.IDType, e.IDNumber)); err == nil && other.ID != e.ID {
		return duplicate("idNumber", "employee.duplicate_id_number", other)
	} else if err != nil && errs.KindOf(err) != errs.NotFound {
		return err
	}
	return nil
}

func duplicate(field, code string, other *Employee) error {
	params := errs.Params{"name": other.Name, "employeeNo": other.EmployeeNo}
	return &errs.Error{Kind: errs.Conflict, Code: code, Params: params,
		Fields: []errs.FieldError{{Field: field, Code: code, Params: params}}}
}

// checkJob validates the references of a job on day and fills defaults
// (legal entity and location from the department). self is the employee
// (for manager checks); strict refuses inactive catalogue entries.
func (s *Service) checkJob(ctx context.Context, f *errs.Fields, j *Job, day civil.Date, self ids.ID, strict bool) error {
	f.Check(slices.Contains(EmploymentTypes, j.EmploymentType), "employmentType", "invalid_choice")
	if j.DepartmentID == 0 {
		f.Add("departmentId", "required")
	} else if s.org != nil {
		d, err := s.org.Department(orgCtx(ctx), j.DepartmentID, day)
		switch {
		case errs.KindOf(err) == errs.NotFound:
			f.Add("departmentId", "employee.department_missing", errs.Params{"date": day.String()})
		case err != nil:
			return err
		case !d.Active:
			f.Add("departmentId", "employee.department_inactive", errs.Params{"name": d.Name, "date": day.String()})
		default:
			if j.LegalEntityID == 0 {
				j.LegalEntityID = d.LegalEntityID
			}
			if j.LocationID == 0 {
				j.LocationID = d.LocationID
			}
		}
	}
	for _, r := range []struct {
		kind, field string
		id          ids.ID
	}{{kindLegalEntity, "legalEntityId", j.LegalEntityID}, {kindPosition, "positionId", j.PositionID},
		{kindGrade, "gradeId", j.GradeID}, {kindLocation, "locationId", j.LocationID}} {
		if r.id == 0 {
			continue
		}
		x, err := s.names.fresh(ctx, r.kind, r.id)
		switch {
		case errs.KindOf(err) == errs.NotFound:
			f.Add(r.field, "invalid_choice")
		case err != nil:
			return err
		case strict && !x.Active:
			f.Add(r.field, "employee.inactive_choice", errs.Params{"name": x.Name})
		}
	}
	if j.ManagerID != 0 {
		if j.ManagerID == self {
			f.Add("managerId", "employee.manager_self")
			return nil
		}
		m, err := s.store.Employee(ctx, j.ManagerID)
		if errs.KindOf(err) == errs.NotFound {
			f.Add("managerId", "invalid_choice")
			return nil
		} else if err != nil {
			return err
		}
		rows, err := s.store.Assignments(ctx, m.ID)
		if err != nil {
			return err
		}
		cur, pending, _ := current(rows, day)
		if cur == nil || pending || !cur.Active() {
			f.Add("managerId", "employee.manager_inactive", errs.Params{"name": m.Name, "date": day.String()})
		} else if self != 0 {
			if err := s.checkLoop(ctx, f, self, j.ManagerID, day); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkLoop refuses a manager whose chain of managers leads back to the
// employee, on day or on any later day a change in that chain is
// scheduled.
func (s *Service) checkLoop(ctx context.Context, f *errs.Fields, self, manager ids.ID, day civil.Date) error {
	days := []civil.Date{day}
	seenDay := map[civil.Date]bool{day: true}
	for i := 0; i < len(days) && i < 20; i++ {
		d := days[i]
		chain := []ids.ID{manager}
		at := manager
		for depth := 0; depth < 64; depth++ {
			m, err := s.store.ManagerOn(ctx, []ids.ID{at}, d)
			if err != nil {
				return err
			}
			next := m[at]
			if next == 0 {
				break
			}
			if next == self {
				f.Add("managerId", "employee.manager_loop", errs.Params{"date": d.String()})
				return nil
			}
			if slices.Contains(chain, next) {
				break // a loop not through this employee (bad data): stop
			}
			chain = append(chain, next)
			at = next
		}
		more, err := s.store.ChangeDates(ctx, chain, d)
		if err != nil {
			return err
		}
		for _, x := range more {
			if !seenDay[x] {
				seenDay[x] = true
				days = append(days, x)
			}
		}
	}
	return nil
}

// Get returns an employee as the record page shows him, his job as of on
// (default today).
func (s *Service) Get(ctx context.Context, id ids.ID, on civil.Date) (*Detail, error) {
	_, e, _, err := s.readable(ctx, id)
	if err != nil {
		return nil, err
	}
	today := s.today(ctx)
	return s.detail(ctx, e, s.orToday(ctx, on), today)
}

// detail builds the record view (opening the sealed fields to mask them).
func (s *Service) detail(ctx context.Context, e *Employee, on, today civil.Date) (*Detail, error) {
	if err := s.open(ctx, e); err != nil {
		return nil, err
	}
	rows, err := s.store.Assignments(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	cur, pending, next := current(rows, on)
	if pending && on.Before(civil.Of(e.CreatedAt.In(s.location(ctx)))) {
		cur = nil // before the record existed there was nothing to show
	}
	d := s.describer(on, today)
	out := &Detail{ID: e.ID, EmployeeNo: e.EmployeeNo, Profile: profileView(e), Custom: e.Custom, Version: e.Version}
	if cur != nil {
		if err := d.managers(ctx, []ids.ID{cur.ManagerID}); err != nil {
			return nil, err
		}
		jv := d.job(ctx, cur.Job, on)
		jv.AssignmentID, jv.ValidFrom, jv.ValidTo, jv.Reason, jv.NextChangeOn = cur.ID, cur.ValidFrom, cur.ValidTo, cur.Reason, next
		if pending {
			jv.Status = StatusPending
		}
		out.Job = jv
		out.Period = cur.Period
	} else {
		out.Job = JobView{DepartmentPath: []string{}, NextChangeOn: next}
	}
	if out.Custom == nil {
		out.Custom = map[string]any{}
	}
	contracts, err := s.store.Contracts(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	out.OpenEndedEligible = OpenEndedEligible(contracts)
	return out, nil
}

// Update changes an employee's profile.
func (s *Service) Update(ctx context.Context, id ids.ID, u ProfileUpdate) (*Detail, error) {
	return s.update(ctx, id, u, PermUpdate, nil)
}

// update applies a profile change under perm; allowed, when set, limits
// the fields (self-service).
func (s *Service) update(ctx context.Context, id ids.ID, u ProfileUpdate, perm string, allowed func(field string) bool) (*Detail, error) {
	if err := s.ensureCurrent(ctx); err != nil {
		return nil, err
	}
	today := s.today(ctx)
	defs, err := s.fieldDefs(ctx)
	if err != nil {
		return nil, err
	}
	var out *Detail
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		var e *Employee
		var err error
		if allowed != nil {
			e, err = s.store.LockEmployee(ctx, id)
		} else {
			_, e, err = s.load(ctx, perm, id, true)
		}
		if err != nil {
			return err
		}
		if u.Version != e.Version {
			return errs.E(errs.Conflict, "stale")
		}
		if err := s.open(ctx, e); err != nil {
			return err
		}
		before := *e
		var f errs.Fields
		if allowed != nil {
			for _, name := range u.Fields() {
				f.Check(allowed(name), name, "employee.not_self_editable")
			}
		}
		pr := profileOf(e)
		u.apply(&pr)
		checkProfile(&f, &pr, today)
		var only func(Field) bool
		if allowed != nil {
			only = func(fd Field) bool { return fd.SelfEditable }
		}
		pr.Custom = checkCustom(&f, defs, pr.Custom, u.Custom, only)
		if u.EmployeeNo != nil {
			no := strings.TrimSpace(*u.EmployeeNo)
			f.Check(numberPattern.MatchString(no), "employeeNo", "invalid_format")
			e.EmployeeNo = no
		}
		if u.PhotoFileID != nil {
			e.PhotoFileID = *u.PhotoFileID
		}
		if !pr.FirstWorkDate.IsZero() && !e.HireDate.IsZero() && pr.FirstWorkDate.After(firstHire(ctx, s, e)) && !f.Has("firstWorkDate") {
			f.Add("firstWorkDate", "employee.first_work_after_hire")
		}
		if err := f.Err(); err != nil {
			return err
		}
		setProfile(e, &pr)
		e.NamePinyin = SortKey(e.Name)
		setSearch(e)
		if err := s.checkDuplicates(ctx, e); err != nil {
			return err
		}
		if err := s.seal(e); err != nil {
			return err
		}
		e.Version++
		e.UpdatedAt = s.now().UTC()
		if err := s.store.UpdateEmployee(ctx, e); err != nil {
			return err
		}
		if err := s.indexTokens(ctx, &before, e); err != nil {
			return err
		}
		if err := s.store.ReplaceCustomValues(ctx, e.ID, customRows(e)); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Event{Action: "update", ObjectType: ObjectEmployee, ObjectID: e.ID.String(), Diff: audit.Diff(&before, e)}); err != nil {
			return err
		}
		out, err = s.detail(ctx, e, today, today)
		return err
	})
	return out, err
}

// firstHire is the hire date of the first period (first work must not
// be later).
func firstHire(ctx context.Context, s *Service, e *Employee) civil.Date {
	rows, err := s.store.Assignments(ctx, e.ID)
	if err != nil || len(rows) == 0 {
		return e.HireDate
	}
	return rows[0].HireDate
}

// Sensitive returns an employee's unmasked ID number and bank account
// and records that the caller read them.
func (s *Service) Sensitive(ctx context.Context, id ids.ID) (*SensitiveData, error) {
	if err := s.ensureCurrent(ctx); err != nil {
		return nil, err
	}
	_, e, err := s.load(ctx, PermReadSensitive, id, false)
	if err != nil {
		return nil, err
	}
	if err := s.open(ctx, e); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		return s.audit.Record(ctx, audit.Event{Action: ActionReadSensitive, ObjectType: ObjectEmployee, ObjectID: e.ID.String(),
			Diff: map[string]any{"fields": []string{"idNumber", "bankAccount"}}})
	})
	if err != nil {
		return nil, err
	}
	return &SensitiveData{IDNumber: e.IDNumber, BankAccount: e.BankAccount}, nil
}

// History returns an employee's job timeline: past, current and
// scheduled rows, newest first, with names.
func (s *Service) History(ctx context.Context, id ids.ID) ([]HistoryEntry, error) {
	_, e, _, err := s.readable(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.history(ctx, e)
}

func (s *Service) history(ctx context.Context, e *Employee) ([]HistoryEntry, error) {
	today := s.today(ctx)
	rows, err := s.store.Assignments(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	d := s.describer(today, today)
	var mgrs []ids.ID
	for _, r := range rows {
		mgrs = append(mgrs, r.ManagerID)
	}
	if err := d.managers(ctx, mgrs); err != nil {
		return nil, err
	}
	out := make([]HistoryEntry, 0, len(rows))
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		jv := d.job(ctx, r.Job, r.ValidFrom)
		jv.AssignmentID, jv.ValidFrom, jv.ValidTo, jv.Reason = r.ID, r.ValidFrom, r.ValidTo, r.Reason
		h := HistoryEntry{JobView: jv, ID: r.ID, Note: r.Note, When: "past"}
		switch {
		case r.ValidOn(today):
			h.When = "current"
		case r.ValidFrom.After(today):
			h.When = "future"
			h.Cancellable = i == len(rows)-1 && i > 0
		}
		out = append(out, h)
	}
	return out, nil
}

// ---- lists

// listCap is where a search stops counting matches.
const listCap = 500

// List returns a page of the roster the caller may see.
func (s *Service) List(ctx context.Context, f Filter) (*Page, error) {
	p, scope, err := rbac.Require(ctx, PermRead)
	if err != nil {
		return nil, err
	}
	if err := s.prepare(ctx, p, scope, &f); err != nil {
		return nil, err
	}
	res, err := s.store.List(ctx, &f)
	if err != nil {
		return nil, err
	}
	items, err := s.items(ctx, &f, res)
	if err != nil {
		return nil, err
	}
	return &Page{Items: items, Total: res.Total, TotalCapped: res.TotalCapped, Page: f.Page, PageSize: f.Size}, nil
}

// prepare completes a filter for the store: scope, search terms, day and
// sub-departments.
func (s *Service) prepare(ctx context.Context, p *rbac.Principal, scope rbac.Scope, f *Filter) error {
	if err := s.ensureCurrent(ctx); err != nil {
		return err
	}
	today := s.today(ctx)
	f.Scope, f.Self = scope, p.EmployeeID
	if f.On.IsZero() {
		f.On = today
	}
	f.AsOf = f.On != today
	if f.IncludeSub && len(f.DepartmentIDs) > 0 {
		all, err := s.ExpandDepartments(ctx, f.DepartmentIDs, f.On)
		if err != nil {
			return err
		}
		f.DepartmentIDs, f.IncludeSub = all, false
		f.Excluded = len(all) == 0
	}
	if f.Page < 1 {
		f.Page = 1
	}
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
	if f.Sort != "" && !slices.Contains(SortKeys, strings.TrimPrefix(f.Sort, "-")) {
		return errs.InvalidField("sort", "invalid_choice")
	}
	for _, st := range f.Statuses {
		if !slices.Contains(Statuses, st) {
			return errs.InvalidField("status", "invalid_choice")
		}
	}
	for _, t := range f.EmploymentTypes {
		if !slices.Contains(EmploymentTypes, t) {
			return errs.InvalidField("employmentType", "invalid_choice")
		}
	}
	if len(f.Custom) > 0 {
		defs, err := s.fieldDefs(ctx)
		if err != nil {
			return err
		}
		for code := range f.Custom {
			if !slices.ContainsFunc(defs, func(d Field) bool { return d.Code == code }) {
				return errs.InvalidField("cf."+code, "employee.unknown_field")
			}
		}
	}
	return nil
}

// ExpandDepartments returns departments with everything below them on
// day (the department filter's "include sub-departments").
func (s *Service) ExpandDepartments(ctx context.Context, roots []ids.ID, on civil.Date) ([]ids.ID, error) {
	if s.org == nil || len(roots) == 0 {
		return roots, nil
	}
	return s.org.SubtreeOn(orgCtx(ctx), roots, s.orToday(ctx, on))
}

// items turns store rows into roster rows with names.
func (s *Service) items(ctx context.Context, f *Filter, res *ListResult) ([]ListItem, error) {
	today := s.today(ctx)
	defs, err := s.fieldDefs(ctx)
	if err != nil {
		return nil, err
	}
	var listed []string
	for _, d := range defs {
		if d.ShowInList {
			listed = append(listed, d.Code)
		}
	}
	d := s.describer(f.On, today)
	for k, v := range res.ManagerName {
		d.manager[k] = v
	}
	out := make([]ListItem, len(res.Rows))
	for i := range res.Rows {
		out[i] = s.item(ctx, d, &res.Rows[i], f.On, listed)
	}
	return out, nil
}

func (s *Service) item(ctx context.Context, d *describer, e *Employee, on civil.Date, listed []string) ListItem {
	jv := d.job(ctx, e.Job, on)
	custom := map[string]any{}
	for _, c := range listed {
		if v, ok := e.Custom[c]; ok {
			custom[c] = v
		}
	}
	return ListItem{
		ID: e.ID, EmployeeNo: e.EmployeeNo, Name: e.Name, EnglishName: e.EnglishName, Gender: e.Gender,
		DepartmentID: e.DepartmentID, DepartmentName: jv.DepartmentName, PositionID: e.PositionID, PositionName: jv.PositionName,
		GradeID: e.GradeID, GradeName: jv.GradeName, ManagerID: e.ManagerID, ManagerName: jv.ManagerName,
		LegalEntityID: e.LegalEntityID, LegalEntityName: jv.LegalEntityName, Status: e.Status, EmploymentType: e.EmploymentType, HireDate: e.HireDate,
		LeaveDate: e.LeaveDate, Mobile: e.Mobile, Email: e.Email, LocationID: e.LocationID, LocationName: jv.LocationName,
		Custom: custom,
	}
}

// Reports lists the people an employee manages directly today.
func (s *Service) Reports(ctx context.Context, id ids.ID) ([]ListItem, error) {
	if _, _, _, err := s.readable(ctx, id); err != nil {
		return nil, err
	}
	p, scope, err := rbac.Require(ctx, PermRead)
	if err != nil {
		// An employee sees his own reports' names through the org chart
		// only; the list needs the read permission.
		return nil, err
	}
	f := Filter{ManagerID: id, Size: 200, Statuses: []string{StatusPending, StatusProbation, StatusRegular, StatusResigning}}
	if err := s.prepare(ctx, p, scope, &f); err != nil {
		return nil, err
	}
	res, err := s.store.List(ctx, &f)
	if err != nil {
		return nil, err
	}
	return s.items(ctx, &f, res)
}

// Each streams the roster rows of the filter (exports). With unmask the
// caller must hold employee.record.read_sensitive, the rows carry the
// opened ID number and bank account, and the export is audited.
func (s *Service) Each(ctx context.Context, f Filter, unmask bool, fn func(ListItem, *Employee) error) error {
	return s.each(ctx, f, unmask, SensitiveColumns, fn)
}

// eachBatch is how many rows Each names at once (managers in one query).
const eachBatch = 1000

// each streams the rows in batches: memory stays at one batch however
// many rows match. open lists the sensitive fields the caller shows (they
// are decrypted only then); with unmask they are audited as revealed.
func (s *Service) each(ctx context.Context, f Filter, unmask bool, open []string, fn func(ListItem, *Employee) error) error {
	p, scope, err := rbac.Require(ctx, PermRead)
	if err != nil {
		return err
	}
	if unmask {
		if _, _, err := rbac.Require(ctx, PermReadSensitive); err != nil {
			return err
		}
		if err := s.db.WithTx(ctx, func(ctx context.Context) error {
			return s.audit.Record(ctx, audit.Event{Action: ActionExportSensitive, ObjectType: ObjectEmployee,
				Diff: map[string]any{"fields": open, "filter": filterSummary(&f)}})
		}); err != nil {
			return err
		}
	}
	if err := s.prepare(ctx, p, scope, &f); err != nil {
		return err
	}
	today := s.today(ctx)
	defs, err := s.fieldDefs(ctx)
	if err != nil {
		return err
	}
	var all []string
	for _, d := range defs {
		all = append(all, d.Code)
	}
	d := s.describer(f.On, today)
	batch := make([]Employee, 0, eachBatch)
	flush := func() error {
		mgrs := make([]ids.ID, 0, len(batch))
		for i := range batch {
			mgrs = append(mgrs, batch[i].ManagerID)
		}
		if err := d.managers(ctx, mgrs); err != nil {
			return err
		}
		for i := range batch {
			e := &batch[i]
			if len(open) > 0 {
				if err := s.open(ctx, e); err != nil {
					return err
				}
			}
			if err := fn(s.item(ctx, d, e, f.On, all), e); err != nil {
				return err
			}
		}
		batch = batch[:0]
		// Manager names are kept per batch: a roster of 100,000 has
		// thousands of managers.
		if len(d.manager) > 4*eachBatch {
			clear(d.manager)
		}
		return nil
	}
	if err := s.store.Each(ctx, &f, func(e *Employee) error {
		batch = append(batch, *e)
		if len(batch) == eachBatch {
			return flush()
		}
		return nil
	}); err != nil {
		return err
	}
	return flush()
}

// filterSummary records what an audited export selected.
func filterSummary(f *Filter) map[string]any {
	m := map[string]any{}
	if f.Query != "" {
		m["q"] = f.Query
	}
	if len(f.DepartmentIDs) > 0 {
		m["departmentIds"] = f.DepartmentIDs
	}
	if len(f.Statuses) > 0 {
		m["status"] = f.Statuses
	}
	if len(f.EmploymentTypes) > 0 {
		m["employmentType"] = f.EmploymentTypes
	}
	if !f.HiredFrom.IsZero() || !f.HiredTo.IsZero() {
		m["hired"] = []string{f.HiredFrom.String(), f.HiredTo.String()}
	}
	if len(f.Custom) > 0 {
		m["custom"] = f.Custom
	}
	return m
}

// nowUTC is the service clock in UTC.
func (s *Service) nowUTC() time.Time { return s.now().UTC() }

// CheckSensitive reports whether the caller may see sensitive data
// (before an unmasked export starts streaming).
func (s *Service) CheckSensitive(ctx context.Context) error {
	_, _, err := rbac.Require(ctx, PermReadSensitive)
	return err
}

// CheckFilter validates a list filter (before an export starts
// streaming: its status goes out with the first byte).
func (s *Service) CheckFilter(ctx context.Context, f Filter) error {
	p, scope, err := rbac.Require(ctx, PermRead)
	if err != nil {
		return err
	}
	return s.prepare(ctx, p, scope, &f)
}
