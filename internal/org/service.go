package org

import (
	"context"
	"strconv"
	"time"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Service holds the organisation's rules. Every operation checks the
// caller's permission; every write runs in one transaction with its
// audit record.
type Service struct {
	db        *db.DB
	store     Store
	audit     *audit.Log
	headcount Headcount
	now       func() time.Time
}

// NewService builds the service.
func NewService(d *db.DB, s Store, a *audit.Log) *Service {
	return &Service{db: d, store: s, audit: a, now: time.Now}
}

// SetHeadcount installs the employee module's staffing counts (nil:
// every department is empty).
func (s *Service) SetHeadcount(h Headcount) { s.headcount = h }

// ---- legal entities

// LegalEntities lists legal entities.
func (s *Service) LegalEntities(ctx context.Context, f ListFilter) ([]LegalEntity, int, error) {
	return list(ctx, s.store.LegalEntities(), f)
}

// EachLegalEntity streams legal entities (exports).
func (s *Service) EachLegalEntity(ctx context.Context, f ListFilter, fn func(*LegalEntity) error) error {
	return each(ctx, s.store.LegalEntities(), f, fn)
}

// LegalEntity returns one legal entity.
func (s *Service) LegalEntity(ctx context.Context, id ids.ID) (*LegalEntity, error) {
	return get(ctx, s.store.LegalEntities(), id)
}

// CreateLegalEntity adds a legal entity.
func (s *Service) CreateLegalEntity(ctx context.Context, in LegalEntityInput) (*LegalEntity, error) {
	return create(ctx, s, s.store.LegalEntities(), ObjectLegalEntity, &LegalEntity{Active: true}, s.fillLegalEntity(in))
}

// UpdateLegalEntity changes a legal entity.
func (s *Service) UpdateLegalEntity(ctx context.Context, id ids.ID, in LegalEntityInput) (*LegalEntity, error) {
	return update(ctx, s, s.store.LegalEntities(), ObjectLegalEntity, id, in.Version, s.fillLegalEntity(in))
}

func (s *Service) fillLegalEntity(in LegalEntityInput) func(context.Context, *LegalEntity) error {
	return func(ctx context.Context, e *LegalEntity) error {
		if err := in.Apply(e); err != nil {
			return err
		}
		return unique(ctx, s.store.LegalEntities(), "creditCode", e.CreditCode, e.ID)
	}
}

// ---- cost centers

// CostCenters lists cost centers.
func (s *Service) CostCenters(ctx context.Context, f ListFilter) ([]CostCenter, int, error) {
	return list(ctx, s.store.CostCenters(), f)
}

// EachCostCenter streams cost centers (exports).
func (s *Service) EachCostCenter(ctx context.Context, f ListFilter, fn func(*CostCenter) error) error {
	return each(ctx, s.store.CostCenters(), f, fn)
}

// CostCenter returns one cost center.
func (s *Service) CostCenter(ctx context.Context, id ids.ID) (*CostCenter, error) {
	return get(ctx, s.store.CostCenters(), id)
}

// CreateCostCenter adds a cost center.
func (s *Service) CreateCostCenter(ctx context.Context, in CostCenterInput) (*CostCenter, error) {
	return create(ctx, s, s.store.CostCenters(), ObjectCostCenter, &CostCenter{Active: true}, s.fillCostCenter(in))
}

// UpdateCostCenter changes a cost center.
func (s *Service) UpdateCostCenter(ctx context.Context, id ids.ID, in CostCenterInput) (*CostCenter, error) {
	return update(ctx, s, s.store.CostCenters(), ObjectCostCenter, id, in.Version, s.fillCostCenter(in))
}

func (s *Service) fillCostCenter(in CostCenterInput) func(context.Context, *CostCenter) error {
	return func(ctx context.Context, c *CostCenter) error {
		if err := in.Apply(c); err != nil {
			return err
		}
		return unique(ctx, s.store.CostCenters(), "code", c.Code, c.ID)
	}
}

// ---- work locations

// Locations lists work locations.
func (s *Service) Locations(ctx context.Context, f ListFilter) ([]Location, int, error) {
	return list(ctx, s.store.Locations(), f)
}

// EachLocation streams work locations (exports).
func (s *Service) EachLocation(ctx context.Context, f ListFilter, fn func(*Location) error) error {
	return each(ctx, s.store.Locations(), f, fn)
}

// Location returns one work location.
func (s *Service) Location(ctx context.Context, id ids.ID) (*Location, error) {
	return get(ctx, s.store.Locations(), id)
}

// CreateLocation adds a work location (punch radius 300 m by default).
func (s *Service) CreateLocation(ctx context.Context, in LocationInput) (*Location, error) {
	return create(ctx, s, s.store.Locations(), ObjectLocation, &Location{Active: true, PunchRadiusMeters: DefaultPunchRadius},
		func(_ context.Context, l *Location) error { return in.Apply(l) })
}

// UpdateLocation changes a work location.
func (s *Service) UpdateLocation(ctx context.Context, id ids.ID, in LocationInput) (*Location, error) {
	return update(ctx, s, s.store.Locations(), ObjectLocation, id, in.Version,
		func(_ context.Context, l *Location) error { return in.Apply(l) })
}

// ---- grades

// Grades lists grades (by rank unless sorted otherwise).
func (s *Service) Grades(ctx context.Context, f ListFilter) ([]Grade, int, error) {
	return list(ctx, s.store.Grades(), f)
}

// EachGrade streams grades (exports).
func (s *Service) EachGrade(ctx context.Context, f ListFilter, fn func(*Grade) error) error {
	return each(ctx, s.store.Grades(), f, fn)
}

// Grade returns one grade.
func (s *Service) Grade(ctx context.Context, id ids.ID) (*Grade, error) {
	return get(ctx, s.store.Grades(), id)
}

// CreateGrade adds a grade.
func (s *Service) CreateGrade(ctx context.Context, in GradeInput) (*Grade, error) {
	return create(ctx, s, s.store.Grades(), ObjectGrade, &Grade{Active: true}, s.fillGrade(in))
}

// UpdateGrade changes a grade. A new rank must keep the grade ranges of
// positions that use it in order.
func (s *Service) UpdateGrade(ctx context.Context, id ids.ID, in GradeInput) (*Grade, error) {
	return update(ctx, s, s.store.Grades(), ObjectGrade, id, in.Version, s.fillGrade(in))
}

func (s *Service) fillGrade(in GradeInput) func(context.Context, *Grade) error {
	return func(ctx context.Context, g *Grade) error {
		if err := in.Apply(g); err != nil {
			return err
		}
		if err := unique(ctx, s.store.Grades(), "code", g.Code, g.ID); err != nil {
			return err
		}
		if g.ID == 0 || in.Rank == nil {
			return nil
		}
		return s.checkRanges(ctx, g)
	}
}

// ---- positions

// Positions lists positions with grade names and planned headcount totals.
func (s *Service) Positions(ctx context.Context, f ListFilter) ([]Position, int, error) {
	out, n, err := list(ctx, s.store.Positions(), f)
	if err != nil {
		return nil, 0, err
	}
	return out, n, s.describePositions(ctx, out)
}

// EachPosition streams positions (exports).
func (s *Service) EachPosition(ctx context.Context, f ListFilter, fn func(*Position) error) error {
	return each(ctx, s.store.Positions(), f, func(p *Position) error {
		one := []Position{*p}
		if err := s.describePositions(ctx, one); err != nil {
			return err
		}
		return fn(&one[0])
	})
}

// Position returns one position with its grade names and planned total.
func (s *Service) Position(ctx context.Context, id ids.ID) (*Position, error) {
	p, err := get(ctx, s.store.Positions(), id)
	if err != nil {
		return nil, err
	}
	one := []Position{*p}
	if err := s.describePositions(ctx, one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

// CreatePosition adds a position.
func (s *Service) CreatePosition(ctx context.Context, in PositionInput) (*Position, error) {
	p, err := create(ctx, s, s.store.Positions(), ObjectPosition, &Position{Active: true}, s.fillPosition(in))
	if err != nil {
		return nil, err
	}
	return s.Position(ctx, p.ID)
}

// UpdatePosition changes a position.
func (s *Service) UpdatePosition(ctx context.Context, id ids.ID, in PositionInput) (*Position, error) {
	p, err := update(ctx, s, s.store.Positions(), ObjectPosition, id, in.Version, s.fillPosition(in))
	if err != nil {
		return nil, err
	}
	return s.Position(ctx, p.ID)
}

func (s *Service) fillPosition(in PositionInput) func(context.Context, *Position) error {
	return func(ctx context.Context, p *Position) error {
		if err := in.Apply(p); err != nil {
			return err
		}
		var f errs.Fields
		grades, err := s.store.GradesByID(ctx, nonZero(p.MinGradeID, p.MaxGradeID))
		if err != nil {
			return err
		}
		min, okMin := grades[p.MinGradeID]
		max, okMax := grades[p.MaxGradeID]
		f.Check(p.MinGradeID == 0 || okMin, "minGradeId", "invalid_choice")
		f.Check(p.MaxGradeID == 0 || okMax, "maxGradeId", "invalid_choice")
		if okMin && okMax && min.Rank > max.Rank {
			f.Add("maxGradeId", "org.grade_range", errs.Params{"min": min.Name, "max": max.Name})
		}
		if err := f.Err(); err != nil {
			return err
		}
		return unique(ctx, s.store.Positions(), "code", p.Code, p.ID)
	}
}

// checkRanges refuses a grade's new rank when a position using it as a
// bound would end up with its lowest grade above its highest.
func (s *Service) checkRanges(ctx context.Context, g *Grade) error {
	var users []Position
	err := s.store.Positions().Each(ctx, ListFilter{}, func(p *Position) error {
		if p.MinGradeID == g.ID && p.MaxGradeID != 0 || p.MaxGradeID == g.ID && p.MinGradeID != 0 {
			users = append(users, *p)
		}
		return nil
	})
	if err != nil || len(users) == 0 {
		return err
	}
	var other []ids.ID
	for _, p := range users {
		other = append(other, p.MinGradeID, p.MaxGradeID)
	}
	grades, err := s.store.GradesByID(ctx, other)
	if err != nil {
		return err
	}
	grades[g.ID] = *g
	for _, p := range users {
		if grades[p.MinGradeID].Rank > grades[p.MaxGradeID].Rank {
			return errs.InvalidField("rank", "org.rank_breaks_range", errs.Params{"position": p.Name})
		}
	}
	return nil
}

// describePositions fills grade names and planned totals.
func (s *Service) describePositions(ctx context.Context, ps []Position) error {
	var gradeIDs, posIDs []ids.ID
	for _, p := range ps {
		gradeIDs = append(gradeIDs, nonZero(p.MinGradeID, p.MaxGradeID)...)
		posIDs = append(posIDs, p.ID)
	}
	grades, err := s.store.GradesByID(ctx, gradeIDs)
	if err != nil {
		return err
	}
	totals, err := s.store.PlannedTotals(ctx, posIDs)
	if err != nil {
		return err
	}
	for i := range ps {
		ps[i].MinGradeName = grades[ps[i].MinGradeID].Name
		ps[i].MaxGradeName = grades[ps[i].MaxGradeID].Name
		ps[i].PlannedTotal = totals[ps[i].ID]
	}
	return nil
}

// HeadcountPlan lists a position's planned headcount per department, with
// department names as of today.
func (s *Service) HeadcountPlan(ctx context.Context, positionID ids.ID) ([]PlanRow, error) {
	if _, err := s.Position(ctx, positionID); err != nil {
		return nil, err
	}
	rows, err := s.store.HeadcountPlan(ctx, positionID)
	if err != nil {
		return nil, err
	}
	return rows, s.nameRows(ctx, rows)
}

// SetHeadcountPlan replaces a position's headcount plan.
func (s *Service) SetHeadcountPlan(ctx context.Context, positionID ids.ID, rows []PlanRow) ([]PlanRow, error) {
	if _, _, err := rbac.Require(ctx, PermManage); err != nil {
		return nil, err
	}
	var f errs.Fields
	seen := map[ids.ID]bool{}
	var deptIDs []ids.ID
	for i, r := range rows {
		field := func(name string) string { return "rows[" + strconv.Itoa(i) + "]." + name }
		switch {
		case r.DepartmentID == 0:
			f.Add(field("departmentId"), "required")
		case seen[r.DepartmentID]:
			f.Add(field("departmentId"), "duplicate")
		default:
			seen[r.DepartmentID] = true
			deptIDs = append(deptIDs, r.DepartmentID)
		}
		f.Check(r.Planned >= 0 && r.Planned <= MaxPlanned, field("planned"), "out_of_range", errs.Params{"min": 0, "max": MaxPlanned})
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out []PlanRow
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.store.Positions().Get(ctx, positionID); err != nil {
			return err
		}
		existing, err := s.store.ExistingDepartments(ctx, deptIDs)
		if err != nil {
			return err
		}
		known := map[ids.ID]bool{}
		for _, id := range existing {
			known[id] = true
		}
		for i, r := range rows {
			f.Check(known[r.DepartmentID], "rows["+strconv.Itoa(i)+"].departmentId", "invalid_choice")
		}
		if err := f.Err(); err != nil {
			return err
		}
		before, err := s.store.HeadcountPlan(ctx, positionID)
		if err != nil {
			return err
		}
		out = make([]PlanRow, len(rows))
		for i, r := range rows {
			out[i] = PlanRow{PositionID: positionID, DepartmentID: r.DepartmentID, Planned: r.Planned}
		}
		if err := s.store.ReplaceHeadcountPlan(ctx, positionID, out); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Action: "set_headcount_plan", ObjectType: ObjectPosition, ObjectID: positionID.String(),
			Diff: map[string]audit.Change{"headcountPlan": {Before: planDiff(before), After: planDiff(out)}}})
	})
	if err != nil {
		return nil, err
	}
	return out, s.nameRows(ctx, out)
}

