package training

import (
	"context"

	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Reminder windows.
const (
	DeadlineNoticeDays = 2  // "due in 2 days" to the learner
	DutyNoticeDays     = 3  // "due in 3 days" to a duty's assignee
	OverdueLookback    = 60 // days past a deadline still reminded of (once)
)

// ReminderSource is the module's daily reminders for the notification
// engine: deadlines coming, learners overdue (to them and to HR), failed
// tests to retake (daily until passed or past the deadline), and the
// matrix's duties coming due or overdue (to the assignee, and when
// overdue to HR as well).
func (s *Service) ReminderSource() notify.ReminderSource { return reminders{s} }

type reminders struct{ s *Service }

func (reminders) Name() string { return "training" }

func (r reminders) Due(ctx context.Context, tenantID ids.ID, day civil.Date) ([]notify.Reminder, error) {
	s := r.s
	if p := rbac.From(ctx); p == nil || p.TenantID != tenantID {
		ctx = rbac.WithPrincipal(ctx, systemIn(ctx, tenantID))
	}
	var out []notify.Reminder
	ens, err := s.store.DueEnrollments(ctx, day.AddDays(-OverdueLookback), day.AddDays(DeadlineNoticeDays))
	if err != nil {
		return nil, err
	}
	var emps []ids.ID
	for _, e := range ens {
		emps = append(emps, e.EmployeeID)
	}
	retakes, err := s.store.FailedTests(ctx, day)
	if err != nil {
		return nil, err
	}
	for _, rt := range retakes {
		emps = append(emps, rt.EmployeeID)
	}
	people, err := s.people.People(ctx, uniqueIDs(emps))
	if err != nil {
		return nil, err
	}
	owners := map[ids.ID]ids.ID{} // program -> HR organiser
	for _, e := range ens {
		user := people[e.EmployeeID].UserID
		link := "/learn"
		if !e.DueDate.Before(day) {
			if user != 0 {
				out = append(out, notify.Reminder{Key: "training.due:" + e.ID.String() + ":" + e.DueDate.String(), Recipients: []ids.ID{user},
					Template: TemplateDeadline, Params: map[string]any{"program": e.ProgramTitle, "due": e.DueDate.String()}, Link: link,
					ObjectType: "training_enrollment", ObjectID: e.ID.String()})
			}
			continue
		}
		owner, ok := owners[e.ProgramID]
		if !ok {
			pr, err := s.store.Program(ctx, e.ProgramID)
			if err != nil {
				return nil, err
			}
			owner, owners[e.ProgramID] = pr.OwnerUserID, pr.OwnerUserID
		}
		recipients := []ids.ID{}
		if user != 0 {
			recipients = append(recipients, user)
		}
		if owner != 0 {
			recipients = append(recipients, owner)
		}
		out = append(out, notify.Reminder{Key: "training.overdue:" + e.ID.String(), Recipients: recipients, Template: TemplateOverdue,
			Params: map[string]any{"program": e.ProgramTitle, "employee": e.EmployeeName, "due": e.DueDate.String()},
			Link:   "/training/programs/" + e.ProgramID.String(), ObjectType: "training_enrollment", ObjectID: e.ID.String()})
	}
	for _, rt := range retakes {
		user := people[rt.EmployeeID].UserID
		if user == 0 {
			continue
		}
		out = append(out, notify.Reminder{Key: "training.retake:" + rt.EnrollmentID.String() + ":" + rt.ModuleID.String() + ":" + day.String(),
			Recipients: []ids.ID{user}, Template: TemplateRetake, Params: map[string]any{"module": rt.ModuleTitle, "score": rt.BestScore, "passMark": rt.PassMark},
			Link: "/learn/modules/" + rt.ModuleID.String(), ObjectType: "training_module", ObjectID: rt.ModuleID.String()})
	}
	duties, err := s.store.DutiesDue(ctx, day.AddDays(DutyNoticeDays))
	if err != nil {
		return nil, err
	}
	loc := rbac.Zone(ctx)
	programs := map[ids.ID]*Program{}
	var depts []ids.ID
	for _, d := range duties {
		depts = append(depts, d.DepartmentID)
	}
	names, err := s.people.DepartmentNames(ctx, uniqueIDs(depts))
	if err != nil {
		return nil, err
	}
	for i := range duties {
		d := &duties[i]
		dutyState(d, day, loc)
		pr := programs[d.ProgramID]
		if pr == nil {
			if pr, err = s.store.Program(ctx, d.ProgramID); err != nil {
				return nil, err
			}
			programs[d.ProgramID] = pr
		}
		if pr.State != ProgramActive {
			continue
		}
		params := map[string]any{"program": pr.Title, "duty": dutyLabel(d, dutyKindZH), "dutyEn": dutyLabel(d, dutyKindEN), "department": names[d.DepartmentID], "due": d.DueDate.String(),
			"days": d.DaysLate, "since": d.SinceDays}
		link := "/training/programs/" + pr.ID.String()
		switch d.State {
		case DutyOverdue:
			recipients := []ids.ID{}
			if d.AssigneeID != 0 {
				recipients = append(recipients, d.AssigneeID)
			}
			if pr.OwnerUserID != 0 && pr.OwnerUserID != d.AssigneeID {
				recipients = append(recipients, pr.OwnerUserID)
			}
			key := "training.duty_overdue:" + d.ID.String() + ":" + d.DueDate.String()
			if d.EveryDays > 0 {
				key = "training.duty_overdue:" + d.ID.String() + ":" + day.AddDays(-d.SinceDays).String()
			}
			out = append(out, notify.Reminder{Key: key, Recipients: recipients, Template: TemplateDutyOverdue, Params: params, Link: link,
				ObjectType: ObjectDuty, ObjectID: d.ID.String()})
		case DutyOpen:
			if d.AssigneeID == 0 || d.EveryDays > 0 || d.DueDate.IsZero() {
				continue
			}
			out = append(out, notify.Reminder{Key: "training.duty_due:" + d.ID.String() + ":" + d.DueDate.String(), Recipients: []ids.ID{d.AssigneeID},
				Template: TemplateDutyDue, Params: params, Link: link, ObjectType: ObjectDuty, ObjectID: d.ID.String()})
		}
	}
	return out, nil
}

// Retake is a failed test still open to retake (store answer).
type Retake struct {
	EnrollmentID ids.ID `bun:"enrollment_id"`
	EmployeeID   ids.ID `bun:"employee_id"`
	ModuleID     ids.ID `bun:"module_id"`
	ModuleTitle  string `bun:"module_title"`
	BestScore    int    `bun:"best_score"`
	PassMark     int    `bun:"pass_mark"`
}

// dutyLabel names a duty in a message: its own title or its kind's.
func dutyLabel(d *Duty, kinds map[string]string) string {
	if d.Title != "" {
		return d.Title
	}
	label := kinds[d.Kind]
	if d.ModuleTitle != "" {
		label += "《" + d.ModuleTitle + "》"
	}
	return label
}

var dutyKindZH = map[string]string{
	DutyPlan: "制定培训计划", DutyNotify: "通知学员", DutyTrack: "跟踪学习进度", DutyCompile: "汇总培训结果",
	DutyProvide: "提供课程资料", DutyCoach: "辅导答疑", DutyGrade: "批改作业", DutyAssess: "参与考核",
	DutyStudy: "学习资料", DutyHomework: "提交作业", DutyTest: "通过考试", DutyFeedback: "反馈评价",
}

var dutyKindEN = map[string]string{
	DutyPlan: "Plan the training", DutyNotify: "Notify learners", DutyTrack: "Track progress", DutyCompile: "Compile results",
	DutyProvide: "Provide materials", DutyCoach: "Coach", DutyGrade: "Grade homework", DutyAssess: "Take part in assessment",
	DutyStudy: "Study", DutyHomework: "Hand in homework", DutyTest: "Pass the test", DutyFeedback: "Give feedback",
}

// DutyTitle names a duty for people: its own title, or its kind (and
// module) in the locale (zh-CN or en).
func DutyTitle(d *Duty, locale string) string {
	if locale == "en" {
		return dutyLabel(d, dutyKindEN)
	}
	return dutyLabel(d, dutyKindZH)
}
