package approval_test

import (
	"context"
	"slices"
	"testing"

	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/approval/approvaltest"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// company is a small organisation:
//
//	总部 HQ (head: ceo)
//	├── 技术部 Tech (head: cto)
//	│   └── 后端组 Backend (head: lead)
//	└── 销售部 Sales (no head)
//
// ceo ← cto ← lead ← dev ← intern is the management chain; seller has no
// manager. hr is an HR admin of the whole tenant, hrTech one whose scope
// is the Tech subtree, hrSales one for Sales; outsider holds nothing.
type company struct {
	*approvaltest.Env
	hq, tech, backend, sales                     ids.ID
	ceo, cto, lead, dev, intern, seller          approvaltest.Member
	hr, hrTech, hrSales, outsider, boss, auditor ids.ID
	leave                                        *approvaltest.Type
}

const leaveType = "test.leave"

func newCompany(t *testing.T) *company {
	e := approvaltest.New(t)
	c := &company{Env: e}
	d := e.Dir
	c.hq = d.AddDepartment("总部", 0)
	c.tech = d.AddDepartment("技术部", c.hq)
	c.backend = d.AddDepartment("后端组", c.tech)
	c.sales = d.AddDepartment("销售部", c.hq)
	none := approvaltest.Member{}
	c.ceo = e.Person("ceo", c.hq, none)
	c.cto = e.Person("cto", c.tech, c.ceo)
	c.lead = e.Person("lead", c.backend, c.cto)
	c.dev = e.Person("dev", c.backend, c.lead)
	c.intern = e.Person("intern", c.backend, c.dev)
	c.seller = e.Person("seller", c.sales, none)
	d.SetHead(c.hq, c.ceo.Employee)
	d.SetHead(c.tech, c.cto.Employee)
	d.SetHead(c.backend, c.lead.Employee)
	c.hr = e.Account("hr")
	c.hrTech = e.Account("hrTech")
	c.hrSales = e.Account("hrSales")
	c.outsider = e.Account("outsider")
	c.boss = e.Account("boss")
	c.auditor = e.Account("auditor")
	d.Grant(rbac.HRAdmin, approvaltest.Grant{User: c.hr, All: true})
	d.Grant(rbac.HRAdmin, approvaltest.Grant{User: c.hrTech, Roots: []ids.ID{c.tech}})
	d.Grant(rbac.HRAdmin, approvaltest.Grant{User: c.hrSales, Roots: []ids.ID{c.sales}})
	d.Grant(rbac.SuperAdmin, approvaltest.Grant{User: c.boss, All: true})
	c.leave = &approvaltest.Type{TypeInfo: approval.TypeInfo{Code: leaveType, Label: "test.leave",
		Fields: []approval.FieldSpec{
			{Name: "days", Kind: approval.KindNumber, Label: "field.days"},
			{Name: "start", Kind: approval.KindDate, Label: "field.start"},
			{Name: "kind", Kind: approval.KindString, Label: "field.kind"},
			{Name: "targetDepartmentId", Kind: approval.KindDepartment, Label: "field.targetDepartmentId"},
		},
		DefaultFlow: approval.Definition{
			Branches: []approval.Branch{{Nodes: []approval.Node{
				{Name: "直属上级", Mode: approval.ModeAny, Approvers: []approval.Approver{approval.Manager(1)}},
				{Name: "人事", Mode: approval.ModeAny, Approvers: []approval.Approver{approval.Role(rbac.HRAdmin)}},
			}}},
			Fallback: []approval.Approver{approval.Users(0)}, // replaced in newCompany
		}}}
	c.leave.TypeInfo.DefaultFlow.Fallback = []approval.Approver{approval.Users(c.hr)}
	e.Svc.Register(c.leave)
	return c
}

// flow saves a definition for the leave type as hr.
func (c *company) flow(t *testing.T, def approval.Definition) *approval.Flow {
	t.Helper()
	f, err := c.Svc.SaveFlow(c.As(c.hr), leaveType, approval.FlowInput{Definition: def})
	if err != nil {
		t.Fatalf("save flow: %v", err)
	}
	return f
}

// nodes is a one-branch definition with the tenant HR as fallback.
func (c *company) nodes(list ...approval.Node) approval.Definition {
	return approval.Definition{Branches: []approval.Branch{{Nodes: list}}, Fallback: []approval.Approver{approval.Users(c.hr)}}
}

func node(name, mode string, approvers ...approval.Approver) approval.Node {
	return approval.Node{Name: name, Mode: mode, Approvers: approvers}
}

// submit files a leave request as a user.
func (c *company) submit(t *testing.T, user ids.ID, fields map[string]any) *approval.Detail {
	t.Helper()
	d, err := c.Svc.Submit(c.As(user), approval.Submission{Type: leaveType, Fields: fields})
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return d
}

// pending lists the names of the open tasks of the current node.
func pending(d *approval.Detail) []string {
	var out []string
	for _, t := range d.Tasks {
		if t.Round == d.Round && t.NodeIndex == d.NodeIndex && t.State == approval.TaskPending {
			out = append(out, t.ApproverName)
		}
	}
	slices.Sort(out)
	return out
}

// must fails the test on an error: must(t)(c.Svc.Approve(...)).
func must(t *testing.T) func(*approval.Detail, error) *approval.Detail {
	return func(d *approval.Detail, err error) *approval.Detail {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
}

func code(err error) string {
	var e *errs.Error
	if errors, ok := err.(*errs.Error); ok {
		e = errors
	}
	if e == nil {
		if err == nil {
			return ""
		}
		return "plain:" + err.Error()
	}
	return e.Kind.String() + ":" + e.Code
}

func fieldCodes(err error) []string {
	var out []string
	if e, ok := err.(*errs.Error); ok {
		for _, f := range e.Fields {
			out = append(out, f.Field+":"+f.Code)
		}
	}
	return out
}

func actions(d *approval.Detail) []string {
	var out []string
	for _, e := range d.Timeline {
		out = append(out, e.Action)
	}
	return out
}

var _ = context.Background
