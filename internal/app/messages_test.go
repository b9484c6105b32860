package app_test

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

// TestEveryErrorCodeIsTranslated reads the source for error codes
// (errs.E, errs.Wrap, errs.InvalidField, Fields.Add/Check, Code: fields)
// and checks each has a message, so no user ever sees a raw key.
func TestEveryErrorCodeIsTranslated(t *testing.T) {
	root := filepath.Join("..", "..", "internal")
	fset := token.NewFileSet()
	found := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.Contains(path, "apptest") {
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
				t.Errorf("%s: error code %q has no message in both languages", fset.Position(lit.Pos()), code)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 30 {
		t.Fatalf("found only %d codes: the scan is broken", found)
	}
}
