package orgapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/export"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/web"
)

func catalogRoutes(api *web.API, h *handlers) {
	read, manage := org.PermRead, org.PermManage

	lt := []string{"legal entities"}
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/legal-entities", ID: "list-legal-entities", Summary: "List legal entities", Tags: lt, Permission: read}, h.listLegalEntities)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/legal-entities/export", ID: "export-legal-entities", Summary: "Export legal entities", Tags: lt, Permission: read}, h.exportLegalEntities)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/legal-entities", ID: "create-legal-entity", Summary: "Create a legal entity", Tags: lt, Permission: manage, Status: 201}, h.createLegalEntity)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/legal-entities/{id}", ID: "get-legal-entity", Summary: "Get a legal entity", Tags: lt, Permission: read}, h.getLegalEntity)
	web.Register(api, web.Op{Method: http.MethodPatch, Path: "/legal-entities/{id}", ID: "update-legal-entity", Summary: "Update a legal entity", Tags: lt, Permission: manage}, h.updateLegalEntity)

	ct := []string{"cost centers"}
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/cost-centers", ID: "list-cost-centers", Summary: "List cost centers", Tags: ct, Permission: read}, h.listCostCenters)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/cost-centers/export", ID: "export-cost-centers", Summary: "Export cost centers", Tags: ct, Permission: read}, h.exportCostCenters)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/cost-centers", ID: "create-cost-center", Summary: "Create a cost center", Tags: ct, Permission: manage, Status: 201}, h.createCostCenter)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/cost-centers/{id}", ID: "get-cost-center", Summary: "Get a cost center", Tags: ct, Permission: read}, h.getCostCenter)
	web.Register(api, web.Op{Method: http.MethodPatch, Path: "/cost-centers/{id}", ID: "update-cost-center", Summary: "Update a cost center", Tags: ct, Permission: manage}, h.updateCostCenter)

	wt := []string{"work locations"}
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/locations", ID: "list-locations", Summary: "List work locations", Tags: wt, Permission: read}, h.listLocations)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/locations/export", ID: "export-locations", Summary: "Export work locations", Tags: wt, Permission: read}, h.exportLocations)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/locations", ID: "create-location", Summary: "Create a work location", Tags: wt, Permission: manage, Status: 201}, h.createLocation)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/locations/{id}", ID: "get-location", Summary: "Get a work location", Tags: wt, Permission: read}, h.getLocation)
	web.Register(api, web.Op{Method: http.MethodPatch, Path: "/locations/{id}", ID: "update-location", Summary: "Update a work location", Tags: wt, Permission: manage}, h.updateLocation)

	gt := []string{"grades"}
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/grades", ID: "list-grades", Summary: "List grades", Tags: gt, Permission: read}, h.listGrades)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/grades/export", ID: "export-grades", Summary: "Export grades", Tags: gt, Permission: read}, h.exportGrades)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/grades", ID: "create-grade", Summary: "Create a grade", Tags: gt, Permission: manage, Status: 201}, h.createGrade)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/grades/{id}", ID: "get-grade", Summary: "Get a grade", Tags: gt, Permission: read}, h.getGrade)
	web.Register(api, web.Op{Method: http.MethodPatch, Path: "/grades/{id}", ID: "update-grade", Summary: "Update a grade", Tags: gt, Permission: manage}, h.updateGrade)

	pt := []string{"positions"}
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/positions", ID: "list-positions", Summary: "List positions", Tags: pt, Permission: read}, h.listPositions)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/positions/export", ID: "export-positions", Summary: "Export positions", Tags: pt, Permission: read}, h.exportPositions)
	web.Register(api, web.Op{Method: http.MethodPost, Path: "/positions", ID: "create-position", Summary: "Create a position", Tags: pt, Permission: manage, Status: 201}, h.createPosition)
	web.Register(api, web.Op{Method: http.MethodGet, Path: "/positions/{id}", ID: "get-position", Summary: "Get a position with its headcount plan", Tags: pt, Permission: read}, h.getPosition)
	web.Register(api, web.Op{Method: http.MethodPatch, Path: "/positions/{id}", ID: "update-position", Summary: "Update a position", Tags: pt, Permission: manage}, h.updatePosition)
	web.Register(api, web.Op{Method: http.MethodPut, Path: "/positions/{id}/headcount-plan", ID: "set-position-headcount-plan", Summary: "Replace a position's headcount plan", Tags: pt, Permission: manage}, h.setHeadcountPlan)
}

