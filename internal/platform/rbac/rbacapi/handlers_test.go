package rbacapi_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/app/apptest"
)

func TestCustomRoleLifecycleAndMatrix(t *testing.T) {
	e := apptest.New(t)
	root := e.Login("root")
	perms := root.Do("GET", "/api/v1/permissions", nil).JSON()["items"].([]any)
	if len(perms) < 13 || perms[0].(map[string]any)["label"] == "" {
		t.Fatalf("catalogue: %v", perms)
	}
	en := e.Login("root")
	en.Lang = "en"
	roles := en.Do("GET", "/api/v1/roles", nil).JSON()["items"].([]any)
	var builtinID string
	for _, x := range roles {
		r := x.(map[string]any)
		if r["code"] == "hr_admin" {
			builtinID = r["id"].(string)
			if r["name"] != "HR admin" || r["builtin"] != true || !slices.Contains(toStrings(r["permissions"]), "platform.user.read") {
				t.Fatalf("built-in role: %v", r)
			}
		}
	}
	cases := []struct {
		name   string
		body   map[string]any
		status int
		field  string
	}{
		{"bad code", map[string]any{"code": "Bad Code", "name": "x", "permissions": []string{}}, 422, "code:invalid_format"},
		{"reserved code", map[string]any{"code": "super_admin", "name": "x", "permissions": []string{}}, 422, "code:rbac.code_reserved"},
		{"unknown permission", map[string]any{"code": "auditor", "name": "审计员", "permissions": []string{"platform.nope.read"}}, 422, "permissions:rbac.unknown_permission"},
		{"bad scope", map[string]any{"code": "auditor", "name": "审计员", "defaultScope": "galaxy", "permissions": []string{}}, 422, "defaultScope:invalid_choice"},
		{"ok", map[string]any{"code": "auditor", "name": "审计员", "defaultScope": "tenant", "permissions": []string{"platform.audit.read", "platform.audit.verify"}}, 201, ""},
		{"duplicate", map[string]any{"code": "auditor", "name": "审计员2", "permissions": []string{}}, 422, "code:duplicate"},
	}
	var roleID string
	for _, c := range cases {
		r := root.Do("POST", "/api/v1/roles", c.body)
		if r.Status != c.status || (c.field != "" && !slices.Contains(r.FieldCodes(), c.field)) {
			t.Fatalf("%s: %d %s", c.name, r.Status, r.Body)
		}
		if r.Status == 201 {
			roleID = r.JSON()["id"].(string)
		}
	}
	// A user granted the custom role can read the audit log, nothing else.
	e.User("ivy", "auditor")
	ivy := e.Login("ivy")
	if r := ivy.Do("GET", "/api/v1/audit", nil); r.Status != 200 {
		t.Fatalf("custom role grants audit.read: %d %s", r.Status, r.Body)
	}
	if r := ivy.Do("GET", "/api/v1/users", nil); r.Status != 403 {
		t.Fatalf("custom role leaks users: %d", r.Status)
	}
	// Editing: built-ins are read-only, stale versions refused, permissions replaced.
	if r := root.Do("PATCH", "/api/v1/roles/"+builtinID, map[string]any{"name": "x", "version": 1}); r.Status != 409 || r.Code() != "rbac.builtin_readonly" {
		t.Fatalf("built-in edit: %d %s", r.Status, r.Body)
	}
	if r := root.Do("PATCH", "/api/v1/roles/"+roleID, map[string]any{"name": "x", "version": 7}); r.Status != 409 {
		t.Fatalf("stale: %d", r.Status)
	}
	r := root.Do("PATCH", "/api/v1/roles/"+roleID, map[string]any{"permissions": []string{"platform.audit.read", "platform.user.read"}, "version": 1})
	if r.Status != 200 || !slices.Contains(toStrings(r.JSON()["permissions"]), "platform.user.read") {
		t.Fatalf("update: %d %s", r.Status, r.Body)
	}
	if r := ivy.Do("GET", "/api/v1/users", nil); r.Status != 200 {
		t.Fatalf("new permission not effective: %d", r.Status)
	}
	// In use: cannot delete.
	if r := root.Do("DELETE", "/api/v1/roles/"+roleID, nil); r.Status != 409 || r.Code() != "rbac.role_in_use" {
		t.Fatalf("delete in use: %d %s", r.Status, r.Body)
	}
	// The matrix export lists every permission with a column per role.
	x := en.Do("GET", "/api/v1/roles/export?format=csv", nil)
	if x.Status != 200 || !strings.Contains(string(x.Body), "platform.user.read") || !strings.Contains(string(x.Body), "HR admin") {
		t.Fatalf("matrix export: %d %s", x.Status, x.Body)
	}
	// Role changes are audited.
	if n := root.Do("GET", "/api/v1/audit?objectType=role&objectId="+roleID, nil).JSON()["total"]; n != 2.0 {
		t.Fatalf("role audit rows: %v", n)
	}
}

// An HR admin (no platform.role.manage) cannot create roles, and a role
// manager cannot put a permission he lacks into a role.
func TestRoleEscalationRefused(t *testing.T) {
	e := apptest.New(t)
	root := e.Login("root")
	r := root.Do("POST", "/api/v1/roles", map[string]any{"code": "rolemgr", "name": "角色管理", "permissions": []string{"platform.role.manage", "platform.role.read"}})
	if r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	e.User("mgr", "rolemgr")
	mgr := e.Login("mgr")
	r = mgr.Do("POST", "/api/v1/roles", map[string]any{"code": "sneaky", "name": "x", "permissions": []string{"platform.user.read_sensitive"}})
	if r.Status != 403 || r.Code() != "rbac.cannot_grant" {
		t.Fatalf("escalation: %d %s", r.Status, r.Body)
	}
	e.User("hra", "hr_admin")
	if r := e.Login("hra").Do("POST", "/api/v1/roles", map[string]any{"code": "x1", "name": "x", "permissions": []string{}}); r.Status != 403 {
		t.Fatalf("hr_admin created a role: %d", r.Status)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
