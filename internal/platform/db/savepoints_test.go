package db_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Each function's writes are kept or undone on their own; after-commit
// hooks run only for the functions whose writes were kept; a panic is an
// error of its function.
func TestSavepointsKeepEachFunctionsWritesApart(t *testing.T) {
	d := dbtest.MustOpen(t)
	ctx := context.Background()
	var hooked atomic.Int32
	var ctxs []context.Context
	var fns []func(context.Context) error
	for i := 0; i < 30; i++ {
		ctxs = append(ctxs, ctx)
		fns = append(fns, func(ctx context.Context) error {
			if !db.InTx(ctx) {
				return errors.New("not in the transaction")
			}
			if _, err := d.Conn(ctx).ExecContext(ctx, "INSERT INTO crypto_keys (id, purpose, wrapped, created_at) VALUES (?, 'test', 'x', ?)",
				fmt.Sprintf("k%02d", i), ids.New().Time()); err != nil {
				return err
			}
			db.AfterCommit(ctx, func() { hooked.Add(1) })
			switch i % 10 {
			case 3:
				return errors.New("refused")
			case 7:
				panic("boom")
			}
			return nil
		})
	}
	results, err := d.Savepoints(ctxs, fns)
	if err != nil {
		t.Fatal(err)
	}
	for i, err := range results {
		if bad := i%10 == 3 || i%10 == 7; bad != (err != nil) {
			t.Fatalf("function %d: %v", i, err)
		}
	}
	n, err := d.Conn(ctx).NewSelect().Table("crypto_keys").Where("purpose = 'test'").Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 24 || hooked.Load() != 24 {
		t.Fatalf("kept %d rows, ran %d hooks; want 24 each", n, hooked.Load())
	}
}

// All keeps everything when all succeed, and when one fails starts over
// with a savepoint each, so the others are still kept.
func TestAllFallsBackToSavepoints(t *testing.T) {
	d := dbtest.MustOpen(t)
	ctx := context.Background()
	insert := func(id string, fail bool) func(context.Context) error {
		return func(ctx context.Context) error {
			if _, err := d.Conn(ctx).ExecContext(ctx, "INSERT INTO crypto_keys (id, purpose, wrapped, created_at) VALUES (?, 'test', 'x', ?)", id, ids.New().Time()); err != nil {
				return err
			}
			if fail {
				return errors.New("refused")
			}
			return nil
		}
	}
	count := func() int64 {
		n, err := d.Conn(ctx).NewSelect().Table("crypto_keys").Where("purpose = 'test'").Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return int64(n)
	}
	ctxs := []context.Context{ctx, ctx, ctx}
	if res, err := d.All(ctxs, []func(context.Context) error{insert("a", false), insert("b", false), insert("c", false)}); err != nil || res[0] != nil || res[2] != nil || count() != 3 {
		t.Fatalf("all good: %v %v, %d rows", res, err, count())
	}
	res, err := d.All(ctxs, []func(context.Context) error{insert("d", false), insert("e", true), insert("f", false)})
	if err != nil || res[0] != nil || res[1] == nil || res[2] != nil || count() != 5 {
		t.Fatalf("one refused: %v %v, %d rows", res, err, count())
	}
}
