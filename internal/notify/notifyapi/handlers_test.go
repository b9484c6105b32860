package notifyapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/notify/notifyapi"
	"github.com/renshi/renshi/internal/notify/notifytest"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/web"
)

func init() {
	notify.RegisterTemplate(notify.Template{Key: "test.leave_approved", Category: notify.CategoryApproval,
		Subject: map[string]string{i18n.ZH: "您的{{.kind}}已批准", i18n.EN: "Your {{.kind}} was approved"},
		Body:    map[string]string{i18n.ZH: "审批人：{{.by}}", i18n.EN: "Approved by {{.by}}"}})
}

// server runs the module's routes behind the platform middleware, with
// callers chosen by a test bearer token.
type server struct {
	*notifytest.Env
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	tokens map[string]*rbac.Principal
}

func newServer(t *testing.T) *server {
	s := &server{Env: notifytest.New(t), t: t, tokens: map[string]*rbac.Principal{}}
	mux := http.NewServeMux()
	api := web.NewAPI(mux, "Renshi test", "test")
	notifyapi.Routes(api, s.Svc)
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

type client struct {
	s     *server
	token string
	lang  string
}

// as is a client calling as a user of acme holding perms.
func (s *server) as(user ids.ID, perms ...string) *client {
	p := rbac.From(s.As(user, perms...))
	tok := ids.New().String()
	s.mu.Lock()
	s.tokens[tok] = p
	s.mu.Unlock()
	return &client{s: s, token: tok}
}

type response struct {
	Status int
	Body   []byte
}

func (r response) JSON() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

func (c *client) do(method, path string, body any) response {
	c.s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.s.srv.URL+"/api/v1"+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
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
	return response{Status: res.StatusCode, Body: b}
}

func TestInboxScenario(t *testing.T) {
	s := newServer(t)
	me, other := s.User("张三", "zs@acme.example", ""), s.User("李四", "", "")
	for i, kind := range []string{"年假", "病假", "调休"} {
		if _, err := s.Svc.Send(s.System(), notify.Message{Recipients: []ids.ID{me}, Template: "test.leave_approved",
			Params: map[string]any{"kind": kind, "by": "王经理"}, Link: "/leave/" + string(rune('1'+i)), Key: "leave:" + kind}); err != nil {
			t.Fatal(err)
		}
	}
	c := s.as(me)
	steps := []struct {
		name, method, path string
		body               any
		status             int
		check              func(t *testing.T, r response)
	}{
		{"anonymous", "GET", "/notifications", nil, 401, nil},
		{"unread count", "GET", "/notifications/unread-count", nil, 200, func(t *testing.T, r response) {
			if r.JSON()["count"] != 3.0 || r.JSON()["capped"] != false {
				t.Fatalf("%s", r.Body)
			}
		}},
		{"newest first, paged", "GET", "/notifications?page=1&pageSize=2", nil, 200, func(t *testing.T, r response) {
			m := r.JSON()
			items := m["items"].([]any)
			first := items[0].(map[string]any)
			if m["total"] != 3.0 || len(items) != 2 || first["title"] != "您的调休已批准" || first["body"] != "审批人：王经理" ||
				first["link"] != "/leave/3" || first["read"] != false || first["readAt"] != nil {
				t.Fatalf("%s", r.Body)
			}
		}},
		{"mark one read", "POST", "/notifications/{first}/read", nil, 204, nil},
		{"again is fine", "POST", "/notifications/{first}/read", nil, 204, nil},
		{"unread only", "GET", "/notifications?unread=true", nil, 200, func(t *testing.T, r response) {
			if r.JSON()["total"] != 2.0 {
				t.Fatalf("%s", r.Body)
			}
		}},
		{"someone else's", "POST", "/notifications/{others}/read", nil, 404, nil},
		{"not an id", "POST", "/notifications/abc/read", nil, 422, nil},
		{"mark all read", "POST", "/notifications/read-all", nil, 200, func(t *testing.T, r response) {
			if r.JSON()["updated"] != 2.0 {
				t.Fatalf("%s", r.Body)
			}
		}},
		{"nothing unread", "GET", "/notifications/unread-count", nil, 200, func(t *testing.T, r response) {
			if r.JSON()["count"] != 0.0 {
				t.Fatalf("%s", r.Body)
			}
		}},
		{"preferences", "GET", "/notification-preferences", nil, 200, func(t *testing.T, r response) {
			items := r.JSON()["items"].([]any)
			if len(items) < 3 || items[0].(map[string]any)["category"] != "approval" || items[0].(map[string]any)["email"] != true ||
				items[0].(map[string]any)["inApp"] != true {
				t.Fatalf("%s", r.Body)
			}
		}},
		{"switch approval email off", "PUT", "/notification-preferences", map[string]any{"items": []any{map[string]any{"category": "approval", "email": false}}}, 200,
			func(t *testing.T, r response) {
				if r.JSON()["items"].([]any)[0].(map[string]any)["email"] != false {
					t.Fatalf("%s", r.Body)
				}
			}},
		{"unknown category", "PUT", "/notification-preferences", map[string]any{"items": []any{map[string]any{"category": "nope", "email": true}}}, 422, nil},
		{"settings need the permission", "GET", "/notification-settings", nil, 403, func(t *testing.T, r response) {
			if !strings.Contains(string(r.Body), notify.PermSettings) {
				t.Fatalf("%s", r.Body)
			}
		}},
		{"delivery log needs it too", "GET", "/notification-deliveries", nil, 403, nil},
	}
	var firstID string
	otherID := ids.New().String()
	if _, err := s.Svc.Send(s.System(), notify.Message{Recipients: []ids.ID{other}, Template: "test.leave_approved",
		Params: map[string]any{"kind": "年假", "by": "x"}}); err == nil {
		items, _, _ := s.Svc.Inbox(s.As(other), notify.InboxFilter{})
		otherID = items[0].ID.String()
	}
	for _, st := range steps {
		cl := c
		if st.name == "anonymous" {
			cl = &client{s: s}
		}
		path := strings.ReplaceAll(strings.ReplaceAll(st.path, "{first}", firstID), "{others}", otherID)
		r := cl.do(st.method, path, st.body)
		if r.Status != st.status {
			t.Fatalf("%s: %d %s", st.name, r.Status, r.Body)
		}
		if st.check != nil {
			st.check(t, r)
		}
		if st.name == "newest first, paged" {
			firstID = r.JSON()["items"].([]any)[0].(map[string]any)["id"].(string)
		}
	}
	// English for a user who reads English.
	c.lang = "en"
	r := c.do("GET", "/notifications?pageSize=1", nil)
	if title := r.JSON()["items"].([]any)[0].(map[string]any)["title"]; title != "Your 调休 was approved" {
		t.Fatalf("en: %v", title)
	}
}

func TestMailSettingsScenario(t *testing.T) {
	s := newServer(t)
	m := notifytest.NewMailServer(t)
	root := s.User("root", "root@acme.example", "")
	admin := s.as(root, notify.PermSettings)
	r := admin.do("GET", "/notification-settings", nil)
	if r.Status != 200 || r.JSON()["source"] != "none" {
		t.Fatalf("empty: %d %s", r.Status, r.Body)
	}
	r = admin.do("PUT", "/notification-settings", map[string]any{"host": "bad host", "fromAddress": "nope", "tlsMode": "none"})
	if r.Status != 422 || !strings.Contains(string(r.Body), "invalid_email") {
		t.Fatalf("invalid: %d %s", r.Status, r.Body)
	}
	r = admin.do("PUT", "/notification-settings", map[string]any{"host": "127.0.0.1", "port": m.Port, "username": m.Username,
		"password": m.Password, "fromAddress": "hr@acme.example", "fromName": "人事部", "tlsMode": "none"})
	if r.Status != 200 || strings.Contains(string(r.Body), m.Password) || r.JSON()["hasPassword"] != true || r.JSON()["version"] != 1.0 {
		t.Fatalf("save: %d %s", r.Status, r.Body)
	}
	r = admin.do("GET", "/notification-settings", nil)
	if r.Status != 200 || strings.Contains(string(r.Body), m.Password) || strings.Contains(string(r.Body), "password\"") ||
		r.JSON()["source"] != "tenant" || r.JSON()["fromName"] != "人事部" {
		t.Fatalf("read back: %s", r.Body)
	}
	// A stale version is refused.
	r = admin.do("PUT", "/notification-settings", map[string]any{"host": "127.0.0.1", "fromAddress": "hr@acme.example", "tlsMode": "none", "version": 7})
	if r.Status != 409 {
		t.Fatalf("stale: %d %s", r.Status, r.Body)
	}
	r = admin.do("POST", "/notification-settings/test", map[string]any{})
	if r.Status != 200 || r.JSON()["to"] != "root@acme.example" || m.Count() != 1 {
		t.Fatalf("test email: %d %s (%d arrived)", r.Status, r.Body, m.Count())
	}
	m.Stop()
	r = admin.do("POST", "/notification-settings/test", map[string]any{"to": "x@acme.example"})
	if r.Status != 422 || r.JSON()["code"] != "notify.test_failed" {
		t.Fatalf("server down: %d %s", r.Status, r.Body)
	}
	m.Restart()
	// The delivery log shows a refused address; retry sends it once fixed.
	m.Reject("bad@acme.example", true)
	bad := s.User("坏", "bad@acme.example", "")
	if _, err := s.Svc.Send(s.System(), notify.Message{Recipients: []ids.ID{bad}, Template: "test.leave_approved",
		Params: map[string]any{"kind": "年假", "by": "x"}}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	var id string
	for range 500 {
		r = admin.do("GET", "/notification-deliveries?state=failed", nil)
		if items := r.JSON()["items"].([]any); len(items) == 1 {
			d := items[0].(map[string]any)
			id = d["id"].(string)
			if d["address"] != "bad@acme.example" || !strings.Contains(d["lastError"].(string), "550") || d["subject"] != "您的年假已批准" {
				t.Fatalf("log: %s", r.Body)
			}
			break
		}
		waitABit()
	}
	if id == "" {
		t.Fatal("no failed delivery")
	}
	m.Reject("bad@acme.example", false)
	r = admin.do("POST", "/notification-deliveries/"+id+"/retry", nil)
	if r.Status != 200 || r.JSON()["state"] != "pending" {
		t.Fatalf("retry: %d %s", r.Status, r.Body)
	}
	for range 500 {
		if m.Count() == 2 {
			break
		}
		waitABit()
	}
	if m.Count() != 2 {
		t.Fatalf("retried email: %d", m.Count())
	}
	if r := admin.do("DELETE", "/notification-settings", nil); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r := admin.do("DELETE", "/notification-settings", nil); r.Status != 404 {
		t.Fatalf("delete again: %d %s", r.Status, r.Body)
	}
}

func waitABit() { time.Sleep(20 * time.Millisecond) }
