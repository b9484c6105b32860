package orgapi_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/org"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/web"
)

type step struct {
	name   string
	method string
	path   string
	body   any
	status int
	want   string // a field "field:code" or the problem code expected
}

func run(t *testing.T, c *client, steps []step) {
	t.Helper()
	for _, s := range steps {
		r := c.Do(s.method, s.path, s.body)
		if r.Status != s.status {
			t.Fatalf("%s: %s %s: %d %s", s.name, s.method, s.path, r.Status, r.Body)
		}
		if s.want != "" && r.Code() != s.want && !slices.Contains(r.FieldCodes(), s.want) {
			t.Fatalf("%s: want %s, got %s", s.name, s.want, r.Body)
		}
	}
}

func TestCatalogues(t *testing.T) {
	h := newHarness(t)
	hr := h.as(rbac.HRAdmin)
	run(t, hr, []step{
		{"credit code check character", "POST", "/api/v1/legal-entities", map[string]any{"name": "人事科技", "creditCode": "91110000802100433C"}, 422, "creditCode:org.credit_code_invalid"},
		{"credit code required", "POST", "/api/v1/legal-entities", map[string]any{"name": "人事科技"}, 422, "creditCode:required"},
		{"legal entity", "POST", "/api/v1/legal-entities", map[string]any{"name": "人事科技有限公司", "creditCode": "91350100m000100y43", "taxCity": "福州"}, 201, ""},
		{"credit code taken", "POST", "/api/v1/legal-entities", map[string]any{"name": "另一家", "creditCode": "91350100M000100Y43"}, 422, "creditCode:duplicate"},
		{"second legal entity", "POST", "/api/v1/legal-entities", map[string]any{"name": "北京公司", "creditCode": "91110000802100433B"}, 201, ""},
		{"cost center", "POST", "/api/v1/cost-centers", map[string]any{"code": "CC-100", "name": "研发中心"}, 201, ""},
		{"cost center code format", "POST", "/api/v1/cost-centers", map[string]any{"code": "研发", "name": "研发"}, 422, "code:org.code_format"},
		{"cost center code taken", "POST", "/api/v1/cost-centers", map[string]any{"code": "CC-100", "name": "x"}, 422, "code:duplicate"},
		{"location", "POST", "/api/v1/locations", map[string]any{"name": "上海总部", "city": "上海", "latitude": 31.2304, "longitude": 121.4737}, 201, ""},
		{"latitude range", "POST", "/api/v1/locations", map[string]any{"name": "x", "latitude": 91, "longitude": 0}, 422, "latitude:out_of_range"},
		{"longitude missing", "POST", "/api/v1/locations", map[string]any{"name": "x", "latitude": 30}, 422, "longitude:required"},
		{"punch radius", "POST", "/api/v1/locations", map[string]any{"name": "x", "punchRadiusMeters": 10}, 422, "punchRadiusMeters:out_of_range"},
		{"grade P5", "POST", "/api/v1/grades", map[string]any{"code": "P5", "name": "高级工程师", "rank": 50, "track": "P"}, 201, ""},
		{"grade P3", "POST", "/api/v1/grades", map[string]any{"code": "P3", "name": "工程师", "rank": 30, "track": "P"}, 201, ""},
		{"grade code taken", "POST", "/api/v1/grades", map[string]any{"code": "P5", "name": "x"}, 422, "code:duplicate"},
		{"malformed body", "POST", "/api/v1/grades", "{", 400, "malformed"},
		{"unknown field", "POST", "/api/v1/grades", map[string]any{"code": "P6", "name": "x", "colour": "red"}, 422, "colour:unknown_field"},
	})
	// Lists: filters, paging, defaults.
	les := hr.ok(200, "GET", "/api/v1/legal-entities?q=北京", nil)
	if les["total"] != 1.0 || les["items"].([]any)[0].(map[string]any)["creditCode"] != "91110000802100433B" {
		t.Fatalf("%v", les)
	}
	locs := hr.Do("GET", "/api/v1/locations", nil).Items()
	if len(locs) != 1 || locs[0]["latitude"] != 31.2304 || locs[0]["punchRadiusMeters"] != 300.0 {
		t.Fatalf("%v", locs)
	}
	grades := hr.Do("GET", "/api/v1/grades", nil).Items()
	if len(grades) != 2 || grades[0]["code"] != "P3" {
		t.Fatalf("grades by rank: %v", grades)
	}
	p3, p5 := grades[0]["id"].(string), grades[1]["id"].(string)

	// Positions: grade range, update, stale version, headcount plan.
	run(t, hr, []step{
		{"grade range inverted", "POST", "/api/v1/positions", map[string]any{"code": "ENG", "name": "工程师", "minGradeId": p5, "maxGradeId": p3}, 422, "maxGradeId:org.grade_range"},
		{"unknown grade", "POST", "/api/v1/positions", map[string]any{"code": "ENG", "name": "工程师", "minGradeId": "12345"}, 422, "minGradeId:invalid_choice"},
	})
	pos := hr.ok(201, "POST", "/api/v1/positions", map[string]any{"code": "ENG", "name": "工程师", "jobFamily": "技术", "minGradeId": p3, "maxGradeId": p5})
	if pos["minGradeName"] != "工程师" || pos["maxGradeName"] != "高级工程师" {
		t.Fatalf("%v", pos)
	}
	pid := pos["id"].(string)
	run(t, hr, []step{
		{"rank would invert a range", "PATCH", "/api/v1/grades/" + p3, map[string]any{"rank": 60, "version": 1}, 422, "rank:org.rank_breaks_range"},
		{"stale", "PATCH", "/api/v1/positions/" + pid, map[string]any{"name": "x", "version": 9}, 409, "stale"},
		{"clear the upper bound", "PATCH", "/api/v1/positions/" + pid, map[string]any{"maxGradeId": nil, "version": 1}, 200, ""},
		{"version required", "PATCH", "/api/v1/positions/" + pid, map[string]any{"name": "x"}, 422, "version:required"},
		{"missing position", "PATCH", "/api/v1/positions/42", map[string]any{"name": "x", "version": 1}, 404, "not_found"},
	})
	if p := hr.ok(200, "GET", "/api/v1/positions/"+pid, nil); p["maxGradeId"] != nil || p["version"] != 2.0 {
		t.Fatalf("%v", p)
	}
	dept := hr.ok(201, "POST", "/api/v1/departments", map[string]any{"code": "TECH", "name": "技术部"})
	run(t, hr, []step{
		{"plan: unknown department", "PUT", "/api/v1/positions/" + pid + "/headcount-plan", map[string]any{"rows": []any{map[string]any{"departmentId": "777", "planned": 3}}}, 422, "rows[0].departmentId:invalid_choice"},
		{"plan: negative", "PUT", "/api/v1/positions/" + pid + "/headcount-plan", map[string]any{"rows": []any{map[string]any{"departmentId": dept["id"], "planned": -1}}}, 422, ""},
		{"plan: duplicate", "PUT", "/api/v1/positions/" + pid + "/headcount-plan", map[string]any{"rows": []any{map[string]any{"departmentId": dept["id"], "planned": 1}, map[string]any{"departmentId": dept["id"], "planned": 2}}}, 422, "rows[1].departmentId:duplicate"},
		{"plan", "PUT", "/api/v1/positions/" + pid + "/headcount-plan", map[string]any{"rows": []any{map[string]any{"departmentId": dept["id"], "planned": 12}}}, 200, ""},
	})
	p := hr.ok(200, "GET", "/api/v1/positions/"+pid, nil)
	plan := p["headcountPlan"].([]any)
	if p["plannedTotal"] != 12.0 || len(plan) != 1 || plan[0].(map[string]any)["departmentName"] != "技术部" {
		t.Fatalf("%v", p)
	}
	if list := hr.Do("GET", "/api/v1/positions?active=true", nil).Items(); len(list) != 1 || list[0]["plannedTotal"] != 12.0 {
		t.Fatalf("%v", list)
	}

	// Locations: coordinates cleared together; legal entity deactivated.
	lid := locs[0]["id"].(string)
	if l := hr.ok(200, "PATCH", "/api/v1/locations/"+lid, map[string]any{"latitude": nil, "version": 1}); l["latitude"] != nil || l["longitude"] != nil {
		t.Fatalf("%v", l)
	}
	leID := hr.Do("GET", "/api/v1/legal-entities?q=北京", nil).Items()[0]["id"].(string)
	hr.ok(200, "PATCH", "/api/v1/legal-entities/"+leID, map[string]any{"active": false, "version": 1})
	if list := hr.Do("GET", "/api/v1/legal-entities?active=false", nil).Items(); len(list) != 1 {
		t.Fatalf("%v", list)
	}

	// Exports: CSV with translated headers, in either language.
	r := hr.Do("GET", "/api/v1/legal-entities/export?format=csv", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), "统一社会信用代码") || !strings.Contains(string(r.Body), "91350100M000100Y43") {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	en := h.as(rbac.HRAdmin)
	en.lang = "en"
	r = en.Do("GET", "/api/v1/positions/export?format=csv", nil)
	if !strings.Contains(string(r.Body), "Planned headcount") || !strings.Contains(string(r.Body), "ENG,工程师,技术,工程师,,12,Active") {
		t.Fatalf("%s", r.Body)
	}
	for _, path := range []string{"/api/v1/cost-centers/export", "/api/v1/locations/export", "/api/v1/grades/export"} {
		if r := hr.Do("GET", path, nil); r.Status != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") || len(r.Body) < 100 {
			t.Fatalf("%s: %d %s", path, r.Status, r.Header)
		}
	}
}

