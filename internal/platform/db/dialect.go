package db

import (
	"strings"

	"github.com/uptrace/bun"
)

// The few places where SQLite and PostgreSQL differ live here.

// ContainsFold adds "column contains s, ignoring case" to q. The pattern
// is escaped, so user input never acts as a wildcard.
func (d *DB) ContainsFold(q *bun.SelectQuery, column, s string) *bun.SelectQuery {
	return q.Where("? "+d.likeOp()+" ? ESCAPE '\\'", bun.Ident(column), "%"+EscapeLike(s)+"%")
}

// ContainsFoldExpr returns the SQL and args for one case-insensitive
// "contains" test, for OR groups.
func (d *DB) ContainsFoldExpr(column, s string) (string, []any) {
	return "? " + d.likeOp() + " ? ESCAPE '\\'", []any{bun.Ident(column), "%" + EscapeLike(s) + "%"}
}

// likeOp: SQLite's LIKE already ignores ASCII case; PostgreSQL needs ILIKE.
func (d *DB) likeOp() string {
	if d.Engine == Postgres {
		return "ILIKE"
	}
	return "LIKE"
}

// EscapeLike escapes LIKE wildcards with a backslash.
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ForUpdate locks selected rows on PostgreSQL; SQLite needs nothing (its
// single writer holds the whole database for the transaction).
func (d *DB) ForUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if d.Engine == Postgres {
		return q.For("UPDATE")
	}
	return q
}
