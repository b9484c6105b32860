package auditapi_test

import (
	"bytes"
	"encoding/csv"
	"net/url"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/app/apptest"
)

// The export holds exactly the rows of the list's filter, with the
// Chinese file name intact.
func TestExportFollowsTheListFilters(t *testing.T) {
	e := apptest.New(t)
	root := e.Login("root")
	for _, login := range []string{"ua", "ub", "=uc"} {
		root.Do("POST", "/api/v1/users", map[string]any{"login": strings.TrimPrefix(login, "="), "displayName": login})
	}
	filter := "action=create&objectType=user"
	total := root.Do("GET", "/api/v1/audit?"+filter, nil).JSON()["total"].(float64)
	r := root.Do("GET", "/api/v1/audit/export?format=csv&"+filter, nil)
	if r.Status != 200 {
		t.Fatalf("export: %d %s", r.Status, r.Body)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if float64(len(rows)-1) != total || total < 3 {
		t.Fatalf("%d rows exported, list total %v", len(rows)-1, total)
	}
	for _, row := range rows[1:] {
		if row[3] != "create" || row[4] != "user" {
			t.Fatalf("row outside the filter: %q", row)
		}
	}
	cd := r.Header.Get("Content-Disposition")
	_, star, _ := strings.Cut(cd, "filename*=UTF-8''")
	if name, err := url.PathUnescape(star); err != nil || !strings.HasPrefix(name, "审计日志") || !strings.HasSuffix(name, ".csv") {
		t.Fatalf("file name: %q", cd)
	}
}