func planDiff(rows []PlanRow) map[string]int {
	m := map[string]int{}
	for _, r := range rows {
		m[r.DepartmentID.String()] = r.Planned
	}
	return m
}

// nameRows names the departments of plan rows as of today.
func (s *Service) nameRows(ctx context.Context, rows []PlanRow) error {
	var deptIDs []ids.ID
	for _, r := range rows {
		deptIDs = append(deptIDs, r.DepartmentID)
	}
	names, err := s.departmentNames(ctx, deptIDs, Today(ctx))
	if err != nil {
		return err
	}
	for i := range rows {
		rows[i].DepartmentName = names[rows[i].DepartmentID]
	}
	return nil
}

// ---- generic catalogue operations

func list[T any](ctx context.Context, recs Records[T], f ListFilter) ([]T, int, error) {
	if _, _, err := rbac.Require(ctx, PermRead); err != nil {
		return nil, 0, err
	}
	return recs.List(ctx, f)
}

func each[T any](ctx context.Context, recs Records[T], f ListFilter, fn func(*T) error) error {
	if _, _, err := rbac.Require(ctx, PermRead); err != nil {
		return err
	}
	return recs.Each(ctx, f, fn)
}

func get[T any](ctx context.Context, recs Records[T], id ids.ID) (*T, error) {
	if _, _, err := rbac.Require(ctx, PermRead); err != nil {
		return nil, err
	}
	return recs.Get(ctx, id)
}