// CatalogQuery filters every catalogue list and export.
type CatalogQuery struct {
	Q      string `query:"q" maxLength:"100" doc:"code, name (and for some lists address or job family) contains"`
	Active string `query:"active" enum:"true,false," doc:"only active (true) or inactive (false) records"`
}

func (q CatalogQuery) filter(p web.PageQuery) org.ListFilter {
	return org.ListFilter{Query: q.Q, Active: activeFilter(q.Active), Sort: p.Sort, Page: p.Page, Size: p.PageSize}
}

type orgCatalogListInput struct {
	CatalogQuery
	web.PageQuery
}

type orgCatalogExportInput struct {
	CatalogQuery
	web.ExportQuery
	Sort string `query:"sort"`
}

func page[T any](items []T, total int, err error, q web.PageQuery) (*web.Body[*web.Page[T]], error) {
	if err != nil {
		return nil, err
	}
	return web.Reply(web.NewPage(items, total, q)), nil
}

func reply[T any](v T, err error) (*web.Body[T], error) {
	if err != nil {
		return nil, err
	}
	return web.Reply(v), nil
}

// download streams an export whose rows come from each. The permission
// is checked before the status is sent (each checks it again).
func download[T any](ctx context.Context, in *orgCatalogExportInput, name string, cols []string,
	each func(context.Context, org.ListFilter, func(*T) error) error, row func(locale string, v *T) []string) (*huma.StreamResponse, error) {
	if _, _, err := rbac.Require(ctx, org.PermRead); err != nil {
		return nil, err
	}
	f := in.filter(web.PageQuery{Sort: in.Sort})
	locale := i18n.FromContext(ctx)
	title := i18n.T(locale, name, nil)
	return web.Download(title, in.ExportQuery, title, func(ctx context.Context, w export.Writer) error {
		header := make([]string, len(cols))
		for i, c := range cols {
			header[i] = web.FieldLabel(locale, c)
		}
		if err := w.Write(header); err != nil {
			return err
		}
		return each(ctx, f, func(v *T) error { return w.Write(row(locale, v)) })
	}), nil
}

func state(locale string, active bool) string {
	if active {
		return i18n.T(locale, "org.state.active", nil)
	}
	return i18n.T(locale, "org.state.inactive", nil)
}

