// Package web sets up the JSON API (huma on net/http), its error format,
// middleware, and the one route table every module registers into.
package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Prefix is where the versioned API lives.
const Prefix = "/api/v1"

// Access levels for routes that do not need a specific permission.
const (
	Public        = "public"        // no login needed (login itself, health)
	Authenticated = "authenticated" // any signed-in user (own profile, own password)
)

// Route is one API operation and the access it needs. The authorization
// test walks this table against every built-in role.
type Route struct {
	Method     string
	Path       string // full path, e.g. /api/v1/users/{id}
	ID         string
	Permission string // Public, Authenticated, or a permission code
	// Restricted routes stay open while the user must first change the
	// password or enrol in two-factor authentication.
	Restricted bool
}

// API is the application's huma API plus its route table.
type API struct {
	huma.API
	mu     sync.Mutex
	routes []Route
}

// NewAPI creates the API on mux with OpenAPI at /api/openapi.json and a
// docs page at /api/docs.
func NewAPI(mux *http.ServeMux, title, version string) *API {
	cfg := huma.DefaultConfig(title, version)
	cfg.OpenAPIPath = "/api/openapi"
	cfg.DocsPath = "" // our own page (DocsHandler) works offline
	cfg.SchemasPath = "/api/schemas"
	cfg.Servers = []*huma.Server{{URL: "/"}}
	cfg.Info.Description = "Renshi HR API. Errors are RFC 9457 problem+json with a per-field list; " +
		"authenticate with the session cookie from POST /api/v1/auth/login or an API token as `Authorization: Bearer`."
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"cookie": {Type: "apiKey", In: "cookie", Name: SessionCookie},
		"bearer": {Type: "http", Scheme: "bearer"},
	}
	// IDs travel as strings (JavaScript loses precision above 2^53).
	cfg.Components.Schemas.RegisterTypeAlias(reflect.TypeFor[ids.ID](), reflect.TypeFor[idSchema]())
	// Links are noise for our clients.
	cfg.CreateHooks = nil
	mux.Handle("GET /api/docs", DocsHandler())
	return &API{API: humago.New(mux, cfg)}
}

// idSchema documents ids.ID: a decimal string in JSON. Path and query
// parameters reach validation already parsed as integers, so integers
// are accepted too.
type idSchema struct{}

func (idSchema) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{
		Description: "object id: a 63-bit integer written as a decimal string",
		OneOf: []*huma.Schema{
			{Type: huma.TypeString, Pattern: "^[0-9]{1,19}$", Examples: []any{"383006898772418561"}},
			{Type: huma.TypeInteger, Format: "int64"},
		},
	}
}

// SessionCookie is the session cookie's name.
const SessionCookie = "renshi_session"

// Op describes an operation to register.
type Op struct {
	Method     string
	Path       string // below /api/v1, e.g. "/users/{id}"
	ID         string // operation id, e.g. "list-users"
	Summary    string
	Tags       []string
	Permission string // Public, Authenticated or a permission code
	Restricted bool   // see Route.Restricted
	Status     int    // success status; default 200 (204 for no body)
	MaxBody    int64  // body limit in bytes; default 1 MiB
	// BodyTimeout is how long reading the body may take (default 5 s);
	// uploads of many megabytes need minutes on slow connections.
	BodyTimeout time.Duration
}

