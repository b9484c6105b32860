package db

import (
	"context"

	"github.com/uptrace/bun"
)

// Page sizes for lists: a default, and a cap so no request can ask for
// the whole table (exports stream instead).
const (
	DefaultPageSize = 20
	MaxPageSize     = 200
)

// NormalizePage clamps a 1-based page number and a size.
func NormalizePage(page, size int) (int, int) {
	if page < 1 {
		page = 1
	}
	if size < 1 {
		size = DefaultPageSize
	}
	if size > MaxPageSize {
		size = MaxPageSize
	}
	return page, size
}

// Paginate limits q to one page.
func Paginate(q *bun.SelectQuery, page, size int) *bun.SelectQuery {
	page, size = NormalizePage(page, size)
	return q.Limit(int64(size)).Offset(int64((page - 1) * size))
}

// ScanPage scans one page of q into its model and returns the total
// number of matching rows.
func ScanPage(ctx context.Context, q *bun.SelectQuery, page, size int) (int, error) {
	n, err := Paginate(q, page, size).ScanAndCount(ctx)
	return int(n), err
}
