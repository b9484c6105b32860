package approval

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/platform/validate"
)

// Limits of a flow definition.
const (
	maxBranches   = 20
	maxNodes      = 30
	maxApprovers  = 20
	maxConditions = 20
	maxLevel      = 10
	maxTimeout    = 720
)

// FlowInput is a new version of a request type's flow.
type FlowInput struct {
	Name       string
	Definition Definition
}

// Flows lists every request type's current flow (the type's default for
// those the tenant has not saved).
func (s *Service) Flows(ctx context.Context) ([]Flow, error) {
	if _, _, err := rbac.Require(ctx, PermFlowManage); err != nil {
		return nil, err
	}
	saved, err := s.store.CurrentFlows(ctx)
	if err != nil {
		return nil, err
	}
	byType := map[string]Flow{}
	for _, f := range saved {
		byType[f.RequestType] = f
	}
	var out []Flow
	for _, t := range s.Types() {
		f, ok := byType[t.Code]
		if !ok {
			reg, _ := s.typeOf(t.Code)
			f = defaultFlow(reg)
		}
		out = append(out, f)
	}
	return out, nil
}

func defaultFlow(reg *registered) Flow {
	return Flow{RequestType: reg.info.Code, Definition: reg.info.DefaultFlow, Default: true}
}

// Flow returns a request type's current flow, or its default.
func (s *Service) Flow(ctx context.Context, requestType string) (*Flow, error) {
	if _, _, err := rbac.Require(ctx, PermFlowManage); err != nil {
		return nil, err
	}
	reg, ok := s.typeOf(requestType)
	if !ok {
		return nil, errs.NotFoundf("object.approval_type")
	}
	f, err := s.store.CurrentFlow(ctx, requestType)
	if errs.KindOf(err) == errs.NotFound {
		d := defaultFlow(reg)
		return &d, nil
	}
	return f, err
}

// FlowVersions lists the saved versions of a request type's flow, newest first.
func (s *Service) FlowVersions(ctx context.Context, requestType string) ([]Flow, error) {
	if _, _, err := rbac.Require(ctx, PermFlowManage); err != nil {
		return nil, err
	}
	if _, ok := s.typeOf(requestType); !ok {
		return nil, errs.NotFoundf("object.approval_type")
	}
	list, err := s.store.FlowVersions(ctx, requestType)
	if list == nil {
		list = []Flow{}
	}
	return list, err
}

// SaveFlow checks a definition and saves it as the type's next version.
// Instances already running keep the version they started with.
func (s *Service) SaveFlow(ctx context.Context, requestType string, in FlowInput) (*Flow, error) {
	p, _, err := rbac.Require(ctx, PermFlowManage)
	if err != nil {
		return nil, err
	}
	reg, ok := s.typeOf(requestType)
	if !ok {
		return nil, errs.NotFoundf("object.approval_type")
	}
	var f errs.Fields
	in.Name = validate.Normalize(in.Name)
	f.Check(utf8.RuneCountInString(in.Name) <= 50, "name", "too_long", errs.Params{"max": 50})
	if err := s.checkDefinition(ctx, &f, reg.info, &in.Definition, true); err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out *Flow
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		version := 1
		cur, err := s.store.CurrentFlow(ctx, requestType)
		switch {
		case err == nil:
			version = cur.Version + 1
		case errs.KindOf(err) != errs.NotFound:
			return err
		}
		fl := &Flow{TenantID: p.TenantID, ID: ids.New(), RequestType: requestType, Version: version, Name: in.Name,
			Definition: in.Definition, CreatedBy: p.UserID, CreatedAt: s.nowUTC()}
		if err := s.store.InsertFlow(ctx, fl); err != nil {
			return err
		}
		out = fl
		return s.record(ctx, "save", ObjectFlow, fl.ID, map[string]any{"requestType": requestType, "version": version, "name": in.Name, "definition": in.Definition})
	})
	return out, err
}

// SeedDefaults saves the default flow of every request type the tenant
// has none for (a new tenant; run with a system principal, inside the
// tenant's creating transaction). Defaults are checked without asking
// whether the fallback has holders yet: a new tenant has nobody.
func (s *Service) SeedDefaults(ctx context.Context) error {
	for _, t := range s.Types() {
		reg, _ := s.typeOf(t.Code)
		if _, err := s.flowForSubmit(ctx, reg); err != nil {
			return err
		}
	}
	return nil
}

