package auth

import (
	"context"
	"time"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/rbac/roles"
	"github.com/renshi/renshi/internal/platform/tenant"
)

// Lockout: after lockoutThreshold failures in a row an account locks for
// one minute, doubling with each further failure up to lockoutMax.
const (
	lockoutThreshold = 5
	lockoutMax       = time.Hour
	// touchEvery throttles session and token bookkeeping writes so reads
	// stay reads.
	touchEvery = time.Minute
)

// Service signs users in and manages accounts.
type Service struct {
	db      *db.DB
	store   Store
	tenants *tenant.Service
	roles   *roles.Service
	audit   *audit.Log
	keys    *crypto.Keyring
	now     func() time.Time
	cache   *principalCache
	ips     *throttle

	directory Directory
}

// Directory tells which department an employee works in today; the core
// HR module provides it. Without one, department scopes reach only the
// user himself.
type Directory interface {
	DepartmentOf(ctx context.Context, tenantID, employeeID ids.ID) (ids.ID, error)
}

// SetDirectory installs the employee directory.
func (s *Service) SetDirectory(d Directory) { s.directory = d }

// NewService builds the service.
func NewService(d *db.DB, s Store, t *tenant.Service, r *roles.Service, a *audit.Log, k *crypto.Keyring) *Service {
	return &Service{db: d, store: s, tenants: t, roles: r, audit: a, keys: k, now: time.Now, cache: newPrincipalCache(), ips: newThrottle()}
}

// SetClock replaces the clock (tests of expiry and lockout).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func lockFor(failures int) time.Duration {
	if failures < lockoutThreshold {
		return 0
	}
	d := time.Minute << min(failures-lockoutThreshold, 10)
	return min(d, lockoutMax)
}

// seal and open encrypt one column of one user.
func (s *Service) seal(c crypto.Column, u *User, plain string) (string, error) {
	return s.keys.Encrypt(crypto.AAD(c.Table, c.Column, u.TenantID), plain)
}

func (s *Service) open(ctx context.Context, c crypto.Column, u *User, sealed string) (string, error) {
	return s.keys.Decrypt(ctx, crypto.AAD(c.Table, c.Column, u.TenantID), sealed)
}

// decryptProfile fills Mobile and IDNumber.
func (s *Service) decryptProfile(ctx context.Context, u *User) error {
	var err error
	if u.Mobile, err = s.open(ctx, colMobile, u, u.MobileEnc); err != nil {
		return err
	}
	u.IDNumber, err = s.open(ctx, colIDNumber, u, u.IDNumberEnc)
	return err
}

// sealProfile stores Mobile and IDNumber sealed, with blind indexes.
func (s *Service) sealProfile(u *User) error {
	var err error
	if u.MobileEnc, err = s.seal(colMobile, u, u.Mobile); err != nil {
		return err
	}
	if u.IDNumberEnc, err = s.seal(colIDNumber, u, u.IDNumber); err != nil {
		return err
	}
	u.MobileHash = s.keys.BlindIndex("mobile", u.Mobile)
	u.IDNumberHash = s.keys.BlindIndex("id_number", u.IDNumber)
	return nil
}

// inTenant scopes store calls to a tenant before anyone is signed in.
func inTenant(ctx context.Context, t *tenant.Tenant) context.Context {
	return rbac.WithPrincipal(ctx, rbac.Anonymous(t.ID))
}

func invalidCredentials() error { return errs.E(errs.Unauthenticated, "auth.invalid_credentials") }
