package employee

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// The contracts target ("contracts"): each row is a labour contract of
// an existing employee, recorded like the contract form does (kind and
// dates checked, no overlap with his other contracts, a term long enough
// for the probation agreed at hire; the sequence is renumbered by start
// date). A row identical to a contract he has is unchanged.

type contractTarget struct{ s *Service }

func (t *contractTarget) Name() string       { return TargetContracts }
func (t *contractTarget) Label() string      { return "employee.import.target.contracts" }
func (t *contractTarget) Keys() []string     { return []string{"employeeNo"} }
func (t *contractTarget) Permission() string { return PermContractEdit }
func (t *contractTarget) Columns(context.Context) ([]imports.Column, error) {
	return slices.Clone(contractCols()), nil
}

type contractState struct {
	cat   *catalogue
	added map[ids.ID][]Contract // contracts of rows checked so far
	lines map[string]int        // employee/start → line
}

type contractRow struct {
	id ids.ID
	n  NewContract
}

func (t *contractTarget) state(ctx context.Context, run *imports.Run) (*contractState, error) {
	return state(run, "employee."+TargetContracts, func() (*contractState, error) {
		cat, err := t.s.loadCatalogue(ctx)
		if err != nil {
			return nil, err
		}
		return &contractState{cat: cat, added: map[ids.ID][]Contract{}, lines: map[string]int{}}, nil
	})
}

func (t *contractTarget) Check(ctx context.Context, run *imports.Run, rows []imports.Row) ([]imports.Outcome, error) {
	s := t.s
	p, scope, err := rbac.Require(ctx, PermContractEdit)
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
	var nos []string
	for _, r := range rows {
		if v, ok := given(r, "employeeNo"); ok {
			nos = append(nos, v)
		}
	}
	found, err := s.store.EmployeesByNos(ctx, nos)
	if err != nil {
		return nil, err
	}
	byNo := byNumber(found)
	people := make([]ids.ID, 0, len(found))
	for _, e := range found {
		people = append(people, e.ID)
	}
	cs, err := s.store.ContractsOf(ctx, people)
	if err != nil {
		return nil, err
	}
	contracts := map[ids.ID][]Contract{}
	for _, c := range cs {
		contracts[c.EmployeeID] = append(contracts[c.EmployeeID], c)
	}
	as, err := s.store.AssignmentsOf(ctx, people)
	if err != nil {
		return nil, err
	}
	history := map[ids.ID][]Assignment{}
	for _, a := range as {
		history[a.EmployeeID] = append(history[a.EmployeeID], a)
	}
	outs := make([]imports.Outcome, len(rows))
	for i, r := range rows {
		o := t.checkRow(st, p, scope, r, byNo, contracts, history)
		if len(o.Errors) > 0 {
			o.Action, o.Data = imports.ActionFailed, nil
		}
		outs[i] = o
	}
	return outs, nil
}

func (t *contractTarget) checkRow(st *contractState, p *rbac.Principal, scope rbac.Scope, r imports.Row, byNo map[string]*Employee,
	contracts map[ids.ID][]Contract, history map[ids.ID][]Assignment) imports.Outcome {
	o := imports.Outcome{Action: imports.ActionNew}
	add := func(fe ...imports.FieldError) { o.Errors = append(o.Errors, fe...) }
	e := rowEmployee(r, contractDefs, byNo, p, scope, add)
	var n NewContract
	if v, ok := given(r, "kind"); ok {
		code, ok := enums()["contract_kind"].match(v)
		if !ok {
			add(cellError("kind", "invalid_choice"))
		}
		n.Kind = code
	}
	n.Number, _ = given(r, "number")
	n.Note, _ = given(r, "note")
	date := func(k string) civil.Date {
		v, ok := given(r, k)
		if !ok {
			return civil.Date{}
		}
		d, code := parseDate(v)
		if code != "" {
			add(cellError(k, code))
		}
		return d
	}
	n.StartDate, n.EndDate = date("startDate"), date("endDate")
	if v, ok := given(r, "signingEntity"); ok {
		id, fe := st.cat.entities.ref("signingEntity", v)
		if fe != nil {
			add(*fe)
		}
		n.SigningEntityID = id
	} else if e != nil {
		n.SigningEntityID = e.LegalEntityID
	}
	if v, ok := given(r, "sequence"); ok {
		// The sequence is the contract's place by start date, counted
		// by the module; the file's figure is read only as a number.
		if k, ok := parseCount(v); !ok || k < 1 {
			add(cellError("sequence", "imports.invalid_number"))
		}
	}
	var f errs.Fields
	n.check(&f, "")
	add(fieldsErrors(&f, nil)...)
	if len(o.Errors) > 0 || e == nil {
		return o
	}
	own := append(slices.Clone(contracts[e.ID]), st.added[e.ID]...)
	// The same contract recorded already: unchanged.
	for _, c := range contracts[e.ID] {
		if c.Kind == n.Kind && c.StartDate == n.StartDate && c.EndDate == n.EndDate && (n.Number == "" || c.Number == n.Number) &&
			(n.SigningEntityID == 0 || c.SigningEntityID == n.SigningEntityID) {
			o.Action = imports.ActionUnchanged
			return o
		}
	}
	key := e.ID.String() + "/" + n.StartDate.String()
	if line, dup := st.lines[key]; dup {
		add(cellError("startDate", "imports.duplicate_key", errs.Params{"line": line}))
		return o
	}
	st.lines[key] = r.Line
	c := Contract{ID: ids.New(), EmployeeID: e.ID, Kind: n.Kind, Number: n.Number, StartDate: n.StartDate, EndDate: n.EndDate,
		SigningEntityID: n.SigningEntityID, Status: ContractActive}
	if fe := checkContractRules(&c, own, history[e.ID]); fe != nil {
		add(*fe)
		return o
	}
	if len(r.Errors) > 0 {
		o.Action = imports.ActionFailed
		return o
	}
	st.added[e.ID] = append(st.added[e.ID], c)
	o.Data = &contractRow{id: e.ID, n: n}
	return o
}

