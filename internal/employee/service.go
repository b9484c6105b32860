package employee

import (
	"context"
	"github.com/renshi/renshi/internal/approval"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Service runs the module's business rules.
type Service struct {
	db    *db.DB
	store Store
	audit *audit.Log
	keys  *crypto.Keyring
	files Files
	org   Org
	now   func() time.Time
	// engine takes the module's requests (bank account, transfer,
	// promotion, resignation) when set by UseApprovals.
	engine *approval.Service
	// hired are told of each hire and rehire inside its transaction.
	hired []func(ctx context.Context, h Hired) error

	names *names
	// refreshed remembers, per tenant, the day whose due scheduled
	// changes have been applied to the employee rows.
	refreshed sync.Map // ids.ID -> civil.Date
	fields    sync.Map // ids.ID -> cachedFields
	staffed   sync.Map // staffedKey -> cachedCounts
}

// NewService builds the service. org and files may be nil (references
// are then not checked, and documents cannot be stored).
func NewService(d *db.DB, s Store, a *audit.Log, k *crypto.Keyring, f Files, o Org) *Service {
	svc := &Service{db: d, store: s, audit: a, keys: k, files: f, org: o, now: time.Now}
	svc.names = newNames(o, func() time.Time { return svc.now() })
	return svc
}

// Hired is a hire (or rehire) as other modules see it.
type Hired struct {
	TenantID     ids.ID
	EmployeeID   ids.ID
	Name         string
	DepartmentID ids.ID
	HireDate     civil.Date
	Rehire       bool
}

// OnHire registers fn to run inside the transaction that records a hire
// or rehire (training enrols new hires); its error undoes the hire.
// Imported rosters are migrations of people already here, not hires,
// and do not call it. Register before serving.
func (s *Service) OnHire(fn func(ctx context.Context, h Hired) error) {
	s.hired = append(s.hired, fn)
}

func (s *Service) tellHired(ctx context.Context, h Hired) error {
	for _, fn := range s.hired {
		if err := fn(ctx, h); err != nil {
			return err
		}
	}
	return nil
}

// SetClock replaces the clock (tests of scheduled changes).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// ForgetNames drops cached catalogue names (they are otherwise kept for
// a few seconds).
func (s *Service) ForgetNames(tenantID ids.ID) { s.names.forget(tenantID) }

// location is the caller's tenant time zone.
func (s *Service) location(ctx context.Context) *time.Location { return rbac.Zone(ctx) }

// today is the current day in the caller's tenant.
func (s *Service) today(ctx context.Context) civil.Date {
	return civil.Of(s.now().In(s.location(ctx)))
}

// orToday returns d, or today when unset.
func (s *Service) orToday(ctx context.Context, d civil.Date) civil.Date {
	if d.IsZero() {
		return s.today(ctx)
	}
	return d
}

// visible reports whether an employee (by current department) is in a
// data scope.
func visible(scope rbac.Scope, p *rbac.Principal, e *Employee) bool {
	return scope.All || (scope.Self && p.EmployeeID != 0 && p.EmployeeID == e.ID) || scope.CoversDepartment(e.DepartmentID)
}

// load returns an employee the caller may act on under perm; one outside
// his scope is not found (ids cannot be probed).
func (s *Service) load(ctx context.Context, perm string, id ids.ID, lock bool) (*rbac.Principal, *Employee, error) {
	p, scope, err := rbac.Require(ctx, perm)
	if err != nil {
		return nil, nil, err
	}
	var e *Employee
	if lock {
		e, err = s.store.LockEmployee(ctx, id)
	} else {
		e, err = s.store.Employee(ctx, id)
	}
	if err != nil {
		return nil, nil, err
	}
	if !visible(scope, p, e) {
		return nil, nil, errs.NotFoundf("object.employee")
	}
	return p, e, nil
}

// readable returns an employee the caller may read: under
// employee.record.read in scope, or his own record under
// employee.self.read. Anyone else's id is not found, whatever the
// caller's permissions, so ids cannot be probed.
func (s *Service) readable(ctx context.Context, id ids.ID) (*rbac.Principal, *Employee, bool, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	if err := s.ensureCurrent(ctx); err != nil {
		return nil, nil, false, err
	}
	e, err := s.store.Employee(ctx, id)
	if err != nil {
		if errs.KindOf(err) == errs.NotFound {
			return nil, nil, false, errs.NotFoundf("object.employee")
		}
		return nil, nil, false, err
	}
	if scope, ok := p.Scope(PermRead); ok && visible(scope, p, e) {
		return p, e, false, nil
	}
	if p.EmployeeID == e.ID && p.Can(PermSelfRead) {
		return p, e, true, nil
	}
	return nil, nil, false, errs.NotFoundf("object.employee")
}

// seal stores the opened ID number and bank account sealed, with the
// ID number's blind index.
func (s *Service) seal(e *Employee) error {
	var err error
	if e.IDNumberEnc, err = s.keys.Encrypt(crypto.AAD(colIDNumber.Table, colIDNumber.Column, e.TenantID), e.IDNumber); err != nil {
		return err
	}
	if e.BankAccountEnc, err = s.keys.Encrypt(crypto.AAD(colBankAccount.Table, colBankAccount.Column, e.TenantID), e.BankAccount); err != nil {
		return err
	}
	e.IDNumberHash = s.idHash(e.IDType, e.IDNumber)
	return nil
}

// idHash is the blind index of an ID document number. The type is left
// out: numbers of different document types do not look alike, and one
// person entered twice under two types is still found.
func (s *Service) idHash(_, number string) string {
	if number == "" {
		return ""
	}
	// 128 bits are plenty to tell numbers apart and halve the index.
	return s.keys.BlindIndex("employee_id_number", number)[:32]
}

// open fills the opened ID number and bank account.
func (s *Service) open(ctx context.Context, e *Employee) error {
	var err error
	if e.IDNumber, err = s.keys.Decrypt(ctx, crypto.AAD(colIDNumber.Table, colIDNumber.Column, e.TenantID), e.IDNumberEnc); err != nil {
		return err
	}
	e.BankAccount, err = s.keys.Decrypt(ctx, crypto.AAD(colBankAccount.Table, colBankAccount.Column, e.TenantID), e.BankAccountEnc)
	return err
}

// plainTokens are the employee's search tokens.
func plainTokens(e *Employee) []string {
	return SearchTokens(e.Name, e.EnglishName, e.EmployeeNo, e.Mobile, e.Email)
}

// setSearch fills the record's search text (before it is written).
func setSearch(e *Employee) {
	e.SearchText = " " + strings.Join(plainTokens(e), " ")
}

func encode(plain []string) []string {
	out := make([]string, len(plain))
	for i, t := range plain {
		out[i] = EncodeToken(t)
	}
	return out
}

// indexTokens replaces the employee's search tokens: those of before
// (nil for a new employee) with those of e.
func (s *Service) indexTokens(ctx context.Context, before, e *Employee) error {
	var old []string
	if before != nil {
		old = encode(plainTokens(before))
	}
	return s.store.ReplaceTokens(ctx, e.ID, old, encode(plainTokens(e)))
}

// ---- the job valid today

// current works out the job an employee has on day from his rows
// (sorted by start): the row valid that day; before the first hire, the
// first row as "pending". next is the start of the next row after day.
func current(rows []Assignment, day civil.Date) (cur *Assignment, pending bool, next civil.Date) {
	for i := range rows {
		r := &rows[i]
		if r.ValidOn(day) {
			cur = r
		}
		if r.ValidFrom.After(day) && next.IsZero() {
			next = r.ValidFrom
		}
	}
	if cur == nil && len(rows) > 0 && rows[0].ValidFrom.After(day) {
		return &rows[0], true, next
	}
	return cur, false, next
}

// setJob copies the job valid on day into the employee row.
func setJob(e *Employee, rows []Assignment, day civil.Date) {
	cur, pending, next := current(rows, day)
	e.NextChangeOn = next
	if cur == nil {
		e.Job, e.AssignmentID = Job{}, 0
		return
	}
	e.Job, e.AssignmentID = cur.Job, cur.ID
	if pending {
		e.Status = StatusPending
	}
}

// ensureCurrent applies scheduled changes that have come due to the
// employee rows of the caller's tenant, once a day per tenant and process
// (a change dated today or earlier is applied when it is written).
func (s *Service) ensureCurrent(ctx context.Context) error {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return err
	}
	today := s.today(ctx)
	if d, ok := s.refreshed.Load(p.TenantID); ok && d.(civil.Date) == today {
		return nil
	}
	if err := s.RefreshDue(ctx); err != nil {
		return err
	}
	s.refreshed.Store(p.TenantID, today)
	return nil
}