func create[T any, P interface {
	*T
	entity
}](ctx context.Context, s *Service, recs Records[T], object string, e P, fill func(context.Context, P) error) (P, error) {
	if _, _, err := rbac.Require(ctx, PermManage); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := fill(ctx, e); err != nil {
			return err
		}
		e.init(ids.New(), s.now().UTC())
		if err := recs.Insert(ctx, (*T)(e)); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Action: "create", ObjectType: object, ObjectID: e.key().String(), Diff: audit.Diff(nil, e)})
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

func update[T any, P interface {
	*T
	entity
}](ctx context.Context, s *Service, recs Records[T], object string, id ids.ID, version int, fill func(context.Context, P) error) (P, error) {
	if _, _, err := rbac.Require(ctx, PermManage); err != nil {
		return nil, err
	}
	var out P
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		cur, err := recs.Get(ctx, id)
		if err != nil {
			return err
		}
		e := P(cur)
		if e.version() != version {
			return errs.E(errs.Conflict, "stale")
		}
		before := *cur
		if err := fill(ctx, e); err != nil {
			return err
		}
		e.touch(s.now().UTC())
		if err := recs.Update(ctx, cur); err != nil {
			return err
		}
		out = e
		return s.audit.Record(ctx, audit.Event{Action: "update", ObjectType: object, ObjectID: id.String(), Diff: audit.Diff(&before, cur)})
	})
	return out, err
}

// unique refuses a value another record of the catalogue holds.
func unique[T any](ctx context.Context, recs Records[T], field, value string, self ids.ID) error {
	taken, err := recs.Taken(ctx, value, self)
	if err != nil {
		return err
	}
	if taken {
		return errs.InvalidField(field, "duplicate")
	}
	return nil
}

func nonZero(list ...ids.ID) []ids.ID {
	var out []ids.ID
	for _, id := range list {
		if id != 0 {
			out = append(out, id)
		}
	}
	return out
}
