package org

import (
	"context"
	"math"
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
)

// LegalEntity is a company of the group that signs labour contracts and
// pays salaries, taxes and social insurance.
type LegalEntity struct {
	bun.BaseModel `bun:"table:org_legal_entities,alias:x"`

	TenantID ids.ID `bun:"tenant_id,pk" json:"-"`
	ID       ids.ID `bun:"id,pk" json:"id"`
	Name     string `bun:"name" json:"name"`
	// CreditCode is the 统一社会信用代码 (GB 32100-2015), unique per tenant.
	CreditCode          string    `bun:"credit_code" json:"creditCode"`
	RegisteredAddress   string    `bun:"registered_address" json:"registeredAddress"`
	TaxCity             string    `bun:"tax_city" json:"taxCity"`
	SocialInsuranceCity string    `bun:"social_insurance_city" json:"socialInsuranceCity"`
	Active              bool      `bun:"active" json:"active"`
	Version             int       `bun:"version" json:"version"`
	CreatedAt           time.Time `bun:"created_at" json:"createdAt" audit:"-"`
	UpdatedAt           time.Time `bun:"updated_at" json:"updatedAt" audit:"-"`
}

// LegalEntityInput creates or changes a legal entity; nil keeps the
// current value (empty on create).
type LegalEntityInput struct {
	Name, CreditCode, RegisteredAddress, TaxCity, SocialInsuranceCity *string
	Active                                                            *bool
	Version                                                           int
}

// Apply validates the input and applies it to e.
func (in *LegalEntityInput) Apply(e *LegalEntity) error {
	set(&e.Name, in.Name)
	set(&e.CreditCode, in.CreditCode)
	set(&e.RegisteredAddress, in.RegisteredAddress)
	set(&e.TaxCity, in.TaxCity)
	set(&e.SocialInsuranceCity, in.SocialInsuranceCity)
	set(&e.Active, in.Active)
	var f errs.Fields
	checkText(&f, "name", &e.Name, 100, true)
	if code, ok := ValidateCreditCode(e.CreditCode); ok {
		e.CreditCode = code
	} else if e.CreditCode == "" {
		f.Add("creditCode", "required")
	} else {
		f.Add("creditCode", "org.credit_code_invalid")
	}
	checkText(&f, "registeredAddress", &e.RegisteredAddress, 200, false)
	checkText(&f, "taxCity", &e.TaxCity, 50, false)
	checkText(&f, "socialInsuranceCity", &e.SocialInsuranceCity, 50, false)
	return f.Err()
}

func (e *LegalEntity) init(id ids.ID, now time.Time) {
	e.ID, e.Version, e.CreatedAt, e.UpdatedAt = id, 1, now, now
}
func (e *LegalEntity) touch(now time.Time) { e.Version, e.UpdatedAt = e.Version+1, now }
func (e *LegalEntity) key() ids.ID         { return e.ID }
func (e *LegalEntity) version() int        { return e.Version }

// CostCenter is where a department's personnel costs are booked.
type CostCenter struct {
	bun.BaseModel `bun:"table:org_cost_centers,alias:x"`

	TenantID  ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID        ids.ID    `bun:"id,pk" json:"id"`
	Code      string    `bun:"code" json:"code"`
	Name      string    `bun:"name" json:"name"`
	Active    bool      `bun:"active" json:"active"`
	Version   int       `bun:"version" json:"version"`
	CreatedAt time.Time `bun:"created_at" json:"createdAt" audit:"-"`
	UpdatedAt time.Time `bun:"updated_at" json:"updatedAt" audit:"-"`
}

// CostCenterInput creates or changes a cost center; nil keeps the value.
type CostCenterInput struct {
	Code, Name *string
	Active     *bool
	Version    int
}

// Apply validates the input and applies it to c.
func (in *CostCenterInput) Apply(c *CostCenter) error {
	set(&c.Code, in.Code)
	set(&c.Name, in.Name)
	set(&c.Active, in.Active)
	var f errs.Fields
	checkCode(&f, "code", &c.Code)
	checkText(&f, "name", &c.Name, 100, true)
	return f.Err()
}

func (c *CostCenter) init(id ids.ID, now time.Time) {
	c.ID, c.Version, c.CreatedAt, c.UpdatedAt = id, 1, now, now
}
func (c *CostCenter) touch(now time.Time) { c.Version, c.UpdatedAt = c.Version+1, now }
func (c *CostCenter) key() ids.ID         { return c.ID }
func (c *CostCenter) version() int        { return c.Version }

// Punch radius limits and default of a work location, in meters.
const (
	MinPunchRadius     = 50
	MaxPunchRadius     = 5000
	DefaultPunchRadius = 300
)

