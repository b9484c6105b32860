package rbac

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Principal is the authenticated caller. Stores take the tenant from it,
// never from a request body.
type Principal struct {
	TenantID    ids.ID
	TenantCode  string
	UserID      ids.ID
	Login       string
	DisplayName string
	// EmployeeID and DepartmentID link the account to the roster once the
	// core HR module records them; zero until then.
	EmployeeID   ids.ID
	DepartmentID ids.ID
	Locale       string
	TimeZone     string
	Roles        []string
	SessionID    string // hashed session id when signed in by cookie
	TokenID      ids.ID // API token when signed in by bearer token
	// Restriction, when set, is the message key of what the user must do
	// first ("auth.password_change_required", "auth.totp_enrollment_required");
	// only routes marked Restricted (me, logout, password, TOTP) are open.
	Restriction string
	// System principals act for background jobs and CLI commands.
	System bool

	perms map[string]Scope
}

// NewPrincipal builds a principal holding perms with their scopes.
func NewPrincipal(p Principal, perms map[string]Scope) *Principal {
	p.perms = perms
	return &p
}

// SystemPrincipal acts for the platform itself inside one tenant (jobs,
// CLI). It holds every permission with tenant scope.
func SystemPrincipal(tenantID ids.ID, login string) *Principal {
	perms := map[string]Scope{}
	for _, p := range All() {
		perms[p.Code] = Scope{All: true}
	}
	return &Principal{TenantID: tenantID, Login: login, System: true, perms: perms}
}

// Anonymous is a caller known only by tenant, used while signing in:
// stores can scope queries to the tenant, but it holds no permission.
func Anonymous(tenantID ids.ID) *Principal {
	return &Principal{TenantID: tenantID, perms: map[string]Scope{}}
}

// Can reports whether the principal holds perm at any scope.
func (p *Principal) Can(perm string) bool {
	if p == nil {
		return false
	}
	_, ok := p.perms[perm]
	return ok
}

// Scope returns the data scope for perm.
func (p *Principal) Scope(perm string) (Scope, bool) {
	if p == nil {
		return Scope{}, false
	}
	s, ok := p.perms[perm]
	return s, ok
}

// Permissions lists the held permissions, sorted.
func (p *Principal) Permissions() []string {
	if p == nil {
		return []string{}
	}
	out := make([]string, 0, len(p.perms))
	for k := range p.perms {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Restrict keeps only the listed permissions (API tokens are scoped to a
// subset of their owner's permissions).
func (p *Principal) Restrict(allowed []string) {
	keep := make(map[string]Scope, len(allowed))
	for _, a := range allowed {
		if s, ok := p.perms[a]; ok {
			keep[a] = s
		}
	}
	p.perms = keep
}

type principalKey struct{}

// WithPrincipal stores the caller in ctx.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// From returns the caller, or nil when unauthenticated.
func From(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// Authenticated returns the caller or an Unauthenticated error.
func Authenticated(ctx context.Context) (*Principal, error) {
	p := From(ctx)
	if p == nil || p.TenantID == 0 {
		return nil, errs.E(errs.Unauthenticated, "unauthenticated")
	}
	return p, nil
}

// Require checks the caller holds perm and returns its data scope. Every
// service operation starts with it.
func Require(ctx context.Context, perm string) (*Principal, Scope, error) {
	p, err := Authenticated(ctx)
	if err != nil {
		return nil, Scope{}, err
	}
	s, ok := p.Scope(perm)
	if !ok {
		return p, Scope{}, errs.Denied(perm)
	}
	return p, s, nil
}

// Tenant returns the caller's tenant or an Unauthenticated error.
func Tenant(ctx context.Context) (ids.ID, error) {
	p, err := Authenticated(ctx)
	if err != nil {
		return 0, err
	}
	return p.TenantID, nil
}

// epochs counts, per tenant, changes to who may do what (accounts,
// grants, roles, sessions, settings). Caches of resolved principals
// compare epochs so this process never serves a principal older than
// the last such change it committed.
var epochs sync.Map // ids.ID -> *atomic.Uint64

// Epoch returns the tenant's current authorization epoch.
func Epoch(tenantID ids.ID) uint64 {
	v, _ := epochs.LoadOrStore(tenantID, new(atomic.Uint64))
	return v.(*atomic.Uint64).Load()
}

// Changed advances the tenant's epoch once the transaction in ctx commits.
func Changed(ctx context.Context, tenantID ids.ID) {
	db.AfterCommit(ctx, func() {
		v, _ := epochs.LoadOrStore(tenantID, new(atomic.Uint64))
		v.(*atomic.Uint64).Add(1)
	})
}

// DefaultTimeZone is the zone of a caller without a tenant zone
// (background work, principal resolution).
const DefaultTimeZone = "Asia/Shanghai"

// zones caches loaded time zones by name (loading reads the zone database).
var zones sync.Map

// Zone returns the caller's tenant time zone: the principal's, or
// DefaultTimeZone. Services take "today" and day boundaries from it.
func Zone(ctx context.Context) *time.Location {
	name := DefaultTimeZone
	if p := From(ctx); p != nil && p.TimeZone != "" {
		name = p.TimeZone
	}
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		if loc, err = time.LoadLocation(DefaultTimeZone); err != nil {
			return time.UTC
		}
	}
	zones.Store(name, loc)
	return loc
}
