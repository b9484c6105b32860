// Package employeeapi exposes the employee module over HTTP: the roster
// and its search, records, the job history and lifecycle actions,
// contracts, agreements, documents, custom fields, saved views, exports,
// self-service, bank-account requests and the org chart.
package employeeapi

import (
	"net/http"
	"reflect"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/web"
)

type handlers struct{ svc *employee.Service }

// Routes registers the route table.
func Routes(api *web.API, svc *employee.Service) {
	aliasSchemas(api)
	h := &handlers{svc: svc}
	tags := []string{"employees"}
	o := func(method, path, id, summary, perm string, status int, maxBody int64) web.Op {
		return web.Op{Method: method, Path: path, ID: id, Summary: summary, Tags: tags, Permission: perm, Status: status, MaxBody: maxBody}
	}
	const (
		get, post, patch, del, put = http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodPut
		read, auth                 = employee.PermRead, web.Authenticated
	)
	// The roster.
	web.Register(api, o(get, "/employees", "list-employees", "List and search employees (name, pinyin, initials, number, mobile, email)", read, 0, 0), h.list)
	web.Register(api, o(post, "/employees", "create-employee", "Hire an employee", employee.PermCreate, 201, 0), h.create)
	web.Register(api, o(get, "/employees/export", "export-employees", "Export employees (masked unless unmasked=true with the sensitive permission; audited)", read, 0, 0), h.export)
	// Job changes of the whole tenant (within the caller's data scope).
	web.Register(api, o(get, "/employee-changes", "list-employee-changes", "Job changes (hire, transfer, promotion, resignation...) of the employees in the caller's scope, newest first", read, 0, 0), h.changes)
	web.Register(api, o(get, "/employee-changes/export", "export-employee-changes", "Export the job changes of the filter", read, 0, 0), h.exportChanges)
	// One record. Reading is open to every signed-in user: the service
	// answers 404 for anyone outside the caller's scope and not himself.
	web.Register(api, o(get, "/employees/{id}", "get-employee", "Get an employee (ID number and bank account masked)", auth, 0, 0), h.get)
	web.Register(api, o(patch, "/employees/{id}", "update-employee", "Edit an employee's profile", employee.PermUpdate, 0, 0), h.update)
	web.Register(api, o(get, "/employees/{id}/sensitive", "reveal-employee-sensitive", "Unmasked ID number and bank account (audited)", employee.PermReadSensitive, 0, 0), h.sensitive)
	web.Register(api, o(get, "/employees/{id}/history", "employee-history", "Job history: past, current and scheduled changes", auth, 0, 0), h.history)
	web.Register(api, o(del, "/employees/{id}/history/{entryId}", "cancel-employee-change", "Cancel a scheduled change", employee.PermLifecycle, 0, 0), h.cancel)
	web.Register(api, o(post, "/employees/{id}/regularise", "regularise-employee", "End probation (regularise)", employee.PermLifecycle, 0, 0), h.regularise)
	web.Register(api, o(post, "/employees/{id}/extend-probation", "extend-employee-probation", "Extend probation", employee.PermLifecycle, 0, 0), h.extendProbation)
	web.Register(api, o(post, "/employees/{id}/transfer", "transfer-employee", "Transfer, promote, demote, change manager, type or location", employee.PermLifecycle, 0, 0), h.transfer)
	web.Register(api, o(post, "/employees/{id}/resign", "resign-employee", "Record a resignation", employee.PermLifecycle, 0, 0), h.resign)
	web.Register(api, o(post, "/employees/{id}/terminate", "terminate-employee", "Terminate employment", employee.PermLifecycle, 0, 0), h.terminate)
	web.Register(api, o(post, "/employees/{id}/rehire", "rehire-employee", "Rehire someone who has left", employee.PermLifecycle, 0, 0), h.rehire)
	web.Register(api, o(get, "/employees/{id}/reports", "employee-reports", "Direct reports", read, 0, 0), h.reports)
	// Contracts, agreements, documents, photo.
	web.Register(api, o(get, "/employees/{id}/contracts", "list-employee-contracts", "Labour contracts (with the open-ended contract flag)", auth, 0, 0), h.contracts)
	web.Register(api, o(post, "/employees/{id}/contracts", "create-employee-contract", "Record a labour contract", employee.PermContractEdit, 201, 0), h.addContract)
	web.Register(api, o(patch, "/employees/{id}/contracts/{contractId}", "update-employee-contract", "Change a labour contract", employee.PermContractEdit, 0, 0), h.updateContract)
	web.Register(api, o(get, "/employees/{id}/agreements", "list-employee-agreements", "Confidentiality and non-compete agreements", auth, 0, 0), h.agreements)
	web.Register(api, o(post, "/employees/{id}/agreements", "create-employee-agreement", "Record an agreement", employee.PermContractEdit, 201, 0), h.addAgreement)
	web.Register(api, o(get, "/employees/{id}/documents", "list-employee-documents", "Documents", auth, 0, 0), h.documents)
	web.Register(api, o(post, "/employees/{id}/documents", "upload-employee-document", "Upload a document (multipart: file, kind)", employee.PermUpdate, 201, employee.MaxDocumentBytes+(64<<10)), h.upload)
	web.Register(api, o(get, "/employees/{id}/documents/{docId}/download", "download-employee-document", "Download a document", auth, 0, 0), h.download)
	web.Register(api, o(get, "/employees/{id}/photo", "get-employee-photo", "The employee's photo", auth, 0, 0), h.photo)
	web.Register(api, o(put, "/employees/{id}/photo", "set-employee-photo", "Upload the employee's photo (multipart: file)", employee.PermUpdate, 0, employee.MaxPhotoBytes+(64<<10)), h.setPhoto)
	// Custom fields, views, settings.
	web.Register(api, o(get, "/employee-fields", "list-employee-fields", "Custom fields", auth, 0, 0), h.fields)
	web.Register(api, o(post, "/employee-fields", "create-employee-field", "Add a custom field", employee.PermFieldManage, 201, 0), h.createField)
	web.Register(api, o(patch, "/employee-fields/{id}", "update-employee-field", "Change a custom field", employee.PermFieldManage, 0, 0), h.updateField)
	web.Register(api, o(del, "/employee-fields/{id}", "delete-employee-field", "Delete a custom field", employee.PermFieldManage, 204, 0), h.deleteField)
	web.Register(api, o(get, "/employee-views", "list-employee-views", "The caller's saved list views", read, 0, 0), h.views)
	web.Register(api, o(post, "/employee-views", "create-employee-view", "Save a list view", read, 201, 0), h.createView)
	web.Register(api, o(patch, "/employee-views/{id}", "update-employee-view", "Change a saved view", read, 0, 0), h.updateView)
	web.Register(api, o(del, "/employee-views/{id}", "delete-employee-view", "Delete a saved view", read, 204, 0), h.deleteView)
	web.Register(api, o(get, "/employee-settings", "get-employee-settings", "Employee settings (numbering, self-service fields)", employee.PermFieldManage, 0, 0), h.settings)
	web.Register(api, o(patch, "/employee-settings", "update-employee-settings", "Change employee settings", employee.PermFieldManage, 0, 0), h.updateSettings)
	// Self-service.
	web.Register(api, o(get, "/me/employee", "get-my-employee", "My record, history and contracts", employee.PermSelfRead, 0, 0), h.me)
	web.Register(api, o(patch, "/me/employee", "update-my-employee", "Edit my details (fields the company allows)", employee.PermSelfUpdate, 0, 0), h.updateMe)
	web.Register(api, o(post, "/me/bank-requests", "create-my-bank-request", "Ask HR to change my bank account", employee.PermSelfUpdate, 201, 0), h.requestBank)
	web.Register(api, o(get, "/me/bank-requests", "list-my-bank-requests", "My bank account change requests", employee.PermSelfRead, 0, 0), h.myBankRequests)
	web.Register(api, o(get, "/bank-requests", "list-bank-requests", "Bank account change requests to review", employee.PermBankReview, 0, 0), h.bankRequests)
	web.Register(api, o(post, "/bank-requests/{id}/approve", "approve-bank-request", "Approve a bank account change (applies it)", employee.PermBankReview, 0, 0), h.approve)
	web.Register(api, o(post, "/bank-requests/{id}/reject", "reject-bank-request", "Reject a bank account change", employee.PermBankReview, 0, 0), h.reject)
	// Org chart.
	web.Register(api, o(get, "/org-chart", "org-chart", "Department tree with heads and headcounts", org.PermRead, 0, 0), h.orgChart)
}

