package tenant

import (
	"context"

	"github.com/renshi/renshi/internal/platform/ids"
)

// Store persists tenants. Tenants are the one table read without a
// principal (login looks a tenant up by code).
type Store interface {
	Insert(ctx context.Context, t *Tenant) error
	Get(ctx context.Context, id ids.ID) (*Tenant, error)
	ByCode(ctx context.Context, code string) (*Tenant, error)
	// Update saves t if its stored version is t.Version-1.
	Update(ctx context.Context, t *Tenant) error
	List(ctx context.Context) ([]Tenant, error)
}
