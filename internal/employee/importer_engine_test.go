package employee_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/imports/importsdb"
	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/files"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/jobs"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// uploader resolves the one account of the test for background runs.
type uploader struct{ p *rbac.Principal }

func (u uploader) ActAs(context.Context, ids.ID) (*rbac.Principal, error) { return u.p, nil }

// The real engine with the module's targets: a GBK file is uploaded,
// mapped by its headers, checked, committed in chunks of two rows (a
// manager further down the file lands in a later chunk), imported again
// (nothing changes) and rolled back.
// newEngine is the real import engine with the module's targets, acting
// as an HR admin; chunk is the rows per chunk.
func newEngine(t *testing.T, chunk int) (*impEnv, *imports.Service, context.Context) {
	t.Helper()
	e := newImpEnv(t)
	user := ids.New()
	now := time.Now().UTC()
	err := e.db.WithTx(context.Background(), func(ctx context.Context) error {
		_, err := e.db.Conn(ctx).ExecContext(ctx, `INSERT INTO auth_users (tenant_id, id, login, display_name, password_hash, password_changed_at, created_at, updated_at)
			VALUES (?, ?, 'hr', 'HR', 'x', ?, ?, ?)`, int64(e.tenant), int64(user), now, now, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	perms := map[string]rbac.Scope{}
	for _, p := range rbac.BuiltinPermissions(rbac.HRAdmin) {
		perms[p] = rbac.Scope{All: true, Self: true}
	}
	p := rbac.NewPrincipal(rbac.Principal{TenantID: e.tenant, UserID: user, Login: "hr", TimeZone: "Asia/Shanghai", Locale: "zh-CN"}, perms)
	ctx := rbac.WithPrincipal(context.Background(), p)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := imports.NewService(e.db, importsdb.New(e.db), jobs.New(e.db, jobs.Options{Logger: log}),
		files.NewService(e.db, files.LocalDisk{Root: t.TempDir()}), e.audit, imports.Options{Principals: uploader{p}, ChunkSize: chunk, Logger: log})
	for _, tg := range org.ImportTargets(e.org) {
		svc.Register(tg)
	}
	for _, tg := range employee.ImportTargets(e.svc) {
		svc.Register(tg)
	}
	return e, svc, ctx
}

func TestEngineImportsRosterFile(t *testing.T) {
	e, svc, ctx := newEngine(t, 2)
	data, err := os.ReadFile(filepath.Join(fixtureDir, "roster_gbk.csv"))
	if err != nil {
		t.Fatal(err)
	}
	upload := func() *imports.View {
		v, err := svc.Upload(ctx, employee.TargetEmployees, "花名册.csv", bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Unmapped) != 0 || len(v.Mapping) != 13 {
			t.Fatalf("mapping: %v, unmapped %v", v.Mapping, v.Unmapped)
		}
		if _, err := svc.SetMapping(ctx, v.ID, imports.MappingInput{Mapping: v.Mapping, Key: "employeeNo"}); err != nil {
			t.Fatal(err)
		}
		if v, err = svc.CheckNow(ctx, v.ID, nil); err != nil {
			t.Fatal(err)
		}
		return v
	}
	v := upload()
	if v.Counts != (imports.Counts{New: 5}) {
		errs, _, _ := svc.Errors(ctx, v.ID, 1, 50)
		t.Fatalf("dry run: %+v %+v", v.Counts, errs)
	}
	if v, err = svc.CommitNow(ctx, v.ID, nil); err != nil || v.State != imports.StateImported {
		t.Fatalf("commit: %v %+v", err, v)
	}
	liu, chen := e.byNo(ctx, "RS1004"), e.byNo(ctx, "RS1005")
	if liu == nil || chen == nil || liu.ManagerID != chen.ID || liu.GradeID != e.p6 {
		t.Fatalf("RS1004: %+v", liu)
	}
	again := upload()
	if again.Counts != (imports.Counts{Unchanged: 5}) {
		t.Fatalf("again: %+v", again.Counts)
	}
	// The samples of other systems get their preset's mapping.
	for file, want := range map[string]int{"orangehrm_employees.csv": 17, "frappe_employee_export.csv": 24} {
		b, err := os.ReadFile(filepath.Join(fixtureDir, file))
		if err != nil {
			t.Fatal(err)
		}
		sv, err := svc.Upload(ctx, employee.TargetEmployees, file, bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		if len(sv.Mapping) != want || sv.MappingName != file[:strings.Index(file, "_")] {
			t.Errorf("%s: %d columns mapped by %q: %v (unmapped %v)", file, len(sv.Mapping), sv.MappingName, sv.Mapping, sv.Unmapped)
		}
	}
	if _, err := svc.Rollback(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	if e.byNo(ctx, "RS1001") != nil || e.byNo(ctx, "RS1005") != nil {
		t.Fatal("rollback left people")
	}
}

// A manager named by a row that never comes is only known at the end of
// the file: the dry run fails that row, and a commit (even of the valid
// rows only) writes nothing.
func TestEngineReportsManagersNeverFound(t *testing.T) {
	_, svc, ctx := newEngine(t, 2)
	csv := "工号,姓名,身份证号,手机,部门,入职日期,直属上级\n" +
		"RS2001,周一,44030519870214003X,13812340001,技术部/后端组,2024-03-15,\n" +
		"RS2002,吴二,440305199307080043,13812340002,技术部/后端组,2024-03-15,RS2999\n" +
		"RS2003,郑三,440305199012010064,13812340003,技术部/后端组,2024-03-15,RS2001\n"
	v, err := svc.Upload(ctx, employee.TargetEmployees, "roster.csv", strings.NewReader(csv), int64(len(csv)))
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{imports.ModeValid} {
		if _, err := svc.SetMapping(ctx, v.ID, imports.MappingInput{Mapping: v.Mapping, Key: "employeeNo", Mode: mode}); err != nil {
			t.Fatal(err)
		}
		c, err := svc.CheckNow(ctx, v.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.Counts != (imports.Counts{New: 2, Failed: 1}) {
			list, _, _ := svc.Errors(ctx, v.ID, 1, 50)
			t.Fatalf("dry run: %+v %+v", c.Counts, list)
		}
		list, _, err := svc.Errors(ctx, v.ID, 1, 50)
		if err != nil || len(list) != 1 || list[0].Line != 3 || list[0].Column != "manager" {
			t.Fatalf("errors: %+v %v", list, err)
		}
		if c, err = svc.CommitNow(ctx, v.ID, nil); err == nil && c.State == imports.StateImported {
			t.Fatalf("commit went through: %+v", c)
		}
	}
}
