package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/dbtest"
)

func TestExportCommand(t *testing.T) {
	dir := t.TempDir()
	dsn := dbtest.DSN(t)
	t.Setenv("RENSHI_DB", dsn)
	t.Setenv("RENSHI_MASTER_KEY_FILE", filepath.Join(dir, "master.key"))
	t.Setenv("RENSHI_LOG_LEVEL", "error")
	if code, out, errOut := runCLI(t, "tenant", "create", "--code", "acme", "--name", "艾克米"); code != 0 {
		t.Fatalf("tenant create: %d %q %q", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, "seed", "demo", "--tenant", "acme", "--employees", "40"); code != 0 {
		t.Fatalf("seed: %d %q %q", code, out, errOut)
	}
	readCSV := func(path string) [][]string {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	sensitiveAudits := func() int {
		t.Helper()
		d, err := db.Open(dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var n int
		if err := d.Bun().NewSelect().TableExpr("audit_log").ColumnExpr("count(*)").Where("action = 'export_sensitive' AND actor_login = 'cli'").Scan(context.Background(), &n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// The only tenant is the default; .xlsx by default, masked.
	xlsx := filepath.Join(dir, "花名册.xlsx")
	code, out, errOut := runCLI(t, "export", "employees", "--out", xlsx, "--columns", "employeeNo,name,idNumber,bankAccount")
	if code != 0 || !strings.Contains(out, "exported 40 employees of tenant acme") || !strings.Contains(out, "masked") {
		t.Fatalf("export: %d %q %q", code, out, errOut)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(f.GetSheetName(0))
	f.Close()
	if len(rows) != 41 || !slices.Equal(rows[0], []string{"工号", "姓名", "身份证号", "银行账号"}) || !strings.Contains(rows[1][2], "**********") {
		t.Fatalf("rows: %d %q", len(rows), rows[:2])
	}
	if st, _ := os.Stat(xlsx); st.Mode().Perm()&0o077 != 0 {
		t.Fatalf("an export of personal data is readable by others: %v", st.Mode())
	}
	if sensitiveAudits() != 0 {
		t.Fatal("masked export audited")
	}

	// --unmasked: full ID numbers (18 characters), audited.
	full := filepath.Join(dir, "full.csv")
	code, out, errOut = runCLI(t, "export", "employees", "--tenant", "acme", "--format", "csv", "--out", full, "--columns", "name,idNumber", "--unmasked", "--lang", "en")
	if code != 0 || !strings.Contains(out, "UNMASKED") {
		t.Fatalf("unmasked: %d %q %q", code, out, errOut)
	}
	rows = readCSV(full)
	if !slices.Equal(rows[0], []string{"Name", "ID number"}) || len(rows[1][1]) != 18 || strings.Contains(rows[1][1], "*") {
		t.Fatalf("unmasked rows: %q", rows[:2])
	}
	if n := sensitiveAudits(); n != 1 {
		t.Fatalf("%d export_sensitive entries", n)
	}

	// Filters; job changes; standard output.
	left := filepath.Join(dir, "left.csv")
	if code, _, errOut := runCLI(t, "export", "employees", "--format", "csv", "--out", left, "--status", "left", "--columns", "name,status"); code != 0 {
		t.Fatalf("status filter: %d %q", code, errOut)
	}
	for _, r := range readCSV(left)[1:] {
		if r[1] != "已离职" {
			t.Fatalf("status filter: %q", r)
		}
	}
	changes := filepath.Join(dir, "changes.csv")
	code, out, errOut = runCLI(t, "export", "changes", "--format", "csv", "--out", changes, "--reason", "hire")
	if code != 0 || !strings.Contains(out, "changes of tenant acme") {
		t.Fatalf("changes: %d %q %q", code, out, errOut)
	}
	rows = readCSV(changes)
	if rows[0][3] != "异动类型" || len(rows) < 41 {
		t.Fatalf("changes: %d %q", len(rows), rows[0])
	}
	for _, r := range rows[1:] {
		if r[3] != "入职" {
			t.Fatalf("reason filter: %q", r)
		}
	}
	code, out, _ = runCLI(t, "export", "employees", "--format", "csv", "--out", "-", "--columns", "employeeNo", "--q", "RS")
	if code != 0 || !strings.HasPrefix(out, "\ufeff工号\n") {
		t.Fatalf("stdout: %d %q", code, out)
	}

	// Refusals leave no file behind.
	bad := filepath.Join(dir, "bad.xlsx")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "employees"}, "--out"},
		{[]string{"export", "employees", "--out", bad, "--format", "pdf"}, "pdf"},
		{[]string{"export", "employees", "--out", bad, "--columns", "salary"}, "columns[0]"},
		{[]string{"export", "employees", "--out", bad, "--tenant", "nope"}, "nope"},
		{[]string{"export", "changes", "--out", bad, "--from", "yesterday"}, "--from"},
		{[]string{"export", "salaries", "--out", bad}, "want: export employees|changes"},
	} {
		code, _, errOut := runCLI(t, c.args...)
		if code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: %d %q", c.args, code, errOut)
		}
	}
	if entries, _ := os.ReadDir(dir); slices.ContainsFunc(entries, func(e os.DirEntry) bool { return strings.HasPrefix(e.Name(), ".bad") || e.Name() == "bad.xlsx" }) {
		t.Fatalf("left a file: %v", entries)
	}
	// With two tenants the tenant must be named.
	runCLI(t, "tenant", "create", "--code", "beta", "--name", "贝塔")
	if code, _, errOut := runCLI(t, "export", "employees", "--out", bad); code != 1 || !strings.Contains(errOut, "acme, beta") {
		t.Fatalf("two tenants: %d %q", code, errOut)
	}
}
