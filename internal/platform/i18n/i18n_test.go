package i18n

import "testing"

func TestNegotiate(t *testing.T) {
	cases := map[string]string{
		"":                        ZH,
		"en-US,en;q=0.9":          EN,
		"zh-CN,zh;q=0.9,en;q=0.8": ZH,
		"zh-TW":                   ZH,
		"fr-FR":                   ZH,
		"fr-FR, en;q=0.5":         EN,
		"garbage;;;":              ZH,
	}
	for in, want := range cases {
		if got := Negotiate(in); got != want {
			t.Errorf("Negotiate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTranslateWithParamsAndFallback(t *testing.T) {
	if got := T(ZH, "too_long", map[string]any{"field": "登录名", "max": 64}); got != "登录名不能超过 64 个字符" {
		t.Fatalf("got %q", got)
	}
	if got := T(EN, "no.such.key", nil); got != "no.such.key" {
		t.Fatalf("missing key should show itself, got %q", got)
	}
}

// Every key must exist in both languages, so no user sees a raw key.
func TestCatalogsComplete(t *testing.T) {
	zh, en := map[string]bool{}, map[string]bool{}
	for _, k := range Keys(ZH) {
		zh[k] = true
	}
	for _, k := range Keys(EN) {
		en[k] = true
	}
	for k := range zh {
		if !en[k] {
			t.Errorf("key %q has no English text", k)
		}
	}
	for k := range en {
		if !zh[k] {
			t.Errorf("key %q has no Chinese text", k)
		}
	}
}
