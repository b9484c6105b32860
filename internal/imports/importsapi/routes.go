// Package importsapi exposes spreadsheet imports over HTTP: targets and
// templates, upload, mapping, the dry run and the commit (background
// jobs), cancel, rollback, cell errors, the error report, the original
// file, the history and saved mappings.
package importsapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/web"
)

type handlers struct{ svc *imports.Service }

// Routes registers the route table. Every route is open to signed-in
// users: what a caller may import is the permission of each target
// (employee.record.create for employees, ...), which the service checks
// on every call (403 naming it); batches of another tenant, and others'
// batches for callers whose scope is not the whole tenant, are 404.
func Routes(api *web.API, svc *imports.Service) {
	aliasSchemas(api)
	h := &handlers{svc: svc}
	tags := []string{"imports"}
	o := func(method, path, id, summary string, status int) web.Op {
		return web.Op{Method: method, Path: path, ID: id, Summary: summary, Tags: tags, Permission: web.Authenticated, Status: status}
	}
	const get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	web.Register(api, o(get, "/imports/targets", "list-import-targets", "What the caller may import into, with columns, keys and choices", 0), h.targets)
	web.Register(api, o(get, "/imports/targets/{target}/template", "get-import-template", "An empty file to fill in: header, example row, dropdowns and notes", 0), h.template)
	up := o(post, "/imports", "upload-import", "Upload a file (multipart: file, target): a batch with its sheets, header, first rows and a suggested mapping", 201)
	up.MaxBody = svc.MaxBytes() + 64<<10 // the multipart envelope
	up.BodyTimeout = 10 * time.Minute    // 100 MiB over a slow line
	web.Register(api, up, h.upload)
	web.Register(api, o(get, "/imports", "list-imports", "Import history: who, when, file, counts, state", 0), h.list)
	web.Register(api, o(get, "/imports/mappings", "list-import-mappings", "Saved and predefined column mappings of a target", 0), h.mappings)
	web.Register(api, o(post, "/imports/mappings", "save-import-mapping", "Save a named column mapping (replaces one of the same name)", 201), h.saveMapping)
	web.Register(api, o(del, "/imports/mappings/{id}", "delete-import-mapping", "Delete a saved column mapping", 204), h.deleteMapping)
	web.Register(api, o(get, "/imports/{id}", "get-import", "A batch with its counts and the progress of its job", 0), h.get)
	web.Register(api, o(put, "/imports/{id}/mapping", "set-import-mapping", "Set the column mapping, upsert key and mode (or switch sheet)", 0), h.setMapping)
	web.Register(api, o(post, "/imports/{id}/check", "check-import", "Start the dry run (a background job)", 202), h.check)
	web.Register(api, o(get, "/imports/{id}/errors", "list-import-errors", "The problems found, per cell", 0), h.errors)
	web.Register(api, o(get, "/imports/{id}/report", "get-import-report", "The error report: the file with failing cells marked", 0), h.report)
	web.Register(api, o(post, "/imports/{id}/commit", "commit-import", "Start the import (a background job; one transaction)", 202), h.commit)
	web.Register(api, o(post, "/imports/{id}/cancel", "cancel-import", "Stop the running dry run or import; nothing is left written", 0), h.cancel)
	web.Register(api, o(post, "/imports/{id}/rollback", "rollback-import", "Undo an import, unless later changes touched its records", 0), h.rollback)
	web.Register(api, o(get, "/imports/{id}/file", "get-import-file", "The uploaded file", 0), h.file)
}

// Schema names are global in the OpenAPI document: the module's types
// appear under prefixed names.
type (
	ImportBatch        imports.View
	ImportTarget       imports.TargetInfo
	ImportColumn       imports.Column
	ImportCounts       imports.Counts
	ImportCellError    imports.CellError
	ImportSavedMapping imports.SavedMapping
)

func aliasSchemas(api *web.API) {
	r := api.OpenAPI().Components.Schemas
	for from, to := range map[reflect.Type]reflect.Type{
		reflect.TypeFor[imports.View]():         reflect.TypeFor[ImportBatch](),
		reflect.TypeFor[imports.TargetInfo]():   reflect.TypeFor[ImportTarget](),
		reflect.TypeFor[imports.Column]():       reflect.TypeFor[ImportColumn](),
		reflect.TypeFor[imports.Counts]():       reflect.TypeFor[ImportCounts](),
		reflect.TypeFor[imports.CellError]():    reflect.TypeFor[ImportCellError](),
		reflect.TypeFor[imports.SavedMapping](): reflect.TypeFor[ImportSavedMapping](),
	} {
		r.RegisterTypeAlias(from, to)
	}
}

func reply[T any](v T, err error) (*web.Body[T], error) {
	if err != nil {
		return nil, err
	}
	return web.Reply(v), nil
}

