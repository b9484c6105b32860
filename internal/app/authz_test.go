package app_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/app/apptest"
	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/web"
	"github.com/renshi/renshi/internal/training"
)

// policy is the authorization spec of every API route, written out here
// independently of the code: a route missing from it, or a row for a
// route that does not exist, fails the test. Values are a permission code,
// web.Public or web.Authenticated.
var policy = map[string]string{
	"POST /api/v1/auth/login":                web.Public,
	"POST /api/v1/auth/logout":               web.Authenticated,
	"GET /api/v1/auth/me":                    web.Authenticated,
	"POST /api/v1/auth/password":             web.Authenticated,
	"PUT /api/v1/auth/me/locale":             web.Authenticated,
	"POST /api/v1/auth/totp/setup":           web.Authenticated,
	"POST /api/v1/auth/totp/enable":          web.Authenticated,
	"POST /api/v1/auth/totp/disable":         web.Authenticated,
	"GET /api/v1/users":                      rbac.UserRead,
	"GET /api/v1/users/export":               rbac.UserRead,
	"POST /api/v1/users":                     rbac.UserCreate,
	"GET /api/v1/users/{id}":                 rbac.UserRead,
	"PATCH /api/v1/users/{id}":               rbac.UserUpdate,
	"PUT /api/v1/users/{id}/grants":          rbac.UserUpdate,
	"POST /api/v1/users/{id}/reset-password": rbac.UserUpdate,
	"POST /api/v1/users/{id}/unlock":         rbac.UserUpdate,
	"POST /api/v1/users/{id}/reset-totp":     rbac.UserUpdate,
	"GET /api/v1/users/{id}/sensitive":       rbac.UserReadSensitive,
	"GET /api/v1/tokens":                     rbac.TokenManage,
	"POST /api/v1/tokens":                    rbac.TokenManage,
	"DELETE /api/v1/tokens/{id}":             rbac.TokenManage,
	"GET /api/v1/permissions":                rbac.RoleRead,
	"GET /api/v1/roles":                      rbac.RoleRead,
	"GET /api/v1/roles/export":               rbac.RoleRead,
	"POST /api/v1/roles":                     rbac.RoleManage,
	"PATCH /api/v1/roles/{id}":               rbac.RoleManage,
	"DELETE /api/v1/roles/{id}":              rbac.RoleManage,
	"GET /api/v1/tenant":                     rbac.TenantRead,
	"PATCH /api/v1/tenant":                   rbac.TenantUpdate,
	"GET /api/v1/audit":                      rbac.AuditRead,
	"GET /api/v1/audit/export":               rbac.AuditRead,
	"POST /api/v1/audit/verify":              rbac.AuditVerify,
	"GET /api/v1/jobs":                       rbac.JobRead,
	"GET /api/v1/jobs/export":                rbac.JobRead,
	"GET /api/v1/jobs/{id}":                  rbac.JobRead,
	"POST /api/v1/jobs/{id}/retry":           rbac.JobManage,
	"POST /api/v1/jobs/{id}/cancel":          rbac.JobManage,
	// org
	"GET /api/v1/legal-entities":                           org.PermRead,
	"GET /api/v1/legal-entities/export":                    org.PermRead,
	"GET /api/v1/legal-entities/{id}":                      org.PermRead,
	"POST /api/v1/legal-entities":                          org.PermManage,
	"PATCH /api/v1/legal-entities/{id}":                    org.PermManage,
	"GET /api/v1/cost-centers":                             org.PermRead,
	"GET /api/v1/cost-centers/export":                      org.PermRead,
	"GET /api/v1/cost-centers/{id}":                        org.PermRead,
	"POST /api/v1/cost-centers":                            org.PermManage,
	"PATCH /api/v1/cost-centers/{id}":                      org.PermManage,
	"GET /api/v1/locations":                                org.PermRead,
	"GET /api/v1/locations/export":                         org.PermRead,
	"GET /api/v1/locations/{id}":                           org.PermRead,
	"POST /api/v1/locations":                               org.PermManage,
	"PATCH /api/v1/locations/{id}":                         org.PermManage,
	"GET /api/v1/grades":                                   org.PermRead,
	"GET /api/v1/grades/export":                            org.PermRead,
	"GET /api/v1/grades/{id}":                              org.PermRead,
	"POST /api/v1/grades":                                  org.PermManage,
	"PATCH /api/v1/grades/{id}":                            org.PermManage,
	"GET /api/v1/positions":                                org.PermRead,
	"GET /api/v1/positions/export":                         org.PermRead,
	"GET /api/v1/positions/{id}":                           org.PermRead,
	"POST /api/v1/positions":                               org.PermManage,
	"PATCH /api/v1/positions/{id}":                         org.PermManage,
	"PUT /api/v1/positions/{id}/headcount-plan":            org.PermManage,
	"GET /api/v1/departments":                              org.PermRead,
	"GET /api/v1/departments/export":                       org.PermRead,
	"GET /api/v1/departments/tree":                         org.PermRead,
	"GET /api/v1/departments/{id}":                         org.PermRead,
	"POST /api/v1/departments":                             org.PermManage,
	"PATCH /api/v1/departments/{id}":                       org.PermManage,
	"POST /api/v1/departments/{id}/move":                   org.PermManage,
	"POST /api/v1/departments/{id}/deactivate":             org.PermManage,
	"POST /api/v1/departments/{id}/activate":               org.PermManage,
	"DELETE /api/v1/departments/{id}/versions/{versionId}": org.PermManage,
	// employee
	"GET /api/v1/employees":                                 employee.PermRead,
	"GET /api/v1/employees/export":                          employee.PermRead,
	"GET /api/v1/employee-changes":                          employee.PermRead,
	"GET /api/v1/employee-changes/export":                   employee.PermRead,
	"GET /api/v1/employees/{id}/reports":                    employee.PermRead,
	"GET /api/v1/employee-views":                            employee.PermRead,
	"POST /api/v1/employee-views":                           employee.PermRead,
	"PATCH /api/v1/employee-views/{id}":                     employee.PermRead,
	"DELETE /api/v1/employee-views/{id}":                    employee.PermRead,
	"POST /api/v1/employees":                                employee.PermCreate,
	"PATCH /api/v1/employees/{id}":                          employee.PermUpdate,
	"POST /api/v1/employees/{id}/documents":                 employee.PermUpdate,
	"PUT /api/v1/employees/{id}/photo":                      employee.PermUpdate,
	"GET /api/v1/employees/{id}/sensitive":                  employee.PermReadSensitive,
	"DELETE /api/v1/employees/{id}/history/{entryId}":       employee.PermLifecycle,
	"POST /api/v1/employees/{id}/regularise":                employee.PermLifecycle,
	"POST /api/v1/employees/{id}/extend-probation":          employee.PermLifecycle,
	"POST /api/v1/employees/{id}/transfer":                  employee.PermLifecycle,
	"POST /api/v1/employees/{id}/resign":                    employee.PermLifecycle,
	"POST /api/v1/employees/{id}/terminate":                 employee.PermLifecycle,
	"POST /api/v1/employees/{id}/rehire":                    employee.PermLifecycle,
	"POST /api/v1/employees/{id}/contracts":                 employee.PermContractEdit,
	"PATCH /api/v1/employees/{id}/contracts/{contractId}":   employee.PermContractEdit,
	"POST /api/v1/employees/{id}/agreements":                employee.PermContractEdit,
	"POST /api/v1/employee-fields":                          employee.PermFieldManage,
	"PATCH /api/v1/employee-fields/{id}":                    employee.PermFieldManage,
	"DELETE /api/v1/employee-fields/{id}":                   employee.PermFieldManage,
	"GET /api/v1/employee-settings":                         employee.PermFieldManage,
	"PATCH /api/v1/employee-settings":                       employee.PermFieldManage,
	"GET /api/v1/me/employee":                               employee.PermSelfRead,
	"GET /api/v1/me/bank-requests":                          employee.PermSelfRead,
	"PATCH /api/v1/me/employee":                             employee.PermSelfUpdate,
	"POST /api/v1/me/bank-requests":                         employee.PermSelfUpdate,
	"GET /api/v1/bank-requests":                             employee.PermBankReview,
	"POST /api/v1/bank-requests/{id}/approve":               employee.PermBankReview,
	"POST /api/v1/bank-requests/{id}/reject":                employee.PermBankReview,
	"GET /api/v1/org-chart":                                 org.PermRead,
	"GET /api/v1/employees/{id}":                            web.Authenticated,
	"GET /api/v1/employees/{id}/history":                    web.Authenticated,
	"GET /api/v1/employees/{id}/contracts":                  web.Authenticated,
	"GET /api/v1/employees/{id}/agreements":                 web.Authenticated,
	"GET /api/v1/employees/{id}/documents":                  web.Authenticated,
	"GET /api/v1/employees/{id}/documents/{docId}/download": web.Authenticated,
	"GET /api/v1/employees/{id}/photo":                      web.Authenticated,
	"GET /api/v1/employee-fields":                           web.Authenticated,
	// notify
	"GET /api/v1/notifications":                       web.Authenticated,
	"GET /api/v1/notifications/unread-count":          web.Authenticated,
	"POST /api/v1/notifications/{id}/read":            web.Authenticated,
	"POST /api/v1/notifications/read-all":             web.Authenticated,
	"GET /api/v1/notification-preferences":            web.Authenticated,
	"PUT /api/v1/notification-preferences":            web.Authenticated,
	"GET /api/v1/notification-settings":               notify.PermSettings,
	"PUT /api/v1/notification-settings":               notify.PermSettings,
	"DELETE /api/v1/notification-settings":            notify.PermSettings,
	"POST /api/v1/notification-settings/test":         notify.PermSettings,
	"GET /api/v1/notification-deliveries":             notify.PermSettings,
	"POST /api/v1/notification-deliveries/{id}/retry": notify.PermSettings,
	// approval
	"GET /api/v1/approval-types":                 web.Authenticated,
	"GET /api/v1/approval-flows":                 approval.PermFlowManage,
	"GET /api/v1/approval-flows/{type}":          approval.PermFlowManage,
	"PUT /api/v1/approval-flows/{type}":          approval.PermFlowManage,
	"GET /api/v1/approval-flows/{type}/versions": approval.PermFlowManage,
	"POST /api/v1/approval-flows/{type}/preview": approval.PermFlowManage,
	"GET /api/v1/approvals/mine":                 web.Authenticated,
	"GET /api/v1/approvals/counts":               web.Authenticated,
	"GET /api/v1/approvals/mine/export":          web.Authenticated,
	"GET /api/v1/approvals/export":               approval.PermReadAll,
	"GET /api/v1/approvals":                      approval.PermReadAll,
	"POST /api/v1/approvals":                     web.Authenticated,
	"GET /api/v1/approvals/{id}":                 web.Authenticated,
	"POST /api/v1/approvals/{id}/approve":        web.Authenticated,
	"POST /api/v1/approvals/{id}/reject":         web.Authenticated,
	"POST /api/v1/approvals/{id}/withdraw":       web.Authenticated,
	"POST /api/v1/approvals/{id}/resubmit":       web.Authenticated,
	"POST /api/v1/approvals/{id}/transfer":       web.Authenticated,
	"POST /api/v1/approvals/{id}/add-approvers":  web.Authenticated,
	"POST /api/v1/approvals/{id}/remind":         web.Authenticated,
	"GET /api/v1/approval-delegations":           web.Authenticated,
	"POST /api/v1/approval-delegations":          web.Authenticated,
	"DELETE /api/v1/approval-delegations/{id}":   web.Authenticated,
	// imports: every route is open to signed-in users; the service checks
	// the permission of the batch's target (employee.record.create, ...).
	"GET /api/v1/imports/targets":                   web.Authenticated,
	"GET /api/v1/imports/targets/{target}/template": web.Authenticated,
	"POST /api/v1/imports":                          web.Authenticated,
	"GET /api/v1/imports":                           web.Authenticated,
	"GET /api/v1/imports/mappings":                  web.Authenticated,
	"POST /api/v1/imports/mappings":                 web.Authenticated,
	"DELETE /api/v1/imports/mappings/{id}":          web.Authenticated,
	"GET /api/v1/imports/{id}":                      web.Authenticated,
	"PUT /api/v1/imports/{id}/mapping":              web.Authenticated,
	"POST /api/v1/imports/{id}/check":               web.Authenticated,
	"GET /api/v1/imports/{id}/errors":               web.Authenticated,
	"GET /api/v1/imports/{id}/report":               web.Authenticated,
	"POST /api/v1/imports/{id}/commit":              web.Authenticated,
	"POST /api/v1/imports/{id}/cancel":              web.Authenticated,
	"POST /api/v1/imports/{id}/rollback":            web.Authenticated,
	"GET /api/v1/imports/{id}/file":                 web.Authenticated,
	// training: content ownership and learners' own records are checked
	// in the service; routes name the least permission.
	"GET /api/v1/training/modules":                          training.PermModuleRead,
	"GET /api/v1/training/modules/export":                   training.PermModuleRead,
	"POST /api/v1/training/modules":                         training.PermModuleRead,
	"GET /api/v1/training/modules/{id}":                     training.PermModuleRead,
	"PUT /api/v1/training/modules/{id}":                     training.PermModuleRead,
	"DELETE /api/v1/training/modules/{id}":                  training.PermModuleRead,
	"GET /api/v1/training/modules/{id}/materials":           web.Authenticated,
	"POST /api/v1/training/modules/{id}/materials":          training.PermModuleRead,
	"POST /api/v1/training/modules/{id}/materials/upload":   training.PermModuleRead,
	"DELETE /api/v1/training/materials/{id}":                training.PermModuleRead,
	"GET /api/v1/training/materials/{id}/versions":          web.Authenticated,
	"GET /api/v1/training/materials/{id}/content":           web.Authenticated,
	"GET /api/v1/training/modules/{id}/questions":           training.PermModuleRead,
	"POST /api/v1/training/modules/{id}/questions":          training.PermModuleRead,
	"PUT /api/v1/training/questions/{id}":                   training.PermModuleRead,
	"DELETE /api/v1/training/questions/{id}":                training.PermModuleRead,
	"GET /api/v1/training/programs":                         training.PermProgramRead,
	"POST /api/v1/training/programs":                        training.PermProgramManage,
	"GET /api/v1/training/programs/{id}":                    training.PermProgramRead,
	"PUT /api/v1/training/programs/{id}":                    training.PermProgramManage,
	"POST /api/v1/training/programs/{id}/activate":          training.PermProgramManage,
	"POST /api/v1/training/programs/{id}/close":             training.PermProgramManage,
	"GET /api/v1/training/programs/{id}/enrollments":        training.PermProgramRead,
	"GET /api/v1/training/programs/{id}/enrollments/export": training.PermProgramRead,
	"POST /api/v1/training/programs/{id}/enrollments":       training.PermProgramManage,
	"GET /api/v1/training/programs/{id}/dashboard":          training.PermProgramRead,
	"GET /api/v1/training/programs/{id}/duties":             training.PermProgramRead,
	"POST /api/v1/training/programs/{id}/duties":            training.PermProgramManage,
	"PUT /api/v1/training/duties/{id}":                      training.PermProgramManage,
	"POST /api/v1/training/duties/{id}/confirm":             web.Authenticated,
	"GET /api/v1/training/accountability":                   training.PermProgramRead,
	"GET /api/v1/training/accountability/export":            training.PermProgramRead,
	"GET /api/v1/training/overdue":                          training.PermProgramRead,
	"GET /api/v1/training/overdue/export":                   training.PermProgramRead,
	"GET /api/v1/training/employees/{id}/record":            web.Authenticated,
	"GET /api/v1/training/records/export":                   training.PermProgramRead,
	"GET /api/v1/training/grading":                          training.PermGrade,
	"POST /api/v1/training/attempts/{id}/grade":             training.PermGrade,
	"GET /api/v1/training/attempts/{id}/review":             training.PermGrade,
	"GET /api/v1/training/homework/{id}/files/{fileId}":     web.Authenticated,
	"GET /api/v1/training/duties/{id}/evidence":             training.PermProgramRead,
	"POST /api/v1/training/homework/{id}/grade":             training.PermGrade,
	"GET /api/v1/training/my/tasks":                         web.Authenticated,
	"GET /api/v1/training/my/modules/{id}":                  web.Authenticated,
	"POST /api/v1/training/my/materials/{id}/view":          web.Authenticated,
	"POST /api/v1/training/my/modules/{id}/attempts":        web.Authenticated,
	"GET /api/v1/training/my/attempts/{id}":                 web.Authenticated,
	"POST /api/v1/training/my/attempts/{id}/submit":         web.Authenticated,
	"POST /api/v1/training/my/files":                        web.Authenticated,
	"POST /api/v1/training/my/modules/{id}/homework":        web.Authenticated,
	"POST /api/v1/training/my/enrollments/{id}/feedback":    web.Authenticated,
	"GET /api/v1/training/my/record":                        web.Authenticated,
	// training: classroom sessions, questions to module owners, costs
	"GET /api/v1/training/programs/{id}/sessions":          training.PermProgramRead,
	"POST /api/v1/training/programs/{id}/sessions":         training.PermSessionManage,
	"GET /api/v1/training/sessions/{id}":                   training.PermProgramRead,
	"PUT /api/v1/training/sessions/{id}":                   training.PermSessionManage,
	"DELETE /api/v1/training/sessions/{id}":                training.PermSessionManage,
	"GET /api/v1/training/sessions/{id}/qr":                web.Authenticated,
	"GET /api/v1/training/sessions/{id}/attendance":        web.Authenticated,
	"GET /api/v1/training/sessions/{id}/attendance/export": web.Authenticated,
	"POST /api/v1/training/sessions/{id}/attendance":       web.Authenticated,
	"GET /api/v1/training/my/sessions":                     web.Authenticated,
	"POST /api/v1/training/my/sessions/{id}/sign-in":       web.Authenticated,
	"GET /api/v1/training/my/calendar":                     web.Authenticated,
	"GET /api/v1/training/calendar/{feed}":                 web.Public,
	"GET /api/v1/training/my/modules/{id}/questions":       web.Authenticated,
	"POST /api/v1/training/my/modules/{id}/questions":      web.Authenticated,
	"GET /api/v1/training/asked":                           training.PermModuleRead,
	"POST /api/v1/training/asked/{id}/answer":              training.PermModuleRead,
	"GET /api/v1/training/programs/{id}/costs":             training.PermCostRead,
	"POST /api/v1/training/programs/{id}/costs":            training.PermCostManage,
	"DELETE /api/v1/training/costs/{id}":                   training.PermCostManage,
	"GET /api/v1/training/costs":                           training.PermCostRead,
	"GET /api/v1/training/costs/export":                    training.PermCostRead,
}

