// Package importsdb stores import batches, their cell errors and changes,
// and saved mappings with bun on SQLite or PostgreSQL. Every query is
// scoped to the principal's tenant.
package importsdb

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Store is the bun imports store.
type Store struct{ db *db.DB }

// New returns the store.
func New(d *db.DB) *Store { return &Store{db: d} }

var _ imports.Store = (*Store)(nil)

// insertBatch bounds the rows of one INSERT (statements stay small).
const insertBatch = 500

func (s *Store) conn(ctx context.Context) (bun.IDB, ids.ID, error) {
	t, err := rbac.Tenant(ctx)
	return s.db.Conn(ctx), t, err
}

// ---- batches

func (s *Store) InsertBatch(ctx context.Context, b *imports.Batch) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	b.TenantID = t
	_, err = c.NewInsert().Model(b).Exec(ctx)
	return err
}

func (s *Store) Batch(ctx context.Context, id ids.ID) (*imports.Batch, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	b := new(imports.Batch)
	err = c.NewSelect().Model(b).Where("b.tenant_id = ? AND b.id = ?", t, id).Scan(ctx)
	return b, db.NotFound(err, "object.import_batch")
}

func (s *Store) LockBatch(ctx context.Context, id ids.ID) (*imports.Batch, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	b := new(imports.Batch)
	err = s.db.ForUpdate(c.NewSelect().Model(b).Where("b.tenant_id = ? AND b.id = ?", t, id)).Scan(ctx)
	return b, db.NotFound(err, "object.import_batch")
}

func (s *Store) UpdateBatch(ctx context.Context, b *imports.Batch) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	res, err := c.NewUpdate().Model(b).ExcludeColumn("tenant_id", "id", "created_at", "created_by", "created_by_name", "target", "file_id").
		Where("tenant_id = ? AND id = ? AND version = ?", t, b.ID, b.Version-1).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "stale")
	}
	return nil
}

func (s *Store) Batches(ctx context.Context, f imports.Filter, a imports.Access) ([]imports.Batch, int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := []imports.Batch{}
	q := c.NewSelect().Model(&out).Where("b.tenant_id = ?", t)
	q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		if len(a.All) > 0 {
			q.WhereOr("b.target IN (?)", bun.In(a.All))
		}
		if len(a.Own) > 0 {
			q.WhereOr("b.target IN (?) AND b.created_by = ?", bun.In(a.Own), a.User)
		}
		return q
	})
	if f.Target != "" {
		q.Where("b.target = ?", f.Target)
	}
	if f.State != "" {
		q.Where("b.state = ?", f.State)
	}
	if f.Query != "" {
		q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			s1, a1 := s.db.ContainsFoldExpr("b.file_name", f.Query)
			s2, a2 := s.db.ContainsFoldExpr("b.created_by_name", f.Query)
			return q.WhereOr(s1, a1...).WhereOr(s2, a2...)
		})
	}
	if !f.From.IsZero() {
		q.Where("b.created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q.Where("b.created_at < ?", f.To.UTC())
	}
	n, err := db.ScanPage(ctx, q.OrderExpr("b.created_at DESC, b.id DESC"), f.Page, f.PageSize)
	return out, n, err
}

// ---- errors

func (s *Store) InsertErrors(ctx context.Context, list []imports.CellError) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	for start := 0; start < len(list); start += insertBatch {
		part := list[start:min(start+insertBatch, len(list))]
		for i := range part {
			part[i].TenantID = t
		}
		if _, err := c.NewInsert().Model(&part).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) DeleteErrors(ctx context.Context, batchID ids.ID) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewDelete().Model((*imports.CellError)(nil)).Where("tenant_id = ? AND batch_id = ?", t, batchID).Exec(ctx)
	return err
}

