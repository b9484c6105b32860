// Package orgapi exposes the organisation over HTTP: departments (as of
// any day, with scheduled changes), legal entities, cost centers, work
// locations, grades and positions with their headcount plans.
package orgapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/web"
)

type handlers struct{ svc *org.Service }

// Routes registers the route table.
func Routes(api *web.API, svc *org.Service) {
	h := &handlers{svc: svc}
	read, manage := org.PermRead, org.PermManage

	dt := []string{"departments"}
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/departments", ID: "list-departments", Summary: "List departments as of a day, with path names", Tags: dt, Permission: read}, h.listDepartments)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/departments/export", ID: "export-departments", Summary: "Export departments as of a day", Tags: dt, Permission: read}, h.exportDepartments)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/departments/tree", ID: "department-tree", Summary: "The department tree as of a day, with heads and headcounts", Tags: dt, Permission: read}, h.tree)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/departments", ID: "create-department", Summary: "Create a department from an effective date", Tags: dt, Permission: manage, Status: 201}, h.createDepartment)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/departments/{id}", ID: "get-department", Summary: "A department as of a day, with its version history", Tags: dt, Permission: read}, h.getDepartment)
	web.Register(api, web.Op{Method: http.MethodPatch, Path: "/departments/{id}", ID: "update-department", Summary: "Change a department from an effective date", Tags: dt, Permission: manage}, h.updateDepartment)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/departments/{id}/move", ID: "move-department", Summary: "Move a department under another from an effective date", Tags: dt, Permission: manage}, h.moveDepartment)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/departments/{id}/deactivate", ID: "deactivate-department", Summary: "Deactivate a department from an effective date", Tags: dt, Permission: manage}, h.deactivateDepartment)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/departments/{id}/activate", ID: "activate-department", Summary: "Reactivate a department from an effective date", Tags: dt, Permission: manage}, h.activateDepartment)
	web.Register(api, web.Op{Method: http.MethodDelete, Path: "/departments/{id}/versions/{versionId}", ID: "cancel-department-change", Summary: "Cancel a department's scheduled (not yet effective) last change", Tags: dt, Permission: manage}, h.cancelDepartmentChange)

	catalogRoutes(api, h)
}

// optID is an optional id in a request body: absent leaves the value
// alone, null or "" (or "0") clears it, a decimal string sets it.
type optID struct {
	Set bool
	ID  ids.ID
}

func (o *optID) UnmarshalJSON(b []byte) error {
	o.Set = true
	return o.ID.UnmarshalJSON(b)
}

// Schema documents optID: a decimal string, empty, or null.
func (optID) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Pattern: "^[0-9]{0,19}$", Nullable: true,
		Description: "object id as a decimal string; null or empty for none"}
}

// ptr is the update form: nil when absent.
func (o optID) ptr() *ids.ID {
	if !o.Set {
		return nil
	}
	v := o.ID
	return &v
}

// activeFilter turns the "active" query value into a filter.
func activeFilter(s string) *bool {
	switch s {
	case "true":
		v := true
		return &v
	case "false":
		v := false
		return &v
	}
	return nil
}

// ---- departments

// DepartmentQuery filters the department list and export (exported:
// huma reads parameters only from exported embedded structs).
type DepartmentQuery struct {
	On     civil.Date `query:"on" doc:"as of this day (YYYY-MM-DD); default today in the tenant's time zone"`
	Q      string     `query:"q" maxLength:"100" doc:"code or name contains"`
	Active string     `query:"active" enum:"true,false," doc:"only active (true) or inactive (false) departments"`
}

func (q DepartmentQuery) filter(p web.PageQuery, all bool) org.DepartmentFilter {
	return org.DepartmentFilter{On: q.On, Query: q.Q, Active: activeFilter(q.Active), Sort: p.Sort, Page: p.Page, Size: p.PageSize, All: all}
}

type orgDepartmentListInput struct {
	DepartmentQuery
	web.PageQuery
}

func (h *handlers) listDepartments(ctx context.Context, in *orgDepartmentListInput) (*web.Body[*web.Page[org.DepartmentItem]], error) {
	items, total, err := h.svc.Departments(ctx, in.filter(in.PageQuery, false))
	if err != nil {
		return nil, err
	}
	return web.Reply(web.NewPage(items, total, in.PageQuery)), nil
}

