package employee

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// The roster target ("employees"): a row is a new hire (the record, the
// first job row and optionally the first contract, written through the
// module's bulk path) or a change of an existing record's profile (only
// the mapped, non-empty cells; nothing different: unchanged). Job
// columns of existing employees must agree with the job they hold: a
// different department, position, grade, manager... is a change with a
// date, which the job history target records (see docs).

type rosterTarget struct{ s *Service }

func (t *rosterTarget) Name() string       { return TargetEmployees }
func (t *rosterTarget) Label() string      { return "employee.import.target.employees" }
func (t *rosterTarget) Keys() []string     { return []string{"employeeNo", "idNumber"} }
func (t *rosterTarget) Permission() string { return PermCreate }
func (t *rosterTarget) Columns(ctx context.Context) ([]imports.Column, error) {
	return t.s.rosterColumnsFor(ctx)
}

// jobColumns are the roster columns that describe the job.
var jobColumns = []string{"department", "position", "grade", "location", "legalEntity", "employmentType", "hireDate", "probationMonths", "manager"}

// contractColumns are the roster columns of the first contract.
var contractColumns = []string{"contractKind", "contractNumber", "contractStart", "contractEnd"}

// ---- state of a run

// fileEmp is a new hire of the file that checked out: managers named
// further down the file resolve to it.
type fileEmp struct {
	id      ids.ID
	line    int
	no      string
	name    string
	hire    civil.Date
	day     civil.Date // the day the job is checked on: the hire date, or today if earlier
	manager *fileEmp   // a manager who is a new hire of the file
	mgrRef  string     // a manager not found yet (named further down?)
	applied bool
}

// plannedDept is a department the import creates (create departments
// option).
type plannedDept struct {
	id       ids.ID
	code     string
	name     string
	names    []string // path names, root first
	parentID ids.ID   // an existing parent
	parent   *plannedDept
	day      civil.Date // earliest day a row needs it
	from     civil.Date // first day, once created
	created  bool
}

type deptHit struct {
	id      ids.ID
	planned *plannedDept
	err     *imports.FieldError
}

type rosterState struct {
	cat  *catalogue
	defs []Field

	keys      map[string]int      // upsert key → first line
	nos       map[string]int      // employee numbers taken by rows → line
	hashes    map[string]int      // ID numbers (blind index) of rows → line
	matched   map[ids.ID]int      // existing employees a row changes → line
	failedNos map[string]int      // numbers of failed rows → line
	byNo      map[string]*fileEmp // new hires that checked out
	byName    map[string][]*fileEmp
	byID      map[ids.ID]*fileEmp   // (once written, the database finds them too)
	waiting   map[string][]*fileEmp // manager cells not found yet → rows naming them
	late      map[int][]imports.FieldError
	patches   []*fileEmp // written hires whose manager turned up later

	planned   map[string]*plannedDept // by path key
	deptCells map[string]deptHit
	codes     map[string]bool
}

func (t *rosterTarget) state(ctx context.Context, run *imports.Run) (*rosterState, error) {
	return state(run, "employee."+TargetEmployees, func() (*rosterState, error) {
		cat, err := t.s.loadCatalogue(ctx)
		if err != nil {
			return nil, err
		}
		defs, err := t.s.fieldDefs(ctx)
		if err != nil {
			return nil, err
		}
		st := &rosterState{cat: cat, defs: defs, keys: map[string]int{}, nos: map[string]int{}, hashes: map[string]int{},
			matched: map[ids.ID]int{}, failedNos: map[string]int{}, byNo: map[string]*fileEmp{}, byName: map[string][]*fileEmp{},
			byID:    map[ids.ID]*fileEmp{},
			waiting: map[string][]*fileEmp{}, late: map[int][]imports.FieldError{}, planned: map[string]*plannedDept{},
			deptCells: map[string]deptHit{}, codes: map[string]bool{}}
		for k := range cat.deptCode {
			st.codes[k] = true
		}
		return st, nil
	})
}

// ---- reading a row

// rosterCells is what a row says, cell by cell; empty cells say nothing.
type rosterCells struct {
	line int
	errs []imports.FieldError
	has  map[string]bool
	// engineFailed: the engine could not clean some cell; the row fails
	// and later rows must not count on it.
	engineFailed bool

	no, name, englishName, gender, idType, idNumber string
	birthDate                                       civil.Date
	nationality, ethnicity, marital                 string
	hukouType, hukouPlace                           string
	education                                       Education
	mobile, email, address                          string
	contact                                         EmergencyContact
	bankName, bankAccount                           string
	firstWork                                       civil.Date
	custom                                          map[string]any

	dept, position, grade, location, entity, employmentType string
	hire                                                    civil.Date
	probation                                               int
	manager                                                 string
	contract                                                NewContract
	idHash                                                  string
}

func (c *rosterCells) fail(col, code string, params ...errs.Params) {
	c.errs = append(c.errs, cellError(col, code, params...))
	delete(c.has, col)
}

// hasAny reports whether any of the columns has a value.
func (c *rosterCells) hasAny(cols ...string) bool {
	return slices.ContainsFunc(cols, func(k string) bool { return c.has[k] })
}

