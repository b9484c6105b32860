package org

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unicode"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/clean"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/validate"
)

// Spreadsheet imports of the department tree (docs/modules/imports.md,
// section Targets). A row is a department by code: new ones are created
// from their effective date; existing ones are renamed, moved or given a
// head, cost center, location or legal entity from it, through the same
// rules as the forms (dated changes, no cycles, an open parent).

// TargetDepartments is the target's name.
const TargetDepartments = "departments"

// ImportTargets returns the module's import targets.
func ImportTargets(s *Service) []imports.Target {
	return []imports.Target{&departmentTarget{s: s}}
}

// ImportStore is what imports need of the store besides Store (orgdb's
// store has it).
type ImportStore interface {
	// DepartmentRecordsByCode returns the departments with the codes.
	DepartmentRecordsByCode(ctx context.Context, codes []string) ([]DepartmentRecord, error)
	// DepartmentChildren lists, per department, those with a version
	// under it.
	DepartmentChildren(ctx context.Context, deptIDs []ids.ID) (map[ids.ID][]ids.ID, error)
	// PlannedDepartments returns those of the departments some headcount
	// plan refers to.
	PlannedDepartments(ctx context.Context, deptIDs []ids.ID) ([]ids.ID, error)
	// DeleteDepartment removes a department and its versions (rolling
	// back the import that created it).
	DeleteDepartment(ctx context.Context, id ids.ID) error
}

// importEmployees is what imports need of the employee module (the
// Headcount provider has it).
type importEmployees interface {
	EmployeeIDsByNumber(ctx context.Context, nos []string) (map[string]ids.ID, error)
	DepartmentsInUse(ctx context.Context, deptIDs []ids.ID) ([]ids.ID, error)
}

func (s *Service) importStore() (ImportStore, error) {
	is, ok := s.store.(ImportStore)
	if !ok {
		return nil, errs.E(errs.Unavailable, "unavailable")
	}
	return is, nil
}

// ---- columns

type importCol struct {
	key, kind, zh, en string
	max               int
	required          bool
	aliases           []string
}

var departmentCols = []importCol{
	{key: "code", kind: imports.KindText, zh: "编码", en: "Code", max: 32, required: true,
		aliases: []string{"部门编码", "部门代码", "部门编号", "Department Code", "Dept Code"}},
	{key: "name", kind: imports.KindText, zh: "名称", en: "Name", max: 100, aliases: []string{"部门名称", "部门", "Department Name", "Department"}},
	{key: "parent", kind: imports.KindDepartment, zh: "上级部门", en: "Parent", max: 500,
		aliases: []string{"上级部门编码", "上级", "所属部门", "Parent Department", "Parent Code"}},
	{key: "head", kind: imports.KindEmployee, zh: "负责人", en: "Head", max: 32,
		aliases: []string{"部门负责人", "负责人工号", "Department Head", "Manager"}},
	{key: "costCenter", kind: imports.KindText, zh: "成本中心", en: "Cost Center", max: 100, aliases: []string{"Cost Centre"}},
	{key: "location", kind: imports.KindText, zh: "工作地点", en: "Work Location", max: 100, aliases: []string{"办公地点", "Location"}},
	{key: "legalEntity", kind: imports.KindText, zh: "法人主体", en: "Legal Entity", max: 100, aliases: []string{"所属公司", "Company"}},
	{key: "effectiveDate", kind: imports.KindDate, zh: "生效日期", en: "Effective Date", aliases: []string{"成立日期", "变更日期", "Start Date"}},
}

