package employeeapi_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/employee/employeetest"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
)

type org struct {
	hq, tech, sales, entity, location ids.ID
}

func setup(t *testing.T) (*server, org) {
	s := newServer(t)
	o := org{entity: s.Org.AddLegalEntity("仁时科技"), location: s.Org.AddLocation("上海")}
	o.hq = s.Org.AddDepartment("HQ", "总部", 0)
	o.tech = s.Org.AddDepartment("TECH", "技术部", o.hq)
	o.sales = s.Org.AddDepartment("SALES", "销售部", o.hq)
	for _, d := range []ids.ID{o.hq, o.tech, o.sales} {
		s.Org.SetDefaults(d, o.entity, o.location)
	}
	return s, o
}

func idNumber(birth string, order int, male bool) string {
	return employeetest.IDNumber("310104", civil.MustParse(birth), order, male)
}

func TestHireSearchScheduleTimeline(t *testing.T) {
	s, o := setup(t)
	admin := s.as(employeetest.Caller{Role: "hr_admin"})
	// The minimal hire of the contract.
	id := idNumber("1992-05-17", 7, true)
	r := admin.do("POST", "/employees", map[string]any{"name": "张三", "idNumber": id, "mobile": "13812345678",
		"departmentId": o.tech.String(), "hireDate": "2026-01-05"})
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	e := r.JSON()
	empID := e["id"].(string)
	profile := e["profile"].(map[string]any)
	if profile["idNumber"] != id[:4]+"**********"+id[14:] || profile["gender"] != "male" || profile["birthDate"] != "1992-05-17" {
		t.Fatalf("profile: %v", profile)
	}
	if e["job"].(map[string]any)["departmentName"] != "技术部" || e["employeeNo"] != "RS000001" {
		t.Fatalf("job: %v", e)
	}
	// Found by pinyin initials, full pinyin, surname.
	for _, q := range []string{"zs", "zhangsan", "张", "zhang", "RS000001", "13812"} {
		r := admin.do("GET", "/employees?q="+q, nil)
		items, _ := r.JSON()["items"].([]any)
		if r.Status != 200 || len(items) != 1 || items[0].(map[string]any)["name"] != "张三" {
			t.Fatalf("search %q: %d %s", q, r.Status, r.Body)
		}
	}
	// Schedule a transfer for next month; the timeline shows it.
	nextMonth := civil.Of(s.Clock).AddMonths(1)
	r = admin.do("POST", "/employees/"+empID+"/transfer", map[string]any{"effectiveDate": nextMonth.String(), "departmentId": o.sales.String(), "note": "轮岗"})
	if r.Status != 200 || r.JSON()["job"].(map[string]any)["nextChangeOn"] != nextMonth.String() {
		t.Fatalf("transfer: %d %s", r.Status, r.Body)
	}
	r = admin.do("GET", "/employees/"+empID+"/history", nil)
	items := r.JSON()["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("history: %s", r.Body)
	}
	first := items[0].(map[string]any)
	if first["when"] != "future" || first["departmentName"] != "销售部" || first["cancellable"] != true || first["reason"] != "transfer" {
		t.Fatalf("future row: %v", first)
	}
	// As of next month the department is sales.
	r = admin.do("GET", "/employees/"+empID+"?on="+nextMonth.String(), nil)
	if r.JSON()["job"].(map[string]any)["departmentName"] != "销售部" {
		t.Fatalf("as of: %s", r.Body)
	}
	// A change before the scheduled one conflicts; cancelling it works.
	r = admin.do("POST", "/employees/"+empID+"/transfer", map[string]any{"effectiveDate": nextMonth.AddDays(-1).String(), "gradeId": "0", "reason": "promote"})
	if r.Status != 409 || r.Code() != "employee.conflicting_change" || !strings.Contains(r.JSON()["detail"].(string), nextMonth.String()) {
		t.Fatalf("conflict: %d %s", r.Status, r.Body)
	}
	r = admin.do("DELETE", "/employees/"+empID+"/history/"+first["id"].(string), nil)
	if r.Status != 200 || r.JSON()["job"].(map[string]any)["nextChangeOn"] != nil {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	// Bad path ids are malformed, not found or validation errors, never 500.
	if r := admin.do("DELETE", "/employees/"+empID+"/history/xyz", nil); r.Status >= 500 || r.Status < 400 {
		t.Fatalf("bad entry id: %d", r.Status)
	}
}

func TestBadInputOverHTTP(t *testing.T) {
	s, o := setup(t)
	admin := s.as(employeetest.Caller{Role: "hr_admin"})
	admin.lang = "en"
	good := idNumber("1990-01-02", 3, false)
	r := admin.do("POST", "/employees", map[string]any{"name": "王芳", "idNumber": good, "mobile": "13800000001", "departmentId": o.tech.String(), "employeeNo": "A-1"})
	if r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	badCheck := good[:17] + "0"
	if good[17] == '0' {
		badCheck = good[:17] + "1"
	}
	s.Org.Deactivate(o.sales, civil.MustParse("2026-01-01"))
	cases := []struct {
		name   string
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"wrong check digit", map[string]any{"idNumber": badCheck}, 422, "invalid", "idNumber:employee.id_check_digit"},
		{"birth date disagrees", map[string]any{"idNumber": idNumber("1991-03-04", 1, true), "birthDate": "1991-03-05"}, 422, "invalid", "birthDate:employee.birth_date_mismatch"},
		{"gender disagrees", map[string]any{"idNumber": idNumber("1991-03-04", 1, true), "gender": "female"}, 422, "invalid", "gender:employee.gender_mismatch"},
		{"duplicate ID number", map[string]any{"idNumber": good}, 409, "employee.duplicate_id_number", "idNumber:employee.duplicate_id_number"},
		{"duplicate employee number", map[string]any{"employeeNo": "A-1"}, 409, "employee.duplicate_employee_no", "employeeNo:employee.duplicate_employee_no"},
		{"inactive department", map[string]any{"departmentId": o.sales.String()}, 422, "invalid", "departmentId:employee.department_inactive"},
		{"missing department", map[string]any{"departmentId": nil}, 422, "invalid", "departmentId:required"},
		{"bad date", map[string]any{"hireDate": "2026-02-30"}, 422, "invalid", "hireDate:invalid_date"},
		{"unknown enum", map[string]any{"employmentType": "slave"}, 422, "invalid", "employmentType:invalid_choice"},
	}
	for _, c := range cases {
		body := map[string]any{"name": "李四", "idNumber": idNumber("1991-03-04", 1, true), "mobile": "13800000002", "departmentId": o.tech.String()}
		for k, v := range c.body {
			if v == nil {
				delete(body, k)
			} else {
				body[k] = v
			}
		}
		r := admin.do("POST", "/employees", body)
		if r.Status != c.status || r.Code() != c.code || !slices.Contains(r.FieldCodes(), c.field) {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
		}
		if c.status == 409 && !strings.Contains(r.JSON()["detail"].(string), "王芳") {
			t.Errorf("%s: the conflict must name the other employee: %s", c.name, r.Body)
		}
	}
	// Messages are translated, never raw keys.
	admin.lang = "zh-CN"
	r = admin.do("POST", "/employees", map[string]any{"name": "李四", "idNumber": badCheck, "mobile": "13800000002", "departmentId": o.tech.String()})
	if !strings.Contains(string(r.Body), "校验位") {
		t.Fatalf("zh message: %s", r.Body)
	}
	// Leave date before the hire date; manager loop.
	list := admin.do("GET", "/employees", nil).JSON()["items"].([]any)
	wang := list[0].(map[string]any)["id"].(string)
	r = admin.do("POST", "/employees/"+wang+"/terminate", map[string]any{"leaveDate": "2000-01-01"})
	if r.Status != 422 || !slices.Contains(r.FieldCodes(), "leaveDate:employee.leave_before_hire") {
		t.Fatalf("leave before hire: %d %s", r.Status, r.Body)
	}
	r = admin.do("POST", "/employees/"+wang+"/transfer", map[string]any{"managerId": wang, "reason": "change_manager"})
	if r.Status != 422 || !slices.Contains(r.FieldCodes(), "managerId:employee.manager_self") {
		t.Fatalf("self manager: %d %s", r.Status, r.Body)
	}
}