// readRoster reads the cells of a row.
func (t *rosterTarget) read(st *rosterState, r imports.Row) *rosterCells {
	c := &rosterCells{line: r.Line, has: make(map[string]bool, len(r.Values)), custom: map[string]any{}, engineFailed: len(r.Errors) > 0}
	vals := make(map[string]string, len(r.Values))
	for k, raw := range r.Values {
		if v := cellText(raw); v != "" {
			vals[k] = v
			c.has[k] = true
			if max := maxOf(k); max > 0 && utf8.RuneCountInString(v) > max {
				c.fail(k, "too_long", errs.Params{"max": max})
			}
		}
	}
	text := func(k string) string {
		if !c.has[k] {
			return ""
		}
		return vals[k]
	}
	date := func(k string) civil.Date {
		v := text(k)
		if v == "" {
			return civil.Date{}
		}
		d, code := parseDate(v)
		if code != "" {
			c.fail(k, code)
		}
		return d
	}
	choice := func(k, kind string) string {
		v := text(k)
		if v == "" {
			return ""
		}
		code, ok := enums()[kind].match(v)
		if !ok {
			c.fail(k, "invalid_choice")
		}
		return code
	}
	c.no = text("employeeNo")
	c.name = text("name")
	if c.name == "" && c.hasAny("lastName", "firstName", "middleName") {
		c.name = composeName(text("lastName"), text("firstName"), text("middleName"))
		c.has["name"] = c.name != ""
	}
	c.englishName = text("englishName")
	c.gender = choice("gender", "gender")
	c.birthDate = date("birthDate")
	c.idType = choice("idType", "id_type")
	c.idNumber = text("idNumber")
	if c.idNumber == "" && c.has["passportNumber"] {
		c.idNumber = text("passportNumber")
		c.has["idNumber"] = true
		if c.idType == "" {
			c.idType = IDPassport
			c.has["idType"] = true
		}
	}
	if c.idNumber != "" {
		c.idNumber = strings.ToUpper(strings.ReplaceAll(c.idNumber, " ", ""))
	}
	c.nationality = text("nationality")
	c.ethnicity = text("ethnicity")
	c.marital = choice("maritalStatus", "marital_status")
	c.hukouType = choice("hukouType", "hukou_type")
	c.hukouPlace = text("hukouPlace")
	c.education = Education{HighestDegree: choice("highestDegree", "degree"), School: text("school"), Major: text("major"),
		GraduationDate: date("graduationDate")}
	c.mobile = text("mobile")
	c.email = text("email")
	c.address = text("address")
	if c.hasAny("address2", "city", "province", "postalCode", "country") {
		c.address = composeAddress(c.address, text("address2"), text("city"), text("province"), text("postalCode"), text("country"))
		c.has["address"] = c.address != ""
	}
	c.contact = EmergencyContact{Name: text("emergencyContact"), Relation: text("emergencyRelation"), Mobile: text("emergencyMobile")}
	c.bankName = text("bankName")
	c.bankAccount = text("bankAccount")
	c.firstWork = date("firstWorkDate")
	for _, fd := range st.defs {
		k := "custom." + fd.Code
		if v := text(k); v != "" {
			if val, ok := customValue(fd, v); ok {
				c.custom[fd.Code] = val
			} else {
				c.fail(k, "employee.invalid_custom_value", errs.Params{"label": fd.Label})
			}
		}
	}
	c.dept, c.position, c.grade = text("department"), text("position"), text("grade")
	c.location, c.entity = text("location"), text("legalEntity")
	c.employmentType = choice("employmentType", "employment_type")
	c.hire = date("hireDate")
	if v := text("probationMonths"); v != "" {
		n, ok := parseCount(v)
		if !ok {
			c.fail("probationMonths", "imports.invalid_number")
		}
		c.probation = n
	}
	c.manager = text("manager")
	c.contract = NewContract{Kind: choice("contractKind", "contract_kind"), Number: text("contractNumber"),
		StartDate: date("contractStart"), EndDate: date("contractEnd")}
	return c
}

// maxOf is a roster column's length limit.
func maxOf(key string) int { return rosterMax()[key] }

var rosterMax = sync.OnceValue(func() map[string]int {
	m := map[string]int{}
	for _, d := range rosterDefs {
		m[d.key] = d.max
	}
	return m
})

// composeName joins name parts: 姓 + 名 for Chinese names, "First Middle
// Last" otherwise.
func composeName(last, first, middle string) string {
	if hasHan(last) || hasHan(first) {
		return last + middle + first
	}
	return strings.Join(strings.Fields(first+" "+middle+" "+last), " ")
}

func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

// composeAddress joins address parts: from the largest unit for Chinese
// addresses, from the street for others.
func composeAddress(street, line2, city, province, postal, country string) string {
	if hasHan(street + city + province) {
		return strings.TrimSpace(country + province + city + street + line2 + " " + postal)
	}
	var parts []string
	for _, p := range []string{street, line2, city, strings.TrimSpace(province + " " + postal), country} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// customValue reads a custom field's cell as the field stores it.
func customValue(fd Field, v string) (any, bool) {
	switch fd.Type {
	case FieldDate:
		d, code := parseDate(v)
		if code != "" {
			return nil, false
		}
		v = d.String()
	case FieldSelect:
		o, ok := option(fd, v)
		if !ok {
			return nil, false
		}
		v = o
	case FieldMultiSelect:
		var list []string
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(",，、;；|", r) }) {
			o, ok := option(fd, part)
			if !ok {
				return nil, false
			}
			list = append(list, o)
		}
		out, _, ok := fd.Value(list)
		return out, ok
	case FieldNumber:
		v = strings.NewReplacer(",", "", "，", "").Replace(v)
	}
	out, empty, ok := fd.Value(v)
	return out, ok && !empty
}

// option finds a select option, ignoring case and width.
func option(fd Field, v string) (string, bool) {
	k := matchKey(v)
	for _, o := range fd.Options {
		if matchKey(o) == k {
			return o, true
		}
	}
	return "", false
}

