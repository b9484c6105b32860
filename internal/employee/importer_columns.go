package employee

import (
	"context"
	"slices"
	"sync"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/platform/clean"
)

// colDef describes a column of an import target: its key, kind, the
// Chinese and English labels (registered as "employee.import.col.<key>")
// and further header aliases.
type colDef struct {
	key       string
	kind      string
	zh, en    string
	max       int
	sensitive bool
	enum      string // enums() key for enum columns
	required  bool
	aliases   []string
}

// rosterDefs are the roster's columns (custom fields come after them).
var rosterDefs = []colDef{
	{key: "employeeNo", kind: imports.KindText, zh: "工号", en: "Employee No", max: 32,
		aliases: []string{"员工编号", "员工号", "职工编号", "工号/编号", "Employee Number", "Employee ID", "Emp No", "Staff No"}},
	{key: "name", kind: imports.KindText, zh: "姓名", en: "Name", max: 50,
		aliases: []string{"员工姓名", "名字", "Full Name", "Employee Name"}},
	{key: "lastName", kind: imports.KindText, zh: "姓", en: "Last Name", max: 50, aliases: []string{"姓氏", "Surname", "Family Name"}},
	{key: "firstName", kind: imports.KindText, zh: "名", en: "First Name", max: 50, aliases: []string{"Given Name"}},
	{key: "middleName", kind: imports.KindText, zh: "中间名", en: "Middle Name", max: 50},
	{key: "englishName", kind: imports.KindText, zh: "英文名", en: "English Name", max: 100, aliases: []string{"英文姓名"}},
	{key: "gender", kind: imports.KindEnum, zh: "性别", en: "Gender", enum: "gender", aliases: []string{"Sex"}},
	{key: "birthDate", kind: imports.KindDate, zh: "出生日期", en: "Date of Birth", aliases: []string{"生日", "出生年月日", "Birth Date", "Birthday", "DOB"}},
	{key: "idType", kind: imports.KindEnum, zh: "证件类型", en: "ID Type", enum: "id_type", aliases: []string{"Document Type"}},
	{key: "idNumber", kind: imports.KindIDNumber, zh: "身份证号", en: "ID Number", max: 30, sensitive: true,
		aliases: []string{"身份证号码", "身份证", "证件号码", "证件号", "ID No", "ID Card Number", "National ID"}},
	{key: "passportNumber", kind: imports.KindText, zh: "护照号", en: "Passport Number", max: 20, sensitive: true,
		aliases: []string{"护照号码", "Passport No"}},
	{key: "nationality", kind: imports.KindText, zh: "国籍", en: "Nationality", max: 50},
	{key: "ethnicity", kind: imports.KindText, zh: "民族", en: "Ethnicity", max: 20, aliases: []string{"Ethnic Group"}},
	{key: "maritalStatus", kind: imports.KindEnum, zh: "婚姻状况", en: "Marital Status", enum: "marital_status", aliases: []string{"婚否"}},
	{key: "hukouType", kind: imports.KindEnum, zh: "户口类型", en: "Hukou Type", enum: "hukou_type", aliases: []string{"户口性质", "户籍类型"}},
	{key: "hukouPlace", kind: imports.KindText, zh: "户籍地", en: "Hukou Location", max: 100, aliases: []string{"户籍所在地", "户口所在地"}},
	{key: "highestDegree", kind: imports.KindEnum, zh: "最高学历", en: "Highest Degree", enum: "degree", aliases: []string{"学历", "Education"}},
	{key: "school", kind: imports.KindText, zh: "毕业院校", en: "School", max: 100, aliases: []string{"毕业学校", "University"}},
	{key: "major", kind: imports.KindText, zh: "专业", en: "Major", max: 100},
	{key: "graduationDate", kind: imports.KindDate, zh: "毕业日期", en: "Graduation Date", aliases: []string{"毕业时间"}},
	// Text, not KindMobile: the record also takes international numbers
	// (+852…), which the module checks itself.
	{key: "mobile", kind: imports.KindText, zh: "手机", en: "Mobile", max: 20,
		aliases: []string{"手机号", "手机号码", "移动电话", "联系电话", "Mobile Phone", "Cell Phone", "Cell Number"}},
	{key: "email", kind: imports.KindEmail, zh: "邮箱", en: "Email", max: 254, aliases: []string{"电子邮箱", "邮件", "工作邮箱", "E-mail", "Work Email"}},
	{key: "address", kind: imports.KindText, zh: "地址", en: "Address", max: 200,
		aliases: []string{"住址", "现住址", "联系地址", "家庭住址", "Current Address", "Street"}},
	{key: "address2", kind: imports.KindText, zh: "地址（第二行）", en: "Address Line 2", max: 100},
	{key: "city", kind: imports.KindText, zh: "城市", en: "City", max: 50},
	{key: "province", kind: imports.KindText, zh: "省份", en: "State/Province", max: 50, aliases: []string{"省", "Province", "State"}},
	{key: "postalCode", kind: imports.KindText, zh: "邮编", en: "Postal Code", max: 20, aliases: []string{"邮政编码", "Zip Code", "Zip/Postal Code"}},
	{key: "country", kind: imports.KindText, zh: "国家/地区", en: "Country", max: 50},
	{key: "emergencyContact", kind: imports.KindText, zh: "紧急联系人", en: "Emergency Contact", max: 50,
		aliases: []string{"紧急联系人姓名", "Emergency Contact Name"}},
	{key: "emergencyMobile", kind: imports.KindText, zh: "紧急联系电话", en: "Emergency Phone", max: 20,
		aliases: []string{"紧急联系人电话", "紧急联系人手机", "Emergency Phone Number"}},
	{key: "emergencyRelation", kind: imports.KindText, zh: "与紧急联系人关系", en: "Emergency Contact Relation", max: 20,
		aliases: []string{"紧急联系人关系", "与本人关系", "Relation"}},
	{key: "bankName", kind: imports.KindText, zh: "开户行", en: "Bank", max: 100, aliases: []string{"开户银行", "银行", "Bank Name"}},
	{key: "bankAccount", kind: imports.KindText, zh: "银行卡号", en: "Bank Account", max: 30, sensitive: true,
		aliases: []string{"银行账号", "工资卡号", "Bank Account No", "Bank A/C No."}},
	{key: "firstWorkDate", kind: imports.KindDate, zh: "参加工作日期", en: "First Work Date",
		aliases: []string{"参加工作时间", "首次参加工作日期"}},
	{key: "department", kind: imports.KindDepartment, zh: "部门", en: "Department", max: 500, aliases: []string{"所属部门", "部门名称", "部门路径", "Dept"}},
	{key: "position", kind: imports.KindText, zh: "岗位", en: "Position", max: 100, aliases: []string{"职位", "职务", "Job Title", "Designation"}},
	{key: "grade", kind: imports.KindText, zh: "职级", en: "Grade", max: 100, aliases: []string{"级别", "职等", "Job Grade", "Level"}},
	{key: "location", kind: imports.KindText, zh: "工作地点", en: "Work Location", max: 100, aliases: []string{"工作地", "办公地点", "Location", "Branch"}},
	{key: "legalEntity", kind: imports.KindText, zh: "法人主体", en: "Legal Entity", max: 100, aliases: []string{"所属公司", "用人单位", "Company"}},
	{key: "employmentType", kind: imports.KindEnum, zh: "用工类型", en: "Employment Type", enum: "employment_type",
		aliases: []string{"用工性质", "员工类型", "Employee Type"}},
	{key: "hireDate", kind: imports.KindDate, zh: "入职日期", en: "Hire Date",
		aliases: []string{"入职时间", "到岗日期", "Date of Joining", "Joining Date", "Join Date"}},
	{key: "probationMonths", kind: imports.KindText, zh: "试用期（月）", en: "Probation (months)", max: 10,
		aliases: []string{"试用期", "试用期月数", "Probation", "Probation Months"}},
	{key: "manager", kind: imports.KindEmployee, zh: "直属上级", en: "Manager", max: 50,
		aliases: []string{"上级", "直接上级", "汇报对象", "汇报上级", "Reports To", "Supervisor", "Line Manager"}},
	{key: "contractKind", kind: imports.KindEnum, zh: "合同类型", en: "Contract Type", enum: "contract_kind", aliases: []string{"合同期限类型"}},
	{key: "contractNumber", kind: imports.KindText, zh: "合同编号", en: "Contract No", max: 50, aliases: []string{"Contract Number"}},
	{key: "contractStart", kind: imports.KindDate, zh: "合同开始日期", en: "Contract Start",
		aliases: []string{"合同开始", "合同起始日期", "合同生效日期", "Contract Start Date"}},
	{key: "contractEnd", kind: imports.KindDate, zh: "合同结束日期", en: "Contract End",
		aliases: []string{"合同结束", "合同终止日期", "合同到期日", "合同到期日期", "Contract End Date"}},
}

