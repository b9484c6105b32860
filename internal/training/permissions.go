package training

import "github.com/renshi/renshi/internal/platform/rbac"

// Permissions. Ownership of content is the point of the module: HR edits
// general modules; a department's content owners edit that department's
// professional modules (the grant's data scope names the department);
// HR schedules and tracks but holds no right over a department's content.
const (
	PermModuleRead         = "training.module.read"
	PermManageGeneral      = "training.module.manage_general"
	PermManageProfessional = "training.module.manage_professional"
	PermGrade              = "training.work.grade" // homework and short answers of modules one may edit
	PermProgramManage      = "training.program.manage"
	PermProgramRead        = "training.program.read" // dashboards, records, reports (scoped to enrollees' departments)
	PermSessionManage      = "training.session.manage"
	PermCostManage         = "training.cost.manage"
	PermCostRead           = "training.cost.read"
)

func init() {
	rbac.Register(
		rbac.Permission{Code: PermModuleRead},
		rbac.Permission{Code: PermManageGeneral},
		rbac.Permission{Code: PermManageProfessional},
		rbac.Permission{Code: PermGrade},
		rbac.Permission{Code: PermProgramManage},
		rbac.Permission{Code: PermProgramRead},
		rbac.Permission{Code: PermSessionManage},
		rbac.Permission{Code: PermCostManage},
		rbac.Permission{Code: PermCostRead},
	)
	rbac.GrantBuiltin(rbac.HRAdmin, PermModuleRead, PermManageGeneral, PermGrade, PermProgramManage, PermProgramRead,
		PermSessionManage, PermCostManage, PermCostRead)
	rbac.GrantBuiltin(rbac.HRSpecialist, PermModuleRead, PermManageGeneral, PermGrade, PermProgramManage, PermProgramRead,
		PermSessionManage, PermCostManage, PermCostRead)
	rbac.GrantBuiltin(rbac.ContentOwner, PermModuleRead, PermManageProfessional, PermGrade, PermSessionManage, PermProgramRead)
	rbac.GrantBuiltin(rbac.DeptManager, PermModuleRead, PermProgramRead)
	rbac.GrantBuiltin(rbac.Finance, PermCostRead)
}
