package org

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// ---- reading the tree

// Tree returns every department (active or not) as of day, parents
// before children, siblings by code, each with its path.
func (s *Service) Tree(ctx context.Context, day civil.Date) ([]Department, error) {
	if _, _, err := rbac.Require(ctx, PermRead); err != nil {
		return nil, err
	}
	return s.tree(ctx, orToday(ctx, day))
}

func (s *Service) tree(ctx context.Context, day civil.Date) ([]Department, error) {
	rows, err := s.store.DepartmentsOn(ctx, day)
	if err != nil {
		return nil, err
	}
	return buildTree(rows), nil
}

// buildTree orders departments depth first (siblings by code) and fills
// their paths. A department whose parent does not exist that day is
// shown as a root.
func buildTree(rows []Department) []Department {
	byID := make(map[ids.ID]int, len(rows))
	for i := range rows {
		byID[rows[i].ID] = i
	}
	children := make(map[ids.ID][]int, len(rows))
	var roots []int
	for i := range rows {
		if _, ok := byID[rows[i].ParentID]; ok && rows[i].ParentID != rows[i].ID {
			children[rows[i].ParentID] = append(children[rows[i].ParentID], i)
		} else {
			roots = append(roots, i)
		}
	}
	byCode := func(a, b int) int { return cmp.Compare(rows[a].Code, rows[b].Code) }
	slices.SortFunc(roots, byCode)
	out := make([]Department, 0, len(rows))
	done := make([]bool, len(rows))
	var walk func(i int, path []ids.ID, names []string)
	walk = func(i int, path []ids.ID, names []string) {
		if done[i] {
			return
		}
		done[i] = true
		d := rows[i]
		d.Path = append(slices.Clip(path), d.ID)
		d.PathNames = append(slices.Clip(names), d.Name)
		out = append(out, d)
		kids := children[d.ID]
		slices.SortFunc(kids, byCode)
		for _, k := range kids {
			walk(k, d.Path, d.PathNames)
		}
	}
	for _, r := range roots {
		walk(r, nil, nil)
	}
	// Only a cycle in stored data leaves departments unvisited; show them
	// rather than hide them.
	for i := range rows {
		walk(i, nil, nil)
	}
	return out
}

// Department returns a department as of day (default today) with its
// path; NotFound when it does not exist that day.
func (s *Service) Department(ctx context.Context, id ids.ID, day civil.Date) (*Department, error) {
	if _, _, err := rbac.Require(ctx, PermRead); err != nil {
		return nil, err
	}
	return s.department(ctx, id, orToday(ctx, day))
}

func (s *Service) department(ctx context.Context, id ids.ID, day civil.Date) (*Department, error) {
	d, err := s.store.DepartmentOn(ctx, id, day)
	if err != nil {
		return nil, err
	}
	d.Path, d.PathNames = []ids.ID{d.ID}, []string{d.Name}
	if d.ParentID == 0 {
		return d, nil
	}
	up, err := s.store.Ancestors(ctx, d.ParentID, day)
	if err != nil {
		return nil, err
	}
	for _, a := range up {
		if a.ID == d.ID { // a stored cycle: stop rather than loop
			break
		}
		d.Path = append([]ids.ID{a.ID}, d.Path...)
		d.PathNames = append([]string{a.Name}, d.PathNames...)
	}
	return d, nil
}

// Subtree returns the roots and every department below them as of today
// in the tenant. It resolves department data scopes while a principal is
// being built, so it checks no permission (roles.Departments).
func (s *Service) Subtree(ctx context.Context, tenantID ids.ID, roots []ids.ID) ([]ids.ID, error) {
	if p := rbac.From(ctx); p == nil || p.TenantID != tenantID {
		ctx = rbac.WithPrincipal(ctx, rbac.Anonymous(tenantID))
	}
	return s.subtree(ctx, roots, Today(ctx))
}

// SubtreeOn returns the roots and every department below them as of day.
func (s *Service) SubtreeOn(ctx context.Context, roots []ids.ID, day civil.Date) ([]ids.ID, error) {
	if _, _, err := rbac.Require(ctx, PermRead); err != nil {
		return nil, err
	}
	return s.subtree(ctx, roots, orToday(ctx, day))
}

