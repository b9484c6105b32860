package auth

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/tenant"
)

// LoginInput is a sign-in attempt.
type LoginInput struct {
	Tenant    string
	Login     string
	Password  string
	TOTP      string
	UserAgent string
}

// LoginResult carries the new session's cookie value.
type LoginResult struct {
	Cookie    string
	ExpiresAt time.Time
	Principal *rbac.Principal
}

// Login checks credentials and opens a session. Every failure that
// could tell an attacker which part was wrong answers the same generic
// error; wrong passwords and codes count toward the lockout.
func (s *Service) Login(ctx context.Context, in LoginInput) (*LoginResult, error) {
	var f errs.Fields
	f.Check(strings.TrimSpace(in.Tenant) != "", "tenant", "required")
	f.Check(strings.TrimSpace(in.Login) != "", "login", "required")
	f.Check(in.Password != "", "password", "required")
	if err := f.Err(); err != nil {
		return nil, err
	}
	ip := audit.OriginFrom(ctx).IP
	if blocked, until := s.ips.blocked(ip, s.now()); blocked {
		return nil, errs.E(errs.TooMany, "auth.rate_limited", errs.Params{"until": until.Local().Format("15:04 MST")})
	}
	res, err := s.login(ctx, in)
	if errs.KindOf(err) == errs.Unauthenticated && !errs.Is(err, errs.Unauthenticated, "auth.totp_required") || errs.Is(err, errs.TooMany, "auth.locked") {
		s.ips.fail(ip, s.now())
	}
	return res, err
}

func (s *Service) login(ctx context.Context, in LoginInput) (*LoginResult, error) {
	t, err := s.tenants.ByCode(ctx, strings.ToLower(strings.TrimSpace(in.Tenant)))
	if err != nil || t.Status != tenant.StatusActive {
		CheckPassword(dummyHash, in.Password)
		return nil, invalidCredentials()
	}
	tctx := inTenant(ctx, t)
	login := strings.ToLower(strings.TrimSpace(in.Login))
	u, err := s.store.UserByLogin(tctx, login)
	if err != nil {
		if errs.KindOf(err) != errs.NotFound {
			return nil, err
		}
		CheckPassword(dummyHash, in.Password)
		_ = s.audit.RecordFor(tctx, t.ID, 0, login, audit.Event{Action: "login_failed", ObjectType: "user", Diff: map[string]string{"reason": "unknown_login"}})
		return nil, invalidCredentials()
	}
	now := s.now().UTC()
	if u.Locked(now) {
		return nil, s.lockedError(ctx, t, *u.LockedUntil)
	}
	ok, rehash := CheckPassword(u.PasswordHash, in.Password)
	if !ok {
		return nil, s.failLogin(tctx, t, u, "password")
	}
	if u.Status != StatusActive {
		return nil, errs.E(errs.Unauthenticated, "auth.disabled")
	}
	if u.TOTPEnabled {
		if strings.TrimSpace(in.TOTP) == "" {
			return nil, errs.E(errs.Unauthenticated, "auth.totp_required")
		}
		secret, err := s.open(tctx, colTOTP, u, u.TOTPSecretEnc)
		if err != nil {
			return nil, err
		}
		step, ok := CheckTOTP(secret, in.TOTP, now, u.TOTPLastStep)
		if !ok {
			if err := s.failLogin(tctx, t, u, "totp"); errs.KindOf(err) == errs.TooMany {
				return nil, err
			}
			return nil, &errs.Error{Kind: errs.Unauthenticated, Code: "auth.totp_required",
				Fields: []errs.FieldError{{Field: "totp", Code: "auth.invalid_totp"}}}
		}
		u.TOTPLastStep = step
	}
	u.FailedLogins, u.LockedUntil, u.LastLoginAt = 0, nil, &now
	if rehash {
		u.PasswordHash = HashPassword(in.Password)
	}
	secret := newSecret()
	sess := &Session{
		TenantID: t.ID, ID: hashSecret(secret), UserID: u.ID, CreatedAt: now, LastSeenAt: now,
		IdleExpiresAt: now.Add(time.Duration(t.SessionIdleMinutes) * time.Minute),
		ExpiresAt:     now.Add(time.Duration(t.SessionMaxHours) * time.Hour),
		IP:            audit.OriginFrom(ctx).IP, UserAgent: truncate(in.UserAgent, 300),
	}
	if sess.IdleExpiresAt.After(sess.ExpiresAt) {
		sess.IdleExpiresAt = sess.ExpiresAt
	}
	var p *rbac.Principal
	err = s.db.WithTx(tctx, func(ctx context.Context) error {
		if p, err = s.principal(ctx, t, u, sess); err != nil {
			return err
		}
		// A super admin of a tenant that requires two-factor sign-in
		// must enrol before doing anything else.
		if !u.TOTPEnabled && t.RequireAdminTOTP && slices.Contains(p.Roles, rbac.SuperAdmin) {
			sess.MFAPending = true
			p = withRestriction(p, u, sess)
		}
		if err := s.store.SaveLoginState(ctx, u); err != nil {
			return err
		}
		if err := s.store.InsertSession(ctx, sess); err != nil {
			return err
		}
		return s.audit.RecordFor(ctx, t.ID, u.ID, u.Login, audit.Event{Action: "login", ObjectType: "user", ObjectID: u.ID.String()})
	})
	if err != nil {
		return nil, err
	}
	return &LoginResult{Cookie: sessionCookieValue(t.ID, secret), ExpiresAt: sess.ExpiresAt, Principal: p}, nil
}

