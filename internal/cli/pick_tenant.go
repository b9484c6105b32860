package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/renshi/renshi/internal/app"
	"github.com/renshi/renshi/internal/platform/tenant"
)

// pickTenant is the tenant named by --tenant, or the only one there is
// (commands that work inside one tenant: import, export).
func pickTenant(ctx context.Context, a *app.App, code string) (*tenant.Tenant, error) {
	if code != "" {
		t, err := a.Tenants.ByCode(ctx, code)
		if err != nil {
			return nil, fmt.Errorf("tenant %q: %w", code, err)
		}
		return t, nil
	}
	list, err := a.Tenants.List(ctx)
	if err != nil {
		return nil, err
	}
	switch len(list) {
	case 0:
		return nil, errors.New("no tenant yet: create one with `renshi tenant create`")
	case 1:
		return &list[0], nil
	}
	codes := make([]string, len(list))
	for i, t := range list {
		codes[i] = t.Code
	}
	return nil, fmt.Errorf("--tenant CODE is needed: there are %d tenants (%s)", len(list), strings.Join(codes, ", "))
}
