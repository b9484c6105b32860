package org_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/org/orgdb"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
)

// seedTree stores n departments five levels deep with history: every
// department opened in 2020, half were renamed in 2023, one in ten has a
// move scheduled next month. Rows go straight to the store (one
// transaction): the benchmark measures reading, not the write rules.
func seedTree(tb testing.TB, e *env, n int) {
	tb.Helper()
	store := orgdb.New(e.db)
	opened, renamed, scheduled := civil.MustParse("2020-01-01"), civil.MustParse("2023-01-01"), e.day(30)
	now := time.Now().UTC()
	err := e.db.WithTx(e.hr, func(ctx context.Context) error {
		var all []ids.ID
		for i := range n {
			id := ids.New()
			var parent ids.ID
			switch {
			case i == 0:
			case i <= 10:
				parent = all[0]
			case i <= 110:
				parent = all[1+(i-11)/10]
			default:
				parent = all[11+(i-111)%min(100, n-11)]
			}
			if err := store.InsertDepartment(ctx, &org.DepartmentRecord{ID: id, Code: fmt.Sprintf("D%05d", i), Version: 1, CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
			v := org.DepartmentVersion{ID: ids.New(), DepartmentID: id, ValidFrom: opened, Name: fmt.Sprintf("部门 %d", i),
				ParentID: parent, Active: true, Reason: org.ReasonCreate, CreatedAt: now}
			versions := []org.DepartmentVersion{v}
			if i%2 == 1 {
				versions[0].ValidTo = renamed
				r := v
				r.ID, r.ValidFrom, r.Name, r.Reason = ids.New(), renamed, fmt.Sprintf("部门 %d（新）", i), org.ReasonUpdate
				versions = append(versions, r)
			}
			if i%10 == 5 && i > 110 {
				last := &versions[len(versions)-1]
				last.ValidTo = scheduled
				m := *last
				m.ID, m.ValidFrom, m.ValidTo, m.ParentID, m.Reason = ids.New(), scheduled, civil.Date{}, all[1], org.ReasonMove
				versions = append(versions, m)
			}
			for j := range versions {
				if err := store.InsertVersion(ctx, &versions[j]); err != nil {
					return err
				}
			}
			all = append(all, id)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkTree2000 reads the as-of tree of 2,000 departments (one
// indexed query, built in memory); the target is at most 100 ms.
func BenchmarkTree2000(b *testing.B) {
	e := newEnv(b)
	seedTree(b, e, 2000)
	day := e.today
	tree, err := e.svc.Tree(e.hr, day)
	if err != nil || len(tree) != 2000 {
		b.Fatalf("%d departments, %v", len(tree), err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.svc.Tree(e.hr, day); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTreeOfManyDepartments checks the seeded tree reads consistently on
// today and after the scheduled moves.
func TestTreeOfManyDepartments(t *testing.T) {
	e := newEnv(t)
	seedTree(t, e, 300)
	now := must(e.svc.Tree(e.hr, civil.Date{}))(t)
	later := must(e.svc.Tree(e.hr, e.day(30)))(t)
	if len(now) != 300 || len(later) != 300 || now[0].Code != "D00000" {
		t.Fatalf("%d / %d departments", len(now), len(later))
	}
	moved := 0
	for _, d := range later {
		if len(d.Path) == 3 && d.Path[1] == now[1].ID && d.Name != "" && d.ParentID == now[1].ID {
			moved++
		}
	}
	if moved < 19 {
		t.Fatalf("%d departments under the first division next month", moved)
	}
	for _, d := range now {
		if d.Path[len(d.Path)-1] != d.ID || len(d.Path) != len(d.PathNames) {
			t.Fatalf("path of %s: %v", d.Code, d.Path)
		}
	}
}
