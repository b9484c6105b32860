package employee

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// The job history target ("job_history"): each row is a dated change of
// an existing employee's job (transfer, promotion, demotion, change of
// manager, type or location; regularisation; resignation or
// termination), recorded through the lifecycle actions, so the history's
// rules hold: a change is dated after the employee's latest one (a
// transfer on the same day amends it), the status must allow it, the
// department must be open and the manager at work on that day.

// historyReasons are the changes a job history row may record.
var historyReasons = []string{ReasonTransfer, ReasonPromote, ReasonDemote, ReasonChangeManager, ReasonChangeType,
	ReasonChangeLocation, ReasonRegularise, ReasonResign, ReasonTerminate}

type historyTarget struct{ s *Service }

func (t *historyTarget) Name() string       { return TargetJobHistory }
func (t *historyTarget) Label() string      { return "employee.import.target.job_history" }
func (t *historyTarget) Keys() []string     { return []string{"employeeNo"} }
func (t *historyTarget) Permission() string { return PermLifecycle }
func (t *historyTarget) Columns(context.Context) ([]imports.Column, error) {
	return slices.Clone(historyColumns()), nil
}

type historyState struct {
	cat  *catalogue
	last map[ids.ID]Assignment // an employee's latest row after the rows checked so far
	seen map[string]int        // employee/day/reason → line
}

// historyChange is a checked row, for Apply.
type historyChange struct {
	id       ids.ID
	reason   string
	day      civil.Date
	transfer Transfer
	leave    Leave
	note     string
}

func (t *historyTarget) state(ctx context.Context, run *imports.Run) (*historyState, error) {
	return state(run, "employee."+TargetJobHistory, func() (*historyState, error) {
		cat, err := t.s.loadCatalogue(ctx)
		if err != nil {
			return nil, err
		}
		return &historyState{cat: cat, last: map[ids.ID]Assignment{}, seen: map[string]int{}}, nil
	})
}

func (t *historyTarget) Check(ctx context.Context, run *imports.Run, rows []imports.Row) ([]imports.Outcome, error) {
	s := t.s
	p, scope, err := rbac.Require(ctx, PermLifecycle)
	if err != nil {
		return nil, err
	}
	if err := s.ensureCurrent(ctx); err != nil {
		return nil, err
	}
	st, err := t.state(ctx, run)
	if err != nil {
		return nil, err
	}
	today := s.today(ctx)
	var nos []string
	for _, r := range rows {
		if v, ok := given(r, "employeeNo"); ok {
			nos = append(nos, v)
		}
		if v, ok := given(r, "manager"); ok {
			nos = append(nos, v)
		}
	}
	found, err := s.store.EmployeesByNos(ctx, nos)
	if err != nil {
		return nil, err
	}
	byNo := byNumber(found)
	var names []string
	for _, r := range rows {
		if v, ok := given(r, "manager"); ok && byNo[v] == nil {
			names = append(names, v)
		}
	}
	named, err := s.store.EmployeesByNames(ctx, names)
	if err != nil {
		return nil, err
	}
	byName := map[string][]*Employee{}
	var people []ids.ID
	for i := range named {
		byName[named[i].Name] = append(byName[named[i].Name], &named[i])
	}
	for _, e := range found {
		people = append(people, e.ID)
	}
	all, err := s.store.AssignmentsOf(ctx, people)
	if err != nil {
		return nil, err
	}
	history := map[ids.ID][]Assignment{}
	for _, a := range all {
		history[a.EmployeeID] = append(history[a.EmployeeID], a)
	}
	outs := make([]imports.Outcome, len(rows))
	for i, r := range rows {
		o, err := t.checkRow(ctx, st, p, scope, r, byNo, byName, history, today)
		if err != nil {
			return nil, err
		}
		if len(o.Errors) > 0 {
			o.Action, o.Data = imports.ActionFailed, nil
		}
		outs[i] = o
	}
	return outs, nil
}