// Location is a work location: where people work and, for attendance,
// the point and radius within which a mobile punch counts. Coordinates
// are degrees as the tenant's map provider gives them (GCJ-02 for maps
// of mainland China); both or neither are set.
type Location struct {
	bun.BaseModel `bun:"table:org_locations,alias:x"`

	TenantID          ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID                ids.ID    `bun:"id,pk" json:"id"`
	Name              string    `bun:"name" json:"name"`
	Address           string    `bun:"address" json:"address"`
	City              string    `bun:"city" json:"city"`
	Latitude          *float64  `bun:"-" json:"latitude"`
	Longitude         *float64  `bun:"-" json:"longitude"`
	PunchRadiusMeters int       `bun:"punch_radius_meters" json:"punchRadiusMeters"`
	Active            bool      `bun:"active" json:"active"`
	Version           int       `bun:"version" json:"version"`
	CreatedAt         time.Time `bun:"created_at" json:"createdAt" audit:"-"`
	UpdatedAt         time.Time `bun:"updated_at" json:"updatedAt" audit:"-"`

	// Stored as integers of 1e-7 degrees: exact on both engines.
	LatitudeE7  *int64 `bun:"latitude_e7" json:"-"`
	LongitudeE7 *int64 `bun:"longitude_e7" json:"-"`
}

var (
	_ bun.BeforeAppendModelHook = (*Location)(nil)
	_ bun.AfterScanRowHook      = (*Location)(nil)
)

// BeforeAppendModel converts the coordinates for storage.
func (l *Location) BeforeAppendModel(context.Context, bun.Query) error {
	l.LatitudeE7, l.LongitudeE7 = toE7(l.Latitude), toE7(l.Longitude)
	return nil
}

// AfterScanRow converts stored coordinates back to degrees.
func (l *Location) AfterScanRow(context.Context) error {
	l.Latitude, l.Longitude = fromE7(l.LatitudeE7), fromE7(l.LongitudeE7)
	return nil
}

func toE7(d *float64) *int64 {
	if d == nil {
		return nil
	}
	v := int64(math.Round(*d * 1e7))
	return &v
}

func fromE7(v *int64) *float64 {
	if v == nil {
		return nil
	}
	d := float64(*v) / 1e7
	return &d
}

// LocationInput creates or changes a work location; nil keeps the value.
// ClearCoordinates removes both coordinates.
type LocationInput struct {
	Name, Address, City *string
	Latitude, Longitude *float64
	ClearCoordinates    bool
	PunchRadiusMeters   *int
	Active              *bool
	Version             int
}

// Apply validates the input and applies it to l.
func (in *LocationInput) Apply(l *Location) error {
	set(&l.Name, in.Name)
	set(&l.Address, in.Address)
	set(&l.City, in.City)
	if in.ClearCoordinates {
		l.Latitude, l.Longitude = nil, nil
	}
	if in.Latitude != nil {
		v := *in.Latitude
		l.Latitude = &v
	}
	if in.Longitude != nil {
		v := *in.Longitude
		l.Longitude = &v
	}
	set(&l.PunchRadiusMeters, in.PunchRadiusMeters)
	set(&l.Active, in.Active)
	var f errs.Fields
	checkText(&f, "name", &l.Name, 100, true)
	checkText(&f, "address", &l.Address, 200, false)
	checkText(&f, "city", &l.City, 50, false)
	if l.Latitude != nil {
		v := *l.Latitude
		f.Check(!math.IsNaN(v) && v >= -90 && v <= 90, "latitude", "out_of_range", errs.Params{"min": -90, "max": 90})
	}
	if l.Longitude != nil {
		v := *l.Longitude
		f.Check(!math.IsNaN(v) && v >= -180 && v <= 180, "longitude", "out_of_range", errs.Params{"min": -180, "max": 180})
	}
	switch {
	case l.Latitude == nil && l.Longitude != nil:
		f.Add("latitude", "required")
	case l.Latitude != nil && l.Longitude == nil:
		f.Add("longitude", "required")
	}
	r := l.PunchRadiusMeters
	f.Check(r >= MinPunchRadius && r <= MaxPunchRadius, "punchRadiusMeters", "out_of_range", errs.Params{"min": MinPunchRadius, "max": MaxPunchRadius})
	return f.Err()
}

func (l *Location) init(id ids.ID, now time.Time) {
	l.ID, l.Version, l.CreatedAt, l.UpdatedAt = id, 1, now, now
}
func (l *Location) touch(now time.Time) { l.Version, l.UpdatedAt = l.Version+1, now }
func (l *Location) key() ids.ID         { return l.ID }
func (l *Location) version() int        { return l.Version }

// Grade is a job grade or level (职级), e.g. P5 or M2. Rank orders grades:
// a higher rank is a higher grade. Track groups them (professional "P",
// management "M", or the tenant's own).
type Grade struct {
	bun.BaseModel `bun:"table:org_grades,alias:x"`

	TenantID  ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID        ids.ID    `bun:"id,pk" json:"id"`
	Code      string    `bun:"code" json:"code"`
	Name      string    `bun:"name" json:"name"`
	Rank      int       `bun:"rank" json:"rank"`
	Track     string    `bun:"track" json:"track"`
	Active    bool      `bun:"active" json:"active"`
	Version   int       `bun:"version" json:"version"`
	CreatedAt time.Time `bun:"created_at" json:"createdAt" audit:"-"`
	UpdatedAt time.Time `bun:"updated_at" json:"updatedAt" audit:"-"`
}

