package demo

import (
	"fmt"
	"math/rand/v2"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
)

var (
	schools = []string{"复旦大学", "上海交通大学", "浙江大学", "南京大学", "武汉大学", "中山大学", "四川大学", "华中科技大学", "同济大学", "厦门大学", "北京理工大学", "西安电子科技大学"}
	majors  = []string{"计算机科学与技术", "软件工程", "市场营销", "人力资源管理", "会计学", "工商管理", "汉语言文学", "英语", "电子信息工程", "统计学"}
	banks   = []string{"中国工商银行", "中国建设银行", "招商银行", "中国银行", "交通银行", "中国农业银行"}
	degrees = []string{"bachelor", "bachelor", "bachelor", "master", "college", "doctor"}
)

// Employees generates n people spread over the structure's departments
// (heads first, so members can report to them), with job histories
// (hire, regularisation, promotions, resignations) and labour contracts.
// Hire dates spread over the ten years before today.
func Employees(st *Structure, n int, today civil.Date, seed uint64) []employee.BulkEmployee {
	people := NewPeople(seed)
	rng := rand.New(rand.NewPCG(seed+1, seed+2))
	founded := today.AddYears(-10)
	// How many people each department gets: a head each, the rest by weight.
	total := 0
	for _, d := range st.Departments {
		total += d.Weight
	}
	counts := make([]int, len(st.Departments))
	left := n
	for i := range st.Departments {
		counts[i] = 1
		left--
		if left < 0 {
			counts[i], left = 0, 0
		}
	}
	for i, d := range st.Departments {
		share := left * d.Weight / total
		counts[i] += share
	}
	// Whatever rounding left over goes to the biggest department.
	assigned := 0
	for _, c := range counts {
		assigned += c
	}
	counts[len(counts)-1] += n - assigned

	heads := map[ids.ID]ids.ID{} // department → head employee
	for _, d := range st.Departments {
		heads[d.ID] = d.HeadID
	}
	out := make([]employee.BulkEmployee, 0, n)
	idx := 0
	for di, d := range st.Departments {
		for k := 0; k < counts[di]; k++ {
			isHead := k == 0
			id := ids.New()
			manager := heads[d.ParentID]
			if isHead {
				id = d.HeadID
			} else {
				manager = heads[d.ID]
			}
			out = append(out, person(st, d, people.Person(idx, today), id, manager, isHead, rng, founded, today))
			idx++
		}
	}
	return out
}

