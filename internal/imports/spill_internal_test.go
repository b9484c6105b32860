package imports

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/renshi/renshi/internal/platform/ids"
)

func spillFixture(t *testing.T) (*Batch, *plan, []Row) {
	t.Helper()
	b := &Batch{TenantID: ids.New(), ID: ids.New(), FileID: ids.New(), Target: "people", Header: []string{"工号", "入职日期", "手机"},
		Mapping: Mapping{"工号": "no", "入职日期": "hire", "手机": "mobile"}, Rows: 5, New: 4, Failed: 1}
	pl, err := newPlan(b, []Column{{Key: "no", Kind: KindText, Required: true, Max: 5}, {Key: "hire", Kind: KindDate}, {Key: "mobile", Kind: KindMobile}})
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	for i, cells := range [][]string{
		{"E1", "2024/1/5", "+86 138 0013 8000"},
		{"E2", "45296"},
		{"E3", "2024年13月40日", "１３８００１３８０００"},
		{"E000000", "", "  "},
		{"E5", "", "", "not mapped"},
	} {
		r, ok := pl.row(i+2, cells)
		if !ok {
			t.Fatalf("row %d skipped", i)
		}
		rows = append(rows, r)
	}
	return b, pl, rows
}

func writeSpill(t *testing.T, st *spillStore, b *Batch, pl *plan, chunks ...[]Row) {
	t.Helper()
	w, err := st.create(b, pl, fingerprint(b, pl, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range chunks {
		if err := w.add(c, pl); err != nil {
			t.Fatal(err)
		}
		n += len(c)
	}
	if err := w.finish(n, b.Counts()); err != nil {
		t.Fatal(err)
	}
}

func replayAll(st *spillStore, b *Batch, pl *plan) ([][]Row, error) {
	r, err := st.open(b, pl, fingerprint(b, pl, Options{}))
	if err != nil {
		return nil, err
	}
	defer r.close()
	var out [][]Row
	err = r.replay(context.Background(), func(rows []Row) error {
		out = append(out, rows)
		return nil
	})
	return out, err
}

// Rows come back as the engine made them: values, cells as typed,
// problems with their params; chunk by chunk.
func TestSpillRoundTrip(t *testing.T) {
	st, err := newSpillStore(Options{SpillDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	b, pl, rows := spillFixture(t)
	writeSpill(t, st, b, pl, rows[:2], rows[2:])
	got, err := replayAll(st, b, pl)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got[0]) != 2 || len(got[1]) != 3 {
		t.Fatalf("chunks %v", got)
	}
	all := append(got[0], got[1]...)
	for i := range rows {
		want := rows[i]
		// Params come back as JSON reads them.
		for j, fe := range want.Errors {
			if fe.Params != nil {
				want.Errors[j].Params = map[string]any{"max": float64(fe.Params["max"].(int))}
			}
		}
		if !reflect.DeepEqual(all[i], want) {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, all[i], want)
		}
	}
	if all[0].Values["hire"] != "2024-01-05" || all[0].typedText("hire") != "2024/1/5" || all[0].typedText("no") != "E1" ||
		all[2].typedText("hire") != "2024年13月40日" || all[3].typedText("mobile") != "  " || all[3].Errors[0].Code != "imports.too_long" {
		t.Fatalf("rows %+v", all)
	}
}

// Every byte of a spill counts: any one changed, and it is not used;
// nor is one sealed under another key or written for another batch.
func TestSpillRefusesAnyChange(t *testing.T) {
	dir := t.TempDir()
	st, _ := newSpillStore(Options{SpillDir: dir})
	b, pl, rows := spillFixture(t)
	writeSpill(t, st, b, pl, rows[:2], rows[2:])
	orig, err := os.ReadFile(st.path(b))
	if err != nil {
		t.Fatal(err)
	}
	for i := range orig {
		spoilt := append([]byte(nil), orig...)
		spoilt[i] ^= 0x20
		if err := os.WriteFile(st.path(b), spoilt, 0o600); err != nil {
			t.Fatal(err)
		}
		var bad *spillError
		if _, err := replayAll(st, b, pl); !errors.As(err, &bad) {
			t.Fatalf("byte %d of %d changed: %v", i, len(orig), err)
		}
	}
	for _, n := range []int{0, 10, len(orig) / 2, len(orig) - 1} {
		os.WriteFile(st.path(b), orig[:n], 0o600)
		if _, err := replayAll(st, b, pl); err == nil {
			t.Fatalf("cut to %d bytes: used", n)
		}
	}
	os.WriteFile(st.path(b), append(append([]byte(nil), orig...), 0), 0o600)
	if _, err := replayAll(st, b, pl); err == nil {
		t.Fatal("a byte appended: used")
	}

	os.WriteFile(st.path(b), orig, 0o600)
	other, _ := newSpillStore(Options{SpillDir: dir})
	if _, err := replayAll(other, b, pl); err == nil || err.Error() != "imports: spill not used: sealed with another key (another process)" {
		t.Fatalf("another key: %v", err)
	}
	shared := make([]byte, 32)
	one, _ := newSpillStore(Options{SpillDir: dir, SpillKey: shared})
	two, _ := newSpillStore(Options{SpillDir: dir, SpillKey: shared})
	writeSpill(t, one, b, pl, rows)
	if got, err := replayAll(two, b, pl); err != nil || len(got) != 1 {
		t.Fatalf("shared key: %v", err)
	}
	for name, change := range map[string]func(c *Batch){
		"mapping": func(c *Batch) { c.Mapping = Mapping{"工号": "no", "入职日期": "hire"} },
		"key":     func(c *Batch) { c.Key = "idNumber" },
		"file":    func(c *Batch) { c.FileID = ids.New() },
		"sheet":   func(c *Batch) { c.Sheet = "Sheet2" },
		"rows":    func(c *Batch) { c.Rows = 6 },
		"counts":  func(c *Batch) { c.New, c.Updated = 3, 1 },
	} {
		c := *b
		change(&c)
		cp := *pl
		if name == "mapping" {
			cp.cols, cp.index = pl.cols[:2], pl.index[:2]
		}
		if _, err := replayAll(two, &c, &cp); err == nil {
			t.Errorf("another %s: used", name)
		}
	}
	if err := one.remove(b); err != nil {
		t.Fatal(err)
	}
	if _, err := replayAll(one, b, pl); err == nil || fmt.Sprint(err) != "imports: spill not used: none" {
		t.Fatalf("removed: %v", err)
	}
}
