package employee

import (
	"context"
	"slices"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Me is an employee's own record for self-service.
type Me struct {
	Detail
	History   []HistoryEntry `json:"history"`
	Contracts ContractList   `json:"contracts"`
	// Editable lists the profile fields the employee may change here
	// ("custom.<code>" for custom fields).
	Editable []string `json:"editable"`
	// PendingBankRequest is the open bank-account request, if any.
	PendingBankRequest *BankRequest `json:"pendingBankRequest,omitempty"`
}

// self returns the caller's own record.
func (s *Service) self(ctx context.Context, perm string) (*rbac.Principal, *Employee, error) {
	p, _, err := rbac.Require(ctx, perm)
	if err != nil {
		return nil, nil, err
	}
	if p.EmployeeID == 0 {
		return nil, nil, errs.E(errs.NotFound, "employee.no_record")
	}
	if err := s.ensureCurrent(ctx); err != nil {
		return nil, nil, err
	}
	e, err := s.store.Employee(ctx, p.EmployeeID)
	if errs.KindOf(err) == errs.NotFound {
		return nil, nil, errs.E(errs.NotFound, "employee.no_record")
	}
	return p, e, err
}

// editable lists what the employee may edit himself.
func (s *Service) editable(ctx context.Context) ([]string, error) {
	st, err := s.store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(st.SelfEditable)
	defs, err := s.fieldDefs(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range defs {
		if d.SelfEditable {
			out = append(out, "custom."+d.Code)
		}
	}
	return out, nil
}

// Me returns the caller's own record, job history and contracts.
func (s *Service) Me(ctx context.Context) (*Me, error) {
	_, e, err := s.self(ctx, PermSelfRead)
	if err != nil {
		return nil, err
	}
	today := s.today(ctx)
	d, err := s.detail(ctx, e, today, today)
	if err != nil {
		return nil, err
	}
	h, err := s.history(ctx, e)
	if err != nil {
		return nil, err
	}
	for i := range h {
		h[i].Cancellable = false
	}
	cs, err := s.contractList(ctx, e)
	if err != nil {
		return nil, err
	}
	ed, err := s.editable(ctx)
	if err != nil {
		return nil, err
	}
	out := &Me{Detail: *d, History: h, Contracts: *cs, Editable: ed}
	reqs, _, err := s.store.BankRequests(ctx, BankRequestFilter{EmployeeID: e.ID, Status: RequestPending, Page: 1, Size: 1})
	if err != nil {
		return nil, err
	}
	if len(reqs) > 0 {
		if err := s.describeRequest(ctx, &reqs[0], nil); err != nil {
			return nil, err
		}
		out.PendingBankRequest = &reqs[0]
	}
	return out, nil
}

// UpdateMe changes the caller's own profile fields the tenant allows.
func (s *Service) UpdateMe(ctx context.Context, u ProfileUpdate) (*Me, error) {
	_, e, err := s.self(ctx, PermSelfUpdate)
	if err != nil {
		return nil, err
	}
	st, err := s.store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.update(ctx, e.ID, u, PermSelfUpdate, func(field string) bool { return slices.Contains(st.SelfEditable, field) }); err != nil {
		return nil, err
	}
	return s.Me(ctx)
}

// BankRequestInput is an employee's new bank account.
type BankRequestInput struct {
	BankName    string
	BankAccount string
}

// RequestBankChange submits a bank-account change for HR to review (one
// open request at a time: a new one replaces nothing, it is refused).
func (s *Service) RequestBankChange(ctx context.Context, in BankRequestInput) (*BankRequest, error) {
	if a := s.approvals(); a != nil {
		// Through the approval engine: the request is one of its
		// instances (employee → HR); see requests.go.
		return s.submitBankChange(ctx, a, in)
	}
	p, e, err := s.self(ctx, PermSelfUpdate)
	if err != nil {
		return nil, err
	}
	var f errs.Fields
	text(&f, "bankName", &in.BankName, 100, true)
	acc, ok := BankAccount(in.BankAccount)
	f.Check(ok, "bankAccount", "employee.invalid_bank_account")
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out *BankRequest
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		open, _, err := s.store.BankRequests(ctx, BankRequestFilter{EmployeeID: e.ID, Status: RequestPending, Page: 1, Size: 1})
		if err != nil {
			return err
		}
		if len(open) > 0 {
			return errs.E(errs.Conflict, "employee.bank_request_open")
		}
		sealed, err := s.keys.Encrypt(crypto.AAD(colRequestAccount.Table, colRequestAccount.Column, p.TenantID), acc)
		if err != nil {
			return err
		}
		b := &BankRequest{TenantID: p.TenantID, ID: ids.New(), EmployeeID: e.ID, BankName: in.BankName, BankAccountEnc: sealed,
			Status: RequestPending, RequestedBy: p.UserID, RequestedAt: s.nowUTC(), BankAccount: acc}
		if err := s.store.InsertBankRequest(ctx, b); err != nil {
			return err
		}
		out = b
		return s.audit.Record(ctx, audit.Event{Action: "create", ObjectType: ObjectBankRequest, ObjectID: b.ID.String(), Diff: audit.Diff(nil, b)})
	})
	if err != nil {
		return nil, err
	}
	out.BankAccount = MaskBankAccount(acc)
	out.EmployeeNo, out.EmployeeName = e.EmployeeNo, e.Name
	return out, nil
}

