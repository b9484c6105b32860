package training

import (
	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/platform/i18n"
)

// Notification templates.
const (
	CategoryTraining          = "training"
	TemplateAssigned          = "training.assigned"
	TemplateRetake            = "training.retake"
	TemplateDeadline          = "training.deadline"
	TemplateOverdue           = "training.overdue"
	TemplateHomeworkSubmitted = "training.homework_submitted"
	TemplateHomeworkGraded    = "training.homework_graded"
	TemplateDutyDue           = "training.duty_due"
	TemplateDutyOverdue       = "training.duty_overdue"
)

func register(locale string, msgs map[string]string) {
	own := map[string]string{}
	for k, v := range msgs {
		if !i18n.Has(locale, k) {
			own[k] = v
		}
	}
	i18n.Register(locale, own)
}

func template(key, zhSubject, zhBody, enSubject, enBody string) {
	notify.RegisterTemplate(notify.Template{Key: key, Category: CategoryTraining,
		Subject: map[string]string{i18n.ZH: zhSubject, i18n.EN: enSubject},
		Body:    map[string]string{i18n.ZH: zhBody, i18n.EN: enBody}})
}

func init() {
	notify.RegisterCategory(notify.Category{Key: CategoryTraining, EmailDefault: true})
	template(TemplateAssigned, "新的培训任务：{{.program}}", "您已被安排参加培训「{{.program}}」{{if .due}}，请在 {{.due}} 前完成{{end}}。",
		"New training: {{.program}}", "You are enrolled in \"{{.program}}\"{{if .due}}; please complete it by {{.due}}{{end}}.")
	template(TemplateRetake, "请重新参加考试：{{.module}}", "您在「{{.module}}」的考试得分 {{.score}}，未达到及格线 {{.passMark}}，请复习后重新参加考试。",
		"Please retake the test: {{.module}}", "You scored {{.score}} on the test of \"{{.module}}\"; the pass mark is {{.passMark}}. Please review and retake it.")
	template(TemplateDeadline, "培训即将到期：{{.program}}", "培训「{{.program}}」将于 {{.due}} 到期，请尽快完成。",
		"Training due soon: {{.program}}", "\"{{.program}}\" is due on {{.due}}; please complete it.")
	template(TemplateOverdue, "培训已逾期：{{.program}}", "{{.employee}} 的培训「{{.program}}」已于 {{.due}} 到期，尚未完成。",
		"Training overdue: {{.program}}", "{{.employee}}'s training \"{{.program}}\" was due on {{.due}} and is not complete.")
	template(TemplateHomeworkSubmitted, "待批改作业：{{.module}}", "{{.employee}} 提交了「{{.module}}」的作业，请批改。",
		"Homework to grade: {{.module}}", "{{.employee}} handed in homework for \"{{.module}}\"; please grade it.")
	template(TemplateHomeworkGraded, "作业已批改：{{.module}}", "您在「{{.module}}」的作业已批改，得分 {{.score}}。",
		"Homework graded: {{.module}}", "Your homework for \"{{.module}}\" was graded: {{.score}}.")
	template(TemplateDutyDue, "培训职责即将到期：{{.duty}}", "培训「{{.program}}」中您负责的「{{.duty}}」将于 {{.due}} 到期。",
		"Training duty due: {{.dutyEn}}", "Your duty \"{{.dutyEn}}\" in \"{{.program}}\" is due on {{.due}}.")
	template(TemplateDutyOverdue, "培训职责已逾期：{{.duty}}", "培训「{{.program}}」中{{if .department}}{{.department}}{{end}}负责的「{{.duty}}」已逾期{{if .days}} {{.days}} 天{{end}}。",
		"Training duty overdue: {{.dutyEn}}", "The duty \"{{.dutyEn}}\"{{if .department}} of {{.department}}{{end}} in \"{{.program}}\" is overdue{{if .days}} by {{.days}} days{{end}}.")

	register(i18n.ZH, map[string]string{
		"notify.category.training": "培训",

		"training.general_owned_by_hr":   "通用课程由人力资源部维护，您不能修改",
		"training.owned_by_department":   "该专业课程由{department}维护，您不能修改或删除其内容",
		"training.no_employee":           "您的账号未关联员工档案",
		"training.material_kind_fixed":   "新版本的资料类型须与原资料一致",
		"training.options_count":         "选择题需要 2 到 10 个选项",
		"training.answer_invalid":        "标准答案不正确",
		"training.test_not_assigned":     "您没有被安排这门课程的考试",
		"training.already_passed":        "您已通过该考试",
		"training.no_attempts_left":      "考试次数已用完（最多 {max} 次）",
		"training.no_questions":          "该课程题库中还没有题目",
		"training.attempt_started":       "考试已经开始，请刷新页面",
		"training.unknown_question":      "答案中有不属于本次考试的题目",
		"training.time_up":               "已超过考试时限，本次作答已保存但不计为通过（得分 {score}）",
		"training.not_awaiting_grade":    "该答卷不在待评阅状态",
		"training.homework_not_assigned": "您没有被安排这门课程的作业",
		"training.homework_graded":       "作业已批改，不能再修改",
		"training.file_not_yours":        "附件不存在或不是您上传的",
		"training.end_before_start":      "结束时间不能早于开始时间",
		"training.unknown_module":        "课程不存在",
		"training.module_archived":       "课程「{title}」已归档",
		"training.modules_fixed":         "培训项目启动后不能更改课程",
		"training.program_closed":        "培训项目已结束",
		"training.program_not_draft":     "只有草稿状态的项目可以启动",
		"training.program_not_active":    "培训项目未在进行中",
		"training.no_such_employees":     "所选员工不存在或已离职",
		"training.out_of_scope":          "{name} 不在您可管理的范围内",
		"training.module_not_in_program": "该课程不在本培训项目中",
		"training.not_assignee":          "只有负责人或培训管理员可以确认该职责",

		"object.training_module":     "课程",
		"object.training_material":   "课程资料",
		"object.training_question":   "题目",
		"object.training_program":    "培训项目",
		"object.training_enrollment": "培训任务",
		"object.training_attempt":    "答卷",
		"object.training_homework":   "作业",
		"object.training_duty":       "培训职责",

		"perm.training.module.read":                "查看培训课程",
		"perm.training.module.manage_general":      "维护通用课程",
		"perm.training.module.manage_professional": "维护本部门专业课程",
		"perm.training.work.grade":                 "批改作业与主观题",
		"perm.training.program.manage":             "管理培训项目",
		"perm.training.program.read":               "查看培训进度与报表",
		"perm.training.session.manage":             "管理培训课堂",
		"perm.training.cost.manage":                "登记培训费用",
		"perm.training.cost.read":                  "查看培训费用",

		"field.creditHours":       "学时",
		"field.testQuestions":     "抽题数量",
		"field.passMark":          "及格分",
		"field.timeLimitMinutes":  "考试时长",
		"field.maxAttempts":       "考试次数",
		"field.homeworkBrief":     "作业要求",
		"field.homeworkDueDays":   "作业期限",
		"field.ownerDepartmentId": "所属部门",
		"field.stem":              "题干",
		"field.options":           "选项",
		"field.answer":            "标准答案",
		"field.points":            "分值",
		"field.moduleIds":         "课程",
		"field.deadlineDays":      "完成期限",
		"field.evidence":          "完成说明",
		"field.rating":            "评分",
		"field.score":             "分数",
		"field.answers":           "答案",
		"field.url":               "链接",
		"field.body":              "内容",
	})
	register(i18n.EN, map[string]string{
		"notify.category.training": "Training",

		"training.general_owned_by_hr":   "General modules are maintained by HR; you cannot change them",
		"training.owned_by_department":   "This professional module is maintained by {department}; you cannot change or delete its content",
		"training.no_employee":           "Your account is not linked to an employee record",
		"training.material_kind_fixed":   "A new version must be of the same kind as the material",
		"training.options_count":         "A choice question needs 2 to 10 options",
		"training.answer_invalid":        "The answer key is not valid",
		"training.test_not_assigned":     "This module's test is not assigned to you",
		"training.already_passed":        "You have passed this test",
		"training.no_attempts_left":      "No attempts left (at most {max})",
		"training.no_questions":          "This module's question bank is empty",
		"training.attempt_started":       "The test has already started; reload the page",
		"training.unknown_question":      "The answers name a question that is not in this test",
		"training.time_up":               "Submitted after the time limit: the answers are kept but do not pass (score {score})",
		"training.not_awaiting_grade":    "This attempt is not waiting for a grade",
		"training.homework_not_assigned": "This module's homework is not assigned to you",
		"training.homework_graded":       "The homework has been graded and can no longer change",
		"training.file_not_yours":        "The file does not exist or was not uploaded by you",
		"training.end_before_start":      "The end cannot be before the start",
		"training.unknown_module":        "No such module",
		"training.module_archived":       "The module \"{title}\" is archived",
		"training.modules_fixed":         "A program's modules cannot change once it is active",
		"training.program_closed":        "The program is closed",
		"training.program_not_draft":     "Only a draft program can be activated",
		"training.program_not_active":    "The program is not active",
		"training.no_such_employees":     "The chosen employees do not exist or have left",
		"training.out_of_scope":          "{name} is outside the departments you manage",
		"training.module_not_in_program": "The module is not part of this program",
		"training.not_assignee":          "Only the assignee or a program manager can confirm this duty",

		"object.training_module":     "Module",
		"object.training_material":   "Material",
		"object.training_question":   "Question",
		"object.training_program":    "Training program",
		"object.training_enrollment": "Training task",
		"object.training_attempt":    "Attempt",
		"object.training_homework":   "Homework",
		"object.training_duty":       "Training duty",

		"perm.training.module.read":                "View training modules",
		"perm.training.module.manage_general":      "Maintain general modules",
		"perm.training.module.manage_professional": "Maintain the department's professional modules",
		"perm.training.work.grade":                 "Grade homework and short answers",
		"perm.training.program.manage":             "Manage training programs",
		"perm.training.program.read":               "View training progress and reports",
		"perm.training.session.manage":             "Manage classroom sessions",
		"perm.training.cost.manage":                "Record training costs",
		"perm.training.cost.read":                  "View training costs",

		"field.creditHours":       "Credit hours",
		"field.testQuestions":     "Questions drawn",
		"field.passMark":          "Pass mark",
		"field.timeLimitMinutes":  "Time limit",
		"field.maxAttempts":       "Attempts",
		"field.homeworkBrief":     "Homework brief",
		"field.homeworkDueDays":   "Homework due",
		"field.ownerDepartmentId": "Owning department",
		"field.stem":              "Question",
		"field.options":           "Options",
		"field.answer":            "Answer key",
		"field.points":            "Points",
		"field.moduleIds":         "Modules",
		"field.deadlineDays":      "Deadline",
		"field.evidence":          "Evidence",
		"field.rating":            "Rating",
		"field.score":             "Score",
		"field.answers":           "Answers",
		"field.url":               "Link",
		"field.body":              "Content",
	})
}
