package approvalapi

import (
	"context"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/web"
)

// exportPage is how many requests each read of an export fetches.
const exportPage = 200

type exportMineInput struct {
	MineFilters
	web.ExportQuery
}

// exportMine streams a tab of the caller's approvals, as filtered.
func (h *handlers) exportMine(ctx context.Context, in *exportMineInput) (*huma.StreamResponse, error) {
	// The first page answers bad filters with a 422 before streaming starts.
	first, err := h.svc.MyApprovals(ctx, in.query(1, exportPage))
	if err != nil {
		return nil, err
	}
	return h.download(ctx, "export.myApprovals", in.ExportQuery, func(page int) ([]approval.Instance, error) {
		m := first
		if page > 1 {
			if m, err = h.svc.MyApprovals(ctx, in.query(page, exportPage)); err != nil {
				return nil, err
			}
		}
		out := make([]approval.Instance, len(m.Items))
		for i, it := range m.Items {
			out[i] = it.Instance
		}
		return out, nil
	}), nil
}

type exportListInput struct {
	ListFilters
	web.ExportQuery
}

// export streams the requests in the caller's scope, as filtered.
func (h *handlers) export(ctx context.Context, in *exportListInput) (*huma.StreamResponse, error) {
	first, _, err := h.svc.List(ctx, in.query(1, exportPage))
	if err != nil {
		return nil, err
	}
	return h.download(ctx, "export.approvals", in.ExportQuery, func(page int) ([]approval.Instance, error) {
		if page == 1 {
			return first, nil
		}
		list, _, err := h.svc.List(ctx, in.query(page, exportPage))
		return list, err
	}), nil
}

// download writes the requests read page by page, with translated type
// and state names and times in the tenant's zone.
func (h *handlers) download(ctx context.Context, nameKey string, q web.ExportQuery, read func(page int) ([]approval.Instance, error)) *huma.StreamResponse {
	locale := i18n.FromContext(ctx)
	loc := rbac.Zone(ctx)
	labels := map[string]string{}
	for _, t := range h.svc.Types() {
		labels[t.Code] = i18n.T(locale, t.Label, nil)
	}
	at := func(t *time.Time) string {
		if t == nil || t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	name := i18n.T(locale, nameKey, nil)
	return web.Download(name, q, name, func(ctx context.Context, w export.Writer) error {
		var header []string
		for _, c := range []string{"id", "requestType", "title", "applicantName", "state", "nodeName", "submittedAt", "finishedAt"} {
			header = append(header, web.FieldLabel(locale, c))
		}
		if err := w.Write(header); err != nil {
			return err
		}
		for page := 1; ; page++ {
			list, err := read(page)
			if err != nil {
				return err
			}
			for _, in := range list {
				node := ""
				if in.State == approval.StateRunning {
					node = in.NodeName
				}
				label := labels[in.RequestType]
				if label == "" {
					label = in.RequestType
				}
				if err := w.Write([]string{in.ID.String(), label, in.Title, in.ApplicantName,
					i18n.T(locale, "approval.state."+in.State, nil), node, at(&in.SubmittedAt), at(in.FinishedAt)}); err != nil {
					return err
				}
			}
			if len(list) < exportPage {
				return nil
			}
		}
	})
}
