package employee

import (
	"context"
	"slices"
	"time"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// ContractList is an employee's contracts with the open-ended flag.
type ContractList struct {
	Items []Contract `json:"items"`
	// OpenEndedEligible: two consecutive fixed-term contracts are done
	// or running, so at the next renewal the employee may ask for an
	// open-ended contract (Labour Contract Law art. 14).
	OpenEndedEligible bool `json:"openEndedEligible"`
}

// readableFor returns an employee whose sub-records (contracts,
// documents) the caller may read under perm: in scope, or his own
// (self-service). Others are not found.
func (s *Service) readableFor(ctx context.Context, id ids.ID, perm string) (*rbac.Principal, *Employee, error) {
	p, e, self, err := s.readable(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if self {
		return p, e, nil
	}
	scope, ok := p.Scope(perm)
	if !ok {
		return nil, nil, errs.Denied(perm)
	}
	if !visible(scope, p, e) {
		return nil, nil, errs.NotFoundf("object.employee")
	}
	return p, e, nil
}

// Contracts lists an employee's labour contracts in order.
func (s *Service) Contracts(ctx context.Context, id ids.ID) (*ContractList, error) {
	_, e, err := s.readableFor(ctx, id, PermContractRead)
	if err != nil {
		return nil, err
	}
	return s.contractList(ctx, e)
}

func (s *Service) contractList(ctx context.Context, e *Employee) (*ContractList, error) {
	list, err := s.store.Contracts(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	today := s.today(ctx)
	for i := range list {
		list[i].Status = list[i].StatusOn(today)
		list[i].SigningEntityName = s.names.name(ctx, kindLegalEntity, list[i].SigningEntityID)
	}
	if list == nil {
		list = []Contract{}
	}
	return &ContractList{Items: list, OpenEndedEligible: OpenEndedEligible(list)}, nil
}

// AddContract records a labour contract.
func (s *Service) AddContract(ctx context.Context, id ids.ID, n NewContract) (*Contract, error) {
	if err := s.ensureCurrent(ctx); err != nil {
		return nil, err
	}
	var out *Contract
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		p, e, err := s.load(ctx, PermContractEdit, id, true)
		if err != nil {
			return err
		}
		if n.SigningEntityID == 0 {
			n.SigningEntityID = e.LegalEntityID
		}
		c, err := s.addContract(ctx, p, e, n, s.nowUTC())
		if err != nil {
			return err
		}
		out = c
		return s.audit.Record(ctx, audit.Event{Action: "create", ObjectType: ObjectContract, ObjectID: c.ID.String(),
			Diff: map[string]any{"employeeId": e.ID, "contract": audit.Diff(nil, c)}})
	})
	if err != nil {
		return nil, err
	}
	out.Status = out.StatusOn(s.today(ctx))
	out.SigningEntityName = s.names.name(ctx, kindLegalEntity, out.SigningEntityID)
	return out, nil
}

// addContract validates and stores a contract inside the caller's
// transaction (hire, rehire, or on its own) and renumbers the sequence.
func (s *Service) addContract(ctx context.Context, p *rbac.Principal, e *Employee, n NewContract, now time.Time) (*Contract, error) {
	var f errs.Fields
	n.check(&f, "")
	if n.SigningEntityID != 0 {
		if _, err := s.names.fresh(ctx, kindLegalEntity, n.SigningEntityID); errs.KindOf(err) == errs.NotFound {
			f.Add("signingEntityId", "invalid_choice")
		} else if err != nil {
			return nil, err
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	existing, err := s.store.Contracts(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	c := &Contract{TenantID: p.TenantID, ID: ids.New(), EmployeeID: e.ID, Kind: n.Kind, Number: n.Number, StartDate: n.StartDate,
		EndDate: n.EndDate, SigningEntityID: n.SigningEntityID, Status: ContractActive, Note: n.Note, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.checkContract(ctx, e, c, existing); err != nil {
		return nil, err
	}
	if err := s.store.InsertContract(ctx, c); err != nil {
		return nil, err
	}
	return c, s.renumber(ctx, append(existing, *c), c)
}

// checkContract refuses a contract overlapping another (not ended
// early) and one whose term is too short for the probation agreed in it.
func (s *Service) checkContract(ctx context.Context, e *Employee, c *Contract, others []Contract) error {
	for _, o := range others {
		if o.ID == c.ID || o.Status == ContractTerminated || c.Status == ContractTerminated {
			continue
		}
		if overlaps(o.StartDate, o.EndDate, c.StartDate, c.EndDate) {
			params := errs.Params{"number": o.Number, "start": o.StartDate.String(), "end": o.EndDate.String()}
			return &errs.Error{Kind: errs.Conflict, Code: "employee.contract_overlap", Params: params,
				Fields: []errs.FieldError{{Field: "startDate", Code: "employee.contract_overlap", Params: params}}}
		}
	}
	rows, err := s.store.Assignments(ctx, e.ID)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.ProbationMonths == 0 || r.HireDate.IsZero() || r.Reason != ReasonHire && r.Reason != ReasonExtendProbation {
			continue
		}
		// The contract covering the hire date bounds the probation.
		if c.StartDate.After(r.HireDate) || (!c.EndDate.IsZero() && c.EndDate.Before(r.HireDate)) {
			continue
		}
		if limit := ProbationLimit(c.Kind, c.StartDate, c.EndDate); r.ProbationMonths > limit {
			return errs.InvalidField("endDate", "employee.probation_exceeds_term", errs.Params{"months": r.ProbationMonths, "max": limit})
		}
	}
	return nil
}

// overlaps reports whether [a1, a2] and [b1, b2] share a day (zero ends
// are open).
func overlaps(a1, a2, b1, b2 civil.Date) bool {
	return (a2.IsZero() || !b1.After(a2)) && (b2.IsZero() || !a1.After(b2))
}

// renumber stores each contract's sequence (1, 2, 3… by start date).
func (s *Service) renumber(ctx context.Context, list []Contract, added *Contract) error {
	slices.SortStableFunc(list, func(a, b Contract) int { return a.StartDate.Compare(b.StartDate) })
	seq := map[ids.ID]int{}
	for i, c := range list {
		if c.Sequence != i+1 {
			seq[c.ID] = i + 1
		}
		if added != nil && c.ID == added.ID {
			added.Sequence = i + 1
		}
	}
	if len(seq) == 0 {
		return nil
	}
	return s.store.SetSequences(ctx, seq)
}

// UpdateContract changes a contract (number, dates, signing entity,
// note, or ends it early).
func (s *Service) UpdateContract(ctx context.Context, id, contractID ids.ID, u ContractUpdate) (*Contract, error) {
	if err := s.ensureCurrent(ctx); err != nil {
		return nil, err
	}
	var out *Contract
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		_, e, err := s.load(ctx, PermContractEdit, id, true)
		if err != nil {
			return err
		}
		c, err := s.store.Contract(ctx, contractID)
		if err != nil || c.EmployeeID != e.ID {
			return errs.NotFoundf("object.contract")
		}
		if u.Version != c.Version {
			return errs.E(errs.Conflict, "stale")
		}
		before := *c
		if err := u.Apply(c); err != nil {
			return err
		}
		if u.SigningEntityID != nil && c.SigningEntityID != 0 {
			if _, err := s.names.fresh(ctx, kindLegalEntity, c.SigningEntityID); errs.KindOf(err) == errs.NotFound {
				return errs.InvalidField("signingEntityId", "invalid_choice")
			} else if err != nil {
				return err
			}
		}
		others, err := s.store.Contracts(ctx, e.ID)
		if err != nil {
			return err
		}
		if err := s.checkContract(ctx, e, c, others); err != nil {
			return err
		}
		c.Version++
		c.UpdatedAt = s.nowUTC()
		if err := s.store.UpdateContract(ctx, c); err != nil {
			return err
		}
		for i := range others {
			if others[i].ID == c.ID {
				others[i] = *c
			}
		}
		if err := s.renumber(ctx, others, c); err != nil {
			return err
		}
		out = c
		return s.audit.Record(ctx, audit.Event{Action: "update", ObjectType: ObjectContract, ObjectID: c.ID.String(), Diff: audit.Diff(&before, c)})
	})
	if err != nil {
		return nil, err
	}
	out.Status = out.StatusOn(s.today(ctx))
	out.SigningEntityName = s.names.name(ctx, kindLegalEntity, out.SigningEntityID)
	return out, nil
}

// Agreements lists an employee's confidentiality and non-compete
// agreements.
func (s *Service) Agreements(ctx context.Context, id ids.ID) ([]Agreement, error) {
	_, e, err := s.readableFor(ctx, id, PermContractRead)
	if err != nil {
		return nil, err
	}
	list, err := s.store.Agreements(ctx, e.ID)
	if list == nil {
		list = []Agreement{}
	}
	return list, err
}

// AddAgreement records an agreement.
func (s *Service) AddAgreement(ctx context.Context, id ids.ID, n NewAgreement) (*Agreement, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	if err := s.ensureCurrent(ctx); err != nil {
		return nil, err
	}
	var out *Agreement
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		p, e, err := s.load(ctx, PermContractEdit, id, true)
		if err != nil {
			return err
		}
		a := &Agreement{TenantID: p.TenantID, ID: ids.New(), EmployeeID: e.ID, Kind: n.Kind, StartDate: n.StartDate, EndDate: n.EndDate,
			Compensation: n.Compensation, Note: n.Note, CreatedAt: s.nowUTC()}
		if err := s.store.InsertAgreement(ctx, a); err != nil {
			return err
		}
		out = a
		return s.audit.Record(ctx, audit.Event{Action: "create", ObjectType: ObjectAgreement, ObjectID: a.ID.String(),
			Diff: map[string]any{"employeeId": e.ID, "agreement": audit.Diff(nil, a)}})
	})
	return out, err
}