// historyDefs are the job history's columns.
var historyDefs = []colDef{
	{key: "employeeNo", kind: imports.KindText, zh: "工号", en: "Employee No", max: 32, required: true,
		aliases: []string{"员工编号", "Employee Number", "Employee ID"}},
	{key: "name", kind: imports.KindText, zh: "姓名", en: "Name", max: 50, aliases: []string{"员工姓名"}},
	{key: "effectiveDate", kind: imports.KindDate, zh: "变动日期", en: "Effective Date", required: true,
		aliases: []string{"生效日期", "异动日期", "调动日期", "Change Date"}},
	{key: "reason", kind: imports.KindEnum, zh: "变动原因", en: "Reason", enum: "reason", required: true,
		aliases: []string{"变动类型", "异动类型", "Change Type"}},
	{key: "department", kind: imports.KindDepartment, zh: "部门", en: "Department", max: 500},
	{key: "position", kind: imports.KindText, zh: "岗位", en: "Position", max: 100, aliases: []string{"职位", "Designation"}},
	{key: "grade", kind: imports.KindText, zh: "职级", en: "Grade", max: 100},
	{key: "manager", kind: imports.KindEmployee, zh: "直属上级", en: "Manager", max: 50, aliases: []string{"上级", "Reports To"}},
	{key: "employmentType", kind: imports.KindEnum, zh: "用工类型", en: "Employment Type", enum: "employment_type"},
	{key: "location", kind: imports.KindText, zh: "工作地点", en: "Work Location", max: 100},
	{key: "legalEntity", kind: imports.KindText, zh: "法人主体", en: "Legal Entity", max: 100},
	{key: "leaveDate", kind: imports.KindDate, zh: "离职日期", en: "Leave Date", aliases: []string{"最后工作日", "Last Working Day"}},
	{key: "leaveReason", kind: imports.KindText, zh: "离职原因", en: "Leave Reason", max: 200},
	{key: "note", kind: imports.KindText, zh: "备注", en: "Note", max: 500, aliases: []string{"说明", "Remark", "Remarks"}},
}