func (s *Service) subtree(ctx context.Context, roots []ids.ID, day civil.Date) ([]ids.ID, error) {
	if len(roots) == 0 {
		return nil, nil
	}
	below, err := s.store.Subtree(ctx, roots, day)
	if err != nil {
		return nil, err
	}
	// Roots come first and stay even when they are not open that day.
	seen := make(map[ids.ID]bool, len(roots)+len(below))
	out := make([]ids.ID, 0, len(roots)+len(below))
	for _, list := range [][]ids.ID{roots, below} {
		for _, id := range list {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// DepartmentItem is a department in the flat list, with the names of
// what it refers to.
type DepartmentItem struct {
	Department
	PathName        string `json:"pathName"`
	ParentName      string `json:"parentName,omitempty"`
	HeadName        string `json:"headName,omitempty"`
	CostCenterName  string `json:"costCenterName,omitempty"`
	LocationName    string `json:"locationName,omitempty"`
	LegalEntityName string `json:"legalEntityName,omitempty"`
}

// PathSeparator joins path names for display and exports.
const PathSeparator = " / "

// Departments lists departments as of f.On, filtered, in tree order (or
// by code or name), one page unless f.All.
func (s *Service) Departments(ctx context.Context, f DepartmentFilter) ([]DepartmentItem, int, error) {
	if _, _, err := rbac.Require(ctx, PermRead); err != nil {
		return nil, 0, err
	}
	all, err := s.tree(ctx, orToday(ctx, f.On))
	if err != nil {
		return nil, 0, err
	}
	q := strings.ToLower(strings.TrimSpace(f.Query))
	var rows []Department
	for _, d := range all {
		if f.Active != nil && d.Active != *f.Active {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(d.Name), q) && !strings.Contains(strings.ToLower(d.Code), q) {
			continue
		}
		rows = append(rows, d)
	}
	key, desc := strings.TrimPrefix(f.Sort, "-"), strings.HasPrefix(f.Sort, "-")
	switch key {
	case "code":
		slices.SortStableFunc(rows, func(a, b Department) int { return cmp.Compare(a.Code, b.Code) })
	case "name":
		slices.SortStableFunc(rows, func(a, b Department) int { return cmp.Compare(a.Name, b.Name) })
	}
	if desc {
		slices.Reverse(rows)
	}
	total := len(rows)
	if !f.All {
		page, size := max(f.Page, 1), f.Size
		if size < 1 {
			size = 20
		}
		from := min((page-1)*size, total)
		rows = rows[from:min(from+size, total)]
	}
	items, err := s.describe(ctx, rows)
	return items, total, err
}

// describe names what departments refer to.
func (s *Service) describe(ctx context.Context, rows []Department) ([]DepartmentItem, error) {
	labels, err := s.labels(ctx)
	if err != nil {
		return nil, err
	}
	var heads []ids.ID
	for _, d := range rows {
		if d.HeadEmployeeID != 0 {
			heads = append(heads, d.HeadEmployeeID)
		}
	}
	headNames, err := s.employeeNames(ctx, heads)
	if err != nil {
		return nil, err
	}
	out := make([]DepartmentItem, len(rows))
	for i, d := range rows {
		it := DepartmentItem{Department: d, PathName: strings.Join(d.PathNames, PathSeparator),
			HeadName: headNames[d.HeadEmployeeID], CostCenterName: labels[d.CostCenterID],
			LocationName: labels[d.LocationID], LegalEntityName: labels[d.LegalEntityID]}
		if n := len(d.PathNames); n > 1 {
			it.ParentName = d.PathNames[n-2]
		}
		out[i] = it
	}
	return out, nil
}

// DepartmentView returns one department as of day with names, or, when
// fallback is set and it does not exist that day, as of the first day it
// does (a department scheduled to open later).
func (s *Service) DepartmentView(ctx context.Context, id ids.ID, day civil.Date, fallback bool) (*DepartmentItem, error) {
	if _, _, err := rbac.Require(ctx, PermRead); err != nil {
		return nil, err
	}
	day = orToday(ctx, day)
	d, err := s.department(ctx, id, day)
	if errs.Is(err, errs.NotFound, "") && fallback {
		hist, herr := s.store.DepartmentHistory(ctx, id)
		if herr != nil {
			return nil, herr
		}
		if len(hist) > 0 && hist[0].ValidFrom.After(day) {
			d, err = s.department(ctx, id, hist[0].ValidFrom)
		}
	}
	if err != nil {
		return nil, err
	}
	items, err := s.describe(ctx, []Department{*d})
	if err != nil {
		return nil, err
	}
	return &items[0], nil
}

// DepartmentHistory lists a department's versions, oldest first, each
// with its parent's name on the version's first day.
func (s *Service) DepartmentHistory(ctx context.Context, id ids.ID) ([]DepartmentVersion, error) {
	if _, _, err := rbac.Require(ctx, PermRead); err != nil {
		return nil, err
	}
	hist, err := s.store.DepartmentHistory(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(hist) == 0 {
		return nil, errs.NotFoundf("object.department")
	}
	var parents []ids.ID
	for _, v := range hist {
		if v.ParentID != 0 {
			parents = append(parents, v.ParentID)
		}
	}
	pv, err := s.store.DepartmentHistory(ctx, parents...)
	if err != nil {
		return nil, err
	}
	st := newStructure(pv)
	for i := range hist {
		if p := st.at(hist[i].ParentID, hist[i].ValidFrom); p != nil {
			hist[i].ParentName = p.Name
		}
	}
	return hist, nil
}

// departmentNames names departments as of day; one that does not exist
// that day gets its nearest name in time.
func (s *Service) departmentNames(ctx context.Context, deptIDs []ids.ID, day civil.Date) (map[ids.ID]string, error) {
	out := map[ids.ID]string{}
	if len(deptIDs) == 0 {
		return out, nil
	}
	hist, err := s.store.DepartmentHistory(ctx, deptIDs...)
	if err != nil {
		return nil, err
	}
	for _, v := range hist {
		_, named := out[v.DepartmentID]
		switch {
		case v.ValidOn(day):
			out[v.DepartmentID] = v.Name
		case !named || !v.ValidFrom.After(day):
			out[v.DepartmentID] = v.Name
		}
	}
	return out, nil
}

// labels names every cost center, work location and legal entity (ids
// are unique across them).
func (s *Service) labels(ctx context.Context) (map[ids.ID]string, error) {
	out := map[ids.ID]string{}
	if err := s.store.CostCenters().Each(ctx, ListFilter{}, func(c *CostCenter) error { out[c.ID] = c.Name; return nil }); err != nil {
		return nil, err
	}
	if err := s.store.Locations().Each(ctx, ListFilter{}, func(l *Location) error { out[l.ID] = l.Name; return nil }); err != nil {
		return nil, err
	}
	if err := s.store.LegalEntities().Each(ctx, ListFilter{}, func(e *LegalEntity) error { out[e.ID] = e.Name; return nil }); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) employeeNames(ctx context.Context, employeeIDs []ids.ID) (map[ids.ID]string, error) {
	if n, ok := s.headcount.(EmployeeNames); ok && len(employeeIDs) > 0 {
		return n.EmployeeNames(ctx, employeeIDs)
	}
	return map[ids.ID]string{}, nil
}

// staffed counts people per department on day (none without a Headcount).
func (s *Service) staffed(ctx context.Context, deptIDs []ids.ID, day civil.Date) (map[ids.ID]int, error) {
	if s.headcount == nil || len(deptIDs) == 0 {
		return map[ids.ID]int{}, nil
	}
	m, err := s.headcount.Staffed(ctx, deptIDs, day)
	if m == nil {
		m = map[ids.ID]int{}
	}
	return m, err
}

// DepartmentNode is a department in the org chart.
type DepartmentNode struct {
	ID             ids.ID `json:"id"`
	Code           string `json:"code"`
	Name           string `json:"name"`
	ParentID       ids.ID `json:"parentId,omitempty"`
	HeadEmployeeID ids.ID `json:"headEmployeeId,omitempty"`
	HeadName       string `json:"headName,omitempty"`
	Active         bool   `json:"active"`
	// Headcount counts the people in the department itself;
	// HeadcountTotal adds every department below it.
	Headcount      int               `json:"headcount"`
	HeadcountTotal int               `json:"headcountTotal"`
	Children       []*DepartmentNode `json:"children"`
}

// Chart returns the department tree as of day with heads and headcounts:
// the whole tree, or the subtree under root; without inactive
// departments when activeOnly.
func (s *Service) Chart(ctx context.Context, day civil.Date, root ids.ID, activeOnly bool) ([]*DepartmentNode, error) {
	day = orToday(ctx, day)
	all, err := s.Tree(ctx, day)
	if err != nil {
		return nil, err
	}
	nodes := make(map[ids.ID]*DepartmentNode, len(all))
	var deptIDs, heads []ids.ID
	for _, d := range all {
		if activeOnly && !d.Active {
			continue
		}
		nodes[d.ID] = &DepartmentNode{ID: d.ID, Code: d.Code, Name: d.Name, ParentID: d.ParentID,
			HeadEmployeeID: d.HeadEmployeeID, Active: d.Active, Children: []*DepartmentNode{}}
		deptIDs = append(deptIDs, d.ID)
		if d.HeadEmployeeID != 0 {
			heads = append(heads, d.HeadEmployeeID)
		}
	}
	counts, err := s.staffed(ctx, deptIDs, day)
	if err != nil {
		return nil, err
	}
	names, err := s.employeeNames(ctx, heads)
	if err != nil {
		return nil, err
	}
	var roots []*DepartmentNode
	for _, d := range all { // tree order: parents come first
		n := nodes[d.ID]
		if n == nil {
			continue
		}
		n.Headcount, n.HeadcountTotal, n.HeadName = counts[d.ID], counts[d.ID], names[d.HeadEmployeeID]
		if p := nodes[d.ParentID]; p != nil && len(d.Path) > 1 && d.Path[len(d.Path)-2] == d.ParentID {
			p.Children = append(p.Children, n)
		} else {
			roots = append(roots, n)
		}
	}
	for i := len(all) - 1; i >= 0; i-- { // children before parents
		n := nodes[all[i].ID]
		if n == nil {
			continue
		}
		for _, c := range n.Children {
			n.HeadcountTotal += c.HeadcountTotal
		}
	}
	if root != 0 {
		n := nodes[root]
		if n == nil {
			return nil, errs.NotFoundf("object.department")
		}
		return []*DepartmentNode{n}, nil
	}
	if roots == nil {
		roots = []*DepartmentNode{}
	}
	return roots, nil
}

// ---- changing the tree

// CreateDepartment adds a department from n.EffectiveDate (default
// today) under n.ParentID (none: a root).
func (s *Service) CreateDepartment(ctx context.Context, n NewDepartment) (*Department, error) {
	p, _, err := rbac.Require(ctx, PermManage)
	if err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	day := orToday(ctx, n.EffectiveDate)
	now := s.now().UTC()
	rec := &DepartmentRecord{ID: ids.New(), Code: n.Code, Version: 1, CreatedAt: now, UpdatedAt: now}
	v := DepartmentVersion{ID: ids.New(), DepartmentID: rec.ID, ValidFrom: day, Name: n.Name, ParentID: n.ParentID,
		HeadEmployeeID: n.HeadEmployeeID, CostCenterID: n.CostCenterID, LocationID: n.LocationID,
		LegalEntityID: n.LegalEntityID, Active: true, Reason: ReasonCreate, CreatedAt: now}
	var out *Department
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.LockStructure(ctx); err != nil {
			return err
		}
		taken, err := s.store.DepartmentCodeTaken(ctx, n.Code)
		if err != nil {
			return err
		}
		if taken {
			return errs.InvalidField("code", "duplicate")
		}
		if err := s.checkRefs(ctx, &v, &DepartmentVersion{}); err != nil {
			return err
		}
		if err := s.checkNewDepartment(ctx, v); err != nil {
			return err
		}
		if err := s.store.InsertDepartment(ctx, rec); err != nil {
			return err
		}
		if err := s.store.InsertVersion(ctx, &v); err != nil {
			return err
		}
		rbac.Changed(ctx, p.TenantID)
		after := v.View(rec.Code, rec.Version)
		diff := audit.Diff(nil, &after)
		diff["effectiveDate"] = audit.Change{After: day.String()}
		if err := s.audit.Record(ctx, audit.Event{Action: "create", ObjectType: ObjectDepartment, ObjectID: rec.ID.String(), Diff: diff}); err != nil {
			return err
		}
		out, err = s.department(ctx, rec.ID, day)
		return err
	})
	return out, err
}

// DepartmentChange dates a change: from EffectiveDate (default today).
// A non-zero Version must match the department's current version.
type DepartmentChange struct {
	EffectiveDate civil.Date
	Version       int
}

// UpdateDepartment changes a department's name, head, cost center,
// location or legal entity from u.EffectiveDate.
func (s *Service) UpdateDepartment(ctx context.Context, id ids.ID, u DepartmentUpdate) (*Department, error) {
	return s.change(ctx, id, DepartmentChange{EffectiveDate: u.EffectiveDate, Version: u.Version}, ReasonUpdate,
		func(ctx context.Context, v *DepartmentVersion) error {
			base := *v
			if err := u.apply(v); err != nil {
				return err
			}
			return s.checkRefs(ctx, v, &base)
		})
}

// MoveDepartment puts a department under parentID (zero: makes it a
// root) from c.EffectiveDate. Moving it under itself or a department
// below it, on that day or any later one, is refused.
func (s *Service) MoveDepartment(ctx context.Context, id, parentID ids.ID, c DepartmentChange) (*Department, error) {
	return s.change(ctx, id, c, ReasonMove, func(_ context.Context, v *DepartmentVersion) error {
		if parentID == id {
			return fieldConflict(errs.Invalid, "parentId", "org.department_cycle", nil)
		}
		v.ParentID = parentID
		return nil
	})
}

// DeactivateDepartment closes a department from c.EffectiveDate. It is
// refused while people are staffed in it or active departments are below it.
func (s *Service) DeactivateDepartment(ctx context.Context, id ids.ID, c DepartmentChange) (*Department, error) {
	return s.change(ctx, id, c, ReasonDeactivate, func(_ context.Context, v *DepartmentVersion) error {
		if !v.Active {
			return errs.E(errs.Conflict, "org.already_inactive")
		}
		v.Active = false
		return nil
	})
}

// ActivateDepartment reopens a department from c.EffectiveDate; its
// parent must be active.
func (s *Service) ActivateDepartment(ctx context.Context, id ids.ID, c DepartmentChange) (*Department, error) {
	return s.change(ctx, id, c, ReasonActivate, func(_ context.Context, v *DepartmentVersion) error {
		if v.Active {
			return errs.E(errs.Conflict, "org.already_active")
		}
		v.Active = true
		return nil
	})
}

// change applies mutate to the department's state from the effective day:
// the version valid then is closed and a new one opened, or, when a
// version starts that very day, that version is replaced. A version
// starting after the day is a conflict (cancel it first).
func (s *Service) change(ctx context.Context, id ids.ID, c DepartmentChange, reason string,
	mutate func(ctx context.Context, v *DepartmentVersion) error) (*Department, error) {
	p, _, err := rbac.Require(ctx, PermManage)
	if err != nil {
		return nil, err
	}
	day := orToday(ctx, c.EffectiveDate)
	now := s.now().UTC()
	var out *Department
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.LockStructure(ctx); err != nil {
			return err
		}
		rec, err := s.store.DepartmentRecord(ctx, id)
		if err != nil {
			return err
		}
		if c.Version != 0 && c.Version != rec.Version {
			return errs.E(errs.Conflict, "stale")
		}
		hist, err := s.store.DepartmentHistory(ctx, id)
		if err != nil {
			return err
		}
		if len(hist) == 0 {
			return errs.NotFoundf("object.department")
		}
		first, base := hist[0], hist[len(hist)-1]
		if day.Before(first.ValidFrom) {
			return fieldConflict(errs.Invalid, "effectiveDate", "org.before_department_start", errs.Params{"date": first.ValidFrom.String()})
		}
		for _, v := range hist {
			if v.ValidFrom.After(day) {
				return fieldConflict(errs.Conflict, "effectiveDate", "org.conflicting_change", errs.Params{"date": v.ValidFrom.String()})
			}
		}
		next := base
		if err := mutate(ctx, &next); err != nil {
			return err
		}
		if next.sameState(&base) {
			out, err = s.department(ctx, id, day)
			return err
		}
		next.ValidFrom, next.ValidTo, next.Reason, next.CreatedAt = day, civil.Date{}, reason, now
		if !next.Active && base.Active {
			counts, err := s.staffed(ctx, []ids.ID{id}, day)
			if err != nil {
				return err
			}
			if n := counts[id]; n > 0 {
				return errs.E(errs.Conflict, "org.department_staffed", errs.Params{"count": n, "date": day.String()})
			}
		}
		structural := next.ParentID != base.ParentID || next.Active != base.Active
		if structural {
			if err := s.checkStructure(ctx, next); err != nil {
				return err
			}
		}
		if base.ValidFrom == day {
			next.ID = base.ID
			if base.ID == first.ID { // changed on its first day: still the creation
				next.Reason, next.CreatedAt = ReasonCreate, base.CreatedAt
			}
			if err := s.store.UpdateVersion(ctx, &next); err != nil {
				return err
			}
		} else {
			closed := base
			closed.ValidTo = day
			if err := s.store.UpdateVersion(ctx, &closed); err != nil {
				return err
			}
			next.ID = ids.New()
			if err := s.store.InsertVersion(ctx, &next); err != nil {
				return err
			}
		}
		rec.Version++
		rec.UpdatedAt = now
		if err := s.store.SaveDepartment(ctx, rec); err != nil {
			return err
		}
		if structural {
			rbac.Changed(ctx, p.TenantID)
		}
		before, after := base.View(rec.Code, rec.Version-1), next.View(rec.Code, rec.Version)
		diff := audit.Diff(&before, &after)
		diff["effectiveDate"] = audit.Change{After: day.String()}
		if err := s.audit.Record(ctx, audit.Event{Action: reason, ObjectType: ObjectDepartment, ObjectID: id.String(), Diff: diff}); err != nil {
			return err
		}
		out, err = s.department(ctx, id, day)
		return err
	})
	return out, err
}

