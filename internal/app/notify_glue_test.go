package app

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/renshi/renshi/internal/config"
	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/platform/auth"
	"github.com/renshi/renshi/internal/platform/auth/authdb"
	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/tenant"
)

// The notify glue answers from the real account and role services.
func TestNotifyGlue(t *testing.T) {
	cfg := config.Defaults()
	cfg.DB = dbtest.DSN(t)
	cfg.MasterKey = crypto.NewMasterKey()
	cfg.MasterKeyFile = filepath.Join(t.TempDir(), "unused.key")
	cfg.FilesDir = filepath.Join(t.TempDir(), "files")
	ctx := context.Background()
	a, err := New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	svc, err := a.notifications("smtp://relay.example.com?from=hr@example.com")
	if err != nil || svc == nil {
		t.Fatal(err)
	}
	if _, err := a.notifications("ftp://nope"); err == nil {
		t.Fatal("a bad SMTP URL was accepted")
	}
	ten, err := a.Tenants.Create(ctx, tenant.New{Code: "acme", Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(login, role, email, locale string) ids.ID {
		u, err := a.CreateUser(ctx, "acme", auth.NewUser{Login: login, DisplayName: login + "名", Email: email, Locale: locale, Password: "Test-Passw0rd!42"}, role)
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	hr := mk("hr", rbac.HRAdmin, "hr@acme.example", "en")
	spec := mk("spec", rbac.HRSpecialist, "", "")
	staff := mk("staff", rbac.Employee, "staff@acme.example", "")
	dir := notifyDirectory{users: authdb.New(a.DB)}
	rs, err := dir.Recipients(ctx, ten.ID, []ids.ID{hr, staff, ids.New()})
	if err != nil || len(rs) != 2 || rs[hr].Email != "hr@acme.example" || rs[hr].Locale != "en" || !rs[hr].Active || rs[hr].Name != "hr名" {
		t.Fatalf("recipients: %+v %v", rs, err)
	}
	rd := reminderDirectory{a: a, users: authdb.New(a.DB)}
	hs, err := rd.Holders(ctx, ten.ID, employee.PermContractEdit)
	if err != nil {
		t.Fatal(err)
	}
	scopes := map[ids.ID]rbac.Scope{}
	for _, h := range hs {
		scopes[h.UserID] = h.Scope
	}
	// root-like super admins hold everything; hr_admin over the tenant;
	// the specialist's department scope reaches only himself without an
	// employee record; the employee holds no contract permission.
	if !scopes[hr].All || scopes[spec].All || len(scopes[spec].Departments) != 0 {
		t.Fatalf("holders: %+v", hs)
	}
	if _, ok := scopes[staff]; ok {
		t.Fatalf("an employee holds contract.manage: %+v", hs)
	}
	acc, err := rd.Accounts(ctx, ten.ID, []ids.ID{ids.New()})
	if err != nil || len(acc) != 0 {
		t.Fatalf("accounts: %v %v", acc, err)
	}
}