// Schema names are global in the OpenAPI document: the module's output
// types appear under prefixed names (EmployeeDocument, not Document) so
// no other module's types can clash with them.
type (
	EmployeeDetail        employee.Detail
	EmployeeProfile       employee.ProfileView
	EmployeeJob           employee.JobView
	EmployeeEducation     employee.Education
	EmployeeContact       employee.EmergencyContact
	EmployeeHistoryEntry  employee.HistoryEntry
	EmployeeListItem      employee.ListItem
	EmployeePage          employee.Page
	EmployeeSensitive     employee.SensitiveData
	EmployeeContracts     employee.ContractList
	EmployeeContract      employee.Contract
	EmployeeAgreement     employee.Agreement
	EmployeeDocument      employee.Document
	EmployeeField         employee.Field
	EmployeeView          employee.View
	EmployeeBankRequest   employee.BankRequest
	EmployeeSelf          employee.Me
	EmployeeSettings      employee.SettingsView
	EmployeeOrgChartNode  employee.ChartNode
	EmployeeJobAssignment employee.Job
	EmployeeChange        employee.Change
	EmployeeChangeJob     employee.ChangeJob
	EmployeeChangePage    employee.ChangePage
)

func aliasSchemas(api *web.API) {
	r := api.OpenAPI().Components.Schemas
	for from, to := range map[reflect.Type]reflect.Type{
		reflect.TypeFor[employee.Detail]():           reflect.TypeFor[EmployeeDetail](),
		reflect.TypeFor[employee.ProfileView]():      reflect.TypeFor[EmployeeProfile](),
		reflect.TypeFor[employee.JobView]():          reflect.TypeFor[EmployeeJob](),
		reflect.TypeFor[employee.Education]():        reflect.TypeFor[EmployeeEducation](),
		reflect.TypeFor[employee.EmergencyContact](): reflect.TypeFor[EmployeeContact](),
		reflect.TypeFor[employee.HistoryEntry]():     reflect.TypeFor[EmployeeHistoryEntry](),
		reflect.TypeFor[employee.ListItem]():         reflect.TypeFor[EmployeeListItem](),
		reflect.TypeFor[employee.Page]():             reflect.TypeFor[EmployeePage](),
		reflect.TypeFor[employee.SensitiveData]():    reflect.TypeFor[EmployeeSensitive](),
		reflect.TypeFor[employee.ContractList]():     reflect.TypeFor[EmployeeContracts](),
		reflect.TypeFor[employee.Contract]():         reflect.TypeFor[EmployeeContract](),
		reflect.TypeFor[employee.Agreement]():        reflect.TypeFor[EmployeeAgreement](),
		reflect.TypeFor[employee.Document]():         reflect.TypeFor[EmployeeDocument](),
		reflect.TypeFor[employee.Field]():            reflect.TypeFor[EmployeeField](),
		reflect.TypeFor[employee.View]():             reflect.TypeFor[EmployeeView](),
		reflect.TypeFor[employee.BankRequest]():      reflect.TypeFor[EmployeeBankRequest](),
		reflect.TypeFor[employee.Me]():               reflect.TypeFor[EmployeeSelf](),
		reflect.TypeFor[employee.SettingsView]():     reflect.TypeFor[EmployeeSettings](),
		reflect.TypeFor[employee.ChartNode]():        reflect.TypeFor[EmployeeOrgChartNode](),
		reflect.TypeFor[employee.Job]():              reflect.TypeFor[EmployeeJobAssignment](),
		reflect.TypeFor[employee.Change]():           reflect.TypeFor[EmployeeChange](),
		reflect.TypeFor[employee.ChangeJob]():        reflect.TypeFor[EmployeeChangeJob](),
		reflect.TypeFor[employee.ChangePage]():       reflect.TypeFor[EmployeeChangePage](),
	} {
		r.RegisterTypeAlias(from, to)
	}
}