// CancelDepartmentChange removes a department's last version when it has
// not taken effect yet (a scheduled change); the version before it stays
// valid from then on.
func (s *Service) CancelDepartmentChange(ctx context.Context, id, versionID ids.ID) (*Department, error) {
	p, _, err := rbac.Require(ctx, PermManage)
	if err != nil {
		return nil, err
	}
	today := Today(ctx)
	var out *Department
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.LockStructure(ctx); err != nil {
			return err
		}
		rec, err := s.store.DepartmentRecord(ctx, id)
		if err != nil {
			return err
		}
		hist, err := s.store.DepartmentHistory(ctx, id)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(hist, func(v DepartmentVersion) bool { return v.ID == versionID })
		if i < 0 {
			return errs.NotFoundf("object.department_version")
		}
		last := len(hist) - 1
		switch {
		case i == 0:
			return errs.E(errs.Conflict, "org.cannot_cancel_creation")
		case !hist[i].ValidFrom.After(today):
			return errs.E(errs.Conflict, "org.change_in_effect", errs.Params{"date": hist[i].ValidFrom.String()})
		case i != last:
			return errs.E(errs.Conflict, "org.conflicting_change", errs.Params{"date": hist[last].ValidFrom.String()})
		}
		cancelled, prev := hist[i], hist[i-1]
		prev.ValidTo = civil.Date{}
		if err := s.checkStructure(ctx, withFrom(prev, cancelled.ValidFrom)); err != nil {
			return err
		}
		if err := s.store.DeleteVersion(ctx, cancelled.ID); err != nil {
			return err
		}
		if err := s.store.UpdateVersion(ctx, &prev); err != nil {
			return err
		}
		rec.Version++
		rec.UpdatedAt = s.now().UTC()
		if err := s.store.SaveDepartment(ctx, rec); err != nil {
			return err
		}
		rbac.Changed(ctx, p.TenantID)
		before, after := cancelled.View(rec.Code, rec.Version-1), prev.View(rec.Code, rec.Version)
		diff := audit.Diff(&before, &after)
		diff["effectiveDate"] = audit.Change{Before: cancelled.ValidFrom.String()}
		if err := s.audit.Record(ctx, audit.Event{Action: "cancel_change", ObjectType: ObjectDepartment, ObjectID: id.String(), Diff: diff}); err != nil {
			return err
		}
		out, err = s.department(ctx, id, today)
		if errs.Is(err, errs.NotFound, "") { // not open yet today
			out, err = s.department(ctx, id, prev.ValidFrom)
		}
		return err
	})
	return out, err
}