// Register adds an operation. Before the body is parsed it checks that
// the caller is signed in and holds the permission (at any scope), so a
// caller without it gets 403 naming the permission, never a validation
// error that would reveal the shape of the data. Services check again,
// with the data scope.
func Register[I, O any](api *API, op Op, handler func(ctx context.Context, in *I) (*O, error)) {
	if op.Permission == "" {
		panic("web: route " + op.ID + " has no permission policy")
	}
	if op.Permission != Public && op.Permission != Authenticated && !rbac.Known(op.Permission) {
		panic("web: route " + op.ID + " names unknown permission " + op.Permission)
	}
	full := Prefix + op.Path
	api.mu.Lock()
	api.routes = append(api.routes, Route{Method: op.Method, Path: full, ID: op.ID, Permission: op.Permission, Restricted: op.Restricted})
	api.mu.Unlock()
	ho := huma.Operation{
		OperationID:     op.ID,
		Method:          op.Method,
		Path:            full,
		Summary:         op.Summary,
		Tags:            op.Tags,
		DefaultStatus:   op.Status,
		MaxBodyBytes:    op.MaxBody,
		BodyReadTimeout: op.BodyTimeout,
		Metadata:        map[string]any{"permission": op.Permission},
	}
	if op.Permission != Public {
		ho.Security = []map[string][]string{{"cookie": {}}, {"bearer": {}}}
		if op.Permission != Authenticated {
			ho.Description = "Requires permission `" + op.Permission + "`."
		}
	}
	ho.Middlewares = huma.Middlewares{guard(api, op)}
	huma.Register(api.API, ho, handler)
}

func guard(api *API, op Op) func(huma.Context, func(huma.Context)) {
	return func(hctx huma.Context, next func(huma.Context)) {
		if op.Permission == Public {
			next(hctx)
			return
		}
		p := rbac.From(hctx.Context())
		var err error
		switch {
		case p == nil:
			err = errs.E(errs.Unauthenticated, "unauthenticated")
		case p.Restriction != "" && !op.Restricted:
			err = errs.E(errs.Forbidden, p.Restriction)
		case op.Permission != Authenticated && !p.Can(op.Permission):
			err = errs.Denied(op.Permission)
		}
		if err != nil {
			_ = huma.WriteErr(api.API, hctx, StatusOf(err), "", err)
			return
		}
		if op.MaxBody > 0 {
			// huma applies MaxBodyBytes to JSON bodies only; a multipart
			// upload would otherwise be read to the end before the
			// handler could refuse it. A declared length over the limit
			// is refused at once, an undeclared one cut off at it.
			if r, w := humago.Unwrap(hctx); r != nil && r.Body != nil {
				if r.ContentLength > op.MaxBody {
					err := errs.E(errs.TooLarge, "too_large", errs.Params{"limit": fmt.Sprintf("%d MiB", op.MaxBody>>20)})
					_ = huma.WriteErr(api.API, hctx, StatusOf(err), "", err)
					return
				}
				r.Body = http.MaxBytesReader(w, r.Body, op.MaxBody)
			}
		}
		next(hctx)
	}
}

// Routes lists the registered operations, sorted by path and method.
func (a *API) Routes() []Route {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := append([]Route(nil), a.routes...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// WriteProblem writes a problem outside huma (middleware, CSRF, UI).
func WriteProblem(w http.ResponseWriter, r *http.Request, p *Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// PageQuery is embedded by list inputs.
type PageQuery struct {
	Page     int    `query:"page" minimum:"1" default:"1" doc:"1-based page number"`
	PageSize int    `query:"pageSize" minimum:"1" maximum:"200" default:"20" doc:"rows per page (at most 200)"`
	Sort     string `query:"sort" doc:"column to sort by; prefix with - for descending"`
}

// Page is a page of a list.
type Page[T any] struct {
	Items    []T `json:"items"`
	Total    int `json:"total"`
	Page     int `json:"page"`
	PageSize int `json:"pageSize"`
}

// NewPage wraps items as a page response body.
func NewPage[T any](items []T, total int, q PageQuery) *Page[T] {
	if items == nil {
		items = []T{}
	}
	return &Page[T]{Items: items, Total: total, Page: q.Page, PageSize: q.PageSize}
}

// Body wraps a response body.
type Body[T any] struct {
	Body T
}

// Reply wraps v as a response with a JSON body.
func Reply[T any](v T) *Body[T] { return &Body[T]{Body: v} }

// Empty is a response with no body (204).
type Empty struct{}

// IDPath is the input of routes addressing one object by id.
type IDPath struct {
	ID ids.ID `path:"id" doc:"object id"`
}

// SplitCSV splits a comma-separated query value.
func SplitCSV(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
