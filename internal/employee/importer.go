package employee

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/clean"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"golang.org/x/text/unicode/norm"
)

// Spreadsheet imports (docs/modules/imports.md, section Targets): the
// module owns three targets: the roster ("employees"), the job history
// ("job_history") and labour contracts ("contracts"). The import engine
// reads and maps the file and calls them chunk by chunk; they check rows
// against the module's rules and write through the module's own paths
// (the bulk insert for new hires, the lifecycle actions for job changes,
// AddContract for contracts), so an import obeys the same rules as the
// forms.

// ImportTargets returns the module's import targets.
func ImportTargets(s *Service) []imports.Target {
	return []imports.Target{&rosterTarget{s: s}, &historyTarget{s: s}, &contractTarget{s: s}}
}

// Target names.
const (
	TargetEmployees  = "employees"
	TargetJobHistory = "job_history"
	TargetContracts  = "contracts"
)

// ---- cells

// cellText is a cell's text as the forms would store it: NFKC
// (full-width digits and letters folded), trimmed, inner spaces
// collapsed. Text already in that form (what the engine hands over) is
// returned as it is: a 100,000-row file has millions of cells.
func cellText(s string) string {
	if plainText(s) {
		return s
	}
	return clean.Text(s)
}

// plainText reports whether s needs no cleaning: no space at either end
// or twice in a row, no control or zero-width characters, and NFKC.
func plainText(s string) bool {
	ascii := true
	prev := byte(' ')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			ascii = false
		case c < 0x20 || c == 0x7f:
			return false
		case c == ' ' && prev == ' ':
			return false
		}
		prev = c
	}
	if prev == ' ' && len(s) > 0 {
		return false
	}
	if ascii {
		return true
	}
	return norm.NFKC.IsNormalString(s) && !strings.ContainsAny(s, "\u200b\u200c\u200d\ufeff\u00ad\u3000\u00a0")
}

// cell returns a row's cleaned cell, and whether the column is mapped.
func cell(r imports.Row, key string) (string, bool) {
	v, ok := r.Values[key]
	if !ok {
		return "", false
	}
	return cellText(v), true
}

// given returns a mapped, non-empty cell.
func given(r imports.Row, key string) (string, bool) {
	v, _ := cell(r, key)
	return v, v != ""
}

// parseDate reads the date styles offices use (the cleaning package
// knows them all; ISO dates, the common case, are read here directly).
func parseDate(s string) (civil.Date, string) {
	if d, err := civil.Parse(s); err == nil {
		return d, ""
	}
	d, code := clean.Date(s)
	if code != "" {
		return civil.Date{}, code
	}
	if !d.Valid() {
		return civil.Date{}, "invalid_date"
	}
	return d, ""
}

// parseCount reads a small whole number ("3", "3个月", "3 months",
// "三个月", "无"); ok is false when the text says no number.
func parseCount(s string) (int, bool) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "无", "none", "-", "/", "否":
		return 0, true
	}
	han := map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	rs := []rune(s)
	i := 0
	for i < len(rs) && unicode.IsDigit(rs[i]) {
		i++
	}
	if i > 0 {
		n, err := strconv.Atoi(string(rs[:i]))
		return n, err == nil && validCountSuffix(string(rs[i:]))
	}
	if rs[0] == '十' {
		n, rest := 10, rs[1:]
		if len(rest) > 0 {
			if m, ok := han[rest[0]]; ok {
				n, rest = n+m, rest[1:]
			}
		}
		return n, validCountSuffix(string(rest))
	}
	if n, ok := han[rs[0]]; ok {
		return n, validCountSuffix(string(rs[1:]))
	}
	return 0, false
}

func validCountSuffix(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return slices.Contains([]string{"", "个月", "月", "months", "month", "个", "m", "mo", "mos"}, s)
}

// matchKey normalises a label or code for matching: NFKC, lower case,
// no spaces, dashes or underscores.
func matchKey(s string) string {
	if !plainText(s) {
		s = norm.NFKC.String(s)
	}
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r) || r == '_' || r == '-' || r == '/' || r == '\u200b' || r == '\ufeff':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		case r >= 0x80:
			return unicode.ToLower(r)
		}
		return r
	}, s)
}

