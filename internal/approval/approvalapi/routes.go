// Package approvalapi exposes the approval engine over HTTP: request
// types, flow design with preview, "my approvals" with counts, instances
// and their actions, HR's list, and delegations.
package approvalapi

import (
	"context"
	"net/http"
	"reflect"

	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/web"
)

type handlers struct{ svc *approval.Service }

// Routes registers the route table. Acting on one's own tasks and
// requests is open to every signed-in user: the service checks the caller
// is the current approver (403 otherwise) or the applicant, and answers
// 404 for instances he may not see.
func Routes(api *web.API, svc *approval.Service) {
	aliasSchemas(api)
	h := &handlers{svc: svc}
	tags := []string{"approvals"}
	o := func(method, path, id, summary, perm string, status int) web.Op {
		return web.Op{Method: method, Path: path, ID: id, Summary: summary, Tags: tags, Permission: perm, Status: status}
	}
	const (
		get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
		auth, manage        = web.Authenticated, approval.PermFlowManage
	)
	web.Register(api, o(get, "/approval-types", "list-approval-types", "Request types and the fields conditions may test", auth, 0), h.types)
	// Flow design.
	web.Register(api, o(get, "/approval-flows", "list-approval-flows", "Each request type's current flow (or its default)", manage, 0), h.flows)
	web.Register(api, o(get, "/approval-flows/{type}", "get-approval-flow", "A request type's current flow (or its default)", manage, 0), h.flow)
	web.Register(api, o(put, "/approval-flows/{type}", "save-approval-flow", "Save a new version of a request type's flow", manage, 0), h.saveFlow)
	web.Register(api, o(get, "/approval-flows/{type}/versions", "list-approval-flow-versions", "Saved versions, newest first", manage, 0), h.versions)
	web.Register(api, o(post, "/approval-flows/{type}/preview", "preview-approval-flow", "Who would approve for an employee (the saved flow or an unsaved definition)", manage, 0), h.preview)
	// Instances.
	web.Register(api, o(get, "/approvals/mine", "my-approvals", "My approvals: to do, done, submitted by me, CC'd to me, with counts", auth, 0), h.mine)
	web.Register(api, o(get, "/approvals/counts", "my-approval-counts", "Counts of my four lists (the badge)", auth, 0), h.counts)
	web.Register(api, o(get, "/approvals/mine/export", "export-my-approvals", "Export a tab of my approvals with its filters", auth, 0), h.exportMine)
	web.Register(api, o(get, "/approvals/export", "export-approvals", "Export the requests in scope with the list's filters (HR)", approval.PermReadAll, 0), h.export)
	web.Register(api, o(get, "/approvals", "list-approvals", "All requests in scope (HR)", approval.PermReadAll, 0), h.list)
	web.Register(api, o(post, "/approvals", "submit-approval", "Submit a request (Idempotency-Key header or requestKey makes it idempotent)", auth, 201), h.submit)
	web.Register(api, o(get, "/approvals/{id}", "get-approval", "A request with its tasks, timeline, nodes and my possible actions", auth, 0), h.get)
	web.Register(api, o(post, "/approvals/{id}/approve", "approve-approval", "Approve my task on the current node", auth, 0), h.approve)
	web.Register(api, o(post, "/approvals/{id}/reject", "reject-approval", "Reject (comment required): back to the applicant", auth, 0), h.reject)
	web.Register(api, o(post, "/approvals/{id}/withdraw", "withdraw-approval", "Withdraw my request before it ends", auth, 0), h.withdraw)
	web.Register(api, o(post, "/approvals/{id}/resubmit", "resubmit-approval", "Edit and resubmit my returned request", auth, 0), h.resubmit)
	web.Register(api, o(post, "/approvals/{id}/transfer", "transfer-approval", "Hand my task to someone else (转交)", auth, 0), h.transfer)
	web.Register(api, o(post, "/approvals/{id}/add-approvers", "add-approval-approvers", "Add approvers before or after me (加签)", auth, 0), h.addApprovers)
	web.Register(api, o(post, "/approvals/{id}/remind", "remind-approval", "Remind the current approvers (催办; at most once an hour)", auth, 0), h.remind)
	// Delegations.
	web.Register(api, o(get, "/approval-delegations", "list-approval-delegations", "My delegations", auth, 0), h.delegations)
	web.Register(api, o(post, "/approval-delegations", "create-approval-delegation", "Delegate my approvals while away", auth, 201), h.createDelegation)
	web.Register(api, o(del, "/approval-delegations/{id}", "delete-approval-delegation", "End a delegation", auth, 204), h.deleteDelegation)
}

