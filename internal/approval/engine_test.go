package approval_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

func TestDefaultFlowSubmitApprove(t *testing.T) {
	c := newCompany(t)
	// No flow saved: the default (manager, then HR in scope) is seeded.
	d := c.submit(t, c.dev.User, map[string]any{"days": 2})
	if d.State != approval.StateRunning || d.FlowVersion != 1 || d.NodeName != "直属上级" || !slices.Equal(pending(d), []string{"lead"}) {
		t.Fatalf("submitted: %+v %v", d.Instance, pending(d))
	}
	if d.Fields[approval.SubjectDepartmentField] != c.backend.String() {
		t.Fatalf("subject department not recorded: %v", d.Fields)
	}
	if got := c.Notes.Sent(approval.TemplateAssigned, c.lead.User); len(got) != 1 || got[0].Link != approval.Link(d.ID) {
		t.Fatalf("lead not notified: %+v", got)
	}
	// The applicant's own view offers withdraw and remind; the lead's approve.
	if !slices.Contains(d.Actions, "withdraw") || slices.Contains(d.Actions, "approve") {
		t.Fatalf("applicant's actions: %v", d.Actions)
	}
	v, err := c.Svc.Instance(c.As(c.lead.User), d.ID)
	if err != nil || !slices.Contains(v.Actions, "approve") {
		t.Fatalf("lead's view: %v %v", v, err)
	}
	d = must(t)(c.Svc.Approve(c.As(c.lead.User), d.ID, approval.Act{Comment: "同意"}))
	if d.NodeName != "人事" || !slices.Equal(pending(d), []string{"hr", "hrTech"}) {
		t.Fatalf("second node: %s %v", d.NodeName, pending(d))
	}
	d = must(t)(c.Svc.Approve(c.As(c.hrTech), d.ID, approval.Act{}))
	if d.State != approval.StateApproved || d.FinishedAt == nil {
		t.Fatalf("not approved: %+v", d.Instance)
	}
	if n, _ := c.leave.Calls(); n != 1 {
		t.Fatalf("the module was told %d times", n)
	}
	// hr's alternative task was settled by hrTech's approval.
	for _, tk := range d.Tasks {
		if tk.ApproverName == "hr" && tk.State != approval.TaskCancelled {
			t.Fatalf("hr's task: %s", tk.State)
		}
	}
	if len(c.Notes.Sent(approval.TemplateApproved, c.dev.User)) != 1 {
		t.Fatal("applicant not told")
	}
	want := []string{"submit", "assign", "approve", "assign", "approve", "complete"}
	if got := actions(d); !slices.Equal(got, want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
	// Acting on a finished instance: 409 (hr's task was settled by hrTech).
	if _, err := c.Svc.Approve(c.As(c.hr), d.ID, approval.Act{}); code(err) != "conflict:approval.finished" {
		t.Fatalf("approve finished: %v", err)
	}
	// Repeating one's own decision answers the instance unchanged.
	again, err := c.Svc.Approve(c.As(c.hrTech), d.ID, approval.Act{})
	if err != nil || len(again.Timeline) != len(d.Timeline) {
		t.Fatalf("repeat: %v", err)
	}
	// Lists.
	m, err := c.Svc.MyApprovals(c.As(c.dev.User), approval.MineQuery{Tab: approval.TabSubmitted})
	if err != nil || m.Total != 1 || m.Items[0].ID != d.ID || m.Counts.Submitted != 1 {
		t.Fatalf("submitted tab: %+v %v", m, err)
	}
	m, err = c.Svc.MyApprovals(c.As(c.lead.User), approval.MineQuery{Tab: approval.TabDone})
	if err != nil || m.Total != 1 || m.Items[0].TaskState != approval.TaskApproved || m.Counts.Todo != 0 {
		t.Fatalf("done tab: %+v %v", m, err)
	}
}

func TestNotCurrentApproverAndVisibility(t *testing.T) {
	c := newCompany(t)
	d := c.submit(t, c.dev.User, nil)
	// A stranger cannot even see it (ids cannot be probed).
	if _, err := c.Svc.Approve(c.As(c.outsider), d.ID, approval.Act{}); code(err) != "not_found:not_found" {
		t.Fatalf("stranger: %v", err)
	}
	if _, err := c.Svc.Instance(c.As(c.outsider), d.ID); code(err) != "not_found:not_found" {
		t.Fatalf("stranger reads: %v", err)
	}
	// The applicant sees it but is not the approver: 403.
	if _, err := c.Svc.Approve(c.As(c.dev.User), d.ID, approval.Act{}); code(err) != "forbidden:approval.not_current_approver" {
		t.Fatalf("applicant approves: %v", err)
	}
	// HR sees every instance in scope without acting on it.
	if _, err := c.Svc.Instance(c.As(c.hrTech), d.ID); err != nil {
		t.Fatalf("HR of the subtree reads: %v", err)
	}
	if _, err := c.Svc.Instance(c.As(c.hrSales), d.ID); code(err) != "not_found:not_found" {
		t.Fatalf("HR of another subtree reads: %v", err)
	}
	if _, err := c.Svc.Approve(c.As(c.hrTech), d.ID, approval.Act{}); code(err) != "forbidden:approval.not_current_approver" {
		t.Fatalf("HR approves another node: %v", err)
	}
	list, total, err := c.Svc.List(c.As(c.hrSales), approval.ListQuery{})
	if err != nil || total != 0 || len(list) != 0 {
		t.Fatalf("sales HR list: %d %v", total, err)
	}
	if _, total, _ := c.Svc.List(c.As(c.hr), approval.ListQuery{State: approval.StateRunning}); total != 1 {
		t.Fatalf("HR list: %d", total)
	}
	if _, _, err := c.Svc.List(c.As(c.dev.User), approval.ListQuery{}); code(err) != "forbidden:forbidden" {
		t.Fatalf("employee lists all: %v", err)
	}
	// Only the applicant withdraws, reminds, resubmits.
	if _, err := c.Svc.Withdraw(c.As(c.lead.User), d.ID, approval.Act{}); code(err) != "forbidden:approval.not_applicant" {
		t.Fatalf("approver withdraws: %v", err)
	}
	// A reject needs a comment.
	if _, err := c.Svc.Reject(c.As(c.lead.User), d.ID, approval.Act{}); !slices.Contains(fieldCodes(err), "comment:required") {
		t.Fatalf("reject without comment: %v", err)
	}
}

// Goroutines approve the same any-one node at once: exactly one wins, the
// others are told someone else handled it (409), on both engines.
func TestRaceOnAnyOneNode(t *testing.T) {
	c := newCompany(t)
	approvers := []ids.ID{c.hr, c.hrTech, c.outsider, c.auditor, c.boss, c.ceo.User}
	c.flow(t, c.nodes(node("any", approval.ModeAny, approval.Users(approvers...)), node("last", approval.ModeAny, approval.Users(c.cto.User))))
	for round := range 3 {
		d := c.submit(t, c.dev.User, nil)
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, len(approvers)*2)
		for i := range errs {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				_, errs[i] = c.Svc.Approve(c.As(approvers[i%len(approvers)]), d.ID, approval.Act{Comment: "ok"})
			}(i)
		}
		close(start)
		wg.Wait()
		winners := 0
		for i, err := range errs {
			switch {
			case err == nil:
				winners++
			case code(err) != "conflict:approval.already_handled":
				t.Errorf("round %d, approver %d: %v", round, i, err)
			}
		}
		// Each approver ran twice: the winner's second call is a replay
		// (success without acting), so 2 calls succeed, from one user.
		got := must(t)(c.Svc.Instance(c.As(c.dev.User), d.ID))
		approved := 0
		for _, tk := range got.Tasks {
			if tk.State == approval.TaskApproved {
				approved++
			}
		}
		if winners != 2 || approved != 1 || got.NodeName != "last" || slices.Equal(pending(got), []string{"cto"}) == false {
			t.Fatalf("round %d: %d successes, %d approvals, node %s %v", round, winners, approved, got.NodeName, pending(got))
		}
		if n := len(slices.DeleteFunc(actions(got), func(a string) bool { return a != approval.ActionApprove })); n != 1 {
			t.Fatalf("round %d: %d approvals on the timeline", round, n)
		}
	}
}