// enum is an enumeration a column accepts: by code, Chinese or English
// label, or a common alias.
type enum struct {
	choices []clean.Choice
	index   map[string]string
}

// newEnum labels codes from the module's messages ("employee.<kind>.<code>")
// and adds aliases (alias → code).
func newEnum(kind string, codes []string, aliases map[string]string) *enum {
	e := &enum{index: map[string]string{}}
	for _, c := range codes {
		key := "employee." + kind + "." + c
		ch := clean.Choice{Code: c, ZH: i18n.T(i18n.ZH, key, nil), EN: i18n.T(i18n.EN, key, nil)}
		e.choices = append(e.choices, ch)
		for _, k := range []string{ch.Code, ch.ZH, ch.EN} {
			e.index[matchKey(k)] = c
			e.index[k] = c
		}
	}
	for a, c := range aliases {
		e.index[matchKey(a)] = c
	}
	return e
}

// match returns the code for a cell ("" and false when none fits).
func (e *enum) match(s string) (string, bool) {
	if c, ok := e.index[s]; ok { // a code or label as it is
		return c, true
	}
	if c, ok := e.index[matchKey(s)]; ok {
		return c, true
	}
	if c, code := clean.Enum(s, e.choices); code == "" {
		if _, ok := e.index[matchKey(c)]; ok {
			return e.index[matchKey(c)], true
		}
	}
	return "", false
}

// enums are built once the module's messages are registered.
var enums = sync.OnceValue(func() map[string]*enum {
	return map[string]*enum{
		"gender": newEnum("gender", Genders, map[string]string{"m": Male, "f": Female, "男性": Male, "女性": Female}),
		"id_type": newEnum("id_type", IDTypes, map[string]string{"身份证": IDResident, "二代身份证": IDResident, "ID card": IDResident,
			"港澳通行证": IDHKMacaoPermit, "回乡证": IDHKMacaoPermit, "台胞证": IDTaiwanPermit, "外国人永久居留证": IDForeignPermanent}),
		"marital_status": newEnum("marital_status", MaritalStatuses, map[string]string{"离婚": "divorced", "已婚已育": "married", "未婚未育": "single"}),
		"hukou_type": newEnum("hukou_type", HukouTypes, map[string]string{"城市": "urban", "非农业": "urban", "非农业户口": "urban",
			"城镇户口": "urban", "农业": "rural", "农业户口": "rural", "农村户口": "rural"}),
		"degree": newEnum("degree", Degrees, map[string]string{"博士研究生": "doctor", "研究生": "master", "硕士研究生": "master",
			"学士": "bachelor", "大学本科": "bachelor", "专科": "college", "大学专科": "college", "高中": "secondary", "中专": "secondary",
			"职高": "secondary", "技校": "secondary", "初中": "junior", "小学": "junior"}),
		"employment_type": newEnum("employment_type", EmploymentTypes, map[string]string{"正式": FullTime, "全职员工": FullTime,
			"兼职员工": PartTime, "实习生": Intern, "派遣": Dispatched, "返聘": RetireeRehire, "外包": Contractor, "顾问": Contractor}),
		"contract_kind": newEnum("contract_kind", ContractKinds, map[string]string{"固定": FixedTerm, "固定期限劳动合同": FixedTerm,
			"无固定期限劳动合同": OpenEnded, "无固定": OpenEnded, "以完成一定工作任务为期限的劳动合同": TaskBased, "项目合同": TaskBased}),
		"reason": newEnum("reason", historyReasons, map[string]string{"调岗": ReasonTransfer, "调部门": ReasonTransfer,
			"升职": ReasonPromote, "降职": ReasonDemote, "转正式": ReasonRegularise, "离职": ReasonResign, "主动离职": ReasonResign,
			"辞退": ReasonTerminate, "解除劳动合同": ReasonTerminate, "合同到期": ReasonTerminate}),
	}
})

// ---- errors