// overlay writes the row's non-empty profile cells over a profile.
func (c *rosterCells) overlay(p *Profile) {
	str := func(k string, dst *string, v string) {
		if c.has[k] {
			*dst = v
		}
	}
	str("name", &p.Name, c.name)
	str("englishName", &p.EnglishName, c.englishName)
	str("gender", &p.Gender, c.gender)
	str("idType", &p.IDType, c.idType)
	str("idNumber", &p.IDNumber, c.idNumber)
	str("nationality", &p.Nationality, c.nationality)
	str("ethnicity", &p.Ethnicity, c.ethnicity)
	str("maritalStatus", &p.MaritalStatus, c.marital)
	str("hukouType", &p.HukouType, c.hukouType)
	str("hukouPlace", &p.HukouPlace, c.hukouPlace)
	str("highestDegree", &p.Education.HighestDegree, c.education.HighestDegree)
	str("school", &p.Education.School, c.education.School)
	str("major", &p.Education.Major, c.education.Major)
	str("mobile", &p.Mobile, c.mobile)
	str("email", &p.Email, c.email)
	str("address", &p.Address, c.address)
	str("bankName", &p.BankName, c.bankName)
	str("bankAccount", &p.BankAccount, c.bankAccount)
	if c.has["birthDate"] {
		p.BirthDate = c.birthDate
	}
	if c.has["graduationDate"] {
		p.Education.GraduationDate = c.education.GraduationDate
	}
	if c.has["firstWorkDate"] {
		p.FirstWorkDate = c.firstWork
	}
	if c.hasAny("emergencyContact", "emergencyMobile", "emergencyRelation") {
		p.EmergencyContacts = slices.Clone(p.EmergencyContacts)
		if len(p.EmergencyContacts) == 0 {
			p.EmergencyContacts = append(p.EmergencyContacts, EmergencyContact{})
		}
		first := &p.EmergencyContacts[0]
		str("emergencyContact", &first.Name, c.contact.Name)
		str("emergencyRelation", &first.Relation, c.contact.Relation)
		str("emergencyMobile", &first.Mobile, c.contact.Mobile)
	}
	if len(c.custom) > 0 {
		m := maps.Clone(p.Custom)
		if m == nil {
			m = map[string]any{}
		}
		maps.Copy(m, c.custom)
		p.Custom = m
	}
}

// ---- lookups of a chunk

type rosterLookups struct {
	byNo   map[string]*Employee
	byHash map[string]*Employee
	byName map[string][]*Employee
	rows   map[ids.ID][]Assignment // existing employees' job rows (update rows with job cells)
	cons   map[ids.ID][]Contract
}

// ---- Check

// newHire is a checked new row, for Apply.
type newHire struct {
	fe       *fileEmp
	emp      Employee // profile with opened values
	job      Job
	mgrID    ids.ID // an existing manager
	dept     *plannedDept
	contract *Contract
	regular  civil.Date // probation already over: regularised from this day
}

// profileChange is a checked change of an existing record, for Apply.
type profileChange struct {
	id      ids.ID
	version int
	profile Profile
	no      string // new employee number, "" to keep
}

func (t *rosterTarget) Check(ctx context.Context, run *imports.Run, rows []imports.Row) ([]imports.Outcome, error) {
	s := t.s
	p, scope, err := rbac.Require(ctx, PermCreate)
	if err != nil {
		return nil, err
	}
	if err := s.ensureCurrent(ctx); err != nil {
		return nil, err
	}
	st, err := t.state(ctx, run)
	if err != nil {
		return nil, err
	}
	today := s.today(ctx)
	cells := make([]*rosterCells, len(rows))
	var nos, hashes, refs []string
	for i := range rows {
		c := t.read(st, rows[i])
		cells[i] = c
		if c.no != "" {
			nos = append(nos, c.no)
		}
		if c.idNumber != "" {
			c.idHash = s.idHash(c.idType, c.idNumber)
			hashes = append(hashes, c.idHash)
		}
		if c.manager != "" {
			refs = append(refs, c.manager)
		}
	}
	look, err := t.lookup(ctx, st, nos, hashes, refs)
	if err != nil {
		return nil, err
	}
	// Existing records the rows name, and their history and contracts
	// when job or contract cells are to be compared.
	targets := make([]*Employee, len(rows))
	var withJob []ids.ID
	for i, c := range cells {
		targets[i] = t.match(run, c, look)
		if e := targets[i]; e != nil && (c.hasAny(jobColumns...) || c.hasAny(contractColumns...)) {
			withJob = append(withJob, e.ID)
		}
	}
	if len(withJob) > 0 {
		as, err := s.store.AssignmentsOf(ctx, withJob)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			look.rows[a.EmployeeID] = append(look.rows[a.EmployeeID], a)
		}
		cs, err := s.store.ContractsOf(ctx, withJob)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			look.cons[c.EmployeeID] = append(look.cons[c.EmployeeID], c)
		}
	}
	outs := make([]imports.Outcome, len(rows))
	for i, c := range cells {
		var o imports.Outcome
		if targets[i] != nil {
			o, err = t.checkUpdate(ctx, run, st, p, c, targets[i], look, today)
		} else {
			o, err = t.checkNew(ctx, run, st, p, scope, c, look, today)
		}
		if err != nil {
			return nil, err
		}
		if len(o.Errors) > 0 || c.engineFailed {
			o.Action, o.Data = imports.ActionFailed, nil
			if c.no != "" {
				if _, ok := st.failedNos[c.no]; !ok {
					st.failedNos[c.no] = c.line
				}
			}
		}
		outs[i] = o
	}
	return outs, nil
}

