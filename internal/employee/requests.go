package employee

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Request types the module sends through the approval engine. Each is
// applied by the module inside the approval's transaction, so an approved
// request and its effect commit together.
const (
	// TypeBankAccount: an employee asks for a new bank account (employee
	// → HR); approved, it is sealed into his record.
	TypeBankAccount = "employee.bank_account"
	// TypeTransfer and TypePromotion: a manager (or HR) asks to move an
	// employee (manager → HR → the receiving department's head); approved,
	// the transfer is recorded (scheduled when dated later).
	TypeTransfer  = "employee.transfer"
	TypePromotion = "employee.promotion"
	// TypeResignation: an employee resigns (employee → manager → HR);
	// approved, the resignation is recorded with its leave date.
	TypeResignation = "employee.resignation"
)

// RequestWithdrawn is a bank-account request the employee withdrew.
const RequestWithdrawn = "withdrawn"

// UseApprovals registers the module's request types with the approval
// engine; from then on bank-account changes go through it.
func (s *Service) UseApprovals(a *approval.Service) {
	s.engine = a
	a.Register(&bankType{s: s})
	a.Register(&transferType{s: s, code: TypeTransfer, reason: ReasonTransfer})
	a.Register(&transferType{s: s, code: TypePromotion, reason: ReasonPromote})
	a.Register(&resignType{s: s})
}

// approvals is the engine in use, or nil (bank requests are then
// reviewed directly: the module's own tests, and a build without the
// engine).
func (s *Service) approvals() *approval.Service { return s.engine }

// Reporting is an employee as the approval engine sees him today.
type Reporting struct {
	ID           ids.ID
	Name         string
	DepartmentID ids.ID
	ManagerID    ids.ID
	Active       bool // in probation, regular or resigning today
}

// Reporting returns the name, department and manager of employees today
// (for the approval directory: no permission check, the caller is the
// system). Unknown ids are left out.
func (s *Service) Reporting(ctx context.Context, employeeIDs []ids.ID) (map[ids.ID]Reporting, error) {
	out := map[ids.ID]Reporting{}
	if len(employeeIDs) == 0 {
		return out, nil
	}
	if err := s.ensureCurrent(ctx); err != nil {
		return nil, err
	}
	list, err := s.store.Brief(ctx, employeeIDs)
	if err != nil {
		return nil, err
	}
	for _, e := range list {
		out[e.ID] = Reporting{ID: e.ID, Name: e.Name, DepartmentID: e.DepartmentID, ManagerID: e.ManagerID, Active: e.Job.Active()}
	}
	return out, nil
}

// onBehalf lets the module's own actions run for an approval: with every
// permission (the approval is the authority) but recorded under the
// approver who decided.
func onBehalf(ctx context.Context) context.Context {
	p := rbac.From(ctx)
	sp := rbac.SystemPrincipal(p.TenantID, p.Login)
	sp.UserID, sp.DisplayName, sp.EmployeeID, sp.DepartmentID = p.UserID, p.DisplayName, p.EmployeeID, p.DepartmentID
	sp.Locale, sp.TimeZone = p.Locale, p.TimeZone
	return rbac.WithPrincipal(ctx, sp)
}