func TestAllModeNeedsEveryone(t *testing.T) {
	c := newCompany(t)
	c.flow(t, c.nodes(node("会签", approval.ModeAll, approval.Users(c.hr, c.hrTech, c.auditor))))
	d := c.submit(t, c.dev.User, nil)
	d = must(t)(c.Svc.Approve(c.As(c.hr), d.ID, approval.Act{}))
	if d.State != approval.StateRunning || !slices.Equal(pending(d), []string{"auditor", "hrTech"}) {
		t.Fatalf("after one: %v", pending(d))
	}
	d = must(t)(c.Svc.Approve(c.As(c.hr), d.ID, approval.Act{})) // repeat: no effect
	if len(pending(d)) != 2 {
		t.Fatalf("repeat changed it: %v", pending(d))
	}
	d = must(t)(c.Svc.Approve(c.As(c.auditor), d.ID, approval.Act{}))
	d = must(t)(c.Svc.Approve(c.As(c.hrTech), d.ID, approval.Act{}))
	if d.State != approval.StateApproved {
		t.Fatalf("state %s", d.State)
	}
	// One rejection ends an all node.
	d = c.submit(t, c.dev.User, nil)
	must(t)(c.Svc.Approve(c.As(c.hr), d.ID, approval.Act{}))
	d = must(t)(c.Svc.Reject(c.As(c.auditor), d.ID, approval.Act{Comment: "不行"}))
	if d.State != approval.StateRejected || len(pending(d)) != 0 {
		t.Fatalf("reject in all mode: %s %v", d.State, pending(d))
	}
}

