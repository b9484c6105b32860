package db

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Table describes a table as the database reports it, for the schema
// rules test and the engine parity test.
type Table struct {
	Name       string
	Columns    []string // sorted
	PrimaryKey []string // in key order
	// Unique lists each unique index (including the primary key) by its columns.
	Unique [][]string
	// ForeignKeys lists each foreign key's local columns and referenced table.
	ForeignKeys []ForeignKey
}

// ForeignKey is one reference from a table to another.
type ForeignKey struct {
	Columns []string
	Ref     string
}

// Schema lists the tables of the current database (or schema on
// PostgreSQL), sorted by name.
func (d *DB) Schema(ctx context.Context) ([]Table, error) {
	var out []Table
	var err error
	if d.Engine == SQLite {
		out, err = d.sqliteSchema(ctx)
	} else {
		out, err = d.pgSchema(ctx)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

func (d *DB) sqliteSchema(ctx context.Context) ([]Table, error) {
	var names []string
	if err := d.read.NewRaw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").Scan(ctx, &names); err != nil {
		return nil, err
	}
	var out []Table
	for _, n := range names {
		t := Table{Name: n}
		rows, err := d.read.QueryContext(ctx, fmt.Sprintf("SELECT name, pk FROM pragma_table_info('%s')", n))
		if err != nil {
			return nil, err
		}
		pk := map[int]string{}
		for rows.Next() {
			var col string
			var pos int
			if err := rows.Scan(&col, &pos); err != nil {
				rows.Close()
				return nil, err
			}
			t.Columns = append(t.Columns, col)
			if pos > 0 {
				pk[pos] = col
			}
		}
		rows.Close()
		for i := 1; i <= len(pk); i++ {
			t.PrimaryKey = append(t.PrimaryKey, pk[i])
		}
		sort.Strings(t.Columns)
		var idx []struct {
			Name   string `bun:"name"`
			Unique bool   `bun:"unique"`
			Origin string `bun:"origin"`
		}
		if err := d.read.NewRaw(fmt.Sprintf("SELECT name, \"unique\", origin FROM pragma_index_list('%s')", n)).Scan(ctx, &idx); err != nil {
			return nil, err
		}
		for _, ix := range idx {
			if !ix.Unique || ix.Origin == "pk" { // the primary key is added below
				continue
			}
			var cols []string
			if err := d.read.NewRaw(fmt.Sprintf("SELECT name FROM pragma_index_info('%s') ORDER BY seqno", ix.Name)).Scan(ctx, &cols); err != nil {
				return nil, err
			}
			t.Unique = append(t.Unique, cols)
		}
		if len(t.PrimaryKey) > 0 {
			t.Unique = append(t.Unique, t.PrimaryKey)
		}
		var fks []struct {
			ID    int    `bun:"id"`
			Table string `bun:"table"`
			From  string `bun:"from"`
		}
		if err := d.read.NewRaw(fmt.Sprintf("SELECT id, \"table\", \"from\" FROM pragma_foreign_key_list('%s') ORDER BY id, seq", n)).Scan(ctx, &fks); err != nil {
			return nil, err
		}
		byID := map[int]*ForeignKey{}
		var order []int
		for _, f := range fks {
			fk, ok := byID[f.ID]
			if !ok {
				fk = &ForeignKey{Ref: f.Table}
				byID[f.ID] = fk
				order = append(order, f.ID)
			}
			fk.Columns = append(fk.Columns, f.From)
		}
		for _, id := range order {
			t.ForeignKeys = append(t.ForeignKeys, *byID[id])
		}
		out = append(out, t)
	}
	return out, nil
}

func (d *DB) pgSchema(ctx context.Context) ([]Table, error) {
	var cols []struct {
		Table  string `bun:"table_name"`
		Column string `bun:"column_name"`
	}
	if err := d.read.NewRaw(`SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() ORDER BY table_name, column_name`).Scan(ctx, &cols); err != nil {
		return nil, err
	}
	byName := map[string]*Table{}
	var names []string
	for _, c := range cols {
		t, ok := byName[c.Table]
		if !ok {
			t = &Table{Name: c.Table}
			byName[c.Table] = t
			names = append(names, c.Table)
		}
		t.Columns = append(t.Columns, c.Column)
	}
	// Unique indexes and the primary key, columns in index order.
	var idx []struct {
		Table   string `bun:"table_name"`
		Index   string `bun:"index_name"`
		Primary bool   `bun:"is_primary"`
		Columns string `bun:"columns"`
	}
	if err := d.read.NewRaw(`SELECT t.relname AS table_name, i.relname AS index_name, ix.indisprimary AS is_primary,
			string_agg(a.attname, ',' ORDER BY k.ord) AS columns
		FROM pg_index ix
		JOIN pg_class t ON t.oid = ix.indrelid
		JOIN pg_class i ON i.oid = ix.indexrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) ON TRUE
		JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
		WHERE n.nspname = current_schema() AND ix.indisunique
		GROUP BY t.relname, i.relname, ix.indisprimary`).Scan(ctx, &idx); err != nil {
		return nil, err
	}
	for _, ix := range idx {
		t := byName[ix.Table]
		if t == nil {
			continue
		}
		c := strings.Split(ix.Columns, ",")
		if ix.Primary {
			t.PrimaryKey = c
		}
		t.Unique = append(t.Unique, c)
	}
	var fks []struct {
		Table   string `bun:"table_name"`
		Ref     string `bun:"ref_table"`
		Columns string `bun:"columns"`
	}
	if err := d.read.NewRaw(`SELECT t.relname AS table_name, r.relname AS ref_table,
			string_agg(a.attname, ',' ORDER BY k.ord) AS columns
		FROM pg_constraint c
		JOIN pg_class t ON t.oid = c.conrelid
		JOIN pg_class r ON r.oid = c.confrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) ON TRUE
		JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
		WHERE n.nspname = current_schema() AND c.contype = 'f'
		GROUP BY c.oid, t.relname, r.relname`).Scan(ctx, &fks); err != nil {
		return nil, err
	}
	for _, f := range fks {
		if t := byName[f.Table]; t != nil {
			t.ForeignKeys = append(t.ForeignKeys, ForeignKey{Columns: strings.Split(f.Columns, ","), Ref: f.Ref})
		}
	}
	out := make([]Table, 0, len(names))
	for _, n := range names {
		out = append(out, *byName[n])
	}
	return out, nil
}
