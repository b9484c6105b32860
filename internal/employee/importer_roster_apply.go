package employee

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/audit"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// The roster target's writes: hires, changes of records, the departments
// an import creates, and the rollback of all of them.

// ---- Apply

// recordSnapshot is a record's profile as stored, sealed values as their
// ciphertexts: what an import changed, kept for a rollback without any
// personal number in clear.
type recordSnapshot struct {
	EmployeeNo        string             `json:"employeeNo"`
	Name              string             `json:"name"`
	EnglishName       string             `json:"englishName"`
	NamePinyin        string             `json:"namePinyin"`
	Gender            string             `json:"gender"`
	BirthDate         civil.Date         `json:"birthDate"`
	IDType            string             `json:"idType"`
	IDNumberEnc       string             `json:"idNumberEnc"`
	IDNumberHash      string             `json:"idNumberHash"`
	Nationality       string             `json:"nationality"`
	Ethnicity         string             `json:"ethnicity"`
	MaritalStatus     string             `json:"maritalStatus"`
	HukouType         string             `json:"hukouType"`
	HukouPlace        string             `json:"hukouPlace"`
	Education         Education          `json:"education"`
	Mobile            string             `json:"mobile"`
	Email             string             `json:"email"`
	Address           string             `json:"address"`
	EmergencyContacts []EmergencyContact `json:"emergencyContacts"`
	BankName          string             `json:"bankName"`
	BankAccountEnc    string             `json:"bankAccountEnc"`
	FirstWorkDate     civil.Date         `json:"firstWorkDate"`
	Custom            map[string]any     `json:"custom"`
}

func snapshotOf(e *Employee) recordSnapshot {
	return recordSnapshot{EmployeeNo: e.EmployeeNo, Name: e.Name, EnglishName: e.EnglishName, NamePinyin: e.NamePinyin,
		Gender: e.Gender, BirthDate: e.BirthDate, IDType: e.IDType, IDNumberEnc: e.IDNumberEnc, IDNumberHash: e.IDNumberHash,
		Nationality: e.Nationality, Ethnicity: e.Ethnicity, MaritalStatus: e.MaritalStatus, HukouType: e.HukouType,
		HukouPlace: e.HukouPlace, Education: e.Education, Mobile: e.Mobile, Email: e.Email, Address: e.Address,
		EmergencyContacts: e.EmergencyContacts, BankName: e.BankName, BankAccountEnc: e.BankAccountEnc,
		FirstWorkDate: e.FirstWorkDate, Custom: e.Custom}
}

func (r *recordSnapshot) restore(e *Employee) {
	e.EmployeeNo, e.Name, e.EnglishName, e.NamePinyin, e.Gender, e.BirthDate = r.EmployeeNo, r.Name, r.EnglishName, r.NamePinyin, r.Gender, r.BirthDate
	e.IDType, e.IDNumberEnc, e.IDNumberHash, e.Nationality, e.Ethnicity = r.IDType, r.IDNumberEnc, r.IDNumberHash, r.Nationality, r.Ethnicity
	e.MaritalStatus, e.HukouType, e.HukouPlace, e.Education = r.MaritalStatus, r.HukouType, r.HukouPlace, r.Education
	e.Mobile, e.Email, e.Address, e.EmergencyContacts = r.Mobile, r.Email, r.Address, r.EmergencyContacts
	e.BankName, e.BankAccountEnc, e.FirstWorkDate, e.Custom = r.BankName, r.BankAccountEnc, r.FirstWorkDate, r.Custom
	if e.EmergencyContacts == nil {
		e.EmergencyContacts = []EmergencyContact{}
	}
	if e.Custom == nil {
		e.Custom = map[string]any{}
	}
}

// hireRecord is what a new hire's change records: enough to name him and
// to tell whether anything was added to him since.
type hireRecord struct {
	EmployeeNo  string   `json:"employeeNo"`
	Name        string   `json:"name"`
	Assignments []ids.ID `json:"assignments"`
	Contracts   []ids.ID `json:"contracts"`
}

