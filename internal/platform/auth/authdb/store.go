// Package authdb stores accounts, sessions and API tokens with bun on
// SQLite or PostgreSQL. Every query is scoped to the principal's tenant.
package authdb

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/auth"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Store is the bun auth store.
type Store struct{ db *db.DB }

// New returns the store.
func New(d *db.DB) *Store { return &Store{db: d} }

var _ auth.Store = (*Store)(nil)

func (s *Store) conn(ctx context.Context) (bun.IDB, ids.ID, error) {
	t, err := rbac.Tenant(ctx)
	return s.db.Conn(ctx), t, err
}

func (s *Store) InsertUser(ctx context.Context, u *auth.User) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	u.TenantID = t
	_, err = c.NewInsert().Model(u).Exec(ctx)
	return err
}

func (s *Store) UpdateUser(ctx context.Context, u *auth.User) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	// Cached principals of this tenant must not outlive this change.
	rbac.Changed(ctx, t)
	res, err := c.NewUpdate().Model(u).
		Column("display_name", "email", "mobile_enc", "mobile_hash", "id_number_enc", "id_number_hash",
			"password_hash", "password_changed_at", "must_change_password", "status", "locale", "employee_id",
			"totp_secret_enc", "totp_enabled", "totp_last_step", "version", "updated_at").
		Where("tenant_id = ? AND id = ? AND version = ?", t, u.ID, u.Version-1).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "stale")
	}
	return nil
}

func (s *Store) CountFailedLogin(ctx context.Context, userID ids.ID) (int, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = c.NewRaw("UPDATE auth_users SET failed_logins = failed_logins + 1 WHERE tenant_id = ? AND id = ? RETURNING failed_logins", t, userID).Scan(ctx, &n)
	return n, err
}

func (s *Store) SaveLoginState(ctx context.Context, u *auth.User) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewUpdate().Model(u).
		Column("failed_logins", "locked_until", "last_login_at", "totp_last_step", "totp_secret_enc", "password_hash").
		Where("tenant_id = ? AND id = ?", t, u.ID).Exec(ctx)
	return err
}

func (s *Store) User(ctx context.Context, id ids.ID) (*auth.User, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	u := new(auth.User)
	err = c.NewSelect().Model(u).Where("tenant_id = ? AND id = ?", t, id).Scan(ctx)
	if err != nil {
		return nil, db.NotFound(err, "object.user")
	}
	return u, nil
}

func (s *Store) UserByLogin(ctx context.Context, login string) (*auth.User, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	u := new(auth.User)
	err = c.NewSelect().Model(u).Where("tenant_id = ? AND login = ?", t, login).Scan(ctx)
	if err != nil {
		return nil, db.NotFound(err, "object.user")
	}
	return u, nil
}

// UsersByID returns the tenant's accounts with these ids (unknown ones
// are left out), in one query per 500 ids.
func (s *Store) UsersByID(ctx context.Context, list []ids.ID) ([]auth.User, error) {
	return s.usersIn(ctx, "id", list)
}

// UsersByEmployee returns the tenant's accounts linked to these employees
// (employees without one are left out), in one query per 500 ids.
func (s *Store) UsersByEmployee(ctx context.Context, employeeIDs []ids.ID) ([]auth.User, error) {
	return s.usersIn(ctx, "employee_id", employeeIDs)
}

