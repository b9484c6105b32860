package app

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/renshi/renshi/internal/demo"
	"github.com/renshi/renshi/internal/platform/civil"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
	"github.com/renshi/renshi/internal/training"
)

// seedTraining puts the training story in the demo: HR's general module
// 企业文化; 市场部's professional module 客户沟通 (陈静, its content owner,
// uploaded three materials and a 20-question test); HR's program
// 市场部新员工培训 for three people of 市场部 and 赵磊, taking new hires of
// 市场部 from now on; one learner done, 赵磊 failed once at 70, the others
// never started (overdue), and 市场部 late with 《项目实战案例》.
func (a *App) seedTraining(ctx context.Context, st *demo.Structure, accounts map[string]ids.ID, today civil.Date) error {
	as := func(login string) (context.Context, error) {
		p, err := a.Auth.ActAs(ctx, accounts[login])
		if err != nil {
			return nil, fmt.Errorf("demo training as %s: %w", login, err)
		}
		return rbac.WithPrincipal(ctx, p), nil
	}
	hr, err := as("hr.admin")
	if err != nil {
		return err
	}
	owner, err := as("mkt.chen")
	if err != nil {
		return err
	}
	var mkt ids.ID
	for _, d := range st.Departments {
		if d.Code == "MKT" {
			mkt = d.ID
		}
	}
	if mkt == 0 {
		return nil
	}
	svc := a.Training
	// The story started five days ago, so those who never began are late.
	svc.SetClock(func() time.Time { return time.Now().Add(-5 * 24 * time.Hour) })
	defer svc.SetClock(time.Now)
	today = today.AddDays(-5)
	culture, err := svc.CreateModule(hr, training.ModuleInput{Title: "企业文化与规章制度", Kind: training.General, Category: "入职必修",
		Description: "公司使命愿景、行为准则、考勤与报销制度。", CreditHours: 1, TestEnabled: true, PassMark: 80})
	if err != nil {
		return fmt.Errorf("demo culture module: %w", err)
	}
	if _, err := svc.AddMaterial(hr, culture.ID, training.MaterialInput{Title: "员工手册要点", Kind: training.MaterialText,
		Body: "一、诚信正直，客户第一。\n二、工作时间 9:00–18:00，弹性 30 分钟。\n三、报销须在费用发生后 30 天内提交。"}); err != nil {
		return err
	}
	for i, q := range []struct{ stem, ans string }{
		{"公司的第一条行为准则是诚信正直。", "true"}, {"报销可以在费用发生一年后提交。", "false"}, {"弹性工作时间为 30 分钟。", "true"},
		{"客户第一意味着可以违反公司制度。", "false"}, {"员工手册在入职时发放。", "true"}} {
		if _, err := svc.AddQuestion(hr, culture.ID, training.QuestionInput{Kind: training.TrueFalse, Stem: q.stem, Answer: []string{q.ans}}); err != nil {
			return fmt.Errorf("demo question %d: %w", i, err)
		}
	}
	comm, err := svc.CreateModule(owner, training.ModuleInput{Title: "客户沟通", Kind: training.Professional, Category: "销售技能",
		Description: "客户沟通话术、常见问题应对与沟通效果评估。", CreditHours: 3, TestEnabled: true, TestQuestions: 20, PassMark: 80, MaxAttempts: 3,
		HomeworkEnabled: true, HomeworkBrief: "写一份给新客户的首次拜访沟通提纲（不少于 300 字）。", HomeworkDueDays: 5})
	if err != nil {
		return fmt.Errorf("demo communication module: %w", err)
	}
	for _, title := range []string{"客户沟通话术模板", "常见问题应对案例", "沟通效果评估表"} {
		if _, err := svc.UploadMaterial(owner, comm.ID, training.Upload{Title: title, Name: title + ".pdf", Body: bytes.NewReader(demoPDF())}); err != nil {
			return fmt.Errorf("demo material: %w", err)
		}
	}
	for i := 0; i < 20; i++ {
		if _, err := svc.AddQuestion(owner, comm.ID, training.QuestionInput{Kind: training.Single, Stem: fmt.Sprintf("沟通情景题 %d：客户提出异议时，首先应当？", i+1),
			Options: []string{"倾听并确认客户的关切", "立即降价", "转移话题"}, Answer: []string{"0"}, Points: 5}); err != nil {
			return err
		}
	}
	var learners []ids.ID
	used := map[ids.ID]bool{}
	for i := 0; i < 3; i++ {
		if p := st.Person("MKT", false, used); p != nil {
			used[p.ID] = true
			learners = append(learners, p.ID)
		}
	}
	learner, err := as("zhao.lei")
	if err != nil {
		return err
	}
	if p := rbac.From(learner); p.EmployeeID != 0 {
		learners = append(learners, p.EmployeeID)
	}
	prog, err := svc.CreateProgram(hr, training.ProgramInput{Title: "市场部新员工培训", Description: "入职三天内完成企业文化与客户沟通。",
		ModuleIDs: []ids.ID{culture.ID, comm.ID}, StartDate: today, EndDate: today.AddDays(30), DeadlineDays: 3,
		Schedule: training.Schedule{Weekly: &training.Weekly{Weekday: 2, Start: "14:00", End: "16:00", From: today, Weeks: 4}},
		Audience: training.Audience{EmployeeIDs: learners, NewHiresOf: mkt}})
	if err != nil {
		return fmt.Errorf("demo program: %w", err)
	}
	if _, err := svc.AddDuty(hr, prog.ID, training.DutyInput{Kind: training.DutyProvide, ModuleID: comm.ID, Title: "提供《项目实战案例》",
		DueDate: today.AddDays(2)}); err != nil {
		return err
	}
	if _, err := svc.ActivateProgram(hr, prog.ID); err != nil {
		return fmt.Errorf("demo activate: %w", err)
	}
	// The first learner finishes; the second fails once at 70.
	act := func(emp ids.ID) context.Context {
		return rbac.WithPrincipal(ctx, rbac.NewPrincipal(rbac.Principal{TenantID: rbac.From(ctx).TenantID, UserID: ids.New(), EmployeeID: emp}, nil))
	}
	sit := func(lctx context.Context, module ids.ID, right int, answer, wrong string) error {
		paper, err := svc.StartAttempt(lctx, module)
		if err != nil {
			return err
		}
		answers := map[string][]string{}
		for i, q := range paper.Questions {
			if i < right {
				answers[q.ID.String()] = []string{answer}
			} else {
				answers[q.ID.String()] = []string{wrong}
			}
		}
		_, err = svc.SubmitAttempt(lctx, paper.Attempt.ID, answers)
		return err
	}
	study := func(lctx context.Context, module ids.ID) error {
		mats, err := svc.Materials(lctx, module)
		if err != nil {
			return err
		}
		for _, m := range mats {
			if _, err := svc.RecordView(lctx, m.ID, training.ViewInput{Seconds: 300}); err != nil {
				return err
			}
		}
		return nil
	}
	if len(learners) < 2 {
		return nil
	}
	// The first of 市场部 finishes; 赵磊 (who can sign in) fails once.
	first, second := act(learners[0]), act(learners[len(learners)-1])
	qs, err := svc.Questions(hr, culture.ID)
	if err != nil {
		return err
	}
	for _, l := range []context.Context{first, second} {
		if err := study(l, culture.ID); err != nil {
			return err
		}
		// True/false answers follow the bank.
		paper, err := svc.StartAttempt(l, culture.ID)
		if err != nil {
			return err
		}
		answers := map[string][]string{}
		for _, q := range qs {
			answers[q.ID.String()] = q.Answer
		}
		if _, err := svc.SubmitAttempt(l, paper.Attempt.ID, answers); err != nil {
			return err
		}
		if err := study(l, comm.ID); err != nil {
			return err
		}
	}
	if err := sit(first, comm.ID, 20, "0", "1"); err != nil {
		return err
	}
	if _, err := svc.SubmitHomework(first, comm.ID, training.HomeworkInput{Body: "首次拜访提纲：一、了解客户业务与痛点；二、介绍方案价值而非功能；三、确认下一步行动与时间。"}); err != nil {
		return err
	}
	return sit(second, comm.ID, 14, "0", "2")
}

// demoPDF is a one-page PDF naming the material, so the viewer has
// something to show.
func demoPDF() []byte {
	text := "Renshi demo material"
	var b bytes.Buffer
	offsets := []int{}
	obj := func(s string) {
		offsets = append(offsets, b.Len())
		b.WriteString(s)
	}
	b.WriteString("%PDF-1.4\n")
	obj("1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n")
	obj("2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n")
	obj("3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n")
	stream := fmt.Sprintf("BT /F1 24 Tf 72 760 Td (%s) Tj ET", text)
	obj(fmt.Sprintf("4 0 obj<</Length %d>>stream\n%s\nendstream endobj\n", len(stream), stream))
	obj("5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer<</Size %d/Root 1 0 R/Title (%s)>>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, "demo", xref)
	return b.Bytes()
}