func init() {
	zh := map[string]string{
		"org.import.target.departments": "部门",
		"imports.duplicate_key":         "与第 {line} 行重复",
		"imports.unknown_department":    "找不到部门“{value}”（可填写部门编码或完整路径，如 技术部/后端组；或选择“自动创建缺少的部门”）",
		"imports.ambiguous_department":  "“{value}”对应多个部门（{paths}），请填写部门编码或完整路径",
		"imports.unknown_reference":     "找不到“{value}”，请填写编码或名称",
		"imports.ambiguous_reference":   "“{value}”对应多条记录，请填写编码",
		"imports.unknown_employee":      "找不到员工“{value}”（请填写工号，或唯一的姓名）",
		"imports.rollback_conflict":     "以下记录在导入后又被修改过，不能撤销导入：{records}",
	}
	en := map[string]string{
		"org.import.target.departments": "Departments",
		"imports.duplicate_key":         "Same as line {line}",
		"imports.unknown_department":    "No department \"{value}\" (give its code or full path such as Tech/Backend, or choose to create missing departments)",
		"imports.ambiguous_department":  "\"{value}\" matches several departments ({paths}); give the code or the full path",
		"imports.unknown_reference":     "Nothing called \"{value}\"; give a code or a name",
		"imports.ambiguous_reference":   "\"{value}\" matches several records; give the code",
		"imports.unknown_employee":      "No employee \"{value}\" (give the employee number, or a unique name)",
		"imports.rollback_conflict":     "These records were changed after the import, so it cannot be rolled back: {records}",
	}
	for _, c := range departmentCols {
		zh["org.import.col."+c.key] = c.zh
		en["org.import.col."+c.key] = c.en
	}
	registerMissing(i18n.ZH, zh)
	registerMissing(i18n.EN, en)
}

// registerMissing adds messages another package has not defined yet (the
// "imports." codes are shared with the engine and the employee module).
func registerMissing(locale string, msgs map[string]string) {
	own := map[string]string{}
	for k, v := range msgs {
		if !i18n.Has(locale, k) {
			own[k] = v
		}
	}
	i18n.Register(locale, own)
}

// ---- matching cells

// matchKey normalises a code or name for matching.
func matchKey(s string) string {
	s = strings.ToLower(validate.Normalize(s))
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '_' || r == '-' {
			return -1
		}
		return r
	}, s)
}

func cellText(s string) string {
	return strings.Join(strings.Fields(validate.Normalize(clean.Text(s))), " ")
}

func given(r imports.Row, key string) (string, bool) {
	v := cellText(r.Values[key])
	return v, v != ""
}

