package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
)

// Problem is an RFC 9457 problem document with Renshi's extensions: a
// stable code, the request id, and a per-field list a form can show.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail"`
	Code      string         `json:"code"`
	RequestID string         `json:"requestId,omitempty"`
	Params    map[string]any `json:"params,omitempty"`
	Errors    []FieldProblem `json:"errors,omitempty"`
}

// FieldProblem is one field's problem, translated.
type FieldProblem struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (p *Problem) Error() string  { return p.Code + ": " + p.Detail }
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes huma send application/problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

// statusOf is the one table from error kinds to HTTP statuses.
var statusOf = map[errs.Kind]int{
	errs.Internal:        http.StatusInternalServerError,
	errs.Invalid:         http.StatusUnprocessableEntity,
	errs.NotFound:        http.StatusNotFound,
	errs.Conflict:        http.StatusConflict,
	errs.Forbidden:       http.StatusForbidden,
	errs.Unauthenticated: http.StatusUnauthorized,
	errs.TooLarge:        http.StatusRequestEntityTooLarge,
	errs.TooMany:         http.StatusTooManyRequests,
	errs.Unavailable:     http.StatusServiceUnavailable,
}

// StatusOf returns the HTTP status for err.
func StatusOf(err error) int { return statusOf[errs.KindOf(err)] }

func init() {
	huma.NewErrorWithContext = func(hctx huma.Context, status int, msg string, list ...error) huma.StatusError {
		ctx := context.Background()
		if hctx != nil {
			ctx = hctx.Context()
		}
		return NewProblem(ctx, status, msg, list...)
	}
	huma.NewError = func(status int, msg string, list ...error) huma.StatusError {
		return NewProblem(context.Background(), status, msg, list...)
	}
}

// NewProblem converts errors into a translated problem. An *errs.Error
// decides the status; huma's own validation errors are translated field by
// field; anything else is an internal error, logged with the request id
// and shown only as "internal error".
func NewProblem(ctx context.Context, status int, msg string, list ...error) *Problem {
	locale := i18n.FromContext(ctx)
	rid := RequestID(ctx)
	for _, e := range list {
		var ee *errs.Error
		if errors.As(e, &ee) {
			return fromError(ctx, ee, locale, rid)
		}
	}
	if status == 0 { // huma asks for a sample error to describe the schema
		return problem(http.StatusInternalServerError, "internal", locale, rid, errs.Params{"requestId": rid}, nil)
	}
	if status >= 500 {
		var cause error
		if len(list) > 0 {
			cause = errors.Join(list...)
		}
		slog.ErrorContext(ctx, "internal error", "requestId", rid, "msg", msg, "err", cause)
		return problem(http.StatusInternalServerError, "internal", locale, rid, errs.Params{"requestId": rid}, nil)
	}
	var fields []FieldProblem
	for _, e := range list {
		var d *huma.ErrorDetail
		if errors.As(e, &d) {
			fields = append(fields, translateDetail(locale, d))
		}
	}
	code := "invalid"
	params := errs.Params(nil)
	switch status {
	case http.StatusRequestEntityTooLarge:
		code, params = "too_large", errs.Params{"limit": humanLimit(msg)}
	case http.StatusBadRequest:
		// A body that is not JSON at all has no fields to point at.
		if len(fields) == 0 || (len(fields) == 1 && fields[0].Field == "body") {
			code, fields = "malformed", nil
		}
	case http.StatusUnauthorized:
		code = "unauthenticated"
	case http.StatusForbidden:
		code = "forbidden"
	case http.StatusNotFound:
		code, params = "not_found", errs.Params{"object": i18n.T(locale, "object.resource", nil)}
	case http.StatusUnprocessableEntity:
		code = "invalid"
	default:
		if len(fields) == 0 {
			code = "malformed"
		}
	}
	return problem(status, code, locale, rid, params, fields)
}

func fromError(ctx context.Context, e *errs.Error, locale, rid string) *Problem {
	status := statusOf[e.Kind]
	if e.Kind == errs.Internal {
		slog.ErrorContext(ctx, "internal error", "requestId", rid, "err", e)
		return problem(status, "internal", locale, rid, errs.Params{"requestId": rid}, nil)
	}
	params := errs.Params{}
	for k, v := range e.Params {
		params[k] = v
	}
	// Object names are message keys themselves ("object.user").
	if o, ok := params["object"].(string); ok && strings.HasPrefix(o, "object.") {
		params["object"] = i18n.T(locale, o, nil)
	}
	var fields []FieldProblem
	for _, f := range e.Fields {
		fields = append(fields, FieldProblem{Field: f.Field, Code: f.Code, Message: fieldMessage(locale, f.Field, f.Code, f.Params)})
	}
	p := problem(status, e.Code, locale, rid, params, fields)
	p.Params = e.Params
	return p
}