func TestScopesOverHTTP(t *testing.T) {
	s, o := setup(t)
	admin := s.as(employeetest.Caller{Role: "hr_admin"})
	hire := func(name, dept string, order int) string {
		r := admin.do("POST", "/employees", map[string]any{"name": name, "idNumber": idNumber("1988-08-08", order, true), "mobile": "1380000000" + string(rune('0'+order)),
			"departmentId": dept, "bankName": "中国银行", "bankAccount": "6216610200016587010"})
		if r.Status != 201 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		return r.JSON()["id"].(string)
	}
	boss := hire("钱经理", o.tech.String(), 1)
	dev := hire("孙开发", o.tech.String(), 2)
	rep := hire("李销售", o.sales.String(), 3)
	bossID, _ := ids.Parse(boss)
	devID, _ := ids.Parse(dev)
	mgr := s.as(employeetest.Caller{Role: "dept_manager", EmployeeID: bossID, DepartmentID: o.tech})
	self := s.as(employeetest.Caller{Role: "employee", EmployeeID: devID, DepartmentID: o.tech})
	spec := s.as(employeetest.Caller{Role: "hr_specialist", DepartmentID: o.hq})
	fin := s.as(employeetest.Caller{Role: "finance"})
	for _, c := range []struct {
		who    *client
		path   string
		status int
	}{
		{mgr, "/employees/" + dev, 200},
		{mgr, "/employees/" + rep, 404},
		{mgr, "/employees/" + rep + "/history", 404},
		{mgr, "/employees/" + dev + "/sensitive", 403},
		{self, "/employees/" + dev, 200},
		{self, "/employees/" + boss, 404},
		{self, "/employees/" + boss + "/contracts", 404},
		{self, "/employees/" + dev + "/contracts", 200},
		{self, "/employees", 403},
		{self, "/me/employee", 200},
		{spec, "/employees/" + rep, 200},
		{spec, "/employees/" + rep + "/sensitive", 403},
		{fin, "/employees/" + rep + "/sensitive", 200},
		{admin, "/employees/" + ids.New().String(), 404},
	} {
		if r := c.who.do("GET", c.path, nil); r.Status != c.status {
			t.Errorf("GET %s: %d, want %d: %s", c.path, r.Status, c.status, r.Body)
		}
	}
	r := mgr.do("GET", "/employees", nil)
	if r.JSON()["total"].(float64) != 2 {
		t.Fatalf("manager list: %s", r.Body)
	}
	r = mgr.do("GET", "/employees/"+dev, nil)
	if p := r.JSON()["profile"].(map[string]any); p["bankAccount"] != "6216 **** **** 7010" || !strings.Contains(p["idNumber"].(string), "****") {
		t.Fatalf("manager sees sensitive fields: %v", p)
	}
	r = fin.do("GET", "/employees/"+rep+"/sensitive", nil)
	if r.JSON()["bankAccount"] != "6216610200016587010" {
		t.Fatalf("finance: %s", r.Body)
	}
}

