package imports_test

import (
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/imports"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/i18n/i18ntest"
)

// Every error code and label of the module has zh-CN and English text.
func TestModuleMessagesAreTranslated(t *testing.T) {
	if n := i18ntest.CheckCodes(t, ".", i18ntest.Calls, "importstest"); n < 25 {
		t.Fatalf("scan found only %d codes", n)
	}
	keys := []string{"imports.report_suffix", "imports.template_suffix", "imports.template_notes", "imports.template_options"}
	for _, s := range imports.States {
		keys = append(keys, "imports.state."+s)
	}
	for _, m := range []string{imports.ModeAll, imports.ModeValid} {
		keys = append(keys, "imports.mode."+m)
	}
	for _, k := range []string{imports.KindText, imports.KindDate, imports.KindEnum, imports.KindMobile, imports.KindEmail,
		imports.KindIDNumber, imports.KindDepartment, imports.KindEmployee, imports.KindDecimal, imports.KindBool} {
		keys = append(keys, "imports.kind."+k)
		if k != imports.KindText && k != imports.KindEnum && k != imports.KindBool {
			keys = append(keys, "imports.example."+k)
		}
	}
	for _, k := range keys {
		if !i18n.Has(i18n.ZH, k) || !i18n.Has(i18n.EN, k) {
			t.Errorf("%s missing", k)
		}
	}
	for _, loc := range i18n.Locales {
		for _, k := range i18n.Keys(loc) {
			if strings.HasPrefix(k, "imports.") && (!i18n.Has(i18n.ZH, k) || !i18n.Has(i18n.EN, k)) {
				t.Errorf("%s has text in one language only", k)
			}
		}
	}
}