func TestRejectEditResubmit(t *testing.T) {
	c := newCompany(t)
	// Long leaves also need the CTO.
	c.flow(t, c.nodes(node("mgr", approval.ModeAny, approval.Manager(1)),
		approval.Node{Name: "cto", Mode: approval.ModeAny, Approvers: []approval.Approver{approval.Users(c.cto.User)},
			When: []approval.Condition{{Field: "days", Op: ">", Value: 3}}}))
	d := c.submit(t, c.dev.User, map[string]any{"days": 5})
	d = must(t)(c.Svc.Approve(c.As(c.lead.User), d.ID, approval.Act{}))
	d = must(t)(c.Svc.Reject(c.As(c.cto.User), d.ID, approval.Act{Comment: "太长了"}))
	if d.State != approval.StateRejected {
		t.Fatalf("rejected: %+v", d.Instance)
	}
	if _, n := c.leave.Calls(); n != 1 {
		t.Fatal("the module was not told of the rejection")
	}
	if got := c.Notes.Sent(approval.TemplateRejected, c.dev.User); len(got) != 1 || got[0].Params["comment"] != "太长了" {
		t.Fatalf("applicant notified: %+v", got)
	}
	// Approvers cannot act on a returned request; the applicant must resubmit.
	if _, err := c.Svc.Approve(c.As(c.cto.User), d.ID, approval.Act{}); code(err) != "conflict:approval.returned" && code(err) != "" {
		t.Fatalf("approve returned: %v", err)
	}
	if _, err := c.Svc.Resubmit(c.As(c.lead.User), d.ID, approval.Resubmission{}); code(err) != "forbidden:approval.not_applicant" {
		t.Fatalf("someone else resubmits: %v", err)
	}
	d = must(t)(c.Svc.Resubmit(c.As(c.dev.User), d.ID, approval.Resubmission{Fields: map[string]any{"days": 2}, Comment: "改为两天"}))
	if d.State != approval.StateRunning || d.Round != 2 || !slices.Equal(pending(d), []string{"lead"}) {
		t.Fatalf("resubmitted: %+v %v", d.Instance, pending(d))
	}
	// Round 2: the lead approves again (his round-1 approval does not
	// count), and the CTO's node no longer applies.
	d = must(t)(c.Svc.Approve(c.As(c.lead.User), d.ID, approval.Act{}))
	if d.State != approval.StateApproved {
		t.Fatalf("round 2: %s %s", d.State, d.NodeName)
	}
	if _, err := c.Svc.Resubmit(c.As(c.dev.User), d.ID, approval.Resubmission{}); code(err) != "conflict:approval.finished" {
		t.Fatalf("resubmit approved: %v", err)
	}
}

func TestWithdraw(t *testing.T) {
	c := newCompany(t)
	d := c.submit(t, c.dev.User, nil)
	d = must(t)(c.Svc.Withdraw(c.As(c.dev.User), d.ID, approval.Act{Comment: "不请了"}))
	if d.State != approval.StateWithdrawn || len(pending(d)) != 0 {
		t.Fatalf("withdrawn: %+v", d.Instance)
	}
	if _, rej := c.leave.Calls(); rej != 1 || c.leave.Rejected[0] != d.ID.String()+":withdrawn" {
		t.Fatalf("module told: %v", c.leave.Rejected)
	}
	if len(c.Notes.Sent(approval.TemplateWithdrawn, c.lead.User)) != 1 {
		t.Fatal("the approver was not told")
	}
	if _, err := c.Svc.Approve(c.As(c.lead.User), d.ID, approval.Act{}); code(err) != "conflict:approval.finished" {
		t.Fatalf("approve withdrawn: %v", err)
	}
	again := must(t)(c.Svc.Withdraw(c.As(c.dev.User), d.ID, approval.Act{}))
	if len(again.Timeline) != len(d.Timeline) {
		t.Fatal("a second withdraw acted")
	}
	if _, err := c.Svc.Remind(c.As(c.dev.User), d.ID, approval.Act{}); code(err) != "conflict:approval.finished" {
		t.Fatalf("remind withdrawn: %v", err)
	}
	// A finished (approved) request cannot be withdrawn.
	d = c.submit(t, c.seller.User, nil) // no manager: the fallback, then HR of sales
	for _, u := range []ids.ID{c.hr, c.hrSales} {
		if _, err := c.Svc.Approve(c.As(u), d.ID, approval.Act{}); err != nil {
			t.Fatal(err)
		}
	}
	d = must(t)(c.Svc.Instance(c.As(c.seller.User), d.ID))
	if d.State != approval.StateApproved {
		t.Fatalf("seller's request: %s %v", d.State, pending(d))
	}
	if _, err := c.Svc.Withdraw(c.As(c.seller.User), d.ID, approval.Act{}); code(err) != "conflict:approval.finished" {
		t.Fatalf("withdraw approved: %v", err)
	}
}

