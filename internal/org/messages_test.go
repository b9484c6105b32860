package org_test

import (
	"strings"
	"testing"

	_ "github.com/renshi/renshi/internal/org/orgapi"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/i18n/i18ntest"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// TestMessages reads this module's source for error codes (as
// internal/app/messages_test.go does for the whole app, plus the
// module's own fieldConflict helper), field labels of exports and
// permission labels, and checks each has zh-CN and English text.
func TestMessages(t *testing.T) {
	calls := map[string]int{"fieldConflict": 2, "NotFoundf": 0}
	for k, v := range i18ntest.Calls {
		calls[k] = v
	}
	if n := i18ntest.CheckCodes(t, ".", calls); n < 40 {
		t.Fatalf("found only %d keys: the scan is broken", n)
	}
	for _, p := range rbac.All() {
		if strings.HasPrefix(p.Code, "org.") && (!i18n.Has(i18n.ZH, "perm."+p.Code) || !i18n.Has(i18n.EN, "perm."+p.Code)) {
			t.Errorf("permission %s has no label", p.Code)
		}
	}
}
