// Package apptest starts a whole Renshi (on a fresh SQLite or PostgreSQL
// database) behind httptest, with helpers to sign in and call the API.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/app"
	"github.com/renshi/renshi/internal/config"
	"github.com/renshi/renshi/internal/platform/auth"
	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/tenant"
)

// Password is every test user's password.
const Password = "Test-Passw0rd!42"

// Env is a running app with one tenant ("acme").
type Env struct {
	T      testing.TB
	App    *app.App
	Server *httptest.Server
	Tenant *tenant.Tenant
	DSN    string
}

// New starts the app on a fresh database with tenant "acme" and a
// super admin "root". Background jobs run.
func New(t testing.TB) *Env {
	t.Helper()
	dsn := dbtest.DSN(t)
	cfg := config.Defaults()
	cfg.DB = dsn
	cfg.MasterKey = crypto.NewMasterKey()
	cfg.MasterKeyFile = filepath.Join(t.TempDir(), "unused.key")
	cfg.BaseURL = "http://127.0.0.1"
	cfg.FilesDir = filepath.Join(t.TempDir(), "files")
	ctx := context.Background()
	// Warnings and errors only: request logs would drown test output.
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		t.Fatalf("apptest: %v", err)
	}
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	ten, err := a.Tenants.Create(ctx, tenant.New{Code: "acme", Name: "Acme 测试公司"})
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{T: t, App: a, Server: srv, Tenant: ten, DSN: dsn}
	e.User("root", "super_admin")
	return e
}

// User creates an account with one built-in or custom role (at its
// default scope) and the shared test password.
func (e *Env) User(login, role string) *auth.UserView {
	e.T.Helper()
	return e.UserIn(e.Tenant.Code, login, role)
}

// UserIn creates an account in another tenant.
func (e *Env) UserIn(tenantCode, login, role string) *auth.UserView {
	e.T.Helper()
	u, err := e.App.CreateUser(context.Background(), tenantCode, auth.NewUser{Login: login, DisplayName: login, Password: Password}, role)
	if err != nil {
		e.T.Fatalf("apptest: user %s: %v", login, err)
	}
	return u
}

// Client is a browser-like client with its own cookie jar.
type Client struct {
	e      *Env
	http   *http.Client
	Lang   string
	Bearer string
}

// Anonymous returns a client with no session.
func (e *Env) Anonymous() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{e: e, http: &http.Client{Jar: jar}}
}

// Login signs in to tenant acme and fails the test if that fails.
func (e *Env) Login(login string) *Client {
	e.T.Helper()
	c := e.Anonymous()
	r := c.Do("POST", "/api/v1/auth/login", map[string]any{"tenant": e.Tenant.Code, "login": login, "password": Password})
	if r.Status != 200 {
		e.T.Fatalf("apptest: login %s: %d %s", login, r.Status, r.Body)
	}
	return c
}

// SessionCookie returns the client's session cookie.
func (c *Client) SessionCookie() *http.Cookie {
	u, _ := url.Parse(c.e.Server.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "renshi_session" {
			return ck
		}
	}
	return nil
}

// Response is a decoded reply.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v (a map when v is nil) and returns it.
func (r Response) JSON() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

// Decode decodes the body into v.
func (r Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Code is the problem code of an error reply.
func (r Response) Code() string {
	s, _ := r.JSON()["code"].(string)
	return s
}

// FieldCodes lists "field:code" of an error reply's field problems.
func (r Response) FieldCodes() []string {
	var out []string
	list, _ := r.JSON()["errors"].([]any)
	for _, x := range list {
		m, _ := x.(map[string]any)
		out = append(out, m["field"].(string)+":"+m["code"].(string))
	}
	return out
}

// Do sends a request; body is marshalled to JSON unless it is a string or
// []byte (sent as is).
func (c *Client) Do(method, path string, body any) Response {
	c.e.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.e.T.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.e.Server.URL+path, rd)
	if err != nil {
		c.e.T.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	if c.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.e.T.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// Upload posts a multipart form: the file under field "file" and the
// other fields as given.
func (c *Client) Upload(path, name string, data []byte, fields map[string]string) Response {
	c.e.T.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		c.e.T.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, err := http.NewRequest("POST", c.e.Server.URL+path, &buf)
	if err != nil {
		c.e.T.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.http.Do(req)
	if err != nil {
		c.e.T.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return Response{Status: res.StatusCode, Header: res.Header, Body: b}
}
