package audit

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Filter narrows the audit log list.
type Filter struct {
	Actor      string // login (exact) of the actor
	Action     string
	ObjectType string
	ObjectID   string
	From, To   time.Time // instants; zero means open
	Page       int
	PageSize   int
}

// List returns a page of the caller's tenant's log, newest first. Without
// tenant scope on platform.audit.read the caller sees only his own actions.
func (l *Log) List(ctx context.Context, f Filter) ([]Entry, int, error) {
	p, scope, err := rbac.Require(ctx, rbac.AuditRead)
	if err != nil {
		return nil, 0, err
	}
	var out []Entry
	q := l.db.Conn(ctx).NewSelect().Model(&out).Where("tenant_id = ?", p.TenantID)
	q = applyFilter(q, f)
	if !scope.All {
		q = q.Where("actor_id = ?", p.UserID)
	}
	total, err := db.ScanPage(ctx, q.Order("seq DESC"), f.Page, f.PageSize)
	return out, total, err
}

// Each streams every matching row (newest first) to fn in batches, for
// exports of any size; the same scope rule as List applies.
func (l *Log) Each(ctx context.Context, f Filter, fn func(*Entry) error) error {
	p, scope, err := rbac.Require(ctx, rbac.AuditRead)
	if err != nil {
		return err
	}
	before := int64(-1)
	for {
		var batch []Entry
		q := l.db.Conn(ctx).NewSelect().Model(&batch).Where("tenant_id = ?", p.TenantID)
		q = applyFilter(q, f)
		if !scope.All {
			q = q.Where("actor_id = ?", p.UserID)
		}
		if before >= 0 {
			q = q.Where("seq < ?", before)
		}
		if err := q.Order("seq DESC").Limit(1000).Scan(ctx); err != nil {
			return err
		}
		for i := range batch {
			if err := fn(&batch[i]); err != nil {
				return err
			}
		}
		if len(batch) < 1000 {
			return nil
		}
		before = batch[len(batch)-1].Seq
	}
}

func applyFilter(q *bun.SelectQuery, f Filter) *bun.SelectQuery {
	if f.Actor != "" {
		q = q.Where("actor_login = ?", f.Actor)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.ObjectType != "" {
		q = q.Where("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		q = q.Where("object_id = ?", f.ObjectID)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To.UTC())
	}
	return q
}

// ByObject lists an object's history, oldest first (for record timelines).
func (l *Log) ByObject(ctx context.Context, tenantID ids.ID, objectType, objectID string) ([]Entry, error) {
	var out []Entry
	err := l.db.Conn(ctx).NewSelect().Model(&out).Where("tenant_id = ?", tenantID).
		Where("object_type = ?", objectType).Where("object_id = ?", objectID).Order("seq").Scan(ctx)
	return out, err
}