// Schema names are global in the OpenAPI document: the module's types
// appear under prefixed names so no other module's types clash with them.
type (
	ApprovalDetail       approval.Detail
	ApprovalInstance     approval.Instance
	ApprovalTask         approval.Task
	ApprovalEvent        approval.Event
	ApprovalNodeView     approval.NodeView
	ApprovalFlow         approval.Flow
	ApprovalDefinition   approval.Definition
	ApprovalBranch       approval.Branch
	ApprovalNode         approval.Node
	ApprovalApprover     approval.Approver
	ApprovalCondition    approval.Condition
	ApprovalType         approval.Type
	ApprovalFieldSpec    approval.FieldSpec
	ApprovalItem         approval.Item
	ApprovalCounts       approval.Counts
	ApprovalMine         approval.Mine
	ApprovalPreview      approval.Preview
	ApprovalPreviewNode  approval.PreviewNode
	ApprovalPreviewError approval.PreviewError
	ApprovalAssignee     approval.Assignee
	ApprovalUser         approval.User
	ApprovalDelegation   approval.Delegation
)

func aliasSchemas(api *web.API) {
	r := api.OpenAPI().Components.Schemas
	for from, to := range map[reflect.Type]reflect.Type{
		reflect.TypeFor[approval.Detail]():       reflect.TypeFor[ApprovalDetail](),
		reflect.TypeFor[approval.Instance]():     reflect.TypeFor[ApprovalInstance](),
		reflect.TypeFor[approval.Task]():         reflect.TypeFor[ApprovalTask](),
		reflect.TypeFor[approval.Event]():        reflect.TypeFor[ApprovalEvent](),
		reflect.TypeFor[approval.NodeView]():     reflect.TypeFor[ApprovalNodeView](),
		reflect.TypeFor[approval.Flow]():         reflect.TypeFor[ApprovalFlow](),
		reflect.TypeFor[approval.Definition]():   reflect.TypeFor[ApprovalDefinition](),
		reflect.TypeFor[approval.Branch]():       reflect.TypeFor[ApprovalBranch](),
		reflect.TypeFor[approval.Node]():         reflect.TypeFor[ApprovalNode](),
		reflect.TypeFor[approval.Approver]():     reflect.TypeFor[ApprovalApprover](),
		reflect.TypeFor[approval.Condition]():    reflect.TypeFor[ApprovalCondition](),
		reflect.TypeFor[approval.Type]():         reflect.TypeFor[ApprovalType](),
		reflect.TypeFor[approval.FieldSpec]():    reflect.TypeFor[ApprovalFieldSpec](),
		reflect.TypeFor[approval.Item]():         reflect.TypeFor[ApprovalItem](),
		reflect.TypeFor[approval.Counts]():       reflect.TypeFor[ApprovalCounts](),
		reflect.TypeFor[approval.Mine]():         reflect.TypeFor[ApprovalMine](),
		reflect.TypeFor[approval.Preview]():      reflect.TypeFor[ApprovalPreview](),
		reflect.TypeFor[approval.PreviewNode]():  reflect.TypeFor[ApprovalPreviewNode](),
		reflect.TypeFor[approval.PreviewError](): reflect.TypeFor[ApprovalPreviewError](),
		reflect.TypeFor[approval.Assignee]():     reflect.TypeFor[ApprovalAssignee](),
		reflect.TypeFor[approval.User]():         reflect.TypeFor[ApprovalUser](),
		reflect.TypeFor[approval.Delegation]():   reflect.TypeFor[ApprovalDelegation](),
	} {
		r.RegisterTypeAlias(from, to)
	}
}

func reply[T any](v T, err error) (*web.Body[T], error) {
	if err != nil {
		return nil, err
	}
	return web.Reply(v), nil
}

// ---- types and flows

