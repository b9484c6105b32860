package employee

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// BulkEmployee is one person for Import: the record (with the opened
// IDNumber and BankAccount; EmployeeNo generated when empty; ID kept when
// set, so rows can name each other as managers), the job history in date
// order (ValidFrom and Job set on each row; ids, ends and bookkeeping are
// filled in) and the contracts.
type BulkEmployee struct {
	Employee    Employee
	Assignments []Assignment
	Contracts   []Contract
}

// importChunk is how many people are prepared and written at a time.
const importChunk = 2000

// Import writes many employees at once, in the caller's transaction or
// its own, with one audit record: the demo seed and trusted importers use
// it. Profiles are normalised and checked like a form's; references to
// departments, positions and managers are the caller's to get right (they
// are not looked up one by one). An employee number or ID number already
// taken makes the whole batch fail. Preparing rows (checks, encryption,
// search tokens) overlaps with writing the previous chunk; the search
// tokens go in last, sorted, so their index fills in order. Pass all the
// rows in one call for the best speed.
func (s *Service) Import(ctx context.Context, list []BulkEmployee) (int, error) {
	p, _, err := rbac.Require(ctx, PermCreate)
	if err != nil {
		return 0, err
	}
	if len(list) == 0 {
		return 0, nil
	}
	today := s.today(ctx)
	now := s.nowUTC()
	var total struct{ employees, assignments, contracts int }
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.db.BulkLoad(ctx); err != nil {
			return err
		}
		need := 0
		for i := range list {
			if list[i].Employee.EmployeeNo == "" {
				need++
			}
		}
		var rule *NumberRule
		var next int64
		if need > 0 {
			var err error
			if rule, next, err = s.store.TakeNumbers(ctx, need); err != nil {
				return err
			}
		}
		for i := range list {
			if list[i].Employee.EmployeeNo == "" {
				list[i].Employee.EmployeeNo = rule.Format(next)
				next++
			}
		}
		type prepared struct {
			b   *Bulk
			err error
		}
		ch := make(chan prepared, 2)
		done := make(chan struct{})
		defer close(done)
		var tokens []Token
		go func() {
			defer close(ch)
			for start := 0; start < len(list); start += importChunk {
				b, err := s.prepareImport(p, list[start:min(start+importChunk, len(list))], start, today, now)
				if b != nil {
					tokens = append(tokens, b.Tokens...)
					b.Tokens = nil
				}
				select {
				case ch <- prepared{b, err}:
				case <-done:
					return
				}
				if err != nil {
					return
				}
			}
		}()
		for r := range ch {
			if r.err != nil {
				return r.err
			}
			if err := s.store.BulkInsert(ctx, r.b); err != nil {
				return err
			}
			total.employees += len(r.b.Employees)
			total.assignments += len(r.b.Assignments)
			total.contracts += len(r.b.Contracts)
		}
		// The producer is done (ch closed): tokens are ours now.
		s.changed(ctx, p.TenantID, false)
		slices.SortFunc(tokens, func(x, y Token) int { return strings.Compare(x.Token, y.Token) })
		if err := s.store.BulkInsert(ctx, &Bulk{Tokens: tokens}); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Action: ActionImport, ObjectType: ObjectEmployee,
			Diff: map[string]any{"employees": total.employees, "assignments": total.assignments, "contracts": total.contracts}})
	})
	if err != nil {
		return 0, err
	}
	return total.employees, nil
}

// prepareImport checks and completes one chunk of rows (offset numbers
// them in errors).
func (s *Service) prepareImport(p *rbac.Principal, list []BulkEmployee, offset int, today civil.Date, now time.Time) (*Bulk, error) {
	b := &Bulk{
		Employees:   make([]Employee, 0, len(list)),
		Assignments: make([]Assignment, 0, 2*len(list)),
		Contracts:   make([]Contract, 0, 2*len(list)),
		Tokens:      make([]Token, 0, 8*len(list)),
	}
	for i := range list {
		x := &list[i]
		e := x.Employee
		if len(x.Assignments) == 0 {
			return nil, fmt.Errorf("employee import: row %d (%s) has no job history", offset+i, e.Name)
		}
		pr := profileOf(&e)
		var f errs.Fields
		checkProfile(&f, &pr, today)
		if err := f.Err(); err != nil {
			return nil, fmt.Errorf("employee import: row %d (%s): %w", offset+i, e.Name, err)
		}
		setProfile(&e, &pr)
		e.TenantID, e.Version, e.CreatedAt, e.UpdatedAt = p.TenantID, 1, now, now
		if e.ID == 0 {
			e.ID = ids.New()
		}
		e.NamePinyin = SortKey(e.Name)
		rows := slices.Clone(x.Assignments)
		for j := range rows {
			r := &rows[j]
			r.TenantID, r.EmployeeID, r.CreatedBy, r.CreatedAt = p.TenantID, e.ID, p.UserID, now
			if r.ID == 0 {
				r.ID = ids.New()
			}
			if r.Reason == "" {
				r.Reason = ReasonHire
			}
			if r.Period == 0 {
				r.Period = 1
			}
			r.ValidTo = civil.Date{}
			if j+1 < len(rows) {
				r.ValidTo = rows[j+1].ValidFrom
			}
		}
		setJob(&e, rows, today)
		if err := s.seal(&e); err != nil {
			return nil, err
		}
		plain := plainTokens(&e)
		e.SearchText = " " + strings.Join(plain, " ")
		for _, t := range plain {
			b.Tokens = append(b.Tokens, Token{TenantID: e.TenantID, Token: EncodeToken(t), EmployeeID: e.ID})
		}
		b.CustomValues = append(b.CustomValues, customRows(&e)...)
		list[i].Employee.ID = e.ID
		b.Employees = append(b.Employees, e)
		b.Assignments = append(b.Assignments, rows...)
		cs := slices.Clone(x.Contracts)
		slices.SortStableFunc(cs, func(a, c Contract) int { return a.StartDate.Compare(c.StartDate) })
		for j := range cs {
			c := &cs[j]
			c.TenantID, c.EmployeeID, c.Sequence, c.Version, c.CreatedAt, c.UpdatedAt = p.TenantID, e.ID, j+1, 1, now, now
			if c.ID == 0 {
				c.ID = ids.New()
			}
			if c.Status == "" {
				c.Status = ContractActive
			}
			if c.Kind == "" {
				c.Kind = FixedTerm
			}
		}
		b.Contracts = append(b.Contracts, cs...)
	}
	return b, nil
}
