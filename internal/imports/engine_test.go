package imports_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/imports/importstest"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/jobs"
)

// The whole way of a roster: upload (title row, merged title), mapping
// suggested, dry run with per-cell errors, all-or-nothing refusal, valid
// mode, re-import unchanged, rollback and its conflict.
func TestImportScenario(t *testing.T) {
	e := importstest.New(t)
	hr := e.Account("hr", importstest.PermImport)
	ctx := e.As(hr)

	rows := roster(6)
	rows[2][4] = "2024年13月40日"                                       // E0002: no such date
	rows[3][2] = "1101"                                              // E0003: ID number the target refuses (sensitive: masked)
	rows[4][3] = "未知"                                                // E0004: not a gender
	rows[5][6] = "不存在的部门"                                            // E0005: unknown department
	rows[6][1] = "一个名字长得超过十个字符的人的名字啊"                                // E0006: over Max
	rows = append(rows, []string{"E0001", "重复", "", "", "", "", ""}) // duplicate key
	data := xlsxOf(t, book{sheets: []page{{name: "花名册", rows: append([][]string{{"2024 年员工花名册"}}, rows...), merges: []string{"A1:G1"}}}})

	v := upload(t, e, ctx, "花名册.xlsx", data)
	if v.State != imports.StateUploaded || v.Format != "xlsx" || v.HeaderLine != 2 || v.Sheet != "花名册" {
		t.Fatalf("upload: %+v", v.Batch)
	}
	want := imports.Mapping{"工号": "employeeNo", "姓名": "name", "身份证号": "idNumber", "性别": "gender", "入职日期": "hireDate", "手机": "mobile", "部门": "department"}
	if fmt.Sprint(v.Mapping) != fmt.Sprint(want) || len(v.Unmapped) != 0 || len(v.Missing) != 0 {
		t.Fatalf("suggested %v unmapped %v missing %v", v.Mapping, v.Unmapped, v.Missing)
	}
	if len(v.Sample) != 5 || v.Sample[0][0] != "E0001" || v.Key != "employeeNo" || v.Mode != imports.ModeAll {
		t.Fatalf("sample %v key %s mode %s", v.Sample, v.Key, v.Mode)
	}

	v = check(t, e, ctx, v.ID)
	if v.State != imports.StateChecked || v.Counts != (imports.Counts{New: 1, Failed: 6}) || v.Rows != 7 || v.Progress != 100 {
		t.Fatalf("dry run: %s %+v rows %d progress %d %s", v.State, v.Counts, v.Rows, v.Progress, v.Failure)
	}
	if v.Job == nil || v.Job.State != jobs.Succeeded || v.Job.Kind != imports.JobCheck {
		t.Fatalf("job %+v", v.Job)
	}
	list, total, err := e.Svc.Errors(ctx, v.ID, 1, 50)
	if err != nil || total != 6 || len(list) != 6 {
		t.Fatalf("errors %d %v %+v", total, err, list)
	}
	got := map[int]imports.CellError{}
	for _, ce := range list {
		got[ce.Line] = ce
	}
	for line, w := range map[int]struct{ col, code, value string }{
		4: {"hireDate", "clean.invalid_date", "2024年13月40日"},
		5: {"idNumber", "invalid_id_number", "****"},
		6: {"gender", "clean.invalid_choice", "未知"},
		7: {"department", "not_found", "不存在的部门"},
		8: {"name", "imports.too_long", "一个名字长得超过十个字符的人的名字啊"},
		9: {"employeeNo", "duplicate", "E0001"},
	} {
		ce := got[line]
		if ce.Column != w.col || ce.Code != w.code || ce.Value != w.value || ce.Message == "" || ce.Message == ce.Code {
			t.Errorf("line %d: %+v, want %v", line, ce, w)
		}
	}
	if got[4].Header != "入职日期" || got[4].Index != 4 {
		t.Errorf("error names its column: %+v", got[4])
	}
	if e.People.Count(e.TenantID) != 0 {
		t.Fatal("the dry run wrote")
	}

	// All or nothing: refused while rows fail.
	if _, err := e.Svc.Commit(ctx, v.ID); !errs.Is(err, errs.Conflict, "imports.has_failures") {
		t.Fatalf("commit with failures: %v", err)
	}
	// Valid rows only: the one good row is imported.
	if _, err := e.Svc.SetMapping(ctx, v.ID, imports.MappingInput{Mapping: v.Mapping, Mode: imports.ModeValid}); err != nil {
		t.Fatal(err)
	}
	v = check(t, e, ctx, v.ID)
	v = commit(t, e, ctx, v.ID)
	if v.State != imports.StateImported || v.Counts != (imports.Counts{New: 1, Failed: 6}) || v.ChangeCount != 1 || !v.Committed {
		t.Fatalf("commit: %s %+v changes %d %s", v.State, v.Counts, v.ChangeCount, v.Failure)
	}
	p, ok := e.People.Get(e.TenantID, "E0001")
	if !ok || p.Name != "员工1" || p.HireDate != "2024-01-05" || p.Mobile != "13800138000" || p.Gender != "F" || p.Dept != "技术部" {
		t.Fatalf("imported %+v", p)
	}
	if n := auditCount(t, e, "import", v.ID); n != 1 {
		t.Fatalf("%d import audit records", n)
	}

	// The whole good roster, then the same file again: all unchanged.
	good := xlsxOf(t, book{sheets: []page{{name: "花名册", rows: roster(30)}}})
	b1 := upload(t, e, ctx, "good.xlsx", good)
	b1 = check(t, e, ctx, b1.ID)
	if b1.Counts != (imports.Counts{New: 29, Unchanged: 1}) {
		t.Fatalf("good roster: %+v", b1.Counts)
	}
	b1 = commit(t, e, ctx, b1.ID)
	if b1.State != imports.StateImported || e.People.Count(e.TenantID) != 30 || b1.ChangeCount != 29 {
		t.Fatalf("good roster committed: %s %d %d", b1.State, e.People.Count(e.TenantID), b1.ChangeCount)
	}
	before := e.People.CheckedRows()
	b2 := upload(t, e, ctx, "good-again.xlsx", good)
	b2 = check(t, e, ctx, b2.ID)
	b2 = commit(t, e, ctx, b2.ID)
	if b2.Counts != (imports.Counts{Unchanged: 30}) || b2.ChangeCount != 0 || b2.State != imports.StateImported {
		t.Fatalf("re-import: %+v changes %d", b2.Counts, b2.ChangeCount)
	}
	if n := e.People.CheckedRows() - before; n != 60 { // dry run and commit each checked every row
		t.Fatalf("re-import checked %d rows", n)
	}
	if p, _ := e.People.Get(e.TenantID, "E0002"); p.Version != 1 {
		t.Fatalf("re-import wrote: %+v", p)
	}

	// Rollback: refused while a later change touched a record, naming it.
	e.People.Touch(e.TenantID, "E0007")
	if _, err := e.Svc.Rollback(ctx, b1.ID); !errs.Is(err, errs.Conflict, "imports.rollback_conflict") || !strings.Contains(fmt.Sprint(err.(*errs.Error).Params), "E0007") {
		t.Fatalf("rollback over a later change: %v", err)
	}
	if e.People.Count(e.TenantID) != 30 {
		t.Fatal("a refused rollback changed records")
	}
	// A batch with changes of its own: an update rolled back restores
	// the previous values.
	upd := roster(3)
	upd[2][5] = "13900139000"
	b3 := upload(t, e, ctx, "update.csv", csvOf(t, upd, true))
	b3 = check(t, e, ctx, b3.ID)
	if b3.Format != "csv" || b3.Counts != (imports.Counts{Updated: 1, Unchanged: 2}) {
		t.Fatalf("update batch: %s %+v", b3.Format, b3.Counts)
	}
	b3 = commit(t, e, ctx, b3.ID)
	if p, _ := e.People.Get(e.TenantID, "E0002"); p.Mobile != "13900139000" || p.Version != 2 {
		t.Fatalf("updated %+v", p)
	}
	r, err := e.Svc.Rollback(ctx, b3.ID)
	if err != nil || r.State != imports.StateRolledBack || r.RolledBackAt == nil {
		t.Fatalf("rollback: %v %+v", err, r)
	}
	if p, _ := e.People.Get(e.TenantID, "E0002"); p.Mobile != "13800138000" {
		t.Fatalf("rollback restored %+v", p)
	}
	if _, err := e.Svc.Rollback(ctx, b3.ID); !errs.Is(err, errs.Conflict, "imports.not_imported") {
		t.Fatalf("rollback twice: %v", err)
	}
	if n := auditCount(t, e, "rollback", b3.ID); n != 1 {
		t.Fatalf("%d rollback audit records", n)
	}
	// New records of a rolled back batch are removed.
	b4 := upload(t, e, ctx, "new.csv", csvOf(t, [][]string{header, {"N0001", "新人", "", "男", "2024-02-01", "", ""}}, false))
	b4 = check(t, e, ctx, b4.ID)
	b4 = commit(t, e, ctx, b4.ID)
	if _, err := e.Svc.Rollback(ctx, b4.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.People.Get(e.TenantID, "N0001"); ok {
		t.Fatal("rolled back new record remains")
	}
}

func auditCount(t testing.TB, e *importstest.Env, action string, id ids.ID) int {
	t.Helper()
	var n int
	err := e.DB.Bun().NewRaw("SELECT COUNT(*) FROM audit_log WHERE tenant_id = ? AND action = ? AND object_type = ? AND object_id = ?",
		e.TenantID, action, imports.ObjectBatch, id.String()).Scan(context.Background(), &n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// CSV in UTF-8 with BOM, GB18030 without, TSV; English headers; header
// only and unreadable files are refused with their reasons.
func TestUploadFormats(t *testing.T) {
	e := importstest.New(t, importstest.Options{NoQueue: true})
	ctx := e.As(e.Account("hr", importstest.PermImport))
	for name, data := range map[string][]byte{
		"utf8.csv": csvOf(t, roster(2), true),
		"gbk.csv":  gbkOf(t, roster(2)),
		"data.bin": xlsxOf(t, book{sheets: []page{{name: "S", rows: roster(2)}}}), // the name does not matter
	} {
		v := upload(t, e, ctx, name, data)
		if len(v.Sample) != 2 || v.Sample[1][1] != "员工2" || v.Mapping["姓名"] != "name" {
			t.Errorf("%s: sample %v mapping %v", name, v.Sample, v.Mapping)
		}
	}
	en := [][]string{{"Employee No", "Full Name", "Hire Date", "Notes"}, {"E1", "Ann", "2024-01-05", "x"}}
	v := upload(t, e, ctx, "en.csv", csvOf(t, en, false))
	if fmt.Sprint(v.Mapping) != fmt.Sprint(imports.Mapping{"Employee No": "employeeNo", "Full Name": "name", "Hire Date": "hireDate"}) ||
		!slices.Equal(v.Unmapped, []string{"Notes"}) {
		t.Fatalf("english: %v unmapped %v", v.Mapping, v.Unmapped)
	}
	for name, c := range map[string]struct {
		data []byte
		code string
	}{
		"header-only.csv": {csvOf(t, [][]string{header}, false), "imports.no_rows"},
		"empty.csv":       {[]byte{}, "sheet.empty"},
		"zip.xlsx":        {[]byte("PK\x03\x04 not really a workbook at all......"), ""},
		"image.xlsx":      {append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...), "sheet.unsupported_type"},
	} {
		_, err := e.Svc.Upload(ctx, "people", name, bytes.NewReader(c.data), int64(len(c.data)))
		if errs.KindOf(err) != errs.Invalid || (c.code != "" && !errs.Is(err, errs.Invalid, c.code)) {
			t.Errorf("%s: %v, want %s", name, err, c.code)
		}
	}
	var n int
	if err := e.DB.Bun().NewRaw("SELECT COUNT(*) FROM imports_batches").Scan(context.Background(), &n); err != nil || n != 4 {
		t.Fatalf("%d batches (%v): refused files must leave none", n, err)
	}
}

// The first sheet may be a cover: the first sheet with data is chosen,
// and another sheet can be picked (header found again, mapping
// suggested anew).
func TestSheets(t *testing.T) {
	e := importstest.New(t, importstest.Options{NoQueue: true})
	ctx := e.As(e.Account("hr", importstest.PermImport))
	data := xlsxOf(t, book{sheets: []page{
		{name: "说明", rows: [][]string{{"请在下一个工作表填写"}}},
		{name: "在职", rows: roster(3)},
		{name: "English", rows: [][]string{{"Title"}, {"Employee No", "Name"}, {"X1", "Xavier"}}},
	}})
	v := upload(t, e, ctx, "multi.xlsx", data)
	if v.Sheet != "在职" || !slices.Equal(v.Sheets, []string{"说明", "在职", "English"}) || len(v.Sample) != 3 {
		t.Fatalf("sheet %q of %v, sample %v", v.Sheet, v.Sheets, v.Sample)
	}
	s, err := e.Svc.SetMapping(ctx, v.ID, imports.MappingInput{Sheet: "English"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Sheet != "English" || s.HeaderLine != 2 || s.Mapping["Employee No"] != "employeeNo" || len(s.Sample) != 1 {
		t.Fatalf("switched: %+v sample %v", s.Batch, s.Sample)
	}
	if _, err := e.Svc.SetMapping(ctx, v.ID, imports.MappingInput{Sheet: "Nope"}); !errs.Is(err, errs.Invalid, "") {
		t.Fatalf("no such sheet: %v", err)
	}
}

// Unknown columns and headers, a column mapped twice and required
// columns left out are refused, each named.
func TestMappingValidation(t *testing.T) {
	e := importstest.New(t, importstest.Options{NoQueue: true})
	ctx := i18n.WithLocale(e.As(e.Account("hr", importstest.PermImport)), i18n.EN)
	v := upload(t, e, ctx, "r.csv", csvOf(t, roster(1), false))
	fields := func(err error) []string {
		var ee *errs.Error
		if !errors.As(err, &ee) {
			t.Fatalf("not a validation error: %v", err)
		}
		var out []string
		for _, f := range ee.Fields {
			out = append(out, f.Field+":"+f.Code)
		}
		return out
	}
	_, err := e.Svc.SetMapping(ctx, v.ID, imports.MappingInput{Mapping: imports.Mapping{
		"工号": "employeeNo", "姓名": "salary", "手机": "mobile", "部门": "mobile", "照片": "photo"}})
	got := fields(err)
	for _, w := range []string{"mapping.姓名:imports.unknown_column", "mapping.部门:imports.duplicate_column",
		"mapping.照片:imports.unknown_header", "mapping:imports.required_column_missing"} {
		if !slices.Contains(got, w) {
			t.Errorf("missing %s in %v", w, got)
		}
	}
	_, err = e.Svc.SetMapping(ctx, v.ID, imports.MappingInput{Mapping: imports.Mapping{"工号": "employeeNo", "姓名": "name"}, Key: "idNumber", Mode: "some"})
	got = fields(err)
	if !slices.Contains(got, "key:imports.key_not_mapped") || !slices.Contains(got, "mode:invalid_choice") {
		t.Fatalf("key and mode: %v", got)
	}
	ok, err := e.Svc.SetMapping(ctx, v.ID, imports.MappingInput{Mapping: imports.Mapping{"工号": "employeeNo", "姓名": "name", "手机": ""}, MappingName: "mine"})
	if err != nil || len(ok.Mapping) != 2 || !slices.Contains(ok.Unmapped, "手机") || ok.MappingName != "mine" {
		t.Fatalf("valid mapping: %v %+v", err, ok)
	}
	// The saved mapping is offered, and chosen for a file it covers best.
	ms, err := e.Svc.Mappings(ctx, "people")
	if err != nil || len(ms) < 1 || ms[0].Name != "mine" || ms[0].Predefined {
		t.Fatalf("mappings %v %+v", err, ms)
	}
}

// Saved and predefined mappings: a file exported from another system is
// mapped by its preset; saved mappings are replaced by name, deleted,
// and never take a preset's name.
func init() {
	imports.RegisterPreset("people", "legacyhr", "LegacyHR", map[string]string{"emp_code": "employeeNo", "display_name": "name", "doj": "hireDate"})
}

func TestSavedAndPredefinedMappings(t *testing.T) {
	e := importstest.New(t, importstest.Options{NoQueue: true})
	hr := e.Account("hr", importstest.PermImport)
	ctx := e.As(hr)
	v := upload(t, e, ctx, "legacy.csv", csvOf(t, [][]string{{"emp_code", "display_name", "doj"}, {"L1", "Lee", "05/01/2024"}}, false))
	if v.MappingName != "legacyhr" || v.Mapping["doj"] != "hireDate" || len(v.Mapping) != 3 {
		t.Fatalf("preset not applied: %s %v", v.MappingName, v.Mapping)
	}
	m, err := e.Svc.SaveMapping(ctx, imports.SaveMappingInput{Target: "people", Name: "ours", Mapping: imports.Mapping{"编号": "employeeNo", "名字": "name"}})
	if err != nil || m.ID == 0 {
		t.Fatalf("save: %v %+v", err, m)
	}
	m2, err := e.Svc.SaveMapping(ctx, imports.SaveMappingInput{Target: "people", Name: "ours", Mapping: imports.Mapping{"编号": "employeeNo", "名字": "name", "电话": "mobile"}})
	if err != nil || m2.ID != m.ID || len(m2.Mapping) != 3 {
		t.Fatalf("replace: %v %+v", err, m2)
	}
	if _, err := e.Svc.SaveMapping(ctx, imports.SaveMappingInput{Target: "people", Name: "LEGACYHR", Mapping: imports.Mapping{"a": "name"}}); !errs.Is(err, errs.Invalid, "") {
		t.Fatalf("preset name: %v", err)
	}
	if _, err := e.Svc.SaveMapping(ctx, imports.SaveMappingInput{Target: "people", Name: "bad", Mapping: imports.Mapping{"a": "nope"}}); !errs.Is(err, errs.Invalid, "") {
		t.Fatalf("unknown column: %v", err)
	}
	list, err := e.Svc.Mappings(ctx, "people")
	if err != nil || len(list) != 2 || list[0].Name != "ours" || !list[1].Predefined || list[1].Label != "LegacyHR" {
		t.Fatalf("list: %v %+v", err, list)
	}
	w := upload(t, e, ctx, "ours.csv", csvOf(t, [][]string{{"编号", "名字", "电话"}, {"O1", "欧", "13800138000"}}, false))
	if w.MappingName != "ours" || len(w.Mapping) != 3 {
		t.Fatalf("saved mapping not applied: %s %v", w.MappingName, w.Mapping)
	}
	got, key, err := e.Svc.NamedMapping(ctx, w.ID, "ours")
	if err != nil || len(got) != 3 || key != "" {
		t.Fatalf("named: %v %v", err, got)
	}
	if _, _, err := e.Svc.NamedMapping(ctx, w.ID, "nope"); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("unknown name: %v", err)
	}
	if err := e.Svc.DeleteMapping(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.Svc.DeleteMapping(ctx, m.ID); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("delete twice: %v", err)
	}
	// Another tenant sees neither the mapping nor may delete it.
	other := e.AddTenant("other")
	octx := e.As(e.AccountIn(other, "o", true, importstest.PermImport))
	if l, _ := e.Svc.Mappings(octx, "people"); len(l) != 1 {
		t.Fatalf("other tenant's mappings: %+v", l)
	}
}

// Cancelling a running commit leaves nothing written: not the records,
// not the changes, and the batch says cancelled.
func TestCancelCommitLeavesNothing(t *testing.T) {
	e := importstest.New(t, importstest.Options{ChunkSize: 10})
	ctx := e.As(e.Account("hr", importstest.PermImport))
	v := upload(t, e, ctx, "big.csv", csvOf(t, roster(45), false))
	v = check(t, e, ctx, v.ID)
	if v.Counts.New != 45 {
		t.Fatalf("dry run %+v", v.Counts)
	}
	reached := make(chan struct{})
	var once atomic.Bool
	e.People.SetBeforeApply(func(ctx context.Context, chunk int) error {
		if chunk == 3 && once.CompareAndSwap(false, true) {
			close(reached)
			<-ctx.Done() // held until the cancel arrives
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
	running, err := e.Svc.Get(ctx, v.ID)
	if err != nil || running.State != imports.StateImporting || running.Progress < 40 {
		t.Fatalf("while running: %v %s %d%% %q", err, running.State, running.Progress, running.Message)
	}
	c, err := e.Svc.Cancel(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	c = e.Wait(ctx, v.ID, imports.StateCancelled)
	if e.People.Count(e.TenantID) != 0 || c.ChangeCount != 0 {
		t.Fatalf("cancel left %d records, %d changes", e.People.Count(e.TenantID), c.ChangeCount)
	}
	var n int
	if err := e.DB.Bun().NewRaw("SELECT COUNT(*) FROM imports_changes").Scan(context.Background(), &n); err != nil || n != 0 {
		t.Fatalf("%d changes stored (%v)", n, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for c.Job == nil || c.Job.State != jobs.Cancelled {
		if time.Now().After(deadline) {
			t.Fatalf("job %+v", c.Job)
		}
		time.Sleep(10 * time.Millisecond)
		c, _ = e.Svc.Get(ctx, v.ID)
	}
	if _, err := e.Svc.Cancel(ctx, v.ID); !errs.Is(err, errs.Conflict, "imports.not_running") {
		t.Fatalf("cancel again: %v", err)
	}
	// Check again and commit: everything arrives once.
	e.People.SetBeforeApply(nil)
	v = check(t, e, ctx, v.ID)
	v = commit(t, e, ctx, v.ID)
	if v.State != imports.StateImported || e.People.Count(e.TenantID) != 45 || v.ChangeCount != 45 {
		t.Fatalf("after cancel: %s %d %d", v.State, e.People.Count(e.TenantID), v.ChangeCount)
	}
}

// A queued dry run is cancelled at once.
func TestCancelQueued(t *testing.T) {
	e := importstest.New(t, importstest.Options{NoQueue: true})
	ctx := e.As(e.Account("hr", importstest.PermImport))
	v := upload(t, e, ctx, "r.csv", csvOf(t, roster(2), false))
	if _, err := e.Svc.Check(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	c, err := e.Svc.Cancel(ctx, v.ID)
	if err != nil || c.State != imports.StateCancelled || c.Job == nil || c.Job.State != jobs.Cancelled {
		t.Fatalf("cancel queued: %v %+v", err, c)
	}
	// It can be checked again later.
	if _, err := e.Svc.Check(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
}

// A row that passed the dry run but fails when the commit checks again
// (the database changed) stops an all-or-nothing commit with nothing
// written, and says which row.
func TestCommitRechecks(t *testing.T) {
	e := importstest.New(t, importstest.Options{ChunkSize: 2})
	ctx := e.As(e.Account("hr", importstest.PermImport))
	e.People.Put(e.TenantID, importstest.Person{No: "E0003", Name: "旧"})
	v := upload(t, e, ctx, "r.csv", csvOf(t, roster(4), false))
	v = check(t, e, ctx, v.ID)
	if v.Counts != (imports.Counts{New: 3, Updated: 1}) {
		t.Fatalf("dry run %+v", v.Counts)
	}
	e.People.Lock(e.TenantID, "E0003")
	v = commit(t, e, ctx, v.ID)
	if v.State != imports.StateFailed || v.Failure != "imports.changed_since_check" || v.ErrorCount != 1 {
		t.Fatalf("commit after a change: %s %s %d", v.State, v.Failure, v.ErrorCount)
	}
	if e.People.Count(e.TenantID) != 1 {
		t.Fatalf("a refused commit wrote %d records", e.People.Count(e.TenantID)-1)
	}
	errsList, _, _ := e.Svc.Errors(ctx, v.ID, 1, 10)
	if len(errsList) != 1 || errsList[0].Line != 4 || errsList[0].Code != "stale" {
		t.Fatalf("errors %+v", errsList)
	}
	if !strings.Contains(v.FailureMessage, "4") {
		t.Fatalf("failure message %q", v.FailureMessage)
	}
}

// Permissions and tenants: another tenant's batch is 404, a caller
// without the target's permission 403, a caller whose scope is his own
// sees only his batches; the history is filtered the same way.
func TestAccess(t *testing.T) {
	e := importstest.New(t, importstest.Options{NoQueue: true})
	hr := e.Account("hr", importstest.PermImport)
	clerk := e.AccountIn(e.TenantID, "clerk", false, importstest.PermImport)
	nobody := e.Account("nobody")
	other := e.AccountIn(e.AddTenant("other"), "other", true, importstest.PermImport)
	v := upload(t, e, e.As(hr), "hr.csv", csvOf(t, roster(1), false))
	mine := upload(t, e, e.As(clerk), "clerk.csv", csvOf(t, roster(1), false))

	if _, err := e.Svc.Get(e.As(other), v.ID); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("other tenant: %v", err)
	}
	if _, err := e.Svc.Get(e.As(nobody), v.ID); !errs.Is(err, errs.Forbidden, "forbidden") {
		t.Fatalf("no permission: %v", err)
	}
	if _, err := e.Svc.Upload(e.As(nobody), "people", "x.csv", bytes.NewReader([]byte("a")), 1); !errs.Is(err, errs.Forbidden, "") {
		t.Fatalf("upload without permission: %v", err)
	}
	if _, err := e.Svc.Get(e.As(clerk), v.ID); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("own scope sees another's batch: %v", err)
	}
	if _, err := e.Svc.Get(e.As(hr), mine.ID); err != nil {
		t.Fatalf("tenant scope: %v", err)
	}
	for _, c := range []struct {
		user ids.ID
		want int
	}{{hr, 2}, {clerk, 1}, {nobody, 0}, {other, 0}} {
		list, total, err := e.Svc.List(e.As(c.user), imports.Filter{})
		if err != nil || total != c.want || len(list) != c.want {
			t.Errorf("history of %s: %d %v", c.user, total, err)
		}
	}
	if ts, _ := e.Svc.Targets(e.As(nobody)); len(ts) != 0 {
		t.Fatalf("targets without permission: %+v", ts)
	}
	if ts, _ := e.Svc.Targets(e.As(hr)); len(ts) != 1 || ts[0].Name != "people" || len(ts[0].Columns) != 7 {
		t.Fatalf("targets: %+v", ts)
	}
	if _, err := e.Svc.Upload(e.As(hr), "nope", "x.csv", bytes.NewReader([]byte("a")), 1); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("unknown target: %v", err)
	}
	// History filters.
	list, total, err := e.Svc.List(e.As(hr), imports.Filter{Query: "CLERK"})
	if err != nil || total != 1 || list[0].ID != mine.ID {
		t.Fatalf("search by file name: %d %v", total, err)
	}
	list, total, _ = e.Svc.List(e.As(hr), imports.Filter{Query: "clerk", State: imports.StateImported})
	if total != 0 || len(list) != 0 {
		t.Fatalf("state filter: %d", total)
	}
	list, total, _ = e.Svc.List(e.As(hr), imports.Filter{From: time.Now().Add(time.Hour)})
	if total != 0 {
		t.Fatalf("date filter: %d", total)
	}
	if _, _, err := e.Svc.List(e.As(hr), imports.Filter{State: "nope"}); errs.KindOf(err) != errs.Invalid {
		t.Fatalf("bad state: %v", err)
	}
}

// The runs work as the uploader: a permission he lost fails the run.
func TestRunsAsTheUploader(t *testing.T) {
	e := importstest.New(t)
	hr := e.Account("hr", importstest.PermImport)
	ctx := e.As(hr)
	v := upload(t, e, ctx, "r.csv", csvOf(t, roster(2), false))
	v = check(t, e, ctx, v.ID)
	if v.State != imports.StateChecked {
		t.Fatalf("%s %s", v.State, v.Failure)
	}
	// The synchronous path (the CLI) runs as the system.
	sys := e.System()
	w := upload(t, e, sys, "cli.csv", csvOf(t, roster(3), false))
	var reports int
	w, err := e.Svc.CheckNow(sys, w.ID, func(context.Context, int, string) error { reports++; return nil })
	if err != nil || w.State != imports.StateChecked || w.Counts.New != 3 || reports == 0 || w.JobID != 0 {
		t.Fatalf("check now: %v %+v %d", err, w, reports)
	}
	w, err = e.Svc.CommitNow(sys, w.ID, nil)
	if err != nil || w.State != imports.StateImported || e.People.Count(e.TenantID) != 3 {
		t.Fatalf("commit now: %v %+v", err, w)
	}
	if w.CreatedBy != 0 || w.CreatedByName != "test" {
		t.Fatalf("made by %s %q", w.CreatedBy, w.CreatedByName)
	}
}

// An uploader who lost the permission: his queued run fails, naming it.
func TestRunNeedsThePermission(t *testing.T) {
	e := importstest.New(t, importstest.Options{NoQueue: true})
	hr := e.Account("hr", importstest.PermImport)
	ctx := e.As(hr)
	x := upload(t, e, ctx, "later.csv", csvOf(t, roster(1), false))
	if _, err := e.Svc.Check(ctx, x.ID); err != nil {
		t.Fatal(err)
	}
	e.Revoke(hr)
	if err := e.Jobs.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = e.Jobs.Stop(c)
	})
	x = e.Wait(e.System(), x.ID, imports.StateFailed, imports.StateChecked)
	if x.State != imports.StateFailed || x.Failure != "forbidden" || !strings.Contains(x.FailureMessage, importstest.PermImport) {
		t.Fatalf("run without permission: %s %s %q", x.State, x.Failure, x.FailureMessage)
	}
}

// The template: labels with * for required columns, a dropdown for the
// enumeration, an example row the import skips, and a notes sheet; the
// CSV template has the header and example.
func TestTemplate(t *testing.T) {
	e := importstest.New(t)
	ctx := e.As(e.Account("hr", importstest.PermImport))
	var buf bytes.Buffer
	name, err := e.Svc.Template(ctx, "people", "xlsx", &buf)
	if err != nil || name != "人员-导入模板.xlsx" {
		t.Fatalf("template: %v %q", err, name)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("人员")
	if len(rows) != 2 || !slices.Equal(rows[0], []string{"工号*", "姓名*", "身份证号", "性别", "入职日期", "手机", "部门"}) || rows[1][0] != "E0001" || rows[1][3] != "男" {
		t.Fatalf("rows %v", rows)
	}
	dvs, _ := f.GetDataValidations("人员")
	if len(dvs) != 1 || !strings.HasPrefix(dvs[0].Sqref, "D2:D") || !strings.Contains(dvs[0].Formula1, "男,女") {
		t.Fatalf("dropdowns %+v", dvs)
	}
	notes, _ := f.GetRows("填写说明")
	if len(notes) < 10 || !strings.Contains(strings.Join(notes[len(notes)-3], " "), "入职日期") {
		t.Fatalf("notes %v", notes)
	}
	f.Close()
	en := i18n.WithLocale(ctx, i18n.EN)
	buf.Reset()
	name, err = e.Svc.Template(en, "people", "csv", &buf)
	if err != nil || name != "人员-import-template.csv" || !strings.Contains(buf.String(), "工号*") || !strings.Contains(buf.String(), "Male") {
		t.Fatalf("csv template: %v %q %q", err, name, buf.String())
	}
	// Filled in with the example row left in: the row is skipped.
	f, _ = excelize.OpenReader(bytes.NewReader(func() []byte { var b bytes.Buffer; _, _ = e.Svc.Template(ctx, "people", "xlsx", &b); return b.Bytes() }()))
	_ = f.SetSheetRow("人员", "A3", &[]any{"T0001", "填写人", "", "女", "2024-03-01", "", "销售部"})
	var filled bytes.Buffer
	_ = f.Write(&filled)
	f.Close()
	v := upload(t, e, ctx, "filled.xlsx", filled.Bytes())
	if len(v.Mapping) != 7 {
		t.Fatalf("template headers map back: %v", v.Mapping)
	}
	v = check(t, e, ctx, v.ID)
	if v.Counts != (imports.Counts{New: 1}) {
		t.Fatalf("example row not skipped: %+v", v.Counts)
	}
}

// The error report marks failing cells; the original file is kept.
func TestReportAndFile(t *testing.T) {
	e := importstest.New(t)
	ctx := e.As(e.Account("hr", importstest.PermImport))
	rows := roster(3)
	rows[2][4] = "not a date"
	data := xlsxOf(t, book{sheets: []page{{name: "S", rows: rows}}})
	v := upload(t, e, ctx, "r.xlsx", data)
	v = check(t, e, ctx, v.ID)
	var buf bytes.Buffer
	if err := e.Svc.Report(ctx, v.ID, &buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, _ := f.GetRows(f.GetSheetName(0))
	if len(got) != 4 || got[2][4] != "not a date" || !strings.Contains(got[2][len(got[2])-1], "入职日期") {
		t.Fatalf("report rows %v", got)
	}
	comments, _ := f.GetComments(f.GetSheetName(0))
	if len(comments) != 1 || comments[0].Cell != "E3" {
		t.Fatalf("comments %+v", comments)
	}
	rc, b, ct, err := e.Svc.File(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var orig bytes.Buffer
	_, _ = orig.ReadFrom(rc)
	if !bytes.Equal(orig.Bytes(), data) || b.FileName != "r.xlsx" || !strings.Contains(ct, "spreadsheetml") {
		t.Fatalf("original file: %d bytes %q %q", orig.Len(), b.FileName, ct)
	}
	if name := imports.ReportName(ctx, b); name != "r-错误报告.xlsx" {
		t.Fatalf("report name %q", name)
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"": "", "12": "****", "1234567": "1****7", "11010519491231002X": "110105********002X"} {
		if got := imports.Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}