func splitPath(s string) []string {
	parts := clean.Path(s)
	if len(parts) == 1 && strings.ContainsAny(parts[0], "/>／＞\\") {
		parts = strings.FieldsFunc(parts[0], func(r rune) bool { return strings.ContainsRune("/>／＞\\", r) })
	}
	var out []string
	for _, p := range parts {
		if p = cellText(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseDate(s string) (civil.Date, string) {
	if d, err := civil.Parse(s); err == nil {
		return d, ""
	}
	d, code := clean.Date(s)
	if code == "" && !d.Valid() {
		code = "invalid_date"
	}
	return d, code
}

func cellErr(col, code string, params errs.Params) imports.FieldError {
	return imports.FieldError{Column: col, Code: code, Params: params}
}

// ---- the target

type departmentTarget struct{ s *Service }

func (t *departmentTarget) Name() string       { return TargetDepartments }
func (t *departmentTarget) Label() string      { return "org.import.target.departments" }
func (t *departmentTarget) Keys() []string     { return []string{"code"} }
func (t *departmentTarget) Permission() string { return PermManage }

func (t *departmentTarget) Columns(context.Context) ([]imports.Column, error) {
	out := make([]imports.Column, 0, len(departmentCols))
	for _, c := range departmentCols {
		out = append(out, imports.Column{Key: c.key, Label: "org.import.col." + c.key, Aliases: append([]string{c.zh, c.en}, c.aliases...),
			Required: c.required, Kind: c.kind, Max: c.max})
	}
	return out, nil
}

// named is a catalogue entry found by code or name.
type named struct {
	id     ids.ID
	name   string
	active bool
}

type namedList map[string][]named

func (l namedList) add(id ids.ID, code, name string, active bool) {
	n := named{id: id, name: name, active: active}
	for _, k := range []string{matchKey(code), matchKey(name)} {
		if k != "" && !slices.ContainsFunc(l[k], func(x named) bool { return x.id == id }) {
			l[k] = append(l[k], n)
		}
	}
}

// newDept is a department a row of the file creates.
type newDept struct {
	code     string
	name     string
	names    []string // path names
	day      civil.Date
	id       ids.ID // once created
	parent   *newDept
	parentID ids.ID // an existing parent
}

type deptState struct {
	today   civil.Date
	tree    map[ids.ID]*Department
	byCode  map[string]ids.ID
	byPath  map[string]ids.ID
	byName  map[string][]ids.ID
	costs   namedList
	locs    namedList
	ents    namedList
	planned map[string]*newDept // matchKey(code)
	paths   map[string]*newDept // path key of planned departments
	parents map[ids.ID]ids.ID   // parents after the moves checked so far
	lines   map[string]int      // matchKey(code) → line
}

func pathKey(names []string) string {
	keys := make([]string, len(names))
	for i, n := range names {
		keys[i] = matchKey(n)
	}
	return strings.Join(keys, "/")
}

func (t *departmentTarget) state(ctx context.Context, run *imports.Run) (*deptState, error) {
	const key = "org." + TargetDepartments
	if run.State == nil {
		run.State = map[string]any{}
	}
	if st, ok := run.State[key].(*deptState); ok {
		return st, nil
	}
	s := t.s
	st := &deptState{today: Today(ctx), tree: map[ids.ID]*Department{}, byCode: map[string]ids.ID{}, byPath: map[string]ids.ID{},
		byName: map[string][]ids.ID{}, costs: namedList{}, locs: namedList{}, ents: namedList{}, planned: map[string]*newDept{},
		paths: map[string]*newDept{}, parents: map[ids.ID]ids.ID{}, lines: map[string]int{}}
	tree, err := s.tree(ctx, st.today)
	if err != nil {
		return nil, err
	}
	for i := range tree {
		d := &tree[i]
		st.tree[d.ID] = d
		st.byCode[matchKey(d.Code)] = d.ID
		st.byPath[pathKey(d.PathNames)] = d.ID
		st.byName[matchKey(d.Name)] = append(st.byName[matchKey(d.Name)], d.ID)
		st.parents[d.ID] = d.ParentID
	}
	if err := s.store.CostCenters().Each(ctx, ListFilter{}, func(c *CostCenter) error { st.costs.add(c.ID, c.Code, c.Name, c.Active); return nil }); err != nil {
		return nil, err
	}
	if err := s.store.Locations().Each(ctx, ListFilter{}, func(l *Location) error { st.locs.add(l.ID, "", l.Name, l.Active); return nil }); err != nil {
		return nil, err
	}
	if err := s.store.LegalEntities().Each(ctx, ListFilter{}, func(e *LegalEntity) error {
		st.ents.add(e.ID, e.CreditCode, e.Name, e.Active)
		return nil
	}); err != nil {
		return nil, err
	}
	run.State[key] = st
	return st, nil
}

// parentHit is a resolved parent cell: an existing department or one
// created by an earlier row.
type parentHit struct {
	id      ids.ID
	planned *newDept
}

// parent resolves a parent cell: a code, a path from the root (or a
// unique tail of one), or a name found once.
func (st *deptState) parent(v string) (parentHit, *imports.FieldError) {
	k := matchKey(v)
	if id, ok := st.byCode[k]; ok {
		return parentHit{id: id}, nil
	}
	if pd := st.planned[k]; pd != nil {
		return parentHit{planned: pd}, nil
	}
	segs := splitPath(v)
	pk := pathKey(segs)
	if id, ok := st.byPath[pk]; ok {
		return parentHit{id: id}, nil
	}
	if pd := st.paths[pk]; pd != nil {
		return parentHit{planned: pd}, nil
	}
	var hits []ids.ID
	if len(segs) == 1 {
		hits = st.byName[matchKey(segs[0])]
	} else {
		for p, id := range st.byPath {
			if strings.HasSuffix("/"+p, "/"+pk) {
				hits = append(hits, id)
			}
		}
	}
	switch len(hits) {
	case 1:
		return parentHit{id: hits[0]}, nil
	case 0:
		fe := cellErr("parent", "imports.unknown_department", errs.Params{"value": v})
		return parentHit{}, &fe
	}
	var paths []string
	for _, h := range hits[:min(3, len(hits))] {
		paths = append(paths, strings.Join(st.tree[h].PathNames, "/"))
	}
	slices.Sort(paths)
	fe := cellErr("parent", "imports.ambiguous_department", errs.Params{"value": v, "paths": strings.Join(paths, "; ")})
	return parentHit{}, &fe
}

// ref resolves a catalogue cell.
func ref(l namedList, col, v string) (ids.ID, *imports.FieldError) {
	list := l[matchKey(v)]
	switch {
	case len(list) == 0:
		fe := cellErr(col, "imports.unknown_reference", errs.Params{"value": v})
		return 0, &fe
	case len(list) > 1:
		fe := cellErr(col, "imports.ambiguous_reference", errs.Params{"value": v})
		return 0, &fe
	case !list[0].active:
		fe := cellErr(col, "org.inactive", nil)
		return 0, &fe
	}
	return list[0].id, nil
}

// deptCreate is a checked new department, for Apply.
type deptCreate struct {
	d        *newDept
	parentID ids.ID
	n        NewDepartment
}

// deptChange is a checked change of an existing department, for Apply.
type deptChange struct {
	id     ids.ID
	update DepartmentUpdate // nil fields keep
	move   *parentHit
	day    civil.Date
}

func (u *deptChange) updates() bool {
	x := u.update
	return x.Name != nil || x.HeadEmployeeID != nil || x.CostCenterID != nil || x.LocationID != nil || x.LegalEntityID != nil
}

func (t *departmentTarget) Check(ctx context.Context, run *imports.Run, rows []imports.Row) ([]imports.Outcome, error) {
	s := t.s
	if _, _, err := rbac.Require(ctx, PermManage); err != nil {
		return nil, err
	}
	is, err := s.importStore()
	if err != nil {
		return nil, err
	}
	st, err := t.state(ctx, run)
	if err != nil {
		return nil, err
	}
	var codes, heads []string
	for _, r := range rows {
		if v, ok := given(r, "code"); ok {
			codes = append(codes, v)
		}
		if v, ok := given(r, "head"); ok {
			heads = append(heads, v)
		}
	}
	recs, err := is.DepartmentRecordsByCode(ctx, codes)
	if err != nil {
		return nil, err
	}
	byCode := map[string]*DepartmentRecord{}
	var existing []ids.ID
	for i := range recs {
		byCode[recs[i].Code] = &recs[i]
		existing = append(existing, recs[i].ID)
	}
	vs, err := s.store.DepartmentHistory(ctx, existing...)
	if err != nil {
		return nil, err
	}
	hist := map[ids.ID][]DepartmentVersion{}
	for _, v := range vs {
		hist[v.DepartmentID] = append(hist[v.DepartmentID], v)
	}
	headIDs := map[string]ids.ID{}
	if emp, ok := s.headcount.(importEmployees); ok && len(heads) > 0 {
		if headIDs, err = emp.EmployeeIDsByNumber(ctx, heads); err != nil {
			return nil, err
		}
	}
	outs := make([]imports.Outcome, len(rows))
	for i, r := range rows {
		o, err := t.checkRow(ctx, st, r, byCode, hist, headIDs)
		if err != nil {
			return nil, err
		}
		if len(o.Errors) > 0 {
			o.Action, o.Data = imports.ActionFailed, nil
		}
		outs[i] = o
	}
	return outs, nil
}

func (t *departmentTarget) checkRow(ctx context.Context, st *deptState, r imports.Row, byCode map[string]*DepartmentRecord,
	hist map[ids.ID][]DepartmentVersion, headIDs map[string]ids.ID) (imports.Outcome, error) {
	s := t.s
	o := imports.Outcome{Action: imports.ActionNew}
	add := func(fe ...imports.FieldError) { o.Errors = append(o.Errors, fe...) }
	for _, c := range departmentCols {
		if v, ok := given(r, c.key); ok && c.max > 0 && len([]rune(v)) > c.max {
			add(cellErr(c.key, "too_long", errs.Params{"max": c.max}))
		}
	}
	code, _ := given(r, "code")
	var f errs.Fields
	checkCode(&f, "code", &code)
	if line, dup := st.lines[matchKey(code)]; code != "" && dup {
		add(cellErr("code", "imports.duplicate_key", errs.Params{"line": line}))
	} else if code != "" {
		st.lines[matchKey(code)] = r.Line
	}
	day := st.today
	if v, ok := given(r, "effectiveDate"); ok {
		d, c := parseDate(v)
		if c != "" {
			add(cellErr("effectiveDate", c, nil))
		}
		day = d
	}
	name, hasName := given(r, "name")
	var parent *parentHit
	if v, ok := given(r, "parent"); ok {
		hit, fe := st.parent(v)
		if fe != nil {
			add(*fe)
		} else {
			parent = &hit
		}
	}
	var head, cost, loc, ent *ids.ID
	if v, ok := given(r, "head"); ok {
		id, found := headIDs[v]
		if !found {
			add(cellErr("head", "imports.unknown_employee", errs.Params{"value": v}))
		}
		head = &id
	}
	for _, x := range []struct {
		col  string
		list namedList
		dst  **ids.ID
	}{{"costCenter", st.costs, &cost}, {"location", st.locs, &loc}, {"legalEntity", st.ents, &ent}} {
		if v, ok := given(r, x.col); ok {
			id, fe := ref(x.list, x.col, v)
			if fe != nil {
				add(*fe)
			}
			*x.dst = &id
		}
	}
	add(fieldErrs(f.Err())...)
	if len(o.Errors) > 0 {
		return o, nil
	}
	if len(r.Errors) > 0 {
		// The engine could not clean some cell: the row fails, and later
		// rows must not count on what it would have made.
		o.Action = imports.ActionFailed
		return o, nil
	}
	rec := byCode[code]
	if rec == nil {
		// A new department.
		n := NewDepartment{Code: code, Name: name, EffectiveDate: day}
		for _, x := range []struct {
			dst *ids.ID
			v   *ids.ID
		}{{&n.HeadEmployeeID, head}, {&n.CostCenterID, cost}, {&n.LocationID, loc}, {&n.LegalEntityID, ent}} {
			if x.v != nil {
				*x.dst = *x.v
			}
		}
		if err := n.Validate(); err != nil {
			add(fieldErrs(err)...)
			return o, nil
		}
		nd := &newDept{code: code, name: n.Name, day: day, names: []string{n.Name}}
		c := &deptCreate{d: nd, n: n}
		if parent != nil {
			if parent.planned != nil {
				if day.Before(parent.planned.day) {
					add(cellErr("parent", "org.parent_missing", errs.Params{"date": day.String()}))
					return o, nil
				}
				nd.parent = parent.planned
				nd.names = append(slices.Clone(parent.planned.names), n.Name)
			} else {
				c.parentID, nd.parentID = parent.id, parent.id
				v := DepartmentVersion{DepartmentID: ids.New(), ValidFrom: day, ParentID: parent.id, Active: true}
				if err := s.checkNewDepartment(ctx, v); err != nil {
					fe, err := departmentErrs(err)
					if err != nil {
						return o, err
					}
					add(fe...)
					return o, nil
				}
				if d := st.tree[parent.id]; d != nil {
					nd.names = append(slices.Clone(d.PathNames), n.Name)
				}
			}
		}
		st.planned[matchKey(code)] = nd
		st.paths[pathKey(nd.names)] = nd
		o.Data = c
		return o, nil
	}
	// An existing department: what differs from its latest version.
	vs := hist[rec.ID]
	if len(vs) == 0 {
		add(cellErr("code", "not_found", errs.Params{"object": "object.department"}))
		return o, nil
	}
	first, base := vs[0], vs[len(vs)-1]
	ch := &deptChange{id: rec.ID, day: day}
	if hasName && name != base.Name {
		n := name
		ch.update.Name = &n
	}
	for _, x := range []struct {
		cur ids.ID
		v   *ids.ID
		dst **ids.ID
	}{{base.HeadEmployeeID, head, &ch.update.HeadEmployeeID}, {base.CostCenterID, cost, &ch.update.CostCenterID},
		{base.LocationID, loc, &ch.update.LocationID}, {base.LegalEntityID, ent, &ch.update.LegalEntityID}} {
		if x.v != nil && *x.v != x.cur {
			*x.dst = x.v
		}
	}
	if parent != nil && (parent.planned != nil || parent.id != base.ParentID) {
		ch.move = parent
	}
	if !ch.updates() && ch.move == nil {
		o.Action = imports.ActionUnchanged
		return o, nil
	}
	o.Action = imports.ActionUpdate
	switch {
	case day.Before(first.ValidFrom):
		add(cellErr("effectiveDate", "org.before_department_start", errs.Params{"date": first.ValidFrom.String()}))
		return o, nil
	case base.ValidFrom.After(day):
		add(cellErr("effectiveDate", "org.conflicting_change", errs.Params{"date": base.ValidFrom.String()}))
		return o, nil
	}
	if ch.updates() {
		next := base
		if err := ch.update.apply(&next); err != nil {
			add(fieldErrs(err)...)
			return o, nil
		}
	}
	if ch.move != nil {
		if fe := t.checkMove(ctx, st, rec.ID, base, ch.move, day); fe != nil {
			add(fe...)
			return o, nil
		}
	}
	o.Data = ch
	return o, nil
}

// checkMove checks a department's move under a parent on day: no cycle
// (with the moves of earlier rows), an open parent on that day and later.
func (t *departmentTarget) checkMove(ctx context.Context, st *deptState, id ids.ID, base DepartmentVersion, to *parentHit, day civil.Date) []imports.FieldError {
	cycle := []imports.FieldError{cellErr("parent", "org.department_cycle", nil)}
	if to.planned != nil {
		if day.Before(to.planned.day) {
			return []imports.FieldError{cellErr("parent", "org.parent_missing", errs.Params{"date": day.String()})}
		}
		// A new department of the file hangs under an existing one: the
		// chain above that one must not pass through the department.
		top := to.planned
		for top.parent != nil {
			top = top.parent
		}
		seen := map[ids.ID]bool{}
		for p := top.parentID; p != 0 && !seen[p]; p = st.parents[p] {
			if p == id {
				return cycle
			}
			seen[p] = true
		}
		return nil
	}
	if to.id == id {
		return cycle
	}
	seen := map[ids.ID]bool{}
	for p := to.id; p != 0 && !seen[p]; p = st.parents[p] {
		if p == id {
			return cycle
		}
		seen[p] = true
	}
	next := base
	next.ParentID, next.ValidFrom, next.ValidTo = to.id, day, civil.Date{}
	if err := t.s.checkStructure(ctx, next); err != nil {
		fe, err := departmentErrs(err)
		if err != nil {
			return []imports.FieldError{cellErr("parent", "invalid", nil)}
		}
		return fe
	}
	st.parents[id] = to.id
	return nil
}

// fieldErrs turns a validation error into cell errors.
func fieldErrs(err error) []imports.FieldError {
	fe, _ := departmentErrs(err)
	return fe
}

var colOf = map[string]string{"parentId": "parent", "headEmployeeId": "head", "costCenterId": "costCenter", "locationId": "location",
	"legalEntityId": "legalEntity"}

// departmentErrs turns the service's errors into cell errors; others are
// returned.
func departmentErrs(err error) ([]imports.FieldError, error) {
	if err == nil {
		return nil, nil
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind == errs.Internal || e.Kind == errs.Unavailable {
		return nil, err
	}
	if len(e.Fields) == 0 {
		return []imports.FieldError{{Code: e.Code, Params: e.Params}}, nil
	}
	var out []imports.FieldError
	for _, f := range e.Fields {
		col := f.Field
		if c, ok := colOf[col]; ok {
			col = c
		}
		out = append(out, imports.FieldError{Column: col, Code: f.Code, Params: f.Params})
	}
	return out, nil
}

// ---- Apply

// deptRecord is what a department's change records.
type deptRecord struct {
	Code     string              `json:"code"`
	Name     string              `json:"name"`
	Versions []DepartmentVersion `json:"versions,omitempty"`
}

func (t *departmentTarget) Apply(ctx context.Context, run *imports.Run, rows []imports.Row, outs []imports.Outcome) ([]imports.Change, error) {
	s := t.s
	if _, _, err := rbac.Require(ctx, PermManage); err != nil {
		return nil, err
	}
	var changes []imports.Change
	for _, o := range outs {
		switch x := o.Data.(type) {
		case *deptCreate:
			if o.Action != imports.ActionNew {
				continue
			}
			n := x.n
			n.ParentID = x.parentID
			if x.d.parent != nil {
				n.ParentID = x.d.parent.id
			}
			d, err := s.CreateDepartment(ctx, n)
			if err != nil {
				return nil, err
			}
			x.d.id = d.ID
			changes = append(changes, imports.Change{ObjectType: ObjectDepartment, ObjectID: d.ID.String(), Action: imports.ActionNew,
				After: mustJSON(deptRecord{Code: d.Code, Name: d.Name}), Version: 1})
		case *deptChange:
			if o.Action != imports.ActionUpdate {
				continue
			}
			before, err := s.store.DepartmentHistory(ctx, x.id)
			if err != nil {
				return nil, err
			}
			rec, err := s.store.DepartmentRecord(ctx, x.id)
			if err != nil {
				return nil, err
			}
			var d *Department
			if x.updates() {
				u := x.update
				u.EffectiveDate = x.day
				if d, err = s.UpdateDepartment(ctx, x.id, u); err != nil {
					return nil, err
				}
			}
			if x.move != nil {
				to := x.move.id
				if x.move.planned != nil {
					to = x.move.planned.id
				}
				if d, err = s.MoveDepartment(ctx, x.id, to, DepartmentChange{EffectiveDate: x.day}); err != nil {
					return nil, err
				}
			}
			after, err := s.store.DepartmentHistory(ctx, x.id)
			if err != nil {
				return nil, err
			}
			now, err := s.store.DepartmentRecord(ctx, x.id)
			if err != nil {
				return nil, err
			}
			changes = append(changes, imports.Change{ObjectType: ObjectDepartment, ObjectID: x.id.String(), Action: imports.ActionUpdate,
				Before: mustJSON(deptRecord{Code: rec.Code, Name: before[len(before)-1].Name, Versions: before}),
				After:  mustJSON(deptRecord{Code: rec.Code, Name: d.Name, Versions: after}), Version: now.Version})
		}
	}
	return changes, nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("org import: " + err.Error())
	}
	return b
}

// ---- Rollback

func (t *departmentTarget) Rollback(ctx context.Context, changes []imports.Change) error {
	return t.s.UndoImport(ctx, changes)
}

// ActionImportRollback is the audit action of a rolled-back import.
const ActionImportRollback = "import_rollback"

// UndoImport rolls back departments an import created or changed (the
// department target's, and those the employee roster import created):
// a changed department gets its versions back, a created one is removed,
// unless something changed it or refers to it since (its lock version
// moved; departments below it, people, headcount plans). Refused with
// "imports.rollback_conflict" naming the departments.
func (s *Service) UndoImport(ctx context.Context, changes []imports.Change) error {
	p, _, err := rbac.Require(ctx, PermManage)
	if err != nil {
		return err
	}
	is, err := s.importStore()
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.LockStructure(ctx); err != nil {
			return err
		}
		var conflicts []string
		var created []ids.ID
		createdRec := map[ids.ID]deptRecord{}
		type restore struct {
			rec           *DepartmentRecord
			before, after deptRecord
		}
		var restores []restore
		for _, ch := range changes {
			if ch.ObjectType != ObjectDepartment {
				continue
			}
			id, err := ids.Parse(ch.ObjectID)
			if err != nil {
				return err
			}
			var after deptRecord
			if err := json.Unmarshal(ch.After, &after); err != nil {
				return err
			}
			rec, err := s.store.DepartmentRecord(ctx, id)
			if errs.KindOf(err) == errs.NotFound {
				conflicts = append(conflicts, strings.TrimSpace(after.Code+" "+after.Name))
				continue
			} else if err != nil {
				return err
			}
			if rec.Version != ch.Version {
				conflicts = append(conflicts, strings.TrimSpace(rec.Code+" "+after.Name))
				continue
			}
			if ch.Action == imports.ActionNew {
				created = append(created, id)
				createdRec[id] = after
				continue
			}
			var before deptRecord
			if err := json.Unmarshal(ch.Before, &before); err != nil {
				return err
			}
			restores = append(restores, restore{rec: rec, before: before, after: after})
		}
		// Created departments go only while nothing refers to them.
		var kids map[ids.ID][]ids.ID
		if len(created) > 0 {
			going := map[ids.ID]bool{}
			for _, id := range created {
				going[id] = true
			}
			if kids, err = is.DepartmentChildren(ctx, created); err != nil {
				return err
			}
			used := map[ids.ID]bool{}
			planned, err := is.PlannedDepartments(ctx, created)
			if err != nil {
				return err
			}
			for _, id := range planned {
				used[id] = true
			}
			if emp, ok := s.headcount.(importEmployees); ok {
				staffed, err := emp.DepartmentsInUse(ctx, created)
				if err != nil {
					return err
				}
				for _, id := range staffed {
					used[id] = true
				}
			}
			vs, err := s.store.DepartmentHistory(ctx, created...)
			if err != nil {
				return err
			}
			versions := map[ids.ID]int{}
			for _, v := range vs {
				versions[v.DepartmentID]++
			}
			for _, id := range created {
				others := slices.ContainsFunc(kids[id], func(k ids.ID) bool { return !going[k] })
				if used[id] || others || versions[id] != 1 {
					r := createdRec[id]
					conflicts = append(conflicts, strings.TrimSpace(r.Code+" "+r.Name))
				}
			}
		}
		if len(conflicts) > 0 {
			slices.Sort(conflicts)
			conflicts = slices.Compact(conflicts)
			list := conflicts
			if len(list) > 20 {
				list = append(slices.Clone(list[:20]), "…")
			}
			return errs.E(errs.Conflict, "imports.rollback_conflict", errs.Params{"records": strings.Join(list, ", "), "count": len(conflicts)})
		}
		now := s.now().UTC()
		for _, r := range restores {
			cur, err := s.store.DepartmentHistory(ctx, r.rec.ID)
			if err != nil {
				return err
			}
			keep := map[ids.ID]bool{}
			for _, v := range r.before.Versions {
				keep[v.ID] = true
			}
			for _, v := range cur {
				if !keep[v.ID] {
					if err := s.store.DeleteVersion(ctx, v.ID); err != nil {
						return err
					}
				}
			}
			for i := range r.before.Versions {
				v := r.before.Versions[i]
				if slices.ContainsFunc(cur, func(c DepartmentVersion) bool { return c.ID == v.ID }) {
					if err := s.store.UpdateVersion(ctx, &v); err != nil {
						return err
					}
				} else if err := s.store.InsertVersion(ctx, &v); err != nil {
					return err
				}
			}
			last := r.before.Versions[len(r.before.Versions)-1]
			if err := s.checkStructure(ctx, last); err != nil {
				return errs.E(errs.Conflict, "imports.rollback_conflict", errs.Params{"records": strings.TrimSpace(r.rec.Code + " " + last.Name), "count": 1})
			}
			rec := *r.rec
			rec.Version++
			rec.UpdatedAt = now
			if err := s.store.SaveDepartment(ctx, &rec); err != nil {
				return err
			}
			was := r.after.Versions[len(r.after.Versions)-1].View(rec.Code, rec.Version-1)
			back := last.View(rec.Code, rec.Version)
			if err := s.audit.Record(ctx, audit.Event{Action: ActionImportRollback, ObjectType: ObjectDepartment, ObjectID: rec.ID.String(),
				Diff: audit.Diff(&was, &back)}); err != nil {
				return err
			}
		}
		// Children before parents.
		left := map[ids.ID]bool{}
		for _, id := range created {
			left[id] = true
		}
		for len(left) > 0 {
			n := len(left)
			for _, id := range created {
				if !left[id] || slices.ContainsFunc(kids[id], func(k ids.ID) bool { return left[k] && k != id }) {
					continue
				}
				if err := is.DeleteDepartment(ctx, id); err != nil {
					return err
				}
				delete(left, id)
				r := createdRec[id]
				if err := s.audit.Record(ctx, audit.Event{Action: ActionImportRollback, ObjectType: ObjectDepartment, ObjectID: id.String(),
					Diff: map[string]any{"code": audit.Change{Before: r.Code}, "name": audit.Change{Before: r.Name}}}); err != nil {
					return err
				}
			}
			if len(left) == n {
				return errs.E(errs.Conflict, "org.department_cycle")
			}
		}
		rbac.Changed(ctx, p.TenantID)
		return nil
	})
}
