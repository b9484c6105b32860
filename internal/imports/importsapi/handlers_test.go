package importsapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/imports/importsapi"
	"github.com/renshi/renshi/internal/imports/importstest"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/web"
)

// server runs the module's routes behind the platform middleware, with
// callers chosen by a test bearer token (the user id).
type server struct {
	*importstest.Env
	t   *testing.T
	srv *httptest.Server
}

func newServer(t *testing.T, opts ...importstest.Options) *server {
	s := &server{Env: importstest.New(t, opts...), t: t}
	mux := http.NewServeMux()
	api := web.NewAPI(mux, "Renshi test", "test")
	importsapi.Routes(api, s.Svc)
	authn := func(r *http.Request) (*rbac.Principal, error) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			return nil, nil
		}
		id, err := ids.Parse(tok)
		if err != nil {
			return nil, nil
		}
		return s.Principal(id), nil
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s.srv = httptest.NewServer(web.Observe(log, false, web.Authenticate(authn, mux)))
	t.Cleanup(s.srv.Close)
	return s
}

type response struct {
	Status int
	Header http.Header
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

func (r response) String() string { return fmt.Sprintf("%d %s", r.Status, r.Body) }

func (s *server) send(user ids.ID, req *http.Request, headers ...string) response {
	s.t.Helper()
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
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// do calls as a user (0: anonymous) with a JSON body.
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
	return s.send(user, req, headers...)
}

// upload posts a file as multipart form data.
func (s *server) upload(user ids.ID, target, name string, data []byte) response {
	s.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if target != "" {
		_ = w.WriteField("target", target)
	}
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = w.Close()
	req, _ := http.NewRequest("POST", s.srv.URL+"/api/v1/imports", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return s.send(user, req)
}

// wait polls a batch until it leaves the running states.
func (s *server) wait(user ids.ID, id string) map[string]any {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := s.do(user, "GET", "/imports/"+id, nil)
		if r.Status != 200 {
			s.t.Fatalf("poll: %s", r)
		}
		st := r.JSON()["state"]
		job, _ := r.JSON()["job"].(map[string]any)
		if st != imports.StateChecking && st != imports.StateImporting && job != nil &&
			(job["state"] == "succeeded" || job["state"] == "failed" || job["state"] == "cancelled") {
			return r.JSON()
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("batch %s still %v", id, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func csvOf(rows [][]string) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.WriteAll(rows)
	return buf.Bytes()
}

func roster(n int) [][]string {
	rows := [][]string{{"工号", "姓名", "身份证号", "性别", "入职日期", "手机", "部门"}}
	for i := 1; i <= n; i++ {
		rows = append(rows, []string{fmt.Sprintf("E%04d", i), fmt.Sprintf("员工%d", i), fmt.Sprintf("1101051990010%05d", i), "男", "2024-01-05", "13800138000", "技术部"})
	}
	return rows
}

func counts(m map[string]any) string {
	c, _ := m["counts"].(map[string]any)
	return fmt.Sprintf("new=%v updated=%v unchanged=%v failed=%v", c["new"], c["updated"], c["unchanged"], c["failed"])
}

func TestAPIScenario(t *testing.T) {
	s := newServer(t)
	hr := s.Account("hr", importstest.PermImport)
	nobody := s.Account("nobody")
	other := s.AccountIn(s.AddTenant("other"), "other", true, importstest.PermImport)

	if r := s.do(0, "GET", "/imports/targets", nil); r.Status != 401 {
		t.Fatalf("anonymous: %s", r)
	}
	if r := s.do(nobody, "GET", "/imports/targets", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"items":[]`) {
		t.Fatalf("targets without permission: %s", r)
	}
	r := s.do(hr, "GET", "/imports/targets", nil, "Accept-Language", "en")
	if r.Status != 200 || !strings.Contains(string(r.Body), `"name":"people"`) || !strings.Contains(string(r.Body), `"keys":["employeeNo","idNumber"]`) ||
		!strings.Contains(string(r.Body), `"choices":[{"code":"M"`) {
		t.Fatalf("targets: %s", r)
	}

	// Template.
	r = s.do(hr, "GET", "/imports/targets/people/template?format=xlsx", nil)
	if r.Status != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") ||
		!strings.Contains(r.Header.Get("Content-Disposition"), "filename*=UTF-8''%E4%BA%BA%E5%91%98") {
		t.Fatalf("template: %d %v", r.Status, r.Header)
	}
	if f, err := excelize.OpenReader(bytes.NewReader(r.Body)); err != nil {
		t.Fatalf("template is no workbook: %v", err)
	} else {
		f.Close()
	}
	if r := s.do(hr, "GET", "/imports/targets/people/template?format=csv", nil); r.Status != 200 || !strings.HasPrefix(string(r.Body), "\ufeff工号*") {
		t.Fatalf("csv template: %s", r)
	}
	if r := s.do(hr, "GET", "/imports/targets/nope/template", nil); r.Status != 404 {
		t.Fatalf("unknown target's template: %s", r)
	}
	if r := s.do(nobody, "GET", "/imports/targets/people/template", nil); r.Status != 403 || !strings.Contains(string(r.Body), importstest.PermImport) {
		t.Fatalf("template without permission: %s", r)
	}

	// Upload: bad files first.
	for name, c := range map[string]struct {
		user   ids.ID
		target string
		data   []byte
		status int
		code   string
	}{
		"no target":     {hr, "", csvOf(roster(1)), 422, ""},
		"unknown":       {hr, "nope", csvOf(roster(1)), 404, "not_found"},
		"no permission": {nobody, "people", csvOf(roster(1)), 403, "forbidden"},
		"header only":   {hr, "people", csvOf(roster(0)), 422, "imports.no_rows"},
		"legacy xls":    {hr, "people", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 1024)...), 422, ""},
	} {
		r := s.upload(c.user, c.target, "f.csv", c.data)
		if r.Status != c.status || (c.code != "" && r.Code() != c.code) {
			t.Errorf("%s: %s", name, r)
		}
	}

	rows := roster(4)
	rows[2][4] = "2024-02-30"
	r = s.upload(hr, "people", "花名册.csv", csvOf(rows))
	if r.Status != 201 {
		t.Fatalf("upload: %s", r)
	}
	b := r.JSON()
	id := b["id"].(string)
	if b["state"] != "uploaded" || len(b["sample"].([]any)) != 4 || b["mapping"].(map[string]any)["入职日期"] != "hireDate" || b["fileName"] != "花名册.csv" {
		t.Fatalf("upload answer: %s", r.Body)
	}

	// Mapping: refused with every problem named, then set.
	r = s.do(hr, "PUT", "/imports/"+id+"/mapping", map[string]any{"mapping": map[string]string{"工号": "employeeNo", "姓名": "nope", "手机": "mobile", "部门": "mobile"}}, "Accept-Language", "en")
	if r.Status != 422 || !slices.Contains(r.FieldCodes(), "mapping.姓名:imports.unknown_column") ||
		!slices.Contains(r.FieldCodes(), "mapping.部门:imports.duplicate_column") || !slices.Contains(r.FieldCodes(), "mapping:imports.required_column_missing") {
		t.Fatalf("bad mapping: %s", r)
	}
	if !strings.Contains(string(r.Body), `No column is mapped to the required field \"姓名\"`) {
		t.Fatalf("message: %s", r.Body)
	}
	mapping := b["mapping"]
	if r := s.do(hr, "PUT", "/imports/"+id+"/mapping", map[string]any{"mapping": mapping, "mode": "all", "mappingName": "api"}); r.Status != 200 || r.JSON()["mappingName"] != "api" {
		t.Fatalf("mapping: %s", r)
	}

	// Dry run.
	if r := s.do(hr, "POST", "/imports/"+id+"/commit", nil); r.Status != 409 || r.Code() != "imports.not_checked" {
		t.Fatalf("commit before check: %s", r)
	}
	r = s.do(hr, "POST", "/imports/"+id+"/check", nil)
	if job, _ := r.JSON()["job"].(map[string]any); r.Status != 202 || r.JSON()["state"] != "checking" || job == nil || job["kind"] != imports.JobCheck {
		t.Fatalf("check: %s", r)
	}
	b = s.wait(hr, id)
	if b["state"] != "checked" || counts(b) != "new=3 updated=0 unchanged=0 failed=1" || b["errorCount"].(float64) != 1 {
		t.Fatalf("checked: %v", b)
	}
	r = s.do(hr, "GET", "/imports/"+id+"/errors?page=1&pageSize=10", nil)
	if r.Status != 200 || r.JSON()["total"].(float64) != 1 {
		t.Fatalf("errors: %s", r)
	}
	e0 := r.JSON()["items"].([]any)[0].(map[string]any)
	if e0["line"].(float64) != 3 || e0["column"] != "hireDate" || e0["header"] != "入职日期" || e0["value"] != "2024-02-30" || e0["message"] == "" {
		t.Fatalf("error: %v", e0)
	}
	r = s.do(hr, "GET", "/imports/"+id+"/report", nil)
	if r.Status != 200 || !strings.Contains(r.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("report: %d %v", r.Status, r.Header)
	}
	if f, err := excelize.OpenReader(bytes.NewReader(r.Body)); err != nil {
		t.Fatalf("report is no workbook: %v", err)
	} else {
		f.Close()
	}
	r = s.do(hr, "GET", "/imports/"+id+"/file", nil)
	if r.Status != 200 || !bytes.Equal(r.Body, csvOf(rows)) || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("file: %d %v", r.Status, r.Header)
	}

	// All or nothing refuses; valid rows only imports three.
	if r := s.do(hr, "POST", "/imports/"+id+"/commit", nil); r.Status != 409 || r.Code() != "imports.has_failures" {
		t.Fatalf("all-or-nothing: %s", r)
	}
	if r := s.do(hr, "PUT", "/imports/"+id+"/mapping", map[string]any{"mapping": mapping, "mode": "valid"}); r.Status != 200 || r.JSON()["state"] != "uploaded" {
		t.Fatalf("mode: %s", r)
	}
	s.do(hr, "POST", "/imports/"+id+"/check", nil)
	s.wait(hr, id)
	if r := s.do(hr, "POST", "/imports/"+id+"/commit", nil); r.Status != 202 {
		t.Fatalf("commit: %s", r)
	}
	b = s.wait(hr, id)
	if b["state"] != "imported" || counts(b) != "new=3 updated=0 unchanged=0 failed=1" || b["committed"] != true || s.People.Count(s.TenantID) != 3 {
		t.Fatalf("imported: %v", b)
	}
	if r := s.do(hr, "POST", "/imports/"+id+"/cancel", nil); r.Status != 409 || r.Code() != "imports.not_running" {
		t.Fatalf("cancel when done: %s", r)
	}
	if r := s.do(hr, "PUT", "/imports/"+id+"/mapping", map[string]any{"mapping": mapping}); r.Status != 409 || r.Code() != "imports.not_editable" {
		t.Fatalf("mapping after import: %s", r)
	}

	// History, tenants and permissions.
	r = s.do(hr, "GET", "/imports?q=花名册&target=people&state=imported&page=1", nil)
	if r.Status != 200 || r.JSON()["total"].(float64) != 1 {
		t.Fatalf("history: %s", r)
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	if r := s.do(hr, "GET", "/imports?from="+today+"&to="+today, nil); r.JSON()["total"].(float64) != 1 {
		t.Fatalf("history by day: %s", r)
	}
	if r := s.do(hr, "GET", "/imports?state=bogus", nil); r.Status != 422 {
		t.Fatalf("bad state: %s", r)
	}
	if r := s.do(other, "GET", "/imports/"+id, nil); r.Status != 404 {
		t.Fatalf("other tenant: %s", r)
	}
	if r := s.do(other, "POST", "/imports/"+id+"/rollback", nil); r.Status != 404 {
		t.Fatalf("other tenant rolls back: %s", r)
	}
	if r := s.do(nobody, "GET", "/imports/"+id, nil); r.Status != 403 || !strings.Contains(string(r.Body), importstest.PermImport) {
		t.Fatalf("no permission: %s", r)
	}
	if r := s.do(nobody, "GET", "/imports", nil); r.Status != 200 || r.JSON()["total"].(float64) != 0 {
		t.Fatalf("history without permission: %s", r)
	}

	// Rollback: refused over a later change, then done.
	s.People.Touch(s.TenantID, "E0001")
	r = s.do(hr, "POST", "/imports/"+id+"/rollback", nil, "Accept-Language", "en")
	if r.Status != 409 || r.Code() != "imports.rollback_conflict" || !strings.Contains(string(r.Body), "E0001") {
		t.Fatalf("rollback conflict: %s", r)
	}

	// Saved mappings.
	r = s.do(hr, "GET", "/imports/mappings?target=people", nil)
	if r.Status != 200 || len(r.JSON()["items"].([]any)) != 1 {
		t.Fatalf("mappings: %s", r)
	}
	r = s.do(hr, "POST", "/imports/mappings", map[string]any{"target": "people", "name": "短表", "mapping": map[string]string{"编号": "employeeNo", "名字": "name"}})
	if r.Status != 201 || r.JSON()["name"] != "短表" {
		t.Fatalf("save mapping: %s", r)
	}
	mid := r.JSON()["id"].(string)
	if r := s.do(hr, "POST", "/imports/mappings", map[string]any{"target": "people", "name": "x", "mapping": map[string]string{"a": "nope"}}); r.Status != 422 {
		t.Fatalf("bad saved mapping: %s", r)
	}
	if r := s.do(other, "DELETE", "/imports/mappings/"+mid, nil); r.Status != 404 {
		t.Fatalf("other tenant deletes: %s", r)
	}
	if r := s.do(hr, "DELETE", "/imports/mappings/"+mid, nil); r.Status != 204 {
		t.Fatalf("delete mapping: %s", r)
	}
	if r := s.do(nobody, "GET", "/imports/mappings?target=people", nil); r.Status != 403 {
		t.Fatalf("mappings without permission: %s", r)
	}
}

// Uploads over the limit are refused with 413 naming the limit; the
// CSV in GB18030 and a workbook named .bin are read by their content.
func TestUploadLimits(t *testing.T) {
	s := newServer(t, importstest.Options{Limits: imports.Options{}, NoQueue: true})
	hr := s.Account("hr", importstest.PermImport)
	big := bytes.Repeat([]byte("E0001,张三\n"), (imports.MaxFileBytes/12)+10)
	r := s.upload(hr, "people", "big.csv", append(csvOf(roster(0)), big...))
	if r.Status != 413 || r.Code() != "too_large" || !strings.Contains(string(r.Body), "100 MiB") {
		t.Fatalf("too large: %d %.300s", r.Status, r.Body)
	}
}
