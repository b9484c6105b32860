package employee

import (
	"context"
	"slices"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Lifecycle actions add rows to the job history. Each action is dated
// (default today). A date in the future schedules the change; reads "as
// of" any day see it from its date on. An action must be dated after the
// employee's latest row, past or scheduled: changes never overlap, and a
// scheduled change must be cancelled before an earlier one is entered.

// Regularise ends probation (转正).
type Regularise struct {
	EffectiveDate civil.Date
	Note          string
}

// ExtendProbation lengthens probation by Months (within the legal limit
// for the contract).
type ExtendProbation struct {
	Months        int
	EffectiveDate civil.Date
	Note          string
}

// Transfer changes the job: department, position, grade, manager, type
// or location; nil keeps a value. Reason is one of TransferReasons.
type Transfer struct {
	EffectiveDate  civil.Date
	DepartmentID   *ids.ID
	PositionID     *ids.ID
	GradeID        *ids.ID
	ManagerID      *ids.ID
	LocationID     *ids.ID
	LegalEntityID  *ids.ID
	EmploymentType *string
	Reason         string
	Note           string
}

// Leave ends employment: LeaveDate is the last working day.
type Leave struct {
	LeaveDate civil.Date
	Reason    string // leave reason shown on the record
	Note      string
}

// Rehire starts a new period of employment for someone who has left.
type Rehire struct {
	HireDate        civil.Date
	DepartmentID    ids.ID
	PositionID      ids.ID
	GradeID         ids.ID
	ManagerID       ids.ID
	LocationID      ids.ID
	LegalEntityID   ids.ID
	EmploymentType  string
	ProbationMonths int
	Note            string
	Contract        *NewContract
}

// change is the state of one lifecycle action.
type change struct {
	// ctx is the transaction's context: writes inside fn must use it.
	ctx   context.Context
	s     *Service
	p     *rbac.Principal
	e     *Employee
	rows  []Assignment
	today civil.Date
	// added are new rows after the last one; amended replaces the last.
	added   []Assignment
	amended *Assignment
	removed []ids.ID
	extra   map[string]any
}

func (c *change) last() Assignment { return c.rows[len(c.rows)-1] }

// after refuses a date on or before the latest row's start.
func (c *change) after(day civil.Date, field string) error {
	if !day.Valid() {
		return errs.InvalidField(field, "invalid_date")
	}
	if l := c.last(); !day.After(l.ValidFrom) {
		params := errs.Params{"date": l.ValidFrom.String()}
		return &errs.Error{Kind: errs.Conflict, Code: "employee.conflicting_change", Params: params,
			Fields: []errs.FieldError{{Field: field, Code: "employee.conflicting_change", Params: params}}}
	}
	return nil
}

// status refuses an action the employee's state does not allow.
func (c *change) status(allowed ...string) error {
	st := c.last().Status
	if !slices.Contains(allowed, st) {
		return errs.E(errs.Conflict, "employee.wrong_status", errs.Params{"status": st})
	}
	return nil
}

// next starts a new row from day, copying the latest.
func (c *change) next(day civil.Date, reason, note string) Assignment {
	a := c.last()
	a.ID, a.ValidFrom, a.ValidTo, a.Reason, a.Note = ids.New(), day, civil.Date{}, reason, note
	a.CreatedBy, a.CreatedAt = c.p.UserID, c.s.nowUTC()
	return a
}

// act runs a lifecycle action on an employee in one transaction with its
// audit record.
func (s *Service) act(ctx context.Context, id ids.ID, action string, fn func(c *change) error) (*Detail, error) {
	if err := s.ensureCurrent(ctx); err != nil {
		return nil, err
	}
	today := s.today(ctx)
	var out *Detail
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		p, e, err := s.load(ctx, PermLifecycle, id, true)
		if err != nil {
			return err
		}
		rows, err := s.store.Assignments(ctx, e.ID)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return errs.E(errs.Conflict, "employee.wrong_status", errs.Params{"status": ""})
		}
		c := &change{ctx: ctx, s: s, p: p, e: e, rows: rows, today: today, extra: map[string]any{}}
		if err := fn(c); err != nil {
			return err
		}
		before := e.Job
		all := slices.Clone(rows)
		for _, id := range c.removed {
			all = slices.DeleteFunc(all, func(a Assignment) bool { return a.ID == id })
			if err := s.store.DeleteAssignment(ctx, id); err != nil {
				return err
			}
		}
		if c.amended != nil {
			all[len(all)-1] = *c.amended
			if err := s.store.UpdateAssignment(ctx, c.amended); err != nil {
				return err
			}
		}
		for i := range c.added {
			a := &c.added[i]
			if l := &all[len(all)-1]; l.ValidTo != a.ValidFrom {
				l.ValidTo = a.ValidFrom
				if err := s.store.UpdateAssignment(ctx, l); err != nil {
					return err
				}
			}
			if err := s.store.InsertAssignment(ctx, a); err != nil {
				return err
			}
			all = append(all, *a)
		}
		if len(c.removed) > 0 && len(c.added) == 0 && c.amended == nil {
			// The last row left is open again.
			if l := &all[len(all)-1]; !l.ValidTo.IsZero() {
				l.ValidTo = civil.Date{}
				if err := s.store.UpdateAssignment(ctx, l); err != nil {
					return err
				}
			}
		}
		setJob(e, all, today)
		if err := s.store.SaveJob(ctx, e); err != nil {
			return err
		}
		s.changed(ctx, p.TenantID, before.DepartmentID != e.DepartmentID || before.Status != e.Status)
		diff := map[string]any{"job": audit.Change{Before: before, After: e.Job}}
		if len(c.added) > 0 {
			diff["rows"] = c.added
		}
		if c.amended != nil {
			diff["amended"] = c.amended
		}
		if len(c.removed) > 0 {
			diff["removed"] = c.removed
		}
		for k, v := range c.extra {
			diff[k] = v
		}
		if err := s.audit.Record(ctx, audit.Event{Action: action, ObjectType: ObjectEmployee, ObjectID: e.ID.String(), Diff: diff}); err != nil {
			return err
		}
		out, err = s.detail(ctx, e, today, today)
		return err
	})
	return out, err
}