func (t *rosterTarget) Apply(ctx context.Context, run *imports.Run, rows []imports.Row, outs []imports.Outcome) ([]imports.Change, error) {
	s := t.s
	p, _, err := rbac.Require(ctx, PermCreate)
	if err != nil {
		return nil, err
	}
	st, err := t.state(ctx, run)
	if err != nil {
		return nil, err
	}
	var hires []*newHire
	var updates []*profileChange
	for _, o := range outs {
		switch d := o.Data.(type) {
		case *newHire:
			if o.Action == imports.ActionNew {
				hires = append(hires, d)
			}
		case *profileChange:
			if o.Action == imports.ActionUpdate {
				updates = append(updates, d)
			}
		}
	}
	var changes []imports.Change
	if len(hires) > 0 {
		made, err := t.createDepartments(ctx, st, hires)
		if err != nil {
			return nil, err
		}
		changes = append(changes, made...)
		hired, err := t.hire(ctx, st, hires)
		if err != nil {
			return nil, err
		}
		changes = append(changes, hired...)
	}
	if len(updates) > 0 {
		if _, _, err := rbac.Require(ctx, PermUpdate); err != nil {
			return nil, err
		}
		for _, u := range updates {
			ch, err := t.update(ctx, p, u)
			if err != nil {
				return nil, err
			}
			changes = append(changes, ch)
		}
	}
	// Hires written earlier whose manager is known now.
	if len(st.patches) > 0 {
		byMgr := map[ids.ID][]ids.ID{}
		for _, sub := range st.patches {
			byMgr[sub.manager.id] = append(byMgr[sub.manager.id], sub.id)
		}
		for m, subs := range byMgr {
			if err := s.store.SetManager(ctx, m, subs); err != nil {
				return nil, err
			}
		}
		st.patches = nil
	}
	return changes, nil
}

// createDepartments creates the departments the hires need that do not
// exist yet, parents first, each from the earliest hire date placed in
// it or below it (today at the latest).
func (t *rosterTarget) createDepartments(ctx context.Context, st *rosterState, hires []*newHire) ([]imports.Change, error) {
	today := st.cat.today
	var need []*plannedDept
	for _, h := range hires {
		day := h.fe.hire
		if day.IsZero() || day.After(today) {
			day = today
		}
		for d := h.dept; d != nil && !d.created; d = d.parent {
			if d.day.IsZero() {
				need = append(need, d)
				d.day = day
			} else if day.Before(d.day) {
				d.day = day
			}
		}
	}
	if len(need) == 0 {
		return nil, nil
	}
	imp, ok := t.s.org.(orgImporter)
	if !ok {
		return nil, errs.E(errs.Conflict, "imports.cannot_create_departments")
	}
	slices.SortStableFunc(need, func(a, b *plannedDept) int { return len(a.names) - len(b.names) })
	list := make([]org.ImportDepartment, 0, len(need))
	var changes []imports.Change
	for _, d := range need {
		from := d.day
		parent := d.parentID
		if d.parent != nil {
			parent = d.parent.id
			if from.Before(d.parent.from) {
				from = d.parent.from
			}
		} else if parent != 0 {
			if pd, err := t.s.org.Department(orgCtx(ctx), parent, from); err != nil || !pd.Active {
				if cur := st.cat.depts[parent]; cur != nil && from.Before(cur.ValidFrom) {
					from = cur.ValidFrom
				}
			}
		}
		d.from = from
		list = append(list, org.ImportDepartment{ID: d.id, NewDepartment: org.NewDepartment{Code: d.code, Name: d.name,
			ParentID: parent, EffectiveDate: from}})
		changes = append(changes, imports.Change{ObjectType: org.ObjectDepartment, ObjectID: d.id.String(), Action: imports.ActionNew,
			After:   rawJSON(map[string]any{"code": d.code, "name": d.name, "path": strings.Join(d.names, "/"), "effectiveDate": from}),
			Version: 1})
	}
	if err := imp.ImportDepartments(ctx, list); err != nil {
		return nil, err
	}
	for _, d := range need {
		d.created = true
	}
	if tid, err := rbac.Tenant(ctx); err == nil {
		t.s.ForgetNames(tid)
	}
	return changes, nil
}