func TestDepartmentScenarios(t *testing.T) {
	h := newHarness(t)
	hr := h.as(rbac.HRAdmin)
	today := civil.Today(mustZone())
	next := today.AddMonths(1)
	hc := &headcount{n: map[ids.ID]int{}}
	h.svc.SetHeadcount(hc)

	cc := hr.ok(201, "POST", "/api/v1/cost-centers", map[string]any{"code": "CC1", "name": "总部成本"})
	root := hr.ok(201, "POST", "/api/v1/departments", map[string]any{"code": "HQ", "name": "总公司", "costCenterId": cc["id"], "effectiveDate": "2020-01-01"})
	if root["validFrom"] != "2020-01-01" || root["parentId"] != nil || root["version"] != 1.0 {
		t.Fatalf("%v", root)
	}
	rid := root["id"].(string)
	sales := hr.ok(201, "POST", "/api/v1/departments", map[string]any{"code": "SALES", "name": "销售部", "parentId": rid, "effectiveDate": "2020-01-01"})
	sid := sales["id"].(string)
	east := hr.ok(201, "POST", "/api/v1/departments", map[string]any{"code": "EAST", "name": "华东区", "parentId": sid, "headEmployeeId": "9001", "effectiveDate": "2020-01-01"})
	eid := east["id"].(string)
	tech := hr.ok(201, "POST", "/api/v1/departments", map[string]any{"code": "TECH", "name": "技术部", "parentId": rid})
	tid := tech["id"].(string)
	hc.set(eid, 4)
	hc.set(tid, 2)

	run(t, hr, []step{
		{"code taken", "POST", "/api/v1/departments", map[string]any{"code": "HQ", "name": "x"}, 422, "code:duplicate"},
		{"name required", "POST", "/api/v1/departments", map[string]any{"code": "X", "name": ""}, 422, "name:required"},
		{"bad date", "POST", "/api/v1/departments", map[string]any{"code": "X", "name": "x", "effectiveDate": "2026-02-30"}, 422, "effectiveDate:invalid_date"},
		{"parent not yet open", "POST", "/api/v1/departments", map[string]any{"code": "X", "name": "x", "parentId": tid, "effectiveDate": "2021-01-01"}, 422, "parentId:org.parent_missing"},
		{"move under own child", "POST", "/api/v1/departments/" + sid + "/move", map[string]any{"parentId": eid}, 422, "parentId:org.department_cycle"},
		{"move under itself", "POST", "/api/v1/departments/" + sid + "/move", map[string]any{"parentId": sid}, 422, "parentId:org.department_cycle"},
		{"staffed", "POST", "/api/v1/departments/" + eid + "/deactivate", map[string]any{}, 409, "org.department_staffed"},
		{"has children", "POST", "/api/v1/departments/" + sid + "/deactivate", map[string]any{}, 409, "org.department_has_children"},
		{"schedule a move", "POST", "/api/v1/departments/" + eid + "/move", map[string]any{"parentId": tid, "effectiveDate": next.String()}, 200, ""},
		{"earlier change conflicts", "PATCH", "/api/v1/departments/" + eid, map[string]any{"name": "华东大区", "version": 2}, 409, "org.conflicting_change"},
		{"stale", "PATCH", "/api/v1/departments/" + eid, map[string]any{"name": "华东大区", "version": 1}, 409, "stale"},
		{"same day merges", "PATCH", "/api/v1/departments/" + eid, map[string]any{"name": "华东大区", "effectiveDate": next.String(), "version": 2}, 200, ""},
		{"unknown department", "GET", "/api/v1/departments/12345", nil, 404, "not_found"},
		{"inactive cost center", "PATCH", "/api/v1/departments/" + tid, map[string]any{"costCenterId": "999", "version": 1}, 422, "costCenterId:invalid_choice"},
	})
	// The conflict's message names the day, in both languages.
	r := hr.Do("PATCH", "/api/v1/departments/"+eid, map[string]any{"name": "x", "version": 3})
	if !strings.Contains(r.JSON()["detail"].(string), next.String()) {
		t.Fatalf("%s", r.Body)
	}
	en := h.as(rbac.HRAdmin)
	en.lang = "en"
	r = en.Do("POST", "/api/v1/departments/"+tid+"/deactivate", map[string]any{})
	if r.JSON()["detail"] != "The department still has 2 employees on "+today.String()+"; it cannot be deactivated" {
		t.Fatalf("%s", r.Body)
	}

	// Tree today and next month, with heads and headcounts.
	tree := hr.ok(200, "GET", "/api/v1/departments/tree", nil)["items"].([]any)
	hq := tree[0].(map[string]any)
	if len(tree) != 1 || hq["headcountTotal"] != 6.0 || hq["headcount"] != 0.0 {
		t.Fatalf("%v", tree)
	}
	salesNode := findNode(hq, sid)
	if salesNode["headcountTotal"] != 4.0 || findNode(salesNode, eid)["headName"] != "王五" {
		t.Fatalf("%v", salesNode)
	}
	later := hr.ok(200, "GET", "/api/v1/departments/tree?on="+next.String(), nil)["items"].([]any)[0].(map[string]any)
	if n := findNode(findNode(later, tid), eid); n == nil || n["name"] != "华东大区" || findNode(later, sid)["headcountTotal"] != 0.0 {
		t.Fatalf("%v", later)
	}
	if sub := hr.ok(200, "GET", "/api/v1/departments/tree?rootId="+sid, nil)["items"].([]any); len(sub) != 1 || sub[0].(map[string]any)["code"] != "SALES" {
		t.Fatalf("%v", sub)
	}

	// Flat list with path names; detail with history.
	list := hr.Do("GET", "/api/v1/departments?q=华东", nil).Items()
	if len(list) != 1 || list[0]["pathName"] != "总公司 / 销售部 / 华东区" || list[0]["headName"] != "王五" {
		t.Fatalf("%v", list)
	}
	if l := hr.Do("GET", "/api/v1/departments?on="+next.String()+"&q=华东", nil).Items(); l[0]["pathName"] != "总公司 / 技术部 / 华东大区" {
		t.Fatalf("%v", l)
	}
	if l := hr.Do("GET", "/api/v1/departments?on=2019-12-31", nil).Items(); len(l) != 0 {
		t.Fatalf("before anything existed: %v", l)
	}
	detail := hr.ok(200, "GET", "/api/v1/departments/"+eid, nil)
	hist := detail["history"].([]any)
	if detail["name"] != "华东区" || detail["costCenterName"] != nil || len(hist) != 2 ||
		hist[1].(map[string]any)["validFrom"] != next.String() || hist[1].(map[string]any)["parentName"] != "技术部" {
		t.Fatalf("%v", detail)
	}
	if d := hr.ok(200, "GET", "/api/v1/departments/"+rid, nil); d["costCenterName"] != "总部成本" {
		t.Fatalf("%v", d)
	}

	// Cancel the scheduled change; then the move can be made today.
	vid := hist[1].(map[string]any)["id"].(string)
	run(t, hr, []step{
		{"cancel the creation", "DELETE", "/api/v1/departments/" + eid + "/versions/" + hist[0].(map[string]any)["id"].(string), nil, 409, "org.cannot_cancel_creation"},
		{"cancel", "DELETE", "/api/v1/departments/" + eid + "/versions/" + vid, nil, 200, ""},
		{"cancel again", "DELETE", "/api/v1/departments/" + eid + "/versions/" + vid, nil, 404, "not_found"},
		{"move today", "POST", "/api/v1/departments/" + eid + "/move", map[string]any{"parentId": tid}, 200, ""},
		{"to the top level", "POST", "/api/v1/departments/" + tid + "/move", map[string]any{"parentId": nil, "effectiveDate": next.String()}, 200, ""},
	})
	hc.set(eid, 0)
	run(t, hr, []step{
		{"close east next month", "POST", "/api/v1/departments/" + eid + "/deactivate", map[string]any{"effectiveDate": next.String()}, 200, ""},
		{"reopen", "POST", "/api/v1/departments/" + eid + "/activate", map[string]any{"effectiveDate": next.AddDays(1).String()}, 200, ""},
		{"already active", "POST", "/api/v1/departments/" + eid + "/activate", map[string]any{"effectiveDate": next.AddDays(1).String()}, 409, "org.already_active"},
	})
	if l := hr.Do("GET", "/api/v1/departments?active=false&on="+next.String(), nil).Items(); len(l) != 1 || l[0]["code"] != "EAST" {
		t.Fatalf("%v", l)
	}
	// A department opening next month: detail shows its first day.
	future := hr.ok(201, "POST", "/api/v1/departments", map[string]any{"code": "NEW", "name": "新部门", "effectiveDate": next.String()})
	if d := hr.ok(200, "GET", "/api/v1/departments/"+future["id"].(string), nil); d["validFrom"] != next.String() {
		t.Fatalf("%v", d)
	}
	hr.ok(404, "GET", "/api/v1/departments/"+future["id"].(string)+"?on="+today.String(), nil)

	// Export with path names.
	r = hr.Do("GET", "/api/v1/departments/export?format=csv&q=华东", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), "部门路径") || !strings.Contains(string(r.Body), "总公司 / 技术部 / 华东区") ||
		!strings.Contains(r.Header.Get("Content-Disposition"), "filename*=UTF-8''") {
		t.Fatalf("%d %s %s", r.Status, r.Header, r.Body)
	}

	// Another tenant sees none of it; an employee reads but cannot change.
	other := h.as(rbac.HRAdmin)
	other.tenant = "other"
	run(t, other, []step{
		{"other tenant: get", "GET", "/api/v1/departments/" + eid, nil, 404, "not_found"},
		{"other tenant: move", "POST", "/api/v1/departments/" + eid + "/move", map[string]any{"parentId": nil}, 404, "not_found"},
		{"other tenant: cost center", "PATCH", "/api/v1/cost-centers/" + cc["id"].(string), map[string]any{"name": "x", "version": 1}, 404, "not_found"},
	})
	if l := other.Do("GET", "/api/v1/departments", nil); l.JSON()["total"] != 0.0 {
		t.Fatalf("%s", l.Body)
	}
	emp := h.as(rbac.Employee)
	run(t, emp, []step{
		{"employee reads the tree", "GET", "/api/v1/departments/tree", nil, 200, ""},
		{"employee cannot create", "POST", "/api/v1/departments", map[string]any{"code": "Z", "name": "Z"}, 403, "forbidden"},
		{"employee cannot move", "POST", "/api/v1/departments/" + eid + "/move", map[string]any{"parentId": nil}, 403, "forbidden"},
	})
	run(t, h.as(""), []step{{"nobody", "GET", "/api/v1/departments/tree", nil, 401, "unauthenticated"}})
}

