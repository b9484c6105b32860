package employee_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/employee/employeetest"
	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/clean"
	"github.com/renshi/renshi/internal/platform/sheet"
)

// The files of testdata/imports are made by fixtureFiles. Regenerate them
// with
//
//	RENSHI_WRITE_FIXTURES=1 go test ./internal/employee -run TestImportFixtures
//
// and commit the result (testdata/imports/README.md says what each holds).

const fixtureDir = "../../testdata/imports"

// pid is a resident ID number of someone born on a day.
func pid(birth string, order int, male bool) string {
	return employeetest.IDNumber("440305", civil.MustParse(birth), order, male)
}

func fixtureFiles(t testing.TB) map[string][]byte {
	files := map[string][]byte{}
	csvOf := func(rows [][]string) []byte {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.UseCRLF = true
		if err := w.WriteAll(rows); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	// A roster saved by Excel as "CSV" on a Chinese Windows: GBK.
	gbk := csvOf([][]string{
		{"工号", "姓名", "性别", "身份证号", "手机", "邮箱", "部门", "岗位", "职级", "入职日期", "直属上级", "合同开始日期", "合同结束日期"},
		{"RS1001", "张伟", "男", pid("1987-02-14", 1, true), "13812340001", "zhangwei@renshi.example.cn", "技术部/后端组", "软件工程师", "P5", "2021-03-15", "", "2024-03-15", "2027-03-14"},
		{"RS1002", "李娜", "女", pid("1993-07-08", 2, false), "138 1234 0002", "lina@renshi.example.cn", "技术部/后端组", "软件工程师", "P5", "2022/7/1", "RS1001", "2022/7/1", "2025/6/30"},
		{"RS1003", "王芳", "女", pid("1990-12-01", 3, false), "+86 138-1234-0003", "wangfang@renshi.example.cn", "销售部", "", "", "2023年1月9日", "张伟", "", ""},
		{"RS1004", "刘洋", "男", pid("1996-04-30", 4, true), "13812340004", "", "技术部", "软件工程师", "P6", "20240601", "RS1005", "", ""},
		{"RS1005", "陈静", "女", pid("1982-09-09", 5, false), "13812340005", "chenjing@renshi.example.cn", "总部", "", "", "2019-11-11", "", "", ""},
	})
	enc, err := simplifiedchinese.GBK.NewEncoder().Bytes(gbk)
	if err != nil {
		t.Fatal(err)
	}
	files["roster_gbk.csv"] = enc
	files["roster_messy.xlsx"] = messyWorkbook(t)
	files["orangehrm_employees.csv"] = csvOf([][]string{
		{"first_name", "middle_name", "last_name", "employee_id", "other_id", "driver's_license_no", "license_expiry_date", "gender",
			"marital_status", "nationality", "date_of_birth", "address_street_1", "address_street_2", "city", "state/province",
			"zip/postal_code", "country", "home_telephone", "mobile", "work_telephone", "work_email", "other_email"},
		{"Wei", "", "Zhang", "0001", pid("1988-03-12", 11, true), "", "", "Male", "Married", "Chinese", "1988-03-12", "88 Century Avenue",
			"Floor 12", "Shanghai", "Shanghai", "200120", "China", "", "13812345678", "021-61234567", "wei.zhang@orange.example.com", "zhangwei@mail.example.cn"},
		{"Na", "", "Li", "0002", pid("1992-07-08", 12, false), "310104199207080022", "2030-07-07", "Female", "Single", "Chinese", "1992-07-08",
			"200 Huaihai Road", "", "Shanghai", "Shanghai", "200021", "China", "", "13912345679", "", "na.li@orange.example.com", ""},
		{"Jian", "Guo", "Wang", "0003", pid("1979-11-30", 13, true), "", "", "Male", "Divorced", "Chinese", "1979-11-30", "1 Tianfu Avenue",
			"", "Chengdu", "Sichuan", "610041", "China", "028-80000001", "13512345670", "", "jianguo.wang@orange.example.com", ""},
		{"Xiaoyu", "", "Chen", "0004", pid("2000-01-05", 14, false), "", "", "Female", "", "Chinese", "2000-01-05", "", "", "", "", "", "",
			"", "15012345671", "", "xiaoyu.chen@orange.example.com", ""},
	})
	files["frappe_employee_export.csv"] = csvOf([][]string{
		{"ID", "Full Name", "First Name", "Middle Name", "Last Name", "Salutation", "Gender", "Date of Birth", "Date of Joining", "Status",
			"Company", "Department", "Employee Number", "Designation", "Reports to", "Branch", "Mobile", "Personal Email", "Company Email",
			"Bank Name", "Bank A/C No.", "Marital Status", "Passport Number", "Current Address", "Permanent Address", "Contract End Date",
			"Emergency Contact Name", "Emergency Phone", "Relation"},
		{"HR-EMP-00001", "Jing Chen", "Jing", "", "Chen", "Ms", "Female", "1985-04-18", "2018-03-05", "Active", "Renshi Tech (Shanghai) Co., Ltd.",
			"Management - RS", "", "Chief Executive Officer", "", "Shanghai", "+86-139-1000-0001", "chenjing@mail.example.cn",
			"jing.chen@renshi.example.com", "China Merchants Bank", "6225880112345678", "Married", "E12345678",
			"1000 Lujiazui Ring Road, Pudong, Shanghai", "Room 502, 18 Wukang Road, Shanghai", "", "Lei Wang", "13910000002", "Spouse"},
		{"HR-EMP-00002", "Tao Zhou", "Tao", "", "Zhou", "Mr", "Male", "1990-09-21", "2020-07-01", "Active", "Renshi Tech (Shanghai) Co., Ltd.",
			"Engineering - RS", "E-0002", "Software Engineer", "HR-EMP-00001", "Shanghai", "13910000003", "", "tao.zhou@renshi.example.com",
			"Bank of China", "6217850000000002", "Single", "E23456789", "", "", "2026-06-30", "", "", ""},
		{"HR-EMP-00003", "Sophie Martin", "Sophie", "", "Martin", "Ms", "Female", "1991-02-11", "2022-09-15", "Active",
			"Renshi Tech (Shanghai) Co., Ltd.", "Engineering - RS", "", "Software Engineer", "HR-EMP-00005", "Shanghai", "+852 6123 4567",
			"sophie.martin@mail.example.fr", "sophie.martin@renshi.example.com", "", "", "Single", "21AB12345", "", "", "2025-09-14", "", "", ""},
		{"HR-EMP-00004", "Yang Liu", "Yang", "", "Liu", "Mr", "Male", "1994-12-03", "2023-03-01", "Active", "Renshi Tech (Shanghai) Co., Ltd.",
			"Sales - RS", "", "Sales Executive", "HR-EMP-00001", "Beijing", "13910000005", "", "yang.liu@renshi.example.com",
			"", "", "Married", "E34567890", "", "", "", "", "", ""},
		{"HR-EMP-00005", "Min Huang", "Min", "", "Huang", "Mr", "Male", "1986-06-06", "2019-01-07", "Active", "Renshi Tech (Shanghai) Co., Ltd.",
			"Engineering - RS", "", "Engineering Manager", "HR-EMP-00001", "Shanghai", "13910000006", "", "min.huang@renshi.example.com",
			"Industrial and Commercial Bank of China", "6222020000000006", "Married", "E45678901", "", "", "", "", "", ""},
	})
	return files
}

// messyWorkbook is a roster as offices keep it: a title and a note above
// a two-row header with merged cells, hire dates as Excel dates (serial
// numbers), birth dates typed in five styles, full-width digits, stray
// spaces.
func messyWorkbook(t testing.TB) []byte {
	f := excelize.NewFile()
	defer f.Close()
	s := "花名册"
	if err := f.SetSheetName("Sheet1", s); err != nil {
		t.Fatal(err)
	}
	set := func(cell string, v any) {
		if err := f.SetCellValue(s, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	merge := func(a, z string) {
		if err := f.MergeCell(s, a, z); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "仁时科技有限公司 2026 年员工花名册")
	merge("A1", "O1")
	set("A2", "制表：人力资源部　　截至 2026 年 6 月 1 日")
	merge("A2", "O2")
	top := map[string]string{"A3": "工号", "B3": "姓名", "C3": "证件信息", "E3": "联系方式", "G3": "部门", "H3": "入职日期",
		"I3": "出生日期", "J3": "试用期", "K3": "直属上级", "L3": "合同", "N3": "银行卡号", "O3": "开户行"}
	for c, v := range top {
		set(c, v)
	}
	for c, v := range map[string]string{"C4": "证件类型", "D4": "身份证号", "E4": "手机", "F4": "邮箱", "L4": "开始日期", "M4": "结束日期"} {
		set(c, v)
	}
	for _, m := range [][2]string{{"A3", "A4"}, {"B3", "B4"}, {"C3", "D3"}, {"E3", "F3"}, {"G3", "G4"}, {"H3", "H4"}, {"I3", "I4"},
		{"J3", "J4"}, {"K3", "K4"}, {"L3", "M3"}, {"N3", "N4"}, {"O3", "O4"}} {
		merge(m[0], m[1])
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	hire := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	rows := []struct {
		no, name, idType, id, mobile, email, dept string
		hired                                     time.Time
		birth                                     any
		probation, manager                        string
		start, end                                any
		bank, bankName                            string
	}{
		{"RS2001 ", "  张三  ", "居民身份证", pid("1990-05-20", 21, true), "13812345001", "zhangsan@renshi.example.cn", "技术部/后端组",
			hire(2020, 4, 1), "1990/5/20", "3个月", "", hire(2020, 4, 1), "2026/3/31", "6225 8800 0000 2001", "招商银行 "},
		{"ＲＳ２００２", "李四", "居民身份证", pid("1991-06-21", 22, false), "１３８１２３４５００２", "LiSi@Renshi.Example.CN", "技术部 > 后端组",
			hire(2021, 7, 12), "1991年6月21日", "三个月", "RS2001", "2021.7.12", "2024.7.11", "", ""},
		{"RS2003", "王五", "居民身份证", pid("1985-01-02", 23, true), "138 1234 5003", "", "销售部",
			hire(2018, 1, 2), "19850102", "", "张三", "", "", "", ""},
		{"RS2004", "赵六", "", pid("1995-08-08", 24, false), "+86 13812345004", "zhaoliu@renshi.example.cn", "总部",
			hire(2024, 2, 29), "1995.8.8", "0", "", hire(2024, 2, 29), hire(2027, 2, 28), "", ""},
		{"RS2005", "孙七", "居民身份证", pid("1999-12-31", 25, true), "13812345005", "", "TECH",
			hire(2025, 9, 1), hire(1999, 12, 31), "2", "RS2004", "", "", "", ""},
		{"RS2006", "周八", "居民身份证", pid("1980-03-03", 26, false), "13812345006", "", "技术部/后端组",
			hire(2010, 10, 10), "1980-03-03 00:00:00", "", "RS2001", "", "", "", ""},
	}
	for i, r := range rows {
		n := i + 5
		cell := func(col string) string { return col + strconv.Itoa(n) }
		vals := []any{r.no, r.name, r.idType, r.id, r.mobile, r.email, r.dept, r.hired, r.birth, r.probation, r.manager, r.start, r.end, r.bank, r.bankName}
		for j, v := range vals {
			col := string(rune('A' + j))
			if v == "" || v == nil {
				continue
			}
			set(cell(col), v)
			if _, ok := v.(time.Time); ok {
				if err := f.SetCellStyle(s, cell(col), cell(col), dateStyle); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// readFixture reads a file as the engine does: sniffed, header found by
// the columns' aliases (or a preset), cells cleaned by kind.
func readFixture(t *testing.T, name string, cols []imports.Column, preset map[string]string) []imports.Row {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	rd, err := sheet.Open(bytes.NewReader(data), int64(len(data)), sheet.Limits{})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer rd.Close()
	byName := map[string]imports.Column{}
	for _, c := range cols {
		for _, a := range append([]string{c.Key}, c.Aliases...) {
			if _, ok := byName[sheet.Normalise(a)]; !ok {
				byName[sheet.Normalise(a)] = c
			}
		}
	}
	if preset != nil {
		byName = map[string]imports.Column{}
		byKey := map[string]imports.Column{}
		for _, c := range cols {
			byKey[c.Key] = c
		}
		for h, k := range preset {
			byName[sheet.Normalise(h)] = byKey[k]
		}
	}
	header, err := rd.Header(func(n string) bool { _, ok := byName[n]; return ok })
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out []imports.Row
	for rd.Next() {
		r := imports.Row{Line: rd.Line(), Values: map[string]string{}}
		cells := rd.Row()
		for i, h := range header {
			c, ok := byName[sheet.Normalise(h)]
			if !ok || i >= len(cells) {
				continue
			}
			v := clean.Text(cells[i])
			code := ""
			switch c.Kind {
			case imports.KindDate:
				if v != "" {
					var d civil.Date
					if d, code = clean.Date(v); code == "" {
						v = d.String()
					}
				}
			case imports.KindEnum:
				v, code = clean.Enum(v, c.Choices)
			case imports.KindEmail:
				v, code = clean.Email(v)
			}
			if code != "" {
				t.Errorf("%s line %d, %s %q: %s", name, rd.Line(), h, cells[i], code)
			}
			r.Values[c.Key] = v
		}
		out = append(out, r)
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImportFixtures(t *testing.T) {
	files := fixtureFiles(t)
	if os.Getenv("RENSHI_WRITE_FIXTURES") != "" {
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(fixtureDir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	e := newImpEnv(t)
	ctx := e.hr
	cols := must(e.targets[employee.TargetEmployees].Columns(ctx))(t)
	// The GBK file and the messy workbook import as they are.
	for _, name := range []string{"roster_gbk.csv", "roster_messy.xlsx"} {
		rows := readFixture(t, name, cols, nil)
		if len(rows) < 5 {
			t.Fatalf("%s: %d rows", name, len(rows))
		}
		outs, _ := e.commit(ctx, employee.TargetEmployees, newRun("employeeNo"), rows)
		for i, o := range outs {
			if o.Action != imports.ActionNew {
				t.Errorf("%s line %d: %s %v (%v)", name, rows[i].Line, o.Action, codes(o), rows[i].Values)
			}
		}
	}
	if li := e.byNo(ctx, "RS1002"); li == nil || li.ManagerID != e.byNo(ctx, "RS1001").ID || li.Mobile != "13812340002" {
		t.Fatalf("RS1002: %+v", li)
	}
	if liu := e.byNo(ctx, "RS1004"); liu == nil || liu.ManagerID != e.byNo(ctx, "RS1005").ID {
		t.Fatalf("RS1004's manager further down: %+v", liu)
	}
	li := e.byNo(ctx, "RS2002")
	if li == nil || li.Mobile != "13812345002" || li.Email != "LiSi@renshi.example.cn" || li.ProbationMonths != 3 ||
		li.BirthDate != civil.MustParse("1991-06-21") || li.HireDate != civil.MustParse("2021-07-12") {
		t.Fatalf("RS2002 (full-width, mixed dates): %+v", li)
	}
	if z := e.byNo(ctx, "RS2001"); z == nil || z.Name != "张三" || z.DepartmentID != e.backend {
		t.Fatalf("RS2001: %+v", z)
	}
	cs := must(e.svc.Contracts(ctx, e.byNo(ctx, "RS2004").ID))(t)
	if len(cs.Items) != 1 || cs.Items[0].EndDate != civil.MustParse("2027-02-28") {
		t.Fatalf("RS2004's contract (serial dates): %+v", cs.Items)
	}
	// OrangeHRM's template carries no job: with the preset every cell is
	// read, and only the hire date and department are missing.
	rows := readFixture(t, "orangehrm_employees.csv", cols, employee.PresetOrangeHRM)
	outs := e.check(ctx, employee.TargetEmployees, newRun("employeeNo"), rows...)
	for i, o := range outs {
		got := codes(o)
		slices.Sort(got)
		if !slices.Equal(got, []string{"department:required", "hireDate:required"}) {
			t.Errorf("orangehrm line %d: %v", rows[i].Line, got)
		}
	}
	for i := range rows {
		rows[i].Values["department"], rows[i].Values["hireDate"] = "总部", "2024-01-02"
	}
	outs, _ = e.commit(ctx, employee.TargetEmployees, newRun("employeeNo"), rows)
	if got := actions(outs); slices.ContainsFunc(got, func(a string) bool { return a != "new" }) {
		t.Fatalf("orangehrm: %v %v", got, codes(outs[0]))
	}
	if w := e.byNo(ctx, "0001"); w.Name != "Wei Zhang" || w.Address != "88 Century Avenue, Floor 12, Shanghai, Shanghai 200120, China" {
		t.Fatalf("orangehrm 0001: %q %q", w.Name, w.Address)
	}
	// A Frappe export imports whole once its company, designations and
	// branches exist (departments are created).
	must(e.org.CreateLegalEntity(ctx, org.LegalEntityInput{Name: ptr("Renshi Tech (Shanghai) Co., Ltd."), CreditCode: ptr("91350100M000100Y43")}))(t)
	for _, p := range []string{"Chief Executive Officer", "Software Engineer", "Sales Executive", "Engineering Manager"} {
		must(e.org.CreatePosition(ctx, org.PositionInput{Code: ptr(strings.ToUpper(strings.ReplaceAll(p, " ", "-"))[:10]), Name: ptr(p)}))(t)
	}
	for _, l := range []string{"Shanghai", "Beijing"} {
		must(e.org.CreateLocation(ctx, org.LocationInput{Name: ptr(l)}))(t)
	}
	rows = readFixture(t, "frappe_employee_export.csv", cols, employee.PresetFrappe)
	run := newRun("employeeNo")
	run.CreateDepartments = true
	outs, _ = e.commit(ctx, employee.TargetEmployees, run, rows)
	for i, o := range outs {
		if o.Action != imports.ActionNew {
			t.Errorf("frappe line %d: %v", rows[i].Line, codes(o))
		}
	}
	sophie := e.byNo(ctx, "HR-EMP-00003")
	if sophie == nil || sophie.IDType != employee.IDPassport || sophie.Mobile != "+85261234567" || sophie.ManagerID != e.byNo(ctx, "HR-EMP-00005").ID {
		t.Fatalf("frappe HR-EMP-00003: %+v", sophie)
	}
}

// Every header of the sample files is mapped by its preset or ignored
// on purpose, and maps to a column the roster has.
func TestPresetsCoverSamples(t *testing.T) {
	e := newImpEnv(t)
	keys := map[string]bool{}
	for _, c := range must(e.targets[employee.TargetEmployees].Columns(e.hr))(t) {
		keys[c.Key] = true
	}
	for file, p := range map[string]struct {
		preset  map[string]string
		ignored []string
	}{
		"orangehrm_employees.csv":    {employee.PresetOrangeHRM, employee.IgnoredOrangeHRM},
		"frappe_employee_export.csv": {employee.PresetFrappe, employee.IgnoredFrappe},
	} {
		data, err := os.ReadFile(filepath.Join(fixtureDir, file))
		if err != nil {
			t.Fatal(err)
		}
		header, err := csv.NewReader(bytes.NewReader(data)).Read()
		if err != nil {
			t.Fatal(err)
		}
		used := map[string]string{}
		for _, h := range header {
			k, mapped := p.preset[h]
			switch {
			case mapped && slices.Contains(p.ignored, h):
				t.Errorf("%s: %q both mapped and ignored", file, h)
			case mapped:
				if !keys[k] {
					t.Errorf("%s: %q maps to %q, not a roster column", file, h, k)
				}
				if other, dup := used[k]; dup {
					t.Errorf("%s: %q and %q both map to %s", file, h, other, k)
				}
				used[k] = h
			case !slices.Contains(p.ignored, h):
				t.Errorf("%s: header %q neither mapped nor ignored", file, h)
			}
		}
	}
}