// MyBankRequests lists the caller's own requests, newest first.
func (s *Service) MyBankRequests(ctx context.Context) ([]BankRequest, error) {
	_, e, err := s.self(ctx, PermSelfRead)
	if err != nil {
		return nil, err
	}
	list, _, err := s.store.BankRequests(ctx, BankRequestFilter{EmployeeID: e.ID, Page: 1, Size: 200})
	if err != nil {
		return nil, err
	}
	for i := range list {
		if err := s.describeRequest(ctx, &list[i], map[ids.ID]*Employee{e.ID: e}); err != nil {
			return nil, err
		}
	}
	if list == nil {
		list = []BankRequest{}
	}
	return list, nil
}

// describeRequest masks the account and names the employee.
func (s *Service) describeRequest(ctx context.Context, b *BankRequest, known map[ids.ID]*Employee) error {
	acc, err := s.keys.Decrypt(ctx, crypto.AAD(colRequestAccount.Table, colRequestAccount.Column, b.TenantID), b.BankAccountEnc)
	if err != nil {
		return err
	}
	b.BankAccount = MaskBankAccount(acc)
	if e := known[b.EmployeeID]; e != nil {
		b.EmployeeNo, b.EmployeeName = e.EmployeeNo, e.Name
	}
	return nil
}

// BankRequests lists requests for HR review, limited to the employees in
// the reviewer's scope.
func (s *Service) BankRequests(ctx context.Context, f BankRequestFilter) ([]BankRequest, int, error) {
	p, scope, err := rbac.Require(ctx, PermBankReview)
	if err != nil {
		return nil, 0, err
	}
	if f.Status != "" && !slices.Contains([]string{RequestPending, RequestApproved, RequestRejected, RequestWithdrawn}, f.Status) {
		return nil, 0, errs.InvalidField("status", "invalid_choice")
	}
	list, total, err := s.store.BankRequests(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	var empIDs []ids.ID
	for _, b := range list {
		empIDs = append(empIDs, b.EmployeeID)
	}
	brief, err := s.store.Brief(ctx, empIDs)
	if err != nil {
		return nil, 0, err
	}
	known := map[ids.ID]*Employee{}
	for i := range brief {
		known[brief[i].ID] = &brief[i]
	}
	out := list[:0]
	for i := range list {
		e := known[list[i].EmployeeID]
		if e == nil || !visible(scope, p, e) {
			total--
			continue
		}
		if err := s.describeRequest(ctx, &list[i], known); err != nil {
			return nil, 0, err
		}
		out = append(out, list[i])
	}
	if out == nil {
		out = []BankRequest{}
	}
	return out, total, nil
}

// ReviewBankRequest approves (the account is applied to the record in
// the same transaction) or rejects a pending request. A request made
// through the approval engine is decided there: the reviewer must be its
// current approver.
func (s *Service) ReviewBankRequest(ctx context.Context, id ids.ID, approve bool, comment string) (*BankRequest, error) {
	p, scope, err := rbac.Require(ctx, PermBankReview)
	if err != nil {
		return nil, err
	}
	var f errs.Fields
	text(&f, "comment", &comment, 500, !approve)
	if err := f.Err(); err != nil {
		return nil, err
	}
	if b, ok, err := s.reviewThroughApprovals(ctx, id, approve, comment); ok {
		return b, err
	}
	var out *BankRequest
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		b, err := s.store.BankRequest(ctx, id)
		if err != nil {
			return err
		}
		e, err := s.store.LockEmployee(ctx, b.EmployeeID)
		if err != nil {
			return err
		}
		if !visible(scope, p, e) {
			return errs.NotFoundf("object.bank_request")
		}
		status := RequestRejected
		if approve {
			status = RequestApproved
		}
		out, err = s.decideBankRequest(ctx, b, status, comment, p.UserID)
		return err
	})
	return out, err
}
