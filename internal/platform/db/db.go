// Package db opens SQLite or PostgreSQL behind one bun API, applies the
// embedded migrations and runs service code in transactions.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is the application's database. On SQLite writes go through one
// connection (SQLite allows one writer; queuing in Go beats busy retries)
// and reads use a pool of read-only connections. On PostgreSQL both are
// the same pool.
type DB struct {
	Engine Engine
	write  *bun.DB
	read   *bun.DB
	dsn    string
}

// Open connects to dsn: "sqlite:PATH" (":memory:" is not supported because
// readers and the writer must share one file) or "postgres://...".
func Open(dsn string) (*DB, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(strings.TrimPrefix(dsn, "sqlite:"), dsn)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(dsn)
	default:
		return nil, fmt.Errorf("db: unsupported DSN %q: want sqlite:PATH or postgres://", redactDSN(dsn))
	}
}

func openSQLite(path, dsn string) (*DB, error) {
	if path == "" {
		return nil, errors.New("db: sqlite path is empty")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("db: create %s: %w", dir, err)
		}
	}
	base := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)"
	w, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
	}
	// Readers map the file (pages shared through the OS cache instead of
	// copied per connection) and keep a larger page cache each: lists and
	// trees over 100k employees otherwise spend their time reading pages.
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)&_pragma=mmap_size(1073741824)&_pragma=cache_size(-16000)")
	if err != nil {
		w.Close()
		return nil, err
	}
	n := max(4, runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return &DB{Engine: SQLite, write: bun.NewDB(w, sqlitedialect.New()), read: bun.NewDB(r, sqlitedialect.New()), dsn: dsn}, nil
}

func openPostgres(dsn string) (*DB, error) {
	s, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	s.SetMaxOpenConns(max(10, 4*runtime.NumCPU()))
	s.SetMaxIdleConns(max(10, 4*runtime.NumCPU()))
	if err := s.Ping(); err != nil {
		s.Close()
		return nil, fmt.Errorf("db: connect %s: %w", redactDSN(dsn), err)
	}
	b := bun.NewDB(s, pgdialect.New())
	return &DB{Engine: Postgres, write: b, read: b, dsn: dsn}, nil
}

// Close closes every pool.
func (d *DB) Close() error {
	err := d.write.Close()
	if d.read != d.write {
		err = errors.Join(err, d.read.Close())
	}
	return err
}

// Ping checks the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.read.PingContext(ctx) }

// DSN returns the connection string with any password masked.
func (d *DB) DSN() string { return redactDSN(d.dsn) }

// Raw gives the writer's *sql.DB for tools (migrations, dumps, benchmarks).
func (d *DB) Raw() *sql.DB { return d.write.DB }

// Bun returns the writer handle for code that manages its own statements
// (migrations, the job queue's claim loop). Services use Conn.
func (d *DB) Bun() *bun.DB { return d.write }

type txKey struct{}

type hooksKey struct{}

// hooks collects functions to run after the outermost commit.
type hooks struct{ fns []func() }

// AfterCommit runs fn once the transaction in ctx has committed (never if
// it rolls back), or at once outside a transaction. Caches and wake-ups
// use it so nobody acts on data that may still roll back.
func AfterCommit(ctx context.Context, fn func()) {
	if h, ok := ctx.Value(hooksKey{}).(*hooks); ok {
		h.fns = append(h.fns, fn)
		return
	}
	fn()
}

// Conn returns the transaction in ctx, or the read pool. Writes outside a
// transaction fail on SQLite (the read pool is query_only), which keeps
// the rule that every write runs in WithTx together with its audit record.
func (d *DB) Conn(ctx context.Context) bun.IDB {
	if tx, ok := ctx.Value(txKey{}).(*bun.Tx); ok {
		return tx
	}
	return d.read
}

// InTx reports whether ctx carries a transaction.
func InTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*bun.Tx)
	return ok
}

// WithTx runs fn in a transaction, reusing one already in ctx so services
// compose: the outermost call commits, any error rolls everything back.
func (d *DB) WithTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if InTx(ctx) {
		return fn(ctx)
	}
	tx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	h := &hooks{}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
			return
		}
		if cerr := tx.Commit(); cerr != nil {
			err = fmt.Errorf("db: commit: %w", cerr)
			return
		}
		for _, f := range h.fns {
			f()
		}
	}()
	ctx = context.WithValue(ctx, hooksKey{}, h)
	return fn(context.WithValue(ctx, txKey{}, &tx))
}

func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// BulkLoad prepares the caller's transaction for writing many rows. On
// PostgreSQL each statement is then planned for the tables as they are:
// a session keeps the plans of its foreign-key checks, and plans made
// while a table was small scan it, so a load of 100,000 rows into a new
// tenant slows to minutes as the table grows. SQLite needs nothing.
func (d *DB) BulkLoad(ctx context.Context) error {
	if d.Engine != Postgres {
		return nil
	}
	if !InTx(ctx) {
		return fmt.Errorf("db: BulkLoad outside a transaction")
	}
	_, err := d.Conn(ctx).ExecContext(ctx, "SET LOCAL plan_cache_mode = force_custom_plan")
	return err
}
