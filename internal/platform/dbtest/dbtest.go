// Package dbtest opens a fresh, migrated database for a test: SQLite in a
// temporary directory, or a fresh schema in the PostgreSQL named by
// RENSHI_TEST_POSTGRES. `make test` runs every test once per engine.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/ids"
)

// PostgresDSN is the test server, or "" to test on SQLite.
func PostgresDSN() string { return os.Getenv("RENSHI_TEST_POSTGRES") }

// MustOpen returns a migrated database that is removed after the test.
func MustOpen(tb testing.TB) *db.DB {
	tb.Helper()
	dsn := DSN(tb)
	d, err := db.Open(dsn)
	if err != nil {
		tb.Fatalf("dbtest: open: %v", err)
	}
	tb.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		tb.Fatalf("dbtest: migrate: %v", err)
	}
	return d
}

// DSN returns a DSN for an empty database (not migrated) that is dropped
// after the test: a file in the test's temp dir, or a new PostgreSQL schema.
func DSN(tb testing.TB) string {
	tb.Helper()
	pg := PostgresDSN()
	if pg == "" {
		return "sqlite:" + filepath.Join(tb.TempDir(), "test.db")
	}
	schema := fmt.Sprintf("t_%d", ids.New())
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("dbtest: create schema: %v", err)
	}
	tb.Cleanup(func() {
		a, err := sql.Open("pgx", pg)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	return withSearchPath(pg, schema)
}

func withSearchPath(dsn, schema string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + "search_path=" + schema
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
