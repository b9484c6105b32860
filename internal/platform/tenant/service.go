package tenant

import (
	"context"
	"sync"
	"time"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Service holds the tenant rules.
type Service struct {
	db    *db.DB
	store Store
	audit *audit.Log
	// onCreate runs inside the creating transaction (built-in roles).
	onCreate []func(ctx context.Context, t *Tenant) error

	// Every authenticated request reads its tenant's settings; they change
	// rarely, so they are cached briefly. Another process's change shows
	// within cacheTTL; this process's own change at once.
	mu    sync.Mutex
	cache map[ids.ID]cached
}

type cached struct {
	t  Tenant
	at time.Time
}

const cacheTTL = 5 * time.Second

// NewService builds the service.
func NewService(d *db.DB, s Store, a *audit.Log) *Service {
	return &Service{db: d, store: s, audit: a, cache: map[ids.ID]cached{}}
}

// OnCreate registers a step run in the same transaction as a new tenant.
func (s *Service) OnCreate(fn func(ctx context.Context, t *Tenant) error) {
	s.onCreate = append(s.onCreate, fn)
}

// Create adds a tenant. It is an operator action (CLI), not an API one.
func (s *Service) Create(ctx context.Context, n New) (*Tenant, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	t := &Tenant{
		ID: ids.New(), Code: n.Code, Name: n.Name, TimeZone: n.TimeZone, Locale: n.Locale,
		Status: StatusActive, PasswordMinLength: DefaultPasswordMinLength,
		SessionIdleMinutes: DefaultSessionIdleMinutes, SessionMaxHours: DefaultSessionMaxHours,
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if existing, err := s.store.ByCode(ctx, t.Code); err == nil && existing != nil {
			return errs.InvalidField("code", "tenant.code_taken")
		}
		if err := s.store.Insert(ctx, t); err != nil {
			return err
		}
		ctx = rbac.WithPrincipal(ctx, rbac.SystemPrincipal(t.ID, "system"))
		for _, fn := range s.onCreate {
			if err := fn(ctx, t); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Event{Action: "create", ObjectType: "tenant", ObjectID: t.ID.String(), Diff: audit.Diff(nil, t)})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Current returns the caller's tenant.
func (s *Service) Current(ctx context.Context) (*Tenant, error) {
	if _, _, err := rbac.Require(ctx, rbac.TenantRead); err != nil {
		return nil, err
	}
	id, _ := rbac.Tenant(ctx)
	return s.store.Get(ctx, id)
}

// Get returns a tenant by id without a permission check, for the login
// and session code that must read settings before anyone is signed in.
func (s *Service) Get(ctx context.Context, id ids.ID) (*Tenant, error) {
	if db.InTx(ctx) { // inside a write, read what the transaction sees
		return s.store.Get(ctx, id)
	}
	s.mu.Lock()
	c, ok := s.cache[id]
	s.mu.Unlock()
	if ok && time.Since(c.at) < cacheTTL {
		t := c.t
		return &t, nil
	}
	t, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.cache[id] = cached{t: *t, at: time.Now()}
	s.mu.Unlock()
	return t, nil
}

func (s *Service) forget(id ids.ID) {
	s.mu.Lock()
	delete(s.cache, id)
	s.mu.Unlock()
}

// ByCode finds a tenant by its code (login).
func (s *Service) ByCode(ctx context.Context, code string) (*Tenant, error) {
	return s.store.ByCode(ctx, code)
}

// List lists every tenant (operator CLI).
func (s *Service) List(ctx context.Context) ([]Tenant, error) { return s.store.List(ctx) }

// Update changes the caller's tenant settings.
func (s *Service) Update(ctx context.Context, u Update) (*Tenant, error) {
	if _, _, err := rbac.Require(ctx, rbac.TenantUpdate); err != nil {
		return nil, err
	}
	id, _ := rbac.Tenant(ctx)
	var out *Tenant
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		t, err := s.store.Get(ctx, id)
		if err != nil {
			return err
		}
		if u.Version != t.Version {
			return errs.E(errs.Conflict, "stale")
		}
		before := *t
		if err := u.Apply(t); err != nil {
			return err
		}
		t.Version++
		t.UpdatedAt = time.Now().UTC()
		if err := s.store.Update(ctx, t); err != nil {
			return err
		}
		rbac.Changed(ctx, t.ID)
		out = t
		return s.audit.Record(ctx, audit.Event{Action: "update", ObjectType: "tenant", ObjectID: t.ID.String(), Diff: audit.Diff(&before, t)})
	})
	s.forget(id)
	return out, err
}