// flowForSubmit returns the type's current flow, saving the default as
// version 1 when the tenant has none.
func (s *Service) flowForSubmit(ctx context.Context, reg *registered) (*Flow, error) {
	f, err := s.store.CurrentFlow(ctx, reg.info.Code)
	if err == nil || errs.KindOf(err) != errs.NotFound {
		return f, err
	}
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	def := reg.info.DefaultFlow
	var fe errs.Fields
	if err := s.checkDefinition(ctx, &fe, reg.info, &def, false); err != nil {
		return nil, err
	}
	if err := fe.Err(); err != nil {
		return nil, fmt.Errorf("approval: default flow of %s: %w", reg.info.Code, err)
	}
	fl := &Flow{TenantID: p.TenantID, ID: ids.New(), RequestType: reg.info.Code, Version: 1, Definition: def, CreatedAt: s.nowUTC()}
	if err := s.store.InsertFlow(ctx, fl); err != nil {
		return nil, err
	}
	return fl, s.record(ctx, "seed", ObjectFlow, fl.ID, map[string]any{"requestType": reg.info.Code, "version": 1})
}

// checkDefinition validates and normalises a definition at design time.
// live also requires the fallback to resolve to someone today.
func (s *Service) checkDefinition(ctx context.Context, f *errs.Fields, info TypeInfo, def *Definition, live bool) error {
	if len(def.Branches) == 0 {
		f.Add("definition.branches", "required")
		return nil
	}
	if len(def.Branches) > maxBranches {
		f.Add("definition.branches", "too_many_items", errs.Params{"max": maxBranches})
		return nil
	}
	for b := range def.Branches {
		br := &def.Branches[b]
		path := fmt.Sprintf("definition.branches[%d]", b)
		br.Name = validate.Normalize(br.Name)
		f.Check(utf8.RuneCountInString(br.Name) <= 50, path+".name", "too_long", errs.Params{"max": 50})
		last := b == len(def.Branches)-1
		switch {
		case last && len(br.When) > 0:
			f.Add(path+".when", "approval.default_branch_required")
		case !last && len(br.When) == 0:
			f.Add(path+".when", "approval.unreachable_branch")
		case len(br.When) > maxConditions:
			f.Add(path+".when", "too_many_items", errs.Params{"max": maxConditions})
		}
		normalizeConditions(f, path+".when", info, br.When)
		if len(br.Nodes) == 0 {
			f.Add(path+".nodes", "approval.no_nodes")
			continue
		}
		if len(br.Nodes) > maxNodes {
			f.Add(path+".nodes", "too_many_items", errs.Params{"max": maxNodes})
			continue
		}
		for n := range br.Nodes {
			nd := &br.Nodes[n]
			np := fmt.Sprintf("%s.nodes[%d]", path, n)
			nd.Name = validate.Normalize(nd.Name)
			f.Check(nd.Name != "", np+".name", "required")
			f.Check(utf8.RuneCountInString(nd.Name) <= 50, np+".name", "too_long", errs.Params{"max": 50})
			if nd.Mode == "" {
				nd.Mode = ModeAny
			}
			f.Check(nd.Mode == ModeAny || nd.Mode == ModeAll, np+".mode", "invalid_choice")
			if len(nd.When) > maxConditions {
				f.Add(np+".when", "too_many_items", errs.Params{"max": maxConditions})
			}
			normalizeConditions(f, np+".when", info, nd.When)
			if len(nd.Approvers) == 0 {
				f.Add(np+".approvers", "required")
			}
			if err := s.checkApprovers(ctx, f, np+".approvers", info, nd.Approvers, false); err != nil {
				return err
			}
			if err := s.checkApprovers(ctx, f, np+".fallback", info, nd.Fallback, true); err != nil {
				return err
			}
			if err := s.checkApprovers(ctx, f, np+".escalateTo", info, nd.EscalateTo, false); err != nil {
				return err
			}
			if nd.TimeoutHours < 0 || nd.TimeoutHours > maxTimeout {
				f.Add(np+".timeoutHours", "out_of_range", errs.Params{"min": 0, "max": maxTimeout})
			}
			switch {
			case nd.TimeoutHours == 0:
				nd.OnTimeout, nd.EscalateTo = "", nil
			case nd.OnTimeout == "":
				nd.OnTimeout = TimeoutRemind
			}
			f.Check(nd.OnTimeout == "" || nd.OnTimeout == TimeoutRemind || nd.OnTimeout == TimeoutEscalate, np+".onTimeout", "invalid_choice")
			// Anything but named accounts can resolve to nobody (no
			// manager, a department without a head, a role nobody holds).
			if len(nd.Fallback) == 0 && slices.ContainsFunc(nd.Approvers, func(a Approver) bool { return a.Kind != ApproverUsers }) {
				if len(def.Fallback) == 0 {
					f.Add(np+".fallback", "approval.fallback_required")
				}
			}
		}
	}
	if err := s.checkApprovers(ctx, f, "definition.fallback", info, def.Fallback, true); err != nil {
		return err
	}
	if err := s.checkApprovers(ctx, f, "definition.cc", info, def.CC, false); err != nil {
		return err
	}
	if live && len(def.Fallback) > 0 && !f.Has("definition.fallback") {
		users, err := s.resolve(ctx, &subject{fallback: true}, def.Fallback)
		if err != nil {
			return err
		}
		if len(users) == 0 {
			f.Add("definition.fallback", "approval.fallback_empty")
		}
	}
	return nil
}

