package orgdb_test

import (
	"context"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/org/orgdb"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

func setup(t *testing.T) (*db.DB, *orgdb.Store, context.Context, context.Context) {
	t.Helper()
	d := dbtest.MustOpen(t)
	now := time.Now().UTC()
	t1, t2 := ids.New(), ids.New()
	err := d.WithTx(context.Background(), func(ctx context.Context) error {
		for i, id := range []ids.ID{t1, t2} {
			if _, err := d.Conn(ctx).ExecContext(ctx, "INSERT INTO platform_tenants (id, code, name, created_at, updated_at) VALUES (?, ?, 'T', ?, ?)", id, []string{"a", "b"}[i], now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return d, orgdb.New(d), rbac.WithPrincipal(context.Background(), rbac.SystemPrincipal(t1, "test")),
		rbac.WithPrincipal(context.Background(), rbac.SystemPrincipal(t2, "test"))
}

// TestAsOfBoundaries: valid_from is inclusive, valid_to exclusive, on
// both engines; another tenant's rows never show.
func TestAsOfBoundaries(t *testing.T) {
	d, s, ctx, other := setup(t)
	now := time.Now().UTC()
	dept := &org.DepartmentRecord{ID: ids.New(), Code: "D", Version: 1, CreatedAt: now, UpdatedAt: now}
	v1 := org.DepartmentVersion{ID: ids.New(), DepartmentID: dept.ID, ValidFrom: civil.MustParse("2024-01-01"), ValidTo: civil.MustParse("2024-03-01"), Name: "一", Active: true, CreatedAt: now}
	v2 := org.DepartmentVersion{ID: ids.New(), DepartmentID: dept.ID, ValidFrom: civil.MustParse("2024-03-01"), Name: "二", Active: true, CreatedAt: now}
	err := d.WithTx(ctx, func(ctx context.Context) error {
		if err := s.InsertDepartment(ctx, dept); err != nil {
			return err
		}
		if err := s.InsertVersion(ctx, &v1); err != nil {
			return err
		}
		return s.InsertVersion(ctx, &v2)
	})
	if err != nil {
		t.Fatal(err)
	}
	for day, want := range map[string]string{"2023-12-31": "", "2024-01-01": "一", "2024-02-29": "一", "2024-03-01": "二", "2099-01-01": "二"} {
		got, err := s.DepartmentOn(ctx, dept.ID, civil.MustParse(day))
		switch {
		case want == "" && !errs.Is(err, errs.NotFound, ""):
			t.Errorf("%s: %v %v", day, got, err)
		case want != "" && (err != nil || got.Name != want || got.Code != "D" || got.ParentID != 0):
			t.Errorf("%s: %+v %v, want %s", day, got, err, want)
		}
		all, err := s.DepartmentsOn(ctx, civil.MustParse(day))
		if err != nil || (want == "") != (len(all) == 0) {
			t.Errorf("%s: %d rows %v", day, len(all), err)
		}
	}
	if all, _ := s.DepartmentsOn(other, civil.MustParse("2024-06-01")); len(all) != 0 {
		t.Fatalf("other tenant sees %v", all)
	}
	if _, err := s.DepartmentRecord(other, dept.ID); !errs.Is(err, errs.NotFound, "") {
		t.Fatal(err)
	}
	hist, err := s.DepartmentHistory(ctx, dept.ID)
	if err != nil || len(hist) != 2 || hist[0].ValidTo != civil.MustParse("2024-03-01") || !hist[1].ValidTo.IsZero() {
		t.Fatalf("%+v %v", hist, err)
	}
	from, err := s.VersionsFrom(ctx, civil.MustParse("2024-03-01"))
	if err != nil || len(from) != 1 || from[0].ID != v2.ID {
		t.Fatalf("%+v %v", from, err)
	}
	// The lock version is checked on save.
	err = d.WithTx(ctx, func(ctx context.Context) error {
		return s.SaveDepartment(ctx, &org.DepartmentRecord{ID: dept.ID, Version: 5, UpdatedAt: now})
	})
	if !errs.Is(err, errs.Conflict, "stale") {
		t.Fatal(err)
	}
}

// TestCatalogueStore: coordinates round trip exactly, unique keys are
// per tenant and reported as field errors, lists filter, sort and page.
func TestCatalogueStore(t *testing.T) {
	d, s, ctx, other := setup(t)
	now := time.Now().UTC()
	lat, lng := 31.2304163, 121.4737021
	loc := &org.Location{ID: ids.New(), Name: "上海", Latitude: &lat, Longitude: &lng, PunchRadiusMeters: 300, Active: true, Version: 1, CreatedAt: now, UpdatedAt: now}
	err := d.WithTx(ctx, func(ctx context.Context) error {
		if err := s.Locations().Insert(ctx, loc); err != nil {
			return err
		}
		for i, code := range []string{"P1", "P3", "P2"} {
			g := &org.Grade{ID: ids.New(), Code: code, Name: code, Rank: 10 - i, Active: i != 1, Version: 1, CreatedAt: now, UpdatedAt: now}
			if err := s.Grades().Insert(ctx, g); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Locations().Get(ctx, loc.ID)
	if err != nil || *got.Latitude != lat || *got.Longitude != lng {
		t.Fatalf("%+v %v", got, err)
	}
	// Racing past the service's check, the unique index still answers.
	err = d.WithTx(ctx, func(ctx context.Context) error {
		return s.Grades().Insert(ctx, &org.Grade{ID: ids.New(), Code: "P1", Name: "x", Version: 1, CreatedAt: now, UpdatedAt: now})
	})
	if e, ok := err.(*errs.Error); !ok || e.Kind != errs.Invalid || e.Fields[0].Field != "code" {
		t.Fatalf("%v", err)
	}
	err = d.WithTx(other, func(ctx context.Context) error {
		return s.Grades().Insert(ctx, &org.Grade{ID: ids.New(), Code: "P1", Name: "x", Version: 1, CreatedAt: now, UpdatedAt: now})
	})
	if err != nil {
		t.Fatalf("same code in another tenant: %v", err)
	}
	list, n, err := s.Grades().List(ctx, org.ListFilter{Page: 1, Size: 2})
	if err != nil || n != 3 || len(list) != 2 || list[0].Code != "P2" {
		t.Fatalf("by rank: %d %+v %v", n, list, err)
	}
	active := true
	list, n, err = s.Grades().List(ctx, org.ListFilter{Active: &active, Sort: "-code", Page: 1, Size: 10})
	if err != nil || n != 2 || list[0].Code != "P2" || list[1].Code != "P1" {
		t.Fatalf("active by code desc: %d %+v %v", n, list, err)
	}
	list, n, err = s.Grades().List(ctx, org.ListFilter{Query: "p3", Page: 1, Size: 10})
	if err != nil || n != 1 || list[0].Code != "P3" {
		t.Fatalf("q: %d %+v %v", n, list, err)
	}
	taken, err := s.Grades().Taken(ctx, "P1", 0)
	if err != nil || !taken {
		t.Fatal(taken, err)
	}
	// Updates check the version.
	g := list[0]
	g.Version = 7
	err = d.WithTx(ctx, func(ctx context.Context) error { return s.Grades().Update(ctx, &g) })
	if !errs.Is(err, errs.Conflict, "stale") {
		t.Fatal(err)
	}
}
