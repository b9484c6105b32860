package employee_test

import (
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/employee"
	_ "github.com/renshi/renshi/internal/platform/auth" // field labels the roster shares
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/i18n/i18ntest"
	"github.com/renshi/renshi/internal/platform/rbac"
	_ "github.com/renshi/renshi/internal/platform/tenant" // (name, status, mobile, email, ID number)
)

// The module's error codes, permission labels and enum labels have text
// in both languages (internal/app/messages_test.go checks the codes of
// the whole app once the module is wired in).
func TestModuleMessagesAreTranslated(t *testing.T) {
	if n := i18ntest.CheckCodes(t, ".", i18ntest.Calls); n < 40 {
		t.Fatalf("scan found only %d codes", n)
	}
	for _, p := range rbac.All() {
		if strings.HasPrefix(p.Code, "employee.") && (!i18n.Has(i18n.ZH, "perm."+p.Code) || !i18n.Has(i18n.EN, "perm."+p.Code)) {
			t.Errorf("permission %s has no label", p.Code)
		}
	}
	enums := map[string][]string{"gender": employee.Genders, "id_type": employee.IDTypes, "employment_type": employee.EmploymentTypes,
		"status": employee.Statuses, "reason": employee.Reasons, "marital_status": employee.MaritalStatuses,
		"hukou_type": employee.HukouTypes, "degree": employee.Degrees, "contract_kind": employee.ContractKinds,
		"contract_status": employee.ContractStatuses, "agreement_kind": employee.AgreementKinds,
		"document_kind": employee.DocumentKinds, "field_type": employee.FieldTypes,
		"request_status": {employee.RequestPending, employee.RequestApproved, employee.RequestRejected}}
	for kind, values := range enums {
		for _, v := range values {
			if k := "employee." + kind + "." + v; !i18n.Has(i18n.ZH, k) || !i18n.Has(i18n.EN, k) {
				t.Errorf("enum label %s missing", k)
			}
		}
	}
	for _, c := range employee.Columns {
		if !i18n.Has(i18n.ZH, "field."+c) {
			t.Errorf("column %s has no label", c)
		}
	}
	for _, k := range i18n.Keys(i18n.ZH) {
		if strings.HasPrefix(k, "employee.") && !i18n.Has(i18n.EN, k) {
			t.Errorf("%s has no English text", k)
		}
	}
	for _, k := range i18n.Keys(i18n.EN) {
		if strings.HasPrefix(k, "employee.") && !i18n.Has(i18n.ZH, k) {
			t.Errorf("%s has no Chinese text", k)
		}
	}
}
