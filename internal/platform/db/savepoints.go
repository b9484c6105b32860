package db

import (
	"context"
	"fmt"
	"sync"
)

// Combiner commits the small writes of many concurrent callers together:
// each caller's function runs in its own savepoint of a shared
// transaction, so a failure undoes only that caller's writes, and N
// callers cost one commit instead of N transactions queued behind the one
// writer (SQLite) or contending for rows and connections (PostgreSQL).
// This is group commit: while one batch runs, the next collects.
type Combiner struct {
	d   *DB
	max int

	mu      sync.Mutex
	queue   []*combined
	leading bool
}

type combined struct {
	ctx  context.Context
	fn   func(ctx context.Context) error
	done chan error
}

// NewCombiner returns a combiner that puts at most size callers in one
// transaction.
func (d *DB) NewCombiner(size int) *Combiner {
	return &Combiner{d: d, max: max(size, 1)}
}

// Do runs fn in a savepoint of a shared transaction and returns its error
// once the transaction has committed (or fn's own error at once after its
// writes were rolled back). Inside a transaction already, fn simply runs
// in it. fn must keep to the database: it runs on the combiner's
// goroutine with ctx's values but not its cancellation.
func (c *Combiner) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	if InTx(ctx) {
		return fn(ctx)
	}

	r := &combined{ctx: ctx, fn: fn, done: make(chan error, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, r)
	lead := !c.leading
	c.leading = true
	c.mu.Unlock()
	if lead {
		go c.lead()
	}
	return <-r.done
}

// lead runs batches until no one waits.
func (c *Combiner) lead() {
	for {
		c.mu.Lock()
		if len(c.queue) == 0 {
			c.leading = false
			c.mu.Unlock()
			return
		}
		n := min(len(c.queue), c.max)
		batch := c.queue[:n:n]
		c.queue = append([]*combined(nil), c.queue[n:]...)
		c.mu.Unlock()
		c.run(batch)
	}
}

func (c *Combiner) run(batch []*combined) {
	results := make([]error, len(batch))
	err := c.d.WithTx(context.Background(), func(txctx context.Context) error {
		tx := txctx.Value(txKey{})
		outer := txctx.Value(hooksKey{}).(*hooks)
		conn := c.d.Conn(txctx)
		for i, r := range batch {
			h := &hooks{}
			ctx := context.WithValue(context.WithValue(context.WithoutCancel(r.ctx), txKey{}, tx), hooksKey{}, h)
			if _, err := conn.ExecContext(txctx, "SAVEPOINT combined"); err != nil {
				return err
			}
			results[i] = call(ctx, r.fn)
			undo := "RELEASE SAVEPOINT combined"
			if results[i] != nil {
				undo = "ROLLBACK TO SAVEPOINT combined"
			}
			if _, err := conn.ExecContext(txctx, undo); err != nil {
				return err
			}
			if results[i] != nil {
				if _, err := conn.ExecContext(txctx, "RELEASE SAVEPOINT combined"); err != nil {
					return err
				}
				continue
			}
			outer.fns = append(outer.fns, h.fns...)
		}
		return nil
	})
	for i, r := range batch {
		if err != nil {
			results[i] = err
		}
		r.done <- results[i]
	}
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