// lookup reads, in a few queries, the employees a chunk names.
func (t *rosterTarget) lookup(ctx context.Context, st *rosterState, nos, hashes, refs []string) (*rosterLookups, error) {
	s := t.s
	look := &rosterLookups{byHash: map[string]*Employee{}, byName: map[string][]*Employee{}, rows: map[ids.ID][]Assignment{},
		cons: map[ids.ID][]Contract{}}
	found, err := s.store.EmployeesByNos(ctx, append(slices.Clone(nos), refs...))
	if err != nil {
		return nil, err
	}
	look.byNo = byNumber(found)
	byHash, err := s.store.EmployeesByIDHashes(ctx, hashes)
	if err != nil {
		return nil, err
	}
	for i := range byHash {
		look.byHash[byHash[i].IDNumberHash] = &byHash[i]
	}
	// Cells that are no number (of an employee, or of a row of the file)
	// may be names.
	chunkNos := make(map[string]bool, len(nos))
	for _, n := range nos {
		chunkNos[n] = true
	}
	var names []string
	for _, r := range refs {
		if look.byNo[r] == nil && st.byNo[r] == nil && !chunkNos[r] {
			names = append(names, r)
		}
	}
	named, err := s.store.EmployeesByNames(ctx, names)
	if err != nil {
		return nil, err
	}
	for i := range named {
		look.byName[named[i].Name] = append(look.byName[named[i].Name], &named[i])
	}
	return look, nil
}

// match finds the existing record a row is about: by the chosen key; a
// row without an employee number (key employeeNo) is matched by its ID
// number, so a file of new hires without numbers can be imported again
// without hiring anyone twice.
func (t *rosterTarget) match(run *imports.Run, c *rosterCells, look *rosterLookups) *Employee {
	if run.Key == "idNumber" {
		return look.byHash[c.idHash]
	}
	if c.no != "" {
		return look.byNo[c.no]
	}
	if c.idHash != "" {
		return look.byHash[c.idHash]
	}
	return nil
}

// keyOf is the row's upsert key ("" when it has none).
func keyOf(run *imports.Run, c *rosterCells, e *Employee) (key, col string) {
	switch {
	case run.Key == "idNumber":
		if c.idHash == "" {
			return "", "idNumber"
		}
		return "id:" + c.idHash, "idNumber"
	case c.no != "":
		return "no:" + c.no, "employeeNo"
	case e != nil:
		return "emp:" + e.ID.String(), "idNumber"
	}
	return "", "employeeNo"
}

