package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/rbac"
)

type requestIDKey struct{}

// RequestID returns the request's id ("" outside a request).
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var (
	httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "renshi_http_request_duration_seconds",
		Help:    "HTTP request latency by route pattern, method and status.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method", "status"})
)

// Collectors are the web layer's Prometheus metrics.
func Collectors() []prometheus.Collector { return []prometheus.Collector{httpDuration} }

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush lets streaming exports push data.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Observe assigns a request id, logs the request, records metrics and
// turns panics into a logged internal error.
func Observe(log *slog.Logger, trustProxy bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rid := r.Header.Get("X-Request-Id")
		if !validRequestID.MatchString(rid) {
			rid = newRequestID()
		}
		w.Header().Set("X-Request-Id", rid)
		ip := clientIP(r, trustProxy)
		ctx := context.WithValue(r.Context(), requestIDKey{}, rid)
		ctx = audit.WithOrigin(ctx, audit.Origin{RequestID: rid, IP: ip})
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				log.ErrorContext(ctx, "panic", "requestId", rid, "panic", p, "stack", string(debug.Stack()))
				if sw.status == 0 {
					WriteProblem(sw, r.WithContext(ctx), NewProblem(ctx, 500, "panic"))
				}
			}
			route := r.Pattern
			if route == "" {
				route = "other"
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start)
			httpDuration.WithLabelValues(route, r.Method, strconv.Itoa(status)).Observe(d.Seconds())
			lvl := slog.LevelDebug
			if status >= 500 {
				lvl = slog.LevelError
			} else if strings.HasPrefix(r.URL.Path, "/api/") {
				lvl = slog.LevelInfo
			}
			log.Log(ctx, lvl, "http", "requestId", rid, "method", r.Method, "path", r.URL.Path,
				"status", status, "bytes", sw.bytes, "ms", float64(d.Microseconds())/1000, "ip", ip)
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

func clientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xf := r.Header.Get("X-Forwarded-For"); xf != "" {
			first, _, _ := strings.Cut(xf, ",")
			return strings.TrimSpace(first)
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SecurityHeaders sets headers every response should carry.
func SecurityHeaders(secure bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// Authenticator resolves the caller from a request: a session cookie or a
// bearer token. It returns nil without error for anonymous requests.
type Authenticator func(r *http.Request) (*rbac.Principal, error)

// Authenticate puts the caller and the locale into the request context.
// A bad credential is not an error here: the route decides whether it
// needs a principal, and answers 401 itself.
func Authenticate(auth Authenticator, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		p, err := auth(r)
		if err != nil {
			slog.DebugContext(ctx, "authentication failed", "requestId", RequestID(ctx), "err", err)
		}
		if p != nil {
			ctx = rbac.WithPrincipal(ctx, p)
		}
		ctx = i18n.WithLocale(ctx, negotiate(r, p))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// negotiate prefers the browser's Accept-Language (the UI sends its
// current language), then the user's saved language.
func negotiate(r *http.Request, p *rbac.Principal) string {
	if al := r.Header.Get("Accept-Language"); al != "" {
		return i18n.Negotiate(al)
	}
	if p != nil && p.Locale != "" {
		return p.Locale
	}
	return i18n.ZH
}

// CSRF rejects cross-origin unsafe requests made with cookies, using the
// browser's Sec-Fetch-Site and Origin headers (Go's CrossOriginProtection).
// Requests without those headers (curl, integrations with bearer tokens)
// pass; they carry no ambient cookie authority from a browser.
func CSRF(trustedOrigins []string, next http.Handler) http.Handler {
	c := http.NewCrossOriginProtection()
	for _, o := range trustedOrigins {
		_ = c.AddTrustedOrigin(o)
	}
	c.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteProblem(w, r, &Problem{Type: "https://renshi.dev/problems/csrf", Title: http.StatusText(403), Status: 403,
			Code: "csrf", Detail: i18n.T(i18n.Negotiate(r.Header.Get("Accept-Language")), "csrf", nil), RequestID: RequestID(r.Context())})
	}))
	return c.Handler(next)
}
