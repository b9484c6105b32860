package db_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/dbtest"
)

// globalTables hold no tenant data and are listed here on purpose; every
// other table must lead with tenant_id (ARCHITECTURE.md rule 2).
var globalTables = map[string]string{
	"goose_db_version": "migration bookkeeping",
	"platform_tenants": "the tenants themselves; a Citus reference table",
	"crypto_keys":      "one key ring per installation, wrapped by the master key",
}

func TestEveryBusinessTableIsTenantScoped(t *testing.T) {
	d := dbtest.MustOpen(t)
	tables, err := d.Schema(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 5 {
		t.Fatalf("schema introspection found only %d tables", len(tables))
	}
	for _, tb := range tables {
		if _, ok := globalTables[tb.Name]; ok {
			continue
		}
		if !slices.Contains(tb.Columns, "tenant_id") {
			t.Errorf("%s: no tenant_id column (add it, or list the table in globalTables with a reason)", tb.Name)
			continue
		}
		if len(tb.PrimaryKey) == 0 || tb.PrimaryKey[0] != "tenant_id" {
			t.Errorf("%s: primary key %v must start with tenant_id", tb.Name, tb.PrimaryKey)
		}
		for _, u := range tb.Unique {
			if !slices.Contains(u, "tenant_id") {
				t.Errorf("%s: unique key %v must include tenant_id", tb.Name, u)
			}
		}
		for _, fk := range tb.ForeignKeys {
			if _, global := globalTables[fk.Ref]; global {
				continue
			}
			if !slices.Contains(fk.Columns, "tenant_id") {
				t.Errorf("%s: foreign key %v -> %s must include tenant_id", tb.Name, fk.Columns, fk.Ref)
			}
		}
	}
}

// The migrations are written once for both engines; this test migrates a
// SQLite file and a PostgreSQL schema in the same run and compares them,
// so a migration that only works (or only creates a column) on one engine
// fails here.
func TestMigrationsGiveTheSameSchemaOnBothEngines(t *testing.T) {
	if dbtest.PostgresDSN() == "" {
		t.Skip("RENSHI_TEST_POSTGRES not set")
	}
	ctx := context.Background()
	lite, err := db.Open("sqlite:" + filepath.Join(t.TempDir(), "parity.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	if _, err := lite.Migrate(ctx); err != nil {
		t.Fatalf("sqlite: %v", err)
	}
	pg := dbtest.MustOpen(t)
	a, err := lite.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := pg.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sa, sb := describe(a), describe(b); sa != sb {
		t.Fatalf("schemas differ\nsqlite:\n%s\npostgres:\n%s", sa, sb)
	}
}

func describe(ts []db.Table) string {
	var lines []string
	for _, t := range ts {
		var uniq []string
		for _, u := range t.Unique {
			uniq = append(uniq, strings.Join(u, "+"))
		}
		sort.Strings(uniq)
		var fks []string
		for _, f := range t.ForeignKeys {
			fks = append(fks, strings.Join(f.Columns, "+")+">"+f.Ref)
		}
		sort.Strings(fks)
		lines = append(lines, fmt.Sprintf("%s(%s) pk=%v unique=%v fk=%v", t.Name, strings.Join(t.Columns, ","), t.PrimaryKey, uniq, fks))
	}
	return strings.Join(lines, "\n")
}