// checkNew checks a row that hires someone.
func (t *rosterTarget) checkNew(ctx context.Context, run *imports.Run, st *rosterState, p *rbac.Principal, scope rbac.Scope,
	c *rosterCells, look *rosterLookups, today civil.Date) (imports.Outcome, error) {
	o := imports.Outcome{Action: imports.ActionNew, Errors: c.errs}
	add := func(fe ...imports.FieldError) { o.Errors = append(o.Errors, fe...) }
	key, keyCol := keyOf(run, c, nil)
	if run.Key == "idNumber" && key == "" {
		add(cellError("idNumber", "required"))
	}
	if line, dup := st.keys[key]; key != "" && dup {
		add(cellError(keyCol, "imports.duplicate_key", errs.Params{"line": line}))
	}
	dupKey := len(o.Errors) > len(c.errs)
	if c.no != "" {
		if !numberPattern.MatchString(c.no) {
			add(cellError("employeeNo", "invalid_format"))
		} else if other := look.byNo[c.no]; other != nil {
			add(cellError("employeeNo", "employee.duplicate_employee_no", errs.Params{"name": other.Name, "employeeNo": other.EmployeeNo}))
		} else if line, dup := st.nos[c.no]; dup && !(dupKey && keyCol == "employeeNo") {
			add(cellError("employeeNo", "imports.duplicate_in_file", errs.Params{"line": line}))
		}
	}
	if c.idHash != "" {
		if other := look.byHash[c.idHash]; other != nil {
			add(cellError("idNumber", "employee.duplicate_id_number", errs.Params{"name": other.Name, "employeeNo": other.EmployeeNo}))
		} else if line, dup := st.hashes[c.idHash]; dup && !(dupKey && keyCol == "idNumber") {
			add(cellError("idNumber", "imports.duplicate_in_file", errs.Params{"line": line}))
		}
	}
	// The profile, checked like the hiring form's.
	var pr Profile
	c.overlay(&pr)
	var f errs.Fields
	checkProfile(&f, &pr, today)
	pr.Custom = checkCustom(&f, st.defs, pr.Custom, c.custom, nil)
	hire := c.hire
	switch {
	case !c.has["hireDate"] && !slices.ContainsFunc(o.Errors, func(e imports.FieldError) bool { return e.Column == "hireDate" }):
		f.Add("hireDate", "required")
	case c.has["hireDate"] && !pr.BirthDate.IsZero() && hire.Before(pr.BirthDate.AddYears(MinimumAge)) && !f.Has("birthDate"):
		f.Add("hireDate", "employee.under_age", errs.Params{"age": MinimumAge})
	}
	if !pr.FirstWorkDate.IsZero() && !hire.IsZero() && pr.FirstWorkDate.After(hire) && !f.Has("firstWorkDate") {
		f.Add("firstWorkDate", "employee.first_work_after_hire")
	}
	day := hire
	if day.Before(today) || day.IsZero() {
		day = today
	}
	fe := &fileEmp{id: ids.New(), line: c.line, no: c.no, name: pr.Name, hire: hire, day: day}
	h := &newHire{fe: fe}
	// The job, checked as of the import day (or the hire date when it
	// is later): a roster says where people work now.
	job := Job{EmploymentType: c.employmentType, Period: 1, HireDate: hire, ProbationMonths: c.probation}
	if job.EmploymentType == "" {
		job.EmploymentType = FullTime
	}
	if c.dept == "" && !c.has["department"] {
		f.Add("departmentId", "required")
	} else if c.has["department"] {
		hit := t.department(ctx, run, st, p, c.dept)
		switch {
		case hit.err != nil:
			add(*hit.err)
		case hit.planned != nil:
			h.dept = hit.planned
			if !scope.All && !coversPlanned(scope, hit.planned) {
				f.Add("departmentId", "employee.out_of_scope")
			}
		default:
			job.DepartmentID = hit.id
			if err := t.deptActive(ctx, st, &f, hit.id, day); err != nil {
				return o, err
			}
			if !scope.All && !scope.CoversDepartment(hit.id) {
				f.Add("departmentId", "employee.out_of_scope")
			}
		}
	}
	t.refs(st, c, &job, add)
	if d := st.cat.depts[job.DepartmentID]; d != nil {
		if job.LegalEntityID == 0 {
			job.LegalEntityID = d.LegalEntityID
		}
		if job.LocationID == 0 {
			job.LocationID = d.LocationID
		}
	}
	// The first contract, when the row has one.
	limit := MaxProbationMonths
	if c.hasAny(contractColumns...) {
		n := c.contract
		if n.StartDate.IsZero() && !c.has["contractStart"] {
			n.StartDate = hire
		}
		n.check(&f, "contract.")
		limit = ProbationLimit(n.Kind, n.StartDate, n.EndDate)
		h.contract = &Contract{ID: ids.New(), Kind: n.Kind, Number: n.Number, StartDate: n.StartDate, EndDate: n.EndDate,
			SigningEntityID: job.LegalEntityID, Status: ContractActive}
	}
	checkProbation(&f, "probationMonths", c.probation, limit)
	if c.probation > 0 && !hire.IsZero() {
		job.ProbationEndDate = ProbationEnd(hire, c.probation)
		if job.ProbationEndDate.Before(today) {
			h.regular = job.ProbationEndDate.AddDays(1)
		}
	}
	// The manager: someone working here, or a new hire of the file
	// (perhaps further down).
	if c.manager != "" {
		id, mgr, fe2, waiting := t.manager(st, c.manager, fe, look, today)
		switch {
		case fe2 != nil:
			add(*fe2)
		case waiting:
			fe.mgrRef = c.manager
		case mgr != nil:
			fe.manager = mgr
		default:
			h.mgrID = id
		}
	}
	add(fieldsErrors(&f, nil)...)
	if len(o.Errors) > 0 || c.engineFailed {
		if key != "" {
			if _, ok := st.keys[key]; !ok {
				st.keys[key] = c.line
			}
		}
		return o, nil
	}
	h.emp = Employee{EmployeeNo: c.no}
	setProfile(&h.emp, &pr)
	h.job = job
	o.Data = h
	// Later rows know this one.
	if key != "" {
		st.keys[key] = c.line
	}
	if c.no != "" {
		st.nos[c.no] = c.line
		st.byNo[c.no] = fe
	}
	if c.idHash != "" {
		st.hashes[c.idHash] = c.line
	}
	st.byName[pr.Name] = append(st.byName[pr.Name], fe)
	st.byID[fe.id] = fe
	if fe.mgrRef != "" {
		st.waiting[fe.mgrRef] = append(st.waiting[fe.mgrRef], fe)
	}
	t.resolveWaiting(st, fe, c.no)
	t.resolveWaiting(st, fe, pr.Name)
	return o, nil
}

// coversPlanned reports whether a scope covers a department the import
// creates: one of its existing ancestors is covered.
func coversPlanned(scope rbac.Scope, d *plannedDept) bool {
	for ; d != nil; d = d.parent {
		if d.parent == nil {
			return d.parentID != 0 && scope.CoversDepartment(d.parentID)
		}
	}
	return false
}

// deptActive checks a department is open on day.
func (t *rosterTarget) deptActive(ctx context.Context, st *rosterState, f *errs.Fields, id ids.ID, day civil.Date) error {
	d := st.cat.depts[id]
	if day != st.cat.today && t.s.org != nil {
		var err error
		d, err = t.s.org.Department(orgCtx(ctx), id, day)
		if errs.KindOf(err) == errs.NotFound {
			f.Add("departmentId", "employee.department_missing", errs.Params{"date": day.String()})
			return nil
		} else if err != nil {
			return err
		}
	}
	if d != nil && !d.Active {
		f.Add("departmentId", "employee.department_inactive", errs.Params{"name": d.Name, "date": day.String()})
	}
	return nil
}

// refs resolves the catalogue cells of a job.
func (t *rosterTarget) refs(st *rosterState, c *rosterCells, job *Job, add func(...imports.FieldError)) {
	for _, r := range []struct {
		col  string
		v    string
		list *catList
		dst  *ids.ID
	}{{"position", c.position, st.cat.positions, &job.PositionID}, {"grade", c.grade, st.cat.grades, &job.GradeID},
		{"location", c.location, st.cat.locations, &job.LocationID}, {"legalEntity", c.entity, st.cat.entities, &job.LegalEntityID}} {
		if r.v == "" {
			continue
		}
		id, fe := r.list.ref(r.col, r.v)
		if fe != nil {
			add(*fe)
			continue
		}
		*r.dst = id
	}
}

