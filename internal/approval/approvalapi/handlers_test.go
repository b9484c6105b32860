package approvalapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/approval/approvalapi"
	"github.com/renshi/renshi/internal/approval/approvaltest"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/web"
)

// server runs the module's routes behind the platform middleware, with
// callers chosen by a test bearer token (the app's sign-in is not needed
// to test the module's HTTP behaviour; internal/app tests the whole).
type server struct {
	*approvaltest.Env
	t   *testing.T
	srv *httptest.Server
	api *web.API
}

func newServer(t *testing.T) *server {
	s := &server{Env: approvaltest.New(t), t: t}
	mux := http.NewServeMux()
	s.api = web.NewAPI(mux, "Renshi test", "test")
	approvalapi.Routes(s.api, s.Svc)
	authn := func(r *http.Request) (*rbac.Principal, error) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			return nil, nil
		}
		id, err := ids.Parse(tok)
		if err != nil {
			return nil, nil
		}
		return rbac.From(s.As(id)), nil
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s.srv = httptest.NewServer(web.Observe(log, false, web.Authenticate(authn, mux)))
	t.Cleanup(s.srv.Close)
	return s
}

type response struct {
	Status int
	Body   []byte
}

func (r response) JSON() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

func (r response) Code() string { s, _ := r.JSON()["code"].(string); return s }

func (r response) FieldCodes() []string {
	var out []string
	list, _ := r.JSON()["errors"].([]any)
	for _, x := range list {
		m, _ := x.(map[string]any)
		out = append(out, m["field"].(string)+":"+m["code"].(string))
	}
	return out
}

// do calls as a user (0: anonymous); headers are name, value pairs.
func (s *server) do(user ids.ID, method, path string, body any, headers ...string) response {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.srv.URL+"/api/v1"+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != 0 {
		req.Header.Set("Authorization", "Bearer "+user.String())
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Body: b}
}

