package employee

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/files"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Org is what the module needs of the organisation; *org.Service
// provides it. The service calls it with a system principal of the
// caller's tenant: the employee operation is already authorised, and a
// reference check must not fail on the caller's org permissions.
type Org interface {
	Department(ctx context.Context, id ids.ID, day civil.Date) (*org.Department, error)
	SubtreeOn(ctx context.Context, roots []ids.ID, day civil.Date) ([]ids.ID, error)
	Tree(ctx context.Context, day civil.Date) ([]org.Department, error)
	LegalEntity(ctx context.Context, id ids.ID) (*org.LegalEntity, error)
	Position(ctx context.Context, id ids.ID) (*org.Position, error)
	Grade(ctx context.Context, id ids.ID) (*org.Grade, error)
	Location(ctx context.Context, id ids.ID) (*org.Location, error)
}

// Files stores documents and photos; *files.Service provides it.
type Files interface {
	Put(ctx context.Context, name string, r io.Reader, lim files.Limits) (*files.File, error)
	Open(ctx context.Context, id ids.ID) (io.ReadCloser, *files.File, error)
}

// orgCtx runs org lookups as the system inside the caller's tenant (and
// transaction).
func orgCtx(ctx context.Context) context.Context {
	p := rbac.From(ctx)
	if p == nil || p.System {
		return ctx
	}
	sp := rbac.SystemPrincipal(p.TenantID, p.Login)
	sp.TimeZone = p.TimeZone
	return rbac.WithPrincipal(ctx, sp)
}

// ref is a catalogue entry as the module shows it.
type ref struct {
	Name   string
	Active bool
	Rank   int // grades only
}

// nameTTL bounds how stale a cached catalogue name may be: lists show
// names of departments, positions and grades on every row, and reading
// them from the org module for each row would dominate the list's cost.
const nameTTL = 10 * time.Second

type cached struct {
	r   ref
	err error
	at  time.Time
}

// names caches catalogue lookups per tenant for nameTTL.
type names struct {
	org Org
	now func() time.Time

	mu    sync.Mutex
	refs  map[string]cached // kind/tenant/id
	depts map[ids.ID]deptCache
}

type deptCache struct {
	day civil.Date
	at  time.Time
	m   map[ids.ID]org.Department
}

func newNames(o Org, now func() time.Time) *names {
	return &names{org: o, now: now, refs: map[string]cached{}, depts: map[ids.ID]deptCache{}}
}

// departments returns every department of the caller's tenant on day
// (cached for today).
func (n *names) departments(ctx context.Context, day, today civil.Date) (map[ids.ID]org.Department, error) {
	if n.org == nil {
		return map[ids.ID]org.Department{}, nil
	}
	t, err := rbac.Tenant(ctx)
	if err != nil {
		return nil, err
	}
	now := n.now()
	if day == today {
		n.mu.Lock()
		c, ok := n.depts[t]
		n.mu.Unlock()
		if ok && c.day == day && now.Sub(c.at) < nameTTL {
			return c.m, nil
		}
	}
	list, err := n.org.Tree(orgCtx(ctx), day)
	if err != nil {
		return nil, err
	}
	m := make(map[ids.ID]org.Department, len(list))
	for _, d := range list {
		m[d.ID] = d
	}
	if day == today {
		n.mu.Lock()
		n.depts[t] = deptCache{day: day, at: now, m: m}
		n.mu.Unlock()
	}
	return m, nil
}

// forget drops the cached departments of a tenant (after a change the
// caller must see at once, e.g. in tests).
func (n *names) forget(t ids.ID) {
	n.mu.Lock()
	delete(n.depts, t)
	for k := range n.refs {
		delete(n.refs, k)
	}
	n.mu.Unlock()
}

// Catalogue kinds.
const (
	kindLegalEntity = "legal_entity"
	kindPosition    = "position"
	kindGrade       = "grade"
	kindLocation    = "location"
)

// lookup returns a catalogue entry; NotFound errors are cached too.
func (n *names) lookup(ctx context.Context, kind string, id ids.ID) (ref, error) {
	if id == 0 || n.org == nil {
		return ref{}, nil
	}
	t, err := rbac.Tenant(ctx)
	if err != nil {
		return ref{}, err
	}
	key := kind + "/" + t.String() + "/" + id.String()
	now := n.now()
	n.mu.Lock()
	c, ok := n.refs[key]
	n.mu.Unlock()
	if ok && now.Sub(c.at) < nameTTL {
		return c.r, c.err
	}
	r, err := n.fetch(orgCtx(ctx), kind, id)
	if err != nil && errs.KindOf(err) != errs.NotFound {
		return ref{}, err
	}
	n.mu.Lock()
	if len(n.refs) > 50000 { // bounded: drop everything rather than grow
		n.refs = map[string]cached{}
	}
	n.refs[key] = cached{r: r, err: err, at: now}
	n.mu.Unlock()
	return r, err
}

// fresh looks an entry up without the cache (validating references).
func (n *names) fresh(ctx context.Context, kind string, id ids.ID) (ref, error) {
	if n.org == nil {
		return ref{Active: true}, nil
	}
	return n.fetch(orgCtx(ctx), kind, id)
}

func (n *names) fetch(ctx context.Context, kind string, id ids.ID) (ref, error) {
	switch kind {
	case kindLegalEntity:
		x, err := n.org.LegalEntity(ctx, id)
		if err != nil {
			return ref{}, err
		}
		return ref{Name: x.Name, Active: x.Active}, nil
	case kindPosition:
		x, err := n.org.Position(ctx, id)
		if err != nil {
			return ref{}, err
		}
		return ref{Name: x.Name, Active: x.Active}, nil
	case kindGrade:
		x, err := n.org.Grade(ctx, id)
		if err != nil {
			return ref{}, err
		}
		return ref{Name: x.Name, Active: x.Active, Rank: x.Rank}, nil
	case kindLocation:
		x, err := n.org.Location(ctx, id)
		if err != nil {
			return ref{}, err
		}
		return ref{Name: x.Name, Active: x.Active}, nil
	}
	return ref{}, errs.NotFoundf("object.resource")
}

// name returns a catalogue entry's name, or "" when unknown.
func (n *names) name(ctx context.Context, kind string, id ids.ID) string {
	r, _ := n.lookup(ctx, kind, id)
	return r.Name
}