// hire writes new hires through the module's bulk path.
func (t *rosterTarget) hire(ctx context.Context, st *rosterState, hires []*newHire) ([]imports.Change, error) {
	s := t.s
	if err := t.numbers(ctx, st, hires); err != nil {
		return nil, err
	}
	list := make([]BulkEmployee, len(hires))
	changes := make([]imports.Change, len(hires))
	for i, h := range hires {
		e := h.emp
		e.ID = h.fe.id
		job := h.job
		if h.dept != nil {
			job.DepartmentID = h.dept.id
		}
		switch {
		case h.fe.manager != nil:
			job.ManagerID = h.fe.manager.id
		case h.mgrID != 0:
			job.ManagerID = h.mgrID
		}
		job.Status = StatusRegular
		if job.ProbationMonths > 0 {
			job.Status = StatusProbation
		}
		rows := []Assignment{{ID: ids.New(), ValidFrom: job.HireDate, Reason: ReasonHire, Job: job}}
		if !h.regular.IsZero() {
			r := rows[0]
			r.ID, r.ValidFrom, r.Reason, r.Status, r.RegularisationDate = ids.New(), h.regular, ReasonRegularise, StatusRegular, h.regular
			rows = append(rows, r)
		}
		var cons []Contract
		if h.contract != nil {
			k := *h.contract
			if k.SigningEntityID == 0 {
				k.SigningEntityID = job.LegalEntityID
			}
			cons = append(cons, k)
		}
		list[i] = BulkEmployee{Employee: e, Assignments: rows, Contracts: cons}
		rec := hireRecord{EmployeeNo: e.EmployeeNo, Name: e.Name, Assignments: []ids.ID{}, Contracts: []ids.ID{}}
		for _, r := range rows {
			rec.Assignments = append(rec.Assignments, r.ID)
		}
		for _, k := range cons {
			rec.Contracts = append(rec.Contracts, k.ID)
		}
		changes[i] = imports.Change{ObjectType: ObjectEmployee, ObjectID: e.ID.String(), Action: imports.ActionNew, After: rawJSON(rec), Version: 1}
	}
	if err := s.importChunk(ctx, list); err != nil {
		return nil, err
	}
	for _, h := range hires {
		h.fe.applied = true
	}
	return changes, nil
}

// importChunk writes a chunk of new hires as Import does (the same
// checks, sealing and search tokens, multi-row inserts and one audit
// record), keeping the store's bulk set-up from one chunk to the next:
// an import calls it for every chunk of the file in one transaction.
func (s *Service) importChunk(ctx context.Context, list []BulkEmployee) error {
	p, _, err := rbac.Require(ctx, PermCreate)
	if err != nil {
		return err
	}
	b, err := s.prepareImport(p, list, 0, s.today(ctx), s.nowUTC())
	if err != nil {
		return err
	}
	tokens := b.Tokens
	b.Tokens = nil
	if err := s.store.BulkInsertHeld(ctx, b); err != nil {
		return err
	}
	slices.SortFunc(tokens, func(x, y Token) int { return strings.Compare(x.Token, y.Token) })
	if err := s.store.BulkInsertHeld(ctx, &Bulk{Tokens: tokens}); err != nil {
		return err
	}
	s.changed(ctx, p.TenantID, false)
	return s.audit.Record(ctx, audit.Event{Action: ActionImport, ObjectType: ObjectEmployee,
		Diff: map[string]any{"employees": len(b.Employees), "assignments": len(b.Assignments), "contracts": len(b.Contracts)}})
}

// numbers gives hires without an employee number the next numbers of
// the tenant's rule, skipping numbers already taken (by hand, or by rows
// of the file).
func (t *rosterTarget) numbers(ctx context.Context, st *rosterState, hires []*newHire) error {
	var without []*newHire
	for _, h := range hires {
		if h.emp.EmployeeNo == "" {
			without = append(without, h)
		}
	}
	for len(without) > 0 {
		rule, next, err := t.s.store.TakeNumbers(ctx, len(without))
		if err != nil {
			return err
		}
		cands := make([]string, len(without))
		for i := range without {
			cands[i] = rule.Format(next + int64(i))
		}
		taken, err := t.s.store.EmployeesByNos(ctx, cands)
		if err != nil {
			return err
		}
		used := byNumber(taken)
		var rest []*newHire
		j := 0
		for _, no := range cands {
			if used[no] != nil {
				continue
			}
			if _, ok := st.nos[no]; ok {
				continue
			}
			h := without[j]
			h.emp.EmployeeNo, h.fe.no = no, no
			st.nos[no] = h.fe.line
			j++
		}
		rest = without[j:]
		if len(rest) == len(without) {
			return errs.E(errs.Conflict, "employee.numbers_exhausted")
		}
		without = rest
	}
	return nil
}

