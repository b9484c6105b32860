package app_test

import (
	"path/filepath"
	"testing"

	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/i18n/i18ntest"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// TestEveryErrorCodeIsTranslated reads the whole app's source for error
// codes and checks each has a message in both languages; every
// registered permission needs a label too.
func TestEveryErrorCodeIsTranslated(t *testing.T) {
	if n := i18ntest.CheckCodes(t, filepath.Join("..", "..", "internal"), i18ntest.Calls, "apptest"); n < 100 {
		t.Fatalf("found only %d codes: the scan is broken", n)
	}
	for _, p := range rbac.All() {
		if !i18n.Has(i18n.ZH, "perm."+p.Code) || !i18n.Has(i18n.EN, "perm."+p.Code) {
			t.Errorf("permission %s has no label", p.Code)
		}
	}
}
