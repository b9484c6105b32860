// Package i18ntest checks from the source that every message key a
// package uses has text in both languages, so no user sees a raw key.
package i18ntest

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

	"github.com/renshi/renshi/internal/platform/i18n"
)

var messageKey = regexp.MustCompile(`^[a-z][a-z_]*(\.[a-z_]+)*$`)

// Calls names the functions whose string-literal argument at an index is
// a message code: errs.E, errs.Wrap, errs.InvalidField, Fields.Add and
// Fields.Check. Packages add their own helpers.
var Calls = map[string]int{"E": 1, "Wrap": 1, "InvalidField": 1, "Add": 1, "Check": 2}

// CheckCodes walks the Go files under root (tests and skipped paths left
// out) and fails t for each message code without zh-CN and English text.
// Codes are literals passed to the calls named in calls, and `Code:`
// fields. It returns how many codes it checked, so callers can tell a
// broken scan from a clean one.
func CheckCodes(t *testing.T, root string, calls map[string]int, skip ...string) int {
	t.Helper()
	fset := token.NewFileSet()
	found := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		for _, s := range skip {
			if strings.Contains(path, s) {
				return nil
			}
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var lit *ast.BasicLit
			switch x := n.(type) {
			case *ast.CallExpr:
				name := ""
				switch fn := x.Fun.(type) {
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				case *ast.Ident:
					name = fn.Name
				}
				pos, ok := calls[name]
				if !ok || len(x.Args) <= pos {
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
				t.Errorf("%s: message code %q has no text in both languages", fset.Position(lit.Pos()), code)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}
