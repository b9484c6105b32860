package training

import (
	"context"
	"time"

	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Record is an employee's training record.
type Record struct {
	EmployeeID       ids.ID        `json:"employeeId"`
	EmployeeName     string        `json:"employeeName"`
	DepartmentName   string        `json:"departmentName"`
	Hours            float64       `json:"hours" doc:"credit hours of completed modules"`
	CompletedModules int           `json:"completedModules"`
	Certificates     []Certificate `json:"certificates"`
	Modules          []RecordRow   `json:"modules"`
}

// Certificate is a completed program.
type Certificate struct {
	ProgramID     ids.ID    `json:"programId"`
	ProgramTitle  string    `json:"programTitle"`
	CertificateNo string    `json:"certificateNo"`
	CompletedAt   time.Time `json:"completedAt"`
}

// RecordRow is one module of one program of one employee.
type RecordRow struct {
	EnrollmentID   ids.ID    `json:"-" bun:"enrollment_id"`
	EmployeeID     ids.ID    `json:"employeeId" bun:"employee_id"`
	EmployeeName   string    `json:"employeeName" bun:"employee_name"`
	DepartmentID   ids.ID    `json:"departmentId" bun:"department_id"`
	DepartmentName string    `json:"departmentName" bun:"-"`
	ProgramID      ids.ID    `json:"programId" bun:"program_id"`
	ProgramTitle   string    `json:"programTitle" bun:"program_title"`
	EnrollState    string    `json:"enrollmentState" bun:"enroll_state"`
	ModuleID       ids.ID    `json:"moduleId" bun:"module_id"`
	ModuleTitle    string    `json:"moduleTitle" bun:"module_title"`
	Kind           string    `json:"kind" bun:"kind"`
	CreditTenths   int       `json:"-" bun:"credit_tenths"`
	CreditHours    float64   `json:"creditHours" bun:"-"`
	MaterialsDone  int       `json:"materialsDone" bun:"materials_done"`
	MaterialsTotal int       `json:"materialsTotal" bun:"materials_total"`
	TestState      string    `json:"testState" bun:"test_state"`
	BestScore      int       `json:"bestScore" bun:"best_score"`
	Attempts       int       `json:"attempts" bun:"attempts"`
	HomeworkState  string    `json:"homeworkState" bun:"homework_state"`
	HomeworkScore  int       `json:"homeworkScore" bun:"homework_score"`
	CompletedAt    time.Time `json:"completedAt" bun:"completed_at"`
}

// EmployeeRecord reads an employee's record (their own, or in scope).
func (s *Service) EmployeeRecord(ctx context.Context, employeeID ids.ID) (*Record, error) {
	person, err := s.scopeEmployee(ctx, employeeID)
	if err != nil {
		return nil, err
	}
	out := &Record{EmployeeID: employeeID, EmployeeName: person.Name, Certificates: []Certificate{}, Modules: []RecordRow{}}
	if person.DepartmentID != 0 {
		names, err := s.people.DepartmentNames(ctx, []ids.ID{person.DepartmentID})
		if err != nil {
			return nil, err
		}
		out.DepartmentName = names[person.DepartmentID]
	}
	err = s.store.EachRecordRow(ctx, RecordFilter{EmployeeID: employeeID}, func(r *RecordRow) error {
		r.CreditHours = float64(r.CreditTenths) / 10
		r.DepartmentName = out.DepartmentName
		if !r.CompletedAt.IsZero() {
			out.CompletedModules++
			out.Hours += r.CreditHours
		}
		out.Modules = append(out.Modules, *r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	ens, err := s.store.EmployeeEnrollments(ctx, employeeID)
	if err != nil {
		return nil, err
	}
	for _, e := range ens {
		if e.CertificateNo != "" {
			out.Certificates = append(out.Certificates, Certificate{ProgramID: e.ProgramID, ProgramTitle: e.ProgramTitle, CertificateNo: e.CertificateNo, CompletedAt: e.CompletedAt})
		}
	}
	return out, nil
}

// MyRecord is the caller's own record.
func (s *Service) MyRecord(ctx context.Context) (*Record, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if p.EmployeeID == 0 {
		return &Record{Certificates: []Certificate{}, Modules: []RecordRow{}}, nil
	}
	return s.EmployeeRecord(ctx, p.EmployeeID)
}

// RecordFilter narrows the training record export.
type RecordFilter struct {
	EmployeeID   ids.ID
	ProgramID    ids.ID
	DepartmentID ids.ID
	Departments  []ids.ID // read scope (nil: all); set by the service
}

// EachRecordRow streams training records in the caller's scope, one row
// per employee and module (the export for 10,000 employees).
func (s *Service) EachRecordRow(ctx context.Context, f RecordFilter, fn func(*RecordRow) error) error {
	_, scope, err := rbac.Require(ctx, PermProgramRead)
	if err != nil {
		return err
	}
	f.Departments = scopeDepartments(scope)
	names := map[ids.ID]string{}
	return s.store.EachRecordRow(ctx, f, func(r *RecordRow) error {
		if _, ok := names[r.DepartmentID]; !ok {
			m, err := s.people.DepartmentNames(ctx, []ids.ID{r.DepartmentID})
			if err != nil {
				return err
			}
			names[r.DepartmentID] = m[r.DepartmentID]
		}
		r.DepartmentName = names[r.DepartmentID]
		r.CreditHours = float64(r.CreditTenths) / 10
		return fn(r)
	})
}
