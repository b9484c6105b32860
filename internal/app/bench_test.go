package app_test

import (
	"net/http/httptest"
	"testing"

	"github.com/renshi/renshi/internal/app/apptest"
)

// BenchmarkMe is the in-process cost of an authenticated GET /auth/me
// (session, account, roles and scopes resolved from the database).
func BenchmarkMe(b *testing.B) {
	e := apptest.New(b)
	cookie := e.Login("root").SessionCookie()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/api/v1/auth/me", nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		e.App.Handler.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}
