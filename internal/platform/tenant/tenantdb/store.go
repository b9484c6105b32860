// Package tenantdb stores tenants with bun on SQLite or PostgreSQL.
package tenantdb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/tenant"
)

// Store is the bun tenant store.
type Store struct{ db *db.DB }

// New returns the store.
func New(d *db.DB) *Store { return &Store{db: d} }

var _ tenant.Store = (*Store)(nil)

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.NotFoundf("object.tenant")
	}
	return err
}

func (s *Store) Insert(ctx context.Context, t *tenant.Tenant) error {
	_, err := s.db.Conn(ctx).NewInsert().Model(t).Exec(ctx)
	return err
}

func (s *Store) Get(ctx context.Context, id ids.ID) (*tenant.Tenant, error) {
	t := new(tenant.Tenant)
	err := s.db.Conn(ctx).NewSelect().Model(t).Where("id = ?", id).Scan(ctx)
	return t, notFound(err)
}

func (s *Store) ByCode(ctx context.Context, code string) (*tenant.Tenant, error) {
	t := new(tenant.Tenant)
	err := s.db.Conn(ctx).NewSelect().Model(t).Where("code = ?", code).Scan(ctx)
	if err != nil {
		return nil, notFound(err)
	}
	return t, nil
}

func (s *Store) Update(ctx context.Context, t *tenant.Tenant) error {
	res, err := s.db.Conn(ctx).NewUpdate().Model(t).WherePK().Where("version = ?", t.Version-1).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "stale")
	}
	return nil
}

func (s *Store) List(ctx context.Context) ([]tenant.Tenant, error) {
	var out []tenant.Tenant
	err := s.db.Conn(ctx).NewSelect().Model(&out).Order("code").Scan(ctx)
	return out, err
}
