package employee_test

import (
	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/org"
)

// The app passes the org service and the employee service to each other.
var (
	_ employee.Org      = (*org.Service)(nil)
	_ org.Headcount     = (*employee.Service)(nil)
	_ org.EmployeeNames = (*employee.Service)(nil)
)
