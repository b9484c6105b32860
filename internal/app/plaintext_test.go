package app_test

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/app/apptest"
	"github.com/renshi/renshi/internal/platform/dbtest"
)

// A known ID number and mobile, entered through the API, must appear
// nowhere in plain text at rest: not in the table, the audit log, the
// SQLite file or its write-ahead log, nor in a PostgreSQL dump.
func TestSensitiveValuesNeverStoredInPlainText(t *testing.T) {
	const idNumber = "11010519491231002X"
	const mobile = "13987654321"
	e := apptest.New(t)
	root := e.Login("root")
	r := root.Do("POST", "/api/v1/users", map[string]any{"login": "pi", "displayName": "隐私", "idNumber": idNumber, "mobile": mobile})
	if r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	id := r.JSON()["user"].(map[string]any)["id"].(string)
	// Change them too, so the audit log holds before and after values.
	u := root.Do("GET", "/api/v1/users/"+id, nil).JSON()
	r = root.Do("PATCH", "/api/v1/users/"+id, map[string]any{"mobile": "13987654322", "version": u["version"]})
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	// The values are really there, behind the key.
	if s := root.Do("GET", "/api/v1/users/"+id+"/sensitive", nil).JSON(); s["idNumber"] != idNumber {
		t.Fatalf("reveal: %v", s)
	}
	needles := []string{idNumber, strings.ToLower(idNumber), mobile, "13987654322"}

	if strings.HasPrefix(e.DSN, "sqlite:") {
		path := strings.TrimPrefix(e.DSN, "sqlite:")
		files, _ := filepath.Glob(path + "*") // the database, -wal and -shm
		if len(files) == 0 {
			t.Fatal("no database file")
		}
		sawName := false
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			sawName = sawName || bytes.Contains(b, []byte("隐私"))
			for _, n := range needles {
				if bytes.Contains(b, []byte(n)) {
					t.Errorf("%s holds %q in plain text", filepath.Base(f), n)
				}
			}
		}
		if !sawName { // proves the scan reads the rows it should
			t.Fatal("the user's (non-sensitive) name is not in the files either")
		}
		return
	}
	dump := pgDump(t, e.DSN)
	if !strings.Contains(dump, "auth_users") || !strings.Contains(dump, "隐私") {
		t.Fatal("dump does not contain the users table")
	}
	for _, n := range needles {
		if strings.Contains(dump, n) {
			t.Errorf("PostgreSQL dump holds %q in plain text", n)
		}
	}
}

func pgDump(t *testing.T, dsn string) string {
	t.Helper()
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		t.Skip("pg_dump not installed")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	cmd := exec.CommandContext(context.Background(), bin, "--data-only", "--schema="+schema, u.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	_ = dbtest.PostgresDSN
	return string(out)
}