func TestTransferAndAddApprovers(t *testing.T) {
	c := newCompany(t)
	c.flow(t, c.nodes(node("mgr", approval.ModeAny, approval.Manager(1)), node("hr", approval.ModeAny, approval.Users(c.hr))))
	d := c.submit(t, c.dev.User, nil)
	lead := c.As(c.lead.User)
	// Transfer: not to oneself, nor to the applicant.
	if _, err := c.Svc.Transfer(lead, d.ID, approval.TransferInput{To: c.lead.User}); !slices.Contains(fieldCodes(err), "toUserId:approval.self") {
		t.Fatalf("transfer to self: %v", err)
	}
	if _, err := c.Svc.Transfer(lead, d.ID, approval.TransferInput{To: c.dev.User}); !slices.Contains(fieldCodes(err), "toUserId:approval.to_applicant") {
		t.Fatalf("transfer to applicant: %v", err)
	}
	d = must(t)(c.Svc.Transfer(lead, d.ID, approval.TransferInput{To: c.cto.User, Comment: "出差，请 CTO 处理"}))
	if !slices.Equal(pending(d), []string{"cto"}) {
		t.Fatalf("after transfer: %v", pending(d))
	}
	if _, err := c.Svc.Approve(lead, d.ID, approval.Act{}); code(err) != "forbidden:approval.not_current_approver" {
		t.Fatalf("the transferring approver still acts: %v", err)
	}
	// Add before: the CTO asks the CEO first; his own task waits.
	cto := c.As(c.cto.User)
	d = must(t)(c.Svc.AddApprovers(cto, d.ID, approval.AddInput{UserIDs: []ids.ID{c.ceo.User}, Position: approval.Before, Comment: "请先看"}))
	if !slices.Equal(pending(d), []string{"ceo"}) {
		t.Fatalf("after add-before: %v", pending(d))
	}
	if _, err := c.Svc.Approve(cto, d.ID, approval.Act{}); code(err) != "conflict:approval.waiting_for_added" {
		t.Fatalf("waiting approver acts: %v", err)
	}
	d = must(t)(c.Svc.Approve(c.As(c.ceo.User), d.ID, approval.Act{}))
	if d.NodeName != "mgr" || !slices.Equal(pending(d), []string{"cto"}) {
		t.Fatalf("back to the CTO: %s %v", d.NodeName, pending(d))
	}
	if len(c.Notes.Sent(approval.TemplateReturned, c.cto.User)) != 1 {
		t.Fatal("cto not told his task is back")
	}
	// Add after: the CTO approves and the auditor must approve too.
	d = must(t)(c.Svc.AddApprovers(cto, d.ID, approval.AddInput{UserIDs: []ids.ID{c.auditor}, Position: approval.After}))
	if d.NodeName != "mgr" || !slices.Equal(pending(d), []string{"auditor"}) {
		t.Fatalf("after add-after: %s %v", d.NodeName, pending(d))
	}
	d = must(t)(c.Svc.Approve(c.As(c.auditor), d.ID, approval.Act{}))
	if d.NodeName != "hr" {
		t.Fatalf("node after the added approver: %s", d.NodeName)
	}
	if _, err := c.Svc.AddApprovers(c.As(c.hr), d.ID, approval.AddInput{UserIDs: []ids.ID{c.outsider}, Position: "middle"}); !slices.Contains(fieldCodes(err), "position:invalid_choice") {
		t.Fatalf("bad position: %v", err)
	}
	d = must(t)(c.Svc.Approve(c.As(c.hr), d.ID, approval.Act{}))
	if d.State != approval.StateApproved {
		t.Fatal(d.State)
	}
	want := []string{"submit", "assign", "transfer", "add_before", "approve", "add_after", "approve", "assign", "approve", "complete"}
	if got := actions(d); !slices.Equal(got, want) {
		t.Fatalf("timeline %v\nwant %v", got, want)
	}
}

