package app

// Glue between the import engine (which depends only on the platform)
// and the modules' import targets: the department tree (org), the
// roster, job history and contracts (employee). Background runs act as
// the uploader, resolved by the account service.
//
// Wiring (internal/app/app.go):
//
//	App struct:                  Imports *imports.Service
//	New, after a.Approvals:      a.Imports = a.newImports()
//	registerJobs:                a.Imports.RegisterJobs(a.Jobs)
//	routes:                      importsapi.Routes(a.API, a.Imports)
//
// Modules register their predefined mappings themselves
// (imports.RegisterPreset, at init).

import (
	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/imports/importsdb"
	"github.com/renshi/renshi/internal/org"
)

// newImports builds the import engine on the app's job queue and file
// store and registers the modules' targets. Later modules (attendance
// punches, leave balances, payroll year-to-date) add theirs here.
func (a *App) newImports() *imports.Service {
	svc := imports.NewService(a.DB, importsdb.New(a.DB), a.Jobs, a.Files, a.Audit, imports.Options{Principals: a.Auth, Logger: a.Log})
	for _, t := range org.ImportTargets(a.Org) {
		svc.Register(t)
	}
	for _, t := range employee.ImportTargets(a.Employees) {
		svc.Register(t)
	}
	return svc
}