func (s *Store) Errors(ctx context.Context, batchID ids.ID, page, size int) ([]imports.CellError, int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := []imports.CellError{}
	q := c.NewSelect().Model(&out).Where("e.tenant_id = ? AND e.batch_id = ?", t, batchID).OrderExpr("e.line, e.col_index, e.seq")
	n, err := db.ScanPage(ctx, q, page, size)
	return out, n, err
}

func (s *Store) EachError(ctx context.Context, batchID ids.ID, fn func(imports.CellError) error) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	// Pages by the key, so a large list is never held twice.
	after := struct{ line, col, seq int }{-1, -2, -1}
	for {
		var page []imports.CellError
		err := c.NewSelect().Model(&page).Where("e.tenant_id = ? AND e.batch_id = ?", t, batchID).
			Where("(e.line > ?) OR (e.line = ? AND e.col_index > ?) OR (e.line = ? AND e.col_index = ? AND e.seq > ?)",
				after.line, after.line, after.col, after.line, after.col, after.seq).
			OrderExpr("e.line, e.col_index, e.seq").Limit(5000).Scan(ctx)
		if err != nil {
			return err
		}
		for _, e := range page {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(page) < 5000 {
			return nil
		}
		last := page[len(page)-1]
		after.line, after.col, after.seq = last.Line, last.Index, last.Seq
	}
}

// ---- changes

func (s *Store) InsertChanges(ctx context.Context, list []imports.ChangeRecord) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	for start := 0; start < len(list); start += insertBatch {
		part := list[start:min(start+insertBatch, len(list))]
		for i := range part {
			part[i].TenantID = t
		}
		if _, err := c.NewInsert().Model(&part).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) ChangesBefore(ctx context.Context, batchID ids.ID, before, limit int) ([]imports.ChangeRecord, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []imports.ChangeRecord
	err = c.NewSelect().Model(&out).Where("c.tenant_id = ? AND c.batch_id = ? AND c.seq < ?", t, batchID, before).
		Order("c.seq DESC").Limit(int64(limit)).Scan(ctx)
	return out, err
}

// ---- saved mappings

func (s *Store) Mappings(ctx context.Context, target string) ([]imports.SavedMapping, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []imports.SavedMapping
	err = c.NewSelect().Model(&out).Where("m.tenant_id = ? AND m.target = ?", t, target).Order("m.name").Scan(ctx)
	return out, err
}

func (s *Store) Mapping(ctx context.Context, id ids.ID) (*imports.SavedMapping, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	m := new(imports.SavedMapping)
	err = c.NewSelect().Model(m).Where("m.tenant_id = ? AND m.id = ?", t, id).Scan(ctx)
	return m, db.NotFound(err, "object.import_mapping")
}

func (s *Store) MappingByName(ctx context.Context, target, name string) (*imports.SavedMapping, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	m := new(imports.SavedMapping)
	err = c.NewSelect().Model(m).Where("m.tenant_id = ? AND m.target = ? AND m.name = ?", t, target, name).Scan(ctx)
	return m, db.NotFound(err, "object.import_mapping")
}

func (s *Store) SaveMapping(ctx context.Context, m *imports.SavedMapping) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	m.TenantID = t
	// The unique name decides: a second save of a name replaces the
	// first's mapping (and keeps its id).
	err = c.NewInsert().Model(m).
		On("CONFLICT (tenant_id, target, name) DO UPDATE").
		Set("mapping = EXCLUDED.mapping").Set("upsert_key = EXCLUDED.upsert_key").Set("updated_at = EXCLUDED.updated_at").
		Returning("id, created_by, created_at").Scan(ctx)
	if db.IsUniqueViolation(err) {
		return errs.E(errs.Conflict, "stale")
	}
	return err
}

func (s *Store) DeleteMapping(ctx context.Context, id ids.ID) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	res, err := c.NewDelete().Model((*imports.SavedMapping)(nil)).Where("tenant_id = ? AND id = ?", t, id).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFoundf("object.import_mapping")
	}
	return nil
}
