package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/platform/dbtest"
)

// `renshi import` runs the web import's engine in the foreground: dry
// run, all-or-nothing refusal (exit 1, nothing written), valid mode,
// and a second import of the same file changing nothing.
func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("RENSHI_DB", dbtest.DSN(t))
	t.Setenv("RENSHI_MASTER_KEY_FILE", filepath.Join(dir, "master.key"))
	t.Setenv("RENSHI_FILES_DIR", filepath.Join(dir, "files"))
	t.Setenv("RENSHI_LOG_LEVEL", "error")
	if code, out, errOut := runCLI(t, "tenant", "create", "--code", "acme", "--name", "艾克米"); code != 0 {
		t.Fatalf("tenant create: %d %q %q", code, out, errOut)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("部门.csv", "部门编码,部门名称,上级部门\nHQ,总部,\nTECH,技术部,HQ\n")
	bad := write("bad.csv", "部门编码,部门名称,上级部门\nSALES,销售部,HQ\nX1,没有上级,NOPE\n")

	if code, _, errOut := runCLI(t, "import", "departments"); code != 1 || !strings.Contains(errOut, "want: import TARGET FILE") {
		t.Fatalf("usage: %d %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "import", "departments", good, "--bogus"); code != 1 || !strings.Contains(errOut, "unknown flag --bogus") {
		t.Fatalf("unknown flag: %d %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "import", "nope", good); code != 1 || !strings.Contains(errOut, "does not exist") {
		t.Fatalf("unknown target: %d %q", code, errOut)
	}
	code, out, errOut := runCLI(t, "import", "departments", good, "--dry-run")
	if code != 0 || !strings.Contains(out, "dry run: 2 rows: 2 new") || !strings.Contains(out, "nothing was written") {
		t.Fatalf("dry run: %d %q %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "import", "--tenant", "acme", "departments", good)
	if code != 0 || !strings.Contains(out, "imported: 2 rows: 2 new") {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "import", "departments", good)
	if code != 0 || !strings.Contains(out, "imported: 2 rows: 0 new, 0 updated, 2 unchanged") {
		t.Fatalf("import again: %d %q %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "import", "departments", bad)
	if code != 1 || !strings.Contains(out, "第 3 行 上级部门（C 列） “NOPE”") || !strings.Contains(errOut, "1 rows failed the checks; nothing was imported") {
		t.Fatalf("all or nothing: %d %q %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "import", "departments", bad, "--mode", "valid", "--lang", "en")
	if code != 0 || !strings.Contains(out, "imported: 2 rows: 1 new, 0 updated, 0 unchanged, 1 failed") || !strings.Contains(out, "row 3, 上级部门 (column C)") {
		t.Fatalf("valid mode: %d %q %q", code, out, errOut)
	}
}
