package notify_test

import (
	"testing"

	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/i18n/i18ntest"
)

// The module's error codes, permission label, category and state labels
// have text in both languages.
func TestModuleMessagesAreTranslated(t *testing.T) {
	if n := i18ntest.CheckCodes(t, ".", i18ntest.Calls); n < 15 {
		t.Fatalf("scan found only %d codes", n)
	}
	keys := []string{"perm." + notify.PermSettings}
	for _, c := range notify.Categories() {
		keys = append(keys, "notify.category."+c.Key)
	}
	for _, s := range notify.DeliveryStates {
		keys = append(keys, "notify.delivery_state."+s)
	}
	for _, k := range keys {
		if !i18n.Has(i18n.ZH, k) || !i18n.Has(i18n.EN, k) {
			t.Errorf("%s has no text in both languages", k)
		}
	}
}
