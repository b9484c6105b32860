package org_test

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

	_ "github.com/renshi/renshi/internal/org/orgapi"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/rbac"
)

var messageKey = regexp.MustCompile(`^[a-z][a-z_]*(\.[a-z_]+)*$`)

// TestMessages reads this module's source for error codes (as
// internal/app/messages_test.go does for the whole app, plus the
// module's own fieldConflict helper), field labels of exports and
// permission labels, and checks each has zh-CN and English text.
func TestMessages(t *testing.T) {
	fset := token.NewFileSet()
	found := 0
	check := func(pos token.Pos, key string) {
		found++
		if !i18n.Has(i18n.ZH, key) || !i18n.Has(i18n.EN, key) {
			t.Errorf("%s: %q has no text in both languages", fset.Position(pos), key)
		}
	}
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
				name := ""
				switch fn := x.Fun.(type) {
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				case *ast.Ident:
					name = fn.Name
				}
				pos := map[string]int{"E": 1, "Wrap": 1, "InvalidField": 1, "Add": 1, "Check": 2, "fieldConflict": 2, "NotFoundf": 0}[name]
				if name == "T" && len(x.Args) > 1 { // i18n.T(locale, key, ...)
					pos = 1
				}
				if (pos == 0 && name != "NotFoundf") || len(x.Args) <= pos {
					return true
				}
				lit, _ = x.Args[pos].(*ast.BasicLit)
			case *ast.KeyValueExpr:
				if k, ok := x.Key.(*ast.Ident); ok && k.Name == "Code" {
					lit, _ = x.Value.(*ast.BasicLit)
				}
			case *ast.CompositeLit: // export column lists are field labels
				if at, ok := x.Type.(*ast.ArrayType); ok && len(x.Elts) > 1 { // (route tags are single words)
					if id, ok := at.Elt.(*ast.Ident); ok && id.Name == "string" {
						for _, el := range x.Elts {
							if l, ok := el.(*ast.BasicLit); ok && l.Kind == token.STRING {
								if s, _ := strconv.Unquote(l.Value); strings.HasPrefix(path, "orgapi") && regexp.MustCompile(`^[a-z][A-Za-z]*$`).MatchString(s) {
									check(l.Pos(), "field."+s)
								}
							}
						}
					}
				}
			}
			if lit == nil || lit.Kind != token.STRING {
				return true
			}
			code, _ := strconv.Unquote(lit.Value)
			if messageKey.MatchString(code) {
				check(lit.Pos(), code)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rbac.All() {
		if strings.HasPrefix(p.Code, "org.") {
			check(token.NoPos, "perm."+p.Code)
		}
	}
	if found < 40 {
		t.Fatalf("found only %d keys: the scan is broken", found)
	}
}
