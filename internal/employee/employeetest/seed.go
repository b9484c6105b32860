package employeetest

import (
	"context"
	"fmt"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Company is a seeded organisation.
type Company struct {
	Departments []ids.ID
	Employees   []ids.ID
}

// Seed builds n employees in ~n/50 departments of the env's org through
// employee.Service.Import, in batches of 5,000 inside one transaction:
// a hire (half with probation, regularised later), a transfer for one in
// five, a resignation for one in ten, and one or two contracts each.
func (e *Env) Seed(ctx context.Context, n int) (*Company, error) {
	c := &Company{}
	root := e.Org.AddDepartment("D0", "总部", 0)
	c.Departments = append(c.Departments, root)
	for i := 1; i < max(2, n/50); i++ {
		parent := c.Departments[(i-1)/8]
		c.Departments = append(c.Departments, e.Org.AddDepartment(fmt.Sprintf("D%d", i), fmt.Sprintf("部门%d", i), parent))
	}
	entity := e.Org.AddLegalEntity("仁时科技有限公司")
	g := NewPeople(42)
	today := e.Today()
	return c, e.DB.WithTx(ctx, func(ctx context.Context) error {
		batch := make([]employee.BulkEmployee, 0, n)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			_, err := e.Svc.Import(ctx, batch)
			batch = batch[:0]
			return err
		}
		for i := 0; i < n; i++ {
			p := g.Person(i)
			id := ids.New()
			c.Employees = append(c.Employees, id)
			dept := c.Departments[i%len(c.Departments)]
			hire := today.AddDays(-(i*37)%3650 - 1)
			var mgr ids.ID
			if i > 0 && i%7 != 0 {
				mgr = c.Employees[(i/7)*7]
			}
			job := employee.Job{LegalEntityID: entity, DepartmentID: dept, ManagerID: mgr, EmploymentType: employee.FullTime,
				Status: employee.StatusRegular, Period: 1, HireDate: hire}
			rows := []employee.Assignment{{ValidFrom: hire, Reason: employee.ReasonHire, Job: job}}
			if i%2 == 0 && hire.AddMonths(3).Before(today) {
				rows[0].Status, rows[0].ProbationMonths, rows[0].ProbationEndDate = employee.StatusProbation, 3, employee.ProbationEnd(hire, 3)
				r := rows[0]
				r.ValidFrom, r.Reason, r.Status, r.RegularisationDate = hire.AddMonths(3), employee.ReasonRegularise, employee.StatusRegular, hire.AddMonths(3)
				rows = append(rows, r)
			}
			last := rows[len(rows)-1]
			if i%5 == 1 && last.ValidFrom.AddDays(30).Before(today) {
				r := last
				r.ValidFrom, r.Reason, r.DepartmentID = last.ValidFrom.AddDays(30), employee.ReasonTransfer, c.Departments[(i+3)%len(c.Departments)]
				rows = append(rows, r)
				last = r
			}
			if i%10 == 3 && last.ValidFrom.AddDays(10).Before(today) {
				r := last
				r.ValidFrom, r.Reason, r.Status, r.LeaveDate = last.ValidFrom.AddDays(10), employee.ReasonResign, employee.StatusLeft, last.ValidFrom.AddDays(9)
				rows = append(rows, r)
			}
			contracts := []employee.Contract{{Kind: employee.FixedTerm, StartDate: hire, EndDate: hire.AddYears(3).AddDays(-1), SigningEntityID: entity}}
			if end := hire.AddYears(3); end.Before(today) {
				contracts = append(contracts, employee.Contract{Kind: employee.FixedTerm, StartDate: end, EndDate: end.AddYears(3).AddDays(-1), SigningEntityID: entity})
			}
			gender := employee.Female
			if p.Male {
				gender = employee.Male
			}
			batch = append(batch, employee.BulkEmployee{
				Employee: employee.Employee{ID: id, Name: p.Name, Gender: gender, BirthDate: p.Birth, IDType: employee.IDResident,
					IDNumber: p.IDNumber, Mobile: p.Mobile, Email: p.Email, BankName: "招商银行", BankAccount: fmt.Sprintf("6225%012d", i)},
				Assignments: rows, Contracts: contracts,
			})
			if len(batch) == cap(batch) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	})
}
