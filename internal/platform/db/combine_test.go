package db_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Concurrent callers share transactions; a failing or panicking caller
// undoes only its own writes, and after-commit hooks run only for the
// callers whose writes were kept.
func TestCombinerKeepsEachCallersWritesApart(t *testing.T) {
	d := dbtest.MustOpen(t)
	ctx := context.Background()
	c := d.NewCombiner(16)
	var hooked atomic.Int32
	var wg sync.WaitGroup
	errs := make([]error, 60)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = c.Do(ctx, func(ctx context.Context) error {
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
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if bad := i%10 == 3 || i%10 == 7; bad != (err != nil) {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	n, err := d.Conn(ctx).NewSelect().Table("crypto_keys").Where("purpose = 'test'").Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 48 || hooked.Load() != 48 {
		t.Fatalf("kept %d rows, ran %d hooks; want 48 each", n, hooked.Load())
	}
	// Inside a transaction the function joins it.
	err = d.WithTx(ctx, func(ctx context.Context) error {
		return c.Do(ctx, func(ctx context.Context) error {
			if !db.InTx(ctx) {
				t.Fatal("not in the caller's transaction")
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