func (t *historyTarget) checkRow(ctx context.Context, st *historyState, p *rbac.Principal, scope rbac.Scope, r imports.Row,
	byNo map[string]*Employee, byName map[string][]*Employee, history map[ids.ID][]Assignment, today civil.Date) (imports.Outcome, error) {
	o := imports.Outcome{Action: imports.ActionNew}
	add := func(fe ...imports.FieldError) { o.Errors = append(o.Errors, fe...) }
	e := rowEmployee(r, historyDefs, byNo, p, scope, add)
	reason := ReasonTransfer
	if v, ok := given(r, "reason"); ok {
		code, ok := enums()["reason"].match(v)
		if !ok {
			add(cellError("reason", "invalid_choice"))
		}
		reason = code
	}
	var day civil.Date
	if v, ok := given(r, "effectiveDate"); ok {
		d, code := parseDate(v)
		if code != "" {
			add(cellError("effectiveDate", code))
		}
		day = d
	} else if _, ok := given(r, "leaveDate"); !ok || (reason != ReasonResign && reason != ReasonTerminate) {
		add(cellError("effectiveDate", "required"))
	}
	var leaveDate civil.Date
	if v, ok := given(r, "leaveDate"); ok {
		d, code := parseDate(v)
		if code != "" {
			add(cellError("leaveDate", code))
		}
		leaveDate = d
	}
	note, _ := given(r, "note")
	leaveReason, _ := given(r, "leaveReason")
	if len(o.Errors) > 0 || e == nil {
		return o, nil
	}
	rows := history[e.ID]
	if len(rows) == 0 {
		add(cellError("employeeNo", "employee.wrong_status", errs.Params{"status": ""}))
		return o, nil
	}
	last, simulated := st.last[e.ID]
	if !simulated {
		last = rows[len(rows)-1]
	}
	if reason == ReasonResign || reason == ReasonTerminate {
		if leaveDate.IsZero() {
			leaveDate = day
		}
		day = leaveDate.AddDays(1) // the first day he has left
	}
	key := e.ID.String() + "/" + day.String() + "/" + reason
	if line, dup := st.seen[key]; dup {
		add(cellError("effectiveDate", "imports.duplicate_key", errs.Params{"line": line}))
		return o, nil
	}
	st.seen[key] = r.Line
	var f errs.Fields
	ch := &historyChange{id: e.ID, reason: reason, day: day, note: note}
	next := last
	next.ID, next.ValidFrom, next.ValidTo, next.Reason, next.Note = 0, day, civil.Date{}, reason, note
	after := func(field string) bool {
		if !day.After(last.ValidFrom) {
			f.Add(field, "employee.conflicting_change", errs.Params{"date": last.ValidFrom.String()})
			return false
		}
		return true
	}
	status := func(field string, allowed ...string) {
		if !slices.Contains(allowed, last.Status) {
			f.Add(field, "employee.wrong_status", errs.Params{"status": last.Status})
		}
	}
	switch reason {
	case ReasonRegularise:
		if done := sameDayRow(rows, day, reason); done != nil && !simulated {
			o.Action = imports.ActionUnchanged
			return o, nil
		}
		if after("effectiveDate") {
			status("reason", StatusProbation)
		}
		next.Status, next.RegularisationDate = StatusRegular, day
	case ReasonResign, ReasonTerminate:
		if done := sameDayRow(rows, day, reason); done != nil && done.LeaveDate == leaveDate && !simulated {
			o.Action = imports.ActionUnchanged
			return o, nil
		}
		if leaveDate.Before(last.HireDate) {
			f.Add("leaveDate", "employee.leave_before_hire", errs.Params{"date": last.HireDate.String()})
		} else if after("leaveDate") {
			if reason == ReasonResign {
				status("reason", StatusProbation, StatusRegular)
			} else {
				status("reason", StatusProbation, StatusRegular, StatusResigning)
			}
		}
		next.Status, next.LeaveDate, next.LeaveReason = StatusLeft, leaveDate, leaveReason
		ch.leave = Leave{LeaveDate: leaveDate, Reason: leaveReason, Note: note}
	default:
		tr, fe, err := t.transfer(ctx, st, r, e, day, byNo, byName, rows)
		if err != nil {
			return o, err
		}
		add(fe...)
		if len(fe) > 0 {
			return o, nil
		}
		tr.Reason, tr.Note, tr.EffectiveDate = reason, note, day
		ch.transfer = tr
		// The same change recorded already: unchanged.
		if done := sameDayRow(rows, day, ""); done != nil && !simulated && applyTransfer(done.Job, tr) == done.Job &&
			(done.Reason == reason || !slices.Contains(TransferReasons, done.Reason)) {
			o.Action = imports.ActionUnchanged
			return o, nil
		}
		amend := last.ValidFrom == day && last.Status != StatusLeft
		if amend {
			o.Action = imports.ActionUpdate
		} else if after("effectiveDate") {
			status("reason", StatusProbation, StatusRegular, StatusResigning)
		}
		base := last.Job
		next.Job = applyTransfer(base, tr)
		if next.Job == base {
			f.Add("department", "employee.nothing_changes")
		}
		if err := t.checkTransfer(ctx, st, &f, e, base, &next.Job, tr, day); err != nil {
			return o, err
		}
	}
	add(fieldsErrors(&f, map[string]string{"department": "department", "reason": "reason"})...)
	if len(o.Errors) > 0 || len(r.Errors) > 0 {
		o.Action = imports.ActionFailed
		return o, nil
	}
	st.last[e.ID] = next
	o.Data = ch
	return o, nil
}

