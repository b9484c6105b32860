package employee_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/employee/employeetest"
	"github.com/renshi/renshi/internal/imports"
)

// benchRows makes n roster rows of 31 columns, in chunks of 1,000 (the
// engine's chunk): one in seven people manages the six after him.
func benchRows(n int) [][]imports.Row {
	g := employeetest.NewPeople(99)
	var chunks [][]imports.Row
	var chunk []imports.Row
	for i := 0; i < n; i++ {
		p := g.Person(i)
		gender := "女"
		if p.Male {
			gender = "男"
		}
		mgr := ""
		if i%7 != 0 {
			mgr = fmt.Sprintf("B%06d", i/7*7)
		}
		hire := time.Date(2010+i%15, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
		chunk = append(chunk, row(i+2, "employeeNo", fmt.Sprintf("B%06d", i), "name", p.Name, "gender", gender,
			"birthDate", p.Birth.String(), "idType", "居民身份证", "idNumber", p.IDNumber, "nationality", "中国", "ethnicity", "汉族",
			"maritalStatus", "已婚", "hukouType", "城镇", "hukouPlace", "上海市黄浦区", "highestDegree", "本科", "school", "复旦大学",
			"major", "计算机科学", "mobile", p.Mobile, "email", p.Email, "address", "上海市浦东新区世纪大道 100 号",
			"bankName", "招商银行", "bankAccount", fmt.Sprintf("6225%012d", i), "firstWorkDate", hire.AddDate(-1, 0, 0).Format("2006-01-02"),
			"department", []string{"技术部/后端组", "销售部", "TECH", "总部"}[i%4], "position", "SE", "grade", "P5", "location", "上海总部",
			"legalEntity", "仁时科技有限公司", "employmentType", "全职", "hireDate", hire.Format("2006-01-02"), "probationMonths", "3",
			"manager", mgr, "contractStart", hire.Format("2006-01-02"), "contractEnd", hire.AddDate(3, 0, -1).Format("2006-01-02")))
		if len(chunk) == 1000 {
			chunks = append(chunks, chunk)
			chunk = nil
		}
	}
	if len(chunk) > 0 {
		chunks = append(chunks, chunk)
	}
	return chunks
}

// BenchmarkRosterImport times a dry run and a commit of a roster of
// RENSHI_IMPORT_ROWS rows (default 100,000; 31 columns) through the
// target alone (the engine's reading and cleaning come on top):
//
//	go test ./internal/employee -run '^$' -bench RosterImport -benchtime 1x
func BenchmarkRosterImport(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("RENSHI_IMPORT_ROWS")); err == nil && v > 0 {
		n = v
	}
	chunks := benchRows(n)
	for range b.N {
		b.StopTimer()
		e := newImpEnv(b)
		ctx := e.hr
		tg := e.targets[employee.TargetEmployees]
		b.StartTimer()
		start := time.Now()
		run := newRun("employeeNo")
		for _, c := range chunks {
			outs, err := tg.Check(ctx, run, c)
			if err != nil {
				b.Fatal(err)
			}
			for i, o := range outs {
				if o.Action != imports.ActionNew {
					b.Fatalf("line %d: %v %v", c[i].Line, o.Action, codes(o))
				}
			}
		}
		dry := time.Since(start)
		start = time.Now()
		if _, _, err := e.tryCommit(ctx, employee.TargetEmployees, newRun("employeeNo"), chunks...); err != nil {
			b.Fatal(err)
		}
		commit := time.Since(start)
		b.ReportMetric(dry.Seconds(), "dry-s")
		b.ReportMetric(commit.Seconds(), "commit-s")
		b.ReportMetric(float64(n)/(dry+commit).Seconds(), "rows/s")
		var count int
		if err := e.db.Conn(context.Background()).NewRaw("SELECT count(*) FROM employee_employees").Scan(context.Background(), &count); err != nil || count != n {
			b.Fatalf("employees: %d %v", count, err)
		}
	}
}

// TestRosterImportTimings prints where a commit's time goes, every
// 10,000 rows (RENSHI_IMPORT_TIMINGS=100000 go test -run Timings -v).
func TestRosterImportTimings(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("RENSHI_IMPORT_TIMINGS"))
	if n == 0 {
		t.Skip("set RENSHI_IMPORT_TIMINGS to a number of rows")
	}
	chunks := benchRows(n)
	e := newImpEnv(t)
	tg := e.targets[employee.TargetEmployees]
	run := newRun("employeeNo")
	var check, apply time.Duration
	err := e.db.WithTx(e.hr, func(ctx context.Context) error {
		for i, c := range chunks {
			t0 := time.Now()
			outs, err := tg.Check(ctx, run, c)
			if err != nil {
				return err
			}
			t1 := time.Now()
			if _, err := tg.Apply(ctx, run, c, outs); err != nil {
				return err
			}
			check += t1.Sub(t0)
			apply += time.Since(t1)
			if (i+1)%10 == 0 {
				t.Logf("%d rows: check %v apply %v", (i+1)*1000, check, apply)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