// checkApprovers validates a list of approvers. A fallback may name only
// roles or accounts: it must not itself depend on the applicant.
func (s *Service) checkApprovers(ctx context.Context, f *errs.Fields, path string, info TypeInfo, list []Approver, fallback bool) error {
	if len(list) > maxApprovers {
		f.Add(path, "too_many_items", errs.Params{"max": maxApprovers})
		return nil
	}
	for i := range list {
		a := &list[i]
		at := fmt.Sprintf("%s[%d]", path, i)
		a.Role = strings.TrimSpace(a.Role)
		a.Field = strings.TrimSpace(a.Field)
		if fallback && a.Kind != ApproverRole && a.Kind != ApproverUsers {
			f.Add(at+".kind", "approval.fallback_kind")
			continue
		}
		switch a.Kind {
		case ApproverManager:
			if a.Level == 0 {
				a.Level = 1
			}
			f.Check(a.Level >= 1 && a.Level <= maxLevel, at+".level", "out_of_range", errs.Params{"min": 1, "max": maxLevel})
			a.Field, a.Role, a.UserIDs = "", "", nil
		case ApproverDepartmentHead:
			f.Check(a.Level >= 0 && a.Level <= maxLevel, at+".level", "out_of_range", errs.Params{"min": 0, "max": maxLevel})
			if a.Field != "" {
				spec, ok := fieldSpec(info, a.Field)
				switch {
				case !ok:
					f.Add(at+".field", "approval.unknown_field", errs.Params{"name": a.Field})
				case spec.Kind != KindDepartment:
					f.Add(at+".field", "approval.not_department_field", errs.Params{"name": a.Field})
				}
			}
			a.Role, a.UserIDs = "", nil
		case ApproverRole:
			a.Level, a.Field, a.UserIDs = 0, "", nil
			if a.Role == "" {
				f.Add(at+".role", "required")
				continue
			}
			ok, err := s.dir.RoleExists(ctx, a.Role)
			if err != nil {
				return err
			}
			f.Check(ok, at+".role", "approval.unknown_role", errs.Params{"role": a.Role})
		case ApproverUsers:
			a.Level, a.Field, a.Role = 0, "", ""
			a.UserIDs = uniqIDs(a.UserIDs)
			if len(a.UserIDs) == 0 {
				f.Add(at+".userIds", "required")
				continue
			}
			if len(a.UserIDs) > maxApprovers {
				f.Add(at+".userIds", "too_many_items", errs.Params{"max": maxApprovers})
				continue
			}
			users, err := s.dir.Users(ctx, a.UserIDs)
			if err != nil {
				return err
			}
			for _, id := range a.UserIDs {
				u, ok := users[id]
				if !ok || !u.Active {
					f.Add(at+".userIds", "approval.unknown_user", errs.Params{"id": id.String()})
					break
				}
			}
		default:
			f.Add(at+".kind", "invalid_choice")
		}
	}
	return nil
}