// TestAuthorizationMatrix calls every route as every built-in role and
// as nobody, and checks the answer against the policy table.
func TestAuthorizationMatrix(t *testing.T) {
	e := apptest.New(t)
	target := e.User("target", rbac.Employee)
	routes := e.App.API.Routes()
	seen := map[string]bool{}
	for _, r := range routes {
		key := r.Method + " " + r.Path
		seen[key] = true
		want, ok := policy[key]
		if !ok {
			t.Errorf("route %s has no row in the policy table", key)
			continue
		}
		if want != r.Permission {
			t.Errorf("route %s requires %q, policy says %q", key, r.Permission, want)
		}
	}
	for key := range policy {
		if !seen[key] {
			t.Errorf("policy row %s matches no route", key)
		}
	}
	if t.Failed() {
		return
	}
	anon := e.Anonymous()
	clients := map[string]*apptest.Client{}
	for _, b := range rbac.BuiltinRoles {
		e.User("as_"+b.Code, b.Code)
		clients[b.Code] = e.Login("as_" + b.Code)
	}
	for _, r := range routes {
		if r.Method == "POST" && r.Path == "/api/v1/auth/logout" {
			continue // checked last: it ends the session
		}
		check(t, e, anon, clients, r, target.ID.String())
	}
	for _, r := range routes {
		if r.Method == "POST" && r.Path == "/api/v1/auth/logout" {
			check(t, e, anon, clients, r, target.ID.String())
		}
	}
}