// contractDefs are the contracts' columns.
var contractDefs = []colDef{
	{key: "employeeNo", kind: imports.KindText, zh: "工号", en: "Employee No", max: 32, required: true,
		aliases: []string{"员工编号", "Employee Number", "Employee ID"}},
	{key: "name", kind: imports.KindText, zh: "姓名", en: "Name", max: 50, aliases: []string{"员工姓名"}},
	{key: "kind", kind: imports.KindEnum, zh: "合同类型", en: "Contract Type", enum: "contract_kind", aliases: []string{"合同期限类型", "Kind"}},
	{key: "number", kind: imports.KindText, zh: "合同编号", en: "Contract No", max: 50, aliases: []string{"Contract Number"}},
	{key: "startDate", kind: imports.KindDate, zh: "开始日期", en: "Start Date", required: true,
		aliases: []string{"合同开始日期", "合同开始", "起始日期", "Contract Start"}},
	{key: "endDate", kind: imports.KindDate, zh: "结束日期", en: "End Date",
		aliases: []string{"合同结束日期", "合同结束", "终止日期", "到期日期", "Contract End"}},
	{key: "signingEntity", kind: imports.KindText, zh: "签约主体", en: "Signing Entity", max: 100,
		aliases: []string{"合同主体", "用人单位", "Legal Entity", "Company"}},
	{key: "sequence", kind: imports.KindText, zh: "序号", en: "Sequence", max: 10, aliases: []string{"签订次数", "第几次签订", "No."}},
	{key: "note", kind: imports.KindText, zh: "备注", en: "Note", max: 500, aliases: []string{"说明", "Remark"}},
}

// labelKey is the i18n key of a column's label.
func labelKey(key string) string { return "employee.import.col." + key }

// columnsOf turns definitions into the engine's columns.
func columnsOf(defs []colDef) []imports.Column {
	out := make([]imports.Column, 0, len(defs))
	for _, d := range defs {
		c := imports.Column{Key: d.key, Label: labelKey(d.key), Aliases: append([]string{d.zh, d.en}, d.aliases...),
			Required: d.required, Kind: d.kind, Sensitive: d.sensitive, Max: d.max}
		if d.enum != "" {
			c.Choices = enums()[d.enum].choices
		}
		out = append(out, c)
	}
	return out
}

var (
	rosterColumns  = sync.OnceValue(func() []imports.Column { return columnsOf(rosterDefs) })
	historyColumns = sync.OnceValue(func() []imports.Column { return columnsOf(historyDefs) })
	contractCols   = sync.OnceValue(func() []imports.Column { return columnsOf(contractDefs) })
)

// customColumn is the column of a tenant's custom field "custom.<code>".
func customColumn(fd Field) imports.Column {
	c := imports.Column{Key: "custom." + fd.Code, Label: fd.Label, Aliases: []string{fd.Label, fd.Code, "cf." + fd.Code}}
	switch fd.Type {
	case FieldNumber:
		c.Kind = imports.KindDecimal
	case FieldDate:
		c.Kind = imports.KindDate
	case FieldSelect:
		c.Kind = imports.KindEnum
	default:
		c.Kind, c.Max = imports.KindText, 500
	}
	if fd.Type == FieldSelect || fd.Type == FieldMultiSelect {
		for _, o := range fd.Options {
			c.Choices = append(c.Choices, clean.Choice{Code: o, ZH: o, EN: o})
		}
	}
	if fd.Type == FieldMultiSelect {
		c.Max = 0
	}
	return c
}

// rosterColumnsFor lists the roster's columns with the tenant's custom
// fields.
func (s *Service) rosterColumnsFor(ctx context.Context) ([]imports.Column, error) {
	defs, err := s.fieldDefs(ctx)
	if err != nil {
		return nil, err
	}
	cols := slices.Clone(rosterColumns())
	for _, fd := range defs {
		cols = append(cols, customColumn(fd))
	}
	return cols, nil
}
