package importsdb_test

import (
	"context"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/imports/importstest"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

func batch(target, state, file string, by ids.ID, at time.Time) *imports.Batch {
	return &imports.Batch{ID: ids.New(), Target: target, FileID: ids.New(), FileName: file, State: state, Mode: imports.ModeAll,
		CreatedBy: by, CreatedByName: "u" + by.String(), CreatedAt: at, UpdatedAt: at, Version: 1}
}

func in(t *testing.T, e *importstest.Env, ctx context.Context, fn func(ctx context.Context) error) {
	t.Helper()
	if err := e.DB.WithTx(ctx, fn); err != nil {
		t.Fatal(err)
	}
}

// Batches round-trip (lists and maps as JSON, instants in UTC), the
// version guards updates, and another tenant sees nothing.
func TestBatches(t *testing.T) {
	e := importstest.New(t, importstest.Options{NoQueue: true})
	s := e.Store
	ctx := e.System()
	a, b := ids.New(), ids.New()
	now := time.Now().UTC().Truncate(time.Microsecond)
	b1 := batch("people", imports.StateUploaded, "一月花名册.xlsx", a, now.Add(-2*time.Hour))
	b1.Header, b1.Sheets, b1.Mapping = []string{"工号", "姓名"}, []string{"S"}, imports.Mapping{"工号": "employeeNo"}
	b2 := batch("people", imports.StateImported, "feb.csv", b, now.Add(-time.Hour))
	b3 := batch("departments", imports.StateChecked, "depts.csv", a, now)
	in(t, e, ctx, func(ctx context.Context) error {
		for _, x := range []*imports.Batch{b1, b2, b3} {
			if err := s.InsertBatch(ctx, x); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := s.Batch(ctx, b1.ID)
	if err != nil || got.Header[1] != "姓名" || got.Mapping["工号"] != "employeeNo" || !got.CreatedAt.Equal(b1.CreatedAt) ||
		got.CreatedAt.Location() != time.UTC || got.FailureParams == nil {
		t.Fatalf("read back %v %+v", err, got)
	}
	got.State, got.Version = imports.StateChecking, 2
	in(t, e, ctx, func(ctx context.Context) error { return s.UpdateBatch(ctx, got) })
	stale := *got
	stale.Version = 2
	err = e.DB.WithTx(ctx, func(ctx context.Context) error { return s.UpdateBatch(ctx, &stale) })
	if !errs.Is(err, errs.Conflict, "stale") {
		t.Fatalf("stale update: %v", err)
	}
	octx := rbac.WithPrincipal(context.Background(), rbac.SystemPrincipal(e.AddTenant("other"), "t"))
	if _, err := s.Batch(octx, b1.ID); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("other tenant: %v", err)
	}
	if list, n, _ := s.Batches(octx, imports.Filter{Page: 1, PageSize: 20}, imports.Access{All: []string{"people", "departments"}}); n != 0 || len(list) != 0 {
		t.Fatalf("other tenant's history: %d", n)
	}

	for name, c := range map[string]struct {
		f    imports.Filter
		a    imports.Access
		want []ids.ID
	}{
		"all, newest first": {imports.Filter{}, imports.Access{All: []string{"people", "departments"}}, []ids.ID{b3.ID, b2.ID, b1.ID}},
		"one target":        {imports.Filter{}, imports.Access{All: []string{"people"}}, []ids.ID{b2.ID, b1.ID}},
		"own only":          {imports.Filter{}, imports.Access{Own: []string{"people", "departments"}, User: a}, []ids.ID{b3.ID, b1.ID}},
		"mixed":             {imports.Filter{}, imports.Access{All: []string{"departments"}, Own: []string{"people"}, User: b}, []ids.ID{b3.ID, b2.ID}},
		"by target":         {imports.Filter{Target: "people"}, imports.Access{All: []string{"people", "departments"}}, []ids.ID{b2.ID, b1.ID}},
		"by state":          {imports.Filter{State: imports.StateImported}, imports.Access{All: []string{"people"}}, []ids.ID{b2.ID}},
		"by file name":      {imports.Filter{Query: "FEB"}, imports.Access{All: []string{"people"}}, []ids.ID{b2.ID}},
		"by uploader":       {imports.Filter{Query: "u" + a.String()}, imports.Access{All: []string{"people"}}, []ids.ID{b1.ID}},
		"wildcards inert":   {imports.Filter{Query: "%"}, imports.Access{All: []string{"people"}}, nil},
		"chinese name":      {imports.Filter{Query: "花名册"}, imports.Access{All: []string{"people"}}, []ids.ID{b1.ID}},
		"from":              {imports.Filter{From: now.Add(-90 * time.Minute)}, imports.Access{All: []string{"people", "departments"}}, []ids.ID{b3.ID, b2.ID}},
		"to":                {imports.Filter{To: now.Add(-90 * time.Minute)}, imports.Access{All: []string{"people", "departments"}}, []ids.ID{b1.ID}},
	} {
		c.f.Page, c.f.PageSize = 1, 20
		list, n, err := s.Batches(ctx, c.f, c.a)
		if err != nil || n != len(c.want) || len(list) != len(c.want) {
			t.Errorf("%s: %d rows (%v), want %d", name, n, err, len(c.want))
			continue
		}
		for i := range list {
			if list[i].ID != c.want[i] {
				t.Errorf("%s: row %d is %s, want %s", name, i, list[i].ID, c.want[i])
			}
		}
	}
	list, n, err := s.Batches(ctx, imports.Filter{Page: 2, PageSize: 2}, imports.Access{All: []string{"people", "departments"}})
	if err != nil || n != 3 || len(list) != 1 || list[0].ID != b1.ID {
		t.Fatalf("page 2: %d %v", n, err)
	}
}

// Errors page and stream by line and column; changes walk backwards.
func TestErrorsAndChanges(t *testing.T) {
	e := importstest.New(t, importstest.Options{NoQueue: true})
	s := e.Store
	ctx := e.System()
	b := batch("people", imports.StateChecked, "x.csv", 0, time.Now().UTC())
	var cells []imports.CellError
	for i := 1200; i >= 1; i-- { // inserted out of order
		cells = append(cells, imports.CellError{BatchID: b.ID, Seq: i, Line: 1 + (i+1)/2, Index: i % 2, Column: "c", Code: "required"})
	}
	cells = append(cells, imports.CellError{BatchID: b.ID, Seq: 1201, Line: 2, Index: -1, Code: "stale", Params: map[string]any{"line": 2}})
	var changes []imports.ChangeRecord
	for i := 1; i <= 2500; i++ {
		changes = append(changes, imports.ChangeRecord{BatchID: b.ID, Seq: i, ObjectType: "person", ObjectID: ids.New().String(), Action: "new", After: `{"a":1}`, Version: 1})
	}
	in(t, e, ctx, func(ctx context.Context) error {
		if err := s.InsertBatch(ctx, b); err != nil {
			return err
		}
		if err := s.InsertErrors(ctx, cells); err != nil {
			return err
		}
		return s.InsertChanges(ctx, changes)
	})
	page, n, err := s.Errors(ctx, b.ID, 1, 3)
	if err != nil || n != 1201 || len(page) != 3 || page[0].Index != -1 || page[0].Params["line"] == nil || page[1].Line != 2 || page[2].Line != 2 {
		t.Fatalf("first page %d %v %+v", n, err, page)
	}
	seen, last := 0, [2]int{-1, -2}
	err = s.EachError(ctx, b.ID, func(c imports.CellError) error {
		seen++
		if k := [2]int{c.Line, c.Index}; k[0] < last[0] || (k[0] == last[0] && k[1] < last[1]) {
			t.Fatalf("out of order at %v after %v", k, last)
		}
		last = [2]int{c.Line, c.Index}
		return nil
	})
	if err != nil || seen != 1201 {
		t.Fatalf("streamed %d (%v)", seen, err)
	}
	got, err := s.ChangesBefore(ctx, b.ID, 2501, 1000)
	if err != nil || len(got) != 1000 || got[0].Seq != 2500 || got[999].Seq != 1501 || got[0].After != `{"a":1}` {
		t.Fatalf("changes %v %d", err, len(got))
	}
	got, _ = s.ChangesBefore(ctx, b.ID, 501, 1000)
	if len(got) != 500 || got[499].Seq != 1 {
		t.Fatalf("last changes %d", len(got))
	}
	in(t, e, ctx, func(ctx context.Context) error { return s.DeleteErrors(ctx, b.ID) })
	if _, n, _ := s.Errors(ctx, b.ID, 1, 3); n != 0 {
		t.Fatalf("%d errors after delete", n)
	}
}

// Saved mappings are unique by target and name; a second save replaces.
func TestMappings(t *testing.T) {
	e := importstest.New(t, importstest.Options{NoQueue: true})
	s := e.Store
	ctx := e.System()
	now := time.Now().UTC()
	m := &imports.SavedMapping{ID: ids.New(), Target: "people", Name: "ours", Mapping: imports.Mapping{"工号": "employeeNo"}, CreatedAt: now, UpdatedAt: now}
	in(t, e, ctx, func(ctx context.Context) error { return s.SaveMapping(ctx, m) })
	first := m.ID
	m2 := &imports.SavedMapping{ID: ids.New(), Target: "people", Name: "ours", Mapping: imports.Mapping{"编号": "employeeNo"}, Key: "idNumber", CreatedAt: now, UpdatedAt: now}
	in(t, e, ctx, func(ctx context.Context) error { return s.SaveMapping(ctx, m2) })
	if m2.ID != first {
		t.Fatalf("replace kept id %s, want %s", m2.ID, first)
	}
	other := &imports.SavedMapping{ID: ids.New(), Target: "departments", Name: "ours", CreatedAt: now, UpdatedAt: now}
	in(t, e, ctx, func(ctx context.Context) error { return s.SaveMapping(ctx, other) })
	list, err := s.Mappings(ctx, "people")
	if err != nil || len(list) != 1 || list[0].Mapping["编号"] != "employeeNo" || list[0].Key != "idNumber" {
		t.Fatalf("list %v %+v", err, list)
	}
	if got, err := s.MappingByName(ctx, "departments", "ours"); err != nil || got.ID != other.ID {
		t.Fatalf("by name %v", err)
	}
	octx := rbac.WithPrincipal(context.Background(), rbac.SystemPrincipal(e.AddTenant("other"), "t"))
	if _, err := s.Mapping(octx, first); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("other tenant reads: %v", err)
	}
	if err := e.DB.WithTx(octx, func(ctx context.Context) error { return s.DeleteMapping(ctx, first) }); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("other tenant deletes: %v", err)
	}
	in(t, e, ctx, func(ctx context.Context) error { return s.DeleteMapping(ctx, first) })
	if _, err := s.Mapping(ctx, first); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("after delete: %v", err)
	}
}
