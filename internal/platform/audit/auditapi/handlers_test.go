package auditapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/app/apptest"
)

// Verification runs as a background job with progress; tampering with
// the table makes the next verification report the row.
func TestVerifyJobAndTamperDetection(t *testing.T) {
	e := apptest.New(t)
	root := e.Login("root")
	for i := 0; i < 3; i++ {
		root.Do("POST", "/api/v1/users", map[string]any{"login": "u" + string(rune('a'+i)), "displayName": "x"})
	}
	job := runVerify(t, root)
	if job["state"] != "succeeded" || job["progress"] != 100.0 || !strings.HasPrefix(job["message"].(string), "ok") {
		t.Fatalf("verify: %v", job)
	}
	if _, err := e.App.DB.Bun().ExecContext(context.Background(), "UPDATE audit_log SET actor_login = 'mallory' WHERE seq = 2 AND tenant_id = ?", e.Tenant.ID); err != nil {
		t.Fatal(err)
	}
	job = runVerify(t, root)
	res := job["result"].(map[string]any)["break"].(map[string]any)
	if res["seq"] != 2.0 || res["problem"] != "edited" || !strings.HasPrefix(job["message"].(string), "broken") {
		t.Fatalf("tamper not reported: %v", job)
	}
	// Filters and export.
	list := root.Do("GET", "/api/v1/audit?actor=root&action=create&objectType=user&from="+time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), nil).JSON()
	if list["total"] != 3.0 {
		t.Fatalf("filtered list: %v", list["total"])
	}
	x := root.Do("GET", "/api/v1/audit/export?format=csv&action=create", nil)
	if x.Status != 200 || strings.Count(string(x.Body), "\n") < 4 {
		t.Fatalf("export: %d %s", x.Status, x.Body)
	}
}

func runVerify(t *testing.T, c *apptest.Client) map[string]any {
	t.Helper()
	r := c.Do("POST", "/api/v1/audit/verify", nil)
	if r.Status != 202 {
		t.Fatalf("verify: %d %s", r.Status, r.Body)
	}
	id := r.JSON()["job"].(map[string]any)["id"].(string)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		j := c.Do("GET", "/api/v1/jobs/"+id, nil).JSON()
		switch j["state"] {
		case "succeeded", "failed", "cancelled":
			return j
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("verify job did not finish")
	return nil
}