// maxIn is a column's length limit.
// rowEmployee checks what rows about an existing employee share: the
// lengths of the cells, the employee number (known, within the caller's
// scope) and, when given, that the name matches it.
func rowEmployee(r imports.Row, defs []colDef, byNo map[string]*Employee, p *rbac.Principal, scope rbac.Scope,
	add func(...imports.FieldError)) *Employee {
	for k := range r.Values {
		if v, ok := given(r, k); ok {
			if max := maxIn(defs, k); max > 0 && len([]rune(v)) > max {
				add(cellError(k, "too_long", errs.Params{"max": max}))
			}
		}
	}
	no, _ := given(r, "employeeNo")
	e := byNo[no]
	switch {
	case no == "":
		add(cellError("employeeNo", "required"))
	case e == nil:
		add(cellError("employeeNo", "imports.unknown_employee", errs.Params{"value": no}))
	case !visible(scope, p, e):
		add(cellError("employeeNo", "employee.out_of_scope"))
	}
	if name, ok := given(r, "name"); ok && e != nil && name != e.Name {
		add(cellError("name", "imports.name_mismatch", errs.Params{"name": e.Name}))
	}
	return e
}

func maxIn(defs []colDef, key string) int {
	for _, d := range defs {
		if d.key == key {
			return d.max
		}
	}
	return 0
}

// sameDayRow returns the row starting on day (with the reason, unless
// reason is "").
func sameDayRow(rows []Assignment, day civil.Date, reason string) *Assignment {
	for i := range rows {
		if rows[i].ValidFrom == day && (reason == "" || rows[i].Reason == reason) {
			return &rows[i]
		}
	}
	return nil
}

// applyTransfer is a job after a transfer (a new department brings its
// own legal entity and location unless they are given; they are filled
// in by the check).
func applyTransfer(j Job, tr Transfer) Job {
	set := func(dst *ids.ID, v *ids.ID) {
		if v != nil {
			*dst = *v
		}
	}
	set(&j.DepartmentID, tr.DepartmentID)
	set(&j.PositionID, tr.PositionID)
	set(&j.GradeID, tr.GradeID)
	set(&j.ManagerID, tr.ManagerID)
	set(&j.LocationID, tr.LocationID)
	set(&j.LegalEntityID, tr.LegalEntityID)
	if tr.EmploymentType != nil {
		j.EmploymentType = *tr.EmploymentType
	}
	return j
}