func TestDocumentsExportSelfServiceAndChart(t *testing.T) {
	s, o := setup(t)
	admin := s.as(employeetest.Caller{Role: "hr_admin"})
	r := admin.do("POST", "/employee-fields", map[string]any{"code": "shirt", "label": "工服尺码", "type": "select", "options": []string{"S", "M", "L"}, "showInList": true, "selfEditable": true})
	if r.Status != 201 {
		t.Fatalf("field: %d %s", r.Status, r.Body)
	}
	id := idNumber("1995-10-01", 9, false)
	r = admin.do("POST", "/employees", map[string]any{"name": "=HYPERLINK(\"x\")", "idNumber": id, "mobile": "13900000009", "departmentId": o.tech.String(),
		"custom": map[string]any{"shirt": "M"}, "bankName": "招商银行", "bankAccount": "6225880112345678"})
	if r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	emp := r.JSON()["id"].(string)
	empID, _ := ids.Parse(emp)
	s.Org.SetHead(o.tech, empID)
	// Filter by custom field; the showInList value is in the row.
	r = admin.do("GET", "/employees?cf.shirt=M", nil)
	items := r.JSON()["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["custom"].(map[string]any)["shirt"] != "M" {
		t.Fatalf("cf filter: %s", r.Body)
	}
	if r := admin.do("GET", "/employees?cf.shirt=L", nil); r.JSON()["total"].(float64) != 0 {
		t.Fatalf("cf filter L: %s", r.Body)
	}
	// Documents: multipart upload, sniffed type, download.
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("y"), 300)...)
	r = admin.upload("POST", "/employees/"+emp+"/documents", "毕业证.pdf", pdf, map[string]string{"kind": "diploma"})
	if r.Status != 201 || r.JSON()["contentType"] != "application/pdf" {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	doc := r.JSON()["id"].(string)
	if r := admin.upload("POST", "/employees/"+emp+"/documents", "a.pdf", []byte("MZ not a pdf at all"), map[string]string{"kind": "other"}); r.Status != 422 {
		t.Fatalf("sniff: %d %s", r.Status, r.Body)
	}
	r = admin.do("GET", "/employees/"+emp+"/documents/"+doc+"/download", nil)
	if r.Status != 200 || !bytes.Equal(r.Body, pdf) || !strings.Contains(r.Header.Get("Content-Disposition"), "filename*=UTF-8''") {
		t.Fatalf("download: %d %v", r.Status, r.Header)
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 100)...)
	if r := admin.upload("PUT", "/employees/"+emp+"/photo", "me.png", png, nil); r.Status != 200 {
		t.Fatalf("photo: %d %s", r.Status, r.Body)
	}
	if r := admin.do("GET", "/employees/"+emp+"/photo", nil); r.Status != 200 || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("get photo: %d %v", r.Status, r.Header)
	}
	// Export: formula-escaped, masked unless unmasked (which needs the
	// sensitive permission), custom columns by label.
	r = admin.do("GET", "/employees/export?format=csv&columns=name,idNumber,bankAccount,status,cf.shirt", nil)
	body := string(r.Body)
	if r.Status != 200 || !strings.Contains(body, "工服尺码") || !strings.Contains(body, "'=HYPERLINK") || strings.Contains(body, id) || !strings.Contains(body, "6225 **** **** 5678") || !strings.Contains(body, "正式") {
		t.Fatalf("export: %d %s", r.Status, body)
	}
	r = admin.do("GET", "/employees/export?format=csv&columns=name,idNumber&unmasked=true", nil)
	if !strings.Contains(string(r.Body), id) {
		t.Fatalf("unmasked export: %s", r.Body)
	}
	spec := s.as(employeetest.Caller{Role: "hr_specialist", DepartmentID: o.hq})
	if r := spec.do("GET", "/employees/export?format=csv&unmasked=true", nil); r.Status != 403 {
		t.Fatalf("specialist unmasked export: %d", r.Status)
	}
	if r := admin.do("GET", "/employees/export?columns=nope", nil); r.Status != 422 {
		t.Fatalf("bad column: %d %s", r.Status, r.Body)
	}
	// Self-service: allowed fields, a custom self-editable field, a bank
	// request HR approves.
	me := s.as(employeetest.Caller{Role: "employee", EmployeeID: empID, DepartmentID: o.tech})
	r = me.do("GET", "/me/employee", nil)
	version := r.JSON()["version"]
	r = me.do("PATCH", "/me/employee", map[string]any{"address": "北京市朝阳区", "custom": map[string]any{"shirt": "L"}, "version": version})
	if r.Status != 200 || r.JSON()["profile"].(map[string]any)["address"] != "北京市朝阳区" || r.JSON()["custom"].(map[string]any)["shirt"] != "L" {
		t.Fatalf("update me: %d %s", r.Status, r.Body)
	}
	r = me.do("POST", "/me/bank-requests", map[string]any{"bankName": "建设银行", "bankAccount": "6217 0012 3456 7890"})
	if r.Status != 201 {
		t.Fatalf("bank request: %d %s", r.Status, r.Body)
	}
	req := r.JSON()["id"].(string)
	if r := me.do("POST", "/bank-requests/"+req+"/approve", map[string]any{}); r.Status != 403 {
		t.Fatalf("self approve: %d", r.Status)
	}
	r = admin.do("GET", "/bank-requests?status=pending", nil)
	if r.JSON()["total"].(float64) != 1 {
		t.Fatalf("pending: %s", r.Body)
	}
	if r := admin.do("POST", "/bank-requests/"+req+"/approve", map[string]any{"comment": "ok"}); r.Status != 200 || r.JSON()["status"] != "approved" {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	if r := admin.do("GET", "/employees/"+emp+"/sensitive", nil); r.JSON()["bankAccount"] != "6217001234567890" {
		t.Fatalf("applied: %s", r.Body)
	}
	// Org chart.
	r = admin.do("GET", "/org-chart", nil)
	var chart struct {
		Items []struct {
			Name           string `json:"name"`
			HeadcountTotal int    `json:"headcountTotal"`
			Children       []struct {
				Name      string `json:"name"`
				HeadName  string `json:"headName"`
				Headcount int    `json:"headcount"`
			} `json:"children"`
		} `json:"items"`
	}
	if err := json.Unmarshal(r.Body, &chart); err != nil || len(chart.Items) != 1 || chart.Items[0].HeadcountTotal != 1 {
		t.Fatalf("chart: %s", r.Body)
	}
	// Saved views.
	r = admin.do("POST", "/employee-views", map[string]any{"name": "技术部在职", "filters": map[string]any{"departmentId": o.tech.String(), "status": "regular"}, "columns": []string{"employeeNo", "name", "cf.shirt"}})
	if r.Status != 201 {
		t.Fatalf("view: %d %s", r.Status, r.Body)
	}
	if r := admin.do("GET", "/employee-views", nil); len(r.JSON()["items"].([]any)) != 1 {
		t.Fatalf("views: %s", r.Body)
	}
	// The API document builds (unique schema names).
	if b, err := json.Marshal(s.api.OpenAPI()); err != nil || !bytes.Contains(b, []byte("EmployeeDetail")) {
		t.Fatalf("openapi: %v", err)
	}
}