// failLogin counts a failure in its own transaction (it must survive the
// failed request) and locks the account once the threshold is reached.
func (s *Service) failLogin(ctx context.Context, t *tenant.Tenant, u *User, what string) error {
	var lockedUntil *time.Time
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.store.CountFailedLogin(ctx, u.ID)
		if err != nil {
			return err
		}
		u.FailedLogins = n
		if d := lockFor(n); d > 0 {
			until := s.now().UTC().Add(d)
			u.LockedUntil, lockedUntil = &until, &until
			if err := s.store.SaveLoginState(ctx, u); err != nil {
				return err
			}
		}
		return s.audit.RecordFor(ctx, t.ID, u.ID, u.Login, audit.Event{Action: "login_failed", ObjectType: "user",
			ObjectID: u.ID.String(), Diff: map[string]any{"reason": what, "failures": n}})
	})
	if err != nil {
		return err
	}
	if lockedUntil != nil {
		return s.lockedError(ctx, t, *lockedUntil)
	}
	return invalidCredentials()
}

func (s *Service) lockedError(_ context.Context, t *tenant.Tenant, until time.Time) error {
	return errs.E(errs.TooMany, "auth.locked", errs.Params{"until": until.In(t.Location()).Format("2006-01-02 15:04")})
}

// Logout ends the caller's session.
func (s *Service) Logout(ctx context.Context) error {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return err
	}
	if p.SessionID == "" {
		return nil
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.DeleteSession(ctx, p.SessionID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Action: "logout", ObjectType: "user", ObjectID: p.UserID.String()})
	})
}

// ResolveSession turns a session cookie into the principal, or nil.
func (s *Service) ResolveSession(ctx context.Context, cookie string) (*rbac.Principal, error) {
	tenantID, secret, ok := parseSessionCookie(cookie)
	if !ok {
		return nil, errs.E(errs.Unauthenticated, "auth.session_expired")
	}
	id := hashSecret(secret)
	now := s.now().UTC()
	key := "s:" + tenantID.String() + ":" + id
	if p, ok := s.cache.get(key, now); ok {
		return p, nil
	}
	epoch := rbac.Epoch(tenantID)
	t, err := s.tenants.Get(ctx, tenantID)
	if err != nil || t.Status != tenant.StatusActive {
		return nil, errs.E(errs.Unauthenticated, "auth.session_expired")
	}
	tctx := inTenant(ctx, t)
	sess, err := s.store.Session(tctx, id)
	if err != nil {
		return nil, errs.E(errs.Unauthenticated, "auth.session_expired")
	}
	if !now.Before(sess.ExpiresAt) || !now.Before(sess.IdleExpiresAt) {
		_ = s.db.WithTx(tctx, func(ctx context.Context) error { return s.store.DeleteSession(ctx, sess.ID) })
		return nil, errs.E(errs.Unauthenticated, "auth.session_expired")
	}
	u, err := s.store.User(tctx, sess.UserID)
	if err != nil || u.Status != StatusActive {
		return nil, errs.E(errs.Unauthenticated, "auth.session_expired")
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		sess.LastSeenAt = now
		sess.IdleExpiresAt = now.Add(time.Duration(t.SessionIdleMinutes) * time.Minute)
		if sess.IdleExpiresAt.After(sess.ExpiresAt) {
			sess.IdleExpiresAt = sess.ExpiresAt
		}
		if err := s.db.WithTx(tctx, func(ctx context.Context) error { return s.store.TouchSession(ctx, sess) }); err != nil {
			return nil, err
		}
	}
	p, err := s.principal(tctx, t, u, sess)
	if err != nil {
		return nil, err
	}
	validTil := sess.ExpiresAt
	if sess.IdleExpiresAt.Before(validTil) {
		validTil = sess.IdleExpiresAt
	}
	s.cache.put(key, cachedPrincipal{p: p, tenant: t.ID, epoch: epoch, loaded: now, validTil: validTil, touchAt: sess.LastSeenAt.Add(touchEvery)})
	return p, nil
}