// transfer reads the job cells of a row.
func (t *historyTarget) transfer(ctx context.Context, st *historyState, r imports.Row, e *Employee, day civil.Date,
	byNo map[string]*Employee, byName map[string][]*Employee, rows []Assignment) (Transfer, []imports.FieldError, error) {
	var tr Transfer
	var out []imports.FieldError
	if v, ok := given(r, "department"); ok {
		id, code, params, _, _ := st.cat.findDept(v)
		if code != "" {
			out = append(out, cellError("department", code, params))
		} else {
			tr.DepartmentID = &id
		}
	}
	for _, x := range []struct {
		col  string
		list *catList
		dst  **ids.ID
	}{{"position", st.cat.positions, &tr.PositionID}, {"grade", st.cat.grades, &tr.GradeID},
		{"location", st.cat.locations, &tr.LocationID}, {"legalEntity", st.cat.entities, &tr.LegalEntityID}} {
		if v, ok := given(r, x.col); ok {
			id, fe := x.list.ref(x.col, v)
			if fe != nil {
				out = append(out, *fe)
				continue
			}
			*x.dst = &id
		}
	}
	if v, ok := given(r, "employmentType"); ok {
		code, ok := enums()["employment_type"].match(v)
		if !ok {
			out = append(out, cellError("employmentType", "invalid_choice"))
		}
		tr.EmploymentType = &code
	}
	if v, ok := given(r, "manager"); ok {
		m := byNo[v]
		if m == nil {
			switch named := byName[v]; len(named) {
			case 0:
				out = append(out, cellError("manager", "imports.unknown_employee", errs.Params{"value": v}))
			case 1:
				m = named[0]
			default:
				out = append(out, cellError("manager", "imports.ambiguous_employee", errs.Params{"value": v, "count": len(named)}))
			}
		}
		if m != nil {
			tr.ManagerID = &m.ID
		}
	}
	return tr, out, nil
}

// checkTransfer checks a job after a transfer on day, as Transfer does.
func (t *historyTarget) checkTransfer(ctx context.Context, st *historyState, f *errs.Fields, e *Employee, old Job, j *Job, tr Transfer, day civil.Date) error {
	s := t.s
	if tr.DepartmentID != nil && *tr.DepartmentID != old.DepartmentID {
		if tr.LegalEntityID == nil {
			j.LegalEntityID = 0
		}
		if tr.LocationID == nil {
			j.LocationID = 0
		}
	}
	if err := s.checkJob(ctx, f, j, day, e.ID, true); err != nil {
		return err
	}
	if j.LegalEntityID == 0 {
		j.LegalEntityID = old.LegalEntityID
	}
	if j.LocationID == 0 {
		j.LocationID = old.LocationID
	}
	if (tr.Reason == ReasonPromote || tr.Reason == ReasonDemote) && j.GradeID != old.GradeID && old.GradeID != 0 && j.GradeID != 0 {
		from, to := st.cat.grades.byID[old.GradeID], st.cat.grades.byID[j.GradeID]
		if from != nil && to != nil {
			if tr.Reason == ReasonPromote && to.rank < from.rank {
				f.Add("grade", "employee.not_a_promotion")
			}
			if tr.Reason == ReasonDemote && to.rank > from.rank {
				f.Add("grade", "employee.not_a_demotion")
			}
		}
	}
	return nil
}

// historyRecord is an employee's job rows before or after an imported
// change.
type historyRecord struct {
	EmployeeNo string       `json:"employeeNo"`
	Name       string       `json:"name"`
	Rows       []Assignment `json:"rows"`
}

func (t *historyTarget) Apply(ctx context.Context, run *imports.Run, rows []imports.Row, outs []imports.Outcome) ([]imports.Change, error) {
	s := t.s
	if _, _, err := rbac.Require(ctx, PermLifecycle); err != nil {
		return nil, err
	}
	var changes []imports.Change
	for _, o := range outs {
		ch, ok := o.Data.(*historyChange)
		if !ok || (o.Action != imports.ActionNew && o.Action != imports.ActionUpdate) {
			continue
		}
		before, err := s.store.Assignments(ctx, ch.id)
		if err != nil {
			return nil, err
		}
		var d *Detail
		switch ch.reason {
		case ReasonRegularise:
			d, err = s.Regularise(ctx, ch.id, Regularise{EffectiveDate: ch.day, Note: ch.note})
		case ReasonResign:
			d, err = s.Resign(ctx, ch.id, ch.leave)
		case ReasonTerminate:
			d, err = s.Terminate(ctx, ch.id, ch.leave)
		default:
			d, err = s.Transfer(ctx, ch.id, ch.transfer)
		}
		if err != nil {
			return nil, err
		}
		after, err := s.store.Assignments(ctx, ch.id)
		if err != nil {
			return nil, err
		}
		action := imports.ActionNew
		if len(after) == len(before) {
			action = imports.ActionUpdate
		}
		changes = append(changes, imports.Change{ObjectType: ObjectAssignment, ObjectID: ch.id.String(), Action: action,
			Before: rawJSON(historyRecord{EmployeeNo: d.EmployeeNo, Name: d.Profile.Name, Rows: before}),
			After:  rawJSON(historyRecord{EmployeeNo: d.EmployeeNo, Name: d.Profile.Name, Rows: after}), Version: len(after)})
	}
	return changes, nil
}