func (s *Store) usersIn(ctx context.Context, column string, list []ids.ID) ([]auth.User, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []auth.User
	for start := 0; start < len(list); start += 500 {
		var part []auth.User
		err := c.NewSelect().Model(&part).Where("tenant_id = ? AND ? IN (?)", t, bun.Ident(column), bun.In(list[start:min(start+500, len(list))])).Scan(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

func (s *Store) UserByEmployee(ctx context.Context, employeeID ids.ID) (*auth.User, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	u := new(auth.User)
	err = c.NewSelect().Model(u).Where("tenant_id = ? AND employee_id = ?", t, employeeID).Scan(ctx)
	if err != nil {
		return nil, db.NotFound(err, "object.user")
	}
	return u, nil
}

func (s *Store) UsersByHash(ctx context.Context, column, hash string) ([]auth.User, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	if column != "mobile_hash" && column != "id_number_hash" {
		return nil, errors.New("authdb: not a blind-index column: " + column)
	}
	var out []auth.User
	err = c.NewSelect().Model(&out).Where("tenant_id = ?", t).Where("? = ?", bun.Ident(column), hash).Scan(ctx)
	return out, err
}

var userSorts = map[string]string{
	"login": "login", "displayName": "display_name", "createdAt": "created_at", "lastLoginAt": "last_login_at",
}

func (s *Store) userQuery(ctx context.Context, dest *[]auth.User, f auth.UserFilter, scope rbac.Scope, self ids.ID) (*bun.SelectQuery, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	q := c.NewSelect().Model(dest).Where("u.tenant_id = ?", t)
	if !scope.All {
		// Until accounts are linked to employees in departments, a
		// narrower scope shows only the caller's own account.
		q = q.Where("u.id = ?", self)
	}
	switch query := strings.TrimSpace(f.Query); {
	case f.MobileHash() != "":
		q = q.Where("u.mobile_hash = ?", f.MobileHash())
	case f.IDNumberHash() != "":
		q = q.Where("u.id_number_hash = ?", f.IDNumberHash())
	case query != "":
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			for _, col := range []string{"u.login", "u.display_name", "u.email"} {
				expr, args := s.db.ContainsFoldExpr(col, query)
				q = q.WhereOr(expr, args...)
			}
			return q
		})
	}
	now := time.Now().UTC()
	switch f.Status {
	case auth.StatusActive, auth.StatusDisabled:
		q = q.Where("u.status = ?", f.Status)
	case "locked":
		q = q.Where("u.locked_until > ?", now)
	}
	if f.RoleID != 0 {
		q = q.Where("EXISTS (SELECT 1 FROM rbac_grants g WHERE g.tenant_id = u.tenant_id AND g.user_id = u.id AND g.role_id = ?)", f.RoleID)
	}
	sort, desc := strings.TrimPrefix(f.Sort, "-"), strings.HasPrefix(f.Sort, "-")
	col, ok := userSorts[sort]
	if !ok {
		col = "login"
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	return q.OrderExpr("? "+dir+", u.id", bun.Ident("u."+col)), nil
}

func (s *Store) Users(ctx context.Context, f auth.UserFilter, scope rbac.Scope, self ids.ID) ([]auth.User, int, error) {
	var out []auth.User
	q, err := s.userQuery(ctx, &out, f, scope, self)
	if err != nil {
		return nil, 0, err
	}
	n, err := db.ScanPage(ctx, q, f.Page, f.Size)
	return out, n, err
}

func (s *Store) EachUser(ctx context.Context, f auth.UserFilter, scope rbac.Scope, self ids.ID, fn func(*auth.User) error) error {
	const batch = 500
	for offset := 0; ; offset += batch {
		var out []auth.User
		q, err := s.userQuery(ctx, &out, f, scope, self)
		if err != nil {
			return err
		}
		if err := q.Limit(batch).Offset(int64(offset)).Scan(ctx); err != nil {
			return err
		}
		for i := range out {
			if err := fn(&out[i]); err != nil {
				return err
			}
		}
		if len(out) < batch {
			return nil
		}
	}
}

func (s *Store) InsertSession(ctx context.Context, sess *auth.Session) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	sess.TenantID = t
	_, err = c.NewInsert().Model(sess).Exec(ctx)
	return err
}

func (s *Store) Session(ctx context.Context, id string) (*auth.Session, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	sess := new(auth.Session)
	if err := c.NewSelect().Model(sess).Where("tenant_id = ? AND id = ?", t, id).Scan(ctx); err != nil {
		return nil, db.NotFound(err, "object.resource")
	}
	return sess, nil
}

func (s *Store) TouchSession(ctx context.Context, sess *auth.Session) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewUpdate().Model(sess).Column("last_seen_at", "idle_expires_at").Where("tenant_id = ? AND id = ?", t, sess.ID).Exec(ctx)
	return err
}

func (s *Store) SetSessionMFA(ctx context.Context, id string, pending bool) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	// Cached principals of this tenant must not outlive this change.
	rbac.Changed(ctx, t)
	_, err = c.NewUpdate().Model((*auth.Session)(nil)).Set("mfa_pending = ?", pending).Where("tenant_id = ? AND id = ?", t, id).Exec(ctx)
	return err
}

func (s *Store) DeleteSession(ctx context.Context, id string) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	// Cached principals of this tenant must not outlive this change.
	rbac.Changed(ctx, t)
	_, err = c.NewDelete().Model((*auth.Session)(nil)).Where("tenant_id = ? AND id = ?", t, id).Exec(ctx)
	return err
}

func (s *Store) DeleteUserSessions(ctx context.Context, userID ids.ID, keep string) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	// Cached principals of this tenant must not outlive this change.
	rbac.Changed(ctx, t)
	_, err = c.NewDelete().Model((*auth.Session)(nil)).Where("tenant_id = ? AND user_id = ? AND id <> ?", t, userID, keep).Exec(ctx)
	return err
}

// DeleteExpiredSessions is a maintenance sweep across tenants (a plain
// multi-shard DELETE on Citus; it joins nothing).
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	res, err := s.db.Conn(ctx).NewDelete().Model((*auth.Session)(nil)).Where("expires_at < ? OR idle_expires_at < ?", now, now).Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func (s *Store) InsertToken(ctx context.Context, tok *auth.Token) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	tok.TenantID = t
	_, err = c.NewInsert().Model(tok).Exec(ctx)
	return err
}

func (s *Store) Token(ctx context.Context, id ids.ID) (*auth.Token, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	tok := new(auth.Token)
	if err := c.NewSelect().Model(tok).Where("tenant_id = ? AND id = ?", t, id).Scan(ctx); err != nil {
		return nil, db.NotFound(err, "object.token")
	}
	return tok, nil
}

func (s *Store) Tokens(ctx context.Context, userID ids.ID) ([]auth.Token, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	out := []auth.Token{}
	err = c.NewSelect().Model(&out).Where("tenant_id = ? AND user_id = ?", t, userID).Order("created_at DESC").Scan(ctx)
	return out, err
}

func (s *Store) RevokeToken(ctx context.Context, id ids.ID, at time.Time) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	// Cached principals of this tenant must not outlive this change.
	rbac.Changed(ctx, t)
	_, err = c.NewUpdate().Model((*auth.Token)(nil)).Set("revoked_at = ?", at).Where("tenant_id = ? AND id = ?", t, id).Exec(ctx)
	return err
}

func (s *Store) TouchToken(ctx context.Context, id ids.ID, at time.Time) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	_, err = c.NewUpdate().Model((*auth.Token)(nil)).Set("last_used_at = ?", at).Where("tenant_id = ? AND id = ?", t, id).Exec(ctx)
	return err
}
