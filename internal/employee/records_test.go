package employee_test

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/employee/employeetest"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
)

func TestCreateBadInput(t *testing.T) {
	c := newCompany(t)
	ctx := c.Admin()
	first := c.hire(t, "王一", c.tech, day("2025-01-01"), func(n *employee.NewEmployee) { n.EmployeeNo = "A001" })
	firstSens, _ := c.Svc.Sensitive(ctx, first.ID)
	good := employeetest.IDNumber("440305", day("1995-07-20"), 3, true)
	wrongCheck := good[:17] + map[bool]string{true: "1", false: "2"}[good[17] != '1']
	base := func() employee.NewEmployee {
		return employee.NewEmployee{Profile: employee.Profile{Name: "赵二", IDNumber: good, Mobile: "13700001111"}, DepartmentID: c.tech, HireDate: day("2025-02-01")}
	}
	cases := []struct {
		name   string
		mutate func(*employee.NewEmployee)
		kind   errs.Kind
		field  string
	}{
		{"wrong check digit", func(n *employee.NewEmployee) { n.IDNumber = wrongCheck }, errs.Invalid, "idNumber:employee.id_check_digit"},
		{"not an ID number", func(n *employee.NewEmployee) { n.IDNumber = "12345" }, errs.Invalid, "idNumber:invalid_id_number"},
		{"birth date disagrees", func(n *employee.NewEmployee) { n.BirthDate = day("1995-07-21") }, errs.Invalid, "birthDate:employee.birth_date_mismatch"},
		{"gender disagrees", func(n *employee.NewEmployee) { n.Gender = employee.Female }, errs.Invalid, "gender:employee.gender_mismatch"},
		{"passport without birth date", func(n *employee.NewEmployee) { n.IDType, n.IDNumber = employee.IDPassport, "E12345678" }, errs.Invalid, "birthDate:required"},
		{"bad HK permit", func(n *employee.NewEmployee) { n.IDType, n.IDNumber = employee.IDHKMacaoPermit, "X1234567" }, errs.Invalid, "idNumber:employee.invalid_document_number"},
		{"bad mobile", func(n *employee.NewEmployee) { n.Mobile = "12345" }, errs.Invalid, "mobile:invalid_mobile"},
		{"no department", func(n *employee.NewEmployee) { n.DepartmentID = 0 }, errs.Invalid, "departmentId:required"},
		{"unknown department", func(n *employee.NewEmployee) { n.DepartmentID = ids.New() }, errs.Invalid, "departmentId:employee.department_missing"},
		{"unknown position", func(n *employee.NewEmployee) { n.PositionID = ids.New() }, errs.Invalid, "positionId:invalid_choice"},
		{"under age", func(n *employee.NewEmployee) { n.HireDate = day("2010-01-01") }, errs.Invalid, "hireDate:employee.under_age"},
		{"bad bank account", func(n *employee.NewEmployee) { n.BankName, n.BankAccount = "中国银行", "62-AB" }, errs.Invalid, "bankAccount:employee.invalid_bank_account"},
		{"contract ends before it starts", func(n *employee.NewEmployee) {
			n.Contract = &employee.NewContract{Kind: employee.FixedTerm, EndDate: day("2025-01-01")}
		}, errs.Invalid, "contract.endDate:employee.end_before_start"},
		{"duplicate ID number", func(n *employee.NewEmployee) { n.IDNumber = firstSens.IDNumber }, errs.Conflict, "idNumber:employee.duplicate_id_number"},
		{"duplicate employee number", func(n *employee.NewEmployee) { n.EmployeeNo = "A001" }, errs.Conflict, "employeeNo:employee.duplicate_employee_no"},
	}
	for _, tc := range cases {
		n := base()
		tc.mutate(&n)
		_, err := c.Svc.Create(ctx, n)
		if errs.KindOf(err) != tc.kind || !slices.Contains(fieldCodes(err), tc.field) {
			t.Errorf("%s: %v, want %v %s", tc.name, err, tc.kind, tc.field)
		}
		if tc.kind == errs.Conflict {
			e := err.(*errs.Error)
			if e.Params["name"] != "王一" || e.Params["employeeNo"] != "A001" {
				t.Errorf("%s: conflict must name the other record: %v", tc.name, e.Params)
			}
		}
	}
	// Nothing was written by the failures.
	p, _ := c.Svc.List(ctx, employee.Filter{})
	if p.Total != 1 {
		t.Fatalf("after failures: %d employees", p.Total)
	}
	// A passport with birth date and gender is fine; so is the good ID.
	n := base()
	n.IDType, n.IDNumber, n.BirthDate, n.Gender = employee.IDPassport, "e12345678", day("1990-01-01"), employee.Male
	if d, err := c.Svc.Create(ctx, n); err != nil || d.Profile.IDNumber != "E123*5678" {
		t.Fatalf("passport: %+v %v", d, err)
	}
	if _, err := c.Svc.Create(ctx, base()); err != nil {
		t.Fatal(err)
	}
	// An update to another's ID number is refused the same way.
	upd := firstSens.IDNumber
	second, _ := c.Svc.List(ctx, employee.Filter{Query: "zhaoer"})
	_, err := c.Svc.Update(ctx, second.Items[0].ID, employee.ProfileUpdate{IDNumber: &upd, Version: 1})
	if !errs.Is(err, errs.Conflict, "employee.duplicate_id_number") {
		t.Fatalf("update duplicate: %v", err)
	}
	// A stale version is refused.
	name := "赵贰"
	if _, err := c.Svc.Update(ctx, second.Items[0].ID, employee.ProfileUpdate{Name: &name, Version: 7}); !errs.Is(err, errs.Conflict, "stale") {
		t.Fatalf("stale: %v", err)
	}
}

