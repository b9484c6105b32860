package app_test

import (
	"testing"

	"github.com/renshi/renshi/internal/app/apptest"
	"github.com/renshi/renshi/internal/demo"
	"github.com/renshi/renshi/internal/platform/civil"
)

// Accounts linked to employees: self-service works, and a department
// manager's scope follows the department his employee record is in.
func TestAccountsLinkedToEmployeesAnchorScopes(t *testing.T) {
	e := apptest.New(t)
	root := e.Login("root")
	dept := func(code, name string) string {
		r := root.Do("POST", "/api/v1/departments", map[string]any{"code": code, "name": name, "effectiveDate": "2020-01-01"})
		if r.Status != 201 && r.Status != 200 {
			t.Fatalf("department %s: %d %s", code, r.Status, r.Body)
		}
		return r.JSON()["id"].(string)
	}
	sales, tech := dept("SALES", "销售部"), dept("TECH", "技术部")
	people := demo.NewPeople(7)
	hire := func(i int, deptID string) string {
		p := people.Person(i, civil.MustParse("2026-01-01"))
		r := root.Do("POST", "/api/v1/employees", map[string]any{"name": p.Name, "idNumber": p.IDNumber, "mobile": p.Mobile, "departmentId": deptID, "hireDate": "2024-03-01"})
		if r.Status != 201 && r.Status != 200 {
			t.Fatalf("hire: %d %s", r.Status, r.Body)
		}
		return r.JSON()["id"].(string)
	}
	boss, seller, coder := hire(1, sales), hire(2, sales), hire(3, tech)
	_ = seller
	roles := map[string]string{}
	for _, x := range root.Do("GET", "/api/v1/roles", nil).JSON()["items"].([]any) {
		m := x.(map[string]any)
		roles[m["code"].(string)] = m["id"].(string)
	}
	account := func(login, role, employeeID string) {
		r := root.Do("POST", "/api/v1/users", map[string]any{"login": login, "displayName": login, "password": apptest.Password, "employeeId": employeeID,
			"grants": []any{map[string]any{"roleId": roles[role]}}})
		if r.Status != 201 || r.JSON()["user"].(map[string]any)["employeeId"] != employeeID {
			t.Fatalf("account %s: %d %s", login, r.Status, r.Body)
		}
	}
	account("boss", "dept_manager", boss)
	account("coder", "employee", coder)
	// One account per employee.
	if r := root.Do("POST", "/api/v1/users", map[string]any{"login": "dup", "displayName": "x", "employeeId": coder}); r.Status != 422 {
		t.Fatalf("second account for one employee: %d %s", r.Status, r.Body)
	}
	b := e.Login("boss")
	list := b.Do("GET", "/api/v1/employees", nil).JSON()
	if list["total"] != 2.0 {
		t.Fatalf("the sales manager sees %v employees, want his 2", list["total"])
	}
	if r := b.Do("GET", "/api/v1/employees/"+coder, nil); r.Status != 404 {
		t.Fatalf("manager reads another department's employee: %d", r.Status)
	}
	c := e.Login("coder")
	me := c.Do("GET", "/api/v1/me/employee", nil)
	if me.Status != 200 {
		t.Fatalf("self-service: %d %s", me.Status, me.Body)
	}
	if r := c.Do("GET", "/api/v1/employees/"+boss, nil); r.Status != 404 {
		t.Fatalf("employee reads another's record: %d", r.Status)
	}
	// A transfer moves the manager's scope at once (no stale cache).
	emp := root.Do("GET", "/api/v1/employees/"+coder, nil).JSON()
	_ = emp
	today := root.Do("GET", "/api/v1/auth/me", nil)
	_ = today
	r := root.Do("POST", "/api/v1/employees/"+boss+"/transfer", map[string]any{"departmentId": tech, "reason": "transfer", "effectiveDate": civil.Today(nil).String()})
	if r.Status != 200 {
		t.Fatalf("transfer: %d %s", r.Status, r.Body)
	}
	if n := b.Do("GET", "/api/v1/employees", nil).JSON()["total"]; n != 2.0 {
		// now in TECH: himself and the coder
		t.Fatalf("after the transfer the manager sees %v", n)
	}
	if r := b.Do("GET", "/api/v1/employees/"+coder, nil); r.Status != 200 {
		t.Fatalf("after the transfer the manager cannot see his new department: %d", r.Status)
	}
}
