package employee

import (
	"context"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

func init() {
	register(i18n.ZH, map[string]string{
		"employee.import.preset.orangehrm": "OrangeHRM 员工 CSV",
		"employee.import.preset.frappe":    "Frappe HRMS / ERPNext 员工导出",
	})
	register(i18n.EN, map[string]string{
		"employee.import.preset.orangehrm": "OrangeHRM employee CSV",
		"employee.import.preset.frappe":    "Frappe HRMS / ERPNext employee export",
	})
	imports.RegisterPreset(TargetEmployees, "orangehrm", "employee.import.preset.orangehrm", PresetOrangeHRM)
	imports.RegisterPreset(TargetEmployees, "frappe", "employee.import.preset.frappe", PresetFrappe)
}

// Predefined mappings of the roster target for files exported from other
// HR systems: header → column key. Headers left out are ignored on
// purpose (IgnoredOrangeHRM, IgnoredFrappe say which and why); samples
// are testdata/imports/orangehrm_employees.csv and
// testdata/imports/frappe_employee_export.csv.

// PresetOrangeHRM maps OrangeHRM's PIM employee CSV, the columns of its
// import template importData.csv (orangehrm/orangehrm, PIM > Configuration
// > Data Import; the same 22 columns are tested in
// PimCsvDataImportServiceTest). "other_id" is OrangeHRM's free second
// identity number, where offices put the national ID.
var PresetOrangeHRM = map[string]string{
	"first_name":       "firstName",
	"middle_name":      "middleName",
	"last_name":        "lastName",
	"employee_id":      "employeeNo",
	"other_id":         "idNumber",
	"gender":           "gender",
	"marital_status":   "maritalStatus",
	"nationality":      "nationality",
	"date_of_birth":    "birthDate",
	"address_street_1": "address",
	"address_street_2": "address2",
	"city":             "city",
	"state/province":   "province",
	"zip/postal_code":  "postalCode",
	"country":          "country",
	"mobile":           "mobile",
	"work_email":       "email",
}

// IgnoredOrangeHRM are OrangeHRM template columns with no place in the
// roster: a driver's licence, the home and work landlines and a second
// email address.
var IgnoredOrangeHRM = []string{"driver's_license_no", "license_expiry_date", "home_telephone", "work_telephone", "other_email"}

// PresetFrappe maps a Frappe HRMS / ERPNext Employee export (the Data
// Export of the Employee doctype, erpnext/setup/doctype/employee): its
// headers are the field labels ("Date of Joining"); the field names
// ("date_of_joining") are mapped too, for exports written by scripts.
// Frappe's record name ("ID", e.g. HR-EMP-00001) becomes the employee
// number because "Reports to" refers to it.
var PresetFrappe = map[string]string{
	"ID":                     "employeeNo",
	"Full Name":              "name",
	"employee_name":          "name",
	"First Name":             "firstName",
	"first_name":             "firstName",
	"Middle Name":            "middleName",
	"middle_name":            "middleName",
	"Last Name":              "lastName",
	"last_name":              "lastName",
	"Gender":                 "gender",
	"gender":                 "gender",
	"Date of Birth":          "birthDate",
	"date_of_birth":          "birthDate",
	"Date of Joining":        "hireDate",
	"date_of_joining":        "hireDate",
	"Company":                "legalEntity",
	"company":                "legalEntity",
	"Department":             "department",
	"department":             "department",
	"Designation":            "position",
	"designation":            "position",
	"Reports to":             "manager",
	"reports_to":             "manager",
	"Branch":                 "location",
	"branch":                 "location",
	"Mobile":                 "mobile",
	"cell_number":            "mobile",
	"Company Email":          "email",
	"company_email":          "email",
	"Bank Name":              "bankName",
	"bank_name":              "bankName",
	"Bank A/C No.":           "bankAccount",
	"bank_ac_no":             "bankAccount",
	"Marital Status":         "maritalStatus",
	"marital_status":         "maritalStatus",
	"Passport Number":        "passportNumber",
	"passport_number":        "passportNumber",
	"Current Address":        "address",
	"current_address":        "address",
	"Contract End Date":      "contractEnd",
	"contract_end_date":      "contractEnd",
	"Emergency Contact Name": "emergencyContact",
	"person_to_be_contacted": "emergencyContact",
	"Emergency Phone":        "emergencyMobile",
	"emergency_phone_number": "emergencyMobile",
	"Relation":               "emergencyRelation",
	"relation":               "emergencyRelation",
}

// IgnoredFrappe are Frappe Employee export columns left out: the
// salutation, Frappe's status (people who left are recorded with the job
// history target, not hired), its own optional "Employee Number" (the
// record ID is the number managers refer to), the personal email (the
// roster keeps one address: the company's) and the permanent address.
var IgnoredFrappe = []string{"Salutation", "salutation", "Status", "status", "Employee Number", "employee_number",
	"Personal Email", "personal_email", "Permanent Address", "permanent_address"}

// ---- what the org module's import target asks of employees

// EmployeeIDsByNumber returns the ids of the employees holding the
// numbers (department heads named in a department import).
func (s *Service) EmployeeIDsByNumber(ctx context.Context, nos []string) (map[string]ids.ID, error) {
	if _, err := rbac.Authenticated(ctx); err != nil {
		return nil, err
	}
	list, err := s.store.EmployeesByNos(ctx, nos)
	if err != nil {
		return nil, err
	}
	out := make(map[string]ids.ID, len(list))
	for _, e := range list {
		out[e.EmployeeNo] = e.ID
	}
	return out, nil
}

// DepartmentsInUse returns those of the departments some employee's job
// row refers to (an import's rollback removes a department it created
// only when nobody works or worked in it).
func (s *Service) DepartmentsInUse(ctx context.Context, deptIDs []ids.ID) ([]ids.ID, error) {
	if _, err := rbac.Authenticated(ctx); err != nil {
		return nil, err
	}
	return s.store.DepartmentsInUse(ctx, deptIDs)
}