type orgDepartmentTreeInput struct {
	On     civil.Date `query:"on" doc:"as of this day (YYYY-MM-DD); default today in the tenant's time zone"`
	RootID ids.ID     `query:"rootId" doc:"only this department and those below it"`
	Active string     `query:"active" enum:"true,false," doc:"true: leave out inactive departments"`
}

type orgDepartmentTree struct {
	Items []*org.DepartmentNode `json:"items"`
}

func (h *handlers) tree(ctx context.Context, in *orgDepartmentTreeInput) (*web.Body[orgDepartmentTree], error) {
	nodes, err := h.svc.Chart(ctx, in.On, in.RootID, in.Active == "true")
	if err != nil {
		return nil, err
	}
	return web.Reply(orgDepartmentTree{Items: nodes}), nil
}

type orgDepartmentGetInput struct {
	web.IDPath
	On civil.Date `query:"on" doc:"as of this day; default today (or, for a department opening later, its first day)"`
}

type orgDepartmentDetail struct {
	org.DepartmentItem
	History []org.DepartmentVersion `json:"history" doc:"every version, oldest first; future ones are scheduled changes"`
}

func (h *handlers) getDepartment(ctx context.Context, in *orgDepartmentGetInput) (*web.Body[orgDepartmentDetail], error) {
	d, err := h.svc.DepartmentView(ctx, in.ID, in.On, in.On.IsZero())
	if err != nil {
		return nil, err
	}
	hist, err := h.svc.DepartmentHistory(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return web.Reply(orgDepartmentDetail{DepartmentItem: *d, History: hist}), nil
}

type orgDepartmentCreateInput struct {
	Body struct {
		Code           string     `json:"code" maxLength:"32"`
		Name           string     `json:"name" maxLength:"100"`
		ParentID       optID      `json:"parentId,omitempty" required:"false"`
		HeadEmployeeID optID      `json:"headEmployeeId,omitempty" required:"false"`
		CostCenterID   optID      `json:"costCenterId,omitempty" required:"false"`
		LocationID     optID      `json:"locationId,omitempty" required:"false"`
		LegalEntityID  optID      `json:"legalEntityId,omitempty" required:"false"`
		EffectiveDate  civil.Date `json:"effectiveDate,omitempty" required:"false" format:"date" doc:"first day of the department; default today"`
	}
}

func (h *handlers) createDepartment(ctx context.Context, in *orgDepartmentCreateInput) (*web.Body[*org.Department], error) {
	b := in.Body
	d, err := h.svc.CreateDepartment(ctx, org.NewDepartment{Code: b.Code, Name: b.Name, ParentID: b.ParentID.ID,
		HeadEmployeeID: b.HeadEmployeeID.ID, CostCenterID: b.CostCenterID.ID, LocationID: b.LocationID.ID,
		LegalEntityID: b.LegalEntityID.ID, EffectiveDate: b.EffectiveDate})
	if err != nil {
		return nil, err
	}
	return web.Reply(d), nil
}

type orgDepartmentUpdateInput struct {
	web.IDPath
	Body struct {
		Name           *string    `json:"name,omitempty" required:"false" maxLength:"100"`
		HeadEmployeeID optID      `json:"headEmployeeId,omitempty" required:"false"`
		CostCenterID   optID      `json:"costCenterId,omitempty" required:"false"`
		LocationID     optID      `json:"locationId,omitempty" required:"false"`
		LegalEntityID  optID      `json:"legalEntityId,omitempty" required:"false"`
		EffectiveDate  civil.Date `json:"effectiveDate,omitempty" required:"false" format:"date" doc:"default today; a later day schedules the change"`
		Version        int        `json:"version" minimum:"1"`
	}
}

func (h *handlers) updateDepartment(ctx context.Context, in *orgDepartmentUpdateInput) (*web.Body[*org.Department], error) {
	b := in.Body
	d, err := h.svc.UpdateDepartment(ctx, in.ID, org.DepartmentUpdate{Name: b.Name, HeadEmployeeID: b.HeadEmployeeID.ptr(),
		CostCenterID: b.CostCenterID.ptr(), LocationID: b.LocationID.ptr(), LegalEntityID: b.LegalEntityID.ptr(),
		EffectiveDate: b.EffectiveDate, Version: b.Version})
	if err != nil {
		return nil, err
	}
	return web.Reply(d), nil
}

type orgDepartmentMoveInput struct {
	web.IDPath
	Body struct {
		ParentID      optID      `json:"parentId" doc:"the new parent; null for a top-level department"`
		EffectiveDate civil.Date `json:"effectiveDate,omitempty" required:"false" format:"date" doc:"default today; a later day schedules the move"`
		Version       int        `json:"version,omitempty" required:"false" doc:"when given, must be the department's current version"`
	}
}

func (h *handlers) moveDepartment(ctx context.Context, in *orgDepartmentMoveInput) (*web.Body[*org.Department], error) {
	b := in.Body
	d, err := h.svc.MoveDepartment(ctx, in.ID, b.ParentID.ID, org.DepartmentChange{EffectiveDate: b.EffectiveDate, Version: b.Version})
	if err != nil {
		return nil, err
	}
	return web.Reply(d), nil
}

type orgDepartmentChangeInput struct {
	web.IDPath
	Body struct {
		EffectiveDate civil.Date `json:"effectiveDate,omitempty" required:"false" format:"date" doc:"default today; a later day schedules the change"`
		Version       int        `json:"version,omitempty" required:"false" doc:"when given, must be the department's current version"`
	}
}

func (h *handlers) deactivateDepartment(ctx context.Context, in *orgDepartmentChangeInput) (*web.Body[*org.Department], error) {
	d, err := h.svc.DeactivateDepartment(ctx, in.ID, org.DepartmentChange{EffectiveDate: in.Body.EffectiveDate, Version: in.Body.Version})
	if err != nil {
		return nil, err
	}
	return web.Reply(d), nil
}

func (h *handlers) activateDepartment(ctx context.Context, in *orgDepartmentChangeInput) (*web.Body[*org.Department], error) {
	d, err := h.svc.ActivateDepartment(ctx, in.ID, org.DepartmentChange{EffectiveDate: in.Body.EffectiveDate, Version: in.Body.Version})
	if err != nil {
		return nil, err
	}
	return web.Reply(d), nil
}

type orgDepartmentCancelInput struct {
	web.IDPath
	VersionID ids.ID `path:"versionId" doc:"the scheduled version to cancel"`
}

func (h *handlers) cancelDepartmentChange(ctx context.Context, in *orgDepartmentCancelInput) (*web.Body[*org.Department], error) {
	d, err := h.svc.CancelDepartmentChange(ctx, in.ID, in.VersionID)
	if err != nil {
		return nil, err
	}
	return web.Reply(d), nil
}

type orgDepartmentExportInput struct {
	DepartmentQuery
	web.ExportQuery
	Sort string `query:"sort" doc:"code or name (- for descending); default tree order"`
}

func (h *handlers) exportDepartments(ctx context.Context, in *orgDepartmentExportInput) (*huma.StreamResponse, error) {
	// Read before streaming: a refusal must still get its status.
	items, _, err := h.svc.Departments(ctx, in.filter(web.PageQuery{Sort: in.Sort}, true))
	if err != nil {
		return nil, err
	}
	locale := i18n.FromContext(ctx)
	title := i18n.T(locale, "export.departments", nil)
	cols := []string{"code", "name", "pathName", "headName", "costCenterId", "locationId", "legalEntityId", "active", "validFrom"}
	return web.Download(title, in.ExportQuery, title, func(ctx context.Context, w export.Writer) error {
		header := make([]string, len(cols))
		for i, c := range cols {
			header[i] = web.FieldLabel(locale, c)
		}
		if err := w.Write(header); err != nil {
			return err
		}
		for _, d := range items {
			head := d.HeadName
			if head == "" && d.HeadEmployeeID != 0 {
				head = d.HeadEmployeeID.String()
			}
			if err := w.Write([]string{d.Code, d.Name, d.PathName, head, d.CostCenterName, d.LocationName,
				d.LegalEntityName, state(locale, d.Active), d.ValidFrom.String()}); err != nil {
				return err
			}
		}
		return nil
	}), nil
}