// ---- targets and templates

// ImportTargets are the targets the caller may import into.
type ImportTargets struct {
	Items []imports.TargetInfo `json:"items"`
}

func (h *handlers) targets(ctx context.Context, _ *struct{}) (*web.Body[*ImportTargets], error) {
	items, err := h.svc.Targets(ctx)
	if err != nil {
		return nil, err
	}
	return web.Reply(&ImportTargets{Items: items}), nil
}

type templateInput struct {
	Target string `path:"target" maxLength:"64"`
	Format string `query:"format" enum:"xlsx,csv" default:"xlsx" doc:"file format"`
}

func (h *handlers) template(ctx context.Context, in *templateInput) (*huma.StreamResponse, error) {
	var buf bytes.Buffer
	name, err := h.svc.Template(ctx, in.Target, in.Format, &buf)
	if err != nil {
		return nil, err
	}
	ct := export.XLSX.ContentType()
	if in.Format == "csv" {
		ct = export.CSV.ContentType()
	}
	return stream(io.NopCloser(&buf), ct, name), nil
}

// ---- upload and batches

// ImportUploadForm is an upload.
type ImportUploadForm struct {
	File   huma.FormFile `form:"file" contentType:"application/octet-stream" required:"true" doc:".xlsx, or CSV/TSV in UTF-8, UTF-16 or GBK/GB18030; at most 100 MiB"`
	Target string        `form:"target" required:"true" maxLength:"64" doc:"the target's name, e.g. employees"`
}

type uploadInput struct {
	RawBody huma.MultipartFormFiles[ImportUploadForm]
}

func (h *handlers) upload(ctx context.Context, in *uploadInput) (*web.Body[*imports.View], error) {
	form := in.RawBody.Data()
	if form == nil || !form.File.IsSet {
		return nil, errs.InvalidField("file", "required")
	}
	defer form.File.Close()
	if form.File.Size > h.svc.MaxBytes() {
		return nil, errs.E(errs.TooLarge, "too_large", errs.Params{"limit": megabytes(h.svc.MaxBytes())})
	}
	if form.Target == "" {
		return nil, errs.InvalidField("target", "required")
	}
	return reply(h.svc.Upload(ctx, form.Target, form.File.Filename, form.File, form.File.Size))
}

func megabytes(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }

type listInput struct {
	Target string     `query:"target" maxLength:"64"`
	State  string     `query:"state" enum:"uploaded,checking,checked,importing,imported,failed,cancelled,rolled_back,"`
	Q      string     `query:"q" maxLength:"100" doc:"file name or uploader contains"`
	From   civil.Date `query:"from" doc:"uploaded on or after this day (YYYY-MM-DD)"`
	To     civil.Date `query:"to" doc:"uploaded on or before this day (YYYY-MM-DD)"`
	web.PageQuery
}

func (h *handlers) list(ctx context.Context, in *listInput) (*web.Body[*web.Page[imports.View]], error) {
	f := imports.Filter{Target: in.Target, State: in.State, Query: in.Q, Page: in.Page, PageSize: in.PageSize}
	loc := rbac.Zone(ctx)
	if !in.From.IsZero() {
		f.From = in.From.In(loc)
	}
	if !in.To.IsZero() {
		f.To = in.To.AddDays(1).In(loc)
	}
	items, total, err := h.svc.List(ctx, f)
	if err != nil {
		return nil, err
	}
	return web.Reply(web.NewPage(items, total, in.PageQuery)), nil
}

func (h *handlers) get(ctx context.Context, in *web.IDPath) (*web.Body[*imports.View], error) {
	return reply(h.svc.Get(ctx, in.ID))
}

// ImportMappingBody sets a batch's mapping, key and mode.
type ImportMappingBody struct {
	Mapping           map[string]string `json:"mapping" required:"false" doc:"{header text: column key}; unmapped headers left out or \"\""`
	Key               string            `json:"key,omitempty" required:"false" maxLength:"64" doc:"upsert key, one of the target's keys (default: the first)"`
	Mode              string            `json:"mode,omitempty" required:"false" enum:"all,valid," doc:"all (default): nothing is imported while any row fails; valid: the rows that pass"`
	CreateDepartments bool              `json:"createDepartments,omitempty" required:"false" doc:"create departments the file names that do not exist"`
	Sheet             string            `json:"sheet,omitempty" required:"false" maxLength:"200" doc:"switch to another worksheet (its header is found again)"`
	MappingName       string            `json:"mappingName,omitempty" required:"false" maxLength:"200" doc:"also save the mapping under this name"`
}

type mappingInput struct {
	web.IDPath
	Body ImportMappingBody
}

