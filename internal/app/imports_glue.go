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
	"crypto/sha256"
	"path/filepath"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/imports/importsdb"
	"github.com/renshi/renshi/internal/org"
)

// newImports builds the import engine on the app's job queue and file
// store and registers the modules' targets. Later modules (attendance
// punches, leave balances, payroll year-to-date) add theirs here.
func (a *App) newImports() *imports.Service {
	// Spills sit beside the uploaded files (data/import-spills) and are sealed with a key
	// derived from the key ring, so every process of this installation
	// (same data directory, same master key) can replay another's dry
	// run, and a restart does not lose them.
	spillKey := sha256.Sum256([]byte(a.Keys.BlindIndex("imports.spill", "key")))
	svc := imports.NewService(a.DB, importsdb.New(a.DB), a.Jobs, a.Files, a.Audit, imports.Options{Principals: a.Auth, Logger: a.Log,
		SpillDir: filepath.Join(filepath.Dir(a.Config.FilesDir), "import-spills"), SpillKey: spillKey[:]})
	for _, t := range org.ImportTargets(a.Org) {
		svc.Register(t)
	}
	for _, t := range employee.ImportTargets(a.Employees) {
		svc.Register(t)
	}
	return svc
}
