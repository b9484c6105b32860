// Package auditapi exposes the audit log: list, export and verify.
package auditapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/jobs"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/web"
)

type handlers struct {
	log   *audit.Log
	queue *jobs.Queue
}

// Routes registers the route table.
func Routes(api *web.API, l *audit.Log, q *jobs.Queue) {
	h := &handlers{log: l, queue: q}
	tags := []string{"audit"}
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/audit", ID: "list-audit", Summary: "List the audit log", Tags: tags, Permission: rbac.AuditRead}, h.list)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/audit/export", ID: "export-audit", Summary: "Export the audit log", Tags: tags, Permission: rbac.AuditRead}, h.export)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/audit/verify", ID: "verify-audit", Summary: "Verify the hash chain in the background", Tags: tags, Permission: rbac.AuditVerify, Status: 202}, h.verify)
}

type AuditQuery struct {
	Actor      string    `query:"actor" maxLength:"64" doc:"actor login"`
	Action     string    `query:"action" maxLength:"64"`
	ObjectType string    `query:"objectType" maxLength:"64"`
	ObjectID   string    `query:"objectId" maxLength:"64"`
	From       time.Time `query:"from" doc:"RFC 3339 instant, inclusive"`
	To         time.Time `query:"to" doc:"RFC 3339 instant, exclusive"`
}

func (f AuditQuery) toFilter(page, size int) audit.Filter {
	return audit.Filter{Actor: f.Actor, Action: f.Action, ObjectType: f.ObjectType, ObjectID: f.ObjectID, From: f.From, To: f.To, Page: page, PageSize: size}
}

type listAuditInput struct {
	AuditQuery
	web.PageQuery
}

func (h *handlers) list(ctx context.Context, in *listAuditInput) (*web.Body[*web.Page[audit.Entry]], error) {
	items, total, err := h.log.List(ctx, in.toFilter(in.Page, in.PageSize))
	if err != nil {
		return nil, err
	}
	return web.Reply(web.NewPage(items, total, in.PageQuery)), nil
}

type exportAuditInput struct {
	AuditQuery
	web.ExportQuery
}

func (h *handlers) export(ctx context.Context, in *exportAuditInput) (*huma.StreamResponse, error) {
	if _, _, err := rbac.Require(ctx, rbac.AuditRead); err != nil {
		return nil, err
	}
	locale := i18n.FromContext(ctx)
	loc, err := time.LoadLocation(rbac.From(ctx).TimeZone)
	if err != nil {
		loc = time.UTC
	}
	name := i18n.T(locale, "export.audit", nil)
	return web.Download(name, in.ExportQuery, name, func(ctx context.Context, w export.Writer) error {
		header := []string{"seq"}
		for _, c := range []string{"at", "actor", "action", "objectType", "objectId", "diff", "requestId", "ip"} {
			header = append(header, web.FieldLabel(locale, c))
		}
		if err := w.Write(header); err != nil {
			return err
		}
		return h.log.Each(ctx, in.toFilter(0, 0), func(e *audit.Entry) error {
			return w.Write([]string{strconv.FormatInt(e.Seq, 10), e.At.In(loc).Format("2006-01-02 15:04:05"), e.ActorLogin, e.Action,
				e.ObjectType, e.ObjectID, string(e.Diff), e.RequestID, e.IP})
		})
	}), nil
}

type verifyOutput struct {
	Job *jobs.Job `json:"job"`
}

func (h *handlers) verify(ctx context.Context, _ *struct{}) (*web.Body[verifyOutput], error) {
	j, err := h.log.StartVerify(ctx, h.queue)
	if err != nil {
		return nil, err
	}
	return web.Reply(verifyOutput{Job: j}), nil
}