func TestContractsSequenceAndOpenEndedFlag(t *testing.T) {
	c := newCompany(t)
	ctx := c.Admin()
	c.SetToday(day("2026-06-15"))
	e := c.hire(t, "冯合同", c.tech, day("2020-01-01"), func(n *employee.NewEmployee) {
		n.Contract = &employee.NewContract{Kind: employee.FixedTerm, Number: "HT-1", EndDate: day("2022-12-31")}
	})
	if e.OpenEndedEligible {
		t.Fatal("one contract: not eligible")
	}
	// Overlap refused; end before start refused.
	_, err := c.Svc.AddContract(ctx, e.ID, employee.NewContract{Kind: employee.FixedTerm, StartDate: day("2022-06-01"), EndDate: day("2025-12-31")})
	if !errs.Is(err, errs.Conflict, "employee.contract_overlap") {
		t.Fatalf("overlap: %v", err)
	}
	_, err = c.Svc.AddContract(ctx, e.ID, employee.NewContract{Kind: employee.FixedTerm, StartDate: day("2023-01-01"), EndDate: day("2022-01-01")})
	if !slices.Contains(fieldCodes(err), "endDate:employee.end_before_start") {
		t.Fatalf("end before start: %v", err)
	}
	// Added out of order: sequences follow the start dates.
	third, err := c.Svc.AddContract(ctx, e.ID, employee.NewContract{Kind: employee.FixedTerm, Number: "HT-3", StartDate: day("2026-01-01"), EndDate: day("2028-12-31")})
	if err != nil || third.Sequence != 2 {
		t.Fatalf("third: %+v %v", third, err)
	}
	second, err := c.Svc.AddContract(ctx, e.ID, employee.NewContract{Kind: employee.FixedTerm, Number: "HT-2", StartDate: day("2023-01-01"), EndDate: day("2025-12-31")})
	if err != nil || second.Sequence != 2 {
		t.Fatalf("second: %+v %v", second, err)
	}
	l, err := c.Svc.Contracts(ctx, e.ID)
	if err != nil || len(l.Items) != 3 || !l.OpenEndedEligible {
		t.Fatalf("list: %+v %v", l, err)
	}
	var seq []string
	for _, x := range l.Items {
		seq = append(seq, x.Number+":"+x.Status+":"+string(rune('0'+x.Sequence)))
	}
	if !slices.Equal(seq, []string{"HT-1:expired:1", "HT-2:expired:2", "HT-3:active:3"}) {
		t.Fatalf("sequence: %v", seq)
	}
	// Ending the latest early clears the flag; an open-ended one too.
	st := employee.ContractTerminated
	if _, err := c.Svc.UpdateContract(ctx, e.ID, third.ID, employee.ContractUpdate{Status: &st, Version: third.Version}); err != nil {
		t.Fatal(err)
	}
	if l, _ := c.Svc.Contracts(ctx, e.ID); l.OpenEndedEligible {
		t.Fatal("terminated contract still counted")
	}
	// Agreements: a non-compete needs an end within two years.
	_, err = c.Svc.AddAgreement(ctx, e.ID, employee.NewAgreement{Kind: employee.NonCompete, StartDate: day("2026-07-01"), EndDate: day("2028-07-01")})
	if !slices.Contains(fieldCodes(err), "endDate:employee.non_compete_too_long") {
		t.Fatalf("non-compete: %v", err)
	}
	if _, err := c.Svc.AddAgreement(ctx, e.ID, employee.NewAgreement{Kind: employee.Confidentiality, StartDate: day("2020-01-01")}); err != nil {
		t.Fatal(err)
	}
	if a, err := c.Svc.Agreements(ctx, e.ID); err != nil || len(a) != 1 {
		t.Fatalf("agreements: %v %v", a, err)
	}
}

