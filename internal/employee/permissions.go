package employee

import "github.com/renshi/renshi/internal/platform/rbac"

// Permissions of the module.
const (
	PermRead          = "employee.record.read"
	PermCreate        = "employee.record.create"
	PermUpdate        = "employee.record.update"
	PermReadSensitive = "employee.record.read_sensitive"
	PermLifecycle     = "employee.lifecycle.manage"
	PermContractRead  = "employee.contract.read"
	PermContractEdit  = "employee.contract.manage"
	PermFieldManage   = "employee.field.manage"
	PermSelfRead      = "employee.self.read"
	PermSelfUpdate    = "employee.self.update"
	PermBankReview    = "employee.bank_request.review"
)

func init() {
	rbac.Register(
		rbac.Permission{Code: PermRead},
		rbac.Permission{Code: PermCreate},
		rbac.Permission{Code: PermUpdate},
		rbac.Permission{Code: PermReadSensitive, Sensitive: true},
		rbac.Permission{Code: PermLifecycle},
		rbac.Permission{Code: PermContractRead},
		rbac.Permission{Code: PermContractEdit},
		rbac.Permission{Code: PermFieldManage},
		rbac.Permission{Code: PermSelfRead},
		rbac.Permission{Code: PermSelfUpdate},
		rbac.Permission{Code: PermBankReview},
	)
	self := []string{PermSelfRead, PermSelfUpdate}
	rbac.GrantBuiltin(rbac.HRAdmin, append([]string{PermRead, PermCreate, PermUpdate, PermReadSensitive, PermLifecycle,
		PermContractRead, PermContractEdit, PermFieldManage, PermBankReview}, self...)...)
	rbac.GrantBuiltin(rbac.HRSpecialist, append([]string{PermRead, PermCreate, PermUpdate, PermLifecycle,
		PermContractRead, PermContractEdit}, self...)...)
	rbac.GrantBuiltin(rbac.DeptManager, append([]string{PermRead}, self...)...)
	rbac.GrantBuiltin(rbac.Finance, append([]string{PermRead, PermReadSensitive}, self...)...)
	rbac.GrantBuiltin(rbac.ContentOwner, append([]string{PermRead}, self...)...)
	rbac.GrantBuiltin(rbac.Employee, self...)
}

// Audit object types.
const (
	ObjectEmployee    = "employee"
	ObjectAssignment  = "employee_assignment"
	ObjectContract    = "employee_contract"
	ObjectAgreement   = "employee_agreement"
	ObjectDocument    = "employee_document"
	ObjectField       = "employee_field"
	ObjectView        = "employee_view"
	ObjectBankRequest = "employee_bank_request"
	ObjectSettings    = "employee_settings"
)

// Audit actions besides create, update and delete.
const (
	ActionReadSensitive   = "read_sensitive"
	ActionExportSensitive = "export_sensitive"
	ActionCancelChange    = "cancel_change"
	ActionImport          = "import"
	ActionApprove         = "approve"
	ActionReject          = "reject"
	ActionDownload        = "download_sensitive"
)