// withFrom is v as a state starting on day (for checking from that day).
func withFrom(v DepartmentVersion, day civil.Date) DepartmentVersion {
	v.ValidFrom = day
	return v
}

// checkStructure checks the tree the department's new state v (valid from
// v.ValidFrom on) creates, on that day and every later day it changes.
// checkNewDepartment checks a department being created. Nothing can sit
// below a new department, so no cycle is possible and only its parent
// matters: the parent's own history is enough (loading the whole tree for
// each new department made building 2,000 of them quadratic).
func (s *Service) checkNewDepartment(ctx context.Context, v DepartmentVersion) error {
	if v.ParentID == 0 {
		return nil
	}
	vs, err := s.store.DepartmentHistory(ctx, v.ParentID)
	if err != nil {
		return err
	}
	st := newStructure(vs)
	st.replaceFrom(v)
	return st.check(v.DepartmentID, v.ValidFrom)
}

func (s *Service) checkStructure(ctx context.Context, v DepartmentVersion) error {
	vs, err := s.store.VersionsFrom(ctx, v.ValidFrom)
	if err != nil {
		return err
	}
	st := newStructure(vs)
	st.replaceFrom(v)
	return st.check(v.DepartmentID, v.ValidFrom)
}

// checkRefs checks the cost center, location and legal entity a version
// newly refers to exist and are active (existing references may stay even
// when they were deactivated since).
func (s *Service) checkRefs(ctx context.Context, v, base *DepartmentVersion) error {
	var f errs.Fields
	ref := func(field string, id, was ids.ID, active func(ids.ID) (bool, error)) error {
		if id == 0 || id == was {
			return nil
		}
		ok, err := active(id)
		switch {
		case errs.Is(err, errs.NotFound, ""):
			f.Add(field, "invalid_choice")
		case err != nil:
			return err
		case !ok:
			f.Add(field, "org.inactive")
		}
		return nil
	}
	if err := ref("costCenterId", v.CostCenterID, base.CostCenterID, func(id ids.ID) (bool, error) {
		c, err := s.store.CostCenters().Get(ctx, id)
		return err == nil && c.Active, err
	}); err != nil {
		return err
	}
	if err := ref("locationId", v.LocationID, base.LocationID, func(id ids.ID) (bool, error) {
		l, err := s.store.Locations().Get(ctx, id)
		return err == nil && l.Active, err
	}); err != nil {
		return err
	}
	if err := ref("legalEntityId", v.LegalEntityID, base.LegalEntityID, func(id ids.ID) (bool, error) {
		e, err := s.store.LegalEntities().Get(ctx, id)
		return err == nil && e.Active, err
	}); err != nil {
		return err
	}
	return f.Err()
}