// manager resolves a manager cell for a new hire sub (nil for a change
// of an existing record): an employee number, then a name found once
// among the employees and the file's new hires. waiting says it names
// nobody known yet (a row further down may).
func (t *rosterTarget) manager(st *rosterState, ref string, sub *fileEmp, look *rosterLookups, today civil.Date) (ids.ID, *fileEmp, *imports.FieldError, bool) {
	day := today
	if sub != nil {
		day = sub.day
	}
	stored := func(e *Employee) (ids.ID, *fileEmp, *imports.FieldError, bool) {
		if !working(e, day, today) {
			fe := cellError("manager", "employee.manager_inactive", errs.Params{"name": e.Name, "date": day.String()})
			return 0, nil, &fe, false
		}
		return e.ID, nil, nil, false
	}
	inFile := func(m *fileEmp) (ids.ID, *fileEmp, *imports.FieldError, bool) {
		if fe := t.validManager(m, sub, day); fe != nil {
			return 0, nil, fe, false
		}
		return m.id, m, nil, false
	}
	if e := look.byNo[ref]; e != nil {
		if m := st.byID[e.ID]; m != nil { // a hire of this file, written by an earlier chunk
			return inFile(m)
		}
		return stored(e)
	}
	if m := st.byNo[ref]; m != nil {
		return inFile(m)
	}
	dbNamed, fileNamed := st.others(look.byName[ref]), st.byName[ref]
	switch n := len(dbNamed) + len(fileNamed); {
	case n > 1:
		fe := cellError("manager", "imports.ambiguous_employee", errs.Params{"value": ref, "count": n})
		return 0, nil, &fe, false
	case len(dbNamed) == 1:
		return stored(dbNamed[0])
	case len(fileNamed) == 1:
		return inFile(fileNamed[0])
	}
	if line, ok := st.failedNos[ref]; ok {
		fe := cellError("manager", "imports.manager_row_failed", errs.Params{"line": line})
		return 0, nil, &fe, false
	}
	return 0, nil, nil, true
}

// others leaves out of stored employees those the file hired.
func (st *rosterState) others(list []*Employee) []*Employee {
	out := list[:0:0]
	for _, e := range list {
		if st.byID[e.ID] == nil {
			out = append(out, e)
		}
	}
	return out
}

// validManager checks a new hire of the file can manage sub: he works
// here on sub's day and the chain of managers does not lead back to sub.
func (t *rosterTarget) validManager(m, sub *fileEmp, day civil.Date) *imports.FieldError {
	if sub == nil {
		return nil
	}
	if m == sub {
		fe := cellError("manager", "employee.manager_self")
		return &fe
	}
	if m.hire.After(day) {
		fe := cellError("manager", "employee.manager_inactive", errs.Params{"name": m.name, "date": day.String()})
		return &fe
	}
	for x, n := m.manager, 0; x != nil && n < 1000; x, n = x.manager, n+1 {
		if x == sub {
			fe := cellError("manager", "employee.manager_loop", errs.Params{"date": day.String()})
			return &fe
		}
	}
	return nil
}

// resolveWaiting gives rows that named ref (a number or a name) as
// their manager before it was known the new hire m.
func (t *rosterTarget) resolveWaiting(st *rosterState, m *fileEmp, ref string) {
	subs := st.waiting[ref]
	if ref == "" || len(subs) == 0 {
		return
	}
	delete(st.waiting, ref)
	for _, sub := range subs {
		if sub.manager != nil {
			// Already resolved by number; a name naming two people is
			// ambiguous.
			if sub.manager != m && sub.mgrRef == ref {
				st.late[sub.line] = append(st.late[sub.line], cellError("manager", "imports.ambiguous_employee", errs.Params{"value": ref, "count": 2}))
			}
			continue
		}
		if fe := t.validManager(m, sub, sub.day); fe != nil {
			st.late[sub.line] = append(st.late[sub.line], *fe)
			continue
		}
		sub.manager = m
		if sub.applied {
			st.patches = append(st.patches, sub)
		}
	}
}

// Finish reports the rows whose problems only the whole file shows:
// managers named by number or name that no row of the file (nor any
// employee) turned out to be, or that turned out not to qualify. The
// engine calls it after the last chunk of a pass; keys are line numbers.
func (t *rosterTarget) Finish(ctx context.Context, run *imports.Run) (map[int][]imports.FieldError, error) {
	st, err := t.state(ctx, run)
	if err != nil {
		return nil, err
	}
	out := map[int][]imports.FieldError{}
	for line, list := range st.late {
		out[line] = append(out[line], list...)
	}
	for ref, subs := range st.waiting {
		for _, sub := range subs {
			if sub.manager == nil {
				out[sub.line] = append(out[sub.line], cellError("manager", "imports.unknown_employee", errs.Params{"value": ref}))
			}
		}
	}
	return out, nil
}

// department resolves a department cell; with the create option, a
// missing department (or the missing levels of a path) is planned.
func (t *rosterTarget) department(ctx context.Context, run *imports.Run, st *rosterState, p *rbac.Principal, v string) deptHit {
	key := matchKey(v)
	if hit, ok := st.deptCells[key]; ok {
		return hit
	}
	hit := t.resolveDept(run, st, p, v)
	st.deptCells[key] = hit
	return hit
}

