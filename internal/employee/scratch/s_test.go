package scratch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/web"
)

type in struct {
	On   civil.Date `query:"on"`
	Body struct {
		D civil.Date `json:"d" format:"date"`
	}
}
type out struct{ Body struct{ D, On civil.Date } }

func TestX(t *testing.T) {
	mux := http.NewServeMux()
	api := web.NewAPI(mux, "x", "1")
	web.Register(api, web.Op{Method: "POST", Path: "/x", ID: "x", Permission: web.Authenticated}, func(ctx context.Context, i *in) (*out, error) {
		o := &out{}
		o.Body.D = i.Body.D
		o.Body.On = i.On
		return o, nil
	})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r.WithContext(rbac.WithPrincipal(r.Context(), rbac.SystemPrincipal(1, "x"))))
	})
	for _, b := range []string{`{"d":"2026-01-02"}`, `{"d":null}`, `{"d":"bad"}`} {
		req := httptest.NewRequest("POST", "/api/v1/x?on=2026-03-04", strings.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		t.Log(rec.Code, rec.Body.String())
	}
}