// fieldColumns maps the module's form field names to column keys.
var fieldColumns = map[string]string{
	"departmentId": "department", "positionId": "position", "gradeId": "grade", "managerId": "manager",
	"locationId": "location", "legalEntityId": "legalEntity", "education.highestDegree": "highestDegree",
	"education.school": "school", "education.major": "major", "education.graduationDate": "graduationDate",
	"emergencyContacts[0].name": "emergencyContact", "emergencyContacts[0].mobile": "emergencyMobile",
	"emergencyContacts[0].relation": "emergencyRelation", "contract.kind": "contractKind", "contract.number": "contractNumber",
	"contract.startDate": "contractStart", "contract.endDate": "contractEnd", "signingEntityId": "signingEntity",
	"effectiveDate": "effectiveDate", "leaveDate": "leaveDate",
}

// cellErrors turns a service error into cell errors (fields renamed by
// extra first, then by fieldColumns); an error that is not about input
// is returned as is.
func cellErrors(err error, extra map[string]string) ([]imports.FieldError, error) {
	if err == nil {
		return nil, nil
	}
	var e *errs.Error
	if !errors.As(err, &e) || (e.Kind != errs.Invalid && e.Kind != errs.Conflict && e.Kind != errs.NotFound && e.Kind != errs.Forbidden) {
		return nil, err
	}
	if len(e.Fields) == 0 {
		return []imports.FieldError{{Code: e.Code, Params: e.Params}}, nil
	}
	out := make([]imports.FieldError, 0, len(e.Fields))
	for _, f := range e.Fields {
		col := f.Field
		if c, ok := extra[col]; ok {
			col = c
		} else if c, ok := fieldColumns[col]; ok {
			col = c
		}
		out = append(out, imports.FieldError{Column: col, Code: f.Code, Params: f.Params})
	}
	return out, nil
}

// cellError is one problem with a cell.
func cellError(col, code string, params ...errs.Params) imports.FieldError {
	fe := imports.FieldError{Column: col, Code: code}
	if len(params) > 0 {
		fe.Params = params[0]
	}
	return fe
}

// fieldsErrors lists the problems collected in f as cell errors.
func fieldsErrors(f *errs.Fields, extra map[string]string) []imports.FieldError {
	out, _ := cellErrors(f.Err(), extra)
	return out
}

// rawJSON marshals v (values of the module's own types never fail).
func rawJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("employee import: " + err.Error())
	}
	return b
}

// conflictNames builds the rollback refusal naming the records ("E0012
// 张三, E0013 李四", the first twenty).
func conflictNames(names []string) error {
	if len(names) == 0 {
		return nil
	}
	list := names
	if len(list) > 20 {
		list = append(slices.Clone(list[:20]), "…")
	}
	return errs.E(errs.Conflict, "imports.rollback_conflict", errs.Params{"records": strings.Join(list, ", "), "count": len(names)})
}

// ---- the organisation's catalogues, read once per run

// Catalogue lookups the org service offers besides the Org interface
// (*org.Service has them).
type orgCatalogue interface {
	EachPosition(ctx context.Context, f org.ListFilter, fn func(*org.Position) error) error
	EachGrade(ctx context.Context, f org.ListFilter, fn func(*org.Grade) error) error
	EachLocation(ctx context.Context, f org.ListFilter, fn func(*org.Location) error) error
	EachLegalEntity(ctx context.Context, f org.ListFilter, fn func(*org.LegalEntity) error) error
}

// orgImporter creates departments for an import (*org.Service).
type orgImporter interface {
	ImportDepartments(ctx context.Context, list []org.ImportDepartment) error
	UndoImport(ctx context.Context, changes []imports.Change) error
}

// catItem is a catalogue entry.
type catItem struct {
	id     ids.ID
	code   string
	name   string
	active bool
	rank   int
}

// catList finds entries by code or name.
type catList struct {
	byID  map[ids.ID]*catItem
	byKey map[string][]*catItem // matchKey(code) and matchKey(name)
	cells map[string]catHit     // cells resolved so far
}

type catHit struct {
	it   *catItem
	code string
}