func uniqIDs(list []ids.ID) []ids.ID {
	out := make([]ids.ID, 0, len(list))
	for _, id := range list {
		if id != 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// PreviewInput asks who would approve a request of an employee.
type PreviewInput struct {
	EmployeeID ids.ID
	Fields     map[string]any
	// Definition, when set, previews an unsaved flow (checked like a save).
	Definition *Definition
}

// Preview is who would approve, node by node, if the employee submitted
// the request now.
type Preview struct {
	Branch     int           `json:"branch"`
	BranchName string        `json:"branchName"`
	Nodes      []PreviewNode `json:"nodes"`
	CC         []User        `json:"cc"`
	Fallback   []User        `json:"fallback"`
}

// PreviewNode is one node of a preview. Skipped says why a node does not
// apply: "condition" (its conditions do not hold), "applicant" or
// "approved_earlier" (every approver is skipped automatically).
type PreviewNode struct {
	Index      int           `json:"index"`
	Name       string        `json:"name"`
	Mode       string        `json:"mode"`
	Skipped    string        `json:"skipped,omitempty"`
	ByFallback bool          `json:"byFallback"`
	Approvers  []Assignee    `json:"approvers"`
	Removed    []User        `json:"removed,omitempty"`
	Error      *PreviewError `json:"error,omitempty"`
}

// PreviewError says a node cannot be resolved (nobody, not even the fallback).
type PreviewError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func previewError(ctx context.Context, e *errs.Error) *PreviewError {
	return &PreviewError{Code: e.Code, Message: i18n.T(i18n.FromContext(ctx), e.Code, e.Params)}
}

// Assignee is an approver a node resolved to; OnBehalfOf is whom the
// flow named when the task goes to his delegate.
type Assignee struct {
	UserID         ids.ID `json:"userId"`
	Name           string `json:"name"`
	OnBehalfOf     ids.ID `json:"onBehalfOf,omitempty"`
	OnBehalfOfName string `json:"onBehalfOfName,omitempty"`
}

// Preview resolves a flow for an employee as if he submitted now; each
// node's approvers are assumed to approve (later nodes skip them).
func (s *Service) Preview(ctx context.Context, requestType string, in PreviewInput) (*Preview, error) {
	if _, _, err := rbac.Require(ctx, PermFlowManage); err != nil {
		return nil, err
	}
	reg, ok := s.typeOf(requestType)
	if !ok {
		return nil, errs.NotFoundf("object.approval_type")
	}
	var def Definition
	if in.Definition != nil {
		def = *in.Definition
		var f errs.Fields
		if err := s.checkDefinition(ctx, &f, reg.info, &def, false); err != nil {
			return nil, err
		}
		if err := f.Err(); err != nil {
			return nil, err
		}
	} else {
		fl, err := s.Flow(ctx, requestType)
		if err != nil {
			return nil, err
		}
		def = fl.Definition
	}
	if in.EmployeeID == 0 {
		return nil, errs.InvalidField("employeeId", "required")
	}
	person, err := s.dir.Person(ctx, in.EmployeeID)
	if errs.KindOf(err) == errs.NotFound {
		return nil, errs.InvalidField("employeeId", "approval.unknown_employee")
	}
	if err != nil {
		return nil, err
	}
	applicant, err := s.dir.UserOfEmployee(ctx, in.EmployeeID)
	if err != nil {
		return nil, err
	}
	fields := map[string]any{}
	for k, v := range in.Fields {
		fields[k] = v
	}
	if person.DepartmentID != 0 {
		fields[SubjectDepartmentField] = person.DepartmentID.String()
	}
	sub := &subject{info: reg.info, def: &def, requestType: requestType, applicant: applicant, employee: in.EmployeeID,
		department: person.DepartmentID, fields: fields, approved: map[ids.ID]bool{}, day: s.today(ctx)}
	out := &Preview{Nodes: []PreviewNode{}}
	b, err := s.branch(ctx, sub)
	if err != nil {
		return nil, err
	}
	out.Branch, out.BranchName = b, def.Branches[b].Name
	independent := false
	for i, nd := range def.Branches[b].Nodes {
		pn := PreviewNode{Index: i, Name: nd.Name, Mode: nd.Mode, Approvers: []Assignee{}}
		a, err := s.assign(ctx, sub, &nd)
		if err != nil {
			if e, ok := err.(*errs.Error); ok && e.Kind != errs.Internal {
				pn.Error = previewError(ctx, e)
				out.Nodes = append(out.Nodes, pn)
				continue
			}
			return nil, err
		}
		pn.Skipped, pn.ByFallback, pn.Approvers, pn.Removed = a.skipped, a.fallback, a.approvers, a.removed
		for _, x := range a.approvers {
			sub.approved[x.UserID] = true
			if x.OnBehalfOf != 0 {
				sub.approved[x.OnBehalfOf] = true
			}
			independent = independent || x.UserID != applicant
		}
		out.Nodes = append(out.Nodes, pn)
	}
	fb, err := s.resolve(ctx, &subject{fallback: true, department: person.DepartmentID}, def.Fallback)
	if err != nil {
		return nil, err
	}
	out.Fallback = fb
	if !independent {
		pn := PreviewNode{Index: len(def.Branches[b].Nodes), Mode: ModeAny, ByFallback: true, Approvers: []Assignee{}}
		for _, u := range fb {
			if u.ID != applicant {
				pn.Approvers = append(pn.Approvers, Assignee{UserID: u.ID, Name: u.Name})
			}
		}
		if len(pn.Approvers) == 0 {
			pn.Error = previewError(ctx, errs.E(errs.Conflict, "approval.no_approver", errs.Params{"node": ""}))
		}
		out.Nodes = append(out.Nodes, pn)
	}
	if out.CC, err = s.resolve(ctx, sub, def.CC); err != nil {
		return nil, err
	}
	return out, nil
}
