package employeeapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/employee/employeetest"
	"github.com/renshi/renshi/internal/platform/audit"
)

// readCSV parses an exported CSV (BOM first).
func readCSV(t *testing.T, r response) [][]string {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("export: %d %s", r.Status, r.Body)
	}
	if !bytes.HasPrefix(r.Body, []byte("\ufeff")) {
		t.Fatalf("no BOM: %q", r.Body)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// readXLSX reads the first sheet of an exported workbook.
func readXLSX(t *testing.T, r response) [][]string {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("export: %d %s", r.Status, r.Body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// column returns the values of the named header's column.
func column(t *testing.T, rows [][]string, header string) []string {
	t.Helper()
	i := slices.Index(rows[0], header)
	if i < 0 {
		t.Fatalf("no column %q in %q", header, rows[0])
	}
	var out []string
	for _, r := range rows[1:] {
		if i < len(r) {
			out = append(out, r[i])
		} else {
			out = append(out, "")
		}
	}
	return out
}

func sensitiveExports(t *testing.T, s *server) []audit.Entry {
	t.Helper()
	list, _, err := s.Audit.List(s.System(), audit.Filter{Action: employee.ActionExportSensitive, PageSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestEmployeeExportFollowsFiltersColumnsAndMasking(t *testing.T) {
	s, o := setup(t)
	admin := s.as(employeetest.Caller{Role: "hr_admin"})
	hire := func(name, dept, hired string, order int) string {
		r := admin.do("POST", "/employees", map[string]any{"name": name, "idNumber": idNumber("1990-01-02", order, order%2 == 1),
			"mobile": fmt.Sprintf("1380000%04d", order), "departmentId": dept, "hireDate": hired,
			"bankName": "招商银行", "bankAccount": fmt.Sprintf("62258801%08d", order)})
		if r.Status != 201 {
			t.Fatalf("hire %s: %d %s", name, r.Status, r.Body)
		}
		return r.JSON()["id"].(string)
	}
	hire("张三", o.tech.String(), "2025-01-06", 1)
	hire("李四", o.tech.String(), "2026-03-02", 2)
	hire("王五", o.sales.String(), "2025-06-01", 3)
	hire("=HYPERLINK(\"http://x\",\"y\")", o.sales.String(), "2026-02-01", 4)

	// The list's filters: department (with sub-departments), hire dates,
	// search, status; the export matches the list row for row.
	for _, c := range []struct {
		query string
		names []string
	}{
		{"", []string{"张三", "李四", "王五", "=HYPERLINK(\"http://x\",\"y\")"}},
		{"departmentId=" + o.tech.String(), []string{"张三", "李四"}},
		{"departmentId=" + o.hq.String(), []string{"张三", "李四", "王五", "=HYPERLINK(\"http://x\",\"y\")"}},
		{"departmentId=" + o.hq.String() + "&includeSubDepartments=false", nil},
		{"hiredFrom=2026-01-01", []string{"李四", "=HYPERLINK(\"http://x\",\"y\")"}},
		{"q=zhang", []string{"张三"}},
		{"q=ww&departmentId=" + o.sales.String(), []string{"王五"}},
		{"status=left", nil},
	} {
		list := admin.do("GET", "/employees?pageSize=200&"+c.query, nil)
		var listed []string
		for _, it := range list.JSON()["items"].([]any) {
			listed = append(listed, it.(map[string]any)["name"].(string))
		}
		rows := readCSV(t, admin.do("GET", "/employees/export?format=csv&columns=name,departmentName&"+c.query, nil))
		var exported []string
		for _, n := range column(t, rows, "姓名") {
			exported = append(exported, strings.TrimPrefix(n, "'"))
		}
		slices.Sort(listed)
		slices.Sort(exported)
		want := slices.Clone(c.names)
		slices.Sort(want)
		if !slices.Equal(listed, want) || !slices.Equal(exported, want) {
			t.Errorf("%q: listed %q, exported %q, want %q", c.query, listed, exported, want)
		}
	}

	// The chosen columns, in the chosen order, with their labels; the
	// same in English.
	rows := readXLSX(t, admin.do("GET", "/employees/export?columns=hireDate,name,idNumber,bankAccount&sort=hireDate&departmentId="+o.tech.String(), nil))
	if !slices.Equal(rows[0], []string{"入职日期", "姓名", "身份证号", "银行账号"}) || len(rows) != 3 {
		t.Fatalf("columns: %q", rows)
	}
	if rows[1][0] != "2025-01-06" || rows[1][1] != "张三" || rows[2][1] != "李四" {
		t.Fatalf("order by hire date: %q", rows)
	}
	// Masked: no full ID number or bank account anywhere in the file.
	id1 := idNumber("1990-01-02", 1, true)
	if rows[1][2] != id1[:4]+"**********"+id1[14:] || strings.Contains(rows[1][3], "00000001") || !strings.Contains(rows[1][3], "*") {
		t.Fatalf("masked: %q", rows[1])
	}
	if len(sensitiveExports(t, s)) != 0 {
		t.Fatal("a masked export was audited as sensitive")
	}
	en := s.as(employeetest.Caller{Role: "hr_admin"})
	en.lang = "en"
	if rows := readCSV(t, en.do("GET", "/employees/export?format=csv&columns=employeeNo,name,status", nil)); !slices.Equal(rows[0], []string{"Employee number", "Name", "Status"}) {
		t.Fatalf("English header: %q", rows[0])
	}

	// Unmasked: the full values, and an export_sensitive audit entry
	// naming the columns and the filter.
	rows = readCSV(t, admin.do("GET", "/employees/export?format=csv&unmasked=true&columns=name,idNumber,bankAccount&q=zhang", nil))
	if len(rows) != 2 || rows[1][1] != id1 || rows[1][2] != "6225880100000001" {
		t.Fatalf("unmasked: %q", rows)
	}
	entries := sensitiveExports(t, s)
	if len(entries) != 1 || !strings.Contains(string(entries[0].Diff), "idNumber") || !strings.Contains(string(entries[0].Diff), "zhang") {
		t.Fatalf("audit: %+v", entries)
	}
	// Unmasked without a sensitive column reveals nothing: not audited.
	readCSV(t, admin.do("GET", "/employees/export?format=csv&unmasked=true&columns=name", nil))
	if n := len(sensitiveExports(t, s)); n != 1 {
		t.Fatalf("%d sensitive exports audited", n)
	}
	// Without the sensitive permission unmasked is refused before any
	// byte is sent, and nothing is audited.
	spec := s.as(employeetest.Caller{Role: "hr_specialist", DepartmentID: o.hq})
	if r := spec.do("GET", "/employees/export?format=csv&unmasked=true&columns=name,idNumber", nil); r.Status != 403 {
		t.Fatalf("specialist unmasked: %d %s", r.Status, r.Body)
	}
	if n := len(sensitiveExports(t, s)); n != 1 {
		t.Fatalf("%d sensitive exports audited", n)
	}
	// The data scope applies to exports as to the list.
	techOnly := s.as(employeetest.Caller{Role: "hr_specialist", DepartmentID: o.tech})
	rows = readCSV(t, techOnly.do("GET", "/employees/export?format=csv&columns=name", nil))
	if got := column(t, rows, "姓名"); len(got) != 2 || !slices.Contains(got, "张三") || !slices.Contains(got, "李四") {
		t.Fatalf("scoped export: %q", got)
	}
	// Bad filters and columns get their status, not a broken file.
	for _, q := range []string{"columns=nope", "columns=cf.nope", "status=sleeping", "sort=salary", "departmentId=x"} {
		if r := admin.do("GET", "/employees/export?"+q, nil); r.Status != 422 {
			t.Errorf("%s: %d %s", q, r.Status, r.Body)
		}
	}
	if r := s.as(employeetest.Caller{Role: "employee"}).do("GET", "/employees/export", nil); r.Status != 403 {
		t.Fatalf("employee export: %d", r.Status)
	}
}

func TestExportFileNamesKeepChinese(t *testing.T) {
	s, _ := setup(t)
	admin := s.as(employeetest.Caller{Role: "hr_admin"})
	for path, name := range map[string]string{"/employees/export?format=xlsx": "员工花名册", "/employee-changes/export?format=csv": "异动记录"} {
		r := admin.do("GET", path, nil)
		cd := r.Header.Get("Content-Disposition")
		ext := ".xlsx"
		if strings.Contains(path, "csv") {
			ext = ".csv"
		}
		// filename*=UTF-8''<percent-encoded name>-YYYYMMDD.ext, and an
		// ASCII fallback of the same length.
		_, star, ok := strings.Cut(cd, "filename*=UTF-8''")
		if r.Status != 200 || !strings.HasPrefix(cd, "attachment; filename=\"") || !ok {
			t.Fatalf("%s: %d %q", path, r.Status, cd)
		}
		decoded, err := url.PathUnescape(star)
		if err != nil || !strings.HasPrefix(decoded, name+"-") || !strings.HasSuffix(decoded, ext) || !strings.HasPrefix(star, url.PathEscape(name)) {
			t.Fatalf("%s: filename* %q (%q, %v)", path, star, decoded, err)
		}
		fallback := strings.TrimSuffix(strings.TrimPrefix(strings.Split(cd, ";")[1], ` filename="`), `"`)
		for _, c := range []byte(fallback) {
			if c < 0x20 || c > 0x7e {
				t.Fatalf("fallback not ASCII: %q", fallback)
			}
		}
		if !strings.HasSuffix(fallback, ext) {
			t.Fatalf("fallback %q", fallback)
		}
	}
}

func TestJobChanges(t *testing.T) {
	s, o := setup(t)
	admin := s.as(employeetest.Caller{Role: "hr_admin"})
	hire := func(name, dept, hired string, order int) string {
		r := admin.do("POST", "/employees", map[string]any{"name": name, "idNumber": idNumber("1991-01-02", order, order%2 == 1),
			"mobile": fmt.Sprintf("1390000%04d", order), "departmentId": dept, "hireDate": hired})
		if r.Status != 201 {
			t.Fatalf("hire %s: %d %s", name, r.Status, r.Body)
		}
		return r.JSON()["id"].(string)
	}
	zhang := hire("张三", o.tech.String(), "2025-01-06", 1)
	li := hire("李四", o.tech.String(), "2026-03-02", 2)
	wang := hire("王五", o.sales.String(), "2025-06-01", 3)
	// 张三 moves to sales (today); 王五 resigns (resigning from today,
	// left after his last day: two rows); 李四 is promoted next month.
	if r := admin.do("POST", "/employees/"+zhang+"/transfer", map[string]any{"departmentId": o.sales.String(), "note": "=轮岗"}); r.Status != 200 {
		t.Fatalf("transfer: %d %s", r.Status, r.Body)
	}
	if r := admin.do("POST", "/employees/"+wang+"/resign", map[string]any{"leaveDate": "2026-06-30", "reason": "个人原因"}); r.Status != 200 {
		t.Fatalf("resign: %d %s", r.Status, r.Body)
	}
	next := s.Today().AddMonths(1)
	p7 := s.Org.AddGrade("P7", "P7 高级工程师", 7)
	if r := admin.do("POST", "/employees/"+li+"/transfer", map[string]any{"effectiveDate": next.String(), "reason": "promote", "gradeId": p7.String()}); r.Status != 200 {
		t.Fatalf("promote: %d %s", r.Status, r.Body)
	}

	type change struct {
		ID           string `json:"id"`
		EmployeeName string `json:"employeeName"`
		ValidFrom    string `json:"validFrom"`
		Reason       string `json:"reason"`
		Note         string `json:"note"`
		When         string `json:"when"`
		From         *struct {
			DepartmentName string `json:"departmentName"`
		} `json:"from"`
		To struct {
			DepartmentName string `json:"departmentName"`
			Status         string `json:"status"`
		} `json:"to"`
	}
	list := func(c *client, query string) ([]change, float64) {
		t.Helper()
		r := c.do("GET", "/employee-changes?"+query, nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", query, r.Status, r.Body)
		}
		var p struct {
			Items []change `json:"items"`
			Total float64  `json:"total"`
		}
		if err := json.Unmarshal(r.Body, &p); err != nil {
			t.Fatal(err)
		}
		return p.Items, p.Total
	}
	summary := func(items []change) []string {
		var out []string
		for _, c := range items {
			out = append(out, c.EmployeeName+" "+c.Reason)
		}
		return out
	}
	all, total := list(admin, "")
	want := []string{"李四 promote", "王五 resign", "王五 resign", "张三 transfer", "李四 hire", "王五 hire", "张三 hire"}
	if total != 7 || !slices.Equal(summary(all), want) {
		t.Fatalf("all: %v %q", total, summary(all))
	}
	if all[0].When != "future" || all[1].To.Status != "left" || all[1].ValidFrom != "2026-07-01" || all[2].To.Status != "resigning" ||
		all[2].When != "current" || all[3].From == nil || all[3].From.DepartmentName != "技术部" || all[3].To.DepartmentName != "销售部" ||
		all[3].Note != "=轮岗" || all[6].From != nil || all[6].When != "past" {
		t.Fatalf("rows: %+v", all)
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"reason=hire", []string{"李四 hire", "王五 hire", "张三 hire"}},
		{"reason=transfer,resign", []string{"王五 resign", "王五 resign", "张三 transfer"}},
		{"from=2025-06-01&to=2026-03-02", []string{"李四 hire", "王五 hire"}},
		{"from=" + next.String(), []string{"李四 promote"}},
		// Into or out of tech: the transfer counts for both departments.
		{"departmentId=" + o.tech.String(), []string{"李四 promote", "张三 transfer", "李四 hire", "张三 hire"}},
		{"departmentId=" + o.sales.String() + "&reason=transfer", []string{"张三 transfer"}},
		{"departmentId=" + o.hq.String() + "&includeSubDepartments=false", nil},
		{"q=zs", []string{"张三 transfer", "张三 hire"}},
		{"q=" + idNumber("1991-01-02", 3, true), []string{"王五 resign", "王五 resign", "王五 hire"}},
		{"pageSize=2&page=2", []string{"王五 resign", "张三 transfer"}},
	} {
		items, _ := list(admin, c.query)
		if got := summary(items); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.query, got, c.want)
		}
	}
	// Scope: a specialist of sales sees the changes of the people in
	// sales today (张三 after his transfer, 王五), whole histories.
	salesHR := s.as(employeetest.Caller{Role: "hr_specialist", DepartmentID: o.sales})
	if items, _ := list(salesHR, ""); !slices.Equal(summary(items), []string{"王五 resign", "王五 resign", "张三 transfer", "王五 hire", "张三 hire"}) {
		t.Fatalf("sales scope: %q", summary(items))
	}
	// An employee without the roster permission gets nothing.
	if r := s.as(employeetest.Caller{Role: "employee"}).do("GET", "/employee-changes", nil); r.Status != 403 {
		t.Fatalf("employee: %d", r.Status)
	}
	for _, q := range []string{"reason=nap", "from=2026-02-01&to=2026-01-01", "departmentId=zz", "from=yesterday", "pageSize=500"} {
		if r := admin.do("GET", "/employee-changes?"+q, nil); r.Status != 422 {
			t.Errorf("%s: %d %s", q, r.Status, r.Body)
		}
	}

	// Export: the same filter, every column, labels, escaped note.
	rows := readCSV(t, admin.do("GET", "/employee-changes/export?format=csv&departmentId="+o.tech.String(), nil))
	if len(rows) != 5 || rows[0][0] != "工号" || rows[0][3] != "异动类型" {
		t.Fatalf("export: %q", rows)
	}
	if got := column(t, rows, "异动类型"); !slices.Equal(got, []string{"晋升", "调动", "入职", "入职"}) {
		t.Fatalf("reasons: %q", got)
	}
	transfer := rows[2]
	if column(t, rows, "原部门")[1] != "技术部" || column(t, rows, "部门")[1] != "销售部" || column(t, rows, "备注")[1] != "'=轮岗" || transfer[1] != "张三" {
		t.Fatalf("transfer row: %q", transfer)
	}
	rows = readXLSX(t, admin.do("GET", "/employee-changes/export?columns=employeeName,validFrom,reason,status&reason=resign", nil))
	if len(rows) != 3 || !slices.Equal(rows[1], []string{"王五", "2026-07-01", "辞职", "已离职"}) || !slices.Equal(rows[2], []string{"王五", "2026-06-15", "辞职", "离职中"}) {
		t.Fatalf("xlsx export: %q", rows)
	}
	rows = readCSV(t, salesHR.do("GET", "/employee-changes/export?format=csv&columns=employeeName", nil))
	if len(rows) != 6 || slices.Contains(column(t, rows, "姓名"), "李四") {
		t.Fatalf("scoped export: %q", rows)
	}
	if r := admin.do("GET", "/employee-changes/export?columns=salary", nil); r.Status != 422 {
		t.Fatalf("bad column: %d", r.Status)
	}
}