// update writes a checked change of a record (as Update does).
func (t *rosterTarget) update(ctx context.Context, p *rbac.Principal, u *profileChange) (imports.Change, error) {
	s := t.s
	e, err := s.store.LockEmployee(ctx, u.id)
	if err != nil {
		return imports.Change{}, err
	}
	if e.Version != u.version {
		return imports.Change{}, errs.E(errs.Conflict, "stale")
	}
	if err := s.open(ctx, e); err != nil {
		return imports.Change{}, err
	}
	before := *e
	pr := u.profile
	setProfile(e, &pr)
	if u.no != "" {
		e.EmployeeNo = u.no
	}
	e.NamePinyin = SortKey(e.Name)
	setSearch(e)
	if err := s.seal(e); err != nil {
		return imports.Change{}, err
	}
	e.Version++
	e.UpdatedAt = s.nowUTC()
	if err := s.store.UpdateEmployee(ctx, e); err != nil {
		return imports.Change{}, err
	}
	if err := s.indexTokens(ctx, &before, e); err != nil {
		return imports.Change{}, err
	}
	if err := s.store.ReplaceCustomValues(ctx, e.ID, customRows(e)); err != nil {
		return imports.Change{}, err
	}
	if err := s.audit.Record(ctx, audit.Event{Action: "update", ObjectType: ObjectEmployee, ObjectID: e.ID.String(), Diff: audit.Diff(&before, e)}); err != nil {
		return imports.Change{}, err
	}
	return imports.Change{ObjectType: ObjectEmployee, ObjectID: e.ID.String(), Action: imports.ActionUpdate,
		Before: rawJSON(snapshotOf(&before)), After: rawJSON(snapshotOf(e)), Version: e.Version}, nil
}

// ---- Rollback

// ActionImportRollback is the audit action of a rolled-back import.
const ActionImportRollback = "import_rollback"