func (t *rosterTarget) resolveDept(run *imports.Run, st *rosterState, p *rbac.Principal, v string) deptHit {
	id, code, params, parent, missing := st.cat.findDept(v)
	fail := func(code string, params errs.Params) deptHit {
		fe := cellError("department", code, params)
		return deptHit{err: &fe}
	}
	switch {
	case code == "":
		return deptHit{id: id}
	case len(missing) == 0:
		return fail(code, params)
	}
	// Departments created by an earlier row of the file.
	names := slices.Clone(missing)
	if parent != 0 {
		names = append(slices.Clone(st.cat.depts[parent].PathNames), missing...)
	}
	if pd := st.planned[pathKey(names)]; pd != nil {
		return deptHit{planned: pd}
	}
	switch {
	case !run.CreateDepartments:
		return fail(code, params)
	case !p.Can(org.PermManage):
		return fail("forbidden", errs.Params{"permission": org.PermManage})
	}
	if _, ok := t.s.org.(orgImporter); !ok {
		return fail("imports.cannot_create_departments", nil)
	}
	if parent != 0 && !st.cat.depts[parent].Active {
		d := st.cat.depts[parent]
		return fail("employee.department_inactive", errs.Params{"name": d.Name, "date": st.cat.today.String()})
	}
	var up *plannedDept
	base := len(names) - len(missing)
	for i := range missing {
		path := names[:base+i+1]
		k := pathKey(path)
		pd := st.planned[k]
		if pd == nil {
			pd = &plannedDept{id: ids.New(), name: missing[i], names: slices.Clone(path), parent: up}
			if up == nil {
				pd.parentID = parent
			}
			if len([]rune(pd.name)) > 100 {
				return fail("too_long", errs.Params{"max": 100})
			}
			pd.code = st.newCode(path)
			st.planned[k] = pd
		}
		up = pd
	}
	return deptHit{planned: up}
}

// newCode makes a code for a created department from the initials of its
// path (技术部/后端组 → JSB-HDZ), unique in the tenant.
func (st *rosterState) newCode(path []string) string {
	var parts []string
	for _, name := range path {
		var b strings.Builder
		for _, r := range name {
			switch {
			case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
				b.WriteRune(unicode.ToUpper(r))
			case unicode.Is(unicode.Han, r):
				if py := runePinyin(r); py != "" {
					b.WriteByte(py[0] - 'a' + 'A')
				}
			}
		}
		if b.Len() > 0 {
			parts = append(parts, b.String())
		}
	}
	code := strings.Join(parts, "-")
	if len(code) > 26 {
		code = code[len(code)-26:]
		code = strings.TrimLeft(code, "-")
	}
	if code == "" {
		code = "D"
	}
	out := code
	for n := 2; st.codes[matchKey(out)]; n++ {
		out = code + "-" + itoa(n)
	}
	st.codes[matchKey(out)] = true
	return out
}

// checkUpdate checks a row about an existing record.
func (t *rosterTarget) checkUpdate(ctx context.Context, run *imports.Run, st *rosterState, p *rbac.Principal, c *rosterCells,
	e *Employee, look *rosterLookups, today civil.Date) (imports.Outcome, error) {
	s := t.s
	o := imports.Outcome{Action: imports.ActionUpdate, Errors: c.errs}
	add := func(fe ...imports.FieldError) { o.Errors = append(o.Errors, fe...) }
	key, keyCol := keyOf(run, c, e)
	if line, dup := st.keys[key]; key != "" && dup {
		add(cellError(keyCol, "imports.duplicate_key", errs.Params{"line": line}))
	} else if line, dup := st.matched[e.ID]; dup {
		add(cellError(keyCol, "imports.duplicate_key", errs.Params{"line": line}))
	}
	if key != "" {
		if _, ok := st.keys[key]; !ok {
			st.keys[key] = c.line
		}
	}
	if _, ok := st.matched[e.ID]; !ok {
		st.matched[e.ID] = c.line
	}
	if scope, ok := p.Scope(PermUpdate); !ok {
		add(cellError(keyCol, "forbidden", errs.Params{"permission": PermUpdate}))
		return o, nil
	} else if !visible(scope, p, e) {
		add(cellError(keyCol, "employee.out_of_scope"))
		return o, nil
	}
	// A new employee number (key idNumber) or ID number (key
	// employeeNo) must be free.
	no := ""
	if c.no != "" && c.no != e.EmployeeNo {
		switch other := look.byNo[c.no]; {
		case !numberPattern.MatchString(c.no):
			add(cellError("employeeNo", "invalid_format"))
		case other != nil && other.ID != e.ID:
			add(cellError("employeeNo", "employee.duplicate_employee_no", errs.Params{"name": other.Name, "employeeNo": other.EmployeeNo}))
		default:
			if line, dup := st.nos[c.no]; dup {
				add(cellError("employeeNo", "imports.duplicate_in_file", errs.Params{"line": line}))
			}
			no = c.no
		}
	}
	if c.idHash != "" && c.idHash != e.IDNumberHash {
		if other := look.byHash[c.idHash]; other != nil && other.ID != e.ID {
			add(cellError("idNumber", "employee.duplicate_id_number", errs.Params{"name": other.Name, "employeeNo": other.EmployeeNo}))
		} else if line, dup := st.hashes[c.idHash]; dup {
			add(cellError("idNumber", "imports.duplicate_in_file", errs.Params{"line": line}))
		}
	}
	// Job and contract cells must agree with what the employee has.
	if err := t.sameJob(st, c, e, look, add); err != nil {
		return o, err
	}
	t.sameContract(c, e, look, add)
	// The profile: the stored one with the row's cells over it.
	if err := s.open(ctx, e); err != nil {
		return o, err
	}
	before := profileOf(e)
	pr := profileOf(e)
	c.overlay(&pr)
	var f errs.Fields
	checkProfile(&f, &pr, today)
	pr.Custom = checkCustom(&f, st.defs, pr.Custom, c.custom, nil)
	if !pr.FirstWorkDate.IsZero() && !e.HireDate.IsZero() && c.has["firstWorkDate"] && pr.FirstWorkDate.After(e.HireDate) && !f.Has("firstWorkDate") {
		f.Add("firstWorkDate", "employee.first_work_after_hire")
	}
	// A row that changes nothing is unchanged, even when the stored
	// record would not pass today's checks (a custom field made
	// required since, say): there is nothing to write.
	same := len(o.Errors) == 0 && no == "" && sameProfile(&before, &pr)
	if !same {
		add(fieldsErrors(&f, nil)...)
	}
	if len(o.Errors) > 0 || c.engineFailed {
		return o, nil
	}
	if no != "" {
		st.nos[no] = c.line
	}
	if c.idHash != "" {
		st.hashes[c.idHash] = c.line
	}
	if same {
		o.Action = imports.ActionUnchanged
		return o, nil
	}
	o.Data = &profileChange{id: e.ID, version: e.Version, profile: pr, no: no}
	return o, nil
}

