package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/dbtest"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestOperatorCommands drives the verbs an operator uses, on a fresh
// database of the engine under test.
func TestOperatorCommands(t *testing.T) {
	dir := t.TempDir()
	dsn := dbtest.DSN(t)
	t.Setenv("RENSHI_DB", dsn)
	t.Setenv("RENSHI_MASTER_KEY_FILE", filepath.Join(dir, "master.key"))
	t.Setenv("RENSHI_LOG_LEVEL", "error")

	if code, out, _ := runCLI(t, "version"); code != 0 || !strings.HasPrefix(out, "renshi ") {
		t.Fatalf("version: %d %q", code, out)
	}
	t.Setenv("RENSHI_MASTER_KEY", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=")
	if code, out, _ := runCLI(t, "config"); code != 0 || strings.Contains(out, "c2VjcmV0") || !strings.Contains(out, "****") {
		t.Fatalf("config must mask the key: %q", out)
	}
	os.Unsetenv("RENSHI_MASTER_KEY")

	if code, _, errOut := runCLI(t, "tenant", "create", "--code", "Bad Code!", "--name", "x"); code != 1 || !strings.Contains(errOut, "code") {
		t.Fatalf("bad tenant code: %d %q", code, errOut)
	}
	if code, out, errOut := runCLI(t, "tenant", "create", "--code", "acme", "--name", "艾克米"); code != 0 || !strings.Contains(out, "tenant acme created") {
		t.Fatalf("tenant create: %d %q %q", code, out, errOut)
	}
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("Cli-Passw0rd-2026\n"), 0o600)
	if code, out, errOut := runCLI(t, "user", "create", "--tenant", "acme", "--login", "boss", "--password-file", pw, "--role", "super_admin"); code != 0 || !strings.Contains(out, "user boss created") {
		t.Fatalf("user create: %d %q %q", code, out, errOut)
	}
	os.WriteFile(pw, []byte("short\n"), 0o600)
	if code, _, errOut := runCLI(t, "user", "create", "--tenant", "acme", "--login", "weak", "--password-file", pw); code != 1 || !strings.Contains(errOut, "password") {
		t.Fatalf("weak password: %d %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "user", "create", "--tenant", "acme", "--login", "x2", "--password-file", pw, "--role", "nope"); code != 1 || !strings.Contains(errOut, "nope") {
		t.Fatalf("unknown role: %d %q", code, errOut)
	}
	if code, out, _ := runCLI(t, "user", "reset-password", "--tenant", "acme", "--login", "boss"); code != 0 || !strings.Contains(out, "new password for boss") {
		t.Fatalf("reset: %d %q", code, out)
	}
	if code, out, _ := runCLI(t, "seed", "demo"); code != 0 || !strings.Contains(out, "password:") {
		t.Fatalf("seed: %d %q", code, out)
	}
	if code, out, _ := runCLI(t, "seed", "demo"); code != 0 || !strings.Contains(out, "exists already") {
		t.Fatalf("seed again: %d %q", code, out)
	}
	// A company in an existing tenant: organisation and people.
	if code, out, errOut := runCLI(t, "seed", "demo", "--tenant", "acme", "--employees", "60"); code != 0 || !strings.Contains(out, "generated 60 employees in tenant acme") {
		t.Fatalf("seed company: %d %q %q", code, out, errOut)
	}
	if code, out, _ := runCLI(t, "seed", "demo", "--tenant", "acme", "--employees", "60"); code != 0 || !strings.Contains(out, "already has an organisation") {
		t.Fatalf("seed company twice: %d %q", code, out)
	}
	if code, _, errOut := runCLI(t, "seed", "demo", "--tenant", "nope", "--employees", "60"); code != 1 || !strings.Contains(errOut, "nope") {
		t.Fatalf("unknown tenant: %d %q", code, errOut)
	}
	if code, out, _ := runCLI(t, "keys", "rotate"); code != 0 || !strings.Contains(out, "re-encrypted") {
		t.Fatalf("rotate: %d %q", code, out)
	}
	if code, out, _ := runCLI(t, "audit", "verify"); code != 0 || strings.Count(out, ": ok,") < 2 {
		t.Fatalf("verify: %d %q", code, out)
	}
	// Tamper behind the application's back: verify names the row, exits 3.
	d, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Bun().ExecContext(context.Background(), "UPDATE audit_log SET action = 'nothing' WHERE seq = 2 AND tenant_id = (SELECT id FROM platform_tenants WHERE code = 'acme')"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	code, out, _ := runCLI(t, "audit", "verify", "--tenant", "acme")
	if code != 3 || !strings.Contains(out, "BROKEN at seq 2") || !strings.Contains(out, "edited") {
		t.Fatalf("tampered verify: %d %q", code, out)
	}
	if code, _, _ := runCLI(t, "frobnicate"); code != 2 {
		t.Fatalf("unknown command: %d", code)
	}
}