func (t *rosterTarget) Rollback(ctx context.Context, changes []imports.Change) error {
	s := t.s
	p, _, err := rbac.Require(ctx, PermCreate)
	if err != nil {
		return err
	}
	var hired, changed, depts []imports.Change
	for _, ch := range changes {
		switch {
		case ch.ObjectType == org.ObjectDepartment:
			depts = append(depts, ch)
		case ch.ObjectType == ObjectEmployee && ch.Action == imports.ActionNew:
			hired = append(hired, ch)
		case ch.ObjectType == ObjectEmployee && ch.Action == imports.ActionUpdate:
			changed = append(changed, ch)
		}
	}
	if len(changed) > 0 {
		if _, _, err := rbac.Require(ctx, PermUpdate); err != nil {
			return err
		}
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		var conflicts []string
		// New hires go when nothing was added to them since: same
		// version, the job rows and contracts the import wrote, no
		// documents, agreements, requests or reports.
		idList := make([]ids.ID, 0, len(hired))
		recs := make(map[ids.ID]hireRecord, len(hired))
		for _, ch := range hired {
			id, err := ids.Parse(ch.ObjectID)
			if err != nil {
				return err
			}
			var rec hireRecord
			if err := json.Unmarshal(ch.After, &rec); err != nil {
				return err
			}
			idList = append(idList, id)
			recs[id] = rec
		}
		emps, err := s.store.EmployeesByIDs(ctx, idList)
		if err != nil {
			return err
		}
		byID := make(map[ids.ID]*Employee, len(emps))
		for i := range emps {
			byID[emps[i].ID] = &emps[i]
		}
		rowsOf := map[ids.ID][]ids.ID{}
		consOf := map[ids.ID][]ids.ID{}
		if len(idList) > 0 {
			as, err := s.store.AssignmentsOf(ctx, idList)
			if err != nil {
				return err
			}
			for _, a := range as {
				rowsOf[a.EmployeeID] = append(rowsOf[a.EmployeeID], a.ID)
			}
			cs, err := s.store.ContractsOf(ctx, idList)
			if err != nil {
				return err
			}
			for _, c := range cs {
				consOf[c.EmployeeID] = append(consOf[c.EmployeeID], c.ID)
			}
		}
		refs, err := s.store.Referenced(ctx, idList)
		if err != nil {
			return err
		}
		var tokens []Token
		for i, id := range idList {
			rec, e := recs[id], byID[id]
			if e == nil {
				conflicts = append(conflicts, nameOf(rec.EmployeeNo, rec.Name))
				continue
			}
			if e.Version != hired[i].Version || !sameIDs(rowsOf[id], rec.Assignments) || !sameIDs(consOf[id], rec.Contracts) || refs[id] > 0 {
				conflicts = append(conflicts, nameOf(e.EmployeeNo, e.Name))
				continue
			}
			for _, tok := range plainTokens(e) {
				tokens = append(tokens, Token{TenantID: p.TenantID, Token: EncodeToken(tok), EmployeeID: id})
			}
		}
		// Changed records go back to what they were, unless changed since.
		type restore struct {
			e      *Employee
			before recordSnapshot
		}
		var restores []restore
		for _, ch := range changed {
			id, err := ids.Parse(ch.ObjectID)
			if err != nil {
				return err
			}
			e, err := s.store.LockEmployee(ctx, id)
			if errs.KindOf(err) == errs.NotFound {
				conflicts = append(conflicts, ch.ObjectID)
				continue
			} else if err != nil {
				return err
			}
			if e.Version != ch.Version {
				conflicts = append(conflicts, nameOf(e.EmployeeNo, e.Name))
				continue
			}
			var before recordSnapshot
			if err := json.Unmarshal(ch.Before, &before); err != nil {
				return err
			}
			restores = append(restores, restore{e: e, before: before})
		}
		if err := conflictNames(conflicts); err != nil {
			return err
		}
		if len(idList) > 0 {
			if err := s.store.DeleteEmployees(ctx, idList, tokens); err != nil {
				return err
			}
			if err := s.audit.Record(ctx, audit.Event{Action: ActionImportRollback, ObjectType: ObjectEmployee,
				Diff: map[string]any{"employees": len(idList)}}); err != nil {
				return err
			}
		}
		for _, r := range restores {
			e := r.e
			before := *e
			r.before.restore(e)
			setSearch(e)
			e.Version++
			e.UpdatedAt = s.nowUTC()
			if err := s.store.UpdateEmployee(ctx, e); err != nil {
				return err
			}
			if err := s.indexTokens(ctx, &before, e); err != nil {
				return err
			}
			if err := s.store.ReplaceCustomValues(ctx, e.ID, customRows(e)); err != nil {
				return err
			}
			diff := audit.Diff(&before, e)
			if before.IDNumberEnc != e.IDNumberEnc {
				diff["idNumber"] = audit.Change{Before: audit.Redacted, After: audit.Redacted}
			}
			if before.BankAccountEnc != e.BankAccountEnc {
				diff["bankAccount"] = audit.Change{Before: audit.Redacted, After: audit.Redacted}
			}
			if err := s.audit.Record(ctx, audit.Event{Action: ActionImportRollback, ObjectType: ObjectEmployee, ObjectID: e.ID.String(), Diff: diff}); err != nil {
				return err
			}
		}
		if len(depts) > 0 {
			imp, ok := s.org.(orgImporter)
			if !ok {
				return errs.E(errs.Conflict, "imports.cannot_create_departments")
			}
			if err := imp.UndoImport(ctx, depts); err != nil {
				return err
			}
		}
		s.changed(ctx, p.TenantID, true)
		return nil
	})
}

// sameIDs compares two id lists as sets.
func sameIDs(a, b []ids.ID) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
