package imports_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/imports/importstest"
	"github.com/renshi/renshi/internal/platform/ids"
)

// The commit replays the dry run's spill instead of reading the file;
// these tests take the uploaded file away (hideUploads) where they must
// be sure the spill was used, and damage or swap the spill where they
// must be sure it was not.

// spillFiles lists the finished spills of the env.
func spillFiles(t testing.TB, e *importstest.Env) []string {
	t.Helper()
	list, err := filepath.Glob(filepath.Join(e.SpillDir, "*.spill"))
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// onlySpill is the env's one finished spill.
func onlySpill(t testing.TB, e *importstest.Env) string {
	t.Helper()
	list := spillFiles(t, e)
	if len(list) != 1 {
		t.Fatalf("spills %v, want one", list)
	}
	return list[0]
}

// hideUploads moves the stored uploads away: a commit can then only
// succeed from its spill. The returned func puts them back.
func hideUploads(t testing.TB, e *importstest.Env) func() {
	t.Helper()
	hidden := e.FilesDir + ".hidden"
	if err := os.Rename(e.FilesDir, hidden); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(e.FilesDir, 0o700); err != nil {
		t.Fatal(err)
	}
	restored := false
	restore := func() {
		if restored {
			return
		}
		restored = true
		if err := os.RemoveAll(e.FilesDir); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(hidden, e.FilesDir); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(restore)
	return restore
}

// result is what a commit left: the batch, its cell errors and changes,
// and the tenant's records.
type result struct {
	State                         string
	Failure                       string
	Counts                        imports.Counts
	Rows, ErrorCount, ChangeCount int
	Errors                        []string
	Changes                       []string
	People                        []importstest.Person
}

func resultOf(t testing.TB, e *importstest.Env, ctx context.Context, tenant, id ids.ID) result {
	t.Helper()
	v, err := e.Svc.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	r := result{State: v.State, Failure: v.Failure, Counts: v.Counts, Rows: v.Rows, ErrorCount: v.ErrorCount,
		ChangeCount: v.ChangeCount, People: e.People.All(tenant)}
	list, _, err := e.Svc.Errors(ctx, id, 1, 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		r.Errors = append(r.Errors, fmt.Sprintf("%d %d %s %s %q %s %v %s", c.Line, c.Index, c.Column, c.Header, c.Value, c.Code, c.Params, c.Message))
	}
	var changes []struct {
		ObjectID string `bun:"object_id"`
		Action   string `bun:"action"`
		Before   string `bun:"before_json"`
		After    string `bun:"after_json"`
		Version  int    `bun:"version"`
	}
	if err := e.DB.Bun().NewRaw("SELECT object_id, action, before_json, after_json, version FROM imports_changes WHERE batch_id = ? ORDER BY seq",
		int64(id)).Scan(context.Background(), &changes); err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		r.Changes = append(r.Changes, fmt.Sprintf("%s %s %s %s %d", c.ObjectID, c.Action, c.Before, c.After, c.Version))
	}
	return r
}

// messyRoster has rows the engine fails (a date, a gender, a name too
// long), rows the target fails (an ID number, a department, a repeated
// key), an update and an unchanged row, and cells typed otherwise than
// they clean (dates, mobiles, genders).
func messyRoster() [][]string {
	rows := roster(24)
	rows[3][4] = "2024年13月40日"
	rows[5][3] = "未知"
	rows[7][1] = "一个名字长得超过十个字符的人的名字啊"
	rows[9][2] = "1101"
	rows[11][6] = "不存在的部门"
	rows[13][4] = "45296"
	rows[15][3] = "Female"
	return append(rows, []string{"E0002", "重复", "", "", "", "", ""})
}

// seed stores the records messyRoster updates (E0004) and leaves as
// they are (E0006).
func seed(e *importstest.Env, tenant ids.ID) {
	e.People.Put(tenant, importstest.Person{No: "E0004", Name: "旧名"})
	e.People.Put(tenant, importstest.Person{No: "E0006", Name: "员工6", IDNumber: "110105199001000006", Gender: "M",
		HireDate: "2024-01-05", Mobile: "13800138000", Dept: "技术部"})
}

// A commit from the spill ends exactly as one from the file: the same
// counts, cell errors (values as typed, masked where sensitive), changes
// and records; the spill is gone afterwards and the rollback works.
func TestCommitFromSpillMatchesFile(t *testing.T) {
	e := importstest.New(t, importstest.Options{ChunkSize: 4})
	beta := e.AddTenant("beta")
	ctxA := e.As(e.Account("hr", importstest.PermImport))
	ctxB := e.As(e.AccountIn(beta, "hr.beta", true, importstest.PermImport))
	data := xlsxOf(t, book{sheets: []page{{name: "花名册", rows: messyRoster()}}})
	seed(e, e.TenantID)
	seed(e, beta)

	run := func(ctx context.Context, tenant ids.ID, fromSpill bool) result {
		v := upload(t, e, ctx, "花名册.xlsx", data)
		if _, err := e.Svc.SetMapping(ctx, v.ID, imports.MappingInput{Mapping: v.Mapping, Key: "employeeNo", Mode: imports.ModeValid}); err != nil {
			t.Fatal(err)
		}
		v = check(t, e, ctx, v.ID)
		if v.State != imports.StateChecked || v.Counts != (imports.Counts{New: 17, Updated: 1, Unchanged: 1, Failed: 6}) {
			t.Fatalf("dry run: %s %+v", v.State, v.Counts)
		}
		spill := onlySpill(t, e)
		if fromSpill {
			defer hideUploads(t, e)()
		} else if err := os.Remove(spill); err != nil {
			t.Fatal(err)
		}
		v = commit(t, e, ctx, v.ID)
		if v.State != imports.StateImported {
			t.Fatalf("commit (spill %v): %s %s", fromSpill, v.State, v.Failure)
		}
		if left := spillFiles(t, e); len(left) != 0 {
			t.Fatalf("spills left after the commit: %v", left)
		}
		return resultOf(t, e, ctx, tenant, v.ID)
	}
	spilled := run(ctxA, e.TenantID, true)
	read := run(ctxB, beta, false)
	if spilled.Counts != (imports.Counts{New: 17, Updated: 1, Unchanged: 1, Failed: 6}) || spilled.ChangeCount != 18 || spilled.ErrorCount != 6 {
		t.Fatalf("commit from the spill: %+v", spilled)
	}
	if fmt.Sprint(spilled) != fmt.Sprint(read) {
		t.Fatalf("commit from the spill:\n%+v\nfrom the file:\n%+v", spilled, read)
	}
	// The values as typed and cleaned made it through the spill.
	p, _ := e.People.Get(e.TenantID, "E0013")
	q, _ := e.People.Get(e.TenantID, "E0015")
	if p.HireDate != "2024-01-05" || p.Mobile != "13800138000" || q.Gender != "F" {
		t.Fatalf("records %+v %+v", p, q)
	}
	if !slices.ContainsFunc(spilled.Errors, func(s string) bool { return strings.Contains(s, `"2024年13月40日" clean.invalid_date`) }) ||
		!slices.ContainsFunc(spilled.Errors, func(s string) bool { return strings.Contains(s, `"****" invalid_id_number`) }) {
		t.Fatalf("errors %v", spilled.Errors)
	}

	// Rollback of the commit from the spill.
	list, _, err := e.Svc.List(ctxA, imports.Filter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("history %d %v", len(list), err)
	}
	if v, err := e.Svc.Rollback(ctxA, list[0].ID); err != nil || v.State != imports.StateRolledBack {
		t.Fatalf("rollback: %v", err)
	}
	if got := e.People.All(e.TenantID); len(got) != 2 || got[0].Name != "旧名" {
		t.Fatalf("after rollback %+v", got)
	}
}

// A spill that is missing, damaged, cut short, sealed for another batch,
// written for another mapping or by another dry run is not used: the
// commit reads the file and the result is right.
func TestCommitFallsBackToTheFile(t *testing.T) {
	data := csvOf(t, roster(30), false)
	cases := []struct {
		name, why string // why: the reason logged
		// spoil damages the batch's spill (at path) after its dry run.
		spoil func(t *testing.T, e *importstest.Env, ctx context.Context, id ids.ID, path string)
	}{
		{"missing", "none", func(t *testing.T, _ *importstest.Env, _ context.Context, _ ids.ID, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}},
		{"damaged", "damaged", func(t *testing.T, _ *importstest.Env, _ context.Context, _ ids.ID, path string) {
			b, _ := os.ReadFile(path)
			b[len(b)/2] ^= 0x40
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"cut short", "truncated", func(t *testing.T, _ *importstest.Env, _ context.Context, _ ids.ID, path string) {
			b, _ := os.ReadFile(path)
			if err := os.WriteFile(path, b[:len(b)-30], 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"not a spill", "not a spill", func(t *testing.T, _ *importstest.Env, _ context.Context, _ ids.ID, path string) {
			if err := os.WriteFile(path, []byte("工号,姓名\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"another batch's", "another file, mapping or options", func(t *testing.T, e *importstest.Env, ctx context.Context, _ ids.ID, path string) {
			// Another file of as many new rows (other names), checked:
			// its spill under this batch's name.
			mine, _ := os.ReadFile(path)
			rows := roster(30)
			for _, r := range rows[1:] {
				r[1] = "别人"
			}
			other := upload(t, e, ctx, "r.csv", csvOf(t, rows, false))
			check(t, e, ctx, other.ID)
			var theirs []byte
			for _, p := range spillFiles(t, e) {
				if p != path {
					theirs, _ = os.ReadFile(p)
				}
			}
			if len(theirs) == 0 || string(theirs) == string(mine) {
				t.Fatal("no other spill")
			}
			if err := os.WriteFile(path, theirs, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"another mapping's", "another file, mapping or options", func(t *testing.T, e *importstest.Env, ctx context.Context, id ids.ID, path string) {
			// Checked without the mobile column, then with it: the first
			// spill put back. Were it used, nobody would have a mobile.
			full, _ := e.Svc.Get(ctx, id)
			partial := imports.Mapping{}
			for h, k := range full.Mapping {
				if k != "mobile" {
					partial[h] = k
				}
			}
			if _, err := e.Svc.SetMapping(ctx, id, imports.MappingInput{Mapping: partial, Key: "employeeNo"}); err != nil {
				t.Fatal(err)
			}
			if len(spillFiles(t, e)) != 0 {
				t.Fatal("a new mapping kept the spill of the dry run it discarded")
			}
			check(t, e, ctx, id)
			old, _ := os.ReadFile(onlySpill(t, e))
			if _, err := e.Svc.SetMapping(ctx, id, imports.MappingInput{Mapping: full.Mapping, Key: "employeeNo"}); err != nil {
				t.Fatal(err)
			}
			check(t, e, ctx, id)
			if err := os.WriteFile(path, old, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"another dry run's", "another dry run", func(t *testing.T, e *importstest.Env, ctx context.Context, id ids.ID, path string) {
			// Same file and mapping, but the batch's last dry run counted
			// otherwise (E0030 was stored meanwhile): its spill is gone,
			// the earlier one put back.
			old, _ := os.ReadFile(path)
			e.People.Put(e.TenantID, importstest.Person{No: "E0030", Name: "已有"})
			if v := check(t, e, ctx, id); v.Counts.Updated != 1 {
				t.Fatalf("second dry run %+v", v.Counts)
			}
			if err := os.WriteFile(path, old, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logRecorder{}
			e := importstest.New(t, importstest.Options{ChunkSize: 4, Limits: imports.Options{Logger: slog.New(logs)}})
			ctx := e.As(e.Account("hr", importstest.PermImport))
			v := upload(t, e, ctx, "r.csv", data)
			v = check(t, e, ctx, v.ID)
			path := onlySpillOf(t, e, v.ID)
			tc.spoil(t, e, ctx, v.ID, path)
			v = commit(t, e, ctx, v.ID)
			if got := logs.find("import commit reads the file"); !strings.Contains(got, tc.why) {
				t.Errorf("logged %q, want the reason %q", got, tc.why)
			}
			if v.State != imports.StateImported || v.Counts.New+v.Counts.Updated != 30 || v.ChangeCount != 30 {
				t.Fatalf("commit: %s %s %+v %d", v.State, v.Failure, v.Counts, v.ChangeCount)
			}
			if p, _ := e.People.Get(e.TenantID, "E0030"); p.Name != "员工30" || p.Mobile != "13800138000" {
				t.Fatalf("E0030 %+v", p)
			}
			if n := e.People.Count(e.TenantID); n != 30 {
				t.Fatalf("%d records", n)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("the spill outlived the commit: %v", err)
			}
		})
	}
}

// onlySpillOf is the spill of a batch of the env's tenant.
func onlySpillOf(t testing.TB, e *importstest.Env, id ids.ID) string {
	t.Helper()
	for _, p := range spillFiles(t, e) {
		if strings.HasSuffix(p, fmt.Sprintf("-%d.spill", id)) {
			return p
		}
	}
	t.Fatalf("no spill of batch %s in %v", id, spillFiles(t, e))
	return ""
}

// A spill damaged while the commit replays it: the commit's transaction
// is rolled back and the commit starts again from the file, once.
func TestSpillDamagedDuringTheCommit(t *testing.T) {
	defer imports.SetSpillBuffer(imports.SetSpillBuffer(16))
	logs := &logRecorder{}
	e := importstest.New(t, importstest.Options{ChunkSize: 2, Limits: imports.Options{Logger: slog.New(logs)}})
	ctx := e.As(e.Account("hr", importstest.PermImport))
	v := upload(t, e, ctx, "r.csv", csvOf(t, roster(40), false))
	v = check(t, e, ctx, v.ID)
	path := onlySpill(t, e)
	e.People.SetBeforeApply(func(ctx context.Context, chunk int) error {
		if chunk == 1 {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			b[len(b)-60] ^= 0x01 // near the end: read long after this
			return os.WriteFile(path, b, 0o600)
		}
		return nil
	})
	v = commit(t, e, ctx, v.ID)
	if v.State != imports.StateImported || v.Counts.New != 40 || v.ChangeCount != 40 || e.People.Count(e.TenantID) != 40 {
		t.Fatalf("commit: %s %s %+v %d changes, %d records", v.State, v.Failure, v.Counts, v.ChangeCount, e.People.Count(e.TenantID))
	}
	if got := logs.find("import commit reads the file after all"); !strings.Contains(got, "damaged") {
		t.Fatalf("logged %q", got)
	}
	r := resultOf(t, e, ctx, e.TenantID, v.ID)
	if len(r.Changes) != 40 || !strings.HasPrefix(r.Changes[0], "E0001 new") || !strings.HasPrefix(r.Changes[39], "E0040 new") {
		t.Fatalf("changes %d: %v", len(r.Changes), r.Changes)
	}
}

// What the commit checks against the database is checked again when
// it replays the spill: a key stored since the dry run makes its row an
// update, a department gone fails its row — the whole all-or-nothing
// commit, with nothing written; only that row in valid-rows mode.
func TestCommitFromSpillSeesTheDatabase(t *testing.T) {
	e := importstest.New(t, importstest.Options{ChunkSize: 3})
	ctx := e.As(e.Account("hr", importstest.PermImport))
	rows := roster(12)
	rows[8][6] = "销售部" // E0008
	data := xlsxOf(t, book{sheets: []page{{name: "S", rows: rows}}})
	all := check(t, e, ctx, upload(t, e, ctx, "r.xlsx", data).ID)
	valid := upload(t, e, ctx, "r.xlsx", data)
	if _, err := e.Svc.SetMapping(ctx, valid.ID, imports.MappingInput{Mapping: valid.Mapping, Key: "employeeNo", Mode: imports.ModeValid}); err != nil {
		t.Fatal(err)
	}
	valid = check(t, e, ctx, valid.ID)
	if all.Counts != (imports.Counts{New: 12}) || valid.Counts != (imports.Counts{New: 12}) || len(spillFiles(t, e)) != 2 {
		t.Fatalf("dry runs %+v %+v, spills %v", all.Counts, valid.Counts, spillFiles(t, e))
	}
	hideUploads(t, e)
	e.People.Put(e.TenantID, importstest.Person{No: "E0005", Name: "先到"})
	e.People.SetDepartments("技术部", "技术部/后端组")

	v := commit(t, e, ctx, all.ID)
	if v.State != imports.StateFailed || v.Failure != "imports.changed_since_check" || v.ChangeCount != 0 {
		t.Fatalf("all-or-nothing: %s %s %d", v.State, v.Failure, v.ChangeCount)
	}
	if got := e.People.All(e.TenantID); len(got) != 1 || got[0].Name != "先到" {
		t.Fatalf("a refused commit wrote %+v", got)
	}
	list, _, _ := e.Svc.Errors(ctx, all.ID, 1, 10)
	if len(list) != 1 || list[0].Line != 9 || list[0].Column != "department" || list[0].Code != "not_found" || list[0].Value != "销售部" {
		t.Fatalf("errors %+v", list)
	}

	v = commit(t, e, ctx, valid.ID)
	if v.State != imports.StateImported || v.Counts != (imports.Counts{New: 10, Updated: 1, Failed: 1}) || v.ChangeCount != 11 {
		t.Fatalf("valid rows: %s %s %+v %d", v.State, v.Failure, v.Counts, v.ChangeCount)
	}
	if p, _ := e.People.Get(e.TenantID, "E0005"); p.Name != "员工5" || p.Version != 2 {
		t.Fatalf("E0005 %+v", p)
	}
	if _, ok := e.People.Get(e.TenantID, "E0008"); ok || e.People.Count(e.TenantID) != 11 {
		t.Fatalf("%d records", e.People.Count(e.TenantID))
	}
	if len(spillFiles(t, e)) != 0 {
		t.Fatalf("spills left %v", spillFiles(t, e))
	}
}

// Cancelling a commit that replays the spill leaves nothing written.
func TestCancelCommitFromSpill(t *testing.T) {
	e := importstest.New(t, importstest.Options{ChunkSize: 10})
	ctx := e.As(e.Account("hr", importstest.PermImport))
	v := upload(t, e, ctx, "big.xlsx", xlsxOf(t, book{sheets: []page{{name: "S", rows: roster(45)}}}))
	v = check(t, e, ctx, v.ID)
	restore := hideUploads(t, e)
	reached := make(chan struct{})
	e.People.SetBeforeApply(func(ctx context.Context, chunk int) error {
		if chunk == 3 {
			close(reached)
			<-ctx.Done()
			return context.Cause(ctx)
		}
		return nil
	})
	if _, err := e.Svc.Commit(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	select {
	case <-reached:
	case <-time.After(10 * time.Second):
		t.Fatal("the commit never reached its third chunk")
	}
	if _, err := e.Svc.Cancel(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	c := e.Wait(ctx, v.ID, imports.StateCancelled)
	var n int
	if err := e.DB.Bun().NewRaw("SELECT COUNT(*) FROM imports_changes").Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	if e.People.Count(e.TenantID) != 0 || c.ChangeCount != 0 || n != 0 {
		t.Fatalf("cancel left %d records, %d changes (%d stored)", e.People.Count(e.TenantID), c.ChangeCount, n)
	}
	if len(spillFiles(t, e)) != 0 {
		t.Fatalf("a cancelled commit kept its spill: %v", spillFiles(t, e))
	}
	// Checked again (from the file) and committed: everything once.
	restore()
	e.People.SetBeforeApply(nil)
	check(t, e, ctx, v.ID)
	v = commit(t, e, ctx, v.ID)
	if v.State != imports.StateImported || e.People.Count(e.TenantID) != 45 || v.ChangeCount != 45 {
		t.Fatalf("after cancel: %s %d %d", v.State, e.People.Count(e.TenantID), v.ChangeCount)
	}
}

// Spills go when their dry run is discarded (a new mapping, a new dry
// run), when the batch is committed, refused or not, and when they are
// older than SpillTTL; nothing is written with SpillDir "-".
func TestSpillCleanup(t *testing.T) {
	t.Run("expired", func(t *testing.T) {
		e := importstest.New(t)
		ctx := e.As(e.Account("hr", importstest.PermImport))
		old := time.Now().Add(-imports.SpillTTL - time.Hour)
		for name, mtime := range map[string]time.Time{"1-2.spill": old, ".spill-tmp-3": old, "4-5.spill": time.Now(), "notes.txt": old} {
			p := filepath.Join(e.SpillDir, name)
			if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(p, mtime, mtime); err != nil {
				t.Fatal(err)
			}
		}
		v := check(t, e, ctx, upload(t, e, ctx, "r.csv", csvOf(t, roster(3), false)).ID)
		var names []string
		left, _ := os.ReadDir(e.SpillDir)
		for _, f := range left {
			names = append(names, f.Name())
		}
		want := []string{fmt.Sprintf("%d-%d.spill", e.TenantID, v.ID), "4-5.spill", "notes.txt"}
		slices.Sort(want)
		if !slices.Equal(names, want) {
			t.Fatalf("left %v, want %v", names, want)
		}
	})
	t.Run("discarded and committed", func(t *testing.T) {
		e := importstest.New(t)
		ctx := e.As(e.Account("hr", importstest.PermImport))
		v := upload(t, e, ctx, "r.csv", csvOf(t, roster(3), false))
		check(t, e, ctx, v.ID)
		onlySpill(t, e)
		if _, err := e.Svc.SetMapping(ctx, v.ID, imports.MappingInput{Mapping: v.Mapping, Key: "employeeNo"}); err != nil {
			t.Fatal(err)
		}
		if len(spillFiles(t, e)) != 0 {
			t.Fatal("a new mapping kept the spill")
		}
		check(t, e, ctx, v.ID)
		first, _ := os.ReadFile(onlySpill(t, e))
		check(t, e, ctx, v.ID)
		if again, _ := os.ReadFile(onlySpill(t, e)); string(again) == string(first) {
			t.Fatal("a new dry run kept the old spill")
		}
		e.People.Put(e.TenantID, importstest.Person{No: "E0002", Name: "旧"})
		e.People.Lock(e.TenantID, "E0002")
		if v = commit(t, e, ctx, v.ID); v.State != imports.StateFailed {
			t.Fatalf("commit %s", v.State)
		}
		if len(spillFiles(t, e)) != 0 {
			t.Fatal("a refused commit kept the spill")
		}
		e.People.Put(e.TenantID, importstest.Person{No: "E0002", Name: "旧"})
		check(t, e, ctx, v.ID)
		if v = commit(t, e, ctx, v.ID); v.State != imports.StateImported {
			t.Fatalf("commit %s %s", v.State, v.Failure)
		}
		if left, _ := os.ReadDir(e.SpillDir); len(left) != 0 {
			t.Fatalf("left %v", left)
		}
	})
	t.Run("none", func(t *testing.T) {
		e := importstest.New(t, importstest.Options{Limits: imports.Options{SpillDir: "-"}})
		ctx := e.As(e.Account("hr", importstest.PermImport))
		v := check(t, e, ctx, upload(t, e, ctx, "r.csv", csvOf(t, roster(3), false)).ID)
		if v = commit(t, e, ctx, v.ID); v.State != imports.StateImported || e.People.Count(e.TenantID) != 3 {
			t.Fatalf("commit without spills: %s %s", v.State, v.Failure)
		}
	})
}

// logRecorder keeps the messages logged, with their attributes.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }

func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	line := r.Message
	r.Attrs(func(a slog.Attr) bool {
		line += " " + a.String()
		return true
	})
	l.mu.Lock()
	l.lines = append(l.lines, line)
	l.mu.Unlock()
	return nil
}

// find is the first line that starts with msg ("" if none).
func (l *logRecorder) find(msg string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.lines {
		if strings.HasPrefix(s, msg) {
			return s
		}
	}
	return ""
}
