package approvaldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/approval/approvaltest"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Another tenant's instances, tasks and flows are invisible (404), and
// the escalation job finds overdue tasks in every tenant.
func TestTenantIsolationAndDueTenants(t *testing.T) {
	e := approvaltest.New(t)
	typ := &approvaltest.Type{TypeInfo: approval.TypeInfo{Code: "t.x", Label: "t.x"}}
	e.Svc.Register(typ)
	a, b := e.Account("a"), e.Account("b")
	e.Dir.Grant(rbac.HRAdmin, approvaltest.Grant{User: a, All: true})
	def := approval.Definition{Branches: []approval.Branch{{Nodes: []approval.Node{{Name: "n", Approvers: []approval.Approver{approval.Users(b)},
		TimeoutHours: 1}}}}}
	if _, err := e.Svc.SaveFlow(e.As(a), "t.x", approval.FlowInput{Definition: def}); err != nil {
		t.Fatal(err)
	}
	d, err := e.Svc.Submit(e.As(a), approval.Submission{Type: "t.x"})
	if err != nil {
		t.Fatal(err)
	}
	other := e.AddTenant("other")
	p := rbac.SystemPrincipal(other, "test")
	octx := rbac.WithPrincipal(context.Background(), p)
	if _, err := e.Store.Instance(octx, d.ID); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("other tenant reads the instance: %v", err)
	}
	if tasks, err := e.Store.Tasks(octx, d.ID); err != nil || len(tasks) != 0 {
		t.Fatalf("other tenant reads tasks: %v %v", tasks, err)
	}
	if _, err := e.Store.CurrentFlow(octx, "t.x"); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("other tenant reads the flow: %v", err)
	}
	if items, err := e.Store.Mine(octx, b, approval.MineFilter{Tab: approval.TabTodo}); err != nil || len(items) != 0 {
		t.Fatalf("other tenant's to-do: %v %v", items, err)
	}
	ten, err := e.Store.DueTenants(context.Background(), time.Now().Add(2*time.Hour))
	if err != nil || len(ten) != 1 || ten[0] != e.TenantID {
		t.Fatalf("due tenants: %v %v", ten, err)
	}
	if due, err := e.Store.DueTasks(octx, time.Now().Add(2*time.Hour), 10); err != nil || len(due) != 0 {
		t.Fatalf("other tenant's due tasks: %v %v", due, err)
	}
	var _ ids.ID
}
