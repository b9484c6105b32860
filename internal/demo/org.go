package demo

import (
	"context"
	"fmt"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Structure is the demo company's organisation, as created.
type Structure struct {
	LegalEntities []ids.ID
	Locations     []ids.ID
	Grades        map[string]ids.ID // by code: P1..P9, M1..M5
	Positions     map[string]ids.ID // by code
	Departments   []Dept            // in creation order, parents first
	People        []employee.BulkEmployee
}

// Person finds a generated employee of the department with the code: its
// head, or a member not in used. Nil if there is none.
func (st *Structure) Person(deptCode string, head bool, used map[ids.ID]bool) *employee.Employee {
	for _, d := range st.Departments {
		if d.Code != deptCode {
			continue
		}
		for i := range st.People {
			e := &st.People[i].Employee
			job := st.People[i].Assignments[len(st.People[i].Assignments)-1].Job
			if job.DepartmentID != d.ID || used[e.ID] || job.Status == employee.StatusLeft {
				continue
			}
			if (e.ID == d.HeadID) == head {
				return e
			}
		}
	}
	return nil
}

// Dept is a created department with what the employee generator needs.
type Dept struct {
	ID       ids.ID
	ParentID ids.ID
	HeadID   ids.ID // the head's employee id, chosen before the people exist
	Code     string
	Name     string
	Weight   int    // share of people
	Staff    string // position code of its ordinary members
	Head     string // position code of its head
	Legal    int    // index into LegalEntities
	Location int    // index into Locations
}

type deptSpec struct {
	code, name, parent, staff, head string
	weight, legal, location         int
}

// The company every demo shares; larger demos add teams below the
// sales regions and engineering groups (about one department per 50 people).
var baseDepts = []deptSpec{
	{"GM", "总经办", "", "ASSIST", "CEO", 1, 0, 0},
	{"HR", "人事部", "", "HRS", "HRM", 2, 0, 0},
	{"FIN", "财务部", "", "ACC", "FINM", 2, 0, 0},
	{"MKT", "市场部", "", "MKTS", "MKTM", 3, 0, 0},
	{"SALES", "销售部", "", "SALESREP", "SALESD", 1, 0, 0},
	{"SALES-E", "华东区", "SALES", "SALESREP", "REGM", 6, 0, 0},
	{"SALES-S", "华南区", "SALES", "SALESREP", "REGM", 5, 2, 2},
	{"SALES-N", "华北区", "SALES", "SALESREP", "REGM", 5, 1, 1},
	{"SALES-W", "西南区", "SALES", "SALESREP", "REGM", 3, 0, 3},
	{"TECH", "技术部", "", "BE", "CTO", 1, 0, 0},
	{"TECH-BE", "后端组", "TECH", "BE", "TL", 6, 0, 0},
	{"TECH-FE", "前端组", "TECH", "FE", "TL", 4, 0, 0},
	{"TECH-QA", "测试组", "TECH", "QA", "TL", 3, 0, 3},
	{"TECH-OPS", "运维组", "TECH", "OPS", "TL", 2, 0, 0},
	{"TECH-DATA", "数据组", "TECH", "DATA", "TL", 2, 0, 3},
	{"CS", "客服部", "", "CSR", "CSM", 5, 0, 3},
}

// growInto lists the departments that get numbered teams in big demos.
var growInto = []string{"SALES-E", "SALES-S", "SALES-N", "SALES-W", "TECH-BE", "TECH-FE", "TECH-QA", "CS"}

type position struct{ code, name, family, min, max string }

var positions = []position{
	{"CEO", "总经理", "管理", "M5", "M5"}, {"ASSIST", "总经理助理", "行政", "P3", "P5"},
	{"HRM", "人事经理", "人力资源", "M2", "M3"}, {"HRS", "人事专员", "人力资源", "P2", "P5"},
	{"FINM", "财务经理", "财务", "M2", "M3"}, {"ACC", "会计", "财务", "P2", "P6"},
	{"MKTM", "市场经理", "市场", "M2", "M3"}, {"MKTS", "市场专员", "市场", "P2", "P6"},
	{"SALESD", "销售总监", "销售", "M4", "M4"}, {"REGM", "大区经理", "销售", "M2", "M3"}, {"SALESREP", "销售代表", "销售", "P1", "P6"},
	{"CTO", "技术总监", "技术", "M4", "M5"}, {"TL", "技术主管", "技术", "M1", "M2"},
	{"BE", "后端工程师", "技术", "P3", "P8"}, {"FE", "前端工程师", "技术", "P3", "P8"}, {"QA", "测试工程师", "技术", "P2", "P7"},
	{"OPS", "运维工程师", "技术", "P3", "P7"}, {"DATA", "数据工程师", "技术", "P3", "P8"},
	{"CSM", "客服主管", "客户服务", "M1", "M2"}, {"CSR", "客服专员", "客户服务", "P1", "P4"},
}

// BuildStructure creates legal entities, locations, cost centers, grades,
// positions and departments (effective since founded) for about n people.
// ctx carries a principal allowed to manage the organisation.
func BuildStructure(ctx context.Context, o *org.Service, n int, founded civil.Date) (*Structure, error) {
	st := &Structure{Grades: map[string]ids.ID{}, Positions: map[string]ids.ID{}}
	entities := []struct{ name, city, addr, prefix string }{
		{"演示科技有限公司", "上海", "上海市浦东新区张江路 88 号", "91310115"},
		{"演示科技（北京）有限公司", "北京", "北京市海淀区中关村大街 1 号", "91110108"},
		{"演示科技（深圳）有限公司", "深圳", "深圳市南山区科技园南区 6 号", "91440300"},
	}
	for i, e := range entities {
		code := CreditCode(fmt.Sprintf("%sMA%07d", e.prefix, 1000+i))
		le, err := o.CreateLegalEntity(ctx, org.LegalEntityInput{Name: &e.name, CreditCode: &code, RegisteredAddress: &e.addr, TaxCity: &e.city, SocialInsuranceCity: &e.city})
		if err != nil {
			return nil, fmt.Errorf("legal entity %s: %w", e.name, err)
		}
		st.LegalEntities = append(st.LegalEntities, le.ID)
	}
	locs := []struct {
		name, city, addr string
		lat, lng         float64
	}{
		{"上海总部", "上海", "上海市浦东新区张江路 88 号", 31.2036, 121.5874},
		{"北京分公司", "北京", "北京市海淀区中关村大街 1 号", 39.9836, 116.3164},
		{"深圳分公司", "深圳", "深圳市南山区科技园南区 6 号", 22.5405, 113.9500},
		{"成都研发中心", "成都", "成都市高新区天府大道 1700 号", 30.5500, 104.0650},
	}
	for _, l := range locs {
		radius := 300
		loc, err := o.CreateLocation(ctx, org.LocationInput{Name: &l.name, City: &l.city, Address: &l.addr, Latitude: &l.lat, Longitude: &l.lng, PunchRadiusMeters: &radius})
		if err != nil {
			return nil, fmt.Errorf("location %s: %w", l.name, err)
		}
		st.Locations = append(st.Locations, loc.ID)
	}
	cc := map[string]ids.ID{}
	for _, c := range []struct{ code, name string }{{"CC100", "管理"}, {"CC200", "销售"}, {"CC300", "研发"}, {"CC400", "客户服务"}} {
		x, err := o.CreateCostCenter(ctx, org.CostCenterInput{Code: &c.code, Name: &c.name})
		if err != nil {
			return nil, fmt.Errorf("cost center %s: %w", c.code, err)
		}
		cc[c.code] = x.ID
	}
	for i := 1; i <= 9; i++ {
		if err := grade(ctx, o, st, fmt.Sprintf("P%d", i), fmt.Sprintf("专业 P%d", i), "P", i); err != nil {
			return nil, err
		}
	}
	for i := 1; i <= 5; i++ {
		if err := grade(ctx, o, st, fmt.Sprintf("M%d", i), fmt.Sprintf("管理 M%d", i), "M", 10+i); err != nil {
			return nil, err
		}
	}
	for _, p := range positions {
		lo, hi := st.Grades[p.min], st.Grades[p.max]
		x, err := o.CreatePosition(ctx, org.PositionInput{Code: &p.code, Name: &p.name, JobFamily: &p.family, MinGradeID: &lo, MaxGradeID: &hi})
		if err != nil {
			return nil, fmt.Errorf("position %s: %w", p.code, err)
		}
		st.Positions[p.code] = x.ID
	}
	byCode := map[string]ids.ID{}
	costOf := func(code string) ids.ID {
		switch {
		case len(code) >= 5 && code[:5] == "SALES", code == "MKT":
			return cc["CC200"]
		case len(code) >= 4 && code[:4] == "TECH":
			return cc["CC300"]
		case code == "CS":
			return cc["CC400"]
		}
		return cc["CC100"]
	}
	// All departments go in with one bulk import (ids chosen here, so
	// children and heads can refer to them before they exist).
	var batch []org.ImportDepartment
	create := func(s deptSpec) error {
		head, id := ids.New(), ids.New()
		batch = append(batch, org.ImportDepartment{ID: id, NewDepartment: org.NewDepartment{Code: s.code, Name: s.name, ParentID: byCode[s.parent], HeadEmployeeID: head,
			CostCenterID: costOf(s.code), LocationID: st.Locations[s.location], LegalEntityID: st.LegalEntities[s.legal], EffectiveDate: founded}})
		byCode[s.code] = id
		st.Departments = append(st.Departments, Dept{ID: id, ParentID: byCode[s.parent], HeadID: head, Code: s.code, Name: s.name,
			Weight: s.weight, Staff: s.staff, Head: s.head, Legal: s.legal, Location: s.location})
		return nil
	}
	for _, s := range baseDepts {
		if err := create(s); err != nil {
			return nil, err
		}
	}
	extra := n/50 - len(baseDepts)
	for i := 0; i < extra; i++ {
		parent := growInto[i%len(growInto)]
		var spec deptSpec
		for _, b := range baseDepts {
			if b.code == parent {
				spec = b
			}
		}
		k := i/len(growInto) + 1
		head := "TL"
		if spec.head == "REGM" {
			head = "REGM"
		} else if spec.code == "CS" {
			head = "CSM"
		}
		if err := create(deptSpec{code: fmt.Sprintf("%s-%03d", parent, k), name: fmt.Sprintf("%s第%d组", spec.name, k), parent: parent,
			staff: spec.staff, head: head, weight: spec.weight, legal: spec.legal, location: spec.location}); err != nil {
			return nil, err
		}
	}
	if err := o.ImportDepartments(ctx, batch); err != nil {
		return nil, fmt.Errorf("departments: %w", err)
	}
	return st, nil
}

func grade(ctx context.Context, o *org.Service, st *Structure, code, name, track string, rank int) error {
	g, err := o.CreateGrade(ctx, org.GradeInput{Code: &code, Name: &name, Track: &track, Rank: &rank})
	if err != nil {
		return fmt.Errorf("grade %s: %w", code, err)
	}
	st.Grades[code] = g.ID
	return nil
}

const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCode appends the GB 32100-2015 check character to 17 characters.
func CreditCode(body string) string {
	sum := 0
	for i := 0; i < 17; i++ {
		for v, c := range creditAlphabet {
			if byte(c) == body[i] {
				sum += v * creditWeights[i]
			}
		}
	}
	return body + string(creditAlphabet[(31-sum%31)%31])
}