// Rollback restores each employee's job rows as they were before the
// import, while they are still as the import left them. Changes may come
// in any order (the engine gives them newest first, in chunks): an
// employee's changes are undone as a chain from his rows as they are.
func (t *historyTarget) Rollback(ctx context.Context, changes []imports.Change) error {
	s := t.s
	p, _, err := rbac.Require(ctx, PermLifecycle)
	if err != nil {
		return err
	}
	today := s.today(ctx)
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		type step struct{ before, after historyRecord }
		byEmp := map[ids.ID][]step{}
		var order []ids.ID
		for _, ch := range changes {
			if ch.ObjectType != ObjectAssignment {
				continue
			}
			id, err := ids.Parse(ch.ObjectID)
			if err != nil {
				return err
			}
			var x step
			if err := json.Unmarshal(ch.Before, &x.before); err != nil {
				return err
			}
			if err := json.Unmarshal(ch.After, &x.after); err != nil {
				return err
			}
			if _, ok := byEmp[id]; !ok {
				order = append(order, id)
			}
			byEmp[id] = append(byEmp[id], x)
		}
		var conflicts []string
		type undo struct {
			e        *Employee
			cur, was []Assignment
		}
		var todo []undo
		for _, id := range order {
			steps := byEmp[id]
			e, err := s.store.LockEmployee(ctx, id)
			if errs.KindOf(err) == errs.NotFound {
				conflicts = append(conflicts, nameOf(steps[0].after.EmployeeNo, steps[0].after.Name))
				continue
			} else if err != nil {
				return err
			}
			cur, err := s.store.Assignments(ctx, id)
			if err != nil {
				return err
			}
			// Walk back: the step whose result is what he has now, then
			// the one whose result is what that step started from...
			rows := cur
			for len(steps) > 0 {
				i := slices.IndexFunc(steps, func(x step) bool { return sameRows(rows, x.after.Rows) })
				if i < 0 {
					break
				}
				rows = steps[i].before.Rows
				steps = slices.Delete(steps, i, i+1)
			}
			if len(steps) > 0 {
				conflicts = append(conflicts, nameOf(e.EmployeeNo, e.Name))
				continue
			}
			todo = append(todo, undo{e: e, cur: cur, was: rows})
		}
		if err := conflictNames(conflicts); err != nil {
			return err
		}
		for _, u := range todo {
			keep := map[ids.ID]bool{}
			for _, r := range u.was {
				keep[r.ID] = true
			}
			for _, r := range u.cur {
				if !keep[r.ID] {
					if err := s.store.DeleteAssignment(ctx, r.ID); err != nil {
						return err
					}
				}
			}
			for i := range u.was {
				r := &u.was[i]
				idx := slices.IndexFunc(u.cur, func(a Assignment) bool { return a.ID == r.ID })
				switch {
				case idx < 0:
					if err := s.store.InsertAssignment(ctx, r); err != nil {
						return err
					}
				case !sameRow(u.cur[idx], *r):
					if err := s.store.UpdateAssignment(ctx, r); err != nil {
						return err
					}
				}
			}
			e := u.e
			old := e.Job
			setJob(e, u.was, today)
			if err := s.store.SaveJob(ctx, e); err != nil {
				return err
			}
			if err := s.audit.Record(ctx, audit.Event{Action: ActionImportRollback, ObjectType: ObjectEmployee, ObjectID: e.ID.String(),
				Diff: map[string]any{"job": audit.Change{Before: old, After: e.Job}, "rows": audit.Change{Before: len(u.cur), After: len(u.was)}}}); err != nil {
				return err
			}
		}
		s.changed(ctx, p.TenantID, true)
		return nil
	})
}

// sameRows compares job rows as stored (creation times aside).
func sameRows(a, b []Assignment) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameRow(a[i], b[i]) {
			return false
		}
	}
	return true
}

func sameRow(a, b Assignment) bool {
	a.CreatedAt = b.CreatedAt
	a.TenantID, b.TenantID = 0, 0
	return reflect.DeepEqual(a, b)
}
