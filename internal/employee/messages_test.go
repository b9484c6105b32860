package employee_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/employee"
	_ "github.com/renshi/renshi/internal/platform/auth" // field labels the roster shares
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/rbac"
	_ "github.com/renshi/renshi/internal/platform/tenant" // (name, status, mobile, email, ID number)
)

var messageKey = regexp.MustCompile(`^[a-z][a-z_]*(\.[a-z_]+)*$`)

// The module's error codes, permission labels and enum labels have text
// in both languages (internal/app/messages_test.go checks the codes of
// the whole app once the module is wired in).
func TestModuleMessagesAreTranslated(t *testing.T) {
	fset := token.NewFileSet()
	found := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var lit *ast.BasicLit
			switch x := n.(type) {
			case *ast.CallExpr:
				sel, ok := x.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				pos := map[string]int{"E": 1, "Wrap": 1, "InvalidField": 1, "Add": 1, "Check": 2}[sel.Sel.Name]
				if pos == 0 || len(x.Args) <= pos {
					return true
				}
				lit, _ = x.Args[pos].(*ast.BasicLit)
			case *ast.KeyValueExpr:
				if k, ok := x.Key.(*ast.Ident); ok && k.Name == "Code" {
					lit, _ = x.Value.(*ast.BasicLit)
				}
			}
			if lit == nil || lit.Kind != token.STRING {
				return true
			}
			code, _ := strconv.Unquote(lit.Value)
			if !messageKey.MatchString(code) {
				return true
			}
			found++
			if !i18n.Has(i18n.ZH, code) || !i18n.Has(i18n.EN, code) {
				t.Errorf("%s: code %q lacks a message", fset.Position(lit.Pos()), code)
			}
			return true
		})
		return nil
	})
	if err != nil || found < 40 {
		t.Fatalf("scan: %v (%d codes)", err, found)
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
