// Package jobsapi exposes background jobs: list, detail, retry, cancel
// and export.
package jobsapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/jobs"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/web"
)

type handlers struct{ q *jobs.Queue }

// Routes registers the route table.
func Routes(api *web.API, q *jobs.Queue) {
	h := &handlers{q: q}
	tags := []string{"jobs"}
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/jobs", ID: "list-jobs", Summary: "List background jobs", Tags: tags, Permission: rbac.JobRead}, h.list)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/jobs/export", ID: "export-jobs", Summary: "Export background jobs", Tags: tags, Permission: rbac.JobRead}, h.export)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/jobs/{id}", ID: "get-job", Summary: "Get a background job", Tags: tags, Permission: rbac.JobRead}, h.get)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/jobs/{id}/retry", ID: "retry-job", Summary: "Retry a failed or cancelled job", Tags: tags, Permission: rbac.JobManage}, h.retry)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/jobs/{id}/cancel", ID: "cancel-job", Summary: "Cancel a queued or running job", Tags: tags, Permission: rbac.JobManage}, h.cancel)
}

type JobQuery struct {
	State string `query:"state" enum:"queued,running,succeeded,failed,cancelled,"`
	Kind  string `query:"kind" maxLength:"64"`
}

type listJobInput struct {
	JobQuery
	web.PageQuery
}

func (h *handlers) list(ctx context.Context, in *listJobInput) (*web.Body[*web.Page[jobs.Job]], error) {
	items, total, err := h.q.List(ctx, jobs.Filter{State: in.State, Kind: in.Kind, Page: in.Page, PageSize: in.PageSize})
	if err != nil {
		return nil, err
	}
	return web.Reply(web.NewPage(items, total, in.PageQuery)), nil
}

type exportJobInput struct {
	JobQuery
	web.ExportQuery
}

func (h *handlers) export(ctx context.Context, in *exportJobInput) (*huma.StreamResponse, error) {
	if _, _, err := rbac.Require(ctx, rbac.JobRead); err != nil {
		return nil, err
	}
	locale := i18n.FromContext(ctx)
	loc, err := time.LoadLocation(rbac.From(ctx).TimeZone)
	if err != nil {
		loc = time.UTC
	}
	name := i18n.T(locale, "export.jobs", nil)
	return web.Download(name, in.ExportQuery, name, func(ctx context.Context, w export.Writer) error {
		header := []string{}
		for _, c := range []string{"id", "kind", "state", "progress", "message", "attempt", "lastError", "createdAt", "finishedAt"} {
			header = append(header, web.FieldLabel(locale, c))
		}
		if err := w.Write(header); err != nil {
			return err
		}
		for page := 1; ; page++ {
			items, _, err := h.q.List(ctx, jobs.Filter{State: in.State, Kind: in.Kind, Page: page, PageSize: 100})
			if err != nil {
				return err
			}
			for _, j := range items {
				finished := ""
				if !j.FinishedAt.IsZero() {
					finished = j.FinishedAt.In(loc).Format("2006-01-02 15:04:05")
				}
				if err := w.Write([]string{j.ID.String(), j.Kind, i18n.T(locale, "job.state."+string(j.State), nil),
					strconv.Itoa(j.Progress), j.Message, strconv.Itoa(j.Attempt), j.LastError,
					j.CreatedAt.In(loc).Format("2006-01-02 15:04:05"), finished}); err != nil {
					return err
				}
			}
			if len(items) < 100 {
				return nil
			}
		}
	}), nil
}

func (h *handlers) get(ctx context.Context, in *web.IDPath) (*web.Body[*jobs.Job], error) {
	j, err := h.q.Get(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return web.Reply(j), nil
}

func (h *handlers) retry(ctx context.Context, in *web.IDPath) (*web.Body[*jobs.Job], error) {
	j, err := h.q.Retry(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return web.Reply(j), nil
}

func (h *handlers) cancel(ctx context.Context, in *web.IDPath) (*web.Body[*jobs.Job], error) {
	j, err := h.q.Cancel(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return web.Reply(j), nil
}

func init() {
	i18n.Register(i18n.ZH, map[string]string{
		"export.jobs":          "后台任务",
		"jobs.not_retryable":   "只有失败或已取消的任务可以重试",
		"jobs.not_cancellable": "任务已结束，不能取消",
		"field.id":             "编号",
		"field.kind":           "类型",
		"field.state":          "状态",
		"field.progress":       "进度",
		"field.message":        "说明",
		"field.attempt":        "尝试次数",
		"field.lastError":      "最近错误",
		"field.finishedAt":     "完成时间",
		"job.state.queued":     "排队中",
		"job.state.running":    "运行中",
		"job.state.succeeded":  "已完成",
		"job.state.failed":     "失败",
		"job.state.cancelled":  "已取消",
	})
	i18n.Register(i18n.EN, map[string]string{
		"export.jobs":          "jobs",
		"jobs.not_retryable":   "Only failed or cancelled jobs can be retried",
		"jobs.not_cancellable": "The job has finished and cannot be cancelled",
		"field.id":             "ID",
		"field.kind":           "Kind",
		"field.state":          "State",
		"field.progress":       "Progress",
		"field.message":        "Message",
		"field.attempt":        "Attempt",
		"field.lastError":      "Last error",
		"field.finishedAt":     "Finished",
		"job.state.queued":     "Queued",
		"job.state.running":    "Running",
		"job.state.succeeded":  "Succeeded",
		"job.state.failed":     "Failed",
		"job.state.cancelled":  "Cancelled",
	})
}
