package db

import (
	"context"
	"errors"
	"fmt"
)

// Savepoints runs each fns[i] with ctxs[i]'s values (not its
// cancellation) in its own savepoint of one new transaction: a function's
// error or panic undoes its writes only, and its after-commit hooks run
// only if its writes were kept. It returns each function's error, and the
// transaction's, which applies to all.
func (d *DB) Savepoints(ctxs []context.Context, fns []func(ctx context.Context) error) ([]error, error) {
	results := make([]error, len(fns))
	err := d.WithTx(context.Background(), func(txctx context.Context) error {
		tx := txctx.Value(txKey{})
		outer := txctx.Value(hooksKey{}).(*hooks)
		conn := d.Conn(txctx)
		for i, fn := range fns {
			h := &hooks{}
			ctx := context.WithValue(context.WithValue(context.WithoutCancel(ctxs[i]), txKey{}, tx), hooksKey{}, h)
			if _, err := conn.ExecContext(txctx, "SAVEPOINT combined"); err != nil {
				return err
			}
			results[i] = call(ctx, fn)
			if results[i] != nil {
				if _, err := conn.ExecContext(txctx, "ROLLBACK TO SAVEPOINT combined"); err != nil {
					return err
				}
			}
			if _, err := conn.ExecContext(txctx, "RELEASE SAVEPOINT combined"); err != nil {
				return err
			}
			if results[i] == nil {
				outer.fns = append(outer.fns, h.fns...)
			}
		}
		return nil
	})
	return results, err
}

// call runs fn, turning a panic into an error so one caller cannot take
// the batch down.
func call(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("db: combined write panicked: %v", p)
		}
	}()
	return fn(ctx)
}

// All runs the functions like Savepoints, but first tries them all in one
// transaction without savepoints, which costs two statements less each;
// only if one fails does it start again with a savepoint each. For
// batches where failures are rare (prepared, checked work).
func (d *DB) All(ctxs []context.Context, fns []func(ctx context.Context) error) ([]error, error) {
	failed := errors.New("db: a batched write failed")
	err := d.WithTx(context.Background(), func(txctx context.Context) error {
		tx := txctx.Value(txKey{})
		h := txctx.Value(hooksKey{})
		for i, fn := range fns {
			ctx := context.WithValue(context.WithValue(context.WithoutCancel(ctxs[i]), txKey{}, tx), hooksKey{}, h)
			if call(ctx, fn) != nil {
				return failed
			}
		}
		return nil
	})
	if err == nil {
		return make([]error, len(fns)), nil
	}
	if !errors.Is(err, failed) {
		return nil, err
	}
	return d.Savepoints(ctxs, fns)
}