// fieldString reads a text field of a request.
func fieldString(fields map[string]any, name string) string {
	switch v := fields[name].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// fieldID reads an id field (a string; numbers lose precision in JSON).
func fieldID(f *errs.Fields, fields map[string]any, name string) ids.ID {
	s := strings.TrimSpace(fieldString(fields, name))
	if s == "" {
		return 0
	}
	id, err := ids.Parse(s)
	if err != nil || id == 0 {
		f.Add(name, "invalid_format")
		return 0
	}
	return id
}

// fieldDate reads a YYYY-MM-DD field.
func fieldDate(f *errs.Fields, fields map[string]any, name string, required bool) civil.Date {
	s := strings.TrimSpace(fieldString(fields, name))
	if s == "" {
		if required {
			f.Add(name, "required")
		}
		return civil.Date{}
	}
	d, err := civil.Parse(s)
	if err != nil {
		f.Add(name, "invalid_date")
	}
	return d
}

// selfApplicant is the applicant's own record for self-service requests.
func (s *Service) selfApplicant(ctx context.Context) (*rbac.Principal, *Employee, error) {
	p, e, err := s.self(ctx, PermSelfUpdate)
	if err != nil {
		return nil, nil, err
	}
	return p, e, nil
}

// ---- bank-account change

type bankType struct{ s *Service }

func (t *bankType) Info() approval.TypeInfo {
	return approval.TypeInfo{Code: TypeBankAccount, Label: "employee.request.bank_account",
		Fields: []approval.FieldSpec{{Name: "bankName", Kind: approval.KindString, Label: "field.bankName"}},
		DefaultFlow: approval.Definition{
			Branches: []approval.Branch{{Nodes: []approval.Node{
				{Name: "人事审核", Mode: approval.ModeAny, Approvers: []approval.Approver{approval.Role(rbac.HRAdmin)}},
			}}},
			Fallback: []approval.Approver{approval.Role(rbac.HRAdmin)},
		}}
}

// Validate seals the new account into a bank request (one open request
// per employee) and keeps only its masked form in the approval. On a
// resubmission the masked value stands for the account given before.
func (t *bankType) Validate(ctx context.Context, in *approval.Instance) error {
	s := t.s
	p, e, err := s.selfApplicant(ctx)
	if err != nil {
		return err
	}
	in.SubjectEmployeeID = e.ID
	name := fieldString(in.Fields, "bankName")
	raw := fieldString(in.Fields, "bankAccount")
	var f errs.Fields
	text(&f, "bankName", &name, 100, true)
	var sealed, acc string
	if prev := in.ObjectID; prev != "" {
		if id, err := ids.Parse(prev); err == nil {
			if b, err := s.store.BankRequest(ctx, id); err == nil {
				old, err := s.keys.Decrypt(ctx, crypto.AAD(colRequestAccount.Table, colRequestAccount.Column, b.TenantID), b.BankAccountEnc)
				if err != nil {
					return err
				}
				if raw == MaskBankAccount(old) {
					sealed, acc = b.BankAccountEnc, old
				}
			}
		}
	}
	if sealed == "" {
		var ok bool
		acc, ok = BankAccount(raw)
		f.Check(ok, "bankAccount", "employee.invalid_bank_account")
	}
	if err := f.Err(); err != nil {
		return err
	}
	open, _, err := s.store.BankRequests(ctx, BankRequestFilter{EmployeeID: e.ID, Status: RequestPending, Page: 1, Size: 1})
	if err != nil {
		return err
	}
	if len(open) > 0 {
		return errs.E(errs.Conflict, "employee.bank_request_open")
	}
	if sealed == "" {
		if sealed, err = s.keys.Encrypt(crypto.AAD(colRequestAccount.Table, colRequestAccount.Column, p.TenantID), acc); err != nil {
			return err
		}
	}
	b := &BankRequest{TenantID: p.TenantID, ID: ids.New(), EmployeeID: e.ID, BankName: name, BankAccountEnc: sealed,
		Status: RequestPending, RequestedBy: p.UserID, RequestedAt: s.nowUTC(), BankAccount: acc}
	if err := s.store.InsertBankRequest(ctx, b); err != nil {
		return err
	}
	in.ObjectID, in.Title = b.ID.String(), e.Name
	in.Fields = map[string]any{"bankName": name, "bankAccount": MaskBankAccount(acc), "requestId": b.ID.String()}
	return s.audit.Record(ctx, audit.Event{Action: "create", ObjectType: ObjectBankRequest, ObjectID: b.ID.String(),
		Diff: audit.Diff(nil, b)})
}

func (t *bankType) request(ctx context.Context, in *approval.Instance) (*BankRequest, error) {
	id, err := ids.Parse(in.ObjectID)
	if err != nil {
		return nil, errs.NotFoundf("object.bank_request")
	}
	return t.s.store.BankRequest(ctx, id)
}

// OnApproved changes the employee's bank account (sealed, audited).
func (t *bankType) OnApproved(ctx context.Context, in *approval.Instance) error {
	b, err := t.request(ctx, in)
	if err != nil {
		return err
	}
	_, err = t.s.decideBankRequest(ctx, b, RequestApproved, in.Decision.Comment, in.Decision.ActorUserID)
	return err
}

// OnRejected closes the bank request: rejected, or withdrawn.
func (t *bankType) OnRejected(ctx context.Context, in *approval.Instance) error {
	b, err := t.request(ctx, in)
	if err != nil {
		return err
	}
	if b.Status != RequestPending {
		return nil // withdrawn after a rejection: already closed
	}
	status := RequestRejected
	if in.State == approval.StateWithdrawn {
		status = RequestWithdrawn
	}
	_, err = t.s.decideBankRequest(ctx, b, status, in.Decision.Comment, in.Decision.ActorUserID)
	return err
}

// decideBankRequest closes a pending request; approved, the account is
// applied to the record in the same transaction (sealed, audited).
func (s *Service) decideBankRequest(ctx context.Context, b *BankRequest, status, comment string, by ids.ID) (*BankRequest, error) {
	e, err := s.store.LockEmployee(ctx, b.EmployeeID)
	if err != nil {
		return nil, err
	}
	if b.Status != RequestPending {
		return nil, errs.E(errs.Conflict, "employee.request_reviewed", errs.Params{"status": b.Status})
	}
	now := s.nowUTC()
	b.Status, b.Comment, b.ReviewedBy, b.ReviewedAt = status, comment, by, &now
	if err := s.store.UpdateBankRequest(ctx, b); err != nil {
		return nil, err
	}
	if err := s.describeRequest(ctx, b, map[ids.ID]*Employee{e.ID: e}); err != nil {
		return nil, err
	}
	action := ActionReject
	switch status {
	case RequestApproved:
		action = ActionApprove
		acc, err := s.keys.Decrypt(ctx, crypto.AAD(colRequestAccount.Table, colRequestAccount.Column, b.TenantID), b.BankAccountEnc)
		if err != nil {
			return nil, err
		}
		if err := s.open(ctx, e); err != nil {
			return nil, err
		}
		before := *e
		e.BankName, e.BankAccount = b.BankName, acc
		if err := s.seal(e); err != nil {
			return nil, err
		}
		e.Version++
		e.UpdatedAt = now
		if err := s.store.UpdateEmployee(ctx, e); err != nil {
			return nil, err
		}
		if err := s.audit.Record(ctx, audit.Event{Action: "update", ObjectType: ObjectEmployee, ObjectID: e.ID.String(),
			Diff: audit.Diff(&before, e)}); err != nil {
			return nil, err
		}
	case RequestWithdrawn:
		action = "withdraw"
	}
	diff := map[string]any{"status": audit.Change{Before: RequestPending, After: status}, "employeeId": e.ID}
	return b, s.audit.Record(ctx, audit.Event{Action: action, ObjectType: ObjectBankRequest, ObjectID: b.ID.String(), Diff: diff})
}

// submitBankChange sends a bank-account change through the engine and
// answers the request it created.
func (s *Service) submitBankChange(ctx context.Context, a *approval.Service, in BankRequestInput) (*BankRequest, error) {
	d, err := a.Submit(ctx, approval.Submission{Type: TypeBankAccount, Fields: map[string]any{"bankName": in.BankName, "bankAccount": in.BankAccount}})
	if err != nil {
		return nil, err
	}
	id, err := ids.Parse(d.ObjectID)
	if err != nil {
		return nil, err
	}
	b, err := s.store.BankRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	e, err := s.store.Employee(ctx, b.EmployeeID)
	if err != nil {
		return nil, err
	}
	return b, s.describeRequest(ctx, b, map[ids.ID]*Employee{e.ID: e})
}

// reviewThroughApprovals decides a bank request that has an approval:
// the reviewer acts on it as an approver (403 unless he is the current
// one). ok is false for requests made before the engine was in use.
func (s *Service) reviewThroughApprovals(ctx context.Context, id ids.ID, approve bool, comment string) (*BankRequest, bool, error) {
	a := s.approvals()
	if a == nil {
		return nil, false, nil
	}
	in, err := a.InstanceForObject(ctx, TypeBankAccount, id.String())
	if errs.KindOf(err) == errs.NotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	if approve {
		_, err = a.Approve(ctx, in.ID, approval.Act{Comment: comment})
	} else {
		_, err = a.Reject(ctx, in.ID, approval.Act{Comment: comment})
	}
	if err != nil {
		return nil, true, err
	}
	b, err := s.store.BankRequest(ctx, id)
	if err != nil {
		return nil, true, err
	}
	return b, true, s.describeRequest(ctx, b, nil)
}

// ---- transfers and promotions

type transferType struct {
	s      *Service
	code   string
	reason string
}

func (t *transferType) Info() approval.TypeInfo {
	label := "employee.request.transfer"
	if t.code == TypePromotion {
		label = "employee.request.promotion"
	}
	return approval.TypeInfo{Code: t.code, Label: label, SubjectField: "employeeId",
		Fields: []approval.FieldSpec{
			{Name: "employeeId", Kind: approval.KindEmployee, Label: "field.employeeId"},
			{Name: "departmentId", Kind: approval.KindDepartment, Label: "field.departmentId"},
			{Name: "positionId", Kind: approval.KindString, Label: "field.positionId"},
			{Name: "gradeId", Kind: approval.KindString, Label: "field.gradeId"},
			{Name: "managerId", Kind: approval.KindEmployee, Label: "field.managerId"},
			{Name: "effectiveDate", Kind: approval.KindDate, Label: "field.effectiveDate"},
			{Name: "reason", Kind: approval.KindString, Label: "field.reason"},
		},
		DefaultFlow: approval.Definition{
			Branches: []approval.Branch{{Nodes: []approval.Node{
				// The manager who submits is skipped automatically.
				{Name: "直属上级", Mode: approval.ModeAny, Approvers: []approval.Approver{approval.Manager(1)}},
				{Name: "人事", Mode: approval.ModeAny, Approvers: []approval.Approver{approval.Role(rbac.HRAdmin)}},
				{Name: "调入部门负责人", Mode: approval.ModeAny, Approvers: []approval.Approver{approval.DepartmentHead(0, "departmentId")}},
			}}},
			Fallback: []approval.Approver{approval.Role(rbac.HRAdmin)},
		}}
}

// transferFrom reads the request's fields into a lifecycle transfer.
func (t *transferType) transferFrom(f *errs.Fields, fields map[string]any) (ids.ID, Transfer) {
	emp := fieldID(f, fields, "employeeId")
	if emp == 0 && !f.Has("employeeId") {
		f.Add("employeeId", "required")
	}
	tr := Transfer{Reason: t.reason, EffectiveDate: fieldDate(f, fields, "effectiveDate", true), Note: fieldString(fields, "note")}
	// A transfer request may also be a promotion or a demotion (the
	// change reasons of the lifecycle); a promotion request is one.
	if r := strings.TrimSpace(fieldString(fields, "reason")); r != "" && t.code == TypeTransfer {
		if slices.Contains([]string{ReasonTransfer, ReasonPromote, ReasonDemote}, r) {
			tr.Reason = r
		} else {
			f.Add("reason", "invalid_choice")
		}
	}
	for _, x := range []struct {
		name string
		dst  **ids.ID
	}{{"departmentId", &tr.DepartmentID}, {"positionId", &tr.PositionID}, {"gradeId", &tr.GradeID}, {"managerId", &tr.ManagerID}} {
		if id := fieldID(f, fields, x.name); id != 0 {
			v := id
			*x.dst = &v
		}
	}
	return emp, tr
}

// Validate checks the applicant may ask (the employee's manager, at any
// level, or someone who manages the employee's lifecycle in scope) and
// that the change could be recorded on its date.
func (t *transferType) Validate(ctx context.Context, in *approval.Instance) error {
	s := t.s
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return err
	}
	var f errs.Fields
	empID, tr := t.transferFrom(&f, in.Fields)
	text(&f, "note", &tr.Note, 500, false)
	if empID == 0 {
		return f.Err()
	}
	if err := s.ensureCurrent(ctx); err != nil {
		return err
	}
	e, err := s.store.Employee(ctx, empID)
	if errs.KindOf(err) == errs.NotFound {
		return errs.InvalidField("employeeId", "invalid_choice")
	}
	if err != nil {
		return err
	}
	if err := s.mayRequestFor(ctx, p, e); err != nil {
		return err
	}
	today := s.today(ctx)
	if !tr.EffectiveDate.IsZero() && tr.EffectiveDate.Before(today) {
		f.Add("effectiveDate", "employee.effective_date_past")
	}
	if tr.Reason == ReasonPromote && tr.GradeID == nil && !f.Has("gradeId") {
		f.Add("gradeId", "required")
	}
	if err := f.Err(); err != nil {
		return err
	}
	rows, err := s.store.Assignments(ctx, e.ID)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return errs.E(errs.Conflict, "employee.wrong_status", errs.Params{"status": ""})
	}
	last := rows[len(rows)-1]
	if !slices.Contains([]string{StatusProbation, StatusRegular, StatusResigning}, last.Status) {
		return errs.E(errs.Conflict, "employee.wrong_status", errs.Params{"status": last.Status})
	}
	if !tr.EffectiveDate.After(last.ValidFrom) {
		params := errs.Params{"date": last.ValidFrom.String()}
		return &errs.Error{Kind: errs.Conflict, Code: "employee.conflicting_change", Params: params,
			Fields: []errs.FieldError{{Field: "effectiveDate", Code: "employee.conflicting_change", Params: params}}}
	}
	job := last.Job
	old := job
	for _, x := range []struct {
		dst *ids.ID
		v   *ids.ID
	}{{&job.DepartmentID, tr.DepartmentID}, {&job.PositionID, tr.PositionID}, {&job.GradeID, tr.GradeID}, {&job.ManagerID, tr.ManagerID}} {
		if x.v != nil {
			*x.dst = *x.v
		}
	}
	if job == old {
		f.Add("departmentId", "employee.nothing_changes")
		return f.Err()
	}
	if job.DepartmentID != old.DepartmentID {
		job.LegalEntityID, job.LocationID = 0, 0
	}
	if err := s.checkJob(ctx, &f, &job, tr.EffectiveDate, e.ID, true); err != nil {
		return err
	}
	if (tr.Reason == ReasonPromote || tr.Reason == ReasonDemote) && job.GradeID != old.GradeID && old.GradeID != 0 && s.org != nil {
		from, err1 := s.names.fresh(ctx, kindGrade, old.GradeID)
		to, err2 := s.names.fresh(ctx, kindGrade, job.GradeID)
		switch {
		case err1 != nil || err2 != nil:
		case tr.Reason == ReasonPromote && to.Rank <= from.Rank:
			f.Add("gradeId", "employee.not_a_promotion")
		case tr.Reason == ReasonDemote && to.Rank >= from.Rank:
			f.Add("gradeId", "employee.not_a_demotion")
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	// Stored canonically: ids as strings, the date as YYYY-MM-DD.
	fields := map[string]any{"employeeId": e.ID.String(), "effectiveDate": tr.EffectiveDate.String(), "reason": tr.Reason}
	if tr.Note != "" {
		fields["note"] = tr.Note
	}
	for name, v := range map[string]*ids.ID{"departmentId": tr.DepartmentID, "positionId": tr.PositionID, "gradeId": tr.GradeID, "managerId": tr.ManagerID} {
		if v != nil {
			fields[name] = v.String()
		}
	}
	in.Fields, in.SubjectEmployeeID, in.Title = fields, e.ID, e.Name
	return nil
}

// mayRequestFor allows a transfer request for someone the applicant
// manages (directly or not) or whose lifecycle he manages in scope.
// Someone he cannot see at all answers 404.
func (s *Service) mayRequestFor(ctx context.Context, p *rbac.Principal, e *Employee) error {
	if sc, ok := p.Scope(PermLifecycle); ok && visible(sc, p, e) {
		return nil
	}
	if p.EmployeeID != 0 && p.EmployeeID != e.ID {
		at := e.ManagerID
		for depth := 0; at != 0 && depth < 20; depth++ {
			if at == p.EmployeeID {
				return nil
			}
			list, err := s.store.Brief(ctx, []ids.ID{at})
			if err != nil {
				return err
			}
			if len(list) == 0 {
				break
			}
			at = list[0].ManagerID
		}
	}
	if sc, ok := p.Scope(PermRead); ok && visible(sc, p, e) {
		return errs.E(errs.Forbidden, "employee.request_not_allowed")
	}
	return errs.InvalidField("employeeId", "invalid_choice")
}

// OnApproved records the transfer (scheduled when dated later) as the
// approver, inside the approval's transaction.
func (t *transferType) OnApproved(ctx context.Context, in *approval.Instance) error {
	var f errs.Fields
	empID, tr := t.transferFrom(&f, in.Fields)
	if err := f.Err(); err != nil {
		return err
	}
	tr.Note = strings.TrimSpace(tr.Note + " " + i18n.T(i18n.FromContext(ctx), "employee.request.approved_by", errs.Params{"id": in.ID.String()}))
	_, err := t.s.Transfer(onBehalf(ctx), empID, tr)
	return err
}

func (t *transferType) OnRejected(context.Context, *approval.Instance) error { return nil }

// ---- resignation

type resignType struct{ s *Service }

func (t *resignType) Info() approval.TypeInfo {
	return approval.TypeInfo{Code: TypeResignation, Label: "employee.request.resignation",
		Fields: []approval.FieldSpec{
			{Name: "leaveDate", Kind: approval.KindDate, Label: "field.leaveDate"},
			{Name: "reason", Kind: approval.KindString, Label: "field.reason"},
		},
		DefaultFlow: approval.Definition{
			Branches: []approval.Branch{{Nodes: []approval.Node{
				{Name: "直属上级", Mode: approval.ModeAny, Approvers: []approval.Approver{approval.Manager(1)}},
				{Name: "人事", Mode: approval.ModeAny, Approvers: []approval.Approver{approval.Role(rbac.HRAdmin)}},
			}}},
			Fallback: []approval.Approver{approval.Role(rbac.HRAdmin)},
		}}
}

// Validate checks the applicant may resign on that day: in probation or
// regular, the last working day from today on and after his latest change.
func (t *resignType) Validate(ctx context.Context, in *approval.Instance) error {
	s := t.s
	_, e, err := s.selfApplicant(ctx)
	if err != nil {
		return err
	}
	var f errs.Fields
	leave := fieldDate(&f, in.Fields, "leaveDate", true)
	reason, note := fieldString(in.Fields, "reason"), fieldString(in.Fields, "note")
	text(&f, "reason", &reason, 200, false)
	text(&f, "note", &note, 500, false)
	if !leave.IsZero() && leave.Before(s.today(ctx)) {
		f.Add("leaveDate", "employee.effective_date_past")
	}
	if err := f.Err(); err != nil {
		return err
	}
	rows, err := s.store.Assignments(ctx, e.ID)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return errs.E(errs.Conflict, "employee.wrong_status", errs.Params{"status": ""})
	}
	last := rows[len(rows)-1]
	if last.Status != StatusProbation && last.Status != StatusRegular {
		return errs.E(errs.Conflict, "employee.wrong_status", errs.Params{"status": last.Status})
	}
	if !leave.AddDays(1).After(last.ValidFrom) {
		params := errs.Params{"date": last.ValidFrom.String()}
		return &errs.Error{Kind: errs.Conflict, Code: "employee.conflicting_change", Params: params,
			Fields: []errs.FieldError{{Field: "leaveDate", Code: "employee.conflicting_change", Params: params}}}
	}
	in.SubjectEmployeeID, in.Title = e.ID, e.Name
	in.Fields = map[string]any{"leaveDate": leave.String()}
	if reason != "" {
		in.Fields["reason"] = reason
	}
	if note != "" {
		in.Fields["note"] = note
	}
	return nil
}