// Regularise ends an employee's probation on the effective date.
func (s *Service) Regularise(ctx context.Context, id ids.ID, in Regularise) (*Detail, error) {
	return s.act(ctx, id, ReasonRegularise, func(c *change) error {
		day := s.orToday(ctx, in.EffectiveDate)
		var f errs.Fields
		text(&f, "note", &in.Note, 500, false)
		if err := f.Err(); err != nil {
			return err
		}
		if err := c.after(day, "effectiveDate"); err != nil {
			return err
		}
		if err := c.status(StatusProbation); err != nil {
			return err
		}
		a := c.next(day, ReasonRegularise, in.Note)
		a.Status, a.RegularisationDate = StatusRegular, day
		c.added = append(c.added, a)
		return nil
	})
}

// ExtendProbation lengthens an employee's probation.
func (s *Service) ExtendProbation(ctx context.Context, id ids.ID, in ExtendProbation) (*Detail, error) {
	return s.act(ctx, id, ReasonExtendProbation, func(c *change) error {
		day := s.orToday(ctx, in.EffectiveDate)
		if err := c.after(day, "effectiveDate"); err != nil {
			return err
		}
		if err := c.status(StatusProbation); err != nil {
			return err
		}
		l := c.last()
		var f errs.Fields
		text(&f, "note", &in.Note, 500, false)
		if in.Months < 1 {
			f.Add("months", "out_of_range", errs.Params{"min": 1, "max": MaxProbationMonths})
		}
		total := l.ProbationMonths + in.Months
		limit, err := s.probationLimit(ctx, c.e.ID, l.HireDate)
		if err != nil {
			return err
		}
		if in.Months >= 1 && total > limit {
			f.Add("months", "employee.probation_too_long", errs.Params{"max": limit})
		}
		if !l.ProbationEndDate.IsZero() && day.After(l.ProbationEndDate) {
			f.Add("effectiveDate", "employee.probation_over", errs.Params{"date": l.ProbationEndDate.String()})
		}
		if err := f.Err(); err != nil {
			return err
		}
		a := c.next(day, ReasonExtendProbation, in.Note)
		a.ProbationMonths, a.ProbationEndDate = total, ProbationEnd(l.HireDate, total)
		c.added = append(c.added, a)
		return nil
	})
}

// probationLimit is the legal maximum probation for the contract that
// covers the hire date (six months when there is none).
func (s *Service) probationLimit(ctx context.Context, employeeID ids.ID, hire civil.Date) (int, error) {
	cs, err := s.store.Contracts(ctx, employeeID)
	if err != nil {
		return 0, err
	}
	for _, c := range cs {
		if c.Status != ContractTerminated && !c.StartDate.After(hire) && (c.EndDate.IsZero() || !c.EndDate.Before(hire)) {
			return ProbationLimit(c.Kind, c.StartDate, c.EndDate), nil
		}
	}
	return MaxProbationMonths, nil
}

