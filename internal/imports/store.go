package imports

import (
	"context"

	"github.com/renshi/renshi/internal/platform/ids"
)

// Store persists batches, their cell errors and changes, and saved
// mappings of the principal's tenant (importsdb implements it).
type Store interface {
	InsertBatch(ctx context.Context, b *Batch) error
	Batch(ctx context.Context, id ids.ID) (*Batch, error)
	// LockBatch reads a batch for change (a row lock on PostgreSQL).
	LockBatch(ctx context.Context, id ids.ID) (*Batch, error)
	// UpdateBatch saves b if the stored version is b.Version-1, else
	// Conflict "stale".
	UpdateBatch(ctx context.Context, b *Batch) error
	// Batches lists a page of the history, newest first, with the total.
	Batches(ctx context.Context, f Filter, a Access) ([]Batch, int, error)

	// InsertErrors adds cell errors (Seq set by the caller).
	InsertErrors(ctx context.Context, list []CellError) error
	DeleteErrors(ctx context.Context, batchID ids.ID) error
	// Errors lists a page of a batch's errors by line and column.
	Errors(ctx context.Context, batchID ids.ID, page, size int) ([]CellError, int, error)
	// EachError streams a batch's errors by line and column.
	EachError(ctx context.Context, batchID ids.ID, fn func(CellError) error) error

	// InsertChanges adds changes (Seq set by the caller).
	InsertChanges(ctx context.Context, list []ChangeRecord) error
	// ChangesBefore returns up to limit changes with Seq < before, newest
	// first (a rollback walks them backwards).
	ChangesBefore(ctx context.Context, batchID ids.ID, before, limit int) ([]ChangeRecord, error)

	Mappings(ctx context.Context, target string) ([]SavedMapping, error)
	Mapping(ctx context.Context, id ids.ID) (*SavedMapping, error)
	MappingByName(ctx context.Context, target, name string) (*SavedMapping, error)
	// SaveMapping inserts m, or replaces the mapping of the same target
	// and name (m gets the stored id).
	SaveMapping(ctx context.Context, m *SavedMapping) error
	DeleteMapping(ctx context.Context, id ids.ID) error
}
