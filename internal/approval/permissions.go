package approval

import "github.com/renshi/renshi/internal/platform/rbac"

// Permissions of the module. Acting on one's own tasks and requests
// needs none: the service checks the caller is the approver or the
// applicant.
const (
	PermFlowManage = "approval.flow.manage"       // design flows, preview them
	PermReadAll    = "approval.instance.read_all" // see every instance in scope (HR)
)

func init() {
	rbac.Register(rbac.Permission{Code: PermFlowManage}, rbac.Permission{Code: PermReadAll})
	rbac.GrantBuiltin(rbac.HRAdmin, PermFlowManage, PermReadAll)
}