// Transfer changes an employee's job from the effective date.
func (s *Service) Transfer(ctx context.Context, id ids.ID, in Transfer) (*Detail, error) {
	if in.Reason == "" {
		in.Reason = ReasonTransfer
	}
	action := in.Reason
	if !slices.Contains(TransferReasons, action) {
		return nil, errs.InvalidField("reason", "invalid_choice")
	}
	return s.act(ctx, id, action, func(c *change) error {
		day := s.orToday(ctx, in.EffectiveDate)
		// A change dated the same day as the latest row amends that row
		// (a hire corrected before the person starts, two changes entered
		// for one day); an earlier date conflicts.
		l := c.last()
		amend := l.ValidFrom == day && l.Status != StatusLeft
		if !amend {
			if err := c.after(day, "effectiveDate"); err != nil {
				return err
			}
			if err := c.status(StatusProbation, StatusRegular, StatusResigning); err != nil {
				return err
			}
		}
		a := c.next(day, in.Reason, in.Note)
		if amend {
			a = l
			if in.Note != "" {
				a.Note = in.Note
			}
			if slices.Contains(TransferReasons, a.Reason) {
				a.Reason = in.Reason
			}
		}
		old := a.Job
		set := func(dst *ids.ID, v *ids.ID) {
			if v != nil {
				*dst = *v
			}
		}
		set(&a.DepartmentID, in.DepartmentID)
		set(&a.PositionID, in.PositionID)
		set(&a.GradeID, in.GradeID)
		set(&a.ManagerID, in.ManagerID)
		set(&a.LocationID, in.LocationID)
		set(&a.LegalEntityID, in.LegalEntityID)
		if in.EmploymentType != nil {
			a.EmploymentType = *in.EmploymentType
		}
		var f errs.Fields
		text(&f, "note", &in.Note, 500, false)
		if a.Job == old {
			f.Add("departmentId", "employee.nothing_changes")
			return f.Err()
		}
		// A new department brings its legal entity and location unless
		// they are given.
		if in.DepartmentID != nil && *in.DepartmentID != old.DepartmentID {
			if in.LegalEntityID == nil {
				a.LegalEntityID = 0
			}
			if in.LocationID == nil {
				a.LocationID = 0
			}
		}
		if err := s.checkJob(ctx, &f, &a.Job, day, c.e.ID, true); err != nil {
			return err
		}
		if a.LegalEntityID == 0 {
			a.LegalEntityID = old.LegalEntityID
		}
		if a.LocationID == 0 {
			a.LocationID = old.LocationID
		}
		if (in.Reason == ReasonPromote || in.Reason == ReasonDemote) && a.GradeID != old.GradeID && old.GradeID != 0 && a.GradeID != 0 {
			from, err1 := s.names.fresh(ctx, kindGrade, old.GradeID)
			to, err2 := s.names.fresh(ctx, kindGrade, a.GradeID)
			if err1 == nil && err2 == nil && s.org != nil {
				if in.Reason == ReasonPromote && to.Rank < from.Rank {
					f.Add("gradeId", "employee.not_a_promotion")
				}
				if in.Reason == ReasonDemote && to.Rank > from.Rank {
					f.Add("gradeId", "employee.not_a_demotion")
				}
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if amend {
			c.amended = &a
		} else {
			c.added = append(c.added, a)
		}
		return nil
	})
}

// leaveRow is the row from the day after the last working day.
func (c *change) leaveRow(in Leave, reason string) (Assignment, error) {
	var f errs.Fields
	text(&f, "reason", &in.Reason, 200, false)
	text(&f, "note", &in.Note, 500, false)
	l := c.last()
	if in.LeaveDate.IsZero() {
		f.Add("leaveDate", "required")
	} else if in.LeaveDate.Before(l.HireDate) {
		f.Add("leaveDate", "employee.leave_before_hire", errs.Params{"date": l.HireDate.String()})
	}
	if err := f.Err(); err != nil {
		return Assignment{}, err
	}
	a := c.next(in.LeaveDate.AddDays(1), reason, in.Note)
	a.Status, a.LeaveDate, a.LeaveReason = StatusLeft, in.LeaveDate, in.Reason
	return a, nil
}

// Resign records a resignation: the employee is "resigning" from today
// and has left after the leave date (the last working day).
func (s *Service) Resign(ctx context.Context, id ids.ID, in Leave) (*Detail, error) {
	return s.act(ctx, id, ReasonResign, func(c *change) error {
		if err := c.status(StatusProbation, StatusRegular); err != nil {
			return err
		}
		left, err := c.leaveRow(in, ReasonResign)
		if err != nil {
			return err
		}
		if err := c.after(left.ValidFrom, "leaveDate"); err != nil {
			return err
		}
		if c.today.After(c.last().ValidFrom) && c.today.Before(left.ValidFrom) {
			r := c.next(c.today, ReasonResign, in.Note)
			r.Status, r.LeaveDate, r.LeaveReason = StatusResigning, in.LeaveDate, in.Reason
			c.added = append(c.added, r)
		}
		c.added = append(c.added, left)
		return nil
	})
}

// Terminate ends employment after the leave date (dismissal, contract
// end, mutual agreement...).
func (s *Service) Terminate(ctx context.Context, id ids.ID, in Leave) (*Detail, error) {
	return s.act(ctx, id, ReasonTerminate, func(c *change) error {
		if err := c.status(StatusProbation, StatusRegular, StatusResigning); err != nil {
			return err
		}
		left, err := c.leaveRow(in, ReasonTerminate)
		if err != nil {
			return err
		}
		if err := c.after(left.ValidFrom, "leaveDate"); err != nil {
			return err
		}
		c.added = append(c.added, left)
		return nil
	})
}

// Rehire starts a new period for someone who has left. The law allows
// one probation per employer and employee (Labour Contract Law art. 19),
// so a rehire has none.
func (s *Service) Rehire(ctx context.Context, id ids.ID, in Rehire) (*Detail, error) {
	return s.act(ctx, id, ReasonRehire, func(c *change) error {
		day := s.orToday(ctx, in.HireDate)
		if err := c.status(StatusLeft); err != nil {
			return err
		}
		if err := c.after(day, "hireDate"); err != nil {
			return err
		}
		if in.EmploymentType == "" {
			in.EmploymentType = c.last().EmploymentType
		}
		var f errs.Fields
		text(&f, "note", &in.Note, 500, false)
		if in.ProbationMonths != 0 {
			f.Add("probationMonths", "employee.probation_once")
		}
		l := c.last()
		a := c.next(day, ReasonRehire, in.Note)
		a.Job = Job{LegalEntityID: in.LegalEntityID, DepartmentID: in.DepartmentID, PositionID: in.PositionID, GradeID: in.GradeID,
			ManagerID: in.ManagerID, EmploymentType: in.EmploymentType, LocationID: in.LocationID, Status: StatusRegular,
			Period: l.Period + 1, HireDate: day}
		if err := s.checkJob(ctx, &f, &a.Job, day, c.e.ID, true); err != nil {
			return err
		}
		if in.Contract != nil {
			if in.Contract.StartDate.IsZero() {
				in.Contract.StartDate = day
			}
			in.Contract.check(&f, "contract.")
		}
		if err := f.Err(); err != nil {
			return err
		}
		c.added = append(c.added, a)
		if in.Contract != nil {
			if in.Contract.SigningEntityID == 0 {
				in.Contract.SigningEntityID = a.LegalEntityID
			}
			ct, err := s.addContract(c.ctx, c.p, c.e, *in.Contract, s.nowUTC())
			if err != nil {
				return err
			}
			c.extra["contract"] = ct
		}
		return s.tellHired(c.ctx, Hired{TenantID: c.p.TenantID, EmployeeID: c.e.ID, Name: c.e.Name, DepartmentID: a.DepartmentID, HireDate: day, Rehire: true})
	})
}

// CancelChange withdraws a scheduled change (the employee's latest row,
// starting after today). Cancelling the leave of a resignation also
// withdraws the resignation: the "resigning" row goes too when it starts
// today, or a row from today restores the status before it.
func (s *Service) CancelChange(ctx context.Context, id, entryID ids.ID) (*Detail, error) {
	return s.act(ctx, id, ActionCancelChange, func(c *change) error {
		l := c.last()
		idx := slices.IndexFunc(c.rows, func(a Assignment) bool { return a.ID == entryID })
		switch {
		case idx < 0:
			return errs.NotFoundf("object.assignment")
		case idx != len(c.rows)-1 || !l.ValidFrom.After(c.today):
			return errs.E(errs.Conflict, "employee.not_scheduled")
		case idx == 0:
			return errs.E(errs.Conflict, "employee.cannot_cancel_hire")
		}
		c.removed = append(c.removed, l.ID)
		c.extra["cancelled"] = l
		prev := c.rows[idx-1]
		if l.Status != StatusLeft || l.Reason != ReasonResign || prev.Status != StatusResigning || idx < 2 {
			return nil
		}
		// Withdraw the resignation too.
		before := c.rows[idx-2]
		if !prev.ValidFrom.Before(c.today) {
			c.removed = append(c.removed, prev.ID)
			return nil
		}
		r := prev
		r.ID, r.ValidFrom, r.ValidTo, r.Reason, r.Note = ids.New(), c.today, civil.Date{}, ReasonWithdrawResignation, ""
		r.Status, r.LeaveDate, r.LeaveReason = before.Status, civil.Date{}, ""
		r.CreatedBy, r.CreatedAt = c.p.UserID, s.nowUTC()
		// The resigning row is now the last one: close it today.
		c.rows = c.rows[:idx]
		c.added = append(c.added, r)
		return nil
	})
}