// ApprovalTypes lists the registered request types.
type ApprovalTypes struct {
	Items []approval.Type `json:"items"`
}

func (h *handlers) types(_ context.Context, _ *struct{}) (*web.Body[*ApprovalTypes], error) {
	return web.Reply(&ApprovalTypes{Items: h.svc.Types()}), nil
}

// ApprovalFlows lists flows.
type ApprovalFlows struct {
	Items []approval.Flow `json:"items"`
}

func (h *handlers) flows(ctx context.Context, _ *struct{}) (*web.Body[*ApprovalFlows], error) {
	list, err := h.svc.Flows(ctx)
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []approval.Flow{}
	}
	return web.Reply(&ApprovalFlows{Items: list}), nil
}

// TypePath addresses a request type.
type TypePath struct {
	Type string `path:"type" maxLength:"100" doc:"request type code, e.g. employee.bank_account"`
}

func (h *handlers) flow(ctx context.Context, in *TypePath) (*web.Body[*approval.Flow], error) {
	return reply(h.svc.Flow(ctx, in.Type))
}

func (h *handlers) versions(ctx context.Context, in *TypePath) (*web.Body[*ApprovalFlows], error) {
	list, err := h.svc.FlowVersions(ctx, in.Type)
	if err != nil {
		return nil, err
	}
	return web.Reply(&ApprovalFlows{Items: list}), nil
}

// ApprovalFlowBody is a new version of a flow.
type ApprovalFlowBody struct {
	Name       string              `json:"name,omitempty" required:"false" maxLength:"50"`
	Definition approval.Definition `json:"definition"`
}

type saveFlowInput struct {
	TypePath
	Body ApprovalFlowBody
}

func (h *handlers) saveFlow(ctx context.Context, in *saveFlowInput) (*web.Body[*approval.Flow], error) {
	return reply(h.svc.SaveFlow(ctx, in.Type, approval.FlowInput{Name: in.Body.Name, Definition: in.Body.Definition}))
}

// ApprovalPreviewBody asks who would approve for an employee.
type ApprovalPreviewBody struct {
	EmployeeID ids.ID               `json:"employeeId"`
	Fields     map[string]any       `json:"fields,omitempty" required:"false"`
	Definition *approval.Definition `json:"definition,omitempty" required:"false" doc:"an unsaved definition; default: the current flow"`
}

type previewInput struct {
	TypePath
	Body ApprovalPreviewBody
}

func (h *handlers) preview(ctx context.Context, in *previewInput) (*web.Body[*approval.Preview], error) {
	return reply(h.svc.Preview(ctx, in.Type, approval.PreviewInput{EmployeeID: in.Body.EmployeeID, Fields: in.Body.Fields, Definition: in.Body.Definition}))
}

// ---- lists

// MineFilters choose and narrow a tab of "my approvals".
type MineFilters struct {
	Tab   string     `query:"tab" enum:"todo,done,submitted,cc," doc:"default todo"`
	Type  string     `query:"type" maxLength:"100" doc:"request type code"`
	State string     `query:"state" enum:"running,approved,rejected,withdrawn," doc:"the request's state"`
	Q     string     `query:"q" maxLength:"100" doc:"title or applicant contains"`
	From  civil.Date `query:"from" doc:"submitted on or after (YYYY-MM-DD)"`
	To    civil.Date `query:"to" doc:"submitted on or before (YYYY-MM-DD)"`
}

func (f MineFilters) query(page, size int) approval.MineQuery {
	return approval.MineQuery{Tab: f.Tab, RequestType: f.Type, State: f.State, Query: f.Q, From: f.From, To: f.To, Page: page, Size: size}
}

type mineInput struct {
	MineFilters
	Page     int `query:"page" minimum:"1" default:"1"`
	PageSize int `query:"pageSize" minimum:"1" maximum:"200" default:"20"`
}

func (h *handlers) mine(ctx context.Context, in *mineInput) (*web.Body[*approval.Mine], error) {
	return reply(h.svc.MyApprovals(ctx, in.query(in.Page, in.PageSize)))
}

func (h *handlers) counts(ctx context.Context, _ *struct{}) (*web.Body[approval.Counts], error) {
	return reply(h.svc.Counts(ctx))
}