func (l *catList) add(it catItem) {
	x := &it
	l.byID[x.id] = x
	for _, k := range []string{matchKey(x.code), matchKey(x.name)} {
		if k != "" && !slices.Contains(l.byKey[k], x) {
			l.byKey[k] = append(l.byKey[k], x)
		}
	}
}

// find resolves a cell to an entry: by code first, then by name.
func (l *catList) find(v string) (*catItem, string) {
	if h, ok := l.cells[v]; ok {
		return h.it, h.code
	}
	it, code := l.lookup(v)
	if len(l.cells) < 10000 {
		l.cells[v] = catHit{it, code}
	}
	return it, code
}

func (l *catList) lookup(v string) (*catItem, string) {
	k := matchKey(v)
	list := l.byKey[k]
	if len(list) > 1 {
		// A code beats a name that happens to look the same.
		for _, it := range list {
			if matchKey(it.code) == k {
				return it, ""
			}
		}
		return nil, "imports.ambiguous_reference"
	}
	if len(list) == 0 {
		return nil, "imports.unknown_reference"
	}
	return list[0], ""
}

// catalogue is what an import run knows of the organisation.
type catalogue struct {
	today     civil.Date
	depts     map[ids.ID]*org.Department
	deptCode  map[string]ids.ID   // matchKey(code)
	deptPath  map[string]ids.ID   // path names, root first, each matchKey'd, joined by "/"
	deptName  map[string][]ids.ID // matchKey(name)
	positions *catList
	grades    *catList
	locations *catList
	entities  *catList
}

func newCatList() *catList {
	return &catList{byID: map[ids.ID]*catItem{}, byKey: map[string][]*catItem{}, cells: map[string]catHit{}}
}

// loadCatalogue reads today's department tree and the catalogues.
func (s *Service) loadCatalogue(ctx context.Context) (*catalogue, error) {
	c := &catalogue{today: s.today(ctx), depts: map[ids.ID]*org.Department{}, deptCode: map[string]ids.ID{},
		deptPath: map[string]ids.ID{}, deptName: map[string][]ids.ID{}, positions: newCatList(), grades: newCatList(),
		locations: newCatList(), entities: newCatList()}
	if s.org == nil {
		return c, nil
	}
	octx := orgCtx(ctx)
	tree, err := s.org.Tree(octx, c.today)
	if err != nil {
		return nil, err
	}
	for i := range tree {
		c.addDept(&tree[i])
	}
	cat, ok := s.org.(orgCatalogue)
	if !ok {
		return c, nil
	}
	all := org.ListFilter{}
	if err := cat.EachPosition(octx, all, func(p *org.Position) error {
		c.positions.add(catItem{id: p.ID, code: p.Code, name: p.Name, active: p.Active})
		return nil
	}); err != nil {
		return nil, err
	}
	if err := cat.EachGrade(octx, all, func(g *org.Grade) error {
		c.grades.add(catItem{id: g.ID, code: g.Code, name: g.Name, active: g.Active, rank: g.Rank})
		return nil
	}); err != nil {
		return nil, err
	}
	if err := cat.EachLocation(octx, all, func(l *org.Location) error {
		c.locations.add(catItem{id: l.ID, name: l.Name, active: l.Active})
		return nil
	}); err != nil {
		return nil, err
	}
	if err := cat.EachLegalEntity(octx, all, func(e *org.LegalEntity) error {
		c.entities.add(catItem{id: e.ID, code: e.CreditCode, name: e.Name, active: e.Active})
		return nil
	}); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *catalogue) addDept(d *org.Department) {
	c.depts[d.ID] = d
	c.deptCode[matchKey(d.Code)] = d.ID
	c.deptPath[pathKey(d.PathNames)] = d.ID
	k := matchKey(d.Name)
	c.deptName[k] = append(c.deptName[k], d.ID)
}

func pathKey(names []string) string {
	keys := make([]string, len(names))
	for i, n := range names {
		keys[i] = matchKey(n)
	}
	return strings.Join(keys, "/")
}