// GradeInput creates or changes a grade; nil keeps the value.
type GradeInput struct {
	Code, Name, Track *string
	Rank              *int
	Active            *bool
	Version           int
}

// Apply validates the input and applies it to g.
func (in *GradeInput) Apply(g *Grade) error {
	set(&g.Code, in.Code)
	set(&g.Name, in.Name)
	set(&g.Track, in.Track)
	set(&g.Rank, in.Rank)
	set(&g.Active, in.Active)
	var f errs.Fields
	checkCode(&f, "code", &g.Code)
	checkText(&f, "name", &g.Name, 50, true)
	checkText(&f, "track", &g.Track, 20, false)
	f.Check(g.Rank >= 0 && g.Rank <= 9999, "rank", "out_of_range", errs.Params{"min": 0, "max": 9999})
	return f.Err()
}

func (g *Grade) init(id ids.ID, now time.Time) {
	g.ID, g.Version, g.CreatedAt, g.UpdatedAt = id, 1, now, now
}
func (g *Grade) touch(now time.Time) { g.Version, g.UpdatedAt = g.Version+1, now }
func (g *Grade) key() ids.ID         { return g.ID }
func (g *Grade) version() int        { return g.Version }

// Position is a job in the catalogue (岗位), with the range of grades it
// is held at and, per department, how many people are planned for it.
type Position struct {
	bun.BaseModel `bun:"table:org_positions,alias:x"`

	TenantID   ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID         ids.ID    `bun:"id,pk" json:"id"`
	Code       string    `bun:"code" json:"code"`
	Name       string    `bun:"name" json:"name"`
	JobFamily  string    `bun:"job_family" json:"jobFamily"`
	MinGradeID ids.ID    `bun:"min_grade_id,nullzero" json:"minGradeId,omitempty"`
	MaxGradeID ids.ID    `bun:"max_grade_id,nullzero" json:"maxGradeId,omitempty"`
	Active     bool      `bun:"active" json:"active"`
	Version    int       `bun:"version" json:"version"`
	CreatedAt  time.Time `bun:"created_at" json:"createdAt" audit:"-"`
	UpdatedAt  time.Time `bun:"updated_at" json:"updatedAt" audit:"-"`

	// Filled for display by the service.
	MinGradeName  string    `bun:"-" json:"minGradeName,omitempty" audit:"-"`
	MaxGradeName  string    `bun:"-" json:"maxGradeName,omitempty" audit:"-"`
	PlannedTotal  int       `bun:"-" json:"plannedTotal" audit:"-"`
	HeadcountPlan []PlanRow `bun:"-" json:"headcountPlan,omitempty" audit:"-"`
}

// PlanRow is the planned headcount of a position in one department.
type PlanRow struct {
	bun.BaseModel `bun:"table:org_headcount_plans,alias:hp"`

	TenantID     ids.ID `bun:"tenant_id,pk" json:"-"`
	PositionID   ids.ID `bun:"position_id,pk" json:"-"`
	DepartmentID ids.ID `bun:"department_id,pk" json:"departmentId"`
	Planned      int    `bun:"planned" json:"planned"`

	DepartmentName string `bun:"-" json:"departmentName,omitempty"`
}

// PositionInput creates or changes a position; nil keeps the value, a
// zero grade id clears the bound.
type PositionInput struct {
	Code, Name, JobFamily  *string
	MinGradeID, MaxGradeID *ids.ID
	Active                 *bool
	Version                int
}

// Apply validates the input's own fields and applies it to p; the
// service checks the grades.
func (in *PositionInput) Apply(p *Position) error {
	set(&p.Code, in.Code)
	set(&p.Name, in.Name)
	set(&p.JobFamily, in.JobFamily)
	set(&p.MinGradeID, in.MinGradeID)
	set(&p.MaxGradeID, in.MaxGradeID)
	set(&p.Active, in.Active)
	var f errs.Fields
	checkCode(&f, "code", &p.Code)
	checkText(&f, "name", &p.Name, 100, true)
	checkText(&f, "jobFamily", &p.JobFamily, 50, false)
	return f.Err()
}

func (p *Position) init(id ids.ID, now time.Time) {
	p.ID, p.Version, p.CreatedAt, p.UpdatedAt = id, 1, now, now
}
func (p *Position) touch(now time.Time) { p.Version, p.UpdatedAt = p.Version+1, now }
func (p *Position) key() ids.ID         { return p.ID }
func (p *Position) version() int        { return p.Version }

// MaxPlanned bounds one headcount plan row.
const MaxPlanned = 100000

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