// sameProfile compares two checked profiles.
func sameProfile(a, b *Profile) bool {
	x, y := *a, *b
	for _, p := range []*Profile{&x, &y} {
		if p.EmergencyContacts == nil {
			p.EmergencyContacts = []EmergencyContact{}
		}
		if p.Custom == nil {
			p.Custom = map[string]any{}
		}
	}
	if len(x.Custom) != len(y.Custom) {
		return false
	}
	for k, v := range x.Custom {
		if !reflect.DeepEqual(Values(v), Values(y.Custom[k])) {
			return false
		}
	}
	x.Custom, y.Custom = nil, nil
	return reflect.DeepEqual(x, y)
}

// sameJob refuses job cells that differ from the employee's job (today's,
// or the latest scheduled one): changing a job takes a date, which the
// job history target records.
func (t *rosterTarget) sameJob(st *rosterState, c *rosterCells, e *Employee, look *rosterLookups, add func(...imports.FieldError)) error {
	if !c.hasAny(jobColumns...) {
		return nil
	}
	jobs := []Job{e.Job}
	if rows := look.rows[e.ID]; len(rows) > 0 {
		jobs = append(jobs, rows[len(rows)-1].Job)
	}
	differs := func(col string, eq func(j Job) bool) {
		if !slices.ContainsFunc(jobs, eq) {
			add(cellError(col, "imports.job_change_not_supported", errs.Params{"target": TargetJobHistory}))
		}
	}
	if c.has["department"] {
		id, code, params, _, missing := st.cat.findDept(c.dept)
		switch {
		case code != "" && len(missing) == 0:
			add(cellError("department", code, params))
		case code != "":
			differs("department", func(Job) bool { return false })
		default:
			differs("department", func(j Job) bool { return j.DepartmentID == id })
		}
	}
	var job Job
	t.refs(st, c, &job, add)
	for _, r := range []struct {
		col string
		id  ids.ID
		get func(Job) ids.ID
	}{{"position", job.PositionID, func(j Job) ids.ID { return j.PositionID }}, {"grade", job.GradeID, func(j Job) ids.ID { return j.GradeID }},
		{"location", job.LocationID, func(j Job) ids.ID { return j.LocationID }},
		{"legalEntity", job.LegalEntityID, func(j Job) ids.ID { return j.LegalEntityID }}} {
		if r.id != 0 {
			differs(r.col, func(j Job) bool { return r.get(j) == r.id })
		}
	}
	if c.has["employmentType"] {
		differs("employmentType", func(j Job) bool { return j.EmploymentType == c.employmentType })
	}
	if c.has["hireDate"] {
		differs("hireDate", func(j Job) bool { return j.HireDate == c.hire })
	}
	if c.has["probationMonths"] {
		differs("probationMonths", func(j Job) bool { return j.ProbationMonths == c.probation })
	}
	if c.manager != "" {
		// The manager he has: by number, or by a name found once.
		var id ids.ID
		if m := look.byNo[c.manager]; m != nil {
			id = m.ID
		} else if named := st.others(look.byName[c.manager]); len(named) == 1 && len(st.byName[c.manager]) == 0 {
			id = named[0].ID
		} else if len(named)+len(st.byName[c.manager]) > 1 {
			add(cellError("manager", "imports.ambiguous_employee", errs.Params{"value": c.manager, "count": len(named) + len(st.byName[c.manager])}))
			return nil
		}
		differs("manager", func(j Job) bool { return id != 0 && j.ManagerID == id })
	}
	return nil
}

// sameContract refuses contract cells that describe no contract the
// employee has: contracts are recorded by the contracts target.
func (t *rosterTarget) sameContract(c *rosterCells, e *Employee, look *rosterLookups, add func(...imports.FieldError)) {
	if !c.hasAny(contractColumns...) {
		return
	}
	start := c.contract.StartDate
	if !c.has["contractStart"] {
		start = e.HireDate
	}
	for _, k := range look.cons[e.ID] {
		if k.StartDate == start && (!c.has["contractKind"] || k.Kind == c.contract.Kind) &&
			(!c.has["contractEnd"] || k.EndDate == c.contract.EndDate) && (!c.has["contractNumber"] || k.Number == c.contract.Number) {
			return
		}
	}
	col := "contractStart"
	for _, k := range contractColumns {
		if c.has[k] {
			col = k
			break
		}
	}
	add(cellError(col, "imports.contract_change_not_supported", errs.Params{"target": TargetContracts}))
}
