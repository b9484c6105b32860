package app

import (
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// uiHandler serves the embedded single-page app: files as they are
// (hashed assets cached for a year), any other path gets index.html so
// client-side routes survive a reload.
func uiHandler(files fs.FS) http.Handler {
	if files == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(`<!doctype html><meta charset="utf-8"><title>Renshi</title>
<p>The web UI is not part of this build. Run <code>make build</code> (or <code>make run</code>); the API is at <a href="/api/docs">/api/docs</a>.</p>`))
		})
	}
	static := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if p != "" && p != "index.html" {
			if st, err := fs.Stat(files, p); err == nil && !st.IsDir() {
				if strings.HasPrefix(p, "assets/") {
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				static.ServeHTTP(w, r)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
		http.ServeFileFS(w, r, files, "index.html")
	})
}
