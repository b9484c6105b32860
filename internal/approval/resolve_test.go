package approval_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/approval/approvaltest"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// summary writes a preview as "node: approvers" lines: "skip=reason",
// "fallback: ...", "error=code", delegates as "delegate(for whom)".
func summary(p *approval.Preview) string {
	var lines []string
	for _, n := range p.Nodes {
		name := n.Name
		if name == "" {
			name = "(fallback)"
		}
		switch {
		case n.Error != nil:
			lines = append(lines, name+": error="+n.Error.Code)
		case n.Skipped != "":
			lines = append(lines, name+": skip="+n.Skipped)
		default:
			var who []string
			for _, a := range n.Approvers {
				s := a.Name
				if a.OnBehalfOf != 0 {
					s += "(" + a.OnBehalfOfName + ")"
				}
				who = append(who, s)
			}
			slices.Sort(who)
			prefix := ""
			if n.ByFallback {
				prefix = "fallback "
			}
			lines = append(lines, name+": "+prefix+strings.Join(who, ","))
		}
	}
	return strings.Join(lines, "; ")
}

func TestResolution(t *testing.T) {
	c := newCompany(t)
	hr := c.As(c.hr)
	fb := []approval.Approver{approval.Users(c.hr)}
	oneIn := func(c *company, a ...approval.Approver) approval.Definition {
		return approval.Definition{Branches: []approval.Branch{{Nodes: []approval.Node{node("n", approval.ModeAny, a...)}}},
			Fallback: []approval.Approver{approval.Users(c.hr)}}
	}
	one := func(a ...approval.Approver) approval.Definition { return oneIn(c, a...) }
	two := func(a, b approval.Node) approval.Definition {
		return approval.Definition{Branches: []approval.Branch{{Nodes: []approval.Node{a, b}}}, Fallback: fb}
	}
	when := func(nd approval.Node, conds ...approval.Condition) approval.Node {
		nd.When = conds
		return nd
	}
	cond := func(field, op string, v any) approval.Condition {
		return approval.Condition{Field: field, Op: op, Value: v}
	}
	dev, seller, lead, intern := c.dev.Employee, c.seller.Employee, c.lead.Employee, c.intern.Employee
	cases := []struct {
		name     string
		def      approval.Definition
		employee ids.ID
		fields   map[string]any
		want     string
	}{
		{"direct manager", one(approval.Manager(1)), dev, nil, "n: lead"},
		{"2nd-level manager", one(approval.Manager(2)), dev, nil, "n: cto"},
		{"3rd-level manager", one(approval.Manager(3)), dev, nil, "n: ceo"},
		{"chain too short: fallback", one(approval.Manager(4)), dev, nil, "n: fallback hr"},
		{"no manager: fallback", one(approval.Manager(1)), seller, nil, "n: fallback hr"},
		{"own department head", one(approval.DepartmentHead(0, "")), intern, nil, "n: lead"},
		{"head one level up", one(approval.DepartmentHead(1, "")), dev, nil, "n: cto"},
		{"head two levels up", one(approval.DepartmentHead(2, "")), dev, nil, "n: ceo"},
		{"above the top: fallback", one(approval.DepartmentHead(3, "")), dev, nil, "n: fallback hr"},
		{"department without head: fallback", one(approval.DepartmentHead(0, "")), seller, nil, "n: fallback hr"},
		{"head of a field's department", one(approval.DepartmentHead(0, "targetDepartmentId")), seller,
			map[string]any{"targetDepartmentId": c.tech.String()}, "n: cto"},
		{"role within scope (tech)", one(approval.Role(rbac.HRAdmin)), dev, nil, "n: hr,hrTech"},
		{"role within scope (sales)", one(approval.Role(rbac.HRAdmin)), seller, nil, "n: hr,hrSales"},
		{"role nobody holds: fallback", one(approval.Role(rbac.Finance)), dev, nil, "n: fallback hr"},
		{"named users", one(approval.Users(c.outsider, c.auditor)), dev, nil, "n: auditor,outsider"},
		{"union of approvers", one(approval.Manager(1), approval.Role(rbac.HRAdmin)), seller, nil, "n: hr,hrSales"},
		{"applicant skipped", two(node("head", approval.ModeAny, approval.DepartmentHead(0, "")), node("mgr", approval.ModeAny, approval.Manager(1))),
			lead, nil, "head: skip=applicant; mgr: cto"},
		{"approved earlier skipped", two(node("mgr", approval.ModeAny, approval.Manager(1)), node("head", approval.ModeAny, approval.DepartmentHead(0, ""))),
			dev, nil, "mgr: lead; head: skip=approved_earlier"},
		{"only the applicant: the fallback decides", one(approval.Users(c.intern.User)), intern, nil, "n: skip=applicant; (fallback): fallback hr"},
		{"condition holds", two(node("mgr", approval.ModeAny, approval.Manager(1)), when(node("hr", approval.ModeAny, approval.Role(rbac.HRAdmin)), cond("days", ">", 3))),
			dev, map[string]any{"days": 5}, "mgr: lead; hr: hr,hrTech"},
		{"condition fails: node skipped", two(node("mgr", approval.ModeAny, approval.Manager(1)), when(node("hr", approval.ModeAny, approval.Role(rbac.HRAdmin)), cond("days", ">", 3))),
			dev, map[string]any{"days": 3}, "mgr: lead; hr: skip=condition"},
		{"missing field: condition fails", two(node("mgr", approval.ModeAny, approval.Manager(1)), when(node("hr", approval.ModeAny, approval.Role(rbac.HRAdmin)), cond("days", ">=", 1))),
			dev, nil, "mgr: lead; hr: skip=condition"},
		{"string in", one(approval.Manager(1)), dev, nil, "n: lead"},
		{"department under (yes)", two(node("mgr", approval.ModeAny, approval.Manager(1)), when(node("cto", approval.ModeAny, approval.Users(c.cto.User)), cond(approval.SubjectDepartmentField, "under", []any{c.tech.String()}))),
			intern, nil, "mgr: dev; cto: cto"},
		{"department under (no)", two(node("mgr", approval.ModeAny, approval.Users(c.ceo.User)), when(node("cto", approval.ModeAny, approval.Users(c.cto.User)), cond(approval.SubjectDepartmentField, "under", []any{c.tech.String()}))),
			seller, nil, "mgr: ceo; cto: skip=condition"},
		{"date condition", two(node("mgr", approval.ModeAny, approval.Users(c.ceo.User)), when(node("cto", approval.ModeAny, approval.Users(c.cto.User)), cond("start", "≥", "2026-07-01"))),
			seller, map[string]any{"start": "2026-08-01"}, "mgr: ceo; cto: cto"},
		{"string not in list", two(node("mgr", approval.ModeAny, approval.Users(c.ceo.User)), when(node("cto", approval.ModeAny, approval.Users(c.cto.User)), cond("kind", "in", []any{"annual", "sick"}))),
			seller, map[string]any{"kind": "personal"}, "mgr: ceo; cto: skip=condition"},
		{"branch by amount", approval.Definition{Branches: []approval.Branch{
			{Name: "long", When: []approval.Condition{cond("days", "≥", 10)}, Nodes: []approval.Node{node("ceo", approval.ModeAny, approval.Users(c.ceo.User))}},
			{Name: "default", Nodes: []approval.Node{node("mgr", approval.ModeAny, approval.Manager(1))}}}, Fallback: fb},
			dev, map[string]any{"days": 12}, "ceo: ceo"},
		{"default branch", approval.Definition{Branches: []approval.Branch{
			{Name: "long", When: []approval.Condition{cond("days", "≥", 10)}, Nodes: []approval.Node{node("ceo", approval.ModeAny, approval.Users(c.ceo.User))}},
			{Name: "default", Nodes: []approval.Node{node("mgr", approval.ModeAny, approval.Manager(1))}}}, Fallback: fb},
			dev, map[string]any{"days": 9.5}, "mgr: lead"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			def := tc.def
			p, err := c.Svc.Preview(hr, leaveType, approval.PreviewInput{EmployeeID: tc.employee, Fields: tc.fields, Definition: &def})
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(p); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}

	// People who left and disabled accounts resolve to nobody.
	t.Run("manager left", func(t *testing.T) {
		c := newCompany(t)
		c.Dir.Leave(c.lead.Employee)
		def := oneIn(c, approval.Manager(1))
		p, err := c.Svc.Preview(c.As(c.hr), leaveType, approval.PreviewInput{EmployeeID: c.dev.Employee, Definition: &def})
		if err != nil || summary(p) != "n: fallback hr" {
			t.Fatalf("%v %v", p, err)
		}
	})
	t.Run("disabled accounts", func(t *testing.T) {
		c := newCompany(t)
		c.Dir.Disable(c.outsider)
		def := oneIn(c, approval.Users(c.outsider, c.auditor))
		p, err := c.Svc.Preview(c.As(c.hr), leaveType, approval.PreviewInput{EmployeeID: c.dev.Employee, Definition: &def})
		if err == nil || !slices.Contains(fieldCodes(err), "definition.branches[0].nodes[0].approvers[0].userIds:approval.unknown_user") {
			t.Fatalf("a disabled named approver is refused at design time: %v %v", p, err)
		}
		def = oneIn(c, approval.Users(c.auditor))
		if _, err := c.Svc.SaveFlow(c.As(c.hr), leaveType, approval.FlowInput{Definition: def}); err != nil {
			t.Fatal(err)
		}
		c.Dir.Disable(c.auditor) // after the flow was saved
		p, err = c.Svc.Preview(c.As(c.hr), leaveType, approval.PreviewInput{EmployeeID: c.dev.Employee})
		if err != nil || summary(p) != "n: fallback hr" {
			t.Fatalf("%v %v", p, err)
		}
	})
	t.Run("delegation", func(t *testing.T) {
		c := newCompany(t)
		today := civil.Of(c.Now())
		if _, err := c.Svc.CreateDelegation(c.As(c.lead.User), approval.DelegationInput{DelegateUserID: c.cto.User, StartDate: today, EndDate: today.AddDays(3)}); err != nil {
			t.Fatal(err)
		}
		def := oneIn(c, approval.Manager(1))
		p, err := c.Svc.Preview(c.As(c.hr), leaveType, approval.PreviewInput{EmployeeID: c.dev.Employee, Definition: &def})
		if err != nil || summary(p) != "n: cto(lead)" {
			t.Fatalf("%v %v", p, err)
		}
	})
	t.Run("nobody at all", func(t *testing.T) {
		c := newCompany(t)
		def := approval.Definition{Branches: []approval.Branch{{Nodes: []approval.Node{node("n", approval.ModeAny, approval.Manager(1))}}},
			Fallback: []approval.Approver{approval.Users(c.auditor)}}
		c.Svc.SetClock(c.Now)
		p, err := c.Svc.Preview(c.As(c.hr), leaveType, approval.PreviewInput{EmployeeID: c.seller.Employee, Definition: &def})
		if err != nil || summary(p) != "n: fallback auditor" {
			t.Fatalf("%v %v", p, err)
		}
		c.flow(t, def)
		c.Dir.Disable(c.auditor) // after the flow was saved
		p, err = c.Svc.Preview(c.As(c.hr), leaveType, approval.PreviewInput{EmployeeID: c.seller.Employee})
		if err != nil || summary(p) != "n: error=approval.no_approver; (fallback): error=approval.no_approver" {
			t.Fatalf("preview with a disabled fallback: %v %v", p, err)
		}
	})
}

func TestDesignTimeErrors(t *testing.T) {
	c := newCompany(t)
	hr := c.As(c.hr)
	fb := []approval.Approver{approval.Users(c.hr)}
	n := func(a ...approval.Approver) approval.Node { return node("n", approval.ModeAny, a...) }
	br := func(nodes ...approval.Node) []approval.Branch { return []approval.Branch{{Nodes: nodes}} }
	cond := func(field, op string, v any) []approval.Condition {
		return []approval.Condition{{Field: field, Op: op, Value: v}}
	}
	withWhen := func(nd approval.Node, w []approval.Condition) approval.Node { nd.When = w; return nd }
	cases := []struct {
		name string
		def  approval.Definition
		want string // field:code
	}{
		{"no branches", approval.Definition{Fallback: fb}, "definition.branches:required"},
		{"no nodes", approval.Definition{Branches: []approval.Branch{{}}, Fallback: fb}, "definition.branches[0].nodes:approval.no_nodes"},
		{"no approvers", approval.Definition{Branches: br(node("n", approval.ModeAny)), Fallback: fb}, "definition.branches[0].nodes[0].approvers:required"},
		{"may resolve to nobody without fallback", approval.Definition{Branches: br(n(approval.Manager(1)))},
			"definition.branches[0].nodes[0].fallback:approval.fallback_required"},
		{"role without fallback", approval.Definition{Branches: br(n(approval.Role(rbac.HRAdmin)))},
			"definition.branches[0].nodes[0].fallback:approval.fallback_required"},
		{"condition on an unknown field", approval.Definition{Branches: br(withWhen(n(approval.Users(c.hr)), cond("amount", ">", 5000))), Fallback: fb},
			"definition.branches[0].nodes[0].when[0].field:approval.unknown_field"},
		{"operator for the kind", approval.Definition{Branches: br(withWhen(n(approval.Users(c.hr)), cond("kind", ">", "a"))), Fallback: fb},
			"definition.branches[0].nodes[0].when[0].op:approval.invalid_operator"},
		{"unknown operator", approval.Definition{Branches: br(withWhen(n(approval.Users(c.hr)), cond("days", "like", 1))), Fallback: fb},
			"definition.branches[0].nodes[0].when[0].op:approval.invalid_operator"},
		{"bad number", approval.Definition{Branches: br(withWhen(n(approval.Users(c.hr)), cond("days", ">", "three"))), Fallback: fb},
			"definition.branches[0].nodes[0].when[0].value:approval.invalid_value"},
		{"bad date", approval.Definition{Branches: br(withWhen(n(approval.Users(c.hr)), cond("start", "=", "2026-02-30"))), Fallback: fb},
			"definition.branches[0].nodes[0].when[0].value:approval.invalid_value"},
		{"in needs a list", approval.Definition{Branches: br(withWhen(n(approval.Users(c.hr)), cond("kind", "in", "annual"))), Fallback: fb},
			"definition.branches[0].nodes[0].when[0].value:approval.list_required"},
		{"last branch conditional", approval.Definition{Branches: []approval.Branch{{When: cond("days", ">", 1), Nodes: []approval.Node{n(approval.Users(c.hr))}}}, Fallback: fb},
			"definition.branches[0].when:approval.default_branch_required"},
		{"unreachable branch", approval.Definition{Branches: []approval.Branch{{Nodes: []approval.Node{n(approval.Users(c.hr))}}, {Nodes: []approval.Node{n(approval.Users(c.hr))}}}, Fallback: fb},
			"definition.branches[0].when:approval.unreachable_branch"},
		{"unknown role", approval.Definition{Branches: br(n(approval.Role("nobody_role"))), Fallback: fb},
			"definition.branches[0].nodes[0].approvers[0].role:approval.unknown_role"},
		{"unknown user", approval.Definition{Branches: br(n(approval.Users(ids.New()))), Fallback: fb},
			"definition.branches[0].nodes[0].approvers[0].userIds:approval.unknown_user"},
		{"fallback depending on the applicant", approval.Definition{Branches: br(n(approval.Users(c.hr))), Fallback: []approval.Approver{approval.Manager(1)}},
			"definition.fallback[0].kind:approval.fallback_kind"},
		{"fallback nobody holds", approval.Definition{Branches: br(n(approval.Manager(1))), Fallback: []approval.Approver{approval.Role(rbac.Finance)}},
			"definition.fallback:approval.fallback_empty"},
		{"head of a non-department field", approval.Definition{Branches: br(n(approval.DepartmentHead(0, "days"))), Fallback: fb},
			"definition.branches[0].nodes[0].approvers[0].field:approval.not_department_field"},
		{"manager level", approval.Definition{Branches: br(n(approval.Approver{Kind: approval.ApproverManager, Level: 11})), Fallback: fb},
			"definition.branches[0].nodes[0].approvers[0].level:out_of_range"},
		{"unknown kind", approval.Definition{Branches: br(n(approval.Approver{Kind: "boss"})), Fallback: fb},
			"definition.branches[0].nodes[0].approvers[0].kind:invalid_choice"},
		{"bad mode", approval.Definition{Branches: br(node("n", "most", approval.Users(c.hr))), Fallback: fb},
			"definition.branches[0].nodes[0].mode:invalid_choice"},
		{"timeout range", approval.Definition{Branches: br(approval.Node{Name: "n", Approvers: []approval.Approver{approval.Users(c.hr)}, TimeoutHours: 1000}), Fallback: fb},
			"definition.branches[0].nodes[0].timeoutHours:out_of_range"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Svc.SaveFlow(hr, leaveType, approval.FlowInput{Definition: tc.def})
			if !slices.Contains(fieldCodes(err), tc.want) {
				t.Errorf("got %v (%v), want %s", fieldCodes(err), err, tc.want)
			}
		})
	}
	// Named accounts only need no fallback; each save is a new version.
	for v := 1; v <= 2; v++ {
		f, err := c.Svc.SaveFlow(hr, leaveType, approval.FlowInput{Name: fmt.Sprint("v", v), Definition: approval.Definition{Branches: br(n(approval.Users(c.hr)))}})
		if err != nil || f.Version != v {
			t.Fatalf("save %d: %+v %v", v, f, err)
		}
	}
	vs, err := c.Svc.FlowVersions(hr, leaveType)
	if err != nil || len(vs) != 2 || vs[0].Version != 2 {
		t.Fatalf("versions: %+v %v", vs, err)
	}
	// Operators are stored canonically.
	f := c.flow(t, approval.Definition{Branches: br(withWhen(n(approval.Users(c.hr)), cond("days", "≥", "3"))), Fallback: fb})
	if w := f.Definition.Branches[0].Nodes[0].When[0]; w.Op != approval.OpGe || w.Value != "3" {
		t.Fatalf("stored condition: %+v", w)
	}
	// Only flow managers design flows.
	if _, err := c.Svc.SaveFlow(c.As(c.dev.User), leaveType, approval.FlowInput{Definition: approval.Definition{Branches: br(n(approval.Users(c.hr)))}}); code(err) != "forbidden:forbidden" {
		t.Fatalf("employee saves a flow: %v", err)
	}
	var _ = approvaltest.Grant{}
}
