package approval_test

import (
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/approval"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/i18n/i18ntest"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// Every error code, permission, enum and notification text of the module
// has zh-CN and English text (internal/app checks the codes of the whole
// app once the module is wired in).
func TestModuleMessagesAreTranslated(t *testing.T) {
	if n := i18ntest.CheckCodes(t, ".", i18ntest.Calls); n < 30 {
		t.Fatalf("scan found only %d codes", n)
	}
	for _, p := range rbac.All() {
		if strings.HasPrefix(p.Code, "approval.") && (!i18n.Has(i18n.ZH, "perm."+p.Code) || !i18n.Has(i18n.EN, "perm."+p.Code)) {
			t.Errorf("permission %s has no label", p.Code)
		}
	}
	var keys []string
	for kind, values := range map[string][]string{"state": approval.States, "task": approval.TaskStates,
		"mode": {approval.ModeAny, approval.ModeAll}, "kind": approval.ApproverKinds, "tab": approval.Tabs,
		"action": {approval.ActionSubmit, approval.ActionResubmit, approval.ActionApprove, approval.ActionReject, approval.ActionWithdraw,
			approval.ActionTransfer, approval.ActionAddBefore, approval.ActionAddAfter, approval.ActionRemind, approval.ActionAssign,
			approval.ActionSkip, approval.ActionFallback, approval.ActionEscalate, approval.ActionTimeout, approval.ActionCC, approval.ActionComplete}} {
		for _, v := range values {
			keys = append(keys, "approval."+kind+"."+v)
		}
	}
	for _, tpl := range approval.Templates {
		keys = append(keys, tpl+".title", tpl+".body")
	}
	for _, k := range keys {
		if !i18n.Has(i18n.ZH, k) || !i18n.Has(i18n.EN, k) {
			t.Errorf("%s missing", k)
		}
	}
	for _, loc := range i18n.Locales {
		for _, k := range i18n.Keys(loc) {
			if strings.HasPrefix(k, "approval.") && (!i18n.Has(i18n.ZH, k) || !i18n.Has(i18n.EN, k)) {
				t.Errorf("%s has text in one language only", k)
			}
		}
	}
}