func (h *handlers) setMapping(ctx context.Context, in *mappingInput) (*web.Body[*imports.View], error) {
	b := in.Body
	return reply(h.svc.SetMapping(ctx, in.ID, imports.MappingInput{Mapping: b.Mapping, Key: b.Key, Mode: b.Mode,
		CreateDepartments: b.CreateDepartments, Sheet: b.Sheet, MappingName: b.MappingName}))
}

func (h *handlers) check(ctx context.Context, in *web.IDPath) (*web.Body[*imports.View], error) {
	return reply(h.svc.Check(ctx, in.ID))
}

func (h *handlers) commit(ctx context.Context, in *web.IDPath) (*web.Body[*imports.View], error) {
	return reply(h.svc.Commit(ctx, in.ID))
}

func (h *handlers) cancel(ctx context.Context, in *web.IDPath) (*web.Body[*imports.View], error) {
	return reply(h.svc.Cancel(ctx, in.ID))
}

func (h *handlers) rollback(ctx context.Context, in *web.IDPath) (*web.Body[*imports.View], error) {
	return reply(h.svc.Rollback(ctx, in.ID))
}

type errorsInput struct {
	web.IDPath
	web.PageQuery
}

func (h *handlers) errors(ctx context.Context, in *errorsInput) (*web.Body[*web.Page[imports.CellError]], error) {
	items, total, err := h.svc.Errors(ctx, in.ID, in.Page, in.PageSize)
	if err != nil {
		return nil, err
	}
	return web.Reply(web.NewPage(items, total, in.PageQuery)), nil
}

func (h *handlers) report(ctx context.Context, in *web.IDPath) (*huma.StreamResponse, error) {
	v, err := h.svc.Get(ctx, in.ID) // access is decided before the status is sent
	if err != nil {
		return nil, err
	}
	name := imports.ReportName(ctx, v.Batch)
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		hctx.SetHeader("Content-Type", export.XLSX.ContentType())
		hctx.SetHeader("Content-Disposition", export.ContentDisposition(name))
		hctx.SetHeader("Cache-Control", "private, no-store")
		hctx.SetHeader("X-Content-Type-Options", "nosniff")
		hctx.SetStatus(http.StatusOK)
		if err := h.svc.Report(hctx.Context(), in.ID, hctx.BodyWriter()); err != nil {
			// Headers are gone; the truncated file and the log say it failed.
			slog.ErrorContext(hctx.Context(), "import error report failed", "requestId", web.RequestID(hctx.Context()), "batch", in.ID, "err", err)
		}
	}}, nil
}

func (h *handlers) file(ctx context.Context, in *web.IDPath) (*huma.StreamResponse, error) {
	rc, b, ct, err := h.svc.File(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return stream(rc, ct, b.FileName), nil
}

// stream sends a file as an attachment.
func stream(rc io.ReadCloser, contentType, name string) *huma.StreamResponse {
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		defer rc.Close()
		hctx.SetHeader("Content-Type", contentType)
		hctx.SetHeader("X-Content-Type-Options", "nosniff")
		hctx.SetHeader("Cache-Control", "private, no-store")
		hctx.SetHeader("Content-Disposition", export.ContentDisposition(name))
		hctx.SetStatus(http.StatusOK)
		_, _ = io.Copy(hctx.BodyWriter(), rc)
	}}
}

// ---- saved mappings

// ImportMappings are a target's saved and predefined mappings.
type ImportMappings struct {
	Items []imports.SavedMapping `json:"items"`
}

type mappingsInput struct {
	Target string `query:"target" required:"true" maxLength:"64"`
}

func (h *handlers) mappings(ctx context.Context, in *mappingsInput) (*web.Body[*ImportMappings], error) {
	items, err := h.svc.Mappings(ctx, in.Target)
	if err != nil {
		return nil, err
	}
	return web.Reply(&ImportMappings{Items: items}), nil
}

// ImportSaveMappingBody names a mapping.
type ImportSaveMappingBody struct {
	Target  string            `json:"target" maxLength:"64"`
	Name    string            `json:"name" maxLength:"200"`
	Mapping map[string]string `json:"mapping"`
	Key     string            `json:"key,omitempty" required:"false" maxLength:"64"`
}

type saveMappingInput struct {
	Body ImportSaveMappingBody
}

func (h *handlers) saveMapping(ctx context.Context, in *saveMappingInput) (*web.Body[*imports.SavedMapping], error) {
	b := in.Body
	return reply(h.svc.SaveMapping(ctx, imports.SaveMappingInput{Target: b.Target, Name: b.Name, Mapping: b.Mapping, Key: b.Key}))
}

func (h *handlers) deleteMapping(ctx context.Context, in *web.IDPath) (*web.Empty, error) {
	if err := h.svc.DeleteMapping(ctx, in.ID); err != nil {
		return nil, err
	}
	return &web.Empty{}, nil
}
