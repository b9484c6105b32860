package orgapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/org/orgapi"
	"github.com/renshi/renshi/internal/org/orgdb"
	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/tenant"
	"github.com/renshi/renshi/internal/platform/tenant/tenantdb"
	"github.com/renshi/renshi/internal/platform/web"
)

// harness serves the org routes on a fresh database, the way the app
// mounts them, with callers chosen per request: tenant and built-in role
// travel in test headers instead of a session.
type harness struct {
	t      *testing.T
	srv    *httptest.Server
	api    *web.API
	svc    *org.Service
	tenant ids.ID
	other  ids.ID
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	d := dbtest.MustOpen(t)
	a := audit.New(d, []byte("0123456789abcdef0123456789abcdef"))
	tenants := tenant.NewService(d, tenantdb.New(d), a)
	t1, err := tenants.Create(context.Background(), tenant.New{Code: "acme", Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	t2, err := tenants.Create(context.Background(), tenant.New{Code: "other", Name: "Other"})
	if err != nil {
		t.Fatal(err)
	}
	svc := org.NewService(d, orgdb.New(d), a)
	mux := http.NewServeMux()
	api := web.NewAPI(mux, "test", "test")
	orgapi.Routes(api, svc)
	h := &harness{t: t, api: api, svc: svc, tenant: t1.ID, other: t2.ID}
	h.srv = httptest.NewServer(web.Authenticate(h.authenticate, mux))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *harness) authenticate(r *http.Request) (*rbac.Principal, error) {
	role := r.Header.Get("X-Test-Role")
	if role == "" {
		return nil, nil
	}
	tenantID := h.tenant
	if r.Header.Get("X-Test-Tenant") == "other" {
		tenantID = h.other
	}
	perms := map[string]rbac.Scope{}
	for _, p := range rbac.BuiltinPermissions(role) {
		perms[p] = rbac.Scope{All: true, Self: true}
	}
	return rbac.NewPrincipal(rbac.Principal{TenantID: tenantID, UserID: ids.New(), Login: role, TimeZone: "Asia/Shanghai", Roles: []string{role}}, perms), nil
}

// client calls as a built-in role ("" for nobody).
type client struct {
	h      *harness
	role   string
	tenant string
	lang   string
}

func (h *harness) as(role string) *client { return &client{h: h, role: role} }

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) JSON() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

func (r response) Code() string {
	s, _ := r.JSON()["code"].(string)
	return s
}

func (r response) FieldCodes() []string {
	var out []string
	list, _ := r.JSON()["errors"].([]any)
	for _, x := range list {
		m, _ := x.(map[string]any)
		out = append(out, m["field"].(string)+":"+m["code"].(string))
	}
	return out
}

func (r response) Items() []map[string]any {
	var out []map[string]any
	list, _ := r.JSON()["items"].([]any)
	for _, x := range list {
		m, _ := x.(map[string]any)
		out = append(out, m)
	}
	return out
}

func (c *client) Do(method, path string, body any) response {
	c.h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.h.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.h.srv.URL+path, rd)
	if err != nil {
		c.h.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.role != "" {
		req.Header.Set("X-Test-Role", c.role)
	}
	if c.tenant != "" {
		req.Header.Set("X-Test-Tenant", c.tenant)
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// ok fails unless the reply has the status and returns its JSON.
func (c *client) ok(status int, method, path string, body any) map[string]any {
	c.h.t.Helper()
	r := c.Do(method, path, body)
	if r.Status != status {
		c.h.t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
	}
	return r.JSON()
}
