package employee

import "github.com/renshi/renshi/internal/platform/i18n"

// Messages of the import targets. The "imports." codes are shared with
// the import engine and the org module's target: whoever registers a key
// first keeps its text (register skips keys already known).
func init() {
	zh := map[string]string{
		"employee.import.target.employees":      "员工花名册",
		"employee.import.target.job_history":    "任职记录（调动、晋升、转正、离职）",
		"employee.import.target.contracts":      "劳动合同",
		"imports.duplicate_key":                 "与第 {line} 行重复",
		"imports.duplicate_in_file":             "{field}与第 {line} 行重复",
		"imports.job_change_not_supported":      "{field}与员工当前任职不同：在职员工的任职变动须有变动日期，请用“任职记录”导入",
		"imports.contract_change_not_supported": "员工没有这份合同：新增或变更合同请用“劳动合同”导入",
		"imports.unknown_department":            "找不到部门“{value}”（可填写部门编码或完整路径，如 技术部/后端组；或选择“自动创建缺少的部门”）",
		"imports.ambiguous_department":          "“{value}”对应多个部门（{paths}），请填写部门编码或完整路径",
		"imports.unknown_reference":             "找不到“{value}”，请填写编码或名称",
		"imports.ambiguous_reference":           "“{value}”对应多条记录，请填写编码",
		"imports.unknown_employee":              "找不到员工“{value}”（请填写工号，或唯一的姓名）",
		"imports.ambiguous_employee":            "姓名“{value}”对应 {count} 名员工，请填写工号",
		"imports.manager_row_failed":            "直属上级在第 {line} 行，该行有错误未能导入",
		"imports.invalid_number":                "{field}应为整数",
		"imports.cannot_create_departments":     "当前无法自动创建部门",
		"imports.name_mismatch":                 "姓名与工号不符（该工号为 {name}）",
		"imports.rollback_conflict":             "以下记录在导入后又被修改过，不能撤销导入：{records}",
	}
	en := map[string]string{
		"employee.import.target.employees":      "Employee roster",
		"employee.import.target.job_history":    "Job history (transfers, promotions, regularisation, leaving)",
		"employee.import.target.contracts":      "Labour contracts",
		"imports.duplicate_key":                 "Same as line {line}",
		"imports.duplicate_in_file":             "{field} is the same as on line {line}",
		"imports.job_change_not_supported":      "{field} differs from the employee's current job: a job change needs an effective date; import it as job history",
		"imports.contract_change_not_supported": "The employee has no such contract: record contracts with the contracts import",
		"imports.unknown_department":            "No department \"{value}\" (give its code or full path such as Tech/Backend, or choose to create missing departments)",
		"imports.ambiguous_department":          "\"{value}\" matches several departments ({paths}); give the code or the full path",
		"imports.unknown_reference":             "Nothing called \"{value}\"; give a code or a name",
		"imports.ambiguous_reference":           "\"{value}\" matches several records; give the code",
		"imports.unknown_employee":              "No employee \"{value}\" (give the employee number, or a unique name)",
		"imports.ambiguous_employee":            "The name \"{value}\" matches {count} employees; give the employee number",
		"imports.manager_row_failed":            "The manager is on line {line}, which has errors and was not imported",
		"imports.invalid_number":                "{field} must be a whole number",
		"imports.cannot_create_departments":     "Departments cannot be created automatically here",
		"imports.name_mismatch":                 "The name does not match the employee number (which belongs to {name})",
		"imports.rollback_conflict":             "These records were changed after the import, so it cannot be rolled back: {records}",
	}
	for _, defs := range [][]colDef{rosterDefs, historyDefs, contractDefs} {
		for _, d := range defs {
			zh[labelKey(d.key)] = d.zh
			en[labelKey(d.key)] = d.en
		}
	}
	register(i18n.ZH, zh)
	register(i18n.EN, en)
}