func TestAPIScenario(t *testing.T) {
	s := newServer(t)
	d := s.Dir
	hq := d.AddDepartment("总部", 0)
	rd := d.AddDepartment("研发部", hq)
	none := approvaltest.Member{}
	lead := s.Person("lead", rd, none)
	dev := s.Person("dev", rd, lead)
	hr, hr2, outsider := s.Account("hr"), s.Account("hr2"), s.Account("outsider")
	d.Grant(rbac.HRAdmin, approvaltest.Grant{User: hr, All: true})
	d.Grant(rbac.HRAdmin, approvaltest.Grant{User: hr2, All: true})
	typ := &approvaltest.Type{TypeInfo: approval.TypeInfo{Code: "test.leave", Label: "test.leave",
		Fields: []approval.FieldSpec{{Name: "days", Kind: approval.KindNumber, Label: "field.days"}},
		DefaultFlow: approval.Definition{Branches: []approval.Branch{{Nodes: []approval.Node{
			{Name: "上级", Approvers: []approval.Approver{approval.Manager(1)}},
			{Name: "人事", Approvers: []approval.Approver{approval.Role(rbac.HRAdmin)}}}}},
			Fallback: []approval.Approver{approval.Role(rbac.HRAdmin)}}}}
	s.Svc.Register(typ)

	if r := s.do(0, "GET", "/approvals/mine", nil); r.Status != 401 {
		t.Fatalf("anonymous: %d", r.Status)
	}
	if r := s.do(dev.User, "GET", "/approval-types", nil); r.Status != 200 || !strings.Contains(string(r.Body), "test.leave") {
		t.Fatalf("types: %d %s", r.Status, r.Body)
	}
	if r := s.do(dev.User, "GET", "/approval-flows", nil); r.Status != 403 || !strings.Contains(string(r.Body), approval.PermFlowManage) {
		t.Fatalf("employee designs flows: %d %s", r.Status, r.Body)
	}
	if r := s.do(hr, "GET", "/approval-flows/test.leave", nil); r.Status != 200 || r.JSON()["default"] != true {
		t.Fatalf("default flow: %d %s", r.Status, r.Body)
	}
	if r := s.do(hr, "GET", "/approval-flows/nope", nil); r.Status != 404 {
		t.Fatalf("unknown type: %d", r.Status)
	}
	// A condition on an unknown field is refused when the flow is saved,
	// with a translated per-field message.
	bad := map[string]any{"definition": map[string]any{"branches": []any{map[string]any{"nodes": []any{map[string]any{
		"name": "上级", "mode": "any", "approvers": []any{map[string]any{"kind": "manager", "level": 1}},
		"when": []any{map[string]any{"field": "amount", "op": ">", "value": 5000}}}}}},
		"fallback": []any{map[string]any{"kind": "role", "role": "hr_admin"}}}}
	r := s.do(hr, "PUT", "/approval-flows/test.leave", bad, "Accept-Language", "en")
	if r.Status != 422 || !slices.Contains(r.FieldCodes(), "definition.branches[0].nodes[0].when[0].field:approval.unknown_field") ||
		!strings.Contains(string(r.Body), "The request has no field amount") {
		t.Fatalf("unknown field: %d %s", r.Status, r.Body)
	}
	noFallback := map[string]any{"definition": map[string]any{"branches": []any{map[string]any{"nodes": []any{map[string]any{
		"name": "上级", "mode": "any", "approvers": []any{map[string]any{"kind": "manager", "level": 1}}}}}}}}
	if r := s.do(hr, "PUT", "/approval-flows/test.leave", noFallback); r.Status != 422 || r.FieldCodes()[0] != "definition.branches[0].nodes[0].fallback:approval.fallback_required" {
		t.Fatalf("no fallback: %d %s", r.Status, r.Body)
	}
	good := map[string]any{"name": "请假", "definition": map[string]any{"branches": []any{map[string]any{"nodes": []any{
		map[string]any{"name": "上级", "mode": "any", "approvers": []any{map[string]any{"kind": "manager", "level": 1}}},
		map[string]any{"name": "人事", "mode": "any", "approvers": []any{map[string]any{"kind": "role", "role": "hr_admin"}},
			"when": []any{map[string]any{"field": "days", "op": "≥", "value": 3}}}}}},
		"fallback": []any{map[string]any{"kind": "role", "role": "hr_admin"}}}}
	if r := s.do(hr, "PUT", "/approval-flows/test.leave", good); r.Status != 200 || r.JSON()["version"] != 1.0 {
		t.Fatalf("save: %d %s", r.Status, r.Body)
	}
	r = s.do(hr, "POST", "/approval-flows/test.leave/preview", map[string]any{"employeeId": dev.Employee.String(), "fields": map[string]any{"days": 5}})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"name":"lead"`) || !strings.Contains(string(r.Body), `"name":"hr2"`) {
		t.Fatalf("preview: %d %s", r.Status, r.Body)
	}

	// Submit, idempotently.
	if r := s.do(dev.User, "POST", "/approvals", map[string]any{}); r.Status != 422 {
		t.Fatalf("empty submit: %d %s", r.Status, r.Body)
	}
	r = s.do(dev.User, "POST", "/approvals", map[string]any{"type": "test.leave", "fields": map[string]any{"days": 5}}, "Idempotency-Key", "abc")
	if r.Status != 201 || r.JSON()["state"] != "running" || r.JSON()["nodeName"] != "上级" {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	id := r.JSON()["id"].(string)
	if r := s.do(dev.User, "POST", "/approvals", map[string]any{"type": "test.leave", "fields": map[string]any{"days": 5}}, "Idempotency-Key", "abc"); r.JSON()["id"] != id {
		t.Fatalf("repeat: %s", r.Body)
	}
	r = s.do(lead.User, "GET", "/approvals/mine?tab=todo", nil)
	if r.Status != 200 || r.JSON()["total"] != 1.0 || r.JSON()["counts"].(map[string]any)["todo"] != 1.0 {
		t.Fatalf("lead's to-do: %d %s", r.Status, r.Body)
	}
	if r := s.do(lead.User, "GET", "/approvals/counts", nil); r.JSON()["todo"] != 1.0 {
		t.Fatalf("counts: %s", r.Body)
	}
	// 403 for an involved non-approver, 404 for a stranger.
	if r := s.do(dev.User, "POST", "/approvals/"+id+"/approve", nil); r.Status != 403 || r.Code() != "approval.not_current_approver" {
		t.Fatalf("applicant approves: %d %s", r.Status, r.Body)
	}
	if r := s.do(outsider, "POST", "/approvals/"+id+"/approve", nil); r.Status != 404 {
		t.Fatalf("stranger approves: %d %s", r.Status, r.Body)
	}
	if r := s.do(outsider, "GET", "/approvals/"+id, nil); r.Status != 404 {
		t.Fatalf("stranger reads: %d", r.Status)
	}
	if r := s.do(lead.User, "POST", "/approvals/"+id+"/reject", map[string]any{}); r.Status != 422 || r.FieldCodes()[0] != "comment:required" {
		t.Fatalf("reject without comment: %d %s", r.Status, r.Body)
	}
	r = s.do(lead.User, "POST", "/approvals/"+id+"/approve", map[string]any{"comment": "同意"})
	if r.Status != 200 || r.JSON()["nodeName"] != "人事" {
		t.Fatalf("lead approves: %d %s", r.Status, r.Body)
	}
	// Two HR admins approve the any-one node at once: one wins, the other
	// is told who did (409).
	var wg sync.WaitGroup
	res := make([]response, 2)
	for i, u := range []ids.ID{hr, hr2} {
		wg.Add(1)
		go func() { defer wg.Done(); res[i] = s.do(u, "POST", "/approvals/"+id+"/approve", map[string]any{}) }()
	}
	wg.Wait()
	statuses := []int{res[0].Status, res[1].Status}
	slices.Sort(statuses)
	if !slices.Equal(statuses, []int{200, 409}) {
		t.Fatalf("race: %d %s / %d %s", res[0].Status, res[0].Body, res[1].Status, res[1].Body)
	}
	for _, x := range res {
		if x.Status == 409 && x.Code() != "approval.already_handled" && x.Code() != "approval.finished" {
			t.Fatalf("loser: %s", x.Body)
		}
	}
	if n, _ := typ.Calls(); n != 1 {
		t.Fatalf("module told %d times", n)
	}
	if r := s.do(lead.User, "POST", "/approvals/"+id+"/withdraw", nil); r.Status != 403 {
		t.Fatalf("approver withdraws: %d", r.Status)
	}
	if r := s.do(dev.User, "POST", "/approvals/"+id+"/withdraw", nil); r.Status != 409 || r.Code() != "approval.finished" {
		t.Fatalf("withdraw approved: %d %s", r.Status, r.Body)
	}
	r = s.do(dev.User, "GET", "/approvals/"+id, nil)
	if r.Status != 200 || len(r.JSON()["timeline"].([]any)) < 5 {
		t.Fatalf("detail: %d %s", r.Status, r.Body)
	}
	// HR's list; employees may not see it.
	if r := s.do(hr, "GET", "/approvals?state=approved", nil); r.Status != 200 || r.JSON()["total"] != 1.0 {
		t.Fatalf("HR list: %d %s", r.Status, r.Body)
	}
	if r := s.do(dev.User, "GET", "/approvals", nil); r.Status != 403 {
		t.Fatalf("employee lists all: %d", r.Status)
	}
	// Search by the applicant's name, and by the day submitted.
	item := s.do(hr, "GET", "/approvals", nil).JSON()["items"].([]any)[0].(map[string]any)
	name := item["applicantName"].(string)
	day := civil.Of(s.Clock).String()
	for q, want := range map[string]float64{"q=" + url.QueryEscape(name): 1, "q=nobody-at-all": 0, "from=" + day + "&to=" + day: 1, "from=2001-01-01&to=2001-01-02": 0} {
		if r := s.do(hr, "GET", "/approvals?"+q, nil); r.Status != 200 || r.JSON()["total"] != want {
			t.Fatalf("HR list %s: %d %s", q, r.Status, r.Body)
		}
	}
	// Exports: HR's list and my tab, with the filters; a header row and
	// one row per request, type and state translated.
	r = s.do(hr, "GET", "/approvals/export?format=csv&state=approved", nil, "Accept-Language", "zh-CN")
	if rows := strings.Split(strings.TrimSpace(string(r.Body)), "\n"); r.Status != 200 || len(rows) != 2 ||
		!strings.Contains(rows[0], "审批类型") || !strings.Contains(rows[1], "已通过") || !strings.Contains(rows[1], name) {
		t.Fatalf("HR export: %d %q", r.Status, r.Body)
	}
	r = s.do(dev.User, "GET", "/approvals/mine/export?format=csv&tab=submitted", nil, "Accept-Language", "en")
	if rows := strings.Split(strings.TrimSpace(string(r.Body)), "\n"); r.Status != 200 || len(rows) != 2 || !strings.Contains(rows[1], "Approved") {
		t.Fatalf("my export: %d %q", r.Status, r.Body)
	}
	if r := s.do(dev.User, "GET", "/approvals/export", nil); r.Status != 403 {
		t.Fatalf("employee exports all: %d", r.Status)
	}
	if r := s.do(dev.User, "GET", "/approvals/mine/export?tab=nope", nil); r.Status != 422 {
		t.Fatalf("bad tab: %d", r.Status)
	}

	// Remind (rate-limited), reject and resubmit.
	r = s.do(dev.User, "POST", "/approvals", map[string]any{"type": "test.leave", "fields": map[string]any{"days": 1}})
	id2 := r.JSON()["id"].(string)
	if r := s.do(dev.User, "POST", "/approvals/"+id2+"/remind", nil); r.Status != 200 {
		t.Fatalf("remind: %d %s", r.Status, r.Body)
	}
	if r := s.do(dev.User, "POST", "/approvals/"+id2+"/remind", nil, "Accept-Language", "zh-CN"); r.Status != 429 || !strings.Contains(string(r.Body), "分钟后再试") {
		t.Fatalf("second remind: %d %s", r.Status, r.Body)
	}
	if r := s.do(lead.User, "POST", "/approvals/"+id2+"/reject", map[string]any{"comment": "请补充原因"}); r.Status != 200 || r.JSON()["state"] != "rejected" {
		t.Fatalf("reject: %d %s", r.Status, r.Body)
	}
	r = s.do(dev.User, "POST", "/approvals/"+id2+"/resubmit", map[string]any{"fields": map[string]any{"days": 1, "reason": "看病"}})
	if r.Status != 200 || r.JSON()["round"] != 2.0 || r.JSON()["state"] != "running" {
		t.Fatalf("resubmit: %d %s", r.Status, r.Body)
	}
	if r := s.do(lead.User, "POST", "/approvals/"+id2+"/transfer", map[string]any{"toUserId": hr.String()}); r.Status != 200 {
		t.Fatalf("transfer: %d %s", r.Status, r.Body)
	}
	if r := s.do(hr, "POST", "/approvals/"+id2+"/add-approvers", map[string]any{"userIds": []string{hr2.String()}, "position": "after"}); r.Status != 200 {
		t.Fatalf("add after: %d %s", r.Status, r.Body)
	}
	if r := s.do(hr2, "POST", "/approvals/"+id2+"/approve", nil); r.Status != 200 || r.JSON()["state"] != "approved" {
		t.Fatalf("added approver: %d %s", r.Status, r.Body)
	}

	// Delegations.
	today := civil.Of(s.Now())
	r = s.do(lead.User, "POST", "/approval-delegations", map[string]any{"delegateUserId": hr.String(), "startDate": today.String(), "endDate": today.AddDays(2).String()})
	if r.Status != 201 || r.JSON()["delegateName"] != "hr" {
		t.Fatalf("delegate: %d %s", r.Status, r.Body)
	}
	did := r.JSON()["id"].(string)
	r = s.do(hr, "POST", "/approval-delegations", map[string]any{"delegateUserId": lead.User.String(), "startDate": today.String(), "endDate": today.String()})
	if r.Status != 422 || r.FieldCodes()[0] != "delegateUserId:approval.delegation_cycle" {
		t.Fatalf("circular: %d %s", r.Status, r.Body)
	}
	if r := s.do(lead.User, "GET", "/approval-delegations", nil); len(r.JSON()["items"].([]any)) != 1 {
		t.Fatalf("list: %s", r.Body)
	}
	if r := s.do(hr, "DELETE", "/approval-delegations/"+did, nil); r.Status != 404 {
		t.Fatalf("someone else deletes: %d", r.Status)
	}
	if r := s.do(lead.User, "DELETE", "/approval-delegations/"+did, nil); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	// Bad input is a 4xx, never a 500.
	for _, c := range []struct{ method, path string }{
		{"POST", "/approvals/" + id + "/transfer"}, {"POST", "/approvals/" + id + "/add-approvers"},
		{"POST", "/approval-delegations"}, {"POST", "/approval-flows/test.leave/preview"}, {"PUT", "/approval-flows/test.leave"},
		{"GET", "/approvals/mine?tab=all"}, {"POST", "/approvals/123/approve"},
	} {
		if r := s.do(hr, c.method, c.path, map[string]any{}); r.Status >= 500 || r.Status < 400 {
			t.Errorf("%s %s with {}: %d %s", c.method, c.path, r.Status, r.Body)
		}
	}
	if b, err := json.Marshal(s.api.OpenAPI()); err != nil || !bytes.Contains(b, []byte("ApprovalDetail")) || !bytes.Contains(b, []byte("ApprovalDefinition")) {
		t.Fatalf("schema names: %v", err)
	}
}