// ListFilters narrow HR's list of every request in scope.
type ListFilters struct {
	State       string     `query:"state" enum:"running,approved,rejected,withdrawn," doc:"default: all"`
	Type        string     `query:"type" maxLength:"100"`
	ApplicantID ids.ID     `query:"applicantId" doc:"the applicant's account"`
	EmployeeID  ids.ID     `query:"employeeId" doc:"the employee the request is about"`
	Q           string     `query:"q" maxLength:"100" doc:"title or applicant contains"`
	From        civil.Date `query:"from" doc:"submitted on or after (YYYY-MM-DD)"`
	To          civil.Date `query:"to" doc:"submitted on or before (YYYY-MM-DD)"`
}

func (f ListFilters) query(page, size int) approval.ListQuery {
	return approval.ListQuery{State: f.State, RequestType: f.Type, Applicant: f.ApplicantID, Subject: f.EmployeeID,
		Query: f.Q, From: f.From, To: f.To, Page: page, Size: size}
}

type listInput struct {
	ListFilters
	web.PageQuery
}

// ApprovalPage is a page of requests.
type ApprovalPage struct {
	Items    []approval.Instance `json:"items"`
	Total    int                 `json:"total"`
	Page     int                 `json:"page"`
	PageSize int                 `json:"pageSize"`
}

func (h *handlers) list(ctx context.Context, in *listInput) (*web.Body[*ApprovalPage], error) {
	items, total, err := h.svc.List(ctx, in.query(in.Page, in.PageSize))
	if err != nil {
		return nil, err
	}
	return web.Reply(&ApprovalPage{Items: items, Total: total, Page: in.Page, PageSize: in.PageSize}), nil
}

// ---- instances

// Idem carries the Idempotency-Key header.
type Idem struct {
	Key string `header:"Idempotency-Key" maxLength:"100" doc:"makes the action idempotent: a repeat answers the request as it is"`
}

// key prefers the header, then the body's requestKey.
func (i Idem) key(body string) string {
	if i.Key != "" {
		return i.Key
	}
	return body
}

// ApprovalSubmitBody is a new request.
type ApprovalSubmitBody struct {
	Type       string         `json:"type" minLength:"1" maxLength:"100"`
	Fields     map[string]any `json:"fields,omitempty" required:"false"`
	RequestKey string         `json:"requestKey,omitempty" required:"false" maxLength:"100"`
}

type submitInput struct {
	Idem
	Body ApprovalSubmitBody
}

func (h *handlers) submit(ctx context.Context, in *submitInput) (*web.Body[*approval.Detail], error) {
	return reply(h.svc.Submit(ctx, approval.Submission{Type: in.Body.Type, Fields: in.Body.Fields, RequestKey: in.key(in.Body.RequestKey)}))
}

func (h *handlers) get(ctx context.Context, in *web.IDPath) (*web.Body[*approval.Detail], error) {
	return reply(h.svc.Instance(ctx, in.ID))
}

// ApprovalActBody comments an action.
type ApprovalActBody struct {
	Comment    string `json:"comment,omitempty" required:"false" maxLength:"500"`
	RequestKey string `json:"requestKey,omitempty" required:"false" maxLength:"100"`
}

type actInput struct {
	web.IDPath
	Idem
	Body *ApprovalActBody `required:"false"`
}

func (in *actInput) act() approval.Act {
	var b ApprovalActBody
	if in.Body != nil {
		b = *in.Body
	}
	return approval.Act{Comment: b.Comment, RequestKey: in.key(b.RequestKey)}
}

func (h *handlers) approve(ctx context.Context, in *actInput) (*web.Body[*approval.Detail], error) {
	return reply(h.svc.Approve(ctx, in.ID, in.act()))
}

func (h *handlers) reject(ctx context.Context, in *actInput) (*web.Body[*approval.Detail], error) {
	return reply(h.svc.Reject(ctx, in.ID, in.act()))
}

func (h *handlers) withdraw(ctx context.Context, in *actInput) (*web.Body[*approval.Detail], error) {
	return reply(h.svc.Withdraw(ctx, in.ID, in.act()))
}

func (h *handlers) remind(ctx context.Context, in *actInput) (*web.Body[*approval.Detail], error) {
	return reply(h.svc.Remind(ctx, in.ID, in.act()))
}

