// Package tenantapi exposes the caller's tenant settings over HTTP.
package tenantapi

import (
	"context"
	"net/http"

	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/tenant"
	"github.com/renshi/renshi/internal/platform/web"
)

type handlers struct{ svc *tenant.Service }

// Routes registers the route table.
func Routes(api *web.API, svc *tenant.Service) {
	h := &handlers{svc: svc}
	tags := []string{"tenant"}
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/tenant", ID: "get-tenant", Summary: "The caller's tenant settings", Tags: tags, Permission: rbac.TenantRead}, h.get)
	web.Register(api, web.Op{Method: http.MethodPatch, Path: "/tenant", ID: "update-tenant", Summary: "Change tenant settings", Tags: tags, Permission: rbac.TenantUpdate}, h.update)
}

func (h *handlers) get(ctx context.Context, _ *struct{}) (*web.Body[*tenant.Tenant], error) {
	t, err := h.svc.Current(ctx)
	if err != nil {
		return nil, err
	}
	return web.Reply(t), nil
}

type updateTenantInput struct {
	Body struct {
		Name               *string `json:"name,omitempty" required:"false" maxLength:"100"`
		TimeZone           *string `json:"timeZone,omitempty" required:"false" maxLength:"64"`
		Locale             *string `json:"locale,omitempty" required:"false" enum:"zh-CN,en"`
		RequireAdminTOTP   *bool   `json:"requireAdminTotp,omitempty" required:"false"`
		PasswordMinLength  *int    `json:"passwordMinLength,omitempty" required:"false"`
		SessionIdleMinutes *int    `json:"sessionIdleMinutes,omitempty" required:"false"`
		SessionMaxHours    *int    `json:"sessionMaxHours,omitempty" required:"false"`
		Version            int     `json:"version" minimum:"1"`
	}
}

func (h *handlers) update(ctx context.Context, in *updateTenantInput) (*web.Body[*tenant.Tenant], error) {
	b := in.Body
	t, err := h.svc.Update(ctx, tenant.Update{Name: b.Name, TimeZone: b.TimeZone, Locale: b.Locale, RequireAdminTOTP: b.RequireAdminTOTP,
		PasswordMinLength: b.PasswordMinLength, SessionIdleMinutes: b.SessionIdleMinutes, SessionMaxHours: b.SessionMaxHours, Version: b.Version})
	if err != nil {
		return nil, err
	}
	return web.Reply(t), nil
}
