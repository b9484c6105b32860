// Package rbacapi exposes roles, the permission catalogue and the
// permission matrix over HTTP.
package rbacapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/rbac/roles"
	"github.com/renshi/renshi/internal/platform/web"
)

type handlers struct{ svc *roles.Service }

// Routes registers the route table.
func Routes(api *web.API, svc *roles.Service) {
	h := &handlers{svc: svc}
	tags := []string{"roles"}
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/permissions", ID: "list-permissions", Summary: "The permission catalogue", Tags: tags, Permission: rbac.RoleRead}, h.permissions)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/roles", ID: "list-roles", Summary: "List roles with permissions", Tags: tags, Permission: rbac.RoleRead}, h.list)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/roles/export", ID: "export-roles", Summary: "Export the permission matrix", Tags: tags, Permission: rbac.RoleRead}, h.export)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/roles", ID: "create-role", Summary: "Create a custom role", Tags: tags, Permission: rbac.RoleManage, Status: 201}, h.create)
	web.Register(api, web.Op{Method: http.MethodPatch, Path: "/roles/{id}", ID: "update-role", Summary: "Update a custom role", Tags: tags, Permission: rbac.RoleManage}, h.update)
	web.Register(api, web.Op{Method: http.MethodDelete, Path: "/roles/{id}", ID: "delete-role", Summary: "Delete a custom role nobody holds", Tags: tags, Permission: rbac.RoleManage, Status: 204}, h.delete)
}

// Permission is a catalogue entry with its label in the caller's language.
type Permission struct {
	Code      string `json:"code"`
	Module    string `json:"module"`
	Label     string `json:"label"`
	Sensitive bool   `json:"sensitive"`
}

func (h *handlers) permissions(ctx context.Context, _ *struct{}) (*web.Body[web.Page[Permission]], error) {
	if _, _, err := rbac.Require(ctx, rbac.RoleRead); err != nil {
		return nil, err
	}
	locale := i18n.FromContext(ctx)
	var out []Permission
	for _, p := range rbac.All() {
		module, _, _ := strings.Cut(p.Code, ".")
		out = append(out, Permission{Code: p.Code, Module: module, Label: i18n.T(locale, "perm."+p.Code, nil), Sensitive: p.Sensitive})
	}
	return web.Reply(web.Page[Permission]{Items: out, Total: len(out), Page: 1, PageSize: len(out)}), nil
}

func (h *handlers) list(ctx context.Context, _ *struct{}) (*web.Body[web.Page[rbac.Role]], error) {
	rs, err := h.svc.Roles(ctx)
	if err != nil {
		return nil, err
	}
	localize(ctx, rs)
	return web.Reply(web.Page[rbac.Role]{Items: rs, Total: len(rs), Page: 1, PageSize: len(rs)}), nil
}

// localize names built-in roles in the caller's language.
func localize(ctx context.Context, rs []rbac.Role) {
	locale := i18n.FromContext(ctx)
	for i := range rs {
		if rs[i].Builtin {
			rs[i].Name = i18n.T(locale, "role."+rs[i].Code, nil)
		}
	}
}

type exportRoleInput struct {
	web.ExportQuery
}

// export writes the matrix: one row per permission, one column per role.
func (h *handlers) export(ctx context.Context, in *exportRoleInput) (*huma.StreamResponse, error) {
	rs, err := h.svc.Roles(ctx)
	if err != nil {
		return nil, err
	}
	localize(ctx, rs)
	locale := i18n.FromContext(ctx)
	name := i18n.T(locale, "export.roles", nil)
	return web.Download(name, in.ExportQuery, name, func(ctx context.Context, w export.Writer) error {
		header := []string{i18n.T(locale, "field.permissions", nil), "code"}
		scopes := []string{i18n.T(locale, "field.defaultScope", nil), ""}
		for _, r := range rs {
			header = append(header, r.Name)
			scopes = append(scopes, i18n.T(locale, "scope."+string(r.DefaultScope), nil))
		}
		if err := w.Write(header); err != nil {
			return err
		}
		if err := w.Write(scopes); err != nil {
			return err
		}
		for _, p := range rbac.All() {
			row := []string{i18n.T(locale, "perm."+p.Code, nil), p.Code}
			for _, r := range rs {
				mark := ""
				for _, rp := range r.Permissions {
					if rp == p.Code {
						mark = "✓"
						break
					}
				}
				row = append(row, mark)
			}
			if err := w.Write(row); err != nil {
				return err
			}
		}
		return nil
	}), nil
}

type createRoleInput struct {
	Body struct {
		Code         string         `json:"code" maxLength:"32"`
		Name         string         `json:"name" maxLength:"50"`
		Description  string         `json:"description,omitempty" required:"false" maxLength:"500"`
		DefaultScope rbac.ScopeKind `json:"defaultScope,omitempty" required:"false" enum:"self,department,department_tree,departments,tenant"`
		Permissions  []string       `json:"permissions" maxItems:"500"`
	}
}

func (h *handlers) create(ctx context.Context, in *createRoleInput) (*web.Body[*rbac.Role], error) {
	b := in.Body
	r, err := h.svc.CreateRole(ctx, rbac.NewRole{Code: b.Code, Name: b.Name, Description: b.Description, DefaultScope: b.DefaultScope, Permissions: b.Permissions})
	if err != nil {
		return nil, err
	}
	return web.Reply(r), nil
}

type updateRoleInput struct {
	web.IDPath
	Body struct {
		Name         *string         `json:"name,omitempty" required:"false" maxLength:"50"`
		Description  *string         `json:"description,omitempty" required:"false" maxLength:"500"`
		DefaultScope *rbac.ScopeKind `json:"defaultScope,omitempty" required:"false" enum:"self,department,department_tree,departments,tenant"`
		Permissions  *[]string       `json:"permissions,omitempty" required:"false" maxItems:"500"`
		Version      int             `json:"version" minimum:"1"`
	}
}

func (h *handlers) update(ctx context.Context, in *updateRoleInput) (*web.Body[*rbac.Role], error) {
	b := in.Body
	r, err := h.svc.UpdateRole(ctx, in.ID, rbac.RoleUpdate{Name: b.Name, Description: b.Description, DefaultScope: b.DefaultScope, Permissions: b.Permissions, Version: b.Version})
	if err != nil {
		return nil, err
	}
	return web.Reply(r), nil
}

func (h *handlers) delete(ctx context.Context, in *web.IDPath) (*web.Empty, error) {
	return &web.Empty{}, h.svc.DeleteRole(ctx, in.ID)
}