// ApprovalResubmitBody is an edited request.
type ApprovalResubmitBody struct {
	Fields     map[string]any `json:"fields,omitempty" required:"false" doc:"replace the request's fields; omitted keeps them"`
	Comment    string         `json:"comment,omitempty" required:"false" maxLength:"500"`
	RequestKey string         `json:"requestKey,omitempty" required:"false" maxLength:"100"`
}

type resubmitInput struct {
	web.IDPath
	Idem
	Body *ApprovalResubmitBody `required:"false"`
}

func (h *handlers) resubmit(ctx context.Context, in *resubmitInput) (*web.Body[*approval.Detail], error) {
	var b ApprovalResubmitBody
	if in.Body != nil {
		b = *in.Body
	}
	return reply(h.svc.Resubmit(ctx, in.ID, approval.Resubmission{Fields: b.Fields, Comment: b.Comment, RequestKey: in.key(b.RequestKey)}))
}

// ApprovalTransferBody hands a task to someone else.
type ApprovalTransferBody struct {
	ToUserID   ids.ID `json:"toUserId"`
	Comment    string `json:"comment,omitempty" required:"false" maxLength:"500"`
	RequestKey string `json:"requestKey,omitempty" required:"false" maxLength:"100"`
}

type transferInput struct {
	web.IDPath
	Idem
	Body ApprovalTransferBody
}

func (h *handlers) transfer(ctx context.Context, in *transferInput) (*web.Body[*approval.Detail], error) {
	return reply(h.svc.Transfer(ctx, in.ID, approval.TransferInput{To: in.Body.ToUserID, Comment: in.Body.Comment, RequestKey: in.key(in.Body.RequestKey)}))
}

// ApprovalAddBody adds approvers before or after the caller.
type ApprovalAddBody struct {
	UserIDs    []ids.ID `json:"userIds" maxItems:"10"`
	Position   string   `json:"position" enum:"before,after"`
	Comment    string   `json:"comment,omitempty" required:"false" maxLength:"500"`
	RequestKey string   `json:"requestKey,omitempty" required:"false" maxLength:"100"`
}

type addInput struct {
	web.IDPath
	Idem
	Body ApprovalAddBody
}

func (h *handlers) addApprovers(ctx context.Context, in *addInput) (*web.Body[*approval.Detail], error) {
	return reply(h.svc.AddApprovers(ctx, in.ID, approval.AddInput{UserIDs: in.Body.UserIDs, Position: in.Body.Position,
		Comment: in.Body.Comment, RequestKey: in.key(in.Body.RequestKey)}))
}

// ---- delegations

// ApprovalDelegations lists delegations.
type ApprovalDelegations struct {
	Items []approval.Delegation `json:"items"`
}

func (h *handlers) delegations(ctx context.Context, _ *struct{}) (*web.Body[*ApprovalDelegations], error) {
	list, err := h.svc.Delegations(ctx)
	if err != nil {
		return nil, err
	}
	return web.Reply(&ApprovalDelegations{Items: list}), nil
}

// ApprovalDelegationBody delegates the caller's approvals.
type ApprovalDelegationBody struct {
	DelegateUserID ids.ID     `json:"delegateUserId"`
	RequestType    string     `json:"requestType,omitempty" required:"false" maxLength:"100" doc:"empty: every type"`
	StartDate      civil.Date `json:"startDate"`
	EndDate        civil.Date `json:"endDate"`
	Note           string     `json:"note,omitempty" required:"false" maxLength:"200"`
}

type delegationInput struct {
	Body ApprovalDelegationBody
}

func (h *handlers) createDelegation(ctx context.Context, in *delegationInput) (*web.Body[*approval.Delegation], error) {
	b := in.Body
	return reply(h.svc.CreateDelegation(ctx, approval.DelegationInput{DelegateUserID: b.DelegateUserID, RequestType: b.RequestType,
		StartDate: b.StartDate, EndDate: b.EndDate, Note: b.Note}))
}

func (h *handlers) deleteDelegation(ctx context.Context, in *web.IDPath) (*web.Empty, error) {
	return &web.Empty{}, h.svc.DeleteDelegation(ctx, in.ID)
}
