package tenantapi_test

import (
	"slices"
	"testing"

	"github.com/renshi/renshi/internal/app/apptest"
)

func TestTenantSettings(t *testing.T) {
	e := apptest.New(t)
	root := e.Login("root")
	tn := root.Do("GET", "/api/v1/tenant", nil).JSON()
	if tn["timeZone"] != "Asia/Shanghai" || tn["locale"] != "zh-CN" || tn["passwordMinLength"] != 10.0 {
		t.Fatalf("defaults: %v", tn)
	}
	cases := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"timeZone": "Mars/Olympus", "version": tn["version"]}, "timeZone:invalid_choice"},
		{map[string]any{"passwordMinLength": 4, "version": tn["version"]}, "passwordMinLength:out_of_range"},
		{map[string]any{"sessionIdleMinutes": 600, "sessionMaxHours": 2, "version": tn["version"]}, "sessionIdleMinutes:tenant.idle_over_max"},
		{map[string]any{"name": "", "version": tn["version"]}, "name:required"},
	}
	for _, c := range cases {
		r := root.Do("PATCH", "/api/v1/tenant", c.body)
		if r.Status != 422 || !slices.Contains(r.FieldCodes(), c.field) {
			t.Fatalf("%v: %d %s", c.body, r.Status, r.Body)
		}
	}
	r := root.Do("PATCH", "/api/v1/tenant", map[string]any{"name": "新名字", "passwordMinLength": 12, "version": tn["version"]})
	if r.Status != 200 || r.JSON()["name"] != "新名字" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if r := root.Do("PATCH", "/api/v1/tenant", map[string]any{"name": "again", "version": tn["version"]}); r.Status != 409 {
		t.Fatalf("stale: %d", r.Status)
	}
	// The new minimum length applies to password changes at once.
	r = root.Do("POST", "/api/v1/auth/password", map[string]any{"currentPassword": apptest.Password, "newPassword": "Abcdefgh12!"})
	if !slices.Contains(r.FieldCodes(), "newPassword:too_short") {
		t.Fatalf("policy: %s", r.Body)
	}
	e.User("hr", "hr_admin")
	if r := e.Login("hr").Do("PATCH", "/api/v1/tenant", map[string]any{"name": "x", "version": 2}); r.Status != 403 {
		t.Fatalf("hr_admin changed tenant: %d", r.Status)
	}
}
