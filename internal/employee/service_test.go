package employee_test

import (
	"slices"
	"testing"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/employee/employeetest"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
)

// company is a small organisation: 总部 > 技术部 > 后端组, 总部 > 销售部.
type company struct {
	*employeetest.Env
	hq, tech, backend, sales ids.ID
	entity, location         ids.ID
	pos, grade, grade2       ids.ID
}

func newCompany(t *testing.T) *company {
	e := employeetest.New(t)
	c := &company{Env: e}
	c.entity = e.Org.AddLegalEntity("仁时科技有限公司")
	c.location = e.Org.AddLocation("上海总部")
	c.hq = e.Org.AddDepartment("HQ", "总部", 0)
	c.tech = e.Org.AddDepartment("TECH", "技术部", c.hq)
	c.backend = e.Org.AddDepartment("BE", "后端组", c.tech)
	c.sales = e.Org.AddDepartment("SALES", "销售部", c.hq)
	for _, d := range []ids.ID{c.hq, c.tech, c.backend, c.sales} {
		e.Org.SetDefaults(d, c.entity, c.location)
	}
	c.pos = e.Org.AddPosition("SE", "软件工程师")
	c.grade = e.Org.AddGrade("P5", "P5", 5)
	c.grade2 = e.Org.AddGrade("P6", "P6", 6)
	return c
}

var people = employeetest.NewPeople(7)

// hire creates an employee with a generated identity.
func (c *company) hire(t *testing.T, name string, dept ids.ID, hire civil.Date, mutate ...func(*employee.NewEmployee)) *employee.Detail {
	t.Helper()
	p := people.Person(int(ids.New() % 5000000))
	n := employee.NewEmployee{Profile: employee.Profile{Name: name, IDNumber: p.IDNumber, Mobile: p.Mobile, Email: p.Email},
		DepartmentID: dept, HireDate: hire, PositionID: c.pos, GradeID: c.grade}
	for _, m := range mutate {
		m(&n)
	}
	d, err := c.Svc.Create(c.Admin(), n)
	if err != nil {
		t.Fatalf("hire %s: %v", name, err)
	}
	return d
}

func fieldCodes(err error) []string {
	var out []string
	if e, ok := err.(*errs.Error); ok {
		for _, f := range e.Fields {
			out = append(out, f.Field+":"+f.Code)
		}
	}
	return out
}