func person(st *Structure, d Dept, p Person, id, manager ids.ID, head bool, rng *rand.Rand, founded, today civil.Date) employee.BulkEmployee {
	gender := employee.Female
	if p.Male {
		gender = employee.Male
	}
	// Heads joined early; others any time, more of them recently.
	span := today.DaysSince(founded)
	var hire civil.Date
	if head {
		hire = founded.AddDays(rng.IntN(span / 5))
	} else {
		f := rng.Float64()
		hire = today.AddDays(-int(f * f * float64(span)))
	}
	adult := p.Birth.AddYears(22)
	if hire.Before(adult) {
		hire = adult
		if hire.After(today) {
			hire = today
		}
	}
	degree := degrees[rng.IntN(len(degrees))]
	grad := p.Birth.AddYears(22).AddMonths(6 - int(p.Birth.Month)%6)
	if grad.After(hire) {
		grad = hire
	}
	e := employee.Employee{
		ID: id, Name: p.Name, Gender: gender, BirthDate: p.Birth, IDType: employee.IDResident, IDNumber: p.IDNumber,
		Nationality: "中国", Ethnicity: "汉族", MaritalStatus: []string{"single", "married"}[rng.IntN(2)],
		HukouType: []string{"urban", "rural"}[rng.IntN(2)],
		Education: employee.Education{HighestDegree: degree, School: schools[rng.IntN(len(schools))], Major: majors[rng.IntN(len(majors))], GraduationDate: grad},
		Mobile:    p.Mobile, Email: p.Email,
		BankName: banks[rng.IntN(len(banks))], BankAccount: fmt.Sprintf("6222%012d", rng.Int64N(1e12)),
		FirstWorkDate: grad,
	}
	posCode := d.Staff
	if head {
		posCode = d.Head
	}
	grade := gradeFor(posCode, rng)
	job := employee.Job{
		LegalEntityID: st.LegalEntities[d.Legal], DepartmentID: d.ID, PositionID: st.Positions[posCode], GradeID: st.Grades[grade],
		ManagerID: manager, EmploymentType: employee.FullTime, LocationID: st.Locations[d.Location],
		Status: employee.StatusProbation, Period: 1, HireDate: hire, ProbationMonths: 3, ProbationEndDate: employee.ProbationEnd(hire, 3),
	}
	if rng.IntN(25) == 0 && !head {
		job.EmploymentType = []string{employee.PartTime, employee.Intern, employee.Dispatched}[rng.IntN(3)]
	}
	rows := []employee.Assignment{{ValidFrom: hire, Reason: employee.ReasonHire, Job: job}}
	regular := employee.ProbationEnd(hire, 3).AddDays(1)
	if !regular.After(today) {
		job.Status, job.RegularisationDate = employee.StatusRegular, regular
		rows = append(rows, employee.Assignment{ValidFrom: regular, Reason: employee.ReasonRegularise, Job: job})
	}
	// A promotion now and then for people who stayed long enough.
	if promo := regular.AddYears(2 + rng.IntN(3)); !promo.After(today) && rng.IntN(3) == 0 && grade[0] == 'P' && grade < "P8" {
		job.GradeID = st.Grades[fmt.Sprintf("P%c", grade[1]+1)]
		rows = append(rows, employee.Assignment{ValidFrom: promo, Reason: employee.ReasonPromote, Job: job})
	}
	// About one in eight has left.
	if !head && rng.IntN(8) == 0 {
		last := rows[len(rows)-1].ValidFrom
		if gap := today.DaysSince(last); gap > 30 {
			leave := last.AddDays(15 + rng.IntN(gap-15))
			job.Status, job.LeaveDate, job.LeaveReason = employee.StatusLeft, leave, "personal"
			// The leave date is the last working day; "left" starts the day after.
			rows = append(rows, employee.Assignment{ValidFrom: leave.AddDays(1), Reason: employee.ReasonResign, Job: job})
		}
	}
	return employee.BulkEmployee{Employee: e, Assignments: rows, Contracts: contracts(st, d, hire, job, rng, today)}
}

// contracts: three-year fixed terms back to back from the hire date; the
// third is open-ended, as the law lets the employee ask after two.
func contracts(st *Structure, d Dept, hire civil.Date, job employee.Job, rng *rand.Rand, today civil.Date) []employee.Contract {
	var out []employee.Contract
	start := hire
	for seq := 1; !start.After(today) && (job.LeaveDate.IsZero() || start.Before(job.LeaveDate)); seq++ {
		c := employee.Contract{Kind: employee.FixedTerm, Number: fmt.Sprintf("HT%d%05d", start.Year, rng.IntN(100000)),
			StartDate: start, EndDate: start.AddYears(3).AddDays(-1), SigningEntityID: st.LegalEntities[d.Legal]}
		if seq == 3 {
			c.Kind, c.EndDate = employee.OpenEnded, civil.Date{}
		}
		out = append(out, c)
		if c.EndDate.IsZero() {
			break
		}
		start = c.EndDate.AddDays(1)
	}
	return out
}

func gradeFor(pos string, rng *rand.Rand) string {
	for _, p := range positions {
		if p.code != pos {
			continue
		}
		lo, hi := int(p.min[1]-'0'), int(p.max[1]-'0')
		return fmt.Sprintf("%c%d", p.min[0], lo+rng.IntN(hi-lo+1))
	}
	return "P3"
}