func problem(status int, code, locale, rid string, params errs.Params, fields []FieldProblem) *Problem {
	return &Problem{
		Type:      "https://renshi.dev/problems/" + strings.ReplaceAll(code, ".", "/"),
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    i18n.T(locale, code, params),
		Code:      code,
		RequestID: rid,
		Errors:    fields,
	}
}

// fieldMessage translates a field problem, naming the field by its label
// ("field.<last path segment>") in the user's language.
func fieldMessage(locale, field, code string, params errs.Params) string {
	p := map[string]any{}
	for k, v := range params {
		p[k] = v
	}
	p["field"] = FieldLabel(locale, field)
	return i18n.T(locale, code, p)
}

var indexSuffix = regexp.MustCompile(`\[\d+\]$`)

// FieldLabel names a field path for people: "grants[0].scope" → "数据范围".
func FieldLabel(locale, field string) string {
	last := field
	if i := strings.LastIndex(field, "."); i >= 0 {
		last = field[i+1:]
	}
	last = indexSuffix.ReplaceAllString(last, "")
	if i18n.Has(locale, "field."+last) || i18n.Has(i18n.EN, "field."+last) {
		return i18n.T(locale, "field."+last, nil)
	}
	return field
}

var (
	reRequired  = regexp.MustCompile(`^expected required property (\S+) to be present$`)
	reMaxLength = regexp.MustCompile(`^expected length <= (\d+)$`)
	reMinLength = regexp.MustCompile(`^expected length >= (\d+)$`)
	reMaxNumber = regexp.MustCompile(`^expected number <= (\S+)$`)
	reMinNumber = regexp.MustCompile(`^expected number >= (\S+)$`)
	reMaxItems  = regexp.MustCompile(`^expected array length <= (\d+)$`)
	reType      = regexp.MustCompile(`^expected (string|number|integer|boolean|array|object)$`)
)

// translateDetail maps huma's English validation messages to our codes.
func translateDetail(locale string, d *huma.ErrorDetail) FieldProblem {
	field := strings.TrimPrefix(d.Location, "body.")
	field = strings.TrimPrefix(field, "body")
	for _, pre := range []string{"query.", "path.", "header.", "cookie."} {
		field = strings.TrimPrefix(field, pre)
	}
	code, params := "invalid_format", errs.Params{}
	m := d.Message
	switch {
	case reRequired.MatchString(m):
		name := reRequired.FindStringSubmatch(m)[1]
		if field != "" {
			field += "." + name
		} else {
			field = name
		}
		code = "required"
	case m == "unexpected property":
		code = "unknown_field"
	case reMaxLength.MatchString(m):
		code, params["max"] = "too_long", reMaxLength.FindStringSubmatch(m)[1]
	case reMinLength.MatchString(m):
		code, params["min"] = "too_short", reMinLength.FindStringSubmatch(m)[1]
	case reMaxNumber.MatchString(m):
		code, params["max"] = "max_value", reMaxNumber.FindStringSubmatch(m)[1]
	case reMinNumber.MatchString(m):
		code, params["min"] = "min_value", reMinNumber.FindStringSubmatch(m)[1]
	case reMaxItems.MatchString(m):
		code, params["max"] = "too_many_items", reMaxItems.FindStringSubmatch(m)[1]
	case strings.HasPrefix(m, "expected value to be one of"):
		code = "invalid_choice"
	case strings.HasPrefix(m, "expected string to be RFC 5322 email"):
		code = "invalid_email"
	case strings.HasPrefix(m, "expected string to be RFC 3339"):
		code = "invalid_date"
	case reType.MatchString(m):
		code, params["type"] = "expected_type", reType.FindStringSubmatch(m)[1]
	}
	if field == "" {
		field = "body"
	}
	return FieldProblem{Field: field, Code: code, Message: fieldMessage(locale, field, code, params)}
}

var reLimit = regexp.MustCompile(`limit=(\d+)`)

// humanLimit turns huma's "request body is too large limit=1048576 bytes"
// into "1 MiB".
func humanLimit(msg string) string {
	m := reLimit.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	var n int64
	fmt.Sscan(m[1], &n)
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