func degrees(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// ---- legal entities

// OrgLegalEntityBody is the body of legal entity writes. The body types
// are exported because huma reads only exported embedded structs, and
// prefixed because its schema names are global.
type OrgLegalEntityBody struct {
	Name                *string `json:"name,omitempty" required:"false" maxLength:"100" doc:"required on create"`
	CreditCode          *string `json:"creditCode,omitempty" required:"false" maxLength:"40" doc:"统一社会信用代码, 18 characters; required on create"`
	RegisteredAddress   *string `json:"registeredAddress,omitempty" required:"false" maxLength:"200"`
	TaxCity             *string `json:"taxCity,omitempty" required:"false" maxLength:"50"`
	SocialInsuranceCity *string `json:"socialInsuranceCity,omitempty" required:"false" maxLength:"50"`
	Active              *bool   `json:"active,omitempty" required:"false"`
}

func (b OrgLegalEntityBody) input(version int) org.LegalEntityInput {
	return org.LegalEntityInput{Name: b.Name, CreditCode: b.CreditCode, RegisteredAddress: b.RegisteredAddress,
		TaxCity: b.TaxCity, SocialInsuranceCity: b.SocialInsuranceCity, Active: b.Active, Version: version}
}

type orgLegalEntityCreateInput struct {
	Body OrgLegalEntityBody
}

type orgLegalEntityUpdateInput struct {
	web.IDPath
	Body struct {
		OrgLegalEntityBody
		Version int `json:"version" minimum:"1"`
	}
}

func (h *handlers) listLegalEntities(ctx context.Context, in *orgCatalogListInput) (*web.Body[*web.Page[org.LegalEntity]], error) {
	items, total, err := h.svc.LegalEntities(ctx, in.filter(in.PageQuery))
	return page(items, total, err, in.PageQuery)
}

func (h *handlers) exportLegalEntities(ctx context.Context, in *orgCatalogExportInput) (*huma.StreamResponse, error) {
	return download(ctx, in, "export.legal_entities", []string{"name", "creditCode", "registeredAddress", "taxCity", "socialInsuranceCity", "active"},
		h.svc.EachLegalEntity, func(locale string, e *org.LegalEntity) []string {
			return []string{e.Name, e.CreditCode, e.RegisteredAddress, e.TaxCity, e.SocialInsuranceCity, state(locale, e.Active)}
		})
}

func (h *handlers) createLegalEntity(ctx context.Context, in *orgLegalEntityCreateInput) (*web.Body[*org.LegalEntity], error) {
	return reply(h.svc.CreateLegalEntity(ctx, in.Body.input(0)))
}

func (h *handlers) getLegalEntity(ctx context.Context, in *web.IDPath) (*web.Body[*org.LegalEntity], error) {
	return reply(h.svc.LegalEntity(ctx, in.ID))
}

func (h *handlers) updateLegalEntity(ctx context.Context, in *orgLegalEntityUpdateInput) (*web.Body[*org.LegalEntity], error) {
	return reply(h.svc.UpdateLegalEntity(ctx, in.ID, in.Body.input(in.Body.Version)))
}

// ---- cost centers

// OrgCostCenterBody is the body of cost center writes.
type OrgCostCenterBody struct {
	Code   *string `json:"code,omitempty" required:"false" maxLength:"32" doc:"unique; required on create"`
	Name   *string `json:"name,omitempty" required:"false" maxLength:"100" doc:"required on create"`
	Active *bool   `json:"active,omitempty" required:"false"`
}

func (b OrgCostCenterBody) input(version int) org.CostCenterInput {
	return org.CostCenterInput{Code: b.Code, Name: b.Name, Active: b.Active, Version: version}
}

type orgCostCenterCreateInput struct {
	Body OrgCostCenterBody
}

type orgCostCenterUpdateInput struct {
	web.IDPath
	Body struct {
		OrgCostCenterBody
		Version int `json:"version" minimum:"1"`
	}
}

func (h *handlers) listCostCenters(ctx context.Context, in *orgCatalogListInput) (*web.Body[*web.Page[org.CostCenter]], error) {
	items, total, err := h.svc.CostCenters(ctx, in.filter(in.PageQuery))
	return page(items, total, err, in.PageQuery)
}

func (h *handlers) exportCostCenters(ctx context.Context, in *orgCatalogExportInput) (*huma.StreamResponse, error) {
	return download(ctx, in, "export.cost_centers", []string{"code", "name", "active"},
		h.svc.EachCostCenter, func(locale string, c *org.CostCenter) []string {
			return []string{c.Code, c.Name, state(locale, c.Active)}
		})
}

func (h *handlers) createCostCenter(ctx context.Context, in *orgCostCenterCreateInput) (*web.Body[*org.CostCenter], error) {
	return reply(h.svc.CreateCostCenter(ctx, in.Body.input(0)))
}

func (h *handlers) getCostCenter(ctx context.Context, in *web.IDPath) (*web.Body[*org.CostCenter], error) {
	return reply(h.svc.CostCenter(ctx, in.ID))
}

func (h *handlers) updateCostCenter(ctx context.Context, in *orgCostCenterUpdateInput) (*web.Body[*org.CostCenter], error) {
	return reply(h.svc.UpdateCostCenter(ctx, in.ID, in.Body.input(in.Body.Version)))
}

// ---- work locations

// OrgLocationBody is the body of work location writes.
type OrgLocationBody struct {
	Name              *string  `json:"name,omitempty" required:"false" maxLength:"100" doc:"required on create"`
	Address           *string  `json:"address,omitempty" required:"false" maxLength:"200"`
	City              *string  `json:"city,omitempty" required:"false" maxLength:"50"`
	Latitude          optFloat `json:"latitude,omitempty" required:"false" doc:"degrees, -90..90 (with longitude); null clears both"`
	Longitude         optFloat `json:"longitude,omitempty" required:"false" doc:"degrees, -180..180 (with latitude); null clears both"`
	PunchRadiusMeters *int     `json:"punchRadiusMeters,omitempty" required:"false" doc:"50..5000, default 300"`
	Active            *bool    `json:"active,omitempty" required:"false"`
}

func (b OrgLocationBody) input(version int) org.LocationInput {
	in := org.LocationInput{Name: b.Name, Address: b.Address, City: b.City, PunchRadiusMeters: b.PunchRadiusMeters, Active: b.Active, Version: version}
	in.Latitude, in.Longitude = b.Latitude.V, b.Longitude.V
	in.ClearCoordinates = b.Latitude.Set && b.Latitude.V == nil || b.Longitude.Set && b.Longitude.V == nil
	return in
}

type orgLocationCreateInput struct {
	Body OrgLocationBody
}

type orgLocationUpdateInput struct {
	web.IDPath
	Body struct {
		OrgLocationBody
		Version int `json:"version" minimum:"1"`
	}
}

func (h *handlers) listLocations(ctx context.Context, in *orgCatalogListInput) (*web.Body[*web.Page[org.Location]], error) {
	items, total, err := h.svc.Locations(ctx, in.filter(in.PageQuery))
	return page(items, total, err, in.PageQuery)
}

func (h *handlers) exportLocations(ctx context.Context, in *orgCatalogExportInput) (*huma.StreamResponse, error) {
	return download(ctx, in, "export.locations", []string{"name", "city", "address", "latitude", "longitude", "punchRadiusMeters", "active"},
		h.svc.EachLocation, func(locale string, l *org.Location) []string {
			return []string{l.Name, l.City, l.Address, degrees(l.Latitude), degrees(l.Longitude), strconv.Itoa(l.PunchRadiusMeters), state(locale, l.Active)}
		})
}

func (h *handlers) createLocation(ctx context.Context, in *orgLocationCreateInput) (*web.Body[*org.Location], error) {
	return reply(h.svc.CreateLocation(ctx, in.Body.input(0)))
}

func (h *handlers) getLocation(ctx context.Context, in *web.IDPath) (*web.Body[*org.Location], error) {
	return reply(h.svc.Location(ctx, in.ID))
}

func (h *handlers) updateLocation(ctx context.Context, in *orgLocationUpdateInput) (*web.Body[*org.Location], error) {
	return reply(h.svc.UpdateLocation(ctx, in.ID, in.Body.input(in.Body.Version)))
}

// ---- grades

// OrgGradeBody is the body of grade writes.
type OrgGradeBody struct {
	Code   *string `json:"code,omitempty" required:"false" maxLength:"32" doc:"e.g. P5 or M2; unique; required on create"`
	Name   *string `json:"name,omitempty" required:"false" maxLength:"50" doc:"required on create"`
	Rank   *int    `json:"rank,omitempty" required:"false" doc:"orders grades: higher is more senior (0..9999)"`
	Track  *string `json:"track,omitempty" required:"false" maxLength:"20" doc:"P (professional), M (management) or the tenant's own"`
	Active *bool   `json:"active,omitempty" required:"false"`
}

func (b OrgGradeBody) input(version int) org.GradeInput {
	return org.GradeInput{Code: b.Code, Name: b.Name, Rank: b.Rank, Track: b.Track, Active: b.Active, Version: version}
}

type orgGradeCreateInput struct {
	Body OrgGradeBody
}

type orgGradeUpdateInput struct {
	web.IDPath
	Body struct {
		OrgGradeBody
		Version int `json:"version" minimum:"1"`
	}
}

func (h *handlers) listGrades(ctx context.Context, in *orgCatalogListInput) (*web.Body[*web.Page[org.Grade]], error) {
	items, total, err := h.svc.Grades(ctx, in.filter(in.PageQuery))
	return page(items, total, err, in.PageQuery)
}

func (h *handlers) exportGrades(ctx context.Context, in *orgCatalogExportInput) (*huma.StreamResponse, error) {
	return download(ctx, in, "export.grades", []string{"code", "name", "rank", "track", "active"},
		h.svc.EachGrade, func(locale string, g *org.Grade) []string {
			return []string{g.Code, g.Name, strconv.Itoa(g.Rank), g.Track, state(locale, g.Active)}
		})
}

func (h *handlers) createGrade(ctx context.Context, in *orgGradeCreateInput) (*web.Body[*org.Grade], error) {
	return reply(h.svc.CreateGrade(ctx, in.Body.input(0)))
}

func (h *handlers) getGrade(ctx context.Context, in *web.IDPath) (*web.Body[*org.Grade], error) {
	return reply(h.svc.Grade(ctx, in.ID))
}

func (h *handlers) updateGrade(ctx context.Context, in *orgGradeUpdateInput) (*web.Body[*org.Grade], error) {
	return reply(h.svc.UpdateGrade(ctx, in.ID, in.Body.input(in.Body.Version)))
}

// ---- positions

// OrgPositionBody is the body of position writes.
type OrgPositionBody struct {
	Code       *string `json:"code,omitempty" required:"false" maxLength:"32" doc:"unique; required on create"`
	Name       *string `json:"name,omitempty" required:"false" maxLength:"100" doc:"required on create"`
	JobFamily  *string `json:"jobFamily,omitempty" required:"false" maxLength:"50"`
	MinGradeID optID   `json:"minGradeId,omitempty" required:"false" doc:"lowest grade; null for none"`
	MaxGradeID optID   `json:"maxGradeId,omitempty" required:"false" doc:"highest grade; null for none"`
	Active     *bool   `json:"active,omitempty" required:"false"`
}

func (b OrgPositionBody) input(version int) org.PositionInput {
	return org.PositionInput{Code: b.Code, Name: b.Name, JobFamily: b.JobFamily, MinGradeID: b.MinGradeID.ptr(),
		MaxGradeID: b.MaxGradeID.ptr(), Active: b.Active, Version: version}
}

type orgPositionCreateInput struct {
	Body OrgPositionBody
}

type orgPositionUpdateInput struct {
	web.IDPath
	Body struct {
		OrgPositionBody
		Version int `json:"version" minimum:"1"`
	}
}

func (h *handlers) listPositions(ctx context.Context, in *orgCatalogListInput) (*web.Body[*web.Page[org.Position]], error) {
	items, total, err := h.svc.Positions(ctx, in.filter(in.PageQuery))
	return page(items, total, err, in.PageQuery)
}

func (h *handlers) exportPositions(ctx context.Context, in *orgCatalogExportInput) (*huma.StreamResponse, error) {
	return download(ctx, in, "export.positions", []string{"code", "name", "jobFamily", "minGradeId", "maxGradeId", "plannedTotal", "active"},
		h.svc.EachPosition, func(locale string, p *org.Position) []string {
			return []string{p.Code, p.Name, p.JobFamily, p.MinGradeName, p.MaxGradeName, strconv.Itoa(p.PlannedTotal), state(locale, p.Active)}
		})
}

func (h *handlers) createPosition(ctx context.Context, in *orgPositionCreateInput) (*web.Body[*org.Position], error) {
	return reply(h.svc.CreatePosition(ctx, in.Body.input(0)))
}

func (h *handlers) getPosition(ctx context.Context, in *web.IDPath) (*web.Body[*org.Position], error) {
	p, err := h.svc.Position(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if p.HeadcountPlan, err = h.svc.HeadcountPlan(ctx, in.ID); err != nil {
		return nil, err
	}
	return web.Reply(p), nil
}

func (h *handlers) updatePosition(ctx context.Context, in *orgPositionUpdateInput) (*web.Body[*org.Position], error) {
	return reply(h.svc.UpdatePosition(ctx, in.ID, in.Body.input(in.Body.Version)))
}

type orgHeadcountPlanRow struct {
	DepartmentID optID `json:"departmentId"`
	Planned      int   `json:"planned" minimum:"0" maximum:"100000"`
}

type orgHeadcountPlanInput struct {
	web.IDPath
	Body struct {
		Rows []orgHeadcountPlanRow `json:"rows" maxItems:"2000" doc:"the whole plan: one row per department"`
	}
}

type orgHeadcountPlan struct {
	Rows []org.PlanRow `json:"rows"`
}

func (h *handlers) setHeadcountPlan(ctx context.Context, in *orgHeadcountPlanInput) (*web.Body[orgHeadcountPlan], error) {
	rows := make([]org.PlanRow, len(in.Body.Rows))
	for i, r := range in.Body.Rows {
		rows[i] = org.PlanRow{DepartmentID: r.DepartmentID.ID, Planned: r.Planned}
	}
	out, err := h.svc.SetHeadcountPlan(ctx, in.ID, rows)
	if err != nil {
		return nil, err
	}
	return web.Reply(orgHeadcountPlan{Rows: out}), nil
}