// TestRoutePolicy calls every route as nobody and as every built-in role,
// the way internal/app/authz_test.go does for the whole app.
func TestRoutePolicy(t *testing.T) {
	h := newHarness(t)
	routes := h.api.Routes()
	if len(routes) < 35 {
		t.Fatalf("%d routes", len(routes))
	}
	for _, r := range routes {
		if r.Permission != org.PermRead && r.Permission != org.PermManage {
			t.Errorf("%s %s: permission %s", r.Method, r.Path, r.Permission)
		}
		wantManage := r.Method != "GET"
		if wantManage != (r.Permission == org.PermManage) {
			t.Errorf("%s %s: permission %s", r.Method, r.Path, r.Permission)
		}
		path := strings.NewReplacer("{id}", "4242", "{versionId}", "4343").Replace(r.Path)
		var body any
		if r.Method != "GET" && r.Method != "DELETE" {
			body = map[string]any{}
		}
		if res := h.as("").Do(r.Method, path, body); res.Status != 401 {
			t.Errorf("%s %s anonymous: %d", r.Method, path, res.Status)
		}
		for _, b := range rbac.BuiltinRoles {
			res := h.as(b.Code).Do(r.Method, path, body)
			allowed := slices.Contains(rbac.BuiltinPermissions(b.Code), r.Permission)
			switch {
			case allowed && (res.Status == 401 || res.Status == 403):
				t.Errorf("%s %s as %s: %d %s", r.Method, path, b.Code, res.Status, res.Body)
			case !allowed && (res.Status != 403 || !strings.Contains(string(res.Body), r.Permission)):
				t.Errorf("%s %s as %s: %d %s, want 403 naming %s", r.Method, path, b.Code, res.Status, res.Body, r.Permission)
			case res.Status >= 500:
				t.Errorf("%s %s as %s: %d %s", r.Method, path, b.Code, res.Status, res.Body)
			}
		}
	}
	// The policy rows the app's authorization table needs.
	var rows []string
	for _, r := range routes {
		rows = append(rows, fmt.Sprintf("%s %s → %s", r.Method, r.Path, r.Permission))
	}
	t.Logf("routes:\n%s", strings.Join(rows, "\n"))
	// The OpenAPI document renders (recursive tree nodes, nullable ids).
	doc := h.as("").Do("GET", "/api/openapi.json", nil)
	if doc.Status != 200 || !strings.Contains(string(doc.Body), `"DepartmentNode"`) || !strings.Contains(string(doc.Body), "null for a top-level department") {
		t.Fatalf("openapi: %d %.300s", doc.Status, doc.Body)
	}
	if web.Prefix != "/api/v1" {
		t.Fatal(web.Prefix)
	}
}

func findNode(n map[string]any, id string) map[string]any {
	if n["id"] == id {
		return n
	}
	for _, c := range n["children"].([]any) {
		if f := findNode(c.(map[string]any), id); f != nil {
			return f
		}
	}
	return nil
}

// headcount is a fake employee module: counts per department, one name.
type headcount struct{ n map[ids.ID]int }

func (f *headcount) set(id string, n int) {
	v, _ := ids.Parse(id)
	f.n[v] = n
}

func (f *headcount) Staffed(_ context.Context, deptIDs []ids.ID, _ civil.Date) (map[ids.ID]int, error) {
	out := map[ids.ID]int{}
	for _, id := range deptIDs {
		out[id] = f.n[id]
	}
	return out, nil
}

func (f *headcount) EmployeeNames(_ context.Context, empIDs []ids.ID) (map[ids.ID]string, error) {
	out := map[ids.ID]string{}
	for _, id := range empIDs {
		if id == 9001 {
			out[id] = "王五"
		}
	}
	return out, nil
}

func mustZone() *time.Location { return org.Zone(context.Background()) }
