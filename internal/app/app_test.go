package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/app"
	"github.com/renshi/renshi/internal/config"
	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/i18n"
)

// TestServeWholeApp starts the real server on :0 and checks the
// operational endpoints and the OpenAPI document.
func TestServeWholeApp(t *testing.T) {
	cfg := config.Defaults()
	cfg.DB = dbtest.DSN(t)
	cfg.MasterKeyFile = filepath.Join(t.TempDir(), "master.key") // generated: development
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	get := func(path string) (int, string, http.Header) {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Header
	}
	if code, _, _ := get("/readyz"); code != 503 {
		t.Fatalf("readyz before Start: %d", code)
	}
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if code, body, _ := get("/readyz"); code != 200 {
		t.Fatalf("readyz: %d %s", code, body)
	}
	if code, _, _ := get("/healthz"); code != 200 {
		t.Fatalf("healthz: %d", code)
	}
	if code, body, _ := get("/metrics"); code != 200 || !strings.Contains(body, "renshi_http_request_duration_seconds") {
		t.Fatalf("metrics: %d", code)
	}
	code, body, h := get("/api/openapi.json")
	if code != 200 {
		t.Fatalf("openapi: %d", code)
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.1") || doc.Paths["/api/v1/auth/login"] == nil {
		t.Fatalf("openapi doc: %v %s", err, doc.OpenAPI)
	}
	if h.Get("X-Request-Id") == "" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("headers: %v", h)
	}
	if code, _, _ := get("/api/docs"); code != 200 {
		t.Fatalf("docs: %d", code)
	}
	if code, body, _ := get("/api/v1/nope"); code != 404 || !strings.Contains(body, `"code":"not_found"`) {
		t.Fatalf("unknown api route: %d %s", code, body)
	}
	if code, _, _ := get("/some/client/route"); code != 200 {
		t.Fatalf("ui fallback: %d", code)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("graceful shutdown hung")
	}
}

func TestProductionRefusesToStartWithoutKey(t *testing.T) {
	cfg := config.Defaults()
	cfg.Env = "production"
	cfg.DB = dbtest.DSN(t)
	cfg.MasterKeyFile = filepath.Join(t.TempDir(), "missing.key")
	if _, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil || !strings.Contains(err.Error(), "production") {
		t.Fatalf("want refusal, got %v", err)
	}
}

// Every message key exists in both languages (with all modules linked).
func TestCatalogComplete(t *testing.T) {
	en := map[string]bool{}
	for _, k := range i18n.Keys(i18n.EN) {
		en[k] = true
	}
	zh := i18n.Keys(i18n.ZH)
	for _, k := range zh {
		if !en[k] {
			t.Errorf("%q has no English text", k)
		}
		delete(en, k)
	}
	for k := range en {
		t.Errorf("%q has no Chinese text", k)
	}
}