// OnApproved records the resignation through the lifecycle action (the
// employee is resigning until the leave date, then has left).
func (t *resignType) OnApproved(ctx context.Context, in *approval.Instance) error {
	var f errs.Fields
	leave := fieldDate(&f, in.Fields, "leaveDate", true)
	if err := f.Err(); err != nil {
		return err
	}
	_, err := t.s.Resign(onBehalf(ctx), in.SubjectEmployeeID, Leave{LeaveDate: leave, Reason: fieldString(in.Fields, "reason"),
		Note: strings.TrimSpace(fieldString(in.Fields, "note") + " " + i18n.T(i18n.FromContext(ctx), "employee.request.approved_by", errs.Params{"id": in.ID.String()}))})
	return err
}

func (t *resignType) OnRejected(context.Context, *approval.Instance) error { return nil }

func init() {
	register(i18n.ZH, map[string]string{
		"employee.request.bank_account":     "银行卡变更",
		"employee.request.transfer":         "调岗申请",
		"employee.request.promotion":        "晋升申请",
		"employee.request.resignation":      "离职申请",
		"employee.request.approved_by":      "（审批单 {id}）",
		"employee.request_not_allowed":      "只有员工的上级或人事可以为其提交此申请",
		"employee.effective_date_past":      "{field}不能早于今天",
		"employee.request_status.withdrawn": "已撤回",
	})
	register(i18n.EN, map[string]string{
		"employee.request.bank_account":     "Bank account change",
		"employee.request.transfer":         "Transfer request",
		"employee.request.promotion":        "Promotion request",
		"employee.request.resignation":      "Resignation",
		"employee.request.approved_by":      "(approval {id})",
		"employee.request_not_allowed":      "Only the employee's managers or HR may submit this request",
		"employee.effective_date_past":      "{field} cannot be before today",
		"employee.request_status.withdrawn": "Withdrawn",
	})
}
