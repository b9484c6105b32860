// Package rbacdb stores roles and grants with bun on SQLite or PostgreSQL.
// Every query is scoped to the principal's tenant.
package rbacdb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/rbac/roles"
)

// Store is the bun roles store.
type Store struct{ db *db.DB }

// New returns the store.
func New(d *db.DB) *Store { return &Store{db: d} }

var _ roles.Store = (*Store)(nil)

type rolePermission struct {
	bun.BaseModel `bun:"table:rbac_role_permissions"`

	TenantID   ids.ID `bun:"tenant_id,pk"`
	RoleID     ids.ID `bun:"role_id,pk"`
	Permission string `bun:"permission,pk"`
}

func (s *Store) conn(ctx context.Context) (bun.IDB, ids.ID, error) {
	t, err := rbac.Tenant(ctx)
	return s.db.Conn(ctx), t, err
}

func (s *Store) InsertRole(ctx context.Context, r *rbac.Role) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	r.TenantID = t
	_, err = c.NewInsert().Model(r).Exec(ctx)
	return err
}

func (s *Store) UpdateRole(ctx context.Context, r *rbac.Role) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	res, err := c.NewUpdate().Model(r).Column("name", "description", "default_scope", "version", "updated_at").
		Where("tenant_id = ? AND id = ? AND version = ?", t, r.ID, r.Version-1).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "stale")
	}
	return nil
}

func (s *Store) DeleteRole(ctx context.Context, id ids.ID) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	if _, err := c.NewDelete().Model((*rolePermission)(nil)).Where("tenant_id = ? AND role_id = ?", t, id).Exec(ctx); err != nil {
		return err
	}
	_, err = c.NewDelete().Model((*rbac.Role)(nil)).Where("tenant_id = ? AND id = ?", t, id).Exec(ctx)
	return err
}

func (s *Store) Role(ctx context.Context, id ids.ID) (*rbac.Role, error) {
	return s.one(ctx, "id = ?", id)
}

func (s *Store) RoleByCode(ctx context.Context, code string) (*rbac.Role, error) {
	return s.one(ctx, "code = ?", code)
}

func (s *Store) one(ctx context.Context, where string, arg any) (*rbac.Role, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	r := new(rbac.Role)
	err = c.NewSelect().Model(r).Where("tenant_id = ?", t).Where(where, arg).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.NotFoundf("object.role")
	}
	return r, err
}

func (s *Store) Roles(ctx context.Context) ([]rbac.Role, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var out []rbac.Role
	if err := c.NewSelect().Model(&out).Where("tenant_id = ?", t).Order("builtin DESC", "created_at", "code").Scan(ctx); err != nil {
		return nil, err
	}
	var counts []struct {
		RoleID ids.ID `bun:"role_id"`
		N      int    `bun:"n"`
	}
	if err := c.NewSelect().Table("rbac_grants").Column("role_id").ColumnExpr("COUNT(*) AS n").
		Where("tenant_id = ?", t).Group("role_id").Scan(ctx, &counts); err != nil {
		return nil, err
	}
	n := map[ids.ID]int{}
	for _, x := range counts {
		n[x.RoleID] = x.N
	}
	var custom []ids.ID
	for i := range out {
		out[i].UserCount = n[out[i].ID]
		if !out[i].Builtin {
			custom = append(custom, out[i].ID)
		}
	}
	perms, err := s.CustomPermissions(ctx, custom)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if !out[i].Builtin {
			out[i].Permissions = perms[out[i].ID]
			if out[i].Permissions == nil {
				out[i].Permissions = []string{}
			}
		}
	}
	return out, nil
}

func (s *Store) SetRolePermissions(ctx context.Context, roleID ids.ID, perms []string) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	if _, err := c.NewDelete().Model((*rolePermission)(nil)).Where("tenant_id = ? AND role_id = ?", t, roleID).Exec(ctx); err != nil {
		return err
	}
	if len(perms) == 0 {
		return nil
	}
	rows := make([]rolePermission, len(perms))
	for i, p := range perms {
		rows[i] = rolePermission{TenantID: t, RoleID: roleID, Permission: p}
	}
	_, err = c.NewInsert().Model(&rows).Exec(ctx)
	return err
}

func (s *Store) CustomPermissions(ctx context.Context, roleIDs []ids.ID) (map[ids.ID][]string, error) {
	out := map[ids.ID][]string{}
	if len(roleIDs) == 0 {
		return out, nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var rows []rolePermission
	if err := c.NewSelect().Model(&rows).Where("tenant_id = ?", t).Where("role_id IN (?)", bun.In(roleIDs)).
		Order("permission").Scan(ctx); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.RoleID] = append(out[r.RoleID], r.Permission)
	}
	return out, nil
}

func (s *Store) Grants(ctx context.Context, userID ids.ID) ([]rbac.Grant, error) {
	m, err := s.GrantsOf(ctx, []ids.ID{userID})
	return m[userID], err
}

func (s *Store) GrantsOf(ctx context.Context, userIDs []ids.ID) (map[ids.ID][]rbac.Grant, error) {
	out := map[ids.ID][]rbac.Grant{}
	if len(userIDs) == 0 {
		return out, nil
	}
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var rows []rbac.Grant
	if err := c.NewSelect().Model(&rows).Where("tenant_id = ?", t).Where("user_id IN (?)", bun.In(userIDs)).
		Order("created_at", "id").Scan(ctx); err != nil {
		return nil, err
	}
	for _, g := range rows {
		if g.DepartmentIDs == nil {
			g.DepartmentIDs = []ids.ID{}
		}
		out[g.UserID] = append(out[g.UserID], g)
	}
	return out, nil
}

func (s *Store) ReplaceGrants(ctx context.Context, userID ids.ID, grants []rbac.Grant) error {
	c, t, err := s.conn(ctx)
	if err != nil {
		return err
	}
	if _, err := c.NewDelete().Model((*rbac.Grant)(nil)).Where("tenant_id = ? AND user_id = ?", t, userID).Exec(ctx); err != nil {
		return err
	}
	if len(grants) == 0 {
		return nil
	}
	for i := range grants {
		grants[i].TenantID = t
		if grants[i].DepartmentIDs == nil {
			grants[i].DepartmentIDs = []ids.ID{}
		}
	}
	_, err = c.NewInsert().Model(&grants).Exec(ctx)
	return err
}

func (s *Store) GrantedRoles(ctx context.Context, userID ids.ID) ([]roles.GrantedRole, error) {
	c, t, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		rbac.Grant `bun:",extend"`
		Code       string `bun:"role_code"`
		Builtin    bool   `bun:"role_builtin"`
	}
	err = c.NewSelect().Model(&rows).ColumnExpr("g.*").ColumnExpr("r.code AS role_code, r.builtin AS role_builtin").
		Join("JOIN rbac_roles AS r ON r.tenant_id = g.tenant_id AND r.id = g.role_id").
		Where("g.tenant_id = ? AND g.user_id = ?", t, userID).Order("g.created_at", "g.id").Scan(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]roles.GrantedRole, len(rows))
	for i, r := range rows {
		r.Grant.RoleCode = r.Code
		out[i] = roles.GrantedRole{Grant: r.Grant, RoleBuiltin: r.Builtin}
	}
	return out, nil
}