// RefreshDue brings the job columns of employees whose scheduled changes
// have come due up to date, in the caller's tenant. A daily job may call
// it; reads call it lazily.
func (s *Service) RefreshDue(ctx context.Context) error {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return err
	}
	today := s.today(ctx)
	due, err := s.store.DueForChange(ctx, today)
	if err != nil || len(due) == 0 {
		return err
	}
	sys := rbac.SystemPrincipal(p.TenantID, "schedule")
	sys.TimeZone = p.TimeZone
	sctx := rbac.WithPrincipal(ctx, sys)
	return s.db.WithTx(sctx, func(ctx context.Context) error {
		for _, id := range due {
			e, err := s.store.LockEmployee(ctx, id)
			if err != nil {
				return err
			}
			rows, err := s.store.Assignments(ctx, id)
			if err != nil {
				return err
			}
			setJob(e, rows, today)
			if err := s.store.SaveJob(ctx, e); err != nil {
				return err
			}
		}
		s.changed(ctx, p.TenantID, true)
		return nil
	})
}

// ---- interfaces offered to other modules

// Staffed counts the employees working in each department on day
// (probation, regular or resigning). It implements org.Headcount.
//
// Today's counts of the whole tree (the org chart, the department tree)
// are cached per tenant for a few seconds and dropped after any change
// this process commits; counts for a few departments (the org module's
// check before deactivating one) are always read fresh.
func (s *Service) Staffed(ctx context.Context, deptIDs []ids.ID, on civil.Date) (map[ids.ID]int, error) {
	if len(deptIDs) == 0 {
		return map[ids.ID]int{}, nil
	}
	t, err := rbac.Tenant(ctx)
	if err != nil {
		return nil, err
	}
	today := s.today(ctx)
	day := s.orToday(ctx, on)
	current := day == today
	if current {
		if err := s.ensureCurrent(ctx); err != nil {
			return nil, err
		}
	}
	if len(deptIDs) < 100 || db.InTx(ctx) {
		return s.store.Staffed(ctx, deptIDs, day, current)
	}
	// Whole-tree counts (org chart, department tree) are cached briefly
	// per tenant and day: counting a past day walks every assignment.
	key := staffedKey{tenant: t, day: day}
	if c, ok := s.staffed.Load(key); ok {
		c := c.(cachedCounts)
		if s.now().Sub(c.at) < nameTTL {
			return pick(c.m, deptIDs), nil
		}
	}
	all, err := s.store.Staffed(ctx, nil, day, current)
	if err != nil {
		return nil, err
	}
	now := s.now()
	s.staffed.Range(func(k, v any) bool { // forget stale days so the cache stays small
		if now.Sub(v.(cachedCounts).at) >= nameTTL {
			s.staffed.Delete(k)
		}
		return true
	})
	s.staffed.Store(key, cachedCounts{m: all, day: day, at: now})
	return pick(all, deptIDs), nil
}