// splitPath splits a department path: 技术部/后端组, 技术部>后端组,
// 技术部／后端组, "总部 / 技术部" as exports write it.
func splitPath(s string) []string {
	parts := clean.Path(s)
	if len(parts) == 1 && strings.ContainsAny(parts[0], "/>／＞\\") {
		parts = strings.FieldsFunc(parts[0], func(r rune) bool { return strings.ContainsRune("/>／＞\\", r) })
	}
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p = cellText(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// findDept resolves a department cell: a code, a path from the root, a
// path without its first levels (技术部/后端组 under 总公司), or a name
// found once in the tree. It returns the department, or the longest
// existing ancestor path (the index of the first missing level) when
// nothing matches.
func (c *catalogue) findDept(v string) (id ids.ID, code string, params errs.Params, parent ids.ID, missing []string) {
	if d, ok := c.deptCode[matchKey(v)]; ok {
		return d, "", nil, 0, nil
	}
	segs := splitPath(v)
	if len(segs) == 0 {
		return 0, "required", nil, 0, nil
	}
	if d, ok := c.deptPath[pathKey(segs)]; ok {
		return d, "", nil, 0, nil
	}
	// A unique department whose path ends with the segments.
	var hits []ids.ID
	if len(segs) == 1 {
		hits = c.deptName[matchKey(segs[0])]
	} else {
		tail := "/" + pathKey(segs)
		for k, d := range c.deptPath {
			if strings.HasSuffix("/"+k, tail) {
				hits = append(hits, d)
			}
		}
	}
	switch {
	case len(hits) == 1:
		return hits[0], "", nil, 0, nil
	case len(hits) > 1:
		var paths []string
		for _, h := range hits[:min(3, len(hits))] {
			paths = append(paths, strings.Join(c.depts[h].PathNames, "/"))
		}
		slices.Sort(paths)
		return 0, "imports.ambiguous_department", errs.Params{"value": v, "paths": strings.Join(paths, "; ")}, 0, nil
	}
	// Not found: the longest prefix that exists (from the root, or as a
	// unique tail) is where missing levels would go.
	for i := len(segs) - 1; i >= 1; i-- {
		pid, pcode, _, _, _ := c.findDept(strings.Join(segs[:i], "/"))
		if pcode == "" && pid != 0 {
			return 0, "imports.unknown_department", errs.Params{"value": v}, pid, segs[i:]
		}
	}
	return 0, "imports.unknown_department", errs.Params{"value": v}, 0, segs
}

// ref resolves a catalogue cell and checks it can be chosen.
func (l *catList) ref(col, v string) (ids.ID, *imports.FieldError) {
	it, code := l.find(v)
	if code != "" {
		e := cellError(col, code, errs.Params{"value": v})
		return 0, &e
	}
	if !it.active {
		e := cellError(col, "employee.inactive_choice", errs.Params{"name": it.name})
		return 0, &e
	}
	return it.id, nil
}

// ---- employees named in a file

// nameOf is "E0012 张三" for messages.
func nameOf(no, name string) string {
	return strings.TrimSpace(no + " " + name)
}

// working reports whether a stored employee works here on day, from his
// row (today's job) and hire date: enough for an import's checks (the
// service's own rules read the history when a change is recorded).
func working(e *Employee, day civil.Date, today civil.Date) bool {
	switch e.Status {
	case StatusProbation, StatusRegular:
		return true
	case StatusResigning:
		return e.LeaveDate.IsZero() || !e.LeaveDate.Before(day)
	case StatusPending:
		return !e.HireDate.IsZero() && !e.HireDate.After(day) && day.After(today)
	}
	return false
}

// byNumber indexes employees by number.
func byNumber(list []Employee) map[string]*Employee {
	m := make(map[string]*Employee, len(list))
	for i := range list {
		m[list[i].EmployeeNo] = &list[i]
	}
	return m
}

// state returns the value kept under key in the run, made by mk on first
// use.
func state[T any](run *imports.Run, key string, mk func() (*T, error)) (*T, error) {
	if run.State == nil {
		run.State = map[string]any{}
	}
	if v, ok := run.State[key].(*T); ok {
		return v, nil
	}
	v, err := mk()
	if err != nil {
		return nil, err
	}
	run.State[key] = v
	return v, nil
}
