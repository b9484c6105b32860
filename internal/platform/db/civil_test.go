package db_test

import (
	"context"
	"testing"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/dbtest"
)

type dated struct {
	bun.BaseModel `bun:"table:civil_probe"`
	ID            int64      `bun:"id,pk"`
	On            civil.Date `bun:"on_date"`
	Off           civil.Date `bun:"off_date"`
}

// Civil dates round-trip and compare in date order on both engines.
func TestCivilDatesRoundTrip(t *testing.T) {
	d := dbtest.MustOpen(t)
	ctx := context.Background()
	err := d.WithTx(ctx, func(ctx context.Context) error {
		if _, err := d.Conn(ctx).ExecContext(ctx, "CREATE TABLE civil_probe (id BIGINT PRIMARY KEY, on_date DATE, off_date DATE)"); err != nil {
			return err
		}
		rows := []dated{{ID: 1, On: civil.MustParse("2024-02-29")}, {ID: 2, On: civil.MustParse("2026-11-22"), Off: civil.MustParse("2027-01-01")}, {ID: 3, On: civil.MustParse("2025-12-31")}}
		_, err := d.Conn(ctx).NewInsert().Model(&rows).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []dated
	if err := d.Conn(ctx).NewSelect().Model(&got).Where("on_date >= ?", civil.MustParse("2025-01-01")).Order("on_date").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].On != civil.MustParse("2025-12-31") || got[1].Off != civil.MustParse("2027-01-01") || !got[0].Off.IsZero() {
		t.Fatalf("%+v", got)
	}
}