type staffedKey struct {
	tenant ids.ID
	day    civil.Date
}

type cachedCounts struct {
	m   map[ids.ID]int
	day civil.Date
	at  time.Time
}

func pick(all map[ids.ID]int, deptIDs []ids.ID) map[ids.ID]int {
	out := make(map[ids.ID]int, len(deptIDs))
	for _, d := range deptIDs {
		if n := all[d]; n > 0 {
			out[d] = n
		}
	}
	return out
}

// changed drops what the tenant's writes invalidate, once they commit:
// cached headcounts, and resolved principals (a transfer moves data
// scopes anchored at the employee's department).
func (s *Service) changed(ctx context.Context, t ids.ID, scopes bool) {
	db.AfterCommit(ctx, func() { s.staffed.Delete(t) })
	if scopes {
		rbac.Changed(ctx, t)
	}
}

// EmployeeNames names employees (department heads in the org tree).
func (s *Service) EmployeeNames(ctx context.Context, employeeIDs []ids.ID) (map[ids.ID]string, error) {
	out := map[ids.ID]string{}
	if len(employeeIDs) == 0 {
		return out, nil
	}
	list, err := s.store.Brief(ctx, employeeIDs)
	if err != nil {
		return nil, err
	}
	for _, e := range list {
		out[e.ID] = e.Name
	}
	return out, nil
}