func TestCustomFieldsViewsAndExportRows(t *testing.T) {
	c := newCompany(t)
	ctx := c.Admin()
	sel := []string{"A", "B", "C"}
	for _, in := range []employee.FieldInput{
		{Code: ptr("shirt"), Label: ptr("工服尺码"), Type: ptr(employee.FieldSelect), Options: &sel, ShowInList: ptr(true), SelfEditable: ptr(true)},
		{Code: ptr("skills"), Label: ptr("技能"), Type: ptr(employee.FieldMultiSelect), Options: &sel},
		{Code: ptr("badge"), Label: ptr("工牌号"), Type: ptr(employee.FieldNumber), Required: ptr(true)},
	} {
		if _, err := c.Svc.CreateField(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.Svc.CreateField(ctx, employee.FieldInput{Code: ptr("shirt"), Label: ptr("x"), Type: ptr(employee.FieldText)})
	if !slices.Contains(fieldCodes(err), "code:duplicate") {
		t.Fatalf("duplicate code: %v", err)
	}
	_, err = c.Svc.Create(ctx, employee.NewEmployee{Profile: employee.Profile{Name: "褚自定", IDNumber: people.Person(1).IDNumber, Mobile: "13800000001",
		Custom: map[string]any{"shirt": "XL", "nope": 1}}, DepartmentID: c.tech})
	for _, want := range []string{"custom.shirt:employee.invalid_custom_value", "custom.nope:employee.unknown_field", "custom.badge:employee.custom_required"} {
		if !slices.Contains(fieldCodes(err), want) {
			t.Fatalf("custom: %v lacks %s", err, want)
		}
	}
	a := c.hire(t, "褚甲", c.tech, day("2025-01-01"), func(n *employee.NewEmployee) {
		n.Custom = map[string]any{"shirt": "A", "skills": []any{"B", "C"}, "badge": 1024.0}
	})
	c.hire(t, "褚乙", c.tech, day("2025-01-01"), func(n *employee.NewEmployee) { n.Custom = map[string]any{"shirt": "B", "badge": "7"} })
	if a.Custom["badge"] != "1024" {
		t.Fatalf("number kept as decimal text: %v", a.Custom)
	}
	c.Svc.ForgetNames(c.TenantID)
	p, err := c.Svc.List(ctx, employee.Filter{Custom: map[string]string{"skills": "C"}})
	if err != nil || !slices.Equal(names(p), []string{"褚甲"}) || p.Items[0].Custom["shirt"] != "A" || p.Items[0].Custom["skills"] != nil {
		t.Fatalf("filter cf.skills: %+v %v", p, err)
	}
	if _, err := c.Svc.List(ctx, employee.Filter{Custom: map[string]string{"zzz": "1"}}); !errs.Is(err, errs.Invalid, "") {
		t.Fatalf("unknown filter: %v", err)
	}
	// Saved views belong to their user.
	uctx := c.As(employeetest.Caller{Role: "hr_admin", UserID: c.User(c.TenantID, "viewer")})
	cols := []string{"employeeNo", "name", "cf.shirt"}
	v, err := c.Svc.SaveView(uctx, 0, employee.ViewInput{Name: ptr("技术部"), Filters: &map[string]any{"departmentId": c.tech.String()}, Columns: &cols, Sort: ptr("-hireDate")})
	if err != nil {
		t.Fatal(err)
	}
	bad := []string{"nope"}
	if _, err := c.Svc.SaveView(uctx, 0, employee.ViewInput{Name: ptr("x"), Columns: &bad}); !slices.Contains(fieldCodes(err), "columns[0]:invalid_choice") {
		t.Fatalf("bad column: %v", err)
	}
	if vs, _ := c.Svc.Views(uctx); len(vs) != 1 || vs[0].Sort != "-hireDate" {
		t.Fatalf("views: %+v", vs)
	}
	if vs, _ := c.Svc.Views(ctx); len(vs) != 0 {
		t.Fatalf("another user's views: %+v", vs)
	}
	if err := c.Svc.DeleteView(ctx, v.ID); !errs.Is(err, errs.NotFound, "") {
		t.Fatalf("delete another's view: %v", err)
	}
	// Export rows: masked unless unmasked, which needs the permission.
	var rows []string
	err = c.Svc.Each(ctx, employee.Filter{Query: "chu"}, false, func(it employee.ListItem, e *employee.Employee) error {
		rows = append(rows, it.Name+"/"+e.IDNumber)
		return nil
	})
	if err != nil || len(rows) != 2 {
		t.Fatalf("export: %v %v", rows, err)
	}
	spec := c.As(employeetest.Caller{Role: "hr_specialist", DepartmentID: c.tech})
	if err := c.Svc.Each(spec, employee.Filter{}, true, func(employee.ListItem, *employee.Employee) error { return nil }); !errs.Is(err, errs.Forbidden, "") {
		t.Fatalf("unmasked export without permission: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestSelfServiceAndBankRequests(t *testing.T) {
	c := newCompany(t)
	ctx := c.Admin()
	e := c.hire(t, "卫自助", c.tech, day("2025-01-01"), func(n *employee.NewEmployee) { n.BankName = "工商银行"; n.BankAccount = "6222000011112222" })
	other := c.hire(t, "蒋别人", c.tech, day("2025-01-01"))
	me := c.As(employeetest.Caller{Role: "employee", EmployeeID: e.ID, DepartmentID: c.tech})
	m, err := c.Svc.Me(me)
	if err != nil || m.Profile.Name != "卫自助" || len(m.History) != 1 || !slices.Contains(m.Editable, "mobile") {
		t.Fatalf("me: %+v %v", m, err)
	}
	addr := "上海市浦东新区"
	m, err = c.Svc.UpdateMe(me, employee.ProfileUpdate{Address: &addr, Version: m.Version})
	if err != nil || m.Profile.Address != addr {
		t.Fatalf("update me: %v", err)
	}
	nm := "卫改名"
	if _, err := c.Svc.UpdateMe(me, employee.ProfileUpdate{Name: &nm, Version: m.Version}); !slices.Contains(fieldCodes(err), "name:employee.not_self_editable") {
		t.Fatalf("name not editable: %v", err)
	}
	acc := "6222000011113333"
	if _, err := c.Svc.UpdateMe(me, employee.ProfileUpdate{BankAccount: &acc, Version: m.Version}); !slices.Contains(fieldCodes(err), "bankAccount:employee.not_self_editable") {
		t.Fatalf("bank not editable: %v", err)
	}
	// Another employee's record: not found.
	if _, err := c.Svc.Get(me, other.ID, civil.Date{}); !errs.Is(err, errs.NotFound, "") {
		t.Fatalf("other's record: %v", err)
	}
	r, err := c.Svc.RequestBankChange(me, employee.BankRequestInput{BankName: "建设银行", BankAccount: "6217 0000 1234 5678"})
	if err != nil || r.BankAccount != "6217 **** **** 5678" || r.Status != employee.RequestPending {
		t.Fatalf("request: %+v %v", r, err)
	}
	if _, err := c.Svc.RequestBankChange(me, employee.BankRequestInput{BankName: "建设银行", BankAccount: "6217000012345679"}); !errs.Is(err, errs.Conflict, "employee.bank_request_open") {
		t.Fatalf("second request: %v", err)
	}
	// HR sees it masked, rejects with a comment, then approves a new one.
	list, total, err := c.Svc.BankRequests(ctx, employee.BankRequestFilter{Status: employee.RequestPending, Page: 1, Size: 20})
	if err != nil || total != 1 || list[0].EmployeeName != "卫自助" || strings.Contains(list[0].BankAccount, "1234") {
		t.Fatalf("review list: %+v %v", list, err)
	}
	if _, err := c.Svc.ReviewBankRequest(ctx, r.ID, false, ""); !slices.Contains(fieldCodes(err), "comment:required") {
		t.Fatalf("reject without comment: %v", err)
	}
	if _, err := c.Svc.ReviewBankRequest(ctx, r.ID, false, "账号与户名不符"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Svc.ReviewBankRequest(ctx, r.ID, true, ""); !errs.Is(err, errs.Conflict, "employee.request_reviewed") {
		t.Fatalf("review twice: %v", err)
	}
	r2, err := c.Svc.RequestBankChange(me, employee.BankRequestInput{BankName: "建设银行", BankAccount: "6217000012345679"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Svc.ReviewBankRequest(ctx, r2.ID, true, "已核对"); err != nil {
		t.Fatal(err)
	}
	s, _ := c.Svc.Sensitive(ctx, e.ID)
	if s.BankAccount != "6217000012345679" {
		t.Fatalf("approved account not applied: %+v", s)
	}
	mine, _ := c.Svc.MyBankRequests(me)
	if len(mine) != 2 || mine[0].Status != employee.RequestApproved {
		t.Fatalf("my requests: %+v", mine)
	}
	// Reviewing needs the permission.
	spec := c.As(employeetest.Caller{Role: "hr_specialist", DepartmentID: c.tech})
	if _, _, err := c.Svc.BankRequests(spec, employee.BankRequestFilter{}); !errs.Is(err, errs.Forbidden, "") {
		t.Fatalf("specialist review: %v", err)
	}
}

func TestDocumentsOrgChartAndDirectory(t *testing.T) {
	c := newCompany(t)
	ctx := c.Admin()
	head := c.hire(t, "韩部长", c.tech, day("2025-01-01"))
	c.Org.SetHead(c.tech, head.ID)
	e := c.hire(t, "杨文档", c.backend, day("2025-01-01"), func(n *employee.NewEmployee) { n.ManagerID = head.ID })
	c.hire(t, "朱销售", c.sales, day("2025-01-01"))
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 100)...)
	if _, err := c.Svc.Upload(ctx, e.ID, employee.DocIDCard, "身份证.pdf", bytes.NewReader(pdf)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Svc.Upload(ctx, e.ID, employee.DocDiploma, "毕业证.pdf", bytes.NewReader(pdf)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Svc.Upload(ctx, e.ID, employee.DocOther, "x.exe", strings.NewReader("MZ\x90\x00 not a pdf")); !errs.Is(err, errs.Invalid, "") {
		t.Fatalf("sniffed: %v", err)
	}
	docs, _ := c.Svc.Documents(ctx, e.ID)
	if len(docs) != 2 {
		t.Fatalf("admin sees %d documents", len(docs))
	}
	mgr := c.As(employeetest.Caller{Role: "dept_manager", EmployeeID: head.ID, DepartmentID: c.tech})
	docs, _ = c.Svc.Documents(mgr, e.ID)
	if len(docs) != 1 || docs[0].Kind != employee.DocDiploma {
		t.Fatalf("manager sees %+v", docs)
	}
	rc, d, err := c.Svc.Download(mgr, e.ID, docs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(b, pdf) || d.ContentType != "application/pdf" {
		t.Fatal("download")
	}
	all, _ := c.Svc.Documents(ctx, e.ID)
	for _, x := range all {
		if x.Kind == employee.DocIDCard {
			if _, _, err := c.Svc.Download(mgr, e.ID, x.ID); !errs.Is(err, errs.NotFound, "") {
				t.Fatalf("manager downloads an ID card: %v", err)
			}
		}
	}
	chart, err := c.Svc.OrgChart(ctx, civil.Date{}, 0, true)
	if err != nil || len(chart) != 1 || chart[0].HeadcountTotal != 3 {
		t.Fatalf("chart: %+v %v", chart, err)
	}
	for _, n := range chart[0].Children {
		if n.Name == "技术部" && (n.Headcount != 1 || n.HeadcountTotal != 2 || n.HeadName != "韩部长") {
			t.Fatalf("tech node: %+v", n)
		}
	}
	sub, err := c.Svc.OrgChart(ctx, civil.Date{}, c.backend, true)
	if err != nil || len(sub) != 1 || sub[0].Headcount != 1 {
		t.Fatalf("sub chart: %+v %v", sub, err)
	}
	// The directory anchors data scopes at the employee's department.
	if dep, err := c.Svc.DepartmentOf(ctx, c.TenantID, e.ID); err != nil || dep != c.backend {
		t.Fatalf("department of: %v %v", dep, err)
	}
	if _, err := c.Svc.DepartmentOf(ctx, c.TenantID, ids.New()); !errs.Is(err, errs.NotFound, "") {
		t.Fatalf("unknown employee: %v", err)
	}
	names, _ := c.Svc.EmployeeNames(ctx, []ids.ID{head.ID, e.ID})
	if names[head.ID] != "韩部长" || names[e.ID] != "杨文档" {
		t.Fatalf("names: %v", names)
	}
}