// checkContractRules is checkContract on rows read in advance.
func checkContractRules(c *Contract, others []Contract, rows []Assignment) *imports.FieldError {
	for _, o := range others {
		if o.Status == ContractTerminated {
			continue
		}
		if overlaps(o.StartDate, o.EndDate, c.StartDate, c.EndDate) {
			fe := cellError("startDate", "employee.contract_overlap", errs.Params{"number": o.Number, "start": o.StartDate.String(), "end": o.EndDate.String()})
			return &fe
		}
	}
	for _, r := range rows {
		if r.ProbationMonths == 0 || r.HireDate.IsZero() || r.Reason != ReasonHire && r.Reason != ReasonExtendProbation {
			continue
		}
		if c.StartDate.After(r.HireDate) || (!c.EndDate.IsZero() && c.EndDate.Before(r.HireDate)) {
			continue
		}
		if limit := ProbationLimit(c.Kind, c.StartDate, c.EndDate); r.ProbationMonths > limit {
			fe := cellError("endDate", "employee.probation_exceeds_term", errs.Params{"months": r.ProbationMonths, "max": limit})
			return &fe
		}
	}
	return nil
}

// contractRecord is what a contract's change records.
type contractRecord struct {
	EmployeeID ids.ID     `json:"employeeId"`
	EmployeeNo string     `json:"employeeNo"`
	Name       string     `json:"name"`
	Number     string     `json:"number"`
	StartDate  civil.Date `json:"startDate"`
	EndDate    civil.Date `json:"endDate"`
}

func (t *contractTarget) Apply(ctx context.Context, run *imports.Run, rows []imports.Row, outs []imports.Outcome) ([]imports.Change, error) {
	s := t.s
	if _, _, err := rbac.Require(ctx, PermContractEdit); err != nil {
		return nil, err
	}
	var changes []imports.Change
	for _, o := range outs {
		x, ok := o.Data.(*contractRow)
		if !ok || o.Action != imports.ActionNew {
			continue
		}
		c, err := s.AddContract(ctx, x.id, x.n)
		if err != nil {
			return nil, err
		}
		e, err := s.store.Employee(ctx, x.id)
		if err != nil {
			return nil, err
		}
		changes = append(changes, imports.Change{ObjectType: ObjectContract, ObjectID: c.ID.String(), Action: imports.ActionNew,
			After: rawJSON(contractRecord{EmployeeID: e.ID, EmployeeNo: e.EmployeeNo, Name: e.Name, Number: c.Number,
				StartDate: c.StartDate, EndDate: c.EndDate}), Version: c.Version})
	}
	return changes, nil
}

// Rollback removes the contracts the import recorded, unless one was
// changed since, and renumbers the employees' other contracts.
func (t *contractTarget) Rollback(ctx context.Context, changes []imports.Change) error {
	s := t.s
	if _, _, err := rbac.Require(ctx, PermContractEdit); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		var conflicts []string
		var gone []*Contract
		for _, ch := range changes {
			if ch.ObjectType != ObjectContract {
				continue
			}
			id, err := ids.Parse(ch.ObjectID)
			if err != nil {
				return err
			}
			var rec contractRecord
			if err := json.Unmarshal(ch.After, &rec); err != nil {
				return err
			}
			c, err := s.store.Contract(ctx, id)
			if errs.KindOf(err) == errs.NotFound || (err == nil && c.Version != ch.Version) {
				conflicts = append(conflicts, nameOf(rec.EmployeeNo, rec.Name)+" "+rec.StartDate.String())
				continue
			} else if err != nil {
				return err
			}
			gone = append(gone, c)
		}
		if err := conflictNames(conflicts); err != nil {
			return err
		}
		touched := map[ids.ID]bool{}
		for _, c := range gone {
			if err := s.store.DeleteContract(ctx, c.ID); err != nil {
				return err
			}
			touched[c.EmployeeID] = true
			if err := s.audit.Record(ctx, audit.Event{Action: ActionImportRollback, ObjectType: ObjectContract, ObjectID: c.ID.String(),
				Diff: map[string]any{"employeeId": c.EmployeeID, "contract": audit.Diff(c, nil)}}); err != nil {
				return err
			}
		}
		for id := range touched {
			rest, err := s.store.Contracts(ctx, id)
			if err != nil {
				return err
			}
			if err := s.renumber(ctx, rest, nil); err != nil {
				return err
			}
		}
		return nil
	})
}