// ResolveToken turns an API bearer token into the principal, or nil.
func (s *Service) ResolveToken(ctx context.Context, bearer string) (*rbac.Principal, error) {
	tenantID, id, secret, ok := parseToken(bearer)
	if !ok {
		return nil, errs.E(errs.Unauthenticated, "unauthenticated")
	}
	now := s.now().UTC()
	key := "t:" + tenantID.String() + ":" + id.String() + ":" + hashSecret(secret)
	if p, ok := s.cache.get(key, now); ok {
		return p, nil
	}
	epoch := rbac.Epoch(tenantID)
	t, err := s.tenants.Get(ctx, tenantID)
	if err != nil || t.Status != tenant.StatusActive {
		return nil, errs.E(errs.Unauthenticated, "unauthenticated")
	}
	tctx := inTenant(ctx, t)
	tok, err := s.store.Token(tctx, id)
	if err != nil || !sameHash(tok.SecretHash, hashSecret(secret)) || tok.RevokedAt != nil || !now.Before(tok.ExpiresAt) {
		return nil, errs.E(errs.Unauthenticated, "unauthenticated")
	}
	u, err := s.store.User(tctx, tok.UserID)
	if err != nil || u.Status != StatusActive {
		return nil, errs.E(errs.Unauthenticated, "unauthenticated")
	}
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) >= touchEvery {
		if err := s.db.WithTx(tctx, func(ctx context.Context) error { return s.store.TouchToken(ctx, tok.ID, now) }); err != nil {
			return nil, err
		}
	}
	p, err := s.principal(tctx, t, u, nil)
	if err != nil {
		return nil, err
	}
	p.TokenID = tok.ID
	p.Restriction = "" // tokens are for machines: no password or TOTP prompts
	p.Restrict(tok.Permissions)
	lastUsed := now
	if tok.LastUsedAt != nil && now.Sub(*tok.LastUsedAt) < touchEvery {
		lastUsed = *tok.LastUsedAt
	}
	s.cache.put(key, cachedPrincipal{p: p, tenant: t.ID, epoch: epoch, loaded: now, validTil: tok.ExpiresAt, touchAt: lastUsed.Add(touchEvery)})
	return p, nil
}

// principal resolves the user's roles into a principal.
func (s *Service) principal(ctx context.Context, t *tenant.Tenant, u *User, sess *Session) (*rbac.Principal, error) {
	base := rbac.Principal{
		TenantID: t.ID, TenantCode: t.Code, UserID: u.ID, Login: u.Login, DisplayName: u.DisplayName,
		Locale: u.Locale, TimeZone: t.TimeZone,
	}
	if base.Locale == "" {
		base.Locale = t.Locale
	}
	if u.EmployeeID != nil {
		base.EmployeeID = *u.EmployeeID
		if s.directory != nil {
			// The account's employee anchors department data scopes.
			d, err := s.directory.DepartmentOf(ctx, t.ID, base.EmployeeID)
			if err != nil && errs.KindOf(err) != errs.NotFound {
				return nil, err
			}
			base.DepartmentID = d
		}
	}
	p, err := s.roles.Resolve(ctx, base)
	if err != nil {
		return nil, err
	}
	return withRestriction(p, u, sess), nil
}

func withRestriction(p *rbac.Principal, u *User, sess *Session) *rbac.Principal {
	switch {
	case u.MustChangePassword:
		p.Restriction = "auth.password_change_required"
	case sess != nil && sess.MFAPending:
		p.Restriction = "auth.totp_enrollment_required"
	default:
		p.Restriction = ""
	}
	if sess != nil {
		p.SessionID = sess.ID
	}
	return p
}

// CleanupSessions deletes expired sessions of every tenant.
func (s *Service) CleanupSessions(ctx context.Context) (int, error) {
	var n int
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		var err error
		n, err = s.store.DeleteExpiredSessions(ctx, s.now().UTC())
		return err
	})
	return n, err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// ActAs resolves an account of the caller's tenant into a principal
// without a session, as if he had signed in: for work the system does in
// his name (the demo company's requests). The caller must be the system.
func (s *Service) ActAs(ctx context.Context, userID ids.ID) (*rbac.Principal, error) {
	caller := rbac.From(ctx)
	if caller == nil || !caller.System {
		return nil, errs.E(errs.Forbidden, "forbidden")
	}
	t, err := s.tenants.Get(ctx, caller.TenantID)
	if err != nil {
		return nil, err
	}
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	return s.principal(ctx, t, u, nil)
}
