package employeeapi

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/web"
)

// ---- job changes (异动记录)

// ChangeListQuery are the filters of the job changes (list and export).
type ChangeListQuery struct {
	Q            string     `query:"q" maxLength:"100" doc:"the employee: name, pinyin, initials, number, mobile or email by prefix; or an exact ID number"`
	From         civil.Date `query:"from" doc:"effective on or after (YYYY-MM-DD)"`
	To           civil.Date `query:"to" doc:"effective on or before (YYYY-MM-DD)"`
	Reason       string     `query:"reason" doc:"change reasons, comma-separated: hire, regularise, transfer, promote, resign..."`
	DepartmentID string     `query:"departmentId" doc:"department ids, comma-separated: changes into or out of them"`
	IncludeSub   bool       `query:"includeSubDepartments" default:"true" doc:"include the departments below"`
}

func (q *ChangeListQuery) filter(page, size int) (employee.ChangeFilter, error) {
	f := employee.ChangeFilter{Query: q.Q, From: q.From, To: q.To, Reasons: web.SplitCSV(q.Reason), IncludeSub: q.IncludeSub, Page: page, Size: size}
	for _, s := range web.SplitCSV(q.DepartmentID) {
		id, err := ids.Parse(s)
		if err != nil {
			return f, errs.InvalidField("departmentId", "invalid_format")
		}
		f.DepartmentIDs = append(f.DepartmentIDs, id)
	}
	return f, nil
}

type changesInput struct {
	ChangeListQuery
	Page     int `query:"page" minimum:"1" default:"1" doc:"1-based page number"`
	PageSize int `query:"pageSize" minimum:"1" maximum:"200" default:"20" doc:"rows per page (at most 200)"`
}

func (h *handlers) changes(ctx context.Context, in *changesInput) (*web.Body[*employee.ChangePage], error) {
	f, err := in.filter(in.Page, in.PageSize)
	if err != nil {
		return nil, err
	}
	p, err := h.svc.Changes(ctx, f)
	if err != nil {
		return nil, err
	}
	return web.Reply(p), nil
}

type changesExportInput struct {
	ChangeListQuery
	web.ExportQuery
	Columns string `query:"columns" doc:"columns, comma-separated (default all): employeeNo, employeeName, validFrom, reason, fromDepartmentName, departmentName, fromPositionName, positionName, fromGradeName, gradeName, managerName, employmentType, status, leaveDate, note"`
}

func (h *handlers) exportChanges(ctx context.Context, in *changesExportInput) (*huma.StreamResponse, error) {
	f, err := in.filter(1, 0)
	if err != nil {
		return nil, err
	}
	x, err := h.svc.PrepareChangesExport(ctx, f, web.SplitCSV(in.Columns), i18n.FromContext(ctx))
	if err != nil {
		return nil, err
	}
	return web.Download(x.Title, in.ExportQuery, x.Title, func(ctx context.Context, w export.Writer) error {
		_, err := x.Write(ctx, w)
		return err
	}), nil
}
