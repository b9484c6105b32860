package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/ids"
)

func TestWithTxCommitsRollsBackAndNests(t *testing.T) {
	d := dbtest.MustOpen(t)
	ctx := context.Background()
	count := func() int {
		n, err := d.Conn(ctx).NewSelect().Table("crypto_keys").Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	insert := func(ctx context.Context, id string) error {
		_, err := d.Conn(ctx).ExecContext(ctx, "INSERT INTO crypto_keys (id, purpose, wrapped, created_at) VALUES (?, 'test', 'x', ?)", id, ids.New().Time())
		return err
	}
	if err := d.WithTx(ctx, func(ctx context.Context) error {
		if err := insert(ctx, "a"); err != nil {
			return err
		}
		// A nested WithTx joins the outer transaction.
		return d.WithTx(ctx, func(ctx context.Context) error { return insert(ctx, "b") })
	}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Fatalf("after commit: %d rows, want 2", n)
	}
	boom := errors.New("boom")
	err := d.WithTx(ctx, func(ctx context.Context) error {
		if err := insert(ctx, "c"); err != nil {
			return err
		}
		return d.WithTx(ctx, func(ctx context.Context) error { return boom })
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if n := count(); n != 2 {
		t.Fatalf("after rollback: %d rows, want 2 (nothing half-written)", n)
	}
}

func TestWriteOutsideTxFailsOnSQLite(t *testing.T) {
	d := dbtest.MustOpen(t)
	if d.Engine != db.SQLite {
		t.Skip("read pool is query_only only on SQLite")
	}
	ctx := context.Background()
	_, err := d.Conn(ctx).ExecContext(ctx, "INSERT INTO crypto_keys (id, purpose, wrapped, created_at) VALUES ('x', 't', 'x', ?)", ids.New().Time())
	if err == nil {
		t.Fatal("a write outside WithTx must fail")
	}
}

func TestMigrateIsIdempotentAndNothingPending(t *testing.T) {
	d := dbtest.MustOpen(t)
	ctx := context.Background()
	n, err := d.Migrate(ctx)
	if err != nil || n != 0 {
		t.Fatalf("second migrate ran %d, err %v", n, err)
	}
	p, err := d.Pending(ctx)
	if err != nil || p != 0 {
		t.Fatalf("pending %d, err %v", p, err)
	}
}