func TestCreateDerivesFromIDAndNumbers(t *testing.T) {
	c := newCompany(t)
	ctx := c.Admin()
	id := employeetest.IDNumber("310101", civil.New(1990, 3, 7), 12, false)
	d, err := c.Svc.Create(ctx, employee.NewEmployee{
		Profile:      employee.Profile{Name: "张三", IDNumber: id, Mobile: "+86 138-0013-8000", BankName: "招商银行", BankAccount: "6225 8812 3456 7890"},
		DepartmentID: c.backend, HireDate: civil.New(2026, 6, 1), ProbationMonths: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.EmployeeNo != "RS000001" || d.Profile.Gender != employee.Female || d.Profile.BirthDate != civil.New(1990, 3, 7) {
		t.Fatalf("derived: %+v", d.Profile)
	}
	if d.Profile.IDNumber != "3101**********"+id[14:] || d.Profile.BankAccount != "6225 **** **** 7890" || d.Profile.Mobile != "13800138000" {
		t.Fatalf("masking: %+v", d.Profile)
	}
	if d.Job.Status != employee.StatusProbation || d.Job.ProbationEndDate != civil.New(2026, 8, 31) || d.Job.DepartmentName != "后端组" ||
		d.Job.LegalEntityName != "仁时科技有限公司" || !slices.Equal(d.Job.DepartmentPath, []string{"总部", "技术部", "后端组"}) {
		t.Fatalf("job: %+v", d.Job)
	}
	s, err := c.Svc.Sensitive(ctx, d.ID)
	if err != nil || s.IDNumber != id || s.BankAccount != "6225881234567890" {
		t.Fatalf("sensitive: %+v %v", s, err)
	}
	d2 := c.hire(t, "李四", c.sales, civil.New(2026, 6, 2))
	if d2.EmployeeNo != "RS000002" || d2.Job.Status != employee.StatusRegular {
		t.Fatalf("second: %+v", d2)
	}
}

func names(p *employee.Page) []string {
	var out []string
	for _, it := range p.Items {
		out = append(out, it.Name)
	}
	slices.Sort(out)
	return out
}

func TestSearchByNamePinyinInitialsNumberMobile(t *testing.T) {
	c := newCompany(t)
	ctx := c.Admin()
	hired := civil.New(2025, 1, 6)
	zs := c.hire(t, "张三", c.tech, hired, func(n *employee.NewEmployee) { n.Mobile = "13912345678"; n.Email = "san.zhang@example.cn" })
	c.hire(t, "单田芳", c.sales, hired)
	c.hire(t, "李娜", c.sales, hired, func(n *employee.NewEmployee) { n.EnglishName = "Nina Li" })
	c.hire(t, "欧阳修", c.tech, hired)
	c.hire(t, "张伟", c.tech, hired)
	cases := []struct {
		q    string
		want []string
	}{
		{"zhangsan", []string{"张三"}},
		{"zs", []string{"张三"}},
		{"ZS", []string{"张三"}},
		{"ｚｓ", []string{"张三"}}, // full-width, as pasted from Chinese documents
		{"张", []string{"张三", "张伟"}},
		{"zhang", []string{"张三", "张伟"}},
		{"zhang san", []string{"张三"}},
		{"三", []string{"张三"}},
		{"san", []string{"张三"}},
		{"shantianfang", []string{"单田芳"}},
		{"stf", []string{"单田芳"}},
		{"单", []string{"单田芳"}},
		{"dantianfang", nil}, // 单 as a surname is Shan
		{"ouyang", []string{"欧阳修"}},
		{"oyx", []string{"欧阳修"}},
		{"nina", []string{"李娜"}},
		{"139123", []string{"张三"}},
		{"san.zhang@", []string{"张三"}},
		{zs.EmployeeNo, []string{"张三"}},
		{"rs00000", []string{"单田芳", "张三", "张伟", "李娜", "欧阳修"}},
		{"wang", nil},
	}
	for _, tc := range cases {
		p, err := c.Svc.List(ctx, employee.Filter{Query: tc.q})
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		if got := names(p); !slices.Equal(got, tc.want) || p.Total != len(tc.want) {
			t.Errorf("%q: got %v (total %d), want %v", tc.q, got, p.Total, tc.want)
		}
	}
	// An exact ID number finds its owner through the blind index.
	s, _ := c.Svc.Sensitive(ctx, zs.ID)
	if p, err := c.Svc.List(ctx, employee.Filter{Query: s.IDNumber}); err != nil || !slices.Equal(names(p), []string{"张三"}) {
		t.Fatalf("by ID number: %v %v", p, err)
	}
}

func TestScopePerBuiltinRole(t *testing.T) {
	c := newCompany(t)
	hired := civil.New(2024, 3, 1)
	a := c.hire(t, "王技术", c.tech, hired, func(n *employee.NewEmployee) { n.BankName = "工商银行"; n.BankAccount = "6222020200112233445" })
	b := c.hire(t, "李后端", c.backend, hired, func(n *employee.NewEmployee) { n.ManagerID = a.ID })
	x := c.hire(t, "赵销售", c.sales, hired)
	type want struct {
		list      []string // names the list shows (nil: 403)
		see       []ids.ID // records readable
		hidden    []ids.ID // records answering 404
		sensitive bool
	}
	all := []string{"李后端", "王技术", "赵销售"}
	cases := []struct {
		role string
		emp  ids.ID
		dept ids.ID
		want want
	}{
		{"hr_admin", 0, 0, want{all, []ids.ID{a.ID, b.ID, x.ID}, nil, true}},
		{"hr_specialist", 0, c.tech, want{[]string{"李后端", "王技术"}, []ids.ID{a.ID, b.ID}, []ids.ID{x.ID}, false}},
		{"dept_manager", a.ID, c.tech, want{[]string{"李后端", "王技术"}, []ids.ID{a.ID, b.ID}, []ids.ID{x.ID}, false}},
		{"finance", 0, 0, want{all, []ids.ID{a.ID, b.ID, x.ID}, nil, true}},
		{"content_owner", 0, c.backend, want{[]string{"李后端"}, []ids.ID{b.ID}, []ids.ID{a.ID, x.ID}, false}},
		{"employee", b.ID, c.backend, want{nil, []ids.ID{b.ID}, []ids.ID{a.ID, x.ID}, false}},
		{"super_admin", 0, 0, want{all, []ids.ID{a.ID, b.ID, x.ID}, nil, true}},
	}
	for _, tc := range cases {
		ctx := c.As(employeetest.Caller{Role: tc.role, EmployeeID: tc.emp, DepartmentID: tc.dept})
		p, err := c.Svc.List(ctx, employee.Filter{})
		switch {
		case tc.want.list == nil:
			if !errs.Is(err, errs.Forbidden, "") {
				t.Errorf("%s: list err %v, want forbidden", tc.role, err)
			}
		case err != nil:
			t.Errorf("%s: list: %v", tc.role, err)
		case !slices.Equal(names(p), tc.want.list):
			t.Errorf("%s: list %v, want %v", tc.role, names(p), tc.want.list)
		}
		for _, id := range tc.want.see {
			d, err := c.Svc.Get(ctx, id, civil.Date{})
			if err != nil {
				t.Errorf("%s: get %d: %v", tc.role, id, err)
				continue
			}
			if d.ID == a.ID && d.Profile.BankAccount != "6222 **** **** 3445" {
				t.Errorf("%s: bank account not masked: %q", tc.role, d.Profile.BankAccount)
			}
			for _, read := range []func() error{
				func() error { _, err := c.Svc.History(ctx, id); return err },
			} {
				if err := read(); err != nil {
					t.Errorf("%s: history %d: %v", tc.role, id, err)
				}
			}
		}
		for _, id := range tc.want.hidden {
			if _, err := c.Svc.Get(ctx, id, civil.Date{}); !errs.Is(err, errs.NotFound, "") {
				t.Errorf("%s: get %d: %v, want not found", tc.role, id, err)
			}
			if _, err := c.Svc.History(ctx, id); !errs.Is(err, errs.NotFound, "") {
				t.Errorf("%s: history %d: %v, want not found", tc.role, id, err)
			}
			if _, err := c.Svc.Contracts(ctx, id); !errs.Is(err, errs.NotFound, "") {
				t.Errorf("%s: contracts %d: %v, want not found", tc.role, id, err)
			}
		}
		_, err = c.Svc.Sensitive(ctx, a.ID)
		if tc.want.sensitive != (err == nil) {
			t.Errorf("%s: sensitive: %v", tc.role, err)
		}
		if !tc.want.sensitive && !errs.Is(err, errs.Forbidden, "") && !errs.Is(err, errs.NotFound, "") {
			t.Errorf("%s: sensitive err %v", tc.role, err)
		}
	}
	// The dept manager sees his department without sensitive fields, and
	// cannot change anything.
	mgr := c.As(employeetest.Caller{Role: "dept_manager", EmployeeID: a.ID, DepartmentID: c.tech})
	if _, err := c.Svc.Update(mgr, b.ID, employee.ProfileUpdate{Version: 1}); !errs.Is(err, errs.Forbidden, "") {
		t.Fatalf("manager update: %v", err)
	}
	// An HR specialist acting outside his scope gets 404, not 403.
	spec := c.As(employeetest.Caller{Role: "hr_specialist", DepartmentID: c.tech})
	if _, err := c.Svc.Transfer(spec, x.ID, employee.Transfer{ManagerID: &a.ID}); !errs.Is(err, errs.NotFound, "") {
		t.Fatalf("specialist out of scope: %v", err)
	}
	// Direct reports.
	r, err := c.Svc.Reports(c.Admin(), a.ID)
	if err != nil || len(r) != 1 || r[0].Name != "李后端" || r[0].ManagerName != "王技术" {
		t.Fatalf("reports: %+v %v", r, err)
	}
}
