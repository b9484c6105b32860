package employee_test

import (
	"slices"
	"testing"

	"github.com/renshi/renshi/internal/employee"
	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// twoPeople hires 张三 (E001, 后端组, P5, hired 2024-03-01) and 李四
// (E002, managed by him).
func twoPeople(t *testing.T, e *impEnv) {
	t.Helper()
	outs, _ := e.commit(e.hr, employee.TargetEmployees, newRun("employeeNo"), rosterRows()[:2])
	if got := actions(outs); !slices.Equal(got, []string{"new", "new"}) {
		t.Fatalf("hire: %v", got)
	}
}

func TestJobHistoryImport(t *testing.T) {
	e := newImpEnv(t)
	ctx := e.hr
	twoPeople(t, e)
	zhang := e.byNo(ctx, "E001")
	rows := []imports.Row{
		row(2, "employeeNo", "E001", "name", "张三", "effectiveDate", "2025-01-01", "reason", "晋升", "grade", "P6"),
		row(3, "employeeNo", "E001", "effectiveDate", "2025/6/1", "reason", "调动", "department", "销售部", "note", "支援销售"),
		row(4, "employeeNo", "E001", "effectiveDate", "2025-03-01", "reason", "transfer", "department", "HQ"),
		row(5, "employeeNo", "E404", "effectiveDate", "2025-03-01", "department", "HQ"),
		row(6, "employeeNo", "E002", "name", "王八", "effectiveDate", "2025-03-01", "department", "HQ"),
		row(7, "employeeNo", "E001", "effectiveDate", "2025-07-01", "reason", "升职", "grade", "P5"),
		row(8, "employeeNo", "E002", "effectiveDate", "2025-04-01", "reason", "change_manager", "manager", "E002"),
		row(9, "employeeNo", "E002", "effectiveDate", "2025-05-01", "reason", "转岗", "department", "HQ"),
	}
	outs := e.check(ctx, employee.TargetJobHistory, newRun("employeeNo"), rows...)
	want := []string{"new", "new", "failed", "failed", "failed", "failed", "failed", "failed"}
	if got := actions(outs); !slices.Equal(got, want) {
		for i, o := range outs {
			t.Logf("line %d: %v %v", i+2, o.Action, codes(o))
		}
		t.Fatalf("dry run: %v", got)
	}
	for i, w := range [][2]string{{"effectiveDate", "employee.conflicting_change"}, {"employeeNo", "imports.unknown_employee"},
		{"name", "imports.name_mismatch"}, {"grade", "employee.not_a_promotion"}, {"manager", "employee.manager_self"},
		{"reason", "invalid_choice"}} {
		if !hasCode(outs[i+2], w[0], w[1]) {
			t.Errorf("line %d lacks %v: %v", i+4, w, codes(outs[i+2]))
		}
	}
	outs, changes := e.commit(ctx, employee.TargetJobHistory, newRun("employeeNo"), rows[:2])
	if len(changes) != 2 || changes[0].ObjectType != employee.ObjectAssignment {
		t.Fatalf("changes: %v %+v", actions(outs), changes)
	}
	hist := must(e.svc.History(ctx, zhang.ID))(t)
	if len(hist) != 4 || hist[0].Reason != employee.ReasonTransfer || hist[0].DepartmentID != e.sales || hist[0].Note != "支援销售" ||
		hist[1].Reason != employee.ReasonPromote || hist[1].GradeID != e.p6 {
		t.Fatalf("history: %+v", hist)
	}
	// The same rows again: unchanged.
	outs, changes2 := e.commit(ctx, employee.TargetJobHistory, newRun("employeeNo"), rows[:2])
	if got := actions(outs); !slices.Equal(got, []string{"unchanged", "unchanged"}) || len(changes2) != 0 {
		t.Fatalf("again: %v %v", got, codes(outs[0]))
	}
	// A resignation, dated by the last working day.
	outs, leave := e.commit(ctx, employee.TargetJobHistory, newRun("employeeNo"),
		[]imports.Row{row(2, "employeeNo", "E002", "reason", "离职", "leaveDate", "2025-12-31", "leaveReason", "个人发展")})
	if outs[0].Action != imports.ActionNew {
		t.Fatalf("resign: %v", codes(outs[0]))
	}
	li := e.byNo(ctx, "E002")
	if rows := must(e.store.Assignments(ctx, li.ID))(t); rows[len(rows)-1].Status != employee.StatusLeft ||
		rows[len(rows)-1].LeaveDate != civil.MustParse("2025-12-31") {
		t.Fatalf("left: %+v", rows[len(rows)-1])
	}
	// Rollback restores the history (newest change first).
	if err := e.rollback(ctx, employee.TargetJobHistory, leave); err != nil {
		t.Fatal(err)
	}
	if err := e.rollback(ctx, employee.TargetJobHistory, changes); err != nil {
		t.Fatal(err)
	}
	hist = must(e.svc.History(ctx, zhang.ID))(t)
	if len(hist) != 2 || e.byNo(ctx, "E001").DepartmentID != e.backend || e.byNo(ctx, "E002").Status != employee.StatusRegular {
		t.Fatalf("after rollback: %+v", hist)
	}
	// Changed since: refused.
	_, changes = e.commit(ctx, employee.TargetJobHistory, newRun("employeeNo"), rows[:1])
	sales := e.sales
	must(e.svc.Transfer(ctx, zhang.ID, employee.Transfer{DepartmentID: &sales, EffectiveDate: e.today}))(t)
	x := wantErr(t, e.rollback(ctx, employee.TargetJobHistory, changes), errs.Conflict, "imports.rollback_conflict")
	if x.Params["records"] != "E001 张三" {
		t.Fatalf("records: %v", x.Params)
	}
	// Only with the lifecycle permission.
	if _, err := e.targets[employee.TargetJobHistory].Check(e.as(e.tenant, rbac.DeptManager), newRun("employeeNo"), rows); !errs.Is(err, errs.Forbidden, "") {
		t.Fatalf("manager: %v", err)
	}
}

func TestContractsImport(t *testing.T) {
	e := newImpEnv(t)
	ctx := e.hr
	twoPeople(t, e)
	rows := []imports.Row{
		row(2, "employeeNo", "E001", "kind", "固定期限", "startDate", "2024-03-01", "endDate", "2027-02-28"),
		row(3, "employeeNo", "E001", "kind", "fixed_term", "number", "HT-2027-001", "startDate", "2027-03-01", "endDate", "2030-02-28",
			"signingEntity", "仁时科技有限公司", "sequence", "2"),
		row(4, "employeeNo", "E001", "kind", "无固定期限", "startDate", "2030-01-01"),
		row(5, "employeeNo", "E002", "kind", "劳务", "startDate", "2025-01-01", "endDate", "2025-12-31"),
		row(6, "employeeNo", "E002", "startDate", "2025-01-01"),
		row(7, "employeeNo", "E002", "startDate", "2025-01-01", "endDate", "2025-06-30", "signingEntity", "不存在公司"),
		row(8, "employeeNo", "E002", "startDate", "2025-01-01", "endDate", "2027-12-31", "sequence", "第一"),
	}
	outs := e.check(ctx, employee.TargetContracts, newRun("employeeNo"), rows...)
	want := []string{"unchanged", "new", "failed", "failed", "failed", "failed", "failed"}
	if got := actions(outs); !slices.Equal(got, want) {
		for i, o := range outs {
			t.Logf("line %d: %v %v", i+2, o.Action, codes(o))
		}
		t.Fatalf("dry run: %v", got)
	}
	for i, w := range [][2]string{{"startDate", "employee.contract_overlap"}, {"kind", "invalid_choice"}, {"endDate", "employee.end_required"},
		{"signingEntity", "imports.unknown_reference"}, {"sequence", "imports.invalid_number"}} {
		if !hasCode(outs[i+2], w[0], w[1]) {
			t.Errorf("line %d lacks %v: %v", i+4, w, codes(outs[i+2]))
		}
	}
	_, changes := e.commit(ctx, employee.TargetContracts, newRun("employeeNo"), rows[:2])
	zhang := e.byNo(ctx, "E001")
	cs := must(e.svc.Contracts(ctx, zhang.ID))(t)
	if len(changes) != 1 || len(cs.Items) != 2 || cs.Items[1].Sequence != 2 || cs.Items[1].Number != "HT-2027-001" || !cs.OpenEndedEligible {
		t.Fatalf("contracts: %+v", cs)
	}
	outs, _ = e.commit(ctx, employee.TargetContracts, newRun("employeeNo"), rows[:2])
	if got := actions(outs); !slices.Equal(got, []string{"unchanged", "unchanged"}) {
		t.Fatalf("again: %v", got)
	}
	if err := e.rollback(ctx, employee.TargetContracts, changes); err != nil {
		t.Fatal(err)
	}
	if n := len(must(e.svc.Contracts(ctx, zhang.ID))(t).Items); n != 1 {
		t.Fatalf("after rollback: %d contracts", n)
	}
	// Changed since: refused.
	_, changes = e.commit(ctx, employee.TargetContracts, newRun("employeeNo"), rows[1:2])
	c := must(e.svc.Contracts(ctx, zhang.ID))(t).Items[1]
	must(e.svc.UpdateContract(ctx, zhang.ID, c.ID, employee.ContractUpdate{Number: ptr("HT-X"), Version: c.Version}))(t)
	wantErr(t, e.rollback(ctx, employee.TargetContracts, changes), errs.Conflict, "imports.rollback_conflict")
}