func TestDelegation(t *testing.T) {
	c := newCompany(t)
	today := civil.Of(c.Now())
	lead := c.As(c.lead.User)
	in := approval.DelegationInput{DelegateUserID: c.cto.User, RequestType: leaveType, StartDate: today, EndDate: today.AddDays(6)}
	dl, err := c.Svc.CreateDelegation(lead, in)
	if err != nil || dl.DelegateName != "cto" {
		t.Fatalf("delegate: %+v %v", dl, err)
	}
	// Refused: circular (cto → lead on a common day), overlapping, self, past.
	if _, err := c.Svc.CreateDelegation(c.As(c.cto.User), approval.DelegationInput{DelegateUserID: c.lead.User, StartDate: today.AddDays(3), EndDate: today.AddDays(9)}); !slices.Contains(fieldCodes(err), "delegateUserId:approval.delegation_cycle") {
		t.Fatalf("circular: %v", err)
	}
	// A longer circle: ceo → dev → lead → cto → ceo.
	if _, err := c.Svc.CreateDelegation(c.As(c.ceo.User), approval.DelegationInput{DelegateUserID: c.dev.User, StartDate: today, EndDate: today}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Svc.CreateDelegation(c.As(c.dev.User), approval.DelegationInput{DelegateUserID: c.lead.User, StartDate: today, EndDate: today}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Svc.CreateDelegation(c.As(c.cto.User), approval.DelegationInput{DelegateUserID: c.ceo.User, StartDate: today, EndDate: today}); !slices.Contains(fieldCodes(err), "delegateUserId:approval.delegation_cycle") {
		t.Fatalf("long circle: %v", err)
	}
	if _, err := c.Svc.CreateDelegation(lead, in); code(err) != "conflict:approval.delegation_overlap" {
		t.Fatalf("overlap: %v", err)
	}
	if _, err := c.Svc.CreateDelegation(lead, approval.DelegationInput{DelegateUserID: c.lead.User, StartDate: today, EndDate: today}); !slices.Contains(fieldCodes(err), "delegateUserId:approval.self") {
		t.Fatalf("self: %v", err)
	}
	if _, err := c.Svc.CreateDelegation(c.As(c.hr), approval.DelegationInput{DelegateUserID: c.lead.User, StartDate: today.AddDays(-5), EndDate: today.AddDays(-1)}); !slices.Contains(fieldCodes(err), "endDate:approval.date_past") {
		t.Fatalf("past: %v", err)
	}
	// The seller's manager-less request is unaffected; the intern's goes
	// to dev → (dev delegates to lead today) → lead → cto.
	d := c.submit(t, c.intern.User, nil)
	if !slices.Equal(pending(d), []string{"cto"}) || d.Tasks[0].OnBehalfOf != c.dev.User || d.Tasks[0].OnBehalfOfName != "dev" {
		t.Fatalf("delegated task: %v %+v", pending(d), d.Tasks)
	}
	// The dev request goes to the cto on behalf of the lead.
	d = c.submit(t, c.dev.User, nil)
	if !slices.Equal(pending(d), []string{"cto"}) || d.Tasks[0].OnBehalfOf != c.lead.User {
		t.Fatalf("dev's request: %v", pending(d))
	}
	// The lead may still look at it (it was his), but the CTO decides.
	if _, err := c.Svc.Instance(lead, d.ID); err != nil {
		t.Fatal(err)
	}
	must(t)(c.Svc.Approve(c.As(c.cto.User), d.ID, approval.Act{}))
	list, err := c.Svc.Delegations(lead)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %v", list, err)
	}
	if err := c.Svc.DeleteDelegation(c.As(c.cto.User), list[0].ID); code(err) != "not_found:not_found" {
		t.Fatalf("someone else deletes: %v", err)
	}
	if err := c.Svc.DeleteDelegation(lead, list[0].ID); err != nil {
		t.Fatal(err)
	}
	// After the range ends nothing is delegated.
	c.Advance(8 * 24 * time.Hour)
	d = c.submit(t, c.dev.User, nil)
	if !slices.Equal(pending(d), []string{"lead"}) {
		t.Fatalf("after the delegation: %v", pending(d))
	}
}

func TestEscalationAndTimeout(t *testing.T) {
	c := newCompany(t)
	c.flow(t, c.nodes(
		approval.Node{Name: "mgr", Approvers: []approval.Approver{approval.Manager(1)}, TimeoutHours: 24, OnTimeout: approval.TimeoutEscalate},
		approval.Node{Name: "hr", Approvers: []approval.Approver{approval.Users(c.hr)}, TimeoutHours: 2}))
	d := c.submit(t, c.intern.User, nil)
	if n, err := c.Svc.EscalateAll(context.Background()); err != nil || n != 0 {
		t.Fatalf("nothing due yet: %d %v", n, err)
	}
	c.Advance(25 * time.Hour)
	if n, err := c.Svc.EscalateAll(context.Background()); err != nil || n != 1 {
		t.Fatalf("escalate: %d %v", n, err)
	}
	d = must(t)(c.Svc.Instance(c.As(c.intern.User), d.ID))
	// The dev's manager (lead) joins the dev's task: either decides.
	if !slices.Equal(pending(d), []string{"dev", "lead"}) || !slices.Contains(actions(d), approval.ActionEscalate) {
		t.Fatalf("escalated: %v %v", pending(d), actions(d))
	}
	if len(c.Notes.Sent(approval.TemplateEscalated, c.lead.User)) != 1 || len(c.Notes.Sent(approval.TemplateTimeout, c.dev.User)) != 1 {
		t.Fatal("escalation notifications")
	}
	// Handled once: another run does nothing.
	if n, _ := c.Svc.EscalateAll(context.Background()); n != 0 {
		t.Fatalf("escalated twice: %d", n)
	}
	d = must(t)(c.Svc.Approve(c.As(c.lead.User), d.ID, approval.Act{}))
	if d.NodeName != "hr" {
		t.Fatalf("after the escalated approval: %s", d.NodeName)
	}
	if _, err := c.Svc.Approve(c.As(c.dev.User), d.ID, approval.Act{}); code(err) != "conflict:approval.already_handled" {
		t.Fatalf("the overdue approver after escalation: %v", err)
	}
	// Remind on timeout (the default): the approver is told once.
	c.Advance(3 * time.Hour)
	if n, err := c.Svc.EscalateAll(context.Background()); err != nil || n != 1 {
		t.Fatalf("timeout: %d %v", n, err)
	}
	d = must(t)(c.Svc.Instance(c.As(c.intern.User), d.ID))
	if !slices.Equal(pending(d), []string{"hr"}) || !slices.Contains(actions(d), approval.ActionTimeout) || len(c.Notes.Sent(approval.TemplateTimeout, c.hr)) != 1 {
		t.Fatalf("reminded: %v %v", pending(d), actions(d))
	}
}

func TestRemindRateLimit(t *testing.T) {
	c := newCompany(t)
	d := c.submit(t, c.dev.User, nil)
	if _, err := c.Svc.Remind(c.As(c.lead.User), d.ID, approval.Act{}); code(err) != "forbidden:approval.not_applicant" {
		t.Fatalf("approver reminds: %v", err)
	}
	must(t)(c.Svc.Remind(c.As(c.dev.User), d.ID, approval.Act{}))
	if len(c.Notes.Sent(approval.TemplateRemind, c.lead.User)) != 1 {
		t.Fatal("not reminded")
	}
	if _, err := c.Svc.Remind(c.As(c.dev.User), d.ID, approval.Act{}); code(err) != "too_many:approval.remind_too_soon" {
		t.Fatalf("second remind: %v", err)
	}
	c.Advance(61 * time.Minute)
	must(t)(c.Svc.Remind(c.As(c.dev.User), d.ID, approval.Act{}))
	if len(c.Notes.Sent(approval.TemplateRemind, c.lead.User)) != 2 {
		t.Fatal("the second reminder was not sent")
	}
}

func TestIdempotencyKeys(t *testing.T) {
	c := newCompany(t)
	dev := c.As(c.dev.User)
	a, err := c.Svc.Submit(dev, approval.Submission{Type: leaveType, RequestKey: "k-1"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Svc.Submit(dev, approval.Submission{Type: leaveType, RequestKey: "k-1"})
	if err != nil || b.ID != a.ID {
		t.Fatalf("same key: %v %v", b, err)
	}
	if m, _ := c.Svc.MyApprovals(dev, approval.MineQuery{Tab: approval.TabSubmitted}); m.Total != 1 {
		t.Fatalf("%d instances", m.Total)
	}
	lead := c.As(c.lead.User)
	x := must(t)(c.Svc.Approve(lead, a.ID, approval.Act{RequestKey: "lead-1"}))
	y := must(t)(c.Svc.Approve(lead, a.ID, approval.Act{RequestKey: "lead-1"}))
	if len(x.Timeline) != len(y.Timeline) || x.Version != y.Version {
		t.Fatal("a replayed key acted again")
	}
	other := c.submit(t, c.intern.User, nil)
	// A key names one request of its user: reusing it elsewhere is refused.
	if _, err := c.Svc.Approve(c.As(c.dev.User), other.ID, approval.Act{RequestKey: "k-1"}); code(err) != "conflict:approval.request_key_reused" {
		t.Fatalf("the submission's key used for an approval: %v", err)
	}
	if _, err := c.Svc.Approve(lead, other.ID, approval.Act{RequestKey: "lead-1"}); code(err) != "conflict:approval.request_key_reused" {
		t.Fatalf("key reused on another instance: %v", err)
	}
}

func TestCallbackFailureRollsBack(t *testing.T) {
	c := newCompany(t)
	c.flow(t, c.nodes(node("hr", approval.ModeAny, approval.Users(c.hr))))
	d := c.submit(t, c.dev.User, nil)
	c.leave.Fail = errs.E(errs.Conflict, "approval.finished")
	if _, err := c.Svc.Approve(c.As(c.hr), d.ID, approval.Act{}); err == nil {
		t.Fatal("the module's failure must fail the approval")
	}
	got := must(t)(c.Svc.Instance(c.As(c.hr), d.ID))
	if got.State != approval.StateRunning || !slices.Equal(pending(got), []string{"hr"}) || len(got.Timeline) != len(d.Timeline) {
		t.Fatalf("half-written: %s %v %v", got.State, pending(got), actions(got))
	}
	c.leave.Fail = nil
	if got := must(t)(c.Svc.Approve(c.As(c.hr), d.ID, approval.Act{})); got.State != approval.StateApproved {
		t.Fatal(got.State)
	}
}

func TestNeverApprovedSilently(t *testing.T) {
	c := newCompany(t)
	// The only approver is the applicant himself: the fallback decides.
	c.flow(t, c.nodes(node("self", approval.ModeAny, approval.Users(c.dev.User))))
	d := c.submit(t, c.dev.User, nil)
	if d.State != approval.StateRunning || !slices.Equal(pending(d), []string{"hr"}) {
		t.Fatalf("self-approval: %s %v", d.State, pending(d))
	}
	// The fallback is the applicant too, and nobody else: refused.
	c.flow(t, approval.Definition{Branches: []approval.Branch{{Nodes: []approval.Node{node("self", approval.ModeAny, approval.Manager(1))}}},
		Fallback: []approval.Approver{approval.Users(c.hr)}})
	if _, err := c.Svc.Submit(c.As(c.hr), approval.Submission{Type: leaveType}); code(err) != "conflict:approval.no_approver" {
		t.Fatalf("nobody but the applicant: %v", err)
	}
}

func TestFlowVersionsKeepRunningInstances(t *testing.T) {
	c := newCompany(t)
	c.flow(t, c.nodes(node("v1-a", approval.ModeAny, approval.Users(c.hr)), node("v1-b", approval.ModeAny, approval.Users(c.auditor))))
	old := c.submit(t, c.dev.User, nil)
	c.flow(t, c.nodes(node("v2", approval.ModeAny, approval.Users(c.outsider))))
	fresh := c.submit(t, c.dev.User, nil)
	if fresh.FlowVersion != 2 || fresh.NodeName != "v2" {
		t.Fatalf("new instance: v%d %s", fresh.FlowVersion, fresh.NodeName)
	}
	d := must(t)(c.Svc.Approve(c.As(c.hr), old.ID, approval.Act{}))
	if d.FlowVersion != 1 || d.NodeName != "v1-b" || len(d.Nodes) != 2 {
		t.Fatalf("running instance switched flows: v%d %s", d.FlowVersion, d.NodeName)
	}
}

func TestCCAndTabs(t *testing.T) {
	c := newCompany(t)
	def := c.nodes(node("hr", approval.ModeAny, approval.Users(c.hr)))
	def.CC = []approval.Approver{approval.Users(c.auditor), approval.Manager(1)}
	c.flow(t, def)
	d := c.submit(t, c.dev.User, nil)
	m, err := c.Svc.MyApprovals(c.As(c.hr), approval.MineQuery{})
	if err != nil || m.Total != 1 || m.Items[0].TaskID == 0 || m.Items[0].Title != d.Title || m.Counts.Todo != 1 {
		t.Fatalf("to-do: %+v %v", m, err)
	}
	must(t)(c.Svc.Approve(c.As(c.hr), d.ID, approval.Act{}))
	for _, u := range []ids.ID{c.auditor, c.lead.User} {
		m, err := c.Svc.MyApprovals(c.As(u), approval.MineQuery{Tab: approval.TabCC})
		if err != nil || m.Total != 1 || m.Items[0].ID != d.ID {
			t.Fatalf("cc tab: %+v %v", m, err)
		}
		if len(c.Notes.Sent(approval.TemplateCC, u)) != 1 {
			t.Fatal("cc not notified")
		}
		// CC recipients may read the request.
		if _, err := c.Svc.Instance(c.As(u), d.ID); err != nil {
			t.Fatal(err)
		}
	}
	// Filters narrow a tab (counts stay the tabs' sizes).
	c.submit(t, c.seller.User, nil)
	for _, tc := range []struct {
		q    approval.MineQuery
		want int
	}{
		{approval.MineQuery{Tab: approval.TabDone, State: approval.StateApproved}, 1},
		{approval.MineQuery{Tab: approval.TabDone, State: approval.StateRunning}, 0},
		{approval.MineQuery{Tab: approval.TabTodo, Query: "SELL"}, 1},
		{approval.MineQuery{Tab: approval.TabTodo, Query: "dev"}, 0},
		{approval.MineQuery{Tab: approval.TabTodo, RequestType: leaveType, From: civil.Of(c.Now()), To: civil.Of(c.Now())}, 1},
		{approval.MineQuery{Tab: approval.TabTodo, From: civil.Of(c.Now()).AddDays(1)}, 0},
	} {
		m, err := c.Svc.MyApprovals(c.As(c.hr), tc.q)
		if err != nil || m.Total != tc.want || len(m.Items) != tc.want || m.Counts.Todo != 1 || m.Counts.Done != 1 {
			t.Errorf("%+v: total %d items %d counts %+v %v", tc.q, m.Total, len(m.Items), m.Counts, err)
		}
	}
	if _, err := c.Svc.MyApprovals(c.As(c.hr), approval.MineQuery{Tab: "all"}); !slices.Contains(fieldCodes(err), "tab:invalid_choice") {
		t.Fatalf("bad tab: %v", err)
	}
	counts, err := c.Svc.Counts(c.As(c.hr))
	if err != nil || counts != (approval.Counts{Todo: 1, Done: 1}) {
		t.Fatalf("counts: %+v %v", counts, err)
	}
}

func TestWaitingReminders(t *testing.T) {
	c := newCompany(t)
	c.submit(t, c.dev.User, nil)
	c.submit(t, c.seller.User, nil)
	count := func() []approval.Message {
		var out []approval.Message
		if err := c.Svc.Reminders(c.System(), c.Now(), func(m approval.Message) error { out = append(out, m); return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if n := len(count()); n != 0 {
		t.Fatalf("%d reminders before a day", n)
	}
	c.Advance(25 * time.Hour)
	got := count()
	if len(got) != 2 || got[0].Template != approval.TemplateWaiting || got[0].Params["days"] != 1 {
		t.Fatalf("reminders: %+v", got)
	}
	c.Advance(24 * time.Hour)
	if again := count(); again[0].Key == got[0].Key {
		t.Fatal("the second day's reminder has the first one's key")
	}
}

func TestUnknownTypeAndSubmitChecks(t *testing.T) {
	c := newCompany(t)
	if _, err := c.Svc.Submit(c.As(c.dev.User), approval.Submission{Type: "nope"}); !slices.Contains(fieldCodes(err), "type:approval.unknown_type") {
		t.Fatalf("unknown type: %v", err)
	}
	c.leave.Check = func(_ context.Context, in *approval.Instance) error {
		if in.Fields["days"] == nil {
			return errs.InvalidField("days", "required")
		}
		in.Title = "dev 请假"
		return nil
	}
	if _, err := c.Svc.Submit(c.As(c.dev.User), approval.Submission{Type: leaveType}); !slices.Contains(fieldCodes(err), "days:required") {
		t.Fatalf("type's validation: %v", err)
	}
	d := c.submit(t, c.dev.User, map[string]any{"days": 1})
	if d.Title != "dev 请假" {
		t.Fatal(d.Title)
	}
	if _, err := c.Svc.Submit(context.Background(), approval.Submission{Type: leaveType}); code(err) != "unauthenticated:unauthenticated" {
		t.Fatalf("anonymous: %v", err)
	}
	var _ = errors.New
	var _ = rbac.HRAdmin
}