func check(t *testing.T, e *apptest.Env, anon *apptest.Client, clients map[string]*apptest.Client, r web.Route, id string) {
	t.Helper()
	path := strings.ReplaceAll(r.Path, "{id}", id)
	var body any
	if r.Method != "GET" && r.Method != "DELETE" {
		body = map[string]any{}
	}
	res := anon.Do(r.Method, path, body)
	if r.Permission == web.Public {
		if res.Status == 401 && r.Path != "/api/v1/auth/login" || res.Status == 403 {
			t.Errorf("%s %s anonymous: %d", r.Method, path, res.Status)
		}
	} else if res.Status != 401 {
		t.Errorf("%s %s anonymous: got %d, want 401", r.Method, path, res.Status)
	}
	for _, b := range rbac.BuiltinRoles {
		res := clients[b.Code].Do(r.Method, path, body)
		allowed := r.Permission == web.Public || r.Permission == web.Authenticated ||
			slices.Contains(rbac.BuiltinPermissions(b.Code), r.Permission)
		switch {
		case allowed && (res.Status == 403 || res.Status == 401):
			t.Errorf("%s %s as %s: got %d %s, want access", r.Method, path, b.Code, res.Status, res.Body)
		case !allowed && res.Status != 403:
			t.Errorf("%s %s as %s: got %d, want 403", r.Method, path, b.Code, res.Status)
		case !allowed && !strings.Contains(string(res.Body), r.Permission):
			t.Errorf("%s %s as %s: 403 must name %s: %s", r.Method, path, b.Code, r.Permission, res.Body)
		case res.Status >= 500:
			t.Errorf("%s %s as %s: %d %s", r.Method, path, b.Code, res.Status, res.Body)
		}
	}
}