// DepartmentOf returns the department an employee works in today (zero
// once he has left), for data scopes; NotFound when there is no such
// employee in the tenant.
func (s *Service) DepartmentOf(ctx context.Context, tenantID, employeeID ids.ID) (ids.ID, error) {
	if p := rbac.From(ctx); p == nil || p.TenantID != tenantID {
		ctx = rbac.WithPrincipal(ctx, rbac.Anonymous(tenantID))
	}
	dept, status, err := s.store.DepartmentOf(ctx, tenantID, employeeID, s.today(ctx))
	if err != nil {
		return 0, err
	}
	if status == StatusLeft {
		return 0, nil
	}
	return dept, nil
}

// ---- custom field definitions, cached per tenant

type cachedFields struct {
	list []Field
	at   time.Time
}

// fieldDefs returns the tenant's custom fields (cached briefly: every
// list row shows the showInList ones).
func (s *Service) fieldDefs(ctx context.Context) ([]Field, error) {
	t, err := rbac.Tenant(ctx)
	if err != nil {
		return nil, err
	}
	if c, ok := s.fields.Load(t); ok && s.now().Sub(c.(cachedFields).at) < nameTTL && !db.InTx(ctx) {
		return c.(cachedFields).list, nil
	}
	list, err := s.store.Fields(ctx)
	if err != nil {
		return nil, err
	}
	if !db.InTx(ctx) {
		s.fields.Store(t, cachedFields{list: list, at: s.now()})
	}
	return list, nil
}

func (s *Service) forgetFields(ctx context.Context, t ids.ID) {
	db.AfterCommit(ctx, func() { s.fields.Delete(t) })
}

// checkCustom validates custom values against the definitions. Values of
// unknown codes are refused; required fields must have a value. only,
// when set, limits which codes may be given (self-service).
func checkCustom(f *errs.Fields, defs []Field, values map[string]any, given map[string]any, only func(Field) bool) map[string]any {
	out := map[string]any{}
	byCode := map[string]*Field{}
	for i := range defs {
		byCode[defs[i].Code] = &defs[i]
	}
	for code := range given {
		fd, ok := byCode[code]
		if !ok {
			f.Add("custom."+code, "employee.unknown_field")
			continue
		}
		if only != nil && !only(*fd) {
			f.Add("custom."+code, "employee.not_self_editable")
		}
	}
	for code, v := range values {
		fd, ok := byCode[code]
		if !ok {
			continue // a deleted field's value: dropped
		}
		val, empty, valid := fd.Value(v)
		if !valid {
			f.Add("custom."+code, "employee.invalid_custom_value", errs.Params{"label": fd.Label})
			continue
		}
		if !empty {
			out[code] = val
		}
	}
	for _, fd := range defs {
		if _, ok := out[fd.Code]; fd.Required && !ok && !f.Has("custom."+fd.Code) {
			f.Add("custom."+fd.Code, "employee.custom_required", errs.Params{"label": fd.Label})
		}
	}
	return out
}

// customRows lists the filterable values of a record.
func customRows(e *Employee) []CustomValue {
	var out []CustomValue
	for code, v := range e.Custom {
		for _, s := range Values(v) {
			out = append(out, CustomValue{TenantID: e.TenantID, EmployeeID: e.ID, FieldCode: code, Value: s})
		}
	}
	slices.SortFunc(out, func(a, b CustomValue) int {
		if a.FieldCode != b.FieldCode {
			if a.FieldCode < b.FieldCode {
				return -1
			}
			return 1
		}
		if a.Value < b.Value {
			return -1
		}
		if a.Value > b.Value {
			return 1
		}
		return 0
	})
	return out
}
