package app_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/app/apptest"
)

// FuzzRequestDecoding throws arbitrary bodies at a public and an
// authenticated endpoint: the answer must never be a server error, and
// every error must be a well-formed problem document.
// Run longer with: go test -fuzz FuzzRequestDecoding ./internal/app/
func FuzzRequestDecoding(f *testing.F) {
	seeds := []string{
		`{"tenant":"acme","login":"root","password":"x"}`,
		`{"tenant":"acme","login":"root","password":"x","totp":"123456"}`,
		`{"login":"new","displayName":"新","grants":[{"roleId":"1","scope":"tenant"}]}`,
		`{"login":"new","displayName":"x","grants":[{"roleId":1}]}`,
		`{"tenant":null}`, `[]`, `"x"`, `{`, ``, `{"a":{"b":{"c":[1,2,{"d":null}]}}}`,
		`{"tenant":"\u0000","login":"\ud800"}`, strings.Repeat(`[`, 5000),
		`{"login":"a","displayName":"b","mobile":"+86 138","idNumber":"X"}`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	e := apptest.New(f)
	root := e.Login("root")
	cookie := root.SessionCookie()
	f.Fuzz(func(t *testing.T, body string) {
		for _, target := range []struct {
			path   string
			cookie *http.Cookie
		}{{"/api/v1/auth/login", nil}, {"/api/v1/users", cookie}, {"/api/v1/roles", cookie}} {
			req := httptest.NewRequest("POST", target.path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if target.cookie != nil {
				req.AddCookie(target.cookie)
			}
			rec := httptest.NewRecorder()
			e.App.Handler.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %q: %d %s", target.path, body, rec.Code, rec.Body)
			}
			if rec.Code >= 400 {
				var p struct {
					Status int    `json:"status"`
					Code   string `json:"code"`
					Detail string `json:"detail"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code || p.Code == "" || p.Detail == "" {
					t.Fatalf("%s %q: not a problem document: %s", target.path, body, rec.Body)
				}
			}
		}
	})
}
