package employeeapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/renshi/renshi/internal/employee/employeeapi"
	"github.com/renshi/renshi/internal/employee/employeetest"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/web"
)

// server runs the module's routes behind the platform middleware, with
// callers chosen by a test bearer token (the app's sign-in is not needed
// to test the module's HTTP behaviour).
type server struct {
	*employeetest.Env
	t      *testing.T
	srv    *httptest.Server
	api    *web.API
	mu     sync.Mutex
	tokens map[string]*rbac.Principal
}

func newServer(t *testing.T) *server {
	s := &server{Env: employeetest.New(t), t: t, tokens: map[string]*rbac.Principal{}}
	mux := http.NewServeMux()
	s.api = web.NewAPI(mux, "Renshi test", "test")
	employeeapi.Routes(s.api, s.Svc)
	authn := func(r *http.Request) (*rbac.Principal, error) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			return nil, nil
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.tokens[tok], nil
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s.srv = httptest.NewServer(web.Observe(log, false, web.Authenticate(authn, mux)))
	t.Cleanup(s.srv.Close)
	return s
}

// as returns a client calling as the caller.
func (s *server) as(c employeetest.Caller) *client {
	p := rbac.From(s.As(c))
	tok := p.Login + p.UserID.String()
	s.mu.Lock()
	s.tokens[tok] = p
	s.mu.Unlock()
	return &client{s: s, token: tok}
}

type client struct {
	s     *server
	token string
	lang  string
}

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

func (c *client) do(method, path string, body any) response {
	c.s.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case *multipart.Writer:
		c.s.t.Fatal("use upload")
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.s.t.Fatal(err)
		}
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	return c.send(method, path, rd, ctype)
}

func (c *client) send(method, path string, rd io.Reader, ctype string) response {
	c.s.t.Helper()
	req, err := http.NewRequest(method, c.s.srv.URL+"/api/v1"+path, rd)
	if err != nil {
		c.s.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// upload posts a multipart form with a file and fields.
func (c *client) upload(method, path, filename string, content []byte, fields map[string]string) response {
	c.s.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		c.s.t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = w.Close()
	return c.send(method, path, &buf, w.FormDataContentType())
}
